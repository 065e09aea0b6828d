//! `reference`: run a known-good (or deliberately defective) peer by hand.

fn main() -> std::process::ExitCode {
    socklab_reference::cli::run(std::env::args_os())
}
