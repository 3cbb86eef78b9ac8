//! Liquidation, bad debt and the automatic sweep.

use super::*;
use backstop_primitives::{LossTier, PriceUnavailable};
use frame_support::{
	assert_noop, assert_ok,
	traits::{fungible::Mutate, Hooks},
	weights::Weight,
};
use sp_arithmetic::Permill;

fn liquidate(by: u64, who: u64) -> frame_support::dispatch::DispatchResultWithPostInfo {
	Margin::liquidate(RuntimeOrigin::signed(by), who)
}

/// Alice: 10,000 deposited, long 1 BTC at 50,000 (fee 50).
fn alice_long_one_btc() {
	deposit(ALICE, dollars(10_000));
	trade(ALICE, BTC, UNIT);
}

#[test]
fn liquidatable_exactly_below_maintenance() {
	ExtBuilder::default().build_and_execute(|| {
		set_params(BTC, |p| p.trading_fee = Permill::zero());
		deposit(ALICE, dollars(12_000));
		trade(ALICE, BTC, UNIT);
		// At 40,000: equity 12,000 - 10,000 = 2,000 = 5% of 40,000.
		set_price(BTC_ASSET, usd(40_000));
		let health = Margin::account_health(&ALICE).unwrap();
		assert_eq!(health.equity, dollars(2_000) as i128);
		assert_eq!(health.maintenance_requirement, dollars(2_000));
		assert!(!health.liquidatable);
		assert_eq!(Margin::is_liquidatable(&ALICE), Ok(false));
		assert_noop!(liquidate(KEEPER, ALICE), Error::<Test>::NotLiquidatable);
		// One step of price below: equity falls by a rounded-down unit while
		// the requirement rounds up to the same 2,000.
		set_price(BTC_ASSET, Price::from_inner(usd(40_000).into_inner() - 1));
		let health = Margin::account_health(&ALICE).unwrap();
		assert_eq!(health.equity, dollars(2_000) as i128 - 1);
		assert_eq!(health.maintenance_requirement, dollars(2_000));
		assert!(health.liquidatable);
		assert_eq!(Margin::is_liquidatable(&ALICE), Ok(true));
		assert_ok!(liquidate(KEEPER, ALICE));
		assert_eq!(position(ALICE, BTC), None);
	});
}

#[test]
fn solvent_liquidation_pays_reward_and_penalty_from_equity() {
	ExtBuilder::default().build_and_execute(|| {
		alice_long_one_btc();
		// Equity 950 against a maintenance requirement of 2,050.
		set_price(BTC_ASSET, usd(41_000));
		assert_ok!(liquidate(KEEPER, ALICE));
		System::assert_has_event(
			Event::<Test>::PositionLiquidated {
				who: ALICE,
				market: BTC,
				size: UNIT,
				price: usd(41_000),
				realized_pnl: -(dollars(9_000) as i128),
				funding: 0,
				penalty: dollars(410),
			}
			.into(),
		);
		System::assert_last_event(
			Event::<Test>::Liquidated {
				who: ALICE,
				liquidator: Some(KEEPER),
				equity: dollars(950) as i128,
				maintenance_requirement: dollars(2_050),
				reward: dollars(205),
				penalty: dollars(410),
				bad_debt: 0,
			}
			.into(),
		);
		assert_eq!(collateral(ALICE), dollars(335));
		assert_eq!(position(ALICE, BTC), None);
		assert_eq!(collateral(KEEPER), dollars(205));
		let state = market(BTC).state;
		assert_eq!((state.long_open_interest, state.locked), (0, 0));
		assert_eq!(state.pending_release, dollars(50_000));
		assert_eq!(state.pending_penalties, dollars(410));
		assert_eq!(state.pool_receivable, dollars(35 + 9_000));
		assert!(waterfall_calls().is_empty());
		// The penalty reaches the insurance fund at the next settlement.
		run_to_block(2);
		assert!(sink_receipts().contains(&(
			INSURANCE,
			BTC,
			backstop_primitives::RevenueKind::LiquidationPenalty,
			dollars(410)
		)));
	});
}

#[test]
fn fees_never_take_more_than_the_remaining_equity() {
	ExtBuilder::default().build_and_execute(|| {
		alice_long_one_btc();
		// Equity 350: the reward (202) first, then 148 of the 404 penalty.
		set_price(BTC_ASSET, usd(40_400));
		assert_ok!(liquidate(KEEPER, ALICE));
		System::assert_last_event(
			Event::<Test>::Liquidated {
				who: ALICE,
				liquidator: Some(KEEPER),
				equity: dollars(350) as i128,
				maintenance_requirement: dollars(2_020),
				reward: dollars(202),
				penalty: dollars(148),
				bad_debt: 0,
			}
			.into(),
		);
		assert!(!Accounts::<Test>::contains_key(ALICE));
		assert!(waterfall_calls().is_empty());
	});
}

#[test]
fn bad_debt_goes_to_the_waterfall_and_the_rest_becomes_a_deficit() {
	ExtBuilder::default().build_and_execute(|| {
		alice_long_one_btc();
		WaterfallCover::set(dollars(2_000));
		let waterfall_before = balance(WATERFALL);
		// Equity 9,950 - 15,000 = -5,050.
		set_price(BTC_ASSET, usd(35_000));
		assert_eq!(equity(ALICE), -(dollars(5_050) as i128));
		assert_ok!(liquidate(KEEPER, ALICE));
		// The waterfall was asked for exactly the bad debt.
		assert_eq!(waterfall_calls(), vec![(BTC, dollars(5_050), dollars(2_000))]);
		assert_eq!(balance(WATERFALL), waterfall_before - dollars(2_000));
		for event in [
			Event::<Test>::BadDebtReferred { market: BTC, account: ALICE, amount: dollars(5_050) },
			Event::<Test>::BadDebtCovered {
				market: BTC,
				covered: dollars(2_000),
				uncovered: dollars(3_050),
			},
			Event::<Test>::DeficitRecorded {
				market: BTC,
				amount: dollars(3_050),
				total: dollars(3_050),
				next_tier: LossTier::AutoDeleveraging,
			},
			Event::<Test>::MarketStatusChanged { market: BTC, status: MarketStatus::ReduceOnly },
		] {
			System::assert_has_event(event.into());
		}
		System::assert_last_event(
			Event::<Test>::Liquidated {
				who: ALICE,
				liquidator: Some(KEEPER),
				equity: -(dollars(5_050) as i128),
				maintenance_requirement: dollars(1_750),
				reward: 0,
				penalty: 0,
				bad_debt: dollars(5_050),
			}
			.into(),
		);
		assert!(!Accounts::<Test>::contains_key(ALICE));
		assert!(!Accounts::<Test>::contains_key(KEEPER));
		let info = market(BTC);
		assert_eq!(info.status, MarketStatus::ReduceOnly);
		assert_eq!(info.state.deficit, dollars(3_050));
		// The collateral and what the waterfall paid are owed to the pool.
		assert_eq!(info.state.pool_receivable, dollars(35 + 9_950 + 2_000));
		// A second deficit adds up.
		deposit(BOB, dollars(10_000));
		trade(BOB, ETH, 10 * UNIT);
		assert_ok!(Margin::set_market_status(RuntimeOrigin::root(), BTC, MarketStatus::Active));
		set_params(ETH, |p| p.trading_fee = Permill::zero());
		set_price(ETH_ASSET, usd(1_000));
		assert_ok!(liquidate(KEEPER, BOB));
		assert_eq!(market(ETH).state.deficit, dollars(5_025) - dollars(2_000));
	});
}

#[test]
fn a_fully_covered_shortfall_leaves_the_market_active() {
	ExtBuilder::default().build_and_execute(|| {
		alice_long_one_btc();
		WaterfallCover::set(dollars(1_000_000));
		set_price(BTC_ASSET, usd(35_000));
		assert_ok!(liquidate(KEEPER, ALICE));
		System::assert_has_event(
			Event::<Test>::BadDebtCovered { market: BTC, covered: dollars(5_050), uncovered: 0 }
				.into(),
		);
		assert_eq!(market(BTC).status, MarketStatus::Active);
		assert_eq!(market(BTC).state.deficit, 0);
		assert!(!margin_events()
			.iter()
			.any(|e| matches!(e, Event::<Test>::DeficitRecorded { .. })));
	});
}

#[test]
fn bad_debt_is_booked_to_the_largest_losing_market() {
	ExtBuilder::default().build_and_execute(|| {
		deposit(ALICE, dollars(10_000));
		trade(ALICE, BTC, UNIT);
		trade(ALICE, ETH, 10 * UNIT);
		// BTC loses 10,000, ETH 5,000; equity 9,925 - 15,000.
		set_price(BTC_ASSET, usd(40_000));
		set_price(ETH_ASSET, usd(2_000));
		assert_ok!(liquidate(KEEPER, ALICE));
		assert_eq!(waterfall_calls(), vec![(BTC, dollars(5_075), 0)]);
		assert_eq!(market(BTC).state.deficit, dollars(5_075));
		assert_eq!(market(BTC).status, MarketStatus::ReduceOnly);
		assert_eq!(market(ETH).state.deficit, 0);
		assert_eq!(market(ETH).status, MarketStatus::Active);
		// The smaller loss was taken in full, the larger one last.
		assert_eq!(market(ETH).state.pool_receivable, dollars(5_000) + dollars(17) + DOLLARS / 2);
		assert_eq!(market(BTC).state.pool_receivable, dollars(35 + 4_925));
	});
}

#[test]
fn profits_are_paid_before_losses_are_taken() {
	ExtBuilder::default().build_and_execute(|| {
		deposit(ALICE, dollars(10_000));
		trade(ALICE, BTC, UNIT);
		trade(ALICE, ETH, 10 * UNIT);
		set_price(BTC_ASSET, usd(52_000));
		set_price(ETH_ASSET, usd(1_300));
		// 9,925 + 2,000 - 12,000 = -75.
		assert_ok!(liquidate(KEEPER, ALICE));
		assert_eq!(waterfall_calls(), vec![(ETH, dollars(75), 0)]);
		assert!(pool_calls().contains(&PoolCall::Pay(BTC, dollars(1_965))));
		assert_eq!(market(ETH).state.pool_receivable, dollars(17) + DOLLARS / 2 + dollars(11_925));
	});
}

#[test]
fn healthy_or_empty_accounts_cannot_be_liquidated() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(liquidate(KEEPER, ALICE), Error::<Test>::NotLiquidatable);
		deposit(ALICE, dollars(10_000));
		assert_noop!(liquidate(KEEPER, ALICE), Error::<Test>::NotLiquidatable);
		trade(ALICE, BTC, UNIT);
		assert_noop!(liquidate(KEEPER, ALICE), Error::<Test>::NotLiquidatable);
		assert_noop!(
			Margin::liquidate(RuntimeOrigin::none(), ALICE),
			sp_runtime::DispatchError::BadOrigin
		);
	});
}

#[test]
fn a_stale_price_is_never_used_to_liquidate() {
	ExtBuilder::default().build_and_execute(|| {
		alice_long_one_btc();
		set_price(BTC_ASSET, usd(41_000));
		for (reason, error) in [
			(PriceUnavailable::Stale, Error::<Test>::PriceStale),
			(PriceUnavailable::CircuitBreakerHeld, Error::<Test>::PriceHeld),
			(PriceUnavailable::NoPrice, Error::<Test>::PriceUnavailable),
		] {
			set_price_unavailable(BTC_ASSET, reason);
			assert_noop!(liquidate(KEEPER, ALICE), error);
		}
		// Nor by the sweep.
		run_to_block(5);
		assert_eq!(size(ALICE, BTC), UNIT);
		set_price(BTC_ASSET, usd(41_000));
		assert_ok!(liquidate(KEEPER, ALICE));
	});
}

#[test]
fn halted_markets_freeze_liquidations() {
	ExtBuilder::default().build_and_execute(|| {
		alice_long_one_btc();
		set_price(BTC_ASSET, usd(41_000));
		assert_ok!(Margin::set_market_status(RuntimeOrigin::root(), BTC, MarketStatus::Halted));
		assert_noop!(liquidate(KEEPER, ALICE), Error::<Test>::MarketHalted);
		// Reduce-only markets still liquidate.
		assert_ok!(Margin::set_market_status(RuntimeOrigin::root(), BTC, MarketStatus::ReduceOnly));
		assert_ok!(liquidate(KEEPER, ALICE));
	});
}

#[test]
fn a_waterfall_that_pays_less_than_it_claims_is_not_believed() {
	ExtBuilder::default().build_and_execute(|| {
		alice_long_one_btc();
		WaterfallCover::set(dollars(2_000));
		WaterfallShortPays::set(dollars(500));
		set_price(BTC_ASSET, usd(35_000));
		assert_ok!(liquidate(KEEPER, ALICE));
		System::assert_has_event(
			Event::<Test>::BadDebtCovered {
				market: BTC,
				covered: dollars(1_500),
				uncovered: dollars(3_550),
			}
			.into(),
		);
		assert_eq!(market(BTC).state.deficit, dollars(3_550));
	});
}

#[test]
fn self_liquidation_keeps_the_reward() {
	ExtBuilder::default().build_and_execute(|| {
		alice_long_one_btc();
		set_price(BTC_ASSET, usd(41_000));
		assert_ok!(liquidate(ALICE, ALICE));
		assert_eq!(collateral(ALICE), dollars(335 + 205));
	});
}

#[test]
fn liquidate_refunds_weight_by_outcome() {
	ExtBuilder::default().build_and_execute(|| {
		alice_long_one_btc();
		set_price(BTC_ASSET, usd(41_000));
		let info = liquidate(KEEPER, ALICE).unwrap();
		assert_eq!(info.actual_weight, Some(<() as crate::WeightInfo>::liquidate_one_position()));
	});
}

#[test]
fn the_sweep_liquidates_without_a_reward() {
	ExtBuilder::default().build_and_execute(|| {
		alice_long_one_btc();
		deposit(BOB, dollars(100_000));
		trade(BOB, BTC, UNIT);
		set_price(BTC_ASSET, usd(41_000));
		Margin::on_idle(1, Weight::MAX);
		assert_eq!(position(ALICE, BTC), None);
		assert_eq!(size(BOB, BTC), UNIT);
		System::assert_has_event(
			Event::<Test>::Liquidated {
				who: ALICE,
				liquidator: None,
				equity: dollars(950) as i128,
				maintenance_requirement: dollars(2_050),
				reward: 0,
				penalty: dollars(410),
				bad_debt: 0,
			}
			.into(),
		);
		assert_eq!(collateral(ALICE), dollars(540));
	});
}

#[test]
fn the_sweep_is_bounded_and_resumes_from_its_cursor() {
	ExtBuilder::default().build_and_execute(|| {
		let victims: Vec<u64> = (10..16).collect();
		for who in victims.iter() {
			assert_ok!(Balances::mint_into(who, dollars(20_000)));
			deposit(*who, dollars(10_000));
			trade(*who, BTC, UNIT);
		}
		set_price(BTC_ASSET, usd(41_000));
		let liquidated = || {
			margin_events().iter().filter(|e| matches!(e, Event::<Test>::Liquidated { .. })).count()
		};
		// No weight, no work.
		assert_eq!(Margin::on_idle(2, Weight::zero()), Weight::zero());
		assert_eq!(liquidated(), 0);
		Margin::on_idle(2, Weight::MAX);
		assert_eq!(liquidated(), 4);
		assert!(LiquidationCursor::<Test>::get().is_some());
		Margin::on_idle(3, Weight::MAX);
		assert_eq!(liquidated(), 6);
		assert!(LiquidationCursor::<Test>::get().is_none());
		for who in victims {
			assert_eq!(position(who, BTC), None);
		}
	});
}
