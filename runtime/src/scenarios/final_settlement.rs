//! Final settlement with the real pallets: governance settles BTC-PERP at
//! the oracle's price, the next blocks close every position (the pool pays
//! the winners, the losers pay the pool), the market closes for good, and
//! every trader withdraws everything it has.

use super::*;
use crate::{genesis_config_presets::BTC_PERP, RuntimeEvent, DOLLARS};
use pallet_margin::{Event as MarginEvent, MarketStatus, Markets};

fn signed(who: &AccountId) -> RuntimeOrigin {
	RuntimeOrigin::signed(who.clone())
}

#[test]
fn a_settled_market_closes_every_position_and_everyone_withdraws() {
	let mut chain = Chain::new();
	let traders: Vec<(AccountId, i128)> = chain.execute(|| {
		let book = [
			("settle-long-1", units(1)),
			("settle-long-2", units(1) / 2),
			("settle-short", -units(2)),
		];
		book.iter()
			.map(|(seed, size)| {
				let who = funded(seed, 50_000 * DOLLARS);
				assert_ok!(Margin::deposit(signed(&who), 40_000 * DOLLARS));
				let price = served_price(BTC).expect("a live price");
				assert_ok!(Margin::trade(signed(&who), BTC_PERP, *size, limit(price, *size > 0)));
				(who, *size)
			})
			.collect()
	});
	chain.next_block();
	// BTC rises 5%; governance settles the market at the oracle's price.
	chain.move_price(BTC, Price::from_u32(68_250), |_| {});
	let equities: Vec<SignedBalance> = chain.execute(|| {
		assert_ok!(Margin::settle_final(RuntimeOrigin::root(), BTC_PERP, None));
		traders.iter().map(|(who, _)| Margin::account_health(who).expect("priced").equity).collect()
	});
	chain.next_block();
	chain.execute(|| {
		let events: Vec<RuntimeEvent> = System::events().into_iter().map(|r| r.event).collect();
		let settled = events
			.iter()
			.filter(|e| matches!(e, RuntimeEvent::Margin(MarginEvent::PositionSettled { .. })))
			.count();
		assert_eq!(settled, traders.len());
		let market = Markets::<Runtime>::get(BTC_PERP).expect("BTC");
		assert_eq!(market.status, MarketStatus::Closed);
		assert_eq!(market.state.open_interest(), Some(0));
		for ((who, _), equity) in traders.iter().zip(equities) {
			assert_eq!(size_of(who, BTC_PERP), 0);
			let account = pallet_margin::Accounts::<Runtime>::get(who).expect("collateral");
			// No fee and no penalty: each keeps its equity at the price
			// (the profit of the longs is paid by the pool).
			assert_eq!(account.collateral as SignedBalance, equity);
			let before = cash(who);
			assert_ok!(Margin::withdraw(signed(who), account.collateral));
			assert_eq!(cash(who), before + account.collateral);
		}
	});
	chain.run(2);
	chain.finish();
}
