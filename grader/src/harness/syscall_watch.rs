//! Watching a program's attempts to write outside its directory or to bind a port, with
//! seccomp user notification, so the report can name them in the grader's own words, and
//! holding each UDP bind until transparent mode's bridge has mirrored its port
//! ([`super::bind_gate`]).
//!
//! The sandbox already refuses such attempts (read-only mounts, ports the relay holds);
//! this only observes, and delays a bind. Before the fork the grader builds the filter
//! ([`super::syscall_filter`]) and a socketpair. Between fork and exec, as the last step
//! (after the session, limits, cgroup and mount confinement, whose own system calls are
//! thus neither watched nor delayed), the child sets `PR_SET_NO_NEW_PRIVS`, installs the
//! filter with `SECCOMP_FILTER_FLAG_NEW_LISTENER`, sends the listener descriptor back over
//! the socketpair (`SCM_RIGHTS`, stack buffers only: the grader is multithreaded, and
//! nothing may allocate there), and closes its copy. The filter is inherited by all the
//! program forks, and stays when it execs.
//!
//! A thread per program then serves the listener: it polls the listener and a stop pipe,
//! receives each notification, reads what the call names from the program
//! ([`super::watched_call`]), checks the notification is still valid (so what it read was
//! that caller's, per seccomp_unotify(2)), and, for a bind of a UDP socket when the program
//! has a gate, announces the address there and waits until its mirror exists, for
//! [`MIRROR_WAIT`] at most. It then records what it saw and always answers
//! `SECCOMP_USER_NOTIF_FLAG_CONTINUE`: the kernel then runs the call as if nothing had
//! watched. The flag's well-known caveat (the program may change the memory between the
//! grader's read and the kernel's) does not matter here: the kernel, not this thread,
//! enforces, so a program racing its own call could at most mislead the record, or have
//! the bridge mirror an address it then does not bind (one more relay socket in the other
//! program's namespace, forwarding into its own, where the sandbox applies as before),
//! never get past the sandbox. Every wait of the thread is bounded: the stop pipe is in
//! every `poll`, a notification is only received once `poll` says one is pending (the
//! kernel then answers at once, `ENOENT` if its caller died), and the wait for a mirror
//! has a deadline and depends on the grader's bridge only, never on the program; so a
//! program can never block the grader. The thread ends when the listener reports
//! `POLLHUP` (every watched process is gone) or the stop pipe closes
//! ([`Supervisor::finish`], or dropping it; a mirror being waited for delays that by
//! [`MIRROR_WAIT`] at most).
//!
//! Where seccomp cannot be installed (a kernel older than 5.5, which lacks the
//! `CONTINUE` answer; a container that forbids `seccomp` or `prctl`), the child says so
//! with a one-byte message without a descriptor, and the program runs unwatched: its
//! binds are then mirrored when polling finds them (`relay::discovery`).

use super::bind_gate::{BindGate, Bound, MIRROR_WAIT};
use super::ports::Protocol;
use super::watched_call::{OwnDirectory, Sighting, inspect};
use crate::evidence::{Attempt, Attempts};
use nix::errno::Errno;
use nix::fcntl::OFlag;
use nix::libc::{self, c_int, sock_filter};
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::socket::{
    AddressFamily, ControlMessageOwned, MsgFlags, SockFlag, SockType, recvmsg, socketpair,
};
use std::io::{self, IoSliceMut};
use std::os::fd::{AsFd, AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;
use std::thread::JoinHandle;
use std::time::Instant;

/// A watch prepared before the fork: the filter, and the socketpair the child sends its
/// listener back on.
pub struct SyscallWatch {
    filter: Vec<sock_filter>,
    parent_end: OwnedFd,
    child_end: OwnedFd,
}

impl std::fmt::Debug for SyscallWatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyscallWatch")
            .field("instructions", &self.filter.len())
            .finish_non_exhaustive()
    }
}

impl SyscallWatch {
    /// A watch for one program; `None` where this kernel cannot serve one.
    pub fn prepare() -> Option<SyscallWatch> {
        if !available() {
            return None;
        }
        Self::prepare_unprobed()
    }

    fn prepare_unprobed() -> Option<SyscallWatch> {
        let (parent_end, child_end) = socketpair(
            AddressFamily::Unix,
            SockType::Datagram,
            None,
            SockFlag::SOCK_CLOEXEC,
        )
        .ok()?;
        Some(SyscallWatch {
            filter: super::syscall_filter::program(),
            parent_end,
            child_end,
        })
    }

    /// Makes `command`'s child install the filter just before it execs. Call it after
    /// every other `pre_exec` hook is added: hooks run in the order added, and what runs
    /// after this one is watched.
    pub fn install_before_exec(&self, command: &mut Command) {
        install(command, self.filter.clone(), self.child_end.as_raw_fd());
    }

    /// After the spawn: takes the listener the child sent and starts serving it, with
    /// writes inside `dir` not counted, times taken since `origin`, and each UDP bind
    /// announced at `gate` (when given) before it runs. `Ok(None)`: the child could not
    /// install the filter (or never ran the hook), so nothing is watched.
    pub fn supervise(
        self,
        dir: &Path,
        origin: Instant,
        gate: Option<BindGate>,
    ) -> io::Result<Option<Supervisor>> {
        // The child's copy closed when it exec'd; ours closes now, so nothing is left to
        // wait for.
        drop(self.child_end);
        match receive_listener(&self.parent_end)? {
            Some(listener) => {
                let served = Served {
                    own: OwnDirectory::new(dir),
                    origin,
                    gate,
                };
                Supervisor::start(listener, served).map(Some)
            }
            None => Ok(None),
        }
    }
}

/// What the thread serving one program's listener knows of it.
struct Served {
    own: OwnDirectory,
    origin: Instant,
    gate: Option<BindGate>,
}

impl Served {
    /// Holds a UDP bind, or a Unix one (which may be socket_wrapper's for a UDP socket),
    /// until its mirror exists (or the gate's deadline passes).
    fn before_answering(&self, seen: Option<&Sighting>) {
        let (Some(gate), Some(seen)) = (&self.gate, seen) else {
            return;
        };
        let bound = match seen {
            Sighting::Bind {
                address,
                protocol: Some(Protocol::Udp),
            } => Bound::Udp(*address),
            Sighting::UnixBind(path) => Bound::Unix(path.clone()),
            Sighting::Bind { .. } | Sighting::WriteOutside(_) => return,
        };
        gate.announce(bound, Instant::now() + MIRROR_WAIT);
    }
}

/// The thread serving one program's listener. [`finish`](Self::finish) it once the
/// program's processes are gone; dropping it stops it too.
#[derive(Debug)]
pub struct Supervisor {
    /// Closing it stops the thread.
    stop: Option<OwnedFd>,
    thread: Option<JoinHandle<Attempts>>,
}

impl Supervisor {
    fn start(listener: OwnedFd, served: Served) -> io::Result<Supervisor> {
        let (stop_read, stop_write) = nix::unistd::pipe2(OFlag::O_CLOEXEC)?;
        let thread = std::thread::Builder::new()
            .name("socklab-syscalls".to_owned())
            .spawn(move || serve(&listener, &stop_read, &served))?;
        Ok(Supervisor {
            stop: Some(stop_write),
            thread: Some(thread),
        })
    }

    /// Stops watching and returns what was seen. A process of the program still alive
    /// after this gets `ENOSYS` from a watched call, so call it once they are killed.
    pub fn finish(mut self) -> Attempts {
        self.stop_and_join()
    }

    fn stop_and_join(&mut self) -> Attempts {
        drop(self.stop.take());
        self.thread
            .take()
            .and_then(|thread| thread.join().ok())
            .unwrap_or_default()
    }
}

impl Drop for Supervisor {
    fn drop(&mut self) {
        self.stop_and_join();
    }
}

/// Whether programs can be watched here, probed once: user notification with the
/// `CONTINUE` answer (Linux 5.5), notification structs of the size this build knows, and
/// a throwaway `true` that installs the filter and sends its listener back (a container
/// may forbid `seccomp`).
pub fn available() -> bool {
    static AVAILABLE: OnceLock<bool> = OnceLock::new();
    *AVAILABLE.get_or_init(|| {
        if !(kernel_at_least(5, 5) && notification_sizes_match()) {
            return false;
        }
        let Some(watch) = SyscallWatch::prepare_unprobed() else {
            return false;
        };
        let mut probe = super::probe::silent_true();
        watch.install_before_exec(&mut probe);
        let Ok(mut child) = probe.spawn() else {
            return false;
        };
        let served = watch.supervise(Path::new("/"), Instant::now(), None);
        let exited = child.wait().is_ok_and(|status| status.success());
        matches!(served, Ok(Some(_))) && exited
    })
}

fn kernel_at_least(major: u32, minor: u32) -> bool {
    let Ok(system) = nix::sys::utsname::uname() else {
        return false;
    };
    let release = system.release().to_string_lossy().into_owned();
    let mut numbers = release
        .split(|c: char| !c.is_ascii_digit())
        .map(|number| number.parse::<u32>().unwrap_or(0));
    let version = (numbers.next().unwrap_or(0), numbers.next().unwrap_or(0));
    version >= (major, minor)
}

/// The thread's loop: serve notifications until the listener hangs up or `stop` closes.
fn serve(listener: &OwnedFd, stop: &OwnedFd, served: &Served) -> Attempts {
    let mut attempts = Attempts::default();
    loop {
        let mut fds = [
            PollFd::new(listener.as_fd(), PollFlags::POLLIN),
            PollFd::new(stop.as_fd(), PollFlags::POLLIN),
        ];
        match poll(&mut fds, PollTimeout::NONE) {
            Ok(_) => {}
            Err(Errno::EINTR) => continue,
            Err(_) => break,
        }
        let [listening, stopping] = fds.map(|fd| fd.revents().unwrap_or(PollFlags::empty()));
        if !stopping.is_empty() {
            break;
        }
        if listening.contains(PollFlags::POLLIN) {
            match receive_notification(listener) {
                Ok(notification) => {
                    let at = served.origin.elapsed();
                    let data = notification.data;
                    // Read while the caller waits in its call; valid afterwards means the
                    // memory read was that caller's, not a process that reused its pid.
                    let seen =
                        inspect(notification.pid, i64::from(data.nr), data.args, &served.own);
                    let valid = still_valid(listener, notification.id);
                    if valid {
                        served.before_answering(seen.as_ref());
                    }
                    // Its caller may have died meanwhile (ENOENT): nothing to answer then.
                    let _ = answer_continue(listener, notification.id);
                    let attempt = match seen {
                        Some(Sighting::WriteOutside(path)) => {
                            Some(Attempt::WriteOutside { path, at })
                        }
                        Some(Sighting::Bind { address, .. }) => Some(Attempt::Bind { address, at }),
                        Some(Sighting::UnixBind(_)) | None => None,
                    };
                    if let (true, Some(attempt)) = (valid, attempt) {
                        attempts.record(attempt);
                    }
                }
                // The caller died between the poll and now, or a signal came.
                Err(Errno::ENOENT | Errno::EINTR) => {}
                Err(_) => break,
            }
        } else if listening
            .intersects(PollFlags::POLLHUP | PollFlags::POLLERR | PollFlags::POLLNVAL)
        {
            break;
        }
    }
    attempts
}

/// The listener the child sent, if it sent one; never waits.
fn receive_listener(socket: &OwnedFd) -> io::Result<Option<OwnedFd>> {
    let mut byte = [0_u8; 1];
    let mut buffers = [IoSliceMut::new(&mut byte)];
    let mut space = nix::cmsg_space!(RawFd);
    let flags = MsgFlags::MSG_DONTWAIT | MsgFlags::MSG_CMSG_CLOEXEC;
    let message = match recvmsg::<()>(socket.as_raw_fd(), &mut buffers, Some(&mut space), flags) {
        Ok(message) => message,
        Err(Errno::EAGAIN) => return Ok(None),
        Err(error) => return Err(error.into()),
    };
    let mut received: Vec<OwnedFd> = Vec::new();
    for control in message.cmsgs()? {
        if let ControlMessageOwned::ScmRights(fds) = control {
            received.extend(fds.into_iter().map(take_received));
        }
    }
    Ok(received.into_iter().next())
}

/// What the child sends when it is watched (with the listener attached) and when not.
const WATCHED: u8 = b'w';
const UNWATCHED: u8 = b'u';

/// `CMSG_SPACE(sizeof(int))`: room for one descriptor in a control message.
#[expect(
    unsafe_code,
    reason = "libc's CMSG_SPACE is an unsafe const fn, though it only does arithmetic"
)]
const CONTROL_SPACE: usize = unsafe { libc::CMSG_SPACE(size_of::<c_int>() as u32) } as usize;

/// A control-message buffer aligned as `struct cmsghdr` needs, on the stack.
#[repr(C, align(8))]
struct ControlBuffer([u8; CONTROL_SPACE]);

#[expect(
    unsafe_code,
    reason = "installing a seccomp filter must happen between fork and exec, with raw system \
              calls on memory prepared before the fork"
)]
fn install(command: &mut Command, filter: Vec<sock_filter>, socket: RawFd) {
    // SAFETY: the hook runs in the forked child before exec, so it makes only the system
    // calls prctl, seccomp, sendmsg (in `send`) and close, on the filter built before the
    // fork and on buffers on its stack: nothing allocates or takes a lock. An io::Error
    // made from errno does not allocate.
    unsafe {
        command.pre_exec(move || {
            let program = libc::sock_fprog {
                len: filter.len() as libc::c_ushort,
                filter: filter.as_ptr().cast_mut(),
            };
            let listener = if libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 {
                libc::syscall(
                    libc::SYS_seccomp,
                    libc::SECCOMP_SET_MODE_FILTER,
                    libc::SECCOMP_FILTER_FLAG_NEW_LISTENER,
                    &program as *const libc::sock_fprog,
                )
            } else {
                -1
            };
            if listener < 0 {
                // Unwatched; the parent learns it without waiting. If even this fails, it
                // finds no message, which means the same.
                send(socket, UNWATCHED, None);
                return Ok(());
            }
            let listener = listener as c_int;
            let sent = send(socket, WATCHED, Some(listener));
            let error = io::Error::last_os_error();
            libc::close(listener);
            // Not sent, nobody would serve the filter and the program's watched calls
            // would fail with ENOSYS: better that it does not start at all.
            if sent { Ok(()) } else { Err(error) }
        });
    }
}

/// Sends `byte`, with `fd` attached as `SCM_RIGHTS` when given. Async-signal-safe: one
/// `sendmsg` on stack buffers. True when it was sent.
#[expect(
    unsafe_code,
    reason = "passing a descriptor between fork and exec needs sendmsg on raw buffers; \
              nix's wrapper allocates"
)]
fn send(socket: RawFd, byte: u8, fd: Option<c_int>) -> bool {
    let mut data = [byte];
    let mut buffer = libc::iovec {
        iov_base: data.as_mut_ptr().cast(),
        iov_len: data.len(),
    };
    let mut control = ControlBuffer([0; CONTROL_SPACE]);
    // SAFETY: all-zero bytes are a valid `msghdr` (null pointers, zero lengths).
    let mut message: libc::msghdr = unsafe { std::mem::zeroed() };
    message.msg_iov = &mut buffer;
    message.msg_iovlen = 1;
    if let Some(fd) = fd {
        message.msg_control = control.0.as_mut_ptr().cast();
        message.msg_controllen = CONTROL_SPACE as _;
        // SAFETY: the control buffer is aligned for `cmsghdr` and has room for one header
        // and one int (CMSG_SPACE), so CMSG_FIRSTHDR is non-null and CMSG_DATA points into
        // it; the int is written unaligned, as CMSG_DATA promises no alignment.
        unsafe {
            let header = libc::CMSG_FIRSTHDR(&message);
            (*header).cmsg_level = libc::SOL_SOCKET;
            (*header).cmsg_type = libc::SCM_RIGHTS;
            (*header).cmsg_len = libc::CMSG_LEN(size_of::<c_int>() as u32) as _;
            std::ptr::write_unaligned(libc::CMSG_DATA(header).cast::<c_int>(), fd);
        }
    }
    // SAFETY: `message` points at `buffer`, `data` and `control`, all alive on this stack.
    unsafe { libc::sendmsg(socket, &message, libc::MSG_NOSIGNAL) == 1 }
}

/// Owns a descriptor the kernel just installed in this process for it (`SCM_RIGHTS`).
#[expect(
    unsafe_code,
    reason = "nix hands received descriptors over raw; only OwnedFd::from_raw_fd owns one"
)]
fn take_received(fd: RawFd) -> OwnedFd {
    // SAFETY: the kernel created this descriptor for this message; nothing else in the
    // process knows it, so it has exactly one owner from here on.
    unsafe { OwnedFd::from_raw_fd(fd) }
}

/// One of the listener's ioctls, each with the argument the kernel reads or writes for it.
enum Request<'a> {
    /// `SECCOMP_IOCTL_NOTIF_RECV`: the next pending notification, written here.
    Receive(&'a mut libc::seccomp_notif),
    /// `SECCOMP_IOCTL_NOTIF_SEND`: the answer to a notification.
    Answer(&'a mut libc::seccomp_notif_resp),
    /// `SECCOMP_IOCTL_NOTIF_ID_VALID`: whether the notification with this id still waits.
    StillValid(&'a mut u64),
}

#[expect(
    unsafe_code,
    reason = "seccomp's notification ioctls have no safe wrapper in nix"
)]
fn listener_ioctl(listener: &OwnedFd, request: Request<'_>) -> Result<(), Errno> {
    let (code, argument): (libc::Ioctl, *mut libc::c_void) = match request {
        Request::Receive(notification) => (
            libc::SECCOMP_IOCTL_NOTIF_RECV,
            std::ptr::from_mut(notification).cast(),
        ),
        Request::Answer(answer) => (
            libc::SECCOMP_IOCTL_NOTIF_SEND,
            std::ptr::from_mut(answer).cast(),
        ),
        Request::StillValid(id) => (
            libc::SECCOMP_IOCTL_NOTIF_ID_VALID,
            std::ptr::from_mut(id).cast(),
        ),
    };
    // SAFETY: each request is paired with an exclusively borrowed argument of the type
    // and size its ioctl reads or writes (the notification structs' sizes are checked
    // against the kernel's in `available`).
    let result = unsafe { libc::ioctl(listener.as_raw_fd(), code, argument) };
    if result < 0 {
        Err(Errno::last())
    } else {
        Ok(())
    }
}

fn receive_notification(listener: &OwnedFd) -> Result<libc::seccomp_notif, Errno> {
    // The kernel refuses a buffer that is not zeroed.
    let mut notification = libc::seccomp_notif {
        id: 0,
        pid: 0,
        flags: 0,
        data: libc::seccomp_data {
            nr: 0,
            arch: 0,
            instruction_pointer: 0,
            args: [0; 6],
        },
    };
    listener_ioctl(listener, Request::Receive(&mut notification))?;
    Ok(notification)
}

fn answer_continue(listener: &OwnedFd, id: u64) -> Result<(), Errno> {
    let mut answer = libc::seccomp_notif_resp {
        id,
        val: 0,
        error: 0,
        flags: libc::SECCOMP_USER_NOTIF_FLAG_CONTINUE as u32,
    };
    listener_ioctl(listener, Request::Answer(&mut answer))
}

fn still_valid(listener: &OwnedFd, id: u64) -> bool {
    let mut id = id;
    listener_ioctl(listener, Request::StillValid(&mut id)).is_ok()
}

#[expect(
    unsafe_code,
    reason = "seccomp(SECCOMP_GET_NOTIF_SIZES) has no wrapper in libc or nix"
)]
fn notification_sizes_match() -> bool {
    let mut sizes = libc::seccomp_notif_sizes {
        seccomp_notif: 0,
        seccomp_notif_resp: 0,
        seccomp_data: 0,
    };
    // SAFETY: SECCOMP_GET_NOTIF_SIZES writes one `seccomp_notif_sizes` at the pointer.
    let result = unsafe {
        libc::syscall(
            libc::SYS_seccomp,
            libc::SECCOMP_GET_NOTIF_SIZES,
            0,
            &mut sizes as *mut libc::seccomp_notif_sizes,
        )
    };
    result == 0
        && usize::from(sizes.seccomp_notif) == size_of::<libc::seccomp_notif>()
        && usize::from(sizes.seccomp_notif_resp) == size_of::<libc::seccomp_notif_resp>()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::Transcript;
    use crate::harness::ports::{Protocol, free_port};
    use crate::harness::test_programs::{BUDGET, sh, start};
    use std::net::SocketAddr;
    use std::path::PathBuf;

    fn writes(attempts: &Attempts) -> Vec<PathBuf> {
        attempts
            .kept
            .iter()
            .filter_map(|attempt| match attempt {
                Attempt::WriteOutside { path, .. } => Some(path.clone()),
                Attempt::Bind { .. } => None,
            })
            .collect()
    }

    fn binds(attempts: &Attempts) -> Vec<SocketAddr> {
        attempts
            .kept
            .iter()
            .filter_map(|attempt| match attempt {
                Attempt::Bind { address, .. } => Some(*address),
                Attempt::WriteOutside { .. } => None,
            })
            .collect()
    }

    /// Runs `script` with `sh -c` as the grader runs a program, to its end; `None` (and a
    /// line saying the test is skipped) where programs cannot be watched.
    fn run_watched(script: &str) -> Option<Transcript> {
        if !available() {
            eprintln!("skipped: seccomp user notification is not available here");
            return None;
        }
        let (_dir, spec) = sh(script);
        let program = start(&spec);
        assert!(program.wait_until(Instant::now() + BUDGET));
        Some(program.finish())
    }

    #[test]
    fn a_write_outside_and_a_bind_are_seen_and_nothing_else() {
        let elsewhere = tempfile::tempdir().unwrap();
        let planted = elsewhere.path().join("planted.txt");
        let port = free_port(Protocol::Udp).unwrap();
        let script = format!(
            "echo x > '{planted}' 2>/dev/null; echo inside > inside.txt; \
             python3 -c 'import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).bind((\"127.0.0.1\", {port}))'",
            planted = planted.display()
        );
        let Some(transcript) = run_watched(&script) else {
            return;
        };
        let attempts = &transcript.attempts;
        assert_eq!(writes(attempts), [planted], "{attempts:?}");
        let bound: SocketAddr = ([127, 0, 0, 1], port).into();
        assert_eq!(binds(attempts), [bound], "{attempts:?}");
        assert_eq!(attempts.more, 0);
    }

    #[test]
    fn writing_inside_and_reading_outside_is_nothing_to_report() {
        let elsewhere = tempfile::tempdir().unwrap();
        std::fs::write(elsewhere.path().join("notes.txt"), "read me").unwrap();
        let script = format!(
            "echo x > inside.txt; mkdir sub; mv inside.txt sub/moved.txt; \
             echo more >> \"$PWD/sub/moved.txt\"; rm sub/moved.txt; rmdir sub; \
             cat '{notes}' /etc/hostname > /dev/null; echo quiet 2>/dev/null >&2; \
             python3 -c 'import os, socket; print(open(\"/proc/self/fd/1\", \"w\") and 1); \
             socket.socket(socket.AF_INET, socket.SOCK_DGRAM).bind((\"127.0.0.1\", 0))'",
            notes = elsewhere.path().join("notes.txt").display()
        );
        let Some(transcript) = run_watched(&script) else {
            return;
        };
        assert!(transcript.attempts.is_empty(), "{:?}", transcript.attempts);
        assert_eq!(
            transcript.exit,
            Some(crate::evidence::ExitReason::Exited { code: 0 }),
            "{transcript:?}"
        );
    }

    #[test]
    fn the_jvms_own_coredump_filter_is_not_an_attempt_but_another_proc_file_is() {
        // Every JVM writes /proc/self/coredump_filter at start-up; /proc/self/comm is a
        // program's own doing.
        let script = "echo 0x33 > /proc/self/coredump_filter 2>/dev/null; \
                      echo renamed > /proc/self/comm 2>/dev/null; true";
        let Some(transcript) = run_watched(script) else {
            return;
        };
        assert_eq!(
            writes(&transcript.attempts),
            [PathBuf::from("/proc/self/comm")],
            "{:?}",
            transcript.attempts
        );
    }

    #[test]
    fn a_program_that_writes_in_a_loop_keeps_only_the_first_attempts() {
        let elsewhere = tempfile::tempdir().unwrap();
        let script = format!(
            "i=0; while [ $i -lt 100 ]; do echo x > '{dir}/f'$i 2>/dev/null; i=$((i+1)); done",
            dir = elsewhere.path().display()
        );
        let Some(transcript) = run_watched(&script) else {
            return;
        };
        let attempts = transcript.attempts;
        assert_eq!(attempts.kept.len(), Attempts::KEPT);
        assert_eq!(attempts.more, 100 - Attempts::KEPT as u64);
    }

    #[test]
    fn the_kernel_version_is_compared_by_number() {
        assert!(kernel_at_least(0, 1));
        assert!(!kernel_at_least(999, 0));
    }
}
