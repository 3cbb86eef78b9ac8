//! Helpers shared by the runtime tests and the fuzzing harness: genesis
//! externalities of a preset, the block timestamp, and the invariants that
//! must hold after every block (every pallet's `try_state`, the cross-pallet
//! solvency check, a constant settlement supply).

use crate::{
	genesis_config_presets, Assets, Balance, InsuranceFund, Margin, OptionsBackstop,
	OracleAggregator, Runtime, RuntimeGenesisConfig, SharedLiquidity, StakingBackstop, System,
	SETTLEMENT_ASSET_ID,
};
use alloc::vec::Vec;
use backstop_primitives::{CounterpartyExposure, SignedBalance};
use frame_support::traits::fungibles::Inspect;
use serde_json::Value;
use sp_runtime::BuildStorage;

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

/// The genesis storage of the named preset, built as the node builds it.
pub fn preset_storage(name: &str) -> sp_core::storage::Storage {
	let patch: Value = serde_json::from_slice(
		&genesis_config_presets::get_preset(&name.into()).expect("preset exists"),
	)
	.expect("preset is JSON");
	let mut config = serde_json::to_value(RuntimeGenesisConfig::default()).expect("serializes");
	merge(&mut config, patch);
	let config: RuntimeGenesisConfig = serde_json::from_value(config).expect("preset is valid");
	config.build_storage().expect("builds")
}

/// Externalities holding `storage` at block 1, 6 seconds after the epoch.
pub fn ext_at_block_one(storage: sp_core::storage::Storage) -> sp_io::TestExternalities {
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| {
		System::set_block_number(1);
		pallet_timestamp::Now::<Runtime>::put(6_000);
	});
	ext
}

/// Externalities holding the genesis state of the named preset.
pub fn preset_ext(name: &str) -> sp_io::TestExternalities {
	ext_at_block_one(preset_storage(name))
}

/// The timestamp inherent of a block: sets the time without Aura's slot check
/// (the scenarios have no slot digests).
pub fn set_time(now_ms: u64) {
	pallet_timestamp::Now::<Runtime>::put(now_ms);
	// `DidUpdate` is private to the timestamp pallet: its key is set directly.
	let did_update = frame_support::storage::storage_prefix(b"Timestamp", b"DidUpdate");
	frame_support::storage::unhashed::put(&did_update, &true);
}

/// Every pallet's invariants, the solvency check and the constant supply.
/// Panics on the first violation ([`invariant_violation`] returns it).
pub fn check_invariants(supply: Balance) {
	if let Some(violation) = invariant_violation(supply) {
		panic!("{violation}");
	}
}

/// As [`check_invariants`], without panicking: the first violation, if any,
/// described with the block it was found in (for the stress simulator, which
/// stops a run there and reports it).
pub fn invariant_violation(supply: Balance) -> Option<alloc::string::String> {
	use alloc::format;
	let block = System::block_number();
	let checks: [(&str, Result<(), sp_runtime::TryRuntimeError>); 6] = [
		("oracle", OracleAggregator::do_try_state()),
		("insurance fund", InsuranceFund::do_try_state()),
		("staking backstop", StakingBackstop::do_try_state()),
		("shared liquidity", SharedLiquidity::do_try_state()),
		("margin", Margin::do_try_state()),
		("options backstop", OptionsBackstop::do_try_state()),
	];
	for (pallet, result) in checks {
		if result.is_err() {
			return Some(format!("block {block}: {pallet} try_state failed: {result:?}"));
		}
	}
	let issuance = Assets::total_issuance(SETTLEMENT_ASSET_ID);
	if issuance != supply {
		return Some(format!(
			"block {block}: the settlement asset's supply changed\n  left: {issuance}\n right: {supply}"
		));
	}
	solvency_violation()
}

/// The cross-pallet solvency check (§3 of the architecture).
///
/// With every position closed at the current prices, each account would
/// hold `max(equity, 0)` (a negative equity is bad debt for the waterfall);
/// the money there is to pay it is the collateral the margin pallet holds,
/// what it holds for the pool, and the pool's cash. The margin pallet's
/// per-market aggregates must equal the sums over positions (within one unit
/// per position of rounding, in the pool's favour), and the pool's net asset
/// value must be its ledgers plus receivables minus that PnL.
///
/// Skipped while some market has no usable price (nothing can be valued).
/// Panics on a violation ([`solvency_violation`] returns it).
pub fn assert_solvent() {
	if let Some(violation) = solvency_violation() {
		panic!("{violation}");
	}
}

/// As [`assert_solvent`], without panicking: the violation, if any.
pub fn solvency_violation() -> Option<alloc::string::String> {
	use alloc::format;
	let block = System::block_number();
	let mut claims: Balance = 0;
	let mut collateral: Balance = 0;
	let mut pnl_by_market: Vec<(u32, SignedBalance, u32)> = Vec::new();
	for (who, account) in pallet_margin::Accounts::<Runtime>::iter() {
		collateral += account.collateral;
		let Ok(health) = Margin::account_health(&who) else { return None };
		claims += health.equity.max(0).unsigned_abs();
		for position in health.positions {
			let owed = position.unrealized_pnl - position.accrued_funding;
			match pnl_by_market.iter_mut().find(|(m, _, _)| *m == position.market) {
				Some(entry) => {
					entry.1 += owed;
					entry.2 += 1;
				},
				None => pnl_by_market.push((position.market, owed, 1)),
			}
		}
	}
	let mut receivable: Balance = 0;
	let mut aggregate_pnl: SignedBalance = 0;
	for market in Margin::market_ids() {
		let Ok(exposure) = <Margin as CounterpartyExposure>::market_exposure(market) else {
			return None;
		};
		receivable += exposure.receivable;
		aggregate_pnl += exposure.trader_pnl;
		let (summed, positions) = pnl_by_market
			.iter()
			.find(|(m, _, _)| *m == market)
			.map(|(_, pnl, n)| (*pnl, *n))
			.unwrap_or_default();
		// The aggregate rounds in the pool's favour: it may overstate the
		// traders' PnL by up to three units per position (one of PnL, two of
		// funding) and a few units of its own rounding, never understate it.
		let slack = SignedBalance::from(positions) * 3 + 2;
		if !(exposure.trader_pnl >= summed - 1 && exposure.trader_pnl <= summed + slack) {
			return Some(format!(
				"block {block}: market {market}: aggregate trader PnL {} but positions sum to {summed}",
				exposure.trader_pnl,
			));
		}
	}
	let pool = pallet_shared_liquidity::Pool::<Runtime>::get();
	let backing = collateral + receivable + pool.cash;
	if claims > backing {
		return Some(format!(
			"block {block}: traders could claim {claims} but only {backing} backs them \
			 (collateral {collateral}, receivable {receivable}, pool cash {})",
			pool.cash,
		));
	}
	if let Some(nav) = SharedLiquidity::pool_nav() {
		let impaired = pallet_shared_liquidity::Protocols::<Runtime>::iter_values()
			.filter(|p| p.impaired(System::block_number()))
			.map(|p| p.drawn)
			.sum::<Balance>();
		let expected =
			(pool.cash + pool.lent - impaired + receivable) as SignedBalance - aggregate_pnl;
		if nav != expected {
			return Some(format!(
				"block {block}: NAV differs from ledgers and positions\n  left: {nav}\n right: {expected}"
			));
		}
	}
	None
}

/// The price the oracle serves for `asset` now, if it is usable.
pub fn served_price(
	asset: backstop_primitives::OracleAssetId,
) -> Option<backstop_primitives::Price> {
	<OracleAggregator as backstop_primitives::PriceProvider<crate::BlockNumber>>::price(asset)
		.ok()
		.map(|info| info.price)
}

/// The extensions of a transaction from an account with `nonce`, paying `tip`.
pub fn extensions(nonce: u32, tip: Balance) -> crate::TxExtension {
	(
		frame_system::AuthorizeCall::new(),
		frame_system::CheckNonZeroSender::new(),
		frame_system::CheckSpecVersion::new(),
		frame_system::CheckTxVersion::new(),
		frame_system::CheckGenesis::new(),
		frame_system::CheckEra::from(sp_runtime::generic::Era::Immortal),
		frame_system::CheckNonce::from(nonce),
		frame_system::CheckWeight::new(),
		crate::configs::monetary::ChargeTransactionPaymentCapped::from_tip(tip),
		frame_metadata_hash_extension::CheckMetadataHash::new(false),
		frame_system::WeightReclaim::new(),
	)
}

/// `call` signed by `signer` with `nonce` and `tip`, as a wallet builds it.
pub fn signed_transaction(
	signer: sp_keyring::Sr25519Keyring,
	nonce: u32,
	tip: Balance,
	call: crate::RuntimeCall,
) -> crate::UncheckedExtrinsic {
	use codec::Encode;
	let tx_ext = extensions(nonce, tip);
	let genesis = System::block_hash(0);
	let version = crate::VERSION;
	let implicit = (
		(),
		(),
		version.spec_version,
		version.transaction_version,
		genesis,
		genesis,
		(),
		(),
		(),
		None,
		(),
	);
	let payload = crate::SignedPayload::from_raw(call.clone(), tx_ext.clone(), implicit);
	let signature = payload.using_encoded(|bytes| signer.sign(bytes));
	crate::UncheckedExtrinsic::new_signed(
		call,
		signer.to_account_id().into(),
		signature.into(),
		tx_ext,
	)
}

/// The `submit_feed` general transaction of `feeder` for the current block,
/// BTC at `quote[0]` and ETH at `quote[1]`, as the node's price feeder builds
/// it.
pub fn feed_transaction(
	feeder: sp_keyring::Sr25519Keyring,
	quote: [backstop_primitives::Price; 2],
) -> crate::UncheckedExtrinsic {
	use crate::genesis_config_presets::{BTC, ETH};
	let now = pallet_timestamp::Now::<Runtime>::get();
	let batch = alloc::vec![(BTC, quote[0], now), (ETH, quote[1], now)];
	let feed = pallet_oracle_aggregator::SignedFeed::<Runtime> {
		feeder: feeder.to_account_id(),
		round: System::block_number(),
		batch: frame_support::BoundedVec::truncate_from(batch),
	};
	let signature = feeder.sign(&feed.signing_payload(&System::block_hash(0)));
	let call = crate::RuntimeCall::OracleAggregator(pallet_oracle_aggregator::Call::submit_feed {
		feed,
		signature: signature.into(),
	});
	crate::UncheckedExtrinsic::new_transaction(call, extensions(0, 0))
}
