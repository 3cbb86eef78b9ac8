//! The backstop priced by risk, with the real pallets: the traders pay a
//! premium on their open interest that reaches the stakers' reward ledger,
//! its rate rises as coverage of the stressed required capital falls and as
//! the oracle sees volatility, the tranches share it by capital with the
//! junior multiple, and a staker who asks to leave while a loss is coming
//! bears it. Every invariant is checked after every block.

use super::*;
use crate::{
	genesis_config_presets::{BTC_PERP, ETH_PERP},
	InsuranceFund, RuntimeEvent, StakingBackstop, DOLLARS,
};
use backstop_primitives::{RevenueKind, RiskExposure};
use pallet_insurance_fund::FundId;
use pallet_staking_backstop::Tranche;
use sp_runtime::Permill;

fn signed(who: &AccountId) -> RuntimeOrigin {
	RuntimeOrigin::signed(who.clone())
}

fn trade(who: &AccountId, market: u32, asset: OracleAssetId, size: i128) {
	let price = served_price(asset).expect("a live price");
	assert_ok!(Margin::trade(signed(who), market, size, limit(price, size > 0)));
}

/// A trader with `collateral` deposited and `size` of BTC-PERP.
fn btc_trader(seed: &str, collateral: Balance, size: i128) -> AccountId {
	let who = funded(seed, collateral + 1_000 * DOLLARS);
	assert_ok!(Margin::deposit(signed(&who), collateral));
	trade(&who, BTC_PERP, BTC, size);
	who
}

fn premium_rate(market: u32) -> FixedU128 {
	Margin::market_premium(market).expect("a market").rate_per_block
}

/// The staking backstop's `RevenueReceived` events of `kind` in `events`:
/// (amount, junior weight, senior weight, to junior, to senior).
fn revenue(
	events: &[RuntimeEvent],
	kind: RevenueKind,
) -> Vec<(Balance, Balance, Balance, Balance, Balance)> {
	events
		.iter()
		.filter_map(|event| match event {
			RuntimeEvent::StakingBackstop(pallet_staking_backstop::Event::RevenueReceived {
				kind: k,
				amount,
				junior_weight,
				senior_weight,
				to_junior,
				to_senior,
				..
			}) if *k == kind => Some((*amount, *junior_weight, *senior_weight, *to_junior, *to_senior)),
			_ => None,
		})
		.collect()
}

fn premium_settled(events: &[RuntimeEvent], trader: &AccountId) -> Balance {
	events
		.iter()
		.filter_map(|event| match event {
			RuntimeEvent::Margin(pallet_margin::Event::PremiumSettled { who, amount, .. })
				if who == trader =>
			{
				Some(*amount)
			},
			_ => None,
		})
		.sum()
}

/// What all the staking backstop's revenue inflows in `events` credited to
/// the junior and to the senior tranche.
fn credited(events: &[RuntimeEvent]) -> (Balance, Balance) {
	[RevenueKind::BackstopPremium, RevenueKind::TradingFee, RevenueKind::InsuranceSurplus]
		.into_iter()
		.flat_map(|kind| revenue(events, kind))
		.fold((0, 0), |(j, s), (_, _, _, to_junior, to_senior)| (j + to_junior, s + to_senior))
}

/// Runs `n` blocks and returns every event of them.
fn run_collecting(chain: &mut Chain, n: u32) -> Vec<RuntimeEvent> {
	let mut events = Vec::new();
	for _ in 0..n {
		chain.next_block();
		events.extend(chain.last_events.iter().cloned());
	}
	events
}

#[test]
fn traders_pay_the_premium_on_open_interest_and_the_stakers_receive_it() {
	let mut chain = Chain::new();
	let trader = chain.execute(|| btc_trader("premium-payer", 50_000 * DOLLARS, units(2)));
	chain.next_block();
	let (index_at_open, collateral_at_open) = chain.execute(|| {
		let account = pallet_margin::Accounts::<Runtime>::get(&trader).expect("an account");
		(account.positions[0].premium_index, account.collateral)
	});
	chain.run(30);
	let paid = chain.execute(|| {
		let market = pallet_margin::Markets::<Runtime>::get(BTC_PERP).expect("BTC-PERP");
		assert!(premium_rate(BTC_PERP) > FixedU128::from_inner(0), "the market accrues a premium");
		// The position owes |size| × (index now − index at its last
		// settlement), rounded up, and its health already counts it.
		let delta = market.state.premium_index.saturating_sub(index_at_open);
		let owed = delta.saturating_mul_int(units(2) as u128) + 1;
		let health = Margin::account_health(&trader).expect("a health");
		let accrued = health.positions[0].accrued_premium;
		assert!(accrued > 0 && accrued.abs_diff(owed) <= 1, "accrued {accrued}, owed {owed}");

		// Trading settles it: the trader pays exactly that from collateral.
		System::reset_events();
		trade(&trader, BTC_PERP, BTC, units(1) / 10);
		let events: Vec<RuntimeEvent> = System::events().into_iter().map(|r| r.event).collect();
		assert_eq!(premium_settled(&events, &trader), accrued);
		assert!(
			pallet_margin::Accounts::<Runtime>::get(&trader).unwrap().collateral
				< collateral_at_open - accrued + 1
		);
		assert_eq!(
			pallet_margin::Markets::<Runtime>::get(BTC_PERP).unwrap().state.pending_premium,
			accrued
		);
		accrued
	});
	let alice = sp_keyring::Sr25519Keyring::Alice.to_account_id();
	let charlie = sp_keyring::Sr25519Keyring::Charlie.to_account_id();
	let (junior_before, senior_before) = chain.execute(|| {
		(
			StakingBackstop::pending_rewards(Tranche::Junior, &alice),
			StakingBackstop::pending_rewards(Tranche::Senior, &charlie),
		)
	});
	// The idle hook hands the market's pending premium to the stakers.
	chain.next_block();
	let received = revenue(&chain.last_events, RevenueKind::BackstopPremium);
	assert_eq!(received.len(), 1, "one premium inflow: {received:?}");
	let (amount, junior_weight, senior_weight, to_junior, to_senior) = received[0];
	assert_eq!(amount, paid);
	assert_eq!(to_junior + to_senior, amount);
	// 20,000 junior and 20,000 senior at genesis, the junior weighted three
	// times: three quarters of the premium to the junior tranche.
	assert_eq!(junior_weight, 3 * senior_weight);
	assert_eq!(to_junior, amount * 3 / 4);
	// The trade's fee share reached the stakers in the same block.
	let (to_junior, to_senior) = credited(&chain.last_events);
	chain.execute(|| {
		assert_eq!(
			pallet_margin::Markets::<Runtime>::get(BTC_PERP).unwrap().state.pending_premium,
			0
		);
		// Alice holds half the junior tranche, Charlie half the senior one.
		let junior_gain = StakingBackstop::pending_rewards(Tranche::Junior, &alice) - junior_before;
		let senior_gain =
			StakingBackstop::pending_rewards(Tranche::Senior, &charlie) - senior_before;
		assert!(junior_gain.abs_diff(to_junior / 2) <= 1, "{junior_gain} of {to_junior}");
		assert!(senior_gain.abs_diff(to_senior / 2) <= 1, "{senior_gain} of {to_senior}");
	});
	chain.finish();
}

#[test]
fn the_premium_rises_as_coverage_falls_and_as_volatility_rises() {
	let mut chain = Chain::new();
	chain.execute(|| {
		btc_trader("coverage-long-a", 20_000 * DOLLARS, units(1));
	});
	chain.next_block();
	let (rate_ample, coverage_ample) = chain.execute(|| {
		let pricing = StakingBackstop::pricing();
		// 1 BTC at 65,000 with a 30% stress move and 3% maintenance margin
		// requires 27% of 65,000.
		assert_eq!(pricing.required_capital, 17_550 * DOLLARS);
		assert_eq!(pricing.required_capital, Margin::total_required_capital());
		(premium_rate(BTC_PERP), pricing.coverage.expect("a coverage"))
	});
	// A second long doubles the required capital and halves the coverage.
	chain.execute(|| {
		btc_trader("coverage-long-b", 20_000 * DOLLARS, units(1));
	});
	chain.next_block();
	let (rate_scarce, coverage_scarce) = chain.execute(|| {
		(premium_rate(BTC_PERP), StakingBackstop::pricing().coverage.expect("a coverage"))
	});
	assert!(coverage_scarce < coverage_ample, "{coverage_scarce:?} < {coverage_ample:?}");
	assert!(rate_scarce > rate_ample, "{rate_scarce:?} > {rate_ample:?}");
	// The junior tranche earns three times the senior rate on its capital.
	chain.execute(|| {
		let pricing = StakingBackstop::pricing();
		assert!(pricing.annual_premium > 0);
		let ratio = pricing.junior_yield / pricing.senior_yield;
		assert!(
			ratio > FixedU128::from_rational(299, 100)
				&& ratio < FixedU128::from_rational(301, 100),
			"junior {:?} senior {:?}",
			pricing.junior_yield,
			pricing.senior_yield
		);
	});
	// A fast move makes the oracle's EMA lag the spot: the market's
	// volatility estimate rises, and the rate with it.
	// Nobody trades ETH here, so the coverage does not move with its price.
	let (calm, calm_rate) = chain.execute(|| {
		let premium = Margin::market_premium(ETH_PERP).unwrap();
		(premium.volatility.unwrap(), premium.rate_per_block)
	});
	let coverage = chain.execute(|| StakingBackstop::pricing().coverage);
	chain.move_price(ETH, Price::from_u32(4_000), |_| {});
	chain.next_block();
	chain.execute(|| {
		assert_eq!(StakingBackstop::pricing().coverage, coverage);
		let premium = Margin::market_premium(ETH_PERP).unwrap();
		let volatile = premium.volatility.expect("a fresh price");
		assert!(volatile > calm, "{volatile:?} > {calm:?}");
		let (at_calm, _) = StakingBackstop::premium_rates(calm);
		let (at_volatile, _) = StakingBackstop::premium_rates(volatile);
		assert!(at_volatile > at_calm);
		assert!(premium.rate_per_block > calm_rate, "{:?} > {calm_rate:?}", premium.rate_per_block);
	});
	chain.finish();
}

#[test]
fn a_bigger_junior_tranche_earns_proportionally_more() {
	let mut chain = Chain::new();
	let trader = chain.execute(|| btc_trader("junior-payer", 50_000 * DOLLARS, units(2)));
	chain.run(20);
	chain.execute(|| trade(&trader, BTC_PERP, BTC, units(1) / 10));
	chain.next_block();
	let before = revenue(&chain.last_events, RevenueKind::BackstopPremium);
	assert_eq!(before.len(), 1);
	// Eve triples the junior tranche: 60,000 junior against 20,000 senior.
	let eve = chain.execute(|| {
		let eve = funded("junior-eve", 41_000 * DOLLARS);
		assert_ok!(StakingBackstop::stake(signed(&eve), Tranche::Junior, 40_000 * DOLLARS));
		eve
	});
	let mut events = run_collecting(&mut chain, 20);
	chain.execute(|| trade(&trader, BTC_PERP, BTC, units(1) / 10));
	events.extend(run_collecting(&mut chain, 1));
	let after = revenue(&events, RevenueKind::BackstopPremium);
	assert!(!after.is_empty());
	let share = |(amount, _, _, to_junior, _): (Balance, Balance, Balance, Balance, Balance)| {
		FixedU128::from_rational(to_junior, amount)
	};
	let near = |x: FixedU128, y: FixedU128| {
		x.max(y).saturating_sub(x.min(y)) < FixedU128::from_rational(1, 1_000)
	};
	// Three quarters before, nine tenths after: weight 3 × 60,000 against
	// 20,000.
	assert!(near(share(before[0]), FixedU128::from_rational(3, 4)));
	for inflow in &after {
		assert!(near(share(*inflow), FixedU128::from_rational(9, 10)), "{inflow:?}");
		assert_eq!(inflow.1, 9 * inflow.2);
	}
	// Eve's two thirds of the junior tranche earn her two thirds of its part
	// of everything the stakers received since she staked, not the lion's
	// share of all revenue.
	let (to_junior, to_senior) = credited(&events);
	chain.execute(|| {
		let earned = StakingBackstop::pending_rewards(Tranche::Junior, &eve);
		let inflows = u128::try_from(events.len()).unwrap_or(u128::MAX);
		assert!(
			earned <= to_junior * 2 / 3 + 1 && earned + inflows >= to_junior * 2 / 3,
			"{earned} of {to_junior}"
		);
		assert!(earned * 100 < (to_junior + to_senior) * 61);
	});
	chain.finish();
}

#[test]
fn required_capital_is_the_stressed_loss_with_correlations_at_one() {
	let mut chain = Chain::new();
	chain.execute(|| {
		// A BTC long and an ETH short: a crash hurts the long, a squeeze the
		// short; nothing nets across them.
		btc_trader("var-btc-long", 30_000 * DOLLARS, units(1));
		let short = funded("var-eth-short", 40_000 * DOLLARS);
		assert_ok!(Margin::deposit(signed(&short), 30_000 * DOLLARS));
		trade(&short, ETH_PERP, ETH, -units(20));
	});
	chain.next_block();
	chain.execute(|| {
		// BTC: 65,000 × (30% − 3%); ETH: 20 × 3,200 × (40% − 3%).
		let btc = Margin::required_capital(BTC_PERP);
		let eth = Margin::required_capital(ETH_PERP);
		assert_eq!(btc, 17_550 * DOLLARS);
		assert_eq!(eth, 23_680 * DOLLARS);
		// All assets up at once hurts only the short, all down only the long.
		assert_eq!(Margin::total_required_capital(), btc.max(eth));
		// The insurance targets follow: 20% of the total for the global fund,
		// 10% of each market's for its sub-fund.
		assert_eq!(
			InsuranceFund::fund_target(FundId::Global),
			Permill::from_percent(20).mul_ceil(eth)
		);
		assert_eq!(
			InsuranceFund::fund_target(FundId::Market(BTC_PERP)),
			Permill::from_percent(10).mul_ceil(btc)
		);
		// A tighter stress move, set by governance, raises both.
		assert_ok!(Margin::set_stress_move(
			RuntimeOrigin::root(),
			BTC_PERP,
			Permill::from_percent(50)
		));
		assert_eq!(Margin::required_capital(BTC_PERP), 30_550 * DOLLARS);
		assert_eq!(Margin::total_required_capital(), 30_550 * DOLLARS);
	});
	chain.finish();
}

#[test]
fn a_staker_who_asks_to_leave_before_a_loss_bears_it_and_a_block_slashes_at_most_its_cap() {
	let alice = sp_keyring::Sr25519Keyring::Alice.to_account_id();
	let mut chain = Chain::new();
	let (longs, keeper) = chain.execute(|| {
		let longs: Vec<AccountId> = (0..16u8)
			.map(|i| btc_trader(&alloc::format!("leave-long-{i}"), 8_000 * DOLLARS, units(2)))
			.collect();
		(longs, funded("leave-keeper", 1_000 * DOLLARS))
	});
	chain.next_block();
	// Alice asks to leave the junior tranche with everything she holds.
	let (request, asked_value) = chain.execute(|| {
		let position = StakingBackstop::position(Tranche::Junior, &alice).expect("a stake");
		assert_ok!(StakingBackstop::request_unstake(
			signed(&alice),
			Tranche::Junior,
			position.earning_shares
		));
		let requests = StakingBackstop::unstake_requests(Tranche::Junior, &alice);
		assert_eq!(requests.len(), 1);
		// A second request while one is open is refused.
		assert!(StakingBackstop::request_unstake(signed(&alice), Tranche::Junior, 1).is_err());
		(requests[0], requests[0].value_at_request)
	});
	let junior_at_start = chain.execute(|| StakingBackstop::tranche_info(Tranche::Junior).assets);
	let senior_at_start = chain.execute(|| StakingBackstop::tranche_info(Tranche::Senior).assets);
	// A 20% gap agreed by every feeder while she waits: the sixteen longs
	// are bankrupt, the insurance fund pays half of itself, the tranches the
	// next part, each at most its per-block cap.
	chain.move_price_in_steps(BTC, Price::from_u32(52_000), 20, |_| {});
	chain.execute(|| {
		let batch = BoundedVec::truncate_from(longs.clone());
		assert_ok!(Margin::liquidate_batch(signed(&keeper), batch));
		let events: Vec<RuntimeEvent> = System::events().into_iter().map(|r| r.event).collect();
		let slashed = |tranche: Tranche| -> Balance {
			events
				.iter()
				.filter_map(|e| match e {
					RuntimeEvent::StakingBackstop(
						pallet_staking_backstop::Event::TrancheSlashed {
							tranche: t, amount, ..
						},
					) if *t == tranche => Some(*amount),
					_ => None,
				})
				.sum()
		};
		let junior = slashed(Tranche::Junior);
		let senior = slashed(Tranche::Senior);
		assert!(junior > 0, "the junior tranche bore part of the loss");
		// 50% of the junior tranche and 30% of the senior one a block.
		assert!(junior <= junior_at_start / 2, "junior {junior} of {junior_at_start}");
		assert!(senior <= senior_at_start * 3 / 10, "senior {senior} of {senior_at_start}");
		// Even after the first liquidations had used the per-event caps, the
		// capacity now left is within the per-block caps.
		assert!(
			<StakingBackstop as backstop_primitives::LossAbsorber<AccountId>>::capacity(BTC_PERP)
				<= (junior_at_start / 2 - junior) + (senior_at_start * 3 / 10 - senior)
		);
	});
	// Her shares stayed in the tranche through the cooldown: she is paid the
	// lower of the value at her request and the value now.
	let unlock_at = request.unlock_at;
	while chain.execute(System::block_number) < unlock_at {
		chain.next_block();
	}
	chain.execute(|| {
		let info = StakingBackstop::unstake_requests(Tranche::Junior, &alice);
		let now_value = info[0].value;
		assert!(now_value < asked_value, "{now_value} < {asked_value}");
		let before = cash(&alice);
		assert_ok!(StakingBackstop::unstake(signed(&alice), Tranche::Junior, request.id));
		assert_eq!(cash(&alice) - before, now_value);
	});
	chain.finish();
}
