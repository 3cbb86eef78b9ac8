//! Types stored by the pallet and taken by its calls.

use crate::Config;
use alloc::vec::Vec;
use backstop_primitives::{OracleAssetId, Price};
use frame_support::{pallet_prelude::*, CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_arithmetic::Permill;

/// Position of a feeder in the feeder set, `0..MaxFeeders`. Raw feeds name their feeder by
/// slot rather than by account, which keeps an asset's stored feeds small.
pub type FeederSlot = u16;

/// Milliseconds, in the unit and on the clock of `Config::Time` (the timestamp pallet: Unix
/// time in milliseconds). Used both for points in time and for durations.
pub type Millis = u64;

/// One value of a feed: the asset, its price, and when the feeder observed that price
/// (`Millis`, on the clock of `Config::Time`).
pub type Observation = (OracleAssetId, Price, Millis);

/// The observations of one feed: at most `MaxBatch`, each asset at most once.
pub type FeedBatch<T> = BoundedVec<Observation, <T as Config>::MaxBatch>;

/// What a feeder signs for [`crate::Call::submit_feed`] comes after these bytes, so that a
/// feeder key can never be tricked into signing a feed as something else, or the reverse.
pub const FEED_SIGNING_CONTEXT: [u8; 20] = *b"backstop-oracle-feed";

/// Hard bounds on the governed per-asset settings ([`AssetConfig`]). `min_feeders` is also
/// bounded by the runtime's `MaxFeeders`, and `max_age_ms` by its `MaxFeedSkew`.
pub mod limits {
	use sp_arithmetic::Permill;

	/// Smallest `min_feeders`: with three values the median is a middle value, so a single
	/// dishonest feeder can never set it.
	pub const MIN_FEEDERS: u32 = 3;
	/// Largest `max_age_ms` (one day).
	pub const MAX_FEED_AGE_MS: u64 = 86_400_000;
	/// Largest `ema_period_ms` (one week).
	pub const MAX_EMA_PERIOD_MS: u64 = 604_800_000;
	/// Largest `hold_ms` (one hour).
	pub const MAX_HOLD_MS: u64 = 3_600_000;
	/// Smallest `fast_path_quorum`: two thirds, rounded down to a whole part per million
	/// (`Permill::from_rational(2, 3)`). The fast path also checks `3 · agreeing ≥ 2 · fresh`
	/// in integers, so it never needs less than an exact two-thirds supermajority.
	pub const MIN_FAST_PATH_QUORUM: Permill = Permill::from_parts(666_666);
	/// Largest `agreement_band`: a wider band would let the fast path accept values that do
	/// not really agree.
	pub const MAX_AGREEMENT_BAND: Permill = Permill::from_percent(10);
}

/// Governed settings of one asset, set by `AdminOrigin`. Durations are in milliseconds of
/// `Config::Time`.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
	serde::Serialize,
	serde::Deserialize,
)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AssetConfig {
	/// Fresh values needed for an aggregate; with fewer the asset is stale.
	/// Bounds: `limits::MIN_FEEDERS..=MaxFeeders` (so at least 3).
	pub min_feeders: u32,
	/// A value observed at `t` (ms) is fresh while `now - t <= max_age_ms`, `now` being the
	/// block's timestamp. Bounds: `MaxFeedSkew + 1..=limits::MAX_FEED_AGE_MS`, so that a value
	/// accepted at the edge of the skew is still fresh.
	pub max_age_ms: Millis,
	/// Largest move of the aggregate, relative to the price accepted before the current
	/// block, that is taken at face value; a larger move needs the fast path or is held.
	/// Bounds: greater than zero.
	pub max_move: Permill,
	/// Period `P` of the EMA mark price, in milliseconds: the EMA is sampled once per
	/// millisecond with `alpha = 2 / (P + 1)`, so a value in force for `Δ` ms has weight
	/// `1 - (1 - alpha)^Δ`. Bounds: `1..=limits::MAX_EMA_PERIOD_MS` (1 makes the EMA the spot).
	pub ema_period_ms: Millis,
	/// Fraction of the fresh values that must agree (within `agreement_band`) for a move
	/// beyond `max_move` to be accepted at once. Bounds:
	/// `limits::MIN_FAST_PATH_QUORUM..=100%` (at least two thirds).
	pub fast_path_quorum: Permill,
	/// How close values must be to count as agreeing: the agreeing values span at most
	/// `agreement_band · median`. Bounds: `(0, limits::MAX_AGREEMENT_BAND]`.
	pub agreement_band: Permill,
	/// How long a move beyond `max_move` without a fast-path quorum is held, in ms; after it a
	/// new feed can confirm it. Bounds: `1..=limits::MAX_HOLD_MS`.
	pub hold_ms: Millis,
}

/// The latest value one feeder submitted for one asset.
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen)]
pub struct RawFeed {
	/// The feeder's slot.
	pub slot: FeederSlot,
	/// The submitted price (non-zero, at most `MaxPrice`).
	pub price: Price,
	/// When the feeder observed it (ms); within `MaxFeedSkew` of the block's timestamp when
	/// it was submitted.
	pub observed_at: Millis,
}

/// The last accepted aggregate of an asset.
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen)]
pub struct Aggregate<BlockNumber> {
	/// Median of the fresh values it was computed from.
	pub price: Price,
	/// The EMA mark price at `updated_at_ms`, from the prices accepted before this one. It is
	/// served brought forward to the current time, with `price` in force since
	/// `updated_at_ms`.
	pub ema: Price,
	/// Median absolute deviation of those values relative to the median, rounded up.
	pub confidence: Permill,
	/// Smallest value it was computed from.
	pub low: Price,
	/// Largest value it was computed from.
	pub high: Price,
	/// Number of values it was computed from.
	pub sources: u32,
	/// Observation time (ms) of the oldest value it was computed from: the aggregate is served
	/// only while this value is still fresh.
	pub oldest: Millis,
	/// The block it was computed in.
	pub updated_at: BlockNumber,
	/// The timestamp (ms) of block `updated_at`.
	pub updated_at_ms: Millis,
	/// The price the breaker compares against for the rest of block `updated_at`: the price
	/// accepted before that block, or the level a fast path or confirmation accepted in it.
	/// `None` in the block of the asset's first aggregate (nothing to compare against yet).
	pub reference: Option<Price>,
}

/// A move the circuit breaker is holding.
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen)]
pub struct Hold {
	/// The latest held median.
	pub candidate: Price,
	/// When the hold started (ms).
	pub since: Millis,
}

/// A price frozen by governance.
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen)]
pub struct Frozen<BlockNumber> {
	/// The price served while frozen.
	pub price: Price,
	/// The block it was frozen (or last renewed) in.
	pub at: BlockNumber,
	/// The timestamp (ms) it was frozen (or last renewed) at.
	pub at_ms: Millis,
	/// The freeze ends at this time (ms): `at_ms + MaxFreezeDuration`.
	pub until: Millis,
}

impl<BlockNumber> Frozen<BlockNumber> {
	/// Whether the freeze is still in force at `now_ms`.
	pub fn is_active(&self, now_ms: Millis) -> bool {
		now_ms < self.until
	}
}

/// Everything the pallet keeps about one asset, in one storage entry: a feed reads and
/// writes exactly one item per asset.
#[derive(
	Encode, Decode, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound, TypeInfo, MaxEncodedLen,
)]
#[scale_info(skip_type_params(T))]
#[codec(mel_bound())]
pub struct AssetState<T: Config> {
	/// Governed settings.
	pub config: AssetConfig,
	/// The latest value of each feeder that fed the asset, at most one per slot. Values that
	/// have aged out are removed whenever the aggregate is recomputed.
	pub feeds: BoundedVec<RawFeed, T::MaxFeeders>,
	/// The last accepted aggregate, if any.
	pub aggregate: Option<Aggregate<BlockNumberFor<T>>>,
	/// A move being held by the circuit breaker, if any.
	pub hold: Option<Hold>,
	/// The last recomputation found fewer fresh feeds than `config.min_feeders`. A newly
	/// registered asset starts stale.
	pub stale: bool,
	/// Set by governance: this price is served instead of the aggregate until it expires.
	pub frozen: Option<Frozen<BlockNumberFor<T>>>,
}

impl<T: Config> AssetState<T> {
	/// A newly registered asset: no feeds, no price, stale.
	pub fn new(config: AssetConfig) -> Self {
		Self {
			config,
			feeds: BoundedVec::new(),
			aggregate: None,
			hold: None,
			stale: true,
			frozen: None,
		}
	}
}

/// A member of the feeder set.
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen)]
pub struct FeederInfo<BlockNumber> {
	/// The feeder's slot, unique among feeders and below `MaxFeeders`.
	pub slot: FeederSlot,
	/// The block of the feeder's last accepted feed.
	pub last_fed: Option<BlockNumber>,
	/// The round of the feeder's last accepted feed (the block a signed `feed` was included
	/// in, the `round` a `submit_feed` named). Rounds only go up: an older feed cannot be
	/// replayed.
	pub last_round: Option<BlockNumber>,
}

/// A feed that carries its feeder's signature ([`crate::Call::submit_feed`]).
///
/// `round` is the block the feeder built it for (normally the best block plus one); it is
/// valid in blocks `round..round + FeedLongevity`, and only if it is later than the
/// feeder's last accepted round.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
	TypeInfo,
)]
#[scale_info(skip_type_params(T))]
pub struct SignedFeed<T: Config> {
	/// The feeder: a member of the feeder set, whose key signed the feed.
	pub feeder: T::AccountId,
	/// The block the feed was built for.
	pub round: BlockNumberFor<T>,
	/// The observations.
	pub batch: FeedBatch<T>,
}

impl<T: Config> SignedFeed<T> {
	/// The bytes the feeder signs: the SCALE encoding of
	/// `(FEED_SIGNING_CONTEXT, genesis_hash, feeder, round, batch)`. `genesis_hash` is the
	/// chain's genesis block hash, so a feed signed for one chain is worthless on another.
	pub fn signing_payload(&self, genesis_hash: &T::Hash) -> Vec<u8> {
		(FEED_SIGNING_CONTEXT, genesis_hash, &self.feeder, &self.round, &self.batch).encode()
	}
}

/// What the benchmarks need from the runtime: a clock they can set and feeder keys that can
/// sign.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId, Signature> {
	/// Makes `Config::Time` report `now_ms`.
	fn set_time(now_ms: Millis);
	/// The account of benchmark feeder `index` (the same every call).
	fn feeder(index: u32) -> AccountId;
	/// `message` signed by benchmark feeder `index`.
	fn sign(index: u32, message: &[u8]) -> Signature;
}

/// A governed parameter, for [`crate::ParamChangedAt`]: the minimum interval between two
/// bounded changes runs per key.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
)]
pub enum ParamKey {
	/// An asset's settings ([`AssetConfig`]), changed as a whole by `update_asset_config`
	/// (and set by `register_asset`).
	AssetConfig(OracleAssetId),
	/// An asset's freeze: set (or renewed) by `freeze_price`, lifted by `unfreeze_price`.
	/// Freezing has no interval; lifting waits `MinChangeInterval` from the last freeze.
	Freeze(OracleAssetId),
}

impl ParamKey {
	/// The asset the parameter belongs to.
	pub fn asset(&self) -> OracleAssetId {
		match self {
			ParamKey::AssetConfig(asset) | ParamKey::Freeze(asset) => *asset,
		}
	}
}
