//! Liquidation of accounts below their maintenance requirement, the hand-over
//! of bad debt to the loss waterfall, and the automatic sweep.

use super::*;
use crate::math;
use alloc::vec::Vec;
use backstop_primitives::{Balance, LossAbsorber, LossTier, MarketId, SignedBalance};
use frame_support::{
	pallet_prelude::*,
	storage::with_storage_layer,
	traits::{fungible::Inspect, Get},
	weights::WeightMeter,
};
use sp_arithmetic::{traits::Zero, Rounding};

/// One position being closed.
struct Closing {
	/// Index into the loaded markets.
	index: usize,
	/// The position.
	position: Position,
	/// Realised PnL.
	pnl: SignedBalance,
	/// Funding owed.
	funding: SignedBalance,
	/// `pnl − funding`: positive is owed to the account.
	cash: SignedBalance,
	/// Closed notional at the oracle price, rounded up.
	notional: Balance,
	/// Penalty charged.
	penalty: Balance,
}

impl<T: Config> Pallet<T> {
	/// The weight of `liquidate`: the worst case before dispatch (`None`), or
	/// what `outcome` actually cost.
	pub fn liquidation_weight(outcome: Option<LiquidationOutcome>) -> Weight {
		match outcome {
			None => T::WeightInfo::liquidate().max(T::WeightInfo::liquidate_bad_debt()),
			Some(LiquidationOutcome { bad_debt: true, .. }) => T::WeightInfo::liquidate_bad_debt(),
			Some(LiquidationOutcome { positions, .. }) if positions <= 1 => {
				T::WeightInfo::liquidate_one_position()
			},
			Some(_) => T::WeightInfo::liquidate(),
		}
	}

	/// Liquidates `who` if its equity is below its maintenance requirement.
	///
	/// Every position closes at the oracle price (no partial liquidation):
	/// funding is settled, PnL realised, capacity released. Profits are paid
	/// to the collateral first, then losses are taken from it, the largest
	/// losing market last. Out of what remains, the liquidator's reward
	/// (`liquidator_reward` of the closed notional, rounded down; none for the
	/// automatic sweep) and then the penalty per market (`liquidation_penalty`
	/// of its notional, rounded up, for the insurance fund) are taken, each
	/// at most what is left: fees never create debt. If the losses exceed the
	/// collateral, the shortfall (exactly the negative equity) is bad debt,
	/// booked to the market of the largest losing position and handed to
	/// `T::LossWaterfall`; what the tiers pay in goes to the pool, the rest
	/// becomes that market's deficit and the market turns `ReduceOnly`.
	pub(crate) fn do_liquidate(
		who: &T::AccountId,
		liquidator: Option<&T::AccountId>,
	) -> Result<LiquidationOutcome, DispatchError> {
		let account = Accounts::<T>::get(who)
			.filter(|account| !account.positions.is_empty())
			.ok_or(Error::<T>::NotLiquidatable)?;
		let (figures, each, mut priced) =
			Self::value_account(&account, None).map_err(Error::<T>::from)?;
		ensure!(
			priced.iter().all(|p| p.market.status != MarketStatus::Halted),
			Error::<T>::MarketHalted
		);
		ensure!(figures.liquidatable(), Error::<T>::NotLiquidatable);

		// Close every position in memory.
		let mut closings = Vec::with_capacity(account.positions.len());
		for (index, (position, f)) in account.positions.iter().zip(each.iter()).enumerate() {
			let priced = priced.get_mut(index).ok_or(Error::<T>::Overflow)?;
			let state = &mut priced.market.state;
			Self::move_open_interest(state, position.size, 0)?;
			state.last_price = priced.price.price;
			Self::unlock_capacity(&mut priced.market, position.cost.unsigned_abs())?;
			closings.push(Closing {
				index,
				position: *position,
				pnl: f.unrealized_pnl,
				funding: f.accrued_funding,
				cash: f
					.unrealized_pnl
					.checked_sub(f.accrued_funding)
					.ok_or(Error::<T>::Overflow)?,
				notional: f.notional,
				penalty: 0,
			});
		}

		// Profits first, then losses; the largest loss last.
		let mut collateral = account.collateral;
		for closing in closings.iter().filter(|c| c.cash > 0) {
			let priced = priced.get_mut(closing.index).ok_or(Error::<T>::Overflow)?;
			Self::pool_pays(priced.id, &mut priced.market, closing.cash.unsigned_abs())?;
			collateral =
				collateral.checked_add(closing.cash.unsigned_abs()).ok_or(Error::<T>::Overflow)?;
		}
		let largest =
			closings.iter().filter(|c| c.cash < 0).min_by_key(|c| c.cash).map(|c| c.index);
		let mut shortfall: Balance = 0;
		let losers = closings
			.iter()
			.filter(|c| c.cash < 0 && Some(c.index) != largest)
			.chain(closings.iter().filter(|c| Some(c.index) == largest));
		for closing in losers {
			let loss = closing.cash.unsigned_abs();
			let taken = loss.min(collateral);
			collateral = collateral.saturating_sub(taken);
			shortfall =
				shortfall.checked_add(loss.saturating_sub(taken)).ok_or(Error::<T>::Overflow)?;
			let state =
				&mut priced.get_mut(closing.index).ok_or(Error::<T>::Overflow)?.market.state;
			state.pool_receivable =
				state.pool_receivable.checked_add(taken).ok_or(Error::<T>::Overflow)?;
		}

		// Reward and penalties out of what is left.
		let mut reward: Balance = 0;
		let mut penalty: Balance = 0;
		if shortfall.is_zero() {
			if liquidator.is_some() {
				let mut due: Balance = 0;
				for closing in closings.iter() {
					let rate = priced
						.get(closing.index)
						.ok_or(Error::<T>::Overflow)?
						.market
						.params
						.liquidator_reward;
					let part = math::permill_of(closing.notional, rate, Rounding::Down)
						.ok_or(Error::<T>::Overflow)?;
					due = due.checked_add(part).ok_or(Error::<T>::Overflow)?;
				}
				reward = due.min(collateral);
				collateral = collateral.saturating_sub(reward);
			}
			for closing in closings.iter_mut() {
				let priced = priced.get_mut(closing.index).ok_or(Error::<T>::Overflow)?;
				let rate = priced.market.params.liquidation_penalty;
				let due = math::permill_of(closing.notional, rate, Rounding::Up)
					.ok_or(Error::<T>::Overflow)?;
				let charged = due.min(collateral);
				collateral = collateral.saturating_sub(charged);
				closing.penalty = charged;
				penalty = penalty.checked_add(charged).ok_or(Error::<T>::Overflow)?;
				let state = &mut priced.market.state;
				state.pending_penalties =
					state.pending_penalties.checked_add(charged).ok_or(Error::<T>::Overflow)?;
			}
		}

		// Bad debt to the waterfall, booked to the largest losing market.
		if let (false, Some(index)) = (shortfall.is_zero(), largest) {
			let priced = priced.get_mut(index).ok_or(Error::<T>::Overflow)?;
			Self::refer_bad_debt(who, priced.id, &mut priced.market, shortfall)?;
		}

		for priced in priced.iter() {
			Markets::<T>::insert(priced.id, priced.market.clone());
		}
		let mut remaining = AccountOf::<T> { collateral, positions: Default::default() };
		if let Some(liquidator) = liquidator.filter(|_| !reward.is_zero()) {
			if liquidator == who {
				remaining.collateral =
					remaining.collateral.checked_add(reward).ok_or(Error::<T>::Overflow)?;
			} else {
				let mut credited = Accounts::<T>::get(liquidator).unwrap_or_default();
				credited.collateral =
					credited.collateral.checked_add(reward).ok_or(Error::<T>::Overflow)?;
				Accounts::<T>::insert(liquidator, credited);
			}
		}
		Self::store_account(who, remaining);

		for closing in closings.iter() {
			let price = priced.get(closing.index).map(|p| p.price.price).unwrap_or_default();
			Self::deposit_event(Event::PositionLiquidated {
				who: who.clone(),
				market: closing.position.market,
				size: closing.position.size,
				price,
				realized_pnl: closing.pnl,
				funding: closing.funding,
				penalty: closing.penalty,
			});
		}
		Self::deposit_event(Event::Liquidated {
			who: who.clone(),
			liquidator: liquidator.cloned(),
			equity: figures.equity,
			maintenance_requirement: figures.maintenance,
			reward,
			penalty,
			bad_debt: shortfall,
		});
		Ok(LiquidationOutcome {
			positions: u32::try_from(closings.len()).unwrap_or(u32::MAX),
			bad_debt: !shortfall.is_zero(),
		})
	}

	/// Hands `amount` of bad debt of `who` in market `id` to the waterfall.
	/// What arrives in the pallet account is owed to the pool; the rest is
	/// recorded as the market's deficit and the market turns `ReduceOnly`.
	fn refer_bad_debt(
		who: &T::AccountId,
		id: MarketId,
		market: &mut MarketInfo,
		amount: Balance,
	) -> DispatchResult {
		Self::deposit_event(Event::BadDebtReferred { market: id, account: who.clone(), amount });
		let account = Self::account_id();
		let before = T::Currency::balance(&account);
		let claimed_uncovered = T::LossWaterfall::absorb(id, amount, &account).min(amount);
		let arrived = T::Currency::balance(&account).saturating_sub(before);
		let covered = arrived.min(amount);
		if covered != amount.saturating_sub(claimed_uncovered) {
			log::error!(
				target: LOG_TARGET,
				"waterfall claimed to cover {} of {amount} in market {id} but {arrived} arrived",
				amount.saturating_sub(claimed_uncovered),
			);
		}
		// Everything that arrived belongs to the pool, even an overpayment.
		market.state.pool_receivable =
			market.state.pool_receivable.checked_add(arrived).ok_or(Error::<T>::Overflow)?;
		let uncovered = amount.saturating_sub(covered);
		Self::deposit_event(Event::BadDebtCovered { market: id, covered, uncovered });
		if !uncovered.is_zero() {
			market.state.deficit =
				market.state.deficit.checked_add(uncovered).ok_or(Error::<T>::Overflow)?;
			Self::deposit_event(Event::DeficitRecorded {
				market: id,
				amount: uncovered,
				total: market.state.deficit,
				next_tier: LossTier::AutoDeleveraging,
			});
			if market.status == MarketStatus::Active {
				market.status = MarketStatus::ReduceOnly;
				Self::deposit_event(Event::MarketStatusChanged {
					market: id,
					status: MarketStatus::ReduceOnly,
				});
			}
		}
		Ok(())
	}

	/// The idle hook: the liquidation sweep, then settlements, within
	/// `remaining`.
	pub(crate) fn do_idle(remaining: Weight) -> Weight {
		let mut meter = WeightMeter::with_limit(remaining);
		Self::sweep_liquidations(&mut meter);
		Self::settle_idle(&mut meter);
		meter.consumed()
	}

	/// Examines up to `MaxLiquidationsPerBlock` accounts from the stored
	/// cursor, each charged the worst-case weight of a liquidation, and
	/// liquidates those below maintenance (without a reward). An account
	/// that cannot be liquidated now (healthy, stale price, halted market) is
	/// left unchanged.
	pub(crate) fn sweep_liquidations(meter: &mut WeightMeter) {
		let per_account = Self::liquidation_weight(None);
		let cursor_io = T::DbWeight::get().reads_writes(1, 1);
		if !meter.can_consume(cursor_io.saturating_add(per_account)) {
			return;
		}
		meter.consume(cursor_io);
		let mut iter = match LiquidationCursor::<T>::get() {
			Some(raw) => Accounts::<T>::iter_from(raw.into_inner()),
			None => Accounts::<T>::iter(),
		};
		let mut candidates = Vec::new();
		let mut last_key = None;
		let mut finished = false;
		for _ in 0..T::MaxLiquidationsPerBlock::get() {
			if !meter.can_consume(per_account) {
				break;
			}
			let Some((who, account)) = iter.next() else {
				finished = true;
				break;
			};
			meter.consume(per_account);
			last_key = Some(iter.last_raw_key().to_vec());
			if !account.positions.is_empty() {
				candidates.push(who);
			}
		}
		drop(iter);
		match (finished, last_key.map(BoundedVec::<u8, CursorBound>::try_from)) {
			(false, Some(Ok(key))) => LiquidationCursor::<T>::put(key),
			_ => LiquidationCursor::<T>::kill(),
		}
		for who in candidates {
			if let Ok(outcome) = with_storage_layer(|| Self::do_liquidate(&who, None)) {
				log::debug!(target: LOG_TARGET, "sweep liquidated an account: {outcome:?}");
			}
		}
	}
}
