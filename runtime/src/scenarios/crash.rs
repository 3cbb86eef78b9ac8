//! Liquidation throughput with the real pallets and the runtime's measured
//! weights: 10,000 leveraged longs, a 30% drop in one block, and the chain
//! itself (the sweep in `on_initialize`, nobody signing a `liquidate`)
//! clears every one of them within 10 blocks.
//!
//! Run with `--nocapture` to see the blocks and the accounts per block.

use super::*;
use crate::{genesis_config_presets::BTC_PERP, RuntimeEvent, DOLLARS};
use backstop_primitives::units::BASE_UNIT;
use codec::Encode;
use frame_support::traits::fungibles::Mutate;
use pallet_margin::Event as MarginEvent;

/// The leveraged longs.
const LONGS: u32 = 10_000;
/// Each long's collateral (dollars).
const COLLATERAL: u128 = 500;
/// The entry price and the crash.
const ENTRY: u32 = 65_000;
const CRASHED: u32 = 45_500; // −30%

fn long(index: u32) -> AccountId {
	AccountId::new(sp_io::hashing::blake2_256(&(b"crash-long", index).encode()))
}

fn whale() -> AccountId {
	AccountId::new(sp_io::hashing::blake2_256(b"crash-whale"))
}

/// Long `index`'s size: leverage from 3.15x to 3.5x across the longs, so
/// that after the drop (maintenance 3%) about a tenth are closed in part,
/// about half in full, and the rest (above 3.33x) are bankrupt and hand bad
/// debt to the waterfall.
fn size_of_long(index: u32) -> i128 {
	let leverage_permille = 3_150 + 350 * u128::from(index) / u128::from(LONGS);
	let notional = COLLATERAL * leverage_permille / 1_000; // dollars
	(notional * BASE_UNIT / u128::from(ENTRY)) as i128
}

fn liquidations(events: &[RuntimeEvent]) -> (u32, u32) {
	let (mut accounts, mut bankrupt) = (0, 0);
	for event in events {
		if let RuntimeEvent::Margin(MarginEvent::Liquidated { bad_debt, .. }) = event {
			accounts += 1;
			if *bad_debt > 0 {
				bankrupt += 1;
			}
		}
	}
	(accounts, bankrupt)
}

#[test]
fn ten_thousand_underwater_accounts_are_liquidated_within_ten_blocks() {
	let mut chain = Chain::new_with(|| {
		for index in 0..LONGS {
			assert_ok!(<Assets as Mutate<AccountId>>::mint_into(
				SETTLEMENT_ASSET_ID,
				&long(index),
				(COLLATERAL + 10) * DOLLARS
			));
		}
		assert_ok!(<Assets as Mutate<AccountId>>::mint_into(
			SETTLEMENT_ASSET_ID,
			&whale(),
			25_000_000 * DOLLARS
		));
	});
	chain.execute(|| {
		// Without the skew fee every long enters at the same price; a whale
		// takes the other side in steps, so the pool's net exposure stays
		// small.
		let mut params = pallet_margin::Markets::<Runtime>::get(BTC_PERP).expect("BTC").params;
		params.skew_fee = Default::default();
		assert_ok!(Margin::update_market(RuntimeOrigin::root(), BTC_PERP, params));
		assert_ok!(Margin::deposit(RuntimeOrigin::signed(whale()), 4_900_000 * DOLLARS));
		// The whale also provides the pool's liquidity for this open interest,
		// and governance lets the BTC market reserve that much of it.
		assert_ok!(SharedLiquidity::deposit(RuntimeOrigin::signed(whale()), 20_000_000 * DOLLARS));
		let id = pallet_shared_liquidity::ProtocolId::Market(BTC_PERP);
		let mut terms = pallet_shared_liquidity::Protocols::<Runtime>::get(&id)
			.expect("BTC is registered")
			.terms;
		terms.credit_cap = 10_000_000 * DOLLARS;
		assert_ok!(SharedLiquidity::set_protocol_terms(RuntimeOrigin::root(), id, terms));
		let price = served_price(BTC).expect("live");
		let mut unhedged: i128 = 0;
		for index in 0..LONGS {
			let who = long(index);
			assert_ok!(Margin::deposit(RuntimeOrigin::signed(who.clone()), COLLATERAL * DOLLARS));
			let size = size_of_long(index);
			assert_ok!(Margin::trade(
				RuntimeOrigin::signed(who),
				BTC_PERP,
				size,
				limit(price, true)
			));
			unhedged += size;
			if index % 50 == 49 || index + 1 == LONGS {
				assert_ok!(Margin::trade(
					RuntimeOrigin::signed(whale()),
					BTC_PERP,
					-unhedged,
					limit(price, false)
				));
				unhedged = 0;
			}
		}
		assert_eq!(pallet_margin::Traders::<Runtime>::count(), LONGS + 1);
	});
	chain.next_block();

	// The feeders agree on a 30% drop in one block: block `crashed` is the
	// first with the crashed price.
	chain.move_price_in_steps(BTC, Price::from_u32(CRASHED), 30, |_| {});
	let underwater = chain.execute(|| {
		(0..LONGS).filter(|i| Margin::is_liquidatable(&long(*i)) == Ok(true)).count() as u32
	});
	assert_eq!(underwater, LONGS, "every long is below maintenance after the drop");

	println!("{LONGS} longs below maintenance after a 30% drop; the sweep's budget per block:");
	println!("  {:?}", chain.execute(Margin::sweep_budget));
	println!("block  liquidated  of which bankrupt  still below maintenance");
	let mut blocks = 0;
	let mut liquidated_in_all = 0;
	let mut left = underwater;
	while left > 0 {
		blocks += 1;
		assert!(blocks <= 10, "{left} accounts still below maintenance after 10 blocks");
		chain.next_block();
		let (liquidated, bankrupt, still) = chain.execute(|| {
			let events: Vec<RuntimeEvent> = System::events().into_iter().map(|r| r.event).collect();
			let (liquidated, bankrupt) = liquidations(&events);
			let still = (0..LONGS)
				.filter(|i| Margin::is_liquidatable(&long(*i)) == Ok(true))
				.count() as u32;
			(liquidated, bankrupt, still)
		});
		println!("{blocks:>5}  {liquidated:>10}  {bankrupt:>17}  {still:>23}");
		liquidated_in_all += liquidated;
		left = still;
	}
	println!("all {LONGS} cleared in {blocks} blocks ({liquidated_in_all} liquidations)");
	assert!(liquidated_in_all >= LONGS);
	chain.finish();
}
