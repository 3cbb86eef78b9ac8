//! Valuation of accounts at oracle prices: equity, requirements, health,
//! what can be withdrawn; the helpers behind the runtime API; the
//! `RiskExposure` the backstop tiers read.

use super::*;
use crate::math;
use alloc::vec::Vec;
use backstop_primitives::{
	Balance, LiquidityProvider, MarketId, OracleAssetId, PriceInfo, PriceProvider,
	PriceUnavailable, RiskExposure, SignedBalance,
};
use frame_support::traits::Get;
use frame_system::pallet_prelude::BlockNumberFor;
use pallet_margin_runtime_api::{
	AccountHealth, HealthError, MarketPremium, MarketSummary, PositionHealth,
};
use sp_arithmetic::traits::Saturating;
use sp_arithmetic::{
	traits::{CheckedSub, Zero},
	FixedI128, FixedPointNumber, FixedU128, Rounding,
};
use sp_runtime::SaturatedConversion;

/// A price as the oracle gives it.
pub(crate) type PriceOf<T> = PriceInfo<BlockNumberFor<T>>;

/// Why an account cannot be valued.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum ValuationError {
	/// A position's market does not exist.
	UnknownMarket(MarketId),
	/// A position's market has no usable price.
	Price(MarketId, PriceUnavailable),
	/// A figure overflowed.
	Overflow,
}

impl<T: Config> From<ValuationError> for Error<T> {
	fn from(error: ValuationError) -> Self {
		match error {
			ValuationError::UnknownMarket(_) => Error::<T>::UnknownMarket,
			ValuationError::Price(_, reason) => Pallet::<T>::price_error(reason),
			ValuationError::Overflow => Error::<T>::Overflow,
		}
	}
}

impl From<ValuationError> for HealthError {
	fn from(error: ValuationError) -> Self {
		match error {
			ValuationError::UnknownMarket(market) => HealthError::UnknownMarket(market),
			ValuationError::Price(market, reason) => {
				HealthError::PriceUnavailable { market, reason }
			},
			ValuationError::Overflow => HealthError::Overflow,
		}
	}
}

/// How a leg without a fresh price is valued.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Pricing {
	/// Every leg needs a fresh price: withdrawals, risk-increasing trades,
	/// the health the runtime API reports.
	Fresh,
	/// A leg whose market has no fresh price is marked at the last fresh
	/// price the pallet saw for it, moved against the position by the
	/// market's maintenance margin (down for a long, up for a short):
	/// liquidations, reducing trades, auto-deleveraging. A stale, held or
	/// missing price can then neither shield an account from liquidation
	/// nor flatter it, and blocks only risk-increasing actions.
	Conservative,
}

/// A market loaded together with the price its position is valued at.
#[derive(frame_support::CloneNoBound)]
pub(crate) struct Priced<T: Config> {
	/// The market id.
	pub id: MarketId,
	/// The market.
	pub market: MarketInfo,
	/// The fresh price, or (`live` false) the conservative mark.
	pub price: PriceOf<T>,
	/// Whether `price` is the oracle's fresh price.
	pub live: bool,
}

/// An account's figures, those of each position, and the markets priced.
pub(crate) type Valuation<T> = (AccountFigures, Vec<PositionFigures>, Vec<Priced<T>>);

/// The figures of one position at a price.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub(crate) struct PositionFigures {
	/// `|size| × price`, rounded up.
	pub notional: Balance,
	/// Value minus cost basis, rounded down.
	pub unrealized_pnl: i128,
	/// Funding owed since the last settlement (positive: owed by the
	/// position), rounded up.
	pub accrued_funding: i128,
	/// Backstop premium owed since the last settlement, rounded up.
	pub accrued_premium: Balance,
	/// The initial margin fraction in force.
	pub initial_fraction: FixedU128,
	/// Initial requirement, rounded up.
	pub initial: Balance,
	/// Maintenance requirement, rounded up.
	pub maintenance: Balance,
}

/// The figures of an account at prices.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub(crate) struct AccountFigures {
	/// Settled collateral.
	pub collateral: Balance,
	/// Sum of unrealised PnL.
	pub unrealized_pnl: i128,
	/// Sum of accrued funding (positive: owed).
	pub accrued_funding: i128,
	/// Sum of accrued backstop premium (owed).
	pub accrued_premium: Balance,
	/// `collateral + unrealized_pnl − accrued_funding − accrued_premium`.
	pub equity: i128,
	/// Sum of initial requirements.
	pub initial: Balance,
	/// Sum of maintenance requirements.
	pub maintenance: Balance,
	/// Number of positions.
	pub positions: u32,
}

/// `equity < requirement`, across the signed/unsigned divide.
pub(crate) fn falls_short(equity: i128, requirement: Balance) -> bool {
	equity < 0 || equity.unsigned_abs() < requirement
}

impl AccountFigures {
	/// Liquidatable: at least one position and equity below the maintenance
	/// requirement.
	pub fn liquidatable(&self) -> bool {
		self.positions > 0 && falls_short(self.equity, self.maintenance)
	}

	/// Equity at or above `requirement`.
	pub fn covers(&self, requirement: Balance) -> bool {
		!falls_short(self.equity, requirement)
	}
}

impl<T: Config> Pallet<T> {
	/// The fresh price of `asset`; a zero price counts as no price.
	pub(crate) fn fresh_price(asset: OracleAssetId) -> Result<PriceOf<T>, PriceUnavailable> {
		let info = T::PriceProvider::price(asset)?;
		if info.price.is_zero() {
			return Err(PriceUnavailable::NoPrice);
		}
		Ok(info)
	}

	/// The pallet error for a missing price.
	pub(crate) fn price_error(reason: PriceUnavailable) -> Error<T> {
		match reason {
			PriceUnavailable::Stale => Error::<T>::PriceStale,
			PriceUnavailable::CircuitBreakerHeld => Error::<T>::PriceHeld,
			PriceUnavailable::UnknownAsset | PriceUnavailable::NoPrice => {
				Error::<T>::PriceUnavailable
			},
		}
	}

	/// Loads the market and a price of each position of `account`, in
	/// position order: the fresh price, or under [`Pricing::Conservative`]
	/// the conservative mark when there is none (still an error when the
	/// pallet never saw a price for the market). A market equal to
	/// `overriding`'s is taken from it, not from storage.
	pub(crate) fn load_markets(
		account: &AccountOf<T>,
		overriding: Option<&Priced<T>>,
		pricing: Pricing,
	) -> Result<Vec<Priced<T>>, ValuationError> {
		let mut loaded = Vec::with_capacity(account.positions.len());
		for position in account.positions.iter() {
			let id = position.market;
			match overriding {
				Some(priced) if priced.id == id => loaded.push(priced.clone()),
				_ => {
					let market = Markets::<T>::get(id).ok_or(ValuationError::UnknownMarket(id))?;
					match Self::fresh_price(market.params.oracle_asset) {
						Ok(price) => loaded.push(Priced { id, market, price, live: true }),
						Err(reason) => {
							let mark = (pricing == Pricing::Conservative)
								.then(|| Self::conservative_mark(&market, position.size))
								.flatten()
								.ok_or(ValuationError::Price(id, reason))?;
							loaded.push(Priced { id, market, price: mark, live: false });
						},
					}
				},
			}
		}
		Ok(loaded)
	}

	/// The conservative mark of a position of `size` in `market` without a
	/// fresh price: its last fresh price moved against the position by the
	/// maintenance margin (`None` when the pallet never saw a price).
	pub(crate) fn conservative_mark(market: &MarketInfo, size: i128) -> Option<PriceOf<T>> {
		let last = market.state.last_price;
		if last.is_zero() {
			return None;
		}
		let shift = last.saturating_mul(math::permill_to_fixed(market.params.maintenance_margin));
		let price = if size >= 0 { last.saturating_sub(shift) } else { last.saturating_add(shift) };
		Some(PriceInfo {
			price,
			ema: price,
			confidence: Default::default(),
			updated_at: Default::default(),
			frozen: false,
		})
	}

	/// The initial margin fraction of `market` at `price`: base plus the
	/// open-interest and volatility add-ons, at most 100%.
	pub(crate) fn initial_fraction(market: &MarketInfo, price: &PriceOf<T>) -> Option<FixedU128> {
		let params = &market.params;
		let open_interest =
			math::notional(market.state.open_interest()?, price.price, Rounding::Up)?;
		let oi_addon = math::open_interest_addon(
			open_interest,
			params.open_interest_lower_cap,
			params.open_interest_upper_cap,
			math::permill_to_fixed(params.initial_margin),
		)?;
		let volatility_addon = math::volatility_addon(
			price.price,
			price.ema,
			price.confidence,
			params.volatility_multiplier,
			params.volatility_cap,
		)?;
		Some(math::initial_margin_fraction(params.initial_margin, oi_addon, volatility_addon))
	}

	/// The figures of `position` in `priced`.
	pub(crate) fn position_figures(
		position: &Position,
		priced: &Priced<T>,
	) -> Option<PositionFigures> {
		let price = priced.price.price;
		let size_abs = position.size.unsigned_abs();
		let notional = math::notional(size_abs, price, Rounding::Up)?;
		let (unrealized_pnl, _) = math::realize(position.size, position.cost, size_abs, price)?;
		let delta = priced.market.state.funding_index.checked_sub(&position.funding_index)?;
		let accrued_funding = math::funding_owed(position.size, delta)?;
		let premium_delta =
			priced.market.state.premium_index.checked_sub(&position.premium_index)?;
		let accrued_premium = math::premium_owed(position.size, premium_delta)?;
		let initial_fraction = Self::initial_fraction(&priced.market, &priced.price)?;
		let initial = math::requirement(notional, initial_fraction)?;
		let maintenance =
			math::permill_of(notional, priced.market.params.maintenance_margin, Rounding::Up)?;
		Some(PositionFigures {
			notional,
			unrealized_pnl,
			accrued_funding,
			accrued_premium,
			initial_fraction,
			initial,
			maintenance,
		})
	}

	/// The figures of `account` with its markets `priced` (as given by
	/// [`Self::load_markets`]), and those of each position.
	pub(crate) fn account_figures(
		account: &AccountOf<T>,
		priced: &[Priced<T>],
	) -> Result<(AccountFigures, Vec<PositionFigures>), ValuationError> {
		let overflow = ValuationError::Overflow;
		let mut figures = AccountFigures {
			collateral: account.collateral,
			equity: i128::try_from(account.collateral).map_err(|_| overflow)?,
			..Default::default()
		};
		let mut each = Vec::with_capacity(account.positions.len());
		for (position, priced) in account.positions.iter().zip(priced.iter()) {
			let f = Self::position_figures(position, priced).ok_or(overflow)?;
			figures.unrealized_pnl =
				figures.unrealized_pnl.checked_add(f.unrealized_pnl).ok_or(overflow)?;
			figures.accrued_funding =
				figures.accrued_funding.checked_add(f.accrued_funding).ok_or(overflow)?;
			figures.accrued_premium =
				figures.accrued_premium.checked_add(f.accrued_premium).ok_or(overflow)?;
			figures.initial = figures.initial.checked_add(f.initial).ok_or(overflow)?;
			figures.maintenance = figures.maintenance.checked_add(f.maintenance).ok_or(overflow)?;
			figures.positions = figures.positions.saturating_add(1);
			each.push(f);
		}
		let premium = i128::try_from(figures.accrued_premium).map_err(|_| overflow)?;
		figures.equity = figures
			.equity
			.checked_add(figures.unrealized_pnl)
			.and_then(|e| e.checked_sub(figures.accrued_funding))
			.and_then(|e| e.checked_sub(premium))
			.ok_or(overflow)?;
		Ok((figures, each))
	}

	/// Loads and values `account`.
	pub(crate) fn value_account(
		account: &AccountOf<T>,
		overriding: Option<&Priced<T>>,
		pricing: Pricing,
	) -> Result<Valuation<T>, ValuationError> {
		let priced = Self::load_markets(account, overriding, pricing)?;
		let (figures, each) = Self::account_figures(account, &priced)?;
		Ok((figures, each, priced))
	}

	/// Gross open interest of `market` valued at the fresh price, or at the
	/// last fresh price the pallet saw when the oracle has none now; rounded
	/// up, saturating at `Balance::MAX`.
	pub fn open_interest_notional(market: &MarketInfo) -> Balance {
		let price = Self::exposure_price(market);
		market
			.state
			.open_interest()
			.and_then(|oi| math::notional(oi, price, Rounding::Up))
			.unwrap_or(Balance::MAX)
	}

	/// Runtime API: equity, requirements, health and per-position figures of
	/// `who` at the current oracle prices.
	pub fn account_health(who: &T::AccountId) -> Result<AccountHealth, HealthError> {
		let account = Accounts::<T>::get(who).ok_or(HealthError::NoAccount)?;
		let (figures, each, priced) = Self::value_account(&account, None, Pricing::Fresh)?;
		let maintenance =
			SignedBalance::try_from(figures.maintenance).map_err(|_| HealthError::Overflow)?;
		let excess = figures.equity.checked_sub(maintenance).ok_or(HealthError::Overflow)?;
		let positions = account
			.positions
			.iter()
			.zip(priced.iter())
			.zip(each.iter())
			.map(|((position, priced), f)| PositionHealth {
				market: position.market,
				size: position.size,
				entry_price: math::entry_price(position.cost, position.size).unwrap_or_default(),
				price: priced.price.price,
				notional: f.notional,
				unrealized_pnl: f.unrealized_pnl,
				accrued_funding: f.accrued_funding,
				accrued_premium: f.accrued_premium,
				initial_margin_fraction: f.initial_fraction,
				initial_requirement: f.initial,
				maintenance_requirement: f.maintenance,
				liquidation_price: math::liquidation_price(
					priced.price.price,
					position.size,
					excess,
					priced.market.params.maintenance_margin,
				),
			})
			.collect();
		let health = if figures.maintenance.is_zero() {
			None
		} else {
			FixedI128::checked_from_rational(figures.equity, figures.maintenance)
		};
		Ok(AccountHealth {
			collateral: figures.collateral,
			unrealized_pnl: figures.unrealized_pnl,
			accrued_funding: figures.accrued_funding,
			accrued_premium: figures.accrued_premium,
			equity: figures.equity,
			initial_requirement: figures.initial,
			maintenance_requirement: figures.maintenance,
			health,
			liquidatable: figures.liquidatable(),
			positions,
		})
	}

	/// Runtime API: whether `who` can be liquidated now (an unknown account
	/// cannot), valued as `liquidate` values it (a leg without a fresh price
	/// at its conservative mark).
	pub fn is_liquidatable(who: &T::AccountId) -> Result<bool, HealthError> {
		let Some(account) = Accounts::<T>::get(who) else { return Ok(false) };
		if account.positions.is_empty() {
			return Ok(false);
		}
		let (figures, _, _) = Self::value_account(&account, None, Pricing::Conservative)?;
		Ok(figures.liquidatable())
	}

	/// Runtime API: parameters, status and state of `market`, with the
	/// traders' net PnL against the pool and the pool's max-PnL cap.
	pub fn market_summary(market: MarketId) -> Option<MarketSummary<MarketParams>> {
		let info = Markets::<T>::get(market)?;
		let trader_pnl = Self::market_trader_pnl(&info).ok().flatten();
		let max_trader_pnl = T::Liquidity::max_trader_pnl(market);
		let pnl_cap_exceeded = match (trader_pnl, max_trader_pnl) {
			(Some(pnl), Some(max)) => pnl > 0 && pnl.unsigned_abs() > max,
			_ => false,
		};
		Some(MarketSummary {
			market,
			params: info.params,
			status: info.status,
			state: info.state,
			skew: info.state.skew().unwrap_or_default(),
			open_interest_notional: Self::open_interest_notional(&info),
			trader_pnl,
			max_trader_pnl,
			pnl_cap_exceeded,
		})
	}

	/// Runtime API: what `who` may withdraw now and the profit still
	/// maturing, as `withdraw` would see it after settling the account's
	/// funding and backstop premium (computed without settling anything).
	pub fn withdrawable(who: &T::AccountId) -> Result<Withdrawable, HealthError> {
		let mut account = Accounts::<T>::get(who).ok_or(HealthError::NoAccount)?;
		let (figures, _, _) = Self::value_account(&account, None, Pricing::Fresh)?;
		let premium = i128::try_from(figures.accrued_premium).map_err(|_| HealthError::Overflow)?;
		let owed = figures.accrued_funding.checked_add(premium).ok_or(HealthError::Overflow)?;
		let collateral = i128::try_from(figures.collateral)
			.ok()
			.and_then(|c| c.checked_sub(owed))
			.ok_or(HealthError::Overflow)?;
		// Funding and premium the collateral cannot pay leave nothing to
		// withdraw.
		let settled = u128::try_from(collateral).unwrap_or_default();
		account.collateral = settled;
		let received = owed.checked_neg().ok_or(HealthError::Overflow)?;
		let now = Self::now();
		let _ = account.maturing.apply(received, settled, now, &ProfitWarmupConfig::<T>::get());
		let locked = account.maturing.locked_at(now);
		let withdrawable = if figures.equity < 0 {
			0
		} else {
			Self::withdrawable_amount(settled, locked, figures.unrealized_pnl, figures.initial)
		};
		Ok(Withdrawable {
			collateral: settled,
			withdrawable,
			maturing: locked,
			matures_at: (!locked.is_zero()).then(|| account.maturing.end.saturated_into()),
		})
	}

	/// The price `market`'s exposure is valued at: the oracle's fresh price,
	/// or the last fresh price the pallet saw while the oracle has none.
	fn exposure_price(market: &MarketInfo) -> backstop_primitives::Price {
		Self::fresh_price(market.params.oracle_asset)
			.map(|info| info.price)
			.unwrap_or(market.state.last_price)
	}

	/// The notional of each side of `market`'s open interest, at the price
	/// [`Self::open_interest_notional`] uses, rounded up and saturating.
	fn side_notionals(market: &MarketInfo) -> (Balance, Balance) {
		let price = Self::exposure_price(market);
		let side = |size| math::notional(size, price, Rounding::Up).unwrap_or(Balance::MAX);
		(side(market.state.long_open_interest), side(market.state.short_open_interest))
	}

	/// The stressed losses of `market` (id `id`) in a crash and in a squeeze:
	/// `(long notional × (s − mm)⁺, short notional × (s − mm)⁺)`, each
	/// rounded up and saturating, with `s` its stress move and `mm` its
	/// maintenance margin.
	pub fn stressed_losses(id: MarketId, market: &MarketInfo) -> (Balance, Balance) {
		let stress = StressMoves::<T>::get(id);
		let maintenance = market.params.maintenance_margin;
		let (long, short) = Self::side_notionals(market);
		let loss =
			|notional| math::stressed_loss(notional, stress, maintenance).unwrap_or(Balance::MAX);
		(loss(long), loss(short))
	}

	/// The stressed required capital of `market`: the larger of its losses
	/// in a crash and in a squeeze.
	pub fn market_required_capital(id: MarketId, market: &MarketInfo) -> Balance {
		let (down, up) = Self::stressed_losses(id, market);
		down.max(up)
	}

	/// The stressed required capital of all markets moving together
	/// (correlations at one): `max(Σ down, Σ up)`, saturating.
	pub fn all_required_capital() -> Balance {
		let (down, up) =
			Markets::<T>::iter().fold((0, 0), |(down, up): (Balance, Balance), (id, info)| {
				let (d, u) = Self::stressed_losses(id, &info);
				(down.saturating_add(d), up.saturating_add(u))
			});
		down.max(up)
	}

	/// What `market` accrues of backstop premium per block at its stored
	/// rate: `⌊open interest notional × premium_rate⌋`, saturating.
	pub fn market_premium_per_block(market: &MarketInfo) -> Balance {
		math::fraction_of(
			Self::open_interest_notional(market),
			market.state.premium_rate,
			Rounding::Down,
		)
		.unwrap_or(Balance::MAX)
	}

	/// Runtime API: the backstop premium of `market` with its stress move
	/// and required capital.
	pub fn market_premium(market: MarketId) -> Option<MarketPremium> {
		let info = Markets::<T>::get(market)?;
		let state = &info.state;
		let volatility = Self::fresh_price(info.params.oracle_asset)
			.ok()
			.and_then(|p| math::volatility_estimate(p.price, p.ema, p.confidence));
		Some(MarketPremium {
			rate_per_block: state.premium_rate,
			annual_rate: state
				.premium_rate
				.saturating_mul(FixedU128::saturating_from_integer(T::BlocksPerYear::get())),
			volatility,
			premium_index: state.premium_index,
			pending_premium: state.pending_premium,
			stress_move: StressMoves::<T>::get(market),
			required_capital: Self::market_required_capital(market, &info),
		})
	}

	/// Runtime API: every market id, ascending.
	pub fn market_ids() -> Vec<MarketId> {
		let mut ids: Vec<MarketId> = Markets::<T>::iter_keys().collect();
		ids.sort_unstable();
		ids
	}
}

/// Open interest is gross (long plus short sizes) valued at the oracle price,
/// or at the last fresh price the pallet saw while the oracle has none; the
/// required capital values each side at the same price, and the premium per
/// block uses each market's stored rate of its last accrual (no call into
/// the pricer). Figures saturate at `Balance::MAX` rather than fail.
impl<T: Config> RiskExposure for Pallet<T> {
	fn open_interest(market: MarketId) -> Balance {
		Markets::<T>::get(market).map(|info| Self::open_interest_notional(&info)).unwrap_or(0)
	}

	fn total_open_interest() -> Balance {
		Markets::<T>::iter_values().fold(0, |total: Balance, info| {
			total.saturating_add(Self::open_interest_notional(&info))
		})
	}

	fn required_capital(market: MarketId) -> Balance {
		Markets::<T>::get(market)
			.map(|info| Self::market_required_capital(market, &info))
			.unwrap_or(0)
	}

	fn total_required_capital() -> Balance {
		Self::all_required_capital()
	}

	fn premium_per_block() -> Balance {
		Markets::<T>::iter_values().fold(0, |total: Balance, info| {
			total.saturating_add(Self::market_premium_per_block(&info))
		})
	}
}
