//! Runs every probe of `grader doctor`, each a real attempt bounded in time, and gathers
//! the [`Diagnosis`].

use super::diagnosis::{DOCTOR_SCHEMA_VERSION, Diagnosis, Finding, FindingStatus};
use super::modes::{case_modes, submission_modes};
use super::namespaces::{mount_finding, network_finding};
use crate::grading::Facilities;
use crate::harness::cgroup_location::{PidsHierarchy, pids_hierarchy};
use crate::harness::pids_cgroup::PidsCgroup;
use crate::harness::ports::{Protocol, free_port};
use crate::harness::process_budget::{GRADER_TASKS, ProcessBudget, TASKS_PER_RUN};
use std::sync::mpsc;
use std::time::Duration;

/// How long one probe may take before the doctor says it could not tell.
pub const PROBE_LIMIT: Duration = Duration::from_secs(3);

/// Probes this machine. Call `prepare_namespaces` first, as `grader check` does, so the
/// answer is the one a grading would get. `cases` are the cases to name a mode for.
pub fn diagnose(cases: &[String]) -> Diagnosis {
    let (facilities, network) = match bounded(|| {
        let (facilities, error) = Facilities::probe_explained();
        (facilities, error.map(|error| error.to_string()))
    }) {
        Ok((facilities, error)) => {
            let privilege = crate::netns::privileges::prepared_privilege();
            let made = error.map_or(Ok(()), Err);
            (facilities, network_finding(privilege, made))
        }
        Err(why) => {
            let facilities = Facilities {
                namespaces: false,
                socket_wrapper: crate::relay::socket_dir::socket_wrapper_library(),
            };
            let mut finding = network_finding(None, Err(why.clone()));
            finding.status = FindingStatus::Unknown;
            (facilities, finding)
        }
    };
    let mut not_probed = Vec::new();
    if network.status == FindingStatus::Unknown {
        not_probed.push(format!("network namespaces: {}", network.detail));
    }
    let mut bounded_finding =
        |id: &'static str, name: &'static str, used_for: &'static str, probe: fn() -> Finding| {
            bounded(probe).unwrap_or_else(|why| {
                not_probed.push(format!("{name}: {why}"));
                Finding {
                    id,
                    name,
                    status: FindingStatus::Unknown,
                    detail: why,
                    used_for,
                    fixes: Vec::new(),
                }
            })
        };
    let mut findings = vec![network];
    findings.push(bounded_finding(
        "mount-namespaces",
        "mount namespaces",
        "keeping each program to its own directory",
        || mount_finding(crate::harness::file_confinement::file_confinement_available()),
    ));
    findings.push(bounded_finding(
        "seccomp-notify",
        "seccomp user notification",
        SECCOMP_USE,
        seccomp_finding,
    ));
    findings.push(bounded_finding(
        "pids-cgroups",
        "pids cgroups",
        PIDS_USE,
        pids_finding,
    ));
    findings.push(socket_wrapper_finding(&facilities));
    findings.push(process_limit_finding(&ProcessBudget::current(), cores()));
    findings.push(bounded_finding(
        "loopback-ports",
        "free loopback ports",
        PORTS_USE,
        ports_finding,
    ));
    let modes = submission_modes(&facilities, &findings[0]);
    Diagnosis {
        schema_version: DOCTOR_SCHEMA_VERSION,
        grader_version: env!("CARGO_PKG_VERSION").to_owned(),
        kernel: nix::sys::utsname::uname()
            .map(|name| name.release().to_string_lossy().into_owned())
            .unwrap_or_default(),
        user: user(),
        findings,
        modes,
        cases: case_modes(cases, &facilities),
        not_probed,
    }
}

/// Runs `probe` on a thread of its own and waits at most [`PROBE_LIMIT`] for it.
fn bounded<T: Send + 'static>(probe: impl FnOnce() -> T + Send + 'static) -> Result<T, String> {
    bounded_within(PROBE_LIMIT, probe)
}

/// Runs `probe` on a thread of its own and waits at most `limit` for it; a probe that does
/// not answer is left behind (the doctor exits soon after).
fn bounded_within<T: Send + 'static>(
    limit: Duration,
    probe: impl FnOnce() -> T + Send + 'static,
) -> Result<T, String> {
    let (sender, receiver) = mpsc::channel();
    std::thread::Builder::new()
        .name("socklab-doctor".to_owned())
        .spawn(move || {
            let _ = sender.send(probe());
        })
        .map_err(|error| format!("cannot start a thread to probe it: {error}"))?;
    receiver.recv_timeout(limit).map_err(|error| match error {
        mpsc::RecvTimeoutError::Timeout => format!(
            "the probe did not answer within {}",
            crate::wording::seconds(limit)
        ),
        mpsc::RecvTimeoutError::Disconnected => "the probe failed without an answer".to_owned(),
    })
}

const SECCOMP_USE: &str = "showing the grader each write, rename, unlink, mkdir and bind a program makes, so reports name what the sandbox refused it, and so transparent and preload modes mirror a UDP port before the program's bind returns (grading works without it; binds are then found a few milliseconds late, and a reply sent to the port meanwhile is lost)";

fn seccomp_finding() -> Finding {
    let available = crate::harness::syscall_watch::available();
    Finding {
        id: "seccomp-notify",
        name: "seccomp user notification",
        status: if available {
            FindingStatus::Available
        } else {
            FindingStatus::Missing
        },
        detail: if available {
            "a throwaway program ran under a filter whose calls the grader was shown".to_owned()
        } else {
            "a throwaway program could not be watched: reports will not name what the sandbox refused a program, and ports a program binds are mirrored only once polling finds them".to_owned()
        },
        used_for: SECCOMP_USE,
        fixes: if available {
            Vec::new()
        } else {
            vec![
                "Linux 5.5 or later, where a container's seccomp profile allows seccomp(2) with SECCOMP_FILTER_FLAG_NEW_LISTENER (Docker's default does)".to_owned(),
            ]
        },
    }
}

const PIDS_USE: &str = "containing a fork bomb: at most 128 processes and threads per program, even when the grader runs as root (where RLIMIT_NPROC does not apply)";

fn pids_finding() -> Finding {
    let hierarchy = pids_hierarchy();
    let usable = PidsCgroup::parent();
    let (status, detail, fixes) = match (&hierarchy, usable) {
        (PidsHierarchy::V1 { dir }, Some(_)) => (
            FindingStatus::Available,
            format!("cgroup v1 pids hierarchy: a cgroup made in {} held a program", dir.display()),
            Vec::new(),
        ),
        (PidsHierarchy::V2Delegated { dir }, Some(_)) => (
            FindingStatus::Available,
            format!(
                "cgroup v2, pids delegated: a cgroup made in {} held a program",
                dir.display()
            ),
            Vec::new(),
        ),
        (PidsHierarchy::V1 { dir } | PidsHierarchy::V2Delegated { dir }, None) => (
            FindingStatus::Missing,
            format!(
                "the pids controller is at {}, but a cgroup made there could not hold a program (not root, or a read-only /sys/fs/cgroup)",
                dir.display()
            ),
            vec!["run the grader as root, with /sys/fs/cgroup writable".to_owned()],
        ),
        (PidsHierarchy::V2NotDelegated { dir }, _) => (
            FindingStatus::Missing,
            format!(
                "cgroup v2, but {} does not delegate the pids controller to its children",
                dir.display()
            ),
            vec![
                format!(
                    "echo +pids | sudo tee {}/cgroup.subtree_control (systemd: run the grader in a unit or scope with Delegate=pids)",
                    dir.display()
                ),
            ],
        ),
        (PidsHierarchy::None, _) => (
            FindingStatus::Missing,
            "no pids controller is mounted where the grader can see it".to_owned(),
            vec!["mount cgroup v2 (`mount -t cgroup2 none /sys/fs/cgroup`) or give the container its cgroup (`docker run --cgroupns=private`)".to_owned()],
        ),
    };
    Finding {
        id: "pids-cgroups",
        name: "pids cgroups",
        status,
        detail,
        used_for: PIDS_USE,
        fixes,
    }
}

fn socket_wrapper_finding(facilities: &Facilities) -> Finding {
    let (status, detail, fixes) = match &facilities.socket_wrapper {
        Some(library) => (
            FindingStatus::Available,
            format!("installed: {}", library.display()),
            Vec::new(),
        ),
        None => (
            FindingStatus::Missing,
            "not installed (looked for libsocket_wrapper.so where Debian, Ubuntu and Fedora put it)".to_owned(),
            vec!["sudo apt-get install libsocket-wrapper (Fedora: dnf install socket_wrapper)".to_owned()],
        ),
    };
    Finding {
        id: "socket-wrapper",
        name: "socket_wrapper",
        status,
        detail,
        used_for: "preload mode: programs that hard-code their address, where network namespaces cannot be made",
        fixes,
    }
}

const PROCESS_USE: &str = "every process and thread of the user counts against it: the grader's own, its relays', the programs and theirs";

/// The process-limit finding for `budget` on a machine with `cores` cores (the default
/// `--jobs`).
pub fn process_limit_finding(budget: &ProcessBudget, cores: usize) -> Finding {
    let finding = |status, detail, fixes| Finding {
        id: "process-limit",
        name: "process limit",
        status,
        detail,
        used_for: PROCESS_USE,
        fixes,
    };
    let (Some(limit), Some(runs), Some(submissions)) = (
        budget.enforced_limit(),
        budget.units_allowed(GRADER_TASKS, TASKS_PER_RUN),
        budget.units_allowed(GRADER_TASKS, GRADER_TASKS + TASKS_PER_RUN),
    ) else {
        let detail = match budget.limit {
            None => "RLIMIT_NPROC is unlimited".to_owned(),
            Some(limit) => format!(
                "RLIMIT_NPROC is {limit}, which the kernel does not apply to this process (root)"
            ),
        };
        return finding(FindingStatus::Available, detail, Vec::new());
    };
    let detail = format!(
        "RLIMIT_NPROC is {limit} for this user, who runs {} task{} already: room for {runs} scenario{} at once in `grader check` and {submissions} submission{} at once in `grader batch`",
        budget.running,
        if budget.running == 1 { "" } else { "s" },
        if runs == 1 { "" } else { "s" },
        if submissions == 1 { "" } else { "s" },
    );
    if runs >= cores && submissions >= cores {
        return finding(FindingStatus::Available, detail, Vec::new());
    }
    finding(
        FindingStatus::Limited,
        format!("{detail}; both lower --jobs to that by themselves (default: {cores}, the cores)"),
        vec![
            "--jobs 1 (or the number above), to say it in the command".to_owned(),
            "raise the limit: `ulimit -u 4096` before the grader (Autolab: Tango's VM_ULIMIT_USER_PROC)".to_owned(),
        ],
    )
}

const PORTS_USE: &str =
    "relay mode gives the server a free port of the loopback and binds the relay's own";

fn ports_finding() -> Finding {
    let udp = free_port(Protocol::Udp);
    let tcp = free_port(Protocol::Tcp);
    let range = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .map(|text| text.split_whitespace().collect::<Vec<_>>().join("–"))
        .unwrap_or_else(|_| "unknown".to_owned());
    let (status, detail, fixes) = match (udp, tcp) {
        (Ok(udp), Ok(tcp)) => (
            FindingStatus::Available,
            format!("bound 127.0.0.1 UDP port {udp} and TCP port {tcp} (ephemeral range {range})"),
            Vec::new(),
        ),
        (udp, tcp) => (
            FindingStatus::Missing,
            format!(
                "cannot bind a free port of 127.0.0.1: UDP {}, TCP {}",
                udp.map_or_else(|error| error.to_string(), |port| format!("port {port}")),
                tcp.map_or_else(|error| error.to_string(), |port| format!("port {port}")),
            ),
            vec![
                "bring the loopback up (`ip link set lo up`), or free ports of the ephemeral range"
                    .to_owned(),
            ],
        ),
    };
    Finding {
        id: "loopback-ports",
        name: "free loopback ports",
        status,
        detail,
        used_for: PORTS_USE,
        fixes,
    }
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(2, usize::from)
}

/// Who the grader runs as, outside any user namespace it entered: `root` or `uid N`.
fn user() -> String {
    match super::namespaces::outside_uid() {
        0 => "root".to_owned(),
        uid => format!("uid {uid}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_low_process_limit_is_limited_with_its_fixes() {
        let budget = ProcessBudget {
            limit: Some(100),
            running: 4,
            exempt: false,
        };
        let finding = process_limit_finding(&budget, 8);
        assert_eq!(finding.status, FindingStatus::Limited);
        assert!(
            finding.detail.contains("room for 5 scenarios"),
            "{}",
            finding.detail
        );
        assert!(
            finding.detail.contains("3 submissions"),
            "{}",
            finding.detail
        );
        assert!(finding.fixes.iter().any(|fix| fix.contains("--jobs 1")));
        let roomy = process_limit_finding(&budget, 2);
        assert_eq!(roomy.status, FindingStatus::Available);
        let root = ProcessBudget {
            exempt: true,
            ..budget
        };
        let exempt = process_limit_finding(&root, 8);
        assert_eq!(exempt.status, FindingStatus::Available);
        assert!(
            exempt.detail.contains("does not apply"),
            "{}",
            exempt.detail
        );
    }

    #[test]
    fn a_probe_that_hangs_is_reported_not_waited_for() {
        let started = std::time::Instant::now();
        let (_stop, hold) = mpsc::channel::<()>();
        let limit = Duration::from_millis(50);
        let outcome = bounded_within(limit, move || hold.recv().is_ok());
        assert!(outcome.unwrap_err().contains("did not answer"));
        assert!(started.elapsed() < Duration::from_secs(2));
        assert_eq!(bounded_within(limit, || 7), Ok(7));
    }

    #[test]
    fn the_doctor_answers_every_finding_in_order() {
        let diagnosis = diagnose(&["rdt3".to_owned()]);
        let ids: Vec<&str> = diagnosis
            .findings
            .iter()
            .map(|finding| finding.id)
            .collect();
        assert_eq!(
            ids,
            [
                "network-namespaces",
                "mount-namespaces",
                "seccomp-notify",
                "pids-cgroups",
                "socket-wrapper",
                "process-limit",
                "loopback-ports"
            ]
        );
        assert_eq!(diagnosis.cases[0].mode, Some("relay"));
        assert_eq!(diagnosis.modes[0].mode, Some("relay"));
    }
}
