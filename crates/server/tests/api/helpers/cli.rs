//! The server binary run as the operators and the support team run it.

use std::process::Output;

/// Runs the server binary with `args` (the operator CLI).
pub fn run_cli(args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_support-server"))
        .args(args)
        .env_remove("RUST_LOG")
        .output()
        .expect("support-server runs")
}

/// A CLI stream as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
