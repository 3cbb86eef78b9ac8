#![doc = include_str!("../README.md")]
#![cfg_attr(not(feature = "std"), no_std)]
#![deny(missing_docs)]

extern crate alloc;

pub use pallet::*;

mod accounting_impls;
mod dispatchable_impls;
mod governance_impls;
pub mod migrations;
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

/// What the benchmarks need from the runtime they run in.
///
/// The pool prices every deposit and withdrawal at net asset value, which
/// reads the markets' exposure through `Config::Exposure`; in a runtime that
/// is the margin pallet, whose cost depends on its markets and positions. The
/// benchmarks call [`BenchmarkHelper::prepare_exposure`] once the pool holds
/// liquidity, so that those reads are measured at their worst.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper {
	/// Puts the markets' exposure against the pool in the state that is most
	/// expensive to read (every market the exposure source allows, with open
	/// positions and a usable price), leaving the exposure readable and the
	/// pool's net asset value positive. The `()` implementation does nothing.
	fn prepare_exposure();
}

#[cfg(feature = "runtime-benchmarks")]
impl BenchmarkHelper for () {
	fn prepare_exposure() {}
}

/// The log target of this pallet.
const LOG_TARGET: &str = "runtime::shared-liquidity";

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use alloc::vec::Vec;
	use backstop_primitives::{
		governance::Authority, Balance, CounterpartyExposure, LossTier, MarketId, RevenueSink,
	};
	use frame_support::{
		pallet_prelude::*,
		traits::{fungible, BuildGenesisConfig},
		PalletId,
	};
	use frame_system::pallet_prelude::*;
	use sp_runtime::{
		traits::{One, Zero},
		FixedU128, Permill,
	};

	/// The in-code storage version.
	pub(crate) const STORAGE_VERSION: StorageVersion = StorageVersion::new(2);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Configuration of the shared liquidity pool.
	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// The settlement asset the pool is held in.
		type Currency: fungible::Inspect<Self::AccountId, Balance = Balance>
			+ fungible::Mutate<Self::AccountId>;

		/// The origin that registers protocols and sets every parameter. Its
		/// success value tells the authority apart (Root, the risk track, the
		/// guardian): see the README's "Governance" section for what each may
		/// change.
		type AdminOrigin: EnsureOrigin<Self::RuntimeOrigin, Success = Authority>;

		/// Largest relative step of one numeric parameter per change by the
		/// risk track or the guardian (`|new - old| <= MaxParamStep * old`).
		/// Positive.
		#[pallet::constant]
		type MaxParamStep: Get<Permill>;

		/// Fewest blocks between two bounded changes of the same parameter,
		/// counted from its last change by any authority.
		#[pallet::constant]
		type MinChangeInterval: Get<BlockNumberFor<Self>>;

		/// The markets' exposure against the pool (traders' unrealized PnL
		/// and the money the markets hold for the pool): what the pool's net
		/// asset value is computed from.
		type Exposure: CounterpartyExposure;

		/// Where an unsolicited transfer to the pallet account is swept to
		/// (the insurance fund).
		type ExcessSink: RevenueSink<Self::AccountId>;

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

		/// Hard upper limit of the withdrawal delay (which is never zero).
		#[pallet::constant]
		type MaxWithdrawDelay: Get<BlockNumberFor<Self>>;

		/// Hard upper limit of the withdrawal window (which is never zero).
		#[pallet::constant]
		type MaxWithdrawWindow: Get<BlockNumberFor<Self>>;

		/// Hard upper limit of an external protocol's credit term, in blocks.
		#[pallet::constant]
		type MaxCreditTerm: Get<u32>;

		/// Blocks per year: converts the yearly borrow rates into fees per
		/// block.
		#[pallet::constant]
		type BlocksPerYear: Get<u32>;

		/// Weights of this pallet's calls and trait entry points.
		type WeightInfo: WeightInfo;

		/// What the benchmarks need from the rest of the runtime: the
		/// markets' exposure in its most expensive state to read.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper;
	}

	/// The pool's ledger: cash, shares, cash reserved by markets, principal
	/// lent, and the utilization index the borrow fees are computed from.
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
	/// withdrawal requests.
	#[pallet::storage]
	pub type Positions<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, LpPosition<T>, OptionQuery>;

	/// The smallest amount `deposit` accepts.
	#[pallet::storage]
	pub type MinDeposit<T: Config> = StorageValue<_, Balance, ValueQuery>;

	/// Blocks between a withdrawal request and the first block it can be
	/// withdrawn in. Never zero once the genesis is built.
	#[pallet::storage]
	pub type WithdrawDelay<T: Config> = StorageValue<_, BlockNumberFor<T>, ValueQuery>;

	/// Blocks, from the end of the delay, during which a request can be
	/// withdrawn; after them it lapses. Never zero once the genesis is built.
	#[pallet::storage]
	pub type WithdrawWindow<T: Config> = StorageValue<_, BlockNumberFor<T>, ValueQuery>;

	/// The block each governed parameter last changed in, by any authority:
	/// the minimum interval of the risk track and the guardian runs from it.
	/// Three pool entries and at most two per registered protocol
	/// (`ParamKey::Terms`, `ParamKey::Status`); deregistering a protocol
	/// removes its entries.
	#[pallet::storage]
	pub type ParamChangedAt<T: Config> =
		StorageMap<_, Blake2_128Concat, ParamKey<T::AccountId>, BlockNumberFor<T>, OptionQuery>;

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
			/// The net asset value per share the deposit was priced at.
			share_price: FixedU128,
		},
		/// A liquidity provider asked to withdraw shares.
		WithdrawRequested {
			/// The liquidity provider.
			who: T::AccountId,
			/// The shares requested (still exposed to the pool's profit and
			/// loss until withdrawn).
			shares: Balance,
			/// The net asset value per share now: the payout is at most this.
			share_price: FixedU128,
			/// The first block in which they can be withdrawn.
			unlocks_at: BlockNumberFor<T>,
			/// The first block in which the request has lapsed.
			lapses_at: BlockNumberFor<T>,
		},
		/// Withdrawal requests whose window had passed were dropped; their
		/// shares are no longer requested.
		WithdrawRequestsLapsed {
			/// The liquidity provider.
			who: T::AccountId,
			/// The shares no longer requested.
			shares: Balance,
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
		/// A protocol's cumulative losses reached its loss cap, or its
		/// principal was written off: it was frozen and can draw no more.
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
		/// A market's cash reservation changed.
		ReserveChanged {
			/// The market.
			market: MarketId,
			/// The open-interest notional the market reported.
			open_interest: Balance,
			/// The cash reserved for it now.
			reserved: Balance,
		},
		/// An external protocol drew credit: the cash moved to its account.
		CreditDrawn {
			/// The protocol.
			protocol: ProtocolId<T::AccountId>,
			/// The amount drawn.
			amount: Balance,
			/// Its outstanding principal now.
			drawn: Balance,
			/// The block by which the principal must be repaid.
			due_at: BlockNumberFor<T>,
		},
		/// An external protocol repaid credit.
		CreditRepaid {
			/// The protocol.
			protocol: ProtocolId<T::AccountId>,
			/// The part that paid borrow fees (income of the pool).
			fees: Balance,
			/// The part that repaid principal.
			principal: Balance,
		},
		/// Borrow fees accrued on an external protocol's principal.
		FeesAccrued {
			/// The protocol.
			protocol: ProtocolId<T::AccountId>,
			/// The fees accrued since the protocol was last touched.
			amount: Balance,
			/// The fees it owes now.
			fees_owed: Balance,
		},
		/// A market paid traders' realised profit out of the pool's cash.
		ProfitPaid {
			/// The market.
			market: MarketId,
			/// The account paid (the market's).
			to: T::AccountId,
			/// The amount paid.
			amount: Balance,
		},
		/// A market handed over what it held for the pool.
		Collected {
			/// The market.
			market: MarketId,
			/// The account the amount came from.
			from: T::AccountId,
			/// The amount credited to the pool's cash.
			amount: Balance,
		},
		/// The pool accepted part of a market's bad debt as its loss (a
		/// write-off of what the market owed it; no money moved).
		LossAbsorbed {
			/// The tier of the loss waterfall (always the shared liquidity).
			tier: LossTier,
			/// The market of the loss.
			market: MarketId,
			/// The loss offered to the pool.
			loss: Balance,
			/// What the pool accepted, within the market's loss cap.
			covered: Balance,
			/// What is left for the next tier.
			uncovered: Balance,
		},
		/// Governance wrote off what an external protocol owed.
		WrittenOff {
			/// The protocol.
			protocol: ProtocolId<T::AccountId>,
			/// Borrow fees forgiven (never counted as the pool's).
			fees_forgiven: Balance,
			/// Principal written off, added to the protocol's losses (at most
			/// what was left of its loss cap).
			principal_written_off: Balance,
			/// Principal still owed: the protocol's recorded debt, repayable.
			still_owed: Balance,
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
		/// Governance set the withdrawal window.
		WithdrawWindowSet {
			/// The new window in blocks.
			blocks: BlockNumberFor<T>,
		},
		/// Governance swept what the pallet account held beyond the pool's
		/// cash and the buffer (unsolicited transfers) to the excess sink.
		ExcessSwept {
			/// The amount the sink took.
			amount: Balance,
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
		/// The shares are not under a request whose delay has passed and
		/// whose window has not.
		WithdrawalLocked,
		/// The withdrawal would pay nothing.
		WithdrawalTooSmall,
		/// The pool's free cash (cash not reserved by markets) cannot bear the
		/// withdrawal, draw or reservation.
		InsufficientFreeLiquidity,
		/// The pool's cash cannot pay the profit.
		InsufficientCash,
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
		/// The protocol is frozen: no new draws or reservations.
		ProtocolFrozen,
		/// The protocol is retired.
		ProtocolRetired,
		/// The draw or reservation would take the protocol above its credit
		/// cap.
		CreditCapExceeded,
		/// The draw would leave an external protocol owing more principal
		/// than is left of its loss cap.
		LossCapExceeded,
		/// The external protocol's principal is past its term (or it has
		/// defaulted): no more draws.
		CreditImpaired,
		/// The repayment or write-off is more than the protocol owes.
		ExceedsDebt,
		/// The protocol's losses have reached its loss cap: raise the cap to
		/// reactivate it.
		LossCapReached,
		/// The protocol still owes the pool or holds a reservation.
		HasObligations,
		/// Only a retired protocol can be deregistered.
		NotRetired,
		/// The protocol has that status already.
		StatusUnchanged,
		/// Only an external protocol can do or suffer this.
		NotExternal,
		/// The credit cap is above `MaxCreditCap`.
		CreditCapTooHigh,
		/// The loss cap is above `MaxLossCap`.
		LossCapTooHigh,
		/// The base rate is above `MaxBaseRate`.
		BaseRateTooHigh,
		/// The rate slope is above `MaxRateSlope`.
		RateSlopeTooHigh,
		/// The credit term is above `MaxCreditTerm`.
		TermTooLong,
		/// A market's terms carry borrow rates or a credit term (markets pay
		/// through the fee split and have no term).
		InvalidMarketTerms,
		/// An external protocol's terms carry a reserve or max-PnL factor, or
		/// have no credit term.
		InvalidExternalTerms,
		/// The minimum deposit is above `MaxMinDeposit`.
		MinDepositTooHigh,
		/// The withdrawal delay is zero or above `MaxWithdrawDelay`.
		WithdrawDelayOutOfBounds,
		/// The withdrawal window is zero or above `MaxWithdrawWindow`.
		WithdrawWindowOutOfBounds,
		/// A market the pool backs has no usable price: the net asset value
		/// cannot be computed, so shares cannot be priced now.
		NavUnavailable,
		/// The pool's net asset value is not positive: shares cannot be
		/// priced.
		PoolInsolvent,
		/// The pallet account holds nothing beyond the pool's cash and the
		/// buffer.
		NoExcess,
		/// The pallet account lacks its existential buffer and the inflow is
		/// too small to restore it.
		BufferMissing,
		/// A ledger would overflow.
		Overflow,
		/// The pallet account holds less than the ledgers say (reconciliation
		/// failure; should never happen).
		LedgerExceedsAccount,
		/// The guardian tried a change that loosens something, or one that
		/// only governance may make (registering, retiring, deregistering, a
		/// write-off, the minimum deposit).
		GuardianCannotLoosen,
		/// A parameter moved by more than `MaxParamStep` of its current
		/// value; only the root track may make such a change.
		StepTooLarge,
		/// The same parameter changed less than `MinChangeInterval` blocks
		/// ago; only the root track may change it again this soon.
		ChangeTooSoon,
		/// A market's bad debt is waiting for auto-deleveraging: the net
		/// asset value understates the pool until it is recovered, so no
		/// deposit is taken (it would buy shares below their value).
		DeficitPending,
	}

	/// Genesis: parameters, liquidity seeded by minting into the pallet
	/// account, and protocols registered with their terms. The build always
	/// mints the existential buffer.
	///
	/// The default (used when a chain spec leaves the pallet out) has no
	/// liquidity and no protocols, no minimum deposit, a withdrawal delay of
	/// one block and the longest withdrawal window, `MaxWithdrawWindow`:
	/// the delay and the window are never zero.
	#[pallet::genesis_config]
	pub struct GenesisConfig<T: Config> {
		/// The minimum deposit.
		pub min_deposit: Balance,
		/// The withdrawal delay in blocks (not zero).
		pub withdraw_delay: BlockNumberFor<T>,
		/// The withdrawal window in blocks (not zero).
		pub withdraw_window: BlockNumberFor<T>,
		/// Liquidity providers and the amount minted into the pool for each;
		/// each gets shares at a price of one.
		pub liquidity: Vec<(T::AccountId, Balance)>,
		/// This chain's markets registered as protocols, with their terms.
		pub markets: Vec<(MarketId, ProtocolTerms)>,
		/// External protocols (by account) registered, with their terms.
		pub external_protocols: Vec<(T::AccountId, ProtocolTerms)>,
	}

	impl<T: Config> Default for GenesisConfig<T> {
		fn default() -> Self {
			Self {
				min_deposit: Zero::zero(),
				withdraw_delay: One::one(),
				withdraw_window: T::MaxWithdrawWindow::get(),
				liquidity: Vec::new(),
				markets: Vec::new(),
				external_protocols: Vec::new(),
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
		/// Deposits `amount` of the settlement asset from the caller into the
		/// pool and mints shares at the pool's net asset value per share,
		/// rounded down.
		#[pallet::call_index(0)]
		pub fn deposit(origin: OriginFor<T>, amount: Balance) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_deposit(&who, amount)
		}

		/// Asks to withdraw `shares`: they can be withdrawn after the
		/// withdrawal delay, within the withdrawal window, at the lower of
		/// the net asset value per share now and at the withdrawal. The
		/// shares stay in the pool, exposed to its profit and loss, until
		/// withdrawn.
		#[pallet::call_index(1)]
		pub fn request_withdraw(origin: OriginFor<T>, shares: Balance) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_request_withdraw(&who, shares)
		}

		/// Burns `shares` under requests whose delay has passed (oldest
		/// first) and pays each at the lower of its request's share price and
		/// today's, rounded down, out of the pool's free cash.
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
		/// the cash moves from the pool to its account, due within its term.
		#[pallet::call_index(4)]
		pub fn draw_credit(origin: OriginFor<T>, amount: Balance) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_draw_credit(&who, amount)
		}

		/// Repays `amount` to the pool for the external protocol that signs:
		/// owed fees first, then principal.
		#[pallet::call_index(5)]
		pub fn repay_credit(origin: OriginFor<T>, amount: Balance) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_repay_credit(&who, amount)
		}

		/// Registers `protocol` with `terms`, active. Not by the guardian.
		#[pallet::call_index(6)]
		pub fn register_protocol(
			origin: OriginFor<T>,
			protocol: ProtocolId<T::AccountId>,
			terms: ProtocolTerms,
		) -> DispatchResult {
			let authority = T::AdminOrigin::ensure_origin(origin)?;
			Self::do_register_protocol(authority, protocol, terms)
		}

		/// Sets the terms of `protocol`. Fees accrued so far are charged at
		/// the old rates. A loss cap at or below the losses so far freezes an
		/// active protocol. The guardian only tightens; the risk track and the
		/// guardian are bounded by `MaxParamStep` and `MinChangeInterval`.
		#[pallet::call_index(7)]
		pub fn set_protocol_terms(
			origin: OriginFor<T>,
			protocol: ProtocolId<T::AccountId>,
			terms: ProtocolTerms,
		) -> DispatchResult {
			let authority = T::AdminOrigin::ensure_origin(origin)?;
			Self::do_set_protocol_terms(authority, protocol, terms)
		}

		/// Sets the status of `protocol`: freeze, unfreeze (only below the
		/// loss cap) or retire (only without obligations or reservation). The
		/// guardian may only freeze an active protocol.
		#[pallet::call_index(8)]
		pub fn set_protocol_status(
			origin: OriginFor<T>,
			protocol: ProtocolId<T::AccountId>,
			status: ProtocolStatus,
		) -> DispatchResult {
			let authority = T::AdminOrigin::ensure_origin(origin)?;
			Self::do_set_protocol_status(authority, protocol, status)
		}

		/// Removes a retired protocol, freeing its slot. Not by the guardian.
		#[pallet::call_index(9)]
		pub fn deregister_protocol(
			origin: OriginFor<T>,
			protocol: ProtocolId<T::AccountId>,
		) -> DispatchResult {
			let authority = T::AdminOrigin::ensure_origin(origin)?;
			Self::do_deregister_protocol(authority, protocol)
		}

		/// Writes off up to `amount` of what the external `protocol` owes:
		/// fees first (forgiven), then principal, which counts as a loss of
		/// the protocol and is bounded by what is left of its loss cap; the
		/// rest stays its recorded debt. Freezes the protocol. Not by the
		/// guardian.
		#[pallet::call_index(10)]
		pub fn write_off(
			origin: OriginFor<T>,
			protocol: ProtocolId<T::AccountId>,
			amount: Balance,
		) -> DispatchResult {
			let authority = T::AdminOrigin::ensure_origin(origin)?;
			Self::do_write_off(authority, protocol, amount)
		}

		/// Sets the minimum deposit. Not by the guardian; step-bounded.
		#[pallet::call_index(11)]
		pub fn set_min_deposit(origin: OriginFor<T>, amount: Balance) -> DispatchResult {
			let authority = T::AdminOrigin::ensure_origin(origin)?;
			Self::do_set_min_deposit(authority, amount)
		}

		/// Sets the withdrawal delay (not zero); it applies to pending
		/// requests too. The guardian only lengthens it; step-bounded.
		#[pallet::call_index(12)]
		pub fn set_withdraw_delay(
			origin: OriginFor<T>,
			blocks: BlockNumberFor<T>,
		) -> DispatchResult {
			let authority = T::AdminOrigin::ensure_origin(origin)?;
			Self::do_set_withdraw_delay(authority, blocks)
		}

		/// Sets the withdrawal window (not zero); it applies to pending
		/// requests too. The guardian only shortens it; step-bounded.
		#[pallet::call_index(13)]
		pub fn set_withdraw_window(
			origin: OriginFor<T>,
			blocks: BlockNumberFor<T>,
		) -> DispatchResult {
			let authority = T::AdminOrigin::ensure_origin(origin)?;
			Self::do_set_withdraw_window(authority, blocks)
		}

		/// Sweeps what the pallet account holds beyond the pool's cash and
		/// the buffer (unsolicited transfers, never counted as the pool's) to
		/// the excess sink. Any authority, the guardian included.
		#[pallet::call_index(14)]
		pub fn sweep_excess(origin: OriginFor<T>) -> DispatchResult {
			let authority = T::AdminOrigin::ensure_origin(origin)?;
			Self::do_sweep_excess(authority)
		}
	}
}
