//! The arithmetic of aggregation: median, confidence, the breaker's band and the EMA.
//!
//! Pure functions on plain values, so that they can be tested (and property-tested) apart
//! from storage. Prices are handled as the inner `u128` of [`FixedU128`] (units of
//! `10^-18`), which keeps every rounding rule explicit.

use alloc::vec::Vec;
use backstop_primitives::Price;
use sp_arithmetic::{
	traits::{One, Saturating, Zero},
	FixedPointNumber, FixedU128, PerThing, Permill, Rounding,
};

/// Which way the mean of the two middle values of an even-sized set is rounded.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum MidRounding {
	/// Towards the lower middle value (the price median).
	Down,
	/// Towards the upper middle value (the deviation median: the conservative side).
	Up,
}

/// The median of an ascending slice; `None` if it is empty.
///
/// Odd length: the middle value. Even length: the mean of the two middle values, computed as
/// `lower + (upper - lower) / 2` (no overflow) and rounded as `rounding` says; the result
/// always lies within `[lower, upper]`.
pub(crate) fn median_of_sorted(sorted: &[u128], rounding: MidRounding) -> Option<u128> {
	let mid = sorted.len() / 2;
	let upper = *sorted.get(mid)?;
	if sorted.len() % 2 == 1 {
		return Some(upper);
	}
	let lower = *sorted.get(mid.checked_sub(1)?)?;
	let gap = upper.checked_sub(lower)?;
	let half = match rounding {
		MidRounding::Down => gap / 2,
		// `gap / 2 <= u128::MAX / 2`, so adding the remainder (0 or 1) cannot saturate.
		MidRounding::Up => (gap / 2).saturating_add(gap % 2),
	};
	lower.checked_add(half)
}

/// What one recomputation of an asset's fresh values yields.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Summary {
	/// Median of the values (even count: rounded down).
	pub median: Price,
	/// Median absolute deviation from the median, relative to the median, rounded up and
	/// capped at 100%.
	pub confidence: Permill,
	/// Smallest value.
	pub low: Price,
	/// Largest value.
	pub high: Price,
}

/// Summarises a set of prices; `None` if it is empty. Sorts `values` in place.
pub(crate) fn summarise(values: &mut [u128]) -> Option<Summary> {
	values.sort_unstable();
	let median = median_of_sorted(values, MidRounding::Down)?;
	let low = *values.first()?;
	let high = *values.last()?;
	let mut deviations: Vec<u128> = values.iter().map(|value| value.abs_diff(median)).collect();
	deviations.sort_unstable();
	let mad = median_of_sorted(&deviations, MidRounding::Up)?;
	Some(Summary {
		median: Price::from_inner(median),
		confidence: relative_deviation(mad, median),
		low: Price::from_inner(low),
		high: Price::from_inner(high),
	})
}

/// `deviation / reference` as a `Permill`, rounded up; 100% if the deviation is at least the
/// reference (or the reference is zero).
pub(crate) fn relative_deviation(deviation: u128, reference: u128) -> Permill {
	Permill::from_rational_with_rounding(deviation, reference, Rounding::Up)
		.unwrap_or(Permill::one())
}

/// Whether `value` lies within `band` of `reference`: `|value - reference| <= band * reference`,
/// with the allowance rounded down (a borderline move counts as a jump).
pub(crate) fn within_band(value: Price, reference: Price, band: Permill) -> bool {
	let distance = value.into_inner().abs_diff(reference.into_inner());
	distance <= band.mul_floor(reference.into_inner())
}

/// Moves `from` towards `to` by the fraction `weight` (taken as at most one). The step is
/// rounded towards zero, so the result always lies between `from` and `to`.
pub(crate) fn approach(from: Price, to: Price, weight: FixedU128) -> Price {
	let weight = weight.min(FixedU128::one());
	// `weight <= 1` and the multiplication rounds towards zero, so each step is at most the
	// distance between `from` and `to`: the saturating operations never saturate.
	if to >= from {
		from.saturating_add(weight.saturating_mul(to.saturating_sub(from)))
	} else {
		from.saturating_sub(weight.saturating_mul(from.saturating_sub(to)))
	}
}

/// The EMA smoothing factor `alpha = 2 / (period + 1)`, at most one.
pub(crate) fn ema_alpha(period: u32) -> FixedU128 {
	FixedU128::checked_from_rational(2u32, period.saturating_add(1))
		.unwrap_or(FixedU128::one())
		.min(FixedU128::one())
}

/// Brings an EMA forward to the start of the block in which a new aggregate arrives.
///
/// The EMA is defined as if it were sampled once per block on the accepted spot price. When
/// the previous aggregate `spot` was accepted `elapsed` blocks ago, it was the spot for the
/// `elapsed - 1` blocks in between, so the EMA decays towards it by
/// `1 - (1 - alpha)^(elapsed - 1)`. With `elapsed <= 1` nothing happens.
pub(crate) fn ema_carried(ema: Price, spot: Price, elapsed: u32, period: u32) -> Price {
	let idle_blocks = elapsed.saturating_sub(1);
	if idle_blocks.is_zero() {
		return ema;
	}
	let keep = FixedU128::one().saturating_sub(ema_alpha(period));
	// `saturating_pow` squares at most 32 times for a `u32` exponent.
	let remaining = keep.saturating_pow(idle_blocks as usize);
	approach(ema, spot, FixedU128::one().saturating_sub(remaining))
}

/// One EMA step towards this block's aggregate: `ema + alpha * (price - ema)`.
pub(crate) fn ema_step(ema: Price, price: Price, period: u32) -> Price {
	approach(ema, price, ema_alpha(period))
}

#[cfg(test)]
mod tests {
	use super::*;
	use proptest::prelude::*;

	fn p(n: u128) -> Price {
		Price::from_inner(n)
	}

	#[test]
	fn median_odd_takes_the_middle_value() {
		assert_eq!(median_of_sorted(&[1, 5, 9], MidRounding::Down), Some(5));
		assert_eq!(median_of_sorted(&[7], MidRounding::Down), Some(7));
		assert_eq!(median_of_sorted(&[], MidRounding::Down), None);
	}

	#[test]
	fn median_even_rounds_as_asked() {
		// (4 + 7) / 2 = 5.5
		assert_eq!(median_of_sorted(&[1, 4, 7, 100], MidRounding::Down), Some(5));
		assert_eq!(median_of_sorted(&[1, 4, 7, 100], MidRounding::Up), Some(6));
		// exact mean: no rounding either way
		assert_eq!(median_of_sorted(&[4, 8], MidRounding::Up), Some(6));
		// no overflow next to u128::MAX
		assert_eq!(
			median_of_sorted(&[u128::MAX - 1, u128::MAX], MidRounding::Down),
			Some(u128::MAX - 1)
		);
		assert_eq!(median_of_sorted(&[u128::MAX - 1, u128::MAX], MidRounding::Up), Some(u128::MAX));
	}

	#[test]
	fn summary_reports_median_range_and_confidence() {
		let mut values = [110, 100, 90, 100, 300];
		let s = summarise(&mut values).unwrap();
		assert_eq!(s.median, p(100));
		assert_eq!(s.low, p(90));
		assert_eq!(s.high, p(300));
		// deviations 0, 0, 10, 10, 200 -> MAD 10 -> 10%
		assert_eq!(s.confidence, Permill::from_percent(10));
		let mut unanimous = [42, 42, 42];
		assert_eq!(summarise(&mut unanimous).unwrap().confidence, Permill::zero());
		assert_eq!(summarise(&mut []), None);
	}

	#[test]
	fn confidence_rounds_up_and_caps() {
		assert_eq!(relative_deviation(1, 3), Permill::from_parts(333_334));
		assert_eq!(relative_deviation(5, 3), Permill::one());
		assert_eq!(relative_deviation(0, 0), Permill::one());
	}

	#[test]
	fn band_allowance_rounds_down() {
		let reference = Price::from_u32(100);
		assert!(within_band(Price::from_u32(110), reference, Permill::from_percent(10)));
		assert!(within_band(Price::from_u32(90), reference, Permill::from_percent(10)));
		assert!(!within_band(
			Price::from_rational(11001, 100),
			reference,
			Permill::from_percent(10)
		));
		assert!(!within_band(Price::from_u32(150), reference, Permill::from_percent(10)));
		assert!(within_band(reference, reference, Permill::from_parts(1)));
	}

	#[test]
	fn ema_follows_the_textbook_recursion() {
		// period 3: alpha = 1/2
		let ema = ema_step(Price::from_u32(100), Price::from_u32(200), 3);
		assert_eq!(ema, Price::from_u32(150));
		let ema = ema_step(Price::from_u32(100), Price::from_u32(50), 3);
		assert_eq!(ema, Price::from_u32(75));
		// period 1: alpha = 1, the EMA is the spot
		assert_eq!(ema_step(Price::from_u32(100), Price::from_u32(7), 1), Price::from_u32(7));
	}

	#[test]
	fn ema_carry_decays_towards_the_held_spot() {
		let (ema, spot) = (Price::from_u32(100), Price::from_u32(200));
		// one block elapsed: the new sample is the next one, nothing to carry
		assert_eq!(ema_carried(ema, spot, 1, 3), ema);
		assert_eq!(ema_carried(ema, spot, 0, 3), ema);
		// three blocks: two samples of the old spot, 100 -> 150 -> 175
		assert_eq!(ema_carried(ema, spot, 3, 3), Price::from_u32(175));
		// the same as stepping block by block
		let stepped = ema_step(ema_step(ema, spot, 3), spot, 3);
		assert_eq!(ema_carried(ema, spot, 3, 3), stepped);
		// a long gap converges on the spot and never passes it
		assert_eq!(ema_carried(ema, spot, u32::MAX, 3), spot);
	}

	proptest! {
		#[test]
		fn median_stays_within_the_values(mut values in prop::collection::vec(1u128..=u128::MAX, 1..40)) {
			let s = summarise(&mut values).unwrap();
			prop_assert!(s.low <= s.median && s.median <= s.high);
		}

		#[test]
		fn ema_stays_between_its_inputs(
			a in 1u128..=10u128.pow(30),
			b in 1u128..=10u128.pow(30),
			elapsed in 0u32..1000,
			period in 1u32..=limits_period(),
		) {
			let carried = ema_carried(p(a), p(b), elapsed, period);
			prop_assert!(carried >= p(a.min(b)) && carried <= p(a.max(b)));
			let stepped = ema_step(p(a), p(b), period);
			prop_assert!(stepped >= p(a.min(b)) && stepped <= p(a.max(b)));
		}
	}

	fn limits_period() -> u32 {
		crate::limits::MAX_EMA_PERIOD
	}
}
