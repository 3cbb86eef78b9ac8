//! Benchmarks of the oracle aggregator (FRAME v2).
//!
//! `feed` has two components, so its cost can be read at any point of the comparison grid
//! (feeders f ∈ {3, 7, 15}, assets a ∈ {1, 10}):
//!
//! * `f`: the number of fresh values each asset's median runs over, the caller's included
//!   (every other feeder's value in the asset is fresh, or has aged out and is pruned by the
//!   measured call, so the stored vector is always full);
//! * `a`: the number of assets in the batch.
//!
//! The runtime needs `MaxFeeders >= 15` and `MaxBatch >= 10` for the whole grid.

use super::*;
use crate::Pallet as OracleAggregator;
use alloc::vec::Vec;
use backstop_primitives::{OracleAssetId, Price};
use frame_benchmarking::v2::*;
use frame_support::{
	pallet_prelude::Get,
	traits::{EnsureOrigin, Hooks},
	weights::Weight,
	BoundedVec,
};
use frame_system::{pallet_prelude::BlockNumberFor, RawOrigin};
use sp_arithmetic::{traits::Saturating, Permill};

const SEED: u32 = 0;
/// `max_age` of the benchmark assets.
const MAX_AGE: u32 = 10;

fn feeder<T: Config>(index: u32) -> T::AccountId {
	account("feeder", index, SEED)
}

fn config(max_age: u32) -> AssetConfig {
	AssetConfig {
		min_feeders: 1,
		max_age,
		max_move: Permill::from_percent(10),
		ema_period: 30,
		confirmation_blocks: 5,
	}
}

fn set_block<T: Config>(block: u32) {
	frame_system::Pallet::<T>::set_block_number(block.into());
}

fn now<T: Config>() -> BlockNumberFor<T> {
	frame_system::Pallet::<T>::block_number()
}

/// Feeder `index`'s price: 100 plus up to 0.04, so that values differ a little and every
/// median stays within the breaker's band.
fn price_of(index: u32) -> Price {
	Price::from_u32(100).saturating_add(Price::from_rational((index % 5).into(), 100))
}

fn add_feeders<T: Config>(count: u32) -> Result<(), BenchmarkError> {
	for index in 0..count {
		OracleAggregator::<T>::do_add_feeder(feeder::<T>(index))
			.map_err(|_| BenchmarkError::Stop("cannot add a feeder"))?;
	}
	Ok(())
}

fn register_assets<T: Config>(count: u32, max_age: u32) -> Result<(), BenchmarkError> {
	for asset in 0..count {
		OracleAggregator::<T>::do_register_asset(asset, config(max_age))
			.map_err(|_| BenchmarkError::Stop("cannot register an asset"))?;
	}
	Ok(())
}

fn batch_of<T: Config>(
	index: u32,
	assets: &[OracleAssetId],
) -> Result<BoundedVec<(OracleAssetId, Price), T::MaxBatch>, BenchmarkError> {
	let pairs: Vec<(OracleAssetId, Price)> =
		assets.iter().map(|asset| (*asset, price_of(index))).collect();
	pairs.try_into().map_err(|_| BenchmarkError::Stop("batch above MaxBatch"))
}

/// Feeder `index` feeds every asset in `0..count`, one block per `MaxBatch` assets starting
/// at block `first_block`. Returns the last block used.
fn feed_assets<T: Config>(index: u32, count: u32, first_block: u32) -> Result<u32, BenchmarkError> {
	let assets: Vec<OracleAssetId> = (0..count).collect();
	let mut block = first_block;
	for chunk in assets.chunks(T::MaxBatch::get() as usize) {
		set_block::<T>(block);
		OracleAggregator::<T>::do_feed(feeder::<T>(index), batch_of::<T>(index, chunk)?)
			.map_err(|_| BenchmarkError::Stop("setup feed failed"))?;
		block = block.saturating_add(1);
	}
	Ok(block.saturating_sub(1))
}

/// `count` assets whose stored vectors are full: every feeder fed each of them.
fn assets_fed_by_everyone<T: Config>(count: u32) -> Result<u32, BenchmarkError> {
	add_feeders::<T>(T::MaxFeeders::get())?;
	register_assets::<T>(count, crate::limits::MAX_FEED_AGE)?;
	let mut last = 1;
	for index in 0..T::MaxFeeders::get() {
		last = feed_assets::<T>(index, count, 1)?;
	}
	Ok(last)
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn feed(
		f: Linear<1, { T::MaxFeeders::get() }>,
		a: Linear<1, { T::MaxBatch::get() }>,
	) -> Result<(), BenchmarkError> {
		let max_feeders = T::MaxFeeders::get();
		add_feeders::<T>(max_feeders)?;
		register_assets::<T>(a, MAX_AGE)?;
		let assets: Vec<OracleAssetId> = (0..a).collect();
		// Block 1: feeders whose values will have aged out (pruned by the measured call).
		set_block::<T>(1);
		for index in f..max_feeders {
			OracleAggregator::<T>::do_feed(feeder::<T>(index), batch_of::<T>(index, &assets)?)
				.map_err(|_| BenchmarkError::Stop("setup feed failed"))?;
		}
		// Block 2: the other `f - 1` feeders, still fresh when the caller feeds.
		set_block::<T>(2);
		for index in 1..f {
			OracleAggregator::<T>::do_feed(feeder::<T>(index), batch_of::<T>(index, &assets)?)
				.map_err(|_| BenchmarkError::Stop("setup feed failed"))?;
		}
		// Block 2 + MAX_AGE: block 1 values aged out, block 2 values fresh; the previous
		// aggregate is several blocks old, so the EMA is carried forward too.
		set_block::<T>(2 + MAX_AGE);
		let caller = feeder::<T>(0);
		let batch = batch_of::<T>(0, &assets)?;

		#[extrinsic_call]
		_(RawOrigin::Signed(caller), batch);

		for asset in assets {
			let aggregate = Assets::<T>::get(asset)
				.and_then(|state| state.aggregate)
				.ok_or(BenchmarkError::Stop("no aggregate"))?;
			assert_eq!(aggregate.sources, f);
			assert_eq!(aggregate.updated_at, now::<T>());
		}
		Ok(())
	}

	#[benchmark]
	fn register_asset() -> Result<(), BenchmarkError> {
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let existing = T::MaxAssets::get().saturating_sub(1);
		register_assets::<T>(existing, MAX_AGE)?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, existing, config(MAX_AGE));

		assert!(Assets::<T>::contains_key(existing));
		Ok(())
	}

	#[benchmark]
	fn update_asset_config() -> Result<(), BenchmarkError> {
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		assets_fed_by_everyone::<T>(1)?;
		let new_config = config(MAX_AGE.saturating_add(1));

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, 0, new_config);

		assert_eq!(Assets::<T>::get(0).map(|state| state.config), Some(new_config));
		Ok(())
	}

	#[benchmark]
	fn remove_asset() -> Result<(), BenchmarkError> {
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		assets_fed_by_everyone::<T>(1)?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, 0);

		assert!(!Assets::<T>::contains_key(0));
		Ok(())
	}

	#[benchmark]
	fn add_feeder() -> Result<(), BenchmarkError> {
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		// Every other slot taken: the slot search reads the whole set.
		let last = T::MaxFeeders::get().saturating_sub(1);
		add_feeders::<T>(last)?;
		let new = feeder::<T>(last);

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, new.clone());

		assert!(Feeders::<T>::contains_key(new));
		Ok(())
	}

	#[benchmark]
	fn remove_feeder(a: Linear<0, { T::MaxAssets::get() }>) -> Result<(), BenchmarkError> {
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		// Every asset holds a value of the removed feeder and is recomputed over the
		// `MaxFeeders - 1` others.
		let last = assets_fed_by_everyone::<T>(a)?;
		set_block::<T>(last.saturating_add(1));
		let removed = feeder::<T>(0);

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, removed.clone());

		assert!(!Feeders::<T>::contains_key(removed));
		Ok(())
	}

	#[benchmark]
	fn freeze_price() -> Result<(), BenchmarkError> {
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		assets_fed_by_everyone::<T>(1)?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, 0, None);

		assert!(Assets::<T>::get(0).is_some_and(|state| state.frozen.is_some()));
		Ok(())
	}

	#[benchmark]
	fn unfreeze_price() -> Result<(), BenchmarkError> {
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		assets_fed_by_everyone::<T>(1)?;
		OracleAggregator::<T>::do_freeze_price(0, None)
			.map_err(|_| BenchmarkError::Stop("cannot freeze"))?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, 0);

		assert!(Assets::<T>::get(0).is_some_and(|state| state.frozen.is_none()));
		Ok(())
	}

	/// The idle pass over `n` assets, each due: half of its `MaxFeeders` values aged out, and
	/// it is recomputed over the other half.
	#[benchmark]
	fn on_idle_pass(n: Linear<0, { T::MaxIdleChecks::get() }>) -> Result<(), BenchmarkError> {
		let max_feeders = T::MaxFeeders::get();
		add_feeders::<T>(max_feeders)?;
		register_assets::<T>(n, MAX_AGE)?;
		let assets: Vec<OracleAssetId> = (0..n).collect();
		let half = max_feeders / 2;
		for chunk in assets.chunks(T::MaxBatch::get() as usize) {
			set_block::<T>(1);
			for index in 0..half {
				OracleAggregator::<T>::do_feed(feeder::<T>(index), batch_of::<T>(index, chunk)?)
					.map_err(|_| BenchmarkError::Stop("setup feed failed"))?;
			}
			set_block::<T>(2);
			for index in half..max_feeders {
				OracleAggregator::<T>::do_feed(feeder::<T>(index), batch_of::<T>(index, chunk)?)
					.map_err(|_| BenchmarkError::Stop("setup feed failed"))?;
			}
			// Feeders feed once per block: clear the marks for the next chunk.
			for index in 0..max_feeders {
				Feeders::<T>::mutate(feeder::<T>(index), |info| {
					if let Some(info) = info {
						info.last_fed = None;
					}
				});
			}
		}
		set_block::<T>(2 + MAX_AGE);
		let block = now::<T>();

		#[block]
		{
			OracleAggregator::<T>::on_idle(block, Weight::MAX);
		}

		for asset in assets {
			let state = Assets::<T>::get(asset).ok_or(BenchmarkError::Stop("asset gone"))?;
			assert!(!OracleAggregator::<T>::needs_refresh(&state, block));
		}
		Ok(())
	}

	impl_benchmark_test_suite!(
		OracleAggregator,
		crate::mock::ExtBuilder::default().build(),
		crate::mock::Test
	);
}
