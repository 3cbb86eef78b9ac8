//! The buyer of the options backstop: the insurance fund, seen from the
//! options pallet.
//!
//! The options backstop sells cash-settled put spreads to one buyer, the
//! insurance fund. The options pallet never touches the fund's ledger: it
//! asks the fund to pay a premium and hands it payouts through this trait,
//! and reads what its purchase policy is sized on (the fund's fee income)
//! and what arms the early exercise (the fund below its floor).

use crate::Balance;
use frame_support::pallet_prelude::DispatchError;

/// The buyer of tail protection (the insurance fund in the runtime).
pub trait ProtectionBuyer<AccountId> {
	/// The account premiums come from and payouts go to; `None` when there is
	/// no buyer (nothing can be bought).
	fn account() -> Option<AccountId>;

	/// The buyer's cumulative fee income so far (a counter that never
	/// decreases): the purchase policy spends a governed share of what it
	/// grew by during a budget period.
	fn fee_income() -> Balance;

	/// Whether the buyer is below its floor (the backstop trigger): the
	/// options it holds may then be exercised early at intrinsic value.
	fn below_floor() -> bool;

	/// Moves `amount` of the settlement asset from the buyer to `to` as a
	/// premium, booking it as the buyer's expense. An error means nothing
	/// moved.
	fn pay_premium(to: &AccountId, amount: Balance) -> Result<(), DispatchError>;

	/// Moves `amount` of the settlement asset from `from` into the buyer as
	/// an option payout, booking it as the buyer's. An error means nothing
	/// moved.
	fn receive_payout(from: &AccountId, amount: Balance) -> Result<(), DispatchError>;
}

/// No buyer: nothing can be bought, no payout can be received.
impl<AccountId> ProtectionBuyer<AccountId> for () {
	fn account() -> Option<AccountId> {
		None
	}
	fn fee_income() -> Balance {
		0
	}
	fn below_floor() -> bool {
		false
	}
	fn pay_premium(_to: &AccountId, _amount: Balance) -> Result<(), DispatchError> {
		Err(DispatchError::Other("no protection buyer"))
	}
	fn receive_payout(_from: &AccountId, _amount: Balance) -> Result<(), DispatchError> {
		Err(DispatchError::Other("no protection buyer"))
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn unit_buyer_buys_nothing() {
		assert_eq!(<() as ProtectionBuyer<u64>>::account(), None);
		assert_eq!(<() as ProtectionBuyer<u64>>::fee_income(), 0);
		assert!(!<() as ProtectionBuyer<u64>>::below_floor());
		assert!(<() as ProtectionBuyer<u64>>::pay_premium(&1, 5).is_err());
		assert!(<() as ProtectionBuyer<u64>>::receive_payout(&1, 5).is_err());
	}
}
