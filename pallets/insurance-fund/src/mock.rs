//! A mock runtime: `pallet-balances` as the settlement asset and a risk
//! exposure whose open interest tests can set.

use crate as pallet_insurance_fund;
use crate::{FundParams, GenesisConfig, KeeperRewardLimits};
use backstop_primitives::{
	governance::EnsureAuthority, Balance, MarketId, RevenueKind, RevenueSink, RiskExposure,
};
use frame_support::{
	derive_impl, ord_parameter_types, parameter_types,
	traits::{fungible::Mutate, tokens::Preservation, ConstU32, ConstU64, Hooks},
	PalletId,
};
use frame_system::{EnsureRoot, EnsureSignedBy};
use sp_runtime::DispatchError;
use sp_runtime::{BuildStorage, Permill};
use std::{cell::RefCell, collections::BTreeMap};

pub type AccountId = u64;

/// Funded accounts.
pub const ALICE: AccountId = 1;
pub const BOB: AccountId = 2;
pub const CHARLIE: AccountId = 3;
/// The account that carries bad debt (the margin pallet's, in the runtime).
pub const BENEFICIARY: AccountId = 100;
/// Where governance sends surplus (the stakers' reward pot, in the runtime).
pub const POT: AccountId = 200;

/// The settlement asset's minimum balance in the mock.
pub const ED: Balance = 10;
/// What each funded account starts with.
pub const ENDOWMENT: Balance = 1_000_000;

/// The risk track's account in the tests (a signed origin stands in for the
/// track).
pub const RISK_TRACK: AccountId = 9_001;
/// The guardian council's account in the tests.
pub const GUARDIAN: AccountId = 9_002;
/// Blocks between two bounded changes of one parameter.
pub const MIN_CHANGE_INTERVAL: u64 = 10;

ord_parameter_types! {
	pub const RiskTrackMembers: AccountId = RISK_TRACK;
	pub const GuardianMembers: AccountId = GUARDIAN;
}

/// Seeds and parameters of the default test genesis.
pub const GLOBAL_SEED: Balance = 10_000;
pub const MARKET: MarketId = 0;
pub const MARKET_SEED: Balance = 5_000;

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
	pub type InsuranceFund = pallet_insurance_fund::Pallet<Test>;
}

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = frame_system::mocking::MockBlock<Test>;
	type AccountData = pallet_balances::AccountData<Balance>;
}

parameter_types! {
	pub const ExistentialDeposit: Balance = ED;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type Balance = Balance;
	type ExistentialDeposit = ExistentialDeposit;
	type AccountStore = System;
}

thread_local! {
	static OPEN_INTEREST: RefCell<BTreeMap<MarketId, (Balance, Balance)>> = const { RefCell::new(BTreeMap::new()) };
}

/// Open interest and required capital set by the tests.
///
/// As in the margin pallet, a market's required capital is at most its open
/// interest (a stress move of at most 100%), and the markets' positions are
/// taken to be on one side, so that with correlations at one the total
/// required capital is the sum over markets.
pub struct MockExposure;

impl MockExposure {
	/// Sets the open interest of `market`, with a stress that takes all of it
	/// (required capital = open interest).
	pub fn set(market: MarketId, open_interest: Balance) {
		Self::set_with_required(market, open_interest, open_interest);
	}

	/// Sets the open interest of `market` and its required capital (at most
	/// the open interest).
	pub fn set_with_required(market: MarketId, open_interest: Balance, required: Balance) {
		let required = required.min(open_interest);
		OPEN_INTEREST.with(|oi| oi.borrow_mut().insert(market, (open_interest, required)));
	}

	fn reset() {
		OPEN_INTEREST.with(|oi| oi.borrow_mut().clear());
	}

	fn sum(pick: impl Fn(&(Balance, Balance)) -> Balance) -> Balance {
		OPEN_INTEREST
			.with(|oi| oi.borrow().values().fold(0, |sum: Balance, v| sum.saturating_add(pick(v))))
	}
}

impl RiskExposure for MockExposure {
	fn open_interest(market: MarketId) -> Balance {
		OPEN_INTEREST.with(|oi| oi.borrow().get(&market).map(|v| v.0).unwrap_or_default())
	}

	fn total_open_interest() -> Balance {
		Self::sum(|v| v.0)
	}

	fn required_capital(market: MarketId) -> Balance {
		OPEN_INTEREST.with(|oi| oi.borrow().get(&market).map(|v| v.1).unwrap_or_default())
	}

	fn total_required_capital() -> Balance {
		Self::sum(|v| v.1)
	}

	fn premium_per_block() -> Balance {
		0
	}
}

parameter_types! {
	pub const InsurancePalletId: PalletId = PalletId(*b"bk/insur");
	pub static MaxMarketFunds: u32 = 3;
	pub static MaxCapFraction: Permill = Permill::one();
	pub static MaxAbsoluteCap: Balance = 1_000_000;
	pub static MaxTargetFraction: Permill = Permill::from_percent(50);
	pub static MaxForwardFraction: Permill = Permill::from_percent(50);
	pub const MaxKeeperReward: Balance = 1_000;
	/// Half of a fund's surplus per release.
	pub const SurplusReleaseShare: Permill = Permill::from_percent(50);
	/// The share of each release the mock stakers' sink takes.
	pub static SurplusSinkTakes: Permill = Permill::one();
	/// A quarter of the old value per change.
	pub const MaxParamStep: Permill = Permill::from_percent(25);
}

#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper for MockExposure {
	fn prepare_open_interest(market: MarketId) {
		MockExposure::set(market, 100_000);
	}
}

/// The stakers' reward ledger as a surplus sink: pulls the share
/// [`SurplusSinkTakes`] of each release from the source into [`POT`], as the
/// staking backstop pulls revenue, and records every receipt; only
/// `InsuranceSurplus` is accepted.
pub struct MockSurplusSink;
impl RevenueSink<AccountId> for MockSurplusSink {
	fn receive(
		market: MarketId,
		kind: RevenueKind,
		source: &AccountId,
		amount: Balance,
	) -> Result<Balance, DispatchError> {
		if kind != RevenueKind::InsuranceSurplus {
			return Err(DispatchError::Other("the stakers take only surplus here"));
		}
		let taken = SurplusSinkTakes::get().mul_floor(amount);
		<Balances as Mutate<AccountId>>::transfer(source, &POT, taken, Preservation::Preserve)?;
		SURPLUS_RECEIPTS.with(|r| r.borrow_mut().push((market, taken)));
		Ok(taken)
	}
}

thread_local! {
	static SURPLUS_RECEIPTS: RefCell<Vec<(MarketId, Balance)>> = const { RefCell::new(Vec::new()) };
}

/// `(market, taken)` per surplus release the mock sink received.
pub fn surplus_receipts() -> Vec<(MarketId, Balance)> {
	SURPLUS_RECEIPTS.with(|r| r.borrow().clone())
}

impl pallet_insurance_fund::Config for Test {
	type Currency = Balances;
	type Exposure = MockExposure;
	type AdminOrigin = EnsureAuthority<
		EnsureRoot<AccountId>,
		EnsureSignedBy<RiskTrackMembers, AccountId>,
		EnsureSignedBy<GuardianMembers, AccountId>,
	>;
	type MaxParamStep = MaxParamStep;
	type MinChangeInterval = ConstU64<MIN_CHANGE_INTERVAL>;
	type PalletId = InsurancePalletId;
	type MaxMarketFunds = MaxMarketFunds;
	type MaxCapFraction = MaxCapFraction;
	type MaxAbsoluteCap = MaxAbsoluteCap;
	type MaxTargetFraction = MaxTargetFraction;
	type MaxForwardFraction = MaxForwardFraction;
	type MaxKeeperReward = MaxKeeperReward;
	type MaxKeeperRewardsPerBlock = ConstU32<10>;
	type SurplusSink = MockSurplusSink;
	type SurplusReleaseInterval = ConstU64<10>;
	type SurplusReleaseShare = SurplusReleaseShare;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = MockExposure;
	type WeightInfo = ();
}

/// Parameters of the global fund in the default test genesis: a draw is
/// capped at half the fund and at 4 000; target 10% of open interest; floor
/// half the target.
pub fn global_params() -> FundParams {
	FundParams {
		cap_fraction: Permill::from_percent(50),
		absolute_cap: 4_000,
		target_fraction: Permill::from_percent(10),
		floor: Permill::from_percent(50),
	}
}

/// Parameters of market sub-funds in the default test genesis: as the global
/// fund's, with an absolute cap of 2 000.
pub fn market_params() -> FundParams {
	FundParams { absolute_cap: 2_000, ..global_params() }
}

/// Builds test externalities.
pub struct ExtBuilder {
	global_seed: Balance,
	market_seeds: Vec<(MarketId, Balance)>,
	global_params: FundParams,
	market_params: FundParams,
	forward_fraction: Permill,
	keeper_reward_limits: KeeperRewardLimits,
	with_pallet_genesis: bool,
}

/// Keeper reward caps in the default test genesis: 100 per liquidation, 250
/// a block.
pub const KEEPER_LIMITS: KeeperRewardLimits =
	KeeperRewardLimits { per_liquidation: 100, per_block: 250 };

impl Default for ExtBuilder {
	fn default() -> Self {
		Self {
			global_seed: GLOBAL_SEED,
			market_seeds: vec![(MARKET, MARKET_SEED)],
			global_params: global_params(),
			market_params: market_params(),
			forward_fraction: Permill::from_percent(10),
			keeper_reward_limits: KEEPER_LIMITS,
			with_pallet_genesis: true,
		}
	}
}

impl ExtBuilder {
	/// Seeds of the global fund and of market sub-funds.
	pub fn seeds(mut self, global: Balance, markets: Vec<(MarketId, Balance)>) -> Self {
		self.global_seed = global;
		self.market_seeds = markets;
		self
	}

	/// Parameters of the global fund.
	pub fn global_params(mut self, params: FundParams) -> Self {
		self.global_params = params;
		self
	}

	/// Default parameters of market sub-funds.
	pub fn market_params(mut self, params: FundParams) -> Self {
		self.market_params = params;
		self
	}

	/// The fraction of market revenue forwarded to the global fund.
	pub fn forward_fraction(mut self, fraction: Permill) -> Self {
		self.forward_fraction = fraction;
		self
	}

	/// Leaves the pallet's genesis out, as when the pallet is added to a live
	/// chain: no buffer, no funds, default parameters.
	pub fn without_pallet_genesis(mut self) -> Self {
		self.with_pallet_genesis = false;
		self
	}

	/// The externalities, at block 1 (so that events are recorded).
	pub fn build(self) -> sp_io::TestExternalities {
		MockExposure::reset();
		MaxMarketFunds::set(3);
		MaxCapFraction::set(Permill::one());
		MaxAbsoluteCap::set(1_000_000);
		MaxTargetFraction::set(Permill::from_percent(50));
		MaxForwardFraction::set(Permill::from_percent(50));
		SurplusSinkTakes::set(Permill::one());
		SURPLUS_RECEIPTS.with(|r| r.borrow_mut().clear());

		let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
		pallet_balances::GenesisConfig::<Test> {
			balances: vec![
				(ALICE, ENDOWMENT),
				(BOB, ENDOWMENT),
				(CHARLIE, ENDOWMENT),
				(BENEFICIARY, ENDOWMENT),
			],
			..Default::default()
		}
		.assimilate_storage(&mut storage)
		.unwrap();
		if self.with_pallet_genesis {
			GenesisConfig::<Test> {
				global_seed: self.global_seed,
				market_seeds: self.market_seeds,
				global_params: self.global_params,
				default_market_params: self.market_params,
				forward_fraction: self.forward_fraction,
				keeper_reward_limits: self.keeper_reward_limits,
				block_cap: None,
				_config: Default::default(),
			}
			.assimilate_storage(&mut storage)
			.unwrap();
		}
		let mut ext = sp_io::TestExternalities::new(storage);
		ext.execute_with(|| System::set_block_number(1));
		ext
	}

	/// Runs `test`, then checks the pallet's invariants.
	pub fn build_and_execute(self, test: impl FnOnce()) {
		self.build().execute_with(|| {
			test();
			InsuranceFund::do_try_state().expect("invariants hold after the test");
		});
	}
}

/// Runs the pallet's integrity test against the mock configuration.
pub fn integrity_test() {
	<InsuranceFund as Hooks<u64>>::integrity_test();
}
