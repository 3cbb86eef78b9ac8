//! Deposits, withdrawals and the pallet account.

use super::*;
use backstop_primitives::PriceUnavailable;
use frame_support::{
	assert_noop, assert_ok,
	traits::{fungible::Mutate, tokens::Fortitude, tokens::Precision, tokens::Preservation},
};
use pallet_margin_runtime_api::Withdrawable;
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
fn unrealised_profit_never_backs_a_withdrawal() {
	ExtBuilder::default().build_and_execute(|| {
		deposit(ALICE, dollars(10_000));
		trade(ALICE, BTC, UNIT);
		set_price(BTC_ASSET, usd(60_000));
		// Equity 19,950 covers the 6,000 requirement many times, but the
		// 10,000 of unrealised profit does not count: 9,950 - 6,000 may go.
		assert_eq!(equity(ALICE), dollars(19_950) as i128);
		assert_eq!(Margin::withdrawable(&ALICE).unwrap().withdrawable, dollars(3_950));
		assert_noop!(
			Margin::withdraw(RuntimeOrigin::signed(ALICE), dollars(3_950) + 1),
			Error::<Test>::BelowInitialMargin
		);
		assert_noop!(
			Margin::withdraw(RuntimeOrigin::signed(ALICE), dollars(9_950) + 1),
			Error::<Test>::InsufficientCollateral
		);
		assert_ok!(Margin::withdraw(RuntimeOrigin::signed(ALICE), dollars(3_950)));
	});
}

#[test]
fn unrealised_loss_does_reduce_what_can_be_withdrawn() {
	ExtBuilder::default().build_and_execute(|| {
		deposit(ALICE, dollars(10_000));
		trade(ALICE, BTC, UNIT);
		set_price(BTC_ASSET, usd(48_000));
		// 9,950 - 2,000 of loss - 4,800 required.
		assert_eq!(Margin::withdrawable(&ALICE).unwrap().withdrawable, dollars(3_150));
		assert_noop!(
			Margin::withdraw(RuntimeOrigin::signed(ALICE), dollars(3_150) + 1),
			Error::<Test>::BelowInitialMargin
		);
		assert_ok!(Margin::withdraw(RuntimeOrigin::signed(ALICE), dollars(3_150)));
		assert_eq!(Margin::withdrawable(&ALICE).unwrap().withdrawable, 0);
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

#[test]
fn realised_profit_above_the_threshold_matures_before_it_can_leave() {
	ExtBuilder::default().warmup(dollars(1_000), 100).build_and_execute(|| {
		deposit(ALICE, dollars(10_000));
		trade(ALICE, BTC, UNIT);
		set_price(BTC_ASSET, usd(60_000));
		trade(ALICE, BTC, -UNIT);
		// 10,000 of profit less the 60 dollars of fee, locked from block 1
		// to block 101.
		let profit = dollars(10_000) - dollars(60);
		System::assert_last_event(
			Event::<Test>::ProfitLocked {
				who: ALICE,
				amount: profit,
				locked: profit,
				matures_at: 101,
			}
			.into(),
		);
		let account = Accounts::<Test>::get(ALICE).unwrap();
		assert_eq!(account.maturing, MaturingProfit { amount: profit, start: 1, end: 101 });
		assert_eq!(collateral(ALICE), dollars(9_950) + profit);
		// It backs margin at once: a new position needs no new deposit.
		assert_eq!(equity(ALICE), (dollars(9_950) + profit) as i128);
		assert_eq!(
			Margin::withdrawable(&ALICE),
			Ok(Withdrawable {
				collateral: dollars(9_950) + profit,
				withdrawable: dollars(9_950),
				maturing: profit,
				matures_at: Some(101),
			})
		);
		assert_noop!(
			Margin::withdraw(RuntimeOrigin::signed(ALICE), dollars(9_950) + 1),
			Error::<Test>::ProfitMaturing
		);
		// Half of it matures by block 51.
		run_to_block(51);
		let free = Margin::withdrawable(&ALICE).unwrap();
		assert_eq!(free.maturing, profit / 2);
		assert_eq!(free.withdrawable, dollars(9_950) + profit / 2);
		assert_noop!(
			Margin::withdraw(RuntimeOrigin::signed(ALICE), free.withdrawable + 1),
			Error::<Test>::ProfitMaturing
		);
		assert_ok!(Margin::withdraw(RuntimeOrigin::signed(ALICE), free.withdrawable));
		// All of it by block 101.
		run_to_block(101);
		assert_eq!(
			Margin::withdrawable(&ALICE),
			Ok(Withdrawable {
				collateral: profit / 2,
				withdrawable: profit / 2,
				maturing: 0,
				matures_at: None,
			})
		);
		assert_ok!(Margin::withdraw(RuntimeOrigin::signed(ALICE), profit / 2));
		assert!(!Accounts::<Test>::contains_key(ALICE));
	});
}

#[test]
fn small_profits_are_free_at_once_and_new_ones_restart_the_line() {
	ExtBuilder::default().warmup(dollars(1_000), 100).build_and_execute(|| {
		deposit(ALICE, dollars(100_000));
		trade(ALICE, BTC, 2 * UNIT);
		// Half a BTC closed 500 up, less 25.5 of fee: under the threshold.
		set_price(BTC_ASSET, usd(51_000));
		trade(ALICE, BTC, -UNIT / 2);
		assert!(Accounts::<Test>::get(ALICE).unwrap().maturing.is_empty());
		// 5,000 up on the next half, less 30 of fee: locked until 101.
		set_price(BTC_ASSET, usd(60_000));
		trade(ALICE, BTC, -UNIT / 2);
		let first = dollars(5_000) - dollars(30);
		assert_eq!(
			Accounts::<Test>::get(ALICE).unwrap().maturing,
			MaturingProfit { amount: first, start: 1, end: 101 }
		);
		// At block 51 half is left; another profit adds to it and the whole
		// matures from now. (The BTC left owed 0.3 dollars of funding.)
		run_to_block(51);
		trade(ALICE, BTC, -UNIT / 2);
		let second = dollars(5_000) - dollars(30) - 300_000;
		assert_eq!(
			Accounts::<Test>::get(ALICE).unwrap().maturing,
			MaturingProfit { amount: first / 2 + second, start: 51, end: 151 }
		);
		System::assert_last_event(
			Event::<Test>::ProfitLocked {
				who: ALICE,
				amount: second,
				locked: first / 2 + second,
				matures_at: 151,
			}
			.into(),
		);
	});
}

#[test]
fn losses_come_out_of_maturing_profit_first() {
	ExtBuilder::default().warmup(0, 100).build_and_execute(|| {
		deposit(ALICE, dollars(10_000));
		trade(ALICE, BTC, UNIT);
		set_price(BTC_ASSET, usd(52_000));
		trade(ALICE, BTC, -UNIT);
		let profit = dollars(2_000) - dollars(52);
		assert_eq!(Accounts::<Test>::get(ALICE).unwrap().maturing.amount, profit);
		// A losing round trip: its loss and fees are taken from the locked
		// profit first.
		trade(ALICE, BTC, UNIT);
		set_price(BTC_ASSET, usd(51_000));
		trade(ALICE, BTC, -UNIT);
		let lost = dollars(1_000) + dollars(52) + dollars(51);
		assert_eq!(Accounts::<Test>::get(ALICE).unwrap().maturing.amount, profit - lost);
		// The fee of an opening trade too.
		trade(ALICE, BTC, UNIT);
		assert_eq!(
			Accounts::<Test>::get(ALICE).unwrap().maturing.amount,
			profit - lost - dollars(51)
		);
	});
}

#[test]
fn set_profit_warmup_works_within_its_bounds() {
	ExtBuilder::default().build_and_execute(|| {
		assert_eq!(ProfitWarmupConfig::<Test>::get(), ProfitWarmup { threshold: 0, period: 0 });
		assert_ok!(Margin::set_profit_warmup(RuntimeOrigin::root(), dollars(5_000), 1_000));
		System::assert_last_event(
			Event::<Test>::ProfitWarmupUpdated {
				warmup: ProfitWarmup { threshold: dollars(5_000), period: 1_000 },
			}
			.into(),
		);
		assert_noop!(
			Margin::set_profit_warmup(RuntimeOrigin::root(), 0, 1_001),
			Error::<Test>::WarmupPeriodTooLong
		);
		assert_noop!(
			Margin::set_profit_warmup(RuntimeOrigin::signed(ALICE), 0, 10),
			DispatchError::BadOrigin
		);
		// Switching it off.
		assert_ok!(Margin::set_profit_warmup(RuntimeOrigin::root(), 0, 0));
	});
}

#[test]
fn funding_received_on_withdrawal_matures_too() {
	ExtBuilder::default().warmup(0, 10).build_and_execute(|| {
		deposit(ALICE, dollars(10_000));
		deposit(BOB, dollars(20_000));
		trade(ALICE, BTC, UNIT);
		trade(BOB, BTC, -2 * UNIT);
		accrue_to_block(11);
		// Ten blocks of funding received: 0.05 dollars, locked until 21.
		assert_eq!(Margin::withdrawable(&ALICE).unwrap().maturing, 50_000);
		assert_ok!(Margin::withdraw(RuntimeOrigin::signed(ALICE), dollars(1)));
		System::assert_has_event(
			Event::<Test>::ProfitLocked {
				who: ALICE,
				amount: 50_000,
				locked: 50_000,
				matures_at: 21,
			}
			.into(),
		);
		assert_eq!(
			Accounts::<Test>::get(ALICE).unwrap().maturing,
			MaturingProfit { amount: 50_000, start: 11, end: 21 }
		);
	});
}

#[test]
fn a_donation_to_the_pallet_account_breaks_no_invariant() {
	ExtBuilder::default().build_and_execute(|| {
		deposit(ALICE, dollars(100));
		donate(1);
		assert_ok!(Margin::do_try_state());
		assert_eq!(Margin::excess(), 1);
		// It is never counted: Alice withdraws what is hers, no more.
		assert_noop!(
			Margin::withdraw(RuntimeOrigin::signed(ALICE), dollars(100) + 1),
			Error::<Test>::InsufficientCollateral
		);
		assert_ok!(Margin::withdraw(RuntimeOrigin::signed(ALICE), dollars(100)));
		assert_eq!(pallet_balance(), ED + 1);
		assert_ok!(Margin::do_try_state());
	});
}

#[test]
fn withdrawable_matches_what_withdraw_accepts() {
	ExtBuilder::default().warmup(dollars(100), 50).build_and_execute(|| {
		assert_eq!(
			Margin::withdrawable(&ALICE),
			Err(pallet_margin_runtime_api::HealthError::NoAccount)
		);
		deposit(ALICE, dollars(20_000));
		deposit(BOB, dollars(40_000));
		trade(ALICE, BTC, UNIT);
		trade(ALICE, ETH, -4 * UNIT);
		trade(BOB, BTC, -2 * UNIT);
		set_price(BTC_ASSET, usd(53_000));
		trade(ALICE, BTC, -UNIT / 2);
		set_price(ETH_ASSET, usd(2_600));
		accrue_to_block(7);
		assert!(Margin::withdrawable(&ALICE).unwrap().maturing > 0);
		for who in [ALICE, BOB] {
			let w = Margin::withdrawable(&who).unwrap();
			let free = w.withdrawable;
			assert!(free > 0);
			let binding = if free == w.collateral - w.maturing {
				Error::<Test>::ProfitMaturing
			} else {
				Error::<Test>::BelowInitialMargin
			};
			assert_noop!(Margin::withdraw(RuntimeOrigin::signed(who), free + 1), binding);
			assert_ok!(Margin::withdraw(RuntimeOrigin::signed(who), free));
			assert_eq!(Margin::withdrawable(&who).unwrap().withdrawable, 0);
		}
	});
}

#[test]
fn maturing_profit_binds_with_positions_open() {
	ExtBuilder::default().warmup(0, 50).build_and_execute(|| {
		deposit(ALICE, dollars(100_000));
		trade(ALICE, BTC, 2 * UNIT);
		set_price(BTC_ASSET, usd(60_000));
		trade(ALICE, BTC, -UNIT);
		// 10,000 up less 60 of fee, all locked; 1 BTC open needs 6,000.
		let w = Margin::withdrawable(&ALICE).unwrap();
		assert_eq!(w.maturing, dollars(9_940));
		assert_eq!(w.withdrawable, w.collateral - dollars(9_940));
		assert_noop!(
			Margin::withdraw(RuntimeOrigin::signed(ALICE), w.withdrawable + 1),
			Error::<Test>::ProfitMaturing
		);
		assert_ok!(Margin::withdraw(RuntimeOrigin::signed(ALICE), w.withdrawable));
	});
}

#[test]
fn opening_an_account_takes_the_minimum_collateral_until_it_closes() {
	ExtBuilder::default().build_and_execute(|| {
		MinCollateral::set(dollars(10));
		assert_noop!(
			Margin::deposit(RuntimeOrigin::signed(ALICE), dollars(10) - 1),
			Error::<Test>::BelowMinimumCollateral
		);
		deposit(ALICE, dollars(10));
		// Once open, any top-up.
		deposit(ALICE, 1);
		// A withdrawal may not leave less than the minimum...
		assert_noop!(
			Margin::withdraw(RuntimeOrigin::signed(ALICE), 2),
			Error::<Test>::BelowMinimumCollateral
		);
		assert_ok!(Margin::withdraw(RuntimeOrigin::signed(ALICE), 1));
		// ...but may take everything, which closes the account.
		assert_ok!(Margin::withdraw(RuntimeOrigin::signed(ALICE), dollars(10)));
		assert!(!Accounts::<Test>::contains_key(ALICE));
		MinCollateral::set(0);
	});
}
