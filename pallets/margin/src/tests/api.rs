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
		// A stale leg shields nothing: the liquidation check marks it at the
		// last price seen, moved against the position by its maintenance
		// margin. Alice holds ten times her margin, so she stays safe.
		assert_eq!(Margin::is_liquidatable(&ALICE), Ok(false));
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

#[test]
fn market_summary_reports_the_traders_pnl_against_the_pool() {
	ExtBuilder::default().build_and_execute(|| {
		deposit(ALICE, dollars(10_000));
		deposit(BOB, dollars(20_000));
		trade(ALICE, BTC, UNIT);
		trade(BOB, BTC, -2 * UNIT);
		set_price(BTC_ASSET, usd(49_000));
		// Alice -1,000, Bob +2,000.
		let summary = Margin::market_summary(BTC).unwrap();
		assert_eq!(summary.trader_pnl, Some(dollars(1_000) as i128));
		assert_eq!(summary.max_trader_pnl, Some(dollars(1_000_000_000)));
		assert!(!summary.pnl_cap_exceeded);
		assert_eq!(summary.state.long_cost, dollars(50_000));
		assert_eq!(summary.state.short_cost, dollars(100_000));
		MaxTraderPnl::set(Some(dollars(999)));
		assert!(Margin::market_summary(BTC).unwrap().pnl_cap_exceeded);
		MaxTraderPnl::set(None);
		let summary = Margin::market_summary(BTC).unwrap();
		assert_eq!((summary.max_trader_pnl, summary.pnl_cap_exceeded), (None, false));
		set_price_unavailable(BTC_ASSET, PriceUnavailable::Stale);
		assert_eq!(Margin::market_summary(BTC).unwrap().trader_pnl, None);
		// ETH has no open interest: nothing to value.
		set_price_unavailable(ETH_ASSET, PriceUnavailable::Stale);
		assert_eq!(Margin::market_summary(ETH).unwrap().trader_pnl, Some(0));
	});
}

#[test]
fn counterparty_exposure_values_pnl_funding_and_receivables() {
	use backstop_primitives::{CounterpartyExposure, MarketExposure};
	ExtBuilder::default().build_and_execute(|| {
		assert_eq!(Margin::total_exposure(), Ok(MarketExposure::default()));
		assert_eq!(Margin::market_exposure(42), Ok(MarketExposure::default()));
		deposit(ALICE, dollars(20_000));
		deposit(BOB, dollars(20_000));
		trade(ALICE, BTC, 3 * UNIT);
		trade(BOB, BTC, -UNIT);
		trade(BOB, ETH, 4 * UNIT);
		// Long-heavy: ten blocks of 0.01 dollar per BTC owed by the longs.
		accrue_to_block(11);
		set_price(BTC_ASSET, usd(51_000));
		let btc = Margin::market_exposure(BTC).unwrap();
		// Longs +3,000, short -1,000; funding 0.1 on the skew of 2 BTC.
		assert_eq!(btc.trader_pnl, (dollars(2_000) - 200_000) as i128);
		assert_eq!(btc.receivable, market(BTC).state.pool_receivable);
		// The positions' own figures sum to no more than the aggregate.
		let summed: i128 = [ALICE, BOB]
			.iter()
			.flat_map(|who| Margin::account_health(who).unwrap().positions)
			.filter(|p| p.market == BTC)
			.map(|p| p.unrealized_pnl - p.accrued_funding)
			.sum();
		assert!(summed <= btc.trader_pnl && btc.trader_pnl - summed < 6);
		let eth = Margin::market_exposure(ETH).unwrap();
		assert_eq!(Margin::total_exposure(), Ok(btc.checked_add(&eth).unwrap()));
		// No usable price, no valuation: also for the total.
		set_price_unavailable(ETH_ASSET, PriceUnavailable::CircuitBreakerHeld);
		assert_eq!(Margin::market_exposure(ETH), Err(PriceUnavailable::CircuitBreakerHeld));
		assert_eq!(Margin::total_exposure(), Err(PriceUnavailable::CircuitBreakerHeld));
		// A halted market with a price is valued; without one it is not.
		assert_ok!(Margin::set_market_status(RuntimeOrigin::root(), BTC, MarketStatus::Halted));
		assert_eq!(Margin::market_exposure(BTC), Ok(btc));
		set_price_unavailable(BTC_ASSET, PriceUnavailable::Stale);
		assert_eq!(Margin::market_exposure(BTC), Err(PriceUnavailable::Stale));
		// Closed out, a market needs no price at all.
		set_price(ETH_ASSET, usd(2_500));
		set_price(BTC_ASSET, usd(51_000));
		trade(BOB, ETH, -4 * UNIT);
		set_price_unavailable(ETH_ASSET, PriceUnavailable::Stale);
		let eth = Margin::market_exposure(ETH).unwrap();
		assert_eq!(eth.trader_pnl, 0);
		assert_eq!(eth.receivable, market(ETH).state.pool_receivable);
	});
}
