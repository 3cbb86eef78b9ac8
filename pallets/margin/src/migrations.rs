//! Storage migrations of the margin pallet.
//!
//! Each step reads and writes the layouts of its own versions: the layouts of
//! versions 1 and 2 are frozen in [`layout_v2`], so that the earlier steps
//! keep working after later ones change the pallet's types. Run them in
//! order (`v1`, `v2`, `v3`); each is a `VersionedMigration` and a no-op at
//! any other version.

/// The storage layouts of versions 1 and 2 (identical for the types here):
/// before the backstop premium.
pub mod layout_v2 {
	use crate::{MarketParams, MarketStatus, MaturingProfit};
	use backstop_primitives::{Balance, MarketId, Price, SignedBalance};
	use codec::{Decode, Encode, MaxEncodedLen};
	use frame_support::{
		pallet_prelude::*, BoundedVec, CloneNoBound, DebugNoBound, DefaultNoBound, EqNoBound,
		PartialEqNoBound,
	};
	use scale_info::TypeInfo;
	use sp_arithmetic::FixedI128;

	/// A position before the premium snapshot.
	#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen)]
	pub struct Position {
		/// The market.
		pub market: MarketId,
		/// Signed size.
		pub size: i128,
		/// Signed cost basis.
		pub cost: i128,
		/// Funding snapshot.
		pub funding_index: FixedI128,
	}

	/// A market's moving state before the premium.
	#[derive(
		Encode, Decode, Clone, Copy, PartialEq, Eq, Debug, Default, TypeInfo, MaxEncodedLen,
	)]
	pub struct MarketState {
		/// Long open interest.
		pub long_open_interest: u128,
		/// Short open interest.
		pub short_open_interest: u128,
		/// Long cost bases.
		pub long_cost: Balance,
		/// Short cost bases.
		pub short_cost: Balance,
		/// Funding basis.
		pub funding_basis: SignedBalance,
		/// Funding index.
		pub funding_index: FixedI128,
		/// Funding rate.
		pub funding_rate: FixedI128,
		/// Last fresh price.
		pub last_price: Price,
		/// Held for the pool.
		pub pool_receivable: Balance,
		/// Held for the insurance fund.
		pub pending_penalties: Balance,
		/// Held for the insurance fund.
		pub pending_insurance_fees: Balance,
		/// Held for the stakers.
		pub pending_staker_fees: Balance,
		/// Deficit.
		pub deficit: Balance,
		/// Reservation to lower.
		pub reserve_stale: bool,
	}

	/// A market before the premium.
	#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen)]
	pub struct MarketInfo {
		/// Parameters (unchanged).
		pub params: MarketParams,
		/// Status (unchanged).
		pub status: MarketStatus,
		/// Moving state.
		pub state: MarketState,
	}

	/// A margin account before the premium.
	#[derive(
		Encode,
		Decode,
		CloneNoBound,
		PartialEqNoBound,
		EqNoBound,
		DebugNoBound,
		DefaultNoBound,
		TypeInfo,
		MaxEncodedLen,
	)]
	#[scale_info(skip_type_params(MaxPositions))]
	#[codec(mel_bound(BlockNumber: MaxEncodedLen))]
	pub struct MarginAccount<
		MaxPositions: Get<u32>,
		BlockNumber: Clone + PartialEq + Eq + core::fmt::Debug + Default,
	> {
		/// Collateral.
		pub collateral: Balance,
		/// Positions.
		pub positions: BoundedVec<Position, MaxPositions>,
		/// Maturing profit (unchanged).
		pub maturing: MaturingProfit<BlockNumber>,
	}

	/// A margin account of `T` in this layout.
	pub type AccountOf<T> = MarginAccount<
		<T as crate::Config>::MaxPositionsPerAccount,
		frame_system::pallet_prelude::BlockNumberFor<T>,
	>;

	/// The raw storage key of `who`'s account.
	pub fn account_key<T: crate::Config>(who: &T::AccountId) -> alloc::vec::Vec<u8> {
		crate::Accounts::<T>::hashed_key_for(who)
	}

	/// Every account in this layout, with its raw key (keys are unchanged).
	pub fn accounts<T: crate::Config>() -> alloc::vec::Vec<(T::AccountId, AccountOf<T>)> {
		crate::Accounts::<T>::iter_keys()
			.filter_map(|who| {
				let account = frame_support::storage::unhashed::get(&account_key::<T>(&who))?;
				Some((who, account))
			})
			.collect()
	}

	/// Every market in this layout.
	pub fn markets<T: crate::Config>() -> alloc::vec::Vec<(MarketId, MarketInfo)> {
		crate::Markets::<T>::iter_keys()
			.filter_map(|id| {
				let key = crate::Markets::<T>::hashed_key_for(id);
				Some((id, frame_support::storage::unhashed::get(&key)?))
			})
			.collect()
	}

	/// Stores `market` under `id` in this layout.
	pub fn put_market<T: crate::Config>(id: MarketId, market: &MarketInfo) {
		frame_support::storage::unhashed::put(&crate::Markets::<T>::hashed_key_for(id), market);
	}

	/// The position in the current type (a snapshot of zero), for what does
	/// not depend on the premium (its deleveraging rank).
	pub fn current(position: &Position) -> crate::Position {
		crate::Position {
			market: position.market,
			size: position.size,
			cost: position.cost,
			funding_index: position.funding_index,
			premium_index: Default::default(),
		}
	}
}

/// Version 0 to 1: the markets move from locked pool capacity to the cash
/// counterparty model, and accounts gain their maturing profit.
///
/// * `MarketState` loses `locked` and `pending_release` (the pool no longer
///   lends capacity; it reserves cash, and its own migration starts every
///   reservation at zero until the market's next trade or liquidation) and
///   gains `long_cost`, `short_cost` and `funding_basis`, computed here from
///   the positions of every account.
/// * `MarginAccount` gains `maturing`, empty: profit realised before the
///   upgrade is not subject to the warm-up (which starts disabled).
///
/// The migration reads every market (at most `MaxMarkets`) and every account
/// twice (once to sum the aggregates, once to translate it); that is fine on
/// the development chains this pallet runs on, whose account count is small.
/// A chain with many accounts would need a multi-block migration instead. It
/// runs in one block; its weight is counted per item read and written.
pub mod v1 {
	use super::layout_v2::{self, MarketInfo, MarketState, Position};
	use crate::{
		math, Accounts, Config, MarketParams, MarketStatus, Markets, MaturingProfit, Pallet,
		LOG_TARGET,
	};
	use alloc::collections::btree_map::BTreeMap;
	use backstop_primitives::{Balance, MarketId, Price, SignedBalance};
	use codec::{Decode, Encode, MaxEncodedLen};
	use frame_support::{
		migrations::VersionedMigration,
		pallet_prelude::*,
		storage::unhashed,
		traits::{Get, UncheckedOnRuntimeUpgrade},
		BoundedVec, CloneNoBound, DebugNoBound, DefaultNoBound, EqNoBound, PartialEqNoBound,
	};
	use scale_info::TypeInfo;
	use sp_arithmetic::{traits::Saturating, FixedI128};

	/// The version-1 margin account (the layout `v2` and `v3` read).
	type NewAccount<T> = layout_v2::AccountOf<T>;

	/// The version-0 layouts.
	pub mod old {
		use super::*;

		/// The version-0 moving state of a market.
		#[derive(
			Encode, Decode, Clone, Copy, PartialEq, Eq, Debug, Default, TypeInfo, MaxEncodedLen,
		)]
		pub struct MarketState {
			/// Long open interest.
			pub long_open_interest: u128,
			/// Short open interest.
			pub short_open_interest: u128,
			/// Funding index.
			pub funding_index: FixedI128,
			/// Funding rate.
			pub funding_rate: FixedI128,
			/// Last fresh price.
			pub last_price: Price,
			/// Pool capacity locked by the positions.
			pub locked: Balance,
			/// Capacity waiting to be released.
			pub pending_release: Balance,
			/// Held for the pool.
			pub pool_receivable: Balance,
			/// Held for the insurance fund.
			pub pending_penalties: Balance,
			/// Held for the insurance fund.
			pub pending_insurance_fees: Balance,
			/// Held for the stakers.
			pub pending_staker_fees: Balance,
			/// Deficit.
			pub deficit: Balance,
		}

		/// The version-0 market.
		#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen)]
		pub struct MarketInfo {
			/// Parameters (unchanged).
			pub params: MarketParams,
			/// Status (unchanged).
			pub status: MarketStatus,
			/// Moving state.
			pub state: MarketState,
		}

		/// The version-0 margin account.
		#[derive(
			Encode,
			Decode,
			CloneNoBound,
			PartialEqNoBound,
			EqNoBound,
			DebugNoBound,
			DefaultNoBound,
			TypeInfo,
			MaxEncodedLen,
		)]
		#[scale_info(skip_type_params(MaxPositions))]
		#[codec(mel_bound())]
		pub struct MarginAccount<MaxPositions: Get<u32>> {
			/// Collateral.
			pub collateral: Balance,
			/// Positions (unchanged).
			pub positions: BoundedVec<Position, MaxPositions>,
		}
	}

	/// The aggregates of one market summed over positions.
	#[derive(Default)]
	struct Aggregates {
		long_cost: Balance,
		short_cost: Balance,
		funding_basis: SignedBalance,
	}

	/// The new state of a market from its old state and its aggregates.
	fn translate_state(old: old::MarketState, sums: &Aggregates) -> MarketState {
		MarketState {
			long_open_interest: old.long_open_interest,
			short_open_interest: old.short_open_interest,
			long_cost: sums.long_cost,
			short_cost: sums.short_cost,
			funding_basis: sums.funding_basis,
			funding_index: old.funding_index,
			funding_rate: old.funding_rate,
			last_price: old.last_price,
			pool_receivable: old.pool_receivable,
			pending_penalties: old.pending_penalties,
			pending_insurance_fees: old.pending_insurance_fees,
			pending_staker_fees: old.pending_staker_fees,
			deficit: old.deficit,
			// The pool's v2 migration starts every reservation at zero: the
			// next settlement reserves for the open interest again.
			reserve_stale: old.long_open_interest != 0 || old.short_open_interest != 0,
		}
	}

	/// The unversioned step; use [`MigrateV0ToV1`].
	pub struct InnerMigrateV0ToV1<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for InnerMigrateV0ToV1<T> {
		fn on_runtime_upgrade() -> Weight {
			let mut reads: u64 = 0;
			let mut writes: u64 = 0;

			// Sum the aggregates over the old accounts (the positions'
			// encoding is unchanged).
			let mut sums: BTreeMap<MarketId, Aggregates> = BTreeMap::new();
			let mut overflowed = false;
			for who in Accounts::<T>::iter_keys() {
				reads.saturating_inc();
				let key = Accounts::<T>::hashed_key_for(&who);
				let Some(account) =
					unhashed::get::<old::MarginAccount<T::MaxPositionsPerAccount>>(&key)
				else {
					continue;
				};
				for position in account.positions.iter() {
					let sum = sums.entry(position.market).or_default();
					let cost = position.cost.unsigned_abs();
					let (long_cost, short_cost) = if position.size > 0 {
						(sum.long_cost.checked_add(cost), Some(sum.short_cost))
					} else {
						(Some(sum.long_cost), sum.short_cost.checked_add(cost))
					};
					let funding_basis = math::funding_basis(position.size, position.funding_index)
						.and_then(|basis| sum.funding_basis.checked_add(basis));
					match (long_cost, short_cost, funding_basis) {
						(Some(long_cost), Some(short_cost), Some(funding_basis)) => {
							*sum = Aggregates { long_cost, short_cost, funding_basis };
						},
						_ => overflowed = true,
					}
				}
			}
			if overflowed {
				log::error!(target: LOG_TARGET, "v1 migration: an aggregate overflowed");
			}

			// Translated in place, key by key, into the version-1 layout (the
			// current types have moved on since).
			let ids: alloc::vec::Vec<MarketId> = Markets::<T>::iter_keys().collect();
			for id in ids {
				reads.saturating_inc();
				let key = Markets::<T>::hashed_key_for(id);
				let Some(old) = unhashed::get::<old::MarketInfo>(&key) else {
					log::error!(target: LOG_TARGET, "v1 migration: market {id} undecodable");
					continue;
				};
				writes.saturating_inc();
				let empty = Aggregates::default();
				let sums = sums.get(&id).unwrap_or(&empty);
				let new = MarketInfo {
					params: old.params,
					status: old.status,
					state: translate_state(old.state, sums),
				};
				unhashed::put(&key, &new);
			}

			let owners: alloc::vec::Vec<T::AccountId> = Accounts::<T>::iter_keys().collect();
			for who in owners {
				reads.saturating_inc();
				let key = layout_v2::account_key::<T>(&who);
				let Some(old) =
					unhashed::get::<old::MarginAccount<T::MaxPositionsPerAccount>>(&key)
				else {
					log::error!(target: LOG_TARGET, "v1 migration: an account undecodable");
					continue;
				};
				writes.saturating_inc();
				let new = NewAccount::<T> {
					collateral: old.collateral,
					positions: old.positions,
					maturing: MaturingProfit::default(),
				};
				unhashed::put(&key, &new);
			}

			log::info!(target: LOG_TARGET, "migrated to v1: {writes} items rewritten");
			T::DbWeight::get().reads_writes(reads, writes)
		}

		#[cfg(feature = "try-runtime")]
		fn pre_upgrade() -> Result<alloc::vec::Vec<u8>, sp_runtime::TryRuntimeError> {
			let markets = Markets::<T>::iter_keys().count() as u64;
			let accounts = Accounts::<T>::iter_keys().count() as u64;
			Ok((markets, accounts).encode())
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(state: alloc::vec::Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
			let (markets, accounts): (u64, u64) = Decode::decode(&mut &state[..])
				.map_err(|_| sp_runtime::TryRuntimeError::Other("undecodable pre-upgrade state"))?;
			ensure!(
				layout_v2::markets::<T>().len() as u64 == markets,
				"a market was lost in the migration"
			);
			ensure!(
				layout_v2::accounts::<T>().len() as u64 == accounts,
				"an account was lost in the migration"
			);
			// The full invariants hold after the last step (`v3`).
			Ok(())
		}
	}

	/// The version-checked migration from storage version 0 to 1.
	pub type MigrateV0ToV1<T> = VersionedMigration<
		0,
		1,
		InnerMigrateV0ToV1<T>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}

/// Version 1 to 2: auto-deleveraging.
///
/// * `AdlQueue` gains one entry per open position, at its rank (its average
///   entry price), so that auto-deleveraging sees every position opened
///   before the upgrade.
/// * Every market with a deficit gains its `Deleveraging` entry. Before the
///   upgrade a deficit did not record which side's bankruptcy left it, so
///   it is assigned to the side with the larger unrealized PnL at the
///   market's last price (the longs on a tie); a market that is still
///   `Active` with a deficit turns `ReduceOnly` (it returns to `Active` when
///   the deficit is gone).
///
/// * `Traders` gains every account holding a position, so that the
///   automatic sweep (now in `on_initialize`) examines them.
///
/// Like `v1` it reads every account once, in one block: fine on the
/// development chains this pallet runs on.
pub mod v2 {
	use super::layout_v2;
	use crate::{
		math, AdlQueue, AdlRank, Config, Deleveraging, Event, LiquidationCursor, MarketStatus,
		Pallet, PendingDeleveraging, Traders, LOG_TARGET,
	};
	use frame_support::{
		migrations::VersionedMigration,
		pallet_prelude::*,
		traits::{Get, UncheckedOnRuntimeUpgrade},
	};
	use sp_arithmetic::traits::{Saturating, Zero};

	/// The unversioned step; use [`MigrateV1ToV2`].
	pub struct InnerMigrateV1ToV2<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for InnerMigrateV1ToV2<T> {
		fn on_runtime_upgrade() -> Weight {
			let mut reads: u64 = 0;
			let mut writes: u64 = 0;
			for (who, account) in layout_v2::accounts::<T>() {
				reads.saturating_inc();
				if !account.positions.is_empty() {
					Traders::<T>::insert(&who, ());
					writes.saturating_inc();
				}
				for position in account.positions.iter() {
					let position = &layout_v2::current(position);
					if let Some((side, rank)) = AdlRank::of(position) {
						AdlQueue::<T>::insert((position.market, side), (rank, who.clone()), ());
						writes.saturating_inc();
					}
				}
			}
			// The v1 cursor was a key of `Accounts`; the sweep now walks
			// `Traders` and starts from the top.
			LiquidationCursor::<T>::kill();
			writes.saturating_inc();
			for (id, mut market) in layout_v2::markets::<T>() {
				reads.saturating_inc();
				if market.state.deficit.is_zero() {
					continue;
				}
				let state = &market.state;
				let price = state.last_price;
				let long = math::market_pnl(state.long_open_interest, 0, state.long_cost, 0, price)
					.unwrap_or_default();
				let short =
					math::market_pnl(0, state.short_open_interest, 0, state.short_cost, price)
						.unwrap_or_default();
				let mut pending = PendingDeleveraging::default();
				if long >= short {
					pending.from_longs = state.deficit;
				} else {
					pending.from_shorts = state.deficit;
				}
				if market.status == MarketStatus::Active {
					market.status = MarketStatus::ReduceOnly;
					pending.reopen = true;
					Pallet::<T>::deposit_event(Event::MarketStatusChanged {
						market: id,
						status: MarketStatus::ReduceOnly,
					});
					layout_v2::put_market::<T>(id, &market);
					writes.saturating_inc();
				}
				Deleveraging::<T>::insert(id, pending);
				writes.saturating_inc();
			}
			log::info!(target: LOG_TARGET, "migrated to v2: {writes} items written");
			T::DbWeight::get().reads_writes(reads, writes)
		}

		#[cfg(feature = "try-runtime")]
		fn pre_upgrade() -> Result<alloc::vec::Vec<u8>, sp_runtime::TryRuntimeError> {
			let positions: u64 =
				layout_v2::accounts::<T>().iter().map(|(_, a)| a.positions.len() as u64).sum();
			Ok(positions.encode())
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(state: alloc::vec::Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
			let positions: u64 = Decode::decode(&mut &state[..])
				.map_err(|_| sp_runtime::TryRuntimeError::Other("undecodable pre-upgrade state"))?;
			ensure!(
				AdlQueue::<T>::iter_keys().count() as u64 == positions,
				"a position is missing from the deleveraging queues"
			);
			let traders =
				layout_v2::accounts::<T>().iter().filter(|(_, a)| !a.positions.is_empty()).count();
			ensure!(
				Traders::<T>::count() as usize == traders,
				"an account with positions is missing from the index"
			);
			// The full invariants hold after the last step (`v3`), which
			// brings the layout to the current types.
			Ok(())
		}
	}

	/// The version-checked migration from storage version 1 to 2.
	pub type MigrateV1ToV2<T> = VersionedMigration<
		1,
		2,
		InnerMigrateV1ToV2<T>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}

/// Version 2 to 3: the backstop premium.
///
/// * `MarketState` gains `premium_index`, `premium_rate` and
///   `pending_premium`, all zero: nothing accrued before the upgrade.
/// * `Position` gains `premium_index`, zero: consistent with its market's
///   index of zero, so no position owes premium for the time before the
///   upgrade.
///
/// `StressMoves` is new and empty (every market at `DefaultStressMove`).
/// Like the earlier steps it reads every market and account once, in one
/// block: fine on the development chains this pallet runs on.
pub mod v3 {
	use super::layout_v2;
	use crate::{AccountOf, Accounts, Config, MarketInfo, MarketState, Markets, Pallet, Position};
	use frame_support::{
		migrations::VersionedMigration,
		pallet_prelude::*,
		traits::{Get, UncheckedOnRuntimeUpgrade},
		BoundedVec,
	};
	use sp_arithmetic::{
		traits::{Saturating, Zero},
		FixedU128,
	};

	/// The version-3 state of a market from its version-2 state.
	pub fn translate_state(old: layout_v2::MarketState) -> MarketState {
		MarketState {
			long_open_interest: old.long_open_interest,
			short_open_interest: old.short_open_interest,
			long_cost: old.long_cost,
			short_cost: old.short_cost,
			funding_basis: old.funding_basis,
			funding_index: old.funding_index,
			funding_rate: old.funding_rate,
			last_price: old.last_price,
			pool_receivable: old.pool_receivable,
			pending_penalties: old.pending_penalties,
			pending_insurance_fees: old.pending_insurance_fees,
			pending_staker_fees: old.pending_staker_fees,
			deficit: old.deficit,
			reserve_stale: old.reserve_stale,
			premium_index: FixedU128::zero(),
			premium_rate: FixedU128::zero(),
			pending_premium: 0,
		}
	}

	/// The version-3 position from its version-2 layout: a premium snapshot
	/// of zero, its market's index.
	pub fn translate_position(old: &layout_v2::Position) -> Position {
		layout_v2::current(old)
	}

	/// The unversioned step; use [`MigrateV2ToV3`].
	pub struct InnerMigrateV2ToV3<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for InnerMigrateV2ToV3<T> {
		fn on_runtime_upgrade() -> Weight {
			let mut reads: u64 = 0;
			let mut writes: u64 = 0;
			Markets::<T>::translate::<layout_v2::MarketInfo, _>(|_, old| {
				reads.saturating_inc();
				writes.saturating_inc();
				Some(MarketInfo {
					params: old.params,
					status: old.status,
					state: translate_state(old.state),
				})
			});
			Accounts::<T>::translate::<layout_v2::AccountOf<T>, _>(|_, old| {
				reads.saturating_inc();
				writes.saturating_inc();
				let positions: alloc::vec::Vec<Position> =
					old.positions.iter().map(translate_position).collect();
				// As many positions as before: the bound holds.
				Some(AccountOf::<T> {
					collateral: old.collateral,
					positions: BoundedVec::truncate_from(positions),
					maturing: old.maturing,
				})
			});
			log::info!(target: crate::LOG_TARGET, "migrated to v3: {writes} items rewritten");
			T::DbWeight::get().reads_writes(reads, writes)
		}

		#[cfg(feature = "try-runtime")]
		fn pre_upgrade() -> Result<alloc::vec::Vec<u8>, sp_runtime::TryRuntimeError> {
			let markets = layout_v2::markets::<T>().len() as u64;
			let accounts = layout_v2::accounts::<T>();
			let positions: u64 = accounts.iter().map(|(_, a)| a.positions.len() as u64).sum();
			let collateral: u128 =
				accounts.iter().fold(0u128, |sum, (_, a)| sum.saturating_add(a.collateral));
			Ok((markets, accounts.len() as u64, positions, collateral).encode())
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(state: alloc::vec::Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
			let (markets, accounts, positions, collateral): (u64, u64, u64, u128) =
				Decode::decode(&mut &state[..]).map_err(|_| {
					sp_runtime::TryRuntimeError::Other("undecodable pre-upgrade state")
				})?;
			ensure!(
				Markets::<T>::iter_values().count() as u64 == markets,
				"a market was lost in the migration"
			);
			for market in Markets::<T>::iter_values() {
				let state = market.state;
				ensure!(
					state.premium_index.is_zero()
						&& state.premium_rate.is_zero()
						&& state.pending_premium == 0,
					"a market starts with premium"
				);
			}
			let all: alloc::vec::Vec<_> = Accounts::<T>::iter_values().collect();
			ensure!(all.len() as u64 == accounts, "an account was lost in the migration");
			ensure!(
				all.iter().map(|a| a.positions.len() as u64).sum::<u64>() == positions,
				"a position was lost in the migration"
			);
			ensure!(
				all.iter().fold(0u128, |sum, a| sum.saturating_add(a.collateral)) == collateral,
				"collateral changed in the migration"
			);
			ensure!(
				all.iter().all(|a| a.positions.iter().all(|p| p.premium_index.is_zero())),
				"a position starts with a premium snapshot"
			);
			Pallet::<T>::do_try_state()
		}
	}

	/// The version-checked migration from storage version 2 to 3.
	pub type MigrateV2ToV3<T> = VersionedMigration<
		2,
		3,
		InnerMigrateV2ToV3<T>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}
