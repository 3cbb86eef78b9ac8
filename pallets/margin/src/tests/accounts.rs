//! Deposits, withdrawals and the pallet account.

use super::*;
use backstop_primitives::PriceUnavailable;
use frame_support::{
	assert_noop, assert_ok,
	traits::{fungible::Mutate, tokens::Fortitude, tokens::Precision, tokens::Preservation},
};
use sp_runtime::{DispatchError, TokenError};

#[test]
fn deposit_works() {
	ExtBuilder::default().build_and_execute(|| {
		let before = balance(ALICE);
		assert_ok!(Margin::deposit(RuntimeOrigin::signed(ALICE), dollars(1_000)));
		System::assert_last_event(
			Event::<Test>::Deposited { who: ALICE, amount: dollars(1_000) }.into(),
		);
		assert_eq!(collateral(ALICE), dollars(1_000));
		assert_eq!(balance(ALICE), before - dollars(1_000));
		assert_eq!(pallet_balance(), ED + dollars(1_000));
		deposit(ALICE, 1);
		assert_eq!(collateral(ALICE), dollars(1_000) + 1);
	});
}

#[test]
fn deposit_errors() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(Margin::deposit(RuntimeOrigin::signed(ALICE), 0), Error::<Test>::ZeroAmount);
		assert_noop!(
			Margin::deposit(RuntimeOrigin::signed(ALICE), dollars(10_000_001)),
			DispatchError::Token(TokenError::FundsUnavailable)
		);
		assert_noop!(Margin::deposit(RuntimeOrigin::none(), 1), DispatchError::BadOrigin);
	});
}

#[test]
fn withdraw_works_and_removes_empty_accounts() {
	ExtBuilder::default().build_and_execute(|| {
		deposit(ALICE, dollars(1_000));
		let before = balance(ALICE);
		assert_ok!(Margin::withdraw(RuntimeOrigin::signed(ALICE), dollars(400)));
		System::assert_last_event(
			Event::<Test>::Withdrawn { who: ALICE, amount: dollars(400) }.into(),
		);
		assert_eq!(collateral(ALICE), dollars(600));
		assert_eq!(balance(ALICE), before + dollars(400));
		assert_ok!(Margin::withdraw(RuntimeOrigin::signed(ALICE), dollars(600)));
		assert!(!Accounts::<Test>::contains_key(ALICE));
		// The buffer stays.
		assert_eq!(pallet_balance(), ED);
	});
}

#[test]
fn withdraw_basic_errors() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(Margin::withdraw(RuntimeOrigin::signed(ALICE), 0), Error::<Test>::ZeroAmount);
		assert_noop!(
			Margin::withdraw(RuntimeOrigin::signed(ALICE), 1),
			Error::<Test>::InsufficientCollateral
		);
		deposit(ALICE, dollars(100));
		assert_noop!(
			Margin::withdraw(RuntimeOrigin::signed(ALICE), dollars(100) + 1),
			Error::<Test>::InsufficientCollateral
		);
		assert_noop!(Margin::withdraw(RuntimeOrigin::none(), 1), DispatchError::BadOrigin);
	});
}

#[test]
fn withdraw_keeps_initial_margin() {
	ExtBuilder::default().build_and_execute(|| {
		// 1 BTC at 50,000: initial requirement 5,000; the fee is 50.
		deposit(ALICE, dollars(10_000));
		trade(ALICE, BTC, UNIT);
		assert_eq!(collateral(ALICE), dollars(9_950));
		assert_noop!(
			Margin::withdraw(RuntimeOrigin::signed(ALICE), dollars(4_950) + 1),
			Error::<Test>::BelowInitialMargin
		);
		assert_ok!(Margin::withdraw(RuntimeOrigin::signed(ALICE), dollars(4_950)));
		assert_eq!(collateral(ALICE), dollars(5_000));
	});
}

#[test]
fn withdraw_counts_unrealised_profit_but_pays_only_collateral() {
	ExtBuilder::default().build_and_execute(|| {
		deposit(ALICE, dollars(10_000));
		trade(ALICE, BTC, UNIT);
		set_price(BTC_ASSET, usd(60_000));
		// Equity 19,950; requirement 6,000; but only 9,950 is collateral.
		assert_noop!(
			Margin::withdraw(RuntimeOrigin::signed(ALICE), dollars(9_950) + 1),
			Error::<Test>::InsufficientCollateral
		);
		assert_ok!(Margin::withdraw(RuntimeOrigin::signed(ALICE), dollars(9_950)));
	});
}

#[test]
fn withdraw_refused_with_open_bad_debt() {
	ExtBuilder::default().build_and_execute(|| {
		deposit(ALICE, dollars(10_000));
		trade(ALICE, BTC, UNIT);
		set_price(BTC_ASSET, usd(30_000));
		assert!(equity(ALICE) < 0);
		assert_noop!(Margin::withdraw(RuntimeOrigin::signed(ALICE), 1), Error::<Test>::OpenBadDebt);
	});
}

#[test]
fn withdraw_refused_on_stale_or_missing_prices() {
	ExtBuilder::default().build_and_execute(|| {
		deposit(ALICE, dollars(10_000));
		trade(ALICE, ETH, UNIT);
		for (reason, error) in [
			(PriceUnavailable::Stale, Error::<Test>::PriceStale),
			(PriceUnavailable::CircuitBreakerHeld, Error::<Test>::PriceHeld),
			(PriceUnavailable::NoPrice, Error::<Test>::PriceUnavailable),
			(PriceUnavailable::UnknownAsset, Error::<Test>::PriceUnavailable),
		] {
			set_price_unavailable(ETH_ASSET, reason);
			assert_noop!(Margin::withdraw(RuntimeOrigin::signed(ALICE), 1), error);
		}
		// A zero price is no price either.
		set_price(ETH_ASSET, Price::zero());
		assert_noop!(
			Margin::withdraw(RuntimeOrigin::signed(ALICE), 1),
			Error::<Test>::PriceUnavailable
		);
		// A stale price of a market not held does not matter.
		set_price(ETH_ASSET, usd(2_500));
		set_price_unavailable(BTC_ASSET, PriceUnavailable::Stale);
		assert_ok!(Margin::withdraw(RuntimeOrigin::signed(ALICE), 1));
	});
}

#[test]
fn withdraw_settles_funding_first() {
	ExtBuilder::default().build_and_execute(|| {
		deposit(ALICE, dollars(10_000));
		deposit(BOB, dollars(20_000));
		// Alice long 1, Bob short 2: short-heavy, so longs receive.
		trade(ALICE, BTC, UNIT);
		trade(BOB, BTC, -2 * UNIT);
		accrue_to_block(11);
		let before = collateral(ALICE);
		assert_ok!(Margin::withdraw(RuntimeOrigin::signed(ALICE), dollars(1)));
		// Ten blocks of -1e-7 x 50,000 on 1 BTC: 0.05 dollars received.
		System::assert_has_event(
			Event::<Test>::FundingSettled { who: ALICE, market: BTC, amount: -50_000 }.into(),
		);
		assert_eq!(collateral(ALICE), before + 50_000 - dollars(1));
		assert_eq!(position(ALICE, BTC).unwrap().funding_index, market(BTC).state.funding_index);
	});
}

#[test]
fn a_missing_buffer_is_restored_by_the_first_inflow() {
	ExtBuilder::default().build_and_execute(|| {
		// As if the pallet had been added to a live chain without genesis.
		let account = Margin::account_id();
		assert_ok!(Balances::burn_from(
			&account,
			ED,
			Preservation::Expendable,
			Precision::Exact,
			Fortitude::Force
		));
		assert_eq!(pallet_balance(), 0);
		Margin::do_try_state().expect("a pristine account is consistent");
		assert_noop!(
			Margin::deposit(RuntimeOrigin::signed(ALICE), ED),
			Error::<Test>::BufferMissing
		);
		assert_ok!(Margin::deposit(RuntimeOrigin::signed(ALICE), ED + 5));
		System::assert_has_event(Event::<Test>::BufferRestored { amount: ED }.into());
		System::assert_last_event(Event::<Test>::Deposited { who: ALICE, amount: 5 }.into());
		assert_eq!(collateral(ALICE), 5);
		assert_eq!(pallet_balance(), ED + 5);
	});
}

#[test]
fn ledgers_above_the_account_are_refused_not_paid() {
	ExtBuilder::default().build().execute_with(|| {
		deposit(ALICE, dollars(100));
		// Something took money out of the pallet account behind its back.
		let account = Margin::account_id();
		assert_ok!(Balances::transfer(&account, &BOB, dollars(50), Preservation::Preserve));
		assert_noop!(
			Margin::withdraw(RuntimeOrigin::signed(ALICE), dollars(60)),
			Error::<Test>::LedgerExceedsAccount
		);
		assert!(Margin::do_try_state().is_err());
	});
}
