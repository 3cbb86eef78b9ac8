//! Runtime fuzzing: arbitrary sequences of real calls from many origins
//! against the composed runtime, with every invariant checked.
//!
//! An input is a byte string read as a sequence of steps (at most
//! [`MAX_STEPS`]). A step is one of:
//! * a **time jump**: the current block ends and 1 to 4 blocks follow, each
//!   driven as the node does (`Executive::initialize_block`, the timestamp,
//!   the three dev feeders' `submit_feed` general transactions, the hooks,
//!   `Executive::finalize_block`), either 6 s apart or after a stall of up
//!   to ten minutes;
//! * a **price move** of BTC or ETH between -60% and +30% that the feeders
//!   agree on from the next block (or that one feeder alone reports);
//! * a **structured call** from one of the actors (traders, LPs, stakers,
//!   keepers, the feeders): margin deposits, withdrawals, trades at prices
//!   near the market, liquidations, market settlement, pool deposits and
//!   withdrawals, stakes and unstakes, insurance donations, transfers,
//!   signed feeds, and governance changes through sudo;
//! * a **raw call**: a `RuntimeCall` SCALE-decoded from the input itself
//!   (depth limit [`MAX_CALL_DEPTH`]), from a chosen actor.
//!
//! Every call is a transaction signed by its actor and applied through the
//! real transaction extensions (`Executive::apply_extrinsic`: validate,
//! prepare, dispatch, post-dispatch). After every call and every block:
//! * nothing panicked (a panic is the fuzzer's crash);
//! * every pallet's `try_state`, the cross-pallet solvency check and the
//!   settlement asset's supply ([`crate::testing::check_invariants`]); the
//!   supply may only change through a successful Root (governance) call;
//! * the weight a dispatch reports after the fact (its `PostDispatchInfo`,
//!   obtained from a rolled-back dry run of the same call and origin) never
//!   exceeds the weight it declared: FRAME silently caps a larger figure,
//!   which would hide an under-declared weight;
//! * the block's weight stays within its limits, per dispatch class.
//!
//! [`Fuzzer::run`] is what both runners call: the seeded run in `cargo test`
//! (`scenarios::fuzz`) and the coverage-guided target in `runtime/fuzz`.

use crate::{
	genesis_config_presets::{BTC, ETH},
	testing::{
		check_invariants, ext_at_block_one, feed_transaction, preset_storage, set_time,
		signed_transaction,
	},
	Assets, Balance, Executive, Header, Runtime, RuntimeCall, RuntimeEvent, RuntimeOrigin, System,
	UncheckedExtrinsic, DOLLARS, SETTLEMENT_ASSET_ID, UNITS,
};
use alloc::{boxed::Box, collections::BTreeMap, vec, vec::Vec};
use backstop_primitives::Price;
use codec::DecodeLimit;
use frame_support::{
	dispatch::{DispatchClass, GetDispatchInfo},
	storage::{with_transaction, TransactionOutcome},
	traits::fungibles::Inspect,
};
use sp_keyring::Sr25519Keyring;
use sp_runtime::{
	traits::{Dispatchable, Header as _, Saturating},
	DispatchError, FixedU128,
};

/// The most steps one input is read as.
pub const MAX_STEPS: usize = 256;

/// The nesting depth up to which a raw `RuntimeCall` is decoded.
pub const MAX_CALL_DEPTH: u32 = 8;

/// Milliseconds per block.
const BLOCK_MS: u64 = 6_000;

/// Who acts: traders, LPs, stakers, keepers (the dev accounts), and Alice,
/// who holds the sudo key on the development chain.
const ACTORS: [Sr25519Keyring; 9] = [
	Sr25519Keyring::Alice,
	Sr25519Keyring::Bob,
	Sr25519Keyring::Charlie,
	Sr25519Keyring::Dave,
	Sr25519Keyring::Eve,
	Sr25519Keyring::Ferdie,
	Sr25519Keyring::One,
	Sr25519Keyring::Two,
	Sr25519Keyring::DaveStash,
];

/// The three dev feeders.
const FEEDERS: [Sr25519Keyring; 3] =
	[Sr25519Keyring::AliceStash, Sr25519Keyring::BobStash, Sr25519Keyring::CharlieStash];

/// Reads choices out of fuzzer bytes; an exhausted input reads as zeros.
struct Input<'a> {
	data: &'a [u8],
}

impl<'a> Input<'a> {
	fn is_empty(&self) -> bool {
		self.data.is_empty()
	}

	fn byte(&mut self) -> u8 {
		match self.data.split_first() {
			Some((first, rest)) => {
				self.data = rest;
				*first
			},
			None => 0,
		}
	}

	fn u16(&mut self) -> u16 {
		u16::from_le_bytes([self.byte(), self.byte()])
	}

	fn u32(&mut self) -> u32 {
		u32::from_le_bytes([self.byte(), self.byte(), self.byte(), self.byte()])
	}

	/// One of `n` (`n > 0`).
	fn choose(&mut self, n: usize) -> usize {
		usize::from(self.byte()) % n
	}

	/// An amount of settlement asset: mostly ordinary sizes, sometimes
	/// dust, zero or the whole range.
	fn amount(&mut self) -> Balance {
		match self.byte() % 8 {
			0 => 0,
			1 => Balance::from(self.byte()),
			2 => Balance::from(self.u32()) * Balance::from(self.u32()),
			3 => Balance::MAX >> (self.byte() % 128),
			_ => Balance::from(self.u16()) * DOLLARS,
		}
	}
}

/// A call's pallet and name.
pub type CallName = (&'static str, &'static str);

/// What a run did.
#[derive(Debug, Default, Clone)]
pub struct Stats {
	/// Transactions applied (feeds included).
	pub calls: u64,
	/// Of which dispatched successfully.
	pub succeeded: u64,
	/// Of which dispatched and failed with a dispatch error.
	pub failed: u64,
	/// Of which refused by validation (never in a block).
	pub invalid: u64,
	/// Blocks ended and checked.
	pub blocks: u64,
	/// Positions liquidated (`Liquidated` events).
	pub liquidations: u64,
	/// Successful dispatches per call (`pallet::call`).
	pub succeeded_by_call: BTreeMap<CallName, u64>,
	/// The highest ratio of the weight a dispatch reported after the fact to
	/// the weight it declared, over the dispatches that report one (at most 1).
	pub max_weight_ratio: f64,
}

impl Stats {
	/// Adds `other` into `self`.
	pub fn merge(&mut self, other: &Stats) {
		self.calls += other.calls;
		self.succeeded += other.succeeded;
		self.failed += other.failed;
		self.invalid += other.invalid;
		self.blocks += other.blocks;
		self.liquidations += other.liquidations;
		for (call, n) in &other.succeeded_by_call {
			*self.succeeded_by_call.entry(*call).or_default() += n;
		}
		self.max_weight_ratio = self.max_weight_ratio.max(other.max_weight_ratio);
	}
}

/// One fuzzing run on a fresh development chain.
pub struct Fuzzer {
	ext: sp_io::TestExternalities,
	supply: Balance,
	/// What each feeder reports for BTC and ETH from the next block on.
	quotes: [[Price; 2]; 3],
	/// The next block is this long after the current one.
	next_gap_ms: u64,
	stats: Stats,
}

impl Default for Fuzzer {
	fn default() -> Self {
		Self::new()
	}
}

impl Fuzzer {
	/// The development genesis, with block 1 open and fed.
	pub fn new() -> Self {
		// The genesis is built once per process and copied for every run.
		static GENESIS: std::sync::OnceLock<sp_core::storage::Storage> = std::sync::OnceLock::new();
		let genesis = GENESIS.get_or_init(|| preset_storage("development"));
		let mut ext = ext_at_block_one(genesis.clone());
		let supply = ext.execute_with(|| Assets::total_issuance(SETTLEMENT_ASSET_ID));
		let start = [Price::from_u32(65_000), Price::from_u32(3_200)];
		let mut fuzzer = Self {
			ext,
			supply,
			quotes: [start; 3],
			next_gap_ms: BLOCK_MS,
			stats: Stats::default(),
		};
		fuzzer.ext.execute_with(|| {
			// Genesis already is block 1; it is re-opened with hooks and feeds.
			System::set_block_number(0);
		});
		fuzzer.open_block();
		fuzzer
	}

	/// Runs `data` as steps and ends the last block; returns what happened.
	/// Panics on the first violated invariant.
	pub fn run(mut self, data: &[u8]) -> Stats {
		let mut input = Input { data };
		let mut steps = 0;
		while !input.is_empty() && steps < MAX_STEPS {
			self.step(&mut input);
			steps += 1;
		}
		self.end_block();
		self.stats
	}

	fn step(&mut self, input: &mut Input) {
		match input.byte() % 16 {
			0 => {
				let blocks = 1 + input.choose(4);
				let stall = input.byte().is_multiple_of(8);
				for _ in 0..blocks {
					if stall {
						self.next_gap_ms = BLOCK_MS * (1 + u64::from(input.byte() % 100));
					}
					self.end_block();
					self.open_block();
				}
			},
			1 => self.move_price(input),
			2 => {
				let actor = ACTORS[input.choose(ACTORS.len())];
				let mut raw = input.data;
				if let Ok(call) = RuntimeCall::decode_with_depth_limit(MAX_CALL_DEPTH, &mut raw) {
					let used = input.data.len() - raw.len();
					input.data = &input.data[used..];
					if allowed(&call) {
						self.apply_signed(actor, call);
					}
				} else {
					input.byte();
				}
			},
			_ => {
				let actor = ACTORS[input.choose(ACTORS.len())];
				let call = self.ext.execute_with(|| structured_call(input));
				self.apply_signed(actor, call);
			},
		}
	}

	/// A price move that every feeder (or one alone) reports from the next
	/// block on.
	fn move_price(&mut self, input: &mut Input) {
		let asset = input.choose(2);
		// -60% ..= +30% in steps of 0.5%.
		let percent = i64::from(input.byte() % 181) - 120;
		let alone = input.byte().is_multiple_of(4);
		let feeders = if alone { vec![input.choose(3)] } else { vec![0, 1, 2] };
		for feeder in feeders {
			let current = self.quotes[feeder][asset];
			let change = FixedU128::from_rational(percent.unsigned_abs().into(), 200);
			let delta = current.saturating_mul(change);
			let next = if percent >= 0 {
				current.saturating_add(delta)
			} else {
				current.saturating_sub(delta)
			};
			self.quotes[feeder][asset] = next.max(FixedU128::from_rational(1, 100));
		}
	}

	/// Opens the next block: hooks, timestamp, and the feeders' feeds.
	fn open_block(&mut self) {
		let gap = self.next_gap_ms;
		self.next_gap_ms = BLOCK_MS;
		let quotes = self.quotes;
		self.ext.execute_with(|| {
			let number = System::block_number() + 1;
			let parent = System::block_hash(number - 1);
			let now = pallet_timestamp::Now::<Runtime>::get().saturating_add(gap);
			Executive::initialize_block(&Header::new(
				number,
				Default::default(),
				Default::default(),
				parent,
				Default::default(),
			));
			set_time(now);
		});
		for (feeder, quote) in FEEDERS.iter().zip(quotes) {
			let xt = self.ext.execute_with(|| feed_transaction(*feeder, quote));
			self.apply(xt, None);
		}
	}

	/// Ends the current block and checks every invariant.
	fn end_block(&mut self) {
		let supply = self.supply;
		let liquidations = self.ext.execute_with(|| {
			Executive::finalize_block();
			let weight = System::block_weight();
			let limits = <Runtime as frame_system::Config>::BlockWeights::get();
			assert!(
				weight.total().all_lte(limits.max_block),
				"block {}: weight {:?} over the limit {:?}",
				System::block_number(),
				weight.total(),
				limits.max_block
			);
			for class in [DispatchClass::Normal, DispatchClass::Operational] {
				if let Some(max) = limits.get(class).max_total {
					assert!(
						weight.get(class).all_lte(max),
						"block {}: {class:?} weight {:?} over {max:?}",
						System::block_number(),
						weight.get(class)
					);
				}
			}
			check_invariants(supply);
			count_liquidations()
		});
		self.stats.liquidations += liquidations;
		self.stats.blocks += 1;
	}

	/// `call` as a transaction signed by `actor`, applied.
	fn apply_signed(&mut self, actor: Sr25519Keyring, call: RuntimeCall) {
		let who = actor.to_account_id();
		let nonce = self.ext.execute_with(|| frame_system::Pallet::<Runtime>::account_nonce(&who));
		let xt = self.ext.execute_with(|| signed_transaction(actor, nonce, 0, call.clone()));
		self.apply(xt, Some((RuntimeOrigin::signed(who), call)));
	}

	/// Applies `xt` through the transaction extensions and checks what must
	/// hold after every call. `dry_run` is the origin and call whose
	/// reported weight is checked against the declared one.
	fn apply(&mut self, xt: UncheckedExtrinsic, dry_run: Option<(RuntimeOrigin, RuntimeCall)>) {
		let declared = xt.function.get_dispatch_info();
		let name = call_name(&xt.function);
		let supply = self.supply;
		let (result, ratio, new_supply) = self.ext.execute_with(|| {
			let mut ratio = 0.0;
			if let Some((origin, call)) = dry_run {
				ratio = check_reported_weight(origin, call, declared.call_weight);
			}
			let result = Executive::apply_extrinsic(xt);
			let issuance = Assets::total_issuance(SETTLEMENT_ASSET_ID);
			if issuance != supply {
				// Only governance may change the settlement supply.
				assert!(
					matches!(result, Ok(Ok(()))) && is_root_call(name),
					"block {}: {name:?} changed the settlement supply from {supply} to {issuance}",
					System::block_number()
				);
			}
			check_invariants(issuance);
			(result, ratio, issuance)
		});
		self.supply = new_supply;
		self.stats.max_weight_ratio = self.stats.max_weight_ratio.max(ratio);
		self.stats.calls += 1;
		match result {
			Ok(Ok(())) => {
				self.stats.succeeded += 1;
				*self.stats.succeeded_by_call.entry(name).or_default() += 1;
			},
			Ok(Err(_)) => self.stats.failed += 1,
			Err(_) => self.stats.invalid += 1,
		}
	}
}

/// Dispatches `call` from `origin` in a storage transaction that is rolled
/// back, and checks that the weight it reports is within `declared`.
/// Returns the ratio of the two (ref_time), 0 if the call reports none.
fn check_reported_weight(
	origin: RuntimeOrigin,
	call: RuntimeCall,
	declared: frame_support::weights::Weight,
) -> f64 {
	let name = call_name(&call);
	let reported = with_transaction(|| {
		let result = call.dispatch(origin);
		let post = match result {
			Ok(post) => post,
			Err(e) => e.post_info,
		};
		TransactionOutcome::Rollback(Ok::<_, DispatchError>(post.actual_weight))
	})
	.expect("a rolled-back dry run cannot fail");
	// Without a reported weight, the declared one is charged.
	let Some(reported) = reported else { return 0.0 };
	assert!(
		reported.all_lte(declared),
		"{name:?} reported weight {reported:?} after dispatch, more than the {declared:?} it declared"
	);
	if declared.ref_time() == 0 {
		0.0
	} else {
		reported.ref_time() as f64 / declared.ref_time() as f64
	}
}

/// `(pallet, call)` of `call`.
fn call_name(call: &RuntimeCall) -> CallName {
	use frame_support::traits::GetCallMetadata;
	let meta = call.get_call_metadata();
	(meta.pallet_name, meta.function_name)
}

/// Calls that dispatch as Root on the development chain (governance).
fn is_root_call(name: CallName) -> bool {
	name.0 == "Sudo"
}

/// What the fuzzer may send. Left out: calls that replace or rewrite the
/// chain by design (`set_code`, raw storage writes through sudo) and
/// inherents, which no transaction may carry.
fn allowed(call: &RuntimeCall) -> bool {
	match call {
		RuntimeCall::System(inner) => matches!(
			inner,
			frame_system::Call::remark { .. } | frame_system::Call::remark_with_event { .. }
		),
		RuntimeCall::Timestamp(_) => false,
		RuntimeCall::Sudo(pallet_sudo::Call::sudo { call })
		| RuntimeCall::Sudo(pallet_sudo::Call::sudo_unchecked_weight { call, .. })
		| RuntimeCall::Sudo(pallet_sudo::Call::sudo_as { call, .. }) => allowed(call),
		RuntimeCall::Sudo(pallet_sudo::Call::set_key { .. })
		| RuntimeCall::Sudo(pallet_sudo::Call::remove_key {}) => false,
		_ => true,
	}
}

/// A call with arguments in the ranges that matter (markets and assets that
/// exist, prices near the oracle's, the actors as counterparties).
fn structured_call(input: &mut Input) -> RuntimeCall {
	use pallet_staking_backstop::Tranche;
	let market = u32::from(input.byte() % 3);
	let other = ACTORS[input.choose(ACTORS.len())].to_account_id();
	let tranche = if input.byte().is_multiple_of(2) { Tranche::Junior } else { Tranche::Senior };
	match input.byte() % 22 {
		0 | 1 => RuntimeCall::Margin(pallet_margin::Call::deposit { amount: input.amount() }),
		2 => RuntimeCall::Margin(pallet_margin::Call::withdraw { amount: input.amount() }),
		3..=6 => {
			// Up to ±20 units of the base asset, at a limit within ±5% of
			// the oracle's price (or any limit, one time in eight).
			let size = i128::from(input.u32() as i32 % 20_000_000);
			let asset = if market == 1 { ETH } else { BTC };
			let reference =
				crate::testing::served_price(asset).unwrap_or_else(|| Price::from_u32(65_000));
			let slack = FixedU128::from_rational(u128::from(input.byte() % 11), 200);
			let acceptable = match input.byte() % 8 {
				0 => FixedU128::from_inner(u128::from(input.u32()) << 40),
				_ if size > 0 => reference.saturating_add(reference.saturating_mul(slack)),
				_ => reference.saturating_sub(reference.saturating_mul(slack)),
			};
			RuntimeCall::Margin(pallet_margin::Call::trade {
				market,
				size_delta: size,
				acceptable_price: acceptable,
			})
		},
		7 | 8 => RuntimeCall::Margin(pallet_margin::Call::liquidate { account: other }),
		9 => RuntimeCall::Margin(pallet_margin::Call::settle_market { market }),
		10 => RuntimeCall::SharedLiquidity(pallet_shared_liquidity::Call::deposit {
			amount: input.amount(),
		}),
		11 => RuntimeCall::SharedLiquidity(pallet_shared_liquidity::Call::request_withdraw {
			shares: input.amount(),
		}),
		12 => RuntimeCall::SharedLiquidity(pallet_shared_liquidity::Call::withdraw {
			shares: input.amount(),
		}),
		13 => RuntimeCall::StakingBackstop(pallet_staking_backstop::Call::stake {
			tranche,
			amount: input.amount(),
		}),
		14 => RuntimeCall::StakingBackstop(pallet_staking_backstop::Call::request_unstake {
			tranche,
			shares: input.amount(),
		}),
		15 => RuntimeCall::StakingBackstop(pallet_staking_backstop::Call::unstake {
			tranche,
			request_id: u64::from(input.byte() % 4),
		}),
		16 => RuntimeCall::InsuranceFund(pallet_insurance_fund::Call::donate {
			fund: if market == 2 {
				pallet_insurance_fund::FundId::Global
			} else {
				pallet_insurance_fund::FundId::Market(market)
			},
			amount: input.amount(),
		}),
		17 => RuntimeCall::Assets(pallet_assets::Call::transfer {
			id: SETTLEMENT_ASSET_ID.into(),
			target: other.into(),
			amount: input.amount(),
		}),
		18 => RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive {
			dest: other.into(),
			value: Balance::from(input.u16()) * UNITS,
		}),
		19 => RuntimeCall::Assets(pallet_assets::Call::mint {
			id: SETTLEMENT_ASSET_ID.into(),
			beneficiary: other.into(),
			amount: input.amount(),
		}),
		20 => match input.byte() % 3 {
			0 => RuntimeCall::Assets(pallet_assets::Call::burn {
				id: SETTLEMENT_ASSET_ID.into(),
				who: other.into(),
				amount: input.amount(),
			}),
			1 => RuntimeCall::Assets(pallet_assets::Call::freeze {
				id: SETTLEMENT_ASSET_ID.into(),
				who: other.into(),
			}),
			_ => RuntimeCall::Assets(pallet_assets::Call::force_transfer {
				id: SETTLEMENT_ASSET_ID.into(),
				source: other.into(),
				dest: ACTORS[0].to_account_id().into(),
				amount: input.amount(),
			}),
		},
		_ => {
			// Governance: a market paused, reopened or halted through sudo.
			let status = match input.byte() % 3 {
				0 => pallet_margin::MarketStatus::Active,
				1 => pallet_margin::MarketStatus::ReduceOnly,
				_ => pallet_margin::MarketStatus::Halted,
			};
			RuntimeCall::Sudo(pallet_sudo::Call::sudo {
				call: Box::new(RuntimeCall::Margin(pallet_margin::Call::set_market_status {
					market,
					status,
				})),
			})
		},
	}
}

/// `Liquidated` events in the block just ended.
fn count_liquidations() -> u64 {
	System::events()
		.iter()
		.filter(|record| {
			matches!(record.event, RuntimeEvent::Margin(pallet_margin::Event::Liquidated { .. }))
		})
		.count() as u64
}

/// Adds one run's `stats` to the process's totals and prints them every
/// 100 runs (the coverage-guided target's progress report: transactions
/// applied, blocks, liquidations, the highest weight ratio).
pub fn record(stats: &Stats) {
	static TOTAL: std::sync::Mutex<(u64, Option<Stats>)> = std::sync::Mutex::new((0, None));
	let mut total = TOTAL.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
	total.0 += 1;
	total.1.get_or_insert_with(Stats::default).merge(stats);
	if total.0.is_multiple_of(100) {
		if let Some(sum) = &total.1 {
			std::eprintln!(
				"fuzzing: {} runs, {} transactions ({} succeeded, {} failed, {} refused), {} blocks, \
				 {} liquidations, highest reported/declared weight {:.3}",
				total.0,
				sum.calls,
				sum.succeeded,
				sum.failed,
				sum.invalid,
				sum.blocks,
				sum.liquidations,
				sum.max_weight_ratio
			);
		}
	}
}

/// A deterministic byte stream (xorshift64*) for the seeded runner.
pub fn seeded_bytes(seed: u64, len: usize) -> Vec<u8> {
	let mut state = seed | 1;
	let mut out = Vec::with_capacity(len);
	while out.len() < len {
		state ^= state >> 12;
		state ^= state << 25;
		state ^= state >> 27;
		out.extend_from_slice(&state.wrapping_mul(0x2545_f491_4f6c_dd1d).to_le_bytes());
	}
	out.truncate(len);
	out
}
