//! Unit and property tests. Every test built with `build_and_execute` ends
//! with `do_try_state`: the pallet account holds at least the ledgers plus
//! the buffer (more only after an unsolicited transfer).

use crate::{mock::*, *};
use backstop_primitives::{Balance, LossAbsorber, LossTier, MarketId, RevenueKind, RevenueSink};
use frame_support::{
	assert_noop, assert_ok, assert_storage_noop,
	traits::fungible::{Inspect, Mutate},
};
use sp_runtime::{
	traits::{BadOrigin, Bounded, Zero},
	DispatchError, FixedU128, Permill, TokenError,
};

const M: FundId = FundId::Market(MARKET);
const G: FundId = FundId::Global;

fn balance(who: AccountId) -> Balance {
	<Balances as Inspect<AccountId>>::balance(&who)
}

fn pallet_balance() -> Balance {
	balance(InsuranceFund::account_id())
}

fn fund(fund: FundId) -> Balance {
	InsuranceFund::fund_balance(fund)
}

fn sum_of_funds() -> Balance {
	InsuranceFund::funds().iter().map(|f| f.balance).sum()
}

fn events() -> Vec<Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|r| match r.event {
			RuntimeEvent::InsuranceFund(e) => Some(e),
			_ => None,
		})
		.collect()
}

fn absorb(market: MarketId, amount: Balance) -> Balance {
	<InsuranceFund as LossAbsorber<AccountId>>::absorb(market, amount, &BENEFICIARY)
}

fn capacity(market: MarketId) -> Balance {
	<InsuranceFund as LossAbsorber<AccountId>>::capacity(market)
}

fn receive(
	market: MarketId,
	kind: RevenueKind,
	source: AccountId,
	amount: Balance,
) -> Result<Balance, DispatchError> {
	<InsuranceFund as RevenueSink<AccountId>>::receive(market, kind, &source, amount)
}

fn root() -> RuntimeOrigin {
	RuntimeOrigin::root()
}

fn signed(who: AccountId) -> RuntimeOrigin {
	RuntimeOrigin::signed(who)
}

fn drawn(market: MarketId, fund: FundId, amount: Balance) -> Event<Test> {
	Event::FundDrawn {
		tier: LossTier::InsuranceFund,
		market,
		fund,
		amount,
		beneficiary: BENEFICIARY,
	}
}

fn absorbed(market: MarketId, loss: Balance, covered: Balance) -> Event<Test> {
	Event::LossAbsorbed {
		tier: LossTier::InsuranceFund,
		market,
		loss,
		covered,
		uncovered: loss - covered,
	}
}

fn params(cap: u32, absolute_cap: Balance, target: u32, floor: u32) -> FundParams {
	FundParams {
		cap_fraction: Permill::from_percent(cap),
		absolute_cap,
		target_fraction: Permill::from_percent(target),
		floor: Permill::from_percent(floor),
	}
}

mod genesis {
	use super::*;

	#[test]
	fn seeds_funds_and_mints_the_buffer() {
		ExtBuilder::default().build_and_execute(|| {
			assert_eq!(pallet_balance(), GLOBAL_SEED + MARKET_SEED + ED);
			assert_eq!(fund(G), GLOBAL_SEED);
			assert_eq!(fund(M), MARKET_SEED);
			assert_eq!(MarketFunds::<Test>::count(), 1);
			assert_eq!(GlobalParams::<Test>::get(), global_params());
			assert_eq!(DefaultMarketParams::<Test>::get(), market_params());
			assert_eq!(MarketParams::<Test>::get(MARKET), None);
			assert_eq!(ForwardFraction::<Test>::get(), Permill::from_percent(10));
			assert_eq!(Balances::total_issuance(), 4 * ENDOWMENT + GLOBAL_SEED + MARKET_SEED + ED);
		});
	}

	#[test]
	fn without_seeds_mints_only_the_buffer() {
		ExtBuilder::default().seeds(0, vec![]).build_and_execute(|| {
			assert_eq!(pallet_balance(), ED);
			assert_eq!(fund(G), 0);
			assert_eq!(MarketFunds::<Test>::count(), 0);
		});
	}

	#[test]
	#[should_panic(expected = "seeded twice")]
	fn rejects_a_market_seeded_twice() {
		ExtBuilder::default().seeds(0, vec![(1, 5), (1, 6)]).build();
	}

	#[test]
	#[should_panic(expected = "more market seeds than MaxMarketFunds")]
	fn rejects_too_many_market_seeds() {
		ExtBuilder::default().seeds(0, vec![(1, 5), (2, 5), (3, 5), (4, 5)]).build();
	}

	#[test]
	#[should_panic(expected = "parameters out of bounds")]
	fn rejects_parameters_out_of_bounds() {
		ExtBuilder::default().global_params(params(10, 100, 60, 50)).build();
	}

	#[test]
	#[should_panic(expected = "forward fraction above MaxForwardFraction")]
	fn rejects_forward_fraction_out_of_bounds() {
		ExtBuilder::default().forward_fraction(Permill::from_percent(51)).build();
	}

	#[test]
	fn genesis_config_json_shape() {
		let config = GenesisConfig::<Test> {
			global_seed: 1_000,
			market_seeds: vec![(0, 500), (3, 250)],
			global_params: global_params(),
			default_market_params: market_params(),
			forward_fraction: Permill::from_percent(10),
			keeper_reward_limits: KEEPER_LIMITS,
			block_cap: Some(Permill::from_percent(50)),
			_config: Default::default(),
		};
		let json = serde_json::json!({
			"globalSeed": 1_000,
			"marketSeeds": [[0, 500], [3, 250]],
			"globalParams": {
				"capFraction": 500_000,
				"absoluteCap": 4_000,
				"targetFraction": 100_000,
				"floor": 500_000
			},
			"defaultMarketParams": {
				"capFraction": 500_000,
				"absoluteCap": 2_000,
				"targetFraction": 100_000,
				"floor": 500_000
			},
			"forwardFraction": 100_000,
			"keeperRewardLimits": { "perLiquidation": 100, "perBlock": 250 },
			"blockCap": 500_000
		});
		assert_eq!(serde_json::to_value(&config).unwrap(), json);
		let back: GenesisConfig<Test> = serde_json::from_value(json).unwrap();
		assert_eq!(back.market_seeds, config.market_seeds);
		assert_eq!(back.global_params, config.global_params);
		assert_eq!(back.forward_fraction, config.forward_fraction);
	}

	#[test]
	fn integrity_test_passes() {
		integrity_test();
	}
}

mod donate {
	use super::*;

	#[test]
	fn credits_the_chosen_fund() {
		ExtBuilder::default().build_and_execute(|| {
			assert_ok!(InsuranceFund::donate(signed(ALICE), G, 1_000));
			assert_eq!(fund(G), GLOBAL_SEED + 1_000);
			assert_eq!(fund(M), MARKET_SEED);
			System::assert_last_event(Event::Donated { who: ALICE, fund: G, amount: 1_000 }.into());

			assert_ok!(InsuranceFund::donate(signed(BOB), M, 500));
			assert_eq!(fund(M), MARKET_SEED + 500);
			assert_eq!(fund(G), GLOBAL_SEED + 1_000);
			System::assert_last_event(Event::Donated { who: BOB, fund: M, amount: 500 }.into());

			assert_eq!(balance(ALICE), ENDOWMENT - 1_000);
			assert_eq!(balance(BOB), ENDOWMENT - 500);
			assert_eq!(pallet_balance(), GLOBAL_SEED + MARKET_SEED + ED + 1_500);
		});
	}

	#[test]
	fn errors_leave_state_unchanged() {
		ExtBuilder::default().build_and_execute(|| {
			assert_noop!(InsuranceFund::donate(signed(ALICE), G, 0), Error::<Test>::ZeroAmount);
			assert_noop!(
				InsuranceFund::donate(signed(ALICE), FundId::Market(7), 100),
				Error::<Test>::UnknownFund
			);
			assert_noop!(InsuranceFund::donate(root(), G, 100), BadOrigin);
			// The donor is kept alive.
			assert_noop!(
				InsuranceFund::donate(signed(ALICE), G, ENDOWMENT),
				TokenError::NotExpendable
			);
			// An account without funds.
			assert_noop!(InsuranceFund::donate(signed(77), G, 100), TokenError::FundsUnavailable);
		});
	}
}

mod receive {
	use super::*;

	#[test]
	fn splits_between_market_and_global_fund() {
		ExtBuilder::default().build_and_execute(|| {
			// 10% of 1 005 is 100.5: 100 is forwarded, the sub-fund keeps 905.
			assert_eq!(receive(MARKET, RevenueKind::LiquidationPenalty, BOB, 1_005), Ok(1_005));
			assert_eq!(fund(M), MARKET_SEED + 905);
			assert_eq!(fund(G), GLOBAL_SEED + 100);
			assert_eq!(balance(BOB), ENDOWMENT - 1_005);
			System::assert_last_event(
				Event::RevenueReceived {
					market: MARKET,
					kind: RevenueKind::LiquidationPenalty,
					source: BOB,
					to_market_fund: 905,
					to_global_fund: 100,
				}
				.into(),
			);

			assert_eq!(receive(MARKET, RevenueKind::TradingFee, CHARLIE, 50), Ok(50));
			assert_eq!(fund(M), MARKET_SEED + 905 + 45);
			assert_eq!(fund(G), GLOBAL_SEED + 100 + 5);
			System::assert_last_event(
				Event::RevenueReceived {
					market: MARKET,
					kind: RevenueKind::TradingFee,
					source: CHARLIE,
					to_market_fund: 45,
					to_global_fund: 5,
				}
				.into(),
			);
		});
	}

	#[test]
	fn split_rounds_in_favour_of_the_sub_fund() {
		ExtBuilder::default().forward_fraction(Permill::from_percent(50)).build_and_execute(|| {
			assert_eq!(receive(MARKET, RevenueKind::TradingFee, BOB, 7), Ok(7));
			assert_eq!(fund(M), MARKET_SEED + 4);
			assert_eq!(fund(G), GLOBAL_SEED + 3);
		});
		ExtBuilder::default().forward_fraction(Permill::zero()).build_and_execute(|| {
			assert_eq!(receive(MARKET, RevenueKind::TradingFee, BOB, 7), Ok(7));
			assert_eq!(fund(M), MARKET_SEED + 7);
			assert_eq!(fund(G), GLOBAL_SEED);
		});
	}

	#[test]
	fn creates_the_sub_fund_on_first_inflow() {
		ExtBuilder::default().build_and_execute(|| {
			assert_eq!(InsuranceFund::fund_of(FundId::Market(5)), None);
			assert_eq!(receive(5, RevenueKind::TradingFee, BOB, 100), Ok(100));
			assert_eq!(fund(FundId::Market(5)), 90);
			assert_eq!(fund(G), GLOBAL_SEED + 10);
			assert_eq!(MarketFunds::<Test>::count(), 2);
			assert_eq!(
				events(),
				vec![
					Event::FundCreated { market: 5 },
					Event::RevenueReceived {
						market: 5,
						kind: RevenueKind::TradingFee,
						source: BOB,
						to_market_fund: 90,
						to_global_fund: 10,
					},
				]
			);
		});
	}

	#[test]
	fn zero_amount_takes_nothing() {
		ExtBuilder::default().build_and_execute(|| {
			assert_storage_noop!(assert_eq!(
				receive(MARKET, RevenueKind::TradingFee, BOB, 0),
				Ok(0)
			));
		});
	}

	#[test]
	fn errors_leave_state_unchanged() {
		ExtBuilder::default().build_and_execute(|| {
			assert_storage_noop!(assert_eq!(
				receive(MARKET, RevenueKind::InsuranceSurplus, BOB, 100),
				Err(Error::<Test>::UnsupportedRevenue.into())
			));
			assert_storage_noop!(assert_eq!(
				receive(MARKET, RevenueKind::BackstopPremium, BOB, 100),
				Err(Error::<Test>::UnsupportedRevenue.into())
			));
			// A source without funds, into a market whose sub-fund would be
			// created: neither the transfer nor the creation happens.
			assert_storage_noop!(assert_eq!(
				receive(9, RevenueKind::TradingFee, 77, 100),
				Err(TokenError::FundsUnavailable.into())
			));
			// The source is kept alive.
			assert_storage_noop!(assert_eq!(
				receive(MARKET, RevenueKind::TradingFee, BOB, ENDOWMENT),
				Err(TokenError::NotExpendable.into())
			));
			// No room for another sub-fund.
			assert_eq!(receive(1, RevenueKind::TradingFee, BOB, 100), Ok(100));
			assert_eq!(receive(2, RevenueKind::TradingFee, BOB, 100), Ok(100));
			assert_storage_noop!(assert_eq!(
				receive(3, RevenueKind::TradingFee, BOB, 100),
				Err(Error::<Test>::TooManyFunds.into())
			));
		});
	}
}

mod absorb {
	use super::*;

	#[test]
	fn sub_fund_pays_first() {
		ExtBuilder::default().build_and_execute(|| {
			assert_eq!(absorb(MARKET, 1_500), 0);
			assert_eq!(fund(M), MARKET_SEED - 1_500);
			assert_eq!(fund(G), GLOBAL_SEED);
			assert_eq!(balance(BENEFICIARY), ENDOWMENT + 1_500);
			assert_eq!(events(), vec![drawn(MARKET, M, 1_500), absorbed(MARKET, 1_500, 1_500)]);
		});
	}

	#[test]
	fn global_fund_pays_what_the_sub_fund_cannot() {
		ExtBuilder::default().build_and_execute(|| {
			// The sub-fund's cap is min(50% of 5 000, 2 000) = 2 000.
			assert_eq!(absorb(MARKET, 3_000), 0);
			assert_eq!(fund(M), MARKET_SEED - 2_000);
			assert_eq!(fund(G), GLOBAL_SEED - 1_000);
			assert_eq!(
				events(),
				vec![
					drawn(MARKET, M, 2_000),
					drawn(MARKET, G, 1_000),
					absorbed(MARKET, 3_000, 3_000)
				]
			);
		});
	}

	#[test]
	fn caps_bound_each_fund_and_the_rest_is_returned() {
		ExtBuilder::default().build_and_execute(|| {
			// Sub-fund: min(2 500, 2 000); global: min(5 000, 4 000).
			assert_eq!(capacity(MARKET), 6_000);
			assert_eq!(absorb(MARKET, 10_000), 4_000);
			assert_eq!(fund(M), MARKET_SEED - 2_000);
			assert_eq!(fund(G), GLOBAL_SEED - 4_000);
			assert_eq!(balance(BENEFICIARY), ENDOWMENT + 6_000);
			assert_eq!(
				events(),
				vec![
					drawn(MARKET, M, 2_000),
					drawn(MARKET, G, 4_000),
					absorbed(MARKET, 10_000, 6_000)
				]
			);
		});
	}

	#[test]
	fn fraction_cap_rounds_down() {
		ExtBuilder::default()
			.seeds(GLOBAL_SEED, vec![(MARKET, 5_001)])
			.market_params(params(50, 1_000_000, 10, 50))
			.global_params(params(50, 1_000_000, 10, 50))
			.build_and_execute(|| {
				// 50% of 5 001 is 2 500.5: the sub-fund pays 2 500.
				assert_eq!(InsuranceFund::fund_capacity(M), 2_500);
				assert_eq!(capacity(MARKET), 2_500 + 5_000);
				assert_eq!(absorb(MARKET, 100_000), 100_000 - 7_500);
				assert_eq!(fund(M), 2_501);
				assert_eq!(fund(G), 5_000);
			});
	}

	#[test]
	fn market_without_sub_fund_draws_on_the_global_fund() {
		ExtBuilder::default().build_and_execute(|| {
			assert_eq!(capacity(9), 4_000);
			assert_eq!(absorb(9, 10_000), 6_000);
			assert_eq!(fund(G), GLOBAL_SEED - 4_000);
			assert_eq!(fund(M), MARKET_SEED);
			assert_eq!(events(), vec![drawn(9, G, 4_000), absorbed(9, 10_000, 4_000)]);
		});
	}

	#[test]
	fn capacity_is_what_absorb_covers() {
		ExtBuilder::default().build_and_execute(|| {
			for _ in 0..5 {
				let expected = capacity(MARKET);
				assert_eq!(InsuranceFund::market_capacity(MARKET), expected);
				assert_eq!(Balance::MAX / 2 - absorb(MARKET, Balance::MAX / 2), expected);
			}
		});
	}

	#[test]
	fn zero_loss_touches_nothing() {
		ExtBuilder::default().build_and_execute(|| {
			assert_storage_noop!(assert_eq!(absorb(MARKET, 0), 0));
		});
	}

	#[test]
	fn drained_funds_return_the_whole_shortfall_and_stay_at_zero() {
		let all_in = params(100, 1_000_000, 10, 50);
		ExtBuilder::default().global_params(all_in).market_params(all_in).build_and_execute(|| {
			assert_eq!(absorb(MARKET, 20_000), 5_000);
			assert_eq!(fund(M), 0);
			assert_eq!(fund(G), 0);
			// The buffer is untouched.
			assert_eq!(pallet_balance(), ED);

			System::reset_events();
			assert_eq!(absorb(MARKET, 700), 700);
			assert_eq!(fund(M), 0);
			assert_eq!(fund(G), 0);
			assert_eq!(capacity(MARKET), 0);
			assert_eq!(events(), vec![absorbed(MARKET, 700, 0)]);
			assert_eq!(balance(BENEFICIARY), ENDOWMENT + 15_000);
		});
	}

	#[test]
	fn a_failed_payment_covers_nothing_and_the_loss_flows_on() {
		ExtBuilder::default().seeds(GLOBAL_SEED, vec![(MARKET, 10)]).build_and_execute(|| {
			let fresh: AccountId = 300;
			// The sub-fund's cap is 5, below the minimum balance of a new
			// account: its payment fails and the global fund pays it all.
			let uncovered = <InsuranceFund as LossAbsorber<AccountId>>::absorb(MARKET, 100, &fresh);
			assert_eq!(uncovered, 0);
			assert_eq!(fund(M), 10);
			assert_eq!(fund(G), GLOBAL_SEED - 100);
			assert_eq!(balance(fresh), 100);
			assert_eq!(
				events(),
				vec![
					Event::DrawFailed {
						tier: LossTier::InsuranceFund,
						market: MARKET,
						fund: M,
						amount: 5,
						error: TokenError::BelowMinimum.into(),
					},
					Event::FundDrawn {
						tier: LossTier::InsuranceFund,
						market: MARKET,
						fund: G,
						amount: 100,
						beneficiary: fresh,
					},
					absorbed(MARKET, 100, 100),
				]
			);
		});
	}

	/// A ledger the account cannot honour is an impossible state: it trips
	/// `defensive!` (a panic in debug builds); in release the fund pays
	/// nothing and the loss flows on.
	#[test]
	#[cfg_attr(debug_assertions, should_panic(expected = "Defensive failure has been triggered!"))]
	fn a_ledger_above_the_account_pays_nothing() {
		ExtBuilder::default().build().execute_with(|| {
			let account = InsuranceFund::account_id();
			<Balances as Mutate<AccountId>>::set_balance(&account, ED + 100);
			assert!(InsuranceFund::do_try_state().is_err());

			assert_eq!(absorb(MARKET, 1_000), 1_000);
			assert_eq!(fund(M), MARKET_SEED);
			assert_eq!(fund(G), GLOBAL_SEED);
			assert_eq!(pallet_balance(), ED + 100);
			let error: DispatchError = Error::<Test>::LedgerExceedsAccount.into();
			assert_eq!(
				events(),
				vec![
					Event::DrawFailed {
						tier: LossTier::InsuranceFund,
						market: MARKET,
						fund: M,
						amount: 1_000,
						error,
					},
					Event::DrawFailed {
						tier: LossTier::InsuranceFund,
						market: MARKET,
						fund: G,
						amount: 1_000,
						error,
					},
					absorbed(MARKET, 1_000, 0),
				]
			);
		});
	}
}

mod surplus {
	use super::*;

	#[test]
	fn only_what_lies_above_target_can_be_withdrawn() {
		ExtBuilder::default().build_and_execute(|| {
			// Target: 10% of 20 000 = 2 000; the sub-fund holds 5 000.
			MockExposure::set(MARKET, 20_000);
			assert_eq!(InsuranceFund::fund_surplus(M), 3_000);
			assert_noop!(
				InsuranceFund::withdraw_surplus(root(), M, 3_001, POT),
				Error::<Test>::ExceedsSurplus
			);
			assert_ok!(InsuranceFund::withdraw_surplus(root(), M, 3_000, POT));
			assert_eq!(fund(M), 2_000);
			assert_eq!(balance(POT), 3_000);
			System::assert_last_event(
				Event::SurplusWithdrawn { fund: M, amount: 3_000, dest: POT, target: 2_000 }.into(),
			);
			// At target: nothing more.
			assert_noop!(
				InsuranceFund::withdraw_surplus(root(), M, 1, POT),
				Error::<Test>::ExceedsSurplus
			);
		});
	}

	#[test]
	fn target_rounds_up() {
		ExtBuilder::default().build_and_execute(|| {
			// 10% of 20 005 is 2 000.5: the target is 2 001.
			MockExposure::set(MARKET, 20_005);
			assert_eq!(InsuranceFund::fund_target(M), 2_001);
			assert_eq!(InsuranceFund::fund_surplus(M), 2_999);
			assert_noop!(
				InsuranceFund::withdraw_surplus(root(), M, 3_000, POT),
				Error::<Test>::ExceedsSurplus
			);
			assert_ok!(InsuranceFund::withdraw_surplus(root(), M, 2_999, POT));
			assert_eq!(fund(M), 2_001);
		});
	}

	#[test]
	fn target_follows_the_required_capital_not_the_open_interest() {
		ExtBuilder::default().build_and_execute(|| {
			// 100 000 of open interest whose stressed loss is 25 000: the
			// target is 10% of 25 000.
			MockExposure::set_with_required(MARKET, 100_000, 25_000);
			assert_eq!(InsuranceFund::fund_target(M), 2_500);
			assert_eq!(InsuranceFund::fund_surplus(M), 2_500);
			let info = InsuranceFund::fund_info(M).unwrap();
			assert_eq!((info.open_interest, info.required_capital), (100_000, 25_000));
			// A tighter stress raises the target at once.
			MockExposure::set_with_required(MARKET, 100_000, 40_000);
			assert_eq!(InsuranceFund::fund_target(M), 4_000);
			assert_noop!(
				InsuranceFund::withdraw_surplus(root(), M, 1_001, POT),
				Error::<Test>::ExceedsSurplus
			);
		});
	}

	#[test]
	fn global_target_follows_total_open_interest() {
		ExtBuilder::default().build_and_execute(|| {
			MockExposure::set(MARKET, 20_000);
			MockExposure::set(1, 30_000);
			assert_eq!(InsuranceFund::fund_target(G), 5_000);
			assert_noop!(
				InsuranceFund::withdraw_surplus(root(), G, 5_001, POT),
				Error::<Test>::ExceedsSurplus
			);
			assert_ok!(InsuranceFund::withdraw_surplus(root(), G, 5_000, POT));
			assert_eq!(fund(G), 5_000);
		});
	}

	#[test]
	fn without_open_interest_everything_is_surplus_but_the_buffer_stays() {
		ExtBuilder::default().build_and_execute(|| {
			assert_ok!(InsuranceFund::withdraw_surplus(root(), G, GLOBAL_SEED, POT));
			assert_ok!(InsuranceFund::withdraw_surplus(root(), M, MARKET_SEED, POT));
			assert_eq!(fund(G), 0);
			assert_eq!(fund(M), 0);
			assert_eq!(pallet_balance(), ED);
			assert_eq!(balance(POT), GLOBAL_SEED + MARKET_SEED);
		});
	}

	#[test]
	fn errors_leave_state_unchanged() {
		ExtBuilder::default().build_and_execute(|| {
			assert_noop!(
				InsuranceFund::withdraw_surplus(root(), G, 0, POT),
				Error::<Test>::ZeroAmount
			);
			assert_noop!(
				InsuranceFund::withdraw_surplus(root(), FundId::Market(4), 10, POT),
				Error::<Test>::UnknownFund
			);
			assert_noop!(InsuranceFund::withdraw_surplus(signed(ALICE), G, 10, POT), BadOrigin);
			// The destination cannot receive less than the minimum balance.
			assert_noop!(
				InsuranceFund::withdraw_surplus(root(), G, ED - 1, POT),
				TokenError::BelowMinimum
			);
		});
	}
}

mod capitalization {
	use super::*;

	#[test]
	fn events_fire_once_per_crossing_both_ways() {
		ExtBuilder::default().build_and_execute(|| {
			// Target 10% of 200 000 = 20 000; floor 50% of it = 10 000.
			MockExposure::set(MARKET, 200_000);
			assert_ok!(InsuranceFund::donate(signed(ALICE), M, 100));
			System::assert_last_event(
				Event::UnderCapitalized { fund: M, balance: 5_100, target: 20_000, floor: 10_000 }
					.into(),
			);
			assert!(InsuranceFund::fund_of(M).unwrap().under_capitalized);

			System::reset_events();
			assert_ok!(InsuranceFund::donate(signed(ALICE), M, 100));
			assert_eq!(events(), vec![Event::Donated { who: ALICE, fund: M, amount: 100 }]);

			// Reaching the floor recapitalizes.
			assert_ok!(InsuranceFund::donate(signed(ALICE), M, 4_800));
			System::assert_last_event(
				Event::Recapitalized { fund: M, balance: 10_000, target: 20_000, floor: 10_000 }
					.into(),
			);
			assert!(!InsuranceFund::fund_of(M).unwrap().under_capitalized);

			// A draw takes it below again; the global fund (target 20 000 on
			// the same total, floor 10 000) falls below too.
			System::reset_events();
			assert_eq!(absorb(MARKET, 3_000), 0);
			assert_eq!(
				events(),
				vec![
					drawn(MARKET, M, 2_000),
					Event::UnderCapitalized {
						fund: M,
						balance: 8_000,
						target: 20_000,
						floor: 10_000
					},
					drawn(MARKET, G, 1_000),
					Event::UnderCapitalized {
						fund: G,
						balance: 9_000,
						target: 20_000,
						floor: 10_000
					},
					absorbed(MARKET, 3_000, 3_000),
				]
			);
		});
	}

	#[test]
	fn revenue_can_recapitalize() {
		ExtBuilder::default().build_and_execute(|| {
			MockExposure::set(MARKET, 200_000);
			assert_ok!(InsuranceFund::donate(signed(ALICE), M, 1));
			assert!(InsuranceFund::fund_of(M).unwrap().under_capitalized);
			System::reset_events();
			assert_eq!(receive(MARKET, RevenueKind::LiquidationPenalty, BOB, 10_000), Ok(10_000));
			assert_eq!(fund(M), 5_001 + 9_000);
			assert!(events().contains(&Event::Recapitalized {
				fund: M,
				balance: 14_001,
				target: 20_000,
				floor: 10_000
			}));
		});
	}

	#[test]
	fn lowering_the_floor_recapitalizes() {
		ExtBuilder::default().build_and_execute(|| {
			MockExposure::set(MARKET, 200_000);
			assert_ok!(InsuranceFund::donate(signed(ALICE), M, 1));
			assert!(InsuranceFund::fund_of(M).unwrap().under_capitalized);
			let lower = FundParams { floor: Permill::from_percent(20), ..market_params() };
			assert_ok!(InsuranceFund::set_params(root(), ParamsScope::Market(MARKET), lower));
			System::assert_last_event(
				Event::Recapitalized { fund: M, balance: 5_001, target: 20_000, floor: 4_000 }
					.into(),
			);
		});
	}

	#[test]
	fn no_target_means_never_under_capitalized() {
		ExtBuilder::default().seeds(0, vec![(MARKET, 0)]).build_and_execute(|| {
			assert_ok!(InsuranceFund::donate(signed(ALICE), M, 1));
			assert_eq!(InsuranceFund::fund_coverage(M), None);
			assert!(!InsuranceFund::fund_of(M).unwrap().under_capitalized);
		});
	}
}

mod governance {
	use super::*;

	#[test]
	fn set_params_for_each_scope() {
		ExtBuilder::default().build_and_execute(|| {
			let new = params(30, 7_000, 20, 40);
			assert_ok!(InsuranceFund::set_params(root(), ParamsScope::Global, new));
			assert_eq!(GlobalParams::<Test>::get(), new);
			assert_eq!(InsuranceFund::params_of(G), new);
			System::assert_last_event(
				Event::ParamsSet { scope: ParamsScope::Global, params: new }.into(),
			);

			let default = params(40, 3_000, 5, 25);
			assert_ok!(InsuranceFund::set_params(root(), ParamsScope::MarketDefault, default));
			assert_eq!(InsuranceFund::params_of(M), default);
			System::assert_last_event(
				Event::ParamsSet { scope: ParamsScope::MarketDefault, params: default }.into(),
			);

			let own = params(20, 1_000, 15, 60);
			assert_ok!(InsuranceFund::set_params(root(), ParamsScope::Market(MARKET), own));
			assert_eq!(MarketParams::<Test>::get(MARKET), Some(own));
			assert_eq!(InsuranceFund::params_of(M), own);
			// Other markets keep the default.
			assert_eq!(InsuranceFund::params_of(FundId::Market(1)), default);
			System::assert_last_event(
				Event::ParamsSet { scope: ParamsScope::Market(MARKET), params: own }.into(),
			);
			// The new caps apply at once: min(20% of 5 000, 1 000) + min(30% of 10 000, 7 000).
			assert_eq!(capacity(MARKET), 1_000 + 3_000);
		});
	}

	#[test]
	fn set_params_for_a_new_market_creates_its_sub_fund() {
		ExtBuilder::default().build_and_execute(|| {
			let own = params(20, 1_000, 15, 60);
			assert_ok!(InsuranceFund::set_params(root(), ParamsScope::Market(7), own));
			assert_eq!(InsuranceFund::fund_of(FundId::Market(7)), Some(Fund::default()));
			assert_eq!(MarketFunds::<Test>::count(), 2);
			assert_eq!(
				events(),
				vec![
					Event::FundCreated { market: 7 },
					Event::ParamsSet { scope: ParamsScope::Market(7), params: own },
				]
			);
		});
	}

	#[test]
	fn set_params_errors_leave_state_unchanged() {
		ExtBuilder::default().build_and_execute(|| {
			MaxCapFraction::set(Permill::from_percent(60));
			for scope in [ParamsScope::Global, ParamsScope::MarketDefault, ParamsScope::Market(1)] {
				assert_noop!(
					InsuranceFund::set_params(root(), scope, params(61, 100, 10, 50)),
					Error::<Test>::CapFractionTooHigh
				);
				assert_noop!(
					InsuranceFund::set_params(root(), scope, params(60, 1_000_001, 10, 50)),
					Error::<Test>::AbsoluteCapTooHigh
				);
				assert_noop!(
					InsuranceFund::set_params(root(), scope, params(60, 1_000_000, 51, 50)),
					Error::<Test>::TargetFractionTooHigh
				);
				assert_noop!(
					InsuranceFund::set_params(signed(ALICE), scope, params(10, 100, 10, 50)),
					BadOrigin
				);
			}
			assert_ok!(InsuranceFund::create_market_fund(root(), 1));
			assert_ok!(InsuranceFund::create_market_fund(root(), 2));
			assert_noop!(
				InsuranceFund::set_params(root(), ParamsScope::Market(3), market_params()),
				Error::<Test>::TooManyFunds
			);
		});
	}

	#[test]
	fn clear_market_params_restores_the_default() {
		ExtBuilder::default().build_and_execute(|| {
			assert_noop!(
				InsuranceFund::clear_market_params(root(), MARKET),
				Error::<Test>::NoMarketParams
			);
			let own = params(20, 1_000, 15, 60);
			assert_ok!(InsuranceFund::set_params(root(), ParamsScope::Market(MARKET), own));
			assert_noop!(InsuranceFund::clear_market_params(signed(ALICE), MARKET), BadOrigin);
			assert_ok!(InsuranceFund::clear_market_params(root(), MARKET));
			assert_eq!(MarketParams::<Test>::get(MARKET), None);
			assert_eq!(InsuranceFund::params_of(M), market_params());
			System::assert_last_event(Event::MarketParamsCleared { market: MARKET }.into());
		});
	}

	#[test]
	fn set_forward_fraction_within_bounds() {
		ExtBuilder::default().build_and_execute(|| {
			assert_ok!(InsuranceFund::set_forward_fraction(root(), Permill::from_percent(50)));
			assert_eq!(ForwardFraction::<Test>::get(), Permill::from_percent(50));
			System::assert_last_event(
				Event::ForwardFractionSet { fraction: Permill::from_percent(50) }.into(),
			);
			assert_noop!(
				InsuranceFund::set_forward_fraction(root(), Permill::from_percent(51)),
				Error::<Test>::ForwardFractionTooHigh
			);
			assert_noop!(
				InsuranceFund::set_forward_fraction(signed(ALICE), Permill::zero()),
				BadOrigin
			);
		});
	}

	#[test]
	fn create_market_fund_within_bounds() {
		ExtBuilder::default().build_and_execute(|| {
			// Open interest already there: the new, empty fund is under its floor.
			MockExposure::set(1, 1_000);
			assert_ok!(InsuranceFund::create_market_fund(root(), 1));
			assert_eq!(
				events(),
				vec![
					Event::FundCreated { market: 1 },
					Event::UnderCapitalized {
						fund: FundId::Market(1),
						balance: 0,
						target: 100,
						floor: 50
					},
				]
			);
			assert_noop!(InsuranceFund::create_market_fund(root(), 1), Error::<Test>::FundExists);
			assert_noop!(InsuranceFund::create_market_fund(signed(ALICE), 2), BadOrigin);
			assert_ok!(InsuranceFund::create_market_fund(root(), 2));
			assert_noop!(InsuranceFund::create_market_fund(root(), 3), Error::<Test>::TooManyFunds);
			// Donations are now accepted.
			assert_ok!(InsuranceFund::donate(signed(ALICE), FundId::Market(2), 10));
		});
	}

	#[test]
	fn close_market_fund_moves_its_balance_to_the_global_fund() {
		ExtBuilder::default().build_and_execute(|| {
			assert_ok!(InsuranceFund::set_params(
				root(),
				ParamsScope::Market(MARKET),
				market_params()
			));
			assert_noop!(InsuranceFund::close_market_fund(signed(ALICE), MARKET), BadOrigin);
			assert_noop!(InsuranceFund::close_market_fund(root(), 4), Error::<Test>::UnknownFund);
			let held = pallet_balance();
			assert_ok!(InsuranceFund::close_market_fund(root(), MARKET));
			assert_eq!(InsuranceFund::fund_of(M), None);
			assert_eq!(MarketParams::<Test>::get(MARKET), None);
			assert_eq!(MarketFunds::<Test>::count(), 0);
			assert_eq!(fund(G), GLOBAL_SEED + MARKET_SEED);
			assert_eq!(pallet_balance(), held);
			System::assert_last_event(
				Event::FundClosed { market: MARKET, moved_to_global: MARKET_SEED }.into(),
			);
			// Its losses now fall on the global fund alone.
			assert_eq!(capacity(MARKET), 4_000);
		});
	}
}

mod buffer {
	use super::*;

	#[test]
	fn a_missing_buffer_is_restored_by_the_first_inflow() {
		ExtBuilder::default().without_pallet_genesis().build_and_execute(|| {
			assert_eq!(pallet_balance(), 0);
			assert_ok!(InsuranceFund::do_try_state());

			// Too small to restore the buffer.
			assert_noop!(
				InsuranceFund::donate(signed(ALICE), G, ED - 1),
				Error::<Test>::BufferMissing
			);
			assert_storage_noop!(assert_eq!(
				receive(MARKET, RevenueKind::TradingFee, BOB, ED - 1),
				Err(Error::<Test>::BufferMissing.into())
			));

			assert_ok!(InsuranceFund::donate(signed(ALICE), G, 100));
			assert_eq!(fund(G), 100 - ED);
			assert_eq!(pallet_balance(), 100);
			assert_eq!(
				events(),
				vec![
					Event::BufferRestored { amount: ED },
					Event::Donated { who: ALICE, fund: G, amount: 100 - ED },
				]
			);

			// From then on inflows are credited in full.
			assert_eq!(receive(MARKET, RevenueKind::TradingFee, BOB, 100), Ok(100));
			assert_eq!(fund(M), 100);
		});
	}

	#[test]
	fn unconfigured_funds_cover_nothing() {
		ExtBuilder::default().without_pallet_genesis().build_and_execute(|| {
			assert_ok!(InsuranceFund::donate(signed(ALICE), G, 1_000));
			assert_eq!(capacity(MARKET), 0);
			assert_eq!(absorb(MARKET, 500), 500);
		});
	}

	/// Ledgers are bounded by the asset's issuance, so this needs a forged
	/// ledger (which `try_state` would reject): the checked sums refuse it.
	#[test]
	fn ledger_overflow_is_refused() {
		ExtBuilder::default().build().execute_with(|| {
			GlobalFund::<Test>::mutate(|f| f.balance = Balance::MAX);
			assert_noop!(InsuranceFund::donate(signed(ALICE), G, 100), Error::<Test>::Overflow);
			assert_noop!(InsuranceFund::close_market_fund(root(), MARKET), Error::<Test>::Overflow);
			assert_storage_noop!(assert_eq!(
				receive(MARKET, RevenueKind::TradingFee, BOB, 100),
				Err(Error::<Test>::Overflow.into())
			));
		});
	}

	#[test]
	fn try_state_catches_a_ledger_above_the_balance() {
		ExtBuilder::default().build().execute_with(|| {
			assert_ok!(InsuranceFund::do_try_state());
			GlobalFund::<Test>::mutate(|fund| fund.balance += 1);
			assert!(InsuranceFund::do_try_state().is_err());
		});
	}
}

mod runtime_api {
	use super::*;

	#[test]
	fn fund_info_reports_every_figure() {
		ExtBuilder::default().build_and_execute(|| {
			MockExposure::set(MARKET, 30_000);
			assert_eq!(
				InsuranceFund::fund_info(M),
				Some(FundInfo {
					fund: M,
					balance: 5_000,
					open_interest: 30_000,
					required_capital: 30_000,
					target: 3_000,
					// 5 000 / 3 000 rounded down.
					coverage: Some(FixedU128::from_inner(1_666_666_666_666_666_666)),
					capacity: 2_000,
					surplus: 2_000,
					params: market_params(),
					under_capitalized: false,
				})
			);
			assert_eq!(InsuranceFund::fund_balance(M), 5_000);
			assert_eq!(InsuranceFund::fund_target(M), 3_000);
			assert_eq!(InsuranceFund::fund_capacity(M), 2_000);
			assert_eq!(
				InsuranceFund::fund_coverage(M),
				Some(FixedU128::from_inner(1_666_666_666_666_666_666))
			);
			// The global fund: 10 000 against 10% of the total 30 000.
			assert_eq!(
				InsuranceFund::fund_coverage(G),
				Some(FixedU128::from_inner(3_333_333_333_333_333_333))
			);
			assert_eq!(InsuranceFund::fund_info(FundId::Market(9)), None);
			assert_eq!(InsuranceFund::fund_balance(FundId::Market(9)), 0);
			// A market without a sub-fund would get the default target.
			MockExposure::set(9, 1_000);
			assert_eq!(InsuranceFund::fund_target(FundId::Market(9)), 100);
			assert_eq!(InsuranceFund::fund_coverage(FundId::Market(9)), Some(FixedU128::zero()));
		});
	}

	#[test]
	fn coverage_is_none_without_target_and_saturates() {
		ExtBuilder::default().build_and_execute(|| {
			assert_eq!(InsuranceFund::fund_coverage(G), None);
			assert_eq!(InsuranceFund::fund_coverage(M), None);
			assert_eq!(Pallet::<Test>::coverage_for(Balance::MAX, 1), Some(FixedU128::max_value()));
			assert_eq!(Pallet::<Test>::coverage_for(0, 1), Some(FixedU128::zero()));
		});
	}

	#[test]
	fn funds_lists_global_then_markets_in_order() {
		ExtBuilder::default().build_and_execute(|| {
			assert_ok!(InsuranceFund::create_market_fund(root(), 2));
			assert_ok!(InsuranceFund::create_market_fund(root(), 1));
			let ids: Vec<FundId> = InsuranceFund::funds().iter().map(|f| f.fund).collect();
			assert_eq!(ids, vec![G, M, FundId::Market(1), FundId::Market(2)]);
			assert_eq!(sum_of_funds(), GLOBAL_SEED + MARKET_SEED);
		});
	}
}

mod properties {
	use super::*;
	use proptest::prelude::*;

	#[derive(Debug, Clone)]
	enum Op {
		Receive { market: MarketId, fee: bool, amount: Balance },
		Donate { market: Option<MarketId>, amount: Balance },
		Absorb { market: MarketId, amount: Balance },
		Withdraw { market: Option<MarketId>, amount: Balance },
		SetOpenInterest { market: MarketId, open_interest: Balance },
	}

	fn fund_id(market: Option<MarketId>) -> FundId {
		market.map(FundId::Market).unwrap_or(FundId::Global)
	}

	fn op() -> impl Strategy<Value = Op> {
		prop_oneof![
			(0u32..4, any::<bool>(), 0u128..5_000).prop_map(|(market, fee, amount)| Op::Receive {
				market,
				fee,
				amount
			}),
			(proptest::option::of(0u32..3), 0u128..5_000)
				.prop_map(|(market, amount)| Op::Donate { market, amount }),
			(0u32..4, 0u128..20_000).prop_map(|(market, amount)| Op::Absorb { market, amount }),
			(proptest::option::of(0u32..3), 0u128..10_000)
				.prop_map(|(market, amount)| Op::Withdraw { market, amount }),
			(0u32..3, 0u128..200_000).prop_map(|(market, open_interest)| {
				Op::SetOpenInterest { market, open_interest }
			}),
		]
	}

	proptest! {
		#![proptest_config(ProptestConfig::with_cases(96))]

		/// What came in (seeds, revenue, donations) equals what absorb
		/// covered plus what the funds hold plus what was withdrawn; no draw
		/// exceeds its fund's cap; no withdrawal dips below target; no unit is
		/// created or destroyed.
		#[test]
		fn value_is_conserved_and_caps_hold(
			ops in proptest::collection::vec(op(), 1..40),
			forward in 0u32..=50,
			market_cap in 1u32..=100,
			global_cap in 1u32..=100,
		) {
			ExtBuilder::default()
				.forward_fraction(Permill::from_percent(forward))
				.market_params(params(market_cap, 2_000, 10, 50))
				.global_params(params(global_cap, 4_000, 10, 50))
				.build_and_execute(|| {
					let issuance = Balances::total_issuance();
					let beneficiary_before = balance(BENEFICIARY);
					let mut came_in = sum_of_funds();
					let mut covered: Balance = 0;
					let mut withdrawn: Balance = 0;
					for op in ops {
						System::reset_events();
						match op {
							Op::Receive { market, fee, amount } => {
								let kind = if fee {
									RevenueKind::TradingFee
								} else {
									RevenueKind::LiquidationPenalty
								};
								if let Ok(taken) = receive(market, kind, BOB, amount) {
									assert_eq!(taken, amount);
									came_in += taken;
								}
							},
							Op::Donate { market, amount } => {
								if InsuranceFund::donate(signed(ALICE), fund_id(market), amount)
									.is_ok()
								{
									came_in += amount;
								}
							},
							Op::Absorb { market, amount } => {
								let market_cap = if MarketFunds::<Test>::contains_key(market) {
									InsuranceFund::fund_capacity(FundId::Market(market))
								} else {
									0
								};
								let global_cap = InsuranceFund::fund_capacity(G);
								let uncovered = absorb(market, amount);
								assert!(uncovered <= amount);
								let paid = amount - uncovered;
								assert!(paid <= market_cap + global_cap);
								let mut drawn_total = 0;
								for event in events() {
									if let Event::FundDrawn { fund, amount: drawn, .. } = event {
										let cap =
											if fund == G { global_cap } else { market_cap };
										assert!(drawn <= cap, "{fund:?} drew {drawn} > {cap}");
										drawn_total += drawn;
									}
								}
								assert_eq!(drawn_total, paid);
								covered += paid;
							},
							Op::Withdraw { market, amount } => {
								let id = fund_id(market);
								let target = InsuranceFund::fund_target(id);
								if InsuranceFund::withdraw_surplus(root(), id, amount, POT).is_ok()
								{
									assert!(fund(id) >= target);
									withdrawn += amount;
								}
							},
							Op::SetOpenInterest { market, open_interest } =>
								MockExposure::set(market, open_interest),
						}
						assert_eq!(covered + sum_of_funds() + withdrawn, came_in);
						assert_eq!(pallet_balance(), sum_of_funds() + ED);
						assert_eq!(Balances::total_issuance(), issuance);
					}
					assert_eq!(balance(BENEFICIARY) - beneficiary_before, covered);
					assert_eq!(balance(POT), withdrawn);
				});
		}
	}
}

/// Transfers `amount` from Alice to the pallet account, unsolicited.
fn transfer_to_pallet(amount: Balance) {
	use frame_support::traits::tokens::Preservation;
	assert_ok!(<Balances as Mutate<AccountId>>::transfer(
		&ALICE,
		&InsuranceFund::account_id(),
		amount,
		Preservation::Preserve,
	));
}

#[test]
fn a_donation_to_the_pallet_account_is_not_counted_and_breaks_nothing() {
	ExtBuilder::default().build_and_execute(|| {
		let before = GlobalFund::<Test>::get().balance;
		assert_eq!(InsuranceFund::excess(), 0);
		transfer_to_pallet(1);
		assert_eq!(GlobalFund::<Test>::get().balance, before);
		assert_eq!(fund(M), MARKET_SEED);
		assert_ok!(InsuranceFund::do_try_state());
		assert_eq!(InsuranceFund::excess(), 1);
		assert_eq!(pallet_balance(), sum_of_funds() + ED + 1);
	});
}

mod excess {
	use super::*;
	use frame_support::dispatch::GetDispatchInfo;
	use sp_runtime::traits::Dispatchable;

	#[test]
	fn absorb_excess_credits_the_global_fund() {
		ExtBuilder::default().build_and_execute(|| {
			transfer_to_pallet(7);
			let held = pallet_balance();
			System::reset_events();
			assert_ok!(InsuranceFund::absorb_excess(root()));
			assert_eq!(events(), vec![Event::ExcessAbsorbed { amount: 7 }]);
			assert_eq!(fund(G), GLOBAL_SEED + 7);
			assert_eq!(fund(M), MARKET_SEED);
			// No money moved: the ledger caught up with the account.
			assert_eq!(pallet_balance(), held);
			assert_eq!(InsuranceFund::excess(), 0);
			assert_eq!(pallet_balance(), sum_of_funds() + ED);
			assert_noop!(InsuranceFund::absorb_excess(root()), Error::<Test>::NoExcess);
		});
	}

	#[test]
	fn an_absorbed_excess_can_recapitalize_the_global_fund() {
		ExtBuilder::default().build_and_execute(|| {
			// Target 10% of 300 000 = 30 000; floor 50% of it = 15 000.
			MockExposure::set(MARKET, 300_000);
			assert_ok!(InsuranceFund::donate(signed(BOB), G, 1));
			assert!(InsuranceFund::fund_of(G).unwrap().under_capitalized);
			transfer_to_pallet(15_000 - GLOBAL_SEED - 1);
			System::reset_events();
			assert_ok!(InsuranceFund::absorb_excess(root()));
			assert_eq!(
				events(),
				vec![
					Event::ExcessAbsorbed { amount: 15_000 - GLOBAL_SEED - 1 },
					Event::Recapitalized {
						fund: G,
						balance: 15_000,
						target: 30_000,
						floor: 15_000
					},
				]
			);
			assert!(!InsuranceFund::fund_of(G).unwrap().under_capitalized);
		});
	}

	#[test]
	fn absorb_excess_errors_leave_state_unchanged() {
		ExtBuilder::default().build_and_execute(|| {
			assert_noop!(InsuranceFund::absorb_excess(root()), Error::<Test>::NoExcess);
			transfer_to_pallet(1);
			assert_noop!(InsuranceFund::absorb_excess(signed(ALICE)), BadOrigin);
			assert_noop!(InsuranceFund::absorb_excess(RuntimeOrigin::none()), BadOrigin);
			assert_eq!(InsuranceFund::excess(), 1);
		});
	}

	#[test]
	fn a_pristine_account_has_no_excess() {
		ExtBuilder::default().without_pallet_genesis().build_and_execute(|| {
			assert_eq!(pallet_balance(), 0);
			assert_eq!(InsuranceFund::excess(), 0);
			assert_noop!(InsuranceFund::absorb_excess(root()), Error::<Test>::NoExcess);
		});
	}

	#[test]
	fn absorb_excess_is_weighed_for_every_sub_fund_and_charged_for_those_read() {
		ExtBuilder::default().build_and_execute(|| {
			transfer_to_pallet(1);
			let call = RuntimeCall::InsuranceFund(crate::Call::absorb_excess {});
			assert_eq!(
				call.get_dispatch_info().call_weight,
				<() as WeightInfo>::absorb_excess(MaxMarketFunds::get())
			);
			let info = call.dispatch(root()).unwrap();
			assert_eq!(info.actual_weight, Some(<() as WeightInfo>::absorb_excess(1)));
		});
	}
}

#[test]
fn unsolicited_revenue_is_credited_whole_to_the_global_fund() {
	ExtBuilder::default().build_and_execute(|| {
		let before = GlobalFund::<Test>::get().balance;
		assert_eq!(receive(MARKET, RevenueKind::Unsolicited, ALICE, 700), Ok(700));
		assert_eq!(GlobalFund::<Test>::get().balance, before + 700);
		System::assert_last_event(
			Event::RevenueReceived {
				market: 0,
				kind: RevenueKind::Unsolicited,
				source: ALICE,
				to_market_fund: 0,
				to_global_fund: 700,
			}
			.into(),
		);
	});
}

mod keeper_rewards {
	use super::*;
	use backstop_primitives::KeeperRewarder;

	fn reward(market: MarketId, amount: Balance) -> Balance {
		<InsuranceFund as KeeperRewarder<AccountId>>::reward_keeper(market, amount, &BENEFICIARY)
	}

	#[test]
	fn the_market_sub_fund_pays_first_then_the_global_fund() {
		ExtBuilder::default().seeds(GLOBAL_SEED, vec![(MARKET, 30)]).build_and_execute(|| {
			let before = balance(BENEFICIARY);
			assert_eq!(reward(MARKET, 80), 80);
			assert_eq!(balance(BENEFICIARY), before + 80);
			assert_eq!(InsuranceFund::fund_balance(M), 0);
			assert_eq!(InsuranceFund::fund_balance(G), GLOBAL_SEED - 50);
			System::assert_last_event(
				Event::KeeperRewarded {
					market: MARKET,
					beneficiary: BENEFICIARY,
					from_market_fund: 30,
					from_global_fund: 50,
				}
				.into(),
			);
			// A market without a sub-fund is paid by the global fund.
			assert_eq!(reward(7, 20), 20);
			assert_eq!(InsuranceFund::fund_balance(G), GLOBAL_SEED - 70);
		});
	}

	#[test]
	fn rewards_are_capped_per_liquidation_and_per_block() {
		ExtBuilder::default().build_and_execute(|| {
			// 100 per liquidation, 250 a block.
			assert_eq!(reward(MARKET, 1_000), 100);
			assert_eq!(reward(MARKET, 1_000), 100);
			assert_eq!(reward(MARKET, 1_000), 50);
			assert_storage_noop!(assert_eq!(reward(MARKET, 1_000), 0));
			assert_eq!(KeeperRewardsPaid::<Test>::get(), (1, 250));
			// The next block has its whole budget again.
			System::set_block_number(2);
			assert_eq!(reward(MARKET, 60), 60);
			assert_eq!(KeeperRewardsPaid::<Test>::get(), (2, 60));
			assert_eq!(InsuranceFund::fund_balance(M), MARKET_SEED - 310);
		});
	}

	#[test]
	fn empty_funds_and_zero_caps_pay_nothing() {
		ExtBuilder::default().seeds(0, vec![(MARKET, 0)]).build_and_execute(|| {
			assert_storage_noop!(assert_eq!(reward(MARKET, 10), 0));
		});
		ExtBuilder::default().build_and_execute(|| {
			assert_ok!(InsuranceFund::set_keeper_reward_limits(
				root(),
				KeeperRewardLimits::default()
			));
			assert_storage_noop!(assert_eq!(reward(MARKET, 10), 0));
		});
	}

	#[test]
	fn governance_sets_the_limits_within_the_hard_caps() {
		ExtBuilder::default().build_and_execute(|| {
			let limits = KeeperRewardLimits { per_liquidation: 1_000, per_block: 10_000 };
			assert_ok!(InsuranceFund::set_keeper_reward_limits(root(), limits));
			assert_eq!(KeeperRewardCaps::<Test>::get(), limits);
			System::assert_last_event(Event::KeeperRewardLimitsSet { limits }.into());

			let too_high = KeeperRewardLimits { per_liquidation: 1_001, per_block: 10_000 };
			assert_noop!(
				InsuranceFund::set_keeper_reward_limits(root(), too_high),
				Error::<Test>::KeeperRewardTooHigh
			);
			let block_too_high = KeeperRewardLimits { per_liquidation: 10, per_block: 10_001 };
			assert_noop!(
				InsuranceFund::set_keeper_reward_limits(root(), block_too_high),
				Error::<Test>::KeeperRewardTooHigh
			);
			let inverted = KeeperRewardLimits { per_liquidation: 20, per_block: 10 };
			assert_noop!(
				InsuranceFund::set_keeper_reward_limits(root(), inverted),
				Error::<Test>::KeeperRewardAboveBlockCap
			);
			assert_noop!(InsuranceFund::set_keeper_reward_limits(signed(ALICE), limits), BadOrigin);
		});
	}
}

mod block_cap {
	use super::*;

	#[test]
	fn losses_in_one_block_draw_at_most_the_block_cap() {
		ExtBuilder::default().build_and_execute(|| {
			assert_ok!(InsuranceFund::set_block_cap(root(), Permill::from_percent(50)));
			System::assert_last_event(
				Event::BlockCapSet { fraction: Permill::from_percent(50) }.into(),
			);
			// Sub-fund 5,000 (per event at most 2,000), global 10,000 (at
			// most 4,000 per event); half of each a block.
			assert_eq!(capacity(MARKET), 2_000 + 4_000);
			assert_eq!(absorb(MARKET, 100_000), 100_000 - 6_000);
			// The second event: per-event caps of 1,500 and 3,000, but the
			// block leaves only 500 and 1,000.
			assert_eq!(capacity(MARKET), 500 + 1_000);
			assert_eq!(absorb(MARKET, 100_000), 100_000 - 1_500);
			assert_eq!(capacity(MARKET), 0);
			assert_eq!(absorb(MARKET, 100_000), 100_000);
			assert_eq!(InsuranceFund::fund_balance(M), 2_500);
			assert_eq!(InsuranceFund::fund_balance(G), 5_000);
			assert_eq!(
				BlockDraws::<Test>::get(M),
				Some(BlockDraw { block: 1, base: 5_000, drawn: 2_500 })
			);
			// The next block has its cap again, of the lower balances.
			System::set_block_number(2);
			assert_eq!(capacity(MARKET), 1_250 + 2_500);
			assert_eq!(absorb(MARKET, 100_000), 100_000 - 3_750);
		});
	}

	#[test]
	fn without_a_block_cap_only_the_per_event_caps_apply() {
		ExtBuilder::default().build_and_execute(|| {
			assert_eq!(BlockCapFraction::<Test>::get(), Permill::one());
			assert_eq!(absorb(MARKET, 100_000), 100_000 - 6_000);
			assert_eq!(absorb(MARKET, 100_000), 100_000 - 1_500 - 3_000);
		});
	}

	#[test]
	fn a_zero_block_cap_is_refused() {
		ExtBuilder::default().build_and_execute(|| {
			assert_noop!(
				InsuranceFund::set_block_cap(root(), Permill::zero()),
				Error::<Test>::ZeroBlockCap
			);
			assert_noop!(
				InsuranceFund::set_block_cap(signed(ALICE), Permill::from_percent(10)),
				BadOrigin
			);
		});
	}
}

mod surplus_release {
	use super::*;

	fn release(fund: FundId) -> frame_support::dispatch::DispatchResult {
		InsuranceFund::release_surplus(signed(BOB), fund)
	}

	#[test]
	fn half_the_surplus_goes_to_the_stakers_once_an_interval() {
		ExtBuilder::default().build_and_execute(|| {
			// Target 10% of 30,000: the sub-fund's surplus is 2,000.
			MockExposure::set(MARKET, 30_000);
			let pot = balance(POT);
			assert_ok!(release(M));
			assert_eq!(InsuranceFund::fund_balance(M), 4_000);
			assert_eq!(balance(POT), pot + 1_000);
			assert_eq!(surplus_receipts(), vec![(MARKET, 1_000)]);
			System::assert_has_event(
				Event::SurplusReleased { fund: M, amount: 1_000, target: 3_000 }.into(),
			);
			assert_noop!(release(M), Error::<Test>::ReleaseTooSoon);
			System::set_block_number(11);
			assert_ok!(release(M));
			assert_eq!(InsuranceFund::fund_balance(M), 3_500);
			// The global fund on its own schedule: 10% of 30,000 too.
			assert_ok!(release(G));
			assert_eq!(InsuranceFund::fund_balance(G), GLOBAL_SEED - 3_500);
		});
	}

	#[test]
	fn the_ledger_falls_by_what_the_sink_took() {
		ExtBuilder::default().build_and_execute(|| {
			MockExposure::set(MARKET, 30_000);
			SurplusSinkTakes::set(Permill::from_percent(40));
			assert_ok!(release(M));
			assert_eq!(InsuranceFund::fund_balance(M), 5_000 - 400);
			SurplusSinkTakes::set(Permill::zero());
			System::set_block_number(11);
			assert_noop!(release(M), Error::<Test>::SurplusRefused);
		});
	}

	#[test]
	fn nothing_is_released_without_a_target_or_a_surplus() {
		ExtBuilder::default().build_and_execute(|| {
			// No open interest: the whole balance would be surplus.
			assert_noop!(release(M), Error::<Test>::NoTarget);
			MockExposure::set(MARKET, 50_000);
			assert_noop!(release(M), Error::<Test>::NoSurplus);
			assert_noop!(release(FundId::Market(9)), Error::<Test>::UnknownFund);
			assert_noop!(InsuranceFund::release_surplus(RuntimeOrigin::none(), M), BadOrigin);
		});
	}

	#[test]
	fn closing_a_sub_fund_forgets_its_draws_and_releases() {
		ExtBuilder::default().build_and_execute(|| {
			MockExposure::set(MARKET, 30_000);
			assert_ok!(release(M));
			absorb(MARKET, 100);
			assert_ok!(InsuranceFund::close_market_fund(root(), MARKET));
			assert!(BlockDraws::<Test>::get(M).is_none());
			assert!(LastSurplusRelease::<Test>::get(M).is_none());
		});
	}
}

/// Who may change what (the README's "Governance" section): for every
/// privileged call, the guardian is refused a loosening (and governance-only
/// changes) with the state unchanged, the risk track is bounded by
/// `MaxParamStep` (25%) and `MinChangeInterval` (10 blocks), Root only by the
/// hard ranges, and a signed non-member is refused.
mod authorities {
	use super::*;

	fn risk() -> RuntimeOrigin {
		signed(RISK_TRACK)
	}

	fn guardian() -> RuntimeOrigin {
		signed(GUARDIAN)
	}

	fn run_to(block: u64) {
		System::set_block_number(block);
	}

	fn changed_at(key: ParamKey) -> Option<u64> {
		ParamChangedAt::<Test>::get(key)
	}

	const GLOBAL: ParamKey = ParamKey::FundParams(ParamsScope::Global);

	#[test]
	fn the_guardian_may_raise_targets_and_floors() {
		ExtBuilder::default().build_and_execute(|| {
			// From 10% / 50% (genesis) to 12% / 60%: both within 25%.
			let tighter = params(50, 4_000, 12, 60);
			assert_ok!(InsuranceFund::set_params(guardian(), ParamsScope::Global, tighter));
			assert_eq!(GlobalParams::<Test>::get(), tighter);
			assert_eq!(changed_at(GLOBAL), Some(1));
		});
	}

	#[test]
	fn the_guardian_cannot_loosen_fund_params_nor_touch_a_cap() {
		ExtBuilder::default().build_and_execute(|| {
			for loosened in [
				params(50, 4_000, 9, 50),  // a lower target
				params(50, 4_000, 10, 45), // a lower floor
				params(55, 4_000, 10, 50), // a higher per-event cap
				params(45, 4_000, 10, 50), // a lower per-event cap: governance only too
				params(50, 3_500, 12, 50), // a lower absolute cap, with a tighter target
			] {
				assert_noop!(
					InsuranceFund::set_params(guardian(), ParamsScope::Global, loosened),
					Error::<Test>::GuardianCannotLoosen
				);
			}
			// Giving a market without a sub-fund parameters creates the
			// sub-fund: governance only, even with tighter parameters.
			assert_noop!(
				InsuranceFund::set_params(
					guardian(),
					ParamsScope::Market(7),
					params(50, 2_000, 12, 50)
				),
				Error::<Test>::GuardianCannotLoosen
			);
			assert_eq!(GlobalParams::<Test>::get(), global_params());
			assert_eq!(changed_at(GLOBAL), None);
		});
	}

	#[test]
	fn the_risk_track_is_bounded_by_step_and_interval_on_params() {
		ExtBuilder::default().build_and_execute(|| {
			// 10% → 13% is a step of 30%.
			assert_noop!(
				InsuranceFund::set_params(risk(), ParamsScope::Global, params(50, 4_000, 13, 50)),
				Error::<Test>::StepTooLarge
			);
			// A cap of 4 000 → 5 001 is a step of just over 25%.
			assert_noop!(
				InsuranceFund::set_params(risk(), ParamsScope::Global, params(50, 5_001, 10, 50)),
				Error::<Test>::StepTooLarge
			);
			// The risk track may loosen, within the step.
			let looser = params(60, 5_000, 8, 40);
			assert_ok!(InsuranceFund::set_params(risk(), ParamsScope::Global, looser));
			assert_eq!(changed_at(GLOBAL), Some(1));
			run_to(10);
			assert_noop!(
				InsuranceFund::set_params(risk(), ParamsScope::Global, params(60, 5_000, 9, 40)),
				Error::<Test>::ChangeTooSoon
			);
			// Another scope has its own interval.
			assert_ok!(InsuranceFund::set_params(
				risk(),
				ParamsScope::MarketDefault,
				params(50, 2_400, 10, 50)
			));
			run_to(11);
			assert_ok!(InsuranceFund::set_params(
				risk(),
				ParamsScope::Global,
				params(60, 5_000, 9, 40)
			));
			assert_eq!(GlobalParams::<Test>::get().target_fraction, Permill::from_percent(9));
			assert_eq!(changed_at(GLOBAL), Some(11));
		});
	}

	#[test]
	fn one_markets_params_step_from_the_default_in_force() {
		ExtBuilder::default().build_and_execute(|| {
			// MARKET has a sub-fund under the default (absolute cap 2 000): a
			// cap of 2 500 is within 25% of it, though not of the global 4 000
			// nor of zero.
			let own = params(50, 2_500, 10, 50);
			assert_ok!(InsuranceFund::set_params(risk(), ParamsScope::Market(MARKET), own));
			assert_eq!(MarketParams::<Test>::get(MARKET), Some(own));
			assert_eq!(changed_at(ParamKey::FundParams(ParamsScope::Market(MARKET))), Some(1));
			assert_eq!(changed_at(ParamKey::FundParams(ParamsScope::MarketDefault)), None);
			// The risk track may create a sub-fund through its parameters.
			assert_ok!(InsuranceFund::set_params(risk(), ParamsScope::Market(7), own));
			assert!(MarketFunds::<Test>::contains_key(7));
		});
	}

	#[test]
	fn root_ignores_step_and_interval_but_not_the_hard_ranges() {
		ExtBuilder::default().build_and_execute(|| {
			let wide = params(100, 1_000_000, 50, 100);
			assert_ok!(InsuranceFund::set_params(root(), ParamsScope::Global, wide));
			assert_ok!(InsuranceFund::set_params(root(), ParamsScope::Global, params(0, 0, 0, 0)));
			assert_eq!(changed_at(GLOBAL), Some(1));
			assert_noop!(
				InsuranceFund::set_params(root(), ParamsScope::Global, params(50, 4_000, 51, 50)),
				Error::<Test>::TargetFractionTooHigh
			);
			// From zero, only the root track moves a parameter.
			assert_noop!(
				InsuranceFund::set_params(risk(), ParamsScope::Global, params(0, 0, 0, 1)),
				Error::<Test>::StepTooLarge
			);
		});
	}

	#[test]
	fn an_unchanged_value_does_not_restart_the_interval() {
		ExtBuilder::default().build_and_execute(|| {
			let tighter = params(50, 4_000, 11, 50);
			assert_ok!(InsuranceFund::set_params(risk(), ParamsScope::Global, tighter));
			run_to(5);
			assert_ok!(InsuranceFund::set_params(root(), ParamsScope::Global, tighter));
			assert_eq!(changed_at(GLOBAL), Some(1));
			run_to(11);
			assert_ok!(InsuranceFund::set_params(
				risk(),
				ParamsScope::Global,
				params(50, 4_000, 12, 50)
			));
		});
	}

	#[test]
	fn non_members_are_refused_every_privileged_call() {
		ExtBuilder::default().build_and_execute(|| {
			let o = || signed(ALICE);
			assert_noop!(
				InsuranceFund::set_params(o(), ParamsScope::Global, global_params()),
				BadOrigin
			);
			assert_noop!(InsuranceFund::clear_market_params(o(), MARKET), BadOrigin);
			assert_noop!(InsuranceFund::set_forward_fraction(o(), Permill::zero()), BadOrigin);
			assert_noop!(InsuranceFund::withdraw_surplus(o(), G, 1, ALICE), BadOrigin);
			assert_noop!(InsuranceFund::create_market_fund(o(), 7), BadOrigin);
			assert_noop!(InsuranceFund::close_market_fund(o(), MARKET), BadOrigin);
			assert_noop!(InsuranceFund::absorb_excess(o()), BadOrigin);
			assert_noop!(InsuranceFund::set_block_cap(o(), Permill::one()), BadOrigin);
			assert_noop!(InsuranceFund::set_keeper_reward_limits(o(), KEEPER_LIMITS), BadOrigin);
		});
	}

	#[test]
	fn clearing_a_markets_params_is_governance_only_and_waits_the_interval() {
		ExtBuilder::default().build_and_execute(|| {
			let key = ParamKey::FundParams(ParamsScope::Market(MARKET));
			assert_ok!(InsuranceFund::set_params(
				root(),
				ParamsScope::Market(MARKET),
				params(50, 2_000, 12, 50)
			));
			assert_noop!(
				InsuranceFund::clear_market_params(guardian(), MARKET),
				Error::<Test>::GuardianCannotLoosen
			);
			run_to(10);
			assert_noop!(
				InsuranceFund::clear_market_params(risk(), MARKET),
				Error::<Test>::ChangeTooSoon
			);
			run_to(11);
			assert_ok!(InsuranceFund::clear_market_params(risk(), MARKET));
			assert_eq!(MarketParams::<Test>::get(MARKET), None);
			assert_eq!(changed_at(key), Some(11));
			// Clearing moves the market to the default's values: the risk
			// track cannot drop a target of 20% to the default's 10% at once.
			assert_ok!(InsuranceFund::set_params(
				root(),
				ParamsScope::Market(MARKET),
				params(50, 2_000, 20, 50)
			));
			run_to(30);
			assert_noop!(
				InsuranceFund::clear_market_params(risk(), MARKET),
				Error::<Test>::StepTooLarge
			);
			// Root: at once and by any step, but not without parameters to
			// clear.
			assert_ok!(InsuranceFund::clear_market_params(root(), MARKET));
			assert_noop!(
				InsuranceFund::clear_market_params(root(), MARKET),
				Error::<Test>::NoMarketParams
			);
		});
	}

	#[test]
	fn the_forward_fraction_is_governance_only_and_step_bounded() {
		ExtBuilder::default().build_and_execute(|| {
			let pct = Permill::from_percent;
			// Genesis: 10%. Neither direction is the guardian's.
			for fraction in [pct(9), pct(11)] {
				assert_noop!(
					InsuranceFund::set_forward_fraction(guardian(), fraction),
					Error::<Test>::GuardianCannotLoosen
				);
			}
			assert_noop!(
				InsuranceFund::set_forward_fraction(risk(), pct(13)),
				Error::<Test>::StepTooLarge
			);
			assert_ok!(InsuranceFund::set_forward_fraction(risk(), pct(12)));
			assert_eq!(changed_at(ParamKey::ForwardFraction), Some(1));
			run_to(10);
			assert_noop!(
				InsuranceFund::set_forward_fraction(risk(), pct(11)),
				Error::<Test>::ChangeTooSoon
			);
			run_to(11);
			assert_ok!(InsuranceFund::set_forward_fraction(risk(), pct(11)));
			assert_eq!(ForwardFraction::<Test>::get(), pct(11));
			assert_ok!(InsuranceFund::set_forward_fraction(root(), pct(50)));
			assert_ok!(InsuranceFund::set_forward_fraction(root(), pct(0)));
			assert_noop!(
				InsuranceFund::set_forward_fraction(root(), pct(51)),
				Error::<Test>::ForwardFractionTooHigh
			);
		});
	}

	#[test]
	fn withdrawing_surplus_is_governance_only_without_an_interval() {
		ExtBuilder::default().build_and_execute(|| {
			// No open interest: the whole global fund is surplus.
			assert_noop!(
				InsuranceFund::withdraw_surplus(guardian(), G, 100, POT),
				Error::<Test>::GuardianCannotLoosen
			);
			assert_ok!(InsuranceFund::withdraw_surplus(risk(), G, 100, POT));
			assert_ok!(InsuranceFund::withdraw_surplus(risk(), G, 100, POT));
			assert_ok!(InsuranceFund::withdraw_surplus(root(), G, 100, POT));
			assert_eq!(fund(G), GLOBAL_SEED - 300);
			assert_eq!(balance(POT), 300);
			MockExposure::set(MARKET, 1_000_000);
			assert_noop!(
				InsuranceFund::withdraw_surplus(root(), G, 1, POT),
				Error::<Test>::ExceedsSurplus
			);
		});
	}

	#[test]
	fn creating_and_closing_sub_funds_is_governance_only() {
		ExtBuilder::default().build_and_execute(|| {
			assert_noop!(
				InsuranceFund::create_market_fund(guardian(), 7),
				Error::<Test>::GuardianCannotLoosen
			);
			assert_noop!(
				InsuranceFund::close_market_fund(guardian(), MARKET),
				Error::<Test>::GuardianCannotLoosen
			);
			// Creating has no interval.
			assert_ok!(InsuranceFund::create_market_fund(risk(), 7));
			assert_ok!(InsuranceFund::create_market_fund(risk(), 8));
			assert_noop!(InsuranceFund::create_market_fund(root(), 9), Error::<Test>::TooManyFunds);
			// Closing waits the interval from the market's last parameter
			// change, and forgets its record.
			let key = ParamKey::FundParams(ParamsScope::Market(7));
			assert_ok!(InsuranceFund::set_params(
				risk(),
				ParamsScope::Market(7),
				params(50, 2_000, 10, 50)
			));
			run_to(10);
			assert_noop!(InsuranceFund::close_market_fund(risk(), 7), Error::<Test>::ChangeTooSoon);
			run_to(11);
			assert_ok!(InsuranceFund::close_market_fund(risk(), 7));
			assert_eq!(changed_at(key), None);
			// Root closes at once after a change.
			assert_ok!(InsuranceFund::set_params(
				root(),
				ParamsScope::Market(8),
				params(50, 2_000, 10, 50)
			));
			assert_ok!(InsuranceFund::close_market_fund(root(), 8));
			assert!(!MarketFunds::<Test>::contains_key(8));
		});
	}

	#[test]
	fn absorbing_excess_is_maintenance_for_every_authority() {
		ExtBuilder::default().build_and_execute(|| {
			assert_noop!(InsuranceFund::absorb_excess(guardian()), Error::<Test>::NoExcess);
			for (round, origin) in [guardian(), risk(), root()].into_iter().enumerate() {
				assert_ok!(<Balances as Mutate<AccountId>>::transfer(
					&ALICE,
					&InsuranceFund::account_id(),
					50,
					frame_support::traits::tokens::Preservation::Preserve
				));
				assert_ok!(InsuranceFund::absorb_excess(origin));
				assert_eq!(fund(G), GLOBAL_SEED + 50 * (round as Balance + 1));
			}
		});
	}

	#[test]
	fn the_block_cap_is_governance_only_and_step_bounded() {
		ExtBuilder::default().build_and_execute(|| {
			let pct = Permill::from_percent;
			// Whole until set: lowering it is not the guardian's either.
			assert_noop!(
				InsuranceFund::set_block_cap(guardian(), pct(80)),
				Error::<Test>::GuardianCannotLoosen
			);
			assert_noop!(
				InsuranceFund::set_block_cap(risk(), pct(74)),
				Error::<Test>::StepTooLarge
			);
			assert_ok!(InsuranceFund::set_block_cap(risk(), pct(80)));
			assert_eq!(changed_at(ParamKey::BlockCap), Some(1));
			run_to(10);
			assert_noop!(
				InsuranceFund::set_block_cap(risk(), pct(70)),
				Error::<Test>::ChangeTooSoon
			);
			run_to(11);
			assert_ok!(InsuranceFund::set_block_cap(risk(), pct(70)));
			assert_eq!(BlockCapFraction::<Test>::get(), pct(70));
			assert_ok!(InsuranceFund::set_block_cap(root(), pct(1)));
			assert_ok!(InsuranceFund::set_block_cap(root(), pct(100)));
			assert_noop!(
				InsuranceFund::set_block_cap(root(), Permill::zero()),
				Error::<Test>::ZeroBlockCap
			);
		});
	}

	#[test]
	fn keeper_reward_limits_are_governance_only_and_step_bounded() {
		ExtBuilder::default().build_and_execute(|| {
			let limits =
				|per_liquidation, per_block| KeeperRewardLimits { per_liquidation, per_block };
			// Genesis: 100 and 250. Neither direction is the guardian's: too
			// low a reward stops the keepers in a crash.
			for proposed in [limits(110, 250), limits(90, 250)] {
				assert_noop!(
					InsuranceFund::set_keeper_reward_limits(guardian(), proposed),
					Error::<Test>::GuardianCannotLoosen
				);
			}
			assert_noop!(
				InsuranceFund::set_keeper_reward_limits(risk(), limits(100, 313)),
				Error::<Test>::StepTooLarge
			);
			assert_ok!(InsuranceFund::set_keeper_reward_limits(risk(), limits(120, 300)));
			assert_eq!(changed_at(ParamKey::KeeperRewardLimits), Some(1));
			run_to(10);
			assert_noop!(
				InsuranceFund::set_keeper_reward_limits(risk(), limits(110, 300)),
				Error::<Test>::ChangeTooSoon
			);
			run_to(11);
			assert_ok!(InsuranceFund::set_keeper_reward_limits(risk(), limits(110, 300)));
			// Root: anything within the hard limits, at once.
			assert_ok!(InsuranceFund::set_keeper_reward_limits(root(), limits(0, 0)));
			assert_ok!(InsuranceFund::set_keeper_reward_limits(root(), limits(1_000, 10_000)));
			assert_noop!(
				InsuranceFund::set_keeper_reward_limits(root(), limits(1_001, 10_000)),
				Error::<Test>::KeeperRewardTooHigh
			);
			// From zero, only the root track moves them.
			assert_ok!(InsuranceFund::set_keeper_reward_limits(root(), limits(0, 0)));
			run_to(30);
			assert_noop!(
				InsuranceFund::set_keeper_reward_limits(risk(), limits(1, 1)),
				Error::<Test>::StepTooLarge
			);
		});
	}

	#[test]
	fn try_state_catches_stray_change_records() {
		ExtBuilder::default().build().execute_with(|| {
			assert_ok!(InsuranceFund::do_try_state());
			ParamChangedAt::<Test>::insert(ParamKey::FundParams(ParamsScope::Market(42)), 1);
			assert!(InsuranceFund::do_try_state().is_err());
			ParamChangedAt::<Test>::remove(ParamKey::FundParams(ParamsScope::Market(42)));
			ParamChangedAt::<Test>::insert(ParamKey::BlockCap, 2);
			assert!(InsuranceFund::do_try_state().is_err());
			run_to(2);
			assert_ok!(InsuranceFund::do_try_state());
		});
	}
}

mod protection {
	//! The fund as the buyer of the options backstop's put spreads.
	use super::*;
	use backstop_primitives::ProtectionBuyer;

	fn pay(to: AccountId, amount: Balance) -> Result<(), DispatchError> {
		<InsuranceFund as ProtectionBuyer<AccountId>>::pay_premium(&to, amount)
	}

	fn payout(from: AccountId, amount: Balance) -> Result<(), DispatchError> {
		<InsuranceFund as ProtectionBuyer<AccountId>>::receive_payout(&from, amount)
	}

	fn below_floor() -> bool {
		<InsuranceFund as ProtectionBuyer<AccountId>>::below_floor()
	}

	#[test]
	fn fee_income_counts_trading_fees_only() {
		ExtBuilder::default().build_and_execute(|| {
			assert_eq!(<InsuranceFund as ProtectionBuyer<AccountId>>::fee_income(), 0);
			assert_eq!(receive(MARKET, RevenueKind::TradingFee, CHARLIE, 50), Ok(50));
			assert_eq!(receive(MARKET, RevenueKind::LiquidationPenalty, CHARLIE, 30), Ok(30));
			assert_ok!(InsuranceFund::donate(signed(ALICE), G, 40));
			assert_eq!(receive(7, RevenueKind::TradingFee, BOB, 25), Ok(25));
			assert_eq!(<InsuranceFund as ProtectionBuyer<AccountId>>::fee_income(), 75);
			// A refused inflow counts nothing.
			assert!(receive(MARKET, RevenueKind::TradingFee, 77, 5).is_err());
			assert_eq!(FeeIncome::<Test>::get(), 75);
			assert_eq!(
				<InsuranceFund as ProtectionBuyer<AccountId>>::account(),
				Some(InsuranceFund::account_id())
			);
		});
	}

	#[test]
	fn a_premium_is_paid_from_the_global_fund_only() {
		ExtBuilder::default().build_and_execute(|| {
			let bob = balance(BOB);
			assert_ok!(pay(BOB, 1_000));
			assert_eq!(fund(G), GLOBAL_SEED - 1_000);
			assert_eq!(fund(M), MARKET_SEED);
			assert_eq!(balance(BOB), bob + 1_000);
			System::assert_last_event(
				Event::ProtectionPremiumPaid { to: BOB, amount: 1_000 }.into(),
			);
			// More than the global fund holds, though the sub-fund could pay.
			assert_noop!(pay(BOB, GLOBAL_SEED - 999), Error::<Test>::InsufficientFunds);
			// Nothing is nothing.
			assert_storage_noop!(assert_ok!(pay(BOB, 0)));
			assert_eq!(pallet_balance(), sum_of_funds() + ED);
		});
	}

	#[test]
	fn a_payout_is_credited_to_the_global_fund() {
		ExtBuilder::default().build_and_execute(|| {
			assert_ok!(payout(BOB, 2_500));
			assert_eq!(fund(G), GLOBAL_SEED + 2_500);
			assert_eq!(balance(BOB), ENDOWMENT - 2_500);
			System::assert_last_event(
				Event::ProtectionPayoutReceived { from: BOB, amount: 2_500 }.into(),
			);
			// A payer without the money moves nothing.
			assert_noop!(payout(77, 10), TokenError::FundsUnavailable);
			assert_eq!(pallet_balance(), sum_of_funds() + ED);
		});
	}

	#[test]
	fn below_floor_follows_the_global_fund() {
		ExtBuilder::default().build_and_execute(|| {
			// No open interest: no target, never below.
			assert!(!below_floor());
			// Target 10% of 200 000 = 20 000, floor 10 000: at the floor.
			MockExposure::set(MARKET, 200_000);
			assert!(!below_floor());
			// A premium takes it below; the flag flips.
			assert_ok!(pay(BOB, 1));
			assert!(InsuranceFund::fund_of(G).unwrap().under_capitalized);
			assert!(below_floor());
			// A payout lifts it back.
			assert_ok!(payout(BOB, 1));
			assert!(!InsuranceFund::fund_of(G).unwrap().under_capitalized);
			assert!(!below_floor());
			// Open interest doubles with no flow since: below, before the
			// flag is re-evaluated.
			MockExposure::set(MARKET, 400_000);
			assert!(!InsuranceFund::fund_of(G).unwrap().under_capitalized);
			assert!(below_floor());
		});
	}
}
