//! Liquidation throughput with the real pallets and the runtime's measured
//! weights: 10,000 leveraged longs, a 30% drop in one block, and the chain
//! clears every one of them within 10 blocks.
//!
//! Two runs: with one keeper submitting `liquidate_batch` transactions as the
//! node's keeper does (within what normal transactions may use of a block),
//! and with the sweep alone. Run with `--nocapture` to see the blocks and
//! the accounts per block.

use super::*;
use crate::configs::backstop::MarginMaxSweepWeight;
use crate::{genesis_config_presets::BTC_PERP, RuntimeEvent, DOLLARS};
use backstop_primitives::units::BASE_UNIT;
use codec::Encode;
use frame_support::traits::fungibles::Mutate;
use frame_support::traits::Get;
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

/// The keeper of the runs with one: a plain funded account.
fn keeper() -> AccountId {
	AccountId::new(sp_io::hashing::blake2_256(b"crash-keeper"))
}

/// What the node's keeper does in a block: names the accounts it found
/// below maintenance at the end of the block before, in `liquidate_batch`
/// transactions of `MaxLiquidationBatch` accounts, each included only while
/// its declared (worst-case) weight fits in what normal transactions may
/// still use, and then charged what it used, as the block builder does (the
/// feeds' own weight, three small transactions, is left out).
fn keeper_transactions(found: &[AccountId]) {
	use frame_support::dispatch::DispatchClass;
	let limits = <Runtime as frame_system::Config>::BlockWeights::get();
	let normal_max = limits.get(DispatchClass::Normal).max_total.unwrap_or(limits.max_block);
	let batch: u32 = <Runtime as pallet_margin::Config>::MaxLiquidationBatch::get();
	let batch = batch as usize;
	for chunk in found.chunks(batch) {
		let used = System::block_weight();

		let declared = Margin::batch_weight(chunk.len(), None);
		if used.get(DispatchClass::Normal).saturating_add(declared).any_gt(normal_max)
			|| used.total().saturating_add(declared).any_gt(limits.max_block)
		{
			break;
		}
		let actual = match Margin::liquidate_batch(
			RuntimeOrigin::signed(keeper()),
			BoundedVec::truncate_from(chunk.to_vec()),
		) {
			Ok(info) => info.actual_weight,
			Err(e) => e.post_info.actual_weight,
		}
		.unwrap_or(declared);
		System::register_extra_weight_unchecked(actual, DispatchClass::Normal);
	}
}

/// Builds the book, crashes BTC by 30% in one block and runs blocks until
/// no long is below maintenance (at most `limit` blocks). Returns the rows
/// printed: (liquidated, of which bankrupt, still below maintenance).
fn crash(with_keeper: bool, most_blocks: u32) -> Vec<(u32, u32, u32)> {
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

	// The feeders agree on a 30% drop in one block: the first block with
	// the crashed price.
	chain.move_price_in_steps(BTC, Price::from_u32(CRASHED), 30, |_| {});
	let below = || (0..LONGS).filter(|i| Margin::is_liquidatable(&long(*i)) == Ok(true)).count();
	let underwater = chain.execute(below) as u32;
	assert_eq!(underwater, LONGS, "every long is below maintenance after the drop");
	let batch: u32 = <Runtime as pallet_margin::Config>::MaxLiquidationBatch::get();
	let most = batch * 64;
	let mut found = if with_keeper {
		chain.execute(|| Margin::liquidatable_accounts(most))
	} else {
		Vec::new()
	};

	let mut rows = Vec::new();
	let mut left = underwater;
	while left > 0 {
		assert!(
			(rows.len() as u32) < most_blocks,
			"{left} accounts still below maintenance after {most_blocks} blocks"
		);
		// The next block: the sweep in `on_initialize`, then the keeper's
		// transactions, if any.
		chain.next_block();
		let row = chain.execute(|| {
			keeper_transactions(&found);
			let events: Vec<RuntimeEvent> = System::events().into_iter().map(|r| r.event).collect();
			let (liquidated, bankrupt) = liquidations(&events);
			if with_keeper {
				found = Margin::liquidatable_accounts(most);
			}
			(liquidated, bankrupt, below() as u32)
		});
		left = row.2;
		rows.push(row);
	}
	chain.finish();
	rows
}

fn print(title: &str, rows: &[(u32, u32, u32)]) {
	println!("{title}");
	println!("block  liquidated  of which bankrupt  still below maintenance");
	for (block, (liquidated, bankrupt, still)) in rows.iter().enumerate() {
		println!("{:>5}  {liquidated:>10}  {bankrupt:>17}  {still:>23}", block + 1);
	}
	let all: u32 = rows.iter().map(|r| r.0).sum();
	println!("all {LONGS} cleared in {} blocks ({all} liquidations)", rows.len());
}

#[test]
fn ten_thousand_underwater_accounts_are_liquidated_within_ten_blocks() {
	let rows = crash(true, 10);
	print(
		&format!(
			"{LONGS} longs below maintenance after a 30% drop; the sweep (budget {} ms) and one keeper:",
			MarginMaxSweepWeight::get().ref_time() / 1_000_000_000
		),
		&rows,
	);
	assert!(rows.len() <= 10);
	assert!(rows.iter().map(|r| r.0).sum::<u32>() >= LONGS);
}

#[test]
fn the_sweep_alone_clears_them_too() {
	let rows = crash(false, 30);
	print(&format!("{LONGS} longs below maintenance after a 30% drop; the sweep alone:"), &rows);
	assert!(rows.iter().map(|r| r.0).sum::<u32>() >= LONGS);
}
