//! The pool as the counterparty of this chain's markets: cash reserved
//! against open interest, traders' profits paid out of cash, what the markets
//! collected handed over, and bad debt accepted as the liquidity providers'
//! loss (the third tier of the loss waterfall).

use super::*;
use backstop_primitives::{Balance, LiquidityProvider, LossTier, MarketId};
use frame_support::{pallet_prelude::*, storage::with_storage_layer};
use sp_runtime::{traits::Zero, Rounding};

impl<T: Config> Pallet<T> {
	/// Sets the reservation of `market` to its reserve factor of
	/// `open_interest` (rounded up). Lowering always succeeds, whatever the
	/// market's status; raising needs an active market, its credit cap and
	/// the pool's free cash.
	pub(crate) fn do_reserve(market: MarketId, open_interest: Balance) -> DispatchResult {
		let id = ProtocolId::Market(market);
		let mut protocol = Self::protocol(&id)?;
		let target = Self::permill_of(open_interest, protocol.terms.reserve_factor, Rounding::Up)
			.ok_or(Error::<T>::Overflow)?;
		if target == protocol.reserved {
			return Ok(());
		}
		let mut pool = Self::rolled_pool();
		if target > protocol.reserved {
			Self::ensure_active(&protocol)?;
			ensure!(target <= protocol.terms.credit_cap, Error::<T>::CreditCapExceeded);
			// `target > reserved`.
			let more = target.saturating_sub(protocol.reserved);
			ensure!(more <= Self::free_of(&pool), Error::<T>::InsufficientFreeLiquidity);
			pool.reserved = pool.reserved.checked_add(more).ok_or(Error::<T>::Overflow)?;
		} else {
			// `target < reserved <= pool.reserved`.
			let less = protocol.reserved.saturating_sub(target);
			pool.reserved = pool.reserved.saturating_sub(less);
		}
		protocol.reserved = target;
		Protocols::<T>::insert(&id, protocol);
		Pool::<T>::put(pool);
		Self::deposit_event(Event::ReserveChanged { market, open_interest, reserved: target });
		Ok(())
	}

	/// Pays traders' profit of `amount` in `market` to `to` out of the
	/// pool's cash, reserved or not.
	pub(crate) fn do_pay(market: MarketId, to: &T::AccountId, amount: Balance) -> DispatchResult {
		if amount.is_zero() {
			return Ok(());
		}
		Self::protocol(&ProtocolId::Market(market))?;
		let mut pool = Self::rolled_pool();
		pool.cash = pool.cash.checked_sub(amount).ok_or(Error::<T>::InsufficientCash)?;
		Self::push(to, amount)?;
		Pool::<T>::put(pool);
		Self::deposit_event(Event::ProfitPaid { market, to: to.clone(), amount });
		Ok(())
	}

	/// Collects `amount` from `from` into the pool's cash for `market`.
	pub(crate) fn do_collect(
		market: MarketId,
		from: &T::AccountId,
		amount: Balance,
	) -> DispatchResult {
		if amount.is_zero() {
			return Ok(());
		}
		Self::protocol(&ProtocolId::Market(market))?;
		let mut pool = Self::rolled_pool();
		let credited = Self::pull(from, amount)?;
		pool.cash = pool.cash.checked_add(credited).ok_or(Error::<T>::Overflow)?;
		Pool::<T>::put(pool);
		Self::deposit_event(Event::Collected { market, from: from.clone(), amount: credited });
		Ok(())
	}

	/// Accepts what it can of `loss` in `market` as the pool's loss, within
	/// what is left of the market's loss cap, and returns what it accepted.
	/// Moves no money: what the market owed the pool is written off.
	pub(crate) fn do_absorb_loss(market: MarketId, loss: Balance) -> Balance {
		if loss.is_zero() {
			return Zero::zero();
		}
		let id = ProtocolId::Market(market);
		let covered = match Protocols::<T>::get(&id) {
			None => Zero::zero(),
			Some(mut protocol) => {
				let covered = Self::loss_capacity_of(&protocol).min(loss);
				// `covered <= loss_cap - losses`: the sum is at most the cap.
				protocol.losses = protocol.losses.saturating_add(covered);
				Self::freeze_if_capped(&id, &mut protocol);
				Protocols::<T>::insert(&id, protocol);
				covered
			},
		};
		// `covered <= loss`.
		let uncovered = loss.saturating_sub(covered);
		Self::deposit_event(Event::LossAbsorbed {
			tier: LossTier::SharedLiquidity,
			market,
			loss,
			covered,
			uncovered,
		});
		covered
	}

	/// The most net unrealized profit `market`'s traders may hold: its max-PnL
	/// factor of the smaller of its credit cap and the pool's cash plus
	/// principal lent, rounded down.
	pub fn max_trader_pnl_of(market: MarketId) -> Option<Balance> {
		let protocol = Protocols::<T>::get(ProtocolId::Market(market))?;
		let pool = Pool::<T>::get();
		let usable = protocol.terms.credit_cap.min(pool.cash.saturating_add(pool.lent));
		Self::permill_of(usable, protocol.terms.max_pnl_factor, Rounding::Down)
	}
}

impl<T: Config> LiquidityProvider<T::AccountId> for Pallet<T> {
	fn available(market: MarketId) -> Balance {
		let id = ProtocolId::Market(market);
		Protocols::<T>::get(&id)
			.map(|protocol| Self::available_of(&id, &protocol, &Self::rolled_pool()))
			.unwrap_or_default()
	}

	fn reserve(market: MarketId, open_interest: Balance) -> Result<(), DispatchError> {
		with_storage_layer(|| Self::do_reserve(market, open_interest))
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

	fn absorb_loss(market: MarketId, amount: Balance) -> Balance {
		Self::do_absorb_loss(market, amount)
	}

	fn max_trader_pnl(market: MarketId) -> Option<Balance> {
		Self::max_trader_pnl_of(market)
	}
}
