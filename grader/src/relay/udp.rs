//! The UDP relay: a client-facing socket, a server-facing socket, one thread between them.
//!
//! The client sends to the relay's client-facing address; the relay forwards to the server
//! from its server-facing socket, so the server's replies (to "whoever sent this") come back
//! to the relay, which forwards them to the client's last source address. Every datagram
//! goes through the direction's [`Impairment`] and is recorded in the [`WireTrace`].
//!
//! One thread waits on both sockets, a stop pipe, and the next delivery time with `ppoll`,
//! whose timeout is a high-resolution timer (unlike `SO_RCVTIMEO`, which is jiffy-grained);
//! with the thread's timer slack at 1 ns a scheduled delay is kept to tens of microseconds.

use super::clock::ScenarioClock;
use super::queue::DelayQueue;
use crate::evidence::{Fate, WireEvent, WireTrace, trace::DeliveredCopy};
use crate::link::{Copy as PlannedCopy, Decision, Direction, Impairment};
use nix::errno::Errno;
use nix::poll::{PollFd, PollFlags, ppoll};
use nix::sys::socket::{
    ControlMessageOwned, MsgFlags, SockaddrStorage, recvmsg, setsockopt, sockopt,
};
use nix::sys::time::TimeSpec;
use std::io::{self, IoSliceMut, Read, Write};
use std::net::{SocketAddr, UdpSocket};
use std::os::fd::AsFd;
use std::os::unix::net::UnixStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, UNIX_EPOCH};

/// Where the relay listens for the client, and where the server is.
#[derive(Clone, Copy, Debug)]
pub struct RelayEndpoints {
    /// The address clients send to; port 0 picks a free one.
    pub listen: SocketAddr,
    /// The server's address.
    pub target: SocketAddr,
}

/// Called once per datagram when its fate is decided (before any copy is sent), e.g. by
/// `grader proxy` to print a live trace.
pub type DecisionObserver = Box<dyn FnMut(&WireEvent, &Decision) + Send>;

/// A running relay; [`UdpRelay::stop`] ends it and returns the trace.
#[derive(Debug)]
pub struct UdpRelay {
    listen_addr: SocketAddr,
    stop_signal: UnixStream,
    activity: Arc<AtomicU64>,
    thread: JoinHandle<io::Result<WireTrace>>,
}

impl UdpRelay {
    /// Binds both sockets and starts relaying.
    pub fn start(
        endpoints: RelayEndpoints,
        to_server: Impairment,
        to_client: Impairment,
        clock: ScenarioClock,
        observer: Option<DecisionObserver>,
    ) -> io::Result<UdpRelay> {
        let client_side = UdpSocket::bind(endpoints.listen)?;
        let unspecified: SocketAddr = match endpoints.target {
            SocketAddr::V4(_) => (std::net::Ipv4Addr::LOCALHOST, 0).into(),
            SocketAddr::V6(_) => (std::net::Ipv6Addr::LOCALHOST, 0).into(),
        };
        let server_side = UdpSocket::bind(unspecified)?;
        for socket in [&client_side, &server_side] {
            socket.set_nonblocking(true)?;
            setsockopt(socket, sockopt::ReceiveTimestampns, &true).map_err(io::Error::from)?;
        }
        let listen_addr = client_side.local_addr()?;
        let (stop_signal, stop_receiver) = UnixStream::pair()?;
        let activity = Arc::new(AtomicU64::new(0));
        let mut relay = RelayLoop {
            client_side,
            server_side,
            target: endpoints.target,
            client_address: None,
            impairments: [to_server, to_client],
            clock,
            queue: DelayQueue::default(),
            trace: WireTrace::default(),
            counts: [0, 0],
            order: 0,
            activity: Arc::clone(&activity),
            observer,
        };
        let thread = std::thread::Builder::new()
            .name("udp-relay".to_owned())
            .spawn(move || relay.run(stop_receiver))?;
        Ok(UdpRelay {
            listen_addr,
            stop_signal,
            activity,
            thread,
        })
    }

    /// The address the client should send to.
    pub fn listen_addr(&self) -> SocketAddr {
        self.listen_addr
    }

    /// When the relay last received or sent anything, since the scenario started.
    pub fn last_activity(&self) -> Option<Duration> {
        match self.activity.load(Ordering::Relaxed) {
            0 => None,
            micros => Some(Duration::from_micros(micros - 1)),
        }
    }

    /// Stops relaying and returns the trace. Copies still waiting for their delivery time
    /// stay in the trace with no delivered copy: they were in flight when the scenario ended.
    pub fn stop(mut self) -> io::Result<WireTrace> {
        // A failed write means the thread is already gone; join reports why.
        let _ = self.stop_signal.write_all(&[1]);
        self.thread
            .join()
            .map_err(|_| io::Error::other("the relay thread panicked"))?
    }
}

struct RelayLoop {
    client_side: UdpSocket,
    server_side: UdpSocket,
    target: SocketAddr,
    /// Where the client last sent from: replies go there.
    client_address: Option<SocketAddr>,
    /// Indexed by direction: to-server, to-client.
    impairments: [Impairment; 2],
    clock: ScenarioClock,
    /// Copies waiting for their delivery time, with the index of their trace event.
    queue: DelayQueue<(usize, PlannedCopy)>,
    trace: WireTrace,
    counts: [u32; 2],
    order: u64,
    activity: Arc<AtomicU64>,
    observer: Option<DecisionObserver>,
}

fn slot(direction: Direction) -> usize {
    match direction {
        Direction::ToServer => 0,
        Direction::ToClient => 1,
    }
}

impl RelayLoop {
    fn run(&mut self, mut stop_receiver: UnixStream) -> io::Result<WireTrace> {
        // Timer slack is per thread; the default 50 µs would blur the delays we schedule.
        let _ = nix::sys::prctl::set_timerslack(1);
        loop {
            self.send_due()?;
            let timeout = match self.queue.next_due() {
                Some(due) => Some(TimeSpec::from_duration(
                    due.saturating_sub(self.clock.now()),
                )),
                None => None,
            };
            let (client_ready, server_ready, stop_ready) = {
                let mut fds = [
                    PollFd::new(self.client_side.as_fd(), PollFlags::POLLIN),
                    PollFd::new(self.server_side.as_fd(), PollFlags::POLLIN),
                    PollFd::new(stop_receiver.as_fd(), PollFlags::POLLIN),
                ];
                match ppoll(&mut fds, timeout, None) {
                    Ok(_) | Err(Errno::EINTR) => {}
                    Err(error) => return Err(error.into()),
                }
                let ready = |fd: &PollFd| fd.any().unwrap_or(false);
                (ready(&fds[0]), ready(&fds[1]), ready(&fds[2]))
            };
            if stop_ready {
                let _ = stop_receiver.read(&mut [0; 8]);
                return Ok(std::mem::take(&mut self.trace));
            }
            if client_ready {
                self.drain(Direction::ToServer)?;
            }
            if server_ready {
                self.drain(Direction::ToClient)?;
            }
        }
    }

    /// Reads every datagram waiting on the socket facing the sender of `direction`.
    fn drain(&mut self, direction: Direction) -> io::Result<()> {
        let mut buffer = vec![0u8; 65_536];
        loop {
            let socket = match direction {
                Direction::ToServer => &self.client_side,
                Direction::ToClient => &self.server_side,
            };
            let mut control = nix::cmsg_space!(TimeSpec);
            let mut iov = [IoSliceMut::new(&mut buffer)];
            let received = match recvmsg::<SockaddrStorage>(
                std::os::fd::AsRawFd::as_raw_fd(socket),
                &mut iov,
                Some(&mut control),
                MsgFlags::MSG_DONTWAIT,
            ) {
                Ok(message) => {
                    let wall = message.cmsgs().ok().and_then(|mut cmsgs| {
                        cmsgs.find_map(|cmsg| match cmsg {
                            ControlMessageOwned::ScmTimestampns(stamp) => Some(stamp),
                            _ => None,
                        })
                    });
                    Some((message.bytes, message.address, wall))
                }
                Err(Errno::EAGAIN) => None,
                // An ICMP error from an earlier send surfaces here; it is not a datagram.
                Err(Errno::ECONNREFUSED) | Err(Errno::EINTR) => continue,
                Err(error) => return Err(error.into()),
            };
            let Some((length, source, wall)) = received else {
                return Ok(());
            };
            let now = self.clock.now();
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
            if direction == Direction::ToServer {
                self.client_address = source.as_ref().and_then(socket_address);
            }
            self.accept(direction, received_at, buffer[..length].to_vec());
        }
    }

    /// Records one datagram, asks the link what to do with it, and schedules its copies.
    fn accept(&mut self, direction: Direction, received_at: Duration, bytes: Vec<u8>) {
        let decision = self.impairments[slot(direction)].decide(received_at, &bytes);
        self.counts[slot(direction)] += 1;
        let fate = match decision.dropped {
            Some(cause) => Fate::Dropped { cause },
            None => Fate::Delivered { copies: Vec::new() },
        };
        let event = WireEvent {
            direction,
            nth: self.counts[slot(direction)],
            order: self.next_order(received_at),
            received_at,
            bytes,
            fate,
        };
        if let Some(observer) = &mut self.observer {
            observer(&event, &decision);
        }
        let index = self.trace.events.len();
        self.trace.events.push(event);
        for copy in decision.copies {
            self.queue.push(received_at + copy.delay, (index, copy));
        }
    }

    /// Sends every copy whose delivery time has come, and records it in the trace.
    fn send_due(&mut self) -> io::Result<()> {
        while let Some(pending) = self.queue.pop_due(self.clock.now()) {
            let (index, copy) = pending.item;
            let direction = self.trace.events[index].direction;
            let (socket, destination) = match direction {
                Direction::ToServer => (&self.server_side, Some(self.target)),
                Direction::ToClient => (&self.client_side, self.client_address),
            };
            // A reply before the client ever sent has nowhere to go; it stays undelivered.
            let Some(destination) = destination else {
                continue;
            };
            match socket.send_to(&copy.bytes, destination) {
                Ok(_) => {}
                // The receiver is gone (its port is closed): the datagram is lost, as it
                // would be on a real network; the trace shows no delivered copy.
                Err(error) if error.kind() == io::ErrorKind::ConnectionRefused => continue,
                Err(error) if error.kind() == io::ErrorKind::WouldBlock => continue,
                Err(error) => return Err(error),
            }
            let sent_at = self.clock.now();
            let order = self.next_order(sent_at);
            let event = &mut self.trace.events[index];
            let altered_bytes = (copy.bytes != event.bytes).then_some(copy.bytes);
            if let Fate::Delivered { copies } = &mut event.fate {
                copies.push(DeliveredCopy {
                    order,
                    sent_at,
                    altered_bytes,
                    alterations: copy.alterations,
                });
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

fn socket_address(storage: &SockaddrStorage) -> Option<SocketAddr> {
    if let Some(v4) = storage.as_sockaddr_in() {
        return Some(SocketAddr::from((v4.ip(), v4.port())));
    }
    storage
        .as_sockaddr_in6()
        .map(|v6| SocketAddr::from((v6.ip(), v6.port())))
}
