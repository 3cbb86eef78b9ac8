//! The seeded runner of the runtime fuzzing harness ([`crate::fuzzing`]):
//! deterministic inputs until about 20,000 transactions have been applied,
//! every invariant checked after each of them and after every block.

use crate::fuzzing::{seeded_bytes, Fuzzer, Stats};

/// Transactions (feeds included) the seeded run applies at least.
const CALLS: u64 = 20_000;

#[test]
fn seeded_call_sequences_keep_every_invariant() {
	let mut total = Stats::default();
	let mut seed = 0x0bac_5709_u64;
	while total.calls < CALLS {
		let input = seeded_bytes(seed, 2_048);
		total.merge(&Fuzzer::new().run(&input));
		seed = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
	}
	println!(
		"{} transactions in {} blocks: {} succeeded, {} failed in dispatch, {} refused; \
		 {} liquidations; highest reported/declared weight {:.3}",
		total.calls,
		total.blocks,
		total.succeeded,
		total.failed,
		total.invalid,
		total.liquidations,
		total.max_weight_ratio
	);
	for ((pallet, call), n) in &total.succeeded_by_call {
		println!("  {pallet}::{call}: {n}");
	}
	// The run reaches the money flows, not only their refusals.
	for call in [
		("Margin", "deposit"),
		("Margin", "trade"),
		("Margin", "withdraw"),
		("SharedLiquidity", "deposit"),
		("StakingBackstop", "stake"),
		("InsuranceFund", "donate"),
		("OracleAggregator", "submit_feed"),
	] {
		assert!(
			total.succeeded_by_call.get(&call).copied().unwrap_or_default() > 0,
			"no successful {call:?} in the seeded run"
		);
	}
	assert!(total.liquidations > 0, "the seeded run liquidated nobody");
	// Some dispatches refund part of their declared weight, none exceeds it.
	assert!(total.max_weight_ratio > 0.0 && total.max_weight_ratio <= 1.0);
}
