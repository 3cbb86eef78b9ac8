//! The Backstop validator node.

#![warn(missing_docs)]

mod chain_spec;
mod cli;
mod command;
mod dev_feeder;
mod rpc;
mod service;

fn main() {
	if let Err(error) = command::run() {
		// Print the error plainly (no panic trace) and exit non-zero.
		eprintln!("Error: {error}");
		std::process::exit(1);
	}
}
