//! Settlement of pending flows with the pool and the sinks, and deficits.

use super::*;
use backstop_primitives::RevenueKind;
use frame_support::{assert_noop, assert_ok, traits::Hooks, weights::Weight};
use sp_arithmetic::Permill;

fn settle(market: MarketId) -> sp_runtime::DispatchResult {
	Margin::settle_market(RuntimeOrigin::signed(BOB), market)
}

#[test]
fn settle_market_hands_every_ledger_to_its_owner() {
	ExtBuilder::default().build_and_execute(|| {
		deposit(ALICE, dollars(10_000));
		trade(ALICE, BTC, UNIT);
		let (pool, insurance, stakers) = (balance(POOL), balance(INSURANCE), balance(STAKERS));
		assert_ok!(settle(BTC));
		System::assert_last_event(
			Event::<Test>::MarketSettled {
				market: BTC,
				to_insurance: dollars(10),
				to_stakers: dollars(5),
				premium_to_stakers: 0,
				to_pool: dollars(35),
			}
			.into(),
		);
		assert_eq!(balance(POOL), pool + dollars(35));
		assert_eq!(balance(INSURANCE), insurance + dollars(10));
		assert_eq!(balance(STAKERS), stakers + dollars(5));
		assert_eq!(
			sink_receipts(),
			vec![
				(INSURANCE, BTC, RevenueKind::TradingFee, dollars(10)),
				(STAKERS, BTC, RevenueKind::TradingFee, dollars(5)),
			]
		);
		assert!(!market(BTC).has_pending());
		assert_eq!(pallet_balance(), ED + collateral(ALICE));
		assert_noop!(settle(BTC), Error::<Test>::NothingToSettle);
		assert_noop!(settle(42), Error::<Test>::UnknownMarket);
		assert_noop!(
			Margin::settle_market(RuntimeOrigin::none(), BTC),
			sp_runtime::DispatchError::BadOrigin
		);
	});
}

#[test]
fn settlement_hands_the_pool_its_cash_and_leaves_reservations_alone() {
	ExtBuilder::default().build_and_execute(|| {
		deposit(ALICE, dollars(10_000));
		trade(ALICE, BTC, UNIT);
		set_price(BTC_ASSET, usd(49_000));
		trade(ALICE, BTC, -UNIT / 2);
		let cash = pool_cash();
		let reservation = reserved(BTC);
		assert_ok!(settle(BTC));
		// Fee shares of 35 and 17.15, and the 500 of realised loss.
		let collected = dollars(535) + dollars(17) + 150_000;
		assert_eq!(pool_calls().last(), Some(&PoolCall::Collect(BTC, collected)));
		assert_eq!(pool_cash(), cash + collected);
		assert_eq!(reserved(BTC), reservation);
	});
}

#[test]
fn what_a_sink_does_not_take_goes_to_the_pool() {
	ExtBuilder::default().build_and_execute(|| {
		InsuranceTakes::set(Permill::from_percent(50));
		deposit(ALICE, dollars(10_000));
		trade(ALICE, BTC, UNIT);
		assert_ok!(settle(BTC));
		System::assert_last_event(
			Event::<Test>::MarketSettled {
				market: BTC,
				to_insurance: dollars(5),
				to_stakers: dollars(5),
				premium_to_stakers: 0,
				to_pool: dollars(40),
			}
			.into(),
		);
	});
}

#[test]
fn refused_payments_stay_pending() {
	ExtBuilder::default().build_and_execute(|| {
		deposit(ALICE, dollars(10_000));
		trade(ALICE, BTC, UNIT);
		SinksFail::set(true);
		PoolCollectFails::set(true);
		assert_ok!(settle(BTC));
		let failures = margin_events()
			.into_iter()
			.filter(|e| matches!(e, Event::<Test>::SettlementFailed { .. }))
			.count();
		assert_eq!(failures, 3);
		let state = market(BTC).state;
		assert_eq!(state.pending_insurance_fees, dollars(10));
		assert_eq!(state.pending_staker_fees, dollars(5));
		assert_eq!(state.pool_receivable, dollars(35));
		SinksFail::set(false);
		PoolCollectFails::set(false);
		assert_ok!(settle(BTC));
		assert!(!market(BTC).has_pending());
	});
}

#[test]
fn the_idle_hook_settles_every_market() {
	ExtBuilder::default().build_and_execute(|| {
		deposit(ALICE, dollars(10_000));
		trade(ALICE, BTC, UNIT);
		trade(ALICE, ETH, UNIT);
		assert!(market(BTC).has_pending() && market(ETH).has_pending());
		// Not enough weight: nothing happens.
		Margin::on_idle(1, Weight::from_parts(1, 1));
		assert!(market(BTC).has_pending());
		Margin::on_idle(1, Weight::MAX);
		assert!(!market(BTC).has_pending() && !market(ETH).has_pending());
		assert_eq!(SettlementCursor::<Test>::get(), Some(ETH));
	});
}

#[test]
fn deficits_can_be_covered_by_anyone() {
	ExtBuilder::default().build_and_execute(|| {
		deposit(ALICE, dollars(10_000));
		trade(ALICE, BTC, UNIT);
		set_price(BTC_ASSET, usd(35_000));
		assert_ok!(Margin::liquidate(RuntimeOrigin::signed(KEEPER), ALICE));
		assert_eq!(market(BTC).state.deficit, dollars(5_050));
		let receivable = market(BTC).state.pool_receivable;
		let before = balance(BOB);
		assert_ok!(Margin::cover_deficit(RuntimeOrigin::signed(BOB), BTC, dollars(1_000)));
		System::assert_last_event(
			Event::<Test>::DeficitCovered {
				market: BTC,
				who: BOB,
				amount: dollars(1_000),
				remaining: dollars(4_050),
			}
			.into(),
		);
		assert_eq!(market(BTC).state.pool_receivable, receivable + dollars(1_000));
		// Only what is left is taken.
		assert_ok!(Margin::cover_deficit(RuntimeOrigin::signed(BOB), BTC, dollars(10_000)));
		assert_eq!(market(BTC).state.deficit, 0);
		assert_eq!(balance(BOB), before - dollars(5_050));
		assert_noop!(
			Margin::cover_deficit(RuntimeOrigin::signed(BOB), BTC, 1),
			Error::<Test>::NoDeficit
		);
	});
}

#[test]
fn cover_deficit_errors() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(
			Margin::cover_deficit(RuntimeOrigin::signed(BOB), BTC, 0),
			Error::<Test>::ZeroAmount
		);
		assert_noop!(
			Margin::cover_deficit(RuntimeOrigin::signed(BOB), 42, 1),
			Error::<Test>::UnknownMarket
		);
		assert_noop!(
			Margin::cover_deficit(RuntimeOrigin::signed(BOB), BTC, 1),
			Error::<Test>::NoDeficit
		);
		assert_noop!(
			Margin::cover_deficit(RuntimeOrigin::none(), BTC, 1),
			sp_runtime::DispatchError::BadOrigin
		);
	});
}
