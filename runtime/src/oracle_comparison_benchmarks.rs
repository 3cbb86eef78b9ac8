//! A like-for-like comparison of the oracle aggregator with polkadot-sdk's
//! `pallet-oracle` (the runtime's `ReferenceOracle`).
//!
//! `pallet-oracle`'s own `feed_values(x)` benchmark registers one member, yet
//! every fed value makes it combine the raw values of *all* members
//! (`read_raw_values` reads one `RawValues` item per member). Here both
//! oracles are measured the same way, at a fixed number of assets `a` per
//! feed (1 or 10) and with one component, the number of feeders
//! `f ∈ [3, 15]`, so that each point of the grid f × a is measured rather
//! than extrapolated from a two-component fit:
//! * `aggregator_feed_a{1,10}(f)`: the aggregator's `feed` in its worst case
//!   (the pallet's own `feed` benchmark setup: a held move completed into a
//!   fast-path supermajority over `f` fresh values);
//! * `reference_feed_values_a{1,10}(f)`: `pallet-oracle`'s `feed_values` by
//!   one of `f` members, every one of which already holds a value for each
//!   of the `a` assets, so that each fed value is combined over `f` values.

use crate::{AccountId, Runtime};
use alloc::vec::Vec;
use backstop_primitives::{OracleAssetId, Price};
use frame_benchmarking::v2::*;
use frame_support::{
	traits::{Hooks, SortedMembers},
	BoundedVec,
};
use frame_system::RawOrigin;
use pallet_oracle_aggregator::benchmarking::{assert_fast_path, feeder, worst_case_feed};

/// The benchmarked "pallet": both oracles of the runtime.
pub struct Pallet<T: Config>(core::marker::PhantomData<T>);

/// What the comparison needs: both oracles over the runtime's assets and
/// prices.
pub trait Config:
	pallet_oracle::Config<OracleKey = OracleAssetId, OracleValue = Price, AccountId = AccountId>
	+ pallet_oracle_aggregator::Config
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

/// `f` members of `pallet-oracle` that have each fed all `a` assets, in a
/// new block; returns the one that feeds next.
fn reference_members_fed<T: Config>(f: u32, a: u32) -> Result<AccountId, BenchmarkError> {
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
	members.first().cloned().ok_or(BenchmarkError::Stop("no member"))
}

/// Every one of the `a` assets was combined over `f` values.
fn assert_combined<T: Config>(f: u32, a: u32) -> Result<(), BenchmarkError> {
	for asset in 0..a {
		if pallet_oracle::Pallet::<T>::read_raw_values(&asset).len() != f as usize {
			return Err(BenchmarkError::Stop("not every member's value was combined"));
		}
	}
	Ok(())
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn aggregator_feed_a1(f: Linear<3, 15>) -> Result<(), BenchmarkError> {
		let (assets, batch) = worst_case_feed::<T>(f, 1)?;
		let caller = feeder::<T>(0);
		#[block]
		{
			pallet_oracle_aggregator::Pallet::<T>::feed(RawOrigin::Signed(caller).into(), batch)
				.map_err(|_| BenchmarkError::Stop("the feed failed"))?;
		}
		assert_fast_path::<T>(&assets, f)
	}

	#[benchmark]
	fn aggregator_feed_a10(f: Linear<3, 15>) -> Result<(), BenchmarkError> {
		let (assets, batch) = worst_case_feed::<T>(f, 10)?;
		let caller = feeder::<T>(0);
		#[block]
		{
			pallet_oracle_aggregator::Pallet::<T>::feed(RawOrigin::Signed(caller).into(), batch)
				.map_err(|_| BenchmarkError::Stop("the feed failed"))?;
		}
		assert_fast_path::<T>(&assets, f)
	}

	#[benchmark]
	fn reference_feed_values_a1(f: Linear<3, 15>) -> Result<(), BenchmarkError> {
		let caller = reference_members_fed::<T>(f, 1)?;
		let fresh = values::<T>(1, 1);
		#[block]
		{
			pallet_oracle::Pallet::<T>::feed_values(RawOrigin::Signed(caller).into(), fresh)
				.map_err(|_| BenchmarkError::Stop("the caller could not feed"))?;
		}
		assert_combined::<T>(f, 1)
	}

	#[benchmark]
	fn reference_feed_values_a10(f: Linear<3, 15>) -> Result<(), BenchmarkError> {
		let caller = reference_members_fed::<T>(f, 10)?;
		let fresh = values::<T>(10, 1);
		#[block]
		{
			pallet_oracle::Pallet::<T>::feed_values(RawOrigin::Signed(caller).into(), fresh)
				.map_err(|_| BenchmarkError::Stop("the caller could not feed"))?;
		}
		assert_combined::<T>(f, 10)
	}
}
