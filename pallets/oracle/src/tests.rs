//! Unit tests of the oracle aggregator.

use crate::{mock::*, *};
use backstop_primitives::{OracleAssetId, Price, PriceInfo, PriceProvider, PriceUnavailable};
use codec::{Decode, Encode};
use frame_support::{
	assert_noop, assert_ok,
	dispatch::{DispatchClass, DispatchResultWithPostInfo, GetDispatchInfo, Pays},
	pallet_prelude::{InvalidTransaction, TransactionSource, TransactionValidityError},
	traits::{Authorize, Get, Hooks},
	weights::Weight,
	BoundedVec,
};
use sp_arithmetic::{FixedPointNumber, FixedU128, Permill};
use sp_runtime::{
	testing::TestSignature,
	traits::{Dispatchable, Saturating, TransactionExtension, TxBaseImplication, Zero},
	transaction_validity::TransactionPriority,
	BuildStorage, DispatchError,
};

type Batch = BoundedVec<Observation, <Test as Config>::MaxBatch>;

/// The current block's timestamp.
fn now_ms() -> Millis {
	Timestamp::get()
}

/// A batch of `(asset, price)` pairs observed now.
fn batch(pairs: &[(OracleAssetId, Price)]) -> Batch {
	let now = now_ms();
	pairs.iter().map(|(asset, price)| (*asset, *price, now)).collect::<Vec<_>>().try_into().unwrap()
}

fn feed(who: u64, pairs: &[(OracleAssetId, Price)]) -> DispatchResultWithPostInfo {
	OracleAggregator::feed(RuntimeOrigin::signed(who), batch(pairs))
}

fn feed_observed(who: u64, observations: &[Observation]) -> DispatchResultWithPostInfo {
	OracleAggregator::feed(RuntimeOrigin::signed(who), observations.to_vec().try_into().unwrap())
}

/// `who` feeds `BTC` at `p` whole units.
fn feed_btc(who: u64, p: u32) {
	assert_ok!(feed(who, &[(BTC, price(p))]));
}

/// `who` feeds `BTC` at `p`.
fn feed_btc_at(who: u64, p: Price) {
	assert_ok!(feed(who, &[(BTC, p)]));
}

/// Feeders `1..=prices.len()` feed BTC, in order.
fn feed_btc_all(prices: &[u32]) {
	for (who, p) in (1u64..).zip(prices) {
		feed_btc(who, *p);
	}
}

/// Block `block`, at `block * BLOCK_MS`.
fn go_to(block: u64) {
	System::set_block_number(block);
	Timestamp::set_timestamp(block * BLOCK_MS);
}

/// The next block, `ms` after the current one: a chain stall when `ms` is large.
fn next_block_after(ms: Millis) {
	System::set_block_number(System::block_number() + 1);
	Timestamp::set_timestamp(now_ms() + ms);
}

/// `n / 100`.
fn cents(n: u128) -> Price {
	Price::from_rational(n, 100)
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

fn count_events(matches: impl Fn(&Event<Test>) -> bool) -> usize {
	oracle_events().iter().filter(|event| matches(event)).count()
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

/// The price is served (not held, not stale) and equals the median of the stored values.
fn assert_live_at_median(asset: OracleAssetId) -> Price {
	let info = quote(asset)
		.unwrap_or_else(|e| panic!("no price in block {}: {e:?}", System::block_number()));
	assert!(!info.frozen);
	let mut values: Vec<u128> = state(asset).feeds.iter().map(|f| f.price.into_inner()).collect();
	values.sort();
	assert_eq!(info.price, aggregate(asset).price);
	assert!(Price::from_inner(values[0]) <= info.price);
	assert!(info.price <= Price::from_inner(*values.last().unwrap()));
	info.price
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
	#[should_panic(expected = "MinFeedersTooLow")]
	fn rejects_fewer_than_three_feeders_per_median() {
		ExtBuilder::default().with_asset(BTC, config_with(|c| c.min_feeders = 2)).build();
	}

	#[test]
	#[should_panic(expected = "InvalidMaxAge")]
	fn rejects_a_max_age_within_the_skew() {
		ExtBuilder::default()
			.with_asset(BTC, config_with(|c| c.max_age_ms = MAX_FEED_SKEW))
			.build();
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
				[0, {"minFeeders": 3, "maxAgeMs": 60000, "maxMove": 100000, "emaPeriodMs": 54000,
					"fastPathQuorum": 666666, "agreementBand": 20000, "holdMs": 18000}],
				[1, {"minFeeders": 4, "maxAgeMs": 120000, "maxMove": 50000, "emaPeriodMs": 180000,
					"fastPathQuorum": 800000, "agreementBand": 10000, "holdMs": 30000}]
			],
			"feeders": [1, 2, 3, 4]
		}"#;
		let genesis: GenesisConfig<Test> = serde_json::from_str(json).unwrap();
		assert_eq!(genesis.assets[0], (BTC, default_config()));
		let storage =
			RuntimeGenesisConfig { system: Default::default(), oracle_aggregator: genesis }
				.build_storage()
				.unwrap();
		sp_io::TestExternalities::new(storage).execute_with(|| {
			assert_eq!(state(ETH).config.max_move, Permill::from_percent(5));
			assert_eq!(state(ETH).config.fast_path_quorum, Permill::from_percent(80));
			assert_eq!(Feeders::<Test>::count(), 4);
			OracleAggregator::do_try_state().unwrap();
		});
		// a misspelt or an old (block-based) setting is refused rather than defaulted
		let typo = r#"{"assets": [[0, {"minFeeders": 3, "maxAge": 10, "maxMove": 1, "emaPeriodMs": 9, "fastPathQuorum": 666666, "agreementBand": 1, "holdMs": 3}]], "feeders": []}"#;
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
				vec![RawFeed { slot: 0, price: price(100), observed_at: BLOCK_MS }]
			);
			assert_eq!(state(ETH).feeds.len(), 1);
			let info = Feeders::<Test>::get(1).unwrap();
			assert_eq!((info.last_fed, info.last_round), (Some(1), Some(1)));
		});
	}

	#[test]
	fn the_call_declares_a_fee_and_dispatch_waives_it_for_members() {
		ExtBuilder::demo().build_and_execute(|| {
			let call =
				RuntimeCall::OracleAggregator(Call::feed { batch: batch(&[(BTC, price(1))]) });
			let info = call.get_dispatch_info();
			assert_eq!(info.pays_fee, Pays::Yes);
			assert_eq!(info.class, DispatchClass::Normal);
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
			assert_eq!(
				state(BTC).feeds[0],
				RawFeed { slot: 0, price: price(101), observed_at: 2 * BLOCK_MS }
			);
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
	fn observations_beyond_the_skew_are_rejected() {
		ExtBuilder::demo().build_and_execute(|| {
			go_to(10);
			let now = now_ms();
			assert_noop!(
				feed_observed(1, &[(BTC, price(100), now + MAX_FEED_SKEW + 1)]),
				Error::<Test>::ObservationInFuture
			);
			assert_noop!(
				feed_observed(1, &[(BTC, price(100), now - MAX_FEED_SKEW - 1)]),
				Error::<Test>::ObservationTooOld
			);
			// one bad observation refuses the whole batch
			assert_noop!(
				feed_observed(
					1,
					&[(BTC, price(100), now), (ETH, price(3), now - MAX_FEED_SKEW - 1)]
				),
				Error::<Test>::ObservationTooOld
			);
			// the bounds themselves are accepted, and each value keeps its own time
			assert_ok!(feed_observed(
				1,
				&[(BTC, price(100), now + MAX_FEED_SKEW), (ETH, price(3), now - MAX_FEED_SKEW)]
			));
			assert_eq!(state(BTC).feeds[0].observed_at, now + MAX_FEED_SKEW);
			assert_eq!(state(ETH).feeds[0].observed_at, now - MAX_FEED_SKEW);
		});
	}

	#[test]
	fn an_overlong_batch_cannot_be_built_or_decoded() {
		ExtBuilder::demo().build_and_execute(|| {
			let max = <<Test as Config>::MaxBatch as Get<u32>>::get();
			let observations: Vec<Observation> =
				(0..=max).map(|asset| (asset, price(1), now_ms())).collect();
			assert!(Batch::try_from(observations.clone()).is_err());
			// A call carrying more than `MaxBatch` observations does not even decode.
			let mut encoded = RuntimeCall::OracleAggregator(Call::feed {
				batch: observations[..max as usize].to_vec().try_into().unwrap(),
			})
			.encode();
			// keep the pallet and call indices, replace the batch by one entry too many
			encoded.truncate(2);
			encoded.extend(observations.encode());
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
				vec![RawFeed { slot: 0, price: price(105), observed_at: 2 * BLOCK_MS }]
			);
		});
	}
}

/// Feeds signed by the feeder's key, authorized by the pallet (`submit_feed`).
mod authorized_feeds {
	use super::*;

	fn genesis_hash() -> <Test as frame_system::Config>::Hash {
		System::block_hash(0)
	}

	fn signed_feed(feeder: u64, round: u64, pairs: &[(OracleAssetId, Price)]) -> SignedFeed<Test> {
		SignedFeed { feeder, round, batch: batch(pairs) }
	}

	/// `feed` with the feeder's valid signature.
	fn submit(feed: SignedFeed<Test>) -> Call<Test> {
		let signature = TestSignature(feed.feeder, feed.signing_payload(&genesis_hash()));
		Call::submit_feed { feed, signature }
	}

	fn authorize(
		call: &Call<Test>,
	) -> Result<sp_runtime::transaction_validity::ValidTransaction, TransactionValidityError> {
		call.authorize(TransactionSource::External).expect("submit_feed authorizes").map(|(v, _)| v)
	}

	fn custom(error: &Error<Test>) -> TransactionValidityError {
		InvalidTransaction::Custom(error.encode()[0]).into()
	}

	#[test]
	fn a_signed_feed_is_valid_with_top_priority_for_a_few_blocks() {
		ExtBuilder::demo().build_and_execute(|| {
			go_to(10);
			let call = submit(signed_feed(1, 10, &[(BTC, price(100))]));
			let validity = authorize(&call).unwrap();
			assert_eq!(validity.priority, TransactionPriority::MAX / 2);
			assert_eq!(validity.priority, <Test as Config>::FeedPriority::get());
			// valid in blocks 10 to 13
			assert_eq!(validity.longevity, 4);
			assert_eq!(validity.provides, vec![("OracleAggregatorFeed", (1u64, 10u64)).encode()]);
			assert!(validity.requires.is_empty() && validity.propagate);
			// included two blocks later: two blocks of validity left
			go_to(12);
			assert_eq!(authorize(&call).unwrap().longevity, 2);
			// the source does not matter
			assert!(call.authorize(TransactionSource::Local).unwrap().is_ok());
		});
	}

	#[test]
	fn the_feed_is_operational_and_free_so_full_blocks_still_take_it() {
		ExtBuilder::demo().build_and_execute(|| {
			let call = RuntimeCall::OracleAggregator(submit(signed_feed(1, 1, &[(BTC, price(1))])));
			let info = call.get_dispatch_info();
			assert_eq!(info.class, DispatchClass::Operational);
			assert_eq!(info.pays_fee, Pays::No);
			assert_eq!(info.call_weight, <() as WeightInfo>::submit_feed(15, 1));
			assert_eq!(info.extension_weight, Weight::zero());
			let RuntimeCall::OracleAggregator(inner) = &call else { unreachable!() };
			assert_eq!(inner.weight_of_authorize(), <() as WeightInfo>::authorize_submit_feed(1));

			// A block whose normal space is full of (tipped) ordinary transactions.
			let limits = <<Test as frame_system::Config>::BlockWeights as Get<
				frame_system::limits::BlockWeights,
			>>::get();
			let normal_max = limits.get(DispatchClass::Normal).max_total.unwrap();
			System::register_extra_weight_unchecked(normal_max, DispatchClass::Normal);
			let ordinary =
				RuntimeCall::OracleAggregator(Call::feed { batch: batch(&[(BTC, price(1))]) })
					.get_dispatch_info();
			let len = call.encoded_size();
			assert_eq!(
				frame_system::CheckWeight::<Test>::do_prepare(&ordinary, len, len as u32),
				Err(InvalidTransaction::ExhaustsResources.into())
			);
			// the feed still fits: operational space is reserved beyond the normal limit
			assert_ok!(frame_system::CheckWeight::<Test>::do_prepare(&info, len, len as u32));
		});
	}

	#[test]
	fn the_authorize_call_extension_authorizes_and_the_feed_dispatches() {
		ExtBuilder::demo().build_and_execute(|| {
			let call = RuntimeCall::OracleAggregator(submit(signed_feed(
				2,
				1,
				&[(BTC, price(100)), (ETH, price(3))],
			)));
			let info = call.get_dispatch_info();
			let (validity, _, origin) = frame_system::AuthorizeCall::<Test>::new()
				.validate(
					RuntimeOrigin::none(),
					&call,
					&info,
					call.encoded_size(),
					(),
					&TxBaseImplication(()),
					TransactionSource::External,
				)
				.unwrap();
			assert_eq!(validity.priority, TransactionPriority::MAX / 2);
			assert!(frame_system::ensure_authorized(origin.clone()).is_ok());
			let post = call.dispatch(origin).unwrap();
			assert_eq!(post.pays_fee, Pays::No);
			assert_eq!(post.actual_weight, Some(<() as WeightInfo>::submit_feed(1, 2)));
			System::assert_last_event(Event::PricesFed { feeder: 2, assets: 2 }.into());
			assert_eq!(state(BTC).feeds[0].slot, 1);
			let feeder = Feeders::<Test>::get(2).unwrap();
			assert_eq!((feeder.last_fed, feeder.last_round), (Some(1), Some(1)));
		});
	}

	#[test]
	fn a_feed_dispatches_only_with_the_authorized_origin() {
		ExtBuilder::demo().build_and_execute(|| {
			let Call::submit_feed { feed, signature } =
				submit(signed_feed(1, 1, &[(BTC, price(100))]))
			else {
				unreachable!()
			};
			for origin in [RuntimeOrigin::signed(1), RuntimeOrigin::none(), root()] {
				assert_noop!(
					OracleAggregator::submit_feed(origin, feed.clone(), signature.clone()),
					DispatchError::BadOrigin
				);
			}
			assert_ok!(OracleAggregator::submit_feed(
				frame_system::RawOrigin::Authorized.into(),
				feed,
				signature
			));
		});
	}

	#[test]
	fn outsiders_and_bad_signatures_are_refused() {
		ExtBuilder::demo().build_and_execute(|| {
			let outsider = submit(signed_feed(OUTSIDER, 1, &[(BTC, price(100))]));
			assert_eq!(authorize(&outsider), Err(InvalidTransaction::BadSigner.into()));

			let feed = signed_feed(1, 1, &[(BTC, price(100))]);
			// signed by another key
			let forged = Call::submit_feed {
				feed: feed.clone(),
				signature: TestSignature(2, feed.signing_payload(&genesis_hash())),
			};
			assert_eq!(authorize(&forged), Err(InvalidTransaction::BadProof.into()));
			// signed for another chain
			let other_chain = Call::submit_feed {
				feed: feed.clone(),
				signature: TestSignature(1, feed.signing_payload(&Default::default())),
			};
			assert_ne!(genesis_hash(), Default::default());
			assert_eq!(authorize(&other_chain), Err(InvalidTransaction::BadProof.into()));
			// a signature over other prices
			let mut altered = feed.clone();
			altered.batch = batch(&[(BTC, price(50))]);
			let altered = Call::submit_feed {
				feed: altered,
				signature: TestSignature(1, feed.signing_payload(&genesis_hash())),
			};
			assert_eq!(authorize(&altered), Err(InvalidTransaction::BadProof.into()));
		});
	}

	#[test]
	fn rounds_bound_validity_and_prevent_replays() {
		ExtBuilder::demo().build_and_execute(|| {
			go_to(10);
			let ahead = submit(signed_feed(1, 11, &[(BTC, price(100))]));
			assert_eq!(authorize(&ahead), Err(InvalidTransaction::Future.into()));
			let expired = submit(signed_feed(1, 6, &[(BTC, price(100))]));
			assert_eq!(authorize(&expired), Err(InvalidTransaction::Stale.into()));
			let last_valid = submit(signed_feed(1, 7, &[(BTC, price(100))]));
			assert_eq!(authorize(&last_valid).unwrap().longevity, 1);

			// accepted in block 10 as round 9
			let call = submit(signed_feed(1, 9, &[(BTC, price(100))]));
			assert_ok!(RuntimeCall::OracleAggregator(call.clone())
				.dispatch(frame_system::RawOrigin::Authorized.into()));
			// a second feed in the same block, or a replay, or an older round, is stale
			let newer = submit(signed_feed(1, 10, &[(BTC, price(101))]));
			assert_eq!(authorize(&newer), Err(InvalidTransaction::Stale.into()));
			go_to(11);
			assert_eq!(authorize(&call), Err(InvalidTransaction::Stale.into()));
			assert_eq!(authorize(&last_valid), Err(InvalidTransaction::Stale.into()));
			// a newer round is fine in the next block
			assert!(authorize(&newer).is_ok());
		});
	}

	#[test]
	fn a_batch_the_dispatch_would_refuse_is_invalid() {
		ExtBuilder::demo().build_and_execute(|| {
			go_to(5);
			let now = now_ms();
			let cases: Vec<(Vec<Observation>, Error<Test>)> = vec![
				(vec![], Error::<Test>::EmptyBatch),
				(vec![(BTC, Price::zero(), now)], Error::<Test>::ZeroPrice),
				(vec![(UNKNOWN, price(1), now)], Error::<Test>::UnknownAsset),
				(vec![(BTC, price(1), now), (BTC, price(2), now)], Error::<Test>::DuplicateAsset),
				(
					vec![(BTC, price(1), now + MAX_FEED_SKEW + 1)],
					Error::<Test>::ObservationInFuture,
				),
				(vec![(BTC, price(1), now - MAX_FEED_SKEW - 1)], Error::<Test>::ObservationTooOld),
			];
			for (observations, error) in cases {
				let feed =
					SignedFeed { feeder: 1, round: 5, batch: observations.try_into().unwrap() };
				assert_eq!(authorize(&submit(feed.clone())), Err(custom(&error)));
				let error = DispatchError::from(error);
				let Call::submit_feed { feed, signature } = submit(feed) else { unreachable!() };
				assert_noop!(
					OracleAggregator::submit_feed(
						frame_system::RawOrigin::Authorized.into(),
						feed,
						signature
					),
					error
				);
			}
		});
	}

	#[test]
	fn the_dispatch_checks_rounds_too() {
		ExtBuilder::demo().build_and_execute(|| {
			go_to(10);
			let dispatch = |round: u64| {
				let Call::submit_feed { feed, signature } =
					submit(signed_feed(1, round, &[(BTC, price(100))]))
				else {
					unreachable!()
				};
				OracleAggregator::submit_feed(
					frame_system::RawOrigin::Authorized.into(),
					feed,
					signature,
				)
			};
			assert_noop!(dispatch(11), Error::<Test>::FeedRoundInFuture);
			assert_noop!(dispatch(6), Error::<Test>::FeedRoundExpired);
			assert_ok!(dispatch(9));
			go_to(11);
			assert_noop!(dispatch(9), Error::<Test>::FeedRoundReused);
			assert_noop!(dispatch(8), Error::<Test>::FeedRoundReused);
			assert_noop!(
				OracleAggregator::submit_feed(
					frame_system::RawOrigin::Authorized.into(),
					signed_feed(OUTSIDER, 11, &[(BTC, price(1))]),
					TestSignature(OUTSIDER, vec![])
				),
				Error::<Test>::NotFeeder
			);
			assert_ok!(dispatch(10));
			assert_noop!(dispatch(11), Error::<Test>::AlreadyFedThisBlock);
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
		ExtBuilder::demo().build_and_execute(|| {
			feed_btc_all(&[100, 100, 100]);
			go_to(8);
			feed_btc(4, 104);
			feed_btc(5, 104);
			assert_eq!(aggregate(BTC).price, price(100));
			// block 12: the values of block 1 are 66 s old, past `max_age_ms` = 60 s
			go_to(12);
			feed_btc(1, 104);
			assert_eq!(aggregate(BTC).price, price(104));
			assert_eq!(aggregate(BTC).sources, 3);
			assert_eq!(state(BTC).feeds.len(), 3);
		});
	}

	#[test]
	fn the_ema_is_weighted_by_elapsed_time() {
		ExtBuilder::demo().build_and_execute(|| {
			let period = default_config().ema_period_ms;
			btc_live_at_100();
			assert_eq!(quote(BTC).unwrap().ema, price(100));
			go_to(2);
			feed_btc_all(&[105, 105, 105]);
			// nothing has elapsed at 105 yet: the EMA is still 100
			assert_eq!(aggregate(BTC).ema, price(100));
			assert_eq!(quote(BTC).unwrap().ema, price(100));
			// one block later, 6 s of 105 count
			go_to(3);
			let one_block = aggregation::ema_carried(price(100), price(105), BLOCK_MS, period);
			assert_eq!(quote(BTC).unwrap().ema, one_block);
			assert!(one_block > price(100) && one_block < price(105));
			// a new aggregate three blocks later carries the 18 s at 105
			go_to(5);
			feed_btc_all(&[104, 104, 104]);
			let carried = aggregation::ema_carried(price(100), price(105), 3 * BLOCK_MS, period);
			assert_eq!(aggregate(BTC).ema, carried);
			assert!(carried > one_block);
			// the served EMA moves with time even without a new aggregate, towards the spot
			go_to(7);
			let later = quote(BTC).unwrap().ema;
			assert_eq!(later, aggregation::ema_carried(carried, price(104), 2 * BLOCK_MS, period));
			assert!(later > carried && later < price(104));
		});
	}

	#[test]
	fn the_ema_does_not_depend_on_block_times() {
		// The same 18 s at 105, in three 6-second blocks or in one 18-second block.
		let ema_after = |blocks: &[Millis]| {
			let mut ema = None;
			ExtBuilder::demo().build_and_execute(|| {
				btc_live_at_100();
				go_to(2);
				feed_btc_all(&[105, 105, 105]);
				for gap in blocks {
					next_block_after(*gap);
					feed_btc_all(&[105, 105, 105]);
				}
				next_block_after(1);
				ema = Some(quote(BTC).unwrap().ema);
			});
			ema.unwrap()
		};
		let three_blocks = ema_after(&[BLOCK_MS, BLOCK_MS, BLOCK_MS]);
		let one_block = ema_after(&[3 * BLOCK_MS]);
		let diff = three_blocks.into_inner().abs_diff(one_block.into_inner());
		// equal up to the rounding of a few fixed-point multiplications
		assert!(diff < 1_000, "{three_blocks:?} vs {one_block:?}");
	}

	#[test]
	fn several_feeds_in_one_block_count_once() {
		ExtBuilder::demo().build_and_execute(|| {
			btc_live_at_100();
			go_to(2);
			// medians in this block: 100, 104, 104, 105, 106; only the last one stays
			feed_btc(1, 104);
			feed_btc(2, 104);
			feed_btc(3, 106);
			feed_btc(4, 106);
			feed_btc(5, 106);
			assert_eq!(aggregate(BTC).price, price(106));
			assert_eq!(aggregate(BTC).ema, price(100));
			go_to(3);
			let period = default_config().ema_period_ms;
			assert_eq!(
				quote(BTC).unwrap().ema,
				aggregation::ema_carried(price(100), price(106), BLOCK_MS, period)
			);
		});
	}

	/// Honest and dishonest values, shuffled: `n` in `3..=15` values of which
	/// `floor((n - 1) / 2)` are dishonest (anything up to `MaxPrice`).
	fn scenario() -> impl Strategy<Value = Vec<(bool, u128)>> {
		let max = MaxPrice::get().into_inner();
		(3usize..=15).prop_flat_map(move |n| {
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
				.with_asset(BTC, default_config())
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
			// block 11: the values are 60 s old, still fresh
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
			assert_eq!(count_events(|e| matches!(e, Event::PriceStale { .. })), 0);
			feed_btc(3, 101);
			System::assert_has_event(Event::PriceRecovered { asset: BTC, fresh: 3 }.into());
			assert_eq!(quote(BTC).unwrap().price, price(101));
		});
	}

	#[test]
	fn a_chain_stall_makes_values_stale() {
		ExtBuilder::demo().build_and_execute(|| {
			btc_live_at_100();
			// The chain stalls for ten minutes: the next block is block 2, but the values of
			// block 1 are ten minutes old.
			next_block_after(600_000);
			assert_eq!(System::block_number(), 2);
			assert_eq!(quote(BTC), Err(PriceUnavailable::Stale));
			assert_eq!(
				OracleAggregator::price_status(BTC).map(|s| (s.status, s.fresh_feeds)),
				Some((PriceStatus::Stale, 0))
			);
			idle();
			System::assert_last_event(
				Event::PriceStale { asset: BTC, fresh: 0, required: 3 }.into(),
			);
			// fresh values bring it back at once
			feed_btc_all(&[101, 101, 101]);
			assert_eq!(quote(BTC).unwrap().price, price(101));
		});
	}

	#[test]
	fn values_observed_before_a_stall_are_refused_after_it() {
		ExtBuilder::demo().build_and_execute(|| {
			let before = now_ms();
			next_block_after(600_000);
			assert_noop!(
				feed_observed(1, &[(BTC, price(100), before)]),
				Error::<Test>::ObservationTooOld
			);
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
		ExtBuilder::demo().build_and_execute(|| {
			feed_btc(1, 100);
			go_to(5);
			feed_btc(2, 100);
			feed_btc(3, 100);
			feed_btc(4, 100);
			assert_eq!(aggregate(BTC).oldest, BLOCK_MS);
			go_to(12);
			// three fresh values remain, but the aggregate still rests on the block 1 value
			assert_eq!(quote(BTC), Err(PriceUnavailable::Stale));
			assert_eq!(
				OracleAggregator::price_status(BTC).unwrap().stale_at_ms,
				Some(BLOCK_MS + default_config().max_age_ms)
			);
			// the idle pass recomputes from what is still fresh, without a stale transition
			System::reset_events();
			idle();
			assert!(oracle_events().is_empty());
			assert_eq!(aggregate(BTC).oldest, 5 * BLOCK_MS);
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
		ExtBuilder::default()
			.with_asset(BTC, config_with(|c| c.min_feeders = 4))
			.with_feeders(1..=5)
			.build_and_execute(|| {
				feed_btc_all(&[100, 102, 104]);
				assert!(state(BTC).stale);
				go_to(2);
				assert_ok!(OracleAggregator::update_asset_config(root(), BTC, default_config()));
				assert_eq!(quote(BTC), Err(PriceUnavailable::NoPrice));
				idle();
				System::assert_last_event(Event::PriceRecovered { asset: BTC, fresh: 3 }.into());
				assert_eq!(quote(BTC).unwrap().price, price(102));
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
				config_with(|c| c.max_age_ms = MAX_FEED_SKEW + 1)
			));
			assert_eq!(quote(BTC), Err(PriceUnavailable::Stale));
		});
	}
}

mod circuit_breaker {
	use super::*;
	use proptest::prelude::*;

	/// BTC live at 100 in block 1 from every feeder in `feeders`.
	fn live_at_100(feeders: impl IntoIterator<Item = u64>) {
		for who in feeders {
			feed_btc(who, 100);
		}
		assert_eq!(quote(BTC).unwrap().price, price(100));
	}

	/// Five agreeing quotes around `level` (within 1.2% of each other).
	fn agreeing_around(level: Price) -> [Price; 5] {
		[100_000u128, 100_300, 99_800, 100_500, 99_900]
			.map(|factor| level.saturating_mul(Price::from_rational(factor, 100_000)))
	}

	#[test]
	fn a_move_within_the_band_passes_at_once() {
		ExtBuilder::demo().build_and_execute(|| {
			btc_live_at_100();
			go_to(2);
			feed_btc_all(&[110, 110, 110]);
			assert_eq!(quote(BTC).unwrap().price, price(110));
			assert_eq!(count_events(|e| matches!(e, Event::PriceHeld { .. })), 0);
		});
	}

	#[test]
	fn a_crash_of_43_percent_in_one_jump_is_followed_in_the_block_of_the_feeds() {
		ExtBuilder::demo().build_and_execute(|| {
			live_at_100(1..=5);
			go_to(2);
			let quotes = agreeing_around(price(57));
			for (who, quote) in (1u64..).zip(quotes) {
				feed_btc_at(who, quote);
			}
			// the median of the five quotes, live at the end of the block
			assert_eq!(assert_live_at_median(BTC), price(57));
			assert_eq!(state(BTC).hold, None);
			// three of five new values were not yet a supermajority (held for a moment); the
			// fourth made one: the move was accepted then, measured from 100
			let accepted: Vec<_> = oracle_events()
				.into_iter()
				.filter_map(|e| match e {
					Event::MoveAccepted { reference, agreeing, fresh, .. } => {
						Some((reference, agreeing, fresh))
					},
					_ => None,
				})
				.collect();
			assert_eq!(accepted, vec![(price(100), 4, 5)]);
			// and in every block after it
			for block in 3..=12 {
				go_to(block);
				for (who, quote) in (1u64..).zip(agreeing_around(price(57))) {
					feed_btc_at(who, quote);
				}
				assert_live_at_median(BTC);
			}
		});
	}

	#[test]
	fn a_crash_with_three_feeders_takes_the_fast_path_as_soon_as_two_agree() {
		ExtBuilder::default()
			.with_asset(BTC, default_config())
			.with_feeders(1..=3)
			.build_and_execute(|| {
				live_at_100(1..=3);
				go_to(2);
				feed_btc(1, 57);
				// one value of three moved: the median has not
				assert_eq!(quote(BTC).unwrap().price, price(100));
				feed_btc_at(2, cents(5720));
				// two of three agree within 2%: live at once
				assert_eq!(assert_live_at_median(BTC), cents(5720));
				feed_btc_at(3, cents(5690));
				assert_eq!(assert_live_at_median(BTC), cents(5700));
			});
	}

	#[test]
	fn a_crash_of_4_percent_per_block_is_followed_block_by_block() {
		ExtBuilder::demo().build_and_execute(|| {
			live_at_100(1..=5);
			let step = Price::from_rational(96, 100);
			let mut level = price(100);
			for block in 2..=15 {
				go_to(block);
				level = level.saturating_mul(step);
				for (who, quote) in (1u64..).zip(agreeing_around(level)) {
					feed_btc_at(who, quote);
				}
				let served = assert_live_at_median(BTC);
				assert_eq!(served, level);
			}
			// -43% after fourteen steps, never held
			assert!(level < price(57) && level > price(56));
			assert_eq!(count_events(|e| matches!(e, Event::PriceHeld { .. })), 0);
		});
	}

	#[test]
	fn a_slide_faster_than_max_move_is_followed_when_feeders_agree() {
		ExtBuilder::demo().build_and_execute(|| {
			live_at_100(1..=5);
			let step = Price::from_rational(85, 100);
			let mut level = price(100);
			for block in 2..=5 {
				go_to(block);
				level = level.saturating_mul(step);
				for (who, quote) in (1u64..).zip(agreeing_around(level)) {
					feed_btc_at(who, quote);
				}
				// live at the end of every block, though each step is beyond `max_move`
				assert_eq!(assert_live_at_median(BTC), level);
			}
			assert_eq!(count_events(|e| matches!(e, Event::MoveAccepted { .. })), 4);
		});
	}

	#[test]
	fn one_liar_of_three_cannot_fake_a_crash() {
		ExtBuilder::default()
			.with_asset(BTC, default_config())
			.with_feeders(1..=3)
			.build_and_execute(|| {
				live_at_100(1..=3);
				for block in 2..=6 {
					go_to(block);
					// the liar feeds first, then the honest feeders
					feed_btc(3, 57);
					feed_btc_at(1, cents(10050));
					feed_btc_at(2, cents(9950));
					let served = assert_live_at_median(BTC);
					assert!(served >= cents(9950) && served <= cents(10050));
				}
				assert_eq!(count_events(|e| matches!(e, Event::PriceHeld { .. })), 0);
				assert_eq!(count_events(|e| matches!(e, Event::MoveAccepted { .. })), 0);
			});
	}

	#[test]
	fn one_liar_of_three_cannot_hide_a_crash() {
		ExtBuilder::default()
			.with_asset(BTC, default_config())
			.with_feeders(1..=3)
			.build_and_execute(|| {
				live_at_100(1..=3);
				go_to(2);
				feed_btc(3, 100);
				feed_btc_at(1, cents(5700));
				feed_btc_at(2, cents(5720));
				// the two honest feeders agree: the fast path does not need the liar
				let served = assert_live_at_median(BTC);
				assert_eq!(served, cents(5720));
				System::assert_has_event(
					Event::MoveAccepted {
						asset: BTC,
						reference: price(100),
						price: served,
						agreeing: 2,
						fresh: 3,
					}
					.into(),
				);
			});
	}

	#[test]
	fn three_liars_of_seven_cannot_fake_a_crash() {
		ExtBuilder::default()
			.with_asset(BTC, default_config())
			.with_feeders(1..=7)
			.build_and_execute(|| {
				live_at_100(1..=7);
				for block in 2..=6 {
					go_to(block);
					// liars 5 to 7 agree on a crash and feed first
					for liar in 5..=7 {
						feed_btc(liar, 57);
					}
					for (who, quote) in (1u64..=4).zip(agreeing_around(price(100))) {
						feed_btc_at(who, quote);
					}
					let served = assert_live_at_median(BTC);
					assert!(served >= cents(9980) && served <= cents(10050));
				}
				assert_eq!(count_events(|e| matches!(e, Event::PriceHeld { .. })), 0);
				assert_eq!(count_events(|e| matches!(e, Event::MoveAccepted { .. })), 0);
			});
	}

	#[test]
	fn three_liars_of_seven_can_only_delay_a_crash_by_the_hold() {
		ExtBuilder::default()
			.with_asset(BTC, default_config())
			.with_feeders(1..=7)
			.build_and_execute(|| {
				live_at_100(1..=7);
				go_to(2);
				for liar in 5..=7 {
					feed_btc(liar, 100);
				}
				for (who, quote) in (1u64..=4).zip(agreeing_around(price(57))) {
					feed_btc_at(who, quote);
				}
				// four of seven agree: no supermajority, the move is held
				assert_eq!(quote(BTC), Err(PriceUnavailable::CircuitBreakerHeld));
				assert_eq!(count_events(|e| matches!(e, Event::MoveAccepted { .. })), 0);
				let since = state(BTC).hold.unwrap().since;
				assert_eq!(since, 2 * BLOCK_MS);
				// the hold ends with the first new feed `hold_ms` later
				go_to(5);
				feed_btc(5, 100);
				let served = assert_live_at_median(BTC);
				System::assert_has_event(
					Event::PriceConfirmed { asset: BTC, price: served, held_since: since }.into(),
				);
				// within the honest range
				assert!(served >= cents(5680) && served <= cents(5730), "{served:?}");
			});
	}

	/// `n` feeders, `⌊(n − 1) / 2⌋` of them liars with any values; the honest ones quote
	/// within ±0.5% of `level` after everyone quoted 100 in block 1.
	fn liars_scenario() -> impl Strategy<Value = (Vec<(bool, u128)>, u32)> {
		let max = MaxPrice::get().into_inner();
		let level = prop_oneof![Just(100u32), 20u32..=500];
		(3usize..=15, level).prop_flat_map(move |(n, level)| {
			let liars = (n - 1) / 2;
			let base = u128::from(level) * Price::DIV;
			let honest = prop::collection::vec(base - base / 200..=base + base / 200, n - liars);
			let lies = prop::collection::vec(
				prop_oneof![Just(1u128), Just(max), Just(base / 2), Just(base * 2), 1u128..=max],
				liars,
			);
			(
				(honest, lies)
					.prop_map(|(honest, lies)| {
						honest
							.into_iter()
							.map(|v| (true, v))
							.chain(lies.into_iter().map(|v| (false, v)))
							.collect::<Vec<_>>()
					})
					.prop_shuffle(),
				Just(level),
			)
		})
	}

	proptest! {
		#![proptest_config(ProptestConfig::with_cases(128))]

		#[test]
		fn a_liar_minority_can_neither_take_the_fast_path_nor_leave_the_honest_range(
			(values, level) in liars_scenario()
		) {
			let n = values.len() as u64;
			ExtBuilder::default()
				.with_asset(BTC, default_config())
				.with_feeders(1..=n)
				.build_and_execute(|| {
					live_at_100(1..=n);
					go_to(2);
					System::reset_events();
					for (who, (_, value)) in (1u64..).zip(&values) {
						assert_ok!(feed(who, &[(BTC, Price::from_inner(*value))]));
					}
					let honest: Vec<u128> =
						values.iter().filter(|(honest, _)| *honest).map(|(_, v)| *v).collect();
					let low = Price::from_inner(*honest.iter().min().unwrap());
					let high = Price::from_inner(*honest.iter().max().unwrap());
					// whatever is served lies within the honest values
					if let Ok(info) = quote(BTC) {
						assert!(low <= info.price && info.price <= high, "{info:?} outside [{low:?}, {high:?}]");
					}
					// Every fast path accepted a median of values of which the liars' are a
					// minority: it lies within what honest feeders reported (now, or 100 in
					// block 1 for those not yet updated), and its quorum needed honest values.
					let (low_any, high_any) = (low.min(price(100)), high.max(price(100)));
					for event in oracle_events() {
						if let Event::MoveAccepted { price, agreeing, fresh, .. } = event {
							assert!(low_any <= price && price <= high_any, "{price:?}");
							assert!(agreeing > (fresh - 1) / 2);
						}
					}
					// when the honest feeders did not move, the liars change nothing
					if level == 100 {
						assert!(quote(BTC).is_ok());
						assert_eq!(count_events(|e| matches!(e, Event::PriceHeld { .. })), 0);
						assert_eq!(count_events(|e| matches!(e, Event::MoveAccepted { .. })), 0);
					}
				});
		}
	}

	#[test]
	fn a_move_without_quorum_is_held_then_confirmed_by_a_new_feed() {
		ExtBuilder::demo().build_and_execute(|| {
			btc_live_at_100();
			go_to(2);
			// three values far apart: no agreement; held from the second one on
			feed_btc_all(&[140, 150, 160]);
			System::assert_has_event(
				Event::PriceHeld { asset: BTC, reference: price(100), candidate: price(140) }
					.into(),
			);
			assert_eq!(quote(BTC), Err(PriceUnavailable::CircuitBreakerHeld));
			assert_eq!(state(BTC).hold, Some(Hold { candidate: price(150), since: 2 * BLOCK_MS }));
			assert_eq!(aggregate(BTC).price, price(100));
			// before `hold_ms`, new feeds keep it held (and update the candidate)
			go_to(4);
			feed_btc(1, 145);
			assert_eq!(quote(BTC), Err(PriceUnavailable::CircuitBreakerHeld));
			assert_eq!(state(BTC).hold.unwrap().candidate, price(150));
			feed_btc(2, 152);
			assert_eq!(state(BTC).hold.unwrap().candidate, price(152));
			// 18 s after the hold started, the first new feed confirms the current median
			go_to(5);
			feed_btc(3, 158);
			System::assert_has_event(
				Event::PriceConfirmed { asset: BTC, price: price(152), held_since: 2 * BLOCK_MS }
					.into(),
			);
			assert_eq!(assert_live_at_median(BTC), price(152));
			assert_eq!(state(BTC).hold, None);
			assert_eq!(count_events(|e| matches!(e, Event::MoveAccepted { .. })), 0);
			// later feeds in the same block measure from the confirmed level
			feed_btc(4, 153);
			feed_btc(5, 153);
			assert_eq!(quote(BTC).unwrap().price, price(153));
			assert_eq!(state(BTC).hold, None);
		});
	}

	#[test]
	fn a_hold_is_never_confirmed_without_a_new_feed() {
		ExtBuilder::demo().build_and_execute(|| {
			btc_live_at_100();
			go_to(2);
			feed_btc_all(&[140, 150, 160]);
			for block in 3..=11 {
				go_to(block);
				idle();
				assert_eq!(quote(BTC), Err(PriceUnavailable::CircuitBreakerHeld));
			}
			assert_eq!(count_events(|e| matches!(e, Event::PriceConfirmed { .. })), 0);
			// a feed of another asset does not confirm it either
			feed(1, &[(ETH, price(3))]).unwrap();
			assert_eq!(quote(BTC), Err(PriceUnavailable::CircuitBreakerHeld));
		});
	}

	#[test]
	fn a_hold_is_released_when_the_price_comes_back() {
		ExtBuilder::demo().build_and_execute(|| {
			btc_live_at_100();
			go_to(2);
			feed_btc_all(&[140, 150, 160]);
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
	fn a_quorum_arriving_during_a_hold_ends_it_at_once() {
		ExtBuilder::demo().build_and_execute(|| {
			btc_live_at_100();
			go_to(2);
			feed_btc_all(&[140, 150, 160]);
			go_to(3);
			// the first new value around 150 makes two of three agree: accepted at once,
			// though the hold is not due
			feed_btc(1, 150);
			System::assert_has_event(
				Event::MoveAccepted {
					asset: BTC,
					reference: price(100),
					price: price(150),
					agreeing: 2,
					fresh: 3,
				}
				.into(),
			);
			assert_eq!(state(BTC).hold, None);
			for (who, quote) in (2u64..).zip(agreeing_around(price(150)).into_iter().skip(1)) {
				feed_btc_at(who, quote);
			}
			assert_eq!(assert_live_at_median(BTC), price(150));
		});
	}

	#[test]
	fn a_hold_is_released_when_the_asset_goes_stale() {
		ExtBuilder::demo().build_and_execute(|| {
			btc_live_at_100();
			go_to(2);
			feed_btc_all(&[140, 150, 160]);
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
	fn a_recovery_at_a_distant_level_passes_only_with_agreement() {
		ExtBuilder::demo().build_and_execute(|| {
			btc_live_at_100();
			go_to(30);
			feed_btc_all(&[190, 200, 210]);
			System::assert_has_event(
				Event::PriceStale { asset: BTC, fresh: 1, required: 3 }.into(),
			);
			System::assert_has_event(Event::PriceRecovered { asset: BTC, fresh: 3 }.into());
			System::assert_has_event(
				Event::PriceHeld { asset: BTC, reference: price(100), candidate: price(200) }
					.into(),
			);
			assert_eq!(quote(BTC), Err(PriceUnavailable::CircuitBreakerHeld));
			// next block: the first feeder comes into line, two of three agree
			go_to(31);
			feed_btc(1, 201);
			assert_eq!(assert_live_at_median(BTC), price(201));
			System::assert_has_event(
				Event::MoveAccepted {
					asset: BTC,
					reference: price(100),
					price: price(201),
					agreeing: 2,
					fresh: 3,
				}
				.into(),
			);
			feed_btc(4, 199);
			assert_eq!(assert_live_at_median(BTC), cents(20050));
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
			let until = 2 * BLOCK_MS + MAX_FREEZE;
			System::assert_last_event(
				Event::PriceFrozen { asset: BTC, price: price(100), until }.into(),
			);
			let frozen = PriceInfo {
				price: price(100),
				ema: price(100),
				confidence: Permill::zero(),
				updated_at: 2,
				frozen: true,
			};
			assert_eq!(quote(BTC), Ok(frozen));
			let status = OracleAggregator::price_status(BTC).unwrap();
			assert_eq!((status.status, status.frozen_until_ms), (PriceStatus::Frozen, Some(until)));
			// feeds keep being aggregated; the frozen price is served even when stale or held
			go_to(3);
			feed_btc_all(&[200, 210, 220]);
			assert!(state(BTC).hold.is_some());
			assert_eq!(quote(BTC), Ok(frozen));
			go_to(30);
			idle();
			assert!(state(BTC).stale);
			assert_eq!(quote(BTC), Ok(frozen));
			assert_ok!(OracleAggregator::unfreeze_price(root(), BTC));
			System::assert_last_event(Event::PriceUnfrozen { asset: BTC }.into());
			assert_eq!(quote(BTC), Err(PriceUnavailable::Stale));
			assert_eq!(OracleAggregator::price_status(BTC).unwrap().frozen_until_ms, None);
		});
	}

	#[test]
	fn freeze_at_a_given_price_and_replace_it() {
		ExtBuilder::demo().build_and_execute(|| {
			assert_ok!(OracleAggregator::freeze_price(root(), ETH, Some(price(3))));
			System::assert_last_event(
				Event::PriceFrozen { asset: ETH, price: price(3), until: BLOCK_MS + MAX_FREEZE }
					.into(),
			);
			assert_eq!(quote(ETH).unwrap().price, price(3));
			go_to(10);
			assert_ok!(OracleAggregator::freeze_price(root(), ETH, Some(price(4))));
			assert_eq!(quote(ETH).unwrap().price, price(4));
			assert_eq!(state(ETH).frozen.unwrap().until, 10 * BLOCK_MS + MAX_FREEZE);
		});
	}

	#[test]
	fn a_freeze_expires_unless_renewed() {
		ExtBuilder::demo().build_and_execute(|| {
			btc_live_at_100();
			assert_ok!(OracleAggregator::freeze_price(root(), BTC, Some(price(90))));
			let until = BLOCK_MS + MAX_FREEZE;
			// the last block before expiry: frozen; feeds keep the aggregate live beneath it
			let last = until / BLOCK_MS - 1;
			go_to(last);
			feed_btc_all(&[101, 101, 101]);
			assert_eq!(quote(BTC).unwrap().price, price(90));
			assert!(quote(BTC).unwrap().frozen);
			// at `until` the freeze no longer applies: the live aggregate is served again
			go_to(last + 1);
			let info = quote(BTC).unwrap();
			assert_eq!((info.price, info.frozen), (price(101), false));
			assert_eq!(OracleAggregator::price_status(BTC).unwrap().status, PriceStatus::Live);
			// an expired freeze cannot be lifted, and the idle pass removes it
			assert_noop!(OracleAggregator::unfreeze_price(root(), BTC), Error::<Test>::NotFrozen);
			idle();
			System::assert_last_event(Event::FreezeExpired { asset: BTC }.into());
			assert_eq!(state(BTC).frozen, None);
		});
	}

	#[test]
	fn a_renewed_freeze_lasts_from_the_renewal() {
		ExtBuilder::demo().build_and_execute(|| {
			assert_ok!(OracleAggregator::freeze_price(root(), BTC, Some(price(90))));
			go_to(50);
			assert_ok!(OracleAggregator::freeze_price(root(), BTC, Some(price(90))));
			go_to(120);
			assert_eq!(quote(BTC).unwrap().price, price(90));
			// past the renewed expiry, with no feeds: no price at all rather than a stale one
			go_to(150);
			assert_eq!(quote(BTC), Err(PriceUnavailable::NoPrice));
			// a feed notices the expiry too
			feed_btc(1, 100);
			System::assert_has_event(Event::FreezeExpired { asset: BTC }.into());
		});
	}

	#[test]
	fn after_expiry_a_stale_price_is_not_served() {
		ExtBuilder::demo().build_and_execute(|| {
			btc_live_at_100();
			assert_ok!(OracleAggregator::freeze_price(root(), BTC, None));
			go_to(101);
			assert_eq!(quote(BTC), Err(PriceUnavailable::Stale));
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
			(config_with(|c| c.min_feeders = 0), Error::<Test>::MinFeedersTooLow),
			(config_with(|c| c.min_feeders = 2), Error::<Test>::MinFeedersTooLow),
			(config_with(|c| c.min_feeders = 16), Error::<Test>::InvalidMinFeeders),
			(config_with(|c| c.max_age_ms = 0), Error::<Test>::InvalidMaxAge),
			(config_with(|c| c.max_age_ms = MAX_FEED_SKEW), Error::<Test>::InvalidMaxAge),
			(config_with(|c| c.max_age_ms = MAX_FEED_AGE_MS + 1), Error::<Test>::InvalidMaxAge),
			(config_with(|c| c.max_move = Permill::zero()), Error::<Test>::InvalidMaxMove),
			(config_with(|c| c.ema_period_ms = 0), Error::<Test>::InvalidEmaPeriod),
			(
				config_with(|c| c.ema_period_ms = MAX_EMA_PERIOD_MS + 1),
				Error::<Test>::InvalidEmaPeriod,
			),
			(config_with(|c| c.hold_ms = 0), Error::<Test>::InvalidHoldTime),
			(config_with(|c| c.hold_ms = MAX_HOLD_MS + 1), Error::<Test>::InvalidHoldTime),
			(
				config_with(|c| c.fast_path_quorum = Permill::from_parts(666_665)),
				Error::<Test>::InvalidFastPathQuorum,
			),
			(
				config_with(|c| c.fast_path_quorum = Permill::from_percent(50)),
				Error::<Test>::InvalidFastPathQuorum,
			),
			(
				config_with(|c| c.agreement_band = Permill::zero()),
				Error::<Test>::InvalidAgreementBand,
			),
			(
				config_with(|c| c.agreement_band = Permill::from_parts(100_001)),
				Error::<Test>::InvalidAgreementBand,
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
				max_age_ms: MAX_FEED_AGE_MS,
				max_move: Permill::one(),
				ema_period_ms: MAX_EMA_PERIOD_MS,
				fast_path_quorum: Permill::one(),
				agreement_band: MAX_AGREEMENT_BAND,
				hold_ms: MAX_HOLD_MS,
			};
			assert_ok!(OracleAggregator::register_asset(root(), 7, widest));
			let narrowest = AssetConfig {
				min_feeders: MIN_FEEDERS,
				max_age_ms: MAX_FEED_SKEW + 1,
				max_move: Permill::from_parts(1),
				ema_period_ms: 1,
				fast_path_quorum: MIN_FAST_PATH_QUORUM,
				agreement_band: Permill::from_parts(1),
				hold_ms: 1,
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
			assert_eq!(
				Feeders::<Test>::get(6),
				Some(FeederInfo { slot: 5, last_fed: None, last_round: None })
			);
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
			.with_asset(BTC, default_config())
			.with_asset(ETH, config_with(|c| c.min_feeders = 4))
			.with_asset(2, default_config())
			.with_feeders(1..=4)
			.build_and_execute(|| {
				for (who, btc) in [(1, 100), (2, 104), (3, 106), (4, 108)] {
					assert_ok!(feed(who, &[(BTC, price(btc)), (ETH, price(3))]));
				}
				assert_eq!(aggregate(BTC).price, price(105));
				go_to(2);
				let post = OracleAggregator::remove_feeder(root(), 2).unwrap();
				assert_eq!(post.actual_weight, Some(<() as WeightInfo>::remove_feeder(3)));
				System::assert_last_event(Event::FeederRemoved { feeder: 2, purged: 2 }.into());
				// BTC: the middle of 100, 106 and 108 now
				assert_eq!(aggregate(BTC).price, price(106));
				assert_eq!(aggregate(BTC).sources, 3);
				// ETH needs four fresh feeds and has three left
				System::assert_has_event(
					Event::PriceStale { asset: ETH, fresh: 3, required: 4 }.into(),
				);
				assert_eq!(quote(ETH), Err(PriceUnavailable::Stale));
				assert!(state(BTC).feeds.iter().all(|feed| feed.slot != 1));
				assert_noop!(feed(2, &[(BTC, price(1))]), Error::<Test>::NotFeeder);
			});
	}

	#[test]
	fn removing_a_feeder_never_confirms_a_hold() {
		ExtBuilder::demo().build_and_execute(|| {
			btc_live_at_100();
			go_to(2);
			feed_btc_all(&[140, 150, 160]);
			feed_btc(4, 150);
			go_to(10);
			assert_ok!(OracleAggregator::remove_feeder(root(), 1));
			assert_eq!(quote(BTC), Err(PriceUnavailable::CircuitBreakerHeld));
			assert_eq!(count_events(|e| matches!(e, Event::PriceConfirmed { .. })), 0);
			assert_eq!(count_events(|e| matches!(e, Event::MoveAccepted { .. })), 0);
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
			assert_eq!(count_events(|e| matches!(e, Event::PriceStale { .. })), 10);
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
				for (who, held) in [(1, 140), (2, 150), (3, 160)] {
					assert_ok!(feed(who, &[(0, price(101)), (1, price(held))]));
				}
				assert_ok!(OracleAggregator::freeze_price(root(), 3, Some(price(7))));
				go_to(9);
				assert_ok!(OracleAggregator::update_asset_config(
					root(),
					2,
					config_with(|c| c.max_age_ms = 5 * BLOCK_MS)
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
				assert_eq!((live.age, live.age_ms), (Some(7), Some(7 * BLOCK_MS)));
				assert_eq!(live.stale_at_ms, Some(2 * BLOCK_MS + default_config().max_age_ms));
				assert_eq!((live.fresh_feeds, live.min_feeders), (3, 3));
				assert_eq!((live.held_price, live.frozen_until_ms), (None, None));
				let held = &statuses[1];
				assert_eq!(held.held_price, Some(price(150)));
				assert_eq!(held.held_since_ms, Some(2 * BLOCK_MS));
				assert_eq!(held.info.unwrap().price, price(100));
				let stale = &statuses[2];
				assert_eq!(
					(stale.info.unwrap().price, stale.age, stale.fresh_feeds),
					(price(100), Some(8), 0)
				);
				let frozen = &statuses[3];
				assert_eq!(frozen.info.unwrap(), quote(3).unwrap());
				assert!(frozen.info.unwrap().frozen);
				assert_eq!(frozen.frozen_until_ms, Some(2 * BLOCK_MS + MAX_FREEZE));
				assert_eq!(frozen.age_ms, Some(7 * BLOCK_MS));
				let never = &statuses[4];
				assert_eq!((never.info, never.age, never.age_ms), (None, None, None));

				assert_eq!(OracleAggregator::price_status(1), Some(statuses[1].clone()));
				assert_eq!(OracleAggregator::price_status(UNKNOWN), None);
			});
	}
}

mod migration {
	use super::*;
	use crate::migrations::v1::{self, old};
	use frame_support::traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion};

	fn put_raw<K: Encode>(key: Vec<u8>, value: K) {
		frame_support::storage::unhashed::put_raw(&key, &value.encode());
	}

	#[test]
	fn version_0_is_translated_to_milliseconds() {
		ExtBuilder::demo().build_and_execute(|| {
			go_to(20);
			let old_config = old::AssetConfig {
				min_feeders: 2,
				max_age: 10,
				max_move: Permill::from_percent(10),
				ema_period: 9,
				confirmation_blocks: 3,
			};
			let old_feed = |slot, at| old::RawFeed { slot, price: price(100), at };
			let btc = old::AssetState::<Test> {
				config: old_config,
				feeds: vec![old_feed(0, 18), old_feed(1, 19), old_feed(2, 20)].try_into().unwrap(),
				aggregate: Some(old::Aggregate {
					price: price(100),
					ema: price(99),
					confidence: Permill::zero(),
					low: price(100),
					high: price(100),
					sources: 3,
					oldest: 18,
					updated_at: 20,
					block_start: Some(old::BlockStart { reference: price(98), ema: price(98) }),
				}),
				hold: Some(old::Hold { candidate: price(130), since: 19 }),
				stale: false,
				frozen: Some(old::Frozen { price: price(90), at: 15 }),
			};
			let eth = old::AssetState::<Test> {
				config: old::AssetConfig { max_age: 1, ..old_config },
				feeds: Default::default(),
				aggregate: None,
				hold: None,
				stale: true,
				frozen: None,
			};
			put_raw(Assets::<Test>::hashed_key_for(BTC), btc);
			put_raw(Assets::<Test>::hashed_key_for(ETH), eth);
			for who in 1..=5u64 {
				let slot = Feeders::<Test>::get(who).unwrap().slot;
				let last_fed = if who == 1 { Some(20u64) } else { None };
				put_raw(Feeders::<Test>::hashed_key_for(who), old::FeederInfo { slot, last_fed });
			}
			StorageVersion::new(0).put::<OracleAggregator>();

			// With `try-runtime`, also `pre_upgrade` and `post_upgrade` (which runs try_state).
			#[cfg(feature = "try-runtime")]
			v1::MigrateV0ToV1::<Test>::try_on_runtime_upgrade(true).unwrap();
			#[cfg(not(feature = "try-runtime"))]
			v1::MigrateV0ToV1::<Test>::on_runtime_upgrade();
			assert_eq!(OracleAggregator::on_chain_storage_version(), StorageVersion::new(1));
			assert_eq!(OracleAggregator::in_code_storage_version(), StorageVersion::new(1));

			let now = 20 * BLOCK_MS;
			let btc = state(BTC);
			assert_eq!(
				btc.config,
				AssetConfig {
					min_feeders: 3,
					max_age_ms: 60_000,
					max_move: Permill::from_percent(10),
					ema_period_ms: 54_000,
					fast_path_quorum: v1::DEFAULT_FAST_PATH_QUORUM,
					agreement_band: v1::DEFAULT_AGREEMENT_BAND,
					hold_ms: 18_000,
				}
			);
			assert_eq!(
				btc.feeds.iter().map(|f| f.observed_at).collect::<Vec<_>>(),
				vec![now - 12_000, now - 6_000, now]
			);
			let aggregate = btc.aggregate.unwrap();
			assert_eq!((aggregate.oldest, aggregate.updated_at), (now - 12_000, 20));
			assert_eq!((aggregate.updated_at_ms, aggregate.reference), (now, Some(price(98))));
			assert_eq!(aggregate.ema, price(99));
			assert_eq!(btc.hold, Some(Hold { candidate: price(130), since: now - 6_000 }));
			assert_eq!(
				btc.frozen,
				Some(Frozen { price: price(90), at: 15, at_ms: now, until: now + MAX_FREEZE })
			);
			// a max age within the skew is raised above it
			assert_eq!(state(ETH).config.max_age_ms, MAX_FEED_SKEW + 1);
			assert!(state(ETH).stale);
			assert_eq!(
				Feeders::<Test>::get(1),
				Some(FeederInfo { slot: 0, last_fed: Some(20), last_round: Some(20) })
			);
			assert_eq!(Feeders::<Test>::get(2).unwrap().last_round, None);
			assert_eq!((Assets::<Test>::count(), Feeders::<Test>::count()), (2, 5));
			// the frozen price is still served
			assert_eq!(quote(BTC).unwrap().price, price(90));

			// a second run does nothing
			let before = state(BTC);
			v1::MigrateV0ToV1::<Test>::on_runtime_upgrade();
			assert_eq!(state(BTC), before);
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

	#[test]
	fn try_state_catches_a_value_from_the_future() {
		ExtBuilder::demo().build().execute_with(|| {
			btc_live_at_100();
			Assets::<Test>::mutate(BTC, |state| {
				state.as_mut().unwrap().feeds[0].observed_at = now_ms() + MAX_FEED_SKEW + 1
			});
			assert!(OracleAggregator::do_try_state().is_err());
		});
	}

	#[test]
	fn try_state_catches_an_overlong_freeze() {
		ExtBuilder::demo().build().execute_with(|| {
			assert_ok!(OracleAggregator::freeze_price(root(), BTC, Some(price(1))));
			assert_ok!(OracleAggregator::do_try_state());
			Assets::<Test>::mutate(BTC, |state| {
				state.as_mut().unwrap().frozen.as_mut().unwrap().until += 1
			});
			assert!(OracleAggregator::do_try_state().is_err());
		});
	}

	#[test]
	fn try_state_catches_a_weak_min_feeders() {
		ExtBuilder::demo().build().execute_with(|| {
			Assets::<Test>::mutate(BTC, |state| state.as_mut().unwrap().config.min_feeders = 2);
			assert!(OracleAggregator::do_try_state().is_err());
		});
	}
}

/// The fixed-point helpers the tests use behave as the tests assume.
#[test]
fn fixed_point_helpers() {
	assert_eq!(cents(5700), price(57));
	assert_eq!(FixedU128::from_rational(96, 100).saturating_mul(price(100)), price(96));
	assert_eq!(Price::DIV, 10u128.pow(18));
}

/// Who may change what (the README's "Governance" section): the guardian only tightens, the
/// risk track and the guardian are bounded by `MaxParamStep` and `MinChangeInterval`, Root
/// only by the hard ranges, anyone else is refused.
mod governance {
	use super::*;
	use frame_support::dispatch::DispatchResult;

	fn risk() -> RuntimeOrigin {
		RuntimeOrigin::signed(RISK_TRACK)
	}

	fn guardian() -> RuntimeOrigin {
		RuntimeOrigin::signed(GUARDIAN)
	}

	fn update(origin: RuntimeOrigin, config: AssetConfig) -> DispatchResult {
		OracleAggregator::update_asset_config(origin, BTC, config)
	}

	fn changed_at(key: ParamKey) -> Option<u64> {
		ParamChangedAt::<Test>::get(key)
	}

	/// Moves `blocks` blocks ahead.
	fn wait(blocks: u64) {
		go_to(System::block_number() + blocks);
	}

	/// The settings the tests of `update_asset_config` start from: every setting can move
	/// both ways within its hard range.
	fn base() -> AssetConfig {
		config_with(|c| {
			c.min_feeders = 4;
			c.fast_path_quorum = Permill::from_percent(75);
		})
	}

	/// One loosening of each setting of [`base`], each within the step.
	fn loosenings() -> Vec<AssetConfig> {
		let base = base();
		vec![
			AssetConfig { min_feeders: 3, ..base },
			AssetConfig { max_age_ms: base.max_age_ms + BLOCK_MS, ..base },
			AssetConfig { max_move: Permill::from_percent(11), ..base },
			AssetConfig { ema_period_ms: base.ema_period_ms + BLOCK_MS, ..base },
			AssetConfig { ema_period_ms: base.ema_period_ms - BLOCK_MS, ..base },
			AssetConfig { fast_path_quorum: Permill::from_percent(70), ..base },
			AssetConfig { agreement_band: Permill::from_parts(24_000), ..base },
			AssetConfig { hold_ms: base.hold_ms - BLOCK_MS / 2, ..base },
		]
	}

	/// One tightening of each setting of [`base`] (the EMA period has none), each within the
	/// step.
	fn tightenings() -> Vec<AssetConfig> {
		let base = base();
		vec![
			AssetConfig { min_feeders: 5, ..base },
			AssetConfig { max_age_ms: base.max_age_ms - BLOCK_MS, ..base },
			AssetConfig { max_move: Permill::from_percent(9), ..base },
			AssetConfig { fast_path_quorum: Permill::from_percent(80), ..base },
			AssetConfig { agreement_band: Permill::from_parts(16_000), ..base },
			AssetConfig { hold_ms: base.hold_ms + BLOCK_MS / 2, ..base },
		]
	}

	/// BTC at [`base`], set by Root in block 1, and the clock past the interval.
	fn btc_at_base() {
		assert_ok!(update(root(), base()));
		assert_eq!(changed_at(ParamKey::AssetConfig(BTC)), Some(1));
		wait(MIN_CHANGE_INTERVAL);
	}

	#[test]
	fn the_guardian_cannot_loosen_any_setting() {
		ExtBuilder::demo().build_and_execute(|| {
			btc_at_base();
			for config in loosenings() {
				assert_noop!(update(guardian(), config), Error::<Test>::GuardianCannotLoosen);
			}
			// A tightening together with a loosening is a loosening.
			let mixed =
				AssetConfig { min_feeders: 5, max_move: Permill::from_percent(11), ..base() };
			assert_noop!(update(guardian(), mixed), Error::<Test>::GuardianCannotLoosen);
			assert_eq!(state(BTC).config, base());
			assert_eq!(changed_at(ParamKey::AssetConfig(BTC)), Some(1));
			// The risk track may make each of them, one per interval.
			for config in loosenings() {
				assert_ok!(update(risk(), config));
				assert_eq!(state(BTC).config, config);
				assert_ok!(update(root(), base()));
				wait(MIN_CHANGE_INTERVAL);
			}
		});
	}

	#[test]
	fn the_guardian_may_tighten_every_setting_within_the_step() {
		ExtBuilder::demo().build_and_execute(|| {
			btc_at_base();
			for config in tightenings() {
				assert_ok!(update(guardian(), config));
				assert_eq!(state(BTC).config, config);
				assert_eq!(changed_at(ParamKey::AssetConfig(BTC)), Some(System::block_number()));
				assert_ok!(update(root(), base()));
				wait(MIN_CHANGE_INTERVAL);
			}
		});
	}

	#[test]
	fn bounded_authorities_are_held_to_the_step() {
		ExtBuilder::demo().build_and_execute(|| {
			btc_at_base();
			let base = base();
			// 25% of the old value, each way (`min_feeders` may always move by one).
			let too_far_tighter = [
				AssetConfig { min_feeders: 6, ..base },
				AssetConfig { max_age_ms: base.max_age_ms * 3 / 4 - 1, ..base },
				AssetConfig { max_move: Permill::from_parts(74_999), ..base },
				AssetConfig { fast_path_quorum: Permill::from_parts(937_501), ..base },
				AssetConfig { agreement_band: Permill::from_parts(14_999), ..base },
				AssetConfig { hold_ms: base.hold_ms * 5 / 4 + 1, ..base },
			];
			let too_far_looser = [
				AssetConfig { max_age_ms: base.max_age_ms * 5 / 4 + 1, ..base },
				AssetConfig { max_move: Permill::from_parts(125_001), ..base },
				AssetConfig { ema_period_ms: base.ema_period_ms * 2, ..base },
				AssetConfig { hold_ms: base.hold_ms * 3 / 4 - 1, ..base },
			];
			for config in too_far_tighter {
				assert_noop!(update(guardian(), config), Error::<Test>::StepTooLarge);
				assert_noop!(update(risk(), config), Error::<Test>::StepTooLarge);
			}
			for config in too_far_looser {
				assert_noop!(update(risk(), config), Error::<Test>::StepTooLarge);
			}
			// At the edge of the step.
			let edge = AssetConfig {
				min_feeders: 5,
				max_age_ms: base.max_age_ms * 3 / 4,
				max_move: Permill::from_parts(75_000),
				hold_ms: base.hold_ms * 5 / 4,
				..base
			};
			assert_ok!(update(guardian(), edge));
			assert_eq!(state(BTC).config, edge);
		});
	}

	#[test]
	fn min_feeders_moves_by_one_from_three() {
		ExtBuilder::demo().build_and_execute(|| {
			let three = default_config();
			assert_noop!(
				update(guardian(), AssetConfig { min_feeders: 5, ..three }),
				Error::<Test>::StepTooLarge
			);
			assert_ok!(update(guardian(), AssetConfig { min_feeders: 4, ..three }));
			assert_eq!(state(BTC).config.min_feeders, 4);
		});
	}

	#[test]
	fn bounded_authorities_wait_the_interval() {
		ExtBuilder::demo().build_and_execute(|| {
			go_to(5);
			let first = AssetConfig { max_move: Permill::from_percent(9), ..default_config() };
			let second = AssetConfig { max_move: Permill::from_percent(8), ..default_config() };
			assert_ok!(update(risk(), first));
			assert_eq!(changed_at(ParamKey::AssetConfig(BTC)), Some(5));
			for origin in [risk(), guardian()] {
				assert_noop!(update(origin, second), Error::<Test>::ChangeTooSoon);
			}
			wait(MIN_CHANGE_INTERVAL - 1);
			assert_noop!(update(guardian(), second), Error::<Test>::ChangeTooSoon);
			wait(1);
			assert_ok!(update(guardian(), second));
			assert_eq!(state(BTC).config, second);
			assert_eq!(changed_at(ParamKey::AssetConfig(BTC)), Some(5 + MIN_CHANGE_INTERVAL));
			// The interval is per asset: ETH is free to change.
			assert_ok!(OracleAggregator::update_asset_config(risk(), ETH, first));
		});
	}

	#[test]
	fn the_interval_runs_from_a_change_by_root() {
		ExtBuilder::demo().build_and_execute(|| {
			go_to(5);
			assert_ok!(update(root(), base()));
			let tighter = AssetConfig { max_move: Permill::from_percent(9), ..base() };
			assert_noop!(update(guardian(), tighter), Error::<Test>::ChangeTooSoon);
			// Resubmitting the same settings changes nothing and records nothing.
			wait(MIN_CHANGE_INTERVAL);
			assert_ok!(update(risk(), base()));
			assert_eq!(changed_at(ParamKey::AssetConfig(BTC)), Some(5));
		});
	}

	#[test]
	fn root_ignores_steps_and_intervals_but_not_hard_ranges() {
		ExtBuilder::demo().build_and_execute(|| {
			let far = AssetConfig {
				min_feeders: 9,
				max_age_ms: limits::MAX_FEED_AGE_MS,
				max_move: Permill::from_percent(50),
				ema_period_ms: 1,
				..default_config()
			};
			assert_ok!(update(root(), far));
			assert_ok!(update(root(), default_config()));
			assert_eq!(state(BTC).config, default_config());
			assert_noop!(
				update(root(), AssetConfig { min_feeders: 2, ..default_config() }),
				Error::<Test>::MinFeedersTooLow
			);
			assert_noop!(
				update(root(), AssetConfig { max_age_ms: MAX_FEED_SKEW, ..default_config() }),
				Error::<Test>::InvalidMaxAge
			);
			// The hard ranges bind the bounded authorities too, before anything else.
			assert_noop!(
				update(guardian(), AssetConfig { min_feeders: 2, ..default_config() }),
				Error::<Test>::MinFeedersTooLow
			);
		});
	}

	#[test]
	fn others_are_refused_every_privileged_call() {
		ExtBuilder::demo().build_and_execute(|| {
			btc_live_at_100();
			let outsider = || RuntimeOrigin::signed(OUTSIDER);
			assert_noop!(
				OracleAggregator::register_asset(outsider(), 7, default_config()),
				DispatchError::BadOrigin
			);
			assert_noop!(update(outsider(), base()), DispatchError::BadOrigin);
			assert_noop!(OracleAggregator::remove_asset(outsider(), BTC), DispatchError::BadOrigin);
			assert_noop!(OracleAggregator::add_feeder(outsider(), 42), DispatchError::BadOrigin);
			assert_noop!(OracleAggregator::remove_feeder(outsider(), 1), DispatchError::BadOrigin);
			assert_noop!(
				OracleAggregator::freeze_price(outsider(), BTC, None),
				DispatchError::BadOrigin
			);
			assert_ok!(OracleAggregator::freeze_price(root(), BTC, None));
			assert_noop!(
				OracleAggregator::unfreeze_price(outsider(), BTC),
				DispatchError::BadOrigin
			);
			// A feeder is no authority either.
			assert_noop!(
				OracleAggregator::freeze_price(RuntimeOrigin::signed(1), BTC, None),
				DispatchError::BadOrigin
			);
		});
	}

	#[test]
	fn registering_an_asset_is_for_governance_only() {
		ExtBuilder::demo().build_and_execute(|| {
			go_to(5);
			assert_noop!(
				OracleAggregator::register_asset(guardian(), 7, default_config()),
				Error::<Test>::GuardianCannotLoosen
			);
			assert_ok!(OracleAggregator::register_asset(risk(), 7, default_config()));
			assert_eq!(changed_at(ParamKey::AssetConfig(7)), Some(5));
			// Registering counts as a change of the new asset's settings.
			let tighter = AssetConfig { max_move: Permill::from_percent(9), ..default_config() };
			assert_noop!(
				OracleAggregator::update_asset_config(guardian(), 7, tighter),
				Error::<Test>::ChangeTooSoon
			);
			// Root is bound by the hard ranges only.
			assert_noop!(
				OracleAggregator::register_asset(
					root(),
					8,
					AssetConfig { min_feeders: 2, ..default_config() }
				),
				Error::<Test>::MinFeedersTooLow
			);
			assert_ok!(OracleAggregator::register_asset(root(), 8, default_config()));
		});
	}

	#[test]
	fn removing_an_asset_is_for_governance_only_and_clears_its_records() {
		ExtBuilder::demo().build_and_execute(|| {
			btc_live_at_100();
			go_to(5);
			assert_noop!(
				OracleAggregator::remove_asset(guardian(), BTC),
				Error::<Test>::GuardianCannotLoosen
			);
			assert_ok!(OracleAggregator::freeze_price(guardian(), BTC, None));
			assert_ok!(update(root(), base()));
			// The risk track waits the interval from the last change of the settings.
			assert_noop!(OracleAggregator::remove_asset(risk(), BTC), Error::<Test>::ChangeTooSoon);
			wait(MIN_CHANGE_INTERVAL);
			assert_ok!(OracleAggregator::remove_asset(risk(), BTC));
			assert!(!Assets::<Test>::contains_key(BTC));
			assert_eq!(changed_at(ParamKey::AssetConfig(BTC)), None);
			assert_eq!(changed_at(ParamKey::Freeze(BTC)), None);
			// Root removes at once.
			assert_ok!(OracleAggregator::update_asset_config(root(), ETH, base()));
			assert_ok!(OracleAggregator::remove_asset(root(), ETH));
		});
	}

	#[test]
	fn adding_a_feeder_is_for_governance_only_without_interval() {
		ExtBuilder::demo().build_and_execute(|| {
			assert_noop!(
				OracleAggregator::add_feeder(guardian(), 42),
				Error::<Test>::GuardianCannotLoosen
			);
			assert_ok!(OracleAggregator::add_feeder(risk(), 42));
			assert_ok!(OracleAggregator::add_feeder(risk(), 43));
			assert_ok!(OracleAggregator::add_feeder(root(), 44));
			assert_eq!(Feeders::<Test>::count(), 8);
			assert_noop!(OracleAggregator::add_feeder(root(), 44), Error::<Test>::AlreadyFeeder);
		});
	}

	#[test]
	fn the_guardian_removes_feeders_at_once() {
		ExtBuilder::demo().build_and_execute(|| {
			btc_live_at_100();
			assert_ok!(OracleAggregator::remove_feeder(guardian(), 5));
			assert_ok!(OracleAggregator::remove_feeder(guardian(), 4));
			assert_ok!(OracleAggregator::remove_feeder(risk(), 3));
			assert_eq!(Feeders::<Test>::count(), 2);
			// BTC lost a source below its minimum: no price is served.
			assert_eq!(quote(BTC), Err(PriceUnavailable::Stale));
			assert_noop!(OracleAggregator::remove_feeder(guardian(), 3), Error::<Test>::NotFeeder);
		});
	}

	#[test]
	fn the_guardian_freezes_at_once_and_renews() {
		ExtBuilder::demo().build_and_execute(|| {
			btc_live_at_100();
			assert_ok!(OracleAggregator::freeze_price(guardian(), BTC, None));
			assert_eq!(state(BTC).frozen.unwrap().price, price(100));
			assert_eq!(changed_at(ParamKey::Freeze(BTC)), Some(1));
			// Renewing in the same block: a freeze has no interval.
			assert_ok!(OracleAggregator::freeze_price(guardian(), BTC, Some(price(125))));
			assert_eq!(state(BTC).frozen.unwrap().price, price(125));
			assert_ok!(OracleAggregator::freeze_price(risk(), BTC, None));
			assert_eq!(state(BTC).frozen.unwrap().price, price(100));
		});
	}

	#[test]
	fn an_explicit_frozen_price_is_step_bounded() {
		ExtBuilder::demo().build_and_execute(|| {
			// Never priced: only Root can name a price.
			for origin in [guardian(), risk()] {
				assert_noop!(
					OracleAggregator::freeze_price(origin.clone(), BTC, Some(price(100))),
					Error::<Test>::StepTooLarge
				);
				assert_noop!(
					OracleAggregator::freeze_price(origin, BTC, None),
					Error::<Test>::NoPriceToFreeze
				);
			}
			btc_live_at_100();
			for origin in [guardian(), risk()] {
				assert_noop!(
					OracleAggregator::freeze_price(origin.clone(), BTC, Some(cents(12_501))),
					Error::<Test>::StepTooLarge
				);
				assert_noop!(
					OracleAggregator::freeze_price(origin, BTC, Some(cents(7_499))),
					Error::<Test>::StepTooLarge
				);
			}
			assert_ok!(OracleAggregator::freeze_price(guardian(), BTC, Some(price(75))));
			// The step is measured from the price served: now the frozen one.
			assert_noop!(
				OracleAggregator::freeze_price(guardian(), BTC, Some(price(95))),
				Error::<Test>::StepTooLarge
			);
			assert_ok!(OracleAggregator::freeze_price(guardian(), BTC, Some(cents(9_375))));
			// Root ignores the step, not the hard range.
			assert_ok!(OracleAggregator::freeze_price(root(), BTC, Some(price(1))));
			assert_noop!(
				OracleAggregator::freeze_price(root(), BTC, Some(Price::zero())),
				Error::<Test>::ZeroPrice
			);
			assert_eq!(quote(BTC).unwrap().price, price(1));
		});
	}

	#[test]
	fn unfreezing_is_a_loosening() {
		ExtBuilder::demo().build_and_execute(|| {
			btc_live_at_100();
			go_to(2);
			assert_ok!(OracleAggregator::freeze_price(guardian(), BTC, None));
			assert_noop!(
				OracleAggregator::unfreeze_price(guardian(), BTC),
				Error::<Test>::GuardianCannotLoosen
			);
			assert_noop!(
				OracleAggregator::unfreeze_price(risk(), BTC),
				Error::<Test>::ChangeTooSoon
			);
			wait(MIN_CHANGE_INTERVAL);
			assert_noop!(
				OracleAggregator::unfreeze_price(guardian(), BTC),
				Error::<Test>::GuardianCannotLoosen
			);
			assert_ok!(OracleAggregator::unfreeze_price(risk(), BTC));
			assert!(state(BTC).frozen.is_none());
			assert_eq!(changed_at(ParamKey::Freeze(BTC)), Some(2 + MIN_CHANGE_INTERVAL));
			// Root lifts a freeze at once.
			assert_ok!(OracleAggregator::freeze_price(guardian(), BTC, None));
			assert_ok!(OracleAggregator::unfreeze_price(root(), BTC));
			assert_noop!(OracleAggregator::unfreeze_price(root(), BTC), Error::<Test>::NotFrozen);
		});
	}

	#[test]
	fn try_state_catches_a_record_of_a_removed_asset() {
		ExtBuilder::demo().build().execute_with(|| {
			ParamChangedAt::<Test>::insert(ParamKey::Freeze(UNKNOWN), 1);
			assert!(OracleAggregator::do_try_state().is_err());
			ParamChangedAt::<Test>::remove(ParamKey::Freeze(UNKNOWN));
			ParamChangedAt::<Test>::insert(ParamKey::Freeze(BTC), 2);
			assert!(OracleAggregator::do_try_state().is_err());
			ParamChangedAt::<Test>::insert(ParamKey::Freeze(BTC), 1);
			assert_ok!(OracleAggregator::do_try_state());
		});
	}
}
