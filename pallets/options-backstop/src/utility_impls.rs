//! Money movements, share arithmetic, genesis, the integrity test, the
//! invariants and the runtime-API helpers.

use super::*;
use crate::pricing_impls::{amount_of, spread_payoff};
use alloc::vec::Vec;
use backstop_primitives::{Balance, OracleAssetId, ProtectionBuyer};
use frame_support::{
	pallet_prelude::*,
	traits::{
		fungible::{Inspect, Mutate},
		tokens::{Fortitude, Preservation},
	},
};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{
	helpers_128bit::multiply_by_rational_with_rounding,
	traits::{AccountIdConversion, One, Saturating, UniqueSaturatedInto, Zero},
	FixedPointNumber, FixedU128, Perbill, Permill, Rounding,
};

impl<T: Config> Pallet<T> {
	/// The account that holds the vault.
	pub fn account_id() -> T::AccountId {
		T::PalletId::get().into_account_truncating()
	}

	/// The current block.
	pub(crate) fn now() -> BlockNumberFor<T> {
		frame_system::Pallet::<T>::block_number()
	}

	/// The vault's parameters: no minimum deposit, a one-block delay and the
	/// longest window until governance or the genesis sets them.
	pub fn vault_params() -> VaultParams<BlockNumberFor<T>> {
		VaultConfig::<T>::get().unwrap_or(VaultParams {
			min_deposit: Zero::zero(),
			withdraw_delay: One::one(),
			withdraw_window: T::MaxWithdrawWindow::get(),
		})
	}

	/// The first block `request` can be withdrawn in.
	pub(crate) fn unlocks_at(request: &WithdrawRequest<BlockNumberFor<T>>) -> BlockNumberFor<T> {
		request.requested_at.saturating_add(Self::vault_params().withdraw_delay)
	}

	/// The first block `request` has lapsed in.
	pub(crate) fn lapses_at(request: &WithdrawRequest<BlockNumberFor<T>>) -> BlockNumberFor<T> {
		Self::unlocks_at(request).saturating_add(Self::vault_params().withdraw_window)
	}

	/// Net asset value per share, rounded down; one without shares.
	pub(crate) fn share_price_of(vault: &VaultState, nav: Balance) -> FixedU128 {
		if vault.shares.is_zero() {
			return FixedU128::one();
		}
		FixedU128::checked_from_rational(nav, vault.shares).unwrap_or_default()
	}

	/// Shares for `amount` at `nav`: `amount × shares / nav`, rounded down
	/// (`amount` while none are in issue).
	pub(crate) fn shares_for(
		vault: &VaultState,
		nav: Balance,
		amount: Balance,
	) -> Result<Balance, DispatchError> {
		if vault.shares.is_zero() {
			return Ok(amount);
		}
		ensure!(!nav.is_zero(), Error::<T>::VaultInsolvent);
		multiply_by_rational_with_rounding(amount, vault.shares, nav, Rounding::Down)
			.ok_or_else(|| Error::<T>::Overflow.into())
	}

	/// What the pallet account lacks of its existential buffer.
	pub(crate) fn missing_buffer() -> Balance {
		T::Currency::minimum_balance().saturating_sub(T::Currency::balance(&Self::account_id()))
	}

	/// Takes `amount` from `source` into the pallet account; returns what is
	/// credited to the vault (the first part restores a missing buffer).
	pub(crate) fn pull(source: &T::AccountId, amount: Balance) -> Result<Balance, DispatchError> {
		let missing = Self::missing_buffer();
		ensure!(amount > missing, Error::<T>::DepositTooSmall);
		T::Currency::transfer(source, &Self::account_id(), amount, Preservation::Preserve)?;
		Ok(amount.saturating_sub(missing))
	}

	/// Pays `amount` from the pallet account to `dest`, keeping the buffer.
	pub(crate) fn push(dest: &T::AccountId, amount: Balance) -> DispatchResult {
		let account = Self::account_id();
		let spendable =
			T::Currency::reducible_balance(&account, Preservation::Preserve, Fortitude::Polite);
		ensure!(spendable >= amount, Error::<T>::LedgerExceedsAccount);
		T::Currency::transfer(&account, dest, amount, Preservation::Preserve)?;
		Ok(())
	}

	/// Hands `amount` to the buyer as a payout.
	pub(crate) fn pay_buyer(amount: Balance) -> DispatchResult {
		let account = Self::account_id();
		let spendable =
			T::Currency::reducible_balance(&account, Preservation::Preserve, Fortitude::Polite);
		ensure!(spendable >= amount, Error::<T>::LedgerExceedsAccount);
		T::Buyer::receive_payout(&account, amount)
	}

	/// Builds the genesis.
	pub(crate) fn do_build_genesis(config: &GenesisConfig<T>) {
		let account = Self::account_id();
		let ed = T::Currency::minimum_balance();
		if T::Currency::mint_into(&account, ed).is_err() {
			frame_support::defensive!("cannot mint the options vault's buffer");
		}
		if let Some(pricing) = config.pricing {
			assert!(Self::pricing_in_range(&pricing), "genesis pricing out of range");
			Pricing::<T>::put(pricing);
		}
		let skew: BoundedVec<SkewPoint, T::MaxSkewPoints> =
			config.skew.clone().try_into().expect("genesis skew has too many points");
		assert!(Self::skew_in_range(&skew), "genesis skew invalid");
		Skew::<T>::put(skew);
		if let Some(policy) = config.policy {
			assert!(Self::policy_in_range(&policy), "genesis policy invalid");
			Policy::<T>::put(policy);
		}
		if let Some(vault) = config.vault {
			assert!(Self::vault_params_in_range(&vault), "genesis vault params invalid");
			VaultConfig::<T>::put(vault);
		}
		for template in &config.templates {
			assert!(Self::template_in_range(template), "genesis template invalid");
			Self::insert_template(*template).expect("too many genesis templates");
		}
		let mut vault = Vault::<T>::get();
		for (who, amount) in &config.underwriters {
			T::Currency::mint_into(&account, *amount).expect("cannot mint genesis liquidity");
			vault.cash = vault.cash.checked_add(*amount).expect("genesis liquidity overflows");
			vault.shares = vault.shares.checked_add(*amount).expect("genesis shares overflow");
			Underwriters::<T>::mutate(who, |p| {
				let p = p.get_or_insert_with(Default::default);
				p.shares = p.shares.saturating_add(*amount);
			});
		}
		Vault::<T>::put(vault);
		for (template_id, strike_high, strike_low, expiry) in &config.series {
			let template = Templates::<T>::get(template_id).expect("genesis series of no template");
			Self::insert_series(*template_id, template.asset, *strike_high, *strike_low, *expiry)
				.expect("invalid genesis series");
		}
	}

	/// Checks the constants.
	pub(crate) fn do_integrity_test() {
		assert!(!T::MaxParamStep::get().is_zero(), "MaxParamStep must be above zero");
		assert!(T::MaxSeries::get() >= T::MaxTemplates::get(), "MaxSeries below MaxTemplates");
		assert!(!T::SettlementWindow::get().is_zero(), "SettlementWindow must be above zero");
		assert!(T::MaxTenor::get() > T::SettlementWindow::get(), "MaxTenor within the window");
		assert!(T::BlocksPerYear::get() > 0, "BlocksPerYear must be above zero");
		assert!(!T::MaxVol::get().is_zero(), "MaxVol must be above zero");
	}

	/// The invariants:
	///
	/// * the pallet account holds at least the vault's cash;
	/// * `locked ≤ cash` and `locked` is the sum of the series' collateral;
	/// * every series' collateral covers its maximum payout
	///   (`open × (K₁ − K₂)`, rounded down), and `K₂ < K₁`;
	/// * shares are the sum of the underwriters' shares, and each request is
	///   for at most the underwriter's shares; no shares without cash backing
	///   unless all are worthless (cash zero);
	/// * at most `MaxTemplates` templates and `MaxSeries` series; every
	///   `Listed` entry points to a series of that template.
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		let vault = Vault::<T>::get();
		ensure!(
			T::Currency::balance(&Self::account_id()) >= vault.cash,
			"pallet account holds less than the vault's cash"
		);
		ensure!(vault.locked <= vault.cash, "locked collateral above cash");
		let mut locked: Balance = 0;
		for (_, series) in SeriesOf::<T>::iter() {
			ensure!(series.strike_low < series.strike_high, "series strikes not ordered");
			let width = series.strike_high.saturating_sub(series.strike_low);
			let max_payout = amount_of(series.open, width, Rounding::Down).ok_or("overflow")?;
			ensure!(series.collateral >= max_payout, "series under-collateralized");
			locked = locked.checked_add(series.collateral).ok_or("overflow")?;
		}
		ensure!(locked == vault.locked, "locked is not the sum of the series' collateral");
		let mut shares: Balance = 0;
		for (_, position) in Underwriters::<T>::iter() {
			if let Some(request) = position.request {
				ensure!(request.shares <= position.shares, "request above the shares held");
			}
			shares = shares.checked_add(position.shares).ok_or("overflow")?;
		}
		ensure!(shares == vault.shares, "shares are not the sum of the underwriters'");
		ensure!(Templates::<T>::count() <= T::MaxTemplates::get(), "too many templates");
		ensure!(SeriesOf::<T>::count() <= T::MaxSeries::get(), "too many series");
		for (template, series_id) in Listed::<T>::iter() {
			let series = SeriesOf::<T>::get(series_id).ok_or("listed series missing")?;
			ensure!(series.template == template, "listed series of another template");
		}
		ensure!(Self::skew_in_range(&Skew::<T>::get()), "skew out of range");
		ensure!(Self::pricing_in_range(&Pricing::<T>::get()), "pricing out of range");
		Ok(())
	}

	// ---- runtime-API helpers ----

	/// A quote for `size` of the spread `strike_high/strike_low` on `asset`
	/// expiring at `expiry`.
	pub fn quote(
		asset: OracleAssetId,
		strike_high: backstop_primitives::Price,
		strike_low: backstop_primitives::Price,
		expiry: u32,
		size: u128,
	) -> Option<Quote> {
		let collateral = amount_of(size, strike_high.saturating_sub(strike_low), Rounding::Up)?;
		Self::quote_spread(asset, strike_high, strike_low, expiry.into(), size, collateral).ok()
	}

	/// The vault.
	pub fn vault() -> VaultView {
		let vault = Vault::<T>::get();
		let nav = if vault.shares.is_zero() { Some(vault.cash) } else { Self::nav_of(&vault).ok() };
		VaultView {
			assets: vault.cash,
			shares: vault.shares,
			nav,
			share_price: nav.map(|nav| Self::share_price_of(&vault, nav)),
			collateral_used: vault.locked,
			utilization: if vault.cash.is_zero() {
				Perbill::zero()
			} else {
				Perbill::from_rational(vault.locked.min(vault.cash), vault.cash)
			},
		}
	}

	/// The position of `who`.
	pub fn underwriter(who: T::AccountId) -> UnderwriterView {
		let Some(position) = Underwriters::<T>::get(&who) else { return Default::default() };
		let vault = Vault::<T>::get();
		let value = Self::nav_of(&vault)
			.ok()
			.and_then(|nav| {
				multiply_by_rational_with_rounding(
					position.shares,
					nav,
					vault.shares,
					Rounding::Down,
				)
			})
			.unwrap_or_default();
		let to_u32 = |b: BlockNumberFor<T>| -> u32 { b.unique_saturated_into() };
		UnderwriterView {
			shares: position.shares,
			value,
			requested: position.request.map(|r| r.shares).unwrap_or_default(),
			unlocks_at: position.request.map(|r| to_u32(Self::unlocks_at(&r))),
			lapses_at: position.request.map(|r| to_u32(Self::lapses_at(&r))),
		}
	}

	/// Every listed series, by id.
	pub fn series() -> Vec<SeriesView> {
		let mut all: Vec<SeriesView> = SeriesOf::<T>::iter()
			.map(|(id, s)| SeriesView {
				id,
				template: s.template,
				asset: s.asset,
				strike_high: s.strike_high,
				strike_low: s.strike_low,
				expiry: s.expiry.unique_saturated_into(),
				open: s.open,
				collateral: s.collateral,
				premiums: s.premiums,
				value: Self::liability_of(&s).ok(),
			})
			.collect();
		all.sort_by_key(|s| s.id);
		all
	}

	/// The fund's protection on `asset`: payouts at 10/30/50% below the EMA.
	pub fn protection(asset: OracleAssetId) -> Option<ProtectionInfo> {
		let info = Self::price_of(asset).ok()?;
		let at = |drop: u32| {
			let price = info.ema.saturating_mul(FixedU128::from(Permill::from_percent(100 - drop)));
			Self::payout_at(asset, price)
		};
		let max_payout = SeriesOf::<T>::iter_values()
			.filter(|s| s.asset == asset)
			.map(|s| {
				amount_of(
					s.open,
					spread_payoff(s.strike_high, s.strike_low, Zero::zero()),
					Rounding::Down,
				)
				.unwrap_or_default()
				.min(s.collateral)
			})
			.fold(0u128, |a, b| a.saturating_add(b));
		Some(ProtectionInfo {
			payout_at_10: at(10),
			payout_at_30: at(30),
			payout_at_50: at(50),
			max_payout,
		})
	}
}
