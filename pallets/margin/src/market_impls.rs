//! Governance of markets, of the fee split and of the profit warm-up,
//! deficits, and the genesis build.

use super::*;
use backstop_primitives::{governance::Direction, Authority, Balance, MarketId};
use frame_support::{
	pallet_prelude::*,
	traits::{
		fungible::{Inspect, Mutate},
		Get,
	},
};
use sp_arithmetic::{traits::Zero, FixedU128, Permill};

impl<T: Config> Pallet<T> {
	/// Checks `params` against the hard bounds.
	pub fn validate_params(params: &MarketParams) -> Result<(), Error<T>> {
		ensure!(
			params.maintenance_margin >= MIN_MAINTENANCE_MARGIN,
			Error::<T>::MarginFractionTooLow
		);
		ensure!(
			params.maintenance_margin < params.initial_margin,
			Error::<T>::InvalidMarginFractions
		);
		let liquidation_fees = params
			.liquidation_penalty
			.deconstruct()
			.saturating_add(params.liquidator_reward.deconstruct());
		ensure!(
			liquidation_fees <= params.maintenance_margin.deconstruct(),
			Error::<T>::LiquidationFeesTooHigh
		);
		ensure!(
			params.trading_fee <= MAX_FEE && params.skew_fee <= MAX_FEE,
			Error::<T>::FeeTooHigh
		);
		ensure!(
			!params.skew_scale.is_zero() && !params.funding_skew_scale.is_zero(),
			Error::<T>::ZeroSkewScale
		);
		ensure!(
			params.max_funding_rate <= MAX_FUNDING_RATE_PER_BLOCK,
			Error::<T>::FundingRateTooHigh
		);
		ensure!(
			params.open_interest_lower_cap < params.open_interest_upper_cap,
			Error::<T>::InvalidOpenInterestCaps
		);
		ensure!(
			!params.max_open_interest.is_zero()
				&& params.max_open_interest <= MAX_OPEN_INTEREST
				&& params.open_interest_upper_cap <= MAX_OPEN_INTEREST,
			Error::<T>::OpenInterestOutOfBounds
		);
		ensure!(
			params.volatility_multiplier <= FixedU128::from_u32(MAX_VOLATILITY_MULTIPLIER),
			Error::<T>::VolatilityMultiplierTooHigh
		);
		Ok(())
	}

	/// Checks that the parts of `split` sum to 100%.
	pub fn validate_fee_split(split: &FeeSplit) -> Result<(), Error<T>> {
		let total = u64::from(split.liquidity_providers.deconstruct())
			.saturating_add(u64::from(split.insurance.deconstruct()))
			.saturating_add(u64::from(split.stakers.deconstruct()));
		ensure!(
			total == u64::from(Permill::from_percent(100).deconstruct()),
			Error::<T>::InvalidFeeSplit
		);
		Ok(())
	}

	/// The `create_market` call: governance's only (no interval: a market
	/// is created once). Starts the interval of the market's parameters.
	pub(crate) fn do_create_market(
		authority: Authority,
		id: MarketId,
		params: MarketParams,
	) -> DispatchResult {
		Self::ensure_can_create_market(id, &params)?;
		Self::ensure_may_change(
			authority,
			governance_impls::Classified::discrete(Direction::governance_only()),
			None,
		)?;
		Self::insert_market(id, params);
		Self::note_change(ParamKey::MarketParams(id));
		Ok(())
	}

	/// The hard checks of a new market.
	fn ensure_can_create_market(id: MarketId, params: &MarketParams) -> DispatchResult {
		Self::validate_params(params)?;
		ensure!(!Markets::<T>::contains_key(id), Error::<T>::MarketExists);
		ensure!(MarketCount::<T>::get() < T::MaxMarkets::get(), Error::<T>::TooManyMarkets);
		Ok(())
	}

	/// Creates market `id` (checked by `ensure_can_create_market`).
	pub(crate) fn insert_market(id: MarketId, params: MarketParams) {
		let count = MarketCount::<T>::get();
		let mut state = MarketState::default();
		if let Ok(info) = Self::fresh_price(params.oracle_asset) {
			state.last_price = info.price;
		}
		Markets::<T>::insert(id, MarketInfo { params, status: MarketStatus::Active, state });
		// `count < MaxMarkets`.
		MarketCount::<T>::put(count.saturating_add(1));
		Self::deposit_event(Event::MarketCreated { market: id, params });
	}

	/// The `update_market` call: classified field by field
	/// (`classify_market_params`), every numeric field step-bounded.
	pub(crate) fn do_update_market(
		authority: Authority,
		id: MarketId,
		params: MarketParams,
	) -> DispatchResult {
		Self::validate_params(&params)?;
		let mut market = Markets::<T>::get(id).ok_or(Error::<T>::UnknownMarket)?;
		if params.oracle_asset != market.params.oracle_asset {
			ensure!(market.state.open_interest() == Some(0), Error::<T>::OracleAssetLocked);
		}
		let key = ParamKey::MarketParams(id);
		let change = Self::classify_market_params(&market.params, &params);
		Self::ensure_may_change(authority, change, Self::last_change(key))?;
		let changed = market.params != params;
		market.params = params;
		Markets::<T>::insert(id, market);
		if changed {
			Self::note_change(key);
		}
		Self::deposit_event(Event::MarketUpdated { market: id, params });
		Ok(())
	}

	/// The `set_market_status` call: a discrete action (no step, no
	/// interval); up `Active` → `ReduceOnly` → `Halted` tightens, any move
	/// back loosens (`classify_status`).
	pub(crate) fn do_set_market_status(
		authority: Authority,
		id: MarketId,
		status: MarketStatus,
	) -> DispatchResult {
		Markets::<T>::try_mutate(id, |market| -> DispatchResult {
			let market = market.as_mut().ok_or(Error::<T>::UnknownMarket)?;
			ensure!(
				status != MarketStatus::Closed && market.status != MarketStatus::Closed,
				Error::<T>::MarketClosed
			);
			ensure!(!FinalSettlement::<T>::contains_key(id), Error::<T>::SettlementUnderway);
			ensure!(
				status != MarketStatus::Active || market.state.deficit.is_zero(),
				Error::<T>::DeficitPending
			);
			Self::ensure_may_change(authority, Self::classify_status(market.status, status), None)?;
			market.status = status;
			Ok(())
		})?;
		// Governance chose a status while a deficit waits: it stays.
		Deleveraging::<T>::mutate_extant(id, |pending| pending.reopen = false);
		Self::deposit_event(Event::MarketStatusChanged { market: id, status });
		Ok(())
	}

	/// The `set_fee_split` call: governance's only, each part
	/// step-bounded.
	pub(crate) fn do_set_fee_split(authority: Authority, split: FeeSplit) -> DispatchResult {
		Self::validate_fee_split(&split)?;
		let old = FeeSplitConfig::<T>::get();
		let key = ParamKey::FeeSplit;
		Self::ensure_may_change(
			authority,
			Self::classify_fee_split(&old, &split),
			Self::last_change(key),
		)?;
		Self::put_fee_split(split);
		if old != split {
			Self::note_change(key);
		}
		Ok(())
	}

	/// Stores a fee split (checked by `validate_fee_split`).
	fn put_fee_split(split: FeeSplit) {
		FeeSplitConfig::<T>::put(split);
		Self::deposit_event(Event::FeeSplitUpdated { split });
	}

	/// Checks liquidation parameters: a buffer and a maximum portion above
	/// zero.
	pub fn validate_liquidation_params(params: &LiquidationParams) -> Result<(), Error<T>> {
		ensure!(
			!params.buffer.is_zero() && !params.max_portion.is_zero(),
			Error::<T>::InvalidLiquidationParams
		);
		Ok(())
	}

	/// The `set_liquidation_params` call: classified field by field
	/// (`classify_liquidation_params`), every field step-bounded.
	pub(crate) fn do_set_liquidation_params(
		authority: Authority,
		params: LiquidationParams,
	) -> DispatchResult {
		Self::validate_liquidation_params(&params)?;
		let old = LiquidationConfig::<T>::get();
		let key = ParamKey::LiquidationParams;
		Self::ensure_may_change(
			authority,
			Self::classify_liquidation_params(&old, &params),
			Self::last_change(key),
		)?;
		Self::put_liquidation_params(params);
		if old != params {
			Self::note_change(key);
		}
		Ok(())
	}

	/// Stores liquidation parameters (checked by
	/// `validate_liquidation_params`).
	fn put_liquidation_params(params: LiquidationParams) {
		LiquidationConfig::<T>::put(params);
		Self::deposit_event(Event::LiquidationParamsUpdated { params });
	}

	/// The `set_stress_move` call: `market` must exist and the move be above
	/// zero; higher is tighter, step-bounded.
	pub(crate) fn do_set_stress_move(
		authority: Authority,
		id: MarketId,
		stress_move: Permill,
	) -> DispatchResult {
		Self::ensure_valid_stress_move(id, stress_move)?;
		let old = StressMoves::<T>::get(id);
		let key = ParamKey::StressMove(id);
		Self::ensure_may_change(
			authority,
			Self::classify_stress_move(old, stress_move),
			Self::last_change(key),
		)?;
		Self::put_stress_move(id, stress_move);
		if old != stress_move {
			Self::note_change(key);
		}
		Ok(())
	}

	/// The hard checks of a stress move.
	fn ensure_valid_stress_move(id: MarketId, stress_move: Permill) -> DispatchResult {
		ensure!(Markets::<T>::contains_key(id), Error::<T>::UnknownMarket);
		ensure!(!stress_move.is_zero(), Error::<T>::ZeroStressMove);
		Ok(())
	}

	/// Stores a stress move (checked by `ensure_valid_stress_move`).
	fn put_stress_move(id: MarketId, stress_move: Permill) {
		StressMoves::<T>::insert(id, stress_move);
		Self::deposit_event(Event::StressMoveSet { market: id, stress_move });
	}

	/// Checks a profit warm-up against the hard bounds.
	pub fn validate_warmup(warmup: &WarmupOf<T>) -> Result<(), Error<T>> {
		ensure!(warmup.period <= T::MaxWarmupPeriod::get(), Error::<T>::WarmupPeriodTooLong);
		Ok(())
	}

	/// The `set_profit_warmup` call. Profit already maturing keeps its
	/// schedule; the new warm-up applies to later credits. A longer period
	/// and a lower threshold tighten, both step-bounded.
	pub(crate) fn do_set_profit_warmup(
		authority: Authority,
		warmup: WarmupOf<T>,
	) -> DispatchResult {
		Self::validate_warmup(&warmup)?;
		let old = ProfitWarmupConfig::<T>::get();
		let key = ParamKey::ProfitWarmup;
		Self::ensure_may_change(
			authority,
			Self::classify_warmup(&old, &warmup),
			Self::last_change(key),
		)?;
		Self::put_warmup(warmup);
		if old != warmup {
			Self::note_change(key);
		}
		Ok(())
	}

	/// Stores a profit warm-up (checked by `validate_warmup`).
	pub(crate) fn put_warmup(warmup: WarmupOf<T>) {
		ProfitWarmupConfig::<T>::put(warmup);
		Self::deposit_event(Event::ProfitWarmupUpdated { warmup });
	}

	/// The `cover_deficit` call: `who` pays up to `amount` (at most the
	/// deficit) into the pallet account, owed to the pool.
	pub(crate) fn do_cover_deficit(
		who: &T::AccountId,
		id: MarketId,
		amount: Balance,
	) -> DispatchResult {
		ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
		let mut market = Markets::<T>::get(id).ok_or(Error::<T>::UnknownMarket)?;
		ensure!(!market.state.deficit.is_zero(), Error::<T>::NoDeficit);
		let paid = Self::pull(who, amount.min(market.state.deficit))?;
		market.state.pool_receivable =
			market.state.pool_receivable.checked_add(paid).ok_or(Error::<T>::Overflow)?;
		// The larger part waiting for deleveraging is relieved first.
		let mut pending = Deleveraging::<T>::get(id).unwrap_or_default();
		let mut left = paid;
		for side in pending.larger_first() {
			let part = pending.from_mut(side);
			let relief = left.min(*part);
			*part = part.saturating_sub(relief);
			left = left.saturating_sub(relief);
		}
		Self::reduce_deficit(id, &mut market, pending, paid);
		let remaining = market.state.deficit;
		Markets::<T>::insert(id, market);
		Self::deposit_event(Event::DeficitCovered {
			market: id,
			who: who.clone(),
			amount: paid,
			remaining,
		});
		Ok(())
	}

	/// Mints the existential buffer into the pallet account if it is missing.
	/// A failure (for example, the settlement asset does not exist yet) is
	/// logged, not fatal: the first inflow restores the buffer.
	pub(crate) fn ensure_buffer() {
		let account = Self::account_id();
		let missing = T::Currency::minimum_balance().saturating_sub(T::Currency::balance(&account));
		if missing.is_zero() {
			return;
		}
		if let Err(error) = T::Currency::mint_into(&account, missing) {
			log::error!(target: LOG_TARGET, "could not mint the existential buffer: {error:?}");
		}
	}

	/// The genesis build: the buffer, the fee split, the warm-up, the
	/// markets, their stress moves. Checked against the hard ranges only,
	/// and no change is recorded in `ParamChangedAt`: the first change by
	/// the risk track or the guardian has no interval to wait for.
	///
	/// # Panics
	///
	/// On an invalid fee split, warm-up, market or stress move (of zero, or
	/// of a market not created at genesis): a chain must not start
	/// with parameters outside the hard bounds. This runs only when the
	/// genesis state is built, never in a block.
	pub(crate) fn do_genesis(
		markets: &[(MarketId, MarketParams)],
		split: Option<FeeSplit>,
		warmup: Option<WarmupOf<T>>,
		liquidation: Option<LiquidationParams>,
		stress_moves: &[(MarketId, Permill)],
	) {
		Self::ensure_buffer();
		if let Some(split) = split {
			if let Err(error) = Self::validate_fee_split(&split) {
				panic!("invalid genesis fee split: {error:?}");
			}
			Self::put_fee_split(split);
		}
		if let Some(warmup) = warmup {
			if let Err(error) = Self::validate_warmup(&warmup) {
				panic!("invalid genesis profit warm-up: {error:?}");
			}
			Self::put_warmup(warmup);
		}
		if let Some(params) = liquidation {
			if let Err(error) = Self::validate_liquidation_params(&params) {
				panic!("invalid genesis liquidation parameters: {error:?}");
			}
			Self::put_liquidation_params(params);
		}
		for (id, params) in markets {
			if let Err(error) = Self::ensure_can_create_market(*id, params) {
				panic!("invalid genesis market {id}: {error:?}");
			}
			Self::insert_market(*id, *params);
		}
		for (id, stress_move) in stress_moves {
			if let Err(error) = Self::ensure_valid_stress_move(*id, *stress_move) {
				panic!("invalid genesis stress move of market {id}: {error:?}");
			}
			Self::put_stress_move(*id, *stress_move);
		}
	}
}
