//! Benchmarks of the calls (`absorb_excess` over `m` market sub-funds) and of
//! the two trait entry points, `absorb` (both funds drawn) and `receive`
//! (each revenue kind).

use super::*;
use backstop_primitives::{
	governance::Authority, Balance, KeeperRewarder, LossAbsorber, MarketId, RevenueKind,
	RevenueSink,
};
use frame_benchmarking::v2::*;
use frame_support::traits::{
	fungible::{Inspect, Mutate},
	EnsureOrigin, Get,
};
use frame_system::{pallet_prelude::BlockNumberFor, RawOrigin};
use sp_runtime::{
	traits::{Saturating, Zero},
	Permill,
};

/// The market the benchmarks use: one no genesis preset seeds.
const MARKET: MarketId = MarketId::MAX;

/// A benchmark-sized amount: a multiple of the minimum balance.
fn units<T: Config>(n: Balance) -> Balance {
	T::Currency::minimum_balance().max(1).saturating_mul(n)
}

/// Parameters at every hard limit: the most expensive to evaluate and the
/// largest draws.
fn max_params<T: Config>() -> FundParams {
	FundParams {
		cap_fraction: T::MaxCapFraction::get(),
		absolute_cap: T::MaxAbsoluteCap::get(),
		target_fraction: T::MaxTargetFraction::get(),
		floor: Permill::one(),
	}
}

/// Records an earlier change of `key`, so that the call reads a record and
/// overwrites it (the governance check always reads it, Root included).
fn earlier_change<T: Config>(key: ParamKey) {
	ParamChangedAt::<T>::insert(key, BlockNumberFor::<T>::zero());
}

/// Whether `key` was recorded as changed in the current block.
fn changed_now<T: Config>(key: ParamKey) -> bool {
	ParamChangedAt::<T>::get(key) == Some(frame_system::Pallet::<T>::block_number())
}

/// Puts the existential buffer in place if the genesis did not.
fn ensure_buffer<T: Config>() -> Result<(), BenchmarkError> {
	let account = Pallet::<T>::account_id();
	let ed = T::Currency::minimum_balance();
	let held = T::Currency::balance(&account);
	if held < ed {
		T::Currency::mint_into(&account, ed.saturating_sub(held))
			.map_err(|_| BenchmarkError::Stop("cannot mint the buffer"))?;
	}
	Ok(())
}

/// An account holding `amount` plus the minimum balance.
fn funded_account<T: Config>(
	name: &'static str,
	amount: Balance,
) -> Result<T::AccountId, BenchmarkError> {
	let who: T::AccountId = account(name, 0, 0);
	T::Currency::mint_into(&who, amount.saturating_add(T::Currency::minimum_balance()))
		.map_err(|_| BenchmarkError::Stop("cannot fund an account"))?;
	Ok(who)
}

/// Credits `amount` to `fund` through a donation (creating a market fund
/// first if needed), with every parameter at its limit.
fn seed_fund<T: Config>(fund: FundId, amount: Balance) -> Result<(), BenchmarkError> {
	ensure_buffer::<T>()?;
	let scope = match fund {
		FundId::Global => ParamsScope::Global,
		FundId::Market(market) => ParamsScope::Market(market),
	};
	Pallet::<T>::do_set_params(Authority::Root, scope, max_params::<T>())
		.map_err(|_| BenchmarkError::Stop("cannot set parameters"))?;
	let donor = funded_account::<T>("donor", amount)?;
	Pallet::<T>::do_donate(&donor, fund, amount)
		.map_err(|_| BenchmarkError::Stop("cannot seed the fund"))?;
	Ok(())
}

fn admin<T: Config>() -> Result<T::RuntimeOrigin, BenchmarkError> {
	T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)
}

/// `receive` of one revenue kind into a market without a sub-fund yet (so
/// the sub-fund is created) with the largest forward fraction (so both funds
/// are credited).
fn setup_receive<T: Config>() -> Result<(T::AccountId, Balance), BenchmarkError> {
	ensure_buffer::<T>()?;
	ForwardFraction::<T>::put(T::MaxForwardFraction::get());
	let amount = units::<T>(1_000);
	let source = funded_account::<T>("source", amount)?;
	Ok((source, amount))
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn donate() -> Result<(), BenchmarkError> {
		seed_fund::<T>(FundId::Market(MARKET), units::<T>(1_000))?;
		let amount = units::<T>(1_000);
		let donor = funded_account::<T>("caller", amount)?;
		let before = Pallet::<T>::fund_balance(FundId::Market(MARKET));

		#[extrinsic_call]
		_(RawOrigin::Signed(donor), FundId::Market(MARKET), amount);

		assert_eq!(Pallet::<T>::fund_balance(FundId::Market(MARKET)), before + amount);
		Ok(())
	}

	#[benchmark]
	fn set_params() -> Result<(), BenchmarkError> {
		let origin = admin::<T>()?;
		let params = max_params::<T>();
		assert!(!MarketFunds::<T>::contains_key(MARKET));
		earlier_change::<T>(ParamKey::FundParams(ParamsScope::Market(MARKET)));

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, ParamsScope::Market(MARKET), params);

		assert_eq!(MarketParams::<T>::get(MARKET), Some(params));
		assert!(changed_now::<T>(ParamKey::FundParams(ParamsScope::Market(MARKET))));
		Ok(())
	}

	#[benchmark]
	fn clear_market_params() -> Result<(), BenchmarkError> {
		seed_fund::<T>(FundId::Market(MARKET), units::<T>(1_000))?;
		let origin = admin::<T>()?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, MARKET);

		assert!(!MarketParams::<T>::contains_key(MARKET));
		assert!(changed_now::<T>(ParamKey::FundParams(ParamsScope::Market(MARKET))));
		Ok(())
	}

	#[benchmark]
	fn set_forward_fraction() -> Result<(), BenchmarkError> {
		let origin = admin::<T>()?;
		let fraction = T::MaxForwardFraction::get();
		ForwardFraction::<T>::kill();
		earlier_change::<T>(ParamKey::ForwardFraction);

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, fraction);

		assert_eq!(ForwardFraction::<T>::get(), fraction);
		assert!(fraction.is_zero() || changed_now::<T>(ParamKey::ForwardFraction));
		Ok(())
	}

	#[benchmark]
	fn withdraw_surplus() -> Result<(), BenchmarkError> {
		seed_fund::<T>(FundId::Market(MARKET), units::<T>(1_000))?;
		let origin = admin::<T>()?;
		let amount = Pallet::<T>::fund_surplus(FundId::Market(MARKET));
		if amount.is_zero() {
			return Err(BenchmarkError::Stop("no surplus to withdraw"));
		}
		let dest: T::AccountId = account("dest", 0, 0);

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, FundId::Market(MARKET), amount, dest.clone());

		assert_eq!(T::Currency::balance(&dest), amount);
		Ok(())
	}

	#[benchmark]
	fn create_market_fund() -> Result<(), BenchmarkError> {
		let origin = admin::<T>()?;
		assert!(!MarketFunds::<T>::contains_key(MARKET));

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, MARKET);

		assert!(MarketFunds::<T>::contains_key(MARKET));
		Ok(())
	}

	#[benchmark]
	fn close_market_fund() -> Result<(), BenchmarkError> {
		seed_fund::<T>(FundId::Market(MARKET), units::<T>(1_000))?;
		let origin = admin::<T>()?;
		let before = Pallet::<T>::fund_balance(FundId::Global);

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, MARKET);

		assert!(!MarketFunds::<T>::contains_key(MARKET));
		assert_eq!(Pallet::<T>::fund_balance(FundId::Global), before + units::<T>(1_000));
		assert!(
			ParamChangedAt::<T>::get(ParamKey::FundParams(ParamsScope::Market(MARKET))).is_none()
		);
		Ok(())
	}

	/// Worst case: the sub-fund pays its cap and the global fund pays too.
	#[benchmark]
	fn absorb() -> Result<(), BenchmarkError> {
		seed_fund::<T>(FundId::Market(MARKET), units::<T>(1_000))?;
		seed_fund::<T>(FundId::Global, units::<T>(1_000))?;
		let market_cap = Pallet::<T>::fund_capacity(FundId::Market(MARKET));
		let global_cap = Pallet::<T>::fund_capacity(FundId::Global);
		if market_cap.is_zero() || global_cap.is_zero() {
			return Err(BenchmarkError::Stop("a fund has no capacity"));
		}
		let beneficiary = funded_account::<T>("beneficiary", Zero::zero())?;
		let loss = market_cap.saturating_add(global_cap).saturating_add(units::<T>(1));
		let uncovered;

		#[block]
		{
			uncovered =
				<Pallet<T> as LossAbsorber<T::AccountId>>::absorb(MARKET, loss, &beneficiary);
		}

		assert_eq!(uncovered, units::<T>(1));
		Ok(())
	}

	#[benchmark]
	fn set_block_cap() -> Result<(), BenchmarkError> {
		let origin = admin::<T>()?;
		let fraction = Permill::from_percent(50);
		// Whole, so that the call changes it.
		BlockCapFraction::<T>::kill();
		earlier_change::<T>(ParamKey::BlockCap);

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, fraction);

		assert_eq!(BlockCapFraction::<T>::get(), fraction);
		assert!(changed_now::<T>(ParamKey::BlockCap));
		Ok(())
	}

	/// A market sub-fund above its target releases to the sink, after an
	/// earlier release long enough ago.
	#[benchmark]
	fn release_surplus() -> Result<(), BenchmarkError> {
		T::BenchmarkHelper::prepare_open_interest(MARKET);
		seed_fund::<T>(FundId::Market(MARKET), units::<T>(100_000))?;
		MarketParams::<T>::insert(
			MARKET,
			FundParams {
				cap_fraction: Permill::from_percent(50),
				absolute_cap: units::<T>(1_000),
				target_fraction: Permill::from_percent(10).min(T::MaxTargetFraction::get()),
				floor: Permill::from_percent(50),
			},
		);
		let target = Pallet::<T>::fund_target(FundId::Market(MARKET));
		if target.is_zero() || target >= units::<T>(100_000) {
			return Err(BenchmarkError::Stop("the benchmark needs open interest and a surplus"));
		}
		LastSurplusRelease::<T>::insert(
			FundId::Market(MARKET),
			frame_system::Pallet::<T>::block_number(),
		);
		let later = frame_system::Pallet::<T>::block_number()
			.saturating_add(T::SurplusReleaseInterval::get());
		frame_system::Pallet::<T>::set_block_number(later);
		let caller: T::AccountId = whitelisted_caller();

		#[extrinsic_call]
		_(RawOrigin::Signed(caller), FundId::Market(MARKET));

		assert!(Pallet::<T>::fund_balance(FundId::Market(MARKET)) < units::<T>(100_000));
		Ok(())
	}

	#[benchmark]
	fn set_keeper_reward_limits() -> Result<(), BenchmarkError> {
		let origin = admin::<T>()?;
		let limits = KeeperRewardLimits {
			per_liquidation: T::MaxKeeperReward::get(),
			per_block: Pallet::<T>::max_keeper_rewards_per_block(),
		};
		// Zero, so that the call changes them.
		KeeperRewardCaps::<T>::kill();
		earlier_change::<T>(ParamKey::KeeperRewardLimits);

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, limits);

		assert_eq!(KeeperRewardCaps::<T>::get(), limits);
		assert!(limits.per_block.is_zero() || changed_now::<T>(ParamKey::KeeperRewardLimits));
		Ok(())
	}

	/// The worst case: the market's sub-fund pays part and the global fund
	/// the rest, after an earlier payment in the same block.
	#[benchmark]
	fn reward_keeper() -> Result<(), BenchmarkError> {
		let reward = units::<T>(10);
		seed_fund::<T>(FundId::Market(MARKET), reward / 2)?;
		seed_fund::<T>(FundId::Global, units::<T>(1_000))?;
		KeeperRewardCaps::<T>::put(KeeperRewardLimits {
			per_liquidation: reward,
			per_block: reward.saturating_mul(2),
		});
		KeeperRewardsPaid::<T>::put((frame_system::Pallet::<T>::block_number(), reward / 2));
		let beneficiary = funded_account::<T>("beneficiary", Zero::zero())?;
		let paid;

		#[block]
		{
			paid = <Pallet<T> as KeeperRewarder<T::AccountId>>::reward_keeper(
				MARKET,
				reward,
				&beneficiary,
			);
		}

		assert_eq!(paid, reward);
		Ok(())
	}

	#[benchmark]
	fn receive_liquidation_penalty() -> Result<(), BenchmarkError> {
		let (source, amount) = setup_receive::<T>()?;
		let taken;

		#[block]
		{
			taken = <Pallet<T> as RevenueSink<T::AccountId>>::receive(
				MARKET,
				RevenueKind::LiquidationPenalty,
				&source,
				amount,
			);
		}

		assert_eq!(taken, Ok(amount));
		assert!(MarketFunds::<T>::contains_key(MARKET));
		Ok(())
	}

	#[benchmark]
	fn receive_trading_fee() -> Result<(), BenchmarkError> {
		let (source, amount) = setup_receive::<T>()?;
		let taken;

		#[block]
		{
			taken = <Pallet<T> as RevenueSink<T::AccountId>>::receive(
				MARKET,
				RevenueKind::TradingFee,
				&source,
				amount,
			);
		}

		assert_eq!(taken, Ok(amount));
		assert!(MarketFunds::<T>::contains_key(MARKET));
		Ok(())
	}

	/// An unsolicited transfer credited to the global fund, with `m` market
	/// sub-funds to read (from `MarketId::MAX` down, beside any the genesis
	/// created).
	#[benchmark]
	fn absorb_excess(m: Linear<0, { T::MaxMarketFunds::get() }>) -> Result<(), BenchmarkError> {
		seed_fund::<T>(FundId::Global, units::<T>(1_000))?;
		let mut market = MARKET;
		while MarketFunds::<T>::count() < m {
			Pallet::<T>::do_create_market_fund(Authority::Root, market)
				.map_err(|_| BenchmarkError::Stop("cannot create a sub-fund"))?;
			market = market.saturating_sub(1);
		}
		let donation = units::<T>(1);
		T::Currency::mint_into(&Pallet::<T>::account_id(), donation)
			.map_err(|_| BenchmarkError::Stop("cannot donate"))?;
		let before = GlobalFund::<T>::get().balance;
		let origin = admin::<T>()?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin);

		assert_eq!(GlobalFund::<T>::get().balance, before.saturating_add(donation));
		assert!(Pallet::<T>::excess().is_zero());
		Ok(())
	}

	impl_benchmark_test_suite!(
		Pallet,
		crate::mock::ExtBuilder::default().seeds(0, vec![]).build(),
		crate::mock::Test
	);
}
