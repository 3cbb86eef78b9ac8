//! # Backstop runtime
//!
//! The solochain runtime of Backstop: Aura block production, GRANDPA
//! finality following a governed validator set (sessions), OpenGov
//! referenda and a risk council, the native token for fees and governance, and the settlement
//! stablecoin held in `pallet-assets`. Pallet configuration lives in
//! [`configs`], grouped by domain; runtime API implementations in `apis`;
//! genesis presets in [`genesis_config_presets`].

#![cfg_attr(not(feature = "std"), no_std)]
// `construct_runtime`/`impl_runtime_apis` expand to deeply nested types.
#![recursion_limit = "256"]

#[cfg(feature = "std")]
include!(concat!(env!("OUT_DIR"), "/wasm_binary.rs"));

extern crate alloc;

// `benchmarks` defines the `list_benchmarks!`/`add_benchmarks!` macros that
// `apis` uses, so it must come first.
#[cfg(feature = "runtime-benchmarks")]
#[macro_use]
mod benchmarks;
mod apis;
pub mod configs;
pub mod genesis_config_presets;
pub mod governance_api;
#[cfg(feature = "runtime-benchmarks")]
mod oracle_comparison_benchmarks;
pub mod weights;

use alloc::vec::Vec;
use sp_runtime::{
	generic, impl_opaque_keys,
	traits::{BlakeTwo256, IdentifyAccount, Verify},
	MultiAddress, MultiSignature,
};
use sp_version::RuntimeVersion;

pub use backstop_primitives::units::{CENTS, DOLLARS, MILLI_UNITS, UNITS};
pub use frame_system::Call as SystemCall;
pub use pallet_balances::Call as BalancesCall;
pub use pallet_timestamp::Call as TimestampCall;
#[cfg(any(feature = "std", test))]
pub use sp_runtime::BuildStorage;

pub use apis::{RuntimeApi, RUNTIME_API_VERSIONS};

/// An index to a block.
pub type BlockNumber = u32;

/// The signature scheme of transactions (sr25519, ed25519 or ecdsa).
pub type Signature = MultiSignature;

/// An account on the chain: the public key of its signing scheme.
pub type AccountId = <<Signature as Verify>::Signer as IdentifyAccount>::AccountId;

/// Balance of an account, in the native token or the settlement asset.
pub type Balance = backstop_primitives::Balance;

/// Index of a transaction in the chain.
pub type Nonce = u32;

/// A hash of some data used by the chain.
pub type Hash = sp_core::H256;

/// Asset ids in `pallet-assets`.
pub type AssetId = backstop_primitives::AssetId;

/// Opaque types: what the node's generic machinery needs without knowing the
/// runtime's concrete extrinsic format.
pub mod opaque {
	use super::*;
	use sp_runtime::traits::Hash as HashT;

	pub use sp_runtime::OpaqueExtrinsic as UncheckedExtrinsic;

	/// Opaque block header type.
	pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
	/// Opaque block type.
	pub type Block = generic::Block<Header, UncheckedExtrinsic>;
	/// Opaque block identifier type.
	pub type BlockId = generic::BlockId<Block>;
	/// Opaque block hash type.
	pub type Hash = <BlakeTwo256 as HashT>::Output;

	impl_opaque_keys! {
		/// The session keys a validator holds: an Aura key and a GRANDPA key.
		pub struct SessionKeys {
			/// Block production.
			pub aura: Aura,
			/// Finality.
			pub grandpa: Grandpa,
		}
	}
}

/// The runtime's version. `spec_version` must rise with every runtime
/// upgrade; `transaction_version` whenever call indices or extrinsic
/// formats change.
#[sp_version::runtime_version]
pub const VERSION: RuntimeVersion = RuntimeVersion {
	spec_name: alloc::borrow::Cow::Borrowed("backstop"),
	impl_name: alloc::borrow::Cow::Borrowed("backstop-node"),
	authoring_version: 1,
	spec_version: 101,
	impl_version: 1,
	apis: RUNTIME_API_VERSIONS,
	transaction_version: 1,
	system_version: 1,
};

/// Target block time. Aura slots last this long.
pub const MILLI_SECS_PER_BLOCK: u64 = 6000;

/// The slot duration. It cannot be changed once the chain runs.
pub const SLOT_DURATION: u64 = MILLI_SECS_PER_BLOCK;

/// Blocks per minute.
pub const MINUTES: BlockNumber = 60_000 / (MILLI_SECS_PER_BLOCK as BlockNumber);
/// Blocks per hour.
pub const HOURS: BlockNumber = MINUTES * 60;
/// Blocks per day.
pub const DAYS: BlockNumber = HOURS * 24;

/// The existential deposit of the native token.
pub const EXISTENTIAL_DEPOSIT: Balance = MILLI_UNITS;

/// The id of the settlement stablecoin in `pallet-assets`.
pub const SETTLEMENT_ASSET_ID: AssetId = 1;

/// The address format for describing accounts.
pub type Address = MultiAddress<AccountId, ()>;

/// Block header type as expected by this runtime.
pub type Header = generic::Header<BlockNumber, BlakeTwo256>;

/// Block type as expected by this runtime.
pub type Block = generic::Block<Header, UncheckedExtrinsic>;

/// The transaction extensions, checked in this order for every signed
/// transaction.
pub type TxExtension = (
	frame_system::AuthorizeCall<Runtime>,
	frame_system::CheckNonZeroSender<Runtime>,
	frame_system::CheckSpecVersion<Runtime>,
	frame_system::CheckTxVersion<Runtime>,
	frame_system::CheckGenesis<Runtime>,
	frame_system::CheckEra<Runtime>,
	frame_system::CheckNonce<Runtime>,
	frame_system::CheckWeight<Runtime>,
	configs::monetary::ChargeTransactionPaymentCapped,
	frame_metadata_hash_extension::CheckMetadataHash<Runtime>,
	frame_system::WeightReclaim<Runtime>,
);

/// Unchecked extrinsic type as expected by this runtime.
pub type UncheckedExtrinsic =
	generic::UncheckedExtrinsic<Address, RuntimeCall, Signature, TxExtension>;

/// The payload being signed in transactions.
pub type SignedPayload = generic::SignedPayload<RuntimeCall, TxExtension>;

/// Migrations to run on runtime upgrade, beyond those of the pallets: the
/// oracle's move to time-based freshness (0 to 1), the shared liquidity pool's move to the cash-counterparty model (storage
/// version 1 to 2), the margin pallet's matching change (0 to 1), its
/// auto-deleveraging queues (1 to 2) and its backstop premium (2 to 3), and
/// the staking backstop's single unstake request, per-block cap, wipe-out
/// floor and premium parameters (1 to 2).
#[allow(unused_parens)]
type Migrations = (
	pallet_oracle_aggregator::migrations::v1::MigrateV0ToV1<Runtime>,
	pallet_shared_liquidity::migrations::v2::MigrateV1ToV2<Runtime>,
	pallet_margin::migrations::v1::MigrateV0ToV1<Runtime>,
	pallet_margin::migrations::v2::MigrateV1ToV2<Runtime>,
	pallet_margin::migrations::v3::MigrateV2ToV3<Runtime>,
	pallet_staking_backstop::migrations::v2::MigrateV1ToV2<Runtime>,
);

/// Executive: dispatches to the pallets.
pub type Executive = frame_executive::Executive<
	Runtime,
	Block,
	frame_system::ChainContext<Runtime>,
	Runtime,
	AllPalletsWithSystem,
	Migrations,
>;

#[frame_support::runtime]
mod runtime {
	#[runtime::runtime]
	#[runtime::derive(
		RuntimeCall,
		RuntimeEvent,
		RuntimeError,
		RuntimeOrigin,
		RuntimeFreezeReason,
		RuntimeHoldReason,
		RuntimeSlashReason,
		RuntimeLockId,
		RuntimeTask,
		RuntimeViewFunction
	)]
	pub struct Runtime;

	#[runtime::pallet_index(0)]
	pub type System = frame_system;

	#[runtime::pallet_index(1)]
	pub type Timestamp = pallet_timestamp;

	#[runtime::pallet_index(2)]
	pub type Aura = pallet_aura;

	#[runtime::pallet_index(3)]
	pub type Grandpa = pallet_grandpa;

	#[runtime::pallet_index(4)]
	pub type Balances = pallet_balances;

	#[runtime::pallet_index(5)]
	pub type TransactionPayment = pallet_transaction_payment;

	#[runtime::pallet_index(6)]
	pub type Sudo = pallet_sudo;

	/// The validator set of each session; Aura and GRANDPA follow it.
	#[runtime::pallet_index(7)]
	pub type Session = pallet_session;

	#[runtime::pallet_index(10)]
	pub type Assets = pallet_assets;

	// The Backstop pallets come after `Assets`: their genesis holds the
	// settlement asset.
	#[runtime::pallet_index(20)]
	pub type InsuranceFund = pallet_insurance_fund;

	#[runtime::pallet_index(21)]
	pub type OracleAggregator = pallet_oracle_aggregator;

	#[runtime::pallet_index(22)]
	pub type StakingBackstop = pallet_staking_backstop;

	#[runtime::pallet_index(23)]
	pub type SharedLiquidity = pallet_shared_liquidity;

	#[runtime::pallet_index(24)]
	pub type Margin = pallet_margin;

	#[runtime::pallet_index(25)]
	pub type OptionsBackstop = pallet_options_backstop;

	// Governance: OpenGov referenda, the risk council and the validator set.
	#[runtime::pallet_index(30)]
	pub type Preimage = pallet_preimage;

	#[runtime::pallet_index(31)]
	pub type Scheduler = pallet_scheduler;

	#[runtime::pallet_index(32)]
	pub type Referenda = pallet_referenda;

	#[runtime::pallet_index(33)]
	pub type ConvictionVoting = pallet_conviction_voting;

	/// The custom origins of the referenda tracks (`RiskAdmin`).
	#[runtime::pallet_index(34)]
	pub type Origins = configs::governance::origins;

	/// The risk council: its motions dispatch as the guardian.
	#[runtime::pallet_index(35)]
	pub type Council = pallet_collective<Instance1>;

	#[runtime::pallet_index(36)]
	pub type CouncilMembership = pallet_membership<Instance1>;

	/// The governed validator set, handed to `Session`.
	#[runtime::pallet_index(37)]
	pub type ValidatorSet = pallet_membership<Instance2>;

	/// Rotates sessions at a bounded weight.
	#[runtime::pallet_index(38)]
	pub type ValidatorManager = configs::governance::validators;

	/// polkadot-sdk's ORML oracle: the yardstick of the oracle aggregator's
	/// benchmarks. It has no feeders (only benchmarks add any), so nothing
	/// can be fed to it on chain.
	#[runtime::pallet_index(90)]
	pub type ReferenceOracle = pallet_oracle;
}

#[cfg(any(test, feature = "fuzzing"))]
pub mod fuzzing;
#[cfg(test)]
mod scenarios;
/// Test helpers (preset genesis, invariant checks): native only, for the
/// runtime's tests, the fuzzing harness and the stress simulator.
#[cfg(feature = "std")]
pub mod testing;
#[cfg(test)]
mod tests;
