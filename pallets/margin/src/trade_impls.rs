//! Trading against the pool: open, increase, reduce, close or flip a position
//! at the oracle price plus a skew-dependent fee; the pool reserves cash
//! against the open interest and pays profits out of its cash.

use super::*;
use crate::{
	health_impls::{Priced, Pricing},
	math,
};
use backstop_primitives::{MarketId, Price, SignedBalance};
use frame_support::{pallet_prelude::*, storage::with_storage_layer};
use sp_arithmetic::{
	traits::{CheckedAdd, Saturating},
	Rounding,
};

impl<T: Config> Pallet<T> {
	/// The `trade` call, in a storage layer of its own (as a dispatchable
	/// is): an error leaves nothing changed, also when the benchmarks or
	/// other callers use it directly.
	pub(crate) fn do_trade(
		who: &T::AccountId,
		id: MarketId,
		delta: i128,
		acceptable: Price,
	) -> DispatchResult {
		with_storage_layer(|| Self::trade_in_layer(who, id, delta, acceptable))
	}

	/// Splits a fill of `delta` against a position of `old_size` into the
	/// part that reduces the position and the part that opens:
	/// `closing + opening = |delta|`.
	pub(crate) fn split_fill(old_size: i128, delta: i128) -> (u128, u128) {
		let step = delta.unsigned_abs();
		let against = old_size != 0 && (old_size > 0) != (delta > 0);
		let closing = if against { step.min(old_size.unsigned_abs()) } else { 0 };
		// `closing <= step`.
		(closing, step.saturating_sub(closing))
	}

	/// Fills `delta` of `position` (its funding settled) at `price`: the part
	/// that reduces it is realised, the rest opens at `price` (cost basis
	/// rounded up). Returns the realised PnL.
	pub(crate) fn apply_fill(
		position: &mut Position,
		delta: i128,
		price: Price,
	) -> Result<SignedBalance, DispatchError> {
		let new_size = position.size.checked_add(delta).ok_or(Error::<T>::Overflow)?;
		let (closing, opening) = Self::split_fill(position.size, delta);
		let (pnl, cost_closed) = if closing > 0 {
			math::realize(position.size, position.cost, closing, price)
				.ok_or(Error::<T>::Overflow)?
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
		Ok(pnl)
	}

	/// The `trade` call.
	///
	/// In order: checks the market, its status and a fresh price; settles the
	/// position's funding and backstop premium (in full); realises the reduced part and opens the rest at the
	/// oracle price (cost basis rounded up, value rounded down); charges the
	/// trading fee plus the skew fee and checks the fill price against
	/// `acceptable`; moves the position in the market's aggregates and checks
	/// the open-interest cap for trades that raise it and, for a trade that
	/// is not only a reduction, the pool's max-PnL cap; checks the account's
	/// margin afterwards (initial margin, or maintenance margin for trades
	/// that only reduce); then moves money (profit from the pool, loss and
	/// fee to the ledgers) and has the pool reserve against the new open
	/// interest.
	fn trade_in_layer(
		who: &T::AccountId,
		id: MarketId,
		delta: i128,
		acceptable: Price,
	) -> DispatchResult {
		ensure!(delta != 0, Error::<T>::ZeroSize);
		let mut market = Markets::<T>::get(id).ok_or(Error::<T>::UnknownMarket)?;
		ensure!(market.status != MarketStatus::Closed, Error::<T>::MarketClosed);
		ensure!(market.status != MarketStatus::Halted, Error::<T>::MarketHalted);
		let info = Self::fresh_price(market.params.oracle_asset).map_err(Self::price_error)?;
		let price = info.price;
		let params = market.params;

		let mut account = Accounts::<T>::get(who).unwrap_or_default();
		let before = Self::position_in(&account, id, &market)?;
		let mut position = before;

		// Which part of the trade reduces the position and which opens.
		let step = delta.unsigned_abs();
		let (_, opening) = Self::split_fill(position.size, delta);
		let reducing = opening == 0;
		// A price governance froze is not a market price: the market only
		// reduces on it (liquidations go on at the frozen price).
		if info.frozen {
			ensure!(reducing, Error::<T>::PriceFrozen);
		}
		if market.status == MarketStatus::ReduceOnly {
			ensure!(reducing, Error::<T>::MarketReduceOnly);
		}

		// Funding, premium, realised PnL and the new cost basis. The premium
		// settles before the size changes: a resized position pays what its
		// old size accrued and from now on at its new size.
		let funding = Self::take_funding(&mut position, &market)?;
		let premium = Self::take_premium(&mut position, &market)?;
		let pnl = Self::apply_fill(&mut position, delta, price)?;
		let new_size = position.size;

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

		// Open interest and the market's aggregates.
		let state = &mut market.state;
		let oi_before = state.open_interest().ok_or(Error::<T>::Overflow)?;
		let side_before = state.long_open_interest.max(state.short_open_interest);
		Self::move_position(state, &before, &position)?;
		let oi_after = state.open_interest().ok_or(Error::<T>::Overflow)?;
		let side_after = state.long_open_interest.max(state.short_open_interest);
		if oi_after > oi_before {
			let value =
				math::notional(oi_after, price, Rounding::Up).ok_or(Error::<T>::Overflow)?;
			ensure!(value <= params.max_open_interest, Error::<T>::OpenInterestCapExceeded);
		}
		state.last_price = price;
		if !reducing {
			Self::ensure_pnl_cap(id, state, price)?;
		}

		// Collateral after PnL, funding, fee and premium (all paid in full:
		// a trade never forgives premium).
		let cash = pnl.checked_sub(funding).ok_or(Error::<T>::Overflow)?;
		let fee_signed = i128::try_from(fee).map_err(|_| Error::<T>::Overflow)?;
		let premium_signed = i128::try_from(premium).map_err(|_| Error::<T>::Overflow)?;
		let net = cash
			.checked_sub(fee_signed)
			.and_then(|net| net.checked_sub(premium_signed))
			.ok_or(Error::<T>::Overflow)?;
		let collateral = i128::try_from(account.collateral)
			.ok()
			.and_then(|c| c.checked_add(net))
			.ok_or(Error::<T>::Overflow)?;
		ensure!(collateral >= 0, Error::<T>::InsufficientCollateral);
		account.collateral = collateral.unsigned_abs();
		Self::put_position(&mut account, position)?;

		// Margin after the trade, with this market as it will be.
		// A reducing trade values a leg without a fresh price at its
		// conservative mark: a stale leg blocks only risk-increasing trades.
		let overriding = Priced::<T> { id, market: market.clone(), price: info, live: true };
		let pricing = if reducing { Pricing::Conservative } else { Pricing::Fresh };
		let (figures, _, _) =
			Self::value_account(&account, Some(&overriding), pricing).map_err(Error::<T>::from)?;
		if reducing {
			ensure!(figures.covers(figures.maintenance), Error::<T>::BelowMaintenanceMargin);
		} else {
			ensure!(figures.covers(figures.initial), Error::<T>::BelowInitialMargin);
		}

		// Money, then the pool's reservation against the new open interest.
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
		market.state.pending_premium =
			market.state.pending_premium.checked_add(premium).ok_or(Error::<T>::Overflow)?;
		let adds_risk = !reducing && side_after > side_before;
		Self::reserve_for(id, &market.state, price, adds_risk)?;
		market.state.reserve_stale = false;

		Markets::<T>::insert(id, market);
		let locked = Self::credit_maturing(who, &mut account, net);
		Self::store_account(who, account);
		if funding != 0 {
			Self::deposit_event(Event::FundingSettled {
				who: who.clone(),
				market: id,
				amount: funding,
			});
		}
		if premium != 0 {
			Self::deposit_event(Event::PremiumSettled {
				who: who.clone(),
				market: id,
				amount: premium,
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
		if let Some(event) = locked {
			Self::deposit_event(event);
		}
		Ok(())
	}
}
