//! One TCP connection through the relay: the client's socket, the server's (once the
//! connection's turn has come, see [`super::admission`]), and a shaper per direction
//! between them, with everything recorded as it happens.

use super::stream_socket::RelayStream;
use super::tcp_record::{Keeping, Recorder};
use crate::evidence::{Connection, ResetBy, StreamRecord};
use crate::link::Direction;
use crate::link::stream::{Action, StreamShaper};
use nix::poll::PollFlags;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr};
use std::time::Duration;

/// Bytes a shaper may hold before the relay stops reading from its sender: TCP's own
/// flow control then slows the sender down, as a slow network would. (All the pipes of a
/// run together hold at most [`super::tcp::HOLD_PER_RUN`].)
const HOLD_LIMIT: usize = 4 << 20;
/// Bytes read from a socket at once.
const READ_SIZE: usize = 64 * 1024;

/// One direction: what the sender wrote, the shaper, and a segment part-written.
#[derive(Debug)]
pub struct Pipe {
    pub shaper: StreamShaper,
    /// The rest of the segment the receiver's socket could not take yet.
    unwritten: Vec<u8>,
    /// Whether the sender may still send (no FIN, no error).
    reading: bool,
}

impl Pipe {
    pub fn new(shaper: StreamShaper) -> Pipe {
        Pipe {
            shaper,
            unwritten: Vec::new(),
            reading: true,
        }
    }

    /// Whether the relay should read from this pipe's sender now.
    pub fn wants_read(&self) -> bool {
        self.reading && self.shaper.held() < HOLD_LIMIT
    }

    /// What this direction holds between its two sockets: the shaper's bytes and the
    /// segment part-written.
    pub fn holding(&self) -> usize {
        self.shaper.held() + self.unwritten.capacity()
    }

    /// Whether a write is waiting for the receiver's socket to have room.
    pub fn wants_write(&self) -> bool {
        !self.unwritten.is_empty()
    }

    /// When the shaper next has something to do (only once the last segment is out).
    pub fn next_due(&self) -> Option<Duration> {
        if self.unwritten.is_empty() {
            self.shaper.next_due()
        } else {
            None
        }
    }

    /// Whether nothing more will pass this way.
    pub fn is_done(&self) -> bool {
        self.shaper.is_finished() && self.unwritten.is_empty()
    }

    /// Whether the relay holds something of this direction it has not passed on: bytes,
    /// or the sender's end of stream.
    pub fn holds_undelivered(&self) -> bool {
        !self.is_done() && (self.shaper.held() > 0 || !self.unwritten.is_empty() || !self.reading)
    }
}

/// How a step on a connection ended it, if it did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ended {
    /// Reset, by a program or by a fault: both sockets are closed with an RST.
    Reset(ResetBy),
}

/// A connection between the client and the server, through the relay.
#[derive(Debug)]
pub struct RelayedConnection {
    pub client: RelayStream,
    /// The relay's socket to the server: `None` while the connection is kept in the relay
    /// for its turn.
    pub server: Option<RelayStream>,
    /// The server's side is still connecting (non-blocking connect in progress).
    pub connecting: bool,
    /// The server's address and the relay's own end of its connection to it, once
    /// connected over TCP (what the kernel is asked about, see [`super::accept_probe`]).
    pub server_ends: Option<(SocketAddr, SocketAddr)>,
    pub pipes: [Pipe; 2],
    pub record: Connection,
    /// Whether `record` is kept once the connection is over, or the connection only
    /// counted.
    pub keeping: Keeping,
}

/// What to ask `ppoll` about one connection's two sockets; `None` leaves a socket out
/// (an error or hang-up is reported whatever is asked, so a socket with nothing to be
/// waited for is not polled at all).
#[derive(Clone, Copy, Debug)]
pub struct Interest {
    pub client: Option<PollFlags>,
    pub server: Option<PollFlags>,
}

impl RelayedConnection {
    /// A connection just accepted from the client, kept until its turn.
    pub fn held(
        client: RelayStream,
        pipes: [Pipe; 2],
        record: Connection,
        keeping: Keeping,
    ) -> RelayedConnection {
        RelayedConnection {
            client,
            server: None,
            connecting: false,
            server_ends: None,
            pipes,
            record,
            keeping,
        }
    }

    /// Whether bytes flow: the server's side has connected.
    pub fn is_through(&self) -> bool {
        self.server.is_some() && !self.connecting
    }

    /// What to wait for on each socket; `may_read` is false while the run's connections
    /// together hold all they may ([`super::tcp::HOLD_PER_RUN`]): the senders then wait.
    pub fn interest(&self, may_read: bool) -> Interest {
        if !self.is_through() {
            // The client's bytes stay in the relay's socket, unread, until the server has
            // the connection; a reset meanwhile is found when they are read.
            let server = self.server.as_ref().map(|_| PollFlags::POLLOUT);
            return Interest {
                client: None,
                server,
            };
        }
        let [to_server, to_client] = &self.pipes;
        let mut client = PollFlags::empty();
        let mut server = PollFlags::empty();
        if may_read && to_server.wants_read() {
            client |= PollFlags::POLLIN;
        }
        if to_client.wants_write() {
            client |= PollFlags::POLLOUT;
        }
        if may_read && to_client.wants_read() {
            server |= PollFlags::POLLIN;
        }
        if to_server.wants_write() {
            server |= PollFlags::POLLOUT;
        }
        Interest {
            client: Some(client),
            server: Some(server),
        }
    }

    /// Whether the relay holds something of this connection it has not passed on.
    pub fn holds_undelivered(&self) -> bool {
        self.record.reset.is_none()
            && (!self.is_through() || self.pipes.iter().any(Pipe::holds_undelivered))
    }

    /// The socket a direction reads from and the one it writes to, once both exist.
    fn ends(&self, direction: Direction) -> Option<(&RelayStream, &RelayStream)> {
        let server = self.server.as_ref()?;
        Some(match direction {
            Direction::ToServer => (&self.client, server),
            Direction::ToClient => (server, &self.client),
        })
    }

    fn pipe_index(direction: Direction) -> usize {
        match direction {
            Direction::ToServer => 0,
            Direction::ToClient => 1,
        }
    }

    /// Reads what the sender of `direction` has written, into its shaper and the record.
    pub fn read(
        &mut self,
        direction: Direction,
        recorder: &mut Recorder,
        buffer: &mut [u8],
    ) -> Option<Ended> {
        let index = Self::pipe_index(direction);
        if !self.pipes[index].reading || !self.is_through() {
            return None;
        }
        let (mut source, _) = self.ends(direction)?;
        let size = READ_SIZE.min(buffer.len());
        let read = source.read(&mut buffer[..size]);
        let now = recorder.now();
        match read {
            Ok(0) => {
                let mark = recorder.mark(now);
                let pipe = &mut self.pipes[index];
                pipe.reading = false;
                pipe.shaper.receive_end(now);
                self.record.direction_mut(direction).ended = Some(mark);
                None
            }
            Ok(length) => {
                if direction == Direction::ToServer && !self.pipes[index].shaper.is_finished() {
                    recorder
                        .to_server_holding
                        .fetch_add(length as u64, std::sync::atomic::Ordering::SeqCst);
                }
                let bytes = &buffer[..length];
                let stream = self.record.direction_mut(direction);
                recorder.record_read(stream, self.keeping, now, bytes);
                let shaper = &mut self.pipes[index].shaper;
                shaper.receive(now, bytes);
                // Bytes read after a cut closed the direction are discarded as they come;
                // the count taken at the close would leave them out.
                stream.discarded = shaper.discarded();
                None
            }
            Err(error) if is_transient(&error) => None,
            // The sender reset its side (or the socket failed): the connection is over.
            Err(_) => Some(Ended::Reset(sender_of(direction))),
        }
    }

    /// Performs whatever the shaper of `direction` has due, writing as much as the
    /// receiver's socket takes.
    pub fn pump(&mut self, direction: Direction, recorder: &mut Recorder) -> Option<Ended> {
        if !self.is_through() {
            return None;
        }
        let index = Self::pipe_index(direction);
        loop {
            if !self.pipes[index].unwritten.is_empty() {
                let unwritten = std::mem::take(&mut self.pipes[index].unwritten);
                match self.write(direction, recorder, &unwritten) {
                    Ok(written) if written < unwritten.len() => {
                        self.pipes[index].unwritten = unwritten[written..].to_vec();
                        return None;
                    }
                    Ok(_) => {}
                    Err(ended) => return Some(ended),
                }
            }
            let now = recorder.now();
            match self.pipes[index].shaper.poll(now) {
                None => return None,
                Some(Action::Write(segment)) => {
                    self.pipes[index].unwritten = segment;
                }
                Some(Action::Close) => {
                    let (_, receiver) = self.ends(direction)?;
                    // The receiver may already be gone; its FIN is then moot.
                    let _ = receiver.shutdown(Shutdown::Write);
                    let mark = recorder.mark(now);
                    let stream = self.record.direction_mut(direction);
                    stream.closed = Some(mark);
                    stream.discarded = self.pipes[index].shaper.discarded();
                    return None;
                }
                Some(Action::Reset) => {
                    let stream = self.record.direction_mut(direction);
                    stream.discarded = self.pipes[index].shaper.discarded();
                    return Some(Ended::Reset(ResetBy::Relay));
                }
            }
        }
    }

    /// Writes `bytes` to the receiver of `direction`; returns how many it took.
    fn write(
        &mut self,
        direction: Direction,
        recorder: &mut Recorder,
        bytes: &[u8],
    ) -> Result<usize, Ended> {
        let Some((_, mut receiver)) = self.ends(direction) else {
            return Ok(0);
        };
        match receiver.write(bytes) {
            Ok(written) => {
                if direction == Direction::ToServer {
                    // Saturating: bytes a fault threw away were counted in, never out.
                    let _ = recorder.to_server_holding.fetch_update(
                        std::sync::atomic::Ordering::SeqCst,
                        std::sync::atomic::Ordering::SeqCst,
                        |held| Some(held.saturating_sub(written as u64)),
                    );
                }
                let now = recorder.now();
                let stream = self.record.direction_mut(direction);
                recorder.record_write(stream, self.keeping, now, written);
                Ok(written)
            }
            Err(error) if is_transient(&error) => Ok(0),
            // The receiver is gone (reset, or closed while bytes were still coming).
            Err(_) => Err(Ended::Reset(receiver_of(direction))),
        }
    }

    /// Ends the connection with an RST to both programs.
    pub fn reset(&mut self, by: ResetBy, recorder: &mut Recorder) {
        for socket in std::iter::once(&self.client).chain(&self.server) {
            socket.reset_on_close();
        }
        for pipe in &mut self.pipes {
            pipe.reading = false;
            pipe.unwritten.clear();
        }
        self.record.reset = Some(by);
        self.record.closed_at = Some(recorder.now());
    }

    /// Whether both directions are over.
    pub fn is_done(&self) -> bool {
        self.record.reset.is_some() || self.pipes.iter().all(Pipe::is_done)
    }
}

/// A fresh record of a connection just accepted.
pub fn new_record(
    nth: u32,
    opened_at: Duration,
    dialed: std::net::SocketAddr,
    client: std::net::SocketAddr,
) -> Connection {
    Connection {
        nth,
        opened_at,
        connected_at: None,
        accepted_at: None,
        client_waited_until: None,
        dialed,
        client,
        unreachable: None,
        to_server: StreamRecord::new(),
        to_client: StreamRecord::new(),
        closed_at: None,
        reset: None,
    }
}

fn is_transient(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted
    )
}

fn sender_of(direction: Direction) -> ResetBy {
    match direction {
        Direction::ToServer => ResetBy::Client,
        Direction::ToClient => ResetBy::Server,
    }
}

fn receiver_of(direction: Direction) -> ResetBy {
    match direction {
        Direction::ToServer => ResetBy::Server,
        Direction::ToClient => ResetBy::Client,
    }
}
