//! The figure of a run (`plotters`): four panels — prices (indexed to 100
//! at the start of the path), the insurance fund and the staking tranches,
//! the LP pool's NAV, and the bad debt with what each tier covered
//! (cumulative) — as SVG and PNG.
//!
//! Text needs a font: the simulator reads DejaVu Sans from Debian's
//! `fonts-dejavu-core` (`/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf`)
//! or the file named by `BACKSTOP_STRESS_FONT`; without one the figures are
//! drawn without text (nothing is bundled).

use crate::sim::Row;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;

/// Where a font is looked for.
const FONT_PATHS: [&str; 2] =
	["/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/dejavu/DejaVuSans.ttf"];

/// Registers a font for text once; `false` if none was found.
pub fn load_font() -> bool {
	static LOADED: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
	*LOADED.get_or_init(|| {
		let from_env = std::env::var("BACKSTOP_STRESS_FONT").ok();
		for path in from_env.iter().map(String::as_str).chain(FONT_PATHS) {
			if let Ok(bytes) = std::fs::read(path) {
				let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
				if plotters::style::register_font("sans-serif", FontStyle::Normal, bytes).is_ok() {
					return true;
				}
			}
		}
		false
	})
}

fn err<E: std::fmt::Debug>(e: E) -> String {
	format!("{e:?}")
}

/// One line of a panel.
struct Line {
	label: String,
	points: Vec<(f64, f64)>,
}

fn range(lines: &[Line]) -> (f64, f64, f64, f64) {
	let all = lines.iter().flat_map(|l| l.points.iter());
	let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
	for (x, y) in all {
		x0 = x0.min(*x);
		x1 = x1.max(*x);
		y0 = y0.min(*y);
		y1 = y1.max(*y);
	}
	if x0 > x1 {
		return (0.0, 1.0, 0.0, 1.0);
	}
	if x1 <= x0 {
		x1 = x0 + 1.0;
	}
	let pad = ((y1 - y0) * 0.05).max(1e-9);
	if y1 - y0 < 1e-9 {
		return (x0, x1, y0 - 1.0, y1 + 1.0);
	}
	(x0, x1, y0 - pad, y1 + pad)
}

fn panel<DB: DrawingBackend>(
	area: &DrawingArea<DB, Shift>,
	title: &str,
	y_desc: &str,
	lines: &[Line],
	text: bool,
) -> Result<(), String> {
	let (x0, x1, y0, y1) = range(lines);
	let mut builder = ChartBuilder::on(area);
	builder.margin(12);
	if text {
		builder.caption(title, ("sans-serif", 20)).x_label_area_size(32).y_label_area_size(80);
	} else {
		builder.x_label_area_size(4).y_label_area_size(4);
	}
	let mut chart = builder.build_cartesian_2d(x0..x1, y0..y1).map_err(err)?;
	let mut mesh = chart.configure_mesh();
	// No minor grid: clearer figures and much smaller PNGs.
	mesh.light_line_style(WHITE);
	if text {
		mesh.x_desc("block")
			.y_desc(y_desc)
			.label_style(("sans-serif", 13))
			.x_label_formatter(&|v: &f64| format!("{v:.0}"))
			.y_label_formatter(&|v: &f64| {
				let a = v.abs();
				if a >= 1e6 {
					format!("{:.3}M", v / 1e6)
				} else if a >= 1e3 {
					format!("{:.1}k", v / 1e3)
				} else {
					format!("{v:.1}")
				}
			});
	} else {
		mesh.x_labels(0).y_labels(0);
	}
	mesh.draw().map_err(err)?;
	for (i, line) in lines.iter().enumerate() {
		let color = Palette99::pick(i).to_rgba();
		let series = chart
			.draw_series(LineSeries::new(line.points.iter().copied(), color.stroke_width(2)))
			.map_err(err)?;
		if text {
			series.label(line.label.clone()).legend(move |(x, y)| {
				PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2))
			});
		}
	}
	if text {
		chart
			.configure_series_labels()
			.position(SeriesLabelPosition::LowerLeft)
			.label_font(("sans-serif", 13))
			.background_style(WHITE.mix(0.85))
			.border_style(BLACK)
			.draw()
			.map_err(err)?;
	}
	Ok(())
}

fn cumulative(rows: &[&Row], f: impl Fn(&Row) -> f64) -> Vec<(f64, f64)> {
	let mut sum = 0.0;
	rows.iter()
		.map(|r| {
			sum += f(r);
			(f64::from(r.block), sum)
		})
		.collect()
}

fn figure<DB: DrawingBackend>(
	root: DrawingArea<DB, Shift>,
	title: &str,
	symbols: &[String],
	rows: &[&Row],
	text: bool,
) -> Result<(), String> {
	root.fill(&WHITE).map_err(err)?;
	let root = if text { root.titled(title, ("sans-serif", 24)).map_err(err)? } else { root };
	let areas = root.split_evenly((2, 2));
	let start = rows.first().map(|r| r.prices.clone()).unwrap_or_default();
	let prices: Vec<Line> = symbols
		.iter()
		.enumerate()
		.map(|(i, s)| Line {
			label: s.clone(),
			points: rows
				.iter()
				.map(|r| {
					let base = start.get(i).copied().unwrap_or(1.0);
					(f64::from(r.block), 100.0 * r.prices.get(i).copied().unwrap_or(0.0) / base)
				})
				.collect(),
		})
		.collect();
	panel(&areas[0], "Prices (100 = start of the path)", "index", &prices, text)?;
	let series = |label: &str, f: &dyn Fn(&Row) -> f64| Line {
		label: label.into(),
		points: rows.iter().map(|r| (f64::from(r.block), f(r))).collect(),
	};
	panel(
		&areas[1],
		"Insurance fund and staking tranches",
		"USD",
		&[
			series("insurance fund", &|r| r.insurance),
			series("junior tranche", &|r| r.junior),
			series("senior tranche", &|r| r.senior),
		],
		text,
	)?;
	panel(&areas[2], "LP pool NAV", "USD", &[series("LP NAV", &|r| r.lp_nav)], text)?;
	let tiers = [
		("bad debt", cumulative(rows, |r| r.bad_debt)),
		("insurance fund", cumulative(rows, |r| r.insurance_covered)),
		("staking backstop", cumulative(rows, |r| r.staking_covered)),
		("shared liquidity", cumulative(rows, |r| r.lp_covered)),
		("auto-deleveraged", cumulative(rows, |r| r.adl_taken)),
		("deficit pending", rows.iter().map(|r| (f64::from(r.block), r.deficit)).collect()),
	];
	let tiers: Vec<Line> =
		tiers.into_iter().map(|(l, p)| Line { label: l.into(), points: p }).collect();
	panel(&areas[3], "Bad debt and what each tier covered (cumulative)", "USD", &tiers, text)?;
	root.present().map_err(err)
}

/// Draws `overview.svg` and `overview.png` into `dir` from the rows after setup.
pub fn draw(dir: &Path, title: &str, symbols: &[String], rows: &[Row]) -> Result<bool, String> {
	let text = load_font();
	let rows: Vec<&Row> = rows.iter().filter(|r| r.phase != "setup").collect();
	let size = (1400, 1000);
	let svg = dir.join("overview.svg");
	figure(SVGBackend::new(&svg, size).into_drawing_area(), title, symbols, &rows, text)?;
	let png = dir.join("overview.png");
	figure(BitMapBackend::new(&png, size).into_drawing_area(), title, symbols, &rows, text)?;
	Ok(text)
}
