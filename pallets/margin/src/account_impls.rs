//! Collateral: deposits and withdrawals, and the pallet account that holds
//! it.

use super::*;
use crate::health_impls::falls_short;
use backstop_primitives::Balance;
use frame_support::{
	pallet_prelude::*,
	traits::{
		fungible::{Inspect, Mutate},
		tokens::Preservation,
		Get,
	},
};
use sp_runtime::traits::{AccountIdConversion, Zero};

impl<T: Config> Pallet<T> {
	/// The pallet account: all collateral and everything held for the pool
	/// and the sinks, plus the existential buffer.
	pub fn account_id() -> T::AccountId {
		T::PalletId::get().into_account_truncating()
	}

	/// Moves `amount` from `from` into the pallet account and returns what
	/// may be credited: all of it, unless the existential buffer is missing
	/// (pallet added without its genesis), in which case the first part
	/// restores it. The inflow must exceed what is missing (`BufferMissing`).
	pub(crate) fn pull(from: &T::AccountId, amount: Balance) -> Result<Balance, DispatchError> {
		let account = Self::account_id();
		let missing = T::Currency::minimum_balance().saturating_sub(T::Currency::balance(&account));
		ensure!(amount > missing, Error::<T>::BufferMissing);
		T::Currency::transfer(from, &account, amount, Preservation::Expendable)?;
		if !missing.is_zero() {
			log::warn!(target: LOG_TARGET, "restored the missing existential buffer ({missing})");
			Self::deposit_event(Event::BufferRestored { amount: missing });
		}
		// `amount > missing`.
		Ok(amount.saturating_sub(missing))
	}

	/// Pays `amount` out of the pallet account, never touching the buffer.
	pub(crate) fn push(to: &T::AccountId, amount: Balance) -> DispatchResult {
		let account = Self::account_id();
		let spendable =
			T::Currency::balance(&account).saturating_sub(T::Currency::minimum_balance());
		if amount > spendable {
			log::error!(
				target: LOG_TARGET,
				"ledgers exceed the pallet account: paying {amount} of {spendable} spendable",
			);
			return Err(Error::<T>::LedgerExceedsAccount.into());
		}
		T::Currency::transfer(&account, to, amount, Preservation::Preserve)?;
		Ok(())
	}

	/// Stores `account`, or removes it when it holds nothing.
	pub(crate) fn store_account(who: &T::AccountId, account: AccountOf<T>) {
		if account.is_empty() {
			Accounts::<T>::remove(who);
		} else {
			Accounts::<T>::insert(who, account);
		}
	}

	/// The `deposit` call.
	pub(crate) fn do_deposit(who: &T::AccountId, amount: Balance) -> DispatchResult {
		ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
		let mut account = Accounts::<T>::get(who).unwrap_or_default();
		let credited = Self::pull(who, amount)?;
		account.collateral =
			account.collateral.checked_add(credited).ok_or(Error::<T>::Overflow)?;
		Accounts::<T>::insert(who, account);
		Self::deposit_event(Event::Deposited { who: who.clone(), amount: credited });
		Ok(())
	}

	/// The `withdraw` call: settles every position's funding, then pays
	/// `amount` if the account keeps non-negative equity and its initial
	/// margin afterwards. Needs a fresh price for every market it holds.
	pub(crate) fn do_withdraw(who: &T::AccountId, amount: Balance) -> DispatchResult {
		ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
		let mut account = Accounts::<T>::get(who).ok_or(Error::<T>::InsufficientCollateral)?;
		let mut priced = Self::load_markets(&account, None).map_err(Error::<T>::from)?;
		let changed = Self::settle_all_funding(who, &mut account, &mut priced)?;
		let (figures, _) = Self::account_figures(&account, &priced).map_err(Error::<T>::from)?;
		ensure!(figures.equity >= 0, Error::<T>::OpenBadDebt);
		ensure!(amount <= account.collateral, Error::<T>::InsufficientCollateral);
		let equity_after = i128::try_from(amount)
			.ok()
			.and_then(|amount| figures.equity.checked_sub(amount))
			.ok_or(Error::<T>::Overflow)?;
		ensure!(!falls_short(equity_after, figures.initial), Error::<T>::BelowInitialMargin);
		// `amount <= collateral`.
		account.collateral = account.collateral.saturating_sub(amount);
		Self::push(who, amount)?;
		for (priced, changed) in priced.into_iter().zip(changed) {
			if changed {
				Markets::<T>::insert(priced.id, priced.market);
			}
		}
		Self::store_account(who, account);
		Self::deposit_event(Event::Withdrawn { who: who.clone(), amount });
		Ok(())
	}
}
