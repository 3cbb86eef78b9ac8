//! Weights for `validator_manager`: hand-estimated until `.ci/benchmarks
//! governance` measures them.

#![allow(missing_docs)]

use core::marker::PhantomData;
use frame_support::{
	traits::Get,
	weights::{constants::ParityDbWeight, Weight},
};

/// The weight of each call and trait entry point of `validator_manager`.
pub trait WeightInfo {
	fn rotate_session(n: u32) -> Weight;
}

/// Estimated weights, with database costs from the runtime's `DbWeight`.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn rotate_session(n: u32) -> Weight {
		let n = u64::from(n);
		Weight::from_parts(200_000_000u64.saturating_add(n.saturating_mul(50_000_000)), 0)
			.saturating_add(T::DbWeight::get().reads(10u64.saturating_add(n.saturating_mul(2))))
			.saturating_add(T::DbWeight::get().writes(10u64.saturating_add(n)))
	}
}

/// The same estimates with ParityDB's database costs, for tests.
impl WeightInfo for () {
	fn rotate_session(n: u32) -> Weight {
		let n = u64::from(n);
		Weight::from_parts(200_000_000u64.saturating_add(n.saturating_mul(50_000_000)), 0)
			.saturating_add(ParityDbWeight::get().reads(10u64.saturating_add(n.saturating_mul(2))))
			.saturating_add(ParityDbWeight::get().writes(10u64.saturating_add(n)))
	}
}
