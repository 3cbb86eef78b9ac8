//! Unit and property tests of the staking backstop.

use crate::{
	mock::*, Error, Event, NextRequestId, Params, Position, PositionInfo, Positions, Premium,
	PremiumCurve, RewardPot, Tranche, TrancheLedger, TrancheParams, Tranches, Undistributed,
	UnstakeRequest, UnstakeRequests, UnstakeStatus,
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
			assert_eq!(Premium::<Test>::get(), premium_curve());
		});
}

#[test]
#[should_panic(expected = "parameters out of bounds")]
fn genesis_rejects_out_of_bounds_parameters() {
	ExtBuilder::default().params(JUNIOR, params(0, 30, 1, 5)).build();
}

#[test]
#[should_panic(expected = "invalid premium curve")]
fn genesis_rejects_an_invalid_curve() {
	let curve = PremiumCurve { coverage_low: FixedU128::from_u32(3), ..premium_curve() };
	ExtBuilder::default().curve(curve).build();
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
				cooldown: 2,
				unstake_window: 2,
			}
		);
		let curve = Premium::<Test>::get();
		assert_eq!(curve.junior_max, Permill::from_percent(50));
		assert_eq!(curve.junior_min, Permill::from_percent(50));
		assert_eq!(StakingBackstop::current_premium(), Permill::from_percent(50));
		assert_eq!(pallet_balance(), 0);
	});
}

#[test]
fn default_genesis_config_is_valid() {
	let config = crate::GenesisConfig::<Test>::default();
	assert!(StakingBackstop::ensure_params_in_bounds(&config.junior_params).is_ok());
	assert!(StakingBackstop::ensure_curve_valid(&config.premium_curve).is_ok());
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
				unlock_at: 1 + JUNIOR_COOLDOWN,
				expires_at: 1 + JUNIOR_COOLDOWN + JUNIOR_WINDOW,
			}
			.into(),
		);
		assert_eq!(position(JUNIOR, ALICE).shares, 600);
		assert_eq!(ledger(JUNIOR).shares, 1_000);
		assert_eq!(ledger(JUNIOR).earning_shares, 600);
		assert_eq!(
			UnstakeRequests::<Test>::get(JUNIOR, ALICE).into_inner(),
			vec![UnstakeRequest { id: 0, epoch: 0, shares: 400, unlock_at: 11, expires_at: 16 }]
		);
		// The senior cooldown is its own.
		stake(BOB, SENIOR, 1_000);
		request(BOB, SENIOR, 1_000);
		assert_eq!(UnstakeRequests::<Test>::get(SENIOR, BOB)[0].unlock_at, 1 + SENIOR_COOLDOWN);
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
		for _ in 0..3 {
			request(ALICE, JUNIOR, 1);
		}
		assert_noop!(
			StakingBackstop::request_unstake(RuntimeOrigin::signed(ALICE), JUNIOR, 1),
			Error::<Test>::TooManyUnstakeRequests
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
			}
			.into(),
		);
		assert_eq!(balance(ALICE), ENDOWMENT);
		assert_eq!(pallet_balance(), ED);
		assert_eq!(ledger(JUNIOR), TrancheLedger::default());
		assert!(Positions::<Test>::get(JUNIOR, ALICE).is_none());
		assert!(UnstakeRequests::<Test>::get(JUNIOR, ALICE).is_empty());
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
		let second = request(BOB, JUNIOR, bob_shares - bob_shares / 3);
		run_to(1 + JUNIOR_COOLDOWN + 1);
		assert_ok!(StakingBackstop::unstake(RuntimeOrigin::signed(BOB), JUNIOR, first));
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
		assert!(UnstakeRequests::<Test>::get(JUNIOR, ALICE).is_empty());
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
		assert!(UnstakeRequests::<Test>::get(JUNIOR, ALICE).is_empty());
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
		let new = request(ALICE, JUNIOR, 100);
		let requests = UnstakeRequests::<Test>::get(JUNIOR, ALICE);
		assert_eq!((requests[0].id, requests[0].unlock_at), (old, 11));
		assert_eq!((requests[1].id, requests[1].unlock_at), (new, 51));
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
				Event::TrancheWipedOut { tranche: JUNIOR, epoch: 1, voided_shares: 1_000 }
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
			assert!(UnstakeRequests::<Test>::get(JUNIOR, ALICE).is_empty());
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
			assert!(UnstakeRequests::<Test>::get(JUNIOR, ALICE).is_empty());
			assert!(Positions::<Test>::get(JUNIOR, ALICE).is_none());
		});
}

// ---- rewards ----

#[test]
fn revenue_is_split_by_the_premium() {
	ExtBuilder::default().build_and_execute(|| {
		stake(ALICE, JUNIOR, 1_000);
		stake(BOB, SENIOR, 1_000);
		// Required: 10% of 10 000 = 1 000; capital 2 000: coverage 2, which
		// prices the junior share at 60%.
		MockExposure::set(10_000);
		assert_eq!(StakingBackstop::coverage(), Some(FixedU128::from_u32(2)));
		assert_eq!(StakingBackstop::current_premium(), Permill::from_percent(60));
		assert_eq!(receive(1_000), Ok(1_000));
		System::assert_last_event(
			Event::RevenueReceived {
				market: MARKET,
				kind: RevenueKind::TradingFee,
				source: SOURCE,
				amount: 1_000,
				junior_share: Permill::from_percent(60),
				to_junior: 600,
				to_senior: 400,
				undistributed: 0,
			}
			.into(),
		);
		assert_eq!(balance(SOURCE), ENDOWMENT - 1_000);
		assert_eq!(RewardPot::<Test>::get(), 1_000);
		assert_eq!(StakingBackstop::pending_rewards(JUNIOR, &ALICE), 600);
		assert_eq!(StakingBackstop::pending_rewards(SENIOR, &BOB), 400);
	});
}

#[test]
fn insurance_surplus_is_taken_too() {
	ExtBuilder::default().build_and_execute(|| {
		stake(ALICE, JUNIOR, 1_000);
		assert_eq!(
			<StakingBackstop as RevenueSink<AccountId>>::receive(
				MARKET,
				RevenueKind::InsuranceSurplus,
				&SOURCE,
				300,
			),
			Ok(300)
		);
		assert_eq!(StakingBackstop::pending_rewards(JUNIOR, &ALICE), 300);
	});
}

#[test]
fn the_premium_rises_as_coverage_falls() {
	ExtBuilder::default().build_and_execute(|| {
		stake(ALICE, JUNIOR, 1_000);
		stake(BOB, SENIOR, 1_000);
		let premium_at = |open_interest: Balance| {
			MockExposure::set(open_interest);
			StakingBackstop::current_premium()
		};
		// No open interest: nothing required, the lowest junior share.
		assert_eq!(premium_at(0), Permill::from_percent(40));
		assert_eq!(StakingBackstop::coverage(), None);
		assert_eq!(premium_at(5_000), Permill::from_percent(40)); // coverage 4
		assert_eq!(premium_at(6_667), Permill::from_parts(400_300)); // coverage 2.9985
		assert_eq!(premium_at(8_000), Permill::from_percent(50)); // coverage 2.5
		assert_eq!(premium_at(10_000), Permill::from_percent(60)); // coverage 2
		assert_eq!(premium_at(20_000), Permill::from_percent(80)); // coverage 1
		assert_eq!(premium_at(1_000_000), Permill::from_percent(80)); // coverage 0.02
																// A loss lowers the capital, so the coverage, so the premium rises.
		MockExposure::set(8_000);
		absorb(400);
		assert_eq!(StakingBackstop::total_capital(), 1_600);
		assert_eq!(StakingBackstop::coverage(), Some(FixedU128::from_u32(2)));
		assert_eq!(StakingBackstop::current_premium(), Permill::from_percent(60));
		// Required capital rounds up: 10% of 8 001 is 800.1 -> 801.
		MockExposure::set(8_001);
		assert_eq!(StakingBackstop::required_capital(), 801);
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
				junior_share: Permill::from_percent(40),
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
		let new = params(1_000, 50, 1_000, 1_000);
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
		assert_noop!(set(params(100, 30, 10, 1_001)), Error::<Test>::UnstakeWindowTooLong);
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
fn governance_sets_the_premium_curve_within_bounds() {
	ExtBuilder::default().build_and_execute(|| {
		let curve = PremiumCurve {
			required_capital: Permill::from_percent(20),
			coverage_low: FixedU128::from_rational(1, 2),
			coverage_high: FixedU128::from_u32(10),
			junior_max: Permill::from_percent(90),
			junior_min: Permill::from_percent(90),
		};
		assert_ok!(StakingBackstop::set_premium_curve(RuntimeOrigin::root(), curve));
		assert_eq!(Premium::<Test>::get(), curve);
		System::assert_last_event(Event::PremiumCurveSet { curve }.into());

		let set = |c| StakingBackstop::set_premium_curve(RuntimeOrigin::root(), c);
		assert_noop!(
			StakingBackstop::set_premium_curve(RuntimeOrigin::signed(ALICE), curve),
			BadOrigin
		);
		assert_noop!(
			set(PremiumCurve { coverage_low: FixedU128::from_u32(10), ..curve }),
			Error::<Test>::CoverageRangeEmpty
		);
		assert_noop!(
			set(PremiumCurve { coverage_high: FixedU128::from_u32(11), ..curve }),
			Error::<Test>::CoverageTooHigh
		);
		assert_noop!(
			set(PremiumCurve { junior_min: Permill::from_percent(91), ..curve }),
			Error::<Test>::JuniorShareRangeInverted
		);
	});
}

// ---- runtime API helpers ----

#[test]
fn runtime_api_helpers_report_the_state() {
	ExtBuilder::default().build_and_execute(|| {
		stake(ALICE, JUNIOR, 1_000);
		stake(BOB, SENIOR, 3_000);
		let cooling = request(ALICE, JUNIOR, 100);
		run_to(3);
		let open = request(ALICE, JUNIOR, 200);
		MockExposure::set(20_000);
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
		assert_eq!((info.cooldown, info.unstake_window), (JUNIOR_COOLDOWN, JUNIOR_WINDOW));
		assert_eq!(info.epoch, 0);
		assert_eq!(StakingBackstop::required_capital(), 2_000);
		assert_eq!(StakingBackstop::total_capital(), 3_900);
		assert_eq!(StakingBackstop::coverage(), Some(FixedU128::from_rational(39, 20)));
		assert_eq!(StakingBackstop::total_capacity(), 270 + 600);

		let alice = StakingBackstop::position(JUNIOR, &ALICE).unwrap();
		assert_eq!(alice.earning_shares, 700);
		assert_eq!(alice.unstaking_shares, 300);
		assert_eq!(alice.value, 900);
		assert_eq!(alice.pending_rewards, StakingBackstop::pending_rewards(JUNIOR, &ALICE));
		assert!(alice.pending_rewards > 0);
		assert_eq!(StakingBackstop::position(JUNIOR, &CHARLIE), None);
		assert_eq!(StakingBackstop::pending_rewards(JUNIOR, &CHARLIE), 0);

		run_to(12);
		let requests = StakingBackstop::unstake_requests(JUNIOR, &ALICE);
		assert_eq!(requests.len(), 2);
		assert_eq!((requests[0].id, requests[0].status), (cooling, UnstakeStatus::Unstakable));
		assert_eq!(requests[0].value, 90);
		assert_eq!((requests[1].id, requests[1].status), (open, UnstakeStatus::CoolingDown));
		assert_eq!((requests[1].unlock_at, requests[1].expires_at), (13, 18));
	});
}

// ---- property test: random sequences ----

#[derive(Debug, Clone)]
enum Op {
	Stake { who: u8, junior: bool, amount: Balance },
	Request { who: u8, junior: bool, permille: u32 },
	Unstake { who: u8, junior: bool, pick: u8, wait: bool },
	Cancel { who: u8, junior: bool, pick: u8 },
	Slash { loss: Balance },
	Reward { amount: Balance, surplus: bool },
	Claim { who: u8, junior: bool },
	Advance { blocks: BlockNumber },
	OpenInterest { amount: Balance },
}

fn op_strategy() -> impl proptest::strategy::Strategy<Value = Op> {
	use proptest::prelude::*;
	prop_oneof![
		4 => (0u8..4, any::<bool>(), 1u128..200_000)
			.prop_map(|(who, junior, amount)| Op::Stake { who, junior, amount }),
		3 => (0u8..4, any::<bool>(), 1u32..=1_000)
			.prop_map(|(who, junior, permille)| Op::Request { who, junior, permille }),
		4 => (0u8..4, any::<bool>(), any::<u8>(), proptest::bool::weighted(0.75))
			.prop_map(|(who, junior, pick, wait)| Op::Unstake { who, junior, pick, wait }),
		1 => (0u8..4, any::<bool>(), any::<u8>())
			.prop_map(|(who, junior, pick)| Op::Cancel { who, junior, pick }),
		3 => (0u128..300_000).prop_map(|loss| Op::Slash { loss }),
		3 => (0u128..50_000, any::<bool>())
			.prop_map(|(amount, surplus)| Op::Reward { amount, surplus }),
		2 => (0u8..4, any::<bool>()).prop_map(|(who, junior)| Op::Claim { who, junior }),
		3 => (1u64..20).prop_map(|blocks| Op::Advance { blocks }),
		1 => (0u128..5_000_000).prop_map(|amount| Op::OpenInterest { amount }),
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

/// Applies `op`; an operation that fails must leave the state unchanged.
/// `Unstake` with `wait` first advances to the chosen request's unlock block
/// (the staker waits out the cooldown).
fn apply(op: &Op) {
	if let Op::Unstake { who, junior, pick, wait: true } = *op {
		let tranche = tranche_of(junior);
		let who = staker_with(who, |w| !UnstakeRequests::<Test>::get(tranche, w).is_empty());
		let requests = UnstakeRequests::<Test>::get(tranche, who);
		if !requests.is_empty() {
			let unlock_at = requests[pick as usize % requests.len()].unlock_at;
			if System::block_number() < unlock_at {
				run_to(unlock_at);
			}
		}
	}
	let root = sp_io::storage::root(sp_runtime::StateVersion::V1);
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
		Op::Unstake { who, junior, pick, .. } | Op::Cancel { who, junior, pick } => {
			let tranche = tranche_of(junior);
			let who = staker_with(who, |w| !UnstakeRequests::<Test>::get(tranche, w).is_empty());
			let requests = UnstakeRequests::<Test>::get(tranche, who);
			let id = if requests.is_empty() {
				u64::MAX
			} else {
				requests[pick as usize % requests.len()].id
			};
			if matches!(op, Op::Unstake { .. }) {
				StakingBackstop::unstake(RuntimeOrigin::signed(who), tranche, id)
			} else {
				StakingBackstop::cancel_unstake(RuntimeOrigin::signed(who), tranche, id)
			}
		},
		Op::Slash { loss } => {
			let capacity = StakingBackstop::total_capacity();
			let before = balance(BENEFICIARY);
			let uncovered = absorb(loss);
			let covered = balance(BENEFICIARY) - before;
			assert_eq!(covered + uncovered, loss, "a loss is never dropped");
			assert!(covered <= capacity, "no tranche pays beyond its cap");
			Ok(())
		},
		Op::Reward { amount, surplus } => {
			let kind =
				if surplus { RevenueKind::InsuranceSurplus } else { RevenueKind::TradingFee };
			<StakingBackstop as RevenueSink<AccountId>>::receive(MARKET, kind, &SOURCE, amount)
				.map(|taken| assert_eq!(taken, amount))
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
		Op::OpenInterest { amount } => {
			MockExposure::set(amount);
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
}

/// `total shares × share price = assets`, within one unit (the price is
/// rounded down to 18 decimals; shares stay far below 10^18 here).
fn assert_price_consistent(tranche: Tranche) {
	let ledger = ledger(tranche);
	if ledger.shares.is_zero() {
		assert!(ledger.assets.is_zero());
		return;
	}
	// Stakes and redemptions round in the tranche's favour from a price of
	// one, and slashes lower it: the price never exceeds one.
	assert!(ledger.assets <= ledger.shares, "share price above one");
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

proptest::proptest! {
	#![proptest_config(proptest::test_runner::Config::with_cases(128))]

	#[test]
	fn invariants_hold_over_random_sequences(
		ops in proptest::collection::vec(op_strategy(), 1..80),
		full_junior_slash in proptest::bool::ANY,
	) {
		let builder = if full_junior_slash {
			ExtBuilder::default()
				.max_slash_fraction(Perbill::one())
				.params(JUNIOR, params(MIN_STAKE, 100, 10, 5))
		} else {
			ExtBuilder::default()
		};
		builder.build_and_execute(|| {
			let issuance = Balances::total_issuance();
			for op in &ops {
				let before = [ledger(JUNIOR), ledger(SENIOR)];
				apply(op);
				StakingBackstop::do_try_state()
					.unwrap_or_else(|e| panic!("invariants broken after {op:?}: {e:?}"));
				assert_eq!(Balances::total_issuance(), issuance, "money created or destroyed");
				for (tranche, old) in [JUNIOR, SENIOR].into_iter().zip(before) {
					assert_price_consistent(tranche);
					let new = ledger(tranche);
					if old.epoch != new.epoch || old.shares == 0 || new.shares == 0 {
						continue;
					}
					if matches!(op, Op::Slash { .. }) {
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
