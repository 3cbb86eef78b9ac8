//! Trading against the pool.

use super::*;
use backstop_primitives::PriceUnavailable;
use frame_support::{assert_noop, assert_ok};
use sp_arithmetic::{traits::Saturating, FixedU128, Permill};
use sp_runtime::DispatchError;

fn try_trade(who: u64, market: MarketId, delta: i128) -> sp_runtime::DispatchResult {
	Margin::trade(RuntimeOrigin::signed(who), market, delta, any_price(delta))
}

#[test]
fn opening_a_long_reserves_pool_cash_and_charges_the_fee() {
	ExtBuilder::default().build_and_execute(|| {
		deposit(ALICE, dollars(10_000));
		assert_ok!(Margin::trade(RuntimeOrigin::signed(ALICE), BTC, UNIT, usd(50_050)));
		System::assert_last_event(
			Event::<Test>::Traded {
				who: ALICE,
				market: BTC,
				size_delta: UNIT,
				price: usd(50_000),
				fill_price: usd(50_050),
				fee: dollars(50),
				realized_pnl: 0,
				size: UNIT,
			}
			.into(),
		);
		let p = position(ALICE, BTC).unwrap();
		assert_eq!((p.size, p.cost), (UNIT, dollars(50_000) as i128));
		assert_eq!(collateral(ALICE), dollars(9_950));
		let state = market(BTC).state;
		assert_eq!((state.long_open_interest, state.short_open_interest), (UNIT as u128, 0));
		assert_eq!(
			(state.long_cost, state.short_cost, state.funding_basis),
			(dollars(50_000), 0, 0)
		);
		// The pool reserves half (its reserve factor) of the larger side.
		assert_eq!(pool_calls(), vec![PoolCall::Reserve(BTC, dollars(50_000), dollars(25_000))]);
		assert_eq!(reserved(BTC), dollars(25_000));
		// Fee split 70/20/10.
		assert_eq!(state.pool_receivable, dollars(35));
		assert_eq!(state.pending_insurance_fees, dollars(10));
		assert_eq!(state.pending_staker_fees, dollars(5));
	});
}

#[test]
fn opening_a_short_works() {
	ExtBuilder::default().build_and_execute(|| {
		deposit(BOB, dollars(10_000));
		assert_ok!(Margin::trade(RuntimeOrigin::signed(BOB), BTC, -UNIT, usd(49_950)));
		let p = position(BOB, BTC).unwrap();
		assert_eq!((p.size, p.cost), (-UNIT, -(dollars(50_000) as i128)));
		assert_eq!(market(BTC).state.short_open_interest, UNIT as u128);
		assert_eq!(market(BTC).state.short_cost, dollars(50_000));
		assert_eq!(market(BTC).state.skew(), Some(-UNIT));
		assert_eq!(reserved(BTC), dollars(25_000));
	});
}

#[test]
fn increasing_keeps_a_blended_cost_basis() {
	ExtBuilder::default().build_and_execute(|| {
		deposit(ALICE, dollars(20_000));
		trade(ALICE, BTC, UNIT);
		set_price(BTC_ASSET, usd(60_000));
		trade(ALICE, BTC, UNIT);
		let p = position(ALICE, BTC).unwrap();
		assert_eq!((p.size, p.cost), (2 * UNIT, dollars(110_000) as i128));
		assert_eq!(Margin::account_health(&ALICE).unwrap().positions[0].entry_price, usd(55_000));
		assert_eq!(market(BTC).state.long_cost, dollars(110_000));
		// Reserved against 2 BTC at 60,000.
		assert_eq!(reserved(BTC), dollars(60_000));
	});
}

#[test]
fn reducing_in_profit_is_paid_by_the_pool_after_its_receivable() {
	ExtBuilder::default().build_and_execute(|| {
		deposit(ALICE, dollars(10_000));
		trade(ALICE, BTC, UNIT);
		set_price(BTC_ASSET, usd(55_000));
		let pool_before = balance(POOL);
		trade(ALICE, BTC, -UNIT / 2);
		// Half a BTC: PnL 2,500, fee 27.5.
		System::assert_last_event(
			Event::<Test>::Traded {
				who: ALICE,
				market: BTC,
				size_delta: -UNIT / 2,
				price: usd(55_000),
				fill_price: usd(54_945),
				fee: dollars(27) + DOLLARS / 2,
				realized_pnl: dollars(2_500) as i128,
				size: UNIT / 2,
			}
			.into(),
		);
		assert_eq!(collateral(ALICE), dollars(9_950 + 2_500) - dollars(27) - DOLLARS / 2);
		// 35 dollars were held for the pool; it paid the other 2,465 out of
		// its cash.
		assert_eq!(pool_payments(), vec![(BTC, dollars(2_465))]);
		assert_eq!(balance(POOL), pool_before - dollars(2_465));
		let state = market(BTC).state;
		// 70% of the new fee is held for the pool.
		assert_eq!(state.pool_receivable, dollars(19) + DOLLARS / 4);
		assert_eq!(state.long_cost, dollars(25_000));
		// The reservation follows the half BTC left, at 55,000.
		assert_eq!(reserved(BTC), dollars(13_750));
	});
}

#[test]
fn closing_at_a_loss_books_it_for_the_pool() {
	ExtBuilder::default().build_and_execute(|| {
		deposit(ALICE, dollars(10_000));
		trade(ALICE, BTC, UNIT);
		set_price(BTC_ASSET, usd(45_000));
		trade(ALICE, BTC, -UNIT);
		assert_eq!(position(ALICE, BTC), None);
		assert_eq!(collateral(ALICE), dollars(9_950 - 5_000 - 45));
		let state = market(BTC).state;
		assert_eq!(state.pool_receivable, dollars(35 + 5_000) + dollars(31) + DOLLARS / 2);
		assert_eq!((state.long_open_interest, state.long_cost), (0, 0));
		assert_eq!(reserved(BTC), 0);
		// Settling hands it all over.
		let pool = balance(POOL);
		run_to_block(2);
		assert_eq!(market(BTC).state.pool_receivable, 0);
		assert_eq!(balance(POOL), pool + dollars(5_035) + dollars(31) + DOLLARS / 2);
	});
}

#[test]
fn flipping_realises_and_reopens() {
	ExtBuilder::default().build_and_execute(|| {
		deposit(ALICE, dollars(20_000));
		trade(ALICE, BTC, UNIT);
		trade(ALICE, BTC, -2 * UNIT);
		let p = position(ALICE, BTC).unwrap();
		assert_eq!((p.size, p.cost), (-UNIT, -(dollars(50_000) as i128)));
		// Fees: 50 to open, 100 to flip.
		assert_eq!(collateral(ALICE), dollars(20_000 - 150));
		let state = market(BTC).state;
		assert_eq!((state.long_open_interest, state.short_open_interest), (0, UNIT as u128));
		assert_eq!((state.long_cost, state.short_cost), (0, dollars(50_000)));
		// The larger side is one BTC either way: the same reservation.
		assert_eq!(reserved(BTC), dollars(25_000));
	});
}

#[test]
fn skew_fee_grows_with_the_skew_created_and_spares_reducers() {
	ExtBuilder::default().build_and_execute(|| {
		set_params(BTC, |p| p.skew_fee = Permill::from_percent(1));
		deposit(ALICE, dollars(300_000));
		deposit(BOB, dollars(200_000));
		// 10 BTC from skew 0 (scale 1,000 BTC): 500,000 x 1% x 10 / 2,000 = 25.
		trade(ALICE, BTC, 10 * UNIT);
		System::assert_last_event(
			Event::<Test>::Traded {
				who: ALICE,
				market: BTC,
				size_delta: 10 * UNIT,
				price: usd(50_000),
				fill_price: usd(50_052) + Price::saturating_from_rational(5, 10),
				fee: dollars(525),
				realized_pnl: 0,
				size: 10 * UNIT,
			}
			.into(),
		);
		// Bob brings the skew back to zero: trading fee only.
		trade(BOB, BTC, -10 * UNIT);
		assert_eq!(collateral(BOB), dollars(200_000 - 500));
		// Ten more take it to -10: the skew fee again.
		trade(BOB, BTC, -10 * UNIT);
		assert_eq!(collateral(BOB), dollars(200_000 - 500 - 525));
		// A trade from -10 to +20 pays the skew fee for 0 -> 20 only:
		// 1,000,000 x 1% x 20 / 2,000 = 100.
		let before = collateral(ALICE);
		trade(ALICE, BTC, 30 * UNIT);
		assert_eq!(before - collateral(ALICE), dollars(1_500 + 100));
	});
}

#[test]
fn slippage_is_checked_against_the_fill_price() {
	ExtBuilder::default().build_and_execute(|| {
		deposit(ALICE, dollars(10_000));
		let just_below = usd(50_050).saturating_sub(Price::from_inner(1));
		assert_noop!(
			Margin::trade(RuntimeOrigin::signed(ALICE), BTC, UNIT, just_below),
			Error::<Test>::SlippageExceeded
		);
		assert_ok!(Margin::trade(RuntimeOrigin::signed(ALICE), BTC, UNIT, usd(50_050)));
		let just_above = usd(49_950).saturating_add(Price::from_inner(1));
		assert_noop!(
			Margin::trade(RuntimeOrigin::signed(ALICE), BTC, -UNIT, just_above),
			Error::<Test>::SlippageExceeded
		);
		assert_ok!(Margin::trade(RuntimeOrigin::signed(ALICE), BTC, -UNIT, usd(49_950)));
	});
}

#[test]
fn initial_margin_is_required_after_a_risk_increasing_trade() {
	ExtBuilder::default().build_and_execute(|| {
		// 1 BTC needs 5,000 after a 50 fee.
		deposit(ALICE, dollars(5_050) - 1);
		assert_noop!(try_trade(ALICE, BTC, UNIT), Error::<Test>::BelowInitialMargin);
		deposit(ALICE, 1);
		assert_ok!(try_trade(ALICE, BTC, UNIT));
		assert_eq!(equity(ALICE), dollars(5_000) as i128);
		// A flip is risk-increasing too.
		assert_noop!(try_trade(ALICE, BTC, -2 * UNIT), Error::<Test>::BelowInitialMargin);
	});
}

#[test]
fn initial_margin_rises_with_open_interest_between_the_caps() {
	ExtBuilder::default().build_and_execute(|| {
		set_params(BTC, |p| {
			p.open_interest_lower_cap = dollars(1_000_000);
			p.open_interest_upper_cap = dollars(5_000_000);
			p.max_open_interest = dollars(5_000_000);
		});
		// 60 BTC = 3,000,000: 10% + 90% x (3 - 1) / (5 - 1) = 55%, so 1,650,000.
		deposit(ALICE, dollars(1_650_000) + dollars(3_000) - 1);
		assert_noop!(try_trade(ALICE, BTC, 60 * UNIT), Error::<Test>::BelowInitialMargin);
		deposit(ALICE, 1);
		assert_ok!(try_trade(ALICE, BTC, 60 * UNIT));
		let health = Margin::account_health(&ALICE).unwrap();
		assert_eq!(health.positions[0].initial_margin_fraction, FixedU128::from_rational(55, 100));
		assert_eq!(health.initial_requirement, dollars(1_650_000));
		// Maintenance does not rise.
		assert_eq!(health.maintenance_requirement, dollars(150_000));
	});
}

#[test]
fn initial_margin_rises_with_volatility() {
	ExtBuilder::default().build_and_execute(|| {
		set_params(BTC, |p| p.volatility_multiplier = FixedU128::from_u32(2));
		// 2% divergence from the EMA plus 1% confidence, doubled: 16% in all.
		set_price_info(BTC_ASSET, usd(50_000), usd(49_000), Permill::from_percent(1));
		deposit(ALICE, dollars(8_050) - 1);
		assert_noop!(try_trade(ALICE, BTC, UNIT), Error::<Test>::BelowInitialMargin);
		deposit(ALICE, 1);
		assert_ok!(try_trade(ALICE, BTC, UNIT));
		assert_eq!(Margin::account_health(&ALICE).unwrap().initial_requirement, dollars(8_000));
		// The add-on is capped at 10%.
		set_price_info(BTC_ASSET, usd(50_000), usd(30_000), Permill::zero());
		assert_eq!(Margin::account_health(&ALICE).unwrap().initial_requirement, dollars(10_000));
	});
}

#[test]
fn open_interest_cap_is_enforced_for_trades_that_raise_it() {
	ExtBuilder::default().build_and_execute(|| {
		set_params(BTC, |p| {
			p.open_interest_lower_cap = dollars(1_000_000);
			p.open_interest_upper_cap = dollars(5_000_000);
			p.max_open_interest = dollars(100_000);
		});
		deposit(ALICE, dollars(1_000_000));
		deposit(BOB, dollars(1_000_000));
		assert_ok!(try_trade(ALICE, BTC, 2 * UNIT));
		assert_noop!(try_trade(BOB, BTC, -1), Error::<Test>::OpenInterestCapExceeded);
		// Reducing is always possible.
		assert_ok!(try_trade(ALICE, BTC, -UNIT));
		assert_ok!(try_trade(BOB, BTC, -UNIT));
	});
}

#[test]
fn reducing_trades_need_only_maintenance_margin() {
	ExtBuilder::default().build_and_execute(|| {
		deposit(ALICE, dollars(10_500));
		trade(ALICE, BTC, 2 * UNIT);
		// At 45,500 equity is 1,400 against a maintenance requirement of 4,550.
		set_price(BTC_ASSET, usd(45_500));
		assert_noop!(try_trade(ALICE, BTC, -UNIT / 10), Error::<Test>::BelowMaintenanceMargin);
		// Closing the whole position while still solvent is allowed.
		assert_ok!(try_trade(ALICE, BTC, -2 * UNIT));
		assert_eq!(collateral(ALICE), dollars(10_400 - 9_000 - 91));
	});
}

#[test]
fn realised_losses_beyond_collateral_are_refused() {
	ExtBuilder::default().build_and_execute(|| {
		deposit(ALICE, dollars(10_000));
		trade(ALICE, BTC, UNIT);
		trade(ALICE, ETH, 10 * UNIT);
		set_price(BTC_ASSET, usd(40_000));
		set_price(ETH_ASSET, usd(3_500));
		// Healthy (the ETH profit covers the BTC loss), but closing BTC alone
		// would realise more loss than there is collateral.
		assert_noop!(try_trade(ALICE, BTC, -UNIT), Error::<Test>::InsufficientCollateral);
		assert_ok!(try_trade(ALICE, ETH, -10 * UNIT));
		assert_ok!(try_trade(ALICE, BTC, -UNIT));
	});
}

#[test]
fn stale_held_or_missing_prices_block_trades() {
	ExtBuilder::default().build_and_execute(|| {
		deposit(ALICE, dollars(100_000));
		trade(ALICE, ETH, UNIT);
		let expected = |reason| match reason {
			PriceUnavailable::Stale => Error::<Test>::PriceStale,
			PriceUnavailable::CircuitBreakerHeld => Error::<Test>::PriceHeld,
			PriceUnavailable::NoPrice | PriceUnavailable::UnknownAsset => {
				Error::<Test>::PriceUnavailable
			},
		};
		for reason in [
			PriceUnavailable::Stale,
			PriceUnavailable::CircuitBreakerHeld,
			PriceUnavailable::NoPrice,
			PriceUnavailable::UnknownAsset,
		] {
			set_price_unavailable(BTC_ASSET, reason);
			assert_noop!(try_trade(ALICE, BTC, UNIT), expected(reason));
			// A stale price in another held market blocks trades here too.
			set_price(BTC_ASSET, usd(50_000));
			set_price_unavailable(ETH_ASSET, reason);
			assert_noop!(try_trade(ALICE, BTC, UNIT), expected(reason));
			assert_noop!(try_trade(ALICE, ETH, -UNIT), expected(reason));
			set_price(ETH_ASSET, usd(2_500));
		}
	});
}

#[test]
fn reduce_only_markets_accept_only_reductions() {
	ExtBuilder::default().build_and_execute(|| {
		deposit(ALICE, dollars(100_000));
		deposit(BOB, dollars(100_000));
		trade(ALICE, BTC, UNIT);
		assert_ok!(Margin::set_market_status(RuntimeOrigin::root(), BTC, MarketStatus::ReduceOnly));
		assert_noop!(try_trade(ALICE, BTC, 1), Error::<Test>::MarketReduceOnly);
		assert_noop!(try_trade(ALICE, BTC, -2 * UNIT), Error::<Test>::MarketReduceOnly);
		assert_noop!(try_trade(BOB, BTC, -1), Error::<Test>::MarketReduceOnly);
		assert_ok!(try_trade(ALICE, BTC, -UNIT / 2));
		assert_ok!(try_trade(ALICE, BTC, -UNIT / 2));
		assert_eq!(position(ALICE, BTC), None);
	});
}

#[test]
fn halted_markets_accept_nothing() {
	ExtBuilder::default().build_and_execute(|| {
		deposit(ALICE, dollars(100_000));
		trade(ALICE, BTC, UNIT);
		assert_ok!(Margin::set_market_status(RuntimeOrigin::root(), BTC, MarketStatus::Halted));
		assert_noop!(try_trade(ALICE, BTC, -UNIT), Error::<Test>::MarketHalted);
		assert_noop!(try_trade(BOB, BTC, UNIT), Error::<Test>::MarketHalted);
	});
}

#[test]
fn trade_input_errors() {
	ExtBuilder::default().build_and_execute(|| {
		deposit(ALICE, dollars(100_000));
		assert_noop!(try_trade(ALICE, BTC, 0), Error::<Test>::ZeroSize);
		assert_noop!(try_trade(ALICE, 42, UNIT), Error::<Test>::UnknownMarket);
		assert_noop!(
			Margin::trade(RuntimeOrigin::none(), BTC, UNIT, usd(1)),
			DispatchError::BadOrigin
		);
		// Without collateral not even the fee can be paid.
		assert_noop!(try_trade(BOB, BTC, UNIT), Error::<Test>::InsufficientCollateral);
	});
}

#[test]
fn too_many_positions_are_refused() {
	ExtBuilder::default().build_and_execute(|| {
		for id in 2..5 {
			assert_ok!(Margin::create_market(RuntimeOrigin::root(), id, btc_params()));
		}
		deposit(ALICE, dollars(1_000_000));
		for id in 0..4 {
			trade(ALICE, id, UNIT / 10);
		}
		assert_noop!(try_trade(ALICE, 4, UNIT / 10), Error::<Test>::TooManyPositions);
		// Closing one makes room.
		trade(ALICE, 3, -UNIT / 10);
		assert_ok!(try_trade(ALICE, 4, UNIT / 10));
	});
}

#[test]
fn extreme_sizes_and_prices_are_errors_not_overflows() {
	ExtBuilder::default().build_and_execute(|| {
		deposit(ALICE, dollars(1_000_000));
		assert_noop!(try_trade(ALICE, BTC, i128::MAX), Error::<Test>::Overflow);
		assert_noop!(try_trade(ALICE, BTC, i128::MIN), Error::<Test>::Overflow);
		assert_noop!(try_trade(ALICE, BTC, 1 << 100), Error::<Test>::OpenInterestCapExceeded);
		// At the largest price even the fill price of one unit overflows.
		set_price(BTC_ASSET, Price::max_value());
		assert_noop!(try_trade(ALICE, BTC, 1), Error::<Test>::Overflow);
		assert_noop!(try_trade(ALICE, BTC, 10_000_000_000_000_000_000), Error::<Test>::Overflow);
		// A quadrillion dollars per BTC: one unit is beyond the cap.
		set_price(BTC_ASSET, Price::saturating_from_integer(1_000_000_000_000_000u128));
		assert_noop!(try_trade(ALICE, BTC, 1), Error::<Test>::OpenInterestCapExceeded);
		// A tiny price: the notional rounds up to one micro-dollar.
		set_price(BTC_ASSET, Price::from_inner(1));
		assert_ok!(try_trade(ALICE, BTC, 1));
		assert_eq!(position(ALICE, BTC).unwrap().cost, 1);
	});
}

#[test]
fn the_pool_must_reserve_for_a_trade_that_adds_open_interest() {
	ExtBuilder::default().build_and_execute(|| {
		// Reserve factor 50%: the credit cap allows 60,000 of notional.
		CreditCap::set(dollars(30_000));
		deposit(ALICE, dollars(100_000));
		deposit(BOB, dollars(100_000));
		trade(ALICE, BTC, UNIT);
		assert_eq!(reserved(BTC), dollars(25_000));
		let calls = pool_calls();
		assert_noop!(try_trade(ALICE, BTC, UNIT / 4), Error::<Test>::InsufficientLiquidity);
		assert_eq!(pool_calls(), calls);
		// Opening the smaller side adds nothing to reserve.
		assert_ok!(try_trade(BOB, BTC, -UNIT / 2));
		// Reducing and closing are never refused, even when the price rose
		// so far that the open interest left needs more than the cap.
		set_price(BTC_ASSET, usd(200_000));
		assert_ok!(try_trade(ALICE, BTC, -UNIT / 10));
		assert_ok!(try_trade(ALICE, BTC, -9 * UNIT / 10));
		// The raise the price called for was refused and ignored.
		assert_eq!(reserved(BTC), dollars(25_000));
		// Bob closes too: nothing is reserved for BTC any more.
		set_price(BTC_ASSET, usd(50_000));
		assert_ok!(try_trade(BOB, BTC, UNIT / 2));
		assert_eq!(reserved(BTC), 0);
		// Free cash bounds the reservation as well as the credit cap.
		CreditCap::set(dollars(1_000_000_000));
		set_pool_cash(dollars(40_000));
		assert_noop!(try_trade(ALICE, ETH, 33 * UNIT), Error::<Test>::InsufficientLiquidity);
		// 32 ETH at 2,500 is 80,000: exactly the free cash reserved.
		assert_ok!(try_trade(ALICE, ETH, 32 * UNIT));
		assert_eq!((reserved(ETH), pool_free()), (dollars(40_000), 0));
		assert_noop!(try_trade(ALICE, ETH, 1), Error::<Test>::InsufficientLiquidity);
	});
}

#[test]
fn profits_are_paid_from_pool_cash_whatever_was_reserved() {
	// The bug of issue 10: three longs of 1 BTC at 65,000 and a rise of 50%,
	// then of 150%; every close is paid in full.
	ExtBuilder::default().build_and_execute(|| {
		set_price(BTC_ASSET, usd(65_000));
		for who in [ALICE, BOB, CHARLIE] {
			deposit(who, dollars(10_000));
			trade(who, BTC, UNIT);
		}
		let start = [ALICE, BOB, CHARLIE].map(collateral);
		set_price(BTC_ASSET, usd(97_500));
		trade(ALICE, BTC, -UNIT);
		set_price(BTC_ASSET, usd(162_500));
		trade(BOB, BTC, -UNIT);
		trade(CHARLIE, BTC, -UNIT);
		// Profit minus the closing fee (0.1% of the exit notional).
		assert_eq!(collateral(ALICE), start[0] + dollars(32_500) - dollars(97) - DOLLARS / 2);
		assert_eq!(collateral(BOB), start[1] + dollars(97_500) - dollars(162) - DOLLARS / 2);
		assert_eq!(collateral(CHARLIE), start[2] + dollars(97_500) - dollars(162) - DOLLARS / 2);
		assert_eq!(reserved(BTC), 0);
		for who in [ALICE, BOB, CHARLIE] {
			let all = collateral(who);
			assert_ok!(Margin::withdraw(RuntimeOrigin::signed(who), all));
		}
	});
}

#[test]
fn a_pool_without_the_cash_blocks_only_the_profitable_close() {
	ExtBuilder::default().pool_cash(dollars(100_000)).build_and_execute(|| {
		deposit(ALICE, dollars(10_000));
		deposit(BOB, dollars(10_000));
		trade(ALICE, BTC, UNIT);
		trade(BOB, BTC, UNIT);
		set_price(BTC_ASSET, usd(60_000));
		set_pool_cash(dollars(5_000));
		// Alice's profit (10,000) needs more than the pool's cash plus the
		// 70 dollars held for it.
		assert_noop!(try_trade(ALICE, BTC, -UNIT), Error::<Test>::LiquidityPaymentFailed);
		// A partial close within the cash is paid.
		assert_ok!(try_trade(ALICE, BTC, -UNIT / 4));
		set_pool_cash(dollars(100_000));
		assert_ok!(try_trade(ALICE, BTC, -3 * UNIT / 4));
		assert_eq!(position(ALICE, BTC), None);
	});
}

#[test]
fn opening_trades_stop_while_traders_hold_more_profit_than_the_pool_allows() {
	ExtBuilder::default().build_and_execute(|| {
		deposit(ALICE, dollars(100_000));
		deposit(BOB, dollars(100_000));
		trade(ALICE, BTC, UNIT);
		set_price(BTC_ASSET, usd(60_000));
		// Alice is 10,000 up.
		MaxTraderPnl::set(Some(dollars(9_000)));
		assert_noop!(try_trade(ALICE, BTC, UNIT), Error::<Test>::PnlCapExceeded);
		assert_noop!(try_trade(BOB, BTC, -UNIT), Error::<Test>::PnlCapExceeded);
		// The cap is per market: ETH's traders hold no profit.
		assert_ok!(try_trade(BOB, ETH, UNIT));
		let summary = Margin::market_summary(BTC).unwrap();
		assert!(summary.pnl_cap_exceeded);
		assert_eq!(summary.max_trader_pnl, Some(dollars(9_000)));
		// Reducing is always allowed.
		assert_ok!(try_trade(ALICE, BTC, -UNIT / 2));
		// Half the profit is realised: the cap holds again.
		assert!(!Margin::market_summary(BTC).unwrap().pnl_cap_exceeded);
		assert_ok!(try_trade(BOB, BTC, -UNIT));
		// A pool that does not know the market sets no cap.
		MaxTraderPnl::set(None);
		set_price(BTC_ASSET, usd(10_000));
		assert_ok!(try_trade(ALICE, BTC, UNIT / 10));
	});
}

#[test]
fn a_frozen_price_only_lets_positions_shrink() {
	ExtBuilder::default().build_and_execute(|| {
		deposit(ALICE, dollars(10_000));
		assert_ok!(try_trade(ALICE, BTC, UNIT));
		freeze_price(BTC_ASSET);
		// Opening more, or the other way round beyond the position, is refused
		// on a price nobody trades at.
		assert_noop!(try_trade(ALICE, BTC, UNIT), Error::<Test>::PriceFrozen);
		assert_noop!(try_trade(ALICE, BTC, -2 * UNIT), Error::<Test>::PriceFrozen);
		// Reducing and closing go through.
		assert_ok!(try_trade(ALICE, BTC, -UNIT / 2));
		assert_ok!(try_trade(ALICE, BTC, -UNIT / 2));
		assert_eq!(position(ALICE, BTC), None);
	});
}
