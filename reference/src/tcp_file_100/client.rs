//! The `reference tcp-file-100 client`: sends the same file `count` times, one TCP
//! connection per transfer, and times each transfer from before the connect to after the
//! close.
//!
//! A transfer is the file's bytes, then `shutdown(Write)` so the server sees the end of the
//! stream, then reading until the server closes: only the server's close says the copy
//! was taken in, so only then is the transfer done.

use std::fs;
use std::io::{self, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::path::PathBuf;
use std::thread;
use std::time::{Duration, Instant};

use super::defect::ClientDefect;
use super::error::PeerError;
use super::event::Event;
use super::figures::Elapsed;
use super::report;
use crate::address::resolve;
use crate::defects::Defects;
use crate::socket_error::SocketError;

/// The handout's number of transfers.
pub const DEFAULT_COUNT: u32 = 100;

/// How long a refused connection is retried, in case the server is between two accepts
/// with a full backlog (its listen backlog normally makes this unnecessary).
pub const DEFAULT_CONNECT_RETRY: Duration = Duration::from_secs(2);

/// The pause between two refused connects: short next to a transfer, long enough not to
/// spin.
const RETRY_PAUSE: Duration = Duration::from_millis(10);

/// What to send, to whom, how often, and how to misbehave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientConfig {
    /// The server's host name or address, printed as given.
    pub host: String,
    /// The server's port.
    pub port: u16,
    /// The file to send (relative to the current directory), printed as given.
    pub file: String,
    /// How many transfers.
    pub count: u32,
    /// How long to retry a refused connection.
    pub connect_retry: Duration,
    /// Deliberate defects; empty for the known-good peer.
    pub defects: Vec<ClientDefect>,
}

impl ClientConfig {
    /// The handout's client for `file`: 100 transfers, no defects.
    pub fn new(host: impl Into<String>, port: u16, file: impl Into<String>) -> Self {
        ClientConfig {
            host: host.into(),
            port,
            file: file.into(),
            count: DEFAULT_COUNT,
            connect_retry: DEFAULT_CONNECT_RETRY,
            defects: Vec::new(),
        }
    }
}

/// Reads the file, sends it `count` times and prints the handout's lines on `out`. Any
/// transfer that fails (refused after the retries, reset) stops the client.
pub fn run_client<W: Write + ?Sized>(config: &ClientConfig, out: &mut W) -> Result<(), PeerError> {
    let data = fs::read(&config.file).map_err(|source| PeerError::File {
        path: PathBuf::from(&config.file),
        source,
    })?;
    let peer = resolve(&config.host, config.port)?;
    let mut sender = Sender {
        config,
        defects: Defects::new(&config.defects),
        peer,
        data,
        times: Vec::new(),
        out,
    };
    sender.log(&Event::Connecting {
        host: config.host.clone(),
    })?;
    if sender.defects.has(ClientDefect::Persistent) {
        sender.send_persistent()?;
    } else {
        for nth in 1..=config.count {
            sender.send_once(nth)?;
        }
    }
    for event in report::client_summary(&config.file, &sender.times, &sender.defects) {
        sender.log(&event)?;
    }
    Ok(())
}

/// One run of the client: the file, the server, and the times so far.
#[derive(Debug)]
struct Sender<'a, W: ?Sized> {
    config: &'a ClientConfig,
    defects: Defects<ClientDefect>,
    peer: SocketAddr,
    data: Vec<u8>,
    times: Vec<Elapsed>,
    out: &'a mut W,
}

impl<W: Write + ?Sized> Sender<'_, W> {
    /// The textbook: one connection for the `nth` transfer.
    fn send_once(&mut self, nth: u32) -> Result<(), PeerError> {
        self.log_start(nth)?;
        let started = Instant::now();
        let mut stream = self.connect()?;
        self.write_file(&mut stream, nth)?;
        self.end(stream, nth)?;
        self.finish(nth, started)
    }

    /// The `persistent` defect: one connection for every transfer, ended after the last.
    fn send_persistent(&mut self) -> Result<(), PeerError> {
        let mut started = Instant::now();
        let mut stream = None;
        for nth in 1..=self.config.count {
            self.log_start(nth)?;
            let mut open = match stream.take() {
                Some(open) => open,
                None => self.connect()?,
            };
            self.write_file(&mut open, nth)?;
            if nth == self.config.count {
                self.end(open, nth)?;
            } else {
                stream = Some(open);
            }
            self.finish(nth, started)?;
            started = Instant::now();
        }
        Ok(())
    }

    /// Connects, retrying while refused for the configured time.
    fn connect(&self) -> Result<TcpStream, PeerError> {
        let peer = self.peer;
        let started = Instant::now();
        loop {
            match TcpStream::connect(peer) {
                Ok(stream) => return Ok(stream),
                Err(source) if source.kind() == io::ErrorKind::ConnectionRefused => {
                    if started.elapsed() >= self.config.connect_retry {
                        return Err(PeerError::Refused {
                            peer,
                            retried: self.config.connect_retry,
                            source,
                        });
                    }
                    thread::sleep(RETRY_PAUSE);
                }
                Err(source) => return Err(SocketError::Connect { peer, source }.into()),
            }
        }
    }

    fn write_file(&self, stream: &mut TcpStream, nth: u32) -> Result<(), PeerError> {
        stream
            .write_all(&self.data)
            .map_err(|source| self.transfer_error(nth, source))
    }

    /// Shuts down the sending side, reads until the server closes, and closes.
    fn end(&self, mut stream: TcpStream, nth: u32) -> Result<(), PeerError> {
        let error = |source| self.transfer_error(nth, source);
        stream.shutdown(Shutdown::Write).map_err(error)?;
        // Whatever the server sends is not asked for; only its end matters.
        io::copy(&mut stream, &mut io::sink()).map_err(error)?;
        Ok(())
    }

    fn finish(&mut self, nth: u32, started: Instant) -> Result<(), PeerError> {
        let elapsed = Elapsed::from_duration(started.elapsed());
        self.times.push(elapsed);
        for event in report::client_transfer(&self.config.file, nth, elapsed, &self.defects) {
            self.log(&event)?;
        }
        Ok(())
    }

    fn log_start(&mut self, nth: u32) -> Result<(), PeerError> {
        self.log(&Event::StartSending {
            file: self.config.file.clone(),
            nth,
        })
    }

    fn log(&mut self, event: &Event) -> Result<(), PeerError> {
        event
            .write_line(self.out)
            .map_err(|source| SocketError::Log { source }.into())
    }

    fn transfer_error(&self, nth: u32, source: io::Error) -> PeerError {
        PeerError::Transfer {
            peer: self.peer,
            nth,
            source,
        }
    }
}
