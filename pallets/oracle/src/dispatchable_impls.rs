//! The logic behind each call. Every function validates its whole input before it writes
//! anything, so an error leaves storage untouched even outside a transactional layer.

use crate::{
	refresh_impls::Trigger, utility_impls::len_u32, weights::WeightInfo, AssetConfig, AssetState,
	Assets, Config, Error, Event, FeedBatch, FeederInfo, FeederSlot, Feeders, Frozen, Millis,
	Pallet, ParamChangedAt, ParamKey, RawFeed, SignedFeed,
};
use alloc::vec::Vec;
use backstop_primitives::governance::{Authority, Direction};
use backstop_primitives::{OracleAssetId, Price};
use codec::Encode;
use frame_support::{
	dispatch::{DispatchResult, DispatchResultWithPostInfo, Pays, PostDispatchInfo},
	ensure,
	pallet_prelude::{
		Get, InvalidTransaction, TransactionValidityError, TransactionValidityWithRefund,
		ValidTransaction,
	},
	traits::Defensive,
	weights::Weight,
};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{
	traits::{Saturating, Verify, Zero},
	SaturatedConversion,
};

/// An asset of a feed, checked and loaded: the asset, the price, its observation time and
/// the asset's state.
type Loaded<T> = (OracleAssetId, Price, Millis, AssetState<T>);

impl<T: Config> Pallet<T> {
	/// Records a feeder's batch and recomputes every asset in it. `round` is the round a
	/// `submit_feed` named (`None` for a signed `feed`, whose round is the current block).
	pub(crate) fn do_feed(
		who: T::AccountId,
		batch: FeedBatch<T>,
		round: Option<BlockNumberFor<T>>,
	) -> DispatchResultWithPostInfo {
		let now = frame_system::Pallet::<T>::block_number();
		let now_ms = Self::now_ms();
		let mut feeder = Self::check_feeder(&who, round, now)?;
		let loaded = Self::check_batch(&batch, now_ms)?;

		let mut widest = 1u32;
		for (asset, price, observed_at, mut state) in loaded {
			Self::record(&mut state, feeder.slot, price, observed_at)?;
			widest = widest.max(len_u32(state.feeds.len()));
			Self::refresh(asset, &mut state, now, now_ms, Trigger::Feed);
			Assets::<T>::insert(asset, state);
		}
		feeder.last_fed = Some(now);
		feeder.last_round = Some(round.unwrap_or(now));
		Feeders::<T>::insert(&who, feeder);

		let assets = len_u32(batch.len());
		Self::deposit_event(Event::PricesFed { feeder: who, assets });
		let actual_weight = match round {
			Some(_) => T::WeightInfo::submit_feed(widest, assets),
			None => T::WeightInfo::feed(widest, assets),
		};
		Ok(PostDispatchInfo { actual_weight: Some(actual_weight), pays_fee: Pays::No })
	}

	/// The feeder record of `who`, if `who` may feed now: a member that has not fed in this
	/// block and, for a `round`, one in `now - FeedLongevity < round <= now` that is later
	/// than its last accepted round.
	pub(crate) fn check_feeder(
		who: &T::AccountId,
		round: Option<BlockNumberFor<T>>,
		now: BlockNumberFor<T>,
	) -> Result<FeederInfo<BlockNumberFor<T>>, Error<T>> {
		let feeder = Feeders::<T>::get(who).ok_or(Error::<T>::NotFeeder)?;
		ensure!(feeder.last_fed != Some(now), Error::<T>::AlreadyFedThisBlock);
		if let Some(round) = round {
			ensure!(round <= now, Error::<T>::FeedRoundInFuture);
			let expiry = round.saturating_add(T::FeedLongevity::get().into());
			ensure!(now < expiry, Error::<T>::FeedRoundExpired);
			ensure!(feeder.last_round.is_none_or(|last| last < round), Error::<T>::FeedRoundReused);
		}
		Ok(feeder)
	}

	/// Checks a whole batch at timestamp `now_ms` and loads each asset once, before anything
	/// is written: non-empty, every price valid, every observation within `MaxFeedSkew` of
	/// `now_ms`, no asset twice, every asset registered.
	pub(crate) fn check_batch(
		batch: &FeedBatch<T>,
		now_ms: Millis,
	) -> Result<Vec<Loaded<T>>, Error<T>> {
		ensure!(!batch.is_empty(), Error::<T>::EmptyBatch);
		let skew = T::MaxFeedSkew::get();
		let mut loaded: Vec<Loaded<T>> = Vec::with_capacity(batch.len());
		for (position, (asset, price, observed_at)) in batch.iter().enumerate() {
			Self::ensure_valid_price(*price)?;
			ensure!(*observed_at <= now_ms.saturating_add(skew), Error::<T>::ObservationInFuture);
			ensure!(now_ms.saturating_sub(*observed_at) <= skew, Error::<T>::ObservationTooOld);
			ensure!(
				!batch.iter().take(position).any(|(earlier, _, _)| earlier == asset),
				Error::<T>::DuplicateAsset
			);
			let state = Assets::<T>::get(asset).ok_or(Error::<T>::UnknownAsset)?;
			loaded.push((*asset, *price, *observed_at, state));
		}
		Ok(loaded)
	}

	/// The validity of a `submit_feed` (its `#[pallet::authorize]` function).
	///
	/// Checked in this order, so that outsiders cost one storage read: the feeder is a member
	/// (else `BadSigner`), may feed in this round (`Future` for a round ahead, `Stale` for an
	/// expired or reused round or a second feed in this block), signed exactly this feed for
	/// this chain (else `BadProof`), and the batch passes every check of the dispatch (else
	/// `Custom(i)`, `i` being the index of the pallet `Error` variant the dispatch would
	/// return). A valid feed has priority `FeedPriority`, lives until its round expires
	/// (`round + FeedLongevity`), and provides the tag `(feeder, round)`: one feed per feeder
	/// and round in the pool.
	pub(crate) fn authorize_feed(
		feed: &SignedFeed<T>,
		signature: &T::FeederSignature,
	) -> TransactionValidityWithRefund {
		let now = frame_system::Pallet::<T>::block_number();
		Self::check_feeder(&feed.feeder, Some(feed.round), now).map_err(Self::invalid)?;
		let genesis = frame_system::Pallet::<T>::block_hash(BlockNumberFor::<T>::zero());
		let payload = feed.signing_payload(&genesis);
		if !signature.verify(&payload[..], &feed.feeder) {
			return Err(InvalidTransaction::BadProof.into());
		}
		Self::check_batch(&feed.batch, Self::now_ms()).map_err(Self::invalid)?;

		let expiry = feed.round.saturating_add(T::FeedLongevity::get().into());
		let longevity = expiry.saturating_sub(now).saturated_into::<u64>().max(1);
		let validity = ValidTransaction::with_tag_prefix("OracleAggregatorFeed")
			.priority(T::FeedPriority::get())
			.and_provides((&feed.feeder, feed.round))
			.longevity(longevity)
			.propagate(true)
			.build()?;
		Ok((validity, Weight::zero()))
	}

	/// The transaction validity error for a feed the dispatch would refuse with `error`.
	fn invalid(error: Error<T>) -> TransactionValidityError {
		match error {
			Error::<T>::NotFeeder => InvalidTransaction::BadSigner,
			Error::<T>::FeedRoundInFuture => InvalidTransaction::Future,
			Error::<T>::FeedRoundExpired
			| Error::<T>::FeedRoundReused
			| Error::<T>::AlreadyFedThisBlock => InvalidTransaction::Stale,
			other => InvalidTransaction::Custom(other.encode().first().copied().unwrap_or(u8::MAX)),
		}
		.into()
	}

	/// Replaces the value of `slot` in `state` (or adds it).
	fn record(
		state: &mut AssetState<T>,
		slot: FeederSlot,
		price: Price,
		observed_at: Millis,
	) -> DispatchResult {
		let feed = RawFeed { slot, price, observed_at };
		match state.feeds.iter_mut().find(|existing| existing.slot == slot) {
			Some(existing) => *existing = feed,
			// Slots are unique and below `MaxFeeders`, so there is always room.
			None => state.feeds.try_push(feed).map_err(|_| Error::<T>::TooManyFeeds).defensive()?,
		}
		Ok(())
	}

	/// Registers `asset` (governance only: the guardian is refused). Not step-bounded (there
	/// is no old value); the hard ranges bind every authority. Records the settings' change.
	pub(crate) fn do_register_asset(
		authority: Authority,
		asset: OracleAssetId,
		config: AssetConfig,
	) -> DispatchResult {
		Self::ensure_valid_config(&config)?;
		ensure!(!Assets::<T>::contains_key(asset), Error::<T>::AssetAlreadyRegistered);
		ensure!(Assets::<T>::count() < T::MaxAssets::get(), Error::<T>::TooManyAssets);
		let key = ParamKey::AssetConfig(asset);
		Self::ensure_may_change(
			authority,
			Direction::governance_only(),
			true,
			Self::last_change(key),
		)?;
		Self::insert_asset(asset, config);
		Self::note_change(key);
		Ok(())
	}

	/// Registers `asset` after its checks: no feeds, no price, stale until enough feeds
	/// arrive. Used by the call and by genesis (which records no change).
	pub(crate) fn insert_asset(asset: OracleAssetId, config: AssetConfig) {
		Assets::<T>::insert(asset, AssetState::new(config));
		Self::deposit_event(Event::AssetRegistered { asset, config });
	}

	/// Registers `asset` at genesis, with the call's checks but no governance.
	pub(crate) fn genesis_asset(asset: OracleAssetId, config: AssetConfig) -> DispatchResult {
		Self::ensure_valid_config(&config)?;
		ensure!(!Assets::<T>::contains_key(asset), Error::<T>::AssetAlreadyRegistered);
		ensure!(Assets::<T>::count() < T::MaxAssets::get(), Error::<T>::TooManyAssets);
		Self::insert_asset(asset, config);
		Ok(())
	}

	/// Replaces `asset`'s settings. Each setting is classified (see
	/// [`Pallet::classify_config`]): the guardian may only tighten, the risk track and the
	/// guardian move each numeric setting by at most `MaxParamStep` and at most once per
	/// `MinChangeInterval`. Records the change when a setting changed.
	pub(crate) fn do_update_asset_config(
		authority: Authority,
		asset: OracleAssetId,
		config: AssetConfig,
	) -> DispatchResult {
		Self::ensure_valid_config(&config)?;
		let mut state = Assets::<T>::get(asset).ok_or(Error::<T>::UnknownAsset)?;
		let key = ParamKey::AssetConfig(asset);
		let change = Self::classify_config(&state.config, &config);
		Self::ensure_may_change(
			authority,
			change.direction,
			change.within_step,
			Self::last_change(key),
		)?;
		if state.config != config {
			state.config = config;
			Assets::<T>::insert(asset, state);
			Self::note_change(key);
		}
		Self::deposit_event(Event::AssetConfigUpdated { asset, config });
		Ok(())
	}

	/// Removes `asset` and everything stored about it, its change records included
	/// (governance only; waits `MinChangeInterval` from the last change of its settings for
	/// the risk track).
	pub(crate) fn do_remove_asset(authority: Authority, asset: OracleAssetId) -> DispatchResult {
		ensure!(Assets::<T>::contains_key(asset), Error::<T>::UnknownAsset);
		let key = ParamKey::AssetConfig(asset);
		Self::ensure_may_change(
			authority,
			Direction::governance_only(),
			true,
			Self::last_change(key),
		)?;
		Assets::<T>::remove(asset);
		ParamChangedAt::<T>::remove(key);
		ParamChangedAt::<T>::remove(ParamKey::Freeze(asset));
		Self::deposit_event(Event::AssetRemoved { asset });
		Ok(())
	}

	/// Adds `feeder` to the set (governance only: a new feeder is a new source the medians
	/// trust). No interval: the feeder set has no numeric value to ratchet, and one would make
	/// a referendum adding several feeders fail after the first.
	pub(crate) fn do_add_feeder(authority: Authority, feeder: T::AccountId) -> DispatchResult {
		ensure!(!Feeders::<T>::contains_key(&feeder), Error::<T>::AlreadyFeeder);
		ensure!(Feeders::<T>::count() < T::MaxFeeders::get(), Error::<T>::TooManyFeeders);
		Self::ensure_may_change(authority, Direction::governance_only(), true, None)?;
		Self::insert_feeder(feeder)
	}

	/// Adds `feeder` to the set, in the lowest free slot (the call after its governance check,
	/// and genesis).
	pub(crate) fn insert_feeder(feeder: T::AccountId) -> DispatchResult {
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

		Feeders::<T>::insert(&feeder, FeederInfo { slot, last_fed: None, last_round: None });
		Self::deposit_event(Event::FeederAdded { feeder });
		Ok(())
	}

	/// Removes `feeder`, purges its values from every asset and recomputes the assets that
	/// held one. A discrete defensive action: every authority, the guardian included, may
	/// remove a feeder at once (no step, no interval). The weight is refunded to the number
	/// of registered assets.
	pub(crate) fn do_remove_feeder(
		authority: Authority,
		feeder: T::AccountId,
	) -> DispatchResultWithPostInfo {
		let info = Feeders::<T>::get(&feeder).ok_or(Error::<T>::NotFeeder)?;
		Self::ensure_may_change(authority, Direction::Tighten, true, None)?;
		Feeders::<T>::remove(&feeder);

		let now = frame_system::Pallet::<T>::block_number();
		let now_ms = Self::now_ms();
		// At most `MaxAssets` entries.
		let assets: Vec<(OracleAssetId, AssetState<T>)> = Assets::<T>::iter().collect();
		let scanned = len_u32(assets.len());
		let mut purged = 0u32;
		for (asset, mut state) in assets {
			let before = state.feeds.len();
			state.feeds.retain(|feed| feed.slot != info.slot);
			if state.feeds.len() != before {
				purged = purged.saturating_add(1);
				Self::refresh(asset, &mut state, now, now_ms, Trigger::Upkeep);
				Assets::<T>::insert(asset, state);
			}
		}

		Self::deposit_event(Event::FeederRemoved { feeder, purged });
		Ok(Some(T::WeightInfo::remove_feeder(scanned)).into())
	}

	/// Freezes `asset` at `price`, or at its last aggregate, for `MaxFreezeDuration`. Freezing
	/// a frozen asset replaces the price and renews the freeze.
	///
	/// A discrete defensive action (no interval): the guardian may freeze at once. An explicit
	/// price is numeric, though: for the risk track and the guardian it must lie within
	/// `MaxParamStep` of the price served now (the freeze in force, else the last aggregate),
	/// so that nobody but the root track can freeze a price far from the market (and
	/// liquidate at it). An asset never priced can only be frozen at an explicit price by the
	/// root track. Records the freeze, from which lifting it waits `MinChangeInterval`.
	pub(crate) fn do_freeze_price(
		authority: Authority,
		asset: OracleAssetId,
		price: Option<Price>,
	) -> DispatchResult {
		if let Some(price) = price {
			Self::ensure_valid_price(price)?;
		}
		let now = frame_system::Pallet::<T>::block_number();
		let now_ms = Self::now_ms();
		let until = now_ms.saturating_add(T::MaxFreezeDuration::get());
		let mut state = Assets::<T>::get(asset).ok_or(Error::<T>::UnknownAsset)?;
		let last = state.aggregate.map(|aggregate| aggregate.price);
		let served =
			state.frozen.filter(|frozen| frozen.is_active(now_ms)).map(|f| f.price).or(last);
		let (frozen, within_step) = match price {
			Some(price) => {
				let reference = served.map_or(0, |served| served.into_inner());
				(price, Self::within_param_step(reference, price.into_inner()))
			},
			None => (last.ok_or(Error::<T>::NoPriceToFreeze)?, true),
		};
		Self::ensure_may_change(authority, Direction::Tighten, within_step, None)?;
		state.frozen = Some(Frozen { price: frozen, at: now, at_ms: now_ms, until });
		Assets::<T>::insert(asset, state);
		Self::note_change(ParamKey::Freeze(asset));
		Self::deposit_event(Event::PriceFrozen { asset, price: frozen, until });
		Ok(())
	}

	/// Lifts a freeze that is in force (an expired one counts as lifted already). A loosening:
	/// the guardian is refused, and the risk track waits `MinChangeInterval` from the last
	/// freeze. Records the change.
	pub(crate) fn do_unfreeze_price(authority: Authority, asset: OracleAssetId) -> DispatchResult {
		let now_ms = Self::now_ms();
		let mut state = Assets::<T>::get(asset).ok_or(Error::<T>::UnknownAsset)?;
		ensure!(state.frozen.is_some_and(|frozen| frozen.is_active(now_ms)), Error::<T>::NotFrozen);
		let key = ParamKey::Freeze(asset);
		Self::ensure_may_change(authority, Direction::Loosen, true, Self::last_change(key))?;
		state.frozen = None;
		Assets::<T>::insert(asset, state);
		Self::note_change(key);
		Self::deposit_event(Event::PriceUnfrozen { asset });
		Ok(())
	}
}
