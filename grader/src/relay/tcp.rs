//! The TCP relay: accepts the client's connections, opens one to the server for each,
//! in order and one at a time as the server takes them (see [`super::admission`]), and
//! moves both byte streams through their shapers, recording every read, write, close and
//! reset.
//!
//! One thread ([`super::tcp_loop`]) waits (`ppoll`) on the listener, every connection's
//! sockets, a stop pipe and the next time a shaper or the admission is due. Everything is
//! non-blocking, so a program that stops reading slows only its own connection.

use super::clock::ScenarioClock;
use super::server_backlog::ServerBacklog;
use super::stream_socket::{RelayListener, ServerNetwork};
use super::tcp_loop::{Counters, TcpLoop};
use super::tcp_record::Recorder;
use crate::evidence::WireTrace;
use crate::link::stream::StreamSides;
use std::io::{self, Write};
use std::net::{SocketAddr, TcpListener};
use std::os::unix::net::UnixStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

/// Bytes all the connections of a run may hold between their sockets at once; past it the
/// relay reads from no sender until some are delivered, so a program writing into many
/// connections its peer does not read is slowed by TCP's flow control, not buffered.
pub const HOLD_PER_RUN: usize = 8 << 20;
/// Connections the relay carries at once; one more is accepted and reset at once (its
/// record says why). Far more than any assignment opens together, few enough that the
/// grader's descriptors (four per connection) and memory stay bounded.
pub const LIVE_LIMIT: usize = 200;

/// Called with the number of connections opened so far, each time one opens (progress
/// on long runs).
pub type ConnectionObserver = Box<dyn FnMut(u32) + Send>;

/// Where the random streams of a run's shapers come from: each connection and direction
/// gets its own, so a replayed run slices the same way whatever else happened.
#[derive(Clone, Debug)]
pub struct ShaperSeed {
    pub run_seed: u64,
    pub scenario_key: String,
}

/// What one relay carries: where it listens, where the server is, and the faults.
#[derive(Clone, Debug)]
pub struct TcpRelayPlan {
    /// Where clients connect; port 0 picks a free one.
    pub listen: SocketAddr,
    /// The server's listening address.
    pub target: SocketAddr,
    pub faults: StreamSides,
    pub seed: ShaperSeed,
    /// Connect to the server from the client's own port where it is free (transparent
    /// and preload modes: the server then sees the address the client really used).
    pub keep_client_port: bool,
    /// How the server is reached: over TCP, or through its socket_wrapper directory.
    pub server_network: ServerNetwork,
}

/// A running TCP relay; [`TcpRelay::stop`] ends it and returns the connections.
#[derive(Debug)]
pub struct TcpRelay {
    listen_addr: SocketAddr,
    wake: UnixStream,
    activity: Arc<AtomicU64>,
    counters: Counters,
    backlog: ServerBacklog,
    thread: JoinHandle<io::Result<WireTrace>>,
}

impl TcpRelay {
    /// Binds the listener (in the calling thread's network namespace, which the relay's
    /// own thread inherits) and starts relaying.
    pub fn start(
        plan: TcpRelayPlan,
        clock: ScenarioClock,
        observer: Option<ConnectionObserver>,
    ) -> io::Result<TcpRelay> {
        let listener = TcpListener::bind(plan.listen)?;
        TcpRelay::start_on(RelayListener::Tcp(listener), plan, clock, observer)
    }

    /// Relays the connections of a listener bound elsewhere (transparent mode: in the
    /// client's network namespace; preload mode: in the client's socket_wrapper
    /// directory), connecting to the server from the calling thread's namespace, which the
    /// relay's thread inherits, or through `plan.server_network`. `plan.listen` is not
    /// used.
    pub fn start_on(
        listener: RelayListener,
        plan: TcpRelayPlan,
        clock: ScenarioClock,
        observer: Option<ConnectionObserver>,
    ) -> io::Result<TcpRelay> {
        listener.set_nonblocking()?;
        let listen_addr = listener.local_addr()?;
        let (wake, wake_receiver) = UnixStream::pair()?;
        let activity = Arc::new(AtomicU64::new(0));
        let counters = Counters::default();
        let recorder = Recorder::new(clock, Arc::clone(&activity));
        let backlog = ServerBacklog::new(Arc::clone(&recorder.to_server_holding));
        let mut relay = TcpLoop::new(
            listener,
            backlog.clone(),
            plan,
            recorder,
            counters.clone(),
            observer,
        );
        let thread = std::thread::Builder::new()
            .name("tcp-relay".to_owned())
            .spawn(move || relay.run(wake_receiver))?;
        Ok(TcpRelay {
            listen_addr,
            wake,
            activity,
            counters,
            backlog,
            thread,
        })
    }

    /// The address clients connect to.
    pub fn listen_addr(&self) -> SocketAddr {
        self.listen_addr
    }

    /// A handle that tells whether the relay holds no client bytes for the server (all
    /// it read is written on, and, on Unix streams, read by the server).
    pub fn holding(&self) -> ServerBacklog {
        self.backlog.clone()
    }

    /// How many connections are over (both sides closed, or reset).
    pub fn connections_closed(&self) -> u32 {
        self.counters.closed.load(Ordering::SeqCst)
    }

    /// Whether the relay holds something it has not passed on: a connection the client
    /// opened that has not reached the server yet, bytes read and not written on, or an
    /// end of stream not yet passed on. A run is not quiet while it does.
    pub fn holds_undelivered(&self) -> bool {
        self.counters.undelivered.load(Ordering::SeqCst) > 0
    }

    /// When the relay last read, wrote or saw a close, since the scenario started.
    pub fn last_activity(&self) -> Option<Duration> {
        match self.activity.load(Ordering::Relaxed) {
            0 => None,
            micros => Some(Duration::from_micros(micros - 1)),
        }
    }

    /// Stops relaying and returns every connection, in the order they were opened, and
    /// how many were relayed but only counted.
    pub fn stop(self) -> io::Result<WireTrace> {
        // A failed write means the thread is already gone; join reports why.
        let _ = (&self.wake).write_all(b"s");
        self.thread
            .join()
            .map_err(|_| io::Error::other("the tcp relay thread panicked"))?
    }
}

#[cfg(test)]
#[path = "tcp_tests.rs"]
mod tests;
