//! Unit tests of the oracle aggregator.

use crate::{mock::*, *};
use backstop_primitives::{OracleAssetId, Price, PriceInfo, PriceProvider, PriceUnavailable};
use codec::{Decode, Encode};
use frame_support::{
	assert_noop, assert_ok,
	dispatch::{DispatchResultWithPostInfo, GetDispatchInfo, Pays},
	traits::{Get, Hooks},
	weights::Weight,
	BoundedVec,
};
use sp_arithmetic::Permill;
use sp_runtime::{
	traits::{Dispatchable, Zero},
	BuildStorage, DispatchError,
};

type Batch = BoundedVec<(OracleAssetId, Price), <Test as Config>::MaxBatch>;

fn batch(pairs: &[(OracleAssetId, Price)]) -> Batch {
	pairs.to_vec().try_into().unwrap()
}

fn feed(who: u64, pairs: &[(OracleAssetId, Price)]) -> DispatchResultWithPostInfo {
	OracleAggregator::feed(RuntimeOrigin::signed(who), batch(pairs))
}

/// `who` feeds `BTC` at `p` whole units.
fn feed_btc(who: u64, p: u32) {
	assert_ok!(feed(who, &[(BTC, price(p))]));
}

/// Feeders `1..=prices.len()` feed BTC, in order.
fn feed_btc_all(prices: &[u32]) {
	for (who, p) in (1u64..).zip(prices) {
		feed_btc(who, *p);
	}
}

fn go_to(block: u64) {
	System::set_block_number(block);
}

fn quote(asset: OracleAssetId) -> Result<PriceInfo<u64>, PriceUnavailable> {
	<OracleAggregator as PriceProvider<u64>>::price(asset)
}

fn state(asset: OracleAssetId) -> AssetState<Test> {
	Assets::<Test>::get(asset).unwrap()
}

fn aggregate(asset: OracleAssetId) -> Aggregate<u64> {
	state(asset).aggregate.unwrap()
}

fn idle() -> Weight {
	OracleAggregator::on_idle(System::block_number(), Weight::MAX)
}

fn root() -> RuntimeOrigin {
	RuntimeOrigin::root()
}

fn oracle_events() -> Vec<Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|record| match record.event {
			RuntimeEvent::OracleAggregator(event) => Some(event),
			_ => None,
		})
		.collect()
}

fn config_with(change: impl FnOnce(&mut AssetConfig)) -> AssetConfig {
	let mut config = default_config();
	change(&mut config);
	config
}

/// BTC live at 100 from feeders 1 to 3 in block 1.
fn btc_live_at_100() {
	feed_btc_all(&[100, 100, 100]);
	assert_eq!(quote(BTC).unwrap().price, price(100));
}

mod genesis {
	use super::*;

	#[test]
	fn registers_assets_and_feeders() {
		ExtBuilder::demo().build_and_execute(|| {
			assert_eq!(Assets::<Test>::count(), 2);
			assert_eq!(Feeders::<Test>::count(), 5);
			let mut slots: Vec<_> = Feeders::<Test>::iter_values().map(|f| f.slot).collect();
			slots.sort();
			assert_eq!(slots, vec![0, 1, 2, 3, 4]);
			let btc = state(BTC);
			assert_eq!(btc.config, default_config());
			assert!(btc.stale && btc.aggregate.is_none() && btc.feeds.is_empty());
			assert_eq!(quote(BTC), Err(PriceUnavailable::NoPrice));
			assert_eq!(quote(UNKNOWN), Err(PriceUnavailable::UnknownAsset));
		});
	}

	#[test]
	#[should_panic(expected = "asset 0 rejected")]
	fn rejects_an_invalid_asset() {
		ExtBuilder::default().with_asset(BTC, config_with(|c| c.min_feeders = 0)).build();
	}

	#[test]
	#[should_panic(expected = "feeder 1 rejected")]
	fn rejects_a_duplicate_feeder() {
		ExtBuilder::default().with_feeders([1, 1]).build();
	}

	#[test]
	fn reads_a_chain_spec_json() {
		let json = r#"{
			"assets": [
				[0, {"minFeeders": 3, "maxAge": 10, "maxMove": 100000, "emaPeriod": 9, "confirmationBlocks": 3}],
				[1, {"minFeeders": 2, "maxAge": 20, "maxMove": 50000, "emaPeriod": 30, "confirmationBlocks": 5}]
			],
			"feeders": [1, 2, 3]
		}"#;
		let genesis: GenesisConfig<Test> = serde_json::from_str(json).unwrap();
		assert_eq!(genesis.assets[0], (BTC, default_config()));
		let storage =
			RuntimeGenesisConfig { system: Default::default(), oracle_aggregator: genesis }
				.build_storage()
				.unwrap();
		sp_io::TestExternalities::new(storage).execute_with(|| {
			assert_eq!(state(ETH).config.max_move, Permill::from_percent(5));
			assert_eq!(Feeders::<Test>::count(), 3);
			OracleAggregator::do_try_state().unwrap();
		});
		// a misspelt setting is refused rather than defaulted
		let typo = r#"{"assets": [[0, {"minFeeder": 3, "maxAge": 10, "maxMove": 1, "emaPeriod": 9, "confirmationBlocks": 3}]], "feeders": []}"#;
		assert!(serde_json::from_str::<GenesisConfig<Test>>(typo).is_err());
	}

	#[test]
	fn constants_pass_the_integrity_test() {
		ExtBuilder::default().build_and_execute(|| {
			<OracleAggregator as Hooks<u64>>::integrity_test();
		});
	}
}

mod feeding {
	use super::*;

	#[test]
	fn a_member_feeds_for_free() {
		ExtBuilder::demo().build_and_execute(|| {
			let result = feed(1, &[(BTC, price(100)), (ETH, price(3))]).unwrap();
			assert_eq!(result.pays_fee, Pays::No);
			assert_eq!(result.actual_weight, Some(<() as WeightInfo>::feed(1, 2)));
			System::assert_last_event(Event::PricesFed { feeder: 1, assets: 2 }.into());
			assert_eq!(
				state(BTC).feeds.into_inner(),
				vec![RawFeed { slot: 0, price: price(100), at: 1 }]
			);
			assert_eq!(state(ETH).feeds.len(), 1);
			assert_eq!(Feeders::<Test>::get(1).unwrap().last_fed, Some(1));
		});
	}

	#[test]
	fn the_call_declares_a_fee_and_dispatch_waives_it_for_members() {
		ExtBuilder::demo().build_and_execute(|| {
			let call =
				RuntimeCall::OracleAggregator(Call::feed { batch: batch(&[(BTC, price(1))]) });
			let info = call.get_dispatch_info();
			assert_eq!(info.pays_fee, Pays::Yes);
			assert_eq!(info.call_weight, <() as WeightInfo>::feed(15, 1));
			let post = call.clone().dispatch(RuntimeOrigin::signed(1)).unwrap();
			assert_eq!(post.pays_fee, Pays::No);
			let error = call.dispatch(RuntimeOrigin::signed(OUTSIDER)).unwrap_err();
			assert_eq!(error.post_info.pays_fee, Pays::Yes);
			assert_eq!(error.error, Error::<Test>::NotFeeder.into());
		});
	}

	#[test]
	fn a_non_member_is_rejected_and_pays() {
		ExtBuilder::demo().build_and_execute(|| {
			let error = feed(OUTSIDER, &[(BTC, price(100))]).unwrap_err();
			assert_eq!(error.post_info.pays_fee, Pays::Yes);
			assert_noop!(feed(OUTSIDER, &[(BTC, price(100))]), Error::<Test>::NotFeeder);
			assert_noop!(
				OracleAggregator::feed(RuntimeOrigin::root(), batch(&[(BTC, price(100))])),
				DispatchError::BadOrigin
			);
			assert!(state(BTC).feeds.is_empty());
		});
	}

	#[test]
	fn a_second_feed_in_one_block_is_rejected() {
		ExtBuilder::demo().build_and_execute(|| {
			feed_btc(1, 100);
			assert_noop!(feed(1, &[(BTC, price(101))]), Error::<Test>::AlreadyFedThisBlock);
			assert_noop!(feed(1, &[(ETH, price(3))]), Error::<Test>::AlreadyFedThisBlock);
			go_to(2);
			feed_btc(1, 101);
			assert_eq!(state(BTC).feeds[0], RawFeed { slot: 0, price: price(101), at: 2 });
		});
	}

	#[test]
	fn a_failed_feed_does_not_use_up_the_block() {
		ExtBuilder::demo().build_and_execute(|| {
			assert_noop!(feed(1, &[(BTC, Price::zero())]), Error::<Test>::ZeroPrice);
			feed_btc(1, 100);
		});
	}

	#[test]
	fn zero_prices_are_rejected() {
		ExtBuilder::demo().build_and_execute(|| {
			assert_noop!(feed(1, &[(BTC, Price::zero())]), Error::<Test>::ZeroPrice);
			assert_noop!(
				feed(1, &[(BTC, price(100)), (ETH, Price::zero())]),
				Error::<Test>::ZeroPrice
			);
		});
	}

	#[test]
	fn overflowing_prices_are_rejected() {
		ExtBuilder::demo().build_and_execute(|| {
			let max = MaxPrice::get();
			let above = Price::from_inner(max.into_inner() + 1);
			assert_noop!(feed(1, &[(BTC, above)]), Error::<Test>::PriceTooHigh);
			assert_noop!(
				feed(1, &[(BTC, Price::from_inner(u128::MAX))]),
				Error::<Test>::PriceTooHigh
			);
			// the bound itself is accepted
			assert_ok!(feed(1, &[(BTC, max)]));
		});
	}

	#[test]
	fn an_overlong_batch_cannot_be_built_or_decoded() {
		ExtBuilder::demo().build_and_execute(|| {
			let max = <<Test as Config>::MaxBatch as Get<u32>>::get();
			let pairs: Vec<(OracleAssetId, Price)> =
				(0..=max).map(|asset| (asset, price(1))).collect();
			assert!(Batch::try_from(pairs.clone()).is_err());
			// A call carrying more than `MaxBatch` pairs does not even decode.
			let mut encoded =
				RuntimeCall::OracleAggregator(Call::feed { batch: batch(&pairs[..max as usize]) })
					.encode();
			// keep the pallet and call indices, replace the batch by one entry too many
			encoded.truncate(2);
			encoded.extend(pairs.encode());
			assert!(RuntimeCall::decode(&mut &encoded[..]).is_err());
		});
	}

	#[test]
	fn an_empty_batch_is_rejected() {
		ExtBuilder::demo().build_and_execute(|| {
			assert_noop!(feed(1, &[]), Error::<Test>::EmptyBatch);
		});
	}

	#[test]
	fn a_duplicate_asset_is_rejected() {
		ExtBuilder::demo().build_and_execute(|| {
			assert_noop!(
				feed(1, &[(BTC, price(100)), (ETH, price(3)), (BTC, price(101))]),
				Error::<Test>::DuplicateAsset
			);
		});
	}

	#[test]
	fn an_unknown_asset_is_rejected_and_nothing_is_stored() {
		ExtBuilder::demo().build_and_execute(|| {
			assert_noop!(feed(1, &[(UNKNOWN, price(100))]), Error::<Test>::UnknownAsset);
			assert_noop!(
				feed(1, &[(BTC, price(100)), (UNKNOWN, price(100))]),
				Error::<Test>::UnknownAsset
			);
		});
	}

	#[test]
	fn a_new_value_replaces_the_feeders_previous_one() {
		ExtBuilder::demo().build_and_execute(|| {
			feed_btc(1, 100);
			go_to(2);
			feed_btc(1, 105);
			assert_eq!(
				state(BTC).feeds.into_inner(),
				vec![RawFeed { slot: 0, price: price(105), at: 2 }]
			);
		});
	}
}

mod aggregation_rules {
	use super::*;
	use proptest::prelude::*;

	#[test]
	fn an_odd_count_takes_the_middle_value() {
		ExtBuilder::demo().build_and_execute(|| {
			feed_btc_all(&[90, 130, 100]);
			let aggregate = aggregate(BTC);
			assert_eq!(aggregate.price, price(100));
			assert_eq!(
				(aggregate.low, aggregate.high, aggregate.sources),
				(price(90), price(130), 3)
			);
			// deviations 10, 30, 0 -> MAD 10 -> 10% of 100
			assert_eq!(aggregate.confidence, Permill::from_percent(10));
			assert_eq!(quote(BTC).unwrap().confidence, Permill::from_percent(10));
		});
	}

	#[test]
	fn an_even_count_takes_the_mean_of_the_middle_values_rounded_down() {
		ExtBuilder::demo().build_and_execute(|| {
			for (who, inner) in [(1, 100u128), (2, 101), (3, 102), (4, 200)] {
				assert_ok!(feed(who, &[(BTC, Price::from_inner(inner))]));
			}
			let aggregate = aggregate(BTC);
			// (101 + 102) / 2 = 101.5, rounded down
			assert_eq!(aggregate.price, Price::from_inner(101));
			// deviations 1, 0, 1, 99 -> MAD (1 + 1) / 2 = 1 -> 1/101 = 0.990099% rounded up
			assert_eq!(aggregate.confidence, Permill::from_parts(9_901));
		});
	}

	#[test]
	fn a_minority_of_outliers_does_not_move_the_median() {
		ExtBuilder::demo().build_and_execute(|| {
			feed_btc(1, 1);
			feed_btc(2, 100);
			assert_ok!(feed(3, &[(BTC, MaxPrice::get())]));
			feed_btc(4, 101);
			feed_btc(5, 99);
			assert_eq!(quote(BTC).unwrap().price, price(100));
		});
	}

	#[test]
	fn expired_values_are_dropped_not_reused() {
		ExtBuilder::default()
			.with_asset(BTC, config_with(|c| c.min_feeders = 2))
			.with_feeders(1..=5)
			.build_and_execute(|| {
				feed_btc_all(&[100, 100, 100]);
				go_to(8);
				feed_btc(4, 104);
				feed_btc(5, 104);
				assert_eq!(aggregate(BTC).price, price(100));
				// block 12: the values of block 1 are 11 blocks old, past `max_age` = 10
				go_to(12);
				feed_btc(4, 104);
				assert_eq!(aggregate(BTC).price, price(104));
				assert_eq!(aggregate(BTC).sources, 2);
				assert_eq!(state(BTC).feeds.len(), 2);
			});
	}

	#[test]
	fn the_ema_follows_the_aggregate_block_by_block() {
		ExtBuilder::demo().build_and_execute(|| {
			// ema_period 9: alpha = 1/5
			btc_live_at_100();
			assert_eq!(aggregate(BTC).ema, price(100));
			go_to(2);
			feed_btc_all(&[105, 105, 105]);
			// 100 + (105 - 100) / 5
			assert_eq!(aggregate(BTC).ema, price(101));
			go_to(5);
			feed_btc_all(&[108, 108, 108]);
			// two blocks at 105: 101 + (1 - 0.8^2) * 4 = 102.44; then 102.44 + (108 - 102.44) / 5
			assert_eq!(aggregate(BTC).ema, Price::from_rational(103_552, 1_000));
			assert_eq!(quote(BTC).unwrap().ema, Price::from_rational(103_552, 1_000));
		});
	}

	#[test]
	fn several_feeds_in_one_block_make_one_ema_step() {
		ExtBuilder::demo().build_and_execute(|| {
			btc_live_at_100();
			go_to(2);
			// medians in this block: 100, 104, 104, 105, 106; one step from 100 to the last
			feed_btc(1, 104);
			feed_btc(2, 104);
			feed_btc(3, 106);
			feed_btc(4, 106);
			feed_btc(5, 106);
			assert_eq!(aggregate(BTC).price, price(106));
			assert_eq!(aggregate(BTC).ema, Price::from_rational(1012, 10));
		});
	}

	/// Honest and dishonest values, shuffled: `n` in `1..=15` values of which
	/// `floor((n - 1) / 2)` are dishonest (anything up to `MaxPrice`).
	fn scenario() -> impl Strategy<Value = Vec<(bool, u128)>> {
		let max = MaxPrice::get().into_inner();
		(1usize..=15).prop_flat_map(move |n| {
			let dishonest = (n - 1) / 2;
			(
				prop::collection::vec(1u128..=max, n - dishonest),
				prop::collection::vec(prop_oneof![Just(1u128), Just(max), 1u128..=max], dishonest),
			)
				.prop_map(|(honest, dishonest)| {
					honest
						.into_iter()
						.map(|v| (true, v))
						.chain(dishonest.into_iter().map(|v| (false, v)))
						.collect::<Vec<_>>()
				})
				.prop_shuffle()
		})
	}

	proptest! {
		#![proptest_config(ProptestConfig::with_cases(128))]

		#[test]
		fn a_dishonest_minority_cannot_leave_the_honest_range(values in scenario()) {
			let n = values.len() as u64;
			ExtBuilder::default()
				.with_asset(BTC, config_with(|c| c.min_feeders = 1))
				.with_feeders(1..=n)
				.build_and_execute(|| {
					for (who, (_, value)) in (1u64..).zip(&values) {
						assert_ok!(feed(who, &[(BTC, Price::from_inner(*value))]));
					}
					let honest: Vec<u128> =
						values.iter().filter(|(honest, _)| *honest).map(|(_, v)| *v).collect();
					let low = Price::from_inner(*honest.iter().min().unwrap());
					let high = Price::from_inner(*honest.iter().max().unwrap());
					let served = quote(BTC).unwrap().price;
					assert!(low <= served && served <= high, "{served:?} outside [{low:?}, {high:?}]");
				});
		}
	}
}

mod staleness {
	use super::*;

	#[test]
	fn an_asset_goes_stale_when_feeds_expire_and_recovers_when_they_return() {
		ExtBuilder::demo().build_and_execute(|| {
			feed_btc(1, 100);
			feed_btc(2, 100);
			assert_eq!(quote(BTC), Err(PriceUnavailable::NoPrice));
			feed_btc(3, 100);
			System::assert_has_event(Event::PriceRecovered { asset: BTC, fresh: 3 }.into());
			// block 11: the values are 10 blocks old, still fresh
			go_to(11);
			assert_eq!(quote(BTC).unwrap().price, price(100));
			// block 12: they aged out; the provider says so before anything else runs
			go_to(12);
			assert_eq!(quote(BTC), Err(PriceUnavailable::Stale));
			assert!(!state(BTC).stale);
			// the idle pass records the transition
			idle();
			System::assert_last_event(
				Event::PriceStale { asset: BTC, fresh: 0, required: 3 }.into(),
			);
			assert!(state(BTC).stale && state(BTC).feeds.is_empty());
			// two fresh feeds are not enough, and the transition is not repeated
			go_to(13);
			System::reset_events();
			feed_btc(1, 101);
			feed_btc(2, 101);
			assert_eq!(quote(BTC), Err(PriceUnavailable::Stale));
			assert!(!oracle_events().iter().any(|e| matches!(e, Event::PriceStale { .. })));
			feed_btc(3, 101);
			System::assert_has_event(Event::PriceRecovered { asset: BTC, fresh: 3 }.into());
			assert_eq!(quote(BTC).unwrap().price, price(101));
		});
	}

	#[test]
	fn staleness_is_detected_when_a_feed_arrives() {
		ExtBuilder::demo().build_and_execute(|| {
			btc_live_at_100();
			go_to(20);
			feed_btc(1, 100);
			System::assert_has_event(
				Event::PriceStale { asset: BTC, fresh: 1, required: 3 }.into(),
			);
			assert_eq!(quote(BTC), Err(PriceUnavailable::Stale));
		});
	}

	#[test]
	fn an_aggregate_is_served_only_while_its_oldest_value_is_fresh() {
		ExtBuilder::default()
			.with_asset(BTC, config_with(|c| c.min_feeders = 2))
			.with_feeders(1..=3)
			.build_and_execute(|| {
				feed_btc(1, 100);
				go_to(5);
				feed_btc(2, 100);
				feed_btc(3, 100);
				assert_eq!(aggregate(BTC).oldest, 1);
				go_to(12);
				// two fresh values remain, but the aggregate still rests on the block 1 value
				assert_eq!(quote(BTC), Err(PriceUnavailable::Stale));
				// the idle pass recomputes from what is still fresh, without a stale transition
				System::reset_events();
				idle();
				assert!(oracle_events().is_empty());
				assert_eq!(aggregate(BTC).oldest, 5);
				assert_eq!(quote(BTC).unwrap().updated_at, 12);
			});
	}

	#[test]
	fn a_raised_minimum_applies_at_once() {
		ExtBuilder::demo().build_and_execute(|| {
			btc_live_at_100();
			assert_ok!(OracleAggregator::update_asset_config(
				root(),
				BTC,
				config_with(|c| c.min_feeders = 4)
			));
			assert_eq!(quote(BTC), Err(PriceUnavailable::Stale));
			idle();
			System::assert_last_event(
				Event::PriceStale { asset: BTC, fresh: 3, required: 4 }.into(),
			);
		});
	}

	#[test]
	fn a_lowered_minimum_revives_a_stale_asset_in_the_idle_pass() {
		ExtBuilder::demo().build_and_execute(|| {
			feed_btc(1, 100);
			feed_btc(2, 102);
			assert!(state(BTC).stale);
			go_to(2);
			assert_ok!(OracleAggregator::update_asset_config(
				root(),
				BTC,
				config_with(|c| c.min_feeders = 2)
			));
			assert_eq!(quote(BTC), Err(PriceUnavailable::NoPrice));
			idle();
			System::assert_last_event(Event::PriceRecovered { asset: BTC, fresh: 2 }.into());
			assert_eq!(quote(BTC).unwrap().price, price(101));
		});
	}

	#[test]
	fn a_shortened_max_age_applies_at_once() {
		ExtBuilder::demo().build_and_execute(|| {
			btc_live_at_100();
			go_to(4);
			assert_eq!(quote(BTC).unwrap().price, price(100));
			assert_ok!(OracleAggregator::update_asset_config(
				root(),
				BTC,
				config_with(|c| c.max_age = 2)
			));
			assert_eq!(quote(BTC), Err(PriceUnavailable::Stale));
		});
	}
}

mod circuit_breaker {
	use super::*;

	/// BTC live at 100 in block 1; in block 2 all three feeders jump to 150.
	fn jump_to_150() {
		btc_live_at_100();
		go_to(2);
		feed_btc_all(&[150, 150, 150]);
	}

	#[test]
	fn a_50_percent_jump_is_held_then_confirmed() {
		ExtBuilder::demo().build_and_execute(|| {
			jump_to_150();
			System::assert_has_event(
				Event::PriceHeld { asset: BTC, reference: price(100), candidate: price(150) }
					.into(),
			);
			assert_eq!(quote(BTC), Err(PriceUnavailable::CircuitBreakerHeld));
			assert_eq!(state(BTC).hold, Some(Hold { candidate: price(150), since: 2 }));
			assert_eq!(aggregate(BTC).price, price(100));
			// blocks 3 and 4: the level persists, still held
			for block in 3..=4 {
				go_to(block);
				feed_btc_all(&[150, 151, 149]);
				assert_eq!(quote(BTC), Err(PriceUnavailable::CircuitBreakerHeld));
			}
			// block 5: three blocks after the jump, confirmed
			go_to(5);
			feed_btc(1, 150);
			System::assert_has_event(
				Event::PriceConfirmed { asset: BTC, price: price(150), held_since: 2 }.into(),
			);
			let info = quote(BTC).unwrap();
			assert_eq!(info.price, price(150));
			// the EMA takes one step: 100 + (150 - 100) / 5
			assert_eq!(info.ema, price(110));
			assert_eq!(state(BTC).hold, None);
			// later feeds in the same block measure from the confirmed level
			feed_btc(2, 152);
			feed_btc(3, 152);
			assert_eq!(quote(BTC).unwrap().price, price(152));
			assert_eq!(state(BTC).hold, None);
		});
	}

	#[test]
	fn a_hold_is_released_when_the_price_comes_back() {
		ExtBuilder::demo().build_and_execute(|| {
			jump_to_150();
			go_to(3);
			feed_btc(1, 101);
			assert_eq!(quote(BTC), Err(PriceUnavailable::CircuitBreakerHeld));
			feed_btc(2, 101);
			System::assert_has_event(
				Event::HoldReleased { asset: BTC, candidate: price(150) }.into(),
			);
			assert_eq!(quote(BTC).unwrap().price, price(101));
		});
	}

	#[test]
	fn a_new_level_restarts_the_hold() {
		ExtBuilder::demo().build_and_execute(|| {
			jump_to_150();
			go_to(3);
			feed_btc(1, 200);
			feed_btc(2, 200);
			System::assert_has_event(
				Event::PriceHeld { asset: BTC, reference: price(100), candidate: price(200) }
					.into(),
			);
			assert_eq!(state(BTC).hold, Some(Hold { candidate: price(200), since: 3 }));
			// the clock restarted: block 5 is not enough, block 6 is
			go_to(5);
			feed_btc(3, 200);
			assert_eq!(quote(BTC), Err(PriceUnavailable::CircuitBreakerHeld));
			go_to(6);
			feed_btc(1, 200);
			assert_eq!(quote(BTC).unwrap().price, price(200));
		});
	}

	#[test]
	fn the_idle_pass_confirms_a_due_hold() {
		ExtBuilder::demo().build_and_execute(|| {
			jump_to_150();
			go_to(4);
			idle();
			assert_eq!(quote(BTC), Err(PriceUnavailable::CircuitBreakerHeld));
			go_to(5);
			idle();
			System::assert_last_event(
				Event::PriceConfirmed { asset: BTC, price: price(150), held_since: 2 }.into(),
			);
			assert_eq!(quote(BTC).unwrap().price, price(150));
		});
	}

	#[test]
	fn a_hold_is_released_when_the_asset_goes_stale() {
		ExtBuilder::demo().build_and_execute(|| {
			jump_to_150();
			go_to(13);
			idle();
			System::assert_has_event(
				Event::HoldReleased { asset: BTC, candidate: price(150) }.into(),
			);
			System::assert_last_event(
				Event::PriceStale { asset: BTC, fresh: 0, required: 3 }.into(),
			);
			assert_eq!(quote(BTC), Err(PriceUnavailable::Stale));
			assert_eq!(state(BTC).hold, None);
		});
	}

	#[test]
	fn a_recovery_at_a_distant_level_is_held() {
		ExtBuilder::demo().build_and_execute(|| {
			btc_live_at_100();
			go_to(30);
			feed_btc_all(&[200, 200, 200]);
			System::assert_has_event(
				Event::PriceStale { asset: BTC, fresh: 1, required: 3 }.into(),
			);
			System::assert_has_event(Event::PriceRecovered { asset: BTC, fresh: 3 }.into());
			System::assert_has_event(
				Event::PriceHeld { asset: BTC, reference: price(100), candidate: price(200) }
					.into(),
			);
			assert_eq!(quote(BTC), Err(PriceUnavailable::CircuitBreakerHeld));
		});
	}

	#[test]
	fn a_move_within_the_band_passes_at_once() {
		ExtBuilder::demo().build_and_execute(|| {
			btc_live_at_100();
			go_to(2);
			feed_btc_all(&[110, 110, 110]);
			assert_eq!(quote(BTC).unwrap().price, price(110));
			assert!(!oracle_events().iter().any(|e| matches!(e, Event::PriceHeld { .. })));
		});
	}
}

mod freezing {
	use super::*;

	#[test]
	fn freeze_at_the_aggregate_and_unfreeze() {
		ExtBuilder::demo().build_and_execute(|| {
			feed_btc_all(&[90, 100, 130]);
			go_to(2);
			assert_ok!(OracleAggregator::freeze_price(root(), BTC, None));
			System::assert_last_event(Event::PriceFrozen { asset: BTC, price: price(100) }.into());
			let frozen = PriceInfo {
				price: price(100),
				ema: price(100),
				confidence: Permill::zero(),
				updated_at: 2,
				frozen: true,
			};
			assert_eq!(quote(BTC), Ok(frozen));
			// feeds keep being aggregated; the frozen price is served even when stale or held
			go_to(3);
			feed_btc_all(&[200, 200, 200]);
			assert!(state(BTC).hold.is_some());
			assert_eq!(quote(BTC), Ok(frozen));
			go_to(30);
			idle();
			assert!(state(BTC).stale);
			assert_eq!(quote(BTC), Ok(frozen));
			assert_ok!(OracleAggregator::unfreeze_price(root(), BTC));
			System::assert_last_event(Event::PriceUnfrozen { asset: BTC }.into());
			assert_eq!(quote(BTC), Err(PriceUnavailable::Stale));
		});
	}

	#[test]
	fn freeze_at_a_given_price_and_replace_it() {
		ExtBuilder::demo().build_and_execute(|| {
			assert_ok!(OracleAggregator::freeze_price(root(), ETH, Some(price(3))));
			System::assert_last_event(Event::PriceFrozen { asset: ETH, price: price(3) }.into());
			assert_eq!(quote(ETH).unwrap().price, price(3));
			assert_ok!(OracleAggregator::freeze_price(root(), ETH, Some(price(4))));
			assert_eq!(quote(ETH).unwrap().price, price(4));
		});
	}

	#[test]
	fn freeze_errors_change_nothing() {
		ExtBuilder::demo().build_and_execute(|| {
			assert_noop!(
				OracleAggregator::freeze_price(RuntimeOrigin::signed(1), BTC, Some(price(1))),
				DispatchError::BadOrigin
			);
			assert_noop!(
				OracleAggregator::freeze_price(root(), UNKNOWN, Some(price(1))),
				Error::<Test>::UnknownAsset
			);
			assert_noop!(
				OracleAggregator::freeze_price(root(), BTC, None),
				Error::<Test>::NoPriceToFreeze
			);
			assert_noop!(
				OracleAggregator::freeze_price(root(), BTC, Some(Price::zero())),
				Error::<Test>::ZeroPrice
			);
			assert_noop!(
				OracleAggregator::freeze_price(
					root(),
					BTC,
					Some(Price::from_inner(MaxPrice::get().into_inner() + 1))
				),
				Error::<Test>::PriceTooHigh
			);
		});
	}

	#[test]
	fn unfreeze_errors_change_nothing() {
		ExtBuilder::demo().build_and_execute(|| {
			assert_noop!(
				OracleAggregator::unfreeze_price(RuntimeOrigin::signed(1), BTC),
				DispatchError::BadOrigin
			);
			assert_noop!(
				OracleAggregator::unfreeze_price(root(), UNKNOWN),
				Error::<Test>::UnknownAsset
			);
			assert_noop!(OracleAggregator::unfreeze_price(root(), BTC), Error::<Test>::NotFrozen);
		});
	}
}

mod assets {
	use super::*;

	#[test]
	fn register_an_asset() {
		ExtBuilder::default().build_and_execute(|| {
			assert_ok!(OracleAggregator::register_asset(root(), BTC, default_config()));
			System::assert_last_event(
				Event::AssetRegistered { asset: BTC, config: default_config() }.into(),
			);
			assert_eq!(state(BTC), AssetState::new(default_config()));
			assert_eq!(quote(BTC), Err(PriceUnavailable::NoPrice));
		});
	}

	#[test]
	fn register_errors_change_nothing() {
		ExtBuilder::demo().build_and_execute(|| {
			assert_noop!(
				OracleAggregator::register_asset(RuntimeOrigin::signed(1), 7, default_config()),
				DispatchError::BadOrigin
			);
			assert_noop!(
				OracleAggregator::register_asset(root(), BTC, default_config()),
				Error::<Test>::AssetAlreadyRegistered
			);
			for asset in 2..16 {
				assert_ok!(OracleAggregator::register_asset(root(), asset, default_config()));
			}
			assert_noop!(
				OracleAggregator::register_asset(root(), 16, default_config()),
				Error::<Test>::TooManyAssets
			);
		});
	}

	#[test]
	fn every_setting_is_bounded() {
		use crate::limits::*;
		let cases: Vec<(AssetConfig, Error<Test>)> = vec![
			(config_with(|c| c.min_feeders = 0), Error::<Test>::InvalidMinFeeders),
			(config_with(|c| c.min_feeders = 16), Error::<Test>::InvalidMinFeeders),
			(config_with(|c| c.max_age = 0), Error::<Test>::InvalidMaxAge),
			(config_with(|c| c.max_age = MAX_FEED_AGE + 1), Error::<Test>::InvalidMaxAge),
			(config_with(|c| c.max_move = Permill::zero()), Error::<Test>::InvalidMaxMove),
			(config_with(|c| c.ema_period = 0), Error::<Test>::InvalidEmaPeriod),
			(config_with(|c| c.ema_period = MAX_EMA_PERIOD + 1), Error::<Test>::InvalidEmaPeriod),
			(config_with(|c| c.confirmation_blocks = 0), Error::<Test>::InvalidConfirmationBlocks),
			(
				config_with(|c| c.confirmation_blocks = MAX_CONFIRMATION_BLOCKS + 1),
				Error::<Test>::InvalidConfirmationBlocks,
			),
		];
		ExtBuilder::demo().build_and_execute(|| {
			for (config, error) in cases {
				let error = DispatchError::from(error);
				assert_noop!(OracleAggregator::register_asset(root(), 7, config), error);
				assert_noop!(OracleAggregator::update_asset_config(root(), BTC, config), error);
			}
			// the bounds themselves are accepted
			let widest = AssetConfig {
				min_feeders: 15,
				max_age: MAX_FEED_AGE,
				max_move: Permill::one(),
				ema_period: MAX_EMA_PERIOD,
				confirmation_blocks: MAX_CONFIRMATION_BLOCKS,
			};
			assert_ok!(OracleAggregator::register_asset(root(), 7, widest));
			let narrowest = AssetConfig {
				min_feeders: 1,
				max_age: 1,
				max_move: Permill::from_parts(1),
				ema_period: 1,
				confirmation_blocks: 1,
			};
			assert_ok!(OracleAggregator::register_asset(root(), 8, narrowest));
		});
	}

	#[test]
	fn update_an_asset() {
		ExtBuilder::demo().build_and_execute(|| {
			btc_live_at_100();
			let config = config_with(|c| c.max_move = Permill::from_percent(5));
			assert_ok!(OracleAggregator::update_asset_config(root(), BTC, config));
			System::assert_last_event(Event::AssetConfigUpdated { asset: BTC, config }.into());
			assert_eq!(state(BTC).config, config);
			// the feeds and the aggregate are kept
			assert_eq!(quote(BTC).unwrap().price, price(100));
			assert_noop!(
				OracleAggregator::update_asset_config(RuntimeOrigin::signed(1), BTC, config),
				DispatchError::BadOrigin
			);
			assert_noop!(
				OracleAggregator::update_asset_config(root(), UNKNOWN, config),
				Error::<Test>::UnknownAsset
			);
		});
	}

	#[test]
	fn remove_an_asset() {
		ExtBuilder::demo().build_and_execute(|| {
			btc_live_at_100();
			assert_ok!(OracleAggregator::remove_asset(root(), BTC));
			System::assert_last_event(Event::AssetRemoved { asset: BTC }.into());
			assert_eq!(Assets::<Test>::get(BTC), None);
			assert_eq!(Assets::<Test>::count(), 1);
			assert_eq!(quote(BTC), Err(PriceUnavailable::UnknownAsset));
			go_to(2);
			assert_noop!(feed(1, &[(BTC, price(100))]), Error::<Test>::UnknownAsset);
			assert_noop!(OracleAggregator::remove_asset(root(), BTC), Error::<Test>::UnknownAsset);
			assert_noop!(
				OracleAggregator::remove_asset(RuntimeOrigin::signed(1), ETH),
				DispatchError::BadOrigin
			);
			// registering again starts from scratch
			assert_ok!(OracleAggregator::register_asset(root(), BTC, default_config()));
			assert_eq!(quote(BTC), Err(PriceUnavailable::NoPrice));
		});
	}
}

mod feeders {
	use super::*;

	#[test]
	fn add_a_feeder_in_the_lowest_free_slot() {
		ExtBuilder::demo().build_and_execute(|| {
			assert_ok!(OracleAggregator::add_feeder(root(), 6));
			System::assert_last_event(Event::FeederAdded { feeder: 6 }.into());
			assert_eq!(Feeders::<Test>::get(6), Some(FeederInfo { slot: 5, last_fed: None }));
			assert_ok!(OracleAggregator::remove_feeder(root(), 2));
			assert_ok!(OracleAggregator::add_feeder(root(), 7));
			assert_eq!(Feeders::<Test>::get(7).unwrap().slot, 1);
			assert_ok!(feed(7, &[(BTC, price(100))]));
		});
	}

	#[test]
	fn add_errors_change_nothing() {
		ExtBuilder::demo().build_and_execute(|| {
			assert_noop!(
				OracleAggregator::add_feeder(RuntimeOrigin::signed(1), 6),
				DispatchError::BadOrigin
			);
			assert_noop!(OracleAggregator::add_feeder(root(), 1), Error::<Test>::AlreadyFeeder);
			for feeder in 6..=15 {
				assert_ok!(OracleAggregator::add_feeder(root(), feeder));
			}
			assert_noop!(OracleAggregator::add_feeder(root(), 16), Error::<Test>::TooManyFeeders);
		});
	}

	#[test]
	fn removing_a_feeder_purges_its_values_and_recomputes() {
		ExtBuilder::default()
			.with_asset(BTC, config_with(|c| c.min_feeders = 2))
			.with_asset(ETH, default_config())
			.with_asset(2, default_config())
			.with_feeders(1..=4)
			.build_and_execute(|| {
				for (who, btc) in [(1, 100), (2, 104), (3, 106)] {
					assert_ok!(feed(who, &[(BTC, price(btc)), (ETH, price(3))]));
				}
				assert_eq!(aggregate(BTC).price, price(104));
				go_to(2);
				let post = OracleAggregator::remove_feeder(root(), 2).unwrap();
				assert_eq!(post.actual_weight, Some(<() as WeightInfo>::remove_feeder(3)));
				System::assert_last_event(Event::FeederRemoved { feeder: 2, purged: 2 }.into());
				// BTC: the mean of 100 and 106 now
				assert_eq!(aggregate(BTC).price, price(103));
				assert_eq!(aggregate(BTC).sources, 2);
				// ETH needs three fresh feeds and has two left
				System::assert_has_event(
					Event::PriceStale { asset: ETH, fresh: 2, required: 3 }.into(),
				);
				assert_eq!(quote(ETH), Err(PriceUnavailable::Stale));
				assert!(state(BTC).feeds.iter().all(|feed| feed.slot != 1));
				assert_noop!(feed(2, &[(BTC, price(1))]), Error::<Test>::NotFeeder);
			});
	}

	#[test]
	fn remove_errors_change_nothing() {
		ExtBuilder::demo().build_and_execute(|| {
			assert_noop!(
				OracleAggregator::remove_feeder(RuntimeOrigin::signed(1), 1),
				DispatchError::BadOrigin
			);
			assert_noop!(
				OracleAggregator::remove_feeder(root(), OUTSIDER),
				Error::<Test>::NotFeeder
			);
		});
	}
}

mod idle_pass {
	use super::*;

	/// Ten assets, each live from feeders 1 to 3 in block 1 and aged out by block 12.
	fn ten_aged_out_assets() {
		for asset in 2..10 {
			assert_ok!(OracleAggregator::register_asset(root(), asset, default_config()));
		}
		let all: Vec<(OracleAssetId, Price)> = (0..10).map(|asset| (asset, price(100))).collect();
		for who in 1..=3 {
			assert_ok!(feed(who, &all));
		}
		go_to(12);
	}

	#[test]
	fn examines_at_most_max_idle_checks_assets_and_cycles() {
		ExtBuilder::demo().build_and_execute(|| {
			ten_aged_out_assets();
			let stale = || (0..10).filter(|asset| state(*asset).stale).count();
			assert_eq!(idle(), <() as WeightInfo>::on_idle_pass(4));
			assert_eq!(stale(), 4);
			assert!(IdleCursor::<Test>::get().is_some());
			idle();
			assert_eq!(stale(), 8);
			// two left: the pass reaches the end of the map and resets the cursor
			assert_eq!(idle(), <() as WeightInfo>::on_idle_pass(2));
			assert_eq!(stale(), 10);
			assert_eq!(IdleCursor::<Test>::get(), None);
			assert_eq!(
				oracle_events().iter().filter(|e| matches!(e, Event::PriceStale { .. })).count(),
				10
			);
		});
	}

	#[test]
	fn does_nothing_without_spare_weight() {
		ExtBuilder::demo().build_and_execute(|| {
			ten_aged_out_assets();
			let enough_for_one = <() as WeightInfo>::on_idle_pass(1);
			assert_eq!(OracleAggregator::on_idle(12, Weight::zero()), Weight::zero());
			assert_eq!(
				OracleAggregator::on_idle(12, enough_for_one - Weight::from_parts(1, 0)),
				Weight::zero()
			);
			assert!((0..10).all(|asset| !state(asset).stale));
			assert_eq!(OracleAggregator::on_idle(12, enough_for_one), enough_for_one);
			assert_eq!((0..10).filter(|asset| state(*asset).stale).count(), 1);
		});
	}

	#[test]
	fn leaves_assets_that_need_nothing_untouched() {
		ExtBuilder::demo().build_and_execute(|| {
			btc_live_at_100();
			go_to(5);
			let before = (state(BTC), state(ETH));
			System::reset_events();
			idle();
			assert_eq!((state(BTC), state(ETH)), before);
			assert!(oracle_events().is_empty());
		});
	}
}

mod runtime_api {
	use super::*;

	#[test]
	fn statuses_report_every_state() {
		ExtBuilder::default()
			.with_asset(0, default_config())
			.with_asset(1, default_config())
			.with_asset(2, default_config())
			.with_asset(3, default_config())
			.with_asset(4, default_config())
			.with_feeders(1..=3)
			.build_and_execute(|| {
				// 0: live; 1: held; 2: stale; 3: frozen; 4: never priced
				let all: Vec<(OracleAssetId, Price)> =
					(0..3).map(|asset| (asset, price(100))).collect();
				for who in 1..=3 {
					assert_ok!(feed(who, &all));
				}
				go_to(2);
				for who in 1..=3 {
					assert_ok!(feed(who, &[(0, price(101)), (1, price(150))]));
				}
				assert_ok!(OracleAggregator::freeze_price(root(), 3, Some(price(7))));
				go_to(9);
				assert_ok!(OracleAggregator::update_asset_config(
					root(),
					2,
					config_with(|c| c.max_age = 5)
				));

				let statuses = OracleAggregator::all_price_statuses();
				assert_eq!(
					statuses.iter().map(|s| s.asset).collect::<Vec<_>>(),
					vec![0, 1, 2, 3, 4]
				);
				let by_status: Vec<PriceStatus> = statuses.iter().map(|s| s.status).collect();
				assert_eq!(
					by_status,
					vec![
						PriceStatus::Live,
						PriceStatus::Held,
						PriceStatus::Stale,
						PriceStatus::Frozen,
						PriceStatus::NoPrice
					]
				);
				let live = &statuses[0];
				assert_eq!(live.info.unwrap().price, price(101));
				assert_eq!(live.age, Some(7));
				assert_eq!((live.fresh_feeds, live.min_feeders), (3, 3));
				let held = &statuses[1];
				assert_eq!(held.held_price, Some(price(150)));
				assert_eq!(held.info.unwrap().price, price(100));
				let stale = &statuses[2];
				assert_eq!(
					(stale.info.unwrap().price, stale.age, stale.fresh_feeds),
					(price(100), Some(8), 0)
				);
				let frozen = &statuses[3];
				assert_eq!(frozen.info.unwrap(), quote(3).unwrap());
				assert!(frozen.info.unwrap().frozen);
				let never = &statuses[4];
				assert_eq!((never.info, never.age), (None, None));

				assert_eq!(OracleAggregator::price_status(1), Some(statuses[1].clone()));
				assert_eq!(OracleAggregator::price_status(UNKNOWN), None);
			});
	}
}

mod invariants {
	use super::*;

	#[test]
	fn try_state_catches_an_aggregate_outside_its_values() {
		ExtBuilder::demo().build().execute_with(|| {
			btc_live_at_100();
			assert_ok!(OracleAggregator::do_try_state());
			Assets::<Test>::mutate(BTC, |state| {
				state.as_mut().unwrap().aggregate.as_mut().unwrap().price = price(500)
			});
			assert!(OracleAggregator::do_try_state().is_err());
		});
	}

	#[test]
	fn try_state_catches_a_value_of_a_removed_feeder() {
		ExtBuilder::demo().build().execute_with(|| {
			btc_live_at_100();
			Feeders::<Test>::remove(3);
			assert!(OracleAggregator::do_try_state().is_err());
		});
	}

	#[test]
	fn try_state_catches_a_live_aggregate_that_is_not_the_median() {
		ExtBuilder::demo().build().execute_with(|| {
			feed_btc_all(&[90, 100, 130]);
			Assets::<Test>::mutate(BTC, |state| {
				state.as_mut().unwrap().aggregate.as_mut().unwrap().price = price(95)
			});
			assert!(OracleAggregator::do_try_state().is_err());
		});
	}
}
