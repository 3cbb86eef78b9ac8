//! The backstop premium (accrual, lazy settlement, flush to the stakers) and
//! the stressed required capital.

use super::*;
use backstop_primitives::{PriceUnavailable, RevenueKind, RiskExposure};
use frame_support::{assert_noop, assert_ok};
use proptest::prelude::*;
use sp_arithmetic::{traits::Saturating, FixedU128, Permill};

/// One millionth of notional per block.
fn millionth() -> FixedU128 {
	FixedU128::from_rational(1, 1_000_000)
}

/// What a position of `size` owes after the premium index rose by `rate ×
/// price` for `blocks` blocks, computed from the formula (⌊rate × price⌋ per
/// block, then ⌈|size| × Δindex⌉).
fn expected_owed(size: i128, rate: FixedU128, price: Price, blocks: u128) -> Balance {
	let increment = math::premium_increment(rate, price).unwrap();
	let delta = FixedU128::from_inner(increment.into_inner() * blocks);
	math::premium_owed(size, delta).unwrap()
}

/// The premium settled by the events so far, of `who` or of everyone.
fn settled_by(who: Option<u64>) -> Balance {
	margin_events()
		.into_iter()
		.filter_map(|e| match e {
			Event::PremiumSettled { who: w, amount, .. } if who.is_none_or(|who| w == who) => {
				Some(amount)
			},
			_ => None,
		})
		.sum()
}

/// The premium settled by the events so far, per account.
fn premium_settled(who: u64) -> Balance {
	settled_by(Some(who))
}

/// All premium settled by the events so far.
fn all_premium_settled() -> Balance {
	settled_by(None)
}

/// All premium the settlements handed to the stakers, by the events.
fn premium_flushed() -> Balance {
	margin_events()
		.into_iter()
		.filter_map(|e| match e {
			Event::MarketSettled { premium_to_stakers, .. } => Some(premium_to_stakers),
			_ => None,
		})
		.sum()
}

#[test]
fn accrual_per_block_is_rate_times_price() {
	ExtBuilder::default().build_and_execute(|| {
		set_premium_rate(BTC, millionth());
		accrue_to_block(2);
		let state = market(BTC).state;
		assert_eq!(state.premium_rate, millionth());
		// 1e-6 × 50,000 dollars per BTC.
		assert_eq!(state.premium_index, FixedU128::from_rational(5, 100));
		accrue_to_block(4);
		assert_eq!(market(BTC).state.premium_index, FixedU128::from_rational(15, 100));
		// ETH pays no premium: rate zero, index unchanged.
		assert_eq!(market(ETH).state.premium_index, FixedU128::zero());
		assert_eq!(market(ETH).state.premium_rate, FixedU128::zero());
	});
}

#[test]
fn the_increment_rounds_down() {
	ExtBuilder::default().build_and_execute(|| {
		set_premium_rate(BTC, FixedU128::from_inner(333_333));
		accrue_to_block(2);
		let raw = 333_333u128 * 50_000;
		assert_eq!(market(BTC).state.premium_index, FixedU128::from_inner(raw));
		set_price(BTC_ASSET, Price::from_rational(1, 3));
		set_premium_rate(BTC, FixedU128::from_inner(1));
		accrue_to_block(3);
		// 1e-18 × 1/3: rounds to nothing.
		assert_eq!(market(BTC).state.premium_index, FixedU128::from_inner(raw));
	});
}

#[test]
fn the_pricer_sees_the_volatility_estimate() {
	ExtBuilder::default().build_and_execute(|| {
		set_price_info(BTC_ASSET, usd(50_000), usd(49_000), Permill::from_percent(1));
		accrue_to_block(2);
		// 1% of confidence and 1,000 / 50,000 of divergence.
		assert_eq!(volatility_seen(BTC), Some(FixedU128::from_rational(3, 100)));
		assert_eq!(
			math::volatility_estimate(usd(50_000), usd(49_000), Permill::from_percent(1)),
			Some(FixedU128::from_rational(3, 100))
		);
		// The margin add-on reads the same estimate.
		assert_eq!(
			math::volatility_addon(
				usd(50_000),
				usd(49_000),
				Permill::from_percent(1),
				FixedU128::from_u32(2),
				Permill::from_percent(50)
			),
			Some(FixedU128::from_rational(6, 100))
		);
		let premium = Margin::market_premium(BTC).unwrap();
		assert_eq!(premium.volatility, Some(FixedU128::from_rational(3, 100)));
	});
}

#[test]
fn halted_or_stale_markets_accrue_nothing() {
	ExtBuilder::default().build_and_execute(|| {
		set_premium_rate(BTC, millionth());
		set_premium_rate(ETH, millionth());
		accrue_to_block(2);
		let (btc, eth) = (market(BTC).state.premium_index, market(ETH).state.premium_index);
		assert!(!btc.is_zero() && !eth.is_zero());
		assert_ok!(Margin::set_market_status(RuntimeOrigin::root(), BTC, MarketStatus::Halted));
		set_price_unavailable(ETH_ASSET, PriceUnavailable::Stale);
		accrue_to_block(10);
		assert_eq!(market(BTC).state.premium_index, btc);
		assert_eq!(market(ETH).state.premium_index, eth);
		assert!(market(BTC).state.premium_rate.is_zero());
		assert!(market(ETH).state.premium_rate.is_zero());
		assert_eq!(Margin::premium_per_block(), 0);
		// Live again: accrual resumes.
		set_price(ETH_ASSET, usd(2_500));
		accrue_to_block(11);
		assert!(market(ETH).state.premium_index > eth);
	});
}

#[test]
fn a_position_opened_later_pays_only_from_its_open() {
	ExtBuilder::default().build_and_execute(|| {
		frictionless(BTC);
		set_premium_rate(BTC, millionth());
		deposit(ALICE, dollars(10_000));
		deposit(BOB, dollars(10_000));
		trade(ALICE, BTC, UNIT);
		accrue_to_block(3);
		trade(BOB, BTC, -2 * UNIT);
		assert_eq!(position(BOB, BTC).unwrap().premium_index, market(BTC).state.premium_index);
		accrue_to_block(5);
		let alice = Margin::account_health(&ALICE).unwrap();
		let bob = Margin::account_health(&BOB).unwrap();
		assert_eq!(alice.accrued_premium, expected_owed(UNIT, millionth(), usd(50_000), 4));
		// Short or long alike, only the two blocks since Bob opened.
		assert_eq!(bob.accrued_premium, expected_owed(-2 * UNIT, millionth(), usd(50_000), 2));
		assert_eq!(bob.accrued_premium, 2 * dollars(100_000) / 1_000_000);
		// A debit to equity like funding.
		assert_eq!(alice.equity, (dollars(10_000) - alice.accrued_premium) as i128);
		assert_eq!(alice.positions[0].accrued_premium, alice.accrued_premium);
	});
}

#[test]
fn a_trade_settles_the_premium_at_the_old_size() {
	ExtBuilder::default().build_and_execute(|| {
		frictionless(BTC);
		set_premium_rate(BTC, millionth());
		deposit(ALICE, dollars(20_000));
		trade(ALICE, BTC, UNIT);
		accrue_to_block(4);
		let owed = Margin::account_health(&ALICE).unwrap().accrued_premium;
		assert_eq!(owed, expected_owed(UNIT, millionth(), usd(50_000), 3));
		trade(ALICE, BTC, UNIT);
		System::assert_has_event(
			Event::<Test>::PremiumSettled { who: ALICE, market: BTC, amount: owed }.into(),
		);
		assert_eq!(collateral(ALICE), dollars(20_000) - owed);
		assert_eq!(market(BTC).state.pending_premium, owed);
		assert_eq!(position(ALICE, BTC).unwrap().premium_index, market(BTC).state.premium_index);
		assert_eq!(Margin::account_health(&ALICE).unwrap().accrued_premium, 0);
		// From now on at the new size.
		accrue_to_block(5);
		assert_eq!(
			Margin::account_health(&ALICE).unwrap().accrued_premium,
			expected_owed(2 * UNIT, millionth(), usd(50_000), 1)
		);
	});
}

#[test]
fn a_trade_needs_the_premium_in_full() {
	ExtBuilder::default().build_and_execute(|| {
		frictionless(BTC);
		set_premium_rate(BTC, FixedU128::from_rational(1, 1_000));
		deposit(ALICE, dollars(5_000));
		trade(ALICE, BTC, UNIT);
		// Fifty dollars a block.
		let rate = FixedU128::from_rational(1, 1_000);
		assert_eq!(expected_owed(UNIT, rate, usd(50_000), 1), dollars(50));
		// Accrued without the hooks (no sweep): Alice owes more than her
		// collateral.
		for _ in 0..110 {
			let mut info = market(BTC);
			Margin::accrue_market(BTC, &mut info, &());
			Markets::<Test>::insert(BTC, info);
		}
		assert!(Margin::account_health(&ALICE).unwrap().accrued_premium > collateral(ALICE));
		assert_noop!(
			Margin::trade(RuntimeOrigin::signed(ALICE), BTC, -UNIT / 2, Price::zero()),
			Error::<Test>::InsufficientCollateral
		);
	});
}

#[test]
fn a_withdrawal_settles_the_premium_with_the_funding() {
	ExtBuilder::default().build_and_execute(|| {
		frictionless(BTC);
		set_premium_rate(BTC, millionth());
		deposit(ALICE, dollars(10_000));
		trade(ALICE, BTC, UNIT);
		accrue_to_block(6);
		let owed = expected_owed(UNIT, millionth(), usd(50_000), 5);
		let view = Margin::withdrawable(&ALICE).unwrap();
		assert_eq!(view.collateral, dollars(10_000) - owed);
		assert_ok!(Margin::withdraw(RuntimeOrigin::signed(ALICE), dollars(1)));
		assert_eq!(premium_settled(ALICE), owed);
		assert_eq!(collateral(ALICE), dollars(10_000) - owed - dollars(1));
		assert_eq!(market(BTC).state.pending_premium, owed);
		// The withdrawable view matches what the withdrawal left.
		assert_eq!(view.collateral - dollars(1), collateral(ALICE));
	});
}

#[test]
fn premium_alone_makes_an_account_liquidatable_and_liquidation_settles_it() {
	ExtBuilder::default().build_and_execute(|| {
		frictionless(BTC);
		// Fifty dollars a block on one BTC at 50,000.
		let rate = FixedU128::from_rational(1, 1_000);
		set_premium_rate(BTC, rate);
		deposit(ALICE, dollars(5_000));
		trade(ALICE, BTC, UNIT);
		// Equity 5,000 − 50 k against a maintenance requirement of 2,500:
		// at k = 50 blocks exactly at it, not below.
		accrue_to_block(51);
		assert_eq!(Margin::account_health(&ALICE).unwrap().accrued_premium, dollars(2_500));
		assert_eq!(Margin::is_liquidatable(&ALICE), Ok(false));
		assert_eq!(size(ALICE, BTC), UNIT);
		// One block more and the sweep liquidates it: penalty first (1% of
		// 50,000), then all 2,550 of premium out of what is left.
		accrue_to_block(52);
		assert_eq!(size(ALICE, BTC), 0);
		assert!(margin_events().iter().any(|e| matches!(e, Event::Liquidated { who: ALICE, .. })));
		assert_eq!(premium_settled(ALICE), dollars(2_550));
		assert_eq!(collateral(ALICE), dollars(5_000 - 500 - 2_550));
		assert_eq!(market(BTC).state.pending_premium, dollars(2_550));
	});
}

#[test]
fn what_a_liquidated_account_cannot_pay_of_the_premium_is_forgiven() {
	ExtBuilder::default().build_and_execute(|| {
		frictionless(BTC);
		deposit(ALICE, dollars(5_000));
		trade(ALICE, BTC, UNIT);
		// A premium far above the collateral, accrued without the hooks (no
		// sweep).
		set_premium_rate(BTC, FixedU128::from_rational(1, 100));
		for _ in 0..20 {
			let mut info = market(BTC);
			Margin::accrue_market(BTC, &mut info, &());
			Markets::<Test>::insert(BTC, info);
		}
		let owed = Margin::account_health(&ALICE).unwrap().accrued_premium;
		assert_eq!(owed, dollars(10_000));
		// A 2% fall: the pool takes its 1,000 of loss first, the keeper
		// its reward, the insurance fund its penalty; the premium gets the
		// rest and the remainder is forgiven. Nobody pays for it: no bad
		// debt, no waterfall.
		set_price(BTC_ASSET, usd(49_000));
		assert_ok!(Margin::liquidate(RuntimeOrigin::signed(KEEPER), ALICE));
		let reward = dollars(245);
		let penalty = dollars(490);
		let charged = dollars(5_000 - 1_000) - reward - penalty;
		assert_eq!(premium_settled(ALICE), charged);
		assert_eq!(collateral(ALICE), 0);
		assert_eq!(market(BTC).state.pending_premium, charged);
		assert!(waterfall_calls().is_empty());
		assert!(margin_events()
			.iter()
			.any(|e| matches!(e, Event::Liquidated { who: ALICE, bad_debt: 0, .. })));
	});
}

#[test]
fn a_takeover_settles_the_premium_of_both_sides() {
	ExtBuilder::default().build_and_execute(|| {
		frictionless(BTC);
		set_premium_rate(BTC, millionth());
		deposit(ALICE, dollars(5_000));
		trade(ALICE, BTC, UNIT);
		deposit(KEEPER, dollars(100_000));
		trade(KEEPER, BTC, UNIT);
		accrue_to_block(3);
		let owed = expected_owed(UNIT, millionth(), usd(50_000), 2);
		set_price(BTC_ASSET, usd(47_000));
		assert_eq!(Margin::is_liquidatable(&ALICE), Ok(true));
		assert_ok!(Margin::take_over(RuntimeOrigin::signed(KEEPER), ALICE, BTC, UNIT as u128));
		assert_eq!(premium_settled(ALICE), owed);
		assert_eq!(premium_settled(KEEPER), owed);
		assert_eq!(market(BTC).state.pending_premium, 2 * owed);
	});
}

#[test]
fn deleveraging_settles_the_premium_of_the_position_it_closes() {
	ExtBuilder::default().build_and_execute(|| {
		// Alice long 1 BTC from 50,000, Bob long 1 from 45,000; BTC at
		// 55,000 and the pool allows the traders 10,000 of profit.
		frictionless(BTC);
		open_at(ALICE, 50_000, 10_000, UNIT);
		open_at(BOB, 45_000, 10_000, UNIT);
		set_price(BTC_ASSET, usd(55_000));
		MaxTraderPnl::set(Some(dollars(10_000)));
		set_premium_rate(BTC, millionth());
		let bob = collateral(BOB);
		// The block accrues first, then max-PnL deleveraging closes part of
		// Bob's position (the lowest entry) and settles its premium.
		accrue_to_block(2);
		let owed = expected_owed(UNIT, millionth(), usd(55_000), 1);
		assert!(owed > 0);
		assert!(size(BOB, BTC) < UNIT);
		assert_eq!(premium_settled(BOB), owed);
		assert_eq!(premium_settled(ALICE), 0);
		let realized: i128 = margin_events()
			.into_iter()
			.filter_map(|e| match e {
				Event::ProfitDeleveraged { who: BOB, realized_pnl, .. } => Some(realized_pnl),
				_ => None,
			})
			.sum();
		assert_eq!(collateral(BOB), bob + realized.unsigned_abs() - owed);
		assert_eq!(market(BTC).state.pending_premium, owed);
		// Alice's premium stays accrued, lazily.
		assert_eq!(
			Margin::account_health(&ALICE).unwrap().accrued_premium,
			expected_owed(UNIT, millionth(), usd(55_000), 1)
		);
	});
}

#[test]
fn deleveraging_never_stalls_on_a_premium_the_collateral_cannot_pay() {
	ExtBuilder::default().build_and_execute(|| {
		// The deficit scenario of the deleveraging tests, with Charlie's
		// short (12,000 in profit) on only 6,000 of collateral.
		frictionless(BTC);
		open_at(DAVE, 38_000, 20_000, -UNIT);
		open_at(CHARLIE, 52_000, 6_000, -UNIT);
		open_at(BOB, 50_000, 20_000, -UNIT);
		open_at(ALICE, 50_000, 5_500, UNIT);
		set_price(BTC_ASSET, usd(40_000));
		assert_ok!(Margin::liquidate(RuntimeOrigin::signed(KEEPER), ALICE));
		assert_eq!(market(BTC).state.deficit, dollars(4_500));
		// One block of a punishing premium: 8,000 on Charlie's 1 BTC, more
		// than his collateral, though his equity stays far above maintenance.
		set_premium_rate(BTC, FixedU128::from_rational(1, 5));
		run_to_block(2);
		let taken: Vec<(u64, Balance)> = margin_events()
			.into_iter()
			.filter_map(|e| match e {
				Event::Deleveraged { who, taken, .. } => Some((who, taken)),
				_ => None,
			})
			.collect();
		// Charlie, first in the queue, gives the whole deficit; he pays what
		// his collateral holds of the premium and the rest is forgiven.
		assert_eq!(taken, vec![(CHARLIE, dollars(4_500))]);
		assert_eq!(premium_settled(CHARLIE), dollars(6_000));
		assert_eq!(collateral(CHARLIE), 0);
		assert_eq!(market(BTC).state.deficit, 0);
		assert_eq!(market(BTC).status, MarketStatus::Active);
		assert!(!Margin::is_liquidatable(&CHARLIE).unwrap());
	});
}

#[test]
fn the_flush_reaches_the_stakers_as_backstop_premium() {
	ExtBuilder::default().build_and_execute(|| {
		frictionless(BTC);
		set_premium_rate(BTC, millionth());
		deposit(ALICE, dollars(10_000));
		trade(ALICE, BTC, UNIT);
		accrue_to_block(11);
		trade(ALICE, BTC, -UNIT);
		let pending = market(BTC).state.pending_premium;
		assert_eq!(pending, expected_owed(UNIT, millionth(), usd(50_000), 10));
		assert!(market(BTC).has_pending());
		let stakers = balance(STAKERS);
		assert_ok!(Margin::settle_market(RuntimeOrigin::signed(BOB), BTC));
		assert_eq!(balance(STAKERS), stakers + pending);
		assert_eq!(
			sink_receipts().last(),
			Some(&(STAKERS, BTC, RevenueKind::BackstopPremium, pending))
		);
		System::assert_last_event(
			Event::<Test>::MarketSettled {
				market: BTC,
				to_insurance: 0,
				to_stakers: pending,
				premium_to_stakers: pending,
				to_pool: 0,
			}
			.into(),
		);
		assert_eq!(market(BTC).state.pending_premium, 0);
	});
}

#[test]
fn what_the_stakers_refuse_of_the_premium_goes_to_the_pool() {
	ExtBuilder::default().build_and_execute(|| {
		frictionless(BTC);
		set_premium_rate(BTC, millionth());
		deposit(ALICE, dollars(10_000));
		trade(ALICE, BTC, UNIT);
		accrue_to_block(11);
		trade(ALICE, BTC, -UNIT);
		let pending = market(BTC).state.pending_premium;
		StakersTake::set(Permill::from_percent(40));
		let taken = Permill::from_percent(40).mul_floor(pending);
		let pool = balance(POOL);
		assert_ok!(Margin::settle_market(RuntimeOrigin::signed(BOB), BTC));
		assert_eq!(balance(POOL), pool + pending - taken);
		System::assert_last_event(
			Event::<Test>::MarketSettled {
				market: BTC,
				to_insurance: 0,
				to_stakers: taken,
				premium_to_stakers: taken,
				to_pool: pending - taken,
			}
			.into(),
		);
		// A sink that refuses outright leaves the premium pending.
		trade(ALICE, BTC, UNIT);
		accrue_to_block(13);
		trade(ALICE, BTC, -UNIT);
		let pending = market(BTC).state.pending_premium;
		assert!(pending > 0);
		SinksFail::set(true);
		assert_ok!(Margin::settle_market(RuntimeOrigin::signed(BOB), BTC));
		assert_eq!(market(BTC).state.pending_premium, pending);
	});
}

#[test]
fn premium_per_block_uses_the_stored_rates() {
	ExtBuilder::default().build_and_execute(|| {
		set_premium_rate(BTC, millionth());
		set_premium_rate(ETH, FixedU128::from_rational(3, 1_000_000));
		deposit(ALICE, dollars(100_000));
		trade(ALICE, BTC, UNIT);
		trade(ALICE, ETH, -3 * UNIT);
		assert_eq!(Margin::premium_per_block(), 0);
		accrue_to_block(2);
		// 50,000 × 1e-6 + 7,500 × 3e-6.
		assert_eq!(Margin::premium_per_block(), dollars(50_000) / 1_000_000 + 22_500);
		// A changed pricer shows only after the next accrual.
		set_premium_rate(BTC, FixedU128::zero());
		assert_eq!(Margin::premium_per_block(), dollars(50_000) / 1_000_000 + 22_500);
		accrue_to_block(3);
		assert_eq!(Margin::premium_per_block(), 22_500);
		let view = Margin::market_premium(ETH).unwrap();
		assert_eq!(view.rate_per_block, FixedU128::from_rational(3, 1_000_000));
		assert_eq!(view.annual_rate, FixedU128::from_rational(3 * 5_256_000, 1_000_000));
		assert_eq!(view.pending_premium, 0);
		assert_eq!(view.premium_index, market(ETH).state.premium_index);
		assert_eq!(Margin::market_premium(42), None);
	});
}

#[test]
fn required_capital_of_a_market_is_the_larger_stressed_side() {
	ExtBuilder::default().build_and_execute(|| {
		deposit(ALICE, dollars(100_000));
		deposit(BOB, dollars(100_000));
		trade(ALICE, BTC, 2 * UNIT);
		trade(BOB, BTC, -UNIT);
		// Default stress 30% less 5% of maintenance, on the longs' 100,000.
		assert_eq!(Margin::required_capital(BTC), dollars(25_000));
		assert_eq!(Margin::market_premium(BTC).unwrap().required_capital, dollars(25_000));
		assert_eq!(Margin::market_premium(BTC).unwrap().stress_move, Permill::from_percent(30));
		assert_ok!(Margin::set_stress_move(RuntimeOrigin::root(), BTC, Permill::from_percent(45)));
		assert_eq!(Margin::required_capital(BTC), dollars(40_000));
		// At or below the maintenance margin a gap leaves no bad debt.
		assert_ok!(Margin::set_stress_move(RuntimeOrigin::root(), BTC, Permill::from_percent(5)));
		assert_eq!(Margin::required_capital(BTC), 0);
		assert_ok!(Margin::set_stress_move(RuntimeOrigin::root(), BTC, Permill::from_percent(1)));
		assert_eq!(Margin::required_capital(BTC), 0);
		assert_eq!(Margin::total_required_capital(), 0);
		assert_eq!(Margin::required_capital(42), 0);
	});
}

#[test]
fn required_capital_rounds_up() {
	ExtBuilder::default().build_and_execute(|| {
		deposit(ALICE, dollars(1_000));
		// Seven millionths of an ETH: 17,500 micro-dollars.
		trade(ALICE, ETH, 7);
		let stress = Permill::from_parts(300_001);
		assert_ok!(Margin::set_stress_move(RuntimeOrigin::root(), ETH, stress));
		// 17,500 × 0.250001 = 4,375.0175.
		assert_eq!(Margin::required_capital(ETH), 4_376);
		assert_eq!(math::stressed_loss(17_500, stress, Permill::from_percent(5)), Some(4_376));
	});
}

#[test]
fn total_required_capital_adds_sides_that_move_together() {
	ExtBuilder::default().build_and_execute(|| {
		deposit(ALICE, dollars(100_000));
		deposit(BOB, dollars(100_000));
		// Longs in both markets: one crash takes both.
		trade(ALICE, BTC, UNIT);
		trade(BOB, ETH, 4 * UNIT);
		assert_eq!(Margin::required_capital(BTC), dollars(12_500));
		assert_eq!(Margin::required_capital(ETH), dollars(2_500));
		assert_eq!(Margin::total_required_capital(), dollars(15_000));
		assert_eq!(Margin::all_required_capital(), dollars(15_000));
	});
}

#[test]
fn total_required_capital_takes_the_worse_direction() {
	ExtBuilder::default().build_and_execute(|| {
		deposit(ALICE, dollars(100_000));
		deposit(BOB, dollars(100_000));
		// Longs in BTC, shorts in ETH: a crash hits one, a squeeze the other,
		// never both at once with correlations at one.
		trade(ALICE, BTC, UNIT);
		trade(BOB, ETH, -4 * UNIT);
		assert_eq!(Margin::required_capital(ETH), dollars(2_500));
		assert_eq!(Margin::total_required_capital(), dollars(12_500));
		// Shorts in ETH worth more: the squeeze is the worse.
		trade(BOB, ETH, -36 * UNIT);
		assert_eq!(Margin::required_capital(ETH), dollars(25_000));
		assert_eq!(Margin::total_required_capital(), dollars(25_000));
	});
}

#[test]
fn set_stress_move_checks_its_input() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(
			Margin::set_stress_move(RuntimeOrigin::signed(ALICE), BTC, Permill::from_percent(40)),
			sp_runtime::DispatchError::BadOrigin
		);
		assert_noop!(
			Margin::set_stress_move(RuntimeOrigin::root(), 42, Permill::from_percent(40)),
			Error::<Test>::UnknownMarket
		);
		assert_noop!(
			Margin::set_stress_move(RuntimeOrigin::root(), BTC, Permill::zero()),
			Error::<Test>::ZeroStressMove
		);
		assert_ok!(Margin::set_stress_move(RuntimeOrigin::root(), BTC, Permill::from_percent(40)));
		System::assert_last_event(
			Event::<Test>::StressMoveSet { market: BTC, stress_move: Permill::from_percent(40) }
				.into(),
		);
		assert_eq!(crate::StressMoves::<Test>::get(BTC), Permill::from_percent(40));
		assert_eq!(crate::StressMoves::<Test>::get(ETH), Permill::from_percent(30));
	});
}

#[test]
fn genesis_sets_stress_moves() {
	ExtBuilder::default().stress_moves(vec![(ETH, Permill::from_percent(50))]).build_and_execute(
		|| {
			assert_eq!(crate::StressMoves::<Test>::get(ETH), Permill::from_percent(50));
			assert_eq!(crate::StressMoves::<Test>::get(BTC), Permill::from_percent(30));
		},
	);
}

#[test]
#[should_panic(expected = "invalid genesis stress move")]
fn genesis_rejects_a_stress_move_of_an_unknown_market() {
	ExtBuilder::default().stress_moves(vec![(42, Permill::from_percent(50))]).build();
}

#[test]
#[should_panic(expected = "invalid genesis stress move")]
fn genesis_rejects_a_stress_move_of_zero() {
	ExtBuilder::default().stress_moves(vec![(BTC, Permill::zero())]).build();
}

#[derive(Clone, Debug)]
enum Op {
	/// Trader, ETH (else BTC), size in hundredths of a unit.
	Trade(usize, bool, i32),
	/// ETH (else BTC), move in basis points.
	Move(bool, i32),
	Advance(u8),
	Withdraw(usize, u32),
	Liquidate(usize),
	Settle(bool),
	/// ETH (else BTC), premium rate in millionths per block.
	Rate(bool, u16),
	Halt(bool, bool),
}

const TRADERS: [u64; 4] = [ALICE, BOB, CHARLIE, DAVE];

fn op() -> impl Strategy<Value = Op> {
	prop_oneof![
		5 => (0..4usize, any::<bool>(), -100..100i32).prop_map(|(t, e, s)| Op::Trade(t, e, s)),
		2 => (any::<bool>(), -1_500..1_500i32).prop_map(|(e, m)| Op::Move(e, m)),
		3 => (1..30u8).prop_map(Op::Advance),
		1 => (0..4usize, 1..5_000u32).prop_map(|(t, a)| Op::Withdraw(t, a)),
		1 => (0..4usize).prop_map(Op::Liquidate),
		1 => any::<bool>().prop_map(Op::Settle),
		1 => (any::<bool>(), 0..2_000u16).prop_map(|(e, r)| Op::Rate(e, r)),
		1 => (any::<bool>(), any::<bool>()).prop_map(|(e, h)| Op::Halt(e, h)),
	]
}

fn market_of(eth: bool) -> (MarketId, backstop_primitives::OracleAssetId) {
	if eth {
		(ETH, ETH_ASSET)
	} else {
		(BTC, BTC_ASSET)
	}
}

fn apply(op: &Op) {
	let signed = |t: usize| RuntimeOrigin::signed(TRADERS[t]);
	match *op {
		Op::Trade(t, eth, hundredths) => {
			let delta = i128::from(hundredths) * UNIT / 100;
			let _ = Margin::trade(signed(t), market_of(eth).0, delta, any_price(delta));
		},
		Op::Move(eth, bps) => {
			let (id, asset) = market_of(eth);
			let price = market(id).state.last_price;
			let step =
				price.saturating_mul(Price::from_rational(bps.unsigned_abs().into(), 10_000));
			let moved =
				if bps >= 0 { price.saturating_add(step) } else { price.saturating_sub(step) };
			set_price(asset, moved);
			Markets::<Test>::mutate(id, |m| {
				if let Some(m) = m {
					m.state.last_price = moved;
				}
			});
		},
		Op::Advance(blocks) => run_to_block(System::block_number() + u64::from(blocks)),
		Op::Withdraw(t, amount) => {
			let _ = Margin::withdraw(signed(t), dollars(amount.into()));
		},
		Op::Liquidate(t) => {
			let _ = Margin::liquidate(RuntimeOrigin::signed(KEEPER), TRADERS[t]);
		},
		Op::Settle(eth) => {
			let _ = Margin::settle_market(RuntimeOrigin::signed(KEEPER), market_of(eth).0);
		},
		Op::Rate(eth, millionths) => {
			set_premium_rate(
				market_of(eth).0,
				FixedU128::from_rational(millionths.into(), 1_000_000),
			);
		},
		Op::Halt(eth, halt) => {
			let status = if halt { MarketStatus::Halted } else { MarketStatus::Active };
			let _ = Margin::set_market_status(RuntimeOrigin::root(), market_of(eth).0, status);
		},
	}
}

fn pending_premium() -> Balance {
	[BTC, ETH].iter().map(|id| market(*id).state.pending_premium).sum()
}

/// What settlements took out of `pending_premium`: offered to the stakers'
/// sink, which kept its share and left the rest to the pool.
fn premium_offered() -> Balance {
	sink_offers()
		.into_iter()
		.filter(|(who, _, kind, _)| *who == STAKERS && *kind == RevenueKind::BackstopPremium)
		.map(|(_, _, _, offered)| offered)
		.sum()
}

fn premium_received_by_stakers() -> Balance {
	sink_receipts()
		.into_iter()
		.filter(|(who, _, kind, _)| *who == STAKERS && *kind == RevenueKind::BackstopPremium)
		.map(|(_, _, _, taken)| taken)
		.sum()
}

proptest! {
	#![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

	/// Over random trades, price moves, blocks, rate changes, halts,
	/// withdrawals, liquidations and settlements: every unit of premium
	/// taken from a trader is either pending or was flushed to the stakers'
	/// sink (`Σ charged == Σ pending + Σ flushed`, the sink keeping its share
	/// and leaving the rest to the pool); the events report exactly what the
	/// sink kept; no snapshot runs ahead of its index; money
	/// is only moved; the invariants hold after every step.
	#[test]
	fn premium_is_conserved(
		ops in proptest::collection::vec(op(), 1..50),
		takes in 0..=100u32,
	) {
		ExtBuilder::default().build().execute_with(|| {
			StakersTake::set(Permill::from_percent(takes));
			set_premium_rate(BTC, FixedU128::from_rational(20, 1_000_000));
			set_premium_rate(ETH, FixedU128::from_rational(50, 1_000_000));
			for who in TRADERS {
				deposit(who, dollars(20_000));
			}
			let issuance = Balances::total_issuance();
			for op in ops.iter() {
				apply(op);
				let charged = all_premium_settled();
				prop_assert_eq!(charged, pending_premium() + premium_offered(), "after {:?}", op);
				prop_assert_eq!(premium_received_by_stakers(), premium_flushed());
				prop_assert!(Margin::do_try_state().is_ok(), "invariants after {:?}", op);
				prop_assert_eq!(Balances::total_issuance(), issuance);
				for who in TRADERS {
					if let Some(p) = position(who, BTC) {
						prop_assert!(p.premium_index <= market(BTC).state.premium_index);
					}
				}
			}
			Ok(())
		})?;
	}
}
