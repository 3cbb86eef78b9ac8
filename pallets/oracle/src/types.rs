//! Types stored by the pallet and taken by its calls.

use crate::Config;
use backstop_primitives::Price;
use frame_support::pallet_prelude::*;
use frame_system::pallet_prelude::BlockNumberFor;
use sp_arithmetic::Permill;

/// Position of a feeder in the feeder set, `0..MaxFeeders`. Raw feeds name their feeder by
/// slot rather than by account, which keeps an asset's stored feeds small.
pub type FeederSlot = u16;

/// Hard bounds on the governed per-asset settings ([`AssetConfig`]). `min_feeders` is bounded
/// by the runtime's `MaxFeeders` instead.
pub mod limits {
	/// Largest `max_age`, in blocks (one day at 6-second blocks).
	pub const MAX_FEED_AGE: u32 = 14_400;
	/// Largest `ema_period`, in blocks (one week at 6-second blocks).
	pub const MAX_EMA_PERIOD: u32 = 100_800;
	/// Largest `confirmation_blocks` (one hour at 6-second blocks).
	pub const MAX_CONFIRMATION_BLOCKS: u32 = 600;
}

/// Governed settings of one asset, set by `AdminOrigin`.
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
	/// Fresh feeds needed for an aggregate; with fewer the asset is stale.
	/// Bounds: `1..=MaxFeeders`.
	pub min_feeders: u32,
	/// A feed submitted in block `b` is fresh through block `b + max_age`.
	/// Bounds: `1..=limits::MAX_FEED_AGE`.
	pub max_age: u32,
	/// Largest move of the aggregate, relative to the price accepted before the current
	/// block, that is taken at face value; a larger move is held by the circuit breaker.
	/// Bounds: greater than zero.
	pub max_move: Permill,
	/// Period `N` of the EMA mark price, in blocks: `alpha = 2 / (N + 1)`.
	/// Bounds: `1..=limits::MAX_EMA_PERIOD` (1 makes the EMA equal the spot).
	pub ema_period: u32,
	/// Blocks a held level must persist before it is accepted.
	/// Bounds: `1..=limits::MAX_CONFIRMATION_BLOCKS`.
	pub confirmation_blocks: u32,
}

/// The latest value one feeder submitted for one asset.
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen)]
pub struct RawFeed<BlockNumber> {
	/// The feeder's slot.
	pub slot: FeederSlot,
	/// The submitted price (non-zero, at most `MaxPrice`).
	pub price: Price,
	/// The block it was submitted in.
	pub at: BlockNumber,
}

/// Where the breaker and the EMA stood before the block in which the aggregate was last
/// updated. Later recomputations in that same block start again from here, so the result of
/// a block does not depend on how many feeds landed in it.
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen)]
pub struct BlockStart {
	/// The price the breaker compares against in this block.
	pub reference: Price,
	/// The EMA brought forward to the start of this block.
	pub ema: Price,
}

/// The last accepted aggregate of an asset.
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen)]
pub struct Aggregate<BlockNumber> {
	/// Median of the fresh values it was computed from.
	pub price: Price,
	/// EMA of the accepted aggregate: the mark price.
	pub ema: Price,
	/// Median absolute deviation of those values relative to the median, rounded up.
	pub confidence: Permill,
	/// Smallest value it was computed from.
	pub low: Price,
	/// Largest value it was computed from.
	pub high: Price,
	/// Number of values it was computed from.
	pub sources: u32,
	/// Submission block of the oldest value it was computed from: the aggregate is served
	/// only while this value is still fresh.
	pub oldest: BlockNumber,
	/// The block it was computed in.
	pub updated_at: BlockNumber,
	/// The breaker reference and EMA before block `updated_at`; `None` in the block of the
	/// asset's first aggregate (there is nothing to compare against yet).
	pub block_start: Option<BlockStart>,
}

/// A jump the circuit breaker is holding for confirmation.
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen)]
pub struct Hold<BlockNumber> {
	/// The level the aggregate jumped to.
	pub candidate: Price,
	/// The block the hold started in.
	pub since: BlockNumber,
}

/// A price frozen by governance.
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen)]
pub struct Frozen<BlockNumber> {
	/// The price served while frozen.
	pub price: Price,
	/// The block it was frozen in.
	pub at: BlockNumber,
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
	pub feeds: BoundedVec<RawFeed<BlockNumberFor<T>>, T::MaxFeeders>,
	/// The last accepted aggregate, if any.
	pub aggregate: Option<Aggregate<BlockNumberFor<T>>>,
	/// A jump being held by the circuit breaker, if any.
	pub hold: Option<Hold<BlockNumberFor<T>>>,
	/// The last recomputation found fewer fresh feeds than `config.min_feeders`. A newly
	/// registered asset starts stale.
	pub stale: bool,
	/// Set by governance: this price is served instead of the aggregate.
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
}
