//! Benchmarks of every call, the hook and the pricing function, each in its
//! worst case.
//!
//! What the weights depend on:
//!
//! * every call that prices shares (`deposit`, `request_withdraw`,
//!   `withdraw`) values every listed series (a Black–Scholes spread and its
//!   early-exercise premium each): they are measured with `MaxSeries` series,
//!   all with open spreads;
//! * `execute_policy` runs over `MaxTemplates` templates, each with a listed
//!   series, a target far above the protection and a budget that binds, so
//!   that every template bisects its size (`POLICY_BISECTIONS` quotes) and
//!   buys;
//! * `on_initialize(r, l)`: `r` series read and sampled in their settlement
//!   window, `l` templates listing a series;
//! * `quote` is the pricing function alone (`Pallet::quote_spread`).
//!
//! Setup goes through the pallet's own functions; the runtime-specific steps
//! (a price, a funded buyer below its floor) through `Config::BenchmarkHelper`.

use super::*;
use backstop_primitives::{units::DOLLARS, Balance, OracleAssetId, Price};
use frame_benchmarking::v2::*;
use frame_support::{
	traits::{
		fungible::{Inspect, Mutate},
		EnsureOrigin, Get, Hooks,
	},
	BoundedVec,
};
use frame_system::{pallet_prelude::BlockNumberFor, RawOrigin};
use sp_runtime::{
	traits::{Saturating, Zero},
	DispatchError, FixedI128, FixedU128, Permill,
};

/// The asset the benchmarks price (one no genesis preset uses).
const ASSET: OracleAssetId = OracleAssetId::MAX - 1;
/// One whole base unit.
const UNIT: u128 = 1_000_000;

fn stop(what: &'static str) -> impl Fn(DispatchError) -> BenchmarkError {
	move |_| BenchmarkError::Stop(what)
}

fn now<T: Config>() -> BlockNumberFor<T> {
	frame_system::Pallet::<T>::block_number()
}

fn advance<T: Config>(blocks: BlockNumberFor<T>) {
	frame_system::Pallet::<T>::set_block_number(now::<T>().saturating_add(blocks));
}

fn spot() -> Price {
	FixedU128::from_u32(60_000)
}

fn admin<T: Config>() -> Result<T::RuntimeOrigin, BenchmarkError> {
	T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)
}

/// An account holding `amount` plus a margin.
fn funded<T: Config>(name: &'static str, amount: Balance) -> Result<T::AccountId, BenchmarkError> {
	let who: T::AccountId = account(name, 0, 0);
	T::Currency::mint_into(&who, amount.saturating_mul(2).saturating_add(DOLLARS))
		.map_err(stop("cannot fund an account"))?;
	Ok(who)
}

/// A price for `ASSET`, a vault of 100 million dollars (its buffer in place),
/// the vault parameters in force and a buyer with money.
fn setup<T: Config>() -> Result<(), BenchmarkError> {
	T::BenchmarkHelper::set_price(ASSET, spot());
	let account = Pallet::<T>::account_id();
	T::Currency::mint_into(&account, T::Currency::minimum_balance().max(1))
		.map_err(stop("cannot mint the buffer"))?;
	VaultConfig::<T>::put(VaultParams {
		min_deposit: Zero::zero(),
		withdraw_delay: 1u32.into(),
		withdraw_window: T::MaxWithdrawWindow::get(),
	});
	let amount = 100_000_000 * DOLLARS;
	let lp = funded::<T>("seeder", amount)?;
	Pallet::<T>::do_deposit(&lp, amount).map_err(stop("cannot seed the vault"))?;
	T::BenchmarkHelper::fund_buyer(100_000_000 * DOLLARS, 0);
	Ok(())
}

fn template<T: Config>() -> Template<BlockNumberFor<T>> {
	Template {
		asset: ASSET,
		upper_moneyness: Permill::from_percent(80),
		lower_moneyness: Permill::from_percent(60),
		tenor: T::MaxTenor::get(),
		target_payout: 1_000_000_000 * DOLLARS,
	}
}

/// Lists a series on `ASSET` (80%/60% of the spot) for `template`.
fn list<T: Config>(template: TemplateId) -> Result<SeriesId, BenchmarkError> {
	let id = NextSeriesId::<T>::get();
	let expiry = now::<T>().saturating_add(T::MaxTenor::get());
	Pallet::<T>::insert_series(
		template,
		ASSET,
		FixedU128::from_u32(48_000),
		FixedU128::from_u32(36_000),
		expiry,
	)
	.map_err(stop("cannot list a series"))?;
	Ok(id)
}

/// Fills the listing up to `MaxSeries`, each series with open spreads.
fn fill_series<T: Config>() -> Result<SeriesId, BenchmarkError> {
	let mut last = None;
	let mut i: u32 = 0;
	while SeriesOf::<T>::count() < T::MaxSeries::get() {
		let id = list::<T>(TemplateId::MAX.saturating_sub(i))?;
		Pallet::<T>::do_buy(id, UNIT, Balance::MAX, false).map_err(stop("cannot sell"))?;
		last = Some(id);
		i = i.saturating_add(1);
	}
	last.ok_or(BenchmarkError::Stop("no series"))
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn deposit() -> Result<(), BenchmarkError> {
		setup::<T>()?;
		fill_series::<T>()?;
		let amount = 1_000 * DOLLARS;
		let caller = funded::<T>("caller", amount)?;
		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), amount);
		assert!(Underwriters::<T>::get(&caller).is_some());
		Ok(())
	}

	#[benchmark]
	fn request_withdraw() -> Result<(), BenchmarkError> {
		setup::<T>()?;
		let amount = 1_000 * DOLLARS;
		let caller = funded::<T>("caller", amount)?;
		Pallet::<T>::do_deposit(&caller, amount).map_err(stop("deposit"))?;
		fill_series::<T>()?;
		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), 1_000);
		assert!(Underwriters::<T>::get(&caller).and_then(|p| p.request).is_some());
		Ok(())
	}

	#[benchmark]
	fn cancel_withdraw() -> Result<(), BenchmarkError> {
		setup::<T>()?;
		let amount = 1_000 * DOLLARS;
		let caller = funded::<T>("caller", amount)?;
		Pallet::<T>::do_deposit(&caller, amount).map_err(stop("deposit"))?;
		Pallet::<T>::do_request_withdraw(&caller, 1_000).map_err(stop("request"))?;
		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()));
		assert!(Underwriters::<T>::get(&caller).and_then(|p| p.request).is_none());
		Ok(())
	}

	#[benchmark]
	fn withdraw() -> Result<(), BenchmarkError> {
		setup::<T>()?;
		let amount = 1_000 * DOLLARS;
		let caller = funded::<T>("caller", amount)?;
		Pallet::<T>::do_deposit(&caller, amount).map_err(stop("deposit"))?;
		fill_series::<T>()?;
		Pallet::<T>::do_request_withdraw(&caller, 1_000).map_err(stop("request"))?;
		advance::<T>(Pallet::<T>::vault_params().withdraw_delay);
		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), 1_000);
		assert!(Underwriters::<T>::get(&caller).and_then(|p| p.request).is_none());
		Ok(())
	}

	#[benchmark]
	fn execute_policy() -> Result<(), BenchmarkError> {
		setup::<T>()?;
		while Templates::<T>::count() < T::MaxTemplates::get() {
			let id = Pallet::<T>::insert_template(template::<T>()).map_err(stop("template"))?;
			list::<T>(id)?;
		}
		// A budget that binds: the targets would cost far more.
		Policy::<T>::put(PurchasePolicy {
			enabled: true,
			budget_share: Permill::from_percent(100),
			max_premium_per_period: T::MaxPremiumPerPeriod::get(),
			period: T::MaxBudgetPeriod::get(),
			stress_drop: Permill::from_percent(30),
		});
		Budget::<T>::put(BudgetState {
			period_start: now::<T>(),
			income_at_start:
				<T::Buyer as backstop_primitives::ProtectionBuyer<T::AccountId>>::fee_income(),
			spent: 0,
		});
		T::BenchmarkHelper::fund_buyer(0, 10_000 * DOLLARS);
		let caller: T::AccountId = whitelisted_caller();
		#[extrinsic_call]
		_(RawOrigin::Signed(caller));
		assert!(!Budget::<T>::get().spent.is_zero());
		Ok(())
	}

	#[benchmark]
	fn settle() -> Result<(), BenchmarkError> {
		setup::<T>()?;
		let id = list::<T>(TemplateId::MAX)?;
		Pallet::<T>::do_buy(id, 10 * UNIT, Balance::MAX, false).map_err(stop("sell"))?;
		T::BenchmarkHelper::set_price(ASSET, FixedU128::from_u32(40_000));
		advance::<T>(T::MaxTenor::get());
		let caller: T::AccountId = whitelisted_caller();
		#[extrinsic_call]
		_(RawOrigin::Signed(caller), id);
		assert!(!SeriesOf::<T>::contains_key(id));
		Ok(())
	}

	#[benchmark]
	fn exercise_early() -> Result<(), BenchmarkError> {
		setup::<T>()?;
		let id = list::<T>(TemplateId::MAX)?;
		Pallet::<T>::do_buy(id, 10 * UNIT, Balance::MAX, false).map_err(stop("sell"))?;
		T::BenchmarkHelper::set_price(ASSET, FixedU128::from_u32(40_000));
		T::BenchmarkHelper::set_below_floor();
		let caller: T::AccountId = whitelisted_caller();
		#[extrinsic_call]
		_(RawOrigin::Signed(caller), id, UNIT);
		assert_eq!(SeriesOf::<T>::get(id).map(|s| s.open), Some(9 * UNIT));
		Ok(())
	}

	#[benchmark]
	fn buy_protection() -> Result<(), BenchmarkError> {
		setup::<T>()?;
		let id = list::<T>(TemplateId::MAX)?;
		let origin = admin::<T>()?;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, id, 10 * UNIT, Balance::MAX);
		assert_eq!(SeriesOf::<T>::get(id).map(|s| s.open), Some(10 * UNIT));
		Ok(())
	}

	#[benchmark]
	fn add_template() -> Result<(), BenchmarkError> {
		while Templates::<T>::count() >= T::MaxTemplates::get() {
			let Some(id) = Templates::<T>::iter_keys().next() else { break };
			Templates::<T>::remove(id);
		}
		let origin = admin::<T>()?;
		let count = Templates::<T>::count();
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, template::<T>());
		assert_eq!(Templates::<T>::count(), count.saturating_add(1));
		Ok(())
	}

	#[benchmark]
	fn remove_template() -> Result<(), BenchmarkError> {
		setup::<T>()?;
		if Templates::<T>::count() >= T::MaxTemplates::get() {
			let Some(id) = Templates::<T>::iter_keys().next() else {
				return Err(BenchmarkError::Stop("no template"));
			};
			Templates::<T>::remove(id);
		}
		let id = Pallet::<T>::insert_template(template::<T>()).map_err(stop("template"))?;
		list::<T>(id)?;
		let origin = admin::<T>()?;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, id);
		assert!(!Templates::<T>::contains_key(id));
		Ok(())
	}

	#[benchmark]
	fn set_pricing() -> Result<(), BenchmarkError> {
		let old = Pricing::<T>::get();
		// Every field changes (every ParamChangedAt read and written).
		let new = PricingParams {
			vol_floor: old
				.vol_floor
				.saturating_mul(FixedU128::from_rational(11, 10))
				.min(old.vol_cap),
			vol_cap: old.vol_cap.saturating_mul(FixedU128::from_rational(9, 10)).max(old.vol_floor),
			vol_scale: old.vol_scale.saturating_mul(FixedU128::from_rational(9, 10)),
			utilization_slope: old
				.utilization_slope
				.saturating_mul(FixedU128::from_rational(9, 10)),
			trigger_probability: Permill::from_percent(4),
		};
		let origin = admin::<T>()?;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, new);
		assert_eq!(Pricing::<T>::get(), new);
		Ok(())
	}

	#[benchmark]
	fn set_skew() -> Result<(), BenchmarkError> {
		let n = T::MaxSkewPoints::get();
		let point = |i: u32, m: u128| SkewPoint {
			log_moneyness: FixedI128::from_inner(
				i128::from(i).saturating_sub(i128::from(n)).saturating_mul(10_000_000_000_000_000),
			),
			multiplier: FixedU128::from_rational(m, 100),
		};
		let old: BoundedVec<SkewPoint, T::MaxSkewPoints> = (0..n)
			.map(|i| point(i, 100))
			.collect::<alloc::vec::Vec<_>>()
			.try_into()
			.map_err(|_| BenchmarkError::Weightless)?;
		Skew::<T>::put(old);
		let new: BoundedVec<SkewPoint, T::MaxSkewPoints> = (0..n)
			.map(|i| point(i, 110))
			.collect::<alloc::vec::Vec<_>>()
			.try_into()
			.map_err(|_| BenchmarkError::Weightless)?;
		let origin = admin::<T>()?;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, new.clone());
		assert_eq!(Skew::<T>::get(), new);
		Ok(())
	}

	#[benchmark]
	fn set_policy() -> Result<(), BenchmarkError> {
		let policy = PurchasePolicy {
			enabled: true,
			budget_share: Permill::from_percent(40),
			max_premium_per_period: T::MaxPremiumPerPeriod::get(),
			period: T::MaxBudgetPeriod::get(),
			stress_drop: Permill::from_percent(30),
		};
		let origin = admin::<T>()?;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, policy);
		assert_eq!(Policy::<T>::get(), Some(policy));
		Ok(())
	}

	#[benchmark]
	fn set_vault_params() -> Result<(), BenchmarkError> {
		let params = VaultParams {
			min_deposit: T::MaxMinDeposit::get(),
			withdraw_delay: T::MaxWithdrawDelay::get(),
			withdraw_window: 1u32.into(),
		};
		let origin = admin::<T>()?;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, params);
		assert_eq!(VaultConfig::<T>::get(), Some(params));
		Ok(())
	}

	/// `r` series sampled in their settlement window, `l` templates listing.
	#[benchmark]
	fn on_initialize(
		r: Linear<0, { T::MaxSeries::get().saturating_sub(T::MaxTemplates::get()) }>,
		l: Linear<0, { T::MaxTemplates::get() }>,
	) -> Result<(), BenchmarkError> {
		T::BenchmarkHelper::set_price(ASSET, spot());
		for (id, _) in Templates::<T>::iter().collect::<alloc::vec::Vec<_>>() {
			Templates::<T>::remove(id);
			Listed::<T>::remove(id);
		}
		for (id, _) in SeriesOf::<T>::iter().collect::<alloc::vec::Vec<_>>() {
			SeriesOf::<T>::remove(id);
		}
		for i in 0..r {
			// In its settlement window at the next block.
			let expiry =
				now::<T>().saturating_add(T::SettlementWindow::get()).saturating_add(1u32.into());
			Pallet::<T>::insert_series(
				TemplateId::MAX.saturating_sub(i),
				ASSET,
				FixedU128::from_u32(48_000),
				FixedU128::from_u32(36_000),
				expiry,
			)
			.map_err(stop("series"))?;
		}
		for _ in 0..l {
			Pallet::<T>::insert_template(template::<T>()).map_err(stop("template"))?;
		}
		let n = now::<T>().saturating_add(1u32.into());
		frame_system::Pallet::<T>::set_block_number(n);
		#[block]
		{
			Pallet::<T>::on_initialize(n);
		}
		assert_eq!(SeriesOf::<T>::count(), r.saturating_add(l));
		Ok(())
	}

	#[benchmark]
	fn quote() -> Result<(), BenchmarkError> {
		setup::<T>()?;
		fill_series::<T>()?;
		let expiry = now::<T>().saturating_add(T::MaxTenor::get());
		let result;
		#[block]
		{
			result = Pallet::<T>::quote_spread(
				ASSET,
				FixedU128::from_u32(48_000),
				FixedU128::from_u32(36_000),
				expiry,
				10 * UNIT,
				0,
			);
		}
		assert!(result.is_ok());
		Ok(())
	}

	impl_benchmark_test_suite!(
		Pallet,
		crate::mock::ExtBuilder::default().build(),
		crate::mock::Test
	);
}
