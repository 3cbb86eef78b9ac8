//! A mock runtime: `pallet-balances` as the settlement asset, a risk
//! exposure whose open interest, required capital and premium per block
//! tests can set, and an excess sink that
//! really takes what it is offered.

use crate as pallet_staking_backstop;
use crate::{GenesisConfig, PremiumParams, Tranche, TrancheParams};
use backstop_primitives::{
	governance::EnsureAuthority, Balance, MarketId, RevenueKind, RevenueSink, RiskExposure,
};
use frame_support::{
	derive_impl, ord_parameter_types, parameter_types,
	traits::{fungible::Mutate, tokens::Preservation, ConstU64, Hooks},
	PalletId,
};
use frame_system::{EnsureRoot, EnsureSignedBy};
use sp_runtime::{BuildStorage, DispatchError, FixedU128, Perbill, Permill};
use std::cell::RefCell;

pub type AccountId = u64;
pub type BlockNumber = u64;

/// Funded accounts.
pub const ALICE: AccountId = 1;
pub const BOB: AccountId = 2;
pub const CHARLIE: AccountId = 3;
pub const DAVE: AccountId = 4;
/// The account that carries bad debt (the margin pallet's, in the runtime).
pub const BENEFICIARY: AccountId = 100;
/// Where revenue comes from (the margin pallet or the insurance fund).
pub const SOURCE: AccountId = 200;
/// An account that holds nothing.
pub const NOBODY: AccountId = 999;
/// The excess sink's account (the insurance fund's, in the runtime).
pub const SINK: AccountId = 300;

/// The risk track's account in the tests (a signed origin stands in for the
/// track).
pub const RISK_TRACK: AccountId = 9_001;
/// The guardian council's account in the tests.
pub const GUARDIAN: AccountId = 9_002;
/// Blocks between two bounded changes of one parameter.
pub const MIN_CHANGE_INTERVAL: BlockNumber = 10;

ord_parameter_types! {
	pub const RiskTrackMembers: AccountId = RISK_TRACK;
	pub const GuardianMembers: AccountId = GUARDIAN;
}

/// The settlement asset's minimum balance in the mock.
pub const ED: Balance = 10;
/// What each funded account starts with.
pub const ENDOWMENT: Balance = 10_000_000;

/// The market the tests book losses and revenue against.
pub const MARKET: MarketId = 7;

/// Junior parameters of the default test genesis.
pub const JUNIOR_COOLDOWN: BlockNumber = 10;
pub const JUNIOR_WINDOW: BlockNumber = 5;
/// Senior parameters of the default test genesis.
pub const SENIOR_COOLDOWN: BlockNumber = 20;
pub const SENIOR_WINDOW: BlockNumber = 5;
pub const MIN_STAKE: Balance = 100;

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
	pub type StakingBackstop = pallet_staking_backstop::Pallet<Test>;
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
	static OPEN_INTEREST: RefCell<Balance> = const { RefCell::new(0) };
	static REQUIRED_CAPITAL: RefCell<Balance> = const { RefCell::new(0) };
	static PREMIUM_PER_BLOCK: RefCell<Balance> = const { RefCell::new(0) };
}

/// The markets' risk as the tests set it, all booked against [`MARKET`]:
/// total open interest, the stressed required capital (what the margin
/// pallet's `total_required_capital` would return) and the premium accrued
/// per block.
pub struct MockExposure;

impl MockExposure {
	/// Sets the total open interest.
	pub fn set(open_interest: Balance) {
		OPEN_INTEREST.with(|oi| *oi.borrow_mut() = open_interest);
	}

	/// Sets the total required capital.
	pub fn set_required(required: Balance) {
		REQUIRED_CAPITAL.with(|r| *r.borrow_mut() = required);
	}

	/// Sets the premium all markets accrue per block.
	pub fn set_premium_per_block(premium: Balance) {
		PREMIUM_PER_BLOCK.with(|p| *p.borrow_mut() = premium);
	}
}

impl RiskExposure for MockExposure {
	fn open_interest(market: MarketId) -> Balance {
		if market == MARKET {
			Self::total_open_interest()
		} else {
			0
		}
	}

	fn total_open_interest() -> Balance {
		OPEN_INTEREST.with(|oi| *oi.borrow())
	}

	fn required_capital(market: MarketId) -> Balance {
		if market == MARKET {
			Self::total_required_capital()
		} else {
			0
		}
	}

	fn total_required_capital() -> Balance {
		REQUIRED_CAPITAL.with(|r| *r.borrow())
	}

	fn premium_per_block() -> Balance {
		PREMIUM_PER_BLOCK.with(|p| *p.borrow())
	}
}

parameter_types! {
	/// Whether the excess sink takes nothing of what it is offered.
	pub static SinkTakesNothing: bool = false;
	/// Whether the excess sink refuses what it is offered.
	pub static SinkRefuses: bool = false;
}

/// The insurance fund as an excess sink: it takes all it is offered from the
/// source (kept alive) into [`SINK`], or, when a test says so, nothing or an
/// error.
pub struct MockSink;

impl RevenueSink<AccountId> for MockSink {
	fn receive(
		_market: MarketId,
		_kind: RevenueKind,
		source: &AccountId,
		amount: Balance,
	) -> Result<Balance, DispatchError> {
		if SinkRefuses::get() {
			return Err(DispatchError::Other("sink refuses"));
		}
		if SinkTakesNothing::get() || amount == 0 {
			return Ok(0);
		}
		<Balances as Mutate<AccountId>>::transfer(source, &SINK, amount, Preservation::Preserve)?;
		Ok(amount)
	}
}

parameter_types! {
	pub const StakingPalletId: PalletId = PalletId(*b"bk/stake");
	pub static MaxMinStake: Balance = 1_000_000;
	pub static MaxSlashFraction: Perbill = Perbill::from_percent(50);
	pub static MinCooldown: BlockNumber = 2;
	pub static MaxCooldown: BlockNumber = 1_000;
	pub static MinUnstakeWindow: BlockNumber = 2;
	pub static MaxUnstakeWindow: BlockNumber = 1_000;
	pub static MaxCoveragePoint: FixedU128 = FixedU128::from_u32(10);
	pub static MaxWindowFraction: Permill = Permill::from_percent(50);
	pub static MaxWipeOutFloor: Perbill = Perbill::from_percent(10);
	pub static MaxJuniorMultiple: FixedU128 = FixedU128::from_u32(10);
	pub static BlocksPerYear: u32 = 5_256_000;
	/// A quarter of the old value per change.
	pub const MaxParamStep: Permill = Permill::from_percent(25);
}

impl pallet_staking_backstop::Config for Test {
	type Currency = Balances;
	type Exposure = MockExposure;
	type AdminOrigin = EnsureAuthority<
		EnsureRoot<AccountId>,
		EnsureSignedBy<RiskTrackMembers, AccountId>,
		EnsureSignedBy<GuardianMembers, AccountId>,
	>;
	type MaxParamStep = MaxParamStep;
	type MinChangeInterval = ConstU64<MIN_CHANGE_INTERVAL>;
	type ExcessSink = MockSink;
	type PalletId = StakingPalletId;
	type MaxMinStake = MaxMinStake;
	type MaxSlashFraction = MaxSlashFraction;
	type MinCooldown = MinCooldown;
	type MaxCooldown = MaxCooldown;
	type MinUnstakeWindow = MinUnstakeWindow;
	type MaxUnstakeWindow = MaxUnstakeWindow;
	type MaxCoveragePoint = MaxCoveragePoint;
	type MaxWindowFraction = MaxWindowFraction;
	type MaxWipeOutFloor = MaxWipeOutFloor;
	type MaxJuniorMultiple = MaxJuniorMultiple;
	type BlocksPerYear = BlocksPerYear;
	type WeightInfo = ();
}

/// Junior parameters of the default test genesis: 30% per event, 100% per
/// block (the per-block cap off unless a test sets it), a 1% floor.
pub fn junior_params() -> TrancheParams<BlockNumber> {
	TrancheParams {
		min_stake: MIN_STAKE,
		max_slash_fraction: Perbill::from_percent(30),
		cooldown: JUNIOR_COOLDOWN,
		unstake_window: JUNIOR_WINDOW,
		max_slash_per_block: Perbill::one(),
		wipe_out_floor: Perbill::from_percent(1),
	}
}

/// Senior parameters of the default test genesis: 20% per event, 100% per
/// block, a 1% floor.
pub fn senior_params() -> TrancheParams<BlockNumber> {
	TrancheParams {
		min_stake: MIN_STAKE,
		max_slash_fraction: Perbill::from_percent(20),
		cooldown: SENIOR_COOLDOWN,
		unstake_window: SENIOR_WINDOW,
		max_slash_per_block: Perbill::one(),
		wipe_out_floor: Perbill::from_percent(1),
	}
}

/// The premium parameters of the default test genesis: 8% a year at
/// coverage 1 or below, 4% at coverage 3 or above, 2 units of annual rate
/// per unit of volatility, capped at 20%, junior earning 3 times the senior
/// rate.
pub fn premium_params() -> PremiumParams {
	PremiumParams {
		rate_max: Permill::from_percent(8),
		rate_min: Permill::from_percent(4),
		coverage_low: FixedU128::from_u32(1),
		coverage_high: FixedU128::from_u32(3),
		volatility_weight: FixedU128::from_u32(2),
		rate_cap: Permill::from_percent(20),
		junior_multiple: FixedU128::from_u32(3),
	}
}

/// Builds test externalities.
pub struct ExtBuilder {
	junior_params: TrancheParams<BlockNumber>,
	senior_params: TrancheParams<BlockNumber>,
	premium: PremiumParams,
	junior_stakes: Vec<(AccountId, Balance)>,
	senior_stakes: Vec<(AccountId, Balance)>,
	max_slash_fraction: Perbill,
	window_fraction: Permill,
	min_cooldown: BlockNumber,
	min_window: BlockNumber,
	with_pallet_genesis: bool,
}

impl Default for ExtBuilder {
	fn default() -> Self {
		Self {
			junior_params: junior_params(),
			senior_params: senior_params(),
			premium: premium_params(),
			junior_stakes: vec![],
			senior_stakes: vec![],
			max_slash_fraction: Perbill::from_percent(50),
			window_fraction: Permill::from_percent(50),
			min_cooldown: 2,
			min_window: 2,
			with_pallet_genesis: true,
		}
	}
}

impl ExtBuilder {
	/// Stakes seeded at genesis.
	pub fn stakes(
		mut self,
		junior: Vec<(AccountId, Balance)>,
		senior: Vec<(AccountId, Balance)>,
	) -> Self {
		self.junior_stakes = junior;
		self.senior_stakes = senior;
		self
	}

	/// Parameters of one tranche.
	pub fn params(mut self, tranche: Tranche, params: TrancheParams<BlockNumber>) -> Self {
		match tranche {
			Tranche::Junior => self.junior_params = params,
			Tranche::Senior => self.senior_params = params,
		}
		self
	}

	/// The hard limit `MaxSlashFraction`.
	pub fn max_slash_fraction(mut self, fraction: Perbill) -> Self {
		self.max_slash_fraction = fraction;
		self
	}

	/// The hard limit `MaxWindowFraction`.
	pub fn window_fraction(mut self, fraction: Permill) -> Self {
		self.window_fraction = fraction;
		self
	}

	/// The hard limits `MinCooldown` and `MinUnstakeWindow`.
	pub fn min_cooldown_and_window(mut self, cooldown: BlockNumber, window: BlockNumber) -> Self {
		self.min_cooldown = cooldown;
		self.min_window = window;
		self
	}

	/// The premium parameters.
	pub fn premium(mut self, premium: PremiumParams) -> Self {
		self.premium = premium;
		self
	}

	/// Leaves the pallet's genesis out, as when the pallet is added to a live
	/// chain: no buffer, no stakes, default parameters.
	pub fn without_pallet_genesis(mut self) -> Self {
		self.with_pallet_genesis = false;
		self
	}

	/// The externalities, at block 1 (so that events are recorded).
	pub fn build(self) -> sp_io::TestExternalities {
		MockExposure::set(0);
		MockExposure::set_required(0);
		MockExposure::set_premium_per_block(0);
		MaxMinStake::set(1_000_000);
		MaxSlashFraction::set(self.max_slash_fraction);
		MinCooldown::set(self.min_cooldown);
		MaxCooldown::set(1_000);
		MinUnstakeWindow::set(self.min_window);
		MaxUnstakeWindow::set(1_000);
		MaxCoveragePoint::set(FixedU128::from_u32(10));
		MaxWindowFraction::set(self.window_fraction);
		MaxWipeOutFloor::set(Perbill::from_percent(10));
		MaxJuniorMultiple::set(FixedU128::from_u32(10));
		BlocksPerYear::set(5_256_000);
		SinkTakesNothing::set(false);
		SinkRefuses::set(false);

		let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
		pallet_balances::GenesisConfig::<Test> {
			balances: vec![
				(ALICE, ENDOWMENT),
				(BOB, ENDOWMENT),
				(CHARLIE, ENDOWMENT),
				(DAVE, ENDOWMENT),
				(BENEFICIARY, ENDOWMENT),
				(SOURCE, ENDOWMENT),
				(SINK, ED),
			],
			..Default::default()
		}
		.assimilate_storage(&mut storage)
		.unwrap();
		if self.with_pallet_genesis {
			GenesisConfig::<Test> {
				junior_params: self.junior_params,
				senior_params: self.senior_params,
				premium_params: self.premium,
				junior_stakes: self.junior_stakes,
				senior_stakes: self.senior_stakes,
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
			StakingBackstop::do_try_state().expect("invariants hold after the test");
		});
	}
}

/// Runs the pallet's integrity test against the mock configuration.
pub fn integrity_test() {
	<StakingBackstop as Hooks<BlockNumber>>::integrity_test();
}
