//! Weights for `pallet_staking_backstop`.
//!
//! PLACEHOLDER ESTIMATES — TO BE REGENERATED. The figures below were not
//! measured: they are hand-written estimates (storage accesses counted from
//! the code, execution time guessed) in the shape of the file the node's
//! `benchmark pallet` command writes. Regenerate with:
//!
//! ```text
//! cargo build --release -p backstop-node --features runtime-benchmarks
//! target/release/backstop-node benchmark pallet --chain=dev \
//!     --pallet=pallet_staking_backstop --extrinsic='*' --steps=50 --repeat=20 \
//!     --output=pallets/staking-backstop/src/weights.rs
//! ```
//!
//! `absorb` and `receive` are not calls: they weigh the `LossAbsorber::absorb`
//! and `RevenueSink::receive` entry points, for the pallets that call them to
//! account for. `absorb` is benchmarked with `s` stakers in both tranches
//! (`s` in `[1, 10_000]`) to show that slashing does not depend on `s`: the
//! estimate below has no term in `s`.
//!
//! The staker calls are benchmarked in their worst case: a position with
//! rewards to settle and `MaxUnstakeRequests` requests to sweep.

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]
#![allow(dead_code)]

use frame_support::{traits::Get, weights::{Weight, constants::RocksDbWeight}};
use core::marker::PhantomData;

/// Weight functions needed for `pallet_staking_backstop`.
pub trait WeightInfo {
	fn stake() -> Weight;
	fn request_unstake() -> Weight;
	fn cancel_unstake() -> Weight;
	fn unstake() -> Weight;
	fn claim_rewards() -> Weight;
	fn set_tranche_params() -> Weight;
	fn set_premium_curve() -> Weight;
	fn absorb(s: u32, ) -> Weight;
	fn receive() -> Weight;
}

/// Weights for `pallet_staking_backstop` using the Substrate node and recommended hardware.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	/// Storage: `StakingBackstop::Params` (r:1 w:0)
	/// Storage: `StakingBackstop::Tranches` (r:1 w:1)
	/// Storage: `StakingBackstop::Positions` (r:1 w:1)
	/// Storage: `StakingBackstop::UnstakeRequests` (r:1 w:1)
	/// Storage: `Assets::Asset` (r:1 w:1)
	/// Storage: `Assets::Account` (r:2 w:2)
	/// Storage: `System::Account` (r:1 w:0)
	fn stake() -> Weight {
		// Estimate, not measured.
		Weight::from_parts(70_000_000, 6208)
			.saturating_add(T::DbWeight::get().reads(8_u64))
			.saturating_add(T::DbWeight::get().writes(6_u64))
	}
	/// Storage: `StakingBackstop::Params` (r:1 w:0)
	/// Storage: `StakingBackstop::Tranches` (r:1 w:1)
	/// Storage: `StakingBackstop::Positions` (r:1 w:1)
	/// Storage: `StakingBackstop::UnstakeRequests` (r:1 w:1)
	/// Storage: `StakingBackstop::NextRequestId` (r:1 w:1)
	fn request_unstake() -> Weight {
		// Estimate, not measured.
		Weight::from_parts(40_000_000, 4000)
			.saturating_add(T::DbWeight::get().reads(5_u64))
			.saturating_add(T::DbWeight::get().writes(4_u64))
	}
	/// Storage: `StakingBackstop::Tranches` (r:1 w:1)
	/// Storage: `StakingBackstop::Positions` (r:1 w:1)
	/// Storage: `StakingBackstop::UnstakeRequests` (r:1 w:1)
	fn cancel_unstake() -> Weight {
		// Estimate, not measured.
		Weight::from_parts(35_000_000, 4000)
			.saturating_add(T::DbWeight::get().reads(3_u64))
			.saturating_add(T::DbWeight::get().writes(3_u64))
	}
	/// Storage: `StakingBackstop::Tranches` (r:1 w:1)
	/// Storage: `StakingBackstop::Positions` (r:1 w:1)
	/// Storage: `StakingBackstop::UnstakeRequests` (r:1 w:1)
	/// Storage: `Assets::Asset` (r:1 w:1)
	/// Storage: `Assets::Account` (r:2 w:2)
	/// Storage: `System::Account` (r:1 w:1)
	fn unstake() -> Weight {
		// Estimate, not measured.
		Weight::from_parts(65_000_000, 6208)
			.saturating_add(T::DbWeight::get().reads(7_u64))
			.saturating_add(T::DbWeight::get().writes(7_u64))
	}
	/// Storage: `StakingBackstop::Tranches` (r:1 w:1)
	/// Storage: `StakingBackstop::Positions` (r:1 w:1)
	/// Storage: `StakingBackstop::UnstakeRequests` (r:1 w:1)
	/// Storage: `StakingBackstop::RewardPot` (r:1 w:1)
	/// Storage: `Assets::Asset` (r:1 w:1)
	/// Storage: `Assets::Account` (r:2 w:2)
	/// Storage: `System::Account` (r:1 w:1)
	fn claim_rewards() -> Weight {
		// Estimate, not measured.
		Weight::from_parts(65_000_000, 6208)
			.saturating_add(T::DbWeight::get().reads(8_u64))
			.saturating_add(T::DbWeight::get().writes(8_u64))
	}
	/// Storage: `StakingBackstop::Params` (r:0 w:1)
	fn set_tranche_params() -> Weight {
		// Estimate, not measured.
		Weight::from_parts(9_000_000, 0)
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	/// Storage: `StakingBackstop::Premium` (r:0 w:1)
	fn set_premium_curve() -> Weight {
		// Estimate, not measured.
		Weight::from_parts(9_000_000, 0)
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	/// Storage: `StakingBackstop::Tranches` (r:2 w:2)
	/// Storage: `StakingBackstop::Params` (r:2 w:0)
	/// Storage: `StakingBackstop::EpochRewardIndex` (r:0 w:1)
	/// Storage: `Assets::Asset` (r:1 w:1)
	/// Storage: `Assets::Account` (r:2 w:2)
	/// Storage: `System::Account` (r:1 w:1)
	/// The range of component `s` is `[1, 10000]`.
	fn absorb(_s: u32, ) -> Weight {
		// Estimate, not measured.
		Weight::from_parts(90_000_000, 6208)
			.saturating_add(T::DbWeight::get().reads(8_u64))
			.saturating_add(T::DbWeight::get().writes(7_u64))
	}
	/// Storage: `StakingBackstop::Undistributed` (r:1 w:1)
	/// Storage: `StakingBackstop::Premium` (r:1 w:0)
	/// Storage: `StakingBackstop::Tranches` (r:2 w:2)
	/// Storage: `StakingBackstop::RewardPot` (r:1 w:1)
	/// Storage: open interest (r:1 w:0)
	/// Storage: `Assets::Asset` (r:1 w:1)
	/// Storage: `Assets::Account` (r:2 w:2)
	fn receive() -> Weight {
		// Estimate, not measured.
		Weight::from_parts(60_000_000, 6208)
			.saturating_add(T::DbWeight::get().reads(9_u64))
			.saturating_add(T::DbWeight::get().writes(7_u64))
	}
}

// For backwards compatibility and tests.
impl WeightInfo for () {
	fn stake() -> Weight {
		Weight::from_parts(70_000_000, 6208)
			.saturating_add(RocksDbWeight::get().reads(8_u64))
			.saturating_add(RocksDbWeight::get().writes(6_u64))
	}
	fn request_unstake() -> Weight {
		Weight::from_parts(40_000_000, 4000)
			.saturating_add(RocksDbWeight::get().reads(5_u64))
			.saturating_add(RocksDbWeight::get().writes(4_u64))
	}
	fn cancel_unstake() -> Weight {
		Weight::from_parts(35_000_000, 4000)
			.saturating_add(RocksDbWeight::get().reads(3_u64))
			.saturating_add(RocksDbWeight::get().writes(3_u64))
	}
	fn unstake() -> Weight {
		Weight::from_parts(65_000_000, 6208)
			.saturating_add(RocksDbWeight::get().reads(7_u64))
			.saturating_add(RocksDbWeight::get().writes(7_u64))
	}
	fn claim_rewards() -> Weight {
		Weight::from_parts(65_000_000, 6208)
			.saturating_add(RocksDbWeight::get().reads(8_u64))
			.saturating_add(RocksDbWeight::get().writes(8_u64))
	}
	fn set_tranche_params() -> Weight {
		Weight::from_parts(9_000_000, 0)
			.saturating_add(RocksDbWeight::get().writes(1_u64))
	}
	fn set_premium_curve() -> Weight {
		Weight::from_parts(9_000_000, 0)
			.saturating_add(RocksDbWeight::get().writes(1_u64))
	}
	fn absorb(_s: u32, ) -> Weight {
		Weight::from_parts(90_000_000, 6208)
			.saturating_add(RocksDbWeight::get().reads(8_u64))
			.saturating_add(RocksDbWeight::get().writes(7_u64))
	}
	fn receive() -> Weight {
		Weight::from_parts(60_000_000, 6208)
			.saturating_add(RocksDbWeight::get().reads(9_u64))
			.saturating_add(RocksDbWeight::get().writes(7_u64))
	}
}
