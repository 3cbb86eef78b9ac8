//! The command line: `help`, `list`, `run SCENARIO [options]`.

use std::path::PathBuf;

/// The most accounts a run simulates.
pub const MAX_ACCOUNTS: u32 = 20_000;
/// The fewest.
pub const MIN_ACCOUNTS: u32 = 10;

/// The help text.
pub const HELP: &str = "\
backstop-stress: the real Backstop runtime, natively, through historical crashes and
correlated multi-asset shocks, with thousands of traders, LPs and stakers; every
pallet's try_state, the cross-pallet solvency check and the settlement supply are
checked after every block, and the run stops at the first violation.

USAGE:
    backstop-stress list
    backstop-stress run SCENARIO [OPTIONS]
    backstop-stress help | --help | -h

COMMANDS:
    list        the scenarios, with their sources
    run         simulate SCENARIO and write the report
    help        this text

OPTIONS (run):
    --accounts N            traders (default 2000; 10 to 20000); LPs are 1 in 100
                            of them (at least 5), stakers 1 in 200 (at least 4)
    --seed S                seed of the traders' book and of the Monte Carlo
                            path (default 1; unsigned 64-bit)
    --out DIR               where the report goes (default stress-out/SCENARIO)
    --shock P               gap: percent in one block (default 30); slide: percent
                            a block for 30 blocks (default 2)
    --blocks B              monte-carlo: blocks to simulate (default 360)
    --correlation-spike R   monte-carlo: the correlation of every pair in a crash
                            regime (default 0.95, 0 to 0.999)
    --quiet                 no progress bar

OUTPUT (in DIR):
    summary.md, summary.json   bad debt; what each tier covered; auto-deleveraged
                               amount and accounts; deficit left; liquidations and
                               their latency in blocks (liquidatable to liquidated);
                               insurance and LP NAV drawdown; staker loss; coverage
    blocks.csv                 one row per block
    *.svg, *.png               price, insurance fund, tranches, LP NAV, bad debt by tier

EXIT STATUS:
    0 the run ended with every invariant holding; 1 an invariant was violated or the
    runtime panicked (the report says at which block and step); 2 bad arguments.
";

/// What to do.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
	/// Print the help.
	Help,
	/// List the scenarios.
	List,
	/// Run a scenario.
	Run(RunArgs),
}

/// The options of `run`.
#[derive(Clone, Debug, PartialEq)]
pub struct RunArgs {
	/// The scenario's name.
	pub scenario: String,
	/// Traders.
	pub accounts: u32,
	/// The seed.
	pub seed: u64,
	/// The report's directory.
	pub out: PathBuf,
	/// Gap or slide size (percent).
	pub shock: Option<f64>,
	/// Monte Carlo blocks.
	pub blocks: Option<usize>,
	/// Monte Carlo correlation spike.
	pub correlation_spike: f64,
	/// No progress bar.
	pub quiet: bool,
}

fn value<'a>(flag: &str, it: &mut impl Iterator<Item = &'a String>) -> Result<&'a String, String> {
	it.next().ok_or_else(|| format!("{flag} needs a value"))
}

fn number<T: std::str::FromStr>(flag: &str, raw: &str) -> Result<T, String> {
	raw.parse().map_err(|_| format!("{flag} {raw}: not a valid number"))
}

/// Parses the arguments after the program's name.
pub fn parse(args: &[String]) -> Result<Command, String> {
	let mut it = args.iter();
	let Some(command) = it.next() else { return Ok(Command::Help) };
	match command.as_str() {
		"help" | "--help" | "-h" => Ok(Command::Help),
		"list" => match it.next() {
			None => Ok(Command::List),
			Some(extra) => Err(format!("list takes no arguments (got {extra})")),
		},
		"run" => {
			let mut scenario: Option<String> = None;
			let mut run = RunArgs {
				scenario: String::new(),
				accounts: 2_000,
				seed: 1,
				out: PathBuf::new(),
				shock: None,
				blocks: None,
				correlation_spike: 0.95,
				quiet: false,
			};
			let mut out: Option<PathBuf> = None;
			while let Some(arg) = it.next() {
				match arg.as_str() {
					"--accounts" => {
						let n: u32 = number(arg, value(arg, &mut it)?)?;
						if !(MIN_ACCOUNTS..=MAX_ACCOUNTS).contains(&n) {
							return Err(format!(
								"--accounts {n}: between {MIN_ACCOUNTS} and {MAX_ACCOUNTS}"
							));
						}
						run.accounts = n;
					},
					"--seed" => run.seed = number(arg, value(arg, &mut it)?)?,
					"--out" => out = Some(PathBuf::from(value(arg, &mut it)?)),
					"--shock" => {
						let p: f64 = number(arg, value(arg, &mut it)?)?;
						if !(p > 0.0 && p < 100.0) {
							return Err(format!("--shock {p}: a percentage above 0 and below 100"));
						}
						run.shock = Some(p);
					},
					"--blocks" => {
						let b: usize = number(arg, value(arg, &mut it)?)?;
						if !(1..=100_000).contains(&b) {
							return Err(format!("--blocks {b}: between 1 and 100000"));
						}
						run.blocks = Some(b);
					},
					"--correlation-spike" => {
						let r: f64 = number(arg, value(arg, &mut it)?)?;
						if !(0.0..=0.999).contains(&r) {
							return Err(format!("--correlation-spike {r}: between 0 and 0.999"));
						}
						run.correlation_spike = r;
					},
					"--quiet" => run.quiet = true,
					flag if flag.starts_with('-') => {
						return Err(format!("unknown option {flag}"));
					},
					name => {
						if let Some(first) = &scenario {
							return Err(format!("one scenario at a time (got {first} and {name})"));
						}
						if crate::scenarios::find(name).is_none() {
							return Err(format!(
								"unknown scenario {name} (`backstop-stress list` shows them)"
							));
						}
						scenario = Some(name.to_string());
					},
				}
			}
			let Some(scenario) = scenario else {
				return Err("run needs a SCENARIO (`backstop-stress list` shows them)".into());
			};
			run.out = out.unwrap_or_else(|| PathBuf::from("stress-out").join(&scenario));
			run.scenario = scenario;
			Ok(Command::Run(run))
		},
		other => Err(format!("unknown command {other} (try --help)")),
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn args(s: &str) -> Vec<String> {
		s.split_whitespace().map(String::from).collect()
	}

	#[test]
	fn run_takes_its_options() {
		let Ok(Command::Run(run)) = parse(&args(
			"run monte-carlo --accounts 300 --seed 9 --out /tmp/x --blocks 50 --correlation-spike 0.9 --quiet",
		)) else {
			panic!("a run")
		};
		assert_eq!(run.scenario, "monte-carlo");
		assert_eq!(run.accounts, 300);
		assert_eq!(run.seed, 9);
		assert_eq!(run.out, PathBuf::from("/tmp/x"));
		assert_eq!(run.blocks, Some(50));
		assert_eq!(run.correlation_spike, 0.9);
		assert!(run.quiet);
	}

	#[test]
	fn defaults_and_help() {
		let Ok(Command::Run(run)) = parse(&args("run gap")) else { panic!("a run") };
		assert_eq!(run.accounts, 2_000);
		assert_eq!(run.seed, 1);
		assert_eq!(run.out, PathBuf::from("stress-out/gap"));
		assert_eq!(parse(&args("--help")), Ok(Command::Help));
		assert_eq!(parse(&[]), Ok(Command::Help));
		assert_eq!(parse(&args("list")), Ok(Command::List));
	}

	#[test]
	fn bad_arguments_are_refused_with_a_reason() {
		for (line, needle) in [
			("run", "needs a SCENARIO"),
			("run nowhere", "unknown scenario"),
			("run gap --accounts", "needs a value"),
			("run gap --accounts many", "not a valid number"),
			("run gap --accounts 5", "between"),
			("run gap --accounts 1000000", "between"),
			("run gap --seed -1", "not a valid number"),
			("run gap --shock 150", "percentage"),
			("run gap --frobnicate", "unknown option"),
			("run gap slide", "one scenario at a time"),
			("run monte-carlo --correlation-spike 1.5", "between 0 and 0.999"),
			("list extra", "no arguments"),
			("fly", "unknown command"),
		] {
			match parse(&args(line)) {
				Err(e) => assert!(e.contains(needle), "{line}: {e}"),
				Ok(c) => panic!("{line} was accepted: {c:?}"),
			}
		}
	}
}
