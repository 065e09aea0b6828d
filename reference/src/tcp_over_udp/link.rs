//! A simulated link between a [`Sender`] and a [`Receiver`] for the conversation tests,
//! in the manner of quinn-proto's test pair: one queue of datagrams in flight, a clock
//! that moves only when the test says so, and losses that are datagrams taken off the
//! queue. Microseconds per conversation, no sockets, no sleeps.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use socklab_protocol::tcp_over_udp::segment::{Header, Segment};

use super::defect::{ClientDefect, ServerDefect};
use super::event::{Ending, Event};
use super::numbers::Timers;
use super::receiver::Receiver;
use super::sender::Sender;

/// Which machine a datagram in flight is headed for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Toward {
    Server,
    Client,
}

/// What the network does with one datagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Fate {
    Deliver,
    Lose,
    /// Delivered twice in a row.
    Duplicate,
}

/// The two machines, the datagrams between them, and everything they reported.
pub(super) struct Link {
    start: Instant,
    now: Instant,
    pub(super) client: Sender,
    pub(super) server: Receiver,
    in_flight: VecDeque<(Toward, Vec<u8>)>,
    client_lines: Vec<String>,
    server_lines: Vec<String>,
    /// What the server delivered, in order: its stdout.
    pub(super) written: Vec<u8>,
    /// The client's `Finished` or `GaveUp`, with when it came.
    pub(super) client_end: Option<(Event, Duration)>,
    pub(super) server_end: Option<(Event, Duration)>,
}

impl Link {
    /// A client with `input` (its SYN queued at time 0) and a server, with the protocol's
    /// timers and no defects.
    pub(super) fn new(input: &[u8]) -> Self {
        Link::with_defects(input, &[], &[])
    }

    pub(super) fn with_defects(
        input: &[u8],
        client: &[ClientDefect],
        server: &[ServerDefect],
    ) -> Self {
        let start = Instant::now();
        let timers = Timers::default();
        let mut link = Link {
            start,
            now: start,
            client: Sender::connect(start, input.to_vec(), timers, client),
            server: Receiver::new(timers, server),
            in_flight: VecDeque::new(),
            client_lines: Vec::new(),
            server_lines: Vec::new(),
            written: Vec::new(),
            client_end: None,
            server_end: None,
        };
        link.collect();
        link
    }

    /// The instant `ms` milliseconds after the start.
    pub(super) fn ms(&self, ms: u64) -> Instant {
        self.start + Duration::from_millis(ms)
    }

    /// Moves the clock to `ms` and lets both machines' timers run (early is harmless).
    pub(super) fn at(&mut self, ms: u64) -> &mut Self {
        let now = self.ms(ms);
        assert!(now >= self.now, "the clock only moves forward");
        self.now = now;
        self.client.handle_timeout(now);
        self.server.handle_timeout(now);
        self.collect();
        self
    }

    /// Hands the oldest datagram headed `toward` over, now; returns its header.
    pub(super) fn deliver(&mut self, toward: Toward) -> Header {
        let datagram = self.take(toward);
        self.hand_over(toward, &datagram);
        header_of(&datagram)
    }

    /// Takes the oldest datagram headed `toward` off the link; returns its header.
    pub(super) fn lose(&mut self, toward: Toward) -> Header {
        header_of(&self.take(toward))
    }

    /// Puts bytes on the link as if someone had sent them, ahead of everything in flight.
    pub(super) fn inject(&mut self, toward: Toward, datagram: Vec<u8>) {
        self.in_flight.push_front((toward, datagram));
    }

    /// How many datagrams are headed `toward`.
    pub(super) fn in_flight(&self, toward: Toward) -> usize {
        self.in_flight
            .iter()
            .filter(|(headed, _)| *headed == toward)
            .count()
    }

    /// The client's log lines since last asked.
    pub(super) fn client_lines(&mut self) -> Vec<String> {
        std::mem::take(&mut self.client_lines)
    }

    /// The server's log lines since last asked.
    pub(super) fn server_lines(&mut self) -> Vec<String> {
        std::mem::take(&mut self.server_lines)
    }

    /// Plays the conversation to its end with no loss.
    pub(super) fn run(&mut self) {
        self.run_with(|_, _| Fate::Deliver);
    }

    /// Plays the conversation until neither machine has anything left to do: every
    /// datagram, oldest first, meets its `fate`; when none is in flight the clock jumps to
    /// the earlier machine's timeout.
    pub(super) fn run_with(&mut self, mut fate: impl FnMut(Toward, Segment<'_>) -> Fate) {
        // Far beyond any conversation's length (the client gives up after 10 s).
        let limit = self.ms(120_000);
        loop {
            if let Some((toward, datagram)) = self.in_flight.pop_front() {
                let segment = Segment::parse(&datagram).expect("the machines send segments");
                match fate(toward, segment) {
                    Fate::Deliver => self.hand_over(toward, &datagram),
                    Fate::Lose => {}
                    Fate::Duplicate => {
                        self.hand_over(toward, &datagram);
                        self.hand_over(toward, &datagram);
                    }
                }
                continue;
            }
            let next = [self.client.poll_timeout(), self.server.poll_timeout()]
                .into_iter()
                .flatten()
                .min();
            let Some(next) = next else {
                return;
            };
            assert!(next <= limit, "the conversation runs on past two minutes");
            self.now = next.max(self.now);
            self.client.handle_timeout(self.now);
            self.server.handle_timeout(self.now);
            self.collect();
        }
    }

    fn take(&mut self, toward: Toward) -> Vec<u8> {
        let index = self
            .in_flight
            .iter()
            .position(|(headed, _)| *headed == toward)
            .unwrap_or_else(|| panic!("nothing in flight toward the {toward:?}"));
        self.in_flight
            .remove(index)
            .map(|(_, datagram)| datagram)
            .unwrap_or_default()
    }

    fn hand_over(&mut self, toward: Toward, datagram: &[u8]) {
        match toward {
            Toward::Server => self.server.handle_datagram(self.now, datagram),
            Toward::Client => self.client.handle_datagram(self.now, datagram),
        }
        self.collect();
    }

    /// Moves what both machines queued onto the link and into the record.
    fn collect(&mut self) {
        let elapsed = self.now - self.start;
        while let Some(datagram) = self.client.poll_transmit() {
            self.in_flight.push_back((Toward::Server, datagram));
        }
        while let Some(datagram) = self.server.poll_transmit() {
            self.in_flight.push_back((Toward::Client, datagram));
        }
        while let Some(event) = self.client.poll_event() {
            match event {
                Event::Finished(_) | Event::GaveUp { .. } => {
                    assert!(self.client_end.is_none(), "the client ended twice");
                    self.client_end = Some((event, elapsed));
                }
                Event::Deliver(_) => panic!("the client delivered data"),
                Event::Log(_) | Event::NotASegment { .. } => {
                    self.client_lines.push(event.to_string());
                }
            }
        }
        while let Some(event) = self.server.poll_event() {
            match event {
                Event::Finished(_) | Event::GaveUp { .. } => {
                    assert!(self.server_end.is_none(), "the server ended twice");
                    self.server_end = Some((event, elapsed));
                }
                Event::Deliver(bytes) => self.written.extend(bytes),
                Event::Log(_) | Event::NotASegment { .. } => {
                    self.server_lines.push(event.to_string());
                }
            }
        }
    }
}

fn header_of(datagram: &[u8]) -> Header {
    Segment::parse(datagram)
        .map(|segment| segment.header)
        .unwrap_or_default()
}

/// `len` bytes, NULs and 0xff included, repeating every 251: a period prime to 512 and
/// to 204 800, so no two segments of one transfer carry the same bytes.
pub(super) fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|index| (index % 251) as u8 ^ 0xa5).collect()
}

/// Asserts that both machines ended with a proper close.
pub(super) fn closed_both_ways(link: &Link) {
    assert!(
        matches!(link.client_end, Some((Event::Finished(Ending::Closed), _))),
        "{:?}",
        link.client_end
    );
    assert!(
        matches!(link.server_end, Some((Event::Finished(Ending::Closed), _))),
        "{:?}",
        link.server_end
    );
}

/// A tiny seeded generator (xorshift64*) for loss patterns: the same seed, the same
/// losses, on every run.
pub(super) struct Seeded(u64);

impl Seeded {
    pub(super) fn new(seed: u64) -> Self {
        Seeded(seed.max(1))
    }

    /// True with probability `percent` / 100.
    pub(super) fn chance(&mut self, percent: u64) -> bool {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % 100 < percent
    }
}
