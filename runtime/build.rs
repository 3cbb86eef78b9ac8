fn main() {
	// The target directory lives outside the repository (see the README):
	// tell the wasm builder where the workspace and its Cargo.lock are, so
	// that the runtime's wasm build uses the same locked dependency versions
	// as everything else. Set here, for this build script only, and not for
	// every build script through `.cargo/config.toml`: other wasm crates
	// (polkadot-sdk's benchmarking test runtime under `runtime-benchmarks`)
	// are not in the workspace's default-feature metadata and must resolve
	// on their own.
	#[cfg(feature = "std")]
	{
		let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo");
		let workspace = std::path::Path::new(&manifest_dir)
			.parent()
			.expect("the runtime is a member of the workspace");
		std::env::set_var("WASM_BUILD_WORKSPACE_HINT", workspace);
	}

	#[cfg(all(feature = "std", feature = "metadata-hash"))]
	substrate_wasm_builder::WasmBuilder::init_with_defaults()
		.enable_metadata_hash("UNIT", 12)
		.build();

	#[cfg(all(feature = "std", not(feature = "metadata-hash")))]
	substrate_wasm_builder::WasmBuilder::build_using_defaults();
}
