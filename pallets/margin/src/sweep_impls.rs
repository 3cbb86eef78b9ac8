//! Finding liquidatable accounts: the index of accounts with positions, the
//! automatic sweep over it in `on_initialize` within a governed weight
//! budget, and the keepers' batch call.
//!
//! **Index.** [`Traders`] holds every account with at least one position and
//! nothing else, kept in step by `store_account`. An account without a
//! position is never examined, so opening many empty accounts slows nobody.
//!
//! **Sweep.** Each block's `on_initialize` (after funding and
//! auto-deleveraging, so it runs in a full block too) walks the index from
//! where the last block stopped. It charges every account examined the
//! measured cost of valuing an account with the most positions, and a
//! liquidation what that liquidation used; it starts a liquidation only
//! while the budget left covers the worst case, so it never overruns. The
//! budget is `SweepBudget` (governed, at most `MaxSweepWeight`), and at most
//! `MaxSweepAccounts` accounts are examined per block.
//!
//! **Batches.** A keeper that finds liquidatable accounts by reading state
//! off chain names them in one `liquidate_batch`; it is charged the worst
//! case up front and refunded to what was used.

use super::*;
use alloc::vec::Vec;
use frame_support::{pallet_prelude::*, weights::WeightMeter};
use sp_arithmetic::traits::Zero;

impl<T: Config> Pallet<T> {
	/// Keeps `who`'s entry in [`Traders`] in step with its positions going
	/// from `had` to `has`.
	pub(crate) fn reindex(who: &T::AccountId, had: bool, has: bool) {
		match (had, has) {
			(false, true) => Traders::<T>::insert(who, ()),
			(true, false) => Traders::<T>::remove(who),
			_ => {},
		}
	}

	/// The sweep's budget per block: as governance set it, or the most it
	/// may be.
	pub fn sweep_budget() -> Weight {
		SweepBudget::<T>::get().unwrap_or_else(T::MaxSweepWeight::get)
	}

	/// The least budget the sweep needs to get anything done: its fixed
	/// cost, one account examined and one worst-case liquidation.
	pub fn min_sweep_budget() -> Weight {
		T::WeightInfo::on_initialize_sweep(1).saturating_add(Self::liquidation_weight(None))
	}

	/// The `set_sweep_budget` call: a larger budget liquidates faster in a
	/// crash, so raising it (in both components) tightens and lowering
	/// either loosens; step-bounded from the budget in force.
	pub(crate) fn do_set_sweep_budget(
		authority: backstop_primitives::Authority,
		budget: Weight,
	) -> DispatchResult {
		ensure!(
			budget.all_lte(T::MaxSweepWeight::get()) && Self::min_sweep_budget().all_lte(budget),
			Error::<T>::InvalidSweepBudget
		);
		let old = Self::sweep_budget();
		let key = ParamKey::SweepBudget;
		Self::ensure_may_change(
			authority,
			Self::classify_sweep_budget(old, budget),
			Self::last_change(key),
		)?;
		SweepBudget::<T>::put(budget);
		if old != budget {
			Self::note_change(key);
		}
		Self::deposit_event(Event::SweepBudgetUpdated { budget });
		Ok(())
	}

	/// Whether `who` holds positions and is below maintenance, with a leg
	/// lacking a fresh price at its conservative mark (the test the
	/// liquidation itself applies).
	fn below_maintenance(who: &T::AccountId) -> bool {
		Self::is_liquidatable(who) == Ok(true)
	}

	/// Up to `max` accounts of the index in the order the sweep examines
	/// them, with their raw keys: from the cursor to the end of the index,
	/// then from the top round to the cursor again, so that one pass goes
	/// once round the whole index and never twice.
	fn sweep_order(max: usize) -> Vec<(T::AccountId, Vec<u8>)> {
		let start = LiquidationCursor::<T>::get().map(|raw| raw.into_inner());
		let mut order: Vec<(T::AccountId, Vec<u8>)> = Vec::new();
		let mut iter = match start.as_ref() {
			Some(raw) => Traders::<T>::iter_from(raw.clone()),
			None => Traders::<T>::iter(),
		};
		while order.len() < max {
			let Some((who, ())) = iter.next() else { break };
			order.push((who, iter.last_raw_key().to_vec()));
		}
		if let Some(start) = start.as_ref() {
			let mut iter = Traders::<T>::iter();
			while order.len() < max {
				let Some((who, ())) = iter.next() else { break };
				let raw = iter.last_raw_key().to_vec();
				if raw > *start {
					break;
				}
				order.push((who, raw));
			}
		}
		order
	}

	/// The index in the order the next sweep examines it (tests).
	#[cfg(test)]
	pub(crate) fn sweep_order_for_tests() -> Vec<T::AccountId> {
		Self::sweep_order(usize::MAX).into_iter().map(|(who, _)| who).collect()
	}

	/// How many accounts of the index the next block's sweep examines at
	/// the least: its budget (less its fixed cost) over the cost of
	/// examining one account and liquidating it in the worst case.
	pub fn sweep_reach() -> u32 {
		// A final settlement uses the budget first: the sweep is sure of
		// nothing.
		if FinalSettlement::<T>::iter_keys().next().is_some() {
			return 0;
		}
		let fixed = T::WeightInfo::on_initialize_sweep(0);
		let per_account = T::WeightInfo::on_initialize_sweep(1).saturating_sub(fixed);
		let each = per_account.saturating_add(Self::liquidation_weight(None));
		let room = Self::sweep_budget().saturating_sub(fixed);
		let by_time = room.ref_time().checked_div(each.ref_time()).unwrap_or(u64::MAX);
		let by_proof = room.proof_size().checked_div(each.proof_size()).unwrap_or(u64::MAX);
		let reach = u32::try_from(by_time.min(by_proof)).unwrap_or(u32::MAX);
		reach.min(<T as Config>::MaxSweepAccounts::get())
	}

	/// The automatic sweep of `on_initialize`: examines accounts of
	/// [`Traders`] from the stored cursor within the budget and liquidates
	/// those below maintenance (without a reward). An account that cannot be
	/// liquidated now is left unchanged. Returns the weight used.
	#[cfg(any(test, feature = "runtime-benchmarks"))]
	pub(crate) fn sweep_liquidations() -> Weight {
		let mut meter = WeightMeter::with_limit(Self::sweep_budget());
		Self::sweep_within(&mut meter);
		meter.consumed()
	}

	/// The `on_initialize` part: final settlements first, then the sweep,
	/// within one budget (`sweep_budget`). Returns the weight used.
	pub(crate) fn settle_and_sweep() -> Weight {
		let mut meter = WeightMeter::with_limit(Self::sweep_budget());
		Self::settle_finals(&mut meter);
		Self::sweep_within(&mut meter);
		meter.consumed()
	}

	/// The sweep within `meter`.
	fn sweep_within(meter: &mut WeightMeter) {
		let fixed = T::WeightInfo::on_initialize_sweep(0);
		let per_account = T::WeightInfo::on_initialize_sweep(1).saturating_sub(fixed);
		let worst = Self::liquidation_weight(None);
		if meter.try_consume(fixed).is_err() || Traders::<T>::count().is_zero() {
			return;
		}
		let max = usize::try_from(<T as Config>::MaxSweepAccounts::get()).unwrap_or(usize::MAX);
		// Collect first: a liquidation that closes an account removes it from
		// the index.
		let batch = Self::sweep_order(max);
		let mut resume = None;
		for (who, raw) in batch {
			if !meter.can_consume(per_account.saturating_add(worst)) {
				break;
			}
			meter.consume(per_account);
			if Self::below_maintenance(&who) {
				match Self::do_liquidate(&who, None) {
					Ok(outcome) => {
						log::debug!(target: LOG_TARGET, "sweep liquidated an account: {outcome:?}");
						meter.consume(Self::liquidation_weight(Some(outcome)));
					},
					// Nothing changed (the layer was rolled back); the
					// attempt read what a liquidation reads.
					Err(_) => meter.consume(T::WeightInfo::liquidate_one_position()),
				}
			}
			resume = Some(raw);
		}
		// The next block resumes after the last account examined.
		if let Some(Ok(key)) = resume.map(BoundedVec::<u8, CursorBound>::try_from) {
			LiquidationCursor::<T>::put(key);
		}
	}

	/// The weight of a batch of `accounts`: the fixed cost of the call and,
	/// for each account, examining it and its liquidation — the worst case
	/// (`used` `None`), or the sum of the liquidations it did.
	pub fn batch_weight(accounts: usize, used: Option<Weight>) -> Weight {
		let n = u64::try_from(accounts).unwrap_or(u64::MAX);
		let fixed = T::WeightInfo::on_initialize_sweep(0);
		let per_account = T::WeightInfo::on_initialize_sweep(1).saturating_sub(fixed);
		let examined = fixed.saturating_add(per_account.saturating_mul(n));
		let liquidations = used.unwrap_or_else(|| Self::liquidation_weight(None).saturating_mul(n));
		examined.saturating_add(liquidations)
	}

	/// The `liquidate_batch` call: liquidates each of `accounts` that can be,
	/// rewarding `keeper`; returns the weight used.
	pub(crate) fn do_liquidate_batch(
		keeper: &T::AccountId,
		accounts: Vec<T::AccountId>,
	) -> Result<Weight, DispatchError> {
		let count = accounts.len();
		let mut used = Weight::zero();
		let (mut liquidated, mut skipped) = (0u32, 0u32);
		for who in accounts {
			match Self::do_liquidate(&who, Some(keeper)) {
				Ok(outcome) => {
					liquidated = liquidated.saturating_add(1);
					used = used.saturating_add(Self::liquidation_weight(Some(outcome)));
				},
				Err(_) => {
					skipped = skipped.saturating_add(1);
					used = used.saturating_add(T::WeightInfo::liquidate_one_position());
				},
			}
		}
		ensure!(liquidated > 0, Error::<T>::NothingLiquidated);
		Self::deposit_event(Event::BatchLiquidated { keeper: keeper.clone(), liquidated, skipped });
		Ok(Self::batch_weight(count, Some(used)))
	}

	/// Runtime API: up to `max` accounts below maintenance now (a leg without
	/// a fresh price at its conservative mark), leaving out those the next
	/// block's sweep is sure to reach, and starting from those it would reach
	/// last (the sweep order, backwards): what a keeper names in
	/// `liquidate_batch`, so that keepers and the sweep work from opposite
	/// ends of the index instead of racing for the same accounts. Reads the
	/// whole index: for off-chain use.
	pub fn liquidatable_accounts(max: u32) -> Vec<T::AccountId> {
		let max = usize::try_from(max).unwrap_or(usize::MAX);
		let skip = usize::try_from(Self::sweep_reach()).unwrap_or(usize::MAX);
		Self::sweep_order(usize::MAX)
			.into_iter()
			.skip(skip)
			.rev()
			.map(|(who, _)| who)
			.filter(|who| Self::below_maintenance(who))
			.take(max)
			.collect()
	}
}
