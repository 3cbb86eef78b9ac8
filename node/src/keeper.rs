//! The liquidation keeper.
//!
//! A node task that, for every new best block, asks the runtime for the
//! accounts below maintenance (`MarginApi::liquidatable_accounts`, which
//! reads the margin pallet's index of accounts with positions here in the
//! node, not in a block) and submits them as `Margin::liquidate_batch`
//! transactions, at most `MaxLiquidationBatch` accounts each, signed by the
//! keeper key of type [`KEY_TYPE`] (`kepr`, sr25519) in the node's keystore.
//! It is the fast path of a crash; the chain's own sweep in `on_initialize`
//! is the floor that needs nobody.
//!
//! **Signed, not unsigned.** The keeper signs with an ordinary account:
//! - its account earns each liquidation's reward, so anyone may run a keeper
//!   and competing keepers need no privileged submitter;
//! - it pays a fee, so a batch naming healthy accounts costs its sender
//!   (`NothingLiquidated`);
//! - the transaction pool checks it like any other, where an unsigned batch
//!   would have the runtime value every account named in `validate_unsigned`
//!   on every node that gossips it.
//!
//! The keeper key's account needs native tokens for fees. A validator adds
//! the key with
//! `backstop-node key insert --key-type kepr --scheme sr25519 --suri ...`;
//! a development chain inserts `//Alice` (unless `--no-dev-keeper`).

use crate::{
	price_feeder::{next_best, submit_local},
	service::FullClient,
};
use backstop_runtime::{
	opaque::Block, AccountId, BlockNumber, Nonce, RuntimeCall, SignedPayload, TxExtension,
	UncheckedExtrinsic,
};
use codec::Encode;
use frame_system_rpc_runtime_api::AccountNonceApi;
use pallet_margin_runtime_api::MarginApi;
use sc_client_api::BlockchainEvents;
use sc_transaction_pool_api::TransactionPool;
use sp_api::{Core, ProvideRuntimeApi};
use sp_blockchain::HeaderBackend;
use sp_core::{crypto::KeyTypeId, sr25519, Get};
use sp_keystore::{Keystore, KeystorePtr};
use sp_runtime::{generic::Era, BoundedVec, OpaqueExtrinsic};
use std::sync::Arc;

const LOG_TARGET: &str = "keeper";

/// The keystore key type of liquidation keeper keys (sr25519).
pub const KEY_TYPE: KeyTypeId = KeyTypeId(*b"kepr");

/// The key the development chain's keeper signs with.
pub const DEV_KEEPER_SEED: &str = "//Alice";

/// The most batches one keeper submits per block (consecutive nonces).
pub const MAX_BATCHES_PER_BLOCK: usize = 64;

/// Blocks a keeper transaction stays valid for: a batch that was not
/// included soon is stale (its accounts are found again).
const ERA_PERIOD: u64 = 4;

/// Keeper options.
#[derive(Debug, Clone, clap::Args)]
pub struct KeeperParams {
	/// On a development chain, do not run the dev keeper (`//Alice`): only
	/// the chain's own sweep liquidates.
	#[arg(long)]
	pub no_dev_keeper: bool,
}

/// Inserts the dev keeper's key into `keystore`.
pub fn insert_dev_key(keystore: &KeystorePtr) -> Result<(), String> {
	keystore
		.sr25519_generate_new(KEY_TYPE, Some(DEV_KEEPER_SEED))
		.map(|_| ())
		.map_err(|e| format!("cannot insert the dev keeper key: {e}"))
}

/// The extensions of a keeper transaction with `nonce`, born at `best`.
fn extensions(nonce: Nonce, best: BlockNumber) -> TxExtension {
	(
		frame_system::AuthorizeCall::new(),
		frame_system::CheckNonZeroSender::new(),
		frame_system::CheckSpecVersion::new(),
		frame_system::CheckTxVersion::new(),
		frame_system::CheckGenesis::new(),
		frame_system::CheckEra::from(Era::mortal(ERA_PERIOD, u64::from(best))),
		frame_system::CheckNonce::from(nonce),
		frame_system::CheckWeight::new(),
		backstop_runtime::configs::monetary::ChargeTransactionPaymentCapped::from_tip(0),
		frame_metadata_hash_extension::CheckMetadataHash::new(false),
		frame_system::WeightReclaim::new(),
	)
}

/// What a keeper transaction commits to besides its call and extensions.
pub struct Chain {
	/// The genesis hash.
	pub genesis: <Block as sp_runtime::traits::Block>::Hash,
	/// The best block (the era's birth) and its hash.
	pub best: (BlockNumber, <Block as sp_runtime::traits::Block>::Hash),
	/// The runtime's `spec_version` and `transaction_version` at the best
	/// block.
	pub versions: (u32, u32),
}

/// Builds the `liquidate_batch` transaction of `keeper` naming `accounts`,
/// signed with the keeper's keystore key.
pub fn batch_extrinsic(
	keystore: &KeystorePtr,
	keeper: &sr25519::Public,
	nonce: Nonce,
	accounts: Vec<AccountId>,
	chain: &Chain,
) -> Result<OpaqueExtrinsic, String> {
	let accounts: BoundedVec<AccountId, _> = accounts
		.try_into()
		.map_err(|_| "more accounts than the margin pallet's MaxLiquidationBatch".to_string())?;
	let call = RuntimeCall::Margin(pallet_margin::Call::liquidate_batch { accounts });
	let tx_ext = extensions(nonce, chain.best.0);
	let implicit = (
		(),
		(),
		chain.versions.0,
		chain.versions.1,
		chain.genesis,
		chain.best.1,
		(),
		(),
		(),
		None,
		(),
	);
	let payload = SignedPayload::from_raw(call.clone(), tx_ext.clone(), implicit);
	let signature = payload
		.using_encoded(|bytes| keystore.sr25519_sign(KEY_TYPE, keeper, bytes))
		.map_err(|e| format!("keystore: {e}"))?
		.ok_or_else(|| "the key left the keystore".to_string())?;
	let who: AccountId = (*keeper).into();
	let xt = UncheckedExtrinsic::new_signed(call, who.into(), signature.into(), tx_ext);
	OpaqueExtrinsic::try_from_encoded_extrinsic(&xt.encode()).map_err(|e| e.to_string())
}

/// Submits batches of liquidatable accounts with every `kepr` key in
/// `keystore` until the node stops.
pub async fn run<P>(client: Arc<FullClient>, pool: Arc<P>, keystore: KeystorePtr)
where
	P: TransactionPool<Block = Block> + 'static,
{
	let batch: u32 =
		<backstop_runtime::Runtime as pallet_margin::Config>::MaxLiquidationBatch::get();
	let most = batch.saturating_mul(MAX_BATCHES_PER_BLOCK as u32);
	let mut blocks = client.import_notification_stream();
	log::info!(
		target: LOG_TARGET,
		"liquidation keeper with {} key(s) now, batches of up to {batch} accounts",
		keystore.sr25519_public_keys(KEY_TYPE).len()
	);
	let genesis = client.info().genesis_hash;
	while let Some(block) = next_best(&mut blocks).await {
		// One keeper key is enough: several would race for the same accounts.
		let Some(key) = keystore.sr25519_public_keys(KEY_TYPE).into_iter().next() else {
			continue;
		};
		let api = client.runtime_api();
		let found = match api.liquidatable_accounts(block.hash, most) {
			Ok(found) => found,
			Err(e) => {
				log::debug!(target: LOG_TARGET, "no liquidatable accounts at {}: {e}", block.hash);
				continue;
			},
		};
		if found.is_empty() {
			continue;
		}
		let who: AccountId = key.into();
		let (nonce, version) =
			match (api.account_nonce(block.hash, who.clone()), api.version(block.hash)) {
				(Ok(nonce), Ok(version)) => (nonce, version),
				(Err(e), _) | (_, Err(e)) => {
					log::warn!(target: LOG_TARGET, "cannot read the keeper's nonce: {e}");
					continue;
				},
			};
		let chain = Chain {
			genesis,
			best: (block.header.number, block.hash),
			versions: (version.spec_version, version.transaction_version),
		};
		log::info!(
			target: LOG_TARGET,
			"{} account(s) below maintenance at #{}",
			found.len(),
			block.header.number
		);
		let size = usize::try_from(batch).unwrap_or(usize::MAX).max(1);
		for (offset, accounts) in found.chunks(size).enumerate() {
			let nonce = nonce.saturating_add(offset as Nonce);
			match batch_extrinsic(&keystore, &key, nonce, accounts.to_vec(), &chain) {
				Ok(xt) => {
					let what = format!("batch with nonce {nonce}");
					submit_local(&*pool, block.hash, xt, LOG_TARGET, what).await;
				},
				Err(e) => log::warn!(target: LOG_TARGET, "cannot build a batch: {e}"),
			}
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use codec::Decode;
	use sp_keystore::testing::MemoryKeystore;

	#[test]
	fn batches_are_signed_by_the_keeper_key_and_name_the_accounts() {
		let keystore: KeystorePtr = Arc::new(MemoryKeystore::new());
		insert_dev_key(&keystore).unwrap();
		let key = keystore.sr25519_public_keys(KEY_TYPE)[0];
		let alice = sp_keyring::Sr25519Keyring::Alice;
		assert_eq!(key, alice.public());
		let accounts = vec![sp_keyring::Sr25519Keyring::Bob.to_account_id()];
		let chain =
			Chain { genesis: Default::default(), best: (7, Default::default()), versions: (1, 1) };
		let xt = batch_extrinsic(&keystore, &key, 3, accounts.clone(), &chain).unwrap();
		let decoded = UncheckedExtrinsic::decode(&mut &xt.encode()[..]).unwrap();
		let RuntimeCall::Margin(pallet_margin::Call::liquidate_batch { accounts: named }) =
			decoded.function
		else {
			panic!("not a liquidate_batch: {:?}", decoded.function);
		};
		assert_eq!(named.into_inner(), accounts);
		let sp_runtime::generic::Preamble::Signed(signer, _, ext) = decoded.preamble else {
			panic!("not signed");
		};
		assert_eq!(signer, alice.to_account_id().into());
		assert_eq!(ext.6, frame_system::CheckNonce::from(3));
	}

	#[test]
	fn too_many_accounts_are_refused() {
		let keystore: KeystorePtr = Arc::new(MemoryKeystore::new());
		insert_dev_key(&keystore).unwrap();
		let key = keystore.sr25519_public_keys(KEY_TYPE)[0];
		let batch: u32 =
			<backstop_runtime::Runtime as pallet_margin::Config>::MaxLiquidationBatch::get();
		let accounts = vec![sp_keyring::Sr25519Keyring::Bob.to_account_id(); batch as usize + 1];
		let chain =
			Chain { genesis: Default::default(), best: (1, Default::default()), versions: (1, 1) };
		assert!(batch_extrinsic(&keystore, &key, 0, accounts, &chain).is_err());
	}
}
