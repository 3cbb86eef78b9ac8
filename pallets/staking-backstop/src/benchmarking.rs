//! Benchmarks of every call (`sweep_excess` with both tranches and the
//! reward pot funded) and of the two trait entry points, `absorb` (with `s`
//! stakers in both tranches, to show that slashing does not depend on `s`)
//! and `receive`.
//!
//! The staker calls run in their worst case: the staker has a position with
//! rewards to settle and a request that has lapsed (swept back to earning by
//! the call; `unstake` and `cancel_unstake` find it live instead). `absorb`
//! wipes both tranches out (their price at the floor, so that the capped
//! slash takes it below) and pays their dust to the beneficiary.

use super::*;
use backstop_primitives::{
	governance::Authority, Balance, LossAbsorber, MarketId, RevenueKind, RevenueSink,
};
use frame_benchmarking::v2::*;
use frame_support::traits::{
	fungible::{Inspect, Mutate},
	EnsureOrigin, Get,
};
use frame_system::{pallet_prelude::BlockNumberFor, RawOrigin};
use sp_runtime::{
	traits::{One, Saturating, Zero},
	FixedU128, Perbill, Permill,
};

/// The market the benchmarks book losses and revenue against.
const MARKET: MarketId = MarketId::MAX;

/// A seed for benchmark accounts that no genesis preset uses.
const SEED: u32 = 0x5eed;

/// A benchmark-sized amount: a multiple of the minimum balance.
fn units<T: Config>(n: Balance) -> Balance {
	T::Currency::minimum_balance().max(1).saturating_mul(n)
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
	index: u32,
	amount: Balance,
) -> Result<T::AccountId, BenchmarkError> {
	let who: T::AccountId = account(name, index, SEED);
	T::Currency::mint_into(&who, amount.saturating_add(T::Currency::minimum_balance()))
		.map_err(|_| BenchmarkError::Stop("cannot fund an account"))?;
	Ok(who)
}

fn admin<T: Config>() -> Result<T::RuntimeOrigin, BenchmarkError> {
	T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)
}

/// Tranche parameters at the limits: the largest slash per event and per
/// block, the highest wipe-out floor, and either the shortest cooldown and
/// window or the longest cooldown with the longest window it admits.
fn params<T: Config>(long: bool) -> TrancheParams<BlockNumberFor<T>> {
	let (cooldown, unstake_window) = if long {
		let cooldown = T::MaxCooldown::get();
		let window =
			T::MaxUnstakeWindow::get().min(T::MaxWindowFraction::get().mul_floor(cooldown));
		(cooldown, window)
	} else {
		let window = T::MinUnstakeWindow::get();
		(Pallet::<T>::shortest_cooldown_for(window), window)
	};
	TrancheParams {
		min_stake: Zero::zero(),
		max_slash_fraction: T::MaxSlashFraction::get(),
		cooldown,
		unstake_window,
		max_slash_per_block: Perbill::one(),
		wipe_out_floor: T::MaxWipeOutFloor::get(),
	}
}

/// Sets the parameters of `tranche`.
fn set_params<T: Config>(tranche: Tranche, long: bool) -> Result<(), BenchmarkError> {
	Pallet::<T>::do_set_tranche_params(Authority::Root, tranche, params::<T>(long))
		.map_err(|_| BenchmarkError::Stop("cannot set tranche parameters"))
}

/// Pays `units(1_000)` of trading fees to the stakers.
fn pay_rewards<T: Config>() -> Result<(), BenchmarkError> {
	let amount = units::<T>(1_000);
	let source = funded_account::<T>("source", 0, amount)?;
	Pallet::<T>::do_receive(MARKET, RevenueKind::TradingFee, &source, amount)
		.map_err(|_| BenchmarkError::Stop("cannot pay rewards"))?;
	Ok(())
}

/// A request's schedule, as created by [`staker`].
struct Schedule<T: Config> {
	/// The request's identifier.
	target: u64,
	/// The request's first unstakable block.
	unlock_at: BlockNumberFor<T>,
	/// The block at which the request has lapsed.
	expires_at: BlockNumberFor<T>,
}

/// A staker in `tranche` (shortest cooldown and window) with a staked
/// position, one unstake request and rewards to settle. Returns the staker
/// and the request's schedule: at `expires_at` the next staker call sweeps
/// the lapsed request back to earning (the worst case of `stake`,
/// `request_unstake` and `claim_rewards`); at `unlock_at` it is live.
fn staker<T: Config>(tranche: Tranche) -> Result<(T::AccountId, Schedule<T>), BenchmarkError> {
	ensure_buffer::<T>()?;
	let now = frame_system::Pallet::<T>::block_number().max(One::one());
	frame_system::Pallet::<T>::set_block_number(now);
	let stake = units::<T>(1_000);
	let who = funded_account::<T>("staker", 0, stake.saturating_mul(2))?;
	set_params::<T>(tranche, false)?;
	Pallet::<T>::do_stake(&who, tranche, stake)
		.map_err(|_| BenchmarkError::Stop("cannot stake"))?;
	let target = NextRequestId::<T>::get();
	Pallet::<T>::do_request_unstake(&who, tranche, stake / 2)
		.map_err(|_| BenchmarkError::Stop("cannot request an unstake"))?;
	let short = params::<T>(false);
	let unlock_at = now.saturating_add(short.cooldown);
	let expires_at = unlock_at.saturating_add(short.unstake_window);
	pay_rewards::<T>()?;
	Ok((who, Schedule { target, unlock_at, expires_at }))
}

/// Gives `count` new stakers a position of `units(100)` in both tranches,
/// written straight into storage (the ledgers and the pallet account are
/// updated to match), so that thousands of stakers are cheap to set up.
fn seed_stakers<T: Config>(count: u32) -> Result<(), BenchmarkError> {
	ensure_buffer::<T>()?;
	let amount = units::<T>(100);
	let mut minted_total: Balance = Zero::zero();
	for tranche in Tranche::ALL {
		let mut ledger = Tranches::<T>::get(tranche);
		for index in 0..count {
			let who: T::AccountId = account("backstop-staker", index, SEED);
			let shares = math::shares_for(amount, ledger.assets, ledger.shares)
				.ok_or(BenchmarkError::Stop("share price out of range"))?;
			ledger.assets = ledger.assets.saturating_add(amount);
			ledger.shares = ledger.shares.saturating_add(shares);
			ledger.earning_shares = ledger.earning_shares.saturating_add(shares);
			Positions::<T>::insert(
				tranche,
				&who,
				Position {
					epoch: ledger.epoch,
					shares,
					reward_debt: ledger.reward_per_share,
					pending_rewards: Zero::zero(),
				},
			);
			minted_total = minted_total.saturating_add(amount);
		}
		Tranches::<T>::insert(tranche, ledger);
	}
	T::Currency::mint_into(&Pallet::<T>::account_id(), minted_total)
		.map_err(|_| BenchmarkError::Stop("cannot mint the seeded stakes"))?;
	Ok(())
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn stake() -> Result<(), BenchmarkError> {
		let (who, schedule) = staker::<T>(Tranche::Junior)?;
		frame_system::Pallet::<T>::set_block_number(schedule.expires_at);
		let before = Tranches::<T>::get(Tranche::Junior).assets;
		let amount = units::<T>(1_000);

		#[extrinsic_call]
		_(RawOrigin::Signed(who), Tranche::Junior, amount);

		assert_eq!(Tranches::<T>::get(Tranche::Junior).assets, before.saturating_add(amount));
		Ok(())
	}

	#[benchmark]
	fn request_unstake() -> Result<(), BenchmarkError> {
		let (who, schedule) = staker::<T>(Tranche::Junior)?;
		// The old request has lapsed: the call sweeps it, then requests.
		frame_system::Pallet::<T>::set_block_number(schedule.expires_at);
		let id = NextRequestId::<T>::get();

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), Tranche::Junior, One::one());

		assert_eq!(UnstakeRequests::<T>::get(Tranche::Junior, &who).map(|r| r.id), Some(id));
		Ok(())
	}

	#[benchmark]
	fn cancel_unstake() -> Result<(), BenchmarkError> {
		let (who, schedule) = staker::<T>(Tranche::Junior)?;
		frame_system::Pallet::<T>::set_block_number(schedule.unlock_at);

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), Tranche::Junior, schedule.target);

		assert!(UnstakeRequests::<T>::get(Tranche::Junior, &who).is_none());
		Ok(())
	}

	#[benchmark]
	fn unstake() -> Result<(), BenchmarkError> {
		let (who, schedule) = staker::<T>(Tranche::Junior)?;
		frame_system::Pallet::<T>::set_block_number(schedule.unlock_at);

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), Tranche::Junior, schedule.target);

		assert!(UnstakeRequests::<T>::get(Tranche::Junior, &who).is_none());
		Ok(())
	}

	#[benchmark]
	fn claim_rewards() -> Result<(), BenchmarkError> {
		let (who, schedule) = staker::<T>(Tranche::Junior)?;
		frame_system::Pallet::<T>::set_block_number(schedule.expires_at);
		if Pallet::<T>::pending_rewards(Tranche::Junior, &who).is_zero() {
			return Err(BenchmarkError::Stop("no rewards to claim"));
		}

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), Tranche::Junior);

		assert!(Pallet::<T>::pending_rewards(Tranche::Junior, &who).is_zero());
		Ok(())
	}

	#[benchmark]
	fn set_tranche_params() -> Result<(), BenchmarkError> {
		let origin = admin::<T>()?;
		let new = params::<T>(true);
		let old = Params::<T>::get(Tranche::Senior);
		// An earlier change, so that the governance check reads a record and
		// the call overwrites it.
		let key = ParamKey::TrancheParams(Tranche::Senior);
		ParamChangedAt::<T>::insert(key, BlockNumberFor::<T>::zero());

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, Tranche::Senior, new);

		assert_eq!(Params::<T>::get(Tranche::Senior), new);
		assert!(
			old == new
				|| ParamChangedAt::<T>::get(key) == Some(frame_system::Pallet::<T>::block_number())
		);
		Ok(())
	}

	#[benchmark]
	fn set_premium_params() -> Result<(), BenchmarkError> {
		let origin = admin::<T>()?;
		let new = PremiumParams {
			rate_max: Permill::from_percent(20),
			rate_min: Permill::zero(),
			coverage_low: FixedU128::zero(),
			coverage_high: T::MaxCoveragePoint::get(),
			volatility_weight: FixedU128::one(),
			rate_cap: Permill::one(),
			junior_multiple: T::MaxJuniorMultiple::get(),
		};
		let old = Premium::<T>::get();
		ParamChangedAt::<T>::insert(ParamKey::PremiumParams, BlockNumberFor::<T>::zero());

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, new);

		assert_eq!(Premium::<T>::get(), new);
		assert!(
			old == new
				|| ParamChangedAt::<T>::get(ParamKey::PremiumParams)
					== Some(frame_system::Pallet::<T>::block_number())
		);
		Ok(())
	}

	/// Both tranches pay their cap and are wiped out: their share price sits
	/// at the floor, so the capped slash takes it below, and their dust goes
	/// to the beneficiary. `s` stakers hold positions in each. The weight
	/// must not depend on `s`.
	#[benchmark]
	fn absorb(s: Linear<1, { ABSORB_BENCHMARK_STAKERS }>) -> Result<(), BenchmarkError> {
		set_params::<T>(Tranche::Junior, false)?;
		set_params::<T>(Tranche::Senior, false)?;
		seed_stakers::<T>(s)?;
		let mut total: Balance = Zero::zero();
		for tranche in Tranche::ALL {
			// Lower the price to the floor; the assets taken out stay in the
			// pallet account as excess.
			let mut ledger = Tranches::<T>::get(tranche);
			let floor = Params::<T>::get(tranche).wipe_out_floor;
			ledger.assets = floor.mul_ceil(ledger.shares).max(One::one());
			Tranches::<T>::insert(tranche, ledger);
			if Pallet::<T>::tranche_capacity(tranche).is_zero() {
				return Err(BenchmarkError::Stop("a tranche has no capacity"));
			}
			total = total.saturating_add(ledger.assets);
		}
		let beneficiary = funded_account::<T>("beneficiary", 0, Zero::zero())?;
		let rest = units::<T>(1);
		let loss = total.saturating_add(rest);
		let uncovered;

		#[block]
		{
			uncovered =
				<Pallet<T> as LossAbsorber<T::AccountId>>::absorb(MARKET, loss, &beneficiary);
		}

		assert_eq!(uncovered, rest);
		assert_eq!(Tranches::<T>::get(Tranche::Junior).epoch, 1);
		assert_eq!(Tranches::<T>::get(Tranche::Senior).epoch, 1);
		Ok(())
	}

	/// Revenue split between two earning tranches by capital weight.
	#[benchmark]
	fn receive() -> Result<(), BenchmarkError> {
		seed_stakers::<T>(1)?;
		Pallet::<T>::do_set_premium_params(
			Authority::Root,
			PremiumParams {
				junior_multiple: T::MaxJuniorMultiple::get(),
				..Pallet::<T>::default_premium_params()
			},
		)
		.map_err(|_| BenchmarkError::Stop("cannot set premium parameters"))?;
		let amount = units::<T>(1_000);
		let source = funded_account::<T>("revenue", 0, amount)?;
		let taken;

		#[block]
		{
			taken = <Pallet<T> as RevenueSink<T::AccountId>>::receive(
				MARKET,
				RevenueKind::BackstopPremium,
				&source,
				amount,
			);
		}

		assert_eq!(taken, Ok(amount));
		Ok(())
	}

	/// An unsolicited transfer to the pallet account swept to the sink, with
	/// both tranches and the reward pot holding funds.
	#[benchmark]
	fn sweep_excess() -> Result<(), BenchmarkError> {
		seed_stakers::<T>(1)?;
		pay_rewards::<T>()?;
		T::Currency::mint_into(&Pallet::<T>::account_id(), units::<T>(1))
			.map_err(|_| BenchmarkError::Stop("cannot donate"))?;
		assert_eq!(Pallet::<T>::excess(), units::<T>(1));
		let origin = admin::<T>()?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin);

		assert!(Pallet::<T>::excess().is_zero());
		Ok(())
	}

	impl_benchmark_test_suite!(
		Pallet,
		crate::mock::ExtBuilder::default().build(),
		crate::mock::Test
	);
}
