//! The `reference udp-file client` socket loop: asks for one file and drives a
//! [`Download`] over a real UDP socket, writing each block to the output file.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::net::UdpSocket;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::blocks::MAX_DATAGRAM;
use super::buffers::enlarge_receive_buffer;
use super::defect::ClientDefect;
use super::download::{Download, Progress};
use super::error::PeerError;
use super::event::Event;
use crate::address::{local_for, resolve};
use crate::socket_error::SocketError;
use crate::wait::{self, Readiness};

/// How long the client waits for the next block before it gives up.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(1);

/// Which file to ask for, from whom, where to put it, and how to misbehave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientConfig {
    /// The server's host name or address.
    pub host: String,
    /// The server's port.
    pub port: u16,
    /// The name sent to the server, as given (a bad one too: the grader tests servers).
    pub file: String,
    /// Where to write the file; `None` for `file`'s last component in the current directory.
    pub out: Option<PathBuf>,
    /// How long to wait for each block.
    pub idle_timeout: Duration,
    /// Deliberate defects; empty for the known-good peer.
    pub defects: Vec<ClientDefect>,
}

impl ClientConfig {
    /// The handout's client for `file`: output in the current directory, default idle
    /// timeout, no defects.
    pub fn new(host: impl Into<String>, port: u16, file: impl Into<String>) -> Self {
        ClientConfig {
            host: host.into(),
            port,
            file: file.into(),
            out: None,
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
            defects: Vec::new(),
        }
    }

    /// Where the file is written.
    pub fn out_path(&self) -> Result<PathBuf, PeerError> {
        if let Some(out) = &self.out {
            return Ok(out.clone());
        }
        // The last component only: a name like "../x" sent to test a server must not make
        // the client write outside the current directory.
        Path::new(&self.file)
            .file_name()
            .map(PathBuf::from)
            .ok_or_else(|| PeerError::NoOutputName {
                file: self.file.clone(),
            })
    }
}

/// Asks the server for the file and writes the blocks to the output until the first short
/// one, then logs `Received NAME: N bytes in K blocks` on `log`. With no block for the idle
/// timeout it keeps what it has and fails; with `ignore-empty-block` it may never return:
/// that is the defect.
pub fn run_client<W: Write + ?Sized>(config: &ClientConfig, log: &mut W) -> Result<(), PeerError> {
    let peer = resolve(&config.host, config.port)?;
    let path = config.out_path()?;
    let local = local_for(peer);
    let socket = UdpSocket::bind(local).map_err(|source| SocketError::Bind { local, source })?;
    let local = socket.local_addr().unwrap_or(local);
    // Best effort: with a smaller buffer a large file's burst may be partly dropped, which
    // the idle timeout then reports.
    let _ = enlarge_receive_buffer(&socket);
    let output_error = |source| PeerError::Output {
        path: path.clone(),
        source,
    };
    let mut output = BufWriter::new(File::create(&path).map_err(output_error)?);

    socket
        .send_to(config.file.as_bytes(), peer)
        .map_err(|source| SocketError::Send { peer, source })?;
    let receive_error = |source| SocketError::Receive { local, source };
    let mut download = Download::new(&config.defects);
    let idle_timeout = download.idle_timeout(config.idle_timeout);
    let mut buffer = vec![0; MAX_DATAGRAM];
    loop {
        let deadline = idle_timeout.map(|idle| Instant::now() + idle);
        if wait::wait_readable(&socket, deadline).map_err(receive_error)?
            == Readiness::DeadlineReached
        {
            output.flush().map_err(output_error)?;
            return Err(PeerError::Incomplete {
                idle: config.idle_timeout,
                bytes: download.bytes(),
            });
        }
        // From any source: in relay mode the blocks come from the grader, not the server.
        let (len, _source) = socket.recv_from(&mut buffer).map_err(receive_error)?;
        let accepted = download.handle_block(&buffer[..len]);
        output.write_all(&accepted.data).map_err(output_error)?;
        if accepted.progress == Progress::Complete {
            break;
        }
    }
    output.flush().map_err(output_error)?;
    Event::Received {
        name: config.file.clone(),
        bytes: download.bytes(),
        blocks: download.blocks(),
    }
    .write_line(log)
    .map_err(|source| SocketError::Log { source }.into())
}

#[cfg(test)]
mod tests {
    use std::fs;
    use std::sync::mpsc;
    use std::thread;

    use super::super::defect::ServerDefect;
    use super::super::server::{Served, Server};
    use super::*;

    const TEST_DEADLINE: Duration = Duration::from_secs(20);

    /// An idle timeout for transfers that must stall: short, since the wait always runs to
    /// its end when the test is right.
    const SHORT_IDLE: Duration = Duration::from_millis(50);

    /// Every byte value, 0xff included, so a text-mode client would corrupt it.
    fn binary(len: usize) -> Vec<u8> {
        (0..len).map(|index| (index % 256) as u8).collect()
    }

    struct Fixture {
        port: u16,
        served: mpsc::Receiver<(Vec<Served>, String, String)>,
        _files: tempfile::TempDir,
        downloads: tempfile::TempDir,
    }

    /// The reference server on its own thread, serving `requests` requests from a
    /// directory of test files.
    fn serve(requests: usize, defects: &[ServerDefect]) -> Fixture {
        let files = tempfile::tempdir().unwrap();
        fs::write(files.path().join("four-k.bin"), binary(4096)).unwrap();
        fs::write(files.path().join("odd.bin"), binary(3000)).unwrap();
        fs::write(files.path().join("empty"), b"").unwrap();
        let mut server = Server::bind("127.0.0.1", 0, files.path(), defects).unwrap();
        let port = server.local_addr().port();
        let (done, served) = mpsc::channel();
        thread::spawn(move || {
            let (mut out, mut errors) = (Vec::new(), Vec::new());
            let deadline = Instant::now() + TEST_DEADLINE;
            let turns = (0..requests)
                .map(|_| {
                    server
                        .serve_next(&mut out, &mut errors, Some(deadline))
                        .unwrap()
                })
                .collect();
            // The receiver may be gone if the test already failed; nothing left to report.
            let _ = done.send((
                turns,
                String::from_utf8(out).unwrap(),
                String::from_utf8(errors).unwrap(),
            ));
        });
        Fixture {
            port,
            served,
            _files: files,
            downloads: tempfile::tempdir().unwrap(),
        }
    }

    impl Fixture {
        fn config(&self, file: &str) -> ClientConfig {
            let mut config = ClientConfig::new("127.0.0.1", self.port, file);
            config.out = Some(self.downloads.path().join(file));
            config
        }

        fn download(&self, config: &ClientConfig) -> Result<String, PeerError> {
            let mut log = Vec::new();
            run_client(config, &mut log)?;
            Ok(String::from_utf8(log).unwrap())
        }

        fn finish(self) -> (Vec<Served>, String, String) {
            self.served.recv_timeout(TEST_DEADLINE).unwrap()
        }
    }

    #[test]
    fn files_arrive_whole_over_loopback() {
        let fixture = serve(4, &[]);
        for (file, len, line) in [
            (
                "four-k.bin",
                4096,
                "Received four-k.bin: 4096 bytes in 3 blocks\n",
            ),
            (
                "odd.bin",
                3000,
                "Received odd.bin: 3000 bytes in 2 blocks\n",
            ),
            ("empty", 0, "Received empty: 0 bytes in 1 blocks\n"),
        ] {
            let config = fixture.config(file);
            assert_eq!(fixture.download(&config).unwrap(), line);
            assert_eq!(
                fs::read(config.out.unwrap()).unwrap(),
                binary(len),
                "{file}"
            );
        }
        // A missing file ends as an empty one.
        let config = fixture.config("nope");
        assert_eq!(
            fixture.download(&config).unwrap(),
            "Received nope: 0 bytes in 1 blocks\n"
        );

        let (served, out, errors) = fixture.finish();
        assert_eq!(served.len(), 4);
        assert_eq!(
            out,
            "Sent four-k.bin: 4096 bytes in 3 blocks\n\
             Sent odd.bin: 3000 bytes in 2 blocks\n\
             Sent empty: 0 bytes in 1 blocks\n"
        );
        assert_eq!(errors, "no such file: nope\n");
    }

    #[test]
    fn no_empty_final_leaves_the_client_waiting_until_its_idle_timeout() {
        let fixture = serve(1, &[ServerDefect::NoEmptyFinal]);
        let mut config = fixture.config("four-k.bin");
        config.idle_timeout = SHORT_IDLE;
        let error = fixture.download(&config).unwrap_err();
        assert!(
            matches!(error, PeerError::Incomplete { idle, bytes: 4096 } if idle == SHORT_IDLE),
            "{error:?}"
        );
        // What did arrive is kept.
        assert_eq!(fs::read(config.out.unwrap()).unwrap(), binary(4096));
        fixture.finish();
    }

    #[test]
    fn chunk_1024_makes_the_client_stop_after_one_block() {
        let fixture = serve(1, &[ServerDefect::Chunk1024]);
        let config = fixture.config("four-k.bin");
        assert_eq!(
            fixture.download(&config).unwrap(),
            "Received four-k.bin: 1024 bytes in 1 blocks\n"
        );
        fixture.finish();
    }

    #[test]
    fn text_mode_corrupts_binary_files() {
        let fixture = serve(1, &[]);
        let mut config = fixture.config("four-k.bin");
        config.defects = vec![ClientDefect::TextMode];
        assert_eq!(
            fixture.download(&config).unwrap(),
            "Received four-k.bin: 4096 bytes in 3 blocks\n"
        );
        assert_ne!(fs::read(config.out.unwrap()).unwrap(), binary(4096));
        fixture.finish();
    }

    #[test]
    fn silent_server_is_an_incomplete_transfer() {
        let silent = UdpSocket::bind("127.0.0.1:0").unwrap();
        let downloads = tempfile::tempdir().unwrap();
        let mut config = ClientConfig::new("127.0.0.1", silent.local_addr().unwrap().port(), "x");
        config.out = Some(downloads.path().join("x"));
        config.idle_timeout = SHORT_IDLE;
        let error = run_client(&config, &mut Vec::new()).unwrap_err();
        assert_eq!(
            error.to_string(),
            "transfer incomplete: no block for 50ms after 0 bytes"
        );
        assert_eq!(fs::read(downloads.path().join("x")).unwrap(), b"");
    }

    #[test]
    fn output_is_named_after_the_files_last_component() {
        let path = |file: &str| ClientConfig::new("h", 1, file).out_path();
        assert_eq!(path("notes.txt").unwrap(), PathBuf::from("notes.txt"));
        assert_eq!(path("../secret").unwrap(), PathBuf::from("secret"));
        assert!(matches!(path(".."), Err(PeerError::NoOutputName { .. })));
        assert!(matches!(path(""), Err(PeerError::NoOutputName { .. })));
        let mut config = ClientConfig::new("h", 1, "..");
        config.out = Some(PathBuf::from("copy"));
        assert_eq!(config.out_path().unwrap(), PathBuf::from("copy"));
    }
}
