//! Funding: the per-block accrual of each market's funding index from its
//! skew, and the lazy settlement of a position's accrued funding against the
//! pool.

use super::*;
use crate::{health_impls::Priced, math};
use alloc::vec::Vec;
use backstop_primitives::{MarketId, SignedBalance};
use frame_support::pallet_prelude::*;
use sp_arithmetic::{
	traits::{CheckedAdd, CheckedSub, Zero},
	FixedI128,
};

impl<T: Config> Pallet<T> {
	/// Accrues one block of funding in every market (bounded by
	/// `MaxMarkets`). Returns the weight used.
	pub(crate) fn accrue_funding() -> Weight {
		let markets: Vec<(MarketId, MarketInfo)> = Markets::<T>::iter().collect();
		let count = u32::try_from(markets.len()).unwrap_or(u32::MAX);
		for (id, mut market) in markets {
			if Self::accrue_market(id, &mut market) {
				Markets::<T>::insert(id, market);
			}
		}
		T::WeightInfo::on_initialize_funding(count)
	}

	/// Accrues one block of funding in `market`; returns whether it changed.
	///
	/// The rate is `clamp(skew / funding_skew_scale, −1, 1) × max_funding_rate`
	/// of the price per block; the index grows by `rate × price`. A halted
	/// market, or one without a fresh price, accrues nothing (its rate shows
	/// zero): funding pauses rather than charge on a price nobody vouches for.
	pub(crate) fn accrue_market(id: MarketId, market: &mut MarketInfo) -> bool {
		let before = market.state;
		let fresh = if matches!(market.status, MarketStatus::Halted | MarketStatus::Closed) {
			None
		} else {
			Self::fresh_price(market.params.oracle_asset).ok()
		};
		match fresh {
			None => market.state.funding_rate = FixedI128::zero(),
			Some(info) => {
				market.state.last_price = info.price;
				let next = market.state.skew().and_then(|skew| {
					let rate = math::funding_rate(
						skew,
						market.params.funding_skew_scale,
						market.params.max_funding_rate,
					)?;
					let increment = math::funding_increment(rate, info.price)?;
					Some((rate, market.state.funding_index.checked_add(&increment)?))
				});
				match next {
					Some((rate, index)) => {
						market.state.funding_rate = rate;
						market.state.funding_index = index;
					},
					None => {
						log::error!(
							target: LOG_TARGET,
							"funding of market {id} overflowed; not accrued this block",
						);
						market.state.funding_rate = FixedI128::zero();
					},
				}
			},
		}
		market.state != before
	}

	/// The funding `position` owes in `market` since its last settlement
	/// (positive: owed by the position), and moves its snapshot to the
	/// market's index. Moves no money.
	pub(crate) fn take_funding(
		position: &mut Position,
		market: &MarketInfo,
	) -> Result<SignedBalance, Error<T>> {
		let index = market.state.funding_index;
		let delta = index.checked_sub(&position.funding_index).ok_or(Error::<T>::Overflow)?;
		let owed = math::funding_owed(position.size, delta).ok_or(Error::<T>::Overflow)?;
		position.funding_index = index;
		Ok(owed)
	}

	/// Settles the accrued funding of every position of `account` against the
	/// pool, with the markets `priced` (in position order), moving each
	/// position's new funding snapshot through its market's aggregates.
	/// Returns, per market, whether its state changed, and the net cash
	/// credited to the collateral (positive: received).
	pub(crate) fn settle_all_funding(
		who: &T::AccountId,
		account: &mut AccountOf<T>,
		priced: &mut [Priced<T>],
	) -> Result<(Vec<bool>, SignedBalance), DispatchError> {
		let MarginAccount { collateral, positions, .. } = account;
		let mut changed = Vec::with_capacity(positions.len());
		let mut net: SignedBalance = 0;
		for (position, priced) in positions.iter_mut().zip(priced.iter_mut()) {
			let before = *position;
			let owed = Self::take_funding(position, &priced.market)?;
			if before.funding_index == position.funding_index {
				changed.push(false);
				continue;
			}
			Self::move_position(&mut priced.market.state, &before, position)?;
			changed.push(true);
			if owed.is_zero() {
				continue;
			}
			let cash = owed.checked_neg().ok_or(Error::<T>::Overflow)?;
			Self::settle_cash(priced.id, &mut priced.market, collateral, cash)?;
			net = net.checked_add(cash).ok_or(Error::<T>::Overflow)?;
			Self::deposit_event(Event::FundingSettled {
				who: who.clone(),
				market: priced.id,
				amount: owed,
			});
		}
		Ok((changed, net))
	}
}
