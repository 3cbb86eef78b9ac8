//! Unit and property tests. Every test built with `build_and_execute` ends
//! with `do_try_state`: among the invariants, the pallet account holds at
//! least the pool's cash plus the buffer.
//!
//! Numbers: ALICE seeds 10 000 at a price of one; the markets BTC and ETH
//! have a credit cap of 3 000, a loss cap of 1 000, a reserve factor of 10%
//! and a max-PnL factor of 50%; the external protocol has a credit cap of
//! 3 000, a loss cap of 1 000 and a term of 20 blocks; withdrawals unlock 10
//! blocks after the request and lapse 5 blocks later.

use crate::{mock::*, *};
use backstop_primitives::{Balance, LiquidityProvider, LossTier, MarketId, SignedBalance};
use frame_support::{
	assert_noop, assert_ok,
	storage::unhashed,
	traits::{
		fungible::{Inspect, Mutate},
		GetStorageVersion, OnRuntimeUpgrade, StorageVersion,
	},
	BoundedVec,
};
use pallet_shared_liquidity_runtime_api::{LpInfo, PnlToPool};
use sp_runtime::{
	traits::{BadOrigin, One, Zero},
	BuildStorage, DispatchError, FixedPointNumber, FixedU128, Perbill, Permill, TokenError,
};

type E = Error<Test>;

// ---------------------------------------------------------------- helpers

fn balance(who: AccountId) -> Balance {
	<Balances as Inspect<AccountId>>::balance(&who)
}

fn pallet_balance() -> Balance {
	balance(SharedLiquidity::account_id())
}

fn pool() -> PoolState<BlockNumber> {
	Pool::<Test>::get()
}

fn protocol(id: ProtocolId<AccountId>) -> Protocol<BlockNumber> {
	Protocols::<Test>::get(id).expect("protocol registered")
}

fn status(id: ProtocolId<AccountId>) -> ProtocolStatus {
	protocol(id).status
}

fn nav() -> SignedBalance {
	SharedLiquidity::pool_nav().expect("the NAV is available")
}

fn shares(who: AccountId) -> Balance {
	Positions::<Test>::get(who).map(|p| p.shares).unwrap_or_default()
}

fn value(who: AccountId) -> Balance {
	SharedLiquidity::lp_info(who).value
}

fn requests(who: AccountId) -> Vec<WithdrawRequest<BlockNumber>> {
	Positions::<Test>::get(who).map(|p| p.requests.into_inner()).unwrap_or_default()
}

/// `n / d`, rounded down as the pallet's prices are.
fn price(n: u128, d: u128) -> FixedU128 {
	FixedU128::checked_from_rational(n, d).expect("positive denominator")
}

fn events() -> Vec<Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|r| match r.event {
			RuntimeEvent::SharedLiquidity(e) => Some(e),
			_ => None,
		})
		.collect()
}

fn last_event(event: Event<Test>) {
	System::assert_last_event(event.into());
}

fn has_event(event: Event<Test>) {
	System::assert_has_event(event.into());
}

fn root() -> RuntimeOrigin {
	RuntimeOrigin::root()
}

fn signed(who: AccountId) -> RuntimeOrigin {
	RuntimeOrigin::signed(who)
}

fn reserve(market: MarketId, open_interest: Balance) -> Result<(), DispatchError> {
	<SharedLiquidity as LiquidityProvider<AccountId>>::reserve(market, open_interest)
}

fn pay(market: MarketId, to: AccountId, amount: Balance) -> Result<(), DispatchError> {
	<SharedLiquidity as LiquidityProvider<AccountId>>::pay(market, &to, amount)
}

fn collect(market: MarketId, from: AccountId, amount: Balance) -> Result<(), DispatchError> {
	<SharedLiquidity as LiquidityProvider<AccountId>>::collect(market, &from, amount)
}

fn available(market: MarketId) -> Balance {
	<SharedLiquidity as LiquidityProvider<AccountId>>::available(market)
}

fn absorb_loss(market: MarketId, amount: Balance) -> Balance {
	<SharedLiquidity as LiquidityProvider<AccountId>>::absorb_loss(market, amount)
}

fn max_trader_pnl(market: MarketId) -> Option<Balance> {
	<SharedLiquidity as LiquidityProvider<AccountId>>::max_trader_pnl(market)
}

/// What the margin pallet does when it settles: it hands over `amount` of
/// what `market` held for the pool (its receivable falls by as much).
fn settle(market: MarketId, amount: Balance) {
	set_receivable(market, receivable(market) - amount);
	assert_ok!(collect(market, MARGIN, amount));
}

fn absorbed(market: MarketId, loss: Balance, covered: Balance) -> Event<Test> {
	Event::LossAbsorbed {
		tier: LossTier::SharedLiquidity,
		market,
		loss,
		covered,
		uncovered: loss - covered,
	}
}

fn external_with(f: impl FnOnce(&mut ProtocolTerms)) -> ProtocolTerms {
	let mut terms = external_terms();
	f(&mut terms);
	terms
}

fn market_with(f: impl FnOnce(&mut ProtocolTerms)) -> ProtocolTerms {
	let mut terms = market_terms();
	f(&mut terms);
	terms
}

/// Σ of the liquidity providers' values, and their number.
fn lp_values() -> (Balance, Balance) {
	let values: Vec<Balance> = [ALICE, BOB, CHARLIE].into_iter().map(value).collect();
	(values.iter().sum(), values.len() as Balance)
}

/// The documented rounding: the providers' values (each rounded down) sum to
/// at most the NAV and fall short of it by less than one unit per provider;
/// the share price (rounded down) times the shares is at most the NAV and
/// short of it by at most one unit plus shares / 10^18.
fn assert_priced_at_nav() {
	let nav = nav();
	let pool = pool();
	assert!(pool.shares > 0 && nav >= 0);
	let nav = nav.unsigned_abs();
	let (sum, n) = lp_values();
	assert!(sum <= nav, "values {sum} above the NAV {nav}");
	assert!(nav <= sum + n, "values {sum} too far below the NAV {nav}");
	let implied = SharedLiquidity::share_price().unwrap().saturating_mul_int(pool.shares);
	assert!(implied <= nav);
	assert!(nav - implied <= 1 + pool.shares / FixedU128::DIV);
}

// ---------------------------------------------------------------- genesis

#[test]
fn genesis_seeds_the_pool_and_registers_protocols() {
	ExtBuilder::default().build_and_execute(|| {
		assert_eq!(
			pool(),
			PoolState { cash: SEED, shares: SEED, indexed_at: 0, ..Default::default() }
		);
		assert_eq!(shares(ALICE), SEED);
		assert_eq!(pallet_balance(), SEED + ED);
		assert_eq!(MinDeposit::<Test>::get(), 100);
		assert_eq!(WithdrawDelay::<Test>::get(), DELAY);
		assert_eq!(WithdrawWindow::<Test>::get(), WINDOW);
		assert_eq!(
			SharedLiquidity::protocols(),
			vec![market(BTC), market(ETH), external(EXTERNAL)]
		);
		assert_eq!(protocol(market(BTC)).terms, market_terms());
		assert_eq!(protocol(external(EXTERNAL)).terms, external_terms());
		for id in SharedLiquidity::protocols() {
			assert_eq!(status(id), ProtocolStatus::Active);
		}
		assert_eq!(Protocols::<Test>::count(), 3);
		assert_eq!(SharedLiquidity::excess(), 0);
		assert_eq!(SharedLiquidity::in_code_storage_version(), StorageVersion::new(2));
	});
}

#[test]
fn the_default_genesis_has_a_delay_and_a_window() {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	GenesisConfig::<Test>::default().assimilate_storage(&mut storage).unwrap();
	sp_io::TestExternalities::new(storage).execute_with(|| {
		assert_eq!(WithdrawDelay::<Test>::get(), 1);
		assert_eq!(WithdrawWindow::<Test>::get(), MaxWithdrawWindow::get());
		assert_eq!(MinDeposit::<Test>::get(), 0);
		assert_eq!(pallet_balance(), ED);
		assert_eq!(Protocols::<Test>::count(), 0);
		assert_ok!(SharedLiquidity::do_try_state());
	});
}

#[test]
fn integrity_test_passes() {
	ExtBuilder::default().build_and_execute(integrity_test);
}

#[test]
#[should_panic(expected = "MaxBaseRate + MaxRateSlope must not exceed 100%")]
fn integrity_test_rejects_rates_above_one_hundred_percent() {
	ExtBuilder::default().build().execute_with(|| {
		MaxBaseRate::set(Permill::from_percent(21));
		integrity_test();
	});
}

#[test]
#[should_panic(expected = "MaxProtocols must allow at least one protocol")]
fn integrity_test_rejects_zero_protocols() {
	ExtBuilder::default().build().execute_with(|| {
		MaxProtocols::set(0);
		integrity_test();
	});
}

#[test]
#[should_panic(expected = "MaxWithdrawWindow must be positive")]
fn integrity_test_rejects_a_zero_window_limit() {
	ExtBuilder::default().build().execute_with(|| {
		MaxWithdrawWindow::set(0);
		integrity_test();
	});
}

#[test]
#[should_panic(expected = "MaxCreditTerm must be positive")]
fn integrity_test_rejects_a_zero_term_limit() {
	ExtBuilder::default().build().execute_with(|| {
		MaxCreditTerm::set(0);
		integrity_test();
	});
}

#[test]
#[should_panic(expected = "MaxParamStep must be positive")]
fn integrity_test_rejects_a_zero_step() {
	ExtBuilder::default().build().execute_with(|| {
		MaxParamStep::set(Permill::zero());
		integrity_test();
	});
}

#[test]
#[should_panic(expected = "withdraw delay zero or above MaxWithdrawDelay")]
fn genesis_rejects_a_zero_delay() {
	ExtBuilder::default().withdraw_delay(0).build();
}

#[test]
#[should_panic(expected = "withdraw delay zero or above MaxWithdrawDelay")]
fn genesis_rejects_a_delay_above_the_limit() {
	ExtBuilder::default().withdraw_delay(101).build();
}

#[test]
#[should_panic(expected = "withdraw window zero or above MaxWithdrawWindow")]
fn genesis_rejects_a_zero_window() {
	ExtBuilder::default().withdraw_window(0).build();
}

#[test]
#[should_panic(expected = "withdraw window zero or above MaxWithdrawWindow")]
fn genesis_rejects_a_window_above_the_limit() {
	ExtBuilder::default().withdraw_window(51).build();
}

#[test]
#[should_panic(expected = "min deposit above MaxMinDeposit")]
fn genesis_rejects_min_deposit_out_of_bounds() {
	ExtBuilder::default().min_deposit(10_001).build();
}

#[test]
#[should_panic(expected = "registered twice")]
fn genesis_rejects_duplicate_protocols() {
	ExtBuilder::default().markets(vec![(BTC, market_terms()), (BTC, market_terms())]).build();
}

#[test]
#[should_panic(expected = "out of bounds")]
fn genesis_rejects_a_market_with_rates() {
	let terms = market_with(|t| t.base_rate = Permill::from_percent(1));
	ExtBuilder::default().markets(vec![(BTC, terms)]).build();
}

#[test]
#[should_panic(expected = "out of bounds")]
fn genesis_rejects_an_external_protocol_without_a_term() {
	ExtBuilder::default().external(vec![(EXTERNAL, external_with(|t| t.term = 0))]).build();
}

#[test]
#[should_panic(expected = "more protocols than MaxProtocols")]
fn genesis_rejects_too_many_protocols() {
	let markets = (0..7).map(|m| (m, market_terms())).collect();
	ExtBuilder::default().markets(markets).external(vec![]).build();
}

#[test]
#[should_panic(expected = "zero liquidity")]
fn genesis_rejects_zero_liquidity() {
	ExtBuilder::default().liquidity(vec![(ALICE, 0)]).build();
}

#[test]
fn pallet_added_without_genesis_restores_its_buffer_on_the_first_deposit() {
	ExtBuilder::default().without_pallet_genesis().build_and_execute(|| {
		assert_eq!(pallet_balance(), 0);
		assert_ok!(SharedLiquidity::do_try_state());
		// Governance sets the parameters the genesis would have set.
		assert_ok!(SharedLiquidity::set_withdraw_delay(root(), DELAY));
		assert_ok!(SharedLiquidity::set_withdraw_window(root(), WINDOW));
		assert_noop!(SharedLiquidity::deposit(signed(BOB), ED - 1), E::BufferMissing);

		assert_ok!(SharedLiquidity::deposit(signed(BOB), 1_000));
		has_event(Event::BufferRestored { amount: ED });
		last_event(Event::Deposited {
			who: BOB,
			amount: 1_000 - ED,
			shares: 1_000 - ED,
			share_price: FixedU128::one(),
		});
		assert_eq!(pallet_balance(), 1_000);
		assert_eq!(pool().cash, 1_000 - ED);
	});
}

// ---------------------------------------------------------------- deposits

#[test]
fn first_deposit_into_an_empty_pool_mints_at_price_one() {
	ExtBuilder::default().liquidity(vec![]).build_and_execute(|| {
		assert_eq!(SharedLiquidity::share_price(), Some(FixedU128::one()));
		assert_ok!(SharedLiquidity::deposit(signed(BOB), 1_000));
		last_event(Event::Deposited {
			who: BOB,
			amount: 1_000,
			shares: 1_000,
			share_price: FixedU128::one(),
		});
		assert_eq!(pool().cash, 1_000);
		assert_eq!(pool().shares, 1_000);
		assert_eq!(balance(BOB), ENDOWMENT - 1_000);
	});
}

#[test]
fn deposits_are_priced_at_net_asset_value_rounding_against_the_depositor() {
	ExtBuilder::default().build_and_execute(|| {
		// Traders of BTC are 2 000 in profit and BTC holds 500 for the pool;
		// traders of ETH are 500 in loss.
		set_exposure(BTC, 2_000, 500);
		set_exposure(ETH, -500, 0);
		assert_eq!(nav(), 10_000 + 500 - 2_000 + 500);
		assert_eq!(SharedLiquidity::share_price(), Some(price(9, 10)));

		assert_ok!(SharedLiquidity::deposit(signed(BOB), 900));
		last_event(Event::Deposited {
			who: BOB,
			amount: 900,
			shares: 1_000,
			share_price: price(9, 10),
		});
		assert_eq!(nav(), 9_900);
		assert_eq!(value(BOB), 900);
		assert_eq!(value(ALICE), 9_000);

		// 1 000 × 11 000 / 9 900 = 1 111.1: CHARLIE gets 1 111 shares, worth
		// 999 (rounded down) — less than he paid, never more.
		assert_ok!(SharedLiquidity::deposit(signed(CHARLIE), 1_000));
		assert_eq!(shares(CHARLIE), 1_111);
		assert_eq!(value(CHARLIE), 999);
		assert_eq!(nav(), 10_900);
		assert_priced_at_nav();
	});
}

#[test]
fn deposit_errors_leave_state_unchanged() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(SharedLiquidity::deposit(signed(BOB), 0), E::ZeroAmount);
		assert_noop!(SharedLiquidity::deposit(signed(BOB), 99), E::BelowMinDeposit);
		assert_noop!(SharedLiquidity::deposit(signed(NOBODY), 100), TokenError::FundsUnavailable);
		assert_noop!(
			SharedLiquidity::deposit(RuntimeOrigin::none(), 100),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn deposits_are_refused_while_the_nav_is_unavailable() {
	ExtBuilder::default().build_and_execute(|| {
		set_stale(ETH, true);
		assert_eq!(SharedLiquidity::pool_nav(), None);
		assert_eq!(SharedLiquidity::share_price(), None);
		assert_noop!(SharedLiquidity::deposit(signed(BOB), 1_000), E::NavUnavailable);
		set_stale(ETH, false);
		assert_ok!(SharedLiquidity::deposit(signed(BOB), 1_000));
	});
}

#[test]
fn deposits_are_refused_while_a_deficit_waits_for_deleveraging() {
	ExtBuilder::default().build_and_execute(|| {
		// A bad debt left to auto-deleveraging: the traders' PnL still counts
		// the profits that deleveraging will take back, so the share price is
		// below the shares' value until it runs.
		set_deficit(ETH, 2_500);
		let price = SharedLiquidity::share_price();
		assert_noop!(SharedLiquidity::deposit(signed(BOB), 1_000), E::DeficitPending);
		assert_eq!(SharedLiquidity::share_price(), price);
		// Withdrawals go on (paid at the lower price, which only protects
		// the LPs who stay).
		assert_ok!(SharedLiquidity::request_withdraw(signed(ALICE), 1));
		set_deficit(ETH, 0);
		assert_ok!(SharedLiquidity::deposit(signed(BOB), 1_000));
	});
}

#[test]
fn deposits_are_refused_while_the_pool_is_insolvent() {
	ExtBuilder::default().build_and_execute(|| {
		// Traders are owed everything the pool has: the shares are worthless
		// and cannot be priced.
		set_trader_pnl(BTC, 10_000);
		assert_eq!(nav(), 0);
		assert_noop!(SharedLiquidity::deposit(signed(BOB), 1_000), E::PoolInsolvent);
		set_trader_pnl(BTC, 10_001);
		assert_eq!(nav(), -1);
		assert_eq!(SharedLiquidity::share_price(), Some(FixedU128::zero()));
		assert_noop!(SharedLiquidity::deposit(signed(BOB), 1_000), E::PoolInsolvent);
		// Nor can a withdrawal be promised a price of nothing.
		assert_noop!(SharedLiquidity::request_withdraw(signed(ALICE), 1), E::PoolInsolvent);
	});
}

#[test]
fn a_pool_without_shares_that_owes_more_than_it_has_takes_no_deposit() {
	ExtBuilder::default().liquidity(vec![]).build_and_execute(|| {
		set_trader_pnl(BTC, 1);
		assert_noop!(SharedLiquidity::deposit(signed(BOB), 1_000), E::PoolInsolvent);
	});
}

#[test]
fn a_deposit_that_mints_no_share_is_refused() {
	ExtBuilder::default().min_deposit(0).build_and_execute(|| {
		// A NAV of about 10^12 for 10 000 shares: one unit buys no share.
		set_receivable(BTC, 1_000_000_000_000);
		assert_noop!(SharedLiquidity::deposit(signed(BOB), 1), E::DepositTooSmall);
	});
}

#[test]
fn a_deposit_that_would_overflow_the_shares_is_refused() {
	ExtBuilder::default().build_and_execute(|| {
		// A NAV of one for 10 000 shares, and a huge deposit.
		set_trader_pnl(BTC, 9_999);
		assert_ok!(<Balances as Mutate<AccountId>>::mint_into(&BOB, u128::MAX / 1_000));
		assert_noop!(SharedLiquidity::deposit(signed(BOB), u128::MAX / 1_000), E::Overflow);
	});
}

#[test]
fn an_lp_who_deposits_before_a_receivable_is_collected_gains_nothing_from_it() {
	ExtBuilder::default().build_and_execute(|| {
		// BTC holds 1 000 of traders' losses for the pool; anyone may settle
		// the market at any moment.
		set_receivable(BTC, 1_000);
		assert_eq!(nav(), 11_000);
		assert_ok!(SharedLiquidity::deposit(signed(BOB), 1_100));
		assert_eq!(shares(BOB), 1_000);
		assert_eq!(value(BOB), 1_100);

		settle(BTC, 1_000);
		last_event(Event::Collected { market: BTC, from: MARGIN, amount: 1_000 });
		assert_eq!(pool().cash, 12_100);
		// The settlement moved money, not value: BOB's 1 100 are still 1 100
		// and the 1 000 stayed with ALICE, whose shares were in the pool.
		assert_eq!(nav(), 12_100);
		assert_eq!(value(BOB), 1_100);
		assert_eq!(value(ALICE), 11_000);
	});
}

// ---------------------------------------------------------------- withdrawals

#[test]
fn a_request_unlocks_after_the_delay_and_lapses_after_the_window() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(SharedLiquidity::request_withdraw(signed(ALICE), 1_000));
		last_event(Event::WithdrawRequested {
			who: ALICE,
			shares: 1_000,
			share_price: FixedU128::one(),
			unlocks_at: 1 + DELAY,
			lapses_at: 1 + DELAY + WINDOW,
		});
		assert_eq!(SharedLiquidity::lp_info(ALICE).requested, 1_000);

		// The delay has not passed.
		advance(DELAY - 1);
		assert_eq!(SharedLiquidity::lp_info(ALICE).withdrawable, 0);
		assert_noop!(SharedLiquidity::withdraw(signed(ALICE), 100), E::WithdrawalLocked);

		// The window is open.
		advance(1);
		assert_eq!(SharedLiquidity::lp_info(ALICE).withdrawable, 1_000);
		assert_ok!(SharedLiquidity::withdraw(signed(ALICE), 400));
		last_event(Event::Withdrawn { who: ALICE, shares: 400, amount: 400 });
		assert_eq!(balance(ALICE), ENDOWMENT + 400);
		advance(WINDOW - 1);
		assert_ok!(SharedLiquidity::withdraw(signed(ALICE), 100));

		// The window has passed: the rest lapsed and cannot be withdrawn.
		advance(1);
		assert_eq!(
			SharedLiquidity::lp_info(ALICE),
			LpInfo {
				shares: 9_500,
				value: 9_500,
				requested: 0,
				withdrawable: 0,
				withdrawable_value: 0
			}
		);
		assert_noop!(SharedLiquidity::withdraw(signed(ALICE), 100), E::WithdrawalLocked);

		// The next change of the position drops the lapsed request.
		assert_ok!(SharedLiquidity::request_withdraw(signed(ALICE), 9_500));
		has_event(Event::WithdrawRequestsLapsed { who: ALICE, shares: 500 });
		assert_eq!(requests(ALICE).len(), 1);
		assert_eq!(requests(ALICE)[0].shares, 9_500);
	});
}

#[test]
fn a_withdrawal_drops_the_lapsed_requests() {
	ExtBuilder::default().withdraw_window(20).build_and_execute(|| {
		assert_ok!(SharedLiquidity::request_withdraw(signed(ALICE), 100));
		advance(15);
		assert_ok!(SharedLiquidity::request_withdraw(signed(ALICE), 200));
		// The first lapses at 1 + 10 + 20 = 31, the second unlocks at 26.
		advance(15);
		assert_eq!(System::block_number(), 31);
		assert_ok!(SharedLiquidity::withdraw(signed(ALICE), 200));
		has_event(Event::WithdrawRequestsLapsed { who: ALICE, shares: 100 });
		last_event(Event::Withdrawn { who: ALICE, shares: 200, amount: 200 });
		assert!(requests(ALICE).is_empty());
	});
}

#[test]
fn an_lp_who_requests_while_traders_are_in_profit_is_paid_the_lower_nav() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(SharedLiquidity::deposit(signed(BOB), 10_000));
		// Traders sit on 4 000 of unrealized profit: a share is worth 0.8.
		set_trader_pnl(BTC, 4_000);
		assert_ok!(SharedLiquidity::request_withdraw(signed(BOB), 10_000));
		last_event(Event::WithdrawRequested {
			who: BOB,
			shares: 10_000,
			share_price: price(4, 5),
			unlocks_at: 1 + DELAY,
			lapses_at: 1 + DELAY + WINDOW,
		});

		// The profit evaporates (traders close at a loss of nothing): a share
		// is worth one again, but BOB leaves at the price of his request.
		set_trader_pnl(BTC, 0);
		advance(DELAY);
		assert_eq!(SharedLiquidity::lp_info(BOB).withdrawable_value, 8_000);
		assert_ok!(SharedLiquidity::withdraw(signed(BOB), 10_000));
		last_event(Event::Withdrawn { who: BOB, shares: 10_000, amount: 8_000 });
		assert_eq!(balance(BOB), ENDOWMENT - 2_000);

		// What the lower price left stays with the LP who remains.
		assert_eq!(nav(), 12_000);
		assert_eq!(value(ALICE), 12_000);
		assert_eq!(Positions::<Test>::get(BOB), None);
	});
}

#[test]
fn an_lp_whose_shares_lose_value_after_the_request_is_paid_the_lower_nav() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(SharedLiquidity::deposit(signed(BOB), 10_000));
		assert_ok!(SharedLiquidity::request_withdraw(signed(BOB), 10_000));
		// Requested shares stay exposed: traders gain 4 000 before payout.
		set_trader_pnl(BTC, 4_000);
		advance(DELAY);
		assert_ok!(SharedLiquidity::withdraw(signed(BOB), 10_000));
		last_event(Event::Withdrawn { who: BOB, shares: 10_000, amount: 8_000 });
		// ALICE bears her share of the loss, not BOB's.
		assert_eq!(nav(), 8_000);
		assert_eq!(value(ALICE), 8_000);
	});
}

#[test]
fn requests_in_the_same_block_merge_at_the_lower_price() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(SharedLiquidity::request_withdraw(signed(ALICE), 1_000));
		set_trader_pnl(BTC, 1_000);
		assert_ok!(SharedLiquidity::request_withdraw(signed(ALICE), 1_000));
		last_event(Event::WithdrawRequested {
			who: ALICE,
			shares: 1_000,
			share_price: price(9, 10),
			unlocks_at: 1 + DELAY,
			lapses_at: 1 + DELAY + WINDOW,
		});
		assert_eq!(
			requests(ALICE),
			vec![WithdrawRequest { shares: 2_000, requested_at: 1, share_price: price(9, 10) }]
		);
	});
}

#[test]
fn request_withdraw_errors_leave_state_unchanged() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(SharedLiquidity::request_withdraw(signed(ALICE), 0), E::ZeroAmount);
		assert_noop!(SharedLiquidity::request_withdraw(signed(BOB), 1), E::InsufficientShares);
		assert_noop!(
			SharedLiquidity::request_withdraw(signed(ALICE), SEED + 1),
			E::InsufficientShares
		);
		assert_noop!(
			SharedLiquidity::request_withdraw(RuntimeOrigin::none(), 1),
			DispatchError::BadOrigin
		);

		// Only unrequested shares can be requested.
		assert_ok!(SharedLiquidity::request_withdraw(signed(ALICE), SEED - 1));
		assert_noop!(SharedLiquidity::request_withdraw(signed(ALICE), 2), E::InsufficientShares);

		// At most `MaxWithdrawRequests` pending requests.
		assert_ok!(SharedLiquidity::cancel_withdrawals(signed(ALICE)));
		for _ in 0..MaxWithdrawRequests::get() {
			assert_ok!(SharedLiquidity::request_withdraw(signed(ALICE), 1));
			advance(1);
		}
		assert_noop!(
			SharedLiquidity::request_withdraw(signed(ALICE), 1),
			E::TooManyWithdrawRequests
		);

		// No request on a NAV nobody vouches for.
		set_stale(BTC, true);
		assert_ok!(SharedLiquidity::cancel_withdrawals(signed(ALICE)));
		assert_noop!(SharedLiquidity::request_withdraw(signed(ALICE), 1), E::NavUnavailable);
	});
}

#[test]
fn withdraw_errors_leave_state_unchanged() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(SharedLiquidity::withdraw(signed(ALICE), 0), E::ZeroAmount);
		assert_noop!(SharedLiquidity::withdraw(signed(BOB), 1), E::InsufficientShares);
		assert_noop!(SharedLiquidity::withdraw(signed(ALICE), SEED + 1), E::InsufficientShares);
		// Unrequested shares are locked.
		assert_noop!(SharedLiquidity::withdraw(signed(ALICE), 1), E::WithdrawalLocked);
		assert_noop!(SharedLiquidity::withdraw(RuntimeOrigin::none(), 1), DispatchError::BadOrigin);

		// One share requested at 0.9 pays nothing.
		set_trader_pnl(BTC, 1_000);
		assert_ok!(SharedLiquidity::request_withdraw(signed(ALICE), 1));
		set_trader_pnl(BTC, 0);
		advance(1);
		assert_ok!(SharedLiquidity::request_withdraw(signed(ALICE), 8_000));
		advance(DELAY);
		assert_noop!(SharedLiquidity::withdraw(signed(ALICE), 1), E::WithdrawalTooSmall);
		// Withdrawable, but not beyond the withdrawable shares.
		assert_noop!(SharedLiquidity::withdraw(signed(ALICE), 8_002), E::WithdrawalLocked);

		// LPs cannot take the cash the markets keep reserved: 3 000 of the
		// 10 000 are reserved for BTC.
		assert_ok!(reserve(BTC, 30_000));
		assert_eq!(SharedLiquidity::free_liquidity(), 7_000);
		// 1 share at 0.9 pays nothing, 7 001 at 1.0 pay 7 001.
		assert_noop!(SharedLiquidity::withdraw(signed(ALICE), 7_002), E::InsufficientFreeLiquidity);

		// No payout on a NAV nobody vouches for.
		set_stale(ETH, true);
		assert_noop!(SharedLiquidity::withdraw(signed(ALICE), 7_000), E::NavUnavailable);
		set_stale(ETH, false);
		assert_ok!(SharedLiquidity::withdraw(signed(ALICE), 7_001));
		last_event(Event::Withdrawn { who: ALICE, shares: 7_001, amount: 7_000 });
	});
}

#[test]
fn withdrawals_take_the_oldest_requests_first_each_at_its_lower_price() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(SharedLiquidity::request_withdraw(signed(ALICE), 100));
		advance(1);
		set_trader_pnl(BTC, 1_000);
		assert_ok!(SharedLiquidity::request_withdraw(signed(ALICE), 200));
		set_trader_pnl(BTC, 0);
		advance(DELAY);
		// 100 at 1.0 and 50 at 0.9.
		assert_ok!(SharedLiquidity::withdraw(signed(ALICE), 150));
		last_event(Event::Withdrawn { who: ALICE, shares: 150, amount: 145 });
		assert_eq!(
			requests(ALICE),
			vec![WithdrawRequest { shares: 150, requested_at: 2, share_price: price(9, 10) }]
		);
	});
}

#[test]
fn the_delay_and_window_in_force_apply_to_pending_requests() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(SharedLiquidity::request_withdraw(signed(ALICE), 1_000));
		// A longer delay holds the request back.
		assert_ok!(SharedLiquidity::set_withdraw_delay(root(), 20));
		advance(DELAY);
		assert_noop!(SharedLiquidity::withdraw(signed(ALICE), 100), E::WithdrawalLocked);
		advance(10);
		assert_ok!(SharedLiquidity::withdraw(signed(ALICE), 100));
		// A shorter window lets it lapse sooner.
		assert_ok!(SharedLiquidity::set_withdraw_window(root(), 1));
		advance(1);
		assert_noop!(SharedLiquidity::withdraw(signed(ALICE), 100), E::WithdrawalLocked);
		// A request not yet dropped counts again under a longer window.
		assert_ok!(SharedLiquidity::set_withdraw_window(root(), 10));
		assert_ok!(SharedLiquidity::withdraw(signed(ALICE), 100));
	});
}

#[test]
fn cancel_withdrawals_clears_every_request() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(SharedLiquidity::cancel_withdrawals(signed(ALICE)), E::NoWithdrawRequests);
		assert_noop!(SharedLiquidity::cancel_withdrawals(signed(BOB)), E::NoWithdrawRequests);
		assert_noop!(
			SharedLiquidity::cancel_withdrawals(RuntimeOrigin::none()),
			DispatchError::BadOrigin
		);
		assert_ok!(SharedLiquidity::request_withdraw(signed(ALICE), 100));
		advance(1);
		assert_ok!(SharedLiquidity::request_withdraw(signed(ALICE), 200));
		assert_ok!(SharedLiquidity::cancel_withdrawals(signed(ALICE)));
		last_event(Event::WithdrawalsCancelled { who: ALICE, shares: 300 });
		assert!(requests(ALICE).is_empty());
		assert_eq!(shares(ALICE), SEED);
	});
}

#[test]
fn lp_info_reports_what_can_be_withdrawn_now() {
	ExtBuilder::default().build_and_execute(|| {
		set_trader_pnl(BTC, 2_000);
		assert_ok!(SharedLiquidity::request_withdraw(signed(ALICE), 1_000));
		set_trader_pnl(BTC, 0);
		advance(DELAY);
		assert_eq!(
			SharedLiquidity::lp_info(ALICE),
			LpInfo {
				shares: SEED,
				value: SEED,
				requested: 1_000,
				withdrawable: 1_000,
				withdrawable_value: 800,
			}
		);
		assert_eq!(SharedLiquidity::lp_info(BOB), LpInfo::default());
	});
}

// ---------------------------------------------------------------- governance

#[test]
fn register_protocol_works_within_bounds() {
	ExtBuilder::default().build_and_execute(|| {
		advance(4);
		assert_ok!(SharedLiquidity::register_protocol(root(), market(SOL), market_terms()));
		last_event(Event::ProtocolRegistered { protocol: market(SOL), terms: market_terms() });
		let sol = protocol(market(SOL));
		assert_eq!(sol.status, ProtocolStatus::Active);
		assert_eq!(sol.accrued_at, 5);
		assert_eq!(pool().indexed_at, 5);
		assert_ok!(SharedLiquidity::register_protocol(
			root(),
			external(EXTERNAL_2),
			external_terms()
		));
		assert_eq!(Protocols::<Test>::count(), 5);
	});
}

#[test]
fn register_protocol_errors_leave_state_unchanged() {
	ExtBuilder::default().build_and_execute(|| {
		let sol = market(SOL);
		let ext = external(EXTERNAL_2);
		let register = SharedLiquidity::register_protocol;
		assert_noop!(register(signed(ALICE), sol.clone(), market_terms()), BadOrigin);
		assert_noop!(register(root(), market(BTC), market_terms()), E::ProtocolExists);
		assert_noop!(
			register(root(), sol.clone(), market_with(|t| t.credit_cap = 1_000_001)),
			E::CreditCapTooHigh
		);
		assert_noop!(
			register(root(), sol.clone(), market_with(|t| t.loss_cap = 1_000_001)),
			E::LossCapTooHigh
		);
		assert_noop!(
			register(
				root(),
				ext.clone(),
				external_with(|t| t.base_rate = Permill::from_percent(21))
			),
			E::BaseRateTooHigh
		);
		assert_noop!(
			register(
				root(),
				ext.clone(),
				external_with(|t| t.rate_slope = Permill::from_percent(81))
			),
			E::RateSlopeTooHigh
		);
		assert_noop!(
			register(root(), ext.clone(), external_with(|t| t.term = 1_001)),
			E::TermTooLong
		);

		// Markets pay the LPs through the fee split: no borrow rates, no term.
		for terms in [
			market_with(|t| t.base_rate = Permill::from_percent(1)),
			market_with(|t| t.rate_slope = Permill::from_percent(1)),
			market_with(|t| t.term = 5),
		] {
			assert_noop!(register(root(), sol.clone(), terms), E::InvalidMarketTerms);
		}
		// External protocols borrow against a term, and reserve nothing.
		for terms in [
			external_with(|t| t.term = 0),
			external_with(|t| t.reserve_factor = Permill::from_percent(1)),
			external_with(|t| t.max_pnl_factor = Permill::from_percent(1)),
		] {
			assert_noop!(register(root(), ext.clone(), terms), E::InvalidExternalTerms);
		}

		MaxProtocols::set(3);
		assert_noop!(register(root(), sol, market_terms()), E::TooManyProtocols);
	});
}

#[test]
fn set_protocol_terms_works_within_bounds() {
	ExtBuilder::default().build_and_execute(|| {
		let terms = market_with(|t| t.credit_cap = 5_000);
		assert_noop!(
			SharedLiquidity::set_protocol_terms(signed(ALICE), market(BTC), terms),
			BadOrigin
		);
		assert_noop!(
			SharedLiquidity::set_protocol_terms(root(), market(SOL), terms),
			E::UnknownProtocol
		);
		assert_noop!(
			SharedLiquidity::set_protocol_terms(root(), market(BTC), external_terms()),
			E::InvalidMarketTerms
		);
		assert_noop!(
			SharedLiquidity::set_protocol_terms(
				root(),
				market(BTC),
				market_with(|t| t.credit_cap = 1_000_001)
			),
			E::CreditCapTooHigh
		);
		assert_ok!(SharedLiquidity::set_protocol_terms(root(), market(BTC), terms));
		last_event(Event::ProtocolTermsSet { protocol: market(BTC), terms });
		assert_eq!(protocol(market(BTC)).terms, terms);
	});
}

#[test]
fn lowering_the_loss_cap_to_the_losses_freezes_the_protocol() {
	ExtBuilder::default().build_and_execute(|| {
		assert_eq!(absorb_loss(BTC, 300), 300);
		let terms = market_with(|t| t.loss_cap = 300);
		assert_ok!(SharedLiquidity::set_protocol_terms(root(), market(BTC), terms));
		has_event(Event::ProtocolTermsSet { protocol: market(BTC), terms });
		last_event(Event::ProtocolFrozen { protocol: market(BTC), losses: 300, loss_cap: 300 });
		assert_eq!(status(market(BTC)), ProtocolStatus::Frozen);
	});
}

#[test]
fn protocol_status_transitions() {
	ExtBuilder::default().build_and_execute(|| {
		let set = SharedLiquidity::set_protocol_status;
		assert_noop!(set(signed(ALICE), market(BTC), ProtocolStatus::Frozen), BadOrigin);
		assert_noop!(set(root(), market(SOL), ProtocolStatus::Frozen), E::UnknownProtocol);
		assert_noop!(set(root(), market(BTC), ProtocolStatus::Active), E::StatusUnchanged);

		assert_ok!(set(root(), market(BTC), ProtocolStatus::Frozen));
		last_event(Event::ProtocolStatusChanged {
			protocol: market(BTC),
			from: ProtocolStatus::Active,
			to: ProtocolStatus::Frozen,
		});
		assert_ok!(set(root(), market(BTC), ProtocolStatus::Active));

		// Retiring needs every obligation settled and no reservation.
		assert_ok!(reserve(BTC, 1_000));
		assert_noop!(set(root(), market(BTC), ProtocolStatus::Retired), E::HasObligations);
		assert_ok!(reserve(BTC, 0));
		assert_ok!(SharedLiquidity::draw_credit(signed(EXTERNAL), 100));
		assert_noop!(set(root(), external(EXTERNAL), ProtocolStatus::Retired), E::HasObligations);

		assert_ok!(set(root(), market(BTC), ProtocolStatus::Retired));
		last_event(Event::ProtocolStatusChanged {
			protocol: market(BTC),
			from: ProtocolStatus::Active,
			to: ProtocolStatus::Retired,
		});
		assert_ok!(set(root(), market(BTC), ProtocolStatus::Active));
	});
}

#[test]
fn a_protocol_at_its_loss_cap_is_reactivated_only_after_the_cap_is_raised() {
	ExtBuilder::default().build_and_execute(|| {
		assert_eq!(absorb_loss(BTC, 1_000), 1_000);
		assert_eq!(status(market(BTC)), ProtocolStatus::Frozen);
		assert_noop!(
			SharedLiquidity::set_protocol_status(root(), market(BTC), ProtocolStatus::Active),
			E::LossCapReached
		);
		let terms = market_with(|t| t.loss_cap = 2_000);
		assert_ok!(SharedLiquidity::set_protocol_terms(root(), market(BTC), terms));
		assert_ok!(SharedLiquidity::set_protocol_status(
			root(),
			market(BTC),
			ProtocolStatus::Active
		));
		assert_eq!(absorb_loss(BTC, 5_000), 1_000);
	});
}

#[test]
fn deregister_protocol_frees_its_slot() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(SharedLiquidity::deregister_protocol(signed(ALICE), market(ETH)), BadOrigin);
		assert_noop!(SharedLiquidity::deregister_protocol(root(), market(SOL)), E::UnknownProtocol);
		assert_noop!(SharedLiquidity::deregister_protocol(root(), market(ETH)), E::NotRetired);
		MaxProtocols::set(3);
		assert_ok!(SharedLiquidity::set_protocol_status(
			root(),
			market(ETH),
			ProtocolStatus::Retired
		));
		assert_ok!(SharedLiquidity::deregister_protocol(root(), market(ETH)));
		last_event(Event::ProtocolDeregistered { protocol: market(ETH) });
		assert_eq!(Protocols::<Test>::count(), 2);
		assert_ok!(SharedLiquidity::register_protocol(root(), market(SOL), market_terms()));
	});
}

#[test]
fn pool_parameters_are_bounded() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(SharedLiquidity::set_min_deposit(signed(ALICE), 1), BadOrigin);
		assert_noop!(SharedLiquidity::set_min_deposit(root(), 10_001), E::MinDepositTooHigh);
		assert_ok!(SharedLiquidity::set_min_deposit(root(), 10_000));
		last_event(Event::MinDepositSet { amount: 10_000 });
		assert_eq!(MinDeposit::<Test>::get(), 10_000);

		assert_noop!(SharedLiquidity::set_withdraw_delay(signed(ALICE), 1), BadOrigin);
		assert_noop!(SharedLiquidity::set_withdraw_delay(root(), 0), E::WithdrawDelayOutOfBounds);
		assert_noop!(SharedLiquidity::set_withdraw_delay(root(), 101), E::WithdrawDelayOutOfBounds);
		assert_ok!(SharedLiquidity::set_withdraw_delay(root(), 100));
		last_event(Event::WithdrawDelaySet { blocks: 100 });
		assert_eq!(WithdrawDelay::<Test>::get(), 100);

		assert_noop!(SharedLiquidity::set_withdraw_window(signed(ALICE), 1), BadOrigin);
		assert_noop!(SharedLiquidity::set_withdraw_window(root(), 0), E::WithdrawWindowOutOfBounds);
		assert_noop!(
			SharedLiquidity::set_withdraw_window(root(), 51),
			E::WithdrawWindowOutOfBounds
		);
		assert_ok!(SharedLiquidity::set_withdraw_window(root(), 50));
		last_event(Event::WithdrawWindowSet { blocks: 50 });
		assert_eq!(WithdrawWindow::<Test>::get(), 50);
	});
}

// ---------------------------------------------------------------- markets

#[test]
fn reservations_follow_open_interest_within_the_credit_cap_and_free_cash() {
	ExtBuilder::default().build_and_execute(|| {
		assert_eq!(available(BTC), 3_000);
		assert_ok!(reserve(BTC, 10_000));
		last_event(Event::ReserveChanged { market: BTC, open_interest: 10_000, reserved: 1_000 });
		assert_eq!(protocol(market(BTC)).reserved, 1_000);
		assert_eq!(SharedLiquidity::reserved(), 1_000);
		assert_eq!(SharedLiquidity::free_liquidity(), 9_000);
		assert_eq!(available(BTC), 2_000);

		// Rounded up, in the pool's favour.
		assert_ok!(reserve(BTC, 10_001));
		assert_eq!(protocol(market(BTC)).reserved, 1_001);
		// The same reservation again changes nothing.
		let before = events().len();
		assert_ok!(reserve(BTC, 10_005));
		assert_eq!(events().len(), before);

		// Raising is bounded by the credit cap ...
		assert_noop!(reserve(BTC, 30_001), E::CreditCapExceeded);
		assert_noop!(reserve(SOL, 100), E::UnknownProtocol);
		assert_ok!(reserve(BTC, 30_000));
		assert_eq!(available(BTC), 0);

		// ... and by the free cash.
		let big = market_with(|t| t.credit_cap = 100_000);
		assert_ok!(SharedLiquidity::set_protocol_terms(root(), market(ETH), big));
		assert_eq!(available(ETH), 7_000);
		assert_noop!(reserve(ETH, 70_001), E::InsufficientFreeLiquidity);
		assert_ok!(reserve(ETH, 70_000));
		assert_eq!(SharedLiquidity::free_liquidity(), 0);
		assert_eq!(available(ETH), 0);

		// Reserved cash is neither withdrawable nor lendable.
		assert_noop!(
			SharedLiquidity::draw_credit(signed(EXTERNAL), 1),
			E::InsufficientFreeLiquidity
		);
	});
}

#[test]
fn lowering_a_reservation_always_works_even_when_frozen() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(reserve(BTC, 20_000));
		assert_eq!(absorb_loss(BTC, 1_000), 1_000);
		assert_eq!(status(market(BTC)), ProtocolStatus::Frozen);
		assert_eq!(available(BTC), 0);
		assert_noop!(reserve(BTC, 20_010), E::ProtocolFrozen);
		assert_ok!(reserve(BTC, 5_000));
		last_event(Event::ReserveChanged { market: BTC, open_interest: 5_000, reserved: 500 });
		assert_ok!(reserve(BTC, 0));
		assert_eq!(SharedLiquidity::reserved(), 0);

		assert_ok!(SharedLiquidity::set_protocol_status(
			root(),
			market(ETH),
			ProtocolStatus::Retired
		));
		assert_noop!(reserve(ETH, 10), E::ProtocolRetired);
		assert_ok!(reserve(ETH, 0));
	});
}

#[test]
fn profits_are_paid_from_any_cash_reserved_or_not() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(SharedLiquidity::register_protocol(root(), market(SOL), market_terms()));
		// Three markets reserve 1 000 each against 10 000 of open interest.
		for m in [BTC, ETH, SOL] {
			assert_ok!(reserve(m, 10_000));
		}
		// Their traders' profits are paid far beyond any reservation, as long
		// as the pool holds the cash.
		assert_ok!(pay(BTC, MARGIN, 4_000));
		last_event(Event::ProfitPaid { market: BTC, to: MARGIN, amount: 4_000 });
		assert_ok!(pay(ETH, MARGIN, 4_000));
		assert_ok!(pay(SOL, MARGIN, 1_500));
		assert_eq!(balance(MARGIN), ENDOWMENT + 9_500);
		assert_eq!(pool().cash, 500);
		assert_eq!(SharedLiquidity::free_liquidity(), 0);

		// Not beyond the cash.
		assert_noop!(pay(SOL, MARGIN, 501), E::InsufficientCash);
		assert_ok!(pay(SOL, MARGIN, 500));
		assert_eq!(pool().cash, 0);
		assert_eq!(pallet_balance(), ED);

		// The markets release their reservations as positions close.
		for m in [BTC, ETH, SOL] {
			assert_ok!(reserve(m, 0));
		}
		assert_eq!(SharedLiquidity::reserved(), 0);
	});
}

#[test]
fn pay_errors_leave_state_unchanged() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(pay(SOL, MARGIN, 1), E::UnknownProtocol);
		assert_noop!(pay(BTC, MARGIN, SEED + 1), E::InsufficientCash);
		// A fresh account cannot be paid less than the minimum balance.
		assert_noop!(pay(BTC, NOBODY, ED - 1), TokenError::BelowMinimum);
		// Nothing to pay is no payment.
		let before = events().len();
		assert_ok!(pay(BTC, MARGIN, 0));
		assert_eq!(events().len(), before);
		// A frozen market's traders are still paid.
		assert_ok!(SharedLiquidity::set_protocol_status(
			root(),
			market(BTC),
			ProtocolStatus::Frozen
		));
		assert_ok!(pay(BTC, MARGIN, 100));
	});
}

#[test]
fn collect_moves_what_the_market_holds_into_the_pool() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(collect(BTC, MARGIN, 700));
		last_event(Event::Collected { market: BTC, from: MARGIN, amount: 700 });
		assert_eq!(pool().cash, SEED + 700);
		assert_eq!(pallet_balance(), SEED + 700 + ED);
		assert_eq!(balance(MARGIN), ENDOWMENT - 700);

		assert_noop!(collect(SOL, MARGIN, 1), E::UnknownProtocol);
		assert_noop!(collect(BTC, NOBODY, 100), TokenError::FundsUnavailable);
		let before = events().len();
		assert_ok!(collect(BTC, MARGIN, 0));
		assert_eq!(events().len(), before);
	});
}

#[test]
fn absorb_loss_moves_no_money_and_freezes_the_market_at_its_cap() {
	ExtBuilder::default().build_and_execute(|| {
		// BTC holds 400 of a liquidated trader's debt as owed to the pool.
		set_receivable(BTC, 400);
		let held = pallet_balance();
		let ledger = pool();
		assert_eq!(absorb_loss(BTC, 400), 400);
		last_event(absorbed(BTC, 400, 400));
		assert_eq!(pallet_balance(), held);
		assert_eq!(pool(), ledger);
		assert_eq!(protocol(market(BTC)).losses, 400);
		// The market writes the receivable off: the LPs bear the loss through
		// the NAV.
		set_receivable(BTC, 0);
		assert_eq!(nav(), 10_000);

		// Bounded by what is left of the loss cap; reaching it freezes.
		assert_eq!(absorb_loss(BTC, 700), 600);
		has_event(Event::ProtocolFrozen { protocol: market(BTC), losses: 1_000, loss_cap: 1_000 });
		last_event(absorbed(BTC, 700, 600));
		assert_eq!(status(market(BTC)), ProtocolStatus::Frozen);
		assert_eq!(SharedLiquidity::market_loss_capacity(BTC), 0);
		assert_eq!(absorb_loss(BTC, 50), 0);
		last_event(absorbed(BTC, 50, 0));

		// Nothing for an unknown market; nothing offered, nothing said.
		assert_eq!(absorb_loss(SOL, 50), 0);
		last_event(absorbed(SOL, 50, 0));
		let before = events().len();
		assert_eq!(absorb_loss(ETH, 0), 0);
		assert_eq!(events().len(), before);
	});
}

#[test]
fn absorb_loss_covers_frozen_markets_within_their_cap_and_retired_ones_not_at_all() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(SharedLiquidity::set_protocol_status(
			root(),
			market(BTC),
			ProtocolStatus::Frozen
		));
		assert_eq!(SharedLiquidity::market_loss_capacity(BTC), 1_000);
		assert_eq!(absorb_loss(BTC, 100), 100);
		assert_ok!(SharedLiquidity::set_protocol_status(
			root(),
			market(ETH),
			ProtocolStatus::Retired
		));
		assert_eq!(SharedLiquidity::market_loss_capacity(ETH), 0);
		assert_eq!(absorb_loss(ETH, 100), 0);
		assert_eq!(SharedLiquidity::market_loss_capacity(SOL), 0);
	});
}

#[test]
fn one_market_failing_completely_leaves_the_others_their_capacity() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(reserve(ETH, 20_000));
		assert_eq!(absorb_loss(BTC, 5_000), 1_000);
		assert_eq!(status(market(BTC)), ProtocolStatus::Frozen);
		assert_eq!(status(market(ETH)), ProtocolStatus::Active);
		assert_eq!(protocol(market(ETH)).reserved, 2_000);
		assert_eq!(available(ETH), 1_000);
		assert_eq!(SharedLiquidity::market_loss_capacity(ETH), 1_000);
		assert_ok!(reserve(ETH, 30_000));
	});
}

#[test]
fn max_trader_pnl_is_a_factor_of_what_the_market_may_use() {
	ExtBuilder::default().build_and_execute(|| {
		// 50% of the smaller of the credit cap (3 000) and cash plus lent.
		assert_eq!(max_trader_pnl(BTC), Some(1_500));
		assert_eq!(max_trader_pnl(SOL), None);
		let big = market_with(|t| t.credit_cap = 100_000);
		assert_ok!(SharedLiquidity::set_protocol_terms(root(), market(BTC), big));
		assert_eq!(max_trader_pnl(BTC), Some(5_000));
		// Principal lent still belongs to the pool.
		assert_ok!(SharedLiquidity::draw_credit(signed(EXTERNAL), 1_000));
		assert_eq!(max_trader_pnl(BTC), Some(5_000));
		assert_ok!(pay(BTC, MARGIN, 2_000));
		assert_eq!(max_trader_pnl(BTC), Some(4_000));
	});
}

#[test]
fn the_pnl_to_pool_ratio_flags_markets_above_their_max_pnl() {
	ExtBuilder::default().build_and_execute(|| {
		set_trader_pnl(BTC, 1_000);
		assert_eq!(
			SharedLiquidity::market_pnl_to_pool(BTC),
			Some(PnlToPool {
				trader_pnl: 1_000,
				max_trader_pnl: 1_500,
				ratio: Some(price(2, 3)),
				exceeded: false,
			})
		);
		set_trader_pnl(BTC, 1_800);
		assert_eq!(
			SharedLiquidity::market_pnl_to_pool(BTC),
			Some(PnlToPool {
				trader_pnl: 1_800,
				max_trader_pnl: 1_500,
				ratio: Some(price(6, 5)),
				exceeded: true,
			})
		);
		// Traders in loss take nothing of it.
		set_trader_pnl(ETH, -300);
		assert_eq!(
			SharedLiquidity::market_pnl_to_pool(ETH).unwrap().ratio,
			Some(FixedU128::zero())
		);
		let none = market_with(|t| t.max_pnl_factor = Permill::zero());
		assert_ok!(SharedLiquidity::set_protocol_terms(root(), market(ETH), none));
		assert_eq!(SharedLiquidity::market_pnl_to_pool(ETH).unwrap().ratio, None);
		assert_eq!(SharedLiquidity::market_pnl_to_pool(SOL), None);
		set_stale(BTC, true);
		assert_eq!(SharedLiquidity::market_pnl_to_pool(BTC), None);
	});
}

// ---------------------------------------------------------------- external protocols

#[test]
fn external_protocols_draw_credit_against_a_term() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(SharedLiquidity::draw_credit(signed(EXTERNAL), 500));
		last_event(Event::CreditDrawn {
			protocol: external(EXTERNAL),
			amount: 500,
			drawn: 500,
			due_at: 1 + TERM as BlockNumber,
		});
		assert_eq!(balance(EXTERNAL), ENDOWMENT + 500);
		assert_eq!(pool().cash, 9_500);
		assert_eq!(pool().lent, 500);
		// Performing principal is worth its face value.
		assert_eq!(nav(), 10_000);

		// A later draw keeps the due block of the first.
		advance(4);
		assert_ok!(SharedLiquidity::draw_credit(signed(EXTERNAL), 300));
		last_event(Event::CreditDrawn {
			protocol: external(EXTERNAL),
			amount: 300,
			drawn: 800,
			due_at: 1 + TERM as BlockNumber,
		});
	});
}

#[test]
fn draws_are_bounded_by_the_credit_cap_the_loss_headroom_and_the_free_cash() {
	ExtBuilder::default().build_and_execute(|| {
		let draw = SharedLiquidity::draw_credit;
		assert_noop!(draw(signed(EXTERNAL), 0), E::ZeroAmount);
		assert_noop!(draw(signed(EXTERNAL_2), 100), E::UnknownProtocol);
		assert_noop!(draw(RuntimeOrigin::none(), 100), DispatchError::BadOrigin);
		// The loss cap is 1 000: no more principal outstanding than that.
		assert_eq!(SharedLiquidity::protocol_info(external(EXTERNAL)).unwrap().available, 1_000);
		assert_noop!(draw(signed(EXTERNAL), 1_001), E::LossCapExceeded);
		// With a higher loss cap, the credit cap binds.
		let wide = external_with(|t| t.loss_cap = 100_000);
		assert_ok!(SharedLiquidity::set_protocol_terms(root(), external(EXTERNAL), wide));
		assert_noop!(draw(signed(EXTERNAL), 3_001), E::CreditCapExceeded);
		// With a higher credit cap, the free cash binds.
		let wider = external_with(|t| {
			t.loss_cap = 100_000;
			t.credit_cap = 100_000;
		});
		assert_ok!(SharedLiquidity::set_protocol_terms(root(), external(EXTERNAL), wider));
		assert_ok!(reserve(BTC, 20_000));
		assert_eq!(SharedLiquidity::protocol_info(external(EXTERNAL)).unwrap().available, 8_000);
		assert_noop!(draw(signed(EXTERNAL), 8_001), E::InsufficientFreeLiquidity);
		assert_ok!(draw(signed(EXTERNAL), 8_000));

		// Frozen and retired protocols draw nothing.
		assert_ok!(SharedLiquidity::register_protocol(
			root(),
			external(EXTERNAL_2),
			external_terms()
		));
		assert_ok!(reserve(BTC, 0));
		assert_ok!(SharedLiquidity::set_protocol_status(
			root(),
			external(EXTERNAL_2),
			ProtocolStatus::Frozen
		));
		assert_noop!(draw(signed(EXTERNAL_2), 100), E::ProtocolFrozen);
		assert_ok!(SharedLiquidity::set_protocol_status(
			root(),
			external(EXTERNAL_2),
			ProtocolStatus::Retired
		));
		assert_noop!(draw(signed(EXTERNAL_2), 100), E::ProtocolRetired);
	});
}

#[test]
fn principal_past_its_term_is_impaired_valued_at_zero_and_blocks_draws() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(SharedLiquidity::draw_credit(signed(EXTERNAL), 500));
		let due = 1 + TERM as BlockNumber;
		// Due at block 21: still performing in it.
		System::set_block_number(due);
		assert!(!SharedLiquidity::protocol_info(external(EXTERNAL)).unwrap().impaired);
		assert_eq!(nav(), 10_000);

		// Past it: impaired, valued at zero, no more draws.
		advance(1);
		let info = SharedLiquidity::protocol_info(external(EXTERNAL)).unwrap();
		assert!(info.impaired);
		assert_eq!(info.available, 0);
		assert_eq!(nav(), 9_500);
		assert_noop!(SharedLiquidity::draw_credit(signed(EXTERNAL), 1), E::CreditImpaired);
		// An LP cannot leave at the face value of a debt that is overdue.
		assert_ok!(SharedLiquidity::request_withdraw(signed(ALICE), 1_000));
		assert_eq!(requests(ALICE)[0].share_price, price(95, 100));

		// Repaid, it is worth its cash again and the protocol may draw anew.
		assert_ok!(SharedLiquidity::repay_credit(signed(EXTERNAL), 500));
		last_event(Event::CreditRepaid { protocol: external(EXTERNAL), fees: 0, principal: 500 });
		assert_eq!(protocol(external(EXTERNAL)).due_at, None);
		assert_eq!(nav(), 10_000);
		assert_ok!(SharedLiquidity::draw_credit(signed(EXTERNAL), 100));
		assert_eq!(protocol(external(EXTERNAL)).due_at, Some(System::block_number() + 20));
	});
}

#[test]
fn fees_accrue_on_principal_and_are_repaid_first_in_real_money() {
	ExtBuilder::default().build_and_execute(|| {
		let terms = external_with(|t| {
			t.base_rate = Permill::from_percent(10);
			t.term = 500;
		});
		assert_ok!(SharedLiquidity::set_protocol_terms(root(), external(EXTERNAL), terms));
		assert_ok!(SharedLiquidity::draw_credit(signed(EXTERNAL), 1_000));
		// 1 000 × 10% × 100 blocks / 1 000 blocks a year.
		advance(100);
		assert_eq!(SharedLiquidity::protocol_info(external(EXTERNAL)).unwrap().fees_owed, 10);
		// Fees owed are not the pool's until paid.
		assert_eq!(nav(), 10_000);

		assert_ok!(SharedLiquidity::repay_credit(signed(EXTERNAL), 5));
		has_event(Event::FeesAccrued { protocol: external(EXTERNAL), amount: 10, fees_owed: 10 });
		last_event(Event::CreditRepaid { protocol: external(EXTERNAL), fees: 5, principal: 0 });
		assert_ok!(SharedLiquidity::repay_credit(signed(EXTERNAL), 505));
		last_event(Event::CreditRepaid { protocol: external(EXTERNAL), fees: 5, principal: 500 });
		assert_eq!(protocol(external(EXTERNAL)).drawn, 500);

		assert_noop!(SharedLiquidity::repay_credit(signed(EXTERNAL), 501), E::ExceedsDebt);
		assert_noop!(SharedLiquidity::repay_credit(signed(EXTERNAL), 0), E::ZeroAmount);
		assert_noop!(SharedLiquidity::repay_credit(signed(EXTERNAL_2), 1), E::UnknownProtocol);
		assert_noop!(
			SharedLiquidity::repay_credit(RuntimeOrigin::none(), 1),
			DispatchError::BadOrigin
		);
		assert_ok!(SharedLiquidity::repay_credit(signed(EXTERNAL), 500));
		assert_eq!(protocol(external(EXTERNAL)).due_at, None);
		// The LPs earned the fees: 10 more than they put in.
		assert_eq!(pool().cash, 10_010);
		assert_eq!(nav(), 10_010);
		assert_eq!(value(ALICE), 10_010);
	});
}

#[test]
fn the_fee_rate_follows_utilization() {
	ExtBuilder::default().build_and_execute(|| {
		let terms = external_with(|t| {
			t.rate_slope = Permill::from_percent(50);
			t.term = 500;
		});
		assert_ok!(SharedLiquidity::set_protocol_terms(root(), external(EXTERNAL), terms));
		assert_ok!(SharedLiquidity::draw_credit(signed(EXTERNAL), 1_000));
		assert_eq!(SharedLiquidity::utilization(), Perbill::from_percent(10));
		let info = SharedLiquidity::protocol_info(external(EXTERNAL)).unwrap();
		assert_eq!(info.fee_rate, Permill::from_percent(5));
		// 1 000 × 5% × 100 / 1 000.
		advance(100);
		assert_eq!(SharedLiquidity::protocol_info(external(EXTERNAL)).unwrap().fees_owed, 5);
		// Reservations raise the utilization and so the rate from now on.
		assert_ok!(reserve(BTC, 30_000));
		assert_eq!(SharedLiquidity::utilization(), Perbill::from_percent(40));
		advance(100);
		// 5 + 1 000 × 20% × 100 / 1 000.
		assert_eq!(SharedLiquidity::protocol_info(external(EXTERNAL)).unwrap().fees_owed, 25);
	});
}

#[test]
fn a_write_off_is_bounded_by_the_loss_cap_and_the_rest_stays_owed_and_repayable() {
	ExtBuilder::default().build_and_execute(|| {
		let terms = external_with(|t| {
			t.base_rate = Permill::from_percent(10);
			t.term = 500;
		});
		assert_ok!(SharedLiquidity::set_protocol_terms(root(), external(EXTERNAL), terms));
		assert_ok!(SharedLiquidity::draw_credit(signed(EXTERNAL), 1_000));
		advance(100);
		// Governance lowers the loss cap below the principal outstanding.
		let lower = ProtocolTerms { loss_cap: 600, ..terms };
		assert_ok!(SharedLiquidity::set_protocol_terms(root(), external(EXTERNAL), lower));

		assert_ok!(SharedLiquidity::write_off(root(), external(EXTERNAL), 1_010));
		has_event(Event::WrittenOff {
			protocol: external(EXTERNAL),
			fees_forgiven: 10,
			principal_written_off: 600,
			still_owed: 400,
		});
		last_event(Event::ProtocolFrozen {
			protocol: external(EXTERNAL),
			losses: 600,
			loss_cap: 600,
		});
		let p = protocol(external(EXTERNAL));
		assert_eq!(
			(p.drawn, p.fees_owed, p.losses, p.status),
			(400, 0, 600, ProtocolStatus::Frozen)
		);
		assert_eq!(pool().lent, 400);
		// What is still owed is impaired: the NAV counts the cash only.
		assert_eq!(nav(), 9_000);
		assert_noop!(SharedLiquidity::draw_credit(signed(EXTERNAL), 1), E::ProtocolFrozen);
		assert_noop!(
			SharedLiquidity::set_protocol_status(
				root(),
				external(EXTERNAL),
				ProtocolStatus::Active
			),
			E::LossCapReached
		);

		// Nothing is left of the loss cap: a further write-off writes off
		// nothing.
		assert_ok!(SharedLiquidity::write_off(root(), external(EXTERNAL), 400));
		last_event(Event::WrittenOff {
			protocol: external(EXTERNAL),
			fees_forgiven: 0,
			principal_written_off: 0,
			still_owed: 400,
		});

		// The recorded debt is still repayable, and the LPs get it back.
		assert_ok!(SharedLiquidity::repay_credit(signed(EXTERNAL), 400));
		last_event(Event::CreditRepaid { protocol: external(EXTERNAL), fees: 0, principal: 400 });
		assert_eq!(pool().lent, 0);
		assert_eq!(nav(), 9_400);
	});
}

#[test]
fn write_off_errors_leave_state_unchanged() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(SharedLiquidity::draw_credit(signed(EXTERNAL), 100));
		let write_off = SharedLiquidity::write_off;
		assert_noop!(write_off(signed(ALICE), external(EXTERNAL), 1), BadOrigin);
		assert_noop!(write_off(root(), external(EXTERNAL), 0), E::ZeroAmount);
		assert_noop!(write_off(root(), market(BTC), 1), E::NotExternal);
		assert_noop!(write_off(root(), external(EXTERNAL_2), 1), E::UnknownProtocol);
		assert_noop!(write_off(root(), external(EXTERNAL), 101), E::ExceedsDebt);
		// A performing loan written off in part: the NAV loses all of it.
		assert_ok!(write_off(root(), external(EXTERNAL), 40));
		assert_eq!(nav(), 9_900);
	});
}

// ---------------------------------------------------------------- excess

#[test]
fn a_donation_is_reported_as_excess_and_swept_to_the_sink() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(SharedLiquidity::sweep_excess(root()), E::NoExcess);
		donate(1);
		// Never counted as the pool's, and no invariant breaks.
		assert_ok!(SharedLiquidity::do_try_state());
		assert_eq!(SharedLiquidity::excess(), 1);
		assert_eq!(pool().cash, SEED);
		assert_eq!(nav(), 10_000);
		assert_ok!(SharedLiquidity::deposit(signed(CHARLIE), 1_000));
		assert_eq!(shares(CHARLIE), 1_000);

		assert_noop!(SharedLiquidity::sweep_excess(signed(ALICE)), BadOrigin);
		// A sink that takes nothing sweeps nothing.
		SinkTakesNothing::set(true);
		assert_noop!(SharedLiquidity::sweep_excess(root()), E::NoExcess);
		SinkTakesNothing::set(false);

		let sink = balance(SINK);
		assert_ok!(SharedLiquidity::sweep_excess(root()));
		last_event(Event::ExcessSwept { amount: 1 });
		assert_eq!(balance(SINK), sink + 1);
		assert_eq!(SharedLiquidity::excess(), 0);
		assert_eq!(pallet_balance(), SEED + 1_000 + ED);
		assert_noop!(SharedLiquidity::sweep_excess(root()), E::NoExcess);
	});
}

#[cfg(not(debug_assertions))]
#[test]
fn payments_the_account_cannot_honour_are_refused() {
	ExtBuilder::default().build().execute_with(|| {
		// Someone took funds out of the pallet account behind the ledger.
		drain_pallet_account(SEED);
		assert!(SharedLiquidity::do_try_state().is_err());
		assert_noop!(pay(BTC, MARGIN, 1_000), E::LedgerExceedsAccount);
		assert_noop!(SharedLiquidity::draw_credit(signed(EXTERNAL), 100), E::LedgerExceedsAccount);
	});
}

// ---------------------------------------------------------------- views

#[test]
fn runtime_api_helpers_report_the_pool() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(reserve(BTC, 20_000));
		assert_ok!(SharedLiquidity::draw_credit(signed(EXTERNAL), 500));
		set_exposure(BTC, 1_000, 200);
		assert_eq!(SharedLiquidity::pool_cash(), 9_500);
		assert_eq!(SharedLiquidity::pool_nav(), Some(9_500 + 500 + 200 - 1_000));
		assert_eq!(SharedLiquidity::pool_shares(), SEED);
		assert_eq!(SharedLiquidity::share_price(), Some(price(92, 100)));
		assert_eq!(SharedLiquidity::utilization(), Perbill::from_percent(25));
		assert_eq!(SharedLiquidity::reserved(), 2_000);
		assert_eq!(SharedLiquidity::free_liquidity(), 7_500);
		assert_eq!(SharedLiquidity::excess(), 0);
		assert_eq!(
			SharedLiquidity::protocols(),
			vec![market(BTC), market(ETH), external(EXTERNAL)]
		);
		assert_eq!(
			SharedLiquidity::protocol_info(market(BTC)),
			Some(ProtocolInfo {
				status: ProtocolStatus::Active,
				credit_cap: 3_000,
				reserved: 2_000,
				drawn: 0,
				fees_owed: 0,
				due_at: None,
				impaired: false,
				available: 1_000,
				loss_cap: 1_000,
				losses: 0,
				loss_capacity: 1_000,
				base_rate: Permill::zero(),
				rate_slope: Permill::zero(),
				fee_rate: Permill::zero(),
				reserve_factor: Permill::from_percent(10),
				max_pnl_factor: Permill::from_percent(50),
				term: 0,
			})
		);
		assert_eq!(
			SharedLiquidity::protocol_info(external(EXTERNAL)),
			Some(ProtocolInfo {
				status: ProtocolStatus::Active,
				credit_cap: 3_000,
				reserved: 0,
				drawn: 500,
				fees_owed: 0,
				due_at: Some(21),
				impaired: false,
				available: 500,
				loss_cap: 1_000,
				losses: 0,
				loss_capacity: 1_000,
				base_rate: Permill::zero(),
				rate_slope: Permill::zero(),
				fee_rate: Permill::zero(),
				reserve_factor: Permill::zero(),
				max_pnl_factor: Permill::zero(),
				term: TERM,
			})
		);
		assert_eq!(SharedLiquidity::protocol_info(market(SOL)), None);
		assert_eq!(SharedLiquidity::market_loss_capacity(BTC), 1_000);
		assert_eq!(
			SharedLiquidity::lp_info(ALICE),
			LpInfo { shares: SEED, value: 9_200, ..Default::default() }
		);
		set_stale(BTC, true);
		assert_eq!(SharedLiquidity::pool_nav(), None);
		assert_eq!(SharedLiquidity::share_price(), None);
		assert_eq!(SharedLiquidity::lp_info(ALICE).value, 0);
	});
}

// ---------------------------------------------------------------- migration

#[test]
fn migration_v1_to_v2_translates_the_pool_protocols_and_positions() {
	use migrations::v2::{old, MigrateV1ToV2};
	ExtBuilder::default().liquidity(vec![]).markets(vec![]).external(vec![]).build_and_execute(
		|| {
			System::set_block_number(5);
			let v1_terms = |base, slope| old::ProtocolTerms {
				credit_cap: 3_000,
				loss_cap: 1_000,
				base_rate: Permill::from_percent(base),
				rate_slope: Permill::from_percent(slope),
			};
			// A v1 pool: 12 000 of assets of which 1 000 lent out; BTC drew
			// 2 000 of capacity and ETH was frozen at its loss cap.
			unhashed::put(
				&Pool::<Test>::hashed_key(),
				&old::PoolState::<BlockNumber> {
					assets: 12_000,
					shares: 10_000,
					drawn: 3_000,
					lent: 1_000,
					generation: 2,
					utilization_index: 5,
					indexed_at: 1,
				},
			);
			let v1_protocols = [
				(
					market(BTC),
					old::Protocol::<BlockNumber> {
						terms: v1_terms(2, 18),
						status: ProtocolStatus::Active,
						drawn: 2_000,
						fees_owed: 7,
						debt: 300,
						losses: 100,
						accrued_at: 1,
						index_at: 0,
					},
				),
				(
					market(ETH),
					old::Protocol::<BlockNumber> {
						terms: v1_terms(2, 18),
						status: ProtocolStatus::Frozen,
						losses: 1_000,
						..Default::default()
					},
				),
				(
					external(EXTERNAL),
					old::Protocol::<BlockNumber> {
						terms: v1_terms(5, 10),
						status: ProtocolStatus::Active,
						drawn: 1_000,
						fees_owed: 12,
						accrued_at: 1,
						..Default::default()
					},
				),
			];
			for (id, p) in &v1_protocols {
				unhashed::put(&Protocols::<Test>::hashed_key_for(id), p);
			}
			unhashed::put(&Protocols::<Test>::counter_storage_final_key(), &3u32);
			let v1_position =
				|shares, generation, requests: Vec<old::WithdrawRequest<BlockNumber>>| {
					old::LpPosition::<BlockNumber, MaxWithdrawRequests> {
						shares,
						generation,
						requests: BoundedVec::truncate_from(requests),
					}
				};
			let pending = vec![old::WithdrawRequest { shares: 100, requested_at: 1 }];
			unhashed::put(
				&Positions::<Test>::hashed_key_for(ALICE),
				&v1_position(6_000, 2, pending),
			);
			unhashed::put(&Positions::<Test>::hashed_key_for(BOB), &v1_position(4_000, 2, vec![]));
			// CHARLIE's shares were voided by an earlier wipe-out.
			unhashed::put(
				&Positions::<Test>::hashed_key_for(CHARLIE),
				&v1_position(500, 1, vec![]),
			);
			WithdrawDelay::<Test>::kill();
			WithdrawWindow::<Test>::kill();
			assert_ok!(<Balances as Mutate<AccountId>>::mint_into(
				&SharedLiquidity::account_id(),
				11_000
			));
			StorageVersion::new(1).put::<SharedLiquidity>();

			MigrateV1ToV2::<Test>::on_runtime_upgrade();

			assert_eq!(SharedLiquidity::on_chain_storage_version(), StorageVersion::new(2));
			assert_eq!(
				pool(),
				PoolState {
					cash: 11_000,
					shares: 10_000,
					reserved: 0,
					lent: 1_000,
					utilization_index: 5,
					indexed_at: 1,
				}
			);
			assert_eq!(
				protocol(market(BTC)),
				Protocol {
					terms: ProtocolTerms {
						credit_cap: 3_000,
						loss_cap: 1_000,
						max_pnl_factor: Permill::one(),
						..Default::default()
					},
					status: ProtocolStatus::Active,
					reserved: 0,
					drawn: 0,
					fees_owed: 0,
					losses: 100,
					due_at: None,
					accrued_at: 1,
					index_at: 0,
				}
			);
			assert_eq!(status(market(ETH)), ProtocolStatus::Frozen);
			assert_eq!(protocol(market(ETH)).losses, 1_000);
			assert_eq!(
				protocol(external(EXTERNAL)),
				Protocol {
					terms: ProtocolTerms {
						credit_cap: 3_000,
						loss_cap: 1_000,
						base_rate: Permill::from_percent(5),
						rate_slope: Permill::from_percent(10),
						term: MaxCreditTerm::get(),
						..Default::default()
					},
					status: ProtocolStatus::Active,
					reserved: 0,
					drawn: 1_000,
					fees_owed: 12,
					losses: 0,
					due_at: Some(5 + BlockNumber::from(MaxCreditTerm::get())),
					accrued_at: 1,
					index_at: 0,
				}
			);
			assert_eq!(Protocols::<Test>::count(), 3);
			assert_eq!(shares(ALICE), 6_000);
			assert!(requests(ALICE).is_empty());
			assert_eq!(shares(BOB), 4_000);
			assert_eq!(Positions::<Test>::get(CHARLIE), None);
			assert_eq!(WithdrawDelay::<Test>::get(), 1);
			assert_eq!(WithdrawWindow::<Test>::get(), MaxWithdrawWindow::get());
			assert_ok!(SharedLiquidity::do_try_state());
			assert_eq!(nav(), 12_000);

			// Run again, it does nothing.
			let translated = pool();
			MigrateV1ToV2::<Test>::on_runtime_upgrade();
			assert_eq!(pool(), translated);
		},
	);
}

// ---------------------------------------------------------------- properties

/// One step of a random sequence.
#[derive(Clone, Debug)]
enum Op {
	Deposit(AccountId, Balance),
	/// A percentage of the provider's unrequested shares.
	Request(AccountId, u8),
	/// A percentage (up to 110%) of the provider's withdrawable shares.
	Withdraw(AccountId, u8),
	Cancel(AccountId),
	TraderPnl(MarketId, SignedBalance),
	Receivable(MarketId, Balance),
	Stale(MarketId, bool),
	Reserve(MarketId, Balance),
	Pay(MarketId, Balance),
	Collect(MarketId, Balance),
	Absorb(MarketId, Balance),
	DrawCredit(Balance),
	/// A percentage (up to 110%) of what the external protocol owes.
	RepayCredit(u8),
	/// A percentage (up to 110%) of what the external protocol owes.
	WriteOff(u8),
	Advance(u64),
}

fn op() -> impl proptest::strategy::Strategy<Value = Op> {
	use proptest::prelude::*;
	let lp = prop_oneof![Just(ALICE), Just(BOB), Just(CHARLIE)];
	let market = prop_oneof![Just(BTC), Just(ETH), Just(SOL)];
	let amount = 0u128..4_000;
	let percent = 0u8..=110;
	prop_oneof![
		3 => (lp.clone(), amount.clone()).prop_map(|(w, a)| Op::Deposit(w, a)),
		4 => (lp.clone(), 0u8..=100).prop_map(|(w, p)| Op::Request(w, p)),
		4 => (lp.clone(), percent.clone()).prop_map(|(w, p)| Op::Withdraw(w, p)),
		1 => lp.prop_map(Op::Cancel),
		2 => (market.clone(), -3_000i128..6_000).prop_map(|(m, p)| Op::TraderPnl(m, p)),
		1 => (market.clone(), amount.clone()).prop_map(|(m, a)| Op::Receivable(m, a)),
		// Mostly back to a usable price: stale prices are rare.
		1 => (market.clone(), prop::bool::weighted(0.3)).prop_map(|(m, s)| Op::Stale(m, s)),
		1 => (market.clone(), 0u128..40_000).prop_map(|(m, oi)| Op::Reserve(m, oi)),
		2 => (market.clone(), amount.clone()).prop_map(|(m, a)| Op::Pay(m, a)),
		2 => (market.clone(), amount.clone()).prop_map(|(m, a)| Op::Collect(m, a)),
		1 => (market, 0u128..800).prop_map(|(m, a)| Op::Absorb(m, a)),
		1 => amount.prop_map(Op::DrawCredit),
		1 => percent.clone().prop_map(Op::RepayCredit),
		1 => percent.prop_map(Op::WriteOff),
		6 => (1u64..4).prop_map(Op::Advance),
	]
}

/// `percent` of `amount`.
fn part(amount: Balance, percent: u8) -> Balance {
	amount * Balance::from(percent) / 100
}

/// `percent` of what the external protocol owes now (principal and fees).
fn owed_by_external(percent: u8) -> Balance {
	let owed = SharedLiquidity::protocol_info(external(EXTERNAL))
		.map(|info| info.drawn + info.fees_owed)
		.unwrap_or_default();
	part(owed, percent)
}

/// Runs `op`; `Some(result)` for the fallible ones.
fn run(op: &Op) -> Option<Result<(), DispatchError>> {
	let res = match *op {
		Op::Deposit(who, amount) => SharedLiquidity::deposit(signed(who), amount),
		Op::Request(who, percent) => {
			let info = SharedLiquidity::lp_info(who);
			SharedLiquidity::request_withdraw(
				signed(who),
				part(info.shares - info.requested, percent),
			)
		},
		Op::Withdraw(who, percent) => {
			let withdrawable = SharedLiquidity::lp_info(who).withdrawable;
			SharedLiquidity::withdraw(signed(who), part(withdrawable, percent))
		},
		Op::Cancel(who) => SharedLiquidity::cancel_withdrawals(signed(who)),
		Op::TraderPnl(m, pnl) => {
			set_trader_pnl(m, pnl);
			return None;
		},
		Op::Receivable(m, amount) => {
			set_receivable(m, amount);
			return None;
		},
		Op::Stale(m, stale) => {
			set_stale(m, stale);
			return None;
		},
		Op::Reserve(m, open_interest) => reserve(m, open_interest),
		Op::Pay(m, amount) => pay(m, MARGIN, amount),
		Op::Collect(m, amount) => collect(m, MARGIN, amount),
		Op::Absorb(m, amount) => {
			assert!(absorb_loss(m, amount) <= amount);
			return None;
		},
		Op::DrawCredit(amount) => SharedLiquidity::draw_credit(signed(EXTERNAL), amount),
		Op::RepayCredit(percent) => {
			SharedLiquidity::repay_credit(signed(EXTERNAL), owed_by_external(percent))
		},
		Op::WriteOff(percent) => {
			SharedLiquidity::write_off(root(), external(EXTERNAL), owed_by_external(percent))
		},
		Op::Advance(blocks) => {
			advance(blocks);
			return None;
		},
	};
	Some(res)
}

/// `a / b <= c / d` for non-negative rationals with positive denominators.
fn ratio_le(a: Balance, b: Balance, c: Balance, d: Balance) -> bool {
	a.checked_mul(d).expect("small in tests") <= c.checked_mul(b).expect("small in tests")
}

proptest::proptest! {
	#![proptest_config(proptest::prelude::ProptestConfig::with_cases(500))]

	/// Over random sequences of deposits, withdrawal requests, withdrawals,
	/// exposure changes, reservations, pays, collects, loss absorption and
	/// external credit:
	///
	/// * every invariant of `try_state` holds after every step;
	/// * a failed step leaves the state unchanged;
	/// * while shares are in issue and the NAV is known and not negative,
	///   `Σ LP values <= NAV <= Σ LP values + number of LPs` (each value is
	///   rounded down) and share price × shares is at most the NAV and short
	///   of it by at most one unit plus shares / 10^18; with a negative NAV
	///   every LP's value is zero;
	/// * deposits and withdrawals never lower the share price of the LPs who
	///   stay (rounding and the lower of two prices favour them), and a
	///   withdrawal never pays more than the shares are worth at payout.
	#[test]
	fn lp_shares_are_priced_at_nav_over_random_sequences(
		ops in proptest::collection::vec(op(), 1..50),
	) {
		let ext = external_with(|t| {
			t.base_rate = Permill::from_percent(15);
			t.rate_slope = Permill::from_percent(30);
		});
		// A short delay and window, so that requests mature and lapse within
		// a sequence.
		ExtBuilder::default()
			.withdraw_delay(2)
			.withdraw_window(6)
			.liquidity(vec![(ALICE, SEED), (BOB, 5_000)])
			.external(vec![(EXTERNAL, ext)])
			.build_and_execute(|| {
				for op in &ops {
					let before = pool();
					let nav_before = SharedLiquidity::pool_nav();
					let root_before = sp_io::storage::root(sp_runtime::StateVersion::V1);
					let paid_before = match op {
						Op::Withdraw(who, _) => Some(balance(*who)),
						_ => None,
					};
					let shares_out = match op {
						Op::Withdraw(who, percent) =>
							part(SharedLiquidity::lp_info(*who).withdrawable, *percent),
						_ => 0,
					};
					let result = run(op);
					if let Some(Err(_)) = result {
						let root_after = sp_io::storage::root(sp_runtime::StateVersion::V1);
						assert_eq!(root_before, root_after, "{op:?} failed but changed state");
					}
					SharedLiquidity::do_try_state().expect("invariants hold");

					let after = pool();
					let Some(nav_after) = SharedLiquidity::pool_nav() else { continue };
					if after.shares > 0 {
						if nav_after >= 0 {
							assert_priced_at_nav();
						} else {
							assert_eq!(lp_values().0, 0);
						}
					}
					let ok = matches!(result, Some(Ok(())));
					let lp_step = matches!(op, Op::Deposit(..) | Op::Withdraw(..));
					if let (true, true, Some(nav_before)) = (ok, lp_step, nav_before) {
						if before.shares > 0 && after.shares > 0 && nav_before >= 0 {
							assert!(
								ratio_le(
									nav_before.unsigned_abs(),
									before.shares,
									nav_after.max(0).unsigned_abs(),
									after.shares,
								),
								"{op:?} lowered the share price"
							);
						}
					}
					if let (true, Some(paid_before), Op::Withdraw(who, _), Some(nav_before)) =
						(ok, paid_before, op, nav_before)
					{
						let paid = balance(*who) - paid_before;
						let worth = shares_out * nav_before.max(0).unsigned_abs() / before.shares;
						assert!(paid <= worth, "{op:?} paid {paid}, worth {worth}");
					}
				}
			});
	}
}

// ---------------------------------------------------------------- governance

/// Who may change what (the README's "Governance" section): the guardian
/// only tightens, the risk track and the guardian are bounded by
/// `MaxParamStep` (25%) and `MinChangeInterval` (10 blocks), Root only by the
/// hard limits, anyone else is refused.
mod governance {
	use super::*;
	use frame_support::dispatch::DispatchResult;

	fn risk() -> RuntimeOrigin {
		signed(RISK_TRACK)
	}

	fn guardian() -> RuntimeOrigin {
		signed(GUARDIAN)
	}

	fn changed_at(key: ParamKey<AccountId>) -> Option<BlockNumber> {
		ParamChangedAt::<Test>::get(key)
	}

	fn terms_of(id: ProtocolId<AccountId>) -> ProtocolTerms {
		protocol(id).terms
	}

	fn set_terms(
		origin: RuntimeOrigin,
		id: ProtocolId<AccountId>,
		terms: ProtocolTerms,
	) -> DispatchResult {
		SharedLiquidity::set_protocol_terms(origin, id, terms)
	}

	/// The external protocol's terms with rates, so that every field can move
	/// both ways within its limit.
	fn rated() -> ProtocolTerms {
		external_with(|t| {
			t.base_rate = Permill::from_percent(10);
			t.rate_slope = Permill::from_percent(40);
		})
	}

	/// The external protocol at [`rated`], set by Root in block 1, and the
	/// chain past the interval.
	fn external_rated() {
		assert_ok!(set_terms(root(), external(EXTERNAL), rated()));
		assert_eq!(changed_at(ParamKey::Terms(external(EXTERNAL))), Some(1));
		advance(MIN_CHANGE_INTERVAL);
	}

	/// One loosening of each field, within the step: external protocol
	/// terms, then market terms.
	fn loosenings() -> Vec<(ProtocolId<AccountId>, ProtocolTerms)> {
		let e = rated();
		let m = market_terms();
		vec![
			(external(EXTERNAL), ProtocolTerms { credit_cap: 3_100, ..e }),
			(external(EXTERNAL), ProtocolTerms { loss_cap: 1_100, ..e }),
			(external(EXTERNAL), ProtocolTerms { base_rate: Permill::from_percent(9), ..e }),
			(external(EXTERNAL), ProtocolTerms { rate_slope: Permill::from_percent(35), ..e }),
			(external(EXTERNAL), ProtocolTerms { term: TERM + 1, ..e }),
			(market(BTC), ProtocolTerms { reserve_factor: Permill::from_percent(9), ..m }),
			(market(BTC), ProtocolTerms { max_pnl_factor: Permill::from_percent(55), ..m }),
		]
	}

	/// One tightening of each field, within the step.
	fn tightenings() -> Vec<(ProtocolId<AccountId>, ProtocolTerms)> {
		let e = rated();
		let m = market_terms();
		vec![
			(external(EXTERNAL), ProtocolTerms { credit_cap: 2_500, ..e }),
			(external(EXTERNAL), ProtocolTerms { loss_cap: 900, ..e }),
			(external(EXTERNAL), ProtocolTerms { base_rate: Permill::from_percent(12), ..e }),
			(external(EXTERNAL), ProtocolTerms { rate_slope: Permill::from_percent(50), ..e }),
			(external(EXTERNAL), ProtocolTerms { term: TERM - 5, ..e }),
			(market(BTC), ProtocolTerms { reserve_factor: Permill::from_percent(12), ..m }),
			(market(BTC), ProtocolTerms { max_pnl_factor: Permill::from_percent(40), ..m }),
		]
	}

	fn base_of(id: &ProtocolId<AccountId>) -> ProtocolTerms {
		match id {
			ProtocolId::External(_) => rated(),
			ProtocolId::Market(_) => market_terms(),
		}
	}

	#[test]
	fn the_guardian_cannot_loosen_any_term() {
		ExtBuilder::default().build_and_execute(|| {
			external_rated();
			for (id, terms) in loosenings() {
				assert_noop!(set_terms(guardian(), id, terms), E::GuardianCannotLoosen);
			}
			// A tightening together with a loosening is a loosening.
			let mixed = ProtocolTerms { credit_cap: 2_500, loss_cap: 1_100, ..rated() };
			assert_noop!(set_terms(guardian(), external(EXTERNAL), mixed), E::GuardianCannotLoosen);
			// The risk track may make each of them, one per interval.
			for (id, terms) in loosenings() {
				assert_ok!(set_terms(risk(), id.clone(), terms));
				assert_eq!(terms_of(id.clone()), terms);
				assert_ok!(set_terms(root(), id.clone(), base_of(&id)));
				advance(MIN_CHANGE_INTERVAL);
			}
		});
	}

	#[test]
	fn the_guardian_may_tighten_every_term_within_the_step() {
		ExtBuilder::default().build_and_execute(|| {
			external_rated();
			for (id, terms) in tightenings() {
				assert_ok!(set_terms(guardian(), id.clone(), terms));
				assert_eq!(terms_of(id.clone()), terms);
				assert_eq!(changed_at(ParamKey::Terms(id.clone())), Some(System::block_number()));
				assert_ok!(set_terms(root(), id.clone(), base_of(&id)));
				advance(MIN_CHANGE_INTERVAL);
			}
			// A loss cap lowered to the losses so far freezes: defensive.
			assert_ok!(set_terms(guardian(), market(ETH), market_with(|t| t.loss_cap = 750)));
			assert_ok!(SharedLiquidity::set_protocol_status(
				guardian(),
				market(ETH),
				ProtocolStatus::Frozen
			));
		});
	}

	#[test]
	fn bounded_authorities_are_held_to_the_step() {
		ExtBuilder::default().build_and_execute(|| {
			external_rated();
			let e = rated();
			let too_far_tighter = [
				ProtocolTerms { credit_cap: 2_249, ..e },
				ProtocolTerms { loss_cap: 749, ..e },
				ProtocolTerms { base_rate: Permill::from_parts(125_001), ..e },
				ProtocolTerms { rate_slope: Permill::from_parts(500_001), ..e },
				ProtocolTerms { term: 14, ..e },
			];
			for terms in too_far_tighter {
				assert_noop!(set_terms(guardian(), external(EXTERNAL), terms), E::StepTooLarge);
				assert_noop!(set_terms(risk(), external(EXTERNAL), terms), E::StepTooLarge);
			}
			assert_noop!(
				set_terms(risk(), external(EXTERNAL), ProtocolTerms { credit_cap: 3_751, ..e }),
				E::StepTooLarge
			);
			// At the edge of the step.
			let edge = ProtocolTerms { credit_cap: 2_250, loss_cap: 750, term: 15, ..e };
			assert_ok!(set_terms(guardian(), external(EXTERNAL), edge));
			assert_eq!(terms_of(external(EXTERNAL)), edge);
		});
	}

	#[test]
	fn a_term_at_zero_moves_only_by_root() {
		ExtBuilder::default().build_and_execute(|| {
			let with_rate = external_with(|t| t.base_rate = Permill::from_parts(1));
			for origin in [guardian(), risk()] {
				assert_noop!(set_terms(origin, external(EXTERNAL), with_rate), E::StepTooLarge);
			}
			assert_ok!(set_terms(root(), external(EXTERNAL), with_rate));
		});
	}

	#[test]
	fn bounded_authorities_wait_the_interval() {
		ExtBuilder::default().build_and_execute(|| {
			advance(4);
			let first = external_with(|t| t.credit_cap = 2_900);
			let second = external_with(|t| t.credit_cap = 2_800);
			assert_ok!(set_terms(risk(), external(EXTERNAL), first));
			assert_eq!(changed_at(ParamKey::Terms(external(EXTERNAL))), Some(5));
			for origin in [risk(), guardian()] {
				assert_noop!(set_terms(origin, external(EXTERNAL), second), E::ChangeTooSoon);
			}
			advance(MIN_CHANGE_INTERVAL - 1);
			assert_noop!(set_terms(guardian(), external(EXTERNAL), second), E::ChangeTooSoon);
			advance(1);
			assert_ok!(set_terms(guardian(), external(EXTERNAL), second));
			assert_eq!(changed_at(ParamKey::Terms(external(EXTERNAL))), Some(15));
			// The interval is per protocol.
			assert_ok!(set_terms(risk(), market(BTC), market_with(|t| t.credit_cap = 2_900)));
			// Resubmitting the same terms records nothing.
			advance(MIN_CHANGE_INTERVAL);
			assert_ok!(set_terms(risk(), external(EXTERNAL), second));
			assert_eq!(changed_at(ParamKey::Terms(external(EXTERNAL))), Some(15));
		});
	}

	#[test]
	fn root_ignores_steps_and_intervals_but_not_hard_limits() {
		ExtBuilder::default().build_and_execute(|| {
			let far = external_with(|t| {
				t.credit_cap = 100_000;
				t.base_rate = Permill::from_percent(20);
			});
			assert_ok!(set_terms(root(), external(EXTERNAL), far));
			assert_ok!(set_terms(root(), external(EXTERNAL), external_terms()));
			assert_eq!(terms_of(external(EXTERNAL)), external_terms());
			assert_noop!(
				set_terms(root(), external(EXTERNAL), external_with(|t| t.credit_cap = 1_000_001)),
				E::CreditCapTooHigh
			);
			assert_noop!(
				SharedLiquidity::set_withdraw_delay(root(), 101),
				E::WithdrawDelayOutOfBounds
			);
			assert_noop!(SharedLiquidity::set_min_deposit(root(), 10_001), E::MinDepositTooHigh);
			// The hard limits come first for the bounded authorities too.
			assert_noop!(
				SharedLiquidity::set_withdraw_window(guardian(), 0),
				E::WithdrawWindowOutOfBounds
			);
		});
	}

	#[test]
	fn others_are_refused_every_privileged_call() {
		ExtBuilder::default().build_and_execute(|| {
			donate(1);
			let o = || signed(NOBODY);
			assert_noop!(
				SharedLiquidity::register_protocol(o(), external(EXTERNAL_2), external_terms()),
				BadOrigin
			);
			assert_noop!(set_terms(o(), external(EXTERNAL), external_terms()), BadOrigin);
			assert_noop!(
				SharedLiquidity::set_protocol_status(o(), market(BTC), ProtocolStatus::Frozen),
				BadOrigin
			);
			assert_noop!(SharedLiquidity::deregister_protocol(o(), market(BTC)), BadOrigin);
			assert_noop!(SharedLiquidity::write_off(o(), external(EXTERNAL), 1), BadOrigin);
			assert_noop!(SharedLiquidity::set_min_deposit(o(), 100), BadOrigin);
			assert_noop!(SharedLiquidity::set_withdraw_delay(o(), DELAY), BadOrigin);
			assert_noop!(SharedLiquidity::set_withdraw_window(o(), WINDOW), BadOrigin);
			assert_noop!(SharedLiquidity::sweep_excess(o()), BadOrigin);
			// An LP or a protocol is no authority either.
			assert_noop!(SharedLiquidity::sweep_excess(signed(EXTERNAL)), BadOrigin);
		});
	}

	#[test]
	fn registering_a_protocol_is_for_governance_only() {
		ExtBuilder::default().build_and_execute(|| {
			advance(4);
			let id = external(EXTERNAL_2);
			assert_noop!(
				SharedLiquidity::register_protocol(guardian(), id.clone(), external_terms()),
				E::GuardianCannotLoosen
			);
			assert_ok!(SharedLiquidity::register_protocol(risk(), id.clone(), external_terms()));
			assert_eq!(changed_at(ParamKey::Terms(id.clone())), Some(5));
			// Registering counts as a change of the new protocol's terms.
			assert_noop!(
				set_terms(guardian(), id.clone(), external_with(|t| t.credit_cap = 2_900)),
				E::ChangeTooSoon
			);
			// Root is bound by the hard limits only.
			assert_noop!(
				SharedLiquidity::register_protocol(
					root(),
					market(SOL),
					market_with(|t| t.loss_cap = 1_000_001)
				),
				E::LossCapTooHigh
			);
			assert_ok!(SharedLiquidity::register_protocol(root(), market(SOL), market_terms()));
		});
	}

	#[test]
	fn the_guardian_freezes_at_once_but_cannot_unfreeze_or_retire() {
		ExtBuilder::default().build_and_execute(|| {
			let set = |origin, id, status| SharedLiquidity::set_protocol_status(origin, id, status);
			assert_noop!(
				set(guardian(), market(BTC), ProtocolStatus::Retired),
				E::GuardianCannotLoosen
			);
			assert_ok!(set(guardian(), market(BTC), ProtocolStatus::Frozen));
			assert_eq!(changed_at(ParamKey::Status(market(BTC))), Some(1));
			assert_noop!(
				set(guardian(), market(BTC), ProtocolStatus::Active),
				E::GuardianCannotLoosen
			);
			// The risk track unfreezes after the interval.
			assert_noop!(set(risk(), market(BTC), ProtocolStatus::Active), E::ChangeTooSoon);
			advance(MIN_CHANGE_INTERVAL);
			assert_ok!(set(risk(), market(BTC), ProtocolStatus::Active));
			// A freeze right after a status change: no interval.
			assert_ok!(set(guardian(), market(BTC), ProtocolStatus::Frozen));
			assert_eq!(status(market(BTC)), ProtocolStatus::Frozen);
			// Root unfreezes and retires at once.
			assert_ok!(set(root(), market(BTC), ProtocolStatus::Active));
			assert_ok!(set(root(), market(BTC), ProtocolStatus::Retired));
			// Leaving retirement, even into a freeze, is a loosening.
			assert_noop!(
				set(guardian(), market(BTC), ProtocolStatus::Frozen),
				E::GuardianCannotLoosen
			);
			assert_noop!(set(risk(), market(BTC), ProtocolStatus::Frozen), E::ChangeTooSoon);
		});
	}

	#[test]
	fn deregistering_is_for_governance_only_and_clears_the_records() {
		ExtBuilder::default().build_and_execute(|| {
			assert_ok!(set_terms(root(), market(ETH), market_with(|t| t.credit_cap = 2_000)));
			assert_ok!(SharedLiquidity::set_protocol_status(
				risk(),
				market(ETH),
				ProtocolStatus::Retired
			));
			assert_noop!(
				SharedLiquidity::deregister_protocol(guardian(), market(ETH)),
				E::GuardianCannotLoosen
			);
			assert_noop!(
				SharedLiquidity::deregister_protocol(risk(), market(ETH)),
				E::ChangeTooSoon
			);
			advance(MIN_CHANGE_INTERVAL);
			assert_ok!(SharedLiquidity::deregister_protocol(risk(), market(ETH)));
			assert_eq!(changed_at(ParamKey::Status(market(ETH))), None);
			assert_eq!(changed_at(ParamKey::Terms(market(ETH))), None);
			// Root at once.
			assert_ok!(SharedLiquidity::set_protocol_status(
				root(),
				market(BTC),
				ProtocolStatus::Retired
			));
			assert_ok!(SharedLiquidity::deregister_protocol(root(), market(BTC)));
		});
	}

	#[test]
	fn writing_off_is_for_governance_only_without_interval() {
		ExtBuilder::default().build_and_execute(|| {
			assert_ok!(SharedLiquidity::draw_credit(signed(EXTERNAL), 500));
			assert_noop!(
				SharedLiquidity::write_off(guardian(), external(EXTERNAL), 100),
				E::GuardianCannotLoosen
			);
			assert_ok!(SharedLiquidity::write_off(risk(), external(EXTERNAL), 100));
			assert_ok!(SharedLiquidity::write_off(risk(), external(EXTERNAL), 100));
			assert_eq!(protocol(external(EXTERNAL)).losses, 200);
			assert_ok!(SharedLiquidity::write_off(root(), external(EXTERNAL), 100));
			assert_noop!(
				SharedLiquidity::write_off(root(), external(EXTERNAL), 1_000),
				E::ExceedsDebt
			);
		});
	}

	#[test]
	fn the_minimum_deposit_is_for_governance_only_and_step_bounded() {
		ExtBuilder::default().build_and_execute(|| {
			for amount in [99, 101] {
				assert_noop!(
					SharedLiquidity::set_min_deposit(guardian(), amount),
					E::GuardianCannotLoosen
				);
			}
			// Setting the same value is no change.
			assert_ok!(SharedLiquidity::set_min_deposit(guardian(), 100));
			assert_eq!(changed_at(ParamKey::MinDeposit), None);
			assert_noop!(SharedLiquidity::set_min_deposit(risk(), 126), E::StepTooLarge);
			assert_noop!(SharedLiquidity::set_min_deposit(risk(), 74), E::StepTooLarge);
			assert_ok!(SharedLiquidity::set_min_deposit(risk(), 125));
			assert_noop!(SharedLiquidity::set_min_deposit(risk(), 120), E::ChangeTooSoon);
			advance(MIN_CHANGE_INTERVAL);
			assert_ok!(SharedLiquidity::set_min_deposit(risk(), 120));
			assert_eq!(MinDeposit::<Test>::get(), 120);
			assert_ok!(SharedLiquidity::set_min_deposit(root(), 10_000));
			assert_ok!(SharedLiquidity::set_min_deposit(root(), 0));
			// From zero only Root moves it, whenever.
			advance(MIN_CHANGE_INTERVAL);
			assert_noop!(SharedLiquidity::set_min_deposit(risk(), 1), E::StepTooLarge);
		});
	}

	#[test]
	fn a_longer_withdrawal_delay_tightens() {
		ExtBuilder::default().build_and_execute(|| {
			assert_noop!(
				SharedLiquidity::set_withdraw_delay(guardian(), DELAY - 1),
				E::GuardianCannotLoosen
			);
			assert_noop!(
				SharedLiquidity::set_withdraw_delay(guardian(), DELAY + 3),
				E::StepTooLarge
			);
			assert_ok!(SharedLiquidity::set_withdraw_delay(guardian(), DELAY + 2));
			assert_eq!(WithdrawDelay::<Test>::get(), DELAY + 2);
			assert_eq!(changed_at(ParamKey::WithdrawDelay), Some(1));
			assert_noop!(SharedLiquidity::set_withdraw_delay(risk(), DELAY), E::ChangeTooSoon);
			advance(MIN_CHANGE_INTERVAL);
			// 25% of 12 is 3.
			assert_noop!(SharedLiquidity::set_withdraw_delay(risk(), DELAY - 2), E::StepTooLarge);
			assert_ok!(SharedLiquidity::set_withdraw_delay(risk(), DELAY));
			assert_ok!(SharedLiquidity::set_withdraw_delay(root(), 100));
			assert_ok!(SharedLiquidity::set_withdraw_delay(root(), 1));
			assert_eq!(WithdrawDelay::<Test>::get(), 1);
		});
	}

	#[test]
	fn a_shorter_withdrawal_window_tightens() {
		ExtBuilder::default().build_and_execute(|| {
			assert_noop!(
				SharedLiquidity::set_withdraw_window(guardian(), WINDOW + 1),
				E::GuardianCannotLoosen
			);
			assert_noop!(
				SharedLiquidity::set_withdraw_window(guardian(), WINDOW - 2),
				E::StepTooLarge
			);
			assert_ok!(SharedLiquidity::set_withdraw_window(guardian(), WINDOW - 1));
			assert_eq!(WithdrawWindow::<Test>::get(), WINDOW - 1);
			assert_eq!(changed_at(ParamKey::WithdrawWindow), Some(1));
			assert_noop!(SharedLiquidity::set_withdraw_window(risk(), WINDOW), E::ChangeTooSoon);
			advance(MIN_CHANGE_INTERVAL);
			assert_ok!(SharedLiquidity::set_withdraw_window(risk(), WINDOW));
			assert_ok!(SharedLiquidity::set_withdraw_window(root(), 50));
			assert_eq!(WithdrawWindow::<Test>::get(), 50);
		});
	}

	#[test]
	fn any_authority_sweeps_at_any_time() {
		ExtBuilder::default().build_and_execute(|| {
			let sink = balance(SINK);
			for origin in [guardian(), risk(), guardian(), root()] {
				donate(3);
				assert_ok!(SharedLiquidity::sweep_excess(origin));
			}
			assert_eq!(balance(SINK), sink + 12);
			assert_noop!(SharedLiquidity::sweep_excess(guardian()), E::NoExcess);
		});
	}

	#[test]
	fn try_state_catches_stray_change_records() {
		ExtBuilder::default().build().execute_with(|| {
			ParamChangedAt::<Test>::insert(ParamKey::Terms(market(SOL)), 1);
			assert!(SharedLiquidity::do_try_state().is_err());
			ParamChangedAt::<Test>::remove(ParamKey::Terms(market(SOL)));
			ParamChangedAt::<Test>::insert(ParamKey::<AccountId>::WithdrawDelay, 2);
			assert!(SharedLiquidity::do_try_state().is_err());
			ParamChangedAt::<Test>::insert(ParamKey::<AccountId>::WithdrawDelay, 1);
			assert_ok!(SharedLiquidity::do_try_state());
		});
	}
}
