//! A like-for-like benchmark of polkadot-sdk's `pallet-oracle`, the yardstick
//! of the oracle aggregator.
//!
//! `pallet-oracle`'s own `feed_values(x)` benchmark registers one member, yet
//! every fed value makes it combine the raw values of *all* members
//! (`read_raw_values` reads one `RawValues` item per member). This benchmark
//! measures `feed_values` the way the aggregator's `feed(f, a)` is measured:
//! `f` members, each of which has already fed all `a` assets, and the caller
//! (one of them) feeding `a` fresh values, every one of which is then
//! combined over the `f` stored values.

use crate::{AccountId, Runtime};
use alloc::vec::Vec;
use backstop_primitives::{OracleAssetId, Price};
use frame_benchmarking::v2::*;
use frame_support::{
	traits::{Hooks, SortedMembers},
	BoundedVec,
};
use frame_system::RawOrigin;

/// The benchmarked pallet (the runtime's `ReferenceOracle`).
pub struct Pallet<T: Config>(core::marker::PhantomData<T>);

/// What the benchmark needs: `pallet-oracle` over the runtime's assets and
/// prices.
pub trait Config:
	pallet_oracle::Config<OracleKey = OracleAssetId, OracleValue = Price, AccountId = AccountId>
{
}

impl Config for Runtime {}

/// `a` distinct assets with prices.
fn values<T: Config>(a: u32, bump: u32) -> BoundedVec<(OracleAssetId, Price), T::MaxFeedValues> {
	let pairs: Vec<(OracleAssetId, Price)> = (0..a)
		.map(|i| (i, Price::from_u32(1_000u32.saturating_add(i).saturating_add(bump))))
		.collect();
	BoundedVec::truncate_from(pairs)
}

#[benchmarks]
mod benchmarks {
	use super::*;

	/// `feed_values` by one of `f` members, all of which hold a value for
	/// each of the `a` assets fed.
	#[benchmark]
	fn feed_values_with_members(f: Linear<3, 15>, a: Linear<1, 10>) -> Result<(), BenchmarkError> {
		let members: Vec<AccountId> = (0..f).map(|i| account("feeder", i, 0)).collect();
		for member in &members {
			<T as pallet_oracle::Config>::Members::add(member);
		}
		for member in &members {
			pallet_oracle::Pallet::<T>::feed_values(
				RawOrigin::Signed(member.clone()).into(),
				values::<T>(a, 0),
			)
			.map_err(|_| BenchmarkError::Stop("a member could not feed"))?;
		}
		// A new block: every member may feed again.
		let now = frame_system::Pallet::<T>::block_number();
		pallet_oracle::Pallet::<T>::on_finalize(now);
		frame_system::Pallet::<T>::set_block_number(now + 1u32.into());
		let caller = members[0].clone();
		let fresh = values::<T>(a, 1);

		#[block]
		{
			pallet_oracle::Pallet::<T>::feed_values(
				RawOrigin::Signed(caller.clone()).into(),
				fresh,
			)
			.map_err(|_| BenchmarkError::Stop("the caller could not feed"))?;
		}

		for asset in 0..a {
			let raw = pallet_oracle::Pallet::<T>::read_raw_values(&asset);
			if raw.len() != f as usize {
				return Err(BenchmarkError::Stop("not every member's value was combined"));
			}
		}
		Ok(())
	}
}
