//! The simulation: the real `backstop-runtime`, natively, in
//! `sp_io::TestExternalities`, driven block by block as the node drives it.
//!
//! Each block: `Executive::initialize_block` (every pallet's
//! `on_initialize`, the margin pallet's liquidation sweep among them), the
//! timestamp, the three dev feeders' signed `submit_feed` transactions
//! through `Executive::apply_extrinsic` (as the node's price feeder submits
//! them), the keeper's `liquidate_batch` transactions for the accounts the
//! runtime API `liquidatable_accounts` named at the end of the block before
//! (as the node's keeper does, each only while its declared weight fits in
//! what normal transactions may still use of the block), the users' calls
//! from their signed origins (charged their actual weight), then
//! `Executive::finalize_block` (`on_idle`, `on_finalize`). After the block:
//! every pallet's `try_state`, the cross-pallet solvency check and the
//! constant settlement supply (`backstop_runtime::testing`).

use crate::rng::Rng;
use crate::scenarios::Path;
use backstop_primitives::{units::BASE_UNIT, LossTier, Price};
use backstop_runtime::{
	genesis_config_presets as presets, testing, AccountId, Balance, BuildStorage, Executive,
	Header, Margin, OptionsBackstop, Runtime, RuntimeCall, RuntimeEvent, RuntimeGenesisConfig,
	RuntimeOrigin, SharedLiquidity, StakingBackstop, System, DOLLARS, SETTLEMENT_ASSET_ID,
};
use codec::Encode;
use frame_support::{
	dispatch::{DispatchClass, GetDispatchInfo},
	traits::{fungibles::Inspect, Get},
	BoundedVec,
};
use pallet_staking_backstop::Tranche;
use serde_json::Value;
use sp_keyring::Sr25519Keyring;
use sp_runtime::{
	traits::{Dispatchable, Header as _, Saturating},
	FixedPointNumber, FixedU128, Permill,
};
use std::collections::{BTreeSet, HashMap};

/// Milliseconds between blocks (the dev chain's slot).
const BLOCK_MS: u64 = 6_000;
/// Blocks at the starting prices after the book is built, before the path.
pub const WARMUP_BLOCKS: u32 = 5;
/// Blocks at the path's last prices after it, for liquidations and
/// deleveraging to finish.
pub const TAIL_BLOCKS: u32 = 30;
/// Each market's book (long plus short notional) is scaled to at most this
/// share of its lower open-interest cap (where initial margin starts to rise).
const BOOK_SHARE_OF_OI_CAP: f64 = 0.6;
/// The stress move of the markets the simulator adds (the preset's ETH).
const ADDED_STRESS_MOVE: u32 = 40;
/// The lower and upper open-interest caps of the added markets (the preset's ETH).
const ADDED_OI_CAPS: (Balance, Balance) = (20_000_000 * DOLLARS, 100_000_000 * DOLLARS);
/// The loss cap of the added markets on the pool (the preset's ETH).
const ADDED_LOSS_CAP: Balance = 30_000 * DOLLARS;

/// The three dev feeders.
const FEEDERS: [Sr25519Keyring; 3] =
	[Sr25519Keyring::AliceStash, Sr25519Keyring::BobStash, Sr25519Keyring::CharlieStash];

fn account(tag: &[u8], index: u32) -> AccountId {
	AccountId::new(sp_io::hashing::blake2_256(&(b"backstop-stress", tag, index).encode()))
}

/// One trader of the book.
#[derive(Clone, Debug)]
pub struct Trader {
	/// Its account.
	pub who: AccountId,
	/// The index of its asset (and market).
	pub market: u32,
	/// Long or short.
	pub long: bool,
	/// Leverage at entry.
	pub leverage: f64,
	/// Collateral (dollars).
	pub collateral: f64,
}

/// The traders, LPs and stakers of a run.
pub struct Book {
	/// The traders.
	pub traders: Vec<Trader>,
	/// The LPs and what each deposits.
	pub lps: Vec<(AccountId, Balance)>,
	/// The stakers.
	pub stakers: Vec<AccountId>,
	/// Each staker's wallet at genesis.
	pub staker_wallet: Balance,
	/// The keeper.
	pub keeper: AccountId,
	/// Each market's credit cap on the pool.
	pub credit_caps: Vec<Balance>,
}

/// A leverage from the traders' distribution: 45% between 1.5x and 5x, 35%
/// between 5x and 10x, 20% between 10x and 18x (initial margin is 5%).
fn leverage(rng: &mut Rng) -> f64 {
	let u = rng.uniform();
	if u < 0.45 {
		rng.range(1.5, 5.0)
	} else if u < 0.80 {
		rng.range(5.0, 10.0)
	} else {
		rng.range(10.0, 18.0)
	}
}

fn lower_oi_cap(market: usize) -> f64 {
	match market {
		0 => 50_000_000.0,
		1 => 20_000_000.0,
		_ => (ADDED_OI_CAPS.0 / DOLLARS) as f64,
	}
}

impl Book {
	/// The seeded book of `accounts` traders on `path`'s assets.
	pub fn new(path: &Path, accounts: u32, seed: u64) -> Self {
		let mut rng = Rng::new(seed);
		let total_weight: f64 = path.weights.iter().sum();
		let mut traders: Vec<Trader> = (0..accounts)
			.map(|i| {
				let mut pick = rng.uniform() * total_weight;
				let mut market = path.weights.len() - 1;
				for (m, w) in path.weights.iter().enumerate() {
					if pick < *w {
						market = m;
						break;
					}
					pick -= w;
				}
				let long = rng.chance(path.long_share);
				let leverage = leverage(&mut rng);
				// Lognormal collateral, median 1,000 dollars, between 100 and 20,000.
				let collateral = (1_000.0 * (0.8 * rng.normal()).exp()).clamp(100.0, 20_000.0);
				Trader {
					who: account(b"trader", i),
					market: market as u32,
					long,
					leverage,
					collateral,
				}
			})
			.collect();
		// Scale each market's book to its open-interest room.
		let markets = path.symbols.len();
		let mut notional = vec![0.0; markets];
		for t in &traders {
			notional[t.market as usize] += t.collateral * t.leverage;
		}
		for t in traders.iter_mut() {
			let m = t.market as usize;
			let room = BOOK_SHARE_OF_OI_CAP * lower_oi_cap(m);
			if notional[m] > room {
				t.collateral *= room / notional[m];
			}
		}
		let mut notional = vec![0.0; markets];
		for t in &traders {
			notional[t.market as usize] += t.collateral * t.leverage;
		}
		// The pool lends each market half its book's notional (the reserve is
		// a fifth of it); the LPs provide all of it.
		let credit_caps: Vec<Balance> =
			notional.iter().map(|n| dollars(n * 0.5).max(500_000 * DOLLARS)).collect();
		let liquidity: Balance = credit_caps.iter().sum();
		let lp_count = (accounts / 100).max(5);
		let lps = (0..lp_count)
			.map(|i| (account(b"lp", i), liquidity / Balance::from(lp_count)))
			.collect();
		let staker_count = (accounts / 200).max(4);
		let book_notional: f64 = notional.iter().sum();
		let staker_wallet = dollars(book_notional * 0.5 / f64::from(staker_count));
		Self {
			traders,
			lps,
			stakers: (0..staker_count).map(|i| account(b"staker", i)).collect(),
			staker_wallet,
			keeper: account(b"keeper", 0),
			credit_caps,
		}
	}
}

/// `x` dollars in the settlement asset's units (rounded down, at least 0).
pub fn dollars(x: f64) -> Balance {
	if x.is_finite() && x > 0.0 {
		(x * DOLLARS as f64) as Balance
	} else {
		0
	}
}

/// A USD price as the oracle's fixed point.
pub fn price(x: f64) -> Price {
	let inner = x * FixedU128::accuracy() as f64;
	if inner.is_finite() && inner >= 1.0 {
		FixedU128::from_inner(inner as u128)
	} else {
		FixedU128::from_inner(1)
	}
}

/// A fixed point as a float.
pub fn float(x: FixedU128) -> f64 {
	x.into_inner() as f64 / FixedU128::accuracy() as f64
}

/// Settlement units as dollars.
pub fn usd(x: Balance) -> f64 {
	x as f64 / DOLLARS as f64
}

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

/// The `development` preset, extended: the path's further assets as
/// markets (oracle asset, market, insurance sub-fund, pool line), every
/// market's credit cap raised to the book's, and the traders, LPs and
/// stakers endowed. The settlement supply is fixed from here on.
pub fn genesis(path: &Path, book: &Book) -> Result<sp_core::storage::Storage, String> {
	let preset = presets::get_preset(&"development".into()).ok_or("no development preset")?;
	let patch: Value = serde_json::from_slice(&preset).map_err(|e| e.to_string())?;
	let mut json =
		serde_json::to_value(RuntimeGenesisConfig::default()).map_err(|e| e.to_string())?;
	merge(&mut json, patch);
	let mut config: RuntimeGenesisConfig =
		serde_json::from_value(json).map_err(|e| format!("the preset: {e}"))?;
	for (index, start) in path.prices[0].iter().enumerate().skip(2) {
		let id = u32::try_from(index).map_err(|_| "too many assets")?;
		// The skew scale of about 30 million dollars of the asset (the ETH market's).
		let skew_scale = ((30_000_000.0 / start) as u128).max(1) * BASE_UNIT;
		config
			.margin
			.markets
			.push((id, presets::demo_market(id, ADDED_OI_CAPS.0, ADDED_OI_CAPS.1, skew_scale)));
		config.margin.stress_moves.push((id, Permill::from_percent(ADDED_STRESS_MOVE)));
		config.oracle_aggregator.assets.push((id, presets::demo_oracle_config()));
		config.insurance_fund.market_seeds.push((id, presets::INSURANCE_MARKET_SEED));
		config.shared_liquidity.markets.push((
			id,
			pallet_shared_liquidity::ProtocolTerms {
				credit_cap: 0,
				loss_cap: ADDED_LOSS_CAP,
				reserve_factor: presets::DEMO_RESERVE_FACTOR,
				max_pnl_factor: presets::DEMO_MAX_PNL_FACTOR,
				..Default::default()
			},
		));
	}
	// The options backstop's first series is struck at the preset's BTC
	// price; the path starts elsewhere, so the hook lists it in the first
	// block at the path's EMA instead.
	config.options_backstop.series.clear();
	for (id, terms) in config.shared_liquidity.markets.iter_mut() {
		if let Some(cap) = book.credit_caps.get(*id as usize) {
			terms.credit_cap = terms.credit_cap.max(*cap);
		}
	}
	let accounts = &mut config.assets.accounts;
	for t in &book.traders {
		accounts.push((SETTLEMENT_ASSET_ID, t.who.clone(), dollars(t.collateral) + 10 * DOLLARS));
	}
	for (lp, amount) in &book.lps {
		accounts.push((SETTLEMENT_ASSET_ID, lp.clone(), amount + DOLLARS));
	}
	for s in &book.stakers {
		accounts.push((SETTLEMENT_ASSET_ID, s.clone(), book.staker_wallet + DOLLARS));
	}
	config.build_storage()
}

/// Where in the run a block is.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Phase {
	/// LPs deposit, traders open, stakers stake.
	Setup,
	/// The starting prices, before the path.
	Warmup,
	/// The path's step `n`.
	Path(usize),
	/// The last prices, after the path.
	Tail,
}

impl std::fmt::Display for Phase {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		match self {
			Phase::Setup => write!(f, "setup"),
			Phase::Warmup => write!(f, "warmup"),
			Phase::Path(n) => write!(f, "path step {n}"),
			Phase::Tail => write!(f, "tail"),
		}
	}
}

/// One block's figures (a row of the CSV).
#[derive(Clone, Debug, Default)]
pub struct Row {
	pub block: u32,
	pub phase: String,
	pub prices: Vec<f64>,
	pub liquidations: u32,
	pub bankrupt: u32,
	pub liquidatable: u32,
	pub bad_debt: f64,
	pub insurance_covered: f64,
	pub staking_covered: f64,
	pub lp_covered: f64,
	pub adl_taken: f64,
	pub deficit: f64,
	pub insurance: f64,
	pub junior: f64,
	pub senior: f64,
	pub lp_nav: f64,
	pub lp_share_price: f64,
	pub coverage: Option<f64>,
	pub open_interest: f64,
	pub profit_deleveraged: u32,
	pub weight_ratio: f64,
	/// What the options backstop paid the insurance fund in the block
	/// (early exercise or settlement).
	pub options_payout: f64,
	/// What the fund's open put spreads would pay at a 50% fall.
	pub protection_at_50: f64,
}

/// What a run measured.
#[derive(Default, Debug)]
pub struct Totals {
	pub trades_ok: u32,
	pub trades_refused: u32,
	pub refusals: HashMap<String, u32>,
	pub bad_debt: f64,
	pub insurance_covered: f64,
	pub staking_covered: f64,
	pub lp_covered: f64,
	pub adl_taken: f64,
	pub deficit_paid: f64,
	pub adl_accounts: BTreeSet<u32>,
	pub adl_events: u32,
	pub profit_deleveraged_events: u32,
	pub liquidations: u32,
	pub liquidated_accounts: BTreeSet<u32>,
	pub bankrupt_liquidations: u32,
	pub keeper_liquidations: u32,
	pub sweep_liquidations: u32,
	pub latencies: Vec<u32>,
	pub junior_slashed: f64,
	pub senior_slashed: f64,
	pub junior_staked: f64,
	pub senior_staked: f64,
	pub penalties: f64,
	/// Premiums the insurance fund paid for put spreads, and the payouts
	/// it received from them.
	pub options_premiums: f64,
	pub options_payouts: f64,
	pub options_purchases: u32,
	pub options_exercises: u32,
}

/// A violation: where the run stopped and why.
#[derive(Clone, Debug)]
pub struct Violation {
	pub block: u32,
	pub phase: String,
	pub message: String,
}

/// A run in progress.
pub struct Sim {
	ext: sp_io::TestExternalities,
	supply: Balance,
	pub path: Path,
	pub book: Book,
	index: HashMap<AccountId, u32>,
	/// The block each trader was first seen liquidatable (since its last liquidation).
	since: Vec<Option<u32>>,
	/// The accounts the keeper names in the next block.
	keeper_queue: Vec<AccountId>,
	prices: Vec<f64>,
	pub rows: Vec<Row>,
	pub totals: Totals,
	pub violation: Option<Violation>,
	pub setup_blocks: u32,
}

fn catch<R>(f: impl FnOnce() -> R) -> Result<R, String> {
	std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(|e| {
		e.downcast_ref::<String>()
			.cloned()
			.or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
			.unwrap_or_else(|| "a panic".into())
	})
}

impl Sim {
	/// The chain at genesis, nothing done yet.
	pub fn new(path: Path, book: Book) -> Result<Self, String> {
		let storage = genesis(&path, &book)?;
		let mut ext = testing::ext_at_block_one(storage);
		let supply = ext.execute_with(|| {
			// Genesis is block 1; it is re-opened with hooks and feeds.
			System::set_block_number(0);
			backstop_runtime::Assets::total_issuance(SETTLEMENT_ASSET_ID)
		});
		let index =
			book.traders.iter().enumerate().map(|(i, t)| (t.who.clone(), i as u32)).collect();
		let since = vec![None; book.traders.len()];
		let prices = path.prices[0].clone();
		Ok(Self {
			ext,
			supply,
			path,
			book,
			index,
			since,
			keeper_queue: Vec::new(),
			prices,
			rows: Vec::new(),
			totals: Totals::default(),
			violation: None,
			setup_blocks: 0,
		})
	}

	/// Blocks the run will have after setup.
	pub fn blocks_after_setup(&self) -> u64 {
		u64::from(WARMUP_BLOCKS) + (self.path.prices.len() as u64 - 1) + u64::from(TAIL_BLOCKS)
	}

	/// Runs the whole scenario; `tick` after every block. Stops at the first
	/// violation (kept in `self.violation`).
	pub fn run(&mut self, mut tick: impl FnMut(&Row)) {
		// Setup: LPs deposit in the first block; traders open while their
		// calls fit in the blocks; then the stakers stake.
		let mut next_trader = 0usize;
		let mut lps_done = false;
		let mut stakers_done = false;
		while !stakers_done {
			let opened_all = next_trader >= self.book.traders.len();
			let ok = self.block(Phase::Setup, |sim| {
				if !lps_done {
					for (lp, amount) in sim.book.lps.clone() {
						let call =
							RuntimeCall::SharedLiquidity(pallet_shared_liquidity::Call::deposit {
								amount,
							});
						sim.user_call(&lp, call, "LP deposit");
					}
					lps_done = true;
				} else if !opened_all {
					while next_trader < sim.book.traders.len() {
						if !sim.open(next_trader) {
							break;
						}
						next_trader += 1;
					}
				} else {
					sim.stake();
					stakers_done = true;
				}
			});
			self.setup_blocks += 1;
			if !ok {
				return;
			}
			if let Some(row) = self.rows.last() {
				tick(row);
			}
		}
		for _ in 0..WARMUP_BLOCKS {
			if !self.block(Phase::Warmup, |_| {}) {
				return;
			}
			tick(self.rows.last().expect("a row"));
		}
		for step in 1..self.path.prices.len() {
			self.prices = self.path.prices[step].clone();
			if !self.block(Phase::Path(step), |_| {}) {
				return;
			}
			tick(self.rows.last().expect("a row"));
		}
		for _ in 0..TAIL_BLOCKS {
			if !self.block(Phase::Tail, |_| {}) {
				return;
			}
			tick(self.rows.last().expect("a row"));
		}
	}

	/// Trader `i` deposits and opens, if both calls fit in the block.
	fn open(&mut self, i: usize) -> bool {
		let t = self.book.traders[i].clone();
		let amount = dollars(t.collateral);
		let p = self.prices[t.market as usize];
		let size = t.collateral * t.leverage / p * BASE_UNIT as f64;
		let size = if size.is_finite() { size as i128 } else { 0 };
		let size = if t.long { size } else { -size };
		let served = testing::served_price(t.market).unwrap_or_else(|| price(p));
		let slack = served.saturating_mul(FixedU128::from_rational(2, 100));
		let acceptable =
			if t.long { served.saturating_add(slack) } else { served.saturating_sub(slack) };
		let deposit = RuntimeCall::Margin(pallet_margin::Call::deposit { amount });
		let trade = RuntimeCall::Margin(pallet_margin::Call::trade {
			market: t.market,
			size_delta: size,
			acceptable_price: acceptable,
		});
		let declared =
			deposit.get_dispatch_info().total_weight() + trade.get_dispatch_info().total_weight();
		if !fits(declared) {
			return false;
		}
		self.user_call(&t.who, deposit, "deposit");
		match self.user_call(&t.who, trade, "trade") {
			true => self.totals.trades_ok += 1,
			false => self.totals.trades_refused += 1,
		}
		true
	}

	/// The stakers stake the chain's stressed required capital (a coverage
	/// of one at the start): 40% junior, 60% senior, split evenly.
	fn stake(&mut self) {
		let required = StakingBackstop::required_capital();
		let count = self.book.stakers.len() as Balance;
		let junior = (required * 2 / 5 / count).min(self.book.staker_wallet / 2);
		let senior = (required * 3 / 5 / count).min(self.book.staker_wallet / 2);
		for s in self.book.stakers.clone() {
			for (tranche, amount) in [(Tranche::Junior, junior), (Tranche::Senior, senior)] {
				let amount = amount.max(100 * DOLLARS);
				let call = RuntimeCall::StakingBackstop(pallet_staking_backstop::Call::stake {
					tranche,
					amount,
				});
				if self.user_call(&s, call, "stake") {
					match tranche {
						Tranche::Junior => self.totals.junior_staked += usd(amount),
						Tranche::Senior => self.totals.senior_staked += usd(amount),
					}
				}
			}
		}
	}

	/// Dispatches `call` from `who`'s signed origin and charges its actual
	/// weight to the block; counts a refusal under `what`.
	fn user_call(&mut self, who: &AccountId, call: RuntimeCall, what: &str) -> bool {
		match charged_call(who, call) {
			Ok(()) => true,
			Err(error) => {
				let reason = format!("{what}: {error:?}");
				*self.totals.refusals.entry(reason).or_default() += 1;
				false
			},
		}
	}

	/// The keeper's `liquidate_batch` transactions for the accounts found at
	/// the end of the block before, while each fits in the block.
	fn keeper(&mut self) {
		let batch: u32 = <Runtime as pallet_margin::Config>::MaxLiquidationBatch::get();
		let queue = std::mem::take(&mut self.keeper_queue);
		for chunk in queue.chunks(batch as usize) {
			let declared = Margin::batch_weight(chunk.len(), None);
			if !fits(declared) {
				break;
			}
			let call = RuntimeCall::Margin(pallet_margin::Call::liquidate_batch {
				accounts: BoundedVec::truncate_from(chunk.to_vec()),
			});
			let keeper = self.book.keeper.clone();
			self.user_call(&keeper, call, "keeper batch");
		}
	}

	/// The options keeper: while the insurance fund is below its floor it
	/// exercises every in-the-money spread early; otherwise it runs the
	/// purchase policy (refused when there is nothing to buy, which is not
	/// counted) and settles expired series.
	fn options_keeper(&mut self) {
		let keeper = self.book.keeper.clone();
		let now = System::block_number();
		// Refusals (nothing to buy, out of the money) are not counted.
		let quiet = |call: RuntimeCall| {
			if fits(call.get_dispatch_info().total_weight()) {
				let _ = charged_call(&keeper, call);
			}
		};
		let below_floor = backstop_runtime::InsuranceFund::global_below_floor();
		for series in OptionsBackstop::series() {
			if series.expiry <= now {
				quiet(RuntimeCall::OptionsBackstop(pallet_options_backstop::Call::settle {
					series: series.id,
				}));
			} else if below_floor && series.open > 0 {
				quiet(RuntimeCall::OptionsBackstop(
					pallet_options_backstop::Call::exercise_early {
						series: series.id,
						size: series.open,
					},
				));
			}
		}
		if !below_floor {
			quiet(RuntimeCall::OptionsBackstop(pallet_options_backstop::Call::execute_policy {}));
		}
	}

	/// One block: open it (hooks, time, feeds), the keeper, `users`, close
	/// it, account for its events, check every invariant. `false` if the
	/// run must stop.
	fn block(&mut self, phase: Phase, users: impl FnOnce(&mut Self)) -> bool {
		let prices = self.prices.clone();
		let supply = self.supply;
		let mut ext = std::mem::take(&mut self.ext);
		let outcome = ext.execute_with(|| {
			catch(|| {
				open_block(&prices);
				self.keeper();
				self.options_keeper();
				users(self);
				Executive::finalize_block();
				let events: Vec<RuntimeEvent> =
					System::events().into_iter().map(|r| r.event).collect();
				let block = System::block_number();
				let mut row = self.account_events(block, &events);
				let violation = testing::invariant_violation(supply);
				self.scan(block, &mut row);
				row.phase = phase.to_string();
				row.prices = prices.clone();
				let limits = <Runtime as frame_system::Config>::BlockWeights::get();
				row.weight_ratio = System::block_weight().total().ref_time() as f64
					/ limits.max_block.ref_time() as f64;
				(row, violation)
			})
		});
		self.ext = ext;
		match outcome {
			Ok((row, violation)) => {
				let block = row.block;
				self.rows.push(row);
				if let Some(message) = violation {
					self.violation = Some(Violation { block, phase: phase.to_string(), message });
					return false;
				}
				true
			},
			Err(message) => {
				let block = self.ext.execute_with(System::block_number);
				self.violation = Some(Violation {
					block,
					phase: phase.to_string(),
					message: format!("the runtime panicked: {message}"),
				});
				false
			},
		}
	}

	/// Accounts for the block's events.
	fn account_events(&mut self, block: u32, events: &[RuntimeEvent]) -> Row {
		let mut row = Row { block, ..Default::default() };
		let keeper = self.book.keeper.clone();
		for event in events {
			match event {
				RuntimeEvent::Margin(pallet_margin::Event::Liquidated {
					who,
					liquidator,
					bad_debt,
					penalty,
					..
				}) => {
					row.liquidations += 1;
					self.totals.liquidations += 1;
					self.totals.penalties += usd(*penalty);
					if liquidator.as_ref() == Some(&keeper) {
						self.totals.keeper_liquidations += 1;
					} else {
						self.totals.sweep_liquidations += 1;
					}
					if *bad_debt > 0 {
						row.bankrupt += 1;
						self.totals.bankrupt_liquidations += 1;
					}
					row.bad_debt += usd(*bad_debt);
					if let Some(i) = self.index.get(who).copied() {
						self.totals.liquidated_accounts.insert(i);
						// Seen liquidatable at the end of block `since`; a
						// liquidation nobody saw coming counts as this block.
						let seen = self.since[i as usize].take().unwrap_or(block);
						self.totals.latencies.push(block.saturating_sub(seen));
					}
				},
				RuntimeEvent::Margin(pallet_margin::Event::SettledWithBadDebt {
					bad_debt, ..
				}) => row.bad_debt += usd(*bad_debt),
				RuntimeEvent::Margin(pallet_margin::Event::Deleveraged { who, taken, .. }) => {
					row.adl_taken += usd(*taken);
					self.totals.adl_events += 1;
					if let Some(i) = self.index.get(who) {
						self.totals.adl_accounts.insert(*i);
					}
				},
				RuntimeEvent::Margin(pallet_margin::Event::DeficitCovered { amount, .. }) => {
					self.totals.deficit_paid += usd(*amount)
				},
				RuntimeEvent::Margin(pallet_margin::Event::ProfitDeleveraged { .. }) => {
					row.profit_deleveraged += 1;
					self.totals.profit_deleveraged_events += 1;
				},
				RuntimeEvent::InsuranceFund(pallet_insurance_fund::Event::LossAbsorbed {
					tier: LossTier::InsuranceFund,
					covered,
					..
				}) => row.insurance_covered += usd(*covered),
				RuntimeEvent::StakingBackstop(pallet_staking_backstop::Event::LossAbsorbed {
					tier: LossTier::StakingBackstop,
					covered,
					..
				}) => row.staking_covered += usd(*covered),
				RuntimeEvent::StakingBackstop(pallet_staking_backstop::Event::TrancheSlashed {
					tranche,
					amount,
					..
				}) => match tranche {
					Tranche::Junior => self.totals.junior_slashed += usd(*amount),
					Tranche::Senior => self.totals.senior_slashed += usd(*amount),
				},
				RuntimeEvent::OptionsBackstop(
					pallet_options_backstop::Event::ProtectionBought { premium, .. },
				) => {
					self.totals.options_premiums += usd(*premium);
					self.totals.options_purchases += 1;
				},
				RuntimeEvent::OptionsBackstop(pallet_options_backstop::Event::ExercisedEarly {
					payout,
					..
				}) => {
					row.options_payout += usd(*payout);
					self.totals.options_exercises += 1;
				},
				RuntimeEvent::OptionsBackstop(pallet_options_backstop::Event::SeriesSettled {
					payout,
					..
				}) => row.options_payout += usd(*payout),
				RuntimeEvent::SharedLiquidity(pallet_shared_liquidity::Event::LossAbsorbed {
					tier: LossTier::SharedLiquidity,
					covered,
					..
				}) => row.lp_covered += usd(*covered),
				_ => {},
			}
		}
		self.totals.bad_debt += row.bad_debt;
		self.totals.insurance_covered += row.insurance_covered;
		self.totals.staking_covered += row.staking_covered;
		self.totals.lp_covered += row.lp_covered;
		self.totals.adl_taken += row.adl_taken;
		self.totals.options_payouts += row.options_payout;
		row
	}

	/// The state at the end of the block, and who is liquidatable now (the
	/// keeper names them in the next block, as the node's keeper does).
	fn scan(&mut self, block: u32, row: &mut Row) {
		let mut liquidatable = 0;
		for (i, t) in self.book.traders.iter().enumerate() {
			if Margin::is_liquidatable(&t.who) == Ok(true) {
				liquidatable += 1;
				self.since[i].get_or_insert(block);
			} else {
				self.since[i] = None;
			}
		}
		row.liquidatable = liquidatable;
		if liquidatable > 0 {
			let batch: u32 = <Runtime as pallet_margin::Config>::MaxLiquidationBatch::get();
			// The node's keeper asks for at most 64 batches' worth.
			self.keeper_queue = Margin::liquidatable_accounts(batch.saturating_mul(64));
		}
		let mut deficit = 0;
		let mut open_interest = 0.0;
		for (id, info) in pallet_margin::Markets::<Runtime>::iter() {
			deficit += info.state.deficit;
			let p = self.prices.get(id as usize).copied().unwrap_or_default();
			let units = (info.state.long_open_interest + info.state.short_open_interest) as f64;
			open_interest += units / BASE_UNIT as f64 * p;
		}
		row.deficit = usd(deficit);
		row.open_interest = open_interest;
		let mut insurance = pallet_insurance_fund::GlobalFund::<Runtime>::get().balance;
		for fund in pallet_insurance_fund::MarketFunds::<Runtime>::iter_values() {
			insurance += fund.balance;
		}
		row.insurance = usd(insurance);
		row.junior = usd(pallet_staking_backstop::Tranches::<Runtime>::get(Tranche::Junior).assets);
		row.senior = usd(pallet_staking_backstop::Tranches::<Runtime>::get(Tranche::Senior).assets);
		row.lp_nav = SharedLiquidity::pool_nav().map(|n| n as f64 / DOLLARS as f64).unwrap_or(0.0);
		row.lp_share_price = SharedLiquidity::share_price().map(float).unwrap_or(0.0);
		row.coverage = StakingBackstop::coverage().map(float);
		row.protection_at_50 = (0..self.prices.len() as u32)
			.filter_map(OptionsBackstop::protection)
			.map(|p| usd(p.payout_at_50))
			.sum();
	}

	/// The traders still liquidatable at the end, with the blocks each has waited.
	pub fn still_liquidatable(&self) -> Vec<u32> {
		let last = self.rows.last().map(|r| r.block).unwrap_or_default();
		self.since.iter().flatten().map(|s| last.saturating_sub(*s)).collect()
	}
}

/// Dispatches `call` from `who`'s signed origin and charges its actual
/// weight (the declared one if it reports none) to the block.
fn charged_call(who: &AccountId, call: RuntimeCall) -> Result<(), sp_runtime::DispatchError> {
	let declared = call.get_dispatch_info().total_weight();
	let (post, result) = match call.dispatch(RuntimeOrigin::signed(who.clone())) {
		Ok(post) => (post, Ok(())),
		Err(e) => (e.post_info, Err(e.error)),
	};
	System::register_extra_weight_unchecked(
		post.actual_weight.unwrap_or(declared),
		DispatchClass::Normal,
	);
	result
}

/// Whether `declared` still fits in what normal transactions may use of
/// the block (and in the block).
fn fits(declared: frame_support::weights::Weight) -> bool {
	let limits = <Runtime as frame_system::Config>::BlockWeights::get();
	let normal_max = limits.get(DispatchClass::Normal).max_total.unwrap_or(limits.max_block);
	let used = System::block_weight();
	!(used.get(DispatchClass::Normal).saturating_add(declared).any_gt(normal_max)
		|| used.total().saturating_add(declared).any_gt(limits.max_block))
}

/// Opens the next block as the node does: `initialize_block` (the hooks),
/// the timestamp, and the three feeders' signed feeds of `prices`.
fn open_block(prices: &[f64]) {
	let number = System::block_number() + 1;
	let parent = System::block_hash(number - 1);
	Executive::initialize_block(&Header::new(
		number,
		Default::default(),
		Default::default(),
		parent,
		Default::default(),
	));
	testing::set_time(u64::from(number) * BLOCK_MS);
	let now = pallet_timestamp::Now::<Runtime>::get();
	let batch: Vec<_> =
		prices.iter().enumerate().map(|(asset, p)| (asset as u32, price(*p), now)).collect();
	for feeder in FEEDERS {
		let feed = pallet_oracle_aggregator::SignedFeed::<Runtime> {
			feeder: feeder.to_account_id(),
			round: number,
			batch: BoundedVec::truncate_from(batch.clone()),
		};
		let signature = feeder.sign(&feed.signing_payload(&System::block_hash(0)));
		let call = RuntimeCall::OracleAggregator(pallet_oracle_aggregator::Call::submit_feed {
			feed,
			signature: signature.into(),
		});
		let xt =
			backstop_runtime::UncheckedExtrinsic::new_transaction(call, testing::extensions(0, 0));
		match Executive::apply_extrinsic(xt) {
			Ok(Ok(())) => {},
			other => panic!("block {number}: {feeder:?}'s feed was refused: {other:?}"),
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::scenarios::{find, path, PathParams};

	fn params() -> PathParams {
		PathParams { seed: 5, shock: None, blocks: Some(40), correlation_spike: 0.95 }
	}

	#[test]
	fn the_book_is_reproducible_by_seed() {
		let p = path(find("monte-carlo").unwrap(), &params()).unwrap();
		let a = Book::new(&p, 200, 3);
		let b = Book::new(&p, 200, 3);
		let c = Book::new(&p, 200, 4);
		let key = |book: &Book| {
			book.traders
				.iter()
				.map(|t| (t.market, t.long, t.leverage.to_bits()))
				.collect::<Vec<_>>()
		};
		assert_eq!(key(&a), key(&b));
		assert_ne!(key(&a), key(&c));
		assert!(a.traders.iter().any(|t| t.long) && a.traders.iter().any(|t| !t.long));
		assert!(a.traders.iter().all(|t| (1.5..18.0).contains(&t.leverage)));
	}

	#[test]
	fn a_small_gap_run_holds_every_invariant_and_accounts_for_every_loss() {
		let p = path(find("gap").unwrap(), &params()).unwrap();
		let book = Book::new(&p, 120, 2);
		let mut sim = Sim::new(p, book).expect("genesis builds");
		sim.run(|_| {});
		assert!(sim.violation.is_none(), "{:?}", sim.violation);
		let t = &sim.totals;
		assert_eq!(t.trades_ok, 120);
		assert!(t.liquidations > 0, "a 30% gap liquidates someone");
		assert!(t.bad_debt > 0.0);
		let left = sim.rows.last().unwrap().deficit;
		let covered =
			t.insurance_covered + t.staking_covered + t.lp_covered + t.adl_taken + t.deficit_paid;
		assert!((t.bad_debt - covered - left).abs() < 1e-6, "every loss is borne by a tier");
		assert!(sim.still_liquidatable().is_empty());
		assert_eq!(sim.rows.len() as u64, u64::from(sim.setup_blocks) + sim.blocks_after_setup());
	}

	#[test]
	fn a_violated_invariant_stops_the_run_at_its_block() {
		use frame_support::traits::fungibles::Mutate;
		let p = path(find("slide").unwrap(), &params()).unwrap();
		let book = Book::new(&p, 20, 2);
		let mut sim = Sim::new(p, book).expect("genesis builds");
		assert!(sim.block(Phase::Warmup, |_| {}));
		let who = account(b"outsider", 0);
		let ok = sim.block(Phase::Path(1), |_| {
			<backstop_runtime::Assets as Mutate<AccountId>>::mint_into(
				SETTLEMENT_ASSET_ID,
				&who,
				DOLLARS,
			)
			.expect("minted");
		});
		assert!(!ok);
		let v = sim.violation.expect("a violation");
		assert_eq!(v.block, 2);
		assert_eq!(v.phase, "path step 1");
		assert!(v.message.contains("supply"), "{}", v.message);
	}
}
