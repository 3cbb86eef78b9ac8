//! The binary as a user runs it: help, list, bad arguments, and a small run
//! whose report files are all written.

use std::process::Command;

fn stress(args: &[&str]) -> std::process::Output {
	Command::new(env!("CARGO_BIN_EXE_backstop-stress")).args(args).output().expect("runs")
}

#[test]
fn help_and_list_succeed() {
	let help = stress(&["--help"]);
	assert!(help.status.success());
	let text = String::from_utf8_lossy(&help.stdout);
	for word in ["run SCENARIO", "--accounts", "--seed", "--out", "--correlation-spike"] {
		assert!(text.contains(word), "the help mentions {word}");
	}
	let list = stress(&["list"]);
	assert!(list.status.success());
	let text = String::from_utf8_lossy(&list.stdout);
	for name in [
		"march-2020",
		"may-2021",
		"luna-2022",
		"ftt-2022",
		"cascade-2025",
		"gap",
		"slide",
		"monte-carlo",
	] {
		assert!(text.contains(name), "list shows {name}");
	}
}

#[test]
fn bad_arguments_exit_with_two_and_a_message() {
	for args in [&["run"][..], &["run", "nowhere"], &["run", "gap", "--accounts", "x"], &["fly"]] {
		let out = stress(args);
		assert_eq!(out.status.code(), Some(2), "{args:?}");
		assert!(String::from_utf8_lossy(&out.stderr).contains("backstop-stress:"), "{args:?}");
	}
}

#[test]
fn a_small_run_writes_its_report() {
	let dir = std::env::temp_dir().join(format!("backstop-stress-test-{}", std::process::id()));
	let out =
		stress(&["run", "slide", "--accounts", "60", "--out", dir.to_str().unwrap(), "--quiet"]);
	assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
	for file in ["summary.md", "summary.json", "blocks.csv", "overview.svg", "overview.png"] {
		let meta = std::fs::metadata(dir.join(file)).expect(file);
		assert!(meta.len() > 0, "{file} is empty");
	}
	let json: serde_json::Value =
		serde_json::from_slice(&std::fs::read(dir.join("summary.json")).unwrap()).unwrap();
	assert_eq!(json["invariants_held"], serde_json::Value::Bool(true));
	assert_eq!(json["accounts"]["traders"], 60);
	let csv = std::fs::read_to_string(dir.join("blocks.csv")).unwrap();
	assert_eq!(csv.lines().count() as u64, json["blocks"]["total"].as_u64().unwrap() + 1);
	let _ = std::fs::remove_dir_all(dir);
}
