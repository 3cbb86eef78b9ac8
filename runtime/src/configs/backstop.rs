//! The Backstop pallets: the settlement asset they all hold, and the loss
//! waterfall and revenue routes that compose them.
//!
//! Risk parameters change through each pallet's `AdminOrigin`: Root (the
//! root track, or sudo on the dev chain), the risk track, or the risk
//! council acting defensively (see [`super::governance`]); every pallet
//! bounds the risk track's and the council's steps by [`RiskParamStep`] and
//! their frequency by [`RiskChangeInterval`].

use crate::{
	AccountId, AssetId, Assets, BlockNumber, InsuranceFund, Margin, OracleAggregator, Runtime,
	SharedLiquidity, StakingBackstop, DAYS, HOURS, SETTLEMENT_ASSET_ID,
};
use backstop_primitives::{units::DOLLARS, Balance};
use frame_support::{
	parameter_types,
	traits::{fungible::ItemOf, ConstU32},
	PalletId,
};
use sp_runtime::{FixedU128, Perbill, Permill};

parameter_types! {
	/// The settlement stablecoin's id in `pallet-assets`.
	pub const SettlementAssetId: AssetId = SETTLEMENT_ASSET_ID;
}

/// The settlement stablecoin seen as a single `fungible`: the currency of
/// every Backstop pallet.
pub type Settlement = ItemOf<Assets, SettlementAssetId, AccountId>;

pub use super::governance::RiskAdmin;

parameter_types! {
	/// The largest change of one risk parameter the risk track or the
	/// council may make at once: a quarter of its value.
	pub const RiskParamStep: Permill = Permill::from_percent(25);
	/// The fewest blocks between two changes of one risk parameter by the
	/// risk track or the council (10 blocks on the dev and local chains, 3
	/// days in production).
	pub const RiskChangeInterval: BlockNumber = super::governance::periods::RISK_CHANGE_INTERVAL;
}

parameter_types! {
	pub const InsuranceFundPalletId: PalletId = PalletId(*b"bk/insur");
	pub const InsuranceMaxCapFraction: Permill = Permill::from_percent(50);
	pub const InsuranceMaxAbsoluteCap: Balance = 10_000_000 * DOLLARS;
	pub const InsuranceMaxTargetFraction: Permill = Permill::from_percent(20);
	pub const InsuranceMaxForwardFraction: Permill = Permill::from_percent(50);
	pub const InsuranceMaxKeeperReward: Balance = 1_000 * DOLLARS;
	/// A release pays out a quarter of a fund's surplus.
	pub const InsuranceSurplusReleaseShare: Permill = Permill::from_percent(25);
}

/// First tier of the loss waterfall and the sink for liquidation penalties
/// and the insurance share of trading fees.
impl pallet_insurance_fund::Config for Runtime {
	type Currency = Settlement;
	/// Targets are sized against the margin pallet's open interest.
	type Exposure = Margin;
	type AdminOrigin = RiskAdmin;
	type MaxParamStep = RiskParamStep;
	type MinChangeInterval = RiskChangeInterval;
	type PalletId = InsuranceFundPalletId;
	type MaxMarketFunds = ConstU32<256>;
	type MaxCapFraction = InsuranceMaxCapFraction;
	type MaxAbsoluteCap = InsuranceMaxAbsoluteCap;
	type MaxTargetFraction = InsuranceMaxTargetFraction;
	type MaxForwardFraction = InsuranceMaxForwardFraction;
	type MaxKeeperReward = InsuranceMaxKeeperReward;
	type MaxKeeperRewardsPerBlock = ConstU32<100>;
	/// Surplus above target goes to the stakers' reward ledger, at most
	/// once an hour per fund.
	type SurplusSink = StakingBackstop;
	type SurplusReleaseInterval = ConstU32<600>;
	type SurplusReleaseShare = InsuranceSurplusReleaseShare;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = benchmark_helpers::InsuranceBenchmarkHelper;
	type WeightInfo = pallet_insurance_fund::weights::SubstrateWeight<Runtime>;
}

parameter_types! {
	/// No price above a trillion dollars per unit is accepted.
	pub const OracleMaxPrice: backstop_primitives::Price =
		backstop_primitives::Price::from_inner(1_000_000_000_000 * 1_000_000_000_000_000_000);
}

parameter_types! {
	/// Feeds authorized by the oracle (`submit_feed`) outrank anything a tip
	/// can buy.
	pub const OracleFeedPriority: sp_runtime::transaction_validity::TransactionPriority =
		sp_runtime::transaction_validity::TransactionPriority::MAX / 2;
}

/// Multi-source prices: the `PriceProvider` of the margin pallet. Values carry
/// their observation time (milliseconds, `pallet-timestamp`); an observation
/// more than 30 seconds off the block's time is refused, and a governance
/// freeze lasts a day unless renewed.
impl pallet_oracle_aggregator::Config for Runtime {
	type AdminOrigin = RiskAdmin;
	type MaxParamStep = RiskParamStep;
	type MinChangeInterval = RiskChangeInterval;
	type WeightInfo = pallet_oracle_aggregator::weights::SubstrateWeight<Runtime>;
	type Time = crate::Timestamp;
	type FeederSignature = crate::Signature;
	type MaxFeedSkew = frame_support::traits::ConstU64<30_000>;
	type MaxFreezeDuration = frame_support::traits::ConstU64<86_400_000>;
	type FeedPriority = OracleFeedPriority;
	type FeedLongevity = ConstU32<4>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = benchmark_helpers::OracleBenchmarkHelper;
	type MaxFeeders = ConstU32<15>;
	type MaxAssets = ConstU32<64>;
	type MaxBatch = ConstU32<10>;
	type MaxPrice = OracleMaxPrice;
	type MaxIdleChecks = ConstU32<4>;
}

/// polkadot-sdk's `pallet-oracle` (the ORML oracle), so that `benchmark
/// pallet` measures it beside the oracle aggregator in the same run. Its
/// member list is empty and only benchmarks can add to it: on chain it is
/// inert.
pub mod reference_oracle {
	use super::*;
	use alloc::vec::Vec;
	use backstop_primitives::{OracleAssetId, Price};
	use frame_support::traits::SortedMembers;

	parameter_types! {
		pub const ReferenceOraclePalletId: PalletId = PalletId(*b"bk/rforc");
		pub storage ReferenceOracleMemberList: Vec<AccountId> = Vec::new();
	}

	/// The feeders of the reference oracle, kept sorted.
	pub struct ReferenceOracleMembers;
	impl SortedMembers<AccountId> for ReferenceOracleMembers {
		fn sorted_members() -> Vec<AccountId> {
			ReferenceOracleMemberList::get()
		}
		#[cfg(feature = "runtime-benchmarks")]
		fn add(who: &AccountId) {
			let mut members = ReferenceOracleMemberList::get();
			if let Err(pos) = members.binary_search(who) {
				members.insert(pos, who.clone());
				ReferenceOracleMemberList::set(&members);
			}
		}
	}

	/// Ten distinct assets, the largest batch both oracles accept.
	pub struct ReferenceOracleBenchmarkHelper;
	#[cfg(feature = "runtime-benchmarks")]
	impl pallet_oracle::BenchmarkHelper<OracleAssetId, Price, ConstU32<10>>
		for ReferenceOracleBenchmarkHelper
	{
		fn get_currency_id_value_pairs(
		) -> frame_support::BoundedVec<(OracleAssetId, Price), ConstU32<10>> {
			let pairs: Vec<(OracleAssetId, Price)> =
				(0..10u32).map(|i| (i, Price::from_u32(1_000u32.saturating_add(i)))).collect();
			frame_support::BoundedVec::truncate_from(pairs)
		}
	}

	impl pallet_oracle::Config for Runtime {
		type OnNewData = ();
		type CombineData = pallet_oracle::DefaultCombineData<
			Runtime,
			ConstU32<1>,
			frame_support::traits::ConstU64<{ 3600 * 1000 }>,
		>;
		type Time = crate::Timestamp;
		type OracleKey = OracleAssetId;
		type OracleValue = Price;
		type PalletId = ReferenceOraclePalletId;
		type Members = ReferenceOracleMembers;
		type WeightInfo = ();
		type MaxHasDispatchedSize = ConstU32<15>;
		type MaxFeedValues = ConstU32<10>;
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper = ReferenceOracleBenchmarkHelper;
	}
}

/// The paying tiers of the loss waterfall: bad debt runs down the insurance
/// fund (the market's sub-fund, then the global fund) and the staking
/// backstop (junior, then senior), which pay what they cover into the margin
/// pallet's account for the pool. The third tier, the shared liquidity pool,
/// accepts what is left as its loss up to the market's loss cap through
/// `LiquidityProvider::absorb_loss` (a write-off: no money moves); what all
/// three leave is the market's deficit, for auto-deleveraging.
pub type LossWaterfall = (InsuranceFund, StakingBackstop);

parameter_types! {
	pub const StakingBackstopPalletId: PalletId = PalletId(*b"bk/stake");
	pub const StakingMaxMinStake: Balance = 100_000 * DOLLARS;
	pub const StakingMaxSlashFraction: Perbill = Perbill::from_percent(50);
	/// Short enough for the development chain; production presets use days.
	pub const StakingMinCooldown: BlockNumber = 10;
	pub const StakingMaxCooldown: BlockNumber = 30 * DAYS;
	pub const StakingMinUnstakeWindow: BlockNumber = 10;
	pub const StakingMaxUnstakeWindow: BlockNumber = 7 * DAYS;
	pub StakingMaxCoveragePoint: FixedU128 = FixedU128::from_u32(10);
	/// The unstake window is at most a quarter of the cooldown.
	pub const StakingMaxWindowFraction: Permill = Permill::from_percent(25);
	/// Governance may set a wipe-out floor of at most 10% of the share price.
	pub const StakingMaxWipeOutFloor: Perbill = Perbill::from_percent(10);
	/// The junior tranche earns at most ten times the senior rate per unit of
	/// capital.
	pub StakingMaxJuniorMultiple: FixedU128 = FixedU128::from_u32(10);
}

/// Second tier of the loss waterfall; earns the backstop premium the traders
/// pay on their open interest (priced by coverage of the stressed required
/// capital and by volatility), the stakers' share of trading fees and
/// insurance surplus, split between the tranches by capital with a junior
/// multiple.
impl pallet_staking_backstop::Config for Runtime {
	type Currency = Settlement;
	/// Unsolicited transfers to the staking account go to the insurance fund.
	type ExcessSink = InsuranceFund;
	/// Required capital (the stressed loss of open interest, and so the
	/// premium) comes from the markets.
	type Exposure = Margin;
	type AdminOrigin = RiskAdmin;
	type MaxParamStep = RiskParamStep;
	type MinChangeInterval = RiskChangeInterval;
	type PalletId = StakingBackstopPalletId;
	type MaxMinStake = StakingMaxMinStake;
	type MaxSlashFraction = StakingMaxSlashFraction;
	type MinCooldown = StakingMinCooldown;
	type MaxCooldown = StakingMaxCooldown;
	type MinUnstakeWindow = StakingMinUnstakeWindow;
	type MaxUnstakeWindow = StakingMaxUnstakeWindow;
	type MaxCoveragePoint = StakingMaxCoveragePoint;
	type MaxWindowFraction = StakingMaxWindowFraction;
	type MaxWipeOutFloor = StakingMaxWipeOutFloor;
	type MaxJuniorMultiple = StakingMaxJuniorMultiple;
	type BlocksPerYear = BlocksPerYear;
	type WeightInfo = pallet_staking_backstop::weights::SubstrateWeight<Runtime>;
}

parameter_types! {
	pub const SharedLiquidityPalletId: PalletId = PalletId(*b"bk/liqpl");
	pub const LiquidityMaxCreditCap: Balance = 100_000_000 * DOLLARS;
	pub const LiquidityMaxLossCap: Balance = 10_000_000 * DOLLARS;
	pub const LiquidityMaxBaseRate: Permill = Permill::from_percent(20);
	pub const LiquidityMaxRateSlope: Permill = Permill::from_percent(80);
	pub const LiquidityMaxMinDeposit: Balance = 10_000 * DOLLARS;
	pub const LiquidityMaxWithdrawDelay: BlockNumber = 28 * DAYS;
	pub const LiquidityMaxWithdrawWindow: BlockNumber = 7 * DAYS;
	/// The longest credit term an external protocol may be given: a year.
	pub const LiquidityMaxCreditTerm: u32 = 365 * DAYS;
	/// 365 days of 6-second blocks.
	pub const BlocksPerYear: u32 = 365 * DAYS;
}

/// The LP pool: the cash counterparty of the perpetual markets and the third
/// tier of the loss waterfall, with per-protocol credit and loss caps. Its
/// shares are priced at net asset value, which reads the markets' exposure
/// from the margin pallet; unsolicited transfers are swept to the insurance
/// fund.
impl pallet_shared_liquidity::Config for Runtime {
	type Currency = Settlement;
	type AdminOrigin = RiskAdmin;
	type MaxParamStep = RiskParamStep;
	type MinChangeInterval = RiskChangeInterval;
	type Exposure = Margin;
	type ExcessSink = InsuranceFund;
	type PalletId = SharedLiquidityPalletId;
	type MaxProtocols = ConstU32<32>;
	type MaxWithdrawRequests = ConstU32<8>;
	type MaxCreditCap = LiquidityMaxCreditCap;
	type MaxLossCap = LiquidityMaxLossCap;
	type MaxBaseRate = LiquidityMaxBaseRate;
	type MaxRateSlope = LiquidityMaxRateSlope;
	type MaxMinDeposit = LiquidityMaxMinDeposit;
	type MaxWithdrawDelay = LiquidityMaxWithdrawDelay;
	type MaxWithdrawWindow = LiquidityMaxWithdrawWindow;
	type MaxCreditTerm = LiquidityMaxCreditTerm;
	type BlocksPerYear = BlocksPerYear;
	type WeightInfo = pallet_shared_liquidity::weights::SubstrateWeight<Runtime>;
	/// The benchmark preset has no markets: the margin pallet's exposure
	/// loop is empty there and the pool's own loops are the worst case.
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = ();
}

parameter_types! {
	pub const MarginPalletId: PalletId = PalletId(*b"bkst/mrg");
	/// The longest warm-up governance may give realised profit: a week.
	pub const MarginMaxWarmupPeriod: BlockNumber = 7 * DAYS;
	/// Opening a margin account takes 10 bUSD of collateral, kept until it
	/// closes.
	pub const MarginMinCollateral: Balance = 10 * DOLLARS;
	/// Max-PnL deleveraging brings the traders of a market back to 90% of
	/// the most profit the pool allows them.
	pub const MarginPnlDeleveragingTarget: Permill = Permill::from_percent(90);
	/// The automatic liquidation sweep may use at most a quarter of a block
	/// (what normal transactions leave, with `NORMAL_DISPATCH_RATIO` 75%).
	pub MarginMaxSweepWeight: frame_support::weights::Weight =
		crate::configs::system::MAXIMUM_BLOCK_WEIGHT / 4;
	/// The stress move a market is sized for until governance sets its own:
	/// a 30% gap of its asset in one step.
	pub const MarginDefaultStressMove: Permill = Permill::from_percent(30);
}

/// Cross-margined perpetual accounts. Prices come from the oracle aggregator,
/// the shared liquidity pool is the counterparty, bad debt runs down the
/// [`LossWaterfall`], liquidation penalties and the insurance share of fees go
/// to the insurance fund, and the stakers' share of fees to the staking
/// backstop.
impl pallet_margin::Config for Runtime {
	type Currency = Settlement;
	/// Unsolicited transfers to the margin account go to the insurance fund.
	type ExcessSink = InsuranceFund;
	type PriceProvider = OracleAggregator;
	type Liquidity = SharedLiquidity;
	type LossWaterfall = LossWaterfall;
	/// Keepers are paid for insolvent accounts by the insurance fund.
	type KeeperRewards = InsuranceFund;
	type InsuranceSink = InsuranceFund;
	type StakerSink = StakingBackstop;
	/// The stakers price the backstop premium the traders pay.
	type Premium = StakingBackstop;
	type BlocksPerYear = BlocksPerYear;
	type DefaultStressMove = MarginDefaultStressMove;
	type AdminOrigin = RiskAdmin;
	type MaxParamStep = RiskParamStep;
	type MinChangeInterval = RiskChangeInterval;
	type PalletId = MarginPalletId;
	type MaxMarkets = ConstU32<32>;
	type MaxPositionsPerAccount = ConstU32<16>;
	type MaxSweepAccounts = ConstU32<4_096>;
	type MaxSweepWeight = MarginMaxSweepWeight;
	type MaxLiquidationBatch = ConstU32<64>;
	type MinCollateral = MarginMinCollateral;
	type MaxDeleveragingPerBlock = ConstU32<128>;
	type PnlDeleveragingTarget = MarginPnlDeleveragingTarget;
	type MaxWarmupPeriod = MarginMaxWarmupPeriod;
	type WeightInfo = pallet_margin::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = benchmark_helpers::MarginBenchmarkHelper;
}

parameter_types! {
	pub const OptionsPalletId: PalletId = PalletId(*b"bk/optns");
	/// Series of at most 90 days.
	pub const OptionsMaxTenor: BlockNumber = 90 * DAYS;
	/// A series settles at the average of its asset's EMA over its last hour.
	pub const OptionsSettlementWindow: BlockNumber = HOURS;
	/// Hard limits of the pricing parameters: a base volatility of at most
	/// 500% a year, a dispersion-to-volatility scale of at most 100, a skew
	/// multiplier of at most 4.
	pub OptionsMaxVol: FixedU128 = FixedU128::from_u32(5);
	pub OptionsMaxVolScale: FixedU128 = FixedU128::from_u32(100);
	pub OptionsMaxSkewMultiplier: FixedU128 = FixedU128::from_u32(4);
	/// The purchase policy spends at most a million dollars of premium in a
	/// period of at most 90 days.
	pub const OptionsMaxPremiumPerPeriod: Balance = 1_000_000 * DOLLARS;
	pub const OptionsMaxBudgetPeriod: BlockNumber = 90 * DAYS;
	pub const OptionsMaxMinDeposit: Balance = 10_000 * DOLLARS;
	/// An underwriter's withdrawal waits at most two weeks and stays usable
	/// for at most a week.
	pub const OptionsMaxWithdrawDelay: BlockNumber = 14 * DAYS;
	pub const OptionsMaxWithdrawWindow: BlockNumber = 7 * DAYS;
}

/// The options backstop: underwriters sell the insurance fund cash-settled
/// put spreads, priced from the oracle's EMA and dispersion with a governed
/// skew; payouts go to the global insurance fund.
impl pallet_options_backstop::Config for Runtime {
	type Currency = Settlement;
	type Prices = OracleAggregator;
	/// The insurance fund buys: premiums from, payouts into its global fund.
	type Buyer = InsuranceFund;
	type AdminOrigin = RiskAdmin;
	type MaxParamStep = RiskParamStep;
	type MinChangeInterval = RiskChangeInterval;
	type PalletId = OptionsPalletId;
	type MaxTemplates = ConstU32<4>;
	type MaxSeries = ConstU32<8>;
	type MaxSkewPoints = ConstU32<8>;
	type MaxTenor = OptionsMaxTenor;
	type SettlementWindow = OptionsSettlementWindow;
	type MaxVol = OptionsMaxVol;
	type MaxVolScale = OptionsMaxVolScale;
	type MaxSkewMultiplier = OptionsMaxSkewMultiplier;
	type MaxPremiumPerPeriod = OptionsMaxPremiumPerPeriod;
	type MaxBudgetPeriod = OptionsMaxBudgetPeriod;
	type MaxMinDeposit = OptionsMaxMinDeposit;
	type MaxWithdrawDelay = OptionsMaxWithdrawDelay;
	type MaxWithdrawWindow = OptionsMaxWithdrawWindow;
	type BlocksPerYear = BlocksPerYear;
	type WeightInfo = pallet_options_backstop::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = benchmark_helpers::OptionsBenchmarkHelper;
}

/// What the margin pallet's benchmarks need from the other pallets.
#[cfg(feature = "runtime-benchmarks")]
pub mod benchmark_helpers {
	use super::*;
	use crate::{RuntimeOrigin, SharedLiquidity};
	use backstop_primitives::{MarketId, OracleAssetId, Price};
	use frame_support::traits::fungible::Mutate;

	fn funded(seed: &'static str, amount: Balance) -> AccountId {
		let who: AccountId = frame_benchmarking::account(seed, 0, 0);
		let _ = Settlement::mint_into(&who, amount.saturating_add(DOLLARS));
		who
	}

	/// Benchmark feeders with sr25519 keys in the benchmark keystore, and the
	/// time the oracle reads.
	pub struct OracleBenchmarkHelper;
	impl pallet_oracle_aggregator::BenchmarkHelper<AccountId, crate::Signature>
		for OracleBenchmarkHelper
	{
		fn set_time(now_ms: u64) {
			// Not `set_timestamp`: Aura would check the time against its slot,
			// which the benchmarks do not advance.
			pallet_timestamp::Now::<Runtime>::put(now_ms);
		}

		fn feeder(index: u32) -> AccountId {
			feeder_key(index).into()
		}

		fn sign(index: u32, message: &[u8]) -> crate::Signature {
			let public = feeder_key(index);
			sp_io::crypto::sr25519_sign(ORACLE_BENCH_KEY, &public, message)
				.map(crate::Signature::from)
				.unwrap_or_else(|| {
					crate::Signature::from(sp_core::sr25519::Signature::from_raw([0u8; 64]))
				})
		}
	}

	const ORACLE_BENCH_KEY: sp_core::crypto::KeyTypeId = sp_core::crypto::KeyTypeId(*b"bkof");

	/// The sr25519 key of benchmark feeder `index` (generated in the
	/// keystore from a fixed seed, so the same every call).
	fn feeder_key(index: u32) -> sp_core::sr25519::Public {
		let seed = alloc::format!("//backstop-bench-feeder-{index}");
		sp_io::crypto::sr25519_generate(ORACLE_BENCH_KEY, Some(seed.into_bytes()))
	}

	/// Open interest for the insurance fund's benchmarks: a market on the
	/// oracle asset of the same id, priced at 100 dollars, with pool credit
	/// and one trader's long of 10 units.
	pub struct InsuranceBenchmarkHelper;
	impl pallet_insurance_fund::BenchmarkHelper for InsuranceBenchmarkHelper {
		fn prepare_open_interest(market: MarketId) {
			use pallet_margin::BenchmarkHelper as _;
			MarginBenchmarkHelper::set_price(market, Price::from_u32(100));
			MarginBenchmarkHelper::prepare_liquidity(market, 1_000_000 * DOLLARS);
			if pallet_margin::Markets::<Runtime>::get(market).is_none() {
				let params = crate::genesis_config_presets::demo_market(
					market,
					100_000 * DOLLARS,
					1_000_000 * DOLLARS,
					1_000_000_000,
				);
				let _ = crate::Margin::create_market(RuntimeOrigin::root(), market, params);
			}
			let trader = funded("insurance-bench-trader", 10_000 * DOLLARS);
			let _ = crate::Margin::deposit(RuntimeOrigin::signed(trader.clone()), 5_000 * DOLLARS);
			let _ = crate::Margin::trade(
				RuntimeOrigin::signed(trader),
				market,
				10_000_000,
				Price::from_u32(u32::MAX),
			);
		}
	}

	/// The options backstop's benchmarks: prices through the real oracle,
	/// and the real insurance fund as the buyer.
	pub struct OptionsBenchmarkHelper;
	impl pallet_options_backstop::BenchmarkHelper<AccountId> for OptionsBenchmarkHelper {
		fn set_price(asset: OracleAssetId, price: Price) {
			use pallet_margin::BenchmarkHelper as _;
			MarginBenchmarkHelper::set_price(asset, price);
		}

		fn fund_buyer(amount: Balance, income: Balance) {
			let donor = funded("options-bench-donor", amount);
			let _ = InsuranceFund::donate(
				RuntimeOrigin::signed(donor),
				pallet_insurance_fund::FundId::Global,
				amount,
			);
			pallet_insurance_fund::FeeIncome::<Runtime>::mutate(|i| *i = i.saturating_add(income));
		}

		fn set_below_floor() {
			pallet_insurance_fund::GlobalFund::<Runtime>::mutate(|f| f.under_capitalized = true);
		}
	}

	/// Serves benchmark prices through the real oracle: the asset is
	/// registered if needed and serves the price as a live aggregate (not a
	/// frozen one: a frozen price makes its market reduce-only), set directly
	/// rather than fed, so that the benchmarks' price jumps do not trip the
	/// breaker.
	pub struct MarginBenchmarkHelper;
	impl pallet_margin::BenchmarkHelper<AccountId> for MarginBenchmarkHelper {
		fn set_price(asset: OracleAssetId, price: Price) {
			let _ = pallet_oracle_aggregator::benchmarking::serve_live_price::<Runtime>(
				asset,
				price,
				crate::genesis_config_presets::demo_oracle_config(),
			);
		}

		fn prepare_liquidity(market: MarketId, capacity: Balance) {
			let capacity = capacity.min(LiquidityMaxCreditCap::get());
			let lp = funded("margin-bench-lp", capacity);
			let _ = SharedLiquidity::deposit(RuntimeOrigin::signed(lp), capacity);
			let terms = pallet_shared_liquidity::ProtocolTerms {
				credit_cap: capacity,
				// The pool accepts no loss unless `prepare_pool_loss` says so:
				// the waterfall covers exactly what `prepare_backstop` provides.
				loss_cap: 0,
				reserve_factor: Permill::from_percent(20),
				max_pnl_factor: Permill::one(),
				..Default::default()
			};
			let id = pallet_shared_liquidity::ProtocolId::Market(market);
			if SharedLiquidity::protocol_info(id.clone()).is_some() {
				let _ = SharedLiquidity::set_protocol_terms(RuntimeOrigin::root(), id, terms);
			} else {
				let _ = SharedLiquidity::register_protocol(RuntimeOrigin::root(), id, terms);
			}
		}

		fn prepare_max_pnl(market: MarketId, amount: Balance) {
			let id = pallet_shared_liquidity::ProtocolId::Market(market);
			if let Some(info) = SharedLiquidity::protocol_info(id.clone()) {
				let usable = info.credit_cap.max(1);
				let factor = Permill::from_rational(amount.min(usable), usable);
				let terms = pallet_shared_liquidity::ProtocolTerms {
					credit_cap: info.credit_cap,
					loss_cap: info.loss_cap,
					reserve_factor: info.reserve_factor,
					max_pnl_factor: factor,
					..Default::default()
				};
				let _ = SharedLiquidity::set_protocol_terms(RuntimeOrigin::root(), id, terms);
			}
		}

		/// Makes the stakers ask at least `rate` per block whatever the
		/// coverage: a flat annual rate of `rate × BlocksPerYear` (at most
		/// 100%), through governance's call.
		fn prepare_premium(_market: MarketId, rate: sp_runtime::FixedU128) {
			use sp_runtime::{traits::Saturating, FixedPointNumber};
			let annual = rate.saturating_mul(sp_runtime::FixedU128::from_u32(BlocksPerYear::get()));
			let parts = annual.saturating_mul_int(1_000_000u128).saturating_add(1).min(1_000_000);
			let annual = Permill::from_parts(u32::try_from(parts).unwrap_or(1_000_000));
			let params = pallet_staking_backstop::PremiumParams {
				rate_max: annual,
				rate_min: annual,
				rate_cap: annual,
				..pallet_staking_backstop::Premium::<Runtime>::get()
			};
			let _ = StakingBackstop::set_premium_params(RuntimeOrigin::root(), params);
		}

		fn prepare_pool_loss(market: MarketId, amount: Balance) {
			let id = pallet_shared_liquidity::ProtocolId::Market(market);
			if let Some(info) = SharedLiquidity::protocol_info(id.clone()) {
				let terms = pallet_shared_liquidity::ProtocolTerms {
					credit_cap: info.credit_cap,
					loss_cap: amount.min(LiquidityMaxLossCap::get()),
					reserve_factor: info.reserve_factor,
					max_pnl_factor: info.max_pnl_factor,
					..Default::default()
				};
				let _ = SharedLiquidity::set_protocol_terms(RuntimeOrigin::root(), id, terms);
			}
		}

		/// Makes the waterfall cover up to `amount` per event: the global
		/// insurance fund holds twice that (it pays at most half of itself
		/// per event, after any keeper reward) and its absolute cap is
		/// `amount`; the benchmark preset has no sub-funds or stakes, and the
		/// pool absorbs nothing.
		fn prepare_backstop(_market: MarketId, amount: Balance) {
			use pallet_insurance_fund::{FundId, FundParams};
			let amount = amount.min(InsuranceMaxAbsoluteCap::get());
			let donor = funded("margin-bench-donor", amount.saturating_mul(2));
			let _ = InsuranceFund::donate(
				RuntimeOrigin::signed(donor),
				FundId::Global,
				amount.saturating_mul(2),
			);
			let _ = InsuranceFund::set_params(
				RuntimeOrigin::root(),
				pallet_insurance_fund::ParamsScope::Global,
				FundParams {
					cap_fraction: InsuranceMaxCapFraction::get(),
					absolute_cap: amount,
					target_fraction: Permill::zero(),
					floor: Permill::zero(),
				},
			);
			// And pays a liquidation's keeper as much as it may: an insolvent
			// account's keeper is paid by the fund first.
			let _ = InsuranceFund::set_keeper_reward_limits(
				RuntimeOrigin::root(),
				pallet_insurance_fund::KeeperRewardLimits {
					per_liquidation: InsuranceMaxKeeperReward::get(),
					per_block: InsuranceMaxKeeperReward::get(),
				},
			);
		}
	}
}
