//! Unit and property tests. Every test built with `build_and_execute` ends
//! with `do_try_state`: among the invariants, the pool's cash equals the
//! pallet account's balance minus the buffer.

use crate::{mock::*, *};
use backstop_primitives::{Balance, LiquidityProvider, LossAbsorber, LossTier, MarketId};
use frame_support::{
	assert_noop, assert_ok, assert_storage_noop,
	traits::fungible::{Inspect, Mutate},
};
use sp_runtime::{
	traits::{BadOrigin, One, Zero},
	DispatchError, FixedPointNumber, FixedU128, Perbill, Permill, TokenError,
};

type E = Error<Test>;

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

fn events() -> Vec<Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|r| match r.event {
			RuntimeEvent::SharedLiquidity(e) => Some(e),
			_ => None,
		})
		.collect()
}

fn last_event() -> Event<Test> {
	events().pop().expect("an event")
}

fn root() -> RuntimeOrigin {
	RuntimeOrigin::root()
}

fn signed(who: AccountId) -> RuntimeOrigin {
	RuntimeOrigin::signed(who)
}

fn draw(market: MarketId, amount: Balance) -> Result<(), DispatchError> {
	<SharedLiquidity as LiquidityProvider<AccountId>>::draw(market, amount)
}

fn release(market: MarketId, amount: Balance) {
	<SharedLiquidity as LiquidityProvider<AccountId>>::release(market, amount)
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

fn absorb(market: MarketId, amount: Balance) -> Balance {
	<SharedLiquidity as LossAbsorber<AccountId>>::absorb(market, amount, &BENEFICIARY)
}

fn capacity(market: MarketId) -> Balance {
	<SharedLiquidity as LossAbsorber<AccountId>>::capacity(market)
}

fn absorbed(market: MarketId, loss: Balance, covered: Balance) -> Event<Test> {
	Event::LossAbsorbed {
		tier: LossTier::SharedLiquidity,
		market,
		loss,
		covered,
		uncovered: loss - covered,
		beneficiary: BENEFICIARY,
	}
}

fn with_loss_cap(loss_cap: Balance) -> ProtocolTerms {
	ProtocolTerms { loss_cap, ..terms() }
}

fn with_rates(base: u32, slope: u32) -> ProtocolTerms {
	ProtocolTerms {
		base_rate: Permill::from_percent(base),
		rate_slope: Permill::from_percent(slope),
		..terms()
	}
}

// ---------------------------------------------------------------- genesis

#[test]
fn genesis_seeds_the_pool_and_registers_protocols() {
	ExtBuilder::default().build_and_execute(|| {
		assert_eq!(pool().assets, SEED);
		assert_eq!(pool().shares, SEED);
		assert_eq!(SharedLiquidity::lp_shares(ALICE), SEED);
		assert_eq!(pallet_balance(), SEED + ED);
		assert_eq!(MinDeposit::<Test>::get(), 100);
		assert_eq!(WithdrawDelay::<Test>::get(), 0);
		assert_eq!(
			SharedLiquidity::protocols(),
			vec![market(BTC), market(ETH), external(EXTERNAL)]
		);
		for id in SharedLiquidity::protocols() {
			assert_eq!(protocol(id.clone()).status, ProtocolStatus::Active);
			assert_eq!(protocol(id).terms, terms());
		}
		assert_eq!(Protocols::<Test>::count(), 3);
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
#[should_panic(expected = "registered twice")]
fn genesis_rejects_duplicate_protocols() {
	ExtBuilder::default().markets(vec![(BTC, terms()), (BTC, terms())]).build();
}

#[test]
#[should_panic(expected = "out of bounds")]
fn genesis_rejects_terms_out_of_bounds() {
	ExtBuilder::default()
		.markets(vec![(BTC, ProtocolTerms { credit_cap: 2_000_000, ..terms() })])
		.build();
}

#[test]
#[should_panic(expected = "min deposit above MaxMinDeposit")]
fn genesis_rejects_min_deposit_out_of_bounds() {
	ExtBuilder::default().min_deposit(20_000).build();
}

#[test]
#[should_panic(expected = "zero liquidity")]
fn genesis_rejects_zero_liquidity() {
	ExtBuilder::default().liquidity(vec![(BOB, 0)]).build();
}

#[test]
fn pallet_added_without_genesis_restores_its_buffer_on_the_first_deposit() {
	ExtBuilder::default().without_pallet_genesis().build_and_execute(|| {
		assert_eq!(pallet_balance(), 0);
		// The minimum deposit is zero, but a deposit must restore the buffer.
		assert_noop!(SharedLiquidity::deposit(signed(BOB), ED - 1), E::BufferMissing);
		assert_ok!(SharedLiquidity::deposit(signed(BOB), 110));
		let events = events();
		assert_eq!(events[0], Event::BufferRestored { amount: ED });
		assert_eq!(events[1], Event::Deposited { who: BOB, amount: 100, shares: 100 });
		assert_eq!(pallet_balance(), 100 + ED);
		assert_eq!(pool().assets, 100);
		assert_eq!(SharedLiquidity::lp_shares(BOB), 100);
	});
}

// ---------------------------------------------------------------- deposits

#[test]
fn first_deposit_into_an_empty_pool_mints_at_price_one() {
	ExtBuilder::default().liquidity(vec![]).build_and_execute(|| {
		assert_eq!(SharedLiquidity::share_price(), FixedU128::one());
		assert_ok!(SharedLiquidity::deposit(signed(BOB), 1_234));
		assert_eq!(last_event(), Event::Deposited { who: BOB, amount: 1_234, shares: 1_234 });
		assert_eq!(SharedLiquidity::lp_shares(BOB), 1_234);
		assert_eq!(balance(BOB), ENDOWMENT - 1_234);
		assert_eq!(pallet_balance(), 1_234 + ED);
	});
}

#[test]
fn deposits_and_withdrawals_follow_the_share_price_after_a_profit() {
	ExtBuilder::default().build_and_execute(|| {
		// The markets' traders lose 5 000 to the pool: price 1.5.
		assert_ok!(collect(BTC, TRADER, 5_000));
		assert_eq!(SharedLiquidity::share_price(), FixedU128::from_rational(3, 2));
		assert_ok!(SharedLiquidity::deposit(signed(BOB), 3_000));
		assert_eq!(last_event(), Event::Deposited { who: BOB, amount: 3_000, shares: 2_000 });
		assert_eq!((pool().assets, pool().shares), (18_000, 12_000));
		assert_eq!(SharedLiquidity::lp_value(BOB), 3_000);
		assert_eq!(SharedLiquidity::lp_value(ALICE), 15_000);

		assert_ok!(SharedLiquidity::withdraw(signed(ALICE), 1_000));
		assert_eq!(last_event(), Event::Withdrawn { who: ALICE, shares: 1_000, amount: 1_500 });
		assert_eq!(balance(ALICE), ENDOWMENT + 1_500);
		assert_eq!(SharedLiquidity::share_price(), FixedU128::from_rational(3, 2));
	});
}

#[test]
fn deposits_and_withdrawals_follow_the_share_price_after_a_loss() {
	ExtBuilder::default().build_and_execute(|| {
		assert_eq!(absorb(BTC, 500), 0);
		assert_eq!(SharedLiquidity::share_price(), FixedU128::from_rational(95, 100));
		assert_ok!(SharedLiquidity::deposit(signed(BOB), 950));
		assert_eq!(last_event(), Event::Deposited { who: BOB, amount: 950, shares: 1_000 });
		assert_ok!(SharedLiquidity::withdraw(signed(ALICE), 2_000));
		assert_eq!(last_event(), Event::Withdrawn { who: ALICE, shares: 2_000, amount: 1_900 });
		// A trader's profit lowers the price further.
		assert_ok!(draw(BTC, 1_000));
		assert_ok!(pay(BTC, TRADER, 855));
		// 8 550 - 855 = 7 695 over 9 000 shares.
		assert_eq!(SharedLiquidity::share_price(), FixedU128::from_rational(7_695, 9_000));
		assert_eq!(SharedLiquidity::lp_value(BOB), 855);
	});
}

#[test]
fn rounding_keeps_dust_in_the_pool() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(collect(BTC, TRADER, 5_000));
		// 1 001 at 1.5 mints 667.33 shares: 667.
		assert_ok!(SharedLiquidity::deposit(signed(BOB), 1_001));
		assert_eq!(SharedLiquidity::lp_shares(BOB), 667);
		// 667 × 16 001 / 10 667 = 1 000.53: 1 000.
		assert_eq!(SharedLiquidity::lp_value(BOB), 1_000);
		assert_ok!(SharedLiquidity::withdraw(signed(BOB), 667));
		assert_eq!(balance(BOB), ENDOWMENT - 1);
		assert!(SharedLiquidity::share_price() > FixedU128::from_rational(3, 2));
	});
}

#[test]
fn deposit_errors_leave_state_unchanged() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(SharedLiquidity::deposit(signed(BOB), 0), E::ZeroAmount);
		assert_noop!(SharedLiquidity::deposit(signed(BOB), 99), E::BelowMinDeposit);
		assert_noop!(SharedLiquidity::deposit(signed(NOBODY), 100), TokenError::FundsUnavailable);
		// Keeping the depositor alive.
		assert_noop!(SharedLiquidity::deposit(signed(BOB), ENDOWMENT), TokenError::NotExpendable);
		assert_noop!(SharedLiquidity::deposit(RuntimeOrigin::none(), 100), BadOrigin);
	});
}

#[test]
fn deposit_that_mints_no_share_is_refused() {
	ExtBuilder::default().liquidity(vec![(ALICE, 100)]).build_and_execute(|| {
		assert_ok!(collect(BTC, TRADER, 10_000));
		// Price 101: a deposit of 100 would mint 0.99 shares.
		assert_noop!(SharedLiquidity::deposit(signed(BOB), 100), E::DepositTooSmall);
		assert_ok!(SharedLiquidity::deposit(signed(BOB), 101));
		assert_eq!(SharedLiquidity::lp_shares(BOB), 1);
	});
}

#[test]
fn deposit_that_would_overflow_the_shares_is_refused() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(SharedLiquidity::set_protocol_terms(root(), market(BTC), with_loss_cap(10_000)));
		// The pool loses all but one unit: 10 000 shares for 1 unit.
		assert_eq!(absorb(BTC, 9_999), 0);
		let huge = Balance::MAX / 1_000;
		assert_ok!(<Balances as Mutate<AccountId>>::mint_into(&BOB, huge));
		assert_noop!(SharedLiquidity::deposit(signed(BOB), huge / 2), E::Overflow);
	});
}

#[test]
fn pool_wiped_out_starts_a_new_generation() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(SharedLiquidity::set_protocol_terms(root(), market(BTC), with_loss_cap(10_000)));
		assert_eq!(absorb(BTC, 10_000), 0);
		assert_eq!((pool().assets, pool().shares), (0, SEED));
		assert_eq!(SharedLiquidity::share_price(), FixedU128::zero());
		assert_eq!(SharedLiquidity::lp_value(ALICE), 0);
		assert_noop!(SharedLiquidity::withdraw(signed(ALICE), SEED), E::WithdrawalTooSmall);

		assert_ok!(SharedLiquidity::deposit(signed(BOB), 1_000));
		let events = events();
		assert_eq!(events[events.len() - 2], Event::PoolReset { generation: 1, void_shares: SEED });
		assert_eq!(last_event(), Event::Deposited { who: BOB, amount: 1_000, shares: 1_000 });
		assert_eq!((pool().assets, pool().shares, pool().generation), (1_000, 1_000, 1));
		assert_eq!(SharedLiquidity::lp_shares(ALICE), 0);
		assert_noop!(SharedLiquidity::withdraw(signed(ALICE), 1), E::InsufficientShares);
		// ALICE starts afresh in the new generation.
		assert_ok!(SharedLiquidity::deposit(signed(ALICE), 500));
		assert_eq!(SharedLiquidity::lp_shares(ALICE), 500);
	});
}

// ---------------------------------------------------------------- withdrawals

#[test]
fn withdraw_errors_leave_state_unchanged() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(SharedLiquidity::withdraw(signed(ALICE), 0), E::ZeroAmount);
		assert_noop!(SharedLiquidity::withdraw(signed(ALICE), SEED + 1), E::InsufficientShares);
		assert_noop!(SharedLiquidity::withdraw(signed(BOB), 1), E::InsufficientShares);
		// At a price below one, a single share is worth nothing.
		assert_eq!(absorb(BTC, 1), 0);
		assert_noop!(SharedLiquidity::withdraw(signed(ALICE), 1), E::WithdrawalTooSmall);
		assert_noop!(SharedLiquidity::withdraw(RuntimeOrigin::none(), 1), BadOrigin);
	});
}

#[test]
fn withdrawals_cannot_take_what_protocols_have_locked() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(draw(BTC, 3_000));
		assert_ok!(draw(ETH, 3_000));
		assert_ok!(SharedLiquidity::draw_credit(signed(EXTERNAL), 3_000));
		assert_eq!(SharedLiquidity::free_liquidity(), 1_000);
		assert_noop!(SharedLiquidity::withdraw(signed(ALICE), 1_001), E::InsufficientFreeLiquidity);
		assert_ok!(SharedLiquidity::withdraw(signed(ALICE), 1_000));
		assert_eq!(SharedLiquidity::free_liquidity(), 0);
		assert_noop!(SharedLiquidity::withdraw(signed(ALICE), 1), E::InsufficientFreeLiquidity);
		// Released capacity can be withdrawn.
		release(BTC, 2_000);
		assert_ok!(SharedLiquidity::withdraw(signed(ALICE), 2_000));
		assert_eq!((pool().assets, pool().drawn, pool().lent), (7_000, 7_000, 3_000));
		// Repaid credit too.
		assert_ok!(SharedLiquidity::repay_credit(signed(EXTERNAL), 3_000));
		assert_ok!(SharedLiquidity::withdraw(signed(ALICE), 3_000));
		assert_eq!(pallet_balance(), 4_000 + ED);
	});
}

#[test]
fn withdrawal_delay_locks_shares_until_it_has_passed() {
	ExtBuilder::default().withdraw_delay(10).build_and_execute(|| {
		assert_noop!(SharedLiquidity::withdraw(signed(ALICE), 1), E::WithdrawalLocked);
		assert_ok!(SharedLiquidity::request_withdraw(signed(ALICE), 4_000));
		assert_eq!(
			last_event(),
			Event::WithdrawRequested { who: ALICE, shares: 4_000, unlocks_at: 11 }
		);
		assert_eq!(SharedLiquidity::lp_requested_shares(ALICE), 4_000);
		advance(9);
		assert_noop!(SharedLiquidity::withdraw(signed(ALICE), 4_000), E::WithdrawalLocked);
		// Requested shares stay exposed to losses until withdrawn.
		assert_eq!(absorb(BTC, 1_000), 0);
		advance(1);
		assert_noop!(SharedLiquidity::withdraw(signed(ALICE), 4_001), E::WithdrawalLocked);
		assert_ok!(SharedLiquidity::withdraw(signed(ALICE), 4_000));
		assert_eq!(last_event(), Event::Withdrawn { who: ALICE, shares: 4_000, amount: 3_600 });
		assert_eq!(SharedLiquidity::lp_requested_shares(ALICE), 0);
		assert_eq!(SharedLiquidity::lp_shares(ALICE), 6_000);
	});
}

#[test]
fn request_withdraw_errors_leave_state_unchanged() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(SharedLiquidity::request_withdraw(signed(ALICE), 1), E::NoWithdrawDelay);
	});
	ExtBuilder::default().withdraw_delay(10).build_and_execute(|| {
		assert_noop!(SharedLiquidity::request_withdraw(signed(ALICE), 0), E::ZeroAmount);
		assert_noop!(
			SharedLiquidity::request_withdraw(signed(ALICE), SEED + 1),
			E::InsufficientShares
		);
		assert_ok!(SharedLiquidity::request_withdraw(signed(ALICE), 4_000));
		// Requests in the same block add up.
		assert_ok!(SharedLiquidity::request_withdraw(signed(ALICE), 1_000));
		assert_eq!(Positions::<Test>::get(ALICE).unwrap().requests.len(), 1);
		assert_noop!(
			SharedLiquidity::request_withdraw(signed(ALICE), 5_001),
			E::InsufficientShares
		);
		advance(1);
		assert_ok!(SharedLiquidity::request_withdraw(signed(ALICE), 1_000));
		advance(1);
		assert_ok!(SharedLiquidity::request_withdraw(signed(ALICE), 1_000));
		advance(1);
		assert_noop!(
			SharedLiquidity::request_withdraw(signed(ALICE), 1_000),
			E::TooManyWithdrawRequests
		);
		assert_noop!(SharedLiquidity::request_withdraw(signed(BOB), 1), E::InsufficientShares);
	});
}

#[test]
fn withdrawals_take_the_oldest_matured_requests_first() {
	ExtBuilder::default().withdraw_delay(10).build_and_execute(|| {
		assert_ok!(SharedLiquidity::request_withdraw(signed(ALICE), 1_000));
		advance(1);
		assert_ok!(SharedLiquidity::request_withdraw(signed(ALICE), 2_000));
		advance(9);
		// Block 11: only the first request has matured.
		assert_noop!(SharedLiquidity::withdraw(signed(ALICE), 1_500), E::WithdrawalLocked);
		assert_ok!(SharedLiquidity::withdraw(signed(ALICE), 500));
		assert_eq!(SharedLiquidity::lp_requested_shares(ALICE), 2_500);
		advance(1);
		assert_ok!(SharedLiquidity::withdraw(signed(ALICE), 2_500));
		assert!(Positions::<Test>::get(ALICE).unwrap().requests.is_empty());
		assert_eq!(SharedLiquidity::lp_shares(ALICE), 7_000);
	});
}

#[test]
fn the_delay_in_force_applies_to_pending_requests() {
	ExtBuilder::default().withdraw_delay(10).build_and_execute(|| {
		assert_ok!(SharedLiquidity::request_withdraw(signed(ALICE), 1_000));
		assert_ok!(SharedLiquidity::set_withdraw_delay(root(), 20));
		assert_eq!(last_event(), Event::WithdrawDelaySet { blocks: 20 });
		advance(10);
		assert_noop!(SharedLiquidity::withdraw(signed(ALICE), 1_000), E::WithdrawalLocked);
		advance(10);
		assert_ok!(SharedLiquidity::withdraw(signed(ALICE), 1_000));

		// Without a delay, any shares can be withdrawn; requests are consumed
		// first.
		advance(1);
		assert_ok!(SharedLiquidity::request_withdraw(signed(ALICE), 1_000));
		assert_ok!(SharedLiquidity::set_withdraw_delay(root(), 0));
		assert_ok!(SharedLiquidity::withdraw(signed(ALICE), 3_000));
		assert_eq!(SharedLiquidity::lp_requested_shares(ALICE), 0);
		assert_eq!(SharedLiquidity::lp_shares(ALICE), 6_000);
	});
}

#[test]
fn cancel_withdrawals_clears_every_request() {
	ExtBuilder::default().withdraw_delay(10).build_and_execute(|| {
		assert_noop!(SharedLiquidity::cancel_withdrawals(signed(ALICE)), E::NoWithdrawRequests);
		assert_ok!(SharedLiquidity::request_withdraw(signed(ALICE), 1_000));
		advance(1);
		assert_ok!(SharedLiquidity::request_withdraw(signed(ALICE), 2_000));
		assert_ok!(SharedLiquidity::cancel_withdrawals(signed(ALICE)));
		assert_eq!(last_event(), Event::WithdrawalsCancelled { who: ALICE, shares: 3_000 });
		assert_eq!(SharedLiquidity::lp_requested_shares(ALICE), 0);
		assert_eq!(SharedLiquidity::lp_shares(ALICE), SEED);
		assert_noop!(SharedLiquidity::cancel_withdrawals(signed(BOB)), E::NoWithdrawRequests);
	});
}

// ---------------------------------------------------------------- governance

#[test]
fn register_protocol_works_within_bounds() {
	ExtBuilder::default().build_and_execute(|| {
		let new = ProtocolTerms {
			credit_cap: 1_000_000,
			loss_cap: 1_000_000,
			base_rate: Permill::from_percent(20),
			rate_slope: Permill::from_percent(80),
		};
		assert_noop!(
			SharedLiquidity::register_protocol(signed(ALICE), market(SOL), new),
			BadOrigin
		);
		assert_noop!(
			SharedLiquidity::register_protocol(root(), market(BTC), new),
			E::ProtocolExists
		);
		let out = |t: ProtocolTerms| SharedLiquidity::register_protocol(root(), market(SOL), t);
		assert_noop!(out(ProtocolTerms { credit_cap: 1_000_001, ..new }), E::CreditCapTooHigh);
		assert_noop!(out(ProtocolTerms { loss_cap: 1_000_001, ..new }), E::LossCapTooHigh);
		assert_noop!(
			out(ProtocolTerms { base_rate: Permill::from_percent(21), ..new }),
			E::BaseRateTooHigh
		);
		assert_noop!(
			out(ProtocolTerms { rate_slope: Permill::from_percent(81), ..new }),
			E::RateSlopeTooHigh
		);
		assert_ok!(out(new));
		assert_eq!(last_event(), Event::ProtocolRegistered { protocol: market(SOL), terms: new });
		assert_eq!(protocol(market(SOL)).status, ProtocolStatus::Active);
		assert_noop!(
			SharedLiquidity::register_protocol(root(), market(7), new),
			E::TooManyProtocols
		);
	});
}

#[test]
fn set_protocol_terms_works_within_bounds() {
	ExtBuilder::default().build_and_execute(|| {
		let new = ProtocolTerms { credit_cap: 5_000, ..terms() };
		assert_noop!(
			SharedLiquidity::set_protocol_terms(signed(ALICE), market(BTC), new),
			BadOrigin
		);
		assert_noop!(
			SharedLiquidity::set_protocol_terms(root(), market(SOL), new),
			E::UnknownProtocol
		);
		assert_noop!(
			SharedLiquidity::set_protocol_terms(
				root(),
				market(BTC),
				ProtocolTerms { credit_cap: 1_000_001, ..new }
			),
			E::CreditCapTooHigh
		);
		assert_ok!(SharedLiquidity::set_protocol_terms(root(), market(BTC), new));
		assert_eq!(last_event(), Event::ProtocolTermsSet { protocol: market(BTC), terms: new });
		assert_eq!(available(BTC), 5_000);
	});
}

#[test]
fn lowering_the_loss_cap_to_the_losses_freezes_the_protocol() {
	ExtBuilder::default().build_and_execute(|| {
		assert_eq!(absorb(BTC, 300), 0);
		assert_ok!(SharedLiquidity::set_protocol_terms(root(), market(BTC), with_loss_cap(300)));
		assert_eq!(
			last_event(),
			Event::ProtocolFrozen { protocol: market(BTC), losses: 300, loss_cap: 300 }
		);
		assert_eq!(protocol(market(BTC)).status, ProtocolStatus::Frozen);
		assert_eq!(available(BTC), 0);
		// A zero loss cap without losses does not freeze.
		assert_ok!(SharedLiquidity::set_protocol_terms(root(), market(ETH), with_loss_cap(0)));
		assert_eq!(protocol(market(ETH)).status, ProtocolStatus::Active);
		assert_eq!(capacity(ETH), 0);
	});
}

#[test]
fn protocol_status_transitions() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(
			SharedLiquidity::set_protocol_status(
				signed(ALICE),
				market(BTC),
				ProtocolStatus::Frozen
			),
			BadOrigin
		);
		assert_noop!(
			SharedLiquidity::set_protocol_status(root(), market(SOL), ProtocolStatus::Frozen),
			E::UnknownProtocol
		);
		assert_noop!(
			SharedLiquidity::set_protocol_status(root(), market(BTC), ProtocolStatus::Active),
			E::StatusUnchanged
		);
		assert_ok!(SharedLiquidity::set_protocol_status(
			root(),
			market(BTC),
			ProtocolStatus::Frozen
		));
		assert_eq!(
			last_event(),
			Event::ProtocolStatusChanged {
				protocol: market(BTC),
				from: ProtocolStatus::Active,
				to: ProtocolStatus::Frozen,
			}
		);
		assert_noop!(draw(BTC, 1), E::ProtocolFrozen);
		assert_ok!(SharedLiquidity::set_protocol_status(
			root(),
			market(BTC),
			ProtocolStatus::Active
		));
		assert_ok!(draw(BTC, 1));

		// Retiring needs every obligation settled.
		assert_noop!(
			SharedLiquidity::set_protocol_status(root(), market(BTC), ProtocolStatus::Retired),
			E::HasObligations
		);
		release(BTC, 1);
		assert_ok!(SharedLiquidity::set_protocol_status(
			root(),
			market(BTC),
			ProtocolStatus::Retired
		));
		assert_noop!(draw(BTC, 1), E::ProtocolRetired);
		assert_eq!(available(BTC), 0);
		// A retired protocol may be reactivated.
		assert_ok!(SharedLiquidity::set_protocol_status(
			root(),
			market(BTC),
			ProtocolStatus::Active
		));
		assert_ok!(draw(BTC, 1));
	});
}

#[test]
fn a_protocol_at_its_loss_cap_is_reactivated_only_after_the_cap_is_raised() {
	ExtBuilder::default().build_and_execute(|| {
		assert_eq!(absorb(BTC, 1_500), 500);
		assert_eq!(protocol(market(BTC)).status, ProtocolStatus::Frozen);
		assert_noop!(
			SharedLiquidity::set_protocol_status(root(), market(BTC), ProtocolStatus::Active),
			E::LossCapReached
		);
		assert_ok!(SharedLiquidity::set_protocol_terms(root(), market(BTC), with_loss_cap(2_000)));
		assert_eq!(protocol(market(BTC)).status, ProtocolStatus::Frozen);
		assert_ok!(SharedLiquidity::set_protocol_status(
			root(),
			market(BTC),
			ProtocolStatus::Active
		));
		assert_eq!(capacity(BTC), 1_000);
	});
}

#[test]
fn deregister_protocol_frees_its_slot() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(SharedLiquidity::deregister_protocol(signed(ALICE), market(ETH)), BadOrigin);
		assert_noop!(SharedLiquidity::deregister_protocol(root(), market(SOL)), E::UnknownProtocol);
		assert_noop!(SharedLiquidity::deregister_protocol(root(), market(ETH)), E::NotRetired);
		assert_ok!(SharedLiquidity::set_protocol_status(
			root(),
			market(ETH),
			ProtocolStatus::Retired
		));
		assert_ok!(SharedLiquidity::deregister_protocol(root(), market(ETH)));
		assert_eq!(last_event(), Event::ProtocolDeregistered { protocol: market(ETH) });
		assert!(!Protocols::<Test>::contains_key(market(ETH)));
		assert_eq!(Protocols::<Test>::count(), 2);
		assert_ok!(SharedLiquidity::register_protocol(root(), market(SOL), terms()));
		assert_ok!(SharedLiquidity::register_protocol(root(), market(ETH), terms()));
		assert_ok!(draw(SOL, 1));
	});
}

#[test]
fn min_deposit_and_withdraw_delay_are_bounded() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(SharedLiquidity::set_min_deposit(signed(ALICE), 1), BadOrigin);
		assert_noop!(SharedLiquidity::set_min_deposit(root(), 10_001), E::MinDepositTooHigh);
		assert_ok!(SharedLiquidity::set_min_deposit(root(), 500));
		assert_eq!(last_event(), Event::MinDepositSet { amount: 500 });
		assert_noop!(SharedLiquidity::deposit(signed(BOB), 499), E::BelowMinDeposit);
		assert_ok!(SharedLiquidity::deposit(signed(BOB), 500));

		assert_noop!(SharedLiquidity::set_withdraw_delay(signed(ALICE), 1), BadOrigin);
		assert_noop!(SharedLiquidity::set_withdraw_delay(root(), 101), E::WithdrawDelayTooLong);
		assert_ok!(SharedLiquidity::set_withdraw_delay(root(), 100));
		assert_eq!(last_event(), Event::WithdrawDelaySet { blocks: 100 });
	});
}

// ---------------------------------------------------------------- markets

#[test]
fn markets_draw_within_their_credit_cap_and_the_free_liquidity() {
	ExtBuilder::default().liquidity(vec![(ALICE, 5_000)]).build_and_execute(|| {
		assert_eq!(available(BTC), 3_000);
		assert_ok!(draw(BTC, 2_000));
		assert_eq!(
			last_event(),
			Event::CapacityDrawn { protocol: market(BTC), amount: 2_000, drawn: 2_000 }
		);
		assert_eq!(available(BTC), 1_000);
		assert_noop!(draw(BTC, 1_001), E::CreditCapExceeded);
		assert_ok!(draw(BTC, 1_000));
		// ETH's credit line is 3 000, but only 2 000 are free.
		assert_eq!(available(ETH), 2_000);
		assert_noop!(draw(ETH, 2_001), E::InsufficientFreeLiquidity);
		assert_noop!(draw(SOL, 1), E::UnknownProtocol);
		assert_eq!(available(SOL), 0);
		// Drawing nothing is a no-op.
		assert_storage_noop!(assert_ok!(draw(ETH, 0)));
		assert_eq!(SharedLiquidity::utilization(), Perbill::from_percent(60));
		// Draws lock capacity; no funds move.
		assert_eq!(pallet_balance(), 5_000 + ED);
	});
}

#[test]
fn release_returns_capacity() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(draw(BTC, 2_000));
		release(BTC, 500);
		assert_eq!(
			last_event(),
			Event::CapacityReleased { protocol: market(BTC), amount: 500, drawn: 1_500 }
		);
		// Releasing more than is drawn releases what is drawn.
		release(BTC, 5_000);
		assert_eq!(
			last_event(),
			Event::CapacityReleased { protocol: market(BTC), amount: 1_500, drawn: 0 }
		);
		assert_eq!(pool().drawn, 0);
		assert_storage_noop!(release(SOL, 100));
		assert_storage_noop!(release(BTC, 0));
	});
}

#[test]
fn pay_moves_profit_out_of_drawn_capacity() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(draw(BTC, 2_000));
		assert_ok!(pay(BTC, TRADER, 500));
		assert_eq!(last_event(), Event::ProfitPaid { market: BTC, to: TRADER, amount: 500 });
		assert_eq!(balance(TRADER), ENDOWMENT + 500);
		assert_eq!(pool().assets, 9_500);
		let btc = protocol(market(BTC));
		assert_eq!((btc.drawn, btc.debt), (1_500, 500));
		// Debt uses credit: 1 500 drawn + 500 debt of 3 000.
		assert_eq!(available(BTC), 1_000);
		assert_noop!(draw(BTC, 1_001), E::CreditCapExceeded);

		assert_noop!(pay(BTC, TRADER, 1_501), E::ExceedsDrawn);
		assert_noop!(pay(ETH, TRADER, 1), E::ExceedsDrawn);
		assert_noop!(pay(SOL, TRADER, 1), E::UnknownProtocol);
		assert_noop!(pay(BTC, NOBODY, ED - 1), TokenError::BelowMinimum);
		assert_storage_noop!(assert_ok!(pay(BTC, TRADER, 0)));
	});
}

#[test]
fn collect_settles_fees_then_debt_and_raises_the_price() {
	ExtBuilder::default()
		.markets(vec![(BTC, with_rates(10, 0)), (ETH, terms())])
		.build_and_execute(|| {
			assert_ok!(draw(BTC, 2_000));
			assert_ok!(pay(BTC, TRADER, 500));
			advance(100);
			// 1 500 drawn × 10% × 100 / 1 000 blocks a year.
			assert_ok!(collect(BTC, TRADER, 800));
			let events = events();
			assert_eq!(
				events[events.len() - 2],
				Event::FeesAccrued { protocol: market(BTC), amount: 15, fees_owed: 15 }
			);
			assert_eq!(
				last_event(),
				Event::Collected {
					market: BTC,
					from: TRADER,
					amount: 800,
					fees_settled: 15,
					debt_settled: 500,
				}
			);
			let btc = protocol(market(BTC));
			assert_eq!((btc.fees_owed, btc.debt), (0, 0));
			assert_eq!(pool().assets, 10_300);
			assert_eq!(SharedLiquidity::share_price(), FixedU128::from_rational(103, 100));

			assert_noop!(collect(SOL, TRADER, 1), E::UnknownProtocol);
			assert_noop!(collect(BTC, NOBODY, 100), TokenError::FundsUnavailable);
			assert_storage_noop!(assert_ok!(collect(BTC, TRADER, 0)));
		});
}

// ---------------------------------------------------------------- fees

#[test]
fn fees_accrue_on_drawn_capacity() {
	ExtBuilder::default()
		.markets(vec![(BTC, with_rates(10, 0)), (ETH, terms())])
		.build_and_execute(|| {
			assert_ok!(draw(BTC, 1_000));
			advance(100);
			let info = SharedLiquidity::protocol_info(market(BTC)).unwrap();
			assert_eq!(info.fees_owed, 10);
			assert_eq!(info.available, 3_000 - 1_000 - 10);
			assert_ok!(draw(BTC, 1));
			assert_eq!(
				events()[events().len() - 2],
				Event::FeesAccrued { protocol: market(BTC), amount: 10, fees_owed: 10 }
			);
			assert_eq!(protocol(market(BTC)).fees_owed, 10);
			// Fees are not assets until paid.
			assert_eq!(pool().assets, SEED);
		});
}

#[test]
fn the_fee_rate_follows_utilization_block_by_block() {
	ExtBuilder::default()
		.markets(vec![(BTC, with_rates(10, 50)), (ETH, terms())])
		.build_and_execute(|| {
			assert_eq!(
				SharedLiquidity::protocol_fee_rate(market(BTC)),
				Some(Permill::from_percent(10))
			);
			assert_ok!(draw(BTC, 2_000));
			// Utilization 20%: 10% + 50% × 20%.
			assert_eq!(
				SharedLiquidity::protocol_fee_rate(market(BTC)),
				Some(Permill::from_percent(20))
			);
			advance(100);
			// 2 000 × 20% × 100 / 1 000.
			assert_eq!(SharedLiquidity::protocol_info(market(BTC)).unwrap().fees_owed, 40);
			// Another market's draw lifts utilization to 50%: 35%.
			assert_ok!(draw(ETH, 3_000));
			assert_eq!(
				SharedLiquidity::protocol_fee_rate(market(BTC)),
				Some(Permill::from_percent(35))
			);
			advance(100);
			// 40 + 2 000 × 35% × 100 / 1 000.
			let info = SharedLiquidity::protocol_info(market(BTC)).unwrap();
			assert_eq!(info.fees_owed, 110);
			assert_eq!(info.available, 3_000 - 2_000 - 110);
			assert_noop!(draw(BTC, 891), E::CreditCapExceeded);
			// Paid fees belong to the liquidity providers.
			assert_ok!(collect(BTC, TRADER, 110));
			assert_eq!(pool().assets, SEED + 110);
			assert_eq!(SharedLiquidity::lp_value(ALICE), SEED + 110);
		});
}

#[test]
fn fees_accrued_under_old_terms_are_kept() {
	ExtBuilder::default()
		.markets(vec![(BTC, with_rates(10, 0)), (ETH, terms())])
		.build_and_execute(|| {
			assert_ok!(draw(BTC, 1_000));
			advance(100);
			assert_ok!(SharedLiquidity::set_protocol_terms(root(), market(BTC), with_rates(20, 0)));
			assert_eq!(protocol(market(BTC)).fees_owed, 10);
			advance(100);
			assert_eq!(SharedLiquidity::protocol_info(market(BTC)).unwrap().fees_owed, 30);
		});
}

// ---------------------------------------------------------------- external protocols

#[test]
fn external_protocols_draw_and_repay_credit() {
	ExtBuilder::default().external(vec![(EXTERNAL, with_rates(10, 0))]).build_and_execute(|| {
		assert_noop!(SharedLiquidity::draw_credit(signed(EXTERNAL), 0), E::ZeroAmount);
		assert_noop!(SharedLiquidity::draw_credit(signed(BOB), 1), E::UnknownProtocol);
		assert_noop!(SharedLiquidity::draw_credit(signed(EXTERNAL), 3_001), E::CreditCapExceeded);
		assert_ok!(SharedLiquidity::draw_credit(signed(EXTERNAL), 1_000));
		assert_eq!(
			last_event(),
			Event::CapacityDrawn { protocol: external(EXTERNAL), amount: 1_000, drawn: 1_000 }
		);
		assert_eq!(balance(EXTERNAL), ENDOWMENT + 1_000);
		assert_eq!(pallet_balance(), SEED - 1_000 + ED);
		assert_eq!((pool().assets, pool().drawn, pool().lent), (SEED, 1_000, 1_000));

		advance(100);
		assert_noop!(SharedLiquidity::repay_credit(signed(EXTERNAL), 0), E::ZeroAmount);
		assert_noop!(SharedLiquidity::repay_credit(signed(BOB), 1), E::UnknownProtocol);
		assert_noop!(SharedLiquidity::repay_credit(signed(EXTERNAL), 1_011), E::ExceedsDebt);
		assert_ok!(SharedLiquidity::repay_credit(signed(EXTERNAL), 1_005));
		assert_eq!(
			last_event(),
			Event::CreditRepaid { protocol: external(EXTERNAL), fees: 10, principal: 995 }
		);
		assert_eq!(protocol(external(EXTERNAL)).drawn, 5);
		assert_noop!(SharedLiquidity::repay_credit(signed(EXTERNAL), 6), E::ExceedsDebt);
		assert_ok!(SharedLiquidity::repay_credit(signed(EXTERNAL), 5));
		assert_eq!((pool().assets, pool().drawn, pool().lent), (SEED + 10, 0, 0));
		assert_eq!(balance(EXTERNAL), ENDOWMENT - 10);
	});
}

#[test]
fn frozen_external_protocols_cannot_draw_but_can_repay() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(SharedLiquidity::draw_credit(signed(EXTERNAL), 1_000));
		assert_ok!(SharedLiquidity::set_protocol_status(
			root(),
			external(EXTERNAL),
			ProtocolStatus::Frozen
		));
		assert_noop!(SharedLiquidity::draw_credit(signed(EXTERNAL), 1), E::ProtocolFrozen);
		assert_ok!(SharedLiquidity::repay_credit(signed(EXTERNAL), 1_000));
		assert_eq!(pool().lent, 0);
	});
}

#[test]
fn writing_off_an_external_protocol_books_its_loss_and_may_freeze_it() {
	ExtBuilder::default().external(vec![(EXTERNAL, with_rates(10, 0))]).build_and_execute(|| {
		assert_ok!(SharedLiquidity::draw_credit(signed(EXTERNAL), 1_000));
		advance(100);
		assert_noop!(SharedLiquidity::write_off(signed(ALICE), external(EXTERNAL), 1), BadOrigin);
		assert_noop!(SharedLiquidity::write_off(root(), external(EXTERNAL), 0), E::ZeroAmount);
		assert_noop!(SharedLiquidity::write_off(root(), external(BOB), 1), E::UnknownProtocol);
		assert_noop!(SharedLiquidity::write_off(root(), external(EXTERNAL), 1_011), E::ExceedsDebt);
		// 10 of fees (forgiven) and 400 of principal (lost).
		assert_ok!(SharedLiquidity::write_off(root(), external(EXTERNAL), 410));
		assert_eq!(
			last_event(),
			Event::WrittenOff {
				protocol: external(EXTERNAL),
				fees_forgiven: 10,
				debt_written_off: 400,
			}
		);
		let p = protocol(external(EXTERNAL));
		assert_eq!((p.drawn, p.fees_owed, p.losses), (600, 0, 400));
		assert_eq!((pool().assets, pool().drawn, pool().lent), (SEED - 400, 600, 600));
		// The rest of the principal reaches the loss cap of 1 000.
		assert_ok!(SharedLiquidity::write_off(root(), external(EXTERNAL), 600));
		assert_eq!(
			last_event(),
			Event::ProtocolFrozen { protocol: external(EXTERNAL), losses: 1_000, loss_cap: 1_000 }
		);
		assert_noop!(SharedLiquidity::draw_credit(signed(EXTERNAL), 1), E::ProtocolFrozen);
		assert_eq!(pallet_balance(), SEED - 1_000 + ED);
	});
}

#[test]
fn writing_off_a_market_debt_books_its_loss() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(draw(BTC, 1_000));
		assert_ok!(pay(BTC, TRADER, 300));
		assert_noop!(SharedLiquidity::write_off(root(), market(BTC), 301), E::ExceedsDebt);
		assert_ok!(SharedLiquidity::write_off(root(), market(BTC), 300));
		assert_eq!(
			last_event(),
			Event::WrittenOff { protocol: market(BTC), fees_forgiven: 0, debt_written_off: 300 }
		);
		let p = protocol(market(BTC));
		assert_eq!((p.debt, p.losses, p.drawn), (0, 300, 700));
		// The payout had already lowered the assets.
		assert_eq!(pool().assets, SEED - 300);
		assert_eq!(capacity(BTC), 700);
	});
}

// ---------------------------------------------------------------- loss absorption

#[test]
fn absorb_covers_up_to_the_loss_cap_then_freezes_the_market() {
	ExtBuilder::default().build_and_execute(|| {
		assert_eq!(capacity(BTC), 1_000);
		assert_eq!(absorb(BTC, 600), 0);
		assert_eq!(last_event(), absorbed(BTC, 600, 600));
		assert_eq!(balance(BENEFICIARY), ENDOWMENT + 600);
		assert_eq!(pool().assets, SEED - 600);
		assert_eq!(protocol(market(BTC)).losses, 600);
		assert_eq!(capacity(BTC), 400);

		assert_eq!(absorb(BTC, 1_000), 600);
		let events = events();
		assert_eq!(
			events[events.len() - 2],
			Event::ProtocolFrozen { protocol: market(BTC), losses: 1_000, loss_cap: 1_000 }
		);
		assert_eq!(last_event(), absorbed(BTC, 1_000, 400));
		assert_eq!(protocol(market(BTC)).status, ProtocolStatus::Frozen);
		assert_eq!(capacity(BTC), 0);
		assert_eq!(absorb(BTC, 50), 50);
		assert_eq!(last_event(), absorbed(BTC, 50, 0));
		assert_noop!(draw(BTC, 1), E::ProtocolFrozen);
	});
}

#[test]
fn one_protocol_failing_completely_leaves_the_others_their_capacity() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(draw(BTC, 3_000));
		assert_ok!(draw(ETH, 2_000));
		let eth_available = available(ETH);
		let eth_capacity = capacity(ETH);
		assert_eq!((eth_available, eth_capacity), (1_000, 1_000));

		// BTC fails completely: its traders take every unit it has drawn and
		// it leaves a shortfall far beyond its loss cap.
		assert_ok!(pay(BTC, TRADER, 3_000));
		assert_eq!(absorb(BTC, 100_000), 99_000);
		assert_eq!(protocol(market(BTC)).status, ProtocolStatus::Frozen);
		assert_eq!(absorb(BTC, 100_000), 100_000);
		assert_noop!(draw(BTC, 1), E::ProtocolFrozen);

		// ETH keeps everything lent to it and all it could still draw or have
		// absorbed.
		assert_eq!(protocol(market(ETH)).drawn, 2_000);
		assert_eq!(available(ETH), eth_available);
		assert_eq!(capacity(ETH), eth_capacity);
		assert_ok!(draw(ETH, 1_000));
		assert_ok!(pay(ETH, TRADER, 3_000));
		// The pool lost at most BTC's credit cap plus its loss cap.
		assert_eq!(pool().assets, SEED - 3_000 - 1_000 - 3_000);
	});
}

#[test]
fn absorb_never_uses_capacity_drawn_by_any_protocol() {
	ExtBuilder::default().liquidity(vec![(ALICE, 2_000)]).build_and_execute(|| {
		assert_ok!(draw(ETH, 1_500));
		assert_ok!(draw(BTC, 300));
		assert_eq!(capacity(BTC), 200);
		assert_eq!(absorb(BTC, 1_000), 800);
		assert_eq!(SharedLiquidity::free_liquidity(), 0);
		assert_eq!(pool().drawn, 1_800);
		assert_ok!(pay(ETH, TRADER, 1_500));
		assert_ok!(pay(BTC, TRADER, 300));
	});
}

#[test]
fn absorb_covers_nothing_for_unknown_or_retired_markets() {
	ExtBuilder::default().build_and_execute(|| {
		assert_eq!(capacity(SOL), 0);
		assert_eq!(absorb(SOL, 100), 100);
		assert_eq!(last_event(), absorbed(SOL, 100, 0));
		assert_ok!(SharedLiquidity::set_protocol_status(
			root(),
			market(ETH),
			ProtocolStatus::Retired
		));
		assert_eq!(capacity(ETH), 0);
		assert_eq!(absorb(ETH, 100), 100);
		assert_eq!(pool().assets, SEED);
		// Nothing at all for a zero loss.
		assert_storage_noop!(assert_eq!(absorb(BTC, 0), 0));
	});
}

#[test]
fn a_market_frozen_by_governance_is_still_covered_within_its_cap() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(SharedLiquidity::set_protocol_status(
			root(),
			market(BTC),
			ProtocolStatus::Frozen
		));
		assert_eq!(capacity(BTC), 1_000);
		assert_eq!(absorb(BTC, 100), 0);
		assert_eq!(protocol(market(BTC)).losses, 100);
	});
}

#[test]
fn a_failed_payment_covers_nothing_and_changes_nothing() {
	ExtBuilder::default().build_and_execute(|| {
		let before = pool();
		// A fresh account cannot receive less than the minimum balance.
		let uncovered = <SharedLiquidity as LossAbsorber<AccountId>>::absorb(BTC, ED - 1, &NOBODY);
		assert_eq!(uncovered, ED - 1);
		let events = events();
		assert_eq!(
			events[events.len() - 2],
			Event::AbsorbFailed {
				tier: LossTier::SharedLiquidity,
				market: BTC,
				amount: ED - 1,
				error: TokenError::BelowMinimum.into(),
			}
		);
		assert_eq!(
			last_event(),
			Event::LossAbsorbed {
				tier: LossTier::SharedLiquidity,
				market: BTC,
				loss: ED - 1,
				covered: 0,
				uncovered: ED - 1,
				beneficiary: NOBODY,
			}
		);
		assert_eq!(pool(), before);
		assert_eq!(protocol(market(BTC)).losses, 0);
	});
}

#[cfg(not(debug_assertions))]
#[test]
fn payments_the_account_cannot_honour_are_refused() {
	ExtBuilder::default().build().execute_with(|| {
		// Someone took funds out of the pallet account behind the ledger.
		let account = SharedLiquidity::account_id();
		assert_ok!(<Balances as Mutate<AccountId>>::burn_from(
			&account,
			SEED,
			frame_support::traits::tokens::Preservation::Preserve,
			frame_support::traits::tokens::Precision::Exact,
			frame_support::traits::tokens::Fortitude::Force,
		));
		assert_noop!(SharedLiquidity::withdraw(signed(ALICE), 1_000), E::LedgerExceedsAccount);
	});
}

// ---------------------------------------------------------------- views

#[test]
fn runtime_api_helpers_report_the_pool() {
	ExtBuilder::default()
		.markets(vec![(BTC, with_rates(10, 50)), (ETH, terms())])
		.build_and_execute(|| {
			assert_ok!(draw(BTC, 2_500));
			assert_ok!(collect(BTC, TRADER, 2_500));
			assert_eq!(SharedLiquidity::pool_assets(), 12_500);
			assert_eq!(SharedLiquidity::pool_shares(), SEED);
			assert_eq!(SharedLiquidity::share_price(), FixedU128::from_rational(5, 4));
			assert_eq!(SharedLiquidity::utilization(), Perbill::from_percent(20));
			assert_eq!(SharedLiquidity::free_liquidity(), 10_000);
			assert_eq!(SharedLiquidity::lp_shares(ALICE), SEED);
			assert_eq!(SharedLiquidity::lp_value(ALICE), 12_500);
			assert_eq!(SharedLiquidity::lp_requested_shares(ALICE), 0);
			assert_eq!(SharedLiquidity::lp_value(BOB), 0);

			assert_eq!(
				SharedLiquidity::protocol_info(market(BTC)),
				Some(ProtocolInfo {
					status: ProtocolStatus::Active,
					credit_cap: 3_000,
					drawn: 2_500,
					fees_owed: 0,
					debt: 0,
					available: 500,
					loss_cap: 1_000,
					losses: 0,
					loss_capacity: 1_000,
					base_rate: Permill::from_percent(10),
					rate_slope: Permill::from_percent(50),
					fee_rate: Permill::from_percent(20),
				})
			);
			assert_eq!(SharedLiquidity::protocol_credit_cap(market(BTC)), Some(3_000));
			assert_eq!(SharedLiquidity::protocol_drawn(market(BTC)), Some(2_500));
			assert_eq!(SharedLiquidity::protocol_losses(market(BTC)), Some(0));
			assert_eq!(SharedLiquidity::protocol_loss_cap(market(BTC)), Some(1_000));
			assert_eq!(SharedLiquidity::protocol_status(market(BTC)), Some(ProtocolStatus::Active));
			assert_eq!(SharedLiquidity::protocol_available(market(ETH)), Some(3_000));
			assert_eq!(SharedLiquidity::market_loss_capacity(BTC), 1_000);
			assert_eq!(SharedLiquidity::protocol_info(market(SOL)), None);
			assert_eq!(SharedLiquidity::protocol_status(market(SOL)), None);
			assert_eq!(SharedLiquidity::protocol_fee_rate(market(SOL)), None);
			assert_eq!(SharedLiquidity::protocol_credit_cap(market(SOL)), None);
		});
}

// ---------------------------------------------------------------- properties

/// One step of a random sequence.
#[derive(Clone, Debug)]
enum Op {
	Deposit(AccountId, Balance),
	Withdraw(AccountId, u8),
	Draw(MarketId, Balance),
	Release(MarketId, Balance),
	/// A percentage (up to 110%) of what the market has drawn.
	Pay(MarketId, u8),
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
		(lp.clone(), amount.clone()).prop_map(|(w, a)| Op::Deposit(w, a)),
		(lp, 0u8..=100).prop_map(|(w, p)| Op::Withdraw(w, p)),
		(market.clone(), amount.clone()).prop_map(|(m, a)| Op::Draw(m, a)),
		(market.clone(), amount.clone()).prop_map(|(m, a)| Op::Release(m, a)),
		(market.clone(), percent.clone()).prop_map(|(m, p)| Op::Pay(m, p)),
		(market.clone(), amount.clone()).prop_map(|(m, a)| Op::Collect(m, a)),
		(market, amount.clone()).prop_map(|(m, a)| Op::Absorb(m, a)),
		amount.clone().prop_map(Op::DrawCredit),
		percent.clone().prop_map(Op::RepayCredit),
		percent.prop_map(Op::WriteOff),
		(1u64..200).prop_map(Op::Advance),
	]
}

/// Runs `op`; `Some(result)` for the fallible ones.
fn run(op: &Op) -> Option<Result<(), DispatchError>> {
	let res = match *op {
		Op::Deposit(who, amount) => SharedLiquidity::deposit(signed(who), amount),
		Op::Withdraw(who, percent) => {
			let shares = SharedLiquidity::lp_shares(who) * Balance::from(percent) / 100;
			SharedLiquidity::withdraw(signed(who), shares)
		},
		Op::Draw(m, amount) => draw(m, amount),
		Op::Release(m, amount) => {
			release(m, amount);
			return None;
		},
		Op::Pay(m, percent) => {
			let drawn = SharedLiquidity::protocol_drawn(market(m)).unwrap_or_default();
			pay(m, TRADER, drawn * Balance::from(percent) / 100)
		},
		Op::Collect(m, amount) => collect(m, TRADER, amount),
		Op::Absorb(m, amount) => {
			let uncovered = absorb(m, amount);
			assert!(uncovered <= amount);
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

/// `percent` of what the external protocol owes now (principal and fees).
fn owed_by_external(percent: u8) -> Balance {
	let owed = SharedLiquidity::protocol_info(external(EXTERNAL))
		.map(|info| info.drawn + info.fees_owed)
		.unwrap_or_default();
	owed * Balance::from(percent) / 100
}

/// `a / b <= c / d` for non-negative rationals with positive denominators.
fn ratio_le(a: Balance, b: Balance, c: Balance, d: Balance) -> bool {
	a.checked_mul(d).expect("small in tests") <= c.checked_mul(b).expect("small in tests")
}

proptest::proptest! {
	#![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]

	/// Over random sequences of every operation:
	///
	/// * every invariant of `try_state` holds after every step (the pool's
	///   cash equals the pallet account's balance minus the buffer; drawn
	///   capacity never exceeds the assets; ...);
	/// * a failed step leaves the state unchanged;
	/// * share price × shares = assets, within the documented rounding: the
	///   `FixedU128` price times the shares is at most the assets and short
	///   of them by at most one unit (plus shares / 10^18), and the
	///   providers' values (each rounded down) sum to at most the assets and
	///   fall short by less than one unit per provider;
	/// * deposits and withdrawals never lower the share price (rounding
	///   favours the pool).
	#[test]
	fn share_accounting_holds_over_random_sequences(
		ops in proptest::collection::vec(op(), 1..40),
	) {
		ExtBuilder::default()
			.markets(vec![(BTC, with_rates(10, 50)), (ETH, with_rates(5, 20))])
			.external(vec![(EXTERNAL, with_rates(15, 30))])
			.build_and_execute(|| {
				for op in &ops {
					let before = pool();
					let root_before = sp_io::storage::root(sp_runtime::StateVersion::V1);
					let result = run(op);
					if let Some(Err(_)) = result {
						let root_after = sp_io::storage::root(sp_runtime::StateVersion::V1);
						assert_eq!(root_before, root_after, "{op:?} failed but changed state");
					}
					SharedLiquidity::do_try_state().expect("invariants hold");

					let after = pool();
					if after.shares > 0 {
						let price = SharedLiquidity::share_price();
						let implied = price.saturating_mul_int(after.shares);
						assert!(implied <= after.assets);
						assert!(after.assets - implied <= 1 + after.shares / FixedU128::DIV);
						let values: Vec<Balance> = [ALICE, BOB, CHARLIE]
							.into_iter()
							.map(SharedLiquidity::lp_value)
							.collect();
						let sum: Balance = values.iter().sum();
						assert!(sum <= after.assets);
						assert!(after.assets - sum < values.len() as Balance);
					}
					let lp_step = matches!(op, Op::Deposit(..) | Op::Withdraw(..));
					if lp_step && before.shares > 0 && after.shares > 0 {
						assert!(
							ratio_le(before.assets, before.shares, after.assets, after.shares),
							"{op:?} lowered the share price"
						);
					}
				}
			});
	}
}
