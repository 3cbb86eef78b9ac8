//! Max-PnL deleveraging: profits beyond what the pool allows are realised,
//! most profitable first, back under the target; nobody loses money.

use super::*;
use backstop_primitives::SignedBalance;
use frame_support::assert_ok;
use proptest::prelude::*;
use sp_arithmetic::Permill;

fn profit_deleveraged() -> Vec<(u64, i128, SignedBalance)> {
	margin_events()
		.into_iter()
		.filter_map(|e| match e {
			Event::ProfitDeleveraged { who, size, realized_pnl, .. } => {
				Some((who, size, realized_pnl))
			},
			_ => None,
		})
		.collect()
}

/// Alice long 1 BTC from 50,000, Bob long 1 from 45,000, Charlie short
/// 0.1 from 50,000; BTC at 55,000: the longs are 15,000 in profit, Charlie
/// 500 at a loss.
fn rally() {
	frictionless(BTC);
	open_at(ALICE, 50_000, 10_000, UNIT);
	open_at(CHARLIE, 50_000, 10_000, -UNIT / 10);
	open_at(BOB, 45_000, 10_000, UNIT);
	set_price(BTC_ASSET, usd(55_000));
}

#[test]
fn profits_beyond_the_cap_are_realised_most_profitable_first() {
	ExtBuilder::default().build_and_execute(|| {
		rally();
		// The pool allows 10,000: back to 90% of it, 9,000 — the traders'
		// net profit is 15,000 − 500, so 5,500 is realised.
		MaxTraderPnl::set(Some(dollars(10_000)));
		let (alice, bob, charlie) = (collateral(ALICE), collateral(BOB), collateral(CHARLIE));
		run_to_block(2);
		// Bob's entry is the lowest: his position goes first, 0.55 BTC of
		// it, paid its whole profit of 5,500.
		assert_eq!(profit_deleveraged(), vec![(BOB, 550_000, dollars(5_500) as i128)]);
		assert_eq!(size(BOB, BTC), UNIT - 550_000);
		assert_eq!(collateral(BOB), bob + dollars(5_500));
		assert_eq!((collateral(ALICE), size(ALICE, BTC)), (alice, UNIT));
		assert_eq!((collateral(CHARLIE), size(CHARLIE, BTC)), (charlie, -UNIT / 10));
		System::assert_has_event(
			Event::<Test>::PnlDeleveraged {
				market: BTC,
				trader_pnl: dollars(14_500) as i128,
				max_trader_pnl: dollars(10_000),
				target: dollars(9_000),
				reduced: dollars(5_500),
				trader_pnl_after: dollars(9_000) as i128,
			}
			.into(),
		);
		// Back under the cap: the next block leaves everyone alone.
		run_to_block(3);
		assert_eq!(profit_deleveraged().len(), 1);
	});
}

#[test]
fn nothing_is_deleveraged_under_the_cap_or_without_a_usable_price() {
	ExtBuilder::default().build_and_execute(|| {
		rally();
		MaxTraderPnl::set(Some(dollars(14_500)));
		run_to_block(2);
		assert!(profit_deleveraged().is_empty());
		MaxTraderPnl::set(Some(dollars(1_000)));
		set_price_unavailable(BTC_ASSET, backstop_primitives::PriceUnavailable::Stale);
		run_to_block(3);
		assert!(profit_deleveraged().is_empty());
		set_price(BTC_ASSET, usd(55_000));
		assert_ok!(Margin::set_market_status(RuntimeOrigin::root(), BTC, MarketStatus::Halted));
		run_to_block(4);
		assert!(profit_deleveraged().is_empty());
		// A market the pool does not know has no cap.
		assert_ok!(Margin::set_market_status(RuntimeOrigin::root(), BTC, MarketStatus::Active));
		MaxTraderPnl::set(None);
		run_to_block(5);
		assert!(profit_deleveraged().is_empty());
		assert_eq!(size(BOB, BTC), UNIT);
	});
}

#[test]
fn a_pool_without_the_cash_stops_the_step_without_failing_the_block() {
	ExtBuilder::default().build_and_execute(|| {
		rally();
		MaxTraderPnl::set(Some(dollars(10_000)));
		let _ = Margin::settle_market(RuntimeOrigin::signed(KEEPER), BTC);
		set_pool_cash(0);
		run_to_block(2);
		assert!(profit_deleveraged().is_empty());
		assert_eq!(size(BOB, BTC), UNIT);
	});
}

proptest! {
	#![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

	/// Over random books and caps: after one block the traders' profit is at
	/// most the target (unless the per-block budget ran out), every account
	/// deleveraged received exactly its realised profit, positions at a loss
	/// and accounts on the losing side were not touched, and the pool paid
	/// exactly what was realised.
	#[test]
	fn deleveraging_realises_what_is_needed_and_pays_it(
		book in proptest::collection::vec((40_000..60_000u32, -100..300i32), 4),
		rise in 0..3_000u32,
		cap_percent in 1..100u128,
	) {
		ExtBuilder::default().build().execute_with(|| {
			frictionless(BTC);
			let traders = [ALICE, BOB, CHARLIE, DAVE];
			for (who, (entry, hundredths)) in traders.iter().zip(book.iter()) {
				if *hundredths == 0 {
					continue;
				}
				open_at(*who, *entry, 100_000, i128::from(*hundredths) * UNIT / 100);
			}
			let price = usd(60_000 + rise);
			set_price(BTC_ASSET, price);
			let Some(pnl) = Margin::market_trader_pnl(&market(BTC)).unwrap() else {
				return Ok(());
			};
			let cap = (pnl.max(0).unsigned_abs() * cap_percent / 100).max(1);
			MaxTraderPnl::set(Some(cap));
			let before: Vec<(Balance, i128)> =
				traders.iter().map(|w| (collateral(*w), size(*w, BTC))).collect();
			let pool = balance(POOL) + market(BTC).state.pool_receivable;
			run_to_block(2);
			let events = profit_deleveraged();
			let mut realized: i128 = 0;
			for (who, (collateral_before, size_before)) in traders.iter().zip(before) {
				let paid: i128 = events.iter().filter(|e| e.0 == *who).map(|e| e.2).sum();
				realized += paid;
				prop_assert_eq!(collateral(*who) as i128 - collateral_before as i128, paid);
				if paid == 0 {
					prop_assert_eq!(size(*who, BTC), size_before);
				} else {
					// Only longs are in profit at a price above every entry.
					prop_assert!(size_before > 0);
					prop_assert!(size(*who, BTC) < size_before);
				}
			}
			prop_assert_eq!(
				pool as i128 - (balance(POOL) + market(BTC).state.pool_receivable) as i128,
				realized
			);
			if pnl.max(0).unsigned_abs() > cap && events.len() < 8 {
				let after = Margin::market_trader_pnl(&market(BTC)).unwrap().unwrap();
				let target = Permill::from_percent(90).mul_floor(cap) as i128;
				prop_assert!(after <= target + 2, "after {} target {}", after, target);
			}
			prop_assert!(Margin::do_try_state().is_ok());
			Ok(())
		})?;
	}
}
