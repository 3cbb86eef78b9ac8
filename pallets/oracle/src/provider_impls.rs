//! Reading prices: the `PriceProvider` implementation other pallets use, and the helpers
//! behind the runtime API.

use crate::{
	aggregation, refresh_impls::is_fresh, utility_impls::len_u32, Aggregate, AssetPriceStatus,
	AssetState, Assets, Config, Millis, Pallet, PriceStatus,
};
use alloc::vec::Vec;
use backstop_primitives::{OracleAssetId, Price, PriceInfo, PriceProvider, PriceUnavailable};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_arithmetic::Permill;
use sp_runtime::traits::Saturating;

impl<T: Config> Pallet<T> {
	/// What a consumer gets for `state` at timestamp `now_ms`.
	///
	/// In order: a frozen price whose freeze has not expired is served (flagged `frozen`,
	/// with the EMA equal to it and zero dispersion); an asset never priced has `NoPrice`; a
	/// stale asset is `Stale`; a held move is `CircuitBreakerHeld`; and the aggregate is
	/// `Stale` too if it came from fewer values than `min_feeders` or if the oldest value it
	/// came from has aged out, even when no feed or idle pass has noticed yet. The EMA is
	/// brought forward to `now_ms`.
	pub fn evaluate(
		state: &AssetState<T>,
		now_ms: Millis,
	) -> Result<PriceInfo<BlockNumberFor<T>>, PriceUnavailable> {
		if let Some(frozen) = state.frozen.filter(|frozen| frozen.is_active(now_ms)) {
			return Ok(PriceInfo {
				price: frozen.price,
				ema: frozen.price,
				confidence: Permill::zero(),
				updated_at: frozen.at,
				frozen: true,
			});
		}
		let aggregate = state.aggregate.ok_or(PriceUnavailable::NoPrice)?;
		if state.stale {
			return Err(PriceUnavailable::Stale);
		}
		if state.hold.is_some() {
			return Err(PriceUnavailable::CircuitBreakerHeld);
		}
		if aggregate.sources < state.config.min_feeders
			|| !is_fresh(aggregate.oldest, now_ms, state.config.max_age_ms)
		{
			return Err(PriceUnavailable::Stale);
		}
		Ok(Self::info_of(&aggregate, state, now_ms))
	}

	/// The EMA of `aggregate` at `now_ms`: its stored EMA brought forward with its price in
	/// force since it was computed.
	pub(crate) fn ema_at(
		aggregate: &Aggregate<BlockNumberFor<T>>,
		period_ms: Millis,
		now_ms: Millis,
	) -> Price {
		aggregation::ema_carried(
			aggregate.ema,
			aggregate.price,
			now_ms.saturating_sub(aggregate.updated_at_ms),
			period_ms,
		)
	}

	fn info_of(
		aggregate: &Aggregate<BlockNumberFor<T>>,
		state: &AssetState<T>,
		now_ms: Millis,
	) -> PriceInfo<BlockNumberFor<T>> {
		PriceInfo {
			price: aggregate.price,
			ema: Self::ema_at(aggregate, state.config.ema_period_ms, now_ms),
			confidence: aggregate.confidence,
			updated_at: aggregate.updated_at,
			frozen: false,
		}
	}

	/// The runtime API record of `asset`, or `None` if it is not registered.
	pub fn price_status(asset: OracleAssetId) -> Option<AssetPriceStatus<BlockNumberFor<T>>> {
		let state = Assets::<T>::get(asset)?;
		Some(Self::status_of(
			asset,
			&state,
			frame_system::Pallet::<T>::block_number(),
			Self::now_ms(),
		))
	}

	/// The runtime API records of every registered asset (at most `MaxAssets`), ordered by
	/// asset id.
	pub fn all_price_statuses() -> Vec<AssetPriceStatus<BlockNumberFor<T>>> {
		let now = frame_system::Pallet::<T>::block_number();
		let now_ms = Self::now_ms();
		let mut statuses: Vec<_> = Assets::<T>::iter()
			.map(|(asset, state)| Self::status_of(asset, &state, now, now_ms))
			.collect();
		statuses.sort_unstable_by_key(|status| status.asset);
		statuses
	}

	fn status_of(
		asset: OracleAssetId,
		state: &AssetState<T>,
		now: BlockNumberFor<T>,
		now_ms: Millis,
	) -> AssetPriceStatus<BlockNumberFor<T>> {
		let usable = Self::evaluate(state, now_ms);
		let status = match usable {
			Ok(info) if info.frozen => PriceStatus::Frozen,
			Ok(_) => PriceStatus::Live,
			Err(PriceUnavailable::Stale) => PriceStatus::Stale,
			Err(PriceUnavailable::CircuitBreakerHeld) => PriceStatus::Held,
			Err(PriceUnavailable::NoPrice) | Err(PriceUnavailable::UnknownAsset) => {
				PriceStatus::NoPrice
			},
		};
		let active_freeze = state.frozen.filter(|frozen| frozen.is_active(now_ms));
		let info = usable
			.ok()
			.or_else(|| state.aggregate.map(|aggregate| Self::info_of(&aggregate, state, now_ms)));
		let computed_at_ms = match (active_freeze, state.aggregate) {
			(Some(frozen), _) => Some(frozen.at_ms),
			(None, Some(aggregate)) => Some(aggregate.updated_at_ms),
			(None, None) => None,
		};
		let config = &state.config;
		AssetPriceStatus {
			asset,
			status,
			info,
			age: info.map(|info| now.saturating_sub(info.updated_at)),
			age_ms: computed_at_ms.map(|at| now_ms.saturating_sub(at)),
			stale_at_ms: state
				.aggregate
				.map(|aggregate| aggregate.oldest.saturating_add(config.max_age_ms)),
			fresh_feeds: len_u32(
				state
					.feeds
					.iter()
					.filter(|feed| is_fresh(feed.observed_at, now_ms, config.max_age_ms))
					.count(),
			),
			min_feeders: config.min_feeders,
			held_price: state.hold.map(|hold| hold.candidate),
			held_since_ms: state.hold.map(|hold| hold.since),
			frozen_until_ms: active_freeze.map(|frozen| frozen.until),
		}
	}
}

impl<T: Config> PriceProvider<BlockNumberFor<T>> for Pallet<T> {
	fn price(asset: OracleAssetId) -> Result<PriceInfo<BlockNumberFor<T>>, PriceUnavailable> {
		let state = Assets::<T>::get(asset).ok_or(PriceUnavailable::UnknownAsset)?;
		Self::evaluate(&state, Self::now_ms())
	}
}
