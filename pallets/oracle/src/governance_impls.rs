//! Who may change what: the classification of every privileged change (see the README's
//! "Governance" section) and the mapping of `backstop_primitives::governance` refusals to
//! this pallet's errors.

use crate::{AssetConfig, Config, Error, Pallet, ParamChangedAt, ParamKey};
use backstop_primitives::governance::{
	check_change, within_step, Authority, ChangeRefusal, Direction, ProposedChange,
};
use frame_support::pallet_prelude::Get;
use frame_system::pallet_prelude::BlockNumberFor;

/// How a change of an asset's settings moves the oracle's risk, and whether every numeric
/// setting that changes stays within the maximum step.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct ConfigChange {
	/// The combined direction: a loosening if any setting loosens.
	pub direction: Direction,
	/// Whether every setting that changes is within the step.
	pub within_step: bool,
}

impl<T: Config> Pallet<T> {
	/// Applies `check_change` to a change of a parameter that last changed at `last_change`
	/// (`None`: never, or a discrete defensive action, which has no interval).
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

	/// Classifies a change of an asset's settings, field by field:
	///
	/// | field | tighter when | step |
	/// | --- | --- | --- |
	/// | `min_feeders` | higher (more sources per median) | `MaxParamStep`, or one |
	/// | `max_age_ms` | lower (old values drop sooner) | `MaxParamStep` |
	/// | `max_move` | lower (smaller moves taken at face value) | `MaxParamStep` |
	/// | `ema_period_ms` | neither: a longer period resists a manipulated spot but lags a real crash, a shorter one the reverse, so any change is governance's | `MaxParamStep` |
	/// | `fast_path_quorum` | higher (more agreement for a large move) | `MaxParamStep` |
	/// | `agreement_band` | lower (agreeing values closer together) | `MaxParamStep` |
	/// | `hold_ms` | higher (a move without quorum held longer) | `MaxParamStep` |
	///
	/// `min_feeders` is a small count: a relative step of 25% would never move it from 3, so
	/// it may always move by one source.
	pub(crate) fn classify_config(old: &AssetConfig, new: &AssetConfig) -> ConfigChange {
		let ema = if old.ema_period_ms == new.ema_period_ms {
			Direction::Unchanged
		} else {
			Direction::governance_only()
		};
		let direction = Direction::higher_is_tighter(old.min_feeders, new.min_feeders)
			.and(Direction::lower_is_tighter(old.max_age_ms, new.max_age_ms))
			.and(Direction::lower_is_tighter(old.max_move, new.max_move))
			.and(ema)
			.and(Direction::higher_is_tighter(old.fast_path_quorum, new.fast_path_quorum))
			.and(Direction::lower_is_tighter(old.agreement_band, new.agreement_band))
			.and(Direction::higher_is_tighter(old.hold_ms, new.hold_ms));

		let min_feeders_ok = old.min_feeders.abs_diff(new.min_feeders) <= 1
			|| Self::within_param_step(old.min_feeders.into(), new.min_feeders.into());
		let within_step =
			min_feeders_ok
				&& Self::within_param_step(old.max_age_ms.into(), new.max_age_ms.into())
				&& Self::within_param_step(
					old.max_move.deconstruct().into(),
					new.max_move.deconstruct().into(),
				) && Self::within_param_step(old.ema_period_ms.into(), new.ema_period_ms.into())
				&& Self::within_param_step(
					old.fast_path_quorum.deconstruct().into(),
					new.fast_path_quorum.deconstruct().into(),
				) && Self::within_param_step(
				old.agreement_band.deconstruct().into(),
				new.agreement_band.deconstruct().into(),
			) && Self::within_param_step(old.hold_ms.into(), new.hold_ms.into());

		ConfigChange { direction, within_step }
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
