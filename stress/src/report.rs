//! The report: a summary in Markdown and JSON and a CSV row per block.

use crate::sim::{Row, Sim};
use serde_json::{json, Value};
use std::fmt::Write as _;
use std::path::Path;

/// The summary figures of a run.
pub struct Summary {
	pub json: Value,
	pub markdown: String,
}

fn median(sorted: &[u32]) -> Option<f64> {
	match sorted.len() {
		0 => None,
		n if !n.is_multiple_of(2) => Some(f64::from(sorted[n / 2])),
		n => Some((f64::from(sorted[n / 2 - 1]) + f64::from(sorted[n / 2])) / 2.0),
	}
}

/// The largest fall from a running peak: `(absolute, fraction of the peak)`.
pub fn drawdown(values: impl Iterator<Item = f64>) -> (f64, f64) {
	let mut peak = f64::MIN;
	let (mut abs, mut rel) = (0.0f64, 0.0f64);
	for v in values {
		peak = peak.max(v);
		if peak > 0.0 {
			abs = abs.max(peak - v);
			rel = rel.max((peak - v) / peak);
		}
	}
	(abs, rel)
}

fn money(x: f64) -> String {
	let whole = x.abs().round() as u128;
	let negative = x < 0.0 && whole > 0;
	let digits = whole.to_string();
	let mut out = String::new();
	for (i, c) in digits.chars().enumerate() {
		if i > 0 && (digits.len() - i).is_multiple_of(3) {
			out.push(',');
		}
		out.push(c);
	}
	format!("{}${out}", if negative { "-" } else { "" })
}

/// The summary of `sim` (after its run); `seconds` is the wall time.
pub fn summarize(sim: &Sim, scenario: &str, seed: u64, seconds: f64) -> Summary {
	let t = &sim.totals;
	let rows = &sim.rows;
	let after_setup: Vec<&Row> = rows.iter().filter(|r| r.phase != "setup").collect();
	let mut latencies = t.latencies.clone();
	latencies.sort_unstable();
	let mut waiting = sim.still_liquidatable();
	waiting.sort_unstable();
	let deficit_left = rows.last().map(|r| r.deficit).unwrap_or_default();
	let covered =
		t.insurance_covered + t.staking_covered + t.lp_covered + t.adl_taken + t.deficit_paid;
	let unaccounted = t.bad_debt - covered - deficit_left;
	let (ins_dd, ins_dd_rel) = drawdown(after_setup.iter().map(|r| r.insurance));
	let (nav_dd, nav_dd_rel) = drawdown(after_setup.iter().map(|r| r.lp_nav));
	let (_, share_dd_rel) = drawdown(after_setup.iter().map(|r| r.lp_share_price));
	let staked = t.junior_staked + t.senior_staked;
	let staker_loss = t.junior_slashed + t.senior_slashed;
	let coverage: Vec<f64> = after_setup.iter().filter_map(|r| r.coverage).collect();
	let coverage_min = coverage.iter().cloned().fold(f64::INFINITY, f64::min);
	let blocks = rows.len();
	let blocks_per_second = if seconds > 0.0 { blocks as f64 / seconds } else { 0.0 };
	let first = after_setup.first();
	let last = rows.last();
	let violation = sim.violation.as_ref().map(|v| {
		json!({ "block": v.block, "step": v.phase, "message": v.message, "state": last.map(row_json) })
	});
	let worst_liquidatable = after_setup.iter().map(|r| r.liquidatable).max().unwrap_or(0);
	let json = json!({
		"scenario": scenario,
		"source": sim.path.source,
		"seed": seed,
		"assets": sim.path.symbols,
		"minutes_per_block": sim.path.minutes_per_block,
		"accounts": {
			"traders": sim.book.traders.len(),
			"lps": sim.book.lps.len(),
			"stakers": sim.book.stakers.len(),
		},
		"blocks": { "total": blocks, "setup": sim.setup_blocks },
		"wall_seconds": seconds,
		"blocks_per_second": blocks_per_second,
		"invariants_held": sim.violation.is_none(),
		"violation": violation,
		"trades": { "opened": t.trades_ok, "refused": t.trades_refused },
		"refusals": t.refusals,
		"bad_debt": t.bad_debt,
		"covered": {
			"insurance_fund": t.insurance_covered,
			"staking_backstop": t.staking_covered,
			"shared_liquidity": t.lp_covered,
			"auto_deleveraging": t.adl_taken,
			"paid_by_anyone": t.deficit_paid,
		},
		"deficit_left": deficit_left,
		"unaccounted": unaccounted,
		"auto_deleveraging": {
			"amount": t.adl_taken,
			"accounts": t.adl_accounts.len(),
			"closes": t.adl_events,
			"profit_cap_closes": t.profit_deleveraged_events,
		},
		"liquidations": {
			"count": t.liquidations,
			"accounts": t.liquidated_accounts.len(),
			"bankrupt": t.bankrupt_liquidations,
			"by_keeper": t.keeper_liquidations,
			"by_sweep": t.sweep_liquidations,
			"penalties": t.penalties,
			"latency_blocks": {
				"median": median(&latencies),
				"max": latencies.last(),
			},
			"most_liquidatable_at_once": worst_liquidatable,
			"still_liquidatable_at_end": waiting.len(),
			"longest_wait_at_end_blocks": waiting.last(),
		},
		"insurance": {
			"start": first.map(|r| r.insurance),
			"end": last.map(|r| r.insurance),
			"max_drawdown": ins_dd,
			"max_drawdown_fraction": ins_dd_rel,
		},
		"options": {
			"premiums_paid": t.options_premiums,
			"purchases": t.options_purchases,
			"payouts_received": t.options_payouts,
			"early_exercises": t.options_exercises,
			"protection_at_50_end": last.map(|r| r.protection_at_50),
		},
		"lp": {
			"nav_start": first.map(|r| r.lp_nav),
			"nav_end": last.map(|r| r.lp_nav),
			"nav_max_drawdown": nav_dd,
			"nav_max_drawdown_fraction": nav_dd_rel,
			"share_price_max_drawdown_fraction": share_dd_rel,
		},
		"stakers": {
			"staked": staked,
			"junior_staked": t.junior_staked,
			"senior_staked": t.senior_staked,
			"junior_slashed": t.junior_slashed,
			"senior_slashed": t.senior_slashed,
			"loss": staker_loss,
			"loss_fraction": if staked > 0.0 { staker_loss / staked } else { 0.0 },
			"junior_end": last.map(|r| r.junior),
			"senior_end": last.map(|r| r.senior),
		},
		"coverage": {
			"start": first.and_then(|r| r.coverage),
			"min": if coverage.is_empty() { None } else { Some(coverage_min) },
			"end": last.and_then(|r| r.coverage),
		},
	});

	let mut md = String::new();
	let _ = writeln!(md, "# backstop-stress: {scenario}\n");
	let _ = writeln!(md, "{}\n", sim.path.source);
	let _ = writeln!(
		md,
		"{} traders ({} opened, {} refused), {} LPs, {} stakers; seed {seed}; {} blocks \
		 ({} of setup), {:.1} historical minutes a block; {:.1} s, {:.1} blocks/s.\n",
		sim.book.traders.len(),
		t.trades_ok,
		t.trades_refused,
		sim.book.lps.len(),
		sim.book.stakers.len(),
		blocks,
		sim.setup_blocks,
		sim.path.minutes_per_block,
		seconds,
		blocks_per_second
	);
	match &sim.violation {
		None => {
			let _ = writeln!(
				md,
				"**Invariants:** every pallet's `try_state`, the solvency check and the \
				 settlement supply held after each of the {blocks} blocks.\n"
			);
		},
		Some(v) => {
			let _ = writeln!(
				md,
				"**INVARIANT VIOLATED** at block {} ({}): {}\n\nThe run stopped there; the \
				 state of that block is the last CSV row and `violation.state` in the JSON.\n",
				v.block, v.phase, v.message
			);
		},
	}
	let _ = writeln!(md, "| figure | value |\n| --- | --- |");
	let mut line = |k: &str, v: String| {
		let _ = writeln!(md, "| {k} | {v} |");
	};
	line("bad debt", money(t.bad_debt));
	line("covered by the insurance fund", money(t.insurance_covered));
	line("covered by the staking backstop", money(t.staking_covered));
	line("covered by the shared liquidity (LPs)", money(t.lp_covered));
	line(
		"auto-deleveraged",
		format!(
			"{} from {} accounts ({} closes)",
			money(t.adl_taken),
			t.adl_accounts.len(),
			t.adl_events
		),
	);
	line(
		"profitable positions cut by the max-PnL cap (ProfitDeleveraged)",
		t.profit_deleveraged_events.to_string(),
	);
	line("deficit paid by anyone", money(t.deficit_paid));
	line("deficit left", money(deficit_left));
	line("bad debt not accounted for", money(unaccounted));
	line(
		"liquidations",
		format!(
			"{} ({} accounts, {} bankrupt; {} by the keeper, {} by the sweep)",
			t.liquidations,
			t.liquidated_accounts.len(),
			t.bankrupt_liquidations,
			t.keeper_liquidations,
			t.sweep_liquidations
		),
	);
	line(
		"latency liquidatable to liquidated (blocks)",
		match (median(&latencies), latencies.last()) {
			(Some(m), Some(x)) => format!("median {m}, max {x}"),
			_ => "none".into(),
		},
	);
	line("most accounts liquidatable at a block's end", worst_liquidatable.to_string());
	line(
		"still liquidatable at the end",
		match waiting.last() {
			Some(w) => format!("{} (longest waiting {w} blocks)", waiting.len()),
			None => "0".into(),
		},
	);
	line(
		"insurance fund",
		format!(
			"{} → {}, max drawdown {} ({:.1}%)",
			money(first.map(|r| r.insurance).unwrap_or_default()),
			money(last.map(|r| r.insurance).unwrap_or_default()),
			money(ins_dd),
			ins_dd_rel * 100.0
		),
	);
	line(
		"options backstop (the insurance fund's put spreads)",
		format!(
			"{} premiums in {} purchases; {} paid out ({} early exercises); open protection at a 50% fall at the end {}",
			money(t.options_premiums),
			t.options_purchases,
			money(t.options_payouts),
			t.options_exercises,
			money(last.map(|r| r.protection_at_50).unwrap_or_default()),
		),
	);
	line(
		"LP NAV",
		format!(
			"{} → {}, max drawdown {} ({:.2}%); share price max drawdown {:.2}%",
			money(first.map(|r| r.lp_nav).unwrap_or_default()),
			money(last.map(|r| r.lp_nav).unwrap_or_default()),
			money(nav_dd),
			nav_dd_rel * 100.0,
			share_dd_rel * 100.0
		),
	);
	line(
		"staker loss",
		format!(
			"{} of {} staked ({:.1}%): junior {}, senior {}",
			money(staker_loss),
			money(staked),
			if staked > 0.0 { staker_loss / staked * 100.0 } else { 0.0 },
			money(t.junior_slashed),
			money(t.senior_slashed)
		),
	);
	let fmt_cov = |c: Option<f64>| c.map(|c| format!("{c:.2}")).unwrap_or_else(|| "-".into());
	line(
		"coverage (stakers ÷ stressed required capital)",
		format!(
			"start {}, min {}, end {}",
			fmt_cov(first.and_then(|r| r.coverage)),
			fmt_cov(if coverage.is_empty() { None } else { Some(coverage_min) }),
			fmt_cov(last.and_then(|r| r.coverage))
		),
	);
	if !t.refusals.is_empty() {
		let _ = writeln!(md, "\nRefused calls:\n");
		let mut refusals: Vec<_> = t.refusals.iter().collect();
		refusals.sort();
		for (reason, n) in refusals {
			let _ = writeln!(md, "- {reason}: {n}");
		}
	}
	let _ = writeln!(
		md,
		"\nFiles: `blocks.csv` (one row per block), `summary.json`, and the figure \
		 `overview.svg` / `overview.png` (prices, insurance fund and tranches, LP NAV, bad \
		 debt by tier)."
	);
	Summary { json, markdown: md }
}

fn row_json(r: &Row) -> Value {
	json!({
		"block": r.block, "phase": r.phase, "prices": r.prices, "liquidations": r.liquidations,
		"liquidatable": r.liquidatable, "bad_debt": r.bad_debt, "deficit": r.deficit,
		"insurance": r.insurance, "junior": r.junior, "senior": r.senior, "lp_nav": r.lp_nav,
		"coverage": r.coverage, "open_interest": r.open_interest,
		"options_payout": r.options_payout, "protection_at_50": r.protection_at_50,
	})
}

/// The CSV of the rows.
pub fn csv(symbols: &[String], rows: &[Row]) -> String {
	let mut out = String::from("block,phase");
	for s in symbols {
		let _ = write!(out, ",price_{s}");
	}
	out.push_str(
		",liquidations,bankrupt,liquidatable,bad_debt,insurance_covered,staking_covered,\
		 lp_covered,adl_taken,deficit,insurance,junior,senior,lp_nav,lp_share_price,coverage,\
		 open_interest,profit_deleveraged,block_weight_fraction,options_payout,protection_at_50\n",
	);
	for r in rows {
		let _ = write!(out, "{},{}", r.block, r.phase.replace(',', ";"));
		for p in &r.prices {
			let _ = write!(out, ",{p}");
		}
		let _ = writeln!(
			out,
			",{},{},{},{:.6},{:.6},{:.6},{:.6},{:.6},{:.6},{:.6},{:.6},{:.6},{:.6},{:.9},{},{:.2},{},{:.4},{:.6},{:.6}",
			r.liquidations,
			r.bankrupt,
			r.liquidatable,
			r.bad_debt,
			r.insurance_covered,
			r.staking_covered,
			r.lp_covered,
			r.adl_taken,
			r.deficit,
			r.insurance,
			r.junior,
			r.senior,
			r.lp_nav,
			r.lp_share_price,
			r.coverage.map(|c| format!("{c:.4}")).unwrap_or_default(),
			r.open_interest,
			r.profit_deleveraged,
			r.weight_ratio,
			r.options_payout,
			r.protection_at_50
		);
	}
	out
}

/// Writes `summary.md`, `summary.json` and `blocks.csv` into `dir`.
pub fn write(dir: &Path, summary: &Summary, csv: &str) -> std::io::Result<()> {
	std::fs::create_dir_all(dir)?;
	std::fs::write(dir.join("summary.md"), &summary.markdown)?;
	let json = serde_json::to_string_pretty(&summary.json).unwrap_or_default();
	std::fs::write(dir.join("summary.json"), json + "\n")?;
	std::fs::write(dir.join("blocks.csv"), csv)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn drawdown_is_from_the_running_peak() {
		let (abs, rel) = drawdown([100.0, 120.0, 90.0, 130.0, 117.0].into_iter());
		assert_eq!(abs, 30.0);
		assert!((rel - 0.25).abs() < 1e-12);
		assert_eq!(median(&[1, 2, 3, 10]), Some(2.5));
		assert_eq!(median(&[]), None);
		assert_eq!(money(1_234_567.4), "$1,234,567");
		assert_eq!(money(-12.0), "-$12");
	}
}
