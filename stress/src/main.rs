//! `backstop-stress`: the stress-test simulator of the Backstop runtime.
//! `backstop-stress --help` says everything; the crate's README explains
//! the model.

mod cli;
mod plot;
mod report;
mod rng;
mod scenarios;
mod sim;

use cli::Command;
use std::process::ExitCode;

fn main() -> ExitCode {
	let args: Vec<String> = std::env::args().skip(1).collect();
	match cli::parse(&args) {
		Ok(Command::Help) => {
			print!("{}", cli::HELP);
			ExitCode::SUCCESS
		},
		Ok(Command::List) => {
			list();
			ExitCode::SUCCESS
		},
		Ok(Command::Run(run)) => match execute(&run) {
			Ok(true) => ExitCode::SUCCESS,
			Ok(false) => ExitCode::from(1),
			Err(e) => {
				eprintln!("backstop-stress: {e}");
				ExitCode::from(1)
			},
		},
		Err(e) => {
			eprintln!("backstop-stress: {e}\n(`backstop-stress --help` for the usage)");
			ExitCode::from(2)
		},
	}
}

fn list() {
	for s in scenarios::SCENARIOS {
		println!("{:<14} {}", s.name, s.summary);
		if let scenarios::Kind::Historical(h) = &s.kind {
			println!("{:<14} source: {}", "", h.source.0);
		}
	}
}

/// Runs a scenario and writes its report; `Ok(false)` if an invariant failed.
fn execute(run: &cli::RunArgs) -> Result<bool, String> {
	let scenario = scenarios::find(&run.scenario).ok_or("unknown scenario")?;
	let params = scenarios::PathParams {
		seed: run.seed,
		shock: run.shock,
		blocks: run.blocks,
		correlation_spike: run.correlation_spike,
	};
	let path = scenarios::path(scenario, &params)?;
	let book = sim::Book::new(&path, run.accounts, run.seed);
	let started = std::time::Instant::now();
	let mut sim = sim::Sim::new(path, book)?;
	let bar = if run.quiet {
		indicatif::ProgressBar::hidden()
	} else {
		let bar = indicatif::ProgressBar::new(sim.blocks_after_setup());
		bar.set_style(
			indicatif::ProgressStyle::with_template(
				"{elapsed_precise} [{bar:40}] {pos}/{len} blocks ({per_sec}, eta {eta}) {msg}",
			)
			.map_err(|e| e.to_string())?
			.progress_chars("=> "),
		);
		bar
	};
	bar.set_message("setup: LPs deposit, traders open, stakers stake");
	sim.run(|row| {
		if row.phase != "setup" {
			bar.inc(1);
			bar.set_message(format!(
				"{}: {} liquidatable, bad debt ${:.0}",
				row.phase, row.liquidatable, row.bad_debt
			));
		}
	});
	bar.finish_and_clear();
	let seconds = started.elapsed().as_secs_f64();
	let summary = report::summarize(&sim, &run.scenario, run.seed, seconds);
	let csv = report::csv(&sim.path.symbols, &sim.rows);
	report::write(&run.out, &summary, &csv).map_err(|e| format!("{}: {e}", run.out.display()))?;
	let title =
		format!("backstop-stress {} — {} traders, seed {}", run.scenario, run.accounts, run.seed);
	match plot::draw(&run.out, &title, &sim.path.symbols, &sim.rows) {
		Ok(true) => {},
		Ok(false) => eprintln!("backstop-stress: no font found, the figures have no text"),
		Err(e) => eprintln!("backstop-stress: the figures failed: {e}"),
	}
	print!("{}", summary.markdown);
	println!("\nreport in {}", run.out.display());
	Ok(sim.violation.is_none())
}
