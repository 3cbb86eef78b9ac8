
//! Weights for `pallet_oracle_aggregator`.
//!
//! PLACEHOLDER — TO BE REGENERATED. These figures are hand-written estimates in the shape of
//! a `benchmark pallet` output (base ref_time, per-component slopes, proof sizes from the
//! storage items' max encoded lengths, `T::DbWeight` reads and writes). They were NOT
//! measured. Regenerate this file from the node with:
//!
//! ```sh
//! ./target/release/backstop-node benchmark pallet \
//!     --runtime <backstop-runtime wasm> --genesis-builder=runtime \
//!     --pallet pallet_oracle_aggregator --extrinsic '*' \
//!     --steps 50 --repeat 20 \
//!     --output pallets/oracle/src/weights.rs \
//!     --template <frame-weight-template.hbs>
//! ```

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]

use frame_support::{traits::Get, weights::{Weight, constants::RocksDbWeight}};
use core::marker::PhantomData;

/// Weight functions needed for `pallet_oracle_aggregator`.
pub trait WeightInfo {
	fn feed(f: u32, a: u32, ) -> Weight;
	fn register_asset() -> Weight;
	fn update_asset_config() -> Weight;
	fn remove_asset() -> Weight;
	fn add_feeder() -> Weight;
	fn remove_feeder(a: u32, ) -> Weight;
	fn freeze_price() -> Weight;
	fn unfreeze_price() -> Weight;
	fn on_idle_pass(n: u32, ) -> Weight;
}

/// Weights for `pallet_oracle_aggregator` using the Substrate node and recommended hardware.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	/// Storage: `OracleAggregator::Feeders` (r:1 w:1)
	/// Proof: `OracleAggregator::Feeders` (`max_values`: None, `max_size`: Some(55), added: 2530, mode: `MaxEncodedLen`)
	/// Storage: `OracleAggregator::Assets` (r:10 w:10)
	/// Proof: `OracleAggregator::Assets` (`max_values`: None, `max_size`: Some(508), added: 2983, mode: `MaxEncodedLen`)
	/// The range of component `f` is `[1, 15]`.
	/// The range of component `a` is `[1, 10]`.
	fn feed(f: u32, a: u32, ) -> Weight {
		// Proof Size summary in bytes (estimated from max encoded lengths, not measured):
		//  Estimated: `3520 + a * (2983 ±0)`
		Weight::from_parts(18_000_000, 3520)
			.saturating_add(Weight::from_parts(250_000, 0).saturating_mul(f.into()))
			.saturating_add(Weight::from_parts(9_000_000, 0).saturating_mul(a.into()))
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().reads((1_u64).saturating_mul(a.into())))
			.saturating_add(T::DbWeight::get().writes(1_u64))
			.saturating_add(T::DbWeight::get().writes((1_u64).saturating_mul(a.into())))
			.saturating_add(Weight::from_parts(0, 2983).saturating_mul(a.into()))
	}
	/// Storage: `OracleAggregator::Assets` (r:1 w:1)
	/// Proof: `OracleAggregator::Assets` (`max_values`: None, `max_size`: Some(508), added: 2983, mode: `MaxEncodedLen`)
	/// Storage: `OracleAggregator::CounterForAssets` (r:1 w:1)
	/// Proof: `OracleAggregator::CounterForAssets` (`max_values`: Some(1), `max_size`: Some(4), added: 499, mode: `MaxEncodedLen`)
	fn register_asset() -> Weight {
		// Proof Size summary in bytes (estimated from max encoded lengths, not measured):
		//  Estimated: `3973`
		Weight::from_parts(14_000_000, 3973)
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
	/// Storage: `OracleAggregator::Assets` (r:1 w:1)
	/// Proof: `OracleAggregator::Assets` (`max_values`: None, `max_size`: Some(508), added: 2983, mode: `MaxEncodedLen`)
	fn update_asset_config() -> Weight {
		// Proof Size summary in bytes (estimated from max encoded lengths, not measured):
		//  Estimated: `3973`
		Weight::from_parts(15_000_000, 3973)
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	/// Storage: `OracleAggregator::Assets` (r:1 w:1)
	/// Proof: `OracleAggregator::Assets` (`max_values`: None, `max_size`: Some(508), added: 2983, mode: `MaxEncodedLen`)
	/// Storage: `OracleAggregator::CounterForAssets` (r:1 w:1)
	/// Proof: `OracleAggregator::CounterForAssets` (`max_values`: Some(1), `max_size`: Some(4), added: 499, mode: `MaxEncodedLen`)
	fn remove_asset() -> Weight {
		// Proof Size summary in bytes (estimated from max encoded lengths, not measured):
		//  Estimated: `3973`
		Weight::from_parts(16_000_000, 3973)
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
	/// Storage: `OracleAggregator::Feeders` (r:15 w:1)
	/// Proof: `OracleAggregator::Feeders` (`max_values`: None, `max_size`: Some(55), added: 2530, mode: `MaxEncodedLen`)
	/// Storage: `OracleAggregator::CounterForFeeders` (r:1 w:1)
	/// Proof: `OracleAggregator::CounterForFeeders` (`max_values`: Some(1), `max_size`: Some(4), added: 499, mode: `MaxEncodedLen`)
	fn add_feeder() -> Weight {
		// Proof Size summary in bytes (estimated from max encoded lengths, not measured):
		//  Estimated: `38940`
		Weight::from_parts(60_000_000, 38940)
			.saturating_add(T::DbWeight::get().reads(16_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
	/// Storage: `OracleAggregator::Feeders` (r:1 w:1)
	/// Proof: `OracleAggregator::Feeders` (`max_values`: None, `max_size`: Some(55), added: 2530, mode: `MaxEncodedLen`)
	/// Storage: `OracleAggregator::CounterForFeeders` (r:1 w:1)
	/// Proof: `OracleAggregator::CounterForFeeders` (`max_values`: Some(1), `max_size`: Some(4), added: 499, mode: `MaxEncodedLen`)
	/// Storage: `OracleAggregator::Assets` (r:65 w:64)
	/// Proof: `OracleAggregator::Assets` (`max_values`: None, `max_size`: Some(508), added: 2983, mode: `MaxEncodedLen`)
	/// The range of component `a` is `[0, 64]`.
	fn remove_feeder(a: u32, ) -> Weight {
		// Proof Size summary in bytes (estimated from max encoded lengths, not measured):
		//  Estimated: `3520 + a * (2983 ±0)`
		Weight::from_parts(20_000_000, 3520)
			.saturating_add(Weight::from_parts(12_000_000, 0).saturating_mul(a.into()))
			.saturating_add(T::DbWeight::get().reads(3_u64))
			.saturating_add(T::DbWeight::get().reads((1_u64).saturating_mul(a.into())))
			.saturating_add(T::DbWeight::get().writes(2_u64))
			.saturating_add(T::DbWeight::get().writes((1_u64).saturating_mul(a.into())))
			.saturating_add(Weight::from_parts(0, 2983).saturating_mul(a.into()))
	}
	/// Storage: `OracleAggregator::Assets` (r:1 w:1)
	/// Proof: `OracleAggregator::Assets` (`max_values`: None, `max_size`: Some(508), added: 2983, mode: `MaxEncodedLen`)
	fn freeze_price() -> Weight {
		// Proof Size summary in bytes (estimated from max encoded lengths, not measured):
		//  Estimated: `3973`
		Weight::from_parts(15_000_000, 3973)
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	/// Storage: `OracleAggregator::Assets` (r:1 w:1)
	/// Proof: `OracleAggregator::Assets` (`max_values`: None, `max_size`: Some(508), added: 2983, mode: `MaxEncodedLen`)
	fn unfreeze_price() -> Weight {
		// Proof Size summary in bytes (estimated from max encoded lengths, not measured):
		//  Estimated: `3973`
		Weight::from_parts(15_000_000, 3973)
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	/// Storage: `OracleAggregator::IdleCursor` (r:1 w:1)
	/// Proof: `OracleAggregator::IdleCursor` (`max_values`: Some(1), `max_size`: Some(4), added: 499, mode: `MaxEncodedLen`)
	/// Storage: `OracleAggregator::Assets` (r:5 w:4)
	/// Proof: `OracleAggregator::Assets` (`max_values`: None, `max_size`: Some(508), added: 2983, mode: `MaxEncodedLen`)
	/// The range of component `n` is `[0, 4]`.
	fn on_idle_pass(n: u32, ) -> Weight {
		// Proof Size summary in bytes (estimated from max encoded lengths, not measured):
		//  Estimated: `1489 + n * (2983 ±0)`
		Weight::from_parts(6_000_000, 1489)
			.saturating_add(Weight::from_parts(12_000_000, 0).saturating_mul(n.into()))
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().reads((1_u64).saturating_mul(n.into())))
			.saturating_add(T::DbWeight::get().writes(1_u64))
			.saturating_add(T::DbWeight::get().writes((1_u64).saturating_mul(n.into())))
			.saturating_add(Weight::from_parts(0, 2983).saturating_mul(n.into()))
	}
}

// For backwards compatibility and tests.
impl WeightInfo for () {
	fn feed(f: u32, a: u32, ) -> Weight {
		Weight::from_parts(18_000_000, 3520)
			.saturating_add(Weight::from_parts(250_000, 0).saturating_mul(f.into()))
			.saturating_add(Weight::from_parts(9_000_000, 0).saturating_mul(a.into()))
			.saturating_add(RocksDbWeight::get().reads(1_u64))
			.saturating_add(RocksDbWeight::get().reads((1_u64).saturating_mul(a.into())))
			.saturating_add(RocksDbWeight::get().writes(1_u64))
			.saturating_add(RocksDbWeight::get().writes((1_u64).saturating_mul(a.into())))
			.saturating_add(Weight::from_parts(0, 2983).saturating_mul(a.into()))
	}
	fn register_asset() -> Weight {
		Weight::from_parts(14_000_000, 3973)
			.saturating_add(RocksDbWeight::get().reads(2_u64))
			.saturating_add(RocksDbWeight::get().writes(2_u64))
	}
	fn update_asset_config() -> Weight {
		Weight::from_parts(15_000_000, 3973)
			.saturating_add(RocksDbWeight::get().reads(1_u64))
			.saturating_add(RocksDbWeight::get().writes(1_u64))
	}
	fn remove_asset() -> Weight {
		Weight::from_parts(16_000_000, 3973)
			.saturating_add(RocksDbWeight::get().reads(2_u64))
			.saturating_add(RocksDbWeight::get().writes(2_u64))
	}
	fn add_feeder() -> Weight {
		Weight::from_parts(60_000_000, 38940)
			.saturating_add(RocksDbWeight::get().reads(16_u64))
			.saturating_add(RocksDbWeight::get().writes(2_u64))
	}
	fn remove_feeder(a: u32, ) -> Weight {
		Weight::from_parts(20_000_000, 3520)
			.saturating_add(Weight::from_parts(12_000_000, 0).saturating_mul(a.into()))
			.saturating_add(RocksDbWeight::get().reads(3_u64))
			.saturating_add(RocksDbWeight::get().reads((1_u64).saturating_mul(a.into())))
			.saturating_add(RocksDbWeight::get().writes(2_u64))
			.saturating_add(RocksDbWeight::get().writes((1_u64).saturating_mul(a.into())))
			.saturating_add(Weight::from_parts(0, 2983).saturating_mul(a.into()))
	}
	fn freeze_price() -> Weight {
		Weight::from_parts(15_000_000, 3973)
			.saturating_add(RocksDbWeight::get().reads(1_u64))
			.saturating_add(RocksDbWeight::get().writes(1_u64))
	}
	fn unfreeze_price() -> Weight {
		Weight::from_parts(15_000_000, 3973)
			.saturating_add(RocksDbWeight::get().reads(1_u64))
			.saturating_add(RocksDbWeight::get().writes(1_u64))
	}
	fn on_idle_pass(n: u32, ) -> Weight {
		Weight::from_parts(6_000_000, 1489)
			.saturating_add(Weight::from_parts(12_000_000, 0).saturating_mul(n.into()))
			.saturating_add(RocksDbWeight::get().reads(1_u64))
			.saturating_add(RocksDbWeight::get().reads((1_u64).saturating_mul(n.into())))
			.saturating_add(RocksDbWeight::get().writes(1_u64))
			.saturating_add(RocksDbWeight::get().writes((1_u64).saturating_mul(n.into())))
			.saturating_add(Weight::from_parts(0, 2983).saturating_mul(n.into()))
	}
}
