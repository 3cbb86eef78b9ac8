//! Pure arithmetic of the margin engine: notionals, PnL, funding, fees and
//! margin fractions.
//!
//! Every function is checked: it returns `None` rather than overflow, and
//! every rounding is explicit and chosen in the protocol's favour:
//!
//! * the cost basis of a position is `size × price` rounded towards +∞ and
//!   its value `size × price` rounded towards −∞, so a round trip never
//!   gains;
//! * funding a position owes is rounded towards +∞ (payers pay more,
//!   receivers get less);
//! * fees and requirements round up, payouts and rewards round down.
//!
//! Units: sizes in millionths of the base asset, prices in dollars per whole
//! base unit (`FixedU128`), amounts in micro-dollars; so `|size| × price`
//! is an amount.

use backstop_primitives::{Balance, Price};
use sp_arithmetic::{
	helpers_128bit::multiply_by_rational_with_rounding,
	traits::{CheckedAdd, One, Saturating, Zero},
	FixedI128, FixedPointNumber, FixedU128, Perbill, Permill, Rounding,
};

/// The inner value of 1 in `FixedU128`/`FixedI128`.
const ONE: u128 = <FixedU128 as FixedPointNumber>::DIV;
/// Parts per unit of a `Permill`.
const PERMILL: u128 = 1_000_000;
/// `FixedU128` inner units per `Perbill` part.
const PERBILL_TO_FIXED: u128 = ONE / 1_000_000_000;
/// `FixedU128` inner units per `Permill` part.
const PERMILL_TO_FIXED: u128 = ONE / PERMILL;

/// `a × b / c` with the given rounding and a 256-bit intermediate.
fn mul_div(a: u128, b: u128, c: u128, rounding: Rounding) -> Option<u128> {
	multiply_by_rational_with_rounding(a, b, c, rounding)
}

/// A non-negative `i128` from a `u128`.
fn signed(x: u128) -> Option<i128> {
	i128::try_from(x).ok()
}

/// `|size| × price` in micro-dollars, rounded as asked.
pub fn notional(size: u128, price: Price, rounding: Rounding) -> Option<Balance> {
	mul_div(size, price.into_inner(), ONE, rounding)
}

/// `amount × fraction`, rounded as asked.
pub fn fraction_of(amount: Balance, fraction: FixedU128, rounding: Rounding) -> Option<Balance> {
	mul_div(amount, fraction.into_inner(), ONE, rounding)
}

/// `amount × part`, rounded as asked.
pub fn permill_of(amount: Balance, part: Permill, rounding: Rounding) -> Option<Balance> {
	mul_div(amount, u128::from(part.deconstruct()), PERMILL, rounding)
}

/// A `Permill` as a `FixedU128`.
pub fn permill_to_fixed(part: Permill) -> FixedU128 {
	// At most 10^6 × 10^12: no overflow.
	FixedU128::from_inner(u128::from(part.deconstruct()).saturating_mul(PERMILL_TO_FIXED))
}

/// `size × price` rounded towards −∞: what a position is worth.
pub fn value(size: i128, price: Price) -> Option<i128> {
	if size >= 0 {
		signed(notional(size.unsigned_abs(), price, Rounding::Down)?)
	} else {
		signed(notional(size.unsigned_abs(), price, Rounding::Up)?)?.checked_neg()
	}
}

/// `size × price` rounded towards +∞: the cost basis of opening `size`.
pub fn entry_cost(size: i128, price: Price) -> Option<i128> {
	if size >= 0 {
		signed(notional(size.unsigned_abs(), price, Rounding::Up)?)
	} else {
		signed(notional(size.unsigned_abs(), price, Rounding::Down)?)?.checked_neg()
	}
}

/// The share of `cost` that belongs to `closing` out of `size_abs` units,
/// rounded towards +∞ (so the realised PnL rounds down). Closing everything
/// takes the whole cost, so the cost basis is conserved exactly.
pub fn cost_share(cost: i128, size_abs: u128, closing: u128) -> Option<i128> {
	if closing > size_abs || size_abs == 0 {
		return None;
	}
	if closing == size_abs {
		return Some(cost);
	}
	if cost >= 0 {
		signed(mul_div(cost.unsigned_abs(), closing, size_abs, Rounding::Up)?)
	} else {
		signed(mul_div(cost.unsigned_abs(), closing, size_abs, Rounding::Down)?)?.checked_neg()
	}
}

/// Realises `closing` units of a position of `size` with cost basis `cost`
/// at `price`. Returns `(pnl, cost_closed)`: the PnL (rounded towards −∞)
/// and the part of the cost basis removed.
pub fn realize(size: i128, cost: i128, closing: u128, price: Price) -> Option<(i128, i128)> {
	let size_abs = size.unsigned_abs();
	let closing_signed = signed(closing)?;
	let closed = if size >= 0 { closing_signed } else { closing_signed.checked_neg()? };
	let cost_closed = cost_share(cost, size_abs, closing)?;
	let pnl = value(closed, price)?.checked_sub(cost_closed)?;
	Some((pnl, cost_closed))
}

/// Funding a position of `size` owes for a change of the funding index of
/// `delta` (positive: it pays), rounded towards +∞.
pub fn funding_owed(size: i128, delta: FixedI128) -> Option<i128> {
	let delta = delta.into_inner();
	let pays = (size >= 0) == (delta >= 0);
	if pays {
		signed(mul_div(size.unsigned_abs(), delta.unsigned_abs(), ONE, Rounding::Up)?)
	} else {
		signed(mul_div(size.unsigned_abs(), delta.unsigned_abs(), ONE, Rounding::Down)?)?
			.checked_neg()
	}
}

/// A position's term in its market's `funding_basis`: `⌈size × index⌉`,
/// with `index` the funding index of its last settlement. The same function
/// is used when a position enters or leaves the aggregate, so the aggregate
/// is the exact sum of the terms.
pub fn funding_basis(size: i128, index: FixedI128) -> Option<i128> {
	funding_owed(size, index)
}

/// The net unrealized PnL of a market's traders at `price`, from its
/// aggregates: `⌊long × price⌋ − long_cost + short_cost − ⌈short × price⌉`.
///
/// Each side is valued as a single position, with the rounding each position
/// gets (longs down, shorts up). Since `Σ⌊xᵢ⌋ ≤ ⌊Σxᵢ⌋` and `⌈Σxᵢ⌉ ≤ Σ⌈xᵢ⌉`,
/// the aggregate is at least the sum of the positions' own PnL and exceeds
/// it by less than one unit per position: it may overstate the traders'
/// profit (understate their loss), never the reverse — in the pool's favour.
pub fn market_pnl(
	long: u128,
	short: u128,
	long_cost: Balance,
	short_cost: Balance,
	price: Price,
) -> Option<i128> {
	signed(notional(long, price, Rounding::Down)?)?
		.checked_sub(signed(long_cost)?)?
		.checked_add(signed(short_cost)?)?
		.checked_sub(signed(notional(short, price, Rounding::Up)?)?)
}

/// The funding a market's traders have accrued and not settled (positive:
/// they owe it), from its aggregates: `⌈skew × index⌉ − funding_basis`.
///
/// With `n` positions this is at most the sum of the positions' own accrued
/// funding (each rounded up) and less than `2n` units below it (each basis
/// term and each position's own figure round up by less than a unit): it
/// may understate what the traders owe, never overstate it — again the
/// traders' net PnL comes out overstated, in the pool's favour.
pub fn market_accrued_funding(skew: i128, index: FixedI128, basis: i128) -> Option<i128> {
	funding_owed(skew, index)?.checked_sub(basis)
}

/// Splits `total` into parts proportional to `weights`, each part at most
/// its weight, summing to `total` exactly.
///
/// Each part is `⌊total × weightᵢ / Σweights⌋`; the remainder (less than one
/// unit per weight) goes to the largest weight (the first of equals), and
/// only what does not fit there (dust with tiny weights) to the next largest
/// ones. `None` when `total` exceeds the sum of the weights or on overflow.
pub fn split_pro_rata(total: Balance, weights: &[Balance]) -> Option<alloc::vec::Vec<Balance>> {
	let sum = weights.iter().try_fold(0u128, |sum, w| sum.checked_add(*w))?;
	if total > sum {
		return None;
	}
	let mut parts = alloc::vec::Vec::with_capacity(weights.len());
	for weight in weights {
		parts.push(if sum == 0 { 0 } else { mul_div(total, *weight, sum, Rounding::Down)? });
	}
	let given = parts.iter().try_fold(0u128, |sum, p| sum.checked_add(*p))?;
	let mut rest = total.checked_sub(given)?;
	// Largest weights first; a stable sort keeps equal weights in order.
	let mut order: alloc::vec::Vec<usize> = (0..weights.len()).collect();
	order.sort_by(|a, b| weights.get(*b).cmp(&weights.get(*a)));
	for index in order {
		if rest == 0 {
			break;
		}
		let (Some(part), Some(weight)) = (parts.get_mut(index), weights.get(index)) else {
			return None;
		};
		let room = weight.checked_sub(*part)?;
		let more = room.min(rest);
		*part = part.checked_add(more)?;
		rest = rest.checked_sub(more)?;
	}
	(rest == 0).then_some(parts)
}

/// The funding rate per block: `clamp(skew / scale, −1, 1) × max_rate`, as a
/// signed fraction of the price (positive when long-heavy: longs pay).
pub fn funding_rate(skew: i128, scale: u128, max_rate: Perbill) -> Option<FixedI128> {
	if scale == 0 {
		return None;
	}
	let max_inner = u128::from(max_rate.deconstruct()).checked_mul(PERBILL_TO_FIXED)?;
	let magnitude = mul_div(skew.unsigned_abs().min(scale), max_inner, scale, Rounding::Down)?;
	let magnitude = signed(magnitude)?;
	let inner = if skew >= 0 { magnitude } else { magnitude.checked_neg()? };
	Some(FixedI128::from_inner(inner))
}

/// The funding index increment of one block: `rate × price` dollars per base
/// unit.
pub fn funding_increment(rate: FixedI128, price: Price) -> Option<FixedI128> {
	let inner = rate.into_inner();
	let magnitude =
		signed(mul_div(inner.unsigned_abs(), price.into_inner(), ONE, Rounding::Down)?)?;
	let inner = if inner >= 0 { magnitude } else { magnitude.checked_neg()? };
	Some(FixedI128::from_inner(inner))
}

/// The skew fee of a trade of `delta` on a market of skew `skew_before`.
///
/// Only the part of the trade that moves `|skew|` away from zero pays: if it
/// takes `|skew|` from `u0` to `u1`, the fee is the integral of
/// `price × fee × u / scale` over that range,
/// `notional(u1 − u0) × fee × (u0 + u1) / (2 × scale)`, rounded up. The part
/// that brings the skew back towards zero pays none (no rebate). The integral
/// makes the fee path-independent: splitting a trade does not lower it.
pub fn skew_fee(
	price: Price,
	skew_before: i128,
	delta: i128,
	fee: Permill,
	scale: u128,
) -> Option<Balance> {
	if fee.is_zero() || delta == 0 {
		return Some(0);
	}
	if scale == 0 {
		return None;
	}
	let before = skew_before.unsigned_abs();
	let step = delta.unsigned_abs();
	let same_side = skew_before == 0 || (skew_before > 0) == (delta > 0);
	let (from, to) = if same_side {
		(before, before.checked_add(step)?)
	} else if step > before {
		(0, step.checked_sub(before)?)
	} else {
		return Some(0);
	};
	let widened = notional(to.checked_sub(from)?, price, Rounding::Up)?;
	let scaled = mul_div(widened, from.checked_add(to)?, scale.checked_mul(2)?, Rounding::Up)?;
	permill_of(scaled, fee, Rounding::Up)
}

/// The initial-margin add-on from open interest (dYdX liquidity tiers): zero
/// up to `lower`, rising linearly to `1 − base` at `upper`, rounded up.
pub fn open_interest_addon(
	open_interest: Balance,
	lower: Balance,
	upper: Balance,
	base: FixedU128,
) -> Option<FixedU128> {
	let room = FixedU128::one().saturating_sub(base);
	if open_interest <= lower {
		return Some(FixedU128::zero());
	}
	if open_interest >= upper {
		return Some(room);
	}
	let span = upper.checked_sub(lower)?;
	let above = open_interest.checked_sub(lower)?;
	Some(FixedU128::from_inner(mul_div(room.into_inner(), above, span, Rounding::Up)?))
}

/// A market's volatility estimate: `confidence + |spot − ema| / spot`, the
/// divergence rounded up (`None` for a spot of zero or on overflow). Both
/// the initial-margin add-on and the backstop premium read it.
pub fn volatility_estimate(spot: Price, ema: Price, confidence: Permill) -> Option<FixedU128> {
	let gap = if spot >= ema { spot.saturating_sub(ema) } else { ema.saturating_sub(spot) };
	let divergence = mul_div(gap.into_inner(), ONE, spot.into_inner(), Rounding::Up)?;
	let estimate = divergence.checked_add(permill_to_fixed(confidence).into_inner())?;
	Some(FixedU128::from_inner(estimate))
}

/// The initial-margin add-on from volatility:
/// `min(cap, multiplier × volatility_estimate)`, rounded up.
pub fn volatility_addon(
	spot: Price,
	ema: Price,
	confidence: Permill,
	multiplier: FixedU128,
	cap: Permill,
) -> Option<FixedU128> {
	let cap = permill_to_fixed(cap);
	if multiplier.is_zero() || cap.is_zero() {
		return Some(FixedU128::zero());
	}
	let estimate = volatility_estimate(spot, ema, confidence)?.into_inner();
	let addon = mul_div(estimate, multiplier.into_inner(), ONE, Rounding::Up)?;
	Some(FixedU128::from_inner(addon).min(cap))
}

/// The premium index increment of one block: `rate × price` dollars per
/// whole base unit, rounded down (the index is what every position pays, so
/// rounding it down never charges more than the rate).
pub fn premium_increment(rate: FixedU128, price: Price) -> Option<FixedU128> {
	Some(FixedU128::from_inner(mul_div(
		rate.into_inner(),
		price.into_inner(),
		ONE,
		Rounding::Down,
	)?))
}

/// The premium a position of `size` owes for a rise of the premium index of
/// `delta`: `⌈|size| × delta⌉` micro-dollars, long or short alike (rounded
/// up: the payer pays the part of a unit).
pub fn premium_owed(size: i128, delta: FixedU128) -> Option<Balance> {
	mul_div(size.unsigned_abs(), delta.into_inner(), ONE, Rounding::Up)
}

/// The stressed loss of a side of `notional` when its asset gaps by
/// `stress` against it with a maintenance margin of `maintenance`:
/// `⌈notional × (stress − maintenance)⁺⌉` (a position at maintenance margin
/// is left with that much bad debt).
pub fn stressed_loss(notional: Balance, stress: Permill, maintenance: Permill) -> Option<Balance> {
	permill_of(notional, stress.saturating_sub(maintenance), Rounding::Up)
}

/// `min(1, base + addons)`.
pub fn initial_margin_fraction(
	base: Permill,
	open_interest_addon: FixedU128,
	volatility_addon: FixedU128,
) -> FixedU128 {
	// Each term is at most 1 (the add-ons are capped by construction), so the
	// saturating sums stay exact below the final cap of 1.
	permill_to_fixed(base)
		.saturating_add(open_interest_addon)
		.saturating_add(volatility_addon)
		.min(FixedU128::one())
}

/// `notional × fraction`, rounded up.
pub fn requirement(notional: Balance, fraction: FixedU128) -> Option<Balance> {
	fraction_of(notional, fraction, Rounding::Up)
}

/// A fee of `fee` on `size` units expressed per base unit, rounded up.
pub fn fee_per_unit(fee: Balance, size: u128) -> Option<Price> {
	Some(FixedU128::from_inner(mul_div(fee, ONE, size, Rounding::Up)?))
}

/// The average entry price of a position: `|cost| / |size|`.
pub fn entry_price(cost: i128, size: i128) -> Option<Price> {
	Some(FixedU128::from_inner(mul_div(
		cost.unsigned_abs(),
		ONE,
		size.unsigned_abs(),
		Rounding::Down,
	)?))
}

/// The price at which an account reaches its maintenance requirement when
/// only this position's price moves.
///
/// With `excess = equity − maintenance requirement` at `price`, moving the
/// price by `dp` changes equity by `size × dp` and the requirement by
/// `|size| × maintenance × dp`, so the boundary lies at
/// `price − excess / (size × (1 − m))` for a long and
/// `price + excess / (|size| × (1 + m))` for a short. `None` when no positive
/// price reaches it (or the size is zero).
pub fn liquidation_price(
	price: Price,
	size: i128,
	excess: i128,
	maintenance: Permill,
) -> Option<Price> {
	if size == 0 {
		return None;
	}
	let m = u128::from(maintenance.deconstruct());
	let per_unit = if size > 0 { PERMILL.checked_sub(m)? } else { PERMILL.checked_add(m)? };
	let denominator = size.unsigned_abs().checked_mul(per_unit)?;
	// excess [micro-dollars] / (size [millionths] × per_unit / 10^6) is in
	// dollars per base unit; as a FixedU128 inner value that is
	// excess × 10^18 × 10^6 / (size × per_unit).
	let shift = FixedU128::from_inner(mul_div(
		excess.unsigned_abs(),
		ONE.checked_mul(PERMILL)?,
		denominator,
		Rounding::Down,
	)?);
	let falls = (size > 0) == (excess >= 0);
	let boundary = if falls {
		if shift >= price {
			return None;
		}
		price.saturating_sub(shift)
	} else {
		price.checked_add(&shift)?
	};
	(!boundary.is_zero()).then_some(boundary)
}

#[cfg(test)]
mod tests {
	use super::*;
	use proptest::prelude::*;

	fn p(n: u32) -> Price {
		Price::from_u32(n)
	}

	#[test]
	fn notional_of_one_btc_is_its_price_in_micro_dollars() {
		assert_eq!(notional(1_000_000, p(65_000), Rounding::Down), Some(65_000_000_000));
		// One millionth of a unit at one millionth of a dollar rounds to 0 or 1.
		let tiny = Price::from_inner(1_000_000_000_000);
		assert_eq!(notional(1, tiny, Rounding::Down), Some(0));
		assert_eq!(notional(1, tiny, Rounding::Up), Some(1));
	}

	#[test]
	fn notional_overflow_is_none() {
		assert_eq!(notional(u128::MAX, p(2), Rounding::Up), None);
		assert_eq!(notional(u128::MAX, Price::from_inner(u128::MAX), Rounding::Down), None);
	}

	#[test]
	fn value_and_cost_round_against_the_trader() {
		let price = Price::from_rational(1, 3);
		// 1 unit at 1/3 is 0.333.. micro-dollars.
		assert_eq!(value(1, price), Some(0));
		assert_eq!(entry_cost(1, price), Some(1));
		assert_eq!(value(-1, price), Some(-1));
		assert_eq!(entry_cost(-1, price), Some(0));
		assert_eq!(value(i128::MAX, Price::from_inner(u128::MAX)), None);
	}

	#[test]
	fn realize_conserves_the_cost_basis() {
		// Long 3 units bought for 10 micro-dollars, closed in three pieces.
		let (pnl1, c1) = realize(3, 10, 1, p(4)).unwrap();
		assert_eq!(c1, 4); // ceil(10 / 3)
		assert_eq!(pnl1, 0);
		let (pnl2, c2) = realize(2, 10 - c1, 1, p(4)).unwrap();
		assert_eq!(c2, 3);
		assert_eq!(pnl2, 1);
		let (pnl3, c3) = realize(1, 10 - c1 - c2, 1, p(4)).unwrap();
		assert_eq!(c3, 3);
		assert_eq!(c1 + c2 + c3, 10);
		assert_eq!(pnl1 + pnl2 + pnl3, 12 - 10);
		// Short: cost -10 for -3 units.
		let (pnl, c) = realize(-3, -10, 1, p(2)).unwrap();
		assert_eq!(c, -3); // towards +inf: -floor(10/3)
		assert_eq!(pnl, -2 + 3);
		assert_eq!(realize(3, 10, 4, p(1)), None);
	}

	#[test]
	fn funding_rounds_against_the_position() {
		let third = FixedI128::from_rational(1, 3);
		assert_eq!(funding_owed(1, third), Some(1));
		assert_eq!(funding_owed(-1, third), Some(0));
		assert_eq!(funding_owed(1, -third), Some(0));
		assert_eq!(funding_owed(-1, -third), Some(1));
		assert_eq!(funding_owed(3_000_000, FixedI128::from_u32(2)), Some(6_000_000));
		assert_eq!(funding_owed(-3_000_000, FixedI128::from_u32(2)), Some(-6_000_000));
		assert_eq!(funding_owed(0, FixedI128::from_u32(2)), Some(0));
	}

	#[test]
	fn funding_rate_is_clamped_and_signed() {
		let max = Perbill::from_parts(1_000);
		let max_fixed = FixedI128::from_inner(1_000 * 1_000_000_000);
		assert_eq!(funding_rate(100, 100, max), Some(max_fixed));
		assert_eq!(funding_rate(1_000, 100, max), Some(max_fixed));
		assert_eq!(funding_rate(-1_000, 100, max), Some(-max_fixed));
		assert_eq!(funding_rate(50, 100, max), Some(FixedI128::from_inner(500 * 1_000_000_000)));
		assert_eq!(funding_rate(0, 100, max), Some(FixedI128::zero()));
		assert_eq!(funding_rate(1, 0, max), None);
		assert_eq!(
			funding_increment(FixedI128::from_rational(1, 1_000), p(2_000)),
			Some(FixedI128::from_u32(2))
		);
		assert_eq!(
			funding_increment(-FixedI128::from_rational(1, 1_000), p(2_000)),
			Some(-FixedI128::from_u32(2))
		);
	}

	#[test]
	fn skew_fee_charges_only_the_widening_part() {
		let fee = Permill::from_percent(1);
		// From skew 0 to 100 with scale 100 at price 1: notional 100 × 1% × 1/2.
		assert_eq!(skew_fee(p(1), 0, 100, fee, 100), Some(1));
		assert_eq!(skew_fee(p(1_000), 0, 100, fee, 100), Some(500));
		// Reducing the skew pays nothing.
		assert_eq!(skew_fee(p(1_000), 100, -100, fee, 100), Some(0));
		assert_eq!(skew_fee(p(1_000), 100, -40, fee, 100), Some(0));
		// Flipping from +100 to -100 pays for 0 -> 100 only.
		assert_eq!(skew_fee(p(1_000), 100, -200, fee, 100), Some(500));
		// Widening further from 100 to 200 costs three times as much.
		assert_eq!(skew_fee(p(1_000), 100, 100, fee, 100), Some(1_500));
		assert_eq!(skew_fee(p(1_000), 0, 100, Permill::zero(), 100), Some(0));
		assert_eq!(skew_fee(p(1_000), 0, 100, fee, 0), None);
	}

	#[test]
	fn open_interest_addon_is_linear_between_caps() {
		let base = FixedU128::from_rational(1, 10);
		assert_eq!(open_interest_addon(50, 100, 200, base), Some(FixedU128::zero()));
		assert_eq!(open_interest_addon(100, 100, 200, base), Some(FixedU128::zero()));
		assert_eq!(
			open_interest_addon(150, 100, 200, base),
			Some(FixedU128::from_rational(45, 100))
		);
		assert_eq!(open_interest_addon(200, 100, 200, base), Some(FixedU128::from_rational(9, 10)));
		assert_eq!(open_interest_addon(900, 100, 200, base), Some(FixedU128::from_rational(9, 10)));
	}

	#[test]
	fn premium_is_owed_by_both_sides_rounded_up() {
		let delta = FixedU128::from_rational(1, 3);
		// 10 × 1/3 = 3.33: rounded up for a long and a short alike.
		assert_eq!(premium_owed(10, delta), Some(4));
		assert_eq!(premium_owed(-10, delta), Some(4));
		assert_eq!(premium_owed(9, delta), Some(3));
		assert_eq!(premium_owed(0, delta), Some(0));
		assert_eq!(premium_owed(10, FixedU128::zero()), Some(0));
	}

	#[test]
	fn premium_increment_rounds_down() {
		let price = FixedU128::from_u32(50_000);
		assert_eq!(
			premium_increment(FixedU128::from_rational(1, 1_000_000), price),
			Some(FixedU128::from_rational(5, 100))
		);
		// 1e-18 × 1/3 of a dollar: nothing.
		assert_eq!(
			premium_increment(FixedU128::from_inner(1), FixedU128::from_rational(1, 3)),
			Some(FixedU128::zero())
		);
	}

	#[test]
	fn stressed_loss_is_zero_at_or_below_maintenance_and_rounds_up() {
		let mm = Permill::from_percent(5);
		assert_eq!(stressed_loss(1_000, Permill::from_percent(30), mm), Some(250));
		assert_eq!(stressed_loss(1_000, mm, mm), Some(0));
		assert_eq!(stressed_loss(1_000, Permill::from_percent(1), mm), Some(0));
		// 3 × 25% = 0.75: one unit.
		assert_eq!(stressed_loss(3, Permill::from_percent(30), mm), Some(1));
	}

	#[test]
	fn volatility_estimate_adds_confidence_and_divergence() {
		let p = |n| FixedU128::from_u32(n);
		assert_eq!(volatility_estimate(p(100), p(100), Permill::zero()), Some(FixedU128::zero()));
		assert_eq!(
			volatility_estimate(p(100), p(98), Permill::from_percent(1)),
			Some(FixedU128::from_rational(3, 100))
		);
		// Either side of the EMA.
		assert_eq!(
			volatility_estimate(p(100), p(102), Permill::zero()),
			Some(FixedU128::from_rational(2, 100))
		);
		assert_eq!(volatility_estimate(FixedU128::zero(), p(1), Permill::zero()), None);
	}

	#[test]
	fn volatility_addon_is_capped() {
		let two = FixedU128::from_u32(2);
		let cap = Permill::from_percent(10);
		// 2% divergence + 1% confidence, doubled: 6%.
		assert_eq!(
			volatility_addon(p(100), p(98), Permill::from_percent(1), two, cap),
			Some(FixedU128::from_rational(6, 100))
		);
		assert_eq!(
			volatility_addon(p(100), p(80), Permill::zero(), two, cap),
			Some(FixedU128::from_rational(1, 10))
		);
		assert_eq!(
			volatility_addon(p(100), p(80), Permill::zero(), FixedU128::zero(), cap),
			Some(FixedU128::zero())
		);
		assert_eq!(
			initial_margin_fraction(
				Permill::from_percent(50),
				FixedU128::from_rational(4, 10),
				FixedU128::from_rational(3, 10)
			),
			FixedU128::one()
		);
	}

	#[test]
	fn liquidation_price_matches_the_boundary() {
		// Long 1 unit, price 100, excess 9 dollars, maintenance 10%: the price
		// may fall 9 / 0.9 = 10 dollars.
		let m = Permill::from_percent(10);
		assert_eq!(liquidation_price(p(100), 1_000_000, 9_000_000, m), Some(p(90)));
		// Short 1 unit: it may rise 11 / 1.1 = 10 dollars.
		assert_eq!(liquidation_price(p(100), -1_000_000, 11_000_000, m), Some(p(110)));
		// Already below: the boundary lies on the other side.
		assert_eq!(liquidation_price(p(100), 1_000_000, -9_000_000, m), Some(p(110)));
		// A long that no positive price can liquidate.
		assert_eq!(liquidation_price(p(100), 1_000_000, 200_000_000, m), None);
		assert_eq!(liquidation_price(p(100), 0, 1, m), None);
	}

	#[test]
	fn market_pnl_values_each_side_as_one_position() {
		// Three longs of 1 at 1/2, bought for 1 each (rounded up), are worth
		// ⌊1.5⌋ together; three shorts of 1 sold for 0 each owe ⌈1.5⌉.
		let half = Price::from_rational(1, 2);
		assert_eq!(market_pnl(3, 0, 3, 0, half), Some(1 - 3));
		assert_eq!(market_pnl(0, 3, 0, 0, half), Some(-2));
		// Valued one by one they would be worth 0 and owe 3.
		assert_eq!(value(1, half), Some(0));
		assert_eq!(value(-1, half), Some(-1));
		assert_eq!(
			market_pnl(2_000_000, 1_000_000, dollar(100), dollar(60), p(70)),
			Some(
				dollar(140) as i128 - dollar(100) as i128 + dollar(60) as i128 - dollar(70) as i128
			)
		);
		assert_eq!(market_pnl(u128::MAX, 0, 0, 0, p(2)), None);
	}

	fn dollar(n: u128) -> Balance {
		n * 1_000_000
	}

	#[test]
	fn market_funding_is_the_index_on_the_skew_minus_the_basis() {
		let index = FixedI128::from_rational(1, 3);
		// One long of 1 settled at index 0, one long of 2 at 1/3.
		let basis = funding_basis(1, FixedI128::zero()).unwrap() + funding_basis(2, index).unwrap();
		assert_eq!(basis, 1);
		assert_eq!(market_accrued_funding(3, index, basis), Some(0));
		// The positions themselves owe ⌈1/3⌉ + 0 = 1: the aggregate is lower.
		assert_eq!(funding_owed(1, index), Some(1));
	}

	#[test]
	fn split_pro_rata_is_exact_and_bounded() {
		assert_eq!(split_pro_rata(10, &[1, 1, 1]), None);
		assert_eq!(split_pro_rata(0, &[]), Some(vec![]));
		assert_eq!(split_pro_rata(0, &[0, 0]), Some(vec![0, 0]));
		assert_eq!(split_pro_rata(100, &[300, 100]), Some(vec![75, 25]));
		// 10 × 1/3 = 3.33 each: the remainder goes to the first largest.
		assert_eq!(split_pro_rata(10, &[5, 5, 5]), Some(vec![4, 3, 3]));
		assert_eq!(split_pro_rata(10, &[5, 9, 5]), Some(vec![2, 6, 2]));
		// Dust that does not fit the largest spills to the next.
		assert_eq!(split_pro_rata(2, &[1, 1, 1]), Some(vec![1, 1, 0]));
		assert_eq!(split_pro_rata(3, &[1, 1, 1]), Some(vec![1, 1, 1]));
	}

	proptest! {
		#[test]
		fn split_skew_fees_never_cost_less(
			skew in -1_000_000i128..1_000_000,
			a in -1_000_000i128..1_000_000,
			b in -1_000_000i128..1_000_000,
			price in 1u32..100_000,
		) {
			let fee = Permill::from_parts(5_000);
			let scale = 3_000_000;
			let price = p(price);
			let whole = skew_fee(price, skew, a + b, fee, scale).unwrap();
			let first = skew_fee(price, skew, a, fee, scale).unwrap();
			let second = skew_fee(price, skew + a, b, fee, scale).unwrap();
			// Splitting a trade in two that both go the same way never pays
			// less than the single trade (rounding may add a unit per piece).
			if (a >= 0) == (b >= 0) {
				prop_assert!(first + second >= whole);
			}
		}

		#[test]
		fn round_trips_never_gain(
			size in 1i128..10_000_000_000,
			num in 1u128..1_000_000_000_000,
			den in 1u128..1_000_000,
			short in any::<bool>(),
		) {
			let price = Price::from_rational(num, den);
			let size = if short { -size } else { size };
			let cost = entry_cost(size, price).unwrap();
			let (pnl, closed) = realize(size, cost, size.unsigned_abs(), price).unwrap();
			prop_assert_eq!(closed, cost);
			prop_assert!(pnl <= 0);
			prop_assert!(pnl >= -1);
		}

		#[test]
		fn partial_closes_conserve_cost_and_never_beat_a_whole_close(
			size in 2i128..1_000_000_000,
			split in 1u128..1_000,
			entry in 1u32..100_000,
			exit in 1u32..100_000,
			short in any::<bool>(),
		) {
			let size = if short { -size } else { size };
			let cost = entry_cost(size, p(entry)).unwrap();
			let part = (split % (size.unsigned_abs() - 1)) + 1;
			let (pnl1, c1) = realize(size, cost, part, p(exit)).unwrap();
			let rest = if short { size + part as i128 } else { size - part as i128 };
			let (pnl2, c2) = realize(rest, cost - c1, rest.unsigned_abs(), p(exit)).unwrap();
			let (whole, _) = realize(size, cost, size.unsigned_abs(), p(exit)).unwrap();
			prop_assert_eq!(c1 + c2, cost);
			prop_assert!(pnl1 + pnl2 <= whole);
		}

		#[test]
		fn split_pro_rata_sums_exactly_within_the_weights(
			weights in proptest::collection::vec(0u128..1_000_000_000_000, 0..16),
			share in 0u128..=1_000_000,
		) {
			let sum: u128 = weights.iter().sum();
			let total = sum * share / 1_000_000;
			let parts = split_pro_rata(total, &weights).unwrap();
			prop_assert_eq!(parts.iter().sum::<u128>(), total);
			for (part, weight) in parts.iter().zip(weights.iter()) {
				prop_assert!(part <= weight);
				// Never further from the exact share than the remainder.
				let exact = total * weight / sum.max(1);
				prop_assert!(*part + 16 >= exact);
			}
		}

		#[test]
		fn aggregates_overstate_the_traders_by_less_than_a_unit_per_position(
			sizes in proptest::collection::vec(-1_000_000_000i128..1_000_000_000, 1..12),
			entries in proptest::collection::vec(1u128..1_000_000_000_000, 12),
			indices in proptest::collection::vec(-1_000_000_000_000_000_000i128..1_000_000_000_000_000_000, 12),
			num in 1u128..1_000_000_000_000,
			now in -1_000_000_000_000_000_000i128..1_000_000_000_000_000_000,
		) {
			let price = Price::from_rational(num, 1_000);
			let index = FixedI128::from_inner(now);
			let (mut long, mut short, mut long_cost, mut short_cost, mut basis) = (0, 0, 0, 0, 0);
			let (mut pnl_sum, mut funding_sum, mut n) = (0i128, 0i128, 0i128);
			for (i, size) in sizes.iter().copied().filter(|s| *s != 0).enumerate() {
				let entry = Price::from_rational(entries[i], 1_000);
				let own = FixedI128::from_inner(indices[i]);
				let cost = entry_cost(size, entry).unwrap();
				if size > 0 {
					long += size.unsigned_abs();
					long_cost += cost.unsigned_abs();
				} else {
					short += size.unsigned_abs();
					short_cost += cost.unsigned_abs();
				}
				basis += funding_basis(size, own).unwrap();
				pnl_sum += realize(size, cost, size.unsigned_abs(), price).unwrap().0;
				funding_sum += funding_owed(size, index - own).unwrap();
				n += 1;
			}
			let skew = long as i128 - short as i128;
			let pnl = market_pnl(long, short, long_cost, short_cost, price).unwrap();
			let funding = market_accrued_funding(skew, index, basis).unwrap();
			prop_assert!(pnl >= pnl_sum && pnl - pnl_sum < n.max(1));
			prop_assert!(funding <= funding_sum && funding_sum - funding < 2 * n.max(1));
		}

		#[test]
		fn funding_of_opposite_positions_never_creates_money(
			size in 1i128..1_000_000_000_000,
			delta in -1_000_000_000_000_000_000i128..1_000_000_000_000_000_000,
		) {
			let delta = FixedI128::from_inner(delta);
			let long = funding_owed(size, delta).unwrap();
			let short = funding_owed(-size, delta).unwrap();
			// What the long pays and the short receives (or the reverse) nets
			// to at least zero for the pool.
			prop_assert!(long + short >= 0);
			prop_assert!(long + short <= 1);
		}
	}
}
