//! A staker's state in one tranche, loaded and brought up to date (rewards
//! settled, lapsed requests returned to earning, worthless shares of ended
//! epochs dropped) before any call works on it, and stored back after.

use super::*;
use backstop_primitives::Balance;
use frame_support::{defensive, pallet_prelude::*};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{traits::Zero, FixedU128};

/// What happened to an unstake request while the staker's state was loaded.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Settled {
	/// Its window had passed: its shares went back to earning.
	Lapsed,
	/// It belonged to an epoch that ended with a wipe-out: it was dropped.
	Voided,
}

/// One staker's state in one tranche, up to date at the current block.
pub(crate) struct StakerState<T: Config> {
	/// The tranche.
	pub tranche: Tranche,
	/// The staker.
	pub who: T::AccountId,
	/// The tranche's ledger.
	pub ledger: TrancheLedger,
	/// The staker's position, rewards settled to the current reward index.
	pub position: Position,
	/// The staker's open request of the current epoch, if any.
	pub request: Option<UnstakeRequest<BlockNumberFor<T>>>,
	/// The request that lapsed or was voided while loading, if any.
	pub settled: Option<(u64, Settled)>,
}

impl<T: Config> StakerState<T> {
	/// Removes and returns the open request if its identifier is `id`.
	pub(crate) fn take_request(&mut self, id: u64) -> Option<UnstakeRequest<BlockNumberFor<T>>> {
		if self.request.is_some_and(|request| request.id == id) {
			return self.request.take();
		}
		None
	}

	/// How the request `id` was settled while loading, if it was.
	pub(crate) fn settled_as(&self, id: u64) -> Option<Settled> {
		self.settled.filter(|(settled_id, _)| *settled_id == id).map(|(_, how)| how)
	}

	/// Moves `shares` into earning: the position and the tranche's earning
	/// shares.
	pub(crate) fn add_earning(&mut self, shares: Balance) -> DispatchResult {
		self.position.shares =
			self.position.shares.checked_add(shares).ok_or(Error::<T>::Overflow)?;
		self.ledger.earning_shares =
			self.ledger.earning_shares.checked_add(shares).ok_or(Error::<T>::Overflow)?;
		Ok(())
	}
}

impl<T: Config> Pallet<T> {
	/// Loads `who`'s state in `tranche` and brings it up to date:
	///
	/// 1. a tranche left with shares but no assets is reset to a new epoch
	///    (normally done at the slash that wiped it out);
	/// 2. the position's rewards are settled up to the current reward index
	///    (or, for a position of an ended epoch, up to that epoch's final
	///    index, after which its worthless shares are dropped);
	/// 3. requests of ended epochs are dropped (`SharesVoided`) and requests
	///    whose window has passed return their shares to earning
	///    (`UnstakeLapsed`).
	///
	/// Nothing is written but the events and a wipe-out; the caller stores the
	/// state with [`Self::store_staker`] if it succeeds (calls are
	/// transactional, so a failing call leaves no trace).
	pub(crate) fn load_staker(
		who: &T::AccountId,
		tranche: Tranche,
	) -> Result<StakerState<T>, DispatchError> {
		let mut ledger = Tranches::<T>::get(tranche);
		Self::normalize_ledger(tranche, &mut ledger)?;
		let mut position =
			Positions::<T>::get(tranche, who).unwrap_or_else(|| Position::fresh(&ledger));
		let mut voided = Self::settle_rewards(tranche, &ledger, &mut position)?;

		let now = frame_system::Pallet::<T>::block_number();
		let mut request = UnstakeRequests::<T>::get(tranche, who);
		let mut settled = None;
		let mut lapsed: Balance = Zero::zero();
		if let Some(open) = request {
			if open.epoch != ledger.epoch {
				voided = voided.checked_add(open.shares).ok_or(Error::<T>::Overflow)?;
				settled = Some((open.id, Settled::Voided));
				request = None;
			} else if now >= open.expires_at {
				lapsed = open.shares;
				settled = Some((open.id, Settled::Lapsed));
				request = None;
				Self::deposit_event(Event::UnstakeLapsed {
					who: who.clone(),
					tranche,
					request_id: open.id,
					shares: open.shares,
				});
			}
		}
		if !voided.is_zero() {
			Self::deposit_event(Event::SharesVoided { who: who.clone(), tranche, shares: voided });
		}
		let mut state =
			StakerState { tranche, who: who.clone(), ledger, position, request, settled };
		// The position was settled above, so shares added now earn from the
		// current index on.
		state.add_earning(lapsed)?;
		Ok(state)
	}

	/// Writes `state` back: the tranche ledger, the position (removed when
	/// empty) and the request (removed when none is left).
	pub(crate) fn store_staker(state: StakerState<T>) -> DispatchResult {
		let StakerState { tranche, who, ledger, position, request, .. } = state;
		Tranches::<T>::insert(tranche, ledger);
		if position.is_empty() {
			Positions::<T>::remove(tranche, &who);
		} else {
			Positions::<T>::insert(tranche, &who, position);
		}
		match request {
			Some(request) => UnstakeRequests::<T>::insert(tranche, &who, request),
			None => UnstakeRequests::<T>::remove(tranche, &who),
		}
		Ok(())
	}

	/// Resets a tranche whose shares have lost all their assets, and takes
	/// assets without any share (which ordinary operation never leaves) out
	/// of the tranche into the undistributed rewards, so that no new staker
	/// is handed them.
	pub(crate) fn normalize_ledger(tranche: Tranche, ledger: &mut TrancheLedger) -> DispatchResult {
		if ledger.assets.is_zero() && !ledger.shares.is_zero() {
			Self::wipe_out(tranche, ledger)?;
		}
		if ledger.shares.is_zero() && !ledger.assets.is_zero() {
			defensive!("staking backstop: tranche assets without shares");
			let orphaned = ledger.assets;
			Undistributed::<T>::try_mutate(|undistributed| -> DispatchResult {
				*undistributed = undistributed.checked_add(orphaned).ok_or(Error::<T>::Overflow)?;
				Ok(())
			})?;
			ledger.assets = Zero::zero();
		}
		Ok(())
	}

	/// Ends the tranche's epoch of a tranche whose assets are already gone
	/// (the dust, if any, was paid out by the caller): every share of it
	/// becomes worthless, the epoch's final reward index is kept for the
	/// positions that still have rewards to settle, and the next stake mints
	/// at a price of one. O(1): positions and requests are reset lazily, the
	/// next time their staker acts.
	pub(crate) fn wipe_out(tranche: Tranche, ledger: &mut TrancheLedger) -> DispatchResult {
		Self::wipe_out_with_dust(tranche, ledger, Zero::zero(), Zero::zero())
	}

	/// [`Self::wipe_out`], reporting the dust the slash paid out.
	pub(crate) fn wipe_out_with_dust(
		tranche: Tranche,
		ledger: &mut TrancheLedger,
		dust_to_beneficiary: Balance,
		dust_to_rewards: Balance,
	) -> DispatchResult {
		let epoch = ledger.epoch.checked_add(1).ok_or(Error::<T>::Overflow)?;
		EpochRewardIndex::<T>::insert(tranche, ledger.epoch, ledger.reward_per_share);
		let voided_shares = ledger.shares;
		ledger.epoch = epoch;
		ledger.shares = Zero::zero();
		ledger.earning_shares = Zero::zero();
		Self::deposit_event(Event::TrancheWipedOut {
			tranche,
			epoch,
			voided_shares,
			dust_to_beneficiary,
			dust_to_rewards,
		});
		Ok(())
	}

	/// The reward index up to which `position` may settle: the tranche's
	/// current index, or the final index of the position's ended epoch.
	pub(crate) fn reward_index_for(
		tranche: Tranche,
		ledger: &TrancheLedger,
		position: &Position,
	) -> FixedU128 {
		if position.epoch == ledger.epoch {
			return ledger.reward_per_share;
		}
		EpochRewardIndex::<T>::get(tranche, position.epoch).unwrap_or_else(|| {
			defensive!("staking backstop: no final reward index for an ended epoch");
			position.reward_debt
		})
	}

	/// What `position` may claim: its settled rewards plus what its shares
	/// earned since. Saturates (a read-only figure).
	pub(crate) fn accrued_rewards(
		tranche: Tranche,
		ledger: &TrancheLedger,
		position: &Position,
	) -> Balance {
		let index = Self::reward_index_for(tranche, ledger, position);
		let owed =
			math::reward_owed(position.shares, position.reward_debt, index).unwrap_or(Balance::MAX);
		position.pending_rewards.saturating_add(owed)
	}

	/// Settles `position`'s rewards up to the index it may settle to. A
	/// position of an ended epoch is then moved to the current epoch without
	/// shares; the worthless shares it held are returned.
	pub(crate) fn settle_rewards(
		tranche: Tranche,
		ledger: &TrancheLedger,
		position: &mut Position,
	) -> Result<Balance, DispatchError> {
		let index = Self::reward_index_for(tranche, ledger, position);
		let owed = math::reward_owed(position.shares, position.reward_debt, index)
			.ok_or(Error::<T>::Overflow)?;
		position.pending_rewards =
			position.pending_rewards.checked_add(owed).ok_or(Error::<T>::Overflow)?;
		position.reward_debt = ledger.reward_per_share;
		if position.epoch == ledger.epoch {
			return Ok(Zero::zero());
		}
		let voided = position.shares;
		position.shares = Zero::zero();
		position.epoch = ledger.epoch;
		Ok(voided)
	}

	/// Mints shares for a deposit of `amount` into `state` at the current
	/// price (rounded down) and books them as earning. Moves no money.
	pub(crate) fn credit_stake(
		state: &mut StakerState<T>,
		amount: Balance,
	) -> Result<Balance, DispatchError> {
		let ledger = &mut state.ledger;
		let minted =
			math::shares_for(amount, ledger.assets, ledger.shares).ok_or(Error::<T>::Overflow)?;
		ensure!(!minted.is_zero(), Error::<T>::ZeroShares);
		ledger.assets = ledger.assets.checked_add(amount).ok_or(Error::<T>::Overflow)?;
		ledger.shares = ledger.shares.checked_add(minted).ok_or(Error::<T>::Overflow)?;
		state.add_earning(minted)?;
		Ok(minted)
	}
}
