//! Oracle feeds against tipped spam, through the real transaction
//! extensions and `Executive` (validation as the pool does it, application
//! as the block builder does it).

use super::{check_invariants, served_price as served, set_time, BLOCK_MS};
use crate::{
	configs::{backstop::OracleFeedPriority, monetary::MAX_TIP_PRIORITY},
	genesis_config_presets::BTC,
	testing::{feed_transaction, signed_transaction},
	tests::preset_ext,
	Assets, Balance, BalancesCall, Executive, Header, Runtime, RuntimeCall, RuntimeEvent, System,
	UncheckedExtrinsic, SETTLEMENT_ASSET_ID, UNITS,
};
use backstop_primitives::Price;
use frame_support::{traits::fungibles::Inspect, weights::Weight};
use sp_keyring::Sr25519Keyring;
use sp_runtime::{
	traits::Header as _,
	transaction_validity::{InvalidTransaction, TransactionSource, TransactionValidityError},
	ApplyExtrinsicResult,
};

/// The `submit_feed` of dev feeder `feeder` for the current block, BTC at
/// `btc` and ETH at 3,200.
fn feed(feeder: Sr25519Keyring, btc: u32) -> UncheckedExtrinsic {
	feed_transaction(feeder, [Price::from_u32(btc), Price::from_u32(3_200)])
}

const FEEDERS: [Sr25519Keyring; 3] =
	[Sr25519Keyring::AliceStash, Sr25519Keyring::BobStash, Sr25519Keyring::CharlieStash];

/// Opens the next block on top of the current state, with its timestamp.
fn open_block() {
	let number = System::block_number() + 1;
	let parent = System::block_hash(number - 1);
	Executive::initialize_block(&Header::new(
		number,
		Default::default(),
		Default::default(),
		parent,
		Default::default(),
	));
	set_time(u64::from(number) * BLOCK_MS);
}

fn transfer(amount: Balance) -> RuntimeCall {
	RuntimeCall::Balances(BalancesCall::transfer_keep_alive {
		dest: Sr25519Keyring::Dave.to_account_id().into(),
		value: amount,
	})
}

fn priority_of(xt: UncheckedExtrinsic) -> u64 {
	let parent = System::parent_hash();
	Executive::validate_transaction(TransactionSource::External, xt, parent)
		.expect("valid transaction")
		.priority
}

#[test]
fn no_tip_outbids_a_feed() {
	preset_ext("development").execute_with(|| {
		open_block();
		let alice = Sr25519Keyring::Alice;
		let free = pallet_balances::Pallet::<Runtime>::free_balance(alice.to_account_id());
		let untipped = priority_of(signed_transaction(alice, 0, 0, transfer(UNITS)));
		// A tip of most of Alice's balance buys no more than the cap.
		let tipped = priority_of(signed_transaction(alice, 0, free / 2, transfer(UNITS)));
		assert!(untipped < tipped);
		assert_eq!(tipped, MAX_TIP_PRIORITY);
		// Without the cap, the pallet's priority for this tip would outrank
		// the feeds.
		let call = transfer(UNITS);
		let info = frame_support::dispatch::GetDispatchInfo::get_dispatch_info(&call);
		let uncapped =
			pallet_transaction_payment::ChargeTransactionPayment::<Runtime>::get_priority(
				&info,
				150,
				free / 2,
				free / 2,
			);
		assert!(uncapped > OracleFeedPriority::get(), "{uncapped}");
		// A feed ranks first.
		let feed_priority = priority_of(feed(Sr25519Keyring::AliceStash, 65_000));
		assert!(feed_priority >= OracleFeedPriority::get(), "{feed_priority}");
		assert!(feed_priority > tipped);
	});
}

#[test]
fn the_capped_payment_still_charges_fee_and_tip() {
	preset_ext("development").execute_with(|| {
		open_block();
		let alice = Sr25519Keyring::Alice;
		let tip = 5_000 * UNITS;
		let before = pallet_balances::Pallet::<Runtime>::free_balance(alice.to_account_id());
		assert_eq!(
			Executive::apply_extrinsic(signed_transaction(alice, 0, tip, transfer(UNITS))),
			Ok(Ok(()))
		);
		let paid = System::events()
			.into_iter()
			.find_map(|record| match record.event {
				RuntimeEvent::TransactionPayment(
					pallet_transaction_payment::Event::TransactionFeePaid {
						actual_fee, tip, ..
					},
				) => Some((actual_fee, tip)),
				_ => None,
			})
			.expect("a TransactionFeePaid event");
		assert_eq!(paid.1, tip);
		assert!(paid.0 > tip);
		let after = pallet_balances::Pallet::<Runtime>::free_balance(alice.to_account_id());
		assert_eq!(before - after, UNITS + paid.0);
	});
}

/// Applies `make(nonce)` from Alice until the block refuses it for lack of
/// room; returns how many were included.
fn fill(mut make: impl FnMut(u32) -> UncheckedExtrinsic) -> u32 {
	let mut nonce =
		frame_system::Pallet::<Runtime>::account_nonce(Sr25519Keyring::Alice.to_account_id());
	let mut included = 0;
	loop {
		let result: ApplyExtrinsicResult = Executive::apply_extrinsic(make(nonce));
		match result {
			Ok(_) => {
				included += 1;
				nonce += 1;
			},
			Err(TransactionValidityError::Invalid(InvalidTransaction::ExhaustsResources)) => {
				return included
			},
			Err(other) => panic!("unexpected refusal: {other:?}"),
		}
		assert!(included < 10_000, "the block never filled");
	}
}

#[test]
fn blocks_full_of_tipped_spam_still_include_the_feeds() {
	let mut ext = preset_ext("development");
	let supply = ext.execute_with(|| Assets::total_issuance(SETTLEMENT_ASSET_ID));
	ext.execute_with(|| {
		let tip = 1_000 * UNITS;
		// A block filled by weight (a heavy call, tipped).
		open_block();
		let limits = <Runtime as frame_system::Config>::BlockWeights::get();
		let normal = limits.get(frame_support::dispatch::DispatchClass::Normal);
		let heavy = normal.max_extrinsic.unwrap_or(limits.max_block) / 3;
		let remark = RuntimeCall::System(frame_system::Call::remark { remark: vec![] });
		let included = fill(|nonce| {
			let call = RuntimeCall::Sudo(pallet_sudo::Call::sudo_unchecked_weight {
				call: Box::new(remark.clone()),
				weight: Weight::from_parts(heavy.ref_time(), 0),
			});
			signed_transaction(Sr25519Keyring::Alice, nonce, tip, call)
		});
		assert!(included >= 1);
		// The rest of the normal class is filled with tipped transfers, until
		// not even one more fits ...
		let transfers =
			fill(|nonce| signed_transaction(Sr25519Keyring::Alice, nonce, tip, transfer(UNITS)));
		assert!(transfers >= 1);
		let normal_used =
			System::block_weight().get(frame_support::dispatch::DispatchClass::Normal).ref_time();
		assert!(normal_used > normal.max_total.unwrap_or(limits.max_block).ref_time() * 99 / 100);
		// ... but every feed does.
		for feeder in FEEDERS {
			assert_eq!(Executive::apply_extrinsic(feed(feeder, 64_000)), Ok(Ok(())));
		}
		assert_eq!(served(BTC), Some(Price::from_u32(64_000)));
		check_invariants(supply);

		// The next block: filled by length (large tipped remarks).
		Executive::finalize_block();
		open_block();
		let included = fill(|nonce| {
			let call =
				RuntimeCall::System(frame_system::Call::remark { remark: vec![7; 256 * 1024] });
			signed_transaction(Sr25519Keyring::Alice, nonce, tip, call)
		});
		assert!(included >= 2);
		for feeder in FEEDERS {
			assert_eq!(Executive::apply_extrinsic(feed(feeder, 63_000)), Ok(Ok(())));
		}
		assert_eq!(served(BTC), Some(Price::from_u32(63_000)));
		check_invariants(supply);
	});
}
