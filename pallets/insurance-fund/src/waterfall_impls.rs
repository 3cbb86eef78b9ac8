//! The insurance fund as a tier of the loss waterfall and as a revenue sink.

use super::*;
use backstop_primitives::{
	Balance, KeeperRewarder, LossAbsorber, LossTier, MarketId, RevenueKind, RevenueSink,
};
use frame_support::{pallet_prelude::*, storage::with_storage_layer};
use sp_runtime::traits::Zero;

impl<T: Config> Pallet<T> {
	/// Takes `amount` of revenue of `kind` from `source` for `market`: the
	/// forward fraction (rounded down) goes to the global fund, the exact rest
	/// to the market's sub-fund, which is created if needed. All or nothing.
	pub(crate) fn do_receive(
		market: MarketId,
		kind: RevenueKind,
		source: &T::AccountId,
		amount: Balance,
	) -> Result<Balance, DispatchError> {
		match kind {
			RevenueKind::LiquidationPenalty | RevenueKind::TradingFee => {},
			// Its own surplus, and the stakers' premium, are not the fund's.
			RevenueKind::InsuranceSurplus | RevenueKind::BackstopPremium => {
				return Err(Error::<T>::UnsupportedRevenue.into())
			},
			RevenueKind::Unsolicited => return Self::receive_unsolicited(source, amount),
		}
		if amount.is_zero() {
			return Ok(Zero::zero());
		}
		with_storage_layer(|| {
			let mut market_state = Self::market_fund_or_create(market)?;
			let credited = Self::pull(source, amount)?;
			let to_global = ForwardFraction::<T>::get().mul_floor(credited);
			// `to_global <= credited`: the fraction is at most 100%.
			let to_market = credited.saturating_sub(to_global);
			market_state.balance =
				market_state.balance.checked_add(to_market).ok_or(Error::<T>::Overflow)?;
			let mut global = GlobalFund::<T>::get();
			global.balance = global.balance.checked_add(to_global).ok_or(Error::<T>::Overflow)?;
			if kind == RevenueKind::TradingFee {
				FeeIncome::<T>::mutate(|income| *income = income.saturating_add(credited));
			}
			Self::deposit_event(Event::RevenueReceived {
				market,
				kind,
				source: source.clone(),
				to_market_fund: to_market,
				to_global_fund: to_global,
			});
			Self::settle(FundId::Market(market), market_state);
			Self::settle(FundId::Global, global);
			Ok(amount)
		})
	}

	/// Credits an unsolicited transfer another pallet swept (`amount` from
	/// `source`) to the global fund, whole.
	fn receive_unsolicited(
		source: &T::AccountId,
		amount: Balance,
	) -> Result<Balance, DispatchError> {
		if amount.is_zero() {
			return Ok(Zero::zero());
		}
		with_storage_layer(|| {
			let credited = Self::pull(source, amount)?;
			let mut global = GlobalFund::<T>::get();
			global.balance = global.balance.checked_add(credited).ok_or(Error::<T>::Overflow)?;
			Self::deposit_event(Event::RevenueReceived {
				market: 0,
				kind: RevenueKind::Unsolicited,
				source: source.clone(),
				to_market_fund: Zero::zero(),
				to_global_fund: credited,
			});
			Self::settle(FundId::Global, global);
			Ok(amount)
		})
	}

	/// Covers what it can of `loss` in `market`, from the market's sub-fund
	/// and then the global fund, each within its per-event cap, paying
	/// `beneficiary`. Returns the exact uncovered rest.
	pub(crate) fn do_absorb(
		market: MarketId,
		loss: Balance,
		beneficiary: &T::AccountId,
	) -> Balance {
		if loss.is_zero() {
			return Zero::zero();
		}
		let mut uncovered = loss;
		if let Some(state) = MarketFunds::<T>::get(market) {
			uncovered = Self::draw(market, FundId::Market(market), state, uncovered, beneficiary);
		}
		if !uncovered.is_zero() {
			let global = GlobalFund::<T>::get();
			uncovered = Self::draw(market, FundId::Global, global, uncovered, beneficiary);
		}
		// `draw` never returns more than it was given: `uncovered <= loss`.
		let covered = loss.saturating_sub(uncovered);
		Self::deposit_event(Event::LossAbsorbed {
			tier: LossTier::InsuranceFund,
			market,
			loss,
			covered,
			uncovered,
		});
		uncovered
	}

	/// Draws from `fund` (whose ledger is `state`) towards `wanted`, within the
	/// fund's per-event cap, and returns what is still uncovered. A failed
	/// payment changes nothing and covers nothing.
	fn draw(
		market: MarketId,
		fund: FundId,
		state: Fund,
		wanted: Balance,
		beneficiary: &T::AccountId,
	) -> Balance {
		let params = Self::params_of(fund);
		let amount = Self::event_cap(fund, &params, state.balance).min(wanted);
		if amount.is_zero() {
			return wanted;
		}
		let paid = with_storage_layer(|| -> DispatchResult {
			Self::push(beneficiary, amount)?;
			Self::record_draw(fund, state.balance, amount);
			let mut state = state;
			// Cannot fail: the cap is at most the balance.
			state.balance =
				state.balance.checked_sub(amount).ok_or(Error::<T>::LedgerExceedsAccount)?;
			Self::deposit_event(Event::FundDrawn {
				tier: LossTier::InsuranceFund,
				market,
				fund,
				amount,
				beneficiary: beneficiary.clone(),
			});
			Self::settle_with(fund, state, &params);
			Ok(())
		});
		match paid {
			// `amount <= wanted` by construction.
			Ok(()) => wanted.saturating_sub(amount),
			Err(error) => {
				log::warn!(
					target: LOG_TARGET,
					"{fund:?} could not pay {amount:?} towards a loss in market {market}: {error:?}",
				);
				Self::deposit_event(Event::DrawFailed {
					tier: LossTier::InsuranceFund,
					market,
					fund,
					amount,
					error,
				});
				wanted
			},
		}
	}
}

impl<T: Config> Pallet<T> {
	/// Pays a keeper's reward of up to `amount` for a liquidation in
	/// `market` to `beneficiary`: at most the per-liquidation cap and what
	/// the per-block cap leaves, out of the market's sub-fund first and then
	/// the global fund, each at most what it holds. All or nothing: a failed
	/// transfer pays nothing. Returns what was paid.
	pub(crate) fn do_reward_keeper(
		market: MarketId,
		amount: Balance,
		beneficiary: &T::AccountId,
	) -> Balance {
		let limits = KeeperRewardCaps::<T>::get();
		let now = frame_system::Pallet::<T>::block_number();
		let (block, paid) = KeeperRewardsPaid::<T>::get();
		let paid = if block == now { paid } else { Zero::zero() };
		let wanted = amount.min(limits.per_liquidation).min(limits.per_block.saturating_sub(paid));
		if wanted.is_zero() {
			return Zero::zero();
		}
		let sub_fund = MarketFunds::<T>::get(market);
		let from_market = sub_fund.map(|state| state.balance).unwrap_or_default().min(wanted);
		let mut global = GlobalFund::<T>::get();
		// `from_market <= wanted`.
		let from_global = global.balance.min(wanted.saturating_sub(from_market));
		let total = from_market.saturating_add(from_global);
		if total.is_zero() {
			return Zero::zero();
		}
		let result = with_storage_layer(|| -> DispatchResult {
			Self::push(beneficiary, total)?;
			if let Some(mut state) = sub_fund.filter(|_| !from_market.is_zero()) {
				// `from_market <= state.balance`.
				state.balance = state.balance.saturating_sub(from_market);
				Self::settle(FundId::Market(market), state);
			}
			if !from_global.is_zero() {
				// `from_global <= global.balance`.
				global.balance = global.balance.saturating_sub(from_global);
				Self::settle(FundId::Global, global);
			}
			KeeperRewardsPaid::<T>::put((now, paid.saturating_add(total)));
			Self::deposit_event(Event::KeeperRewarded {
				market,
				beneficiary: beneficiary.clone(),
				from_market_fund: from_market,
				from_global_fund: from_global,
			});
			Ok(())
		});
		match result {
			Ok(()) => total,
			Err(error) => {
				log::warn!(
					target: LOG_TARGET,
					"could not pay a keeper reward of {total} in market {market}: {error:?}",
				);
				Zero::zero()
			},
		}
	}
}

impl<T: Config> KeeperRewarder<T::AccountId> for Pallet<T> {
	fn reward_keeper(market: MarketId, amount: Balance, beneficiary: &T::AccountId) -> Balance {
		Self::do_reward_keeper(market, amount, beneficiary)
	}
}

impl<T: Config> LossAbsorber<T::AccountId> for Pallet<T> {
	fn absorb(market: MarketId, amount: Balance, beneficiary: &T::AccountId) -> Balance {
		Self::do_absorb(market, amount, beneficiary)
	}

	fn capacity(market: MarketId) -> Balance {
		Self::market_capacity(market)
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
