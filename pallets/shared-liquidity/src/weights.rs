//! Weights for `pallet_shared_liquidity`.
//!
//! PLACEHOLDER ESTIMATES — TO BE REGENERATED. The figures below were not
//! measured: they are hand-written estimates (storage accesses counted from
//! the code, execution time guessed) in the shape of the file the node's
//! `benchmark pallet` command writes. Regenerate with:
//!
//! ```text
//! cargo build --release -p backstop-node --features runtime-benchmarks
//! target/release/backstop-node benchmark pallet --chain=dev \
//!     --pallet=pallet_shared_liquidity --extrinsic='*' --steps=50 --repeat=20 \
//!     --output=pallets/shared-liquidity/src/weights.rs
//! ```
//!
//! `draw`, `release`, `pay`, `collect` and `absorb` are not calls: they weigh
//! the `LiquidityProvider` and `LossAbsorber` entry points, for the pallets
//! that call them (the margin pallet) to account for.

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]
#![allow(dead_code)]

use frame_support::{traits::Get, weights::{Weight, constants::RocksDbWeight}};
use core::marker::PhantomData;

/// Weight functions needed for `pallet_shared_liquidity`.
pub trait WeightInfo {
	fn deposit() -> Weight;
	fn request_withdraw() -> Weight;
	fn withdraw() -> Weight;
	fn cancel_withdrawals() -> Weight;
	fn draw_credit() -> Weight;
	fn repay_credit() -> Weight;
	fn register_protocol() -> Weight;
	fn set_protocol_terms() -> Weight;
	fn set_protocol_status() -> Weight;
	fn deregister_protocol() -> Weight;
	fn write_off() -> Weight;
	fn set_min_deposit() -> Weight;
	fn set_withdraw_delay() -> Weight;
	fn draw() -> Weight;
	fn release() -> Weight;
	fn pay() -> Weight;
	fn collect() -> Weight;
	fn absorb() -> Weight;
}

/// Weights for `pallet_shared_liquidity` using the Substrate node and recommended hardware.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	/// Storage: `SharedLiquidity::MinDeposit` (r:1 w:0)
	/// Storage: `SharedLiquidity::Pool` (r:1 w:1)
	/// Storage: `SharedLiquidity::Positions` (r:1 w:1)
	/// Storage: `Assets::Asset` (r:1 w:1)
	/// Storage: `Assets::Account` (r:2 w:2)
	fn deposit() -> Weight {
		// Estimate, not measured.
		Weight::from_parts(60_000_000, 3675)
			.saturating_add(T::DbWeight::get().reads(6_u64))
			.saturating_add(T::DbWeight::get().writes(5_u64))
	}
	/// Storage: `SharedLiquidity::WithdrawDelay` (r:1 w:0)
	/// Storage: `SharedLiquidity::Pool` (r:1 w:0)
	/// Storage: `SharedLiquidity::Positions` (r:1 w:1)
	fn request_withdraw() -> Weight {
		// Estimate, not measured.
		Weight::from_parts(20_000_000, 3730)
			.saturating_add(T::DbWeight::get().reads(3_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	/// Storage: `SharedLiquidity::Pool` (r:1 w:1)
	/// Storage: `SharedLiquidity::Positions` (r:1 w:1), with `MaxWithdrawRequests` requests
	/// Storage: `SharedLiquidity::WithdrawDelay` (r:1 w:0)
	/// Storage: `Assets::Asset` (r:1 w:1)
	/// Storage: `Assets::Account` (r:2 w:2)
	/// Storage: `System::Account` (r:1 w:1)
	fn withdraw() -> Weight {
		// Estimate, not measured.
		Weight::from_parts(75_000_000, 3730)
			.saturating_add(T::DbWeight::get().reads(7_u64))
			.saturating_add(T::DbWeight::get().writes(6_u64))
	}
	/// Storage: `SharedLiquidity::Pool` (r:1 w:0)
	/// Storage: `SharedLiquidity::Positions` (r:1 w:1), with `MaxWithdrawRequests` requests
	fn cancel_withdrawals() -> Weight {
		// Estimate, not measured.
		Weight::from_parts(18_000_000, 3730)
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	/// Storage: `SharedLiquidity::Protocols` (r:1 w:1)
	/// Storage: `SharedLiquidity::Pool` (r:1 w:1)
	/// Storage: `Assets::Asset` (r:1 w:1)
	/// Storage: `Assets::Account` (r:2 w:2)
	/// Storage: `System::Account` (r:1 w:1)
	fn draw_credit() -> Weight {
		// Estimate, not measured.
		Weight::from_parts(70_000_000, 3675)
			.saturating_add(T::DbWeight::get().reads(6_u64))
			.saturating_add(T::DbWeight::get().writes(6_u64))
	}
	/// Storage: `SharedLiquidity::Protocols` (r:1 w:1)
	/// Storage: `SharedLiquidity::Pool` (r:1 w:1)
	/// Storage: `Assets::Asset` (r:1 w:1)
	/// Storage: `Assets::Account` (r:2 w:2)
	fn repay_credit() -> Weight {
		// Estimate, not measured.
		Weight::from_parts(65_000_000, 3675)
			.saturating_add(T::DbWeight::get().reads(5_u64))
			.saturating_add(T::DbWeight::get().writes(5_u64))
	}
	/// Storage: `SharedLiquidity::Protocols` (r:1 w:1)
	/// Storage: `SharedLiquidity::CounterForProtocols` (r:1 w:1)
	/// Storage: `SharedLiquidity::Pool` (r:1 w:1)
	fn register_protocol() -> Weight {
		// Estimate, not measured.
		Weight::from_parts(22_000_000, 3600)
			.saturating_add(T::DbWeight::get().reads(3_u64))
			.saturating_add(T::DbWeight::get().writes(3_u64))
	}
	/// Storage: `SharedLiquidity::Protocols` (r:1 w:1)
	/// Storage: `SharedLiquidity::Pool` (r:1 w:1)
	fn set_protocol_terms() -> Weight {
		// Estimate, not measured.
		Weight::from_parts(22_000_000, 3600)
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
	/// Storage: `SharedLiquidity::Protocols` (r:1 w:1)
	/// Storage: `SharedLiquidity::Pool` (r:1 w:1)
	fn set_protocol_status() -> Weight {
		// Estimate, not measured.
		Weight::from_parts(22_000_000, 3600)
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
	/// Storage: `SharedLiquidity::Protocols` (r:1 w:1)
	/// Storage: `SharedLiquidity::CounterForProtocols` (r:1 w:1)
	fn deregister_protocol() -> Weight {
		// Estimate, not measured.
		Weight::from_parts(18_000_000, 3600)
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
	/// Storage: `SharedLiquidity::Protocols` (r:1 w:1)
	/// Storage: `SharedLiquidity::Pool` (r:1 w:1)
	fn write_off() -> Weight {
		// Estimate, not measured.
		Weight::from_parts(25_000_000, 3600)
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
	/// Storage: `SharedLiquidity::MinDeposit` (r:0 w:1)
	fn set_min_deposit() -> Weight {
		// Estimate, not measured.
		Weight::from_parts(7_000_000, 0)
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	/// Storage: `SharedLiquidity::WithdrawDelay` (r:0 w:1)
	fn set_withdraw_delay() -> Weight {
		// Estimate, not measured.
		Weight::from_parts(7_000_000, 0)
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	/// Storage: `SharedLiquidity::Protocols` (r:1 w:1)
	/// Storage: `SharedLiquidity::Pool` (r:1 w:1)
	fn draw() -> Weight {
		// Estimate, not measured.
		Weight::from_parts(25_000_000, 3600)
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
	/// Storage: `SharedLiquidity::Protocols` (r:1 w:1)
	/// Storage: `SharedLiquidity::Pool` (r:1 w:1)
	fn release() -> Weight {
		// Estimate, not measured.
		Weight::from_parts(22_000_000, 3600)
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
	/// Storage: `SharedLiquidity::Protocols` (r:1 w:1)
	/// Storage: `SharedLiquidity::Pool` (r:1 w:1)
	/// Storage: `Assets::Asset` (r:1 w:1)
	/// Storage: `Assets::Account` (r:2 w:2)
	/// Storage: `System::Account` (r:1 w:1)
	fn pay() -> Weight {
		// Estimate, not measured.
		Weight::from_parts(70_000_000, 3675)
			.saturating_add(T::DbWeight::get().reads(6_u64))
			.saturating_add(T::DbWeight::get().writes(6_u64))
	}
	/// Storage: `SharedLiquidity::Protocols` (r:1 w:1)
	/// Storage: `SharedLiquidity::Pool` (r:1 w:1)
	/// Storage: `Assets::Asset` (r:1 w:1)
	/// Storage: `Assets::Account` (r:2 w:2)
	fn collect() -> Weight {
		// Estimate, not measured.
		Weight::from_parts(65_000_000, 3675)
			.saturating_add(T::DbWeight::get().reads(5_u64))
			.saturating_add(T::DbWeight::get().writes(5_u64))
	}
	/// Storage: `SharedLiquidity::Protocols` (r:1 w:1)
	/// Storage: `SharedLiquidity::Pool` (r:1 w:1)
	/// Storage: `Assets::Asset` (r:1 w:1)
	/// Storage: `Assets::Account` (r:2 w:2)
	/// Storage: `System::Account` (r:1 w:1)
	fn absorb() -> Weight {
		// Estimate, not measured.
		Weight::from_parts(75_000_000, 3675)
			.saturating_add(T::DbWeight::get().reads(6_u64))
			.saturating_add(T::DbWeight::get().writes(6_u64))
	}
}

// For backwards compatibility and tests.
impl WeightInfo for () {
	fn deposit() -> Weight {
		Weight::from_parts(60_000_000, 3675)
			.saturating_add(RocksDbWeight::get().reads(6_u64))
			.saturating_add(RocksDbWeight::get().writes(5_u64))
	}
	fn request_withdraw() -> Weight {
		Weight::from_parts(20_000_000, 3730)
			.saturating_add(RocksDbWeight::get().reads(3_u64))
			.saturating_add(RocksDbWeight::get().writes(1_u64))
	}
	fn withdraw() -> Weight {
		Weight::from_parts(75_000_000, 3730)
			.saturating_add(RocksDbWeight::get().reads(7_u64))
			.saturating_add(RocksDbWeight::get().writes(6_u64))
	}
	fn cancel_withdrawals() -> Weight {
		Weight::from_parts(18_000_000, 3730)
			.saturating_add(RocksDbWeight::get().reads(2_u64))
			.saturating_add(RocksDbWeight::get().writes(1_u64))
	}
	fn draw_credit() -> Weight {
		Weight::from_parts(70_000_000, 3675)
			.saturating_add(RocksDbWeight::get().reads(6_u64))
			.saturating_add(RocksDbWeight::get().writes(6_u64))
	}
	fn repay_credit() -> Weight {
		Weight::from_parts(65_000_000, 3675)
			.saturating_add(RocksDbWeight::get().reads(5_u64))
			.saturating_add(RocksDbWeight::get().writes(5_u64))
	}
	fn register_protocol() -> Weight {
		Weight::from_parts(22_000_000, 3600)
			.saturating_add(RocksDbWeight::get().reads(3_u64))
			.saturating_add(RocksDbWeight::get().writes(3_u64))
	}
	fn set_protocol_terms() -> Weight {
		Weight::from_parts(22_000_000, 3600)
			.saturating_add(RocksDbWeight::get().reads(2_u64))
			.saturating_add(RocksDbWeight::get().writes(2_u64))
	}
	fn set_protocol_status() -> Weight {
		Weight::from_parts(22_000_000, 3600)
			.saturating_add(RocksDbWeight::get().reads(2_u64))
			.saturating_add(RocksDbWeight::get().writes(2_u64))
	}
	fn deregister_protocol() -> Weight {
		Weight::from_parts(18_000_000, 3600)
			.saturating_add(RocksDbWeight::get().reads(2_u64))
			.saturating_add(RocksDbWeight::get().writes(2_u64))
	}
	fn write_off() -> Weight {
		Weight::from_parts(25_000_000, 3600)
			.saturating_add(RocksDbWeight::get().reads(2_u64))
			.saturating_add(RocksDbWeight::get().writes(2_u64))
	}
	fn set_min_deposit() -> Weight {
		Weight::from_parts(7_000_000, 0)
			.saturating_add(RocksDbWeight::get().writes(1_u64))
	}
	fn set_withdraw_delay() -> Weight {
		Weight::from_parts(7_000_000, 0)
			.saturating_add(RocksDbWeight::get().writes(1_u64))
	}
	fn draw() -> Weight {
		Weight::from_parts(25_000_000, 3600)
			.saturating_add(RocksDbWeight::get().reads(2_u64))
			.saturating_add(RocksDbWeight::get().writes(2_u64))
	}
	fn release() -> Weight {
		Weight::from_parts(22_000_000, 3600)
			.saturating_add(RocksDbWeight::get().reads(2_u64))
			.saturating_add(RocksDbWeight::get().writes(2_u64))
	}
	fn pay() -> Weight {
		Weight::from_parts(70_000_000, 3675)
			.saturating_add(RocksDbWeight::get().reads(6_u64))
			.saturating_add(RocksDbWeight::get().writes(6_u64))
	}
	fn collect() -> Weight {
		Weight::from_parts(65_000_000, 3675)
			.saturating_add(RocksDbWeight::get().reads(5_u64))
			.saturating_add(RocksDbWeight::get().writes(5_u64))
	}
	fn absorb() -> Weight {
		Weight::from_parts(75_000_000, 3675)
			.saturating_add(RocksDbWeight::get().reads(6_u64))
			.saturating_add(RocksDbWeight::get().writes(6_u64))
	}
}
