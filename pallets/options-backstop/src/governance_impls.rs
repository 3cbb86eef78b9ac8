//! Governance: hard ranges, the classification of each change (tighten or
//! loosen), the step and interval rules, and the privileged calls' logic.

use super::*;
use backstop_primitives::{
	governance::{check_change, within_step, ChangeRefusal, ProposedChange},
	Authority, Direction,
};
use frame_support::pallet_prelude::*;
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{
	traits::{UniqueSaturatedInto, Zero},
	FixedU128,
};

/// One governed parameter a change touches.
pub(crate) struct Part {
	/// The parameter.
	pub key: ParamKey,
	/// How it moves.
	pub direction: Direction,
	/// Whether it moves within the maximum step.
	pub within_step: bool,
}

impl<T: Config> Pallet<T> {
	fn refusal(refusal: ChangeRefusal) -> Error<T> {
		match refusal {
			ChangeRefusal::GuardianCannotLoosen => Error::<T>::GuardianCannotLoosen,
			ChangeRefusal::StepTooLarge => Error::<T>::StepTooLarge,
			ChangeRefusal::ChangeTooSoon => Error::<T>::ChangeTooSoon,
		}
	}

	/// A change with no parameter and no interval (a purchase, adding a
	/// template): only the direction counts.
	pub(crate) fn check_action(authority: Authority, direction: Direction) -> DispatchResult {
		let change = ProposedChange {
			direction,
			within_step: true,
			last_change: None,
			now: Self::now(),
			min_interval: T::MinChangeInterval::get(),
		};
		check_change(authority, change).map_err(|r| Self::refusal(r).into())
	}

	/// Checks a change made of `parts` (the whole is a loosening if any part
	/// loosens), reading `ParamChangedAt` of every changed part, and on
	/// success records now for each. Nothing is written on a refusal.
	pub(crate) fn check_parts(authority: Authority, parts: &[Part]) -> DispatchResult {
		let now = Self::now();
		let direction = parts.iter().fold(Direction::Unchanged, |d, part| d.and(part.direction));
		let changed = parts.iter().filter(|p| p.direction != Direction::Unchanged);
		for part in changed.clone() {
			let change = ProposedChange {
				direction,
				within_step: part.within_step,
				last_change: ParamChangedAt::<T>::get(part.key),
				now,
				min_interval: T::MinChangeInterval::get(),
			};
			check_change(authority, change).map_err(Self::refusal)?;
		}
		for part in changed {
			ParamChangedAt::<T>::insert(part.key, now);
		}
		Ok(())
	}

	fn step(old: u128, new: u128) -> bool {
		within_step(old, new, T::MaxParamStep::get())
	}

	fn fixed_part(key: ParamKey, old: FixedU128, new: FixedU128, higher_is_tighter: bool) -> Part {
		let direction = if higher_is_tighter {
			Direction::higher_is_tighter(old, new)
		} else {
			Direction::lower_is_tighter(old, new)
		};
		Part { key, direction, within_step: Self::step(old.into_inner(), new.into_inner()) }
	}

	// ---- hard ranges ----

	pub(crate) fn template_in_range(t: &Template<BlockNumberFor<T>>) -> bool {
		!t.lower_moneyness.is_zero()
			&& t.lower_moneyness < t.upper_moneyness
			&& t.tenor > T::SettlementWindow::get()
			&& t.tenor <= T::MaxTenor::get()
	}

	pub(crate) fn pricing_in_range(p: &PricingParams) -> bool {
		!p.vol_floor.is_zero()
			&& p.vol_floor <= p.vol_cap
			&& p.vol_cap <= T::MaxVol::get()
			&& p.vol_scale <= T::MaxVolScale::get()
			&& p.utilization_slope <= T::MaxVol::get()
	}

	pub(crate) fn skew_in_range(points: &[SkewPoint]) -> bool {
		points
			.iter()
			.all(|p| !p.multiplier.is_zero() && p.multiplier <= T::MaxSkewMultiplier::get())
			&& points.windows(2).all(|w| match (w.first(), w.get(1)) {
				(Some(a), Some(b)) => a.log_moneyness < b.log_moneyness,
				_ => true,
			})
	}

	pub(crate) fn policy_in_range(p: &PurchasePolicy<BlockNumberFor<T>>) -> bool {
		!p.period.is_zero()
			&& p.period <= T::MaxBudgetPeriod::get()
			&& p.max_premium_per_period <= T::MaxPremiumPerPeriod::get()
			&& !p.stress_drop.is_zero()
	}

	pub(crate) fn vault_params_in_range(p: &VaultParams<BlockNumberFor<T>>) -> bool {
		p.min_deposit <= T::MaxMinDeposit::get()
			&& !p.withdraw_delay.is_zero()
			&& p.withdraw_delay <= T::MaxWithdrawDelay::get()
			&& !p.withdraw_window.is_zero()
			&& p.withdraw_window <= T::MaxWithdrawWindow::get()
	}

	// ---- the privileged calls ----

	pub(crate) fn insert_template(
		terms: Template<BlockNumberFor<T>>,
	) -> Result<TemplateId, DispatchError> {
		ensure!(Templates::<T>::count() < T::MaxTemplates::get(), Error::<T>::TooManyTemplates);
		let id = NextTemplateId::<T>::get();
		NextTemplateId::<T>::put(id.checked_add(1).ok_or(Error::<T>::Overflow)?);
		Templates::<T>::insert(id, terms);
		Ok(id)
	}

	/// Adds a template: governance only.
	pub(crate) fn do_add_template(
		authority: Authority,
		terms: Template<BlockNumberFor<T>>,
	) -> DispatchResult {
		ensure!(Self::template_in_range(&terms), Error::<T>::InvalidTemplate);
		Self::check_action(authority, Direction::governance_only())?;
		let template = Self::insert_template(terms)?;
		Self::deposit_event(Event::TemplateAdded { template, terms });
		Ok(())
	}

	/// Removes a template: governance only (it stops the rolling listing
	/// and the policy's purchases).
	pub(crate) fn do_remove_template(authority: Authority, template: TemplateId) -> DispatchResult {
		ensure!(Templates::<T>::contains_key(template), Error::<T>::UnknownTemplate);
		Self::check_action(authority, Direction::governance_only())?;
		Templates::<T>::remove(template);
		Listed::<T>::remove(template);
		Self::deposit_event(Event::TemplateRemoved { template });
		Ok(())
	}

	/// Sets the pricing parameters. Higher volatility parameters (floor,
	/// cap, scale, utilization slope) and a higher trigger probability
	/// price the protection more conservatively for the underwriters who
	/// collateralize it: higher is tighter; every one is step-bounded.
	pub(crate) fn do_set_pricing(authority: Authority, params: PricingParams) -> DispatchResult {
		ensure!(Self::pricing_in_range(&params), Error::<T>::InvalidPricing);
		let old = Pricing::<T>::get();
		let parts = [
			Self::fixed_part(ParamKey::VolFloor, old.vol_floor, params.vol_floor, true),
			Self::fixed_part(ParamKey::VolCap, old.vol_cap, params.vol_cap, true),
			Self::fixed_part(ParamKey::VolScale, old.vol_scale, params.vol_scale, true),
			Self::fixed_part(
				ParamKey::UtilizationSlope,
				old.utilization_slope,
				params.utilization_slope,
				true,
			),
			Part {
				key: ParamKey::TriggerProbability,
				direction: Direction::higher_is_tighter(
					old.trigger_probability,
					params.trigger_probability,
				),
				within_step: Self::step(
					old.trigger_probability.deconstruct().into(),
					params.trigger_probability.deconstruct().into(),
				),
			},
		];
		Self::check_parts(authority, &parts)?;
		Pricing::<T>::put(params);
		Self::deposit_event(Event::PricingSet { params });
		Ok(())
	}

	/// Sets the skew curve. On the same log-moneyness grid, higher
	/// multipliers are tighter and each is step-bounded; a new grid is
	/// governance only.
	pub(crate) fn do_set_skew(
		authority: Authority,
		points: BoundedVec<SkewPoint, T::MaxSkewPoints>,
	) -> DispatchResult {
		ensure!(Self::skew_in_range(&points), Error::<T>::InvalidSkew);
		let old = Skew::<T>::get();
		let same_grid = old.len() == points.len()
			&& old.iter().zip(points.iter()).all(|(a, b)| a.log_moneyness == b.log_moneyness);
		let part = if same_grid {
			let (direction, within) = old.iter().zip(points.iter()).fold(
				(Direction::Unchanged, true),
				|(d, w), (a, b)| {
					(
						d.and(Direction::higher_is_tighter(a.multiplier, b.multiplier)),
						w && Self::step(a.multiplier.into_inner(), b.multiplier.into_inner()),
					)
				},
			);
			Part { key: ParamKey::Skew, direction, within_step: within }
		} else {
			Part {
				key: ParamKey::Skew,
				direction: Direction::governance_only(),
				within_step: false,
			}
		};
		Self::check_parts(authority, &[part])?;
		let count = u32::try_from(points.len()).unwrap_or(u32::MAX);
		Skew::<T>::put(points);
		Self::deposit_event(Event::SkewSet { points: count });
		Ok(())
	}

	/// Sets the purchase policy. Disabling it (and changing nothing else)
	/// is a discrete defensive action without interval; any other change
	/// spends the fund's money and is governance only, its numbers
	/// step-bounded.
	pub(crate) fn do_set_policy(
		authority: Authority,
		policy: PurchasePolicy<BlockNumberFor<T>>,
	) -> DispatchResult {
		ensure!(Self::policy_in_range(&policy), Error::<T>::InvalidPolicy);
		let old = Policy::<T>::get();
		match old {
			Some(old) if old == PurchasePolicy { enabled: old.enabled, ..policy } => {
				// Only `enabled` changes (or nothing).
				let direction = Direction::lower_is_tighter(old.enabled, policy.enabled);
				if direction == Direction::Tighten {
					Self::check_action(authority, direction)?;
				} else {
					Self::check_parts(
						authority,
						&[Part { key: ParamKey::Policy, direction, within_step: true }],
					)?;
				}
			},
			Some(old) => {
				let to = |b: BlockNumberFor<T>| -> u128 { b.unique_saturated_into() };
				let within =
					Self::step(
						old.budget_share.deconstruct().into(),
						policy.budget_share.deconstruct().into(),
					) && Self::step(old.max_premium_per_period, policy.max_premium_per_period)
						&& Self::step(to(old.period), to(policy.period))
						&& Self::step(
							old.stress_drop.deconstruct().into(),
							policy.stress_drop.deconstruct().into(),
						);
				Self::check_parts(
					authority,
					&[Part {
						key: ParamKey::Policy,
						direction: Direction::governance_only(),
						within_step: within,
					}],
				)?;
			},
			None => Self::check_parts(
				authority,
				&[Part {
					key: ParamKey::Policy,
					direction: Direction::governance_only(),
					within_step: false,
				}],
			)?,
		}
		Policy::<T>::put(policy);
		Self::deposit_event(Event::PolicySet { policy });
		Ok(())
	}

	/// Sets the vault's parameters: a higher minimum deposit and a longer
	/// delay are tighter, a longer window looser; each step-bounded.
	pub(crate) fn do_set_vault_params(
		authority: Authority,
		params: VaultParams<BlockNumberFor<T>>,
	) -> DispatchResult {
		ensure!(Self::vault_params_in_range(&params), Error::<T>::InvalidVaultParams);
		let old = Self::vault_params();
		let to = |b: BlockNumberFor<T>| -> u128 { b.unique_saturated_into() };
		let parts = [
			Part {
				key: ParamKey::MinDeposit,
				direction: Direction::higher_is_tighter(old.min_deposit, params.min_deposit),
				within_step: Self::step(old.min_deposit, params.min_deposit),
			},
			Part {
				key: ParamKey::WithdrawDelay,
				direction: Direction::higher_is_tighter(old.withdraw_delay, params.withdraw_delay),
				within_step: Self::step(to(old.withdraw_delay), to(params.withdraw_delay)),
			},
			Part {
				key: ParamKey::WithdrawWindow,
				direction: Direction::lower_is_tighter(old.withdraw_window, params.withdraw_window),
				within_step: Self::step(to(old.withdraw_window), to(params.withdraw_window)),
			},
		];
		Self::check_parts(authority, &parts)?;
		VaultConfig::<T>::put(params);
		Self::deposit_event(Event::VaultParamsSet { params });
		Ok(())
	}
}
