//! Properties over random sequences: nothing is created or destroyed, and
//! rounding never profits a trader.

use super::*;
use proptest::prelude::*;
use sp_arithmetic::traits::Saturating;
use sp_arithmetic::Permill;

const TRADERS: [u64; 4] = [ALICE, BOB, CHARLIE, DAVE];

/// The aggregates of each market value its traders at least at the sum of
/// their positions' own figures, and less than three units per position
/// above it (skipped while a price is unavailable).
fn aggregates_favour_the_pool() -> Result<(), TestCaseError> {
	use backstop_primitives::CounterpartyExposure;
	for id in [BTC, ETH] {
		let Ok(exposure) = Margin::market_exposure(id) else { continue };
		let mut summed: i128 = 0;
		let mut positions: i128 = 0;
		for who in TRADERS.iter().chain([KEEPER].iter()) {
			let Ok(health) = Margin::account_health(who) else { continue };
			for p in health.positions.iter().filter(|p| p.market == id) {
				summed += p.unrealized_pnl - p.accrued_funding;
				positions += 1;
			}
		}
		prop_assert!(
			exposure.trader_pnl >= summed,
			"market {}: {} < {}",
			id,
			exposure.trader_pnl,
			summed
		);
		prop_assert!(exposure.trader_pnl - summed < 3 * positions.max(1));
	}
	Ok(())
}

/// Everyone who can hold the settlement asset in the mock.
fn holders() -> Vec<u64> {
	let mut all = TRADERS.to_vec();
	all.extend([KEEPER, POOL, WATERFALL, INSURANCE, STAKERS, SINKHOLE, Margin::account_id()]);
	all
}

fn total_held() -> Balance {
	holders().into_iter().map(balance).sum()
}

/// What a trader has: wallet plus collateral.
fn wealth(who: u64) -> Balance {
	balance(who) + collateral(who)
}

/// What each party has: traders and keeper (wallet plus collateral), pool,
/// waterfall, sinks, and last what the pallet account holds beyond
/// collateral (pending ledgers and the buffer).
fn parties() -> Vec<i128> {
	let mut figures: Vec<i128> =
		TRADERS.iter().chain([KEEPER].iter()).map(|w| wealth(*w) as i128).collect();
	figures.extend([POOL, WATERFALL, INSURANCE, STAKERS].map(|w| balance(w) as i128));
	let collateral_total: i128 =
		TRADERS.iter().chain([KEEPER].iter()).map(|w| collateral(*w) as i128).sum();
	figures.push(pallet_balance() as i128 - collateral_total);
	figures
}

#[derive(Clone, Debug)]
enum Op {
	Deposit(usize, u32),
	Withdraw(usize, u32),
	/// Trader, ETH (else BTC), size in hundredths of a unit.
	Trade(usize, bool, i32),
	/// ETH (else BTC), move in basis points.
	Move(bool, i32),
	Advance(u8),
	Liquidate(usize),
	Settle(bool),
}

fn op() -> impl Strategy<Value = Op> {
	prop_oneof![
		1 => (0..4usize, 100..20_000u32).prop_map(|(t, a)| Op::Deposit(t, a)),
		1 => (0..4usize, 1..20_000u32).prop_map(|(t, a)| Op::Withdraw(t, a)),
		5 => (0..4usize, any::<bool>(), -100..100i32).prop_map(|(t, e, s)| Op::Trade(t, e, s)),
		3 => (any::<bool>(), -2_500..2_500i32).prop_map(|(e, m)| Op::Move(e, m)),
		1 => (1..20u8).prop_map(Op::Advance),
		1 => (0..4usize).prop_map(Op::Liquidate),
		1 => any::<bool>().prop_map(Op::Settle),
	]
}

/// Every trader starts with 20,000 dollars of collateral.
fn fund_traders() {
	for who in TRADERS {
		deposit(who, dollars(20_000));
	}
}

fn market_of(eth: bool) -> (MarketId, backstop_primitives::OracleAssetId) {
	if eth {
		(ETH, ETH_ASSET)
	} else {
		(BTC, BTC_ASSET)
	}
}

fn apply(op: &Op) {
	let signed = |t: usize| RuntimeOrigin::signed(TRADERS[t]);
	match *op {
		Op::Deposit(t, amount) => {
			let _ = Margin::deposit(signed(t), dollars(amount.into()));
		},
		Op::Withdraw(t, amount) => {
			let _ = Margin::withdraw(signed(t), dollars(amount.into()));
		},
		Op::Trade(t, eth, hundredths) => {
			let delta = i128::from(hundredths) * UNIT / 100;
			let _ = Margin::trade(signed(t), market_of(eth).0, delta, any_price(delta));
		},
		Op::Move(eth, bps) => {
			let (id, asset) = market_of(eth);
			let price = market(id).state.last_price;
			let moved = if bps >= 0 {
				price
					.saturating_add(price.saturating_mul(Price::from_rational(bps as u128, 10_000)))
			} else {
				price.saturating_sub(
					price.saturating_mul(Price::from_rational(bps.unsigned_abs() as u128, 10_000)),
				)
			};
			set_price(asset, moved);
			// Trades update the last price; keep it current for the next move.
			Markets::<Test>::mutate(id, |m| {
				if let Some(m) = m {
					m.state.last_price = moved;
				}
			});
		},
		Op::Advance(blocks) => run_to_block(System::block_number() + u64::from(blocks)),
		Op::Liquidate(t) => {
			let _ = Margin::liquidate(RuntimeOrigin::signed(KEEPER), TRADERS[t]);
		},
		Op::Settle(eth) => {
			let _ = Margin::settle_market(RuntimeOrigin::signed(KEEPER), market_of(eth).0);
		},
	}
}

/// Closes every position it can: profitable ones first (they free the
/// collateral losers need), then liquidates whatever is liquidatable.
fn close_everything() {
	for who in TRADERS {
		let mut positions: Vec<(i128, MarketId, i128)> = match Margin::account_health(&who) {
			Ok(health) => {
				health.positions.iter().map(|p| (p.unrealized_pnl, p.market, p.size)).collect()
			},
			Err(_) => continue,
		};
		positions.sort_by_key(|p| core::cmp::Reverse(p.0));
		for (_, id, size) in positions {
			let _ = Margin::trade(RuntimeOrigin::signed(who), id, -size, any_price(-size));
		}
		let _ = Margin::liquidate(RuntimeOrigin::signed(KEEPER), who);
	}
	for id in [BTC, ETH] {
		let _ = Margin::settle_market(RuntimeOrigin::signed(KEEPER), id);
	}
}

proptest! {
	#![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

	/// Money is only ever moved: after every step the holders' balances sum
	/// to the same total and the ledgers reconcile (`try_state`); once all
	/// positions are closed and settled, the pallet holds nothing but
	/// collateral and its buffer, and the gains of traders (wallet plus
	/// collateral), keeper, pool, sinks and waterfall sum to zero: PnL,
	/// funding and fees are zero-sum between longs, shorts, the pool and
	/// the backstop.
	#[test]
	fn nothing_is_created_or_destroyed(
		ops in proptest::collection::vec(op(), 1..60),
		cover in 0..20_000u32,
	) {
		ExtBuilder::default().build().execute_with(|| {
			WaterfallCover::set(dollars(cover.into()));
			fund_traders();
			let total = total_held();
			let issuance = Balances::total_issuance();
			prop_assert_eq!(total, issuance);
			let before = parties();
			for op in ops.iter() {
				apply(op);
				prop_assert_eq!(total_held(), total);
				prop_assert!(Margin::do_try_state().is_ok(), "invariants after {:?}", op);
				aggregates_favour_the_pool()?;
			}
			close_everything();
			prop_assert_eq!(total_held(), total);
			prop_assert_eq!(Balances::total_issuance(), issuance);
			let after = parties();
			if [BTC, ETH].iter().all(|id| !market(*id).has_pending()) {
				// Only the buffer is held beyond collateral.
				prop_assert_eq!(after.last().copied(), Some(ED as i128));
			}
			let gains: i128 = after.iter().zip(before.iter()).map(|(a, b)| a - b).sum();
			prop_assert_eq!(gains, 0);
			prop_assert!(Margin::do_try_state().is_ok());
			Ok(())
		})?;
	}

	/// Without price moves or funding, no sequence of trades, deposits and
	/// withdrawals leaves any trader with more than they started with.
	#[test]
	fn rounding_never_profits_traders(
		ops in proptest::collection::vec(
			prop_oneof![
				(0..4usize, 100..50_000u32).prop_map(|(t, a)| Op::Deposit(t, a)),
				(0..4usize, 1..20_000u32).prop_map(|(t, a)| Op::Withdraw(t, a)),
				(0..4usize, any::<bool>(), -100..100i32).prop_map(|(t, e, s)| Op::Trade(t, e, s)),
				(0..4usize, any::<bool>(), -100..100i32).prop_map(|(t, e, s)| Op::Trade(t, e, s)),
			],
			1..60,
		),
	) {
		ExtBuilder::default().build().execute_with(|| {
			fund_traders();
			let start: Vec<Balance> = TRADERS.iter().map(|w| wealth(*w)).collect();
			for op in ops.iter() {
				apply(op);
			}
			close_everything();
			for (who, start) in TRADERS.iter().zip(start) {
				prop_assert!(wealth(*who) <= start);
			}
			prop_assert!(Margin::do_try_state().is_ok());
			Ok(())
		})?;
	}
}

#[test]
fn a_thousand_dust_round_trips_do_not_profit_the_trader() {
	ExtBuilder::default().build_and_execute(|| {
		deposit(ALICE, dollars(1_000));
		let start = collateral(ALICE);
		for _ in 0..1_000 {
			trade(ALICE, BTC, 1);
			trade(ALICE, BTC, -1);
			assert!(collateral(ALICE) < start);
		}
		// One millionth of a BTC is 50,000 micro-dollars: 50 of fee each way.
		assert_eq!(collateral(ALICE), start - 1_000 * 2 * 50);
	});
}

#[test]
fn dust_round_trips_without_fees_at_awkward_prices_never_gain() {
	ExtBuilder::default().build_and_execute(|| {
		set_params(ETH, |p| p.trading_fee = Permill::zero());
		set_price(ETH_ASSET, Price::from_rational(1, 3));
		deposit(ALICE, dollars(1));
		deposit(BOB, dollars(1));
		let (alice, bob) = (collateral(ALICE), collateral(BOB));
		for round in 0..1_000i128 {
			let size = round % 7 + 1;
			trade(ALICE, ETH, size);
			trade(BOB, ETH, -size);
			trade(ALICE, ETH, -size);
			trade(BOB, ETH, size);
			assert!(collateral(ALICE) <= alice);
			assert!(collateral(BOB) <= bob);
		}
		// Sizes not a multiple of 3 lose a micro-dollar per round trip.
		assert!(collateral(ALICE) < alice);
		assert!(collateral(BOB) < bob);
	});
}

#[test]
fn dust_funding_rounds_against_both_sides() {
	ExtBuilder::default().build_and_execute(|| {
		set_params(ETH, |p| p.trading_fee = Permill::zero());
		deposit(ALICE, dollars(1));
		deposit(BOB, dollars(1));
		// One millionth of an ETH long, two short: tiny funding each block.
		trade(ALICE, ETH, 1);
		trade(BOB, ETH, -2);
		let (alice, bob) = (collateral(ALICE), collateral(BOB));
		for block in 2..50 {
			accrue_to_block(block);
			frame_support::assert_ok!(Margin::withdraw(RuntimeOrigin::signed(ALICE), 1));
			frame_support::assert_ok!(Margin::withdraw(RuntimeOrigin::signed(BOB), 1));
		}
		let withdrawn = 48;
		// Alice is owed a fraction of a micro-dollar per block: rounded to
		// nothing. Bob owes a fraction: rounded up.
		assert_eq!(collateral(ALICE), alice - withdrawn);
		assert!(collateral(BOB) < bob - withdrawn);
	});
}
