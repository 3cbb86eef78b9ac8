//! Liquidation of accounts below their maintenance requirement: the netting
//! of an account's legs, the hand-over of bad debt to the loss waterfall and
//! the pool's write-off, and the automatic sweep.

use super::*;
use crate::{
	health_impls::{Priced, Pricing},
	math,
};
use alloc::vec::Vec;
use backstop_primitives::{
	Balance, KeeperRewarder, LiquidityProvider, LossAbsorber, LossTier, MarketId, SignedBalance,
};
use frame_support::{
	pallet_prelude::*, storage::with_storage_layer, traits::fungible::Inspect, weights::WeightMeter,
};
use sp_arithmetic::{helpers_128bit::multiply_by_rational_with_rounding, traits::Zero, Rounding};

/// One position being closed, in full or in part.
pub(crate) struct Closing {
	/// Index into the loaded markets.
	pub(crate) index: usize,
	/// The position before.
	pub(crate) position: Position,
	/// The signed size closed.
	pub(crate) closed: i128,
	/// The signed size left open.
	pub(crate) remaining: i128,
	/// Realised PnL of the closed part.
	pub(crate) pnl: SignedBalance,
	/// Funding owed (by the whole position, settled now).
	pub(crate) funding: SignedBalance,
	/// `pnl − funding`: positive is owed to the account.
	pub(crate) cash: SignedBalance,
	/// Closed notional at the price used, rounded up.
	pub(crate) notional: Balance,
	/// Penalty charged.
	pub(crate) penalty: Balance,
	/// Backstop premium the whole position owed (its snapshot moves to the
	/// market's index); what is taken of it is decided when booking.
	pub(crate) premium: Balance,
}

/// An account's legs closed in memory: what each closing did, the markets
/// as they are afterwards, the positions left and how the legs net out.
pub(crate) struct Closed<T: Config> {
	pub(crate) closings: Vec<Closing>,
	pub(crate) priced: Vec<Priced<T>>,
	pub(crate) remaining: Vec<Position>,
	pub(crate) winners: Vec<usize>,
	pub(crate) losers: Vec<usize>,
	pub(crate) netting: Netting,
}

/// What booking a closed account did, for the caller's events.
pub(crate) struct Booked<T: Config> {
	pub(crate) closings: Vec<Closing>,
	pub(crate) priced: Vec<Priced<T>>,
	pub(crate) reward: Balance,
	pub(crate) penalty: Balance,
	pub(crate) shortfall: Balance,
	pub(crate) locked: Vec<Event<T>>,
	pub(crate) partial: bool,
}

/// How the legs of a liquidated account net out.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub(crate) struct Netting {
	/// Per winning leg (in the order given): what the pool pays for it, its
	/// profit net of the part offset against the losing legs.
	pub paid_by_pool: Vec<Balance>,
	/// Per losing leg: what is booked to its market's pool receivable (what
	/// the collateral pays for it).
	pub booked: Vec<Balance>,
	/// Per losing leg: its share of the bad debt.
	pub bad_debt: Vec<Balance>,
	/// The collateral left (before reward and penalties).
	pub collateral: Balance,
	/// The bad debt, the sum of `bad_debt`.
	pub shortfall: Balance,
}

/// Nets the profits of the winning legs (`profits`) against the losses of
/// the losing legs (`losses`) and the account's `collateral`.
///
/// With `P = Σ profits`, `L = Σ losses`, `C = collateral`: the offset
/// `O = min(P, L)` never moves through the pool; the collateral pays
/// `min(C, L − O)`; the bad debt is `D = max(0, L − C − P)`, split across the
/// losing legs pro rata to their losses ([`math::split_pro_rata`]). Each
/// losing leg `j` is then covered by `L_j − D_j`, of which its share of the
/// offset (pro rata again) is not booked — the pool did not pay it out
/// either — and the rest, paid from collateral, is booked to its market's
/// receivable. The winning legs give up their share of the offset and the
/// pool pays only the rest, `P − O` in all.
///
/// So `Σ booked = min(C, L − O)`, `Σ paid_by_pool = P − O`,
/// `collateral' = C − Σ booked + Σ paid_by_pool` and
/// `Σ booked + Σ bad_debt + O = L`.
pub(crate) fn net_legs(
	profits: &[Balance],
	losses: &[Balance],
	collateral: Balance,
) -> Option<Netting> {
	let profit = profits.iter().try_fold(0u128, |sum, p| sum.checked_add(*p))?;
	let loss = losses.iter().try_fold(0u128, |sum, l| sum.checked_add(*l))?;
	let offset = profit.min(loss);
	let from_collateral = collateral.min(loss.checked_sub(offset)?);
	let shortfall = loss.checked_sub(offset)?.checked_sub(from_collateral)?;
	let bad_debt = math::split_pro_rata(shortfall, losses)?;
	let covered: Vec<Balance> = losses
		.iter()
		.zip(bad_debt.iter())
		.map(|(loss, debt)| Balance::checked_sub(*loss, *debt))
		.collect::<Option<_>>()?;
	let offset_losers = math::split_pro_rata(offset, &covered)?;
	let booked = covered
		.iter()
		.zip(offset_losers.iter())
		.map(|(covered, offset)| Balance::checked_sub(*covered, *offset))
		.collect::<Option<_>>()?;
	let offset_winners = math::split_pro_rata(offset, profits)?;
	let paid_by_pool = profits
		.iter()
		.zip(offset_winners.iter())
		.map(|(profit, offset)| Balance::checked_sub(*profit, *offset))
		.collect::<Option<_>>()?;
	let collateral =
		collateral.checked_sub(from_collateral)?.checked_add(profit.checked_sub(offset)?)?;
	Some(Netting { paid_by_pool, booked, bad_debt, collateral, shortfall })
}

impl<T: Config> Pallet<T> {
	/// The weight of `liquidate`: the worst case before dispatch (`None`), or
	/// what `outcome` actually cost.
	pub fn liquidation_weight(outcome: Option<LiquidationOutcome>) -> Weight {
		match outcome {
			None => T::WeightInfo::liquidate().max(T::WeightInfo::liquidate_bad_debt()),
			Some(LiquidationOutcome { bad_debt: true, positions, .. }) if positions <= 1 => {
				T::WeightInfo::liquidate_bad_debt_one_position()
			},
			Some(LiquidationOutcome { bad_debt: true, .. }) => T::WeightInfo::liquidate_bad_debt(),
			Some(LiquidationOutcome { positions, .. }) if positions <= 1 => {
				T::WeightInfo::liquidate_one_position()
			},
			Some(_) => T::WeightInfo::liquidate(),
		}
	}

	/// Liquidates `who` if its equity is below its maintenance requirement,
	/// in a storage layer of its own: an error leaves nothing changed.
	pub(crate) fn do_liquidate(
		who: &T::AccountId,
		liquidator: Option<&T::AccountId>,
	) -> Result<LiquidationOutcome, DispatchError> {
		with_storage_layer(|| Self::liquidate_in_layer(who, liquidator))
	}

	/// Liquidates `who` if its equity is below its maintenance requirement.
	///
	/// The account is valued with every leg priced ([`Pricing::Conservative`]:
	/// a halted market or a missing price shields nothing). Above the
	/// governed health threshold the part of each position that restores
	/// the account ([`Self::partial_plan`]) closes, else every position;
	/// a part that would leave bad debt becomes a full close. Each closed
	/// part settles its position's funding, realises its PnL and leaves its
	/// market's aggregates. The legs are **netted** ([`net_legs`]): profits offset
	/// losses without passing through the pool, which pays only a net profit
	/// (the one way a liquidation can fail on the pool: it lacks the cash for
	/// a profit the losses do not offset). Out of what remains, the
	/// liquidator's reward (`liquidator_reward` of the closed notional,
	/// rounded down; none for the automatic sweep or for liquidating
	/// oneself when the account is left with bad debt, when the insurance
	/// fund pays it within its caps through `T::KeeperRewards`, before the
	/// bad debt runs down the waterfall) and then the penalty per
	/// market (`liquidation_penalty` of its notional, rounded up, for the
	/// insurance fund) are taken, each at most what is left: fees never
	/// create debt. If the losses exceed the collateral and the profits, the
	/// shortfall (exactly the negative equity) is bad debt, split across the
	/// losing markets pro rata to their losses; each share goes to
	/// `T::LossWaterfall` (money arrives for the pool), then to the pool's
	/// write-off (`absorb_loss`), and what is left becomes that market's
	/// deficit and the market turns `ReduceOnly`. Each market's reservation
	/// is then lowered to its new open interest (a refusal cannot stop a
	/// liquidation).
	fn liquidate_in_layer(
		who: &T::AccountId,
		liquidator: Option<&T::AccountId>,
	) -> Result<LiquidationOutcome, DispatchError> {
		let account = Accounts::<T>::get(who)
			.filter(|account| !account.positions.is_empty())
			.ok_or(Error::<T>::NotLiquidatable)?;
		let (figures, each, priced) =
			Self::value_account(&account, None, Pricing::Conservative).map_err(Error::<T>::from)?;
		ensure!(figures.liquidatable(), Error::<T>::NotLiquidatable);

		// Close in part when the account is healthy enough and the part does
		// not leave bad debt; otherwise close everything.
		let full: Vec<u128> = account.positions.iter().map(|p| p.size.unsigned_abs()).collect();
		let params = LiquidationConfig::<T>::get();
		let plan = Self::partial_plan(
			&account.positions,
			&figures,
			&each,
			&priced,
			&params,
			liquidator.is_some(),
		);
		ensure!(
			plan.is_none() || !LiquidatedThisBlock::<T>::contains_key(who),
			Error::<T>::PartiallyLiquidatedThisBlock
		);
		let partial = plan
			.map(|sizes| Self::close_legs(&account, &each, priced.clone(), &sizes))
			.transpose()?
			.filter(|closed| closed.netting.shortfall.is_zero());
		let closed = match partial {
			Some(closed) => closed,
			None => Self::close_legs(&account, &each, priced, &full)?,
		};
		let booked = Self::book_closed(who, &account, closed, liquidator, true)?;
		if booked.partial {
			LiquidatedThisBlock::<T>::insert(who, ());
		}
		let Booked { closings, priced, reward, penalty, shortfall, locked, partial } = booked;

		for closing in closings.iter() {
			let price = priced.get(closing.index).map(|p| p.price.price).unwrap_or_default();
			Self::deposit_event(Event::PositionLiquidated {
				who: who.clone(),
				market: closing.position.market,
				size: closing.closed,
				remaining: closing.remaining,
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
		for event in locked {
			Self::deposit_event(event);
		}
		Ok(LiquidationOutcome {
			positions: u32::try_from(closings.len()).unwrap_or(u32::MAX),
			partial,
			bad_debt: !shortfall.is_zero(),
		})
	}

	/// Books what closing `account`'s legs did (`closed`): the pool pays the
	/// net profit, the losing markets are owed what the collateral pays,
	/// with `fees` the liquidator's reward and the penalties come out of
	/// what is left, each losing market's share of any bad debt runs down
	/// the waterfall, and the markets and the account (and a rewarded
	/// liquidator's) are stored. Returns what the caller reports.
	pub(crate) fn book_closed(
		who: &T::AccountId,
		account: &AccountOf<T>,
		closed: Closed<T>,
		liquidator: Option<&T::AccountId>,
		fees: bool,
	) -> Result<Booked<T>, DispatchError> {
		let Closed { mut closings, mut priced, remaining, winners, losers, netting } = closed;
		for (index, paid) in winners.iter().zip(netting.paid_by_pool.iter()) {
			let priced = priced.get_mut(*index).ok_or(Error::<T>::Overflow)?;
			Self::pool_pays(priced.id, &mut priced.market, *paid)?;
		}
		for (index, booked) in losers.iter().zip(netting.booked.iter()) {
			let state = &mut priced.get_mut(*index).ok_or(Error::<T>::Overflow)?.market.state;
			state.pool_receivable =
				state.pool_receivable.checked_add(*booked).ok_or(Error::<T>::Overflow)?;
		}
		let mut collateral = netting.collateral;
		let shortfall = netting.shortfall;

		// Reward and penalties out of what is left.
		let mut reward: Balance = 0;
		let mut penalty: Balance = 0;
		if !shortfall.is_zero() && fees {
			// An insolvent account cannot pay its keeper: the insurance fund
			// does, within its caps, before the bad debt runs down the
			// waterfall. Never for liquidating oneself.
			if let Some(index) = liquidator.filter(|keeper| *keeper != who).and_then(|_| {
				losers
					.iter()
					.zip(netting.bad_debt.iter())
					.max_by_key(|(_, debt)| **debt)
					.map(|(index, _)| *index)
			}) {
				let due = Self::reward_due(&closings, &priced)?;
				let market = priced.get(index).ok_or(Error::<T>::Overflow)?.id;
				let account = Self::account_id();
				let before = T::Currency::balance(&account);
				let claimed = T::KeeperRewards::reward_keeper(market, due, &account);
				let arrived = T::Currency::balance(&account).saturating_sub(before);
				if arrived != claimed.min(due) {
					log::error!(
						target: LOG_TARGET,
						"keeper rewarder claimed to pay {claimed} of {due} but {arrived} arrived",
					);
				}
				// Only what arrived is credited; more than asked stays with
				// the pool as an overpayment would.
				reward = arrived.min(due);
				let extra = arrived.saturating_sub(reward);
				if let Some(priced) = priced.get_mut(index) {
					let state = &mut priced.market.state;
					state.pool_receivable =
						state.pool_receivable.checked_add(extra).ok_or(Error::<T>::Overflow)?;
				}
			}
		}
		if shortfall.is_zero() && fees {
			if liquidator.is_some() {
				reward = Self::reward_due(&closings, &priced)?.min(collateral);
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

		// The backstop premium of the closed positions last, out of what is
		// left: it is junior to the pool, the keeper and the insurance fund,
		// so it never adds to a bad debt. What cannot be paid is forgiven
		// (see `charge_premium`); with bad debt nothing is left to pay it.
		for closing in closings.iter() {
			let priced = priced.get_mut(closing.index).ok_or(Error::<T>::Overflow)?;
			Self::charge_premium(
				who,
				priced.id,
				&mut priced.market,
				&mut collateral,
				closing.premium,
			)?;
		}

		// Each losing market's share of the bad debt to the waterfall, then
		// to the pool's write-off.
		for (index, debt) in losers.iter().zip(netting.bad_debt.iter()) {
			if debt.is_zero() {
				continue;
			}
			let bankrupt = account
				.positions
				.get(*index)
				.and_then(|p| Side::of(p.size))
				.ok_or(Error::<T>::Overflow)?;
			let priced = priced.get_mut(*index).ok_or(Error::<T>::Overflow)?;
			Self::refer_bad_debt(who, priced.id, &mut priced.market, bankrupt, *debt)?;
		}

		// The pool's reservations follow the lower open interest at the next
		// settlement (lowering one never fails, so it can wait a block).
		for priced in priced.iter_mut() {
			priced.market.state.reserve_stale = true;
			Markets::<T>::insert(priced.id, priced.market.clone());
		}
		let mut remaining = AccountOf::<T> {
			collateral,
			positions: BoundedVec::try_from(remaining).map_err(|_| Error::<T>::TooManyPositions)?,
			maturing: account.maturing,
		};
		let partial = !remaining.positions.is_empty();
		let mut credited: Option<(T::AccountId, AccountOf<T>)> = None;
		if let Some(liquidator) = liquidator.filter(|_| !reward.is_zero()) {
			if liquidator == who {
				remaining.collateral =
					remaining.collateral.checked_add(reward).ok_or(Error::<T>::Overflow)?;
			} else {
				let mut account = Accounts::<T>::get(liquidator).unwrap_or_default();
				account.collateral =
					account.collateral.checked_add(reward).ok_or(Error::<T>::Overflow)?;
				credited = Some((liquidator.clone(), account));
			}
		}
		let change = i128::try_from(remaining.collateral)
			.ok()
			.zip(i128::try_from(account.collateral).ok())
			.and_then(|(after, before)| after.checked_sub(before))
			.ok_or(Error::<T>::Overflow)?;
		let mut locked = Vec::new();
		locked.extend(Self::credit_maturing(who, &mut remaining, change));
		Self::store_account(who, remaining);
		if let Some((liquidator, mut account)) = credited {
			let reward_signed = i128::try_from(reward).map_err(|_| Error::<T>::Overflow)?;
			locked.extend(Self::credit_maturing(&liquidator, &mut account, reward_signed));
			Self::store_account(&liquidator, account);
		}
		Ok(Booked { closings, priced, reward, penalty, shortfall, locked, partial })
	}

	/// The liquidator's reward on `closings`: each market's
	/// `liquidator_reward` of the notional closed there, rounded down.
	fn reward_due(closings: &[Closing], priced: &[Priced<T>]) -> Result<Balance, DispatchError> {
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
		Ok(due)
	}

	/// The sizes a partial liquidation of an account with `figures` (and
	/// `each` position's, in the markets `priced`) closes under `params`,
	/// or `None` for a full close: below the health threshold, without
	/// maintenance requirement, or when the part would be everything.
	///
	/// With `E` the equity, `M` the maintenance requirement, `T = M × (1 +
	/// buffer)` the target and `F` the penalty (and, with a liquidator, the
	/// reward) on the whole notional, closing the fraction `f` of every
	/// position leaves equity `E − f × F` against a target `(1 − f) × T`, so
	/// `f = (T − E) / (T − F)` restores the target (`F ≤ M < T`: penalty
	/// plus reward are at most the maintenance margin). Each position closes
	/// `⌈f × |size|⌉`; one of at most `small_position` notional closes in
	/// full; one above `large_position` at most `max_portion` of itself.
	pub(crate) fn partial_plan(
		positions: &[Position],
		figures: &health_impls::AccountFigures,
		each: &[health_impls::PositionFigures],
		priced: &[Priced<T>],
		params: &LiquidationParams,
		rewarded: bool,
	) -> Option<Vec<u128>> {
		let maintenance = figures.maintenance;
		let equity = u128::try_from(figures.equity).ok()?;
		if maintenance.is_zero() || equity < params.full_below.mul_ceil(maintenance) {
			return None;
		}
		let target = maintenance.checked_add(params.buffer.mul_ceil(maintenance))?;
		let mut fees: Balance = 0;
		for (f, priced) in each.iter().zip(priced.iter()) {
			let market = &priced.market.params;
			let mut rate = u128::from(market.liquidation_penalty.deconstruct());
			if rewarded {
				rate = rate.saturating_add(u128::from(market.liquidator_reward.deconstruct()));
			}
			let part =
				multiply_by_rational_with_rounding(f.notional, rate, 1_000_000, Rounding::Up)?;
			fees = fees.checked_add(part)?;
		}
		let needed = target.checked_sub(equity)?;
		let room = target.checked_sub(fees).filter(|room| !room.is_zero())?;
		if needed >= room {
			return None;
		}
		let mut sizes = Vec::with_capacity(each.len());
		for (f, position) in each.iter().zip(positions.iter()) {
			let size = position.size.unsigned_abs();
			let mut closing = if f.notional <= params.small_position {
				size
			} else {
				multiply_by_rational_with_rounding(size, needed, room, Rounding::Up)?
			};
			if f.notional > params.large_position {
				closing = closing.min(params.max_portion.mul_ceil(size));
			}
			sizes.push(closing.min(size));
		}
		let everything =
			sizes.iter().zip(positions.iter()).all(|(s, p)| *s == p.size.unsigned_abs());
		(!everything).then_some(sizes)
	}

	/// Takes `closing` (unsigned) and its cost basis `cost_closed` out of
	/// `position`; returns the signed size taken.
	pub(crate) fn take_part(
		position: &mut Position,
		closing: u128,
		cost_closed: i128,
	) -> Result<i128, DispatchError> {
		let closed = i128::try_from(closing).map_err(|_| Error::<T>::Overflow)?;
		let closed = if position.size > 0 {
			closed
		} else {
			closed.checked_neg().ok_or(Error::<T>::Overflow)?
		};
		position.size = position.size.checked_sub(closed).ok_or(Error::<T>::Overflow)?;
		position.cost = position.cost.checked_sub(cost_closed).ok_or(Error::<T>::Overflow)?;
		Ok(closed)
	}

	/// Closes `sizes` of `account`'s positions (in position order, each at
	/// most the position) in memory at the prices of `priced`: funding
	/// settled, PnL of the closed part realised, the positions moved in
	/// their markets' aggregates; then nets the legs ([`net_legs`]).
	pub(crate) fn close_legs(
		account: &AccountOf<T>,
		each: &[health_impls::PositionFigures],
		mut priced: Vec<Priced<T>>,
		sizes: &[u128],
	) -> Result<Closed<T>, DispatchError> {
		let mut closings = Vec::with_capacity(account.positions.len());
		let mut remaining = Vec::new();
		for (index, (position, f)) in account.positions.iter().zip(each.iter()).enumerate() {
			let priced = priced.get_mut(index).ok_or(Error::<T>::Overflow)?;
			let size = position.size.unsigned_abs();
			let closing = sizes.get(index).copied().unwrap_or(size).min(size);
			if closing.is_zero() {
				remaining.push(*position);
				continue;
			}
			let price = priced.price.price;
			let (after, pnl, funding, notional) = if closing == size {
				let closed = Position { size: 0, cost: 0, ..*position };
				(closed, f.unrealized_pnl, f.accrued_funding, f.notional)
			} else {
				let mut after = *position;
				let funding = Self::take_funding(&mut after, &priced.market)?;
				// The part left open owes no premium from here on: what the
				// whole position accrued is `f.accrued_premium`, booked below.
				Self::take_premium(&mut after, &priced.market)?;
				let (pnl, cost_closed) = math::realize(after.size, after.cost, closing, price)
					.ok_or(Error::<T>::Overflow)?;
				Self::take_part(&mut after, closing, cost_closed)?;
				let notional =
					math::notional(closing, price, Rounding::Up).ok_or(Error::<T>::Overflow)?;
				(after, pnl, funding, notional)
			};
			Self::move_position(&mut priced.market.state, position, &after)?;
			if priced.live {
				priced.market.state.last_price = price;
			}
			if after.size != 0 {
				remaining.push(after);
			}
			closings.push(Closing {
				index,
				position: *position,
				closed: position.size.checked_sub(after.size).ok_or(Error::<T>::Overflow)?,
				remaining: after.size,
				pnl,
				funding,
				cash: pnl.checked_sub(funding).ok_or(Error::<T>::Overflow)?,
				notional,
				penalty: 0,
				premium: f.accrued_premium,
			});
		}

		// Net the legs: the pool pays only the profit the losses leave.
		let legs = |winning: bool| -> (Vec<usize>, Vec<Balance>) {
			closings
				.iter()
				.filter(|c| if winning { c.cash > 0 } else { c.cash < 0 })
				.map(|c| (c.index, c.cash.unsigned_abs()))
				.unzip()
		};
		let (winners, profits) = legs(true);
		let (losers, losses) = legs(false);
		let netting =
			net_legs(&profits, &losses, account.collateral).ok_or(Error::<T>::Overflow)?;
		Ok(Closed { closings, priced, remaining, winners, losers, netting })
	}

	/// Hands `amount`, market `id`'s share of a bad debt of `who` (whose
	/// position there was on the `bankrupt` side), down the loss tiers: first
	/// `T::LossWaterfall` (what arrives in the pallet account, measured, is
	/// owed to the pool), then the pool's write-off within the market's loss
	/// cap (`LiquidityProvider::absorb_loss`, no money), and the rest is
	/// recorded as the market's deficit, for auto-deleveraging of the other
	/// side, and the market turns `ReduceOnly` while it waits.
	fn refer_bad_debt(
		who: &T::AccountId,
		id: MarketId,
		market: &mut MarketInfo,
		bankrupt: Side,
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
		// `covered <= amount`.
		let rest = amount.saturating_sub(covered);
		let written_off =
			if rest.is_zero() { 0 } else { T::Liquidity::absorb_loss(id, rest).min(rest) };
		// `written_off <= rest`.
		let uncovered = rest.saturating_sub(written_off);
		Self::deposit_event(Event::BadDebtCovered { market: id, covered, written_off, uncovered });
		if !uncovered.is_zero() {
			let total = market.state.deficit.checked_add(uncovered).ok_or(Error::<T>::Overflow)?;
			Self::deposit_event(Event::DeficitRecorded {
				market: id,
				amount: uncovered,
				total,
				next_tier: LossTier::AutoDeleveraging,
			});
			Self::record_deficit(id, market, bankrupt, uncovered)?;
		}
		Ok(())
	}

	/// The idle hook: settlements, within `remaining` (the liquidation
	/// sweep runs in `on_initialize`).
	pub(crate) fn do_idle(remaining: Weight) -> Weight {
		let mut meter = WeightMeter::with_limit(remaining);
		Self::settle_idle(&mut meter);
		meter.consumed()
	}
}
