//! What the integration tests share: running the binaries, and reading a run's evidence.

use assert_cmd::Command;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The repository's root, where `examples/` and `tests/fixtures/` are.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixture(name: &str) -> PathBuf {
    root().join("tests/fixtures").join(name)
}

pub fn example(path: &str) -> String {
    root().join("examples").join(path).display().to_string()
}

/// The standalone reference binary, for `--client-cmd`/`--server-cmd` with `--defect`.
pub fn reference_binary() -> &'static str {
    env!("CARGO_BIN_EXE_reference")
}

/// `grader` with colours off, so output can be compared.
pub fn grader() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_grader"));
    command.env("NO_COLOR", "1");
    command
}

/// The outcome of one check in one run, as written by `--out`.
#[derive(Debug, serde::Deserialize)]
pub struct Outcome {
    pub check: String,
    pub status: String,
    #[serde(default)]
    pub observed: String,
}

/// Reads `--out DIR/<run>/outcomes.json`.
pub fn outcomes(out: &Path, run: &str) -> Vec<Outcome> {
    let path = out.join(run.replace('#', "_")).join("outcomes.json");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
    serde_json::from_str(&text).expect("outcomes.json parses")
}

/// The checks that failed (or timed out) in one run.
pub fn failed_checks(out: &Path, run: &str) -> BTreeSet<String> {
    outcomes(out, run)
        .into_iter()
        .filter(|outcome| outcome.status == "fail" || outcome.status == "timeout")
        .map(|outcome| outcome.check)
        .collect()
}

/// Reads `--out DIR/<run>/trace.jsonl` as JSON values.
pub fn trace(out: &Path, run: &str) -> Vec<serde_json::Value> {
    let path = out.join(run.replace('#', "_")).join("trace.jsonl");
    std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()))
        .lines()
        .map(|line| serde_json::from_str(line).expect("trace line parses"))
        .collect()
}

/// Set of check names, for comparing with `failed_checks`.
pub fn checks(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|name| (*name).to_owned()).collect()
}
