//! The validator manager: hands the governed validator set (the
//! `ValidatorSet` membership, changed by the root track) to the session
//! pallet, and rotates sessions at a weight it declares honestly.
//!
//! `pallet-session` rotates from its own `on_initialize` and then claims the
//! whole block's weight, whatever the rotation cost: in that block no
//! keeper's liquidation fits and the margin pallet's idle sweep gets no
//! weight. In a crash that is a block of stalled liquidations at every
//! session boundary. So the session pallet is told never to end a session
//! itself (`ShouldEndSession` is [`Never`]), and this pallet rotates at the
//! same period from its own `on_initialize`, declaring the rotation's
//! benchmarked weight for [`MaxAuthorities`] validators (the worst case: the
//! whole set replaced), so the rest of the block stays usable.

pub use pallet::*;

pub use super::validator_weights::WeightInfo;
use crate::configs::consensus::MaxAuthorities;

/// A `ShouldEndSession` that never ends a session: [`Pallet`] rotates.
pub struct Never;

impl<B> pallet_session::ShouldEndSession<B> for Never {
	fn should_end_session(_now: B) -> bool {
		false
	}
}

#[frame_support::pallet]
pub mod pallet {
	use super::{MaxAuthorities, WeightInfo};
	use frame_support::pallet_prelude::*;
	use frame_system::pallet_prelude::*;
	use sp_runtime::traits::Zero;

	#[pallet::config]
	pub trait Config: frame_system::Config + pallet_session::Config {
		/// Blocks per session.
		#[pallet::constant]
		type SessionPeriod: Get<BlockNumberFor<Self>>;
		/// The measured weight of a rotation.
		type WeightInfo: WeightInfo;
	}

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_initialize(now: BlockNumberFor<T>) -> Weight {
			let period = T::SessionPeriod::get();
			if !period.is_zero() && !now.is_zero() && (now % period).is_zero() {
				pallet_session::Pallet::<T>::rotate_session();
				<T as Config>::WeightInfo::rotate_session(<MaxAuthorities as Get<u32>>::get())
			} else {
				// `now % period`: no storage read.
				Weight::zero()
			}
		}

		fn integrity_test() {
			assert!(!T::SessionPeriod::get().is_zero(), "a session lasts at least one block");
			let limit = <T as frame_system::Config>::BlockWeights::get().max_block;
			let rotation =
				<T as Config>::WeightInfo::rotate_session(<MaxAuthorities as Get<u32>>::get());
			assert!(
				rotation.saturating_mul(10).all_lte(limit),
				"a rotation takes at most a tenth of a block"
			);
		}
	}
}

/// The benchmark of a session rotation (`WeightInfo::rotate_session`).
#[cfg(feature = "runtime-benchmarks")]
pub mod benchmarking {
	use super::pallet::{Config, Pallet};
	use crate::{opaque::SessionKeys, AccountId, Runtime};
	use alloc::vec::Vec;
	use frame_benchmarking::v2::*;
	use frame_support::{traits::Hooks, BoundedVec};
	use sp_core::{ed25519, sr25519};

	/// `n` validators with distinct session keys, `set` telling sets apart.
	fn validators(n: u32, set: u8) -> Vec<AccountId> {
		let mut out: Vec<AccountId> = (0..n)
			.map(|i| {
				let who: AccountId = account("validator", i, u32::from(set));
				let mut raw = [set; 32];
				raw[..4].copy_from_slice(&i.to_le_bytes());
				let keys = SessionKeys {
					aura: sr25519::Public::from_raw(raw).into(),
					grandpa: ed25519::Public::from_raw(raw).into(),
				};
				pallet_session::NextKeys::<Runtime>::insert(&who, keys);
				who
			})
			.collect();
		out.sort();
		out
	}

	fn govern(members: Vec<AccountId>) {
		pallet_membership::Members::<Runtime, pallet_membership::Instance2>::put(
			BoundedVec::truncate_from(members),
		);
	}

	#[benchmarks(where T: Config)]
	mod benchmarks {
		use super::*;

		/// A rotation in which the `n` validators queued at the last boundary
		/// take over (Aura and GRANDPA change their authorities) and `n`
		/// others are queued: the whole set changes at once.
		#[benchmark]
		fn rotate_session(n: Linear<1, 32>) {
			govern(validators(n, 1));
			pallet_session::Pallet::<Runtime>::rotate_session();
			govern(validators(n, 2));
			let period = <Runtime as Config>::SessionPeriod::get();
			#[block]
			{
				Pallet::<Runtime>::on_initialize(period);
			}
			assert_eq!(pallet_session::Validators::<Runtime>::get().len(), n as usize);
			assert!(pallet_session::QueuedChanged::<Runtime>::get());
		}
	}
}
