//! Benchmarks of the oracle aggregator (FRAME v2).
//!
//! `feed` and `submit_feed` have two components, so their cost can be read at any point of
//! the comparison grid (feeders f ∈ {3, 7, 15}, assets a ∈ {1, 10}):
//!
//! * `f`: the number of fresh values each asset's median runs over, the caller's included
//!   (every other stored value has aged out and is pruned by the measured call, so the
//!   stored vector is always full);
//! * `a`: the number of assets in the batch.
//!
//! Each measured feed takes the most expensive path of the breaker: the asset is held at a
//! move beyond `max_move`, the caller's value completes a fast-path supermajority, so the
//! agreement is computed and the move accepted, with the EMA brought forward over the time
//! since the previous aggregate.
//!
//! The runtime needs `MaxFeeders >= 15` and `MaxBatch >= 10` for the whole grid, and a
//! `BenchmarkHelper` that sets the clock and signs with benchmark feeder keys.

use super::*;
use crate::Pallet as OracleAggregator;
use alloc::vec::Vec;
use backstop_primitives::{governance::Authority, OracleAssetId, Price};
use frame_benchmarking::v2::*;
use frame_support::{
	pallet_prelude::{Get, TransactionSource},
	traits::{Authorize, EnsureOrigin, Hooks},
	weights::Weight,
	BoundedVec,
};
use frame_system::{pallet_prelude::BlockNumberFor, RawOrigin};
use sp_arithmetic::{traits::Saturating, Permill};
use sp_runtime::traits::Zero;

/// The benchmarks' clock starts here (ms), one block every `BLOCK_MS`.
const START_MS: Millis = 1_000_000_000_000;
/// Block time of the benchmarks (ms).
const BLOCK_MS: Millis = 6_000;

/// `max_age_ms` of the benchmark assets: one minute beyond the runtime's skew.
fn max_age<T: Config>() -> Millis {
	T::MaxFeedSkew::get().saturating_add(60_000).min(crate::limits::MAX_FEED_AGE_MS)
}

/// Benchmark feeder `index`'s account.
pub fn feeder<T: Config>(index: u32) -> T::AccountId {
	T::BenchmarkHelper::feeder(index)
}

fn config<T: Config>() -> AssetConfig {
	AssetConfig {
		min_feeders: crate::limits::MIN_FEEDERS,
		max_age_ms: max_age::<T>(),
		max_move: Permill::from_percent(10),
		ema_period_ms: 180_000,
		fast_path_quorum: crate::limits::MIN_FAST_PATH_QUORUM,
		agreement_band: Permill::from_percent(2),
		hold_ms: 30_000,
	}
}

/// Block `block` at `START_MS + block * BLOCK_MS`.
fn set_block<T: Config>(block: u32) {
	frame_system::Pallet::<T>::set_block_number(block.into());
	T::BenchmarkHelper::set_time(now_of(block));
}

fn now_of(block: u32) -> Millis {
	START_MS.saturating_add(Millis::from(block).saturating_mul(BLOCK_MS))
}

fn now<T: Config>() -> BlockNumberFor<T> {
	frame_system::Pallet::<T>::block_number()
}

/// Feeder `index`'s price: `level` plus up to 0.04, so that values differ a little but agree
/// within the band.
fn price_of(level: u32, index: u32) -> Price {
	Price::from_u32(level).saturating_add(Price::from_rational((index % 5).into(), 100))
}

fn add_feeders<T: Config>(count: u32) -> Result<(), BenchmarkError> {
	for index in 0..count {
		OracleAggregator::<T>::insert_feeder(feeder::<T>(index))
			.map_err(|_| BenchmarkError::Stop("cannot add a feeder"))?;
	}
	Ok(())
}

fn register_assets<T: Config>(count: u32) -> Result<(), BenchmarkError> {
	for asset in 0..count {
		OracleAggregator::<T>::genesis_asset(asset, config::<T>())
			.map_err(|_| BenchmarkError::Stop("cannot register an asset"))?;
	}
	Ok(())
}

fn batch_of<T: Config>(
	level: u32,
	index: u32,
	assets: &[OracleAssetId],
	observed_at: Millis,
) -> Result<FeedBatch<T>, BenchmarkError> {
	let observations: Vec<Observation> =
		assets.iter().map(|asset| (*asset, price_of(level, index), observed_at)).collect();
	observations.try_into().map_err(|_| BenchmarkError::Stop("batch above MaxBatch"))
}

/// The slot of benchmark feeder `index`.
fn slot_of<T: Config>(index: u32) -> Result<FeederSlot, BenchmarkError> {
	Feeders::<T>::get(feeder::<T>(index))
		.map(|info| info.slot)
		.ok_or(BenchmarkError::Stop("not a feeder"))
}

/// Puts every asset in `0..count` in the state before the worst-case feed at `block`: a live
/// aggregate at 100 from long ago, and a full vector of values in which feeders `1..f` have
/// moved to 150 (fresh, held: too few to agree yet) and every other value (feeder 0's
/// included) has aged out.
fn held_before_the_fast_path<T: Config>(
	count: u32,
	f: u32,
	block: u32,
) -> Result<(), BenchmarkError> {
	let max_feeders = T::MaxFeeders::get();
	let now_ms = now_of(block);
	let long_ago = now_ms.saturating_sub(max_age::<T>()).saturating_sub(1);
	let mut feeds: Vec<RawFeed> = Vec::new();
	for index in 0..max_feeders {
		let (price, observed_at) = if index >= 1 && index < f {
			(price_of(150, index), now_ms.saturating_sub(1))
		} else {
			(price_of(100, index), long_ago)
		};
		feeds.push(RawFeed { slot: slot_of::<T>(index)?, price, observed_at });
	}
	let feeds: BoundedVec<RawFeed, T::MaxFeeders> =
		feeds.try_into().map_err(|_| BenchmarkError::Stop("more values than MaxFeeders"))?;
	let hundred = Price::from_u32(100);
	for asset in 0..count {
		Assets::<T>::try_mutate(asset, |maybe_state| -> Result<(), BenchmarkError> {
			let state = maybe_state.as_mut().ok_or(BenchmarkError::Stop("asset missing"))?;
			state.feeds = feeds.clone();
			state.stale = false;
			state.aggregate = Some(Aggregate {
				price: hundred,
				ema: hundred,
				confidence: Permill::zero(),
				low: hundred,
				high: hundred,
				sources: max_feeders,
				oldest: long_ago,
				updated_at: 1u32.into(),
				updated_at_ms: long_ago,
				reference: Some(hundred),
			});
			state.hold =
				Some(Hold { candidate: Price::from_u32(150), since: now_ms.saturating_sub(1) });
			Ok(())
		})?;
	}
	Ok(())
}

/// Checks that the measured feed took the fast path over `f` values in every asset.
pub fn assert_fast_path<T: Config>(assets: &[OracleAssetId], f: u32) -> Result<(), BenchmarkError> {
	for asset in assets {
		let state = Assets::<T>::get(asset).ok_or(BenchmarkError::Stop("asset gone"))?;
		let aggregate = state.aggregate.ok_or(BenchmarkError::Stop("no aggregate"))?;
		assert_eq!(aggregate.sources, f);
		assert_eq!(aggregate.updated_at, now::<T>());
		assert!(aggregate.price >= Price::from_u32(150));
		assert!(state.hold.is_none());
	}
	Ok(())
}

/// The worst-case setup of `feed` and `submit_feed`; returns the assets and the caller's
/// batch.
pub fn worst_case_feed<T: Config>(
	f: u32,
	a: u32,
) -> Result<(Vec<OracleAssetId>, FeedBatch<T>), BenchmarkError> {
	add_feeders::<T>(T::MaxFeeders::get())?;
	register_assets::<T>(a)?;
	let block = 100;
	held_before_the_fast_path::<T>(a, f, block)?;
	set_block::<T>(block);
	let assets: Vec<OracleAssetId> = (0..a).collect();
	let batch = batch_of::<T>(150, 0, &assets, now_of(block))?;
	Ok((assets, batch))
}

/// For other pallets' benchmarks: `asset` (registered with `config` if it is not) serves
/// `price` as a live aggregate of `config.min_feeders` values observed now, with its EMA at
/// the price, no hold and no freeze. Nothing is fed: the feeders' stored values are left as
/// they are, so this is for benchmarks only.
pub fn serve_live_price<T: Config>(
	asset: OracleAssetId,
	price: Price,
	config: AssetConfig,
) -> Result<(), BenchmarkError> {
	if !Assets::<T>::contains_key(asset) {
		OracleAggregator::<T>::genesis_asset(asset, config)
			.map_err(|_| BenchmarkError::Stop("cannot register the asset"))?;
	}
	let now_ms = OracleAggregator::<T>::now_ms();
	Assets::<T>::try_mutate(asset, |maybe_state| -> Result<(), BenchmarkError> {
		let state = maybe_state.as_mut().ok_or(BenchmarkError::Stop("asset missing"))?;
		state.stale = false;
		state.hold = None;
		state.frozen = None;
		state.aggregate = Some(Aggregate {
			price,
			ema: price,
			confidence: Permill::zero(),
			low: price,
			high: price,
			sources: state.config.min_feeders,
			oldest: now_ms,
			updated_at: now::<T>(),
			updated_at_ms: now_ms,
			reference: Some(price),
		});
		Ok(())
	})
}

/// `count` assets whose stored vectors are full and live: every feeder fed each of them, one
/// block per `MaxBatch` assets. Returns the last block used.
fn assets_fed_by_everyone<T: Config>(count: u32) -> Result<u32, BenchmarkError> {
	add_feeders::<T>(T::MaxFeeders::get())?;
	register_assets::<T>(count)?;
	let assets: Vec<OracleAssetId> = (0..count).collect();
	let mut block = 1;
	for chunk in assets.chunks(T::MaxBatch::get() as usize) {
		set_block::<T>(block);
		for index in 0..T::MaxFeeders::get() {
			let batch = batch_of::<T>(100, index, chunk, now_of(block))?;
			OracleAggregator::<T>::do_feed(feeder::<T>(index), batch, None)
				.map_err(|_| BenchmarkError::Stop("setup feed failed"))?;
		}
		block = block.saturating_add(1);
	}
	Ok(block.saturating_sub(1))
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn feed(
		f: Linear<3, { T::MaxFeeders::get() }>,
		a: Linear<1, { T::MaxBatch::get() }>,
	) -> Result<(), BenchmarkError> {
		let (assets, batch) = worst_case_feed::<T>(f, a)?;

		#[extrinsic_call]
		_(RawOrigin::Signed(feeder::<T>(0)), batch);

		assert_fast_path::<T>(&assets, f)
	}

	#[benchmark]
	fn submit_feed(
		f: Linear<3, { T::MaxFeeders::get() }>,
		a: Linear<1, { T::MaxBatch::get() }>,
	) -> Result<(), BenchmarkError> {
		let (assets, batch) = worst_case_feed::<T>(f, a)?;
		let signed = SignedFeed::<T> { feeder: feeder::<T>(0), round: now::<T>(), batch };
		let genesis = frame_system::Pallet::<T>::block_hash(BlockNumberFor::<T>::zero());
		let signature = T::BenchmarkHelper::sign(0, &signed.signing_payload(&genesis));

		#[extrinsic_call]
		_(RawOrigin::Authorized, signed, signature);

		assert_fast_path::<T>(&assets, f)
	}

	/// Validating a `submit_feed` of `a` assets: membership, round, signature, and every
	/// check of the batch with each asset read.
	#[benchmark]
	fn authorize_submit_feed(a: Linear<1, { T::MaxBatch::get() }>) -> Result<(), BenchmarkError> {
		let (_, batch) = worst_case_feed::<T>(T::MaxFeeders::get(), a)?;
		let signed = SignedFeed::<T> { feeder: feeder::<T>(0), round: now::<T>(), batch };
		let genesis = frame_system::Pallet::<T>::block_hash(BlockNumberFor::<T>::zero());
		let signature = T::BenchmarkHelper::sign(0, &signed.signing_payload(&genesis));
		let call = Call::<T>::submit_feed { feed: signed, signature };

		#[block]
		{
			call.authorize(TransactionSource::External)
				.ok_or(BenchmarkError::Stop("submit_feed gives no authorization"))?
				.map_err(|_| BenchmarkError::Stop("feed not authorized"))?;
		}

		Ok(())
	}

	#[benchmark]
	fn register_asset() -> Result<(), BenchmarkError> {
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let existing = T::MaxAssets::get().saturating_sub(1);
		register_assets::<T>(existing)?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, existing, config::<T>());

		assert!(Assets::<T>::contains_key(existing));
		assert_eq!(ParamChangedAt::<T>::get(ParamKey::AssetConfig(existing)), Some(now::<T>()));
		Ok(())
	}

	#[benchmark]
	fn update_asset_config() -> Result<(), BenchmarkError> {
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		assets_fed_by_everyone::<T>(1)?;
		let new_config =
			AssetConfig { max_age_ms: max_age::<T>().saturating_add(1), ..config::<T>() };
		// A change on record: the interval is read and the record replaced.
		ParamChangedAt::<T>::insert(ParamKey::AssetConfig(0), BlockNumberFor::<T>::zero());

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, 0, new_config);

		assert_eq!(Assets::<T>::get(0).map(|state| state.config), Some(new_config));
		assert_eq!(ParamChangedAt::<T>::get(ParamKey::AssetConfig(0)), Some(now::<T>()));
		Ok(())
	}

	#[benchmark]
	fn remove_asset() -> Result<(), BenchmarkError> {
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		assets_fed_by_everyone::<T>(1)?;
		// Both records present: read, and both removed.
		ParamChangedAt::<T>::insert(ParamKey::AssetConfig(0), BlockNumberFor::<T>::zero());
		ParamChangedAt::<T>::insert(ParamKey::Freeze(0), BlockNumberFor::<T>::zero());

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, 0);

		assert!(!Assets::<T>::contains_key(0));
		assert_eq!(ParamChangedAt::<T>::iter().count(), 0);
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
		assert_eq!(ParamChangedAt::<T>::get(ParamKey::Freeze(0)), Some(now::<T>()));
		Ok(())
	}

	#[benchmark]
	fn unfreeze_price() -> Result<(), BenchmarkError> {
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		assets_fed_by_everyone::<T>(1)?;
		OracleAggregator::<T>::do_freeze_price(Authority::Root, 0, None)
			.map_err(|_| BenchmarkError::Stop("cannot freeze"))?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, 0);

		assert!(Assets::<T>::get(0).is_some_and(|state| state.frozen.is_none()));
		assert_eq!(ParamChangedAt::<T>::get(ParamKey::Freeze(0)), Some(now::<T>()));
		Ok(())
	}

	/// The idle pass over `n` assets, each due: half of its `MaxFeeders` values aged out and
	/// its freeze expired; it is recomputed over the other half.
	#[benchmark]
	fn on_idle_pass(n: Linear<0, { T::MaxIdleChecks::get() }>) -> Result<(), BenchmarkError> {
		let max_feeders = T::MaxFeeders::get();
		add_feeders::<T>(max_feeders)?;
		register_assets::<T>(n)?;
		let assets: Vec<OracleAssetId> = (0..n).collect();
		let half = max_feeders / 2;
		let age = max_age::<T>();
		// The pass runs at `now_ms`: the freezes set at `now_ms - MaxFreezeDuration` have just
		// expired, the first half of the feeders observed just over `max_age` ago, the other
		// half just now.
		let freeze = T::MaxFreezeDuration::get();
		let now_ms =
			START_MS.saturating_add(freeze.max(age.saturating_add(1))).saturating_add(BLOCK_MS);
		let frozen_at = now_ms.saturating_sub(freeze);
		let (aged, fresh) =
			(now_ms.saturating_sub(age).saturating_sub(1), now_ms.saturating_sub(1));
		let freeze_all = || -> Result<(), BenchmarkError> {
			T::BenchmarkHelper::set_time(frozen_at);
			for asset in &assets {
				OracleAggregator::<T>::do_freeze_price(
					Authority::Root,
					*asset,
					Some(Price::from_u32(100)),
				)
				.map_err(|_| BenchmarkError::Stop("cannot freeze"))?;
			}
			Ok(())
		};
		// One block per chunk of `MaxBatch` assets and half (a feeder feeds once per block),
		// in the order of time.
		let mut block = 1u32;
		let mut feed_half = |range: core::ops::Range<u32>, observed_at: Millis| {
			for chunk in assets.chunks(T::MaxBatch::get() as usize) {
				frame_system::Pallet::<T>::set_block_number(block.into());
				T::BenchmarkHelper::set_time(observed_at);
				for index in range.clone() {
					let batch = batch_of::<T>(100, index, chunk, observed_at)?;
					OracleAggregator::<T>::do_feed(feeder::<T>(index), batch, None)
						.map_err(|_| BenchmarkError::Stop("setup feed failed"))?;
				}
				block = block.saturating_add(1);
			}
			Ok::<(), BenchmarkError>(())
		};
		if frozen_at <= aged {
			freeze_all()?;
			feed_half(0..half, aged)?;
		} else {
			feed_half(0..half, aged)?;
			freeze_all()?;
		}
		feed_half(half..max_feeders, fresh)?;
		frame_system::Pallet::<T>::set_block_number(block.into());
		T::BenchmarkHelper::set_time(now_ms);
		let block = now::<T>();
		for asset in &assets {
			let state = Assets::<T>::get(asset).ok_or(BenchmarkError::Stop("asset gone"))?;
			assert!(OracleAggregator::<T>::needs_refresh(&state, now_ms));
		}

		#[block]
		{
			OracleAggregator::<T>::on_idle(block, Weight::MAX);
		}

		for asset in assets {
			let state = Assets::<T>::get(asset).ok_or(BenchmarkError::Stop("asset gone"))?;
			assert!(!OracleAggregator::<T>::needs_refresh(&state, now_ms));
			assert!(state.frozen.is_none() && !state.stale);
			assert_eq!(state.feeds.len() as u32, max_feeders.saturating_sub(half));
		}
		Ok(())
	}

	impl_benchmark_test_suite!(
		OracleAggregator,
		crate::mock::ExtBuilder::default().build(),
		crate::mock::Test
	);
}
