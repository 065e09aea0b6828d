//! Processes that escaped their program's group: found through the child subreaper,
//! killed and reaped.
//!
//! A program that double-forks and `setsid`s a grandchild takes it out of its process
//! group, so the group kill misses it. With the grader a child subreaper
//! ([`become_subreaper`]), such a process comes back to the grader when its parent dies,
//! instead of going to init, and a sweep finds it: after every program ends
//! (`RunningProgram::end`), at Ctrl-C (`stop_all_now`), and when the session's
//! [`Subreaper`] is dropped.
//!
//! A sweep takes the grader's children (`/proc/<pid>/stat` field 4) that are
//! - outside the grader's own session: every program starts a session of its own and
//!   nothing can join a session from outside it, so all that descends from a program is
//!   outside, and whatever else the grader runs (`tc`, a test's helper) is inside;
//! - not a registered leader still unreaped: its waiter thread reaps it, for its status;
//! - not in the session of a program still running: those are that program's own, and
//!   its own end kills them.
//!
//! It SIGKILLs each through a pidfd ([`super::pidfd`]), waits for the pidfds to say they
//! have exited, reaps each by pid (never `waitpid(-1)`, which would steal the waiter
//! threads' statuses), and looks again, since an escapee's death hands its own children
//! to the grader. The grader's threads are never candidates: /proc lists processes only.
//!
//! A process that `setsid`s keeps no trace of the program it came from. So while programs
//! run at once, the sweep after program A ends also kills a detached grandchild of a
//! still-running program B whose parent has died, and counts it as A's. That is early for
//! B; but that grandchild is no part of what B is graded on, and left alone it could
//! outlive the session.

use crate::harness::group::{Registry, registry};
use crate::harness::pidfd::{FallbackPause, kill_listed, wait_all_exited};
use nix::errno::Errno;
use nix::sys::prctl::set_child_subreaper;
use nix::sys::wait::{WaitPidFlag, WaitStatus, waitpid};
use nix::unistd::{Pid, getpid, getsid};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};
use thiserror::Error;

/// Makes the grader a child subreaper, so orphaned descendants of its programs are
/// reparented to it. Call once, before any program starts; hold the [`Subreaper`] for the
/// whole session.
pub fn become_subreaper() -> Result<Subreaper, SubreaperError> {
    set_child_subreaper(true).map_err(SubreaperError)?;
    Ok(Subreaper { _private: () })
}

/// The grader is a child subreaper. Dropping this, at the end of the session, sweeps for
/// orphans one last time.
#[derive(Debug)]
#[must_use = "dropping it sweeps for orphans at once; hold it until the session ends"]
pub struct Subreaper {
    _private: (),
}

impl Drop for Subreaper {
    fn drop(&mut self) {
        sweep_orphans();
    }
}

/// `prctl(PR_SET_CHILD_SUBREAPER)` failed (kernels before 3.4).
#[derive(Debug, Error)]
#[error(
    "cannot make the grader a child subreaper ({0}): a process that leaves its program's \
     group may outlive its scenario"
)]
pub struct SubreaperError(Errno);

/// Kills and reaps every orphan (see the module's doc). Returns how many of them were
/// still running, rather than already dead and waiting to be reaped.
pub fn sweep_orphans() -> u32 {
    sweep(None)
}

/// The sweep after the program led by `leader` has ended (and left the registry's live
/// set). Returns how many running processes it killed that had left that program's group:
/// what escaped it, as far as anything can tell (see the module's doc).
pub(crate) fn sweep_after(leader: u32) -> u32 {
    sweep(Some(leader))
}

/// SIGKILLs everything that descends from the grader outside its own session, until none
/// of it runs or the time is up. For the grader's exit: unlike a sweep it also kills
/// processes that are not orphans yet, whose parents die with them, and spares nothing.
pub(crate) fn kill_every_descendant() {
    let Some(grader) = Grader::this() else { return };
    let deadline = Instant::now() + SWEEP_LIMIT;
    let running = || -> Vec<i32> {
        descendants_outside(&process_table(), &grader)
            .into_iter()
            .filter(|task| task.running)
            .map(|task| task.pid)
            .collect()
    };
    let mut fallback = FallbackPause::new();
    loop {
        let found = running();
        if found.is_empty() || Instant::now() >= deadline {
            return;
        }
        // These are not the grader's children, and their own parents may reap them and
        // free their pids at any time: `kill_listed` reads the table again after opening
        // their pidfds, so no reused pid is killed.
        let killed = kill_listed(&found, running);
        // Looked at again after: each death may hand the grader children it had forked
        // meanwhile.
        wait_all_exited(&killed.pidfds, deadline);
        if killed.by_pid > 0 {
            // The fallback: nothing announces the deaths of those killed by pid.
            fallback.sleep(deadline);
        }
    }
}

/// How long one sweep may spend killing and reaping: only a process stuck in the kernel
/// takes more than microseconds to die of SIGKILL.
const SWEEP_LIMIT: Duration = Duration::from_secs(2);

/// Sweeps one at a time: two sweeps reaping the same orphan could leave its pid free for
/// a new process that the second one then kills.
static SWEEPING: Mutex<()> = Mutex::new(());

/// One process as /proc describes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Task {
    pid: i32,
    parent: i32,
    group: i32,
    session: i32,
    /// Neither a zombie nor dead.
    running: bool,
}

/// The grader's own process and session.
#[derive(Clone, Copy, Debug)]
struct Grader {
    pid: i32,
    session: i32,
}

impl Grader {
    /// `None` only if the kernel will not say the grader's session, which it always does;
    /// without it no orphan can be told from the grader's own helpers, so none is swept.
    fn this() -> Option<Grader> {
        Some(Grader {
            pid: getpid().as_raw(),
            session: getsid(None).ok()?.as_raw(),
        })
    }
}

fn sweep(attributed_to: Option<u32>) -> u32 {
    let Some(grader) = Grader::this() else {
        return 0;
    };
    let _one_at_a_time = SWEEPING.lock().unwrap_or_else(PoisonError::into_inner);
    let deadline = Instant::now() + SWEEP_LIMIT;
    let mut seen = BTreeSet::new();
    let mut escaped = 0;
    loop {
        let (found, killed) = {
            // Under the registry's lock no program is forked or reaped, so no pid found
            // here becomes a program's before it is killed.
            let registry = registry();
            let found = select_orphans(&process_table(), &grader, &registry);
            let pids: Vec<i32> = found.iter().map(|task| task.pid).collect();
            // Nothing to list again: these are the grader's own unreaped children, and
            // only this sweep reaps them, so their pids stay theirs.
            let killed = kill_listed(&pids, || pids.clone());
            (found, killed)
        };
        // One stuck in the kernel is found again; it is counted and waited for once.
        let fresh: Vec<Task> = found
            .into_iter()
            .filter(|task| seen.insert(task.pid))
            .collect();
        if fresh.is_empty() {
            return escaped;
        }
        let newly_escaped = fresh
            .iter()
            .filter(|task| had_escaped(task, attributed_to))
            .count();
        escaped = escaped.saturating_add(u32::try_from(newly_escaped).unwrap_or(u32::MAX));
        let fresh_pids: BTreeSet<i32> = fresh.iter().map(|task| task.pid).collect();
        wait_all_exited(
            killed
                .pidfds
                .iter()
                .filter(|pidfd| fresh_pids.contains(&pidfd.pid())),
            deadline,
        );
        for task in &fresh {
            reap(task.pid, deadline);
        }
        if Instant::now() >= deadline {
            return escaped;
        }
    }
}

/// The orphans in `table` a sweep takes (see the module's doc).
fn select_orphans(table: &[Task], grader: &Grader, registry: &Registry) -> Vec<Task> {
    let registered =
        |set: &BTreeSet<u32>, pid: i32| u32::try_from(pid).is_ok_and(|pid| set.contains(&pid));
    table
        .iter()
        .filter(|task| task.parent == grader.pid && task.pid != grader.pid)
        .filter(|task| task.session != grader.session)
        .filter(|task| !registered(&registry.unreaped, task.pid))
        .filter(|task| !registered(&registry.live, task.session))
        .copied()
        .collect()
}

/// Whether a killed orphan counts as escaped: it was running, and (after a program's end)
/// had left that program's group, which the group kill already took care of.
fn had_escaped(task: &Task, attributed_to: Option<u32>) -> bool {
    task.running && attributed_to.is_none_or(|leader| u32::try_from(task.group) != Ok(leader))
}

/// Every process below the grader in `table` that is outside its session.
fn descendants_outside(table: &[Task], grader: &Grader) -> Vec<Task> {
    let mut children: BTreeMap<i32, Vec<&Task>> = BTreeMap::new();
    for task in table {
        children.entry(task.parent).or_default().push(task);
    }
    let mut visited = BTreeSet::from([grader.pid]);
    let mut below = vec![grader.pid];
    let mut found = Vec::new();
    while let Some(parent) = below.pop() {
        for child in children.get(&parent).into_iter().flatten() {
            // A table read while processes come and go may be inconsistent; never loop.
            if !visited.insert(child.pid) {
                continue;
            }
            below.push(child.pid);
            if child.session != grader.session {
                found.push(**child);
            }
        }
    }
    found.sort_by_key(|task| task.pid);
    found
}

/// Every process /proc lists now; those that vanish while it is read are left out.
fn process_table() -> Vec<Task> {
    let Ok(processes) = procfs::process::all_processes() else {
        return Vec::new();
    };
    processes
        .filter_map(Result::ok)
        .filter_map(|process| process.stat().ok())
        .map(|stat| Task {
            pid: stat.pid,
            parent: stat.ppid,
            group: stat.pgrp,
            session: stat.session,
            running: !matches!(stat.state, 'Z' | 'X' | 'x'),
        })
        .collect()
}

/// Reaps the killed child `pid`, which its pidfd has said is dead; or, with no pidfd (the
/// fallback), once it is dead, giving up at `deadline`.
fn reap(pid: i32, deadline: Instant) {
    let pid = Pid::from_raw(pid);
    let mut fallback = FallbackPause::new();
    loop {
        match waitpid(pid, Some(WaitPidFlag::WNOHANG)) {
            Ok(WaitStatus::StillAlive) => {}
            Err(Errno::EINTR) => continue,
            Ok(_) | Err(_) => return,
        }
        if Instant::now() >= deadline {
            return;
        }
        // Alive after its pidfd said it died only if it had no pidfd: a SIGCHLD handler
        // would belong to the whole process, and blocking in waitpid has no deadline.
        fallback.sleep(deadline);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GRADER: Grader = Grader {
        pid: 100,
        session: 1,
    };

    fn task(pid: i32, parent: i32, group: i32, session: i32) -> Task {
        Task {
            pid,
            parent,
            group,
            session,
            running: true,
        }
    }

    #[test]
    fn a_sweep_takes_only_orphans_outside_live_sessions() {
        let table = [
            task(100, 1, 1, 1),       // the grader itself
            task(101, 100, 1, 1),     // `tc`, run by the grader in its session
            task(200, 100, 200, 200), // a live program's leader
            task(201, 100, 200, 200), // orphaned, in the live program's session
            task(300, 100, 300, 300), // an ended leader, not reaped yet
            task(301, 100, 300, 300), // orphaned, of the ended program
            task(400, 100, 400, 400), // setsid'd escapee, now the grader's
            task(401, 400, 400, 400), // its child: not the grader's
        ];
        let mut registry = Registry::default();
        registry.register(200);
        registry.register(300);
        registry.live.remove(&300);
        let pids: Vec<i32> = select_orphans(&table, &GRADER, &registry)
            .iter()
            .map(|task| task.pid)
            .collect();
        assert_eq!(pids, [301, 400]);
    }

    #[test]
    fn only_running_processes_out_of_the_programs_group_count_as_escaped() {
        let escapee = task(400, 100, 400, 400);
        let member = task(301, 100, 300, 300);
        let zombie = Task {
            running: false,
            ..escapee
        };
        assert!(had_escaped(&escapee, Some(300)));
        assert!(!had_escaped(&member, Some(300)));
        assert!(!had_escaped(&zombie, Some(300)));
        assert!(had_escaped(&member, None));
    }

    #[test]
    fn descendants_outside_the_session_are_found_at_any_depth() {
        let table = [
            task(101, 100, 1, 1),
            task(102, 101, 102, 102), // outside, below the grader's helper
            task(200, 100, 200, 200),
            task(201, 200, 200, 200),
            task(202, 201, 202, 202),
            task(500, 1, 500, 500), // not ours
        ];
        let pids: Vec<i32> = descendants_outside(&table, &GRADER)
            .iter()
            .map(|task| task.pid)
            .collect();
        assert_eq!(pids, [102, 200, 201, 202]);
    }
}
