//! Runtime scenario tests: the real runtime with every real pallet, no mocks.
//!
//! Each scenario starts from the `development` genesis preset and is driven
//! block by block through the pallets' hooks as a node would (`on_initialize`,
//! the oracle feeds of the three dev feeders, the users' calls, `on_idle`,
//! `on_finalize`). After every block [`Chain::end_block`] checks:
//!
//! * every pallet's `try_state` invariants;
//! * the cross-pallet solvency check of `docs/ARCHITECTURE.md` §3
//!   ([`assert_solvent`]): what the traders could take out if every position
//!   closed now is backed by real money (their collateral, what the margin
//!   pallet holds for the pool and the pool's cash), the margin pallet's
//!   per-market aggregates agree with the positions, and the pool's net
//!   asset value is what its ledgers and the traders' positions say;
//! * the settlement asset's total supply never changes.

mod flows;
mod properties;
mod transactions;

use crate::{
	genesis_config_presets::{dev_feeders, BTC, ETH},
	tests::preset_ext,
	AccountId, AllPalletsWithSystem, Assets, Balance, InsuranceFund, Margin, OracleAggregator,
	Runtime, RuntimeOrigin, SharedLiquidity, StakingBackstop, System, SETTLEMENT_ASSET_ID,
};
use backstop_primitives::{CounterpartyExposure, OracleAssetId, Price, SignedBalance};
use frame_support::{
	assert_ok,
	traits::{fungibles::Inspect, OnFinalize, OnIdle, OnInitialize},
	BoundedVec,
};
use sp_runtime::{traits::Saturating, FixedPointNumber, FixedU128};

/// Milliseconds per block (the dev chain's slot).
const BLOCK_MS: u64 = 6_000;

/// A development chain under test, with the supply it started from.
pub struct Chain {
	ext: sp_io::TestExternalities,
	supply: Balance,
	/// The last price fed per oracle asset.
	prices: Vec<(OracleAssetId, Price)>,
	/// The events of the last block ended (hooks included).
	pub last_events: Vec<crate::RuntimeEvent>,
}

impl Chain {
	/// The development genesis at block 1 with BTC at 65,000 and ETH at
	/// 3,200 fed by all three dev feeders.
	pub fn new() -> Self {
		let mut ext = preset_ext("development");
		let supply = ext.execute_with(|| Assets::total_issuance(SETTLEMENT_ASSET_ID));
		let mut chain = Self {
			ext,
			supply,
			prices: vec![(BTC, Price::from_u32(65_000)), (ETH, Price::from_u32(3_200))],
			last_events: Vec::new(),
		};
		chain.execute(|| {
			set_time(BLOCK_MS);
			AllPalletsWithSystem::on_initialize(1);
		});
		let prices = chain.prices.clone();
		chain.execute(|| feed(&prices));
		chain
	}

	/// Runs `f` inside the chain's externalities.
	pub fn execute<R>(&mut self, f: impl FnOnce() -> R) -> R {
		self.ext.execute_with(f)
	}

	/// Ends the current block (idle and finalize hooks), checks every
	/// invariant, and starts the next one, in which the feeders feed the
	/// current prices.
	pub fn next_block(&mut self) {
		let supply = self.supply;
		self.last_events = self.execute(|| {
			let now = System::block_number();
			let limits = <Runtime as frame_system::Config>::BlockWeights::get();
			let remaining = limits.max_block.saturating_sub(System::block_weight().total());
			AllPalletsWithSystem::on_idle(now, remaining);
			AllPalletsWithSystem::on_finalize(now);
			check_invariants(supply);
			let events = System::events().into_iter().map(|record| record.event).collect();
			let next = now + 1;
			System::reset_events();
			System::set_block_number(next);
			set_time(u64::from(next) * BLOCK_MS);
			AllPalletsWithSystem::on_initialize(next);
			events
		});
		let prices = self.prices.clone();
		self.execute(|| feed(&prices));
	}

	/// Runs `n` blocks at unchanged prices.
	pub fn run(&mut self, n: u32) {
		for _ in 0..n {
			self.next_block();
		}
	}

	/// Moves `asset`'s price to `target` in steps of at most 9% a block
	/// (inside the oracle's 10% move limit), one block per step; `each`
	/// runs in every block after the feed.
	pub fn move_price(&mut self, asset: OracleAssetId, target: Price, each: impl FnMut(&mut Self)) {
		self.move_price_in_steps(asset, target, 9, each)
	}

	/// Moves `asset`'s price to `target` by `percent`% a block (a step
	/// beyond the oracle's move limit must be agreed on by the feeders).
	pub fn move_price_in_steps(
		&mut self,
		asset: OracleAssetId,
		target: Price,
		percent: u32,
		mut each: impl FnMut(&mut Self),
	) {
		loop {
			let current = self.price(asset);
			if current == target {
				return;
			}
			let step = FixedU128::from_rational(u128::from(percent), 100);
			let next = if target > current {
				let up = current.saturating_add(current.saturating_mul(step));
				up.min(target)
			} else {
				let down = current.saturating_sub(current.saturating_mul(step));
				down.max(target)
			};
			self.set_price(asset, next);
			self.next_block();
			each(self);
		}
	}

	/// The price fed for `asset`.
	pub fn price(&self, asset: OracleAssetId) -> Price {
		self.prices.iter().find(|(a, _)| *a == asset).map(|(_, p)| *p).unwrap_or_default()
	}

	/// Sets the price the feeders feed from the next block on.
	pub fn set_price(&mut self, asset: OracleAssetId, price: Price) {
		if let Some(entry) = self.prices.iter_mut().find(|(a, _)| *a == asset) {
			entry.1 = price;
		}
	}

	/// Ends the scenario: one more block so that the last one is checked.
	pub fn finish(mut self) {
		self.next_block();
	}
}

/// The timestamp inherent of a block: sets the time without Aura's slot check
/// (the scenarios have no slot digests).
fn set_time(now_ms: u64) {
	pallet_timestamp::Now::<Runtime>::put(now_ms);
	// `DidUpdate` is private to the timestamp pallet: its key is set directly.
	let did_update = frame_support::storage::storage_prefix(b"Timestamp", b"DidUpdate");
	frame_support::storage::unhashed::put(&did_update, &true);
}

/// All three dev feeders feed `prices`, observed at the block's time.
fn feed(prices: &[(OracleAssetId, Price)]) {
	let now = pallet_timestamp::Now::<Runtime>::get();
	let batch: Vec<_> = prices.iter().map(|(asset, price)| (*asset, *price, now)).collect();
	for feeder in dev_feeders() {
		assert_ok!(OracleAggregator::feed(
			RuntimeOrigin::signed(feeder),
			BoundedVec::truncate_from(batch.clone())
		));
	}
}

/// Every pallet's invariants, the solvency check and the constant supply.
pub fn check_invariants(supply: Balance) {
	let block = System::block_number();
	let checks: [(&str, Result<(), sp_runtime::TryRuntimeError>); 5] = [
		("oracle", OracleAggregator::do_try_state()),
		("insurance fund", InsuranceFund::do_try_state()),
		("staking backstop", StakingBackstop::do_try_state()),
		("shared liquidity", SharedLiquidity::do_try_state()),
		("margin", Margin::do_try_state()),
	];
	for (pallet, result) in checks {
		assert!(result.is_ok(), "block {block}: {pallet} try_state failed: {result:?}");
	}
	assert_eq!(
		Assets::total_issuance(SETTLEMENT_ASSET_ID),
		supply,
		"block {block}: the settlement asset's supply changed"
	);
	assert_solvent();
}

/// The cross-pallet solvency check (§3 of the architecture).
///
/// With every position closed at the current prices, each account would
/// hold `max(equity, 0)` (a negative equity is bad debt for the waterfall);
/// the money there is to pay it is the collateral the margin pallet holds,
/// what it holds for the pool, and the pool's cash. The margin pallet's
/// per-market aggregates must equal the sums over positions (within one unit
/// per position of rounding, in the pool's favour), and the pool's net asset
/// value must be its ledgers plus receivables minus that PnL.
///
/// Skipped while some market has no usable price (nothing can be valued).
pub fn assert_solvent() {
	let block = System::block_number();
	let mut claims: Balance = 0;
	let mut collateral: Balance = 0;
	let mut pnl_by_market: Vec<(u32, SignedBalance, u32)> = Vec::new();
	for (who, account) in pallet_margin::Accounts::<Runtime>::iter() {
		collateral += account.collateral;
		let Ok(health) = Margin::account_health(&who) else { return };
		claims += health.equity.max(0).unsigned_abs();
		for position in health.positions {
			let owed = position.unrealized_pnl - position.accrued_funding;
			match pnl_by_market.iter_mut().find(|(m, _, _)| *m == position.market) {
				Some(entry) => {
					entry.1 += owed;
					entry.2 += 1;
				},
				None => pnl_by_market.push((position.market, owed, 1)),
			}
		}
	}
	let mut receivable: Balance = 0;
	let mut aggregate_pnl: SignedBalance = 0;
	for market in Margin::market_ids() {
		let Ok(exposure) = <Margin as CounterpartyExposure>::market_exposure(market) else {
			return;
		};
		receivable += exposure.receivable;
		aggregate_pnl += exposure.trader_pnl;
		let (summed, positions) = pnl_by_market
			.iter()
			.find(|(m, _, _)| *m == market)
			.map(|(_, pnl, n)| (*pnl, *n))
			.unwrap_or_default();
		// The aggregate rounds in the pool's favour: it may overstate the
		// traders' PnL by up to three units per position (one of PnL, two of
		// funding) and a few units of its own rounding, never understate it.
		let slack = SignedBalance::from(positions) * 3 + 2;
		assert!(
			exposure.trader_pnl >= summed - 1 && exposure.trader_pnl <= summed + slack,
			"block {block}: market {market}: aggregate trader PnL {} but positions sum to {summed}",
			exposure.trader_pnl,
		);
	}
	let pool = pallet_shared_liquidity::Pool::<Runtime>::get();
	let backing = collateral + receivable + pool.cash;
	assert!(
		claims <= backing,
		"block {block}: traders could claim {claims} but only {backing} backs them \
		 (collateral {collateral}, receivable {receivable}, pool cash {})",
		pool.cash,
	);
	if let Some(nav) = SharedLiquidity::pool_nav() {
		let impaired = pallet_shared_liquidity::Protocols::<Runtime>::iter_values()
			.filter(|p| p.impaired(System::block_number()))
			.map(|p| p.drawn)
			.sum::<Balance>();
		let expected =
			(pool.cash + pool.lent - impaired + receivable) as SignedBalance - aggregate_pnl;
		assert_eq!(nav, expected, "block {block}: NAV differs from ledgers and positions");
	}
}

/// `n` whole units of the base asset, in the margin pallet's size unit.
pub fn units(n: i128) -> i128 {
	n * backstop_primitives::units::BASE_UNIT as i128
}

/// `price × (1 ± 2%)`: a limit price that lets a trade through its fees.
pub fn limit(price: Price, buying: bool) -> Price {
	let slack = price.saturating_mul(FixedU128::from_rational(2, 100));
	if buying {
		price.saturating_add(slack)
	} else {
		price.saturating_sub(slack)
	}
}

/// The settlement balance of `who`.
pub fn cash(who: &AccountId) -> Balance {
	Assets::balance(SETTLEMENT_ASSET_ID, who)
}

/// A fresh account with `amount` of the settlement asset (moved from Alice,
/// so that the supply does not change).
pub fn funded(seed: &str, amount: Balance) -> AccountId {
	use frame_support::traits::fungibles::Mutate;
	let pair = <sp_core::sr25519::Pair as sp_core::Pair>::from_string(&format!("//{seed}"), None)
		.expect("a valid seed");
	let who: AccountId = sp_core::Pair::public(&pair).into();
	let alice = sp_keyring::Sr25519Keyring::Alice.to_account_id();
	assert_ok!(<Assets as Mutate<AccountId>>::transfer(
		SETTLEMENT_ASSET_ID,
		&alice,
		&who,
		amount,
		frame_support::traits::tokens::Preservation::Preserve,
	));
	who
}

/// The pool's net asset value per share.
pub fn share_price() -> FixedU128 {
	SharedLiquidity::share_price().expect("the pool can be valued")
}

/// The size `who` holds in `market` (zero without a position).
pub fn size_of(who: &AccountId, market: u32) -> i128 {
	pallet_margin::Accounts::<Runtime>::get(who)
		.and_then(|a| a.positions.iter().find(|p| p.market == market).map(|p| p.size))
		.unwrap_or_default()
}

/// The price the oracle serves for `asset` now, if it is usable.
pub fn served_price(asset: OracleAssetId) -> Option<Price> {
	<OracleAggregator as backstop_primitives::PriceProvider<crate::BlockNumber>>::price(asset)
		.ok()
		.map(|info| info.price)
}
