#![doc = include_str!("../README.md")]
#![cfg_attr(not(feature = "std"), no_std)]
#![deny(missing_docs)]

extern crate alloc;

pub use pallet::*;

mod dispatchable_impls;
mod governance_impls;
pub mod math;
mod pricing_impls;
mod types;
mod utility_impls;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

pub mod weights;

pub use types::*;
pub use weights::WeightInfo;

/// What the benchmarks need from the runtime they run in: a usable price
/// for an asset, and a buyer that can pay premiums and is below its floor.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId> {
	/// Makes `price` the usable spot and EMA of `asset` (with a non-zero
	/// confidence, so that the volatility proxy is computed in full).
	fn set_price(asset: backstop_primitives::OracleAssetId, price: backstop_primitives::Price);
	/// Gives the buyer `amount` to pay premiums with and `income` more fee
	/// income.
	fn fund_buyer(amount: backstop_primitives::Balance, income: backstop_primitives::Balance);
	/// Puts the buyer below its floor.
	fn set_below_floor();
}

/// The log target of this pallet.
#[allow(dead_code)]
const LOG_TARGET: &str = "runtime::options-backstop";

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use alloc::vec::Vec;
	use backstop_primitives::{
		Authority, Balance, OracleAssetId, Price, PriceProvider, ProtectionBuyer,
	};
	use frame_support::{
		pallet_prelude::*,
		traits::{fungible, BuildGenesisConfig},
		PalletId,
	};
	use frame_system::pallet_prelude::*;
	use sp_runtime::{FixedU128, Permill};

	/// The in-code storage version.
	pub(crate) const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Configuration of the options backstop.
	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// The settlement asset the vault is held in.
		type Currency: fungible::Inspect<Self::AccountId, Balance = Balance>
			+ fungible::Mutate<Self::AccountId>;

		/// Spot, EMA and confidence of the underlying assets.
		type Prices: PriceProvider<BlockNumberFor<Self>>;

		/// The buyer of the protection (the insurance fund).
		type Buyer: ProtectionBuyer<Self::AccountId>;

		/// The origin of every privileged call, telling Root, the risk track
		/// and the guardian apart.
		type AdminOrigin: EnsureOrigin<Self::RuntimeOrigin, Success = Authority>;

		/// The maximum relative step of one numeric parameter per change.
		#[pallet::constant]
		type MaxParamStep: Get<Permill>;

		/// The minimum blocks between two changes of the same parameter.
		#[pallet::constant]
		type MinChangeInterval: Get<BlockNumberFor<Self>>;

		/// The identifier of the account that holds the vault.
		#[pallet::constant]
		type PalletId: Get<PalletId>;

		/// The most templates at once.
		#[pallet::constant]
		type MaxTemplates: Get<u32>;

		/// The most listed series at once (open or awaiting settlement); at
		/// least `MaxTemplates`.
		#[pallet::constant]
		type MaxSeries: Get<u32>;

		/// The most points of the skew curve.
		#[pallet::constant]
		type MaxSkewPoints: Get<u32>;

		/// Hard upper limit of a template's tenor; above the settlement
		/// window.
		#[pallet::constant]
		type MaxTenor: Get<BlockNumberFor<Self>>;

		/// The blocks before expiry during which the settlement price is
		/// averaged (and no more spreads of the series are sold); not zero.
		#[pallet::constant]
		type SettlementWindow: Get<BlockNumberFor<Self>>;

		/// Hard upper limit of any implied volatility (yearly).
		#[pallet::constant]
		type MaxVol: Get<FixedU128>;

		/// Hard upper limit of the volatility scale.
		#[pallet::constant]
		type MaxVolScale: Get<FixedU128>;

		/// Hard upper limit of a skew multiplier.
		#[pallet::constant]
		type MaxSkewMultiplier: Get<FixedU128>;

		/// Hard upper limit of the premium the policy may spend per period.
		#[pallet::constant]
		type MaxPremiumPerPeriod: Get<Balance>;

		/// Hard upper limit of the budget period.
		#[pallet::constant]
		type MaxBudgetPeriod: Get<BlockNumberFor<Self>>;

		/// Hard upper limit of the minimum deposit.
		#[pallet::constant]
		type MaxMinDeposit: Get<Balance>;

		/// Hard upper limit of the withdrawal delay.
		#[pallet::constant]
		type MaxWithdrawDelay: Get<BlockNumberFor<Self>>;

		/// Hard upper limit of the withdrawal window.
		#[pallet::constant]
		type MaxWithdrawWindow: Get<BlockNumberFor<Self>>;

		/// Blocks per year: converts tenors into years for the pricing.
		#[pallet::constant]
		type BlocksPerYear: Get<u32>;

		/// Weights of this pallet's calls, hook and pricing function.
		type WeightInfo: WeightInfo;

		/// What the benchmarks need from the rest of the runtime.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper<Self::AccountId>;
	}

	/// The vault's ledger.
	#[pallet::storage]
	pub type Vault<T: Config> = StorageValue<_, VaultState, ValueQuery>;

	/// Underwriters' positions.
	#[pallet::storage]
	pub type Underwriters<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, Underwriter<BlockNumberFor<T>>, OptionQuery>;

	/// The templates (listing rules). At most `MaxTemplates`.
	#[pallet::storage]
	pub type Templates<T: Config> =
		CountedStorageMap<_, Twox64Concat, TemplateId, Template<BlockNumberFor<T>>, OptionQuery>;

	/// The id the next template gets.
	#[pallet::storage]
	pub type NextTemplateId<T: Config> = StorageValue<_, TemplateId, ValueQuery>;

	/// The series each template listed last, while it is not expired.
	#[pallet::storage]
	pub type Listed<T: Config> = StorageMap<_, Twox64Concat, TemplateId, SeriesId, OptionQuery>;

	/// The listed series (open or awaiting settlement). At most `MaxSeries`.
	#[pallet::storage]
	pub type SeriesOf<T: Config> =
		CountedStorageMap<_, Twox64Concat, SeriesId, Series<BlockNumberFor<T>>, OptionQuery>;

	/// The id the next series gets.
	#[pallet::storage]
	pub type NextSeriesId<T: Config> = StorageValue<_, SeriesId, ValueQuery>;

	/// The pricing parameters.
	#[pallet::storage]
	pub type Pricing<T: Config> = StorageValue<_, PricingParams, ValueQuery>;

	/// The skew curve, by increasing log-moneyness (empty: a flat
	/// multiplier of one).
	#[pallet::storage]
	pub type Skew<T: Config> = StorageValue<_, BoundedVec<SkewPoint, T::MaxSkewPoints>, ValueQuery>;

	/// The purchase policy (`None`: none set, the keeper call buys nothing).
	#[pallet::storage]
	pub type Policy<T: Config> = StorageValue<_, PurchasePolicy<BlockNumberFor<T>>, OptionQuery>;

	/// The budget of the current period.
	#[pallet::storage]
	pub type Budget<T: Config> = StorageValue<_, BudgetState<BlockNumberFor<T>>, ValueQuery>;

	/// The vault's parameters (`None` before genesis: the defaults of
	/// [`Pallet::vault_params`]).
	#[pallet::storage]
	pub type VaultConfig<T: Config> = StorageValue<_, VaultParams<BlockNumberFor<T>>, OptionQuery>;

	/// When each governed parameter last changed.
	#[pallet::storage]
	pub type ParamChangedAt<T: Config> =
		StorageMap<_, Blake2_128Concat, ParamKey, BlockNumberFor<T>, OptionQuery>;

	/// Events of the options backstop.
	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// An underwriter deposited into the vault.
		Deposited {
			/// The underwriter.
			who: T::AccountId,
			/// The amount credited to the vault.
			amount: Balance,
			/// The shares minted.
			shares: Balance,
			/// The net asset value per share the deposit was priced at.
			share_price: FixedU128,
		},
		/// An underwriter asked to withdraw shares.
		WithdrawRequested {
			/// The underwriter.
			who: T::AccountId,
			/// The shares under the request now (top-ups included).
			shares: Balance,
			/// The price per share the payout is capped at.
			share_price: FixedU128,
			/// The first block it can be withdrawn in.
			unlocks_at: BlockNumberFor<T>,
		},
		/// An underwriter cancelled its withdrawal request.
		WithdrawalCancelled {
			/// The underwriter.
			who: T::AccountId,
			/// The shares no longer requested.
			shares: Balance,
		},
		/// An underwriter withdrew.
		Withdrawn {
			/// The underwriter.
			who: T::AccountId,
			/// The shares burned.
			shares: Balance,
			/// The amount paid, at the lower of the request's and today's
			/// price per share.
			amount: Balance,
		},
		/// A series was listed.
		SeriesListed {
			/// The series.
			series: SeriesId,
			/// Its template.
			template: TemplateId,
			/// The asset.
			asset: OracleAssetId,
			/// The long strike.
			strike_high: Price,
			/// The short strike.
			strike_low: Price,
			/// The expiry block.
			expiry: BlockNumberFor<T>,
		},
		/// The fund bought put spreads from the vault.
		ProtectionBought {
			/// The series.
			series: SeriesId,
			/// The spreads bought, in millionths of the base asset.
			size: u128,
			/// The premium paid into the vault.
			premium: Balance,
			/// The collateral locked for them.
			collateral: Balance,
			/// The implied volatility of the long strike.
			iv_high: FixedU128,
			/// The implied volatility of the short strike.
			iv_low: FixedU128,
			/// Whether the purchase policy bought (or governance directly).
			by_policy: bool,
		},
		/// A series was settled at expiry and removed.
		SeriesSettled {
			/// The series.
			series: SeriesId,
			/// The settlement price (time-average of the EMA over the
			/// settlement window).
			price: Price,
			/// What the fund was paid.
			payout: Balance,
			/// The collateral released.
			released: Balance,
		},
		/// Spreads were exercised early at intrinsic value while the fund was
		/// below its floor.
		ExercisedEarly {
			/// The series.
			series: SeriesId,
			/// The spreads exercised.
			size: u128,
			/// The exercise price: the higher of spot and EMA.
			price: Price,
			/// What the fund was paid.
			payout: Balance,
			/// The collateral released.
			released: Balance,
		},
		/// Governance added a template.
		TemplateAdded {
			/// The template.
			template: TemplateId,
			/// Its terms.
			terms: Template<BlockNumberFor<T>>,
		},
		/// Governance removed a template (its listed series stay until
		/// settled).
		TemplateRemoved {
			/// The template.
			template: TemplateId,
		},
		/// Governance set the pricing parameters.
		PricingSet {
			/// The new parameters.
			params: PricingParams,
		},
		/// Governance set the skew curve.
		SkewSet {
			/// The number of points.
			points: u32,
		},
		/// Governance set the purchase policy.
		PolicySet {
			/// The new policy.
			policy: PurchasePolicy<BlockNumberFor<T>>,
		},
		/// Governance set the vault's parameters.
		VaultParamsSet {
			/// The new parameters.
			params: VaultParams<BlockNumberFor<T>>,
		},
	}

	/// Errors of the options backstop.
	#[pallet::error]
	pub enum Error<T> {
		/// The amount, size or number of shares is zero.
		ZeroAmount,
		/// The deposit is below the minimum deposit.
		BelowMinDeposit,
		/// The deposit would mint no shares.
		DepositTooSmall,
		/// The underwriter does not hold that many unrequested shares.
		InsufficientShares,
		/// No withdrawal request, or it covers fewer shares.
		NoWithdrawRequest,
		/// The request's delay has not passed, or its window has.
		WithdrawalLocked,
		/// The withdrawal would pay nothing.
		WithdrawalTooSmall,
		/// The vault's free cash (not locked for open spreads) cannot bear
		/// the withdrawal or the sale.
		InsufficientFreeCollateral,
		/// The vault's net asset value is zero with shares in issue.
		VaultInsolvent,
		/// A price needed is unavailable (unknown, stale or held).
		PriceUnavailable,
		/// The pricing overflowed or was given invalid terms.
		PricingFailed,
		/// No such series.
		UnknownSeries,
		/// The series is in its settlement window or expired: no sales.
		SeriesClosed,
		/// The series has not expired yet.
		NotExpired,
		/// The series has expired: settle it instead.
		AlreadyExpired,
		/// The premium is above the caller's maximum.
		PremiumTooHigh,
		/// There is no buyer.
		NoBuyer,
		/// The buyer is not below its floor: no early exercise.
		NotBelowFloor,
		/// The spreads are out of the money at the exercise price.
		OutOfTheMoney,
		/// More than the fund holds in the series.
		ExceedsOpen,
		/// The purchase policy is unset or disabled.
		PolicyDisabled,
		/// The purchase policy had nothing to buy (targets met, no budget,
		/// no collateral, or the fund below its floor).
		NothingToBuy,
		/// No such template.
		UnknownTemplate,
		/// `MaxTemplates` templates exist already.
		TooManyTemplates,
		/// The template's strikes, tenor or asset are invalid.
		InvalidTemplate,
		/// A pricing parameter is out of its hard range (floor above cap,
		/// zero floor, above `MaxVol` or `MaxVolScale`).
		InvalidPricing,
		/// The skew curve is not strictly increasing in log-moneyness, has a
		/// zero multiplier or one above `MaxSkewMultiplier`, or too many
		/// points.
		InvalidSkew,
		/// The policy's period is zero or above `MaxBudgetPeriod`, its
		/// premium cap above `MaxPremiumPerPeriod`, or its stress drop zero.
		InvalidPolicy,
		/// A vault parameter is out of its hard range.
		InvalidVaultParams,
		/// The guardian may only tighten.
		GuardianCannotLoosen,
		/// A numeric parameter moved by more than `MaxParamStep`.
		StepTooLarge,
		/// The same parameter changed less than `MinChangeInterval` ago.
		ChangeTooSoon,
		/// A ledger would overflow.
		Overflow,
		/// The pallet account holds less than the ledger says
		/// (reconciliation failure; should never happen).
		LedgerExceedsAccount,
	}

	/// Genesis: parameters, templates, underwriters' liquidity (minted into
	/// the vault at a price of one) and explicitly listed first series.
	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// The pricing parameters (the defaults of [`PricingParams`] if
		/// `None`).
		pub pricing: Option<PricingParams>,
		/// The skew curve.
		pub skew: Vec<SkewPoint>,
		/// The purchase policy.
		pub policy: Option<PurchasePolicy<BlockNumberFor<T>>>,
		/// The vault parameters.
		pub vault: Option<VaultParams<BlockNumberFor<T>>>,
		/// Templates.
		pub templates: Vec<Template<BlockNumberFor<T>>>,
		/// Underwriters and what is minted into the vault for each.
		pub underwriters: Vec<(T::AccountId, Balance)>,
		/// Series listed at genesis: template index, strikes, expiry.
		pub series: Vec<(TemplateId, Price, Price, BlockNumberFor<T>)>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			Pallet::<T>::do_build_genesis(self);
		}
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		/// Samples the settlement price of series in their settlement window
		/// and lists a new series for every template without a live one: at
		/// most `MaxSeries` and `MaxTemplates` steps.
		fn on_initialize(now: BlockNumberFor<T>) -> Weight {
			Self::do_on_initialize(now)
		}

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
		/// Deposits `amount` into the vault for shares at the net asset value
		/// per share, rounded down.
		#[pallet::call_index(0)]
		pub fn deposit(origin: OriginFor<T>, amount: Balance) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_deposit(&who, amount)
		}

		/// Asks to withdraw `shares` after the withdrawal delay, within the
		/// window, at the lower of today's and the withdrawal's price.
		#[pallet::call_index(1)]
		pub fn request_withdraw(origin: OriginFor<T>, shares: Balance) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_request_withdraw(&who, shares)
		}

		/// Cancels the caller's withdrawal request.
		#[pallet::call_index(2)]
		pub fn cancel_withdraw(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_cancel_withdraw(&who)
		}

		/// Burns `shares` under the caller's unlocked request and pays them
		/// out of the vault's free cash.
		#[pallet::call_index(3)]
		pub fn withdraw(origin: OriginFor<T>, shares: Balance) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_withdraw(&who, shares)
		}

		/// Runs the purchase policy (permissionless keeper call): buys, for
		/// every template's live series, what brings the fund's payout at
		/// the stress drop to the template's target, within the period's
		/// budget and the vault's free collateral.
		#[pallet::call_index(4)]
		pub fn execute_policy(origin: OriginFor<T>) -> DispatchResult {
			ensure_signed(origin)?;
			Self::do_execute_policy()
		}

		/// Settles an expired series (permissionless): pays the fund the
		/// spread payoff at the settlement price and releases the collateral.
		#[pallet::call_index(5)]
		pub fn settle(origin: OriginFor<T>, series: SeriesId) -> DispatchResult {
			ensure_signed(origin)?;
			Self::do_settle(series)
		}

		/// Exercises `size` of the fund's spreads in `series` early at
		/// intrinsic value (permissionless), only while the fund is below its
		/// floor.
		#[pallet::call_index(6)]
		pub fn exercise_early(
			origin: OriginFor<T>,
			series: SeriesId,
			size: u128,
		) -> DispatchResult {
			ensure_signed(origin)?;
			Self::do_exercise_early(series, size)
		}

		/// Governance buys `size` spreads of `series` for the fund, paying at
		/// most `max_premium`.
		#[pallet::call_index(7)]
		pub fn buy_protection(
			origin: OriginFor<T>,
			series: SeriesId,
			size: u128,
			max_premium: Balance,
		) -> DispatchResult {
			let authority = T::AdminOrigin::ensure_origin(origin)?;
			Self::do_buy_protection(authority, series, size, max_premium)
		}

		/// Adds a template.
		#[pallet::call_index(8)]
		pub fn add_template(
			origin: OriginFor<T>,
			terms: Template<BlockNumberFor<T>>,
		) -> DispatchResult {
			let authority = T::AdminOrigin::ensure_origin(origin)?;
			Self::do_add_template(authority, terms)
		}

		/// Removes a template; its listed series stay until settled.
		#[pallet::call_index(9)]
		pub fn remove_template(origin: OriginFor<T>, template: TemplateId) -> DispatchResult {
			let authority = T::AdminOrigin::ensure_origin(origin)?;
			Self::do_remove_template(authority, template)
		}

		/// Sets the pricing parameters.
		#[pallet::call_index(10)]
		pub fn set_pricing(origin: OriginFor<T>, params: PricingParams) -> DispatchResult {
			let authority = T::AdminOrigin::ensure_origin(origin)?;
			Self::do_set_pricing(authority, params)
		}

		/// Sets the skew curve.
		#[pallet::call_index(11)]
		pub fn set_skew(
			origin: OriginFor<T>,
			points: BoundedVec<SkewPoint, T::MaxSkewPoints>,
		) -> DispatchResult {
			let authority = T::AdminOrigin::ensure_origin(origin)?;
			Self::do_set_skew(authority, points)
		}

		/// Sets the purchase policy.
		#[pallet::call_index(12)]
		pub fn set_policy(
			origin: OriginFor<T>,
			policy: PurchasePolicy<BlockNumberFor<T>>,
		) -> DispatchResult {
			let authority = T::AdminOrigin::ensure_origin(origin)?;
			Self::do_set_policy(authority, policy)
		}

		/// Sets the vault's parameters.
		#[pallet::call_index(13)]
		pub fn set_vault_params(
			origin: OriginFor<T>,
			params: VaultParams<BlockNumberFor<T>>,
		) -> DispatchResult {
			let authority = T::AdminOrigin::ensure_origin(origin)?;
			Self::do_set_vault_params(authority, params)
		}
	}
}
