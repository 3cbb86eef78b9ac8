//! Weights for `pallet_insurance_fund`.
//!
//! PLACEHOLDER ESTIMATES — TO BE REGENERATED. The figures below were not
//! measured: they are hand-written estimates (storage accesses counted from
//! the code, execution time guessed) in the shape of the file the node's
//! `benchmark pallet` command writes. Regenerate with:
//!
//! ```text
//! cargo build --release -p backstop-node --features runtime-benchmarks
//! target/release/backstop-node benchmark pallet --chain=dev \
//!     --pallet=pallet_insurance_fund --extrinsic='*' --steps=50 --repeat=20 \
//!     --output=pallets/insurance-fund/src/weights.rs
//! ```
//!
//! `absorb`, `receive_liquidation_penalty` and `receive_trading_fee` are not
//! calls: they weigh the `LossAbsorber::absorb` and `RevenueSink::receive`
//! entry points, for the pallets that call them to account for.

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]
#![allow(dead_code)]

use frame_support::{traits::Get, weights::{Weight, constants::RocksDbWeight}};
use core::marker::PhantomData;

/// Weight functions needed for `pallet_insurance_fund`.
pub trait WeightInfo {
	fn donate() -> Weight;
	fn set_params() -> Weight;
	fn clear_market_params() -> Weight;
	fn set_forward_fraction() -> Weight;
	fn withdraw_surplus() -> Weight;
	fn create_market_fund() -> Weight;
	fn close_market_fund() -> Weight;
	fn absorb() -> Weight;
	fn receive_liquidation_penalty() -> Weight;
	fn receive_trading_fee() -> Weight;
}

/// Weights for `pallet_insurance_fund` using the Substrate node and recommended hardware.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	/// Storage: `InsuranceFund::MarketFunds` (r:1 w:1)
	/// Storage: `Assets::Asset` (r:1 w:0)
	/// Storage: `Assets::Account` (r:2 w:2)
	/// Storage: `InsuranceFund::MarketParams` (r:1 w:0)
	/// Storage: `InsuranceFund::DefaultMarketParams` (r:1 w:0)
	/// Storage: open interest of the market (r:1 w:0)
	fn donate() -> Weight {
		// Estimate, not measured.
		Weight::from_parts(45_000_000, 3675)
			.saturating_add(T::DbWeight::get().reads(7_u64))
			.saturating_add(T::DbWeight::get().writes(3_u64))
	}
	/// Storage: `InsuranceFund::MarketFunds` (r:1 w:1)
	/// Storage: `InsuranceFund::CounterForMarketFunds` (r:1 w:1)
	/// Storage: `InsuranceFund::MarketParams` (r:0 w:1)
	/// Storage: open interest of the market (r:1 w:0)
	fn set_params() -> Weight {
		// Estimate, not measured.
		Weight::from_parts(16_000_000, 3513)
			.saturating_add(T::DbWeight::get().reads(3_u64))
			.saturating_add(T::DbWeight::get().writes(3_u64))
	}
	/// Storage: `InsuranceFund::MarketParams` (r:1 w:1)
	/// Storage: `InsuranceFund::MarketFunds` (r:1 w:1)
	/// Storage: `InsuranceFund::DefaultMarketParams` (r:1 w:0)
	/// Storage: open interest of the market (r:1 w:0)
	fn clear_market_params() -> Weight {
		// Estimate, not measured.
		Weight::from_parts(15_000_000, 3513)
			.saturating_add(T::DbWeight::get().reads(4_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
	/// Storage: `InsuranceFund::ForwardFraction` (r:0 w:1)
	fn set_forward_fraction() -> Weight {
		// Estimate, not measured.
		Weight::from_parts(6_000_000, 0)
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	/// Storage: `InsuranceFund::MarketFunds` (r:1 w:1)
	/// Storage: `InsuranceFund::MarketParams` (r:1 w:0)
	/// Storage: `InsuranceFund::DefaultMarketParams` (r:1 w:0)
	/// Storage: open interest of the market (r:1 w:0)
	/// Storage: `Assets::Asset` (r:1 w:1)
	/// Storage: `Assets::Account` (r:2 w:2)
	/// Storage: `System::Account` (r:1 w:1)
	fn withdraw_surplus() -> Weight {
		// Estimate, not measured.
		Weight::from_parts(48_000_000, 3675)
			.saturating_add(T::DbWeight::get().reads(8_u64))
			.saturating_add(T::DbWeight::get().writes(5_u64))
	}
	/// Storage: `InsuranceFund::MarketFunds` (r:1 w:1)
	/// Storage: `InsuranceFund::CounterForMarketFunds` (r:1 w:1)
	/// Storage: `InsuranceFund::MarketParams` (r:1 w:0)
	/// Storage: `InsuranceFund::DefaultMarketParams` (r:1 w:0)
	/// Storage: open interest of the market (r:1 w:0)
	fn create_market_fund() -> Weight {
		// Estimate, not measured.
		Weight::from_parts(15_000_000, 3513)
			.saturating_add(T::DbWeight::get().reads(5_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
	/// Storage: `InsuranceFund::MarketFunds` (r:1 w:1)
	/// Storage: `InsuranceFund::CounterForMarketFunds` (r:1 w:1)
	/// Storage: `InsuranceFund::MarketParams` (r:0 w:1)
	/// Storage: `InsuranceFund::GlobalFund` (r:1 w:1)
	/// Storage: `InsuranceFund::GlobalParams` (r:1 w:0)
	/// Storage: total open interest (r:1 w:0)
	fn close_market_fund() -> Weight {
		// Estimate, not measured.
		Weight::from_parts(20_000_000, 3513)
			.saturating_add(T::DbWeight::get().reads(5_u64))
			.saturating_add(T::DbWeight::get().writes(4_u64))
	}
	/// Storage: `InsuranceFund::MarketFunds` (r:1 w:1)
	/// Storage: `InsuranceFund::MarketParams` (r:1 w:0)
	/// Storage: `InsuranceFund::DefaultMarketParams` (r:1 w:0)
	/// Storage: `InsuranceFund::GlobalFund` (r:1 w:1)
	/// Storage: `InsuranceFund::GlobalParams` (r:1 w:0)
	/// Storage: `Assets::Asset` (r:1 w:0)
	/// Storage: `Assets::Account` (r:2 w:2)
	/// Storage: open interest of the market and in total (r:2 w:0)
	fn absorb() -> Weight {
		// Estimate, not measured.
		Weight::from_parts(85_000_000, 6208)
			.saturating_add(T::DbWeight::get().reads(10_u64))
			.saturating_add(T::DbWeight::get().writes(4_u64))
	}
	/// Storage: `InsuranceFund::MarketFunds` (r:1 w:1)
	/// Storage: `InsuranceFund::CounterForMarketFunds` (r:1 w:1)
	/// Storage: `InsuranceFund::ForwardFraction` (r:1 w:0)
	/// Storage: `InsuranceFund::GlobalFund` (r:1 w:1)
	/// Storage: `InsuranceFund::MarketParams` (r:1 w:0)
	/// Storage: `InsuranceFund::DefaultMarketParams` (r:1 w:0)
	/// Storage: `InsuranceFund::GlobalParams` (r:1 w:0)
	/// Storage: `Assets::Asset` (r:1 w:0)
	/// Storage: `Assets::Account` (r:2 w:2)
	/// Storage: open interest of the market and in total (r:2 w:0)
	fn receive_liquidation_penalty() -> Weight {
		// Estimate, not measured.
		Weight::from_parts(65_000_000, 6208)
			.saturating_add(T::DbWeight::get().reads(12_u64))
			.saturating_add(T::DbWeight::get().writes(5_u64))
	}
	/// As `receive_liquidation_penalty`: both kinds take the same path.
	fn receive_trading_fee() -> Weight {
		// Estimate, not measured.
		Weight::from_parts(65_000_000, 6208)
			.saturating_add(T::DbWeight::get().reads(12_u64))
			.saturating_add(T::DbWeight::get().writes(5_u64))
	}
}

// For backwards compatibility and tests.
impl WeightInfo for () {
	fn donate() -> Weight {
		Weight::from_parts(45_000_000, 3675)
			.saturating_add(RocksDbWeight::get().reads(7_u64))
			.saturating_add(RocksDbWeight::get().writes(3_u64))
	}
	fn set_params() -> Weight {
		Weight::from_parts(16_000_000, 3513)
			.saturating_add(RocksDbWeight::get().reads(3_u64))
			.saturating_add(RocksDbWeight::get().writes(3_u64))
	}
	fn clear_market_params() -> Weight {
		Weight::from_parts(15_000_000, 3513)
			.saturating_add(RocksDbWeight::get().reads(4_u64))
			.saturating_add(RocksDbWeight::get().writes(2_u64))
	}
	fn set_forward_fraction() -> Weight {
		Weight::from_parts(6_000_000, 0)
			.saturating_add(RocksDbWeight::get().writes(1_u64))
	}
	fn withdraw_surplus() -> Weight {
		Weight::from_parts(48_000_000, 3675)
			.saturating_add(RocksDbWeight::get().reads(8_u64))
			.saturating_add(RocksDbWeight::get().writes(5_u64))
	}
	fn create_market_fund() -> Weight {
		Weight::from_parts(15_000_000, 3513)
			.saturating_add(RocksDbWeight::get().reads(5_u64))
			.saturating_add(RocksDbWeight::get().writes(2_u64))
	}
	fn close_market_fund() -> Weight {
		Weight::from_parts(20_000_000, 3513)
			.saturating_add(RocksDbWeight::get().reads(5_u64))
			.saturating_add(RocksDbWeight::get().writes(4_u64))
	}
	fn absorb() -> Weight {
		Weight::from_parts(85_000_000, 6208)
			.saturating_add(RocksDbWeight::get().reads(10_u64))
			.saturating_add(RocksDbWeight::get().writes(4_u64))
	}
	fn receive_liquidation_penalty() -> Weight {
		Weight::from_parts(65_000_000, 6208)
			.saturating_add(RocksDbWeight::get().reads(12_u64))
			.saturating_add(RocksDbWeight::get().writes(5_u64))
	}
	fn receive_trading_fee() -> Weight {
		Weight::from_parts(65_000_000, 6208)
			.saturating_add(RocksDbWeight::get().reads(12_u64))
			.saturating_add(RocksDbWeight::get().writes(5_u64))
	}
}
