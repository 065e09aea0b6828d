//! A program's UDP binds, handed by its syscall watch ([`super::syscall_watch`]) to
//! whatever mirrors them into the other program's network, before the `bind` returns.
//!
//! Transparent mode makes a port a program binds reachable from the other program by
//! binding the same address in the other network namespace; preload mode, by binding the
//! same socket_wrapper file name in the other program's directory. Found by polling the
//! socket table, or by inotify once the file exists, that mirror comes after the bind
//! returns, and a reply sent to the port meanwhile is lost (under socket_wrapper the
//! sender even gets `EHOSTUNREACH`), though it would have arrived without the grader: a
//! client that binds its reply port just after sending loses its server's first answer.
//! The watch sees each bind while the program waits in the call, so it announces what is
//! bound here and waits until the mirror exists (or a deadline passes) before it lets the
//! call run.
//!
//! The watch's thread announces ([`BindGate::announce`]); the mirroring side takes each
//! address in turn ([`BindGate::next`]) and says when its mirror is made
//! ([`BindGate::mirrored`]). A bind announced before anything attends the gate (the server
//! binds before the bridge is built) is queued, and the bind goes on at once: the bridge
//! mirrors what is queued when it attends, before the client is started. Once
//! [`BindGate::close`]d, announcing returns at once.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// How long a bind waits for its mirror at most. A mirror is one `bind` in the other
/// namespace, made in microseconds; this bounds only what a stalled grader could cost
/// the program, which then binds unmirrored and is found by polling as before.
pub const MIRROR_WAIT: Duration = Duration::from_millis(200);

/// Binds kept while nothing attends the gate; those beyond are left to polling.
const QUEUE_LIMIT: usize = 64;

/// One program's gate; clones share it.
#[derive(Clone, Debug, Default)]
pub struct BindGate {
    shared: Arc<Shared>,
}

/// Two specs share a gate or not: what `ProgramSpec` equality needs.
impl PartialEq for BindGate {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
    }
}

impl Eq for BindGate {}

#[derive(Debug, Default)]
struct Shared {
    state: Mutex<State>,
    changed: Condvar,
}

#[derive(Debug, Default)]
struct State {
    /// Announced and not yet mirrored, with their tickets, oldest first.
    queued: VecDeque<(u64, Bound)>,
    next_ticket: u64,
    /// Every ticket below this one is mirrored (or given up).
    done_below: u64,
    /// Something takes the queued binds ([`BindGate::next`] was called).
    attended: bool,
    closed: bool,
}

/// What a program is binding, as its watch read it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Bound {
    /// A UDP socket's IP address (transparent mode).
    Udp(SocketAddr),
    /// A Unix socket's path (preload mode: socket_wrapper's file for an IP socket).
    Unix(PathBuf),
}

/// What became of an announced bind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Announced {
    /// Its mirror exists.
    Mirrored,
    /// Nothing attends the gate yet: queued (or, past the queue's limit, left to polling).
    Queued,
    /// The deadline passed, or the gate closed, before its mirror was made.
    GaveUp,
}

impl BindGate {
    pub fn new() -> BindGate {
        BindGate::default()
    }

    /// Announces that the program is binding `address`; returns once it is mirrored, at
    /// once when nothing attends the gate, and at `deadline` at the latest.
    pub fn announce(&self, address: Bound, deadline: Instant) -> Announced {
        let mut state = self.lock();
        if state.closed {
            return Announced::GaveUp;
        }
        if !state.attended && state.queued.len() >= QUEUE_LIMIT {
            return Announced::Queued;
        }
        let ticket = state.next_ticket;
        state.next_ticket += 1;
        state.queued.push_back((ticket, address));
        self.shared.changed.notify_all();
        if !state.attended {
            return Announced::Queued;
        }
        loop {
            if state.done_below > ticket {
                return Announced::Mirrored;
            }
            let now = Instant::now();
            if state.closed || now >= deadline {
                return Announced::GaveUp;
            }
            state = self
                .shared
                .changed
                .wait_timeout(state, deadline - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    /// The mirroring side: the oldest bind not yet mirrored, waiting for one; `None` once
    /// the gate is closed. Call [`mirrored`](Self::mirrored) when it is.
    pub fn next(&self) -> Option<Bound> {
        let mut state = self.lock();
        state.attended = true;
        loop {
            if state.closed {
                return None;
            }
            if let Some((_, address)) = state.queued.front() {
                return Some(address.clone());
            }
            state = self
                .shared
                .changed
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }

    /// The mirroring side: the address [`next`](Self::next) gave is mirrored (or cannot
    /// be); its announcer goes on.
    pub fn mirrored(&self) {
        let mut state = self.lock();
        if let Some((ticket, _)) = state.queued.pop_front() {
            state.done_below = ticket + 1;
        }
        self.shared.changed.notify_all();
    }

    /// No more mirrors: waiting announcers and [`next`](Self::next) return, and every
    /// later bind goes on at once.
    pub fn close(&self) {
        let mut state = self.lock();
        state.closed = true;
        state.queued.clear();
        self.shared.changed.notify_all();
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.shared
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn address(port: u16) -> Bound {
        Bound::Udp(SocketAddr::from(([127, 0, 0, 1], port)))
    }

    fn far() -> Instant {
        Instant::now() + Duration::from_secs(60)
    }

    #[test]
    fn binds_before_anything_attends_are_queued_and_mirrored_in_order_later() {
        let gate = BindGate::new();
        assert_eq!(gate.announce(address(5005), far()), Announced::Queued);
        assert_eq!(gate.announce(address(5006), far()), Announced::Queued);
        assert_eq!(gate.next(), Some(address(5005)));
        gate.mirrored();
        assert_eq!(gate.next(), Some(address(5006)));
        gate.mirrored();
        gate.close();
        assert_eq!(gate.next(), None);
    }

    #[test]
    fn an_attended_bind_returns_only_once_its_mirror_is_made() {
        let gate = BindGate::new();
        let mirror = {
            let gate = gate.clone();
            std::thread::spawn(move || {
                let mut made = Vec::new();
                while let Some(address) = gate.next() {
                    made.push(address);
                    gate.mirrored();
                }
                made
            })
        };
        // Attended once `next` has run: wait on that condition, not on time.
        while !gate.lock().attended {
            std::thread::yield_now();
        }
        assert_eq!(gate.announce(address(6006), far()), Announced::Mirrored);
        assert_eq!(gate.announce(address(6007), far()), Announced::Mirrored);
        gate.close();
        assert_eq!(mirror.join().unwrap(), [address(6006), address(6007)]);
        assert_eq!(gate.announce(address(6008), far()), Announced::GaveUp);
    }

    #[test]
    fn a_bind_nobody_mirrors_goes_on_at_its_deadline() {
        let gate = BindGate::new();
        gate.lock().attended = true;
        let deadline = Instant::now() + Duration::from_millis(20);
        assert_eq!(gate.announce(address(6006), deadline), Announced::GaveUp);
        assert!(Instant::now() >= deadline);
    }

    #[test]
    fn unattended_binds_past_the_limit_are_left_to_polling() {
        let gate = BindGate::new();
        for port in 0..QUEUE_LIMIT as u16 + 10 {
            assert_eq!(
                gate.announce(address(7000 + port), far()),
                Announced::Queued
            );
        }
        assert_eq!(gate.lock().queued.len(), QUEUE_LIMIT);
    }
}
