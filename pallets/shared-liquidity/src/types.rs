//! Types of the shared liquidity pool: the pool ledger, protocol credit
//! lines and liquidity-provider positions.

use crate::Config;
use backstop_primitives::Balance;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{
	BoundedVec, CloneNoBound, DebugNoBound, DefaultNoBound, EqNoBound, PartialEqNoBound,
};
use frame_system::pallet_prelude::BlockNumberFor;
use scale_info::TypeInfo;
use sp_runtime::Permill;

pub use pallet_shared_liquidity_runtime_api::{ProtocolId, ProtocolInfo, ProtocolStatus};

/// The ledger of the pool.
///
/// `assets` is what the liquidity providers own: the cash the pallet account
/// holds for them plus the principal lent to external protocols (`lent`).
/// `drawn` is the capacity drawn by all protocols; `assets >= drawn >= lent`
/// always, so `assets - drawn` (the free liquidity) is never negative.
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
pub struct PoolState<BlockNumber> {
	/// What the liquidity providers own, in the settlement asset's smallest
	/// unit.
	pub assets: Balance,
	/// Shares in issue (of the current generation).
	pub shares: Balance,
	/// Capacity drawn by all protocols (the sum of their `drawn`).
	pub drawn: Balance,
	/// The part of `drawn` lent out to external protocols: it is not in the
	/// pallet account.
	pub lent: Balance,
	/// Incremented when a deposit finds the pool without assets but with
	/// shares: positions of an earlier generation hold no shares.
	pub generation: u32,
	/// The sum over blocks of the pool's utilization (in parts per billion):
	/// `Σ utilization × blocks`. Borrow fees are computed from its growth.
	pub utilization_index: u128,
	/// The block up to which `utilization_index` is computed.
	pub indexed_at: BlockNumber,
}

/// The governed terms of a protocol's credit line.
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
pub struct ProtocolTerms {
	/// The most the protocol may use of the pool at once: drawn capacity
	/// plus fees owed plus realised debt. At most `Config::MaxCreditCap`.
	pub credit_cap: Balance,
	/// The most the pool will ever lose on the protocol (absorbed bad debt
	/// and written-off principal or debt); reaching it freezes the protocol.
	/// At most `Config::MaxLossCap`.
	pub loss_cap: Balance,
	/// The yearly borrow rate on drawn capacity at zero utilization. At most
	/// `Config::MaxBaseRate`.
	pub base_rate: Permill,
	/// The yearly borrow rate added at full utilization (linearly in
	/// between). At most `Config::MaxRateSlope`.
	pub rate_slope: Permill,
}

/// A protocol's credit line.
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
pub struct Protocol<BlockNumber> {
	/// The governed terms.
	pub terms: ProtocolTerms,
	/// The status.
	pub status: ProtocolStatus,
	/// Capacity drawn: locked in the pool for a market, lent out for an
	/// external protocol.
	pub drawn: Balance,
	/// Borrow fees accrued and not yet paid.
	pub fees_owed: Balance,
	/// Trader profits a market paid out of the pool and has not yet recouped
	/// (zero for external protocols).
	pub debt: Balance,
	/// Losses the pool has taken for the protocol so far.
	pub losses: Balance,
	/// The block up to which fees are accrued.
	pub accrued_at: BlockNumber,
	/// The pool's `utilization_index` at `accrued_at`.
	pub index_at: u128,
}

impl<BlockNumber> Protocol<BlockNumber> {
	/// The part of the credit line in use: drawn capacity, fees owed and
	/// debt. Saturates, which can only block draws.
	pub fn credit_used(&self) -> Balance {
		self.drawn.saturating_add(self.fees_owed).saturating_add(self.debt)
	}

	/// Whether the protocol's losses have reached its loss cap. A protocol
	/// without losses has not, even with a zero cap.
	pub fn loss_cap_reached(&self) -> bool {
		self.losses > 0 && self.losses >= self.terms.loss_cap
	}
}

/// A liquidity provider's request to withdraw shares.
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
pub struct WithdrawRequest<BlockNumber> {
	/// The shares requested.
	pub shares: Balance,
	/// The block of the request; the shares unlock `WithdrawDelay` blocks
	/// later.
	pub requested_at: BlockNumber,
}

/// A liquidity provider's position.
#[derive(
	Encode,
	Decode,
	MaxEncodedLen,
	TypeInfo,
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
	DefaultNoBound,
)]
#[codec(mel_bound(T: Config))]
#[scale_info(skip_type_params(T))]
pub struct LpPosition<T: Config> {
	/// The shares held, including those under withdrawal requests.
	pub shares: Balance,
	/// The pool generation the shares belong to.
	pub generation: u32,
	/// Pending withdrawal requests, oldest first. Their shares sum to at
	/// most `shares`.
	pub requests: BoundedVec<WithdrawRequest<BlockNumberFor<T>>, T::MaxWithdrawRequests>,
}
