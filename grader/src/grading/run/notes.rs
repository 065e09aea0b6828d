//! The notes a run writes about its programs, in plain words, shown under the scenario in
//! reports: how each program's run ended, what it was seen trying, and why a server did
//! not start.

use super::directories::RunDirs;
use crate::evidence::{ExitReason, Role, Transcript};
use crate::grading::attempt_notes::{HeldPort, Judged, attempt_notes};
use crate::harness::file_confinement::file_confinement_available;
use crate::harness::limits::Limits;
use crate::wording::seconds;
use std::time::Duration;

/// What the `startup` check reports for a server that did not start.
pub(super) fn server_did_not_start(why: &str) -> String {
    format!("the server did not start: {why}")
}

/// Said of a program that never made a socket in its socket_wrapper directory: its
/// silence is not the protocol's fault, so the report says why before anyone blames it.
pub(super) fn never_appeared(role: Role) -> String {
    format!(
        "the {role} never made a socket in its socket_wrapper directory: preload mode could not reach it (a statically linked program, such as one built by Go, bypasses LD_PRELOAD; so does one that opens no socket at all); grade it with --mode transparent where network namespaces can be made"
    )
}

/// Why a server that bound no UDP socket (as discovery saw) did not start, given whether
/// it has exited and the start-up limit it had.
pub(super) fn no_udp_bind(exited: bool, startup_limit: Duration) -> String {
    if exited {
        "it exited before it bound a udp socket".to_owned()
    } else {
        format!("it bound no udp socket within {}", seconds(startup_limit))
    }
}

/// Preload mode: why a server that bound only an IPv6 UDP socket (`address`, in
/// socket_wrapper's IPv6 network) is not reached.
pub(super) fn ipv6_udp_under_preload(address: std::net::SocketAddr) -> String {
    format!(
        "it bound only an IPv6 udp socket ({address}, socket_wrapper's name for `::`), and preload mode does not carry IPv6 datagrams; transparent mode does"
    )
}

/// ` (SIGSEGV: it crashed)`: the name of a signal that kills programs, and what it means
/// for one, after its number; nothing for another signal.
pub(super) fn signal_name(signal: i32) -> &'static str {
    match signal {
        24 => " (SIGXCPU: it used up its CPU-time limit)",
        25 => " (SIGXFSZ: it wrote a file past its size limit)",
        9 => " (SIGKILL)",
        11 => " (SIGSEGV: it crashed)",
        6 => " (SIGABRT: it aborted)",
        _ => "",
    }
}

/// How a program's run ended, in plain words, when that is worth telling: it had to be
/// stopped, ignored SIGTERM, was killed by a signal, or left processes behind.
pub(super) fn ending_notes(role: Role, transcript: &Transcript, budget: Duration) -> Vec<String> {
    let mut notes = Vec::new();
    let killed = if transcript.ignored_sigterm {
        "; it ignored SIGTERM and was killed"
    } else {
        "; stopped"
    };
    match transcript.exit {
        Some(ExitReason::DeadlineExceeded) => notes.push(format!(
            "the {role} was still running at the {} deadline{killed}",
            seconds(budget)
        )),
        Some(ExitReason::StoppedByGrader) if transcript.ignored_sigterm => notes.push(format!(
            "the {role} ignored SIGTERM when the scenario ended and was killed"
        )),
        Some(ExitReason::Signalled { signal }) => notes.push(format!(
            "the {role} was killed by signal {signal}{}",
            signal_name(signal)
        )),
        _ => {}
    }
    if let (Some(peak), Some(limit)) = (transcript.peak_memory_kib, transcript.memory_limit) {
        // Resident memory counts what was touched; near the address-space limit, the
        // program's allocations will have started failing.
        if peak.saturating_mul(1024) >= limit / 4 * 3 {
            notes.push(format!(
                "the {role} used {} MiB of memory, up against its {} MiB limit (allocations past it fail)",
                peak / 1024,
                limit >> 20
            ));
        }
    }
    if transcript.pids_limit_hit {
        // Every program here runs under the default process limit (see `Launcher`).
        let max = Limits::default().max_pids;
        notes.push(format!(
            "the {role} tried to start more than {max} processes; refused"
        ));
    }
    if transcript.escaped_killed > 0 {
        let count = transcript.escaped_killed;
        notes.push(format!(
            "the {role} left {count} process{} behind, detached from its process group; killed",
            if count == 1 { "" } else { "es" }
        ));
    }
    notes
}

/// The notes on what `role` was seen trying (writes outside its directory, binds to ports
/// not its own), given its peer's transcript and the ports `held` in the run.
pub(super) fn attempts(
    role: Role,
    transcript: &Transcript,
    peer: &Transcript,
    dirs: &RunDirs,
    held: &[HeldPort],
) -> Vec<String> {
    let judged = Judged {
        role,
        transcript,
        dir: dirs.of(role),
        confined: file_confinement_available(),
        peer,
    };
    attempt_notes(judged, held)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_program_stopped_at_the_deadline_is_said_to_be() {
        let transcript = Transcript {
            exit: Some(ExitReason::DeadlineExceeded),
            ignored_sigterm: true,
            ..Transcript::default()
        };
        assert_eq!(
            ending_notes(Role::Client, &transcript, Duration::from_secs(3)),
            [format!(
                "the client was still running at the {} deadline; it ignored SIGTERM and was killed",
                seconds(Duration::from_secs(3))
            )]
        );
    }

    #[test]
    fn a_program_that_ended_by_itself_gets_no_note() {
        let transcript = Transcript {
            exit: Some(ExitReason::Exited { code: 0 }),
            ..Transcript::default()
        };
        assert!(ending_notes(Role::Server, &transcript, Duration::from_secs(3)).is_empty());
    }

    #[test]
    fn a_killed_program_is_told_by_its_signal() {
        let transcript = Transcript {
            exit: Some(ExitReason::Signalled { signal: 11 }),
            escaped_killed: 2,
            ..Transcript::default()
        };
        assert_eq!(
            ending_notes(Role::Server, &transcript, Duration::from_secs(3)),
            [
                "the server was killed by signal 11 (SIGSEGV: it crashed)",
                "the server left 2 processes behind, detached from its process group; killed",
            ]
        );
    }

    #[test]
    fn a_server_that_bound_nothing_is_told_by_whether_it_exited() {
        assert_eq!(
            no_udp_bind(true, Duration::from_secs(5)),
            "it exited before it bound a udp socket"
        );
        assert_eq!(
            no_udp_bind(false, Duration::from_secs(5)),
            format!(
                "it bound no udp socket within {}",
                seconds(Duration::from_secs(5))
            )
        );
        assert!(never_appeared(Role::Server).starts_with("the server never made a socket"));
    }
}
