//! The pool as the liquidity provider of this chain's markets and as the
//! third tier of the loss waterfall; the draws shared with external
//! protocols.

use super::*;
use backstop_primitives::{Balance, LiquidityProvider, LossAbsorber, LossTier, MarketId};
use frame_support::{pallet_prelude::*, storage::with_storage_layer};
use sp_runtime::traits::Zero;

impl<T: Config> Pallet<T> {
	/// Draws `amount` of capacity for `id`: within its credit cap (drawn +
	/// fees owed + debt) and the pool's free liquidity, only while active.
	/// For an external protocol the funds move to its account.
	pub(crate) fn do_draw(id: ProtocolId<T::AccountId>, amount: Balance) -> DispatchResult {
		let mut protocol = Self::protocol(&id)?;
		match protocol.status {
			ProtocolStatus::Active => {},
			ProtocolStatus::Frozen => return Err(Error::<T>::ProtocolFrozen.into()),
			ProtocolStatus::Retired => return Err(Error::<T>::ProtocolRetired.into()),
		}
		let mut pool = Self::rolled_pool();
		Self::accrue(&id, &mut protocol, &pool);
		let used = protocol.credit_used().checked_add(amount).ok_or(Error::<T>::Overflow)?;
		ensure!(used <= protocol.terms.credit_cap, Error::<T>::CreditCapExceeded);
		ensure!(amount <= Self::free_of(&pool), Error::<T>::InsufficientFreeLiquidity);
		protocol.drawn = protocol.drawn.checked_add(amount).ok_or(Error::<T>::Overflow)?;
		pool.drawn = pool.drawn.checked_add(amount).ok_or(Error::<T>::Overflow)?;
		if let ProtocolId::External(account) = &id {
			pool.lent = pool.lent.checked_add(amount).ok_or(Error::<T>::Overflow)?;
			Self::push(account, amount)?;
		}
		let drawn = protocol.drawn;
		Protocols::<T>::insert(&id, protocol);
		Pool::<T>::put(pool);
		Self::deposit_event(Event::CapacityDrawn { protocol: id, amount, drawn });
		Ok(())
	}

	/// Releases up to `amount` of the capacity `market` has drawn. Nothing
	/// happens for an unregistered market (logged) or a zero amount.
	pub(crate) fn do_release(market: MarketId, amount: Balance) {
		if amount.is_zero() {
			return;
		}
		let id = ProtocolId::Market(market);
		let Some(mut protocol) = Protocols::<T>::get(&id) else {
			log::warn!(target: LOG_TARGET, "release of {amount:?} by unregistered market {market}");
			return;
		};
		let mut pool = Self::rolled_pool();
		Self::accrue(&id, &mut protocol, &pool);
		let released = amount.min(protocol.drawn);
		// `released <= protocol.drawn <= pool.drawn`.
		protocol.drawn = protocol.drawn.saturating_sub(released);
		pool.drawn = pool.drawn.saturating_sub(released);
		let drawn = protocol.drawn;
		Protocols::<T>::insert(&id, protocol);
		Pool::<T>::put(pool);
		Self::deposit_event(Event::CapacityReleased { protocol: id, amount: released, drawn });
	}

	/// Pays a trader's profit of `amount` to `to` out of the capacity
	/// `market` has drawn: the capacity is consumed, the pool's assets fall
	/// and the market's debt grows by `amount`.
	pub(crate) fn do_pay(market: MarketId, to: &T::AccountId, amount: Balance) -> DispatchResult {
		if amount.is_zero() {
			return Ok(());
		}
		let id = ProtocolId::Market(market);
		let mut protocol = Self::protocol(&id)?;
		ensure!(amount <= protocol.drawn, Error::<T>::ExceedsDrawn);
		let mut pool = Self::rolled_pool();
		Self::accrue(&id, &mut protocol, &pool);
		protocol.drawn = protocol.drawn.saturating_sub(amount);
		protocol.debt = protocol.debt.checked_add(amount).ok_or(Error::<T>::Overflow)?;
		pool.drawn = pool.drawn.checked_sub(amount).ok_or(Error::<T>::LedgerExceedsAccount)?;
		pool.assets = pool.assets.checked_sub(amount).ok_or(Error::<T>::LedgerExceedsAccount)?;
		Self::push(to, amount)?;
		Protocols::<T>::insert(&id, protocol);
		Pool::<T>::put(pool);
		Self::deposit_event(Event::ProfitPaid { market, to: to.clone(), amount });
		Ok(())
	}

	/// Collects `amount` from `from` into the pool for `market`: it settles
	/// the market's owed fees first, then its debt; all of it raises the
	/// pool's assets.
	pub(crate) fn do_collect(
		market: MarketId,
		from: &T::AccountId,
		amount: Balance,
	) -> DispatchResult {
		if amount.is_zero() {
			return Ok(());
		}
		let id = ProtocolId::Market(market);
		let mut protocol = Self::protocol(&id)?;
		let mut pool = Self::rolled_pool();
		Self::accrue(&id, &mut protocol, &pool);
		let credited = Self::pull(from, amount)?;
		let fees_settled = credited.min(protocol.fees_owed);
		// `fees_settled <= credited`.
		let debt_settled = credited.saturating_sub(fees_settled).min(protocol.debt);
		protocol.fees_owed = protocol.fees_owed.saturating_sub(fees_settled);
		protocol.debt = protocol.debt.saturating_sub(debt_settled);
		pool.assets = pool.assets.checked_add(credited).ok_or(Error::<T>::Overflow)?;
		Protocols::<T>::insert(&id, protocol);
		Pool::<T>::put(pool);
		Self::deposit_event(Event::Collected {
			market,
			from: from.clone(),
			amount: credited,
			fees_settled,
			debt_settled,
		});
		Ok(())
	}

	/// Covers what it can of `loss` in `market`, within the market's
	/// remaining loss cap and the pool's free liquidity, paying
	/// `beneficiary`. Returns the exact uncovered rest. A failed payment
	/// covers nothing and changes nothing.
	pub(crate) fn do_absorb(
		market: MarketId,
		loss: Balance,
		beneficiary: &T::AccountId,
	) -> Balance {
		if loss.is_zero() {
			return Zero::zero();
		}
		let id = ProtocolId::Market(market);
		let covered = match Protocols::<T>::get(&id) {
			None => Zero::zero(),
			Some(protocol) => Self::cover(&id, protocol, market, loss, beneficiary),
		};
		// `cover` never returns more than `loss`.
		let uncovered = loss.saturating_sub(covered);
		Self::deposit_event(Event::LossAbsorbed {
			tier: LossTier::SharedLiquidity,
			market,
			loss,
			covered,
			uncovered,
			beneficiary: beneficiary.clone(),
		});
		uncovered
	}

	/// Pays what the pool covers of `loss` for the registered market `id` to
	/// `beneficiary` and books it as the market's loss; returns what was
	/// paid.
	fn cover(
		id: &ProtocolId<T::AccountId>,
		mut protocol: Protocol<frame_system::pallet_prelude::BlockNumberFor<T>>,
		market: MarketId,
		loss: Balance,
		beneficiary: &T::AccountId,
	) -> Balance {
		let mut pool = Self::rolled_pool();
		let amount = Self::loss_capacity_of(&protocol, &pool).min(loss);
		if amount.is_zero() {
			return Zero::zero();
		}
		let paid = with_storage_layer(|| -> DispatchResult {
			Self::push(beneficiary, amount)?;
			pool.assets =
				pool.assets.checked_sub(amount).ok_or(Error::<T>::LedgerExceedsAccount)?;
			protocol.losses = protocol.losses.checked_add(amount).ok_or(Error::<T>::Overflow)?;
			Self::freeze_if_capped(id, &mut protocol);
			Protocols::<T>::insert(id, protocol);
			Pool::<T>::put(pool);
			Ok(())
		});
		match paid {
			Ok(()) => amount,
			Err(error) => {
				log::warn!(
					target: LOG_TARGET,
					"could not pay {amount:?} towards a loss in market {market}: {error:?}",
				);
				Self::deposit_event(Event::AbsorbFailed {
					tier: LossTier::SharedLiquidity,
					market,
					amount,
					error,
				});
				Zero::zero()
			},
		}
	}
}

impl<T: Config> LiquidityProvider<T::AccountId> for Pallet<T> {
	fn available(market: MarketId) -> Balance {
		Self::protocol_available(ProtocolId::Market(market)).unwrap_or_default()
	}

	fn draw(market: MarketId, amount: Balance) -> Result<(), DispatchError> {
		if amount.is_zero() {
			return Ok(());
		}
		with_storage_layer(|| Self::do_draw(ProtocolId::Market(market), amount))
	}

	fn release(market: MarketId, amount: Balance) {
		Self::do_release(market, amount)
	}

	fn pay(market: MarketId, to: &T::AccountId, amount: Balance) -> Result<(), DispatchError> {
		with_storage_layer(|| Self::do_pay(market, to, amount))
	}

	fn collect(
		market: MarketId,
		from: &T::AccountId,
		amount: Balance,
	) -> Result<(), DispatchError> {
		with_storage_layer(|| Self::do_collect(market, from, amount))
	}
}

impl<T: Config> LossAbsorber<T::AccountId> for Pallet<T> {
	fn absorb(market: MarketId, amount: Balance, beneficiary: &T::AccountId) -> Balance {
		Self::do_absorb(market, amount, beneficiary)
	}

	fn capacity(market: MarketId) -> Balance {
		Self::market_loss_capacity(market)
	}
}
