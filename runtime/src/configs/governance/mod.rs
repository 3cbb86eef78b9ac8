//! Governance: OpenGov referenda with a `root` and a `risk` track, the risk
//! council (the guardian), the governed validator set, and sudo (whose key
//! only the `development` preset sets).
//!
//! - **Referenda** (`pallet-referenda`, `pallet-conviction-voting`,
//!   `pallet-scheduler`, `pallet-preimage`): BKS holders vote with
//!   conviction. The `root` track dispatches as Root; the `risk` track as
//!   [`origins::Origin::RiskAdmin`]. See [`tracks`] for the periods.
//! - **Risk council** (`pallet-collective` instance 1, members kept by
//!   `pallet-membership` instance 1 and changed by referendum on either
//!   track): a motion of more than half of the council dispatches as the
//!   [`Guardian`], which each Backstop pallet lets act at once but only
//!   defensively.
//! - **Validators** (`pallet-membership` instance 2 and `pallet-session`):
//!   the root track adds and removes validators; [`GovernedValidators`] hands
//!   the set to the session pallet, which applies it at the next session
//!   boundary but one, and Aura and GRANDPA follow the session.
//!
//! Every Backstop pallet's `AdminOrigin` is [`RiskAdmin`]: Root (bound only by
//! hard ranges), the risk track (bounded steps and intervals) or the guardian
//! (bounded, tightening only).

pub mod origins;
pub mod tracks;
pub mod validator_weights;
pub mod validators;

use crate::{
	AccountId, Balance, Balances, BlockNumber, Council, OriginCaller, Preimage, Referenda, Runtime,
	RuntimeCall, RuntimeEvent, RuntimeHoldReason, RuntimeOrigin, Scheduler, Session, System, DAYS,
	HOURS, MINUTES, UNITS,
};
use alloc::vec::Vec;
use frame_support::{
	parameter_types,
	traits::{
		fungible::HoldConsideration, tokens::currency::ActiveIssuanceOf, AsEnsureOriginWithArg,
		ConstU128, ConstU32, EitherOf, EqualPrivilegeOnly, LinearStoragePrice,
	},
	weights::Weight,
};
use frame_system::{EnsureRoot, EnsureSigned};
use sp_runtime::Perbill;

pub use origins::RiskTrack;

/// Governance periods, in blocks: short on the dev and local chains, days in
/// production (the `production` feature).
#[cfg(not(feature = "production"))]
pub mod periods {
	use crate::BlockNumber;
	/// How long a council motion stays open.
	pub const COUNCIL_MOTION: BlockNumber = 10;
	/// How long conviction-1 votes stay locked after a referendum ends.
	pub const VOTE_LOCKING: BlockNumber = 10;
	/// How long a referendum may wait for its decision deposit.
	pub const UNDECIDING_TIMEOUT: BlockNumber = 50;
	/// Blocks per session (validator set changes apply at session boundaries).
	pub const SESSION: BlockNumber = 10;
	/// The minimum interval between two bounded changes of one risk
	/// parameter.
	pub const RISK_CHANGE_INTERVAL: BlockNumber = 10;
}

/// Governance periods, in blocks: short on the dev and local chains, days in
/// production (the `production` feature).
#[cfg(feature = "production")]
pub mod periods {
	use crate::{BlockNumber, DAYS, HOURS};
	/// How long a council motion stays open.
	pub const COUNCIL_MOTION: BlockNumber = DAYS;
	/// How long conviction-1 votes stay locked after a referendum ends.
	pub const VOTE_LOCKING: BlockNumber = 7 * DAYS;
	/// How long a referendum may wait for its decision deposit.
	pub const UNDECIDING_TIMEOUT: BlockNumber = 14 * DAYS;
	/// Blocks per session (validator set changes apply at session boundaries).
	pub const SESSION: BlockNumber = HOURS;
	/// The minimum interval between two bounded changes of one risk
	/// parameter: Aave's risk stewards allow one every three days.
	pub const RISK_CHANGE_INTERVAL: BlockNumber = 3 * DAYS;
}

// The production periods are referred to here so that a dev build checks
// that they are expressed in the runtime's units.
const _: (BlockNumber, BlockNumber, BlockNumber) = (DAYS, HOURS, MINUTES);

impl pallet_sudo::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type WeightInfo = pallet_sudo::weights::SubstrateWeight<Runtime>;
}

parameter_types! {
	pub const PreimageHoldReason: RuntimeHoldReason =
		RuntimeHoldReason::Preimage(pallet_preimage::HoldReason::Preimage);
	/// A noted preimage holds a base plus a deposit per byte.
	pub const PreimageBaseDeposit: Balance = UNITS;
	pub const PreimageByteDeposit: Balance = UNITS / 1_000;
}

impl pallet_preimage::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = crate::weights::pallet_preimage::WeightInfo<Runtime>;
	type Currency = Balances;
	type ManagerOrigin = EnsureRoot<AccountId>;
	type Consideration = HoldConsideration<
		AccountId,
		Balances,
		PreimageHoldReason,
		LinearStoragePrice<PreimageBaseDeposit, PreimageByteDeposit, Balance>,
	>;
}

parameter_types! {
	/// Scheduled calls (enactments) may use 80% of a block.
	pub MaximumSchedulerWeight: Weight =
		Perbill::from_percent(80) * crate::configs::system::RuntimeBlockWeights::get().max_block;
}

impl pallet_scheduler::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeOrigin = RuntimeOrigin;
	type PalletsOrigin = OriginCaller;
	type RuntimeCall = RuntimeCall;
	type MaximumWeight = MaximumSchedulerWeight;
	/// Only Root schedules directly; referenda schedule their enactments
	/// through the pallet's trait.
	type ScheduleOrigin = EnsureRoot<AccountId>;
	type OriginPrivilegeCmp = EqualPrivilegeOnly;
	type MaxScheduledPerBlock = ConstU32<50>;
	type WeightInfo = crate::weights::pallet_scheduler::WeightInfo<Runtime>;
	type Preimages = Preimage;
	type BlockNumberProvider = System;
}

parameter_types! {
	pub const VoteLockingPeriod: BlockNumber = periods::VOTE_LOCKING;
	pub const UndecidingTimeout: BlockNumber = periods::UNDECIDING_TIMEOUT;
}

impl pallet_conviction_voting::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = crate::weights::pallet_conviction_voting::WeightInfo<Runtime>;
	type Currency = Balances;
	type Polls = Referenda;
	type MaxTurnout = ActiveIssuanceOf<Balances, AccountId>;
	type MaxVotes = ConstU32<512>;
	type VoteLockingPeriod = VoteLockingPeriod;
	type BlockNumberProvider = System;
	type VotingHooks = ();
}

impl pallet_referenda::Config for Runtime {
	type RuntimeCall = RuntimeCall;
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = crate::weights::pallet_referenda::WeightInfo<Runtime>;
	type Scheduler = Scheduler;
	type Currency = Balances;
	/// Any signed account may submit (it places the submission deposit).
	type SubmitOrigin = AsEnsureOriginWithArg<EnsureSigned<AccountId>>;
	type CancelOrigin = EitherOf<EnsureRoot<AccountId>, Guardian>;
	type KillOrigin = EnsureRoot<AccountId>;
	/// A killed referendum's deposits are burned.
	type Slash = ();
	type Votes = Balance;
	type Tally = pallet_conviction_voting::TallyOf<Runtime>;
	type SubmissionDeposit = ConstU128<{ 10 * UNITS }>;
	type MaxQueued = ConstU32<100>;
	type UndecidingTimeout = UndecidingTimeout;
	type AlarmInterval = ConstU32<1>;
	type Tracks = tracks::TracksInfo;
	type Preimages = Preimage;
	type BlockNumberProvider = System;
}

/// The risk council's instance of `pallet-collective` and `pallet-membership`.
pub type CouncilInstance = pallet_collective::Instance1;
/// The validator set's instance of `pallet-membership`.
pub type ValidatorsInstance = pallet_membership::Instance2;

/// A motion of more than half of the risk council: the guardian origin.
pub type Guardian = pallet_collective::EnsureProportionMoreThan<AccountId, CouncilInstance, 1, 2>;

/// Root or a passed `risk`-track referendum.
pub type RootOrRiskTrack = EitherOf<EnsureRoot<AccountId>, RiskTrack>;

/// The `AdminOrigin` of every Backstop pallet: which authority a privileged
/// call comes from.
pub type RiskAdmin =
	backstop_primitives::EnsureAuthority<EnsureRoot<AccountId>, RiskTrack, Guardian>;

parameter_types! {
	pub const CouncilMotionDuration: BlockNumber = periods::COUNCIL_MOTION;
	pub MaxCouncilProposalWeight: Weight =
		Perbill::from_percent(50) * crate::configs::system::RuntimeBlockWeights::get().max_block;
}

impl pallet_collective::Config<CouncilInstance> for Runtime {
	type RuntimeOrigin = RuntimeOrigin;
	type Proposal = RuntimeCall;
	type RuntimeEvent = RuntimeEvent;
	type MotionDuration = CouncilMotionDuration;
	type MaxProposals = ConstU32<32>;
	type MaxMembers = ConstU32<16>;
	type DefaultVote = pallet_collective::PrimeDefaultVote;
	type WeightInfo = crate::weights::pallet_collective::WeightInfo<Runtime>;
	/// Membership is kept by `CouncilMembership`; Root may also reset it.
	type SetMembersOrigin = EnsureRoot<AccountId>;
	type MaxProposalWeight = MaxCouncilProposalWeight;
	type DisapproveOrigin = RootOrRiskTrack;
	type KillOrigin = RootOrRiskTrack;
	type Consideration = ();
}

impl pallet_membership::Config<CouncilInstance> for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type AddOrigin = RootOrRiskTrack;
	type RemoveOrigin = RootOrRiskTrack;
	type SwapOrigin = RootOrRiskTrack;
	type ResetOrigin = RootOrRiskTrack;
	type PrimeOrigin = RootOrRiskTrack;
	type MembershipInitialized = Council;
	type MembershipChanged = Council;
	type MaxMembers = ConstU32<16>;
	type WeightInfo = crate::weights::pallet_membership::WeightInfo<Runtime>;
}

impl pallet_membership::Config<ValidatorsInstance> for Runtime {
	type RuntimeEvent = RuntimeEvent;
	/// Only the root track changes the validator set.
	type AddOrigin = EnsureRoot<AccountId>;
	type RemoveOrigin = EnsureRoot<AccountId>;
	type SwapOrigin = EnsureRoot<AccountId>;
	type ResetOrigin = EnsureRoot<AccountId>;
	type PrimeOrigin = EnsureRoot<AccountId>;
	type MembershipInitialized = ();
	type MembershipChanged = ();
	type MaxMembers = crate::configs::consensus::MaxAuthorities;
	type WeightInfo = crate::weights::pallet_membership::WeightInfo<Runtime>;
}

/// Hands the governed validator set to the session pallet (sessions are
/// rotated by [`validators::Pallet`]).
///
/// At each session boundary the session pallet asks for the set of the
/// session after next; this returns the members of `ValidatorSet` when they
/// differ from the current validators. Members without session keys are
/// skipped by the session pallet; an empty set is never returned (the chain
/// keeps its validators rather than stop).
pub struct GovernedValidators;

impl pallet_session::SessionManager<AccountId> for GovernedValidators {
	fn new_session(_new_index: u32) -> Option<Vec<AccountId>> {
		let members = pallet_membership::Members::<Runtime, ValidatorsInstance>::get().into_inner();
		let with_keys: Vec<AccountId> =
			members.into_iter().filter(|v| Session::load_keys(v).is_some()).collect();
		if with_keys.is_empty() || with_keys == pallet_session::Validators::<Runtime>::get() {
			None
		} else {
			Some(with_keys)
		}
	}
	fn new_session_genesis(_new_index: u32) -> Option<Vec<AccountId>> {
		let members = pallet_membership::Members::<Runtime, ValidatorsInstance>::get().into_inner();
		(!members.is_empty()).then_some(members)
	}
	fn end_session(_end_index: u32) {}
	fn start_session(_start_index: u32) {}
}

parameter_types! {
	pub const SessionPeriod: BlockNumber = periods::SESSION;
	pub const SessionOffset: BlockNumber = 0;
}

impl pallet_session::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type ValidatorId = AccountId;
	type ValidatorIdOf = sp_runtime::traits::ConvertInto;
	/// `ValidatorManager` rotates sessions (at a bounded weight), not the
	/// session pallet's own hook.
	type ShouldEndSession = validators::Never;
	type NextSessionRotation = pallet_session::PeriodicSessions<SessionPeriod, SessionOffset>;
	type SessionManager = GovernedValidators;
	type SessionHandler =
		<crate::opaque::SessionKeys as sp_runtime::traits::OpaqueKeys>::KeyTypeIdProviders;
	type Keys = crate::opaque::SessionKeys;
	type DisablingStrategy = ();
	type WeightInfo = pallet_session::weights::SubstrateWeight<Runtime>;
	type Currency = Balances;
	/// Setting session keys holds one BKS (returned when they are purged).
	type KeyDeposit = ConstU128<UNITS>;
}

impl origins::Config for Runtime {}

impl validators::Config for Runtime {
	type SessionPeriod = SessionPeriod;
	type WeightInfo = validator_weights::SubstrateWeight<Runtime>;
}
