//! Governance. For now: sudo, whose key only the `development` preset sets
//! (the `local_testnet` preset has no sudo key, so sudo is inert there).

use crate::{Runtime, RuntimeCall, RuntimeEvent};

impl pallet_sudo::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type WeightInfo = pallet_sudo::weights::SubstrateWeight<Runtime>;
}
