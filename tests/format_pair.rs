//! The correct and buggy pair the platform and CI format tests grade: udp-file's reference
//! server, and the same server with `--defect no-empty-final` (it never sends the empty
//! final block), so `size-1` passes, `size-2048` fails three checks and `missing-file` is
//! informational. Three runs of a fraction of a second each.

use crate::util::{grader, reference_binary};
use std::path::Path;

/// Which server the client is graded against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Server {
    Correct,
    Buggy,
}

/// What one `grader check` printed, and how it ended.
#[derive(Debug)]
pub struct Graded {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

/// The arguments of a `grader check` of the pair in `format`, before `extra`.
pub fn arguments(format: &str, server: Server) -> Vec<String> {
    let mut arguments: Vec<String> = [
        "check",
        "udp-file",
        "--seed",
        "3",
        "--budget",
        "1s",
        "--scenario",
        "size-1",
        "--scenario",
        "size-2048",
        "--scenario",
        "missing-file",
        "--format",
        format,
    ]
    .map(str::to_owned)
    .to_vec();
    if server == Server::Buggy {
        arguments.push("--server-cmd".to_owned());
        arguments.push(format!(
            "{} udp-file server --port {{port}} --defect no-empty-final",
            reference_binary()
        ));
    }
    arguments
}

/// Grades the pair's `server` in `format`, with `extra` arguments.
pub fn grade(format: &str, server: Server, extra: &[&str]) -> Graded {
    let output = grader()
        .args(arguments(format, server))
        .args(extra)
        .output()
        .unwrap();
    Graded {
        code: output.status.code(),
        stdout: String::from_utf8(output.stdout).expect("a machine format is UTF-8"),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// The insta filters of `report_formats`, and `dir` as `[DIR]`.
pub fn filters(dir: Option<&Path>) -> Vec<(String, String)> {
    let mut filters = crate::report_formats::filters();
    if let Some(dir) = dir {
        filters.push((
            crate::report_formats::regex_escape(&dir.display().to_string()),
            "[DIR]".to_owned(),
        ));
    }
    filters
}
