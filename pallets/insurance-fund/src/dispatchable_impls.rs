//! The logic behind the calls.

use super::*;
use crate::governance_impls::Change;
use backstop_primitives::{governance::Authority, Balance, MarketId, RevenueKind, RevenueSink};
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
	/// Classified field by field against the parameters in force for the
	/// scope (for one market without its own: the market default), see
	/// [`Pallet::classify_fund_params`]; setting the parameters of a market
	/// without a sub-fund creates it and is governance only. Records the
	/// change when the stored parameters change.
	///
	/// The global fund and a single market's sub-fund are re-evaluated at
	/// once; sub-funds under the market default are re-evaluated when they
	/// are next touched.
	pub(crate) fn do_set_params(
		authority: Authority,
		scope: ParamsScope,
		params: FundParams,
	) -> DispatchResult {
		Self::ensure_params_in_bounds(&params)?;
		// The parameters in force, those stored for the scope, and whether a
		// sub-fund is created.
		let (old, stored, creates) = match scope {
			ParamsScope::Global => {
				let params = GlobalParams::<T>::get();
				(params, Some(params), false)
			},
			ParamsScope::MarketDefault => {
				let params = DefaultMarketParams::<T>::get();
				(params, Some(params), false)
			},
			ParamsScope::Market(market) => (
				Self::params_of(FundId::Market(market)),
				MarketParams::<T>::get(market),
				!MarketFunds::<T>::contains_key(market),
			),
		};
		let mut change = Self::classify_fund_params(&old, &params);
		if creates {
			change.direction = Self::governance_only().direction;
		}
		let key = ParamKey::FundParams(scope);
		Self::ensure_may_change(authority, change, Self::last_change(key))?;
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
		if stored != Some(params) {
			Self::note_change(key);
		}
		Ok(())
	}

	/// Removes the own parameters of `market`'s sub-fund. Governance only
	/// (the market default may be looser or tighter); for the risk track the
	/// default must lie within `MaxParamStep` of the market's parameters
	/// field by field (clearing is a change to the default's values), and it
	/// waits `MinChangeInterval` from the last change of the market's
	/// parameters. Records the change.
	pub(crate) fn do_clear_market_params(authority: Authority, market: MarketId) -> DispatchResult {
		let own = MarketParams::<T>::get(market).ok_or(Error::<T>::NoMarketParams)?;
		let key = ParamKey::FundParams(ParamsScope::Market(market));
		let change = Self::classify_fund_params(&own, &DefaultMarketParams::<T>::get());
		let change = Change { direction: Self::governance_only().direction, ..change };
		Self::ensure_may_change(authority, change, Self::last_change(key))?;
		MarketParams::<T>::remove(market);
		Self::note_change(key);
		Self::deposit_event(Event::MarketParamsCleared { market });
		if let Some(state) = MarketFunds::<T>::get(market) {
			Self::settle(FundId::Market(market), state);
		}
		Ok(())
	}

	/// Sets the per-block cap on loss payouts. Governance only in either
	/// direction (a lower cap keeps the fund from being drained in one block
	/// but hands more of the block's losses to the stakers and beyond),
	/// step-bounded. Records the change when the cap changes.
	pub(crate) fn do_set_block_cap(authority: Authority, fraction: Permill) -> DispatchResult {
		ensure!(!fraction.is_zero(), Error::<T>::ZeroBlockCap);
		let old = BlockCapFraction::<T>::get();
		let change =
			Self::governance_only_step(old.deconstruct().into(), fraction.deconstruct().into());
		let key = ParamKey::BlockCap;
		Self::ensure_may_change(authority, change, Self::last_change(key))?;
		if old != fraction {
			Self::note_change(key);
		}
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

	/// Sets the caps on keeper rewards for insolvent accounts. Governance
	/// only, each cap step-bounded (see
	/// [`Pallet::classify_keeper_limits`]). Records the change when a cap
	/// changes.
	pub(crate) fn do_set_keeper_reward_limits(
		authority: Authority,
		limits: KeeperRewardLimits,
	) -> DispatchResult {
		Self::ensure_keeper_limits_in_bounds(&limits)?;
		let old = KeeperRewardCaps::<T>::get();
		let key = ParamKey::KeeperRewardLimits;
		Self::ensure_may_change(
			authority,
			Self::classify_keeper_limits(&old, &limits),
			Self::last_change(key),
		)?;
		if old != limits {
			Self::note_change(key);
		}
		KeeperRewardCaps::<T>::put(limits);
		Self::deposit_event(Event::KeeperRewardLimitsSet { limits });
		Ok(())
	}

	/// Sets the fraction of market revenue forwarded to the global fund.
	/// A split of the same inflow between two funds, so neither direction is
	/// defensive: governance only, step-bounded. Records the change when the
	/// fraction changes.
	pub(crate) fn do_set_forward_fraction(
		authority: Authority,
		fraction: Permill,
	) -> DispatchResult {
		ensure!(fraction <= T::MaxForwardFraction::get(), Error::<T>::ForwardFractionTooHigh);
		let old = ForwardFraction::<T>::get();
		let change =
			Self::governance_only_step(old.deconstruct().into(), fraction.deconstruct().into());
		let key = ParamKey::ForwardFraction;
		Self::ensure_may_change(authority, change, Self::last_change(key))?;
		if old != fraction {
			Self::note_change(key);
		}
		ForwardFraction::<T>::put(fraction);
		Self::deposit_event(Event::ForwardFractionSet { fraction });
		Ok(())
	}

	/// Moves `amount` of `fund`'s surplus above target to `dest`. Money
	/// leaves the fund: governance only. No step and no interval (no
	/// parameter changes; the amount is bounded by the surplus).
	pub(crate) fn do_withdraw_surplus(
		authority: Authority,
		fund: FundId,
		amount: Balance,
		dest: &T::AccountId,
	) -> DispatchResult {
		ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
		let mut state = Self::fund_of(fund).ok_or(Error::<T>::UnknownFund)?;
		let params = Self::params_of(fund);
		let target = Self::target_for(&params, Self::required_capital_of(fund));
		ensure!(amount <= state.balance.saturating_sub(target), Error::<T>::ExceedsSurplus);
		Self::ensure_may_change(authority, Self::governance_only(), None)?;
		Self::push(dest, amount)?;
		// Cannot fail: `amount` is at most the balance above target.
		state.balance = state.balance.checked_sub(amount).ok_or(Error::<T>::ExceedsSurplus)?;
		Self::deposit_event(Event::SurplusWithdrawn { fund, amount, dest: dest.clone(), target });
		Self::update_status(fund, &mut state, &params, target);
		Self::store_fund(fund, state);
		Ok(())
	}

	/// Creates an empty sub-fund for `market`. Governance only (it takes one
	/// of the `MaxMarketFunds` slots); no interval.
	pub(crate) fn do_create_market_fund(authority: Authority, market: MarketId) -> DispatchResult {
		ensure!(!MarketFunds::<T>::contains_key(market), Error::<T>::FundExists);
		Self::ensure_may_change(authority, Self::governance_only(), None)?;
		let state = Self::market_fund_or_create(market)?;
		Self::settle(FundId::Market(market), state);
		Ok(())
	}

	/// Closes `market`'s sub-fund; its balance moves to the global fund.
	/// Governance only; waits `MinChangeInterval` from the last change of the
	/// market's parameters, which it removes together with their change
	/// record.
	pub(crate) fn do_close_market_fund(authority: Authority, market: MarketId) -> DispatchResult {
		let state = MarketFunds::<T>::get(market).ok_or(Error::<T>::UnknownFund)?;
		let mut global = GlobalFund::<T>::get();
		global.balance = global.balance.checked_add(state.balance).ok_or(Error::<T>::Overflow)?;
		let key = ParamKey::FundParams(ParamsScope::Market(market));
		Self::ensure_may_change(authority, Self::governance_only(), Self::last_change(key))?;
		MarketFunds::<T>::remove(market);
		MarketParams::<T>::remove(market);
		ParamChangedAt::<T>::remove(key);
		BlockDraws::<T>::remove(FundId::Market(market));
		LastSurplusRelease::<T>::remove(FundId::Market(market));
		Self::deposit_event(Event::FundClosed { market, moved_to_global: state.balance });
		Self::settle(FundId::Global, global);
		Ok(())
	}

	/// Credits the excess of the pallet account to the global fund; returns
	/// the number of market sub-funds read. Maintenance: any authority, the
	/// guardian included, with no step and no interval (the ledger only
	/// catches up with what the account holds; no parameter changes).
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
