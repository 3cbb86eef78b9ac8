//! The counterparty pool and the markets it backs.
//!
//! The shared liquidity pool is the counterparty of every trade on this
//! chain: it pays traders' profits out of its cash and collects their losses.
//! Two traits connect it with the margin pallet without either depending on
//! the other:
//!
//! * [`LiquidityProvider`]: what a market asks of the pool (reserve cash
//!   against its open interest, pay a profit, hand over what it collected,
//!   accept a share of a bad debt as the pool's loss);
//! * [`CounterpartyExposure`]: what the pool reads from the markets to price
//!   its shares at net asset value (the traders' unrealized PnL against it
//!   and the money the markets hold for it).

use crate::{Balance, MarketId, PriceUnavailable, SignedBalance};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::pallet_prelude::DispatchError;
use scale_info::TypeInfo;
use sp_runtime::traits::Zero;

/// The shared liquidity pool as seen by this chain's perpetual markets.
///
/// The contract every implementation (and every mock) obeys:
///
/// * a profit is payable whenever the pool holds the cash: [`Self::pay`]
///   fails only when the pool's cash cannot cover it (or the market is not
///   registered), never because of how much the market "drew";
/// * a reservation can always be lowered; raising it is refused, with
///   nothing changed, when the market's credit cap or the pool's free cash
///   (cash neither reserved by a market nor needed for the buffer) cannot
///   bear it;
/// * [`Self::absorb_loss`] moves no money: it accepts a part of a market's
///   bad debt as the liquidity providers' loss, within the market's remaining
///   loss cap, and returns what it accepted (at most what it was offered).
pub trait LiquidityProvider<AccountId> {
	/// How much more cash `market` could have reserved now: the smaller of
	/// its unused credit cap and the pool's free cash.
	fn available(market: MarketId) -> Balance;

	/// Sets what the pool keeps reserved for `market` to its governed reserve
	/// factor of `open_interest` (the notional the market's open interest is
	/// worth). Lowering always succeeds; raising fails with nothing changed
	/// when the credit cap or the pool's free cash cannot bear it.
	fn reserve(market: MarketId, open_interest: Balance) -> Result<(), DispatchError>;

	/// Pays `amount` of traders' realised profit in `market` out of the
	/// pool's cash to `to`. Fails, with nothing moved, only when the pool's
	/// cash cannot pay it or the market is not registered.
	fn pay(market: MarketId, to: &AccountId, amount: Balance) -> Result<(), DispatchError>;

	/// Moves `amount` that `market` holds for the pool (traders' losses and
	/// funding, the LPs' share of fees, payments of the loss waterfall) from
	/// `from` into the pool.
	fn collect(market: MarketId, from: &AccountId, amount: Balance) -> Result<(), DispatchError>;

	/// Accepts up to `amount` of a bad debt in `market` as the pool's loss:
	/// what the market owed the pool is written off, within the market's
	/// remaining loss cap. No money moves. Returns what was accepted.
	fn absorb_loss(market: MarketId, amount: Balance) -> Balance;

	/// The most net unrealized profit the traders of `market` may hold
	/// against the pool (its governed max-PnL factor of what the market may
	/// use of the pool); `None` if the market is not registered.
	fn max_trader_pnl(market: MarketId) -> Option<Balance>;
}

/// No pool: no cash, nothing can be reserved or paid, nothing is absorbed;
/// zero amounts are accepted.
impl<AccountId> LiquidityProvider<AccountId> for () {
	fn available(_market: MarketId) -> Balance {
		Zero::zero()
	}
	fn reserve(_market: MarketId, open_interest: Balance) -> Result<(), DispatchError> {
		if open_interest.is_zero() {
			Ok(())
		} else {
			Err(DispatchError::Other("no liquidity provider"))
		}
	}
	fn pay(_market: MarketId, _to: &AccountId, amount: Balance) -> Result<(), DispatchError> {
		if amount.is_zero() {
			Ok(())
		} else {
			Err(DispatchError::Other("no liquidity provider"))
		}
	}
	fn collect(_market: MarketId, _from: &AccountId, amount: Balance) -> Result<(), DispatchError> {
		if amount.is_zero() {
			Ok(())
		} else {
			Err(DispatchError::Other("no liquidity provider"))
		}
	}
	fn absorb_loss(_market: MarketId, _amount: Balance) -> Balance {
		Zero::zero()
	}
	fn max_trader_pnl(_market: MarketId) -> Option<Balance> {
		None
	}
}

/// What the traders of one market (or of all markets) stand to take from, or
/// owe to, the counterparty pool right now, and what the market holds for the
/// pool.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Default,
	TypeInfo,
	MaxEncodedLen,
	serde::Serialize,
	serde::Deserialize,
)]
pub struct MarketExposure {
	/// The traders' net unrealized PnL at the current price minus the funding
	/// they have accrued and not yet settled: positive when the pool would
	/// owe the traders money if every position closed now.
	pub trader_pnl: SignedBalance,
	/// Money the market holds for the pool and has not yet handed over
	/// (realised losses, funding, the LPs' fee share, waterfall payments).
	pub receivable: Balance,
	/// Bad debt of the market that the loss waterfall left to
	/// auto-deleveraging. Until it is recovered from the profitable side the
	/// traders' PnL counts profits nobody will be paid, so the pool's net
	/// asset value understates it: the pool takes no deposit meanwhile (a
	/// depositor would buy shares below their value).
	pub deficit: Balance,
}

impl MarketExposure {
	/// The sum of two exposures; `None` on overflow.
	pub fn checked_add(&self, other: &Self) -> Option<Self> {
		Some(Self {
			trader_pnl: self.trader_pnl.checked_add(other.trader_pnl)?,
			receivable: self.receivable.checked_add(other.receivable)?,
			deficit: self.deficit.checked_add(other.deficit)?,
		})
	}
}

/// Read access to the markets' exposure against the counterparty pool, for
/// pricing the pool's shares at net asset value.
///
/// A market without a usable price cannot be valued: the pool must not price
/// deposits or withdrawals on a figure nobody vouches for, so the error is
/// passed on.
pub trait CounterpartyExposure {
	/// The exposure of `market`; zero for an unknown market.
	fn market_exposure(market: MarketId) -> Result<MarketExposure, PriceUnavailable>;

	/// The exposure summed over every market.
	fn total_exposure() -> Result<MarketExposure, PriceUnavailable>;
}

/// No markets: no exposure.
impl CounterpartyExposure for () {
	fn market_exposure(_market: MarketId) -> Result<MarketExposure, PriceUnavailable> {
		Ok(MarketExposure::default())
	}
	fn total_exposure() -> Result<MarketExposure, PriceUnavailable> {
		Ok(MarketExposure::default())
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn unit_liquidity_provider_has_no_cash() {
		type Lp = ();
		assert_eq!(<Lp as LiquidityProvider<u64>>::available(3), 0);
		assert!(<Lp as LiquidityProvider<u64>>::reserve(3, 1).is_err());
		assert!(<Lp as LiquidityProvider<u64>>::reserve(3, 0).is_ok());
		assert!(<Lp as LiquidityProvider<u64>>::pay(3, &1, 1).is_err());
		assert!(<Lp as LiquidityProvider<u64>>::pay(3, &1, 0).is_ok());
		assert!(<Lp as LiquidityProvider<u64>>::collect(3, &1, 1).is_err());
		assert!(<Lp as LiquidityProvider<u64>>::collect(3, &1, 0).is_ok());
		assert_eq!(<Lp as LiquidityProvider<u64>>::absorb_loss(3, 50), 0);
		assert_eq!(<Lp as LiquidityProvider<u64>>::max_trader_pnl(3), None);
	}

	#[test]
	fn unit_exposure_is_zero() {
		assert_eq!(<() as CounterpartyExposure>::market_exposure(1), Ok(MarketExposure::default()));
		assert_eq!(<() as CounterpartyExposure>::total_exposure(), Ok(MarketExposure::default()));
	}

	#[test]
	fn exposures_add_and_overflow_is_caught() {
		let a = MarketExposure { trader_pnl: -5, receivable: 7, deficit: 2 };
		let b = MarketExposure { trader_pnl: 8, receivable: 1, deficit: 0 };
		assert_eq!(
			a.checked_add(&b),
			Some(MarketExposure { trader_pnl: 3, receivable: 8, deficit: 2 })
		);
		let max = MarketExposure { trader_pnl: i128::MAX, ..Default::default() };
		assert_eq!(max.checked_add(&b), None);
	}
}
