//! Benchmarks of every call and of the `LiquidityProvider` entry points
//! `reserve`, `pay`, `collect` and `absorb_loss`, each in its worst case.
//!
//! What the weights depend on:
//!
//! * every call that prices shares (`deposit`, `request_withdraw`,
//!   `withdraw`) computes the net asset value, which reads every registered
//!   protocol (to leave impaired principal out) and the markets' exposure
//!   through `Config::Exposure`. They are measured with `MaxProtocols`
//!   protocols registered, half of them external protocols whose principal
//!   is impaired, and with the exposure prepared by
//!   `Config::BenchmarkHelper::prepare_exposure` (in the runtime: the margin
//!   pallet's markets in their most expensive state);
//! * the only other loop runs over one position's withdrawal requests, at
//!   most `MaxWithdrawRequests`: `request_withdraw` drops a lapsed request and
//!   files the last one that fits, `withdraw` consumes `MaxWithdrawRequests`
//!   requests, `cancel_withdrawals` clears as many;
//! * every call that touches an external protocol accrues its borrow fees
//!   first; the benchmarks let blocks pass at the highest rates so that a fee
//!   is charged (and `FeesAccrued` emitted) in the measured step.
//!
//! Nothing here relies on the mock: the setup goes through the pallet's own
//! functions, and the only runtime-specific step is the benchmark helper.

use super::*;
use backstop_primitives::{governance::Authority, Balance, LiquidityProvider, MarketId};
use frame_benchmarking::v2::*;
use frame_support::traits::{
	fungible::{Inspect, Mutate},
	tokens::{Fortitude, Preservation},
	EnsureOrigin, Get,
};
use frame_system::{pallet_prelude::BlockNumberFor, RawOrigin};
use sp_runtime::{
	traits::{One, Saturating, Zero},
	DispatchError, Permill,
};

/// The market the benchmarks measure: one no genesis preset registers.
const MARKET: MarketId = MarketId::MAX;

/// A benchmark-sized amount: a multiple of the minimum balance.
fn units<T: Config>(n: Balance) -> Balance {
	T::Currency::minimum_balance().max(1).saturating_mul(n)
}

fn stop(what: &'static str) -> impl Fn(DispatchError) -> BenchmarkError {
	move |_| BenchmarkError::Stop(what)
}

/// Puts the existential buffer in place if the genesis did not.
fn ensure_buffer<T: Config>() -> Result<(), BenchmarkError> {
	let account = Pallet::<T>::account_id();
	let ed = T::Currency::minimum_balance();
	let held = T::Currency::balance(&account);
	if held < ed {
		T::Currency::mint_into(&account, ed.saturating_sub(held))
			.map_err(stop("cannot mint the buffer"))?;
	}
	Ok(())
}

/// The account `name`/`index`, holding `amount` plus the minimum balance.
fn funded<T: Config>(
	name: &'static str,
	index: u32,
	amount: Balance,
) -> Result<T::AccountId, BenchmarkError> {
	let who: T::AccountId = account(name, index, 0);
	T::Currency::mint_into(&who, amount.saturating_add(T::Currency::minimum_balance()))
		.map_err(stop("cannot fund an account"))?;
	Ok(who)
}

fn admin<T: Config>() -> Result<T::RuntimeOrigin, BenchmarkError> {
	T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)
}

/// Moves the chain `blocks` blocks on.
/// When `key` last changed.
fn changed_at<T: Config>(key: ParamKey<T::AccountId>) -> Option<BlockNumberFor<T>> {
	ParamChangedAt::<T>::get(key)
}

fn now<T: Config>() -> BlockNumberFor<T> {
	frame_system::Pallet::<T>::block_number()
}

fn advance<T: Config>(blocks: u32) {
	let now = frame_system::Pallet::<T>::block_number();
	frame_system::Pallet::<T>::set_block_number(now.saturating_add(blocks.into()));
}

/// Terms of a market: a large credit cap, a loss cap of `loss_cap`.
fn market_terms<T: Config>(loss_cap: Balance) -> ProtocolTerms {
	ProtocolTerms {
		credit_cap: units::<T>(1_000_000).min(T::MaxCreditCap::get()),
		loss_cap: loss_cap.min(T::MaxLossCap::get()),
		reserve_factor: Permill::from_percent(10),
		max_pnl_factor: Permill::from_percent(50),
		..Default::default()
	}
}

/// Terms of an external protocol: the highest rates (every fee term is
/// computed), a credit cap of `units(1 000)`, a loss cap of `loss_cap` and a
/// credit term of `term` blocks (at most `MaxCreditTerm`, at least one).
fn external_terms<T: Config>(loss_cap: Balance, term: u32) -> ProtocolTerms {
	ProtocolTerms {
		credit_cap: units::<T>(1_000).min(T::MaxCreditCap::get()),
		loss_cap: loss_cap.min(T::MaxLossCap::get()),
		base_rate: T::MaxBaseRate::get(),
		rate_slope: T::MaxRateSlope::get(),
		term: term.min(T::MaxCreditTerm::get()).max(1),
		..Default::default()
	}
}

/// Seeds the pool with `units(10 000)` from a fresh liquidity provider, so
/// that shares are in issue and priced, then lets the runtime put the
/// markets' exposure in its worst state.
fn seed_pool<T: Config>() -> Result<(), BenchmarkError> {
	ensure_buffer::<T>()?;
	MinDeposit::<T>::put(0);
	let amount = units::<T>(10_000);
	let lp = funded::<T>("seeder", 0, amount)?;
	Pallet::<T>::do_deposit(&lp, amount).map_err(stop("cannot seed the pool"))?;
	T::BenchmarkHelper::prepare_exposure();
	Ok(())
}

/// Registers protocols until `MaxProtocols - leave_free` are registered:
/// alternately a market and an external protocol that draws `units(1)`
/// with a term of one block; two blocks later (the caller advances) the
/// externals' principal is impaired, which the net asset value must check
/// protocol by protocol.
fn fill_protocols<T: Config>(leave_free: u32) -> Result<(), BenchmarkError> {
	let target = T::MaxProtocols::get().saturating_sub(leave_free);
	let mut index: u32 = 0;
	while Protocols::<T>::count() < target {
		let market = ProtocolId::Market(MARKET.saturating_sub(1).saturating_sub(index));
		let external: T::AccountId = account("filler", index, 0);
		let external = ProtocolId::External(external);
		index = index.saturating_add(1);
		if index.is_multiple_of(2) && !Protocols::<T>::contains_key(&market) {
			Pallet::<T>::do_register_protocol(
				Authority::Root,
				market,
				market_terms::<T>(units::<T>(100)),
			)
			.map_err(stop("cannot register a market"))?;
		} else if !Protocols::<T>::contains_key(&external) {
			let ProtocolId::External(who) = external.clone() else {
				return Err(BenchmarkError::Stop("not an external protocol"));
			};
			Pallet::<T>::do_register_protocol(
				Authority::Root,
				external,
				external_terms::<T>(units::<T>(100), 1),
			)
			.map_err(stop("cannot register an external protocol"))?;
			Pallet::<T>::do_draw_credit(&who, units::<T>(1))
				.map_err(stop("cannot draw for an external protocol"))?;
		}
		if index > T::MaxProtocols::get().saturating_mul(4) {
			return Err(BenchmarkError::Stop("cannot fill the protocol slots"));
		}
	}
	// Every filler's principal is past its term.
	advance::<T>(2);
	Ok(())
}

/// A seeded pool with every protocol slot taken.
fn full_pool<T: Config>() -> Result<(), BenchmarkError> {
	seed_pool::<T>()?;
	fill_protocols::<T>(0)
}

/// A withdrawal delay of one block and the longest window, which must hold
/// `MaxWithdrawRequests` requests filed in successive blocks.
fn withdraw_parameters<T: Config>() -> Result<(BlockNumberFor<T>, BlockNumberFor<T>), BenchmarkError>
{
	let delay = BlockNumberFor::<T>::one();
	let window = T::MaxWithdrawWindow::get();
	if window < BlockNumberFor::<T>::from(T::MaxWithdrawRequests::get()) {
		return Err(BenchmarkError::Stop("MaxWithdrawWindow shorter than MaxWithdrawRequests"));
	}
	WithdrawDelay::<T>::put(delay);
	WithdrawWindow::<T>::put(window);
	Ok((delay, window))
}

/// A liquidity provider holding `units(1 000)` of shares.
fn lp<T: Config>() -> Result<T::AccountId, BenchmarkError> {
	let lp = funded::<T>("lp", 0, units::<T>(1_000))?;
	Pallet::<T>::do_deposit(&lp, units::<T>(1_000)).map_err(stop("cannot deposit"))?;
	Ok(lp)
}

/// Files `count` requests of `units(1)` for `who`, one per block; returns
/// the block of the last.
fn file_requests<T: Config>(
	who: &T::AccountId,
	count: u32,
) -> Result<BlockNumberFor<T>, BenchmarkError> {
	let mut last = frame_system::Pallet::<T>::block_number();
	for _ in 0..count {
		advance::<T>(1);
		last = frame_system::Pallet::<T>::block_number();
		Pallet::<T>::do_request_withdraw(who, units::<T>(1)).map_err(stop("cannot request"))?;
	}
	Ok(last)
}

/// Registers the external protocol `who` (loss cap `units(1 000)`, the
/// longest term) and has it draw `units(100)`; one block later fees are
/// due.
fn external_with_debt<T: Config>(
	who: &T::AccountId,
) -> Result<ProtocolId<T::AccountId>, BenchmarkError> {
	let id = ProtocolId::External(who.clone());
	let terms = external_terms::<T>(units::<T>(1_000), T::MaxCreditTerm::get());
	Pallet::<T>::do_register_protocol(Authority::Root, id.clone(), terms)
		.map_err(stop("cannot register the protocol"))?;
	Pallet::<T>::do_draw_credit(who, units::<T>(100)).map_err(stop("cannot draw"))?;
	advance::<T>(1);
	Ok(id)
}

/// Registers `MARKET` with a loss cap of `loss_cap`.
fn register_market<T: Config>(loss_cap: Balance) -> Result<(), BenchmarkError> {
	Pallet::<T>::do_register_protocol(
		Authority::Root,
		ProtocolId::Market(MARKET),
		market_terms::<T>(loss_cap),
	)
	.map_err(stop("cannot register the market"))
}

fn drawn<T: Config>(id: &ProtocolId<T::AccountId>) -> Balance {
	Protocols::<T>::get(id).map(|p| p.drawn).unwrap_or_default()
}

fn status<T: Config>(id: &ProtocolId<T::AccountId>) -> Option<ProtocolStatus> {
	Protocols::<T>::get(id).map(|p| p.status)
}

fn lp_shares<T: Config>(who: &T::AccountId) -> Balance {
	Positions::<T>::get(who).map(|p| p.shares).unwrap_or_default()
}

fn lp_requests<T: Config>(who: &T::AccountId) -> u32 {
	Positions::<T>::get(who).map(|p| p.requests.len() as u32).unwrap_or_default()
}

#[benchmarks]
mod benchmarks {
	use super::*;

	/// Worst case: `MaxProtocols` protocols, half of them impaired externals,
	/// for the net asset value; the depositor already holds shares.
	#[benchmark]
	fn deposit() -> Result<(), BenchmarkError> {
		full_pool::<T>()?;
		let amount = units::<T>(1_000);
		let who = funded::<T>("caller", 0, amount.saturating_mul(2))?;
		Pallet::<T>::do_deposit(&who, amount).map_err(stop("cannot deposit"))?;
		let before = lp_shares::<T>(&who);

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), amount);

		assert!(lp_shares::<T>(&who) > before);
		Ok(())
	}

	/// Worst case: the net asset value over `MaxProtocols` protocols; the
	/// position holds `MaxWithdrawRequests` requests of which the oldest has
	/// lapsed and is dropped before the new one is filed.
	#[benchmark]
	fn request_withdraw() -> Result<(), BenchmarkError> {
		let (delay, window) = withdraw_parameters::<T>()?;
		full_pool::<T>()?;
		let lp = lp::<T>()?;
		let max = T::MaxWithdrawRequests::get();
		let first = frame_system::Pallet::<T>::block_number().saturating_add(One::one());
		file_requests::<T>(&lp, max)?;
		// The first request lapses now; the others are still pending (the
		// window holds `MaxWithdrawRequests` blocks).
		frame_system::Pallet::<T>::set_block_number(
			first.saturating_add(delay).saturating_add(window),
		);
		assert_eq!(lp_requests::<T>(&lp), max);

		#[extrinsic_call]
		_(RawOrigin::Signed(lp.clone()), units::<T>(1));

		assert_eq!(lp_requests::<T>(&lp), max);
		assert_eq!(Pallet::<T>::lp_info(lp).requested, units::<T>(Balance::from(max)));
		Ok(())
	}

	/// Worst case: the net asset value over `MaxProtocols` protocols, and
	/// `MaxWithdrawRequests` requests consumed, each at the lower of its
	/// price and today's.
	#[benchmark]
	fn withdraw() -> Result<(), BenchmarkError> {
		let (delay, _) = withdraw_parameters::<T>()?;
		full_pool::<T>()?;
		let lp = lp::<T>()?;
		let max = T::MaxWithdrawRequests::get();
		let last = file_requests::<T>(&lp, max)?;
		frame_system::Pallet::<T>::set_block_number(last.saturating_add(delay));
		let shares = units::<T>(Balance::from(max));
		assert_eq!(Pallet::<T>::lp_info(lp.clone()).withdrawable, shares);
		let before = lp_shares::<T>(&lp);

		#[extrinsic_call]
		_(RawOrigin::Signed(lp.clone()), shares);

		assert_eq!(lp_shares::<T>(&lp), before.saturating_sub(shares));
		assert_eq!(lp_requests::<T>(&lp), 0);
		Ok(())
	}

	/// Worst case: `MaxWithdrawRequests` requests cleared.
	#[benchmark]
	fn cancel_withdrawals() -> Result<(), BenchmarkError> {
		withdraw_parameters::<T>()?;
		seed_pool::<T>()?;
		let lp = lp::<T>()?;
		file_requests::<T>(&lp, T::MaxWithdrawRequests::get())?;

		#[extrinsic_call]
		_(RawOrigin::Signed(lp.clone()));

		assert_eq!(lp_requests::<T>(&lp), 0);
		Ok(())
	}

	/// Worst case: fees accrue on principal already drawn, and the cash goes
	/// to an account that has to be created again.
	#[benchmark]
	fn draw_credit() -> Result<(), BenchmarkError> {
		seed_pool::<T>()?;
		let protocol: T::AccountId = account("protocol", 0, 0);
		let id = external_with_debt::<T>(&protocol)?;
		// Best effort: empty the protocol's account so that the draw recreates
		// it (where the asset allows accounts to be reaped).
		let elsewhere: T::AccountId = account("elsewhere", 0, 0);
		let held =
			T::Currency::reducible_balance(&protocol, Preservation::Expendable, Fortitude::Polite);
		let _ = T::Currency::transfer(&protocol, &elsewhere, held, Preservation::Expendable);
		let before = drawn::<T>(&id);

		#[extrinsic_call]
		_(RawOrigin::Signed(protocol), units::<T>(100));

		assert_eq!(drawn::<T>(&id), before.saturating_add(units::<T>(100)));
		Ok(())
	}

	/// Worst case: fees accrue, then everything owed is repaid (fees and all
	/// the principal, which clears the due block).
	#[benchmark]
	fn repay_credit() -> Result<(), BenchmarkError> {
		seed_pool::<T>()?;
		let protocol = funded::<T>("protocol", 0, units::<T>(1_000))?;
		let id = external_with_debt::<T>(&protocol)?;
		let owed = Pallet::<T>::protocol_info(id.clone())
			.map(|info| info.drawn.saturating_add(info.fees_owed))
			.unwrap_or_default();

		#[extrinsic_call]
		_(RawOrigin::Signed(protocol), owed);

		assert!(drawn::<T>(&id).is_zero());
		Ok(())
	}

	#[benchmark]
	fn register_protocol() -> Result<(), BenchmarkError> {
		let origin = admin::<T>()?;
		let protocol: T::AccountId = account("protocol", 0, 0);
		let id = ProtocolId::External(protocol);
		let terms = external_terms::<T>(T::MaxLossCap::get(), T::MaxCreditTerm::get());

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, id.clone(), terms);

		assert_eq!(status::<T>(&id), Some(ProtocolStatus::Active));
		assert_eq!(changed_at::<T>(ParamKey::Terms(id)), Some(now::<T>()));
		Ok(())
	}

	/// Worst case: fees accrue under the old terms and the new loss cap, at
	/// the losses so far, freezes the protocol.
	#[benchmark]
	fn set_protocol_terms() -> Result<(), BenchmarkError> {
		seed_pool::<T>()?;
		let protocol: T::AccountId = account("protocol", 0, 0);
		let id = external_with_debt::<T>(&protocol)?;
		// A loss on the protocol, which is then reactivated.
		let owed = Pallet::<T>::protocol_info(id.clone()).map(|i| i.fees_owed).unwrap_or_default();
		Pallet::<T>::do_write_off(Authority::Root, id.clone(), owed.saturating_add(units::<T>(10)))
			.map_err(stop("cannot write off"))?;
		Pallet::<T>::do_set_protocol_status(Authority::Root, id.clone(), ProtocolStatus::Active)
			.map_err(stop("cannot reactivate"))?;
		advance::<T>(1);
		let losses = Protocols::<T>::get(&id).map(|p| p.losses).unwrap_or_default();
		let terms = ProtocolTerms {
			loss_cap: losses,
			..external_terms::<T>(units::<T>(1_000), T::MaxCreditTerm::get())
		};
		let origin = admin::<T>()?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, id.clone(), terms);

		assert_eq!(status::<T>(&id), Some(ProtocolStatus::Frozen));
		assert_eq!(changed_at::<T>(ParamKey::Terms(id)), Some(now::<T>()));
		Ok(())
	}

	/// Worst case: fees accrue and the loss cap is checked (unfreezing).
	#[benchmark]
	fn set_protocol_status() -> Result<(), BenchmarkError> {
		seed_pool::<T>()?;
		let protocol: T::AccountId = account("protocol", 0, 0);
		let id = external_with_debt::<T>(&protocol)?;
		Pallet::<T>::do_set_protocol_status(Authority::Root, id.clone(), ProtocolStatus::Frozen)
			.map_err(stop("cannot freeze"))?;
		advance::<T>(1);
		let origin = admin::<T>()?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, id.clone(), ProtocolStatus::Active);

		assert_eq!(status::<T>(&id), Some(ProtocolStatus::Active));
		assert_eq!(changed_at::<T>(ParamKey::Status(id)), Some(now::<T>()));
		Ok(())
	}

	#[benchmark]
	fn deregister_protocol() -> Result<(), BenchmarkError> {
		register_market::<T>(units::<T>(1_000))?;
		let id = ProtocolId::Market(MARKET);
		Pallet::<T>::do_set_protocol_status(Authority::Root, id.clone(), ProtocolStatus::Retired)
			.map_err(stop("cannot retire"))?;
		let origin = admin::<T>()?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, id.clone());

		assert_eq!(status::<T>(&id), None);
		assert_eq!(changed_at::<T>(ParamKey::Status(id.clone())), None);
		assert_eq!(changed_at::<T>(ParamKey::Terms(id)), None);
		Ok(())
	}

	/// Worst case: fees accrue and are forgiven, the principal written off
	/// is bounded by the loss cap (the rest stays owed) and the protocol is
	/// frozen.
	#[benchmark]
	fn write_off() -> Result<(), BenchmarkError> {
		seed_pool::<T>()?;
		let protocol: T::AccountId = account("protocol", 0, 0);
		let id = external_with_debt::<T>(&protocol)?;
		let terms = external_terms::<T>(units::<T>(50), T::MaxCreditTerm::get());
		Pallet::<T>::do_set_protocol_terms(Authority::Root, id.clone(), terms)
			.map_err(stop("cannot lower the loss cap"))?;
		advance::<T>(1);
		let owed = Pallet::<T>::protocol_info(id.clone())
			.map(|info| info.drawn.saturating_add(info.fees_owed))
			.unwrap_or_default();
		let origin = admin::<T>()?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, id.clone(), owed);

		assert_eq!(status::<T>(&id), Some(ProtocolStatus::Frozen));
		assert_eq!(drawn::<T>(&id), units::<T>(100).saturating_sub(terms.loss_cap));
		Ok(())
	}

	#[benchmark]
	fn set_min_deposit() -> Result<(), BenchmarkError> {
		let origin = admin::<T>()?;
		let amount = T::MaxMinDeposit::get();

		// A change on record: the interval is read and the record replaced.
		ParamChangedAt::<T>::insert(ParamKey::MinDeposit, BlockNumberFor::<T>::zero());
		advance::<T>(1);

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, amount);

		assert_eq!(MinDeposit::<T>::get(), amount);
		assert_eq!(changed_at::<T>(ParamKey::MinDeposit), Some(now::<T>()));
		Ok(())
	}

	#[benchmark]
	fn set_withdraw_delay() -> Result<(), BenchmarkError> {
		let origin = admin::<T>()?;
		let blocks = T::MaxWithdrawDelay::get();

		// A change on record: the interval is read and the record replaced.
		ParamChangedAt::<T>::insert(ParamKey::WithdrawDelay, BlockNumberFor::<T>::zero());
		advance::<T>(1);

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, blocks);

		assert_eq!(WithdrawDelay::<T>::get(), blocks);
		assert_eq!(changed_at::<T>(ParamKey::WithdrawDelay), Some(now::<T>()));
		Ok(())
	}

	#[benchmark]
	fn set_withdraw_window() -> Result<(), BenchmarkError> {
		let origin = admin::<T>()?;
		let blocks = T::MaxWithdrawWindow::get();

		// A change on record: the interval is read and the record replaced.
		ParamChangedAt::<T>::insert(ParamKey::WithdrawWindow, BlockNumberFor::<T>::zero());
		advance::<T>(1);

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, blocks);

		assert_eq!(WithdrawWindow::<T>::get(), blocks);
		assert_eq!(changed_at::<T>(ParamKey::WithdrawWindow), Some(now::<T>()));
		Ok(())
	}

	/// An unsolicited transfer to the pallet account swept to the sink.
	#[benchmark]
	fn sweep_excess() -> Result<(), BenchmarkError> {
		seed_pool::<T>()?;
		T::Currency::mint_into(&Pallet::<T>::account_id(), units::<T>(1))
			.map_err(stop("cannot donate"))?;
		let origin = admin::<T>()?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin);

		assert!(Pallet::<T>::excess().is_zero());
		Ok(())
	}

	/// Worst case: a raise, checked against the credit cap and the free
	/// cash.
	#[benchmark]
	fn reserve() -> Result<(), BenchmarkError> {
		seed_pool::<T>()?;
		register_market::<T>(units::<T>(1_000))?;
		let open_interest = units::<T>(10_000);
		let result;

		#[block]
		{
			result = <Pallet<T> as LiquidityProvider<T::AccountId>>::reserve(MARKET, open_interest);
		}

		assert!(result.is_ok());
		assert_eq!(Pallet::<T>::reserved(), units::<T>(1_000));
		Ok(())
	}

	/// A profit paid to an account that does not exist yet.
	#[benchmark]
	fn pay() -> Result<(), BenchmarkError> {
		seed_pool::<T>()?;
		register_market::<T>(units::<T>(1_000))?;
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

	#[benchmark]
	fn collect() -> Result<(), BenchmarkError> {
		seed_pool::<T>()?;
		register_market::<T>(units::<T>(1_000))?;
		let source = funded::<T>("margin", 0, units::<T>(100))?;
		let before = Pallet::<T>::pool_cash();
		let result;

		#[block]
		{
			result = <Pallet<T> as LiquidityProvider<T::AccountId>>::collect(
				MARKET,
				&source,
				units::<T>(100),
			);
		}

		assert!(result.is_ok());
		assert_eq!(Pallet::<T>::pool_cash(), before.saturating_add(units::<T>(100)));
		Ok(())
	}

	/// Worst case: the loss takes the whole remaining loss cap, which freezes
	/// the market.
	#[benchmark]
	fn absorb_loss() -> Result<(), BenchmarkError> {
		let loss_cap = units::<T>(100);
		register_market::<T>(loss_cap)?;
		let loss = loss_cap.saturating_add(units::<T>(1));
		let covered;

		#[block]
		{
			covered = <Pallet<T> as LiquidityProvider<T::AccountId>>::absorb_loss(MARKET, loss);
		}

		assert_eq!(covered, loss_cap);
		assert_eq!(status::<T>(&ProtocolId::Market(MARKET)), Some(ProtocolStatus::Frozen));
		Ok(())
	}

	impl_benchmark_test_suite!(
		Pallet,
		crate::mock::ExtBuilder::default().liquidity(vec![]).build(),
		crate::mock::Test
	);
}
