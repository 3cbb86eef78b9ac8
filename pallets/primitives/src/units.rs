//! Units of account.

use crate::Balance;

/// Decimals of the settlement stablecoin.
pub const SETTLEMENT_DECIMALS: u8 = 6;
/// One whole settlement unit (one US dollar) in its smallest unit.
pub const DOLLARS: Balance = 1_000_000;
/// One cent of the settlement asset.
pub const CENTS: Balance = DOLLARS / 100;

/// Position sizes are integers in millionths of the base asset: a size of
/// `BASE_UNIT` is one whole BTC in a BTC market. With prices quoted in whole
/// settlement units per whole base unit (see [`crate::Price`]), the notional
/// of a position in the settlement asset's smallest unit is `|size| × price`.
pub const BASE_UNIT: u128 = 1_000_000;

/// Decimals of the native token (fees and governance).
pub const NATIVE_DECIMALS: u8 = 12;
/// One whole native token in its smallest unit.
pub const UNITS: Balance = 1_000_000_000_000;
/// A thousandth of a native token.
pub const MILLI_UNITS: Balance = UNITS / 1_000;

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn units_match_decimals() {
		assert_eq!(DOLLARS, 10u128.pow(SETTLEMENT_DECIMALS as u32));
		assert_eq!(UNITS, 10u128.pow(NATIVE_DECIMALS as u32));
		assert_eq!(CENTS * 100, DOLLARS);
		// One whole base unit at a price of 1 is worth one dollar.
		assert_eq!(BASE_UNIT, DOLLARS);
	}
}
