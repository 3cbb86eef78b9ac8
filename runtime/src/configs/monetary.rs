//! The native token, transaction fees and the settlement stablecoin.

use crate::{
	AccountId, AssetId, Balance, Balances, Runtime, RuntimeEvent, RuntimeFreezeReason,
	RuntimeHoldReason, System, EXISTENTIAL_DEPOSIT, MILLI_UNITS, UNITS,
};
use frame_support::{
	parameter_types,
	traits::{AsEnsureOriginWithArg, ConstU128, ConstU32, ConstU8, VariantCountOf},
	weights::{ConstantMultiplier, IdentityFee},
};
use frame_system::{EnsureRoot, EnsureSigned};
use pallet_transaction_payment::{FungibleAdapter, Multiplier, TargetedFeeAdjustment};
use sp_runtime::{traits::Bounded, FixedPointNumber, Perquintill};

impl pallet_balances::Config for Runtime {
	type MaxLocks = ConstU32<50>;
	type MaxReserves = ConstU32<50>;
	type ReserveIdentifier = [u8; 8];
	type Balance = Balance;
	type RuntimeEvent = RuntimeEvent;
	type DustRemoval = ();
	type ExistentialDeposit = ConstU128<EXISTENTIAL_DEPOSIT>;
	type AccountStore = System;
	type WeightInfo = pallet_balances::weights::SubstrateWeight<Runtime>;
	type FreezeIdentifier = RuntimeFreezeReason;
	type MaxFreezes = VariantCountOf<RuntimeFreezeReason>;
	type RuntimeHoldReason = RuntimeHoldReason;
	type RuntimeFreezeReason = RuntimeFreezeReason;
	type DoneSlashHandler = ();
}

parameter_types! {
	/// Blocks are kept a quarter full at steady state.
	pub const TargetBlockFullness: Perquintill = Perquintill::from_percent(25);
	/// How fast the fee multiplier reacts to congestion.
	pub AdjustmentVariable: Multiplier = Multiplier::saturating_from_rational(3, 100_000);
	/// Fees never fall below a billionth of their nominal level.
	pub MinimumMultiplier: Multiplier = Multiplier::saturating_from_rational(1, 1_000_000_000u128);
	pub MaximumMultiplier: Multiplier = Bounded::max_value();
}

/// Fees are paid in the native token. Each unit of `ref_time` weight costs one
/// plank, each byte of a transaction a hundred-thousandth of a token, and the
/// multiplier follows congestion. Fees are burned.
impl pallet_transaction_payment::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type OnChargeTransaction = FungibleAdapter<Balances, ()>;
	type OperationalFeeMultiplier = ConstU8<5>;
	type WeightToFee = IdentityFee<Balance>;
	type LengthToFee = ConstantMultiplier<Balance, ConstU128<{ MILLI_UNITS / 100 }>>;
	type FeeMultiplierUpdate = TargetedFeeAdjustment<
		Self,
		TargetBlockFullness,
		AdjustmentVariable,
		MinimumMultiplier,
		MaximumMultiplier,
	>;
	type WeightInfo = pallet_transaction_payment::weights::SubstrateWeight<Runtime>;
}

parameter_types! {
	pub const AssetDeposit: Balance = 10 * UNITS;
	pub const AssetAccountDeposit: Balance = MILLI_UNITS;
	pub const MetadataDepositBase: Balance = UNITS;
	pub const MetadataDepositPerByte: Balance = 10 * MILLI_UNITS;
	pub const ApprovalDeposit: Balance = MILLI_UNITS;
}

/// `pallet-assets` holds the settlement stablecoin (created at genesis with id
/// [`crate::SETTLEMENT_ASSET_ID`], 6 decimals). Anyone may create further
/// assets against a deposit in the native token; Root may force-manage them.
impl pallet_assets::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type Balance = Balance;
	type RemoveItemsLimit = ConstU32<1000>;
	type AssetId = AssetId;
	type AssetIdParameter = codec::Compact<AssetId>;
	type ReserveData = ();
	type Currency = Balances;
	type CreateOrigin = AsEnsureOriginWithArg<EnsureSigned<AccountId>>;
	type ForceOrigin = EnsureRoot<AccountId>;
	type AssetDeposit = AssetDeposit;
	type AssetAccountDeposit = AssetAccountDeposit;
	type MetadataDepositBase = MetadataDepositBase;
	type MetadataDepositPerByte = MetadataDepositPerByte;
	type ApprovalDeposit = ApprovalDeposit;
	type StringLimit = ConstU32<50>;
	type Freezer = ();
	type Holder = ();
	type Extra = ();
	type CallbackHandle = ();
	type AssetIdAllocator = ();
	type WeightInfo = pallet_assets::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = ();
}

parameter_types! {
	/// The keyless account that owns the settlement stablecoin.
	pub const SettlementAuthorityPalletId: frame_support::PalletId =
		frame_support::PalletId(*b"bk/settl");
}

/// The owner, issuer, admin and freezer of the settlement stablecoin: an
/// account without a key, derived from [`SettlementAuthorityPalletId`]. Only
/// Root can dispatch as it, so the settlement supply and every holder's
/// balance change only through the pallets' rules or governance.
pub fn settlement_authority() -> AccountId {
	use sp_runtime::traits::AccountIdConversion;
	SettlementAuthorityPalletId::get().into_account_truncating()
}

/// The highest priority a signed transaction can buy with its tip (or, for an
/// operational call, with its fee). It is a quarter of the priority range and
/// so strictly below [`super::backstop::OracleFeedPriority`]: however high the
/// tip, an authorized oracle feed is ordered first.
pub const MAX_TIP_PRIORITY: sp_runtime::transaction_validity::TransactionPriority =
	sp_runtime::transaction_validity::TransactionPriority::MAX / 4;

/// `pallet-transaction-payment`'s `ChargeTransactionPayment` with its priority
/// capped at [`MAX_TIP_PRIORITY`].
///
/// The pallet sets priority to `(tip + 1) × transactions per block`, so a
/// tip of a few thousand tokens reaches any fixed priority. Feeds must stay
/// ahead of tipped spam in a crash, so the cap is applied here; fees, tips,
/// refunds and events are the pallet's own. The wrapper encodes exactly as
/// the pallet's extension and reports the same identifier and type in the
/// metadata, so wallets (polkadot.js) build transactions unchanged.
#[derive(
	codec::Encode, codec::Decode, codec::DecodeWithMemTracking, Clone, Eq, PartialEq, Debug,
)]
pub struct ChargeTransactionPaymentCapped(
	pub pallet_transaction_payment::ChargeTransactionPayment<Runtime>,
);

impl ChargeTransactionPaymentCapped {
	/// The extension paying `tip` on top of the fee.
	pub fn from_tip(tip: Balance) -> Self {
		Self(pallet_transaction_payment::ChargeTransactionPayment::from(tip))
	}
}

impl scale_info::TypeInfo for ChargeTransactionPaymentCapped {
	type Identity = pallet_transaction_payment::ChargeTransactionPayment<Runtime>;
	fn type_info() -> scale_info::Type {
		<pallet_transaction_payment::ChargeTransactionPayment<Runtime> as scale_info::TypeInfo>::type_info()
	}
}

type InnerPayment = pallet_transaction_payment::ChargeTransactionPayment<Runtime>;
type Call = crate::RuntimeCall;

impl sp_runtime::traits::TransactionExtension<Call> for ChargeTransactionPaymentCapped {
	const IDENTIFIER: &'static str =
		<InnerPayment as sp_runtime::traits::TransactionExtension<Call>>::IDENTIFIER;
	type Implicit = ();
	type Val = <InnerPayment as sp_runtime::traits::TransactionExtension<Call>>::Val;
	type Pre = <InnerPayment as sp_runtime::traits::TransactionExtension<Call>>::Pre;

	fn weight(&self, call: &Call) -> frame_support::weights::Weight {
		sp_runtime::traits::TransactionExtension::<Call>::weight(&self.0, call)
	}

	fn validate(
		&self,
		origin: crate::RuntimeOrigin,
		call: &Call,
		info: &sp_runtime::traits::DispatchInfoOf<Call>,
		len: usize,
		self_implicit: (),
		inherited_implication: &impl sp_runtime::traits::Implication,
		source: sp_runtime::transaction_validity::TransactionSource,
	) -> sp_runtime::traits::ValidateResult<Self::Val, Call> {
		let (mut valid, val, origin) = sp_runtime::traits::TransactionExtension::<Call>::validate(
			&self.0,
			origin,
			call,
			info,
			len,
			self_implicit,
			inherited_implication,
			source,
		)?;
		valid.priority = valid.priority.min(MAX_TIP_PRIORITY);
		Ok((valid, val, origin))
	}

	fn prepare(
		self,
		val: Self::Val,
		origin: &crate::RuntimeOrigin,
		call: &Call,
		info: &sp_runtime::traits::DispatchInfoOf<Call>,
		len: usize,
	) -> Result<Self::Pre, sp_runtime::transaction_validity::TransactionValidityError> {
		sp_runtime::traits::TransactionExtension::<Call>::prepare(
			self.0, val, origin, call, info, len,
		)
	}

	fn post_dispatch_details(
		pre: Self::Pre,
		info: &sp_runtime::traits::DispatchInfoOf<Call>,
		post_info: &sp_runtime::traits::PostDispatchInfoOf<Call>,
		len: usize,
		result: &sp_runtime::DispatchResult,
	) -> Result<
		frame_support::weights::Weight,
		sp_runtime::transaction_validity::TransactionValidityError,
	> {
		<InnerPayment as sp_runtime::traits::TransactionExtension<Call>>::post_dispatch_details(
			pre, info, post_info, len, result,
		)
	}
}
