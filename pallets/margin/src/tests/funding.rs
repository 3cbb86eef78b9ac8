//! Funding accrual and settlement.

use super::*;
use backstop_primitives::PriceUnavailable;
use frame_support::assert_ok;
use sp_arithmetic::{FixedI128, Perbill};

/// 1e-7 of the price per block: the rate of a 1 BTC skew with a 100 BTC
/// funding scale and a maximum of 1e-5.
fn one_btc_rate() -> FixedI128 {
	FixedI128::from_rational(1, 10_000_000)
}

#[test]
fn no_skew_no_funding() {
	ExtBuilder::default().build_and_execute(|| {
		deposit(ALICE, dollars(10_000));
		deposit(BOB, dollars(10_000));
		trade(ALICE, BTC, UNIT);
		trade(BOB, BTC, -UNIT);
		run_to_block(10);
		assert_eq!(market(BTC).state.funding_index, FixedI128::zero());
		assert_eq!(market(BTC).state.funding_rate, FixedI128::zero());
	});
}

#[test]
fn long_heavy_markets_accrue_a_rising_index() {
	ExtBuilder::default().build_and_execute(|| {
		deposit(ALICE, dollars(10_000));
		trade(ALICE, BTC, UNIT);
		accrue_to_block(11);
		let state = market(BTC).state;
		assert_eq!(state.funding_rate, one_btc_rate());
		// Ten blocks of 1e-7 x 50,000 dollars per BTC.
		assert_eq!(state.funding_index, FixedI128::from_rational(5, 100));
		// The long owes 0.05 dollars.
		assert_eq!(Margin::account_health(&ALICE).unwrap().accrued_funding, 50_000);
		assert_eq!(equity(ALICE), (dollars(9_950) - 50_000) as i128);
	});
}

#[test]
fn longs_pay_shorts_when_long_heavy_and_the_pool_keeps_the_net() {
	ExtBuilder::default().build_and_execute(|| {
		deposit(ALICE, dollars(100_000));
		deposit(BOB, dollars(100_000));
		trade(ALICE, BTC, 3 * UNIT);
		trade(BOB, BTC, -2 * UNIT);
		let (alice, bob) = (collateral(ALICE), collateral(BOB));
		accrue_to_block(11);
		// Touch both positions with a tiny trade that adds no fee beyond
		// rounding: settle by withdrawing one micro-dollar each.
		assert_ok!(Margin::withdraw(RuntimeOrigin::signed(ALICE), 1));
		assert_ok!(Margin::withdraw(RuntimeOrigin::signed(BOB), 1));
		// Index +0.05 per BTC: Alice pays 0.15, Bob receives 0.10, the pool
		// (short one BTC against the skew) keeps 0.05.
		assert_eq!(alice - collateral(ALICE) - 1, 150_000);
		assert_eq!(collateral(BOB) + 1 - bob, 100_000);
		let receivable_gain = 150_000 - 100_000;
		System::assert_has_event(
			Event::<Test>::FundingSettled { who: ALICE, market: BTC, amount: 150_000 }.into(),
		);
		System::assert_has_event(
			Event::<Test>::FundingSettled { who: BOB, market: BTC, amount: -100_000 }.into(),
		);
		// Bob was paid out of what Alice's funding left with the pool.
		assert_eq!(market(BTC).state.pool_receivable, dollars(105 + 70) + receivable_gain);
	});
}

#[test]
fn short_heavy_markets_pay_longs() {
	ExtBuilder::default().build_and_execute(|| {
		deposit(BOB, dollars(10_000));
		trade(BOB, BTC, -UNIT);
		accrue_to_block(3);
		assert_eq!(market(BTC).state.funding_rate, -one_btc_rate());
		assert_eq!(market(BTC).state.funding_index, -FixedI128::from_rational(1, 100));
		// The short owes 0.01.
		assert_eq!(Margin::account_health(&BOB).unwrap().accrued_funding, 10_000);
	});
}

#[test]
fn the_rate_is_clamped_at_the_governed_maximum() {
	ExtBuilder::default().build_and_execute(|| {
		set_params(BTC, |p| p.funding_skew_scale = UNIT as u128 / 2);
		deposit(ALICE, dollars(10_000));
		trade(ALICE, BTC, UNIT);
		accrue_to_block(2);
		assert_eq!(market(BTC).state.funding_rate, FixedI128::from_rational(1, 100_000));
		set_params(BTC, |p| p.max_funding_rate = Perbill::zero());
		accrue_to_block(3);
		assert_eq!(market(BTC).state.funding_rate, FixedI128::zero());
	});
}

#[test]
fn funding_is_settled_on_trade() {
	ExtBuilder::default().build_and_execute(|| {
		deposit(ALICE, dollars(10_000));
		trade(ALICE, BTC, UNIT);
		accrue_to_block(11);
		let before = collateral(ALICE);
		trade(ALICE, BTC, UNIT / 10);
		System::assert_has_event(
			Event::<Test>::FundingSettled { who: ALICE, market: BTC, amount: 50_000 }.into(),
		);
		// 5 dollars of fee on 0.1 BTC.
		assert_eq!(before - collateral(ALICE), 50_000 + dollars(5));
		assert_eq!(position(ALICE, BTC).unwrap().funding_index, market(BTC).state.funding_index);
		assert_eq!(Margin::account_health(&ALICE).unwrap().accrued_funding, 0);
	});
}

#[test]
fn halted_or_unpriced_markets_do_not_accrue() {
	ExtBuilder::default().build_and_execute(|| {
		deposit(ALICE, dollars(10_000));
		trade(ALICE, BTC, UNIT);
		accrue_to_block(2);
		let index = market(BTC).state.funding_index;
		assert_ok!(Margin::set_market_status(RuntimeOrigin::root(), BTC, MarketStatus::Halted));
		accrue_to_block(5);
		assert_eq!(market(BTC).state.funding_index, index);
		assert_eq!(market(BTC).state.funding_rate, FixedI128::zero());
		assert_ok!(Margin::set_market_status(RuntimeOrigin::root(), BTC, MarketStatus::Active));
		set_price_unavailable(BTC_ASSET, PriceUnavailable::Stale);
		accrue_to_block(8);
		assert_eq!(market(BTC).state.funding_index, index);
		// The last fresh price is kept.
		assert_eq!(market(BTC).state.last_price, usd(50_000));
		set_price(BTC_ASSET, usd(40_000));
		accrue_to_block(9);
		assert_eq!(market(BTC).state.last_price, usd(40_000));
		assert!(market(BTC).state.funding_index > index);
	});
}

#[test]
fn funding_follows_the_price() {
	ExtBuilder::default().build_and_execute(|| {
		deposit(ALICE, dollars(10_000));
		trade(ALICE, BTC, UNIT);
		set_price(BTC_ASSET, usd(100_000));
		accrue_to_block(2);
		assert_eq!(market(BTC).state.funding_index, FixedI128::from_rational(1, 100));
	});
}
