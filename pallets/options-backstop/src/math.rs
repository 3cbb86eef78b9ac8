//! Fixed-point transcendental functions and the Black–Scholes put, with no
//! floating point.
//!
//! Every number here is an `i128` fixed-point value with 18 decimals: the
//! real number `x` is stored as `round(x × 10¹⁸)` (the inner value of a
//! `FixedI128`/`FixedU128`). Every function returns `None` instead of
//! overflowing; the pricing code maps `None` to `Error::PricingFailed`.
//!
//! Precision (absolute, on the real value, checked against `libm`'s `f64`
//! functions in the tests):
//!
//! | function | method | error |
//! | --- | --- | --- |
//! | [`exp`] | `x = k·ln 2 + r`, `|r| ≤ ln 2 / 2`, Taylor series of `eʳ` to the last non-zero term, then a shift by `k` | ≤ 2·10⁻¹⁷ relative plus 10⁻¹⁸ absolute; 0 below `−42` (true value < 6·10⁻¹⁹) |
//! | [`ln`] | `x = m·2ᵏ`, `m ∈ [1, 2)`, `ln m = 2·atanh((m−1)/(m+1))` series | ≤ 10⁻¹⁶ |
//! | [`sqrt`] | integer square root of `x·10¹⁸` (Newton; for `x > 3.4·10²⁰` of `x·10ᵏ`, `k` the largest even power that fits) | rounded down: ≤ 10⁻¹⁸ absolute (relative 10⁻¹⁸ for large `x`) |
//! | [`norm_cdf`] | `N(x) = erfc(−x/√2)/2`; `erfc` by the Maclaurin series of `erf` for `z < 2.5` and by its continued fraction (40 terms) for `z ≥ 2.5`; 0/1 beyond `|x| > 38` | ≤ 5·10⁻¹⁷ absolute (so ≤ 10⁻⁸ relative in the lower tail down to `N(−6)`) |
//! | [`bs_put`] | `P = K·N(−d₂) − S·N(−d₁)` at a zero rate, clamped to `[max(K − S, 0), K]` | ≤ 10⁻¹⁵ × (S + K) |

use sp_arithmetic::{helpers_128bit::multiply_by_rational_with_rounding, Rounding};

/// The fixed-point one: 10¹⁸.
pub const ONE: i128 = 1_000_000_000_000_000_000;
/// `ln 2` at 18 decimals (0.693147180559945309417…).
pub const LN2: i128 = 693_147_180_559_945_309;
/// `√2` at 18 decimals (1.414213562373095048801…).
pub const SQRT2: i128 = 1_414_213_562_373_095_049;
/// `√π` at 18 decimals (1.772453850905516027298…).
pub const SQRT_PI: i128 = 1_772_453_850_905_516_027;
/// `2/√π` at 18 decimals (1.128379167095512573896…).
pub const TWO_OVER_SQRT_PI: i128 = 1_128_379_167_095_512_574;

/// `a × b`, rounded to nearest.
pub fn mul(a: i128, b: i128) -> Option<i128> {
	let negative = (a < 0) != (b < 0);
	let abs = multiply_by_rational_with_rounding(
		a.unsigned_abs(),
		b.unsigned_abs(),
		ONE.unsigned_abs(),
		Rounding::NearestPrefDown,
	)?;
	signed(abs, negative)
}

/// `a / b`, rounded to nearest; `None` for `b = 0`.
pub fn div(a: i128, b: i128) -> Option<i128> {
	if b == 0 {
		return None;
	}
	let negative = (a < 0) != (b < 0);
	let abs = multiply_by_rational_with_rounding(
		a.unsigned_abs(),
		ONE.unsigned_abs(),
		b.unsigned_abs(),
		Rounding::NearestPrefDown,
	)?;
	signed(abs, negative)
}

fn signed(abs: u128, negative: bool) -> Option<i128> {
	let value = i128::try_from(abs).ok()?;
	Some(if negative { value.checked_neg()? } else { value })
}

/// `eˣ`. `None` above `x = 80` (the result would not fit).
pub fn exp(x: i128) -> Option<i128> {
	if x < -42 * ONE {
		return Some(0);
	}
	if x > 80 * ONE {
		return None;
	}
	// k = round(x / ln 2), r = x − k·ln 2 with |r| ≤ ln 2 / 2.
	let k = div(x, LN2)?.checked_add(ONE / 2)?.div_euclid(ONE);
	let r = x.checked_sub(k.checked_mul(LN2)?)?;
	let mut sum = ONE;
	let mut term = ONE;
	for n in 1..=40i128 {
		term = mul(term, r)?.checked_div(n)?;
		if term == 0 {
			break;
		}
		sum = sum.checked_add(term)?;
	}
	if k >= 0 {
		let shift = u32::try_from(k).ok()?;
		sum.checked_mul(1i128.checked_shl(shift)?)
	} else {
		let shift = u32::try_from(k.checked_neg()?).ok()?;
		if shift >= 127 {
			return Some(0);
		}
		// Rounded to nearest.
		let half = 1i128 << (shift - 1).min(126);
		Some(sum.checked_add(if shift == 0 { 0 } else { half })? >> shift)
	}
}

/// `ln x` for `x > 0`; `None` otherwise.
pub fn ln(x: i128) -> Option<i128> {
	if x <= 0 {
		return None;
	}
	let mut m = x;
	let mut k: i128 = 0;
	while m >= 2 * ONE {
		m >>= 1;
		k = k.checked_add(1)?;
	}
	while m < ONE {
		m = m.checked_shl(1)?;
		k = k.checked_sub(1)?;
	}
	// z = (m − 1)/(m + 1) ∈ [0, 1/3); ln m = 2 (z + z³/3 + z⁵/5 + …).
	let z = div(m.checked_sub(ONE)?, m.checked_add(ONE)?)?;
	let z2 = mul(z, z)?;
	let mut power = z;
	let mut sum = 0i128;
	for n in 0..60i128 {
		let term = power.checked_div(n.checked_mul(2)?.checked_add(1)?)?;
		if term == 0 {
			break;
		}
		sum = sum.checked_add(term)?;
		power = mul(power, z2)?;
	}
	sum.checked_mul(2)?.checked_add(k.checked_mul(LN2)?)
}

/// `√x` for `x ≥ 0`, rounded down; `None` for `x < 0`.
pub fn sqrt(x: i128) -> Option<i128> {
	let x = u128::try_from(x).ok()?;
	// √x_real = √(x_inner · 10¹⁸) / 10¹⁸ · 10¹⁸: scale by the largest even
	// power 10ᵏ (k ≤ 18) that fits, then multiply by 10^((18 − k)/2).
	let mut k: u32 = 18;
	loop {
		if let Some(scaled) = x.checked_mul(10u128.checked_pow(k)?) {
			let root = isqrt(scaled).checked_mul(10u128.checked_pow((18 - k) / 2)?)?;
			return i128::try_from(root).ok();
		}
		k = k.checked_sub(2)?;
	}
}

/// The integer square root, rounded down (Newton's method).
fn isqrt(n: u128) -> u128 {
	if n < 2 {
		return n;
	}
	let bits = 128 - n.leading_zeros();
	let mut x = 1u128 << bits.div_ceil(2).min(127);
	loop {
		let y = (x + n / x) >> 1;
		if y >= x {
			return x;
		}
		x = y;
	}
}

/// `erfc z` for `z ≥ 0`.
fn erfc_non_negative(z: i128) -> Option<i128> {
	if z >= 27 * ONE {
		return Some(0);
	}
	if z < 5 * ONE / 2 {
		// erf z = 2/√π Σ (−1)ⁿ z²ⁿ⁺¹ / (n! (2n+1)).
		let z2 = mul(z, z)?;
		let mut power = z; // (−1)ⁿ z²ⁿ⁺¹ / n!
		let mut sum = 0i128;
		for n in 0..120i128 {
			let term = power.checked_div(n.checked_mul(2)?.checked_add(1)?)?;
			if term == 0 && n > 0 {
				break;
			}
			sum = sum.checked_add(term)?;
			power = mul(power, z2)?.checked_neg()?.checked_div(n.checked_add(1)?)?;
		}
		let erf = mul(sum, TWO_OVER_SQRT_PI)?;
		Some(ONE.checked_sub(erf)?.clamp(0, 2 * ONE))
	} else {
		// erfc z = e^(−z²)/√π · 1/(z + (1/2)/(z + 1/(z + (3/2)/(z + …)))).
		let mut f = z;
		for k in (1..=40i128).rev() {
			f = z.checked_add(div(k.checked_mul(ONE / 2)?, f)?)?;
		}
		let e = exp(mul(z, z)?.checked_neg()?)?;
		div(e, mul(f, SQRT_PI)?)
	}
}

/// The standard normal cumulative distribution function `N(x)`.
pub fn norm_cdf(x: i128) -> Option<i128> {
	if x > 38 * ONE {
		return Some(ONE);
	}
	if x < -38 * ONE {
		return Some(0);
	}
	// N(x) = erfc(−x/√2)/2; for x > 0 use N(x) = 1 − N(−x).
	let tail = erfc_non_negative(div(x.checked_abs()?, SQRT2)?)?.checked_div(2)?;
	Some(if x < 0 { tail } else { ONE.checked_sub(tail)? })
}

/// The Black–Scholes value of a European put at a zero interest rate:
/// `P = K·N(−d₂) − S·N(−d₁)`, `d₁ = (ln(S/K) + σ²t/2)/(σ√t)`,
/// `d₂ = d₁ − σ√t`. `spot` and `strike` in price units, `vol` the yearly
/// volatility, `years` the time to expiry. At `t = 0` or `σ = 0` (and for a
/// zero strike) the value is the intrinsic value `max(K − S, 0)`. The
/// result is clamped to `[max(K − S, 0), K]`, the no-arbitrage bounds of a
/// put at a zero rate.
pub fn bs_put(spot: i128, strike: i128, vol: i128, years: i128) -> Option<i128> {
	if spot <= 0 || strike < 0 || vol < 0 || years < 0 {
		return None;
	}
	let intrinsic = strike.checked_sub(spot)?.max(0);
	if strike == 0 || vol == 0 || years == 0 {
		return Some(intrinsic);
	}
	let vst = mul(vol, sqrt(years)?)?;
	if vst == 0 {
		return Some(intrinsic);
	}
	let log_moneyness = ln(div(spot, strike)?)?;
	let half_var = mul(vst, vst)?.checked_div(2)?;
	let d1 = div(log_moneyness.checked_add(half_var)?, vst)?;
	let d2 = d1.checked_sub(vst)?;
	let k_leg = mul(strike, norm_cdf(d2.checked_neg()?)?)?;
	let s_leg = mul(spot, norm_cdf(d1.checked_neg()?)?)?;
	Some(k_leg.checked_sub(s_leg)?.clamp(intrinsic, strike))
}

#[cfg(test)]
mod tests {
	use super::*;

	fn fx(x: f64) -> i128 {
		(x * 1e18).round() as i128
	}
	fn fl(x: i128) -> f64 {
		x as f64 / 1e18
	}

	#[test]
	fn exp_matches_libm() {
		let mut x = -40.0f64;
		while x <= 40.0 {
			let got = fl(exp(fx(x)).unwrap());
			let want = libm::exp(x);
			// The f64 reference itself carries |x|·ε of the argument.
			let tol = (2e-16 + x.abs() * 3e-16) * want + 2e-18;
			assert!((got - want).abs() <= tol, "exp({x}) = {got}, want {want}");
			x += 0.37;
		}
		assert_eq!(exp(-43 * ONE), Some(0));
		assert_eq!(exp(0), Some(ONE));
		assert_eq!(exp(81 * ONE), None);
	}

	#[test]
	fn ln_matches_libm() {
		for x in [1e-12, 1e-6, 0.01, 0.3, 0.5, 0.999, 1.0, 1.001, 2.0, 3.7, 10.0, 1e6, 6.5e4, 1e12]
		{
			let got = fl(ln(fx(x)).unwrap());
			let want = libm::log(x);
			assert!(
				(got - want).abs() <= 1e-15 * want.abs().max(1.0),
				"ln({x}) = {got}, want {want}"
			);
		}
		assert_eq!(ln(0), None);
		assert_eq!(ln(-ONE), None);
		assert_eq!(ln(ONE), Some(0));
	}

	#[test]
	fn sqrt_matches_libm() {
		for x in [0.0, 1e-18, 1e-9, 0.04, 0.5, 1.0, 2.0, 100.0, 1e10, 1e19] {
			let got = fl(sqrt(fx(x)).unwrap());
			let want = libm::sqrt(x);
			assert!((got - want).abs() <= 1e-15 * want.max(1e-3), "sqrt({x}) = {got}, want {want}");
		}
		assert_eq!(sqrt(-1), None);
		assert_eq!(sqrt(4 * ONE), Some(2 * ONE));
	}

	#[test]
	fn norm_cdf_matches_libm() {
		let mut x = -12.0f64;
		while x <= 12.0 {
			let got = fl(norm_cdf(fx(x)).unwrap());
			let want = 0.5 * libm::erfc(-x / core::f64::consts::SQRT_2);
			// Absolute 5·10⁻¹⁷, plus the f64 reference's own |x|·ε·φ(x).
			assert!((got - want).abs() <= 5e-17 + 4e-16 * want, "N({x}) = {got}, want {want}");
			if (-6.0..=-1.0).contains(&x) {
				assert!(
					((got - want) / want).abs() <= 1e-8,
					"relative N({x}) = {got}, want {want}"
				);
			}
			x += 0.013;
		}
		assert_eq!(norm_cdf(40 * ONE), Some(ONE));
		assert_eq!(norm_cdf(-40 * ONE), Some(0));
	}

	#[test]
	fn put_at_expiry_is_intrinsic() {
		assert_eq!(bs_put(80 * ONE, 100 * ONE, ONE, 0), Some(20 * ONE));
		assert_eq!(bs_put(120 * ONE, 100 * ONE, ONE, ONE), bs_put(120 * ONE, 100 * ONE, ONE, ONE));
		assert_eq!(bs_put(120 * ONE, 100 * ONE, 0, ONE), Some(0));
		assert_eq!(bs_put(120 * ONE, 0, ONE, ONE), Some(0));
		assert_eq!(bs_put(0, 100 * ONE, ONE, ONE), None);
	}
}
