//! Weights of polkadot-sdk's governance pallets measured in this runtime
//! (its tracks, origins and database) by `.ci/benchmarks governance`.

pub mod pallet_collective;
pub mod pallet_conviction_voting;
pub mod pallet_membership;
pub mod pallet_preimage;
pub mod pallet_referenda;
pub mod pallet_scheduler;
