//! Whether the pages of `src/pages/on_demand.rs` load on demand, from wasm chunks of their own.
//!
//! - Release wasm builds (`trunk build --release`) split them: the binary is linked with relocations
//!   (`--emit-relocs`), which `wasm-split-cli` (Trunk's post-build hook, `scripts/wasm-split.sh`) needs to cut the
//!   chunks. Only the final link of the binary gets the flag: set through RUSTFLAGS it would change every
//!   dependency's fingerprint and rebuild them all.
//! - Builds with debug assertions (the wasm component tests, clippy, `trunk serve`) get `cfg(eager_pages)`: the
//!   pages are ordinary async functions in the one module. The wasm test binaries cannot be split (the test runner
//!   runs wasm-bindgen itself and serves only its own files), and a split point that is not split leaves an import
//!   of `__wasm_split_placeholder__` that no browser resolves. The split build is tested end to end instead
//!   (tests/e2e runs against the release build).
fn main() {
    println!("cargo::rustc-check-cfg=cfg(eager_pages)");
    println!("cargo::rerun-if-changed=build.rs");
    if std::env::var_os("CARGO_CFG_DEBUG_ASSERTIONS").is_some() {
        println!("cargo::rustc-cfg=eager_pages");
    } else if std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() == Ok("wasm32") {
        println!("cargo::rustc-link-arg-bins=--emit-relocs");
    }
}
