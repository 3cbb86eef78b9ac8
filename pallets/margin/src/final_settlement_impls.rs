//! Final settlement: governance closes a market for good at the oracle
//! price, or at a price it sets when the oracle has none, and every
//! position of the market is closed at that price in bounded steps.
//!
//! **Order.** Each block's `on_initialize` closes the market's positions
//! within the weight budget it shares with the liquidation sweep, from the
//! deleveraging queues, in two phases:
//!
//! 1. every position **not in profit** at the settlement price, both sides
//!    (found in O(1): the queues are sorted by entry price, so they form the
//!    tail of each queue from the settlement price's rank on). A loss its
//!    account cannot pay closes the whole account at once, as a liquidation
//!    without reward or penalty, and its bad debt runs down the waterfall;
//!    what no tier covers becomes the market's deficit, waiting on the other
//!    side;
//! 2. then the **profitable** positions, most profitable first: each is
//!    first deleveraged by what is still waiting on its side (exactly as
//!    auto-deleveraging would, at the settlement price), then closed.
//!
//! So every loss is borne in the waterfall's order and every profit the
//! market owes is paid, less only what auto-deleveraging takes. Once the
//! queues are empty the market is `Closed`: no trade, no funding, no
//! reopening. A deficit that the whole profitable side could not cover stays
//! on the closed market's books (anyone may still `cover_deficit`).

use super::*;
use crate::health_impls::{PriceOf, Priced, Pricing};
use alloc::vec::Vec;
use backstop_primitives::{governance::Direction, Authority, MarketId, Price, PriceInfo};
use frame_support::{
	pallet_prelude::*,
	storage::{generator::StorageDoubleMap as _, with_storage_layer},
	weights::WeightMeter,
};
use sp_arithmetic::traits::Zero;

impl<T: Config> Pallet<T> {
	/// The `settle_final` call: starts the final settlement of market `id`
	/// at the oracle's fresh price (`price` `None`), or at `price` when the
	/// oracle has none. Governance's only (the guardian may halt a market,
	/// not settle it for good); a one-off action, without an interval.
	pub(crate) fn do_settle_final(
		authority: Authority,
		id: MarketId,
		price: Option<Price>,
	) -> DispatchResult {
		let mut market = Markets::<T>::get(id).ok_or(Error::<T>::UnknownMarket)?;
		ensure!(market.status != MarketStatus::Closed, Error::<T>::MarketClosed);
		ensure!(!FinalSettlement::<T>::contains_key(id), Error::<T>::SettlementUnderway);
		let settlement = match (Self::fresh_price(market.params.oracle_asset), price) {
			(Ok(info), None) => info.price,
			(Ok(_), Some(_)) => return Err(Error::<T>::OraclePriceAvailable.into()),
			(Err(reason), None) => return Err(Self::price_error(reason).into()),
			(Err(_), Some(price)) => {
				ensure!(!price.is_zero(), Error::<T>::InvalidSettlementPrice);
				price
			},
		};
		Self::ensure_may_change(
			authority,
			governance_impls::Classified::discrete(Direction::governance_only()),
			None,
		)?;
		FinalSettlement::<T>::insert(id, settlement);
		if market.status != MarketStatus::Halted {
			market.status = MarketStatus::Halted;
			Self::deposit_event(Event::MarketStatusChanged {
				market: id,
				status: MarketStatus::Halted,
			});
		}
		// A deficit waiting keeps the market closed once it is gone.
		Deleveraging::<T>::mutate_extant(id, |pending| pending.reopen = false);
		Markets::<T>::insert(id, market);
		Self::deposit_event(Event::FinalSettlementStarted { market: id, price: settlement });
		Ok(())
	}

	/// The weight of closing one position in a final settlement: at most a
	/// deleveraging step and a worst-case liquidation of its account.
	pub fn final_settlement_step_weight() -> Weight {
		let deleveraging = T::WeightInfo::on_initialize_deleveraging(1, 1)
			.saturating_sub(T::WeightInfo::on_initialize_deleveraging(1, 0));
		deleveraging.saturating_add(Self::liquidation_weight(None))
	}

	/// The `on_initialize` part: advances every final settlement within
	/// `meter`.
	pub(crate) fn settle_finals(meter: &mut WeightMeter) {
		let read = T::DbWeight::get().reads(1);
		if meter.try_consume(read).is_err() {
			return;
		}
		let settling: Vec<(MarketId, Price)> = FinalSettlement::<T>::iter().collect();
		for (id, price) in settling {
			if !Self::settle_final_market(id, price, meter) {
				break;
			}
		}
	}

	/// Closes positions of market `id` at `price` while `meter` allows, and
	/// closes the market when none is left. Returns whether it finished (so
	/// the next market may go on).
	fn settle_final_market(id: MarketId, price: Price, meter: &mut WeightMeter) -> bool {
		let step = Self::final_settlement_step_weight();
		let info: PriceOf<T> = PriceInfo {
			price,
			ema: price,
			confidence: Default::default(),
			updated_at: Default::default(),
			frozen: false,
		};
		// Phase 1: the positions not in profit, from the settlement price's
		// rank on; phase 2: the rest, from the top.
		for profitable in [false, true] {
			for side in [Side::Long, Side::Short] {
				// The raw key of the settlement price's rank on this side.
				let mut boundary = AdlQueue::<T>::storage_double_map_final_key1((id, side));
				boundary.extend_from_slice(&AdlRank::from_entry(side, price.into_inner()).0);
				loop {
					let next = if profitable {
						AdlQueue::<T>::iter_key_prefix((id, side)).next()
					} else {
						AdlQueue::<T>::iter_key_prefix_from((id, side), boundary.clone()).next()
					};
					let Some((_, who)) = next else { break };
					if meter.try_consume(step).is_err() {
						return false;
					}
					if let Err(error) = Self::settle_position(&who, id, side, &info, profitable) {
						// Nothing changed; the next block tries again.
						log::error!(
							target: LOG_TARGET,
							"final settlement of market {id} cannot close a position: {error:?}"
						);
						return false;
					}
				}
			}
		}
		FinalSettlement::<T>::remove(id);
		let deficit = Markets::<T>::mutate(id, |market| {
			market.as_mut().map(|market| {
				market.status = MarketStatus::Closed;
				market.state.reserve_stale = true;
				market.state.deficit
			})
		});
		Self::deposit_event(Event::MarketClosed {
			market: id,
			price,
			deficit: deficit.unwrap_or_default(),
		});
		true
	}

	/// Closes `who`'s position on `side` of market `id` at the settlement
	/// price `info`, in a storage layer of its own; a `profitable` one is
	/// first deleveraged by what waits on its side.
	fn settle_position(
		who: &T::AccountId,
		id: MarketId,
		side: Side,
		info: &PriceOf<T>,
		profitable: bool,
	) -> DispatchResult {
		with_storage_layer(|| {
			if profitable {
				Self::deleverage_before_settlement(who, id, side, info)?;
			}
			let account = Accounts::<T>::get(who).ok_or(Error::<T>::NoPosition)?;
			let market = Markets::<T>::get(id).ok_or(Error::<T>::UnknownMarket)?;
			let overriding = Priced::<T> { id, market, price: *info, live: true };
			let (_, each, priced) =
				Self::value_account(&account, Some(&overriding), Pricing::Conservative)
					.map_err(Error::<T>::from)?;
			let only: Vec<u128> = account
				.positions
				.iter()
				.map(|p| if p.market == id { p.size.unsigned_abs() } else { 0 })
				.collect();
			ensure!(only.iter().any(|size| !size.is_zero()), Error::<T>::NoPosition);
			let closed = Self::close_legs(&account, &each, priced.clone(), &only)?;
			// A loss the account cannot pay closes all of it.
			let closed = if closed.netting.shortfall.is_zero() {
				closed
			} else {
				let full: Vec<u128> =
					account.positions.iter().map(|p| p.size.unsigned_abs()).collect();
				Self::close_legs(&account, &each, priced, &full)?
			};
			let booked = Self::book_closed(who, &account, closed, None, false)?;
			for closing in booked.closings.iter() {
				let price = booked.priced.get(closing.index).map(|p| p.price.price);
				Self::deposit_event(Event::PositionSettled {
					who: who.clone(),
					market: closing.position.market,
					size: closing.closed,
					price: price.unwrap_or_default(),
					realized_pnl: closing.pnl,
					funding: closing.funding,
				});
			}
			if !booked.shortfall.is_zero() {
				Self::deposit_event(Event::SettledWithBadDebt {
					who: who.clone(),
					bad_debt: booked.shortfall,
				});
			}
			for event in booked.locked {
				Self::deposit_event(event);
			}
			Ok(())
		})
	}

	/// Takes what waits on `side` of market `id` for auto-deleveraging from
	/// `who`'s position there, at the settlement price.
	fn deleverage_before_settlement(
		who: &T::AccountId,
		id: MarketId,
		side: Side,
		info: &PriceOf<T>,
	) -> DispatchResult {
		let Some(mut pending) = Deleveraging::<T>::get(id) else { return Ok(()) };
		let want = pending.from(side);
		if want.is_zero() {
			return Ok(());
		}
		let mut market = Markets::<T>::get(id).ok_or(Error::<T>::UnknownMarket)?;
		let taken = Self::deleverage_part(
			who,
			id,
			&mut market,
			side,
			info,
			want,
			crate::adl_impls::DeleveragingKind::Deficit,
		)?;
		if taken.is_zero() {
			return Ok(());
		}
		*pending.from_mut(side) = want.saturating_sub(taken);
		Self::reduce_deficit(id, &mut market, pending, taken);
		Markets::<T>::insert(id, market);
		Ok(())
	}
}
