//! Runtime API of the Backstop staking backstop, and the types it shares with
//! `pallet-staking-backstop`.
//!
//! The node and polkadot.js (`api.call.stakingBackstopApi.*`) read through it
//! the state of the two tranches (assets, shares, share price), the coverage
//! of the required capital by staked capital, the premium rate and the
//! tranches' yields this coverage prices, a staker's position, pending
//! rewards and unstake request, and what the pallet account holds beyond its ledgers
//! (unsolicited transfers).
//!
//! The types live here, not in the pallet, so that this crate depends on
//! nothing but codec, scale-info, `sp-api`, `sp-arithmetic`, `sp-runtime` and
//! `backstop-primitives`; the pallet re-exports them. The runtime implements
//! every method with the pallet helper of the same name
//! (`pallet_staking_backstop::Pallet::<Runtime>::tranche_info`, ...).

#![cfg_attr(not(feature = "std"), no_std)]
#![deny(missing_docs)]

extern crate alloc;

use alloc::vec::Vec;
use backstop_primitives::Balance;
use codec::{Codec, Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_arithmetic::{FixedU128, Perbill, Permill};
use sp_runtime::traits::NumberFor;

/// One of the two tranches of staked capital.
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
pub enum Tranche {
	/// The first-loss tranche: slashed before the senior tranche, paid a
	/// governed multiple of the senior rate per unit of capital.
	Junior,
	/// The second-loss tranche: slashed only for what the junior tranche did
	/// not cover.
	Senior,
}

impl Tranche {
	/// Both tranches, in the order they absorb losses.
	pub const ALL: [Tranche; 2] = [Tranche::Junior, Tranche::Senior];

	/// The other tranche.
	pub const fn other(self) -> Tranche {
		match self {
			Tranche::Junior => Tranche::Senior,
			Tranche::Senior => Tranche::Junior,
		}
	}
}

/// A read-only view of one tranche.
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
pub struct TrancheInfo<BlockNumber> {
	/// Which tranche this is.
	pub tranche: Tranche,
	/// How many times the tranche was wiped out; shares of earlier epochs are
	/// worthless.
	pub epoch: u32,
	/// The settlement asset the tranche holds for its stakers (shares in
	/// cooldown included).
	pub assets: Balance,
	/// All shares of the current epoch: earning shares and shares in cooldown.
	pub shares: Balance,
	/// The shares that earn rewards (shares in cooldown do not).
	pub earning_shares: Balance,
	/// `assets / shares`, rounded down; 1 for a tranche without shares (the
	/// price a first stake gets).
	pub share_price: FixedU128,
	/// The reward accumulated per earning share since genesis.
	pub reward_per_share: FixedU128,
	/// What the tranche would pay towards one loss event now: the lower of
	/// its per-event cap and what is left of its per-block cap.
	pub capacity: Balance,
	/// The smallest amount one `stake` may deposit.
	pub min_stake: Balance,
	/// The largest fraction of its assets the tranche pays per loss event.
	pub max_slash_fraction: Perbill,
	/// The largest fraction of its assets (at the block's first slash) the
	/// tranche pays in one block.
	pub max_slash_per_block: Perbill,
	/// The share price below which a slash wipes the tranche out.
	pub wipe_out_floor: Perbill,
	/// Blocks between an unstake request and the start of its window.
	pub cooldown: BlockNumber,
	/// Blocks during which an unlocked request may be unstaked.
	pub unstake_window: BlockNumber,
}

/// A read-only view of one staker's position in one tranche.
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
pub struct PositionInfo {
	/// The tranche.
	pub tranche: Tranche,
	/// Shares that earn rewards.
	pub earning_shares: Balance,
	/// Shares in unstake requests of the current epoch (cooling down, in their
	/// window, or lapsed and not yet returned to earning).
	pub unstaking_shares: Balance,
	/// What all these shares would be paid now, rounded down: the earning
	/// shares at the current share price, the requested ones at the lower of
	/// their value at request and now.
	pub value: Balance,
	/// Rewards the staker may claim now.
	pub pending_rewards: Balance,
}

/// Where an unstake request stands.
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
pub enum UnstakeStatus {
	/// Before `unlock_at`: cannot be unstaked yet; still slashable.
	CoolingDown,
	/// In `[unlock_at, expires_at)`: `unstake` pays out now.
	Unstakable,
	/// At or after `expires_at`: the shares go back to earning the next time
	/// the staker acts.
	Lapsed,
	/// Made in an epoch that ended with the tranche wiped out: the shares are
	/// worthless and the request is dropped the next time the staker acts.
	Void,
}

/// A read-only view of one unstake request.
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
pub struct UnstakeRequestInfo<BlockNumber> {
	/// The request's identifier, used by `unstake` and `cancel_unstake`.
	pub id: u64,
	/// The shares being unstaked.
	pub shares: Balance,
	/// What the shares were worth when the request was made (rounded down):
	/// the most the request will ever be paid.
	pub value_at_request: Balance,
	/// What the request would be paid now: the lower of `value_at_request`
	/// and the shares' value at the current price, rounded down (zero for a
	/// void request).
	pub value: Balance,
	/// The first block of the unstake window.
	pub unlock_at: BlockNumber,
	/// The first block after the unstake window.
	pub expires_at: BlockNumber,
	/// Where the request stands at the block of the query.
	pub status: UnstakeStatus,
}

/// How the backstop is priced now.
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
pub struct PricingInfo {
	/// The staked capital: both tranches' assets.
	pub capital: Balance,
	/// The required capital: the stressed value-at-risk of all markets.
	pub required_capital: Balance,
	/// `capital / required_capital`, rounded down; `None` when nothing is
	/// required.
	pub coverage: Option<FixedU128>,
	/// The annual premium rate at this coverage, before volatility.
	pub base_annual_rate: Permill,
	/// The junior tranche's share of `annual_premium` divided by its assets:
	/// an annualized rate on its capital (zero without assets).
	pub junior_yield: FixedU128,
	/// The senior tranche's share of `annual_premium` divided by its assets
	/// (zero without assets).
	pub senior_yield: FixedU128,
	/// The premium all markets accrue in a year at the current rates and
	/// open interest (per-block premium × blocks per year).
	pub annual_premium: Balance,
}

sp_api::decl_runtime_apis! {
	/// Read access to the staking backstop.
	pub trait StakingBackstopApi<AccountId>
	where
		AccountId: Codec,
	{
		/// Assets, shares, share price, reward index, capacity and parameters
		/// of `tranche`.
		fn tranche_info(tranche: Tranche) -> TrancheInfo<NumberFor<Block>>;

		/// `assets / shares` of `tranche`, rounded down; 1 for a tranche
		/// without shares.
		fn share_price(tranche: Tranche) -> FixedU128;

		/// Staked capital (both tranches) divided by the required capital,
		/// rounded down; `None` when nothing is required (no risk).
		fn coverage() -> Option<FixedU128>;

		/// The capital the backstop should hold: the stressed value-at-risk of
		/// all markets moving together, rounded up.
		fn required_capital() -> Balance;

		/// Capital, required capital, coverage, the base rate at this
		/// coverage, the annual premium and each tranche's yield on capital.
		fn pricing() -> PricingInfo;

		/// The premium rate at the current coverage and `volatility`, as a
		/// fraction of notional: `(per block, annual)`.
		fn premium_rate(volatility: FixedU128) -> (FixedU128, FixedU128);

		/// What the backstop would cover of one loss event now (both
		/// tranches' per-event caps).
		fn capacity() -> Balance;

		/// `who`'s position in `tranche`; `None` when there is none.
		fn position(tranche: Tranche, who: AccountId) -> Option<PositionInfo>;

		/// The rewards `who` may claim from `tranche` now.
		fn pending_rewards(tranche: Tranche, who: AccountId) -> Balance;

		/// `who`'s unstake request in `tranche` (at most one).
		fn unstake_requests(
			tranche: Tranche,
			who: AccountId,
		) -> Vec<UnstakeRequestInfo<NumberFor<Block>>>;

		/// What the pallet account holds beyond both tranches' assets, the
		/// reward pot, the undistributed rewards and the existential buffer:
		/// unsolicited transfers, never counted, swept by governance
		/// (`sweep_excess`).
		fn excess() -> Balance;
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn tranches_are_ordered_by_seniority() {
		assert_eq!(Tranche::ALL, [Tranche::Junior, Tranche::Senior]);
		assert_eq!(Tranche::Junior.other(), Tranche::Senior);
		assert_eq!(Tranche::Senior.other(), Tranche::Junior);
	}
}
