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
use sp_runtime::{traits::Zero, FixedU128, Permill};

pub use pallet_shared_liquidity_runtime_api::{ProtocolId, ProtocolInfo, ProtocolStatus};

/// The ledger of the pool.
///
/// `cash` is what the pallet account holds for the liquidity providers (the
/// existential buffer and any unsolicited transfer excluded). `reserved` is
/// the part of it the markets keep against their open interest; `lent` is
/// the principal external protocols have drawn, which is no longer in the
/// account. Liquidity providers and external protocols can only take the
/// free cash, `cash - reserved`; traders' profits are paid out of any cash.
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
	/// The pool's cash in the pallet account, in the settlement asset's
	/// smallest unit.
	pub cash: Balance,
	/// Shares in issue.
	pub shares: Balance,
	/// Cash reserved by all markets (the sum of their `reserved`).
	pub reserved: Balance,
	/// Principal lent to external protocols (the sum of their `drawn`).
	pub lent: Balance,
	/// The sum over blocks of the pool's utilization (in parts per billion):
	/// `Σ utilization × blocks`. External protocols' borrow fees are
	/// computed from its growth.
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
	/// The most the protocol may use of the pool at once: for a market the
	/// cash it reserves, for an external protocol its drawn principal plus
	/// the fees it owes. At most `Config::MaxCreditCap`.
	pub credit_cap: Balance,
	/// The most the pool will ever lose on the protocol (bad debt it accepts
	/// for a market, principal written off for an external protocol);
	/// reaching it freezes the protocol. An external protocol may never have
	/// more principal outstanding than what is left of it. At most
	/// `Config::MaxLossCap`.
	pub loss_cap: Balance,
	/// External protocols: the yearly borrow rate on drawn principal at zero
	/// utilization. At most `Config::MaxBaseRate`; zero for markets, which pay
	/// the liquidity providers through their share of trading fees.
	pub base_rate: Permill,
	/// External protocols: the yearly borrow rate added at full utilization
	/// (linearly in between). At most `Config::MaxRateSlope`; zero for
	/// markets.
	pub rate_slope: Permill,
	/// Markets: the fraction of the open interest's notional the pool keeps
	/// reserved in cash for the market. Zero for external protocols.
	pub reserve_factor: Permill,
	/// Markets: the most net unrealized profit the market's traders may hold
	/// against the pool, as a fraction of what the market may use of it (the
	/// smaller of its credit cap and the pool's cash plus lent principal).
	/// Zero for external protocols.
	pub max_pnl_factor: Permill,
	/// External protocols: the blocks within which drawn principal must be
	/// repaid, counted from the draw that found nothing outstanding. Past it
	/// the principal is impaired: valued at zero and no more draws. At most
	/// `Config::MaxCreditTerm`; zero for markets.
	pub term: u32,
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
	/// Markets: the cash the pool keeps reserved for the market's open
	/// interest. Zero for external protocols.
	pub reserved: Balance,
	/// External protocols: principal drawn and not yet repaid or written off
	/// (the protocol's recorded debt). Zero for markets.
	pub drawn: Balance,
	/// External protocols: borrow fees accrued and not yet paid. Never
	/// counted as the pool's until paid.
	pub fees_owed: Balance,
	/// Losses the pool has taken for the protocol so far.
	pub losses: Balance,
	/// External protocols: the block by which the drawn principal must be
	/// repaid; `None` while nothing is outstanding.
	pub due_at: Option<BlockNumber>,
	/// The block up to which fees are accrued.
	pub accrued_at: BlockNumber,
	/// The pool's `utilization_index` at `accrued_at`.
	pub index_at: u128,
}

impl<BlockNumber: PartialOrd + Copy> Protocol<BlockNumber> {
	/// The part of the credit line in use: cash reserved (markets) or drawn
	/// principal plus fees owed (external protocols). Saturates, which can
	/// only block draws.
	pub fn credit_used(&self) -> Balance {
		self.reserved.saturating_add(self.drawn).saturating_add(self.fees_owed)
	}

	/// What the protocol owes the pool: drawn principal and fees.
	pub fn obligations(&self) -> Balance {
		self.drawn.saturating_add(self.fees_owed)
	}

	/// Whether the protocol's losses have reached its loss cap. A protocol
	/// without losses has not, even with a zero cap.
	pub fn loss_cap_reached(&self) -> bool {
		self.losses > 0 && self.losses >= self.terms.loss_cap
	}

	/// What is left of the loss cap.
	pub fn loss_headroom(&self) -> Balance {
		self.terms.loss_cap.saturating_sub(self.losses)
	}

	/// Whether the drawn principal is impaired at `now`: past its due block,
	/// or the protocol defaulted (the pool took a loss on it) and has not
	/// been reactivated by governance since.
	pub fn impaired(&self, now: BlockNumber) -> bool {
		!self.drawn.is_zero()
			&& (self.due_at.is_some_and(|due| now > due)
				|| (self.status != ProtocolStatus::Active && !self.losses.is_zero()))
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
	/// The block of the request; the shares can be withdrawn from
	/// `WithdrawDelay` blocks later, for `WithdrawWindow` blocks.
	pub requested_at: BlockNumber,
	/// The net asset value per share at the request, rounded down: the
	/// payout is at the lower of it and the value at payout.
	pub share_price: FixedU128,
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
	/// Pending withdrawal requests, oldest first. Their shares sum to at
	/// most `shares`; a request whose window has passed has lapsed and is
	/// dropped at the position's next change.
	pub requests: BoundedVec<WithdrawRequest<BlockNumberFor<T>>, T::MaxWithdrawRequests>,
}

/// A governed parameter, for [`crate::ParamChangedAt`]: the minimum interval
/// between two bounded changes runs per key. Not `Copy` (it may name an
/// account, which need not be `Copy`).
#[derive(
	Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug,
)]
pub enum ParamKey<AccountId> {
	/// A protocol's terms ([`ProtocolTerms`]), changed as a whole by
	/// `set_protocol_terms` (and set by `register_protocol`).
	Terms(ProtocolId<AccountId>),
	/// A protocol's status. Freezing has no interval; unfreezing, retiring
	/// and deregistering wait `MinChangeInterval` from the last status change.
	Status(ProtocolId<AccountId>),
	/// The minimum deposit.
	MinDeposit,
	/// The withdrawal delay.
	WithdrawDelay,
	/// The withdrawal window.
	WithdrawWindow,
}

impl<AccountId> ParamKey<AccountId> {
	/// The protocol the parameter belongs to, if any.
	pub fn protocol(&self) -> Option<&ProtocolId<AccountId>> {
		match self {
			ParamKey::Terms(id) | ParamKey::Status(id) => Some(id),
			_ => None,
		}
	}
}
