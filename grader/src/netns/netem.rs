//! The kernel's own network emulator (`tc … netem`) on a private loopback, for `--mode tc`.
//!
//! That mode reproduces a handout's setup (`tc qdisc add dev lo root netem …`) inside a
//! namespace, so the host's loopback is never touched. Many kernels (this project's CI
//! among them) are built without `sch_netem`, so the mode asks first and refuses with a
//! reason a person can act on. Messages are plain strings: they end up in a refusal that
//! also names the other modes, and carry nothing a caller would match on.

use super::namespace::NetNamespace;
use std::io;
use std::process::{Command, Output, Stdio};

/// Whether the kernel has netem: makes a throwaway namespace and tries
/// `tc qdisc add dev lo root netem delay 1ms` in it. `Err` says why not, for a person.
pub fn netem_available() -> Result<(), String> {
    let namespace = NetNamespace::create()
        .map_err(|error| format!("cannot try whether this kernel has netem: {error}"))?;
    apply_netem(&namespace, PROBE_LINE)
}

/// `tc qdisc add dev lo root netem <line>` inside `namespace`.
pub fn apply_netem(namespace: &NetNamespace, line: &str) -> Result<(), String> {
    let mut command = Command::new("tc");
    command
        .args(["qdisc", "add", "dev", "lo", "root", "netem"])
        .args(line.split_whitespace())
        .env("LC_ALL", "C")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    namespace
        .enter_before_exec(&mut command)
        .map_err(|error| format!("cannot prepare `tc` for network namespace: {error}"))?;
    explain(line, command.output())
}

/// What [`netem_available`] asks `tc` for: the smallest netem that is still netem.
const PROBE_LINE: &str = "delay 1ms";

/// What tc prints when the kernel has no such queueing discipline.
const UNKNOWN_QDISC: &str = "Specified qdisc kind is unknown";

/// Turns the outcome of running `tc` into the answer, with a reason when it failed.
fn explain(line: &str, outcome: io::Result<Output>) -> Result<(), String> {
    let output = match outcome {
        Ok(output) => output,
        Err(error) if error.kind() == io::ErrorKind::NotFound => {
            return Err("the `tc` command (iproute2) is not installed".to_owned());
        }
        Err(error) => return Err(format!("cannot run the `tc` command: {error}")),
    };
    if output.status.success() {
        return Ok(());
    }
    let said = String::from_utf8_lossy(&output.stderr);
    // tc follows a parse error with its whole usage text; the first line is the point.
    let first_line = said
        .lines()
        .map(str::trim)
        .find(|line| !line.is_empty())
        .unwrap_or("nothing");
    if said.contains(UNKNOWN_QDISC) {
        Err(format!(
            "this kernel has no netem queueing discipline (sch_netem): tc said `{first_line}`"
        ))
    } else {
        Err(format!(
            "`tc qdisc add dev lo root netem {line}` failed ({}): tc said `{first_line}`",
            output.status
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::process::ExitStatusExt;
    use std::process::ExitStatus;

    fn failed(stderr: &str) -> io::Result<Output> {
        Ok(Output {
            status: ExitStatus::from_raw(2 << 8),
            stdout: Vec::new(),
            stderr: stderr.as_bytes().to_vec(),
        })
    }

    /// Whether the kernel really has netem, asked without this module's code.
    fn kernel_has_netem() -> bool {
        std::fs::read_to_string("/proc/modules").is_ok_and(|modules| modules.contains("sch_netem"))
            || std::path::Path::new("/sys/module/sch_netem").exists()
    }

    #[test]
    fn this_kernel_reports_netem_missing_by_name() {
        match netem_available() {
            Err(reason) => assert!(reason.contains("netem"), "{reason}"),
            Ok(()) => assert!(
                kernel_has_netem(),
                "netem worked on a kernel that shows no sch_netem"
            ),
        }
    }

    #[test]
    fn netem_lines_apply_where_the_kernel_has_netem() {
        let namespace = match NetNamespace::create() {
            Ok(namespace) => namespace,
            Err(error) => panic!("{error}"),
        };
        let outcome = apply_netem(&namespace, "delay 10ms reorder 50% 50% loss 40%");
        if let Err(reason) = &outcome
            && reason.contains("sch_netem")
        {
            eprintln!("skipped: the handout's netem line cannot run here: {reason}");
            return;
        }
        assert_eq!(outcome, Ok(()));
    }

    #[test]
    fn a_missing_qdisc_is_named() {
        let reason = explain(
            "delay 1ms",
            failed("Error: Specified qdisc kind is unknown.\n"),
        )
        .unwrap_err();
        assert_eq!(
            reason,
            "this kernel has no netem queueing discipline (sch_netem): tc said \
             `Error: Specified qdisc kind is unknown.`"
        );
    }

    #[test]
    fn a_bad_line_quotes_the_command_and_tc_first_complaint() {
        let reason = explain(
            "bogus",
            failed("What is \"bogus\"?\nUsage: ... netem [ limit PACKETS ]\n"),
        )
        .unwrap_err();
        assert_eq!(
            reason,
            "`tc qdisc add dev lo root netem bogus` failed (exit status: 2): tc said \
             `What is \"bogus\"?`"
        );
    }

    #[test]
    fn a_missing_tc_says_to_install_iproute2() {
        let missing = Err(io::Error::from(io::ErrorKind::NotFound));
        assert_eq!(
            explain("delay 1ms", missing).unwrap_err(),
            "the `tc` command (iproute2) is not installed"
        );
    }
}
