//! The logic of the calls: liquidity providers' deposits and withdrawals,
//! external protocols' draws and repayments, and governance.

use super::*;
use backstop_primitives::Balance;
use frame_support::pallet_prelude::*;
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::traits::{Saturating, Zero};

impl<T: Config> Pallet<T> {
	/// Deposits `amount` from `who` and mints shares at the current price,
	/// rounded down. A pool whose assets were wiped out while shares were in
	/// issue starts a new generation first: the old shares are void.
	pub(crate) fn do_deposit(who: &T::AccountId, amount: Balance) -> DispatchResult {
		ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
		ensure!(amount >= MinDeposit::<T>::get(), Error::<T>::BelowMinDeposit);
		let mut pool = Self::rolled_pool();
		if pool.assets.is_zero() && !pool.shares.is_zero() {
			pool.generation = pool.generation.checked_add(1).ok_or(Error::<T>::Overflow)?;
			let void_shares = core::mem::take(&mut pool.shares);
			log::warn!(
				target: LOG_TARGET,
				"pool without assets: generation {} starts, {void_shares:?} shares void",
				pool.generation,
			);
			Self::deposit_event(Event::PoolReset { generation: pool.generation, void_shares });
		}
		let credited = Self::pull(who, amount)?;
		let shares = Self::shares_for(&pool, credited)?;
		ensure!(!shares.is_zero(), Error::<T>::DepositTooSmall);
		let mut position = Self::position_of(who, &pool);
		position.shares = position.shares.checked_add(shares).ok_or(Error::<T>::Overflow)?;
		pool.assets = pool.assets.checked_add(credited).ok_or(Error::<T>::Overflow)?;
		pool.shares = pool.shares.checked_add(shares).ok_or(Error::<T>::Overflow)?;
		Pool::<T>::put(pool);
		Self::store_position(who, position);
		Self::deposit_event(Event::Deposited { who: who.clone(), amount: credited, shares });
		Ok(())
	}

	/// Files a request to withdraw `shares` of `who` after the delay. A
	/// second request in the same block adds to the first.
	pub(crate) fn do_request_withdraw(who: &T::AccountId, shares: Balance) -> DispatchResult {
		ensure!(!shares.is_zero(), Error::<T>::ZeroAmount);
		let delay = WithdrawDelay::<T>::get();
		ensure!(!delay.is_zero(), Error::<T>::NoWithdrawDelay);
		let pool = Pool::<T>::get();
		let mut position = Self::position_of(who, &pool);
		let unrequested = position.shares.saturating_sub(Self::requested_of(&position));
		ensure!(shares <= unrequested, Error::<T>::InsufficientShares);
		let now = Self::now();
		let same_block = position.requests.last().is_some_and(|last| last.requested_at == now);
		if same_block {
			if let Some(last) = position.requests.last_mut() {
				last.shares = last.shares.checked_add(shares).ok_or(Error::<T>::Overflow)?;
			}
		} else {
			position
				.requests
				.try_push(WithdrawRequest { shares, requested_at: now })
				.map_err(|_| Error::<T>::TooManyWithdrawRequests)?;
		}
		Self::store_position(who, position);
		Self::deposit_event(Event::WithdrawRequested {
			who: who.clone(),
			shares,
			unlocks_at: now.saturating_add(delay),
		});
		Ok(())
	}

	/// Burns `shares` of `who` and pays their value, rounded down, out of
	/// the free liquidity.
	pub(crate) fn do_withdraw(who: &T::AccountId, shares: Balance) -> DispatchResult {
		ensure!(!shares.is_zero(), Error::<T>::ZeroAmount);
		let mut pool = Self::rolled_pool();
		let mut position = Self::position_of(who, &pool);
		ensure!(shares <= position.shares, Error::<T>::InsufficientShares);
		let withdrawable = Self::withdrawable_of(&position, WithdrawDelay::<T>::get(), Self::now());
		ensure!(shares <= withdrawable, Error::<T>::WithdrawalLocked);
		let amount = Self::value_of(&pool, shares);
		ensure!(!amount.is_zero(), Error::<T>::WithdrawalTooSmall);
		ensure!(amount <= Self::free_of(&pool), Error::<T>::InsufficientFreeLiquidity);
		Self::take_shares(&mut position, shares)?;
		pool.assets = pool.assets.checked_sub(amount).ok_or(Error::<T>::LedgerExceedsAccount)?;
		pool.shares = pool.shares.checked_sub(shares).ok_or(Error::<T>::InsufficientShares)?;
		Self::push(who, amount)?;
		Pool::<T>::put(pool);
		Self::store_position(who, position);
		Self::deposit_event(Event::Withdrawn { who: who.clone(), shares, amount });
		Ok(())
	}

	/// Cancels every withdrawal request of `who`.
	pub(crate) fn do_cancel_withdrawals(who: &T::AccountId) -> DispatchResult {
		let pool = Pool::<T>::get();
		let mut position = Self::position_of(who, &pool);
		ensure!(!position.requests.is_empty(), Error::<T>::NoWithdrawRequests);
		let shares = Self::requested_of(&position);
		position.requests.clear();
		Self::store_position(who, position);
		Self::deposit_event(Event::WithdrawalsCancelled { who: who.clone(), shares });
		Ok(())
	}

	/// Draws `amount` of credit for the external protocol `who`.
	pub(crate) fn do_draw_credit(who: &T::AccountId, amount: Balance) -> DispatchResult {
		ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
		Self::do_draw(ProtocolId::External(who.clone()), amount)
	}

	/// Repays `amount` for the external protocol `who`: fees owed first (pool
	/// income), then drawn principal.
	pub(crate) fn do_repay_credit(who: &T::AccountId, amount: Balance) -> DispatchResult {
		ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
		let id = ProtocolId::External(who.clone());
		let mut protocol = Self::protocol(&id)?;
		let mut pool = Self::rolled_pool();
		Self::accrue(&id, &mut protocol, &pool);
		let owed = protocol.fees_owed.checked_add(protocol.drawn).ok_or(Error::<T>::Overflow)?;
		ensure!(amount <= owed, Error::<T>::ExceedsDebt);
		let credited = Self::pull(who, amount)?;
		let fees = credited.min(protocol.fees_owed);
		// `fees <= credited`, and `credited - fees <= drawn` as `amount <= owed`.
		let principal = credited.saturating_sub(fees);
		protocol.fees_owed = protocol.fees_owed.saturating_sub(fees);
		protocol.drawn = protocol.drawn.checked_sub(principal).ok_or(Error::<T>::ExceedsDebt)?;
		pool.drawn = pool.drawn.checked_sub(principal).ok_or(Error::<T>::LedgerExceedsAccount)?;
		pool.lent = pool.lent.checked_sub(principal).ok_or(Error::<T>::LedgerExceedsAccount)?;
		pool.assets = pool.assets.checked_add(fees).ok_or(Error::<T>::Overflow)?;
		Protocols::<T>::insert(&id, protocol);
		Pool::<T>::put(pool);
		Self::deposit_event(Event::CreditRepaid { protocol: id, fees, principal });
		Ok(())
	}

	/// Registers `id` with `terms`, active, its fees accruing from now.
	pub(crate) fn do_register_protocol(
		id: ProtocolId<T::AccountId>,
		terms: ProtocolTerms,
	) -> DispatchResult {
		Self::ensure_terms_in_bounds(&terms)?;
		ensure!(!Protocols::<T>::contains_key(&id), Error::<T>::ProtocolExists);
		ensure!(Protocols::<T>::count() < T::MaxProtocols::get(), Error::<T>::TooManyProtocols);
		let pool = Self::rolled_pool();
		let protocol = Protocol {
			terms,
			status: ProtocolStatus::Active,
			accrued_at: pool.indexed_at,
			index_at: pool.utilization_index,
			..Default::default()
		};
		Protocols::<T>::insert(&id, protocol);
		Pool::<T>::put(pool);
		Self::deposit_event(Event::ProtocolRegistered { protocol: id, terms });
		Ok(())
	}

	/// Sets the terms of `id`, after charging the fees accrued under the old
	/// ones; freezes it if its losses reach the new loss cap.
	pub(crate) fn do_set_protocol_terms(
		id: ProtocolId<T::AccountId>,
		terms: ProtocolTerms,
	) -> DispatchResult {
		Self::ensure_terms_in_bounds(&terms)?;
		let mut protocol = Self::protocol(&id)?;
		let pool = Self::rolled_pool();
		Self::accrue(&id, &mut protocol, &pool);
		protocol.terms = terms;
		Self::deposit_event(Event::ProtocolTermsSet { protocol: id.clone(), terms });
		Self::freeze_if_capped(&id, &mut protocol);
		Protocols::<T>::insert(&id, protocol);
		Pool::<T>::put(pool);
		Ok(())
	}

	/// Moves `id` to `status`. Reactivation needs the losses below the loss
	/// cap; retirement needs every obligation settled.
	pub(crate) fn do_set_protocol_status(
		id: ProtocolId<T::AccountId>,
		status: ProtocolStatus,
	) -> DispatchResult {
		let mut protocol = Self::protocol(&id)?;
		let from = protocol.status;
		ensure!(from != status, Error::<T>::StatusUnchanged);
		let pool = Self::rolled_pool();
		Self::accrue(&id, &mut protocol, &pool);
		match status {
			ProtocolStatus::Active => {
				ensure!(!protocol.loss_cap_reached(), Error::<T>::LossCapReached)
			},
			ProtocolStatus::Retired => {
				ensure!(protocol.credit_used().is_zero(), Error::<T>::HasObligations)
			},
			ProtocolStatus::Frozen => {},
		}
		protocol.status = status;
		Protocols::<T>::insert(&id, protocol);
		Pool::<T>::put(pool);
		Self::deposit_event(Event::ProtocolStatusChanged { protocol: id, from, to: status });
		Ok(())
	}

	/// Removes the retired protocol `id`.
	pub(crate) fn do_deregister_protocol(id: ProtocolId<T::AccountId>) -> DispatchResult {
		let protocol = Self::protocol(&id)?;
		ensure!(protocol.status == ProtocolStatus::Retired, Error::<T>::NotRetired);
		// A retired protocol cannot draw, so it cannot owe anything; checked
		// all the same, as deregistering forgets it.
		ensure!(protocol.credit_used().is_zero(), Error::<T>::HasObligations);
		Protocols::<T>::remove(&id);
		Self::deposit_event(Event::ProtocolDeregistered { protocol: id });
		Ok(())
	}

	/// Writes off `amount` of what `id` owes: fees first (forgiven: they were
	/// never counted in the assets), then the principal lent to an external
	/// protocol (taken out of the assets) or the debt of a market (already
	/// paid out). The written-off principal or debt is a loss of the
	/// protocol and counts towards its loss cap.
	pub(crate) fn do_write_off(id: ProtocolId<T::AccountId>, amount: Balance) -> DispatchResult {
		ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
		let mut protocol = Self::protocol(&id)?;
		let mut pool = Self::rolled_pool();
		Self::accrue(&id, &mut protocol, &pool);
		let principal_owed = match id {
			ProtocolId::External(_) => protocol.drawn,
			ProtocolId::Market(_) => protocol.debt,
		};
		let owed = protocol.fees_owed.checked_add(principal_owed).ok_or(Error::<T>::Overflow)?;
		ensure!(amount <= owed, Error::<T>::ExceedsDebt);
		let fees = amount.min(protocol.fees_owed);
		// `principal <= principal_owed` as `amount <= owed`.
		let principal = amount.saturating_sub(fees);
		protocol.fees_owed = protocol.fees_owed.saturating_sub(fees);
		match id {
			ProtocolId::External(_) => {
				protocol.drawn =
					protocol.drawn.checked_sub(principal).ok_or(Error::<T>::ExceedsDebt)?;
				pool.drawn =
					pool.drawn.checked_sub(principal).ok_or(Error::<T>::LedgerExceedsAccount)?;
				pool.lent =
					pool.lent.checked_sub(principal).ok_or(Error::<T>::LedgerExceedsAccount)?;
				pool.assets =
					pool.assets.checked_sub(principal).ok_or(Error::<T>::LedgerExceedsAccount)?;
			},
			ProtocolId::Market(_) => {
				protocol.debt =
					protocol.debt.checked_sub(principal).ok_or(Error::<T>::ExceedsDebt)?;
			},
		}
		protocol.losses = protocol.losses.checked_add(principal).ok_or(Error::<T>::Overflow)?;
		Self::deposit_event(Event::WrittenOff {
			protocol: id.clone(),
			fees_forgiven: fees,
			debt_written_off: principal,
		});
		Self::freeze_if_capped(&id, &mut protocol);
		Protocols::<T>::insert(&id, protocol);
		Pool::<T>::put(pool);
		Ok(())
	}

	/// Sets the minimum deposit.
	pub(crate) fn do_set_min_deposit(amount: Balance) -> DispatchResult {
		ensure!(amount <= T::MaxMinDeposit::get(), Error::<T>::MinDepositTooHigh);
		MinDeposit::<T>::put(amount);
		Self::deposit_event(Event::MinDepositSet { amount });
		Ok(())
	}

	/// Sets the withdrawal delay.
	pub(crate) fn do_set_withdraw_delay(blocks: BlockNumberFor<T>) -> DispatchResult {
		ensure!(blocks <= T::MaxWithdrawDelay::get(), Error::<T>::WithdrawDelayTooLong);
		WithdrawDelay::<T>::put(blocks);
		Self::deposit_event(Event::WithdrawDelaySet { blocks });
		Ok(())
	}
}
