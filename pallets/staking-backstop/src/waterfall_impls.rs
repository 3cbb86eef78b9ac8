//! The staking backstop as a tier of the loss waterfall (slashing) and as a
//! revenue sink (rewards).

use super::*;
use backstop_primitives::{Balance, LossAbsorber, LossTier, MarketId, RevenueKind, RevenueSink};
use frame_support::{pallet_prelude::*, storage::with_storage_layer};
use sp_runtime::traits::{CheckedAdd, Zero};

impl<T: Config> Pallet<T> {
	/// Covers what it can of `loss` in `market`: the junior tranche first,
	/// then the senior tranche, each within its per-event cap, paying
	/// `beneficiary`. Returns the exact uncovered rest.
	///
	/// O(1): each tranche's loss lowers its assets and so its share price;
	/// no staker is visited.
	pub(crate) fn do_absorb(
		market: MarketId,
		loss: Balance,
		beneficiary: &T::AccountId,
	) -> Balance {
		if loss.is_zero() {
			return Zero::zero();
		}
		let mut uncovered = loss;
		for tranche in Tranche::ALL {
			if uncovered.is_zero() {
				break;
			}
			uncovered = Self::slash(market, tranche, uncovered, beneficiary);
		}
		// `slash` never returns more than it was given: `uncovered <= loss`.
		let covered = loss.saturating_sub(uncovered);
		Self::deposit_event(Event::LossAbsorbed {
			tier: LossTier::StakingBackstop,
			market,
			loss,
			covered,
			uncovered,
		});
		uncovered
	}

	/// Slashes `tranche` towards `wanted`, within its per-event cap (a
	/// fraction of its assets, rounded down), paying `beneficiary`. Returns
	/// what is still uncovered. A failed payment changes nothing and covers
	/// nothing.
	fn slash(
		market: MarketId,
		tranche: Tranche,
		wanted: Balance,
		beneficiary: &T::AccountId,
	) -> Balance {
		let ledger = Tranches::<T>::get(tranche);
		let params = Params::<T>::get(tranche);
		let amount = math::slash_cap(params.max_slash_fraction, ledger.assets).min(wanted);
		if amount.is_zero() {
			return wanted;
		}
		let paid = with_storage_layer(|| -> DispatchResult {
			Self::push(beneficiary, amount)?;
			let mut ledger = ledger;
			// Cannot fail: the cap is at most the assets.
			ledger.assets =
				ledger.assets.checked_sub(amount).ok_or(Error::<T>::LedgerInconsistent)?;
			Self::deposit_event(Event::TrancheSlashed {
				tier: LossTier::StakingBackstop,
				market,
				tranche,
				amount,
				beneficiary: beneficiary.clone(),
				share_price: math::share_price(ledger.assets, ledger.shares),
			});
			if ledger.assets.is_zero() && !ledger.shares.is_zero() {
				if let Err(error) = Self::wipe_out(tranche, &mut ledger) {
					// Only an exhausted epoch counter gets here; the next
					// staker call retries the reset.
					log::error!(
						target: LOG_TARGET,
						"{tranche:?} was wiped out but could not start a new epoch: {error:?}",
					);
				}
			}
			Tranches::<T>::insert(tranche, ledger);
			Ok(())
		});
		match paid {
			// `amount <= wanted` by construction.
			Ok(()) => wanted.saturating_sub(amount),
			Err(error) => {
				log::warn!(
					target: LOG_TARGET,
					"{tranche:?} could not pay {amount:?} towards a loss in market {market}: {error:?}",
				);
				Self::deposit_event(Event::SlashFailed {
					tier: LossTier::StakingBackstop,
					market,
					tranche,
					amount,
					error,
				});
				wanted
			},
		}
	}

	/// Takes `amount` of revenue of `kind` from `source` and credits it, with
	/// whatever was left undistributed, to the stakers' rewards. All or
	/// nothing.
	pub(crate) fn do_receive(
		market: MarketId,
		kind: RevenueKind,
		source: &T::AccountId,
		amount: Balance,
	) -> Result<Balance, DispatchError> {
		match kind {
			RevenueKind::TradingFee | RevenueKind::InsuranceSurplus => {},
			RevenueKind::LiquidationPenalty | RevenueKind::Unsolicited => {
				return Err(Error::<T>::UnsupportedRevenue.into())
			},
		}
		if amount.is_zero() {
			return Ok(Zero::zero());
		}
		with_storage_layer(|| {
			let credited = Self::pull_revenue(source, amount)?;
			let split = Self::distribute(credited)?;
			Self::deposit_event(Event::RevenueReceived {
				market,
				kind,
				source: source.clone(),
				amount,
				junior_share: split.junior_share,
				to_junior: split.to_junior,
				to_senior: split.to_senior,
				undistributed: split.undistributed,
			});
			Ok(amount)
		})
	}

	/// Credits `credited` plus the undistributed rewards to the tranches'
	/// reward indices, split by the current premium.
	///
	/// A tranche without earning shares passes its part to the other tranche;
	/// with no earning share at all, everything stays undistributed. What an
	/// index increment cannot represent (rounding) stays undistributed too,
	/// for the next inflow: rewards are never lost.
	pub(crate) fn distribute(credited: Balance) -> Result<RewardSplit, DispatchError> {
		let total = Undistributed::<T>::get().checked_add(credited).ok_or(Error::<T>::Overflow)?;
		let junior_share = Self::current_premium();
		let mut junior = Tranches::<T>::get(Tranche::Junior);
		let mut senior = Tranches::<T>::get(Tranche::Senior);
		let (mut to_junior, mut to_senior) = math::split(total, junior_share);
		if junior.earning_shares.is_zero() {
			to_senior = to_senior.checked_add(to_junior).ok_or(Error::<T>::Overflow)?;
			to_junior = Zero::zero();
		}
		if senior.earning_shares.is_zero() {
			to_junior = to_junior.checked_add(to_senior).ok_or(Error::<T>::Overflow)?;
			to_senior = Zero::zero();
		}
		let used_junior = Self::credit_rewards(&mut junior, to_junior)?;
		let used_senior = Self::credit_rewards(&mut senior, to_senior)?;
		let used = used_junior.checked_add(used_senior).ok_or(Error::<T>::Overflow)?;
		RewardPot::<T>::try_mutate(|pot| -> DispatchResult {
			*pot = pot.checked_add(used).ok_or(Error::<T>::Overflow)?;
			Ok(())
		})?;
		// Each tranche uses at most what it was given, and the two parts sum
		// to `total`: `used <= total`.
		let undistributed = total.saturating_sub(used);
		Undistributed::<T>::put(undistributed);
		Tranches::<T>::insert(Tranche::Junior, junior);
		Tranches::<T>::insert(Tranche::Senior, senior);
		Ok(RewardSplit {
			junior_share,
			to_junior: used_junior,
			to_senior: used_senior,
			undistributed,
		})
	}

	/// Raises `ledger`'s reward index by `amount` spread over its earning
	/// shares; returns the part of `amount` the increment accounts for.
	fn credit_rewards(
		ledger: &mut TrancheLedger,
		amount: Balance,
	) -> Result<Balance, DispatchError> {
		let (increment, used) =
			math::reward_increment(amount, ledger.earning_shares).ok_or(Error::<T>::Overflow)?;
		ledger.reward_per_share =
			ledger.reward_per_share.checked_add(&increment).ok_or(Error::<T>::Overflow)?;
		Ok(used)
	}
}

impl<T: Config> LossAbsorber<T::AccountId> for Pallet<T> {
	fn absorb(market: MarketId, amount: Balance, beneficiary: &T::AccountId) -> Balance {
		Self::do_absorb(market, amount, beneficiary)
	}

	fn capacity(_market: MarketId) -> Balance {
		Self::total_capacity()
	}
}

impl<T: Config> RevenueSink<T::AccountId> for Pallet<T> {
	fn receive(
		market: MarketId,
		kind: RevenueKind,
		source: &T::AccountId,
		amount: Balance,
	) -> Result<Balance, DispatchError> {
		Self::do_receive(market, kind, source, amount)
	}
}
