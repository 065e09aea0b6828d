//! The `reference udp-file server` socket loop: answers each file name with the file, cut
//! into blocks by [`blocks::plan`](super::blocks::plan), and serves until killed.

use std::convert::Infallible;
use std::fs;
use std::io::{self, Write};
use std::net::{SocketAddr, UdpSocket};
use std::path::{Path, PathBuf};
use std::time::Instant;

use super::blocks::{self, MAX_DATAGRAM};
use super::buffers::enlarge_send_buffer;
use super::defect::ServerDefect;
use super::error::PeerError;
use super::event::Event;
use super::name::{FileName, NameError};
use crate::address::resolve;
use crate::defects::Defects;
use crate::socket_error::SocketError;
use crate::wait::{self, Readiness};

/// A bound udp-file server, sending files from one directory to whoever asks.
#[derive(Debug)]
pub struct Server {
    socket: UdpSocket,
    local: SocketAddr,
    dir: PathBuf,
    defects: Defects<ServerDefect>,
    buffer: Vec<u8>,
}

/// What one turn of [`Server::serve_next`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Served {
    /// The file asked for by `from` was sent whole.
    Sent {
        from: SocketAddr,
        bytes: u64,
        blocks: u64,
    },
    /// `from` asked for no file the server has; it got one empty datagram, so it ends.
    Refused { from: SocketAddr },
    /// The deadline passed with no request.
    DeadlineReached,
}

impl Server {
    /// Binds `host:port` (port 0 picks a free one) to serve the files in `dir`.
    pub fn bind(
        host: &str,
        port: u16,
        dir: impl Into<PathBuf>,
        defects: &[ServerDefect],
    ) -> Result<Self, PeerError> {
        let dir = dir.into();
        // Checked now, so that a wrong --dir fails at once rather than as "no such file"
        // for every request.
        if let Err(source) = fs::read_dir(&dir) {
            return Err(PeerError::Directory { dir, source });
        }
        let requested = resolve(host, port)?;
        let socket = UdpSocket::bind(requested).map_err(|source| SocketError::Bind {
            local: requested,
            source,
        })?;
        // Best effort: a smaller buffer only makes a large file's burst slower to queue.
        let _ = enlarge_send_buffer(&socket);
        let local = socket.local_addr().unwrap_or(requested);
        Ok(Server {
            socket,
            local,
            dir,
            defects: Defects::new(defects),
            buffer: vec![0; MAX_DATAGRAM],
        })
    }

    /// The address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }

    /// Serves until an I/O error; stopping it is a signal's job. One line per file sent goes
    /// to `out`, one per refused request to `errors`.
    pub fn run<W, E>(&mut self, out: &mut W, errors: &mut E) -> Result<Infallible, PeerError>
    where
        W: Write + ?Sized,
        E: Write + ?Sized,
    {
        loop {
            self.serve_next(out, errors, None)?;
        }
    }

    /// Waits for one request (until `deadline`, if given) and answers it.
    pub fn serve_next<W, E>(
        &mut self,
        out: &mut W,
        errors: &mut E,
        deadline: Option<Instant>,
    ) -> Result<Served, PeerError>
    where
        W: Write + ?Sized,
        E: Write + ?Sized,
    {
        let local = self.local;
        let receive_error = |source| SocketError::Receive { local, source };
        if wait::wait_readable(&self.socket, deadline).map_err(receive_error)?
            == Readiness::DeadlineReached
        {
            return Ok(Served::DeadlineReached);
        }
        let (len, from) = self
            .socket
            .recv_from(&mut self.buffer)
            .map_err(receive_error)?;
        let log_error = |source| SocketError::Log { source };
        let request = FileName::parse(&self.buffer[..len]).map_err(Refusal::Name);
        match request.and_then(|name| load(&self.dir, &name).map(|data| (name, data))) {
            Ok((name, data)) => {
                let plan = blocks::plan(data.len(), &self.defects);
                for block in &plan {
                    self.send(&data[block.clone()], from)?;
                }
                Event::Sent {
                    name: name.as_str().to_owned(),
                    bytes: data.len() as u64,
                    blocks: plan.len() as u64,
                }
                .write_line(out)
                .map_err(log_error)?;
                Ok(Served::Sent {
                    from,
                    bytes: data.len() as u64,
                    blocks: plan.len() as u64,
                })
            }
            Err(refusal) => {
                writeln!(errors, "no such file: {refusal}")
                    .and_then(|()| errors.flush())
                    .map_err(log_error)?;
                // An empty block is the end of a file, so a client waiting for one stops.
                self.send(&[], from)?;
                Ok(Served::Refused { from })
            }
        }
    }

    fn send(&self, block: &[u8], peer: SocketAddr) -> Result<(), PeerError> {
        self.socket
            .send_to(block, peer)
            .map(drop)
            .map_err(|source| SocketError::Send { peer, source }.into())
    }
}

/// Why a request gets no file.
#[derive(Debug, thiserror::Error)]
enum Refusal {
    /// The request names no plain file.
    #[error(transparent)]
    Name(NameError),
    /// No file has that name.
    #[error("{name}")]
    Missing { name: FileName },
    /// The file exists but cannot be read (a directory, say).
    #[error("{name} ({source})")]
    Unreadable { name: FileName, source: io::Error },
}

/// The whole file: a reference server needs no streaming for the sizes the cases send.
fn load(dir: &Path, name: &FileName) -> Result<Vec<u8>, Refusal> {
    fs::read(dir.join(name.as_str())).map_err(|source| {
        if source.kind() == io::ErrorKind::NotFound {
            Refusal::Missing { name: name.clone() }
        } else {
            Refusal::Unreadable {
                name: name.clone(),
                source,
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    const TEST_DEADLINE: Duration = Duration::from_secs(20);

    struct Fixture {
        server: Server,
        client: UdpSocket,
        _dir: tempfile::TempDir,
    }

    fn fixture(defects: &[ServerDefect]) -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("four-k"), vec![0xa5; 4096]).unwrap();
        fs::write(dir.path().join("odd"), vec![0x5a; 2049]).unwrap();
        fs::write(dir.path().join("empty"), b"").unwrap();
        fs::create_dir(dir.path().join("sub")).unwrap();
        let server = Server::bind("127.0.0.1", 0, dir.path(), defects).unwrap();
        let client = UdpSocket::bind("127.0.0.1:0").unwrap();
        client.set_read_timeout(Some(TEST_DEADLINE)).unwrap();
        Fixture {
            server,
            client,
            _dir: dir,
        }
    }

    /// Asks for `request`, serves it, and returns the sizes of the blocks that came back
    /// and both logs.
    fn ask(fixture: &mut Fixture, request: &[u8]) -> (Served, Vec<usize>, String, String) {
        let Fixture { server, client, .. } = fixture;
        client.send_to(request, server.local_addr()).unwrap();
        let (mut out, mut errors) = (Vec::new(), Vec::new());
        let deadline = Instant::now() + TEST_DEADLINE;
        let served = server
            .serve_next(&mut out, &mut errors, Some(deadline))
            .unwrap();
        // As many datagrams as the server says it sent; each read waits up to the deadline.
        let sent = match served {
            Served::Sent { blocks, .. } => blocks,
            Served::Refused { .. } => 1,
            Served::DeadlineReached => 0,
        };
        let mut block = vec![0; MAX_DATAGRAM];
        let sizes = (0..sent)
            .map(|_| client.recv(&mut block).unwrap())
            .collect();
        (
            served,
            sizes,
            String::from_utf8(out).unwrap(),
            String::from_utf8(errors).unwrap(),
        )
    }

    #[test]
    fn sends_full_blocks_then_a_short_one() {
        let mut fixture = fixture(&[]);
        let (served, sizes, out, errors) = ask(&mut fixture, b"four-k\n");
        assert_eq!(
            served,
            Served::Sent {
                from: fixture.client.local_addr().unwrap(),
                bytes: 4096,
                blocks: 3
            }
        );
        assert_eq!(sizes, [2048, 2048, 0]);
        assert_eq!(out, "Sent four-k: 4096 bytes in 3 blocks\n");
        assert_eq!(errors, "");

        let (_, sizes, out, _) = ask(&mut fixture, b"odd\0");
        assert_eq!(sizes, [2048, 1]);
        assert_eq!(out, "Sent odd: 2049 bytes in 2 blocks\n");

        let (_, sizes, out, _) = ask(&mut fixture, b"empty");
        assert_eq!(sizes, [0]);
        assert_eq!(out, "Sent empty: 0 bytes in 1 blocks\n");
    }

    #[test]
    fn refusals_get_one_empty_block_and_a_line_on_stderr() {
        let mut fixture = fixture(&[]);
        for (request, line) in [
            (&b"nope"[..], "no such file: nope\n"),
            (
                b"../four-k",
                "no such file: ../four-k (refused: not a plain file name)\n",
            ),
            (b"\n", "no such file: an empty name\n"),
        ] {
            let (served, sizes, out, errors) = ask(&mut fixture, request);
            assert!(matches!(served, Served::Refused { .. }), "{served:?}");
            assert_eq!(sizes, [0], "{request:?}");
            assert_eq!(out, "");
            assert_eq!(errors, line);
        }
        let (served, sizes, _, errors) = ask(&mut fixture, b"sub");
        assert!(matches!(served, Served::Refused { .. }), "{served:?}");
        assert_eq!(sizes, [0]);
        assert!(errors.starts_with("no such file: sub ("), "{errors}");
    }

    #[test]
    fn defects_change_the_blocks() {
        let mut fixture = self::fixture(&[ServerDefect::NoEmptyFinal]);
        let (_, sizes, out, _) = ask(&mut fixture, b"four-k");
        assert_eq!(sizes, [2048, 2048]);
        assert_eq!(out, "Sent four-k: 4096 bytes in 2 blocks\n");

        let mut fixture = self::fixture(&[ServerDefect::Chunk1024]);
        let (_, sizes, _, _) = ask(&mut fixture, b"odd");
        assert_eq!(sizes, [1024, 1024, 1]);
    }

    #[test]
    fn missing_directory_fails_at_bind() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing");
        let error = Server::bind("127.0.0.1", 0, &missing, &[]).unwrap_err();
        assert!(matches!(error, PeerError::Directory { .. }), "{error:?}");
    }

    #[test]
    fn quiet_socket_reaches_the_deadline() {
        let mut fixture = fixture(&[]);
        let served = fixture
            .server
            .serve_next(&mut Vec::new(), &mut Vec::new(), Some(Instant::now()))
            .unwrap();
        assert_eq!(served, Served::DeadlineReached);
    }
}
