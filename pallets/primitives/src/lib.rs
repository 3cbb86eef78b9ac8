#![doc = include_str!("../README.md")]
#![cfg_attr(not(feature = "std"), no_std)]
#![deny(missing_docs)]

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::pallet_prelude::DispatchError;
use scale_info::TypeInfo;
use sp_arithmetic::{FixedU128, Permill};
use sp_runtime::traits::Zero;

pub mod counterparty;
pub mod governance;
pub mod loss;
pub mod options;
pub mod units;

pub use counterparty::{CounterpartyExposure, LiquidityProvider, MarketExposure};
pub use governance::{Authority, Direction, EnsureAuthority};
pub use loss::{KeeperRewarder, LossAbsorber, LossTier};
pub use options::ProtectionBuyer;

/// Amounts of the settlement asset (and of the native token): plain integers
/// in the asset's smallest unit. The settlement stablecoin has
/// [`units::SETTLEMENT_DECIMALS`] decimals.
pub type Balance = u128;

/// Signed amounts of the settlement asset: profit and loss, funding, equity.
pub type SignedBalance = i128;

/// Identifies a perpetual market (and the insurance sub-fund and credit line
/// that belong to it).
pub type MarketId = u32;

/// Identifies a price feed in the oracle aggregator (BTC, ETH, ...).
pub type OracleAssetId = u32;

/// Identifies an asset in `pallet-assets` (the settlement stablecoin).
pub type AssetId = u32;

/// A price: whole settlement units (dollars) per one whole unit of the base
/// asset (65_000.0 for BTC). Position sizes are in millionths of the base
/// asset ([`units::BASE_UNIT`]), so `|size| × price` is a notional in the
/// settlement asset's smallest unit (micro-dollars).
pub type Price = FixedU128;

/// Why a consumer gets no usable price for an asset.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
	serde::Serialize,
	serde::Deserialize,
)]
pub enum PriceUnavailable {
	/// The asset is not known to the oracle.
	UnknownAsset,
	/// The asset is known but has never had an aggregate.
	NoPrice,
	/// Fewer fresh feeds than the asset's minimum: the last aggregate is not
	/// served as if it were current.
	Stale,
	/// A jump beyond the allowed deviation is being held for confirmation.
	CircuitBreakerHeld,
}

/// A usable price with the figures a risk engine needs beside it.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
	serde::Serialize,
	serde::Deserialize,
)]
pub struct PriceInfo<BlockNumber> {
	/// The spot aggregate (median of fresh feeds).
	pub price: Price,
	/// The exponential moving average of the aggregate: the mark price.
	pub ema: Price,
	/// Dispersion of the fresh feeds around the median (0 = unanimous).
	pub confidence: Permill,
	/// The block in which the aggregate was last computed.
	pub updated_at: BlockNumber,
	/// True when governance has frozen the price at this value.
	pub frozen: bool,
}

/// Read access to aggregated prices.
///
/// A provider never serves a stale value as if it were fresh: when it cannot
/// vouch for a price it says why through [`PriceUnavailable`], and consumers
/// stop every risk-increasing action.
pub trait PriceProvider<BlockNumber> {
	/// The current usable price of `asset`, or why there is none.
	fn price(asset: OracleAssetId) -> Result<PriceInfo<BlockNumber>, PriceUnavailable>;
}

/// No oracle: every asset is unknown.
impl<BlockNumber> PriceProvider<BlockNumber> for () {
	fn price(_asset: OracleAssetId) -> Result<PriceInfo<BlockNumber>, PriceUnavailable> {
		Err(PriceUnavailable::UnknownAsset)
	}
}

/// What a revenue payment is for; sinks may route each kind differently.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
pub enum RevenueKind {
	/// The penalty charged to a liquidated account.
	LiquidationPenalty,
	/// A share of trading fees.
	TradingFee,
	/// Insurance-fund surplus above its target.
	InsuranceSurplus,
	/// An unsolicited transfer to a pallet account (never counted by that
	/// pallet's ledger), swept by governance.
	Unsolicited,
	/// The backstop premium a market's traders pay on their open interest,
	/// for the stakers.
	BackstopPremium,
}

/// Somewhere revenue can be paid: the insurance fund, the stakers' reward pot.
pub trait RevenueSink<AccountId> {
	/// Moves `amount` of the settlement asset from `source` into the sink,
	/// booked against `market`. Returns the amount actually taken, which the
	/// caller must remove from its own ledger; anything not taken stays with
	/// `source`. An error means nothing was moved.
	fn receive(
		market: MarketId,
		kind: RevenueKind,
		source: &AccountId,
		amount: Balance,
	) -> Result<Balance, DispatchError>;
}

/// No sink: nothing is taken, the revenue stays where it is.
impl<AccountId> RevenueSink<AccountId> for () {
	fn receive(
		_market: MarketId,
		_kind: RevenueKind,
		_source: &AccountId,
		_amount: Balance,
	) -> Result<Balance, DispatchError> {
		Ok(Zero::zero())
	}
}

/// Read access to the risk the perpetual markets carry, for the backstop
/// tiers that size themselves against it (insurance target, staking coverage).
///
/// **Required capital** is a stressed value-at-risk of the open interest.
/// Each market has a governed stress move `s` (the adverse move of its asset
/// the backstop must survive) and a maintenance margin `mm`. A position that
/// sits at maintenance margin when its asset gaps by `s` against it leaves
/// `notional × (s − mm)⁺` of bad debt, so a market's stressed loss is
/// `down = long notional × (s − mm)⁺` in a crash and
/// `up = short notional × (s − mm)⁺` in a squeeze, and its required capital
/// is `max(down, up)`. In a stress, correlations go to one: every asset
/// moves the same way at once, nothing diversifies, and the total is
/// `max(Σ down, Σ up)` over the markets.
pub trait RiskExposure {
	/// Notional open interest of `market` at the current price.
	fn open_interest(market: MarketId) -> Balance;
	/// Notional open interest summed over all markets.
	fn total_open_interest() -> Balance;
	/// The stressed loss of `market` (see the trait's documentation), rounded
	/// up.
	fn required_capital(market: MarketId) -> Balance;
	/// The stressed loss of all markets moving together, rounded up.
	fn total_required_capital() -> Balance;
	/// The backstop premium all markets' traders accrue per block at the
	/// current rates and open interest, rounded down.
	fn premium_per_block() -> Balance;
}

/// No markets: no exposure.
impl RiskExposure for () {
	fn open_interest(_market: MarketId) -> Balance {
		Zero::zero()
	}
	fn total_open_interest() -> Balance {
		Zero::zero()
	}
	fn required_capital(_market: MarketId) -> Balance {
		Zero::zero()
	}
	fn total_required_capital() -> Balance {
		Zero::zero()
	}
	fn premium_per_block() -> Balance {
		Zero::zero()
	}
}

/// Prices the backstop: the premium rate a market's traders pay on their
/// notional open interest, set by whoever holds the backstop capital (the
/// staking backstop in the runtime) from its coverage of the required
/// capital and the market's volatility.
///
/// The rates of one block are priced in two steps, so that pricing `m`
/// markets costs O(m): [`BackstopPremium::quote`] reads once what every
/// market's rate depends on (the coverage, the governed curve), and
/// [`BackstopPremium::premium_rate`] prices each market from it.
pub trait BackstopPremium {
	/// What one block's rates depend on besides each market's volatility.
	type Quote;
	/// Reads the quote for the current block.
	fn quote() -> Self::Quote;
	/// The premium per block, as a fraction of notional, that `market` pays
	/// under `quote`. `volatility` is the market's volatility estimate: the
	/// oracle's confidence plus the relative spot/EMA divergence.
	fn premium_rate(quote: &Self::Quote, market: MarketId, volatility: FixedU128) -> FixedU128;
}

/// No backstop to pay: the premium is zero.
impl BackstopPremium for () {
	type Quote = ();
	fn quote() {}
	fn premium_rate(_quote: &(), _market: MarketId, _volatility: FixedU128) -> FixedU128 {
		FixedU128::zero()
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn unit_price_provider_knows_no_asset() {
		assert_eq!(<() as PriceProvider<u32>>::price(0), Err(PriceUnavailable::UnknownAsset));
	}

	#[test]
	fn unit_revenue_sink_takes_nothing() {
		assert_eq!(<() as RevenueSink<u64>>::receive(1, RevenueKind::TradingFee, &7, 500), Ok(0));
	}

	#[test]
	fn unit_risk_exposure_is_zero() {
		assert_eq!(<() as RiskExposure>::open_interest(1), 0);
		assert_eq!(<() as RiskExposure>::total_open_interest(), 0);
		assert_eq!(<() as RiskExposure>::required_capital(1), 0);
		assert_eq!(<() as RiskExposure>::total_required_capital(), 0);
		assert_eq!(<() as RiskExposure>::premium_per_block(), 0);
	}

	#[test]
	fn unit_backstop_premium_is_zero() {
		let volatility = FixedU128::from_rational(1, 10);
		<() as BackstopPremium>::quote();
		assert_eq!(<() as BackstopPremium>::premium_rate(&(), 1, volatility), FixedU128::zero());
	}
}
