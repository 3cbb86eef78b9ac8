//! Runtime API of the Backstop margin pallet (`pallet-margin`).
//!
//! Read access for the node and for polkadot.js (`api.call.marginApi.*`) to
//! what a trader or a keeper needs to know about an account (equity,
//! requirements, health, liquidation prices, whether it can be liquidated)
//! and to the state of each perpetual market.
//!
//! Units follow `backstop-primitives`: amounts are in the settlement asset's
//! smallest unit (micro-dollars), sizes in millionths of the base asset,
//! prices in whole dollars per whole base unit.
//!
//! The crate also holds the few types the pallet stores and this API returns
//! ([`MarketStatus`], [`MarketState`]) so that both sides agree on their
//! encoding without the API depending on the pallet.

#![cfg_attr(not(feature = "std"), no_std)]
#![deny(missing_docs)]

extern crate alloc;

use alloc::vec::Vec;
use backstop_primitives::{Balance, MarketId, Price, PriceUnavailable, SignedBalance};
use codec::{Codec, Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_arithmetic::{FixedI128, FixedU128};

/// What a market accepts.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Default,
	TypeInfo,
	MaxEncodedLen,
)]
pub enum MarketStatus {
	/// Every trade that passes the margin checks.
	#[default]
	Active,
	/// Only trades that shrink a position (no increase, no flip). Entered by
	/// governance or automatically when a loss could not be covered by the
	/// waterfall (unresolved deficit).
	ReduceOnly,
	/// Nothing: no trade, no liquidation, no funding accrual.
	Halted,
}

/// The moving state of one market, as stored by the pallet.
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, Debug, Default, TypeInfo, MaxEncodedLen)]
pub struct MarketState {
	/// Sum of all long sizes (millionths of the base asset).
	pub long_open_interest: u128,
	/// Sum of the magnitudes of all short sizes (millionths of the base asset).
	pub short_open_interest: u128,
	/// Cumulative funding in dollars per whole base unit; a long of size `s`
	/// owes `s × (index now − index at its last settlement)` micro-dollars
	/// (negative: it is owed).
	pub funding_index: FixedI128,
	/// The funding rate applied in the last accrual, as a fraction of the
	/// price per block (positive: longs pay shorts).
	pub funding_rate: FixedI128,
	/// The last fresh oracle price the pallet saw for this market (zero
	/// before the first one).
	pub last_price: Price,
	/// Pool capacity backing the open positions: the sum of the positions'
	/// entry notionals.
	pub locked: Balance,
	/// Capacity no longer needed, to be released to the pool at the next
	/// settlement.
	pub pending_release: Balance,
	/// Money held in the pallet account that belongs to the liquidity pool
	/// (traders' losses and funding, the LP share of fees, waterfall
	/// payments), to be collected by the pool at the next settlement.
	pub pool_receivable: Balance,
	/// Liquidation penalties held for the insurance fund.
	pub pending_penalties: Balance,
	/// The insurance fund's share of trading fees, held.
	pub pending_insurance_fees: Balance,
	/// The stakers' share of trading fees, held.
	pub pending_staker_fees: Balance,
	/// Bad debt the loss waterfall could not cover: the pool's unresolved
	/// loss, left to auto-deleveraging and governance.
	pub deficit: Balance,
}

impl MarketState {
	/// Long minus short open interest (millionths of the base asset): the
	/// liquidity pool holds the opposite position.
	pub fn skew(&self) -> Option<i128> {
		let long = i128::try_from(self.long_open_interest).ok()?;
		let short = i128::try_from(self.short_open_interest).ok()?;
		long.checked_sub(short)
	}

	/// Gross open interest, long plus short (millionths of the base asset).
	pub fn open_interest(&self) -> Option<u128> {
		self.long_open_interest.checked_add(self.short_open_interest)
	}
}

/// A market as the API reports it.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo)]
pub struct MarketSummary<Params> {
	/// The market.
	pub market: MarketId,
	/// Its governed parameters.
	pub params: Params,
	/// What it accepts.
	pub status: MarketStatus,
	/// Its moving state.
	pub state: MarketState,
	/// Long minus short open interest (millionths of the base asset).
	pub skew: i128,
	/// Gross open interest valued at the last fresh price (micro-dollars).
	pub open_interest_notional: Balance,
}

/// One position of an account, valued at the current oracle price.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo)]
pub struct PositionHealth {
	/// The market.
	pub market: MarketId,
	/// Signed size (millionths of the base asset; negative is short).
	pub size: i128,
	/// Average entry price (entry notional / size).
	pub entry_price: Price,
	/// The oracle price the figures use.
	pub price: Price,
	/// `|size| × price`, rounded up (micro-dollars).
	pub notional: Balance,
	/// Profit (positive) or loss at `price`, rounded down.
	pub unrealized_pnl: SignedBalance,
	/// Funding accrued since the last settlement, rounded up (positive: the
	/// position owes it).
	pub accrued_funding: SignedBalance,
	/// The initial margin fraction now in force for this market (base plus
	/// open-interest and volatility add-ons, at most 100%).
	pub initial_margin_fraction: FixedU128,
	/// Initial margin requirement of this position.
	pub initial_requirement: Balance,
	/// Maintenance margin requirement of this position.
	pub maintenance_requirement: Balance,
	/// The price of this market at which the account would reach its
	/// maintenance requirement, all other prices unchanged; `None` when no
	/// positive price does.
	pub liquidation_price: Option<Price>,
}

/// An account's health at the current oracle prices.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo)]
pub struct AccountHealth {
	/// Settled collateral (micro-dollars).
	pub collateral: Balance,
	/// Sum of the positions' unrealized PnL.
	pub unrealized_pnl: SignedBalance,
	/// Sum of the positions' accrued, unsettled funding (positive: owed).
	pub accrued_funding: SignedBalance,
	/// `collateral + unrealized_pnl − accrued_funding`.
	pub equity: SignedBalance,
	/// Sum of the positions' initial margin requirements.
	pub initial_requirement: Balance,
	/// Sum of the positions' maintenance margin requirements.
	pub maintenance_requirement: Balance,
	/// `equity / maintenance_requirement`; `None` without positions.
	pub health: Option<FixedI128>,
	/// `equity < maintenance_requirement` with at least one position.
	pub liquidatable: bool,
	/// The positions, by market.
	pub positions: Vec<PositionHealth>,
}

/// Why health figures cannot be given.
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, Debug, TypeInfo)]
pub enum HealthError {
	/// The account has no collateral and no position.
	NoAccount,
	/// A position refers to a market that does not exist.
	UnknownMarket(MarketId),
	/// The oracle has no usable price for a market the account holds.
	PriceUnavailable {
		/// The market.
		market: MarketId,
		/// Why.
		reason: PriceUnavailable,
	},
	/// A figure does not fit its type.
	Overflow,
}

sp_api::decl_runtime_apis! {
	/// Account health and market state of the margin pallet.
	///
	/// `MarketParams` is the pallet's `MarketParams` type.
	pub trait MarginApi<AccountId, MarketParams>
	where
		AccountId: Codec,
		MarketParams: Codec,
	{
		/// Equity, requirements, health ratio, per-position figures and
		/// liquidation prices of `who` at the current oracle prices.
		fn account_health(who: AccountId) -> Result<AccountHealth, HealthError>;

		/// Whether `who` is below its maintenance requirement now (what
		/// `liquidate` would accept, prices permitting).
		fn is_liquidatable(who: AccountId) -> Result<bool, HealthError>;

		/// Parameters, status and state of `market`.
		fn market(market: MarketId) -> Option<MarketSummary<MarketParams>>;

		/// Every market id.
		fn markets() -> Vec<MarketId>;
	}
}
