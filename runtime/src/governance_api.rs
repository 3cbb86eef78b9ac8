//! `GovernanceApi`: what governance is about to change, for polkadot.js
//! (`api.call.governanceApi.*`).
//!
//! - `pending_changes()`: every call waiting in the scheduler to be enacted
//!   (a passed referendum sits there for at least its track's enactment
//!   period: the time lock of a loosening risk change), with the block it
//!   runs at, the origin it runs with, the referendum it came from and the
//!   call itself when its preimage is known.
//! - `referenda()`: every referendum still being decided, with its track,
//!   its proposed call (if the preimage is noted), its phase and its tally.
//!
//! The same facts are in storage (`scheduler.agenda`,
//! `referenda.referendumInfoFor`, `preimage.preimageFor`); the API decodes
//! them.

use crate::{Balance, BlockNumber, Hash, OriginCaller, Preimage, Runtime, RuntimeCall};
use alloc::vec::Vec;
use codec::{Decode, Encode};
use frame_support::traits::{Bounded, QueryPreimage};
use pallet_referenda::{ReferendumCount, ReferendumInfo, ReferendumInfoFor};
use scale_info::TypeInfo;

/// How many of the latest referenda an enactment is matched against.
const MATCHED_REFERENDA: u32 = 256;

/// A call waiting in the scheduler.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo)]
pub struct PendingChange {
	/// The block at which it is dispatched.
	pub when: BlockNumber,
	/// The origin it is dispatched with (Root, the risk track, ...).
	pub origin: OriginCaller,
	/// The referendum whose enactment it is, if it is one.
	pub referendum: Option<u32>,
	/// The hash of the call.
	pub call_hash: Hash,
	/// The call, if it is inline or its preimage is noted.
	pub call: Option<RuntimeCall>,
}

/// The phase of a referendum that is still being decided.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo)]
pub enum ReferendumPhase {
	/// Waiting for its prepare period to end, or for its decision deposit.
	Preparing,
	/// Waiting for a deciding slot on its track.
	Queued,
	/// Being decided since the given block.
	Deciding {
		/// The block the decision period began.
		since: BlockNumber,
	},
	/// Passing; approved at the given block if it keeps passing.
	Confirming {
		/// The block the decision period began.
		since: BlockNumber,
		/// The block at which it is approved if it keeps passing.
		until: BlockNumber,
	},
}

/// A referendum still being decided.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo)]
pub struct ReferendumSummary {
	/// Its index.
	pub index: u32,
	/// Its track id (`0` root, `1` risk).
	pub track: u16,
	/// The origin the call is dispatched with if it passes.
	pub origin: OriginCaller,
	/// The hash of the proposed call.
	pub call_hash: Hash,
	/// The proposed call, if it is inline or its preimage is noted.
	pub call: Option<RuntimeCall>,
	/// When it was submitted.
	pub submitted: BlockNumber,
	/// Whether the decision deposit has been placed.
	pub decision_deposit_placed: bool,
	/// Its phase.
	pub phase: ReferendumPhase,
	/// Conviction-weighted aye votes.
	pub ayes: Balance,
	/// Conviction-weighted nay votes.
	pub nays: Balance,
	/// Aye votes without conviction (the support).
	pub support: Balance,
}

sp_api::decl_runtime_apis! {
	/// Pending governance changes: scheduled enactments and open referenda.
	pub trait GovernanceApi {
		/// Every call waiting in the scheduler, earliest first.
		fn pending_changes() -> Vec<PendingChange>;
		/// Every referendum still being decided, by index.
		fn referenda() -> Vec<ReferendumSummary>;
	}
}

/// The call behind a bounded call, if it can be read.
fn peek(bounded: &Bounded<RuntimeCall, sp_runtime::traits::BlakeTwo256>) -> Option<RuntimeCall> {
	<Preimage as QueryPreimage>::peek(bounded).ok().map(|(call, _)| call)
}

/// The scheduler task name of referendum `index`'s enactment.
pub fn enactment_name(index: u32) -> [u8; 32] {
	use sp_runtime::traits::Hash as _;
	sp_runtime::traits::BlakeTwo256::hash_of(&(*b"assembly", "enactment", index)).0
}

/// See [`GovernanceApi::pending_changes`].
pub fn pending_changes() -> Vec<PendingChange> {
	let count = ReferendumCount::<Runtime>::get();
	let recent = count.saturating_sub(MATCHED_REFERENDA)..count;
	let names: Vec<(u32, [u8; 32])> = recent.map(|i| (i, enactment_name(i))).collect();
	let mut out: Vec<PendingChange> = pallet_scheduler::Agenda::<Runtime>::iter()
		.flat_map(|(when, agenda)| {
			let names = &names;
			agenda.into_iter().flatten().filter_map(move |task| {
				let call = peek(&task.call);
				// The referenda pallet's own alarms are bookkeeping, not changes.
				if matches!(call, Some(RuntimeCall::Referenda(_))) {
					return None;
				}
				let referendum = task
					.maybe_id
					.and_then(|id| names.iter().find(|(_, n)| *n == id).map(|(i, _)| *i));
				Some(PendingChange {
					when,
					origin: task.origin,
					referendum,
					call_hash: task.call.hash(),
					call,
				})
			})
		})
		.collect();
	out.sort_by_key(|c| c.when);
	out
}

/// See [`GovernanceApi::referenda`].
pub fn referenda() -> Vec<ReferendumSummary> {
	let mut out: Vec<ReferendumSummary> = ReferendumInfoFor::<Runtime>::iter()
		.filter_map(|(index, info)| match info {
			ReferendumInfo::Ongoing(status) => {
				let phase = match (&status.deciding, status.in_queue) {
					(Some(d), _) => match d.confirming {
						Some(until) => ReferendumPhase::Confirming { since: d.since, until },
						None => ReferendumPhase::Deciding { since: d.since },
					},
					(None, true) => ReferendumPhase::Queued,
					(None, false) => ReferendumPhase::Preparing,
				};
				Some(ReferendumSummary {
					index,
					track: status.track,
					origin: status.origin.clone(),
					call_hash: status.proposal.hash(),
					call: peek(&status.proposal),
					submitted: status.submitted,
					decision_deposit_placed: status.decision_deposit.is_some(),
					phase,
					ayes: status.tally.ayes,
					nays: status.tally.nays,
					support: status.tally.support,
				})
			},
			_ => None,
		})
		.collect();
	out.sort_by_key(|r| r.index);
	out
}
