//! Runtime API of the Backstop oracle aggregator (`pallet-oracle-aggregator`).
//!
//! The node and polkadot.js read, per registered asset, the last aggregate with its EMA
//! (mark price), confidence and age, and the status a consumer pallet would see right now
//! through `PriceProvider::price`: live, stale, held by the circuit breaker, frozen by
//! governance (with the time the freeze expires), or never priced.
//!
//! Times are milliseconds on the clock of the pallet's `Config::Time` (the timestamp
//! pallet: Unix time in milliseconds); ages in blocks are also given.
//!
//! This crate only declares the API and its record types; the runtime implements it with
//! `pallet_oracle_aggregator::Pallet::<Runtime>::price_status` and
//! `pallet_oracle_aggregator::Pallet::<Runtime>::all_price_statuses`.

#![cfg_attr(not(feature = "std"), no_std)]
#![deny(missing_docs)]

extern crate alloc;

use alloc::vec::Vec;
use backstop_primitives::{OracleAssetId, Price, PriceInfo};
use codec::{Codec, Decode, Encode};
use scale_info::TypeInfo;

/// What a consumer of `PriceProvider` gets for an asset at this block.
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, Debug, TypeInfo)]
pub enum PriceStatus {
	/// A usable aggregate: enough fresh feeds, every value it came from still fresh, no hold.
	Live,
	/// Too few fresh feeds, or a value the last aggregate came from has aged out: no price is
	/// served until fresh feeds arrive.
	Stale,
	/// A jump beyond the allowed move is waiting for confirmation (circuit breaker).
	Held,
	/// Governance has frozen the price; the frozen value is served (flagged `frozen`) until
	/// the freeze expires (`frozen_until_ms`) or is lifted.
	Frozen,
	/// The asset is registered but has never had an aggregate.
	NoPrice,
}

/// The state of one asset's price, as returned by [`OracleApi`].
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo)]
pub struct AssetPriceStatus<BlockNumber> {
	/// The oracle asset.
	pub asset: OracleAssetId,
	/// What a consumer gets right now.
	pub status: PriceStatus,
	/// The last accepted aggregate (price, EMA, confidence, block it was computed in), shown
	/// even when it is not usable; when frozen, the frozen price (`frozen: true`). `None` if
	/// the asset has never been priced.
	pub info: Option<PriceInfo<BlockNumber>>,
	/// Blocks elapsed since `info.updated_at`.
	pub age: Option<BlockNumber>,
	/// Milliseconds elapsed since the aggregate was computed (when frozen: since the freeze
	/// was set or renewed).
	pub age_ms: Option<u64>,
	/// When the last aggregate stops being served because its oldest value ages out (ms).
	pub stale_at_ms: Option<u64>,
	/// Stored feeds that are fresh at this block.
	pub fresh_feeds: u32,
	/// Fresh feeds the asset needs for an aggregate (its `min_feeders` setting).
	pub min_feeders: u32,
	/// The candidate price the circuit breaker is holding, if any.
	pub held_price: Option<Price>,
	/// When the hold started (ms), if any.
	pub held_since_ms: Option<u64>,
	/// When the freeze in force expires (ms), unless renewed; `None` when not frozen.
	pub frozen_until_ms: Option<u64>,
}

sp_api::decl_runtime_apis! {
	/// Read access to the oracle aggregator's prices.
	pub trait OracleApi<BlockNumber> where BlockNumber: Codec {
		/// The status of `asset`, or `None` if the asset is not registered.
		fn price(asset: OracleAssetId) -> Option<AssetPriceStatus<BlockNumber>>;
		/// The status of every registered asset, ordered by asset id.
		fn all_prices() -> Vec<AssetPriceStatus<BlockNumber>>;
	}
}
