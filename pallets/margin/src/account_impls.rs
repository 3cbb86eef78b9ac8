//! Collateral: deposits and withdrawals, the profit warm-up, and the pallet
//! account that holds it (with what it holds beyond its ledgers).

use super::*;
use crate::health_impls::Pricing;
use backstop_primitives::{Balance, MarketId, RevenueKind, RevenueSink, SignedBalance};
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

	/// `account`'s position in market `id`, or an empty one at `market`'s
	/// funding and premium indices when it holds none there and has room for
	/// one (`TooManyPositions` otherwise): a new position owes nothing of
	/// what accrued before it opened.
	pub(crate) fn position_in(
		account: &AccountOf<T>,
		id: MarketId,
		market: &MarketInfo,
	) -> Result<Position, Error<T>> {
		if let Some(held) = account.positions.iter().find(|p| p.market == id) {
			return Ok(*held);
		}
		let held = u32::try_from(account.positions.len()).unwrap_or(u32::MAX);
		ensure!(held < T::MaxPositionsPerAccount::get(), Error::<T>::TooManyPositions);
		Ok(Position {
			market: id,
			size: 0,
			cost: 0,
			funding_index: market.state.funding_index,
			premium_index: market.state.premium_index,
		})
	}

	/// Puts `position` in `account` in place of its position in the same
	/// market: removed if it is empty, replaced if one is held, else added
	/// (positions stay sorted by market).
	pub(crate) fn put_position(
		account: &mut AccountOf<T>,
		position: Position,
	) -> Result<(), Error<T>> {
		let id = position.market;
		if position.size == 0 {
			account.positions.retain(|p| p.market != id);
		} else if let Some(held) = account.positions.iter_mut().find(|p| p.market == id) {
			*held = position;
		} else {
			account.positions.try_push(position).map_err(|_| Error::<T>::TooManyPositions)?;
			account.positions.sort_by_key(|p| p.market);
		}
		Ok(())
	}

	/// Stores `account`, or removes it when it holds nothing, and moves its
	/// positions in the deleveraging queues. Every change of an account's
	/// positions goes through here.
	pub(crate) fn store_account(who: &T::AccountId, account: AccountOf<T>) {
		let old = Accounts::<T>::get(who).map(|a| a.positions).unwrap_or_default();
		Self::requeue(who, &old, &account.positions);
		Self::reindex(who, !old.is_empty(), !account.positions.is_empty());
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
		let existing = Accounts::<T>::get(who);
		// Opening an account takes at least the minimum collateral, which
		// stays until the account closes (it pays for the account's storage).
		ensure!(
			existing.is_some() || amount >= T::MinCollateral::get(),
			Error::<T>::BelowMinimumCollateral
		);
		let mut account = existing.unwrap_or_default();
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

	/// The `withdraw` call: settles every position's funding and backstop
	/// premium, then pays
	/// `amount` if the account keeps non-negative equity, the amount is not
	/// maturing profit, and the account still covers its initial margin
	/// afterwards counting its unrealized PnL only when it is a loss. Needs a
	/// fresh price for every market it holds.
	fn withdraw_in_layer(who: &T::AccountId, amount: Balance) -> DispatchResult {
		ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
		let mut account = Accounts::<T>::get(who).ok_or(Error::<T>::InsufficientCollateral)?;
		let mut priced =
			Self::load_markets(&account, None, Pricing::Fresh).map_err(Error::<T>::from)?;
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
		// An account keeps the minimum collateral until it withdraws
		// everything (and so closes).
		ensure!(
			account.collateral.is_zero() || account.collateral >= T::MinCollateral::get(),
			Error::<T>::BelowMinimumCollateral
		);
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

	/// What the pallet's ledgers say its account holds, without the buffer:
	/// the collateral of every account and what every market holds for
	/// others (pool receivable, pending penalties and fee shares). Reads
	/// every market (at most `MaxMarkets`) and every account, but refuses
	/// (`TooManyAccounts`) to read more than `max_accounts` of them. Returns
	/// the ledgers and the number of accounts read.
	pub(crate) fn ledgers_within(max_accounts: u32) -> Result<(Balance, u32), DispatchError> {
		let mut ledgers: Balance = 0;
		let mut read: u32 = 0;
		for account in Accounts::<T>::iter_values() {
			ensure!(read < max_accounts, Error::<T>::TooManyAccounts);
			// `read < max_accounts <= u32::MAX`.
			read = read.saturating_add(1);
			ledgers = ledgers.checked_add(account.collateral).ok_or(Error::<T>::Overflow)?;
		}
		for market in Markets::<T>::iter_values() {
			let held = market.held_for_others().ok_or(Error::<T>::Overflow)?;
			ledgers = ledgers.checked_add(held).ok_or(Error::<T>::Overflow)?;
		}
		Ok((ledgers, read))
	}

	/// What the pallet account holds beyond `ledgers` and the buffer.
	fn excess_over(ledgers: Balance) -> Balance {
		let expected = ledgers.saturating_add(T::Currency::minimum_balance());
		T::Currency::balance(&Self::account_id()).saturating_sub(expected)
	}

	/// What the pallet account holds beyond all collateral, every market's
	/// ledgers and the buffer: unsolicited transfers, never counted as
	/// anyone's, swept by `sweep_excess`. Reads every account (for the
	/// runtime API and tests; the call reads them within its witness). Zero
	/// if the ledgers overflow, which they cannot: each is backed by the
	/// settlement asset's issuance.
	pub fn excess() -> Balance {
		Self::ledgers_within(u32::MAX)
			.map(|(ledgers, _)| Self::excess_over(ledgers))
			.unwrap_or_default()
	}

	/// The `sweep_excess` call: hands the excess to `T::ExcessSink` as
	/// `RevenueKind::Unsolicited` and returns the number of accounts read.
	pub(crate) fn do_sweep_excess(max_accounts: u32) -> Result<u32, DispatchError> {
		let (ledgers, read) = Self::ledgers_within(max_accounts)?;
		let excess = Self::excess_over(ledgers);
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
			log::error!(
				target: LOG_TARGET,
				"the excess sink took {} of an excess of {excess}",
				before.saturating_sub(after),
			);
			return Err(Error::<T>::LedgerExceedsAccount.into());
		}
		let taken = before.saturating_sub(after);
		ensure!(!taken.is_zero(), Error::<T>::NoExcess);
		Self::deposit_event(Event::ExcessSwept { amount: taken });
		Ok(read)
	}
}
