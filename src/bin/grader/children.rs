//! The `grader check` children of `grader batch`: each started in a process group of its
//! own, known by its pid, and stopped by it.
//!
//! A child stops its own programs when it gets SIGTERM (its Ctrl-C handler), so stopping
//! the batch is: refuse new children, SIGTERM every running child's group, wait until
//! their waiter threads have reaped them all, and go. Nothing is ever signalled by name.
//! Children run in the batch's session, so the orphan sweep of the batch (a child
//! subreaper) never mistakes them for escaped programs.

use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;
use std::collections::BTreeSet;
use std::os::unix::process::CommandExt;
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

/// How long stopping waits for the children to stop their programs before killing them.
const STOP_GRACE: Duration = Duration::from_secs(10);

/// Set once the batch is stopping: no child may start, and no result may be written.
static STOPPING: AtomicBool = AtomicBool::new(false);

/// The process groups (the children's pids) of children not yet reaped.
static RUNNING: Mutex<BTreeSet<u32>> = Mutex::new(BTreeSet::new());
/// Notified each time a child is reaped, for the stopper waiting on [`RUNNING`].
static REAPED: Condvar = Condvar::new();

/// Runs `command` as a child in its own process group and collects its output; `None`
/// when the batch is stopping (then nothing it said counts). A child still running after
/// `deadline` (a grader that hangs, which its own budgets should make impossible) has its
/// group stopped (SIGTERM, then SIGKILL after [`STOP_GRACE`]), and its stderr ends with a
/// line that says so.
/// `started` is told the child's pid once it runs.
pub fn run(
    mut command: Command,
    deadline: Duration,
    started: impl FnOnce(u32),
) -> std::io::Result<Option<Finished>> {
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    let child = {
        let mut running = running();
        // Checked under the lock the stopper signals under, so no child slips past it.
        if stopping() {
            return Ok(None);
        }
        let child = command.spawn()?;
        running.insert(child.id());
        child
    };
    let pid = child.id();
    started(pid);
    // A watchdog, not a poll: it sleeps on a channel that the end of the child closes.
    let (finished, watch) = std::sync::mpsc::channel::<()>();
    let watchdog = std::thread::spawn(move || {
        let overdue = matches!(
            watch.recv_timeout(deadline),
            Err(std::sync::mpsc::RecvTimeoutError::Timeout)
        );
        if overdue && let Ok(group) = i32::try_from(pid) {
            // SIGTERM first: the child stops its own programs, which live in sessions of
            // their own, out of its group's reach.
            let _ = killpg(Pid::from_raw(group), Signal::SIGTERM);
            if matches!(
                watch.recv_timeout(STOP_GRACE),
                Err(std::sync::mpsc::RecvTimeoutError::Timeout)
            ) {
                let _ = killpg(Pid::from_raw(group), Signal::SIGKILL);
            }
        }
        overdue
    });
    let output = child.wait_with_output();
    drop(finished);
    let overdue = watchdog.join().unwrap_or(false);
    running().remove(&pid);
    REAPED.notify_all();
    let output = output.map(|mut output| {
        if overdue {
            output.stderr.extend_from_slice(
                format!(
                    "\nbatch: grader check was still running after {} s, more than its scenarios' budgets allow; it was stopped\n",
                    deadline.as_secs()
                )
                .as_bytes(),
            );
        }
        output
    });
    if stopping() {
        return Ok(None);
    }
    output.map(|output| Some(Finished { output, overdue }))
}

/// How a child ended.
#[derive(Debug)]
pub struct Finished {
    pub output: Output,
    /// It was stopped at its deadline: whatever it printed as it was stopped is no verdict.
    pub overdue: bool,
}

/// Whether the batch is stopping (results found now must not be written).
pub fn stopping() -> bool {
    STOPPING.load(Ordering::SeqCst)
}

/// Stops every running child (see the module's doc), waiting up to [`STOP_GRACE`] for
/// them to stop their own programs, then killing what is left. Call from the Ctrl-C
/// handler's thread, never from a raw signal handler: it takes a lock.
pub fn stop_all() {
    STOPPING.store(true, Ordering::SeqCst);
    signal_all(Signal::SIGTERM);
    // The waiter threads reap the children and say so; there is nothing to poll.
    let _ = REAPED.wait_timeout_while(running(), STOP_GRACE, |running| !running.is_empty());
    signal_all(Signal::SIGKILL);
}

fn signal_all(signal: Signal) {
    for &pid in running().iter() {
        if let Ok(group) = i32::try_from(pid) {
            let _ = killpg(Pid::from_raw(group), signal);
        }
    }
}

fn running() -> MutexGuard<'static, BTreeSet<u32>> {
    RUNNING.lock().unwrap_or_else(PoisonError::into_inner)
}
