//! A mock runtime for the pallet's tests and benchmark tests, with a mock for
//! each glue trait:
//!
//! * [`MockOracle`]: prices set by the test, or an unavailability reason;
//! * [`MockPool`]: the counterparty pool as the real one behaves: its cash
//!   is the real `pallet-balances` balance of [`POOL`] (less the existential
//!   deposit); it reserves [`ReserveFactor`] of a market's open-interest
//!   notional within the market's [`CreditCap`] and the free cash (cash not
//!   reserved by any market), always accepts a lower reservation, pays
//!   profits out of its cash and refuses only when the cash is short, and
//!   accepts bad debt as its loss within [`LossCap`] per market without
//!   moving money;
//! * [`MockWaterfall`]: covers up to [`WaterfallCover`] per event out of
//!   [`WATERFALL`] and records every call;
//! * [`MockSink`]: moves what it takes to [`INSURANCE`] or [`STAKERS`] and
//!   records every receipt (the insurance fund is also the excess sink, as
//!   in the runtime);
//! * [`MockPremium`]: the backstop's premium rate per block, set per market
//!   by the test ([`set_premium_rate`], zero by default), remembering the
//!   volatility it was last asked about.
//!
//! The mocks keep their records in (unhashed) storage, so a failed call rolls
//! them back with everything else.

use crate::{self as pallet_margin, *};
use backstop_primitives::governance::EnsureAuthority;
use backstop_primitives::{
	units::DOLLARS, BackstopPremium, Balance, KeeperRewarder, LiquidityProvider, LossAbsorber,
	MarketId, OracleAssetId, Price, PriceInfo, PriceProvider, PriceUnavailable, RevenueKind,
	RevenueSink,
};
use codec::{Decode, Encode};
use frame_support::{
	derive_impl, ord_parameter_types, parameter_types,
	storage::unhashed,
	traits::{
		fungible::{Inspect, Mutate},
		tokens::Preservation,
		ConstU128, ConstU32, ConstU64, Get, Hooks,
	},
	PalletId,
};
use frame_system::{EnsureRoot, EnsureSignedBy};
use sp_arithmetic::{traits::Zero, FixedU128, Perbill, Permill};
use sp_runtime::{BuildStorage, DispatchError};
use std::{cell::RefCell, collections::BTreeMap};

type Block = frame_system::mocking::MockBlock<Test>;

#[frame_support::runtime]
mod runtime {
	#[runtime::runtime]
	#[runtime::derive(
		RuntimeCall,
		RuntimeEvent,
		RuntimeError,
		RuntimeOrigin,
		RuntimeFreezeReason,
		RuntimeHoldReason,
		RuntimeSlashReason,
		RuntimeLockId,
		RuntimeTask,
		RuntimeViewFunction
	)]
	pub struct Test;

	#[runtime::pallet_index(0)]
	pub type System = frame_system::Pallet<Test>;

	#[runtime::pallet_index(1)]
	pub type Balances = pallet_balances::Pallet<Test>;

	#[runtime::pallet_index(2)]
	pub type Margin = pallet_margin::Pallet<Test>;
}

/// One cent, the settlement asset's minimum balance in the runtime.
pub const ED: Balance = DOLLARS / 100;

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountData = pallet_balances::AccountData<Balance>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type Balance = Balance;
	type ExistentialDeposit = ConstU128<ED>;
	type AccountStore = System;
}

parameter_types! {
	pub const MarginPalletId: PalletId = PalletId(*b"bkst/mrg");
	/// Ten seconds: in the mock only the count bounds the sweep, unless a
	/// test sets a budget.
	/// Zero unless a test sets it.
	pub static MinCollateral: Balance = 0;
	/// Max-PnL deleveraging brings profits back to 90% of the cap.
	pub const PnlDeleveragingTarget: Permill = Permill::from_percent(90);
	pub const MaxSweepWeight: frame_support::weights::Weight =
		frame_support::weights::Weight::from_parts(10_000_000_000_000, u64::MAX);
	/// As in the runtime: six-second blocks.
	pub const BlocksPerYear: u32 = 5_256_000;
	/// As in the runtime: a 30% gap.
	pub const DefaultStressMove: Permill = Permill::from_percent(30);
}

/// The risk track's account in the tests (a signed origin stands in for the
/// track).
pub const RISK_TRACK: u64 = 9_001;
/// The guardian council's account in the tests.
pub const GUARDIAN: u64 = 9_002;
/// Blocks between two bounded changes of one parameter.
pub const MIN_CHANGE_INTERVAL: u64 = 10;

ord_parameter_types! {
	pub const RiskTrackMembers: u64 = RISK_TRACK;
	pub const GuardianMembers: u64 = GUARDIAN;
}

parameter_types! {
	/// A quarter of the old value per bounded change.
	pub const MaxParamStep: Permill = Permill::from_percent(25);
}

impl pallet_margin::Config for Test {
	type Currency = Balances;
	type PriceProvider = MockOracle;
	type Liquidity = MockPool;
	type LossWaterfall = MockWaterfall;
	type KeeperRewards = MockKeeperRewards;
	type InsuranceSink = MockSink<InsuranceAccount, InsuranceTakes>;
	type StakerSink = MockSink<StakersAccount, StakersTake>;
	type Premium = MockPremium;
	type BlocksPerYear = BlocksPerYear;
	type DefaultStressMove = DefaultStressMove;
	type ExcessSink = MockSink<InsuranceAccount, ExcessTaken>;
	type AdminOrigin = EnsureAuthority<
		EnsureRoot<u64>,
		EnsureSignedBy<RiskTrackMembers, u64>,
		EnsureSignedBy<GuardianMembers, u64>,
	>;
	type MaxParamStep = MaxParamStep;
	type MinChangeInterval = ConstU64<MIN_CHANGE_INTERVAL>;
	type PalletId = MarginPalletId;
	type MaxMarkets = ConstU32<8>;
	type MaxPositionsPerAccount = ConstU32<4>;
	type MaxSweepAccounts = ConstU32<4>;
	type MaxSweepWeight = MaxSweepWeight;
	type MaxLiquidationBatch = ConstU32<4>;
	type MinCollateral = MinCollateral;
	type PnlDeleveragingTarget = PnlDeleveragingTarget;
	type MaxDeleveragingPerBlock = ConstU32<8>;
	type MaxWarmupPeriod = ConstU64<1_000>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = MockBenchmarkHelper;
}

pub const ALICE: u64 = 1;
pub const BOB: u64 = 2;
pub const CHARLIE: u64 = 3;
pub const DAVE: u64 = 4;
pub const KEEPER: u64 = 9;
/// The mock pool's account.
pub const POOL: u64 = 1000;
/// The mock waterfall's account.
pub const WATERFALL: u64 = 1001;
/// The mock insurance sink's account.
pub const INSURANCE: u64 = 1002;
/// The mock staker sink's account.
pub const STAKERS: u64 = 1003;
/// Where `set_pool_cash` moves the pool's cash to.
pub const SINKHOLE: u64 = 1004;
/// Who makes the unsolicited transfers of [`donate`].
pub const DONOR: u64 = 1005;

pub const BTC: MarketId = 0;
pub const ETH: MarketId = 1;
pub const BTC_ASSET: OracleAssetId = 0;
pub const ETH_ASSET: OracleAssetId = 1;
/// One whole base unit (one BTC, one ETH).
pub const UNIT: i128 = 1_000_000;

parameter_types! {
	pub const InsuranceAccount: u64 = INSURANCE;
	pub const StakersAccount: u64 = STAKERS;
	/// The share of each payment the insurance sink takes.
	pub static InsuranceTakes: Permill = Permill::from_percent(100);
	/// The share of each payment the staker sink takes.
	pub static StakersTake: Permill = Permill::from_percent(100);
	/// The share of a swept excess the excess sink takes.
	pub static ExcessTaken: Permill = Permill::from_percent(100);
	/// What tests transferred to the pallet account unsolicited (see
	/// [`donate`]).
	pub static Donated: Balance = 0;
	/// Whether both sinks refuse payments.
	pub static SinksFail: bool = false;
	/// The share of a market's open-interest notional the pool reserves.
	pub static ReserveFactor: Permill = Permill::from_percent(50);
	/// The most each market may have reserved.
	pub static CreditCap: Balance = 1_000_000_000 * DOLLARS;
	/// The most bad debt the pool accepts as its loss per market, in all.
	pub static LossCap: Balance = 0;
	/// What `max_trader_pnl` answers (`None`: the market is unknown to the
	/// pool).
	pub static MaxTraderPnl: Option<Balance> = Some(1_000_000_000 * DOLLARS);
	/// Whether the pool refuses collections (as the real pool does for a
	/// market it does not know).
	pub static PoolCollectFails: bool = false;
	/// The most the waterfall covers per event.
	pub static WaterfallCover: Balance = 0;
	/// How much less than it reports the waterfall actually pays (a broken
	/// tier).
	pub static WaterfallShortPays: Balance = 0;
	/// The most the mock insurance fund pays a keeper per insolvent
	/// liquidation (zero: nothing, the default).
	pub static KeeperRewardCap: Balance = 0;
}

thread_local! {
	static PRICES: RefCell<BTreeMap<OracleAssetId, Result<PriceInfo<u64>, PriceUnavailable>>> =
		const { RefCell::new(BTreeMap::new()) };
	static PREMIUM_RATES: RefCell<BTreeMap<MarketId, FixedU128>> =
		const { RefCell::new(BTreeMap::new()) };
	static VOLATILITY_SEEN: RefCell<BTreeMap<MarketId, FixedU128>> =
		const { RefCell::new(BTreeMap::new()) };
}

/// The backstop premium: the rate per block the test set for each market
/// (zero by default), whatever the volatility, as a pricer may (the
/// contract asks for a rate per block on notional and nothing else).
pub struct MockPremium;
impl BackstopPremium for MockPremium {
	type Quote = ();
	fn quote() {}
	fn premium_rate(_quote: &(), market: MarketId, volatility: FixedU128) -> FixedU128 {
		VOLATILITY_SEEN.with(|v| v.borrow_mut().insert(market, volatility));
		PREMIUM_RATES.with(|r| r.borrow().get(&market).copied().unwrap_or_default())
	}
}

/// Makes `rate` (per block, on notional) the premium rate of `market`.
pub fn set_premium_rate(market: MarketId, rate: FixedU128) {
	PREMIUM_RATES.with(|r| r.borrow_mut().insert(market, rate));
}

/// The volatility the pallet last gave the pricer for `market`.
pub fn volatility_seen(market: MarketId) -> Option<FixedU128> {
	VOLATILITY_SEEN.with(|v| v.borrow().get(&market).copied())
}

/// The oracle: whatever the test set.
pub struct MockOracle;
impl PriceProvider<u64> for MockOracle {
	fn price(asset: OracleAssetId) -> Result<PriceInfo<u64>, PriceUnavailable> {
		PRICES.with(|p| {
			p.borrow().get(&asset).copied().unwrap_or(Err(PriceUnavailable::UnknownAsset))
		})
	}
}

/// `n` whole dollars as a price.
pub fn usd(n: u32) -> Price {
	Price::from_u32(n)
}

/// Sets a fresh price with an equal EMA and no dispersion.
pub fn set_price(asset: OracleAssetId, price: Price) {
	set_price_info(asset, price, price, Permill::zero());
}

/// Sets a fresh price with its EMA and confidence.
pub fn set_price_info(asset: OracleAssetId, price: Price, ema: Price, confidence: Permill) {
	insert_price(asset, price, ema, confidence, System::block_number());
}

fn insert_price(asset: OracleAssetId, price: Price, ema: Price, confidence: Permill, at: u64) {
	let info = PriceInfo { price, ema, confidence, updated_at: at, frozen: false };
	PRICES.with(|p| p.borrow_mut().insert(asset, Ok(info)));
}

/// Marks the price of `asset` as frozen by governance (still served).
pub fn freeze_price(asset: OracleAssetId) {
	PRICES.with(|p| {
		if let Some(Ok(info)) = p.borrow_mut().get_mut(&asset) {
			info.frozen = true;
		}
	});
}

/// Makes the price of `asset` unavailable for `reason`.
pub fn set_price_unavailable(asset: OracleAssetId, reason: PriceUnavailable) {
	PRICES.with(|p| p.borrow_mut().insert(asset, Err(reason)));
}

/// What the mock pool was asked to do (only what it did; a refusal leaves
/// no record).
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, Debug)]
pub enum PoolCall {
	/// `reserve(market, open_interest)` set the reservation to the third.
	Reserve(MarketId, Balance, Balance),
	/// Paid a profit.
	Pay(MarketId, Balance),
	/// Collected.
	Collect(MarketId, Balance),
	/// `absorb_loss(market, amount)` accepted the third.
	AbsorbLoss(MarketId, Balance, Balance),
}

const POOL_LOG: &[u8] = b":mock:pool";
const RESERVED: &[u8] = b":mock:reserved";
const LOSSES: &[u8] = b":mock:losses";
const WATERFALL_LOG: &[u8] = b":mock:waterfall";
const SINK_LOG: &[u8] = b":mock:sinks";
const SINK_OFFERS: &[u8] = b":mock:sink-offers";
const KEEPER_REWARD_LOG: &[u8] = b":mock:keeper-rewards";

fn append<T: Encode + Decode>(key: &[u8], item: T) {
	let mut log: Vec<T> = unhashed::get(key).unwrap_or_default();
	log.push(item);
	unhashed::put(key, &log);
}

/// Everything the pool did, in order.
pub fn pool_calls() -> Vec<PoolCall> {
	unhashed::get(POOL_LOG).unwrap_or_default()
}

/// The payments the pool made, in order.
pub fn pool_payments() -> Vec<(MarketId, Balance)> {
	pool_calls()
		.into_iter()
		.filter_map(|c| match c {
			PoolCall::Pay(m, a) => Some((m, a)),
			_ => None,
		})
		.collect()
}

/// Cash reserved per market.
pub fn pool_reserved() -> BTreeMap<MarketId, Balance> {
	unhashed::get(RESERVED).unwrap_or_default()
}

/// Cash reserved for `market`.
pub fn reserved(market: MarketId) -> Balance {
	pool_reserved().get(&market).copied().unwrap_or_default()
}

/// Bad debt the pool accepted per market.
pub fn pool_losses() -> BTreeMap<MarketId, Balance> {
	unhashed::get(LOSSES).unwrap_or_default()
}

/// The pool's cash: what [`POOL`] holds beyond its existential deposit.
pub fn pool_cash() -> Balance {
	Balances::balance(&POOL).saturating_sub(ED)
}

/// The pool's cash not reserved by any market.
pub fn pool_free() -> Balance {
	pool_cash().saturating_sub(pool_reserved().values().sum())
}

/// Moves the pool's cash down to `cash` (to a far-away account), or mints
/// it up to `cash`.
pub fn set_pool_cash(cash: Balance) {
	let now = pool_cash();
	if now > cash {
		Balances::transfer(&POOL, &SINKHOLE, now - cash, Preservation::Preserve).unwrap();
	} else {
		Balances::mint_into(&POOL, cash - now).unwrap();
	}
}

/// The counterparty pool as the real one behaves (see the module docs).
pub struct MockPool;
impl LiquidityProvider<u64> for MockPool {
	fn available(market: MarketId) -> Balance {
		CreditCap::get().saturating_sub(reserved(market)).min(pool_free())
	}

	fn reserve(market: MarketId, open_interest: Balance) -> Result<(), DispatchError> {
		let target = ReserveFactor::get().mul_ceil(open_interest);
		let current = reserved(market);
		if target > current {
			if target > CreditCap::get() {
				return Err(DispatchError::Other("credit cap exceeded"));
			}
			if target - current > pool_free() {
				return Err(DispatchError::Other("insufficient free cash"));
			}
		}
		let mut all = pool_reserved();
		all.insert(market, target);
		unhashed::put(RESERVED, &all);
		append(POOL_LOG, PoolCall::Reserve(market, open_interest, target));
		Ok(())
	}

	fn pay(market: MarketId, to: &u64, amount: Balance) -> Result<(), DispatchError> {
		if amount == 0 {
			return Ok(());
		}
		if amount > pool_cash() {
			return Err(DispatchError::Other("insufficient cash"));
		}
		Balances::transfer(&POOL, to, amount, Preservation::Preserve)?;
		append(POOL_LOG, PoolCall::Pay(market, amount));
		Ok(())
	}

	fn collect(market: MarketId, from: &u64, amount: Balance) -> Result<(), DispatchError> {
		if amount == 0 {
			return Ok(());
		}
		if PoolCollectFails::get() {
			return Err(DispatchError::Other("unknown market"));
		}
		Balances::transfer(from, &POOL, amount, Preservation::Preserve)?;
		append(POOL_LOG, PoolCall::Collect(market, amount));
		Ok(())
	}

	fn absorb_loss(market: MarketId, amount: Balance) -> Balance {
		let mut losses = pool_losses();
		let taken = losses.entry(market).or_default();
		let accepted = LossCap::get().saturating_sub(*taken).min(amount);
		*taken += accepted;
		unhashed::put(LOSSES, &losses);
		append(POOL_LOG, PoolCall::AbsorbLoss(market, amount, accepted));
		accepted
	}

	fn max_trader_pnl(_market: MarketId) -> Option<Balance> {
		MaxTraderPnl::get()
	}
}

/// `(market, asked, covered)` per waterfall call.
pub fn waterfall_calls() -> Vec<(MarketId, Balance, Balance)> {
	unhashed::get(WATERFALL_LOG).unwrap_or_default()
}

/// `(market, asked, paid)` per keeper reward the mock insurance fund paid.
pub fn keeper_rewards_paid() -> Vec<(MarketId, Balance, Balance)> {
	unhashed::get(KEEPER_REWARD_LOG).unwrap_or_default()
}

/// `(sink account, market, kind, taken)` per sink receipt.
pub fn sink_receipts() -> Vec<(u64, MarketId, RevenueKind, Balance)> {
	unhashed::get(SINK_LOG).unwrap_or_default()
}

/// `(sink account, market, kind, offered)` per payment a sink accepted (in
/// part or in full): what left the pallet's ledger for it.
pub fn sink_offers() -> Vec<(u64, MarketId, RevenueKind, Balance)> {
	unhashed::get(SINK_OFFERS).unwrap_or_default()
}

/// A waterfall that covers up to [`WaterfallCover`] per event from
/// [`WATERFALL`].
pub struct MockWaterfall;
impl LossAbsorber<u64> for MockWaterfall {
	fn absorb(market: MarketId, amount: Balance, beneficiary: &u64) -> Balance {
		let covered = amount.min(WaterfallCover::get());
		let paid = covered.saturating_sub(WaterfallShortPays::get());
		if paid > 0
			&& Balances::transfer(&WATERFALL, beneficiary, paid, Preservation::Preserve).is_err()
		{
			append(WATERFALL_LOG, (market, amount, 0_u128));
			return amount;
		}
		append(WATERFALL_LOG, (market, amount, covered));
		amount - covered
	}

	fn capacity(_market: MarketId) -> Balance {
		WaterfallCover::get()
	}
}

/// The insurance fund as keeper rewarder: pays up to [`KeeperRewardCap`] a
/// liquidation out of what [`INSURANCE`] holds (keeping it alive), records
/// every payment, and pays nothing when the transfer fails, as the real fund.
pub struct MockKeeperRewards;
impl KeeperRewarder<u64> for MockKeeperRewards {
	fn reward_keeper(market: MarketId, amount: Balance, beneficiary: &u64) -> Balance {
		let paid = amount.min(KeeperRewardCap::get());
		if paid == 0
			|| Balances::transfer(&INSURANCE, beneficiary, paid, Preservation::Preserve).is_err()
		{
			return 0;
		}
		append(KEEPER_REWARD_LOG, (market, amount, paid));
		paid
	}
}

/// A revenue sink paying into `Who`, taking the share `Takes` of each
/// payment.
pub struct MockSink<Who, Takes>(core::marker::PhantomData<(Who, Takes)>);
impl<Who: Get<u64>, Takes: Get<Permill>> RevenueSink<u64> for MockSink<Who, Takes> {
	fn receive(
		market: MarketId,
		kind: RevenueKind,
		source: &u64,
		amount: Balance,
	) -> Result<Balance, DispatchError> {
		if SinksFail::get() {
			return Err(DispatchError::Other("sink refuses"));
		}
		let take = Takes::get().mul_floor(amount);
		Balances::transfer(source, &Who::get(), take, Preservation::Preserve)?;
		append(SINK_LOG, (Who::get(), market, kind, take));
		append(SINK_OFFERS, (Who::get(), market, kind, amount));
		Ok(take)
	}
}

/// Puts every mock parameter back to its default (the statics are
/// thread-local and outlive a test).
fn reset_parameters() {
	InsuranceTakes::set(Permill::from_percent(100));
	StakersTake::set(Permill::from_percent(100));
	ExcessTaken::set(Permill::from_percent(100));
	Donated::set(0);
	SinksFail::set(false);
	ReserveFactor::set(Permill::from_percent(50));
	CreditCap::set(1_000_000_000 * DOLLARS);
	LossCap::set(0);
	MaxTraderPnl::set(Some(1_000_000_000 * DOLLARS));
	PoolCollectFails::set(false);
	WaterfallCover::set(0);
	WaterfallShortPays::set(0);
	KeeperRewardCap::set(0);
}

/// Sets up the mocks for the benchmarks.
#[cfg(feature = "runtime-benchmarks")]
pub struct MockBenchmarkHelper;
#[cfg(feature = "runtime-benchmarks")]
impl BenchmarkHelper<u64> for MockBenchmarkHelper {
	fn set_price(asset: OracleAssetId, price: Price) {
		set_price(asset, price);
	}

	fn prepare_liquidity(_market: MarketId, capacity: Balance) {
		CreditCap::mutate(|c| *c = (*c).max(capacity));
		MaxTraderPnl::set(Some(capacity));
		let _ = Balances::mint_into(&POOL, capacity.saturating_add(ED));
	}

	fn prepare_pool_loss(_market: MarketId, amount: Balance) {
		LossCap::set(amount);
	}

	fn prepare_max_pnl(_market: MarketId, amount: Balance) {
		MaxTraderPnl::set(Some(amount));
	}

	fn prepare_premium(market: MarketId, rate: FixedU128) {
		set_premium_rate(market, rate);
	}

	fn prepare_backstop(_market: MarketId, amount: Balance) {
		WaterfallCover::set(amount);
		let _ = Balances::mint_into(&WATERFALL, amount.saturating_add(ED));
		let _ = Balances::mint_into(&INSURANCE, ED);
		let _ = Balances::mint_into(&STAKERS, ED);
	}
}

/// The BTC-PERP parameters of the tests: 10% initial, 5% maintenance, 0.1%
/// trading fee, no skew fee and no volatility add-on (tests switch them on),
/// 1% penalty and 0.5% reward, OI caps of 10 and 50 million dollars.
pub fn btc_params() -> MarketParams {
	MarketParams {
		oracle_asset: BTC_ASSET,
		initial_margin: Permill::from_percent(10),
		maintenance_margin: Permill::from_percent(5),
		open_interest_lower_cap: 10_000_000 * DOLLARS,
		open_interest_upper_cap: 50_000_000 * DOLLARS,
		max_open_interest: 50_000_000 * DOLLARS,
		volatility_multiplier: FixedU128::zero(),
		volatility_cap: Permill::from_percent(10),
		trading_fee: Permill::from_parts(1_000),
		skew_fee: Permill::zero(),
		skew_scale: 1_000 * UNIT as u128,
		liquidation_penalty: Permill::from_percent(1),
		liquidator_reward: Permill::from_parts(5_000),
		max_funding_rate: Perbill::from_parts(10_000),
		funding_skew_scale: 100 * UNIT as u128,
	}
}

/// ETH-PERP: as BTC-PERP on the ETH feed.
pub fn eth_params() -> MarketParams {
	MarketParams { oracle_asset: ETH_ASSET, ..btc_params() }
}

/// Builds the test externalities.
pub struct ExtBuilder {
	balances: Vec<(u64, Balance)>,
	markets: Vec<(MarketId, MarketParams)>,
	warmup: Option<ProfitWarmup<u64>>,
	liquidation: Option<LiquidationParams>,
	stress_moves: Vec<(MarketId, Permill)>,
}

impl Default for ExtBuilder {
	fn default() -> Self {
		let traders = [ALICE, BOB, CHARLIE, DAVE, KEEPER].map(|who| (who, 10_000_000 * DOLLARS));
		let mut balances = traders.to_vec();
		balances.extend([
			(POOL, 100_000_000 * DOLLARS),
			(WATERFALL, 10_000_000 * DOLLARS),
			(INSURANCE, ED),
			(STAKERS, ED),
		]);
		Self {
			balances,
			markets: vec![(BTC, btc_params()), (ETH, eth_params())],
			warmup: None,
			liquidation: None,
			stress_moves: Vec::new(),
		}
	}
}

impl ExtBuilder {
	/// No markets at genesis.
	pub fn without_markets(mut self) -> Self {
		self.markets.clear();
		self
	}

	/// The pool starts with `cash` (instead of 100 million dollars).
	pub fn pool_cash(mut self, cash: Balance) -> Self {
		for (who, balance) in self.balances.iter_mut() {
			if *who == POOL {
				*balance = cash + ED;
			}
		}
		self
	}

	/// A profit warm-up at genesis.
	pub fn warmup(mut self, threshold: Balance, period: u64) -> Self {
		self.warmup = Some(ProfitWarmup { threshold, period });
		self
	}

	/// The externalities, at block 1, BTC at 50,000 and ETH at 2,500.
	/// Genesis liquidation parameters (full liquidations only without).
	pub fn liquidation(mut self, params: LiquidationParams) -> Self {
		self.liquidation = Some(params);
		self
	}

	/// Genesis stress moves.
	pub fn stress_moves(mut self, moves: Vec<(MarketId, Permill)>) -> Self {
		self.stress_moves = moves;
		self
	}

	pub fn build(self) -> sp_io::TestExternalities {
		PRICES.with(|p| p.borrow_mut().clear());
		PREMIUM_RATES.with(|r| r.borrow_mut().clear());
		VOLATILITY_SEEN.with(|v| v.borrow_mut().clear());
		reset_parameters();
		insert_price(BTC_ASSET, usd(50_000), usd(50_000), Permill::zero(), 0);
		insert_price(ETH_ASSET, usd(2_500), usd(2_500), Permill::zero(), 0);
		let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
		pallet_balances::GenesisConfig::<Test> { balances: self.balances, ..Default::default() }
			.assimilate_storage(&mut storage)
			.unwrap();
		pallet_margin::GenesisConfig::<Test> {
			markets: self.markets,
			fee_split: None,
			profit_warmup: self.warmup,
			liquidation: self.liquidation,
			stress_moves: self.stress_moves,
			_config: Default::default(),
		}
		.assimilate_storage(&mut storage)
		.unwrap();
		let mut ext = sp_io::TestExternalities::new(storage);
		ext.execute_with(|| System::set_block_number(1));
		ext
	}

	/// Runs `test`, then checks the pallet's invariants and that the pallet
	/// account holds exactly its ledgers, the buffer and what tests donated
	/// (with [`donate`]) and was not swept.
	pub fn build_and_execute(self, test: impl FnOnce()) {
		self.build().execute_with(|| {
			test();
			Margin::do_try_state().expect("invariants hold after the test");
			let unswept = Donated::get() - swept();
			assert_eq!(
				Balances::balance(&Margin::account_id()),
				ledgers() + ED + unswept,
				"the pallet account holds exactly its ledgers, the buffer and the unswept donations"
			);
			assert_eq!(Margin::excess(), unswept, "excess reports the unswept donations");
		})
	}
}

/// The externalities of the benchmark tests: no markets.
#[cfg(feature = "runtime-benchmarks")]
pub fn new_bench_ext() -> sp_io::TestExternalities {
	ExtBuilder::default().without_markets().build()
}

/// Runs the funding accrual and the idle hook up to block `n`.
pub fn run_to_block(n: u64) {
	while System::block_number() < n {
		let next = System::block_number() + 1;
		System::set_block_number(next);
		Margin::on_initialize(next);
		Margin::on_idle(next, frame_support::weights::Weight::MAX);
	}
}

/// Runs `on_initialize` only (funding, deleveraging, the liquidation
/// sweep; no idle hook) up to block `n`.
pub fn accrue_to_block(n: u64) {
	while System::block_number() < n {
		let next = System::block_number() + 1;
		System::set_block_number(next);
		Margin::on_initialize(next);
	}
}

/// Everything the pallet's ledgers say it holds: collateral plus what every
/// market holds for others.
pub fn ledgers() -> Balance {
	let collateral: Balance = Accounts::<Test>::iter_values().map(|a| a.collateral).sum();
	let held: Balance =
		Markets::<Test>::iter_values().map(|m| m.held_for_others().expect("ledgers fit")).sum();
	collateral + held
}

/// Transfers `amount` unsolicited from [`DONOR`] (minted for it) to the
/// pallet account, as anyone may, and records it.
pub fn donate(amount: Balance) {
	Balances::mint_into(&DONOR, amount + ED).unwrap();
	Balances::transfer(&DONOR, &Margin::account_id(), amount, Preservation::Preserve).unwrap();
	Donated::mutate(|d| *d += amount);
}

/// What `sweep_excess` swept, by its events.
pub fn swept() -> Balance {
	System::events()
		.into_iter()
		.filter_map(|record| match record.event {
			RuntimeEvent::Margin(Event::ExcessSwept { amount }) => Some(amount),
			_ => None,
		})
		.sum()
}

/// Free balance of `who` in the settlement asset.
pub fn balance(who: u64) -> Balance {
	Balances::balance(&who)
}
