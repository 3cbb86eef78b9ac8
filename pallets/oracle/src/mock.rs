//! A minimal runtime for the pallet's tests and benchmark tests.

use crate::{self as pallet_oracle_aggregator, limits, AssetConfig, Millis};
use backstop_primitives::governance::EnsureAuthority;
use backstop_primitives::{OracleAssetId, Price};
use frame_support::{
	derive_impl, ord_parameter_types, parameter_types,
	traits::{ConstU32, ConstU64},
};
use frame_system::{EnsureRoot, EnsureSignedBy};
use sp_arithmetic::Permill;
use sp_runtime::{testing::TestSignature, transaction_validity::TransactionPriority, BuildStorage};

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
	pub type Timestamp = pallet_timestamp::Pallet<Test>;

	#[runtime::pallet_index(2)]
	pub type OracleAggregator = pallet_oracle_aggregator::Pallet<Test>;
}

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
}

#[derive_impl(pallet_timestamp::config_preludes::TestDefaultConfig)]
impl pallet_timestamp::Config for Test {}

parameter_types! {
	/// A trillion settlement units per unit of the base asset.
	pub const MaxPrice: Price = Price::from_inner(1_000_000_000_000 * 1_000_000_000_000_000_000);
	/// Feeds outrank anything a tip buys.
	pub const FeedPriority: TransactionPriority = TransactionPriority::MAX / 2;
}

/// The risk track's account in the tests (a signed origin stands in for the track).
pub const RISK_TRACK: u64 = 9_001;
/// The guardian council's account in the tests.
pub const GUARDIAN: u64 = 9_002;

ord_parameter_types! {
	pub const RiskTrackMembers: u64 = RISK_TRACK;
	pub const GuardianMembers: u64 = GUARDIAN;
}

parameter_types! {
	/// A quarter of the old value per change.
	pub const MaxParamStep: Permill = Permill::from_percent(25);
}

/// Blocks between two bounded changes of one parameter.
pub const MIN_CHANGE_INTERVAL: u64 = 10;

/// Milliseconds per block in the tests.
pub const BLOCK_MS: Millis = 6_000;
/// Observations may be two blocks ahead of or behind the block's timestamp.
pub const MAX_FEED_SKEW: Millis = 12_000;
/// A freeze lasts 100 blocks unless renewed.
pub const MAX_FREEZE: Millis = 600_000;

impl pallet_oracle_aggregator::Config for Test {
	type AdminOrigin = EnsureAuthority<
		EnsureRoot<u64>,
		EnsureSignedBy<RiskTrackMembers, u64>,
		EnsureSignedBy<GuardianMembers, u64>,
	>;
	type MaxParamStep = MaxParamStep;
	type MinChangeInterval = ConstU64<MIN_CHANGE_INTERVAL>;
	type WeightInfo = ();
	type Time = Timestamp;
	type FeederSignature = TestSignature;
	type MaxFeeders = ConstU32<15>;
	type MaxAssets = ConstU32<16>;
	type MaxBatch = ConstU32<10>;
	type MaxPrice = MaxPrice;
	type MaxIdleChecks = ConstU32<4>;
	type MaxFeedSkew = ConstU64<MAX_FEED_SKEW>;
	type MaxFreezeDuration = ConstU64<MAX_FREEZE>;
	type FeedPriority = FeedPriority;
	type FeedLongevity = ConstU32<4>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = MockBenchmarkHelper;
}

/// The benchmark feeders are accounts `1000 + index`; their "signature" is the account and
/// the message ([`TestSignature`]).
#[cfg(feature = "runtime-benchmarks")]
pub struct MockBenchmarkHelper;
#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper<u64, TestSignature> for MockBenchmarkHelper {
	fn set_time(now_ms: Millis) {
		Timestamp::set_timestamp(now_ms);
	}
	fn feeder(index: u32) -> u64 {
		1000 + u64::from(index)
	}
	fn sign(index: u32, message: &[u8]) -> TestSignature {
		TestSignature(Self::feeder(index), message.to_vec())
	}
}

/// The demo assets.
pub const BTC: OracleAssetId = 0;
pub const ETH: OracleAssetId = 1;
/// An asset nobody registered.
pub const UNKNOWN: OracleAssetId = 99;
/// Not a feeder.
pub const OUTSIDER: u64 = 99;

/// The settings most tests use: three fresh feeds, values fresh for ten blocks (60 s), a
/// 10% move per block, a 9-block (54 s) EMA, a fast path for two thirds of the fresh values
/// within 2% of each other, and holds of three blocks (18 s).
pub fn default_config() -> AssetConfig {
	AssetConfig {
		min_feeders: 3,
		max_age_ms: 10 * BLOCK_MS,
		max_move: Permill::from_percent(10),
		ema_period_ms: 9 * BLOCK_MS,
		fast_path_quorum: limits::MIN_FAST_PATH_QUORUM,
		agreement_band: Permill::from_percent(2),
		hold_ms: 3 * BLOCK_MS,
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

	/// The externalities, at block 1 and time `BLOCK_MS` (so that events are recorded).
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
		ext.execute_with(|| {
			System::set_block_number(1);
			Timestamp::set_timestamp(BLOCK_MS);
		});
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
