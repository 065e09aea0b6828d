//! How a program's run ended, in the words every completion check uses.

use crate::check::Status;
use crate::evidence::{ExitReason, Role, Transcript};

/// Why `transcript`'s program did not end well, with the status that costs: `None` when
/// it exited by itself with status 0.
pub fn exit_problem(transcript: &Transcript, role: Role) -> Option<(Status, String)> {
    match &transcript.exit {
        Some(ExitReason::Exited { code: 0 }) => None,
        Some(ExitReason::Exited { code }) => Some((
            Status::Fail,
            format!("the {role} exited with status {code}"),
        )),
        Some(ExitReason::Signalled { signal }) => Some((
            Status::Fail,
            format!("the {role} was killed by signal {signal}"),
        )),
        Some(ExitReason::DeadlineExceeded) => Some((
            Status::Timeout,
            format!("the {role} was still running at the scenario's deadline"),
        )),
        Some(ExitReason::StoppedByGrader) | None => {
            Some((Status::Fail, format!("the {role} did not exit by itself")))
        }
    }
}
