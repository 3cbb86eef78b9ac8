//! The storage migrations from version 0 to 1 and from 1 to 2.

use super::*;
use crate::migrations::{
	layout_v2,
	v1::{old, MigrateV0ToV1},
	v2::MigrateV1ToV2,
	v3::MigrateV2ToV3,
};
use frame_support::{
	storage::unhashed,
	traits::{OnRuntimeUpgrade, StorageVersion},
	BoundedVec,
};
use sp_arithmetic::{FixedI128, FixedU128};

type OldAccount = old::MarginAccount<<Test as Config>::MaxPositionsPerAccount>;

fn put_old_account(who: u64, account: OldAccount) {
	unhashed::put(&Accounts::<Test>::hashed_key_for(who), &account);
}

fn put_old_market(id: MarketId, state: old::MarketState) {
	let info = old::MarketInfo { params: market(id).params, status: MarketStatus::Active, state };
	unhashed::put(&Markets::<Test>::hashed_key_for(id), &info);
}

fn position(market: MarketId, size: i128, cost: i128, index: FixedI128) -> layout_v2::Position {
	layout_v2::Position { market, size, cost, funding_index: index }
}

/// Runs the three steps in order, as the runtime does.
fn migrate_all() {
	MigrateV0ToV1::<Test>::on_runtime_upgrade();
	MigrateV1ToV2::<Test>::on_runtime_upgrade();
	MigrateV2ToV3::<Test>::on_runtime_upgrade();
}

/// A version-0 state: two accounts with positions in both markets, the
/// pallet account holding their collateral and the markets' ledgers.
fn old_state() {
	let third = FixedI128::from_rational(1, 3);
	let alice = OldAccount {
		collateral: dollars(10_000),
		positions: BoundedVec::truncate_from(vec![
			position(BTC, UNIT, dollars(50_000) as i128, FixedI128::zero()),
			position(ETH, -3, -7_500, third),
		]),
	};
	let bob = OldAccount {
		collateral: dollars(5_000),
		positions: BoundedVec::truncate_from(vec![position(
			BTC,
			-2 * UNIT,
			-(dollars(98_000) as i128),
			-third,
		)]),
	};
	put_old_account(ALICE, alice);
	put_old_account(BOB, bob);
	let btc = old::MarketState {
		long_open_interest: UNIT as u128,
		short_open_interest: 2 * UNIT as u128,
		funding_index: third,
		last_price: usd(50_000),
		locked: dollars(148_000),
		pending_release: dollars(7),
		pool_receivable: dollars(100),
		pending_penalties: dollars(3),
		..Default::default()
	};
	let eth = old::MarketState {
		short_open_interest: 3,
		funding_index: third,
		last_price: usd(2_500),
		locked: 7_500,
		pending_staker_fees: dollars(1),
		deficit: dollars(9),
		..Default::default()
	};
	put_old_market(BTC, btc);
	put_old_market(ETH, eth);
	// The pallet account holds collateral and ledgers (plus the buffer).
	let held = dollars(15_000) + dollars(100 + 3 + 1);
	frame_support::assert_ok!(
		<Balances as frame_support::traits::fungible::Mutate<u64>>::mint_into(
			&Margin::account_id(),
			held
		)
	);
	StorageVersion::new(0).put::<Margin>();
}

#[test]
fn v0_to_v1_computes_the_aggregates_and_adds_maturing() {
	ExtBuilder::default().build_and_execute(|| {
		old_state();
		// Before: the new code cannot read the old layout.
		assert!(Markets::<Test>::try_get(BTC).is_err());

		MigrateV0ToV1::<Test>::on_runtime_upgrade();
		assert_eq!(StorageVersion::get::<Margin>(), 1);
		MigrateV1ToV2::<Test>::on_runtime_upgrade();
		assert_eq!(StorageVersion::get::<Margin>(), 2);
		MigrateV2ToV3::<Test>::on_runtime_upgrade();
		assert_eq!(StorageVersion::get::<Margin>(), 3);

		let btc = market(BTC).state;
		assert_eq!(
			(btc.long_open_interest, btc.short_open_interest),
			(UNIT as u128, 2 * UNIT as u128)
		);
		assert_eq!((btc.long_cost, btc.short_cost), (dollars(50_000), dollars(98_000)));
		let third = FixedI128::from_rational(1, 3);
		assert_eq!(btc.funding_basis, crate::math::funding_basis(-2 * UNIT, -third).unwrap());
		assert_eq!(btc.pool_receivable, dollars(100));
		assert_eq!(btc.pending_penalties, dollars(3));
		assert_eq!(btc.funding_index, third);
		assert_eq!(btc.last_price, usd(50_000));
		let eth = market(ETH).state;
		assert_eq!((eth.long_cost, eth.short_cost), (0, 7_500));
		assert_eq!(eth.funding_basis, crate::math::funding_basis(-3, third).unwrap());
		assert_eq!((eth.deficit, eth.pending_staker_fees), (dollars(9), dollars(1)));
		let alice = Accounts::<Test>::get(ALICE).unwrap();
		assert_eq!(alice.collateral, dollars(10_000));
		assert_eq!(alice.positions.len(), 2);
		assert!(alice.maturing.is_empty());
		assert_eq!(Accounts::<Test>::get(BOB).unwrap().collateral, dollars(5_000));
		// v2: every position is in its deleveraging queue; ETH's deficit
		// (no side on record: the longs and shorts have the same PnL at its
		// last price) is assigned to the longs and the market is reduce-only
		// until it is gone.
		let queue = |id, side| -> Vec<u64> {
			AdlQueue::<Test>::iter_key_prefix((id, side)).map(|(_, who)| who).collect()
		};
		assert_eq!(queue(BTC, Side::Long), vec![ALICE]);
		assert_eq!(queue(BTC, Side::Short), vec![BOB]);
		assert_eq!(queue(ETH, Side::Short), vec![ALICE]);
		assert_eq!(
			Deleveraging::<Test>::get(ETH),
			Some(PendingDeleveraging { from_longs: dollars(9), from_shorts: 0, reopen: true })
		);
		assert_eq!(market(ETH).status, MarketStatus::ReduceOnly);
		assert_eq!(Deleveraging::<Test>::get(BTC), None);
		// Post-upgrade checks: every invariant holds.
		assert_ok!(Margin::do_try_state());

		// A second run is a no-op.
		let before = (market(BTC), Accounts::<Test>::get(ALICE));
		migrate_all();
		assert_eq!((market(BTC), Accounts::<Test>::get(ALICE)), before);
		assert_eq!(AdlQueue::<Test>::iter_keys().count(), 3);
	});
}

#[test]
fn the_migrated_state_trades_on() {
	ExtBuilder::default().build_and_execute(|| {
		old_state();
		migrate_all();
		// Bob closes; Alice withdraws.
		trade(BOB, BTC, 2 * UNIT);
		assert_ok!(Margin::withdraw(RuntimeOrigin::signed(ALICE), dollars(1)));
		assert_ok!(Margin::do_try_state());
	});
}

#[test]
fn v2_to_v3_starts_the_premium_at_zero_everywhere() {
	ExtBuilder::default().build_and_execute(|| {
		old_state();
		MigrateV0ToV1::<Test>::on_runtime_upgrade();
		MigrateV1ToV2::<Test>::on_runtime_upgrade();
		// The version-2 layout: the current types cannot read it.
		assert!(Markets::<Test>::try_get(BTC).is_err());
		assert!(Accounts::<Test>::try_get(ALICE).is_err());
		let v2_markets = layout_v2::markets::<Test>();
		let v2_accounts = layout_v2::accounts::<Test>();
		assert_eq!((v2_markets.len(), v2_accounts.len()), (2, 2));

		#[cfg(feature = "try-runtime")]
		let state = <crate::migrations::v3::InnerMigrateV2ToV3<Test> as
			frame_support::traits::UncheckedOnRuntimeUpgrade>::pre_upgrade()
		.expect("pre-upgrade check");
		MigrateV2ToV3::<Test>::on_runtime_upgrade();
		assert_eq!(StorageVersion::get::<Margin>(), 3);
		#[cfg(feature = "try-runtime")]
		assert_ok!(<crate::migrations::v3::InnerMigrateV2ToV3<Test> as
			frame_support::traits::UncheckedOnRuntimeUpgrade>::post_upgrade(state));

		for (id, old) in v2_markets {
			let new = market(id);
			assert_eq!((new.params, new.status), (old.params, old.status));
			assert_eq!(new.state, crate::migrations::v3::translate_state(old.state));
			assert!(new.state.premium_index.is_zero());
			assert!(new.state.premium_rate.is_zero());
			assert_eq!(new.state.pending_premium, 0);
			assert_eq!(new.state.funding_basis, old.state.funding_basis);
			assert_eq!(new.state.pool_receivable, old.state.pool_receivable);
		}
		for (who, old) in v2_accounts {
			let new = Accounts::<Test>::get(who).expect("account kept");
			assert_eq!(new.collateral, old.collateral);
			assert_eq!(new.maturing, old.maturing);
			assert_eq!(new.positions.len(), old.positions.len());
			for (new, old) in new.positions.iter().zip(old.positions.iter()) {
				assert_eq!(
					(new.market, new.size, new.cost, new.funding_index),
					(old.market, old.size, old.cost, old.funding_index)
				);
				assert!(new.premium_index.is_zero());
			}
		}
		assert_ok!(Margin::do_try_state());
		// Nobody owes premium for the time before the upgrade.
		assert_eq!(Margin::account_health(&ALICE).unwrap().accrued_premium, 0);

		// A second run is a no-op.
		let before = (market(BTC), Accounts::<Test>::get(BOB));
		MigrateV2ToV3::<Test>::on_runtime_upgrade();
		assert_eq!((market(BTC), Accounts::<Test>::get(BOB)), before);
	});
}

#[test]
fn after_v3_the_premium_accrues_from_the_upgrade_on() {
	ExtBuilder::default().build_and_execute(|| {
		old_state();
		migrate_all();
		// Alice's long of one BTC at 50,000.
		set_premium_rate(BTC, FixedU128::from_rational(1, 1_000_000));
		accrue_to_block(4);
		let owed = Margin::account_health(&ALICE).unwrap().accrued_premium;
		// Three blocks of 0.0001% of 50,000 dollars.
		assert_eq!(owed, 3 * dollars(50_000) / 1_000_000);
		assert_ok!(Margin::do_try_state());
	});
}
