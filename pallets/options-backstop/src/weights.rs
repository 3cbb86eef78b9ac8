//! Weights for `pallet_options_backstop`: HAND-ESTIMATED placeholders, not
//! measured. The integrator regenerates this file with `.ci/benchmarks`
//! (`backstop-node benchmark pallet --pallet pallet_options_backstop`).
//!
//! The estimates assume the suggested runtime values `MaxSeries = 8` and
//! `MaxTemplates = 4`: every call that prices shares (`deposit`,
//! `request_withdraw`, `withdraw`) values every listed series, two
//! Black–Scholes evaluations each (≈ 150 µs of reference time per
//! valuation, as `quote`); a purchase prices once; the hook reads every
//! series and template.

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]

use frame_support::{traits::Get, weights::{Weight, constants::ParityDbWeight}};
use core::marker::PhantomData;

/// The weight of each call, the hook and the pricing function of `pallet_options_backstop`.
pub trait WeightInfo {
	fn deposit() -> Weight;
	fn request_withdraw() -> Weight;
	fn cancel_withdraw() -> Weight;
	fn withdraw() -> Weight;
	fn execute_policy() -> Weight;
	fn settle() -> Weight;
	fn exercise_early() -> Weight;
	fn buy_protection() -> Weight;
	fn add_template() -> Weight;
	fn remove_template() -> Weight;
	fn set_pricing() -> Weight;
	fn set_skew() -> Weight;
	fn set_policy() -> Weight;
	fn set_vault_params() -> Weight;
	fn on_initialize(r: u32, l: u32, ) -> Weight;
	fn quote() -> Weight;
}

/// Hand-estimated weights, with database costs from the runtime's `DbWeight`.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn deposit() -> Weight {
		Weight::from_parts(1_400_000_000, 12_000)
			.saturating_add(T::DbWeight::get().reads(14_u64))
			.saturating_add(T::DbWeight::get().writes(4_u64))
	}
	fn request_withdraw() -> Weight {
		Weight::from_parts(1_350_000_000, 12_000)
			.saturating_add(T::DbWeight::get().reads(13_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	fn cancel_withdraw() -> Weight {
		Weight::from_parts(20_000_000, 3_600)
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	fn withdraw() -> Weight {
		Weight::from_parts(1_400_000_000, 12_000)
			.saturating_add(T::DbWeight::get().reads(15_u64))
			.saturating_add(T::DbWeight::get().writes(4_u64))
	}
	fn execute_policy() -> Weight {
		// At most MaxTemplates purchases, each with a sizing quote and a sale quote.
		Weight::from_parts(4_000_000_000, 20_000)
			.saturating_add(T::DbWeight::get().reads(40_u64))
			.saturating_add(T::DbWeight::get().writes(14_u64))
	}
	fn settle() -> Weight {
		Weight::from_parts(60_000_000, 8_000)
			.saturating_add(T::DbWeight::get().reads(6_u64))
			.saturating_add(T::DbWeight::get().writes(6_u64))
	}
	fn exercise_early() -> Weight {
		Weight::from_parts(60_000_000, 8_000)
			.saturating_add(T::DbWeight::get().reads(6_u64))
			.saturating_add(T::DbWeight::get().writes(5_u64))
	}
	fn buy_protection() -> Weight {
		Weight::from_parts(250_000_000, 8_000)
			.saturating_add(T::DbWeight::get().reads(8_u64))
			.saturating_add(T::DbWeight::get().writes(5_u64))
	}
	fn add_template() -> Weight {
		Weight::from_parts(15_000_000, 1_600)
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().writes(3_u64))
	}
	fn remove_template() -> Weight {
		Weight::from_parts(15_000_000, 1_600)
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().writes(3_u64))
	}
	fn set_pricing() -> Weight {
		Weight::from_parts(20_000_000, 3_000)
			.saturating_add(T::DbWeight::get().reads(6_u64))
			.saturating_add(T::DbWeight::get().writes(6_u64))
	}
	fn set_skew() -> Weight {
		Weight::from_parts(20_000_000, 3_000)
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
	fn set_policy() -> Weight {
		Weight::from_parts(15_000_000, 3_000)
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
	fn set_vault_params() -> Weight {
		Weight::from_parts(18_000_000, 3_000)
			.saturating_add(T::DbWeight::get().reads(4_u64))
			.saturating_add(T::DbWeight::get().writes(4_u64))
	}
	fn on_initialize(r: u32, l: u32, ) -> Weight {
		Weight::from_parts(5_000_000, 1_500)
			.saturating_add(Weight::from_parts(10_000_000, 2_700).saturating_mul(r.into()))
			.saturating_add(Weight::from_parts(30_000_000, 2_700).saturating_mul(l.into()))
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().reads((1_u64).saturating_mul(r.into())))
			.saturating_add(T::DbWeight::get().reads((2_u64).saturating_mul(l.into())))
			.saturating_add(T::DbWeight::get().writes((1_u64).saturating_mul(r.into())))
			.saturating_add(T::DbWeight::get().writes((4_u64).saturating_mul(l.into())))
	}
	fn quote() -> Weight {
		Weight::from_parts(150_000_000, 4_000)
			.saturating_add(T::DbWeight::get().reads(4_u64))
	}
}

/// For tests: the same estimates with `ParityDbWeight`.
impl WeightInfo for () {
	fn deposit() -> Weight { Weight::from_parts(1_400_000_000, 12_000).saturating_add(ParityDbWeight::get().reads_writes(14, 4)) }
	fn request_withdraw() -> Weight { Weight::from_parts(1_350_000_000, 12_000).saturating_add(ParityDbWeight::get().reads_writes(13, 1)) }
	fn cancel_withdraw() -> Weight { Weight::from_parts(20_000_000, 3_600).saturating_add(ParityDbWeight::get().reads_writes(1, 1)) }
	fn withdraw() -> Weight { Weight::from_parts(1_400_000_000, 12_000).saturating_add(ParityDbWeight::get().reads_writes(15, 4)) }
	fn execute_policy() -> Weight { Weight::from_parts(4_000_000_000, 20_000).saturating_add(ParityDbWeight::get().reads_writes(40, 14)) }
	fn settle() -> Weight { Weight::from_parts(60_000_000, 8_000).saturating_add(ParityDbWeight::get().reads_writes(6, 6)) }
	fn exercise_early() -> Weight { Weight::from_parts(60_000_000, 8_000).saturating_add(ParityDbWeight::get().reads_writes(6, 5)) }
	fn buy_protection() -> Weight { Weight::from_parts(250_000_000, 8_000).saturating_add(ParityDbWeight::get().reads_writes(8, 5)) }
	fn add_template() -> Weight { Weight::from_parts(15_000_000, 1_600).saturating_add(ParityDbWeight::get().reads_writes(2, 3)) }
	fn remove_template() -> Weight { Weight::from_parts(15_000_000, 1_600).saturating_add(ParityDbWeight::get().reads_writes(2, 3)) }
	fn set_pricing() -> Weight { Weight::from_parts(20_000_000, 3_000).saturating_add(ParityDbWeight::get().reads_writes(6, 6)) }
	fn set_skew() -> Weight { Weight::from_parts(20_000_000, 3_000).saturating_add(ParityDbWeight::get().reads_writes(2, 2)) }
	fn set_policy() -> Weight { Weight::from_parts(15_000_000, 3_000).saturating_add(ParityDbWeight::get().reads_writes(2, 2)) }
	fn set_vault_params() -> Weight { Weight::from_parts(18_000_000, 3_000).saturating_add(ParityDbWeight::get().reads_writes(4, 4)) }
	fn on_initialize(r: u32, l: u32, ) -> Weight {
		Weight::from_parts(5_000_000, 1_500)
			.saturating_add(Weight::from_parts(10_000_000, 2_700).saturating_mul(r.into()))
			.saturating_add(Weight::from_parts(30_000_000, 2_700).saturating_mul(l.into()))
			.saturating_add(ParityDbWeight::get().reads_writes(2, 0))
			.saturating_add(ParityDbWeight::get().reads_writes(1, 1).saturating_mul(r.into()))
			.saturating_add(ParityDbWeight::get().reads_writes(2, 4).saturating_mul(l.into()))
	}
	fn quote() -> Weight { Weight::from_parts(150_000_000, 4_000).saturating_add(ParityDbWeight::get().reads(4)) }
}
