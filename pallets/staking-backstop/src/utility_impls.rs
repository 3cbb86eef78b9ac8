//! Transfers, parameter bounds, the runtime-API helpers, genesis and the
//! invariants.

use super::*;
use alloc::vec::Vec;
use backstop_primitives::{Balance, RiskExposure};
use frame_support::{
	defensive,
	pallet_prelude::*,
	traits::{
		fungible::{Inspect, Mutate},
		tokens::{Fortitude, Preservation},
	},
	weights::Weight,
};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{
	traits::{AccountIdConversion, One, Saturating, Zero},
	FixedU128, Perbill, Permill,
};

impl<T: Config> Pallet<T> {
	/// The account that holds both tranches, the reward pot, the
	/// undistributed rewards and the existential buffer.
	pub fn account_id() -> T::AccountId {
		T::PalletId::get().into_account_truncating()
	}

	/// Fails with `BufferMissing` unless the pallet account holds its
	/// existential buffer. Once it does, it always will: every payment out of
	/// it keeps it alive.
	pub(crate) fn ensure_buffer() -> DispatchResult {
		let held = T::Currency::balance(&Self::account_id());
		ensure!(held >= T::Currency::minimum_balance(), Error::<T>::BufferMissing);
		Ok(())
	}

	/// Moves a stake of `amount` from `who` into the pallet account, keeping
	/// `who` alive.
	pub(crate) fn pull(who: &T::AccountId, amount: Balance) -> DispatchResult {
		T::Currency::transfer(who, &Self::account_id(), amount, Preservation::Preserve)?;
		Ok(())
	}

	/// Moves revenue of `amount` from `source` into the pallet account
	/// (keeping `source` alive) and returns what may be credited to rewards:
	/// all of it, unless the existential buffer was missing, in which case
	/// the first part of the inflow restores it.
	pub(crate) fn pull_revenue(
		source: &T::AccountId,
		amount: Balance,
	) -> Result<Balance, DispatchError> {
		let account = Self::account_id();
		let held = T::Currency::balance(&account);
		// Zero whenever the buffer is in place.
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
			defensive!("staking backstop ledgers exceed what the pallet account can pay");
			return Err(Error::<T>::LedgerInconsistent.into());
		}
		T::Currency::transfer(&account, dest, amount, Preservation::Preserve)?;
		Ok(())
	}

	/// The parameters of a tranche that neither genesis nor governance set:
	/// no minimum stake beyond one share, 30% per event and 50% per block
	/// (or the hard limit if lower), a wipe-out floor of 1% (or the hard
	/// limit if lower), the shortest window and the shortest cooldown that
	/// the limits and `MaxWindowFraction` allow for it.
	pub fn default_tranche_params() -> TrancheParams<BlockNumberFor<T>> {
		let unstake_window = T::MinUnstakeWindow::get();
		TrancheParams {
			min_stake: Zero::zero(),
			max_slash_fraction: Perbill::from_percent(30).min(T::MaxSlashFraction::get()),
			cooldown: Self::shortest_cooldown_for(unstake_window),
			unstake_window,
			max_slash_per_block: Perbill::from_percent(50),
			wipe_out_floor: Perbill::from_percent(1).min(T::MaxWipeOutFloor::get()),
		}
	}

	/// The shortest cooldown within the hard limits whose `MaxWindowFraction`
	/// (rounded down) admits `window`: `ceil(window / fraction)`, at least
	/// `MinCooldown`, at most `MaxCooldown` (where the check may still fail;
	/// `integrity_test` checks the defaults).
	pub(crate) fn shortest_cooldown_for(window: BlockNumberFor<T>) -> BlockNumberFor<T> {
		let fraction = T::MaxWindowFraction::get();
		let needed = if fraction.is_zero() {
			T::MaxCooldown::get()
		} else {
			let mut cooldown = fraction.saturating_reciprocal_mul_ceil(window);
			// Absorb any rounding of the reciprocal: step up until admitted.
			let mut steps = 0u8;
			while fraction.mul_floor(cooldown) < window && steps < 4 {
				cooldown = cooldown.saturating_add(One::one());
				steps = steps.saturating_add(1);
			}
			cooldown
		};
		needed.max(T::MinCooldown::get()).min(T::MaxCooldown::get())
	}

	/// The premium parameters neither genesis nor governance set: 10% a year
	/// at or below `coverage_high / 3`, 2% at or above `coverage_high` (3 or
	/// the hard limit if lower), one unit of annual rate per unit of
	/// volatility, capped at 25% a year, and a junior multiple of 2 (or the
	/// hard limit if lower, but at least one).
	pub fn default_premium_params() -> PremiumParams {
		let coverage_high = FixedU128::from_u32(3).min(T::MaxCoveragePoint::get());
		PremiumParams {
			rate_max: Permill::from_percent(10),
			rate_min: Permill::from_percent(2),
			coverage_low: FixedU128::from_inner(coverage_high.into_inner() / 3),
			coverage_high,
			volatility_weight: FixedU128::one(),
			rate_cap: Permill::from_percent(25),
			junior_multiple: FixedU128::from_u32(2)
				.min(T::MaxJuniorMultiple::get())
				.max(FixedU128::one()),
		}
	}

	/// Checks `params` against the hard limits.
	pub(crate) fn ensure_params_in_bounds(
		params: &TrancheParams<BlockNumberFor<T>>,
	) -> DispatchResult {
		ensure!(params.min_stake <= T::MaxMinStake::get(), Error::<T>::MinStakeTooHigh);
		ensure!(
			params.max_slash_fraction <= T::MaxSlashFraction::get(),
			Error::<T>::SlashFractionTooHigh
		);
		ensure!(params.cooldown >= T::MinCooldown::get(), Error::<T>::CooldownTooShort);
		ensure!(params.cooldown <= T::MaxCooldown::get(), Error::<T>::CooldownTooLong);
		ensure!(
			params.unstake_window >= T::MinUnstakeWindow::get(),
			Error::<T>::UnstakeWindowTooShort
		);
		ensure!(
			params.unstake_window <= T::MaxUnstakeWindow::get(),
			Error::<T>::UnstakeWindowTooLong
		);
		ensure!(
			params.unstake_window <= T::MaxWindowFraction::get().mul_floor(params.cooldown),
			Error::<T>::UnstakeWindowTooLongForCooldown
		);
		ensure!(!params.max_slash_per_block.is_zero(), Error::<T>::BlockSlashCapZero);
		ensure!(!params.wipe_out_floor.is_zero(), Error::<T>::WipeOutFloorZero);
		ensure!(
			params.wipe_out_floor <= T::MaxWipeOutFloor::get(),
			Error::<T>::WipeOutFloorTooHigh
		);
		Ok(())
	}

	/// Checks premium `params`: a non-empty coverage range within the hard
	/// limit, a rate that does not rise with coverage and stays within its
	/// cap, and a junior multiple in `[1, MaxJuniorMultiple]`.
	pub(crate) fn ensure_premium_valid(params: &PremiumParams) -> DispatchResult {
		ensure!(params.coverage_low < params.coverage_high, Error::<T>::CoverageRangeEmpty);
		ensure!(params.coverage_high <= T::MaxCoveragePoint::get(), Error::<T>::CoverageTooHigh);
		ensure!(params.rate_min <= params.rate_max, Error::<T>::PremiumRateRangeInverted);
		ensure!(params.rate_max <= params.rate_cap, Error::<T>::PremiumRateAboveCap);
		ensure!(params.junior_multiple >= FixedU128::one(), Error::<T>::JuniorMultipleBelowOne);
		ensure!(
			params.junior_multiple <= T::MaxJuniorMultiple::get(),
			Error::<T>::JuniorMultipleTooHigh
		);
		Ok(())
	}

	/// The weight to charge for one call of `LossAbsorber::absorb`: the
	/// benchmark at its largest staker count (slashing does not depend on it).
	pub fn absorb_weight() -> Weight {
		T::WeightInfo::absorb(ABSORB_BENCHMARK_STAKERS)
	}

	// ---- Runtime API helpers ----

	/// `assets / shares` of `tranche`, rounded down; one for a tranche
	/// without shares.
	pub fn share_price(tranche: Tranche) -> FixedU128 {
		let ledger = Tranches::<T>::get(tranche);
		math::share_price(ledger.assets, ledger.shares)
	}

	/// What `tranche` would pay towards one loss event now: the lower of
	/// its per-event cap and what is left of its per-block cap.
	pub fn tranche_capacity(tranche: Tranche) -> Balance {
		let ledger = Tranches::<T>::get(tranche);
		let record = Self::block_slash(tranche, &ledger);
		Self::capacity_of(&Params::<T>::get(tranche), &ledger, &record)
	}

	/// Assets, shares, share price, reward index, capacity and parameters of
	/// `tranche`.
	pub fn tranche_info(tranche: Tranche) -> TrancheInfo<BlockNumberFor<T>> {
		let ledger = Tranches::<T>::get(tranche);
		let params = Params::<T>::get(tranche);
		TrancheInfo {
			tranche,
			epoch: ledger.epoch,
			assets: ledger.assets,
			shares: ledger.shares,
			earning_shares: ledger.earning_shares,
			share_price: math::share_price(ledger.assets, ledger.shares),
			reward_per_share: ledger.reward_per_share,
			capacity: Self::capacity_of(&params, &ledger, &Self::block_slash(tranche, &ledger)),
			min_stake: params.min_stake,
			max_slash_fraction: params.max_slash_fraction,
			max_slash_per_block: params.max_slash_per_block,
			wipe_out_floor: params.wipe_out_floor,
			cooldown: params.cooldown,
			unstake_window: params.unstake_window,
		}
	}

	/// What the pallet account holds beyond both tranches' assets, the
	/// reward pot, the undistributed rewards and the existential buffer:
	/// unsolicited transfers, never counted as the stakers', swept by
	/// `sweep_excess`.
	pub fn excess() -> Balance {
		// Every ledger is backed by the settlement asset's issuance: the sum
		// cannot overflow.
		let expected = Tranches::<T>::get(Tranche::Junior)
			.assets
			.saturating_add(Tranches::<T>::get(Tranche::Senior).assets)
			.saturating_add(RewardPot::<T>::get())
			.saturating_add(Undistributed::<T>::get())
			.saturating_add(T::Currency::minimum_balance());
		T::Currency::balance(&Self::account_id()).saturating_sub(expected)
	}

	/// The staked capital: the assets of both tranches.
	pub fn total_capital() -> Balance {
		// Both are bounded by the settlement asset's total issuance.
		Tranches::<T>::get(Tranche::Junior)
			.assets
			.saturating_add(Tranches::<T>::get(Tranche::Senior).assets)
	}

	/// The capital the backstop should hold: the stressed value-at-risk of
	/// all markets moving together, as `Config::Exposure` computes it
	/// (rounded up there).
	pub fn required_capital() -> Balance {
		T::Exposure::total_required_capital()
	}

	/// Staked capital divided by required capital, rounded down; `None` when
	/// nothing is required.
	pub fn coverage() -> Option<FixedU128> {
		math::coverage(Self::total_capital(), Self::required_capital())
	}

	/// The premium rate at the current coverage and `volatility`: per block
	/// (the annual rate divided by `BlocksPerYear`, rounded down) and
	/// annual, both as fractions of notional.
	pub fn premium_rates(volatility: FixedU128) -> (FixedU128, FixedU128) {
		Self::rates_at(&Premium::<T>::get(), Self::coverage(), volatility)
	}

	/// The per-block and annual rates under `params` at `coverage` and
	/// `volatility`.
	pub(crate) fn rates_at(
		params: &PremiumParams,
		coverage: Option<FixedU128>,
		volatility: FixedU128,
	) -> (FixedU128, FixedU128) {
		let annual = math::annual_rate(params, coverage, volatility);
		(math::per_block_rate(annual, T::BlocksPerYear::get()), annual)
	}

	/// The pricing of the backstop now: capital, required capital,
	/// coverage, the annual base rate at this coverage (without volatility),
	/// the premium the markets accrue in a year at the current rates and
	/// open interest, and each tranche's yield on its assets: its share of
	/// that premium by the revenue weights, divided by its assets (rounded
	/// down; zero for a tranche without assets).
	pub fn pricing() -> PricingInfo {
		let params = Premium::<T>::get();
		let capital = Self::total_capital();
		let required_capital = Self::required_capital();
		let coverage = math::coverage(capital, required_capital);
		let annual_premium =
			T::Exposure::premium_per_block().saturating_mul(Balance::from(T::BlocksPerYear::get()));
		let junior = Tranches::<T>::get(Tranche::Junior);
		let senior = Tranches::<T>::get(Tranche::Senior);
		let (junior_weight, senior_weight) = Self::weights(&junior, &senior);
		// Both weights stem from the issuance; on an overflow the figures are
		// reported as if the junior tranche took nothing.
		let (to_junior, to_senior) =
			math::split_by_weight(annual_premium, junior_weight, senior_weight)
				.unwrap_or((Zero::zero(), annual_premium));
		let (to_junior, to_senior) = match (junior_weight.is_zero(), senior_weight.is_zero()) {
			(true, true) => (Zero::zero(), Zero::zero()),
			_ => (to_junior, to_senior),
		};
		PricingInfo {
			capital,
			required_capital,
			coverage,
			base_annual_rate: math::base_rate(&params, coverage),
			junior_yield: math::ratio(to_junior, junior.assets),
			senior_yield: math::ratio(to_senior, senior.assets),
			annual_premium,
		}
	}

	/// What the backstop would cover of one loss event now: the sum of both
	/// tranches' per-event caps.
	pub fn total_capacity() -> Balance {
		// Each cap is at most its tranche's assets; their sum is bounded by
		// the settlement asset's total issuance.
		Self::tranche_capacity(Tranche::Junior)
			.saturating_add(Self::tranche_capacity(Tranche::Senior))
	}

	/// The rewards `who` may claim from `tranche` now.
	pub fn pending_rewards(tranche: Tranche, who: &T::AccountId) -> Balance {
		let ledger = Tranches::<T>::get(tranche);
		Positions::<T>::get(tranche, who)
			.map(|position| Self::accrued_rewards(tranche, &ledger, &position))
			.unwrap_or_default()
	}

	/// `who`'s position in `tranche`; `None` when `who` has neither a
	/// position nor an unstake request there.
	pub fn position(tranche: Tranche, who: &T::AccountId) -> Option<PositionInfo> {
		let ledger = Tranches::<T>::get(tranche);
		let position = Positions::<T>::get(tranche, who);
		let request = UnstakeRequests::<T>::get(tranche, who);
		if position.is_none() && request.is_none() {
			return None;
		}
		let position = position.unwrap_or_else(|| Position::fresh(&ledger));
		let earning_shares =
			if position.epoch == ledger.epoch { position.shares } else { Zero::zero() };
		let request = request.filter(|request| request.epoch == ledger.epoch);
		let unstaking_shares = request.map(|request| request.shares).unwrap_or_default();
		let unstaking_value =
			request.map(|request| Self::redeemable(&request, &ledger)).unwrap_or_default();
		Some(PositionInfo {
			tranche,
			earning_shares,
			unstaking_shares,
			value: math::value_of(earning_shares, ledger.assets, ledger.shares)
				.saturating_add(unstaking_value),
			pending_rewards: Self::accrued_rewards(tranche, &ledger, &position),
		})
	}

	/// What `request` would be paid now: the lower of its value at request
	/// and its value now; nothing for a request of an ended epoch.
	pub(crate) fn redeemable(
		request: &UnstakeRequest<BlockNumberFor<T>>,
		ledger: &TrancheLedger,
	) -> Balance {
		if request.epoch != ledger.epoch {
			return Zero::zero();
		}
		math::value_of(request.shares, ledger.assets, ledger.shares).min(request.value)
	}

	/// `who`'s unstake request in `tranche` (at most one), with its status at
	/// the current block.
	pub fn unstake_requests(
		tranche: Tranche,
		who: &T::AccountId,
	) -> Vec<UnstakeRequestInfo<BlockNumberFor<T>>> {
		let ledger = Tranches::<T>::get(tranche);
		let now = frame_system::Pallet::<T>::block_number();
		UnstakeRequests::<T>::get(tranche, who)
			.into_iter()
			.map(|request| {
				let current = request.epoch == ledger.epoch;
				let status = if !current {
					UnstakeStatus::Void
				} else if now < request.unlock_at {
					UnstakeStatus::CoolingDown
				} else if now < request.expires_at {
					UnstakeStatus::Unstakable
				} else {
					UnstakeStatus::Lapsed
				};
				UnstakeRequestInfo {
					id: request.id,
					shares: request.shares,
					value_at_request: request.value,
					value: Self::redeemable(&request, &ledger),
					unlock_at: request.unlock_at,
					expires_at: request.expires_at,
					status,
				}
			})
			.collect()
	}

	// ---- Genesis, integrity, invariants ----

	/// Builds the genesis state. Panics on an invalid configuration, as
	/// genesis builds do: a chain must not start from a broken state.
	pub(crate) fn do_build_genesis(config: &GenesisConfig<T>) {
		let tranches = [
			(Tranche::Junior, &config.junior_params, &config.junior_stakes),
			(Tranche::Senior, &config.senior_params, &config.senior_stakes),
		];
		if let Err(e) = Self::ensure_premium_valid(&config.premium_params) {
			panic!("staking backstop genesis: invalid premium parameters: {e:?}");
		}
		Premium::<T>::put(config.premium_params);

		let mut to_mint = T::Currency::minimum_balance();
		for (tranche, params, stakes) in tranches {
			if let Err(e) = Self::ensure_params_in_bounds(params) {
				panic!("staking backstop genesis: {tranche:?} parameters out of bounds: {e:?}");
			}
			Params::<T>::insert(tranche, *params);
			for (who, amount) in stakes {
				assert!(
					!amount.is_zero() && *amount >= params.min_stake,
					"staking backstop genesis: {tranche:?} stake of {amount} below the minimum",
				);
				to_mint = match to_mint.checked_add(*amount) {
					Some(sum) => sum,
					None => panic!("staking backstop genesis: stakes overflow"),
				};
				let seeded = Self::load_staker(who, tranche).and_then(|mut state| {
					Self::credit_stake(&mut state, *amount)?;
					Self::store_staker(state)
				});
				if let Err(e) = seeded {
					panic!("staking backstop genesis: cannot seed a {tranche:?} stake: {e:?}");
				}
			}
		}
		if !to_mint.is_zero() {
			if let Err(e) = T::Currency::mint_into(&Self::account_id(), to_mint) {
				panic!("staking backstop genesis: cannot mint the buffer and stakes: {e:?}");
			}
		}
	}

	/// Checks the configured constants.
	pub(crate) fn do_integrity_test() {
		assert!(
			!T::MaxSlashFraction::get().is_zero(),
			"MaxSlashFraction of zero would forbid every slash"
		);
		assert!(T::MinCooldown::get() <= T::MaxCooldown::get(), "MinCooldown above MaxCooldown");
		assert!(
			!T::MinUnstakeWindow::get().is_zero(),
			"MinUnstakeWindow of zero would let requests lapse as they unlock"
		);
		assert!(
			T::MinUnstakeWindow::get() <= T::MaxUnstakeWindow::get(),
			"MinUnstakeWindow above MaxUnstakeWindow"
		);
		assert!(
			!T::MaxCoveragePoint::get().is_zero(),
			"MaxCoveragePoint of zero leaves no valid premium parameters"
		);
		assert!(
			T::MaxJuniorMultiple::get() >= FixedU128::one(),
			"MaxJuniorMultiple below one leaves no valid premium parameters"
		);
		assert!(T::BlocksPerYear::get() > 0, "BlocksPerYear of zero prices nothing");
		assert!(
			!T::MaxParamStep::get().is_zero(),
			"MaxParamStep of zero would let only the root track change a parameter"
		);
		assert!(
			!T::MaxWipeOutFloor::get().is_zero(),
			"MaxWipeOutFloor of zero leaves no valid wipe-out floor"
		);
		assert!(
			T::MaxWindowFraction::get().mul_floor(T::MaxCooldown::get())
				>= T::MinUnstakeWindow::get(),
			"MaxWindowFraction of MaxCooldown is below MinUnstakeWindow: no valid window"
		);
		assert!(
			Self::ensure_params_in_bounds(&Self::default_tranche_params()).is_ok(),
			"default tranche parameters out of bounds"
		);
		assert!(
			Self::ensure_premium_valid(&Self::default_premium_params()).is_ok(),
			"default premium parameters invalid"
		);
	}

	/// The invariants of the pallet:
	///
	/// * the pallet account holds at least both tranches' assets, the reward
	///   pot and the undistributed rewards plus the existential buffer
	///   (`minimum_balance`), or, before the buffer was ever created (pallet
	///   added without genesis and no inflow yet), nothing at all; anything
	///   above is an unsolicited transfer, never counted, reported by
	///   [`Pallet::excess`] and swept by `sweep_excess`;
	/// * per tranche: earning shares are the current-epoch positions' shares;
	///   all shares are those plus the current-epoch requests' shares;
	///   assets are zero exactly when shares are; the holders' redeemable
	///   values sum to at most the assets, and fall short of them by less
	///   than one unit per holder (rounding down);
	/// * no position or request belongs to a future epoch, and every ended
	///   epoch a position still belongs to has its final reward index;
	/// * the rewards all positions may claim are covered by the reward pot;
	/// * requests have a non-empty window and identifiers already handed out,
	///   and would be paid at most what their shares are worth;
	/// * every parameter is within its hard limits and the premium parameters
	///   are valid; no per-block slash record is of a future block;
	/// * no parameter change is recorded in a future block.
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		let junior = Tranches::<T>::get(Tranche::Junior);
		let senior = Tranches::<T>::get(Tranche::Senior);
		let ledgers = junior
			.assets
			.checked_add(senior.assets)
			.and_then(|sum| sum.checked_add(RewardPot::<T>::get()))
			.and_then(|sum| sum.checked_add(Undistributed::<T>::get()))
			.ok_or("ledgers overflow")?;
		let held = T::Currency::balance(&Self::account_id());
		let pristine = held.is_zero() && ledgers.is_zero();
		let expected = ledgers
			.checked_add(T::Currency::minimum_balance())
			.ok_or("ledgers plus buffer overflow")?;
		ensure!(
			pristine || held >= expected,
			"pallet account holds less than the ledgers plus the buffer"
		);

		let next_id = NextRequestId::<T>::get();
		let mut claimable: Balance = Zero::zero();
		for (tranche, ledger) in [(Tranche::Junior, junior), (Tranche::Senior, senior)] {
			ensure!(ledger.earning_shares <= ledger.shares, "more earning shares than shares");
			ensure!(
				ledger.assets.is_zero() == ledger.shares.is_zero(),
				"a tranche has assets without shares or shares without assets"
			);
			let mut earning: Balance = Zero::zero();
			let mut all: Balance = Zero::zero();
			let mut holders: Balance = Zero::zero();
			// What every holder's shares are worth at the current price, and
			// what they would be paid (requests at the lower of two values).
			let mut values: Balance = Zero::zero();
			let mut redeemable: Balance = Zero::zero();
			for (_, position) in Positions::<T>::iter_prefix(tranche) {
				ensure!(position.epoch <= ledger.epoch, "a position of a future epoch");
				ensure!(!position.is_empty(), "an empty position is stored");
				if position.epoch == ledger.epoch {
					earning = earning.checked_add(position.shares).ok_or("shares overflow")?;
					all = all.checked_add(position.shares).ok_or("shares overflow")?;
					holders = holders.saturating_add(1);
					let value = math::value_of(position.shares, ledger.assets, ledger.shares);
					values = values.checked_add(value).ok_or("values overflow")?;
					redeemable = redeemable.checked_add(value).ok_or("values overflow")?;
				} else {
					ensure!(
						EpochRewardIndex::<T>::contains_key(tranche, position.epoch),
						"an ended epoch without its final reward index"
					);
				}
				ensure!(
					Self::reward_index_for(tranche, &ledger, &position) >= position.reward_debt,
					"a reward debt above the reward index"
				);
				claimable = claimable
					.checked_add(Self::accrued_rewards(tranche, &ledger, &position))
					.ok_or("claimable rewards overflow")?;
			}
			for (_, request) in UnstakeRequests::<T>::iter_prefix(tranche) {
				ensure!(request.epoch <= ledger.epoch, "a request of a future epoch");
				ensure!(request.unlock_at < request.expires_at, "a request without a window");
				ensure!(request.id < next_id, "a request identifier not yet handed out");
				ensure!(!request.shares.is_zero(), "a request without shares");
				if request.epoch == ledger.epoch {
					all = all.checked_add(request.shares).ok_or("shares overflow")?;
					holders = holders.saturating_add(1);
					values = values
						.checked_add(math::value_of(request.shares, ledger.assets, ledger.shares))
						.ok_or("values overflow")?;
					redeemable = redeemable
						.checked_add(Self::redeemable(&request, &ledger))
						.ok_or("values overflow")?;
				}
			}
			ensure!(earning == ledger.earning_shares, "earning shares differ from the positions");
			ensure!(all == ledger.shares, "shares differ from the positions and requests");
			ensure!(values <= ledger.assets, "holders are owed more than the tranche holds");
			ensure!(redeemable <= values, "requests would be paid more than their shares' value");
			ensure!(
				ledger.assets.saturating_sub(values) <= holders,
				"rounding lost more than one unit per holder"
			);
			let params = Params::<T>::get(tranche);
			Self::ensure_params_in_bounds(&params)
				.map_err(|_| "tranche parameters out of bounds")?;
			if let Some(record) = BlockSlashed::<T>::get(tranche) {
				ensure!(
					record.block <= frame_system::Pallet::<T>::block_number(),
					"a per-block slash record of a future block"
				);
			}
		}
		ensure!(claimable <= RewardPot::<T>::get(), "claimable rewards exceed the reward pot");
		Self::ensure_premium_valid(&Premium::<T>::get())
			.map_err(|_| "premium parameters invalid")?;
		let now = frame_system::Pallet::<T>::block_number();
		for at in ParamChangedAt::<T>::iter_values() {
			ensure!(at <= now, "a parameter change recorded in a future block");
		}
		Ok(())
	}
}
