//! The pool's arithmetic: net asset value, share price, utilization, borrow
//! fees, loss caps,
//! liquidity-provider positions, and the transfers in and out of the pallet
//! account.

use super::*;
use backstop_primitives::{Balance, CounterpartyExposure, SignedBalance};
use frame_support::{
	defensive,
	pallet_prelude::*,
	traits::{
		fungible::{Inspect, Mutate},
		tokens::{Fortitude, Preservation},
	},
};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{
	helpers_128bit::multiply_by_rational_with_rounding,
	traits::{AccountIdConversion, Bounded, One, Saturating, UniqueSaturatedInto, Zero},
	FixedPointNumber, FixedU128, PerThing, Perbill, Permill, Rounding,
};

/// Parts per million (the accuracy of `Permill`).
const PPM: u128 = 1_000_000;
/// Parts per billion (the accuracy of `Perbill`, the utilization's).
const PPB: u128 = 1_000_000_000;

impl<T: Config> Pallet<T> {
	/// The account that holds the pool and the existential buffer.
	pub fn account_id() -> T::AccountId {
		T::PalletId::get().into_account_truncating()
	}

	/// The current block.
	pub(crate) fn now() -> BlockNumberFor<T> {
		frame_system::Pallet::<T>::block_number()
	}

	/// The registered protocol `id`.
	pub(crate) fn protocol(
		id: &ProtocolId<T::AccountId>,
	) -> Result<Protocol<BlockNumberFor<T>>, DispatchError> {
		Protocols::<T>::get(id).ok_or_else(|| Error::<T>::UnknownProtocol.into())
	}

	/// `fraction` of `amount` with the given rounding; `None` on overflow.
	pub(crate) fn permill_of(
		amount: Balance,
		fraction: Permill,
		rounding: Rounding,
	) -> Option<Balance> {
		multiply_by_rational_with_rounding(
			amount,
			u128::from(fraction.deconstruct()),
			PPM,
			rounding,
		)
	}

	// ---- pool ----

	/// Cash reserved by markets plus principal lent, as a fraction of cash
	/// plus principal lent, rounded up (the pool's favour: fees round up).
	/// Zero for an empty pool.
	pub(crate) fn utilization_of(pool: &PoolState<BlockNumberFor<T>>) -> Perbill {
		let total = pool.cash.saturating_add(pool.lent);
		if total.is_zero() {
			return Perbill::zero();
		}
		let used = pool.reserved.saturating_add(pool.lent).min(total);
		Perbill::from_rational_with_rounding(used, total, Rounding::Up)
			.unwrap_or_else(|_| Perbill::one())
	}

	/// Cash no market has reserved: what liquidity providers and external
	/// protocols can take.
	pub(crate) fn free_of(pool: &PoolState<BlockNumberFor<T>>) -> Balance {
		pool.cash.saturating_sub(pool.reserved)
	}

	/// Brings the utilization index of `pool` up to `now`: the utilization in
	/// force since the last update counts for every block in between. Call
	/// before any change of the pool's cash, reservations or principal lent.
	pub(crate) fn roll(pool: &mut PoolState<BlockNumberFor<T>>, now: BlockNumberFor<T>) {
		if now <= pool.indexed_at {
			return;
		}
		let elapsed: u128 = now.saturating_sub(pool.indexed_at).unique_saturated_into();
		let utilization = u128::from(Self::utilization_of(pool).deconstruct());
		// The index grows by at most `PPB` per block: for any block number
		// below 2^64 it stays below 2^94, far from overflowing.
		pool.utilization_index =
			pool.utilization_index.saturating_add(utilization.saturating_mul(elapsed));
		pool.indexed_at = now;
	}

	/// The pool ledger with its utilization index brought up to the current
	/// block (not stored).
	pub(crate) fn rolled_pool() -> PoolState<BlockNumberFor<T>> {
		let mut pool = Pool::<T>::get();
		Self::roll(&mut pool, Self::now());
		pool
	}

	/// The principal lent to external protocols that is impaired now (past
	/// its term, or of a protocol that defaulted before): valued at zero.
	pub(crate) fn impaired_principal() -> Balance {
		let now = Self::now();
		Protocols::<T>::iter_values()
			.filter(|protocol| protocol.impaired(now))
			.fold(Zero::zero(), |sum: Balance, protocol| sum.saturating_add(protocol.drawn))
	}

	/// The pool's net asset value: cash, plus principal lent that is not
	/// impaired, plus what the markets hold for the pool, minus the traders'
	/// net unrealized PnL and unsettled funding against it (a net trader
	/// loss adds). Negative when traders are owed more than the pool has.
	pub(crate) fn nav_of(pool: &PoolState<BlockNumberFor<T>>) -> Result<SignedBalance, Error<T>> {
		let exposure = T::Exposure::total_exposure().map_err(|_| Error::<T>::NavUnavailable)?;
		// `impaired <= lent`: each impaired protocol's principal is part of it.
		let performing = pool.lent.saturating_sub(Self::impaired_principal());
		let gross = pool
			.cash
			.checked_add(performing)
			.and_then(|sum| sum.checked_add(exposure.receivable))
			.ok_or(Error::<T>::Overflow)?;
		SignedBalance::try_from(gross)
			.ok()
			.and_then(|gross| gross.checked_sub(exposure.trader_pnl))
			.ok_or(Error::<T>::Overflow)
	}

	/// The net asset value as a positive balance, for pricing shares; an
	/// error when it is not positive (with shares in issue) or unavailable.
	pub(crate) fn positive_nav(pool: &PoolState<BlockNumberFor<T>>) -> Result<Balance, Error<T>> {
		let nav = Self::nav_of(pool)?;
		ensure!(nav > 0, Error::<T>::PoolInsolvent);
		Ok(nav.unsigned_abs())
	}

	/// Net asset value per share, rounded down; one while no shares are in
	/// issue.
	pub(crate) fn price_of(pool: &PoolState<BlockNumberFor<T>>, nav: Balance) -> FixedU128 {
		if pool.shares.is_zero() {
			return FixedU128::one();
		}
		FixedU128::checked_from_rational(nav, pool.shares).unwrap_or_else(FixedU128::max_value)
	}

	/// Shares minted for a deposit of `amount` at net asset value `nav`:
	/// `amount × shares / nav` rounded down, or `amount` (a price of one)
	/// when no shares are in issue.
	pub(crate) fn shares_for(
		pool: &PoolState<BlockNumberFor<T>>,
		nav: Balance,
		amount: Balance,
	) -> Result<Balance, DispatchError> {
		if pool.shares.is_zero() {
			return Ok(amount);
		}
		ensure!(!nav.is_zero(), Error::<T>::PoolInsolvent);
		multiply_by_rational_with_rounding(amount, pool.shares, nav, Rounding::Down)
			.ok_or_else(|| Error::<T>::Overflow.into())
	}

	/// What `shares` are worth at net asset value `nav`: `shares × nav /
	/// total shares`, rounded down. Zero when no shares are in issue.
	pub(crate) fn value_of(
		pool: &PoolState<BlockNumberFor<T>>,
		nav: Balance,
		shares: Balance,
	) -> Balance {
		if pool.shares.is_zero() {
			return Zero::zero();
		}
		// For `shares <= pool.shares` the result is at most `nav`: no
		// overflow. Larger arguments are never passed.
		multiply_by_rational_with_rounding(shares, nav, pool.shares, Rounding::Down)
			.unwrap_or_default()
	}

	// ---- borrow fees ----

	/// The yearly borrow rate of `terms` at the pool's current utilization:
	/// `base_rate + rate_slope × utilization`, the product rounded up. At
	/// most 100% (`integrity_test` checks `MaxBaseRate + MaxRateSlope`).
	pub(crate) fn fee_rate_of(
		terms: &ProtocolTerms,
		pool: &PoolState<BlockNumberFor<T>>,
	) -> Permill {
		let utilization = u128::from(Self::utilization_of(pool).deconstruct());
		let slope = u128::from(terms.rate_slope.deconstruct());
		let variable = multiply_by_rational_with_rounding(slope, utilization, PPB, Rounding::Up)
			.unwrap_or(PPM);
		let rate = u128::from(terms.base_rate.deconstruct()).saturating_add(variable).min(PPM);
		// `rate <= PPM` fits in a `u32`.
		Permill::from_parts(rate.try_into().unwrap_or(Permill::ACCURACY))
	}

	/// The fees `protocol` owes for the blocks since it was last accrued,
	/// against `pool` (whose index must be rolled to the current block):
	///
	/// `drawn × (base_rate × blocks + rate_slope × Δindex) / BlocksPerYear`,
	///
	/// where `Δindex` is the growth of the utilization index, so that the
	/// variable part follows the utilization block by block. Rounded up.
	pub(crate) fn pending_fees(
		protocol: &Protocol<BlockNumberFor<T>>,
		pool: &PoolState<BlockNumberFor<T>>,
	) -> Balance {
		if protocol.drawn.is_zero() {
			return Zero::zero();
		}
		let blocks: u128 =
			pool.indexed_at.saturating_sub(protocol.accrued_at).unique_saturated_into();
		let index_growth = pool.utilization_index.saturating_sub(protocol.index_at);
		// Both terms are in parts per million × parts per billion × blocks:
		// below 10^6 × 10^9 × 2^64 ≈ 2^114 each for any block number below
		// 2^64, so neither the products nor the sum can saturate.
		let base = u128::from(protocol.terms.base_rate.deconstruct())
			.saturating_mul(blocks)
			.saturating_mul(PPB);
		let variable =
			u128::from(protocol.terms.rate_slope.deconstruct()).saturating_mul(index_growth);
		let rate_blocks = base.saturating_add(variable);
		let per_year = PPM.saturating_mul(PPB).saturating_mul(u128::from(T::BlocksPerYear::get()));
		// `None` only for a fee beyond `Balance::MAX` (or a zero
		// `BlocksPerYear`, which `integrity_test` forbids): saturating is in
		// the pool's favour, as the fee only blocks further draws.
		multiply_by_rational_with_rounding(protocol.drawn, rate_blocks, per_year, Rounding::Up)
			.unwrap_or(Balance::MAX)
	}

	/// Charges `protocol` the fees accrued since it was last touched and
	/// moves its snapshot to `pool` (rolled to the current block). Emits
	/// `FeesAccrued` for a non-zero fee. Call before any change of the
	/// protocol's drawn capacity or terms.
	pub(crate) fn accrue(
		id: &ProtocolId<T::AccountId>,
		protocol: &mut Protocol<BlockNumberFor<T>>,
		pool: &PoolState<BlockNumberFor<T>>,
	) {
		let fee = Self::pending_fees(protocol, pool);
		protocol.accrued_at = pool.indexed_at;
		protocol.index_at = pool.utilization_index;
		if fee.is_zero() {
			return;
		}
		// Saturating: fees owed beyond `Balance::MAX` only block draws.
		protocol.fees_owed = protocol.fees_owed.saturating_add(fee);
		Self::deposit_event(Event::FeesAccrued {
			protocol: id.clone(),
			amount: fee,
			fees_owed: protocol.fees_owed,
		});
	}

	/// What `protocol` could still use now: for a market the cash it could
	/// add to its reservation, for an external protocol what it could draw
	/// (also bounded by what is left of its loss cap); in both cases at most
	/// the pool's free cash, and zero unless active (or while impaired).
	/// `pool` must be rolled to the current block; fees accrued since the
	/// protocol was last touched count as used credit.
	pub(crate) fn available_of(
		id: &ProtocolId<T::AccountId>,
		protocol: &Protocol<BlockNumberFor<T>>,
		pool: &PoolState<BlockNumberFor<T>>,
	) -> Balance {
		if protocol.status != ProtocolStatus::Active || protocol.impaired(Self::now()) {
			return Zero::zero();
		}
		let used = protocol.credit_used().saturating_add(Self::pending_fees(protocol, pool));
		let credit = protocol.terms.credit_cap.saturating_sub(used).min(Self::free_of(pool));
		match id {
			ProtocolId::Market(_) => credit,
			ProtocolId::External(_) => {
				credit.min(protocol.loss_headroom().saturating_sub(protocol.drawn))
			},
		}
	}

	// ---- losses ----

	/// What the pool would accept of a loss of `protocol` now: what is left
	/// of its loss cap. Zero for a retired protocol. Accepting a market's
	/// loss moves no money, so the pool's cash does not bound it.
	pub(crate) fn loss_capacity_of(protocol: &Protocol<BlockNumberFor<T>>) -> Balance {
		if protocol.status == ProtocolStatus::Retired {
			return Zero::zero();
		}
		protocol.loss_headroom()
	}

	/// Freezes an active `protocol` whose losses have reached its loss cap,
	/// emitting `ProtocolFrozen`. Does not store.
	pub(crate) fn freeze_if_capped(
		id: &ProtocolId<T::AccountId>,
		protocol: &mut Protocol<BlockNumberFor<T>>,
	) {
		if protocol.status == ProtocolStatus::Active && protocol.loss_cap_reached() {
			Self::freeze(id, protocol);
		}
	}

	/// Freezes an active `protocol`, emitting `ProtocolFrozen`. Does not
	/// store.
	pub(crate) fn freeze(
		id: &ProtocolId<T::AccountId>,
		protocol: &mut Protocol<BlockNumberFor<T>>,
	) {
		if protocol.status != ProtocolStatus::Active {
			return;
		}
		protocol.status = ProtocolStatus::Frozen;
		log::info!(
			target: LOG_TARGET,
			"{id:?} frozen with losses {:?} of a cap of {:?}",
			protocol.losses,
			protocol.terms.loss_cap,
		);
		Self::deposit_event(Event::ProtocolFrozen {
			protocol: id.clone(),
			losses: protocol.losses,
			loss_cap: protocol.terms.loss_cap,
		});
	}

	/// Checks `terms` of `id` against the hard limits and the kind of
	/// protocol: markets have no borrow rates nor term, external protocols
	/// no reserve or max-PnL factor and a non-zero term.
	pub(crate) fn ensure_terms_in_bounds(
		id: &ProtocolId<T::AccountId>,
		terms: &ProtocolTerms,
	) -> DispatchResult {
		ensure!(terms.credit_cap <= T::MaxCreditCap::get(), Error::<T>::CreditCapTooHigh);
		ensure!(terms.loss_cap <= T::MaxLossCap::get(), Error::<T>::LossCapTooHigh);
		ensure!(terms.base_rate <= T::MaxBaseRate::get(), Error::<T>::BaseRateTooHigh);
		ensure!(terms.rate_slope <= T::MaxRateSlope::get(), Error::<T>::RateSlopeTooHigh);
		ensure!(terms.term <= T::MaxCreditTerm::get(), Error::<T>::TermTooLong);
		match id {
			ProtocolId::Market(_) => ensure!(
				terms.base_rate.is_zero() && terms.rate_slope.is_zero() && terms.term == 0,
				Error::<T>::InvalidMarketTerms
			),
			ProtocolId::External(_) => ensure!(
				terms.reserve_factor.is_zero() && terms.max_pnl_factor.is_zero() && terms.term > 0,
				Error::<T>::InvalidExternalTerms
			),
		}
		Ok(())
	}

	// ---- positions ----

	/// The position of `who` (empty if none).
	pub(crate) fn position_of(who: &T::AccountId) -> LpPosition<T> {
		Positions::<T>::get(who).unwrap_or_default()
	}

	/// Stores `position` for `who`, or removes it when it holds nothing.
	pub(crate) fn store_position(who: &T::AccountId, position: LpPosition<T>) {
		if position.shares.is_zero() && position.requests.is_empty() {
			Positions::<T>::remove(who);
		} else {
			Positions::<T>::insert(who, position);
		}
	}

	/// The shares under withdrawal requests. Their sum is at most the
	/// position's shares, so it cannot overflow.
	pub(crate) fn requested_of(position: &LpPosition<T>) -> Balance {
		position.requests.iter().fold(Zero::zero(), |sum: Balance, r| sum.saturating_add(r.shares))
	}

	/// The first block in which `request` can be withdrawn.
	pub(crate) fn unlocks_at(request: &WithdrawRequest<BlockNumberFor<T>>) -> BlockNumberFor<T> {
		request.requested_at.saturating_add(WithdrawDelay::<T>::get())
	}

	/// The first block in which `request` has lapsed.
	pub(crate) fn lapses_at(request: &WithdrawRequest<BlockNumberFor<T>>) -> BlockNumberFor<T> {
		Self::unlocks_at(request).saturating_add(WithdrawWindow::<T>::get())
	}

	/// Drops the requests of `position` whose window has passed and returns
	/// their shares. Does not store.
	pub(crate) fn retain_live(position: &mut LpPosition<T>) -> Balance {
		let now = Self::now();
		let before = Self::requested_of(position);
		position.requests.retain(|request| now < Self::lapses_at(request));
		// Dropping requests can only lower the sum.
		before.saturating_sub(Self::requested_of(position))
	}

	/// Drops the requests of `position` whose window has passed and emits
	/// `WithdrawRequestsLapsed` for their shares. Does not store.
	pub(crate) fn drop_lapsed(who: &T::AccountId, position: &mut LpPosition<T>) {
		let lapsed = Self::retain_live(position);
		if !lapsed.is_zero() {
			Self::deposit_event(Event::WithdrawRequestsLapsed { who: who.clone(), shares: lapsed });
		}
	}

	/// The shares of `position` under requests that can be withdrawn now.
	pub(crate) fn withdrawable_of(position: &LpPosition<T>) -> Balance {
		let now = Self::now();
		position
			.requests
			.iter()
			.filter(|r| Self::unlocks_at(r) <= now && now < Self::lapses_at(r))
			.fold(Zero::zero(), |sum: Balance, r| sum.saturating_add(r.shares))
	}

	/// Takes `shares` out of the withdrawable requests of `position`, oldest
	/// first, and returns what they pay at net asset value `nav`: each part
	/// at the lower of its request's share price and today's, rounded down.
	/// Burns them from the position (not from the pool).
	pub(crate) fn take_withdrawable(
		position: &mut LpPosition<T>,
		pool: &PoolState<BlockNumberFor<T>>,
		nav: Balance,
		shares: Balance,
	) -> Result<Balance, DispatchError> {
		let now = Self::now();
		let mut left = shares;
		let mut payout: Balance = Zero::zero();
		for request in position.requests.iter_mut() {
			if left.is_zero() {
				break;
			}
			if Self::unlocks_at(request) > now || now >= Self::lapses_at(request) {
				continue;
			}
			let taken = request.shares.min(left);
			let at_request = request.share_price.saturating_mul_int(taken);
			let at_payout = Self::value_of(pool, nav, taken);
			payout = payout.checked_add(at_request.min(at_payout)).ok_or(Error::<T>::Overflow)?;
			// `taken` is at most both operands.
			request.shares = request.shares.saturating_sub(taken);
			left = left.saturating_sub(taken);
		}
		ensure!(left.is_zero(), Error::<T>::WithdrawalLocked);
		position.requests.retain(|request| !request.shares.is_zero());
		position.shares =
			position.shares.checked_sub(shares).ok_or(Error::<T>::InsufficientShares)?;
		Ok(payout)
	}

	/// What the pallet account holds beyond the pool's cash and the buffer:
	/// unsolicited transfers, never counted as the pool's.
	pub fn excess() -> Balance {
		let expected = Pool::<T>::get().cash.saturating_add(T::Currency::minimum_balance());
		T::Currency::balance(&Self::account_id()).saturating_sub(expected)
	}

	// ---- money ----

	/// Moves `amount` from `source` into the pallet account (keeping `source`
	/// alive) and returns what may be credited to the pool: all of it,
	/// unless the existential buffer was missing, in which case the first
	/// part of the inflow restores it.
	pub(crate) fn pull(source: &T::AccountId, amount: Balance) -> Result<Balance, DispatchError> {
		let account = Self::account_id();
		// Zero whenever the buffer is in place: every payment out keeps the
		// account at or above the minimum balance.
		let missing = T::Currency::minimum_balance().saturating_sub(T::Currency::balance(&account));
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
			defensive!("shared liquidity ledger exceeds what the pallet account can pay");
			return Err(Error::<T>::LedgerExceedsAccount.into());
		}
		T::Currency::transfer(&account, dest, amount, Preservation::Preserve)?;
		Ok(())
	}
}
