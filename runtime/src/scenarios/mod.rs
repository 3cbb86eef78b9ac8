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

mod crash;
mod deleveraging;
mod final_settlement;
mod flows;
mod fuzz;
mod governance;
mod insurance;
mod keepers;
mod options;
mod premium;
mod properties;
mod transactions;

pub use crate::testing::{check_invariants, served_price, set_time};

use crate::{
	genesis_config_presets::{dev_feeders, BTC, ETH},
	tests::preset_ext,
	AccountId, AllPalletsWithSystem, Assets, Balance, Margin, OracleAggregator, Runtime,
	RuntimeOrigin, SharedLiquidity, System, SETTLEMENT_ASSET_ID,
};
use backstop_primitives::{OracleAssetId, Price, SignedBalance};
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
		Self::new_with(|| {})
	}

	/// As [`Chain::new`], with `genesis` run on the genesis state first (to
	/// endow accounts, say): the supply checked is the one after it.
	pub fn new_with(genesis: impl FnOnce()) -> Self {
		let mut ext = preset_ext("development");
		ext.execute_with(genesis);
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
			// As the executive does: a new block starts with no weight used,
			// and the hooks' weight is mandatory.
			frame_system::BlockWeight::<Runtime>::kill();
			let hooks = AllPalletsWithSystem::on_initialize(next);
			System::register_extra_weight_unchecked(
				hooks,
				frame_support::dispatch::DispatchClass::Mandatory,
			);
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
