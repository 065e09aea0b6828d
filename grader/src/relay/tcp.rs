//! The TCP relay: accepts the client's connections, opens one to the server for each,
//! and moves both byte streams through their shapers, recording every read, write, close
//! and reset.
//!
//! One thread waits (`ppoll`) on the listener, every connection's two sockets, a stop
//! pipe and the next time a shaper is due. Everything is non-blocking, so a program that
//! stops reading slows only its own connection.

use super::clock::ScenarioClock;
use super::server_backlog::ServerBacklog;
use super::stream_socket::{Accepted, RelayListener, RelayStream, ServerNetwork, start_connect};
use super::tcp_connection::{Ended, Pipe, RelayedConnection, new_record};
use super::tcp_record::{Keeping, Recorder};
use crate::evidence::trace::Unrecorded;
use crate::evidence::{Connection, ResetBy, WireTrace};
use crate::link::stream::{StreamShaper, StreamSides};
use crate::link::{Direction, seed::labelled_rng};
use nix::errno::Errno;
use nix::poll::{PollFd, PollFlags, ppoll};
use nix::sys::time::TimeSpec;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::os::fd::AsFd;
use std::os::unix::net::UnixStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
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
    closed: Arc<AtomicU32>,
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
        let closed = Arc::new(AtomicU32::new(0));
        let recorder = Recorder::new(clock, Arc::clone(&activity));
        let backlog = ServerBacklog::new(Arc::clone(&recorder.to_server_holding));
        let mut relay = TcpLoop {
            backlog: backlog.clone(),
            listener,
            plan,
            recorder,
            live: Vec::new(),
            finished: Vec::new(),
            opened: 0,
            closed: Arc::clone(&closed),
            observer,
        };
        let thread = std::thread::Builder::new()
            .name("tcp-relay".to_owned())
            .spawn(move || relay.run(wake_receiver))?;
        Ok(TcpRelay {
            listen_addr,
            wake,
            activity,
            closed,
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
        self.closed.load(Ordering::Relaxed)
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

struct TcpLoop {
    listener: RelayListener,
    backlog: ServerBacklog,
    plan: TcpRelayPlan,
    recorder: Recorder,
    live: Vec<RelayedConnection>,
    finished: Vec<Connection>,
    /// Connections accepted so far; the next one is `opened + 1`.
    opened: u32,
    closed: Arc<AtomicU32>,
    observer: Option<ConnectionObserver>,
}

const DIRECTIONS: [Direction; 2] = [Direction::ToServer, Direction::ToClient];

impl TcpLoop {
    fn run(&mut self, mut wake: UnixStream) -> io::Result<WireTrace> {
        // Timer slack is per thread; the default 50 µs would blur slice gaps and delays.
        let _ = nix::sys::prctl::set_timerslack(1);
        let mut buffer = vec![0u8; 64 * 1024];
        loop {
            for index in 0..self.live.len() {
                for direction in DIRECTIONS {
                    self.pump(index, direction);
                }
            }
            self.retire_finished();
            let timeout = self
                .live
                .iter()
                .flat_map(|connection| connection.pipes.iter().filter_map(Pipe::next_due))
                .min()
                .map(|due| TimeSpec::from_duration(due.saturating_sub(self.recorder.now())));
            let pool_open = self.holding() < HOLD_PER_RUN;
            let readiness = {
                let mut fds = vec![
                    PollFd::new(wake.as_fd(), PollFlags::POLLIN),
                    PollFd::new(self.listener.as_fd(), PollFlags::POLLIN),
                ];
                for connection in &self.live {
                    let [to_server, to_client] = &connection.pipes;
                    let mut client = PollFlags::empty();
                    let mut server = PollFlags::empty();
                    if connection.connecting {
                        server |= PollFlags::POLLOUT;
                    } else {
                        if pool_open && to_server.wants_read() {
                            client |= PollFlags::POLLIN;
                        }
                        if to_client.wants_write() {
                            client |= PollFlags::POLLOUT;
                        }
                        if pool_open && to_client.wants_read() {
                            server |= PollFlags::POLLIN;
                        }
                        if to_server.wants_write() {
                            server |= PollFlags::POLLOUT;
                        }
                    }
                    fds.push(PollFd::new(connection.client.as_fd(), client));
                    fds.push(PollFd::new(connection.server.as_fd(), server));
                }
                match ppoll(&mut fds, timeout, None) {
                    Ok(_) | Err(Errno::EINTR) => {}
                    Err(error) => return Err(error.into()),
                }
                fds.iter()
                    .map(|fd| fd.revents().unwrap_or(PollFlags::empty()))
                    .collect::<Vec<_>>()
            };
            if !readiness[0].is_empty() {
                let mut signals = [0u8; 16];
                let read = wake.read(&mut signals).unwrap_or(0);
                if read == 0 || signals[..read].contains(&b's') {
                    return Ok(self.stop());
                }
            }
            // Connections accepted below are polled from the next turn on; the readiness
            // of those polled now comes first.
            let polled = self.live.len();
            for index in 0..polled {
                let client = readiness[2 + 2 * index];
                let server = readiness[3 + 2 * index];
                self.serve(index, client, server, &mut buffer);
            }
            if !readiness[1].is_empty() {
                self.accept_all();
            }
        }
    }

    /// What every live connection holds between its sockets.
    fn holding(&self) -> usize {
        self.live
            .iter()
            .flat_map(|connection| &connection.pipes)
            .map(Pipe::holding)
            .sum()
    }

    /// Handles what `ppoll` said about one connection's two sockets.
    fn serve(&mut self, index: usize, client: PollFlags, server: PollFlags, buffer: &mut [u8]) {
        // Full since the poll: the senders wait (their sockets stay readable).
        let open = self.holding() < HOLD_PER_RUN;
        let connection = &mut self.live[index];
        if connection.record.reset.is_some() {
            return;
        }
        if connection.connecting {
            if !server.is_empty() {
                self.finish_connect(index);
            }
            return;
        }
        let readable = PollFlags::POLLIN | PollFlags::POLLHUP | PollFlags::POLLERR;
        let mut ended = None;
        if open && client.intersects(readable) {
            ended = ended.or(connection.read(Direction::ToServer, &mut self.recorder, buffer));
        }
        if open && server.intersects(readable) {
            ended = ended.or(connection.read(Direction::ToClient, &mut self.recorder, buffer));
        }
        if let Some(Ended::Reset(by)) = ended {
            connection.reset(by, &mut self.recorder);
        }
        // Writes are retried by the pump at the top of the loop.
    }

    fn pump(&mut self, index: usize, direction: Direction) {
        let connection = &mut self.live[index];
        if connection.record.reset.is_some() {
            return;
        }
        if let Some(Ended::Reset(by)) = connection.pump(direction, &mut self.recorder) {
            connection.reset(by, &mut self.recorder);
        }
    }

    /// Accepts every waiting client and starts connecting to the server for each.
    fn accept_all(&mut self) {
        loop {
            let Accepted {
                stream: client,
                dialed,
                client: peer,
            } = match self.listener.accept() {
                Ok(accepted) => accepted,
                Err(_) => return,
            };
            let now = self.recorder.now();
            let _ = self.recorder.mark(now);
            self.opened += 1;
            let nth = self.opened;
            if let Some(observer) = &mut self.observer {
                observer(nth);
            }
            let record = new_record(nth, now, dialed, peer);
            let kept_live = self
                .live
                .iter()
                .filter(|connection| connection.keeping == Keeping::Kept)
                .count();
            let keeping = self.recorder.admit(&mut self.finished, kept_live);
            if self.live.len() >= LIVE_LIMIT {
                let why = format!(
                    "the relay refused: it carries at most {LIVE_LIMIT} connections at once"
                );
                self.refuse(client, record, keeping, why);
                continue;
            }
            let server = client
                .set_nonblocking()
                .and_then(|()| client.set_nodelay())
                .and_then(|()| {
                    let from = self.plan.keep_client_port.then_some(peer);
                    start_connect(&self.plan.server_network, self.plan.target, from)
                });
            let server = match server {
                Ok(server) => {
                    let to_server = server.as_fd().try_clone_to_owned().ok();
                    if let Ok(from_client) = client.as_fd().try_clone_to_owned() {
                        self.backlog.watch(nth, from_client, to_server);
                    }
                    server
                }
                Err(error) => {
                    self.refuse(client, record, keeping, error.to_string());
                    continue;
                }
            };
            let shaper = |direction: Direction| {
                let label = format!("tcp/{nth}/{}", direction.name());
                StreamShaper::new(
                    self.plan.faults.direction(direction),
                    nth,
                    labelled_rng(
                        self.plan.seed.run_seed,
                        &self.plan.seed.scenario_key,
                        &label,
                    ),
                )
            };
            self.live.push(RelayedConnection {
                client,
                server,
                connecting: true,
                pipes: [
                    Pipe::new(shaper(Direction::ToServer)),
                    Pipe::new(shaper(Direction::ToClient)),
                ],
                record,
                keeping,
            });
        }
    }

    /// Ends a connection the relay cannot carry: the client is reset, and the record
    /// says why (`why` follows "for the n-th connection" in a report).
    fn refuse(
        &mut self,
        client: RelayStream,
        mut record: Connection,
        keeping: Keeping,
        why: String,
    ) {
        client.reset_on_close();
        record.unreachable = Some(why);
        record.reset = Some(ResetBy::Relay);
        record.closed_at = Some(record.opened_at);
        self.closed.fetch_add(1, Ordering::Relaxed);
        self.keep(record, keeping);
    }

    /// Files the record of a connection that is over, or only counts it.
    fn keep(&mut self, record: Connection, keeping: Keeping) {
        match keeping {
            // Its slot was reserved when it opened.
            Keeping::Kept => self.finished.push(record),
            Keeping::Counted => self.recorder.unrecorded_connections += 1,
        }
    }

    /// The server's side finished connecting, or failed to.
    fn finish_connect(&mut self, index: usize) {
        let connection = &mut self.live[index];
        match connection.server.connect_error() {
            Ok(0) => {
                connection.connecting = false;
                let _ = connection.server.set_nodelay();
            }
            result => {
                let errno = match result {
                    Ok(code) => Errno::from_raw(code),
                    Err(errno) => errno,
                };
                connection.record.unreachable = Some(format!(
                    "the server refused the relay's connection to {}: {}",
                    self.plan.target,
                    errno.desc()
                ));
                connection.client.reset_on_close();
                let now = self.recorder.now();
                connection.record.reset = Some(ResetBy::Relay);
                connection.record.closed_at = Some(now);
            }
        }
    }

    /// Moves connections that are over from `live` to `finished`, closing their sockets.
    fn retire_finished(&mut self) {
        let now = self.recorder.now();
        let mut index = 0;
        while index < self.live.len() {
            if self.live[index].is_done() {
                let mut connection = self.live.remove(index);
                self.backlog.forget(connection.record.nth);
                if connection.record.closed_at.is_none() {
                    let mark = self.recorder.mark(now);
                    connection.record.closed_at = Some(mark.at);
                }
                self.keep(connection.record, connection.keeping);
                self.closed.fetch_add(1, Ordering::Relaxed);
            } else {
                index += 1;
            }
        }
    }

    /// Ends the run: connections still open are recorded as they stand.
    fn stop(&mut self) -> WireTrace {
        self.backlog.forget_all();
        for connection in std::mem::take(&mut self.live) {
            self.keep(connection.record, connection.keeping);
        }
        let mut connections = std::mem::take(&mut self.finished);
        connections.sort_by_key(|connection| connection.nth);
        WireTrace {
            connections,
            unrecorded: Unrecorded {
                connections: self.recorder.unrecorded_connections,
                ..Unrecorded::default()
            },
            ..WireTrace::default()
        }
    }
}

#[cfg(test)]
#[path = "tcp_tests.rs"]
mod tests;
