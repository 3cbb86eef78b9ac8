//! Runtime API of the Backstop shared liquidity pool: the pool's cash, net
//! asset value, shares, share price, utilization, reservations and free cash, the state of every
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
use backstop_primitives::{Balance, MarketId, SignedBalance};
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
	/// The status.
	pub status: ProtocolStatus,
	/// The most the protocol may use of the pool at once.
	pub credit_cap: Balance,
	/// Markets: cash the pool keeps reserved for the market's open interest.
	pub reserved: Balance,
	/// External protocols: principal outstanding (its recorded debt).
	pub drawn: Balance,
	/// External protocols: borrow fees owed, including those accrued up to
	/// the current block.
	pub fees_owed: Balance,
	/// External protocols: the block by which the principal must be repaid.
	pub due_at: Option<u32>,
	/// External protocols: whether the principal is impaired (past its term
	/// or defaulted before) and so valued at zero in the net asset value.
	pub impaired: bool,
	/// What the protocol could still use now (reserve more, or draw); zero
	/// unless active.
	pub available: Balance,
	/// The most the pool will ever lose on the protocol, in total.
	pub loss_cap: Balance,
	/// Losses the pool has taken for the protocol so far.
	pub losses: Balance,
	/// What the pool would accept of a loss of the protocol now.
	pub loss_capacity: Balance,
	/// External protocols: the yearly borrow rate at zero utilization.
	pub base_rate: Permill,
	/// External protocols: the yearly borrow rate added at full utilization.
	pub rate_slope: Permill,
	/// External protocols: the yearly borrow rate in force now.
	pub fee_rate: Permill,
	/// Markets: the reserve factor on open interest.
	pub reserve_factor: Permill,
	/// Markets: the max-PnL factor.
	pub max_pnl_factor: Permill,
	/// External protocols: the credit term in blocks.
	pub term: u32,
}

/// How much of what a market may use its traders' net unrealized profit
/// takes.
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
pub struct PnlToPool {
	/// The traders' net unrealized PnL in the market, funding included
	/// (positive: owed by the pool).
	pub trader_pnl: SignedBalance,
	/// The most net profit the market's traders may hold: its max-PnL factor
	/// of what it may use of the pool.
	pub max_trader_pnl: Balance,
	/// `max(trader_pnl, 0) / max_trader_pnl` (`None` for a zero maximum).
	pub ratio: Option<FixedU128>,
	/// Whether the traders' net profit exceeds the maximum: the market takes
	/// no position increases until it is back under it.
	pub exceeded: bool,
}

/// A liquidity provider's position as of the current block.
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
pub struct LpInfo {
	/// Shares held, requested ones included.
	pub shares: Balance,
	/// What the shares are worth at today's net asset value (rounded down).
	pub value: Balance,
	/// Shares under pending (not lapsed) withdrawal requests.
	pub requested: Balance,
	/// Shares whose delay has passed and whose window has not: what can be
	/// withdrawn now, the pool's free cash permitting.
	pub withdrawable: Balance,
	/// What withdrawing them would pay now (the lower of each request's and
	/// today's share price).
	pub withdrawable_value: Balance,
}

sp_api::decl_runtime_apis! {
	/// Read access to the shared liquidity pool.
	pub trait SharedLiquidityApi<AccountId>
	where
		AccountId: Codec,
	{
		/// The pool's cash in the pallet account (buffer and unsolicited
		/// transfers excluded).
		fn pool_cash() -> Balance;

		/// The pool's net asset value: cash, principal lent and not impaired,
		/// and what the markets hold for it, minus the traders' net
		/// unrealized PnL and funding. `None` while a market has no usable
		/// price.
		fn pool_nav() -> Option<SignedBalance>;

		/// Pool shares in issue.
		fn pool_shares() -> Balance;

		/// Net asset value per share, rounded down; one while no shares are
		/// in issue; `None` while the net asset value is unavailable.
		fn share_price() -> Option<FixedU128>;

		/// Cash reserved by markets plus principal lent, as a fraction of cash
		/// plus principal lent, rounded up.
		fn utilization() -> Perbill;

		/// Cash reserved by all markets.
		fn reserved() -> Balance;

		/// Cash no market has reserved: the most liquidity providers can
		/// withdraw and external protocols can draw now.
		fn free_liquidity() -> Balance;

		/// What the pallet account holds beyond the pool's cash and the
		/// buffer (unsolicited transfers, swept by governance).
		fn excess() -> Balance;

		/// Every registered protocol, in key order (at most the pallet's
		/// `MaxProtocols`).
		fn protocols() -> Vec<ProtocolId<AccountId>>;

		/// Everything about `protocol`'s credit line; `None` if unregistered.
		fn protocol_info(protocol: ProtocolId<AccountId>) -> Option<ProtocolInfo>;

		/// The PnL-to-pool figures of `market`; `None` if it is not
		/// registered or has no usable price.
		fn market_pnl_to_pool(market: MarketId) -> Option<PnlToPool>;

		/// The position of `who`.
		fn lp_info(who: AccountId) -> LpInfo;
	}
}
