//! Trading against the pool: open, increase, reduce, close or flip a position
//! at the oracle price plus a skew-dependent fee.

use super::*;
use crate::{health_impls::Priced, math};
use backstop_primitives::{MarketId, Price};
use frame_support::{pallet_prelude::*, traits::Get};
use sp_arithmetic::{
	traits::{CheckedAdd, Saturating},
	Rounding,
};

impl<T: Config> Pallet<T> {
	/// Moves a position of `market` from `old` to `new` size in the open
	/// interest of its market.
	pub(crate) fn move_open_interest(
		state: &mut MarketState,
		old: i128,
		new: i128,
	) -> Result<(), Error<T>> {
		if old > 0 {
			state.long_open_interest = state
				.long_open_interest
				.checked_sub(old.unsigned_abs())
				.ok_or(Error::<T>::Overflow)?;
		} else if old < 0 {
			state.short_open_interest = state
				.short_open_interest
				.checked_sub(old.unsigned_abs())
				.ok_or(Error::<T>::Overflow)?;
		}
		if new > 0 {
			state.long_open_interest = state
				.long_open_interest
				.checked_add(new.unsigned_abs())
				.ok_or(Error::<T>::Overflow)?;
		} else if new < 0 {
			state.short_open_interest = state
				.short_open_interest
				.checked_add(new.unsigned_abs())
				.ok_or(Error::<T>::Overflow)?;
		}
		Ok(())
	}

	/// The `trade` call.
	///
	/// In order: checks the market, its status and a fresh price; settles the
	/// position's funding; realises the reduced part and opens the rest at the
	/// oracle price (cost basis rounded up, value rounded down); charges the
	/// trading fee plus the skew fee and checks the fill price against
	/// `acceptable`; checks the open-interest cap for trades that raise it;
	/// checks the account's margin afterwards (initial margin, or maintenance
	/// margin for trades that only reduce); then moves money and capacity.
	pub(crate) fn do_trade(
		who: &T::AccountId,
		id: MarketId,
		delta: i128,
		acceptable: Price,
	) -> DispatchResult {
		ensure!(delta != 0, Error::<T>::ZeroSize);
		let mut market = Markets::<T>::get(id).ok_or(Error::<T>::UnknownMarket)?;
		ensure!(market.status != MarketStatus::Halted, Error::<T>::MarketHalted);
		let info = Self::fresh_price(market.params.oracle_asset).map_err(Self::price_error)?;
		let price = info.price;
		let params = market.params;

		let mut account = Accounts::<T>::get(who).unwrap_or_default();
		let existing = account.positions.iter().find(|p| p.market == id).copied();
		if existing.is_none() {
			let held = u32::try_from(account.positions.len()).unwrap_or(u32::MAX);
			ensure!(held < T::MaxPositionsPerAccount::get(), Error::<T>::TooManyPositions);
		}
		let mut position = existing.unwrap_or(Position {
			market: id,
			size: 0,
			cost: 0,
			funding_index: market.state.funding_index,
		});

		// Which part of the trade reduces the position and which opens.
		let old_size = position.size;
		let new_size = old_size.checked_add(delta).ok_or(Error::<T>::Overflow)?;
		let step = delta.unsigned_abs();
		let against = old_size != 0 && (old_size > 0) != (delta > 0);
		let closing = if against { step.min(old_size.unsigned_abs()) } else { 0 };
		// `closing <= step`.
		let opening = step.saturating_sub(closing);
		let reducing = opening == 0;
		if market.status == MarketStatus::ReduceOnly {
			ensure!(reducing, Error::<T>::MarketReduceOnly);
		}

		// Funding, realised PnL and the new cost basis.
		let funding = Self::take_funding(&mut position, &market)?;
		let (pnl, cost_closed) = if closing > 0 {
			math::realize(old_size, position.cost, closing, price).ok_or(Error::<T>::Overflow)?
		} else {
			(0, 0)
		};
		let opened = i128::try_from(opening).map_err(|_| Error::<T>::Overflow)?;
		let opened =
			if delta > 0 { opened } else { opened.checked_neg().ok_or(Error::<T>::Overflow)? };
		let cost_opened = if opening > 0 {
			math::entry_cost(opened, price).ok_or(Error::<T>::Overflow)?
		} else {
			0
		};
		position.cost = position
			.cost
			.checked_sub(cost_closed)
			.and_then(|cost| cost.checked_add(cost_opened))
			.ok_or(Error::<T>::Overflow)?;
		position.size = new_size;

		// Fee and slippage.
		let notional = math::notional(step, price, Rounding::Up).ok_or(Error::<T>::Overflow)?;
		let skew = market.state.skew().ok_or(Error::<T>::Overflow)?;
		let fee = math::permill_of(notional, params.trading_fee, Rounding::Up)
			.and_then(|base| {
				base.checked_add(math::skew_fee(
					price,
					skew,
					delta,
					params.skew_fee,
					params.skew_scale,
				)?)
			})
			.ok_or(Error::<T>::Overflow)?;
		let per_unit = math::fee_per_unit(fee, step).ok_or(Error::<T>::Overflow)?;
		let fill_price = if delta > 0 {
			let fill = price.checked_add(&per_unit).ok_or(Error::<T>::Overflow)?;
			ensure!(fill <= acceptable, Error::<T>::SlippageExceeded);
			fill
		} else {
			let fill = price.saturating_sub(per_unit);
			ensure!(fill >= acceptable, Error::<T>::SlippageExceeded);
			fill
		};

		// Open interest.
		let before = market.state.open_interest().ok_or(Error::<T>::Overflow)?;
		Self::move_open_interest(&mut market.state, old_size, new_size)?;
		let after = market.state.open_interest().ok_or(Error::<T>::Overflow)?;
		if after > before {
			let value = math::notional(after, price, Rounding::Up).ok_or(Error::<T>::Overflow)?;
			ensure!(value <= params.max_open_interest, Error::<T>::OpenInterestCapExceeded);
		}
		market.state.last_price = price;

		// Collateral after PnL, funding and fee.
		let cash = pnl.checked_sub(funding).ok_or(Error::<T>::Overflow)?;
		let fee_signed = i128::try_from(fee).map_err(|_| Error::<T>::Overflow)?;
		let collateral = i128::try_from(account.collateral)
			.ok()
			.and_then(|c| c.checked_add(cash))
			.and_then(|c| c.checked_sub(fee_signed))
			.ok_or(Error::<T>::Overflow)?;
		ensure!(collateral >= 0, Error::<T>::InsufficientCollateral);
		account.collateral = collateral.unsigned_abs();
		if new_size == 0 {
			account.positions.retain(|p| p.market != id);
		} else if let Some(held) = account.positions.iter_mut().find(|p| p.market == id) {
			*held = position;
		} else {
			account.positions.try_push(position).map_err(|_| Error::<T>::TooManyPositions)?;
			account.positions.sort_by_key(|p| p.market);
		}

		// Margin after the trade, with this market as it will be.
		let overriding = Priced::<T> { id, market: market.clone(), price: info };
		let (figures, _, _) =
			Self::value_account(&account, Some(&overriding)).map_err(Error::<T>::from)?;
		if reducing {
			ensure!(figures.covers(figures.maintenance), Error::<T>::BelowMaintenanceMargin);
		} else {
			ensure!(figures.covers(figures.initial), Error::<T>::BelowInitialMargin);
		}

		// Money and capacity.
		if cash > 0 {
			Self::pool_pays(id, &mut market, cash.unsigned_abs())?;
		} else if cash < 0 {
			market.state.pool_receivable = market
				.state
				.pool_receivable
				.checked_add(cash.unsigned_abs())
				.ok_or(Error::<T>::Overflow)?;
		}
		Self::book_fee(&mut market, fee)?;
		Self::unlock_capacity(&mut market, cost_closed.unsigned_abs())?;
		Self::lock_capacity(id, &mut market, cost_opened.unsigned_abs())?;

		Markets::<T>::insert(id, market);
		Self::store_account(who, account);
		if funding != 0 {
			Self::deposit_event(Event::FundingSettled {
				who: who.clone(),
				market: id,
				amount: funding,
			});
		}
		Self::deposit_event(Event::Traded {
			who: who.clone(),
			market: id,
			size_delta: delta,
			price,
			fill_price,
			fee,
			realized_pnl: pnl,
			size: new_size,
		});
		Ok(())
	}
}
