//! Who may change what: the classification of every privileged change (see
//! the README's "Governance" section) and the mapping of
//! `backstop_primitives::governance` refusals to this pallet's errors.

use crate::{Config, Error, FundParams, KeeperRewardLimits, Pallet, ParamChangedAt, ParamKey};
use backstop_primitives::governance::{
	check_change, within_step, Authority, ChangeRefusal, Direction, ProposedChange,
};
use frame_support::pallet_prelude::Get;
use frame_system::pallet_prelude::BlockNumberFor;

/// How a change of a governed value moves the fund's risk, and whether every
/// numeric part that changes stays within the maximum step.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Change {
	/// The combined direction: a loosening if any part loosens.
	pub direction: Direction,
	/// Whether every part that changes is within `MaxParamStep`.
	pub within_step: bool,
}

impl<T: Config> Pallet<T> {
	/// Applies `check_change` to a change of a parameter that last changed at
	/// `last_change` (`None`: never, or an action with no interval).
	pub(crate) fn ensure_may_change(
		authority: Authority,
		change: Change,
		last_change: Option<BlockNumberFor<T>>,
	) -> Result<(), Error<T>> {
		let proposed = ProposedChange {
			direction: change.direction,
			within_step: change.within_step,
			last_change,
			now: frame_system::Pallet::<T>::block_number(),
			min_interval: T::MinChangeInterval::get(),
		};
		check_change(authority, proposed).map_err(|refusal| match refusal {
			ChangeRefusal::GuardianCannotLoosen => Error::<T>::GuardianCannotLoosen,
			ChangeRefusal::StepTooLarge => Error::<T>::StepTooLarge,
			ChangeRefusal::ChangeTooSoon => Error::<T>::ChangeTooSoon,
		})
	}

	/// A change only governance makes (the guardian is refused) with no
	/// numeric step: creating, closing, withdrawing, clearing.
	pub(crate) fn governance_only() -> Change {
		Change { direction: Direction::governance_only(), within_step: true }
	}

	/// Whether `new` is within `MaxParamStep` of `old`.
	pub(crate) fn within_param_step(old: u128, new: u128) -> bool {
		within_step(old, new, T::MaxParamStep::get())
	}

	/// A change of a value that only governance may move in either direction,
	/// step-bounded.
	pub(crate) fn governance_only_step(old: u128, new: u128) -> Change {
		let direction =
			if old == new { Direction::Unchanged } else { Direction::governance_only() };
		Change { direction, within_step: Self::within_param_step(old, new) }
	}

	/// Classifies a change of a fund's parameters, field by field:
	///
	/// | field | tighter when | step |
	/// | --- | --- | --- |
	/// | `cap_fraction` | neither: a lower cap keeps more in the fund but hands more of each loss to the stakers and beyond; a higher one drains the fund faster. Any change is governance's | `MaxParamStep` |
	/// | `absolute_cap` | neither, as `cap_fraction` | `MaxParamStep` |
	/// | `target_fraction` | higher (more kept in the fund, less surplus released or withdrawn) | `MaxParamStep` |
	/// | `floor` | higher (the under-capitalization alarm fires earlier) | `MaxParamStep` |
	pub(crate) fn classify_fund_params(old: &FundParams, new: &FundParams) -> Change {
		let cap_fraction = Self::governance_only_step(
			old.cap_fraction.deconstruct().into(),
			new.cap_fraction.deconstruct().into(),
		);
		let absolute_cap = Self::governance_only_step(old.absolute_cap, new.absolute_cap);
		let target_old: u128 = old.target_fraction.deconstruct().into();
		let target_new: u128 = new.target_fraction.deconstruct().into();
		let floor_old: u128 = old.floor.deconstruct().into();
		let floor_new: u128 = new.floor.deconstruct().into();
		let direction = cap_fraction
			.direction
			.and(absolute_cap.direction)
			.and(Direction::higher_is_tighter(target_old, target_new))
			.and(Direction::higher_is_tighter(floor_old, floor_new));
		let within_step = cap_fraction.within_step
			&& absolute_cap.within_step
			&& Self::within_param_step(target_old, target_new)
			&& Self::within_param_step(floor_old, floor_new);
		Change { direction, within_step }
	}

	/// Classifies a change of the keeper reward caps: governance only in
	/// either direction (too low a reward stops keepers liquidating in a
	/// crash, too high a one drains the fund), each field step-bounded.
	pub(crate) fn classify_keeper_limits(
		old: &KeeperRewardLimits,
		new: &KeeperRewardLimits,
	) -> Change {
		let per_liquidation = Self::governance_only_step(old.per_liquidation, new.per_liquidation);
		let per_block = Self::governance_only_step(old.per_block, new.per_block);
		Change {
			direction: per_liquidation.direction.and(per_block.direction),
			within_step: per_liquidation.within_step && per_block.within_step,
		}
	}

	/// When `key` last changed.
	pub(crate) fn last_change(key: ParamKey) -> Option<BlockNumberFor<T>> {
		ParamChangedAt::<T>::get(key)
	}

	/// Records that `key` changed in the current block.
	pub(crate) fn note_change(key: ParamKey) {
		ParamChangedAt::<T>::insert(key, frame_system::Pallet::<T>::block_number());
	}
}
