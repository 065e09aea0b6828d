//! The throwaway program the harness probes the kernel with before it relies on a
//! facility (mount confinement, pids cgroups, the syscall watch): `true`, which needs
//! nothing, and prints nothing where the grader's own output goes.

use std::process::{Command, Stdio};

/// `true`, with no input and its output discarded.
pub(crate) fn silent_true() -> Command {
    let mut command = Command::new("true");
    command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    command
}
