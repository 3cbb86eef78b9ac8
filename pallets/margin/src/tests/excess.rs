//! Unsolicited transfers to the pallet account: never counted, reported by
//! `excess` and swept by governance to the excess sink.

use super::*;
use backstop_primitives::RevenueKind;
use frame_support::{
	assert_noop,
	dispatch::GetDispatchInfo,
	traits::{
		fungible::Mutate,
		tokens::{Fortitude, Precision, Preservation},
	},
};
use sp_arithmetic::Permill;
use sp_runtime::{traits::Dispatchable, DispatchError};

/// Alice and Bob with collateral, and a BTC trade whose fee the market holds
/// for the pool and the sinks: every kind of ledger is non-zero.
fn accounts_and_market_ledgers() {
	deposit(ALICE, dollars(10_000));
	deposit(BOB, dollars(10_000));
	trade(ALICE, BTC, UNIT / 10);
	assert!(market(BTC).held_for_others().unwrap() > 0);
}

fn root() -> RuntimeOrigin {
	RuntimeOrigin::root()
}

#[test]
fn a_donation_keeps_the_invariants_and_is_reported_as_excess() {
	ExtBuilder::default().build_and_execute(|| {
		accounts_and_market_ledgers();
		assert_eq!(Margin::excess(), 0);
		donate(1);
		assert_ok!(Margin::do_try_state());
		assert_eq!(Margin::excess(), 1);
		assert_eq!(pallet_balance(), ledgers() + ED + 1);
		// Never counted: nobody's collateral or market ledger moved.
		assert_eq!(collateral(BOB), dollars(10_000));
	});
}

#[test]
fn sweep_excess_moves_the_excess_to_the_sink() {
	ExtBuilder::default().build_and_execute(|| {
		accounts_and_market_ledgers();
		donate(1);
		let sink = balance(INSURANCE);
		let held = ledgers();

		assert_ok!(Margin::sweep_excess(root(), 2));
		System::assert_last_event(Event::<Test>::ExcessSwept { amount: 1 }.into());
		assert_eq!(balance(INSURANCE), sink + 1);
		assert_eq!(
			sink_receipts().last(),
			Some(&(INSURANCE, 0, RevenueKind::Unsolicited, 1)),
			"handed over as an unsolicited transfer"
		);
		assert_eq!(Margin::excess(), 0);
		assert_eq!(ledgers(), held);
		assert_eq!(pallet_balance(), held + ED);
		assert_ok!(Margin::do_try_state());
		assert_noop!(Margin::sweep_excess(root(), 2), Error::<Test>::NoExcess);
	});
}

#[test]
fn sweep_excess_reports_what_the_sink_took() {
	ExtBuilder::default().build_and_execute(|| {
		deposit(ALICE, dollars(100));
		donate(2);
		ExcessTaken::set(Permill::from_percent(50));
		assert_ok!(Margin::sweep_excess(root(), 1));
		System::assert_last_event(Event::<Test>::ExcessSwept { amount: 1 }.into());
		assert_eq!(Margin::excess(), 1);
	});
}

#[test]
fn sweep_excess_errors_leave_state_unchanged() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(Margin::sweep_excess(root(), 0), Error::<Test>::NoExcess);
		accounts_and_market_ledgers();
		assert_noop!(Margin::sweep_excess(root(), 2), Error::<Test>::NoExcess);
		donate(1);
		// Not governance.
		assert_noop!(
			Margin::sweep_excess(RuntimeOrigin::signed(ALICE), 2),
			DispatchError::BadOrigin
		);
		assert_noop!(Margin::sweep_excess(RuntimeOrigin::none(), 2), DispatchError::BadOrigin);
		// A witness below the number of accounts.
		assert_noop!(Margin::sweep_excess(root(), 1), Error::<Test>::TooManyAccounts);
		assert_noop!(Margin::sweep_excess(root(), 0), Error::<Test>::TooManyAccounts);
		// A sink that takes nothing sweeps nothing.
		ExcessTaken::set(Permill::zero());
		assert_noop!(Margin::sweep_excess(root(), 2), Error::<Test>::NoExcess);
		ExcessTaken::set(Permill::from_percent(100));
		// A sink that refuses.
		SinksFail::set(true);
		assert_noop!(Margin::sweep_excess(root(), 2), DispatchError::Other("sink refuses"));
		SinksFail::set(false);
		assert_eq!(Margin::excess(), 1);
		assert_ok!(Margin::sweep_excess(root(), 2));
	});
}

#[test]
fn sweep_excess_is_weighed_by_its_witness_and_charged_for_what_it_read() {
	ExtBuilder::default().build_and_execute(|| {
		accounts_and_market_ledgers();
		donate(1);
		let call = RuntimeCall::Margin(crate::Call::sweep_excess { accounts: 10 });
		assert_eq!(call.get_dispatch_info().call_weight, <() as WeightInfo>::sweep_excess(10));
		let info = call.dispatch(root()).unwrap();
		assert_eq!(info.actual_weight, Some(<() as WeightInfo>::sweep_excess(2)));
		assert!(<() as WeightInfo>::sweep_excess(2).all_lt(<() as WeightInfo>::sweep_excess(10)));
	});
}

#[test]
fn a_pristine_account_has_no_excess() {
	ExtBuilder::default().build().execute_with(|| {
		// The pallet added without its genesis: no buffer yet.
		assert_ok!(Balances::burn_from(
			&Margin::account_id(),
			ED,
			Preservation::Expendable,
			Precision::Exact,
			Fortitude::Force,
		));
		assert_eq!(pallet_balance(), 0);
		assert_eq!(Margin::excess(), 0);
		assert_noop!(Margin::sweep_excess(root(), 0), Error::<Test>::NoExcess);
		Margin::do_try_state().expect("a pristine account is consistent");
	});
}
