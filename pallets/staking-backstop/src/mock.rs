//! A mock runtime: `pallet-balances` as the settlement asset, a risk
//! exposure whose total open interest tests can set and an excess sink that
//! really takes what it is offered.

use crate as pallet_staking_backstop;
use crate::{GenesisConfig, PremiumCurve, Tranche, TrancheParams};
use backstop_primitives::{Balance, MarketId, RevenueKind, RevenueSink, RiskExposure};
use frame_support::{
	derive_impl, parameter_types,
	traits::{fungible::Mutate, tokens::Preservation, Hooks},
	PalletId,
};
use frame_system::EnsureRoot;
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
}

/// Total open interest set by the tests, all booked against [`MARKET`].
pub struct MockExposure;

impl MockExposure {
	/// Sets the total open interest.
	pub fn set(open_interest: Balance) {
		OPEN_INTEREST.with(|oi| *oi.borrow_mut() = open_interest);
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
	pub static MaxUnstakeRequests: u32 = 3;
	pub static MaxMinStake: Balance = 1_000_000;
	pub static MaxSlashFraction: Perbill = Perbill::from_percent(50);
	pub static MinCooldown: BlockNumber = 2;
	pub static MaxCooldown: BlockNumber = 1_000;
	pub static MinUnstakeWindow: BlockNumber = 2;
	pub static MaxUnstakeWindow: BlockNumber = 1_000;
	pub static MaxCoveragePoint: FixedU128 = FixedU128::from_u32(10);
}

impl pallet_staking_backstop::Config for Test {
	type Currency = Balances;
	type Exposure = MockExposure;
	type AdminOrigin = EnsureRoot<AccountId>;
	type ExcessSink = MockSink;
	type PalletId = StakingPalletId;
	type MaxUnstakeRequests = MaxUnstakeRequests;
	type MaxMinStake = MaxMinStake;
	type MaxSlashFraction = MaxSlashFraction;
	type MinCooldown = MinCooldown;
	type MaxCooldown = MaxCooldown;
	type MinUnstakeWindow = MinUnstakeWindow;
	type MaxUnstakeWindow = MaxUnstakeWindow;
	type MaxCoveragePoint = MaxCoveragePoint;
	type WeightInfo = ();
}

/// Junior parameters of the default test genesis: 30% per event.
pub fn junior_params() -> TrancheParams<BlockNumber> {
	TrancheParams {
		min_stake: MIN_STAKE,
		max_slash_fraction: Perbill::from_percent(30),
		cooldown: JUNIOR_COOLDOWN,
		unstake_window: JUNIOR_WINDOW,
	}
}

/// Senior parameters of the default test genesis: 20% per event.
pub fn senior_params() -> TrancheParams<BlockNumber> {
	TrancheParams {
		min_stake: MIN_STAKE,
		max_slash_fraction: Perbill::from_percent(20),
		cooldown: SENIOR_COOLDOWN,
		unstake_window: SENIOR_WINDOW,
	}
}

/// The premium curve of the default test genesis: capital required is 10%
/// of open interest; the junior share falls from 80% at coverage 1 to 40% at
/// coverage 3.
pub fn premium_curve() -> PremiumCurve {
	PremiumCurve {
		required_capital: Permill::from_percent(10),
		coverage_low: FixedU128::from_u32(1),
		coverage_high: FixedU128::from_u32(3),
		junior_max: Permill::from_percent(80),
		junior_min: Permill::from_percent(40),
	}
}

/// Builds test externalities.
pub struct ExtBuilder {
	junior_params: TrancheParams<BlockNumber>,
	senior_params: TrancheParams<BlockNumber>,
	curve: PremiumCurve,
	junior_stakes: Vec<(AccountId, Balance)>,
	senior_stakes: Vec<(AccountId, Balance)>,
	max_slash_fraction: Perbill,
	with_pallet_genesis: bool,
}

impl Default for ExtBuilder {
	fn default() -> Self {
		Self {
			junior_params: junior_params(),
			senior_params: senior_params(),
			curve: premium_curve(),
			junior_stakes: vec![],
			senior_stakes: vec![],
			max_slash_fraction: Perbill::from_percent(50),
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

	/// The premium curve.
	pub fn curve(mut self, curve: PremiumCurve) -> Self {
		self.curve = curve;
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
		MaxUnstakeRequests::set(3);
		MaxMinStake::set(1_000_000);
		MaxSlashFraction::set(self.max_slash_fraction);
		MinCooldown::set(2);
		MaxCooldown::set(1_000);
		MinUnstakeWindow::set(2);
		MaxUnstakeWindow::set(1_000);
		MaxCoveragePoint::set(FixedU128::from_u32(10));
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
				premium_curve: self.curve,
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
