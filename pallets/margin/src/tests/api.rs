//! The runtime API helpers and the `RiskExposure` implementation.

use super::*;
use backstop_primitives::{PriceUnavailable, RiskExposure};
use pallet_margin_runtime_api::HealthError;
use sp_arithmetic::{traits::Saturating, FixedI128, FixedU128};

#[test]
fn account_health_reports_every_figure() {
	ExtBuilder::default().build_and_execute(|| {
		assert_eq!(Margin::account_health(&ALICE), Err(HealthError::NoAccount));
		deposit(ALICE, dollars(10_000));
		let empty = Margin::account_health(&ALICE).unwrap();
		assert_eq!(empty.equity, dollars(10_000) as i128);
		assert_eq!(empty.health, None);
		assert!(!empty.liquidatable && empty.positions.is_empty());

		trade(ALICE, BTC, UNIT);
		set_price(BTC_ASSET, usd(48_000));
		let health = Margin::account_health(&ALICE).unwrap();
		assert_eq!(health.collateral, dollars(9_950));
		assert_eq!(health.unrealized_pnl, -(dollars(2_000) as i128));
		assert_eq!(health.accrued_funding, 0);
		assert_eq!(health.equity, dollars(7_950) as i128);
		assert_eq!(health.initial_requirement, dollars(4_800));
		assert_eq!(health.maintenance_requirement, dollars(2_400));
		assert_eq!(health.health, Some(FixedI128::from_rational(7_950, 2_400)));
		assert!(!health.liquidatable);
		let position = &health.positions[0];
		assert_eq!(position.market, BTC);
		assert_eq!(position.size, UNIT);
		assert_eq!(position.entry_price, usd(50_000));
		assert_eq!(position.price, usd(48_000));
		assert_eq!(position.notional, dollars(48_000));
		assert_eq!(position.initial_margin_fraction, FixedU128::from_rational(1, 10));
		assert_eq!(position.initial_requirement, dollars(4_800));
		assert_eq!(position.maintenance_requirement, dollars(2_400));
	});
}

#[test]
fn liquidation_prices_mark_the_boundary() {
	ExtBuilder::default().build_and_execute(|| {
		deposit(ALICE, dollars(10_000));
		deposit(BOB, dollars(10_000));
		trade(ALICE, BTC, UNIT);
		trade(BOB, ETH, -10 * UNIT);
		let cent = Price::from_rational(1, 100);
		for (who, asset) in [(ALICE, BTC_ASSET), (BOB, ETH_ASSET)] {
			let health = Margin::account_health(&who).unwrap();
			let boundary = health.positions[0].liquidation_price.expect("a boundary exists");
			let (safe, unsafe_) = if health.positions[0].size > 0 {
				(boundary.saturating_add(cent), boundary.saturating_sub(cent))
			} else {
				(boundary.saturating_sub(cent), boundary.saturating_add(cent))
			};
			set_price(asset, safe);
			assert_eq!(Margin::is_liquidatable(&who), Ok(false));
			set_price(asset, unsafe_);
			assert_eq!(Margin::is_liquidatable(&who), Ok(true));
		}
		// Alice's: 50,000 - (9,950 - 2,500) / 0.95.
		set_price(BTC_ASSET, usd(50_000));
		let boundary = Margin::account_health(&ALICE).unwrap().positions[0].liquidation_price;
		assert_eq!(boundary.map(|p| p.saturating_mul_int(100u128)), Some(4_215_789));
	});
}

#[test]
fn a_fully_collateralised_long_has_no_liquidation_price() {
	ExtBuilder::default().build_and_execute(|| {
		deposit(ALICE, dollars(100_000));
		trade(ALICE, BTC, UNIT);
		assert_eq!(Margin::account_health(&ALICE).unwrap().positions[0].liquidation_price, None);
	});
}

#[test]
fn health_needs_prices() {
	ExtBuilder::default().build_and_execute(|| {
		deposit(ALICE, dollars(10_000));
		trade(ALICE, BTC, UNIT);
		set_price_unavailable(BTC_ASSET, PriceUnavailable::Stale);
		assert_eq!(
			Margin::account_health(&ALICE),
			Err(HealthError::PriceUnavailable { market: BTC, reason: PriceUnavailable::Stale })
		);
		assert_eq!(
			Margin::is_liquidatable(&ALICE),
			Err(HealthError::PriceUnavailable { market: BTC, reason: PriceUnavailable::Stale })
		);
		assert_eq!(Margin::is_liquidatable(&BOB), Ok(false));
	});
}

#[test]
fn market_summary_and_open_interest() {
	ExtBuilder::default().build_and_execute(|| {
		assert_eq!(Margin::market_summary(42), None);
		deposit(ALICE, dollars(10_000));
		deposit(BOB, dollars(20_000));
		trade(ALICE, BTC, UNIT);
		trade(BOB, BTC, -2 * UNIT);
		trade(BOB, ETH, 4 * UNIT);
		let summary = Margin::market_summary(BTC).unwrap();
		assert_eq!(summary.market, BTC);
		assert_eq!(summary.params, btc_params());
		assert_eq!(summary.status, MarketStatus::Active);
		assert_eq!(summary.skew, -UNIT);
		assert_eq!(summary.state.long_open_interest, UNIT as u128);
		assert_eq!(summary.state.short_open_interest, 2 * UNIT as u128);
		assert_eq!(summary.open_interest_notional, dollars(150_000));
		assert_eq!(summary.state.deficit, 0);
		assert_eq!(Margin::market_ids(), vec![BTC, ETH]);
		// RiskExposure: gross notional at the oracle price...
		assert_eq!(<Margin as RiskExposure>::open_interest(BTC), dollars(150_000));
		assert_eq!(<Margin as RiskExposure>::open_interest(ETH), dollars(10_000));
		assert_eq!(<Margin as RiskExposure>::open_interest(42), 0);
		assert_eq!(<Margin as RiskExposure>::total_open_interest(), dollars(160_000));
		// ...or at the last fresh price while the oracle has none.
		set_price(BTC_ASSET, usd(60_000));
		assert_eq!(<Margin as RiskExposure>::open_interest(BTC), dollars(180_000));
		set_price_unavailable(BTC_ASSET, PriceUnavailable::Stale);
		assert_eq!(<Margin as RiskExposure>::open_interest(BTC), dollars(150_000));
	});
}
