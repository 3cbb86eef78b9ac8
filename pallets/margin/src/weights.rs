//! Weights for `pallet_margin`.
//!
//! ESTIMATES, NOT MEASUREMENTS. These figures are placeholders in the shape
//! the benchmark CLI generates, sized from the storage each call touches in
//! its worst case (listed above each function) with `T::DbWeight`. Replace
//! this file with the output of the node's
//! `benchmark pallet --pallet pallet_margin --extrinsic '*'` run before
//! relying on it.

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]

use frame_support::{traits::Get, weights::{Weight, constants::RocksDbWeight}};
use core::marker::PhantomData;

/// Weight functions needed for `pallet_margin`.
pub trait WeightInfo {
	fn create_market() -> Weight;
	fn update_market() -> Weight;
	fn set_market_status() -> Weight;
	fn set_fee_split() -> Weight;
	fn deposit() -> Weight;
	fn withdraw() -> Weight;
	fn trade() -> Weight;
	fn liquidate() -> Weight;
	fn liquidate_bad_debt() -> Weight;
	fn liquidate_one_position() -> Weight;
	fn settle_market() -> Weight;
	fn cover_deficit() -> Weight;
	fn on_initialize_funding(m: u32, ) -> Weight;
}

/// Weights for `pallet_margin` using the runtime's `DbWeight`.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	/// Storage (estimated): Margin::Markets (r:1 w:1), Margin::MarketCount (r:1 w:1), oracle price (r:2).
	fn create_market() -> Weight {
		Weight::from_parts(22_000_000, 3600)
			.saturating_add(T::DbWeight::get().reads(4_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
	/// Storage (estimated): Margin::Markets (r:1 w:1).
	fn update_market() -> Weight {
		Weight::from_parts(18_000_000, 3600)
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	/// Storage (estimated): Margin::Markets (r:1 w:1).
	fn set_market_status() -> Weight {
		Weight::from_parts(15_000_000, 3600)
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	/// Storage (estimated): Margin::FeeSplitConfig (r:0 w:1).
	fn set_fee_split() -> Weight {
		Weight::from_parts(8_000_000, 0)
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	/// Storage (estimated): Margin::Accounts (r:1 w:1), settlement asset accounts (r:2 w:2).
	fn deposit() -> Weight {
		Weight::from_parts(60_000_000, 6200)
			.saturating_add(T::DbWeight::get().reads(3_u64))
			.saturating_add(T::DbWeight::get().writes(3_u64))
	}
	/// Storage (estimated): Margin::Accounts (r:1 w:1), Margin::Markets (r:16 w:16), oracle prices (r:32), pool (r:1), settlement asset accounts (r:2 w:2); MaxPositionsPerAccount = 16 positions.
	fn withdraw() -> Weight {
		Weight::from_parts(420_000_000, 60000)
			.saturating_add(T::DbWeight::get().reads(52_u64))
			.saturating_add(T::DbWeight::get().writes(19_u64))
	}
	/// Storage (estimated): Margin::Accounts (r:1 w:1), Margin::Markets (r:16 w:1), Margin::FeeSplitConfig (r:1), oracle prices (r:32), pool draw and pay (r:4 w:4), settlement asset accounts (r:2 w:2); MaxPositionsPerAccount = 16 positions.
	fn trade() -> Weight {
		Weight::from_parts(460_000_000, 62000)
			.saturating_add(T::DbWeight::get().reads(57_u64))
			.saturating_add(T::DbWeight::get().writes(8_u64))
	}
	/// Storage (estimated): Margin::Accounts (r:2 w:2), Margin::Markets (r:16 w:16), oracle prices (r:32), pallet account (r:1); MaxPositionsPerAccount = 16 positions, solvent.
	fn liquidate() -> Weight {
		Weight::from_parts(520_000_000, 62000)
			.saturating_add(T::DbWeight::get().reads(51_u64))
			.saturating_add(T::DbWeight::get().writes(18_u64))
	}
	/// Storage (estimated): as `liquidate`, plus the loss waterfall (r:11 w:8); bad debt.
	fn liquidate_bad_debt() -> Weight {
		Weight::from_parts(600_000_000, 70000)
			.saturating_add(T::DbWeight::get().reads(62_u64))
			.saturating_add(T::DbWeight::get().writes(26_u64))
	}
	/// Storage (estimated): Margin::Accounts (r:2 w:2), Margin::Markets (r:1 w:1), oracle price (r:2), pallet account (r:1).
	fn liquidate_one_position() -> Weight {
		Weight::from_parts(70_000_000, 6300)
			.saturating_add(T::DbWeight::get().reads(6_u64))
			.saturating_add(T::DbWeight::get().writes(3_u64))
	}
	/// Storage (estimated): Margin::Markets (r:1 w:1), pool release and collect (r:4 w:4), insurance and staker sinks (r:6 w:4), settlement asset accounts (r:4 w:3).
	fn settle_market() -> Weight {
		Weight::from_parts(160_000_000, 12000)
			.saturating_add(T::DbWeight::get().reads(15_u64))
			.saturating_add(T::DbWeight::get().writes(12_u64))
	}
	/// Storage (estimated): Margin::Markets (r:1 w:1), settlement asset accounts (r:2 w:2).
	fn cover_deficit() -> Weight {
		Weight::from_parts(55_000_000, 6200)
			.saturating_add(T::DbWeight::get().reads(3_u64))
			.saturating_add(T::DbWeight::get().writes(3_u64))
	}
	/// Storage (estimated): Margin::Markets (r:m w:m), oracle prices (r:2m).
	/// The range of component `m` is `[0, 32]`.
	fn on_initialize_funding(m: u32, ) -> Weight {
		Weight::from_parts(5_000_000, 1_500)
			.saturating_add(Weight::from_parts(18_000_000, 3_600).saturating_mul(m.into()))
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().reads((3_u64).saturating_mul(m.into())))
			.saturating_add(T::DbWeight::get().writes((1_u64).saturating_mul(m.into())))
	}
}

// For backwards compatibility and tests.
impl WeightInfo for () {
	/// Storage (estimated): Margin::Markets (r:1 w:1), Margin::MarketCount (r:1 w:1), oracle price (r:2).
	fn create_market() -> Weight {
		Weight::from_parts(22_000_000, 3600)
			.saturating_add(RocksDbWeight::get().reads(4_u64))
			.saturating_add(RocksDbWeight::get().writes(2_u64))
	}
	/// Storage (estimated): Margin::Markets (r:1 w:1).
	fn update_market() -> Weight {
		Weight::from_parts(18_000_000, 3600)
			.saturating_add(RocksDbWeight::get().reads(1_u64))
			.saturating_add(RocksDbWeight::get().writes(1_u64))
	}
	/// Storage (estimated): Margin::Markets (r:1 w:1).
	fn set_market_status() -> Weight {
		Weight::from_parts(15_000_000, 3600)
			.saturating_add(RocksDbWeight::get().reads(1_u64))
			.saturating_add(RocksDbWeight::get().writes(1_u64))
	}
	/// Storage (estimated): Margin::FeeSplitConfig (r:0 w:1).
	fn set_fee_split() -> Weight {
		Weight::from_parts(8_000_000, 0)
			.saturating_add(RocksDbWeight::get().writes(1_u64))
	}
	/// Storage (estimated): Margin::Accounts (r:1 w:1), settlement asset accounts (r:2 w:2).
	fn deposit() -> Weight {
		Weight::from_parts(60_000_000, 6200)
			.saturating_add(RocksDbWeight::get().reads(3_u64))
			.saturating_add(RocksDbWeight::get().writes(3_u64))
	}
	/// Storage (estimated): Margin::Accounts (r:1 w:1), Margin::Markets (r:16 w:16), oracle prices (r:32), pool (r:1), settlement asset accounts (r:2 w:2); MaxPositionsPerAccount = 16 positions.
	fn withdraw() -> Weight {
		Weight::from_parts(420_000_000, 60000)
			.saturating_add(RocksDbWeight::get().reads(52_u64))
			.saturating_add(RocksDbWeight::get().writes(19_u64))
	}
	/// Storage (estimated): Margin::Accounts (r:1 w:1), Margin::Markets (r:16 w:1), Margin::FeeSplitConfig (r:1), oracle prices (r:32), pool draw and pay (r:4 w:4), settlement asset accounts (r:2 w:2); MaxPositionsPerAccount = 16 positions.
	fn trade() -> Weight {
		Weight::from_parts(460_000_000, 62000)
			.saturating_add(RocksDbWeight::get().reads(57_u64))
			.saturating_add(RocksDbWeight::get().writes(8_u64))
	}
	/// Storage (estimated): Margin::Accounts (r:2 w:2), Margin::Markets (r:16 w:16), oracle prices (r:32), pallet account (r:1); MaxPositionsPerAccount = 16 positions, solvent.
	fn liquidate() -> Weight {
		Weight::from_parts(520_000_000, 62000)
			.saturating_add(RocksDbWeight::get().reads(51_u64))
			.saturating_add(RocksDbWeight::get().writes(18_u64))
	}
	/// Storage (estimated): as `liquidate`, plus the loss waterfall (r:11 w:8); bad debt.
	fn liquidate_bad_debt() -> Weight {
		Weight::from_parts(600_000_000, 70000)
			.saturating_add(RocksDbWeight::get().reads(62_u64))
			.saturating_add(RocksDbWeight::get().writes(26_u64))
	}
	/// Storage (estimated): Margin::Accounts (r:2 w:2), Margin::Markets (r:1 w:1), oracle price (r:2), pallet account (r:1).
	fn liquidate_one_position() -> Weight {
		Weight::from_parts(70_000_000, 6300)
			.saturating_add(RocksDbWeight::get().reads(6_u64))
			.saturating_add(RocksDbWeight::get().writes(3_u64))
	}
	/// Storage (estimated): Margin::Markets (r:1 w:1), pool release and collect (r:4 w:4), insurance and staker sinks (r:6 w:4), settlement asset accounts (r:4 w:3).
	fn settle_market() -> Weight {
		Weight::from_parts(160_000_000, 12000)
			.saturating_add(RocksDbWeight::get().reads(15_u64))
			.saturating_add(RocksDbWeight::get().writes(12_u64))
	}
	/// Storage (estimated): Margin::Markets (r:1 w:1), settlement asset accounts (r:2 w:2).
	fn cover_deficit() -> Weight {
		Weight::from_parts(55_000_000, 6200)
			.saturating_add(RocksDbWeight::get().reads(3_u64))
			.saturating_add(RocksDbWeight::get().writes(3_u64))
	}
	/// Storage (estimated): Margin::Markets (r:m w:m), oracle prices (r:2m).
	/// The range of component `m` is `[0, 32]`.
	fn on_initialize_funding(m: u32, ) -> Weight {
		Weight::from_parts(5_000_000, 1_500)
			.saturating_add(Weight::from_parts(18_000_000, 3_600).saturating_mul(m.into()))
			.saturating_add(RocksDbWeight::get().reads(1_u64))
			.saturating_add(RocksDbWeight::get().reads((3_u64).saturating_mul(m.into())))
			.saturating_add(RocksDbWeight::get().writes((1_u64).saturating_mul(m.into())))
	}
}
