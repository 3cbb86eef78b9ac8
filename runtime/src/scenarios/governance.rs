//! Governance of risk parameters on the real runtime: a referendum on the
//! `risk` track, the risk council's motions, the bounds every pallet
//! enforces, and a validator added by referendum.

use super::Chain;
use crate::{
	configs::governance::{origins, periods, tracks},
	genesis_config_presets::{dev_council, BTC, BTC_PERP, ETH_PERP},
	governance_api::{self, ReferendumPhase},
	AccountId, ConvictionVoting, Council, Margin, OracleAggregator, OriginCaller, Preimage,
	Referenda, Runtime, RuntimeCall, RuntimeEvent, RuntimeOrigin, Session, UNITS,
};
use codec::Encode;
use frame_support::dispatch::GetDispatchInfo;
use frame_support::{
	assert_noop, assert_ok,
	traits::{schedule::DispatchTime, Bounded, StorePreimage},
};
use pallet_conviction_voting::{AccountVote, Conviction, Vote};
use pallet_margin::MarketStatus;
use pallet_referenda::ReferendumInfo;
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};
use sp_runtime::traits::Hash as _;
use sp_runtime::{DispatchError, Permill, Saturating};

fn account(k: Sr25519Keyring) -> AccountId {
	k.to_account_id()
}

/// The origin a passed `risk`-track referendum dispatches with.
fn risk_track() -> RuntimeOrigin {
	origins::Origin::RiskAdmin.into()
}

/// The origin a motion of two of the three council members dispatches with.
fn guardian() -> RuntimeOrigin {
	pallet_collective::RawOrigin::<AccountId, pallet_collective::Instance1>::Members(2, 3).into()
}

fn stress_move(market: u32) -> Permill {
	pallet_margin::StressMoves::<Runtime>::get(market)
}

fn status(market: u32) -> MarketStatus {
	pallet_margin::Markets::<Runtime>::get(market).expect("the market exists").status
}

/// Notes `call`'s preimage (as Alice), submits it on the track of `origin`,
/// places the decision deposit and votes aye with `voters`, each with
/// 900,000 BKS at conviction 1x. Returns the referendum's index.
fn propose_and_vote(
	chain: &mut Chain,
	origin: OriginCaller,
	call: RuntimeCall,
	voters: &[Sr25519Keyring],
) -> u32 {
	chain.execute(|| {
		let alice = RuntimeOrigin::signed(account(Sr25519Keyring::Alice));
		assert_ok!(Preimage::note_preimage(alice.clone(), call.encode()));
		let proposal: Bounded<RuntimeCall, _> =
			<Preimage as StorePreimage>::bound(call.clone()).expect("the call can be bounded");
		let index = pallet_referenda::ReferendumCount::<Runtime>::get();
		assert_ok!(Referenda::submit(
			alice.clone(),
			Box::new(origin),
			proposal,
			DispatchTime::After(0)
		));
		assert_ok!(Referenda::place_decision_deposit(alice, index));
		for voter in voters {
			assert_ok!(ConvictionVoting::vote(
				RuntimeOrigin::signed(account(*voter)),
				index,
				AccountVote::Standard {
					vote: Vote { aye: true, conviction: Conviction::Locked1x },
					balance: 900_000 * UNITS,
				},
			));
		}
		index
	})
}

/// Runs blocks until referendum `index` is approved; returns the block.
fn run_until_approved(chain: &mut Chain, index: u32, limit: u32) -> u32 {
	for _ in 0..limit {
		chain.next_block();
		let done = chain.execute(|| {
			matches!(
				pallet_referenda::ReferendumInfoFor::<Runtime>::get(index),
				Some(ReferendumInfo::Approved(..))
			)
		});
		if done {
			return chain.execute(frame_system::Pallet::<Runtime>::block_number);
		}
	}
	panic!("referendum {index} was not approved within {limit} blocks");
}

#[test]
fn a_risk_referendum_changes_a_margin_parameter_after_its_enactment_period() {
	let mut chain = Chain::new();
	let before = chain.execute(|| stress_move(BTC_PERP));
	// A bounded tightening: the stress move rises by a tenth.
	let target = before.saturating_add(before / 10);
	let call = RuntimeCall::Margin(pallet_margin::Call::set_stress_move {
		market: BTC_PERP,
		stress_move: target,
	});
	let index = propose_and_vote(
		&mut chain,
		OriginCaller::Origins(origins::Origin::RiskAdmin),
		call.clone(),
		&[Sr25519Keyring::Alice, Sr25519Keyring::Bob],
	);
	// While it is being decided, the API shows it with its call.
	let open = chain.execute(governance_api::referenda);
	assert_eq!(open.len(), 1);
	assert_eq!(open[0].index, index);
	assert_eq!(open[0].track, tracks::RISK_TRACK);
	assert_eq!(open[0].call, Some(call.clone()));
	assert!(open[0].decision_deposit_placed);

	let approved = run_until_approved(&mut chain, index, 40);
	// Approved, but time-locked: the parameter has not moved, and the change
	// waits in the scheduler for at least the track's enactment period.
	assert_eq!(chain.execute(|| stress_move(BTC_PERP)), before);
	let pending = chain.execute(governance_api::pending_changes);
	assert_eq!(pending.len(), 1, "{pending:?}");
	let enactment = tracks::TRACKS[1].info.min_enactment_period;
	assert!(pending[0].when >= approved + enactment);
	assert_eq!(pending[0].referendum, Some(index));
	assert_eq!(pending[0].call, Some(call));
	assert_eq!(pending[0].origin, OriginCaller::Origins(origins::Origin::RiskAdmin));

	while chain.execute(frame_system::Pallet::<Runtime>::block_number) < pending[0].when {
		assert_eq!(chain.execute(|| stress_move(BTC_PERP)), before, "no change before enactment");
		chain.next_block();
	}
	assert_eq!(chain.execute(|| stress_move(BTC_PERP)), target);
	assert!(chain.execute(governance_api::pending_changes).is_empty());
	chain.finish();
}

#[test]
fn a_risk_referendum_is_bounded_like_any_risk_track_change() {
	// A referendum that passes but asks for a step beyond the margin
	// pallet's maximum is enacted with an error and changes nothing.
	let mut chain = Chain::new();
	let before = chain.execute(|| stress_move(BTC_PERP));
	let call = RuntimeCall::Margin(pallet_margin::Call::set_stress_move {
		market: BTC_PERP,
		stress_move: before.saturating_add(before),
	});
	let index = propose_and_vote(
		&mut chain,
		OriginCaller::Origins(origins::Origin::RiskAdmin),
		call,
		&[Sr25519Keyring::Alice, Sr25519Keyring::Bob],
	);
	run_until_approved(&mut chain, index, 40);
	let mut dispatched = None;
	for _ in 0..10 {
		chain.next_block();
		// The enactment, not one of the referenda pallet's own alarms.
		let name = governance_api::enactment_name(index);
		dispatched = chain.last_events.iter().find_map(|e| match e {
			RuntimeEvent::Scheduler(pallet_scheduler::Event::Dispatched {
				id: Some(id),
				result,
				..
			}) if *id == name => Some(*result),
			_ => None,
		});
		if dispatched.is_some() {
			break;
		}
	}
	let result = dispatched.expect("the enactment was dispatched");
	assert_eq!(
		result,
		Err(DispatchError::from(pallet_margin::Error::<Runtime>::StepTooLarge)),
		"the pallet refused the step"
	);
	assert_eq!(chain.execute(|| stress_move(BTC_PERP)), before);
	chain.finish();
}

#[test]
fn a_council_motion_halts_a_market_at_once() {
	let mut chain = Chain::new();
	chain.execute(|| {
		assert_eq!(status(ETH_PERP), MarketStatus::Active);
		let call = RuntimeCall::Margin(pallet_margin::Call::set_market_status {
			market: ETH_PERP,
			status: MarketStatus::Halted,
		});
		let len = call.encoded_size() as u32;
		let [alice, bob, _] = [0, 1, 2].map(|i| RuntimeOrigin::signed(dev_council()[i].clone()));
		assert_ok!(Council::propose(alice.clone(), 2, Box::new(call.clone()), len));
		let hash = <Runtime as frame_system::Config>::Hashing::hash_of(&call);
		assert_ok!(Council::vote(alice.clone(), hash, 0, true));
		assert_ok!(Council::vote(bob, hash, 0, true));
		assert_ok!(Council::close(alice, hash, 0, call.get_dispatch_info().call_weight, len));
		// Executed in the same block, with success.
		assert!(frame_system::Pallet::<Runtime>::events().iter().any(|r| matches!(
			r.event,
			RuntimeEvent::Council(pallet_collective::Event::Executed { result: Ok(()), .. })
		)));
		assert_eq!(status(ETH_PERP), MarketStatus::Halted);
	});
	chain.finish();
}

/// Calls that loosen something, one or more per pallet.
fn loosening_calls(chain: &mut Chain) -> Vec<(RuntimeCall, DispatchError)> {
	chain.execute(|| {
		let market = pallet_margin::Markets::<Runtime>::get(BTC_PERP).expect("BTC market");
		let mut lower_margin = market.params;
		lower_margin.maintenance_margin =
			lower_margin.maintenance_margin.saturating_sub(Permill::from_parts(1_000));
		// The minimum stake is governance's alone, in either direction.
		let mut shorter = pallet_staking_backstop::Params::<Runtime>::get(
			pallet_staking_backstop::Tranche::Junior,
		);
		shorter.min_stake = shorter.min_stake.saturating_add(shorter.min_stake / 10);
		vec![
			(
				RuntimeCall::Margin(pallet_margin::Call::update_market {
					market: BTC_PERP,
					params: lower_margin,
				}),
				pallet_margin::Error::<Runtime>::GuardianCannotLoosen.into(),
			),
			(
				RuntimeCall::Margin(pallet_margin::Call::set_stress_move {
					market: BTC_PERP,
					stress_move: stress_move(BTC_PERP).saturating_sub(Permill::from_percent(1)),
				}),
				pallet_margin::Error::<Runtime>::GuardianCannotLoosen.into(),
			),
			(
				RuntimeCall::OracleAggregator(pallet_oracle_aggregator::Call::add_feeder {
					feeder: account(Sr25519Keyring::Ferdie),
				}),
				pallet_oracle_aggregator::Error::<Runtime>::GuardianCannotLoosen.into(),
			),
			(
				RuntimeCall::StakingBackstop(pallet_staking_backstop::Call::set_tranche_params {
					tranche: pallet_staking_backstop::Tranche::Junior,
					params: shorter,
				}),
				pallet_staking_backstop::Error::<Runtime>::GuardianCannotLoosen.into(),
			),
			(
				RuntimeCall::InsuranceFund(pallet_insurance_fund::Call::withdraw_surplus {
					fund: pallet_insurance_fund::FundId::Global,
					// Within the surplus: only the authority is wrong.
					amount: 1_000 * crate::DOLLARS,
					dest: account(Sr25519Keyring::Eve),
				}),
				pallet_insurance_fund::Error::<Runtime>::GuardianCannotLoosen.into(),
			),
		]
	})
}

#[test]
fn the_council_cannot_loosen_anything() {
	let mut chain = Chain::new();
	// Halted by the council, a market cannot be reopened by it.
	chain.execute(|| {
		assert_ok!(Margin::set_market_status(guardian(), BTC_PERP, MarketStatus::Halted));
		assert_noop!(
			Margin::set_market_status(guardian(), BTC_PERP, MarketStatus::Active),
			pallet_margin::Error::<Runtime>::GuardianCannotLoosen
		);
		// An oracle price frozen by the council cannot be unfrozen by it.
		assert_ok!(OracleAggregator::freeze_price(guardian(), BTC, None));
		assert_noop!(
			OracleAggregator::unfreeze_price(guardian(), BTC),
			pallet_oracle_aggregator::Error::<Runtime>::GuardianCannotLoosen
		);
	});
	for (call, error) in loosening_calls(&mut chain) {
		chain.execute(|| {
			let dispatched = frame_support::storage::with_transaction(|| {
				use sp_runtime::traits::Dispatchable;
				let root = sp_io::storage::root(sp_runtime::StateVersion::V1);
				let result = call.clone().dispatch(guardian());
				let unchanged = sp_io::storage::root(sp_runtime::StateVersion::V1) == root;
				sp_runtime::TransactionOutcome::Rollback(Ok::<_, DispatchError>((
					result, unchanged,
				)))
			});
			let (result, unchanged) = dispatched.expect("no transactional error");
			assert_eq!(result.map_err(|e| e.error), Err(error), "{call:?}");
			assert!(unchanged, "{call:?} left state changed");
		});
	}
	chain.finish();
}

#[test]
fn a_step_too_large_and_a_change_too_soon_are_refused_without_change() {
	let mut chain = Chain::new();
	chain.execute(|| {
		let before = stress_move(BTC_PERP);
		let doubled = before.saturating_add(before);
		assert_noop!(
			Margin::set_stress_move(risk_track(), BTC_PERP, doubled),
			pallet_margin::Error::<Runtime>::StepTooLarge
		);
		let step = before.saturating_add(before / 10);
		assert_ok!(Margin::set_stress_move(risk_track(), BTC_PERP, step));
		let again = step.saturating_add(step / 10);
		assert_noop!(
			Margin::set_stress_move(risk_track(), BTC_PERP, again),
			pallet_margin::Error::<Runtime>::ChangeTooSoon
		);
		// The guardian is bound by the same interval.
		assert_noop!(
			Margin::set_stress_move(guardian(), BTC_PERP, again),
			pallet_margin::Error::<Runtime>::ChangeTooSoon
		);
	});
	chain.run(periods::RISK_CHANGE_INTERVAL);
	chain.execute(|| {
		let now = stress_move(BTC_PERP);
		let again = now.saturating_add(now / 10);
		assert_ok!(Margin::set_stress_move(risk_track(), BTC_PERP, again));
		assert_eq!(stress_move(BTC_PERP), again);
	});
	chain.finish();
}

#[test]
fn a_referendum_adds_a_validator_who_authors_after_the_next_session() {
	use sp_core::proof_of_possession::ProofOfPossessionGenerator;
	let mut chain = Chain::new();
	let charlie = account(Sr25519Keyring::Charlie);
	let keys = crate::opaque::SessionKeys {
		aura: Sr25519Keyring::Charlie.public().into(),
		grandpa: Ed25519Keyring::Charlie.public().into(),
	};
	chain.execute(|| {
		let owner = charlie.encode();
		let mut aura = Sr25519Keyring::Charlie.pair();
		let mut grandpa = Ed25519Keyring::Charlie.pair();
		let proof = (
			aura.generate_proof_of_possession(&owner),
			grandpa.generate_proof_of_possession(&owner),
		)
			.encode();
		assert_ok!(Session::set_keys(RuntimeOrigin::signed(charlie.clone()), keys.clone(), proof));
	});
	let call = RuntimeCall::ValidatorSet(pallet_membership::Call::add_member {
		who: sp_runtime::MultiAddress::Id(charlie.clone()),
	});
	let index = propose_and_vote(
		&mut chain,
		OriginCaller::system(frame_system::RawOrigin::Root),
		call,
		&[Sr25519Keyring::Alice, Sr25519Keyring::Bob, Sr25519Keyring::Dave],
	);
	run_until_approved(&mut chain, index, 60);
	// Enacted after the root track's enactment period.
	chain.run(tracks::TRACKS[0].info.min_enactment_period + 1);
	chain.execute(|| {
		assert!(pallet_membership::Members::<Runtime, pallet_membership::Instance2>::get()
			.contains(&charlie));
		assert!(!Session::validators().contains(&charlie), "not before a session boundary");
	});
	// Queued at the next session boundary, active at the one after.
	chain.run(2 * periods::SESSION);
	chain.execute(|| {
		assert!(Session::validators().contains(&charlie));
		let authorities = pallet_aura::Authorities::<Runtime>::get();
		let position =
			authorities.iter().position(|a| *a == keys.aura).expect("Charlie is an Aura authority");
		// Aura gives Charlie every slot whose index modulo the authorities'
		// count is his position: a block of such a slot is his.
		let slot =
			sp_consensus_aura::Slot::from((authorities.len() as u64) * 1_000 + position as u64);
		use frame_support::traits::FindAuthor;
		assert_eq!(
			<pallet_aura::Pallet<Runtime> as FindAuthor<u32>>::find_author([(
				sp_consensus_aura::AURA_ENGINE_ID,
				&slot.encode()[..]
			)]),
			Some(position as u32)
		);
		// GRANDPA follows the session too.
		assert!(crate::Grandpa::grandpa_authorities().iter().any(|(id, _)| *id == keys.grandpa));
	});
	chain.finish();
}

/// The API reports each phase a referendum goes through, and its tally.
#[test]
fn the_api_reports_each_phase_of_a_referendum() {
	let mut chain = Chain::new();
	let call = RuntimeCall::Margin(pallet_margin::Call::set_market_status {
		market: ETH_PERP,
		status: MarketStatus::ReduceOnly,
	});
	let index = chain.execute(|| {
		let alice = RuntimeOrigin::signed(account(Sr25519Keyring::Alice));
		let proposal = <Preimage as StorePreimage>::bound(call.clone()).expect("bounded");
		assert_ok!(Referenda::submit(
			alice,
			Box::new(OriginCaller::Origins(origins::Origin::RiskAdmin)),
			proposal,
			DispatchTime::After(0)
		));
		0
	});
	let phase = |chain: &mut Chain| chain.execute(governance_api::referenda)[0].phase.clone();
	assert_eq!(phase(&mut chain), ReferendumPhase::Preparing);
	chain.execute(|| {
		assert_ok!(Referenda::place_decision_deposit(
			RuntimeOrigin::signed(account(Sr25519Keyring::Bob)),
			index
		));
	});
	chain.run(tracks::TRACKS[1].info.prepare_period + 1);
	assert!(matches!(phase(&mut chain), ReferendumPhase::Deciding { .. }));
	chain.execute(|| {
		assert_ok!(ConvictionVoting::vote(
			RuntimeOrigin::signed(account(Sr25519Keyring::Alice)),
			index,
			AccountVote::Standard {
				vote: Vote { aye: true, conviction: Conviction::Locked3x },
				balance: 900_000 * UNITS,
			},
		));
	});
	chain.next_block();
	assert!(matches!(phase(&mut chain), ReferendumPhase::Confirming { .. }));
	let summary = chain.execute(governance_api::referenda).remove(0);
	assert_eq!(summary.ayes, 3 * 900_000 * UNITS);
	assert_eq!(summary.support, 900_000 * UNITS);
	chain.finish();
}
