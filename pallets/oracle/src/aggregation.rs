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

/// The largest number of values in the ascending slice `sorted` that agree with each other:
/// the widest run `sorted[i..=j]` with `sorted[j] - sorted[i] <= band · median` (allowance
/// rounded down). Every run longer than half the slice contains its middle values, so a
/// supermajority run always contains the median.
pub(crate) fn largest_agreeing(sorted: &[u128], median: u128, band: Permill) -> u32 {
	let width = band.mul_floor(median);
	let mut best = 0usize;
	let mut start = 0usize;
	for (end, value) in sorted.iter().enumerate() {
		while sorted.get(start).is_some_and(|first| value.saturating_sub(*first) > width) {
			start = start.saturating_add(1);
		}
		// `start <= end`: a value always agrees with itself.
		best = best.max(end.saturating_add(1).saturating_sub(start));
	}
	u32::try_from(best).unwrap_or(u32::MAX)
}

/// Whether `agreeing` of `fresh` values are a fast-path supermajority: at least `quorum` of
/// them (exactly, `agreeing / fresh >= quorum`) and at least two thirds (exactly, in
/// integers: `3 · agreeing >= 2 · fresh`).
pub(crate) fn is_supermajority(agreeing: u32, fresh: u32, quorum: Permill) -> bool {
	let (agreeing, fresh) = (u64::from(agreeing), u64::from(fresh));
	// Both sides are below 2^32 · 10^6 < 2^52: no overflow.
	fresh > 0
		&& agreeing.saturating_mul(3) >= fresh.saturating_mul(2)
		&& agreeing.saturating_mul(1_000_000)
			>= u64::from(quorum.deconstruct()).saturating_mul(fresh)
}

/// The EMA smoothing factor per millisecond, `alpha = 2 / (period_ms + 1)`, at most one.
pub(crate) fn ema_alpha(period_ms: u64) -> FixedU128 {
	FixedU128::checked_from_rational(2u64, period_ms.saturating_add(1))
		.unwrap_or(FixedU128::one())
		.min(FixedU128::one())
}

/// `base^exp` by squaring: at most 64 squarings and 64 multiplications, each rounded by
/// `FixedU128`. For `base <= 1` the result stays in `[0, 1]`.
pub(crate) fn pow(base: FixedU128, exp: u64) -> FixedU128 {
	let mut result = FixedU128::one();
	let mut square = base;
	let mut remaining = exp;
	while remaining > 0 {
		if remaining & 1 == 1 {
			result = result.saturating_mul(square);
		}
		remaining >>= 1;
		if remaining > 0 {
			square = square.saturating_mul(square);
		}
		if result.is_zero() {
			break;
		}
	}
	result
}

/// Brings an EMA forward by `elapsed_ms` during which `spot` was the accepted price.
///
/// The EMA is defined as if it were sampled once per millisecond on the accepted spot price,
/// `ema ← ema + alpha · (spot − ema)`, so `elapsed_ms` of the same spot move it towards the
/// spot by `1 − (1 − alpha)^elapsed_ms`: weight by elapsed time, whatever the block times.
/// With `elapsed_ms = 0` nothing happens.
pub(crate) fn ema_carried(ema: Price, spot: Price, elapsed_ms: u64, period_ms: u64) -> Price {
	if elapsed_ms.is_zero() {
		return ema;
	}
	let keep = FixedU128::one().saturating_sub(ema_alpha(period_ms));
	let remaining = pow(keep, elapsed_ms);
	approach(ema, spot, FixedU128::one().saturating_sub(remaining))
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
	fn ema_weights_by_elapsed_time() {
		// period 3 ms: alpha = 1/2 per ms
		let (ema, spot) = (Price::from_u32(100), Price::from_u32(200));
		assert_eq!(ema_carried(ema, spot, 0, 3), ema);
		assert_eq!(ema_carried(ema, spot, 1, 3), Price::from_u32(150));
		// two milliseconds: 100 -> 150 -> 175
		assert_eq!(ema_carried(ema, spot, 2, 3), Price::from_u32(175));
		// the same as stepping millisecond by millisecond
		let stepped = ema_carried(ema_carried(ema, spot, 1, 3), spot, 1, 3);
		assert_eq!(ema_carried(ema, spot, 2, 3), stepped);
		// period 1 ms: alpha = 1, the EMA is the spot after any time at all
		assert_eq!(ema_carried(ema, Price::from_u32(7), 1, 1), Price::from_u32(7));
		// a long gap converges on the spot and never passes it
		assert_eq!(ema_carried(ema, spot, u64::MAX, 3), spot);
		assert_eq!(ema_carried(ema, spot, u64::MAX, crate::limits::MAX_EMA_PERIOD_MS), spot);
	}

	#[test]
	fn ema_over_one_period_is_close_to_the_continuous_one() {
		// 60 s period, 6 s elapsed: 1 - (1 - 2/60001)^6000 = 1 - e^-0.19999... = 0.18127
		let ema = ema_carried(Price::from_u32(100), Price::from_u32(200), 6_000, 60_000);
		assert!(ema > Price::from_rational(11_812, 100) && ema < Price::from_rational(11_813, 100));
	}

	#[test]
	fn pow_by_squaring() {
		let half = FixedU128::from_rational(1, 2);
		assert_eq!(pow(half, 0), FixedU128::one());
		assert_eq!(pow(half, 1), half);
		assert_eq!(pow(half, 3), FixedU128::from_rational(1, 8));
		assert_eq!(pow(half, u64::MAX), FixedU128::zero());
		assert_eq!(pow(FixedU128::one(), u64::MAX), FixedU128::one());
	}

	#[test]
	fn agreement_is_the_widest_run_within_the_band() {
		let band = Permill::from_percent(2);
		// median 100: the band is 2 wide
		assert_eq!(largest_agreeing(&[57, 98, 99, 100, 101, 150], 100, band), 3);
		assert_eq!(largest_agreeing(&[57, 99, 100, 100, 101, 150], 100, band), 4);
		assert_eq!(largest_agreeing(&[98, 100, 102], 100, band), 2);
		assert_eq!(largest_agreeing(&[100, 100, 100], 100, band), 3);
		assert_eq!(largest_agreeing(&[1, 50, 100], 50, band), 1);
		assert_eq!(largest_agreeing(&[], 100, band), 0);
	}

	#[test]
	fn supermajority_is_at_least_two_thirds_exactly() {
		let two_thirds = crate::limits::MIN_FAST_PATH_QUORUM;
		assert_eq!(two_thirds, Permill::from_rational(2u32, 3u32));
		assert!(is_supermajority(2, 3, two_thirds));
		assert!(!is_supermajority(1, 3, two_thirds));
		assert!(!is_supermajority(4, 7, two_thirds));
		assert!(is_supermajority(5, 7, two_thirds));
		assert!(is_supermajority(10, 15, two_thirds));
		assert!(!is_supermajority(9, 15, two_thirds));
		// the quorum rounded down to ppm never lets less than 2/3 through
		assert!(!is_supermajority(666_666, 1_000_000, two_thirds));
		assert!(!is_supermajority(0, 0, two_thirds));
		// a higher quorum is exact
		assert!(!is_supermajority(3, 4, Permill::from_percent(80)));
		assert!(is_supermajority(4, 5, Permill::from_percent(80)));
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
			elapsed in 0u64..100_000_000,
			period in 1u64..=crate::limits::MAX_EMA_PERIOD_MS,
		) {
			let carried = ema_carried(p(a), p(b), elapsed, period);
			prop_assert!(carried >= p(a.min(b)) && carried <= p(a.max(b)));
		}

		#[test]
		fn the_widest_agreeing_run_contains_the_median(
			mut values in prop::collection::vec(1u128..=1_000_000, 3..16),
			band in 1u32..=100_000,
		) {
			values.sort_unstable();
			let median = median_of_sorted(&values, MidRounding::Down).unwrap();
			let band = Permill::from_parts(band);
			let agreeing = largest_agreeing(&values, median, band);
			prop_assert!(agreeing >= 1 && agreeing as usize <= values.len());
			// A supermajority run covers the middle values, hence the median.
			if is_supermajority(agreeing, values.len() as u32, crate::limits::MIN_FAST_PATH_QUORUM) {
				let width = band.mul_floor(median);
				let contains = values.windows(agreeing as usize).any(|run| {
					run[run.len() - 1] - run[0] <= width && run[0] <= median && median <= run[run.len() - 1]
				});
				prop_assert!(contains);
			}
		}
	}
}
