//! The tcp-lines server over real sockets, against a raw client that writes exactly the
//! bytes each test needs: coalesced, sliced, cut short, or timed against the defects.

use std::fs;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::path::Path;
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use super::decoder::DecodeError;
use super::defect::ServerDefect;
use super::error::PeerError;
use super::message::encode_message;
use super::server::{Finish, Server};

const TEST_DEADLINE: Duration = Duration::from_secs(20);

struct Fixture {
    client: TcpStream,
    finished: mpsc::Receiver<(Result<Finish, PeerError>, String)>,
    dir: tempfile::TempDir,
}

/// The server on its own thread and a raw client connected to it; `prepare` runs on
/// the directory before the server starts.
fn connect(defects: &[ServerDefect], prepare: impl FnOnce(&Path)) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    prepare(dir.path());
    let mut server = Server::bind("127.0.0.1", 0, dir.path(), defects).unwrap();
    let client = TcpStream::connect(server.local_addr()).unwrap();
    client.set_read_timeout(Some(TEST_DEADLINE)).unwrap();
    client.set_nodelay(true).unwrap();
    let (done, finished) = mpsc::channel();
    thread::spawn(move || {
        let mut out = Vec::new();
        let finish = server.run(&mut out);
        // The receiver may be gone if the test already failed; nothing left to report.
        let _ = done.send((finish, String::from_utf8(out).unwrap()));
    });
    Fixture {
        client,
        finished,
        dir,
    }
}

impl Fixture {
    fn send(&mut self, bytes: &[u8]) {
        self.client.write_all(bytes).unwrap();
    }

    /// Everything the server sends until it closes the connection.
    fn statuses(&mut self) -> String {
        let mut statuses = String::new();
        self.client.read_to_string(&mut statuses).unwrap();
        statuses
    }

    fn finish(&self) -> (Result<Finish, PeerError>, String) {
        self.finished.recv_timeout(TEST_DEADLINE).unwrap()
    }

    fn saved(&self, name: &str) -> Vec<u8> {
        fs::read(self.dir.path().join(name)).unwrap()
    }
}

/// Two files and the zero-line message, as one stream.
fn two_files() -> Vec<u8> {
    [
        encode_message(&["a", "b"]),
        encode_message(&["", "c\r"]),
        encode_message::<&str>(&[]),
    ]
    .concat()
}

#[test]
fn coalesced_and_sliced_streams_are_read_alike() {
    let stream = two_files();
    for slice in [stream.len(), 1, 3] {
        let mut fixture = connect(&[], |_| {});
        for piece in stream.chunks(slice) {
            fixture.send(piece);
        }
        assert_eq!(fixture.statuses(), "AAQ", "slices of {slice}");
        let (finish, out) = fixture.finish();
        assert!(matches!(finish, Ok(Finish::Closed)), "{finish:?}");
        assert_eq!(
            out,
            "Saved 1.txt (2 lines)\nSaved 2.txt (2 lines)\n\
             Received the zero-line message: quitting\n"
        );
        assert_eq!(fixture.saved("1.txt"), b"a\nb\n");
        assert_eq!(fixture.saved("2.txt"), b"\nc\r\n");
    }
}

#[test]
fn files_from_an_earlier_connection_are_overwritten() {
    let mut fixture = connect(&[], |dir| {
        fs::write(dir.join("1.txt"), "an older and longer file\n").unwrap();
    });
    fixture.send(&two_files());
    assert_eq!(fixture.statuses(), "AAQ");
    assert_eq!(fixture.saved("1.txt"), b"a\nb\n");
}

#[test]
fn the_end_of_the_stream_before_the_zero_line_message_is_an_error() {
    let mut fixture = connect(&[], |_| {});
    fixture.send(&encode_message(&["a"]));
    fixture.client.shutdown(Shutdown::Write).unwrap();
    assert_eq!(fixture.statuses(), "A");
    let (finish, _) = fixture.finish();
    assert!(
        matches!(finish, Err(PeerError::ClosedBeforeQuit { saved: 1, .. })),
        "{finish:?}"
    );

    let mut fixture = connect(&[], |_| {});
    fixture.send(&encode_message(&["a", "b"])[..6]);
    fixture.client.shutdown(Shutdown::Write).unwrap();
    assert_eq!(fixture.statuses(), "");
    let (finish, _) = fixture.finish();
    let error = finish.unwrap_err();
    assert!(
        error.to_string().starts_with("bad stream from 127.0.0.1:"),
        "{error}"
    );
    assert!(matches!(
        error,
        PeerError::Decode {
            source: DecodeError::EndedInLines { received: 1, .. },
            ..
        }
    ));
}

#[test]
fn zero_based_names_start_at_zero() {
    let mut fixture = connect(&[ServerDefect::ZeroBasedNames], |_| {});
    fixture.send(&two_files());
    assert_eq!(fixture.statuses(), "AAQ");
    assert_eq!(fixture.saved("0.txt"), b"a\nb\n");
    assert_eq!(fixture.saved("1.txt"), b"\nc\r\n");
    assert!(fixture.finish().1.starts_with("Saved 0.txt (2 lines)\n"));
}

#[test]
fn early_status_answers_before_the_lines() {
    let mut fixture = connect(&[ServerDefect::EarlyStatus], |_| {});
    fixture.send(&[0, 0, 0, 2]);
    let mut status = [0];
    fixture.client.read_exact(&mut status).unwrap();
    assert_eq!(&status, b"A", "the A came before any line was sent");
    fixture.send(b"a\nb\n");
    fixture.send(&[0; 4]);
    assert_eq!(fixture.statuses(), "Q");
    assert_eq!(fixture.saved("1.txt"), b"a\nb\n");
}

#[test]
fn one_recv_takes_coalesced_lines_for_one() {
    let mut fixture = connect(&[ServerDefect::OneRecv], |_| {});
    // One write, so one segment: the count's recv(4) leaves both lines to the first
    // line's recv, and the second line's recv waits for a line that never comes.
    fixture.send(&encode_message(&["a", "b"]));
    fixture.client.shutdown(Shutdown::Write).unwrap();
    assert_eq!(fixture.statuses(), "", "no A: the file never ended");
    let (finish, out) = fixture.finish();
    assert!(
        matches!(
            finish,
            Err(PeerError::Decode {
                source: DecodeError::EndedInLines {
                    expected: 2,
                    received: 1,
                    partial: 0
                },
                ..
            })
        ),
        "{finish:?}"
    );
    assert_eq!(out, "");
}

#[test]
fn quit_defects() {
    let mut fixture = connect(&[ServerDefect::NoQuitStatus], |_| {});
    fixture.send(&[0; 4]);
    assert_eq!(fixture.statuses(), "A");

    let mut fixture = connect(&[ServerDefect::NoClose], |_| {});
    fixture.send(&[0; 4]);
    let mut status = [0];
    fixture.client.read_exact(&mut status).unwrap();
    assert_eq!(&status, b"Q");
    let (finish, out) = fixture.finish();
    assert!(matches!(finish, Ok(Finish::KeptOpen(_))), "{finish:?}");
    assert_eq!(out, "Received the zero-line message: quitting\n");
}

#[test]
fn missing_directory_fails_at_bind() {
    let dir = tempfile::tempdir().unwrap();
    let error = Server::bind("127.0.0.1", 0, dir.path().join("missing"), &[]).unwrap_err();
    assert!(matches!(error, PeerError::Directory { .. }), "{error:?}");
}
