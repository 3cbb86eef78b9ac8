//! The custom origins of the referenda tracks (other than Root).
//!
//! A referendum on the `risk` track dispatches its call with the origin
//! [`pallet::Origin::RiskAdmin`]; [`RiskTrack`] is the `EnsureOrigin` that
//! accepts it. The pallet has no calls and no storage: it only declares the
//! origin so that it is part of `RuntimeOrigin`.

pub use pallet::*;

#[frame_support::pallet]
pub mod pallet {
	use frame_support::pallet_prelude::*;

	#[pallet::config]
	pub trait Config: frame_system::Config {}

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	/// The origins a referendum track can dispatch with, beyond Root.
	#[derive(
		PartialEq,
		Eq,
		Clone,
		Copy,
		MaxEncodedLen,
		Encode,
		Decode,
		DecodeWithMemTracking,
		TypeInfo,
		Debug,
	)]
	#[pallet::origin]
	pub enum Origin {
		/// A referendum passed on the `risk` track: it may change every risk
		/// parameter within its hard range, maximum step and minimum
		/// interval.
		RiskAdmin,
	}
}

/// Accepts only the origin of a passed `risk`-track referendum.
pub struct RiskTrack;

impl frame_support::traits::EnsureOrigin<crate::RuntimeOrigin> for RiskTrack {
	type Success = ();

	fn try_origin(o: crate::RuntimeOrigin) -> Result<(), crate::RuntimeOrigin> {
		use frame_support::traits::OriginTrait;
		match o.caller() {
			crate::OriginCaller::Origins(Origin::RiskAdmin) => Ok(()),
			_ => Err(o),
		}
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn try_successful_origin() -> Result<crate::RuntimeOrigin, ()> {
		Ok(Origin::RiskAdmin.into())
	}
}
