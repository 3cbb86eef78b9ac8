//! Max-PnL deleveraging: when the traders of a market hold more net
//! unrealized profit than the pool allows them (its max-PnL factor of what
//! the market may use, `LiquidityProvider::max_trader_pnl`), the most
//! profitable positions of the side in profit are closed in part at the
//! oracle price, their profit paid in full, until the traders' net profit
//! is back under `PnlDeleveragingTarget` of the cap.
//!
//! The pool never owes more than it can pay: a profit that outgrows the
//! pool is realised (paid out of the pool's cash while it has it) instead of
//! growing further against it. Nobody loses money: a deleveraged trader
//! keeps every unit of its profit and only gives up the part of the
//! position, and its account is at least as healthy afterwards (the profit
//! moves into collateral, the maintenance requirement falls).
//!
//! The order is the deleveraging queue's ([`AdlQueue`]): profit as a
//! fraction of the entry price, the most profitable first, so the same
//! positions that would be deleveraged for a deficit go first. Each block
//! this shares `MaxDeleveragingPerBlock` with the deficit deleveraging
//! (which runs first), starts at the front of the queue (its order does not
//! depend on the price) and skips markets with a deficit waiting (that
//! deleveraging takes profit away already).

use super::*;
use crate::{adl_impls::DeleveragingKind, health_impls::PriceOf, math};
use alloc::vec::Vec;
use backstop_primitives::{Balance, LiquidityProvider, MarketId, Price};
use frame_support::{storage::with_storage_layer, traits::Get};
use sp_arithmetic::traits::Zero;

impl<T: Config> Pallet<T> {
	/// Deleverages every market whose traders hold more profit than the
	/// pool allows, examining at most `budget` positions in all. Returns the
	/// markets checked and the positions examined.
	pub(crate) fn deleverage_profits(budget: u32) -> (u32, u32) {
		let ids: Vec<MarketId> = Markets::<T>::iter_keys().collect();
		let mut checked: u32 = 0;
		let mut examined: u32 = 0;
		for id in ids {
			let left = budget.saturating_sub(examined);
			if left.is_zero() {
				break;
			}
			checked = checked.saturating_add(1);
			examined = examined.saturating_add(Self::deleverage_market_profit(id, left));
		}
		(checked, examined)
	}

	/// The side of a market with `state` whose positions are, together, in
	/// profit at `price` (the longs if both are, which cannot happen with
	/// one price unless rounding), or `None`.
	fn winning_side(state: &MarketState, price: Price) -> Option<Side> {
		let long =
			math::market_pnl(state.long_open_interest, 0, state.long_cost, 0, price).unwrap_or(0);
		let short =
			math::market_pnl(0, state.short_open_interest, 0, state.short_cost, price).unwrap_or(0);
		if long >= short && long > 0 {
			Some(Side::Long)
		} else if short > 0 {
			Some(Side::Short)
		} else {
			None
		}
	}

	/// Deleverages market `id` if its traders hold more profit than the
	/// pool allows, examining at most `budget` positions. Returns the
	/// positions examined.
	fn deleverage_market_profit(id: MarketId, budget: u32) -> u32 {
		let Some(mut market) = Markets::<T>::get(id) else { return 0 };
		if matches!(market.status, MarketStatus::Halted | MarketStatus::Closed)
			|| Deleveraging::<T>::contains_key(id)
		{
			return 0;
		}
		let Ok(price) = Self::fresh_price(market.params.oracle_asset) else { return 0 };
		let Some(cap) = T::Liquidity::max_trader_pnl(id) else { return 0 };
		let Some(pnl) = Self::trader_pnl_at(&market.state, price.price) else { return 0 };
		if pnl <= 0 || pnl.unsigned_abs() <= cap {
			return 0;
		}
		let target = T::PnlDeleveragingTarget::get().mul_floor(cap);
		let need = pnl.unsigned_abs().saturating_sub(target);
		let Some(side) = Self::winning_side(&market.state, price.price) else { return 0 };
		let (closed, examined) =
			Self::deleverage_profit_side(id, &mut market, side, &price, need, budget);
		if closed.is_zero() {
			return examined;
		}
		market.state.reserve_stale = true;
		market.state.last_price = price.price;
		let after = Self::trader_pnl_at(&market.state, price.price).unwrap_or(pnl);
		Markets::<T>::insert(id, market);
		Self::deposit_event(Event::PnlDeleveraged {
			market: id,
			trader_pnl: pnl,
			max_trader_pnl: cap,
			target,
			reduced: closed,
			trader_pnl_after: after,
		});
		examined
	}

	/// Closes parts of the profitable positions of `side` in market `id`,
	/// front of the queue first, until the traders' net profit fell by `need`
	/// or `budget` positions were examined; stops at the first position the
	/// pool cannot pay. Returns what the net profit fell by and the positions
	/// examined.
	fn deleverage_profit_side(
		id: MarketId,
		market: &mut MarketInfo,
		side: Side,
		price: &PriceOf<T>,
		need: Balance,
		budget: u32,
	) -> (Balance, u32) {
		// Collect first: deleveraging moves queue entries.
		let candidates: Vec<T::AccountId> = AdlQueue::<T>::iter_key_prefix((id, side))
			.take_while(|(rank, _)| rank.in_profit_at(side, price.price.into_inner()))
			.take(usize::try_from(budget).unwrap_or(usize::MAX))
			.map(|(_, who)| who)
			.collect();
		let mut reduced: Balance = 0;
		let mut examined: u32 = 0;
		for who in candidates {
			if reduced >= need {
				break;
			}
			examined = examined.saturating_add(1);
			let rest = need.saturating_sub(reduced);
			let mut next = market.clone();
			let result = with_storage_layer(|| {
				Self::deleverage_part(
					&who,
					id,
					&mut next,
					side,
					price,
					rest,
					DeleveragingKind::Profit,
				)
			});
			match result {
				Ok(amount) if !amount.is_zero() => {
					*market = next;
					reduced = reduced.saturating_add(amount);
				},
				// The pool lacks the cash: nothing more can be paid this block.
				Err(error) if error == Error::<T>::LiquidityPaymentFailed.into() => break,
				// Not deleveraged (unvalued, liquidatable, a failed step).
				_ => {},
			}
		}
		(reduced, examined)
	}
}
