//! Tests of the options backstop.

use crate::{mock::*, *};
use frame_support::{assert_noop, assert_ok};

#[test]
fn genesis_builds() {
	ExtBuilder::default().build_and_execute(|| {
		integrity_test();
		assert_eq!(Vault::<Test>::get().cash, SEED);
		assert_eq!(SeriesOf::<Test>::count(), 1);
		assert_noop!(Options::deposit(RuntimeOrigin::signed(BOB), 0), Error::<Test>::ZeroAmount);
		assert_ok!(Options::deposit(RuntimeOrigin::signed(BOB), 100 * DOLLAR));
	});
}
