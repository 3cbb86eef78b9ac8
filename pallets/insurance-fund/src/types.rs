//! Types of the insurance fund: fund identifiers, ledgers and parameters.

use backstop_primitives::{Balance, MarketId};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_runtime::{FixedU128, Permill};

/// Names one fund: the global fund or the sub-fund of one market.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	PartialOrd,
	Ord,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
pub enum FundId {
	/// The global fund, drawn on after the market's own sub-fund.
	Global,
	/// The sub-fund of one market, drawn on first for that market's losses.
	Market(MarketId),
}

/// The ledger of one fund.
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
pub struct Fund {
	/// What the fund holds, in the settlement asset's smallest unit. The sum
	/// of all funds plus the existential buffer is the pallet account's
	/// balance.
	pub balance: Balance,
	/// Whether the fund was below its floor when it was last evaluated; an
	/// event fires each time this flips.
	pub under_capitalized: bool,
}

/// The governed parameters of a fund.
///
/// All fractions are applied with the rounding that favours the protocol:
/// payout caps round down, the target and the floor round up.
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
	serde::Serialize,
	serde::Deserialize,
)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FundParams {
	/// The most one loss event may draw, as a fraction of the fund's balance
	/// at the time of the event (rounded down). At most `Config::MaxCapFraction`.
	pub cap_fraction: Permill,
	/// The most one loss event may draw, in absolute terms. At most
	/// `Config::MaxAbsoluteCap`.
	pub absolute_cap: Balance,
	/// The target size of the fund as a fraction of the open interest it
	/// insures (rounded up). At most `Config::MaxTargetFraction`.
	pub target_fraction: Permill,
	/// Below this fraction of its target (rounded up) the fund is
	/// under-capitalized.
	pub floor: Permill,
}

/// Which parameters a governance call sets.
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
pub enum ParamsScope {
	/// The parameters of the global fund.
	Global,
	/// The parameters of every market sub-fund that has none of its own.
	MarketDefault,
	/// The parameters of one market's sub-fund (created if it does not exist).
	Market(MarketId),
}

/// A read-only view of one fund, served through the runtime API.
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
pub struct FundInfo {
	/// Which fund this is.
	pub fund: FundId,
	/// What the fund holds.
	pub balance: Balance,
	/// The open interest the fund insures: the market's for a sub-fund, the
	/// total for the global fund.
	pub open_interest: Balance,
	/// The required capital the fund is sized against: the stressed loss of
	/// that open interest (`RiskExposure::required_capital`).
	pub required_capital: Balance,
	/// The target size (`target_fraction` of `required_capital`, rounded up).
	pub target: Balance,
	/// `balance / target`, rounded down; `None` when the target is zero (no
	/// open interest or no target fraction): nothing to cover.
	pub coverage: Option<FixedU128>,
	/// What the fund would pay towards one loss event now (its per-event cap).
	pub capacity: Balance,
	/// What governance could withdraw now: the balance above target.
	pub surplus: Balance,
	/// The parameters in force for the fund.
	pub params: FundParams,
	/// Whether the fund was under-capitalized when it was last evaluated.
	pub under_capitalized: bool,
}

/// The governed caps on what the fund pays keepers for liquidating
/// insolvent accounts (accounts whose collateral cannot pay the keeper).
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
	serde::Serialize,
	serde::Deserialize,
)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KeeperRewardLimits {
	/// The most one liquidation's keeper is paid. At most
	/// `Config::MaxKeeperReward`.
	pub per_liquidation: Balance,
	/// The most paid to keepers in one block, all liquidations together. At
	/// most `Config::MaxKeeperReward` times `Config::MaxKeeperRewardsPerBlock`.
	pub per_block: Balance,
}

/// What one fund paid towards losses in one block: the per-block cap is a
/// fraction of `base`, its balance when the block's first loss reached it.
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
pub struct BlockDraw<BlockNumber> {
	/// The block.
	pub block: BlockNumber,
	/// The fund's balance before its first draw of the block.
	pub base: Balance,
	/// What it paid towards losses in the block.
	pub drawn: Balance,
}

/// A governed parameter, for [`crate::ParamChangedAt`]: the minimum interval
/// between two bounded changes runs per key. At most one entry per key; the
/// `FundParams(ParamsScope::Market(m))` entries exist only for markets with a
/// sub-fund (`close_market_fund` removes its entry), so there are at most
/// `MaxMarketFunds + 5` entries.
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
	/// The [`FundParams`] of one scope (the global fund, the market default
	/// or one market), changed as a whole by `set_params` (and, for one
	/// market, by `clear_market_params` and `close_market_fund`).
	FundParams(ParamsScope),
	/// The fraction of market revenue forwarded to the global fund
	/// (`set_forward_fraction`).
	ForwardFraction,
	/// The per-block cap on loss payouts (`set_block_cap`).
	BlockCap,
	/// The keeper reward caps (`set_keeper_reward_limits`), both fields
	/// together.
	KeeperRewardLimits,
}

impl ParamKey {
	/// The market the parameter belongs to, if it is one market's.
	pub fn market(&self) -> Option<MarketId> {
		match self {
			ParamKey::FundParams(ParamsScope::Market(market)) => Some(*market),
			_ => None,
		}
	}
}
