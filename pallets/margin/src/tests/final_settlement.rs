//! Final settlement: every position of a market closes at the settlement
//! price in bounded steps, losses first, and the market closes for good.

use super::*;
use backstop_primitives::PriceUnavailable;
use frame_support::{
	assert_noop,
	traits::{fungible::Mutate, Get},
};
use sp_runtime::DispatchError;

fn root() -> RuntimeOrigin {
	RuntimeOrigin::root()
}

fn settle(price: Option<Price>) -> frame_support::dispatch::DispatchResult {
	Margin::settle_final(root(), BTC, price)
}

fn settled() -> Vec<(u64, i128)> {
	margin_events()
		.into_iter()
		.filter_map(|e| match e {
			Event::<Test>::PositionSettled { who, size, .. } => Some((who, size)),
			_ => None,
		})
		.collect()
}

/// Alice long 1 BTC, Bob short 1 BTC, Charlie long 0.5 BTC, at 50,000.
fn book() {
	for (who, size) in [(ALICE, UNIT), (BOB, -UNIT), (CHARLIE, UNIT / 2)] {
		deposit(who, dollars(10_000));
		trade(who, BTC, size);
	}
}

#[test]
fn settle_final_is_governed_and_checked() {
	ExtBuilder::default().build_and_execute(|| {
		book();
		assert_noop!(
			Margin::settle_final(RuntimeOrigin::signed(ALICE), BTC, None),
			DispatchError::BadOrigin
		);
		assert_noop!(Margin::settle_final(root(), 42, None), Error::<Test>::UnknownMarket);
		// With a fresh oracle price, the market settles at it.
		assert_noop!(settle(Some(usd(40_000))), Error::<Test>::OraclePriceAvailable);
		set_price_unavailable(BTC_ASSET, PriceUnavailable::Stale);
		assert_noop!(settle(None), Error::<Test>::PriceStale);
		assert_noop!(settle(Some(Price::zero())), Error::<Test>::InvalidSettlementPrice);
		assert_ok!(settle(Some(usd(45_000))));
		System::assert_has_event(
			Event::<Test>::FinalSettlementStarted { market: BTC, price: usd(45_000) }.into(),
		);
		assert_eq!(market(BTC).status, MarketStatus::Halted);
		assert_noop!(settle(Some(usd(45_000))), Error::<Test>::SettlementUnderway);
		assert_noop!(
			Margin::set_market_status(root(), BTC, MarketStatus::Active),
			Error::<Test>::SettlementUnderway
		);
		assert_noop!(
			Margin::set_market_status(root(), ETH, MarketStatus::Closed),
			Error::<Test>::MarketClosed
		);
	});
}

#[test]
fn every_position_closes_at_the_price_and_every_account_is_paid() {
	ExtBuilder::default().build_and_execute(|| {
		book();
		set_price(BTC_ASSET, usd(55_000));
		assert_ok!(settle(None));
		let before: Vec<(u64, i128)> = [ALICE, BOB, CHARLIE].map(|w| (w, equity(w))).to_vec();
		run_to_block(2);
		// Losses first (Bob's short), then the profitable longs.
		assert_eq!(settled(), vec![(BOB, -UNIT), (ALICE, UNIT), (CHARLIE, UNIT / 2)]);
		for (who, equity) in before {
			// No fee, no penalty: each account keeps exactly its equity.
			assert_eq!(collateral(who) as i128, equity);
			assert_eq!(position(who, BTC), None);
		}
		assert_eq!(market(BTC).status, MarketStatus::Closed);
		assert_eq!(market(BTC).state.open_interest(), Some(0));
		assert_eq!(Traders::<Test>::count(), 0);
		System::assert_has_event(
			Event::<Test>::MarketClosed { market: BTC, price: usd(55_000), deficit: 0 }.into(),
		);
		// Closed for good.
		assert_noop!(
			Margin::trade(RuntimeOrigin::signed(ALICE), BTC, UNIT, any_price(1)),
			Error::<Test>::MarketClosed
		);
		assert_noop!(
			Margin::set_market_status(root(), BTC, MarketStatus::Active),
			Error::<Test>::MarketClosed
		);
		assert_noop!(settle(None), Error::<Test>::MarketClosed);
		// Everyone can take their money out.
		for who in [ALICE, BOB, CHARLIE] {
			let all = collateral(who);
			assert_ok!(Margin::withdraw(RuntimeOrigin::signed(who), all));
		}
	});
}

#[test]
fn a_bankrupt_loser_is_covered_by_the_winners_deleveraged_exactly() {
	ExtBuilder::default().build_and_execute(|| {
		// Alice: long 1 BTC on 6,000; Bob: short 1 BTC on 10,000. Nothing in
		// the waterfall, no write-off: a loss beyond Alice's collateral is a
		// deficit, to be taken from Bob's profit.
		deposit(ALICE, dollars(6_000));
		trade(ALICE, BTC, UNIT);
		deposit(BOB, dollars(10_000));
		trade(BOB, BTC, -UNIT);
		set_price_unavailable(BTC_ASSET, PriceUnavailable::Stale);
		assert_ok!(settle(Some(usd(42_000))));
		let alice_before = equity_at(ALICE, usd(42_000));
		let bob_before = equity_at(BOB, usd(42_000));
		assert!(alice_before < 0);
		run_to_block(2);
		let bad_debt = alice_before.unsigned_abs();
		System::assert_has_event(Event::<Test>::SettledWithBadDebt { who: ALICE, bad_debt }.into());
		// Bob gave exactly Alice's bad debt, then closed with the rest.
		let taken: Balance = margin_events()
			.into_iter()
			.filter_map(|e| match e {
				Event::<Test>::Deleveraged { who: BOB, taken, .. } => Some(taken),
				_ => None,
			})
			.sum();
		assert_eq!(taken, bad_debt);
		assert_eq!(collateral(BOB) as i128, bob_before - bad_debt as i128);
		assert_eq!(market(BTC).state.deficit, 0);
		assert_eq!(market(BTC).status, MarketStatus::Closed);
		assert!(!Accounts::<Test>::contains_key(ALICE));
	});
}

#[test]
fn the_settlement_is_bounded_and_resumes() {
	ExtBuilder::default().build_and_execute(|| {
		for who in 10..15u64 {
			assert_ok!(Balances::mint_into(&who, dollars(20_000)));
			deposit(who, dollars(10_000));
			trade(who, BTC, UNIT / 10);
		}
		assert_ok!(settle(None));
		// Room for two positions per block.
		let two = Margin::final_settlement_step_weight()
			.saturating_mul(2)
			.saturating_add(frame_support::weights::RuntimeDbWeight::get_for_tests().reads(1));
		SweepBudget::<Test>::put(two);
		let open = || Traders::<Test>::count();
		for left in [3, 1, 0] {
			let next = System::block_number() + 1;
			run_to_block(next);
			assert_eq!(open(), left);
		}
		assert_eq!(market(BTC).status, MarketStatus::Closed);
	});
}

/// The mock's database weights (`()`: free).
trait DbForTests {
	fn get_for_tests() -> frame_support::weights::RuntimeDbWeight;
}

impl DbForTests for frame_support::weights::RuntimeDbWeight {
	fn get_for_tests() -> Self {
		<<Test as frame_system::Config>::DbWeight as Get<Self>>::get()
	}
}

/// `who`'s equity with BTC at `price` (the account valued by hand: its
/// collateral plus the position's PnL).
fn equity_at(who: u64, price: Price) -> i128 {
	let account = Accounts::<Test>::get(who).expect("an account");
	let position = account.positions.iter().find(|p| p.market == BTC).expect("a position");
	let (pnl, _) =
		crate::math::realize(position.size, position.cost, position.size.unsigned_abs(), price)
			.expect("pnl");
	account.collateral as i128 + pnl
}
