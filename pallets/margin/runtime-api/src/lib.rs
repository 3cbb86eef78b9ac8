//! Runtime API of the Backstop margin pallet (`pallet-margin`).
//!
//! Read access for the node and for polkadot.js (`api.call.marginApi.*`) to
//! what a trader or a keeper needs to know about an account (equity,
//! requirements, health, liquidation prices, whether it can be liquidated,
//! what it may withdraw and the profit still maturing) and to the state of
//! each perpetual market (including the traders' net PnL against the pool
//! and the pool's max-PnL cap), and to what the pallet account holds beyond
//! its ledgers (unsolicited transfers), and to the backstop premium each
//! market pays and the stressed capital the backstop holds against it.
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
use sp_arithmetic::{FixedI128, FixedU128, Permill};

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
	/// No trade, no funding accrual, no auto-deleveraging. Liquidations go on:
	/// a halted market shields no account; its positions close at the
	/// oracle price, or without one at the pallet's conservative mark (the
	/// last fresh price moved against the position by the maintenance
	/// margin).
	Halted,
	/// Settled for good by a final settlement: no position, no trade, no
	/// funding; it cannot be reopened.
	Closed,
}

/// The moving state of one market, as stored by the pallet.
///
/// Besides open interest it keeps three aggregates over the market's
/// positions so that the traders' net unrealized PnL and accrued funding can
/// be valued in O(1), without iterating accounts: `long_cost`, `short_cost`
/// and `funding_basis` (the pallet's `try_state` checks them against the
/// sums over positions exactly).
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, Debug, Default, TypeInfo, MaxEncodedLen)]
pub struct MarketState {
	/// Sum of all long sizes (millionths of the base asset).
	pub long_open_interest: u128,
	/// Sum of the magnitudes of all short sizes (millionths of the base asset).
	pub short_open_interest: u128,
	/// Sum of the cost bases (entry notionals, micro-dollars) of all long
	/// positions.
	pub long_cost: Balance,
	/// Sum of the magnitudes of the cost bases of all short positions.
	pub short_cost: Balance,
	/// Sum over all positions of `⌈size × funding index at the position's
	/// last settlement⌉` (micro-dollars): the funding the positions would owe
	/// from index zero to their snapshots. The market's accrued, unsettled
	/// funding is `⌈skew × funding_index⌉ − funding_basis`.
	pub funding_basis: SignedBalance,
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
	/// Bad debt that neither the loss waterfall nor the pool's loss cap
	/// absorbed: left to auto-deleveraging and governance.
	pub deficit: Balance,
	/// A liquidation lowered the open interest: the pool's reservation is
	/// brought down to it at the next settlement (the idle hook's, each
	/// block), which keeps a liquidation free of calls into the pool.
	pub reserve_stale: bool,
	/// Cumulative backstop premium per unit of position size, in the units
	/// of the funding index (dollars per whole base unit): a position of
	/// size `s` owes `⌈|s| × (index now − index at its last settlement)⌉`
	/// micro-dollars, long or short alike. Never decreases.
	pub premium_index: FixedU128,
	/// The premium rate of the last accrual, as a fraction of notional per
	/// block (zero when the market did not accrue: halted, closed, no fresh
	/// price).
	pub premium_rate: FixedU128,
	/// Backstop premium taken from traders' collateral and held in the
	/// pallet account for the stakers, handed to them at the next
	/// settlement (`RevenueKind::BackstopPremium`).
	pub pending_premium: Balance,
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
	/// The traders' net unrealized PnL minus their accrued funding at the
	/// fresh oracle price (positive: the pool would owe them if every
	/// position closed now), rounded in the pool's favour (it may overstate
	/// the traders' profit by a unit or two per position, never understate
	/// it). `None` when the market has open interest and no usable price.
	pub trader_pnl: Option<SignedBalance>,
	/// The most net unrealized profit the pool lets this market's traders
	/// hold (its max-PnL factor of what the market may use of the pool);
	/// `None` when the pool does not know the market.
	pub max_trader_pnl: Option<Balance>,
	/// `trader_pnl > max_trader_pnl`: the market accepts no risk-increasing
	/// trade until the traders' profit falls back under the cap.
	pub pnl_cap_exceeded: bool,
}

/// What an account may withdraw now, and the realised profit still maturing.
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, Debug, Default, TypeInfo)]
pub struct Withdrawable {
	/// The account's collateral once its accrued funding is settled (what a
	/// withdrawal settles first).
	pub collateral: Balance,
	/// The most `withdraw` would pay now: the collateral not locked by
	/// maturing profit, and no more than keeps the account at its initial
	/// margin counting unrealized PnL only when it is a loss.
	pub withdrawable: Balance,
	/// Realised profit still locked by the warm-up: it backs margin but
	/// cannot be withdrawn yet. It unlocks linearly until `matures_at`.
	pub maturing: Balance,
	/// The block at which the maturing profit is fully unlocked; `None` when
	/// nothing is maturing.
	pub matures_at: Option<u32>,
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
	/// Backstop premium accrued since the last settlement, rounded up (the
	/// position owes it; a debit to equity like accrued funding).
	pub accrued_premium: Balance,
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
	/// Sum of the positions' accrued, unsettled backstop premium (owed).
	pub accrued_premium: Balance,
	/// `collateral + unrealized_pnl − accrued_funding − accrued_premium`.
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

/// A position's exposure to auto-deleveraging: its place in the queue of its
/// market side, which a deficit left by a bankrupt position on the other
/// side is taken from, most profitable (as a fraction of the entry price)
/// first.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo)]
pub struct AdlExposure {
	/// The market.
	pub market: MarketId,
	/// The position is long (else short).
	pub long: bool,
	/// Its place in its side's queue: 1 is deleveraged first.
	pub rank: u32,
	/// The positions in its side's queue.
	pub queue_length: u32,
	/// Its profit at the oracle price (zero when it is not in profit: it is
	/// not deleveraged at this price).
	pub profit: Balance,
	/// The profit of the positions ahead of it at the oracle price: a
	/// deficit up to this much can be covered before this position is
	/// touched (less when accounts ahead have little equity above their
	/// maintenance requirement, which caps what is taken from each).
	pub profit_ahead: Balance,
	/// The deficit now waiting to be taken from its side.
	pub pending: Balance,
}

/// The backstop premium of one market and the capital the backstop holds
/// against it.
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, Debug, TypeInfo)]
pub struct MarketPremium {
	/// The premium rate per block, as a fraction of notional open interest,
	/// of the last accrual (zero when the market did not accrue).
	pub rate_per_block: FixedU128,
	/// `rate_per_block × BlocksPerYear`: the annualized rate on notional
	/// (simple, not compounded).
	pub annual_rate: FixedU128,
	/// The market's volatility estimate now: the oracle's confidence plus
	/// `|spot − EMA| / spot` (`None` without a fresh price).
	pub volatility: Option<FixedU128>,
	/// The market's cumulative premium per unit of size (see
	/// [`MarketState::premium_index`]).
	pub premium_index: FixedU128,
	/// Premium taken from traders and not yet handed to the stakers.
	pub pending_premium: Balance,
	/// The market's governed stress move (the adverse move of its asset the
	/// backstop must survive).
	pub stress_move: Permill,
	/// The market's stressed required capital:
	/// `max(long, short) notional × (stress_move − maintenance_margin)⁺`,
	/// rounded up.
	pub required_capital: Balance,
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

		/// What `who` may withdraw now (after settling its funding), and the
		/// realised profit still maturing under the warm-up.
		fn withdrawable(who: AccountId) -> Result<Withdrawable, HealthError>;

		/// What the pallet account holds beyond all collateral, every
		/// market's ledgers and the existential buffer: unsolicited
		/// transfers, never counted, swept by governance (`sweep_excess`).
		fn excess() -> Balance;

		/// Each position of `who` with its place in the auto-deleveraging
		/// queue of its market side and the profit ahead of it (an exchange's
		/// ADL indicator). Reads the queue up to the position.
		fn adl_exposure(who: AccountId) -> Vec<AdlExposure>;

		/// Up to `max` accounts below maintenance now, found by reading the
		/// index of accounts with positions: what a keeper names in
		/// `liquidate_batch`.
		fn liquidatable_accounts(max: u32) -> Vec<AccountId>;

		/// The backstop premium of `market` (rate per block and annualized,
		/// volatility, index, what is pending for the stakers) with its stress
		/// move and stressed required capital; `None` for an unknown market.
		fn market_premium(market: MarketId) -> Option<MarketPremium>;

		/// The stressed required capital of all markets moving together
		/// (correlations at one): `max(Σ long terms, Σ short terms)`.
		fn required_capital() -> Balance;
	}
}
