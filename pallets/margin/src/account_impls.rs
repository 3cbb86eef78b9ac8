//! Collateral: deposits and withdrawals, the profit warm-up, and the pallet
//! account that holds it.

use super::*;
use backstop_primitives::{Balance, SignedBalance};
use frame_support::{
	pallet_prelude::*,
	storage::with_storage_layer,
	traits::{
		fungible::{Inspect, Mutate},
		tokens::Preservation,
		Get,
	},
};
use frame_system::pallet_prelude::BlockNumberFor;
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

	/// The current block.
	pub(crate) fn now() -> BlockNumberFor<T> {
		frame_system::Pallet::<T>::block_number()
	}

	/// Applies an operation's net change of `account`'s collateral, `delta`
	/// (its collateral already updated), to its maturing profit under the
	/// governed warm-up: a credit above the threshold is locked, a debit comes
	/// out of the locked profit first, the locked part never exceeds the
	/// collateral. Returns the `ProfitLocked` event to deposit when a credit
	/// was locked.
	pub(crate) fn credit_maturing(
		who: &T::AccountId,
		account: &mut AccountOf<T>,
		delta: SignedBalance,
	) -> Option<Event<T>> {
		let now = Self::now();
		let warmup = ProfitWarmupConfig::<T>::get();
		let locked = account.maturing.apply(delta, account.collateral, now, &warmup);
		(locked && !account.maturing.is_empty()).then(|| Event::ProfitLocked {
			who: who.clone(),
			amount: delta.unsigned_abs(),
			locked: account.maturing.amount,
			matures_at: account.maturing.end,
		})
	}

	/// The most `withdraw` pays out of `collateral` (funding settled) with
	/// `locked` of it maturing, positions worth `upnl` net of funding and an
	/// initial requirement of `initial`: the free collateral, and no more
	/// than keeps `collateral − amount + min(0, upnl) ≥ initial` (unrealized
	/// profit never backs a withdrawal); nothing with negative equity.
	pub(crate) fn withdrawable_amount(
		collateral: Balance,
		locked: Balance,
		upnl: SignedBalance,
		initial: Balance,
	) -> Balance {
		let free = collateral.saturating_sub(locked);
		let loss = upnl.min(0).unsigned_abs();
		let room = collateral.saturating_sub(loss).saturating_sub(initial);
		free.min(room)
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

	/// The `withdraw` call, in a storage layer of its own: an error leaves
	/// nothing changed (the funding it settled first included).
	pub(crate) fn do_withdraw(who: &T::AccountId, amount: Balance) -> DispatchResult {
		with_storage_layer(|| Self::withdraw_in_layer(who, amount))
	}

	/// The `withdraw` call: settles every position's funding, then pays
	/// `amount` if the account keeps non-negative equity, the amount is not
	/// maturing profit, and the account still covers its initial margin
	/// afterwards counting its unrealized PnL only when it is a loss. Needs a
	/// fresh price for every market it holds.
	fn withdraw_in_layer(who: &T::AccountId, amount: Balance) -> DispatchResult {
		ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
		let mut account = Accounts::<T>::get(who).ok_or(Error::<T>::InsufficientCollateral)?;
		let mut priced = Self::load_markets(&account, None).map_err(Error::<T>::from)?;
		let (changed, net) = Self::settle_all_funding(who, &mut account, &mut priced)?;
		let locked_event = Self::credit_maturing(who, &mut account, net);
		let (figures, _) = Self::account_figures(&account, &priced).map_err(Error::<T>::from)?;
		ensure!(figures.equity >= 0, Error::<T>::OpenBadDebt);
		ensure!(amount <= account.collateral, Error::<T>::InsufficientCollateral);
		let locked = account.maturing.locked_at(Self::now());
		ensure!(amount <= account.collateral.saturating_sub(locked), Error::<T>::ProfitMaturing);
		let upnl = figures
			.unrealized_pnl
			.checked_sub(figures.accrued_funding)
			.ok_or(Error::<T>::Overflow)?;
		ensure!(
			amount <= Self::withdrawable_amount(account.collateral, 0, upnl, figures.initial),
			Error::<T>::BelowInitialMargin
		);
		// `amount <= collateral`; the free part pays it, so the locked part
		// stays as it is.
		account.collateral = account.collateral.saturating_sub(amount);
		Self::push(who, amount)?;
		for (priced, changed) in priced.into_iter().zip(changed) {
			if changed {
				Markets::<T>::insert(priced.id, priced.market);
			}
		}
		Self::store_account(who, account);
		if let Some(event) = locked_event {
			Self::deposit_event(event);
		}
		Self::deposit_event(Event::Withdrawn { who: who.clone(), amount });
		Ok(())
	}
}
