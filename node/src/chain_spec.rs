//! Chain specifications: the built-in `dev` and `local` chains, or a JSON
//! file.

use backstop_runtime::WASM_BINARY;
use sc_service::{ChainType, Properties};

/// The chain specification of this node (no extensions).
pub type ChainSpec = sc_service::GenericChainSpec;

fn wasm_binary() -> Result<&'static [u8], String> {
	WASM_BINARY.ok_or_else(|| {
		"The wasm runtime was not built (was SKIP_WASM_BUILD set?); rebuild the node without it"
			.to_string()
	})
}

/// Token symbol and decimals that polkadot.js shows for the native token.
fn properties() -> Properties {
	let mut properties = Properties::new();
	properties.insert("tokenSymbol".into(), "BKS".into());
	properties.insert("tokenDecimals".into(), 12.into());
	properties.insert("ss58Format".into(), 42.into());
	properties
}

/// A single-validator development chain (Alice), with sudo and funded dev
/// accounts.
pub fn development_chain_spec() -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm_binary()?, None)
		.with_name("Backstop Development")
		.with_id("backstop_dev")
		.with_chain_type(ChainType::Development)
		.with_genesis_config_preset_name(sp_genesis_builder_preset::DEV)
		.with_properties(properties())
		.build())
}

/// A two-validator local testnet (Alice and Bob), without sudo.
pub fn local_chain_spec() -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm_binary()?, None)
		.with_name("Backstop Local Testnet")
		.with_id("backstop_local")
		.with_chain_type(ChainType::Local)
		.with_genesis_config_preset_name(sp_genesis_builder_preset::LOCAL)
		.with_properties(properties())
		.build())
}

/// The preset names the runtime understands (see
/// `backstop_runtime::genesis_config_presets`).
mod sp_genesis_builder_preset {
	pub const DEV: &str = "development";
	pub const LOCAL: &str = "local_testnet";
}
