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
	PositionInfo, Tranche, TrancheInfo, UnstakeRequestInfo, UnstakeStatus,
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
	/// `[Config::MinUnstakeWindow, Config::MaxUnstakeWindow]`.
	pub unstake_window: BlockNumber,
}

/// The governed curve that prices the junior tranche's share of rewards by
/// the backstop's coverage of open interest.
///
/// `required = required_capital * total open interest` (rounded up) and
/// `coverage = (junior assets + senior assets) / required` (rounded down).
/// The junior share is `junior_max` at or below `coverage_low`, `junior_min`
/// at or above `coverage_high` (and when nothing is required), and falls
/// linearly in between (the fall rounded down). The senior tranche gets the
/// rest.
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
pub struct PremiumCurve {
	/// The capital the backstop should hold, as a fraction of the total open
	/// interest.
	pub required_capital: Permill,
	/// At or below this coverage the junior share is `junior_max`.
	pub coverage_low: FixedU128,
	/// At or above this coverage the junior share is `junior_min`. Above
	/// `coverage_low` and at most `Config::MaxCoveragePoint`.
	pub coverage_high: FixedU128,
	/// The junior share of rewards when coverage is scarce.
	pub junior_max: Permill,
	/// The junior share of rewards when coverage is ample. At most
	/// `junior_max`.
	pub junior_min: Permill,
}

/// How one reward inflow was split.
#[derive(Clone, Copy, PartialEq, Eq, Default, Debug)]
pub(crate) struct RewardSplit {
	/// The junior share of rewards used for the split.
	pub junior_share: Permill,
	/// Credited to the junior tranche's reward index.
	pub to_junior: Balance,
	/// Credited to the senior tranche's reward index.
	pub to_senior: Balance,
	/// What is left undistributed after this inflow (in total).
	pub undistributed: Balance,
}
