//! The runtime-API helpers, genesis, the integrity test and the invariants.

use super::*;
use alloc::vec::Vec;
use backstop_primitives::{Balance, MarketId};
use frame_support::{
	pallet_prelude::*,
	traits::fungible::{Inspect, Mutate},
};
use sp_runtime::{
	traits::{Bounded, One, Zero},
	FixedPointNumber, FixedU128, Perbill, Permill,
};

impl<T: Config> Pallet<T> {
	// ---- runtime-API helpers ----

	/// What the pool is worth to its liquidity providers.
	pub fn pool_assets() -> Balance {
		Pool::<T>::get().assets
	}

	/// Pool shares in issue.
	pub fn pool_shares() -> Balance {
		Pool::<T>::get().shares
	}

	/// Assets per share, rounded down; one while no shares are in issue;
	/// saturating at the largest representable price.
	pub fn share_price() -> FixedU128 {
		let pool = Pool::<T>::get();
		if pool.shares.is_zero() {
			return FixedU128::one();
		}
		FixedU128::checked_from_rational(pool.assets, pool.shares)
			.unwrap_or_else(FixedU128::max_value)
	}

	/// Capacity drawn by all protocols as a fraction of the assets, rounded
	/// up.
	pub fn utilization() -> Perbill {
		Self::utilization_of(&Pool::<T>::get())
	}

	/// Assets not drawn by any protocol.
	pub fn free_liquidity() -> Balance {
		Self::free_of(&Pool::<T>::get())
	}

	/// Every registered protocol, in key order. At most `MaxProtocols`.
	pub fn protocols() -> Vec<ProtocolId<T::AccountId>> {
		let mut ids: Vec<_> = Protocols::<T>::iter_keys().collect();
		ids.sort();
		ids
	}

	/// Everything about `id`'s credit line as of the current block (fees
	/// accrued up to now included); `None` if unregistered.
	pub fn protocol_info(id: ProtocolId<T::AccountId>) -> Option<ProtocolInfo> {
		let protocol = Protocols::<T>::get(&id)?;
		let pool = Self::rolled_pool();
		Some(ProtocolInfo {
			status: protocol.status,
			credit_cap: protocol.terms.credit_cap,
			drawn: protocol.drawn,
			fees_owed: protocol.fees_owed.saturating_add(Self::pending_fees(&protocol, &pool)),
			debt: protocol.debt,
			available: Self::available_of(&protocol, &pool),
			loss_cap: protocol.terms.loss_cap,
			losses: protocol.losses,
			loss_capacity: Self::loss_capacity_of(&protocol, &pool),
			base_rate: protocol.terms.base_rate,
			rate_slope: protocol.terms.rate_slope,
			fee_rate: Self::fee_rate_of(&protocol.terms, &pool),
		})
	}

	/// The credit cap of `id`.
	pub fn protocol_credit_cap(id: ProtocolId<T::AccountId>) -> Option<Balance> {
		Protocols::<T>::get(&id).map(|p| p.terms.credit_cap)
	}

	/// The capacity `id` has drawn.
	pub fn protocol_drawn(id: ProtocolId<T::AccountId>) -> Option<Balance> {
		Protocols::<T>::get(&id).map(|p| p.drawn)
	}

	/// The losses the pool has taken for `id`.
	pub fn protocol_losses(id: ProtocolId<T::AccountId>) -> Option<Balance> {
		Protocols::<T>::get(&id).map(|p| p.losses)
	}

	/// The loss cap of `id`.
	pub fn protocol_loss_cap(id: ProtocolId<T::AccountId>) -> Option<Balance> {
		Protocols::<T>::get(&id).map(|p| p.terms.loss_cap)
	}

	/// The status of `id`.
	pub fn protocol_status(id: ProtocolId<T::AccountId>) -> Option<ProtocolStatus> {
		Protocols::<T>::get(&id).map(|p| p.status)
	}

	/// The yearly borrow rate `id` pays now.
	pub fn protocol_fee_rate(id: ProtocolId<T::AccountId>) -> Option<Permill> {
		let protocol = Protocols::<T>::get(&id)?;
		Some(Self::fee_rate_of(&protocol.terms, &Pool::<T>::get()))
	}

	/// What `id` could draw now.
	pub fn protocol_available(id: ProtocolId<T::AccountId>) -> Option<Balance> {
		let protocol = Protocols::<T>::get(&id)?;
		Some(Self::available_of(&protocol, &Self::rolled_pool()))
	}

	/// What the pool would cover of a loss in `market` now; zero for an
	/// unregistered market.
	pub fn market_loss_capacity(market: MarketId) -> Balance {
		Protocols::<T>::get(ProtocolId::Market(market))
			.map(|protocol| Self::loss_capacity_of(&protocol, &Pool::<T>::get()))
			.unwrap_or_default()
	}

	/// The pool shares `who` holds.
	pub fn lp_shares(who: T::AccountId) -> Balance {
		Self::position_of(&who, &Pool::<T>::get()).shares
	}

	/// What `who`'s shares are worth at the current share price, rounded
	/// down.
	pub fn lp_value(who: T::AccountId) -> Balance {
		let pool = Pool::<T>::get();
		Self::value_of(&pool, Self::position_of(&who, &pool).shares)
	}

	/// The part of `who`'s shares under withdrawal requests.
	pub fn lp_requested_shares(who: T::AccountId) -> Balance {
		Self::requested_of(&Self::position_of(&who, &Pool::<T>::get()))
	}

	// ---- genesis, integrity, invariants ----

	/// Builds the genesis state. Panics on an invalid configuration, as
	/// genesis builds do: a chain must not start from a broken state.
	pub(crate) fn do_build_genesis(config: &GenesisConfig<T>) {
		assert!(
			config.min_deposit <= T::MaxMinDeposit::get(),
			"shared liquidity genesis: min deposit above MaxMinDeposit",
		);
		assert!(
			config.withdraw_delay <= T::MaxWithdrawDelay::get(),
			"shared liquidity genesis: withdraw delay above MaxWithdrawDelay",
		);
		MinDeposit::<T>::put(config.min_deposit);
		WithdrawDelay::<T>::put(config.withdraw_delay);

		let now = Self::now();
		let mut pool = PoolState { indexed_at: now, ..Default::default() };
		for (who, amount) in &config.liquidity {
			assert!(!amount.is_zero(), "shared liquidity genesis: zero liquidity for {who:?}");
			let mut position = Self::position_of(who, &pool);
			// At a price of one while the pool is built.
			let (Some(shares), Some(assets), Some(total)) = (
				position.shares.checked_add(*amount),
				pool.assets.checked_add(*amount),
				pool.shares.checked_add(*amount),
			) else {
				panic!("shared liquidity genesis: liquidity overflows");
			};
			position.shares = shares;
			pool.assets = assets;
			pool.shares = total;
			Positions::<T>::insert(who, position);
		}
		Pool::<T>::put(pool);

		let markets = config.markets.iter().map(|(m, terms)| (ProtocolId::Market(*m), *terms));
		let external = config
			.external_protocols
			.iter()
			.map(|(who, terms)| (ProtocolId::External(who.clone()), *terms));
		for (id, terms) in markets.chain(external) {
			assert!(
				Self::ensure_terms_in_bounds(&terms).is_ok(),
				"shared liquidity genesis: terms of {id:?} out of bounds: {terms:?}",
			);
			assert!(
				!Protocols::<T>::contains_key(&id),
				"shared liquidity genesis: {id:?} registered twice",
			);
			assert!(
				Protocols::<T>::count() < T::MaxProtocols::get(),
				"shared liquidity genesis: more protocols than MaxProtocols",
			);
			let protocol = Protocol {
				terms,
				status: ProtocolStatus::Active,
				accrued_at: now,
				index_at: pool.utilization_index,
				..Default::default()
			};
			Protocols::<T>::insert(&id, protocol);
		}

		let Some(to_mint) = T::Currency::minimum_balance().checked_add(pool.assets) else {
			panic!("shared liquidity genesis: liquidity plus buffer overflows");
		};
		if !to_mint.is_zero() {
			if let Err(e) = T::Currency::mint_into(&Self::account_id(), to_mint) {
				panic!("shared liquidity genesis: cannot mint the buffer and liquidity: {e:?}");
			}
		}
	}

	/// Checks the configured constants.
	pub(crate) fn do_integrity_test() {
		assert!(T::MaxProtocols::get() > 0, "MaxProtocols must allow at least one protocol");
		assert!(
			T::MaxWithdrawRequests::get() > 0,
			"MaxWithdrawRequests must allow at least one request"
		);
		assert!(T::BlocksPerYear::get() > 0, "BlocksPerYear must be positive");
		let rate_limit = u64::from(T::MaxBaseRate::get().deconstruct())
			.saturating_add(u64::from(T::MaxRateSlope::get().deconstruct()));
		assert!(
			rate_limit <= u64::from(Permill::one().deconstruct()),
			"MaxBaseRate + MaxRateSlope must not exceed 100%"
		);
	}

	/// The invariants of the pallet:
	///
	/// * the pallet account holds exactly the pool's cash (`assets - lent`)
	///   plus the existential buffer (`minimum_balance`), or, before the
	///   buffer was ever created (pallet added without genesis and no inflow
	///   yet), nothing at all;
	/// * `assets >= drawn >= lent`: withdrawals and losses never reach
	///   capacity drawn by protocols;
	/// * the pool's `drawn` is the sum of the protocols' and its `lent` the
	///   sum of the external protocols';
	/// * the protocol counter is right and within `MaxProtocols`, every
	///   protocol's terms are within the hard limits, an active protocol has
	///   not reached its loss cap, a retired one owes nothing, and no
	///   market carries lent principal nor an external protocol debt;
	/// * the shares of the current generation's positions sum to the pool's
	///   shares; each position's requests are ordered, non-empty and sum to
	///   at most its shares;
	/// * the minimum deposit and the withdrawal delay are within their
	///   limits and the utilization index is not ahead of the chain.
	#[cfg(any(feature = "try-runtime", test))]
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		let pool = Pool::<T>::get();
		ensure!(pool.assets >= pool.drawn, "drawn capacity exceeds the pool's assets");
		ensure!(pool.drawn >= pool.lent, "lent principal exceeds drawn capacity");

		let cash = pool.assets.checked_sub(pool.lent).ok_or("lent exceeds assets")?;
		let held = T::Currency::balance(&Self::account_id());
		let pristine = held.is_zero()
			&& pool == PoolState { indexed_at: pool.indexed_at, ..Default::default() };
		let expected = cash
			.checked_add(T::Currency::minimum_balance())
			.ok_or("pool cash plus buffer overflows")?;
		ensure!(
			pristine || held == expected,
			"pallet account balance differs from the pool's cash plus the buffer"
		);

		let mut drawn: Balance = Zero::zero();
		let mut lent: Balance = Zero::zero();
		let mut count: u32 = 0;
		for (id, protocol) in Protocols::<T>::iter() {
			drawn = drawn.checked_add(protocol.drawn).ok_or("drawn capacity overflows")?;
			match id {
				ProtocolId::External(_) => {
					lent = lent.checked_add(protocol.drawn).ok_or("lent principal overflows")?;
					ensure!(protocol.debt.is_zero(), "an external protocol carries market debt");
				},
				ProtocolId::Market(_) => {},
			}
			count = count.checked_add(1).ok_or("too many protocols")?;
			ensure!(
				Self::ensure_terms_in_bounds(&protocol.terms).is_ok(),
				"protocol terms out of bounds"
			);
			match protocol.status {
				ProtocolStatus::Active => ensure!(
					!protocol.loss_cap_reached(),
					"an active protocol has reached its loss cap"
				),
				ProtocolStatus::Retired => {
					ensure!(protocol.credit_used().is_zero(), "a retired protocol owes the pool")
				},
				ProtocolStatus::Frozen => {},
			}
			ensure!(protocol.accrued_at <= pool.indexed_at, "a protocol accrued ahead of the pool");
		}
		ensure!(drawn == pool.drawn, "the pool's drawn capacity is not the protocols' sum");
		ensure!(lent == pool.lent, "the pool's lent principal is not the external protocols' sum");
		ensure!(count == Protocols::<T>::count(), "protocol counter is wrong");
		ensure!(count <= T::MaxProtocols::get(), "more protocols than MaxProtocols");

		let mut shares: Balance = Zero::zero();
		for (_, position) in Positions::<T>::iter() {
			if position.generation != pool.generation {
				ensure!(
					position.generation < pool.generation,
					"a position belongs to a future generation"
				);
				continue;
			}
			shares = shares.checked_add(position.shares).ok_or("shares overflow")?;
			ensure!(
				!position.shares.is_zero() || !position.requests.is_empty(),
				"an empty position is stored"
			);
			ensure!(
				Self::requested_of(&position) <= position.shares,
				"requests exceed the position's shares"
			);
			ensure!(
				position.requests.iter().all(|r| !r.shares.is_zero()),
				"an empty withdrawal request is stored"
			);
			ensure!(
				position
					.requests
					.iter()
					.zip(position.requests.iter().skip(1))
					.all(|(earlier, later)| earlier.requested_at < later.requested_at),
				"withdrawal requests are out of order"
			);
		}
		ensure!(shares == pool.shares, "positions' shares differ from the pool's shares");

		ensure!(MinDeposit::<T>::get() <= T::MaxMinDeposit::get(), "min deposit out of bounds");
		ensure!(
			WithdrawDelay::<T>::get() <= T::MaxWithdrawDelay::get(),
			"withdraw delay out of bounds"
		);
		let now = Self::now();
		ensure!(pool.indexed_at <= now, "the utilization index is ahead of the chain");
		Ok(())
	}
}
