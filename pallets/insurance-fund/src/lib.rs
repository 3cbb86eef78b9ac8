#![doc = include_str!("../README.md")]
#![cfg_attr(not(feature = "std"), no_std)]
#![deny(missing_docs)]

extern crate alloc;

pub use pallet::*;

mod dispatchable_impls;
mod governance_impls;
mod protection_impls;
mod types;
mod utility_impls;
mod waterfall_impls;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

pub mod weights;

pub use types::*;
pub use weights::WeightInfo;

/// What the benchmarks need from the runtime.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper {
	/// Gives `market` open interest, so that its sub-fund has a target.
	fn prepare_open_interest(market: backstop_primitives::MarketId);
}

/// The log target of this pallet.
const LOG_TARGET: &str = "runtime::insurance-fund";

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use alloc::vec::Vec;
	use backstop_primitives::{
		governance::Authority, Balance, LossTier, MarketId, RevenueKind, RevenueSink, RiskExposure,
	};
	use frame_support::{
		pallet_prelude::*,
		traits::{fungible, BuildGenesisConfig},
		PalletId,
	};
	use frame_system::pallet_prelude::*;
	use sp_runtime::Permill;

	/// The in-code storage version.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Configuration of the insurance fund.
	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// The settlement asset the funds are held in.
		type Currency: fungible::Inspect<Self::AccountId, Balance = Balance>
			+ fungible::Mutate<Self::AccountId>;

		/// The open interest the funds are sized against.
		type Exposure: RiskExposure;

		/// The origin that sets parameters, creates and closes market
		/// sub-funds, withdraws surplus and absorbs unsolicited transfers.
		/// Its success value tells the authority apart (Root, the risk track,
		/// the guardian): see the README's "Governance" section for what each
		/// may change.
		type AdminOrigin: EnsureOrigin<Self::RuntimeOrigin, Success = Authority>;

		/// The largest relative step of one numeric parameter in one change
		/// by the risk track or the guardian (`|new − old| ≤ MaxParamStep ×
		/// old`). Positive.
		#[pallet::constant]
		type MaxParamStep: Get<Permill>;

		/// The fewest blocks between two bounded changes of the same
		/// parameter, counted from its last change by any authority.
		#[pallet::constant]
		type MinChangeInterval: Get<BlockNumberFor<Self>>;

		/// The identifier of the account that holds every fund.
		#[pallet::constant]
		type PalletId: Get<PalletId>;

		/// The most market sub-funds that may exist at once.
		#[pallet::constant]
		type MaxMarketFunds: Get<u32>;

		/// Hard upper limit of any fund's `cap_fraction`.
		#[pallet::constant]
		type MaxCapFraction: Get<Permill>;

		/// Hard upper limit of any fund's `absolute_cap`.
		#[pallet::constant]
		type MaxAbsoluteCap: Get<Balance>;

		/// Hard upper limit of any fund's `target_fraction`.
		#[pallet::constant]
		type MaxTargetFraction: Get<Permill>;

		/// Hard upper limit of the fraction of market revenue forwarded to the
		/// global fund.
		#[pallet::constant]
		type MaxForwardFraction: Get<Permill>;

		/// Hard upper limit of the governed `per_liquidation` keeper reward.
		#[pallet::constant]
		type MaxKeeperReward: Get<Balance>;

		/// Hard upper limit of the governed `per_block` keeper rewards, in
		/// units of `MaxKeeperReward`: at most this many maximal rewards a
		/// block.
		#[pallet::constant]
		type MaxKeeperRewardsPerBlock: Get<u32>;

		/// Where surplus above a fund's target is released to
		/// (`release_surplus`, as `RevenueKind::InsuranceSurplus`): the
		/// stakers' reward ledger.
		type SurplusSink: RevenueSink<Self::AccountId>;

		/// The fewest blocks between two releases of one fund's surplus.
		#[pallet::constant]
		type SurplusReleaseInterval: Get<BlockNumberFor<Self>>;

		/// The share of a fund's surplus one release pays out: the rest waits
		/// for the next interval, so a surplus that a momentary drop of open
		/// interest inflates is released only in part.
		#[pallet::constant]
		type SurplusReleaseShare: Get<Permill>;

		/// Weights of this pallet's calls and trait entry points.
		type WeightInfo: WeightInfo;

		/// Sets up what the benchmarks need.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: crate::BenchmarkHelper;
	}

	/// The ledger of the global fund.
	#[pallet::storage]
	pub type GlobalFund<T: Config> = StorageValue<_, Fund, ValueQuery>;

	/// The ledgers of the market sub-funds. At most `MaxMarketFunds` entries;
	/// keys are chosen only by trusted callers (governance and the revenue
	/// sink), never by signed users.
	#[pallet::storage]
	pub type MarketFunds<T: Config> =
		CountedStorageMap<_, Twox64Concat, MarketId, Fund, OptionQuery>;

	/// The parameters of the global fund.
	#[pallet::storage]
	pub type GlobalParams<T: Config> = StorageValue<_, FundParams, ValueQuery>;

	/// The parameters of every market sub-fund without parameters of its own.
	#[pallet::storage]
	pub type DefaultMarketParams<T: Config> = StorageValue<_, FundParams, ValueQuery>;

	/// Parameters of individual market sub-funds. Every key is also a key of
	/// `MarketFunds`.
	#[pallet::storage]
	pub type MarketParams<T: Config> =
		StorageMap<_, Twox64Concat, MarketId, FundParams, OptionQuery>;

	/// The fraction of each market inflow forwarded to the global fund.
	#[pallet::storage]
	pub type ForwardFraction<T: Config> = StorageValue<_, Permill, ValueQuery>;

	/// The caps on keeper rewards for insolvent accounts. Zero (the
	/// default) pays nothing.
	#[pallet::storage]
	pub type KeeperRewardCaps<T: Config> = StorageValue<_, KeeperRewardLimits, ValueQuery>;

	/// What keepers were paid in the block it names (a record of an earlier
	/// block counts as nothing paid yet in this one).
	#[pallet::storage]
	pub type KeeperRewardsPaid<T: Config> =
		StorageValue<_, (BlockNumberFor<T>, Balance), ValueQuery>;

	/// The default per-block cap: a whole fund.
	#[pallet::type_value]
	pub fn DefaultBlockCap() -> Permill {
		Permill::one()
	}

	/// The most each fund pays towards losses in one block, all events
	/// together, as a fraction of its balance before the block's first draw
	/// (rounded down). Whole (no cap beyond the per-event caps) until
	/// governance sets one.
	#[pallet::storage]
	pub type BlockCapFraction<T: Config> = StorageValue<_, Permill, ValueQuery, DefaultBlockCap>;

	/// What each fund paid towards losses in the block it names. At most one
	/// entry per fund (the global fund and each sub-fund).
	#[pallet::storage]
	pub type BlockDraws<T: Config> =
		StorageMap<_, Twox64Concat, FundId, BlockDraw<BlockNumberFor<T>>, OptionQuery>;

	/// The block of each fund's last surplus release. At most one entry per
	/// fund.
	#[pallet::storage]
	pub type LastSurplusRelease<T: Config> =
		StorageMap<_, Twox64Concat, FundId, BlockNumberFor<T>, OptionQuery>;

	/// The block each governed parameter last changed in, by any authority:
	/// the minimum interval of the risk track and the guardian runs from it.
	/// One entry per [`ParamKey`]; a market's entry exists only while its
	/// sub-fund does (`close_market_fund` removes it).
	#[pallet::storage]
	pub type ParamChangedAt<T: Config> =
		StorageMap<_, Blake2_128Concat, ParamKey, BlockNumberFor<T>, OptionQuery>;

	/// The trading fees the insurance fund has received so far, all funds
	/// together (a counter that never decreases): the options backstop's
	/// purchase policy spends a governed share of what it grows by.
	#[pallet::storage]
	pub type FeeIncome<T: Config> = StorageValue<_, Balance, ValueQuery>;

	/// Events of the insurance fund.
	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A market sub-fund was created (by governance or by its first inflow).
		FundCreated {
			/// The market whose sub-fund it is.
			market: MarketId,
		},
		/// A market sub-fund was closed; what it held moved to the global fund.
		FundClosed {
			/// The market whose sub-fund it was.
			market: MarketId,
			/// What moved from the sub-fund to the global fund.
			moved_to_global: Balance,
		},
		/// Revenue was received from the margin pallet and split between the
		/// market's sub-fund and the global fund.
		RevenueReceived {
			/// The market the revenue was booked against.
			market: MarketId,
			/// What the revenue was for.
			kind: RevenueKind,
			/// The account it came from.
			source: T::AccountId,
			/// The part credited to the market's sub-fund.
			to_market_fund: Balance,
			/// The part forwarded to the global fund.
			to_global_fund: Balance,
		},
		/// A donation was credited to a fund.
		Donated {
			/// The donor.
			who: T::AccountId,
			/// The fund credited.
			fund: FundId,
			/// The amount credited.
			amount: Balance,
		},
		/// A fund paid towards a loss.
		FundDrawn {
			/// The tier of the loss waterfall (always the insurance fund).
			tier: LossTier,
			/// The market of the loss.
			market: MarketId,
			/// The fund that paid.
			fund: FundId,
			/// What the fund paid.
			amount: Balance,
			/// Who was paid.
			beneficiary: T::AccountId,
		},
		/// A fund's payment towards a loss failed; the fund paid nothing and
		/// the amount flowed on.
		DrawFailed {
			/// The tier of the loss waterfall (always the insurance fund).
			tier: LossTier,
			/// The market of the loss.
			market: MarketId,
			/// The fund whose payment failed.
			fund: FundId,
			/// What the fund would have paid.
			amount: Balance,
			/// Why the transfer failed.
			error: DispatchError,
		},
		/// The insurance fund finished its part of a loss.
		LossAbsorbed {
			/// The tier of the loss waterfall (always the insurance fund).
			tier: LossTier,
			/// The market of the loss.
			market: MarketId,
			/// The loss handed to the insurance fund.
			loss: Balance,
			/// What the insurance fund covered in total.
			covered: Balance,
			/// What is left for the next tier.
			uncovered: Balance,
		},
		/// Governance withdrew surplus above a fund's target.
		SurplusWithdrawn {
			/// The fund withdrawn from.
			fund: FundId,
			/// The amount withdrawn.
			amount: Balance,
			/// Where it went.
			dest: T::AccountId,
			/// The fund's target at the time.
			target: Balance,
		},
		/// A fund fell below its floor.
		UnderCapitalized {
			/// The fund.
			fund: FundId,
			/// Its balance.
			balance: Balance,
			/// Its target.
			target: Balance,
			/// The floor it fell below (a fraction of the target).
			floor: Balance,
		},
		/// A fund that was under-capitalized is back at or above its floor.
		Recapitalized {
			/// The fund.
			fund: FundId,
			/// Its balance.
			balance: Balance,
			/// Its target.
			target: Balance,
			/// The floor it is back above.
			floor: Balance,
		},
		/// Governance set fund parameters.
		ParamsSet {
			/// Which parameters were set.
			scope: ParamsScope,
			/// The new parameters.
			params: FundParams,
		},
		/// A market sub-fund's own parameters were removed; the market
		/// default applies again.
		MarketParamsCleared {
			/// The market.
			market: MarketId,
		},
		/// Governance set the fraction of market revenue forwarded to the
		/// global fund.
		ForwardFractionSet {
			/// The new fraction.
			fraction: Permill,
		},
		/// The pallet account had lost its existential buffer; the first part
		/// of an inflow restored it and was not credited to any fund.
		BufferRestored {
			/// What went to the buffer.
			amount: Balance,
		},
		/// A keeper was paid for liquidating an insolvent account.
		KeeperRewarded {
			/// The market of the liquidation (its sub-fund pays first).
			market: MarketId,
			/// Who was paid (the account that credits the keeper).
			beneficiary: T::AccountId,
			/// What the market's sub-fund paid.
			from_market_fund: Balance,
			/// What the global fund paid.
			from_global_fund: Balance,
		},
		/// Part of a fund's surplus above its target was released to the
		/// stakers' reward ledger.
		SurplusReleased {
			/// The fund released from.
			fund: FundId,
			/// What left the fund.
			amount: Balance,
			/// The fund's target at the time.
			target: Balance,
		},
		/// Governance set the per-block cap on loss payouts.
		BlockCapSet {
			/// The new cap, a fraction of a fund's balance before the block's
			/// first draw.
			fraction: Permill,
		},
		/// Governance set the caps on keeper rewards for insolvent accounts.
		KeeperRewardLimitsSet {
			/// The new caps.
			limits: KeeperRewardLimits,
		},
		/// What the pallet account held beyond every fund and the buffer
		/// (unsolicited transfers) was credited to the global fund.
		ExcessAbsorbed {
			/// What was credited.
			amount: Balance,
		},
		/// The global fund paid a premium for tail protection (a put spread
		/// bought from the options backstop).
		ProtectionPremiumPaid {
			/// Where the premium went (the options vault).
			to: T::AccountId,
			/// What the global fund paid.
			amount: Balance,
		},
		/// The global fund received the payout of the tail protection it
		/// holds (at expiry, or exercised early while below its floor).
		ProtectionPayoutReceived {
			/// Where the payout came from (the options vault).
			from: T::AccountId,
			/// What the global fund was credited.
			amount: Balance,
		},
	}

	/// Errors of the insurance fund.
	#[pallet::error]
	pub enum Error<T> {
		/// The amount is zero.
		ZeroAmount,
		/// No such market sub-fund.
		UnknownFund,
		/// The market sub-fund exists already.
		FundExists,
		/// `MaxMarketFunds` market sub-funds exist already.
		TooManyFunds,
		/// The amount is more than the fund holds above its target.
		ExceedsSurplus,
		/// `cap_fraction` is above `MaxCapFraction`.
		CapFractionTooHigh,
		/// `absolute_cap` is above `MaxAbsoluteCap`.
		AbsoluteCapTooHigh,
		/// `target_fraction` is above `MaxTargetFraction`.
		TargetFractionTooHigh,
		/// The forward fraction is above `MaxForwardFraction`.
		ForwardFractionTooHigh,
		/// The market sub-fund has no parameters of its own.
		NoMarketParams,
		/// The insurance fund does not take this kind of revenue.
		UnsupportedRevenue,
		/// The pallet account lacks its existential buffer and the inflow is
		/// too small to restore it.
		BufferMissing,
		/// A fund ledger would overflow.
		Overflow,
		/// The pallet account holds less than the ledgers say (reconciliation
		/// failure; should never happen).
		LedgerExceedsAccount,
		/// The pallet account holds nothing beyond every fund and the buffer.
		NoExcess,
		/// A keeper reward cap is above its hard limit (`MaxKeeperReward`,
		/// or `MaxKeeperReward × MaxKeeperRewardsPerBlock` a block).
		KeeperRewardTooHigh,
		/// The per-liquidation keeper reward is above the per-block cap.
		KeeperRewardAboveBlockCap,
		/// A per-block cap of zero would stop the fund paying any loss.
		ZeroBlockCap,
		/// The fund holds nothing above its target.
		NoSurplus,
		/// The fund has no target (no open interest or no target fraction):
		/// its whole balance would count as surplus.
		NoTarget,
		/// The fund's surplus was released less than
		/// `SurplusReleaseInterval` blocks ago.
		ReleaseTooSoon,
		/// The surplus sink took nothing.
		SurplusRefused,
		/// The guardian tried a change that loosens something, or one that
		/// only governance may make (see the README's "Governance" section).
		GuardianCannotLoosen,
		/// A parameter moved by more than `MaxParamStep` of its current value
		/// (a parameter at zero moves only by the root track); only the root
		/// track may make such a change.
		StepTooLarge,
		/// The same parameter changed less than `MinChangeInterval` blocks
		/// ago; only the root track may change it again this soon.
		ChangeTooSoon,
		/// The global fund holds less than the premium asked of it.
		InsufficientFunds,
	}

	/// Genesis: parameters, and funds seeded by minting into the pallet
	/// account. The build always mints the existential buffer.
	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// Minted into the global fund.
		pub global_seed: Balance,
		/// Market sub-funds to create, each with the amount minted into it.
		pub market_seeds: Vec<(MarketId, Balance)>,
		/// Parameters of the global fund.
		pub global_params: FundParams,
		/// Parameters of every market sub-fund without parameters of its own.
		pub default_market_params: FundParams,
		/// The fraction of market revenue forwarded to the global fund.
		pub forward_fraction: Permill,
		/// The caps on keeper rewards for insolvent accounts.
		pub keeper_reward_limits: KeeperRewardLimits,
		/// The per-block cap on loss payouts (`None`: whole, no cap beyond
		/// the per-event caps).
		pub block_cap: Option<Permill>,
		#[serde(skip)]
		#[doc(hidden)]
		pub _config: core::marker::PhantomData<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			Pallet::<T>::do_build_genesis(self);
		}
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn integrity_test() {
			Pallet::<T>::do_integrity_test();
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Pallet::<T>::do_try_state()
		}
	}

	#[pallet::call(weight(<T as Config>::WeightInfo))]
	impl<T: Config> Pallet<T> {
		/// Donates `amount` of the settlement asset from the caller to `fund`,
		/// which must exist. The caller's account is kept alive.
		#[pallet::call_index(0)]
		pub fn donate(origin: OriginFor<T>, fund: FundId, amount: Balance) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_donate(&who, fund, amount)
		}

		/// Sets the parameters of `scope`, within the hard limits. Setting the
		/// parameters of a market creates its sub-fund if needed.
		#[pallet::call_index(1)]
		pub fn set_params(
			origin: OriginFor<T>,
			scope: ParamsScope,
			params: FundParams,
		) -> DispatchResult {
			let authority = T::AdminOrigin::ensure_origin(origin)?;
			Self::do_set_params(authority, scope, params)
		}

		/// Removes a market sub-fund's own parameters: the market default
		/// applies again.
		#[pallet::call_index(2)]
		pub fn clear_market_params(origin: OriginFor<T>, market: MarketId) -> DispatchResult {
			let authority = T::AdminOrigin::ensure_origin(origin)?;
			Self::do_clear_market_params(authority, market)
		}

		/// Sets the fraction of each market inflow forwarded to the global fund.
		#[pallet::call_index(3)]
		pub fn set_forward_fraction(origin: OriginFor<T>, fraction: Permill) -> DispatchResult {
			let authority = T::AdminOrigin::ensure_origin(origin)?;
			Self::do_set_forward_fraction(authority, fraction)
		}

		/// Moves `amount` from `fund` to `dest`; only what lies above the
		/// fund's target may be moved.
		#[pallet::call_index(4)]
		pub fn withdraw_surplus(
			origin: OriginFor<T>,
			fund: FundId,
			amount: Balance,
			dest: T::AccountId,
		) -> DispatchResult {
			let authority = T::AdminOrigin::ensure_origin(origin)?;
			Self::do_withdraw_surplus(authority, fund, amount, &dest)
		}

		/// Creates an empty sub-fund for `market` under the market default
		/// parameters.
		#[pallet::call_index(5)]
		pub fn create_market_fund(origin: OriginFor<T>, market: MarketId) -> DispatchResult {
			let authority = T::AdminOrigin::ensure_origin(origin)?;
			Self::do_create_market_fund(authority, market)
		}

		/// Closes the sub-fund of `market` (for a delisted market): what it
		/// holds moves to the global fund and its parameters are removed.
		#[pallet::call_index(6)]
		pub fn close_market_fund(origin: OriginFor<T>, market: MarketId) -> DispatchResult {
			let authority = T::AdminOrigin::ensure_origin(origin)?;
			Self::do_close_market_fund(authority, market)
		}

		/// Credits what the pallet account holds beyond every fund and the
		/// buffer (unsolicited transfers, never counted until now) to the
		/// global fund. Weighed for `MaxMarketFunds` sub-funds and charged
		/// for those that exist. Maintenance: any authority of `AdminOrigin`,
		/// the guardian included, with no step and no interval.
		#[pallet::call_index(7)]
		#[pallet::weight(<T as Config>::WeightInfo::absorb_excess(T::MaxMarketFunds::get()))]
		pub fn absorb_excess(origin: OriginFor<T>) -> DispatchResultWithPostInfo {
			T::AdminOrigin::ensure_origin(origin)?;
			let funds = Self::do_absorb_excess()?;
			Ok(Some(<T as Config>::WeightInfo::absorb_excess(funds)).into())
		}

		/// Sets the per-block cap on what each fund pays towards losses, as a
		/// fraction of its balance before the block's first draw (not zero).
		#[pallet::call_index(9)]
		pub fn set_block_cap(origin: OriginFor<T>, fraction: Permill) -> DispatchResult {
			let authority = T::AdminOrigin::ensure_origin(origin)?;
			Self::do_set_block_cap(authority, fraction)
		}

		/// Releases `SurplusReleaseShare` of what `fund` holds above its
		/// target to the stakers' reward ledger (`SurplusSink`). Anyone may
		/// call it, at most once per `SurplusReleaseInterval` blocks per
		/// fund; a fund without a target releases nothing (`NoTarget`).
		#[pallet::call_index(10)]
		pub fn release_surplus(origin: OriginFor<T>, fund: FundId) -> DispatchResult {
			ensure_signed(origin)?;
			Self::do_release_surplus(fund)
		}

		/// Sets the caps on what keepers are paid for liquidating insolvent
		/// accounts: per liquidation and per block, within the hard limits.
		#[pallet::call_index(8)]
		pub fn set_keeper_reward_limits(
			origin: OriginFor<T>,
			limits: KeeperRewardLimits,
		) -> DispatchResult {
			let authority = T::AdminOrigin::ensure_origin(origin)?;
			Self::do_set_keeper_reward_limits(authority, limits)
		}
	}
}
