//! The logic behind the calls.

use super::*;
use backstop_primitives::{Balance, MarketId, RevenueKind, RevenueSink};
use frame_support::pallet_prelude::*;
use frame_support::traits::fungible::Inspect;
use sp_runtime::traits::Saturating;
use sp_runtime::{traits::Zero, Permill};

impl<T: Config> Pallet<T> {
	/// Credits a donation of `amount` from `who` to `fund`, which must exist.
	pub(crate) fn do_donate(who: &T::AccountId, fund: FundId, amount: Balance) -> DispatchResult {
		ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
		let mut state = Self::fund_of(fund).ok_or(Error::<T>::UnknownFund)?;
		let credited = Self::pull(who, amount)?;
		state.balance = state.balance.checked_add(credited).ok_or(Error::<T>::Overflow)?;
		Self::deposit_event(Event::Donated { who: who.clone(), fund, amount: credited });
		Self::settle(fund, state);
		Ok(())
	}

	/// Sets the parameters of `scope` within the hard limits.
	///
	/// The global fund and a single market's sub-fund are re-evaluated at
	/// once; sub-funds under the market default are re-evaluated when they
	/// are next touched.
	pub(crate) fn do_set_params(scope: ParamsScope, params: FundParams) -> DispatchResult {
		Self::ensure_params_in_bounds(&params)?;
		match scope {
			ParamsScope::Global => {
				GlobalParams::<T>::put(params);
				Self::deposit_event(Event::ParamsSet { scope, params });
				Self::settle_with(FundId::Global, GlobalFund::<T>::get(), &params);
			},
			ParamsScope::MarketDefault => {
				DefaultMarketParams::<T>::put(params);
				Self::deposit_event(Event::ParamsSet { scope, params });
			},
			ParamsScope::Market(market) => {
				let state = Self::market_fund_or_create(market)?;
				MarketParams::<T>::insert(market, params);
				Self::deposit_event(Event::ParamsSet { scope, params });
				Self::settle_with(FundId::Market(market), state, &params);
			},
		}
		Ok(())
	}

	/// Removes the own parameters of `market`'s sub-fund.
	pub(crate) fn do_clear_market_params(market: MarketId) -> DispatchResult {
		ensure!(MarketParams::<T>::contains_key(market), Error::<T>::NoMarketParams);
		MarketParams::<T>::remove(market);
		Self::deposit_event(Event::MarketParamsCleared { market });
		if let Some(state) = MarketFunds::<T>::get(market) {
			Self::settle(FundId::Market(market), state);
		}
		Ok(())
	}

	/// Sets the per-block cap on loss payouts.
	pub(crate) fn do_set_block_cap(fraction: Permill) -> DispatchResult {
		ensure!(!fraction.is_zero(), Error::<T>::ZeroBlockCap);
		BlockCapFraction::<T>::put(fraction);
		Self::deposit_event(Event::BlockCapSet { fraction });
		Ok(())
	}

	/// Releases the configured share of `fund`'s surplus above its target to
	/// `SurplusSink`; the ledger falls by exactly what left the account.
	pub(crate) fn do_release_surplus(fund: FundId) -> DispatchResult {
		let mut state = Self::fund_of(fund).ok_or(Error::<T>::UnknownFund)?;
		let now = frame_system::Pallet::<T>::block_number();
		if let Some(last) = LastSurplusRelease::<T>::get(fund) {
			ensure!(
				now >= last.saturating_add(T::SurplusReleaseInterval::get()),
				Error::<T>::ReleaseTooSoon
			);
		}
		let params = Self::params_of(fund);
		let target = Self::target_for(&params, Self::required_capital_of(fund));
		ensure!(!target.is_zero(), Error::<T>::NoTarget);
		let surplus = state.balance.saturating_sub(target);
		let amount = T::SurplusReleaseShare::get().mul_floor(surplus);
		ensure!(!amount.is_zero(), Error::<T>::NoSurplus);
		let market = match fund {
			FundId::Global => 0,
			FundId::Market(market) => market,
		};
		let account = Self::account_id();
		let before = T::Currency::balance(&account);
		T::SurplusSink::receive(market, RevenueKind::InsuranceSurplus, &account, amount)?;
		// The sink may take less than offered, never more than the fund's
		// part: what left the account is what the fund gave.
		let released = before.saturating_sub(T::Currency::balance(&account));
		ensure!(!released.is_zero(), Error::<T>::SurplusRefused);
		ensure!(released <= amount, Error::<T>::LedgerExceedsAccount);
		state.balance = state.balance.saturating_sub(released);
		LastSurplusRelease::<T>::insert(fund, now);
		Self::deposit_event(Event::SurplusReleased { fund, amount: released, target });
		Self::update_status(fund, &mut state, &params, target);
		Self::store_fund(fund, state);
		Ok(())
	}

	/// Sets the caps on keeper rewards for insolvent accounts.
	pub(crate) fn do_set_keeper_reward_limits(limits: KeeperRewardLimits) -> DispatchResult {
		Self::ensure_keeper_limits_in_bounds(&limits)?;
		KeeperRewardCaps::<T>::put(limits);
		Self::deposit_event(Event::KeeperRewardLimitsSet { limits });
		Ok(())
	}

	/// Sets the fraction of market revenue forwarded to the global fund.
	pub(crate) fn do_set_forward_fraction(fraction: Permill) -> DispatchResult {
		ensure!(fraction <= T::MaxForwardFraction::get(), Error::<T>::ForwardFractionTooHigh);
		ForwardFraction::<T>::put(fraction);
		Self::deposit_event(Event::ForwardFractionSet { fraction });
		Ok(())
	}

	/// Moves `amount` of `fund`'s surplus above target to `dest`.
	pub(crate) fn do_withdraw_surplus(
		fund: FundId,
		amount: Balance,
		dest: &T::AccountId,
	) -> DispatchResult {
		ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
		let mut state = Self::fund_of(fund).ok_or(Error::<T>::UnknownFund)?;
		let params = Self::params_of(fund);
		let target = Self::target_for(&params, Self::required_capital_of(fund));
		ensure!(amount <= state.balance.saturating_sub(target), Error::<T>::ExceedsSurplus);
		Self::push(dest, amount)?;
		// Cannot fail: `amount` is at most the balance above target.
		state.balance = state.balance.checked_sub(amount).ok_or(Error::<T>::ExceedsSurplus)?;
		Self::deposit_event(Event::SurplusWithdrawn { fund, amount, dest: dest.clone(), target });
		Self::update_status(fund, &mut state, &params, target);
		Self::store_fund(fund, state);
		Ok(())
	}

	/// Creates an empty sub-fund for `market`.
	pub(crate) fn do_create_market_fund(market: MarketId) -> DispatchResult {
		ensure!(!MarketFunds::<T>::contains_key(market), Error::<T>::FundExists);
		let state = Self::market_fund_or_create(market)?;
		Self::settle(FundId::Market(market), state);
		Ok(())
	}

	/// Closes `market`'s sub-fund; its balance moves to the global fund.
	pub(crate) fn do_close_market_fund(market: MarketId) -> DispatchResult {
		let state = MarketFunds::<T>::get(market).ok_or(Error::<T>::UnknownFund)?;
		let mut global = GlobalFund::<T>::get();
		global.balance = global.balance.checked_add(state.balance).ok_or(Error::<T>::Overflow)?;
		MarketFunds::<T>::remove(market);
		MarketParams::<T>::remove(market);
		BlockDraws::<T>::remove(FundId::Market(market));
		LastSurplusRelease::<T>::remove(FundId::Market(market));
		Self::deposit_event(Event::FundClosed { market, moved_to_global: state.balance });
		Self::settle(FundId::Global, global);
		Ok(())
	}

	/// Credits the excess of the pallet account to the global fund; returns
	/// the number of market sub-funds read.
	pub(crate) fn do_absorb_excess() -> Result<u32, DispatchError> {
		let (excess, funds) = Self::excess_and_funds();
		ensure!(!excess.is_zero(), Error::<T>::NoExcess);
		let mut global = GlobalFund::<T>::get();
		global.balance = global.balance.checked_add(excess).ok_or(Error::<T>::Overflow)?;
		Self::deposit_event(Event::ExcessAbsorbed { amount: excess });
		Self::settle(FundId::Global, global);
		Ok(funds)
	}
}
