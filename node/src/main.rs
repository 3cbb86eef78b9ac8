//! The Backstop validator node.

#![warn(missing_docs)]
// `sc_cli::Error` and `sc_service::Error` are the node framework's error types,
// large by design; every subcommand returns them.
#![allow(clippy::result_large_err)]

mod chain_spec;
mod cli;
mod command;
mod keeper;
mod price_feeder;
mod rpc;
mod service;

fn main() {
	if let Err(error) = command::run() {
		// Print the error plainly (no panic trace) and exit non-zero.
		eprintln!("Error: {error}");
		std::process::exit(1);
	}
}
