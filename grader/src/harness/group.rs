//! The process groups of running programs: signalling a whole group, and the registry of
//! live groups that lets Ctrl-C kill every program before the grader exits.
//!
//! Each program leads its own group (its pid is the group id), so a signal to the group
//! also reaches whatever it forked.

use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;
use std::collections::BTreeSet;
use std::sync::{Mutex, MutexGuard, PoisonError};

/// SIGKILLs every program group that was started and not yet stopped. For the CLI's Ctrl-C
/// handler; it takes a lock, so call it from a thread (as the `ctrlc` crate does), not
/// from a raw signal handler.
pub fn stop_all_now() {
    for &pid in live_groups().iter() {
        signal_group(pid, Signal::SIGKILL);
    }
}

/// Process group ids (the leaders' pids) of programs not yet stopped.
static LIVE_GROUPS: Mutex<BTreeSet<u32>> = Mutex::new(BTreeSet::new());

pub(crate) fn live_groups() -> MutexGuard<'static, BTreeSet<u32>> {
    LIVE_GROUPS.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Signals a whole process group. A group that is already gone is not an error: that is
/// what stopping wants.
pub(crate) fn signal_group(pid: u32, signal: Signal) {
    let Ok(pid) = i32::try_from(pid) else { return };
    let _ = killpg(Pid::from_raw(pid), signal);
}

/// Kills and reaps a program whose watcher threads could not be started.
pub(crate) fn abandon(pid: u32) {
    signal_group(pid, Signal::SIGKILL);
    if let Ok(raw) = i32::try_from(pid) {
        let _ = nix::sys::wait::waitpid(Pid::from_raw(raw), None);
    }
    live_groups().remove(&pid);
}
