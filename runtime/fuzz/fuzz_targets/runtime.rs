//! libFuzzer target: each input is a sequence of steps run by
//! `backstop_runtime::fuzzing::Fuzzer` on a fresh development chain; any
//! violated invariant panics and is reported as a crash.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
	let stats = backstop_runtime::fuzzing::Fuzzer::new().run(data);
	backstop_runtime::fuzzing::record(&stats);
});
