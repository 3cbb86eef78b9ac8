//! Auto-deleveraging, the last tier of the loss waterfall: the queue of
//! every market side's positions in deleveraging order, and the per-block
//! step that takes a deficit from the profitable positions opposite the
//! bankrupt one, exactly.
//!
//! **Rule.** A deficit left by a bankrupt long is taken from the shorts of
//! the same market (and one left by a short from the longs), in the order of
//! their profit as a fraction of their entry price — the lowest average
//! entry first for longs, the highest for shorts. That order does not depend
//! on the price, so the queue is kept sorted in storage ([`AdlQueue`]) and
//! each step is O(1) reads and writes, whatever the number of positions.
//! From each position in turn the step takes
//! `min(what is left to take, its profit at the oracle price, its account's
//! equity above its maintenance requirement)`: the smallest part of the
//! position whose profit covers that amount is closed at the oracle price,
//! its profit is credited less the amount taken, and the amount stays with
//! the pool, against the deficit. The account loses exactly that amount, and
//! stays at or above its maintenance requirement (a deleveraging never
//! makes anyone liquidatable). Positions not in profit are never touched.
//!
//! Each block examines at most `MaxDeleveragingPerBlock` positions across
//! all markets; a side's cursor resumes where the last block stopped and
//! returns to the top of the queue once it reaches the end of the
//! profitable positions. While a deficit waits, its market is reduce-only.

use super::*;
use crate::{
	health_impls::{PriceOf, Priced, Pricing},
	math,
};
use alloc::vec::Vec;
use backstop_primitives::{Balance, MarketId};
use frame_support::{pallet_prelude::*, storage::with_storage_layer, traits::Get};
use sp_arithmetic::{helpers_128bit::multiply_by_rational_with_rounding, traits::Zero, Rounding};

/// Why a position is deleveraged.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum DeleveragingKind {
	/// Towards a deficit: the account gives up what is taken of the profit.
	Deficit,
	/// Because the market's traders hold more profit than the pool allows:
	/// the part closes at the oracle price and its whole profit is paid.
	Profit,
}

impl<T: Config> Pallet<T> {
	/// Moves `who`'s positions in the deleveraging queues from `old` to
	/// `new`: an entry whose rank changed, or whose position closed, leaves
	/// its queue; a new rank enters. Called by `store_account` for every
	/// change of an account.
	pub(crate) fn requeue(who: &T::AccountId, old: &[Position], new: &[Position]) {
		let ranked = |positions: &[Position]| -> Vec<(MarketId, Side, AdlRank)> {
			positions
				.iter()
				.filter_map(|p| AdlRank::of(p).map(|(side, rank)| (p.market, side, rank)))
				.collect()
		};
		let (before, after) = (ranked(old), ranked(new));
		for (market, side, rank) in before.iter() {
			if !after.contains(&(*market, *side, *rank)) {
				AdlQueue::<T>::remove((*market, *side), (*rank, who));
			}
		}
		for (market, side, rank) in after.iter() {
			if !before.contains(&(*market, *side, *rank)) {
				AdlQueue::<T>::insert((*market, *side), (*rank, who.clone()), ());
			}
		}
	}

	/// The `on_initialize` part: deleverages every market with a deficit,
	/// then every market over its max-PnL cap
	/// ([`Self::deleverage_profits`]), examining at most
	/// `MaxDeleveragingPerBlock` positions in all. Returns the weight used.
	pub(crate) fn deleverage_all() -> Weight {
		let mut budget = T::MaxDeleveragingPerBlock::get();
		let pending: Vec<(MarketId, PendingDeleveraging)> = Deleveraging::<T>::iter().collect();
		let markets = u32::try_from(pending.len()).unwrap_or(u32::MAX);
		let mut examined: u32 = 0;
		for (id, pending) in pending {
			if budget.is_zero() {
				break;
			}
			let outcome = Self::deleverage_market(id, pending, budget);
			examined = examined.saturating_add(outcome.examined);
			budget = budget.saturating_sub(outcome.examined);
		}
		// Then the markets whose traders hold more profit than the pool
		// allows, with what the deficits left of the budget.
		let (checked, profits) = Self::deleverage_profits(budget);
		T::WeightInfo::on_initialize_deleveraging(markets, examined)
			.saturating_add(T::WeightInfo::on_initialize_profit_deleveraging(checked, profits))
	}

	/// Deleverages market `id` against `pending`, examining at most `budget`
	/// positions. A halted market, or one without a fresh price, waits.
	pub(crate) fn deleverage_market(
		id: MarketId,
		mut pending: PendingDeleveraging,
		budget: u32,
	) -> DeleveragingOutcome {
		let mut outcome = DeleveragingOutcome::default();
		let Some(mut market) = Markets::<T>::get(id) else { return outcome };
		if matches!(market.status, MarketStatus::Halted | MarketStatus::Closed) {
			return outcome;
		}
		let Ok(price) = Self::fresh_price(market.params.oracle_asset) else { return outcome };
		let before = market.state.deficit;
		for side in [Side::Long, Side::Short] {
			let want = pending.from(side);
			let left = budget.saturating_sub(outcome.examined);
			if want.is_zero() || left.is_zero() {
				continue;
			}
			let (taken, step) = Self::deleverage_side(id, &mut market, side, &price, want, left);
			*pending.from_mut(side) = want.saturating_sub(taken);
			outcome.examined = outcome.examined.saturating_add(step.examined);
			outcome.deleveraged = outcome.deleveraged.saturating_add(step.deleveraged);
			outcome.taken = outcome.taken.saturating_add(taken);
		}
		if outcome.taken.is_zero() {
			return outcome;
		}
		market.state.reserve_stale = true;
		market.state.last_price = price.price;
		// What was taken is at most what was pending, so at most the deficit.
		debug_assert!(outcome.taken <= before);
		Self::reduce_deficit(id, &mut market, pending, outcome.taken);
		Markets::<T>::insert(id, market);
		outcome
	}

	/// Takes up to `want` from the profitable positions of `side` in market
	/// `id`, in queue order from the side's cursor, examining at most
	/// `budget` of them. Returns what was taken and the step's counts.
	fn deleverage_side(
		id: MarketId,
		market: &mut MarketInfo,
		side: Side,
		price: &PriceOf<T>,
		want: Balance,
		budget: u32,
	) -> (Balance, DeleveragingOutcome) {
		let key = (id, side);
		let mut iter = match DeleveragingCursor::<T>::get(key) {
			Some(raw) => AdlQueue::<T>::iter_key_prefix_from(key, raw.into_inner()),
			None => AdlQueue::<T>::iter_key_prefix(key),
		};
		// Collect first: deleveraging moves queue entries.
		let mut candidates = Vec::new();
		let mut last_raw = None;
		let mut finished = true;
		for _ in 0..budget {
			let Some((rank, who)) = iter.next() else { break };
			if !rank.in_profit_at(side, price.price.into_inner()) {
				// Every later position is at a loss at this price.
				break;
			}
			last_raw = Some(iter.last_raw_key().to_vec());
			candidates.push(who);
		}
		if u32::try_from(candidates.len()).unwrap_or(u32::MAX) >= budget {
			finished = false;
		}
		drop(iter);

		let mut outcome = DeleveragingOutcome::default();
		let mut taken: Balance = 0;
		for who in candidates {
			outcome.examined = outcome.examined.saturating_add(1);
			let rest = want.saturating_sub(taken);
			let mut next = market.clone();
			let result = with_storage_layer(|| {
				Self::deleverage_part(
					&who,
					id,
					&mut next,
					side,
					price,
					rest,
					DeleveragingKind::Deficit,
				)
			});
			if let Ok(amount) = result {
				if !amount.is_zero() {
					*market = next;
					taken = taken.saturating_add(amount);
					outcome.deleveraged = outcome.deleveraged.saturating_add(1);
				}
			}
			if taken >= want {
				finished = false;
				break;
			}
		}
		// Stopped by the budget or by covering everything: resume after the
		// last entry examined. Reached the end of the profitable positions:
		// the next block starts from the top again (prices move).
		match (finished, last_raw.map(BoundedVec::<u8, CursorBound>::try_from)) {
			(false, Some(Ok(raw))) if taken < want => DeleveragingCursor::<T>::insert(key, raw),
			_ => DeleveragingCursor::<T>::remove(key),
		}
		outcome.taken = taken;
		(taken, outcome)
	}

	/// Closes the smallest part of `who`'s position in market `id` (on
	/// `side`) whose profit at `price` covers `want` (at most the whole
	/// position), with `market` as it is in memory. For a
	/// [`DeleveragingKind::Deficit`] `want` is also capped by the account's
	/// equity above its maintenance requirement, the part's profit is
	/// credited less what is taken and what is taken is returned; for
	/// [`DeleveragingKind::Profit`] `want` is what the traders' net profit
	/// must fall by (the part's profit less the funding the close settles),
	/// the part's whole profit is paid and that fall is returned. Zero,
	/// with nothing changed, when the account cannot be valued (a stale
	/// leg), is liquidatable, or the position is not in profit.
	pub(crate) fn deleverage_part(
		who: &T::AccountId,
		id: MarketId,
		market: &mut MarketInfo,
		side: Side,
		price: &PriceOf<T>,
		want: Balance,
		kind: DeleveragingKind,
	) -> Result<Balance, DispatchError> {
		let Some(mut account) = Accounts::<T>::get(who) else { return Ok(0) };
		let Some(index) = account.positions.iter().position(|p| p.market == id) else {
			return Ok(0);
		};
		let overriding = Priced::<T> { id, market: market.clone(), price: *price, live: true };
		let Ok((figures, each, _)) =
			Self::value_account(&account, Some(&overriding), Pricing::Conservative)
		else {
			return Ok(0);
		};
		let (Some(position), Some(f)) = (account.positions.get(index).copied(), each.get(index))
		else {
			return Ok(0);
		};
		if Side::of(position.size) != Some(side) || figures.liquidatable() || f.unrealized_pnl <= 0
		{
			return Ok(0);
		}
		let profit = f.unrealized_pnl.unsigned_abs();
		let amount = match kind {
			DeleveragingKind::Deficit => {
				let maintenance =
					i128::try_from(figures.maintenance).map_err(|_| Error::<T>::Overflow)?;
				let excess = figures.equity.saturating_sub(maintenance).max(0).unsigned_abs();
				want.min(profit).min(excess)
			},
			// The close also settles the position's funding, which moves the
			// traders' net profit by as much again: cover `want` net of it.
			DeleveragingKind::Profit => i128::try_from(want)
				.ok()
				.and_then(|w| w.checked_add(f.accrued_funding))
				.unwrap_or(0)
				.max(0)
				.unsigned_abs()
				.min(profit),
		};
		if amount.is_zero() {
			return Ok(0);
		}

		// Funding first, as a trade settles it; then the smallest part whose
		// profit covers `amount`.
		let mut after = position;
		let funding = Self::take_funding(&mut after, market)?;
		let premium = Self::take_premium(&mut after, market)?;
		let size_abs = after.size.unsigned_abs();
		let closing = multiply_by_rational_with_rounding(size_abs, amount, profit, Rounding::Up)
			.ok_or(Error::<T>::Overflow)?
			.min(size_abs);
		let (pnl, cost_closed) = math::realize(after.size, after.cost, closing, price.price)
			.ok_or(Error::<T>::Overflow)?;
		// Rounding may leave the part's profit a unit short of `amount`.
		let realized = pnl.max(0).unsigned_abs();
		if amount.min(realized).is_zero() {
			return Ok(0);
		}
		let taken = match kind {
			DeleveragingKind::Deficit => amount.min(realized),
			DeleveragingKind::Profit => 0,
		};
		let closed = Self::take_part(&mut after, closing, cost_closed)?;
		Self::move_position(&mut market.state, &position, &after)?;

		// The account receives the part's profit less what is taken, net of
		// its funding; the pool keeps `taken` against the deficit.
		let taken_signed = i128::try_from(taken).map_err(|_| Error::<T>::Overflow)?;
		let cash = pnl
			.checked_sub(taken_signed)
			.and_then(|c| c.checked_sub(funding))
			.ok_or(Error::<T>::Overflow)?;
		Self::settle_cash(id, market, &mut account.collateral, cash)?;
		// The backstop premium last (junior), as far as the collateral pays
		// it: a forced close never stalls on the premium (a profitable
		// position's collateral may be small beside what it owes); the rest
		// is forgiven, as in a liquidation.
		let premium = Self::charge_premium(who, id, market, &mut account.collateral, premium)?;
		let cash = Self::less_premium(cash, premium)?;
		Self::put_position(&mut account, after)?;
		let locked = Self::credit_maturing(who, &mut account, cash);
		Self::store_account(who, account);
		if funding != 0 {
			Self::deposit_event(Event::FundingSettled {
				who: who.clone(),
				market: id,
				amount: funding,
			});
		}
		match kind {
			DeleveragingKind::Deficit => Self::deposit_event(Event::Deleveraged {
				who: who.clone(),
				market: id,
				size: closed,
				price: price.price,
				realized_pnl: pnl,
				taken,
				remaining: want.saturating_sub(taken),
			}),
			DeleveragingKind::Profit => Self::deposit_event(Event::ProfitDeleveraged {
				who: who.clone(),
				market: id,
				size: closed,
				price: price.price,
				realized_pnl: pnl,
			}),
		}
		if let Some(event) = locked {
			Self::deposit_event(event);
		}
		Ok(match kind {
			DeleveragingKind::Deficit => taken,
			// What the traders' net profit fell by: the part's profit less
			// the funding settled.
			DeleveragingKind::Profit => pnl.saturating_sub(funding).max(0).unsigned_abs(),
		})
	}

	/// Adds `amount` of bad debt left by a bankrupt position on `bankrupt`'s
	/// side of market `id` to the market's deficit, to be taken from the
	/// other side, and makes an `Active` market reduce-only until it is gone.
	pub(crate) fn record_deficit(
		id: MarketId,
		market: &mut MarketInfo,
		bankrupt: Side,
		amount: Balance,
	) -> Result<(), Error<T>> {
		let mut pending = Deleveraging::<T>::get(id).unwrap_or_default();
		let part = pending.from_mut(bankrupt.opposite());
		*part = part.checked_add(amount).ok_or(Error::<T>::Overflow)?;
		market.state.deficit =
			market.state.deficit.checked_add(amount).ok_or(Error::<T>::Overflow)?;
		if market.status == MarketStatus::Active {
			market.status = MarketStatus::ReduceOnly;
			pending.reopen = true;
			Self::deposit_event(Event::MarketStatusChanged {
				market: id,
				status: MarketStatus::ReduceOnly,
			});
		}
		Deleveraging::<T>::insert(id, pending);
		Ok(())
	}

	/// Lowers market `id`'s deficit by `amount` (covered or deleveraged),
	/// with `pending` the parts still waiting; once nothing waits, a market
	/// the deficit made reduce-only is `Active` again.
	pub(crate) fn reduce_deficit(
		id: MarketId,
		market: &mut MarketInfo,
		pending: PendingDeleveraging,
		amount: Balance,
	) {
		market.state.deficit = market.state.deficit.saturating_sub(amount);
		if !market.state.deficit.is_zero() {
			Deleveraging::<T>::insert(id, pending);
			return;
		}
		Deleveraging::<T>::remove(id);
		for side in [Side::Long, Side::Short] {
			DeleveragingCursor::<T>::remove((id, side));
		}
		if pending.reopen && market.status == MarketStatus::ReduceOnly {
			market.status = MarketStatus::Active;
			Self::deposit_event(Event::MarketStatusChanged {
				market: id,
				status: MarketStatus::Active,
			});
		}
	}

	/// Runtime API: each position of `who` with its place in its side's
	/// deleveraging queue and the profit ahead of it at the oracle price
	/// (the indicator venues show). Reads the queue up to the position:
	/// for off-chain use.
	pub fn adl_exposure(who: &T::AccountId) -> Vec<pallet_margin_runtime_api::AdlExposure> {
		let Some(account) = Accounts::<T>::get(who) else { return Vec::new() };
		let mut exposures = Vec::with_capacity(account.positions.len());
		for position in account.positions.iter() {
			let Some((side, rank)) = AdlRank::of(position) else { continue };
			let id = position.market;
			let Some(market) = Markets::<T>::get(id) else { continue };
			let price = Self::fresh_price(market.params.oracle_asset)
				.map(|info| info.price)
				.unwrap_or(market.state.last_price);
			let profit_of = |p: &Position| -> Balance {
				math::realize(p.size, p.cost, p.size.unsigned_abs(), price)
					.map(|(pnl, _)| pnl.max(0).unsigned_abs())
					.unwrap_or_default()
			};
			let mut ahead: u32 = 0;
			let mut profit_ahead: Balance = 0;
			let mut queue_length: u32 = 0;
			let mut found = false;
			// The queue iterates in deleveraging order: what precedes this
			// position's own entry is ahead of it.
			for (other_rank, other) in AdlQueue::<T>::iter_key_prefix((id, side)) {
				queue_length = queue_length.saturating_add(1);
				found = found || (other_rank == rank && &other == who);
				if found {
					continue;
				}
				ahead = ahead.saturating_add(1);
				let profit = Accounts::<T>::get(&other)
					.and_then(|a| a.positions.iter().find(|p| p.market == id).map(profit_of))
					.unwrap_or_default();
				profit_ahead = profit_ahead.saturating_add(profit);
			}
			let pending = Deleveraging::<T>::get(id).map(|p| p.from(side)).unwrap_or_default();
			exposures.push(pallet_margin_runtime_api::AdlExposure {
				market: id,
				long: side == Side::Long,
				rank: ahead.saturating_add(1),
				queue_length,
				profit: profit_of(position),
				profit_ahead,
				pending,
			});
		}
		exposures
	}
}
