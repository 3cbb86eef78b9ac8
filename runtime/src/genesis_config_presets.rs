//! Genesis presets: `development` (one validator, sudo, funded dev accounts)
//! and `local_testnet` (Alice and Bob validate, no sudo key).

use crate::{
	opaque::SessionKeys, AccountId, AssetsConfig, Balance, BalancesConfig, CouncilMembershipConfig,
	InsuranceFundConfig, MarginConfig, OptionsBackstopConfig, OracleAggregatorConfig,
	RuntimeGenesisConfig, SessionConfig, SharedLiquidityConfig, StakingBackstopConfig, SudoConfig,
	ValidatorSetConfig, DOLLARS, SETTLEMENT_ASSET_ID, UNITS,
};
use alloc::{vec, vec::Vec};
use backstop_primitives::units::BASE_UNIT;
use backstop_primitives::units::SETTLEMENT_DECIMALS;
use backstop_primitives::MarketId;
use backstop_primitives::OracleAssetId;
use frame_support::{build_struct_json_patch, BoundedVec};
use pallet_insurance_fund::{FundParams, KeeperRewardLimits};
use pallet_margin::MarketParams;
use pallet_options_backstop::{PurchasePolicy, SkewPoint, Template, VaultParams};
use pallet_oracle_aggregator::AssetConfig;
use pallet_shared_liquidity::ProtocolTerms;
use pallet_staking_backstop::{PremiumParams, TrancheParams};
use serde_json::Value;
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_consensus_grandpa::AuthorityId as GrandpaId;
use sp_genesis_builder::{self, PresetId};
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};
use sp_runtime::Permill;
use sp_runtime::{FixedI128, FixedU128, Perbill};

/// Native tokens given to each dev account.
pub const DEV_NATIVE_ENDOWMENT: Balance = 1_000_000 * UNITS;
/// Settlement stablecoin given to each dev account (one million dollars).
pub const DEV_SETTLEMENT_ENDOWMENT: Balance = 1_000_000 * DOLLARS;
/// The smallest settlement balance an account may hold (one cent).
pub const SETTLEMENT_MIN_BALANCE: Balance = DOLLARS / 100;
/// Name of the settlement stablecoin in `pallet-assets` metadata.
pub const SETTLEMENT_NAME: &[u8] = b"Backstop USD";
/// Symbol of the settlement stablecoin.
pub const SETTLEMENT_SYMBOL: &[u8] = b"bUSD";

/// The demo BTC perpetual market.
pub const BTC_PERP: MarketId = 0;
/// The demo ETH perpetual market.
pub const ETH_PERP: MarketId = 1;

/// The BTC price feed.
pub const BTC: OracleAssetId = 0;
/// The ETH price feed.
pub const ETH: OracleAssetId = 1;

/// The demo oracle settings: at least three fresh feeds (of the three dev
/// feeders) observed within the last minute; a move of more than 10% in a
/// block is taken at once when two thirds of the fresh feeds agree within 2%
/// (a real market move), and otherwise held for 18 seconds and then taken
/// from the next new feed; the mark price is a three-minute EMA.
pub fn demo_oracle_config() -> AssetConfig {
	AssetConfig {
		min_feeders: 3,
		max_age_ms: 60_000,
		max_move: Permill::from_percent(10),
		ema_period_ms: 180_000,
		fast_path_quorum: pallet_oracle_aggregator::limits::MIN_FAST_PATH_QUORUM,
		agreement_band: Permill::from_percent(2),
		hold_ms: 18_000,
	}
}

/// The dev feeders: the stash accounts of Alice, Bob and Charlie (the
/// development node feeds as them every block, so they are kept apart from
/// the accounts people sign with).
pub fn dev_feeders() -> Vec<AccountId> {
	vec![
		Sr25519Keyring::AliceStash.to_account_id(),
		Sr25519Keyring::BobStash.to_account_id(),
		Sr25519Keyring::CharlieStash.to_account_id(),
	]
}

/// The demo perpetual market on `oracle_asset`: 5% initial and 3%
/// maintenance margin, initial margin rising toward 100% between the two
/// open-interest caps (in dollars), a volatility add-on of twice the oracle's
/// dispersion (capped at 10%), 0.05% trading fee plus a 0.1% skew fee per
/// `skew_scale` base units of skew, a 1% liquidation penalty (to the insurance
/// fund) of which a quarter-point goes to the liquidator, and funding of at
/// most about 1.7 per million per block.
pub fn demo_market(
	oracle_asset: OracleAssetId,
	oi_lower_cap: Balance,
	oi_upper_cap: Balance,
	skew_scale: u128,
) -> MarketParams {
	MarketParams {
		oracle_asset,
		initial_margin: Permill::from_percent(5),
		maintenance_margin: Permill::from_percent(3),
		open_interest_lower_cap: oi_lower_cap,
		open_interest_upper_cap: oi_upper_cap,
		max_open_interest: oi_upper_cap,
		volatility_multiplier: FixedU128::from_u32(2),
		volatility_cap: Permill::from_percent(10),
		trading_fee: Permill::from_parts(500),
		skew_fee: Permill::from_parts(1_000),
		skew_scale,
		liquidation_penalty: Permill::from_percent(1),
		liquidator_reward: Permill::from_parts(2_500),
		max_funding_rate: Perbill::from_parts(1_667),
		funding_skew_scale: skew_scale,
	}
}

/// Liquidation sizing of the demo chains: an account with health (equity ÷
/// maintenance requirement) of at least two thirds is closed in part, back to
/// its maintenance requirement plus 10%; a position of at most 1,000 dollars
/// of notional closes in full, one above 100,000 dollars at most 20% at a
/// time (Hyperliquid's figures for large positions).
pub fn demo_liquidation_params() -> pallet_margin::LiquidationParams {
	pallet_margin::LiquidationParams {
		full_below: Permill::from_parts(666_667),
		buffer: Permill::from_percent(10),
		small_position: 1_000 * DOLLARS,
		large_position: 100_000 * DOLLARS,
		max_portion: Permill::from_percent(20),
	}
}

/// Settlement asset seeded into the global insurance fund.
pub const INSURANCE_GLOBAL_SEED: Balance = 250_000 * DOLLARS;
/// Settlement asset seeded into each demo market's insurance sub-fund.
pub const INSURANCE_MARKET_SEED: Balance = 50_000 * DOLLARS;

/// Junior stake seeded for Alice and Bob, senior stake for Charlie and Dave.
pub const SEED_STAKE: Balance = 10_000 * DOLLARS;
/// LP liquidity seeded for Alice.
pub const SEED_LIQUIDITY_ALICE: Balance = 1_000_000 * DOLLARS;
/// LP liquidity seeded for Bob.
pub const SEED_LIQUIDITY_BOB: Balance = 250_000 * DOLLARS;
/// Blocks between an LP's withdrawal request and the first block it can be
/// withdrawn in on the dev and local chains (a minute); production sets days.
pub const DEV_WITHDRAW_DELAY: crate::BlockNumber = 10;
/// Blocks during which a matured withdrawal request can be used before it
/// lapses on the dev and local chains (ten minutes).
pub const DEV_WITHDRAW_WINDOW: crate::BlockNumber = 100;
/// Realised profit above this amount (in one trade, liquidation or funding
/// settlement) matures before it can be withdrawn on the dev and local chains.
pub const DEV_WARMUP_THRESHOLD: Balance = 10_000 * DOLLARS;
/// The blocks over which such profit matures on the dev and local chains (ten
/// minutes); production sets hours.
pub const DEV_WARMUP_PERIOD: crate::BlockNumber = 100;
/// Share of a demo market's open-interest notional the pool keeps reserved.
pub const DEMO_RESERVE_FACTOR: Permill = Permill::from_percent(20);
/// The most net unrealized profit a demo market's traders may hold, as a
/// share of what the market may use of the pool (GMX's max PnL factor).
pub const DEMO_MAX_PNL_FACTOR: Permill = Permill::from_percent(50);

/// What the options backstop's dev underwriter (Charlie) provides.
pub const DEV_UNDERWRITING: Balance = 1_000_000 * DOLLARS;
/// The tenor of the demo BTC put spreads: 30 days.
pub const DEMO_OPTIONS_TENOR: crate::BlockNumber = 30 * crate::DAYS;
/// The demo BTC put spread's strikes, as fractions of the price at listing.
pub const DEMO_UPPER_MONEYNESS: Permill = Permill::from_percent(80);
/// See [`DEMO_UPPER_MONEYNESS`].
pub const DEMO_LOWER_MONEYNESS: Permill = Permill::from_percent(60);
/// The BTC price the first demo series is struck from (the price the dev
/// feeders start at in the runtime tests).
pub const DEMO_BTC_PRICE: u32 = 65_000;

/// A demo strike: `moneyness` of [`DEMO_BTC_PRICE`] (whole dollars).
pub fn demo_strike(moneyness: Permill) -> backstop_primitives::Price {
	backstop_primitives::Price::from_u32(moneyness * DEMO_BTC_PRICE)
}

/// The demo skew: out-of-the-money puts at up to 1.6 times the base
/// volatility (at `ln(K/S) = -0.7`, a strike half the spot), in-the-money
/// ones a little below it.
pub fn demo_skew() -> Vec<SkewPoint> {
	let point = |log_moneyness_milli: i128, multiplier_percent: u128| SkewPoint {
		log_moneyness: FixedI128::from_inner(log_moneyness_milli * 1_000_000_000_000_000),
		multiplier: FixedU128::from_rational(multiplier_percent, 100),
	};
	vec![point(-700, 160), point(-300, 130), point(0, 100), point(300, 90)]
}

/// The accounts funded in both presets: the well-known dev keyring.
pub fn dev_accounts() -> Vec<AccountId> {
	Sr25519Keyring::iter().map(|k| k.to_account_id()).collect()
}

/// A dev validator: its account and its session keys (Aura sr25519, GRANDPA
/// ed25519, from the same dev seed).
fn validator(key: Sr25519Keyring, grandpa: Ed25519Keyring) -> (AccountId, SessionKeys) {
	let aura: AuraId = key.public().into();
	let grandpa: GrandpaId = grandpa.public().into();
	(key.to_account_id(), SessionKeys { aura, grandpa })
}

/// The risk council of both presets: Alice, Bob and Charlie (a motion needs
/// two of them).
pub fn dev_council() -> Vec<AccountId> {
	[Sr25519Keyring::Alice, Sr25519Keyring::Bob, Sr25519Keyring::Charlie]
		.iter()
		.map(|k| k.to_account_id())
		.collect()
}

/// Builds the JSON patch of a genesis with the given validators, endowed
/// accounts and (optional) sudo key. The validators are the governed
/// validator set; their session keys make them Aura and GRANDPA authorities
/// from the first block (the session pallet hands them over, so the Aura and
/// GRANDPA genesis lists stay empty).
fn genesis(
	validators: Vec<(AccountId, SessionKeys)>,
	endowed: Vec<AccountId>,
	root: Option<AccountId>,
) -> Value {
	// The stablecoin's owner, issuer, admin and freezer is a keyless account:
	// no signed account can mint, burn, freeze or force-transfer it; only Root
	// can act for it (`sudo.sudoAs` on the dev chain, governance elsewhere).
	let issuer = crate::configs::monetary::settlement_authority();
	let margin_markets = vec![
		(
			BTC_PERP,
			demo_market(BTC, 50_000_000 * DOLLARS, 200_000_000 * DOLLARS, 1_000 * BASE_UNIT),
		),
		(
			ETH_PERP,
			demo_market(ETH, 20_000_000 * DOLLARS, 100_000_000 * DOLLARS, 10_000 * BASE_UNIT),
		),
	];
	// Cooldowns of 40 blocks (4 minutes) and windows of 10 keep the dev chain
	// explorable; a production chain sets days. A tranche pays at most its
	// per-event share of itself towards one loss and its per-block share in
	// one block, and is wiped out (a new epoch) below 1% of its share price.
	let junior_params = TrancheParams::<crate::BlockNumber> {
		min_stake: 100 * DOLLARS,
		max_slash_fraction: Perbill::from_percent(30),
		cooldown: 40,
		unstake_window: 10,
		max_slash_per_block: Perbill::from_percent(50),
		wipe_out_floor: Perbill::from_percent(1),
	};
	let senior_params = TrancheParams::<crate::BlockNumber> {
		min_stake: 100 * DOLLARS,
		max_slash_fraction: Perbill::from_percent(20),
		cooldown: 40,
		unstake_window: 10,
		max_slash_per_block: Perbill::from_percent(30),
		wipe_out_floor: Perbill::from_percent(1),
	};
	// The premium on open interest: 10% a year at or below a coverage of one
	// (the stakers hold no more than the stressed loss), falling to 2% at a
	// coverage of three, plus the volatility estimate itself, at most 25% a
	// year; the junior tranche earns three times the senior rate per dollar.
	let premium_params = PremiumParams {
		rate_max: Permill::from_percent(10),
		rate_min: Permill::from_percent(2),
		coverage_low: FixedU128::from_u32(1),
		coverage_high: FixedU128::from_u32(3),
		volatility_weight: FixedU128::from_u32(1),
		rate_cap: Permill::from_percent(25),
		junior_multiple: FixedU128::from_u32(3),
	};
	build_struct_json_patch!(RuntimeGenesisConfig {
		balances: BalancesConfig {
			balances: endowed
				.iter()
				.cloned()
				.map(|a| (a, DEV_NATIVE_ENDOWMENT))
				.collect::<Vec<_>>(),
		},
		session: SessionConfig {
			keys: validators
				.iter()
				.map(|(account, keys)| (account.clone(), account.clone(), keys.clone()))
				.collect::<Vec<_>>(),
		},
		validator_set: ValidatorSetConfig {
			members: BoundedVec::truncate_from(
				validators.iter().map(|(account, _)| account.clone()).collect::<Vec<_>>()
			),
		},
		council_membership: CouncilMembershipConfig {
			members: BoundedVec::truncate_from(dev_council()),
		},
		sudo: SudoConfig { key: root },
		assets: AssetsConfig {
			assets: vec![(SETTLEMENT_ASSET_ID, issuer, true, SETTLEMENT_MIN_BALANCE)],
			metadata: vec![(
				SETTLEMENT_ASSET_ID,
				SETTLEMENT_NAME.to_vec(),
				SETTLEMENT_SYMBOL.to_vec(),
				SETTLEMENT_DECIMALS,
			)],
			accounts: endowed
				.iter()
				.cloned()
				.map(|a| (SETTLEMENT_ASSET_ID, a, DEV_SETTLEMENT_ENDOWMENT))
				.collect::<Vec<_>>(),
		},
		insurance_fund: InsuranceFundConfig {
			global_seed: INSURANCE_GLOBAL_SEED,
			market_seeds: vec![
				(BTC_PERP, INSURANCE_MARKET_SEED),
				(ETH_PERP, INSURANCE_MARKET_SEED)
			],
			global_params: FundParams {
				cap_fraction: Permill::from_percent(25),
				absolute_cap: 100_000 * DOLLARS,
				// A fifth of the stressed loss of all markets together.
				target_fraction: Permill::from_percent(20),
				floor: Permill::from_percent(50),
			},
			default_market_params: FundParams {
				cap_fraction: Permill::from_percent(50),
				absolute_cap: 25_000 * DOLLARS,
				// A tenth of the market's own stressed loss.
				target_fraction: Permill::from_percent(10),
				floor: Permill::from_percent(50),
			},
			forward_fraction: Permill::from_percent(20),
			// A keeper liquidating an insolvent account earns the market's
			// liquidator reward, paid by the fund, up to 100 bUSD per
			// liquidation and 5,000 bUSD a block.
			keeper_reward_limits: KeeperRewardLimits {
				per_liquidation: 100 * DOLLARS,
				per_block: 5_000 * DOLLARS,
			},
			// Each fund pays at most half of itself towards losses in one
			// block, however many bad debts the block brings.
			block_cap: Some(Permill::from_percent(50)),
		},
		staking_backstop: StakingBackstopConfig {
			junior_params,
			senior_params,
			premium_params,
			junior_stakes: vec![
				(Sr25519Keyring::Alice.to_account_id(), SEED_STAKE),
				(Sr25519Keyring::Bob.to_account_id(), SEED_STAKE),
			],
			senior_stakes: vec![
				(Sr25519Keyring::Charlie.to_account_id(), SEED_STAKE),
				(Sr25519Keyring::Dave.to_account_id(), SEED_STAKE),
			],
		},
		shared_liquidity: SharedLiquidityConfig {
			min_deposit: 10 * DOLLARS,
			withdraw_delay: DEV_WITHDRAW_DELAY,
			withdraw_window: DEV_WITHDRAW_WINDOW,
			liquidity: vec![
				(Sr25519Keyring::Alice.to_account_id(), SEED_LIQUIDITY_ALICE),
				(Sr25519Keyring::Bob.to_account_id(), SEED_LIQUIDITY_BOB),
			],
			markets: vec![
				(
					BTC_PERP,
					ProtocolTerms {
						credit_cap: 500_000 * DOLLARS,
						loss_cap: 50_000 * DOLLARS,
						reserve_factor: DEMO_RESERVE_FACTOR,
						max_pnl_factor: DEMO_MAX_PNL_FACTOR,
						..Default::default()
					},
				),
				(
					ETH_PERP,
					ProtocolTerms {
						credit_cap: 300_000 * DOLLARS,
						loss_cap: 30_000 * DOLLARS,
						reserve_factor: DEMO_RESERVE_FACTOR,
						max_pnl_factor: DEMO_MAX_PNL_FACTOR,
						..Default::default()
					},
				),
			],
		},
		margin: MarginConfig {
			markets: margin_markets,
			profit_warmup: Some(pallet_margin::ProfitWarmup {
				threshold: DEV_WARMUP_THRESHOLD,
				period: DEV_WARMUP_PERIOD,
			}),
			liquidation: Some(demo_liquidation_params()),
			// The backstop is sized for a 30% gap of BTC and a 40% gap of ETH
			// in one step (BTC fell about 50% in 36 hours in March 2020, ETH
			// about 40% in a day in May 2021).
			stress_moves: vec![
				(BTC_PERP, Permill::from_percent(30)),
				(ETH_PERP, Permill::from_percent(40)),
			],
		},
		options_backstop: OptionsBackstopConfig {
			// The default pricing: base volatility 10 × the oracle's
			// dispersion, between 30% and 300% a year.
			pricing: None,
			skew: demo_skew(),
			// A keeper's `execute_policy` spends half of the insurance fund's
			// fee income on BTC protection, at most 50,000 bUSD a month.
			policy: Some(PurchasePolicy {
				enabled: true,
				budget_share: Permill::from_percent(50),
				max_premium_per_period: 50_000 * DOLLARS,
				period: 30 * crate::DAYS,
				stress_drop: Permill::from_percent(30),
			}),
			vault: Some(VaultParams {
				min_deposit: 10 * DOLLARS,
				withdraw_delay: DEV_WITHDRAW_DELAY,
				withdraw_window: DEV_WITHDRAW_WINDOW,
			}),
			// BTC 80%/60% put spreads, 30 days, aiming at a payout of 250,000
			// bUSD if BTC falls 30%.
			templates: vec![Template {
				asset: BTC,
				upper_moneyness: DEMO_UPPER_MONEYNESS,
				lower_moneyness: DEMO_LOWER_MONEYNESS,
				tenor: DEMO_OPTIONS_TENOR,
				target_payout: 250_000 * DOLLARS,
			}],
			underwriters: vec![(Sr25519Keyring::Charlie.to_account_id(), DEV_UNDERWRITING)],
			// The first series, struck at 80%/60% of 65,000.
			series: vec![(
				0,
				demo_strike(DEMO_UPPER_MONEYNESS),
				demo_strike(DEMO_LOWER_MONEYNESS),
				DEMO_OPTIONS_TENOR
			)],
		},
		oracle_aggregator: OracleAggregatorConfig {
			assets: vec![(BTC, demo_oracle_config()), (ETH, demo_oracle_config())],
			feeders: dev_feeders(),
		},
	})
}

/// The `development` preset: Alice validates alone and holds the sudo key;
/// every dev account is funded in the native token and in the stablecoin.
pub fn development_config_genesis() -> Value {
	genesis(
		vec![validator(Sr25519Keyring::Alice, Ed25519Keyring::Alice)],
		dev_accounts(),
		Some(Sr25519Keyring::Alice.to_account_id()),
	)
}

/// The `local_testnet` preset: Alice and Bob validate; no sudo key.
pub fn local_config_genesis() -> Value {
	genesis(
		vec![
			validator(Sr25519Keyring::Alice, Ed25519Keyring::Alice),
			validator(Sr25519Keyring::Bob, Ed25519Keyring::Bob),
		],
		dev_accounts(),
		None,
	)
}

/// The name of the preset the FRAME benchmarks run on.
pub const BENCHMARK_PRESET: &str = "benchmark";

/// The `benchmark` preset: the development chain's validator, accounts and
/// settlement asset, but none of the Backstop demo state (no oracle assets
/// or feeders, no markets, no seeded funds, stakes or liquidity), so that
/// every pallet's benchmarks start from its own empty state.
pub fn benchmark_config_genesis() -> Value {
	let mut patch = development_config_genesis();
	if let Value::Object(pallets) = &mut patch {
		for demo in [
			"insuranceFund",
			"oracleAggregator",
			"stakingBackstop",
			"sharedLiquidity",
			"margin",
			"optionsBackstop",
		] {
			pallets.remove(demo);
		}
	}
	patch
}

/// The JSON of the named preset, if there is one.
pub fn get_preset(id: &PresetId) -> Option<Vec<u8>> {
	let patch = match id.as_ref() {
		sp_genesis_builder::DEV_RUNTIME_PRESET => development_config_genesis(),
		sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET => local_config_genesis(),
		BENCHMARK_PRESET => benchmark_config_genesis(),
		_ => return None,
	};
	serde_json::to_vec(&patch).ok()
}

/// The names of the presets.
pub fn preset_names() -> Vec<PresetId> {
	vec![
		PresetId::from(sp_genesis_builder::DEV_RUNTIME_PRESET),
		PresetId::from(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET),
		PresetId::from(BENCHMARK_PRESET),
	]
}
