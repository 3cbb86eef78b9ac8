//! Types stored, taken as call arguments or emitted by the pallet, and the
//! hard bounds of the governed parameters.

use backstop_primitives::{Balance, MarketId, OracleAssetId, SignedBalance};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{
	pallet_prelude::{BoundedVec, Get},
	CloneNoBound, DebugNoBound, DefaultNoBound, EqNoBound, PartialEqNoBound,
};
use scale_info::TypeInfo;
use sp_arithmetic::{
	helpers_128bit::multiply_by_rational_with_rounding,
	traits::{AtLeast32BitUnsigned, Zero},
	FixedI128, FixedU128, Perbill, Permill, Rounding,
};

pub use pallet_margin_runtime_api::{MarketState, MarketStatus, Withdrawable};

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

/// How liquidations are sized (governed, `set_liquidation_params`).
///
/// An account below its maintenance requirement `M` with equity `E` is
/// closed **in part** when its health `E / M` is at least `full_below`: the
/// same smallest fraction of each position that brings it back to
/// `M × (1 + buffer)` after the penalty and reward, except that a position
/// whose notional is at most `small_position` closes in full and one above
/// `large_position` closes at most `max_portion` of itself per liquidation
/// (the rest in the next ones). Below `full_below`, or when the fraction
/// would be everything, every position closes.
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
pub struct LiquidationParams {
	/// Health below which an account is closed in full. 100%: every
	/// liquidation closes everything (the default).
	pub full_below: Permill,
	/// A partial liquidation restores the account to its maintenance
	/// requirement plus this share of it. More than zero.
	pub buffer: Permill,
	/// A position of at most this notional closes in full.
	pub small_position: Balance,
	/// A position above this notional closes at most `max_portion` of itself
	/// per liquidation.
	pub large_position: Balance,
	/// The most of a large position one liquidation closes. More than zero.
	pub max_portion: Permill,
}

impl Default for LiquidationParams {
	/// Every liquidation closes the whole account.
	fn default() -> Self {
		Self {
			full_below: Permill::one(),
			buffer: Permill::from_percent(10),
			small_position: 0,
			large_position: Balance::MAX,
			max_portion: Permill::one(),
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
	/// for dust): the cost basis. The market's `long_cost` and `short_cost`
	/// sum its magnitudes.
	pub cost: i128,
	/// The market's funding index when this position's funding was last
	/// settled.
	pub funding_index: FixedI128,
	/// The market's premium index when this position's backstop premium was
	/// last settled (at most the market's index).
	pub premium_index: FixedU128,
}

/// How the profit warm-up is governed: realised profit above `threshold`
/// credited in one operation matures linearly over `period` blocks before it
/// can be withdrawn (it backs margin at once). A `period` of zero disables
/// the warm-up (the default).
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
	serde::Serialize,
	serde::Deserialize,
)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProfitWarmup<BlockNumber> {
	/// Realised profit (micro-dollars) up to which a credit is withdrawable
	/// at once; a larger credit matures as a whole.
	pub threshold: Balance,
	/// The blocks over which a profit above the threshold matures. Zero: no
	/// warm-up.
	pub period: BlockNumber,
}

/// Realised profit of an account that is still maturing: `amount` was locked
/// at block `start` and unlocks linearly until block `end`.
///
/// The locked part backs margin like any collateral but cannot be withdrawn.
/// It is never more than the account's collateral: losses, fees and funding
/// paid are taken from it first.
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, Debug, Default, TypeInfo, MaxEncodedLen)]
pub struct MaturingProfit<BlockNumber> {
	/// Locked as of `start` (micro-dollars).
	pub amount: Balance,
	/// The block the current line starts at.
	pub start: BlockNumber,
	/// The block at which nothing is locked any more.
	pub end: BlockNumber,
}

impl<BlockNumber: AtLeast32BitUnsigned + Copy + Default> MaturingProfit<BlockNumber> {
	/// Nothing maturing.
	pub fn is_empty(&self) -> bool {
		self.amount.is_zero()
	}

	/// What is still locked at `now`: `amount × (end − now) / (end − start)`,
	/// rounded up (in the protocol's favour); zero from `end` on.
	pub fn locked_at(&self, now: BlockNumber) -> Balance {
		if self.amount.is_zero() || now >= self.end {
			return Zero::zero();
		}
		if now <= self.start {
			return self.amount;
		}
		let left: u128 = self.end.saturating_sub(now).unique_saturated_into();
		let span: u128 = self.end.saturating_sub(self.start).unique_saturated_into();
		// `0 < left < span`: the result is below `amount`, so it fits.
		multiply_by_rational_with_rounding(self.amount, left, span, Rounding::Up)
			.unwrap_or(self.amount)
			.min(self.amount)
	}

	/// Restarts the line at `now` with `locked` still locked and the same
	/// end; nothing maturing when `locked` is zero or the end has passed.
	fn rebase(&mut self, locked: Balance, now: BlockNumber) {
		*self = if locked.is_zero() || now >= self.end {
			Self::default()
		} else {
			Self { amount: locked, start: now, end: self.end }
		};
	}

	/// Applies an operation's net change of collateral `delta` at `now`,
	/// with the account's `collateral` after it:
	///
	/// * a credit above `warmup.threshold` (with a non-zero period) locks
	///   what is still locked plus the credit, maturing from `now` to
	///   `now + period`; a smaller credit is free at once;
	/// * a debit is taken from the locked profit first;
	/// * the locked part never exceeds `collateral`.
	///
	/// Returns whether the credit was locked.
	pub fn apply(
		&mut self,
		delta: SignedBalance,
		collateral: Balance,
		now: BlockNumber,
		warmup: &ProfitWarmup<BlockNumber>,
	) -> bool {
		let locked = self.locked_at(now);
		let gain = delta.max(0).unsigned_abs();
		if !warmup.period.is_zero() && gain > warmup.threshold {
			// A block number saturates only after billions of years of blocks;
			// what is locked is at most the collateral, so the sum fits.
			self.end = now.saturating_add(warmup.period);
			self.rebase(locked.saturating_add(gain).min(collateral), now);
			return true;
		}
		// A debit takes what is locked first, down to nothing; the rest of it
		// falls on free collateral.
		let loss = delta.min(0).unsigned_abs();
		let left = locked.saturating_sub(loss).min(collateral);
		if left != locked || now >= self.end {
			self.rebase(left, now);
		}
		false
	}
}

/// A margin account: collateral, positions sorted by market, and the
/// realised profit still maturing.
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
#[codec(mel_bound(BlockNumber: MaxEncodedLen))]
pub struct MarginAccount<
	MaxPositions: Get<u32>,
	BlockNumber: Clone + PartialEq + Eq + core::fmt::Debug + Default,
> {
	/// Settled collateral in micro-dollars (maturing profit included).
	pub collateral: Balance,
	/// Open positions, at most one per market, sorted by market id.
	pub positions: BoundedVec<Position, MaxPositions>,
	/// Realised profit still maturing: part of `collateral` that backs margin
	/// but cannot be withdrawn yet.
	pub maturing: MaturingProfit<BlockNumber>,
}

impl<MaxPositions: Get<u32>, BlockNumber: Clone + PartialEq + Eq + core::fmt::Debug + Default>
	MarginAccount<MaxPositions, BlockNumber>
{
	/// Neither collateral nor positions: not worth storing (nothing can be
	/// maturing without collateral).
	pub fn is_empty(&self) -> bool {
		self.collateral == 0 && self.positions.is_empty()
	}
}

/// A side of a market.
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
pub enum Side {
	/// Positions of positive size.
	Long,
	/// Positions of negative size.
	Short,
}

impl Side {
	/// The side of a position of `size` (`None` for zero).
	pub fn of(size: i128) -> Option<Self> {
		match size {
			0 => None,
			s if s > 0 => Some(Side::Long),
			_ => Some(Side::Short),
		}
	}

	/// The other side.
	pub fn opposite(self) -> Self {
		match self {
			Side::Long => Side::Short,
			Side::Short => Side::Long,
		}
	}
}

/// A position's place in its side's auto-deleveraging queue: its average
/// entry price, encoded so that the raw storage order of the queue is the
/// order in which positions are deleveraged (the highest profit as a
/// fraction of the entry price first, at any price). For a long that is the
/// lowest entry price; for a short the highest. Big-endian bytes: the
/// queue's keys use the `Identity` hasher, so storage iterates them in byte
/// order.
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
pub struct AdlRank(pub [u8; 16]);

impl AdlRank {
	/// The side and rank of `position` (`None` for a size of zero).
	pub fn of(position: &Position) -> Option<(Side, Self)> {
		let side = Side::of(position.size)?;
		// An entry price beyond `u128` (a dust size with a large cost) ranks
		// as the highest there is.
		let entry = crate::math::entry_price(position.cost, position.size)
			.map(|price| price.into_inner())
			.unwrap_or(u128::MAX);
		Some((side, Self::from_entry(side, entry)))
	}

	/// The rank of an entry price (`FixedU128` inner units) on `side`.
	pub fn from_entry(side: Side, entry: u128) -> Self {
		Self(match side {
			Side::Long => entry.to_be_bytes(),
			Side::Short => (u128::MAX - entry).to_be_bytes(),
		})
	}

	/// The entry price (`FixedU128` inner units) this rank stands for on
	/// `side`.
	pub fn entry(&self, side: Side) -> u128 {
		let raw = u128::from_be_bytes(self.0);
		match side {
			Side::Long => raw,
			Side::Short => u128::MAX - raw,
		}
	}

	/// Whether a position of this rank on `side` is in profit at `price`
	/// (inner units), by price alone: the queue holds no profitable
	/// position after the first one that is not.
	pub fn in_profit_at(&self, side: Side, price: u128) -> bool {
		match side {
			Side::Long => self.entry(side) < price,
			Side::Short => self.entry(side) > price,
		}
	}
}

/// Bad debt of one market that no paying tier covered and the pool did not
/// write off, waiting for auto-deleveraging: it is taken from the profit of
/// the positions on the side opposite the bankrupt one. The two parts sum to
/// the market's `deficit`.
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, Debug, Default, TypeInfo, MaxEncodedLen)]
pub struct PendingDeleveraging {
	/// To be taken from profitable longs (left by bankrupt shorts).
	pub from_longs: Balance,
	/// To be taken from profitable shorts (left by bankrupt longs).
	pub from_shorts: Balance,
	/// The market was `Active` when the deficit made it reduce-only: it
	/// returns to `Active` once the deficit is gone.
	pub reopen: bool,
}

impl PendingDeleveraging {
	/// What is to be taken from `side`.
	pub fn from(&self, side: Side) -> Balance {
		match side {
			Side::Long => self.from_longs,
			Side::Short => self.from_shorts,
		}
	}

	/// The part to be taken from `side`, mutably.
	pub fn from_mut(&mut self, side: Side) -> &mut Balance {
		match side {
			Side::Long => &mut self.from_longs,
			Side::Short => &mut self.from_shorts,
		}
	}

	/// The two sides, the one with more to take first.
	pub fn larger_first(&self) -> [Side; 2] {
		if self.from_shorts > self.from_longs {
			[Side::Short, Side::Long]
		} else {
			[Side::Long, Side::Short]
		}
	}

	/// Both parts together (saturating: each is at most the deficit).
	pub fn total(&self) -> Balance {
		self.from_longs.saturating_add(self.from_shorts)
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
			.checked_add(s.pending_staker_fees)?
			.checked_add(s.pending_premium)
	}

	/// Whether a settlement would move anything.
	pub fn has_pending(&self) -> bool {
		let s = &self.state;
		s.reserve_stale
			|| s.pool_receivable != 0
			|| s.pending_penalties != 0
			|| s.pending_insurance_fees != 0
			|| s.pending_staker_fees != 0
			|| s.pending_premium != 0
	}
}

/// What a liquidation did, for the weight actually charged.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct LiquidationOutcome {
	/// Positions closed in full or in part.
	pub positions: u32,
	/// Whether some position was only partly closed.
	pub partial: bool,
	/// Whether bad debt was handed to the loss waterfall.
	pub bad_debt: bool,
}

/// What one auto-deleveraging step did.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct DeleveragingOutcome {
	/// Positions examined.
	pub examined: u32,
	/// Positions deleveraged.
	pub deleveraged: u32,
	/// Taken from them in all.
	pub taken: Balance,
}

/// What a settlement of one market moved.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct SettlementOutcome {
	/// Paid to the insurance fund (penalties and fee share).
	pub to_insurance: Balance,
	/// Paid to the stakers (fee share and backstop premium).
	pub to_stakers: Balance,
	/// Of `to_stakers`, the backstop premium.
	pub premium_to_stakers: Balance,
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
	/// Makes the pool able to back `market` for `capacity`: at least
	/// `capacity` of free pool cash (to reserve against open interest and to
	/// pay profits out of), `market` registered with a credit cap of at least
	/// `capacity`, a non-zero reserve factor (so that trades really reserve)
	/// and a max-PnL factor that does not bind for profits up to `capacity`.
	/// The market's loss cap is zero unless [`Self::prepare_pool_loss`]
	/// raises it.
	fn prepare_liquidity(market: MarketId, capacity: Balance);
	/// Makes the pool accept up to `amount` of bad debt in `market` as its
	/// loss (`LiquidityProvider::absorb_loss`): the market's loss cap.
	fn prepare_pool_loss(market: MarketId, amount: Balance);
	/// Makes the loss waterfall able to cover `amount` of bad debt in
	/// `market` and the revenue sinks able to receive payments for it.
	fn prepare_backstop(market: MarketId, amount: Balance);
	/// Makes the pool allow `market`'s traders at most `amount` of net
	/// profit (`LiquidityProvider::max_trader_pnl`), about.
	fn prepare_max_pnl(market: MarketId, amount: Balance);
	/// Makes the backstop ask a premium rate of at least `rate` per block
	/// of `market` (`BackstopPremium::premium_rate`), so that the premium
	/// accrues in the benchmarks' worst case.
	fn prepare_premium(market: MarketId, rate: FixedU128);
}

#[cfg(feature = "runtime-benchmarks")]
impl<AccountId> BenchmarkHelper<AccountId> for () {
	fn set_price(_asset: OracleAssetId, _price: backstop_primitives::Price) {}
	fn prepare_liquidity(_market: MarketId, _capacity: Balance) {}
	fn prepare_pool_loss(_market: MarketId, _amount: Balance) {}
	fn prepare_backstop(_market: MarketId, _amount: Balance) {}
	fn prepare_max_pnl(_market: MarketId, _amount: Balance) {}
	fn prepare_premium(_market: MarketId, _rate: FixedU128) {}
}

#[cfg(test)]
mod tests {
	use super::*;

	const WARMUP: ProfitWarmup<u64> = ProfitWarmup { threshold: 100, period: 10 };

	#[test]
	fn maturing_profit_unlocks_linearly_rounding_up() {
		let m = MaturingProfit::<u64> { amount: 1_000, start: 10, end: 20 };
		assert_eq!(m.locked_at(5), 1_000);
		assert_eq!(m.locked_at(10), 1_000);
		assert_eq!(m.locked_at(11), 900);
		assert_eq!(m.locked_at(19), 100);
		assert_eq!(m.locked_at(20), 0);
		assert_eq!(m.locked_at(u64::MAX), 0);
		let odd = MaturingProfit::<u64> { amount: 10, start: 0, end: 3 };
		// 10 × 2 / 3 = 6.67, rounded up.
		assert_eq!(odd.locked_at(1), 7);
		assert!(MaturingProfit::<u64>::default().is_empty());
		assert_eq!(MaturingProfit::<u64>::default().locked_at(0), 0);
	}

	#[test]
	fn credits_above_the_threshold_lock_and_restart_the_line() {
		let mut m = MaturingProfit::<u64>::default();
		// At or below the threshold: free at once.
		assert!(!m.apply(100, 1_000, 5, &WARMUP));
		assert!(m.is_empty());
		assert!(m.apply(500, 1_500, 5, &WARMUP));
		assert_eq!(m, MaturingProfit { amount: 500, start: 5, end: 15 });
		// Half matured at 10; a new credit adds to what is still locked.
		m.apply(300, 1_800, 10, &WARMUP);
		assert_eq!(m, MaturingProfit { amount: 550, start: 10, end: 20 });
		// A small credit leaves the line alone.
		m.apply(50, 1_850, 12, &WARMUP);
		assert_eq!(m.locked_at(12), 440);
		// Fully matured: cleared on the next touch.
		m.apply(0, 1_850, 25, &WARMUP);
		assert!(m.is_empty());
	}

	#[test]
	fn debits_come_out_of_the_locked_profit_first_and_it_never_exceeds_collateral() {
		let mut m = MaturingProfit::<u64>::default();
		m.apply(500, 600, 0, &WARMUP);
		m.apply(-200, 400, 0, &WARMUP);
		assert_eq!(m, MaturingProfit { amount: 300, start: 0, end: 10 });
		// A cap from collateral that fell by other means (a withdrawal of
		// free collateral leaves it, a liquidation may not).
		m.apply(0, 120, 0, &WARMUP);
		assert_eq!(m.amount, 120);
		m.apply(-500, 0, 1, &WARMUP);
		assert!(m.is_empty());
	}

	#[test]
	fn a_zero_period_disables_the_warmup() {
		let mut m = MaturingProfit::<u64>::default();
		assert!(!m.apply(1_000_000, 2_000_000, 3, &ProfitWarmup { threshold: 0, period: 0 }));
		assert!(m.is_empty());
	}
}

/// A governed parameter, for the interval between two of its changes
/// (`ParamChangedAt`). One key per parameter and market where the parameter
/// is per market.
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
	/// A market's [`MarketParams`] (`create_market`, `update_market`): one
	/// parameter, however many fields change.
	MarketParams(MarketId),
	/// A market's stress move (`set_stress_move`).
	StressMove(MarketId),
	/// The trading fee split (`set_fee_split`).
	FeeSplit,
	/// The profit warm-up (`set_profit_warmup`).
	ProfitWarmup,
	/// The liquidation sizing (`set_liquidation_params`).
	LiquidationParams,
	/// The automatic sweep's weight budget (`set_sweep_budget`).
	SweepBudget,
}

impl ParamKey {
	/// The market the parameter belongs to, if it is per market.
	pub fn market(&self) -> Option<MarketId> {
		match self {
			ParamKey::MarketParams(id) | ParamKey::StressMove(id) => Some(*id),
			_ => None,
		}
	}
}

/// The rank of a status among the statuses governance may set, from the
/// loosest: `Active` < `ReduceOnly` < `Halted`; a move up the ranks tightens,
/// a move down loosens. `None` for `Closed`, which only a final settlement
/// reaches.
pub fn status_rank(status: MarketStatus) -> Option<u8> {
	match status {
		MarketStatus::Active => Some(0),
		MarketStatus::ReduceOnly => Some(1),
		MarketStatus::Halted => Some(2),
		MarketStatus::Closed => None,
	}
}
