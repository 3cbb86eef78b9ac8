//! Property tests over random sequences of the users' calls on the real
//! runtime: every invariant holds after every block (checked by
//! [`Chain::next_block`]), a refused call changes no state at all, and the
//! liquidity providers' shares are worth the pool's net asset value to
//! rounding.

use super::*;
use crate::{
	genesis_config_presets::{BTC_PERP, ETH_PERP},
	RuntimeCall, DOLLARS,
};
use proptest::prelude::*;
use sp_runtime::traits::Dispatchable;

/// One step of a random sequence.
#[derive(Clone, Debug)]
enum Step {
	/// A trader deposits collateral (dollars).
	Deposit { trader: usize, dollars: u32 },
	/// A trader withdraws collateral (dollars).
	Withdraw { trader: usize, dollars: u32 },
	/// A trader trades (hundredths of a base unit; negative sells).
	Trade { trader: usize, eth: bool, hundredths: i32 },
	/// A trader closes a position.
	Close { trader: usize, eth: bool },
	/// Anyone liquidates a trader.
	Liquidate { trader: usize },
	/// Anyone settles a market.
	Settle { eth: bool },
	/// A liquidity provider deposits (dollars).
	LpDeposit { lp: usize, dollars: u32 },
	/// A liquidity provider asks to withdraw a share of its position (%).
	LpRequest { lp: usize, percent: u8 },
	/// A liquidity provider withdraws what it may.
	LpWithdraw { lp: usize },
	/// A price moves by up to 9% (parts per thousand) in the next block.
	Move { eth: bool, per_mille: i16 },
	/// Blocks pass.
	Wait { blocks: u8 },
}

fn step() -> impl Strategy<Value = Step> {
	prop_oneof![
		(0..4usize, 100..20_000u32).prop_map(|(trader, dollars)| Step::Deposit { trader, dollars }),
		(0..4usize, 1..20_000u32).prop_map(|(trader, dollars)| Step::Withdraw { trader, dollars }),
		(0..4usize, any::<bool>(), -300..300i32)
			.prop_map(|(trader, eth, hundredths)| Step::Trade { trader, eth, hundredths }),
		(0..4usize, any::<bool>()).prop_map(|(trader, eth)| Step::Close { trader, eth }),
		(0..4usize).prop_map(|trader| Step::Liquidate { trader }),
		any::<bool>().prop_map(|eth| Step::Settle { eth }),
		(0..2usize, 10..50_000u32).prop_map(|(lp, dollars)| Step::LpDeposit { lp, dollars }),
		(0..2usize, 1..=100u8).prop_map(|(lp, percent)| Step::LpRequest { lp, percent }),
		(0..2usize).prop_map(|lp| Step::LpWithdraw { lp }),
		(any::<bool>(), -90..=90i16).prop_map(|(eth, per_mille)| Step::Move { eth, per_mille }),
		(1..12u8).prop_map(|blocks| Step::Wait { blocks }),
	]
}

/// Dispatches `call` from `who`; a refusal must leave the state untouched.
fn dispatch(who: &AccountId, call: RuntimeCall) {
	let root = sp_io::storage::root(sp_runtime::StateVersion::V1);
	if let Err(error) = call.clone().dispatch(RuntimeOrigin::signed(who.clone())) {
		assert_eq!(
			sp_io::storage::root(sp_runtime::StateVersion::V1),
			root,
			"{call:?} failed with {error:?} but changed state"
		);
	}
}

fn market(eth: bool) -> u32 {
	if eth {
		ETH_PERP
	} else {
		BTC_PERP
	}
}

fn run(steps: Vec<Step>) {
	let mut chain = Chain::new();
	let traders: Vec<AccountId> = chain.execute(|| {
		(0..4).map(|i| funded(&format!("prop-trader-{i}"), 100_000 * DOLLARS)).collect()
	});
	let lps: Vec<AccountId> = chain
		.execute(|| (0..2).map(|i| funded(&format!("prop-lp-{i}"), 200_000 * DOLLARS)).collect());
	let keeper = sp_keyring::Sr25519Keyring::Ferdie.to_account_id();
	for step in steps {
		match step {
			Step::Move { eth, per_mille } => {
				let asset = if eth { ETH } else { BTC };
				let price = chain.price(asset);
				let change = price.saturating_mul(FixedU128::from_rational(
					u128::from(per_mille.unsigned_abs()),
					1_000,
				));
				let next = if per_mille >= 0 {
					price.saturating_add(change)
				} else {
					price.saturating_sub(change)
				};
				chain.set_price(asset, next);
				chain.next_block();
			},
			Step::Wait { blocks } => chain.run(u32::from(blocks)),
			other => chain.execute(|| {
				let (who, call) = match other {
					Step::Deposit { trader, dollars } => (
						&traders[trader],
						RuntimeCall::Margin(pallet_margin::Call::deposit {
							amount: Balance::from(dollars) * DOLLARS,
						}),
					),
					Step::Withdraw { trader, dollars } => (
						&traders[trader],
						RuntimeCall::Margin(pallet_margin::Call::withdraw {
							amount: Balance::from(dollars) * DOLLARS,
						}),
					),
					Step::Trade { trader, eth, hundredths } => {
						let asset = if eth { ETH } else { BTC };
						let price = chain_price(asset);
						let size = i128::from(hundredths)
							* (backstop_primitives::units::BASE_UNIT as i128)
							/ 100;
						(
							&traders[trader],
							RuntimeCall::Margin(pallet_margin::Call::trade {
								market: market(eth),
								size_delta: size,
								acceptable_price: limit(price, size > 0),
							}),
						)
					},
					Step::Close { trader, eth } => {
						// Without a position, a close of one unit is refused.
						let size = match size_of(&traders[trader], market(eth)) {
							0 => 1,
							size => size,
						};
						let asset = if eth { ETH } else { BTC };
						(
							&traders[trader],
							RuntimeCall::Margin(pallet_margin::Call::trade {
								market: market(eth),
								size_delta: -size,
								acceptable_price: limit(chain_price(asset), size < 0),
							}),
						)
					},
					Step::Liquidate { trader } => (
						&keeper,
						RuntimeCall::Margin(pallet_margin::Call::liquidate {
							account: traders[trader].clone(),
						}),
					),
					Step::Settle { eth } => (
						&keeper,
						RuntimeCall::Margin(pallet_margin::Call::settle_market {
							market: market(eth),
						}),
					),
					Step::LpDeposit { lp, dollars } => (
						&lps[lp],
						RuntimeCall::SharedLiquidity(pallet_shared_liquidity::Call::deposit {
							amount: Balance::from(dollars) * DOLLARS,
						}),
					),
					Step::LpRequest { lp, percent } => {
						let shares = SharedLiquidity::lp_info(lps[lp].clone()).shares
							* Balance::from(percent)
							/ 100;
						(
							&lps[lp],
							RuntimeCall::SharedLiquidity(
								pallet_shared_liquidity::Call::request_withdraw { shares },
							),
						)
					},
					Step::LpWithdraw { lp } => {
						let shares = SharedLiquidity::lp_info(lps[lp].clone()).withdrawable;
						(
							&lps[lp],
							RuntimeCall::SharedLiquidity(pallet_shared_liquidity::Call::withdraw {
								shares,
							}),
						)
					},
					Step::Move { .. } | Step::Wait { .. } => unreachable!(),
				};
				dispatch(who, call);
				assert_shares_priced_at_nav(&lps);
			}),
		}
	}
	chain.finish();
}

/// The price served for `asset`, or a placeholder without one (the trade is
/// then refused for the missing price, which is what is being exercised).
fn chain_price(asset: OracleAssetId) -> Price {
	served_price(asset).unwrap_or_else(|| Price::from_u32(1))
}

/// Σ of every LP's value ≤ NAV ≤ Σ + one unit per LP (each value rounds
/// down).
fn assert_shares_priced_at_nav(lps: &[AccountId]) {
	let Some(nav) = SharedLiquidity::pool_nav() else { return };
	if nav <= 0 {
		return;
	}
	let mut holders: Vec<AccountId> = lps.to_vec();
	holders.push(sp_keyring::Sr25519Keyring::Alice.to_account_id());
	holders.push(sp_keyring::Sr25519Keyring::Bob.to_account_id());
	let values: Balance =
		holders.iter().map(|who| SharedLiquidity::lp_info(who.clone()).value).sum();
	let nav = nav.unsigned_abs();
	assert!(values <= nav, "LP values {values} exceed the NAV {nav}");
	assert!(nav <= values + holders.len() as Balance, "LP values {values} fall short of {nav}");
}

proptest! {
	#![proptest_config(ProptestConfig { cases: 24, .. ProptestConfig::default() })]

	#[test]
	fn random_sequences_keep_the_chain_solvent(steps in prop::collection::vec(step(), 1..40)) {
		run(steps);
	}
}
