//! The relay's single thread: wait on every socket, the stop pipe and the next delivery
//! time; record each datagram, ask the link for its fate, deliver its copies on time.
//!
//! The wait is `ppoll`, whose timeout is a high-resolution timer (unlike `SO_RCVTIMEO`,
//! which is jiffy-grained), with the thread's timer slack at 1 ns. A timer still wakes the
//! thread tens of microseconds late (more in a virtual machine), so the wait ends
//! [`SPIN_BEFORE_DUE`] early and the rest is spent polling the sockets without blocking:
//! a delay is kept to a few microseconds. Arrivals are stamped with the kernel's receive
//! timestamp, so the thread's own scheduling does not blur a measured timer.

use super::clock::ScenarioClock;
use super::queue::{DelayQueue, Pending};
use super::routing::{Endpoint, Received, Route, Routing};
use super::udp_record::{self, UdpRecord};
use crate::evidence::held::HeldBytes;
use crate::evidence::{WireEvent, WireTrace};
use crate::link::{Alteration, Copy as PlannedCopy, Decision, Direction, Impairment};
use nix::errno::Errno;
use nix::poll::{PollFd, PollFlags, ppoll};
use nix::sys::time::TimeSpec;
use std::io::{self, Read};
use std::mem::size_of;
use std::net::SocketAddr;
use std::os::fd::AsFd;
use std::os::unix::net::UnixStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::Receiver;
use std::time::{Duration, UNIX_EPOCH};

/// Called once per datagram when its fate is decided (before any copy is sent), e.g. by
/// `grader proxy` to print a live trace.
pub type DecisionObserver = Box<dyn FnMut(&WireEvent, &Decision) + Send>;

/// A copy waiting for its delivery time: its trace event (none past the record limit),
/// the copy, and its route.
type PendingCopy = (Option<usize>, PlannedCopy, Option<Route>);

#[expect(
    missing_debug_implementations,
    reason = "owned by the relay thread alone; its observer closure has no Debug"
)]
pub struct RelayLoop {
    pub endpoints: Vec<Endpoint>,
    pub routing: Routing,
    /// Indexed by direction: to-server, to-client.
    pub impairments: [Impairment; 2],
    pub clock: ScenarioClock,
    pub queue: DelayQueue<PendingCopy>,
    pub record: UdpRecord,
    pub counts: [u32; 2],
    pub order: u64,
    pub activity: Arc<AtomicU64>,
    /// Endpoints made by other threads (mirrors of newly bound ports), handed over here.
    pub new_endpoints: Receiver<Endpoint>,
    pub observer: Option<DecisionObserver>,
    /// What the copies waiting in `queue` hold.
    pub queued: HeldBytes,
    /// Where datagrams are received, kept from one wake-up to the next.
    pub buffer: Vec<u8>,
    /// When the latest datagram arrived: for [`BUSY_POLL`] after it the relay polls
    /// without sleeping.
    pub last_traffic: Duration,
}

/// Copies that may wait for their delivery time at once; past it, a flood through a
/// delaying link is dropped (and counted) rather than queued without bound.
pub const QUEUE_LIMIT: usize = 10_000;
/// Bytes the waiting copies may hold at once (a flood of 64 KiB datagrams through a
/// delay: 128 of them), their entries in the queue included.
pub const QUEUE_BYTES: usize = 8 << 20;
/// Datagrams read from one socket per wake-up, so a socket that a flooder keeps full
/// cannot keep the relay from delivering what is due (and the queue from draining).
const READS_PER_WAKE: usize = 64;
/// How long before a delivery is due the relay stops sleeping and polls without blocking.
/// A timer wake-up is late by 50–100 µs on a loaded two-core virtual machine; spinning
/// through the last stretch costs at most this much CPU per delivery time.
const SPIN_BEFORE_DUE: Duration = Duration::from_micros(200);
/// How long after a datagram arrives the relay keeps polling its sockets without
/// sleeping. The answer to a datagram usually comes within this; a relay that slept
/// instead would have its CPU woken for it, which costs tens of microseconds per wake-up
/// on an idle virtual machine.
const BUSY_POLL: Duration = Duration::from_micros(100);
/// The size of the receive buffer: the largest UDP datagram.
pub const RECEIVE_BUFFER: usize = 65_536;

/// What a copy waiting in the queue holds: its entry, its bytes and its alterations.
fn pending_cost(copy: &PlannedCopy) -> usize {
    size_of::<Pending<PendingCopy>>()
        + copy.bytes.capacity()
        + copy.alterations.capacity() * size_of::<Alteration>()
}

fn slot(direction: Direction) -> usize {
    match direction {
        Direction::ToServer => 0,
        Direction::ToClient => 1,
    }
}

impl RelayLoop {
    /// Relays until `wake` carries `b's'` (stop); `b'e'` on it means new endpoints are
    /// waiting on `new_endpoints`.
    pub fn run(&mut self, mut wake: UnixStream) -> io::Result<WireTrace> {
        // Timer slack is per thread; the default 50 µs would blur the delays we schedule.
        let _ = nix::sys::prctl::set_timerslack(1);
        loop {
            self.send_due()?;
            // Sleep until shortly before the next delivery, then poll until it is due.
            let now = self.clock.now();
            let timeout = if now.saturating_sub(self.last_traffic) < BUSY_POLL {
                Some(TimeSpec::from_duration(Duration::ZERO))
            } else {
                self.queue.next_due().map(|due| {
                    let left = due.saturating_sub(now);
                    TimeSpec::from_duration(left.saturating_sub(SPIN_BEFORE_DUE))
                })
            };
            let (ready, wake_ready) = {
                let mut fds: Vec<PollFd> = self
                    .endpoints
                    .iter()
                    .map(|endpoint| PollFd::new(endpoint.socket.as_fd(), PollFlags::POLLIN))
                    .collect();
                fds.push(PollFd::new(wake.as_fd(), PollFlags::POLLIN));
                match ppoll(&mut fds, timeout, None) {
                    Ok(_) | Err(Errno::EINTR) => {}
                    Err(error) => return Err(error.into()),
                }
                let ready: Vec<bool> = fds.iter().map(|fd| fd.any().unwrap_or(false)).collect();
                let wake_ready = ready[ready.len() - 1];
                (ready, wake_ready)
            };
            if wake_ready {
                let mut signals = [0u8; 64];
                let read = wake.read(&mut signals).unwrap_or(0);
                self.endpoints.extend(self.new_endpoints.try_iter());
                if signals[..read].contains(&b's') {
                    return Ok(std::mem::take(&mut self.record).into_trace());
                }
            }
            for (index, is_ready) in ready.iter().enumerate().take(ready.len() - 1) {
                if *is_ready {
                    self.drain(index)?;
                }
            }
        }
    }

    /// Reads every datagram waiting on one endpoint.
    fn drain(&mut self, index: usize) -> io::Result<()> {
        let mut buffer = std::mem::take(&mut self.buffer);
        buffer.resize(RECEIVE_BUFFER, 0);
        let drained = self.drain_into(index, &mut buffer);
        self.buffer = buffer;
        drained
    }

    fn drain_into(&mut self, index: usize, buffer: &mut [u8]) -> io::Result<()> {
        for _ in 0..READS_PER_WAKE {
            let socket = &self.endpoints[index].socket;
            let received = match socket.receive(buffer) {
                Ok(received) => Some(received),
                Err(Errno::EAGAIN) => None,
                // An ICMP error from an earlier send surfaces here; it is not a datagram.
                Err(Errno::ECONNREFUSED) | Err(Errno::EINTR) => continue,
                Err(error) => return Err(error.into()),
            };
            let Some(Received {
                length,
                source,
                wall,
            }) = received
            else {
                return Ok(());
            };
            let now = self.clock.now();
            self.last_traffic = now;
            let received_at = match wall {
                Some(stamp) => {
                    let wall = UNIX_EPOCH
                        + Duration::new(
                            u64::try_from(stamp.tv_sec()).unwrap_or(0),
                            u32::try_from(stamp.tv_nsec()).unwrap_or(0),
                        );
                    self.clock.from_wall(wall, now)
                }
                None => now,
            };
            let bytes = buffer[..length].to_vec();
            self.accept(index, source, received_at, bytes);
        }
        // More may be waiting: the poll is level-triggered and comes straight back.
        Ok(())
    }

    /// Records one datagram, routes it, asks the link what to do with it, and schedules
    /// its copies.
    fn accept(
        &mut self,
        arrival: usize,
        source: Option<SocketAddr>,
        received_at: Duration,
        bytes: Vec<u8>,
    ) {
        let direction = self.endpoints[arrival].direction();
        let route = self
            .routing
            .route(&mut self.endpoints, &self.new_endpoints, arrival, source);
        let mut decision = self.impairments[slot(direction)].decide(received_at, &bytes);
        self.counts[slot(direction)] += 1;
        // Which copies the queue can take is known before the datagram is recorded, so
        // its fate (and what the observer is told) says when the relay dropped it.
        let queued = self.admitted(&decision.copies);
        let event = WireEvent {
            direction,
            nth: self.counts[slot(direction)],
            order: self.next_order(received_at),
            received_at,
            from: source,
            // Undeliverable, it still went somewhere: to the relay socket it arrived at.
            to: Some(route.map_or(self.endpoints[arrival].local, |route| route.to)),
            bytes,
            fate: udp_record::fate(&decision, queued),
        };
        if let Some(observer) = &mut self.observer {
            observer(&event, &decision);
        }
        let overflowed = decision.copies.split_off(queued);
        let index = self.record.keep(event, &decision.copies);
        self.record.overflowed(overflowed.len());
        for copy in decision.copies {
            let due = received_at + copy.delay;
            // Admitted above, so it fits.
            self.queued.charge(pending_cost(&copy));
            self.queue.push(due, (index, copy, route));
        }
    }

    /// How many of `copies`, in order, the queue can take within [`QUEUE_LIMIT`] copies and
    /// [`QUEUE_BYTES`] held.
    fn admitted(&self, copies: &[PlannedCopy]) -> usize {
        let mut room = self.queued.room();
        let mut count = self.queue.len();
        copies
            .iter()
            .take_while(|copy| {
                let cost = pending_cost(copy);
                let fits = count < QUEUE_LIMIT && cost <= room;
                if fits {
                    count += 1;
                    room -= cost;
                }
                fits
            })
            .count()
    }

    /// Sends every copy whose delivery time has come, and records it in the trace.
    fn send_due(&mut self) -> io::Result<()> {
        while let Some(pending) = self.queue.pop_due(self.clock.now()) {
            let (index, copy, route) = pending.item;
            self.queued.release(pending_cost(&copy));
            // Undeliverable (no route): it stays in the trace with no delivered copy.
            let Some(Route { via, to }) = route else {
                continue;
            };
            // Read before the send: the receiver may answer before the send returns, and
            // the analysis orders its answer (stamped by the kernel) after this copy.
            let sent_at = self.clock.now();
            match self.endpoints[via].send_to(&copy.bytes, to) {
                Ok(_) => {}
                // The receiver is gone (its port is closed): the datagram is lost, as it
                // would be on a real network; the trace shows no delivered copy.
                // Under socket_wrapper a closed port is a missing socket file.
                Err(error)
                    if matches!(
                        error.kind(),
                        io::ErrorKind::ConnectionRefused | io::ErrorKind::NotFound
                    ) =>
                {
                    continue;
                }
                Err(error) if error.kind() == io::ErrorKind::WouldBlock => continue,
                Err(error) => return Err(error),
            }
            let order = self.next_order(sent_at);
            if let Some(index) = index {
                self.record.delivered(index, copy, order, sent_at);
            }
        }
        Ok(())
    }

    fn next_order(&mut self, at: Duration) -> u64 {
        self.order += 1;
        self.activity.store(
            u64::try_from(at.as_micros()).unwrap_or(u64::MAX - 1) + 1,
            Ordering::Relaxed,
        );
        self.order
    }
}
