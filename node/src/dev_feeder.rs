//! Demo price feeders for development chains.
//!
//! On a chain whose type is `Development` (`--dev`), the node submits one
//! `OracleAggregator::feed` per block for each of the dev feeders registered
//! by the `development` preset (the stash accounts of Alice, Bob and Charlie,
//! so that feeds never compete with what people sign as Alice), so that the demo
//! markets have live prices from the first blocks on. Prices follow a seeded
//! random walk around a starting level, and each feeder adds its own small
//! deviation so the aggregate has a non-zero confidence figure. This is a
//! development convenience only: it signs with the well-known dev keys and is
//! never started on other chains (or with `--no-dev-feeders`).

use crate::service::FullClient;
use backstop_runtime::{
	genesis_config_presets::{BTC, ETH},
	opaque::Block,
	AccountId, Nonce, RuntimeCall, SignedPayload, TxExtension, UncheckedExtrinsic,
};
use codec::Encode;
use frame_system_rpc_runtime_api::AccountNonceApi;
use futures::StreamExt;
use sc_client_api::BlockchainEvents;
use sc_transaction_pool_api::{TransactionPool, TransactionSource};
use sp_api::{Core, ProvideRuntimeApi};
use sp_blockchain::HeaderBackend;
use sp_core::{sr25519, Pair};
use sp_keyring::Sr25519Keyring;
use sp_runtime::{generic::Era, FixedU128, OpaqueExtrinsic};
use std::sync::Arc;

const LOG_TARGET: &str = "dev-feeder";

/// The assets fed and their starting prices in dollars.
const ASSETS: [(u32, u64); 2] = [(BTC, 65_000), (ETH, 3_200)];

/// A seeded random walk: each block every price moves by at most ±0.2%.
struct RandomWalk {
	state: u64,
	prices: Vec<f64>,
}

impl RandomWalk {
	fn new(seed: u64) -> Self {
		Self { state: seed | 1, prices: ASSETS.iter().map(|(_, p)| *p as f64).collect() }
	}

	/// xorshift64*: a small, deterministic generator (off-chain only).
	fn next_unit(&mut self) -> f64 {
		self.state ^= self.state >> 12;
		self.state ^= self.state << 25;
		self.state ^= self.state >> 27;
		let x = self.state.wrapping_mul(0x2545_f491_4f6c_dd1d);
		(x >> 11) as f64 / (1u64 << 53) as f64
	}

	/// Moves every price one step.
	fn step(&mut self) {
		for i in 0..self.prices.len() {
			let r = self.next_unit();
			self.prices[i] *= 1.0 + (r - 0.5) * 0.004;
		}
	}

	/// Each feeder's view: the walk plus a per-feeder deviation of ±0.05%.
	fn quote(&mut self, asset_index: usize) -> FixedU128 {
		let r = self.next_unit();
		let price = self.prices[asset_index] * (1.0 + (r - 0.5) * 0.001);
		// Six decimals are plenty for a demo quote.
		FixedU128::from_rational((price * 1e6) as u128, 1_000_000)
	}
}

/// Builds a signed `feed` extrinsic for `signer`.
fn feed_extrinsic(
	signer: &sr25519::Pair,
	nonce: Nonce,
	batch: Vec<(u32, FixedU128, u64)>,
	(spec_version, transaction_version): (u32, u32),
	genesis: <Block as sp_runtime::traits::Block>::Hash,
) -> Result<OpaqueExtrinsic, String> {
	let call = RuntimeCall::OracleAggregator(pallet_oracle_aggregator::Call::feed {
		batch: batch.try_into().map_err(|_| "batch larger than MaxBatch".to_string())?,
	});
	let tx_ext: TxExtension = (
		frame_system::AuthorizeCall::new(),
		frame_system::CheckNonZeroSender::new(),
		frame_system::CheckSpecVersion::new(),
		frame_system::CheckTxVersion::new(),
		frame_system::CheckGenesis::new(),
		frame_system::CheckEra::from(Era::Immortal),
		frame_system::CheckNonce::from(nonce),
		frame_system::CheckWeight::new(),
		pallet_transaction_payment::ChargeTransactionPayment::from(0),
		frame_metadata_hash_extension::CheckMetadataHash::new(false),
		frame_system::WeightReclaim::new(),
	);
	let implicit =
		((), (), spec_version, transaction_version, genesis, genesis, (), (), (), None, ());
	let payload = SignedPayload::from_raw(call.clone(), tx_ext.clone(), implicit);
	let signature = payload.using_encoded(|bytes| signer.sign(bytes));
	let who: AccountId = signer.public().into();
	let xt = UncheckedExtrinsic::new_signed(call, who.into(), signature.into(), tx_ext);
	OpaqueExtrinsic::try_from_encoded_extrinsic(&xt.encode()).map_err(|e| e.to_string())
}

/// Runs the dev feeders until the node stops.
pub async fn run<P>(client: Arc<FullClient>, pool: Arc<P>)
where
	P: TransactionPool<Block = Block> + 'static,
{
	let feeders =
		[Sr25519Keyring::AliceStash, Sr25519Keyring::BobStash, Sr25519Keyring::CharlieStash];
	let mut walk = RandomWalk::new(0x0bac_5709);
	let mut blocks = client.import_notification_stream();
	log::info!(target: LOG_TARGET, "feeding demo prices (BTC, ETH) as //Alice//stash, //Bob//stash and //Charlie//stash");
	while let Some(block) = blocks.next().await {
		if !block.is_new_best {
			continue;
		}
		walk.step();
		// The versions the signatures commit to, read once per block.
		let version = match client.runtime_api().version(block.hash) {
			Ok(version) => (version.spec_version, version.transaction_version),
			Err(e) => {
				log::warn!(target: LOG_TARGET, "no runtime version at {}: {e}", block.hash);
				continue;
			},
		};
		let genesis = client.info().genesis_hash;
		for keyring in feeders {
			let pair = keyring.pair();
			let who = keyring.to_account_id();
			// The nonce at the best block: a feed still waiting in the pool
			// is replaced rather than queued behind.
			let nonce = match client.runtime_api().account_nonce(block.hash, who) {
				Ok(nonce) => nonce,
				Err(e) => {
					log::debug!(target: LOG_TARGET, "no nonce for {keyring:?}: {e}");
					continue;
				},
			};
			// Each quote carries the time it was observed (Unix milliseconds):
			// the oracle refuses values too far from the block's timestamp.
			let observed_at = std::time::SystemTime::now()
				.duration_since(std::time::UNIX_EPOCH)
				.map(|since| u64::try_from(since.as_millis()).unwrap_or(u64::MAX))
				.unwrap_or_default();
			let batch = ASSETS
				.iter()
				.enumerate()
				.map(|(i, (asset, _))| (*asset, walk.quote(i), observed_at))
				.collect::<Vec<_>>();
			match feed_extrinsic(&pair, nonce, batch, version, genesis) {
				Ok(xt) => {
					if let Err(e) = pool.submit_one(block.hash, TransactionSource::Local, xt).await
					{
						log::debug!(target: LOG_TARGET, "{keyring:?}'s feed not accepted: {e}");
					}
				},
				Err(e) => log::warn!(target: LOG_TARGET, "cannot build {keyring:?}'s feed: {e}"),
			}
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn walk_stays_near_its_start_and_is_deterministic() {
		let mut a = RandomWalk::new(7);
		let mut b = RandomWalk::new(7);
		for _ in 0..100 {
			a.step();
			b.step();
		}
		assert_eq!(a.quote(0), b.quote(0));
		// 100 steps of at most ±0.2% stay within ±25% of the start.
		let btc = a.prices[0];
		assert!(btc > 65_000.0 * 0.75 && btc < 65_000.0 * 1.25, "{btc}");
	}

	#[test]
	fn quotes_are_positive() {
		let mut w = RandomWalk::new(1);
		for _ in 0..1000 {
			w.step();
			assert!(w.quote(0) > FixedU128::from_u32(1));
			assert!(w.quote(1) > FixedU128::from_u32(1));
		}
	}
}
