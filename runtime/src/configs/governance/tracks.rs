//! The referenda tracks: `root` (anything, including runtime upgrades and
//! the validator set) and `risk` (every risk parameter, within the pallets'
//! bounds).
//!
//! Two tables: [`FAST_TRACKS`], whose periods are a few blocks so that the
//! dev and local chains (and the tests) run a referendum end to end in a
//! minute, and [`PRODUCTION_TRACKS`], with periods of hours and days. The
//! runtime uses the production table when built with the `production`
//! feature. The risk track's minimum enactment period is the time lock of
//! every loosening change: a passed referendum waits at least that long in
//! the scheduler, where anyone can read it (see the `GovernanceApi`).

use crate::{Balance, BlockNumber, OriginCaller, DAYS, HOURS, UNITS};
use alloc::borrow::Cow;
use pallet_referenda::{Curve, Track, TrackInfo};
use sp_runtime::Perbill;

/// The id of the `root` track.
pub const ROOT_TRACK: u16 = 0;
/// The id of the `risk` track.
pub const RISK_TRACK: u16 = 1;

/// The referenda pallet's default track name length (`DEFAULT_MAX_TRACK_NAME_LEN`).
const NAME_LEN: usize = 25;

/// A track name, zero-padded to the referenda pallet's fixed length.
const fn name(s: &str) -> [u8; NAME_LEN] {
	let bytes = s.as_bytes();
	let mut out = [0u8; NAME_LEN];
	let mut i = 0;
	while i < bytes.len() && i < NAME_LEN {
		out[i] = bytes[i];
		i += 1;
	}
	out
}

/// From `ceil` at the start of the decision period, linearly down to `floor`
/// at its end.
const fn linear(ceil: u32, floor: u32) -> Curve {
	Curve::LinearDecreasing {
		length: Perbill::from_percent(100),
		floor: Perbill::from_parts(floor),
		ceil: Perbill::from_parts(ceil),
	}
}

const PERCENT: u32 = 10_000_000;

/// Periods of a few blocks (six seconds each), for the dev and local chains
/// and the tests.
pub const FAST_TRACKS: [Track<u16, Balance, BlockNumber>; 2] = [
	Track {
		id: ROOT_TRACK,
		info: TrackInfo {
			name: name("root"),
			max_deciding: 1,
			decision_deposit: 1_000 * UNITS,
			prepare_period: 2,
			decision_period: 40,
			confirm_period: 3,
			min_enactment_period: 3,
			min_approval: linear(100 * PERCENT, 50 * PERCENT),
			min_support: linear(5 * PERCENT, PERCENT),
		},
	},
	Track {
		id: RISK_TRACK,
		info: TrackInfo {
			name: name("risk"),
			max_deciding: 10,
			decision_deposit: 100 * UNITS,
			prepare_period: 1,
			decision_period: 20,
			confirm_period: 2,
			min_enactment_period: 2,
			min_approval: linear(100 * PERCENT, 50 * PERCENT),
			min_support: linear(2 * PERCENT, PERCENT / 2),
		},
	},
];

/// Periods of hours and days, for a production chain.
pub const PRODUCTION_TRACKS: [Track<u16, Balance, BlockNumber>; 2] = [
	Track {
		id: ROOT_TRACK,
		info: TrackInfo {
			name: name("root"),
			max_deciding: 1,
			decision_deposit: 100_000 * UNITS,
			prepare_period: 2 * HOURS,
			decision_period: 14 * DAYS,
			confirm_period: DAYS,
			min_enactment_period: DAYS,
			min_approval: linear(100 * PERCENT, 50 * PERCENT),
			min_support: linear(50 * PERCENT, 5 * PERCENT),
		},
	},
	Track {
		id: RISK_TRACK,
		info: TrackInfo {
			name: name("risk"),
			max_deciding: 10,
			decision_deposit: 10_000 * UNITS,
			prepare_period: HOURS,
			decision_period: 7 * DAYS,
			confirm_period: DAYS,
			// The time lock of a loosening risk change.
			min_enactment_period: DAYS,
			min_approval: linear(100 * PERCENT, 50 * PERCENT),
			min_support: linear(10 * PERCENT, PERCENT),
		},
	},
];

/// The tracks this runtime uses.
#[cfg(not(feature = "production"))]
pub const TRACKS: &[Track<u16, Balance, BlockNumber>] = &FAST_TRACKS;
/// The tracks this runtime uses.
#[cfg(feature = "production")]
pub const TRACKS: &[Track<u16, Balance, BlockNumber>] = &PRODUCTION_TRACKS;

/// The referenda tracks of this runtime.
pub struct TracksInfo;

impl pallet_referenda::TracksInfo<Balance, BlockNumber> for TracksInfo {
	type Id = u16;
	type RuntimeOrigin = OriginCaller;

	fn tracks() -> impl Iterator<Item = Cow<'static, Track<u16, Balance, BlockNumber>>> {
		TRACKS.iter().map(Cow::Borrowed)
	}

	fn track_for(origin: &OriginCaller) -> Result<u16, ()> {
		match origin {
			OriginCaller::system(frame_system::RawOrigin::Root) => Ok(ROOT_TRACK),
			OriginCaller::Origins(super::origins::Origin::RiskAdmin) => Ok(RISK_TRACK),
			_ => Err(()),
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn check(table: &[Track<u16, Balance, BlockNumber>]) {
		assert!(table.windows(2).all(|w| w[0].id < w[1].id), "sorted by id");
		for track in table {
			let info = &track.info;
			assert!(info.max_deciding > 0 && info.decision_deposit > 0);
			assert!(info.decision_period > info.confirm_period);
			assert!(info.min_enactment_period > 0, "every change is time-locked");
		}
		// The root track is at least as hard to pass as the risk track.
		let (root, risk) = (&table[0].info, &table[1].info);
		assert!(root.decision_deposit > risk.decision_deposit);
		assert!(root.min_enactment_period >= risk.min_enactment_period);
		assert_eq!(&root.name[..4], b"root");
		assert_eq!(&risk.name[..4], b"risk");
	}

	#[test]
	fn both_tables_are_well_formed() {
		check(&FAST_TRACKS);
		check(&PRODUCTION_TRACKS);
		// Production periods are days; the fast ones fit in a test.
		assert!(PRODUCTION_TRACKS[1].info.min_enactment_period >= DAYS);
		assert!(FAST_TRACKS[1].info.decision_period <= 30);
	}
}
