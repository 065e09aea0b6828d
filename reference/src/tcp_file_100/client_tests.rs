//! The tcp-file-100 client over real sockets: against the reference server, with the
//! `persistent` defect, and against a port where nobody listens.

use std::fs;
use std::io;
use std::net::TcpListener;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use super::client::{ClientConfig, run_client};
use super::defect::ClientDefect;
use super::error::PeerError;
use super::server::{Server, Tally};

const TEST_DEADLINE: Duration = Duration::from_secs(20);

/// Every byte value, so nothing but a byte-exact copy compares equal.
fn binary(len: usize) -> Vec<u8> {
    (0..len).map(|index| (index % 251) as u8).collect()
}

struct Fixture {
    port: u16,
    finished: mpsc::Receiver<(Tally, String)>,
    file: String,
    store: tempfile::TempDir,
    _files: tempfile::TempDir,
}

/// The reference server on its own thread, serving `count` transfers of a 3000-byte
/// standard file; the client sends the same file.
fn serve(count: u32) -> Fixture {
    let files = tempfile::tempdir().unwrap();
    let file = files.path().join("data.bin");
    fs::write(&file, binary(3000)).unwrap();
    let file = file.to_str().unwrap().to_owned();
    let store = tempfile::tempdir().unwrap();
    let mut server = Server::bind("127.0.0.1", 0, file.as_str(), store.path(), &[]).unwrap();
    let port = server.local_addr().port();
    let (done, finished) = mpsc::channel();
    thread::spawn(move || {
        let mut out = Vec::new();
        let tally = server.run(count, &mut out, &mut io::sink()).unwrap();
        // The receiver may be gone if the test already failed; nothing left to report.
        let _ = done.send((tally, String::from_utf8(out).unwrap()));
    });
    Fixture {
        port,
        finished,
        file,
        store,
        _files: files,
    }
}

impl Fixture {
    fn config(&self, count: u32) -> ClientConfig {
        let mut config = ClientConfig::new("127.0.0.1", self.port, self.file.as_str());
        config.count = count;
        config
    }

    fn finish(&self) -> (Tally, String) {
        self.finished.recv_timeout(TEST_DEADLINE).unwrap()
    }
}

fn run(config: &ClientConfig) -> Result<String, PeerError> {
    let mut out = Vec::new();
    run_client(config, &mut out)?;
    Ok(String::from_utf8(out).unwrap())
}

/// `out` with the file's path shown as F and every time as [TIME], after checking
/// that each is a number.
fn redact(out: &str, file: &str) -> Vec<String> {
    out.lines()
        .map(|line| match line.split_once("is: ") {
            Some((text, time)) if text.contains("time") => {
                let _: f64 = time.parse().unwrap();
                format!("{text}is: [TIME]")
            }
            _ => line.to_owned(),
        })
        .map(|line| line.replace(file, "F"))
        .collect()
}

#[test]
fn five_transfers_over_loopback() {
    let fixture = serve(5);
    let out = run(&fixture.config(5)).unwrap();
    let lines = redact(&out, &fixture.file);
    assert_eq!(lines.len(), 1 + 5 * 3 + 2, "{out}");
    assert_eq!(lines[0], "I am connecting to server side: 127.0.0.1");
    assert_eq!(
        lines[13..16],
        [
            "I am sending file “F” for the 5th time",
            "I am finishing sending file “F” for the 5th time",
            "The time used in millisecond to send “F” for 5th time is: [TIME]",
        ]
    );
    assert_eq!(
        lines[16..],
        [
            "The average time to send file “F” in millisecond is: [TIME]",
            "I am done",
        ]
    );

    let (tally, server_out) = fixture.finish();
    assert_eq!((tally.times.len(), tally.incorrect), (5, 0));
    assert!(
        server_out.ends_with(
            "The number of incorrect transfers is: 0\nThe error rate is: 0%\nI am done\n"
        )
    );
    for nth in 1..=5 {
        let copy = fixture
            .store
            .path()
            .join(format!("received-00{nth}-data.bin"));
        assert_eq!(fs::read(copy).unwrap(), binary(3000), "copy {nth}");
    }
    assert_eq!(fs::read_dir(fixture.store.path()).unwrap().count(), 5);
}

#[test]
fn persistent_sends_every_copy_over_one_connection() {
    // The server sees one transfer holding three copies.
    let fixture = serve(1);
    let mut config = fixture.config(3);
    config.defects = vec![ClientDefect::Persistent];
    let lines = redact(&run(&config).unwrap(), &fixture.file);
    assert_eq!(lines.len(), 1 + 3 * 3 + 2);
    assert_eq!(lines[7], "I am sending file “F” for the 3rd time");
    let (tally, _) = fixture.finish();
    assert_eq!((tally.times.len(), tally.incorrect), (1, 1));
    let copy = fixture.store.path().join("received-001-data.bin");
    assert_eq!(fs::read(copy).unwrap(), binary(3000).repeat(3));
}

#[test]
fn a_refused_connection_is_retried_then_an_error() {
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let files = tempfile::tempdir().unwrap();
    let file = files.path().join("f");
    fs::write(&file, b"x").unwrap();
    let mut config = ClientConfig::new("127.0.0.1", port, file.to_str().unwrap());
    config.connect_retry = Duration::from_millis(30);
    let started = Instant::now();
    let error = run(&config).unwrap_err();
    assert!(started.elapsed() >= config.connect_retry);
    assert!(
        matches!(error, PeerError::Refused { retried, .. } if retried == config.connect_retry),
        "{error:?}"
    );
}

#[test]
fn a_missing_file_is_an_error_before_connecting() {
    let config = ClientConfig::new("127.0.0.1", 1, "/nonexistent/socklab/file");
    let error = run(&config).unwrap_err();
    assert!(matches!(error, PeerError::File { .. }), "{error:?}");
    assert_eq!(error.to_string(), "cannot read /nonexistent/socklab/file");
}
