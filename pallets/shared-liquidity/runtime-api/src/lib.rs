//! Runtime API of the Backstop shared liquidity pool: the pool's assets,
//! shares, share price, utilization and free liquidity, the state of every
//! registered protocol's credit line, and the position of each liquidity
//! provider, for the node and for polkadot.js (`api.call.sharedLiquidityApi.*`).
//!
//! This crate also defines the types the API speaks in — [`ProtocolId`],
//! [`ProtocolStatus`] and [`ProtocolInfo`] — so that it does not depend on
//! the pallet; `pallet-shared-liquidity` re-exports them and uses them in its
//! storage, calls and events. The runtime implements each method with the
//! pallet helper of the same name (`Pallet::<Runtime>::pool_assets`, ...).

#![cfg_attr(not(feature = "std"), no_std)]
#![deny(missing_docs)]

extern crate alloc;

use alloc::vec::Vec;
use backstop_primitives::{Balance, MarketId};
use codec::{Codec, Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_arithmetic::{FixedU128, Perbill, Permill};

/// A protocol that borrows capacity from the pool.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	PartialEq,
	Eq,
	PartialOrd,
	Ord,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
pub enum ProtocolId<AccountId> {
	/// A perpetual market of this chain, which reaches the pool through the
	/// `LiquidityProvider` and `LossAbsorber` traits.
	Market(MarketId),
	/// An external protocol, represented by an account that signs its draws
	/// and repayments; drawn capacity leaves the pool for that account.
	External(AccountId),
}

/// Where a protocol stands with the pool.
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
pub enum ProtocolStatus {
	/// The protocol may draw capacity up to its credit cap.
	#[default]
	Active,
	/// No new draws. Releases, repayments, payouts of drawn capacity and loss
	/// cover within the remaining loss cap continue. Set by governance, or
	/// automatically when the protocol's cumulative losses reach its loss
	/// cap.
	Frozen,
	/// Wound down: no draws and no loss cover. Only a protocol without any
	/// obligation to the pool can be retired; a retired protocol can be
	/// deregistered (or reactivated by governance).
	Retired,
}

/// Everything about one protocol's credit line, as of the current block.
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
pub struct ProtocolInfo {
	/// The protocol's status.
	pub status: ProtocolStatus,
	/// The most the protocol may use of the pool: drawn capacity plus fees
	/// owed plus realised debt.
	pub credit_cap: Balance,
	/// Capacity drawn now (locked in the pool for a market, lent out for an
	/// external protocol).
	pub drawn: Balance,
	/// Borrow fees owed, including those accrued up to the current block.
	pub fees_owed: Balance,
	/// Trader profits a market paid out of the pool and has not yet
	/// recouped from trader losses (always zero for external protocols).
	pub debt: Balance,
	/// What the protocol could draw now: the smaller of its unused credit
	/// and the pool's free liquidity; zero unless active.
	pub available: Balance,
	/// The most the pool will ever absorb for the protocol, in total.
	pub loss_cap: Balance,
	/// Losses the pool has absorbed or written off for the protocol so far.
	pub losses: Balance,
	/// What the pool would cover of a loss of the protocol now.
	pub loss_capacity: Balance,
	/// The yearly borrow rate at zero utilization.
	pub base_rate: Permill,
	/// The yearly borrow rate added at full utilization.
	pub rate_slope: Permill,
	/// The yearly borrow rate in force now: `base_rate + rate_slope ×
	/// utilization`.
	pub fee_rate: Permill,
}

sp_api::decl_runtime_apis! {
	/// Read access to the shared liquidity pool.
	pub trait SharedLiquidityApi<AccountId>
	where
		AccountId: Codec,
	{
		/// What the pool is worth to its liquidity providers: the cash it
		/// holds for them plus the principal lent to external protocols.
		fn pool_assets() -> Balance;

		/// Pool shares in issue.
		fn pool_shares() -> Balance;

		/// Assets per share, rounded down; one while no shares are in issue.
		fn share_price() -> FixedU128;

		/// Capacity drawn by all protocols as a fraction of the pool's assets,
		/// rounded up.
		fn utilization() -> Perbill;

		/// Assets not drawn by any protocol: the most liquidity providers can
		/// withdraw and protocols can draw now.
		fn free_liquidity() -> Balance;

		/// Every registered protocol, in key order (at most the pallet's
		/// `MaxProtocols`).
		fn protocols() -> Vec<ProtocolId<AccountId>>;

		/// Everything about `protocol`'s credit line; `None` if unregistered.
		fn protocol_info(protocol: ProtocolId<AccountId>) -> Option<ProtocolInfo>;

		/// The credit cap of `protocol`.
		fn protocol_credit_cap(protocol: ProtocolId<AccountId>) -> Option<Balance>;

		/// The capacity `protocol` has drawn.
		fn protocol_drawn(protocol: ProtocolId<AccountId>) -> Option<Balance>;

		/// The losses the pool has taken for `protocol`.
		fn protocol_losses(protocol: ProtocolId<AccountId>) -> Option<Balance>;

		/// The loss cap of `protocol`.
		fn protocol_loss_cap(protocol: ProtocolId<AccountId>) -> Option<Balance>;

		/// The status of `protocol`.
		fn protocol_status(protocol: ProtocolId<AccountId>) -> Option<ProtocolStatus>;

		/// The yearly borrow rate `protocol` pays now.
		fn protocol_fee_rate(protocol: ProtocolId<AccountId>) -> Option<Permill>;

		/// The pool shares `who` holds.
		fn lp_shares(who: AccountId) -> Balance;

		/// What `who`'s shares would pay out at the current share price
		/// (rounded down), ignoring the free-liquidity limit on withdrawals.
		fn lp_value(who: AccountId) -> Balance;

		/// The part of `who`'s shares under a withdrawal request.
		fn lp_requested_shares(who: AccountId) -> Balance;
	}
}
