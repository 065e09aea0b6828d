//! Relay latency: 64-byte ping-pong round trips straight to an echo thread, through a
//! fault-free relay to another, and through the yardstick two-thread relay to a third, in
//! alternating blocks so that drift in the machine's load falls on all alike.

use super::echo::{Answer, Echo, sequence_of, timed_out};
use super::plain_relay::PlainRelay;
use super::relay_under_test::{LinkSetup, listen_addr, start_relay};
use super::stats::{Distribution, micros};
use serde::Serialize;
use std::io;
use std::net::{Ipv4Addr, SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

/// The payload of every ping.
pub const PING_SIZE: usize = 64;

/// Round-trip times of both paths, and what the relay adds.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct LatencyFigures {
    pub direct: Distribution,
    pub relay: Distribution,
    /// Relay median − direct median.
    pub added_median_us: f64,
    /// Relay p99 − direct p99.
    pub added_p99_us: f64,
    /// Through the yardstick two-thread relay (`plain_relay`).
    pub plain: Distribution,
    /// Yardstick median − direct median: what any relay adds on this machine.
    pub plain_added_median_us: f64,
    /// Yardstick p99 − direct p99.
    pub plain_added_p99_us: f64,
    /// Pings with no answer within a second (none expected).
    pub unanswered: u64,
}

/// Measures `round_trips` per path, `block` at a time, after a warm-up block of each.
pub fn measure(round_trips: usize, block: usize) -> io::Result<LatencyFigures> {
    let direct_echo = Echo::start(Answer::Echo)?;
    let relay_echo = Echo::start(Answer::Echo)?;
    let plain_echo = Echo::start(Answer::Echo)?;
    let relay = start_relay(relay_echo.address(), LinkSetup::default(), None)?;
    let plain_relay = PlainRelay::start(plain_echo.address())?;
    let mut direct = Pinger::new(direct_echo.address())?;
    let mut relayed = Pinger::new(listen_addr(&relay)?)?;
    let mut plain = Pinger::new(plain_relay.address())?;
    for pinger in [&mut direct, &mut relayed, &mut plain] {
        pinger.ping(block, false)?;
    }
    let mut done = 0;
    while done < round_trips {
        let count = block.min(round_trips - done);
        for pinger in [&mut direct, &mut relayed, &mut plain] {
            pinger.ping(count, true)?;
        }
        done += count;
    }
    relay.stop()?;
    plain_relay.stop()?;
    for echo in [direct_echo, relay_echo, plain_echo] {
        echo.stop()?;
    }
    let direct_rtt = Distribution::of(&direct.samples);
    let relay_rtt = Distribution::of(&relayed.samples);
    let plain_rtt = Distribution::of(&plain.samples);
    Ok(LatencyFigures {
        direct: direct_rtt,
        relay: relay_rtt,
        added_median_us: relay_rtt.median_us - direct_rtt.median_us,
        added_p99_us: relay_rtt.p99_us - direct_rtt.p99_us,
        plain: plain_rtt,
        plain_added_median_us: plain_rtt.median_us - direct_rtt.median_us,
        plain_added_p99_us: plain_rtt.p99_us - direct_rtt.p99_us,
        unanswered: direct.unanswered + relayed.unanswered + plain.unanswered,
    })
}

/// One side of the ping-pong: a socket connected to where its pings go.
struct Pinger {
    socket: UdpSocket,
    sequence: u64,
    samples: Vec<f64>,
    unanswered: u64,
}

impl Pinger {
    fn new(to: SocketAddr) -> io::Result<Pinger> {
        let socket = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0))?;
        socket.connect(to)?;
        // Only a lost ping waits this long; none is expected on a fault-free loopback.
        socket.set_read_timeout(Some(Duration::from_secs(1)))?;
        Ok(Pinger {
            socket,
            sequence: 0,
            samples: Vec::new(),
            unanswered: 0,
        })
    }

    /// `count` round trips, one at a time; kept as samples when `record`.
    fn ping(&mut self, count: usize, record: bool) -> io::Result<()> {
        let mut datagram = [0u8; PING_SIZE];
        let mut answer = [0u8; 2 * PING_SIZE];
        for _ in 0..count {
            self.sequence += 1;
            datagram[..8].copy_from_slice(&self.sequence.to_le_bytes());
            let sent = Instant::now();
            self.socket.send(&datagram)?;
            loop {
                match self.socket.recv(&mut answer) {
                    Ok(length) if sequence_of(&answer[..length]) == Some(self.sequence) => {
                        if record {
                            self.samples.push(micros(sent.elapsed()));
                        }
                        break;
                    }
                    // A late answer to an earlier ping: not this one's.
                    Ok(_) => {}
                    Err(error) if timed_out(&error) => {
                        self.unanswered += 1;
                        break;
                    }
                    Err(error) => return Err(error),
                }
            }
        }
        Ok(())
    }
}
