//! How much work fits under the user's process limit (`RLIMIT_NPROC`).
//!
//! The kernel counts every process and thread of the user against that limit: the
//! grader's own threads, its relays', the programs it starts and theirs. Where the limit
//! is low (Autolab's Tango runs a job under 100), running as many scenarios at once as
//! there are cores can make a `fork` or a thread fail halfway through a run, which would be
//! reported as the grader's error. So `grader check` and `grader batch` ask
//! [`ProcessBudget::fit`] how many runs fit and lower `--jobs` to that, saying so, and
//! `grader doctor` says the same numbers.

use nix::sys::resource::{Resource, getrlimit};
use std::fmt;

/// Tasks the grader itself runs besides its scenarios (main thread, progress, watchers),
/// with room to spare.
pub const GRADER_TASKS: u64 = 8;

/// Tasks one scenario run needs at once: the relay's and watchers' threads, the two
/// programs (or reference peers, each a process of the grader's with threads of its own)
/// and a thread or two of theirs. Measured at 13 or fewer on the built-in cases.
pub const TASKS_PER_RUN: u64 = 16;

/// The user's process limit as the kernel applies it to this process.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProcessBudget {
    /// The soft `RLIMIT_NPROC`; `None` when unlimited.
    pub limit: Option<u64>,
    /// Tasks (processes and threads) the user already runs, this process included.
    pub running: u64,
    /// Whether the kernel exempts this process from the limit (root in the initial user
    /// namespace, or `CAP_SYS_RESOURCE`/`CAP_SYS_ADMIN` there).
    pub exempt: bool,
}

/// `--jobs` lowered to what the process limit allows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lowered {
    pub jobs: usize,
    pub wanted: usize,
    pub limit: u64,
    pub running: u64,
}

impl ProcessBudget {
    /// Reads this process's limit and counts the user's tasks in `/proc`.
    pub fn current() -> ProcessBudget {
        let limit = getrlimit(Resource::RLIMIT_NPROC)
            .ok()
            .map(|(soft, _)| soft)
            .filter(|soft| *soft != nix::libc::RLIM_INFINITY);
        ProcessBudget {
            limit,
            running: super::limits::user_task_count().unwrap_or(1),
            exempt: exempt_from_limit(),
        }
    }

    /// Whether the limit applies to this process at all.
    pub fn enforced_limit(&self) -> Option<u64> {
        self.limit.filter(|_| !self.exempt)
    }

    /// How many units of work fit at once, each needing `per_unit` tasks, beside `base`
    /// tasks of the grader's own: at least 1 (fewer cannot be run; a run that then fails to
    /// fork says so). `None` when no limit applies.
    pub fn units_allowed(&self, base: u64, per_unit: u64) -> Option<usize> {
        let limit = self.enforced_limit()?;
        let room = limit.saturating_sub(self.running).saturating_sub(base);
        let units = room / per_unit.max(1);
        Some(usize::try_from(units).unwrap_or(usize::MAX).max(1))
    }

    /// `wanted` runs at once, each `per_unit` tasks, lowered to what fits: `Err` tells by
    /// how much, for the one line `grader check` and `grader batch` print.
    pub fn fit(&self, wanted: usize, base: u64, per_unit: u64) -> Result<usize, Lowered> {
        match (self.units_allowed(base, per_unit), self.enforced_limit()) {
            (Some(allowed), Some(limit)) if allowed < wanted => Err(Lowered {
                jobs: allowed,
                wanted,
                limit,
                running: self.running,
            }),
            _ => Ok(wanted),
        }
    }
}

impl fmt::Display for Lowered {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            formatter,
            "the process limit (RLIMIT_NPROC, `ulimit -u`) is {} for this user, who already \
             runs {}: running {} at once instead of {} (--jobs {})",
            self.limit, self.running, self.jobs, self.wanted, self.jobs
        )
    }
}

/// `CAP_SYS_ADMIN` and `CAP_SYS_RESOURCE` (linux/capability.h).
const EXEMPTING_CAPABILITIES: [u32; 2] = [21, 24];

/// Whether the kernel lets this process past `RLIMIT_NPROC`: its real user is root of the
/// initial user namespace, or it has an exempting capability there. Inside a user
/// namespace (the one an unprivileged grader enters) neither counts.
fn exempt_from_limit() -> bool {
    let initial =
        std::fs::read_to_string("/proc/self/uid_map").is_ok_and(|map| initial_user_namespace(&map));
    if !initial {
        return false;
    }
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .map(str::trim)
            .unwrap_or_default()
            .to_owned()
    };
    let real_root = field("Uid:").split_whitespace().next() == Some("0");
    let capabilities = u64::from_str_radix(&field("CapEff:"), 16).unwrap_or(0);
    real_root
        || EXEMPTING_CAPABILITIES
            .iter()
            .any(|bit| capabilities & (1 << bit) != 0)
}

/// Whether a `uid_map` is the initial user namespace's: every id mapped to itself.
fn initial_user_namespace(map: &str) -> bool {
    let fields: Vec<&str> = map.split_whitespace().collect();
    fields == ["0", "0", "4294967295"]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn budget(limit: Option<u64>, running: u64, exempt: bool) -> ProcessBudget {
        ProcessBudget {
            limit,
            running,
            exempt,
        }
    }

    #[test]
    fn autolab_s_limit_of_100_allows_a_few_runs_at_once() {
        let autolab = budget(Some(100), 4, false);
        // (100 - 4 - 8) / 16 = 5.
        assert_eq!(autolab.units_allowed(GRADER_TASKS, TASKS_PER_RUN), Some(5));
        let lowered = autolab.fit(8, GRADER_TASKS, TASKS_PER_RUN).unwrap_err();
        assert_eq!(lowered.jobs, 5);
        let line = lowered.to_string();
        assert!(line.contains("RLIMIT_NPROC"), "{line}");
        assert!(line.contains("is 100"), "{line}");
        assert!(line.contains("running 5 at once instead of 8"), "{line}");
        assert_eq!(autolab.fit(2, GRADER_TASKS, TASKS_PER_RUN), Ok(2));
    }

    #[test]
    fn one_run_is_always_allowed_even_past_the_limit() {
        let crowded = budget(Some(30), 40, false);
        assert_eq!(crowded.units_allowed(GRADER_TASKS, TASKS_PER_RUN), Some(1));
        assert_eq!(crowded.fit(1, GRADER_TASKS, TASKS_PER_RUN), Ok(1));
    }

    #[test]
    fn no_limit_or_an_exempt_process_keeps_its_jobs() {
        let unlimited = budget(None, 4, false);
        assert_eq!(unlimited.fit(64, GRADER_TASKS, TASKS_PER_RUN), Ok(64));
        let root = budget(Some(10), 4, true);
        assert_eq!(root.units_allowed(GRADER_TASKS, TASKS_PER_RUN), None);
        assert_eq!(root.fit(64, GRADER_TASKS, TASKS_PER_RUN), Ok(64));
    }

    #[test]
    fn only_the_identity_map_is_the_initial_user_namespace() {
        assert!(initial_user_namespace("         0          0 4294967295\n"));
        assert!(!initial_user_namespace(
            "         0      65534          1\n"
        ));
    }

    #[test]
    fn this_process_s_budget_counts_at_least_itself() {
        assert!(ProcessBudget::current().running >= 1);
    }
}
