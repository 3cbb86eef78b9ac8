//! The insurance fund with the real pallets: many bad debts in one block
//! draw at most the per-block cap, and surplus above target reaches the
//! stakers through their reward ledger. Every invariant is checked after
//! every block.

use super::*;
use crate::{genesis_config_presets::BTC_PERP, InsuranceFund, RuntimeEvent, DOLLARS};
use pallet_insurance_fund::FundId;
use pallet_staking_backstop::Tranche;

fn signed(who: &AccountId) -> RuntimeOrigin {
	RuntimeOrigin::signed(who.clone())
}

fn trade(who: &AccountId, size: i128) {
	let price = served_price(BTC).expect("a live price");
	assert_ok!(Margin::trade(signed(who), BTC_PERP, size, limit(price, size > 0)));
}

#[test]
fn sixteen_bad_debts_in_one_block_take_at_most_half_of_each_fund() {
	let mut chain = Chain::new();
	let (longs, keeper) = chain.execute(|| {
		let longs: Vec<AccountId> = (0..16u8)
			.map(|i| funded(&alloc::format!("block-cap-long-{i}"), 10_000 * DOLLARS))
			.collect();
		// Each long 2 BTC at 65,000 on 8,000 of collateral.
		for long in &longs {
			assert_ok!(Margin::deposit(signed(long), 8_000 * DOLLARS));
			trade(long, units(2));
		}
		(longs, funded("block-cap-keeper", 1_000 * DOLLARS))
	});
	chain.next_block();

	// A 20% gap, agreed by every feeder: each long loses 26,000 on 8,000,
	// about 18,000 of bad debt each, some 290,000 in all, and the keeper
	// liquidates all sixteen in the block the price arrives.
	chain.move_price_in_steps(BTC, Price::from_u32(52_000), 20, |_| {});
	chain.execute(|| {
		let global = InsuranceFund::fund_balance(FundId::Global);
		let sub_fund = InsuranceFund::fund_balance(FundId::Market(BTC_PERP));
		let batch = BoundedVec::truncate_from(longs.clone());
		assert_ok!(Margin::liquidate_batch(signed(&keeper), batch));
		let events: Vec<RuntimeEvent> = System::events().into_iter().map(|r| r.event).collect();
		let bankrupt = events
			.iter()
			.filter(|e| {
				matches!(
					e,
					RuntimeEvent::Margin(pallet_margin::Event::Liquidated { bad_debt, .. })
						if *bad_debt > 0
				)
			})
			.count();
		assert_eq!(bankrupt, 16);
		// Keeper rewards come out of the sub-fund too, outside the cap.
		let rewards: Balance = events
			.iter()
			.filter_map(|e| match e {
				RuntimeEvent::InsuranceFund(pallet_insurance_fund::Event::KeeperRewarded {
					from_market_fund,
					..
				}) => Some(*from_market_fund),
				_ => None,
			})
			.sum();
		let global_after = InsuranceFund::fund_balance(FundId::Global);
		let sub_after = InsuranceFund::fund_balance(FundId::Market(BTC_PERP));
		assert!(global_after * 2 >= global, "global {global} -> {global_after}");
		assert!((sub_after + rewards) * 2 >= sub_fund, "sub-fund {sub_fund} -> {sub_after}");
		// The caps bind: the funds paid exactly half and the stakers the next.
		assert!(global_after * 2 <= global + 2);
		let staked_loss = events.iter().any(|e| {
			matches!(
				e,
				RuntimeEvent::StakingBackstop(
					pallet_staking_backstop::Event::TrancheSlashed { .. }
				)
			)
		});
		assert!(staked_loss, "the stakers covered what the fund's cap left");
	});
	chain.finish();
}

#[test]
fn surplus_above_target_reaches_the_stakers_reward_ledger() {
	let mut chain = Chain::new();
	let caller = chain.execute(|| {
		let trader = funded("surplus-trader", 10_000 * DOLLARS);
		assert_ok!(Margin::deposit(signed(&trader), 8_000 * DOLLARS));
		trade(&trader, units(1));
		funded("surplus-caller", 10 * DOLLARS)
	});
	chain.next_block();
	chain.execute(|| {
		let alice = sp_keyring::Sr25519Keyring::Alice.to_account_id();
		let pending =
			pallet_staking_backstop::Pallet::<Runtime>::pending_rewards(Tranche::Junior, &alice);
		let before = InsuranceFund::fund_balance(FundId::Global);
		let surplus = InsuranceFund::fund_surplus(FundId::Global);
		assert!(surplus > 0);
		assert_ok!(InsuranceFund::release_surplus(signed(&caller), FundId::Global));
		// A quarter of the surplus left the fund and was credited to the
		// tranches' reward indices.
		let released = before - InsuranceFund::fund_balance(FundId::Global);
		assert_eq!(released, surplus / 4);
		let credited = System::events().into_iter().find_map(|r| match r.event {
			RuntimeEvent::StakingBackstop(pallet_staking_backstop::Event::RevenueReceived {
				kind: backstop_primitives::RevenueKind::InsuranceSurplus,
				amount,
				..
			}) => Some(amount),
			_ => None,
		});
		assert_eq!(credited, Some(released));
		assert!(
			pallet_staking_backstop::Pallet::<Runtime>::pending_rewards(Tranche::Junior, &alice)
				> pending
		);
		// Not again within the interval.
		assert!(InsuranceFund::release_surplus(signed(&caller), FundId::Global).is_err());
	});
	chain.finish();
}
