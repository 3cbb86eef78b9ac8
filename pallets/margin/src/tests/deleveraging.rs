//! Auto-deleveraging: the last tier of the loss waterfall takes a deficit
//! from the profitable positions opposite the bankrupt one, exactly, in
//! queue order, never from anyone else.

use super::*;
use frame_support::{assert_noop, assert_ok, traits::fungible::Mutate};
use proptest::prelude::*;
use sp_arithmetic::{Perbill, Permill};

/// The `Deleveraged` events as `(who, size, taken)`.
fn deleveraged() -> Vec<(u64, i128, Balance)> {
	margin_events()
		.into_iter()
		.filter_map(|e| match e {
			Event::Deleveraged { who, size, taken, .. } => Some((who, size, taken)),
			_ => None,
		})
		.collect()
}

/// Dave short at 38,000 (at a loss below that), Charlie short at 52,000
/// and Bob short at 50,000 (in profit below those), Alice long 1 BTC at
/// 50,000 on 5,500 of collateral; then BTC at 40,000 and Alice liquidated:
/// her bad debt of 4,500 is left entirely to deleveraging (the mock
/// waterfall and the pool's loss cap cover nothing).
fn crash_with_a_deficit(charlie_collateral: u128) {
	frictionless(BTC);
	open_at(DAVE, 38_000, 20_000, -UNIT);
	open_at(CHARLIE, 52_000, charlie_collateral, -UNIT);
	open_at(BOB, 50_000, 20_000, -UNIT);
	open_at(ALICE, 50_000, 5_500, UNIT);
	set_price(BTC_ASSET, usd(40_000));
	assert_ok!(Margin::liquidate(RuntimeOrigin::signed(KEEPER), ALICE));
	assert_eq!(market(BTC).state.deficit, dollars(4_500));
	assert_eq!(
		Deleveraging::<Test>::get(BTC),
		Some(PendingDeleveraging { from_longs: 0, from_shorts: dollars(4_500), reopen: true })
	);
	assert_eq!(market(BTC).status, MarketStatus::ReduceOnly);
}

#[test]
fn the_queue_orders_each_side_by_profit_as_a_fraction_of_entry() {
	ExtBuilder::default().build_and_execute(|| {
		frictionless(BTC);
		open_at(DAVE, 38_000, 20_000, -UNIT);
		open_at(CHARLIE, 52_000, 20_000, -UNIT);
		open_at(BOB, 50_000, 20_000, -UNIT);
		open_at(ALICE, 50_000, 20_000, UNIT);
		open_at(KEEPER, 45_000, 20_000, UNIT);
		let queue = |side| -> Vec<u64> {
			AdlQueue::<Test>::iter_key_prefix((BTC, side)).map(|(_, who)| who).collect()
		};
		// Shorts: the highest entry first; longs: the lowest.
		assert_eq!(queue(Side::Short), vec![CHARLIE, BOB, DAVE]);
		assert_eq!(queue(Side::Long), vec![KEEPER, ALICE]);
		// A trade moves the entry: Bob adds a short at 60,000 (entry 55,000).
		open_at(BOB, 60_000, 10_000, -UNIT);
		assert_eq!(queue(Side::Short), vec![BOB, CHARLIE, DAVE]);
		// Closing leaves the queue; flipping changes side.
		set_price(BTC_ASSET, usd(50_000));
		trade(DAVE, BTC, UNIT);
		trade(CHARLIE, BTC, 2 * UNIT);
		assert_eq!(queue(Side::Short), vec![BOB]);
		assert_eq!(queue(Side::Long), vec![KEEPER, ALICE, CHARLIE]);
	});
}

#[test]
fn a_deficit_is_taken_from_the_most_profitable_opposite_position_exactly() {
	ExtBuilder::default().build_and_execute(|| {
		crash_with_a_deficit(20_000);
		let bob_before = Accounts::<Test>::get(BOB);
		let dave_before = Accounts::<Test>::get(DAVE);
		// The exposure indicator before: Charlie first, 12,000 in profit.
		let exposure = Margin::adl_exposure(&CHARLIE);
		assert_eq!(exposure.len(), 1);
		assert_eq!((exposure[0].rank, exposure[0].queue_length), (1, 3));
		assert_eq!(exposure[0].profit, dollars(12_000));
		assert_eq!(exposure[0].profit_ahead, 0);
		assert_eq!(exposure[0].pending, dollars(4_500));
		let bob = Margin::adl_exposure(&BOB);
		assert_eq!((bob[0].rank, bob[0].profit_ahead), (2, dollars(12_000)));
		assert_eq!(Margin::adl_exposure(&DAVE)[0].profit, 0);

		run_to_block(2);
		// 4,500 of Charlie's 12,000: 0.375 BTC closed at 40,000, its profit
		// of 4,500 taken whole.
		assert_eq!(deleveraged(), vec![(CHARLIE, -375_000, dollars(4_500))]);
		System::assert_has_event(
			Event::<Test>::Deleveraged {
				who: CHARLIE,
				market: BTC,
				size: -375_000,
				price: usd(40_000),
				realized_pnl: dollars(4_500) as i128,
				taken: dollars(4_500),
				remaining: 0,
			}
			.into(),
		);
		assert_eq!(size(CHARLIE, BTC), -625_000);
		assert_eq!(collateral(CHARLIE), dollars(20_000));
		// Charlie's equity fell by exactly what was taken.
		assert_eq!(equity(CHARLIE), (dollars(32_000) - dollars(4_500)) as i128);
		// Nobody else was touched.
		assert_eq!(Accounts::<Test>::get(BOB), bob_before);
		assert_eq!(Accounts::<Test>::get(DAVE), dave_before);
		// The deficit is gone and the market trades again.
		assert_eq!(market(BTC).state.deficit, 0);
		assert_eq!(Deleveraging::<Test>::get(BTC), None);
		assert_eq!(market(BTC).status, MarketStatus::Active);
		System::assert_has_event(
			Event::<Test>::MarketStatusChanged { market: BTC, status: MarketStatus::Active }.into(),
		);
		trade(BOB, BTC, -UNIT);
	});
}

#[test]
fn each_account_gives_at_most_its_equity_above_maintenance() {
	ExtBuilder::default().build_and_execute(|| {
		frictionless(BTC);
		set_params(ETH, |p| {
			p.trading_fee = Permill::zero();
			p.max_funding_rate = Perbill::zero();
		});
		// Charlie: short 1 BTC at 52,000 and long 40 ETH at 2,500 on 20,000.
		open_at(CHARLIE, 52_000, 20_000, -UNIT);
		trade(CHARLIE, ETH, 40 * UNIT);
		open_at(BOB, 50_000, 20_000, -UNIT);
		// Alice: long 2 BTC at 50,000 on 11,000.
		open_at(ALICE, 50_000, 11_000, 2 * UNIT);
		// ETH at 2,000 and BTC at 40,000: Charlie's equity is 20,000 +
		// 12,000 − 20,000 = 12,000 against a maintenance requirement of
		// 2,000 + 4,000: he can give 6,000 of his 12,000 of BTC profit.
		set_price(ETH_ASSET, usd(2_000));
		set_price(BTC_ASSET, usd(40_000));
		assert_ok!(Margin::liquidate(RuntimeOrigin::signed(KEEPER), ALICE));
		assert_eq!(market(BTC).state.deficit, dollars(9_000));

		run_to_block(2);
		// Charlie gives 6,000 (half his BTC short), Bob the other 3,000.
		assert_eq!(
			deleveraged(),
			vec![(CHARLIE, -500_000, dollars(6_000)), (BOB, -300_000, dollars(3_000))]
		);
		assert_eq!(equity(CHARLIE), dollars(6_000) as i128);
		let charlie = Margin::account_health(&CHARLIE).unwrap();
		assert_eq!(charlie.maintenance_requirement, dollars(1_000 + 4_000));
		assert!(!charlie.liquidatable);
		assert_eq!(equity(BOB), dollars(20_000 + 10_000 - 3_000) as i128);
		assert_eq!(market(BTC).state.deficit, 0);
	});
}

#[test]
fn a_deficit_waits_while_nobody_opposite_is_in_profit() {
	ExtBuilder::default().build_and_execute(|| {
		frictionless(BTC);
		// Dave's short at 38,000 is the only one: at 40,000 it is at a loss.
		open_at(DAVE, 38_000, 20_000, -UNIT);
		open_at(ALICE, 50_000, 5_500, UNIT);
		set_price(BTC_ASSET, usd(40_000));
		assert_ok!(Margin::liquidate(RuntimeOrigin::signed(KEEPER), ALICE));
		let dave = Accounts::<Test>::get(DAVE);
		run_to_block(3);
		assert!(deleveraged().is_empty());
		assert_eq!(Accounts::<Test>::get(DAVE), dave);
		assert_eq!(market(BTC).state.deficit, dollars(4_500));
		// Governance cannot reopen the market with the deficit on its books.
		assert_noop!(
			Margin::set_market_status(RuntimeOrigin::root(), BTC, MarketStatus::Active),
			Error::<Test>::DeficitPending
		);
		assert_noop!(
			Margin::trade(RuntimeOrigin::signed(BOB), BTC, -UNIT, Price::zero()),
			Error::<Test>::MarketReduceOnly
		);
		// The price falls further: Dave is in profit and gives 2,000 of it.
		set_price(BTC_ASSET, usd(36_000));
		run_to_block(4);
		assert_eq!(deleveraged(), vec![(DAVE, -UNIT, dollars(2_000))]);
		assert_eq!(position(DAVE, BTC), None);
		assert_eq!(market(BTC).state.deficit, dollars(2_500));
		// Anyone may pay the rest; then the market is active again.
		assert_ok!(Margin::cover_deficit(RuntimeOrigin::signed(BOB), BTC, dollars(2_500)));
		assert_eq!(market(BTC).state.deficit, 0);
		assert_eq!(market(BTC).status, MarketStatus::Active);
		assert_eq!(Deleveraging::<Test>::get(BTC), None);
	});
}

#[test]
fn a_status_governance_set_during_a_deficit_stays() {
	ExtBuilder::default().build_and_execute(|| {
		crash_with_a_deficit(20_000);
		assert_ok!(Margin::set_market_status(RuntimeOrigin::root(), BTC, MarketStatus::ReduceOnly));
		assert_eq!(Deleveraging::<Test>::get(BTC).map(|p| p.reopen), Some(false));
		run_to_block(2);
		assert_eq!(market(BTC).state.deficit, 0);
		assert_eq!(market(BTC).status, MarketStatus::ReduceOnly);
		assert_ok!(Margin::set_market_status(RuntimeOrigin::root(), BTC, MarketStatus::Active));
	});
}

#[test]
fn a_halted_market_or_a_missing_price_waits() {
	ExtBuilder::default().build_and_execute(|| {
		crash_with_a_deficit(20_000);
		assert_ok!(Margin::set_market_status(RuntimeOrigin::root(), BTC, MarketStatus::Halted));
		run_to_block(2);
		assert!(deleveraged().is_empty());
		assert_ok!(Margin::set_market_status(RuntimeOrigin::root(), BTC, MarketStatus::ReduceOnly));
		set_price_unavailable(BTC_ASSET, backstop_primitives::PriceUnavailable::Stale);
		run_to_block(3);
		assert!(deleveraged().is_empty());
		set_price(BTC_ASSET, usd(40_000));
		run_to_block(4);
		assert_eq!(market(BTC).state.deficit, 0);
	});
}

/// Account ids of the many-account tests (funded on demand).
fn trader(index: u64) -> u64 {
	100 + index
}

#[test]
fn each_block_examines_at_most_the_budget_and_resumes_where_it_stopped() {
	ExtBuilder::default().build_and_execute(|| {
		frictionless(BTC);
		// Ten shorts of 0.1 BTC at 50,000 + 100 × i: at 40,000 short i is
		// 1,000 + 10 × i in profit. Alice's long of 3 BTC at 50,000 on 16,000
		// leaves a bad debt of 14,000, more than all of them have.
		for i in 0..10u64 {
			let who = trader(i);
			assert_ok!(Balances::mint_into(&who, dollars(10_000)));
			open_at(who, 50_000 + 100 * i as u32, 2_000, -UNIT / 10);
		}
		open_at(ALICE, 50_000, 16_000, 3 * UNIT);
		set_price(BTC_ASSET, usd(40_000));
		assert_ok!(Margin::liquidate(RuntimeOrigin::signed(KEEPER), ALICE));
		let deficit = market(BTC).state.deficit;
		assert_eq!(deficit, dollars(14_000));
		let profits: Balance = (0..10u64).map(|i| dollars(1_000 + 10 * i as u128)).sum();
		assert!(profits < deficit);

		// The budget (8 per block in the mock) takes the eight most
		// profitable (the highest entries) first.
		run_to_block(2);
		let first: Vec<u64> = deleveraged().iter().map(|(w, _, _)| *w).collect();
		assert_eq!(first, (2..10u64).rev().map(trader).collect::<Vec<_>>());
		assert!(DeleveragingCursor::<Test>::get((BTC, Side::Short)).is_some());
		// The next block resumes after them.
		System::reset_events();
		run_to_block(3);
		let second: Vec<u64> = deleveraged().iter().map(|(w, _, _)| *w).collect();
		assert_eq!(second, vec![trader(1), trader(0)]);
		// Everything the shorts had is taken; the rest waits.
		assert_eq!(market(BTC).state.deficit, deficit - profits);
		for i in 0..10u64 {
			assert_eq!(position(trader(i), BTC), None);
		}
	});
}

#[derive(Clone, Debug)]
struct Short {
	/// Entry price in hundreds of dollars above 40,000.
	entry: u32,
	/// Size in hundredths of a BTC.
	hundredths: u8,
	/// Collateral above the initial margin, in hundreds of dollars.
	spare: u16,
}

fn short() -> impl Strategy<Value = Short> {
	(0..200u32, 1..100u8, 0..100u16).prop_map(|(entry, hundredths, spare)| Short {
		entry,
		hundredths,
		spare,
	})
}

proptest! {
	#![proptest_config(ProptestConfig::with_cases(64))]

	/// Over random books of shorts and a bankrupt long: the deleveraged
	/// accounts together lose exactly the part of the deficit the book can
	/// give (all of it, or all the book has), each at most its profit and
	/// its equity above maintenance; the touched accounts are a prefix of
	/// the queue (everyone ahead of a touched account gave all it could);
	/// nobody else's account changes; nobody becomes liquidatable.
	#[test]
	fn deleveraging_takes_exactly_the_deficit_in_queue_order(
		shorts in prop::collection::vec(short(), 1..12),
		alice_size in 1..5u8,
		crash in 0..29u32,
	) {
		ExtBuilder::default().build().execute_with(|| {
			frictionless(BTC);
			for (i, s) in shorts.iter().enumerate() {
				let who = trader(i as u64);
				assert_ok!(Balances::mint_into(&who, dollars(1_000_000)));
				let price = 40_000 + 100 * s.entry;
				let delta = -(i128::from(s.hundredths) * UNIT / 100);
				let initial = u128::from(price) * u128::from(s.hundredths) / 1_000 + 1;
				open_at(who, price, initial + 100 * u128::from(s.spare), delta);
			}
			// Alice: long at 50,000 with 11% margin; the crash takes BTC to
			// between 30,000 and 44,500.
			let alice = u128::from(alice_size);
			open_at(ALICE, 50_000, 5_500 * alice, i128::from(alice_size) * UNIT);
			let price = usd(30_000 + 500 * crash);
			set_price(BTC_ASSET, price);
			assert_ok!(Margin::liquidate(RuntimeOrigin::signed(KEEPER), ALICE));
			let deficit = market(BTC).state.deficit;
			prop_assert!(deficit > 0);

			// What each account could give, in queue order.
			let queue: Vec<u64> =
				AdlQueue::<Test>::iter_key_prefix((BTC, Side::Short)).map(|(_, w)| w).collect();
			let capacity = |who: u64| -> Balance {
				let h = Margin::account_health(&who).unwrap();
				let profit = h.positions[0].unrealized_pnl.max(0).unsigned_abs();
				let excess = (h.equity - h.maintenance_requirement as i128).max(0).unsigned_abs();
				profit.min(excess)
			};
			let caps: Vec<(u64, Balance)> = queue.iter().map(|w| (*w, capacity(*w))).collect();
			let equities: Vec<i128> = queue.iter().map(|w| equity(*w)).collect();
			let before: Vec<_> = queue.iter().map(Accounts::<Test>::get).collect();
			let available: Balance = caps.iter().map(|(_, c)| *c).sum();

			// The hooks without the liquidation sweep: nobody else is
			// liquidated.
			SweepBudget::<Test>::put(frame_support::weights::Weight::zero());
			accrue_to_block(5);
			let events = deleveraged();
			let taken: Balance = events.iter().map(|(_, _, t)| *t).sum();
			let left = market(BTC).state.deficit;
			prop_assert_eq!(taken + left, deficit, "taken plus what is left is the deficit");
			// Rounding may leave a unit per account in the closed part.
			let n = queue.len() as u128;
			prop_assert!(taken <= deficit.min(available));
			prop_assert!(taken + n >= deficit.min(available), "{} of {}", taken, deficit.min(available));

			let mut touched_seen_gap = false;
			for (index, (who, cap)) in caps.iter().enumerate() {
				let given: Balance =
					events.iter().filter(|(w, _, _)| w == who).map(|(_, _, t)| *t).sum();
				prop_assert!(given <= *cap, "account {} gave {} above its cap {}", who, given, cap);
				let changed = Accounts::<Test>::get(who) != before[index];
				prop_assert_eq!(changed, given > 0, "account {} changed without giving", who);
				if given > 0 {
					// Exactly what it gave, up to a unit of rounding between
					// the realised part and the rest of the position.
					let lost = equities[index] - equity(*who);
					prop_assert!(
						(lost - given as i128).abs() <= 1,
						"account {} lost {} but gave {}", who, lost, given
					);
					prop_assert!(!touched_seen_gap, "account {} touched after a gap", who);
					prop_assert!(!Margin::is_liquidatable(who).unwrap());
				}
				// An account that gave less than it could ends the prefix.
				if *cap > 0 && given + 1 < *cap {
					touched_seen_gap = true;
				}
			}
			prop_assert!(Margin::do_try_state().is_ok());
			Ok(())
		})?;
	}
}
