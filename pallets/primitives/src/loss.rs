//! The loss waterfall: tiers that absorb bad debt, chained in order.

use crate::{Balance, MarketId};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_runtime::traits::Zero;

/// The tiers of the loss waterfall, in the order they are drawn on. Used in
/// events so that one shortfall can be followed from start to finish.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
pub enum LossTier {
	/// The market's insurance sub-fund, then the global fund.
	InsuranceFund,
	/// The junior, then the senior staking tranche.
	StakingBackstop,
	/// The shared LP pool, up to the market's loss cap.
	SharedLiquidity,
	/// Whatever is left, closed against profitable opposite positions.
	AutoDeleveraging,
}

/// One tier of the loss waterfall.
///
/// `absorb` covers as much of a shortfall as the tier's rules allow, pays what
/// it covers to `beneficiary` (the account that carries the bad debt, usually
/// the margin pallet's account) and returns the part it did not cover. It
/// never returns more than it was given. A tier that cannot pay (for example
/// because a transfer fails) covers nothing and returns the whole amount, so
/// a loss is never dropped.
///
/// Tuples chain tiers in order: `(A, B, C)::absorb` hands `A`'s uncovered rest
/// to `B`, and `B`'s to `C`, stopping as soon as nothing is left.
pub trait LossAbsorber<AccountId> {
	/// Covers up to `amount` of bad debt in `market`, paying `beneficiary`.
	/// Returns the uncovered rest (`<= amount`).
	fn absorb(market: MarketId, amount: Balance, beneficiary: &AccountId) -> Balance;

	/// The most this tier would cover for a shortfall in `market` right now,
	/// after its per-event caps.
	fn capacity(market: MarketId) -> Balance;
}

/// No tier: nothing is covered, the whole amount is returned.
impl<AccountId> LossAbsorber<AccountId> for () {
	fn absorb(_market: MarketId, amount: Balance, _beneficiary: &AccountId) -> Balance {
		amount
	}
	fn capacity(_market: MarketId) -> Balance {
		Zero::zero()
	}
}

/// Who pays a keeper for liquidating an account that could not pay the
/// keeper itself (an insolvent account): the insurance fund.
///
/// `reward_keeper` pays at most `amount` to `beneficiary` (the account that
/// credits the keeper, usually the margin pallet's account) within the
/// payer's own caps, and returns what it paid. It never pays more than asked
/// and pays nothing when it cannot (for example because a transfer fails).
pub trait KeeperRewarder<AccountId> {
	/// Pays up to `amount` for a liquidation in `market` to `beneficiary`.
	/// Returns what was paid (`<= amount`).
	fn reward_keeper(market: MarketId, amount: Balance, beneficiary: &AccountId) -> Balance;
}

/// Nobody pays: keepers earn nothing for insolvent accounts.
impl<AccountId> KeeperRewarder<AccountId> for () {
	fn reward_keeper(_market: MarketId, _amount: Balance, _beneficiary: &AccountId) -> Balance {
		Zero::zero()
	}
}

macro_rules! impl_loss_absorber_for_tuple {
	($($tier:ident),+) => {
		impl<AccountId, $($tier: LossAbsorber<AccountId>),+> LossAbsorber<AccountId> for ($($tier,)+) {
			fn absorb(market: MarketId, amount: Balance, beneficiary: &AccountId) -> Balance {
				let mut uncovered = amount;
				$(
					if !uncovered.is_zero() {
						// A tier may not report more uncovered than it was given.
						uncovered = $tier::absorb(market, uncovered, beneficiary).min(uncovered);
					}
				)+
				uncovered
			}
			fn capacity(market: MarketId) -> Balance {
				let mut total: Balance = Zero::zero();
				$( total = total.saturating_add($tier::capacity(market)); )+
				total
			}
		}
	};
}

impl_loss_absorber_for_tuple!(A);
impl_loss_absorber_for_tuple!(A, B);
impl_loss_absorber_for_tuple!(A, B, C);
impl_loss_absorber_for_tuple!(A, B, C, D);
impl_loss_absorber_for_tuple!(A, B, C, D, E);
impl_loss_absorber_for_tuple!(A, B, C, D, E, F);

#[cfg(test)]
mod tests {
	use super::*;
	use std::cell::RefCell;

	/// One call to a test tier: (tier name, market, asked, covered, beneficiary).
	type Call = (&'static str, MarketId, Balance, Balance, u64);

	thread_local! {
		/// Every call to a test tier, in order.
		static CALLS: RefCell<Vec<Call>> = const { RefCell::new(Vec::new()) };
		static BALANCES: RefCell<[Balance; 3]> = const { RefCell::new([0; 3]) };
	}

	fn calls() -> Vec<Call> {
		CALLS.with(|c| c.borrow().clone())
	}

	fn reset(balances: [Balance; 3]) {
		CALLS.with(|c| c.borrow_mut().clear());
		BALANCES.with(|b| *b.borrow_mut() = balances);
	}

	/// A tier holding `BALANCES[I]` that covers what it holds.
	struct Tier<const I: usize>;
	impl<const I: usize> LossAbsorber<u64> for Tier<I> {
		fn absorb(market: MarketId, amount: Balance, beneficiary: &u64) -> Balance {
			let covered = BALANCES.with(|b| {
				let mut b = b.borrow_mut();
				let covered = b[I].min(amount);
				b[I] -= covered;
				covered
			});
			let name = ["first", "second", "third"][I];
			CALLS.with(|c| c.borrow_mut().push((name, market, amount, covered, *beneficiary)));
			amount - covered
		}
		fn capacity(_market: MarketId) -> Balance {
			BALANCES.with(|b| b.borrow()[I])
		}
	}

	/// A broken tier that claims more is uncovered than it was given.
	struct Inflating;
	impl LossAbsorber<u64> for Inflating {
		fn absorb(_market: MarketId, amount: Balance, _beneficiary: &u64) -> Balance {
			amount.saturating_mul(2).saturating_add(1)
		}
		fn capacity(_market: MarketId) -> Balance {
			Balance::MAX
		}
	}

	type Waterfall = (Tier<0>, Tier<1>, Tier<2>);

	#[test]
	fn unit_absorber_covers_nothing() {
		assert_eq!(<() as LossAbsorber<u64>>::absorb(1, 70, &9), 70);
		assert_eq!(<() as LossAbsorber<u64>>::capacity(1), 0);
	}

	#[test]
	fn tuple_chains_tiers_in_order() {
		reset([30, 50, 100]);
		let uncovered = Waterfall::absorb(4, 100, &9);
		assert_eq!(uncovered, 0);
		assert_eq!(
			calls(),
			vec![("first", 4, 100, 30, 9), ("second", 4, 70, 50, 9), ("third", 4, 20, 20, 9)]
		);
		assert_eq!(BALANCES.with(|b| *b.borrow()), [0, 0, 80]);
	}

	#[test]
	fn tuple_stops_once_covered() {
		reset([30, 50, 100]);
		assert_eq!(Waterfall::absorb(1, 25, &9), 0);
		assert_eq!(calls(), vec![("first", 1, 25, 25, 9)]);
	}

	#[test]
	fn tuple_returns_exact_uncovered_rest() {
		reset([10, 20, 30]);
		assert_eq!(Waterfall::absorb(2, 100, &9), 40);
		assert_eq!(calls().len(), 3);
		assert_eq!(BALANCES.with(|b| *b.borrow()), [0, 0, 0]);
	}

	#[test]
	fn zero_loss_touches_no_tier() {
		reset([10, 20, 30]);
		assert_eq!(Waterfall::absorb(2, 0, &9), 0);
		assert!(calls().is_empty());
	}

	#[test]
	fn tuple_with_unit_tier_passes_through() {
		reset([10, 0, 0]);
		assert_eq!(<((), Tier<0>)>::absorb(1, 15, &9), 5);
		assert_eq!(calls(), vec![("first", 1, 15, 10, 9)]);
	}

	#[test]
	fn misbehaving_tier_cannot_inflate_the_loss() {
		reset([0, 0, 5]);
		assert_eq!(<(Inflating, Tier<2>)>::absorb(1, 10, &9), 5);
		assert_eq!(calls(), vec![("third", 1, 10, 5, 9)]);
	}

	#[test]
	fn capacity_sums_tiers_without_overflow() {
		reset([10, 20, 30]);
		assert_eq!(Waterfall::capacity(1), 60);
		assert_eq!(<(Inflating, Tier<0>)>::capacity(1), Balance::MAX);
	}

	proptest::proptest! {
		#[test]
		fn covered_plus_uncovered_equals_loss(
			b0 in 0u128..1_000_000, b1 in 0u128..1_000_000, b2 in 0u128..1_000_000,
			loss in 0u128..4_000_000,
		) {
			reset([b0, b1, b2]);
			let uncovered = Waterfall::absorb(7, loss, &1);
			let covered: Balance = calls().iter().map(|c| c.3).sum();
			proptest::prop_assert_eq!(covered + uncovered, loss);
			proptest::prop_assert_eq!(uncovered, loss.saturating_sub(b0 + b1 + b2));
			// Each tier is asked only for what the tiers before it left.
			let mut left = loss;
			for (_, _, asked, covered, _) in calls() {
				proptest::prop_assert_eq!(asked, left);
				left -= covered;
			}
		}
	}
}
