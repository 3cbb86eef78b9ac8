//! Who may change what: the classification of every privileged change (the
//! README's "Governance" section) and the mapping of
//! `backstop_primitives::governance` refusals to this pallet's errors.
//!
//! Each privileged `do_*` checks the hard ranges first (for every
//! authority), then classifies its change here, reads when the parameter
//! last changed (for Root too, so the benchmarked path is the worst case),
//! applies [`check_change`], and only then writes: a refused change leaves
//! state unchanged.

use super::*;
use backstop_primitives::governance::{
	check_change, within_step, Authority, ChangeRefusal, Direction, ProposedChange,
};
use frame_support::{pallet_prelude::*, traits::Get};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_arithmetic::Permill;
use sp_runtime::traits::UniqueSaturatedInto;

/// How a proposed change moves the protocol's risk, and whether every
/// numeric part that changes stays within `MaxParamStep`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Classified {
	/// The combined direction: a loosening if any part loosens.
	pub direction: Direction,
	/// Whether every numeric part is within the step.
	pub within_step: bool,
}

impl Classified {
	/// A change with no numeric part in `direction`.
	pub fn discrete(direction: Direction) -> Self {
		Self { direction, within_step: true }
	}

	/// Adds a numeric part: its direction and whether it is within the step.
	#[must_use]
	pub fn with(self, direction: Direction, within_step: bool) -> Self {
		Self {
			direction: self.direction.and(direction),
			within_step: self.within_step && within_step,
		}
	}
}

impl<T: Config> Pallet<T> {
	/// Applies the rules of `authority` to a change classified as `change`
	/// of a parameter that last changed at `last_change` (`None`: never, or
	/// a discrete action without an interval).
	pub(crate) fn ensure_may_change(
		authority: Authority,
		change: Classified,
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

	/// When `key` last changed (by any authority).
	pub(crate) fn last_change(key: ParamKey) -> Option<BlockNumberFor<T>> {
		ParamChangedAt::<T>::get(key)
	}

	/// Records that `key` changed in this block.
	pub(crate) fn note_change(key: ParamKey) {
		ParamChangedAt::<T>::insert(key, frame_system::Pallet::<T>::block_number());
	}

	/// Whether `new` is within `MaxParamStep` of `old`.
	fn step_ok(old: u128, new: u128) -> bool {
		within_step(old, new, T::MaxParamStep::get())
	}

	/// A numeric part for which a higher value is tighter.
	fn higher<V: Ord + Copy + Into<u128>>(old: V, new: V) -> (Direction, bool) {
		(Direction::higher_is_tighter(old, new), Self::step_ok(old.into(), new.into()))
	}

	/// A numeric part for which a lower value is tighter.
	fn lower<V: Ord + Copy + Into<u128>>(old: V, new: V) -> (Direction, bool) {
		(Direction::lower_is_tighter(old, new), Self::step_ok(old.into(), new.into()))
	}

	/// A numeric part only the root or risk track may move, in either
	/// direction (still step-bounded for the risk track).
	fn governed<V: Ord + Copy + Into<u128>>(old: V, new: V) -> (Direction, bool) {
		let direction =
			if old == new { Direction::Unchanged } else { Direction::governance_only() };
		(direction, Self::step_ok(old.into(), new.into()))
	}

	/// Classifies a change of a market's parameters, field by field (every
	/// numeric field step-bounded):
	///
	/// | field | tighter when |
	/// | --- | --- |
	/// | `oracle_asset` | never: any change is governance's |
	/// | `initial_margin` | higher (lower largest leverage) |
	/// | `maintenance_margin` | higher |
	/// | `open_interest_lower_cap`, `open_interest_upper_cap` | lower (the margin add-on starts sooner) |
	/// | `max_open_interest` | lower |
	/// | `volatility_multiplier`, `volatility_cap` | higher (a larger volatility add-on) |
	/// | `skew_fee` | higher (skew-increasing trades pay more) |
	/// | `skew_scale` | lower (the skew fee reaches its rate sooner) |
	/// | `max_funding_rate` | higher (funding pulls the skew back harder) |
	/// | `funding_skew_scale` | lower (funding reaches its cap sooner) |
	/// | `trading_fee`, `liquidation_penalty`, `liquidator_reward` | never: pricing and transfers between traders, keepers and the insurance fund, with no defensive direction; any change is governance's |
	pub(crate) fn classify_market_params(old: &MarketParams, new: &MarketParams) -> Classified {
		let oracle = if old.oracle_asset == new.oracle_asset {
			Direction::Unchanged
		} else {
			Direction::governance_only()
		};
		let parts = [
			Self::higher(old.initial_margin.deconstruct(), new.initial_margin.deconstruct()),
			Self::higher(
				old.maintenance_margin.deconstruct(),
				new.maintenance_margin.deconstruct(),
			),
			Self::lower(old.open_interest_lower_cap, new.open_interest_lower_cap),
			Self::lower(old.open_interest_upper_cap, new.open_interest_upper_cap),
			Self::lower(old.max_open_interest, new.max_open_interest),
			Self::higher(
				old.volatility_multiplier.into_inner(),
				new.volatility_multiplier.into_inner(),
			),
			Self::higher(old.volatility_cap.deconstruct(), new.volatility_cap.deconstruct()),
			Self::governed(old.trading_fee.deconstruct(), new.trading_fee.deconstruct()),
			Self::higher(old.skew_fee.deconstruct(), new.skew_fee.deconstruct()),
			Self::lower(old.skew_scale, new.skew_scale),
			Self::governed(
				old.liquidation_penalty.deconstruct(),
				new.liquidation_penalty.deconstruct(),
			),
			Self::governed(
				old.liquidator_reward.deconstruct(),
				new.liquidator_reward.deconstruct(),
			),
			Self::higher(old.max_funding_rate.deconstruct(), new.max_funding_rate.deconstruct()),
			Self::lower(old.funding_skew_scale, new.funding_skew_scale),
		];
		parts
			.into_iter()
			.fold(Classified::discrete(oracle), |acc, (direction, ok)| acc.with(direction, ok))
	}

	/// Classifies a change of the liquidation sizing. What defends the
	/// protocol is a liquidation that removes more of an insolvent account's
	/// risk sooner (the pool takes the positions at the oracle price, so a
	/// larger close costs it nothing), so for every field higher is tighter:
	/// `full_below` (more accounts closed in full), `buffer` (a partial close
	/// restores more), `small_position` (more positions closed in full),
	/// `large_position` (fewer positions limited to `max_portion`) and
	/// `max_portion` (a large position closes faster). All step-bounded: each
	/// liquidates more of the accounts below maintenance.
	pub(crate) fn classify_liquidation_params(
		old: &LiquidationParams,
		new: &LiquidationParams,
	) -> Classified {
		let parts = [
			Self::higher(old.full_below.deconstruct(), new.full_below.deconstruct()),
			Self::higher(old.buffer.deconstruct(), new.buffer.deconstruct()),
			Self::higher(old.small_position, new.small_position),
			Self::higher(old.large_position, new.large_position),
			Self::higher(old.max_portion.deconstruct(), new.max_portion.deconstruct()),
		];
		parts
			.into_iter()
			.fold(Classified::discrete(Direction::Unchanged), |acc, (d, ok)| acc.with(d, ok))
	}

	/// Classifies a change of the profit warm-up: a longer `period` and a
	/// lower `threshold` (more profit matures before it can leave) tighten;
	/// both step-bounded (so only Root switches a disabled warm-up on).
	pub(crate) fn classify_warmup(old: &WarmupOf<T>, new: &WarmupOf<T>) -> Classified {
		let old_period: u128 = old.period.unique_saturated_into();
		let new_period: u128 = new.period.unique_saturated_into();
		let (threshold, threshold_ok) = Self::lower(old.threshold, new.threshold);
		let (period, period_ok) = Self::higher(old_period, new_period);
		Classified::discrete(Direction::Unchanged)
			.with(threshold, threshold_ok)
			.with(period, period_ok)
	}

	/// Classifies a change of the sweep budget: a larger budget liquidates
	/// faster in a crash, so higher is tighter, in each of its two
	/// components (lowering either loosens); both step-bounded.
	pub(crate) fn classify_sweep_budget(old: Weight, new: Weight) -> Classified {
		let (time, time_ok) = Self::higher(old.ref_time(), new.ref_time());
		let (proof, proof_ok) = Self::higher(old.proof_size(), new.proof_size());
		Classified::discrete(Direction::Unchanged).with(time, time_ok).with(proof, proof_ok)
	}

	/// Classifies a change of a market's stress move: higher is tighter (the
	/// backstop must hold more), step-bounded.
	pub(crate) fn classify_stress_move(old: Permill, new: Permill) -> Classified {
		let (direction, ok) = Self::higher(old.deconstruct(), new.deconstruct());
		Classified::discrete(Direction::Unchanged).with(direction, ok)
	}

	/// Classifies a change of the fee split: governance's only (it moves
	/// revenue between LPs, the insurance fund and the stakers; no direction
	/// defends the protocol), each part step-bounded.
	pub(crate) fn classify_fee_split(old: &FeeSplit, new: &FeeSplit) -> Classified {
		let ok =
			Self::step_ok(
				old.liquidity_providers.deconstruct().into(),
				new.liquidity_providers.deconstruct().into(),
			) && Self::step_ok(
				old.insurance.deconstruct().into(),
				new.insurance.deconstruct().into(),
			) && Self::step_ok(old.stakers.deconstruct().into(), new.stakers.deconstruct().into());
		Classified { direction: Direction::governance_only(), within_step: ok }
	}

	/// Classifies a change of a market's status: `Active` → `ReduceOnly` →
	/// `Halted` tightens in that order, any move back loosens; a discrete
	/// action (no step). `Closed` never reaches here (`MarketClosed`).
	pub(crate) fn classify_status(old: MarketStatus, new: MarketStatus) -> Classified {
		let direction = match (status_rank(old), status_rank(new)) {
			(Some(old), Some(new)) => Direction::higher_is_tighter(old, new),
			// Unreachable: `Closed` is refused before; treated as governance's.
			_ => Direction::governance_only(),
		};
		Classified::discrete(direction)
	}
}
