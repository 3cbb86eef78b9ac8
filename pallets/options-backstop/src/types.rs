//! Types of the options backstop: the vault ledger, underwriters, series
//! templates and listed series, and the governed parameters.

use backstop_primitives::{Balance, OracleAssetId, Price};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_runtime::{FixedI128, FixedU128, Permill};

pub use pallet_options_backstop_runtime_api::{
	ProtectionInfo, Quote, SeriesId, SeriesView, TemplateId, UnderwriterView, VaultView,
};

/// The underwriters' vault.
///
/// `cash` is what the pallet account holds for the underwriters (the
/// existential buffer and unsolicited transfers excluded): their deposits
/// and the premiums earned, less payouts and withdrawals. `locked` is the
/// part of it that collateralizes the open put spreads at their maximum
/// payout; underwriters can only withdraw `cash − locked`.
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
pub struct VaultState {
	/// The vault's cash, in the settlement asset's smallest unit.
	pub cash: Balance,
	/// Shares in issue.
	pub shares: Balance,
	/// Collateral locked for open put spreads (the sum of the series'
	/// `collateral`).
	pub locked: Balance,
}

/// A pending withdrawal request of an underwriter.
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
pub struct WithdrawRequest<BlockNumber> {
	/// The shares requested (still exposed to the vault's profit and loss).
	pub shares: Balance,
	/// The block of the request (of its last top-up).
	pub requested_at: BlockNumber,
	/// The net asset value per share at the request, rounded down: the
	/// payout is at most this.
	pub share_price: FixedU128,
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
pub struct Underwriter<BlockNumber> {
	/// Shares held, requested ones included.
	pub shares: Balance,
	/// The pending withdrawal request, if any (one at a time; a second
	/// request tops it up at the lower price and restarts its delay).
	pub request: Option<WithdrawRequest<BlockNumber>>,
}

/// A governed rule that lists a rolling series of put spreads on one asset.
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
	serde::Serialize,
	serde::Deserialize,
)]
pub struct Template<BlockNumber> {
	/// The oracle asset the puts are written on.
	pub asset: OracleAssetId,
	/// The long strike `K₁` as a fraction of the price at listing (80%).
	pub upper_moneyness: Permill,
	/// The short strike `K₂` as a fraction of the price at listing (60%);
	/// below `upper_moneyness` and above zero.
	pub lower_moneyness: Permill,
	/// Blocks from listing to expiry.
	pub tenor: BlockNumber,
	/// The payout the purchase policy aims the fund's open positions on this
	/// asset to have at the policy's stress drop (zero: the policy buys none).
	pub target_payout: Balance,
}

/// A listed series: a European put spread `K₁/K₂` on one asset, cash-settled
/// at expiry into the insurance fund.
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
pub struct Series<BlockNumber> {
	/// The template that listed it.
	pub template: TemplateId,
	/// The oracle asset.
	pub asset: OracleAssetId,
	/// The long strike `K₁`.
	pub strike_high: Price,
	/// The short strike `K₂ < K₁`.
	pub strike_low: Price,
	/// The block it was listed in.
	pub listed_at: BlockNumber,
	/// The block it expires in (settleable from then on).
	pub expiry: BlockNumber,
	/// Spreads the fund holds, in millionths of the base asset.
	pub open: u128,
	/// Collateral locked for them: `open × (K₁ − K₂)`, rounded up.
	pub collateral: Balance,
	/// Premiums the fund paid for them.
	pub premiums: Balance,
	/// The sum of the EMA samples (inner values) taken during the
	/// settlement window.
	pub twap_sum: u128,
	/// The number of those samples.
	pub twap_samples: u32,
}

/// The governed pricing parameters.
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
	serde::Serialize,
	serde::Deserialize,
)]
pub struct PricingParams {
	/// The lowest base volatility (yearly): the floor of the oracle proxy.
	pub vol_floor: FixedU128,
	/// The highest base volatility (yearly): the cap of the oracle proxy.
	pub vol_cap: FixedU128,
	/// Converts the oracle's dispersion (`confidence + |spot − EMA| / EMA`)
	/// into a yearly volatility.
	pub vol_scale: FixedU128,
	/// The volatility added at full utilization of the vault's cash (Lyra's
	/// IV impact), linear in the utilization after the trade.
	pub utilization_slope: FixedU128,
	/// The probability the pricing assigns to the backstop trigger (the fund
	/// below its floor) during a series' life: it scales the early-exercise
	/// premium.
	pub trigger_probability: Permill,
}

impl Default for PricingParams {
	fn default() -> Self {
		Self {
			vol_floor: FixedU128::from_rational(30, 100),
			vol_cap: FixedU128::from_u32(3),
			vol_scale: FixedU128::from_u32(10),
			utilization_slope: FixedU128::from_rational(20, 100),
			trigger_probability: Permill::from_percent(5),
		}
	}
}

/// One point of the skew curve: the implied-volatility multiplier at a
/// log-moneyness `ln(K/S)`.
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
	serde::Serialize,
	serde::Deserialize,
)]
pub struct SkewPoint {
	/// `ln(K / S)`: negative for out-of-the-money puts.
	pub log_moneyness: FixedI128,
	/// The multiplier of the base volatility there (positive).
	pub multiplier: FixedU128,
}

/// The governed purchase policy of the insurance fund.
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
	serde::Serialize,
	serde::Deserialize,
)]
pub struct PurchasePolicy<BlockNumber> {
	/// Whether the keeper call buys at all.
	pub enabled: bool,
	/// The share of the fund's fee income of the current period it may spend
	/// on premiums.
	pub budget_share: Permill,
	/// The most premium per period, whatever the income.
	pub max_premium_per_period: Balance,
	/// The length of a budget period in blocks (not zero).
	pub period: BlockNumber,
	/// The fall of the asset's price at which the targets are measured
	/// ("payout if the asset falls X%").
	pub stress_drop: Permill,
}

/// The budget of the current period.
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
pub struct BudgetState<BlockNumber> {
	/// The first block of the period.
	pub period_start: BlockNumber,
	/// The fund's cumulative fee income when the period began.
	pub income_at_start: Balance,
	/// Premium the policy spent in the period.
	pub spent: Balance,
}

/// The governed parameters of the vault.
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
	serde::Serialize,
	serde::Deserialize,
)]
pub struct VaultParams<BlockNumber> {
	/// The smallest deposit.
	pub min_deposit: Balance,
	/// Blocks between a withdrawal request and the first block it can be
	/// withdrawn in (not zero).
	pub withdraw_delay: BlockNumber,
	/// Blocks, from the end of the delay, during which it can be withdrawn
	/// (not zero).
	pub withdraw_window: BlockNumber,
}

/// A governed parameter, for the interval between two changes.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
)]
pub enum ParamKey {
	/// `PricingParams::vol_floor`.
	VolFloor,
	/// `PricingParams::vol_cap`.
	VolCap,
	/// `PricingParams::vol_scale`.
	VolScale,
	/// `PricingParams::utilization_slope`.
	UtilizationSlope,
	/// `PricingParams::trigger_probability`.
	TriggerProbability,
	/// The skew curve.
	Skew,
	/// The purchase policy.
	Policy,
	/// `VaultParams::min_deposit`.
	MinDeposit,
	/// `VaultParams::withdraw_delay`.
	WithdrawDelay,
	/// `VaultParams::withdraw_window`.
	WithdrawWindow,
}
