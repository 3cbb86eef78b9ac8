//! The logic behind the calls.

use super::*;
use crate::staker_impls::Settled;
use backstop_primitives::{governance::Authority, Balance, RevenueKind, RevenueSink};
use frame_support::{defensive, pallet_prelude::*, traits::fungible::Inspect};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::traits::{CheckedAdd, Zero};

impl<T: Config> Pallet<T> {
	/// Deposits `amount` from `who` into `tranche` and mints shares for it.
	pub(crate) fn do_stake(
		who: &T::AccountId,
		tranche: Tranche,
		amount: Balance,
	) -> DispatchResult {
		ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
		let params = Params::<T>::get(tranche);
		ensure!(amount >= params.min_stake, Error::<T>::BelowMinStake);
		Self::ensure_buffer()?;
		let mut state = Self::load_staker(who, tranche)?;
		let shares = Self::credit_stake(&mut state, amount)?;
		Self::pull(who, amount)?;
		let share_price = math::share_price(state.ledger.assets, state.ledger.shares);
		Self::store_staker(state)?;
		Self::deposit_event(Event::Staked {
			who: who.clone(),
			tranche,
			amount,
			shares,
			share_price,
		});
		Ok(())
	}

	/// Moves `shares` of `who`'s earning shares in `tranche` into a new
	/// unstake request, recording their value now. At most one open request
	/// per staker and tranche.
	pub(crate) fn do_request_unstake(
		who: &T::AccountId,
		tranche: Tranche,
		shares: Balance,
	) -> DispatchResult {
		ensure!(!shares.is_zero(), Error::<T>::ZeroShareCount);
		let params = Params::<T>::get(tranche);
		let mut state = Self::load_staker(who, tranche)?;
		ensure!(state.request.is_none(), Error::<T>::UnstakeAlreadyRequested);
		ensure!(state.position.shares >= shares, Error::<T>::InsufficientShares);
		let value = math::value_of(shares, state.ledger.assets, state.ledger.shares);
		let now = frame_system::Pallet::<T>::block_number();
		let unlock_at = now.checked_add(&params.cooldown).ok_or(Error::<T>::Overflow)?;
		let expires_at =
			unlock_at.checked_add(&params.unstake_window).ok_or(Error::<T>::Overflow)?;
		let request_id = NextRequestId::<T>::get();
		NextRequestId::<T>::put(request_id.checked_add(1).ok_or(Error::<T>::Overflow)?);

		state.position.shares =
			state.position.shares.checked_sub(shares).ok_or(Error::<T>::InsufficientShares)?;
		state.ledger.earning_shares = state
			.ledger
			.earning_shares
			.checked_sub(shares)
			.ok_or(Error::<T>::LedgerInconsistent)?;
		state.request = Some(UnstakeRequest {
			id: request_id,
			epoch: state.ledger.epoch,
			shares,
			value,
			unlock_at,
			expires_at,
		});
		Self::store_staker(state)?;
		Self::deposit_event(Event::UnstakeRequested {
			who: who.clone(),
			tranche,
			request_id,
			shares,
			value,
			unlock_at,
			expires_at,
		});
		Ok(())
	}

	/// Cancels `who`'s request `request_id` in `tranche`; its shares earn
	/// again. A request that lapsed (shares already back to earning) or was
	/// voided (shares worthless) while the state was loaded counts as
	/// cancelled.
	pub(crate) fn do_cancel_unstake(
		who: &T::AccountId,
		tranche: Tranche,
		request_id: u64,
	) -> DispatchResult {
		let mut state = Self::load_staker(who, tranche)?;
		match state.take_request(request_id) {
			Some(request) => {
				state.add_earning(request.shares)?;
				Self::store_staker(state)?;
				Self::deposit_event(Event::UnstakeCancelled {
					who: who.clone(),
					tranche,
					request_id,
					shares: request.shares,
				});
				Ok(())
			},
			None => {
				ensure!(state.settled_as(request_id).is_some(), Error::<T>::UnknownUnstakeRequest);
				Self::store_staker(state)
			},
		}
	}

	/// Pays `who`'s unlocked request `request_id` in `tranche` the lower of
	/// its value at request and its value now (both rounded down) and burns
	/// its shares. What the shares are worth now beyond the payout stays in
	/// the tranche's assets, for the remaining holders.
	pub(crate) fn do_unstake(
		who: &T::AccountId,
		tranche: Tranche,
		request_id: u64,
	) -> DispatchResult {
		let mut state = Self::load_staker(who, tranche)?;
		let Some(request) = state.take_request(request_id) else {
			return match state.settled_as(request_id) {
				// Worthless shares: nothing to pay; the request is gone.
				Some(Settled::Voided) => Self::store_staker(state),
				Some(Settled::Lapsed) => Err(Error::<T>::UnstakeWindowClosed.into()),
				None => Err(Error::<T>::UnknownUnstakeRequest.into()),
			};
		};
		let now = frame_system::Pallet::<T>::block_number();
		ensure!(now >= request.unlock_at, Error::<T>::CooldownNotElapsed);
		let ledger = &mut state.ledger;
		let value_now = math::value_of(request.shares, ledger.assets, ledger.shares);
		let amount = value_now.min(request.value);
		let left_in_tranche = value_now.saturating_sub(amount);
		ledger.assets = ledger.assets.checked_sub(amount).ok_or(Error::<T>::LedgerInconsistent)?;
		ledger.shares =
			ledger.shares.checked_sub(request.shares).ok_or(Error::<T>::LedgerInconsistent)?;
		if ledger.shares.is_zero() && !ledger.assets.is_zero() {
			// The last holder left at their lower value at request: nobody is
			// left to hold the rest, which goes to the rewards.
			let rest = core::mem::take(&mut ledger.assets);
			Undistributed::<T>::try_mutate(|undistributed| -> DispatchResult {
				*undistributed = undistributed.checked_add(rest).ok_or(Error::<T>::Overflow)?;
				Ok(())
			})?;
		}
		if !amount.is_zero() {
			Self::push(who, amount)?;
		}
		Self::store_staker(state)?;
		Self::deposit_event(Event::Unstaked {
			who: who.clone(),
			tranche,
			request_id,
			shares: request.shares,
			amount,
			left_in_tranche,
		});
		Ok(())
	}

	/// Pays `who`'s rewards earned in `tranche`.
	pub(crate) fn do_claim_rewards(who: &T::AccountId, tranche: Tranche) -> DispatchResult {
		let mut state = Self::load_staker(who, tranche)?;
		let amount = state.position.pending_rewards;
		ensure!(!amount.is_zero(), Error::<T>::NothingToClaim);
		state.position.pending_rewards = Zero::zero();
		RewardPot::<T>::try_mutate(|pot| -> DispatchResult {
			*pot = pot.checked_sub(amount).ok_or(Error::<T>::LedgerInconsistent)?;
			Ok(())
		})?;
		Self::push(who, amount)?;
		Self::store_staker(state)?;
		Self::deposit_event(Event::RewardsClaimed { who: who.clone(), tranche, amount });
		Ok(())
	}

	/// Sets the parameters of `tranche` within the hard limits. Classified
	/// field by field (see [`Pallet::classify_tranche_params`]): the guardian
	/// may lengthen the cooldown and shorten the window; every other change
	/// is governance only; every field is step-bounded. Records the change
	/// when a field changes.
	pub(crate) fn do_set_tranche_params(
		authority: Authority,
		tranche: Tranche,
		params: TrancheParams<BlockNumberFor<T>>,
	) -> DispatchResult {
		Self::ensure_params_in_bounds(&params)?;
		let old = Params::<T>::get(tranche);
		let key = ParamKey::TrancheParams(tranche);
		Self::ensure_may_change(
			authority,
			Self::classify_tranche_params(&old, &params),
			Self::last_change(key),
		)?;
		if old != params {
			Self::note_change(key);
		}
		Params::<T>::insert(tranche, params);
		Self::deposit_event(Event::TrancheParamsSet { tranche, params });
		Ok(())
	}

	/// Sets the premium parameters within the hard limits. Governance only,
	/// each field step-bounded (see [`Pallet::classify_premium_params`]).
	/// Records the change when a field changes.
	pub(crate) fn do_set_premium_params(
		authority: Authority,
		params: PremiumParams,
	) -> DispatchResult {
		Self::ensure_premium_valid(&params)?;
		let old = Premium::<T>::get();
		let key = ParamKey::PremiumParams;
		Self::ensure_may_change(
			authority,
			Self::classify_premium_params(&old, &params),
			Self::last_change(key),
		)?;
		if old != params {
			Self::note_change(key);
		}
		Premium::<T>::put(params);
		Self::deposit_event(Event::PremiumParamsSet { params });
		Ok(())
	}

	/// Sweeps the excess of the pallet account to `T::ExcessSink`.
	/// Maintenance: any authority, the guardian included, with no step and
	/// no interval (no parameter changes; the money only moves to the
	/// insurance fund).
	pub(crate) fn do_sweep_excess() -> DispatchResult {
		let excess = Self::excess();
		ensure!(!excess.is_zero(), Error::<T>::NoExcess);
		let account = Self::account_id();
		let before = T::Currency::balance(&account);
		// The market is irrelevant to an unsolicited transfer.
		T::ExcessSink::receive(0, RevenueKind::Unsolicited, &account, excess)?;
		let after = T::Currency::balance(&account);
		// A sink may take less than offered, never the ledgers or the buffer
		// (the call is transactional: refusing undoes the transfer).
		// `excess <= before`: it is part of what the account holds.
		if after < before.saturating_sub(excess) {
			defensive!("the excess sink took more than the excess");
			return Err(Error::<T>::LedgerInconsistent.into());
		}
		let taken = before.saturating_sub(after);
		ensure!(!taken.is_zero(), Error::<T>::NoExcess);
		Self::deposit_event(Event::ExcessSwept { amount: taken });
		Ok(())
	}
}
