//! The pallet's invariants, checked by `try_state` (and after every unit test).

use crate::{
	aggregation, AssetState, Assets, Config, FeederSlot, Feeders, Millis, Pallet, ParamChangedAt,
};
use alloc::{collections::BTreeSet, vec::Vec};
use frame_support::{ensure, pallet_prelude::Get};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{traits::Zero, TryRuntimeError};

impl<T: Config> Pallet<T> {
	/// Checks every invariant:
	///
	/// * the feeder set has at most `MaxFeeders` members, its counter matches, and slots are
	///   unique and below `MaxFeeders`;
	/// * at most `MaxAssets` assets, counter matches; every asset's settings are within
	///   bounds;
	/// * each feeder's last round is not after its last feed, and neither is in the future;
	/// * each asset stores at most one value per slot, only for current feeders, all non-zero
	///   and observed no later than `now + MaxFeedSkew`;
	/// * every aggregate lies within `[low, high]` of the values it came from, `low > 0`, its
	///   EMA is positive, it came from `1..=MaxFeeders` values, it was computed no later than
	///   now (block and time) and its oldest value was observed no later than
	///   `updated_at_ms + MaxFeedSkew`;
	/// * when an asset is neither stale nor held, its stored values are exactly the ones its
	///   aggregate came from: recomputing their median, range, confidence, count and oldest
	///   observation gives the stored figures;
	/// * a hold or a non-stale asset implies an aggregate; a hold is not held while stale;
	///   held and frozen prices are non-zero, a hold did not start in the future, and a freeze
	///   was set no later than now and lasts at most `MaxFreezeDuration`;
	/// * every `ParamChangedAt` entry names a registered asset and a block no later than now
	///   (so there are at most two entries per asset).
	pub fn do_try_state() -> Result<(), TryRuntimeError> {
		let slots = Self::check_feeders()?;
		Self::check_assets(&slots)?;
		Self::check_param_changes()
	}

	fn check_param_changes() -> Result<(), TryRuntimeError> {
		let now = frame_system::Pallet::<T>::block_number();
		for (key, at) in ParamChangedAt::<T>::iter() {
			ensure!(Assets::<T>::contains_key(key.asset()), "change record of a removed asset");
			ensure!(at <= now, "parameter changed in the future");
		}
		Ok(())
	}

	fn check_feeders() -> Result<BTreeSet<FeederSlot>, TryRuntimeError> {
		let now = frame_system::Pallet::<T>::block_number();
		let max = T::MaxFeeders::get();
		let mut slots = BTreeSet::new();
		let mut members = 0u32;
		for (_, info) in Feeders::<T>::iter() {
			members = members.saturating_add(1);
			ensure!(u32::from(info.slot) < max, "feeder slot out of range");
			ensure!(slots.insert(info.slot), "two feeders share a slot");
			ensure!(info.last_fed.is_none_or(|at| at <= now), "feeder fed in the future");
			match (info.last_round, info.last_fed) {
				(None, None) => {},
				(Some(round), Some(fed)) => ensure!(round <= fed, "feeder round after its feed"),
				_ => return Err("feeder round and last feed out of step".into()),
			}
		}
		ensure!(members <= max, "more feeders than MaxFeeders");
		ensure!(members == Feeders::<T>::count(), "feeder counter out of sync");
		Ok(slots)
	}

	fn check_assets(slots: &BTreeSet<FeederSlot>) -> Result<(), TryRuntimeError> {
		let now = frame_system::Pallet::<T>::block_number();
		let now_ms = Self::now_ms();
		let mut registered = 0u32;
		for (_, state) in Assets::<T>::iter() {
			registered = registered.saturating_add(1);
			Self::check_asset(&state, slots, now, now_ms)?;
		}
		ensure!(registered <= T::MaxAssets::get(), "more assets than MaxAssets");
		ensure!(registered == Assets::<T>::count(), "asset counter out of sync");
		Ok(())
	}

	fn check_asset(
		state: &AssetState<T>,
		slots: &BTreeSet<FeederSlot>,
		now: BlockNumberFor<T>,
		now_ms: Millis,
	) -> Result<(), TryRuntimeError> {
		Self::ensure_valid_config(&state.config).map_err(|_| "asset settings out of bounds")?;
		let skew = T::MaxFeedSkew::get();

		let mut seen = BTreeSet::new();
		for feed in state.feeds.iter() {
			ensure!(seen.insert(feed.slot), "two values for one feeder slot");
			ensure!(slots.contains(&feed.slot), "value of a removed feeder");
			ensure!(!feed.price.is_zero(), "zero raw value");
			ensure!(feed.observed_at <= now_ms.saturating_add(skew), "raw value from the future");
		}

		if let Some(aggregate) = state.aggregate {
			ensure!(!aggregate.low.is_zero(), "aggregate range starts at zero");
			ensure!(
				aggregate.low <= aggregate.price && aggregate.price <= aggregate.high,
				"aggregate outside the range of its values"
			);
			ensure!(!aggregate.ema.is_zero(), "zero EMA");
			ensure!(
				aggregate.sources >= 1 && aggregate.sources <= T::MaxFeeders::get(),
				"aggregate source count out of range"
			);
			ensure!(aggregate.updated_at <= now, "aggregate from a future block");
			ensure!(aggregate.updated_at_ms <= now_ms, "aggregate from the future");
			ensure!(
				aggregate.oldest <= aggregate.updated_at_ms.saturating_add(skew),
				"aggregate rests on a value from its future"
			);
			if !state.stale && state.hold.is_none() {
				let mut values: Vec<u128> =
					state.feeds.iter().map(|feed| feed.price.into_inner()).collect();
				let summary = aggregation::summarise(&mut values)
					.ok_or("live aggregate without stored values")?;
				ensure!(
					aggregate.sources as usize == state.feeds.len(),
					"live aggregate source count differs from stored values"
				);
				ensure!(
					summary.median == aggregate.price
						&& summary.low == aggregate.low
						&& summary.high == aggregate.high
						&& summary.confidence == aggregate.confidence,
					"live aggregate is not the median of its stored values"
				);
				let oldest = state.feeds.iter().map(|feed| feed.observed_at).min();
				ensure!(oldest == Some(aggregate.oldest), "live aggregate's oldest value differs");
			}
		} else {
			ensure!(state.stale, "an asset without aggregate is not stale");
			ensure!(state.hold.is_none(), "a hold without aggregate");
		}

		if let Some(hold) = state.hold {
			ensure!(!state.stale, "a hold on a stale asset");
			ensure!(!hold.candidate.is_zero(), "zero held price");
			ensure!(hold.since <= now_ms, "hold from the future");
		}
		if let Some(frozen) = state.frozen {
			ensure!(!frozen.price.is_zero(), "zero frozen price");
			ensure!(frozen.at <= now && frozen.at_ms <= now_ms, "freeze from the future");
			ensure!(
				frozen.at_ms <= frozen.until
					&& frozen.until.saturating_sub(frozen.at_ms) <= T::MaxFreezeDuration::get(),
				"freeze longer than MaxFreezeDuration"
			);
		}
		Ok(())
	}
}
