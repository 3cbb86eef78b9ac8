//! The logic of the calls: liquidity providers' deposits and withdrawals,
//! external protocols' draws and repayments, and governance.

use super::*;
use backstop_primitives::{
	governance::{Authority, Direction},
	Balance, CounterpartyExposure, RevenueKind, RevenueSink,
};
use frame_support::{defensive, pallet_prelude::*, traits::fungible::Inspect};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::traits::{Saturating, Zero};

impl<T: Config> Pallet<T> {
	/// Deposits `amount` from `who` and mints shares at the net asset value
	/// per share before the deposit, rounded down. Refused while the net
	/// asset value cannot be computed or is not positive with shares in
	/// issue, and while a market's deficit waits for auto-deleveraging (the
	/// net asset value then understates the pool).
	pub(crate) fn do_deposit(who: &T::AccountId, amount: Balance) -> DispatchResult {
		ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
		ensure!(amount >= MinDeposit::<T>::get(), Error::<T>::BelowMinDeposit);
		let exposure = T::Exposure::total_exposure().map_err(|_| Error::<T>::NavUnavailable)?;
		ensure!(exposure.deficit.is_zero(), Error::<T>::DeficitPending);
		let mut pool = Self::rolled_pool();
		let nav = if pool.shares.is_zero() {
			// No shares: the first deposit is priced at one; a pool that owes
			// more than it holds takes no deposit at all.
			ensure!(Self::nav_of(&pool)? >= 0, Error::<T>::PoolInsolvent);
			Zero::zero()
		} else {
			Self::positive_nav(&pool)?
		};
		let share_price = Self::price_of(&pool, nav);
		let credited = Self::pull(who, amount)?;
		let shares = Self::shares_for(&pool, nav, credited)?;
		ensure!(!shares.is_zero(), Error::<T>::DepositTooSmall);
		let mut position = Self::position_of(who);
		position.shares = position.shares.checked_add(shares).ok_or(Error::<T>::Overflow)?;
		pool.cash = pool.cash.checked_add(credited).ok_or(Error::<T>::Overflow)?;
		pool.shares = pool.shares.checked_add(shares).ok_or(Error::<T>::Overflow)?;
		Pool::<T>::put(pool);
		Self::store_position(who, position);
		Self::deposit_event(Event::Deposited {
			who: who.clone(),
			amount: credited,
			shares,
			share_price,
		});
		Ok(())
	}

	/// Files a request to withdraw `shares` of `who`, recording today's net
	/// asset value per share. A second request in the same block adds to
	/// the first at the lower of the two prices.
	pub(crate) fn do_request_withdraw(who: &T::AccountId, shares: Balance) -> DispatchResult {
		ensure!(!shares.is_zero(), Error::<T>::ZeroAmount);
		let pool = Pool::<T>::get();
		let mut position = Self::position_of(who);
		Self::drop_lapsed(who, &mut position);
		let unrequested = position.shares.saturating_sub(Self::requested_of(&position));
		ensure!(shares <= unrequested, Error::<T>::InsufficientShares);
		// A pool worth nothing cannot promise a price: the request would
		// never pay out.
		let nav = Self::positive_nav(&pool)?;
		let share_price = Self::price_of(&pool, nav);
		let now = Self::now();
		let same_block = position.requests.last().is_some_and(|last| last.requested_at == now);
		let request = if same_block {
			let last = position.requests.last_mut().ok_or(Error::<T>::Overflow)?;
			last.shares = last.shares.checked_add(shares).ok_or(Error::<T>::Overflow)?;
			last.share_price = last.share_price.min(share_price);
			*last
		} else {
			let request = WithdrawRequest { shares, requested_at: now, share_price };
			position.requests.try_push(request).map_err(|_| Error::<T>::TooManyWithdrawRequests)?;
			request
		};
		Self::store_position(who, position);
		Self::deposit_event(Event::WithdrawRequested {
			who: who.clone(),
			shares,
			share_price,
			unlocks_at: Self::unlocks_at(&request),
			lapses_at: Self::lapses_at(&request),
		});
		Ok(())
	}

	/// Burns `shares` of `who` under withdrawable requests and pays them at
	/// the lower of the request's and today's net asset value per share,
	/// out of the free cash. What the lower price leaves stays with the
	/// liquidity providers who remain.
	pub(crate) fn do_withdraw(who: &T::AccountId, shares: Balance) -> DispatchResult {
		ensure!(!shares.is_zero(), Error::<T>::ZeroAmount);
		let mut pool = Self::rolled_pool();
		let mut position = Self::position_of(who);
		ensure!(shares <= position.shares, Error::<T>::InsufficientShares);
		ensure!(shares <= Self::withdrawable_of(&position), Error::<T>::WithdrawalLocked);
		let nav = Self::nav_of(&pool)?.max(0).unsigned_abs();
		let amount = Self::take_withdrawable(&mut position, &pool, nav, shares)?;
		ensure!(!amount.is_zero(), Error::<T>::WithdrawalTooSmall);
		ensure!(amount <= Self::free_of(&pool), Error::<T>::InsufficientFreeLiquidity);
		pool.cash = pool.cash.checked_sub(amount).ok_or(Error::<T>::LedgerExceedsAccount)?;
		pool.shares = pool.shares.checked_sub(shares).ok_or(Error::<T>::InsufficientShares)?;
		Self::push(who, amount)?;
		Self::drop_lapsed(who, &mut position);
		Pool::<T>::put(pool);
		Self::store_position(who, position);
		Self::deposit_event(Event::Withdrawn { who: who.clone(), shares, amount });
		Ok(())
	}

	/// Cancels every withdrawal request of `who`.
	pub(crate) fn do_cancel_withdrawals(who: &T::AccountId) -> DispatchResult {
		let mut position = Self::position_of(who);
		ensure!(!position.requests.is_empty(), Error::<T>::NoWithdrawRequests);
		let shares = Self::requested_of(&position);
		position.requests.clear();
		Self::store_position(who, position);
		Self::deposit_event(Event::WithdrawalsCancelled { who: who.clone(), shares });
		Ok(())
	}

	/// Draws `amount` of credit for the external protocol `who`: within its
	/// credit cap (principal plus fees), what is left of its loss cap and the
	/// pool's free cash, only while active and not impaired. The first draw
	/// with nothing outstanding sets the due block to the term from now.
	pub(crate) fn do_draw_credit(who: &T::AccountId, amount: Balance) -> DispatchResult {
		ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
		let id = ProtocolId::External(who.clone());
		let mut protocol = Self::protocol(&id)?;
		Self::ensure_active(&protocol)?;
		let now = Self::now();
		ensure!(!protocol.impaired(now), Error::<T>::CreditImpaired);
		let mut pool = Self::rolled_pool();
		Self::accrue(&id, &mut protocol, &pool);
		let drawn = protocol.drawn.checked_add(amount).ok_or(Error::<T>::Overflow)?;
		let used = drawn.checked_add(protocol.fees_owed).ok_or(Error::<T>::Overflow)?;
		ensure!(used <= protocol.terms.credit_cap, Error::<T>::CreditCapExceeded);
		ensure!(drawn <= protocol.loss_headroom(), Error::<T>::LossCapExceeded);
		ensure!(amount <= Self::free_of(&pool), Error::<T>::InsufficientFreeLiquidity);
		let due_at = match protocol.due_at {
			Some(due) => due,
			None => now.saturating_add(BlockNumberFor::<T>::from(protocol.terms.term)),
		};
		protocol.drawn = drawn;
		protocol.due_at = Some(due_at);
		pool.cash = pool.cash.checked_sub(amount).ok_or(Error::<T>::InsufficientFreeLiquidity)?;
		pool.lent = pool.lent.checked_add(amount).ok_or(Error::<T>::Overflow)?;
		Self::push(who, amount)?;
		Protocols::<T>::insert(&id, protocol);
		Pool::<T>::put(pool);
		Self::deposit_event(Event::CreditDrawn { protocol: id, amount, drawn, due_at });
		Ok(())
	}

	/// Repays `amount` for the external protocol `who`: fees owed first
	/// (income of the pool, real money), then principal. A protocol that has
	/// repaid all its principal has no due block any more.
	pub(crate) fn do_repay_credit(who: &T::AccountId, amount: Balance) -> DispatchResult {
		ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
		let id = ProtocolId::External(who.clone());
		let mut protocol = Self::protocol(&id)?;
		let mut pool = Self::rolled_pool();
		Self::accrue(&id, &mut protocol, &pool);
		ensure!(amount <= protocol.obligations(), Error::<T>::ExceedsDebt);
		let credited = Self::pull(who, amount)?;
		let fees = credited.min(protocol.fees_owed);
		// `fees <= credited`, and `credited - fees <= drawn` as `amount <= owed`.
		let principal = credited.saturating_sub(fees);
		protocol.fees_owed = protocol.fees_owed.saturating_sub(fees);
		protocol.drawn = protocol.drawn.checked_sub(principal).ok_or(Error::<T>::ExceedsDebt)?;
		if protocol.drawn.is_zero() {
			protocol.due_at = None;
		}
		pool.lent = pool.lent.checked_sub(principal).ok_or(Error::<T>::LedgerExceedsAccount)?;
		pool.cash = pool.cash.checked_add(credited).ok_or(Error::<T>::Overflow)?;
		Protocols::<T>::insert(&id, protocol);
		Pool::<T>::put(pool);
		Self::deposit_event(Event::CreditRepaid { protocol: id, fees, principal });
		Ok(())
	}

	/// Registers `id` with `terms`, active, its fees accruing from now.
	/// Governance only (the guardian is refused); not step-bounded (there is
	/// no old value), the hard limits bind every authority. Records the
	/// terms' change.
	pub(crate) fn do_register_protocol(
		authority: Authority,
		id: ProtocolId<T::AccountId>,
		terms: ProtocolTerms,
	) -> DispatchResult {
		Self::ensure_terms_in_bounds(&id, &terms)?;
		ensure!(!Protocols::<T>::contains_key(&id), Error::<T>::ProtocolExists);
		ensure!(Protocols::<T>::count() < T::MaxProtocols::get(), Error::<T>::TooManyProtocols);
		let key = ParamKey::Terms(id.clone());
		Self::ensure_may_change(
			authority,
			Direction::governance_only(),
			true,
			Self::last_change(&key),
		)?;
		Self::note_change(&key);
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
	/// ones; freezes it if its losses reach the new loss cap. A market's
	/// reservation keeps its amount until the market next reports its open
	/// interest.
	///
	/// Each field is classified ([`Pallet::classify_terms`]): the guardian
	/// may only tighten, the risk track and the guardian move each field by
	/// at most `MaxParamStep` and at most once per `MinChangeInterval`. The
	/// change is recorded when a field changed.
	pub(crate) fn do_set_protocol_terms(
		authority: Authority,
		id: ProtocolId<T::AccountId>,
		terms: ProtocolTerms,
	) -> DispatchResult {
		Self::ensure_terms_in_bounds(&id, &terms)?;
		let mut protocol = Self::protocol(&id)?;
		let key = ParamKey::Terms(id.clone());
		let (direction, within_step) = Self::classify_terms(&protocol.terms, &terms);
		Self::ensure_may_change(authority, direction, within_step, Self::last_change(&key))?;
		if protocol.terms != terms {
			Self::note_change(&key);
		}
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
	/// cap; retirement needs every obligation settled and no reservation.
	///
	/// Freezing an active protocol is a discrete defensive action: every
	/// authority, the guardian included, may do it at once (no interval).
	/// Every other move (unfreezing, retiring: the pool stops covering the
	/// protocol's losses, which fall to the next tier; leaving retirement) is
	/// a loosening, and waits `MinChangeInterval` from the last status change
	/// for the risk track. The change is recorded.
	pub(crate) fn do_set_protocol_status(
		authority: Authority,
		id: ProtocolId<T::AccountId>,
		status: ProtocolStatus,
	) -> DispatchResult {
		let mut protocol = Self::protocol(&id)?;
		let from = protocol.status;
		ensure!(from != status, Error::<T>::StatusUnchanged);
		let key = ParamKey::Status(id.clone());
		if from == ProtocolStatus::Active && status == ProtocolStatus::Frozen {
			Self::ensure_may_change(authority, Direction::Tighten, true, None)?;
		} else {
			Self::ensure_may_change(authority, Direction::Loosen, true, Self::last_change(&key))?;
		}
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
		Self::note_change(&key);
		protocol.status = status;
		Protocols::<T>::insert(&id, protocol);
		Pool::<T>::put(pool);
		Self::deposit_event(Event::ProtocolStatusChanged { protocol: id, from, to: status });
		Ok(())
	}

	/// Removes the retired protocol `id`, with its change records.
	///
	/// Governance only: it reduces no risk (a retired protocol is covered
	/// for nothing and owes nothing), and it forgets the protocol's losses,
	/// so that registering it again would give it a fresh loss cap. The risk
	/// track waits `MinChangeInterval` from the retirement.
	pub(crate) fn do_deregister_protocol(
		authority: Authority,
		id: ProtocolId<T::AccountId>,
	) -> DispatchResult {
		let protocol = Self::protocol(&id)?;
		ensure!(protocol.status == ProtocolStatus::Retired, Error::<T>::NotRetired);
		// A retired protocol cannot draw, so it cannot owe anything; checked
		// all the same, as deregistering forgets it.
		ensure!(protocol.credit_used().is_zero(), Error::<T>::HasObligations);
		let status_key = ParamKey::Status(id.clone());
		Self::ensure_may_change(
			authority,
			Direction::governance_only(),
			true,
			Self::last_change(&status_key),
		)?;
		ParamChangedAt::<T>::remove(&status_key);
		ParamChangedAt::<T>::remove(ParamKey::Terms(id.clone()));
		Protocols::<T>::remove(&id);
		Self::deposit_event(Event::ProtocolDeregistered { protocol: id });
		Ok(())
	}

	/// Writes off up to `amount` of what the external protocol `id` owes:
	/// fees first (forgiven: they were never counted as the pool's), then
	/// principal, bounded by what is left of its loss cap. The principal
	/// written off is a loss of the protocol; what the bound leaves stays its
	/// recorded debt (repayable; valued at zero while impaired). The
	/// protocol is frozen.
	///
	/// Governance only (it forgives fees and spends the loss cap). No step
	/// and no interval: it is an action on a debt, not a parameter, and a
	/// default may need several write-offs as its size becomes known.
	pub(crate) fn do_write_off(
		authority: Authority,
		id: ProtocolId<T::AccountId>,
		amount: Balance,
	) -> DispatchResult {
		ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
		ensure!(matches!(id, ProtocolId::External(_)), Error::<T>::NotExternal);
		let mut protocol = Self::protocol(&id)?;
		Self::ensure_may_change(authority, Direction::governance_only(), true, None)?;
		let mut pool = Self::rolled_pool();
		Self::accrue(&id, &mut protocol, &pool);
		ensure!(amount <= protocol.obligations(), Error::<T>::ExceedsDebt);
		let fees = amount.min(protocol.fees_owed);
		// `amount - fees <= drawn` as `amount <= owed`.
		let principal = amount.saturating_sub(fees).min(protocol.loss_headroom());
		protocol.fees_owed = protocol.fees_owed.saturating_sub(fees);
		protocol.drawn = protocol.drawn.checked_sub(principal).ok_or(Error::<T>::ExceedsDebt)?;
		if protocol.drawn.is_zero() {
			protocol.due_at = None;
		}
		pool.lent = pool.lent.checked_sub(principal).ok_or(Error::<T>::LedgerExceedsAccount)?;
		protocol.losses = protocol.losses.checked_add(principal).ok_or(Error::<T>::Overflow)?;
		Self::deposit_event(Event::WrittenOff {
			protocol: id.clone(),
			fees_forgiven: fees,
			principal_written_off: principal,
			still_owed: protocol.drawn,
		});
		Self::freeze(&id, &mut protocol);
		Protocols::<T>::insert(&id, protocol);
		Pool::<T>::put(pool);
		Ok(())
	}

	/// Sets the minimum deposit. Governance only, step-bounded: neither
	/// direction protects the liquidity providers from a loss (it only keeps
	/// dust out, or lets small deposits in).
	pub(crate) fn do_set_min_deposit(authority: Authority, amount: Balance) -> DispatchResult {
		ensure!(amount <= T::MaxMinDeposit::get(), Error::<T>::MinDepositTooHigh);
		let old = MinDeposit::<T>::get();
		let key = ParamKey::MinDeposit;
		Self::ensure_may_change(
			authority,
			if old == amount { Direction::Unchanged } else { Direction::governance_only() },
			Self::within_param_step(old, amount),
			Self::last_change(&key),
		)?;
		if old != amount {
			Self::note_change(&key);
		}
		MinDeposit::<T>::put(amount);
		Self::deposit_event(Event::MinDepositSet { amount });
		Ok(())
	}

	/// Sets the withdrawal delay. Longer is tighter: a withdrawer stays in
	/// the pool, sharing its losses, for longer after asking to leave, so
	/// fewer can run ahead of a loss the others then bear (it applies to
	/// pending requests too). Step-bounded.
	pub(crate) fn do_set_withdraw_delay(
		authority: Authority,
		blocks: BlockNumberFor<T>,
	) -> DispatchResult {
		ensure!(
			!blocks.is_zero() && blocks <= T::MaxWithdrawDelay::get(),
			Error::<T>::WithdrawDelayOutOfBounds
		);
		let old = WithdrawDelay::<T>::get();
		let key = ParamKey::WithdrawDelay;
		Self::ensure_may_change(
			authority,
			Direction::higher_is_tighter(old, blocks),
			Self::blocks_within_step(old, blocks),
			Self::last_change(&key),
		)?;
		if old != blocks {
			Self::note_change(&key);
		}
		WithdrawDelay::<T>::put(blocks);
		Self::deposit_event(Event::WithdrawDelaySet { blocks });
		Ok(())
	}

	/// Sets the withdrawal window. Shorter is tighter: a long window lets an
	/// LP keep a request standing, ready to leave the moment a loss is in
	/// sight and before it is recognised; a shorter one makes requests lapse
	/// (it applies to pending requests too). Step-bounded.
	pub(crate) fn do_set_withdraw_window(
		authority: Authority,
		blocks: BlockNumberFor<T>,
	) -> DispatchResult {
		ensure!(
			!blocks.is_zero() && blocks <= T::MaxWithdrawWindow::get(),
			Error::<T>::WithdrawWindowOutOfBounds
		);
		let old = WithdrawWindow::<T>::get();
		let key = ParamKey::WithdrawWindow;
		Self::ensure_may_change(
			authority,
			Direction::lower_is_tighter(old, blocks),
			Self::blocks_within_step(old, blocks),
			Self::last_change(&key),
		)?;
		if old != blocks {
			Self::note_change(&key);
		}
		WithdrawWindow::<T>::put(blocks);
		Self::deposit_event(Event::WithdrawWindowSet { blocks });
		Ok(())
	}

	/// Sweeps the excess of the pallet account to `T::ExcessSink`.
	/// Maintenance: any authority, the guardian included, with no step and
	/// no interval (the destination is fixed, and the pool's cash and buffer
	/// are never swept).
	pub(crate) fn do_sweep_excess(authority: Authority) -> DispatchResult {
		Self::ensure_may_change(authority, Direction::Unchanged, true, None)?;
		let excess = Self::excess();
		ensure!(!excess.is_zero(), Error::<T>::NoExcess);
		let account = Self::account_id();
		let before = T::Currency::balance(&account);
		T::ExcessSink::receive(0, RevenueKind::Unsolicited, &account, excess)?;
		let after = T::Currency::balance(&account);
		// A sink may take less than offered, never the pool's cash or buffer
		// (the call is transactional: refusing undoes the transfer).
		// `excess <= before`: it is part of what the account holds.
		if after < before.saturating_sub(excess) {
			defensive!("the excess sink took more than the excess");
			return Err(Error::<T>::LedgerExceedsAccount.into());
		}
		let taken = before.saturating_sub(after);
		ensure!(!taken.is_zero(), Error::<T>::NoExcess);
		Self::deposit_event(Event::ExcessSwept { amount: taken });
		Ok(())
	}

	/// Refuses anything but an active protocol.
	pub(crate) fn ensure_active(protocol: &Protocol<BlockNumberFor<T>>) -> DispatchResult {
		match protocol.status {
			ProtocolStatus::Active => Ok(()),
			ProtocolStatus::Frozen => Err(Error::<T>::ProtocolFrozen.into()),
			ProtocolStatus::Retired => Err(Error::<T>::ProtocolRetired.into()),
		}
	}
}
