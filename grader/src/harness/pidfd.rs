//! Killing processes and waiting for them to die, through pidfds: no pid-reuse race, and
//! no polling.
//!
//! A pid names a process only until the process is reaped; then the kernel may give the
//! number to a new process, and `kill(pid)` would signal a stranger. A pidfd
//! (`pidfd_open`, Linux 5.3) stays bound to the process it was opened for: a signal sent
//! through it (`pidfd_send_signal`) reaches that process, or none if it has been reaped.
//! And a pidfd becomes readable when its process exits (a zombie counts), which `poll`
//! waits on with a timeout, so the harness waits for a killed process's death as an
//! event instead of sleeping and looking again.
//!
//! Opening a pidfd still takes a pid read from somewhere (the process table, a cgroup's
//! `cgroup.procs`), and that pid may have been reused between the read and the open.
//! [`kill_listed`] closes that gap: it opens the pidfds first, then lists again, and
//! signals only those still listed. A pid listed after its pidfd was opened is that
//! pidfd's process, unless the process has been reaped meanwhile, and then the signal
//! reaches nobody.
//!
//! The fallback: where the kernel has no pidfds (ENOSYS before 5.3, EPERM from a seccomp
//! filter that does not know the calls), or the grader has no descriptor to spare, a
//! process is killed by pid as before, and its death is awaited with [`FallbackPause`],
//! the sleep-and-look-again loop this module replaces everywhere else.
//!
//! nix (0.31) wraps neither call, hence the two raw system calls at the end.

use nix::errno::Errno;
use nix::libc;
use nix::poll::{PollFd, PollFlags, ppoll};
use nix::sys::signal::{Signal, kill};
use nix::sys::time::TimeSpec;
use nix::unistd::Pid;
use std::collections::BTreeSet;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// A handle on one process: signals reach it and no other, and it says when it exits.
#[derive(Debug)]
pub(crate) struct Pidfd {
    fd: OwnedFd,
    pid: i32,
}

/// What [`Pidfd::open`] found.
#[derive(Debug)]
pub(crate) enum Opened {
    Open(Pidfd),
    /// No process has that pid (ESRCH): it has been reaped, so there is nothing to kill
    /// or wait for.
    Gone,
    /// No pidfd can be had (see the module's doc): use the fallback.
    Unavailable,
}

impl Pidfd {
    /// Opens a pidfd for the process that has `pid` now.
    pub(crate) fn open(pid: i32) -> Opened {
        if PIDFDS_UNSUPPORTED.load(Ordering::Relaxed) || pid <= 0 {
            return Opened::Unavailable;
        }
        match pidfd_open(pid) {
            Ok(fd) => Opened::Open(Pidfd { fd, pid }),
            Err(Errno::ESRCH) => Opened::Gone,
            Err(Errno::ENOSYS | Errno::EPERM) => {
                // Not for this process but for every one: no need to ask the kernel again.
                PIDFDS_UNSUPPORTED.store(true, Ordering::Relaxed);
                Opened::Unavailable
            }
            // EMFILE or ENFILE, mostly: this one is killed by pid instead.
            Err(_) => Opened::Unavailable,
        }
    }

    /// The pid it was opened for.
    pub(crate) fn pid(&self) -> i32 {
        self.pid
    }

    /// SIGKILLs its process. Through the pidfd, not by pid: were the process reaped and
    /// its pid reused, `kill(pid)` would kill the new process; this kills nobody then.
    pub(crate) fn kill(&self) {
        // ESRCH: it has been reaped; EPERM: not the grader's to kill. Either way, waiting
        // for its exit says what came of it.
        let _ = pidfd_send_signal(self.fd.as_fd(), Signal::SIGKILL);
    }
}

/// Processes [`kill_listed`] has sent SIGKILL.
#[derive(Debug, Default)]
pub(crate) struct Killed {
    /// Killed through pidfds, whose deaths [`wait_all_exited`] awaits.
    pub(crate) pidfds: Vec<Pidfd>,
    /// How many were killed by pid, since no pidfd could be had: nothing announces their
    /// deaths, so only the fallback can wait for them.
    pub(crate) by_pid: usize,
}

/// SIGKILLs each of `pids` that `listed_now` (asked once, after a pidfd was opened for
/// each) still lists, through its pidfd, and returns the pidfds to wait on. A pid with no
/// pidfd to be had is killed by pid at once, as close to its reading as can be (the
/// fallback: pids may be reused). A pid that has gone is left out.
pub(crate) fn kill_listed(pids: &[i32], listed_now: impl FnOnce() -> Vec<i32>) -> Killed {
    let mut opened = Vec::with_capacity(pids.len());
    let mut by_pid = 0;
    for &pid in pids {
        match Pidfd::open(pid) {
            Opened::Open(pidfd) => opened.push(pidfd),
            Opened::Gone => {}
            Opened::Unavailable => {
                let _ = kill(Pid::from_raw(pid), Signal::SIGKILL);
                by_pid += 1;
            }
        }
    }
    if opened.is_empty() {
        return Killed {
            pidfds: opened,
            by_pid,
        };
    }
    let listed: BTreeSet<i32> = listed_now().into_iter().collect();
    // One no longer listed has died or left what was listed; either way it is not ours to
    // kill, and the pidfd may be a stranger's whose pid was reused.
    opened.retain(|pidfd| listed.contains(&pidfd.pid));
    for pidfd in &opened {
        pidfd.kill();
    }
    Killed {
        pidfds: opened,
        by_pid,
    }
}

/// Blocks until every process in `pidfds` has exited (true) or `deadline` passes (false).
/// A zombie has exited: the wait never depends on who reaps it. Asks once even when the
/// deadline has passed already.
pub(crate) fn wait_all_exited<'a>(
    pidfds: impl IntoIterator<Item = &'a Pidfd>,
    deadline: Instant,
) -> bool {
    let mut running: Vec<BorrowedFd<'a>> =
        pidfds.into_iter().map(|pidfd| pidfd.fd.as_fd()).collect();
    while !running.is_empty() {
        let mut fds: Vec<PollFd> = running
            .iter()
            .map(|fd| PollFd::new(*fd, PollFlags::POLLIN))
            .collect();
        let Some(ready) = poll_before(&mut fds, deadline) else {
            return false;
        };
        if ready {
            // Readable means exited; an event `nix` does not know counts as an end too,
            // so that no pidfd is polled forever.
            running = running
                .iter()
                .zip(&fds)
                .filter(|(_, polled)| polled.any() == Some(false))
                .map(|(fd, _)| *fd)
                .collect();
        } else if Instant::now() >= deadline {
            return false;
        }
    }
    true
}

/// One `ppoll` of `fds`, for no longer than until `deadline`: `Some(true)` if any is
/// ready, `Some(false)` if none is (the time is up, or a signal interrupted it), `None`
/// if the poll failed. Its timeout is to the nanosecond, so the wait neither spins
/// through the last millisecond nor runs past the deadline by one.
pub(crate) fn poll_before(fds: &mut [PollFd], deadline: Instant) -> Option<bool> {
    let left = deadline.saturating_duration_since(Instant::now());
    match ppoll(fds, Some(TimeSpec::from_duration(left)), None) {
        Ok(ready) => Some(ready > 0),
        Err(Errno::EINTR) => Some(false),
        Err(_) => None,
    }
}

/// The fallback wait, for a death nothing announces: sleep, a little longer each time
/// (the first checks come quickly, since a killed process dies within microseconds; the
/// cap keeps a stuck one from costing a core), never past the deadline.
#[derive(Debug)]
pub(crate) struct FallbackPause {
    next: Duration,
}

impl FallbackPause {
    pub(crate) fn new() -> FallbackPause {
        FallbackPause { next: FIRST_PAUSE }
    }

    /// Sleeps the next pause, cut short at `deadline`.
    pub(crate) fn sleep(&mut self, deadline: Instant) {
        std::thread::sleep(
            self.next
                .min(deadline.saturating_duration_since(Instant::now())),
        );
        self.next = (self.next * 2).min(LAST_PAUSE);
    }
}

/// The first and the longest pause of [`FallbackPause`].
const FIRST_PAUSE: Duration = Duration::from_micros(50);
const LAST_PAUSE: Duration = Duration::from_millis(5);

/// Set once `pidfd_open` has said this kernel has no pidfds.
static PIDFDS_UNSUPPORTED: AtomicBool = AtomicBool::new(false);

/// Makes this process act as on a kernel without pidfds, to test the fallback. For the
/// whole process and for good: only for a test run alone (`test_programs::run_alone`).
#[cfg(test)]
pub(crate) fn force_fallback() {
    PIDFDS_UNSUPPORTED.store(true, Ordering::Relaxed);
}

#[expect(
    unsafe_code,
    reason = "pidfd_open has no wrapper in nix 0.31, so it is a raw system call"
)]
fn pidfd_open(pid: i32) -> Result<OwnedFd, Errno> {
    // SAFETY: pidfd_open takes a pid and flags (none) by value, touches no memory of
    // ours, and returns a new descriptor (close-on-exec, always) or -1 with errno set.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0 as libc::c_uint) };
    if fd < 0 {
        return Err(Errno::last());
    }
    let fd = RawFd::try_from(fd).map_err(|_| Errno::EBADF)?;
    // SAFETY: the kernel has just made `fd`; nothing else owns it, so this is its only
    // owner and closes it once.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

#[expect(
    unsafe_code,
    reason = "pidfd_send_signal has no wrapper in nix 0.31, so it is a raw system call"
)]
fn pidfd_send_signal(pidfd: BorrowedFd<'_>, signal: Signal) -> Result<(), Errno> {
    // SAFETY: the descriptor is borrowed, so it stays open for the call; the siginfo
    // pointer is null, which the kernel reads as "as kill(2) would fill it", and the
    // flags are none.
    let result = unsafe {
        libc::syscall(
            libc::SYS_pidfd_send_signal,
            pidfd.as_raw_fd(),
            signal as libc::c_int,
            std::ptr::null::<libc::siginfo_t>(),
            0 as libc::c_uint,
        )
    };
    Errno::result(result).map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::harness::test_programs::BUDGET;
    use nix::sys::wait::{Id, WaitPidFlag, waitid};
    use std::io::Write;
    use std::process::{Child, Command, Stdio};

    /// `sh` that exits once it has read a line from its stdin: it dies when the test
    /// says so, and not before.
    fn exits_on_a_line() -> Child {
        Command::new("sh")
            .args(["-c", "read line"])
            .stdin(Stdio::piped())
            .spawn()
            .unwrap()
    }

    fn open(child: &Child) -> Pidfd {
        match Pidfd::open(i32::try_from(child.id()).unwrap()) {
            Opened::Open(pidfd) => pidfd,
            other => panic!("no pidfd for a running child: {other:?}"),
        }
    }

    #[test]
    fn the_wait_ends_when_the_process_exits() {
        let mut child = exits_on_a_line();
        let pidfd = open(&child);
        child.stdin.take().unwrap().write_all(b"go\n").unwrap();
        // The deadline is only a bound on a broken wait; the exit is what ends it.
        assert!(wait_all_exited([&pidfd], Instant::now() + BUDGET));
        assert!(child.wait().unwrap().success());
    }

    #[test]
    fn the_deadline_ends_the_wait_for_a_process_that_lives_on() {
        let mut child = exits_on_a_line();
        let pidfd = open(&child);
        // Nothing is written, so it waits for its line for as long as the test lets it.
        let deadline = Instant::now() + Duration::from_millis(20);
        assert!(!wait_all_exited([&pidfd], deadline));
        assert!(
            Instant::now() >= deadline,
            "the wait ended before its deadline"
        );
        pidfd.kill();
        assert!(wait_all_exited([&pidfd], Instant::now() + BUDGET));
        assert!(!child.wait().unwrap().success());
    }

    #[test]
    fn a_zombie_has_exited() {
        let mut child = exits_on_a_line();
        let pid = Pid::from_raw(i32::try_from(child.id()).unwrap());
        drop(child.stdin.take());
        // Exited and left unreaped: the pidfd opens on the zombie and is ready at once.
        waitid(Id::Pid(pid), WaitPidFlag::WEXITED | WaitPidFlag::WNOWAIT).unwrap();
        let pidfd = open(&child);
        assert!(wait_all_exited([&pidfd], Instant::now()));
        child.wait().unwrap();
    }

    #[test]
    fn only_what_is_still_listed_after_the_opening_is_killed() {
        let mut child = exits_on_a_line();
        let pid = i32::try_from(child.id()).unwrap();

        let spared = kill_listed(&[pid], Vec::new);
        assert!(spared.pidfds.is_empty() && spared.by_pid == 0);
        assert!(
            !wait_all_exited([&open(&child)], Instant::now()),
            "killed unlisted"
        );

        let killed = kill_listed(&[pid], || vec![pid]);
        assert_eq!(killed.pidfds.len(), 1);
        assert!(wait_all_exited(&killed.pidfds, Instant::now() + BUDGET));
        assert!(!child.wait().unwrap().success());
    }
}
