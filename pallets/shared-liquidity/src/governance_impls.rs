//! Who may change what: the classification of every privileged change (see
//! the README's "Governance" section) and the mapping of
//! `backstop_primitives::governance` refusals to this pallet's errors.

use crate::{Config, Error, Pallet, ParamChangedAt, ParamKey, ProtocolTerms};
use backstop_primitives::governance::{
	check_change, within_step, Authority, ChangeRefusal, Direction, ProposedChange,
};
use frame_support::pallet_prelude::Get;
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::SaturatedConversion;

impl<T: Config> Pallet<T> {
	/// Applies `check_change` to a change of a parameter that last changed at
	/// `last_change` (`None`: never, or a discrete defensive action, which
	/// has no interval).
	pub(crate) fn ensure_may_change(
		authority: Authority,
		direction: Direction,
		within_step: bool,
		last_change: Option<BlockNumberFor<T>>,
	) -> Result<(), Error<T>> {
		let change = ProposedChange {
			direction,
			within_step,
			last_change,
			now: frame_system::Pallet::<T>::block_number(),
			min_interval: T::MinChangeInterval::get(),
		};
		check_change(authority, change).map_err(|refusal| match refusal {
			ChangeRefusal::GuardianCannotLoosen => Error::<T>::GuardianCannotLoosen,
			ChangeRefusal::StepTooLarge => Error::<T>::StepTooLarge,
			ChangeRefusal::ChangeTooSoon => Error::<T>::ChangeTooSoon,
		})
	}

	/// Whether `new` is within `MaxParamStep` of `old`.
	pub(crate) fn within_param_step(old: u128, new: u128) -> bool {
		within_step(old, new, T::MaxParamStep::get())
	}

	/// Whether the block count `new` is within `MaxParamStep` of `old`.
	pub(crate) fn blocks_within_step(old: BlockNumberFor<T>, new: BlockNumberFor<T>) -> bool {
		Self::within_param_step(old.saturated_into::<u128>(), new.saturated_into::<u128>())
	}

	/// Classifies a change of a protocol's terms, field by field (tighter
	/// protects the liquidity providers):
	///
	/// | field | tighter when |
	/// | --- | --- |
	/// | `credit_cap` | lower (less of the pool at risk at once) |
	/// | `loss_cap` | lower (the pool accepts less bad debt) |
	/// | `base_rate`, `rate_slope` | higher (the borrower pays the LPs more) |
	/// | `reserve_factor` | higher (more cash kept against the market's open interest, so less open interest within the credit cap) |
	/// | `max_pnl_factor` | lower (less trader profit held against the pool) |
	/// | `term` | lower (principal due, and impaired if unpaid, sooner) |
	///
	/// Every field that changes is step-bounded; a field at zero moves only
	/// by the root track. Returns the combined direction (a loosening if any
	/// field loosens) and whether every field is within the step.
	pub(crate) fn classify_terms(old: &ProtocolTerms, new: &ProtocolTerms) -> (Direction, bool) {
		let direction = Direction::lower_is_tighter(old.credit_cap, new.credit_cap)
			.and(Direction::lower_is_tighter(old.loss_cap, new.loss_cap))
			.and(Direction::higher_is_tighter(old.base_rate, new.base_rate))
			.and(Direction::higher_is_tighter(old.rate_slope, new.rate_slope))
			.and(Direction::higher_is_tighter(old.reserve_factor, new.reserve_factor))
			.and(Direction::lower_is_tighter(old.max_pnl_factor, new.max_pnl_factor))
			.and(Direction::lower_is_tighter(old.term, new.term));
		let permill = |old: sp_runtime::Permill, new: sp_runtime::Permill| {
			Self::within_param_step(old.deconstruct().into(), new.deconstruct().into())
		};
		let within = Self::within_param_step(old.credit_cap, new.credit_cap)
			&& Self::within_param_step(old.loss_cap, new.loss_cap)
			&& permill(old.base_rate, new.base_rate)
			&& permill(old.rate_slope, new.rate_slope)
			&& permill(old.reserve_factor, new.reserve_factor)
			&& permill(old.max_pnl_factor, new.max_pnl_factor)
			&& Self::within_param_step(old.term.into(), new.term.into());
		(direction, within)
	}

	/// When `key` last changed.
	pub(crate) fn last_change(key: &ParamKey<T::AccountId>) -> Option<BlockNumberFor<T>> {
		ParamChangedAt::<T>::get(key)
	}

	/// Records that `key` changed in the current block.
	pub(crate) fn note_change(key: &ParamKey<T::AccountId>) {
		ParamChangedAt::<T>::insert(key, frame_system::Pallet::<T>::block_number());
	}
}
