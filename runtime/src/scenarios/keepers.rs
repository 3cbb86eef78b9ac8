//! Keepers with the real pallets: a takeover of a liquidatable position at
//! the discounted price, and the insurance fund paying the keeper of an
//! insolvent account. Every invariant is checked after every block.

use super::*;
use crate::{genesis_config_presets::BTC_PERP, RuntimeEvent, DOLLARS};
use pallet_margin::{Event as MarginEvent, Markets};

fn signed(who: &AccountId) -> RuntimeOrigin {
	RuntimeOrigin::signed(who.clone())
}

fn trade(who: &AccountId, size: i128) {
	let price = served_price(BTC).expect("a live price");
	assert_ok!(Margin::trade(signed(who), BTC_PERP, size, limit(price, size > 0)));
}

fn events() -> Vec<RuntimeEvent> {
	System::events().into_iter().map(|r| r.event).collect()
}

#[test]
fn a_keeper_takes_over_a_liquidatable_position_at_the_discounted_price() {
	let mut chain = Chain::new();
	let (trader, keeper) = chain.execute(|| {
		let trader = funded("takeover-trader", 10_000 * DOLLARS);
		let keeper = funded("takeover-keeper", 100_000 * DOLLARS);
		assert_ok!(Margin::deposit(signed(&trader), 6_000 * DOLLARS));
		trade(&trader, units(1));
		assert_ok!(Margin::deposit(signed(&keeper), 50_000 * DOLLARS));
		(trader, keeper)
	});
	chain.next_block();

	// BTC slides 1% a block; in the first block the trader is liquidatable
	// the keeper takes what a liquidation would close, before the next
	// block's sweep gets to it.
	let mut taken: Option<u128> = None;
	chain.move_price_in_steps(BTC, Price::from_u32(55_000), 1, |chain| {
		if taken.is_some() {
			return;
		}
		chain.execute(|| {
			if !Margin::is_liquidatable(&trader).expect("priced") {
				return;
			}
			let held = size_of(&trader, BTC_PERP).unsigned_abs();
			let open_interest = Markets::<Runtime>::get(BTC_PERP).unwrap().state.long_open_interest;
			// The most a liquidation would close: found by halving.
			let mut size = held;
			loop {
				match Margin::take_over(signed(&keeper), trader.clone(), BTC_PERP, size) {
					Ok(()) => break,
					Err(e) if e == pallet_margin::Error::<Runtime>::TakeoverTooLarge.into() => {
						size /= 2;
						assert!(size > 0, "nothing could be taken over");
					},
					Err(e) => panic!("takeover refused: {e:?}"),
				}
			}
			taken = Some(size);
			let price = served_price(BTC).expect("a live price");
			let event = events().into_iter().find_map(|e| match e {
				RuntimeEvent::Margin(MarginEvent::PositionTakenOver {
					fill_price,
					discount,
					price: at,
					..
				}) => Some((fill_price, discount, at)),
				_ => None,
			});
			let (fill_price, discount, at) = event.expect("a takeover event");
			assert_eq!(at, price);
			// 1% below the oracle price, the discount paid on the part.
			assert!(fill_price < price);
			assert!(discount > 0);
			assert_eq!(size_of(&trader, BTC_PERP).unsigned_abs(), held - size);
			assert_eq!(size_of(&keeper, BTC_PERP), size as i128);
			// Same open interest: the pool carries no more than before.
			assert_eq!(
				Markets::<Runtime>::get(BTC_PERP).unwrap().state.long_open_interest,
				open_interest
			);
			let keeper_health = Margin::account_health(&keeper).expect("priced");
			assert!(keeper_health.equity >= keeper_health.initial_requirement as SignedBalance);
			assert!(Margin::account_health(&trader).expect("priced").equity >= 0);
		});
	});
	assert!(taken.is_some(), "the trader never became liquidatable");
	chain.finish();
}

#[test]
fn the_insurance_fund_pays_the_keeper_of_an_insolvent_account() {
	let mut chain = Chain::new();
	let (trader, keeper) = chain.execute(|| {
		let trader = funded("insolvent-trader", 10_000 * DOLLARS);
		let keeper = funded("insolvent-keeper", 1_000 * DOLLARS);
		assert_ok!(Margin::deposit(signed(&trader), 4_000 * DOLLARS));
		trade(&trader, units(1));
		(trader, keeper)
	});
	chain.next_block();

	// A 20% gap in one block, agreed by every feeder: the trader's loss of
	// 13,000 is far beyond its 4,000. The keeper liquidates it in the block
	// the price arrives.
	chain.move_price_in_steps(BTC, Price::from_u32(52_000), 20, |_| {});
	chain.execute(|| {
		assert!(Margin::account_health(&trader).expect("priced").equity < 0);
		assert_ok!(Margin::liquidate(signed(&keeper), trader.clone()));
		let events = events();
		let (reward, bad_debt) = events
			.iter()
			.find_map(|e| match e {
				RuntimeEvent::Margin(MarginEvent::Liquidated { reward, bad_debt, .. }) => {
					Some((*reward, *bad_debt))
				},
				_ => None,
			})
			.expect("a liquidation");
		assert!(bad_debt > 0);
		// The liquidator's quarter-point of 52,000 is 130: the fund pays at
		// most 100 a liquidation.
		assert_eq!(reward, 100 * DOLLARS);
		let paid: Balance = events
			.iter()
			.filter_map(|e| match e {
				RuntimeEvent::InsuranceFund(pallet_insurance_fund::Event::KeeperRewarded {
					from_market_fund,
					from_global_fund,
					..
				}) => Some(from_market_fund + from_global_fund),
				_ => None,
			})
			.sum();
		assert_eq!(paid, reward);
		let account = pallet_margin::Accounts::<Runtime>::get(&keeper).expect("credited");
		assert_eq!(account.collateral, reward);
	});
	chain.finish();
}
