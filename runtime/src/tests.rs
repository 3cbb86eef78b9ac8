//! Runtime-level tests: the genesis presets build a usable chain, and the
//! native token and the settlement stablecoin move as users expect.

use crate::{
	genesis_config_presets::{
		dev_accounts, preset_names, BTC_PERP, DEV_NATIVE_ENDOWMENT, DEV_SETTLEMENT_ENDOWMENT,
		ETH_PERP, INSURANCE_GLOBAL_SEED, INSURANCE_MARKET_SEED, SEED_LIQUIDITY_ALICE,
		SEED_LIQUIDITY_BOB, SEED_STAKE, SETTLEMENT_MIN_BALANCE,
	},
	*,
};
use backstop_primitives::units::SETTLEMENT_DECIMALS;
use frame_support::{
	assert_noop, assert_ok,
	traits::fungibles::{metadata::Inspect as MetadataInspect, Inspect as FungiblesInspect},
};
use sp_keyring::Sr25519Keyring;
use sp_runtime::traits::Dispatchable;

pub(crate) use crate::testing::preset_ext;

fn alice() -> AccountId {
	Sr25519Keyring::Alice.to_account_id()
}

fn bob() -> AccountId {
	Sr25519Keyring::Bob.to_account_id()
}

#[test]
fn both_presets_are_listed() {
	let names = preset_names();
	assert!(names.contains(&"development".into()));
	assert!(names.contains(&"local_testnet".into()));
	assert!(names.contains(&"benchmark".into()));
	assert!(genesis_config_presets::get_preset(&"no_such_preset".into()).is_none());
}

#[test]
fn development_preset_has_one_validator_sudo_and_funded_accounts() {
	preset_ext("development").execute_with(|| {
		assert_eq!(pallet_aura::Authorities::<Runtime>::get().len(), 1);
		assert_eq!(Grandpa::grandpa_authorities().len(), 1);
		assert_eq!(pallet_sudo::Key::<Runtime>::get(), Some(alice()));
		for who in dev_accounts() {
			assert_eq!(Balances::free_balance(&who), DEV_NATIVE_ENDOWMENT);
			assert_eq!(Assets::balance(SETTLEMENT_ASSET_ID, &who), DEV_SETTLEMENT_ENDOWMENT);
		}
	});
}

#[test]
fn local_testnet_preset_has_two_validators_and_no_sudo() {
	preset_ext("local_testnet").execute_with(|| {
		assert_eq!(pallet_aura::Authorities::<Runtime>::get().len(), 2);
		assert_eq!(Grandpa::grandpa_authorities().len(), 2);
		assert_eq!(pallet_sudo::Key::<Runtime>::get(), None);
	});
}

#[test]
fn both_presets_seat_the_validators_and_the_risk_council_through_governance() {
	use crate::genesis_config_presets::dev_council;
	for (preset, validators) in
		[("development", vec![alice()]), ("local_testnet", vec![alice(), bob()])]
	{
		preset_ext(preset).execute_with(|| {
			// The session holds the governed validator set, with its keys.
			assert_eq!(Session::validators(), validators);
			let governed =
				pallet_membership::Members::<Runtime, pallet_membership::Instance2>::get();
			let mut sorted = validators.clone();
			sorted.sort();
			assert_eq!(governed.into_inner(), sorted, "membership keeps its members sorted");
			for v in &validators {
				assert!(Session::load_keys(v).is_some(), "{preset}: keys of {v}");
			}
			// The council and its membership agree.
			let mut council = dev_council();
			council.sort();
			assert_eq!(
				pallet_collective::Members::<Runtime, pallet_collective::Instance1>::get(),
				council
			);
			assert_eq!(
				pallet_membership::Members::<Runtime, pallet_membership::Instance1>::get()
					.into_inner(),
				council
			);
			// No referendum is open and nothing is scheduled.
			assert!(crate::governance_api::referenda().is_empty());
			assert!(crate::governance_api::pending_changes().is_empty());
		});
	}
}

#[test]
fn no_signed_account_changes_the_validator_set_or_the_council() {
	preset_ext("local_testnet").execute_with(|| {
		let who = sp_runtime::MultiAddress::Id(Sr25519Keyring::Eve.to_account_id());
		let alice = RuntimeOrigin::signed(alice());
		assert_noop!(
			ValidatorSet::add_member(alice.clone(), who.clone()),
			sp_runtime::DispatchError::BadOrigin
		);
		assert_noop!(
			CouncilMembership::add_member(alice.clone(), who),
			sp_runtime::DispatchError::BadOrigin
		);
		// A council member alone cannot act as the guardian: the motion
		// needs more than half of the council.
		let call = RuntimeCall::Margin(pallet_margin::Call::set_market_status {
			market: BTC_PERP,
			status: pallet_margin::MarketStatus::Halted,
		});
		let one_of_three: RuntimeOrigin =
			pallet_collective::RawOrigin::<AccountId, pallet_collective::Instance1>::Members(1, 3)
				.into();
		assert_noop!(call.dispatch(one_of_three), sp_runtime::DispatchError::BadOrigin);
	});
}

#[test]
fn settlement_asset_exists_with_metadata() {
	preset_ext("development").execute_with(|| {
		assert!(Assets::asset_exists(SETTLEMENT_ASSET_ID));
		assert_eq!(Assets::decimals(SETTLEMENT_ASSET_ID), SETTLEMENT_DECIMALS);
		assert_eq!(Assets::symbol(SETTLEMENT_ASSET_ID), b"bUSD".to_vec());
		assert_eq!(Assets::minimum_balance(SETTLEMENT_ASSET_ID), SETTLEMENT_MIN_BALANCE);
		// Dev accounts, plus each pallet's seeds and keep-alive buffer of
		// one minimum balance (the options vault's underwriting included).
		let holders = dev_accounts().len() as u128;
		let insurance = INSURANCE_GLOBAL_SEED + 2 * INSURANCE_MARKET_SEED + SETTLEMENT_MIN_BALANCE;
		let staking = 4 * SEED_STAKE + SETTLEMENT_MIN_BALANCE;
		let liquidity = SEED_LIQUIDITY_ALICE + SEED_LIQUIDITY_BOB + SETTLEMENT_MIN_BALANCE;
		let margin = SETTLEMENT_MIN_BALANCE;
		let options = crate::genesis_config_presets::DEV_UNDERWRITING + SETTLEMENT_MIN_BALANCE;
		assert_eq!(
			Assets::total_issuance(SETTLEMENT_ASSET_ID),
			holders * DEV_SETTLEMENT_ENDOWMENT + insurance + staking + liquidity + margin + options
		);
	});
}

/// Every privileged `pallet-assets` call on the settlement asset, from `who`.
fn privileged_asset_calls(victim: &AccountId) -> Vec<RuntimeCall> {
	let id = codec::Compact(SETTLEMENT_ASSET_ID);
	let target: Address = victim.clone().into();
	vec![
		RuntimeCall::Assets(pallet_assets::Call::mint {
			id,
			beneficiary: target.clone(),
			amount: DOLLARS,
		}),
		RuntimeCall::Assets(pallet_assets::Call::burn { id, who: target.clone(), amount: DOLLARS }),
		RuntimeCall::Assets(pallet_assets::Call::freeze { id, who: target.clone() }),
		RuntimeCall::Assets(pallet_assets::Call::freeze_asset { id }),
		RuntimeCall::Assets(pallet_assets::Call::force_transfer {
			id,
			source: target.clone(),
			dest: Sr25519Keyring::Ferdie.to_account_id().into(),
			amount: DOLLARS,
		}),
		RuntimeCall::Assets(pallet_assets::Call::transfer_ownership { id, owner: target.clone() }),
		RuntimeCall::Assets(pallet_assets::Call::set_team {
			id,
			issuer: target.clone(),
			admin: target.clone(),
			freezer: target,
		}),
		RuntimeCall::Assets(pallet_assets::Call::start_destroy { id }),
	]
}

#[test]
fn no_signed_account_controls_the_settlement_asset() {
	for preset in ["development", "local_testnet"] {
		preset_ext(preset).execute_with(|| {
			let authority = crate::configs::monetary::settlement_authority();
			let details = pallet_assets::Asset::<Runtime>::get(SETTLEMENT_ASSET_ID).unwrap();
			for role in [&details.owner, &details.issuer, &details.admin, &details.freezer] {
				assert_eq!(role, &authority, "{preset}");
			}
			let victim = bob();
			for signer in dev_accounts() {
				for call in privileged_asset_calls(&victim) {
					let supply = Assets::total_issuance(SETTLEMENT_ASSET_ID);
					let balance = Assets::balance(SETTLEMENT_ASSET_ID, &victim);
					let result = call.clone().dispatch(RuntimeOrigin::signed(signer.clone()));
					let error =
						result.expect_err("a signed account used the settlement asset's powers");
					assert_eq!(
						error.error,
						pallet_assets::Error::<Runtime>::NoPermission.into(),
						"{preset}: {call:?}"
					);
					assert_eq!(Assets::total_issuance(SETTLEMENT_ASSET_ID), supply);
					assert_eq!(Assets::balance(SETTLEMENT_ASSET_ID, &victim), balance);
				}
			}
			assert_eq!(pallet_assets::Asset::<Runtime>::get(SETTLEMENT_ASSET_ID).unwrap(), details);
		});
	}
}

#[test]
fn root_mints_the_settlement_asset_through_its_keyless_authority() {
	preset_ext("development").execute_with(|| {
		let authority = crate::configs::monetary::settlement_authority();
		let supply = Assets::total_issuance(SETTLEMENT_ASSET_ID);
		let mint = RuntimeCall::Assets(pallet_assets::Call::mint {
			id: codec::Compact(SETTLEMENT_ASSET_ID),
			beneficiary: bob().into(),
			amount: 5 * DOLLARS,
		});
		// The sudo key is Alice's on the dev chain: `sudo_as` the authority.
		let call = RuntimeCall::Sudo(pallet_sudo::Call::sudo_as {
			who: authority.into(),
			call: Box::new(mint.clone()),
		});
		assert_ok!(call.dispatch(RuntimeOrigin::signed(alice())));
		assert_eq!(Assets::total_issuance(SETTLEMENT_ASSET_ID), supply + 5 * DOLLARS);
		// Without the sudo key, nobody can.
		let call = RuntimeCall::Sudo(pallet_sudo::Call::sudo_as {
			who: crate::configs::monetary::settlement_authority().into(),
			call: Box::new(mint),
		});
		assert_noop!(
			call.dispatch(RuntimeOrigin::signed(bob())),
			pallet_sudo::Error::<Runtime>::RequireSudo
		);
	});
}

#[test]
fn stablecoin_transfer_moves_exact_amounts() {
	preset_ext("development").execute_with(|| {
		let amount = 1_234 * DOLLARS;
		let call = RuntimeCall::Assets(pallet_assets::Call::transfer_keep_alive {
			id: SETTLEMENT_ASSET_ID.into(),
			target: bob().into(),
			amount,
		});
		assert_ok!(call.dispatch(RuntimeOrigin::signed(alice())));
		assert_eq!(
			Assets::balance(SETTLEMENT_ASSET_ID, alice()),
			DEV_SETTLEMENT_ENDOWMENT - amount
		);
		assert_eq!(Assets::balance(SETTLEMENT_ASSET_ID, bob()), DEV_SETTLEMENT_ENDOWMENT + amount);
		System::assert_last_event(RuntimeEvent::Assets(pallet_assets::Event::Transferred {
			asset_id: SETTLEMENT_ASSET_ID,
			from: alice(),
			to: bob(),
			amount,
		}));
	});
}

#[test]
fn stablecoin_transfer_beyond_balance_fails_without_change() {
	preset_ext("development").execute_with(|| {
		assert_noop!(
			Assets::transfer(
				RuntimeOrigin::signed(alice()),
				SETTLEMENT_ASSET_ID.into(),
				bob().into(),
				DEV_SETTLEMENT_ENDOWMENT + 1,
			),
			pallet_assets::Error::<Runtime>::BalanceLow
		);
	});
}

#[test]
fn native_transfer_moves_exact_amounts() {
	preset_ext("development").execute_with(|| {
		let amount = 42 * UNITS;
		assert_ok!(Balances::transfer_keep_alive(
			RuntimeOrigin::signed(alice()),
			bob().into(),
			amount
		));
		assert_eq!(Balances::free_balance(alice()), DEV_NATIVE_ENDOWMENT - amount);
		assert_eq!(Balances::free_balance(bob()), DEV_NATIVE_ENDOWMENT + amount);
	});
}

#[test]
fn sudo_is_inert_without_a_key() {
	preset_ext("local_testnet").execute_with(|| {
		let call = Box::new(RuntimeCall::System(frame_system::Call::remark { remark: vec![] }));
		assert_noop!(
			Sudo::sudo(RuntimeOrigin::signed(alice()), call),
			pallet_sudo::Error::<Runtime>::RequireSudo
		);
	});
}

#[test]
fn runtime_integrity() {
	use frame_support::traits::IntegrityTest;
	sp_io::TestExternalities::default().execute_with(AllPalletsWithSystem::integrity_test);
}

#[test]
fn development_preset_seeds_the_insurance_fund() {
	use pallet_insurance_fund::FundId;
	preset_ext("development").execute_with(|| {
		assert_eq!(InsuranceFund::fund_balance(FundId::Global), INSURANCE_GLOBAL_SEED);
		assert_eq!(InsuranceFund::fund_balance(FundId::Market(BTC_PERP)), INSURANCE_MARKET_SEED);
		assert_eq!(InsuranceFund::fund_balance(FundId::Market(ETH_PERP)), INSURANCE_MARKET_SEED);
		// Ledgers reconcile with the pallet account at genesis.
		let reconciles = || {
			let ledgers: Balance =
				InsuranceFund::funds().iter().map(|f| f.balance).sum::<Balance>();
			Assets::balance(SETTLEMENT_ASSET_ID, InsuranceFund::account_id())
				== ledgers + SETTLEMENT_MIN_BALANCE
		};
		assert!(reconciles());
		// A loss in BTC-PERP is covered by the sub-fund (capped at 50%, i.e.
		// 25,000) and then by the global fund.
		use backstop_primitives::LossAbsorber;
		let beneficiary = bob();
		let before = Assets::balance(SETTLEMENT_ASSET_ID, &beneficiary);
		let uncovered = InsuranceFund::absorb(BTC_PERP, 40_000 * DOLLARS, &beneficiary);
		assert_eq!(uncovered, 0);
		assert_eq!(Assets::balance(SETTLEMENT_ASSET_ID, &beneficiary), before + 40_000 * DOLLARS);
		assert_eq!(
			InsuranceFund::fund_balance(FundId::Market(BTC_PERP)),
			INSURANCE_MARKET_SEED - 25_000 * DOLLARS
		);
		assert!(reconciles());
	});
}

#[test]
fn development_preset_has_demo_oracle_assets_and_feeders() {
	use backstop_primitives::{Price, PriceProvider, PriceUnavailable};
	use genesis_config_presets::{dev_feeders, BTC, ETH};
	use pallet_oracle_aggregator::PriceStatus;
	preset_ext("development").execute_with(|| {
		for asset in [BTC, ETH] {
			let status = OracleAggregator::price_status(asset).expect("asset registered");
			assert_eq!(status.status, PriceStatus::NoPrice);
			assert_eq!(
				<OracleAggregator as PriceProvider<BlockNumber>>::price(asset),
				Err(PriceUnavailable::NoPrice)
			);
		}
		// All three dev feeders make a live price: two are fewer than the
		// minimum of three.
		let feeders = dev_feeders();
		assert_eq!(feeders.len(), 3);
		let now = pallet_timestamp::Now::<Runtime>::get();
		let batch = |p: u32| {
			frame_support::BoundedVec::truncate_from(vec![
				(BTC, Price::from_u32(p), now),
				(ETH, Price::from_u32(p / 20), now),
			])
		};
		for (feeder, price) in feeders.iter().zip([60_000, 62_000]) {
			assert_ok!(OracleAggregator::feed(RuntimeOrigin::signed(feeder.clone()), batch(price)));
		}
		assert_eq!(
			<OracleAggregator as PriceProvider<BlockNumber>>::price(BTC),
			Err(PriceUnavailable::NoPrice)
		);
		assert_ok!(OracleAggregator::feed(
			RuntimeOrigin::signed(feeders[2].clone()),
			batch(61_500)
		));
		let info = <OracleAggregator as PriceProvider<BlockNumber>>::price(BTC).expect("live");
		// The median of the three.
		assert_eq!(info.price, Price::from_u32(61_500));
		assert!(!info.frozen);
		// A stranger cannot feed.
		assert!(OracleAggregator::feed(
			RuntimeOrigin::signed(Sr25519Keyring::Eve.to_account_id()),
			batch(1)
		)
		.is_err());
	});
}

#[test]
fn loss_waterfall_runs_insurance_then_stakers_then_pool() {
	use backstop_primitives::{LiquidityProvider, LossAbsorber};
	use configs::backstop::LossWaterfall;
	use pallet_staking_backstop::Tranche;
	preset_ext("development").execute_with(|| {
		let beneficiary = Sr25519Keyring::Ferdie.to_account_id();
		let before = Assets::balance(SETTLEMENT_ASSET_ID, &beneficiary);
		let pool_cash_before = SharedLiquidity::pool_cash();
		// Insurance covers at most 25,000 (BTC sub-fund cap) + 62,500 (25% of
		// the global fund); stakers at most 30% of junior (6,000) and 20% of
		// senior (4,000); both pay. The pool then accepts at most the BTC
		// loss cap (50,000) as a write-off, moving no money.
		let loss = 200_000 * DOLLARS;
		let capacity = LossWaterfall::capacity(BTC_PERP);
		assert_eq!(capacity, (25_000 + 62_500 + 6_000 + 4_000) * DOLLARS);
		let uncovered = LossWaterfall::absorb(BTC_PERP, loss, &beneficiary);
		assert_eq!(uncovered, loss - capacity);
		assert_eq!(Assets::balance(SETTLEMENT_ASSET_ID, &beneficiary), before + capacity);
		// Each paying tier paid its share.
		assert_eq!(
			StakingBackstop::tranche_info(Tranche::Junior).assets,
			2 * SEED_STAKE - 6_000 * DOLLARS
		);
		let accepted =
			<SharedLiquidity as LiquidityProvider<AccountId>>::absorb_loss(BTC_PERP, uncovered);
		assert_eq!(accepted, 50_000 * DOLLARS);
		assert_eq!(SharedLiquidity::pool_cash(), pool_cash_before);
		let btc = pallet_shared_liquidity::ProtocolId::Market(BTC_PERP);
		let eth = pallet_shared_liquidity::ProtocolId::Market(ETH_PERP);
		// The BTC credit line hit its loss cap and is frozen; ETH is untouched.
		assert_eq!(
			SharedLiquidity::protocol_info(btc).map(|info| (info.losses, info.status)),
			Some((50_000 * DOLLARS, pallet_shared_liquidity::ProtocolStatus::Frozen))
		);
		assert_eq!(
			SharedLiquidity::protocol_info(eth).map(|info| info.status),
			Some(pallet_shared_liquidity::ProtocolStatus::Active)
		);
	});
}

#[test]
fn a_trader_opens_and_closes_a_btc_position_against_the_pool() {
	use backstop_primitives::{units::BASE_UNIT, Price};
	use genesis_config_presets::{dev_feeders, BTC, ETH};
	preset_ext("development").execute_with(|| {
		assert_eq!(Margin::market_ids(), vec![BTC_PERP, ETH_PERP]);
		// The three feeders make a live BTC price of 60,000.
		let now = pallet_timestamp::Now::<Runtime>::get();
		for feeder in dev_feeders() {
			assert_ok!(OracleAggregator::feed(
				RuntimeOrigin::signed(feeder),
				frame_support::BoundedVec::truncate_from(vec![
					(BTC, Price::from_u32(60_000), now),
					(ETH, Price::from_u32(3_000), now),
				])
			));
		}
		let trader = Sr25519Keyring::Eve.to_account_id();
		assert_ok!(Margin::deposit(RuntimeOrigin::signed(trader.clone()), 10_000 * DOLLARS));
		let btc = pallet_shared_liquidity::ProtocolId::Market(BTC_PERP);
		let reserved = |id| SharedLiquidity::protocol_info(id).map(|info| info.reserved);
		assert_eq!(reserved(btc.clone()), Some(0));
		// Long 0.1 BTC (6,000 dollars notional) with up to 1% slippage.
		assert_ok!(Margin::trade(
			RuntimeOrigin::signed(trader.clone()),
			BTC_PERP,
			(BASE_UNIT / 10) as i128,
			Price::from_u32(60_600),
		));
		let health = Margin::account_health(&trader).expect("priced");
		assert!(health.equity > 0);
		assert!(!Margin::is_liquidatable(&trader).expect("priced"));
		// The pool backs the position: it reserves 20% of the 6,000 dollars
		// of open interest in cash for BTC-PERP.
		assert_eq!(reserved(btc.clone()), Some(1_200 * DOLLARS));
		// Close it again: the trader paid fees, so has less than deposited.
		assert_ok!(Margin::trade(
			RuntimeOrigin::signed(trader.clone()),
			BTC_PERP,
			-((BASE_UNIT / 10) as i128),
			Price::from_u32(59_400),
		));
		let health = Margin::account_health(&trader).expect("priced");
		assert!(health.equity < (10_000 * DOLLARS) as i128);
		assert!(health.equity > (9_990 * DOLLARS) as i128);
		assert_eq!(reserved(btc), Some(0));
	});
}

#[test]
fn benchmark_preset_has_no_demo_state() {
	preset_ext("benchmark").execute_with(|| {
		assert!(OracleAggregator::all_price_statuses().is_empty());
		assert!(Margin::market_ids().is_empty());
		assert!(SharedLiquidity::protocols().is_empty());
		assert_eq!(SharedLiquidity::pool_cash(), 0);
		// Accounts and the settlement asset are there as on the dev chain.
		assert_eq!(Assets::balance(SETTLEMENT_ASSET_ID, alice()), DEV_SETTLEMENT_ENDOWMENT);
	});
}

/// The runtime upgrade as `try-runtime` runs it: every migration's pre- and
/// post-upgrade checks and every pallet's `try_state`, on both presets.
#[cfg(feature = "try-runtime")]
#[test]
fn runtime_upgrade_passes_the_try_runtime_checks() {
	for preset in ["development", "local_testnet"] {
		preset_ext(preset).execute_with(|| {
			let weight = Executive::try_runtime_upgrade(frame_try_runtime::UpgradeCheckSelect::All)
				.unwrap_or_else(|e| panic!("{preset}: upgrade checks failed: {e:?}"));
			let limit = <Runtime as frame_system::Config>::BlockWeights::get().max_block;
			assert!(weight.all_lte(limit), "{preset}: the upgrade weighs {weight:?}");
		});
	}
}
