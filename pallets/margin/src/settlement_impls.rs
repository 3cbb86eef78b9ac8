//! Money between traders, the pool and the revenue sinks.
//!
//! Trades and liquidations move money inside the pallet account only: a
//! trader's loss, funding paid and the fee shares are booked to per-market
//! ledgers (`pool_receivable`, `pending_penalties`, `pending_insurance_fees`,
//! `pending_staker_fees`, and the backstop premium in `pending_premium`). A trader's profit is paid out of the pool's
//! receivable first and only the rest is asked of the pool's cash
//! (`LiquidityProvider::pay`).
//! A settlement (the `settle_market` call, or the idle hook each block)
//! then hands each ledger to its owner. This keeps a liquidation free of
//! cross-pallet transfers: a handful of storage writes.

use super::*;
use crate::math;
use alloc::vec::Vec;
use backstop_primitives::{
	Balance, LiquidityProvider, MarketId, RevenueKind, RevenueSink, SignedBalance,
};
use frame_support::{
	pallet_prelude::*, storage::with_storage_layer, traits::fungible::Inspect, weights::WeightMeter,
};
use sp_arithmetic::{traits::Zero, Rounding};

impl<T: Config> Pallet<T> {
	/// Has the pool pay `amount` for `market`: out of what the pallet holds
	/// for the pool first, the rest out of the pool's cash through
	/// `LiquidityProvider::pay` into the pallet account (checked to arrive in
	/// full). Fails with `LiquidityPaymentFailed` only when the pool lacks the
	/// cash.
	pub(crate) fn pool_pays(
		id: MarketId,
		market: &mut MarketInfo,
		amount: Balance,
	) -> DispatchResult {
		let from_receivable = amount.min(market.state.pool_receivable);
		// `from_receivable <= pool_receivable` and `<= amount`.
		market.state.pool_receivable = market.state.pool_receivable.saturating_sub(from_receivable);
		let rest = amount.saturating_sub(from_receivable);
		if rest.is_zero() {
			return Ok(());
		}
		let account = Self::account_id();
		let before = T::Currency::balance(&account);
		T::Liquidity::pay(id, &account, rest).map_err(|error| {
			log::warn!(target: LOG_TARGET, "pool refused to pay {rest} in market {id}: {error:?}");
			Error::<T>::LiquidityPaymentFailed
		})?;
		let arrived = T::Currency::balance(&account).saturating_sub(before);
		ensure!(arrived == rest, Error::<T>::LiquidityPaymentFailed);
		Ok(())
	}

	/// Applies `cash` (positive: to the trader) between a trader's
	/// `collateral` and the pool for `market`.
	pub(crate) fn settle_cash(
		id: MarketId,
		market: &mut MarketInfo,
		collateral: &mut Balance,
		cash: SignedBalance,
	) -> DispatchResult {
		let amount = cash.unsigned_abs();
		if cash > 0 {
			Self::pool_pays(id, market, amount)?;
			*collateral = collateral.checked_add(amount).ok_or(Error::<T>::Overflow)?;
		} else if cash < 0 {
			*collateral =
				collateral.checked_sub(amount).ok_or(Error::<T>::InsufficientCollateral)?;
			market.state.pool_receivable =
				market.state.pool_receivable.checked_add(amount).ok_or(Error::<T>::Overflow)?;
		}
		Ok(())
	}

	/// Books a trading fee already taken from a trader's collateral to the
	/// three ledgers of `market` by the fee split: the insurance and staker
	/// shares round down, the LPs get the exact rest.
	pub(crate) fn book_fee(market: &mut MarketInfo, fee: Balance) -> Result<(), Error<T>> {
		if fee.is_zero() {
			return Ok(());
		}
		let split = FeeSplitConfig::<T>::get();
		let insurance =
			math::permill_of(fee, split.insurance, Rounding::Down).ok_or(Error::<T>::Overflow)?;
		let stakers =
			math::permill_of(fee, split.stakers, Rounding::Down).ok_or(Error::<T>::Overflow)?;
		let lps = fee
			.checked_sub(insurance)
			.and_then(|f| f.checked_sub(stakers))
			.ok_or(Error::<T>::Overflow)?;
		let state = &mut market.state;
		state.pending_insurance_fees =
			state.pending_insurance_fees.checked_add(insurance).ok_or(Error::<T>::Overflow)?;
		state.pending_staker_fees =
			state.pending_staker_fees.checked_add(stakers).ok_or(Error::<T>::Overflow)?;
		state.pool_receivable =
			state.pool_receivable.checked_add(lps).ok_or(Error::<T>::Overflow)?;
		Ok(())
	}

	/// Hands `amount` to `S` as `kind`; returns what it took (measured on the
	/// pallet account, at most `amount`), or `None` if it refused (reported;
	/// nothing moved).
	fn pay_sink<S: RevenueSink<T::AccountId>>(
		id: MarketId,
		kind: RevenueKind,
		amount: Balance,
	) -> Option<Balance> {
		if amount.is_zero() {
			return Some(0);
		}
		let account = Self::account_id();
		let before = T::Currency::balance(&account);
		match with_storage_layer(|| S::receive(id, kind, &account, amount)) {
			Ok(_) => Some(before.saturating_sub(T::Currency::balance(&account)).min(amount)),
			Err(error) => {
				log::warn!(target: LOG_TARGET, "sink refused {amount} from market {id}: {error:?}");
				Self::deposit_event(Event::SettlementFailed { market: id, amount, error });
				None
			},
		}
	}

	/// Settles `market`'s pending flows: pays penalties and the insurance
	/// fee share to `InsuranceSink`, the stakers' fee share and the backstop
	/// premium (`RevenueKind::BackstopPremium`) to `StakerSink`, and
	/// everything the pool is owed (plus whatever a sink did not take) to the
	/// pool. A refused payment stays pending.
	pub(crate) fn settle_market_state(id: MarketId, market: &mut MarketInfo) -> SettlementOutcome {
		let mut outcome = SettlementOutcome::default();
		if market.state.reserve_stale {
			// Lowering a reservation never fails; a refusal is logged.
			let _ = Self::reserve_for(id, &market.state, market.state.last_price, false);
			market.state.reserve_stale = false;
		}
		let state = &mut market.state;
		let sinks: [(&mut Balance, RevenueKind, bool); 4] = [
			(&mut state.pending_penalties, RevenueKind::LiquidationPenalty, true),
			(&mut state.pending_insurance_fees, RevenueKind::TradingFee, true),
			(&mut state.pending_staker_fees, RevenueKind::TradingFee, false),
			(&mut state.pending_premium, RevenueKind::BackstopPremium, false),
		];
		let mut untaken: Balance = 0;
		for (ledger, kind, insurance) in sinks {
			let amount = *ledger;
			let taken = if insurance {
				Self::pay_sink::<T::InsuranceSink>(id, kind, amount)
			} else {
				Self::pay_sink::<T::StakerSink>(id, kind, amount)
			};
			// A refusal leaves the ledger pending.
			let Some(taken) = taken else { continue };
			*ledger = 0;
			if insurance {
				outcome.to_insurance = outcome.to_insurance.saturating_add(taken);
			} else {
				outcome.to_stakers = outcome.to_stakers.saturating_add(taken);
				if kind == RevenueKind::BackstopPremium {
					outcome.premium_to_stakers = taken;
				}
			}
			// What a sink does not take goes to the LPs; `taken <= amount`.
			untaken = untaken.saturating_add(amount.saturating_sub(taken));
		}
		// Sums of ledgers that all sit in the pallet account: they fit.
		state.pool_receivable = state.pool_receivable.saturating_add(untaken);
		let owed = state.pool_receivable;
		if !owed.is_zero() {
			let account = Self::account_id();
			let before = T::Currency::balance(&account);
			match with_storage_layer(|| T::Liquidity::collect(id, &account, owed)) {
				Ok(()) => {
					let collected = before.saturating_sub(T::Currency::balance(&account)).min(owed);
					state.pool_receivable = owed.saturating_sub(collected);
					outcome.to_pool = collected;
				},
				Err(error) => {
					log::warn!(target: LOG_TARGET, "pool refused {owed} from market {id}: {error:?}");
					Self::deposit_event(Event::SettlementFailed {
						market: id,
						amount: owed,
						error,
					});
				},
			}
		}
		outcome
	}

	/// The `settle_market` call.
	pub(crate) fn do_settle_market(id: MarketId) -> DispatchResult {
		let mut market = Markets::<T>::get(id).ok_or(Error::<T>::UnknownMarket)?;
		ensure!(market.has_pending(), Error::<T>::NothingToSettle);
		let outcome = Self::settle_market_state(id, &mut market);
		Markets::<T>::insert(id, market);
		Self::deposit_settled(id, outcome);
		Ok(())
	}

	fn deposit_settled(market: MarketId, outcome: SettlementOutcome) {
		Self::deposit_event(Event::MarketSettled {
			market,
			to_insurance: outcome.to_insurance,
			to_stakers: outcome.to_stakers,
			premium_to_stakers: outcome.premium_to_stakers,
			to_pool: outcome.to_pool,
		});
	}

	/// Settles markets with pending flows while `meter` allows, starting after
	/// the market visited last.
	pub(crate) fn settle_idle(meter: &mut WeightMeter) {
		let db = T::DbWeight::get();
		// Keys and values of every market, the cursor read and written.
		let markets = u64::from(T::MaxMarkets::get());
		let scan =
			db.reads(markets.saturating_mul(2).saturating_add(1)).saturating_add(db.writes(1));
		if meter.try_consume(scan).is_err() {
			return;
		}
		let mut ids: Vec<MarketId> = Markets::<T>::iter_keys().collect();
		ids.sort_unstable();
		let start = match SettlementCursor::<T>::get() {
			Some(last) => ids.iter().position(|id| *id > last).unwrap_or(0),
			None => 0,
		};
		ids.rotate_left(start);
		let per_market = T::WeightInfo::settle_market();
		let mut last = None;
		for id in ids {
			if !meter.can_consume(per_market) {
				break;
			}
			last = Some(id);
			let Some(mut market) = Markets::<T>::get(id) else { continue };
			if !market.has_pending() {
				continue;
			}
			meter.consume(per_market);
			let outcome = Self::settle_market_state(id, &mut market);
			Markets::<T>::insert(id, market);
			Self::deposit_settled(id, outcome);
		}
		if let Some(last) = last {
			SettlementCursor::<T>::put(last);
		}
	}
}
