//! Recomputing an asset's aggregate: freshness, the median, the circuit breaker, the EMA and
//! the staleness transitions; and the idle pass that recomputes assets nobody fed.

use crate::{
	aggregation::{self, Summary},
	utility_impls::len_u32,
	weights::WeightInfo,
	Aggregate, AssetConfig, AssetState, Assets, BlockStart, Config, Event, Hold, IdleCursor,
	Pallet,
};
use alloc::vec::Vec;
use backstop_primitives::{OracleAssetId, Price};
use frame_support::{pallet_prelude::Get, weights::Weight};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{
	traits::{Saturating, Zero},
	SaturatedConversion,
};

/// Whether a value submitted in block `at` is still fresh in block `now`.
pub(crate) fn is_fresh<T: Config>(
	at: BlockNumberFor<T>,
	now: BlockNumberFor<T>,
	max_age: u32,
) -> bool {
	now.saturating_sub(at) <= max_age.into()
}

/// Whether a hold that started in block `since` has lasted `confirmation_blocks` by `now`.
fn hold_is_due<T: Config>(
	since: BlockNumberFor<T>,
	now: BlockNumberFor<T>,
	confirmation_blocks: u32,
) -> bool {
	now.saturating_sub(since) >= confirmation_blocks.into()
}

/// What the breaker decides about a new median.
enum Verdict {
	/// Take it; `block_start` is what later recomputations in this block start from.
	Accept { block_start: Option<BlockStart> },
	/// Take it: it confirms the pending hold. `block_start` is where this block started.
	Confirm { block_start: BlockStart },
	/// Keep holding, nothing changes.
	KeepHolding,
	/// Start holding it, measured from `reference`.
	Hold { reference: Price },
}

impl<T: Config> Pallet<T> {
	/// Recomputes `asset` at block `now` from its stored feeds.
	///
	/// Values that have aged out are dropped for good. With fewer fresh values than
	/// `min_feeders` the asset becomes stale (any hold is released); otherwise their median
	/// goes through the circuit breaker and, if accepted, becomes the aggregate with its
	/// confidence and EMA. Emits the events of every transition. The caller writes `state`
	/// back. Returns the number of fresh values.
	pub(crate) fn refresh(
		asset: OracleAssetId,
		state: &mut AssetState<T>,
		now: BlockNumberFor<T>,
	) -> u32 {
		let config = state.config;
		state.feeds.retain(|feed| is_fresh::<T>(feed.at, now, config.max_age));
		let fresh = len_u32(state.feeds.len());

		if fresh < config.min_feeders {
			if let Some(hold) = state.hold.take() {
				Self::deposit_event(Event::HoldReleased { asset, candidate: hold.candidate });
			}
			if !state.stale {
				state.stale = true;
				Self::deposit_event(Event::PriceStale {
					asset,
					fresh,
					required: config.min_feeders,
				});
			}
			return fresh;
		}
		if state.stale {
			state.stale = false;
			Self::deposit_event(Event::PriceRecovered { asset, fresh });
		}

		let mut values: Vec<u128> =
			state.feeds.iter().map(|feed| feed.price.into_inner()).collect();
		// `fresh >= min_feeders >= 1`, so there is a summary.
		let Some(summary) = aggregation::summarise(&mut values) else { return fresh };
		let oldest = state.feeds.iter().map(|feed| feed.at).min().unwrap_or(now);

		// Where this block started: the breaker's reference and the EMA brought forward.
		let block_start = match state.aggregate {
			None => None,
			Some(aggregate) if aggregate.updated_at == now => aggregate.block_start,
			Some(aggregate) => Some(BlockStart {
				reference: aggregate.price,
				ema: aggregation::ema_carried(
					aggregate.ema,
					aggregate.price,
					now.saturating_sub(aggregate.updated_at).saturated_into::<u32>(),
					config.ema_period,
				),
			}),
		};

		match Self::judge(&config, state.hold, block_start, summary.median, now) {
			Verdict::Accept { block_start } => {
				if let Some(hold) = state.hold.take() {
					Self::deposit_event(Event::HoldReleased { asset, candidate: hold.candidate });
				}
				state.aggregate =
					Some(Self::accepted(&config, &summary, block_start, fresh, oldest, now));
			},
			Verdict::Confirm { block_start } => {
				let held_since = state.hold.take().map(|hold| hold.since).unwrap_or(now);
				// The rest of this block measures moves from the confirmed level.
				let start = BlockStart { reference: summary.median, ema: block_start.ema };
				state.aggregate =
					Some(Self::accepted(&config, &summary, Some(start), fresh, oldest, now));
				Self::deposit_event(Event::PriceConfirmed {
					asset,
					price: summary.median,
					held_since,
				});
			},
			Verdict::KeepHolding => {},
			Verdict::Hold { reference } => {
				state.hold = Some(Hold { candidate: summary.median, since: now });
				Self::deposit_event(Event::PriceHeld {
					asset,
					reference,
					candidate: summary.median,
				});
			},
		}
		fresh
	}

	/// The circuit breaker ("hold until confirmed").
	///
	/// A median within `max_move` of the block's reference is accepted (a pending hold is
	/// released). A median beyond it but within `max_move` of the held level keeps the hold,
	/// and is accepted once the hold has lasted `confirmation_blocks`. Any other median
	/// starts a new hold at its own level. With no reference (the asset's first aggregate)
	/// there is nothing to compare against and the median is accepted.
	fn judge(
		config: &AssetConfig,
		hold: Option<Hold<BlockNumberFor<T>>>,
		block_start: Option<BlockStart>,
		median: Price,
		now: BlockNumberFor<T>,
	) -> Verdict {
		let Some(start) = block_start else { return Verdict::Accept { block_start: None } };
		if aggregation::within_band(median, start.reference, config.max_move) {
			return Verdict::Accept { block_start: Some(start) };
		}
		match hold {
			Some(hold) if aggregation::within_band(median, hold.candidate, config.max_move) => {
				if hold_is_due::<T>(hold.since, now, config.confirmation_blocks) {
					Verdict::Confirm { block_start: start }
				} else {
					Verdict::KeepHolding
				}
			},
			_ => Verdict::Hold { reference: start.reference },
		}
	}

	/// The aggregate made from `summary`, with its EMA advanced one step from `block_start`.
	fn accepted(
		config: &AssetConfig,
		summary: &Summary,
		block_start: Option<BlockStart>,
		sources: u32,
		oldest: BlockNumberFor<T>,
		now: BlockNumberFor<T>,
	) -> Aggregate<BlockNumberFor<T>> {
		let ema = match block_start {
			Some(start) => aggregation::ema_step(start.ema, summary.median, config.ema_period),
			None => summary.median,
		};
		Aggregate {
			price: summary.median,
			ema,
			confidence: summary.confidence,
			low: summary.low,
			high: summary.high,
			sources,
			oldest,
			updated_at: now,
			block_start,
		}
	}

	/// Whether a recomputation of `state` would change it without a new feed: a stored value
	/// aged out or `min_feeders` was raised (live asset), enough fresh values for a lowered
	/// `min_feeders` (stale asset), or a hold is due.
	pub(crate) fn needs_refresh(state: &AssetState<T>, now: BlockNumberFor<T>) -> bool {
		let config = &state.config;
		let hold_due = state
			.hold
			.is_some_and(|hold| hold_is_due::<T>(hold.since, now, config.confirmation_blocks));
		let aged_out = state.feeds.iter().any(|feed| !is_fresh::<T>(feed.at, now, config.max_age));
		if state.stale {
			// A lowered `min_feeders` can revive a stale asset without a new feed.
			let fresh =
				state.feeds.iter().filter(|feed| is_fresh::<T>(feed.at, now, config.max_age));
			return hold_due || len_u32(fresh.count()) >= config.min_feeders;
		}
		let too_few =
			state.aggregate.is_some_and(|aggregate| aggregate.sources < config.min_feeders);
		hold_due || aged_out || too_few
	}

	/// The idle pass: examines up to `MaxIdleChecks` assets (as many as the spare weight
	/// allows), continuing after the asset the previous pass stopped at, and recomputes
	/// those that [`Self::needs_refresh`]. Keeps staleness events and holds up to date for
	/// assets nobody is feeding. Consumers do not depend on it: the provider checks
	/// freshness itself.
	pub(crate) fn idle_pass(now: BlockNumberFor<T>, remaining: Weight) -> Weight {
		let base = T::WeightInfo::on_idle_pass(0);
		let per_asset = T::WeightInfo::on_idle_pass(1).saturating_sub(base);
		let mut budget = 0u32;
		let mut planned = base;
		while budget < T::MaxIdleChecks::get() {
			let next = planned.saturating_add(per_asset);
			if !remaining.all_gte(next) {
				break;
			}
			planned = next;
			budget = budget.saturating_add(1);
		}
		if budget.is_zero() {
			return Weight::zero();
		}

		let mut examined = 0u32;
		let mut last = None;
		let mut due: Vec<(OracleAssetId, AssetState<T>)> = Vec::new();
		{
			let mut entries = match IdleCursor::<T>::get() {
				Some(cursor) => Assets::<T>::iter_from(Assets::<T>::hashed_key_for(cursor)),
				None => Assets::<T>::iter(),
			};
			while examined < budget {
				let Some((asset, state)) = entries.next() else {
					// End of the map: the next pass starts from the beginning.
					last = None;
					break;
				};
				examined = examined.saturating_add(1);
				last = Some(asset);
				if Self::needs_refresh(&state, now) {
					due.push((asset, state));
				}
			}
		}
		match last {
			Some(asset) => IdleCursor::<T>::put(asset),
			None => IdleCursor::<T>::kill(),
		}
		for (asset, mut state) in due {
			Self::refresh(asset, &mut state, now);
			Assets::<T>::insert(asset, state);
		}
		T::WeightInfo::on_idle_pass(examined)
	}
}
