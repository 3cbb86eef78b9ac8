//! Reading prices: the `PriceProvider` implementation other pallets use, and the helpers
//! behind the runtime API.

use crate::{
	refresh_impls::is_fresh, utility_impls::len_u32, AssetPriceStatus, AssetState, Assets, Config,
	Pallet, PriceStatus,
};
use alloc::vec::Vec;
use backstop_primitives::{OracleAssetId, PriceInfo, PriceProvider, PriceUnavailable};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_arithmetic::Permill;
use sp_runtime::traits::Saturating;

impl<T: Config> Pallet<T> {
	/// What a consumer gets for `state` at block `now`.
	///
	/// In order: a frozen price is served (flagged `frozen`, with the EMA equal to it and
	/// zero dispersion); an asset never priced has `NoPrice`; a stale asset is `Stale`; a
	/// held jump is `CircuitBreakerHeld`; and the aggregate is `Stale` too if it came from
	/// fewer values than `min_feeders` or if the oldest value it came from has aged out, even
	/// when no feed or idle pass has noticed yet.
	pub fn evaluate(
		state: &AssetState<T>,
		now: BlockNumberFor<T>,
	) -> Result<PriceInfo<BlockNumberFor<T>>, PriceUnavailable> {
		if let Some(frozen) = state.frozen {
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
			|| !is_fresh::<T>(aggregate.oldest, now, state.config.max_age)
		{
			return Err(PriceUnavailable::Stale);
		}
		Ok(PriceInfo {
			price: aggregate.price,
			ema: aggregate.ema,
			confidence: aggregate.confidence,
			updated_at: aggregate.updated_at,
			frozen: false,
		})
	}

	/// The runtime API record of `asset`, or `None` if it is not registered.
	pub fn price_status(asset: OracleAssetId) -> Option<AssetPriceStatus<BlockNumberFor<T>>> {
		let state = Assets::<T>::get(asset)?;
		Some(Self::status_of(asset, &state, frame_system::Pallet::<T>::block_number()))
	}

	/// The runtime API records of every registered asset (at most `MaxAssets`), ordered by
	/// asset id.
	pub fn all_price_statuses() -> Vec<AssetPriceStatus<BlockNumberFor<T>>> {
		let now = frame_system::Pallet::<T>::block_number();
		let mut statuses: Vec<_> =
			Assets::<T>::iter().map(|(asset, state)| Self::status_of(asset, &state, now)).collect();
		statuses.sort_unstable_by_key(|status| status.asset);
		statuses
	}

	fn status_of(
		asset: OracleAssetId,
		state: &AssetState<T>,
		now: BlockNumberFor<T>,
	) -> AssetPriceStatus<BlockNumberFor<T>> {
		let usable = Self::evaluate(state, now);
		let status = match usable {
			Ok(info) if info.frozen => PriceStatus::Frozen,
			Ok(_) => PriceStatus::Live,
			Err(PriceUnavailable::Stale) => PriceStatus::Stale,
			Err(PriceUnavailable::CircuitBreakerHeld) => PriceStatus::Held,
			Err(PriceUnavailable::NoPrice) | Err(PriceUnavailable::UnknownAsset) => {
				PriceStatus::NoPrice
			},
		};
		let info = usable.ok().or_else(|| {
			state.aggregate.map(|aggregate| PriceInfo {
				price: aggregate.price,
				ema: aggregate.ema,
				confidence: aggregate.confidence,
				updated_at: aggregate.updated_at,
				frozen: false,
			})
		});
		let config = &state.config;
		AssetPriceStatus {
			asset,
			status,
			info,
			age: info.map(|info| now.saturating_sub(info.updated_at)),
			fresh_feeds: len_u32(
				state
					.feeds
					.iter()
					.filter(|feed| is_fresh::<T>(feed.at, now, config.max_age))
					.count(),
			),
			min_feeders: config.min_feeders,
			held_price: state.hold.map(|hold| hold.candidate),
		}
	}
}

impl<T: Config> PriceProvider<BlockNumberFor<T>> for Pallet<T> {
	fn price(asset: OracleAssetId) -> Result<PriceInfo<BlockNumberFor<T>>, PriceUnavailable> {
		let state = Assets::<T>::get(asset).ok_or(PriceUnavailable::UnknownAsset)?;
		Self::evaluate(&state, frame_system::Pallet::<T>::block_number())
	}
}
