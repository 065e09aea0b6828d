//! Removing a cgroup that may still hold processes: kill all of them, wait until the
//! cgroup has emptied, and remove it, with the cgroups a program may have made below it.
//!
//! The kernel refuses to remove a cgroup (EBUSY) while a process is in it, and SIGKILL
//! takes a moment to empty it. The wait is on an event, never a sleep:
//! - cgroup v2 (Linux 5.14 and later): one write to `cgroup.kill` kills everything in the
//!   cgroup and below, atomically with respect to `fork`; `populated 0` in
//!   `cgroup.events` then says the cgroup and those below are empty. A change to that
//!   file wakes a `poll` for `POLLPRI` (the cgroup v2 documentation's way to wait on it).
//! - cgroup v1, or v2 without `cgroup.kill`: each process listed in `cgroup.procs`, here
//!   and below, is killed through a pidfd ([`super::pidfd`]), and the pidfds say when all
//!   have died. A process forked in between is found in the next round, when the removal
//!   fails with EBUSY.
//!
//! A zombie does not hold a cgroup: an exited process leaves its cgroup before its parent
//! reaps it (`cgroup.procs` no longer lists it, `cgroup.events` says `populated 0`, and
//! the removal succeeds; v1's `pids.current` still counts it). So nothing here reaps, and
//! who reaps the killed (their parents, or the grader as subreaper in its next sweep for
//! orphans) does not matter to the removal.
//!
//! The fallback, where nothing can be waited on and yet the kernel says the cgroup is
//! busy (no pidfds on this kernel, or a member that no `cgroup.procs` lists): a pause,
//! longer each time, before the next round.

use super::pidfd::{FallbackPause, kill_listed, poll_before, wait_all_exited};
use nix::errno::Errno;
use nix::poll::{PollFd, PollFlags};
use std::io::{self, Read, Seek, Write};
use std::os::fd::AsFd;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// SIGKILLs what is in `dir` (and in any cgroup below it) and removes them, waiting for
/// the killed processes to leave, until `deadline`. Already gone counts as removed.
pub(crate) fn kill_and_remove(dir: &Path, deadline: Instant) -> io::Result<()> {
    let mut fallback = FallbackPause::new();
    loop {
        let waited = kill_and_wait(dir, deadline);
        match remove_tree(dir) {
            Ok(()) => return Ok(()),
            Err(error) if error.raw_os_error() == Some(Errno::EBUSY as i32) => {
                if Instant::now() >= deadline {
                    return Err(error);
                }
            }
            Err(error) => return Err(error),
        }
        if waited == Waited::OnNothing {
            fallback.sleep(deadline);
        }
    }
}

/// Whether a round of killing had an event to wait for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Waited {
    /// The cgroup's emptying, or the deaths of the processes it listed: it came, or the
    /// deadline passed first.
    OnAnEvent,
    /// Nothing: the fallback pause comes before the next round.
    OnNothing,
}

/// One round: kills what is in `dir` and below, and waits until it has left or
/// `deadline` passes.
fn kill_and_wait(dir: &Path, deadline: Instant) -> Waited {
    if kill_at_once(dir) {
        wait_until_unpopulated(dir, deadline)
    } else {
        kill_members_and_wait(dir, deadline)
    }
}

/// Writes `1` to `dir`'s `cgroup.kill` (cgroup v2, Linux 5.14 and later). False where
/// there is no such file, or the write fails.
fn kill_at_once(dir: &Path) -> bool {
    // Opened without O_CREAT: where the file is missing, nothing is to be made.
    std::fs::OpenOptions::new()
        .write(true)
        .open(dir.join("cgroup.kill"))
        .and_then(|mut kill| kill.write_all(b"1"))
        .is_ok()
}

/// Blocks until `dir`'s `cgroup.events` says `populated 0`, or `deadline` passes. Waited
/// on nothing if it already said so, or cannot be read.
fn wait_until_unpopulated(dir: &Path, deadline: Instant) -> Waited {
    let Ok(mut events) = std::fs::File::open(dir.join("cgroup.events")) else {
        return Waited::OnNothing;
    };
    let mut text = String::new();
    let mut first = true;
    loop {
        // Read before each poll: `poll` reports any change made since the last read, so
        // one that comes between this read and the poll still ends it.
        text.clear();
        let read = events
            .rewind()
            .and_then(|()| events.read_to_string(&mut text));
        if read.is_err() {
            return Waited::OnNothing;
        }
        if is_unpopulated(&text) {
            return if first {
                Waited::OnNothing
            } else {
                Waited::OnAnEvent
            };
        }
        first = false;
        let mut fds = [PollFd::new(events.as_fd(), PollFlags::POLLPRI)];
        if poll_before(&mut fds, deadline).is_none() {
            return Waited::OnNothing;
        }
        if Instant::now() >= deadline {
            return Waited::OnAnEvent;
        }
    }
}

/// Whether `cgroup.events` text says no process is in the cgroup or below it.
fn is_unpopulated(events: &str) -> bool {
    events.lines().any(|line| line.trim() == "populated 0")
}

/// SIGKILLs every process listed in `dir`'s `cgroup.procs` and below, through pidfds, and
/// waits until all have died or `deadline` passes.
fn kill_members_and_wait(dir: &Path, deadline: Instant) -> Waited {
    let found = members(dir);
    if found.is_empty() {
        return Waited::OnNothing;
    }
    // The members' own parents may reap them and free their pids at any moment: listing
    // the cgroup again after the pidfds are open keeps a reused pid from being killed.
    let killed = kill_listed(&found, || members(dir));
    wait_all_exited(&killed.pidfds, deadline);
    if killed.by_pid > 0 {
        Waited::OnNothing
    } else {
        Waited::OnAnEvent
    }
}

/// The pids `cgroup.procs` lists in `dir` and in every cgroup below it.
fn members(dir: &Path) -> Vec<i32> {
    subtree(dir)
        .iter()
        .filter_map(|member| std::fs::read_to_string(member.join("cgroup.procs")).ok())
        .flat_map(|procs| {
            procs
                .lines()
                .filter_map(|line| line.trim().parse::<i32>().ok())
                .filter(|pid| *pid > 0)
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Removes `dir` and any cgroup below it, deepest first. Already gone counts as removed.
fn remove_tree(dir: &Path) -> io::Result<()> {
    for member in subtree(dir).iter().rev() {
        match std::fs::remove_dir(member) {
            Err(error) if error.kind() != io::ErrorKind::NotFound => return Err(error),
            _ => {}
        }
    }
    Ok(())
}

/// `dir` and every cgroup below it, parents before children. In a cgroup filesystem the
/// only directories are cgroups.
fn subtree(dir: &Path) -> Vec<PathBuf> {
    let mut found = vec![dir.to_path_buf()];
    let mut next = 0;
    while let Some(current) = found.get(next).cloned() {
        next += 1;
        let Ok(entries) = std::fs::read_dir(&current) else {
            continue;
        };
        let mut children: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .filter(|entry| entry.file_type().is_ok_and(|kind| kind.is_dir()))
            .map(|entry| entry.path())
            .collect();
        children.sort();
        found.extend(children);
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::harness::test_programs::BUDGET;
    use std::io::{BufRead, BufReader};
    use std::process::{Child, ChildStdout, Command, Stdio};

    /// A fresh cgroup in the cgroup v2 hierarchy with a shell and two sleepers in it (see
    /// [`shell_with_sleepers_in`]), when there is one the test may write.
    fn v2_cgroup_with_sleepers() -> Option<(PathBuf, Child, BufReader<ChildStdout>)> {
        let dir = v2_cgroup()?;
        let (shell, stdout) = shell_with_sleepers_in(&dir)?;
        Some((dir, shell, stdout))
    }

    fn v2_cgroup() -> Option<PathBuf> {
        let me = procfs::process::Process::myself().ok()?;
        let mount = me
            .mountinfo()
            .ok()?
            .into_iter()
            .find(|mount| mount.fs_type == "cgroup2")?;
        let dir = mount
            .mount_point
            .join(format!("socklab-test-{}-{}", std::process::id(), next()));
        std::fs::create_dir(&dir).ok()?;
        Some(dir)
    }

    fn next() -> u64 {
        use std::sync::atomic::{AtomicU64, Ordering};
        static NEXT: AtomicU64 = AtomicU64::new(0);
        NEXT.fetch_add(1, Ordering::Relaxed)
    }

    /// `sh` moved into `dir` before it forks two sleepers (it waits for a line first), and
    /// its stdout, where it says "ready" once they run. `None` (and `dir` removed) if
    /// the test may not move a process there.
    fn shell_with_sleepers_in(dir: &Path) -> Option<(Child, BufReader<ChildStdout>)> {
        let mut child = Command::new("sh")
            .args(["-c", "read go; sleep 60 & sleep 60 & echo ready; wait"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        if std::fs::write(dir.join("cgroup.procs"), child.id().to_string()).is_err() {
            child.kill().unwrap();
            child.wait().unwrap();
            std::fs::remove_dir(dir).unwrap();
            return None;
        }
        child.stdin.take().unwrap().write_all(b"go\n").unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        assert_eq!(line, "ready\n");
        assert_eq!(members(dir).len(), 3, "{:?}", members(dir));
        Some((child, stdout))
    }

    #[test]
    fn cgroup_kill_empties_a_v2_cgroup_and_its_emptying_is_awaited() {
        let Some((dir, mut shell, _stdout)) = v2_cgroup_with_sleepers() else {
            eprintln!("skipped: no cgroup v2 hierarchy to write here");
            return;
        };
        assert!(
            kill_at_once(&dir),
            "no cgroup.kill: the kernel is older than 5.14"
        );
        // The kill may empty the cgroup before the first look (the sleepers die at once on
        // a quick machine): then it waited on nothing, as documented; otherwise on the
        // event. Either way it returns with the cgroup empty, long before the deadline.
        let deadline = Instant::now() + BUDGET;
        let waited = wait_until_unpopulated(&dir, deadline);
        assert!(Instant::now() < deadline, "{waited:?} only at the deadline");
        assert!(members(&dir).is_empty());
        // The shell is the test's child and not reaped yet: a zombie holds no cgroup.
        remove_tree(&dir).unwrap();
        assert!(!shell.wait().unwrap().success());
    }

    #[test]
    fn members_are_killed_through_pidfds_and_their_deaths_awaited() {
        // v2 without `cgroup.kill` takes this way, as v1 does.
        let Some((dir, mut shell, _stdout)) = v2_cgroup_with_sleepers() else {
            eprintln!("skipped: no cgroup v2 hierarchy to write here");
            return;
        };
        assert_eq!(
            kill_members_and_wait(&dir, Instant::now() + BUDGET),
            Waited::OnAnEvent
        );
        assert!(members(&dir).is_empty());
        kill_and_remove(&dir, Instant::now() + BUDGET).unwrap();
        assert!(!dir.exists());
        assert!(!shell.wait().unwrap().success());
    }

    #[test]
    fn the_deadline_ends_the_wait_for_a_cgroup_that_stays_populated() {
        let Some((dir, mut shell, _stdout)) = v2_cgroup_with_sleepers() else {
            eprintln!("skipped: no cgroup v2 hierarchy to write here");
            return;
        };
        // Nothing is killed, so it stays populated.
        let deadline = Instant::now() + std::time::Duration::from_millis(20);
        assert_eq!(wait_until_unpopulated(&dir, deadline), Waited::OnAnEvent);
        assert!(
            Instant::now() >= deadline,
            "the wait ended before its deadline"
        );
        assert_eq!(members(&dir).len(), 3);
        kill_and_remove(&dir, Instant::now() + BUDGET).unwrap();
        assert!(!shell.wait().unwrap().success());
    }

    #[test]
    fn populated_is_read_from_its_line() {
        assert!(is_unpopulated("populated 0\nfrozen 0\n"));
        assert!(!is_unpopulated("populated 1\nfrozen 0\n"));
        assert!(!is_unpopulated(""));
    }
}
