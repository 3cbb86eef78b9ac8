//! The index of accounts with positions, the automatic sweep within its
//! governed weight budget, and keepers' batches.

use super::*;
use frame_support::{
	assert_noop,
	traits::{fungible::Mutate, Hooks},
	weights::Weight,
	BoundedVec,
};
use sp_runtime::DispatchError;

/// `who`, funded, deposits 10,000 and goes long one BTC at 50,000.
fn long_one_btc(who: u64) {
	if who >= 10 {
		assert_ok!(Balances::mint_into(&who, dollars(20_000)));
	}
	deposit(who, dollars(10_000));
	trade(who, BTC, UNIT);
}

fn root() -> RuntimeOrigin {
	RuntimeOrigin::root()
}

fn liquidated() -> Vec<(u64, Option<u64>)> {
	margin_events()
		.into_iter()
		.filter_map(|e| match e {
			Event::<Test>::Liquidated { who, liquidator, .. } => Some((who, liquidator)),
			_ => None,
		})
		.collect()
}

#[test]
fn the_index_holds_exactly_the_accounts_with_positions() {
	ExtBuilder::default().build_and_execute(|| {
		deposit(ALICE, dollars(1_000));
		assert!(!Traders::<Test>::contains_key(ALICE));
		trade(ALICE, BTC, UNIT / 100);
		trade(ALICE, ETH, UNIT);
		assert!(Traders::<Test>::contains_key(ALICE));
		trade(ALICE, BTC, -UNIT / 100);
		assert!(Traders::<Test>::contains_key(ALICE));
		trade(ALICE, ETH, -UNIT);
		assert!(!Traders::<Test>::contains_key(ALICE));
		assert_eq!(Traders::<Test>::count(), 0);
		// The account is still there, with its collateral.
		assert!(Accounts::<Test>::contains_key(ALICE));
	});
}

#[test]
fn accounts_without_positions_cost_the_sweep_nothing() {
	ExtBuilder::default().build_and_execute(|| {
		// Forty empty accounts, ten times what the sweep examines per block.
		for who in 100..140u64 {
			assert_ok!(Balances::mint_into(&who, dollars(10)));
			deposit(who, dollars(1));
		}
		long_one_btc(ALICE);
		set_price(BTC_ASSET, usd(41_000));
		Margin::on_initialize(2);
		assert_eq!(liquidated(), vec![(ALICE, None)]);
		assert_eq!(Traders::<Test>::count(), 0);
	});
}

#[test]
fn the_sweep_runs_in_on_initialize_even_in_a_full_block() {
	ExtBuilder::default().build_and_execute(|| {
		long_one_btc(ALICE);
		set_price(BTC_ASSET, usd(41_000));
		// No idle weight at all: `on_initialize` still liquidates.
		accrue_to_block(2);
		assert_eq!(liquidated(), vec![(ALICE, None)]);
	});
}

#[test]
fn the_budget_bounds_each_block_and_the_sweep_resumes() {
	ExtBuilder::default().build_and_execute(|| {
		for who in 10..13u64 {
			long_one_btc(who);
		}
		set_price(BTC_ASSET, usd(41_000));
		// Room for one worst-case liquidation per block.
		assert_ok!(Margin::set_sweep_budget(root(), Margin::min_sweep_budget()));
		for block in 2..5u64 {
			Margin::on_initialize(block);
			assert_eq!(liquidated().len() as u64, block - 1);
		}
		assert_eq!(Traders::<Test>::count(), 0);
	});
}

#[test]
fn the_sweep_never_uses_more_than_its_budget() {
	ExtBuilder::default().build_and_execute(|| {
		for who in 10..14u64 {
			long_one_btc(who);
		}
		set_price(BTC_ASSET, usd(41_000));
		let budget = Margin::min_sweep_budget();
		assert_ok!(Margin::set_sweep_budget(root(), budget));
		let used = Margin::sweep_liquidations();
		assert!(used.all_lte(budget), "{used:?} > {budget:?}");
		assert_eq!(liquidated().len(), 1);
	});
}

#[test]
fn the_sweep_budget_is_governed_and_checked() {
	ExtBuilder::default().build_and_execute(|| {
		let min = Margin::min_sweep_budget();
		assert_noop!(
			Margin::set_sweep_budget(RuntimeOrigin::signed(ALICE), min),
			DispatchError::BadOrigin
		);
		assert_noop!(
			Margin::set_sweep_budget(root(), min.saturating_sub(Weight::from_parts(1, 0))),
			Error::<Test>::InvalidSweepBudget
		);
		assert_noop!(
			Margin::set_sweep_budget(
				root(),
				MaxSweepWeight::get().saturating_add(Weight::from_parts(1, 0))
			),
			Error::<Test>::InvalidSweepBudget
		);
		assert_eq!(Margin::sweep_budget(), MaxSweepWeight::get());
		assert_ok!(Margin::set_sweep_budget(root(), min));
		assert_eq!(Margin::sweep_budget(), min);
		System::assert_last_event(Event::<Test>::SweepBudgetUpdated { budget: min }.into());
	});
}

#[test]
fn a_batch_liquidates_what_it_can_and_rewards_the_keeper() {
	ExtBuilder::default().build_and_execute(|| {
		long_one_btc(ALICE);
		long_one_btc(BOB);
		deposit(CHARLIE, dollars(100_000));
		trade(CHARLIE, BTC, UNIT);
		set_price(BTC_ASSET, usd(41_000));
		let accounts = BoundedVec::truncate_from(vec![ALICE, CHARLIE, BOB, DAVE]);
		let declared = Margin::batch_weight(4, None);
		let info = Margin::liquidate_batch(RuntimeOrigin::signed(KEEPER), accounts)
			.expect("two liquidated");
		assert!(info.actual_weight.is_some_and(|w| w.all_lte(declared)));
		assert_eq!(info.pays_fee, frame_support::dispatch::Pays::No);
		assert_eq!(liquidated(), vec![(ALICE, Some(KEEPER)), (BOB, Some(KEEPER))]);
		System::assert_last_event(
			Event::<Test>::BatchLiquidated { keeper: KEEPER, liquidated: 2, skipped: 2 }.into(),
		);
		// Charlie is healthy and untouched; the keeper was paid twice.
		assert_eq!(size(CHARLIE, BTC), UNIT);
		let rewards: Balance = margin_events()
			.into_iter()
			.filter_map(|e| match e {
				Event::<Test>::Liquidated { reward, .. } => Some(reward),
				_ => None,
			})
			.sum();
		assert!(rewards > 0);
		assert_eq!(collateral(KEEPER), rewards);
	});
}

#[test]
fn a_batch_with_nothing_to_liquidate_fails_and_changes_nothing() {
	ExtBuilder::default().build_and_execute(|| {
		long_one_btc(ALICE);
		assert_noop!(
			Margin::liquidate_batch(
				RuntimeOrigin::signed(KEEPER),
				BoundedVec::truncate_from(vec![ALICE, BOB])
			),
			Error::<Test>::NothingLiquidated
		);
		assert_noop!(
			Margin::liquidate_batch(RuntimeOrigin::signed(KEEPER), BoundedVec::new()),
			Error::<Test>::NothingLiquidated
		);
		assert_noop!(
			Margin::liquidate_batch(RuntimeOrigin::none(), BoundedVec::new()),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn a_block_goes_round_the_end_of_the_index_to_its_top() {
	ExtBuilder::default().build_and_execute(|| {
		for who in 10..16u64 {
			long_one_btc(who);
		}
		// A first pass over four healthy accounts leaves the cursor after
		// the fourth of six.
		Margin::sweep_liquidations();
		assert!(liquidated().is_empty());
		assert!(LiquidationCursor::<Test>::get().is_some());
		set_price(BTC_ASSET, usd(41_000));
		// The next examines the last two and, from the top, two more.
		Margin::sweep_liquidations();
		assert_eq!(liquidated().len(), 4);
		Margin::sweep_liquidations();
		assert_eq!(liquidated().len(), 6);
		assert_eq!(Traders::<Test>::count(), 0);
	});
}

#[test]
fn keepers_are_told_what_the_next_sweep_may_not_reach() {
	ExtBuilder::default().build_and_execute(|| {
		for who in 10..16u64 {
			long_one_btc(who);
		}
		deposit(ALICE, dollars(100_000));
		trade(ALICE, BTC, UNIT);
		assert!(Margin::liquidatable_accounts(10).is_empty());
		set_price(BTC_ASSET, usd(41_000));
		// The sweep examines four accounts per block (`MaxSweepAccounts`): of
		// the seven in the index, the keeper gets the liquidatable ones among
		// the last three, in the sweep's order.
		assert_eq!(Margin::sweep_reach(), 4);
		let order = Margin::sweep_order_for_tests();
		assert_eq!(order.len(), 7);
		let beyond: Vec<u64> = order[4..].iter().rev().copied().filter(|w| *w != ALICE).collect();
		assert_eq!(Margin::liquidatable_accounts(10), beyond);
		assert_eq!(Margin::liquidatable_accounts(1), beyond[..1].to_vec());
		// With a budget of one worst-case liquidation the sweep is sure of
		// one account only.
		assert_ok!(Margin::set_sweep_budget(root(), Margin::min_sweep_budget()));
		assert_eq!(Margin::sweep_reach(), 1);
		let beyond_one: Vec<u64> =
			order[1..].iter().rev().copied().filter(|w| *w != ALICE).collect();
		assert_eq!(Margin::liquidatable_accounts(10), beyond_one);
		// Back to the full budget: what the keeper names and what the sweep
		// reaches are everyone below maintenance, and nobody twice.
		SweepBudget::<Test>::kill();
		assert_ok!(Margin::liquidate_batch(
			RuntimeOrigin::signed(KEEPER),
			BoundedVec::truncate_from(beyond.clone())
		));
		Margin::sweep_liquidations();
		assert!(Margin::liquidatable_accounts(10).is_empty());
		assert_eq!(liquidated().len(), 6);
		let by_keeper = liquidated().iter().filter(|(_, by)| *by == Some(KEEPER)).count();
		assert_eq!(by_keeper, beyond.len());
		assert_eq!(Traders::<Test>::count(), 1);
	});
}
