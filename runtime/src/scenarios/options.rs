//! The options backstop with the real pallets: the insurance fund buys BTC
//! put spreads from the underwriters' vault, BTC falls 50%, and the payout
//! at expiry leaves the fund larger than the same crash without protection,
//! by exactly the spread's payoff net of the premium. Every invariant (the
//! options vault's included) is checked after every block.

use super::*;
use crate::{
	configs::backstop::OptionsSettlementWindow, genesis_config_presets::BTC_PERP, InsuranceFund,
	OptionsBackstop, RuntimeEvent, StakingBackstop, DOLLARS,
};
use pallet_insurance_fund::FundId;
use pallet_options_backstop::{Event as OptionsEvent, Template};
use pallet_staking_backstop::Tranche;
use sp_runtime::Permill;

/// The spreads the fund buys: 10 BTC.
const SPREADS: i128 = 10;

fn signed(who: &AccountId) -> RuntimeOrigin {
	RuntimeOrigin::signed(who.clone())
}

/// What one run ends with.
#[derive(Debug, PartialEq)]
struct Outcome {
	/// The global fund just before the crash.
	global_before_crash: Balance,
	/// The insurance fund's global fund and BTC sub-fund.
	global: Balance,
	market: Balance,
	/// The stakers' capital, junior and senior.
	stakers: (Balance, Balance),
	/// The bad debt the crash left (liquidations' `bad_debt`, summed).
	bad_debt: Balance,
	/// The premium paid and the payout received (zero without protection).
	premium: Balance,
	payout: Balance,
	/// The collateral locked for the spreads (their maximum payout).
	collateral: Balance,
}

fn events_of(chain: &Chain) -> impl Iterator<Item = &RuntimeEvent> {
	chain.last_events.iter()
}

/// The dev chain with one over-leveraged BTC long; governance lists a
/// short-dated 80%/60% series, the fund buys `SPREADS` of it (if
/// `protect`), BTC gaps from 65,000 to 32,500 and stays there until the
/// series expires; then anyone settles it.
fn crash(protect: bool) -> Outcome {
	let mut chain = Chain::new();
	let (trader, keeper) = chain.execute(|| {
		let trader = funded("options-crash-long", 20_000 * DOLLARS);
		assert_ok!(Margin::deposit(signed(&trader), 15_000 * DOLLARS));
		let price = served_price(BTC).expect("a live price");
		assert_ok!(Margin::trade(signed(&trader), BTC_PERP, units(2), limit(price, true)));
		// A series that expires soon after the crash: the settlement
		// window and a hundred blocks.
		let window: u32 = <OptionsSettlementWindow as frame_support::traits::Get<u32>>::get();
		assert_ok!(OptionsBackstop::add_template(
			RuntimeOrigin::root(),
			Template {
				asset: BTC,
				upper_moneyness: Permill::from_percent(80),
				lower_moneyness: Permill::from_percent(60),
				tenor: window + 100,
				target_payout: 0,
			}
		));
		(trader, funded("options-crash-keeper", 10 * DOLLARS))
	});
	// The hook lists the template's first series at the EMA.
	chain.next_block();
	let listed: Vec<RuntimeEvent> =
		chain.execute(|| System::events().into_iter().map(|r| r.event).collect());
	let (series, strike_high, strike_low, expiry) = listed
		.iter()
		.find_map(|e| match e {
			RuntimeEvent::OptionsBackstop(OptionsEvent::SeriesListed {
				series,
				template: 1,
				strike_high,
				strike_low,
				expiry,
				..
			}) => Some((*series, *strike_high, *strike_low, *expiry)),
			_ => None,
		})
		.expect("the new template's series is listed");
	assert_eq!(strike_high, Price::from_u32(52_000));
	assert_eq!(strike_low, Price::from_u32(39_000));

	let (premium, collateral) = if protect {
		chain.execute(|| {
			let before = InsuranceFund::fund_balance(FundId::Global);
			assert_ok!(OptionsBackstop::buy_protection(
				RuntimeOrigin::root(),
				series,
				units(SPREADS) as u128,
				10_000 * DOLLARS,
			));
			let bought = System::events().into_iter().find_map(|r| match r.event {
				RuntimeEvent::OptionsBackstop(OptionsEvent::ProtectionBought {
					premium,
					collateral,
					..
				}) => Some((premium, collateral)),
				_ => None,
			});
			let (premium, collateral) = bought.expect("protection bought");
			// The premium left the global fund.
			assert_eq!(InsuranceFund::fund_balance(FundId::Global), before - premium);
			assert!(premium > 0);
			(premium, collateral)
		})
	} else {
		(0, 0)
	};

	// The crash: a 50% gap in one block, agreed by every feeder; the long
	// is liquidated bankrupt.
	let global_before_crash = chain.execute(|| InsuranceFund::fund_balance(FundId::Global));
	let mut bad_debt: Balance = 0;
	let mut count_bad_debt = |chain: &mut Chain| {
		for event in events_of(chain) {
			if let RuntimeEvent::Margin(pallet_margin::Event::Liquidated { bad_debt: b, .. }) =
				event
			{
				bad_debt += *b;
			}
		}
	};
	chain.move_price_in_steps(BTC, Price::from_u32(32_500), 50, &mut count_bad_debt);
	chain.execute(|| {
		if size_of(&trader, BTC_PERP) != 0 {
			assert_ok!(Margin::liquidate(signed(&keeper), trader.clone()));
		}
	});
	while chain.execute(System::block_number) < expiry {
		chain.next_block();
		count_bad_debt(&mut chain);
	}
	assert_eq!(chain.execute(|| size_of(&trader, BTC_PERP)), 0, "the long was liquidated");

	// Anyone settles the expired series.
	let payout = chain.execute(|| {
		let before = InsuranceFund::fund_balance(FundId::Global);
		assert_ok!(OptionsBackstop::settle(signed(&keeper), series));
		let settled = System::events().into_iter().find_map(|r| match r.event {
			RuntimeEvent::OptionsBackstop(OptionsEvent::SeriesSettled {
				price, payout, ..
			}) => Some((price, payout)),
			_ => None,
		});
		let (price, payout) = settled.expect("the series settled");
		// The settlement price is the average EMA of the window: the crash
		// is over by then.
		assert!(price < Price::from_u32(33_000), "settled at {price}");
		assert_eq!(InsuranceFund::fund_balance(FundId::Global), before + payout);
		payout
	});
	let outcome = chain.execute(|| Outcome {
		global_before_crash,
		global: InsuranceFund::fund_balance(FundId::Global),
		market: InsuranceFund::fund_balance(FundId::Market(BTC_PERP)),
		stakers: (
			StakingBackstop::tranche_capacity(Tranche::Junior),
			StakingBackstop::tranche_capacity(Tranche::Senior),
		),
		bad_debt,
		premium,
		payout,
		collateral,
	});
	chain.finish();
	outcome
}

#[test]
fn a_fifty_percent_crash_with_protection_leaves_the_fund_larger_by_the_payout() {
	let unprotected = crash(false);
	let protected = crash(true);
	println!("without protection: {unprotected:?}\nwith protection:    {protected:?}");

	// The crash left bad debt that reached the global fund, the same in
	// both runs.
	assert!(protected.bad_debt > 0);
	assert!(unprotected.global < unprotected.global_before_crash);
	assert_eq!(protected.bad_debt, unprotected.bad_debt);
	assert_eq!(protected.market, unprotected.market);
	assert_eq!(protected.stakers, unprotected.stakers);
	assert_eq!(unprotected.payout, 0);

	// BTC settled below the lower strike: the spreads paid their whole
	// width, `10 × (52,000 − 39,000)`, which is the collateral locked.
	assert_eq!(protected.payout, 130_000 * DOLLARS);
	assert_eq!(protected.payout, protected.collateral);

	// The fund ends larger by the payout, net of the premium it paid.
	assert!(protected.premium < protected.payout / 10);
	assert_eq!(protected.global, unprotected.global + protected.payout - protected.premium);
}
