//! The insurance fund as the buyer of the options backstop's tail
//! protection: premiums are paid from, and payouts credited to, the global
//! fund, which backs every market.

use super::*;
use backstop_primitives::{Balance, ProtectionBuyer};
use frame_support::{pallet_prelude::*, storage::with_storage_layer};
use sp_runtime::traits::Zero;

impl<T: Config> Pallet<T> {
	/// Pays `amount` of the global fund to `to` as a protection premium.
	/// All or nothing; the existential buffer stays in place.
	pub(crate) fn do_pay_premium(to: &T::AccountId, amount: Balance) -> DispatchResult {
		if amount.is_zero() {
			return Ok(());
		}
		with_storage_layer(|| {
			let mut global = GlobalFund::<T>::get();
			global.balance =
				global.balance.checked_sub(amount).ok_or(Error::<T>::InsufficientFunds)?;
			Self::push(to, amount)?;
			Self::settle(FundId::Global, global);
			Self::deposit_event(Event::ProtectionPremiumPaid { to: to.clone(), amount });
			Ok(())
		})
	}

	/// Takes `amount` from `from` into the global fund as a protection
	/// payout. All or nothing; `from` is kept alive.
	pub(crate) fn do_receive_payout(from: &T::AccountId, amount: Balance) -> DispatchResult {
		if amount.is_zero() {
			return Ok(());
		}
		with_storage_layer(|| {
			// The first part restores a missing buffer, as for any inflow.
			let credited = Self::pull(from, amount)?;
			let mut global = GlobalFund::<T>::get();
			global.balance = global.balance.checked_add(credited).ok_or(Error::<T>::Overflow)?;
			Self::settle(FundId::Global, global);
			Self::deposit_event(Event::ProtectionPayoutReceived {
				from: from.clone(),
				amount: credited,
			});
			Ok(())
		})
	}

	/// Whether the global fund is below its floor now: its flag, or (when no
	/// flow has re-evaluated it since the open interest grew) its balance
	/// against the floor of its current target.
	pub fn global_below_floor() -> bool {
		let global = GlobalFund::<T>::get();
		if global.under_capitalized {
			return true;
		}
		let params = GlobalParams::<T>::get();
		let target = Self::target_for(&params, Self::required_capital_of(FundId::Global));
		global.balance < Self::floor_for(&params, target)
	}
}

impl<T: Config> ProtectionBuyer<T::AccountId> for Pallet<T> {
	fn account() -> Option<T::AccountId> {
		Some(Self::account_id())
	}

	fn fee_income() -> Balance {
		FeeIncome::<T>::get()
	}

	fn below_floor() -> bool {
		Self::global_below_floor()
	}

	fn pay_premium(to: &T::AccountId, amount: Balance) -> Result<(), DispatchError> {
		Self::do_pay_premium(to, amount)
	}

	fn receive_payout(from: &T::AccountId, amount: Balance) -> Result<(), DispatchError> {
		Self::do_receive_payout(from, amount)
	}
}
