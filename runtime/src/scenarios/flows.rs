//! Money flows across the real pallets: rallies and crashes, multi-market
//! liquidations, the liquidity providers' timing, and an external default.

use super::*;
use crate::{
	genesis_config_presets::{BTC_PERP, ETH_PERP},
	RuntimeEvent, DOLLARS,
};
use backstop_primitives::units::BASE_UNIT;
use pallet_shared_liquidity::{ProtocolId, ProtocolStatus, ProtocolTerms};
use sp_keyring::Sr25519Keyring;
use sp_runtime::Permill;

fn root() -> RuntimeOrigin {
	RuntimeOrigin::root()
}

fn signed(who: &AccountId) -> RuntimeOrigin {
	RuntimeOrigin::signed(who.clone())
}

/// Opens (positive: long) or trades `size` in `market` at the current price.
fn trade(who: &AccountId, market: u32, size: i128) {
	let asset = if market == BTC_PERP { BTC } else { ETH };
	let price = served_price(asset).expect("a live price");
	assert_ok!(Margin::trade(signed(who), market, size, limit(price, size > 0)));
}

/// Closes `who`'s position in `market`.
fn close(who: &AccountId, market: u32) {
	let size = size_of(who, market);
	assert_ne!(size, 0, "no position to close");
	trade(who, market, -size);
}

/// The settled collateral of `who` in the margin pallet.
fn collateral(who: &AccountId) -> Balance {
	pallet_margin::Accounts::<Runtime>::get(who).map(|a| a.collateral).unwrap_or_default()
}

/// Withdraws everything `who` may withdraw from the margin pallet, after
/// waiting out any profit warm-up; returns what arrived.
fn withdraw_all(chain: &mut Chain, who: &AccountId) -> Balance {
	for _ in 0..200 {
		let free = chain.execute(|| Margin::withdrawable(who).map(|w| w.withdrawable));
		let total = chain.execute(|| collateral(who));
		if free == Ok(total) {
			break;
		}
		chain.next_block();
	}
	chain.execute(|| {
		let amount = collateral(who);
		let before = cash(who);
		assert_ok!(Margin::withdraw(signed(who), amount));
		assert_eq!(collateral(who), 0);
		cash(who) - before
	})
}

fn events() -> Vec<RuntimeEvent> {
	System::events().into_iter().map(|r| r.event).collect()
}

#[test]
fn a_rally_pays_every_profitable_long_in_full() {
	let mut chain = Chain::new();
	let traders: Vec<AccountId> = chain.execute(|| {
		["rally-1", "rally-2", "rally-3"].map(|s| funded(s, 30_000 * DOLLARS)).to_vec()
	});
	chain.execute(|| {
		for trader in &traders {
			assert_ok!(Margin::deposit(signed(trader), 20_000 * DOLLARS));
			trade(trader, BTC_PERP, units(1));
		}
	});
	chain.next_block();
	// +50%: the first long closes and is paid about 32,500.
	chain.move_price(BTC, Price::from_u32(97_500), |_| {});
	let first = chain.execute(|| {
		let before = collateral(&traders[0]);
		close(&traders[0], BTC_PERP);
		collateral(&traders[0]) - before
	});
	assert!(first > 32_000 * DOLLARS && first < 32_500 * DOLLARS, "first long gained {first}");
	// +150%: the others are paid about 97,500 each — more than the cost
	// basis of all three positions together.
	chain.move_price(BTC, Price::from_u32(162_500), |_| {});
	for trader in &traders[1..] {
		let gained = chain.execute(|| {
			let before = collateral(trader);
			close(trader, BTC_PERP);
			collateral(trader) - before
		});
		assert!(gained > 96_500 * DOLLARS && gained < 97_500 * DOLLARS, "long gained {gained}");
	}
	chain.next_block();
	for trader in &traders {
		let before = chain.execute(|| cash(trader));
		let paid = withdraw_all(&mut chain, trader);
		assert!(paid > 20_000 * DOLLARS + 32_000 * DOLLARS, "withdrew only {paid}");
		assert_eq!(chain.execute(|| cash(trader)), before + paid);
	}
	chain.finish();
}

#[test]
fn a_crash_liquidates_the_longs_and_pays_the_shorts() {
	let mut chain = Chain::new();
	// Longs at about 10x, 15x and 19x; two shorts at 6.5x.
	let longs: Vec<(AccountId, Balance)> = chain.execute(|| {
		[("crash-long-10x", 6_500), ("crash-long-15x", 4_400), ("crash-long-19x", 3_500)]
			.map(|(seed, deposit)| (funded(seed, 10_000 * DOLLARS), deposit * DOLLARS))
			.to_vec()
	});
	let shorts: Vec<AccountId> = chain.execute(|| {
		["crash-short-1", "crash-short-2"].map(|s| funded(s, 20_000 * DOLLARS)).to_vec()
	});
	chain.execute(|| {
		for (long, deposit) in &longs {
			assert_ok!(Margin::deposit(signed(long), *deposit));
			trade(long, BTC_PERP, units(1));
		}
		for short in &shorts {
			assert_ok!(Margin::deposit(signed(short), 10_000 * DOLLARS));
			trade(short, BTC_PERP, -units(1));
		}
	});
	chain.next_block();
	let mut liquidated = 0;
	let mut bad_debt = 0;
	chain.move_price(BTC, Price::from_u32(35_750), |chain| {
		for event in &chain.last_events {
			if let RuntimeEvent::Margin(pallet_margin::Event::Liquidated { bad_debt: d, .. }) =
				event
			{
				liquidated += 1;
				bad_debt += d;
			}
		}
	});
	assert_eq!(liquidated, 3, "every long is liquidated on the way down");
	assert!(bad_debt > 0, "the 15x and 19x longs left bad debt");
	chain.execute(|| {
		for (long, _) in &longs {
			assert_eq!(size_of(long, BTC_PERP), 0);
		}
		// The insurance fund covered the bad debt: no deficit is left.
		let market = pallet_margin::Markets::<Runtime>::get(BTC_PERP).expect("market");
		assert_eq!(market.state.deficit, 0);
	});
	for short in &shorts {
		let gained = chain.execute(|| {
			let before = collateral(short);
			close(short, BTC_PERP);
			collateral(short) - before
		});
		assert!(gained > 28_500 * DOLLARS, "short gained only {gained}");
	}
	for short in &shorts {
		let paid = withdraw_all(&mut chain, short);
		assert!(paid > 38_500 * DOLLARS, "short withdrew only {paid}");
	}
	chain.finish();
}

#[test]
fn a_profitable_btc_leg_does_not_stop_the_liquidation_of_an_insolvent_eth_leg() {
	let mut chain = Chain::new();
	let trader = chain.execute(|| funded("two-legs", 10_000 * DOLLARS));
	let keeper = Sr25519Keyring::Ferdie.to_account_id();
	chain.execute(|| {
		assert_ok!(Margin::deposit(signed(&trader), 6_000 * DOLLARS));
		trade(&trader, ETH_PERP, units(30));
		trade(&trader, BTC_PERP, -(BASE_UNIT as i128) / 5);
	});
	chain.next_block();
	// Both fall 9% in one block: ETH loses about 8,640, the BTC short gains
	// about 1,170, the account is about 1,500 under water.
	chain.set_price(ETH, Price::from_u32(2_912));
	chain.set_price(BTC, Price::from_u32(59_150));
	chain.next_block();
	chain.execute(|| {
		let health = Margin::account_health(&trader).expect("priced");
		assert!(health.equity < 0, "equity {}", health.equity);
		let cash_before = pallet_shared_liquidity::Pool::<Runtime>::get().cash;
		assert_ok!(Margin::liquidate(signed(&keeper), trader.clone()));
		assert_eq!(size_of(&trader, ETH_PERP), 0);
		assert_eq!(size_of(&trader, BTC_PERP), 0);
		// The BTC profit was netted against the ETH loss: the pool paid
		// nothing out, and the whole bad debt is booked to ETH, the only
		// losing market.
		assert_eq!(pallet_shared_liquidity::Pool::<Runtime>::get().cash, cash_before);
		let referred: Vec<(u32, Balance)> = events()
			.into_iter()
			.filter_map(|e| match e {
				RuntimeEvent::Margin(pallet_margin::Event::BadDebtReferred {
					market,
					amount,
					..
				}) => Some((market, amount)),
				_ => None,
			})
			.collect();
		assert_eq!(referred.len(), 1);
		assert_eq!(referred[0].0, ETH_PERP);
		// The backstop premium the account owed is forgiven, not referred:
		// it is paid after every other claim, from what is left.
		let premium: Balance = health.positions.iter().map(|p| p.accrued_premium).sum();
		assert!(premium > 0);
		assert_eq!(referred[0].1, health.equity.unsigned_abs() - premium);
	});
	chain.finish();
}

#[test]
fn liquidity_providers_cannot_time_settlements_or_run_ahead_of_trader_profits() {
	let mut chain = Chain::new();
	let trader = chain.execute(|| funded("lp-timing-trader", 50_000 * DOLLARS));
	let newcomer = chain.execute(|| funded("lp-timing-newcomer", 200_000 * DOLLARS));
	let bob = Sr25519Keyring::Bob.to_account_id();
	chain.execute(|| {
		assert_ok!(Margin::deposit(signed(&trader), 40_000 * DOLLARS));
		trade(&trader, BTC_PERP, units(1));
	});
	chain.next_block();
	chain.set_price(BTC, Price::from_u32(59_150));
	chain.next_block();
	// The trader realises a loss of about 5,850, held for the pool; a
	// newcomer deposits before it is settled and then settles it.
	chain.execute(|| {
		close(&trader, BTC_PERP);
		let held =
			pallet_margin::Markets::<Runtime>::get(BTC_PERP).expect("market").state.pool_receivable;
		assert!(held > 5_800 * DOLLARS);
		assert_ok!(SharedLiquidity::deposit(signed(&newcomer), 100_000 * DOLLARS));
		let value = SharedLiquidity::lp_info(newcomer.clone()).value;
		assert_ok!(Margin::settle_market(signed(&newcomer), BTC_PERP));
		let after = SharedLiquidity::lp_info(newcomer.clone()).value;
		// The receivable was in the price the newcomer paid: settling it
		// gives the newcomer nothing (to rounding).
		assert!(after <= value + 1 && value <= 100_000 * DOLLARS, "{value} -> {after}");
	});
	chain.set_price(BTC, Price::from_u32(65_000));
	chain.next_block();
	// Traders sit on a profit when Bob asks to leave: he is paid the lower
	// net asset value, and what he leaves behind stays with the others.
	chain.execute(|| {
		trade(&trader, BTC_PERP, units(2));
	});
	chain.next_block();
	chain.set_price(BTC, Price::from_u32(70_850));
	chain.next_block();
	let (shares, price_at_request) = chain.execute(|| {
		let shares = SharedLiquidity::lp_info(bob.clone()).shares;
		assert_ok!(SharedLiquidity::request_withdraw(signed(&bob), shares));
		(shares, share_price())
	});
	// The price falls back: the traders' profit is gone, the pool is worth
	// more than when Bob asked.
	chain.set_price(BTC, Price::from_u32(65_000));
	chain.run(crate::genesis_config_presets::DEV_WITHDRAW_DELAY + 1);
	chain.execute(|| {
		assert!(share_price() > price_at_request);
		let before = cash(&bob);
		assert_ok!(SharedLiquidity::withdraw(signed(&bob), shares));
		let paid = cash(&bob) - before;
		assert_eq!(paid, price_at_request.saturating_mul_int(shares));
	});
	chain.finish();
}

#[test]
fn an_external_default_beyond_its_loss_cap_leaves_the_markets_their_capacity() {
	let mut chain = Chain::new();
	let lender = chain.execute(|| funded("external-protocol", 10_000 * DOLLARS));
	let trader = chain.execute(|| funded("after-default-trader", 20_000 * DOLLARS));
	let id = ProtocolId::External(lender.clone());
	chain.execute(|| {
		let terms = ProtocolTerms {
			credit_cap: 200_000 * DOLLARS,
			loss_cap: 100_000 * DOLLARS,
			base_rate: Permill::from_percent(5),
			term: 20,
			..Default::default()
		};
		assert_ok!(SharedLiquidity::register_protocol(root(), id.clone(), terms));
		let nav = SharedLiquidity::pool_nav().expect("valued");
		assert_ok!(SharedLiquidity::draw_credit(signed(&lender), 100_000 * DOLLARS));
		// Lending moves cash out and principal in: the value is unchanged.
		assert_eq!(SharedLiquidity::pool_nav(), Some(nav));
		// Governance tightens the loss cap while the principal is out.
		let tighter = ProtocolTerms { loss_cap: 60_000 * DOLLARS, ..terms };
		assert_ok!(SharedLiquidity::set_protocol_terms(root(), id.clone(), tighter));
	});
	let (nav_before_due, available_before) = chain.execute(|| {
		(
			SharedLiquidity::pool_nav().expect("valued"),
			<SharedLiquidity as backstop_primitives::LiquidityProvider<AccountId>>::available(
				BTC_PERP,
			),
		)
	});
	chain.run(21);
	chain.execute(|| {
		// Past its term the principal is impaired and valued at zero: nobody
		// can leave at par ahead of the write-off.
		let info = SharedLiquidity::protocol_info(id.clone()).expect("registered");
		assert!(info.impaired);
		let nav = SharedLiquidity::pool_nav().expect("valued");
		assert_eq!(nav, nav_before_due - (100_000 * DOLLARS) as SignedBalance);
		// The write-off is bounded by the loss cap; the rest stays owed.
		assert_ok!(SharedLiquidity::write_off(root(), id.clone(), 100_000 * DOLLARS));
		let info = SharedLiquidity::protocol_info(id.clone()).expect("registered");
		assert_eq!(info.losses, 60_000 * DOLLARS);
		assert_eq!(info.drawn, 40_000 * DOLLARS);
		assert_eq!(info.status, ProtocolStatus::Frozen);
		assert_eq!(SharedLiquidity::pool_nav(), Some(nav));
		// The markets keep their capacity and trade on.
		let available =
			<SharedLiquidity as backstop_primitives::LiquidityProvider<AccountId>>::available(
				BTC_PERP,
			);
		assert_eq!(available, available_before);
		assert_ok!(Margin::deposit(signed(&trader), 10_000 * DOLLARS));
		trade(&trader, BTC_PERP, units(1));
		// A recovery raises the value by what comes back.
		let owed = info.drawn + info.fees_owed;
		assert_ok!(Assets::transfer_keep_alive(
			signed(&Sr25519Keyring::Alice.to_account_id()),
			SETTLEMENT_ASSET_ID.into(),
			lender.clone().into(),
			owed,
		));
		let nav = SharedLiquidity::pool_nav().expect("valued");
		assert_ok!(SharedLiquidity::repay_credit(signed(&lender), owed));
		assert_eq!(SharedLiquidity::pool_nav(), Some(nav + owed as SignedBalance));
	});
	chain.finish();
}

/// A −43% crash, as one jump and as a −4%-a-block slide, with the feeders
/// agreeing: the price is live in every block (never held), and the margin
/// pallet liquidates the 10x longs on the way down, not after the bottom.
#[test]
fn a_fast_crash_on_which_the_feeders_agree_keeps_liquidations_going() {
	let bottom = Price::from_u32(37_050); // −43% from 65,000
	for percent in [43, 4] {
		let mut chain = Chain::new();
		let longs: Vec<AccountId> = chain.execute(|| {
			(0..4).map(|i| funded(&format!("fast-crash-{percent}-{i}"), 10_000 * DOLLARS)).collect()
		});
		chain.execute(|| {
			for long in &longs {
				assert_ok!(Margin::deposit(signed(long), 6_500 * DOLLARS));
				trade(long, BTC_PERP, units(1));
			}
		});
		chain.next_block();
		let mut blocks = 0;
		let mut liquidated_at_price = Vec::new();
		// The prices fed block by block. The sweep runs in `on_initialize`,
		// before the block's feeds: a liquidation in a block's events acted
		// on the price fed in the block before it.
		let mut fed_in = vec![chain.price(BTC)];
		let record = |events: &[RuntimeEvent], at: Price, out: &mut Vec<(AccountId, Price)>| {
			for event in events {
				if let RuntimeEvent::Margin(pallet_margin::Event::Liquidated { who, .. }) = event {
					out.push((who.clone(), at));
				}
			}
		};
		chain.move_price_in_steps(BTC, bottom, percent, |chain| {
			blocks += 1;
			let fed = chain.price(BTC);
			chain.execute(|| {
				let served = <OracleAggregator as backstop_primitives::PriceProvider<
					crate::BlockNumber,
				>>::price(BTC)
				.expect("live in every block of the crash");
				assert_eq!(served.price, fed, "the served price follows the feeds");
			});
			let acted_on = fed_in[fed_in.len().saturating_sub(2)];
			record(&chain.last_events, acted_on, &mut liquidated_at_price);
			fed_in.push(fed);
		});
		// The blocks after the bottom: the sweep acts on the bottom price
		// (and finishes what it closed in part).
		for _ in 0..3 {
			chain.next_block();
			let acted_on = fed_in[fed_in.len().saturating_sub(2)];
			record(&chain.last_events, acted_on, &mut liquidated_at_price);
			fed_in.push(bottom);
		}
		chain.execute(|| {
			for long in &longs {
				assert_eq!(size_of(long, BTC_PERP), 0, "every 10x long is liquidated");
			}
		});
		// The dev preset liquidates in part first (one position of over
		// $1,000 closes in steps), so an account may appear more than once:
		// what matters is when each one was first reached.
		let mut first: Vec<(AccountId, Price)> = Vec::new();
		for (who, price) in liquidated_at_price {
			if !first.iter().any(|(seen, _)| *seen == who) {
				first.push((who, price));
			}
		}
		assert_eq!(first.len(), longs.len());
		assert!(longs.iter().all(|long| first.iter().any(|(who, _)| who == long)));
		if percent == 4 {
			// On the slide, the longs go at the first step below maintenance
			// (about −7%), long before the bottom.
			assert!(blocks > 10, "the slide took {blocks} blocks");
			assert!(first.iter().all(|(_, p)| *p > Price::from_u32(59_000)));
		}
		chain.finish();
	}
}
