//! Helpers shared by the calls, genesis and the hooks: the clock, input validation, genesis
//! building and the constants' checks.

use crate::{limits, AssetConfig, Config, Error, FeederSlot, Millis, Pallet};
use backstop_primitives::{OracleAssetId, Price};
use frame_support::{ensure, pallet_prelude::Get, traits::Time};
use sp_runtime::traits::Zero;

/// A length that is bounded by a `u32` constant, as a `u32`.
pub(crate) fn len_u32(len: usize) -> u32 {
	u32::try_from(len).unwrap_or(u32::MAX)
}

impl<T: Config> Pallet<T> {
	/// The current time: the block's timestamp (ms) from `Config::Time`.
	pub(crate) fn now_ms() -> Millis {
		T::Time::now()
	}

	/// A submitted or frozen price must be non-zero and at most `MaxPrice`.
	pub(crate) fn ensure_valid_price(price: Price) -> Result<(), Error<T>> {
		ensure!(!price.is_zero(), Error::<T>::ZeroPrice);
		ensure!(price <= T::MaxPrice::get(), Error::<T>::PriceTooHigh);
		Ok(())
	}

	/// Checks every setting against its hard bounds.
	pub(crate) fn ensure_valid_config(config: &AssetConfig) -> Result<(), Error<T>> {
		ensure!(config.min_feeders >= limits::MIN_FEEDERS, Error::<T>::MinFeedersTooLow);
		ensure!(config.min_feeders <= T::MaxFeeders::get(), Error::<T>::InvalidMinFeeders);
		ensure!(
			config.max_age_ms > T::MaxFeedSkew::get()
				&& config.max_age_ms <= limits::MAX_FEED_AGE_MS,
			Error::<T>::InvalidMaxAge
		);
		ensure!(!config.max_move.is_zero(), Error::<T>::InvalidMaxMove);
		ensure!(
			config.ema_period_ms >= 1 && config.ema_period_ms <= limits::MAX_EMA_PERIOD_MS,
			Error::<T>::InvalidEmaPeriod
		);
		ensure!(
			config.hold_ms >= 1 && config.hold_ms <= limits::MAX_HOLD_MS,
			Error::<T>::InvalidHoldTime
		);
		ensure!(
			config.fast_path_quorum >= limits::MIN_FAST_PATH_QUORUM,
			Error::<T>::InvalidFastPathQuorum
		);
		ensure!(
			!config.agreement_band.is_zero() && config.agreement_band <= limits::MAX_AGREEMENT_BAND,
			Error::<T>::InvalidAgreementBand
		);
		Ok(())
	}

	/// Registers the genesis assets and feeders. An invalid genesis is a broken chain
	/// specification, so it stops the chain from being built.
	pub(crate) fn build_genesis(assets: &[(OracleAssetId, AssetConfig)], feeders: &[T::AccountId]) {
		for (asset, config) in assets {
			if let Err(error) = Self::genesis_asset(*asset, *config) {
				panic!("oracle aggregator genesis: asset {asset} rejected: {error:?}");
			}
		}
		for feeder in feeders {
			if let Err(error) = Self::insert_feeder(feeder.clone()) {
				panic!("oracle aggregator genesis: feeder {feeder:?} rejected: {error:?}");
			}
		}
	}

	/// Checks the runtime's constants (`integrity_test`).
	pub(crate) fn check_constants() {
		let max_feeders = T::MaxFeeders::get();
		assert!(
			max_feeders >= limits::MIN_FEEDERS,
			"MaxFeeders must be at least 3 (the smallest min_feeders)"
		);
		assert!(
			max_feeders <= u32::from(FeederSlot::MAX),
			"MaxFeeders must fit the feeder slot type (u16)"
		);
		assert!(T::MaxBatch::get() >= 1, "MaxBatch must be at least 1");
		assert!(T::MaxAssets::get() >= T::MaxBatch::get(), "MaxAssets must be at least MaxBatch");
		assert!(T::MaxIdleChecks::get() >= 1, "MaxIdleChecks must be at least 1");
		let max_price = T::MaxPrice::get().into_inner();
		assert!(max_price > 0, "MaxPrice must be positive");
		assert!(max_price <= u128::MAX / 2, "MaxPrice must be at most half of FixedU128's range");
		let skew = T::MaxFeedSkew::get();
		assert!(skew >= 1, "MaxFeedSkew must be at least 1 ms");
		assert!(skew < limits::MAX_FEED_AGE_MS, "MaxFeedSkew must be below the largest max_age_ms");
		assert!(T::MaxFreezeDuration::get() >= 1, "MaxFreezeDuration must be at least 1 ms");
		assert!(T::FeedLongevity::get() >= 1, "FeedLongevity must be at least 1 block");
		assert!(T::FeedPriority::get() >= 1, "FeedPriority must be positive");
		assert!(!T::MaxParamStep::get().is_zero(), "MaxParamStep must be positive");
	}
}
