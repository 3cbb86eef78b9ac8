//! Types of the staking backstop: tranche ledgers, positions, unstake requests
//! and the governed parameters.
//!
//! The tranche identifier and the read-only views served through the runtime
//! API are defined in `pallet-staking-backstop-runtime-api` and re-exported
//! here.

use backstop_primitives::Balance;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_runtime::{FixedU128, Perbill, Permill};

pub use pallet_staking_backstop_runtime_api::{
	PositionInfo, PricingInfo, Tranche, TrancheInfo, UnstakeRequestInfo, UnstakeStatus,
};

/// The ledger of one tranche.
///
/// `shares` counts every share of the current epoch, earning or in cooldown:
/// all of them are slashable. Only `earning_shares` take part in reward
/// distribution.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Default,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
pub struct TrancheLedger {
	/// The current epoch. It advances each time the tranche is wiped out (its
	/// assets slashed to zero); shares of earlier epochs are worthless.
	pub epoch: u32,
	/// The settlement asset held for the tranche's stakers.
	pub assets: Balance,
	/// All shares of the current epoch (earning and in cooldown).
	pub shares: Balance,
	/// The shares that earn rewards: `shares` minus the shares in unstake
	/// requests.
	pub earning_shares: Balance,
	/// Rewards accumulated per earning share since genesis (across epochs),
	/// rounded down at every distribution.
	pub reward_per_share: FixedU128,
}

/// One staker's position in one tranche.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Default,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
pub struct Position {
	/// The epoch the shares belong to; when the tranche's epoch has moved on,
	/// the shares are worthless.
	pub epoch: u32,
	/// Earning shares (shares in unstake requests are kept in the requests).
	pub shares: Balance,
	/// The reward debt, per share: the tranche's `reward_per_share` when the
	/// position's rewards were last settled. The position has earned
	/// `shares * (reward_per_share - reward_debt)` since.
	pub reward_debt: FixedU128,
	/// Settled rewards not yet claimed.
	pub pending_rewards: Balance,
}

impl Position {
	/// An empty position at the tranche's current epoch and reward index.
	pub fn fresh(ledger: &TrancheLedger) -> Self {
		Self {
			epoch: ledger.epoch,
			shares: 0,
			reward_debt: ledger.reward_per_share,
			pending_rewards: 0,
		}
	}

	/// Whether the position holds nothing and may be removed from storage.
	pub fn is_empty(&self) -> bool {
		self.shares == 0 && self.pending_rewards == 0
	}
}

/// An unstake request: shares taken out of earning, waiting for their window.
/// A staker has at most one per tranche.
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
)]
pub struct UnstakeRequest<BlockNumber> {
	/// The request's identifier (unique over the pallet's lifetime).
	pub id: u64,
	/// The epoch of the tranche when the request was made.
	pub epoch: u32,
	/// The shares being unstaked. They stay in the tranche's `shares` (and
	/// bear its losses) until they are paid out.
	pub shares: Balance,
	/// What the shares were worth when the request was made (rounded down).
	/// `unstake` pays the lower of this and their value at payout.
	pub value: Balance,
	/// The first block at which `unstake` may pay the request.
	pub unlock_at: BlockNumber,
	/// The first block at which the request has lapsed.
	pub expires_at: BlockNumber,
}

/// The governed parameters of one tranche.
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
pub struct TrancheParams<BlockNumber> {
	/// The smallest amount one `stake` may deposit. At most
	/// `Config::MaxMinStake`.
	pub min_stake: Balance,
	/// The largest fraction of the tranche's assets (rounded down) that one
	/// loss event may take. At most `Config::MaxSlashFraction`.
	pub max_slash_fraction: Perbill,
	/// Blocks between `request_unstake` and the start of the unstake window.
	/// Within `[Config::MinCooldown, Config::MaxCooldown]`.
	pub cooldown: BlockNumber,
	/// Blocks during which an unlocked request may be unstaked. Within
	/// `[Config::MinUnstakeWindow, Config::MaxUnstakeWindow]` and at most
	/// `Config::MaxWindowFraction` of `cooldown` (rounded down).
	pub unstake_window: BlockNumber,
	/// The largest fraction of the tranche's assets (as they stood at the
	/// block's first slash, rounded down) that all loss events of one block
	/// may take together.
	pub max_slash_per_block: Perbill,
	/// The lowest share price (as a fraction of one) a slash may leave: a
	/// slash that leaves the price below it wipes the tranche out. Above
	/// zero and at most `Config::MaxWipeOutFloor`.
	pub wipe_out_floor: Perbill,
}

/// What one tranche has paid towards losses in the current block.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Default,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
pub struct BlockSlash<BlockNumber> {
	/// The block the figures are for; stale figures of an earlier block
	/// count as nothing slashed.
	pub block: BlockNumber,
	/// The tranche's assets just before the block's first slash.
	pub assets_at_start: Balance,
	/// What the tranche has paid in this block (wipe-out dust included).
	pub slashed: Balance,
}

/// The governed parameters that price the backstop premium and split revenue
/// between the tranches.
///
/// `coverage = (junior assets + senior assets) / required capital` (rounded
/// down; none when nothing is required, priced as `coverage_high`). The
/// annual base rate is `rate_max` at or below `coverage_low`, `rate_min` at
/// or above `coverage_high`, and falls linearly in between (the fall rounded
/// down). The annual premium rate on notional open interest is
/// `min(base + volatility_weight × volatility, rate_cap)`; per block it is
/// that divided by `Config::BlocksPerYear`, rounded down.
///
/// Revenue is split by capital weight: the junior tranche's earning value
/// counts `junior_multiple` times, the senior tranche's once.
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
pub struct PremiumParams {
	/// The annual rate at or below `coverage_low`. At most `rate_cap`.
	pub rate_max: Permill,
	/// The annual rate at or above `coverage_high`. At most `rate_max`.
	pub rate_min: Permill,
	/// At or below this coverage the base rate is `rate_max`.
	pub coverage_low: FixedU128,
	/// At or above this coverage the base rate is `rate_min`. Above
	/// `coverage_low` and at most `Config::MaxCoveragePoint`.
	pub coverage_high: FixedU128,
	/// The annual rate added per unit of a market's volatility estimate.
	pub volatility_weight: FixedU128,
	/// The hard cap on the annual rate, volatility included.
	pub rate_cap: Permill,
	/// How many times the senior rate the junior tranche earns per unit of
	/// capital. At least one, at most `Config::MaxJuniorMultiple`.
	pub junior_multiple: FixedU128,
}

/// How one reward inflow was split.
#[derive(Clone, Copy, PartialEq, Eq, Default, Debug)]
pub(crate) struct RewardSplit {
	/// The junior tranche's weight: its earning value times the multiple.
	pub junior_weight: Balance,
	/// The senior tranche's weight: its earning value.
	pub senior_weight: Balance,
	/// Credited to the junior tranche's reward index.
	pub to_junior: Balance,
	/// Credited to the senior tranche's reward index.
	pub to_senior: Balance,
	/// What is left undistributed after this inflow (in total).
	pub undistributed: Balance,
}

/// A governed parameter, for [`crate::ParamChangedAt`]: the minimum interval
/// between two bounded changes runs per key. Three keys, so at most three
/// entries.
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
	/// One tranche's [`TrancheParams`], changed as a whole by
	/// `set_tranche_params`.
	TrancheParams(Tranche),
	/// The [`PremiumParams`], changed as a whole by `set_premium_params`.
	PremiumParams,
}
