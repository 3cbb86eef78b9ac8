//! Storage migrations of the shared liquidity pool.

/// Version 1 to 2: the pool becomes the markets' cash counterparty.
///
/// * `PoolState { assets, drawn, generation, .. }` becomes `{ cash,
///   reserved, .. }`: the cash is the old assets minus the principal lent;
///   reservations start at zero (each market reserves again at its next
///   trade or liquidation).
/// * Markets lose their capacity `drawn`, their `debt` and the utilization
///   fees they were charged (never paid: phantom income) and get a reserve
///   factor of zero and a max-PnL factor of 100% until governance sets them.
///   External protocols keep principal and fees, get the largest credit
///   term (`MaxCreditTerm`) and, with principal outstanding, a due block
///   that far from now.
/// * Positions of an earlier pool generation held no shares and are removed;
///   pending withdrawal requests are dropped (their share price was never
///   recorded): the liquidity providers request again.
/// * A zero withdrawal delay becomes one block; the window is set to
///   `MaxWithdrawWindow`.
pub mod v2 {
	use crate::{
		Config, LpPosition, Pallet, Pool, PoolState, Protocol, ProtocolId, ProtocolStatus,
		ProtocolTerms, Protocols, WithdrawDelay, WithdrawWindow, LOG_TARGET,
	};
	use backstop_primitives::Balance;
	use codec::{Decode, Encode, MaxEncodedLen};
	use frame_support::{
		migrations::VersionedMigration,
		pallet_prelude::*,
		traits::{Get, UncheckedOnRuntimeUpgrade},
		BoundedVec,
	};
	use frame_system::pallet_prelude::BlockNumberFor;
	use scale_info::TypeInfo;
	use sp_runtime::{
		traits::{Saturating, Zero},
		Permill,
	};

	/// The version-1 layouts.
	pub mod old {
		use super::*;

		/// The version-1 pool ledger.
		#[derive(Encode, Decode, Clone, Copy, Default, TypeInfo, MaxEncodedLen)]
		pub struct PoolState<BlockNumber> {
			/// Cash plus principal lent.
			pub assets: Balance,
			/// Shares in issue.
			pub shares: Balance,
			/// Capacity drawn by all protocols.
			pub drawn: Balance,
			/// Principal lent.
			pub lent: Balance,
			/// The pool generation.
			pub generation: u32,
			/// The utilization index.
			pub utilization_index: u128,
			/// The block of the index.
			pub indexed_at: BlockNumber,
		}

		/// The version-1 terms.
		#[derive(Encode, Decode, Clone, Copy, Default, TypeInfo, MaxEncodedLen)]
		pub struct ProtocolTerms {
			/// Credit cap.
			pub credit_cap: Balance,
			/// Loss cap.
			pub loss_cap: Balance,
			/// Base rate.
			pub base_rate: Permill,
			/// Rate slope.
			pub rate_slope: Permill,
		}

		/// The version-1 credit line.
		#[derive(Encode, Decode, Clone, Copy, Default, TypeInfo, MaxEncodedLen)]
		pub struct Protocol<BlockNumber> {
			/// Terms.
			pub terms: ProtocolTerms,
			/// Status.
			pub status: ProtocolStatus,
			/// Capacity drawn.
			pub drawn: Balance,
			/// Fees owed.
			pub fees_owed: Balance,
			/// Profits paid and not recouped (markets).
			pub debt: Balance,
			/// Losses.
			pub losses: Balance,
			/// Accrual block.
			pub accrued_at: BlockNumber,
			/// Index at accrual.
			pub index_at: u128,
		}

		/// The version-1 withdrawal request.
		#[derive(Encode, Decode, Clone, Copy, Default, TypeInfo, MaxEncodedLen)]
		pub struct WithdrawRequest<BlockNumber> {
			/// Shares.
			pub shares: Balance,
			/// Block of the request.
			pub requested_at: BlockNumber,
		}

		/// The version-1 position.
		#[derive(Encode, Decode, Clone, TypeInfo, MaxEncodedLen)]
		#[scale_info(skip_type_params(S))]
		pub struct LpPosition<BlockNumber, S: Get<u32>> {
			/// Shares.
			pub shares: Balance,
			/// The generation of the shares.
			pub generation: u32,
			/// Requests.
			pub requests: BoundedVec<WithdrawRequest<BlockNumber>, S>,
		}
	}

	/// The unversioned step; use [`MigrateV1ToV2`].
	pub struct InnerMigrateV1ToV2<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for InnerMigrateV1ToV2<T> {
		fn on_runtime_upgrade() -> Weight {
			let now = frame_system::Pallet::<T>::block_number();
			let mut reads: u64 = 1;
			let mut writes: u64 = 0;
			let old_pool: old::PoolState<BlockNumberFor<T>> =
				frame_support::storage::unhashed::get(&Pool::<T>::hashed_key()).unwrap_or_default();
			let generation = old_pool.generation;

			let term = T::MaxCreditTerm::get();
			Protocols::<T>::translate::<old::Protocol<BlockNumberFor<T>>, _>(|id, old| {
				reads.saturating_inc();
				writes.saturating_inc();
				let external = matches!(id, ProtocolId::External(_));
				let terms = if external {
					ProtocolTerms {
						credit_cap: old.terms.credit_cap,
						loss_cap: old.terms.loss_cap,
						base_rate: old.terms.base_rate,
						rate_slope: old.terms.rate_slope,
						term,
						..Default::default()
					}
				} else {
					ProtocolTerms {
						credit_cap: old.terms.credit_cap,
						loss_cap: old.terms.loss_cap,
						max_pnl_factor: Permill::one(),
						..Default::default()
					}
				};
				let drawn = if external { old.drawn } else { Zero::zero() };
				Some(Protocol {
					terms,
					status: old.status,
					reserved: Zero::zero(),
					drawn,
					fees_owed: if external { old.fees_owed } else { Zero::zero() },
					losses: old.losses,
					due_at: (!drawn.is_zero())
						.then(|| now.saturating_add(BlockNumberFor::<T>::from(term))),
					accrued_at: old.accrued_at,
					index_at: old.index_at,
				})
			});

			Pool::<T>::put(PoolState {
				cash: old_pool.assets.saturating_sub(old_pool.lent),
				shares: old_pool.shares,
				reserved: Zero::zero(),
				lent: old_pool.lent,
				utilization_index: old_pool.utilization_index,
				indexed_at: old_pool.indexed_at,
			});
			writes.saturating_inc();

			let mut void: Balance = Zero::zero();
			crate::Positions::<T>::translate::<
				old::LpPosition<BlockNumberFor<T>, T::MaxWithdrawRequests>,
				_,
			>(|_, old| {
				reads.saturating_inc();
				writes.saturating_inc();
				if old.generation != generation || old.shares.is_zero() {
					void = void.saturating_add(old.shares);
					return None;
				}
				Some(LpPosition::<T> { shares: old.shares, requests: Default::default() })
			});

			if WithdrawDelay::<T>::get().is_zero() {
				WithdrawDelay::<T>::put(BlockNumberFor::<T>::from(1u32));
			}
			WithdrawWindow::<T>::put(T::MaxWithdrawWindow::get());
			writes = writes.saturating_add(2);
			log::info!(
				target: LOG_TARGET,
				"migrated to v2: shares of earlier generations removed: {void:?}",
			);
			T::DbWeight::get().reads_writes(reads, writes)
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
