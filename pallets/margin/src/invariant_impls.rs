//! The pallet's invariants (`try_state`) and the checks of its configuration
//! (`integrity_test`).

use super::*;
use frame_support::traits::Get;

impl<T: Config> Pallet<T> {
	/// Checks the configured constants (run by `integrity_test`).
	pub(crate) fn do_integrity_test() {
		assert!(T::MaxMarkets::get() > 0, "MaxMarkets must allow at least one market");
		assert!(
			T::MaxPositionsPerAccount::get() > 0,
			"MaxPositionsPerAccount must allow at least one position"
		);
		assert!(
			T::MaxSweepAccounts::get() > 0,
			"MaxSweepAccounts of zero would disable the automatic sweep"
		);
		assert!(
			T::PnlDeleveragingTarget::get() < sp_arithmetic::Permill::one(),
			"PnlDeleveragingTarget must be below the cap it brings profits back under"
		);
		assert!(
			!T::DefaultStressMove::get().is_zero(),
			"DefaultStressMove of zero would size the backstop at nothing"
		);
		assert!(
			T::MaxLiquidationBatch::get() > 0,
			"MaxLiquidationBatch of zero would disable liquidate_batch"
		);
		assert!(
			Self::min_sweep_budget().all_lte(T::MaxSweepWeight::get()),
			"MaxSweepWeight must cover at least one worst-case liquidation"
		);
		assert!(
			T::MaxDeleveragingPerBlock::get() > 0,
			"MaxDeleveragingPerBlock of zero would disable auto-deleveraging"
		);
		assert!(
			Self::validate_fee_split(&FeeSplit::default()).is_ok(),
			"the default fee split must sum to 100%"
		);
		assert!(
			Self::validate_warmup(&WarmupOf::<T>::default()).is_ok(),
			"the default (disabled) profit warm-up must be within bounds"
		);
		assert!(
			!T::MaxParamStep::get().is_zero(),
			"MaxParamStep of zero would leave the risk track and the guardian no numeric change"
		);
	}

	/// The invariants of the pallet:
	///
	/// * the pallet account holds at least the sum of all collateral and of
	///   every market's ledgers held for others (pool receivable, pending
	///   penalties, fee shares and backstop premium), plus the existential buffer
	///   (`minimum_balance`) — more only after an unsolicited transfer, which
	///   is never counted, reported by [`Pallet::excess`] and swept by
	///   `sweep_excess`; or, before the buffer ever existed, less than the
	///   buffer with every ledger at zero;
	/// * `MarketCount` counts the markets, at most `MaxMarkets`, and every
	///   market's parameters are within the hard bounds;
	/// * no stored account is empty; positions are sorted by market, unique,
	///   non-zero, in existing markets, with a cost basis of the same sign as
	///   the size (or zero); what is locked of an account's maturing profit is
	///   at most its collateral, and nothing empty is kept as maturing;
	/// * each market's aggregates are exactly the sums over its positions:
	///   long and short open interest of the long and short sizes,
	///   `long_cost` and `short_cost` of the magnitudes of their cost bases,
	///   `funding_basis` of `math::funding_basis(size, funding_index)`;
	/// * no position's premium snapshot is above its market's premium index
	///   (a position never owes a negative premium);
	/// * every stress move set is above zero and belongs to a market;
	/// * the deleveraging queues hold exactly one entry per stored position,
	///   on its side, at its rank ([`AdlRank::of`]);
	/// * a market has a deficit exactly when a deleveraging entry exists for
	///   it, whose parts sum to the deficit; such a market is not `Active`;
	/// * the fee split sums to 100% and the profit warm-up is within bounds;
	/// * no parameter changed after the current block (`ParamChangedAt`), and
	///   every per-market entry belongs to a market.
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		use alloc::collections::btree_map::BTreeMap;
		use backstop_primitives::{Balance, MarketId, SignedBalance};
		use frame_support::{ensure, traits::fungible::Inspect};
		use sp_arithmetic::traits::Zero;

		#[derive(Default)]
		struct Tally {
			long: u128,
			short: u128,
			long_cost: Balance,
			short_cost: Balance,
			basis: SignedBalance,
		}

		let mut count: u32 = 0;
		let mut held: Balance = 0;
		let mut tallies: BTreeMap<MarketId, Tally> = BTreeMap::new();
		let mut premium_indices = BTreeMap::new();
		for (id, market) in Markets::<T>::iter() {
			premium_indices.insert(id, market.state.premium_index);
			count = count.checked_add(1).ok_or("market count overflow")?;
			Self::validate_params(&market.params).map_err(|_| "market parameters out of bounds")?;
			let for_others = market.held_for_others().ok_or("market ledgers overflow")?;
			held = held.checked_add(for_others).ok_or("held ledgers overflow")?;
			tallies.insert(id, Tally::default());
		}
		ensure!(count == MarketCount::<T>::get(), "MarketCount does not count the markets");
		ensure!(count <= T::MaxMarkets::get(), "more markets than MaxMarkets");

		let now = Self::now();
		let mut collateral: Balance = 0;
		let mut queued: u64 = 0;
		let mut traders: u32 = 0;
		for (who, account) in Accounts::<T>::iter() {
			ensure!(!account.is_empty(), "an empty account is stored");
			collateral = collateral.checked_add(account.collateral).ok_or("collateral overflow")?;
			let maturing = &account.maturing;
			ensure!(
				maturing.locked_at(now) <= account.collateral,
				"maturing profit above the collateral"
			);
			ensure!(
				!maturing.is_empty() || *maturing == Default::default(),
				"an empty maturing profit is kept"
			);
			ensure!(maturing.start <= maturing.end, "maturing profit ends before it starts");
			ensure!(
				Traders::<T>::contains_key(&who) != account.positions.is_empty(),
				"the index of accounts with positions is out of step"
			);
			if !account.positions.is_empty() {
				traders = traders.checked_add(1).ok_or("trader count overflow")?;
			}
			let mut previous: Option<MarketId> = None;
			for position in account.positions.iter() {
				ensure!(
					previous.is_none_or(|p| p < position.market),
					"positions not sorted or not unique"
				);
				previous = Some(position.market);
				ensure!(position.size != 0, "a position of size zero is stored");
				ensure!(
					position.cost == 0 || (position.cost > 0) == (position.size > 0),
					"cost basis and size of opposite signs"
				);
				let index = premium_indices
					.get(&position.market)
					.ok_or("a position in an unknown market")?;
				ensure!(
					position.premium_index <= *index,
					"a premium snapshot above its market's index"
				);
				let (side, rank) = AdlRank::of(position).ok_or("a position without a rank")?;
				ensure!(
					AdlQueue::<T>::contains_key((position.market, side), (rank, &who)),
					"a position missing from its deleveraging queue"
				);
				queued = queued.checked_add(1).ok_or("queue count overflow")?;
				let tally =
					tallies.get_mut(&position.market).ok_or("a position in an unknown market")?;
				let size = position.size.unsigned_abs();
				let cost = position.cost.unsigned_abs();
				if position.size > 0 {
					tally.long = tally.long.checked_add(size).ok_or("long overflow")?;
					tally.long_cost =
						tally.long_cost.checked_add(cost).ok_or("long cost overflow")?;
				} else {
					tally.short = tally.short.checked_add(size).ok_or("short overflow")?;
					tally.short_cost =
						tally.short_cost.checked_add(cost).ok_or("short cost overflow")?;
				}
				let basis = crate::math::funding_basis(position.size, position.funding_index)
					.ok_or("funding basis overflow")?;
				tally.basis = tally.basis.checked_add(basis).ok_or("funding basis overflow")?;
			}
		}
		let indexed = Traders::<T>::iter_keys().try_fold(0u32, |n, _| n.checked_add(1));
		ensure!(indexed == Some(traders), "indexed accounts without positions");
		ensure!(Traders::<T>::count() == traders, "the index's counter is out of step");
		let entries = AdlQueue::<T>::iter_keys().try_fold(0u64, |n, _| n.checked_add(1));
		ensure!(entries == Some(queued), "deleveraging queue entries without a position");
		for (id, price) in FinalSettlement::<T>::iter() {
			let market = Markets::<T>::get(id).ok_or("final settlement of an unknown market")?;
			ensure!(market.status == MarketStatus::Halted, "a market settling is not halted");
			ensure!(!price.is_zero(), "a settlement price of zero");
		}
		for (id, market) in Markets::<T>::iter() {
			if market.status == MarketStatus::Closed {
				ensure!(
					market.state.open_interest() == Some(0),
					"a closed market with open interest"
				);
				for side in [Side::Long, Side::Short] {
					ensure!(
						AdlQueue::<T>::iter_key_prefix((id, side)).next().is_none(),
						"a closed market with queued positions"
					);
				}
			}
		}
		for (id, stress_move) in StressMoves::<T>::iter() {
			ensure!(Markets::<T>::contains_key(id), "a stress move of an unknown market");
			ensure!(!stress_move.is_zero(), "a stress move of zero");
		}
		for (id, pending) in Deleveraging::<T>::iter() {
			let market = Markets::<T>::get(id).ok_or("deleveraging in an unknown market")?;
			ensure!(
				pending.from_longs.checked_add(pending.from_shorts) == Some(market.state.deficit),
				"deleveraging parts do not sum to the deficit"
			);
		}
		for (id, tally) in tallies {
			let market = Markets::<T>::get(id).ok_or("market vanished")?;
			ensure!(
				market.state.deficit.is_zero() || Deleveraging::<T>::contains_key(id),
				"a deficit nobody is deleveraged for"
			);
			ensure!(
				market.state.deficit.is_zero() || market.status != MarketStatus::Active,
				"an active market with a deficit"
			);
			let state = market.state;
			ensure!(state.long_open_interest == tally.long, "long open interest is off");
			ensure!(state.short_open_interest == tally.short, "short open interest is off");
			ensure!(state.long_cost == tally.long_cost, "long cost is off");
			ensure!(state.short_cost == tally.short_cost, "short cost is off");
			ensure!(state.funding_basis == tally.basis, "funding basis is off");
		}

		let ledgers = collateral.checked_add(held).ok_or("ledgers overflow")?;
		let balance = T::Currency::balance(&Self::account_id());
		let buffer = T::Currency::minimum_balance();
		let pristine = ledgers == 0 && balance < buffer;
		let expected = ledgers.checked_add(buffer).ok_or("ledgers plus buffer overflow")?;
		ensure!(
			pristine || balance >= expected,
			"pallet account balance below the ledgers plus the buffer"
		);
		if balance > expected {
			log::warn!(
				target: LOG_TARGET,
				"the pallet account holds {} beyond its ledgers (unsolicited transfers, for sweep_excess)",
				balance.saturating_sub(expected),
			);
		}
		Self::validate_fee_split(&FeeSplitConfig::<T>::get())
			.map_err(|_| "fee split does not sum to 100%")?;
		Self::validate_warmup(&ProfitWarmupConfig::<T>::get())
			.map_err(|_| "profit warm-up out of bounds")?;
		let block = frame_system::Pallet::<T>::block_number();
		for (key, at) in ParamChangedAt::<T>::iter() {
			ensure!(at <= block, "a parameter changed after the current block");
			if let Some(id) = key.market() {
				ensure!(Markets::<T>::contains_key(id), "a parameter change of an unknown market");
			}
		}
		Ok(())
	}
}
