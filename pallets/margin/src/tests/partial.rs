//! Partial liquidation, the limits on large positions, and legs that shield
//! nothing (a halted market, a missing price).

use super::*;
use backstop_primitives::PriceUnavailable;
use frame_support::{assert_noop, assert_ok};
use sp_arithmetic::Permill;

/// Alice: 12,000 deposited, long 2 BTC at 50,000, no fees.
fn alice_long_two_btc() {
	frictionless(BTC);
	deposit(ALICE, dollars(12_000));
	trade(ALICE, BTC, 2 * UNIT);
}

fn liquidate(who: u64) -> frame_support::dispatch::DispatchResultWithPostInfo {
	Margin::liquidate(RuntimeOrigin::signed(KEEPER), who)
}

/// Alice's health as parts per million of her maintenance requirement.
fn health_ppm(who: u64) -> i128 {
	let health = Margin::account_health(&who).unwrap();
	health.equity * 1_000_000 / health.maintenance_requirement as i128
}

#[test]
fn a_partial_liquidation_restores_maintenance_plus_the_buffer() {
	ExtBuilder::default().liquidation(partial_params()).build_and_execute(|| {
		alice_long_two_btc();
		// At 46,000: equity 4,000 against 4,600 (health 87%). The target is
		// 5,060; the penalty and reward are 1.5% of what closes: closing
		// f = (5,060 − 4,000) / (5,060 − 1,380) of the position restores it.
		set_price(BTC_ASSET, usd(46_000));
		assert_ok!(liquidate(ALICE));
		let closed = 2 * UNIT - size(ALICE, BTC);
		assert_eq!(closed, 576_087);
		System::assert_has_event(
			Event::<Test>::PositionLiquidated {
				who: ALICE,
				market: BTC,
				size: 576_087,
				remaining: 2 * UNIT - 576_087,
				price: usd(46_000),
				realized_pnl: -2_304_348_000,
				funding: 0,
				penalty: 265_000_020,
			}
			.into(),
		);
		// Back at the target (a unit of rounding), no further.
		let health = health_ppm(ALICE);
		assert!((1_099_990..=1_100_100).contains(&health), "health {health}");
		assert!(!Margin::is_liquidatable(&ALICE).unwrap());
		// The keeper was paid on the closed notional only.
		assert_eq!(collateral(KEEPER), 132_500_010);
	});
}

#[test]
fn an_account_below_the_threshold_closes_in_full() {
	ExtBuilder::default().liquidation(partial_params()).build_and_execute(|| {
		alice_long_two_btc();
		// At 45,500: equity 3,000 against 4,550, a health of 65.9%.
		set_price(BTC_ASSET, usd(45_500));
		assert!(health_ppm(ALICE) < 666_667);
		assert_ok!(liquidate(ALICE));
		assert_eq!(position(ALICE, BTC), None);
	});
}

#[test]
fn the_default_parameters_close_everything() {
	ExtBuilder::default().build_and_execute(|| {
		assert_eq!(LiquidationConfig::<Test>::get(), LiquidationParams::default());
		alice_long_two_btc();
		set_price(BTC_ASSET, usd(46_000));
		assert_ok!(liquidate(ALICE));
		assert_eq!(position(ALICE, BTC), None);
	});
}

#[test]
fn small_positions_close_in_full_and_large_ones_a_portion_per_block() {
	// A small position (at most 100,000 of notional) closes in full.
	ExtBuilder::default()
		.liquidation(LiquidationParams { small_position: dollars(100_000), ..partial_params() })
		.build_and_execute(|| {
			alice_long_two_btc();
			set_price(BTC_ASSET, usd(46_000));
			assert_ok!(liquidate(ALICE));
			assert_eq!(position(ALICE, BTC), None);
		});
	// A large one (above 50,000) closes at most 20% per block.
	ExtBuilder::default()
		.liquidation(LiquidationParams {
			large_position: dollars(50_000),
			max_portion: Permill::from_percent(20),
			..partial_params()
		})
		.build_and_execute(|| {
			alice_long_two_btc();
			// At 45,800 (health 78.6%) restoring the target takes 39% of the
			// position; 20% of it closes.
			set_price(BTC_ASSET, usd(45_800));
			assert_ok!(liquidate(ALICE));
			assert_eq!(size(ALICE, BTC), 2 * UNIT - 400_000);
			assert!(Margin::is_liquidatable(&ALICE).unwrap());
			// Not again in this block...
			assert_noop!(liquidate(ALICE), Error::<Test>::PartiallyLiquidatedThisBlock);
			// ...but in the next (the sweep does it without a keeper).
			run_to_block(2);
			assert_eq!(size(ALICE, BTC), 2 * UNIT - 400_000 - 320_000);
			assert!(LiquidatedThisBlock::<Test>::contains_key(ALICE));
			// Below the threshold a full close is never held back, even in
			// the block of a partial one.
			set_price(BTC_ASSET, usd(44_000));
			assert!(health_ppm(ALICE) < 666_667);
			assert_ok!(liquidate(ALICE));
			assert_eq!(position(ALICE, BTC), None);
		});
}

#[test]
fn liquidation_parameters_are_governed_and_checked() {
	ExtBuilder::default().build_and_execute(|| {
		let params = partial_params();
		assert_noop!(
			Margin::set_liquidation_params(RuntimeOrigin::signed(ALICE), params),
			sp_runtime::DispatchError::BadOrigin
		);
		for bad in [
			LiquidationParams { buffer: Permill::zero(), ..params },
			LiquidationParams { max_portion: Permill::zero(), ..params },
		] {
			assert_noop!(
				Margin::set_liquidation_params(RuntimeOrigin::root(), bad),
				Error::<Test>::InvalidLiquidationParams
			);
		}
		assert_ok!(Margin::set_liquidation_params(RuntimeOrigin::root(), params));
		assert_eq!(LiquidationConfig::<Test>::get(), params);
		System::assert_last_event(Event::<Test>::LiquidationParamsUpdated { params }.into());
	});
}

#[test]
fn a_halted_market_shields_nobody() {
	ExtBuilder::default().build_and_execute(|| {
		alice_long_two_btc();
		frictionless(ETH);
		trade(ALICE, ETH, UNIT);
		assert_ok!(Margin::set_market_status(RuntimeOrigin::root(), ETH, MarketStatus::Halted));
		set_price(BTC_ASSET, usd(45_000));
		// Halted ETH does not stop the liquidation: both legs close, ETH at
		// its oracle price.
		assert_ok!(liquidate(ALICE));
		assert_eq!(position(ALICE, BTC), None);
		assert_eq!(position(ALICE, ETH), None);
		System::assert_has_event(
			Event::<Test>::PositionLiquidated {
				who: ALICE,
				market: ETH,
				size: UNIT,
				remaining: 0,
				price: usd(2_500),
				realized_pnl: 0,
				funding: 0,
				penalty: dollars(25),
			}
			.into(),
		);
	});
}

#[test]
fn a_missing_price_values_a_leg_at_its_conservative_mark() {
	ExtBuilder::default().build_and_execute(|| {
		alice_long_two_btc();
		// The pallet saw 47,000 last; then the oracle has no price.
		set_price(BTC_ASSET, usd(47_000));
		accrue_to_block(2);
		assert_eq!(market(BTC).state.last_price, usd(47_000));
		// At 47,000 Alice is healthy (equity 6,000 against 4,700)...
		assert!(!Margin::is_liquidatable(&ALICE).unwrap());
		for reason in [
			PriceUnavailable::Stale,
			PriceUnavailable::CircuitBreakerHeld,
			PriceUnavailable::NoPrice,
		] {
			set_price_unavailable(BTC_ASSET, reason);
			// ...but without a fresh price her long is marked 5% lower, at
			// 44,650: equity 1,300 against 4,465. A stale price never
			// flatters an account.
			assert!(Margin::is_liquidatable(&ALICE).unwrap());
		}
		assert_ok!(liquidate(ALICE));
		assert_eq!(position(ALICE, BTC), None);
		System::assert_has_event(
			Event::<Test>::PositionLiquidated {
				who: ALICE,
				market: BTC,
				size: 2 * UNIT,
				remaining: 0,
				price: usd(44_650),
				realized_pnl: -(dollars(10_700) as i128),
				funding: 0,
				penalty: 853_500_000,
			}
			.into(),
		);
		// The mark is no price: the market's last price is unchanged.
		assert_eq!(market(BTC).state.last_price, usd(47_000));
	});
}

#[test]
fn a_stale_leg_blocks_only_risk_increasing_actions() {
	ExtBuilder::default().build_and_execute(|| {
		alice_long_two_btc();
		frictionless(ETH);
		// A dust ETH leg whose price then goes stale.
		trade(ALICE, ETH, 1);
		set_price_unavailable(ETH_ASSET, PriceUnavailable::Stale);
		// Risk-increasing: refused.
		assert_noop!(
			Margin::trade(RuntimeOrigin::signed(ALICE), BTC, UNIT, any_price(UNIT)),
			Error::<Test>::PriceStale
		);
		assert_noop!(
			Margin::withdraw(RuntimeOrigin::signed(ALICE), dollars(1)),
			Error::<Test>::PriceStale
		);
		// Reducing: accepted.
		trade(ALICE, BTC, -UNIT);
		assert_eq!(size(ALICE, BTC), UNIT);
		// And the stale leg does not stop a liquidation.
		set_price(BTC_ASSET, usd(39_000));
		assert_ok!(liquidate(ALICE));
		assert_eq!(position(ALICE, BTC), None);
		assert_eq!(position(ALICE, ETH), None);
	});
}
