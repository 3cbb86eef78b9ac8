//! Tests of the options backstop: pricing against an `f64` reference and its
//! properties, the vault's shares, sales, settlement, early exercise, the
//! purchase policy, the rolling listing and governance.

use crate::{math, mock::*, *};
use backstop_primitives::{Balance, Price};
use frame_support::{
	assert_noop, assert_ok,
	traits::{fungible::Inspect, Hooks},
	BoundedVec,
};
use proptest::prelude::*;
use sp_runtime::{
	traits::{One, Zero},
	DispatchError, FixedI128, FixedPointNumber, FixedU128, Permill,
};

// ---------- helpers ----------

fn fx(x: f64) -> i128 {
	(x * 1e18).round() as i128
}
fn fl(x: i128) -> f64 {
	x as f64 / 1e18
}
fn ncdf(x: f64) -> f64 {
	0.5 * libm::erfc(-x / core::f64::consts::SQRT_2)
}
/// The f64 Black–Scholes put at a zero rate (the reference).
fn bs_put_f64(s: f64, k: f64, v: f64, t: f64) -> f64 {
	if k == 0.0 || v == 0.0 || t == 0.0 {
		return (k - s).max(0.0);
	}
	let vst = v * t.sqrt();
	let d1 = ((s / k).ln() + vst * vst / 2.0) / vst;
	let d2 = d1 - vst;
	(k * ncdf(-d2) - s * ncdf(-d1)).max((k - s).max(0.0))
}
fn price(p: u32) -> Price {
	FixedU128::from_u32(p)
}
fn root() -> RuntimeOrigin {
	RuntimeOrigin::root()
}
fn risk() -> RuntimeOrigin {
	RuntimeOrigin::signed(RISK_TRACK)
}
fn guardian() -> RuntimeOrigin {
	RuntimeOrigin::signed(GUARDIAN)
}
fn signed(who: AccountId) -> RuntimeOrigin {
	RuntimeOrigin::signed(who)
}
fn balance(who: AccountId) -> Balance {
	Balances::balance(&who)
}
fn vault() -> VaultState {
	Vault::<Test>::get()
}
/// The genesis series.
const S0: SeriesId = 0;
/// The expiry of the genesis series.
const EXPIRY: BlockNumber = 1 + TENOR;
fn last_event() -> RuntimeEvent {
	System::events().pop().expect("an event").event
}
fn buy(size: u128) -> Balance {
	let before = balance(FUND);
	assert_ok!(Options::buy_protection(root(), S0, size, Balance::MAX));
	before - balance(FUND)
}
fn quote_s0(size: u128) -> Quote {
	let s = SeriesOf::<Test>::get(S0).unwrap();
	Options::quote(BTC, s.strike_high, s.strike_low, s.expiry as u32, size).unwrap()
}

// ---------- pricing: the fixed-point Black–Scholes against f64 ----------

/// Across strikes (deep out of the money to deep in), tenors (a day to two
/// years) and volatilities (10% to 300%), at two price scales: the fixed
/// point put is within `10⁻¹² × (S + K)` absolute plus `10⁻⁹` relative of
/// the f64 reference.
#[test]
fn black_scholes_matches_f64_reference() {
	let mut checked = 0;
	for spot in [100.0f64, 60_000.0] {
		for moneyness in [0.2, 0.4, 0.6, 0.8, 0.9, 1.0, 1.1, 1.5, 3.0] {
			for years in [1.0 / 365.0, 0.1, 0.5, 1.0, 2.0] {
				for vol in [0.1, 0.3, 0.8, 1.5, 3.0] {
					let strike = spot * moneyness;
					let got = fl(math::bs_put(fx(spot), fx(strike), fx(vol), fx(years)).unwrap());
					let want = bs_put_f64(spot, strike, vol, years);
					let tol = 1e-12 * (spot + strike) + 1e-9 * want;
					assert!(
						(got - want).abs() <= tol,
						"P(S={spot}, K={strike}, σ={vol}, t={years}) = {got}, want {want}"
					);
					checked += 1;
				}
			}
		}
	}
	assert_eq!(checked, 2 * 9 * 5 * 5);
}

/// Deep out of the money, where the value is a tiny difference of two
/// products: still within the absolute tolerance, and never negative.
#[test]
fn deep_out_of_the_money_puts_are_tiny_and_accurate() {
	for (m, vol, years) in [(0.3, 0.5, 0.1), (0.5, 0.3, 0.05), (0.1, 1.0, 0.5), (0.6, 0.2, 0.02)] {
		let got = math::bs_put(fx(100.0), fx(100.0 * m), fx(vol), fx(years)).unwrap();
		let want = bs_put_f64(100.0, 100.0 * m, vol, years);
		assert!(got >= 0);
		assert!((fl(got) - want).abs() <= 1e-12 * 200.0, "m={m}: {} vs {want}", fl(got));
	}
}

/// Put–call parity at a zero rate: `C − P = S − K`, with the call computed
/// from the same fixed-point CDF as `S·N(d₁) − K·N(d₂)`.
#[test]
fn put_call_parity_holds() {
	for (s, k, v, t) in
		[(100.0, 80.0, 0.5, 0.25), (100.0, 120.0, 0.9, 1.0), (60_000.0, 48_000.0, 0.6, 0.1)]
	{
		let (s, k, v, t) = (fx(s), fx(k), fx(v), fx(t));
		let vst = math::mul(v, math::sqrt(t).unwrap()).unwrap();
		let d1 = math::div(
			math::ln(math::div(s, k).unwrap()).unwrap() + math::mul(vst, vst).unwrap() / 2,
			vst,
		)
		.unwrap();
		let d2 = d1 - vst;
		let call = math::mul(s, math::norm_cdf(d1).unwrap()).unwrap()
			- math::mul(k, math::norm_cdf(d2).unwrap()).unwrap();
		let put = math::bs_put(s, k, v, t).unwrap();
		let gap = (call - put) - (s - k);
		assert!(gap.abs() <= (s + k) / 1_000_000_000_000, "parity gap {gap}");
	}
}

proptest! {
	#![proptest_config(ProptestConfig::with_cases(200))]

	/// The put value rises with the strike, the tenor and the volatility, to
	/// within the fixed point's resolution: values below `10⁻¹⁵ × (S + K)`
	/// (deep out of the money, `N(−d)` under 10⁻¹⁵) carry the last digits'
	/// rounding, far below one micro-dollar per whole unit.
	#[test]
	fn put_is_monotone(
		spot in 1_000u32..100_000,
		m1 in 10u32..150, dm in 1u32..50,
		v1 in 5u32..300, dv in 1u32..100,
		t1 in 1u32..1000, dt in 1u32..1000,
	) {
		let s = i128::from(spot) * math::ONE;
		let k = |m: u32| s / 100 * i128::from(m);
		let v = |x: u32| i128::from(x) * math::ONE / 100;
		let t = |x: u32| i128::from(x) * math::ONE / 365;
		let base = math::bs_put(s, k(m1), v(v1), t(t1)).unwrap();
		let tol = (s + k(m1 + dm)) / 1_000_000_000_000_000;
		prop_assert!(math::bs_put(s, k(m1 + dm), v(v1), t(t1)).unwrap() >= base - tol);
		prop_assert!(math::bs_put(s, k(m1), v(v1 + dv), t(t1)).unwrap() >= base - tol);
		prop_assert!(math::bs_put(s, k(m1), v(v1), t(t1 + dt)).unwrap() >= base - tol);
		// No-arbitrage bounds.
		prop_assert!(base >= (k(m1) - s).max(0));
		prop_assert!(base <= k(m1));
	}

	/// The fixed-point put stays within tolerance of the f64 reference over
	/// random terms.
	#[test]
	fn put_matches_reference_randomly(
		m in 5u32..300, v in 5u32..400, t in 1u32..730,
	) {
		let (s, k, vol, years) = (100.0, f64::from(m), f64::from(v) / 100.0, f64::from(t) / 365.0);
		let got = fl(math::bs_put(fx(s), fx(k), fx(vol), fx(years)).unwrap());
		let want = bs_put_f64(s, k, vol, years);
		prop_assert!((got - want).abs() <= 1e-12 * (s + k) + 1e-9 * want, "{} vs {}", got, want);
	}
}

// ---------- pricing: the volatility surface and the quote ----------

#[test]
fn skew_interpolates_linearly_and_is_flat_beyond_its_ends() {
	let points = skew();
	let at = |x: i128| Options::skew_at(&points, FixedI128::from_inner(x * 10_000_000_000_000_000));
	assert_eq!(at(-100), FixedU128::from_rational(160, 100));
	assert_eq!(at(-70), FixedU128::from_rational(160, 100));
	assert_eq!(at(-50), FixedU128::from_rational(145, 100));
	assert_eq!(at(-15), FixedU128::from_rational(115, 100));
	assert_eq!(at(0), FixedU128::one());
	assert_eq!(at(15), FixedU128::from_rational(95, 100));
	assert_eq!(at(99), FixedU128::from_rational(90, 100));
	assert_eq!(Options::skew_at(&[], FixedI128::zero()), FixedU128::one());
}

#[test]
fn base_volatility_is_the_floored_and_capped_oracle_proxy() {
	ExtBuilder::default().build_and_execute(|| {
		let params = Pricing::<Test>::get();
		// 1% confidence × 10 = 10%: floored at 30%.
		let info = Options::price_of(BTC).unwrap();
		assert_eq!(Options::base_vol(&info, &params), params.vol_floor);
		// 4% confidence and a 2% spot/EMA divergence: 60%.
		set_price_full(BTC, price(61_200), price(60_000), Permill::from_percent(4));
		let info = Options::price_of(BTC).unwrap();
		assert_eq!(Options::base_vol(&info, &params), FixedU128::from_rational(60, 100));
		// A 50% dispersion: capped at 300%.
		set_price_full(BTC, price(90_000), price(60_000), Permill::from_percent(0));
		let info = Options::price_of(BTC).unwrap();
		assert_eq!(Options::base_vol(&info, &params), params.vol_cap);
	});
}

/// The quote is the f64 Black–Scholes spread at the implied volatilities it
/// reports, plus the early-exercise premium computed the same way.
#[test]
fn quote_matches_f64_spread_reference() {
	ExtBuilder::default().build_and_execute(|| {
		let q = quote_s0(10 * UNIT_SIZE);
		let (s, k1, k2, t) = (60_000.0, 48_000.0, 36_000.0, (EXPIRY - 1) as f64 / YEAR as f64);
		let (v1, v2) = (q.iv_high.to_float(), q.iv_low.to_float());
		let european = bs_put_f64(s, k1, v1, t) - bs_put_f64(s, k2, v2, t);
		let gap = (k1 - k2) - (bs_put_f64(k2, k1, v1, t) - bs_put_f64(k2, k2, v2, t));
		let early = 0.05 * gap.max(0.0);
		let got = q.unit_premium.to_float();
		assert!((got - (european + early)).abs() <= 1e-6, "{got} vs {}", european + early);
		assert!((q.unit_early_exercise.to_float() - early).abs() <= 1e-6);
		// The premium is the unit premium × size, rounded up.
		let exact = q.unit_premium.into_inner() * 10; // 10 whole units
		assert_eq!(q.premium, exact.div_ceil(1_000_000_000_000));
		assert_eq!(q.collateral, 10 * 12_000 * DOLLAR);
	});
}

/// Ten whole base units.
const UNIT_SIZE: u128 = UNIT;

#[test]
fn skew_raises_out_of_the_money_premiums() {
	let quote_with = |builder: ExtBuilder| {
		let mut out = (0, 0);
		builder.build_and_execute(|| {
			let put =
				Options::quote(BTC, price(48_000), Zero::zero(), EXPIRY as u32, UNIT).unwrap();
			let spread = quote_s0(UNIT);
			out = (put.premium, spread.premium);
		});
		out
	};
	let (flat_put, flat_spread) = quote_with(ExtBuilder::default().flat_skew());
	let (skew_put, skew_spread) = quote_with(ExtBuilder::default());
	assert!(skew_put > flat_put, "{skew_put} <= {flat_put}");
	assert!(skew_spread > flat_spread, "{skew_spread} <= {flat_spread}");
}

#[test]
fn utilization_raises_the_premium_per_unit() {
	ExtBuilder::default().build_and_execute(|| {
		let small = quote_s0(UNIT);
		let large = quote_s0(80 * UNIT);
		assert!(large.utilization > small.utilization);
		assert!(large.iv_high > small.iv_high);
		assert!(large.unit_premium > small.unit_premium);
	});
}

#[test]
fn early_exercise_premium_follows_the_trigger_probability() {
	ExtBuilder::default().build_and_execute(|| {
		let with = quote_s0(UNIT);
		assert!(!with.unit_early_exercise.is_zero());
		let mut params = Pricing::<Test>::get();
		params.trigger_probability = Permill::zero();
		assert_ok!(Options::set_pricing(root(), params));
		let without = quote_s0(UNIT);
		assert!(without.unit_early_exercise.is_zero());
		assert_eq!(
			with.unit_premium.into_inner() - with.unit_early_exercise.into_inner(),
			without.unit_premium.into_inner()
		);
	});
}

#[test]
fn quotes_need_a_price_and_ordered_strikes() {
	ExtBuilder::default().build_and_execute(|| {
		remove_price(BTC);
		assert_eq!(quote_s0_opt(), None);
		assert_noop!(
			Options::buy_protection(root(), S0, UNIT, Balance::MAX),
			Error::<Test>::PriceUnavailable
		);
		set_price(BTC, 60_000);
		assert_eq!(Options::quote(BTC, price(36_000), price(48_000), EXPIRY as u32, UNIT), None);
	});
}

fn quote_s0_opt() -> Option<Quote> {
	Options::quote(BTC, price(48_000), price(36_000), EXPIRY as u32, UNIT)
}

// ---------- the vault ----------

#[test]
fn deposits_mint_shares_at_nav() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(Options::deposit(signed(BOB), 1_000 * DOLLAR));
		assert_eq!(Underwriters::<Test>::get(BOB).unwrap().shares, 1_000 * DOLLAR);
		assert_noop!(Options::deposit(signed(BOB), 0), Error::<Test>::ZeroAmount);
		assert_noop!(Options::deposit(signed(BOB), DOLLAR - 1), Error::<Test>::BelowMinDeposit);
		// A sale: premium in, liability out; NAV per share moves with it.
		buy(20 * UNIT);
		let v = vault();
		let nav = Options::nav_of(&v).unwrap();
		assert_ok!(Options::deposit(signed(CHARLIE), 10_000 * DOLLAR));
		let expected = 10_000 * DOLLAR * v.shares / nav;
		assert_eq!(Underwriters::<Test>::get(CHARLIE).unwrap().shares, expected);
		assert!(matches!(last_event(), RuntimeEvent::Options(Event::Deposited { .. })));
	});
}

#[test]
fn withdrawals_wait_for_the_delay_and_lapse_after_the_window() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(Options::withdraw(signed(ALICE), 1), Error::<Test>::NoWithdrawRequest);
		assert_noop!(Options::request_withdraw(signed(ALICE), 0), Error::<Test>::ZeroAmount);
		assert_noop!(
			Options::request_withdraw(signed(ALICE), SEED + 1),
			Error::<Test>::InsufficientShares
		);
		assert_ok!(Options::request_withdraw(signed(ALICE), 1_000 * DOLLAR));
		assert_noop!(
			Options::request_withdraw(signed(ALICE), SEED),
			Error::<Test>::InsufficientShares
		);
		assert_noop!(
			Options::withdraw(signed(ALICE), 1_000 * DOLLAR),
			Error::<Test>::WithdrawalLocked
		);
		jump_to(1 + DELAY);
		assert_noop!(
			Options::withdraw(signed(ALICE), 1_001 * DOLLAR),
			Error::<Test>::NoWithdrawRequest
		);
		let before = balance(ALICE);
		assert_ok!(Options::withdraw(signed(ALICE), 400 * DOLLAR));
		assert_eq!(balance(ALICE) - before, 400 * DOLLAR);
		System::assert_last_event(
			Event::Withdrawn { who: ALICE, shares: 400 * DOLLAR, amount: 400 * DOLLAR }.into(),
		);
		jump_to(1 + DELAY + WITHDRAW_WINDOW);
		assert_noop!(
			Options::withdraw(signed(ALICE), 600 * DOLLAR),
			Error::<Test>::WithdrawalLocked
		);
		// A lapsed request is replaced by a new one.
		assert_ok!(Options::request_withdraw(signed(ALICE), 50 * DOLLAR));
		assert_eq!(Underwriters::<Test>::get(ALICE).unwrap().request.unwrap().shares, 50 * DOLLAR);
		assert_ok!(Options::cancel_withdraw(signed(ALICE)));
		assert_noop!(Options::cancel_withdraw(signed(ALICE)), Error::<Test>::NoWithdrawRequest);
	});
}

#[test]
fn withdrawals_pay_the_lower_nav_so_no_one_leaves_ahead_of_a_loss() {
	ExtBuilder::default().build_and_execute(|| {
		buy(50 * UNIT);
		assert_ok!(Options::request_withdraw(signed(ALICE), 100_000 * DOLLAR));
		let request = Underwriters::<Test>::get(ALICE).unwrap().request.unwrap();
		// The crash: the open spreads are deep in the money, NAV falls.
		set_price(BTC, 30_000);
		jump_to(1 + DELAY);
		let v = vault();
		let nav = Options::nav_of(&v).unwrap();
		let at_nav = 100_000 * DOLLAR * nav / v.shares;
		assert!(at_nav < (request.share_price.saturating_mul_int(100_000 * DOLLAR)));
		let before = balance(ALICE);
		assert_ok!(Options::withdraw(signed(ALICE), 100_000 * DOLLAR));
		assert_eq!(balance(ALICE) - before, at_nav);
	});
}

#[test]
fn underwriters_cannot_withdraw_collateral_backing_open_puts() {
	ExtBuilder::default().build_and_execute(|| {
		// 80 BTC of 48k/36k spreads lock 960 000 dollars of the 1 000 000.
		buy(80 * UNIT);
		let v = vault();
		assert_eq!(v.locked, 80 * 12_000 * DOLLAR);
		assert_ok!(Options::request_withdraw(signed(ALICE), SEED));
		jump_to(1 + DELAY);
		let free = v.cash - v.locked;
		assert_noop!(
			Options::withdraw(signed(ALICE), SEED),
			Error::<Test>::InsufficientFreeCollateral
		);
		// What is free can leave (priced at the lower NAV), no more.
		assert_ok!(Options::withdraw(signed(ALICE), 30_000 * DOLLAR));
		assert!(vault().cash >= vault().locked);
		assert!(balance(ALICE) <= ENDOWMENT + free);
		// A further sale cannot use the collateral either.
		assert_noop!(
			Options::buy_protection(root(), S0, 10 * UNIT, Balance::MAX),
			Error::<Test>::InsufficientFreeCollateral
		);
	});
}

#[derive(Debug, Clone)]
enum Op {
	Deposit(AccountId, Balance),
	Request(AccountId, Balance),
	Withdraw(AccountId),
	Buy(u128),
	Move(u32),
	Wait(u64),
}

fn op() -> impl Strategy<Value = Op> {
	prop_oneof![
		(1u64..4, 1u128..5_000_000_000_000).prop_map(|(w, a)| Op::Deposit(w, a)),
		(1u64..4, 1u128..5_000_000_000_000).prop_map(|(w, a)| Op::Request(w, a)),
		(1u64..4).prop_map(Op::Withdraw),
		(1u128..20_000_000).prop_map(Op::Buy),
		(30_000u32..90_000).prop_map(Op::Move),
		(1u64..30).prop_map(Op::Wait),
	]
}

proptest! {
	#![proptest_config(ProptestConfig::with_cases(40))]

	/// Over random deposits, requests, withdrawals, sales and price moves:
	/// every deposit mints exactly `⌊amount × shares / NAV⌋`, every
	/// withdrawal pays exactly the lower of the request's and today's price
	/// (each rounded down), shares add up, locked collateral never leaves.
	#[test]
	fn vault_shares_are_exact_over_random_sequences(ops in proptest::collection::vec(op(), 1..25)) {
		ExtBuilder::default().build_and_execute(|| {
			for op in ops {
				match op {
					Op::Deposit(who, amount) => {
						let v = vault();
						let nav = Options::nav_of(&v).unwrap();
						let before = Underwriters::<Test>::get(who).map(|p| p.shares).unwrap_or(0);
						if Options::deposit(signed(who), amount).is_ok() {
							let minted = Underwriters::<Test>::get(who).unwrap().shares - before;
							assert_eq!(minted, amount * v.shares / nav);
							assert_eq!(vault().cash, v.cash + amount);
						}
					},
					Op::Request(who, shares) => {
						let _ = Options::request_withdraw(signed(who), shares);
					},
					Op::Withdraw(who) => {
						let Some(position) = Underwriters::<Test>::get(who) else { continue };
						let Some(request) = position.request else { continue };
						let v = vault();
						let nav = Options::nav_of(&v).unwrap();
						let at_request = request.share_price.into_inner() * request.shares / FixedU128::DIV;
						let at_nav = sp_runtime::helpers_128bit::multiply_by_rational_with_rounding(
							request.shares, nav, v.shares, sp_runtime::Rounding::Down).unwrap();
						let before = balance(who);
						if Options::withdraw(signed(who), request.shares).is_ok() {
							let paid = balance(who) - before;
							assert_eq!(paid, at_request.min(at_nav));
							assert!(vault().cash >= vault().locked);
						}
					},
					Op::Buy(size) => {
						let _ = Options::buy_protection(root(), S0, size, Balance::MAX);
					},
					Op::Move(p) => set_price(BTC, u128::from(p)),
					Op::Wait(blocks) => jump_to(System::block_number() + blocks),
				}
				Options::do_try_state().unwrap();
			}
		});
	}
}

// ---------- sales, settlement, early exercise ----------

#[test]
fn a_sale_moves_the_premium_and_locks_the_maximum_payout() {
	ExtBuilder::default().build_and_execute(|| {
		let q = quote_s0(10 * UNIT);
		let before = vault();
		let paid = buy(10 * UNIT);
		assert_eq!(paid, q.premium);
		let after = vault();
		assert_eq!(after.cash, before.cash + q.premium);
		assert_eq!(after.locked, 10 * 12_000 * DOLLAR);
		let series = SeriesOf::<Test>::get(S0).unwrap();
		assert_eq!(
			(series.open, series.collateral, series.premiums),
			(10 * UNIT, after.locked, paid)
		);
		System::assert_last_event(
			Event::ProtectionBought {
				series: S0,
				size: 10 * UNIT,
				premium: q.premium,
				collateral: after.locked,
				iv_high: q.iv_high,
				iv_low: q.iv_low,
				by_policy: false,
			}
			.into(),
		);
	});
}

#[test]
fn sales_refuse_bad_input_with_state_unchanged() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(
			Options::buy_protection(root(), S0, 0, Balance::MAX),
			Error::<Test>::ZeroAmount
		);
		assert_noop!(
			Options::buy_protection(root(), 7, UNIT, Balance::MAX),
			Error::<Test>::UnknownSeries
		);
		let q = quote_s0(UNIT);
		assert_noop!(
			Options::buy_protection(root(), S0, UNIT, q.premium - 1),
			Error::<Test>::PremiumTooHigh
		);
		assert_noop!(
			Options::buy_protection(root(), S0, 100 * UNIT, Balance::MAX),
			Error::<Test>::InsufficientFreeCollateral
		);
		jump_to(EXPIRY - WINDOW);
		assert_noop!(
			Options::buy_protection(root(), S0, UNIT, Balance::MAX),
			Error::<Test>::SeriesClosed
		);
	});
}

/// A crash below the strikes: settlement at the time-average of the EMA over
/// the settlement window pays the fund exactly `size × min(K₁ − P, K₁ − K₂)`.
#[test]
fn a_crash_pays_the_fund_exactly_the_spread_payoff() {
	ExtBuilder::default().build_and_execute(|| {
		let size = 12_345_678; // 12.345678 BTC
		buy(size);
		jump_to(EXPIRY - WINDOW - 1);
		// The crash: −30% then −35% over the window; the average is the settlement price.
		set_price(BTC, 42_000);
		run_blocks(5);
		set_price(BTC, 39_000);
		run_blocks(5);
		assert_eq!(System::block_number(), EXPIRY - 1);
		assert_noop!(Options::settle(signed(NOBODY), S0), Error::<Test>::NotExpired);
		jump_to(EXPIRY);
		let series = SeriesOf::<Test>::get(S0).unwrap();
		assert_eq!(series.twap_samples, 10);
		let settlement = FixedU128::from_u32(40_500);
		let payout = size * (48_000 - 40_500); // in micro-dollars: size (millionths) × dollars
		let fund = balance(FUND);
		let cash = vault().cash;
		assert_ok!(Options::settle(signed(NOBODY), S0));
		assert_eq!(balance(FUND) - fund, payout);
		assert_eq!(FundPayouts::get(), payout);
		assert_eq!(vault().cash, cash - payout);
		assert_eq!(vault().locked, 0);
		System::assert_last_event(
			Event::SeriesSettled {
				series: S0,
				price: settlement,
				payout,
				released: series.collateral,
			}
			.into(),
		);
		assert_noop!(Options::settle(signed(NOBODY), S0), Error::<Test>::UnknownSeries);
	});
}

#[test]
fn a_crash_through_both_strikes_pays_the_full_width_and_no_more() {
	ExtBuilder::default().build_and_execute(|| {
		buy(10 * UNIT);
		jump_to(EXPIRY - WINDOW - 1);
		set_price(BTC, 30_000);
		run_blocks(WINDOW);
		jump_to(EXPIRY);
		let fund = balance(FUND);
		assert_ok!(Options::settle(signed(NOBODY), S0));
		assert_eq!(balance(FUND) - fund, 10 * 12_000 * DOLLAR);
	});
}

#[test]
fn out_of_the_money_at_expiry_pays_nothing_and_releases_the_collateral() {
	ExtBuilder::default().build_and_execute(|| {
		let premium = buy(10 * UNIT);
		jump_to(EXPIRY);
		let fund = balance(FUND);
		assert_ok!(Options::settle(signed(NOBODY), S0));
		assert_eq!(balance(FUND), fund);
		assert_eq!(vault(), VaultState { cash: SEED + premium, shares: SEED, locked: 0 });
	});
}

/// The runtime scenario in miniature: a −50% crash ends with the fund
/// larger, with the protection bought, than without it, by the payout net of
/// the premium.
#[test]
fn protection_leaves_the_fund_larger_after_a_crash() {
	let run = |protect: bool| {
		let mut out = (0, 0, 0);
		ExtBuilder::default().build_and_execute(|| {
			let premium = if protect { buy(20 * UNIT) } else { 0 };
			jump_to(EXPIRY - WINDOW - 1);
			set_price(BTC, 30_000);
			run_blocks(WINDOW);
			jump_to(EXPIRY);
			assert_ok!(Options::settle(signed(NOBODY), S0));
			out = (balance(FUND), premium, FundPayouts::get());
		});
		out
	};
	let (with, premium, payout) = run(true);
	let (without, _, _) = run(false);
	assert_eq!(payout, 20 * 12_000 * DOLLAR);
	assert_eq!(with, without + payout - premium);
}

#[test]
fn early_exercise_pays_intrinsic_only_below_the_floor_during_a_crash() {
	ExtBuilder::default().build_and_execute(|| {
		buy(10 * UNIT);
		assert_noop!(
			Options::exercise_early(signed(NOBODY), S0, UNIT),
			Error::<Test>::NotBelowFloor
		);
		BelowFloor::set(true);
		assert_noop!(
			Options::exercise_early(signed(NOBODY), S0, UNIT),
			Error::<Test>::OutOfTheMoney
		);
		assert_noop!(Options::exercise_early(signed(NOBODY), S0, 0), Error::<Test>::ZeroAmount);
		assert_noop!(
			Options::exercise_early(signed(NOBODY), S0, 11 * UNIT),
			Error::<Test>::ExceedsOpen
		);
		assert_noop!(
			Options::exercise_early(signed(NOBODY), 9, UNIT),
			Error::<Test>::UnknownSeries
		);
		// The crash: spot 38 000, EMA still 41 000: exercised at the higher.
		set_price_full(BTC, price(38_000), price(41_000), Permill::from_percent(3));
		let size = 4 * UNIT;
		let fund = balance(FUND);
		let locked = vault().locked;
		assert_ok!(Options::exercise_early(signed(NOBODY), S0, size));
		let payout = 4 * (48_000 - 41_000) * DOLLAR;
		assert_eq!(balance(FUND) - fund, payout);
		assert_eq!(vault().locked, locked - 4 * 12_000 * DOLLAR);
		let series = SeriesOf::<Test>::get(S0).unwrap();
		assert_eq!(series.open, 6 * UNIT);
		System::assert_last_event(
			Event::ExercisedEarly {
				series: S0,
				size,
				price: price(41_000),
				payout,
				released: 4 * 12_000 * DOLLAR,
			}
			.into(),
		);
		jump_to(EXPIRY);
		assert_noop!(
			Options::exercise_early(signed(NOBODY), S0, UNIT),
			Error::<Test>::AlreadyExpired
		);
	});
}

// ---------- the rolling listing ----------

#[test]
fn the_hook_lists_and_rolls_series() {
	ExtBuilder::default().without_series().build_and_execute(|| {
		assert_eq!(SeriesOf::<Test>::count(), 0);
		run_blocks(1);
		let id = Listed::<Test>::get(0).unwrap();
		let s = SeriesOf::<Test>::get(id).unwrap();
		assert_eq!(
			(s.strike_high, s.strike_low, s.expiry),
			(price(48_000), price(36_000), 2 + TENOR)
		);
		// No second listing while the first is live.
		run_blocks(3);
		assert_eq!(SeriesOf::<Test>::count(), 1);
		// When it enters its settlement window, the next one is listed.
		jump_to(2 + TENOR - WINDOW - 1);
		set_price(BTC, 50_000);
		run_blocks(1);
		assert_eq!(SeriesOf::<Test>::count(), 2);
		let next = Listed::<Test>::get(0).unwrap();
		assert_ne!(next, id);
		assert_eq!(SeriesOf::<Test>::get(next).unwrap().strike_high, price(40_000));
		// No price: no listing.
		remove_price(ETH);
		assert_ok!(Options::add_template(root(), Template { asset: ETH, ..btc_template() }));
		run_blocks(1);
		assert_eq!(SeriesOf::<Test>::count(), 2);
		set_price(ETH, 3_000);
		run_blocks(1);
		assert_eq!(SeriesOf::<Test>::count(), 3);
	});
}

#[test]
fn the_listing_is_bounded_by_max_series() {
	ExtBuilder::default().without_series().build_and_execute(|| {
		MaxSeries::set(1);
		assert_ok!(Options::add_template(root(), Template { asset: ETH, ..btc_template() }));
		run_blocks(1);
		assert_eq!(SeriesOf::<Test>::count(), 1);
	});
}

// ---------- the purchase policy ----------

#[test]
fn the_policy_buys_up_to_the_target_within_the_budget() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(Options::execute_policy(signed(NOBODY)), Error::<Test>::NothingToBuy);
		FeeIncome::set(200_000 * DOLLAR);
		// The period began at genesis with no income: 50% of 200 000, capped at 50 000.
		assert_ok!(Options::execute_policy(signed(NOBODY)));
		let protection = Options::protection(BTC).unwrap();
		// The target: 100 000 dollars at a 30% fall (42 000): 6 000 a BTC.
		assert!(protection.payout_at_30 >= 100_000 * DOLLAR);
		assert!(protection.payout_at_30 < 100_000 * DOLLAR + 6_000);
		assert_eq!(protection.payout_at_50, SeriesOf::<Test>::get(S0).unwrap().collateral);
		let spent = Budget::<Test>::get().spent;
		assert_eq!(spent, FundPremiums::get());
		assert!(spent <= 50_000 * DOLLAR);
		// Target met: nothing more.
		assert_noop!(Options::execute_policy(signed(NOBODY)), Error::<Test>::NothingToBuy);
	});
}

#[test]
fn the_budget_binds_the_policy() {
	ExtBuilder::default().build_and_execute(|| {
		FeeIncome::set(2_000 * DOLLAR);
		assert_ok!(Options::execute_policy(signed(NOBODY)));
		// 50% of 2 000 dollars.
		let spent = Budget::<Test>::get().spent;
		assert!(spent <= 1_000 * DOLLAR, "{spent}");
		assert!(spent > 995 * DOLLAR, "{spent}");
		assert!(Options::protection(BTC).unwrap().payout_at_30 < 100_000 * DOLLAR);
		// What is left of the budget (a few dollars) may still buy; never more.
		let _ = Options::execute_policy(signed(NOBODY));
		assert!(Budget::<Test>::get().spent <= 1_000 * DOLLAR);
		assert_eq!(Budget::<Test>::get().spent, FundPremiums::get());
		// A new period (begun by the hook) with new income.
		jump_to(1_000);
		FeeIncome::set(4_000 * DOLLAR);
		run_blocks(1);
		assert_eq!(
			Budget::<Test>::get(),
			BudgetState { period_start: 1_001, income_at_start: 4_000 * DOLLAR, spent: 0 }
		);
		assert_noop!(Options::execute_policy(signed(NOBODY)), Error::<Test>::NothingToBuy);
		FeeIncome::set(6_000 * DOLLAR);
		assert_ok!(Options::execute_policy(signed(NOBODY)));
	});
}

#[test]
fn the_policy_stops_when_disabled_or_the_fund_is_below_its_floor() {
	ExtBuilder::default().build_and_execute(|| {
		FeeIncome::set(200_000 * DOLLAR);
		BelowFloor::set(true);
		assert_noop!(Options::execute_policy(signed(NOBODY)), Error::<Test>::NothingToBuy);
		BelowFloor::set(false);
		assert_ok!(Options::set_policy(guardian(), PurchasePolicy { enabled: false, ..policy() }));
		assert_noop!(Options::execute_policy(signed(NOBODY)), Error::<Test>::PolicyDisabled);
	});
}

// ---------- runtime-API views ----------

#[test]
fn views_report_the_vault_series_and_underwriters() {
	ExtBuilder::default().build_and_execute(|| {
		let premium = buy(10 * UNIT);
		let view = Options::vault();
		assert_eq!(view.assets, SEED + premium);
		assert_eq!(view.collateral_used, 120_000 * DOLLAR);
		assert!(view.nav.unwrap() < view.assets);
		let series = Options::series();
		assert_eq!(series.len(), 1);
		assert_eq!(series[0].open, 10 * UNIT);
		assert!(series[0].value.unwrap() > 0);
		let alice = Options::underwriter(ALICE);
		assert_eq!(alice.shares, SEED);
		assert_eq!(alice.value, view.nav.unwrap());
		let p = Options::protection(BTC).unwrap();
		assert_eq!(p.payout_at_10, 0);
		assert_eq!(p.payout_at_30, 10 * 6_000 * DOLLAR);
		assert_eq!(p.max_payout, 120_000 * DOLLAR);
		assert_eq!(Options::protection(7), None);
	});
}

// ---------- governance ----------

fn pricing_with_floor(percent: u128) -> PricingParams {
	PricingParams { vol_floor: FixedU128::from_rational(percent, 100), ..pricing() }
}

#[test]
fn governance_set_pricing() {
	ExtBuilder::default().build_and_execute(|| {
		// The guardian may tighten (raise the floor 30% → 33%), not loosen.
		assert_noop!(
			Options::set_pricing(guardian(), pricing_with_floor(27)),
			Error::<Test>::GuardianCannotLoosen
		);
		assert_ok!(Options::set_pricing(guardian(), pricing_with_floor(33)));
		assert_eq!(ParamChangedAt::<Test>::get(ParamKey::VolFloor), Some(1));
		// The risk track: too soon, then too large a step, then fine.
		jump_to(5);
		assert_noop!(
			Options::set_pricing(risk(), pricing_with_floor(30)),
			Error::<Test>::ChangeTooSoon
		);
		jump_to(11);
		assert_noop!(
			Options::set_pricing(risk(), pricing_with_floor(60)),
			Error::<Test>::StepTooLarge
		);
		assert_ok!(Options::set_pricing(risk(), pricing_with_floor(30)));
		// Root ignores step and interval, not the hard ranges.
		assert_ok!(Options::set_pricing(root(), pricing_with_floor(200)));
		assert_noop!(
			Options::set_pricing(root(), pricing_with_floor(400)),
			Error::<Test>::InvalidPricing
		);
		assert_noop!(
			Options::set_pricing(root(), pricing_with_floor(0)),
			Error::<Test>::InvalidPricing
		);
		assert_noop!(Options::set_pricing(signed(NOBODY), pricing()), DispatchError::BadOrigin);
		System::assert_last_event(Event::PricingSet { params: pricing_with_floor(200) }.into());
	});
}

fn scaled_skew(percent: u128) -> BoundedVec<SkewPoint, MaxSkewPoints> {
	skew()
		.into_iter()
		.map(|p| SkewPoint {
			multiplier: p.multiplier * FixedU128::from_rational(percent, 100),
			..p
		})
		.collect::<Vec<_>>()
		.try_into()
		.unwrap()
}

#[test]
fn governance_set_skew() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(
			Options::set_skew(guardian(), scaled_skew(90)),
			Error::<Test>::GuardianCannotLoosen
		);
		assert_ok!(Options::set_skew(guardian(), scaled_skew(110)));
		assert_noop!(Options::set_skew(risk(), scaled_skew(100)), Error::<Test>::ChangeTooSoon);
		jump_to(11);
		assert_noop!(Options::set_skew(risk(), scaled_skew(200)), Error::<Test>::StepTooLarge);
		assert_ok!(Options::set_skew(risk(), scaled_skew(100)));
		// A new grid: governance only, and no relative step: Root only.
		let flat: BoundedVec<_, _> = vec![].try_into().unwrap();
		jump_to(30);
		assert_noop!(
			Options::set_skew(guardian(), flat.clone()),
			Error::<Test>::GuardianCannotLoosen
		);
		assert_noop!(Options::set_skew(risk(), flat.clone()), Error::<Test>::StepTooLarge);
		assert_ok!(Options::set_skew(root(), flat));
		let unordered: BoundedVec<_, _> =
			skew().into_iter().rev().collect::<Vec<_>>().try_into().unwrap();
		assert_noop!(Options::set_skew(root(), unordered), Error::<Test>::InvalidSkew);
		assert_noop!(Options::set_skew(root(), scaled_skew(300)), Error::<Test>::InvalidSkew);
		assert_noop!(Options::set_skew(signed(NOBODY), scaled_skew(100)), DispatchError::BadOrigin);
	});
}

#[test]
fn governance_set_policy() {
	ExtBuilder::default().build_and_execute(|| {
		let disabled = PurchasePolicy { enabled: false, ..policy() };
		// Disabling is defensive (no interval); re-enabling is a loosening.
		assert_ok!(Options::set_policy(guardian(), disabled));
		assert_noop!(
			Options::set_policy(guardian(), policy()),
			Error::<Test>::GuardianCannotLoosen
		);
		assert_ok!(Options::set_policy(risk(), policy()));
		// Any other change is governance only and step-bounded.
		let more = PurchasePolicy { budget_share: Permill::from_percent(60), ..policy() };
		assert_noop!(Options::set_policy(guardian(), more), Error::<Test>::GuardianCannotLoosen);
		assert_noop!(Options::set_policy(risk(), more), Error::<Test>::ChangeTooSoon);
		jump_to(11);
		let much_more = PurchasePolicy { budget_share: Permill::from_percent(90), ..policy() };
		assert_noop!(Options::set_policy(risk(), much_more), Error::<Test>::StepTooLarge);
		assert_ok!(Options::set_policy(risk(), more));
		assert_ok!(Options::set_policy(root(), much_more));
		assert_noop!(
			Options::set_policy(root(), PurchasePolicy { period: 0, ..policy() }),
			Error::<Test>::InvalidPolicy
		);
		assert_noop!(Options::set_policy(signed(NOBODY), policy()), DispatchError::BadOrigin);
	});
}

#[test]
fn governance_set_vault_params() {
	ExtBuilder::default().build_and_execute(|| {
		let params = |delay, window| VaultParams {
			min_deposit: DOLLAR,
			withdraw_delay: delay,
			withdraw_window: window,
		};
		// A longer delay tightens; a longer window loosens.
		assert_ok!(Options::set_vault_params(guardian(), params(DELAY + 5, WITHDRAW_WINDOW)));
		assert_noop!(
			Options::set_vault_params(guardian(), params(DELAY + 5, WITHDRAW_WINDOW + 2)),
			Error::<Test>::GuardianCannotLoosen
		);
		assert_noop!(
			Options::set_vault_params(risk(), params(DELAY, WITHDRAW_WINDOW)),
			Error::<Test>::ChangeTooSoon
		);
		jump_to(11);
		assert_noop!(
			Options::set_vault_params(risk(), params(DELAY * 3, WITHDRAW_WINDOW)),
			Error::<Test>::StepTooLarge
		);
		assert_ok!(Options::set_vault_params(risk(), params(DELAY, WITHDRAW_WINDOW)));
		assert_ok!(Options::set_vault_params(root(), params(DELAY * 10, WITHDRAW_WINDOW)));
		assert_noop!(
			Options::set_vault_params(root(), params(0, WITHDRAW_WINDOW)),
			Error::<Test>::InvalidVaultParams
		);
		assert_noop!(
			Options::set_vault_params(signed(NOBODY), params(DELAY, WITHDRAW_WINDOW)),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn governance_templates_and_purchases_are_governance_only() {
	ExtBuilder::default().build_and_execute(|| {
		let eth = Template { asset: ETH, ..btc_template() };
		assert_noop!(Options::add_template(guardian(), eth), Error::<Test>::GuardianCannotLoosen);
		assert_ok!(Options::add_template(risk(), eth));
		System::assert_last_event(Event::TemplateAdded { template: 1, terms: eth }.into());
		assert_noop!(
			Options::add_template(
				root(),
				Template { lower_moneyness: Permill::from_percent(90), ..eth }
			),
			Error::<Test>::InvalidTemplate
		);
		assert_noop!(
			Options::add_template(root(), Template { tenor: WINDOW, ..eth }),
			Error::<Test>::InvalidTemplate
		);
		assert_ok!(Options::add_template(root(), eth));
		assert_noop!(Options::add_template(root(), eth), Error::<Test>::TooManyTemplates);
		assert_noop!(Options::remove_template(guardian(), 1), Error::<Test>::GuardianCannotLoosen);
		assert_ok!(Options::remove_template(risk(), 1));
		assert_noop!(Options::remove_template(root(), 1), Error::<Test>::UnknownTemplate);
		assert_noop!(Options::add_template(signed(NOBODY), eth), DispatchError::BadOrigin);
		assert_noop!(Options::remove_template(signed(NOBODY), 0), DispatchError::BadOrigin);
		assert_noop!(
			Options::buy_protection(guardian(), S0, UNIT, Balance::MAX),
			Error::<Test>::GuardianCannotLoosen
		);
		assert_ok!(Options::buy_protection(risk(), S0, UNIT, Balance::MAX));
		assert_noop!(
			Options::buy_protection(signed(NOBODY), S0, UNIT, Balance::MAX),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn removing_a_template_keeps_its_series_until_settled() {
	ExtBuilder::default().build_and_execute(|| {
		buy(UNIT);
		assert_ok!(Options::remove_template(root(), 0));
		assert!(SeriesOf::<Test>::contains_key(S0));
		jump_to(EXPIRY);
		assert_ok!(Options::settle(signed(NOBODY), S0));
		// No template, no new listing.
		run_blocks(1);
		assert_eq!(SeriesOf::<Test>::count(), 0);
	});
}

#[test]
fn the_mock_passes_the_integrity_test() {
	ExtBuilder::default().build_and_execute(integrity_test);
}

#[test]
fn try_state_catches_a_broken_ledger() {
	ExtBuilder::default().build().execute_with(|| {
		Vault::<Test>::mutate(|v| v.locked = v.cash + 1);
		assert!(Options::do_try_state().is_err());
	});
	ExtBuilder::default().build().execute_with(|| {
		Vault::<Test>::mutate(|v| v.shares += 1);
		assert!(Options::do_try_state().is_err());
	});
}

#[test]
fn the_hook_weight_counts_its_steps() {
	ExtBuilder::default().build_and_execute(|| {
		let idle = Options::on_initialize(2);
		jump_to(EXPIRY - 1);
		let sampling = Options::on_initialize(EXPIRY - 1);
		assert!(sampling.ref_time() > idle.ref_time());
	});
}

#[test]
fn a_withdrawal_worth_nothing_is_refused() {
	ExtBuilder::default().build_and_execute(|| {
		buy(50 * UNIT);
		// A crash: NAV per share below one, so one share pays nothing.
		set_price(BTC, 30_000);
		assert_ok!(Options::request_withdraw(signed(ALICE), 1));
		jump_to(1 + DELAY);
		assert_noop!(Options::withdraw(signed(ALICE), 1), Error::<Test>::WithdrawalTooSmall);
		assert_noop!(Options::withdraw(signed(ALICE), 0), Error::<Test>::ZeroAmount);
	});
}

#[test]
fn a_broken_ledger_is_refused_not_paid() {
	ExtBuilder::default().build().execute_with(|| {
		use frame_support::traits::{
			fungible::Mutate,
			tokens::{Fortitude, Precision, Preservation},
		};
		assert_ok!(Options::request_withdraw(signed(ALICE), 1_000 * DOLLAR));
		jump_to(1 + DELAY);
		// Money leaves the pallet account behind the ledger's back.
		assert_ok!(<Balances as Mutate<AccountId>>::burn_from(
			&Options::account_id(),
			SEED,
			Preservation::Preserve,
			Precision::Exact,
			Fortitude::Force,
		));
		assert!(Options::do_try_state().is_err());
		assert_noop!(
			Options::withdraw(signed(ALICE), 1_000 * DOLLAR),
			Error::<Test>::LedgerExceedsAccount
		);
	});
}

#[test]
fn a_price_is_needed_to_price_shares_of_open_spreads() {
	ExtBuilder::default().build_and_execute(|| {
		// Without open spreads no price is needed.
		remove_price(BTC);
		assert_ok!(Options::deposit(signed(BOB), 100 * DOLLAR));
		set_price(BTC, 60_000);
		buy(UNIT);
		remove_price(BTC);
		assert_noop!(Options::deposit(signed(BOB), 100 * DOLLAR), Error::<Test>::PriceUnavailable);
		assert_noop!(Options::request_withdraw(signed(BOB), 1), Error::<Test>::PriceUnavailable);
		assert_eq!(Options::vault().nav, None);
	});
}
