//! The pallets whose weights are benchmarked in this runtime.

frame_benchmarking::define_benchmarks!(
	[frame_benchmarking, BaselineBench::<Runtime>]
	[frame_system, SystemBench::<Runtime>]
	[pallet_balances, Balances]
	[pallet_timestamp, Timestamp]
	[pallet_sudo, Sudo]
	[pallet_assets, Assets]
	[pallet_insurance_fund, InsuranceFund]
	[pallet_oracle_aggregator, OracleAggregator]
	[pallet_oracle, ReferenceOracle]
	[oracle_comparison, OracleComparisonBench::<Runtime>]
	[pallet_staking_backstop, StakingBackstop]
	[pallet_shared_liquidity, SharedLiquidity]
	[pallet_margin, Margin]
	[pallet_preimage, Preimage]
	[pallet_scheduler, Scheduler]
	[pallet_referenda, Referenda]
	[pallet_conviction_voting, ConvictionVoting]
	[pallet_collective, Council]
	[pallet_membership, CouncilMembership]
	[validator_manager, ValidatorManager]
);
