//! Governance of markets and of the fee split.

use super::*;
use frame_support::{assert_noop, assert_ok};
use sp_arithmetic::{FixedU128, Perbill, Permill};
use sp_runtime::DispatchError;

fn create(id: MarketId, params: MarketParams) -> sp_runtime::DispatchResult {
	Margin::create_market(RuntimeOrigin::root(), id, params)
}

#[test]
fn create_market_works() {
	ExtBuilder::default().build_and_execute(|| {
		let params = MarketParams { oracle_asset: 7, ..btc_params() };
		set_price(7, usd(12));
		assert_ok!(create(5, params));
		System::assert_last_event(Event::<Test>::MarketCreated { market: 5, params }.into());
		let info = market(5);
		assert_eq!(info.params, params);
		assert_eq!(info.status, MarketStatus::Active);
		assert_eq!(info.state.last_price, usd(12));
		assert_eq!(info.state.open_interest(), Some(0));
		assert_eq!(MarketCount::<Test>::get(), 3);
		assert_eq!(Margin::market_ids(), vec![BTC, ETH, 5]);
	});
}

#[test]
fn create_market_without_a_price_yet_works() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(create(6, MarketParams { oracle_asset: 99, ..btc_params() }));
		assert_eq!(market(6).state.last_price, Price::zero());
	});
}

#[test]
fn create_market_needs_the_admin_origin() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(
			Margin::create_market(RuntimeOrigin::signed(ALICE), 5, btc_params()),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn create_market_refuses_an_existing_id() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(create(BTC, btc_params()), Error::<Test>::MarketExists);
	});
}

#[test]
fn create_market_refuses_more_than_max_markets() {
	ExtBuilder::default().build_and_execute(|| {
		for id in 2..8 {
			assert_ok!(create(id, btc_params()));
		}
		assert_eq!(MarketCount::<Test>::get(), 8);
		assert_noop!(create(8, btc_params()), Error::<Test>::TooManyMarkets);
	});
}

/// Each parameter outside its hard bound, with the error it gets.
fn invalid_params() -> Vec<(MarketParams, Error<Test>)> {
	let base = btc_params();
	let with = |change: fn(&mut MarketParams)| {
		let mut params = base;
		change(&mut params);
		params
	};
	vec![
		(
			with(|p| p.maintenance_margin = Permill::from_parts(999)),
			Error::<Test>::MarginFractionTooLow,
		),
		(with(|p| p.maintenance_margin = p.initial_margin), Error::<Test>::InvalidMarginFractions),
		(
			with(|p| {
				p.initial_margin = Permill::from_percent(3);
				p.maintenance_margin = Permill::from_percent(4);
			}),
			Error::<Test>::InvalidMarginFractions,
		),
		(
			with(|p| p.liquidation_penalty = Permill::from_parts(45_001)),
			Error::<Test>::LiquidationFeesTooHigh,
		),
		(with(|p| p.trading_fee = Permill::from_parts(10_001)), Error::<Test>::FeeTooHigh),
		(with(|p| p.skew_fee = Permill::from_percent(2)), Error::<Test>::FeeTooHigh),
		(with(|p| p.skew_scale = 0), Error::<Test>::ZeroSkewScale),
		(with(|p| p.funding_skew_scale = 0), Error::<Test>::ZeroSkewScale),
		(
			with(|p| p.max_funding_rate = Perbill::from_parts(100_001)),
			Error::<Test>::FundingRateTooHigh,
		),
		(
			with(|p| p.open_interest_lower_cap = p.open_interest_upper_cap),
			Error::<Test>::InvalidOpenInterestCaps,
		),
		(with(|p| p.max_open_interest = 0), Error::<Test>::OpenInterestOutOfBounds),
		(
			with(|p| p.max_open_interest = MAX_OPEN_INTEREST + 1),
			Error::<Test>::OpenInterestOutOfBounds,
		),
		(
			with(|p| p.open_interest_upper_cap = MAX_OPEN_INTEREST + 1),
			Error::<Test>::OpenInterestOutOfBounds,
		),
		(
			with(|p| p.volatility_multiplier = FixedU128::from_u32(101)),
			Error::<Test>::VolatilityMultiplierTooHigh,
		),
	]
}

#[test]
fn create_market_validates_every_parameter() {
	ExtBuilder::default().build_and_execute(|| {
		for (params, error) in invalid_params() {
			assert_noop!(create(5, params), error);
		}
		// The bounds themselves are accepted.
		let edge = MarketParams {
			maintenance_margin: MIN_MAINTENANCE_MARGIN,
			liquidation_penalty: Permill::from_parts(500),
			liquidator_reward: Permill::from_parts(500),
			trading_fee: MAX_FEE,
			skew_fee: MAX_FEE,
			max_funding_rate: MAX_FUNDING_RATE_PER_BLOCK,
			max_open_interest: MAX_OPEN_INTEREST,
			open_interest_upper_cap: MAX_OPEN_INTEREST,
			volatility_multiplier: FixedU128::from_u32(MAX_VOLATILITY_MULTIPLIER),
			..btc_params()
		};
		assert_ok!(create(5, edge));
	});
}

#[test]
fn update_market_works() {
	ExtBuilder::default().build_and_execute(|| {
		let params = MarketParams { trading_fee: Permill::from_parts(2_000), ..btc_params() };
		assert_ok!(Margin::update_market(RuntimeOrigin::root(), BTC, params));
		System::assert_last_event(Event::<Test>::MarketUpdated { market: BTC, params }.into());
		assert_eq!(market(BTC).params, params);
	});
}

#[test]
fn update_market_errors() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(
			Margin::update_market(RuntimeOrigin::signed(ALICE), BTC, btc_params()),
			DispatchError::BadOrigin
		);
		assert_noop!(
			Margin::update_market(RuntimeOrigin::root(), 42, btc_params()),
			Error::<Test>::UnknownMarket
		);
		for (params, error) in invalid_params() {
			assert_noop!(Margin::update_market(RuntimeOrigin::root(), BTC, params), error);
		}
	});
}

#[test]
fn oracle_asset_changes_only_without_open_interest() {
	ExtBuilder::default().build_and_execute(|| {
		let moved = MarketParams { oracle_asset: ETH_ASSET, ..btc_params() };
		deposit(ALICE, dollars(10_000));
		trade(ALICE, BTC, UNIT / 10);
		assert_noop!(
			Margin::update_market(RuntimeOrigin::root(), BTC, moved),
			Error::<Test>::OracleAssetLocked
		);
		trade(ALICE, BTC, -UNIT / 10);
		assert_ok!(Margin::update_market(RuntimeOrigin::root(), BTC, moved));
		assert_eq!(market(BTC).params.oracle_asset, ETH_ASSET);
	});
}

#[test]
fn set_market_status_works() {
	ExtBuilder::default().build_and_execute(|| {
		for status in [MarketStatus::ReduceOnly, MarketStatus::Halted, MarketStatus::Active] {
			assert_ok!(Margin::set_market_status(RuntimeOrigin::root(), BTC, status));
			System::assert_last_event(
				Event::<Test>::MarketStatusChanged { market: BTC, status }.into(),
			);
			assert_eq!(market(BTC).status, status);
		}
	});
}

#[test]
fn set_market_status_errors() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(
			Margin::set_market_status(RuntimeOrigin::signed(ALICE), BTC, MarketStatus::Halted),
			DispatchError::BadOrigin
		);
		assert_noop!(
			Margin::set_market_status(RuntimeOrigin::root(), 42, MarketStatus::Halted),
			Error::<Test>::UnknownMarket
		);
	});
}

#[test]
fn set_fee_split_works() {
	ExtBuilder::default().build_and_execute(|| {
		let split = FeeSplit {
			liquidity_providers: Permill::from_percent(50),
			insurance: Permill::from_percent(25),
			stakers: Permill::from_percent(25),
		};
		assert_ok!(Margin::set_fee_split(RuntimeOrigin::root(), split));
		System::assert_last_event(Event::<Test>::FeeSplitUpdated { split }.into());
		assert_eq!(FeeSplitConfig::<Test>::get(), split);
	});
}

#[test]
fn set_fee_split_errors() {
	ExtBuilder::default().build_and_execute(|| {
		let short = FeeSplit {
			liquidity_providers: Permill::from_percent(50),
			insurance: Permill::from_percent(25),
			stakers: Permill::from_percent(24),
		};
		assert_noop!(
			Margin::set_fee_split(RuntimeOrigin::signed(ALICE), FeeSplit::default()),
			DispatchError::BadOrigin
		);
		assert_noop!(
			Margin::set_fee_split(RuntimeOrigin::root(), short),
			Error::<Test>::InvalidFeeSplit
		);
		let over = FeeSplit { stakers: Permill::from_percent(26), ..short };
		assert_noop!(
			Margin::set_fee_split(RuntimeOrigin::root(), over),
			Error::<Test>::InvalidFeeSplit
		);
	});
}
