//! Runtime-level tests: the genesis presets build a usable chain, and the
//! native token and the settlement stablecoin move as users expect.

use crate::{
	genesis_config_presets::{
		dev_accounts, preset_names, DEV_NATIVE_ENDOWMENT, DEV_SETTLEMENT_ENDOWMENT,
		SETTLEMENT_MIN_BALANCE,
	},
	*,
};
use backstop_primitives::units::SETTLEMENT_DECIMALS;
use frame_support::{
	assert_noop, assert_ok,
	traits::{
		fungibles::{metadata::Inspect as MetadataInspect, Inspect as FungiblesInspect},
		Currency,
	},
};
use serde_json::Value;
use sp_keyring::Sr25519Keyring;
use sp_runtime::{traits::Dispatchable, BuildStorage};

/// Merges `patch` into `base` the way the node applies a preset patch.
fn merge(base: &mut Value, patch: Value) {
	match (base, patch) {
		(Value::Object(base), Value::Object(patch)) => {
			for (k, v) in patch {
				merge(base.entry(k).or_insert(Value::Null), v);
			}
		},
		(base, patch) => *base = patch,
	}
}

/// Externalities holding the genesis state of the named preset.
fn preset_ext(name: &str) -> sp_io::TestExternalities {
	let patch: Value = serde_json::from_slice(
		&genesis_config_presets::get_preset(&name.into()).expect("preset exists"),
	)
	.expect("preset is JSON");
	let mut config = serde_json::to_value(RuntimeGenesisConfig::default()).expect("serializes");
	merge(&mut config, patch);
	let config: RuntimeGenesisConfig = serde_json::from_value(config).expect("preset is valid");
	let mut ext: sp_io::TestExternalities = config.build_storage().expect("builds").into();
	ext.execute_with(|| System::set_block_number(1));
	ext
}

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
fn settlement_asset_exists_with_metadata() {
	preset_ext("development").execute_with(|| {
		assert!(Assets::asset_exists(SETTLEMENT_ASSET_ID));
		assert_eq!(Assets::decimals(SETTLEMENT_ASSET_ID), SETTLEMENT_DECIMALS);
		assert_eq!(Assets::symbol(SETTLEMENT_ASSET_ID), b"bUSD".to_vec());
		assert_eq!(Assets::minimum_balance(SETTLEMENT_ASSET_ID), SETTLEMENT_MIN_BALANCE);
		let holders = dev_accounts().len() as u128;
		assert_eq!(Assets::total_issuance(SETTLEMENT_ASSET_ID), holders * DEV_SETTLEMENT_ENDOWMENT);
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
			Assets::balance(SETTLEMENT_ASSET_ID, &alice()),
			DEV_SETTLEMENT_ENDOWMENT - amount
		);
		assert_eq!(Assets::balance(SETTLEMENT_ASSET_ID, &bob()), DEV_SETTLEMENT_ENDOWMENT + amount);
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
