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
				remaining: 0,
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
		assert_eq!((state.long_open_interest, state.long_cost, state.funding_basis), (0, 0, 0));
		// The reservation follows the open interest down at the next
		// settlement: the liquidation itself does not call the pool.
		assert_eq!(reserved(BTC), dollars(25_000));
		assert!(state.reserve_stale);
		assert_eq!(state.pending_penalties, dollars(410));
		assert_eq!(state.pool_receivable, dollars(35 + 9_000));
		assert!(waterfall_calls().is_empty());
		// The penalty reaches the insurance fund at the next settlement.
		run_to_block(2);
		assert_eq!(reserved(BTC), 0);
		assert!(!market(BTC).state.reserve_stale);
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
				written_off: 0,
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
		// A market with a deficit cannot be reopened.
		assert_noop!(
			Margin::set_market_status(RuntimeOrigin::root(), BTC, MarketStatus::Active),
			Error::<Test>::DeficitPending
		);
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
			Event::<Test>::BadDebtCovered {
				market: BTC,
				covered: dollars(5_050),
				written_off: 0,
				uncovered: 0,
			}
			.into(),
		);
		assert_eq!(market(BTC).status, MarketStatus::Active);
		assert_eq!(market(BTC).state.deficit, 0);
		assert!(!margin_events()
			.iter()
			.any(|e| matches!(e, Event::<Test>::DeficitRecorded { .. })));
		// The pool was not asked to write anything off.
		assert!(!pool_calls().iter().any(|c| matches!(c, PoolCall::AbsorbLoss(..))));
	});
}

#[test]
fn bad_debt_is_split_across_the_losing_markets_pro_rata() {
	ExtBuilder::default().build_and_execute(|| {
		deposit(ALICE, dollars(10_000));
		trade(ALICE, BTC, UNIT);
		trade(ALICE, ETH, 10 * UNIT);
		// BTC loses 10,000, ETH 5,000; equity 9,925 - 15,000 = -5,075.
		set_price(BTC_ASSET, usd(40_000));
		set_price(ETH_ASSET, usd(2_000));
		assert_ok!(liquidate(KEEPER, ALICE));
		// Two thirds and one third; the unit of rounding to the larger loser.
		let btc = 3_383_333_334;
		let eth = 1_691_666_666;
		assert_eq!(btc + eth, dollars(5_075));
		assert_eq!(waterfall_calls(), vec![(BTC, btc, 0), (ETH, eth, 0)]);
		for (id, share) in [(BTC, btc), (ETH, eth)] {
			System::assert_has_event(
				Event::<Test>::BadDebtReferred { market: id, account: ALICE, amount: share }.into(),
			);
			System::assert_has_event(
				Event::<Test>::BadDebtCovered {
					market: id,
					covered: 0,
					written_off: 0,
					uncovered: share,
				}
				.into(),
			);
			assert_eq!(market(id).state.deficit, share);
			assert_eq!(market(id).status, MarketStatus::ReduceOnly);
		}
		System::assert_has_event(
			Event::<Test>::Liquidated {
				who: ALICE,
				liquidator: Some(KEEPER),
				equity: -(dollars(5_075) as i128),
				maintenance_requirement: dollars(3_000),
				reward: 0,
				penalty: 0,
				bad_debt: dollars(5_075),
			}
			.into(),
		);
		// Each market's receivable gets what the collateral paid for it.
		assert_eq!(market(BTC).state.pool_receivable, dollars(35) + dollars(10_000) - btc);
		assert_eq!(
			market(ETH).state.pool_receivable,
			dollars(17) + DOLLARS / 2 + dollars(5_000) - eth
		);
	});
}

#[test]
fn profitable_legs_offset_losing_legs_without_the_pool() {
	ExtBuilder::default().build_and_execute(|| {
		deposit(ALICE, dollars(10_000));
		trade(ALICE, BTC, UNIT);
		trade(ALICE, ETH, 10 * UNIT);
		set_price(BTC_ASSET, usd(52_000));
		set_price(ETH_ASSET, usd(1_300));
		// BTC +2,000, ETH -12,000, collateral 9,925: 75 of bad debt, all in
		// ETH; the BTC profit covers 2,000 of the ETH loss and the pool,
		// although it has no cash at all, is asked for nothing.
		set_pool_cash(0);
		assert_ok!(liquidate(KEEPER, ALICE));
		assert!(pool_payments().is_empty());
		assert_eq!(waterfall_calls(), vec![(ETH, dollars(75), 0)]);
		assert_eq!(market(BTC).state.pool_receivable, dollars(35));
		assert_eq!(market(ETH).state.pool_receivable, dollars(17) + DOLLARS / 2 + dollars(9_925));
		assert_eq!(market(ETH).state.deficit, dollars(75));
		assert_eq!(market(BTC).state.deficit, 0);
		assert_eq!(market(BTC).status, MarketStatus::Active);
		System::assert_has_event(
			Event::<Test>::PositionLiquidated {
				who: ALICE,
				market: BTC,
				size: UNIT,
				remaining: 0,
				price: usd(52_000),
				realized_pnl: dollars(2_000) as i128,
				funding: 0,
				penalty: 0,
			}
			.into(),
		);
	});
}

#[test]
fn only_a_net_profit_is_asked_of_the_pool() {
	ExtBuilder::default().build_and_execute(|| {
		// 7,500 of collateral exactly backs 1 BTC long and 10 ETH short.
		deposit(ALICE, dollars(7_575));
		trade(ALICE, BTC, UNIT);
		trade(ALICE, ETH, -10 * UNIT);
		// BTC +100,000, ETH -95,000: equity 12,500 below the 13,500 of
		// maintenance on the grown notional, yet net in profit.
		set_price(BTC_ASSET, usd(150_000));
		set_price(ETH_ASSET, usd(12_000));
		assert_eq!(equity(ALICE), dollars(12_500) as i128);
		assert_eq!(Margin::is_liquidatable(&ALICE), Ok(true));
		// The pool holds 35 in BTC's receivable; it must pay the other 4,965.
		set_pool_cash(dollars(4_965) - 1);
		assert_noop!(liquidate(KEEPER, ALICE), Error::<Test>::LiquidityPaymentFailed);
		set_pool_cash(dollars(4_965));
		assert_ok!(liquidate(KEEPER, ALICE));
		assert_eq!(pool_payments(), vec![(BTC, dollars(4_965))]);
		assert_eq!(pool_cash(), 0);
		// Nothing of the ETH loss is booked: the BTC profit paid it.
		assert_eq!(market(ETH).state.pool_receivable, dollars(25) * 7 / 10);
		// 12,500 less the reward (0.5% of 270,000) and the penalties (1%).
		assert_eq!(collateral(ALICE), dollars(12_500 - 1_350 - 2_700));
		assert_eq!(collateral(KEEPER), dollars(1_350));
	});
}

#[test]
fn liquidations_never_wait_for_the_pool_s_reservation() {
	ExtBuilder::default().build_and_execute(|| {
		deposit(ALICE, dollars(10_000));
		deposit(BOB, dollars(150_000));
		trade(ALICE, BTC, -UNIT);
		trade(BOB, BTC, -9 * UNIT);
		// 10 BTC at 50,000 need 250,000 reserved: the whole credit cap.
		CreditCap::set(dollars(250_000));
		assert_eq!(reserved(BTC), dollars(250_000));
		// At 59,000 the 9 BTC left would need 265,500: more than the cap.
		set_price(BTC_ASSET, usd(59_000));
		assert_ok!(liquidate(KEEPER, ALICE));
		assert_eq!(position(ALICE, BTC), None);
		assert_eq!(reserved(BTC), dollars(250_000));
		// And with no free cash at all, an opening trade is refused while a
		// reducing one goes through.
		set_pool_cash(dollars(250_000));
		CreditCap::set(dollars(1_000_000_000));
		assert_noop!(
			Margin::trade(RuntimeOrigin::signed(BOB), BTC, -UNIT, Price::zero()),
			Error::<Test>::InsufficientLiquidity
		);
		assert_ok!(Margin::trade(RuntimeOrigin::signed(BOB), BTC, UNIT, Price::max_value()));
	});
}

#[test]
fn bad_debt_runs_down_the_waterfall_then_the_pool_s_write_off() {
	ExtBuilder::default().build_and_execute(|| {
		alice_long_one_btc();
		WaterfallCover::set(dollars(2_000));
		LossCap::set(dollars(1_000));
		set_price(BTC_ASSET, usd(35_000));
		let cash = pool_cash();
		assert_ok!(liquidate(KEEPER, ALICE));
		System::assert_has_event(
			Event::<Test>::BadDebtCovered {
				market: BTC,
				covered: dollars(2_000),
				written_off: dollars(1_000),
				uncovered: dollars(2_050),
			}
			.into(),
		);
		assert!(pool_calls().contains(&PoolCall::AbsorbLoss(BTC, dollars(3_050), dollars(1_000))));
		// A write-off moves no money and books nothing.
		assert_eq!(pool_cash(), cash);
		assert_eq!(market(BTC).state.pool_receivable, dollars(35 + 9_950 + 2_000));
		assert_eq!(market(BTC).state.deficit, dollars(2_050));
		// The next shortfall in BTC finds the market's loss cap used up. The
		// market reopens only once someone has covered its deficit.
		assert_noop!(
			Margin::set_market_status(RuntimeOrigin::root(), BTC, MarketStatus::Active),
			Error::<Test>::DeficitPending
		);
		cover_and_reopen(BTC);
		WaterfallCover::set(0);
		for (who, written_off) in [(CHARLIE, 0), (DAVE, dollars(5_050))] {
			if who == DAVE {
				// Governance raised the cap.
				LossCap::set(dollars(1_000_000));
				cover_and_reopen(BTC);
			}
			set_price(BTC_ASSET, usd(50_000));
			deposit(who, dollars(10_000));
			trade(who, BTC, UNIT);
			set_price(BTC_ASSET, usd(35_000));
			assert_ok!(liquidate(KEEPER, who));
			System::assert_has_event(
				Event::<Test>::BadDebtCovered {
					market: BTC,
					covered: 0,
					written_off,
					uncovered: dollars(5_050) - written_off,
				}
				.into(),
			);
		}
		assert_eq!(pool_losses().get(&BTC), Some(&dollars(6_050)));
		// Dave's shortfall was written off in full: no deficit is left.
		assert_eq!(market(BTC).state.deficit, 0);
		assert!(!Deleveraging::<Test>::contains_key(BTC));
	});
}

/// A donor pays the whole deficit of `id`, which governance then reopens.
fn cover_and_reopen(id: MarketId) {
	let deficit = market(id).state.deficit;
	<Balances as frame_support::traits::fungible::Mutate<u64>>::mint_into(&DONOR, deficit + ED)
		.unwrap();
	assert_ok!(Margin::cover_deficit(RuntimeOrigin::signed(DONOR), id, deficit));
	assert_eq!(market(id).state.deficit, 0);
	assert_ok!(Margin::set_market_status(RuntimeOrigin::root(), id, MarketStatus::Active));
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
fn without_a_fresh_price_the_last_seen_price_is_marked_against_the_account() {
	ExtBuilder::default().build_and_execute(|| {
		alice_long_one_btc();
		// The oracle says 41,000, but the pallet last saw 50,000 (the trade)
		// and the oracle then cannot vouch for a price: the long is marked at
		// 47,500 (5% below what the pallet saw), where Alice is healthy. The
		// unvouched price is never used.
		set_price(BTC_ASSET, usd(41_000));
		for reason in [
			PriceUnavailable::Stale,
			PriceUnavailable::CircuitBreakerHeld,
			PriceUnavailable::NoPrice,
		] {
			set_price_unavailable(BTC_ASSET, reason);
			assert_noop!(liquidate(KEEPER, ALICE), Error::<Test>::NotLiquidatable);
		}
		// Nor by the sweep.
		run_to_block(5);
		assert_eq!(size(ALICE, BTC), UNIT);
		set_price(BTC_ASSET, usd(41_000));
		assert_ok!(liquidate(KEEPER, ALICE));
	});
}

#[test]
fn a_halted_market_still_liquidates() {
	ExtBuilder::default().build_and_execute(|| {
		alice_long_one_btc();
		set_price(BTC_ASSET, usd(41_000));
		assert_ok!(Margin::set_market_status(RuntimeOrigin::root(), BTC, MarketStatus::Halted));
		assert_ok!(liquidate(KEEPER, ALICE));
		assert_eq!(position(ALICE, BTC), None);
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
				written_off: 0,
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
		// The sweep alone (`on_initialize` accrues funding first).
		Margin::sweep_liquidations();
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
		// No budget, no work (a budget governance could not set).
		SweepBudget::<Test>::put(Weight::zero());
		Margin::on_initialize(2);
		assert_eq!(liquidated(), 0);
		// The idle hook no longer sweeps.
		SweepBudget::<Test>::kill();
		Margin::on_idle(2, Weight::MAX);
		assert_eq!(liquidated(), 0);
		// `MaxSweepAccounts` (4) per block, resumed from the cursor.
		Margin::on_initialize(2);
		assert_eq!(liquidated(), 4);
		assert!(LiquidationCursor::<Test>::get().is_some());
		Margin::on_initialize(3);
		assert_eq!(liquidated(), 6);
		assert!(LiquidationCursor::<Test>::get().is_some());
		for who in victims {
			assert_eq!(position(who, BTC), None);
		}
	});
}

#[test]
fn liquidation_credits_mature_under_the_warmup() {
	ExtBuilder::default().warmup(dollars(100), 10).build_and_execute(|| {
		// A net profit left to the liquidated account and the keeper's
		// reward are realised profit like any other.
		deposit(ALICE, dollars(7_575));
		trade(ALICE, BTC, UNIT);
		trade(ALICE, ETH, -10 * UNIT);
		set_price(BTC_ASSET, usd(150_000));
		set_price(ETH_ASSET, usd(12_000));
		assert_ok!(liquidate(KEEPER, ALICE));
		// Alice keeps 8,450 of the 7,500 she had: 950 more, locked.
		System::assert_has_event(
			Event::<Test>::ProfitLocked {
				who: ALICE,
				amount: dollars(950),
				locked: dollars(950),
				matures_at: 11,
			}
			.into(),
		);
		System::assert_has_event(
			Event::<Test>::ProfitLocked {
				who: KEEPER,
				amount: dollars(1_350),
				locked: dollars(1_350),
				matures_at: 11,
			}
			.into(),
		);
		assert_eq!(Margin::withdrawable(&KEEPER).unwrap().withdrawable, 0);
		assert_eq!(Margin::withdrawable(&ALICE).unwrap().withdrawable, dollars(7_500));
	});
}

#[test]
fn a_profitable_leg_and_two_insolvent_legs_net_and_split_the_bad_debt() {
	ExtBuilder::default().build_and_execute(|| {
		// A third market on feed 2, at 100 dollars.
		set_price(2, usd(100));
		assert_ok!(Margin::create_market(
			RuntimeOrigin::root(),
			2,
			MarketParams { oracle_asset: 2, ..btc_params() }
		));
		deposit(ALICE, dollars(10_000));
		trade(ALICE, BTC, UNIT);
		trade(ALICE, ETH, 10 * UNIT);
		trade(ALICE, 2, 100 * UNIT);
		// BTC +3,000; ETH -10,000 and market 2 -6,000 against 9,915 of
		// collateral: 3,085 of bad debt, split 10 : 6.
		set_price(BTC_ASSET, usd(53_000));
		set_price(ETH_ASSET, usd(1_500));
		set_price(2, usd(40));
		// The pool has no cash: it is asked for nothing.
		set_pool_cash(0);
		assert_ok!(liquidate(KEEPER, ALICE));
		assert!(pool_payments().is_empty());
		assert_eq!(waterfall_calls(), vec![(ETH, 1_928_125_000, 0), (2, 1_156_875_000, 0)]);
		assert_eq!(market(ETH).state.deficit, 1_928_125_000);
		assert_eq!(market(2).state.deficit, 1_156_875_000);
		assert_eq!(market(BTC).state.deficit, 0);
		// The collateral paid for the losses the BTC profit did not cover,
		// split between the losing markets.
		assert_eq!(market(BTC).state.pool_receivable, dollars(35));
		assert_eq!(market(ETH).state.pool_receivable, dollars(17) + DOLLARS / 2 + 6_196_875_000);
		assert_eq!(market(2).state.pool_receivable, dollars(7) + 3_718_125_000);
		System::assert_has_event(
			Event::<Test>::Liquidated {
				who: ALICE,
				liquidator: Some(KEEPER),
				equity: -3_085_000_000,
				maintenance_requirement: dollars(2_650 + 750 + 200),
				reward: 0,
				penalty: 0,
				bad_debt: dollars(3_085),
			}
			.into(),
		);
	});
}

/// Alice long 1 BTC from 50,000, liquidated by the keeper at 35,000 with
/// bad debt of 5,050, while the mock insurance fund holds `insurance` and
/// pays at most 100 per liquidation.
fn insolvent_liquidation(by: u64, insurance: Balance) {
	alice_long_one_btc();
	WaterfallCover::set(dollars(2_000));
	KeeperRewardCap::set(dollars(100));
	if insurance > 0 {
		assert_ok!(Balances::mint_into(&INSURANCE, insurance));
	}
	set_price(BTC_ASSET, usd(35_000));
	assert_ok!(liquidate(by, ALICE));
}

#[test]
fn the_insurance_fund_pays_the_keeper_of_an_insolvent_account() {
	ExtBuilder::default().build_and_execute(|| {
		insolvent_liquidation(KEEPER, dollars(1_000));
		// The reward due is 0.5% of 35,000 = 175, capped at 100 by the fund.
		assert_eq!(keeper_rewards_paid(), vec![(BTC, dollars(175), dollars(100))]);
		assert_eq!(balance(INSURANCE), ED + dollars(900));
		assert_eq!(collateral(KEEPER), dollars(100));
		// The bad debt is still exactly the negative equity, all of it down
		// the waterfall: the reward did not add to it.
		assert_eq!(waterfall_calls(), vec![(BTC, dollars(5_050), dollars(2_000))]);
		assert_eq!(market(BTC).state.deficit, dollars(3_050));
		System::assert_last_event(
			Event::<Test>::Liquidated {
				who: ALICE,
				liquidator: Some(KEEPER),
				equity: -(dollars(5_050) as i128),
				maintenance_requirement: dollars(1_750),
				reward: dollars(100),
				penalty: 0,
				bad_debt: dollars(5_050),
			}
			.into(),
		);
	});
}

#[test]
fn nobody_is_paid_by_the_fund_for_liquidating_themselves_or_when_it_cannot_pay() {
	ExtBuilder::default().build_and_execute(|| {
		insolvent_liquidation(ALICE, dollars(1_000));
		assert!(keeper_rewards_paid().is_empty());
		assert_eq!(balance(INSURANCE), ED + dollars(1_000));
		assert!(!Accounts::<Test>::contains_key(ALICE));
	});
	ExtBuilder::default().build_and_execute(|| {
		// An empty fund pays nothing; the liquidation goes ahead.
		insolvent_liquidation(KEEPER, 0);
		assert!(keeper_rewards_paid().is_empty());
		assert!(!Accounts::<Test>::contains_key(KEEPER));
		assert_eq!(market(BTC).state.deficit, dollars(3_050));
	});
}

#[test]
fn a_solvent_account_pays_its_keeper_itself() {
	ExtBuilder::default().build_and_execute(|| {
		KeeperRewardCap::set(dollars(100));
		assert_ok!(Balances::mint_into(&INSURANCE, dollars(1_000)));
		alice_long_one_btc();
		set_price(BTC_ASSET, usd(41_000));
		assert_ok!(liquidate(KEEPER, ALICE));
		assert!(keeper_rewards_paid().is_empty());
		assert_eq!(collateral(KEEPER), dollars(205));
	});
}
