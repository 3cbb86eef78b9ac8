//! The runtime-API helpers, genesis, the integrity test and the invariants.

use super::*;
use alloc::vec::Vec;
use backstop_primitives::{Balance, CounterpartyExposure, MarketId, SignedBalance};
use frame_support::{
	pallet_prelude::*,
	traits::fungible::{Inspect, Mutate},
};
use pallet_shared_liquidity_runtime_api::{LpInfo, PnlToPool};
use sp_runtime::{
	traits::{One, UniqueSaturatedInto, Zero},
	FixedPointNumber, FixedU128, Perbill, Permill,
};

impl<T: Config> Pallet<T> {
	// ---- runtime-API helpers ----

	/// The pool's cash.
	pub fn pool_cash() -> Balance {
		Pool::<T>::get().cash
	}

	/// The pool's net asset value; `None` while it cannot be computed.
	pub fn pool_nav() -> Option<SignedBalance> {
		Self::nav_of(&Pool::<T>::get()).ok()
	}

	/// Pool shares in issue.
	pub fn pool_shares() -> Balance {
		Pool::<T>::get().shares
	}

	/// Net asset value per share, rounded down (zero for a pool that owes
	/// more than it has); one while no shares are in issue.
	pub fn share_price() -> Option<FixedU128> {
		let pool = Pool::<T>::get();
		if pool.shares.is_zero() {
			return Some(FixedU128::one());
		}
		let nav = Self::nav_of(&pool).ok()?;
		Some(Self::price_of(&pool, nav.max(0).unsigned_abs()))
	}

	/// Cash reserved plus principal lent as a fraction of cash plus
	/// principal lent, rounded up.
	pub fn utilization() -> Perbill {
		Self::utilization_of(&Pool::<T>::get())
	}

	/// Cash reserved by all markets.
	pub fn reserved() -> Balance {
		Pool::<T>::get().reserved
	}

	/// Cash no market has reserved.
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
			reserved: protocol.reserved,
			drawn: protocol.drawn,
			fees_owed: protocol.fees_owed.saturating_add(Self::pending_fees(&protocol, &pool)),
			due_at: protocol.due_at.map(|due| due.unique_saturated_into()),
			impaired: protocol.impaired(Self::now()),
			available: Self::available_of(&id, &protocol, &pool),
			loss_cap: protocol.terms.loss_cap,
			losses: protocol.losses,
			loss_capacity: Self::loss_capacity_of(&protocol),
			base_rate: protocol.terms.base_rate,
			rate_slope: protocol.terms.rate_slope,
			fee_rate: Self::fee_rate_of(&protocol.terms, &pool),
			reserve_factor: protocol.terms.reserve_factor,
			max_pnl_factor: protocol.terms.max_pnl_factor,
			term: protocol.terms.term,
		})
	}

	/// The PnL-to-pool figures of `market`.
	pub fn market_pnl_to_pool(market: MarketId) -> Option<PnlToPool> {
		let max_trader_pnl = Self::max_trader_pnl_of(market)?;
		let trader_pnl = T::Exposure::market_exposure(market).ok()?.trader_pnl;
		let profit = trader_pnl.max(0).unsigned_abs();
		let ratio = if max_trader_pnl.is_zero() {
			None
		} else {
			FixedU128::checked_from_rational(profit, max_trader_pnl)
		};
		Some(PnlToPool { trader_pnl, max_trader_pnl, ratio, exceeded: profit > max_trader_pnl })
	}

	/// What the pool would accept of a loss in `market` now; zero for an
	/// unregistered market.
	pub fn market_loss_capacity(market: MarketId) -> Balance {
		Protocols::<T>::get(ProtocolId::Market(market))
			.map(|protocol| Self::loss_capacity_of(&protocol))
			.unwrap_or_default()
	}

	/// The position of `who` as of the current block.
	pub fn lp_info(who: T::AccountId) -> LpInfo {
		let pool = Pool::<T>::get();
		let mut position = Self::position_of(&who);
		let nav = Self::nav_of(&pool).map(|nav| nav.max(0).unsigned_abs()).unwrap_or_default();
		Self::retain_live(&mut position);
		let withdrawable = Self::withdrawable_of(&position);
		let mut probe = position.clone();
		let withdrawable_value =
			Self::take_withdrawable(&mut probe, &pool, nav, withdrawable).unwrap_or_default();
		LpInfo {
			shares: position.shares,
			value: Self::value_of(&pool, nav, position.shares),
			requested: Self::requested_of(&position),
			withdrawable,
			withdrawable_value,
		}
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
			!config.withdraw_delay.is_zero() && config.withdraw_delay <= T::MaxWithdrawDelay::get(),
			"shared liquidity genesis: withdraw delay zero or above MaxWithdrawDelay",
		);
		assert!(
			!config.withdraw_window.is_zero()
				&& config.withdraw_window <= T::MaxWithdrawWindow::get(),
			"shared liquidity genesis: withdraw window zero or above MaxWithdrawWindow",
		);
		MinDeposit::<T>::put(config.min_deposit);
		WithdrawDelay::<T>::put(config.withdraw_delay);
		WithdrawWindow::<T>::put(config.withdraw_window);

		let now = Self::now();
		let mut pool = PoolState { indexed_at: now, ..Default::default() };
		for (who, amount) in &config.liquidity {
			assert!(!amount.is_zero(), "shared liquidity genesis: zero liquidity for {who:?}");
			let mut position = Self::position_of(who);
			// At a price of one while the pool is built.
			let (Some(shares), Some(cash), Some(total)) = (
				position.shares.checked_add(*amount),
				pool.cash.checked_add(*amount),
				pool.shares.checked_add(*amount),
			) else {
				panic!("shared liquidity genesis: liquidity overflows");
			};
			position.shares = shares;
			pool.cash = cash;
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
				Self::ensure_terms_in_bounds(&id, &terms).is_ok(),
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

		let Some(to_mint) = T::Currency::minimum_balance().checked_add(pool.cash) else {
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
		assert!(!T::MaxWithdrawDelay::get().is_zero(), "MaxWithdrawDelay must be positive");
		assert!(!T::MaxWithdrawWindow::get().is_zero(), "MaxWithdrawWindow must be positive");
		assert!(T::MaxCreditTerm::get() > 0, "MaxCreditTerm must be positive");
		assert!(!T::MaxParamStep::get().is_zero(), "MaxParamStep must be positive");
		let rate_limit = u64::from(T::MaxBaseRate::get().deconstruct())
			.saturating_add(u64::from(T::MaxRateSlope::get().deconstruct()));
		assert!(
			rate_limit <= u64::from(Permill::one().deconstruct()),
			"MaxBaseRate + MaxRateSlope must not exceed 100%"
		);
	}

	/// The invariants of the pallet:
	///
	/// * the pallet account holds at least the pool's cash plus the
	///   existential buffer (`minimum_balance`), or, before the buffer was
	///   ever created, nothing at all; anything above is an unsolicited
	///   transfer (reported by `excess`, never counted);
	/// * the pool's `reserved` is the sum of the markets' reservations and
	///   its `lent` the sum of the external protocols' principal;
	/// * the protocol counter is right and within `MaxProtocols`, every
	///   protocol's terms are within the hard limits and fit its kind, an
	///   active protocol has not reached its loss cap, a retired one owes
	///   nothing and reserves nothing, no market has principal or fees and
	///   no external protocol a reservation, a protocol with principal has a
	///   due block and one without none, and no protocol lost more than its
	///   cap allowed at the time (losses only grow within the cap);
	/// * the positions' shares sum to the pool's shares; each position's
	///   requests are ordered, non-empty and sum to at most its shares;
	/// * the minimum deposit, the withdrawal delay and window are within
	///   their limits and not zero (delay and window), and the utilization
	///   index is not ahead of the chain;
	/// * every `ParamChangedAt` entry of a protocol names a registered one,
	///   and none is ahead of the chain.
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		let pool = Pool::<T>::get();
		let held = T::Currency::balance(&Self::account_id());
		let pristine = held.is_zero()
			&& pool == PoolState { indexed_at: pool.indexed_at, ..Default::default() };
		let expected = pool
			.cash
			.checked_add(T::Currency::minimum_balance())
			.ok_or("pool cash plus buffer overflows")?;
		ensure!(pristine || held >= expected, "pallet account holds less than the pool's cash");
		if held > expected {
			log::info!(
				target: LOG_TARGET,
				"pallet account holds {:?} beyond the pool's cash and buffer",
				held.saturating_sub(expected),
			);
		}

		let mut reserved: Balance = Zero::zero();
		let mut lent: Balance = Zero::zero();
		let mut count: u32 = 0;
		for (id, protocol) in Protocols::<T>::iter() {
			Self::ensure_terms_in_bounds(&id, &protocol.terms)
				.map_err(|_| "protocol terms out of bounds")?;
			match id {
				ProtocolId::External(_) => {
					lent = lent.checked_add(protocol.drawn).ok_or("lent principal overflows")?;
					ensure!(protocol.reserved.is_zero(), "an external protocol reserves cash");
					ensure!(
						protocol.drawn.is_zero() == protocol.due_at.is_none(),
						"principal and due block disagree"
					);
				},
				ProtocolId::Market(_) => {
					reserved =
						reserved.checked_add(protocol.reserved).ok_or("reservations overflow")?;
					ensure!(
						protocol.drawn.is_zero()
							&& protocol.fees_owed.is_zero()
							&& protocol.due_at.is_none(),
						"a market carries principal, fees or a due block"
					);
				},
			}
			count = count.checked_add(1).ok_or("too many protocols")?;
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
		ensure!(reserved == pool.reserved, "the pool's reservations are not the markets' sum");
		ensure!(lent == pool.lent, "the pool's lent principal is not the external protocols' sum");
		ensure!(count == Protocols::<T>::count(), "protocol counter is wrong");
		ensure!(count <= T::MaxProtocols::get(), "more protocols than MaxProtocols");

		let mut shares: Balance = Zero::zero();
		for (_, position) in Positions::<T>::iter() {
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
		let delay = WithdrawDelay::<T>::get();
		let window = WithdrawWindow::<T>::get();
		let unset = delay.is_zero() && window.is_zero() && pristine;
		ensure!(
			unset || (!delay.is_zero() && delay <= T::MaxWithdrawDelay::get()),
			"withdraw delay out of bounds"
		);
		ensure!(
			unset || (!window.is_zero() && window <= T::MaxWithdrawWindow::get()),
			"withdraw window out of bounds"
		);
		let now = Self::now();
		ensure!(pool.indexed_at <= now, "the utilization index is ahead of the chain");
		for (key, at) in ParamChangedAt::<T>::iter() {
			ensure!(
				key.protocol().is_none_or(Protocols::<T>::contains_key),
				"change record of a deregistered protocol"
			);
			ensure!(at <= now, "parameter changed ahead of the chain");
		}
		Ok(())
	}
}
