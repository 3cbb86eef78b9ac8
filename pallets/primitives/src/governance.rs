//! Who may change a risk parameter, and by how much.
//!
//! Every pallet of ours has one privileged origin, `AdminOrigin`, whose
//! success value is the [`Authority`] it came from:
//!
//! - [`Authority::Root`]: the root track (or sudo on the dev chain). Only the
//!   hard range of each parameter binds it: it can already replace the
//!   runtime, so a step bound on it would protect nothing.
//! - [`Authority::Risk`]: the risk track. Every change of a numeric
//!   parameter is bounded by a maximum step and a minimum interval since the
//!   last change of the same parameter; loosening changes are time-locked by
//!   the track's enactment period.
//! - [`Authority::Guardian`]: the risk council. It acts at once but only
//!   defensively: a change that loosens anything is refused. Its numeric
//!   changes are bounded like the risk track's (raising a margin without a
//!   bound would liquidate accounts at will).
//!
//! [`check_change`] applies these rules; each pallet classifies its own
//! changes with [`Direction`] and maps a [`ChangeRefusal`] to its own named
//! errors.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use core::marker::PhantomData;
use frame_support::traits::EnsureOrigin;
use scale_info::TypeInfo;
use sp_arithmetic::Permill;

/// The governance body a privileged call came from.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
pub enum Authority {
	/// The root track: bound only by the hard ranges.
	Root,
	/// The risk track: bounded steps and intervals.
	Risk,
	/// The risk council: bounded steps and intervals, and only changes that
	/// tighten.
	Guardian,
}

impl Authority {
	/// Whether step and interval bounds apply to this authority.
	pub fn is_bounded(self) -> bool {
		!matches!(self, Authority::Root)
	}
}

/// How a change moves the protocol's risk.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Direction {
	/// Nothing changes.
	Unchanged,
	/// Only tightens (or leaves parts unchanged): less risk for the protocol.
	Tighten,
	/// Loosens at least one part: more risk for the protocol.
	Loosen,
}

impl Direction {
	/// The direction of a change made of two parts: any loosening part makes
	/// the whole a loosening.
	#[must_use]
	pub fn and(self, other: Direction) -> Direction {
		match (self, other) {
			(Direction::Loosen, _) | (_, Direction::Loosen) => Direction::Loosen,
			(Direction::Tighten, _) | (_, Direction::Tighten) => Direction::Tighten,
			_ => Direction::Unchanged,
		}
	}

	/// The direction of a value for which a higher value is tighter (a
	/// margin, a cooldown, a stress move).
	pub fn higher_is_tighter<V: Ord>(old: V, new: V) -> Direction {
		match new.cmp(&old) {
			core::cmp::Ordering::Greater => Direction::Tighten,
			core::cmp::Ordering::Less => Direction::Loosen,
			core::cmp::Ordering::Equal => Direction::Unchanged,
		}
	}

	/// The direction of a value for which a lower value is tighter (a cap, a
	/// credit line, a maximum leverage).
	pub fn lower_is_tighter<V: Ord>(old: V, new: V) -> Direction {
		Direction::higher_is_tighter(new, old)
	}

	/// The direction of a change that only governance may make in either
	/// direction (adding a market, a fee split): always a loosening for the
	/// purpose of who may make it.
	pub fn governance_only() -> Direction {
		Direction::Loosen
	}
}

/// Whether `new` is within `max_step` of `old`, relative to `old`:
/// `|new − old| ≤ max_step × old`, the bound rounded down. A parameter at
/// zero has no relative step: only the root track can move it.
pub fn within_step(old: u128, new: u128, max_step: Permill) -> bool {
	let diff = old.abs_diff(new);
	diff == 0 || diff <= max_step.mul_floor(old)
}

/// Why a bounded change is refused.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ChangeRefusal {
	/// The guardian tried to loosen something.
	GuardianCannotLoosen,
	/// A numeric part moved by more than the maximum step.
	StepTooLarge,
	/// The same parameter changed less than the minimum interval ago.
	ChangeTooSoon,
}

/// What a pallet knows about a proposed change, for [`check_change`].
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct ProposedChange<BlockNumber> {
	/// How the change moves the protocol's risk.
	pub direction: Direction,
	/// Whether every numeric part is within the pallet's maximum step (true
	/// for a change with no numeric part).
	pub within_step: bool,
	/// When the same parameter last changed (`None` for never, or for a
	/// discrete defensive action such as a halt, which has no interval).
	pub last_change: Option<BlockNumber>,
	/// The block now.
	pub now: BlockNumber,
	/// The pallet's minimum interval between changes of one parameter.
	pub min_interval: BlockNumber,
}

/// Applies the rules of [`Authority`] to a proposed change. The pallet
/// checks the hard ranges itself, for every authority.
pub fn check_change<BlockNumber>(
	authority: Authority,
	change: ProposedChange<BlockNumber>,
) -> Result<(), ChangeRefusal>
where
	BlockNumber: Copy + Ord + sp_runtime::traits::Saturating,
{
	if !authority.is_bounded() {
		return Ok(());
	}
	if authority == Authority::Guardian && change.direction == Direction::Loosen {
		return Err(ChangeRefusal::GuardianCannotLoosen);
	}
	if !change.within_step {
		return Err(ChangeRefusal::StepTooLarge);
	}
	if let Some(last) = change.last_change {
		if change.now < last.saturating_add(change.min_interval) {
			return Err(ChangeRefusal::ChangeTooSoon);
		}
	}
	Ok(())
}

/// An `EnsureOrigin` that tells the three authorities apart: `R` is Root,
/// `K` the risk track, `G` the guardian, tried in that order.
pub struct EnsureAuthority<R, K, G>(PhantomData<(R, K, G)>);

impl<O, R, K, G> EnsureOrigin<O> for EnsureAuthority<R, K, G>
where
	R: EnsureOrigin<O>,
	K: EnsureOrigin<O>,
	G: EnsureOrigin<O>,
{
	type Success = Authority;

	fn try_origin(o: O) -> Result<Authority, O> {
		let o = match R::try_origin(o) {
			Ok(_) => return Ok(Authority::Root),
			Err(o) => o,
		};
		let o = match K::try_origin(o) {
			Ok(_) => return Ok(Authority::Risk),
			Err(o) => o,
		};
		G::try_origin(o).map(|_| Authority::Guardian)
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn try_successful_origin() -> Result<O, ()> {
		R::try_successful_origin()
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn change(direction: Direction, within_step: bool, last: Option<u64>) -> ProposedChange<u64> {
		ProposedChange { direction, within_step, last_change: last, now: 100, min_interval: 10 }
	}

	#[test]
	fn root_is_bound_only_by_hard_ranges() {
		assert_eq!(
			check_change(Authority::Root, change(Direction::Loosen, false, Some(99))),
			Ok(())
		);
	}

	#[test]
	fn guardian_cannot_loosen_but_can_tighten() {
		assert_eq!(
			check_change(Authority::Guardian, change(Direction::Loosen, true, None)),
			Err(ChangeRefusal::GuardianCannotLoosen)
		);
		assert_eq!(
			check_change(Authority::Guardian, change(Direction::Tighten, true, None)),
			Ok(())
		);
		assert_eq!(check_change(Authority::Risk, change(Direction::Loosen, true, None)), Ok(()));
	}

	#[test]
	fn steps_and_intervals_bind_the_risk_track_and_the_guardian() {
		for who in [Authority::Risk, Authority::Guardian] {
			assert_eq!(
				check_change(who, change(Direction::Tighten, false, None)),
				Err(ChangeRefusal::StepTooLarge)
			);
			assert_eq!(
				check_change(who, change(Direction::Tighten, true, Some(91))),
				Err(ChangeRefusal::ChangeTooSoon)
			);
			assert_eq!(check_change(who, change(Direction::Tighten, true, Some(90))), Ok(()));
		}
	}

	#[test]
	fn steps_are_relative_to_the_old_value() {
		let step = Permill::from_percent(25);
		assert!(within_step(100, 125, step));
		assert!(within_step(100, 75, step));
		assert!(!within_step(100, 126, step));
		assert!(!within_step(100, 74, step));
		assert!(within_step(0, 0, step));
		assert!(!within_step(0, 1, step));
		assert!(within_step(7, 7, Permill::zero()));
	}

	#[test]
	fn directions_combine_with_loosening_first() {
		use Direction::*;
		assert_eq!(Tighten.and(Loosen), Loosen);
		assert_eq!(Unchanged.and(Tighten), Tighten);
		assert_eq!(Unchanged.and(Unchanged), Unchanged);
		assert_eq!(Direction::higher_is_tighter(1, 2), Tighten);
		assert_eq!(Direction::lower_is_tighter(1, 2), Loosen);
		assert_eq!(Direction::lower_is_tighter(2, 2), Unchanged);
	}
}
