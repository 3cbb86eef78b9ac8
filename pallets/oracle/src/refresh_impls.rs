//! Recomputing an asset's aggregate: freshness, the median, the circuit breaker with its
//! fast path, the EMA, freeze expiry and the staleness transitions; and the idle pass that
//! recomputes assets nobody fed.

use crate::{
	aggregation::{self, Summary},
	utility_impls::len_u32,
	weights::WeightInfo,
	Aggregate, AssetConfig, AssetState, Assets, Config, Event, Hold, IdleCursor, Millis, Pallet,
};
use alloc::vec::Vec;
use backstop_primitives::{OracleAssetId, Price};
use frame_support::{pallet_prelude::Get, weights::Weight};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::traits::Zero;

/// Whether a value observed at `observed_at` is still fresh at `now_ms`.
pub(crate) fn is_fresh(observed_at: Millis, now_ms: Millis, max_age_ms: Millis) -> bool {
	now_ms.saturating_sub(observed_at) <= max_age_ms
}

/// Why an asset is recomputed.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Trigger {
	/// A feeder fed the asset: every rule of the breaker applies.
	Feed,
	/// Upkeep without a new value (the idle pass, a removed feeder): staleness, moves within
	/// `max_move` and the start or release of a hold, but neither the fast path nor a
	/// confirmation. A move beyond `max_move` is only ever accepted on a new feed.
	Upkeep,
}

/// What the breaker decides about a new median.
enum Verdict {
	/// Within `max_move` of `reference` (or the asset's first aggregate): take it.
	Accept { reference: Option<Price> },
	/// Beyond `max_move`, but a supermajority of the fresh values agree on it: take it.
	FastPath { reference: Price, agreeing: u32 },
	/// Beyond `max_move`, no supermajority, and the pending hold has lasted `hold_ms`: take it.
	Confirm { held_since: Millis },
	/// Beyond `max_move`, a hold is pending and not due (or this is upkeep): keep holding.
	KeepHolding,
	/// Beyond `max_move` and no hold yet: start holding.
	Hold { reference: Price },
}

impl<T: Config> Pallet<T> {
	/// Recomputes `asset` at block `now` (timestamp `now_ms`) from its stored feeds.
	///
	/// An expired freeze is lifted. Values that have aged out are dropped for good. With
	/// fewer fresh values than `min_feeders` the asset becomes stale (any hold is released);
	/// otherwise their median goes through the circuit breaker and, if accepted, becomes the
	/// aggregate with its confidence and EMA. Emits the events of every transition. The caller
	/// writes `state` back. Returns the number of fresh values.
	pub(crate) fn refresh(
		asset: OracleAssetId,
		state: &mut AssetState<T>,
		now: BlockNumberFor<T>,
		now_ms: Millis,
		trigger: Trigger,
	) -> u32 {
		if state.frozen.is_some_and(|frozen| !frozen.is_active(now_ms)) {
			state.frozen = None;
			Self::deposit_event(Event::FreezeExpired { asset });
		}

		let config = state.config;
		state.feeds.retain(|feed| is_fresh(feed.observed_at, now_ms, config.max_age_ms));
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
		// `fresh >= min_feeders >= 3`, so there is a summary; `values` is now sorted.
		let Some(summary) = aggregation::summarise(&mut values) else { return fresh };
		let oldest = state.feeds.iter().map(|feed| feed.observed_at).min().unwrap_or(now_ms);

		// The breaker's reference in this block, and the EMA brought forward to now with the
		// previous spot in force since it was accepted.
		let (reference, ema) = match state.aggregate {
			None => (None, summary.median),
			Some(aggregate) => (
				if aggregate.updated_at == now {
					aggregate.reference
				} else {
					Some(aggregate.price)
				},
				aggregation::ema_carried(
					aggregate.ema,
					aggregate.price,
					now_ms.saturating_sub(aggregate.updated_at_ms),
					config.ema_period_ms,
				),
			),
		};
		let accepted = |reference: Option<Price>| Aggregate {
			price: summary.median,
			ema,
			confidence: summary.confidence,
			low: summary.low,
			high: summary.high,
			sources: fresh,
			oldest,
			updated_at: now,
			updated_at_ms: now_ms,
			reference,
		};

		let verdict =
			Self::judge(&config, state.hold, reference, &summary, &values, now_ms, trigger);
		match verdict {
			Verdict::Accept { reference } => {
				if let Some(hold) = state.hold.take() {
					Self::deposit_event(Event::HoldReleased { asset, candidate: hold.candidate });
				}
				state.aggregate = Some(accepted(reference));
			},
			Verdict::FastPath { reference, agreeing } => {
				state.hold = None;
				// The rest of this block measures moves from the accepted level.
				state.aggregate = Some(accepted(Some(summary.median)));
				Self::deposit_event(Event::MoveAccepted {
					asset,
					reference,
					price: summary.median,
					agreeing,
					fresh,
				});
			},
			Verdict::Confirm { held_since } => {
				state.hold = None;
				state.aggregate = Some(accepted(Some(summary.median)));
				Self::deposit_event(Event::PriceConfirmed {
					asset,
					price: summary.median,
					held_since,
				});
			},
			Verdict::KeepHolding => {
				if trigger == Trigger::Feed {
					if let Some(hold) = state.hold.as_mut() {
						hold.candidate = summary.median;
					}
				}
			},
			Verdict::Hold { reference } => {
				state.hold = Some(Hold { candidate: summary.median, since: now_ms });
				Self::deposit_event(Event::PriceHeld {
					asset,
					reference,
					candidate: summary.median,
				});
			},
		}
		fresh
	}

	/// The circuit breaker.
	///
	/// A median within `max_move` of the block's reference is accepted (a pending hold is
	/// released); so is the asset's first median. Beyond it, on a new feed only: if a
	/// supermajority (`fast_path_quorum`, at least two thirds) of the fresh values agree
	/// within `agreement_band`, the move is real and accepted at once (fast path); otherwise,
	/// if the pending hold started at least `hold_ms` ago, the median is accepted
	/// (confirmation). Any other median keeps or starts a hold.
	fn judge(
		config: &AssetConfig,
		hold: Option<Hold>,
		reference: Option<Price>,
		summary: &Summary,
		sorted: &[u128],
		now_ms: Millis,
		trigger: Trigger,
	) -> Verdict {
		let Some(reference) = reference else { return Verdict::Accept { reference: None } };
		if aggregation::within_band(summary.median, reference, config.max_move) {
			return Verdict::Accept { reference: Some(reference) };
		}
		if trigger == Trigger::Feed {
			let agreeing = aggregation::largest_agreeing(
				sorted,
				summary.median.into_inner(),
				config.agreement_band,
			);
			if aggregation::is_supermajority(
				agreeing,
				len_u32(sorted.len()),
				config.fast_path_quorum,
			) {
				return Verdict::FastPath { reference, agreeing };
			}
			if let Some(hold) = hold {
				if now_ms.saturating_sub(hold.since) >= config.hold_ms {
					return Verdict::Confirm { held_since: hold.since };
				}
			}
		}
		match hold {
			Some(_) => Verdict::KeepHolding,
			None => Verdict::Hold { reference },
		}
	}

	/// Whether upkeep would change `state` at `now_ms` without a new feed: its freeze expired,
	/// a stored value aged out or `min_feeders` was raised (live asset), or enough fresh
	/// values for a lowered `min_feeders` (stale asset). A due hold is not a reason: holds are
	/// confirmed only by new feeds.
	pub(crate) fn needs_refresh(state: &AssetState<T>, now_ms: Millis) -> bool {
		let config = &state.config;
		let freeze_expired = state.frozen.is_some_and(|frozen| !frozen.is_active(now_ms));
		if state.stale {
			// A lowered `min_feeders` can revive a stale asset without a new feed.
			let fresh = state
				.feeds
				.iter()
				.filter(|feed| is_fresh(feed.observed_at, now_ms, config.max_age_ms));
			return freeze_expired || len_u32(fresh.count()) >= config.min_feeders;
		}
		let aged_out =
			state.feeds.iter().any(|feed| !is_fresh(feed.observed_at, now_ms, config.max_age_ms));
		let too_few =
			state.aggregate.is_some_and(|aggregate| aggregate.sources < config.min_feeders);
		freeze_expired || aged_out || too_few
	}

	/// The idle pass: examines up to `MaxIdleChecks` assets (as many as the spare weight
	/// allows), continuing after the asset the previous pass stopped at, and recomputes
	/// those that [`Self::needs_refresh`] (as upkeep). Keeps staleness events and freeze
	/// expiry up to date for assets nobody is feeding. Consumers do not depend on it: the
	/// provider checks freshness and freeze expiry itself.
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

		let now_ms = Self::now_ms();
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
				if Self::needs_refresh(&state, now_ms) {
					due.push((asset, state));
				}
			}
		}
		match last {
			Some(asset) => IdleCursor::<T>::put(asset),
			None => IdleCursor::<T>::kill(),
		}
		for (asset, mut state) in due {
			Self::refresh(asset, &mut state, now, now_ms, Trigger::Upkeep);
			Assets::<T>::insert(asset, state);
		}
		T::WeightInfo::on_idle_pass(examined)
	}
}
