//! A mock runtime: `pallet-balances` as the settlement asset, two markets
//! and one external protocol registered at genesis, three liquidity
//! providers.

use crate as pallet_shared_liquidity;
use crate::{GenesisConfig, ProtocolId, ProtocolTerms};
use backstop_primitives::{Balance, MarketId};
use frame_support::{derive_impl, parameter_types, traits::Hooks, PalletId};
use frame_system::EnsureRoot;
use sp_runtime::{BuildStorage, Permill};

pub type AccountId = u64;
pub type BlockNumber = u64;

/// Liquidity providers.
pub const ALICE: AccountId = 1;
pub const BOB: AccountId = 2;
pub const CHARLIE: AccountId = 3;
/// A trader of the markets.
pub const TRADER: AccountId = 4;
/// The account that carries bad debt (the margin pallet's, in the runtime).
pub const BENEFICIARY: AccountId = 100;
/// The account of the external protocol registered at genesis.
pub const EXTERNAL: AccountId = 50;
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
	pub const LiquidityPalletId: PalletId = PalletId(*b"bk/liqpl");
	pub static MaxProtocols: u32 = 4;
	pub static MaxWithdrawRequests: u32 = 3;
	pub static MaxCreditCap: Balance = 1_000_000;
	pub static MaxLossCap: Balance = 1_000_000;
	pub static MaxBaseRate: Permill = Permill::from_percent(20);
	pub static MaxRateSlope: Permill = Permill::from_percent(80);
	pub static MaxMinDeposit: Balance = 10_000;
	pub static MaxWithdrawDelay: BlockNumber = 100;
	pub static BlocksPerYear: u32 = YEAR_BLOCKS;
}

impl pallet_shared_liquidity::Config for Test {
	type Currency = Balances;
	type AdminOrigin = EnsureRoot<AccountId>;
	type PalletId = LiquidityPalletId;
	type MaxProtocols = MaxProtocols;
	type MaxWithdrawRequests = MaxWithdrawRequests;
	type MaxCreditCap = MaxCreditCap;
	type MaxLossCap = MaxLossCap;
	type MaxBaseRate = MaxBaseRate;
	type MaxRateSlope = MaxRateSlope;
	type MaxMinDeposit = MaxMinDeposit;
	type MaxWithdrawDelay = MaxWithdrawDelay;
	type BlocksPerYear = BlocksPerYear;
	type WeightInfo = ();
}

/// Terms of the genesis protocols: credit cap 3 000, loss cap 1 000, no
/// fees (tests of fees set their own).
pub fn terms() -> ProtocolTerms {
	ProtocolTerms {
		credit_cap: 3_000,
		loss_cap: 1_000,
		base_rate: Permill::zero(),
		rate_slope: Permill::zero(),
	}
}

/// Builds test externalities.
pub struct ExtBuilder {
	min_deposit: Balance,
	withdraw_delay: BlockNumber,
	liquidity: Vec<(AccountId, Balance)>,
	markets: Vec<(MarketId, ProtocolTerms)>,
	external: Vec<(AccountId, ProtocolTerms)>,
	with_pallet_genesis: bool,
}

impl Default for ExtBuilder {
	fn default() -> Self {
		Self {
			min_deposit: 100,
			withdraw_delay: 0,
			liquidity: vec![(ALICE, SEED)],
			markets: vec![(BTC, terms()), (ETH, terms())],
			external: vec![(EXTERNAL, terms())],
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

	/// The externalities, at block 1 (so that events are recorded).
	pub fn build(self) -> sp_io::TestExternalities {
		MaxProtocols::set(4);
		MaxWithdrawRequests::set(3);
		MaxCreditCap::set(1_000_000);
		MaxLossCap::set(1_000_000);
		MaxBaseRate::set(Permill::from_percent(20));
		MaxRateSlope::set(Permill::from_percent(80));
		MaxMinDeposit::set(10_000);
		MaxWithdrawDelay::set(100);
		BlocksPerYear::set(YEAR_BLOCKS);

		let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
		pallet_balances::GenesisConfig::<Test> {
			balances: vec![
				(ALICE, ENDOWMENT),
				(BOB, ENDOWMENT),
				(CHARLIE, ENDOWMENT),
				(TRADER, ENDOWMENT),
				(EXTERNAL, ENDOWMENT),
				(BENEFICIARY, ENDOWMENT),
			],
			..Default::default()
		}
		.assimilate_storage(&mut storage)
		.unwrap();
		if self.with_pallet_genesis {
			GenesisConfig::<Test> {
				min_deposit: self.min_deposit,
				withdraw_delay: self.withdraw_delay,
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
	/// ledger equals the pallet account's balance minus the buffer).
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
