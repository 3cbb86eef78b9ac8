//! Pallet configuration, grouped by domain.
//!
//! - [`system`]: frame-system and the block limits.
//! - [`consensus`]: timestamp, Aura and GRANDPA.
//! - [`monetary`]: the native token, transaction fees and the settlement
//!   stablecoin in `pallet-assets`.
//! - [`governance`]: sudo (whose key is set only by the `development` preset).
//! - [`backstop`]: the Backstop pallets, the settlement asset they hold, and
//!   the loss waterfall that composes them.

pub mod backstop;
pub mod consensus;
pub mod governance;
pub mod monetary;
pub mod system;
