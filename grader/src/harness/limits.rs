//! Resource limits for every program the grader starts: CPU time, address space, file size,
//! open files and processes, and no core dumps.
//!
//! A runaway submission (an endless loop, a memory hog, a log that fills the disk, a fork
//! bomb) must hit a wall of its own before it hurts the machine the class is graded on. The
//! limits are `setrlimit` calls made between fork and exec, so the program never runs
//! without them, with soft and hard limit alike (CPU time aside) so it cannot raise them
//! again. A program stopped by a limit dies of the kernel's signal (SIGXCPU, SIGXFSZ,
//! SIGKILL) or sees its allocation fail, and its transcript says so like any other death.

use nix::libc::rlim_t;
use nix::sys::resource::{Resource, getrlimit, setrlimit};
use nix::unistd::getuid;
use std::io;
use std::time::Duration;

/// The limits a program runs under.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// CPU time (`RLIMIT_CPU`), rounded up to whole seconds: SIGXCPU when it is used up,
    /// SIGKILL a second later for a program that catches that. Time spent waiting for
    /// datagrams costs nothing, so only a busy loop meets it.
    pub cpu_time: Duration,
    /// Address space in bytes (`RLIMIT_AS`): allocations past it fail (Python raises
    /// `MemoryError`, C's `malloc` returns null). The default is 4 GiB because a JVM
    /// reserves about that much address space at start (its compressed class space alone
    /// is 1 GiB) and would not start under less.
    pub address_space: u64,
    /// The largest file it may write, in bytes (`RLIMIT_FSIZE`): SIGXFSZ past it.
    pub file_size: u64,
    /// Open file descriptors (`RLIMIT_NOFILE`).
    pub open_files: u64,
    /// Processes and threads it may add to those its user already runs when it starts
    /// (`RLIMIT_NPROC`). The kernel counts every task of the user, the grader and the
    /// user's other programs included, so a fixed number would leave a program on a busy
    /// desktop unable to start one thread; hence "more than now". The kernel does not
    /// enforce this limit for root (or `CAP_SYS_RESOURCE`), so a grader run as root does
    /// not stop a fork bomb with it.
    pub processes: u64,
    /// Processes and threads the program and all it forks may run at once, counted by a
    /// pids cgroup of its own ([`super::pids_cgroup`]). Unlike `processes` it holds for
    /// root too, where the grader can make cgroups; elsewhere it is not enforced.
    pub max_pids: u64,
}

impl Default for Limits {
    /// Generous for any honest submission in Python, C or Node.js; Java's virtual machine
    /// reserves more address space than 2 GiB at start, so Java submissions need more.
    fn default() -> Self {
        Limits {
            cpu_time: Duration::from_secs(60),
            address_space: 4 << 30,
            file_size: 64 << 20,
            open_files: 256,
            processes: 256,
            max_pids: 128,
        }
    }
}

impl Limits {
    /// The `setrlimit` calls that impose these limits, worked out before the fork (reading
    /// the grader's own limits and counting the user's tasks is not allowed between fork
    /// and exec). No limit is set above the grader's own hard limit, which only root could
    /// raise: the program then gets the grader's limit instead of failing to start.
    pub(crate) fn resolve(&self) -> KernelLimits {
        let cpu_seconds = self
            .cpu_time
            .as_secs()
            .saturating_add(u64::from(self.cpu_time.subsec_nanos() > 0))
            .max(1);
        // Without /proc there is nothing to count from: the limit is left as it is rather
        // than guessed low, which would break a program that starts a thread.
        let processes = user_task_count().map(|running| running.saturating_add(self.processes));
        let wanted = [
            (
                Resource::RLIMIT_CPU,
                Some((cpu_seconds, cpu_seconds.saturating_add(1))),
            ),
            (
                Resource::RLIMIT_AS,
                Some((self.address_space, self.address_space)),
            ),
            (
                Resource::RLIMIT_FSIZE,
                Some((self.file_size, self.file_size)),
            ),
            (
                Resource::RLIMIT_NOFILE,
                Some((self.open_files, self.open_files)),
            ),
            (Resource::RLIMIT_NPROC, processes.map(|n| (n, n))),
            (Resource::RLIMIT_CORE, Some((0, 0))),
        ];
        KernelLimits {
            settings: wanted.map(|(resource, wanted)| {
                let current = getrlimit(resource).unwrap_or((rlim_t::MAX, rlim_t::MAX));
                let (soft, hard) = match wanted {
                    Some(wanted) => clamp(wanted, current.1),
                    None => current,
                };
                Setting {
                    resource,
                    soft,
                    hard,
                }
            }),
        }
    }
}

/// Limits as `setrlimit` calls, ready to make in a forked child.
#[derive(Clone, Copy, Debug)]
pub(crate) struct KernelLimits {
    settings: [Setting; 6],
}

impl KernelLimits {
    /// Sets the limits on the calling process. Made between fork and exec, so it does
    /// nothing but system calls on values computed before the fork: no allocation, no lock.
    pub(crate) fn apply(&self) -> io::Result<()> {
        for setting in &self.settings {
            setrlimit(setting.resource, setting.soft, setting.hard)?;
        }
        Ok(())
    }
}

#[derive(Clone, Copy, Debug)]
struct Setting {
    resource: Resource,
    soft: rlim_t,
    hard: rlim_t,
}

/// The wanted `(soft, hard)` limits, lowered to fit under the current hard limit.
fn clamp((soft, hard): (rlim_t, rlim_t), current_hard: rlim_t) -> (rlim_t, rlim_t) {
    let hard = hard.min(current_hard);
    (soft.min(hard), hard)
}

/// How many tasks (processes and their threads) run under this process's real user id,
/// as `RLIMIT_NPROC` counts them; `None` if /proc cannot be read.
pub(crate) fn user_task_count() -> Option<u64> {
    let user = getuid().as_raw();
    let processes = procfs::process::all_processes().ok()?;
    let count = processes
        .filter_map(Result::ok)
        .filter_map(|process| process.status().ok())
        .filter(|status| status.ruid == user)
        .map(|status| status.threads)
        .sum();
    Some(count)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::{ExitReason, Stream};
    use crate::harness::test_programs::{BUDGET, sh, start, texts};
    use nix::sys::signal::Signal;
    use std::time::Instant;

    #[test]
    fn limits_are_lowered_to_the_graders_hard_limit_never_raised() {
        assert_eq!(clamp((256, 256), 1024), (256, 256));
        assert_eq!(clamp((256, 256), 100), (100, 100));
        assert_eq!(clamp((60, 61), rlim_t::MAX), (60, 61));
        assert_eq!(clamp((60, 61), 60), (60, 60));
    }

    #[test]
    fn cpu_time_rounds_up_to_whole_seconds() {
        let limits = Limits {
            cpu_time: Duration::from_millis(1500),
            ..Limits::default()
        };
        let cpu = limits.resolve().settings[0];
        assert_eq!(cpu.resource, Resource::RLIMIT_CPU);
        let (_, grader_hard) = getrlimit(Resource::RLIMIT_CPU).unwrap();
        assert_eq!((cpu.soft, cpu.hard), clamp((2, 3), grader_hard));
    }

    #[test]
    fn the_process_limit_leaves_room_above_what_the_user_runs() {
        let limits = Limits {
            processes: 50,
            ..Limits::default()
        };
        // This test's own thread is among the user's tasks, however many others come and
        // go meanwhile.
        assert!(user_task_count().expect("/proc is readable") >= 1);
        let nproc = limits.resolve().settings[4];
        assert_eq!(nproc.resource, Resource::RLIMIT_NPROC);
        let (_, grader_hard) = getrlimit(Resource::RLIMIT_NPROC).unwrap();
        assert!(nproc.soft >= 51.min(grader_hard), "{nproc:?}");
        assert_eq!(nproc.soft, nproc.hard);
    }

    #[test]
    fn a_program_sees_the_configured_limits() {
        let (_dir, mut spec) = sh("ulimit -n; ulimit -f; ulimit -v; ulimit -t; ulimit -c; \
             ulimit -Hn; ulimit -Hv; ulimit -Ht");
        spec.limits = Limits {
            cpu_time: Duration::from_secs(7),
            address_space: 1 << 30,
            file_size: 1 << 20,
            open_files: 100,
            processes: 256,
            max_pids: 128,
        };
        let program = start(&spec);
        assert!(program.wait_until(Instant::now() + BUDGET));
        let transcript = program.finish();
        // The shell reports file sizes in 512-byte blocks and memory in KiB.
        assert_eq!(
            texts(&transcript, Stream::Stdout),
            ["100", "2048", "1048576", "7", "0", "100", "1048576", "8"]
        );
        assert_eq!(transcript.exit, Some(ExitReason::Exited { code: 0 }));
    }

    #[test]
    fn python_runs_under_the_defaults_and_cannot_take_5_gib() {
        let (_dir, spec) = sh("");
        let script = "print('started')\n\
                      try:\n    hog = bytearray(5 << 30)\nexcept MemoryError:\n    \
                      print('refused')\n    raise\n";
        let argv = ["python3", "-c", script].map(str::to_owned).to_vec();
        let spec = crate::harness::process::ProgramSpec::new(argv, spec.dir);
        let program = start(&spec);
        assert!(program.wait_until(Instant::now() + BUDGET));
        let transcript = program.finish();
        assert_eq!(texts(&transcript, Stream::Stdout), ["started", "refused"]);
        assert!(transcript.text().contains("MemoryError"), "{transcript:?}");
        assert_eq!(transcript.exit, Some(ExitReason::Exited { code: 1 }));
    }

    #[test]
    fn a_busy_loop_dies_of_sigxcpu() {
        let (_dir, mut spec) = sh("while :; do :; done");
        spec.limits.cpu_time = Duration::from_secs(1);
        let program = start(&spec);
        assert!(program.wait_until(Instant::now() + BUDGET));
        let transcript = program.finish();
        let signal = Signal::SIGXCPU as i32;
        assert_eq!(transcript.exit, Some(ExitReason::Signalled { signal }));
    }

    #[test]
    fn a_file_past_the_size_limit_dies_of_sigxfsz() {
        let (dir, mut spec) = sh("exec head -c 2097152 /dev/zero > big");
        spec.limits.file_size = 1 << 20;
        let program = start(&spec);
        assert!(program.wait_until(Instant::now() + BUDGET));
        let transcript = program.finish();
        let signal = Signal::SIGXFSZ as i32;
        assert_eq!(transcript.exit, Some(ExitReason::Signalled { signal }));
        let written = std::fs::metadata(dir.path().join("big")).unwrap().len();
        assert_eq!(written, 1 << 20);
    }
}
