//! Funding and the backstop premium: the per-block accrual of each market's
//! funding index from its skew and of its premium index from the rate the
//! backstop asks, and the lazy settlement of a position's accrued funding
//! against the pool and of its accrued premium for the stakers.

use super::*;
use crate::{health_impls::Priced, math};
use alloc::vec::Vec;
use backstop_primitives::{BackstopPremium, Balance, MarketId, SignedBalance};
use frame_support::pallet_prelude::*;
use sp_arithmetic::{
	traits::{CheckedAdd, CheckedSub, Zero},
	FixedI128, FixedU128,
};

/// The premium pricer's quote for one block (`BackstopPremium::quote`).
pub(crate) type PremiumQuote<T> = <<T as Config>::Premium as BackstopPremium>::Quote;

impl<T: Config> Pallet<T> {
	/// Accrues one block of funding and of the backstop premium in every
	/// market (bounded by `MaxMarkets`). Returns the weight used.
	pub(crate) fn accrue_funding() -> Weight {
		let markets: Vec<(MarketId, MarketInfo)> = Markets::<T>::iter().collect();
		let count = u32::try_from(markets.len()).unwrap_or(u32::MAX);
		// What every market's premium rate depends on, read once: pricing
		// stays linear in the number of markets.
		let quote = T::Premium::quote();
		for (id, mut market) in markets {
			if Self::accrue_market(id, &mut market, &quote) {
				Markets::<T>::insert(id, market);
			}
		}
		T::WeightInfo::on_initialize_funding(count)
	}

	/// Accrues one block of funding and of the backstop premium in `market`;
	/// returns whether it changed.
	///
	/// The funding rate is `clamp(skew / funding_skew_scale, −1, 1) ×
	/// max_funding_rate` of the price per block; the funding index grows by
	/// `rate × price`. The premium rate is what `T::Premium` asks for the
	/// market's volatility estimate (`confidence + |spot − EMA| / spot`);
	/// the premium index grows by `⌊rate × price⌋`. A halted or closed
	/// market, or one without a fresh price, accrues neither (both rates
	/// show zero): nothing is charged on a price nobody vouches for. An
	/// overflow of either index is logged and that index skips the block.
	pub(crate) fn accrue_market(
		id: MarketId,
		market: &mut MarketInfo,
		quote: &PremiumQuote<T>,
	) -> bool {
		let before = market.state;
		let fresh = if matches!(market.status, MarketStatus::Halted | MarketStatus::Closed) {
			None
		} else {
			Self::fresh_price(market.params.oracle_asset).ok()
		};
		match fresh {
			None => {
				market.state.funding_rate = FixedI128::zero();
				market.state.premium_rate = FixedU128::zero();
			},
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
				Self::accrue_premium(id, market, &info, quote);
			},
		}
		market.state != before
	}

	/// Accrues one block of the backstop premium in `market` at the fresh
	/// price `info`: `rate = T::Premium::premium_rate(quote, id, volatility)`,
	/// `premium_index += ⌊rate × price⌋`. On an overflow (of the volatility
	/// estimate or the index) it logs, shows a rate of zero and accrues
	/// nothing this block.
	fn accrue_premium(
		id: MarketId,
		market: &mut MarketInfo,
		info: &health_impls::PriceOf<T>,
		quote: &PremiumQuote<T>,
	) {
		let next = math::volatility_estimate(info.price, info.ema, info.confidence).and_then(
			|volatility| {
				let rate = T::Premium::premium_rate(quote, id, volatility);
				let increment = math::premium_increment(rate, info.price)?;
				Some((rate, market.state.premium_index.checked_add(&increment)?))
			},
		);
		match next {
			Some((rate, index)) => {
				market.state.premium_rate = rate;
				market.state.premium_index = index;
			},
			None => {
				log::error!(
					target: LOG_TARGET,
					"premium of market {id} overflowed; not accrued this block",
				);
				market.state.premium_rate = FixedU128::zero();
			},
		}
	}

	/// The backstop premium `position` owes in `market` since its last
	/// settlement, `⌈|size| × (index − snapshot)⌉`, and moves its snapshot to
	/// the market's index. Moves no money.
	pub(crate) fn take_premium(
		position: &mut Position,
		market: &MarketInfo,
	) -> Result<Balance, Error<T>> {
		let index = market.state.premium_index;
		let delta = index.checked_sub(&position.premium_index).ok_or(Error::<T>::Overflow)?;
		let owed = math::premium_owed(position.size, delta).ok_or(Error::<T>::Overflow)?;
		position.premium_index = index;
		Ok(owed)
	}

	/// Takes `owed` of backstop premium of `who`'s position in market `id`
	/// out of `collateral`, at most all of it, and holds it in the market's
	/// `pending_premium` for the stakers. Returns what was taken (deposits
	/// `PremiumSettled` when it is not zero).
	///
	/// The premium is junior to everything else an account owes: callers
	/// take it after losses, funding, fees and liquidation charges. What the
	/// collateral cannot pay is forgiven. That is never a loss to anyone:
	/// the premium is revenue the stakers have not yet earned in cash, and
	/// nobody paid it out on their behalf. It happens only where the
	/// protocol closes positions by force: a liquidation (full or partial),
	/// a final settlement, or deleveraging (which takes a profitable
	/// position's profit for a deficit, and must never stall on the premium
	/// of an account whose collateral is small beside its profit). Trades,
	/// takeovers and withdrawals require the premium in full (see
	/// [`Self::charge_premium_in_full`]).
	pub(crate) fn charge_premium(
		who: &T::AccountId,
		id: MarketId,
		market: &mut MarketInfo,
		collateral: &mut Balance,
		owed: Balance,
	) -> Result<Balance, Error<T>> {
		let charged = owed.min(*collateral);
		if charged.is_zero() {
			return Ok(0);
		}
		market.state.pending_premium =
			market.state.pending_premium.checked_add(charged).ok_or(Error::<T>::Overflow)?;
		// `charged <= collateral`.
		*collateral = collateral.saturating_sub(charged);
		Self::deposit_event(Event::PremiumSettled {
			who: who.clone(),
			market: id,
			amount: charged,
		});
		Ok(charged)
	}

	/// Takes `owed` of premium out of `collateral` as [`Self::charge_premium`]
	/// does, but in full: `InsufficientCollateral` when the collateral
	/// cannot pay it (callers run in a storage layer, so nothing is left
	/// changed). Returns `owed`.
	pub(crate) fn charge_premium_in_full(
		who: &T::AccountId,
		id: MarketId,
		market: &mut MarketInfo,
		collateral: &mut Balance,
		owed: Balance,
	) -> Result<Balance, Error<T>> {
		ensure!(owed <= *collateral, Error::<T>::InsufficientCollateral);
		Self::charge_premium(who, id, market, collateral, owed)
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

	/// `cash` (an operation's net change of collateral) less `premium` taken.
	pub(crate) fn less_premium(
		cash: SignedBalance,
		premium: Balance,
	) -> Result<SignedBalance, Error<T>> {
		SignedBalance::try_from(premium)
			.ok()
			.and_then(|premium| cash.checked_sub(premium))
			.ok_or(Error::<T>::Overflow)
	}

	/// Settles the accrued funding of every position of `account` against the
	/// pool, with the markets `priced` (in position order), moving each
	/// position's new funding snapshot through its market's aggregates, and
	/// then, once every position's funding is in, each position's accrued
	/// backstop premium for the stakers, in full (`InsufficientCollateral`
	/// otherwise: an account that keeps its positions is never forgiven
	/// premium). Returns, per market, whether its state changed, and the net
	/// cash credited to the collateral (positive: received; the premium
	/// taken counts as paid).
	pub(crate) fn settle_all_funding(
		who: &T::AccountId,
		account: &mut AccountOf<T>,
		priced: &mut [Priced<T>],
	) -> Result<(Vec<bool>, SignedBalance), DispatchError> {
		let MarginAccount { collateral, positions, .. } = account;
		let mut changed = Vec::with_capacity(positions.len());
		let mut premiums = Vec::with_capacity(positions.len());
		let mut net: SignedBalance = 0;
		for (position, priced) in positions.iter_mut().zip(priced.iter_mut()) {
			let before = *position;
			let owed = Self::take_funding(position, &priced.market)?;
			premiums.push(Self::take_premium(position, &priced.market)?);
			let moved = before.funding_index != position.funding_index;
			changed.push(moved || before.premium_index != position.premium_index);
			if moved {
				Self::move_position(&mut priced.market.state, &before, position)?;
			}
			if !owed.is_zero() {
				let cash = owed.checked_neg().ok_or(Error::<T>::Overflow)?;
				Self::settle_cash(priced.id, &mut priced.market, collateral, cash)?;
				net = net.checked_add(cash).ok_or(Error::<T>::Overflow)?;
				Self::deposit_event(Event::FundingSettled {
					who: who.clone(),
					market: priced.id,
					amount: owed,
				});
			}
		}
		// The premium after all funding (junior to it), whatever the order of
		// the positions.
		for (premium, priced) in premiums.into_iter().zip(priced.iter_mut()) {
			let charged = Self::charge_premium_in_full(
				who,
				priced.id,
				&mut priced.market,
				collateral,
				premium,
			)?;
			let charged = SignedBalance::try_from(charged).map_err(|_| Error::<T>::Overflow)?;
			net = net.checked_sub(charged).ok_or(Error::<T>::Overflow)?;
		}
		Ok((changed, net))
	}
}
