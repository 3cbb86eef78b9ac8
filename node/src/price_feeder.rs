//! The validator price feeder.
//!
//! A node task that, for every new best block, reads prices from a source
//! and submits one signed feed per feeder key in the node's keystore as an
//! `OracleAggregator::submit_feed` transaction. The feed is signed with the
//! feeder's key of type [`KEY_TYPE`] (`feed`, sr25519) over the oracle's
//! signing payload (`(b"backstop-oracle-feed", genesis hash, feeder, round,
//! batch)`, SCALE-encoded), and travels as a general transaction that the
//! oracle pallet authorizes: it pays no fee, needs no account balance or
//! nonce, and is ordered above anything a tip can buy. The round is the
//! block the feed is built for (best + 1); the oracle accepts it for
//! `FeedLongevity` blocks, once per feeder and round.
//!
//! Sources:
//! * `--price-source URL`: an HTTP or HTTPS endpoint polled once per block,
//!   answering in one of three JSON shapes (see [`Format`]): Backstop's own
//!   format, Binance's `/api/v3/ticker/price` and Kraken's
//!   `/0/public/Ticker`. A failed or slow request skips that block's feed:
//!   the node never re-sends an old quote as a new one.
//! * On a development chain (`--dev`) without `--price-source`, a simulated
//!   source: a seeded random walk around BTC 65,000 and ETH 3,200 with a
//!   small deviation per feeder, so the aggregate has a confidence figure.
//!   The dev chain inserts the keys of its three registered feeders
//!   (`//Alice//stash`, `//Bob//stash`, `//Charlie//stash`) into the keystore
//!   (unless `--no-dev-feeders`), so the demo markets have live prices from
//!   the first blocks on through exactly the path a validator uses.
//!
//! A validator adds its feeder key with
//! `backstop-node key insert --key-type feed --scheme sr25519 --suri ...`
//! (or the `author_insertKey` RPC); governance registers the matching
//! account as an oracle feeder. Keys are re-read every block.

use crate::service::FullClient;
use backstop_runtime::{
	genesis_config_presets::{BTC, ETH},
	opaque::Block,
	BlockNumber, RuntimeCall, TxExtension, UncheckedExtrinsic,
};
use codec::Encode;
use futures::{FutureExt, StreamExt};
use http_body_util::{BodyExt, Empty, Limited};
use hyper::body::Bytes;
use sc_client_api::BlockchainEvents;
use sc_transaction_pool_api::{TransactionPool, TransactionSource};
use sp_api::{Core, ProvideRuntimeApi};
use sp_blockchain::HeaderBackend;
use sp_core::{crypto::KeyTypeId, sr25519};
use sp_keystore::{Keystore, KeystorePtr};
use sp_runtime::{generic::Era, FixedPointNumber, FixedU128, OpaqueExtrinsic};
use std::{fmt, sync::Arc, time::Duration};

const LOG_TARGET: &str = "price-feeder";

/// The keystore key type of oracle feeder keys (sr25519).
pub const KEY_TYPE: KeyTypeId = KeyTypeId(*b"feed");

/// The keys the development chain's feeders sign with (the accounts the
/// `development` preset registers as oracle feeders).
pub const DEV_FEEDER_SEEDS: [&str; 3] = ["//Alice//stash", "//Bob//stash", "//Charlie//stash"];

/// The most a price source may answer, in bytes.
const MAX_RESPONSE_BYTES: usize = 1 << 20;

/// How many blocks a feed transaction's era lasts (the oracle bounds its
/// round's validity more tightly still).
const ERA_PERIOD: u64 = 8;

/// An oracle asset id.
pub type AssetId = u32;

/// One observation: asset, price in dollars, observation time in Unix
/// milliseconds.
pub type Quote = (AssetId, FixedU128, u64);

/// The command-line options of the price feeder.
#[derive(Debug, Clone, clap::Args)]
pub struct PriceFeederParams {
	/// Read the prices to feed from this HTTP or HTTPS URL, once per block,
	/// and feed them with every `feed` key in the keystore. See the README
	/// ("Price feeder") for the formats understood.
	#[arg(long, value_name = "URL")]
	pub price_source: Option<hyper::Uri>,

	/// The JSON shape of `--price-source`'s answers; `auto` recognises each
	/// of the others by its shape.
	#[arg(long, value_enum, value_name = "FORMAT", default_value_t = Format::Auto)]
	pub price_format: Format,

	/// Which exchange symbol is which oracle asset, as `ASSET=SYMBOL` (for
	/// example `0=BTCUSDT`); repeat for each asset. The defaults are
	/// `0=BTCUSDT 1=ETHUSDT` for Binance and `0=XXBTZUSD 1=XETHZUSD` for
	/// Kraken; Backstop's own format names asset ids directly.
	#[arg(long = "price-symbol", value_name = "ASSET=SYMBOL", value_parser = parse_symbol)]
	pub price_symbols: Vec<(AssetId, String)>,

	/// How long one request to `--price-source` may take, in milliseconds.
	#[arg(long, value_name = "MS", default_value_t = 2_000)]
	pub price_timeout_ms: u64,

	/// On a development chain, do not run the dev feeders (by default the
	/// node feeds BTC and ETH every block as the dev feeders //Alice//stash,
	/// //Bob//stash and //Charlie//stash, from a simulated source unless
	/// `--price-source` is given).
	#[arg(long)]
	pub no_dev_feeders: bool,
}

/// Parses `ASSET=SYMBOL`.
fn parse_symbol(arg: &str) -> Result<(AssetId, String), String> {
	let (asset, symbol) =
		arg.split_once('=').ok_or_else(|| format!("`{arg}` is not of the form ASSET=SYMBOL"))?;
	let asset = asset
		.trim()
		.parse::<AssetId>()
		.map_err(|_| format!("`{asset}` is not an oracle asset id (a number)"))?;
	let symbol = symbol.trim();
	if symbol.is_empty() {
		return Err(format!("`{arg}` names no symbol"));
	}
	Ok((asset, symbol.to_string()))
}

/// The JSON shapes a price source may answer in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
	/// Recognise the shape: an object with `prices` is Backstop's, an array
	/// (or an object with `symbol`) is Binance's, an object with `result`
	/// is Kraken's.
	Auto,
	/// `{"prices": [{"asset": 0, "price": "65000.25", "observed_at": 1764720000000}]}`:
	/// `asset` is the oracle asset id, `price` a decimal string or number in
	/// dollars, `observed_at` (optional) the observation time in Unix
	/// milliseconds, else the time the answer arrived.
	Backstop,
	/// Binance's `GET /api/v3/ticker/price`: `[{"symbol": "BTCUSDT", "price":
	/// "65000.25"}, ...]` (or one such object).
	Binance,
	/// Kraken's `GET /0/public/Ticker?pair=...`: `{"error": [], "result":
	/// {"XXBTZUSD": {"c": ["65000.25", "0.01"], ...}}}`, the last trade price.
	Kraken,
}

/// Why a source's answer gave no quotes.
#[derive(Debug, PartialEq, Eq)]
pub enum QuoteError {
	/// The request failed, timed out or was answered with an error status.
	Http(String),
	/// The answer is not JSON.
	NotJson(String),
	/// The answer's shape is not the format's.
	Shape(String),
	/// A price is not a positive decimal number.
	BadPrice(String),
	/// The exchange reported an error.
	Exchange(String),
	/// None of the configured assets is in the answer.
	NoQuotes,
}

impl fmt::Display for QuoteError {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		match self {
			Self::Http(e) => write!(f, "request failed: {e}"),
			Self::NotJson(e) => write!(f, "answer is not JSON: {e}"),
			Self::Shape(e) => write!(f, "unexpected answer: {e}"),
			Self::BadPrice(p) => write!(f, "`{p}` is not a positive decimal price"),
			Self::Exchange(e) => write!(f, "the exchange reported: {e}"),
			Self::NoQuotes => write!(f, "no configured asset in the answer"),
		}
	}
}

/// Parses a positive decimal number (`65000`, `65000.25`, up to 18
/// fractional digits; more are cut off) exactly into a `FixedU128`, without
/// going through floating point.
pub fn parse_decimal(text: &str) -> Result<FixedU128, QuoteError> {
	let bad = || QuoteError::BadPrice(text.to_string());
	let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
	let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
	if whole.is_empty() || !digits(whole) || !digits(fraction) {
		return Err(bad());
	}
	let whole = whole.parse::<u128>().map_err(|_| bad())?;
	let accuracy = FixedU128::accuracy();
	let mut fraction_inner = 0u128;
	let mut scale = accuracy;
	for digit in fraction.bytes().take(18) {
		scale /= 10;
		fraction_inner += u128::from(digit - b'0') * scale;
	}
	let inner =
		whole.checked_mul(accuracy).and_then(|w| w.checked_add(fraction_inner)).ok_or_else(bad)?;
	if inner == 0 {
		return Err(bad());
	}
	Ok(FixedU128::from_inner(inner))
}

/// A price field: a decimal string or a JSON number.
fn price_of(value: &serde_json::Value) -> Result<FixedU128, QuoteError> {
	match value {
		serde_json::Value::String(s) => parse_decimal(s),
		serde_json::Value::Number(n) => parse_decimal(&n.to_string()),
		other => Err(QuoteError::BadPrice(other.to_string())),
	}
}

/// The default `ASSET=SYMBOL` mapping of a format.
fn default_symbols(format: Format) -> Vec<(AssetId, String)> {
	let pairs: &[(AssetId, &str)] = match format {
		Format::Binance => &[(BTC, "BTCUSDT"), (ETH, "ETHUSDT")],
		Format::Kraken => &[(BTC, "XXBTZUSD"), (ETH, "XETHZUSD")],
		Format::Auto | Format::Backstop => &[],
	};
	pairs.iter().map(|(a, s)| (*a, s.to_string())).collect()
}

/// The quotes in a source's answer `body`, received at `received_ms`.
/// `symbols` maps exchange symbols to assets (the format's defaults when
/// empty); each asset appears at most once, in the order of `symbols` (or
/// of the answer for Backstop's format).
pub fn parse_quotes(
	body: &[u8],
	format: Format,
	symbols: &[(AssetId, String)],
	received_ms: u64,
) -> Result<Vec<Quote>, QuoteError> {
	let json: serde_json::Value =
		serde_json::from_slice(body).map_err(|e| QuoteError::NotJson(e.to_string()))?;
	let format = match format {
		Format::Auto => {
			if json.get("prices").is_some() {
				Format::Backstop
			} else if json.is_array() || json.get("symbol").is_some() {
				Format::Binance
			} else if json.get("result").is_some() || json.get("error").is_some() {
				Format::Kraken
			} else {
				return Err(QuoteError::Shape("neither Backstop, Binance nor Kraken JSON".into()));
			}
		},
		other => other,
	};
	let symbols = if symbols.is_empty() { default_symbols(format) } else { symbols.to_vec() };
	let mut quotes: Vec<Quote> = Vec::new();
	match format {
		Format::Backstop => {
			let entries = json
				.get("prices")
				.and_then(|p| p.as_array())
				.ok_or_else(|| QuoteError::Shape("`prices` is not an array".into()))?;
			for entry in entries {
				let asset = entry
					.get("asset")
					.and_then(|a| a.as_u64())
					.and_then(|a| AssetId::try_from(a).ok())
					.ok_or_else(|| QuoteError::Shape(format!("no asset id in {entry}")))?;
				let price = price_of(
					entry
						.get("price")
						.ok_or_else(|| QuoteError::Shape(format!("no price in {entry}")))?,
				)?;
				let observed_at = match entry.get("observed_at") {
					None | Some(serde_json::Value::Null) => received_ms,
					Some(at) => at
						.as_u64()
						.ok_or_else(|| QuoteError::Shape(format!("bad observed_at in {entry}")))?,
				};
				if !quotes.iter().any(|(a, _, _)| *a == asset) {
					quotes.push((asset, price, observed_at));
				}
			}
		},
		Format::Binance => {
			let entries = match &json {
				serde_json::Value::Array(entries) => entries.clone(),
				single => vec![single.clone()],
			};
			if let Some(msg) = json.get("msg").and_then(|m| m.as_str()) {
				return Err(QuoteError::Exchange(msg.to_string()));
			}
			for (asset, symbol) in &symbols {
				let found = entries
					.iter()
					.find(|e| e.get("symbol").and_then(|s| s.as_str()) == Some(symbol.as_str()));
				if let Some(entry) = found {
					let price = price_of(
						entry
							.get("price")
							.ok_or_else(|| QuoteError::Shape(format!("no price for {symbol}")))?,
					)?;
					if !quotes.iter().any(|(a, _, _)| a == asset) {
						quotes.push((*asset, price, received_ms));
					}
				}
			}
		},
		Format::Kraken => {
			if let Some(errors) = json.get("error").and_then(|e| e.as_array()) {
				if !errors.is_empty() {
					let text: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
					return Err(QuoteError::Exchange(text.join(", ")));
				}
			}
			let result = json
				.get("result")
				.and_then(|r| r.as_object())
				.ok_or_else(|| QuoteError::Shape("`result` is not an object".into()))?;
			for (asset, symbol) in &symbols {
				if let Some(pair) = result.get(symbol) {
					let last = pair
						.get("c")
						.and_then(|c| c.get(0))
						.ok_or_else(|| QuoteError::Shape(format!("no last trade for {symbol}")))?;
					let price = price_of(last)?;
					if !quotes.iter().any(|(a, _, _)| a == asset) {
						quotes.push((*asset, price, received_ms));
					}
				}
			}
		},
		Format::Auto => unreachable!("resolved above"),
	}
	if quotes.is_empty() {
		return Err(QuoteError::NoQuotes);
	}
	Ok(quotes)
}

/// The current time in Unix milliseconds.
fn now_ms() -> u64 {
	std::time::SystemTime::now()
		.duration_since(std::time::UNIX_EPOCH)
		.map(|since| u64::try_from(since.as_millis()).unwrap_or(u64::MAX))
		.unwrap_or_default()
}

/// A seeded random walk: each block every price moves by at most ±0.2%.
pub struct RandomWalk {
	state: u64,
	prices: Vec<(AssetId, f64)>,
}

impl RandomWalk {
	/// BTC from 65,000 and ETH from 3,200.
	pub fn new(seed: u64) -> Self {
		Self { state: seed | 1, prices: vec![(BTC, 65_000.0), (ETH, 3_200.0)] }
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
			self.prices[i].1 *= 1.0 + (r - 0.5) * 0.004;
		}
	}

	/// One feeder's view at `observed_at`: the walk plus a per-feeder
	/// deviation of ±0.05%, to six decimals.
	fn quotes(&mut self, observed_at: u64) -> Vec<Quote> {
		let mut quotes = Vec::with_capacity(self.prices.len());
		for i in 0..self.prices.len() {
			let r = self.next_unit();
			let (asset, level) = self.prices[i];
			let price = level * (1.0 + (r - 0.5) * 0.001);
			quotes.push((
				asset,
				FixedU128::from_rational((price * 1e6) as u128, 1_000_000),
				observed_at,
			));
		}
		quotes
	}
}

type HttpsClient = hyper_util::client::legacy::Client<
	hyper_rustls::HttpsConnector<hyper_util::client::legacy::connect::HttpConnector>,
	Empty<Bytes>,
>;

/// An HTTP(S) price source.
pub struct HttpSource {
	uri: hyper::Uri,
	format: Format,
	symbols: Vec<(AssetId, String)>,
	timeout: Duration,
	client: HttpsClient,
}

impl HttpSource {
	/// A source polling `uri`. HTTPS uses the system's root certificates;
	/// without any, only plain HTTP works (and HTTPS requests fail).
	pub fn new(params: &PriceFeederParams, uri: hyper::Uri) -> Self {
		let provider = Arc::new(rustls::crypto::ring::default_provider());
		let builder = match hyper_rustls::HttpsConnectorBuilder::new()
			.with_provider_and_native_roots(provider.clone())
		{
			Ok(builder) => builder,
			Err(e) => {
				log::warn!(target: LOG_TARGET, "no system root certificates ({e}): HTTPS sources will fail");
				let config = rustls::ClientConfig::builder_with_provider(provider)
					.with_safe_default_protocol_versions()
					.expect("the ring provider supports the default protocol versions; qed")
					.with_root_certificates(rustls::RootCertStore::empty())
					.with_no_client_auth();
				hyper_rustls::HttpsConnectorBuilder::new().with_tls_config(config)
			},
		};
		let connector = builder.https_or_http().enable_http1().build();
		let client =
			hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
				.build(connector);
		Self {
			uri,
			format: params.price_format,
			symbols: params.price_symbols.clone(),
			timeout: Duration::from_millis(params.price_timeout_ms.max(1)),
			client,
		}
	}

	/// One request: the quotes, or why there are none.
	pub async fn fetch(&self) -> Result<Vec<Quote>, QuoteError> {
		let request = hyper::Request::get(self.uri.clone())
			.header(hyper::header::USER_AGENT, "backstop-node price feeder")
			.header(hyper::header::ACCEPT, "application/json")
			.body(Empty::<Bytes>::new())
			.map_err(|e| QuoteError::Http(e.to_string()))?;
		let exchange = async {
			let response =
				self.client.request(request).await.map_err(|e| QuoteError::Http(e.to_string()))?;
			if !response.status().is_success() {
				return Err(QuoteError::Http(format!("status {}", response.status())));
			}
			let body = Limited::new(response.into_body(), MAX_RESPONSE_BYTES)
				.collect()
				.await
				.map_err(|e| QuoteError::Http(e.to_string()))?;
			Ok(body.to_bytes())
		};
		let body = tokio::time::timeout(self.timeout, exchange)
			.await
			.map_err(|_| QuoteError::Http(format!("no answer within {:?}", self.timeout)))??;
		parse_quotes(&body, self.format, &self.symbols, now_ms())
	}
}

/// Where the feeder's prices come from.
pub enum Source {
	/// The simulated walk of a development chain.
	Simulated(RandomWalk),
	/// An HTTP(S) endpoint.
	Http(Box<HttpSource>),
}

impl Source {
	fn describe(&self) -> String {
		match self {
			Self::Simulated(_) => "a simulated random walk (BTC, ETH)".into(),
			Self::Http(source) => format!("{} ({:?})", source.uri, source.format),
		}
	}
}

/// Builds the `submit_feed` transaction of `feeder` for `round`: the feed is
/// signed with the feeder's keystore key, the transaction itself is general
/// (authorized by the oracle pallet, not signed by an account).
pub fn feed_extrinsic(
	keystore: &KeystorePtr,
	feeder: &sr25519::Public,
	round: BlockNumber,
	batch: Vec<Quote>,
	genesis: <Block as sp_runtime::traits::Block>::Hash,
	best: BlockNumber,
) -> Result<OpaqueExtrinsic, String> {
	let feed = pallet_oracle_aggregator::SignedFeed::<backstop_runtime::Runtime> {
		feeder: (*feeder).into(),
		round,
		batch: batch
			.try_into()
			.map_err(|_| "more assets than the oracle's MaxBatch".to_string())?,
	};
	let payload = feed.signing_payload(&genesis);
	let signature = keystore
		.sr25519_sign(KEY_TYPE, feeder, &payload)
		.map_err(|e| format!("keystore: {e}"))?
		.ok_or_else(|| "the key left the keystore".to_string())?;
	let call = RuntimeCall::OracleAggregator(pallet_oracle_aggregator::Call::submit_feed {
		feed,
		signature: signature.into(),
	});
	let tx_ext: TxExtension = (
		frame_system::AuthorizeCall::new(),
		frame_system::CheckNonZeroSender::new(),
		frame_system::CheckSpecVersion::new(),
		frame_system::CheckTxVersion::new(),
		frame_system::CheckGenesis::new(),
		frame_system::CheckEra::from(Era::mortal(ERA_PERIOD, u64::from(best))),
		frame_system::CheckNonce::from(0),
		frame_system::CheckWeight::new(),
		backstop_runtime::configs::monetary::ChargeTransactionPaymentCapped::from_tip(0),
		frame_metadata_hash_extension::CheckMetadataHash::new(false),
		frame_system::WeightReclaim::new(),
	);
	let xt = UncheckedExtrinsic::new_transaction(call, tx_ext);
	OpaqueExtrinsic::try_from_encoded_extrinsic(&xt.encode()).map_err(|e| e.to_string())
}

/// Inserts the dev feeders' keys into `keystore`.
pub fn insert_dev_keys(keystore: &KeystorePtr) -> Result<(), String> {
	for seed in DEV_FEEDER_SEEDS {
		keystore
			.sr25519_generate_new(KEY_TYPE, Some(seed))
			.map_err(|e| format!("cannot insert the dev feeder key {seed}: {e}"))?;
	}
	Ok(())
}

/// The next new best block of `blocks`, skipping to the newest one already
/// notified: a slow task must not work through old blocks. `None` once the
/// stream ends.
pub async fn next_best(
	blocks: &mut sc_client_api::ImportNotifications<Block>,
) -> Option<sc_client_api::BlockImportNotification<Block>> {
	loop {
		let mut block = blocks.next().await?;
		while let Some(Some(newer)) = blocks.next().now_or_never() {
			if newer.is_new_best {
				block = newer;
			}
		}
		if block.is_new_best {
			return Some(block);
		}
	}
}

/// Submits `xt` to `pool` at block `at` as a local transaction; a refusal
/// (an old round, a nonce already used) is only logged.
pub async fn submit_local<P>(
	pool: &P,
	at: <Block as sp_runtime::traits::Block>::Hash,
	xt: OpaqueExtrinsic,
	target: &str,
	what: impl fmt::Display,
) where
	P: TransactionPool<Block = Block>,
{
	if let Err(e) = pool.submit_one(at, TransactionSource::Local, xt).await {
		log::debug!(target: target, "{what} not accepted: {e}");
	}
}

/// Feeds from `source` with every `feed` key in `keystore` until the node
/// stops.
pub async fn run<P>(
	client: Arc<FullClient>,
	pool: Arc<P>,
	keystore: KeystorePtr,
	mut source: Source,
) where
	P: TransactionPool<Block = Block> + 'static,
{
	let mut blocks = client.import_notification_stream();
	log::info!(
		target: LOG_TARGET,
		"feeding prices from {} with {} feeder key(s)",
		source.describe(),
		keystore.sr25519_public_keys(KEY_TYPE).len()
	);
	let genesis = client.info().genesis_hash;
	let mut warned_no_keys = false;
	while let Some(block) = next_best(&mut blocks).await {
		let keys = keystore.sr25519_public_keys(KEY_TYPE);
		if keys.is_empty() {
			if !warned_no_keys {
				log::warn!(target: LOG_TARGET, "no `feed` key in the keystore: nothing is fed until one is inserted");
				warned_no_keys = true;
			}
			continue;
		}
		warned_no_keys = false;
		let best = block.header.number;
		let round = best.saturating_add(1);
		if let Err(e) = client.runtime_api().version(block.hash) {
			log::warn!(target: LOG_TARGET, "no runtime at {}: {e}", block.hash);
			continue;
		}
		let shared = match &mut source {
			Source::Simulated(walk) => {
				walk.step();
				None
			},
			Source::Http(http) => match http.fetch().await {
				Ok(quotes) => Some(quotes),
				Err(e) => {
					log::warn!(target: LOG_TARGET, "no feed for round {round}: {e}");
					continue;
				},
			},
		};
		for key in keys {
			let batch = match (&shared, &mut source) {
				(Some(quotes), _) => quotes.clone(),
				(None, Source::Simulated(walk)) => walk.quotes(now_ms()),
				(None, Source::Http(_)) => continue,
			};
			match feed_extrinsic(&keystore, &key, round, batch, genesis, best) {
				Ok(xt) => {
					let what = format!("feed of {key} for round {round}");
					submit_local(&*pool, block.hash, xt, LOG_TARGET, what).await;
				},
				Err(e) => log::warn!(target: LOG_TARGET, "cannot build the feed of {key}: {e}"),
			}
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn fixed(text: &str) -> FixedU128 {
		parse_decimal(text).unwrap()
	}

	#[test]
	fn decimals_parse_exactly() {
		assert_eq!(fixed("65000"), FixedU128::from_u32(65_000));
		assert_eq!(fixed("65000.25"), FixedU128::from_rational(6_500_025, 100));
		assert_eq!(fixed("0.000000000000000001"), FixedU128::from_inner(1));
		// Digits beyond the 18th are cut off.
		assert_eq!(
			fixed("1.0000000000000000019"),
			FixedU128::from_inner(1_000_000_000_000_000_001)
		);
		for bad in ["", "-1", "1e5", "abc", ".5", "1.2.3", "0", "0.000", " 1"] {
			assert_eq!(parse_decimal(bad), Err(QuoteError::BadPrice(bad.into())), "{bad}");
		}
	}

	#[test]
	fn backstop_format_names_assets_and_times() {
		let body = br#"{"prices":[{"asset":0,"price":"65000.5","observed_at":1764720000000},
			{"asset":1,"price":3200},{"asset":0,"price":"1"}]}"#;
		let quotes = parse_quotes(body, Format::Auto, &[], 1_764_720_000_500).unwrap();
		assert_eq!(
			quotes,
			vec![
				(0, FixedU128::from_rational(130_001, 2), 1_764_720_000_000),
				(1, FixedU128::from_u32(3_200), 1_764_720_000_500),
			]
		);
	}

	#[test]
	fn binance_format_maps_symbols() {
		let body = br#"[{"symbol":"ETHUSDT","price":"3200.10000000"},
			{"symbol":"BTCUSDT","price":"65000.01000000"},{"symbol":"SOLUSDT","price":"150"}]"#;
		let quotes = parse_quotes(body, Format::Auto, &[], 7).unwrap();
		assert_eq!(
			quotes,
			vec![
				(BTC, FixedU128::from_rational(6_500_001, 100), 7),
				(ETH, FixedU128::from_rational(32_001, 10), 7),
			]
		);
		// One symbol, explicitly mapped.
		let single = br#"{"symbol":"SOLUSDT","price":"150.5"}"#;
		let quotes = parse_quotes(single, Format::Binance, &[(5, "SOLUSDT".into())], 7).unwrap();
		assert_eq!(quotes, vec![(5, FixedU128::from_rational(301, 2), 7)]);
		let error = br#"{"code":-1121,"msg":"Invalid symbol."}"#;
		assert_eq!(
			parse_quotes(error, Format::Binance, &[], 7),
			Err(QuoteError::Exchange("Invalid symbol.".into()))
		);
	}

	#[test]
	fn kraken_format_reads_the_last_trade() {
		let body = br#"{"error":[],"result":{"XXBTZUSD":{"a":["65001.0","1","1.0"],
			"c":["65000.20000","0.001"]},"XETHZUSD":{"c":["3200.5","1"]}}}"#;
		let quotes = parse_quotes(body, Format::Auto, &[], 9).unwrap();
		assert_eq!(
			quotes,
			vec![
				(BTC, FixedU128::from_rational(325_001, 5), 9),
				(ETH, FixedU128::from_rational(6_401, 2), 9),
			]
		);
		let error = br#"{"error":["EQuery:Unknown asset pair"]}"#;
		assert!(matches!(parse_quotes(error, Format::Auto, &[], 9), Err(QuoteError::Exchange(_))));
	}

	#[test]
	fn bad_answers_are_named() {
		assert!(matches!(
			parse_quotes(b"<html>", Format::Auto, &[], 0),
			Err(QuoteError::NotJson(_))
		));
		assert!(matches!(
			parse_quotes(b"{\"x\":1}", Format::Auto, &[], 0),
			Err(QuoteError::Shape(_))
		));
		assert_eq!(
			parse_quotes(br#"[{"symbol":"DOGEUSDT","price":"0.1"}]"#, Format::Auto, &[], 0),
			Err(QuoteError::NoQuotes)
		);
		assert_eq!(
			parse_quotes(br#"{"prices":[{"asset":0,"price":"-5"}]}"#, Format::Auto, &[], 0),
			Err(QuoteError::BadPrice("-5".into()))
		);
		assert!(matches!(
			parse_quotes(br#"{"prices":[{"price":"5"}]}"#, Format::Auto, &[], 0),
			Err(QuoteError::Shape(_))
		));
	}

	#[test]
	fn symbol_arguments_are_checked() {
		assert_eq!(parse_symbol("0=BTCUSDT"), Ok((0, "BTCUSDT".into())));
		assert!(parse_symbol("BTCUSDT").is_err());
		assert!(parse_symbol("x=BTCUSDT").is_err());
		assert!(parse_symbol("0=").is_err());
	}

	#[test]
	fn walk_stays_near_its_start_and_is_deterministic() {
		let mut a = RandomWalk::new(7);
		let mut b = RandomWalk::new(7);
		for _ in 0..100 {
			a.step();
			b.step();
		}
		assert_eq!(a.quotes(1), b.quotes(1));
		// 100 steps of at most ±0.2% stay within ±25% of the start.
		let btc = a.prices[0].1;
		assert!(btc > 65_000.0 * 0.75 && btc < 65_000.0 * 1.25, "{btc}");
		for (_, price, at) in a.quotes(5) {
			assert!(price > FixedU128::from_u32(1));
			assert_eq!(at, 5);
		}
	}

	#[test]
	fn feeds_are_signed_with_the_keystore_key_over_the_oracle_payload() {
		use sp_core::Pair;
		use sp_runtime::traits::Verify;
		let keystore: KeystorePtr = Arc::new(sp_keystore::testing::MemoryKeystore::new());
		insert_dev_keys(&keystore).unwrap();
		let keys = keystore.sr25519_public_keys(KEY_TYPE);
		assert_eq!(keys.len(), 3);
		let alice_stash = sr25519::Pair::from_string("//Alice//stash", None).unwrap().public();
		assert!(keys.contains(&alice_stash));
		let genesis = Default::default();
		let batch = vec![(BTC, FixedU128::from_u32(65_000), 1_000)];
		let xt = feed_extrinsic(&keystore, &alice_stash, 7, batch, genesis, 6).unwrap();
		let decoded = <UncheckedExtrinsic as codec::Decode>::decode(&mut &xt.encode()[..]).unwrap();
		let RuntimeCall::OracleAggregator(pallet_oracle_aggregator::Call::submit_feed {
			feed,
			signature,
		}) = decoded.function
		else {
			panic!("not a submit_feed: {:?}", decoded.function);
		};
		assert_eq!(feed.round, 7);
		assert_eq!(feed.feeder, alice_stash.into());
		assert!(signature.verify(&feed.signing_payload(&genesis)[..], &feed.feeder));
		// A general transaction: no signer.
		assert!(matches!(decoded.preamble, sp_runtime::generic::Preamble::General(..)));
	}
}
