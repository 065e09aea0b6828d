//! Port discovery for the bridges: whatever port a program binds, the other program must
//! be able to reach it. A thread watches each program's network and asks the bridge to
//! mirror every address a program binds.
//!
//! Transparent mode: where the program's system calls are watched
//! (`harness::syscall_watch`), each UDP bind is announced at the program's
//! [`BindGate`] while the program waits in the call, and a thread per gate
//! ([`Discovery::serve_gate`]) mirrors it before the bind returns, so nothing can be sent
//! to the port before the other program can reach it. The kernel itself announces no bind
//! to another process (see `harness::ports`), so each namespace's socket table is also
//! polled (every millisecond at first, backing off to 5 ms): that finds the binds of a
//! program that is not watched (no seccomp here), and it alone says a program has bound
//! (a bind announced may still fail), which the start-up waits for. Preload mode: a bind
//! creates a socket file in the program's socket_wrapper directory; socket_wrapper binds
//! it with a Unix `bind`, which the watch announces at the gate in the same way (by its
//! file name, `socket_dir`), and inotify tells of it too (`dir_watch`), just after the
//! bind: that finds what an unwatched program binds, and says it has.
//!
//! The grader waits by sleeping and looking again only where nothing announces what it
//! waits for, and these are all such places:
//! - `watch_loop` here: the UDP addresses each program binds, in transparent mode;
//! - `tcp_bridge`'s watcher: the TCP addresses the server listens on during the run (and
//!   in preload mode, whether the client has made a socket of its own);
//! - `harness::ports::poll_until`: a server's first bind or listen, before a scenario goes
//!   on (`wait_until_bound`, and `tcp_bridge`'s wait for the first listener);
//! - [`Discovery::wait_for_bind`]: woken by each new mirror, but also every 5 ms, to ask
//!   whether the server has exited, since its exit is told on another condition variable;
//! - `harness::stdin_feed`: every 200 µs between typed lines, whether the program has
//!   read the line before from its stdin pipe, and whether the typing gate holds (nothing
//!   the client sent is left in the relay's sockets or the server's TCP receive queues):
//!   nothing tells a writer that its reader has read.
//!
//! Everything else is an event: a killed process's death is a pidfd becoming readable
//! (`harness::pidfd`), a cgroup's emptying is `cgroup.events` (`harness::cgroup_removal`),
//! a program's exit is its waiter thread's `waitid`. The exception is a kernel without
//! pidfds (before 5.3), where those two fall back to pausing and looking again. (Tests
//! have one poll more, `harness::test_programs::eventually`.)

use super::socket_dir::{SocketKind, parse_file_name};
use super::udp::UdpRelay;
use crate::evidence::Role;
use crate::harness::bind_gate::{BindGate, Bound};
use crate::netns::socket_table::bound_udp_addresses;
use std::net::SocketAddr;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

const FIRST_INTERVAL: Duration = Duration::from_millis(1);
const LONGEST_INTERVAL: Duration = Duration::from_millis(5);

/// What discovery has seen, shared with whoever waits for the server to be ready.
#[derive(Debug, Default)]
pub(super) struct Seen {
    /// Addresses mirrored so far, by the program that bound them.
    mirrored: Mutex<Vec<(Role, SocketAddr)>>,
    /// Addresses that could not be mirrored, with why: the other program already holds
    /// that address in its own network (it took its peer's port).
    blocked: Mutex<Vec<String>>,
    /// The programs seen making a socket of their own in their network (preload mode:
    /// a program socket_wrapper never reached makes none there).
    appeared: Mutex<Vec<Role>>,
    changed: Condvar,
}

impl Seen {
    pub(super) fn appeared(&self, role: Role) {
        let mut appeared = self.appeared.lock().unwrap_or_else(PoisonError::into_inner);
        if !appeared.contains(&role) {
            appeared.push(role);
        }
    }

    /// Asks `relay` to mirror `address`, bound by `role`, unless it already has; a mirror
    /// that cannot be made is kept as a note. True when a new mirror was made.
    pub(super) fn offer(&self, relay: &UdpRelay, role: Role, address: SocketAddr) -> bool {
        let already = self
            .mirrored
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .contains(&(role, address));
        if already {
            return false;
        }
        if let Err(error) = relay.mirror(role, address) {
            let other = match role {
                Role::Client => Role::Server,
                Role::Server => Role::Client,
            };
            let note = format!(
                "the {role} bound {address}, but the grader could not make it reachable from the {other} ({error}): the {other} itself holds that address, so it took its peer's port"
            );
            let mut blocked = self.blocked.lock().unwrap_or_else(PoisonError::into_inner);
            if !blocked.contains(&note) {
                blocked.push(note);
            }
            return false;
        }
        self.mirrored
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push((role, address));
        self.changed.notify_all();
        true
    }
}

/// Asks `relay` to mirror what `role` is binding now (announced by its watch, before the
/// kernel runs the bind): a UDP address, or in preload mode a UDP socket file of its
/// socket_wrapper directory `socket_dir`. Neither counted as bound nor noted when it
/// cannot be mirrored: the bind may yet fail, for the very reason the mirror did (the
/// address is the other program's, mirrored into this one's network). Polling or inotify
/// finds it once it is bound, and says so then.
fn mirror_announced(relay: &UdpRelay, role: Role, bound: Bound, socket_dir: Option<&Path>) {
    let address = match bound {
        Bound::Udp(address) if socket_dir.is_none() => address,
        Bound::Unix(path) => {
            let name = path.file_name().and_then(|name| name.to_str());
            match (name.and_then(parse_file_name), socket_dir) {
                (Some((SocketKind::Udp, address)), Some(dir)) if path.parent() == Some(dir) => {
                    address
                }
                _ => return,
            }
        }
        Bound::Udp(_) => return,
    };
    // Refused, it is left to polling, which notes why.
    let _ = relay.mirror(role, address);
}

/// A running discovery thread.
#[derive(Debug)]
pub struct Discovery {
    programs: Arc<Mutex<Vec<(Role, u32)>>>,
    seen: Arc<Seen>,
    stop: Arc<AtomicBool>,
    /// Preload mode: the watcher waits on inotify and this, not on a timer.
    stop_wake: Option<UnixStream>,
    thread: Option<JoinHandle<()>>,
    /// Transparent mode: the programs' gates, each served by a thread of its own.
    gates: Vec<(BindGate, JoinHandle<()>)>,
}

impl Discovery {
    /// Starts watching; programs are added with [`Discovery::watch`] as they start.
    pub fn start(relay: Arc<UdpRelay>) -> Discovery {
        let programs: Arc<Mutex<Vec<(Role, u32)>>> = Arc::default();
        let seen = Arc::new(Seen::default());
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (programs, seen, stop) =
                (Arc::clone(&programs), Arc::clone(&seen), Arc::clone(&stop));
            std::thread::Builder::new()
                .name("port-discovery".to_owned())
                .spawn(move || watch_loop(&relay, &programs, &seen, &stop))
                .ok()
        };
        Discovery {
            programs,
            seen,
            stop,
            stop_wake: None,
            thread,
            gates: Vec::new(),
        }
    }

    /// Preload mode: watches both programs' socket_wrapper directories from now on.
    pub fn start_in_dirs(
        relay: Arc<UdpRelay>,
        client_dir: PathBuf,
        server_dir: PathBuf,
    ) -> std::io::Result<Discovery> {
        let seen = Arc::new(Seen::default());
        let (stop_wake, stop_receiver) = UnixStream::pair()?;
        let watcher = super::dir_watch::DirWatcher::new(&client_dir, &server_dir)?;
        let thread = {
            let seen = Arc::clone(&seen);
            std::thread::Builder::new()
                .name("socket-dir-watch".to_owned())
                .spawn(move || watcher.run(&relay, &seen, &stop_receiver))?
        };
        Ok(Discovery {
            programs: Arc::default(),
            seen,
            stop: Arc::new(AtomicBool::new(false)),
            stop_wake: Some(stop_wake),
            thread: Some(thread),
            gates: Vec::new(),
        })
    }

    /// Watches the namespace of process `pid`, which plays `role`.
    pub fn watch(&self, role: Role, pid: u32) {
        self.programs
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push((role, pid));
    }

    /// Mirrors each UDP bind `role` announces at `gate` before the bind returns, those
    /// queued before now first, until [`stop`](Self::stop). `socket_dir`: preload mode,
    /// `role`'s socket_wrapper directory, where its UDP sockets are files.
    pub fn serve_gate(
        &mut self,
        role: Role,
        gate: BindGate,
        relay: Arc<UdpRelay>,
        socket_dir: Option<PathBuf>,
    ) {
        let served = gate.clone();
        let thread = std::thread::Builder::new()
            .name("bind-gate".to_owned())
            .spawn(move || {
                while let Some(bound) = served.next() {
                    mirror_announced(&relay, role, bound, socket_dir.as_deref());
                    served.mirrored();
                }
            });
        match thread {
            Ok(thread) => self.gates.push((gate, thread)),
            // Without the thread every bind waits out the gate's deadline: close it so
            // binds go on at once, and polling mirrors them.
            Err(_) => gate.close(),
        }
    }

    /// Blocks until `role` has bound something that is now mirrored (true), or `deadline`
    /// passes, or `gave_up` says the program is gone (false).
    pub fn wait_for_bind(&self, role: Role, deadline: Instant, gave_up: impl Fn() -> bool) -> bool {
        let mut mirrored = self
            .seen
            .mirrored
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        loop {
            if mirrored.iter().any(|(by, _)| *by == role) {
                return true;
            }
            let now = Instant::now();
            if now >= deadline || gave_up() {
                return false;
            }
            // Woken by each new mirror; the short cap re-checks `gave_up`.
            let wait = (deadline - now).min(Duration::from_millis(5));
            mirrored = self
                .seen
                .changed
                .wait_timeout(mirrored, wait)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    /// What discovery could not do, in plain words, for the report.
    pub fn notes(&self) -> Vec<String> {
        self.seen
            .blocked
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Preload mode: whether `role` ever made a socket of its own in its directory.
    pub fn has_appeared(&self, role: Role) -> bool {
        self.seen
            .appeared
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .contains(&role)
    }

    pub fn stop(mut self) {
        self.stop.store(true, Ordering::Relaxed);
        for (gate, thread) in self.gates.drain(..) {
            gate.close();
            let _ = thread.join();
        }
        if let Some(wake) = &self.stop_wake {
            use std::io::Write;
            // A failed write means the watcher is already gone.
            let _ = (&*wake).write_all(b"s");
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Discovery {
    /// Never stopped (an error on the way): binds waiting at a gate go on at once.
    fn drop(&mut self) {
        for (gate, _) in &self.gates {
            gate.close();
        }
    }
}

fn watch_loop(
    relay: &UdpRelay,
    programs: &Mutex<Vec<(Role, u32)>>,
    seen: &Seen,
    stop: &AtomicBool,
) {
    let mut interval = FIRST_INTERVAL;
    while !stop.load(Ordering::Relaxed) {
        let watched = programs
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let relay_bound = relay.bound_addresses();
        let mut found = false;
        for (role, pid) in watched {
            // A program that has exited has no table left; that is not an error.
            let Ok(addresses) = bound_udp_addresses(pid) else {
                continue;
            };
            // The relay's own sockets in this namespace are mirrors, not the program's.
            let faces = role;
            for address in addresses {
                if !relay_bound.contains(&(faces, address)) {
                    found |= seen.offer(relay, role, address);
                }
            }
        }
        interval = if found {
            FIRST_INTERVAL
        } else {
            (interval * 2).min(LONGEST_INTERVAL)
        };
        std::thread::sleep(interval);
    }
}
