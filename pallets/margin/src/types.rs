//! Types stored, taken as call arguments or emitted by the pallet, and the
//! hard bounds of the governed parameters.

use backstop_primitives::{Balance, MarketId, OracleAssetId};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{
	pallet_prelude::{BoundedVec, Get},
	CloneNoBound, DebugNoBound, DefaultNoBound, EqNoBound, PartialEqNoBound,
};
use scale_info::TypeInfo;
use sp_arithmetic::{FixedI128, FixedU128, Perbill, Permill};

pub use pallet_margin_runtime_api::{MarketState, MarketStatus};

/// Smallest maintenance margin fraction governance may set: 0.1%.
pub const MIN_MAINTENANCE_MARGIN: Permill = Permill::from_parts(1_000);
/// Largest trading fee and largest skew fee governance may set: 1%.
pub const MAX_FEE: Permill = Permill::from_percent(1);
/// Largest funding rate per block governance may set: 0.01% of the price per
/// block (about 6% per hour at six-second blocks).
pub const MAX_FUNDING_RATE_PER_BLOCK: Perbill = Perbill::from_parts(100_000);
/// Largest open-interest figure (caps and maximum) governance may set: one
/// trillion dollars, in micro-dollars.
pub const MAX_OPEN_INTEREST: Balance = 1_000_000_000_000_000_000;
/// Largest volatility multiplier governance may set.
pub const MAX_VOLATILITY_MULTIPLIER: u32 = 100;

/// The governed parameters of one perpetual market.
///
/// Notional figures are micro-dollars; sizes and skew scales are millionths
/// of the base asset (see `backstop_primitives::units`).
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
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MarketParams {
	/// The oracle feed that prices the base asset.
	pub oracle_asset: OracleAssetId,
	/// Base initial margin fraction (before add-ons); `1 / initial_margin` is
	/// the largest leverage a position can be opened with.
	pub initial_margin: Permill,
	/// Maintenance margin fraction: an account whose equity falls below the
	/// sum of `|size| × price × maintenance_margin` is liquidated. At least
	/// [`MIN_MAINTENANCE_MARGIN`], strictly below `initial_margin`.
	pub maintenance_margin: Permill,
	/// Gross open interest (notional) up to which the initial margin is the
	/// base fraction.
	pub open_interest_lower_cap: Balance,
	/// Gross open interest (notional) at which the initial margin reaches
	/// 100%; it rises linearly between the two caps.
	pub open_interest_upper_cap: Balance,
	/// Largest gross open interest (notional) a trade may take the market to.
	pub max_open_interest: Balance,
	/// Multiplies the volatility estimate (oracle confidence plus
	/// `|spot − EMA| / spot`) into an initial-margin add-on. At most
	/// [`MAX_VOLATILITY_MULTIPLIER`].
	pub volatility_multiplier: FixedU128,
	/// Largest volatility add-on.
	pub volatility_cap: Permill,
	/// Fee on the notional of every trade. At most [`MAX_FEE`].
	pub trading_fee: Permill,
	/// Skew fee: the extra fee rate charged at `|skew| = skew_scale` on the
	/// part of a trade that increases `|skew|`. At most [`MAX_FEE`].
	pub skew_fee: Permill,
	/// The skew (millionths of the base asset) at which the skew fee rate
	/// reaches `skew_fee`. Not zero.
	pub skew_scale: u128,
	/// Penalty on the closed notional of a liquidated account, paid to the
	/// insurance fund out of remaining equity.
	pub liquidation_penalty: Permill,
	/// Reward on the closed notional paid to whoever called `liquidate`, out
	/// of remaining equity. Penalty plus reward at most `maintenance_margin`.
	pub liquidator_reward: Permill,
	/// Largest funding rate per block, as a fraction of the price. At most
	/// [`MAX_FUNDING_RATE_PER_BLOCK`].
	pub max_funding_rate: Perbill,
	/// The skew (millionths of the base asset) at which the funding rate
	/// reaches `max_funding_rate`. Not zero.
	pub funding_skew_scale: u128,
}

/// How trading fees are split. The three parts sum to 100%.
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
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FeeSplit {
	/// Share of the liquidity providers (collected by the pool).
	pub liquidity_providers: Permill,
	/// Share of the insurance fund.
	pub insurance: Permill,
	/// Share of the backstop stakers.
	pub stakers: Permill,
}

impl Default for FeeSplit {
	/// 70% to LPs, 20% to the insurance fund, 10% to stakers.
	fn default() -> Self {
		Self {
			liquidity_providers: Permill::from_percent(70),
			insurance: Permill::from_percent(20),
			stakers: Permill::from_percent(10),
		}
	}
}

/// One perpetual position.
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen)]
pub struct Position {
	/// The market.
	pub market: MarketId,
	/// Signed size in millionths of the base asset (negative: short). Never
	/// zero in storage.
	pub size: i128,
	/// Signed entry notional in micro-dollars (same sign as `size`, or zero
	/// for dust): the cost basis. Also the pool capacity the position holds.
	pub cost: i128,
	/// The market's funding index when this position's funding was last
	/// settled.
	pub funding_index: FixedI128,
}

/// A margin account: collateral and positions, sorted by market.
#[derive(
	Encode,
	Decode,
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
	DefaultNoBound,
	TypeInfo,
	MaxEncodedLen,
)]
#[scale_info(skip_type_params(MaxPositions))]
#[codec(mel_bound())]
pub struct MarginAccount<MaxPositions: Get<u32>> {
	/// Settled collateral in micro-dollars.
	pub collateral: Balance,
	/// Open positions, at most one per market, sorted by market id.
	pub positions: BoundedVec<Position, MaxPositions>,
}

impl<MaxPositions: Get<u32>> MarginAccount<MaxPositions> {
	/// Neither collateral nor positions: not worth storing.
	pub fn is_empty(&self) -> bool {
		self.collateral == 0 && self.positions.is_empty()
	}
}

/// A market: governed parameters, status and moving state.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen)]
pub struct MarketInfo {
	/// Governed parameters.
	pub params: MarketParams,
	/// What the market accepts.
	pub status: MarketStatus,
	/// Open interest, funding, pending settlements, deficit.
	pub state: MarketState,
}

impl MarketInfo {
	/// Everything held in the pallet account for others (pool, insurance
	/// fund, stakers) on behalf of this market.
	pub fn held_for_others(&self) -> Option<Balance> {
		let s = &self.state;
		s.pool_receivable
			.checked_add(s.pending_penalties)?
			.checked_add(s.pending_insurance_fees)?
			.checked_add(s.pending_staker_fees)
	}

	/// Whether a settlement would move anything.
	pub fn has_pending(&self) -> bool {
		let s = &self.state;
		s.pending_release != 0
			|| s.pool_receivable != 0
			|| s.pending_penalties != 0
			|| s.pending_insurance_fees != 0
			|| s.pending_staker_fees != 0
	}
}

/// What a liquidation did, for the weight actually charged.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct LiquidationOutcome {
	/// Positions closed.
	pub positions: u32,
	/// Whether bad debt was handed to the loss waterfall.
	pub bad_debt: bool,
}

/// What a settlement of one market moved.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct SettlementOutcome {
	/// Capacity released to the pool.
	pub released: Balance,
	/// Paid to the insurance fund (penalties and fee share).
	pub to_insurance: Balance,
	/// Paid to the stakers.
	pub to_stakers: Balance,
	/// Collected by the pool.
	pub to_pool: Balance,
}

/// Hooks the runtime provides so that benchmarks can set up the worst case
/// against the real oracle, pool and waterfall.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId> {
	/// Makes `price` the fresh price of `asset` (EMA equal to it, confidence
	/// zero), bypassing any per-block move limit of the oracle.
	fn set_price(asset: OracleAssetId, price: backstop_primitives::Price);
	/// Lets `market` draw at least `capacity` from the liquidity provider and
	/// gives the pool enough assets to pay profits of that size.
	fn prepare_liquidity(market: MarketId, capacity: Balance);
	/// Makes the loss waterfall able to cover `amount` of bad debt in
	/// `market` and the revenue sinks able to receive payments for it.
	fn prepare_backstop(market: MarketId, amount: Balance);
}

#[cfg(feature = "runtime-benchmarks")]
impl<AccountId> BenchmarkHelper<AccountId> for () {
	fn set_price(_asset: OracleAssetId, _price: backstop_primitives::Price) {}
	fn prepare_liquidity(_market: MarketId, _capacity: Balance) {}
	fn prepare_backstop(_market: MarketId, _amount: Balance) {}
}
