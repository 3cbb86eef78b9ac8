//! Unit and property tests of the staking backstop.

use crate::{
	mock::*, BlockSlashed, Error, Event, NextRequestId, Params, Position, PositionInfo, Positions,
	Premium, PremiumParams, RewardPot, Tranche, TrancheLedger, TrancheParams, Tranches,
	Undistributed, UnstakeRequest, UnstakeRequests, UnstakeStatus,
};
use backstop_primitives::{Balance, LossAbsorber, LossTier, RevenueKind, RevenueSink};
use frame_support::{
	assert_noop, assert_ok,
	storage::StoragePrefixedMap,
	traits::fungible::{Inspect, Mutate},
};
use sp_runtime::{
	traits::{BadOrigin, One, Zero},
	DispatchError, FixedPointNumber, FixedU128, Perbill, Permill, TokenError,
};
use std::collections::{BTreeMap, BTreeSet};

const JUNIOR: Tranche = Tranche::Junior;
const SENIOR: Tranche = Tranche::Senior;

// ---- helpers ----

fn stake(who: AccountId, tranche: Tranche, amount: Balance) {
	assert_ok!(StakingBackstop::stake(RuntimeOrigin::signed(who), tranche, amount));
}

fn request(who: AccountId, tranche: Tranche, shares: Balance) -> u64 {
	let id = NextRequestId::<Test>::get();
	assert_ok!(StakingBackstop::request_unstake(RuntimeOrigin::signed(who), tranche, shares));
	id
}

fn ledger(tranche: Tranche) -> TrancheLedger {
	Tranches::<Test>::get(tranche)
}

fn position(tranche: Tranche, who: AccountId) -> Position {
	Positions::<Test>::get(tranche, who).expect("a position")
}

fn balance(who: AccountId) -> Balance {
	Balances::balance(&who)
}

fn pallet_balance() -> Balance {
	balance(StakingBackstop::account_id())
}

fn absorb(loss: Balance) -> Balance {
	<StakingBackstop as LossAbsorber<AccountId>>::absorb(MARKET, loss, &BENEFICIARY)
}

fn capacity() -> Balance {
	<StakingBackstop as LossAbsorber<AccountId>>::capacity(MARKET)
}

fn receive(amount: Balance) -> Result<Balance, DispatchError> {
	<StakingBackstop as RevenueSink<AccountId>>::receive(
		MARKET,
		RevenueKind::TradingFee,
		&SOURCE,
		amount,
	)
}

fn run_to(block: BlockNumber) {
	System::set_block_number(block);
}

fn price(assets: Balance, shares: Balance) -> FixedU128 {
	FixedU128::checked_from_rational(assets, shares).unwrap()
}

fn backstop_events() -> Vec<Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|record| match record.event {
			RuntimeEvent::StakingBackstop(event) => Some(event),
			_ => None,
		})
		.collect()
}

fn params(
	min_stake: Balance,
	max_slash_percent: u32,
	cooldown: BlockNumber,
	window: BlockNumber,
) -> TrancheParams<BlockNumber> {
	TrancheParams {
		min_stake,
		max_slash_fraction: Perbill::from_percent(max_slash_percent),
		cooldown,
		unstake_window: window,
		max_slash_per_block: Perbill::one(),
		wipe_out_floor: Perbill::from_percent(1),
	}
}

// ---- genesis and configuration ----

#[test]
fn integrity_test_passes() {
	ExtBuilder::default().build_and_execute(integrity_test);
}

#[test]
fn genesis_mints_the_buffer_and_seeds_stakes() {
	ExtBuilder::default()
		.stakes(vec![(ALICE, 1_000), (BOB, 500), (ALICE, 500)], vec![(CHARLIE, 2_000)])
		.build_and_execute(|| {
			assert_eq!(pallet_balance(), ED + 4_000);
			// The stakers' own balances are not touched.
			assert_eq!(balance(ALICE), ENDOWMENT);
			assert_eq!(
				ledger(JUNIOR),
				TrancheLedger {
					epoch: 0,
					assets: 2_000,
					shares: 2_000,
					earning_shares: 2_000,
					reward_per_share: FixedU128::zero(),
				}
			);
			assert_eq!(position(JUNIOR, ALICE).shares, 1_500);
			assert_eq!(position(JUNIOR, BOB).shares, 500);
			assert_eq!(position(SENIOR, CHARLIE).shares, 2_000);
			assert_eq!(Params::<Test>::get(JUNIOR), junior_params());
			assert_eq!(Params::<Test>::get(SENIOR), senior_params());
			assert_eq!(Premium::<Test>::get(), premium_params());
		});
}

#[test]
#[should_panic(expected = "parameters out of bounds")]
fn genesis_rejects_out_of_bounds_parameters() {
	ExtBuilder::default().params(JUNIOR, params(0, 30, 1, 5)).build();
}

#[test]
#[should_panic(expected = "invalid premium parameters")]
fn genesis_rejects_invalid_premium_parameters() {
	let premium = PremiumParams { coverage_low: FixedU128::from_u32(3), ..premium_params() };
	ExtBuilder::default().premium(premium).build();
}

#[test]
#[should_panic(expected = "below the minimum")]
fn genesis_rejects_a_stake_below_the_minimum() {
	ExtBuilder::default().stakes(vec![(ALICE, MIN_STAKE - 1)], vec![]).build();
}

#[test]
fn defaults_apply_without_genesis() {
	ExtBuilder::default().without_pallet_genesis().build_and_execute(|| {
		assert_eq!(
			Params::<Test>::get(JUNIOR),
			TrancheParams {
				min_stake: 0,
				max_slash_fraction: Perbill::from_percent(30),
				// The shortest cooldown whose 50% admits the shortest window.
				cooldown: 4,
				unstake_window: 2,
				max_slash_per_block: Perbill::from_percent(50),
				wipe_out_floor: Perbill::from_percent(1),
			}
		);
		assert_eq!(Premium::<Test>::get(), StakingBackstop::default_premium_params());
		assert!(StakingBackstop::ensure_premium_valid(&Premium::<Test>::get()).is_ok());
		assert_eq!(pallet_balance(), 0);
	});
}

#[test]
fn default_genesis_config_is_valid() {
	let config = crate::GenesisConfig::<Test>::default();
	assert!(StakingBackstop::ensure_params_in_bounds(&config.junior_params).is_ok());
	assert!(StakingBackstop::ensure_premium_valid(&config.premium_params).is_ok());
}

// ---- stake ----

#[test]
fn stake_mints_shares_at_price_one() {
	ExtBuilder::default().build_and_execute(|| {
		stake(ALICE, JUNIOR, 1_000);
		assert_eq!(balance(ALICE), ENDOWMENT - 1_000);
		assert_eq!(pallet_balance(), ED + 1_000);
		assert_eq!(position(JUNIOR, ALICE).shares, 1_000);
		assert_eq!(ledger(JUNIOR).assets, 1_000);
		assert_eq!(ledger(JUNIOR).earning_shares, 1_000);
		System::assert_last_event(
			Event::Staked {
				who: ALICE,
				tranche: JUNIOR,
				amount: 1_000,
				shares: 1_000,
				share_price: FixedU128::one(),
			}
			.into(),
		);
		stake(ALICE, JUNIOR, 500);
		assert_eq!(position(JUNIOR, ALICE).shares, 1_500);
	});
}

#[test]
fn stake_rounds_against_the_staker_and_does_not_dilute() {
	ExtBuilder::default().build_and_execute(|| {
		stake(ALICE, JUNIOR, 1_000);
		assert_eq!(absorb(300), 0);
		assert_eq!(ledger(JUNIOR).assets, 700);
		// 100 at a price of 0.7 buys 142.86 shares: 142.
		stake(BOB, JUNIOR, 100);
		assert_eq!(position(JUNIOR, BOB).shares, 142);
		System::assert_last_event(
			Event::Staked {
				who: BOB,
				tranche: JUNIOR,
				amount: 100,
				shares: 142,
				share_price: FixedU128::from_inner(700_525_394_045_534_150),
			}
			.into(),
		);
		let alice = StakingBackstop::position(JUNIOR, &ALICE).unwrap();
		let bob = StakingBackstop::position(JUNIOR, &BOB).unwrap();
		// Alice is not diluted; Bob's 100 is worth 99 (rounded down).
		assert_eq!(alice.value, 700);
		assert_eq!(bob.value, 99);
	});
}

#[test]
fn stake_errors_leave_state_unchanged() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(
			StakingBackstop::stake(RuntimeOrigin::signed(ALICE), JUNIOR, 0),
			Error::<Test>::ZeroAmount
		);
		assert_noop!(
			StakingBackstop::stake(RuntimeOrigin::signed(ALICE), JUNIOR, MIN_STAKE - 1),
			Error::<Test>::BelowMinStake
		);
		assert_noop!(
			StakingBackstop::stake(RuntimeOrigin::signed(NOBODY), JUNIOR, 1_000),
			TokenError::FundsUnavailable
		);
		// The staker is kept alive.
		assert_noop!(
			StakingBackstop::stake(RuntimeOrigin::signed(ALICE), JUNIOR, ENDOWMENT),
			TokenError::NotExpendable
		);
		assert_noop!(StakingBackstop::stake(RuntimeOrigin::none(), JUNIOR, 1_000), BadOrigin);
	});
}

#[test]
fn stake_refuses_an_amount_that_buys_no_share() {
	ExtBuilder::default().build_and_execute(|| {
		stake(ALICE, JUNIOR, 1_000);
		// A share price of 1 000 (not reachable by stakes, redemptions and
		// slashes, which keep it at or below one; written here directly).
		Tranches::<Test>::mutate(JUNIOR, |l| {
			l.shares = 1;
			l.earning_shares = 1;
		});
		Positions::<Test>::mutate(JUNIOR, ALICE, |p| p.as_mut().unwrap().shares = 1);
		assert_noop!(
			StakingBackstop::stake(RuntimeOrigin::signed(BOB), JUNIOR, 999),
			Error::<Test>::ZeroShares
		);
		stake(BOB, JUNIOR, 1_000);
		assert_eq!(position(JUNIOR, BOB).shares, 1);
	});
}

#[test]
fn stake_is_refused_without_the_buffer() {
	ExtBuilder::default().without_pallet_genesis().build_and_execute(|| {
		assert_noop!(
			StakingBackstop::stake(RuntimeOrigin::signed(ALICE), JUNIOR, 1_000),
			Error::<Test>::BufferMissing
		);
	});
}

// ---- unstaking ----

#[test]
fn request_unstake_takes_shares_out_of_earning() {
	ExtBuilder::default().build_and_execute(|| {
		stake(ALICE, JUNIOR, 1_000);
		let id = request(ALICE, JUNIOR, 400);
		assert_eq!(id, 0);
		System::assert_last_event(
			Event::UnstakeRequested {
				who: ALICE,
				tranche: JUNIOR,
				request_id: 0,
				shares: 400,
				value: 400,
				unlock_at: 1 + JUNIOR_COOLDOWN,
				expires_at: 1 + JUNIOR_COOLDOWN + JUNIOR_WINDOW,
			}
			.into(),
		);
		assert_eq!(position(JUNIOR, ALICE).shares, 600);
		assert_eq!(ledger(JUNIOR).shares, 1_000);
		assert_eq!(ledger(JUNIOR).earning_shares, 600);
		assert_eq!(
			UnstakeRequests::<Test>::get(JUNIOR, ALICE),
			Some(UnstakeRequest {
				id: 0,
				epoch: 0,
				shares: 400,
				value: 400,
				unlock_at: 11,
				expires_at: 16
			})
		);
		// The senior cooldown is its own.
		stake(BOB, SENIOR, 1_000);
		request(BOB, SENIOR, 1_000);
		assert_eq!(
			UnstakeRequests::<Test>::get(SENIOR, BOB).map(|r| r.unlock_at),
			Some(1 + SENIOR_COOLDOWN)
		);
		// A position with every share requested stays (as a reward holder)
		// only while it has something.
		assert!(Positions::<Test>::get(SENIOR, BOB).is_none());
	});
}

#[test]
fn request_unstake_errors_leave_state_unchanged() {
	ExtBuilder::default().build_and_execute(|| {
		stake(ALICE, JUNIOR, 1_000);
		assert_noop!(
			StakingBackstop::request_unstake(RuntimeOrigin::signed(ALICE), JUNIOR, 0),
			Error::<Test>::ZeroShareCount
		);
		assert_noop!(
			StakingBackstop::request_unstake(RuntimeOrigin::signed(ALICE), JUNIOR, 1_001),
			Error::<Test>::InsufficientShares
		);
		assert_noop!(
			StakingBackstop::request_unstake(RuntimeOrigin::signed(BOB), JUNIOR, 1),
			Error::<Test>::InsufficientShares
		);
		request(ALICE, JUNIOR, 1);
		// One open request per staker and tranche.
		assert_noop!(
			StakingBackstop::request_unstake(RuntimeOrigin::signed(ALICE), JUNIOR, 1),
			Error::<Test>::UnstakeAlreadyRequested
		);
		stake(BOB, JUNIOR, 1_000);
		NextRequestId::<Test>::put(u64::MAX);
		assert_noop!(
			StakingBackstop::request_unstake(RuntimeOrigin::signed(BOB), JUNIOR, 1),
			Error::<Test>::Overflow
		);
		assert_noop!(StakingBackstop::request_unstake(RuntimeOrigin::none(), JUNIOR, 1), BadOrigin);
	});
}

#[test]
fn stake_unstake_round_trip_returns_the_stake() {
	ExtBuilder::default().build_and_execute(|| {
		stake(ALICE, JUNIOR, 1_000);
		let id = request(ALICE, JUNIOR, 1_000);
		run_to(1 + JUNIOR_COOLDOWN);
		assert_ok!(StakingBackstop::unstake(RuntimeOrigin::signed(ALICE), JUNIOR, id));
		System::assert_last_event(
			Event::Unstaked {
				who: ALICE,
				tranche: JUNIOR,
				request_id: id,
				shares: 1_000,
				amount: 1_000,
				left_in_tranche: 0,
			}
			.into(),
		);
		assert_eq!(balance(ALICE), ENDOWMENT);
		assert_eq!(pallet_balance(), ED);
		assert_eq!(ledger(JUNIOR), TrancheLedger::default());
		assert!(Positions::<Test>::get(JUNIOR, ALICE).is_none());
		assert!(UnstakeRequests::<Test>::get(JUNIOR, ALICE).is_none());
	});
}

#[test]
fn partial_round_trips_never_pay_more_than_staked() {
	ExtBuilder::default().build_and_execute(|| {
		stake(ALICE, JUNIOR, 1_000);
		absorb(333);
		stake(BOB, JUNIOR, 777);
		let bob_shares = position(JUNIOR, BOB).shares;
		let first = request(BOB, JUNIOR, bob_shares / 3);
		run_to(1 + JUNIOR_COOLDOWN);
		assert_ok!(StakingBackstop::unstake(RuntimeOrigin::signed(BOB), JUNIOR, first));
		let second = request(BOB, JUNIOR, bob_shares - bob_shares / 3);
		run_to(1 + 2 * JUNIOR_COOLDOWN);
		assert_ok!(StakingBackstop::unstake(RuntimeOrigin::signed(BOB), JUNIOR, second));
		assert!(balance(BOB) <= ENDOWMENT);
		assert!(ENDOWMENT - balance(BOB) <= 2, "at most one unit lost per redemption");
		// Alice's shares are worth at least what they were before Bob came and went.
		assert!(StakingBackstop::position(JUNIOR, &ALICE).unwrap().value >= 700);
	});
}

#[test]
fn unstake_respects_cooldown_and_window() {
	ExtBuilder::default().build_and_execute(|| {
		stake(ALICE, JUNIOR, 1_000);
		let id = request(ALICE, JUNIOR, 400);
		run_to(JUNIOR_COOLDOWN);
		assert_noop!(
			StakingBackstop::unstake(RuntimeOrigin::signed(ALICE), JUNIOR, id),
			Error::<Test>::CooldownNotElapsed
		);
		run_to(1 + JUNIOR_COOLDOWN + JUNIOR_WINDOW);
		assert_noop!(
			StakingBackstop::unstake(RuntimeOrigin::signed(ALICE), JUNIOR, id),
			Error::<Test>::UnstakeWindowClosed
		);
		assert_noop!(
			StakingBackstop::unstake(RuntimeOrigin::signed(ALICE), JUNIOR, 99),
			Error::<Test>::UnknownUnstakeRequest
		);
		// Someone else's request is unknown to the caller.
		assert_noop!(
			StakingBackstop::unstake(RuntimeOrigin::signed(BOB), JUNIOR, id),
			Error::<Test>::UnknownUnstakeRequest
		);
		assert_noop!(StakingBackstop::unstake(RuntimeOrigin::none(), JUNIOR, id), BadOrigin);
	});
}

#[test]
fn unstake_on_the_last_block_of_the_window_pays() {
	ExtBuilder::default().build_and_execute(|| {
		stake(ALICE, JUNIOR, 1_000);
		let id = request(ALICE, JUNIOR, 400);
		run_to(1 + JUNIOR_COOLDOWN + JUNIOR_WINDOW - 1);
		assert_ok!(StakingBackstop::unstake(RuntimeOrigin::signed(ALICE), JUNIOR, id));
		assert_eq!(balance(ALICE), ENDOWMENT - 600);
	});
}

#[test]
fn a_slash_during_cooldown_is_borne_by_the_unstaker() {
	ExtBuilder::default().build_and_execute(|| {
		stake(ALICE, JUNIOR, 1_000);
		stake(BOB, JUNIOR, 1_000);
		let id = request(ALICE, JUNIOR, 1_000);
		run_to(5);
		// 30% of the tranche's 2 000, shared by earning and cooling shares.
		assert_eq!(absorb(600), 0);
		run_to(1 + JUNIOR_COOLDOWN);
		assert_ok!(StakingBackstop::unstake(RuntimeOrigin::signed(ALICE), JUNIOR, id));
		System::assert_last_event(
			Event::Unstaked {
				who: ALICE,
				tranche: JUNIOR,
				request_id: id,
				shares: 1_000,
				amount: 700,
				left_in_tranche: 0,
			}
			.into(),
		);
		assert_eq!(balance(ALICE), ENDOWMENT - 300);
		assert_eq!(StakingBackstop::position(JUNIOR, &BOB).unwrap().value, 700);
	});
}

#[test]
fn shares_in_cooldown_earn_no_rewards() {
	ExtBuilder::default().build_and_execute(|| {
		stake(ALICE, JUNIOR, 1_000);
		stake(BOB, JUNIOR, 1_000);
		request(ALICE, JUNIOR, 1_000);
		assert_ok!(receive(100));
		assert_eq!(StakingBackstop::pending_rewards(JUNIOR, &ALICE), 0);
		assert_eq!(StakingBackstop::pending_rewards(JUNIOR, &BOB), 100);
	});
}

#[test]
fn cancel_unstake_returns_shares_to_earning() {
	ExtBuilder::default().build_and_execute(|| {
		stake(ALICE, JUNIOR, 1_000);
		let id = request(ALICE, JUNIOR, 400);
		assert_ok!(StakingBackstop::cancel_unstake(RuntimeOrigin::signed(ALICE), JUNIOR, id));
		System::assert_last_event(
			Event::UnstakeCancelled { who: ALICE, tranche: JUNIOR, request_id: id, shares: 400 }
				.into(),
		);
		assert_eq!(position(JUNIOR, ALICE).shares, 1_000);
		assert_eq!(ledger(JUNIOR).earning_shares, 1_000);
		assert!(UnstakeRequests::<Test>::get(JUNIOR, ALICE).is_none());
		assert_noop!(
			StakingBackstop::cancel_unstake(RuntimeOrigin::signed(ALICE), JUNIOR, id),
			Error::<Test>::UnknownUnstakeRequest
		);
		let id = request(ALICE, JUNIOR, 400);
		assert_noop!(
			StakingBackstop::cancel_unstake(RuntimeOrigin::signed(BOB), JUNIOR, id),
			Error::<Test>::UnknownUnstakeRequest
		);
		assert_noop!(StakingBackstop::cancel_unstake(RuntimeOrigin::none(), JUNIOR, id), BadOrigin);
		// Cancelled shares earn again.
		assert_ok!(StakingBackstop::cancel_unstake(RuntimeOrigin::signed(ALICE), JUNIOR, id));
		assert_ok!(receive(100));
		assert_eq!(StakingBackstop::pending_rewards(JUNIOR, &ALICE), 100);
	});
}

#[test]
fn a_lapsed_request_returns_to_earning_when_the_staker_acts() {
	ExtBuilder::default().build_and_execute(|| {
		stake(ALICE, JUNIOR, 1_000);
		stake(BOB, JUNIOR, 1_000);
		let id = request(ALICE, JUNIOR, 1_000);
		run_to(1 + JUNIOR_COOLDOWN + JUNIOR_WINDOW);
		assert_eq!(
			StakingBackstop::unstake_requests(JUNIOR, &ALICE)[0].status,
			UnstakeStatus::Lapsed
		);
		// Lapsed but not yet processed: still not earning, still slashable.
		assert_ok!(receive(100));
		assert_eq!(StakingBackstop::pending_rewards(JUNIOR, &ALICE), 0);
		// Any staker call processes the lapse; cancelling it succeeds.
		assert_ok!(StakingBackstop::cancel_unstake(RuntimeOrigin::signed(ALICE), JUNIOR, id));
		System::assert_last_event(
			Event::UnstakeLapsed { who: ALICE, tranche: JUNIOR, request_id: id, shares: 1_000 }
				.into(),
		);
		assert_eq!(position(JUNIOR, ALICE).shares, 1_000);
		assert_eq!(ledger(JUNIOR).earning_shares, 2_000);
		assert_ok!(receive(100));
		assert_eq!(StakingBackstop::pending_rewards(JUNIOR, &ALICE), 50);
		assert_eq!(StakingBackstop::pending_rewards(JUNIOR, &BOB), 150);
	});
}

#[test]
fn a_lapse_is_processed_by_a_new_stake() {
	ExtBuilder::default().build_and_execute(|| {
		stake(ALICE, JUNIOR, 1_000);
		let id = request(ALICE, JUNIOR, 400);
		run_to(1 + JUNIOR_COOLDOWN + JUNIOR_WINDOW + 3);
		stake(ALICE, JUNIOR, 100);
		let events = backstop_events();
		let n = events.len();
		assert_eq!(
			events[n - 2],
			Event::UnstakeLapsed { who: ALICE, tranche: JUNIOR, request_id: id, shares: 400 }
		);
		assert_eq!(position(JUNIOR, ALICE).shares, 1_100);
		assert!(UnstakeRequests::<Test>::get(JUNIOR, ALICE).is_none());
	});
}

#[test]
fn a_new_cooldown_applies_to_new_requests_only() {
	ExtBuilder::default().build_and_execute(|| {
		stake(ALICE, JUNIOR, 1_000);
		let old = request(ALICE, JUNIOR, 100);
		assert_ok!(StakingBackstop::set_tranche_params(
			RuntimeOrigin::root(),
			JUNIOR,
			params(MIN_STAKE, 30, 50, 5),
		));
		let request_of =
			|| UnstakeRequests::<Test>::get(JUNIOR, ALICE).map(|r| (r.id, r.unlock_at));
		assert_eq!(request_of(), Some((old, 11)));
		assert_ok!(StakingBackstop::cancel_unstake(RuntimeOrigin::signed(ALICE), JUNIOR, old));
		let new = request(ALICE, JUNIOR, 100);
		assert_eq!(request_of(), Some((new, 51)));
	});
}

// ---- slashing ----

#[test]
fn slashing_takes_junior_then_senior_within_caps() {
	ExtBuilder::default().build_and_execute(|| {
		stake(ALICE, JUNIOR, 1_000);
		stake(BOB, SENIOR, 2_000);
		assert_eq!(capacity(), 300 + 400);
		System::reset_events();
		assert_eq!(absorb(1_000), 300);
		assert_eq!(balance(BENEFICIARY), ENDOWMENT + 700);
		assert_eq!(ledger(JUNIOR).assets, 700);
		assert_eq!(ledger(SENIOR).assets, 1_600);
		// Shares are untouched: the price fell.
		assert_eq!(ledger(JUNIOR).shares, 1_000);
		assert_eq!(
			backstop_events(),
			vec![
				Event::TrancheSlashed {
					tier: LossTier::StakingBackstop,
					market: MARKET,
					tranche: JUNIOR,
					amount: 300,
					beneficiary: BENEFICIARY,
					share_price: price(7, 10),
				},
				Event::TrancheSlashed {
					tier: LossTier::StakingBackstop,
					market: MARKET,
					tranche: SENIOR,
					amount: 400,
					beneficiary: BENEFICIARY,
					share_price: price(8, 10),
				},
				Event::LossAbsorbed {
					tier: LossTier::StakingBackstop,
					market: MARKET,
					loss: 1_000,
					covered: 700,
					uncovered: 300,
				},
			]
		);
		assert_eq!(capacity(), 210 + 320);
		assert_eq!(StakingBackstop::share_price(JUNIOR), price(7, 10));
	});
}

#[test]
fn a_small_loss_touches_only_the_junior_tranche() {
	ExtBuilder::default().build_and_execute(|| {
		stake(ALICE, JUNIOR, 1_000);
		stake(BOB, SENIOR, 2_000);
		System::reset_events();
		assert_eq!(absorb(100), 0);
		assert_eq!(ledger(JUNIOR).assets, 900);
		assert_eq!(ledger(SENIOR).assets, 2_000);
		assert_eq!(backstop_events().len(), 2);
		System::assert_last_event(
			Event::LossAbsorbed {
				tier: LossTier::StakingBackstop,
				market: MARKET,
				loss: 100,
				covered: 100,
				uncovered: 0,
			}
			.into(),
		);
	});
}

#[test]
fn slash_caps_round_down() {
	ExtBuilder::default().build_and_execute(|| {
		stake(ALICE, JUNIOR, 1_009);
		stake(BOB, SENIOR, 1_004);
		// 30% of 1 009 = 302.7 -> 302; 20% of 1 004 = 200.8 -> 200.
		assert_eq!(capacity(), 502);
		assert_eq!(absorb(10_000), 10_000 - 502);
		assert_eq!(ledger(JUNIOR).assets, 707);
		assert_eq!(ledger(SENIOR).assets, 804);
	});
}

#[test]
fn nothing_to_absorb_touches_nothing() {
	ExtBuilder::default().build_and_execute(|| {
		stake(ALICE, JUNIOR, 1_000);
		System::reset_events();
		assert_eq!(absorb(0), 0);
		assert!(backstop_events().is_empty());
	});
}

#[test]
fn an_empty_backstop_passes_the_whole_loss_on() {
	ExtBuilder::default().build_and_execute(|| {
		assert_eq!(capacity(), 0);
		assert_eq!(absorb(500), 500);
		System::assert_last_event(
			Event::LossAbsorbed {
				tier: LossTier::StakingBackstop,
				market: MARKET,
				loss: 500,
				covered: 0,
				uncovered: 500,
			}
			.into(),
		);
		assert_eq!(balance(BENEFICIARY), ENDOWMENT);
	});
}

#[test]
fn a_failed_payment_slashes_nothing() {
	ExtBuilder::default().params(JUNIOR, params(0, 30, 10, 5)).build_and_execute(|| {
		stake(ALICE, JUNIOR, 30);
		stake(BOB, SENIOR, 1_000);
		System::reset_events();
		// The junior cap (9) is below the minimum balance of a new account:
		// the junior payment fails and the senior tranche pays all 50.
		let uncovered = <StakingBackstop as LossAbsorber<AccountId>>::absorb(MARKET, 50, &NOBODY);
		assert_eq!(uncovered, 0);
		assert_eq!(ledger(JUNIOR).assets, 30);
		assert_eq!(ledger(SENIOR).assets, 950);
		assert_eq!(balance(NOBODY), 50);
		assert_eq!(
			backstop_events()[0],
			Event::SlashFailed {
				tier: LossTier::StakingBackstop,
				market: MARKET,
				tranche: JUNIOR,
				amount: 9,
				error: TokenError::BelowMinimum.into(),
			}
		);
	});
}

/// Every storage key with its value.
fn snapshot() -> BTreeMap<Vec<u8>, Vec<u8>> {
	let mut all = BTreeMap::new();
	let mut key = Vec::new();
	while let Some(next) = sp_io::storage::next_key(&key) {
		let value = sp_io::storage::get(&next).map(|v| v.to_vec()).unwrap_or_default();
		all.insert(next.clone(), value);
		key = next;
	}
	all
}

/// The keys `absorb` writes with `stakers` stakers in both tranches.
fn keys_written_by_absorb(stakers: u64) -> BTreeSet<Vec<u8>> {
	let mut written = BTreeSet::new();
	ExtBuilder::default().build_and_execute(|| {
		for who in 1_000..1_000 + stakers {
			Balances::mint_into(&who, 1_000).unwrap();
			stake(who, JUNIOR, 400);
			stake(who, SENIOR, 400);
		}
		System::reset_events();
		let capacity = StakingBackstop::total_capacity();
		let before = snapshot();
		assert_eq!(absorb(1_000_000), 1_000_000 - capacity);
		let after = snapshot();
		for (key, value) in &after {
			if before.get(key) != Some(value) {
				written.insert(key.clone());
			}
		}
		for key in before.keys() {
			if !after.contains_key(key) {
				written.insert(key.clone());
			}
		}
	});
	written
}

#[test]
fn slashing_does_not_visit_stakers() {
	let one = keys_written_by_absorb(1);
	let many = keys_written_by_absorb(500);
	assert_eq!(one, many, "absorb writes the same keys whatever the number of stakers");
	let positions = Positions::<Test>::final_prefix();
	let requests = UnstakeRequests::<Test>::final_prefix();
	assert!(one.iter().all(|key| !key.starts_with(&positions) && !key.starts_with(&requests)));
}

#[test]
fn a_wiped_out_tranche_recovers_safely() {
	ExtBuilder::default()
		.max_slash_fraction(Perbill::one())
		.params(JUNIOR, params(MIN_STAKE, 100, 10, 5))
		.build_and_execute(|| {
			stake(ALICE, JUNIOR, 1_000);
			let id = request(ALICE, JUNIOR, 400);
			// All rewards go to the junior tranche (no senior staker): 100
			// over 600 earning shares.
			assert_ok!(receive(100));
			assert_eq!(StakingBackstop::pending_rewards(JUNIOR, &ALICE), 99);

			System::reset_events();
			assert_eq!(absorb(1_500), 500);
			let events = backstop_events();
			assert_eq!(
				events[0],
				Event::TrancheSlashed {
					tier: LossTier::StakingBackstop,
					market: MARKET,
					tranche: JUNIOR,
					amount: 1_000,
					beneficiary: BENEFICIARY,
					share_price: FixedU128::zero(),
				}
			);
			assert_eq!(
				events[1],
				Event::TrancheWipedOut {
					tranche: JUNIOR,
					epoch: 1,
					voided_shares: 1_000,
					dust_to_beneficiary: 0,
					dust_to_rewards: 0,
				}
			);
			let wiped = ledger(JUNIOR);
			assert_eq!(
				(wiped.epoch, wiped.assets, wiped.shares, wiped.earning_shares),
				(1, 0, 0, 0)
			);
			assert_eq!(StakingBackstop::share_price(JUNIOR), FixedU128::one());
			assert_eq!(capacity(), 0);

			// A new staker starts at a fresh price of one and is not diluted
			// by the worthless shares.
			stake(BOB, JUNIOR, 500);
			assert_eq!(position(JUNIOR, BOB).shares, 500);
			assert_eq!(StakingBackstop::position(JUNIOR, &BOB).unwrap().value, 500);

			// The old staker's shares are worth nothing; the rewards earned
			// before the wipe-out stay claimable.
			assert_eq!(
				StakingBackstop::position(JUNIOR, &ALICE),
				Some(PositionInfo {
					tranche: JUNIOR,
					earning_shares: 0,
					unstaking_shares: 0,
					value: 0,
					pending_rewards: 99,
				})
			);
			assert_eq!(
				StakingBackstop::unstake_requests(JUNIOR, &ALICE)[0].status,
				UnstakeStatus::Void
			);
			// Unstaking the void request pays nothing and drops it.
			run_to(1 + JUNIOR_COOLDOWN);
			let before = balance(ALICE);
			assert_ok!(StakingBackstop::unstake(RuntimeOrigin::signed(ALICE), JUNIOR, id));
			System::assert_last_event(
				Event::SharesVoided { who: ALICE, tranche: JUNIOR, shares: 1_000 }.into(),
			);
			assert_eq!(balance(ALICE), before);
			assert!(UnstakeRequests::<Test>::get(JUNIOR, ALICE).is_none());
			assert_ok!(StakingBackstop::claim_rewards(RuntimeOrigin::signed(ALICE), JUNIOR));
			assert_eq!(balance(ALICE), before + 99);
			assert!(Positions::<Test>::get(JUNIOR, ALICE).is_none());

			// Alice may stake again, at the new epoch's price.
			stake(ALICE, JUNIOR, 250);
			assert_eq!(position(JUNIOR, ALICE).shares, 250);
			assert_eq!(position(JUNIOR, ALICE).epoch, 1);
		});
}

#[test]
fn cancelling_a_void_request_drops_it() {
	ExtBuilder::default()
		.max_slash_fraction(Perbill::one())
		.params(JUNIOR, params(MIN_STAKE, 100, 10, 5))
		.build_and_execute(|| {
			stake(ALICE, JUNIOR, 1_000);
			let id = request(ALICE, JUNIOR, 1_000);
			absorb(1_000);
			assert_ok!(StakingBackstop::cancel_unstake(RuntimeOrigin::signed(ALICE), JUNIOR, id));
			System::assert_last_event(
				Event::SharesVoided { who: ALICE, tranche: JUNIOR, shares: 1_000 }.into(),
			);
			assert!(UnstakeRequests::<Test>::get(JUNIOR, ALICE).is_none());
			assert!(Positions::<Test>::get(JUNIOR, ALICE).is_none());
		});
}

// ---- rewards ----

#[test]
fn revenue_is_split_by_capital_weight() {
	ExtBuilder::default().build_and_execute(|| {
		stake(ALICE, JUNIOR, 1_000);
		stake(BOB, SENIOR, 1_000);
		// Junior weight 3 × 1 000, senior 1 000: 3/4 to the junior tranche.
		assert_eq!(receive(1_000), Ok(1_000));
		System::assert_last_event(
			Event::RevenueReceived {
				market: MARKET,
				kind: RevenueKind::TradingFee,
				source: SOURCE,
				amount: 1_000,
				junior_weight: 3_000,
				senior_weight: 1_000,
				to_junior: 750,
				to_senior: 250,
				undistributed: 0,
			}
			.into(),
		);
		assert_eq!(balance(SOURCE), ENDOWMENT - 1_000);
		assert_eq!(RewardPot::<Test>::get(), 1_000);
		assert_eq!(StakingBackstop::pending_rewards(JUNIOR, &ALICE), 750);
		assert_eq!(StakingBackstop::pending_rewards(SENIOR, &BOB), 250);
		// Shares in cooldown weigh nothing: Bob's senior request halves the
		// senior weight.
		request(BOB, SENIOR, 500);
		assert_ok!(receive(700));
		assert_eq!(StakingBackstop::pending_rewards(JUNIOR, &ALICE), 750 + 600);
		assert_eq!(StakingBackstop::pending_rewards(SENIOR, &BOB), 250 + 100);
	});
}

#[test]
fn a_bigger_junior_tranche_earns_proportionally_more() {
	let junior_take = |junior: Balance| {
		let mut take = 0;
		ExtBuilder::default().build_and_execute(|| {
			stake(ALICE, JUNIOR, junior);
			stake(BOB, SENIOR, 10_000);
			assert_ok!(receive(100_000));
			take = StakingBackstop::pending_rewards(JUNIOR, &ALICE);
		});
		take
	};
	// 3 × 1 000 against 10 000; 3 × 2 000; 3 × 10 000.
	assert_eq!(junior_take(1_000), 23_076);
	assert_eq!(junior_take(2_000), 37_500);
	assert_eq!(junior_take(10_000), 75_000);
	assert!(junior_take(2_000) > junior_take(1_000));
	// The junior rate per unit of capital is the multiple times the senior
	// one, whatever its size.
	for junior in [1_000, 2_000, 10_000] {
		let to_junior = junior_take(junior);
		let to_senior = 100_000 - to_junior;
		// to_junior / junior ≈ 3 × to_senior / 10 000, within rounding.
		let lhs = to_junior * 10_000;
		let rhs = 3 * to_senior * junior;
		assert!(lhs.abs_diff(rhs) <= 3 * 10_000, "{junior}: {lhs} vs {rhs}");
	}
}

#[test]
fn a_newcomer_in_a_tiny_junior_tranche_no_longer_captures_most_fees() {
	ExtBuilder::default().params(JUNIOR, params(0, 30, 10, 5)).build_and_execute(|| {
		// A junior tranche of one unit, a senior one of a million;
		// a newcomer brings 100.
		stake(BOB, SENIOR, 1_000_000);
		stake(CHARLIE, JUNIOR, 1);
		stake(ALICE, JUNIOR, 100);
		assert_ok!(receive(10_000));
		let alice = StakingBackstop::pending_rewards(JUNIOR, &ALICE);
		// Weight 3 × 101 against 1 000 000: about 0.03% of the fees.
		assert_eq!(alice, 2);
		assert!(alice * 100 < 10_000);
		assert_eq!(StakingBackstop::pending_rewards(SENIOR, &BOB), 9_997);
	});
}

#[test]
fn backstop_premium_and_insurance_surplus_are_taken() {
	for kind in [RevenueKind::BackstopPremium, RevenueKind::InsuranceSurplus] {
		ExtBuilder::default().build_and_execute(|| {
			stake(ALICE, JUNIOR, 1_000);
			assert_eq!(
				<StakingBackstop as RevenueSink<AccountId>>::receive(MARKET, kind, &SOURCE, 300),
				Ok(300)
			);
			assert_eq!(StakingBackstop::pending_rewards(JUNIOR, &ALICE), 300);
		});
	}
}

fn annual(percent_millionths: u128) -> FixedU128 {
	FixedU128::from_inner(percent_millionths * 1_000_000_000_000)
}

#[test]
fn the_premium_rises_as_coverage_falls() {
	use backstop_primitives::BackstopPremium;
	ExtBuilder::default().build_and_execute(|| {
		stake(ALICE, JUNIOR, 1_000);
		stake(BOB, SENIOR, 1_000);
		let calm = FixedU128::zero();
		let annual_at = |required: Balance| {
			MockExposure::set_required(required);
			StakingBackstop::premium_rates(calm).1
		};
		// Nothing required: priced as ample coverage, the lowest rate.
		assert_eq!(annual_at(0), annual(40_000));
		assert_eq!(StakingBackstop::coverage(), None);
		assert_eq!(annual_at(500), annual(40_000)); // coverage 4
		assert_eq!(annual_at(800), annual(50_000)); // coverage 2.5
		assert_eq!(annual_at(1_000), annual(60_000)); // coverage 2
		assert_eq!(annual_at(2_000), annual(80_000)); // coverage 1
		assert_eq!(annual_at(100_000), annual(80_000)); // coverage 0.02
												  // A loss lowers the capital, so the coverage; the premium rises.
		MockExposure::set_required(800);
		absorb(400);
		assert_eq!(StakingBackstop::total_capital(), 1_600);
		assert_eq!(StakingBackstop::coverage(), Some(FixedU128::from_u32(2)));
		assert_eq!(StakingBackstop::premium_rates(calm).1, annual(60_000));
		// Per block: the annual rate over 5 256 000 blocks, rounded down.
		let (per_block, annual_rate) = StakingBackstop::premium_rates(calm);
		assert_eq!(per_block, FixedU128::from_inner(annual_rate.into_inner() / 5_256_000));
		let quote = <StakingBackstop as BackstopPremium>::quote();
		assert_eq!(
			<StakingBackstop as BackstopPremium>::premium_rate(&quote, MARKET, calm),
			per_block
		);
		// The required capital is the exposure's, unchanged.
		MockExposure::set_required(8_001);
		assert_eq!(StakingBackstop::required_capital(), 8_001);
	});
}

#[test]
fn the_premium_rises_with_volatility_up_to_the_cap() {
	ExtBuilder::default().build_and_execute(|| {
		stake(ALICE, JUNIOR, 1_000);
		MockExposure::set_required(500); // coverage 2: 6% base
		let at = |volatility: FixedU128| StakingBackstop::premium_rates(volatility).1;
		assert_eq!(at(FixedU128::zero()), annual(60_000));
		// 2 × 1% of volatility adds 2% a year.
		assert_eq!(at(FixedU128::from_rational(1, 100)), annual(80_000));
		assert_eq!(at(FixedU128::from_rational(5, 100)), annual(160_000));
		// Capped at 20%.
		assert_eq!(at(FixedU128::from_rational(1, 10)), annual(200_000));
		assert_eq!(at(FixedU128::from_u32(1_000)), annual(200_000));
	});
}

proptest::proptest! {
	#![proptest_config(proptest::test_runner::Config::with_cases(64))]

	#[test]
	fn the_premium_is_monotone_in_coverage_and_volatility(
		junior in 100u128..1_000_000,
		senior in 100u128..1_000_000,
		required_a in 0u128..10_000_000,
		required_b in 0u128..10_000_000,
		vol_a in 0u128..200_000_000_000_000_000,
		vol_b in 0u128..200_000_000_000_000_000,
	) {
		ExtBuilder::default().build_and_execute(|| {
			stake(ALICE, JUNIOR, junior);
			stake(BOB, SENIOR, senior);
			let (calm, wild) = (
				FixedU128::from_inner(vol_a.min(vol_b)),
				FixedU128::from_inner(vol_a.max(vol_b)),
			);
			// Less required means more coverage.
			let (less, more) = (required_a.min(required_b), required_a.max(required_b));
			MockExposure::set_required(less);
			let ample = StakingBackstop::premium_rates(calm);
			MockExposure::set_required(more);
			let scarce = StakingBackstop::premium_rates(calm);
			let scarce_wild = StakingBackstop::premium_rates(wild);
			assert!(ample.1 <= scarce.1, "the premium falls as coverage rises");
			assert!(ample.0 <= scarce.0);
			assert!(scarce.1 <= scarce_wild.1, "the premium rises with volatility");
			assert!(scarce_wild.1 <= annual(200_000), "capped");
		});
	}
}

#[test]
fn pricing_reports_yields_with_the_junior_multiple() {
	ExtBuilder::default().build_and_execute(|| {
		stake(ALICE, JUNIOR, 1_000);
		stake(BOB, SENIOR, 3_000);
		MockExposure::set_required(2_000);
		MockExposure::set_premium_per_block(1);
		let pricing = StakingBackstop::pricing();
		assert_eq!(pricing.capital, 4_000);
		assert_eq!(pricing.required_capital, 2_000);
		assert_eq!(pricing.coverage, Some(FixedU128::from_u32(2)));
		assert_eq!(pricing.base_annual_rate, Permill::from_percent(6));
		assert_eq!(pricing.annual_premium, 5_256_000);
		// Weights 3 × 1 000 and 3 000: half each.
		assert_eq!(pricing.junior_yield, FixedU128::from_u32(2_628));
		assert_eq!(pricing.senior_yield, FixedU128::from_u32(876));
		assert_eq!(pricing.junior_yield, pricing.senior_yield * FixedU128::from_u32(3));
		// No assets, no yield.
		MockExposure::set_premium_per_block(0);
		assert_eq!(StakingBackstop::pricing().junior_yield, FixedU128::zero());
	});
	ExtBuilder::default().build_and_execute(|| {
		MockExposure::set_premium_per_block(10);
		let pricing = StakingBackstop::pricing();
		assert_eq!((pricing.junior_yield, pricing.senior_yield), (Zero::zero(), Zero::zero()));
		assert_eq!(pricing.coverage, None);
	});
}

#[test]
fn rewards_of_a_tranche_without_earning_shares_go_to_the_other() {
	ExtBuilder::default().build_and_execute(|| {
		stake(BOB, SENIOR, 1_000);
		assert_ok!(receive(1_000));
		assert_eq!(StakingBackstop::pending_rewards(SENIOR, &BOB), 1_000);
		assert_eq!(Undistributed::<Test>::get(), 0);
	});
}

#[test]
fn rewards_wait_when_nobody_earns() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(receive(500));
		assert_eq!(Undistributed::<Test>::get(), 500);
		assert_eq!(RewardPot::<Test>::get(), 0);
		System::assert_last_event(
			Event::RevenueReceived {
				market: MARKET,
				kind: RevenueKind::TradingFee,
				source: SOURCE,
				amount: 500,
				junior_weight: 0,
				senior_weight: 0,
				to_junior: 0,
				to_senior: 0,
				undistributed: 500,
			}
			.into(),
		);
		stake(ALICE, JUNIOR, 1_000);
		// Zero revenue distributes nothing.
		assert_eq!(receive(0), Ok(0));
		assert_eq!(Undistributed::<Test>::get(), 500);
		assert_ok!(receive(100));
		assert_eq!(Undistributed::<Test>::get(), 0);
		assert_eq!(StakingBackstop::pending_rewards(JUNIOR, &ALICE), 600);
	});
}

#[test]
fn a_new_stake_does_not_earn_past_rewards() {
	ExtBuilder::default().build_and_execute(|| {
		stake(ALICE, JUNIOR, 1_000);
		assert_ok!(receive(100));
		stake(BOB, JUNIOR, 3_000);
		assert_eq!(StakingBackstop::pending_rewards(JUNIOR, &BOB), 0);
		assert_ok!(receive(400));
		assert_eq!(StakingBackstop::pending_rewards(JUNIOR, &ALICE), 200);
		assert_eq!(StakingBackstop::pending_rewards(JUNIOR, &BOB), 300);
		// Rewards settled by a stake stay pending.
		stake(ALICE, JUNIOR, 1_000);
		assert_eq!(position(JUNIOR, ALICE).pending_rewards, 200);
	});
}

#[test]
fn reward_rounding_is_kept_for_later() {
	ExtBuilder::default().build_and_execute(|| {
		stake(ALICE, JUNIOR, 300);
		stake(BOB, JUNIOR, 300);
		stake(CHARLIE, JUNIOR, 400);
		// 1 unit over 1 000 shares: the index moves by 0.001 per share.
		assert_ok!(receive(1));
		assert_eq!(RewardPot::<Test>::get(), 1);
		assert_eq!(StakingBackstop::pending_rewards(JUNIOR, &ALICE), 0);
		assert_ok!(receive(1));
		assert_ok!(receive(1));
		// 3 units: 0.9, 0.9 and 1.2 owed -> 0, 0, 1; the dust stays in the pot.
		assert_eq!(StakingBackstop::pending_rewards(JUNIOR, &CHARLIE), 1);
		assert_eq!(RewardPot::<Test>::get(), 3);
	});
}

#[test]
fn claim_rewards_pays_what_is_pending() {
	ExtBuilder::default().build_and_execute(|| {
		stake(ALICE, JUNIOR, 1_000);
		assert_ok!(receive(250));
		assert_ok!(StakingBackstop::claim_rewards(RuntimeOrigin::signed(ALICE), JUNIOR));
		System::assert_last_event(
			Event::RewardsClaimed { who: ALICE, tranche: JUNIOR, amount: 250 }.into(),
		);
		assert_eq!(balance(ALICE), ENDOWMENT - 1_000 + 250);
		assert_eq!(RewardPot::<Test>::get(), 0);
		assert_noop!(
			StakingBackstop::claim_rewards(RuntimeOrigin::signed(ALICE), JUNIOR),
			Error::<Test>::NothingToClaim
		);
		assert_noop!(
			StakingBackstop::claim_rewards(RuntimeOrigin::signed(BOB), JUNIOR),
			Error::<Test>::NothingToClaim
		);
		assert_noop!(StakingBackstop::claim_rewards(RuntimeOrigin::none(), JUNIOR), BadOrigin);
	});
}

#[test]
fn rewards_can_be_claimed_after_leaving() {
	ExtBuilder::default().build_and_execute(|| {
		stake(ALICE, JUNIOR, 1_000);
		assert_ok!(receive(100));
		let id = request(ALICE, JUNIOR, 1_000);
		run_to(1 + JUNIOR_COOLDOWN);
		assert_ok!(StakingBackstop::unstake(RuntimeOrigin::signed(ALICE), JUNIOR, id));
		// The position holds no share but still its rewards.
		assert_eq!(position(JUNIOR, ALICE).shares, 0);
		assert_ok!(StakingBackstop::claim_rewards(RuntimeOrigin::signed(ALICE), JUNIOR));
		assert_eq!(balance(ALICE), ENDOWMENT + 100);
		assert!(Positions::<Test>::get(JUNIOR, ALICE).is_none());
	});
}

#[test]
fn a_claim_beyond_the_pot_is_refused() {
	// The pot is emptied by hand, an inconsistency no call can create:
	// the invariants are not checked afterwards.
	ExtBuilder::default().build().execute_with(|| {
		stake(ALICE, JUNIOR, 1_000);
		assert_ok!(receive(100));
		RewardPot::<Test>::put(50);
		assert_noop!(
			StakingBackstop::claim_rewards(RuntimeOrigin::signed(ALICE), JUNIOR),
			Error::<Test>::LedgerInconsistent
		);
	});
}

#[test]
fn revenue_errors_move_nothing() {
	ExtBuilder::default().build_and_execute(|| {
		stake(ALICE, JUNIOR, 1_000);
		assert_noop!(
			<StakingBackstop as RevenueSink<AccountId>>::receive(
				MARKET,
				RevenueKind::LiquidationPenalty,
				&SOURCE,
				100,
			),
			Error::<Test>::UnsupportedRevenue
		);
		assert_noop!(
			<StakingBackstop as RevenueSink<AccountId>>::receive(
				MARKET,
				RevenueKind::TradingFee,
				&NOBODY,
				100,
			),
			TokenError::FundsUnavailable
		);
	});
}

#[test]
fn revenue_restores_a_missing_buffer() {
	ExtBuilder::default().without_pallet_genesis().build_and_execute(|| {
		assert_noop!(receive(ED - 1), Error::<Test>::BufferMissing);
		assert_eq!(receive(100), Ok(100));
		let events = backstop_events();
		assert_eq!(events[0], Event::BufferRestored { amount: ED });
		assert_eq!(pallet_balance(), 100);
		assert_eq!(Undistributed::<Test>::get(), 100 - ED);
		// Now stakes are taken.
		stake(ALICE, JUNIOR, 1_000);
	});
}

// ---- governance ----

#[test]
fn governance_sets_tranche_parameters_within_bounds() {
	ExtBuilder::default().build_and_execute(|| {
		let new = params(1_000, 50, 1_000, 500);
		assert_ok!(StakingBackstop::set_tranche_params(RuntimeOrigin::root(), SENIOR, new));
		assert_eq!(Params::<Test>::get(SENIOR), new);
		System::assert_last_event(Event::TrancheParamsSet { tranche: SENIOR, params: new }.into());

		let set = |p| StakingBackstop::set_tranche_params(RuntimeOrigin::root(), JUNIOR, p);
		assert_noop!(
			StakingBackstop::set_tranche_params(RuntimeOrigin::signed(ALICE), JUNIOR, new),
			BadOrigin
		);
		assert_noop!(set(params(1_000_001, 30, 10, 5)), Error::<Test>::MinStakeTooHigh);
		assert_noop!(set(params(100, 51, 10, 5)), Error::<Test>::SlashFractionTooHigh);
		assert_noop!(set(params(100, 30, 1, 5)), Error::<Test>::CooldownTooShort);
		assert_noop!(set(params(100, 30, 1_001, 5)), Error::<Test>::CooldownTooLong);
		assert_noop!(set(params(100, 30, 10, 1)), Error::<Test>::UnstakeWindowTooShort);
		assert_noop!(set(params(100, 30, 1_000, 1_001)), Error::<Test>::UnstakeWindowTooLong);
		// The window is at most half (the mock's `MaxWindowFraction`) of the
		// cooldown, rounded down.
		assert_ok!(set(params(100, 30, 11, 5)));
		assert_noop!(set(params(100, 30, 11, 6)), Error::<Test>::UnstakeWindowTooLongForCooldown);
		assert_noop!(set(params(100, 30, 9, 5)), Error::<Test>::UnstakeWindowTooLongForCooldown);
		let base = params(100, 30, 10, 5);
		assert_noop!(
			set(TrancheParams { wipe_out_floor: Perbill::zero(), ..base }),
			Error::<Test>::WipeOutFloorZero
		);
		assert_noop!(
			set(TrancheParams { wipe_out_floor: Perbill::from_parts(100_000_001), ..base }),
			Error::<Test>::WipeOutFloorTooHigh
		);
		assert_ok!(set(TrancheParams { wipe_out_floor: Perbill::from_percent(10), ..base }));
		assert_noop!(
			set(TrancheParams { max_slash_per_block: Perbill::zero(), ..base }),
			Error::<Test>::BlockSlashCapZero
		);
	});
}

#[test]
fn a_raised_minimum_stake_applies_at_once() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(StakingBackstop::set_tranche_params(
			RuntimeOrigin::root(),
			JUNIOR,
			params(500, 30, 10, 5),
		));
		assert_noop!(
			StakingBackstop::stake(RuntimeOrigin::signed(ALICE), JUNIOR, 499),
			Error::<Test>::BelowMinStake
		);
		stake(ALICE, JUNIOR, 500);
	});
}

#[test]
fn governance_sets_the_premium_parameters_within_bounds() {
	ExtBuilder::default().build_and_execute(|| {
		let new = PremiumParams {
			rate_max: Permill::from_percent(30),
			rate_min: Permill::from_percent(1),
			coverage_low: FixedU128::from_rational(1, 2),
			coverage_high: FixedU128::from_u32(10),
			volatility_weight: FixedU128::from_u32(5),
			rate_cap: Permill::from_percent(40),
			junior_multiple: FixedU128::from_u32(10),
		};
		assert_ok!(StakingBackstop::set_premium_params(RuntimeOrigin::root(), new));
		assert_eq!(Premium::<Test>::get(), new);
		System::assert_last_event(Event::PremiumParamsSet { params: new }.into());

		let set = |c| StakingBackstop::set_premium_params(RuntimeOrigin::root(), c);
		assert_noop!(
			StakingBackstop::set_premium_params(RuntimeOrigin::signed(ALICE), new),
			BadOrigin
		);
		assert_noop!(
			set(PremiumParams { coverage_low: FixedU128::from_u32(10), ..new }),
			Error::<Test>::CoverageRangeEmpty
		);
		assert_noop!(
			set(PremiumParams { coverage_high: FixedU128::from_u32(11), ..new }),
			Error::<Test>::CoverageTooHigh
		);
		assert_noop!(
			set(PremiumParams { rate_min: Permill::from_percent(31), ..new }),
			Error::<Test>::PremiumRateRangeInverted
		);
		assert_noop!(
			set(PremiumParams { rate_cap: Permill::from_percent(29), ..new }),
			Error::<Test>::PremiumRateAboveCap
		);
		assert_noop!(
			set(PremiumParams { junior_multiple: FixedU128::from_rational(99, 100), ..new }),
			Error::<Test>::JuniorMultipleBelowOne
		);
		assert_noop!(
			set(PremiumParams { junior_multiple: FixedU128::from_rational(1001, 100), ..new }),
			Error::<Test>::JuniorMultipleTooHigh
		);
		// A multiple of one pays both tranches the same rate.
		assert_ok!(set(PremiumParams { junior_multiple: FixedU128::one(), ..new }));
	});
}

// ---- runtime API helpers ----

#[test]
fn runtime_api_helpers_report_the_state() {
	ExtBuilder::default().build_and_execute(|| {
		stake(ALICE, JUNIOR, 1_000);
		stake(BOB, SENIOR, 3_000);
		let open = request(ALICE, JUNIOR, 300);
		MockExposure::set_required(2_000);
		absorb(100);
		assert_ok!(receive(1_000));

		let info = StakingBackstop::tranche_info(JUNIOR);
		assert_eq!(info.tranche, JUNIOR);
		assert_eq!(info.assets, 900);
		assert_eq!(info.shares, 1_000);
		assert_eq!(info.earning_shares, 700);
		assert_eq!(info.share_price, price(9, 10));
		assert_eq!(info.capacity, 270);
		assert_eq!(info.min_stake, MIN_STAKE);
		assert_eq!(info.max_slash_fraction, Perbill::from_percent(30));
		assert_eq!(info.max_slash_per_block, Perbill::one());
		assert_eq!(info.wipe_out_floor, Perbill::from_percent(1));
		assert_eq!((info.cooldown, info.unstake_window), (JUNIOR_COOLDOWN, JUNIOR_WINDOW));
		assert_eq!(info.epoch, 0);
		assert_eq!(StakingBackstop::required_capital(), 2_000);
		assert_eq!(StakingBackstop::total_capital(), 3_900);
		assert_eq!(StakingBackstop::coverage(), Some(FixedU128::from_rational(39, 20)));
		assert_eq!(StakingBackstop::total_capacity(), 270 + 600);

		let alice = StakingBackstop::position(JUNIOR, &ALICE).unwrap();
		assert_eq!(alice.earning_shares, 700);
		assert_eq!(alice.unstaking_shares, 300);
		// 700 earning shares at 0.9, the request at the lower of 300 (at
		// request) and 270 (now).
		assert_eq!(alice.value, 630 + 270);
		assert_eq!(alice.pending_rewards, StakingBackstop::pending_rewards(JUNIOR, &ALICE));
		assert!(alice.pending_rewards > 0);
		assert_eq!(StakingBackstop::position(JUNIOR, &CHARLIE), None);
		assert_eq!(StakingBackstop::pending_rewards(JUNIOR, &CHARLIE), 0);

		let requests = StakingBackstop::unstake_requests(JUNIOR, &ALICE);
		assert_eq!(requests.len(), 1);
		assert_eq!((requests[0].id, requests[0].status), (open, UnstakeStatus::CoolingDown));
		assert_eq!((requests[0].value_at_request, requests[0].value), (300, 270));
		assert_eq!((requests[0].unlock_at, requests[0].expires_at), (11, 16));
		run_to(11);
		assert_eq!(
			StakingBackstop::unstake_requests(JUNIOR, &ALICE)[0].status,
			UnstakeStatus::Unstakable
		);
	});
}

// ---- property test: random sequences at the runtime's parameters ----

#[derive(Debug, Clone)]
enum Op {
	Stake {
		who: u8,
		junior: bool,
		amount: Balance,
	},
	Request {
		who: u8,
		junior: bool,
		permille: u32,
	},
	Unstake {
		who: u8,
		junior: bool,
		wait: bool,
	},
	Cancel {
		who: u8,
		junior: bool,
	},
	Slash {
		loss: Balance,
	},
	/// Losses in `events` consecutive blocks, each asking for everything:
	/// a near-wipe (or a wipe-out) cycle at a 50% cap per event.
	Crash {
		events: u8,
	},
	Reward {
		amount: Balance,
		kind: u8,
	},
	Claim {
		who: u8,
		junior: bool,
	},
	Advance {
		blocks: BlockNumber,
	},
	Required {
		amount: Balance,
	},
}

fn op_strategy() -> impl proptest::strategy::Strategy<Value = Op> {
	use proptest::prelude::*;
	prop_oneof![
		4 => (0u8..4, any::<bool>(), 1u128..200_000)
			.prop_map(|(who, junior, amount)| Op::Stake { who, junior, amount }),
		3 => (0u8..4, any::<bool>(), 1u32..=1_000)
			.prop_map(|(who, junior, permille)| Op::Request { who, junior, permille }),
		4 => (0u8..4, any::<bool>(), proptest::bool::weighted(0.75))
			.prop_map(|(who, junior, wait)| Op::Unstake { who, junior, wait }),
		1 => (0u8..4, any::<bool>()).prop_map(|(who, junior)| Op::Cancel { who, junior }),
		3 => (0u128..300_000).prop_map(|loss| Op::Slash { loss }),
		1 => (1u8..10).prop_map(|events| Op::Crash { events }),
		3 => (0u128..50_000, 0u8..3).prop_map(|(amount, kind)| Op::Reward { amount, kind }),
		2 => (0u8..4, any::<bool>()).prop_map(|(who, junior)| Op::Claim { who, junior }),
		3 => (1u64..30).prop_map(|blocks| Op::Advance { blocks }),
		1 => (0u128..5_000_000).prop_map(|amount| Op::Required { amount }),
	]
}

const STAKERS: [AccountId; 4] = [ALICE, BOB, CHARLIE, DAVE];

fn tranche_of(junior: bool) -> Tranche {
	if junior {
		JUNIOR
	} else {
		SENIOR
	}
}

/// The first staker, starting from `index`, for whom `has` holds (or the one
/// at `index` if none), so that generated operations mostly find something
/// to act on.
fn staker_with(index: u8, has: impl Fn(AccountId) -> bool) -> AccountId {
	(0..STAKERS.len())
		.map(|offset| STAKERS[(index as usize + offset) % STAKERS.len()])
		.find(|who| has(*who))
		.unwrap_or(STAKERS[index as usize % STAKERS.len()])
}

/// Money that entered the reward ledgers other than through `receive`: the
/// wipe-out dust beyond a loss and the rest a last holder left behind, both
/// credited to `Undistributed`; and the dust paid to beneficiaries.
#[derive(Default, Debug)]
struct Dust {
	to_rewards: Balance,
	to_beneficiary: Balance,
}

/// Reads the dust of the events since `from`.
fn dust_since(from: usize) -> Dust {
	let mut dust = Dust::default();
	for event in backstop_events().into_iter().skip(from) {
		match event {
			Event::TrancheWipedOut { dust_to_beneficiary, dust_to_rewards, .. } => {
				dust.to_rewards += dust_to_rewards;
				dust.to_beneficiary += dust_to_beneficiary;
			},
			Event::Unstaked { tranche, left_in_tranche, .. }
				if ledger(tranche).shares == 0 && left_in_tranche > 0 =>
			{
				dust.to_rewards += left_in_tranche;
			},
			_ => {},
		}
	}
	dust
}

/// Applies `op` and returns the revenue it brought in (successful
/// `receive`s). An operation that fails must leave the state unchanged.
/// `Unstake` with `wait` first advances to the request's unlock block (the
/// staker waits out the cooldown).
fn apply(op: &Op) -> Balance {
	if let Op::Unstake { who, junior, wait: true } = *op {
		let tranche = tranche_of(junior);
		let who = staker_with(who, |w| UnstakeRequests::<Test>::get(tranche, w).is_some());
		if let Some(request) = UnstakeRequests::<Test>::get(tranche, who) {
			if System::block_number() < request.unlock_at {
				run_to(request.unlock_at);
			}
		}
	}
	let root = sp_io::storage::root(sp_runtime::StateVersion::V1);
	let mut received = 0;
	let result: Result<(), DispatchError> = match *op {
		Op::Stake { who, junior, amount } => StakingBackstop::stake(
			RuntimeOrigin::signed(STAKERS[who as usize]),
			tranche_of(junior),
			amount,
		),
		Op::Request { who, junior, permille } => {
			let tranche = tranche_of(junior);
			let who = staker_with(who, |w| Positions::<Test>::get(tranche, w).is_some());
			let held = Positions::<Test>::get(tranche, who).map(|p| p.shares).unwrap_or_default();
			let shares = Permill::from_parts(permille * 1_000).mul_ceil(held);
			StakingBackstop::request_unstake(RuntimeOrigin::signed(who), tranche, shares)
		},
		Op::Unstake { who, junior, .. } | Op::Cancel { who, junior } => {
			let tranche = tranche_of(junior);
			let who = staker_with(who, |w| UnstakeRequests::<Test>::get(tranche, w).is_some());
			let id = UnstakeRequests::<Test>::get(tranche, who).map(|r| r.id).unwrap_or(u64::MAX);
			if matches!(op, Op::Unstake { .. }) {
				StakingBackstop::unstake(RuntimeOrigin::signed(who), tranche, id)
			} else {
				StakingBackstop::cancel_unstake(RuntimeOrigin::signed(who), tranche, id)
			}
		},
		Op::Slash { loss } => {
			slash_checked(loss);
			Ok(())
		},
		Op::Crash { events } => {
			for _ in 0..events {
				let everything = ledger(JUNIOR).assets + ledger(SENIOR).assets + 1;
				slash_checked(everything);
				run_to(System::block_number() + 1);
			}
			Ok(())
		},
		Op::Reward { amount, kind } => {
			let kind = match kind {
				0 => RevenueKind::TradingFee,
				1 => RevenueKind::InsuranceSurplus,
				_ => RevenueKind::BackstopPremium,
			};
			<StakingBackstop as RevenueSink<AccountId>>::receive(MARKET, kind, &SOURCE, amount).map(
				|taken| {
					assert_eq!(taken, amount);
					received = taken;
				},
			)
		},
		Op::Claim { who, junior } => {
			let tranche = tranche_of(junior);
			let who = staker_with(who, |w| StakingBackstop::pending_rewards(tranche, &w) > 0);
			StakingBackstop::claim_rewards(RuntimeOrigin::signed(who), tranche)
		},
		Op::Advance { blocks } => {
			run_to(System::block_number() + blocks);
			Ok(())
		},
		Op::Required { amount } => {
			MockExposure::set_required(amount);
			Ok(())
		},
	};
	if result.is_err() {
		assert_eq!(
			sp_io::storage::root(sp_runtime::StateVersion::V1),
			root,
			"{op:?} failed but changed the state"
		);
	}
	received
}

/// Absorbs `loss` and checks it is split exactly into covered and uncovered,
/// with nothing paid beyond the caps but wipe-out dust.
fn slash_checked(loss: Balance) {
	let capacity = StakingBackstop::total_capacity();
	let before = balance(BENEFICIARY);
	let from = backstop_events().len();
	let uncovered = absorb(loss);
	let covered = balance(BENEFICIARY) - before;
	assert_eq!(covered + uncovered, loss, "a loss is never dropped");
	let dust = dust_since(from);
	assert!(covered <= capacity + dust.to_beneficiary, "no tranche pays beyond its caps");
	for tranche in Tranche::ALL {
		let ledger = ledger(tranche);
		let floor = Params::<Test>::get(tranche).wipe_out_floor;
		assert!(
			ledger.shares == 0 || ledger.assets >= floor.mul_ceil(ledger.shares),
			"a slash left {tranche:?} below its floor without a wipe-out"
		);
	}
}

/// `total shares × share price = assets`, within one unit (the price is
/// rounded down to 18 decimals; shares stay far below 10^18 here).
fn assert_price_consistent(tranche: Tranche) {
	let ledger = ledger(tranche);
	if ledger.shares.is_zero() {
		assert!(ledger.assets.is_zero());
		return;
	}
	let price = StakingBackstop::share_price(tranche);
	let implied = price.saturating_mul_int(ledger.shares);
	assert!(implied <= ledger.assets, "shares × price exceeds the assets");
	assert!(
		ledger.assets - implied <= 1,
		"shares × price falls short of the assets by more than 1"
	);
}

/// `a / b >= c / d` for `b, d > 0`.
fn ratio_at_least(a: Balance, b: Balance, c: Balance, d: Balance) -> bool {
	a * d >= c * b
}

/// The runtime's staking parameters (`runtime/src/configs/backstop.rs` and
/// the development preset, in mock units): a 50% hard cap per event, a
/// cooldown of 40 blocks and a window of 10 (25% of it), a 1% wipe-out floor.
fn at_runtime_parameters() -> ExtBuilder {
	let tranche = |per_event: u32, per_block: u32| TrancheParams {
		min_stake: MIN_STAKE,
		max_slash_fraction: Perbill::from_percent(per_event),
		cooldown: 40,
		unstake_window: 10,
		max_slash_per_block: Perbill::from_percent(per_block),
		wipe_out_floor: Perbill::from_percent(1),
	};
	ExtBuilder::default()
		.window_fraction(Permill::from_percent(25))
		.min_cooldown_and_window(10, 10)
		.params(JUNIOR, tranche(50, 75))
		.params(SENIOR, tranche(20, 30))
		.premium(PremiumParams {
			rate_max: Permill::from_percent(10),
			rate_min: Permill::from_percent(2),
			coverage_low: FixedU128::from_u32(1),
			coverage_high: FixedU128::from_u32(3),
			volatility_weight: FixedU128::one(),
			rate_cap: Permill::from_percent(25),
			junior_multiple: FixedU128::from_u32(3),
		})
}

proptest::proptest! {
	#![proptest_config(proptest::test_runner::Config::with_cases(128))]

	#[test]
	fn invariants_hold_over_random_sequences(
		ops in proptest::collection::vec(op_strategy(), 1..80),
	) {
		at_runtime_parameters().build_and_execute(|| {
			integrity_test();
			let issuance = Balances::total_issuance();
			let mut received: Balance = 0;
			let mut dust_to_rewards: Balance = 0;
			let claimed = |from: usize| -> Balance {
				backstop_events()
					.into_iter()
					.skip(from)
					.map(|event| match event {
						Event::RewardsClaimed { amount, .. } => amount,
						_ => 0,
					})
					.sum()
			};
			let mut claimed_total: Balance = 0;
			for op in &ops {
				let before = [ledger(JUNIOR), ledger(SENIOR)];
				let from = backstop_events().len();
				received += apply(op);
				dust_to_rewards += dust_since(from).to_rewards;
				claimed_total += claimed(from);
				StakingBackstop::do_try_state()
					.unwrap_or_else(|e| panic!("invariants broken after {op:?}: {e:?}"));
				assert_eq!(Balances::total_issuance(), issuance, "money created or destroyed");
				// Every ledger is exact: nothing unaccounted in the account.
				assert_eq!(
					pallet_balance(),
					ledger(JUNIOR).assets +
						ledger(SENIOR).assets +
						RewardPot::<Test>::get() +
						Undistributed::<Test>::get() +
						ED,
					"the pallet account differs from its ledgers after {op:?}"
				);
				assert_eq!(StakingBackstop::excess(), 0);
				// Rewards are conserved: what came in is in the pot (credited
				// to an index, or its rounding dust), undistributed, or paid.
				assert_eq!(
					RewardPot::<Test>::get() + Undistributed::<Test>::get() + claimed_total,
					received + dust_to_rewards,
					"rewards lost or created after {op:?}"
				);
				for (tranche, old) in [JUNIOR, SENIOR].into_iter().zip(before) {
					assert_price_consistent(tranche);
					let new = ledger(tranche);
					if old.epoch != new.epoch || old.shares == 0 || new.shares == 0 {
						continue;
					}
					if matches!(op, Op::Slash { .. } | Op::Crash { .. }) {
						// A slash never raises the share price.
						assert!(ratio_at_least(old.assets, old.shares, new.assets, new.shares));
					} else {
						// Nothing else lowers it.
						assert!(
							ratio_at_least(new.assets, new.shares, old.assets, old.shares),
							"{op:?} lowered the share price of {tranche:?}"
						);
					}
				}
			}
		});
	}
}

/// Transfers `amount` from Alice to the pallet account, unsolicited.
fn donate(amount: Balance) {
	use frame_support::traits::tokens::Preservation;
	assert_ok!(<Balances as Mutate<AccountId>>::transfer(
		&ALICE,
		&StakingBackstop::account_id(),
		amount,
		Preservation::Preserve,
	));
}

/// Both tranches, the reward pot and the undistributed rewards.
fn ledgers() -> Balance {
	ledger(JUNIOR).assets
		+ ledger(SENIOR).assets
		+ RewardPot::<Test>::get()
		+ Undistributed::<Test>::get()
}

#[test]
fn a_donation_to_the_pallet_account_is_not_counted_and_breaks_nothing() {
	ExtBuilder::default().stakes(vec![(BOB, 1_000)], vec![(CHARLIE, 2_000)]).build_and_execute(
		|| {
			assert_ok!(receive(300));
			assert!(!RewardPot::<Test>::get().is_zero());
			let (junior, senior) = (ledger(JUNIOR), ledger(SENIOR));
			let rewards = StakingBackstop::pending_rewards(JUNIOR, &BOB);
			assert_eq!(StakingBackstop::excess(), 0);
			donate(1);
			assert_ok!(StakingBackstop::do_try_state());
			assert_eq!(StakingBackstop::excess(), 1);
			assert_eq!(pallet_balance(), ledgers() + ED + 1);
			// Nobody's share price or rewards moved.
			assert_eq!((ledger(JUNIOR), ledger(SENIOR)), (junior, senior));
			assert_eq!(StakingBackstop::pending_rewards(JUNIOR, &BOB), rewards);
		},
	);
}

#[test]
fn sweep_excess_moves_the_excess_to_the_sink() {
	ExtBuilder::default().stakes(vec![(BOB, 1_000)], vec![(CHARLIE, 2_000)]).build_and_execute(
		|| {
			assert_ok!(receive(300));
			donate(7);
			let held = ledgers();
			let sink = balance(SINK);
			assert_ok!(StakingBackstop::sweep_excess(RuntimeOrigin::root()));
			System::assert_last_event(Event::<Test>::ExcessSwept { amount: 7 }.into());
			assert_eq!(balance(SINK), sink + 7);
			assert_eq!(StakingBackstop::excess(), 0);
			assert_eq!(ledgers(), held);
			assert_eq!(pallet_balance(), held + ED);
			assert_ok!(StakingBackstop::do_try_state());
			assert_noop!(
				StakingBackstop::sweep_excess(RuntimeOrigin::root()),
				Error::<Test>::NoExcess
			);
		},
	);
}

#[test]
fn sweep_excess_leaves_undistributed_rewards_alone() {
	ExtBuilder::default().build_and_execute(|| {
		// No share earns: the revenue waits undistributed.
		assert_ok!(receive(300));
		assert_eq!(Undistributed::<Test>::get(), 300);
		donate(5);
		assert_eq!(StakingBackstop::excess(), 5);
		assert_ok!(StakingBackstop::sweep_excess(RuntimeOrigin::root()));
		System::assert_last_event(Event::<Test>::ExcessSwept { amount: 5 }.into());
		assert_eq!(Undistributed::<Test>::get(), 300);
		assert_eq!(pallet_balance(), 300 + ED);
	});
}

#[test]
fn sweep_excess_errors_leave_state_unchanged() {
	ExtBuilder::default().stakes(vec![(BOB, 1_000)], vec![]).build_and_execute(|| {
		assert_noop!(StakingBackstop::sweep_excess(RuntimeOrigin::root()), Error::<Test>::NoExcess);
		donate(1);
		assert_noop!(StakingBackstop::sweep_excess(RuntimeOrigin::signed(ALICE)), BadOrigin);
		assert_noop!(StakingBackstop::sweep_excess(RuntimeOrigin::none()), BadOrigin);
		// A sink that takes nothing sweeps nothing.
		SinkTakesNothing::set(true);
		assert_noop!(StakingBackstop::sweep_excess(RuntimeOrigin::root()), Error::<Test>::NoExcess);
		SinkTakesNothing::set(false);
		// A sink that refuses.
		SinkRefuses::set(true);
		assert_noop!(
			StakingBackstop::sweep_excess(RuntimeOrigin::root()),
			DispatchError::Other("sink refuses")
		);
		SinkRefuses::set(false);
		assert_eq!(StakingBackstop::excess(), 1);
	});
}

#[test]
fn a_pristine_account_has_no_excess() {
	ExtBuilder::default().without_pallet_genesis().build_and_execute(|| {
		assert_eq!(pallet_balance(), 0);
		assert_eq!(StakingBackstop::excess(), 0);
		assert_noop!(StakingBackstop::sweep_excess(RuntimeOrigin::root()), Error::<Test>::NoExcess);
	});
}

#[test]
fn unsolicited_revenue_is_refused() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(
			<StakingBackstop as RevenueSink<AccountId>>::receive(
				MARKET,
				RevenueKind::Unsolicited,
				&SOURCE,
				100
			),
			Error::<Test>::UnsupportedRevenue
		);
	});
}

// ---- lower-of payout ----

#[test]
fn a_request_during_a_pending_loss_bears_it() {
	ExtBuilder::default().build_and_execute(|| {
		stake(ALICE, JUNIOR, 1_000);
		stake(BOB, JUNIOR, 1_000);
		// Alice sees a loss coming and requests at once: too late to leave
		// ahead of it, the slash lands during her cooldown.
		let id = request(ALICE, JUNIOR, 1_000);
		assert_eq!(UnstakeRequests::<Test>::get(JUNIOR, ALICE).map(|r| r.value), Some(1_000));
		absorb(600);
		run_to(4);
		absorb(100);
		run_to(1 + JUNIOR_COOLDOWN);
		assert_ok!(StakingBackstop::unstake(RuntimeOrigin::signed(ALICE), JUNIOR, id));
		// 2 000 - 700 = 1 300 over 2 000 shares: her 1 000 are worth 650.
		assert_eq!(balance(ALICE), ENDOWMENT - 350);
		assert_eq!(StakingBackstop::position(JUNIOR, &BOB).unwrap().value, 650);
	});
}

#[test]
fn a_request_without_a_loss_pays_its_value_at_request() {
	ExtBuilder::default().build_and_execute(|| {
		stake(ALICE, JUNIOR, 1_000);
		absorb(101);
		stake(BOB, JUNIOR, 900);
		let id = request(BOB, JUNIOR, position(JUNIOR, BOB).shares);
		let value = UnstakeRequests::<Test>::get(JUNIOR, BOB).unwrap().value;
		assert_eq!(value, 899);
		run_to(1 + JUNIOR_COOLDOWN);
		assert_ok!(StakingBackstop::unstake(RuntimeOrigin::signed(BOB), JUNIOR, id));
		assert_eq!(balance(BOB), ENDOWMENT - 900 + value);
	});
}

#[test]
fn unstake_pays_the_lower_of_the_two_values_and_leaves_the_rest() {
	ExtBuilder::default().build_and_execute(|| {
		stake(ALICE, JUNIOR, 1_000);
		stake(BOB, JUNIOR, 1_000);
		let id = request(ALICE, JUNIOR, 400);
		// As if the request had been made at a lower price (a value of 300
		// for shares now worth 400): the payout is the lower one.
		UnstakeRequests::<Test>::mutate(JUNIOR, ALICE, |r| {
			if let Some(r) = r.as_mut() {
				r.value = 300
			}
		});
		run_to(1 + JUNIOR_COOLDOWN);
		assert_ok!(StakingBackstop::unstake(RuntimeOrigin::signed(ALICE), JUNIOR, id));
		System::assert_last_event(
			Event::Unstaked {
				who: ALICE,
				tranche: JUNIOR,
				request_id: id,
				shares: 400,
				amount: 300,
				left_in_tranche: 100,
			}
			.into(),
		);
		// The 100 stays in the tranche for the remaining holders.
		assert_eq!(ledger(JUNIOR).assets, 1_700);
		assert_eq!(ledger(JUNIOR).shares, 1_600);
		assert_eq!(StakingBackstop::position(JUNIOR, &BOB).unwrap().value, 1_062);
	});
}

#[test]
fn the_last_holder_leaving_at_the_lower_value_leaves_the_rest_to_rewards() {
	ExtBuilder::default().build_and_execute(|| {
		stake(ALICE, JUNIOR, 1_000);
		let id = request(ALICE, JUNIOR, 1_000);
		UnstakeRequests::<Test>::mutate(JUNIOR, ALICE, |r| {
			if let Some(r) = r.as_mut() {
				r.value = 900
			}
		});
		run_to(1 + JUNIOR_COOLDOWN);
		assert_ok!(StakingBackstop::unstake(RuntimeOrigin::signed(ALICE), JUNIOR, id));
		assert_eq!(ledger(JUNIOR).assets, 0);
		assert_eq!(ledger(JUNIOR).shares, 0);
		assert_eq!(Undistributed::<Test>::get(), 100);
	});
}

// ---- per-block cap ----

#[test]
fn many_losses_in_one_block_respect_the_per_block_cap() {
	let junior =
		TrancheParams { max_slash_per_block: Perbill::from_percent(50), ..junior_params() };
	ExtBuilder::default().params(JUNIOR, junior).build_and_execute(|| {
		stake(ALICE, JUNIOR, 1_000);
		assert_eq!(capacity(), 300);
		assert_eq!(absorb(1_000), 700); // 30% of 1 000
		assert_eq!(capacity(), 200); // 30% of 700 = 210, but 500 - 300 left
		assert_eq!(absorb(1_000), 800);
		assert_eq!(capacity(), 0);
		for _ in 0..10 {
			assert_eq!(absorb(1_000), 1_000);
		}
		assert_eq!(ledger(JUNIOR).assets, 500);
		let record = BlockSlashed::<Test>::get(JUNIOR).unwrap();
		assert_eq!((record.block, record.assets_at_start, record.slashed), (1, 1_000, 500));
		assert_eq!(StakingBackstop::tranche_info(JUNIOR).capacity, 0);
		// The next block starts a new allowance from the assets then.
		run_to(2);
		assert_eq!(capacity(), 150);
		assert_eq!(absorb(1_000), 850);
		assert_eq!(capacity(), 100); // 30% of 350 = 105, but 250 - 150 left
		assert_eq!(ledger(JUNIOR).assets, 350);
	});
}

#[test]
fn a_stake_after_the_first_slash_of_a_block_does_not_raise_its_cap() {
	let junior =
		TrancheParams { max_slash_per_block: Perbill::from_percent(40), ..junior_params() };
	ExtBuilder::default().params(JUNIOR, junior).build_and_execute(|| {
		stake(ALICE, JUNIOR, 1_000);
		assert_eq!(absorb(300), 0);
		stake(BOB, JUNIOR, 10_000);
		// 400 of the 1 000 at the block's first slash, 300 of it used.
		assert_eq!(capacity(), 100);
	});
}

// ---- wipe-out floor ----

fn floored(floor_percent: u32) -> TrancheParams<BlockNumber> {
	TrancheParams {
		max_slash_fraction: Perbill::from_percent(50),
		wipe_out_floor: Perbill::from_percent(floor_percent),
		..junior_params()
	}
}

#[test]
fn a_slash_below_the_floor_wipes_the_tranche_out_and_pays_the_dust() {
	ExtBuilder::default().params(JUNIOR, floored(10)).build_and_execute(|| {
		stake(ALICE, JUNIOR, 1_000);
		assert_eq!(absorb(500), 0);
		assert_eq!(absorb(250), 0);
		assert_eq!(absorb(125), 0);
		assert_eq!(ledger(JUNIOR).assets, 125); // price 0.125, above 10%
		System::reset_events();
		let before = balance(BENEFICIARY);
		// 50% of 125 = 62 leaves 63 for 1 000 shares: below 10%. The dust
		// goes to the beneficiary too.
		assert_eq!(absorb(10_000), 10_000 - 125);
		assert_eq!(balance(BENEFICIARY), before + 125);
		let events = backstop_events();
		assert_eq!(
			events[0],
			Event::TrancheSlashed {
				tier: LossTier::StakingBackstop,
				market: MARKET,
				tranche: JUNIOR,
				amount: 125,
				beneficiary: BENEFICIARY,
				share_price: FixedU128::zero(),
			}
		);
		assert_eq!(
			events[1],
			Event::TrancheWipedOut {
				tranche: JUNIOR,
				epoch: 1,
				voided_shares: 1_000,
				dust_to_beneficiary: 63,
				dust_to_rewards: 0,
			}
		);
		assert_eq!((ledger(JUNIOR).assets, ledger(JUNIOR).shares, ledger(JUNIOR).epoch), (0, 0, 1));
		// A new staker mints at a price of one.
		stake(BOB, JUNIOR, 500);
		assert_eq!(position(JUNIOR, BOB).shares, 500);
	});
}

#[test]
fn wipe_out_dust_beyond_the_loss_goes_to_the_rewards() {
	ExtBuilder::default().params(JUNIOR, floored(10)).build_and_execute(|| {
		stake(ALICE, JUNIOR, 1_000);
		absorb(500);
		absorb(250);
		absorb(125);
		let before = balance(BENEFICIARY);
		// Exactly the capped amount: the dust is not owed to anyone.
		assert_eq!(absorb(62), 0);
		assert_eq!(balance(BENEFICIARY), before + 62);
		assert_eq!(Undistributed::<Test>::get(), 63);
		System::assert_has_event(
			Event::TrancheWipedOut {
				tranche: JUNIOR,
				epoch: 1,
				voided_shares: 1_000,
				dust_to_beneficiary: 0,
				dust_to_rewards: 63,
			}
			.into(),
		);
		// The next staker earns it with the next inflow.
		stake(BOB, SENIOR, 1_000);
		assert_ok!(receive(37));
		assert_eq!(StakingBackstop::pending_rewards(SENIOR, &BOB), 100);
	});
}

#[test]
fn near_wipe_cycles_never_overflow_shares() {
	// The runtime's parameters: 50% per event, a 1% floor. Each cycle
	// slashes the tranche to just above the floor, a new staker comes in,
	// and it goes on; shares stay below `assets / floor`.
	ExtBuilder::default().params(JUNIOR, floored(1)).build_and_execute(|| {
		let mut block = 1;
		for cycle in 0..200u64 {
			let who = STAKERS[(cycle % 4) as usize];
			stake(who, JUNIOR, 100_000);
			// Six slashes at 50% take a price of one to 1/64, above 1%;
			// the seventh wipes the tranche out.
			let slashes = if cycle % 5 == 4 { 7 } else { 6 };
			for _ in 0..slashes {
				block += 1;
				run_to(block);
				absorb(u128::MAX / 4);
			}
			let l = ledger(JUNIOR);
			assert!(l.shares == 0 || l.shares <= l.assets * 100 + 100, "shares {l:?}");
			StakingBackstop::do_try_state().unwrap();
		}
		assert!(ledger(JUNIOR).epoch >= 40);
	});
}

// ---- rewards are never lost ----

#[test]
fn rewards_are_never_lost_to_rounding() {
	ExtBuilder::default().params(JUNIOR, floored(10)).build_and_execute(|| {
		let mut received = 0;
		let mut claimed = 0;
		let mut pay = |amount: Balance| {
			assert_ok!(receive(amount));
			received += amount;
		};
		stake(ALICE, JUNIOR, 333);
		stake(BOB, JUNIOR, 334);
		stake(CHARLIE, SENIOR, 777);
		for amount in [1, 7, 13, 101, 3] {
			pay(amount);
		}
		// No earning share in the junior tranche: its part goes senior.
		request(ALICE, JUNIOR, 333);
		request(BOB, JUNIOR, 334);
		pay(99);
		// Nobody earns at all: everything waits.
		request(CHARLIE, SENIOR, 777);
		pay(55);
		assert!(Undistributed::<Test>::get() >= 55);
		// A wipe-out with rewards undistributed and unclaimed.
		for _ in 0..4 {
			absorb(10_000);
			run_to(System::block_number() + 1);
		}
		assert_eq!(ledger(JUNIOR).epoch, 1);
		run_to(100);
		for (who, tranche) in [(ALICE, JUNIOR), (BOB, JUNIOR), (CHARLIE, SENIOR)] {
			let pending = StakingBackstop::pending_rewards(tranche, &who);
			if pending > 0 {
				assert_ok!(StakingBackstop::claim_rewards(RuntimeOrigin::signed(who), tranche));
				claimed += pending;
			}
		}
		stake(DAVE, SENIOR, 1_000);
		pay(1);
		// Everything received is claimed, in the pot (index credit or
		// rounding dust) or undistributed; the wipe-out dust went to the
		// beneficiary (the loss asked for more).
		assert_eq!(RewardPot::<Test>::get() + Undistributed::<Test>::get() + claimed, received);
	});
}

// ---- migration ----

#[test]
fn migration_v1_to_v2_translates_requests_params_and_premium() {
	use crate::migrations::v2::{old, MigrateV1ToV2};
	use codec::Encode;
	use frame_support::traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion};
	ExtBuilder::default().build_and_execute(|| {
		stake(ALICE, JUNIOR, 1_000);
		stake(BOB, JUNIOR, 1_000);
		absorb(200); // price 0.9
			   // The tranche is in its second epoch; Charlie's request is of the
			   // first, worthless.
		Tranches::<Test>::mutate(JUNIOR, |l| {
			l.earning_shares = 1_300;
			l.epoch = 1;
		});
		crate::EpochRewardIndex::<Test>::insert(JUNIOR, 0, FixedU128::zero());
		let junior = ledger(JUNIOR);
		// Alice had three requests (of 600 shares) in the old layout, one of
		// an earlier epoch; Bob one.
		let put =
			|tranche: Tranche, who: AccountId, requests: Vec<old::UnstakeRequest<BlockNumber>>| {
				frame_support::storage::unhashed::put(
					&UnstakeRequests::<Test>::hashed_key_for(tranche, who),
					&requests,
				)
			};
		let r = |id, epoch, shares, unlock_at, expires_at| old::UnstakeRequest {
			id,
			epoch,
			shares,
			unlock_at,
			expires_at,
		};
		for (who, shares) in [(ALICE, 400), (BOB, 900)] {
			Positions::<Test>::mutate(JUNIOR, who, |p| {
				if let Some(p) = p.as_mut() {
					p.shares = shares;
					p.epoch = 1;
				}
			});
		}
		put(JUNIOR, ALICE, vec![r(0, 1, 100, 11, 61), r(1, 1, 500, 30, 40)]);
		put(JUNIOR, BOB, vec![r(2, 1, 100, 12, 62)]);
		put(JUNIOR, CHARLIE, vec![r(3, 0, 50, 5, 6)]);
		NextRequestId::<Test>::put(4);
		// Old parameters: a window of 50 against a cooldown of 20.
		let old_params = old::TrancheParams::<BlockNumber> {
			min_stake: 100,
			max_slash_fraction: Perbill::from_percent(30),
			cooldown: 20,
			unstake_window: 50,
		};
		frame_support::storage::unhashed::put(&Params::<Test>::hashed_key_for(JUNIOR), &old_params);
		frame_support::storage::unhashed::put(
			&Params::<Test>::hashed_key_for(SENIOR),
			&old::TrancheParams { cooldown: 2, unstake_window: 2, ..old_params },
		);
		let curve = old::PremiumCurve {
			required_capital: Permill::from_percent(5),
			coverage_low: FixedU128::from_u32(1),
			coverage_high: FixedU128::from_u32(3),
			junior_max: Permill::from_percent(80),
			junior_min: Permill::from_percent(40),
		};
		frame_support::storage::unhashed::put_raw(&Premium::<Test>::hashed_key(), &curve.encode());
		StorageVersion::new(1).put::<StakingBackstop>();
		assert_eq!(crate::migrations::v2::current_request_shares::<Test>(), [700, 0]);

		#[cfg(feature = "try-runtime")]
		let pre = {
			use frame_support::traits::UncheckedOnRuntimeUpgrade;
			crate::migrations::v2::InnerMigrateV1ToV2::<Test>::pre_upgrade().unwrap()
		};

		MigrateV1ToV2::<Test>::on_runtime_upgrade();

		#[cfg(feature = "try-runtime")]
		{
			use frame_support::traits::UncheckedOnRuntimeUpgrade;
			crate::migrations::v2::InnerMigrateV1ToV2::<Test>::post_upgrade(pre.clone())
				.expect("the post-upgrade checks pass");
			// The check can fail: a pre-upgrade state with other shares in
			// requests is refused.
			let wrong = codec::Encode::encode(&[701u128, 0]);
			assert!(crate::migrations::v2::InnerMigrateV1ToV2::<Test>::post_upgrade(wrong).is_err());
		}
		assert_eq!(StakingBackstop::on_chain_storage_version(), StorageVersion::new(2));
		assert_eq!(
			UnstakeRequests::<Test>::get(JUNIOR, ALICE),
			Some(UnstakeRequest {
				id: 0,
				epoch: 1,
				shares: 600,
				value: 540,
				unlock_at: 30,
				expires_at: 61,
			})
		);
		assert_eq!(
			UnstakeRequests::<Test>::get(JUNIOR, BOB).map(|r| (r.shares, r.value)),
			Some((100, 90))
		);
		assert!(UnstakeRequests::<Test>::get(JUNIOR, CHARLIE).is_none());
		assert_eq!(junior, ledger(JUNIOR));
		// The window is cut to half the cooldown (the mock's fraction); the
		// per-block cap starts at one event's worth.
		assert_eq!(
			Params::<Test>::get(JUNIOR),
			TrancheParams {
				min_stake: 100,
				max_slash_fraction: Perbill::from_percent(30),
				cooldown: 20,
				unstake_window: 10,
				max_slash_per_block: Perbill::from_percent(30),
				wipe_out_floor: Perbill::from_percent(1),
			}
		);
		// A window that cannot shrink below the minimum lengthens the
		// cooldown instead.
		assert_eq!(
			(Params::<Test>::get(SENIOR).cooldown, Params::<Test>::get(SENIOR).unstake_window),
			(4, 2)
		);
		let premium = Premium::<Test>::get();
		assert_eq!(
			(premium.coverage_low, premium.coverage_high),
			(FixedU128::from_u32(1), FixedU128::from_u32(3))
		);
		assert_eq!(premium.rate_max, StakingBackstop::default_premium_params().rate_max);
		// Running it again does nothing.
		let root = sp_io::storage::root(sp_runtime::StateVersion::V1);
		MigrateV1ToV2::<Test>::on_runtime_upgrade();
		assert_eq!(sp_io::storage::root(sp_runtime::StateVersion::V1), root);
	});
}

/// Who may change what (the README's "Governance" section): for every
/// privileged call, the guardian is refused a loosening (and governance-only
/// changes) with the state unchanged, the risk track is bounded by
/// `MaxParamStep` (25%) and `MinChangeInterval` (10 blocks), Root only by the
/// hard ranges, and a signed non-member is refused.
mod governance {
	use super::*;
	use crate::{ParamChangedAt, ParamKey};

	fn risk() -> RuntimeOrigin {
		RuntimeOrigin::signed(RISK_TRACK)
	}

	fn guardian() -> RuntimeOrigin {
		RuntimeOrigin::signed(GUARDIAN)
	}

	fn root() -> RuntimeOrigin {
		RuntimeOrigin::root()
	}

	fn changed_at(key: ParamKey) -> Option<BlockNumber> {
		ParamChangedAt::<Test>::get(key)
	}

	const JUNIOR_KEY: ParamKey = ParamKey::TrancheParams(Tranche::Junior);

	/// The junior genesis parameters with another cooldown and window.
	fn junior_with(cooldown: BlockNumber, window: BlockNumber) -> TrancheParams<BlockNumber> {
		TrancheParams { cooldown, unstake_window: window, ..junior_params() }
	}

	#[test]
	fn the_guardian_may_lengthen_the_cooldown_and_shorten_the_window() {
		ExtBuilder::default().build_and_execute(|| {
			// Genesis: a cooldown of 10 and a window of 5.
			let tighter = junior_with(12, 4);
			assert_ok!(StakingBackstop::set_tranche_params(guardian(), JUNIOR, tighter));
			assert_eq!(Params::<Test>::get(JUNIOR), tighter);
			assert_eq!(changed_at(JUNIOR_KEY), Some(1));
			System::assert_last_event(
				Event::<Test>::TrancheParamsSet { tranche: JUNIOR, params: tighter }.into(),
			);
		});
	}

	#[test]
	fn the_guardian_cannot_loosen_tranche_params_nor_touch_the_others() {
		ExtBuilder::default().build_and_execute(|| {
			let senior = senior_params();
			let pct = Perbill::from_percent;
			for loosened in [
				TrancheParams { cooldown: 18, ..senior },
				TrancheParams { unstake_window: 6, ..senior },
				// Governance only in either direction:
				TrancheParams { min_stake: 110, ..senior },
				TrancheParams { min_stake: 90, ..senior },
				TrancheParams { max_slash_fraction: pct(18), ..senior },
				TrancheParams { max_slash_fraction: pct(22), ..senior },
				TrancheParams { max_slash_per_block: pct(90), ..senior },
				TrancheParams { wipe_out_floor: Perbill::from_rational(11u32, 1_000), ..senior },
				// A tighter cooldown does not excuse a cap change.
				TrancheParams { cooldown: 22, max_slash_fraction: pct(18), ..senior },
			] {
				assert_noop!(
					StakingBackstop::set_tranche_params(guardian(), SENIOR, loosened),
					Error::<Test>::GuardianCannotLoosen
				);
			}
			assert_eq!(Params::<Test>::get(SENIOR), senior);
			assert_eq!(changed_at(ParamKey::TrancheParams(SENIOR)), None);
		});
	}

	#[test]
	fn the_risk_track_is_bounded_by_step_and_interval_on_tranche_params() {
		ExtBuilder::default().build_and_execute(|| {
			// A cooldown of 10 → 13 and a window of 5 → 3 are steps beyond 25%.
			assert_noop!(
				StakingBackstop::set_tranche_params(risk(), JUNIOR, junior_with(13, 5)),
				Error::<Test>::StepTooLarge
			);
			assert_noop!(
				StakingBackstop::set_tranche_params(risk(), JUNIOR, junior_with(10, 3)),
				Error::<Test>::StepTooLarge
			);
			assert_noop!(
				StakingBackstop::set_tranche_params(
					risk(),
					JUNIOR,
					TrancheParams { min_stake: 126, ..junior_params() }
				),
				Error::<Test>::StepTooLarge
			);
			assert_ok!(StakingBackstop::set_tranche_params(risk(), JUNIOR, junior_with(12, 5)));
			assert_eq!(changed_at(JUNIOR_KEY), Some(1));
			run_to(10);
			assert_noop!(
				StakingBackstop::set_tranche_params(risk(), JUNIOR, junior_with(11, 5)),
				Error::<Test>::ChangeTooSoon
			);
			// The other tranche has its own interval; the risk track may
			// loosen within the step.
			let senior = TrancheParams {
				cooldown: 16,
				max_slash_fraction: Perbill::from_percent(25),
				..senior_params()
			};
			assert_ok!(StakingBackstop::set_tranche_params(risk(), SENIOR, senior));
			run_to(11);
			assert_ok!(StakingBackstop::set_tranche_params(risk(), JUNIOR, junior_with(11, 5)));
			assert_eq!(Params::<Test>::get(JUNIOR).cooldown, 11);
			assert_eq!(changed_at(JUNIOR_KEY), Some(11));
			assert_eq!(changed_at(ParamKey::TrancheParams(SENIOR)), Some(10));
		});
	}

	#[test]
	fn root_ignores_step_and_interval_but_not_the_hard_ranges() {
		ExtBuilder::default().build_and_execute(|| {
			assert_ok!(StakingBackstop::set_tranche_params(root(), JUNIOR, junior_with(1_000, 2)));
			assert_ok!(StakingBackstop::set_tranche_params(root(), JUNIOR, junior_with(4, 2)));
			assert_eq!(changed_at(JUNIOR_KEY), Some(1));
			assert_noop!(
				StakingBackstop::set_tranche_params(root(), JUNIOR, junior_with(1_001, 2)),
				Error::<Test>::CooldownTooLong
			);
			// A window beyond `MaxWindowFraction` (50%) of the cooldown.
			assert_noop!(
				StakingBackstop::set_tranche_params(root(), JUNIOR, junior_with(10, 6)),
				Error::<Test>::UnstakeWindowTooLongForCooldown
			);
			// From zero, only the root track moves a parameter.
			let free = TrancheParams { min_stake: 0, ..junior_with(4, 2) };
			assert_ok!(StakingBackstop::set_tranche_params(root(), JUNIOR, free));
			run_to(20);
			assert_noop!(
				StakingBackstop::set_tranche_params(
					risk(),
					JUNIOR,
					TrancheParams { min_stake: 1, ..free }
				),
				Error::<Test>::StepTooLarge
			);
		});
	}

	#[test]
	fn an_unchanged_value_does_not_restart_the_interval() {
		ExtBuilder::default().build_and_execute(|| {
			assert_ok!(StakingBackstop::set_tranche_params(risk(), JUNIOR, junior_with(12, 5)));
			run_to(5);
			assert_ok!(StakingBackstop::set_tranche_params(root(), JUNIOR, junior_with(12, 5)));
			assert_eq!(changed_at(JUNIOR_KEY), Some(1));
			run_to(11);
			assert_ok!(StakingBackstop::set_tranche_params(risk(), JUNIOR, junior_with(14, 5)));
		});
	}

	#[test]
	fn a_new_cooldown_leaves_open_requests_alone() {
		ExtBuilder::default().stakes(vec![(BOB, 1_000)], vec![]).build_and_execute(|| {
			let id = request(BOB, JUNIOR, 500);
			let before = UnstakeRequests::<Test>::get(JUNIOR, BOB).expect("a request");
			assert_ok!(StakingBackstop::set_tranche_params(guardian(), JUNIOR, junior_with(12, 4)));
			assert_eq!(UnstakeRequests::<Test>::get(JUNIOR, BOB), Some(before));
			run_to(1 + JUNIOR_COOLDOWN);
			assert_ok!(StakingBackstop::unstake(RuntimeOrigin::signed(BOB), JUNIOR, id));
		});
	}

	#[test]
	fn premium_params_are_governance_only_and_step_bounded() {
		ExtBuilder::default().build_and_execute(|| {
			let base = premium_params();
			// Genesis: 8% … 4%, multiple 3. Neither direction is the
			// guardian's: the premium is a price.
			for proposed in [
				PremiumParams { rate_max: Permill::from_percent(9), ..base },
				PremiumParams { rate_max: Permill::from_percent(7), ..base },
				PremiumParams { junior_multiple: FixedU128::from_rational(7, 2), ..base },
			] {
				assert_noop!(
					StakingBackstop::set_premium_params(guardian(), proposed),
					Error::<Test>::GuardianCannotLoosen
				);
			}
			// 8% → 10.01% and a multiple of 3 → 3.76 are beyond 25%.
			assert_noop!(
				StakingBackstop::set_premium_params(
					risk(),
					PremiumParams { rate_max: Permill::from_parts(100_100), ..base }
				),
				Error::<Test>::StepTooLarge
			);
			assert_noop!(
				StakingBackstop::set_premium_params(
					risk(),
					PremiumParams { junior_multiple: FixedU128::from_rational(376, 100), ..base }
				),
				Error::<Test>::StepTooLarge
			);
			let raised = PremiumParams {
				rate_max: Permill::from_percent(10),
				junior_multiple: FixedU128::from_rational(375, 100),
				..base
			};
			assert_ok!(StakingBackstop::set_premium_params(risk(), raised));
			assert_eq!(changed_at(ParamKey::PremiumParams), Some(1));
			run_to(10);
			assert_noop!(
				StakingBackstop::set_premium_params(risk(), base),
				Error::<Test>::ChangeTooSoon
			);
			run_to(11);
			assert_ok!(StakingBackstop::set_premium_params(risk(), base));
			assert_eq!(Premium::<Test>::get(), base);
			// Root: any valid curve at once, but not an invalid one.
			let steep = PremiumParams {
				rate_max: Permill::from_percent(20),
				rate_min: Permill::zero(),
				junior_multiple: FixedU128::from_u32(10),
				..base
			};
			assert_ok!(StakingBackstop::set_premium_params(root(), steep));
			assert_ok!(StakingBackstop::set_premium_params(root(), base));
			assert_noop!(
				StakingBackstop::set_premium_params(
					root(),
					PremiumParams { junior_multiple: FixedU128::from_u32(11), ..base }
				),
				Error::<Test>::JuniorMultipleTooHigh
			);
		});
	}

	#[test]
	fn sweeping_excess_is_maintenance_for_every_authority() {
		ExtBuilder::default().build_and_execute(|| {
			assert_noop!(StakingBackstop::sweep_excess(guardian()), Error::<Test>::NoExcess);
			for (round, origin) in [guardian(), risk(), root()].into_iter().enumerate() {
				let sink = balance(SINK);
				donate(7 + round as Balance);
				assert_ok!(StakingBackstop::sweep_excess(origin));
				assert_eq!(balance(SINK), sink + 7 + round as Balance);
			}
		});
	}

	#[test]
	fn non_members_are_refused_every_privileged_call() {
		ExtBuilder::default().build_and_execute(|| {
			let o = || RuntimeOrigin::signed(ALICE);
			donate(5);
			assert_noop!(
				StakingBackstop::set_tranche_params(o(), JUNIOR, junior_params()),
				BadOrigin
			);
			assert_noop!(StakingBackstop::set_premium_params(o(), premium_params()), BadOrigin);
			assert_noop!(StakingBackstop::sweep_excess(o()), BadOrigin);
		});
	}

	#[test]
	fn try_state_catches_a_change_recorded_in_the_future() {
		ExtBuilder::default().build().execute_with(|| {
			assert_ok!(StakingBackstop::do_try_state());
			ParamChangedAt::<Test>::insert(ParamKey::PremiumParams, 2);
			assert!(StakingBackstop::do_try_state().is_err());
			run_to(2);
			assert_ok!(StakingBackstop::do_try_state());
		});
	}
}
