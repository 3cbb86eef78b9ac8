//! Who may change what (README, "Governance"): for every privileged call,
//! the guardian is refused a loosening and may tighten; the risk track is
//! bounded by `MaxParamStep` and `MinChangeInterval`; Root only by the hard
//! ranges; anyone else is refused. Every refusal leaves state unchanged
//! (`assert_noop!` compares the storage root).

use super::*;
use backstop_primitives::governance::Direction;
use frame_support::{assert_noop, weights::Weight};
use sp_arithmetic::{FixedU128, Perbill, Permill};
use sp_runtime::DispatchError;

fn root() -> RuntimeOrigin {
	RuntimeOrigin::root()
}

fn risk() -> RuntimeOrigin {
	RuntimeOrigin::signed(RISK_TRACK)
}

fn guardian() -> RuntimeOrigin {
	RuntimeOrigin::signed(GUARDIAN)
}

fn stranger() -> RuntimeOrigin {
	RuntimeOrigin::signed(ALICE)
}

/// The block from which a parameter changed now may change again.
fn after_interval() {
	run_to_block(System::block_number() + MIN_CHANGE_INTERVAL);
}

fn changed_at(key: ParamKey) -> Option<u64> {
	ParamChangedAt::<Test>::get(key)
}

/// BTC's parameters with `change` applied.
fn btc_with(change: impl FnOnce(&mut MarketParams)) -> MarketParams {
	let mut params = market(BTC).params;
	change(&mut params);
	params
}

// ---------------------------------------------------------------- origins

#[test]
fn a_signed_non_member_is_refused_every_privileged_call() {
	ExtBuilder::default().build_and_execute(|| {
		let bad = DispatchError::BadOrigin;
		assert_noop!(Margin::create_market(stranger(), 2, btc_params()), bad);
		assert_noop!(Margin::update_market(stranger(), BTC, btc_params()), bad);
		assert_noop!(Margin::set_market_status(stranger(), BTC, MarketStatus::Halted), bad);
		assert_noop!(Margin::set_fee_split(stranger(), FeeSplit::default()), bad);
		assert_noop!(Margin::set_profit_warmup(stranger(), 0, 10), bad);
		assert_noop!(Margin::set_liquidation_params(stranger(), partial_params()), bad);
		assert_noop!(Margin::set_sweep_budget(stranger(), Margin::min_sweep_budget()), bad);
		assert_noop!(Margin::settle_final(stranger(), BTC, None), bad);
		assert_noop!(Margin::set_stress_move(stranger(), BTC, Permill::from_percent(31)), bad);
		assert_noop!(Margin::sweep_excess(stranger(), 10), bad);
	});
}

// ---------------------------------------------------------- create_market

#[test]
fn create_market_is_governance_only() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(
			Margin::create_market(guardian(), 2, btc_params()),
			Error::<Test>::GuardianCannotLoosen
		);
		// The risk track creates (no step, no interval for a creation)...
		assert_ok!(Margin::create_market(risk(), 2, btc_params()));
		assert_eq!(market(2).status, MarketStatus::Active);
		// ...which starts the interval of the market's parameters.
		assert_eq!(changed_at(ParamKey::MarketParams(2)), Some(1));
		let mut tighter = btc_params();
		tighter.maintenance_margin = Permill::from_parts(55_000);
		assert_noop!(Margin::update_market(risk(), 2, tighter), Error::<Test>::ChangeTooSoon);
		assert_ok!(Margin::create_market(risk(), 3, eth_params()));
		after_interval();
		assert_ok!(Margin::update_market(risk(), 2, tighter));
	});
}

#[test]
fn root_creates_markets_within_the_hard_ranges_only() {
	ExtBuilder::default().build_and_execute(|| {
		let mut invalid = btc_params();
		invalid.maintenance_margin = invalid.initial_margin;
		assert_noop!(
			Margin::create_market(root(), 2, invalid),
			Error::<Test>::InvalidMarginFractions
		);
		assert_noop!(
			Margin::create_market(risk(), 2, invalid),
			Error::<Test>::InvalidMarginFractions
		);
		assert_ok!(Margin::create_market(root(), 2, btc_params()));
		// Root ignores the interval its own creation started.
		let looser = MarketParams { maintenance_margin: Permill::from_percent(2), ..btc_params() };
		assert_ok!(Margin::update_market(root(), 2, looser));
	});
}

// ---------------------------------------------------------- update_market

#[test]
fn every_market_field_is_classified() {
	ExtBuilder::default().build_and_execute(|| {
		let base = btc_with(|p| {
			p.volatility_multiplier = FixedU128::from_u32(2);
			p.skew_fee = Permill::from_parts(2_000);
		});
		type Change = fn(&mut MarketParams);
		// (field, a 10% tightening, a 10% loosening)
		let fields: [(&str, Change, Change); 11] = [
			(
				"initial_margin",
				|p| p.initial_margin = Permill::from_percent(11),
				|p| p.initial_margin = Permill::from_percent(9),
			),
			(
				"maintenance_margin",
				|p| p.maintenance_margin = Permill::from_parts(55_000),
				|p| p.maintenance_margin = Permill::from_parts(45_000),
			),
			(
				"open_interest_lower_cap",
				|p| p.open_interest_lower_cap = dollars(9_000_000),
				|p| p.open_interest_lower_cap = dollars(11_000_000),
			),
			(
				"open_interest_upper_cap",
				|p| p.open_interest_upper_cap = dollars(45_000_000),
				|p| p.open_interest_upper_cap = dollars(55_000_000),
			),
			(
				"max_open_interest",
				|p| p.max_open_interest = dollars(45_000_000),
				|p| p.max_open_interest = dollars(55_000_000),
			),
			(
				"volatility_multiplier",
				|p| p.volatility_multiplier = FixedU128::from_rational(22, 10),
				|p| p.volatility_multiplier = FixedU128::from_rational(18, 10),
			),
			(
				"volatility_cap",
				|p| p.volatility_cap = Permill::from_percent(11),
				|p| p.volatility_cap = Permill::from_percent(9),
			),
			(
				"skew_fee",
				|p| p.skew_fee = Permill::from_parts(2_200),
				|p| p.skew_fee = Permill::from_parts(1_800),
			),
			(
				"skew_scale",
				|p| p.skew_scale = 900 * UNIT as u128,
				|p| p.skew_scale = 1_100 * UNIT as u128,
			),
			(
				"max_funding_rate",
				|p| p.max_funding_rate = Perbill::from_parts(11_000),
				|p| p.max_funding_rate = Perbill::from_parts(9_000),
			),
			(
				"funding_skew_scale",
				|p| p.funding_skew_scale = 90 * UNIT as u128,
				|p| p.funding_skew_scale = 110 * UNIT as u128,
			),
		];
		for (field, tighten, loosen) in fields {
			let mut new = base;
			tighten(&mut new);
			let change = Margin::classify_market_params(&base, &new);
			assert_eq!(change.direction, Direction::Tighten, "{field} tightens");
			assert!(change.within_step, "{field}: 10% is within the step");
			let mut new = base;
			loosen(&mut new);
			let change = Margin::classify_market_params(&base, &new);
			assert_eq!(change.direction, Direction::Loosen, "{field} loosens");
			assert!(change.within_step, "{field}: 10% is within the step");
		}
		// Pricing and transfers, and the oracle asset: governance's in either
		// direction.
		let governed: [(&str, Change, Change); 3] = [
			(
				"trading_fee",
				|p| p.trading_fee = Permill::from_parts(1_100),
				|p| p.trading_fee = Permill::from_parts(900),
			),
			(
				"liquidation_penalty",
				|p| p.liquidation_penalty = Permill::from_parts(11_000),
				|p| p.liquidation_penalty = Permill::from_parts(9_000),
			),
			(
				"liquidator_reward",
				|p| p.liquidator_reward = Permill::from_parts(5_500),
				|p| p.liquidator_reward = Permill::from_parts(4_500),
			),
		];
		for (field, up, down) in governed {
			for change in [up, down] {
				let mut new = base;
				change(&mut new);
				let change = Margin::classify_market_params(&base, &new);
				assert_eq!(change.direction, Direction::Loosen, "{field} is governance's");
				assert!(change.within_step);
			}
		}
		let new = MarketParams { oracle_asset: ETH_ASSET, ..base };
		assert_eq!(Margin::classify_market_params(&base, &new).direction, Direction::Loosen);
		assert_eq!(Margin::classify_market_params(&base, &base).direction, Direction::Unchanged);
		// A step of more than 25% in any field is out of step.
		let new = MarketParams { max_open_interest: dollars(37_000_000), ..base };
		assert!(!Margin::classify_market_params(&base, &new).within_step);
	});
}

#[test]
fn the_guardian_may_tighten_a_market_but_not_loosen_it() {
	ExtBuilder::default().build_and_execute(|| {
		let looser = btc_with(|p| p.maintenance_margin = Permill::from_parts(45_000));
		assert_noop!(
			Margin::update_market(guardian(), BTC, looser),
			Error::<Test>::GuardianCannotLoosen
		);
		// One part tightening does not excuse another loosening.
		let mixed = btc_with(|p| {
			p.initial_margin = Permill::from_percent(11);
			p.max_open_interest = dollars(55_000_000);
		});
		assert_noop!(
			Margin::update_market(guardian(), BTC, mixed),
			Error::<Test>::GuardianCannotLoosen
		);
		let fee = btc_with(|p| p.trading_fee = Permill::from_parts(1_200));
		assert_noop!(
			Margin::update_market(guardian(), BTC, fee),
			Error::<Test>::GuardianCannotLoosen
		);
		// Raising a maintenance margin liquidates accounts: step-bounded for
		// the guardian too.
		let jump = btc_with(|p| p.maintenance_margin = Permill::from_parts(62_600));
		assert_noop!(Margin::update_market(guardian(), BTC, jump), Error::<Test>::StepTooLarge);
		let tighter = btc_with(|p| {
			p.maintenance_margin = Permill::from_parts(62_500);
			p.initial_margin = Permill::from_percent(12);
			p.max_open_interest = dollars(40_000_000);
		});
		assert_ok!(Margin::update_market(guardian(), BTC, tighter));
		assert_eq!(market(BTC).params, tighter);
		assert_eq!(changed_at(ParamKey::MarketParams(BTC)), Some(1));
		// The interval binds the guardian as well; markets are separate.
		let again = btc_with(|p| p.initial_margin = Permill::from_percent(13));
		assert_noop!(Margin::update_market(guardian(), BTC, again), Error::<Test>::ChangeTooSoon);
		let eth = MarketParams { initial_margin: Permill::from_percent(12), ..eth_params() };
		assert_ok!(Margin::update_market(guardian(), ETH, eth));
		after_interval();
		assert_ok!(Margin::update_market(guardian(), BTC, again));
	});
}

#[test]
fn the_risk_track_changes_a_market_in_steps_and_intervals() {
	ExtBuilder::default().build_and_execute(|| {
		// Loosening by the largest step is the risk track's to make.
		let too_far = btc_with(|p| p.open_interest_lower_cap = dollars(12_500_001));
		assert_noop!(Margin::update_market(risk(), BTC, too_far), Error::<Test>::StepTooLarge);
		let looser = btc_with(|p| p.open_interest_lower_cap = dollars(12_500_000));
		assert_ok!(Margin::update_market(risk(), BTC, looser));
		let next = btc_with(|p| p.trading_fee = Permill::from_parts(1_100));
		assert_noop!(Margin::update_market(risk(), BTC, next), Error::<Test>::ChangeTooSoon);
		run_to_block(1 + MIN_CHANGE_INTERVAL - 1);
		assert_noop!(Margin::update_market(risk(), BTC, next), Error::<Test>::ChangeTooSoon);
		run_to_block(1 + MIN_CHANGE_INTERVAL);
		assert_ok!(Margin::update_market(risk(), BTC, next));
		assert_eq!(market(BTC).params, next);
		assert_eq!(changed_at(ParamKey::MarketParams(BTC)), Some(1 + MIN_CHANGE_INTERVAL));
	});
}

#[test]
fn root_changes_a_market_within_the_hard_ranges_only() {
	ExtBuilder::default().build_and_execute(|| {
		let halved = btc_with(|p| p.maintenance_margin = Permill::from_parts(25_000));
		assert_ok!(Margin::update_market(root(), BTC, halved));
		// Root's change starts the interval for the others...
		let tighter = btc_with(|p| p.maintenance_margin = Permill::from_parts(30_000));
		assert_noop!(Margin::update_market(risk(), BTC, tighter), Error::<Test>::ChangeTooSoon);
		// ...but not for Root.
		let doubled = btc_with(|p| p.maintenance_margin = Permill::from_parts(90_000));
		assert_ok!(Margin::update_market(root(), BTC, doubled));
		let invalid = btc_with(|p| p.maintenance_margin = p.initial_margin);
		assert_noop!(
			Margin::update_market(root(), BTC, invalid),
			Error::<Test>::InvalidMarginFractions
		);
	});
}

// ------------------------------------------------------ set_market_status

#[test]
fn the_guardian_may_only_move_a_market_towards_halted() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(Margin::set_market_status(guardian(), BTC, MarketStatus::ReduceOnly));
		assert_noop!(
			Margin::set_market_status(guardian(), BTC, MarketStatus::Active),
			Error::<Test>::GuardianCannotLoosen
		);
		// A discrete action: no interval, no step.
		assert_ok!(Margin::set_market_status(guardian(), BTC, MarketStatus::Halted));
		for back in [MarketStatus::ReduceOnly, MarketStatus::Active] {
			assert_noop!(
				Margin::set_market_status(guardian(), BTC, back),
				Error::<Test>::GuardianCannotLoosen
			);
		}
		assert_ok!(Margin::set_market_status(guardian(), ETH, MarketStatus::Halted));
		assert_eq!(market(BTC).status, MarketStatus::Halted);
		assert_eq!(market(ETH).status, MarketStatus::Halted);
		// Nothing recorded: a status has no interval.
		assert_eq!(ParamChangedAt::<Test>::iter().count(), 0);
	});
}

#[test]
fn the_risk_track_reopens_at_once_and_root_keeps_the_hard_rules() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(Margin::set_market_status(guardian(), BTC, MarketStatus::Halted));
		assert_ok!(Margin::set_market_status(risk(), BTC, MarketStatus::Active));
		assert_ok!(Margin::set_market_status(guardian(), BTC, MarketStatus::ReduceOnly));
		assert_ok!(Margin::set_market_status(risk(), BTC, MarketStatus::Active));
		assert_eq!(market(BTC).status, MarketStatus::Active);
		assert_noop!(
			Margin::set_market_status(root(), BTC, MarketStatus::Closed),
			Error::<Test>::MarketClosed
		);
		// A market under final settlement keeps its rules for everyone.
		assert_ok!(Margin::settle_final(root(), ETH, None));
		for who in [root(), risk(), guardian()] {
			assert_noop!(
				Margin::set_market_status(who, ETH, MarketStatus::Halted),
				Error::<Test>::SettlementUnderway
			);
		}
	});
}

// ---------------------------------------------------------- set_fee_split

fn split(lp: u32, insurance: u32, stakers: u32) -> FeeSplit {
	FeeSplit {
		liquidity_providers: Permill::from_percent(lp),
		insurance: Permill::from_percent(insurance),
		stakers: Permill::from_percent(stakers),
	}
}

#[test]
fn the_fee_split_is_governance_only_and_step_bounded() {
	ExtBuilder::default().build_and_execute(|| {
		// Default 70/20/10.
		assert_noop!(
			Margin::set_fee_split(guardian(), split(65, 24, 11)),
			Error::<Test>::GuardianCannotLoosen
		);
		assert_noop!(
			Margin::set_fee_split(guardian(), FeeSplit::default()),
			Error::<Test>::GuardianCannotLoosen
		);
		// Stakers 10% → 15% is a step of 50%.
		assert_noop!(Margin::set_fee_split(risk(), split(65, 20, 15)), Error::<Test>::StepTooLarge);
		assert_ok!(Margin::set_fee_split(risk(), split(65, 24, 11)));
		assert_eq!(FeeSplitConfig::<Test>::get(), split(65, 24, 11));
		assert_noop!(
			Margin::set_fee_split(risk(), split(60, 28, 12)),
			Error::<Test>::ChangeTooSoon
		);
		after_interval();
		assert_ok!(Margin::set_fee_split(risk(), split(60, 28, 12)));
		// Root: any step at once, but the parts must sum to 100%.
		assert_ok!(Margin::set_fee_split(root(), split(30, 30, 40)));
		assert_noop!(
			Margin::set_fee_split(root(), split(30, 30, 30)),
			Error::<Test>::InvalidFeeSplit
		);
		assert_noop!(
			Margin::set_fee_split(risk(), split(30, 30, 30)),
			Error::<Test>::InvalidFeeSplit
		);
	});
}

// ------------------------------------------------------ set_profit_warmup

#[test]
fn the_guardian_may_lengthen_the_warmup_and_lower_its_threshold() {
	ExtBuilder::default().warmup(dollars(100), 100).build_and_execute(|| {
		assert_noop!(
			Margin::set_profit_warmup(guardian(), dollars(100), 90),
			Error::<Test>::GuardianCannotLoosen
		);
		assert_noop!(
			Margin::set_profit_warmup(guardian(), dollars(110), 100),
			Error::<Test>::GuardianCannotLoosen
		);
		assert_noop!(
			Margin::set_profit_warmup(guardian(), dollars(80), 126),
			Error::<Test>::StepTooLarge
		);
		assert_ok!(Margin::set_profit_warmup(guardian(), dollars(80), 125));
		assert_eq!(
			ProfitWarmupConfig::<Test>::get(),
			ProfitWarmup { threshold: dollars(80), period: 125 }
		);
		assert_noop!(
			Margin::set_profit_warmup(guardian(), dollars(80), 150),
			Error::<Test>::ChangeTooSoon
		);
		after_interval();
		assert_ok!(Margin::set_profit_warmup(guardian(), dollars(80), 150));
	});
}

#[test]
fn the_risk_track_and_root_change_the_warmup() {
	ExtBuilder::default().warmup(dollars(100), 100).build_and_execute(|| {
		assert_noop!(
			Margin::set_profit_warmup(risk(), dollars(100), 74),
			Error::<Test>::StepTooLarge
		);
		assert_ok!(Margin::set_profit_warmup(risk(), dollars(125), 75));
		assert_noop!(
			Margin::set_profit_warmup(risk(), dollars(125), 80),
			Error::<Test>::ChangeTooSoon
		);
		after_interval();
		assert_ok!(Margin::set_profit_warmup(risk(), dollars(125), 80));
		// Root: off and on again at once, within `MaxWarmupPeriod`.
		assert_ok!(Margin::set_profit_warmup(root(), 0, 0));
		// A disabled warm-up has no relative step: only Root switches it on.
		assert_noop!(Margin::set_profit_warmup(risk(), 0, 10), Error::<Test>::StepTooLarge);
		assert_ok!(Margin::set_profit_warmup(root(), 0, 1_000));
		assert_noop!(
			Margin::set_profit_warmup(root(), 0, 1_001),
			Error::<Test>::WarmupPeriodTooLong
		);
	});
}

// ------------------------------------------------- set_liquidation_params

fn sizing() -> LiquidationParams {
	LiquidationParams {
		full_below: Permill::from_percent(60),
		buffer: Permill::from_percent(10),
		small_position: dollars(1_000),
		large_position: dollars(100_000),
		max_portion: Permill::from_percent(20),
	}
}

#[test]
fn every_liquidation_field_tightens_upwards() {
	ExtBuilder::default().liquidation(sizing()).build_and_execute(|| {
		type Change = fn(&mut LiquidationParams);
		let fields: [(&str, Change, Change); 5] = [
			(
				"full_below",
				|p| p.full_below = Permill::from_percent(66),
				|p| p.full_below = Permill::from_percent(54),
			),
			(
				"buffer",
				|p| p.buffer = Permill::from_percent(11),
				|p| p.buffer = Permill::from_percent(9),
			),
			(
				"small_position",
				|p| p.small_position = dollars(1_100),
				|p| p.small_position = dollars(900),
			),
			(
				"large_position",
				|p| p.large_position = dollars(110_000),
				|p| p.large_position = dollars(90_000),
			),
			(
				"max_portion",
				|p| p.max_portion = Permill::from_percent(22),
				|p| p.max_portion = Permill::from_percent(18),
			),
		];
		let base = sizing();
		for (field, tighten, loosen) in fields {
			let mut new = base;
			tighten(&mut new);
			let change = Margin::classify_liquidation_params(&base, &new);
			assert_eq!(change.direction, Direction::Tighten, "{field} tightens");
			assert!(change.within_step);
			let mut new = base;
			loosen(&mut new);
			assert_eq!(
				Margin::classify_liquidation_params(&base, &new).direction,
				Direction::Loosen,
				"{field} loosens"
			);
		}
	});
}

#[test]
fn the_guardian_may_make_liquidations_close_more() {
	ExtBuilder::default().liquidation(sizing()).build_and_execute(|| {
		let looser = LiquidationParams { full_below: Permill::from_percent(50), ..sizing() };
		assert_noop!(
			Margin::set_liquidation_params(guardian(), looser),
			Error::<Test>::GuardianCannotLoosen
		);
		let jump = LiquidationParams { buffer: Permill::from_percent(13), ..sizing() };
		assert_noop!(Margin::set_liquidation_params(guardian(), jump), Error::<Test>::StepTooLarge);
		let tighter = LiquidationParams {
			full_below: Permill::from_percent(75),
			max_portion: Permill::from_percent(25),
			..sizing()
		};
		assert_ok!(Margin::set_liquidation_params(guardian(), tighter));
		assert_eq!(LiquidationConfig::<Test>::get(), tighter);
		assert_eq!(changed_at(ParamKey::LiquidationParams), Some(1));
	});
}

#[test]
fn the_risk_track_and_root_size_liquidations() {
	ExtBuilder::default().liquidation(sizing()).build_and_execute(|| {
		let far = LiquidationParams { small_position: dollars(700), ..sizing() };
		assert_noop!(Margin::set_liquidation_params(risk(), far), Error::<Test>::StepTooLarge);
		let looser = LiquidationParams { small_position: dollars(750), ..sizing() };
		assert_ok!(Margin::set_liquidation_params(risk(), looser));
		// Back up by at most a quarter of the new value.
		let back = LiquidationParams { small_position: dollars(900), ..sizing() };
		assert_noop!(Margin::set_liquidation_params(risk(), back), Error::<Test>::ChangeTooSoon);
		after_interval();
		assert_noop!(Margin::set_liquidation_params(risk(), sizing()), Error::<Test>::StepTooLarge);
		assert_ok!(Margin::set_liquidation_params(risk(), back));
		assert_ok!(Margin::set_liquidation_params(root(), LiquidationParams::default()));
		let zero = LiquidationParams { buffer: Permill::zero(), ..sizing() };
		assert_noop!(
			Margin::set_liquidation_params(root(), zero),
			Error::<Test>::InvalidLiquidationParams
		);
	});
}

// ------------------------------------------------------- set_sweep_budget

/// `budget` scaled by `num / den` in both components.
fn scaled(budget: Weight, num: u64, den: u64) -> Weight {
	Weight::from_parts(budget.ref_time() / den * num, budget.proof_size() / den * num)
}

#[test]
fn the_guardian_may_raise_the_sweep_budget_not_lower_it() {
	ExtBuilder::default().build_and_execute(|| {
		let base = Margin::min_sweep_budget().saturating_mul(2);
		assert!(scaled(base, 5, 4).all_lte(MaxSweepWeight::get()));
		assert_ok!(Margin::set_sweep_budget(root(), base));
		// Root's change started the interval.
		assert_noop!(
			Margin::set_sweep_budget(guardian(), scaled(base, 6, 5)),
			Error::<Test>::ChangeTooSoon
		);
		after_interval();
		assert_noop!(
			Margin::set_sweep_budget(guardian(), scaled(base, 9, 10)),
			Error::<Test>::GuardianCannotLoosen
		);
		// Lowering either component loosens.
		let mixed = Weight::from_parts(base.ref_time() / 5 * 6, base.proof_size() / 10 * 9);
		assert_noop!(
			Margin::set_sweep_budget(guardian(), mixed),
			Error::<Test>::GuardianCannotLoosen
		);
		assert_noop!(
			Margin::set_sweep_budget(guardian(), scaled(base, 3, 2)),
			Error::<Test>::StepTooLarge
		);
		assert_ok!(Margin::set_sweep_budget(guardian(), scaled(base, 6, 5)));
		assert_eq!(Margin::sweep_budget(), scaled(base, 6, 5));
	});
}

#[test]
fn the_risk_track_and_root_set_the_sweep_budget() {
	ExtBuilder::default().build_and_execute(|| {
		// From the default (`MaxSweepWeight`): down by at most a quarter.
		let max = MaxSweepWeight::get();
		assert_noop!(
			Margin::set_sweep_budget(risk(), scaled(max, 1, 2)),
			Error::<Test>::StepTooLarge
		);
		assert_ok!(Margin::set_sweep_budget(risk(), scaled(max, 4, 5)));
		assert_noop!(
			Margin::set_sweep_budget(risk(), scaled(max, 7, 10)),
			Error::<Test>::ChangeTooSoon
		);
		after_interval();
		assert_ok!(Margin::set_sweep_budget(risk(), scaled(max, 7, 10)));
		assert_ok!(Margin::set_sweep_budget(root(), Margin::min_sweep_budget()));
		assert_noop!(
			Margin::set_sweep_budget(root(), max.saturating_add(Weight::from_parts(1, 0))),
			Error::<Test>::InvalidSweepBudget
		);
	});
}

// ----------------------------------------------------------- settle_final

#[test]
fn settle_final_is_governance_only() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(
			Margin::settle_final(guardian(), BTC, None),
			Error::<Test>::GuardianCannotLoosen
		);
		// Hard rules first, for every authority.
		assert_noop!(
			Margin::settle_final(root(), BTC, Some(usd(40_000))),
			Error::<Test>::OraclePriceAvailable
		);
		assert_ok!(Margin::settle_final(risk(), BTC, None));
		assert_eq!(FinalSettlement::<Test>::get(BTC), Some(usd(50_000)));
		assert_ok!(Margin::settle_final(root(), ETH, None));
		assert!(FinalSettlement::<Test>::contains_key(ETH));
	});
}

// -------------------------------------------------------- set_stress_move

#[test]
fn the_guardian_may_raise_a_stress_move() {
	ExtBuilder::default().build_and_execute(|| {
		// Default 30%.
		assert_noop!(
			Margin::set_stress_move(guardian(), BTC, Permill::from_percent(29)),
			Error::<Test>::GuardianCannotLoosen
		);
		assert_noop!(
			Margin::set_stress_move(guardian(), BTC, Permill::from_parts(375_001)),
			Error::<Test>::StepTooLarge
		);
		assert_ok!(Margin::set_stress_move(guardian(), BTC, Permill::from_parts(375_000)));
		assert_eq!(StressMoves::<Test>::get(BTC), Permill::from_parts(375_000));
		assert_noop!(
			Margin::set_stress_move(guardian(), BTC, Permill::from_percent(40)),
			Error::<Test>::ChangeTooSoon
		);
		assert_ok!(Margin::set_stress_move(guardian(), ETH, Permill::from_percent(35)));
		after_interval();
		assert_ok!(Margin::set_stress_move(guardian(), BTC, Permill::from_percent(40)));
	});
}

#[test]
fn the_risk_track_and_root_set_stress_moves() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(
			Margin::set_stress_move(risk(), BTC, Permill::from_parts(224_999)),
			Error::<Test>::StepTooLarge
		);
		assert_ok!(Margin::set_stress_move(risk(), BTC, Permill::from_parts(225_000)));
		assert_noop!(
			Margin::set_stress_move(risk(), BTC, Permill::from_percent(25)),
			Error::<Test>::ChangeTooSoon
		);
		after_interval();
		assert_ok!(Margin::set_stress_move(risk(), BTC, Permill::from_percent(25)));
		assert_ok!(Margin::set_stress_move(root(), BTC, Permill::from_percent(90)));
		assert_noop!(
			Margin::set_stress_move(root(), BTC, Permill::zero()),
			Error::<Test>::ZeroStressMove
		);
		assert_noop!(
			Margin::set_stress_move(risk(), 42, Permill::from_percent(25)),
			Error::<Test>::UnknownMarket
		);
	});
}

// ----------------------------------------------------------- sweep_excess

#[test]
fn any_authority_sweeps_excess_without_bounds() {
	ExtBuilder::default().build_and_execute(|| {
		for who in [guardian(), risk(), root(), guardian()] {
			donate(dollars(1));
			assert_ok!(Margin::sweep_excess(who, 10));
			assert_eq!(Margin::excess(), 0);
		}
		assert_noop!(Margin::sweep_excess(guardian(), 10), Error::<Test>::NoExcess);
		assert_eq!(ParamChangedAt::<Test>::iter().count(), 0);
	});
}

// ------------------------------------------------------------- invariants

#[test]
fn try_state_catches_a_change_recorded_in_the_future_or_of_no_market() {
	ExtBuilder::default().build_and_execute(|| {
		ParamChangedAt::<Test>::insert(ParamKey::FeeSplit, 2);
		assert!(Margin::do_try_state().is_err());
		ParamChangedAt::<Test>::insert(ParamKey::FeeSplit, 1);
		assert_ok!(Margin::do_try_state());
		ParamChangedAt::<Test>::insert(ParamKey::StressMove(42), 1);
		assert!(Margin::do_try_state().is_err());
		ParamChangedAt::<Test>::remove(ParamKey::StressMove(42));
	});
}

#[test]
fn genesis_records_no_change() {
	ExtBuilder::default()
		.warmup(dollars(100), 100)
		.liquidation(sizing())
		.stress_moves(vec![(BTC, Permill::from_percent(40))])
		.build_and_execute(|| {
			assert_eq!(ParamChangedAt::<Test>::iter().count(), 0);
			// So the risk track may change at once.
			assert_ok!(Margin::set_stress_move(risk(), BTC, Permill::from_percent(45)));
		});
}

#[test]
fn a_change_that_changes_nothing_records_nothing() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(Margin::update_market(guardian(), BTC, market(BTC).params));
		assert_ok!(Margin::set_stress_move(guardian(), BTC, Permill::from_percent(30)));
		assert_ok!(Margin::set_liquidation_params(risk(), LiquidationParams::default()));
		assert_eq!(ParamChangedAt::<Test>::iter().count(), 0);
		// So a real change may follow at once.
		let tighter = btc_with(|p| p.initial_margin = Permill::from_percent(11));
		assert_ok!(Margin::update_market(risk(), BTC, tighter));
		assert_eq!(changed_at(ParamKey::MarketParams(BTC)), Some(1));
	});
}
