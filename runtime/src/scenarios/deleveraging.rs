//! Auto-deleveraging with the real pallets: a crash leaves more bad debt
//! than the insurance fund, the stakers and the pool's loss cap cover, and
//! the rest is taken from the profitable shorts, exactly, in the block after
//! the liquidation.

use super::*;
use crate::{genesis_config_presets::BTC_PERP, RuntimeEvent, DOLLARS};
use pallet_margin::{Deleveraging, Event as MarginEvent, MarketStatus, Markets};

fn signed(who: &AccountId) -> RuntimeOrigin {
	RuntimeOrigin::signed(who.clone())
}

fn trade(who: &AccountId, size: i128) {
	let price = served_price(BTC).expect("a live price");
	assert_ok!(Margin::trade(signed(who), BTC_PERP, size, limit(price, size > 0)));
}

fn margin_events(events: &[RuntimeEvent]) -> Vec<MarginEvent<Runtime>> {
	events
		.iter()
		.filter_map(|e| match e {
			RuntimeEvent::Margin(event) => Some(event.clone()),
			_ => None,
		})
		.collect()
}

#[test]
fn a_deficit_beyond_every_tier_is_taken_from_the_profitable_shorts_exactly() {
	let mut chain = Chain::new();
	let (long, shorts, bystander) = chain.execute(|| {
		let long = funded("adl-long", 60_000 * DOLLARS);
		let shorts: Vec<AccountId> =
			["adl-short-1", "adl-short-2"].map(|s| funded(s, 60_000 * DOLLARS)).to_vec();
		let bystander = funded("adl-bystander", 60_000 * DOLLARS);
		// A long of 10 BTC at 65,000 on 40,000; two shorts of 5 BTC on
		// 40,000 each; a small long on plenty of collateral.
		assert_ok!(Margin::deposit(signed(&long), 40_000 * DOLLARS));
		trade(&long, units(10));
		for short in &shorts {
			assert_ok!(Margin::deposit(signed(short), 40_000 * DOLLARS));
			trade(short, -units(5));
		}
		assert_ok!(Margin::deposit(signed(&bystander), 50_000 * DOLLARS));
		trade(&bystander, units(1) / 10);
		(long, shorts, bystander)
	});
	chain.next_block();

	// BTC halves in one block, agreed by every feeder. The long's loss of
	// 325,000 leaves about 285,000 of bad debt: more than the insurance
	// fund's, the stakers' and the pool's caps per event together.
	chain.move_price_in_steps(BTC, Price::from_u32(32_500), 50, |_| {});
	let (before, bystander_before) = chain.execute(|| {
		let before: Vec<(AccountId, SignedBalance, SignedBalance, Balance)> = shorts
			.iter()
			.map(|s| {
				let health = Margin::account_health(s).expect("priced");
				(s.clone(), health.equity, health.accrued_funding, health.accrued_premium)
			})
			.collect();
		(before, pallet_margin::Accounts::<Runtime>::get(&bystander))
	});

	// The sweep in the next block's `on_initialize` liquidates the long
	// (nobody signs a `liquidate`); what no tier covered becomes the
	// market's deficit.
	chain.next_block();
	let ended = chain.execute(|| {
		let events: Vec<RuntimeEvent> = System::events().into_iter().map(|r| r.event).collect();
		margin_events(&events)
	});
	assert!(
		ended.iter().any(|e| matches!(
			e,
			MarginEvent::Liquidated { who, liquidator: None, .. } if *who == long
		)),
		"the sweep liquidated the long"
	);
	let deficit: Balance = ended
		.iter()
		.filter_map(|e| match e {
			MarginEvent::DeficitRecorded { market: BTC_PERP, amount, .. } => Some(*amount),
			_ => None,
		})
		.sum();
	assert!(deficit > 100_000 * DOLLARS, "deficit {deficit}");

	// Meanwhile the pool takes no deposit: its NAV still counts the profits
	// that deleveraging is about to take back, so a deposit now would buy
	// shares below their value.
	let (lp, price_during) = chain.execute(|| {
		let lp = super::funded("deficit-lp", 10_000 * DOLLARS);
		frame_support::assert_noop!(
			crate::SharedLiquidity::deposit(signed(&lp), 5_000 * DOLLARS),
			pallet_shared_liquidity::Error::<Runtime>::DeficitPending
		);
		(lp, super::share_price())
	});

	// The next block's `on_initialize` deleverages the shorts.
	chain.next_block();
	chain.execute(|| {
		let events: Vec<RuntimeEvent> = System::events().into_iter().map(|r| r.event).collect();
		let events = margin_events(&events);
		let mut taken_in_all: Balance = 0;
		for (who, equity_before, accrued_before, premium_before) in &before {
			let taken: Balance = events
				.iter()
				.filter_map(|e| match e {
					MarginEvent::Deleveraged { who: w, taken, .. } if w == who => Some(*taken),
					_ => None,
				})
				.sum();
			let settled: Option<SignedBalance> = events.iter().find_map(|e| match e {
				MarginEvent::FundingSettled { who: w, amount, .. } if w == who => Some(*amount),
				_ => None,
			});
			let premium_paid: Balance = events
				.iter()
				.filter_map(|e| match e {
					MarginEvent::PremiumSettled { who: w, amount, .. } if w == who => Some(*amount),
					_ => None,
				})
				.sum();
			taken_in_all += taken;
			// Its equity fell by what was taken and by the one block of
			// funding and of backstop premium accrued since, nothing else (a
			// unit of rounding).
			let health = Margin::account_health(who).expect("priced");
			let premium_since = (premium_paid + health.accrued_premium) as SignedBalance
				- *premium_before as SignedBalance;
			let funding_since = match settled {
				Some(settled) => settled - accrued_before,
				None if taken == 0 => health.accrued_funding - accrued_before,
				None => 0,
			};
			let expected = equity_before - taken as SignedBalance - funding_since - premium_since;
			assert!(
				(health.equity - expected).abs() <= 2,
				"short lost {} but gave {taken}",
				equity_before - health.equity
			);
			assert!(!health.liquidatable);
		}
		assert_eq!(taken_in_all, deficit, "the shorts gave exactly the deficit");
		// Only the shorts were deleveraged; the bystander's account is as
		// it was.
		for event in events.iter() {
			if let MarginEvent::Deleveraged { who, .. } = event {
				assert!(shorts.contains(who), "a non-short was deleveraged");
			}
		}
		assert_eq!(pallet_margin::Accounts::<Runtime>::get(&bystander), bystander_before);
		let market = Markets::<Runtime>::get(BTC_PERP).expect("market");
		assert_eq!(market.state.deficit, 0);
		assert_eq!(market.status, MarketStatus::Active);
		assert!(Deleveraging::<Runtime>::get(BTC_PERP).is_none());
		// The deficit recovered, the share price is back above what it was
		// while the deficit waited, and deposits are taken again.
		assert!(super::share_price() > price_during);
		frame_support::assert_ok!(crate::SharedLiquidity::deposit(signed(&lp), 5_000 * DOLLARS));
	});
	// Every invariant (solvency, NAV, try_state, supply) holds at the end of
	// the deleveraging block and after.
	chain.run(2);
	chain.finish();
}

#[test]
fn profits_beyond_the_pool_s_max_pnl_are_realised_and_paid_in_full() {
	let mut chain = Chain::new();
	let (whale, late) = chain.execute(|| {
		let whale = funded("pnl-whale", 300_000 * DOLLARS);
		let late = funded("pnl-late", 300_000 * DOLLARS);
		// 20 BTC at 65,000 on 200,000 of collateral.
		assert_ok!(Margin::deposit(signed(&whale), 200_000 * DOLLARS));
		trade(&whale, units(20));
		(whale, late)
	});
	chain.next_block();
	// A later long enters higher: behind the whale in the queue.
	chain.move_price(BTC, Price::from_u32(70_000), |_| {});
	chain.execute(|| {
		assert_ok!(Margin::deposit(signed(&late), 50_000 * DOLLARS));
		trade(&late, units(1));
	});

	// BTC rallies to 80,000: the whale is some 300,000 in profit, beyond
	// the 250,000 the pool allows BTC's traders (half its credit cap).
	let collateral = |who: &AccountId| {
		pallet_margin::Accounts::<Runtime>::get(who).map(|a| a.collateral).unwrap_or_default()
	};
	let start = chain.execute(|| collateral(&whale));
	let mut seen: Vec<MarginEvent<Runtime>> = Vec::new();
	chain.move_price(BTC, Price::from_u32(80_000), |chain| {
		seen.extend(margin_events(&chain.last_events));
	});
	chain.run(2);
	seen.extend(margin_events(&chain.last_events));
	let summary = seen.iter().find_map(|e| match e {
		MarginEvent::PnlDeleveraged { max_trader_pnl, target, trader_pnl_after, .. } => {
			Some((*max_trader_pnl, *target, *trader_pnl_after))
		},
		_ => None,
	});
	let (max, target, after) = summary.expect("the market was deleveraged");
	// Every unit of realised profit reached the whale's collateral (less
	// the funding and the backstop premium its closes settled), and nobody
	// else was deleveraged.
	let mut realized: SignedBalance = 0;
	let mut funding: SignedBalance = 0;
	let mut premium: SignedBalance = 0;
	for event in seen.iter() {
		match event {
			MarginEvent::ProfitDeleveraged { who, realized_pnl, .. } => {
				assert_eq!(who, &whale, "the most profitable position goes first");
				realized += realized_pnl;
			},
			MarginEvent::FundingSettled { who, amount, .. } if who == &whale => funding += amount,
			MarginEvent::PremiumSettled { who, amount, .. } if who == &whale => {
				premium += *amount as SignedBalance
			},
			_ => {},
		}
	}
	assert!(realized > 0);
	let end = chain.execute(|| collateral(&whale));
	assert_eq!(end as SignedBalance - start as SignedBalance, realized - funding - premium);
	assert!(after <= target as SignedBalance + 2, "{after} above {target}");
	assert!(target < max);
	chain.execute(|| {
		// The late long was not touched; the whale keeps most of its
		// position.
		assert_eq!(size_of(&late, BTC_PERP), units(1));
		assert!(size_of(&whale, BTC_PERP) < units(20));
		assert!(size_of(&whale, BTC_PERP) > units(10));
		let pnl = SharedLiquidity::market_pnl_to_pool(BTC_PERP).expect("registered");
		assert!(!pnl.exceeded);
	});
	chain.finish();
}
