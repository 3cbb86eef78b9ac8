//! A mock runtime: `pallet-balances` as the settlement asset, two markets
//! and one external protocol registered at genesis, three liquidity
//! providers, a mock of the markets' exposure (the margin pallet in the
//! runtime) and a mock excess sink (the insurance fund in the runtime).
//!
//! Both mocks obey the contracts of the real implementations: the exposure
//! refuses to value a market whose price a test marked stale
//! (`PriceUnavailable::Stale`), and the sink really moves what it takes out
//! of the source account.

use crate as pallet_shared_liquidity;
use crate::{GenesisConfig, ProtocolId, ProtocolTerms};
use backstop_primitives::governance::EnsureAuthority;
use backstop_primitives::{
	Balance, CounterpartyExposure, MarketExposure, MarketId, PriceUnavailable, RevenueKind,
	RevenueSink, SignedBalance,
};
use frame_support::{
	derive_impl, parameter_types,
	traits::{
		fungible::Mutate,
		tokens::{Fortitude, Preservation},
		Hooks,
	},
	PalletId,
};
use frame_support::{ord_parameter_types, traits::ConstU64};
use frame_system::{EnsureRoot, EnsureSignedBy};
use sp_runtime::{BuildStorage, DispatchError, Permill};
use std::collections::{BTreeMap, BTreeSet};

pub type AccountId = u64;
pub type BlockNumber = u64;

/// Liquidity providers.
pub const ALICE: AccountId = 1;
pub const BOB: AccountId = 2;
pub const CHARLIE: AccountId = 3;
/// The markets' account (the margin pallet's, in the runtime): profits are
/// paid to it and collections come from it.
pub const MARGIN: AccountId = 4;
/// The account of the external protocol registered at genesis.
pub const EXTERNAL: AccountId = 50;
/// A second external account, not registered at genesis.
pub const EXTERNAL_2: AccountId = 51;
/// The excess sink's account (the insurance fund's, in the runtime).
pub const SINK: AccountId = 200;
/// An account never endowed.
pub const NOBODY: AccountId = 999;

/// The two markets registered at genesis.
pub const BTC: MarketId = 0;
pub const ETH: MarketId = 1;
/// A market not registered at genesis.
pub const SOL: MarketId = 2;

/// The settlement asset's minimum balance in the mock.
pub const ED: Balance = 10;
/// What each endowed account starts with.
pub const ENDOWMENT: Balance = 1_000_000;
/// Liquidity seeded for ALICE at genesis.
pub const SEED: Balance = 10_000;
/// Blocks per year in the mock: small, so that fees show after a few blocks.
pub const YEAR_BLOCKS: u32 = 1_000;
/// The withdrawal delay and window of the mock genesis.
pub const DELAY: BlockNumber = 10;
pub const WINDOW: BlockNumber = 5;
/// The credit term of the genesis external protocol.
pub const TERM: u32 = 20;

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
	pub type SharedLiquidity = pallet_shared_liquidity::Pallet<Test>;
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
	/// Per market: the traders' net unrealized PnL against the pool and what
	/// the market holds for it. Set by tests through [`set_exposure`].
	pub static Exposures: BTreeMap<MarketId, MarketExposure> = BTreeMap::new();
	/// Markets whose price tests marked stale.
	pub static StaleMarkets: BTreeSet<MarketId> = BTreeSet::new();
	/// Whether the excess sink refuses to take anything.
	pub static SinkTakesNothing: bool = false;
}

/// The markets' exposure against the pool, as the margin pallet reports it:
/// whatever the tests set, and `PriceUnavailable::Stale` for a market whose
/// price they marked stale (the total is unavailable while any market is).
pub struct MockExposure;

impl CounterpartyExposure for MockExposure {
	fn market_exposure(market: MarketId) -> Result<MarketExposure, PriceUnavailable> {
		if StaleMarkets::get().contains(&market) {
			return Err(PriceUnavailable::Stale);
		}
		Ok(Exposures::get().get(&market).copied().unwrap_or_default())
	}

	fn total_exposure() -> Result<MarketExposure, PriceUnavailable> {
		if !StaleMarkets::get().is_empty() {
			return Err(PriceUnavailable::Stale);
		}
		// Test amounts are far from overflowing.
		Ok(Exposures::get()
			.values()
			.fold(MarketExposure::default(), |sum, e| sum.checked_add(e).unwrap_or(sum)))
	}
}

/// Sets the exposure of `market`.
pub fn set_exposure(market: MarketId, trader_pnl: SignedBalance, receivable: Balance) {
	Exposures::mutate(|e| {
		let deficit = e.get(&market).map(|x| x.deficit).unwrap_or_default();
		e.insert(market, MarketExposure { trader_pnl, receivable, deficit });
	});
}

/// Sets the bad debt of `market` waiting for auto-deleveraging.
pub fn set_deficit(market: MarketId, deficit: Balance) {
	Exposures::mutate(|e| e.entry(market).or_default().deficit = deficit);
}

/// Sets the traders' net unrealized PnL of `market`, keeping its receivable.
pub fn set_trader_pnl(market: MarketId, trader_pnl: SignedBalance) {
	Exposures::mutate(|e| e.entry(market).or_default().trader_pnl = trader_pnl);
}

/// Sets what `market` holds for the pool, keeping its traders' PnL.
pub fn set_receivable(market: MarketId, receivable: Balance) {
	Exposures::mutate(|e| e.entry(market).or_default().receivable = receivable);
}

/// The receivable of `market`.
pub fn receivable(market: MarketId) -> Balance {
	Exposures::get().get(&market).map(|e| e.receivable).unwrap_or_default()
}

/// Marks the price of `market` stale (or usable again).
pub fn set_stale(market: MarketId, stale: bool) {
	StaleMarkets::mutate(|s| {
		if stale {
			s.insert(market);
		} else {
			s.remove(&market);
		}
	});
}

/// The insurance fund as an excess sink: it takes all it is offered from the
/// source (kept alive) into [`SINK`], or, when a test says so, nothing.
pub struct MockSink;

impl RevenueSink<AccountId> for MockSink {
	fn receive(
		_market: MarketId,
		_kind: RevenueKind,
		source: &AccountId,
		amount: Balance,
	) -> Result<Balance, DispatchError> {
		if SinkTakesNothing::get() || amount == 0 {
			return Ok(0);
		}
		<Balances as Mutate<AccountId>>::transfer(source, &SINK, amount, Preservation::Preserve)?;
		Ok(amount)
	}
}

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

parameter_types! {
	/// A quarter of the old value per change.
	pub static MaxParamStep: Permill = Permill::from_percent(25);
	pub const LiquidityPalletId: PalletId = PalletId(*b"bk/liqpl");
	pub static MaxProtocols: u32 = 6;
	pub static MaxWithdrawRequests: u32 = 3;
	pub static MaxCreditCap: Balance = 1_000_000;
	pub static MaxLossCap: Balance = 1_000_000;
	pub static MaxBaseRate: Permill = Permill::from_percent(20);
	pub static MaxRateSlope: Permill = Permill::from_percent(80);
	pub static MaxMinDeposit: Balance = 10_000;
	pub static MaxWithdrawDelay: BlockNumber = 100;
	pub static MaxWithdrawWindow: BlockNumber = 50;
	pub static MaxCreditTerm: u32 = 1_000;
	pub static BlocksPerYear: u32 = YEAR_BLOCKS;
}

impl pallet_shared_liquidity::Config for Test {
	type Currency = Balances;
	type AdminOrigin = EnsureAuthority<
		EnsureRoot<AccountId>,
		EnsureSignedBy<RiskTrackMembers, AccountId>,
		EnsureSignedBy<GuardianMembers, AccountId>,
	>;
	type MaxParamStep = MaxParamStep;
	type MinChangeInterval = ConstU64<MIN_CHANGE_INTERVAL>;
	type Exposure = MockExposure;
	type ExcessSink = MockSink;
	type PalletId = LiquidityPalletId;
	type MaxProtocols = MaxProtocols;
	type MaxWithdrawRequests = MaxWithdrawRequests;
	type MaxCreditCap = MaxCreditCap;
	type MaxLossCap = MaxLossCap;
	type MaxBaseRate = MaxBaseRate;
	type MaxRateSlope = MaxRateSlope;
	type MaxMinDeposit = MaxMinDeposit;
	type MaxWithdrawDelay = MaxWithdrawDelay;
	type MaxWithdrawWindow = MaxWithdrawWindow;
	type MaxCreditTerm = MaxCreditTerm;
	type BlocksPerYear = BlocksPerYear;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = MockBenchmarkHelper;
}

/// Gives the benchmarks a non-trivial exposure: traders of two markets in
/// profit and in loss, and receivables waiting in both.
#[cfg(feature = "runtime-benchmarks")]
pub struct MockBenchmarkHelper;

#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper for MockBenchmarkHelper {
	fn prepare_exposure() {
		set_exposure(BTC, 30, 50);
		set_exposure(ETH, -20, 10);
	}
}

/// Terms of the genesis markets: credit cap 3 000, loss cap 1 000, reserve
/// factor 10%, max-PnL factor 50%.
pub fn market_terms() -> ProtocolTerms {
	ProtocolTerms {
		credit_cap: 3_000,
		loss_cap: 1_000,
		reserve_factor: Permill::from_percent(10),
		max_pnl_factor: Permill::from_percent(50),
		..Default::default()
	}
}

/// Terms of the genesis external protocol: credit cap 3 000, loss cap 1 000,
/// term [`TERM`], no fees (tests of fees set their own).
pub fn external_terms() -> ProtocolTerms {
	ProtocolTerms { credit_cap: 3_000, loss_cap: 1_000, term: TERM, ..Default::default() }
}

/// Builds test externalities.
pub struct ExtBuilder {
	min_deposit: Balance,
	withdraw_delay: BlockNumber,
	withdraw_window: BlockNumber,
	liquidity: Vec<(AccountId, Balance)>,
	markets: Vec<(MarketId, ProtocolTerms)>,
	external: Vec<(AccountId, ProtocolTerms)>,
	with_pallet_genesis: bool,
}

impl Default for ExtBuilder {
	fn default() -> Self {
		Self {
			min_deposit: 100,
			withdraw_delay: DELAY,
			withdraw_window: WINDOW,
			liquidity: vec![(ALICE, SEED)],
			markets: vec![(BTC, market_terms()), (ETH, market_terms())],
			external: vec![(EXTERNAL, external_terms())],
			with_pallet_genesis: true,
		}
	}
}

impl ExtBuilder {
	/// The minimum deposit.
	pub fn min_deposit(mut self, amount: Balance) -> Self {
		self.min_deposit = amount;
		self
	}

	/// The withdrawal delay.
	pub fn withdraw_delay(mut self, blocks: BlockNumber) -> Self {
		self.withdraw_delay = blocks;
		self
	}

	/// The withdrawal window.
	pub fn withdraw_window(mut self, blocks: BlockNumber) -> Self {
		self.withdraw_window = blocks;
		self
	}

	/// Liquidity seeded at genesis.
	pub fn liquidity(mut self, liquidity: Vec<(AccountId, Balance)>) -> Self {
		self.liquidity = liquidity;
		self
	}

	/// Markets registered at genesis.
	pub fn markets(mut self, markets: Vec<(MarketId, ProtocolTerms)>) -> Self {
		self.markets = markets;
		self
	}

	/// External protocols registered at genesis.
	pub fn external(mut self, external: Vec<(AccountId, ProtocolTerms)>) -> Self {
		self.external = external;
		self
	}

	/// Leaves the pallet's genesis out, as when the pallet is added to a live
	/// chain: no buffer, no liquidity, no protocols, default parameters.
	pub fn without_pallet_genesis(mut self) -> Self {
		self.with_pallet_genesis = false;
		self
	}

	/// Resets every mock parameter to its default.
	fn reset_mocks() {
		MaxProtocols::set(6);
		MaxWithdrawRequests::set(3);
		MaxCreditCap::set(1_000_000);
		MaxLossCap::set(1_000_000);
		MaxBaseRate::set(Permill::from_percent(20));
		MaxRateSlope::set(Permill::from_percent(80));
		MaxMinDeposit::set(10_000);
		MaxWithdrawDelay::set(100);
		MaxWithdrawWindow::set(50);
		MaxCreditTerm::set(1_000);
		MaxParamStep::set(Permill::from_percent(25));
		BlocksPerYear::set(YEAR_BLOCKS);
		Exposures::set(BTreeMap::new());
		StaleMarkets::set(BTreeSet::new());
		SinkTakesNothing::set(false);
	}

	/// The externalities, at block 1 (so that events are recorded).
	pub fn build(self) -> sp_io::TestExternalities {
		Self::reset_mocks();
		let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
		pallet_balances::GenesisConfig::<Test> {
			balances: vec![
				(ALICE, ENDOWMENT),
				(BOB, ENDOWMENT),
				(CHARLIE, ENDOWMENT),
				(MARGIN, ENDOWMENT),
				(EXTERNAL, ENDOWMENT),
				(EXTERNAL_2, ENDOWMENT),
				(SINK, ENDOWMENT),
			],
			..Default::default()
		}
		.assimilate_storage(&mut storage)
		.unwrap();
		if self.with_pallet_genesis {
			GenesisConfig::<Test> {
				min_deposit: self.min_deposit,
				withdraw_delay: self.withdraw_delay,
				withdraw_window: self.withdraw_window,
				liquidity: self.liquidity,
				markets: self.markets,
				external_protocols: self.external,
			}
			.assimilate_storage(&mut storage)
			.unwrap();
		}
		let mut ext = sp_io::TestExternalities::new(storage);
		ext.execute_with(|| System::set_block_number(1));
		ext
	}

	/// Runs `test`, then checks the pallet's invariants (among them: the
	/// pallet account holds at least the pool's cash plus the buffer).
	pub fn build_and_execute(self, test: impl FnOnce()) {
		self.build().execute_with(|| {
			test();
			SharedLiquidity::do_try_state().expect("invariants hold after the test");
		});
	}
}

/// The protocol id of a market.
pub fn market(id: MarketId) -> ProtocolId<AccountId> {
	ProtocolId::Market(id)
}

/// The protocol id of an external protocol.
pub fn external(who: AccountId) -> ProtocolId<AccountId> {
	ProtocolId::External(who)
}

/// Advances the chain by `blocks` blocks.
pub fn advance(blocks: BlockNumber) {
	System::set_block_number(System::block_number() + blocks);
}

/// Runs the pallet's integrity test against the mock configuration.
pub fn integrity_test() {
	<SharedLiquidity as Hooks<BlockNumber>>::integrity_test();
}

/// Sends `amount` straight to the pallet account, behind the ledger's back.
pub fn donate(amount: Balance) {
	<Balances as Mutate<AccountId>>::transfer(
		&BOB,
		&SharedLiquidity::account_id(),
		amount,
		Preservation::Preserve,
	)
	.expect("BOB can donate");
}

/// Takes `amount` out of the pallet account behind the ledger's back (a
/// broken ledger, which should never happen).
pub fn drain_pallet_account(amount: Balance) {
	use frame_support::traits::tokens::Precision;
	<Balances as Mutate<AccountId>>::burn_from(
		&SharedLiquidity::account_id(),
		amount,
		Preservation::Preserve,
		Precision::Exact,
		Fortitude::Force,
	)
	.expect("the pallet account holds it");
}
