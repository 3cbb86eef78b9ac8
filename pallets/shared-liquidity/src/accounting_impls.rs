//! The pool's arithmetic: share price, utilization, borrow fees, loss caps,
//! liquidity-provider positions, and the transfers in and out of the pallet
//! account.

use super::*;
use backstop_primitives::Balance;
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
	traits::{AccountIdConversion, Saturating, UniqueSaturatedInto, Zero},
	PerThing, Perbill, Permill, Rounding,
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

	// ---- pool ----

	/// Capacity drawn as a fraction of assets, rounded up (the pool's
	/// favour: fees round up). Zero for a pool without assets.
	pub(crate) fn utilization_of(pool: &PoolState<BlockNumberFor<T>>) -> Perbill {
		if pool.assets.is_zero() {
			return Perbill::zero();
		}
		// `drawn <= assets` always; the `min` keeps the ratio within 100% anyway.
		Perbill::from_rational_with_rounding(pool.drawn.min(pool.assets), pool.assets, Rounding::Up)
			.unwrap_or_else(|_| Perbill::one())
	}

	/// Assets not drawn by any protocol.
	pub(crate) fn free_of(pool: &PoolState<BlockNumberFor<T>>) -> Balance {
		pool.assets.saturating_sub(pool.drawn)
	}

	/// Brings the utilization index of `pool` up to `now`: the utilization in
	/// force since the last update counts for every block in between. Call
	/// before any change of the pool's assets or drawn capacity.
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

	/// Shares minted for a deposit of `amount`: `amount × shares / assets`
	/// rounded down, or `amount` (a price of one) when no shares are in
	/// issue. The caller starts a new generation first if the pool has
	/// shares but no assets.
	pub(crate) fn shares_for(
		pool: &PoolState<BlockNumberFor<T>>,
		amount: Balance,
	) -> Result<Balance, DispatchError> {
		if pool.shares.is_zero() {
			return Ok(amount);
		}
		if pool.assets.is_zero() {
			defensive!("shares without assets: a new generation should have started");
			return Err(Error::<T>::Overflow.into());
		}
		multiply_by_rational_with_rounding(amount, pool.shares, pool.assets, Rounding::Down)
			.ok_or_else(|| Error::<T>::Overflow.into())
	}

	/// What `shares` are worth: `shares × assets / total shares`, rounded
	/// down. Zero when no shares are in issue.
	pub(crate) fn value_of(pool: &PoolState<BlockNumberFor<T>>, shares: Balance) -> Balance {
		if pool.shares.is_zero() {
			return Zero::zero();
		}
		// For `shares <= pool.shares` the result is at most `assets`: no
		// overflow. Larger arguments are never passed.
		multiply_by_rational_with_rounding(shares, pool.assets, pool.shares, Rounding::Down)
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

	/// What `protocol` could draw now: the smaller of its unused credit and
	/// the pool's free liquidity; zero unless active. `pool` must be rolled
	/// to the current block; fees accrued since the protocol was last
	/// touched count as used credit.
	pub(crate) fn available_of(
		protocol: &Protocol<BlockNumberFor<T>>,
		pool: &PoolState<BlockNumberFor<T>>,
	) -> Balance {
		if protocol.status != ProtocolStatus::Active {
			return Zero::zero();
		}
		let used = protocol.credit_used().saturating_add(Self::pending_fees(protocol, pool));
		protocol.terms.credit_cap.saturating_sub(used).min(Self::free_of(pool))
	}

	// ---- losses ----

	/// What the pool would cover of a loss of `protocol` now: its remaining
	/// loss cap, at most the pool's free liquidity (capacity drawn by any
	/// protocol is never used to cover losses). Zero for a retired protocol.
	pub(crate) fn loss_capacity_of(
		protocol: &Protocol<BlockNumberFor<T>>,
		pool: &PoolState<BlockNumberFor<T>>,
	) -> Balance {
		if protocol.status == ProtocolStatus::Retired {
			return Zero::zero();
		}
		protocol.terms.loss_cap.saturating_sub(protocol.losses).min(Self::free_of(pool))
	}

	/// Freezes an active `protocol` whose losses have reached its loss cap,
	/// emitting `ProtocolFrozen`. Does not store.
	pub(crate) fn freeze_if_capped(
		id: &ProtocolId<T::AccountId>,
		protocol: &mut Protocol<BlockNumberFor<T>>,
	) {
		if protocol.status == ProtocolStatus::Active && protocol.loss_cap_reached() {
			protocol.status = ProtocolStatus::Frozen;
			log::info!(
				target: LOG_TARGET,
				"{id:?} reached its loss cap ({:?} of {:?}) and was frozen",
				protocol.losses,
				protocol.terms.loss_cap,
			);
			Self::deposit_event(Event::ProtocolFrozen {
				protocol: id.clone(),
				losses: protocol.losses,
				loss_cap: protocol.terms.loss_cap,
			});
		}
	}

	/// Checks `terms` against the hard limits.
	pub(crate) fn ensure_terms_in_bounds(terms: &ProtocolTerms) -> DispatchResult {
		ensure!(terms.credit_cap <= T::MaxCreditCap::get(), Error::<T>::CreditCapTooHigh);
		ensure!(terms.loss_cap <= T::MaxLossCap::get(), Error::<T>::LossCapTooHigh);
		ensure!(terms.base_rate <= T::MaxBaseRate::get(), Error::<T>::BaseRateTooHigh);
		ensure!(terms.rate_slope <= T::MaxRateSlope::get(), Error::<T>::RateSlopeTooHigh);
		Ok(())
	}

	// ---- positions ----

	/// The position of `who` in the current generation of `pool`: a
	/// position of an earlier generation counts as empty.
	pub(crate) fn position_of(
		who: &T::AccountId,
		pool: &PoolState<BlockNumberFor<T>>,
	) -> LpPosition<T> {
		match Positions::<T>::get(who) {
			Some(position) if position.generation == pool.generation => position,
			_ => LpPosition { generation: pool.generation, ..Default::default() },
		}
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

	/// The shares `position` may withdraw now: all of them without a
	/// withdrawal delay, otherwise those under requests at least `delay`
	/// blocks old.
	pub(crate) fn withdrawable_of(
		position: &LpPosition<T>,
		delay: BlockNumberFor<T>,
		now: BlockNumberFor<T>,
	) -> Balance {
		if delay.is_zero() {
			return position.shares;
		}
		position
			.requests
			.iter()
			.filter(|r| r.requested_at.saturating_add(delay) <= now)
			.fold(Zero::zero(), |sum: Balance, r| sum.saturating_add(r.shares))
	}

	/// Removes `shares` from `position`: from its requests, oldest first
	/// (the matured ones), then from its unrequested shares.
	pub(crate) fn take_shares(position: &mut LpPosition<T>, shares: Balance) -> DispatchResult {
		let mut left = shares;
		for request in position.requests.iter_mut() {
			let taken = request.shares.min(left);
			// `taken` is at most both operands.
			request.shares = request.shares.saturating_sub(taken);
			left = left.saturating_sub(taken);
		}
		position.requests.retain(|request| !request.shares.is_zero());
		position.shares =
			position.shares.checked_sub(shares).ok_or(Error::<T>::InsufficientShares)?;
		Ok(())
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
