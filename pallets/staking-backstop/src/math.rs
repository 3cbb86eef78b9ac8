//! Pure share, reward and premium arithmetic. Every rounding here favours the
//! protocol (the tranche, the reward pot), never the individual staker.
//!
//! All products go through `multiply_by_rational_with_rounding`, which works
//! on a 256-bit intermediate and returns `None` only when the result itself
//! does not fit in a `u128`.

use crate::types::PremiumParams;
use backstop_primitives::Balance;
use sp_arithmetic::{
	helpers_128bit::multiply_by_rational_with_rounding,
	traits::{Bounded, One, Saturating, Zero},
	FixedPointNumber, FixedU128, Perbill, Permill, Rounding,
};

/// `a * b / c` rounded as asked; `None` when `c` is zero or the result
/// overflows.
pub(crate) fn mul_div(a: u128, b: u128, c: u128, rounding: Rounding) -> Option<u128> {
	multiply_by_rational_with_rounding(a, b, c, rounding)
}

/// Shares minted for a deposit of `amount` into a tranche holding `assets`
/// against `shares`: `amount * shares / assets`, rounded down.
///
/// A tranche without shares (first stake, or every share redeemed, or reset
/// after a wipe-out) mints at a price of one: `amount` shares. A tranche with
/// shares but no assets has no price; callers reset it (a new epoch) first,
/// and this function returns `None` for it. `None` also on overflow.
pub(crate) fn shares_for(amount: Balance, assets: Balance, shares: Balance) -> Option<Balance> {
	if shares.is_zero() {
		return Some(amount);
	}
	if assets.is_zero() {
		return None;
	}
	mul_div(amount, shares, assets, Rounding::Down)
}

/// What `share_count` shares of a tranche holding `assets` against `shares`
/// are worth: `share_count * assets / shares`, rounded down. At most
/// `assets` (the share count is capped at `shares`); zero for a tranche
/// without shares.
pub(crate) fn value_of(share_count: Balance, assets: Balance, shares: Balance) -> Balance {
	if shares.is_zero() {
		return Zero::zero();
	}
	// `share_count.min(shares) / shares <= 1`, so the result is at most
	// `assets` and always fits.
	mul_div(share_count.min(shares), assets, shares, Rounding::Down).unwrap_or_default()
}

/// `assets / shares` rounded down; one for a tranche without shares, and the
/// largest representable price if the quotient does not fit.
pub(crate) fn share_price(assets: Balance, shares: Balance) -> FixedU128 {
	if shares.is_zero() {
		return FixedU128::one();
	}
	mul_div(assets, FixedU128::DIV, shares, Rounding::Down)
		.map(FixedU128::from_inner)
		.unwrap_or_else(FixedU128::max_value)
}

/// The most one loss event may take from a tranche holding `assets`: the
/// fraction of the assets, rounded down. Never more than `assets`.
pub(crate) fn slash_cap(fraction: Perbill, assets: Balance) -> Balance {
	fraction.mul_floor(assets)
}

/// Spreading `amount` of rewards over `earning` shares: the increment of the
/// reward index (rounded down) and the part of `amount` the increment
/// accounts for (rounded up, never more than `amount`). The rest, less than
/// one unit per `1e18 / earning` shares, stays undistributed.
///
/// Returns `(0, 0)` when nobody earns, `None` when the increment overflows.
pub(crate) fn reward_increment(amount: Balance, earning: Balance) -> Option<(FixedU128, Balance)> {
	if earning.is_zero() || amount.is_zero() {
		return Some((FixedU128::zero(), Zero::zero()));
	}
	let increment = mul_div(amount, FixedU128::DIV, earning, Rounding::Down)?;
	// `increment * earning / DIV <= amount`, so rounding up stays `<= amount`.
	let used = mul_div(increment, earning, FixedU128::DIV, Rounding::Up)?.min(amount);
	Some((FixedU128::from_inner(increment), used))
}

/// The rewards `shares` earning shares have accrued while the reward index
/// moved from `from` to `to`: rounded down. Zero if the index did not move
/// forward; `None` on overflow (more than a `u128` of rewards).
pub(crate) fn reward_owed(shares: Balance, from: FixedU128, to: FixedU128) -> Option<Balance> {
	let delta = to.into_inner().saturating_sub(from.into_inner());
	if delta.is_zero() || shares.is_zero() {
		return Some(Zero::zero());
	}
	mul_div(shares, delta, FixedU128::DIV, Rounding::Down)
}

/// `capital / required` rounded down; `None` when nothing is required, the
/// largest representable value if the quotient does not fit.
pub(crate) fn coverage(capital: Balance, required: Balance) -> Option<FixedU128> {
	if required.is_zero() {
		return None;
	}
	Some(
		mul_div(capital, FixedU128::DIV, required, Rounding::Down)
			.map(FixedU128::from_inner)
			.unwrap_or_else(FixedU128::max_value),
	)
}

/// A `Permill` as a `FixedU128`, exactly.
pub(crate) fn permill_to_fixed(rate: Permill) -> FixedU128 {
	// `1e18 / 1e6 = 1e12`; a `Permill` has at most `1e6` parts.
	FixedU128::from_inner(u128::from(rate.deconstruct()).saturating_mul(1_000_000_000_000))
}

/// The annual base rate at `coverage` under `params`, before volatility.
///
/// `rate_max` at or below `coverage_low`, `rate_min` at or above
/// `coverage_high` or without a coverage figure (nothing required), linear in
/// between with the fall from `rate_max` rounded down (the rate rounded up,
/// in the backstop's favour). Non-increasing in the coverage. Parameters with
/// `rate_min > rate_max` (refused by the checks) are read as flat at
/// `rate_max`.
pub(crate) fn base_rate(params: &PremiumParams, coverage: Option<FixedU128>) -> Permill {
	let low_rate = params.rate_min.min(params.rate_max);
	let Some(coverage) = coverage else { return low_rate };
	if coverage <= params.coverage_low {
		return params.rate_max;
	}
	if coverage >= params.coverage_high {
		return low_rate;
	}
	// Here `coverage_low < coverage < coverage_high`.
	let max = params.rate_max.deconstruct();
	let span = max.saturating_sub(low_rate.deconstruct());
	let progressed = coverage.into_inner().saturating_sub(params.coverage_low.into_inner());
	let width = params.coverage_high.into_inner().saturating_sub(params.coverage_low.into_inner());
	// `progressed < width`, so the fall is below `span` and fits in a `u32`.
	let fall = mul_div(u128::from(span), progressed, width, Rounding::Down)
		.and_then(|fall| u32::try_from(fall).ok())
		.unwrap_or(span)
		.min(span);
	Permill::from_parts(max.saturating_sub(fall))
}

/// The annual premium rate: `min(base + volatility_weight × volatility,
/// rate_cap)`. The volatility term rounds down; it saturates before the cap
/// is applied, so a huge volatility prices at the cap.
pub(crate) fn annual_rate(
	params: &PremiumParams,
	coverage: Option<FixedU128>,
	volatility: FixedU128,
) -> FixedU128 {
	let base = permill_to_fixed(base_rate(params, coverage));
	let added = params.volatility_weight.saturating_mul(volatility);
	base.saturating_add(added).min(permill_to_fixed(params.rate_cap))
}

/// The per-block rate of an annual rate: `annual / blocks_per_year`, rounded
/// down; zero if `blocks_per_year` is zero (refused by `integrity_test`).
pub(crate) fn per_block_rate(annual: FixedU128, blocks_per_year: u32) -> FixedU128 {
	annual
		.into_inner()
		.checked_div(u128::from(blocks_per_year))
		.map(FixedU128::from_inner)
		.unwrap_or_default()
}

/// A tranche's weight in the revenue split: `multiple × earning value`,
/// rounded down; the largest balance if it does not fit.
pub(crate) fn weight(earning_value: Balance, multiple: FixedU128) -> Balance {
	multiple.saturating_mul_int(earning_value)
}

/// The split of `total` between the tranches by their weights: the junior
/// part `total × junior_weight / (junior_weight + senior_weight)` rounded
/// down, the senior part the exact rest. With both weights zero everything
/// goes to the senior part (callers pass a part without earners on).
/// `None` if the weights' sum overflows.
pub(crate) fn split_by_weight(
	total: Balance,
	junior_weight: Balance,
	senior_weight: Balance,
) -> Option<(Balance, Balance)> {
	let sum = junior_weight.checked_add(senior_weight)?;
	if sum.is_zero() {
		return Some((Zero::zero(), total));
	}
	// `junior_weight <= sum`, so the part is at most `total`.
	let junior = mul_div(total, junior_weight, sum, Rounding::Down)?;
	Some((junior, total.saturating_sub(junior)))
}

/// Whether a tranche holding `assets` against `shares` has a share price
/// below `floor` (a fraction of one), exactly: `assets < floor × shares`.
/// Never for a tranche without shares.
pub(crate) fn below_floor(assets: Balance, shares: Balance, floor: Perbill) -> bool {
	// For an integer `assets`, `assets < x` exactly when `assets < ceil(x)`.
	!shares.is_zero() && assets < floor.mul_ceil(shares)
}

/// `part / assets` as a rate, rounded down; zero without assets.
pub(crate) fn ratio(part: Balance, assets: Balance) -> FixedU128 {
	if assets.is_zero() {
		return FixedU128::zero();
	}
	mul_div(part, FixedU128::DIV, assets, Rounding::Down)
		.map(FixedU128::from_inner)
		.unwrap_or_else(FixedU128::max_value)
}

#[cfg(test)]
mod tests {
	use super::*;

	fn premium() -> PremiumParams {
		PremiumParams {
			rate_max: Permill::from_percent(8),
			rate_min: Permill::from_percent(4),
			coverage_low: FixedU128::from_u32(1),
			coverage_high: FixedU128::from_u32(3),
			volatility_weight: FixedU128::from_u32(2),
			rate_cap: Permill::from_percent(20),
			junior_multiple: FixedU128::from_u32(3),
		}
	}

	#[test]
	fn fresh_tranche_mints_at_one() {
		assert_eq!(shares_for(500, 0, 0), Some(500));
		assert_eq!(shares_for(500, 123, 0), Some(500));
		assert_eq!(shares_for(500, 0, 10), None);
	}

	#[test]
	fn minting_rounds_against_the_staker() {
		// Price 3/2: 10 units buy 6.66.. shares -> 6.
		assert_eq!(shares_for(10, 3, 2), Some(6));
		// Redeeming rounds down too: 6 shares of (13, 8) are worth 9.75 -> 9.
		assert_eq!(value_of(6, 13, 8), 9);
		assert_eq!(value_of(8, 13, 8), 13);
		assert_eq!(value_of(9, 13, 8), 13, "capped at all shares");
		assert_eq!(value_of(5, 13, 0), 0);
	}

	#[test]
	fn share_math_does_not_overflow_on_large_values() {
		let big = u128::MAX / 3;
		assert_eq!(value_of(big, big, big), big);
		assert_eq!(shares_for(big, big, big), Some(big));
		assert_eq!(shares_for(u128::MAX, 1, u128::MAX), None);
	}

	#[test]
	fn share_price_rounds_down() {
		assert_eq!(share_price(0, 0), FixedU128::one());
		assert_eq!(share_price(0, 5), FixedU128::zero());
		assert_eq!(share_price(2, 3), FixedU128::from_inner(666_666_666_666_666_666));
		assert_eq!(share_price(u128::MAX, 1), FixedU128::max_value());
	}

	#[test]
	fn reward_increment_never_hands_out_more_than_it_got() {
		assert_eq!(reward_increment(100, 0), Some((FixedU128::zero(), 0)));
		let (inc, used) = reward_increment(100, 3).unwrap();
		assert_eq!(inc, FixedU128::from_inner(33_333_333_333_333_333_333));
		assert_eq!(used, 100);
		assert_eq!(reward_owed(3, FixedU128::zero(), inc), Some(99));
		// Too small to move the index: nothing is used.
		let (inc, used) = reward_increment(1, 10u128.pow(19)).unwrap();
		assert_eq!((inc, used), (FixedU128::zero(), 0));
	}

	#[test]
	fn reward_owed_ignores_a_backwards_index() {
		assert_eq!(reward_owed(10, FixedU128::from_u32(2), FixedU128::from_u32(1)), Some(0));
		assert_eq!(reward_owed(10, FixedU128::from_u32(1), FixedU128::from_u32(2)), Some(10));
	}

	#[test]
	fn coverage_is_none_without_requirement() {
		assert_eq!(coverage(100, 0), None);
		assert_eq!(coverage(150, 100), Some(FixedU128::from_rational(3, 2)));
		assert_eq!(coverage(u128::MAX, 1), Some(FixedU128::max_value()));
	}

	#[test]
	fn base_rate_follows_the_curve() {
		let c = premium();
		assert_eq!(base_rate(&c, None), Permill::from_percent(4));
		assert_eq!(base_rate(&c, Some(FixedU128::zero())), Permill::from_percent(8));
		assert_eq!(base_rate(&c, Some(FixedU128::from_u32(1))), Permill::from_percent(8));
		assert_eq!(base_rate(&c, Some(FixedU128::from_u32(2))), Permill::from_percent(6));
		assert_eq!(base_rate(&c, Some(FixedU128::from_rational(5, 2))), Permill::from_percent(5));
		assert_eq!(base_rate(&c, Some(FixedU128::from_u32(3))), Permill::from_percent(4));
		assert_eq!(base_rate(&c, Some(FixedU128::from_u32(30))), Permill::from_percent(4));
		// The fall is rounded down: the rate is rounded up.
		let third = FixedU128::from_u32(1) + FixedU128::from_rational(2, 3);
		assert_eq!(base_rate(&c, Some(third)), Permill::from_parts(66_667));
	}

	#[test]
	fn annual_rate_adds_volatility_up_to_the_cap() {
		let c = premium();
		let cov = Some(FixedU128::from_u32(2));
		assert_eq!(annual_rate(&c, cov, FixedU128::zero()), FixedU128::from_rational(6, 100));
		// 2 × 1% of volatility adds 2%.
		assert_eq!(
			annual_rate(&c, cov, FixedU128::from_rational(1, 100)),
			FixedU128::from_rational(8, 100)
		);
		assert_eq!(annual_rate(&c, cov, FixedU128::from_u32(5)), FixedU128::from_rational(1, 5));
		assert_eq!(annual_rate(&c, cov, FixedU128::max_value()), FixedU128::from_rational(1, 5));
	}

	#[test]
	fn per_block_rate_rounds_down() {
		let annual = FixedU128::from_rational(1, 10);
		assert_eq!(per_block_rate(annual, 3), FixedU128::from_inner(33_333_333_333_333_333));
		assert_eq!(per_block_rate(annual, 0), FixedU128::zero());
		assert_eq!(permill_to_fixed(Permill::one()), FixedU128::one());
		assert_eq!(
			permill_to_fixed(Permill::from_parts(1)),
			FixedU128::from_inner(1_000_000_000_000)
		);
	}

	#[test]
	fn split_by_weight_is_exact() {
		assert_eq!(split_by_weight(101, 1, 1), Some((50, 51)));
		assert_eq!(split_by_weight(100, 3, 1), Some((75, 25)));
		assert_eq!(split_by_weight(0, 3, 1), Some((0, 0)));
		assert_eq!(split_by_weight(7, 1, 0), Some((7, 0)));
		assert_eq!(split_by_weight(7, 0, 0), Some((0, 7)));
		assert_eq!(split_by_weight(7, u128::MAX, 1), None);
		assert_eq!(weight(10, FixedU128::from_rational(3, 2)), 15);
		assert_eq!(weight(u128::MAX, FixedU128::from_u32(2)), u128::MAX);
	}

	#[test]
	fn the_floor_is_exact() {
		let floor = Perbill::from_percent(1);
		assert!(!below_floor(1, 100, floor));
		assert!(below_floor(0, 100, floor));
		assert!(below_floor(1, 101, floor));
		assert!(!below_floor(0, 0, floor));
		assert_eq!(ratio(5, 100), FixedU128::from_rational(1, 20));
		assert_eq!(ratio(5, 0), FixedU128::zero());
	}

	#[test]
	fn split_is_exact() {
		assert_eq!(split_by_weight(101, 50, 50), Some((50, 51)));
	}

	proptest::proptest! {
		#[test]
		fn premium_falls_with_coverage_and_rises_with_volatility(
			a in 0u128..10_000_000_000_000_000_000u128,
			b in 0u128..10_000_000_000_000_000_000u128,
			v in 0u128..1_000_000_000_000_000_000u128,
			w in 0u128..1_000_000_000_000_000_000u128,
		) {
			let c = premium();
			let (lo, hi) = (a.min(b), a.max(b));
			let (calm, wild) = (FixedU128::from_inner(v.min(w)), FixedU128::from_inner(v.max(w)));
			let at_lo = base_rate(&c, Some(FixedU128::from_inner(lo)));
			let at_hi = base_rate(&c, Some(FixedU128::from_inner(hi)));
			proptest::prop_assert!(at_hi <= at_lo);
			proptest::prop_assert!(at_lo <= c.rate_max && at_hi >= c.rate_min);
			let cov = Some(FixedU128::from_inner(lo));
			let rate_calm = annual_rate(&c, cov, calm);
			let rate_wild = annual_rate(&c, cov, wild);
			proptest::prop_assert!(rate_calm <= rate_wild);
			proptest::prop_assert!(rate_wild <= permill_to_fixed(c.rate_cap));
			proptest::prop_assert!(
				annual_rate(&c, Some(FixedU128::from_inner(hi)), calm) <= rate_calm
			);
			proptest::prop_assert!(per_block_rate(rate_calm, 5_256_000) <= per_block_rate(rate_wild, 5_256_000));
		}

		#[test]
		fn shares_stay_bounded_above_the_floor(
			cycles in 1usize..400,
			stake in 1u128..1_000_000_000_000,
		) {
			// Repeated near-wipes at a 50% slash cap and a 1% floor: the price
			// never goes below the floor without a wipe-out, so shares stay
			// below `assets / floor`.
			let floor = Perbill::from_percent(1);
			let (mut assets, mut shares) = (0u128, 0u128);
			for _ in 0..cycles {
				let minted = shares_for(stake, assets, shares).unwrap();
				assets += stake;
				shares += minted;
				loop {
					let cut = Perbill::from_percent(50).mul_floor(assets);
					assets -= cut;
					if below_floor(assets, shares, floor) {
						// Wiped out: a new epoch.
						assets = 0;
						shares = 0;
						break;
					}
					if cut == 0 {
						break;
					}
					proptest::prop_assert!(shares <= floor.saturating_reciprocal_mul_ceil(assets) + 1);
				}
			}
		}

		#[test]
		fn stake_then_redeem_never_gains(
			amount in 1u128..1_000_000_000_000,
			assets in 1u128..1_000_000_000_000,
			shares in 1u128..1_000_000_000_000,
		) {
			let minted = shares_for(amount, assets, shares).unwrap();
			let back = value_of(minted, assets + amount, shares + minted);
			proptest::prop_assert!(back <= amount);
			// The other holders' shares are worth no less than before.
			let others_before = value_of(shares, assets, shares);
			let others_after = value_of(shares, assets + amount, shares + minted);
			proptest::prop_assert!(others_after >= others_before);
		}

		#[test]
		fn rewards_owed_never_exceed_rewards_used(
			amounts in proptest::collection::vec(0u128..1_000_000_000, 1..8),
			holdings in proptest::collection::vec(1u128..1_000_000_000_000, 1..8),
		) {
			let earning: u128 = holdings.iter().sum();
			let mut index = FixedU128::zero();
			let mut used_total = 0u128;
			for amount in amounts {
				let (inc, used) = reward_increment(amount, earning).unwrap();
				proptest::prop_assert!(used <= amount);
				index = index + inc;
				used_total += used;
			}
			let owed: u128 = holdings
				.iter()
				.map(|h| reward_owed(*h, FixedU128::zero(), index).unwrap())
				.sum();
			proptest::prop_assert!(owed <= used_total);
		}
	}
}
