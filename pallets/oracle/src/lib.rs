#![doc = include_str!("../README.md")]
#![cfg_attr(not(feature = "std"), no_std)]
#![deny(missing_docs)]

extern crate alloc;

pub use pallet::*;

mod aggregation;
#[cfg(feature = "runtime-benchmarks")]
pub mod benchmarking;
mod dispatchable_impls;
mod governance_impls;
mod invariant_impls;
pub mod migrations;
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
	use backstop_primitives::{governance::Authority, OracleAssetId, Price};
	use frame_support::{pallet_prelude::*, traits::Time};
	use frame_system::pallet_prelude::*;
	use sp_arithmetic::Permill;
	use sp_runtime::traits::{IdentifyAccount, Verify};

	/// The in-code storage version: 1 since times are milliseconds and the breaker has a
	/// fast path (see [`crate::migrations::v1`]).
	pub const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Configuration of the oracle aggregator.
	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// Governance: registers assets and sets their parameters, manages the feeder set,
		/// freezes prices. Its success value tells the authority apart (Root, the risk track,
		/// the guardian): see the README's "Governance" section for what each may change.
		type AdminOrigin: EnsureOrigin<Self::RuntimeOrigin, Success = Authority>;

		/// Largest relative step of one numeric setting in one change by the risk track or
		/// the guardian (`|new - old| <= MaxParamStep * old`; `min_feeders` may always move
		/// by one). Positive.
		#[pallet::constant]
		type MaxParamStep: Get<Permill>;

		/// Fewest blocks between two bounded changes of the same parameter (an asset's
		/// settings, an asset's freeze being lifted), counted from its last change by any
		/// authority.
		#[pallet::constant]
		type MinChangeInterval: Get<BlockNumberFor<Self>>;

		/// Weights of the calls and of the idle pass.
		type WeightInfo: WeightInfo;

		/// The clock: the block's timestamp in milliseconds (`pallet_timestamp` in the
		/// runtime). Freshness, the EMA, holds and freezes are measured on it.
		type Time: Time<Moment = Millis>;

		/// The signature a feeder's key puts on a `submit_feed` (the runtime's
		/// `MultiSignature`); its signer is the feeder's account.
		type FeederSignature: Verify<Signer: IdentifyAccount<AccountId = Self::AccountId>>
			+ Parameter;

		/// Largest feeder set. Bounds the median's input (and the per-feed cost).
		/// At least 3 (the smallest `min_feeders`) and at most `u16::MAX`.
		#[pallet::constant]
		type MaxFeeders: Get<u32>;

		/// Largest number of registered assets. At least `MaxBatch`.
		#[pallet::constant]
		type MaxAssets: Get<u32>;

		/// Largest number of `(asset, price, observed_at)` observations in one feed. At least 1.
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

		/// Largest distance (ms) between an observation's time and the block's timestamp, in
		/// either direction; a value observed further ahead is refused as
		/// `ObservationInFuture`, further behind as `ObservationTooOld`. At least 1 and below
		/// `limits::MAX_FEED_AGE_MS`; every asset's `max_age_ms` must exceed it.
		#[pallet::constant]
		type MaxFeedSkew: Get<Millis>;

		/// How long (ms) a freeze lasts unless renewed: `freeze_price` freezes until
		/// `now + MaxFreezeDuration`; after that the aggregate is served again (or nothing, if
		/// it is stale or held). At least 1.
		#[pallet::constant]
		type MaxFreezeDuration: Get<Millis>;

		/// Transaction priority of a valid `submit_feed`: above anything a tip buys for an
		/// ordinary transaction (`TransactionPriority::MAX / 2` is a good choice). Positive.
		#[pallet::constant]
		type FeedPriority: Get<TransactionPriority>;

		/// Blocks a `submit_feed` stays valid: from its `round` through
		/// `round + FeedLongevity - 1`. At least 1.
		#[pallet::constant]
		type FeedLongevity: Get<u32>;

		/// Sets the clock and signs feeds in the benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: crate::BenchmarkHelper<Self::AccountId, Self::FeederSignature>;
	}

	/// The feeder set: each member's slot, and the block and round of its last feed.
	#[pallet::storage]
	pub type Feeders<T: Config> =
		CountedStorageMap<_, Blake2_128Concat, T::AccountId, FeederInfo<BlockNumberFor<T>>>;

	/// Registered assets: settings, raw feeds, aggregate, breaker and freeze state.
	#[pallet::storage]
	pub type Assets<T: Config> = CountedStorageMap<_, Twox64Concat, OracleAssetId, AssetState<T>>;

	/// The last asset the idle pass examined; the next pass continues after it.
	#[pallet::storage]
	pub type IdleCursor<T: Config> = StorageValue<_, OracleAssetId>;

	/// The block each governed parameter last changed in, by any authority: the minimum
	/// interval of the risk track and the guardian runs from it. At most two entries per
	/// registered asset (`ParamKey::AssetConfig`, `ParamKey::Freeze`); removing an asset
	/// removes its entries.
	#[pallet::storage]
	pub type ParamChangedAt<T: Config> =
		StorageMap<_, Blake2_128Concat, ParamKey, BlockNumberFor<T>, OptionQuery>;

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
		/// The circuit breaker held an aggregate that moved more than `max_move` without a
		/// fast-path quorum; no price is served until the hold ends.
		PriceHeld {
			/// The asset.
			asset: OracleAssetId,
			/// The price the move was measured from.
			reference: Price,
			/// The level being held.
			candidate: Price,
		},
		/// A move beyond `max_move` was accepted at once because a supermajority of the fresh
		/// values agree on it (the fast path). Any pending hold ended with it.
		MoveAccepted {
			/// The asset.
			asset: OracleAssetId,
			/// The price the move was measured from.
			reference: Price,
			/// The accepted aggregate.
			price: Price,
			/// Fresh values that agree within `agreement_band`.
			agreeing: u32,
			/// Fresh values.
			fresh: u32,
		},
		/// A held move was accepted by a new feed after the hold had lasted `hold_ms`.
		PriceConfirmed {
			/// The asset.
			asset: OracleAssetId,
			/// The accepted aggregate.
			price: Price,
			/// When the hold started (ms).
			held_since: Millis,
		},
		/// A hold ended without confirmation: the aggregate came back within `max_move` of
		/// the reference, or the asset went stale. The candidate was discarded.
		HoldReleased {
			/// The asset.
			asset: OracleAssetId,
			/// The discarded level.
			candidate: Price,
		},
		/// Governance froze (or renewed the freeze of) an asset's price.
		PriceFrozen {
			/// The asset.
			asset: OracleAssetId,
			/// The price served while frozen.
			price: Price,
			/// When the freeze expires unless renewed (ms).
			until: Millis,
		},
		/// A freeze reached `MaxFreezeDuration` without being renewed and was lifted; the
		/// aggregate is served again (if live).
		FreezeExpired {
			/// The asset.
			asset: OracleAssetId,
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
		/// `min_feeders` is above `MaxFeeders`.
		InvalidMinFeeders,
		/// `max_age_ms` is at most `MaxFeedSkew` or above `limits::MAX_FEED_AGE_MS`.
		InvalidMaxAge,
		/// `max_move` is zero.
		InvalidMaxMove,
		/// `ema_period_ms` is zero or above `limits::MAX_EMA_PERIOD_MS`.
		InvalidEmaPeriod,
		/// `hold_ms` is zero or above `limits::MAX_HOLD_MS`.
		InvalidHoldTime,
		/// Freezing at the current aggregate, but the asset has never been priced.
		NoPriceToFreeze,
		/// The asset's price is not frozen (or its freeze has expired).
		NotFrozen,
		/// `min_feeders` is below `limits::MIN_FEEDERS` (3): one liar could set a median of
		/// two values.
		MinFeedersTooLow,
		/// `fast_path_quorum` is below `limits::MIN_FAST_PATH_QUORUM` (two thirds).
		InvalidFastPathQuorum,
		/// `agreement_band` is zero or above `limits::MAX_AGREEMENT_BAND`.
		InvalidAgreementBand,
		/// An observation is more than `MaxFeedSkew` ahead of the block's timestamp.
		ObservationInFuture,
		/// An observation is more than `MaxFeedSkew` behind the block's timestamp.
		ObservationTooOld,
		/// A `submit_feed` names a round after the current block.
		FeedRoundInFuture,
		/// A `submit_feed`'s round is `FeedLongevity` blocks old or more.
		FeedRoundExpired,
		/// A `submit_feed`'s round is not later than the feeder's last accepted round (a
		/// replay, or a feed overtaken by a newer one).
		FeedRoundReused,
		/// The guardian tried a change that loosens something (or that only governance may
		/// make: registering or removing an asset, adding a feeder, lifting a freeze).
		GuardianCannotLoosen,
		/// A setting (or an explicit frozen price) moved by more than `MaxParamStep` of its
		/// current value; only the root track may make such a change.
		StepTooLarge,
		/// The same parameter changed less than `MinChangeInterval` blocks ago; only the root
		/// track may change it again this soon.
		ChangeTooSoon,
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
		/// Submit observations for up to `MaxBatch` assets, at most once per block, as a
		/// signed transaction (an ordinary transaction: its priority is its tip's; validator
		/// feeders use [`Pallet::submit_feed`], which cannot be crowded out).
		///
		/// Origin: a signed member of the feeder set. Each observation is
		/// `(asset, price, observed_at)`, `observed_at` within `MaxFeedSkew` of the block's
		/// timestamp. A successful feed is free (`Pays::No`); any error (including
		/// `NotFeeder`) pays. Each asset's aggregate is recomputed from its fresh values.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::feed(T::MaxFeeders::get(), utility_impls::len_u32(batch.len())))]
		pub fn feed(origin: OriginFor<T>, batch: FeedBatch<T>) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			Self::do_feed(who, batch, None)
		}

		/// Register an asset with its settings. Origin: `AdminOrigin`, not the guardian.
		#[pallet::call_index(1)]
		pub fn register_asset(
			origin: OriginFor<T>,
			asset: OracleAssetId,
			config: AssetConfig,
		) -> DispatchResult {
			let authority = T::AdminOrigin::ensure_origin(origin)?;
			Self::do_register_asset(authority, asset, config)?;
			Ok(())
		}

		/// Replace an asset's settings; they apply from the next recomputation (the provider
		/// also applies a raised `min_feeders` and a shortened `max_age` at once).
		/// Origin: `AdminOrigin`; the guardian only tightens, and the risk track and the
		/// guardian are bounded by `MaxParamStep` and `MinChangeInterval`.
		#[pallet::call_index(2)]
		pub fn update_asset_config(
			origin: OriginFor<T>,
			asset: OracleAssetId,
			config: AssetConfig,
		) -> DispatchResult {
			let authority = T::AdminOrigin::ensure_origin(origin)?;
			Self::do_update_asset_config(authority, asset, config)?;
			Ok(())
		}

		/// Remove an asset with its feeds, aggregate and freeze. Origin: `AdminOrigin`, not
		/// the guardian.
		#[pallet::call_index(3)]
		pub fn remove_asset(origin: OriginFor<T>, asset: OracleAssetId) -> DispatchResult {
			let authority = T::AdminOrigin::ensure_origin(origin)?;
			Self::do_remove_asset(authority, asset)?;
			Ok(())
		}

		/// Add an account to the feeder set. Origin: `AdminOrigin`, not the guardian.
		#[pallet::call_index(4)]
		pub fn add_feeder(origin: OriginFor<T>, feeder: T::AccountId) -> DispatchResult {
			let authority = T::AdminOrigin::ensure_origin(origin)?;
			Self::do_add_feeder(authority, feeder)?;
			Ok(())
		}

		/// Remove an account from the feeder set, purge its values from every asset and
		/// recompute those assets. Origin: `AdminOrigin`, the guardian included (defensive).
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::remove_feeder(T::MaxAssets::get()))]
		pub fn remove_feeder(
			origin: OriginFor<T>,
			feeder: T::AccountId,
		) -> DispatchResultWithPostInfo {
			let authority = T::AdminOrigin::ensure_origin(origin)?;
			Self::do_remove_feeder(authority, feeder)
		}

		/// Freeze an asset's price at `price`, or at its last aggregate if `None`. The frozen
		/// price is served (flagged `frozen`) whatever the feeds say; feeds keep being
		/// aggregated underneath. Freezing a frozen asset replaces the price.
		/// Origin: `AdminOrigin`, the guardian included (defensive); an explicit price must lie
		/// within `MaxParamStep` of the price served now unless the origin is Root.
		#[pallet::call_index(6)]
		pub fn freeze_price(
			origin: OriginFor<T>,
			asset: OracleAssetId,
			price: Option<Price>,
		) -> DispatchResult {
			let authority = T::AdminOrigin::ensure_origin(origin)?;
			Self::do_freeze_price(authority, asset, price)?;
			Ok(())
		}

		/// Unfreeze an asset's price: the aggregate is served again. Origin: `AdminOrigin`, not
		/// the guardian; the risk track waits `MinChangeInterval` from the last freeze.
		#[pallet::call_index(7)]
		pub fn unfreeze_price(origin: OriginFor<T>, asset: OracleAssetId) -> DispatchResult {
			let authority = T::AdminOrigin::ensure_origin(origin)?;
			Self::do_unfreeze_price(authority, asset)?;
			Ok(())
		}

		/// Submit a feed signed by a feeder's key, as a general (unsigned) transaction
		/// authorized by this pallet: the path validator feeders use.
		///
		/// The transaction is valid (see `authorize_feed`) only for a member whose key
		/// signed `feed.signing_payload(genesis_hash)`, in blocks
		/// `feed.round..feed.round + FeedLongevity`, for a round later than the feeder's last,
		/// and with a batch the dispatch accepts. It then has priority `FeedPriority` and the
		/// `Operational` class, so that no tip outbids it and it fits in a block whose normal
		/// space is full; it pays no fee. It needs `frame_system::AuthorizeCall` in the
		/// runtime's transaction extensions, and dispatches with the `Authorized` origin.
		#[pallet::call_index(8)]
		#[pallet::weight((
			T::WeightInfo::submit_feed(T::MaxFeeders::get(), utility_impls::len_u32(feed.batch.len())),
			DispatchClass::Operational,
			Pays::No,
		))]
		#[pallet::authorize(Self::authorize_submit_feed)]
		#[pallet::weight_of_authorize(T::WeightInfo::authorize_submit_feed(utility_impls::len_u32(feed.batch.len())))]
		pub fn submit_feed(
			origin: OriginFor<T>,
			feed: SignedFeed<T>,
			signature: T::FeederSignature,
		) -> DispatchResultWithPostInfo {
			ensure_authorized(origin)?;
			// The signature was checked by `authorize_submit_feed` in this block's state.
			let _ = signature;
			Self::do_feed(feed.feeder, feed.batch, Some(feed.round))
		}
	}

	impl<T: Config> Pallet<T> {
		/// The `#[pallet::authorize]` function of `submit_feed`.
		fn authorize_submit_feed(
			_source: TransactionSource,
			feed: &SignedFeed<T>,
			signature: &T::FeederSignature,
		) -> TransactionValidityWithRefund {
			Self::authorize_feed(feed, signature)
		}
	}
}
