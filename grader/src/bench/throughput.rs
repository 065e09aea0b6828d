//! Windowed throughput: a sender keeps a window of numbered datagrams in flight and the
//! receiver acknowledges each; direct and through a fault-free relay, in alternating
//! blocks. The receiver's tally says whether anything was lost, duplicated or reordered.

use super::echo::{Answer, Echo, sequence_of, timed_out};
use super::plain_relay::PlainRelay;
use super::relay_under_test::{LinkSetup, listen_addr, start_relay};
use super::sequence::StreamCounts;
use serde::Serialize;
use std::io;
use std::net::{Ipv4Addr, SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

/// Blocks per path; direct and relay alternate.
const BLOCKS: u32 = 4;
/// An acknowledgement later than this means its datagram (or it) was lost: the sender
/// stops waiting for the window and goes on.
const STALL: Duration = Duration::from_millis(200);

/// Throughput of one datagram size on both paths.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct ThroughputFigures {
    pub size: usize,
    pub window: usize,
    pub direct_per_second: f64,
    pub relay_per_second: f64,
    /// Relay ÷ direct.
    pub ratio: f64,
    pub direct: StreamCounts,
    pub relay: StreamCounts,
    /// Through the yardstick two-thread relay (`plain_relay`).
    pub plain_per_second: f64,
    /// Yardstick ÷ direct: what any relay reaches on this machine.
    pub plain_ratio: f64,
    /// Times a sender gave up waiting for its window (a loss somewhere).
    pub stalls: u64,
}

/// Measures `size`-byte datagrams with `window` in flight for `time` per path.
pub fn measure(size: usize, window: usize, time: Duration) -> io::Result<ThroughputFigures> {
    let direct_receiver = Echo::start(Answer::Acknowledge)?;
    let relay_receiver = Echo::start(Answer::Acknowledge)?;
    let plain_receiver = Echo::start(Answer::Acknowledge)?;
    let relay = start_relay(relay_receiver.address(), LinkSetup::default(), None)?;
    let plain_relay = PlainRelay::start(plain_receiver.address())?;
    let mut direct = Sender::new(direct_receiver.address(), size, window)?;
    let mut relayed = Sender::new(listen_addr(&relay)?, size, window)?;
    let mut plain = Sender::new(plain_relay.address(), size, window)?;
    for _ in 0..BLOCKS {
        for sender in [&mut direct, &mut relayed, &mut plain] {
            sender.run(time / BLOCKS)?;
        }
    }
    relay.stop()?;
    plain_relay.stop()?;
    let direct_counts = direct_receiver.stop()?.finish(direct.sent);
    let relay_counts = relay_receiver.stop()?.finish(relayed.sent);
    // The yardstick's tally is not judged; it only has to finish.
    plain_receiver.stop()?;
    let direct_rate = direct.rate();
    let relay_rate = relayed.rate();
    let plain_rate = plain.rate();
    let ratio = |rate: f64| {
        if direct_rate > 0.0 {
            rate / direct_rate
        } else {
            0.0
        }
    };
    Ok(ThroughputFigures {
        size,
        window,
        direct_per_second: direct_rate,
        relay_per_second: relay_rate,
        ratio: ratio(relay_rate),
        direct: direct_counts,
        relay: relay_counts,
        plain_per_second: plain_rate,
        plain_ratio: ratio(plain_rate),
        stalls: direct.stalls + relayed.stalls + plain.stalls,
    })
}

/// The sending side: numbers its datagrams from 0 and counts acknowledgements.
struct Sender {
    socket: UdpSocket,
    datagram: Vec<u8>,
    window: u64,
    sent: u64,
    acknowledged: u64,
    elapsed: Duration,
    stalls: u64,
}

impl Sender {
    fn new(to: SocketAddr, size: usize, window: usize) -> io::Result<Sender> {
        let socket = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0))?;
        socket.connect(to)?;
        socket.set_read_timeout(Some(STALL))?;
        Ok(Sender {
            socket,
            datagram: vec![0xa5; size.max(8)],
            window: window as u64,
            sent: 0,
            acknowledged: 0,
            elapsed: Duration::ZERO,
            stalls: 0,
        })
    }

    /// Sends for `time`, then waits for the window to drain (counted in the time).
    fn run(&mut self, time: Duration) -> io::Result<()> {
        let started = Instant::now();
        let mut answer = [0u8; 64];
        loop {
            let sending = started.elapsed() < time;
            while sending && self.sent - self.acknowledged < self.window {
                self.datagram[..8].copy_from_slice(&self.sent.to_le_bytes());
                self.socket.send(&self.datagram)?;
                self.sent += 1;
            }
            if self.acknowledged == self.sent {
                break;
            }
            match self.socket.recv(&mut answer) {
                // After a stall a late acknowledgement may still come: the window is free.
                Ok(length) if sequence_of(&answer[..length]).is_some() => {
                    self.acknowledged = (self.acknowledged + 1).min(self.sent);
                }
                Ok(_) => {}
                Err(error) if timed_out(&error) => {
                    // The rest of the window is not coming; the receiver counts the loss.
                    self.stalls += 1;
                    self.acknowledged = self.sent;
                }
                Err(error) => return Err(error),
            }
        }
        self.elapsed += started.elapsed();
        Ok(())
    }

    /// Acknowledged datagrams per second of sending.
    fn rate(&self) -> f64 {
        let seconds = self.elapsed.as_secs_f64();
        if seconds > 0.0 {
            self.acknowledged as f64 / seconds
        } else {
            0.0
        }
    }
}
