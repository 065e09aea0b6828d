//! The `reference tcp-file-100 server` socket loop: accepts one connection per transfer,
//! reads the copy to end of stream, stores it, closes, and compares it with the standard
//! file; after the last transfer it reports the average time and the incorrect copies.

use std::fs;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::time::Instant;

use super::defect::ServerDefect;
use super::error::PeerError;
use super::event::Event;
use super::figures::Elapsed;
use super::report;
use crate::address::resolve;
use crate::defects::Defects;
use crate::socket_error::SocketError;

/// A tcp-file-100 server holding the standard file, listening for the transfers.
#[derive(Debug)]
pub struct Server {
    listener: TcpListener,
    local: SocketAddr,
    file: String,
    copy_name: String,
    standard: Vec<u8>,
    dir: PathBuf,
    defects: Defects<ServerDefect>,
}

/// How a stored copy compares with the standard file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    /// Byte for byte the same, and the stream ended cleanly.
    Correct,
    /// Different, or cut short by a reset.
    Incorrect,
}

/// What the server counted, whatever its defects let it print.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    /// Each transfer's time, from `accept()` returning to the close.
    pub times: Vec<Elapsed>,
    /// How many copies differed from the standard file or were cut short.
    pub incorrect: u64,
}

impl Server {
    /// Reads the standard file `file` (relative to the current directory) and listens on
    /// `host:port` (port 0 picks a free one), to store the copies in `dir`.
    pub fn bind(
        host: &str,
        port: u16,
        file: impl Into<String>,
        dir: impl Into<PathBuf>,
        defects: &[ServerDefect],
    ) -> Result<Self, PeerError> {
        let file = file.into();
        let standard = fs::read(&file).map_err(|source| PeerError::File {
            path: PathBuf::from(&file),
            source,
        })?;
        // A path with no last component ("..", "/") names a directory, which the read has
        // refused already; the fallback is for form's sake.
        let copy_name = Path::new(&file).file_name().map_or_else(
            || "file".to_owned(),
            |name| name.to_string_lossy().into_owned(),
        );
        let dir = dir.into();
        // Checked now, so that a wrong --dir fails before the first transfer.
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
            file,
            copy_name,
            standard,
            dir,
            defects: Defects::new(defects),
        })
    }

    /// The address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }

    /// Where the `nth` copy is stored: `received-001-NAME` in the directory.
    pub fn copy_path(&self, nth: u32) -> PathBuf {
        self.dir
            .join(format!("received-{nth:03}-{}", self.copy_name))
    }

    /// Serves `count` transfers, one connection each, then prints the summary. The
    /// required lines go to `out`; what went wrong with a transfer goes to `errors`.
    pub fn run<W, E>(&mut self, count: u32, out: &mut W, errors: &mut E) -> Result<Tally, PeerError>
    where
        W: Write + ?Sized,
        E: Write + ?Sized,
    {
        let log_error = |source| SocketError::Log { source };
        Event::Ready.write_line(out).map_err(log_error)?;
        let mut tally = Tally::default();
        for nth in 1..=count {
            let (elapsed, verdict) = self.receive(nth, out, errors)?;
            tally.times.push(elapsed);
            if verdict == Verdict::Incorrect {
                tally.incorrect += 1;
            }
        }
        for event in
            report::server_summary(&self.file, &tally.times, tally.incorrect, &self.defects)
        {
            event.write_line(out).map_err(log_error)?;
        }
        Ok(tally)
    }

    /// Serves the `nth` transfer: its time, and whether the copy is correct.
    fn receive<W, E>(
        &mut self,
        nth: u32,
        out: &mut W,
        errors: &mut E,
    ) -> Result<(Elapsed, Verdict), PeerError>
    where
        W: Write + ?Sized,
        E: Write + ?Sized,
    {
        let log_error = |source| SocketError::Log { source };
        let (mut stream, peer) = self.accept()?;
        let started = Instant::now();
        Event::StartReceiving {
            file: self.file.clone(),
            nth,
        }
        .write_line(out)
        .map_err(log_error)?;
        let mut copy = Vec::with_capacity(self.standard.len());
        // On an error `read_to_end` keeps what it read: a reset transfer is stored cut short.
        let outcome = stream.read_to_end(&mut copy);
        let path = self.copy_path(nth);
        fs::write(&path, &copy).map_err(|source| PeerError::Store { path, source })?;
        drop(stream);
        let elapsed = Elapsed::from_duration(started.elapsed());

        let verdict = match outcome {
            Err(error) => {
                writeln!(
                    errors,
                    "transfer {nth} from {peer} failed after {} bytes ({error}): counted as incorrect",
                    copy.len()
                )
                .map_err(log_error)?;
                Verdict::Incorrect
            }
            Ok(_) if copy != self.standard => {
                writeln!(
                    errors,
                    "copy {nth} from {peer} differs from the standard file \
                     ({} bytes, the standard has {}): counted as incorrect",
                    copy.len(),
                    self.standard.len()
                )
                .map_err(log_error)?;
                Verdict::Incorrect
            }
            Ok(_) => Verdict::Correct,
        };
        for event in report::server_transfer(&self.file, nth, elapsed, &self.defects) {
            event.write_line(out).map_err(log_error)?;
        }
        Ok((elapsed, verdict))
    }

    /// The next connection; one the client gave up on while it was queued is skipped.
    fn accept(&self) -> Result<(TcpStream, SocketAddr), PeerError> {
        loop {
            match self.listener.accept() {
                Err(error)
                    if matches!(
                        error.kind(),
                        io::ErrorKind::ConnectionAborted | io::ErrorKind::Interrupted
                    ) => {}
                result => {
                    return result.map_err(|source| {
                        SocketError::Accept {
                            local: self.local,
                            source,
                        }
                        .into()
                    });
                }
            }
        }
    }
}
