//! Who may change what: the classification of every privileged change (see
//! the README's "Governance" section) and the mapping of
//! `backstop_primitives::governance` refusals to this pallet's errors.

use crate::{Config, Error, Pallet, ParamChangedAt, ParamKey, PremiumParams, TrancheParams};
use backstop_primitives::governance::{
	check_change, within_step, Authority, ChangeRefusal, Direction, ProposedChange,
};
use frame_support::pallet_prelude::Get;
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::SaturatedConversion;

/// How a change of governed parameters moves the backstop's risk, and
/// whether every numeric part that changes stays within the maximum step.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Change {
	/// The combined direction: a loosening if any part loosens.
	pub direction: Direction,
	/// Whether every part that changes is within `MaxParamStep`.
	pub within_step: bool,
}

impl Change {
	/// Nothing changed.
	fn unchanged() -> Self {
		Change { direction: Direction::Unchanged, within_step: true }
	}

	/// Both changes together.
	fn and(self, other: Change) -> Change {
		Change {
			direction: self.direction.and(other.direction),
			within_step: self.within_step && other.within_step,
		}
	}
}

impl<T: Config> Pallet<T> {
	/// Applies `check_change` to a change of a parameter that last changed at
	/// `last_change` (`None`: never).
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

	/// A numeric part for which a higher value is tighter.
	fn higher_is_tighter(old: u128, new: u128) -> Change {
		Change {
			direction: Direction::higher_is_tighter(old, new),
			within_step: within_step(old, new, T::MaxParamStep::get()),
		}
	}

	/// A numeric part for which a lower value is tighter.
	fn lower_is_tighter(old: u128, new: u128) -> Change {
		Change {
			direction: Direction::lower_is_tighter(old, new),
			within_step: within_step(old, new, T::MaxParamStep::get()),
		}
	}

	/// A numeric part that only governance may move, in either direction.
	fn governance_only(old: u128, new: u128) -> Change {
		if old == new {
			return Change::unchanged();
		}
		Change {
			direction: Direction::governance_only(),
			within_step: within_step(old, new, T::MaxParamStep::get()),
		}
	}

	/// Classifies a change of a tranche's parameters, field by field. The
	/// guardian's levers are the ones that keep stakers from running ahead
	/// of a loss: the friction of leaving.
	///
	/// | field | tighter when | step |
	/// | --- | --- | --- |
	/// | `cooldown` | higher: a staker who sees a loss coming waits longer before the window opens, and bears every slash meanwhile | `MaxParamStep` |
	/// | `unstake_window` | lower: a smaller fraction of the time (`window / (cooldown + window)`) in which a request's shares can leave | `MaxParamStep` |
	/// | `min_stake` | neither: a higher minimum keeps small positions out but also keeps capital out when the backstop needs it, a lower one admits smaller positions. Governance only | `MaxParamStep` |
	/// | `max_slash_fraction` | neither: a lower cap spares the stakers and hands more of each loss to the next tier, a higher one the reverse. Governance only | `MaxParamStep` |
	/// | `max_slash_per_block` | neither, as `max_slash_fraction`, per block. Governance only | `MaxParamStep` |
	/// | `wipe_out_floor` | neither: a higher floor wipes a drained tranche out sooner (its dust paid to the loss, beyond the caps), a lower one keeps more shares alive per unit of assets. Governance only | `MaxParamStep` |
	///
	/// A new cooldown or window applies to requests made afterwards, so
	/// neither lever can trap a request already open.
	pub(crate) fn classify_tranche_params(
		old: &TrancheParams<BlockNumberFor<T>>,
		new: &TrancheParams<BlockNumberFor<T>>,
	) -> Change {
		let blocks = |b: BlockNumberFor<T>| -> u128 { b.saturated_into::<u128>() };
		Self::higher_is_tighter(blocks(old.cooldown), blocks(new.cooldown))
			.and(Self::lower_is_tighter(blocks(old.unstake_window), blocks(new.unstake_window)))
			.and(Self::governance_only(old.min_stake, new.min_stake))
			.and(Self::governance_only(
				old.max_slash_fraction.deconstruct().into(),
				new.max_slash_fraction.deconstruct().into(),
			))
			.and(Self::governance_only(
				old.max_slash_per_block.deconstruct().into(),
				new.max_slash_per_block.deconstruct().into(),
			))
			.and(Self::governance_only(
				old.wipe_out_floor.deconstruct().into(),
				new.wipe_out_floor.deconstruct().into(),
			))
	}

	/// Classifies a change of the premium parameters: the premium is a
	/// price, which moves money between the traders and the stakers (the
	/// rates, the curve's corners, the volatility weight, the cap) and
	/// between the tranches (`junior_multiple`). Neither direction of any
	/// field is defensive: every change is governance only, each field
	/// step-bounded (`FixedU128` fields by their inner value).
	pub(crate) fn classify_premium_params(old: &PremiumParams, new: &PremiumParams) -> Change {
		let permill = |old: sp_runtime::Permill, new: sp_runtime::Permill| {
			Self::governance_only(old.deconstruct().into(), new.deconstruct().into())
		};
		let fixed = |old: sp_runtime::FixedU128, new: sp_runtime::FixedU128| {
			Self::governance_only(old.into_inner(), new.into_inner())
		};
		permill(old.rate_max, new.rate_max)
			.and(permill(old.rate_min, new.rate_min))
			.and(fixed(old.coverage_low, new.coverage_low))
			.and(fixed(old.coverage_high, new.coverage_high))
			.and(fixed(old.volatility_weight, new.volatility_weight))
			.and(permill(old.rate_cap, new.rate_cap))
			.and(fixed(old.junior_multiple, new.junior_multiple))
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
