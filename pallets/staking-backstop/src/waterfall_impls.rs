//! The staking backstop as a tier of the loss waterfall (slashing) and as a
//! revenue sink (rewards).

use super::*;
use backstop_primitives::{
	BackstopPremium, Balance, LossAbsorber, LossTier, MarketId, RevenueKind, RevenueSink,
};
use frame_support::{pallet_prelude::*, storage::with_storage_layer};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{
	traits::{CheckedAdd, Zero},
	FixedU128,
};

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
	/// fraction of its assets, rounded down) and what is left of its
	/// per-block cap, paying `beneficiary`. Returns what is still uncovered.
	/// A failed payment changes nothing and covers nothing.
	///
	/// If the slash leaves the share price below the tranche's wipe-out
	/// floor, the tranche is wiped out: its remaining assets (the dust) are
	/// paid to `beneficiary` as well, up to what is still uncovered, and
	/// count as covered; any dust beyond the loss goes to the undistributed
	/// rewards. The tranche then starts a new epoch.
	fn slash(
		market: MarketId,
		tranche: Tranche,
		wanted: Balance,
		beneficiary: &T::AccountId,
	) -> Balance {
		let ledger = Tranches::<T>::get(tranche);
		let params = Params::<T>::get(tranche);
		let record = Self::block_slash(tranche, &ledger);
		let amount = Self::capacity_of(&params, &ledger, &record).min(wanted);
		if amount.is_zero() {
			return wanted;
		}
		let paid = with_storage_layer(|| -> Result<Balance, DispatchError> {
			Self::push(beneficiary, amount)?;
			let mut ledger = ledger;
			let mut record = record;
			// Cannot fail: the cap is at most the assets.
			ledger.assets =
				ledger.assets.checked_sub(amount).ok_or(Error::<T>::LedgerInconsistent)?;
			let wiped = (ledger.assets.is_zero() && !ledger.shares.is_zero())
				|| math::below_floor(ledger.assets, ledger.shares, params.wipe_out_floor);
			let mut covered = amount;
			let (mut dust_to_beneficiary, mut dust_to_rewards) = (Zero::zero(), Zero::zero());
			if wiped {
				let dust = core::mem::take(&mut ledger.assets);
				// `amount <= wanted` by construction.
				dust_to_beneficiary = dust.min(wanted.saturating_sub(amount));
				dust_to_rewards = dust.saturating_sub(dust_to_beneficiary);
				if !dust_to_beneficiary.is_zero() {
					Self::push(beneficiary, dust_to_beneficiary)?;
				}
				if !dust_to_rewards.is_zero() {
					Undistributed::<T>::try_mutate(|undistributed| -> DispatchResult {
						*undistributed = undistributed
							.checked_add(dust_to_rewards)
							.ok_or(Error::<T>::Overflow)?;
						Ok(())
					})?;
				}
				covered = covered.checked_add(dust_to_beneficiary).ok_or(Error::<T>::Overflow)?;
			}
			Self::deposit_event(Event::TrancheSlashed {
				tier: LossTier::StakingBackstop,
				market,
				tranche,
				amount: covered,
				beneficiary: beneficiary.clone(),
				share_price: math::share_price(ledger.assets, ledger.shares),
			});
			if wiped {
				Self::wipe_out_with_dust(
					tranche,
					&mut ledger,
					dust_to_beneficiary,
					dust_to_rewards,
				)?;
			}
			record.slashed = record.slashed.checked_add(covered).ok_or(Error::<T>::Overflow)?;
			BlockSlashed::<T>::insert(tranche, record);
			Tranches::<T>::insert(tranche, ledger);
			Ok(covered)
		});
		match paid {
			// `covered <= wanted` by construction.
			Ok(covered) => wanted.saturating_sub(covered),
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

	/// The tranche's per-block record for the current block: the stored one
	/// if it is of this block, else a fresh one starting from the tranche's
	/// assets now.
	pub(crate) fn block_slash(
		tranche: Tranche,
		ledger: &TrancheLedger,
	) -> BlockSlash<BlockNumberFor<T>> {
		let now = frame_system::Pallet::<T>::block_number();
		BlockSlashed::<T>::get(tranche).filter(|record| record.block == now).unwrap_or(BlockSlash {
			block: now,
			assets_at_start: ledger.assets,
			slashed: Zero::zero(),
		})
	}

	/// What a tranche may pay towards one more loss event now: the lower of
	/// its per-event cap (a fraction of its assets, rounded down) and what
	/// is left of its per-block cap (a fraction of its assets at the block's
	/// first slash, rounded down, minus what it paid in the block).
	pub(crate) fn capacity_of(
		params: &TrancheParams<BlockNumberFor<T>>,
		ledger: &TrancheLedger,
		record: &BlockSlash<BlockNumberFor<T>>,
	) -> Balance {
		let per_event = math::slash_cap(params.max_slash_fraction, ledger.assets);
		let per_block = math::slash_cap(params.max_slash_per_block, record.assets_at_start)
			.saturating_sub(record.slashed);
		per_event.min(per_block)
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
			RevenueKind::TradingFee
			| RevenueKind::InsuranceSurplus
			| RevenueKind::BackstopPremium => {},
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
				junior_weight: split.junior_weight,
				senior_weight: split.senior_weight,
				to_junior: split.to_junior,
				to_senior: split.to_senior,
				undistributed: split.undistributed,
			});
			Ok(amount)
		})
	}

	/// Credits `credited` plus the undistributed rewards to the tranches'
	/// reward indices, split by capital weight: the junior tranche's earning
	/// value times the junior multiple against the senior tranche's earning
	/// value (junior part rounded down, senior part the exact rest).
	///
	/// A tranche without earning shares passes its part to the other tranche;
	/// with no earning share at all, everything stays undistributed. What an
	/// index increment cannot represent (rounding) stays undistributed too,
	/// for the next inflow: rewards are never lost.
	pub(crate) fn distribute(credited: Balance) -> Result<RewardSplit, DispatchError> {
		let total = Undistributed::<T>::get().checked_add(credited).ok_or(Error::<T>::Overflow)?;
		let mut junior = Tranches::<T>::get(Tranche::Junior);
		let mut senior = Tranches::<T>::get(Tranche::Senior);
		let (junior_weight, senior_weight) = Self::weights(&junior, &senior);
		let (mut to_junior, mut to_senior) =
			math::split_by_weight(total, junior_weight, senior_weight)
				.ok_or(Error::<T>::Overflow)?;
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
			junior_weight,
			senior_weight,
			to_junior: used_junior,
			to_senior: used_senior,
			undistributed,
		})
	}

	/// The tranches' weights in the revenue split: each one's earning value
	/// (`assets × earning_shares / shares`, rounded down), the junior one
	/// times the junior multiple (rounded down).
	pub(crate) fn weights(junior: &TrancheLedger, senior: &TrancheLedger) -> (Balance, Balance) {
		let multiple = Premium::<T>::get().junior_multiple;
		let earning_value = |ledger: &TrancheLedger| {
			math::value_of(ledger.earning_shares, ledger.assets, ledger.shares)
		};
		(math::weight(earning_value(junior), multiple), earning_value(senior))
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

impl<T: Config> BackstopPremium for Pallet<T> {
	/// The governed parameters and the coverage, read once per block.
	type Quote = (PremiumParams, Option<FixedU128>);

	fn quote() -> Self::Quote {
		(Premium::<T>::get(), Self::coverage())
	}

	/// The per-block premium rate (a fraction of notional) at the quoted
	/// coverage and `volatility`; the same for every market, since the
	/// capital backs all of them at once.
	fn premium_rate(quote: &Self::Quote, _market: MarketId, volatility: FixedU128) -> FixedU128 {
		Self::rates_at(&quote.0, quote.1, volatility).0
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
