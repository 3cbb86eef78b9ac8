//! The scenarios: historical price paths (piecewise log-linear between
//! waypoints read off public price history, each with its source), a
//! synthetic gap and slide, and a seeded Monte Carlo of correlated geometric
//! Brownian motion with jumps and a correlation spike.
//!
//! A scenario becomes a [`Path`]: one price per asset per simulated block.
//! The chain's blocks are 6 seconds apart; a historical day is compressed
//! into the path's blocks (`minutes_per_block` says by how much), so every
//! move arrives in fewer, larger steps than it did: harsher on the chain,
//! never gentler.

use crate::rng::{cholesky, correlate, Rng};

/// Where the waypoints of a historical path come from.
pub struct Source(pub &'static str);

/// An asset of a historical path: its symbol and `(hour, price)` waypoints.
pub struct Waypoints {
	/// The asset's ticker.
	pub symbol: &'static str,
	/// `(hours from the path's start, USD price)`, hours increasing.
	pub points: &'static [(f64, f64)],
	/// The share of the traders that trade it.
	pub weight: f64,
}

/// A historical episode.
pub struct Historical {
	/// What the episode was.
	pub title: &'static str,
	/// Where the waypoints come from.
	pub source: Source,
	/// The assets (BTC and ETH first: the preset's markets).
	pub assets: &'static [Waypoints],
	/// The length of the path (hours).
	pub hours: f64,
	/// Blocks the path is sampled into.
	pub blocks: usize,
	/// The share of traders that are long (crowded longs before a crash).
	pub long_share: f64,
}

/// What kind of path a scenario is.
pub enum Kind {
	/// A historical episode.
	Historical(&'static Historical),
	/// Every asset falls by `--shock` percent (default 30) in one block.
	Gap,
	/// Every asset falls by `--shock` percent (default 2) a block for 30 blocks.
	Slide,
	/// Correlated GBM with jumps.
	MonteCarlo,
}

/// A scenario of the `list`.
pub struct Scenario {
	/// Its name on the command line.
	pub name: &'static str,
	/// One line about it.
	pub summary: &'static str,
	/// Its kind.
	pub kind: Kind,
}

/// Parameters of a run that shape the path.
#[derive(Clone, Debug)]
pub struct PathParams {
	/// The seed (Monte Carlo paths; traders' book in every scenario).
	pub seed: u64,
	/// The gap (percent in one block) or slide (percent per block).
	pub shock: Option<f64>,
	/// Monte Carlo: blocks to simulate.
	pub blocks: Option<usize>,
	/// Monte Carlo: the correlation every pair goes to in a crash regime.
	pub correlation_spike: f64,
}

/// One price per asset per block.
#[derive(Clone, Debug)]
pub struct Path {
	/// Tickers, BTC and ETH first.
	pub symbols: Vec<String>,
	/// The share of the traders on each asset.
	pub weights: Vec<f64>,
	/// `prices[block][asset]`, USD.
	pub prices: Vec<Vec<f64>>,
	/// Historical minutes each block stands for.
	pub minutes_per_block: f64,
	/// The share of traders that are long.
	pub long_share: f64,
	/// Where the path comes from.
	pub source: String,
}

/// BTC and ETH on 12–13 March 2020 ("Black Thursday").
pub static MARCH_2020: Historical = Historical {
	title: "BTC and ETH, 12-13 March 2020 (Black Thursday)",
	source: Source(
		"Coinbase BTC-USD and ETH-USD hourly candles and CoinMarketCap daily history, \
		 12-13 March 2020, hours from 12 Mar 00:00 UTC, prices rounded; the low is the \
		 ~02:15 UTC 13 Mar print (BTC about -51% peak to trough, -44% between 12:00 and 02:15)",
	),
	assets: &[
		Waypoints {
			symbol: "BTC",
			points: &[
				(0.0, 7_930.0),
				(6.0, 7_800.0),
				(10.0, 7_500.0),
				(12.0, 6_900.0),
				(14.0, 6_200.0),
				(16.0, 5_900.0),
				(20.0, 5_500.0),
				(22.0, 5_100.0),
				(24.0, 4_900.0),
				(25.0, 4_600.0),
				(26.25, 3_850.0),
				(27.0, 4_400.0),
				(30.0, 4_900.0),
				(36.0, 5_300.0),
				(42.0, 5_500.0),
				(48.0, 5_600.0),
			],
			weight: 0.6,
		},
		Waypoints {
			symbol: "ETH",
			points: &[
				(0.0, 195.0),
				(10.0, 185.0),
				(14.0, 150.0),
				(20.0, 130.0),
				(24.0, 112.0),
				(26.25, 90.0),
				(27.0, 105.0),
				(36.0, 125.0),
				(48.0, 133.0),
			],
			weight: 0.4,
		},
	],
	hours: 48.0,
	blocks: 480,
	long_share: 0.65,
};

/// ETH and BTC on 19 May 2021.
pub static MAY_2021: Historical = Historical {
	title: "ETH and BTC, 19 May 2021",
	source: Source(
		"Coinbase ETH-USD and BTC-USD hourly candles, 19 May 2021, hours from 00:00 UTC, \
		 prices rounded (ETH about -44% from the open to the ~13:30 UTC low, BTC about -30%)",
	),
	assets: &[
		Waypoints {
			symbol: "BTC",
			points: &[
				(0.0, 42_900.0),
				(8.0, 40_000.0),
				(11.0, 37_500.0),
				(12.0, 34_000.0),
				(13.0, 31_000.0),
				(13.5, 30_000.0),
				(14.0, 34_500.0),
				(16.0, 38_000.0),
				(24.0, 37_300.0),
			],
			weight: 0.4,
		},
		Waypoints {
			symbol: "ETH",
			points: &[
				(0.0, 3_380.0),
				(4.0, 3_300.0),
				(8.0, 3_050.0),
				(11.0, 2_800.0),
				(12.0, 2_500.0),
				(13.0, 2_100.0),
				(13.5, 1_900.0),
				(14.0, 2_300.0),
				(16.0, 2_550.0),
				(20.0, 2_500.0),
				(24.0, 2_450.0),
			],
			weight: 0.6,
		},
	],
	hours: 24.0,
	blocks: 360,
	long_share: 0.65,
};

/// LUNA's collapse, 7–13 May 2022.
pub static LUNA_2022: Historical = Historical {
	title: "LUNA collapse, 7-13 May 2022 (with BTC and ETH)",
	source: Source(
		"CoinMarketCap LUNA (now Terra Classic), BTC and ETH daily OHLC and Binance LUNA/USDT \
		 hourly candles, 7-13 May 2022, hours from 7 May 00:00 UTC, prices rounded \
		 (LUNA from about $80 to $0.0002, -99.9997%)",
	),
	assets: &[
		Waypoints {
			symbol: "BTC",
			points: &[
				(0.0, 35_500.0),
				(48.0, 34_000.0),
				(72.0, 31_000.0),
				(96.0, 29_000.0),
				(120.0, 28_000.0),
				(130.0, 26_700.0),
				(144.0, 29_000.0),
				(156.0, 29_300.0),
			],
			weight: 0.3,
		},
		Waypoints {
			symbol: "ETH",
			points: &[
				(0.0, 2_700.0),
				(48.0, 2_500.0),
				(72.0, 2_300.0),
				(96.0, 2_250.0),
				(120.0, 2_000.0),
				(130.0, 1_800.0),
				(144.0, 1_950.0),
				(156.0, 2_000.0),
			],
			weight: 0.2,
		},
		Waypoints {
			symbol: "LUNA",
			points: &[
				(0.0, 80.0),
				(24.0, 72.0),
				(48.0, 64.0),
				(71.0, 30.0),
				(84.0, 35.0),
				(96.0, 18.0),
				(108.0, 4.0),
				(120.0, 1.0),
				(132.0, 0.10),
				(144.0, 0.02),
				(156.0, 0.0002),
			],
			weight: 0.5,
		},
	],
	hours: 156.0,
	blocks: 520,
	long_share: 0.65,
};

/// FTT's collapse, 6–11 November 2022.
pub static FTT_2022: Historical = Historical {
	title: "FTT collapse, 6-11 November 2022 (with BTC and ETH)",
	source: Source(
		"CoinMarketCap FTT, BTC and ETH daily OHLC and Binance FTT/USDT hourly candles, \
		 6-11 November 2022, hours from 6 Nov 00:00 UTC, prices rounded \
		 (FTT about -75% on 8 November, -92% over the week)",
	),
	assets: &[
		Waypoints {
			symbol: "BTC",
			points: &[
				(0.0, 21_300.0),
				(24.0, 20_900.0),
				(48.0, 20_600.0),
				(60.0, 18_500.0),
				(72.0, 18_500.0),
				(84.0, 16_500.0),
				(90.0, 15_700.0),
				(96.0, 16_300.0),
				(108.0, 17_600.0),
				(120.0, 17_000.0),
			],
			weight: 0.3,
		},
		Waypoints {
			symbol: "ETH",
			points: &[
				(0.0, 1_620.0),
				(24.0, 1_570.0),
				(48.0, 1_570.0),
				(60.0, 1_330.0),
				(72.0, 1_330.0),
				(84.0, 1_150.0),
				(90.0, 1_100.0),
				(96.0, 1_200.0),
				(108.0, 1_300.0),
				(120.0, 1_280.0),
			],
			weight: 0.2,
		},
		Waypoints {
			symbol: "FTT",
			points: &[
				(0.0, 25.5),
				(24.0, 22.5),
				(48.0, 22.0),
				(56.0, 18.0),
				(60.0, 8.0),
				(66.0, 5.0),
				(72.0, 4.5),
				(80.0, 2.9),
				(96.0, 2.5),
				(104.0, 3.3),
				(120.0, 2.1),
			],
			weight: 0.5,
		},
	],
	hours: 120.0,
	blocks: 480,
	long_share: 0.65,
};

/// A 10 October 2025-style cascade across many assets.
pub static OCTOBER_2025: Historical = Historical {
	title: "10 October 2025-style cascade across five assets",
	source: Source(
		"the shape of 10-11 October 2025 in Coinbase and Binance 1-minute candles, hours \
		 from 10 Oct 18:00 UTC, prices rounded: BTC about -14%, ETH -21%, SOL -24%, DOGE \
		 -44% in about 90 minutes, and ALT standing for the long-tail alts that printed \
		 -70% to -90% on some venues before recovering; an approximation, not a replay",
	),
	assets: &[
		Waypoints {
			symbol: "BTC",
			points: &[
				(0.0, 121_500.0),
				(2.0, 119_000.0),
				(3.0, 116_000.0),
				(3.33, 110_000.0),
				(3.5, 104_800.0),
				(4.0, 109_000.0),
				(6.0, 112_000.0),
				(8.0, 112_500.0),
			],
			weight: 0.3,
		},
		Waypoints {
			symbol: "ETH",
			points: &[
				(0.0, 4_370.0),
				(2.0, 4_250.0),
				(3.0, 4_000.0),
				(3.33, 3_750.0),
				(3.5, 3_450.0),
				(4.0, 3_700.0),
				(6.0, 3_820.0),
				(8.0, 3_850.0),
			],
			weight: 0.25,
		},
		Waypoints {
			symbol: "SOL",
			points: &[
				(0.0, 222.0),
				(2.0, 215.0),
				(3.0, 200.0),
				(3.33, 180.0),
				(3.5, 168.0),
				(4.0, 178.0),
				(6.0, 183.0),
				(8.0, 185.0),
			],
			weight: 0.2,
		},
		Waypoints {
			symbol: "DOGE",
			points: &[
				(0.0, 0.250),
				(2.0, 0.240),
				(3.0, 0.215),
				(3.33, 0.170),
				(3.5, 0.140),
				(4.0, 0.185),
				(6.0, 0.195),
				(8.0, 0.200),
			],
			weight: 0.1,
		},
		Waypoints {
			symbol: "ALT",
			points: &[
				(0.0, 5.00),
				(2.0, 4.80),
				(3.0, 4.20),
				(3.33, 2.50),
				(3.5, 1.00),
				(3.6, 1.50),
				(4.0, 3.20),
				(6.0, 3.60),
				(8.0, 3.70),
			],
			weight: 0.15,
		},
	],
	hours: 8.0,
	blocks: 480,
	long_share: 0.65,
};

/// Every scenario, in the order `list` shows them.
pub static SCENARIOS: &[Scenario] = &[
	Scenario {
		name: "march-2020",
		summary: "BTC and ETH on 12-13 March 2020: BTC -51% peak to trough in about 26 hours",
		kind: Kind::Historical(&MARCH_2020),
	},
	Scenario {
		name: "may-2021",
		summary: "ETH and BTC on 19 May 2021: ETH -44% within the day, most of it in 3 hours",
		kind: Kind::Historical(&MAY_2021),
	},
	Scenario {
		name: "luna-2022",
		summary: "LUNA, 7-13 May 2022: from $80 to $0.0002 (with BTC and ETH)",
		kind: Kind::Historical(&LUNA_2022),
	},
	Scenario {
		name: "ftt-2022",
		summary: "FTT, 6-11 November 2022: -75% on 8 November (with BTC and ETH)",
		kind: Kind::Historical(&FTT_2022),
	},
	Scenario {
		name: "cascade-2025",
		summary: "a 10 October 2025-style cascade: BTC, ETH, SOL, DOGE and a long-tail alt",
		kind: Kind::Historical(&OCTOBER_2025),
	},
	Scenario {
		name: "gap",
		summary: "BTC and ETH gap down by --shock percent (default 30) in one block",
		kind: Kind::Gap,
	},
	Scenario {
		name: "slide",
		summary: "BTC and ETH slide by --shock percent (default 2) a block for 30 blocks",
		kind: Kind::Slide,
	},
	Scenario {
		name: "monte-carlo",
		summary: "seeded correlated GBM with jumps (BTC, ETH, SOL, ALT); correlations spike \
		          to --correlation-spike in a crash",
		kind: Kind::MonteCarlo,
	},
];

/// The scenario called `name`.
pub fn find(name: &str) -> Option<&'static Scenario> {
	SCENARIOS.iter().find(|s| s.name == name)
}

/// The price at `hour` on log-linear segments between `points`.
pub fn interpolate(points: &[(f64, f64)], hour: f64) -> f64 {
	let Some(first) = points.first() else { return 0.0 };
	if hour <= first.0 {
		return first.1;
	}
	for pair in points.windows(2) {
		let ((h0, p0), (h1, p1)) = (pair[0], pair[1]);
		if hour <= h1 {
			let t = if h1 > h0 { (hour - h0) / (h1 - h0) } else { 1.0 };
			return (p0.ln() + t * (p1.ln() - p0.ln())).exp();
		}
	}
	points.last().map(|p| p.1).unwrap_or_default()
}

fn historical(h: &Historical) -> Path {
	let blocks = h.blocks.max(1);
	let prices = (0..=blocks)
		.map(|b| {
			let hour = h.hours * b as f64 / blocks as f64;
			h.assets.iter().map(|a| interpolate(a.points, hour)).collect()
		})
		.collect();
	Path {
		symbols: h.assets.iter().map(|a| a.symbol.to_string()).collect(),
		weights: h.assets.iter().map(|a| a.weight).collect(),
		prices,
		minutes_per_block: h.hours * 60.0 / blocks as f64,
		long_share: h.long_share,
		source: format!("{}: {}", h.title, h.source.0),
	}
}

/// The starting prices of the synthetic scenarios (the dev chain's).
const SYNTHETIC_START: [f64; 2] = [65_000.0, 3_200.0];
/// Blocks at the starting prices before a synthetic shock.
const SYNTHETIC_LEAD: usize = 10;
/// Blocks after a synthetic shock at its last price.
const SYNTHETIC_HOLD: usize = 60;
/// Blocks of a slide.
const SLIDE_BLOCKS: usize = 30;

fn synthetic(per_block_fraction: f64, blocks: usize, summary: &str) -> Path {
	let mut prices = Vec::new();
	let mut level = 1.0;
	for b in 0..(SYNTHETIC_LEAD + blocks + SYNTHETIC_HOLD) {
		if b >= SYNTHETIC_LEAD && b < SYNTHETIC_LEAD + blocks {
			level *= 1.0 - per_block_fraction;
		}
		prices.push(SYNTHETIC_START.iter().map(|p| p * level).collect());
	}
	Path {
		symbols: vec!["BTC".into(), "ETH".into()],
		weights: vec![0.6, 0.4],
		prices,
		minutes_per_block: 0.1,
		long_share: 0.6,
		source: summary.to_string(),
	}
}

/// The Monte Carlo model's assets: ticker, start price, annual volatility,
/// the asset's multiple of a common jump, and the traders' share.
const MC_ASSETS: [(&str, f64, f64, f64, f64); 4] = [
	("BTC", 65_000.0, 0.60, 1.0, 0.35),
	("ETH", 3_200.0, 0.80, 1.3, 0.30),
	("SOL", 150.0, 1.00, 1.6, 0.20),
	("ALT", 2.0, 1.40, 2.2, 0.15),
];
/// The calm correlations of the Monte Carlo assets.
const MC_CORRELATION: [[f64; 4]; 4] = [
	[1.0, 0.80, 0.70, 0.50],
	[0.80, 1.0, 0.75, 0.55],
	[0.70, 0.75, 1.0, 0.60],
	[0.50, 0.55, 0.60, 1.0],
];
/// Simulated hours per block.
const MC_HOURS_PER_BLOCK: f64 = 1.0;
/// Jumps per block (one in 120 hours on average).
const MC_JUMP_RATE: f64 = 1.0 / 120.0;
/// The common jump's log-size: mean and standard deviation.
const MC_JUMP_MEAN: f64 = -0.12;
const MC_JUMP_SD: f64 = 0.06;
/// Blocks a crash regime lasts after a jump (correlations spiked, volatility
/// multiplied by [`MC_CRASH_VOL`]).
const MC_CRASH_BLOCKS: usize = 24;
const MC_CRASH_VOL: f64 = 2.5;
/// Monte Carlo blocks by default.
pub const MC_DEFAULT_BLOCKS: usize = 360;

fn monte_carlo(params: &PathParams) -> Result<Path, String> {
	let n = MC_ASSETS.len();
	let calm: Vec<Vec<f64>> = MC_CORRELATION.iter().map(|r| r.to_vec()).collect();
	let spike = params.correlation_spike.clamp(0.0, 0.999);
	let crash: Vec<Vec<f64>> = (0..n)
		.map(|i| (0..n).map(|j| if i == j { 1.0 } else { spike.max(calm[i][j]) }).collect())
		.collect();
	let calm_l = cholesky(&calm).ok_or("the calm correlation matrix is not positive definite")?;
	let crash_l = cholesky(&crash)
		.ok_or("the crash correlation matrix is not positive definite (lower the spike)")?;
	let blocks = params.blocks.unwrap_or(MC_DEFAULT_BLOCKS);
	let mut rng = Rng::new(params.seed ^ 0x6d6f_6e74_652d_6361);
	let dt = MC_HOURS_PER_BLOCK / (365.0 * 24.0);
	let mut log_prices: Vec<f64> = MC_ASSETS.iter().map(|a| a.1.ln()).collect();
	let mut prices = vec![MC_ASSETS.iter().map(|a| a.1).collect::<Vec<_>>()];
	let mut crash_left = 0usize;
	for _ in 0..blocks {
		let jumps = rng.poisson(MC_JUMP_RATE);
		let jump: f64 = (0..jumps).map(|_| MC_JUMP_MEAN + MC_JUMP_SD * rng.normal()).sum();
		if jumps > 0 {
			crash_left = MC_CRASH_BLOCKS;
		}
		let (l, vol) = if crash_left > 0 {
			crash_left -= 1;
			(&crash_l, MC_CRASH_VOL)
		} else {
			(&calm_l, 1.0)
		};
		let z: Vec<f64> = (0..n).map(|_| rng.normal()).collect();
		let shocks = correlate(l, &z);
		for (i, asset) in MC_ASSETS.iter().enumerate() {
			let sigma = asset.2 * vol;
			// Zero drift in the price: the log drifts by -σ²/2.
			log_prices[i] +=
				-0.5 * sigma * sigma * dt + sigma * dt.sqrt() * shocks[i] + asset.3 * jump;
		}
		prices.push(log_prices.iter().map(|l| l.exp()).collect());
	}
	Ok(Path {
		symbols: MC_ASSETS.iter().map(|a| a.0.to_string()).collect(),
		weights: MC_ASSETS.iter().map(|a| a.4).collect(),
		prices,
		minutes_per_block: MC_HOURS_PER_BLOCK * 60.0,
		long_share: 0.55,
		source: format!(
			"Monte Carlo, seed {}: GBM at annual volatilities BTC 60%, ETH 80%, SOL 100%, \
			 ALT 140%, calm correlations 0.5-0.8; common jumps one in {:.0} hours of log-size \
			 N({MC_JUMP_MEAN}, {MC_JUMP_SD}) times 1.0/1.3/1.6/2.2; for {MC_CRASH_BLOCKS} \
			 blocks after a jump correlations go to {spike} and volatility x{MC_CRASH_VOL}; \
			 one hour a block",
			params.seed,
			1.0 / MC_JUMP_RATE
		),
	})
}

/// The path of `scenario` with `params`.
pub fn path(scenario: &Scenario, params: &PathParams) -> Result<Path, String> {
	match &scenario.kind {
		Kind::Historical(h) => Ok(historical(h)),
		Kind::Gap => {
			let shock = params.shock.unwrap_or(30.0);
			if !(0.0..100.0).contains(&shock) {
				return Err(format!("--shock {shock}: a gap is between 0 and 100 percent"));
			}
			Ok(synthetic(
				shock / 100.0,
				1,
				&format!("synthetic: BTC and ETH -{shock}% in one block"),
			))
		},
		Kind::Slide => {
			let shock = params.shock.unwrap_or(2.0);
			if !(0.0..100.0).contains(&shock) {
				return Err(format!("--shock {shock}: a slide step is between 0 and 100 percent"));
			}
			Ok(synthetic(
				shock / 100.0,
				SLIDE_BLOCKS,
				&format!("synthetic: BTC and ETH -{shock}% a block for {SLIDE_BLOCKS} blocks"),
			))
		},
		Kind::MonteCarlo => monte_carlo(params),
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn params(seed: u64) -> PathParams {
		PathParams { seed, shock: None, blocks: Some(200), correlation_spike: 0.95 }
	}

	#[test]
	fn interpolation_passes_through_the_waypoints() {
		let points = [(0.0, 100.0), (10.0, 50.0), (20.0, 200.0)];
		assert_eq!(interpolate(&points, -1.0), 100.0);
		assert!((interpolate(&points, 10.0) - 50.0).abs() < 1e-9);
		assert!((interpolate(&points, 5.0) - 70.710_678).abs() < 1e-5);
		assert_eq!(interpolate(&points, 99.0), 200.0);
	}

	#[test]
	fn march_2020_falls_about_half_peak_to_trough() {
		let path = path(find("march-2020").unwrap(), &params(0)).unwrap();
		let btc: Vec<f64> = path.prices.iter().map(|p| p[0]).collect();
		let peak = btc.iter().cloned().fold(f64::MIN, f64::max);
		let trough = btc.iter().cloned().fold(f64::MAX, f64::min);
		let drawdown = 1.0 - trough / peak;
		assert!((0.45..0.55).contains(&drawdown), "drawdown {drawdown}");
	}

	#[test]
	fn monte_carlo_is_reproducible_by_seed() {
		let mc = find("monte-carlo").unwrap();
		let a = path(mc, &params(11)).unwrap();
		let b = path(mc, &params(11)).unwrap();
		let c = path(mc, &params(12)).unwrap();
		assert_eq!(a.prices, b.prices);
		assert_ne!(a.prices, c.prices);
		assert_eq!(a.prices.len(), 201);
		assert!(a.prices.iter().flatten().all(|p| p.is_finite() && *p > 0.0));
	}

	#[test]
	fn a_gap_drops_every_asset_once() {
		let gap = find("gap").unwrap();
		let p = path(gap, &PathParams { shock: Some(40.0), ..params(0) }).unwrap();
		let before = &p.prices[SYNTHETIC_LEAD - 1];
		let after = &p.prices[SYNTHETIC_LEAD];
		for (b, a) in before.iter().zip(after) {
			assert!((a / b - 0.6).abs() < 1e-12);
		}
		assert!(path(gap, &PathParams { shock: Some(120.0), ..params(0) }).is_err());
	}
}
