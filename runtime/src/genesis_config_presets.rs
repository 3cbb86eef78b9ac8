//! Genesis presets: `development` (one validator, sudo, funded dev accounts)
//! and `local_testnet` (Alice and Bob validate, no sudo key).

use crate::{
	AccountId, AssetsConfig, AuraConfig, Balance, BalancesConfig, GrandpaConfig,
	RuntimeGenesisConfig, SudoConfig, DOLLARS, SETTLEMENT_ASSET_ID, UNITS,
};
use alloc::{vec, vec::Vec};
use backstop_primitives::units::SETTLEMENT_DECIMALS;
use frame_support::build_struct_json_patch;
use serde_json::Value;
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_consensus_grandpa::AuthorityId as GrandpaId;
use sp_genesis_builder::{self, PresetId};
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};

/// Native tokens given to each dev account.
pub const DEV_NATIVE_ENDOWMENT: Balance = 1_000_000 * UNITS;
/// Settlement stablecoin given to each dev account (one million dollars).
pub const DEV_SETTLEMENT_ENDOWMENT: Balance = 1_000_000 * DOLLARS;
/// The smallest settlement balance an account may hold (one cent).
pub const SETTLEMENT_MIN_BALANCE: Balance = DOLLARS / 100;
/// Name of the settlement stablecoin in `pallet-assets` metadata.
pub const SETTLEMENT_NAME: &[u8] = b"Backstop USD";
/// Symbol of the settlement stablecoin.
pub const SETTLEMENT_SYMBOL: &[u8] = b"bUSD";

/// The accounts funded in both presets: the well-known dev keyring.
pub fn dev_accounts() -> Vec<AccountId> {
	Sr25519Keyring::iter().map(|k| k.to_account_id()).collect()
}

fn authority_keys(key: Sr25519Keyring, grandpa: Ed25519Keyring) -> (AuraId, GrandpaId) {
	(key.public().into(), grandpa.public().into())
}

/// Builds the JSON patch of a genesis with the given validators, endowed
/// accounts and (optional) sudo key.
fn genesis(
	authorities: Vec<(AuraId, GrandpaId)>,
	endowed: Vec<AccountId>,
	root: Option<AccountId>,
) -> Value {
	// The stablecoin's issuer/admin: the sudo key where there is one, Alice
	// otherwise. It has no special power over balances beyond pallet-assets'.
	let issuer = root.clone().unwrap_or_else(|| Sr25519Keyring::Alice.to_account_id());
	build_struct_json_patch!(RuntimeGenesisConfig {
		balances: BalancesConfig {
			balances: endowed
				.iter()
				.cloned()
				.map(|a| (a, DEV_NATIVE_ENDOWMENT))
				.collect::<Vec<_>>(),
		},
		aura: AuraConfig {
			authorities: authorities.iter().map(|(aura, _)| aura.clone()).collect::<Vec<_>>(),
		},
		grandpa: GrandpaConfig {
			authorities: authorities.iter().map(|(_, g)| (g.clone(), 1)).collect::<Vec<_>>(),
		},
		sudo: SudoConfig { key: root },
		assets: AssetsConfig {
			assets: vec![(SETTLEMENT_ASSET_ID, issuer, true, SETTLEMENT_MIN_BALANCE)],
			metadata: vec![(
				SETTLEMENT_ASSET_ID,
				SETTLEMENT_NAME.to_vec(),
				SETTLEMENT_SYMBOL.to_vec(),
				SETTLEMENT_DECIMALS,
			)],
			accounts: endowed
				.iter()
				.cloned()
				.map(|a| (SETTLEMENT_ASSET_ID, a, DEV_SETTLEMENT_ENDOWMENT))
				.collect::<Vec<_>>(),
		},
	})
}

/// The `development` preset: Alice validates alone and holds the sudo key;
/// every dev account is funded in the native token and in the stablecoin.
pub fn development_config_genesis() -> Value {
	genesis(
		vec![authority_keys(Sr25519Keyring::Alice, Ed25519Keyring::Alice)],
		dev_accounts(),
		Some(Sr25519Keyring::Alice.to_account_id()),
	)
}

/// The `local_testnet` preset: Alice and Bob validate; no sudo key.
pub fn local_config_genesis() -> Value {
	genesis(
		vec![
			authority_keys(Sr25519Keyring::Alice, Ed25519Keyring::Alice),
			authority_keys(Sr25519Keyring::Bob, Ed25519Keyring::Bob),
		],
		dev_accounts(),
		None,
	)
}

/// The JSON of the named preset, if there is one.
pub fn get_preset(id: &PresetId) -> Option<Vec<u8>> {
	let patch = match id.as_ref() {
		sp_genesis_builder::DEV_RUNTIME_PRESET => development_config_genesis(),
		sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET => local_config_genesis(),
		_ => return None,
	};
	serde_json::to_vec(&patch).ok()
}

/// The names of the presets.
pub fn preset_names() -> Vec<PresetId> {
	vec![
		PresetId::from(sp_genesis_builder::DEV_RUNTIME_PRESET),
		PresetId::from(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET),
	]
}
