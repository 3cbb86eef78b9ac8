#![doc = include_str!("../README.md")]
#![cfg_attr(not(feature = "std"), no_std)]
#![deny(missing_docs)]

extern crate alloc;

pub use pallet::*;

mod aggregation;
#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod dispatchable_impls;
mod invariant_impls;
#[cfg(test)]
mod mock;
mod provider_impls;
mod refresh_impls;
#[cfg(test)]
mod tests;
pub mod types;
mod utility_impls;
pub mod weights;

pub use pallet_oracle_aggregator_runtime_api::{AssetPriceStatus, PriceStatus};
pub use types::*;
pub use weights::WeightInfo;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use alloc::vec::Vec;
	use backstop_primitives::{OracleAssetId, Price};
	use frame_support::pallet_prelude::*;
	use frame_system::pallet_prelude::*;

	/// The in-code storage version.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Configuration of the oracle aggregator.
	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// Governance: registers assets and sets their parameters, manages the feeder set,
		/// freezes prices.
		type AdminOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Weights of the calls and of the idle pass.
		type WeightInfo: WeightInfo;

		/// Largest feeder set. Bounds the median's input (and the per-feed cost).
		/// At least 1 and at most `u16::MAX`.
		#[pallet::constant]
		type MaxFeeders: Get<u32>;

		/// Largest number of registered assets. At least `MaxBatch`.
		#[pallet::constant]
		type MaxAssets: Get<u32>;

		/// Largest number of `(asset, price)` pairs in one feed. At least 1.
		#[pallet::constant]
		type MaxBatch: Get<u32>;

		/// Largest price a feeder may submit (a larger one is rejected as `PriceTooHigh`).
		/// At most half of `FixedU128`'s range, so that no arithmetic on two prices overflows.
		#[pallet::constant]
		type MaxPrice: Get<Price>;

		/// Largest number of assets the idle pass examines in one block (also limited by
		/// the block's spare weight). At least 1.
		#[pallet::constant]
		type MaxIdleChecks: Get<u32>;
	}

	/// The feeder set: each member's slot and the block of its last feed.
	#[pallet::storage]
	pub type Feeders<T: Config> =
		CountedStorageMap<_, Blake2_128Concat, T::AccountId, FeederInfo<BlockNumberFor<T>>>;

	/// Registered assets: settings, raw feeds, aggregate, breaker and freeze state.
	#[pallet::storage]
	pub type Assets<T: Config> = CountedStorageMap<_, Twox64Concat, OracleAssetId, AssetState<T>>;

	/// The last asset the idle pass examined; the next pass continues after it.
	#[pallet::storage]
	pub type IdleCursor<T: Config> = StorageValue<_, OracleAssetId>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A feeder's batch of prices was recorded and the assets in it recomputed.
		PricesFed {
			/// The feeder.
			feeder: T::AccountId,
			/// Number of assets in the batch.
			assets: u32,
		},
		/// An asset went stale: it has fewer fresh feeds than its minimum, and no price is
		/// served until enough arrive.
		PriceStale {
			/// The asset.
			asset: OracleAssetId,
			/// Fresh feeds left.
			fresh: u32,
			/// Fresh feeds needed.
			required: u32,
		},
		/// A stale asset (or a newly registered one) has enough fresh feeds again.
		PriceRecovered {
			/// The asset.
			asset: OracleAssetId,
			/// Fresh feeds now.
			fresh: u32,
		},
		/// The circuit breaker held an aggregate that moved more than `max_move`; no price is
		/// served until the new level is confirmed.
		PriceHeld {
			/// The asset.
			asset: OracleAssetId,
			/// The price the move was measured from.
			reference: Price,
			/// The level being held.
			candidate: Price,
		},
		/// A held level persisted for `confirmation_blocks` and was accepted.
		PriceConfirmed {
			/// The asset.
			asset: OracleAssetId,
			/// The accepted aggregate.
			price: Price,
			/// The block the hold started in.
			held_since: BlockNumberFor<T>,
		},
		/// A hold ended without confirmation: the aggregate came back within `max_move` of
		/// the reference, or the asset went stale. The candidate was discarded.
		HoldReleased {
			/// The asset.
			asset: OracleAssetId,
			/// The discarded level.
			candidate: Price,
		},
		/// Governance froze an asset's price.
		PriceFrozen {
			/// The asset.
			asset: OracleAssetId,
			/// The price served while frozen.
			price: Price,
		},
		/// Governance unfroze an asset's price.
		PriceUnfrozen {
			/// The asset.
			asset: OracleAssetId,
		},
		/// Governance registered an asset.
		AssetRegistered {
			/// The asset.
			asset: OracleAssetId,
			/// Its settings.
			config: AssetConfig,
		},
		/// Governance changed an asset's settings.
		AssetConfigUpdated {
			/// The asset.
			asset: OracleAssetId,
			/// The new settings.
			config: AssetConfig,
		},
		/// Governance removed an asset and everything stored about it.
		AssetRemoved {
			/// The asset.
			asset: OracleAssetId,
		},
		/// Governance added a feeder.
		FeederAdded {
			/// The feeder.
			feeder: T::AccountId,
		},
		/// Governance removed a feeder; its values were purged and the assets they were in
		/// recomputed.
		FeederRemoved {
			/// The feeder.
			feeder: T::AccountId,
			/// Number of assets that held a value of this feeder.
			purged: u32,
		},
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The signer is not in the feeder set.
		NotFeeder,
		/// The feeder already fed in this block.
		AlreadyFedThisBlock,
		/// The batch is empty.
		EmptyBatch,
		/// The batch names the same asset twice.
		DuplicateAsset,
		/// A price is zero.
		ZeroPrice,
		/// A price is above `MaxPrice`.
		PriceTooHigh,
		/// The asset is not registered.
		UnknownAsset,
		/// The asset is already registered.
		AssetAlreadyRegistered,
		/// `MaxAssets` assets are already registered.
		TooManyAssets,
		/// The account is already a feeder.
		AlreadyFeeder,
		/// The feeder set already has `MaxFeeders` members.
		TooManyFeeders,
		/// An asset has more stored feeds than `MaxFeeders` (never expected).
		TooManyFeeds,
		/// `min_feeders` is zero or above `MaxFeeders`.
		InvalidMinFeeders,
		/// `max_age` is zero or above `limits::MAX_FEED_AGE`.
		InvalidMaxAge,
		/// `max_move` is zero.
		InvalidMaxMove,
		/// `ema_period` is zero or above `limits::MAX_EMA_PERIOD`.
		InvalidEmaPeriod,
		/// `confirmation_blocks` is zero or above `limits::MAX_CONFIRMATION_BLOCKS`.
		InvalidConfirmationBlocks,
		/// Freezing at the current aggregate, but the asset has never been priced.
		NoPriceToFreeze,
		/// The asset's price is not frozen.
		NotFrozen,
	}

	/// Assets and feeders present at genesis.
	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// Assets to register, with their settings.
		pub assets: Vec<(OracleAssetId, AssetConfig)>,
		/// Feeder accounts.
		pub feeders: Vec<T::AccountId>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			Pallet::<T>::build_genesis(&self.assets, &self.feeders);
		}
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_idle(now: BlockNumberFor<T>, remaining_weight: Weight) -> Weight {
			Self::idle_pass(now, remaining_weight)
		}

		fn integrity_test() {
			Self::check_constants();
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_now: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call(weight(<T as Config>::WeightInfo))]
	impl<T: Config> Pallet<T> {
		/// Submit prices for up to `MaxBatch` assets, at most once per block.
		///
		/// Origin: a signed member of the feeder set. A successful feed is free
		/// (`Pays::No`); any error (including `NotFeeder`) pays. Each asset's aggregate is
		/// recomputed from its fresh values.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::feed(T::MaxFeeders::get(), utility_impls::len_u32(batch.len())))]
		pub fn feed(
			origin: OriginFor<T>,
			batch: BoundedVec<(OracleAssetId, Price), T::MaxBatch>,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			Self::do_feed(who, batch)
		}

		/// Register an asset with its settings. Origin: `AdminOrigin`.
		#[pallet::call_index(1)]
		pub fn register_asset(
			origin: OriginFor<T>,
			asset: OracleAssetId,
			config: AssetConfig,
		) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			Self::do_register_asset(asset, config)?;
			Ok(())
		}

		/// Replace an asset's settings; they apply from the next recomputation (the provider
		/// also applies a raised `min_feeders` and a shortened `max_age` at once).
		/// Origin: `AdminOrigin`.
		#[pallet::call_index(2)]
		pub fn update_asset_config(
			origin: OriginFor<T>,
			asset: OracleAssetId,
			config: AssetConfig,
		) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			Self::do_update_asset_config(asset, config)?;
			Ok(())
		}

		/// Remove an asset with its feeds, aggregate and freeze. Origin: `AdminOrigin`.
		#[pallet::call_index(3)]
		pub fn remove_asset(origin: OriginFor<T>, asset: OracleAssetId) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			Self::do_remove_asset(asset)?;
			Ok(())
		}

		/// Add an account to the feeder set. Origin: `AdminOrigin`.
		#[pallet::call_index(4)]
		pub fn add_feeder(origin: OriginFor<T>, feeder: T::AccountId) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			Self::do_add_feeder(feeder)?;
			Ok(())
		}

		/// Remove an account from the feeder set, purge its values from every asset and
		/// recompute those assets. Origin: `AdminOrigin`.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::remove_feeder(T::MaxAssets::get()))]
		pub fn remove_feeder(
			origin: OriginFor<T>,
			feeder: T::AccountId,
		) -> DispatchResultWithPostInfo {
			T::AdminOrigin::ensure_origin(origin)?;
			Self::do_remove_feeder(feeder)
		}

		/// Freeze an asset's price at `price`, or at its last aggregate if `None`. The frozen
		/// price is served (flagged `frozen`) whatever the feeds say; feeds keep being
		/// aggregated underneath. Freezing a frozen asset replaces the price.
		/// Origin: `AdminOrigin`.
		#[pallet::call_index(6)]
		pub fn freeze_price(
			origin: OriginFor<T>,
			asset: OracleAssetId,
			price: Option<Price>,
		) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			Self::do_freeze_price(asset, price)?;
			Ok(())
		}

		/// Unfreeze an asset's price: the aggregate is served again. Origin: `AdminOrigin`.
		#[pallet::call_index(7)]
		pub fn unfreeze_price(origin: OriginFor<T>, asset: OracleAssetId) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			Self::do_unfreeze_price(asset)?;
			Ok(())
		}
	}
}
