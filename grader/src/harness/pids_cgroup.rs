//! A pids cgroup per program, so that a fork bomb is contained even when the grader runs
//! as root.
//!
//! `RLIMIT_NPROC` ([`super::limits`]) is not enforced for root, and a course container
//! often runs the grader as root. The pids controller is: a fresh cgroup per program with
//! `pids.max` set, joined between fork and exec (the child writes its own pid, `0`, into
//! `cgroup.procs`), counts the program and everything it forks from its first instruction,
//! and makes a fork past the limit fail with `EAGAIN`. The kernel records each refusal in
//! `pids.events` (`max N`, in cgroup v1 and v2 alike), which is how the report can say
//! the program tried. Removing the cgroup kills whatever is still in it (and waits for it
//! to leave, [`super::cgroup_removal`]), so it is also a last net under the group kill and
//! the sweep for orphans.
//!
//! The cgroup is made next to the grader's own ([`super::cgroup_location`]): under its
//! pids cgroup in a v1 hierarchy, or in its v2 cgroup when that has `pids` in
//! `cgroup.subtree_control` (and the grader may write there). Where neither works (not
//! root, no pids controller, a read-only `/sys/fs/cgroup`), [`PidsCgroup::create`]
//! returns `None` and nothing else changes; which it is is probed once per grader run.

use super::cgroup_removal::kill_and_remove;
use std::collections::BTreeSet;
use std::ffi::CString;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};
use thiserror::Error;

/// One program's pids cgroup. Dropping it (or [`remove`](Self::remove)) kills what is
/// still in it and removes it.
#[derive(Debug)]
pub struct PidsCgroup {
    dir: PathBuf,
    procs: CString,
    max: u64,
    removed: bool,
}

/// The cgroup could not be removed: something in it outlived every SIGKILL until the time
/// was up, or the kernel refused.
#[derive(Debug, Error)]
#[error("cannot remove the pids cgroup {}: {source}", dir.display())]
pub struct RemoveError {
    dir: PathBuf,
    source: io::Error,
}

impl PidsCgroup {
    /// A fresh cgroup `socklab-<grader pid>-<n>` that lets at most `max` processes and
    /// threads run in it; `None` where pids cgroups are unavailable (see the module's doc).
    pub fn create(max: u64) -> Option<PidsCgroup> {
        create_in(parent_dir()?, max).ok()
    }

    /// Where programs' cgroups are made, if they can be here (probed as [`create`]
    /// probes: a throwaway `true` is run in a fresh cgroup, which is then removed).
    ///
    /// [`create`]: Self::create
    pub fn parent() -> Option<&'static Path> {
        parent_dir()
    }

    /// The most processes and threads it lets run at once.
    pub fn max(&self) -> u64 {
        self.max
    }

    /// Its directory in the cgroup filesystem.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Its `cgroup.procs`, which a process joins by writing its pid there.
    pub fn procs_path(&self) -> CString {
        self.procs.clone()
    }

    /// Whether a fork or a new thread was refused because the cgroup was full. Read it
    /// before removing the cgroup.
    pub fn limit_hit(&self) -> bool {
        std::fs::read_to_string(self.dir.join("pids.events"))
            .is_ok_and(|events| refusals(&events) > 0)
    }

    /// Makes `command`'s child join the cgroup before it execs, so the program and all it
    /// forks are counted from the start. A child that cannot join fails to start: running
    /// it uncounted would break the promise that a fork bomb is contained.
    pub fn join_before_exec(&self, command: &mut Command) {
        install(command, self.procs_path());
    }

    /// SIGKILLs everything still in the cgroup, waits until the killed processes have
    /// left it, and removes it.
    pub fn remove(mut self) -> Result<(), RemoveError> {
        self.removed = true;
        remove_dir(&self.dir)
    }
}

impl Drop for PidsCgroup {
    fn drop(&mut self) {
        if !self.removed {
            // Nothing to report to from a destructor; the Ctrl-C path retries the leftovers.
            let _ = remove_dir(&self.dir);
        }
    }
}

/// Kills the contents of every pids cgroup made and not yet removed, and removes them. For
/// the grader's exit on Ctrl-C, when the programs' owners never get to drop them.
pub fn remove_all_now() {
    let dirs: Vec<PathBuf> = live().iter().cloned().collect();
    for dir in dirs {
        let _ = remove_dir(&dir);
    }
}

/// How long removal may wait for killed processes to leave the cgroup: only a process
/// stuck in the kernel takes more than microseconds to die of SIGKILL.
const REMOVE_LIMIT: Duration = Duration::from_secs(2);

/// The cgroups made and not yet removed, for [`remove_all_now`].
fn live() -> std::sync::MutexGuard<'static, BTreeSet<PathBuf>> {
    static LIVE: Mutex<BTreeSet<PathBuf>> = Mutex::new(BTreeSet::new());
    LIVE.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The directory the grader makes its cgroups in, probed once: `None` if a cgroup made
/// there cannot hold a process.
fn parent_dir() -> Option<&'static Path> {
    // A success is kept for the whole run; a failed probe may be a passing hiccup (a busy
    // cgroup filesystem), so it is tried again, a few times, before containment is given up.
    static PARENT: OnceLock<PathBuf> = OnceLock::new();
    static FAILED_PROBES: AtomicU64 = AtomicU64::new(0);
    if let Some(parent) = PARENT.get() {
        return Some(parent);
    }
    if FAILED_PROBES.load(Ordering::Relaxed) >= 3 {
        return None;
    }
    match probe() {
        Some(parent) => Some(PARENT.get_or_init(|| parent)),
        None => {
            FAILED_PROBES.fetch_add(1, Ordering::Relaxed);
            None
        }
    }
}

/// Makes a cgroup, runs `true` in it and removes it: where this works, programs can be
/// contained.
fn probe() -> Option<PathBuf> {
    let parent = super::cgroup_location::grader_pids_cgroup_dir()?;
    let probe = create_in(&parent, PROBE_MAX).ok()?;
    let mut command = super::probe::silent_true();
    probe.join_before_exec(&mut command);
    let joined = command.status().is_ok_and(|status| status.success());
    let removed = probe.remove().is_ok();
    (joined && removed).then_some(parent)
}

/// Room for the probe's `true`, however the kernel counts it.
const PROBE_MAX: u64 = 8;

/// Makes a fresh cgroup under `parent` with `pids.max` set to `max`.
fn create_in(parent: &Path, max: u64) -> io::Result<PidsCgroup> {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let mut attempts = 0;
    let (dir, procs) = loop {
        let count = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = parent.join(format!("socklab-{}-{count}", std::process::id()));
        let procs = CString::new(dir.join("cgroup.procs").as_os_str().as_bytes())
            .map_err(io::Error::other)?;
        match std::fs::create_dir(&dir) {
            Ok(()) => break (dir, procs),
            // Left by an earlier grader that had the same pid and was killed outright.
            Err(error) if error.kind() == io::ErrorKind::AlreadyExists && attempts < 16 => {
                attempts += 1;
            }
            Err(error) => return Err(error),
        }
    };
    live().insert(dir.clone());
    // Made first, so a failure from here on removes the directory when it is dropped.
    let cgroup = PidsCgroup {
        dir,
        procs,
        max,
        removed: false,
    };
    std::fs::write(cgroup.dir.join("pids.max"), max.to_string())?;
    Ok(cgroup)
}

/// How many forks `pids.events` says were refused (its `max N` line).
fn refusals(events: &str) -> u64 {
    events
        .lines()
        .filter_map(|line| line.split_once(' '))
        .filter(|(key, _)| *key == "max")
        .filter_map(|(_, count)| count.trim().parse::<u64>().ok())
        .sum()
}

/// SIGKILLs what is in `dir` (and in any cgroup a program made below it) and removes it,
/// waiting up to [`REMOVE_LIMIT`] for the killed processes to leave.
fn remove_dir(dir: &Path) -> Result<(), RemoveError> {
    let result = kill_and_remove(dir, Instant::now() + REMOVE_LIMIT);
    if result.is_ok() {
        live().remove(dir);
    }
    result.map_err(|source| RemoveError {
        dir: dir.to_path_buf(),
        source,
    })
}

#[expect(
    unsafe_code,
    reason = "joining a cgroup must happen between fork and exec, and no safe wrapper \
              avoids allocating in the child"
)]
fn install(command: &mut Command, procs: CString) {
    use nix::libc;
    // SAFETY: the hook runs in the forked child before exec, so it only makes the system
    // calls open, write and close on a string built before the fork (no allocation, no
    // locks); an io::Error made from errno does not allocate.
    unsafe {
        command.pre_exec(move || {
            let fd = libc::open(procs.as_ptr(), libc::O_WRONLY | libc::O_CLOEXEC);
            if fd < 0 {
                return Err(io::Error::last_os_error());
            }
            // "0" is the writer itself, in cgroup v1 and v2 alike.
            let written = libc::write(fd, b"0".as_ptr().cast(), 1);
            let result = if written < 0 {
                Err(io::Error::last_os_error())
            } else {
                Ok(())
            };
            libc::close(fd);
            result
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::Stream;
    use crate::harness::test_programs::{
        BUDGET, first_line, is_alone, is_gone, run_alone, sh, start, texts,
    };
    use nix::sys::wait::{Id, WaitPidFlag, waitid};
    use nix::unistd::Pid;
    use std::io::{BufRead, Write};
    use std::process::Stdio;

    #[test]
    fn a_fork_bomb_is_refused_and_its_cgroup_removed() {
        let Some(parent) = parent_dir() else {
            eprintln!("skipped: pids cgroups are not available here");
            return;
        };
        // The first line names the cgroup the program runs in; dash gives up at the first
        // fork refused ("Cannot fork").
        let (_dir, mut spec) = sh("grep -o 'socklab-[0-9]*-[0-9]*' /proc/self/cgroup; \
             i=0; while [ $i -lt 300 ]; do sleep 60 & i=$((i+1)); done; echo all $i");
        spec.limits.max_pids = 50;
        let program = start(&spec);
        let name = first_line(&program);
        assert!(name.starts_with("socklab-"), "{name}");
        assert!(parent.join(&name).is_dir());
        assert!(program.wait_until(Instant::now() + BUDGET));
        let transcript = program.finish();

        assert!(transcript.pids_limit_hit, "{transcript:?}");
        assert_eq!(texts(&transcript, Stream::Stdout), [name.as_str()]);
        let refused = texts(&transcript, Stream::Stderr).join("\n");
        assert!(refused.contains("fork"), "{refused}");
        assert!(!parent.join(&name).exists(), "{name} was left behind");
    }

    #[test]
    fn removing_a_cgroup_kills_what_is_left_in_it() {
        let Some(cgroup) = PidsCgroup::create(50) else {
            eprintln!("skipped: pids cgroups are not available here");
            return;
        };
        let dir = cgroup.path().to_path_buf();
        assert_eq!(
            std::fs::read_to_string(dir.join("pids.max")).unwrap(),
            "50\n"
        );
        // The shell exits at once; its background sleeper is left in the cgroup alone.
        let mut command = Command::new("sh");
        command
            .args(["-c", "sleep 60 & echo $!"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped());
        cgroup.join_before_exec(&mut command);
        let mut child = command.spawn().unwrap();
        let mut line = String::new();
        let stdout = child.stdout.take().unwrap();
        io::BufReader::new(stdout).read_line(&mut line).unwrap();
        assert!(child.wait().unwrap().success());
        let sleeper = line.trim().to_owned();
        assert!(!is_gone(&sleeper));
        let members = std::fs::read_to_string(dir.join("cgroup.procs")).unwrap();
        assert_eq!(members.lines().collect::<Vec<_>>(), [sleeper.as_str()]);

        assert!(!cgroup.limit_hit());
        cgroup.remove().unwrap();
        assert!(is_gone(&sleeper), "sleeper {sleeper} survived");
        assert!(!dir.exists(), "{} was left behind", dir.display());
        assert!(!live().contains(&dir));
    }

    #[test]
    fn an_unreaped_zombie_does_not_hold_its_cgroup() {
        let Some(cgroup) = PidsCgroup::create(10) else {
            eprintln!("skipped: pids cgroups are not available here");
            return;
        };
        let dir = cgroup.path().to_path_buf();
        let mut command = Command::new("sh");
        command.args(["-c", "read line"]).stdin(Stdio::piped());
        cgroup.join_before_exec(&mut command);
        let mut child = command.spawn().unwrap();
        let pid = Pid::from_raw(i32::try_from(child.id()).unwrap());
        // It exits on its line, and stays a zombie: nothing reaps it yet.
        child.stdin.take().unwrap().write_all(b"go\n").unwrap();
        waitid(Id::Pid(pid), WaitPidFlag::WEXITED | WaitPidFlag::WNOWAIT).unwrap();
        assert_eq!(
            std::fs::read_to_string(dir.join("cgroup.procs")).unwrap(),
            ""
        );
        cgroup.remove().unwrap();
        assert!(!dir.exists());
        assert!(child.wait().unwrap().success());
    }

    #[test]
    fn dropping_a_cgroup_removes_it() {
        let Some(cgroup) = PidsCgroup::create(10) else {
            eprintln!("skipped: pids cgroups are not available here");
            return;
        };
        let dir = cgroup.path().to_path_buf();
        assert!(dir.is_dir());
        assert_eq!(cgroup.max(), 10);
        assert!(cgroup.procs_path().to_bytes().ends_with(b"/cgroup.procs"));
        drop(cgroup);
        assert!(!dir.exists());
    }

    #[test]
    fn remove_all_now_removes_every_cgroup_left() {
        // In a test process of its own: it removes every cgroup this process made.
        run_alone(
            module_path!(),
            "alone_remove_all_now_removes_every_cgroup_left",
        );
    }

    #[test]
    #[ignore = "run in a process of its own by remove_all_now_removes_every_cgroup_left"]
    fn alone_remove_all_now_removes_every_cgroup_left() {
        if !is_alone("alone_remove_all_now_removes_every_cgroup_left") {
            return;
        }
        let (Some(occupied), Some(empty)) = (PidsCgroup::create(10), PidsCgroup::create(10)) else {
            eprintln!("skipped: pids cgroups are not available here");
            return;
        };
        let mut command = Command::new("sleep");
        command.arg("60");
        occupied.join_before_exec(&mut command);
        let mut sleeper = command.spawn().unwrap();
        let dirs = [occupied.path().to_path_buf(), empty.path().to_path_buf()];
        // As when the grader exits on Ctrl-C: no owner drops them.
        std::mem::forget(occupied);
        std::mem::forget(empty);

        remove_all_now();
        assert!(
            !sleeper.wait().unwrap().success(),
            "the sleeper was not killed"
        );
        for dir in &dirs {
            assert!(!dir.exists(), "{} was left behind", dir.display());
        }
        assert!(live().is_empty());
    }

    #[test]
    fn refusals_are_read_from_the_max_line() {
        assert_eq!(refusals("max 0\n"), 0);
        assert_eq!(refusals("max 17\n"), 17);
        // Newer v2 kernels add lines of their own.
        assert_eq!(refusals("max 3\nmax.imposed 5\n"), 3);
        assert_eq!(refusals(""), 0);
    }
}
