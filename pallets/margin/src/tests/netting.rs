//! The netting of a liquidated account's legs.

use crate::liquidation_impls::{net_legs, Netting};
use proptest::prelude::*;

#[test]
fn a_solvent_account_pays_its_losses_from_collateral() {
	assert_eq!(
		net_legs(&[], &[300, 100], 1_000),
		Some(Netting {
			paid_by_pool: vec![],
			booked: vec![300, 100],
			bad_debt: vec![0, 0],
			collateral: 600,
			shortfall: 0,
		})
	);
}

#[test]
fn profits_offset_losses_before_the_pool_pays() {
	// 500 of profit against 200 of loss: the pool pays the net 300.
	assert_eq!(
		net_legs(&[500], &[200], 50),
		Some(Netting {
			paid_by_pool: vec![300],
			booked: vec![0],
			bad_debt: vec![0],
			collateral: 350,
			shortfall: 0,
		})
	);
	// 100 of profit against 500 of loss and 150 of collateral: 250 of bad
	// debt; the pool pays nothing.
	let netting = net_legs(&[100], &[400, 100], 150).unwrap();
	assert_eq!(netting.paid_by_pool, vec![0]);
	assert_eq!(netting.bad_debt, vec![200, 50]);
	assert_eq!(netting.shortfall, 250);
	assert_eq!(netting.booked.iter().sum::<u128>(), 150);
	assert_eq!(netting.collateral, 0);
}

#[test]
fn nothing_to_net() {
	assert_eq!(net_legs(&[], &[], 7), Some(Netting { collateral: 7, ..Default::default() }));
	assert_eq!(net_legs(&[u128::MAX, 1], &[], 0), None);
}

proptest! {
	#[test]
	fn netting_conserves_every_unit(
		profits in proptest::collection::vec(0u128..1_000_000_000, 0..8),
		losses in proptest::collection::vec(1u128..1_000_000_000, 0..8),
		collateral in 0u128..4_000_000_000,
	) {
		let n = net_legs(&profits, &losses, collateral).unwrap();
		let p: u128 = profits.iter().sum();
		let l: u128 = losses.iter().sum();
		let booked: u128 = n.booked.iter().sum();
		let paid: u128 = n.paid_by_pool.iter().sum();
		let debt: u128 = n.bad_debt.iter().sum();
		let offset = p.min(l);
		prop_assert_eq!(debt, n.shortfall);
		prop_assert_eq!(n.shortfall, l.saturating_sub(collateral + p));
		prop_assert_eq!(paid, p - offset);
		prop_assert_eq!(booked + debt + offset, l);
		// The pallet account stays whole: collateral out to the ledgers,
		// the pool's net payment in.
		prop_assert_eq!(n.collateral + booked, collateral + paid);
		for (i, loss) in losses.iter().enumerate() {
			prop_assert!(n.booked[i] + n.bad_debt[i] <= *loss);
		}
		for (i, profit) in profits.iter().enumerate() {
			prop_assert!(n.paid_by_pool[i] <= *profit);
		}
		if n.shortfall > 0 {
			prop_assert_eq!(n.collateral, 0);
		}
	}
}
