//! Runtime API of the Backstop staking backstop, and the types it shares with
//! `pallet-staking-backstop`.
//!
//! The node and polkadot.js (`api.call.stakingBackstopApi.*`) read through it
//! the state of the two tranches (assets, shares, share price), the coverage
//! of open interest by staked capital, the junior share of rewards that this
//! coverage currently prices, a staker's position, pending rewards and
//! unstake requests, and what the pallet account holds beyond its ledgers
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
	/// The first-loss tranche: slashed before the senior tranche, paid the
	/// larger share of rewards when coverage is low.
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
	/// What the tranche would pay towards one loss event now: its per-event
	/// slash cap.
	pub capacity: Balance,
	/// The smallest amount one `stake` may deposit.
	pub min_stake: Balance,
	/// The largest fraction of its assets the tranche pays per loss event.
	pub max_slash_fraction: Perbill,
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
	/// What all these shares would be paid at the current share price,
	/// rounded down.
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
	/// What the shares would be paid at the current share price, rounded down
	/// (zero for a void request).
	pub value: Balance,
	/// The first block of the unstake window.
	pub unlock_at: BlockNumber,
	/// The first block after the unstake window.
	pub expires_at: BlockNumber,
	/// Where the request stands at the block of the query.
	pub status: UnstakeStatus,
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
		/// rounded down; `None` when nothing is required (no open interest).
		fn coverage() -> Option<FixedU128>;

		/// The capital the backstop should hold: the governed fraction of the
		/// total open interest, rounded up.
		fn required_capital() -> Balance;

		/// The junior tranche's share of rewards at the current coverage.
		fn current_premium() -> Permill;

		/// What the backstop would cover of one loss event now (both
		/// tranches' per-event caps).
		fn capacity() -> Balance;

		/// `who`'s position in `tranche`; `None` when there is none.
		fn position(tranche: Tranche, who: AccountId) -> Option<PositionInfo>;

		/// The rewards `who` may claim from `tranche` now.
		fn pending_rewards(tranche: Tranche, who: AccountId) -> Balance;

		/// `who`'s unstake requests in `tranche`, oldest first.
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
