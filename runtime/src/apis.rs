//! The runtime APIs the node and polkadot.js call (`api.call.*`).

#[cfg(feature = "try-runtime")]
use crate::configs::system::RuntimeBlockWeights;
use crate::{
	genesis_config_presets, opaque::SessionKeys, AccountId, Aura, Balance, Block, BlockNumber,
	Executive, Grandpa, InherentDataExt, InsuranceFund, Margin, Nonce, OptionsBackstop,
	OracleAggregator, Runtime, RuntimeCall, RuntimeGenesisConfig, SharedLiquidity, StakingBackstop,
	System, TransactionPayment, VERSION,
};
use alloc::vec::Vec;
use frame_support::{
	genesis_builder_helper::{build_state, get_preset},
	weights::Weight,
};
use pallet_grandpa::AuthorityId as GrandpaId;
use sp_api::impl_runtime_apis;
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_core::{crypto::KeyTypeId, OpaqueMetadata};
use sp_runtime::{
	traits::{Block as BlockT, NumberFor},
	transaction_validity::{TransactionSource, TransactionValidity},
	ApplyExtrinsicResult, ExtrinsicInclusionMode,
};
use sp_version::RuntimeVersion;

impl_runtime_apis! {
	impl sp_api::Core<Block> for Runtime {
		fn version() -> RuntimeVersion {
			VERSION
		}

		fn execute_block(block: <Block as BlockT>::LazyBlock) {
			Executive::execute_block(block);
		}

		fn initialize_block(header: &<Block as BlockT>::Header) -> ExtrinsicInclusionMode {
			Executive::initialize_block(header)
		}
	}

	impl sp_api::Metadata<Block> for Runtime {
		fn metadata() -> OpaqueMetadata {
			OpaqueMetadata::new(Runtime::metadata().into())
		}

		fn metadata_at_version(version: u32) -> Option<OpaqueMetadata> {
			Runtime::metadata_at_version(version)
		}

		fn metadata_versions() -> Vec<u32> {
			Runtime::metadata_versions()
		}
	}

	impl sp_block_builder::BlockBuilder<Block> for Runtime {
		fn apply_extrinsic(extrinsic: <Block as BlockT>::Extrinsic) -> ApplyExtrinsicResult {
			Executive::apply_extrinsic(extrinsic)
		}

		fn finalize_block() -> <Block as BlockT>::Header {
			Executive::finalize_block()
		}

		fn inherent_extrinsics(data: sp_inherents::InherentData) -> Vec<<Block as BlockT>::Extrinsic> {
			data.create_extrinsics()
		}

		fn check_inherents(
			block: <Block as BlockT>::LazyBlock,
			data: sp_inherents::InherentData,
		) -> sp_inherents::CheckInherentsResult {
			data.check_extrinsics(&block)
		}
	}

	impl sp_transaction_pool::runtime_api::TaggedTransactionQueue<Block> for Runtime {
		fn validate_transaction(
			source: TransactionSource,
			tx: <Block as BlockT>::Extrinsic,
			block_hash: <Block as BlockT>::Hash,
		) -> TransactionValidity {
			Executive::validate_transaction(source, tx, block_hash)
		}
	}

	impl sp_offchain::OffchainWorkerApi<Block> for Runtime {
		fn offchain_worker(header: &<Block as BlockT>::Header) {
			Executive::offchain_worker(header)
		}
	}

	impl sp_consensus_aura::AuraApi<Block, AuraId> for Runtime {
		fn slot_duration() -> sp_consensus_aura::SlotDuration {
			sp_consensus_aura::SlotDuration::from_millis(Aura::slot_duration())
		}

		fn authorities() -> Vec<AuraId> {
			pallet_aura::Authorities::<Runtime>::get().into_inner()
		}
	}

	impl sp_session::SessionKeys<Block> for Runtime {
		fn generate_session_keys(
			owner: Vec<u8>,
			seed: Option<Vec<u8>>,
		) -> sp_session::OpaqueGeneratedSessionKeys {
			SessionKeys::generate(&owner, seed).into()
		}

		fn decode_session_keys(encoded: Vec<u8>) -> Option<Vec<(Vec<u8>, KeyTypeId)>> {
			SessionKeys::decode_into_raw_public_keys(&encoded)
		}
	}

	impl sp_consensus_grandpa::GrandpaApi<Block> for Runtime {
		fn grandpa_authorities() -> sp_consensus_grandpa::AuthorityList {
			Grandpa::grandpa_authorities()
		}

		fn current_set_id() -> sp_consensus_grandpa::SetId {
			Grandpa::current_set_id()
		}

		fn submit_report_equivocation_unsigned_extrinsic(
			_equivocation_proof: sp_consensus_grandpa::EquivocationProof<
				<Block as BlockT>::Hash,
				NumberFor<Block>,
			>,
			_key_owner_proof: sp_consensus_grandpa::OpaqueKeyOwnershipProof,
		) -> Option<()> {
			// Without a session pallet there is no key-ownership proof to check.
			None
		}

		fn generate_key_ownership_proof(
			_set_id: sp_consensus_grandpa::SetId,
			_authority_id: GrandpaId,
		) -> Option<sp_consensus_grandpa::OpaqueKeyOwnershipProof> {
			// The key-owner proof type is uninhabited (`Void`): there is none to give.
			None
		}
	}

	impl frame_system_rpc_runtime_api::AccountNonceApi<Block, AccountId, Nonce> for Runtime {
		fn account_nonce(account: AccountId) -> Nonce {
			System::account_nonce(account)
		}
	}

	impl pallet_transaction_payment_rpc_runtime_api::TransactionPaymentApi<Block, Balance> for Runtime {
		fn query_info(
			uxt: <Block as BlockT>::Extrinsic,
			len: u32,
		) -> pallet_transaction_payment_rpc_runtime_api::RuntimeDispatchInfo<Balance> {
			TransactionPayment::query_info(uxt, len)
		}
		fn query_fee_details(
			uxt: <Block as BlockT>::Extrinsic,
			len: u32,
		) -> pallet_transaction_payment::FeeDetails<Balance> {
			TransactionPayment::query_fee_details(uxt, len)
		}
		fn query_weight_to_fee(weight: Weight) -> Balance {
			TransactionPayment::weight_to_fee(weight)
		}
		fn query_length_to_fee(length: u32) -> Balance {
			TransactionPayment::length_to_fee(length)
		}
	}

	impl pallet_transaction_payment_rpc_runtime_api::TransactionPaymentCallApi<Block, Balance, RuntimeCall>
		for Runtime
	{
		fn query_call_info(
			call: RuntimeCall,
			len: u32,
		) -> pallet_transaction_payment::RuntimeDispatchInfo<Balance> {
			TransactionPayment::query_call_info(call, len)
		}
		fn query_call_fee_details(
			call: RuntimeCall,
			len: u32,
		) -> pallet_transaction_payment::FeeDetails<Balance> {
			TransactionPayment::query_call_fee_details(call, len)
		}
		fn query_weight_to_fee(weight: Weight) -> Balance {
			TransactionPayment::weight_to_fee(weight)
		}
		fn query_length_to_fee(length: u32) -> Balance {
			TransactionPayment::length_to_fee(length)
		}
	}

	impl pallet_options_backstop_runtime_api::OptionsBackstopApi<Block, AccountId> for Runtime {
		fn quote(
			asset: backstop_primitives::OracleAssetId,
			strike_high: backstop_primitives::Price,
			strike_low: backstop_primitives::Price,
			expiry: u32,
			size: u128,
		) -> Option<pallet_options_backstop::Quote> {
			OptionsBackstop::quote(asset, strike_high, strike_low, expiry, size)
		}

		fn vault() -> pallet_options_backstop::VaultView {
			OptionsBackstop::vault()
		}

		fn underwriter(who: AccountId) -> pallet_options_backstop::UnderwriterView {
			OptionsBackstop::underwriter(who)
		}

		fn series() -> Vec<pallet_options_backstop::SeriesView> {
			OptionsBackstop::series()
		}

		fn protection(
			asset: backstop_primitives::OracleAssetId,
		) -> Option<pallet_options_backstop::ProtectionInfo> {
			OptionsBackstop::protection(asset)
		}
	}

	impl pallet_insurance_fund_runtime_api::InsuranceFundApi<
		Block,
		pallet_insurance_fund::FundId,
		pallet_insurance_fund::FundInfo,
	> for Runtime {
		fn excess() -> Balance {
			InsuranceFund::excess()
		}
		fn fund_balance(fund: pallet_insurance_fund::FundId) -> Balance {
			InsuranceFund::fund_balance(fund)
		}
		fn fund_target(fund: pallet_insurance_fund::FundId) -> Balance {
			InsuranceFund::fund_target(fund)
		}
		fn fund_coverage(fund: pallet_insurance_fund::FundId) -> Option<sp_runtime::FixedU128> {
			InsuranceFund::fund_coverage(fund)
		}
		fn fund_capacity(fund: pallet_insurance_fund::FundId) -> Balance {
			InsuranceFund::fund_capacity(fund)
		}
		fn market_capacity(market: backstop_primitives::MarketId) -> Balance {
			InsuranceFund::market_capacity(market)
		}
		fn fund_info(fund: pallet_insurance_fund::FundId) -> Option<pallet_insurance_fund::FundInfo> {
			InsuranceFund::fund_info(fund)
		}
		fn funds() -> Vec<pallet_insurance_fund::FundInfo> {
			InsuranceFund::funds()
		}
	}

	impl pallet_oracle_aggregator_runtime_api::OracleApi<Block, BlockNumber> for Runtime {
		fn price(
			asset: backstop_primitives::OracleAssetId,
		) -> Option<pallet_oracle_aggregator::AssetPriceStatus<BlockNumber>> {
			OracleAggregator::price_status(asset)
		}
		fn all_prices() -> Vec<pallet_oracle_aggregator::AssetPriceStatus<BlockNumber>> {
			OracleAggregator::all_price_statuses()
		}
	}

	impl pallet_staking_backstop_runtime_api::StakingBackstopApi<Block, AccountId> for Runtime {
		fn excess() -> Balance {
			StakingBackstop::excess()
		}
		fn tranche_info(
			tranche: pallet_staking_backstop::Tranche,
		) -> pallet_staking_backstop::TrancheInfo<BlockNumber> {
			StakingBackstop::tranche_info(tranche)
		}
		fn share_price(tranche: pallet_staking_backstop::Tranche) -> sp_runtime::FixedU128 {
			StakingBackstop::share_price(tranche)
		}
		fn coverage() -> Option<sp_runtime::FixedU128> {
			StakingBackstop::coverage()
		}
		fn required_capital() -> Balance {
			StakingBackstop::required_capital()
		}
		fn pricing() -> pallet_staking_backstop::PricingInfo {
			StakingBackstop::pricing()
		}
		fn premium_rate(
			volatility: sp_runtime::FixedU128,
		) -> (sp_runtime::FixedU128, sp_runtime::FixedU128) {
			StakingBackstop::premium_rates(volatility)
		}
		fn capacity() -> Balance {
			StakingBackstop::total_capacity()
		}
		fn position(
			tranche: pallet_staking_backstop::Tranche,
			who: AccountId,
		) -> Option<pallet_staking_backstop::PositionInfo> {
			StakingBackstop::position(tranche, &who)
		}
		fn pending_rewards(tranche: pallet_staking_backstop::Tranche, who: AccountId) -> Balance {
			StakingBackstop::pending_rewards(tranche, &who)
		}
		fn unstake_requests(
			tranche: pallet_staking_backstop::Tranche,
			who: AccountId,
		) -> Vec<pallet_staking_backstop::UnstakeRequestInfo<BlockNumber>> {
			StakingBackstop::unstake_requests(tranche, &who)
		}
	}

	impl pallet_shared_liquidity_runtime_api::SharedLiquidityApi<Block, AccountId> for Runtime {
		fn pool_cash() -> Balance {
			SharedLiquidity::pool_cash()
		}
		fn pool_nav() -> Option<backstop_primitives::SignedBalance> {
			SharedLiquidity::pool_nav()
		}
		fn pool_shares() -> Balance {
			SharedLiquidity::pool_shares()
		}
		fn share_price() -> Option<sp_runtime::FixedU128> {
			SharedLiquidity::share_price()
		}
		fn utilization() -> sp_runtime::Perbill {
			SharedLiquidity::utilization()
		}
		fn reserved() -> Balance {
			SharedLiquidity::reserved()
		}
		fn free_liquidity() -> Balance {
			SharedLiquidity::free_liquidity()
		}
		fn excess() -> Balance {
			SharedLiquidity::excess()
		}
		fn protocols() -> Vec<pallet_shared_liquidity::ProtocolId<AccountId>> {
			SharedLiquidity::protocols()
		}
		fn protocol_info(
			protocol: pallet_shared_liquidity::ProtocolId<AccountId>,
		) -> Option<pallet_shared_liquidity::ProtocolInfo> {
			SharedLiquidity::protocol_info(protocol)
		}
		fn market_pnl_to_pool(
			market: backstop_primitives::MarketId,
		) -> Option<pallet_shared_liquidity_runtime_api::PnlToPool> {
			SharedLiquidity::market_pnl_to_pool(market)
		}
		fn lp_info(who: AccountId) -> pallet_shared_liquidity_runtime_api::LpInfo {
			SharedLiquidity::lp_info(who)
		}
	}

	impl pallet_margin_runtime_api::MarginApi<Block, AccountId, pallet_margin::MarketParams>
		for Runtime
	{
		fn account_health(
			who: AccountId,
		) -> Result<pallet_margin_runtime_api::AccountHealth, pallet_margin_runtime_api::HealthError> {
			Margin::account_health(&who)
		}
		fn is_liquidatable(who: AccountId) -> Result<bool, pallet_margin_runtime_api::HealthError> {
			Margin::is_liquidatable(&who)
		}
		fn market(
			market: backstop_primitives::MarketId,
		) -> Option<pallet_margin_runtime_api::MarketSummary<pallet_margin::MarketParams>> {
			Margin::market_summary(market)
		}
		fn markets() -> Vec<backstop_primitives::MarketId> {
			Margin::market_ids()
		}
		fn withdrawable(
			who: AccountId,
		) -> Result<pallet_margin_runtime_api::Withdrawable, pallet_margin_runtime_api::HealthError> {
			Margin::withdrawable(&who)
		}
		fn excess() -> Balance {
			Margin::excess()
		}
		fn adl_exposure(who: AccountId) -> Vec<pallet_margin_runtime_api::AdlExposure> {
			Margin::adl_exposure(&who)
		}
		fn liquidatable_accounts(max: u32) -> Vec<AccountId> {
			Margin::liquidatable_accounts(max)
		}
		fn market_premium(
			market: backstop_primitives::MarketId,
		) -> Option<pallet_margin_runtime_api::MarketPremium> {
			Margin::market_premium(market)
		}
		fn required_capital() -> Balance {
			Margin::all_required_capital()
		}
	}

	impl crate::governance_api::GovernanceApi<Block> for Runtime {
		fn pending_changes() -> Vec<crate::governance_api::PendingChange> {
			crate::governance_api::pending_changes()
		}

		fn referenda() -> Vec<crate::governance_api::ReferendumSummary> {
			crate::governance_api::referenda()
		}
	}

	impl sp_genesis_builder::GenesisBuilder<Block> for Runtime {
		fn build_state(config: Vec<u8>) -> sp_genesis_builder::Result {
			build_state::<RuntimeGenesisConfig>(config)
		}

		fn get_preset(id: &Option<sp_genesis_builder::PresetId>) -> Option<Vec<u8>> {
			get_preset::<RuntimeGenesisConfig>(id, genesis_config_presets::get_preset)
		}

		fn preset_names() -> Vec<sp_genesis_builder::PresetId> {
			genesis_config_presets::preset_names()
		}
	}

	#[cfg(feature = "runtime-benchmarks")]
	impl frame_benchmarking::Benchmark<Block> for Runtime {
		fn benchmark_metadata(extra: bool) -> (
			Vec<frame_benchmarking::BenchmarkList>,
			Vec<frame_support::traits::StorageInfo>,
		) {
			use frame_benchmarking::{baseline::Pallet as BaselineBench, BenchmarkList};
			use frame_support::traits::StorageInfoTrait;
			use frame_system_benchmarking::Pallet as SystemBench;
			use crate::oracle_comparison_benchmarks::Pallet as OracleComparisonBench;
			#[allow(unused_imports)]
			use crate::{
				Assets, Balances, ConvictionVoting, Council, CouncilMembership, InsuranceFund, Margin,
				OracleAggregator, Preimage, ReferenceOracle, Referenda, Scheduler, SharedLiquidity,
				StakingBackstop, Sudo, Timestamp, ValidatorManager,
			};

			let mut list = Vec::<BenchmarkList>::new();
			list_benchmarks!(list, extra);

			let storage_info = crate::AllPalletsWithSystem::storage_info();
			(list, storage_info)
		}

		#[allow(non_local_definitions)]
		fn dispatch_benchmark(
			config: frame_benchmarking::BenchmarkConfig
		) -> Result<Vec<frame_benchmarking::BenchmarkBatch>, alloc::string::String> {
			use frame_benchmarking::{baseline::Pallet as BaselineBench, BenchmarkBatch};
			use frame_support::traits::{TrackedStorageKey, WhitelistedStorageKeys};
			use frame_system_benchmarking::Pallet as SystemBench;
			use crate::oracle_comparison_benchmarks::Pallet as OracleComparisonBench;
			#[allow(unused_imports)]
			use crate::{
				Assets, Balances, ConvictionVoting, Council, CouncilMembership, InsuranceFund, Margin,
				OracleAggregator, Preimage, ReferenceOracle, Referenda, Scheduler, SharedLiquidity,
				StakingBackstop, Sudo, Timestamp, ValidatorManager,
			};

			impl frame_system_benchmarking::Config for Runtime {}
			impl frame_benchmarking::baseline::Config for Runtime {}

			let whitelist: Vec<TrackedStorageKey> = crate::AllPalletsWithSystem::whitelisted_storage_keys();

			let mut batches = Vec::<BenchmarkBatch>::new();
			let params = (&config, &whitelist);
			add_benchmarks!(params, batches);

			Ok(batches)
		}
	}

	#[cfg(feature = "try-runtime")]
	impl frame_try_runtime::TryRuntime<Block> for Runtime {
		fn on_runtime_upgrade(checks: frame_try_runtime::UpgradeCheckSelect) -> (Weight, Weight) {
			let weight = Executive::try_runtime_upgrade(checks).unwrap();
			(weight, RuntimeBlockWeights::get().max_block)
		}

		fn execute_block(
			block: <Block as BlockT>::LazyBlock,
			state_root_check: bool,
			signature_check: bool,
			select: frame_try_runtime::TryStateSelect,
		) -> Weight {
			Executive::try_execute_block(block, state_root_check, signature_check, select).unwrap()
		}
	}
}
