//! Ledgers, parameters, targets, transfers, the runtime-API helpers, genesis
//! and the invariants.

use super::*;
use alloc::vec::Vec;
use backstop_primitives::{Balance, MarketId, RiskExposure};
use frame_support::{
	defensive,
	pallet_prelude::*,
	traits::{
		fungible::{Inspect, Mutate},
		tokens::{Fortitude, Preservation},
	},
};
use sp_runtime::{
	traits::{AccountIdConversion, Bounded, Zero},
	FixedPointNumber, FixedU128,
};

impl<T: Config> Pallet<T> {
	/// The account that holds every fund and the existential buffer.
	pub fn account_id() -> T::AccountId {
		T::PalletId::get().into_account_truncating()
	}

	/// The ledger of `fund`; `None` for a market without a sub-fund. The
	/// global fund always exists.
	pub fn fund_of(fund: FundId) -> Option<Fund> {
		match fund {
			FundId::Global => Some(GlobalFund::<T>::get()),
			FundId::Market(market) => MarketFunds::<T>::get(market),
		}
	}

	/// The parameters in force for `fund`: a market's own, or the market
	/// default.
	pub fn params_of(fund: FundId) -> FundParams {
		match fund {
			FundId::Global => GlobalParams::<T>::get(),
			FundId::Market(market) => {
				MarketParams::<T>::get(market).unwrap_or_else(DefaultMarketParams::<T>::get)
			},
		}
	}

	/// The open interest `fund` insures: the market's own for a sub-fund, the
	/// total for the global fund (reported; the target follows the required
	/// capital).
	pub fn open_interest_of(fund: FundId) -> Balance {
		match fund {
			FundId::Global => T::Exposure::total_open_interest(),
			FundId::Market(market) => T::Exposure::open_interest(market),
		}
	}

	/// The required capital `fund` is sized against: the stressed loss of the
	/// market's open interest for a sub-fund, that of every market moving
	/// together (correlations at one) for the global fund.
	pub fn required_capital_of(fund: FundId) -> Balance {
		match fund {
			FundId::Global => T::Exposure::total_required_capital(),
			FundId::Market(market) => T::Exposure::required_capital(market),
		}
	}

	/// The target size for `required` capital under `params`, rounded up (the
	/// protocol's favour: less surplus, an earlier alarm).
	pub(crate) fn target_for(params: &FundParams, required: Balance) -> Balance {
		params.target_fraction.mul_ceil(required)
	}

	/// The floor for `target` under `params`, rounded up.
	pub(crate) fn floor_for(params: &FundParams, target: Balance) -> Balance {
		params.floor.mul_ceil(target)
	}

	/// The most one loss event may draw from a fund holding `balance`: the
	/// cap fraction of the balance rounded down, and at most the absolute
	/// cap. Never more than `balance`, since the fraction is at most 100%.
	pub(crate) fn cap_for(params: &FundParams, balance: Balance) -> Balance {
		params.cap_fraction.mul_floor(balance).min(params.absolute_cap)
	}

	/// What the per-block cap still lets `fund` (holding `balance`) pay in
	/// this block: `BlockCapFraction` of its balance before the block's
	/// first draw (rounded down), less what it drew since.
	pub(crate) fn block_room(fund: FundId, balance: Balance) -> Balance {
		let now = frame_system::Pallet::<T>::block_number();
		let fraction = BlockCapFraction::<T>::get();
		match BlockDraws::<T>::get(fund).filter(|draw| draw.block == now) {
			Some(draw) => fraction.mul_floor(draw.base).saturating_sub(draw.drawn),
			None => fraction.mul_floor(balance),
		}
	}

	/// The most one loss event may draw from `fund` (holding `balance`, under
	/// `params`) now: its per-event cap and what the per-block cap leaves.
	pub(crate) fn event_cap(fund: FundId, params: &FundParams, balance: Balance) -> Balance {
		Self::cap_for(params, balance).min(Self::block_room(fund, balance))
	}

	/// Records that `fund`, holding `balance` before, drew `amount` towards a
	/// loss in this block.
	pub(crate) fn record_draw(fund: FundId, balance: Balance, amount: Balance) {
		let now = frame_system::Pallet::<T>::block_number();
		BlockDraws::<T>::mutate(fund, |draw| {
			let current = draw.filter(|draw| draw.block == now).unwrap_or(BlockDraw {
				block: now,
				base: balance,
				drawn: 0,
			});
			*draw = Some(BlockDraw { drawn: current.drawn.saturating_add(amount), ..current });
		});
	}

	/// `balance / target` rounded down; `None` for a zero target, saturating
	/// at the largest representable value.
	pub(crate) fn coverage_for(balance: Balance, target: Balance) -> Option<FixedU128> {
		if target.is_zero() {
			return None;
		}
		Some(FixedU128::checked_from_rational(balance, target).unwrap_or(FixedU128::max_value()))
	}

	/// Re-evaluates whether `state` is below its floor, flips the flag and
	/// emits `UnderCapitalized`/`Recapitalized` on a crossing. Does not store.
	pub(crate) fn update_status(
		fund: FundId,
		state: &mut Fund,
		params: &FundParams,
		target: Balance,
	) {
		let floor = Self::floor_for(params, target);
		let under = state.balance < floor;
		match (state.under_capitalized, under) {
			(false, true) => Self::deposit_event(Event::UnderCapitalized {
				fund,
				balance: state.balance,
				target,
				floor,
			}),
			(true, false) => Self::deposit_event(Event::Recapitalized {
				fund,
				balance: state.balance,
				target,
				floor,
			}),
			_ => {},
		}
		state.under_capitalized = under;
	}

	/// Re-evaluates the status of `state` under `params` and stores it as the
	/// ledger of `fund`.
	pub(crate) fn settle_with(fund: FundId, mut state: Fund, params: &FundParams) {
		let target = Self::target_for(params, Self::required_capital_of(fund));
		Self::update_status(fund, &mut state, params, target);
		Self::store_fund(fund, state);
	}

	/// Writes `state` as the ledger of `fund`.
	pub(crate) fn store_fund(fund: FundId, state: Fund) {
		match fund {
			FundId::Global => GlobalFund::<T>::put(state),
			FundId::Market(market) => MarketFunds::<T>::insert(market, state),
		}
	}

	/// Re-evaluates the status of `state` and stores it as the ledger of `fund`.
	pub(crate) fn settle(fund: FundId, state: Fund) {
		Self::settle_with(fund, state, &Self::params_of(fund))
	}

	/// The sub-fund of `market`, created (empty, emitting `FundCreated`) if it
	/// does not exist and there is room for it.
	pub(crate) fn market_fund_or_create(market: MarketId) -> Result<Fund, DispatchError> {
		if let Some(state) = MarketFunds::<T>::get(market) {
			return Ok(state);
		}
		ensure!(MarketFunds::<T>::count() < T::MaxMarketFunds::get(), Error::<T>::TooManyFunds);
		let state = Fund::default();
		MarketFunds::<T>::insert(market, state);
		Self::deposit_event(Event::FundCreated { market });
		Ok(state)
	}

	/// Checks `params` against the hard limits.
	pub(crate) fn ensure_params_in_bounds(params: &FundParams) -> DispatchResult {
		ensure!(params.cap_fraction <= T::MaxCapFraction::get(), Error::<T>::CapFractionTooHigh);
		ensure!(params.absolute_cap <= T::MaxAbsoluteCap::get(), Error::<T>::AbsoluteCapTooHigh);
		ensure!(
			params.target_fraction <= T::MaxTargetFraction::get(),
			Error::<T>::TargetFractionTooHigh
		);
		Ok(())
	}

	/// Moves `amount` from `source` into the pallet account (keeping `source`
	/// alive) and returns what may be credited to funds: all of it, unless
	/// the existential buffer was missing, in which case the first part of
	/// the inflow restores it.
	pub(crate) fn pull(source: &T::AccountId, amount: Balance) -> Result<Balance, DispatchError> {
		let account = Self::account_id();
		let held = T::Currency::balance(&account);
		// Zero whenever the buffer is in place, since the account never falls
		// below the minimum balance once it holds it.
		let missing = T::Currency::minimum_balance().saturating_sub(held);
		ensure!(amount >= missing, Error::<T>::BufferMissing);
		T::Currency::transfer(source, &account, amount, Preservation::Preserve)?;
		if !missing.is_zero() {
			log::warn!(
				target: LOG_TARGET,
				"pallet account had no existential buffer; restored it with {missing:?}",
			);
			Self::deposit_event(Event::BufferRestored { amount: missing });
		}
		// `amount >= missing` was checked above.
		Ok(amount.saturating_sub(missing))
	}

	/// Pays `amount` from the pallet account to `dest`, always leaving the
	/// existential buffer in place.
	pub(crate) fn push(dest: &T::AccountId, amount: Balance) -> DispatchResult {
		let account = Self::account_id();
		let spendable =
			T::Currency::reducible_balance(&account, Preservation::Preserve, Fortitude::Polite);
		if spendable < amount {
			defensive!("insurance fund ledgers exceed what the pallet account can pay");
			return Err(Error::<T>::LedgerExceedsAccount.into());
		}
		T::Currency::transfer(&account, dest, amount, Preservation::Preserve)?;
		Ok(())
	}

	/// What `fund` holds; zero for a market without a sub-fund.
	pub fn fund_balance(fund: FundId) -> Balance {
		Self::fund_of(fund).map(|state| state.balance).unwrap_or_default()
	}

	/// The target size of `fund` now. For a market without a sub-fund, the
	/// target its sub-fund would have.
	pub fn fund_target(fund: FundId) -> Balance {
		Self::target_for(&Self::params_of(fund), Self::required_capital_of(fund))
	}

	/// `fund_balance / fund_target`, rounded down; `None` when the target is
	/// zero.
	pub fn fund_coverage(fund: FundId) -> Option<FixedU128> {
		Self::coverage_for(Self::fund_balance(fund), Self::fund_target(fund))
	}

	/// What `fund` would pay towards one loss event now (its per-event cap).
	pub fn fund_capacity(fund: FundId) -> Balance {
		Self::event_cap(fund, &Self::params_of(fund), Self::fund_balance(fund))
	}

	/// What `fund` holds above its target: the most governance may withdraw.
	pub fn fund_surplus(fund: FundId) -> Balance {
		Self::fund_balance(fund).saturating_sub(Self::fund_target(fund))
	}

	/// What the insurance fund would cover of a loss in `market` now: the
	/// sub-fund's cap plus the global fund's cap.
	pub fn market_capacity(market: MarketId) -> Balance {
		let sub = if MarketFunds::<T>::contains_key(market) {
			Self::fund_capacity(FundId::Market(market))
		} else {
			Zero::zero()
		};
		// Both caps are bounded by what the funds hold, whose sum is bounded
		// by the asset's total issuance: this cannot overflow.
		sub.saturating_add(Self::fund_capacity(FundId::Global))
	}

	/// A full view of `fund`; `None` for a market without a sub-fund.
	pub fn fund_info(fund: FundId) -> Option<FundInfo> {
		let state = Self::fund_of(fund)?;
		let params = Self::params_of(fund);
		let open_interest = Self::open_interest_of(fund);
		let required_capital = Self::required_capital_of(fund);
		let target = Self::target_for(&params, required_capital);
		Some(FundInfo {
			fund,
			balance: state.balance,
			open_interest,
			required_capital,
			target,
			coverage: Self::coverage_for(state.balance, target),
			capacity: Self::event_cap(fund, &params, state.balance),
			surplus: state.balance.saturating_sub(target),
			params,
			under_capitalized: state.under_capitalized,
		})
	}

	/// What the pallet account holds beyond every fund and the existential
	/// buffer: unsolicited transfers, never counted, credited to the global
	/// fund by `absorb_excess`.
	pub fn excess() -> Balance {
		Self::excess_and_funds().0
	}

	/// The excess and the number of market sub-funds read (at most
	/// `MaxMarketFunds`).
	pub(crate) fn excess_and_funds() -> (Balance, u32) {
		let mut expected =
			GlobalFund::<T>::get().balance.saturating_add(T::Currency::minimum_balance());
		let mut funds: u32 = 0;
		for state in MarketFunds::<T>::iter_values() {
			// Every ledger is backed by the settlement asset's issuance and
			// there are at most `MaxMarketFunds` sub-funds: neither sum
			// overflows.
			expected = expected.saturating_add(state.balance);
			funds = funds.saturating_add(1);
		}
		(T::Currency::balance(&Self::account_id()).saturating_sub(expected), funds)
	}

	/// Views of every fund: the global fund first, then the market sub-funds
	/// by market id. At most `MaxMarketFunds + 1` entries.
	pub fn funds() -> Vec<FundInfo> {
		let mut markets: Vec<MarketId> = MarketFunds::<T>::iter_keys().collect();
		markets.sort_unstable();
		core::iter::once(FundId::Global)
			.chain(markets.into_iter().map(FundId::Market))
			.filter_map(Self::fund_info)
			.collect()
	}

	/// Builds the genesis state. Panics on an invalid configuration, as
	/// genesis builds do: a chain must not start from a broken state.
	pub(crate) fn do_build_genesis(config: &GenesisConfig<T>) {
		for params in [&config.global_params, &config.default_market_params] {
			assert!(
				Self::ensure_params_in_bounds(params).is_ok(),
				"insurance fund genesis: parameters out of bounds: {params:?}",
			);
		}
		assert!(
			config.forward_fraction <= T::MaxForwardFraction::get(),
			"insurance fund genesis: forward fraction above MaxForwardFraction",
		);
		assert!(
			config.market_seeds.len() <= T::MaxMarketFunds::get() as usize,
			"insurance fund genesis: more market seeds than MaxMarketFunds",
		);
		GlobalParams::<T>::put(config.global_params);
		DefaultMarketParams::<T>::put(config.default_market_params);
		ForwardFraction::<T>::put(config.forward_fraction);
		assert!(
			Self::ensure_keeper_limits_in_bounds(&config.keeper_reward_limits).is_ok(),
			"insurance fund genesis: keeper reward limits out of bounds",
		);
		KeeperRewardCaps::<T>::put(config.keeper_reward_limits);
		if let Some(fraction) = config.block_cap {
			assert!(!fraction.is_zero(), "insurance fund genesis: a per-block cap of zero");
			BlockCapFraction::<T>::put(fraction);
		}

		let mut to_mint = T::Currency::minimum_balance();
		let mut add = |amount: Balance| match to_mint.checked_add(amount) {
			Some(sum) => to_mint = sum,
			None => panic!("insurance fund genesis: seeds overflow"),
		};
		add(config.global_seed);
		Self::settle(FundId::Global, Fund { balance: config.global_seed, ..Default::default() });
		for &(market, seed) in &config.market_seeds {
			assert!(
				!MarketFunds::<T>::contains_key(market),
				"insurance fund genesis: market {market} seeded twice",
			);
			add(seed);
			Self::settle(FundId::Market(market), Fund { balance: seed, ..Default::default() });
		}
		if !to_mint.is_zero() {
			if let Err(e) = T::Currency::mint_into(&Self::account_id(), to_mint) {
				panic!("insurance fund genesis: cannot mint the buffer and seeds: {e:?}");
			}
		}
	}

	/// Checks the configured constants.
	pub(crate) fn do_integrity_test() {
		assert!(T::MaxMarketFunds::get() > 0, "MaxMarketFunds must allow at least one sub-fund");
		assert!(
			!T::MaxAbsoluteCap::get().is_zero(),
			"MaxAbsoluteCap of zero would forbid every payout"
		);
		assert!(
			!T::MaxCapFraction::get().is_zero(),
			"MaxCapFraction of zero would forbid every payout"
		);
		assert!(
			!T::MaxParamStep::get().is_zero(),
			"MaxParamStep of zero would let only the root track change a parameter"
		);
	}

	/// The invariants of the pallet:
	///
	/// * the pallet account holds at least the sum of all fund ledgers plus
	///   the existential buffer (`minimum_balance`), or, before the buffer was
	///   ever created (pallet added without genesis and no inflow yet),
	///   nothing at all; anything above is an unsolicited transfer, never
	///   counted until governance credits it to the global fund
	///   (`absorb_excess`; reported by [`Pallet::excess`]);
	/// * the sub-fund counter is right and within `MaxMarketFunds`;
	/// * every market with its own parameters has a sub-fund;
	/// * every parameter is within its hard limit;
	/// * every change record is of a parameter that exists (a market's only
	///   while its sub-fund does) and not later than the current block.
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		let mut ledgers = GlobalFund::<T>::get().balance;
		let mut count: u32 = 0;
		for (_, state) in MarketFunds::<T>::iter() {
			ledgers = ledgers.checked_add(state.balance).ok_or("fund ledgers overflow")?;
			count = count.checked_add(1).ok_or("too many sub-funds")?;
		}
		let held = T::Currency::balance(&Self::account_id());
		let pristine = held.is_zero() && ledgers.is_zero();
		let expected = ledgers
			.checked_add(T::Currency::minimum_balance())
			.ok_or("fund ledgers plus buffer overflow")?;
		ensure!(
			pristine || held >= expected,
			"pallet account holds less than the fund ledgers plus the buffer"
		);
		ensure!(count == MarketFunds::<T>::count(), "sub-fund counter is wrong");
		ensure!(count <= T::MaxMarketFunds::get(), "more sub-funds than MaxMarketFunds");
		for market in MarketParams::<T>::iter_keys() {
			ensure!(MarketFunds::<T>::contains_key(market), "market parameters without a sub-fund");
		}
		let all_params = [GlobalParams::<T>::get(), DefaultMarketParams::<T>::get()]
			.into_iter()
			.chain(MarketParams::<T>::iter_values());
		for params in all_params {
			ensure!(
				Self::ensure_params_in_bounds(&params).is_ok(),
				"fund parameters out of bounds"
			);
		}
		ensure!(
			ForwardFraction::<T>::get() <= T::MaxForwardFraction::get(),
			"forward fraction out of bounds"
		);
		ensure!(
			Self::ensure_keeper_limits_in_bounds(&KeeperRewardCaps::<T>::get()).is_ok(),
			"keeper reward limits out of bounds"
		);
		for (fund, draw) in BlockDraws::<T>::iter() {
			ensure!(Self::fund_of(fund).is_some(), "block draws of a fund that does not exist");
			ensure!(draw.drawn <= draw.base, "a fund drew more in a block than it held");
		}
		for fund in LastSurplusRelease::<T>::iter_keys() {
			ensure!(Self::fund_of(fund).is_some(), "surplus release of a fund that does not exist");
		}
		ensure!(!BlockCapFraction::<T>::get().is_zero(), "a per-block cap of zero");
		let now = frame_system::Pallet::<T>::block_number();
		for (key, at) in ParamChangedAt::<T>::iter() {
			ensure!(at <= now, "a parameter change recorded in a future block");
			if let Some(market) = key.market() {
				ensure!(
					MarketFunds::<T>::contains_key(market),
					"a change record of a market without a sub-fund"
				);
			}
		}
		ensure!(
			KeeperRewardsPaid::<T>::get().1 <= Self::max_keeper_rewards_per_block(),
			"keepers were paid more in a block than any cap allows"
		);
		Ok(())
	}

	/// The hard limit of the per-block keeper reward cap.
	pub(crate) fn max_keeper_rewards_per_block() -> Balance {
		T::MaxKeeperReward::get().saturating_mul(T::MaxKeeperRewardsPerBlock::get().into())
	}

	/// Checks keeper reward `limits` against the hard limits: the
	/// per-liquidation cap at most `MaxKeeperReward` and at most the
	/// per-block cap, the per-block cap at most
	/// `MaxKeeperReward × MaxKeeperRewardsPerBlock`.
	pub(crate) fn ensure_keeper_limits_in_bounds(limits: &KeeperRewardLimits) -> DispatchResult {
		ensure!(
			limits.per_liquidation <= T::MaxKeeperReward::get()
				&& limits.per_block <= Self::max_keeper_rewards_per_block(),
			Error::<T>::KeeperRewardTooHigh
		);
		ensure!(limits.per_liquidation <= limits.per_block, Error::<T>::KeeperRewardAboveBlockCap);
		Ok(())
	}
}
