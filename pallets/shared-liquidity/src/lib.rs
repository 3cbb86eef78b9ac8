#![doc = include_str!("../README.md")]
#![cfg_attr(not(feature = "std"), no_std)]
#![deny(missing_docs)]

extern crate alloc;

pub use pallet::*;

mod accounting_impls;
mod dispatchable_impls;
mod provider_impls;
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

/// The log target of this pallet.
const LOG_TARGET: &str = "runtime::shared-liquidity";

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use alloc::vec::Vec;
	use backstop_primitives::{Balance, LossTier, MarketId};
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

	/// Configuration of the shared liquidity pool.
	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// The settlement asset the pool is held in.
		type Currency: fungible::Inspect<Self::AccountId, Balance = Balance>
			+ fungible::Mutate<Self::AccountId>;

		/// The origin that registers protocols and sets every parameter.
		type AdminOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// The identifier of the account that holds the pool.
		#[pallet::constant]
		type PalletId: Get<PalletId>;

		/// The most protocols that may be registered at once.
		#[pallet::constant]
		type MaxProtocols: Get<u32>;

		/// The most pending withdrawal requests one liquidity provider may
		/// have at once.
		#[pallet::constant]
		type MaxWithdrawRequests: Get<u32>;

		/// Hard upper limit of any protocol's credit cap.
		#[pallet::constant]
		type MaxCreditCap: Get<Balance>;

		/// Hard upper limit of any protocol's loss cap.
		#[pallet::constant]
		type MaxLossCap: Get<Balance>;

		/// Hard upper limit of any protocol's yearly base borrow rate.
		#[pallet::constant]
		type MaxBaseRate: Get<Permill>;

		/// Hard upper limit of any protocol's yearly borrow-rate slope. The
		/// sum `MaxBaseRate + MaxRateSlope` may not exceed 100%.
		#[pallet::constant]
		type MaxRateSlope: Get<Permill>;

		/// Hard upper limit of the minimum deposit.
		#[pallet::constant]
		type MaxMinDeposit: Get<Balance>;

		/// Hard upper limit of the withdrawal delay.
		#[pallet::constant]
		type MaxWithdrawDelay: Get<BlockNumberFor<Self>>;

		/// Blocks per year: converts the yearly borrow rates into fees per
		/// block.
		#[pallet::constant]
		type BlocksPerYear: Get<u32>;

		/// Weights of this pallet's calls and trait entry points.
		type WeightInfo: WeightInfo;
	}

	/// The pool's ledger: assets, shares, capacity drawn and lent, and the
	/// utilization index the borrow fees are computed from.
	#[pallet::storage]
	pub type Pool<T: Config> = StorageValue<_, PoolState<BlockNumberFor<T>>, ValueQuery>;

	/// The registered protocols and their credit lines. At most
	/// `MaxProtocols` entries; keys are chosen by governance only.
	#[pallet::storage]
	pub type Protocols<T: Config> = CountedStorageMap<
		_,
		Blake2_128Concat,
		ProtocolId<T::AccountId>,
		Protocol<BlockNumberFor<T>>,
		OptionQuery,
	>;

	/// The position of each liquidity provider: shares and pending
	/// withdrawal requests. A position of an earlier pool generation holds
	/// no shares (see `PoolState::generation`).
	#[pallet::storage]
	pub type Positions<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, LpPosition<T>, OptionQuery>;

	/// The smallest amount `deposit` accepts.
	#[pallet::storage]
	pub type MinDeposit<T: Config> = StorageValue<_, Balance, ValueQuery>;

	/// Blocks between a withdrawal request and the withdrawal; zero: no
	/// requests, withdrawals at once.
	#[pallet::storage]
	pub type WithdrawDelay<T: Config> = StorageValue<_, BlockNumberFor<T>, ValueQuery>;

	/// Events of the shared liquidity pool.
	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A liquidity provider deposited into the pool.
		Deposited {
			/// The liquidity provider.
			who: T::AccountId,
			/// The amount credited to the pool.
			amount: Balance,
			/// The shares minted for it.
			shares: Balance,
		},
		/// A liquidity provider asked to withdraw shares after the delay.
		WithdrawRequested {
			/// The liquidity provider.
			who: T::AccountId,
			/// The shares requested (still exposed to the pool's profit and
			/// loss until withdrawn).
			shares: Balance,
			/// The first block in which they can be withdrawn under the
			/// current delay.
			unlocks_at: BlockNumberFor<T>,
		},
		/// A liquidity provider cancelled all its withdrawal requests.
		WithdrawalsCancelled {
			/// The liquidity provider.
			who: T::AccountId,
			/// The shares no longer requested.
			shares: Balance,
		},
		/// A liquidity provider withdrew from the pool.
		Withdrawn {
			/// The liquidity provider.
			who: T::AccountId,
			/// The shares burned.
			shares: Balance,
			/// The amount paid out for them.
			amount: Balance,
		},
		/// The pool had lost all its assets while shares were still in
		/// issue; a deposit started a new generation in which those shares
		/// are worth nothing.
		PoolReset {
			/// The new generation.
			generation: u32,
			/// The shares of the previous generation, now void.
			void_shares: Balance,
		},
		/// Governance registered a protocol.
		ProtocolRegistered {
			/// The protocol.
			protocol: ProtocolId<T::AccountId>,
			/// Its terms.
			terms: ProtocolTerms,
		},
		/// Governance changed a protocol's terms.
		ProtocolTermsSet {
			/// The protocol.
			protocol: ProtocolId<T::AccountId>,
			/// The new terms.
			terms: ProtocolTerms,
		},
		/// Governance changed a protocol's status.
		ProtocolStatusChanged {
			/// The protocol.
			protocol: ProtocolId<T::AccountId>,
			/// The status before.
			from: ProtocolStatus,
			/// The status now.
			to: ProtocolStatus,
		},
		/// A protocol's cumulative losses reached its loss cap: it was frozen
		/// automatically and can draw no more.
		ProtocolFrozen {
			/// The protocol.
			protocol: ProtocolId<T::AccountId>,
			/// Its cumulative losses.
			losses: Balance,
			/// Its loss cap.
			loss_cap: Balance,
		},
		/// Governance removed a retired protocol.
		ProtocolDeregistered {
			/// The protocol.
			protocol: ProtocolId<T::AccountId>,
		},
		/// A protocol drew capacity from the pool.
		CapacityDrawn {
			/// The protocol.
			protocol: ProtocolId<T::AccountId>,
			/// The amount drawn.
			amount: Balance,
			/// The protocol's drawn capacity now.
			drawn: Balance,
		},
		/// A market released capacity it had drawn.
		CapacityReleased {
			/// The protocol.
			protocol: ProtocolId<T::AccountId>,
			/// The amount released.
			amount: Balance,
			/// The protocol's drawn capacity now.
			drawn: Balance,
		},
		/// An external protocol repaid credit.
		CreditRepaid {
			/// The protocol.
			protocol: ProtocolId<T::AccountId>,
			/// The part that paid borrow fees (income of the pool).
			fees: Balance,
			/// The part that repaid drawn principal.
			principal: Balance,
		},
		/// Borrow fees accrued on a protocol's drawn capacity.
		FeesAccrued {
			/// The protocol.
			protocol: ProtocolId<T::AccountId>,
			/// The fees accrued since the protocol was last touched.
			amount: Balance,
			/// The fees it owes now.
			fees_owed: Balance,
		},
		/// A market paid a trader's realised profit out of the pool.
		ProfitPaid {
			/// The market.
			market: MarketId,
			/// The account paid.
			to: T::AccountId,
			/// The amount paid.
			amount: Balance,
		},
		/// A market paid a trader's realised loss or the pool's fee share
		/// into the pool.
		Collected {
			/// The market.
			market: MarketId,
			/// The account the amount came from.
			from: T::AccountId,
			/// The amount credited to the pool.
			amount: Balance,
			/// The part that settled borrow fees the market owed.
			fees_settled: Balance,
			/// The part that recouped earlier profit payouts (debt).
			debt_settled: Balance,
		},
		/// The pool covered part of a market's bad debt.
		LossAbsorbed {
			/// The tier of the loss waterfall (always the shared liquidity).
			tier: LossTier,
			/// The market of the loss.
			market: MarketId,
			/// The loss handed to the pool.
			loss: Balance,
			/// What the pool covered (paid to `beneficiary`).
			covered: Balance,
			/// What is left for the next tier.
			uncovered: Balance,
			/// The account paid.
			beneficiary: T::AccountId,
		},
		/// The pool's payment towards a loss failed: it covered nothing and
		/// the amount flowed on.
		AbsorbFailed {
			/// The tier of the loss waterfall (always the shared liquidity).
			tier: LossTier,
			/// The market of the loss.
			market: MarketId,
			/// What the pool would have paid.
			amount: Balance,
			/// Why the transfer failed.
			error: DispatchError,
		},
		/// Governance wrote off what a protocol owed.
		WrittenOff {
			/// The protocol.
			protocol: ProtocolId<T::AccountId>,
			/// Borrow fees forgiven (never counted in the pool's assets).
			fees_forgiven: Balance,
			/// Principal (external protocol) or debt (market) written off,
			/// added to the protocol's losses.
			debt_written_off: Balance,
		},
		/// Governance set the minimum deposit.
		MinDepositSet {
			/// The new minimum.
			amount: Balance,
		},
		/// Governance set the withdrawal delay.
		WithdrawDelaySet {
			/// The new delay in blocks.
			blocks: BlockNumberFor<T>,
		},
		/// The pallet account had lost its existential buffer; the first part
		/// of an inflow restored it and was not credited to the pool.
		BufferRestored {
			/// What went to the buffer.
			amount: Balance,
		},
	}

	/// Errors of the shared liquidity pool.
	#[pallet::error]
	pub enum Error<T> {
		/// The amount (or number of shares) is zero.
		ZeroAmount,
		/// The deposit is below the minimum deposit.
		BelowMinDeposit,
		/// The deposit would mint no shares.
		DepositTooSmall,
		/// The liquidity provider does not hold that many (unrequested)
		/// shares.
		InsufficientShares,
		/// The shares are not under a matured withdrawal request.
		WithdrawalLocked,
		/// The withdrawal would pay nothing.
		WithdrawalTooSmall,
		/// The pool's free liquidity (assets not drawn by protocols) cannot
		/// bear the withdrawal or draw.
		InsufficientFreeLiquidity,
		/// There is no withdrawal delay: withdraw directly.
		NoWithdrawDelay,
		/// The liquidity provider has `MaxWithdrawRequests` requests already.
		TooManyWithdrawRequests,
		/// The liquidity provider has no withdrawal request.
		NoWithdrawRequests,
		/// The protocol is not registered.
		UnknownProtocol,
		/// The protocol is registered already.
		ProtocolExists,
		/// `MaxProtocols` protocols are registered already.
		TooManyProtocols,
		/// The protocol is frozen: no new draws.
		ProtocolFrozen,
		/// The protocol is retired.
		ProtocolRetired,
		/// The draw would take the protocol's credit above its cap.
		CreditCapExceeded,
		/// A market paid out more than the capacity it has drawn.
		ExceedsDrawn,
		/// The repayment or write-off is more than the protocol owes.
		ExceedsDebt,
		/// The protocol's losses have reached its loss cap: raise the cap to
		/// reactivate it.
		LossCapReached,
		/// The protocol still owes the pool (drawn capacity, fees or debt).
		HasObligations,
		/// Only a retired protocol can be deregistered.
		NotRetired,
		/// The protocol has that status already.
		StatusUnchanged,
		/// The credit cap is above `MaxCreditCap`.
		CreditCapTooHigh,
		/// The loss cap is above `MaxLossCap`.
		LossCapTooHigh,
		/// The base rate is above `MaxBaseRate`.
		BaseRateTooHigh,
		/// The rate slope is above `MaxRateSlope`.
		RateSlopeTooHigh,
		/// The minimum deposit is above `MaxMinDeposit`.
		MinDepositTooHigh,
		/// The withdrawal delay is above `MaxWithdrawDelay`.
		WithdrawDelayTooLong,
		/// The pallet account lacks its existential buffer and the inflow is
		/// too small to restore it.
		BufferMissing,
		/// A ledger would overflow.
		Overflow,
		/// The pallet account holds less than the ledgers say (reconciliation
		/// failure; should never happen).
		LedgerExceedsAccount,
	}

	/// Genesis: parameters, liquidity seeded by minting into the pallet
	/// account, and protocols registered with their terms. The build always
	/// mints the existential buffer.
	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// The minimum deposit.
		pub min_deposit: Balance,
		/// The withdrawal delay in blocks.
		pub withdraw_delay: BlockNumberFor<T>,
		/// Liquidity providers and the amount minted into the pool for each;
		/// each gets shares at a price of one.
		pub liquidity: Vec<(T::AccountId, Balance)>,
		/// This chain's markets registered as protocols, with their terms.
		pub markets: Vec<(MarketId, ProtocolTerms)>,
		/// External protocols (by account) registered, with their terms.
		pub external_protocols: Vec<(T::AccountId, ProtocolTerms)>,
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
		/// Deposits `amount` of the settlement asset from the caller into the
		/// pool and mints shares at the current share price, rounded down.
		#[pallet::call_index(0)]
		pub fn deposit(origin: OriginFor<T>, amount: Balance) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_deposit(&who, amount)
		}

		/// Asks to withdraw `shares` once the withdrawal delay has passed.
		/// Only while a delay is set. The shares stay in the pool, exposed
		/// to its profit and loss, until withdrawn.
		#[pallet::call_index(1)]
		pub fn request_withdraw(origin: OriginFor<T>, shares: Balance) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_request_withdraw(&who, shares)
		}

		/// Burns `shares` and pays their value at the current share price,
		/// rounded down, out of the pool's free liquidity. With a withdrawal
		/// delay, only shares under matured requests can be withdrawn.
		#[pallet::call_index(2)]
		pub fn withdraw(origin: OriginFor<T>, shares: Balance) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_withdraw(&who, shares)
		}

		/// Cancels all the caller's withdrawal requests.
		#[pallet::call_index(3)]
		pub fn cancel_withdrawals(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_cancel_withdrawals(&who)
		}

		/// Draws `amount` of credit for the external protocol that signs:
		/// the funds move from the pool to its account.
		#[pallet::call_index(4)]
		pub fn draw_credit(origin: OriginFor<T>, amount: Balance) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_draw_credit(&who, amount)
		}

		/// Repays `amount` to the pool for the external protocol that signs:
		/// owed fees first, then drawn principal.
		#[pallet::call_index(5)]
		pub fn repay_credit(origin: OriginFor<T>, amount: Balance) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_repay_credit(&who, amount)
		}

		/// Registers `protocol` with `terms`, active.
		#[pallet::call_index(6)]
		pub fn register_protocol(
			origin: OriginFor<T>,
			protocol: ProtocolId<T::AccountId>,
			terms: ProtocolTerms,
		) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			Self::do_register_protocol(protocol, terms)
		}

		/// Sets the terms of `protocol`. Fees accrued so far are charged at
		/// the old rates. A loss cap at or below the losses so far freezes an
		/// active protocol.
		#[pallet::call_index(7)]
		pub fn set_protocol_terms(
			origin: OriginFor<T>,
			protocol: ProtocolId<T::AccountId>,
			terms: ProtocolTerms,
		) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			Self::do_set_protocol_terms(protocol, terms)
		}

		/// Sets the status of `protocol`: freeze, unfreeze (only below the
		/// loss cap) or retire (only without obligations).
		#[pallet::call_index(8)]
		pub fn set_protocol_status(
			origin: OriginFor<T>,
			protocol: ProtocolId<T::AccountId>,
			status: ProtocolStatus,
		) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			Self::do_set_protocol_status(protocol, status)
		}

		/// Removes a retired protocol, freeing its slot.
		#[pallet::call_index(9)]
		pub fn deregister_protocol(
			origin: OriginFor<T>,
			protocol: ProtocolId<T::AccountId>,
		) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			Self::do_deregister_protocol(protocol)
		}

		/// Writes off `amount` of what `protocol` owes: fees first
		/// (forgiven), then the principal of an external protocol or the debt
		/// of a market, which counts as a loss of the protocol.
		#[pallet::call_index(10)]
		pub fn write_off(
			origin: OriginFor<T>,
			protocol: ProtocolId<T::AccountId>,
			amount: Balance,
		) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			Self::do_write_off(protocol, amount)
		}

		/// Sets the minimum deposit.
		#[pallet::call_index(11)]
		pub fn set_min_deposit(origin: OriginFor<T>, amount: Balance) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			Self::do_set_min_deposit(amount)
		}

		/// Sets the withdrawal delay; it applies to pending requests too.
		#[pallet::call_index(12)]
		pub fn set_withdraw_delay(
			origin: OriginFor<T>,
			blocks: BlockNumberFor<T>,
		) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			Self::do_set_withdraw_delay(blocks)
		}
	}
}
