#![doc = include_str!("../README.md")]
#![cfg_attr(not(feature = "std"), no_std)]
#![deny(missing_docs)]

extern crate alloc;

pub use pallet::*;

mod dispatchable_impls;
mod governance_impls;
mod math;
pub mod migrations;
mod staker_impls;
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

/// The log target of this pallet.
const LOG_TARGET: &str = "runtime::staking-backstop";

/// The largest staker count the `absorb` benchmark is run with. Slashing does
/// not depend on the number of stakers; callers that weigh `absorb` use this
/// end of the benchmarked range (see [`Pallet::absorb_weight`]).
pub const ABSORB_BENCHMARK_STAKERS: u32 = 10_000;

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
	use sp_runtime::{FixedU128, Perbill, Permill};

	/// The in-code storage version.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(2);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Configuration of the staking backstop.
	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// The settlement asset stakes, payouts and rewards are paid in.
		type Currency: fungible::Inspect<Self::AccountId, Balance = Balance>
			+ fungible::Mutate<Self::AccountId>;

		/// The markets' risk: the required capital (stressed value-at-risk)
		/// coverage is measured against and the premium they accrue.
		type Exposure: RiskExposure;

		/// The origin that sets tranche parameters and the premium parameters and
		/// sweeps unsolicited transfers. Its success value tells the authority
		/// apart (Root, the risk track, the guardian): see the README's
		/// "Governance" section for what each may change.
		type AdminOrigin: EnsureOrigin<Self::RuntimeOrigin, Success = Authority>;

		/// The largest relative step of one numeric parameter in one change
		/// by the risk track or the guardian (`|new − old| ≤ MaxParamStep ×
		/// old`). Positive.
		#[pallet::constant]
		type MaxParamStep: Get<Permill>;

		/// The fewest blocks between two bounded changes of the same
		/// parameters, counted from their last change by any authority.
		#[pallet::constant]
		type MinChangeInterval: Get<BlockNumberFor<Self>>;

		/// Where `sweep_excess` sends what the pallet account holds beyond
		/// its ledgers and the buffer (unsolicited transfers, never counted),
		/// as `RevenueKind::Unsolicited`. In the runtime: the insurance fund.
		type ExcessSink: RevenueSink<Self::AccountId>;

		/// The identifier of the account that holds both tranches and the
		/// reward pot.
		#[pallet::constant]
		type PalletId: Get<PalletId>;

		/// Hard upper limit of any tranche's `min_stake`.
		#[pallet::constant]
		type MaxMinStake: Get<Balance>;

		/// Hard upper limit of any tranche's `max_slash_fraction`.
		#[pallet::constant]
		type MaxSlashFraction: Get<Perbill>;

		/// Hard lower limit of any tranche's `cooldown`.
		#[pallet::constant]
		type MinCooldown: Get<BlockNumberFor<Self>>;

		/// Hard upper limit of any tranche's `cooldown`.
		#[pallet::constant]
		type MaxCooldown: Get<BlockNumberFor<Self>>;

		/// Hard lower limit of any tranche's `unstake_window`.
		#[pallet::constant]
		type MinUnstakeWindow: Get<BlockNumberFor<Self>>;

		/// Hard upper limit of any tranche's `unstake_window`.
		#[pallet::constant]
		type MaxUnstakeWindow: Get<BlockNumberFor<Self>>;

		/// The longest unstake window, as a fraction of the tranche's
		/// cooldown (rounded down): a staker can never have more than this
		/// share of the time exitable.
		#[pallet::constant]
		type MaxWindowFraction: Get<Permill>;

		/// Hard upper limit of any tranche's `wipe_out_floor`.
		#[pallet::constant]
		type MaxWipeOutFloor: Get<Perbill>;

		/// Hard upper limit of the premium parameters' `coverage_high`.
		#[pallet::constant]
		type MaxCoveragePoint: Get<FixedU128>;

		/// Hard upper limit of the premium parameters' `junior_multiple`.
		#[pallet::constant]
		type MaxJuniorMultiple: Get<FixedU128>;

		/// Blocks per year: turns annual premium rates into rates per block.
		#[pallet::constant]
		type BlocksPerYear: Get<u32>;

		/// Weights of this pallet's calls and trait entry points.
		type WeightInfo: WeightInfo;
	}

	/// The parameters a tranche has before governance or genesis set any.
	#[pallet::type_value]
	pub fn DefaultTrancheParams<T: Config>() -> TrancheParams<BlockNumberFor<T>> {
		Pallet::<T>::default_tranche_params()
	}

	/// The premium parameters before governance or genesis set them.
	#[pallet::type_value]
	pub fn DefaultPremiumParams<T: Config>() -> PremiumParams {
		Pallet::<T>::default_premium_params()
	}

	/// The ledgers of the two tranches.
	#[pallet::storage]
	pub type Tranches<T: Config> = StorageMap<_, Twox64Concat, Tranche, TrancheLedger, ValueQuery>;

	/// The governed parameters of the two tranches.
	#[pallet::storage]
	pub type Params<T: Config> = StorageMap<
		_,
		Twox64Concat,
		Tranche,
		TrancheParams<BlockNumberFor<T>>,
		ValueQuery,
		DefaultTrancheParams<T>,
	>;

	/// The governed premium parameters.
	#[pallet::storage]
	pub type Premium<T: Config> =
		StorageValue<_, PremiumParams, ValueQuery, DefaultPremiumParams<T>>;

	/// What each tranche has paid towards losses in the block of the record.
	/// At most one entry per tranche; a record of an earlier block is stale
	/// and counts as nothing paid (overwritten by the next slash).
	#[pallet::storage]
	pub type BlockSlashed<T: Config> =
		StorageMap<_, Twox64Concat, Tranche, BlockSlash<BlockNumberFor<T>>, OptionQuery>;

	/// Staker positions: earning shares, reward debt and unclaimed rewards.
	#[pallet::storage]
	pub type Positions<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		Tranche,
		Blake2_128Concat,
		T::AccountId,
		Position,
		OptionQuery,
	>;

	/// The open unstake request of each staker and tranche: at most one.
	#[pallet::storage]
	pub type UnstakeRequests<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		Tranche,
		Blake2_128Concat,
		T::AccountId,
		UnstakeRequest<BlockNumberFor<T>>,
		OptionQuery,
	>;

	/// The identifier the next unstake request gets.
	#[pallet::storage]
	pub type NextRequestId<T: Config> = StorageValue<_, u64, ValueQuery>;

	/// Rewards credited to the tranches' reward indices and not yet claimed.
	/// Every claim is paid from it; rounding dust stays in it.
	#[pallet::storage]
	pub type RewardPot<T: Config> = StorageValue<_, Balance, ValueQuery>;

	/// Rewards received while no share was earning (or too small to move a
	/// reward index); added to the next reward inflow.
	#[pallet::storage]
	pub type Undistributed<T: Config> = StorageValue<_, Balance, ValueQuery>;

	/// The final reward index of each epoch that ended with the tranche wiped
	/// out, so that positions of that epoch can still settle the rewards they
	/// earned before it ended. One entry per wipe-out.
	#[pallet::storage]
	pub type EpochRewardIndex<T: Config> =
		StorageDoubleMap<_, Twox64Concat, Tranche, Twox64Concat, u32, FixedU128, OptionQuery>;

	/// The block each governed parameter last changed in, by any authority:
	/// the minimum interval of the risk track and the guardian runs from it.
	/// One entry per [`ParamKey`] (three at most).
	#[pallet::storage]
	pub type ParamChangedAt<T: Config> =
		StorageMap<_, Blake2_128Concat, ParamKey, BlockNumberFor<T>, OptionQuery>;

	/// Events of the staking backstop.
	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A staker deposited into a tranche and was minted shares.
		Staked {
			/// The staker.
			who: T::AccountId,
			/// The tranche.
			tranche: Tranche,
			/// The amount deposited.
			amount: Balance,
			/// The shares minted (rounded down).
			shares: Balance,
			/// The tranche's share price after the deposit.
			share_price: FixedU128,
		},
		/// A staker took shares out of earning and started their cooldown.
		UnstakeRequested {
			/// The staker.
			who: T::AccountId,
			/// The tranche.
			tranche: Tranche,
			/// The request's identifier.
			request_id: u64,
			/// The shares requested.
			shares: Balance,
			/// What the shares are worth now (rounded down): the most
			/// `unstake` will pay for them.
			value: Balance,
			/// The first block of the unstake window.
			unlock_at: BlockNumberFor<T>,
			/// The first block after the unstake window.
			expires_at: BlockNumberFor<T>,
		},
		/// A staker cancelled an unstake request; the shares earn again.
		UnstakeCancelled {
			/// The staker.
			who: T::AccountId,
			/// The tranche.
			tranche: Tranche,
			/// The request's identifier.
			request_id: u64,
			/// The shares returned to earning.
			shares: Balance,
		},
		/// An unstake request's window passed unused; its shares earn again.
		UnstakeLapsed {
			/// The staker.
			who: T::AccountId,
			/// The tranche.
			tranche: Tranche,
			/// The request's identifier.
			request_id: u64,
			/// The shares returned to earning.
			shares: Balance,
		},
		/// A staker redeemed an unlocked request at the lower of its value at
		/// request and its value now.
		Unstaked {
			/// The staker.
			who: T::AccountId,
			/// The tranche.
			tranche: Tranche,
			/// The request's identifier.
			request_id: u64,
			/// The shares redeemed and burnt.
			shares: Balance,
			/// The amount paid (rounded down).
			amount: Balance,
			/// What the shares were worth at payout and was not paid (their
			/// value now above their value at request); it stays in the
			/// tranche for the remaining holders.
			left_in_tranche: Balance,
		},
		/// Shares of an epoch that ended with the tranche wiped out were
		/// dropped from a staker's position and requests: they were worth
		/// nothing.
		SharesVoided {
			/// The staker.
			who: T::AccountId,
			/// The tranche.
			tranche: Tranche,
			/// The worthless shares dropped.
			shares: Balance,
		},
		/// A staker claimed rewards.
		RewardsClaimed {
			/// The staker.
			who: T::AccountId,
			/// The tranche the rewards were earned in.
			tranche: Tranche,
			/// The amount paid.
			amount: Balance,
		},
		/// Revenue was received and credited to the stakers' rewards.
		RevenueReceived {
			/// The market the revenue was booked against.
			market: MarketId,
			/// What the revenue was for.
			kind: RevenueKind,
			/// The account it came from.
			source: T::AccountId,
			/// The amount received.
			amount: Balance,
			/// The junior tranche's weight in the split (its earning value
			/// times the junior multiple).
			junior_weight: Balance,
			/// The senior tranche's weight in the split (its earning value).
			senior_weight: Balance,
			/// Credited to the junior tranche's stakers.
			to_junior: Balance,
			/// Credited to the senior tranche's stakers.
			to_senior: Balance,
			/// Left undistributed after this inflow, in total.
			undistributed: Balance,
		},
		/// A tranche paid towards a loss; its share price fell.
		TrancheSlashed {
			/// The tier of the loss waterfall (always the staking backstop).
			tier: LossTier,
			/// The market of the loss.
			market: MarketId,
			/// The tranche slashed.
			tranche: Tranche,
			/// What the tranche paid.
			amount: Balance,
			/// Who was paid.
			beneficiary: T::AccountId,
			/// The tranche's share price after the slash (zero if wiped out).
			share_price: FixedU128,
		},
		/// A tranche's payment towards a loss failed; it paid nothing and the
		/// amount flowed on.
		SlashFailed {
			/// The tier of the loss waterfall (always the staking backstop).
			tier: LossTier,
			/// The market of the loss.
			market: MarketId,
			/// The tranche whose payment failed.
			tranche: Tranche,
			/// What the tranche would have paid.
			amount: Balance,
			/// Why the transfer failed.
			error: DispatchError,
		},
		/// A slash left the tranche's share price below its wipe-out floor
		/// (or its assets at zero): its remaining assets (the dust) were
		/// paid out, its shares became worthless and a new epoch started, in
		/// which the next stake mints at a price of one.
		TrancheWipedOut {
			/// The tranche.
			tranche: Tranche,
			/// The new epoch.
			epoch: u32,
			/// The shares of the old epoch, now worthless.
			voided_shares: Balance,
			/// The dust paid to the loss's beneficiary (counted as covered).
			dust_to_beneficiary: Balance,
			/// The dust beyond the loss, added to the undistributed rewards.
			dust_to_rewards: Balance,
		},
		/// The staking backstop finished its part of a loss.
		LossAbsorbed {
			/// The tier of the loss waterfall (always the staking backstop).
			tier: LossTier,
			/// The market of the loss.
			market: MarketId,
			/// The loss handed to the staking backstop.
			loss: Balance,
			/// What the two tranches covered in total.
			covered: Balance,
			/// What is left for the next tier.
			uncovered: Balance,
		},
		/// Governance set a tranche's parameters.
		TrancheParamsSet {
			/// The tranche.
			tranche: Tranche,
			/// The new parameters.
			params: TrancheParams<BlockNumberFor<T>>,
		},
		/// Governance set the premium parameters.
		PremiumParamsSet {
			/// The new parameters.
			params: PremiumParams,
		},
		/// The pallet account had lost its existential buffer; the first part
		/// of a revenue inflow restored it and was not credited to rewards.
		BufferRestored {
			/// What went to the buffer.
			amount: Balance,
		},
		/// What the pallet account held beyond both tranches, the reward pot,
		/// the undistributed rewards and the buffer (unsolicited transfers)
		/// was swept to the excess sink.
		ExcessSwept {
			/// What the sink took.
			amount: Balance,
		},
	}

	/// Errors of the staking backstop.
	#[pallet::error]
	pub enum Error<T> {
		/// The amount is zero.
		ZeroAmount,
		/// The stake is below the tranche's `min_stake`.
		BelowMinStake,
		/// The amount is too small to mint a single share at the current price.
		ZeroShares,
		/// The share count is zero.
		ZeroShareCount,
		/// The staker has fewer earning shares in the tranche than requested.
		InsufficientShares,
		/// The staker already has an open unstake request in the tranche
		/// (cancel it or let it be paid or lapse first).
		UnstakeAlreadyRequested,
		/// The staker has no unstake request with this identifier in the
		/// tranche.
		UnknownUnstakeRequest,
		/// The request's cooldown has not elapsed yet.
		CooldownNotElapsed,
		/// The request's unstake window has passed; it lapses (its shares earn
		/// again) the next time the staker acts.
		UnstakeWindowClosed,
		/// The staker has no rewards to claim in the tranche.
		NothingToClaim,
		/// The staking backstop does not take this kind of revenue.
		UnsupportedRevenue,
		/// The pallet account lacks its existential buffer (the pallet was
		/// added without its genesis); stakes are refused until a revenue
		/// inflow restores it.
		BufferMissing,
		/// A ledger, a share count, a reward index or a block number would
		/// overflow.
		Overflow,
		/// The ledgers and the pallet account disagree (should never happen).
		LedgerInconsistent,
		/// `min_stake` is above `MaxMinStake`.
		MinStakeTooHigh,
		/// `max_slash_fraction` is above `MaxSlashFraction`.
		SlashFractionTooHigh,
		/// `cooldown` is below `MinCooldown`.
		CooldownTooShort,
		/// `cooldown` is above `MaxCooldown`.
		CooldownTooLong,
		/// `unstake_window` is below `MinUnstakeWindow`.
		UnstakeWindowTooShort,
		/// `unstake_window` is above `MaxUnstakeWindow`.
		UnstakeWindowTooLong,
		/// `unstake_window` is above `MaxWindowFraction` of `cooldown`.
		UnstakeWindowTooLongForCooldown,
		/// `wipe_out_floor` is zero: a tranche could be slashed to dust
		/// without ever being reset.
		WipeOutFloorZero,
		/// `wipe_out_floor` is above `MaxWipeOutFloor`.
		WipeOutFloorTooHigh,
		/// `max_slash_per_block` is zero: the tranche could never pay.
		BlockSlashCapZero,
		/// `coverage_low` is not below `coverage_high`.
		CoverageRangeEmpty,
		/// `coverage_high` is above `MaxCoveragePoint`.
		CoverageTooHigh,
		/// `rate_min` is above `rate_max`.
		PremiumRateRangeInverted,
		/// `rate_max` is above `rate_cap`.
		PremiumRateAboveCap,
		/// `junior_multiple` is below one.
		JuniorMultipleBelowOne,
		/// `junior_multiple` is above `MaxJuniorMultiple`.
		JuniorMultipleTooHigh,
		/// The pallet account holds nothing beyond its ledgers and the buffer
		/// (or the excess sink took nothing of it).
		NoExcess,
		/// The guardian tried a change that loosens something, or one that
		/// only governance may make (see the README's "Governance" section).
		GuardianCannotLoosen,
		/// A parameter moved by more than `MaxParamStep` of its current value
		/// (a parameter at zero moves only by the root track); only the root
		/// track may make such a change.
		StepTooLarge,
		/// The same parameters changed less than `MinChangeInterval` blocks
		/// ago; only the root track may change them again this soon.
		ChangeTooSoon,
	}

	/// Genesis: parameters, the premium parameters and seeded stakes. The build
	/// mints the existential buffer and every seeded stake into the pallet
	/// account (the stakers' own balances are not touched), so the settlement
	/// asset must exist before this pallet's genesis is built.
	#[pallet::genesis_config]
	pub struct GenesisConfig<T: Config> {
		/// Parameters of the junior tranche.
		pub junior_params: TrancheParams<BlockNumberFor<T>>,
		/// Parameters of the senior tranche.
		pub senior_params: TrancheParams<BlockNumberFor<T>>,
		/// The premium parameters.
		pub premium_params: PremiumParams,
		/// Stakes minted into the junior tranche: (staker, amount).
		pub junior_stakes: Vec<(T::AccountId, Balance)>,
		/// Stakes minted into the senior tranche: (staker, amount).
		pub senior_stakes: Vec<(T::AccountId, Balance)>,
	}

	impl<T: Config> Default for GenesisConfig<T> {
		fn default() -> Self {
			Self {
				junior_params: Pallet::<T>::default_tranche_params(),
				senior_params: Pallet::<T>::default_tranche_params(),
				premium_params: Pallet::<T>::default_premium_params(),
				junior_stakes: Vec::new(),
				senior_stakes: Vec::new(),
			}
		}
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
		/// Deposits `amount` of the settlement asset into `tranche` and mints
		/// shares at the current share price, rounded down. The caller's
		/// account is kept alive.
		#[pallet::call_index(0)]
		pub fn stake(origin: OriginFor<T>, tranche: Tranche, amount: Balance) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_stake(&who, tranche, amount)
		}

		/// Takes `shares` earning shares out of earning and starts their
		/// cooldown, recording their value now. They stay slashable; after the
		/// cooldown they may be unstaked during the unstake window. At most
		/// one open request per staker and tranche.
		#[pallet::call_index(1)]
		pub fn request_unstake(
			origin: OriginFor<T>,
			tranche: Tranche,
			shares: Balance,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_request_unstake(&who, tranche, shares)
		}

		/// Cancels an unstake request; its shares earn again.
		#[pallet::call_index(2)]
		pub fn cancel_unstake(
			origin: OriginFor<T>,
			tranche: Tranche,
			request_id: u64,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_cancel_unstake(&who, tranche, request_id)
		}

		/// Redeems an unlocked unstake request, within its window, at the
		/// lower of its value at request and its value now (rounded down).
		#[pallet::call_index(3)]
		pub fn unstake(origin: OriginFor<T>, tranche: Tranche, request_id: u64) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_unstake(&who, tranche, request_id)
		}

		/// Pays the caller's rewards earned in `tranche`.
		#[pallet::call_index(4)]
		pub fn claim_rewards(origin: OriginFor<T>, tranche: Tranche) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_claim_rewards(&who, tranche)
		}

		/// Sets the parameters of `tranche`, within the hard limits. A new
		/// cooldown or window applies to requests made afterwards.
		#[pallet::call_index(5)]
		pub fn set_tranche_params(
			origin: OriginFor<T>,
			tranche: Tranche,
			params: TrancheParams<BlockNumberFor<T>>,
		) -> DispatchResult {
			let authority = T::AdminOrigin::ensure_origin(origin)?;
			Self::do_set_tranche_params(authority, tranche, params)
		}

		/// Sets the premium parameters, within the hard limits.
		#[pallet::call_index(6)]
		pub fn set_premium_params(origin: OriginFor<T>, params: PremiumParams) -> DispatchResult {
			let authority = T::AdminOrigin::ensure_origin(origin)?;
			Self::do_set_premium_params(authority, params)
		}

		/// Sweeps what the pallet account holds beyond both tranches' assets,
		/// the reward pot, the undistributed rewards and the buffer
		/// (unsolicited transfers, never counted as the stakers') to the
		/// excess sink. Maintenance: any authority of `AdminOrigin`, the
		/// guardian included, with no step and no interval.
		#[pallet::call_index(7)]
		pub fn sweep_excess(origin: OriginFor<T>) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			Self::do_sweep_excess()
		}
	}
}
