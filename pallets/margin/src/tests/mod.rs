//! Tests of the margin pallet, by area. Every test runs in the mock runtime
//! and ends with the pallet's `try_state` invariants.

use crate::{mock::*, *};
use backstop_primitives::{units::DOLLARS, Balance, MarketId, Price};
use frame_support::assert_ok;
use sp_arithmetic::{
	traits::{Bounded, Zero},
	FixedPointNumber,
};
use sp_runtime::BuildStorage;

mod accounts;
mod api;
mod deleveraging;
mod excess;
mod final_settlement;
mod funding;
mod governance;
mod liquidation;
mod markets;
mod migrations;
mod netting;
mod partial;
mod premium;
mod profit_deleveraging;
mod properties;
mod settlement;
mod sweep;
mod takeover;
mod trading;

/// `n` whole dollars in micro-dollars.
pub fn dollars(n: u128) -> Balance {
	n * DOLLARS
}

/// The widest acceptable price for a trade of `delta`.
pub fn any_price(delta: i128) -> Price {
	if delta > 0 {
		Price::max_value()
	} else {
		Price::zero()
	}
}

/// Deposits `amount` for `who`.
pub fn deposit(who: u64, amount: Balance) {
	assert_ok!(Margin::deposit(RuntimeOrigin::signed(who), amount));
}

/// Trades `delta` for `who` in `market` at any price.
pub fn trade(who: u64, market: MarketId, delta: i128) {
	assert_ok!(Margin::trade(RuntimeOrigin::signed(who), market, delta, any_price(delta)));
}

/// The collateral of `who` (zero without an account).
pub fn collateral(who: u64) -> Balance {
	Accounts::<Test>::get(who).map(|a| a.collateral).unwrap_or_default()
}

/// The position of `who` in `market`.
pub fn position(who: u64, market: MarketId) -> Option<Position> {
	Accounts::<Test>::get(who)
		.and_then(|a| a.positions.iter().find(|p| p.market == market).copied())
}

/// The size of the position of `who` in `market` (zero without one).
pub fn size(who: u64, market: MarketId) -> i128 {
	position(who, market).map(|p| p.size).unwrap_or_default()
}

/// The stored market.
pub fn market(id: MarketId) -> MarketInfo {
	Markets::<Test>::get(id).expect("market exists")
}

/// Partial liquidation above a health of two thirds, back to maintenance
/// plus 10%, with no size limits.
pub fn partial_params() -> LiquidationParams {
	LiquidationParams {
		full_below: sp_arithmetic::Permill::from_parts(666_667),
		buffer: sp_arithmetic::Permill::from_percent(10),
		small_position: 0,
		large_position: Balance::MAX,
		max_portion: sp_arithmetic::Permill::one(),
	}
}

/// No trading fee and no funding in `market`: figures stay round.
pub fn frictionless(market: MarketId) {
	set_params(market, |p| {
		p.trading_fee = sp_arithmetic::Permill::zero();
		p.max_funding_rate = sp_arithmetic::Perbill::zero();
	});
}

/// `who` deposits `collateral` dollars and trades `delta` in BTC at
/// `price` dollars.
pub fn open_at(who: u64, price: u32, collateral: u128, delta: i128) {
	set_price(BTC_ASSET, usd(price));
	deposit(who, dollars(collateral));
	trade(who, BTC, delta);
}

/// Changes the parameters of `id` through governance.
pub fn set_params(id: MarketId, change: impl FnOnce(&mut MarketParams)) {
	let mut params = market(id).params;
	change(&mut params);
	assert_ok!(Margin::update_market(RuntimeOrigin::root(), id, params));
}

/// The pallet's events, oldest first.
pub fn margin_events() -> Vec<Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|record| match record.event {
			RuntimeEvent::Margin(event) => Some(event),
			_ => None,
		})
		.collect()
}

/// The account's equity as the runtime API reports it.
pub fn equity(who: u64) -> i128 {
	Margin::account_health(&who).expect("account can be valued").equity
}

/// The pallet account's balance.
pub fn pallet_balance() -> Balance {
	balance(Margin::account_id())
}

#[test]
fn genesis_creates_markets_and_the_buffer() {
	ExtBuilder::default().build_and_execute(|| {
		assert_eq!(MarketCount::<Test>::get(), 2);
		assert_eq!(market(BTC).params, btc_params());
		assert_eq!(market(ETH).params, eth_params());
		assert_eq!(market(BTC).status, MarketStatus::Active);
		assert_eq!(market(BTC).state.last_price, usd(50_000));
		assert_eq!(pallet_balance(), ED);
		assert_eq!(FeeSplitConfig::<Test>::get(), FeeSplit::default());
	});
}

#[test]
fn genesis_without_markets_is_empty() {
	ExtBuilder::default().without_markets().build_and_execute(|| {
		assert_eq!(MarketCount::<Test>::get(), 0);
		assert!(Margin::market_ids().is_empty());
	});
}

#[test]
#[should_panic(expected = "invalid genesis market")]
fn genesis_rejects_invalid_markets() {
	let mut params = btc_params();
	params.maintenance_margin = params.initial_margin;
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	crate::GenesisConfig::<Test> {
		markets: vec![(BTC, params)],
		fee_split: None,
		profit_warmup: None,
		liquidation: None,
		stress_moves: vec![],
		_config: Default::default(),
	}
	.assimilate_storage(&mut storage)
	.unwrap();
}

#[test]
#[should_panic(expected = "invalid genesis profit warm-up")]
fn genesis_rejects_an_invalid_warmup() {
	ExtBuilder::default().warmup(0, 1_001).build();
}

#[test]
fn genesis_sets_the_warmup() {
	ExtBuilder::default().warmup(dollars(10), 20).build_and_execute(|| {
		assert_eq!(
			ProfitWarmupConfig::<Test>::get(),
			ProfitWarmup { threshold: dollars(10), period: 20 }
		);
		use frame_support::traits::GetStorageVersion;
		assert_eq!(Margin::in_code_storage_version(), 3);
	});
}

#[test]
fn integrity_test_passes() {
	use frame_support::traits::Hooks;
	ExtBuilder::default().build_and_execute(|| {
		<Margin as Hooks<u64>>::integrity_test();
	});
}

#[test]
fn fixed_point_one_is_what_math_uses() {
	assert_eq!(<Price as FixedPointNumber>::DIV, 1_000_000_000_000_000_000);
}

/// The demo markets of the runtime's `development` preset, as JSON.
pub const DEMO_GENESIS_JSON: &str = r#"{
	"markets": [
		[0, {
			"oracleAsset": 0,
			"initialMargin": 50000,
			"maintenanceMargin": 30000,
			"openInterestLowerCap": 50000000000000,
			"openInterestUpperCap": 200000000000000,
			"maxOpenInterest": 200000000000000,
			"volatilityMultiplier": "2000000000000000000",
			"volatilityCap": 100000,
			"tradingFee": 500,
			"skewFee": 1000,
			"skewScale": 1000000000,
			"liquidationPenalty": 10000,
			"liquidatorReward": 2500,
			"maxFundingRate": 1667,
			"fundingSkewScale": 1000000000
		}],
		[1, {
			"oracleAsset": 1,
			"initialMargin": 50000,
			"maintenanceMargin": 30000,
			"openInterestLowerCap": 20000000000000,
			"openInterestUpperCap": 100000000000000,
			"maxOpenInterest": 100000000000000,
			"volatilityMultiplier": "2000000000000000000",
			"volatilityCap": 100000,
			"tradingFee": 500,
			"skewFee": 1000,
			"skewScale": 10000000000,
			"liquidationPenalty": 10000,
			"liquidatorReward": 2500,
			"maxFundingRate": 1667,
			"fundingSkewScale": 10000000000
		}]
	],
	"feeSplit": null
}"#;

#[test]
fn demo_genesis_json_builds_valid_markets() {
	let config: crate::GenesisConfig<Test> =
		serde_json::from_str(DEMO_GENESIS_JSON).expect("the demo genesis parses");
	assert_eq!(config.markets.len(), 2);
	let btc = config.markets[0].1;
	assert_eq!(btc.volatility_multiplier, sp_arithmetic::FixedU128::from_u32(2));
	assert_eq!(btc.initial_margin, sp_arithmetic::Permill::from_percent(5));
	assert_eq!(btc.max_open_interest, dollars(200_000_000));
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test>::default().assimilate_storage(&mut storage).unwrap();
	config.assimilate_storage(&mut storage).unwrap();
	sp_io::TestExternalities::new(storage).execute_with(|| {
		assert_eq!(Margin::market_ids(), vec![BTC, ETH]);
		assert_eq!(market(ETH).params.oracle_asset, ETH_ASSET);
		assert_eq!(market(ETH).params.skew_scale, 10_000 * UNIT as u128);
		assert_eq!(pallet_balance(), ED);
		Margin::do_try_state().unwrap();
	});
}
