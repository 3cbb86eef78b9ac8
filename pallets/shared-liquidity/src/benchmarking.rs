//! Benchmarks of every call and of the trait entry points `draw`, `release`,
//! `pay`, `collect` (`LiquidityProvider`) and `absorb` (`LossAbsorber`).
//!
//! Nothing the pallet does depends on the number of liquidity providers or
//! protocols: each call touches the pool ledger, at most one protocol and at
//! most one position. The only bounded loop is over one position's
//! withdrawal requests (at most `MaxWithdrawRequests`); `request_withdraw`,
//! `withdraw` and `cancel_withdrawals` are measured with that many. Fees are
//! made to accrue before every measured step that accrues them.

use super::*;
use backstop_primitives::{Balance, LiquidityProvider, LossAbsorber, MarketId};
use frame_benchmarking::v2::*;
use frame_support::traits::{
	fungible::{Inspect, Mutate},
	EnsureOrigin, Get,
};
use frame_system::{pallet_prelude::BlockNumberFor, RawOrigin};
use sp_runtime::traits::{Saturating, Zero};

/// The market the benchmarks use: one no genesis preset registers.
const MARKET: MarketId = MarketId::MAX;

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
	amount: Balance,
) -> Result<T::AccountId, BenchmarkError> {
	let who: T::AccountId = account(name, 0, 0);
	T::Currency::mint_into(&who, amount.saturating_add(T::Currency::minimum_balance()))
		.map_err(|_| BenchmarkError::Stop("cannot fund an account"))?;
	Ok(who)
}

fn admin<T: Config>() -> Result<T::RuntimeOrigin, BenchmarkError> {
	T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)
}

/// Terms with the given caps and the highest rates (every fee term is
/// computed).
fn terms<T: Config>(credit_cap: Balance, loss_cap: Balance) -> ProtocolTerms {
	ProtocolTerms {
		credit_cap,
		loss_cap,
		base_rate: T::MaxBaseRate::get(),
		rate_slope: T::MaxRateSlope::get(),
	}
}

/// Deposits `amount` into the pool from a fresh liquidity provider, so that
/// shares are in issue and the share price is computed.
fn seed_pool<T: Config>(amount: Balance) -> Result<(), BenchmarkError> {
	ensure_buffer::<T>()?;
	MinDeposit::<T>::put(0);
	let lp = funded_account::<T>("seeder", amount)?;
	Pallet::<T>::do_deposit(&lp, amount).map_err(|_| BenchmarkError::Stop("cannot seed the pool"))
}

/// Registers `id` with credit cap `units(1_000)` (within the limit) and the
/// given loss cap.
fn register<T: Config>(
	id: ProtocolId<T::AccountId>,
	loss_cap: Balance,
) -> Result<(), BenchmarkError> {
	let credit_cap = units::<T>(1_000).min(T::MaxCreditCap::get());
	let loss_cap = loss_cap.min(T::MaxLossCap::get());
	Pallet::<T>::do_register_protocol(id, terms::<T>(credit_cap, loss_cap))
		.map_err(|_| BenchmarkError::Stop("cannot register the protocol"))
}

/// Moves the chain `blocks` blocks on.
fn advance<T: Config>(blocks: u32) {
	let now = frame_system::Pallet::<T>::block_number();
	frame_system::Pallet::<T>::set_block_number(now.saturating_add(blocks.into()));
}

/// A pool of `units(10_000)` with `id` registered and `units(100)` drawn by
/// it, and some blocks passed so that fees accrue on the next touch.
fn pool_with_drawn<T: Config>(
	id: ProtocolId<T::AccountId>,
	loss_cap: Balance,
) -> Result<(), BenchmarkError> {
	seed_pool::<T>(units::<T>(10_000))?;
	register::<T>(id.clone(), loss_cap)?;
	Pallet::<T>::do_draw(id, units::<T>(100)).map_err(|_| BenchmarkError::Stop("cannot draw"))?;
	advance::<T>(100);
	Ok(())
}

/// A withdrawal delay of at least one block.
fn set_delay<T: Config>() -> Result<BlockNumberFor<T>, BenchmarkError> {
	let delay = T::MaxWithdrawDelay::get();
	if delay.is_zero() {
		return Err(BenchmarkError::Stop("MaxWithdrawDelay is zero"));
	}
	WithdrawDelay::<T>::put(delay);
	Ok(delay)
}

/// A liquidity provider in a seeded pool with `requests` withdrawal
/// requests of one unit each, filed in successive blocks.
fn lp_with_requests<T: Config>(requests: u32) -> Result<T::AccountId, BenchmarkError> {
	seed_pool::<T>(units::<T>(10_000))?;
	let lp = funded_account::<T>("lp", units::<T>(1_000))?;
	Pallet::<T>::do_deposit(&lp, units::<T>(1_000))
		.map_err(|_| BenchmarkError::Stop("cannot deposit"))?;
	for _ in 0..requests {
		Pallet::<T>::do_request_withdraw(&lp, units::<T>(1))
			.map_err(|_| BenchmarkError::Stop("cannot request"))?;
		advance::<T>(1);
	}
	Ok(lp)
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn deposit() -> Result<(), BenchmarkError> {
		seed_pool::<T>(units::<T>(10_000))?;
		let amount = units::<T>(1_000);
		let who = funded_account::<T>("caller", amount.saturating_mul(2))?;
		Pallet::<T>::do_deposit(&who, amount).map_err(|_| BenchmarkError::Stop("deposit"))?;
		let before = Pallet::<T>::lp_shares(who.clone());

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), amount);

		assert!(Pallet::<T>::lp_shares(who) > before);
		Ok(())
	}

	#[benchmark]
	fn request_withdraw() -> Result<(), BenchmarkError> {
		set_delay::<T>()?;
		let max = T::MaxWithdrawRequests::get();
		let lp = lp_with_requests::<T>(max.saturating_sub(1))?;

		#[extrinsic_call]
		_(RawOrigin::Signed(lp.clone()), units::<T>(1));

		assert_eq!(Pallet::<T>::lp_requested_shares(lp), units::<T>(Balance::from(max)));
		Ok(())
	}

	#[benchmark]
	fn withdraw() -> Result<(), BenchmarkError> {
		let delay = set_delay::<T>()?;
		let max = T::MaxWithdrawRequests::get();
		let lp = lp_with_requests::<T>(max)?;
		let now = frame_system::Pallet::<T>::block_number();
		frame_system::Pallet::<T>::set_block_number(now.saturating_add(delay));
		let shares = Pallet::<T>::lp_requested_shares(lp.clone());
		let before = Pallet::<T>::lp_shares(lp.clone());

		#[extrinsic_call]
		_(RawOrigin::Signed(lp.clone()), shares);

		assert_eq!(Pallet::<T>::lp_shares(lp.clone()), before.saturating_sub(shares));
		assert!(Pallet::<T>::lp_requested_shares(lp).is_zero());
		Ok(())
	}

	#[benchmark]
	fn cancel_withdrawals() -> Result<(), BenchmarkError> {
		set_delay::<T>()?;
		let lp = lp_with_requests::<T>(T::MaxWithdrawRequests::get())?;

		#[extrinsic_call]
		_(RawOrigin::Signed(lp.clone()));

		assert!(Pallet::<T>::lp_requested_shares(lp).is_zero());
		Ok(())
	}

	#[benchmark]
	fn draw_credit() -> Result<(), BenchmarkError> {
		let protocol = funded_account::<T>("protocol", Zero::zero())?;
		pool_with_drawn::<T>(ProtocolId::External(protocol.clone()), units::<T>(1_000))?;
		let id = ProtocolId::External(protocol.clone());
		let before = Pallet::<T>::protocol_drawn(id.clone()).unwrap_or_default();

		#[extrinsic_call]
		_(RawOrigin::Signed(protocol), units::<T>(100));

		assert_eq!(Pallet::<T>::protocol_drawn(id), Some(before.saturating_add(units::<T>(100))));
		Ok(())
	}

	#[benchmark]
	fn repay_credit() -> Result<(), BenchmarkError> {
		let protocol = funded_account::<T>("protocol", units::<T>(1_000))?;
		let id = ProtocolId::External(protocol.clone());
		pool_with_drawn::<T>(id.clone(), units::<T>(1_000))?;
		let owed = Pallet::<T>::protocol_info(id.clone())
			.map(|info| info.drawn.saturating_add(info.fees_owed))
			.unwrap_or_default();

		#[extrinsic_call]
		_(RawOrigin::Signed(protocol), owed);

		assert_eq!(Pallet::<T>::protocol_drawn(id), Some(Zero::zero()));
		Ok(())
	}

	#[benchmark]
	fn register_protocol() -> Result<(), BenchmarkError> {
		let origin = admin::<T>()?;
		let terms = terms::<T>(T::MaxCreditCap::get(), T::MaxLossCap::get());
		let id = ProtocolId::Market(MARKET);

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, id.clone(), terms);

		assert_eq!(Pallet::<T>::protocol_status(id), Some(ProtocolStatus::Active));
		Ok(())
	}

	/// Worst case: fees accrue under the old terms and the new loss cap
	/// freezes the protocol.
	#[benchmark]
	fn set_protocol_terms() -> Result<(), BenchmarkError> {
		let id = ProtocolId::Market(MARKET);
		pool_with_drawn::<T>(id.clone(), units::<T>(1_000))?;
		let beneficiary = funded_account::<T>("beneficiary", Zero::zero())?;
		let covered = units::<T>(10);
		let uncovered =
			<Pallet<T> as LossAbsorber<T::AccountId>>::absorb(MARKET, covered, &beneficiary);
		if !uncovered.is_zero() {
			return Err(BenchmarkError::Stop("cannot book a loss"));
		}
		let origin = admin::<T>()?;
		let new_terms = terms::<T>(units::<T>(1_000).min(T::MaxCreditCap::get()), covered);

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, id.clone(), new_terms);

		assert_eq!(Pallet::<T>::protocol_status(id), Some(ProtocolStatus::Frozen));
		Ok(())
	}

	/// Worst case: fees accrue and the loss cap is checked (unfreezing).
	#[benchmark]
	fn set_protocol_status() -> Result<(), BenchmarkError> {
		let id = ProtocolId::Market(MARKET);
		pool_with_drawn::<T>(id.clone(), units::<T>(1_000))?;
		Pallet::<T>::do_set_protocol_status(id.clone(), ProtocolStatus::Frozen)
			.map_err(|_| BenchmarkError::Stop("cannot freeze"))?;
		advance::<T>(100);
		let origin = admin::<T>()?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, id.clone(), ProtocolStatus::Active);

		assert_eq!(Pallet::<T>::protocol_status(id), Some(ProtocolStatus::Active));
		Ok(())
	}

	#[benchmark]
	fn deregister_protocol() -> Result<(), BenchmarkError> {
		let id = ProtocolId::Market(MARKET);
		register::<T>(id.clone(), units::<T>(1_000))?;
		Pallet::<T>::do_set_protocol_status(id.clone(), ProtocolStatus::Retired)
			.map_err(|_| BenchmarkError::Stop("cannot retire"))?;
		let origin = admin::<T>()?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, id.clone());

		assert_eq!(Pallet::<T>::protocol_status(id), None);
		Ok(())
	}

	/// Worst case: an external protocol's fees and principal are written
	/// off and the loss freezes it.
	#[benchmark]
	fn write_off() -> Result<(), BenchmarkError> {
		let protocol = funded_account::<T>("protocol", Zero::zero())?;
		let id = ProtocolId::External(protocol);
		pool_with_drawn::<T>(id.clone(), units::<T>(100))?;
		let owed = Pallet::<T>::protocol_info(id.clone())
			.map(|info| info.drawn.saturating_add(info.fees_owed))
			.unwrap_or_default();
		let origin = admin::<T>()?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, id.clone(), owed);

		assert_eq!(Pallet::<T>::protocol_status(id), Some(ProtocolStatus::Frozen));
		Ok(())
	}

	#[benchmark]
	fn set_min_deposit() -> Result<(), BenchmarkError> {
		let origin = admin::<T>()?;
		let amount = T::MaxMinDeposit::get();

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, amount);

		assert_eq!(MinDeposit::<T>::get(), amount);
		Ok(())
	}

	#[benchmark]
	fn set_withdraw_delay() -> Result<(), BenchmarkError> {
		let origin = admin::<T>()?;
		let blocks = T::MaxWithdrawDelay::get();

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, blocks);

		assert_eq!(WithdrawDelay::<T>::get(), blocks);
		Ok(())
	}

	/// A market's draw, with fees accruing.
	#[benchmark]
	fn draw() -> Result<(), BenchmarkError> {
		pool_with_drawn::<T>(ProtocolId::Market(MARKET), units::<T>(1_000))?;
		let result;

		#[block]
		{
			result = <Pallet<T> as LiquidityProvider<T::AccountId>>::draw(MARKET, units::<T>(100));
		}

		assert!(result.is_ok());
		Ok(())
	}

	/// A market's release, with fees accruing.
	#[benchmark]
	fn release() -> Result<(), BenchmarkError> {
		pool_with_drawn::<T>(ProtocolId::Market(MARKET), units::<T>(1_000))?;

		#[block]
		{
			<Pallet<T> as LiquidityProvider<T::AccountId>>::release(MARKET, units::<T>(50));
		}

		assert_eq!(Pallet::<T>::protocol_drawn(ProtocolId::Market(MARKET)), Some(units::<T>(50)));
		Ok(())
	}

	/// A profit paid to an account that does not exist yet, with fees
	/// accruing.
	#[benchmark]
	fn pay() -> Result<(), BenchmarkError> {
		pool_with_drawn::<T>(ProtocolId::Market(MARKET), units::<T>(1_000))?;
		let trader: T::AccountId = account("trader", 0, 0);
		let amount = units::<T>(50);
		let result;

		#[block]
		{
			result = <Pallet<T> as LiquidityProvider<T::AccountId>>::pay(MARKET, &trader, amount);
		}

		assert!(result.is_ok());
		assert_eq!(T::Currency::balance(&trader), amount);
		Ok(())
	}

	/// A collection that settles owed fees and debt, with fees accruing.
	#[benchmark]
	fn collect() -> Result<(), BenchmarkError> {
		pool_with_drawn::<T>(ProtocolId::Market(MARKET), units::<T>(1_000))?;
		let payee: T::AccountId = account("payee", 0, 0);
		<Pallet<T> as LiquidityProvider<T::AccountId>>::pay(MARKET, &payee, units::<T>(50))
			.map_err(|_| BenchmarkError::Stop("cannot pay"))?;
		advance::<T>(100);
		let trader = funded_account::<T>("trader", units::<T>(100))?;
		let result;

		#[block]
		{
			result = <Pallet<T> as LiquidityProvider<T::AccountId>>::collect(
				MARKET,
				&trader,
				units::<T>(100),
			);
		}

		assert!(result.is_ok());
		let info = Pallet::<T>::protocol_info(ProtocolId::Market(MARKET));
		assert_eq!(info.map(|i| i.debt), Some(Zero::zero()));
		Ok(())
	}

	/// Worst case: the pool covers the market's whole remaining loss cap,
	/// paying an account that does not exist yet, and the market is frozen.
	#[benchmark]
	fn absorb() -> Result<(), BenchmarkError> {
		let loss_cap = units::<T>(100);
		pool_with_drawn::<T>(ProtocolId::Market(MARKET), loss_cap)?;
		let beneficiary: T::AccountId = account("beneficiary", 0, 0);
		let loss = loss_cap.saturating_add(units::<T>(1));
		let uncovered;

		#[block]
		{
			uncovered =
				<Pallet<T> as LossAbsorber<T::AccountId>>::absorb(MARKET, loss, &beneficiary);
		}

		assert_eq!(uncovered, units::<T>(1));
		assert_eq!(
			Pallet::<T>::protocol_status(ProtocolId::Market(MARKET)),
			Some(ProtocolStatus::Frozen)
		);
		Ok(())
	}

	impl_benchmark_test_suite!(
		Pallet,
		crate::mock::ExtBuilder::default().liquidity(vec![]).build(),
		crate::mock::Test
	);
}
