#![doc = include_str!("../README.md")]
#![cfg_attr(not(feature = "std"), no_std)]
#![deny(missing_docs)]

extern crate alloc;

pub use pallet::*;

mod account_impls;
mod adl_impls;
#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod exposure_impls;
mod final_settlement_impls;
mod funding_impls;
mod governance_impls;
mod health_impls;
mod invariant_impls;
mod liquidation_impls;
mod market_impls;
pub mod math;
pub mod migrations;
#[cfg(test)]
mod mock;
mod pnl_deleveraging_impls;
mod settlement_impls;
mod sweep_impls;
mod takeover_impls;
#[cfg(test)]
mod tests;
mod trade_impls;
pub mod types;
pub mod weights;

pub use types::*;
pub use weights::WeightInfo;

/// The log target of this pallet.
const LOG_TARGET: &str = "runtime::margin";

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use alloc::vec::Vec;
	use backstop_primitives::{
		Authority, BackstopPremium, Balance, KeeperRewarder, LiquidityProvider, LossAbsorber,
		LossTier, MarketId, Price, PriceProvider, RevenueSink, SignedBalance,
	};
	use frame_support::{
		pallet_prelude::*,
		traits::{fungible, BuildGenesisConfig},
		PalletId,
	};
	use frame_system::pallet_prelude::*;
	use sp_arithmetic::Permill;

	/// The in-code storage version. Version 1: markets keep the aggregates
	/// the pool's NAV reads instead of locked capacity, and accounts their
	/// maturing profit (see [`crate::migrations::v1`]). Version 2: the
	/// auto-deleveraging queue and the deficits waiting for it (see
	/// [`crate::migrations::v2`]). Version 3: the backstop premium (an index
	/// and a pending ledger per market, a snapshot per position, see
	/// [`crate::migrations::v3`]).
	pub const STORAGE_VERSION: StorageVersion = StorageVersion::new(3);

	/// The largest raw storage key the liquidation sweep keeps as its cursor.
	pub type CursorBound = ConstU32<256>;

	/// A margin account as stored.
	pub type AccountOf<T> = MarginAccount<<T as Config>::MaxPositionsPerAccount, BlockNumberFor<T>>;

	/// The profit warm-up as stored.
	pub type WarmupOf<T> = ProfitWarmup<BlockNumberFor<T>>;

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// The settlement stablecoin (collateral, PnL, fees). In the runtime an
		/// `ItemOf` of `pallet-assets`.
		type Currency: fungible::Inspect<Self::AccountId, Balance = Balance>
			+ fungible::Mutate<Self::AccountId>;

		/// Prices of the markets' base assets.
		type PriceProvider: PriceProvider<BlockNumberFor<Self>>;

		/// The shared liquidity pool: the counterparty of every trade. Markets
		/// reserve its cash against their open interest, profits are paid out
		/// of its cash, and after the paying tiers it accepts bad debt as its
		/// loss up to each market's loss cap (`absorb_loss`).
		type Liquidity: LiquidityProvider<Self::AccountId>;

		/// The tiers that cover bad debt with money, in order (insurance
		/// fund, staking backstop); what they pay arrives in the pallet
		/// account for the pool. The pool's own write-off follows through
		/// `Liquidity::absorb_loss`.
		type LossWaterfall: LossAbsorber<Self::AccountId>;

		/// Pays keepers for liquidating insolvent accounts (whose collateral
		/// cannot pay the reward): the insurance fund, within its caps. What
		/// it pays arrives in the pallet account and is credited to the
		/// keeper's margin account.
		type KeeperRewards: KeeperRewarder<Self::AccountId>;

		/// Receives liquidation penalties and the insurance share of fees.
		type InsuranceSink: RevenueSink<Self::AccountId>;

		/// Receives the stakers' share of trading fees and the backstop
		/// premium (`RevenueKind::BackstopPremium`).
		type StakerSink: RevenueSink<Self::AccountId>;

		/// Prices the backstop premium each market's traders pay on their
		/// notional open interest, per block (in the runtime: the staking
		/// backstop, from its coverage and the market's volatility).
		type Premium: BackstopPremium;

		/// Blocks per year, for the annualized premium rate the runtime API
		/// reports (5_256_000 at six-second blocks).
		#[pallet::constant]
		type BlocksPerYear: Get<u32>;

		/// The stress move of a market governance has not set one for
		/// (`set_stress_move`): the adverse move of its asset the backstop
		/// must survive in the required capital.
		#[pallet::constant]
		type DefaultStressMove: Get<Permill>;

		/// Where `sweep_excess` sends what the pallet account holds beyond
		/// its ledgers and the buffer (unsolicited transfers, never counted),
		/// as `RevenueKind::Unsolicited`. In the runtime: the insurance fund.
		type ExcessSink: RevenueSink<Self::AccountId>;

		/// Creates and changes markets, their status, the fee split, the
		/// profit warm-up, the liquidation sizing, the sweep budget and the
		/// stress moves; settles markets for good; sweeps unsolicited
		/// transfers. Its success value is the [`Authority`] the call came
		/// from: Root is bound only by the hard ranges, the risk track also
		/// by `MaxParamStep` and `MinChangeInterval`, the guardian by those
		/// and to changes that only tighten (README, "Governance").
		type AdminOrigin: EnsureOrigin<Self::RuntimeOrigin, Success = Authority>;

		/// The largest relative step of one numeric parameter in one change
		/// by the risk track or the guardian (`|new − old| ≤ step × old`).
		/// Above zero.
		#[pallet::constant]
		type MaxParamStep: Get<Permill>;

		/// The fewest blocks between two changes of the same parameter by the
		/// risk track or the guardian, counted from its last change by any
		/// authority.
		#[pallet::constant]
		type MinChangeInterval: Get<BlockNumberFor<Self>>;

		/// The pallet's account, which holds all collateral.
		#[pallet::constant]
		type PalletId: Get<PalletId>;

		/// The most markets there can be.
		#[pallet::constant]
		type MaxMarkets: Get<u32>;

		/// The most positions (markets) one account can hold.
		#[pallet::constant]
		type MaxPositionsPerAccount: Get<u32>;

		/// The most accounts the automatic sweep examines per block (within
		/// its weight budget as well).
		#[pallet::constant]
		type MaxSweepAccounts: Get<u32>;

		/// The largest weight governance may give the automatic sweep in each
		/// block's `on_initialize`, and its budget until governance sets one
		/// (`set_sweep_budget`).
		#[pallet::constant]
		type MaxSweepWeight: Get<Weight>;

		/// The most accounts one `liquidate_batch` call may name.
		#[pallet::constant]
		type MaxLiquidationBatch: Get<u32>;

		/// The least collateral that opens a margin account, kept until the
		/// account withdraws everything: what an account's storage costs.
		#[pallet::constant]
		type MinCollateral: Get<Balance>;

		/// The most positions auto-deleveraging examines per block, across
		/// all markets with a deficit (in `on_initialize`).
		#[pallet::constant]
		type MaxDeleveragingPerBlock: Get<u32>;

		/// Where max-PnL deleveraging brings a market's traders back to: this
		/// fraction of the most profit the pool allows them
		/// (`LiquidityProvider::max_trader_pnl`). Below 100%.
		#[pallet::constant]
		type PnlDeleveragingTarget: Get<sp_arithmetic::Permill>;

		/// The longest profit warm-up governance may set (blocks).
		#[pallet::constant]
		type MaxWarmupPeriod: Get<BlockNumberFor<Self>>;

		/// Weights of the calls and hooks.
		type WeightInfo: WeightInfo;

		/// Sets up oracle prices, pool cash and credit, and the waterfall for
		/// the benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper<Self::AccountId>;
	}

	/// The markets.
	#[pallet::storage]
	pub type Markets<T: Config> = StorageMap<_, Twox64Concat, MarketId, MarketInfo, OptionQuery>;

	/// How many markets exist (at most `MaxMarkets`).
	#[pallet::storage]
	pub type MarketCount<T: Config> = StorageValue<_, u32, ValueQuery>;

	/// The margin accounts.
	#[pallet::storage]
	pub type Accounts<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, AccountOf<T>, OptionQuery>;

	/// How trading fees are split between LPs, the insurance fund and stakers.
	#[pallet::storage]
	pub type FeeSplitConfig<T: Config> = StorageValue<_, FeeSplit, ValueQuery>;

	/// The profit warm-up: realised profit above the threshold matures over
	/// the period before it can be withdrawn. Zero period (the default): off.
	#[pallet::storage]
	pub type ProfitWarmupConfig<T: Config> = StorageValue<_, WarmupOf<T>, ValueQuery>;

	/// How liquidations are sized: in part above a health threshold, at most
	/// a portion of a large position at a time.
	#[pallet::storage]
	pub type LiquidationConfig<T: Config> = StorageValue<_, LiquidationParams, ValueQuery>;

	/// Accounts liquidated in part in this block: not liquidated in part
	/// again before the next block (so a large position loses at most
	/// `max_portion` of itself per block); a full close below the health
	/// threshold still goes ahead. Cleared in `on_initialize`.
	#[pallet::storage]
	pub type LiquidatedThisBlock<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, (), OptionQuery>;

	/// Where the automatic liquidation sweep resumes: the raw storage key (in
	/// [`Traders`]) of the last account it examined. `None`: from the start.
	#[pallet::storage]
	pub type LiquidationCursor<T: Config> =
		StorageValue<_, BoundedVec<u8, CursorBound>, OptionQuery>;

	/// The accounts holding at least one position: what the automatic sweep
	/// examines, so that accounts without positions cost it nothing. The
	/// pallet keeps it in step with every change of an account.
	#[pallet::storage]
	pub type Traders<T: Config> =
		CountedStorageMap<_, Blake2_128Concat, T::AccountId, (), OptionQuery>;

	/// Markets under final settlement, with their settlement price: each
	/// block closes their positions at it until none is left.
	#[pallet::storage]
	pub type FinalSettlement<T: Config> = StorageMap<_, Twox64Concat, MarketId, Price, OptionQuery>;

	/// The weight the automatic sweep may use in each block's
	/// `on_initialize`, as governance set it (`None`: `MaxSweepWeight`).
	#[pallet::storage]
	pub type SweepBudget<T: Config> = StorageValue<_, Weight, OptionQuery>;

	/// The last market the idle settlement visited; the next visit starts
	/// after it.
	#[pallet::storage]
	pub type SettlementCursor<T: Config> = StorageValue<_, MarketId, OptionQuery>;

	/// The auto-deleveraging queue of each market and side: one entry per
	/// open position, keyed by its rank (average entry price, see
	/// [`AdlRank`]) and owner, so that iterating a side visits its positions
	/// from the most profitable (as a fraction of the entry price) down. The
	/// pallet keeps it in step with every change of a position.
	#[pallet::storage]
	pub type AdlQueue<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		(MarketId, Side),
		Identity,
		(AdlRank, T::AccountId),
		(),
		OptionQuery,
	>;

	/// Deficits waiting for auto-deleveraging, by market and by the side they
	/// are taken from; the parts sum to the market's `deficit`.
	#[pallet::storage]
	pub type Deleveraging<T: Config> =
		StorageMap<_, Twox64Concat, MarketId, PendingDeleveraging, OptionQuery>;

	/// Where auto-deleveraging resumes in a market's side: the raw storage
	/// key of the last queue entry it examined. `None`: from the top.
	#[pallet::storage]
	pub type DeleveragingCursor<T: Config> =
		StorageMap<_, Twox64Concat, (MarketId, Side), BoundedVec<u8, CursorBound>, OptionQuery>;

	/// The stress move of each market (the adverse move of its asset the
	/// stressed required capital assumes); `DefaultStressMove` where
	/// governance set none. Never zero.
	#[pallet::storage]
	pub type StressMoves<T: Config> =
		StorageMap<_, Twox64Concat, MarketId, Permill, ValueQuery, T::DefaultStressMove>;

	/// When each governed parameter last changed (by any authority): the
	/// risk track and the guardian change it again only `MinChangeInterval`
	/// blocks later. At most one entry per [`ParamKey`]: two per market and
	/// four pallet-wide. Markets are never removed, so no entry outlives its
	/// market.
	#[pallet::storage]
	pub type ParamChangedAt<T: Config> =
		StorageMap<_, Blake2_128Concat, ParamKey, BlockNumberFor<T>, OptionQuery>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A market was created (status `Active`).
		MarketCreated {
			/// The market.
			market: MarketId,
			/// Its parameters.
			params: MarketParams,
		},
		/// A market's parameters were replaced.
		MarketUpdated {
			/// The market.
			market: MarketId,
			/// The new parameters.
			params: MarketParams,
		},
		/// A market's status changed (by governance, or to `ReduceOnly` after
		/// an unresolved deficit).
		MarketStatusChanged {
			/// The market.
			market: MarketId,
			/// The new status.
			status: MarketStatus,
		},
		/// The trading fee split changed.
		FeeSplitUpdated {
			/// The new split.
			split: FeeSplit,
		},
		/// Collateral was deposited.
		Deposited {
			/// The account.
			who: T::AccountId,
			/// Credited to its collateral.
			amount: Balance,
		},
		/// Collateral was withdrawn.
		Withdrawn {
			/// The account.
			who: T::AccountId,
			/// Paid out of its collateral.
			amount: Balance,
		},
		/// A position's accrued funding was settled against the pool.
		FundingSettled {
			/// The account.
			who: T::AccountId,
			/// The market.
			market: MarketId,
			/// Paid by the position (positive) or to it (negative).
			amount: SignedBalance,
		},
		/// A position's accrued backstop premium was taken from the account's
		/// collateral for the stakers (held in the market's
		/// `pending_premium` until the next settlement).
		PremiumSettled {
			/// The account.
			who: T::AccountId,
			/// The market.
			market: MarketId,
			/// Taken from the collateral (what it could pay of the premium
			/// owed; see the README on the forgiven part).
			amount: Balance,
		},
		/// Governance set a market's stress move.
		StressMoveSet {
			/// The market.
			market: MarketId,
			/// The new stress move.
			stress_move: Permill,
		},
		/// A trade was executed against the pool.
		Traded {
			/// The trader.
			who: T::AccountId,
			/// The market.
			market: MarketId,
			/// The signed size traded (positive: bought).
			size_delta: i128,
			/// The oracle price it executed at.
			price: Price,
			/// The oracle price adjusted by the fee per unit (what
			/// `acceptable_price` was checked against).
			fill_price: Price,
			/// The fee charged (trading fee plus skew fee).
			fee: Balance,
			/// Profit (positive) or loss realised by the reduced part.
			realized_pnl: SignedBalance,
			/// The position's size after the trade.
			size: i128,
		},
		/// A position was closed, in full or in part, by a liquidation.
		PositionLiquidated {
			/// The account.
			who: T::AccountId,
			/// The market.
			market: MarketId,
			/// The signed size closed.
			size: i128,
			/// The signed size left open (zero: closed in full).
			remaining: i128,
			/// The oracle price it closed at.
			price: Price,
			/// Its realised profit or loss.
			realized_pnl: SignedBalance,
			/// Its funding settled (positive: paid).
			funding: SignedBalance,
			/// The penalty charged on it for the insurance fund.
			penalty: Balance,
		},
		/// Part of a profitable position was closed at the oracle price, its
		/// whole profit paid, because the market's traders held more profit
		/// than the pool allows (max-PnL deleveraging). The account lost
		/// nothing but the part of the position.
		ProfitDeleveraged {
			/// The account.
			who: T::AccountId,
			/// The market.
			market: MarketId,
			/// The signed size closed.
			size: i128,
			/// The oracle price it closed at.
			price: Price,
			/// Its realised profit, paid to the account.
			realized_pnl: SignedBalance,
		},
		/// A market's traders held more profit than the pool allows; the most
		/// profitable positions were deleveraged towards `target`
		/// (`ProfitDeleveraged` for each).
		PnlDeleveraged {
			/// The market.
			market: MarketId,
			/// The traders' net profit before.
			trader_pnl: SignedBalance,
			/// The most the pool allows them.
			max_trader_pnl: Balance,
			/// Where deleveraging brings them back to.
			target: Balance,
			/// What the traders' net profit fell by: the profit realised
			/// (and paid) less the funding the closes settled.
			reduced: Balance,
			/// The traders' net profit after.
			trader_pnl_after: SignedBalance,
		},
		/// A keeper took part or all of a liquidatable account's position
		/// into its own account at a price discounted by the market's
		/// liquidation penalty (`take_over`).
		PositionTakenOver {
			/// The liquidatable account.
			who: T::AccountId,
			/// The keeper that took the position.
			keeper: T::AccountId,
			/// The market.
			market: MarketId,
			/// The signed size that changed hands, as the account held it.
			size: i128,
			/// The oracle price.
			price: Price,
			/// The discounted price it changed hands at.
			fill_price: Price,
			/// The account's realised profit or loss on it, at `fill_price`.
			realized_pnl: SignedBalance,
			/// What the discount cost the account (and gained the keeper).
			discount: Balance,
		},
		/// An account below its maintenance requirement was liquidated: all
		/// its positions were closed, or, above the governed health
		/// threshold, the part of them that restores it (see
		/// `PositionLiquidated` for each).
		Liquidated {
			/// The account.
			who: T::AccountId,
			/// Who called `liquidate` (`None`: the automatic sweep).
			liquidator: Option<T::AccountId>,
			/// Its equity before the liquidation.
			equity: SignedBalance,
			/// Its maintenance requirement before the liquidation.
			maintenance_requirement: Balance,
			/// Paid to the liquidator: out of the account's collateral, or,
			/// for an account left with bad debt, by the insurance fund
			/// (`Config::KeeperRewards`, within its caps).
			reward: Balance,
			/// Charged for the insurance fund.
			penalty: Balance,
			/// Handed to the loss waterfall.
			bad_debt: Balance,
		},
		/// Bad debt left by a liquidation in one of the account's losing
		/// markets (its share, pro rata to that market's loss) was handed to
		/// the loss waterfall.
		BadDebtReferred {
			/// The losing market the share is booked against.
			market: MarketId,
			/// The liquidated account.
			account: T::AccountId,
			/// The market's share of the bad debt.
			amount: Balance,
		},
		/// The loss waterfall and the pool answered for one market's share
		/// of a bad debt: `covered + written_off + uncovered` is the share.
		BadDebtCovered {
			/// The market.
			market: MarketId,
			/// Paid into the pallet account by the paying tiers (insurance
			/// fund, staking backstop), now owed to the pool.
			covered: Balance,
			/// Accepted by the pool as its loss, within the market's loss cap
			/// (a write-off: no money moved).
			written_off: Balance,
			/// Borne by nobody yet: recorded as the market's deficit.
			uncovered: Balance,
		},
		/// Bad debt no tier covered and the pool did not write off was
		/// recorded as the market's deficit; the market is reduce-only.
		DeficitRecorded {
			/// The market.
			market: MarketId,
			/// Added to the deficit.
			amount: Balance,
			/// The market's deficit now.
			total: Balance,
			/// The tier that must resolve it.
			next_tier: LossTier,
		},
		/// Auto-deleveraging took `taken` of a profitable position's profit
		/// towards its market's deficit: `size` of it closed at the oracle
		/// `price`, its realised profit `realized_pnl` credited less `taken`.
		/// The account lost exactly `taken` against a close at the oracle
		/// price, and was left at or above its maintenance requirement.
		Deleveraged {
			/// The account.
			who: T::AccountId,
			/// The market.
			market: MarketId,
			/// The signed size closed (the position's sign).
			size: i128,
			/// The oracle price it closed at.
			price: Price,
			/// The profit the closed part realised at `price`.
			realized_pnl: SignedBalance,
			/// Taken from that profit for the deficit (owed to the pool).
			taken: Balance,
			/// What is still to be taken from this side of the market.
			remaining: Balance,
		},
		/// Someone paid towards a market's deficit (to the pool).
		DeficitCovered {
			/// The market.
			market: MarketId,
			/// The payer.
			who: T::AccountId,
			/// Paid.
			amount: Balance,
			/// The deficit left.
			remaining: Balance,
		},
		/// A market's pending flows were settled with the pool and the sinks.
		MarketSettled {
			/// The market.
			market: MarketId,
			/// Paid to the insurance fund.
			to_insurance: Balance,
			/// Paid to the stakers: their fee share and the backstop premium.
			to_stakers: Balance,
			/// Of `to_stakers`, the backstop premium
			/// (`RevenueKind::BackstopPremium`).
			premium_to_stakers: Balance,
			/// Collected by the pool (with what a sink did not take).
			to_pool: Balance,
		},
		/// A counterparty refused part of a settlement; it stays pending.
		SettlementFailed {
			/// The market.
			market: MarketId,
			/// The refused amount.
			amount: Balance,
			/// Why.
			error: DispatchError,
		},
		/// The pallet account's existential buffer was missing and was
		/// restored from an inflow.
		BufferRestored {
			/// Taken from the inflow for the buffer.
			amount: Balance,
		},
		/// The liquidation sizing changed.
		LiquidationParamsUpdated {
			/// The new parameters.
			params: LiquidationParams,
		},
		/// Governance started the final settlement of a market (now `Halted`)
		/// at `price`.
		FinalSettlementStarted {
			/// The market.
			market: MarketId,
			/// The settlement price.
			price: Price,
		},
		/// A final settlement closed a position at the settlement price (or,
		/// for an account that could not pay its loss there, one of its
		/// other positions at its own price).
		PositionSettled {
			/// The account.
			who: T::AccountId,
			/// The position's market.
			market: MarketId,
			/// The signed size closed.
			size: i128,
			/// The price it closed at.
			price: Price,
			/// Its realised profit or loss.
			realized_pnl: SignedBalance,
			/// Its funding settled (positive: paid).
			funding: SignedBalance,
		},
		/// A final settlement closed an account that could not pay its loss:
		/// `bad_debt` went down the loss waterfall.
		SettledWithBadDebt {
			/// The account.
			who: T::AccountId,
			/// Its bad debt.
			bad_debt: Balance,
		},
		/// A final settlement closed the market's last position: the market
		/// is `Closed` for good.
		MarketClosed {
			/// The market.
			market: MarketId,
			/// The settlement price.
			price: Price,
			/// The deficit the profitable side could not cover (zero almost
			/// always; anyone may still `cover_deficit` it).
			deficit: Balance,
		},
		/// The automatic sweep's weight budget per block changed.
		SweepBudgetUpdated {
			/// The new budget.
			budget: Weight,
		},
		/// A `liquidate_batch` call was processed.
		BatchLiquidated {
			/// Who submitted it (and was rewarded for each liquidation).
			keeper: T::AccountId,
			/// How many of the accounts named were liquidated.
			liquidated: u32,
			/// How many were skipped (healthy, already liquidated in part in
			/// this block, or failing for another reason; nothing changed for
			/// them).
			skipped: u32,
		},
		/// The profit warm-up changed.
		ProfitWarmupUpdated {
			/// The new warm-up.
			warmup: WarmupOf<T>,
		},
		/// A realised profit above the warm-up threshold was credited to an
		/// account and locked: it backs margin at once and unlocks linearly
		/// until `matures_at`.
		ProfitLocked {
			/// The account.
			who: T::AccountId,
			/// The profit credited (the operation's net gain).
			amount: Balance,
			/// All that is locked now (what was still locked plus `amount`,
			/// at most the collateral).
			locked: Balance,
			/// The block from which nothing is locked.
			matures_at: BlockNumberFor<T>,
		},
		/// What the pallet account held beyond all collateral, every
		/// market's ledgers and the buffer (unsolicited transfers) was swept
		/// to the excess sink.
		ExcessSwept {
			/// What the sink took.
			amount: Balance,
		},
	}

	#[pallet::error]
	pub enum Error<T> {
		/// No market with this id.
		UnknownMarket,
		/// A market with this id exists already.
		MarketExists,
		/// `MaxMarkets` markets exist already.
		TooManyMarkets,
		/// Maintenance margin at or above initial margin.
		InvalidMarginFractions,
		/// Maintenance margin below the hard minimum.
		MarginFractionTooLow,
		/// Penalty plus liquidator reward above the maintenance margin.
		LiquidationFeesTooHigh,
		/// Trading fee or skew fee above the hard maximum.
		FeeTooHigh,
		/// A skew scale of zero.
		ZeroSkewScale,
		/// Funding rate above the hard maximum.
		FundingRateTooHigh,
		/// The lower open-interest cap is not below the upper one.
		InvalidOpenInterestCaps,
		/// An open-interest figure of zero or above the hard maximum.
		OpenInterestOutOfBounds,
		/// Volatility multiplier above the hard maximum.
		VolatilityMultiplierTooHigh,
		/// The oracle asset of a market with open interest cannot change.
		OracleAssetLocked,
		/// The fee split does not sum to 100%.
		InvalidFeeSplit,
		/// An amount of zero.
		ZeroAmount,
		/// A trade of size zero.
		ZeroSize,
		/// Not enough collateral for the amount, the realised loss or the fee.
		InsufficientCollateral,
		/// The account would be below its initial margin requirement.
		BelowInitialMargin,
		/// The account would be below its maintenance margin requirement.
		BelowMaintenanceMargin,
		/// The account's equity is negative.
		OpenBadDebt,
		/// The oracle price is stale.
		PriceStale,
		/// The oracle holds a price jump for confirmation.
		PriceHeld,
		/// The oracle has no price for the asset.
		PriceUnavailable,
		/// The fill price is worse than `acceptable_price`.
		SlippageExceeded,
		/// The trade would take open interest above the market's maximum.
		OpenInterestCapExceeded,
		/// The market accepts only trades that reduce a position.
		MarketReduceOnly,
		/// The market is halted.
		MarketHalted,
		/// The account holds `MaxPositionsPerAccount` positions already.
		TooManyPositions,
		/// A figure overflowed.
		Overflow,
		/// The pool refused to reserve cash for the open interest a trade
		/// adds (its credit cap or free cash cannot bear it).
		InsufficientLiquidity,
		/// The pool could not pay a profit (it lacks the cash).
		LiquidityPaymentFailed,
		/// The market's traders hold more net unrealized profit than the pool
		/// allows (its max-PnL factor): only risk-reducing trades are
		/// accepted.
		PnlCapExceeded,
		/// Part of the amount is realised profit still maturing under the
		/// warm-up: it cannot be withdrawn yet.
		ProfitMaturing,
		/// A warm-up period above `MaxWarmupPeriod`.
		WarmupPeriodTooLong,
		/// The account is not below its maintenance requirement.
		NotLiquidatable,
		/// The market has no deficit.
		NoDeficit,
		/// Nothing is pending for the market.
		NothingToSettle,
		/// The pallet account misses its existential buffer and the inflow is
		/// too small to restore it.
		BufferMissing,
		/// The ledgers exceed what the pallet account can pay (an impossible
		/// state, reported instead of paying).
		LedgerExceedsAccount,
		/// The pallet account holds nothing beyond its ledgers and the buffer
		/// (or the excess sink took nothing of it).
		NoExcess,
		/// There are more margin accounts than the witness `accounts` of
		/// `sweep_excess` allows.
		TooManyAccounts,
		/// Liquidation parameters with a zero buffer or a zero maximum
		/// portion.
		InvalidLiquidationParams,
		/// The account was liquidated in part in this block already; it is
		/// liquidated again from the next block (or in full, below the
		/// health threshold).
		PartiallyLiquidatedThisBlock,
		/// A sweep budget above `MaxSweepWeight`, or too small for one
		/// worst-case liquidation.
		InvalidSweepBudget,
		/// No account of a `liquidate_batch` call could be liquidated.
		NothingLiquidated,
		/// The market is closed (after a final settlement), or `Closed` was
		/// asked of `set_market_status` (only a final settlement closes).
		MarketClosed,
		/// The market's final settlement is under way.
		SettlementUnderway,
		/// The account holds no position in the market.
		NoPosition,
		/// A settlement price was given while the oracle has a fresh price:
		/// a market settles at the oracle's price when there is one.
		OraclePriceAvailable,
		/// A settlement price of zero.
		InvalidSettlementPrice,
		/// A deposit opening an account below `MinCollateral`, or a
		/// withdrawal leaving less than it (withdraw everything to close).
		BelowMinimumCollateral,
		/// The market has a deficit waiting for auto-deleveraging: it cannot be
		/// made `Active` until the deficit is gone.
		DeficitPending,
		/// A keeper cannot take over its own position.
		CannotTakeOverOwnPosition,
		/// A takeover asks for more than a liquidation would close of the
		/// position now.
		TakeoverTooLarge,
		/// The account's collateral cannot pay the loss realised on the part
		/// taken over; liquidate it instead.
		TakeoverUnpayable,
		/// The takeover would leave the account with bad debt; liquidate it
		/// instead.
		TakeoverLeavesBadDebt,
		/// A stress move of zero.
		ZeroStressMove,
		/// Governance froze the market's price: only trades that reduce a
		/// position are accepted until it is live again (liquidations go on at
		/// the frozen price).
		PriceFrozen,
		/// The guardian asked for a change that loosens something (or that
		/// only the root or risk track may make in either direction).
		GuardianCannotLoosen,
		/// The risk track or the guardian moved a numeric parameter by more
		/// than `MaxParamStep` of its old value (a parameter at zero moves
		/// only by Root).
		StepTooLarge,
		/// The risk track or the guardian changed a parameter less than
		/// `MinChangeInterval` blocks after its last change.
		ChangeTooSoon,
	}

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// Markets created at genesis, `Active`.
		pub markets: Vec<(MarketId, MarketParams)>,
		/// The fee split; the default split when `None`.
		pub fee_split: Option<FeeSplit>,
		/// The profit warm-up; none (disabled) when `None`.
		pub profit_warmup: Option<WarmupOf<T>>,
		/// The liquidation sizing; full liquidations only when `None`.
		pub liquidation: Option<LiquidationParams>,
		/// Stress moves of markets created at genesis (others keep
		/// `DefaultStressMove`); each must name a genesis market and be above
		/// zero. May be left out of a JSON genesis (none).
		#[serde(default)]
		pub stress_moves: Vec<(MarketId, Permill)>,
		#[serde(skip)]
		#[allow(missing_docs)]
		pub _config: core::marker::PhantomData<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			Pallet::<T>::do_genesis(
				&self.markets,
				self.fee_split,
				self.profit_warmup,
				self.liquidation,
				&self.stress_moves,
			);
		}
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_initialize(_now: BlockNumberFor<T>) -> Weight {
			let cleared = LiquidatedThisBlock::<T>::clear(u32::MAX, None);
			T::DbWeight::get()
				.reads_writes(u64::from(cleared.loops), u64::from(cleared.unique))
				.saturating_add(Self::accrue_funding())
				.saturating_add(Self::deleverage_all())
				.saturating_add(Self::settle_and_sweep())
		}

		fn on_idle(_now: BlockNumberFor<T>, remaining_weight: Weight) -> Weight {
			Self::do_idle(remaining_weight)
		}

		fn integrity_test() {
			Self::do_integrity_test()
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_now: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call(weight(<T as Config>::WeightInfo))]
	impl<T: Config> Pallet<T> {
		/// Creates market `market` with `params`, `Active`.
		///
		/// - `origin`: `AdminOrigin`, Root or the risk track (the guardian is refused:
		///   `GuardianCannotLoosen`).
		#[pallet::call_index(0)]
		pub fn create_market(
			origin: OriginFor<T>,
			market: MarketId,
			params: MarketParams,
		) -> DispatchResult {
			let authority = T::AdminOrigin::ensure_origin(origin)?;
			Self::do_create_market(authority, market, params)
		}

		/// Replaces the parameters of `market`. Its oracle asset can change
		/// only while it has no open interest.
		///
		/// - `origin`: `AdminOrigin`. The guardian only tightens; the risk track and
		///   the guardian move every numeric field by at most `MaxParamStep`, at
		///   most once per `MinChangeInterval` (README, "Governance").
		#[pallet::call_index(1)]
		pub fn update_market(
			origin: OriginFor<T>,
			market: MarketId,
			params: MarketParams,
		) -> DispatchResult {
			let authority = T::AdminOrigin::ensure_origin(origin)?;
			Self::do_update_market(authority, market, params)
		}

		/// Sets the status of `market` (`Active`, `ReduceOnly`, `Halted`). A
		/// market with a deficit waiting for auto-deleveraging cannot be made
		/// `Active` (`DeficitPending`); any status set while it waits stays
		/// when the deficit is gone (no automatic reopening).
		///
		/// - `origin`: `AdminOrigin`. The guardian only moves towards `Halted`
		///   (`Active` → `ReduceOnly` → `Halted`); no step, no interval.
		#[pallet::call_index(2)]
		pub fn set_market_status(
			origin: OriginFor<T>,
			market: MarketId,
			status: MarketStatus,
		) -> DispatchResult {
			let authority = T::AdminOrigin::ensure_origin(origin)?;
			Self::do_set_market_status(authority, market, status)
		}

		/// Sets how trading fees are split; the parts must sum to 100%.
		///
		/// - `origin`: `AdminOrigin`, Root or the risk track (step-bounded, one change
		///   per `MinChangeInterval`); the guardian is refused.
		#[pallet::call_index(3)]
		pub fn set_fee_split(origin: OriginFor<T>, split: FeeSplit) -> DispatchResult {
			let authority = T::AdminOrigin::ensure_origin(origin)?;
			Self::do_set_fee_split(authority, split)
		}

		/// Moves `amount` of the settlement asset from the caller into its
		/// margin account.
		#[pallet::call_index(4)]
		pub fn deposit(origin: OriginFor<T>, amount: Balance) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_deposit(&who, amount)
		}

		/// Pays `amount` of collateral back to the caller. Settles the
		/// funding of every position first; refused for realised profit
		/// still maturing, below initial margin afterwards (unrealized profit
		/// does not count, unrealized loss does), with negative equity, or on
		/// a stale price.
		#[pallet::call_index(5)]
		pub fn withdraw(origin: OriginFor<T>, amount: Balance) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_withdraw(&who, amount)
		}

		/// Trades `size_delta` (millionths of the base asset; positive buys)
		/// in `market` against the pool at the oracle price, refused if the
		/// fill price (oracle ± fee per unit) is worse than
		/// `acceptable_price`. The pool reserves cash against the market's
		/// open interest afterwards; a trade that adds to it is refused if the
		/// pool cannot (`InsufficientLiquidity`) or if the market's traders
		/// hold more profit than the pool allows (`PnlCapExceeded`).
		#[pallet::call_index(6)]
		pub fn trade(
			origin: OriginFor<T>,
			market: MarketId,
			size_delta: i128,
			acceptable_price: Price,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_trade(&who, market, size_delta, acceptable_price)
		}

		/// Liquidates `account` if its equity is below its maintenance
		/// requirement: closes at the oracle price the part of its positions
		/// the liquidation parameters call for (all of them below their
		/// health threshold), nets their profits against their losses (the
		/// pool pays only a net profit), splits any bad debt across the
		/// losing markets pro rata; the caller earns the reward on what was
		/// closed.
		#[pallet::call_index(7)]
		#[pallet::weight(Pallet::<T>::liquidation_weight(None))]
		pub fn liquidate(
			origin: OriginFor<T>,
			account: T::AccountId,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			let outcome = Self::do_liquidate(&account, Some(&who))?;
			Ok(Some(Self::liquidation_weight(Some(outcome))).into())
		}

		/// Settles what `market` holds for the pool, the insurance fund and
		/// the stakers. Anyone may call it; the idle hook does it too.
		#[pallet::call_index(8)]
		pub fn settle_market(origin: OriginFor<T>, market: MarketId) -> DispatchResult {
			ensure_signed(origin)?;
			Self::do_settle_market(market)
		}

		/// Pays up to `amount` from the caller towards the deficit of
		/// `market` (to the pool).
		#[pallet::call_index(9)]
		pub fn cover_deficit(
			origin: OriginFor<T>,
			market: MarketId,
			amount: Balance,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_cover_deficit(&who, market, amount)
		}

		/// Sets the profit warm-up: realised profit above `threshold` credited
		/// in one operation matures linearly over `period` blocks before it can
		/// be withdrawn (it backs margin at once). A `period` of zero switches
		/// the warm-up off; profit already maturing keeps its schedule.
		///
		/// - `origin`: `AdminOrigin`. The guardian only lengthens the period or lowers
		///   the threshold; step- and interval-bounded but for Root.
		#[pallet::call_index(10)]
		pub fn set_profit_warmup(
			origin: OriginFor<T>,
			threshold: Balance,
			period: BlockNumberFor<T>,
		) -> DispatchResult {
			let authority = T::AdminOrigin::ensure_origin(origin)?;
			Self::do_set_profit_warmup(authority, ProfitWarmup { threshold, period })
		}

		/// Sets how liquidations are sized (see [`LiquidationParams`]).
		///
		/// - `origin`: `AdminOrigin`. The guardian only raises fields (liquidations
		///   close more); step- and interval-bounded but for Root.
		#[pallet::call_index(12)]
		pub fn set_liquidation_params(
			origin: OriginFor<T>,
			params: LiquidationParams,
		) -> DispatchResult {
			let authority = T::AdminOrigin::ensure_origin(origin)?;
			Self::do_set_liquidation_params(authority, params)
		}

		/// Sets the weight the automatic liquidation sweep may use in each
		/// block's `on_initialize`: at most `MaxSweepWeight`, at least one
		/// worst-case liquidation.
		///
		/// - `origin`: `AdminOrigin`. The guardian only raises the budget; step- and
		///   interval-bounded but for Root.
		#[pallet::call_index(13)]
		pub fn set_sweep_budget(origin: OriginFor<T>, budget: Weight) -> DispatchResult {
			let authority = T::AdminOrigin::ensure_origin(origin)?;
			Self::do_set_sweep_budget(authority, budget)
		}

		/// Settles market `market` for good: it turns `Halted`, and from the
		/// next block on every position closes at the settlement price in
		/// bounded steps (positions not in profit first, then the profitable
		/// ones, each first deleveraged by any deficit waiting on its side),
		/// after which the market is `Closed`.
		///
		/// - `origin`: `AdminOrigin`, Root or the risk track (the guardian is refused:
		///   `GuardianCannotLoosen`).
		/// - `price`: `None` settles at the oracle's fresh price; a price is
		///   accepted only when the oracle has none (`OraclePriceAvailable`).
		#[pallet::call_index(15)]
		pub fn settle_final(
			origin: OriginFor<T>,
			market: MarketId,
			price: Option<Price>,
		) -> DispatchResult {
			let authority = T::AdminOrigin::ensure_origin(origin)?;
			Self::do_settle_final(authority, market, price)
		}

		/// Liquidates each of `accounts` that is below maintenance, as
		/// `liquidate` does, each in a storage layer of its own; an account
		/// that cannot be liquidated is skipped and left unchanged. The
		/// caller earns the reward of each liquidation and pays no fee when at
		/// least one account was liquidated. Fails with `NothingLiquidated`
		/// (and pays the fee) when none could be.
		///
		/// This is how a keeper submits what it found by reading state off
		/// chain (the node's liquidation keeper does so every block).
		///
		/// - `origin`: signed, by anyone.
		/// - `accounts`: at most `MaxLiquidationBatch`; charged the worst case
		///   of each up front, refunded to what the liquidations used.
		#[pallet::call_index(14)]
		#[pallet::weight(Pallet::<T>::batch_weight(accounts.len(), None))]
		pub fn liquidate_batch(
			origin: OriginFor<T>,
			accounts: BoundedVec<T::AccountId, T::MaxLiquidationBatch>,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			let used = Self::do_liquidate_batch(&who, accounts.into_inner())?;
			// A batch that liquidated is free: keepers are paid by rewards,
			// not charged for doing the chain's work.
			Ok(frame_support::dispatch::PostDispatchInfo {
				actual_weight: Some(used),
				pays_fee: frame_support::dispatch::Pays::No,
			})
		}

		/// Takes `size` of `who`'s position in `market` into the caller's
		/// margin account at the oracle price discounted by the market's
		/// liquidation penalty, while `who` is liquidatable: the on-chain
		/// form of a liquidation auction, which leaves the pool's exposure
		/// unchanged.
		///
		/// - `size`: at most what a liquidation would close of the position
		///   now (`TakeoverTooLarge`); a partial takeover at most once per
		///   account and block.
		/// - The market must be `Active` with a fresh, unfrozen price; the
		///   account's collateral must pay its loss on the part
		///   (`TakeoverUnpayable`) without bad debt (`TakeoverLeavesBadDebt`);
		///   the caller must meet its initial margin afterwards.
		#[pallet::call_index(16)]
		#[pallet::weight(<T as Config>::WeightInfo::take_over())]
		pub fn take_over(
			origin: OriginFor<T>,
			who: T::AccountId,
			market: MarketId,
			size: u128,
		) -> DispatchResult {
			let keeper = ensure_signed(origin)?;
			Self::do_take_over(&keeper, &who, market, size)
		}

		/// Sets the stress move of `market`: the adverse move of its asset the
		/// stressed required capital assumes (`RiskExposure::required_capital`).
		///
		/// - `origin`: `AdminOrigin`. The guardian only raises it; step- and
		///   interval-bounded but for Root.
		/// - `stress_move`: above zero (`ZeroStressMove`).
		#[pallet::call_index(17)]
		pub fn set_stress_move(
			origin: OriginFor<T>,
			market: MarketId,
			stress_move: Permill,
		) -> DispatchResult {
			let authority = T::AdminOrigin::ensure_origin(origin)?;
			Self::do_set_stress_move(authority, market, stress_move)
		}

		/// Sweeps what the pallet account holds beyond all collateral, every
		/// market's ledgers and the buffer (unsolicited transfers, never
		/// counted) to the excess sink.
		///
		/// - `origin`: `AdminOrigin`, any authority (maintenance: no step, no interval).
		/// - `accounts`: a witness of at least the number of margin accounts.
		///   The call sums the collateral of every account, so it is weighed
		///   by the witness, refused with `TooManyAccounts` when more accounts
		///   exist, and charged for the accounts it read.
		#[pallet::call_index(11)]
		#[pallet::weight(<T as Config>::WeightInfo::sweep_excess(*accounts))]
		pub fn sweep_excess(origin: OriginFor<T>, accounts: u32) -> DispatchResultWithPostInfo {
			// Maintenance: any authority, no bounds.
			let _authority = T::AdminOrigin::ensure_origin(origin)?;
			let read = Self::do_sweep_excess(accounts)?;
			Ok(Some(<T as Config>::WeightInfo::sweep_excess(read)).into())
		}
	}
}
