//! The logic of the calls and the hook: the underwriters' vault, sales,
//! settlement, early exercise, the purchase policy and the rolling listing.

use super::*;
use crate::pricing_impls::{amount_of, spread_payoff};
use backstop_primitives::{Authority, Balance, Direction, ProtectionBuyer};
use frame_support::{pallet_prelude::*, weights::Weight};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{
	helpers_128bit::multiply_by_rational_with_rounding,
	traits::{Saturating, Zero},
	FixedPointNumber, FixedU128, Permill, Rounding,
};

/// The most quotes the purchase policy bisects over to spend a budget that
/// binds (per template).
pub(crate) const POLICY_BISECTIONS: u32 = 8;

impl<T: Config> Pallet<T> {
	/// Deposits `amount` from `who` for shares at the net asset value per
	/// share before the deposit, rounded down (one share per unit while none
	/// are in issue).
	pub(crate) fn do_deposit(who: &T::AccountId, amount: Balance) -> DispatchResult {
		ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
		ensure!(amount >= Self::vault_params().min_deposit, Error::<T>::BelowMinDeposit);
		let mut vault = Vault::<T>::get();
		let nav = if vault.shares.is_zero() { Zero::zero() } else { Self::nav_of(&vault)? };
		ensure!(vault.shares.is_zero() || !nav.is_zero(), Error::<T>::VaultInsolvent);
		let share_price = Self::share_price_of(&vault, nav);
		let shares = Self::shares_for(&vault, nav, amount)?;
		ensure!(!shares.is_zero(), Error::<T>::DepositTooSmall);
		let credited = Self::pull(who, amount)?;
		// `credited` is `amount` unless the buffer was missing; shares for
		// what was credited only.
		let shares =
			if credited == amount { shares } else { Self::shares_for(&vault, nav, credited)? };
		ensure!(!shares.is_zero(), Error::<T>::DepositTooSmall);
		let mut position = Underwriters::<T>::get(who).unwrap_or_default();
		position.shares = position.shares.checked_add(shares).ok_or(Error::<T>::Overflow)?;
		vault.cash = vault.cash.checked_add(credited).ok_or(Error::<T>::Overflow)?;
		vault.shares = vault.shares.checked_add(shares).ok_or(Error::<T>::Overflow)?;
		Vault::<T>::put(vault);
		Underwriters::<T>::insert(who, position);
		Self::deposit_event(Event::Deposited {
			who: who.clone(),
			amount: credited,
			shares,
			share_price,
		});
		Ok(())
	}

	/// Files (or tops up) the withdrawal request of `who`. A top-up takes
	/// the lower of the two prices and restarts the delay; a lapsed request
	/// is replaced.
	pub(crate) fn do_request_withdraw(who: &T::AccountId, shares: Balance) -> DispatchResult {
		ensure!(!shares.is_zero(), Error::<T>::ZeroAmount);
		let mut position = Underwriters::<T>::get(who).ok_or(Error::<T>::InsufficientShares)?;
		let now = Self::now();
		let live = position.request.filter(|r| now < Self::lapses_at(r));
		let requested = live.map(|r| r.shares).unwrap_or_default();
		ensure!(
			shares <= position.shares.saturating_sub(requested),
			Error::<T>::InsufficientShares
		);
		let vault = Vault::<T>::get();
		let nav = Self::nav_of(&vault)?;
		ensure!(!nav.is_zero(), Error::<T>::VaultInsolvent);
		let price = Self::share_price_of(&vault, nav);
		let request = match live {
			Some(r) => WithdrawRequest {
				shares: r.shares.checked_add(shares).ok_or(Error::<T>::Overflow)?,
				requested_at: now,
				share_price: r.share_price.min(price),
			},
			None => WithdrawRequest { shares, requested_at: now, share_price: price },
		};
		position.request = Some(request);
		Underwriters::<T>::insert(who, position);
		Self::deposit_event(Event::WithdrawRequested {
			who: who.clone(),
			shares: request.shares,
			share_price: request.share_price,
			unlocks_at: Self::unlocks_at(&request),
		});
		Ok(())
	}

	/// Cancels the request of `who`.
	pub(crate) fn do_cancel_withdraw(who: &T::AccountId) -> DispatchResult {
		let mut position = Underwriters::<T>::get(who).ok_or(Error::<T>::NoWithdrawRequest)?;
		let request = position.request.take().ok_or(Error::<T>::NoWithdrawRequest)?;
		Underwriters::<T>::insert(who, position);
		Self::deposit_event(Event::WithdrawalCancelled {
			who: who.clone(),
			shares: request.shares,
		});
		Ok(())
	}

	/// Burns `shares` under the unlocked request of `who`, paying each at
	/// the lower of the request's and today's price per share (rounded
	/// down), out of the free cash `cash − locked` only.
	pub(crate) fn do_withdraw(who: &T::AccountId, shares: Balance) -> DispatchResult {
		ensure!(!shares.is_zero(), Error::<T>::ZeroAmount);
		let mut position = Underwriters::<T>::get(who).ok_or(Error::<T>::NoWithdrawRequest)?;
		let mut request = position.request.ok_or(Error::<T>::NoWithdrawRequest)?;
		ensure!(shares <= request.shares, Error::<T>::NoWithdrawRequest);
		let now = Self::now();
		ensure!(
			now >= Self::unlocks_at(&request) && now < Self::lapses_at(&request),
			Error::<T>::WithdrawalLocked
		);
		let mut vault = Vault::<T>::get();
		let nav = Self::nav_of(&vault)?;
		let at_request =
			amount_of(shares, request.share_price, Rounding::Down).ok_or(Error::<T>::Overflow)?;
		let at_nav = multiply_by_rational_with_rounding(shares, nav, vault.shares, Rounding::Down)
			.ok_or(Error::<T>::Overflow)?;
		let amount = at_request.min(at_nav);
		ensure!(!amount.is_zero(), Error::<T>::WithdrawalTooSmall);
		ensure!(
			amount <= vault.cash.saturating_sub(vault.locked),
			Error::<T>::InsufficientFreeCollateral
		);
		vault.cash = vault.cash.checked_sub(amount).ok_or(Error::<T>::LedgerExceedsAccount)?;
		vault.shares = vault.shares.checked_sub(shares).ok_or(Error::<T>::InsufficientShares)?;
		position.shares =
			position.shares.checked_sub(shares).ok_or(Error::<T>::InsufficientShares)?;
		request.shares = request.shares.saturating_sub(shares);
		position.request = if request.shares.is_zero() { None } else { Some(request) };
		Self::push(who, amount)?;
		Vault::<T>::put(vault);
		if position.shares.is_zero() && position.request.is_none() {
			Underwriters::<T>::remove(who);
		} else {
			Underwriters::<T>::insert(who, position);
		}
		Self::deposit_event(Event::Withdrawn { who: who.clone(), shares, amount });
		Ok(())
	}

	/// Sells `size` spreads of `series` to the fund for at most
	/// `max_premium`: the premium is paid into the vault's cash and the
	/// maximum payout is locked out of its free cash. Returns the premium.
	pub(crate) fn do_buy(
		series_id: SeriesId,
		size: u128,
		max_premium: Balance,
		by_policy: bool,
	) -> Result<Balance, DispatchError> {
		ensure!(!size.is_zero(), Error::<T>::ZeroAmount);
		let mut series = SeriesOf::<T>::get(series_id).ok_or(Error::<T>::UnknownSeries)?;
		ensure!(
			Self::now().saturating_add(T::SettlementWindow::get()) < series.expiry,
			Error::<T>::SeriesClosed
		);
		T::Buyer::account().ok_or(Error::<T>::NoBuyer)?;
		let width = series.strike_high.saturating_sub(series.strike_low);
		let collateral = amount_of(size, width, Rounding::Up).ok_or(Error::<T>::Overflow)?;
		let quote = Self::quote_spread(
			series.asset,
			series.strike_high,
			series.strike_low,
			series.expiry,
			size,
			collateral,
		)?;
		ensure!(quote.premium <= max_premium, Error::<T>::PremiumTooHigh);
		let mut vault = Vault::<T>::get();
		ensure!(
			collateral <= vault.cash.saturating_sub(vault.locked),
			Error::<T>::InsufficientFreeCollateral
		);
		series.open = series.open.checked_add(size).ok_or(Error::<T>::Overflow)?;
		series.collateral =
			series.collateral.checked_add(collateral).ok_or(Error::<T>::Overflow)?;
		series.premiums = series.premiums.checked_add(quote.premium).ok_or(Error::<T>::Overflow)?;
		vault.locked = vault.locked.checked_add(collateral).ok_or(Error::<T>::Overflow)?;
		// The first part of an inflow restores a missing existential buffer.
		let missing = Self::missing_buffer();
		vault.cash = vault
			.cash
			.checked_add(quote.premium.saturating_sub(missing))
			.ok_or(Error::<T>::Overflow)?;
		if !quote.premium.is_zero() {
			T::Buyer::pay_premium(&Self::account_id(), quote.premium)?;
		}
		SeriesOf::<T>::insert(series_id, series);
		Vault::<T>::put(vault);
		Self::deposit_event(Event::ProtectionBought {
			series: series_id,
			size,
			premium: quote.premium,
			collateral,
			iv_high: quote.iv_high,
			iv_low: quote.iv_low,
			by_policy,
		});
		Ok(quote.premium)
	}

	/// Governance's direct purchase: not a defensive action.
	pub(crate) fn do_buy_protection(
		authority: Authority,
		series: SeriesId,
		size: u128,
		max_premium: Balance,
	) -> DispatchResult {
		Self::check_action(authority, Direction::governance_only())?;
		Self::do_buy(series, size, max_premium, false).map(|_| ())
	}

	/// The budget left in the current period:
	/// `min(max_premium_per_period, budget_share × income since the period
	/// began) − spent`, rounded down.
	pub(crate) fn budget_left(
		policy: &PurchasePolicy<BlockNumberFor<T>>,
		budget: &BudgetState<BlockNumberFor<T>>,
	) -> Balance {
		let income = T::Buyer::fee_income();
		let earned = policy.budget_share.mul_floor(income.saturating_sub(budget.income_at_start));
		earned.min(policy.max_premium_per_period).saturating_sub(budget.spent)
	}

	/// Begins a new budget period when the current one has run its course:
	/// the hook calls it every block. Returns whether it rolled.
	pub(crate) fn roll_budget(now: BlockNumberFor<T>) -> bool {
		let Some(policy) = Policy::<T>::get() else { return false };
		let budget = Budget::<T>::get();
		if now < budget.period_start.saturating_add(policy.period) {
			return false;
		}
		Budget::<T>::put(BudgetState {
			period_start: now,
			income_at_start: T::Buyer::fee_income(),
			spent: Zero::zero(),
		});
		true
	}

	/// Runs the purchase policy over every template (at most `MaxTemplates`
	/// purchases).
	pub(crate) fn do_execute_policy() -> DispatchResult {
		let policy = Policy::<T>::get().filter(|p| p.enabled).ok_or(Error::<T>::PolicyDisabled)?;
		ensure!(!T::Buyer::below_floor(), Error::<T>::NothingToBuy);
		let mut budget = Budget::<T>::get();
		let mut left = Self::budget_left(&policy, &budget);
		let mut bought = false;
		for (template_id, template) in Templates::<T>::iter() {
			if left.is_zero() {
				break;
			}
			if template.target_payout.is_zero() {
				continue;
			}
			let Some(series_id) = Listed::<T>::get(template_id) else { continue };
			let Some(size) = Self::policy_size(&policy, &template, series_id, left) else {
				continue;
			};
			// A refused purchase (budget rounding, price) leaves this series.
			if let Ok(premium) = frame_support::storage::with_transaction(|| {
				match Self::do_buy(series_id, size, left, true) {
					Ok(p) => sp_runtime::TransactionOutcome::Commit(Ok(p)),
					Err(e) => sp_runtime::TransactionOutcome::Rollback(Err(e)),
				}
			}) {
				left = left.saturating_sub(premium);
				budget.spent = budget.spent.saturating_add(premium);
				bought = true;
			}
		}
		ensure!(bought, Error::<T>::NothingToBuy);
		Budget::<T>::put(budget);
		Ok(())
	}

	/// The size the policy buys of `series_id` for `template`: what brings
	/// the payout at the stress drop to the target (rounded up), within the
	/// budget `left` and the vault's free cash (rounded down). `None` if
	/// nothing.
	pub(crate) fn policy_size(
		policy: &PurchasePolicy<BlockNumberFor<T>>,
		template: &Template<BlockNumberFor<T>>,
		series_id: SeriesId,
		left: Balance,
	) -> Option<u128> {
		let series = SeriesOf::<T>::get(series_id)?;
		let info = Self::price_of(template.asset).ok()?;
		let stressed = info
			.ema
			.saturating_mul(FixedU128::from(Permill::one().saturating_sub(policy.stress_drop)));
		let have = Self::payout_at(template.asset, stressed);
		let need = template.target_payout.checked_sub(have).filter(|n| !n.is_zero())?;
		let unit = spread_payoff(series.strike_high, series.strike_low, stressed);
		if unit.is_zero() {
			return None;
		}
		let mut size = multiply_by_rational_with_rounding(
			need,
			FixedU128::DIV,
			unit.into_inner(),
			Rounding::Up,
		)?;
		let width = series.strike_high.saturating_sub(series.strike_low);
		let vault = Vault::<T>::get();
		let free = vault.cash.saturating_sub(vault.locked);
		let by_collateral = multiply_by_rational_with_rounding(
			free,
			FixedU128::DIV,
			width.into_inner(),
			Rounding::Down,
		)?;
		size = size.min(by_collateral);
		if size.is_zero() {
			return None;
		}
		let premium_of = |size: u128| -> Option<Balance> {
			let collateral = amount_of(size, width, Rounding::Up)?;
			Self::quote_spread(
				series.asset,
				series.strike_high,
				series.strike_low,
				series.expiry,
				size,
				collateral,
			)
			.ok()
			.map(|q| q.premium)
		};
		let premium = premium_of(size)?;
		if premium <= left {
			return Some(size);
		}
		// Scale down to the budget: the smaller trade prices no higher per
		// unit (its utilization add-on is lower), so it fits. The size that
		// spends the budget exactly lies between it and the size the budget
		// buys at the smaller trade's unit price: bisect, `POLICY_BISECTIONS`
		// quotes at most.
		let fitted = multiply_by_rational_with_rounding(size, left, premium, Rounding::Down)?;
		let fitted_premium = premium_of(fitted).filter(|p| *p <= left && !fitted.is_zero())?;
		let mut low = fitted;
		let mut high = multiply_by_rational_with_rounding(
			fitted,
			left,
			fitted_premium.max(1),
			Rounding::Down,
		)?
		.min(size);
		for _ in 0..POLICY_BISECTIONS {
			if high <= low.saturating_add(1) {
				break;
			}
			let mid = low.saturating_add(high.saturating_sub(low) / 2);
			if premium_of(mid).is_some_and(|p| p <= left) {
				low = mid;
			} else {
				high = mid;
			}
		}
		Some(low)
	}

	/// Settles the expired `series_id`: pays the fund `open × payoff` at the
	/// settlement price (rounded down, at most the collateral), releases
	/// the collateral and removes the series.
	pub(crate) fn do_settle(series_id: SeriesId) -> DispatchResult {
		let series = SeriesOf::<T>::get(series_id).ok_or(Error::<T>::UnknownSeries)?;
		ensure!(Self::now() >= series.expiry, Error::<T>::NotExpired);
		let price = Self::settlement_price(&series)?;
		let unit = spread_payoff(series.strike_high, series.strike_low, price);
		let payout = amount_of(series.open, unit, Rounding::Down)
			.ok_or(Error::<T>::Overflow)?
			.min(series.collateral);
		let mut vault = Vault::<T>::get();
		vault.locked =
			vault.locked.checked_sub(series.collateral).ok_or(Error::<T>::LedgerExceedsAccount)?;
		vault.cash = vault.cash.checked_sub(payout).ok_or(Error::<T>::LedgerExceedsAccount)?;
		if !payout.is_zero() {
			Self::pay_buyer(payout)?;
		}
		Vault::<T>::put(vault);
		SeriesOf::<T>::remove(series_id);
		if Listed::<T>::get(series.template) == Some(series_id) {
			Listed::<T>::remove(series.template);
		}
		Self::deposit_event(Event::SeriesSettled {
			series: series_id,
			price,
			payout,
			released: series.collateral,
		});
		Ok(())
	}

	/// Exercises `size` spreads of `series_id` early at intrinsic value at
	/// the higher of spot and EMA, while the fund is below its floor. The
	/// collateral released is the exercised share of the series' collateral,
	/// rounded down (the rest stays locked for the rest of the spreads).
	pub(crate) fn do_exercise_early(series_id: SeriesId, size: u128) -> DispatchResult {
		ensure!(!size.is_zero(), Error::<T>::ZeroAmount);
		ensure!(T::Buyer::below_floor(), Error::<T>::NotBelowFloor);
		let mut series = SeriesOf::<T>::get(series_id).ok_or(Error::<T>::UnknownSeries)?;
		ensure!(Self::now() < series.expiry, Error::<T>::AlreadyExpired);
		ensure!(size <= series.open, Error::<T>::ExceedsOpen);
		let info = Self::price_of(series.asset)?;
		let price = Self::exercise_price(&info);
		let unit = spread_payoff(series.strike_high, series.strike_low, price);
		ensure!(!unit.is_zero(), Error::<T>::OutOfTheMoney);
		let released = multiply_by_rational_with_rounding(
			series.collateral,
			size,
			series.open,
			Rounding::Down,
		)
		.ok_or(Error::<T>::Overflow)?;
		let payout =
			amount_of(size, unit, Rounding::Down).ok_or(Error::<T>::Overflow)?.min(released);
		ensure!(!payout.is_zero(), Error::<T>::OutOfTheMoney);
		let mut vault = Vault::<T>::get();
		vault.locked =
			vault.locked.checked_sub(released).ok_or(Error::<T>::LedgerExceedsAccount)?;
		vault.cash = vault.cash.checked_sub(payout).ok_or(Error::<T>::LedgerExceedsAccount)?;
		series.open = series.open.saturating_sub(size);
		series.collateral = series.collateral.saturating_sub(released);
		Self::pay_buyer(payout)?;
		Vault::<T>::put(vault);
		SeriesOf::<T>::insert(series_id, series);
		Self::deposit_event(Event::ExercisedEarly {
			series: series_id,
			size,
			price,
			payout,
			released,
		});
		Ok(())
	}

	/// The hook: samples the EMA of every series in its settlement window
	/// (at most `MaxSeries`), then lists a series for every template without
	/// a live one (at most `MaxTemplates`).
	pub(crate) fn do_on_initialize(now: BlockNumberFor<T>) -> Weight {
		let window = T::SettlementWindow::get();
		let mut sampled: u32 = 0;
		let mut read: u32 = 0;
		if Self::roll_budget(now) {
			sampled = sampled.saturating_add(1);
		}
		let in_window: alloc::vec::Vec<(SeriesId, Series<BlockNumberFor<T>>)> =
			SeriesOf::<T>::iter()
				.take(usize::try_from(T::MaxSeries::get()).unwrap_or(usize::MAX))
				.filter(|(_, s)| now < s.expiry && now.saturating_add(window) >= s.expiry)
				.collect();
		read = read.saturating_add(SeriesOf::<T>::count());
		for (id, mut series) in in_window {
			if let Ok(info) = Self::price_of(series.asset) {
				if let (Some(sum), Some(samples)) = (
					series.twap_sum.checked_add(info.ema.into_inner()),
					series.twap_samples.checked_add(1),
				) {
					series.twap_sum = sum;
					series.twap_samples = samples;
					SeriesOf::<T>::insert(id, series);
					sampled = sampled.saturating_add(1);
				}
			}
		}
		let mut listed: u32 = 0;
		for (template_id, template) in Templates::<T>::iter()
			.take(usize::try_from(T::MaxTemplates::get()).unwrap_or(usize::MAX))
		{
			read = read.saturating_add(1);
			let live = Listed::<T>::get(template_id)
				.and_then(SeriesOf::<T>::get)
				.is_some_and(|s| now.saturating_add(window) < s.expiry);
			if live {
				continue;
			}
			if Self::list_series(template_id, &template).is_ok() {
				listed = listed.saturating_add(1);
			}
		}
		T::WeightInfo::on_initialize(read.saturating_add(sampled), listed)
	}

	/// Lists a series of `template` at the EMA now: strikes at its
	/// moneyness of the EMA (rounded down), expiry a tenor from now.
	pub(crate) fn list_series(
		template_id: TemplateId,
		template: &Template<BlockNumberFor<T>>,
	) -> DispatchResult {
		ensure!(SeriesOf::<T>::count() < T::MaxSeries::get(), Error::<T>::Overflow);
		let info = Self::price_of(template.asset)?;
		let strike_high = info.ema.saturating_mul(FixedU128::from(template.upper_moneyness));
		let strike_low = info.ema.saturating_mul(FixedU128::from(template.lower_moneyness));
		Self::insert_series(
			template_id,
			template.asset,
			strike_high,
			strike_low,
			Self::now().saturating_add(template.tenor),
		)
	}

	/// Records a new series and makes it its template's listed one.
	pub(crate) fn insert_series(
		template_id: TemplateId,
		asset: backstop_primitives::OracleAssetId,
		strike_high: backstop_primitives::Price,
		strike_low: backstop_primitives::Price,
		expiry: BlockNumberFor<T>,
	) -> DispatchResult {
		ensure!(strike_low < strike_high && !strike_low.is_zero(), Error::<T>::InvalidTemplate);
		ensure!(SeriesOf::<T>::count() < T::MaxSeries::get(), Error::<T>::Overflow);
		let id = NextSeriesId::<T>::get();
		let next = id.checked_add(1).ok_or(Error::<T>::Overflow)?;
		let series = Series {
			template: template_id,
			asset,
			strike_high,
			strike_low,
			listed_at: Self::now(),
			expiry,
			open: 0,
			collateral: 0,
			premiums: 0,
			twap_sum: 0,
			twap_samples: 0,
		};
		SeriesOf::<T>::insert(id, series);
		NextSeriesId::<T>::put(next);
		Listed::<T>::insert(template_id, id);
		Self::deposit_event(Event::SeriesListed {
			series: id,
			template: template_id,
			asset,
			strike_high,
			strike_low,
			expiry,
		});
		Ok(())
	}
}
