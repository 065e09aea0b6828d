//! The tcp-file-100 server over real sockets, against raw clients that send the standard
//! file, a different one, or reset the connection half way.

use std::fs;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use nix::sys::socket::{setsockopt, sockopt};

use super::defect::ServerDefect;
use super::error::PeerError;
use super::server::{Server, Tally};

const TEST_DEADLINE: Duration = Duration::from_secs(20);

const STANDARD: &[u8] = b"the standard file\nwith two lines\n";

/// Stdout that hands each flushed line to the test as it is written, so the test can
/// wait for the server to reach a point instead of guessing how long that takes.
struct Lines {
    pending: Vec<u8>,
    lines: mpsc::Sender<String>,
}

impl Write for Lines {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.pending.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        let text = String::from_utf8(std::mem::take(&mut self.pending)).unwrap();
        for line in text.lines() {
            // The receiver may be gone if the test already failed.
            let _ = self.lines.send(line.to_owned());
        }
        Ok(())
    }
}

struct Fixture {
    local: SocketAddr,
    lines: mpsc::Receiver<String>,
    finished: mpsc::Receiver<(Tally, String)>,
    dir: tempfile::TempDir,
}

/// The server on its own thread, serving `count` transfers of a standard file that
/// sits in the store directory.
fn serve(count: u32, defects: &[ServerDefect]) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let standard = dir.path().join("standard.txt");
    fs::write(&standard, STANDARD).unwrap();
    let mut server = Server::bind(
        "127.0.0.1",
        0,
        standard.to_str().unwrap(),
        dir.path(),
        defects,
    )
    .unwrap();
    let local = server.local_addr();
    let (line, lines) = mpsc::channel();
    let (done, finished) = mpsc::channel();
    thread::spawn(move || {
        let mut out = Lines {
            pending: Vec::new(),
            lines: line,
        };
        let mut errors = Vec::new();
        let tally = server.run(count, &mut out, &mut errors).unwrap();
        let _ = done.send((tally, String::from_utf8(errors).unwrap()));
    });
    Fixture {
        local,
        lines,
        finished,
        dir,
    }
}

impl Fixture {
    /// The server's lines up to and including the first that is `last`.
    fn lines_until(&self, last: impl Fn(&str) -> bool) -> Vec<String> {
        let mut seen = Vec::new();
        loop {
            let line = self.lines.recv_timeout(TEST_DEADLINE).unwrap();
            let found = last(&line);
            seen.push(line);
            if found {
                return seen;
            }
        }
    }

    /// Sends `bytes` as one transfer, textbook style; returns what the server sent.
    fn transfer(&self, bytes: &[u8]) -> Vec<u8> {
        let mut stream = TcpStream::connect(self.local).unwrap();
        stream.set_read_timeout(Some(TEST_DEADLINE)).unwrap();
        stream.write_all(bytes).unwrap();
        stream.shutdown(Shutdown::Write).unwrap();
        let mut reply = Vec::new();
        stream.read_to_end(&mut reply).unwrap();
        reply
    }

    fn stored(&self, name: &str) -> Vec<u8> {
        fs::read(self.dir.path().join(name)).unwrap()
    }
}

#[test]
fn counts_different_and_reset_copies_as_incorrect_and_goes_on() {
    let fixture = serve(4, &[]);
    assert_eq!(fixture.transfer(STANDARD), b"", "the server only closes");
    fixture.transfer(b"the standard file\n");

    // A reset once the server is reading: RST instead of FIN on close.
    let mut stream = TcpStream::connect(fixture.local).unwrap();
    fixture.lines_until(|line| line.starts_with("I am starting") && line.ends_with("3rd time"));
    stream.write_all(&STANDARD[..5]).unwrap();
    let abort = nix::libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    setsockopt(&stream, sockopt::Linger, &abort).unwrap();
    drop(stream);

    fixture.transfer(STANDARD);
    let (tally, errors) = fixture.finished.recv_timeout(TEST_DEADLINE).unwrap();
    assert_eq!(tally.times.len(), 4);
    assert_eq!(tally.incorrect, 2);
    assert_eq!(fixture.stored("received-001-standard.txt"), STANDARD);
    assert_eq!(
        fixture.stored("received-002-standard.txt"),
        b"the standard file\n"
    );
    assert!(STANDARD.starts_with(&fixture.stored("received-003-standard.txt")));
    assert_eq!(fixture.stored("received-004-standard.txt"), STANDARD);
    let errors: Vec<&str> = errors.lines().collect();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(
        errors[0].starts_with("copy 2 from 127.0.0.1:")
            && errors[0].ends_with(
                "differs from the standard file (18 bytes, the standard has 33): \
                 counted as incorrect"
            ),
        "{errors:?}"
    );
    assert!(
        errors[1].starts_with("transfer 3 from 127.0.0.1:")
            && errors[1].ends_with("counted as incorrect"),
        "{errors:?}"
    );
    let summary = fixture.lines_until(|line| line == "I am done");
    assert_eq!(
        summary[summary.len() - 3..],
        [
            "The number of incorrect transfers is: 2",
            "The error rate is: 50%",
            "I am done",
        ]
    );
}

#[test]
fn prints_the_required_lines_in_order() {
    let fixture = serve(2, &[]);
    fixture.transfer(STANDARD);
    fixture.transfer(STANDARD);
    let lines = fixture.lines_until(|line| line == "I am done");
    let file = fixture.dir.path().join("standard.txt");
    let file = file.to_str().unwrap();
    let shapes: Vec<String> = lines
        .iter()
        .map(|line| match line.split_once("is: ") {
            Some((text, time)) if text.contains("time") => {
                time.parse::<f64>().unwrap();
                format!("{text}is: [TIME]")
            }
            _ => line.clone(),
        })
        .map(|line| line.replace(file, "F"))
        .collect();
    assert_eq!(
        shapes,
        [
            "I am ready for any client side request",
            "I am starting receiving file “F” for the 1st time",
            "I am finishing receiving file “F” for the 1st time",
            "The time used in millisecond to receive “F” for 1st time is: [TIME]",
            "I am starting receiving file “F” for the 2nd time",
            "I am finishing receiving file “F” for the 2nd time",
            "The time used in millisecond to receive “F” for 2nd time is: [TIME]",
            "The average time to receive file “F” in millisecond is: [TIME]",
            "The number of incorrect transfers is: 0",
            "The error rate is: 0%",
            "I am done",
        ]
    );
}

#[test]
fn a_missing_standard_file_fails_at_bind() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.txt");
    let error =
        Server::bind("127.0.0.1", 0, missing.to_str().unwrap(), dir.path(), &[]).unwrap_err();
    assert!(matches!(error, PeerError::File { .. }), "{error:?}");
    let standard = dir.path().join("standard.txt");
    fs::write(&standard, STANDARD).unwrap();
    let error = Server::bind(
        "127.0.0.1",
        0,
        standard.to_str().unwrap(),
        dir.path().join("missing"),
        &[],
    )
    .unwrap_err();
    assert!(matches!(error, PeerError::Directory { .. }), "{error:?}");
}

#[test]
fn copies_are_named_after_the_files_last_component() {
    let dir = tempfile::tempdir().unwrap();
    let standard = dir.path().join("xyz.bin");
    fs::write(&standard, b"x").unwrap();
    let store = dir.path().join("store");
    fs::create_dir(&store).unwrap();
    let server = Server::bind("127.0.0.1", 0, standard.to_str().unwrap(), &store, &[]).unwrap();
    assert_eq!(server.copy_path(7), store.join("received-007-xyz.bin"));
    assert_eq!(server.copy_path(1000), store.join("received-1000-xyz.bin"));
}
