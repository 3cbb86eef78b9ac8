//! Storage migrations of the oracle aggregator.

/// Version 0 to 1: time in milliseconds, the fast path, and freezes that expire.
///
/// Block counts become milliseconds at the documented conversion of
/// [`v1::MILLIS_PER_BLOCK`] (6,000 ms, the chain's target block time):
///
/// * `AssetConfig { min_feeders, max_age, max_move, ema_period, confirmation_blocks }`
///   becomes `{ min_feeders, max_age_ms, max_move, ema_period_ms, fast_path_quorum,
///   agreement_band, hold_ms }`: `max_age_ms = max_age · 6,000`, `ema_period_ms =
///   ema_period · 6,000`, `hold_ms = confirmation_blocks · 6,000`, each clamped into its new
///   bounds (`max_age_ms` above `MaxFeedSkew`); `min_feeders` is raised to at least 3;
///   `fast_path_quorum` is two thirds and `agreement_band` 2%
///   ([`v1::DEFAULT_FAST_PATH_QUORUM`], [`v1::DEFAULT_AGREEMENT_BAND`]) until governance
///   sets them.
/// * A stored value submitted in block `b` is taken as observed at
///   `now_ms - (now - b) · 6,000` (`now_ms` being the timestamp the runtime reports during
///   the upgrade); so are the aggregate's oldest value and computation time, and a hold's
///   start.
/// * The aggregate keeps its price, figures and EMA (the EMA is now the one before its
///   price, brought forward on read: an approximation that fades within one EMA period);
///   its breaker reference for its block is the old one.
/// * A freeze counts as set at the upgrade: it lasts `MaxFreezeDuration` from then, so that
///   no freeze ends by surprise.
/// * Feeders keep their slot and last feed block; their last round is that block.
pub mod v1 {
	use crate::{
		limits, Aggregate, AssetConfig, AssetState, Assets, Config, FeederInfo, Feeders, Frozen,
		Hold, Millis, Pallet, RawFeed,
	};
	#[cfg(feature = "try-runtime")]
	use alloc::vec::Vec;
	use backstop_primitives::Price;
	use codec::{Decode, Encode, MaxEncodedLen};
	use frame_support::{
		migrations::VersionedMigration,
		pallet_prelude::*,
		traits::{Time, UncheckedOnRuntimeUpgrade},
		BoundedVec,
	};
	use frame_system::pallet_prelude::BlockNumberFor;
	use scale_info::TypeInfo;
	use sp_arithmetic::Permill;
	use sp_runtime::traits::{Saturating, UniqueSaturatedInto};

	/// Milliseconds per block in the conversion (the chain's 6-second target block time).
	pub const MILLIS_PER_BLOCK: u64 = 6_000;
	/// `fast_path_quorum` given to migrated assets: two thirds.
	pub const DEFAULT_FAST_PATH_QUORUM: Permill = limits::MIN_FAST_PATH_QUORUM;
	/// `agreement_band` given to migrated assets.
	pub const DEFAULT_AGREEMENT_BAND: Permill = Permill::from_percent(2);

	/// The version-0 layouts.
	pub mod old {
		use super::*;

		/// The version-0 settings (durations in blocks).
		#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen)]
		pub struct AssetConfig {
			/// Fresh feeds needed.
			pub min_feeders: u32,
			/// Freshness in blocks.
			pub max_age: u32,
			/// Largest move per block.
			pub max_move: Permill,
			/// EMA period in blocks.
			pub ema_period: u32,
			/// Blocks a held level must persist.
			pub confirmation_blocks: u32,
		}

		/// A version-0 raw value.
		#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen)]
		pub struct RawFeed<BlockNumber> {
			/// The feeder's slot.
			pub slot: crate::FeederSlot,
			/// The price.
			pub price: Price,
			/// The block it was submitted in.
			pub at: BlockNumber,
		}

		/// The version-0 start-of-block breaker state.
		#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen)]
		pub struct BlockStart {
			/// The reference.
			pub reference: Price,
			/// The EMA at the start of the block.
			pub ema: Price,
		}

		/// A version-0 aggregate.
		#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen)]
		pub struct Aggregate<BlockNumber> {
			/// Median.
			pub price: Price,
			/// EMA including this price.
			pub ema: Price,
			/// Confidence.
			pub confidence: Permill,
			/// Lowest value.
			pub low: Price,
			/// Highest value.
			pub high: Price,
			/// Value count.
			pub sources: u32,
			/// Submission block of the oldest value.
			pub oldest: BlockNumber,
			/// Block computed in.
			pub updated_at: BlockNumber,
			/// Breaker state at the start of that block.
			pub block_start: Option<BlockStart>,
		}

		/// A version-0 hold.
		#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen)]
		pub struct Hold<BlockNumber> {
			/// The held level.
			pub candidate: Price,
			/// Block the hold started in.
			pub since: BlockNumber,
		}

		/// A version-0 freeze.
		#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen)]
		pub struct Frozen<BlockNumber> {
			/// The frozen price.
			pub price: Price,
			/// Block frozen in.
			pub at: BlockNumber,
		}

		/// A version-0 asset entry.
		#[derive(Encode, Decode, TypeInfo)]
		#[scale_info(skip_type_params(T))]
		pub struct AssetState<T: Config> {
			/// Settings.
			pub config: AssetConfig,
			/// Raw values.
			pub feeds: BoundedVec<RawFeed<BlockNumberFor<T>>, T::MaxFeeders>,
			/// The aggregate.
			pub aggregate: Option<Aggregate<BlockNumberFor<T>>>,
			/// The hold.
			pub hold: Option<Hold<BlockNumberFor<T>>>,
			/// Stale flag.
			pub stale: bool,
			/// The freeze.
			pub frozen: Option<Frozen<BlockNumberFor<T>>>,
		}

		/// A version-0 feeder record.
		#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen)]
		pub struct FeederInfo<BlockNumber> {
			/// Slot.
			pub slot: crate::FeederSlot,
			/// Block of the last feed.
			pub last_fed: Option<BlockNumber>,
		}
	}

	/// The version-1 settings for version-0 `config`, within every new bound.
	pub fn translate_config<T: Config>(config: old::AssetConfig) -> AssetConfig {
		let ms = |blocks: u32| u64::from(blocks).saturating_mul(MILLIS_PER_BLOCK);
		AssetConfig {
			min_feeders: config
				.min_feeders
				.max(limits::MIN_FEEDERS)
				.min(T::MaxFeeders::get().max(limits::MIN_FEEDERS)),
			max_age_ms: ms(config.max_age)
				.max(T::MaxFeedSkew::get().saturating_add(1))
				.min(limits::MAX_FEED_AGE_MS),
			max_move: config.max_move,
			ema_period_ms: ms(config.ema_period).clamp(1, limits::MAX_EMA_PERIOD_MS),
			fast_path_quorum: DEFAULT_FAST_PATH_QUORUM,
			agreement_band: DEFAULT_AGREEMENT_BAND,
			hold_ms: ms(config.confirmation_blocks).clamp(1, limits::MAX_HOLD_MS),
		}
	}

	/// Converts block numbers into estimated timestamps around the upgrade.
	struct Clock<T: Config> {
		now: BlockNumberFor<T>,
		now_ms: Millis,
	}

	impl<T: Config> Clock<T> {
		fn current() -> Self {
			Self { now: frame_system::Pallet::<T>::block_number(), now_ms: T::Time::now() }
		}

		/// The estimated timestamp of block `block`.
		fn at(&self, block: BlockNumberFor<T>) -> Millis {
			let blocks: u64 = self.now.saturating_sub(block).unique_saturated_into();
			self.now_ms.saturating_sub(blocks.saturating_mul(MILLIS_PER_BLOCK))
		}
	}

	/// The version-1 entry for a version-0 `state`.
	pub fn translate_asset<T: Config>(state: old::AssetState<T>) -> AssetState<T> {
		let clock = Clock::<T>::current();
		let feeds: BoundedVec<RawFeed, T::MaxFeeders> = BoundedVec::truncate_from(
			state
				.feeds
				.into_iter()
				.map(|feed| RawFeed {
					slot: feed.slot,
					price: feed.price,
					observed_at: clock.at(feed.at),
				})
				.collect(),
		);
		AssetState {
			config: translate_config::<T>(state.config),
			feeds,
			aggregate: state.aggregate.map(|aggregate| Aggregate {
				price: aggregate.price,
				ema: aggregate.ema,
				confidence: aggregate.confidence,
				low: aggregate.low,
				high: aggregate.high,
				sources: aggregate.sources,
				oldest: clock.at(aggregate.oldest),
				updated_at: aggregate.updated_at,
				updated_at_ms: clock.at(aggregate.updated_at),
				reference: aggregate.block_start.map(|start| start.reference),
			}),
			hold: state
				.hold
				.map(|hold| Hold { candidate: hold.candidate, since: clock.at(hold.since) }),
			stale: state.stale,
			frozen: state.frozen.map(|frozen| Frozen {
				price: frozen.price,
				at: frozen.at,
				at_ms: clock.now_ms,
				until: clock.now_ms.saturating_add(T::MaxFreezeDuration::get()),
			}),
		}
	}

	/// The migration without its version check; use [`MigrateV0ToV1`].
	pub struct InnerMigrateV0ToV1<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for InnerMigrateV0ToV1<T> {
		fn on_runtime_upgrade() -> Weight {
			let mut assets = 0u64;
			Assets::<T>::translate::<old::AssetState<T>, _>(|_, state| {
				assets.saturating_inc();
				Some(translate_asset::<T>(state))
			});
			let mut feeders = 0u64;
			Feeders::<T>::translate::<old::FeederInfo<BlockNumberFor<T>>, _>(|_, info| {
				feeders.saturating_inc();
				Some(FeederInfo {
					slot: info.slot,
					last_fed: info.last_fed,
					last_round: info.last_fed,
				})
			});
			let entries = assets.saturating_add(feeders);
			// Each entry read and written, plus the clock and the block number.
			T::DbWeight::get().reads_writes(entries.saturating_add(2), entries)
		}

		#[cfg(feature = "try-runtime")]
		fn pre_upgrade() -> Result<Vec<u8>, sp_runtime::TryRuntimeError> {
			Ok((Assets::<T>::count(), Feeders::<T>::count()).encode())
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(state: Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
			let (assets, feeders): (u32, u32) = Decode::decode(&mut &state[..])
				.map_err(|_| "oracle aggregator migration: bad pre-upgrade state")?;
			ensure!(Assets::<T>::count() == assets, "asset count changed");
			ensure!(Feeders::<T>::count() == feeders, "feeder count changed");
			ensure!(
				Assets::<T>::iter_values().count() as u32 == assets,
				"an asset entry does not decode"
			);
			ensure!(
				Feeders::<T>::iter_values().count() as u32 == feeders,
				"a feeder entry does not decode"
			);
			Pallet::<T>::do_try_state()
		}
	}

	/// Storage version 0 to 1 of the oracle aggregator:
	/// `pallet_oracle_aggregator::migrations::v1::MigrateV0ToV1<Runtime>`.
	pub type MigrateV0ToV1<T> = VersionedMigration<
		0,
		1,
		InnerMigrateV0ToV1<T>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}
