//! Runtime API of the Backstop insurance fund: balances, targets, coverage and
//! per-event capacity of the global fund and the market sub-funds, and what
//! the pallet account holds beyond them (unsolicited transfers), for the node
//! and for polkadot.js (`api.call.insuranceFundApi.*`).
//!
//! The API is generic over the pallet's fund identifier and fund view so that
//! this crate does not depend on the pallet; the runtime instantiates it as
//! `InsuranceFundApi<Block, pallet_insurance_fund::FundId,
//! pallet_insurance_fund::FundInfo>` and implements each method with the
//! pallet helper of the same name (`Pallet::<Runtime>::fund_balance`, ...).

#![cfg_attr(not(feature = "std"), no_std)]
#![deny(missing_docs)]

extern crate alloc;

use alloc::vec::Vec;
use backstop_primitives::{Balance, MarketId};
use codec::Codec;
use sp_arithmetic::FixedU128;

sp_api::decl_runtime_apis! {
	/// Read access to the insurance fund.
	///
	/// `FundId` names a fund (the global fund or one market's sub-fund);
	/// `FundInfo` is the pallet's full view of one fund.
	pub trait InsuranceFundApi<FundId, FundInfo>
	where
		FundId: Codec,
		FundInfo: Codec,
	{
		/// What `fund` holds; zero for a market without a sub-fund.
		fn fund_balance(fund: FundId) -> Balance;

		/// The target size of `fund`: its target fraction of the open interest
		/// it insures, rounded up.
		fn fund_target(fund: FundId) -> Balance;

		/// The fund's balance divided by its target, rounded down; `None` when
		/// the target is zero (no open interest to cover).
		fn fund_coverage(fund: FundId) -> Option<FixedU128>;

		/// What `fund` would pay towards one loss event now: its per-event cap.
		fn fund_capacity(fund: FundId) -> Balance;

		/// What the insurance fund as a whole (the market's sub-fund, then the
		/// global fund) would cover of one loss in `market` now.
		fn market_capacity(market: MarketId) -> Balance;

		/// Everything about `fund`; `None` for a market without a sub-fund.
		fn fund_info(fund: FundId) -> Option<FundInfo>;

		/// Every fund: the global fund first, then the market sub-funds by
		/// market id.
		fn funds() -> Vec<FundInfo>;

		/// What the pallet account holds beyond every fund and the
		/// existential buffer: unsolicited transfers, never counted until
		/// governance credits them to the global fund (`absorb_excess`).
		fn excess() -> Balance;
	}
}
