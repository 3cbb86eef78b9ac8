//! Runtime API of the Backstop options backstop: quotes, the underwriters'
//! vault, the listed series and the insurance fund's protection, for the
//! node and for polkadot.js (`api.call.optionsBackstopApi.*`).
//!
//! This crate also defines the types the API speaks in, so that it does not
//! depend on the pallet; `pallet-options-backstop` re-exports them. The
//! runtime implements each method with the pallet helper of the same name
//! (`Pallet::<Runtime>::quote`, ...).

#![cfg_attr(not(feature = "std"), no_std)]
#![deny(missing_docs)]

extern crate alloc;

use alloc::vec::Vec;
use backstop_primitives::{Balance, OracleAssetId, Price};
use codec::{Codec, Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_arithmetic::{FixedU128, Perbill};

/// Identifies a listed series.
pub type SeriesId = u32;

/// Identifies a series template (a listing rule).
pub type TemplateId = u32;

/// The price of a put spread.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Default,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
pub struct Quote {
	/// The premium for the size, rounded up, in the settlement asset's
	/// smallest unit.
	pub premium: Balance,
	/// The premium per whole base unit (European value plus early-exercise
	/// premium), in price units.
	pub unit_premium: FixedU128,
	/// The early-exercise part of `unit_premium`.
	pub unit_early_exercise: FixedU128,
	/// The base volatility (the oracle proxy, floored and capped).
	pub base_vol: FixedU128,
	/// The implied volatility of the long (upper) strike.
	pub iv_high: FixedU128,
	/// The implied volatility of the short (lower) strike (zero without one).
	pub iv_low: FixedU128,
	/// The collateral the size needs: `size × (K₁ − K₂)`, rounded up.
	pub collateral: Balance,
	/// The vault's utilization after the trade.
	pub utilization: Perbill,
}

/// The underwriters' vault.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Default,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
pub struct VaultView {
	/// The vault's cash.
	pub assets: Balance,
	/// Shares in issue.
	pub shares: Balance,
	/// Cash minus the value of the open put spreads; `None` while a price is
	/// unavailable.
	pub nav: Option<Balance>,
	/// Net asset value per share (rounded down); `None` while unavailable.
	pub share_price: Option<FixedU128>,
	/// Collateral locked for open spreads.
	pub collateral_used: Balance,
	/// `collateral_used / assets`.
	pub utilization: Perbill,
}

/// An underwriter's position.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Default,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
pub struct UnderwriterView {
	/// Shares held, requested ones included.
	pub shares: Balance,
	/// Their value at today's net asset value, rounded down.
	pub value: Balance,
	/// Shares under a withdrawal request.
	pub requested: Balance,
	/// The first block the request can be withdrawn in.
	pub unlocks_at: Option<u32>,
	/// The first block the request has lapsed in.
	pub lapses_at: Option<u32>,
}

/// A listed series and the fund's position in it.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
pub struct SeriesView {
	/// The series.
	pub id: SeriesId,
	/// The template that listed it.
	pub template: TemplateId,
	/// The oracle asset.
	pub asset: OracleAssetId,
	/// The long strike.
	pub strike_high: Price,
	/// The short strike.
	pub strike_low: Price,
	/// The expiry block.
	pub expiry: u32,
	/// Spreads the fund holds, in millionths of the base asset.
	pub open: u128,
	/// Collateral locked for them.
	pub collateral: Balance,
	/// Premiums paid for them.
	pub premiums: Balance,
	/// Their value now (what the vault's net asset value deducts); `None`
	/// while the price is unavailable.
	pub value: Option<Balance>,
}

/// The fund's protection on one asset: what its open spreads would pay if
/// the asset fell by 10%, 30% and 50% from its EMA now (at expiry).
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Default,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
pub struct ProtectionInfo {
	/// The payout at a 10% fall.
	pub payout_at_10: Balance,
	/// The payout at a 30% fall.
	pub payout_at_30: Balance,
	/// The payout at a 50% fall.
	pub payout_at_50: Balance,
	/// The most the open spreads can pay.
	pub max_payout: Balance,
}

sp_api::decl_runtime_apis! {
	/// Read access to the options backstop.
	pub trait OptionsBackstopApi<AccountId>
	where
		AccountId: Codec,
	{
		/// A quote for a put spread `strike_high/strike_low` (a zero
		/// `strike_low` is a plain put) on `asset` expiring at block
		/// `expiry`, for `size` millionths of the base asset; `None` while the
		/// price is unavailable or the terms are invalid.
		fn quote(
			asset: OracleAssetId,
			strike_high: Price,
			strike_low: Price,
			expiry: u32,
			size: u128,
		) -> Option<Quote>;

		/// The vault.
		fn vault() -> VaultView;

		/// The position of `who`.
		fn underwriter(who: AccountId) -> UnderwriterView;

		/// Every listed series (open or awaiting settlement), by id.
		fn series() -> Vec<SeriesView>;

		/// The fund's protection on `asset`; `None` while its price is
		/// unavailable.
		fn protection(asset: OracleAssetId) -> Option<ProtectionInfo>;
	}
}
