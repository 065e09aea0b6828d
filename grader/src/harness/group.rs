//! The registry of the programs the grader started, and signalling their process groups.
//!
//! Each program leads a session of its own, and so its own process group (its pid is the
//! group id): a signal to the group also reaches whatever it forked. The registry keeps
//! two sets under one lock. The groups not yet stopped are what Ctrl-C kills. The leaders
//! not yet reaped are what a sweep for orphans ([`super::orphans`]) must never touch: their
//! waiter threads reap them and keep their exit status. One lock makes the picture a sweep
//! sees consistent: a program is registered in the same critical section it is forked in,
//! and a leader is forgotten in the same critical section it is reaped in, so no pid is
//! ever a leader's and an orphan's at once.

use nix::errno::Errno;
use nix::sys::signal::{Signal, killpg};
use nix::sys::wait::{Id, WaitPidFlag, WaitStatus, waitid, waitpid};
use nix::unistd::Pid;
use std::collections::BTreeSet;
use std::io;
use std::sync::{Mutex, MutexGuard, PoisonError};

/// SIGKILLs every program group that was started and not yet stopped, then every process
/// that descends from the grader outside its own session (what escaped those groups), and
/// refuses to start programs from then on. For the CLI's Ctrl-C handler, just before the
/// grader exits; it takes locks, so call it from a thread (as the `ctrlc` crate does), not
/// from a raw signal handler.
pub fn stop_all_now() {
    {
        let mut registry = registry();
        // A scenario thread starting a program right now must not slip past the kill.
        registry.closed = true;
        for &pid in &registry.live {
            signal_group(pid, Signal::SIGKILL);
        }
    }
    super::orphans::kill_every_descendant();
    super::orphans::sweep_orphans();
}

/// The programs the grader started, as [`registry`] guards them.
#[derive(Debug, Default)]
pub(crate) struct Registry {
    /// Process group ids (the leaders' pids) of programs not yet stopped.
    pub(crate) live: BTreeSet<u32>,
    /// Leaders not yet reaped by their waiter threads.
    pub(crate) unreaped: BTreeSet<u32>,
    /// Set by [`stop_all_now`]: no program may start any more.
    pub(crate) closed: bool,
}

impl Registry {
    /// Records a leader just forked (call in the same critical section as the fork).
    pub(crate) fn register(&mut self, pid: u32) {
        self.live.insert(pid);
        self.unreaped.insert(pid);
    }
}

static REGISTRY: Mutex<Registry> = Mutex::new(Registry {
    live: BTreeSet::new(),
    unreaped: BTreeSet::new(),
    closed: false,
});

pub(crate) fn registry() -> MutexGuard<'static, Registry> {
    REGISTRY.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Whether the program led by `pid` is registered and not yet stopped.
#[cfg(test)]
pub(crate) fn is_live(pid: u32) -> bool {
    registry().live.contains(&pid)
}

/// Signals a whole process group. A group that is already gone is not an error: that is
/// what stopping wants.
pub(crate) fn signal_group(pid: u32, signal: Signal) {
    let Ok(pid) = i32::try_from(pid) else { return };
    let _ = killpg(Pid::from_raw(pid), signal);
}

/// Waits until the registered leader `pid` has exited, then reaps it with `try_reap` (a
/// non-blocking wait) and forgets it, under the registry's lock. Returns what `try_reap`
/// reaped; `None` if it could not (another reaper took it, which nothing in the grader
/// does: the sweeps leave registered leaders alone).
pub(crate) fn reap_leader<T>(
    pid: u32,
    try_reap: impl FnOnce() -> io::Result<Option<T>>,
) -> Option<T> {
    wait_for_exit(pid);
    let mut registry = registry();
    // After the wait the leader is a zombie, so this does not block under the lock. Were
    // it somehow still running, it would be forgotten unreaped, and the next sweep would
    // kill it: its session is not the grader's.
    let reaped = try_reap().ok().flatten();
    registry.unreaped.remove(&pid);
    reaped
}

/// Kills and reaps a program whose watcher threads could not be started.
pub(crate) fn abandon(pid: u32) {
    signal_group(pid, Signal::SIGKILL);
    reap_leader(pid, || {
        let raw = i32::try_from(pid).map_err(io::Error::other)?;
        match waitpid(Pid::from_raw(raw), Some(WaitPidFlag::WNOHANG)) {
            Ok(WaitStatus::StillAlive) => Ok(None),
            Ok(status) => Ok(Some(status)),
            Err(errno) => Err(errno.into()),
        }
    });
    registry().live.remove(&pid);
}

/// Blocks until the child `pid` has exited, leaving it unreaped. False if the kernel says
/// it is no child of ours (or no longer one to wait for).
fn wait_for_exit(pid: u32) -> bool {
    let Ok(raw) = i32::try_from(pid) else {
        return false;
    };
    loop {
        match waitid(
            Id::Pid(Pid::from_raw(raw)),
            WaitPidFlag::WEXITED | WaitPidFlag::WNOWAIT,
        ) {
            Ok(_) => return true,
            Err(Errno::EINTR) => continue,
            Err(_) => return false,
        }
    }
}
