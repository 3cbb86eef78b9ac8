//! Takeover: a keeper takes (part of) a liquidatable account's position into
//! its own margin account at a price discounted by the market's liquidation
//! penalty — the on-chain form of a liquidation auction.
//!
//! The position changes hands; the pool stays the counterparty of the same
//! open interest, so its exposure does not grow. The account gives up the
//! discount on the part taken over instead of paying the penalty and the
//! liquidator's reward on it; the keeper earns the discount as the gain of
//! its entry price over the oracle price, and carries the position's risk.

use super::*;
use crate::{
	health_impls::{Priced, Pricing},
	math,
};
use alloc::vec::Vec;
use backstop_primitives::{Balance, MarketId, Price, SignedBalance};
use frame_support::{pallet_prelude::*, storage::with_storage_layer};
use sp_arithmetic::{
	traits::{Saturating, Zero},
	Rounding,
};

/// What a takeover did, for its event.
struct TakenOver {
	/// The signed size that changed hands (the account's side).
	size: i128,
	/// The discounted price it changed hands at.
	fill_price: Price,
	/// The account's realised PnL on the part taken over, at `fill_price`.
	realized_pnl: SignedBalance,
	/// What the discount cost the account: `|size| × (oracle − fill)`.
	discount: Balance,
}

impl<T: Config> Pallet<T> {
	/// The `take_over` call, in a storage layer of its own.
	pub(crate) fn do_take_over(
		keeper: &T::AccountId,
		who: &T::AccountId,
		id: MarketId,
		size: u128,
	) -> DispatchResult {
		with_storage_layer(|| Self::take_over_in_layer(keeper, who, id, size))
	}

	/// The price a position of `side` changes hands at in a takeover: the
	/// oracle `price` less (a long) or plus (a short) the market's
	/// liquidation penalty of it, in the keeper's favour.
	fn takeover_price(price: Price, long: bool, penalty: sp_arithmetic::Permill) -> Price {
		let cut = Price::from_inner(penalty.mul_floor(price.into_inner()));
		if long {
			price.saturating_sub(cut)
		} else {
			price.saturating_add(cut)
		}
	}

	/// Moves `size` of `who`'s position in market `id` to `keeper`.
	///
	/// Checks, in order: the keeper is not the account; the size is not
	/// zero; the account is liquidatable (valued as a liquidation values
	/// it); it holds a position in the market; the market is `Active` with a
	/// fresh price that is not frozen; `size` is at most what a liquidation
	/// would close of that position now (the partial plan's part, or all of
	/// it below the full-close threshold), and a partial takeover happens at
	/// most once per account and block, as a partial liquidation. Then the
	/// part closes on the account at the discounted price (its funding
	/// settled first) and opens, or reduces an opposite position, on the
	/// keeper's account at the same price; the account's loss is paid from
	/// its collateral (`TakeoverUnpayable` if it cannot) and must leave no
	/// bad debt (`TakeoverLeavesBadDebt`); the keeper's account must meet
	/// its initial margin afterwards (`BelowInitialMargin`).
	fn take_over_in_layer(
		keeper: &T::AccountId,
		who: &T::AccountId,
		id: MarketId,
		size: u128,
	) -> DispatchResult {
		ensure!(keeper != who, Error::<T>::CannotTakeOverOwnPosition);
		ensure!(!size.is_zero(), Error::<T>::ZeroSize);
		let mut account = Accounts::<T>::get(who)
			.filter(|account| !account.positions.is_empty())
			.ok_or(Error::<T>::NotLiquidatable)?;
		let (figures, each, priced) =
			Self::value_account(&account, None, Pricing::Conservative).map_err(Error::<T>::from)?;
		ensure!(figures.liquidatable(), Error::<T>::NotLiquidatable);
		let index =
			account.positions.iter().position(|p| p.market == id).ok_or(Error::<T>::NoPosition)?;

		let mut market = Markets::<T>::get(id).ok_or(Error::<T>::UnknownMarket)?;
		match market.status {
			MarketStatus::Active => {},
			MarketStatus::ReduceOnly => return Err(Error::<T>::MarketReduceOnly.into()),
			MarketStatus::Halted => return Err(Error::<T>::MarketHalted.into()),
			MarketStatus::Closed => return Err(Error::<T>::MarketClosed.into()),
		}
		let info = Self::fresh_price(market.params.oracle_asset).map_err(Self::price_error)?;
		ensure!(!info.frozen, Error::<T>::PriceFrozen);

		// At most what a liquidation would close of this position now.
		let params = LiquidationConfig::<T>::get();
		let plan = Self::partial_plan(&account.positions, &figures, &each, &priced, &params, false);
		let position = account.positions.get(index).copied().ok_or(Error::<T>::NoPosition)?;
		let limit = plan
			.as_ref()
			.and_then(|sizes| sizes.get(index).copied())
			.unwrap_or(position.size.unsigned_abs());
		ensure!(size <= limit, Error::<T>::TakeoverTooLarge);
		ensure!(
			plan.is_none() || !LiquidatedThisBlock::<T>::contains_key(who),
			Error::<T>::PartiallyLiquidatedThisBlock
		);

		let taken =
			Self::hand_over(keeper, who, &mut account, &mut market, id, index, size, &info)?;
		if plan.is_some() {
			LiquidatedThisBlock::<T>::insert(who, ());
		}
		Self::deposit_event(Event::PositionTakenOver {
			who: who.clone(),
			keeper: keeper.clone(),
			market: id,
			size: taken.size,
			price: info.price,
			fill_price: taken.fill_price,
			realized_pnl: taken.realized_pnl,
			discount: taken.discount,
		});
		Ok(())
	}

	/// Closes `size` of `account`'s position at `index` in `market` at the
	/// takeover price and opens it on `keeper`'s account; stores both
	/// accounts and the market.
	#[allow(clippy::too_many_arguments)]
	fn hand_over(
		keeper: &T::AccountId,
		who: &T::AccountId,
		account: &mut AccountOf<T>,
		market: &mut MarketInfo,
		id: MarketId,
		index: usize,
		size: u128,
		info: &health_impls::PriceOf<T>,
	) -> Result<TakenOver, DispatchError> {
		let before = account.positions.get(index).copied().ok_or(Error::<T>::NoPosition)?;
		let long = before.size > 0;
		let fill_price = Self::takeover_price(info.price, long, market.params.liquidation_penalty);
		let moved = i128::try_from(size).map_err(|_| Error::<T>::Overflow)?;
		// The account's side of the part: it sells a long, buys back a short.
		let closed = if long { moved } else { moved.checked_neg().ok_or(Error::<T>::Overflow)? };

		// The account: funding, then the part realised at the fill price.
		let mut after = before;
		let funding = Self::take_funding(&mut after, market)?;
		let premium_owed = Self::take_premium(&mut after, market)?;
		let realized_pnl = Self::apply_fill(
			&mut after,
			closed.checked_neg().ok_or(Error::<T>::Overflow)?,
			fill_price,
		)?;
		Self::move_position(&mut market.state, &before, &after)?;
		let cash = realized_pnl.checked_sub(funding).ok_or(Error::<T>::Overflow)?;
		let unpayable = |error: DispatchError| {
			if error == Error::<T>::InsufficientCollateral.into() {
				Error::<T>::TakeoverUnpayable.into()
			} else {
				error
			}
		};
		Self::settle_cash(id, market, &mut account.collateral, cash).map_err(unpayable)?;
		// The backstop premium last (junior), in full.
		let premium =
			Self::charge_premium_in_full(who, id, market, &mut account.collateral, premium_owed)
				.map_err(|error| unpayable(error.into()))?;
		let cash = Self::less_premium(cash, premium)?;
		Self::put_position(account, after)?;

		// The keeper: its own position in the market, if any, then the fill.
		let mut keeper_account = Accounts::<T>::get(keeper).unwrap_or_default();
		let keeper_before = Self::position_in(&keeper_account, id, market)?;
		let mut keeper_after = keeper_before;
		let keeper_funding = Self::take_funding(&mut keeper_after, market)?;
		let keeper_owed = Self::take_premium(&mut keeper_after, market)?;
		let keeper_pnl = Self::apply_fill(&mut keeper_after, closed, fill_price)?;
		Self::move_position(&mut market.state, &keeper_before, &keeper_after)?;
		let keeper_cash = keeper_pnl.checked_sub(keeper_funding).ok_or(Error::<T>::Overflow)?;
		Self::settle_cash(id, market, &mut keeper_account.collateral, keeper_cash)?;
		let keeper_premium = Self::charge_premium_in_full(
			keeper,
			id,
			market,
			&mut keeper_account.collateral,
			keeper_owed,
		)?;
		let keeper_cash = Self::less_premium(keeper_cash, keeper_premium)?;
		Self::put_position(&mut keeper_account, keeper_after)?;
		market.state.last_price = info.price;
		market.state.reserve_stale = true;

		// Both accounts valued with the market as it is now: the account
		// without bad debt, the keeper at its initial margin.
		let overriding = Priced::<T> { id, market: market.clone(), price: *info, live: true };
		let (left, _, _) = Self::value_account(account, Some(&overriding), Pricing::Conservative)
			.map_err(Error::<T>::from)?;
		ensure!(left.equity >= 0, Error::<T>::TakeoverLeavesBadDebt);
		let (figures, _, _) =
			Self::value_account(&keeper_account, Some(&overriding), Pricing::Fresh)
				.map_err(Error::<T>::from)?;
		ensure!(figures.covers(figures.initial), Error::<T>::BelowInitialMargin);

		let cut = if long {
			info.price.saturating_sub(fill_price)
		} else {
			fill_price.saturating_sub(info.price)
		};
		let discount = math::notional(size, cut, Rounding::Down).ok_or(Error::<T>::Overflow)?;
		Markets::<T>::insert(id, market.clone());
		let mut locked = Vec::new();
		locked.extend(Self::credit_maturing(who, account, cash));
		Self::store_account(who, account.clone());
		locked.extend(Self::credit_maturing(keeper, &mut keeper_account, keeper_cash));
		Self::store_account(keeper, keeper_account);
		for (owner, amount) in [(who, funding), (keeper, keeper_funding)] {
			if amount != 0 {
				Self::deposit_event(Event::FundingSettled {
					who: owner.clone(),
					market: id,
					amount,
				});
			}
		}
		for event in locked {
			Self::deposit_event(event);
		}
		Ok(TakenOver { size: closed, fill_price, realized_pnl, discount })
	}
}
