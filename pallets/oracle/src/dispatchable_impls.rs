//! The logic behind each call. Every function validates its whole input before it writes
//! anything, so an error leaves storage untouched even outside a transactional layer.

use crate::{
	utility_impls::len_u32, weights::WeightInfo, AssetConfig, AssetState, Assets, Config, Error,
	Event, FeederInfo, FeederSlot, Feeders, Frozen, Pallet, RawFeed,
};
use alloc::vec::Vec;
use backstop_primitives::{OracleAssetId, Price};
use frame_support::{
	dispatch::{DispatchResult, DispatchResultWithPostInfo, Pays, PostDispatchInfo},
	ensure,
	pallet_prelude::Get,
	traits::Defensive,
	BoundedVec,
};

impl<T: Config> Pallet<T> {
	/// Records a feeder's batch and recomputes every asset in it.
	pub(crate) fn do_feed(
		who: T::AccountId,
		batch: BoundedVec<(OracleAssetId, Price), T::MaxBatch>,
	) -> DispatchResultWithPostInfo {
		let now = frame_system::Pallet::<T>::block_number();
		let mut feeder = Feeders::<T>::get(&who).ok_or(Error::<T>::NotFeeder)?;
		ensure!(feeder.last_fed != Some(now), Error::<T>::AlreadyFedThisBlock);
		ensure!(!batch.is_empty(), Error::<T>::EmptyBatch);

		// Validate the whole batch and load each asset once before writing anything.
		let mut loaded: Vec<(OracleAssetId, Price, AssetState<T>)> =
			Vec::with_capacity(batch.len());
		for (position, (asset, price)) in batch.iter().enumerate() {
			Self::ensure_valid_price(*price)?;
			ensure!(
				!batch.iter().take(position).any(|(earlier, _)| earlier == asset),
				Error::<T>::DuplicateAsset
			);
			let state = Assets::<T>::get(asset).ok_or(Error::<T>::UnknownAsset)?;
			loaded.push((*asset, *price, state));
		}

		let mut widest = 1u32;
		for (asset, price, mut state) in loaded {
			Self::record(&mut state, feeder.slot, price, now)?;
			widest = widest.max(len_u32(state.feeds.len()));
			Self::refresh(asset, &mut state, now);
			Assets::<T>::insert(asset, state);
		}
		feeder.last_fed = Some(now);
		Feeders::<T>::insert(&who, feeder);

		let assets = len_u32(batch.len());
		Self::deposit_event(Event::PricesFed { feeder: who, assets });
		Ok(PostDispatchInfo {
			actual_weight: Some(T::WeightInfo::feed(widest, assets)),
			pays_fee: Pays::No,
		})
	}

	/// Replaces the value of `slot` in `state` (or adds it).
	fn record(
		state: &mut AssetState<T>,
		slot: FeederSlot,
		price: Price,
		now: frame_system::pallet_prelude::BlockNumberFor<T>,
	) -> DispatchResult {
		let feed = RawFeed { slot, price, at: now };
		match state.feeds.iter_mut().find(|existing| existing.slot == slot) {
			Some(existing) => *existing = feed,
			// Slots are unique and below `MaxFeeders`, so there is always room.
			None => state.feeds.try_push(feed).map_err(|_| Error::<T>::TooManyFeeds).defensive()?,
		}
		Ok(())
	}

	/// Registers `asset`: no feeds, no price, stale until enough feeds arrive.
	pub(crate) fn do_register_asset(asset: OracleAssetId, config: AssetConfig) -> DispatchResult {
		Self::ensure_valid_config(&config)?;
		ensure!(!Assets::<T>::contains_key(asset), Error::<T>::AssetAlreadyRegistered);
		ensure!(Assets::<T>::count() < T::MaxAssets::get(), Error::<T>::TooManyAssets);
		Assets::<T>::insert(asset, AssetState::new(config));
		Self::deposit_event(Event::AssetRegistered { asset, config });
		Ok(())
	}

	/// Replaces `asset`'s settings.
	pub(crate) fn do_update_asset_config(
		asset: OracleAssetId,
		config: AssetConfig,
	) -> DispatchResult {
		Self::ensure_valid_config(&config)?;
		Assets::<T>::try_mutate(asset, |maybe_state| -> DispatchResult {
			let state = maybe_state.as_mut().ok_or(Error::<T>::UnknownAsset)?;
			state.config = config;
			Ok(())
		})?;
		Self::deposit_event(Event::AssetConfigUpdated { asset, config });
		Ok(())
	}

	/// Removes `asset` and everything stored about it.
	pub(crate) fn do_remove_asset(asset: OracleAssetId) -> DispatchResult {
		ensure!(Assets::<T>::contains_key(asset), Error::<T>::UnknownAsset);
		Assets::<T>::remove(asset);
		Self::deposit_event(Event::AssetRemoved { asset });
		Ok(())
	}

	/// Adds `feeder` to the set, in the lowest free slot.
	pub(crate) fn do_add_feeder(feeder: T::AccountId) -> DispatchResult {
		ensure!(!Feeders::<T>::contains_key(&feeder), Error::<T>::AlreadyFeeder);
		let max = T::MaxFeeders::get();
		ensure!(Feeders::<T>::count() < max, Error::<T>::TooManyFeeders);

		let mut used: Vec<FeederSlot> = Feeders::<T>::iter_values().map(|info| info.slot).collect();
		used.sort_unstable();
		let mut slot: FeederSlot = 0;
		for taken in used {
			if taken == slot {
				slot = slot.checked_add(1).ok_or(Error::<T>::TooManyFeeders)?;
			} else if taken > slot {
				break;
			}
		}
		ensure!(u32::from(slot) < max, Error::<T>::TooManyFeeders);

		Feeders::<T>::insert(&feeder, FeederInfo { slot, last_fed: None });
		Self::deposit_event(Event::FeederAdded { feeder });
		Ok(())
	}

	/// Removes `feeder`, purges its values from every asset and recomputes the assets that
	/// held one. The weight is refunded to the number of registered assets.
	pub(crate) fn do_remove_feeder(feeder: T::AccountId) -> DispatchResultWithPostInfo {
		let info = Feeders::<T>::get(&feeder).ok_or(Error::<T>::NotFeeder)?;
		Feeders::<T>::remove(&feeder);

		let now = frame_system::Pallet::<T>::block_number();
		// At most `MaxAssets` entries.
		let assets: Vec<(OracleAssetId, AssetState<T>)> = Assets::<T>::iter().collect();
		let scanned = len_u32(assets.len());
		let mut purged = 0u32;
		for (asset, mut state) in assets {
			let before = state.feeds.len();
			state.feeds.retain(|feed| feed.slot != info.slot);
			if state.feeds.len() != before {
				purged = purged.saturating_add(1);
				Self::refresh(asset, &mut state, now);
				Assets::<T>::insert(asset, state);
			}
		}

		Self::deposit_event(Event::FeederRemoved { feeder, purged });
		Ok(Some(T::WeightInfo::remove_feeder(scanned)).into())
	}

	/// Freezes `asset` at `price`, or at its last aggregate.
	pub(crate) fn do_freeze_price(asset: OracleAssetId, price: Option<Price>) -> DispatchResult {
		if let Some(price) = price {
			Self::ensure_valid_price(price)?;
		}
		let now = frame_system::Pallet::<T>::block_number();
		let frozen = Assets::<T>::try_mutate(asset, |maybe_state| -> Result<Price, Error<T>> {
			let state = maybe_state.as_mut().ok_or(Error::<T>::UnknownAsset)?;
			let price = match price {
				Some(price) => price,
				None => state
					.aggregate
					.map(|aggregate| aggregate.price)
					.ok_or(Error::<T>::NoPriceToFreeze)?,
			};
			state.frozen = Some(Frozen { price, at: now });
			Ok(price)
		})?;
		Self::deposit_event(Event::PriceFrozen { asset, price: frozen });
		Ok(())
	}

	/// Lifts a freeze.
	pub(crate) fn do_unfreeze_price(asset: OracleAssetId) -> DispatchResult {
		Assets::<T>::try_mutate(asset, |maybe_state| -> DispatchResult {
			let state = maybe_state.as_mut().ok_or(Error::<T>::UnknownAsset)?;
			ensure!(state.frozen.take().is_some(), Error::<T>::NotFrozen);
			Ok(())
		})?;
		Self::deposit_event(Event::PriceUnfrozen { asset });
		Ok(())
	}
}
