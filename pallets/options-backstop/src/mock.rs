//! A mock runtime: `pallet-balances` as the settlement asset, a mock oracle
//! (spot, EMA and confidence per asset, or unavailable), and a mock
//! insurance fund as the buyer, which really moves the premiums and payouts
//! through its account and refuses a premium it cannot pay.

use crate as pallet_options_backstop;
use crate::{GenesisConfig, PricingParams, PurchasePolicy, SkewPoint, Template, VaultParams};
use backstop_primitives::{
	Balance, EnsureAuthority, OracleAssetId, Price, PriceInfo, PriceProvider, PriceUnavailable,
	ProtectionBuyer,
};
use frame_support::{
	derive_impl, ord_parameter_types, parameter_types,
	traits::{fungible::Mutate, tokens::Preservation, Hooks},
	PalletId,
};
use frame_system::{EnsureRoot, EnsureSignedBy};
use sp_runtime::{BuildStorage, DispatchError, FixedI128, FixedU128, Permill};
use std::collections::BTreeMap;

pub type AccountId = u64;
pub type BlockNumber = u64;

/// Underwriters.
pub const ALICE: AccountId = 1;
pub const BOB: AccountId = 2;
pub const CHARLIE: AccountId = 3;
/// The insurance fund's account.
pub const FUND: AccountId = 100;
/// The risk track and the guardian.
pub const RISK_TRACK: AccountId = 9_001;
pub const GUARDIAN: AccountId = 9_002;
/// A signed account in no governance body.
pub const NOBODY: AccountId = 999;

/// The assets.
pub const BTC: OracleAssetId = 0;
pub const ETH: OracleAssetId = 1;

/// One dollar in the settlement asset's smallest unit.
pub const DOLLAR: Balance = 1_000_000;
/// One whole base unit.
pub const UNIT: u128 = 1_000_000;
/// The settlement asset's minimum balance.
pub const ED: Balance = 10;
/// What each endowed account starts with: ten million dollars.
pub const ENDOWMENT: Balance = 10_000_000 * DOLLAR;
/// ALICE's genesis liquidity: one million dollars.
pub const SEED: Balance = 1_000_000 * DOLLAR;
/// Blocks per year in the mock.
pub const YEAR: BlockNumber = 1_000_000;
/// The template's tenor: a tenth of a year.
pub const TENOR: BlockNumber = 100_000;
/// The settlement window.
pub const WINDOW: BlockNumber = 10;
/// The withdrawal delay and window.
pub const DELAY: BlockNumber = 20;
pub const WITHDRAW_WINDOW: BlockNumber = 10;

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
	pub type Options = pallet_options_backstop::Pallet<Test>;
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

parameter_types! {
	/// Per asset: spot, EMA and confidence; absent assets are unknown.
	pub static Prices: BTreeMap<OracleAssetId, (Price, Price, Permill)> = BTreeMap::new();
	/// The fund's cumulative fee income.
	pub static FeeIncome: Balance = 0;
	/// Whether the fund is below its floor.
	pub static BelowFloor: bool = false;
	/// Premiums and payouts the fund booked.
	pub static FundPremiums: Balance = 0;
	pub static FundPayouts: Balance = 0;
}

/// The oracle: whatever the tests set.
pub struct MockPrices;

impl PriceProvider<BlockNumber> for MockPrices {
	fn price(asset: OracleAssetId) -> Result<PriceInfo<BlockNumber>, PriceUnavailable> {
		let (price, ema, confidence) =
			Prices::get().get(&asset).copied().ok_or(PriceUnavailable::UnknownAsset)?;
		Ok(PriceInfo { price, ema, confidence, updated_at: System::block_number(), frozen: false })
	}
}

/// Sets spot and EMA of `asset` to `price` (whole dollars), confidence 1%.
pub fn set_price(asset: OracleAssetId, price: u128) {
	set_price_full(
		asset,
		FixedU128::from_u32(price as u32),
		FixedU128::from_u32(price as u32),
		Permill::from_percent(1),
	);
}

/// Sets spot, EMA and confidence of `asset`.
pub fn set_price_full(asset: OracleAssetId, spot: Price, ema: Price, confidence: Permill) {
	Prices::mutate(|p| {
		p.insert(asset, (spot, ema, confidence));
	});
}

/// Makes the price of `asset` unavailable.
pub fn remove_price(asset: OracleAssetId) {
	Prices::mutate(|p| {
		p.remove(&asset);
	});
}

/// The insurance fund: premiums leave [`FUND`] (kept alive; refused if it
/// cannot pay), payouts arrive in it.
pub struct MockFund;

impl ProtectionBuyer<AccountId> for MockFund {
	fn account() -> Option<AccountId> {
		Some(FUND)
	}
	fn fee_income() -> Balance {
		FeeIncome::get()
	}
	fn below_floor() -> bool {
		BelowFloor::get()
	}
	fn pay_premium(to: &AccountId, amount: Balance) -> Result<(), DispatchError> {
		<Balances as Mutate<AccountId>>::transfer(&FUND, to, amount, Preservation::Preserve)?;
		FundPremiums::mutate(|p| *p += amount);
		Ok(())
	}
	fn receive_payout(from: &AccountId, amount: Balance) -> Result<(), DispatchError> {
		<Balances as Mutate<AccountId>>::transfer(from, &FUND, amount, Preservation::Preserve)?;
		FundPayouts::mutate(|p| *p += amount);
		Ok(())
	}
}

ord_parameter_types! {
	pub const RiskTrack: AccountId = RISK_TRACK;
	pub const Guardian: AccountId = GUARDIAN;
}

parameter_types! {
	pub const OptionsPalletId: PalletId = PalletId(*b"bk/optns");
	pub const MaxParamStep: Permill = Permill::from_percent(25);
	pub const MinChangeInterval: BlockNumber = 10;
	pub static MaxTemplates: u32 = 3;
	pub static MaxSeries: u32 = 6;
	pub const MaxSkewPoints: u32 = 8;
	pub const MaxTenor: BlockNumber = 1_000_000;
	pub const SettlementWindow: BlockNumber = WINDOW;
	pub MaxVol: FixedU128 = FixedU128::from_u32(5);
	pub MaxVolScale: FixedU128 = FixedU128::from_u32(100);
	pub MaxSkewMultiplier: FixedU128 = FixedU128::from_u32(4);
	pub const MaxPremiumPerPeriod: Balance = 1_000_000 * DOLLAR;
	pub const MaxBudgetPeriod: BlockNumber = 1_000_000;
	pub const MaxMinDeposit: Balance = 1_000 * DOLLAR;
	pub const MaxWithdrawDelay: BlockNumber = 1_000;
	pub const MaxWithdrawWindow: BlockNumber = 1_000;
	pub const BlocksPerYear: u32 = YEAR as u32;
}

impl pallet_options_backstop::Config for Test {
	type Currency = Balances;
	type Prices = MockPrices;
	type Buyer = MockFund;
	type AdminOrigin = EnsureAuthority<
		EnsureRoot<AccountId>,
		EnsureSignedBy<RiskTrack, AccountId>,
		EnsureSignedBy<Guardian, AccountId>,
	>;
	type MaxParamStep = MaxParamStep;
	type MinChangeInterval = MinChangeInterval;
	type PalletId = OptionsPalletId;
	type MaxTemplates = MaxTemplates;
	type MaxSeries = MaxSeries;
	type MaxSkewPoints = MaxSkewPoints;
	type MaxTenor = MaxTenor;
	type SettlementWindow = SettlementWindow;
	type MaxVol = MaxVol;
	type MaxVolScale = MaxVolScale;
	type MaxSkewMultiplier = MaxSkewMultiplier;
	type MaxPremiumPerPeriod = MaxPremiumPerPeriod;
	type MaxBudgetPeriod = MaxBudgetPeriod;
	type MaxMinDeposit = MaxMinDeposit;
	type MaxWithdrawDelay = MaxWithdrawDelay;
	type MaxWithdrawWindow = MaxWithdrawWindow;
	type BlocksPerYear = BlocksPerYear;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = MockBenchmarkHelper;
}

/// The benchmarks' view of the mock.
#[cfg(feature = "runtime-benchmarks")]
pub struct MockBenchmarkHelper;

#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper<AccountId> for MockBenchmarkHelper {
	fn set_price(asset: OracleAssetId, price: Price) {
		set_price_full(asset, price, price, Permill::from_percent(2));
	}
	fn fund_buyer(amount: Balance, income: Balance) {
		let _ = <Balances as Mutate<AccountId>>::mint_into(&FUND, amount);
		FeeIncome::mutate(|i| *i += income);
	}
	fn set_below_floor() {
		BelowFloor::set(true);
	}
}

/// The genesis template: BTC puts spreads 80%/60% of the EMA, [`TENOR`]
/// blocks, a target of 100 000 dollars at a 30% fall.
pub fn btc_template() -> Template<BlockNumber> {
	Template {
		asset: BTC,
		upper_moneyness: Permill::from_percent(80),
		lower_moneyness: Permill::from_percent(60),
		tenor: TENOR,
		target_payout: 100_000 * DOLLAR,
	}
}

/// The genesis skew: 1.6× at ln(K/S) = −0.7, 1.3× at −0.3, 1× at the money,
/// 0.9× above.
pub fn skew() -> Vec<SkewPoint> {
	let point = |x: i128, m: u128| SkewPoint {
		log_moneyness: FixedI128::from_inner(x * 10_000_000_000_000_000),
		multiplier: FixedU128::from_rational(m, 100),
	};
	vec![point(-70, 160), point(-30, 130), point(0, 100), point(30, 90)]
}

/// The genesis policy: 50% of the income, at most 50 000 dollars a period
/// of 1 000 blocks, targets at a 30% fall.
pub fn policy() -> PurchasePolicy<BlockNumber> {
	PurchasePolicy {
		enabled: true,
		budget_share: Permill::from_percent(50),
		max_premium_per_period: 50_000 * DOLLAR,
		period: 1_000,
		stress_drop: Permill::from_percent(30),
	}
}

/// The genesis pricing: the defaults.
pub fn pricing() -> PricingParams {
	PricingParams::default()
}

/// Builds test externalities.
pub struct ExtBuilder {
	templates: Vec<Template<BlockNumber>>,
	underwriters: Vec<(AccountId, Balance)>,
	skew: Vec<SkewPoint>,
	list_series: bool,
}

impl Default for ExtBuilder {
	fn default() -> Self {
		Self {
			templates: vec![btc_template()],
			underwriters: vec![(ALICE, SEED)],
			skew: skew(),
			list_series: true,
		}
	}
}

impl ExtBuilder {
	/// No series listed at genesis (the hook lists the first).
	pub fn without_series(mut self) -> Self {
		self.list_series = false;
		self
	}

	/// A flat skew.
	pub fn flat_skew(mut self) -> Self {
		self.skew = vec![];
		self
	}

	fn reset_mocks() {
		Prices::set(BTreeMap::new());
		FeeIncome::set(0);
		BelowFloor::set(false);
		FundPremiums::set(0);
		FundPayouts::set(0);
		MaxTemplates::set(3);
		MaxSeries::set(6);
	}

	/// The externalities at block 1, BTC at 60 000 and ETH at 3 000.
	pub fn build(self) -> sp_io::TestExternalities {
		Self::reset_mocks();
		let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
		pallet_balances::GenesisConfig::<Test> {
			balances: vec![
				(ALICE, ENDOWMENT),
				(BOB, ENDOWMENT),
				(CHARLIE, ENDOWMENT),
				(FUND, ENDOWMENT),
				(RISK_TRACK, ENDOWMENT),
				(GUARDIAN, ENDOWMENT),
				(NOBODY, ENDOWMENT),
			],
			..Default::default()
		}
		.assimilate_storage(&mut storage)
		.unwrap();
		let series = if self.list_series {
			vec![(0, FixedU128::from_u32(48_000), FixedU128::from_u32(36_000), 1 + TENOR)]
		} else {
			vec![]
		};
		GenesisConfig::<Test> {
			pricing: Some(pricing()),
			skew: self.skew,
			policy: Some(policy()),
			vault: Some(VaultParams {
				min_deposit: DOLLAR,
				withdraw_delay: DELAY,
				withdraw_window: WITHDRAW_WINDOW,
			}),
			templates: self.templates,
			underwriters: self.underwriters,
			series,
		}
		.assimilate_storage(&mut storage)
		.unwrap();
		let mut ext = sp_io::TestExternalities::new(storage);
		ext.execute_with(|| {
			System::set_block_number(1);
			set_price(BTC, 60_000);
			set_price(ETH, 3_000);
		});
		ext
	}

	/// Runs `test`, then checks the pallet's invariants.
	pub fn build_and_execute(self, test: impl FnOnce()) {
		self.build().execute_with(|| {
			test();
			Options::do_try_state().expect("invariants hold after the test");
		});
	}
}

/// Moves to block `n` without running hooks.
pub fn jump_to(n: BlockNumber) {
	System::set_block_number(n);
}

/// Runs `blocks` blocks, with the pallet's `on_initialize`.
pub fn run_blocks(blocks: BlockNumber) {
	for _ in 0..blocks {
		let n = System::block_number() + 1;
		System::set_block_number(n);
		Options::on_initialize(n);
	}
}

/// Runs the pallet's integrity test against the mock configuration.
pub fn integrity_test() {
	<Options as Hooks<BlockNumber>>::integrity_test();
}
