//! Pricing: the volatility surface (base volatility × skew + utilization
//! add-on), the Black–Scholes put spread with its early-exercise premium,
//! payoffs and the value of the open spreads.

use super::*;
use crate::math::{self, ONE};
use backstop_primitives::{Balance, OracleAssetId, Price, PriceInfo, PriceProvider};
use frame_support::pallet_prelude::*;
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{
	traits::{Saturating, UniqueSaturatedInto, Zero},
	FixedI128, FixedPointNumber, FixedU128, Perbill, Rounding,
};

/// A fixed-point value (18 decimals) as the `i128` the math works in.
pub(crate) fn to_fx(value: FixedU128) -> Option<i128> {
	i128::try_from(value.into_inner()).ok()
}

/// An `i128` fixed-point value as a `FixedU128` (negative values are zero).
pub(crate) fn from_fx(value: i128) -> FixedU128 {
	FixedU128::from_inner(value.max(0).unsigned_abs())
}

/// `size` millionths of the base asset at `price` per whole unit: an amount
/// in the settlement asset's smallest unit, rounded as asked.
pub(crate) fn amount_of(size: u128, price: FixedU128, rounding: Rounding) -> Option<Balance> {
	sp_runtime::helpers_128bit::multiply_by_rational_with_rounding(
		size,
		price.into_inner(),
		FixedU128::DIV,
		rounding,
	)
}

/// The payoff of one whole spread `K₁/K₂` at `price`:
/// `min(max(K₁ − price, 0), K₁ − K₂)`.
pub(crate) fn spread_payoff(strike_high: Price, strike_low: Price, price: Price) -> Price {
	strike_high.saturating_sub(price).min(strike_high.saturating_sub(strike_low))
}

impl<T: Config> Pallet<T> {
	/// The usable price of `asset`.
	pub(crate) fn price_of(asset: OracleAssetId) -> Result<PriceInfo<BlockNumberFor<T>>, Error<T>> {
		let info = T::Prices::price(asset).map_err(|_| Error::<T>::PriceUnavailable)?;
		ensure!(!info.ema.is_zero() && !info.price.is_zero(), Error::<T>::PriceUnavailable);
		Ok(info)
	}

	/// The base volatility: `vol_scale × (confidence + |spot − EMA| / EMA)`,
	/// clamped to `[vol_floor, vol_cap]`.
	pub(crate) fn base_vol(
		info: &PriceInfo<BlockNumberFor<T>>,
		params: &PricingParams,
	) -> FixedU128 {
		let divergence = FixedU128::checked_from_rational(
			info.price.into_inner().abs_diff(info.ema.into_inner()),
			info.ema.into_inner(),
		)
		.unwrap_or(params.vol_cap);
		let dispersion = FixedU128::from(info.confidence).saturating_add(divergence);
		params.vol_scale.saturating_mul(dispersion).clamp(params.vol_floor, params.vol_cap)
	}

	/// The skew multiplier at `log_moneyness`: linear interpolation between
	/// the curve's points, flat beyond its ends, one for an empty curve.
	pub(crate) fn skew_at(points: &[SkewPoint], log_moneyness: FixedI128) -> FixedU128 {
		let (Some(first), Some(last)) = (points.first(), points.last()) else {
			return FixedU128::one();
		};
		if log_moneyness <= first.log_moneyness {
			return first.multiplier;
		}
		if log_moneyness >= last.log_moneyness {
			return last.multiplier;
		}
		for pair in points.windows(2) {
			let (Some(a), Some(b)) = (pair.first(), pair.get(1)) else { continue };
			if log_moneyness <= b.log_moneyness {
				// m = m_a + (m_b − m_a)(x − x_a)/(x_b − x_a), in i128 fixed point.
				let x = log_moneyness.into_inner();
				let (xa, xb) = (a.log_moneyness.into_inner(), b.log_moneyness.into_inner());
				let (Some(ma), Some(mb)) = (to_fx(a.multiplier), to_fx(b.multiplier)) else {
					return a.multiplier.max(b.multiplier);
				};
				let value = mb
					.checked_sub(ma)
					.and_then(|dm| {
						math::mul(dm, math::div(x.checked_sub(xa)?, xb.checked_sub(xa)?)?)
					})
					.and_then(|delta| ma.checked_add(delta));
				return value.map(from_fx).unwrap_or(a.multiplier.max(b.multiplier));
			}
		}
		last.multiplier
	}

	/// The implied volatility at `strike` for spot `spot`:
	/// `min(base × skew(ln(K/S)) + slope × utilization, MaxVol)`.
	pub(crate) fn implied_vol(
		base: FixedU128,
		skew: &[SkewPoint],
		spot: i128,
		strike: i128,
		add_on: FixedU128,
	) -> Result<FixedU128, Error<T>> {
		let log_moneyness = math::ln(math::div(strike, spot).ok_or(Error::<T>::PricingFailed)?)
			.ok_or(Error::<T>::PricingFailed)?;
		let multiplier = Self::skew_at(skew, FixedI128::from_inner(log_moneyness));
		Ok(base.saturating_mul(multiplier).saturating_add(add_on).min(T::MaxVol::get()))
	}

	/// Years from now to `expiry` (zero once expired).
	pub(crate) fn years_to(expiry: BlockNumberFor<T>) -> Result<i128, Error<T>> {
		let blocks: u128 = expiry.saturating_sub(Self::now()).unique_saturated_into();
		let per_year = u128::from(T::BlocksPerYear::get().max(1));
		let years =
			FixedU128::checked_from_rational(blocks, per_year).ok_or(Error::<T>::PricingFailed)?;
		to_fx(years).ok_or(Error::<T>::PricingFailed)
	}

	/// Prices `size` spreads `K₁/K₂` on `asset` expiring at `expiry`, with
	/// `extra_collateral` of the vault's cash about to be locked by the
	/// trade (zero to value what is open).
	///
	/// `unit = clamp(P(S, K₁, σ₁) − P(S, K₂, σ₂), 0, K₁ − K₂)` at the EMA
	/// `S`, plus the early-exercise premium
	/// `p × max(0, (K₁ − K₂) − [P(K₂, K₁, σ₁) − P(K₂, K₂, σ₂)])` (the gain of
	/// exercising at intrinsic with the spot at the short strike, weighted
	/// by the governed probability `p` of the trigger), capped at `K₁ − K₂`.
	/// The premium is `size × unit`, rounded up.
	pub fn quote_spread(
		asset: OracleAssetId,
		strike_high: Price,
		strike_low: Price,
		expiry: BlockNumberFor<T>,
		size: u128,
		extra_collateral: Balance,
	) -> Result<Quote, DispatchError> {
		ensure!(strike_low < strike_high, Error::<T>::PricingFailed);
		let info = Self::price_of(asset)?;
		let params = Pricing::<T>::get();
		let skew = Skew::<T>::get();
		let vault = Vault::<T>::get();
		let locked_after = vault.locked.saturating_add(extra_collateral);
		let utilization = if vault.cash.is_zero() {
			Perbill::one()
		} else {
			Perbill::from_rational(locked_after.min(vault.cash), vault.cash)
		};
		let add_on = params.utilization_slope.saturating_mul(FixedU128::from(utilization));
		let base = Self::base_vol(&info, &params);
		let fail = || Error::<T>::PricingFailed;
		let spot = to_fx(info.ema).ok_or_else(fail)?;
		let k1 = to_fx(strike_high).ok_or_else(fail)?;
		let k2 = to_fx(strike_low).ok_or_else(fail)?;
		let years = Self::years_to(expiry)?;
		let iv_high = Self::implied_vol(base, &skew, spot, k1, add_on)?;
		let iv_low = if k2 > 0 {
			Self::implied_vol(base, &skew, spot, k2, add_on)?
		} else {
			FixedU128::zero()
		};
		let (v1, v2) = (to_fx(iv_high).ok_or_else(fail)?, to_fx(iv_low).ok_or_else(fail)?);
		let width = k1.checked_sub(k2).ok_or_else(fail)?;
		let spread = |s: i128| -> Option<i128> {
			let long = math::bs_put(s, k1, v1, years)?;
			let short = math::bs_put(s, k2, v2, years)?;
			Some(long.checked_sub(short)?.clamp(0, width))
		};
		let european = spread(spot).ok_or_else(fail)?;
		let early = if k2 > 0 && years > 0 {
			let gap = width.checked_sub(spread(k2).ok_or_else(fail)?).ok_or_else(fail)?.max(0);
			let p = i128::from(params.trigger_probability.deconstruct());
			math::mul(gap, p.checked_mul(ONE / 1_000_000).ok_or_else(fail)?).ok_or_else(fail)?
		} else {
			0
		};
		let unit = european.checked_add(early).ok_or_else(fail)?.min(width);
		let unit_premium = from_fx(unit);
		let premium = amount_of(size, unit_premium, Rounding::Up).ok_or_else(fail)?;
		let collateral = amount_of(size, from_fx(width), Rounding::Up).ok_or_else(fail)?;
		Ok(Quote {
			premium,
			unit_premium,
			unit_early_exercise: from_fx(early.min(unit)),
			base_vol: base,
			iv_high,
			iv_low,
			collateral,
			utilization,
		})
	}

	/// The price an early exercise is settled at: the higher of spot and
	/// EMA (a downward spike of either cannot raise the payout).
	pub(crate) fn exercise_price(info: &PriceInfo<BlockNumberFor<T>>) -> Price {
		info.price.max(info.ema)
	}

	/// The settlement price estimate of `series`: the average of the EMA
	/// samples of its settlement window, or the EMA now without samples.
	pub(crate) fn settlement_price(series: &Series<BlockNumberFor<T>>) -> Result<Price, Error<T>> {
		if series.twap_samples > 0 {
			let average = series.twap_sum / u128::from(series.twap_samples);
			if average > 0 {
				return Ok(FixedU128::from_inner(average));
			}
		}
		Ok(Self::price_of(series.asset)?.ema)
	}

	/// What the open spreads of `series` are worth to the fund now: at
	/// expiry (or within the settlement window) their payoff at the
	/// settlement price; before, the higher of the model value and the
	/// intrinsic value at the exercise price. Rounded up, at most the
	/// series' collateral.
	pub(crate) fn liability_of(
		series: &Series<BlockNumberFor<T>>,
	) -> Result<Balance, DispatchError> {
		if series.open.is_zero() {
			return Ok(Zero::zero());
		}
		let now = Self::now();
		let unit = if now.saturating_add(T::SettlementWindow::get()) >= series.expiry {
			spread_payoff(series.strike_high, series.strike_low, Self::settlement_price(series)?)
		} else {
			let info = Self::price_of(series.asset)?;
			let quote = Self::quote_spread(
				series.asset,
				series.strike_high,
				series.strike_low,
				series.expiry,
				0,
				0,
			)?;
			let intrinsic =
				spread_payoff(series.strike_high, series.strike_low, Self::exercise_price(&info));
			quote.unit_premium.max(intrinsic)
		};
		let value = amount_of(series.open, unit, Rounding::Up).ok_or(Error::<T>::PricingFailed)?;
		Ok(value.min(series.collateral))
	}

	/// The vault's net asset value: cash minus the value of every open
	/// series (rounded up each), never below `cash − locked`.
	pub(crate) fn nav_of(vault: &VaultState) -> Result<Balance, DispatchError> {
		let mut liabilities: Balance = Zero::zero();
		for (_, series) in SeriesOf::<T>::iter() {
			liabilities = liabilities
				.checked_add(Self::liability_of(&series)?)
				.ok_or(Error::<T>::Overflow)?;
		}
		Ok(vault.cash.saturating_sub(liabilities))
	}

	/// What the fund's open spreads on `asset` pay at `price` (rounded down).
	pub(crate) fn payout_at(asset: OracleAssetId, price: Price) -> Balance {
		SeriesOf::<T>::iter_values()
			.filter(|s| s.asset == asset)
			.map(|s| {
				amount_of(s.open, spread_payoff(s.strike_high, s.strike_low, price), Rounding::Down)
					.unwrap_or_default()
					.min(s.collateral)
			})
			.fold(Zero::zero(), |sum: Balance, x| sum.saturating_add(x))
	}
}
