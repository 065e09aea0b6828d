//! The `reference tcp-lines server` socket loop: accepts one connection, saves each
//! message as `k.txt`, answers it with `A`, and answers the zero-line message with `Q`
//! and a close.

use std::fs;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;

use super::decoder::{DecodeError, Decoded, MessageDecoder};
use super::defect::ServerDefect;
use super::error::PeerError;
use super::event::Event;
use super::message::{Message, Status};
use super::one_recv::{LINE_RECV_LEN, OneRecvReader};
use crate::address::resolve;
use crate::defects::Defects;
use crate::socket_error::SocketError;

/// A tcp-lines server listening for its one client.
#[derive(Debug)]
pub struct Server {
    listener: TcpListener,
    local: SocketAddr,
    dir: PathBuf,
    defects: Defects<ServerDefect>,
}

/// How [`Server::run`] left the connection.
#[derive(Debug)]
pub enum Finish {
    /// The textbook: the connection is closed after the `Q`.
    Closed,
    /// The `no-close` defect: the connection, still open, for the caller to hold until it
    /// is killed ([`hold_until_killed`]).
    KeptOpen(TcpStream),
}

impl Server {
    /// Listens on `host:port` (port 0 picks a free one), to save files in `dir`.
    pub fn bind(
        host: &str,
        port: u16,
        dir: impl Into<PathBuf>,
        defects: &[ServerDefect],
    ) -> Result<Self, PeerError> {
        let dir = dir.into();
        // Checked now, so that a wrong --dir fails before a client has typed anything.
        if let Err(source) = fs::read_dir(&dir) {
            return Err(PeerError::Directory { dir, source });
        }
        let requested = resolve(host, port)?;
        let listener = TcpListener::bind(requested).map_err(|source| SocketError::Listen {
            local: requested,
            source,
        })?;
        // The real port when 0 was asked for.
        let local = listener.local_addr().unwrap_or(requested);
        Ok(Server {
            listener,
            local,
            dir,
            defects: Defects::new(defects),
        })
    }

    /// The address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }

    /// Accepts one connection and serves it until the zero-line message, one line per
    /// message on `out`. The end of the stream before that message is an error.
    pub fn run<W: Write + ?Sized>(&mut self, out: &mut W) -> Result<Finish, PeerError> {
        let (mut stream, peer) = self
            .listener
            .accept()
            .map_err(|source| SocketError::Accept {
                local: self.local,
                source,
            })?;
        // Best effort: without it a status byte may wait for the ACK of the previous one.
        let _ = stream.set_nodelay(true);
        let mut reader = Reader::new(&self.defects);
        let mut buffer = vec![0; LINE_RECV_LEN];
        let mut saved = 0;
        loop {
            let want = reader.recv_len();
            let len = receive(&mut stream, &mut buffer[..want])
                .map_err(|source| SocketError::ReceiveFrom { peer, source })?;
            let decode_error = |source| PeerError::Decode { peer, source };
            if len == 0 {
                reader.finish().map_err(decode_error)?;
                return Err(PeerError::ClosedBeforeQuit { peer, saved });
            }
            reader.handle(&buffer[..len]).map_err(decode_error)?;
            while let Some(decoded) = reader.poll_decoded() {
                match decoded {
                    Decoded::Count { lines } => {
                        if lines > 0 && self.defects.has(ServerDefect::EarlyStatus) {
                            send_status(&mut stream, peer, Status::Accepted)?;
                        }
                    }
                    Decoded::Message(message) if message.is_quit() => {
                        return self.quit(stream, peer, out);
                    }
                    Decoded::Message(message) => {
                        saved += 1;
                        self.save(saved, &message, out)?;
                        if !self.defects.has(ServerDefect::EarlyStatus) {
                            send_status(&mut stream, peer, Status::for_message(&message))?;
                        }
                    }
                }
            }
        }
    }

    /// The `k`-th file's name (`k` from 1), as this server names it.
    pub fn file_name(&self, k: u64) -> String {
        if self.defects.has(ServerDefect::ZeroBasedNames) {
            format!("{}.txt", k - 1)
        } else {
            format!("{k}.txt")
        }
    }

    fn save<W: Write + ?Sized>(
        &self,
        k: u64,
        message: &Message,
        out: &mut W,
    ) -> Result<(), PeerError> {
        let name = self.file_name(k);
        let path = self.dir.join(&name);
        // `fs::write` truncates: files from an earlier connection are overwritten.
        fs::write(&path, message.file_contents())
            .map_err(|source| PeerError::Save { path, source })?;
        Event::Saved {
            name,
            lines: message.lines.len(),
        }
        .write_line(out)
        .map_err(|source| SocketError::Log { source }.into())
    }

    fn quit<W: Write + ?Sized>(
        &self,
        mut stream: TcpStream,
        peer: SocketAddr,
        out: &mut W,
    ) -> Result<Finish, PeerError> {
        let status = if self.defects.has(ServerDefect::NoQuitStatus) {
            Status::Accepted
        } else {
            Status::Quitting
        };
        send_status(&mut stream, peer, status)?;
        Event::QuitReceived
            .write_line(out)
            .map_err(|source| SocketError::Log { source })?;
        if self.defects.has(ServerDefect::NoClose) {
            return Ok(Finish::KeptOpen(stream));
        }
        // Best effort: the peer may be gone already; dropping the stream closes it anyway.
        let _ = stream.shutdown(Shutdown::Both);
        Ok(Finish::Closed)
    }
}

/// Keeps `stream` open until the process is killed: the `no-close` defect's afterlife.
pub fn hold_until_killed(stream: TcpStream) -> ! {
    let _open = stream;
    loop {
        // Parking may end spuriously; park again.
        std::thread::park();
    }
}

/// The textbook's stream decoder or the `one-recv` defect's reader: one per connection.
#[derive(Debug)]
enum Reader {
    Stream(MessageDecoder),
    OneRecv(OneRecvReader),
}

impl Reader {
    fn new(defects: &Defects<ServerDefect>) -> Self {
        if defects.has(ServerDefect::OneRecv) {
            Reader::OneRecv(OneRecvReader::new())
        } else {
            Reader::Stream(MessageDecoder::new())
        }
    }

    fn recv_len(&self) -> usize {
        match self {
            Reader::Stream(_) => LINE_RECV_LEN,
            Reader::OneRecv(reader) => reader.recv_len(),
        }
    }

    fn handle(&mut self, received: &[u8]) -> Result<(), DecodeError> {
        match self {
            Reader::Stream(decoder) => decoder.handle_bytes(received),
            Reader::OneRecv(reader) => {
                reader.handle_recv(received);
                Ok(())
            }
        }
    }

    fn poll_decoded(&mut self) -> Option<Decoded> {
        match self {
            Reader::Stream(decoder) => decoder.poll_decoded(),
            Reader::OneRecv(reader) => reader.poll_decoded(),
        }
    }

    fn finish(&self) -> Result<(), DecodeError> {
        match self {
            Reader::Stream(decoder) => decoder.finish(),
            Reader::OneRecv(reader) => reader.finish(),
        }
    }
}

/// One `recv()`, retried only when a signal interrupted it.
fn receive(stream: &mut TcpStream, buffer: &mut [u8]) -> io::Result<usize> {
    loop {
        match stream.read(buffer) {
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            result => return result,
        }
    }
}

fn send_status(stream: &mut TcpStream, peer: SocketAddr, status: Status) -> Result<(), PeerError> {
    stream
        .write_all(&[status.byte()])
        .map_err(|source| SocketError::Send { peer, source }.into())
}
