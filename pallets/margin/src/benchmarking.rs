//! Benchmarks (FRAME v2) with the worst case set up: the most positions an
//! account may hold (one per market, `min(MaxPositionsPerAccount,
//! MaxMarkets)`), the most markets for the funding accrual.
//!
//! Prices, pool cash and credit, the pool's loss cap and the waterfall come
//! from `T::BenchmarkHelper`, which the runtime implements against the real
//! oracle, pool and backstop.

use super::*;
use alloc::vec::Vec;
use backstop_primitives::{units::DOLLARS, Authority, Balance, MarketId, OracleAssetId, Price};
use frame_benchmarking::v2::*;
use frame_support::traits::{
	fungible::{Inspect, Mutate},
	EnsureOrigin, Get, Hooks,
};
use frame_system::{pallet_prelude::BlockNumberFor, RawOrigin};
use sp_arithmetic::{traits::Zero, FixedI128, FixedU128, Perbill, Permill};

const SEED: u32 = 0;
/// One whole base unit.
const UNIT: i128 = 1_000_000;
/// The size every benchmark position has: ten base units.
const SIZE: i128 = 10 * UNIT;
/// Pool cash and credit, and backstop funds, made available per market.
const PLENTY: Balance = 1_000_000_000 * DOLLARS;
/// The most margin accounts the `sweep_excess` benchmark reads; its weight
/// is linear in the witness beyond that.
const SWEEP_BENCHMARK_ACCOUNTS: u32 = 1_000;
/// The most accounts the `on_initialize_sweep` benchmark examines; the sweep
/// is linear in the accounts examined.
const LIQUIDATION_SWEEP_ACCOUNTS: u32 = 500;

/// The backstop premium rate per block every benchmark market pays: one
/// ten-millionth of notional, so that the premium accrues (and is settled
/// and flushed) in every worst case, yet stays below the funding the
/// `withdraw` benchmark's longs receive (their net credit is locked).
fn premium_rate() -> FixedU128 {
	FixedU128::from_rational(1, 10_000_000)
}

fn price(dollars: u32) -> Price {
	Price::from_u32(dollars)
}

/// Market parameters with every add-on and fee switched on.
fn params(asset: OracleAssetId) -> MarketParams {
	MarketParams {
		oracle_asset: asset,
		initial_margin: Permill::from_percent(10),
		maintenance_margin: Permill::from_percent(5),
		open_interest_lower_cap: 1_000 * DOLLARS,
		open_interest_upper_cap: 1_000_000_000 * DOLLARS,
		max_open_interest: 1_000_000_000 * DOLLARS,
		volatility_multiplier: FixedU128::from_u32(2),
		volatility_cap: Permill::from_percent(10),
		trading_fee: Permill::from_parts(1_000),
		skew_fee: Permill::from_parts(1_000),
		skew_scale: 1_000 * UNIT as u128,
		liquidation_penalty: Permill::from_percent(1),
		liquidator_reward: Permill::from_parts(5_000),
		max_funding_rate: Perbill::from_parts(10_000),
		funding_skew_scale: 100 * UNIT as u128,
	}
}

/// The number of positions of the worst-case account.
fn max_positions<T: Config>() -> u32 {
	T::MaxPositionsPerAccount::get().min(T::MaxMarkets::get())
}

/// Sets every market's price to `dollars`.
fn set_prices<T: Config>(markets: &[MarketId], dollars: u32) {
	for id in markets {
		T::BenchmarkHelper::set_price(*id, price(dollars));
	}
}

/// Creates markets `0..n` (oracle asset = market id) priced at 100 dollars
/// with pool cash and credit, a funded backstop and a premium rate.
fn setup_markets<T: Config>(n: u32) -> Result<Vec<MarketId>, BenchmarkError> {
	Pallet::<T>::ensure_buffer();
	let markets: Vec<MarketId> = (0..n).collect();
	set_prices::<T>(&markets, 100);
	for id in markets.iter() {
		Pallet::<T>::do_create_market(Authority::Root, *id, params(*id))?;
		T::BenchmarkHelper::prepare_liquidity(*id, PLENTY);
		T::BenchmarkHelper::prepare_backstop(*id, PLENTY);
		T::BenchmarkHelper::prepare_premium(*id, premium_rate());
	}
	Ok(markets)
}

/// Records an earlier change of `key` (block zero) and moves to block one,
/// so that the governed call reads an entry and overwrites it: the worst
/// case of its interval check.
fn changed_earlier<T: Config>(key: ParamKey) {
	ParamChangedAt::<T>::insert(key, BlockNumberFor::<T>::zero());
	frame_system::Pallet::<T>::set_block_number(BlockNumberFor::<T>::from(1u32));
}

/// Whether the governed call recorded its change of `key` in this block.
fn changed_now<T: Config>(key: ParamKey) -> bool {
	ParamChangedAt::<T>::get(key) == Some(frame_system::Pallet::<T>::block_number())
}

/// An account holding `dollars` of the settlement asset.
fn funded<T: Config>(name: &'static str, index: u32, dollars: u128) -> T::AccountId {
	let who: T::AccountId = account(name, index, SEED);
	let amount = dollars.saturating_mul(DOLLARS).saturating_add(T::Currency::minimum_balance());
	let _ = T::Currency::mint_into(&who, amount);
	who
}

/// `who` deposits `collateral` dollars and opens `size` in each of `markets`.
fn open<T: Config>(
	who: &T::AccountId,
	markets: &[MarketId],
	size: i128,
	collateral: u128,
) -> Result<(), BenchmarkError> {
	Pallet::<T>::do_deposit(who, collateral.saturating_mul(DOLLARS))?;
	let acceptable = if size > 0 { Price::from_u32(u32::MAX) } else { Price::zero() };
	for id in markets {
		Pallet::<T>::do_trade(who, *id, size, acceptable)?;
	}
	Ok(())
}

/// An account with a long of `SIZE` at 100 dollars in each of `markets` and
/// 110 dollars of collateral per position.
fn leveraged_longs<T: Config>(markets: &[MarketId]) -> Result<T::AccountId, BenchmarkError> {
	let n = u128::try_from(markets.len()).unwrap_or(u128::MAX);
	let victim = funded::<T>("victim", 0, 200 * n + 1_000);
	open::<T>(&victim, markets, SIZE, 110 * n)?;
	Ok(victim)
}

/// Gives `count` new accounts 1,000 dollars of collateral and a long of one
/// base unit at 100 dollars in each of the first `max_positions` of
/// `markets`, written straight into storage (the markets' aggregates and the
/// pallet account are updated to match), so that many full accounts are
/// cheap to set up.
fn seed_accounts<T: Config>(count: u32, markets: &[MarketId]) -> Result<(), BenchmarkError> {
	let collateral = 1_000 * DOLLARS;
	let cost = 100 * DOLLARS;
	let cost_signed = i128::try_from(cost).map_err(|_| BenchmarkError::Stop("cost overflow"))?;
	let held: Vec<(MarketId, FixedI128, FixedU128)> = markets
		.iter()
		.take(usize::try_from(max_positions::<T>()).unwrap_or(usize::MAX))
		.map(|id| {
			let state = Markets::<T>::get(id).map(|m| m.state).unwrap_or_default();
			(*id, state.funding_index, state.premium_index)
		})
		.collect();
	for index in 0..count {
		let who: T::AccountId = account("holder", index, SEED);
		let mut account = AccountOf::<T> { collateral, ..Default::default() };
		for (id, funding_index, premium_index) in held.iter() {
			let position = Position {
				market: *id,
				size: UNIT,
				cost: cost_signed,
				funding_index: *funding_index,
				premium_index: *premium_index,
			};
			account
				.positions
				.try_push(position)
				.map_err(|_| BenchmarkError::Stop("too many positions"))?;
		}
		Pallet::<T>::store_account(&who, account);
	}
	let n = u128::from(count);
	for (id, funding_index, _) in held {
		let basis = crate::math::funding_basis(UNIT, funding_index)
			.and_then(|b| b.checked_mul(i128::from(count)))
			.ok_or(BenchmarkError::Stop("funding basis overflow"))?;
		Markets::<T>::mutate(id, |market| {
			if let Some(market) = market {
				let state = &mut market.state;
				state.long_open_interest =
					state.long_open_interest.saturating_add(UNIT.unsigned_abs().saturating_mul(n));
				state.long_cost = state.long_cost.saturating_add(cost.saturating_mul(n));
				state.funding_basis = state.funding_basis.saturating_add(basis);
			}
		});
	}
	T::Currency::mint_into(&Pallet::<T>::account_id(), collateral.saturating_mul(n))
		.map_err(|_| BenchmarkError::Stop("cannot mint the seeded collateral"))?;
	Ok(())
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn create_market() -> Result<(), BenchmarkError> {
		let max = T::MaxMarkets::get();
		setup_markets::<T>(max.saturating_sub(1))?;
		let id = max.saturating_sub(1);
		T::BenchmarkHelper::set_price(id, price(100));
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, id, params(id));

		assert!(Markets::<T>::contains_key(id));
		assert!(ParamChangedAt::<T>::contains_key(ParamKey::MarketParams(id)));
		Ok(())
	}

	#[benchmark]
	fn update_market() -> Result<(), BenchmarkError> {
		let markets = setup_markets::<T>(1)?;
		let trader = funded::<T>("trader", 0, 10_000);
		open::<T>(&trader, &markets, SIZE, 1_000)?;
		let mut new = params(0);
		new.trading_fee = Permill::from_parts(2_000);
		changed_earlier::<T>(ParamKey::MarketParams(0));
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, 0, new);

		assert_eq!(Markets::<T>::get(0).map(|m| m.params), Some(new));
		assert!(changed_now::<T>(ParamKey::MarketParams(0)));
		Ok(())
	}

	#[benchmark]
	fn set_market_status() -> Result<(), BenchmarkError> {
		setup_markets::<T>(1)?;
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, 0, MarketStatus::ReduceOnly);

		assert_eq!(Markets::<T>::get(0).map(|m| m.status), Some(MarketStatus::ReduceOnly));
		Ok(())
	}

	#[benchmark]
	fn set_fee_split() -> Result<(), BenchmarkError> {
		let split = FeeSplit {
			liquidity_providers: Permill::from_percent(50),
			insurance: Permill::from_percent(30),
			stakers: Permill::from_percent(20),
		};
		changed_earlier::<T>(ParamKey::FeeSplit);
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, split);

		assert_eq!(FeeSplitConfig::<T>::get(), split);
		assert!(changed_now::<T>(ParamKey::FeeSplit));
		Ok(())
	}

	#[benchmark]
	fn deposit() -> Result<(), BenchmarkError> {
		let markets = setup_markets::<T>(max_positions::<T>())?;
		let caller = leveraged_longs::<T>(&markets)?;
		let before = Accounts::<T>::get(&caller).map(|a| a.collateral).unwrap_or_default();

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), 100 * DOLLARS);

		let after = Accounts::<T>::get(&caller).map(|a| a.collateral).unwrap_or_default();
		assert_eq!(after, before + 100 * DOLLARS);
		Ok(())
	}

	#[benchmark]
	fn withdraw() -> Result<(), BenchmarkError> {
		let markets = setup_markets::<T>(max_positions::<T>())?;
		// A larger short on the other side: the caller's longs receive
		// funding, paid by the pool, and that credit is locked by the
		// warm-up (threshold zero, the longest period).
		let whale = funded::<T>("whale", 0, 1_000_000);
		open::<T>(&whale, &markets, -2 * SIZE, 100_000)?;
		let caller = funded::<T>("caller", 0, 100_000);
		open::<T>(&caller, &markets, SIZE, 10_000)?;
		// Nothing held for the pools: the funding is paid by the pool itself.
		for id in markets.iter() {
			Pallet::<T>::do_settle_market(*id)?;
		}
		for block in 1u32..=10 {
			Pallet::<T>::on_initialize(BlockNumberFor::<T>::from(block));
		}
		Pallet::<T>::do_set_profit_warmup(
			Authority::Root,
			ProfitWarmup { threshold: 0, period: T::MaxWarmupPeriod::get() },
		)?;

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), 100 * DOLLARS);

		let account = Accounts::<T>::get(&caller);
		assert!(account.is_some_and(|a| !a.maturing.is_empty()));
		Ok(())
	}

	#[benchmark]
	fn trade() -> Result<(), BenchmarkError> {
		let markets = setup_markets::<T>(max_positions::<T>())?;
		let n = u128::try_from(markets.len()).unwrap_or(u128::MAX);
		let caller = funded::<T>("caller", 0, 1_000 * n + 1_000);
		open::<T>(&caller, &markets, SIZE, 300 * n)?;
		// Nothing held for the pool in the first market: the profit is paid
		// out of the pool's cash.
		Pallet::<T>::do_settle_market(0)?;
		// A profit in the first market, paid by the pool when the trade flips
		// the position to a larger short: realise, pay, check the max-PnL cap,
		// raise the reservation (the larger side grows).
		T::BenchmarkHelper::set_price(0, price(110));

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), 0, -3 * SIZE, Price::zero());

		let size = Accounts::<T>::get(&caller)
			.and_then(|a| a.positions.iter().find(|p| p.market == 0).map(|p| p.size));
		assert_eq!(size, Some(-2 * SIZE));
		Ok(())
	}

	#[benchmark]
	fn liquidate() -> Result<(), BenchmarkError> {
		let markets = setup_markets::<T>(max_positions::<T>())?;
		let victim = leveraged_longs::<T>(&markets)?;
		// A 7% fall: below maintenance but solvent, so every market takes a
		// penalty and the caller a reward.
		set_prices::<T>(&markets, 93);
		let caller: T::AccountId = whitelisted_caller();

		#[extrinsic_call]
		_(RawOrigin::Signed(caller), victim.clone());

		// Solvent: the account keeps what reward and penalties left.
		let left = Accounts::<T>::get(&victim);
		assert!(left.as_ref().is_some_and(|a| a.positions.is_empty() && a.collateral > 0));
		Ok(())
	}

	/// The worst case: the account and the keeper each hold a position in
	/// every market (both valued in full), the keeper adds to its own.
	#[benchmark]
	fn take_over() -> Result<(), BenchmarkError> {
		let markets = setup_markets::<T>(max_positions::<T>())?;
		let victim = leveraged_longs::<T>(&markets)?;
		let n = u128::try_from(markets.len()).unwrap_or(u128::MAX);
		let caller: T::AccountId = whitelisted_caller();
		let amount = (1_000 * n + 1_000).saturating_mul(DOLLARS);
		let _ = T::Currency::mint_into(&caller, amount);
		open::<T>(&caller, &markets, SIZE, 1_000 * n)?;
		// A 7% fall: the account is below maintenance but solvent.
		set_prices::<T>(&markets, 93);
		let size = SIZE.unsigned_abs() / 100;

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), victim.clone(), 0, size);

		let held = |who: &T::AccountId| {
			Accounts::<T>::get(who)
				.and_then(|a| a.positions.iter().find(|p| p.market == 0).map(|p| p.size))
		};
		assert_eq!(held(&victim), Some(SIZE - size as i128));
		assert_eq!(held(&caller), Some(SIZE + size as i128));
		Ok(())
	}

	#[benchmark]
	fn liquidate_bad_debt() -> Result<(), BenchmarkError> {
		let markets = setup_markets::<T>(max_positions::<T>())?;
		let victim = leveraged_longs::<T>(&markets)?;
		// A 20% fall: every leg loses 200 dollars and the collateral (110 per
		// leg) does not cover them, so every market gets its share of the bad
		// debt (about 91 dollars). Per share the waterfall covers at most 30,
		// the pool writes off at most 30 in each market, and the rest becomes
		// each market's deficit: every tier is asked in every market.
		set_prices::<T>(&markets, 80);
		T::BenchmarkHelper::prepare_backstop(0, 30 * DOLLARS);
		for id in markets.iter() {
			T::BenchmarkHelper::prepare_pool_loss(*id, 30 * DOLLARS);
		}
		let caller: T::AccountId = whitelisted_caller();

		#[extrinsic_call]
		liquidate(RawOrigin::Signed(caller), victim.clone());

		assert!(!Accounts::<T>::contains_key(&victim));
		for id in markets {
			assert!(Markets::<T>::get(id).is_some_and(|m| m.state.deficit > 0));
		}
		Ok(())
	}

	#[benchmark]
	fn liquidate_bad_debt_one_position() -> Result<(), BenchmarkError> {
		let markets = setup_markets::<T>(1)?;
		let victim = leveraged_longs::<T>(&markets)?;
		// As `liquidate_bad_debt`, in one market: every tier is asked.
		set_prices::<T>(&markets, 80);
		T::BenchmarkHelper::prepare_backstop(0, 30 * DOLLARS);
		T::BenchmarkHelper::prepare_pool_loss(0, 30 * DOLLARS);
		let caller: T::AccountId = whitelisted_caller();

		#[extrinsic_call]
		liquidate(RawOrigin::Signed(caller), victim.clone());

		assert!(!Accounts::<T>::contains_key(&victim));
		assert!(Markets::<T>::get(0).is_some_and(|m| m.state.deficit > 0));
		Ok(())
	}

	#[benchmark]
	fn liquidate_one_position() -> Result<(), BenchmarkError> {
		let markets = setup_markets::<T>(1)?;
		let victim = leveraged_longs::<T>(&markets)?;
		set_prices::<T>(&markets, 93);
		let caller: T::AccountId = whitelisted_caller();

		#[extrinsic_call]
		liquidate(RawOrigin::Signed(caller), victim.clone());

		assert!(Accounts::<T>::get(&victim).is_none_or(|a| a.positions.is_empty()));
		Ok(())
	}

	#[benchmark]
	fn settle_market() -> Result<(), BenchmarkError> {
		let markets = setup_markets::<T>(1)?;
		// Fees (all three shares), a loss from a liquidation, a penalty and
		// the backstop premium of a block, all to flush.
		let victim = leveraged_longs::<T>(&markets)?;
		Pallet::<T>::accrue_funding();
		set_prices::<T>(&markets, 93);
		Pallet::<T>::do_liquidate(&victim, None)?;
		let caller = funded::<T>("caller", 0, 10);
		let pending = Markets::<T>::get(0).map(|m| (m.has_pending(), m.state.pending_premium));
		assert!(pending.is_some_and(|(pending, premium)| pending && !premium.is_zero()));

		#[extrinsic_call]
		_(RawOrigin::Signed(caller), 0);

		Ok(())
	}

	#[benchmark]
	fn cover_deficit() -> Result<(), BenchmarkError> {
		setup_markets::<T>(1)?;
		Markets::<T>::mutate(0, |m| {
			if let Some(m) = m {
				m.state.deficit = 1_000 * DOLLARS;
				m.status = MarketStatus::ReduceOnly;
			}
		});
		Deleveraging::<T>::insert(
			0,
			PendingDeleveraging { from_longs: 1_000 * DOLLARS, from_shorts: 0, reopen: true },
		);
		let caller = funded::<T>("caller", 0, 1_000);

		#[extrinsic_call]
		_(RawOrigin::Signed(caller), 0, 500 * DOLLARS);

		assert_eq!(Markets::<T>::get(0).map(|m| m.state.deficit), Some(500 * DOLLARS));
		Ok(())
	}

	#[benchmark]
	fn set_profit_warmup() -> Result<(), BenchmarkError> {
		changed_earlier::<T>(ParamKey::ProfitWarmup);
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let period = T::MaxWarmupPeriod::get();

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, 1_000 * DOLLARS, period);

		assert_eq!(
			ProfitWarmupConfig::<T>::get(),
			ProfitWarmup { threshold: 1_000 * DOLLARS, period }
		);
		assert!(changed_now::<T>(ParamKey::ProfitWarmup));
		Ok(())
	}

	#[benchmark]
	fn set_liquidation_params() -> Result<(), BenchmarkError> {
		changed_earlier::<T>(ParamKey::LiquidationParams);
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let params = LiquidationParams {
			full_below: Permill::from_percent(66),
			buffer: Permill::from_percent(10),
			small_position: 1_000 * DOLLARS,
			large_position: 100_000 * DOLLARS,
			max_portion: Permill::from_percent(20),
		};

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, params);

		assert_eq!(LiquidationConfig::<T>::get(), params);
		assert!(changed_now::<T>(ParamKey::LiquidationParams));
		Ok(())
	}

	/// The funding and premium accrual of `on_initialize` over `m` markets,
	/// each with a skew, a fresh price and a premium rate above zero (the
	/// premium accrual per market is part of this weight).
	#[benchmark]
	fn on_initialize_funding(m: Linear<0, { T::MaxMarkets::get() }>) -> Result<(), BenchmarkError> {
		let markets = setup_markets::<T>(m)?;
		let per_trader = usize::try_from(T::MaxPositionsPerAccount::get()).unwrap_or(1).max(1);
		for (index, chunk) in markets.chunks(per_trader).enumerate() {
			let index = u32::try_from(index).unwrap_or(u32::MAX);
			let trader = funded::<T>("trader", index, 100_000);
			open::<T>(&trader, chunk, SIZE, 10_000)?;
		}

		#[block]
		{
			Pallet::<T>::accrue_funding();
		}

		for id in markets {
			let state = Markets::<T>::get(id).map(|m| m.state).unwrap_or_default();
			assert!(!state.funding_index.is_zero());
			assert!(!state.premium_index.is_zero());
		}
		Ok(())
	}

	/// The auto-deleveraging of `on_initialize` with a deficit waiting in
	/// `m` markets, `n` profitable shorts deleveraged in the first (each
	/// closed and paid by the pool out of its cash) and nobody to deleverage
	/// in the others.
	#[benchmark]
	fn on_initialize_deleveraging(
		m: Linear<1, { T::MaxMarkets::get() }>,
		n: Linear<0, { T::MaxDeleveragingPerBlock::get() }>,
	) -> Result<(), BenchmarkError> {
		let markets = setup_markets::<T>(m)?;
		for index in 0..n {
			let short = funded::<T>("short", index, 10_000);
			open::<T>(&short, &markets[..1], -SIZE, 1_000)?;
		}
		// Nothing held for the pool: the profits are paid out of its cash.
		let _ = Pallet::<T>::do_settle_market(0);
		// A 10% fall: each short is 100 dollars in profit.
		set_prices::<T>(&markets, 90);
		let deficit = PLENTY;
		for id in markets.iter() {
			Markets::<T>::mutate(id, |market| {
				if let Some(market) = market {
					market.state.deficit = deficit;
					market.status = MarketStatus::ReduceOnly;
				}
			});
			Deleveraging::<T>::insert(
				id,
				PendingDeleveraging { from_longs: 0, from_shorts: deficit, reopen: true },
			);
		}

		#[block]
		{
			Pallet::<T>::deleverage_all();
		}

		let left = Markets::<T>::get(0).map(|m| m.state.deficit).unwrap_or_default();
		assert_eq!(deficit.saturating_sub(left), u128::from(n) * 100 * DOLLARS);
		Ok(())
	}

	/// Max-PnL deleveraging in `on_initialize`: `m` markets checked (each
	/// with open interest, so each is priced and its cap read), and in the
	/// first, over its cap, `n` profitable longs closed and paid.
	#[benchmark]
	fn on_initialize_profit_deleveraging(
		m: Linear<1, { T::MaxMarkets::get() }>,
		n: Linear<0, { T::MaxDeleveragingPerBlock::get() }>,
	) -> Result<(), BenchmarkError> {
		let markets = setup_markets::<T>(m)?;
		for index in 0..n {
			let long = funded::<T>("long", index, 10_000);
			open::<T>(&long, &markets[..1], SIZE, 1_000)?;
		}
		// A short in each other market: in loss after the rise, so each is
		// checked in full and none is deleveraged.
		for (index, id) in (0u32..).zip(markets.iter().skip(1)) {
			let bystander = funded::<T>("bystander", index, 10_000);
			open::<T>(&bystander, &[*id], -SIZE, 1_000)?;
		}
		let _ = Pallet::<T>::do_settle_market(0);
		// A 10% rise: each long is 100 dollars in profit, and the pool allows
		// the traders of the first market one dollar.
		set_prices::<T>(&markets, 110);
		T::BenchmarkHelper::prepare_max_pnl(0, DOLLARS);
		let examined;

		#[block]
		{
			// A budget one above `n`: every market is checked.
			examined = Pallet::<T>::deleverage_profits(n.saturating_add(1));
		}

		assert_eq!(examined, (m, n));
		Ok(())
	}

	/// The liquidation sweep of `on_initialize` examining `a` healthy
	/// accounts that each hold the most positions (nobody to liquidate: a
	/// liquidation is charged its own weight on top).
	#[benchmark]
	fn on_initialize_sweep(a: Linear<0, LIQUIDATION_SWEEP_ACCOUNTS>) -> Result<(), BenchmarkError> {
		let markets = setup_markets::<T>(max_positions::<T>())?;
		seed_accounts::<T>(a, &markets)?;
		// A budget for every account: only the count bounds the pass.
		SweepBudget::<T>::kill();

		#[block]
		{
			Pallet::<T>::sweep_liquidations();
		}

		assert_eq!(Traders::<T>::count(), a);
		assert_eq!(Accounts::<T>::iter().count(), a as usize);
		Ok(())
	}

	/// A final settlement started at the oracle's price, with a deficit
	/// waiting (its reopening cleared).
	#[benchmark]
	fn settle_final() -> Result<(), BenchmarkError> {
		let markets = setup_markets::<T>(1)?;
		Deleveraging::<T>::insert(
			markets[0],
			PendingDeleveraging { from_longs: DOLLARS, from_shorts: 0, reopen: true },
		);
		Markets::<T>::mutate(markets[0], |market| {
			if let Some(market) = market {
				market.state.deficit = DOLLARS;
				market.status = MarketStatus::ReduceOnly;
			}
		});
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, markets[0], None);

		assert!(FinalSettlement::<T>::contains_key(markets[0]));
		Ok(())
	}

	#[benchmark]
	fn set_stress_move() -> Result<(), BenchmarkError> {
		let markets = setup_markets::<T>(1)?;
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let stress_move = Permill::from_percent(45);
		changed_earlier::<T>(ParamKey::StressMove(markets[0]));

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, markets[0], stress_move);

		assert_eq!(StressMoves::<T>::get(markets[0]), stress_move);
		assert!(changed_now::<T>(ParamKey::StressMove(markets[0])));
		Ok(())
	}

	#[benchmark]
	fn set_sweep_budget() -> Result<(), BenchmarkError> {
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let budget = Pallet::<T>::min_sweep_budget();
		changed_earlier::<T>(ParamKey::SweepBudget);

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, budget);

		assert_eq!(SweepBudget::<T>::get(), Some(budget));
		assert!(changed_now::<T>(ParamKey::SweepBudget));
		Ok(())
	}

	/// An unsolicited transfer swept to the sink, with every market and `a`
	/// accounts holding the most positions to read.
	#[benchmark]
	fn sweep_excess(a: Linear<0, SWEEP_BENCHMARK_ACCOUNTS>) -> Result<(), BenchmarkError> {
		let markets = setup_markets::<T>(T::MaxMarkets::get())?;
		seed_accounts::<T>(a, &markets)?;
		T::Currency::mint_into(&Pallet::<T>::account_id(), DOLLARS)
			.map_err(|_| BenchmarkError::Stop("cannot donate"))?;
		assert_eq!(Pallet::<T>::excess(), DOLLARS);
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, a);

		assert!(Pallet::<T>::excess().is_zero());
		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_bench_ext(), crate::mock::Test);
}
