//! The stream shaper: one direction of one TCP connection, pure and seeded.
//!
//! The relay feeds in what it reads from the sender ([`StreamShaper::receive`],
//! [`StreamShaper::receive_end`]) with the current time, and asks what to do next
//! ([`StreamShaper::poll`]) whenever [`StreamShaper::next_due`] comes or new bytes arrive.
//! The answer is a segment to write, a clean close, or a reset. Nothing here touches a
//! socket or a clock, so a whole conversation is a unit test in simulated time.
//!
//! Call order: `receive*` whenever bytes or the end arrive; then `poll(now)` until it
//! returns `None`, writing each segment before asking for the next (a segment the socket
//! cannot take yet is the caller's to keep: the shaper assumes it was sent at `now`).

use super::faults::{StreamFaults, aims_at};
use rand::RngExt;
use rand::rngs::ChaCha8Rng;
use std::collections::VecDeque;
use std::time::Duration;

/// What the relay should do next on the receiving side.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Write these bytes as one segment.
    Write(Vec<u8>),
    /// Close the receiver's direction cleanly (FIN): the stream has ended.
    Close,
    /// Reset the whole connection (RST to both programs).
    Reset,
}

/// The largest segment written at once when no fault sets the size.
const LARGEST_WRITE: usize = 64 * 1024;

/// One direction of one connection, between what the sender wrote and what the receiver
/// gets.
#[derive(Debug)]
pub struct StreamShaper {
    faults: StreamFaults,
    /// The end the stream is cut at, and whether it is cut by a reset.
    limit: Option<(u64, Ending)>,
    /// Where this connection stalls, and for how long.
    stall: Option<(u64, Duration)>,
    rng: ChaCha8Rng,
    /// Bytes read from the sender, each chunk with the time it may be delivered.
    held: VecDeque<(Duration, Vec<u8>)>,
    held_bytes: usize,
    delivered: u64,
    discarded: u64,
    /// No segment before this (slice gaps, rate).
    next_send_at: Duration,
    /// The size of the next slice, drawn once so that waiting does not redraw it.
    next_slice: Option<usize>,
    stalled_until: Option<Duration>,
    sender_ended: bool,
    state: State,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ending {
    Close,
    Reset,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Open,
    Closed,
    Reset,
}

impl StreamShaper {
    /// The shaper for the `nth` connection (1-based): faults aimed at other connections do
    /// not apply.
    pub fn new(faults: &StreamFaults, nth: u32, rng: ChaCha8Rng) -> StreamShaper {
        let cut = faults
            .cut
            .filter(|cut| aims_at(cut.connection, nth))
            .map(|cut| (cut.after, Ending::Close));
        let reset = faults
            .reset
            .filter(|reset| aims_at(reset.connection, nth))
            .map(|reset| (reset.after, Ending::Reset));
        // Whichever comes first ends the stream.
        let limit = match (cut, reset) {
            (Some(cut), Some(reset)) => Some(if reset.0 <= cut.0 { reset } else { cut }),
            (cut, reset) => cut.or(reset),
        };
        let stall = faults
            .stall
            .filter(|stall| aims_at(stall.connection, nth))
            .map(|stall| (stall.after, stall.duration));
        StreamShaper {
            faults: faults.clone(),
            limit,
            stall,
            rng,
            held: VecDeque::new(),
            held_bytes: 0,
            delivered: 0,
            discarded: 0,
            next_send_at: Duration::ZERO,
            next_slice: None,
            stalled_until: None,
            sender_ended: false,
            state: State::Open,
        }
    }

    /// Bytes the sender wrote, read at `now`.
    pub fn receive(&mut self, now: Duration, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        if self.state != State::Open {
            self.discarded += bytes.len() as u64;
            return;
        }
        let ready_at = now + self.faults.delay.unwrap_or_default();
        self.held_bytes += bytes.len();
        self.held.push_back((ready_at, bytes.to_vec()));
    }

    /// The sender closed its side (FIN) at `now`.
    pub fn receive_end(&mut self, _now: Duration) {
        self.sender_ended = true;
    }

    /// Bytes read but not delivered yet; the relay stops reading past a limit.
    pub fn held(&self) -> usize {
        self.held_bytes
    }

    /// Bytes delivered to the receiver so far.
    pub fn delivered(&self) -> u64 {
        self.delivered
    }

    /// Bytes read from the sender after a cut or reset, and never delivered.
    pub fn discarded(&self) -> u64 {
        self.discarded
    }

    /// Whether nothing more will ever be delivered (closed or reset).
    pub fn is_finished(&self) -> bool {
        self.state != State::Open
    }

    /// The next thing to do at `now`, if anything is due.
    pub fn poll(&mut self, now: Duration) -> Option<Action> {
        if self.state != State::Open {
            return None;
        }
        if let Some((limit, ending)) = self.limit
            && self.delivered >= limit
        {
            self.discarded += self.held_bytes as u64;
            self.held.clear();
            self.held_bytes = 0;
            return Some(self.end(ending));
        }
        if self.stalled_until.is_some_and(|until| now < until) || now < self.next_send_at {
            return None;
        }
        let ready = self.ready_bytes(now);
        if ready == 0 {
            if self.sender_ended && self.held.is_empty() {
                return Some(self.end(Ending::Close));
            }
            return None;
        }
        if let Some(coalesce) = self.faults.coalesce {
            let first = self.held.front().map_or(now, |(ready_at, _)| *ready_at);
            if now < first + coalesce.window {
                return None;
            }
        }
        let mut size = match (self.faults.coalesce, self.faults.slice) {
            (Some(_), _) => ready,
            (None, Some(slice)) => {
                let size = *self
                    .next_slice
                    .get_or_insert_with(|| self.rng.random_range(slice.min..=slice.max));
                size.min(ready)
            }
            (None, None) => ready.min(LARGEST_WRITE),
        };
        // A segment never crosses the point where the stream is cut or stalls, so the cut
        // is exact and the stall starts where it was asked to.
        for boundary in [self.limit.map(|(at, _)| at), self.stall.map(|(at, _)| at)]
            .into_iter()
            .flatten()
        {
            if self.delivered < boundary {
                size = size.min(usize::try_from(boundary - self.delivered).unwrap_or(usize::MAX));
            }
        }
        let segment = self.take(size);
        self.delivered += segment.len() as u64;
        self.next_slice = None;
        if let Some(slice) = self.faults.slice {
            self.next_send_at = now + slice.gap;
        }
        if let Some(bits_per_second) = self.faults.rate {
            let bits = segment.len() as u128 * 8;
            let nanos = bits * 1_000_000_000 / u128::from(bits_per_second.max(1));
            let paced = now + Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX));
            self.next_send_at = self.next_send_at.max(paced);
        }
        if let Some((at, duration)) = self.stall
            && self.delivered == at
            && self.stalled_until.is_none()
        {
            self.stalled_until = Some(now + duration);
        }
        Some(Action::Write(segment))
    }

    /// When [`StreamShaper::poll`] may next have something to do, if the sender sends
    /// nothing more; `None` when it waits only for the sender.
    pub fn next_due(&self) -> Option<Duration> {
        if self.state != State::Open {
            return None;
        }
        // At the cut or reset point the ending is due at once, whatever else waits.
        if self.limit.is_some_and(|(limit, _)| self.delivered >= limit) {
            return Some(Duration::ZERO);
        }
        let (first_ready, _) = match self.held.front() {
            Some(front) => front,
            None if self.sender_ended => return Some(self.next_send_at),
            None => return None,
        };
        let mut due = (*first_ready).max(self.next_send_at);
        if let Some(until) = self.stalled_until {
            due = due.max(until);
        }
        if let Some(coalesce) = self.faults.coalesce {
            due = due.max(*first_ready + coalesce.window);
        }
        Some(due)
    }

    fn end(&mut self, ending: Ending) -> Action {
        match ending {
            Ending::Close => {
                self.state = State::Closed;
                Action::Close
            }
            Ending::Reset => {
                self.state = State::Reset;
                Action::Reset
            }
        }
    }

    /// Bytes whose delivery time has come (chunks arrive in order, so only a prefix).
    fn ready_bytes(&self, now: Duration) -> usize {
        self.held
            .iter()
            .take_while(|(ready_at, _)| *ready_at <= now)
            .map(|(_, bytes)| bytes.len())
            .sum()
    }

    /// Removes the first `size` held bytes.
    fn take(&mut self, size: usize) -> Vec<u8> {
        let mut segment = Vec::with_capacity(size);
        while segment.len() < size {
            let Some((_, front)) = self.held.front_mut() else {
                break;
            };
            let wanted = size - segment.len();
            if front.len() <= wanted {
                segment.extend_from_slice(front);
                self.held.pop_front();
            } else {
                segment.extend_from_slice(&front[..wanted]);
                front.drain(..wanted);
            }
        }
        self.held_bytes -= segment.len();
        segment
    }
}

#[cfg(test)]
#[path = "shaper_tests.rs"]
mod tests;
