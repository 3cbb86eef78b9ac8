//! The markets' exposure against the counterparty pool: the per-market
//! aggregates every position change goes through, the traders' net PnL they
//! value in O(1), the cash the pool reserves against open interest, and the
//! `CounterpartyExposure` the pool reads to price its shares at NAV.

use super::*;
use crate::math;
use backstop_primitives::{
	Balance, CounterpartyExposure, LiquidityProvider, MarketExposure, MarketId, Price,
	PriceUnavailable, SignedBalance,
};
use frame_support::{pallet_prelude::*, storage::with_storage_layer};
use sp_arithmetic::{traits::Zero, Rounding};

/// What one position contributes to its market's aggregates.
#[derive(Clone, Copy, Default)]
struct Contribution {
	long: u128,
	short: u128,
	long_cost: Balance,
	short_cost: Balance,
	basis: SignedBalance,
}

impl Contribution {
	/// The contribution of `position` (nothing for a size of zero).
	fn of(position: &Position) -> Option<Self> {
		let size = position.size.unsigned_abs();
		let cost = position.cost.unsigned_abs();
		let basis = math::funding_basis(position.size, position.funding_index)?;
		Some(match position.size {
			0 => Self::default(),
			s if s > 0 => Self { long: size, long_cost: cost, basis, ..Default::default() },
			_ => Self { short: size, short_cost: cost, basis, ..Default::default() },
		})
	}
}

impl<T: Config> Pallet<T> {
	/// Moves one position of a market from `old` to `new` in the market's
	/// aggregates: open interest, cost bases and funding basis. Every change
	/// of a position (trade, liquidation, funding settlement) goes through
	/// here, so that `try_state` can check the aggregates exactly. A position
	/// of size zero stands for no position.
	pub(crate) fn move_position(
		state: &mut MarketState,
		old: &Position,
		new: &Position,
	) -> Result<(), Error<T>> {
		let old = Contribution::of(old).ok_or(Error::<T>::Overflow)?;
		let new = Contribution::of(new).ok_or(Error::<T>::Overflow)?;
		let mut next = *state;
		next.long_open_interest = next
			.long_open_interest
			.checked_sub(old.long)
			.and_then(|x| x.checked_add(new.long))
			.ok_or(Error::<T>::Overflow)?;
		next.short_open_interest = next
			.short_open_interest
			.checked_sub(old.short)
			.and_then(|x| x.checked_add(new.short))
			.ok_or(Error::<T>::Overflow)?;
		next.long_cost = next
			.long_cost
			.checked_sub(old.long_cost)
			.and_then(|x| x.checked_add(new.long_cost))
			.ok_or(Error::<T>::Overflow)?;
		next.short_cost = next
			.short_cost
			.checked_sub(old.short_cost)
			.and_then(|x| x.checked_add(new.short_cost))
			.ok_or(Error::<T>::Overflow)?;
		next.funding_basis = next
			.funding_basis
			.checked_sub(old.basis)
			.and_then(|x| x.checked_add(new.basis))
			.ok_or(Error::<T>::Overflow)?;
		*state = next;
		Ok(())
	}

	/// The traders' net unrealized PnL minus their accrued funding in a
	/// market of `state` at `price` (positive: the pool owes them), from the
	/// aggregates in O(1). Rounded in the pool's favour: at least the sum of
	/// the positions' own figures, and less than three units per position
	/// above it (see [`math::market_pnl`] and
	/// [`math::market_accrued_funding`]).
	pub fn trader_pnl_at(state: &MarketState, price: Price) -> Option<SignedBalance> {
		let pnl = math::market_pnl(
			state.long_open_interest,
			state.short_open_interest,
			state.long_cost,
			state.short_cost,
			price,
		)?;
		let funding =
			math::market_accrued_funding(state.skew()?, state.funding_index, state.funding_basis)?;
		pnl.checked_sub(funding)
	}

	/// The traders' net PnL in `market` at the fresh oracle price; a market
	/// without open interest needs no price (its traders hold nothing).
	pub(crate) fn market_trader_pnl(
		market: &MarketInfo,
	) -> Result<Option<SignedBalance>, PriceUnavailable> {
		let price = if market.state.open_interest() == Some(0) {
			Price::zero()
		} else {
			Self::fresh_price(market.params.oracle_asset)?.price
		};
		Ok(Self::trader_pnl_at(&market.state, price))
	}

	/// The notional the pool reserves against: the larger side of the open
	/// interest valued at `price`, rounded up.
	pub(crate) fn reservation_notional(state: &MarketState, price: Price) -> Option<Balance> {
		let side = state.long_open_interest.max(state.short_open_interest);
		math::notional(side, price, Rounding::Up)
	}

	/// Has the pool reserve for market `id` against its open interest in
	/// `state` at `price`, in a storage layer of its own.
	///
	/// With `strict` (a trade that adds to the larger side of the open
	/// interest) a refusal is the trade's error, `InsufficientLiquidity`.
	/// Otherwise (trades that reduce, liquidations) a refusal is logged and
	/// ignored: by contract the pool refuses only to raise a reservation, and
	/// reducing risk must never depend on it.
	pub(crate) fn reserve_for(
		id: MarketId,
		state: &MarketState,
		price: Price,
		strict: bool,
	) -> DispatchResult {
		let Some(notional) = Self::reservation_notional(state, price) else {
			if strict {
				return Err(Error::<T>::Overflow.into());
			}
			log::warn!(target: LOG_TARGET, "reservation notional of market {id} overflowed");
			return Ok(());
		};
		match with_storage_layer(|| T::Liquidity::reserve(id, notional)) {
			Ok(()) => Ok(()),
			Err(error) if strict => {
				log::debug!(
					target: LOG_TARGET,
					"pool refused to reserve for {notional} in market {id}: {error:?}",
				);
				Err(Error::<T>::InsufficientLiquidity.into())
			},
			Err(error) => {
				log::warn!(
					target: LOG_TARGET,
					"pool refused to reserve for {notional} in market {id} (ignored): {error:?}",
				);
				Ok(())
			},
		}
	}

	/// Refuses a risk-increasing trade while the traders of market `id`
	/// (with `state` as it will be after the trade) hold more net profit at
	/// `price` than the pool allows.
	pub(crate) fn ensure_pnl_cap(
		id: MarketId,
		state: &MarketState,
		price: Price,
	) -> Result<(), Error<T>> {
		let Some(max) = T::Liquidity::max_trader_pnl(id) else { return Ok(()) };
		let pnl = Self::trader_pnl_at(state, price).ok_or(Error::<T>::Overflow)?;
		ensure!(pnl <= 0 || pnl.unsigned_abs() <= max, Error::<T>::PnlCapExceeded);
		Ok(())
	}

	/// The exposure of `market` as the pool reads it. A figure that does not
	/// fit is reported as the largest trader profit (the pool then values
	/// itself at its most pessimistic), and logged.
	pub(crate) fn exposure_of(
		id: MarketId,
		market: &MarketInfo,
	) -> Result<MarketExposure, PriceUnavailable> {
		let trader_pnl = Self::market_trader_pnl(market)?.unwrap_or_else(|| {
			log::error!(target: LOG_TARGET, "trader PnL of market {id} overflowed");
			SignedBalance::MAX
		});
		Ok(MarketExposure {
			trader_pnl,
			receivable: market.state.pool_receivable,
			deficit: market.state.deficit,
		})
	}
}

/// The traders' net unrealized PnL and accrued funding against the pool
/// (from the per-market aggregates, at the fresh oracle price, rounded in
/// the pool's favour) and the money each market holds for the pool.
///
/// A market with open interest and no usable price (stale, held, halted
/// feed) cannot be valued: its `PriceUnavailable` is passed on, also by
/// `total_exposure`. A market without open interest needs no price.
impl<T: Config> CounterpartyExposure for Pallet<T> {
	fn market_exposure(market: MarketId) -> Result<MarketExposure, PriceUnavailable> {
		match Markets::<T>::get(market) {
			Some(info) => Self::exposure_of(market, &info),
			None => Ok(MarketExposure::default()),
		}
	}

	/// The sum over every market (at most `MaxMarkets`). Receivables sit in
	/// the pallet account, so their sum fits; trader PnL saturates (only a
	/// market already reported at the largest profit can reach the bound).
	fn total_exposure() -> Result<MarketExposure, PriceUnavailable> {
		let mut total = MarketExposure::default();
		for (id, info) in Markets::<T>::iter() {
			let exposure = Self::exposure_of(id, &info)?;
			total.trader_pnl = total.trader_pnl.saturating_add(exposure.trader_pnl);
			total.receivable = total.receivable.saturating_add(exposure.receivable);
			total.deficit = total.deficit.saturating_add(exposure.deficit);
		}
		Ok(total)
	}
}
