//! Delay precision: datagrams through a relay that delays them (netem `delay 10ms`, a
//! scripted 10 ms delay on each, netem `delay 10ms 2ms`), each stamped with its send time,
//! and the kernel's receive timestamp at the receiving socket. The error is how far the
//! delivered delay is from the one the link chose for that datagram.

use super::relay_under_test::{LinkSetup, listen_addr, start_relay};
use super::stats::Distribution;
use crate::link::scripted::DelayFault;
use crate::link::{Direction, Netem, ScriptedFault};
use crate::relay::DecisionObserver;
use nix::sys::socket::{
    ControlMessageOwned, MsgFlags, SockaddrStorage, recvmsg, setsockopt, sockopt,
};
use nix::sys::time::TimeSpec;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::{self, IoSliceMut};
use std::net::{Ipv4Addr, SocketAddr, UdpSocket};
use std::os::fd::AsRawFd;
use std::sync::mpsc::{self, channel};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The delay every test asks for.
pub const DELAY: Duration = Duration::from_millis(10);
/// The jitter of the jitter test (netem draws uniformly in ± this).
pub const JITTER: Duration = Duration::from_millis(2);

/// Which link a delay test runs through.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DelayKind {
    /// netem `delay 10ms`.
    Netem,
    /// A scripted `delay: { nth: k, by: 10ms }` on every datagram.
    Scripted,
    /// netem `delay 10ms 2ms`.
    Jitter,
}

/// How precisely one kind of delay was kept.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct DelayFigures {
    /// |delivered − chosen| per datagram.
    pub error: Distribution,
    /// Mean of delivered − chosen (positive: late).
    pub mean_lateness_us: f64,
    /// The delays as delivered.
    pub delivered: Distribution,
    /// The delays the link chose (from its decisions).
    pub chosen: Distribution,
    /// Datagrams sent that never arrived (none expected).
    pub missing: usize,
}

/// Sends `samples` datagrams `spacing` apart through a relay with `kind`'s delay.
pub fn measure(kind: DelayKind, samples: usize) -> io::Result<DelayFigures> {
    let spacing = match kind {
        // Farther apart than the jitter's whole range, so that netem's FIFO (a copy never
        // leaves before an earlier one) never stretches a draw.
        DelayKind::Jitter => 2 * JITTER + Duration::from_millis(1),
        DelayKind::Netem | DelayKind::Scripted => Duration::from_millis(2),
    };
    let link = link_for(kind, samples)?;
    let receiver = Receiver::start()?;
    let (chosen_sender, chosen_receiver) = channel();
    let observer: DecisionObserver = Box::new(move |event, decision| {
        if let Some(copy) = decision.copies.first() {
            let _ = chosen_sender.send((u64::from(event.nth) - 1, copy.delay));
        }
    });
    let relay = start_relay(receiver.address, link, Some(observer))?;
    let socket = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0))?;
    socket.connect(listen_addr(&relay)?)?;
    let mut datagram = [0u8; 64];
    let mut sent_at = Vec::with_capacity(samples);
    let started = std::time::Instant::now();
    for sequence in 0..samples as u64 {
        // Paced against the start, so one late wake-up does not shift the rest.
        let due = started + spacing * u32::try_from(sequence).unwrap_or(u32::MAX);
        std::thread::sleep(due.saturating_duration_since(std::time::Instant::now()));
        datagram[..8].copy_from_slice(&sequence.to_le_bytes());
        sent_at.push(SystemTime::now());
        socket.send(&datagram)?;
    }
    // Every datagram is delivered within a delay (at most 12 ms) of being sent; a second
    // more is for a machine that is very busy, after which the rest count as missing.
    let deadline = std::time::Instant::now() + DELAY + JITTER + Duration::from_secs(1);
    let mut arrivals = BTreeMap::new();
    while arrivals.len() < samples {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match receiver.arrivals.recv_timeout(left) {
            Ok((sequence, at)) => {
                arrivals.insert(sequence, at);
            }
            Err(_) => break,
        }
    }
    relay.stop()?;
    receiver.stop()?;
    let chosen: BTreeMap<u64, Duration> = chosen_receiver.try_iter().collect();
    Ok(figures(&sent_at, &arrivals, &chosen))
}

fn link_for(kind: DelayKind, samples: usize) -> io::Result<LinkSetup> {
    let netem = |line: &str| line.parse::<Netem>().map_err(io::Error::other);
    Ok(match kind {
        DelayKind::Netem => LinkSetup {
            netem: Some(netem("delay 10ms")?),
            faults: Vec::new(),
        },
        DelayKind::Jitter => LinkSetup {
            netem: Some(netem("delay 10ms 2ms")?),
            faults: Vec::new(),
        },
        DelayKind::Scripted => LinkSetup {
            netem: None,
            faults: (1..=u32::try_from(samples).unwrap_or(u32::MAX))
                .map(|nth| {
                    ScriptedFault::Delay(DelayFault {
                        direction: Direction::ToServer,
                        nth: Some(nth),
                        packet: None,
                        transmission: None,
                        matching: None,
                        by: DELAY,
                    })
                })
                .collect(),
        },
    })
}

/// The figures from each datagram's send time, receive time and chosen delay.
pub fn figures(
    sent_at: &[SystemTime],
    arrivals: &BTreeMap<u64, SystemTime>,
    chosen: &BTreeMap<u64, Duration>,
) -> DelayFigures {
    let mut errors = Vec::new();
    let mut signed = Vec::new();
    let mut delivered = Vec::new();
    let mut chosen_delays = Vec::new();
    for (sequence, sent) in sent_at.iter().enumerate() {
        let sequence = sequence as u64;
        let (Some(received), Some(wanted)) = (arrivals.get(&sequence), chosen.get(&sequence))
        else {
            continue;
        };
        let took = match received.duration_since(*sent) {
            Ok(took) => took.as_secs_f64() * 1e6,
            Err(early) => -early.duration().as_secs_f64() * 1e6,
        };
        let wanted = wanted.as_secs_f64() * 1e6;
        delivered.push(took);
        chosen_delays.push(wanted);
        signed.push(took - wanted);
        errors.push((took - wanted).abs());
    }
    let count = signed.len().max(1) as f64;
    DelayFigures {
        error: Distribution::of(&errors),
        mean_lateness_us: signed.iter().sum::<f64>() / count,
        delivered: Distribution::of(&delivered),
        chosen: Distribution::of(&chosen_delays),
        missing: sent_at.len().saturating_sub(arrivals.len()),
    }
}

/// The receiving socket: hands over each sequence number with its kernel receive time.
struct Receiver {
    address: SocketAddr,
    arrivals: mpsc::Receiver<(u64, SystemTime)>,
    thread: JoinHandle<io::Result<()>>,
}

impl Receiver {
    fn start() -> io::Result<Receiver> {
        let socket = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0))?;
        setsockopt(&socket, sockopt::ReceiveTimestampns, &true).map_err(io::Error::from)?;
        let address = socket.local_addr()?;
        let (sender, arrivals) = channel();
        let thread = std::thread::Builder::new()
            .name("bench-delay-receiver".to_owned())
            .spawn(move || receive(&socket, &sender))?;
        Ok(Receiver {
            address,
            arrivals,
            thread,
        })
    }

    fn stop(self) -> io::Result<()> {
        UdpSocket::bind((Ipv4Addr::LOCALHOST, 0))?.send_to(&[], self.address)?;
        self.thread
            .join()
            .map_err(|_| io::Error::other("the receiving thread panicked"))?
    }
}

fn receive(socket: &UdpSocket, arrivals: &mpsc::Sender<(u64, SystemTime)>) -> io::Result<()> {
    let mut buffer = [0u8; 2048];
    loop {
        let mut control = nix::cmsg_space!(TimeSpec);
        let mut iov = [IoSliceMut::new(&mut buffer)];
        let message = recvmsg::<SockaddrStorage>(
            socket.as_raw_fd(),
            &mut iov,
            Some(&mut control),
            MsgFlags::empty(),
        )
        .map_err(io::Error::from)?;
        if message.bytes == 0 {
            return Ok(());
        }
        let stamp = message.cmsgs().ok().and_then(|mut cmsgs| {
            cmsgs.find_map(|cmsg| match cmsg {
                ControlMessageOwned::ScmTimestampns(stamp) => Some(stamp),
                _ => None,
            })
        });
        let received = stamp.map_or_else(SystemTime::now, |stamp| {
            UNIX_EPOCH
                + Duration::new(
                    u64::try_from(stamp.tv_sec()).unwrap_or(0),
                    u32::try_from(stamp.tv_nsec()).unwrap_or(0),
                )
        });
        let length = message.bytes;
        if let Some(sequence) = super::echo::sequence_of(&buffer[..length]) {
            // The measurement may have given up waiting; then nobody listens.
            let _ = arrivals.send((sequence, received));
        }
    }
}
