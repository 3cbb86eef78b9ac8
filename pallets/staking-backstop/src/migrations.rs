//! Storage migrations of the staking backstop.

/// Version 1 to 2: one unstake request per staker and tranche, paid at the
/// lower of its value at request and at payout; tranche parameters with a
/// per-block slash cap and a wipe-out floor; premium parameters priced by
/// risk instead of the revenue-share curve.
///
/// * `UnstakeRequests`: the list of a staker's requests becomes at most one
///   request. Requests of an ended epoch (worthless) are dropped; those of
///   the current epoch are merged into one: the shares summed, the first
///   request's identifier, the latest `unlock_at` and `expires_at` of them
///   (nobody leaves earlier than one of their requests allowed), and a
///   value at request of the merged shares at the current share price
///   (rounded down; any loss since the requests is already in the price).
/// * `Params`: `max_slash_per_block` starts at the tranche's per-event cap
///   (one event's worth per block) and `wipe_out_floor` at 1% (or
///   `MaxWipeOutFloor` if lower). A window longer than `MaxWindowFraction` of
///   the cooldown is shortened to it, and if that falls below
///   `MinUnstakeWindow`, the window becomes `MinUnstakeWindow` and the
///   cooldown the shortest that admits it. Parameters still out of bounds
///   are replaced by the defaults.
/// * `Premium`: the curve's coverage corners are kept if they are still
///   valid; the rates, the volatility weight, the cap and the junior
///   multiple take their defaults (`Pallet::default_premium_params`). The
///   curve's `required_capital` goes: the required capital now comes from
///   `Config::Exposure`.
pub mod v2 {
	use crate::{
		math, Config, Pallet, Params, Premium, PremiumParams, TrancheParams, Tranches,
		UnstakeRequest, UnstakeRequests, LOG_TARGET,
	};
	use backstop_primitives::Balance;
	use codec::{Decode, Encode, MaxEncodedLen};
	use frame_support::{
		migrations::VersionedMigration,
		pallet_prelude::*,
		traits::{Get, UncheckedOnRuntimeUpgrade},
	};
	use frame_system::pallet_prelude::BlockNumberFor;
	use scale_info::TypeInfo;
	use sp_runtime::{
		traits::{Saturating, Zero},
		FixedU128, Perbill, Permill,
	};

	#[cfg(feature = "try-runtime")]
	use alloc::vec::Vec;

	/// The version-1 layouts.
	pub mod old {
		use super::*;

		/// The version-1 unstake request.
		#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen)]
		pub struct UnstakeRequest<BlockNumber> {
			/// Identifier.
			pub id: u64,
			/// Epoch.
			pub epoch: u32,
			/// Shares.
			pub shares: Balance,
			/// First unstakable block.
			pub unlock_at: BlockNumber,
			/// First lapsed block.
			pub expires_at: BlockNumber,
		}

		/// The version-1 tranche parameters.
		#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen)]
		pub struct TrancheParams<BlockNumber> {
			/// Smallest stake.
			pub min_stake: Balance,
			/// Per-event cap.
			pub max_slash_fraction: Perbill,
			/// Cooldown.
			pub cooldown: BlockNumber,
			/// Window.
			pub unstake_window: BlockNumber,
		}

		/// The version-1 premium curve.
		#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen)]
		pub struct PremiumCurve {
			/// Required capital per unit of open interest.
			pub required_capital: Permill,
			/// Lower corner.
			pub coverage_low: FixedU128,
			/// Upper corner.
			pub coverage_high: FixedU128,
			/// Junior share at low coverage.
			pub junior_max: Permill,
			/// Junior share at high coverage.
			pub junior_min: Permill,
		}

		/// The version-1 request lists (bounded by `MaxUnstakeRequests`,
		/// which the runtime set to 8; a plain vector decodes the same bytes).
		pub type Requests<BlockNumber> = alloc::vec::Vec<UnstakeRequest<BlockNumber>>;
	}

	/// The version-2 parameters of version-1 parameters `old`.
	pub fn migrate_params<T: Config>(
		old: old::TrancheParams<BlockNumberFor<T>>,
	) -> TrancheParams<BlockNumberFor<T>> {
		let defaults = Pallet::<T>::default_tranche_params();
		let fraction = T::MaxWindowFraction::get();
		let mut cooldown = old.cooldown;
		let mut unstake_window = old.unstake_window.min(fraction.mul_floor(cooldown));
		if unstake_window < T::MinUnstakeWindow::get() {
			unstake_window = T::MinUnstakeWindow::get();
			cooldown = cooldown.max(Pallet::<T>::shortest_cooldown_for(unstake_window));
		}
		let new = TrancheParams {
			min_stake: old.min_stake,
			max_slash_fraction: old.max_slash_fraction,
			cooldown,
			unstake_window,
			max_slash_per_block: if old.max_slash_fraction.is_zero() {
				defaults.max_slash_per_block
			} else {
				old.max_slash_fraction
			},
			wipe_out_floor: defaults.wipe_out_floor,
		};
		if Pallet::<T>::ensure_params_in_bounds(&new).is_ok() {
			new
		} else {
			defaults
		}
	}

	/// The version-2 premium parameters of a version-1 curve.
	pub fn migrate_premium<T: Config>(old: old::PremiumCurve) -> PremiumParams {
		let defaults = Pallet::<T>::default_premium_params();
		let kept = PremiumParams {
			coverage_low: old.coverage_low,
			coverage_high: old.coverage_high,
			..defaults
		};
		if Pallet::<T>::ensure_premium_valid(&kept).is_ok() {
			kept
		} else {
			defaults
		}
	}

	/// The unversioned step; use [`MigrateV1ToV2`].
	pub struct InnerMigrateV1ToV2<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for InnerMigrateV1ToV2<T> {
		fn on_runtime_upgrade() -> Weight {
			let mut reads: u64 = 0;
			let mut writes: u64 = 0;

			Params::<T>::translate::<old::TrancheParams<BlockNumberFor<T>>, _>(|_tranche, old| {
				reads.saturating_inc();
				writes.saturating_inc();
				Some(migrate_params::<T>(old))
			});

			let premium = frame_support::storage::unhashed::get::<old::PremiumCurve>(
				&Premium::<T>::hashed_key(),
			);
			reads.saturating_inc();
			if let Some(old) = premium {
				Premium::<T>::put(migrate_premium::<T>(old));
				writes.saturating_inc();
			}

			let ledgers = [
				Tranches::<T>::get(crate::Tranche::Junior),
				Tranches::<T>::get(crate::Tranche::Senior),
			];
			reads = reads.saturating_add(2);
			let mut dropped: Balance = Zero::zero();
			let mut merged: u64 = 0;
			UnstakeRequests::<T>::translate::<old::Requests<BlockNumberFor<T>>, _>(
				|tranche, _who, old| {
					reads.saturating_inc();
					writes.saturating_inc();
					let ledger = match tranche {
						crate::Tranche::Junior => ledgers[0],
						crate::Tranche::Senior => ledgers[1],
					};
					let mut current = old.iter().filter(|request| request.epoch == ledger.epoch);
					dropped = old
						.iter()
						.filter(|request| request.epoch != ledger.epoch)
						.fold(dropped, |sum, request| sum.saturating_add(request.shares));
					let first = current.next()?;
					let mut request = UnstakeRequest {
						id: first.id,
						epoch: first.epoch,
						shares: first.shares,
						value: Zero::zero(),
						unlock_at: first.unlock_at,
						expires_at: first.expires_at,
					};
					for other in current {
						merged.saturating_inc();
						request.shares = request.shares.saturating_add(other.shares);
						request.unlock_at = request.unlock_at.max(other.unlock_at);
						request.expires_at = request.expires_at.max(other.expires_at);
					}
					request.value = math::value_of(request.shares, ledger.assets, ledger.shares);
					Some(request)
				},
			);
			log::info!(
				target: LOG_TARGET,
				"migrated to v2: {merged} requests merged, {dropped:?} worthless shares of ended epochs dropped",
			);
			T::DbWeight::get().reads_writes(reads, writes)
		}

		#[cfg(feature = "try-runtime")]
		fn pre_upgrade() -> Result<Vec<u8>, sp_runtime::TryRuntimeError> {
			Ok(current_request_shares::<T>().encode())
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(state: Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
			let before: [Balance; 2] = Decode::decode(&mut &state[..])
				.map_err(|_| "cannot decode the pre-upgrade state")?;
			let mut after: [Balance; 2] = [0, 0];
			for (index, tranche) in crate::Tranche::ALL.into_iter().enumerate() {
				for (_, request) in UnstakeRequests::<T>::iter_prefix(tranche) {
					after[index] = after[index].saturating_add(request.shares);
				}
				Pallet::<T>::ensure_params_in_bounds(&Params::<T>::get(tranche))
					.map_err(|_| "tranche parameters out of bounds after the migration")?;
			}
			ensure!(before == after, "the migration changed the shares in unstake requests");
			Pallet::<T>::ensure_premium_valid(&Premium::<T>::get())
				.map_err(|_| "premium parameters invalid after the migration")?;
			Pallet::<T>::do_try_state()
		}
	}

	/// The shares in version-1 requests of each tranche's current epoch
	/// (junior, senior), read in the old layout.
	pub fn current_request_shares<T: Config>() -> [Balance; 2] {
		let mut shares: [Balance; 2] = [0, 0];
		for (index, tranche) in crate::Tranche::ALL.into_iter().enumerate() {
			let epoch = Tranches::<T>::get(tranche).epoch;
			for who in UnstakeRequests::<T>::iter_key_prefix(tranche) {
				let key = UnstakeRequests::<T>::hashed_key_for(tranche, &who);
				let requests: old::Requests<BlockNumberFor<T>> =
					frame_support::storage::unhashed::get(&key).unwrap_or_default();
				shares[index] = requests
					.iter()
					.filter(|request| request.epoch == epoch)
					.fold(shares[index], |sum, request| sum.saturating_add(request.shares));
			}
		}
		shares
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
