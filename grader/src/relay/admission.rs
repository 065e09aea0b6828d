//! The order in which the TCP relay lets the client's connections through to the server,
//! as a machine with no sockets and no clock (quinn-proto's shape): the relay tells it what
//! happened and asks it what to do next.
//!
//! Why it exists. Without the grader, a client's `connect()` completes only when the
//! server's kernel has room in the program's queue of connections waiting for `accept()`
//! (its `listen(n)`); when there is none the SYN is dropped and the client's kernel tries
//! again a second later, then two more, and so on, one connection at a time, so they reach
//! the server in the order they were opened. The relay must accept the client's connections
//! as they come (refusing one would lose it), so it keeps them itself, with the client's
//! bytes unread in its socket, and hands them on one at a time, in the order it accepted
//! them: the next is connected to the server only once the server's program has taken the
//! one before with `accept()`. At most one of the relay's connections then waits in the
//! server's queue, which no backlog overflows (not even `listen(0)`), so no SYN of the relay
//! is ever dropped and no connection overtakes another on a SYN retry.
//!
//! That keeps what the programs see as close as it can be to a run without the grader,
//! with one difference on purpose: a full queue costs the client the time the server takes
//! to make room, not the kernel's one-second SYN retries, which would slow a correct pair
//! to a crawl. The client sees that wait as it would have seen it: its bytes wait in the
//! relay's socket, so a file larger than the socket buffers blocks its `send` (where it
//! would have blocked in `connect`), and its own timing includes the wait. The server's
//! timing starts at its `accept()`, which the relay sees (through
//! [`super::accept_probe`]) and records, so a wait in the relay is never taken for the
//! server's transfer time.
//!
//! Call order: [`Admission::arrived`] for each connection accepted from the client; then,
//! each turn of the relay's loop, [`Admission::poll`] until it returns `None`, acting on
//! each [`Step`] and reporting its outcome ([`connected`](Admission::connected),
//! [`queue_full`](Admission::queue_full), [`probed`](Admission::probed),
//! [`cannot_probe`](Admission::cannot_probe)); [`Admission::ended`] when a connection is
//! over (or could not reach the server at all); and wait at most until
//! [`Admission::next_due`].

use super::accept_probe::Holder;
use std::collections::VecDeque;
use std::time::Duration;

/// The first wait before asking again whether the server has accepted a connection, and
/// the longest: each unanswered probe doubles it. A probe costs a few microseconds; the
/// time it sees an `accept()` is at most one interval late.
const FIRST_PROBE_INTERVAL: Duration = Duration::from_micros(200);
const LONGEST_PROBE_INTERVAL: Duration = Duration::from_millis(2);
/// The first wait before trying a connection again whose server refused it for a full
/// queue (Unix sockets say so at once), and the longest.
const FIRST_RETRY: Duration = Duration::from_millis(1);
const LONGEST_RETRY: Duration = Duration::from_millis(16);

/// When the server counts as having taken a connection, so that the next may follow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TakenWhen {
    /// When its program has accepted it, as the kernel shows (TCP with sock_diag).
    Accepted,
    /// When it has connected: where `accept()` cannot be seen (a Unix socket in preload
    /// mode, whose full queue refuses at once; a kernel without sock_diag, whose full
    /// queue costs the SYN retries a client would have had).
    Connected,
}

/// What the relay must do now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// Start connecting connection `nth` to the server, then report how it went.
    Connect(u32),
    /// Ask the kernel whether the server has accepted connection `nth`, then report it.
    Probe(u32),
}

/// The connections not yet taken by the server, in the order they were accepted.
#[derive(Clone, Debug)]
pub struct Admission {
    taken_when: TakenWhen,
    queue: VecDeque<Entry>,
}

#[derive(Clone, Copy, Debug)]
struct Entry {
    nth: u32,
    stage: Stage,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stage {
    /// Kept in the relay; not to be started before `not_before`.
    Held {
        not_before: Duration,
        backoff: Duration,
    },
    /// Connecting; a full queue makes it wait `backoff` before the next try.
    Connecting { backoff: Duration },
    /// Connected; waiting for the server's `accept()`, next asked about at `probe_at`.
    Connected {
        probe_at: Duration,
        interval: Duration,
    },
}

impl Admission {
    pub fn new(taken_when: TakenWhen) -> Admission {
        Admission {
            taken_when,
            queue: VecDeque::new(),
        }
    }

    /// Connection `nth` was accepted from the client (numbers rise).
    pub fn arrived(&mut self, nth: u32) {
        self.queue.push_back(Entry {
            nth,
            stage: Stage::Held {
                not_before: Duration::ZERO,
                backoff: FIRST_RETRY,
            },
        });
    }

    /// What to do at `now`, if anything: only the oldest connection not yet taken moves.
    pub fn poll(&mut self, now: Duration) -> Option<Step> {
        let front = self.queue.front_mut()?;
        match front.stage {
            Stage::Held {
                not_before,
                backoff,
            } if now >= not_before => {
                front.stage = Stage::Connecting { backoff };
                Some(Step::Connect(front.nth))
            }
            Stage::Connected { probe_at, interval } if now >= probe_at => {
                front.stage = Stage::Connected {
                    probe_at: now + interval,
                    interval: (interval * 2).min(LONGEST_PROBE_INTERVAL),
                };
                Some(Step::Probe(front.nth))
            }
            Stage::Held { .. } | Stage::Connecting { .. } | Stage::Connected { .. } => None,
        }
    }

    /// Connection `nth` has connected to the server at `now`.
    pub fn connected(&mut self, nth: u32, now: Duration) {
        if let Some(entry) = self.entry(nth) {
            entry.stage = Stage::Connected {
                probe_at: now,
                interval: FIRST_PROBE_INTERVAL,
            };
        }
        if self.taken_when == TakenWhen::Connected {
            self.ended(nth);
        }
    }

    /// The server's queue was full for connection `nth` at `now`: it is tried again a
    /// little later, first in line still.
    pub fn queue_full(&mut self, nth: u32, now: Duration) {
        if let Some(entry) = self.entry(nth) {
            let backoff = match entry.stage {
                Stage::Held { backoff, .. } | Stage::Connecting { backoff } => backoff,
                Stage::Connected { .. } => FIRST_RETRY,
            };
            entry.stage = Stage::Held {
                not_before: now + backoff,
                backoff: (backoff * 2).min(LONGEST_RETRY),
            };
        }
    }

    /// Who the kernel said holds the server's end of connection `nth`: once the server's
    /// program has it (or nobody does: it is gone), the next connection may follow.
    pub fn probed(&mut self, nth: u32, holder: Holder) {
        match holder {
            Holder::Queue => {}
            Holder::Program | Holder::Nobody => self.ended(nth),
        }
    }

    /// The kernel would not say: from now on a connection counts as taken once connected.
    pub fn cannot_probe(&mut self, nth: u32) {
        self.taken_when = TakenWhen::Connected;
        self.ended(nth);
    }

    /// Connection `nth` is over, or could not reach the server: it waits for nothing.
    pub fn ended(&mut self, nth: u32) {
        self.queue.retain(|entry| entry.nth != nth);
    }

    /// When [`Admission::poll`] next has something to do, if nothing is reported first.
    pub fn next_due(&self) -> Option<Duration> {
        match self.queue.front()?.stage {
            Stage::Held { not_before, .. } => Some(not_before),
            Stage::Connected { probe_at, .. } => Some(probe_at),
            Stage::Connecting { .. } => None,
        }
    }

    /// How many connections the relay holds that have not reached the server yet (kept,
    /// or still connecting).
    pub fn held(&self) -> usize {
        self.queue
            .iter()
            .filter(|entry| !matches!(entry.stage, Stage::Connected { .. }))
            .count()
    }

    fn entry(&mut self, nth: u32) -> Option<&mut Entry> {
        self.queue.iter_mut().find(|entry| entry.nth == nth)
    }
}

#[cfg(test)]
#[path = "admission_tests.rs"]
mod tests;
