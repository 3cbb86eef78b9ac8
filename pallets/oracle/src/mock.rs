//! A minimal runtime for the pallet's tests and benchmark tests.

use crate::{self as pallet_oracle_aggregator, AssetConfig};
use backstop_primitives::{OracleAssetId, Price};
use frame_support::{derive_impl, parameter_types, traits::ConstU32};
use frame_system::EnsureRoot;
use sp_arithmetic::Permill;
use sp_runtime::BuildStorage;

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
	pub type OracleAggregator = pallet_oracle_aggregator::Pallet<Test>;
}

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
}

parameter_types! {
	/// A trillion settlement units per unit of the base asset.
	pub const MaxPrice: Price = Price::from_inner(1_000_000_000_000 * 1_000_000_000_000_000_000);
}

impl pallet_oracle_aggregator::Config for Test {
	type AdminOrigin = EnsureRoot<u64>;
	type WeightInfo = ();
	type MaxFeeders = ConstU32<15>;
	type MaxAssets = ConstU32<16>;
	type MaxBatch = ConstU32<10>;
	type MaxPrice = MaxPrice;
	type MaxIdleChecks = ConstU32<4>;
}

/// The demo assets.
pub const BTC: OracleAssetId = 0;
pub const ETH: OracleAssetId = 1;
/// An asset nobody registered.
pub const UNKNOWN: OracleAssetId = 99;
/// Not a feeder.
pub const OUTSIDER: u64 = 99;

/// The settings most tests use: three fresh feeds, ten blocks of freshness, a 10% move per
/// block, a 9-block EMA (alpha = 1/5) and three blocks of confirmation.
pub fn default_config() -> AssetConfig {
	AssetConfig {
		min_feeders: 3,
		max_age: 10,
		max_move: Permill::from_percent(10),
		ema_period: 9,
		confirmation_blocks: 3,
	}
}

/// `n` whole settlement units.
pub fn price(n: u32) -> Price {
	Price::from_u32(n)
}

/// Builds test externalities; by default the pallet is empty.
#[derive(Default)]
pub struct ExtBuilder {
	assets: Vec<(OracleAssetId, AssetConfig)>,
	feeders: Vec<u64>,
}

impl ExtBuilder {
	/// BTC and ETH with [`default_config`], feeders 1 to 5.
	pub fn demo() -> Self {
		Self::default()
			.with_asset(BTC, default_config())
			.with_asset(ETH, default_config())
			.with_feeders(1..=5)
	}

	/// Registers `asset` at genesis.
	pub fn with_asset(mut self, asset: OracleAssetId, config: AssetConfig) -> Self {
		self.assets.push((asset, config));
		self
	}

	/// Adds feeders at genesis.
	pub fn with_feeders(mut self, feeders: impl IntoIterator<Item = u64>) -> Self {
		self.feeders.extend(feeders);
		self
	}

	/// The externalities, at block 1 (so that events are recorded).
	pub fn build(self) -> sp_io::TestExternalities {
		let storage = RuntimeGenesisConfig {
			system: Default::default(),
			oracle_aggregator: pallet_oracle_aggregator::GenesisConfig {
				assets: self.assets,
				feeders: self.feeders,
			},
		}
		.build_storage()
		.unwrap();
		let mut ext = sp_io::TestExternalities::new(storage);
		ext.execute_with(|| System::set_block_number(1));
		ext
	}

	/// Runs `test`, then checks every invariant.
	pub fn build_and_execute(self, test: impl FnOnce()) {
		self.build().execute_with(|| {
			test();
			OracleAggregator::do_try_state().unwrap();
		});
	}
}
