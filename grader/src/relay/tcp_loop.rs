//! The TCP relay's thread: one `ppoll` loop over the listener, every connection's sockets
//! and a stop pipe, which accepts the client's connections, lets them through to the
//! server in order as [`Admission`] says, and pumps their bytes.

use super::accept_probe::{AcceptProbe, Holder};
use super::admission::{Admission, Step, TakenWhen};
use super::server_backlog::ServerBacklog;
use super::stream_socket::{
    Accepted, RelayListener, RelayStream, ServerNetwork, canonical, reached_at, start_connect,
};
use super::tcp::{ConnectionObserver, HOLD_PER_RUN, LIVE_LIMIT, TcpRelayPlan};
use super::tcp_connection::{Ended, Interest, Pipe, RelayedConnection, new_record};
use super::tcp_record::{Keeping, Recorder};
use crate::evidence::trace::Unrecorded;
use crate::evidence::{Connection, ResetBy, WireTrace};
use crate::link::stream::StreamShaper;
use crate::link::{Direction, seed::labelled_rng};
use nix::errno::Errno;
use nix::poll::{PollFd, PollFlags, ppoll};
use nix::sys::time::TimeSpec;
use std::io::{self, Read};
use std::os::fd::AsFd;
use std::os::unix::net::UnixStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

/// What the relay's thread tells the rest of the run while it goes on.
#[derive(Clone, Debug, Default)]
pub struct Counters {
    /// Connections over (both sides closed, or reset).
    pub closed: Arc<AtomicU32>,
    /// Connections of which the relay holds something not passed on (see
    /// [`RelayedConnection::holds_undelivered`]), as of the loop's last turn.
    pub undelivered: Arc<AtomicU32>,
}

pub struct TcpLoop {
    listener: RelayListener,
    backlog: ServerBacklog,
    plan: TcpRelayPlan,
    recorder: Recorder,
    /// Connections not over, in the order they were accepted.
    live: Vec<RelayedConnection>,
    finished: Vec<Connection>,
    admission: Admission,
    /// Asks the kernel whether the server has accepted a connection; `None` where it
    /// cannot (Unix sockets, no sock_diag).
    probe: Option<AcceptProbe>,
    /// Connections accepted so far; the next one is `opened + 1`.
    opened: u32,
    counters: Counters,
    observer: Option<ConnectionObserver>,
}

const DIRECTIONS: [Direction; 2] = [Direction::ToServer, Direction::ToClient];

/// Which of a connection's sockets a `ppoll` entry is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Side {
    Client,
    Server,
}

impl TcpLoop {
    pub fn new(
        listener: RelayListener,
        backlog: ServerBacklog,
        plan: TcpRelayPlan,
        recorder: Recorder,
        counters: Counters,
        observer: Option<ConnectionObserver>,
    ) -> TcpLoop {
        TcpLoop {
            listener,
            backlog,
            plan,
            recorder,
            live: Vec::new(),
            finished: Vec::new(),
            admission: Admission::new(TakenWhen::Connected),
            probe: None,
            opened: 0,
            counters,
            observer,
        }
    }

    /// Relays until told to stop through `wake`; returns every connection (and how many
    /// were only counted).
    pub fn run(&mut self, mut wake: UnixStream) -> io::Result<WireTrace> {
        // Timer slack is per thread; the default 50 µs would blur slice gaps and delays.
        let _ = nix::sys::prctl::set_timerslack(1);
        // Opened here, in the thread's network namespace: the server's.
        self.probe = match self.plan.server_network {
            ServerNetwork::Tcp => AcceptProbe::open().ok(),
            ServerNetwork::SocketDir(_) => None,
        };
        if self.probe.is_some() {
            self.admission = Admission::new(TakenWhen::Accepted);
        }
        let mut buffer = vec![0u8; 64 * 1024];
        loop {
            for index in 0..self.live.len() {
                for direction in DIRECTIONS {
                    self.pump(index, direction);
                }
            }
            self.retire_finished();
            self.admit();
            self.publish_holding();
            let now = self.recorder.now();
            let timeout = self
                .live
                .iter()
                .flat_map(|connection| connection.pipes.iter().filter_map(Pipe::next_due))
                .chain(self.admission.next_due())
                .min()
                .map(|due| TimeSpec::from_duration(due.saturating_sub(now)));
            let mut fds = vec![
                PollFd::new(wake.as_fd(), PollFlags::POLLIN),
                PollFd::new(self.listener.as_fd(), PollFlags::POLLIN),
            ];
            let mut polled = Vec::new();
            let may_read = self.holding() < HOLD_PER_RUN;
            for (index, connection) in self.live.iter().enumerate() {
                let Interest { client, server } = connection.interest(may_read);
                if let Some(flags) = client {
                    fds.push(PollFd::new(connection.client.as_fd(), flags));
                    polled.push((index, Side::Client));
                }
                if let (Some(flags), Some(socket)) = (server, &connection.server) {
                    fds.push(PollFd::new(socket.as_fd(), flags));
                    polled.push((index, Side::Server));
                }
            }
            match ppoll(&mut fds, timeout, None) {
                Ok(_) | Err(Errno::EINTR) => {}
                Err(error) => return Err(error.into()),
            }
            let readiness: Vec<PollFlags> = fds
                .iter()
                .map(|fd| fd.revents().unwrap_or(PollFlags::empty()))
                .collect();
            drop(fds);
            if !readiness[0].is_empty() {
                let mut signals = [0u8; 16];
                let read = wake.read(&mut signals).unwrap_or(0);
                if read == 0 || signals[..read].contains(&b's') {
                    return Ok(self.stop());
                }
            }
            // Connections accepted below are polled from the next turn on; the readiness
            // of those polled now comes first.
            let mut flags = vec![(PollFlags::empty(), PollFlags::empty()); self.live.len()];
            for (&(index, side), revents) in polled.iter().zip(&readiness[2..]) {
                match side {
                    Side::Client => flags[index].0 = *revents,
                    Side::Server => flags[index].1 = *revents,
                }
            }
            for (index, (client, server)) in flags.into_iter().enumerate() {
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
        if self.live[index].record.reset.is_some() {
            return;
        }
        if !self.live[index].is_through() {
            if self.live[index].connecting && !server.is_empty() {
                self.finish_connect(index);
            }
            return;
        }
        let connection = &mut self.live[index];
        let readable = PollFlags::POLLIN | PollFlags::POLLHUP | PollFlags::POLLERR;
        let mut ended = None;
        if open && client.intersects(readable) {
            ended = ended.or(connection.read(Direction::ToServer, &mut self.recorder, buffer));
        }
        if open && server.intersects(readable) {
            let had_ended = connection.record.to_client.ended.is_some();
            ended = ended.or(connection.read(Direction::ToClient, &mut self.recorder, buffer));
            if let (false, Some(end)) = (had_ended, connection.record.to_client.ended) {
                self.note_client_waiting(index, end.at);
            }
        }
        let connection = &mut self.live[index];
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

    /// The server's end of stream reached the relay at `at`, not yet passed on: if the
    /// client's program still holds its socket, it is waiting for it, and its own time for
    /// the transfer lasts at least until then. (Asked before the end is passed on: a client
    /// socket that receives it after its own end goes to TIME-WAIT, which no longer shows
    /// whether the program holds it.) Only in relay mode, where the client dials the
    /// relay in the relay's own network namespace; where the relay stands in for the
    /// server elsewhere, it connects from the client's own port, and a lookup by the
    /// client's addresses could find the relay's own socket.
    fn note_client_waiting(&mut self, index: usize, at: Duration) {
        if self.plan.keep_client_port {
            return;
        }
        let record = &mut self.live[index].record;
        let (Some(probe), client, dialed) = (&mut self.probe, record.client, record.dialed) else {
            return;
        };
        if let Ok(Holder::Program) = probe.holder(client, dialed) {
            record.client_waited_until = Some(at);
        }
    }

    /// Accepts every waiting client; each is kept until the admission lets it through.
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
            if let Err(error) = client.set_nonblocking().and_then(|()| client.set_nodelay()) {
                self.refuse(client, record, keeping, error.to_string());
                continue;
            }
            if let Ok(from_client) = client.as_fd().try_clone_to_owned() {
                self.backlog.watch(nth, from_client);
            }
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
            let pipes = [
                Pipe::new(shaper(Direction::ToServer)),
                Pipe::new(shaper(Direction::ToClient)),
            ];
            self.live
                .push(RelayedConnection::held(client, pipes, record, keeping));
            self.admission.arrived(nth);
        }
    }

    /// Does what the admission says is due: start the next connection towards the
    /// server, or ask whether the server has accepted the one before.
    fn admit(&mut self) {
        while let Some(step) = self.admission.poll(self.recorder.now()) {
            match step {
                Step::Connect(nth) => self.start_connect(nth),
                Step::Probe(nth) => self.probe(nth),
            }
        }
    }

    fn start_connect(&mut self, nth: u32) {
        let Some(index) = self.index_of(nth) else {
            self.admission.ended(nth);
            return;
        };
        let from = self
            .plan
            .keep_client_port
            .then_some(self.live[index].record.client);
        let target = reached_at(self.plan.target, self.live[index].record.dialed);
        match start_connect(&self.plan.server_network, target, from) {
            Ok(server) => {
                let connection = &mut self.live[index];
                connection.server = Some(server);
                connection.connecting = true;
            }
            Err(error) if error.kind() == io::ErrorKind::WouldBlock => {
                self.admission.queue_full(nth, self.recorder.now());
            }
            Err(error) => self.fail(index, error.to_string()),
        }
    }

    /// The server's side finished connecting, or failed to.
    fn finish_connect(&mut self, index: usize) {
        let connection = &mut self.live[index];
        let Some(server) = &connection.server else {
            return;
        };
        let nth = connection.record.nth;
        let target = reached_at(self.plan.target, connection.record.dialed);
        match server.connect_error() {
            Ok(0) => {
                connection.connecting = false;
                let _ = server.set_nodelay();
                let now = self.recorder.now();
                let _ = self.recorder.mark(now);
                connection.record.connected_at = Some(now);
                // Kept now: once both sides have closed, the socket no longer says.
                connection.server_ends = match server {
                    RelayStream::Tcp(stream) => stream
                        .local_addr()
                        .ok()
                        .map(|relay| (target, canonical(relay))),
                    RelayStream::Unix { .. } => None,
                };
                if let Ok(to_server) = server.as_fd().try_clone_to_owned() {
                    self.backlog.reached_server(nth, to_server);
                }
                self.admission.connected(nth, now);
            }
            result => {
                let errno = match result {
                    Ok(code) => Errno::from_raw(code),
                    Err(errno) => errno,
                };
                let why = format!(
                    "the server refused the relay's connection to {target}: {}",
                    errno.desc()
                );
                self.fail(index, why);
            }
        }
    }

    /// Asks the kernel whether the server's program has accepted connection `nth`.
    fn probe(&mut self, nth: u32) {
        let Some(index) = self.index_of(nth) else {
            self.admission.ended(nth);
            return;
        };
        let holder = match (&mut self.probe, self.live[index].server_ends) {
            (Some(probe), Some((server, relay))) => probe.holder(server, relay),
            _ => Err(io::Error::other("no sock_diag for this connection")),
        };
        match holder {
            Ok(holder) => {
                if holder == Holder::Program {
                    let now = self.recorder.now();
                    self.live[index].record.accepted_at = Some(now);
                }
                self.admission.probed(nth, holder);
            }
            // The kernel would not say (or the connection is already gone): connected
            // counts as taken from now on, rather than holding every later connection.
            Err(_) => self.admission.cannot_probe(nth),
        }
    }

    /// Connection `index` could not reach the server: the client is reset, as it would
    /// have been refused, and the reason is kept for the report; it is retired with the
    /// next connections that are over.
    fn fail(&mut self, index: usize, why: String) {
        let now = self.recorder.now();
        let connection = &mut self.live[index];
        connection.client.reset_on_close();
        connection.server = None;
        connection.connecting = false;
        unreachable(&mut connection.record, why, now);
        self.admission.ended(connection.record.nth);
    }

    fn index_of(&self, nth: u32) -> Option<usize> {
        self.live
            .iter()
            .position(|connection| connection.record.nth == nth)
    }

    /// Tells the run how many connections the relay holds something of.
    fn publish_holding(&self) {
        let holding = self
            .live
            .iter()
            .filter(|connection| connection.holds_undelivered())
            .count();
        self.counters
            .undelivered
            .store(u32::try_from(holding).unwrap_or(u32::MAX), Ordering::SeqCst);
    }

    /// Moves connections that are over from `live` to `finished`, closing their sockets.
    fn retire_finished(&mut self) {
        let now = self.recorder.now();
        let mut index = 0;
        while index < self.live.len() {
            if self.live[index].is_done() {
                let mut connection = self.live.remove(index);
                self.backlog.forget(connection.record.nth);
                self.admission.ended(connection.record.nth);
                if connection.record.closed_at.is_none() {
                    let mark = self.recorder.mark(now);
                    connection.record.closed_at = Some(mark.at);
                }
                self.keep(connection.record, connection.keeping);
                self.counters.closed.fetch_add(1, Ordering::SeqCst);
            } else {
                index += 1;
            }
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
        let opened = record.opened_at;
        unreachable(&mut record, why, opened);
        self.counters.closed.fetch_add(1, Ordering::SeqCst);
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

    /// Ends the run: connections still open are recorded as they stand.
    fn stop(&mut self) -> WireTrace {
        self.backlog.forget_all();
        self.counters.undelivered.store(0, Ordering::SeqCst);
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

/// Marks `record` as a connection that could not reach the server, for `why`.
fn unreachable(record: &mut Connection, why: String, now: Duration) {
    record.unreachable = Some(why);
    record.reset = Some(ResetBy::Relay);
    record.closed_at = Some(now);
}
