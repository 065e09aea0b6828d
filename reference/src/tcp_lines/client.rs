//! The `reference tcp-lines client`: asks on stdin for each file's lines, sends them over
//! one TCP connection, and reports each status byte, as the handout's template does.

use std::io::{self, BufRead, Read, Write};
use std::net::{SocketAddr, TcpStream};

use super::defect::ClientDefect;
use super::error::PeerError;
use super::event::Event;
use super::message::{ByteOrder, Status, Terminator, encode_count, encode_line};
use super::prompt::{Another, ask_another, ask_count, ask_line};
use crate::address::resolve;
use crate::defects::Defects;
use crate::socket_error::SocketError;

/// Whom the client talks to and how it misbehaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientConfig {
    /// The server's host name or address.
    pub host: String,
    /// The server's port.
    pub port: u16,
    /// Deliberate defects; empty for the known-good peer.
    pub defects: Vec<ClientDefect>,
}

impl ClientConfig {
    /// The handout's client: no defects.
    pub fn new(host: impl Into<String>, port: u16) -> Self {
        ClientConfig {
            host: host.into(),
            port,
            defects: Vec::new(),
        }
    }
}

/// Connects, then for each file: asks for its number of lines and each line on `input`
/// (prompts on `out`), sends the count and each line as writes of their own, and prints
/// what the status byte says. After an `A` it asks whether to send another file; a no
/// sends the zero-line message. It returns once the server has answered a zero-line
/// message or said `Q`; a status byte that is neither `A` nor `Q` is an error.
pub fn run_client<R, W>(config: &ClientConfig, input: &mut R, out: &mut W) -> Result<(), PeerError>
where
    R: BufRead + ?Sized,
    W: Write + ?Sized,
{
    // Connect first, so that a wrong address is reported before anyone is asked to type.
    let peer = resolve(&config.host, config.port)?;
    let stream =
        TcpStream::connect(peer).map_err(|source| SocketError::Connect { peer, source })?;
    // Each count and each line a segment of its own, as the grader's framing check expects
    // of the template. Best effort: without it, only the segment boundaries change.
    let _ = stream.set_nodelay(true);
    let mut connection = Connection {
        stream,
        peer,
        defects: Defects::new(&config.defects),
    };
    loop {
        let count = ask_count(input, out)?;
        connection.send_count(count)?;
        for number in 1..=count {
            let line = ask_line(number, input, out)?.ok_or(PeerError::InputEnded {
                line: number,
                lines: count,
            })?;
            connection.send_line(&line)?;
        }
        let status = connection.receive_status(out)?;
        if status == Status::Quitting || count == 0 {
            return Ok(());
        }
        if ask_another(input, out)? == Another::No {
            connection.send_count(0)?;
            connection.receive_status(out)?;
            return Ok(());
        }
    }
}

/// The client's side of the connection, with its defects.
#[derive(Debug)]
struct Connection {
    stream: TcpStream,
    peer: SocketAddr,
    defects: Defects<ClientDefect>,
}

impl Connection {
    fn send_count(&mut self, count: u32) -> Result<(), PeerError> {
        let order = if self.defects.has(ClientDefect::LittleEndianCount) {
            ByteOrder::LittleEndian
        } else {
            ByteOrder::BigEndian
        };
        self.send(&encode_count(count, order))
    }

    fn send_line(&mut self, line: &[u8]) -> Result<(), PeerError> {
        let terminator = if self.defects.has(ClientDefect::CrlfLines) {
            Terminator::CarriageReturnLineFeed
        } else {
            Terminator::LineFeed
        };
        self.send(&encode_line(line, terminator))
    }

    fn send(&mut self, bytes: &[u8]) -> Result<(), PeerError> {
        let peer = self.peer;
        self.stream
            .write_all(bytes)
            .map_err(|source| SocketError::Send { peer, source }.into())
    }

    /// Waits for the status byte and prints what it says.
    fn receive_status<W: Write + ?Sized>(&mut self, out: &mut W) -> Result<Status, PeerError> {
        let peer = self.peer;
        let mut byte = [0];
        let len = loop {
            match self.stream.read(&mut byte) {
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                result => {
                    break result.map_err(|source| SocketError::ReceiveFrom { peer, source })?;
                }
            }
        };
        if len == 0 {
            return Err(PeerError::NoStatus { peer });
        }
        let event = Event::for_status(byte[0]);
        let status = Status::from_byte(byte[0]);
        if status.is_none() || !self.defects.has(ClientDefect::HideStatus) {
            event
                .write_line(out)
                .map_err(|source| SocketError::Log { source })?;
        }
        status.ok_or(PeerError::UnexpectedStatus {
            peer,
            byte: byte[0],
        })
    }
}

#[cfg(test)]
mod tests {
    use std::fs;
    use std::net::TcpListener;
    use std::sync::mpsc;
    use std::thread;
    use std::time::Duration;

    use super::super::defect::ServerDefect;
    use super::super::server::{Finish, Server};
    use super::*;

    const TEST_DEADLINE: Duration = Duration::from_secs(20);

    /// The grader's usual script: two files, then no more.
    const TWO_FILES: &str = "3\na\nb\nc\ny\n1\nd\nn\n";

    struct Fixture {
        port: u16,
        finished: mpsc::Receiver<(Result<Finish, PeerError>, String)>,
        dir: tempfile::TempDir,
    }

    /// The reference server on its own thread, saving into a fresh directory.
    fn serve(defects: &[ServerDefect]) -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let mut server = Server::bind("127.0.0.1", 0, dir.path(), defects).unwrap();
        let port = server.local_addr().port();
        let (done, finished) = mpsc::channel();
        thread::spawn(move || {
            let mut out = Vec::new();
            let finish = server.run(&mut out);
            // The receiver may be gone if the test already failed; nothing left to report.
            let _ = done.send((finish, String::from_utf8(out).unwrap()));
        });
        Fixture {
            port,
            finished,
            dir,
        }
    }

    fn run(config: &ClientConfig, typed: &str) -> Result<String, PeerError> {
        let mut out = Vec::new();
        run_client(config, &mut typed.as_bytes(), &mut out)?;
        Ok(String::from_utf8(out).unwrap())
    }

    impl Fixture {
        fn finish(&self) -> (Result<Finish, PeerError>, String) {
            self.finished.recv_timeout(TEST_DEADLINE).unwrap()
        }

        fn saved(&self, name: &str) -> String {
            fs::read_to_string(self.dir.path().join(name)).unwrap()
        }
    }

    #[test]
    fn two_files_then_quit_over_loopback() {
        let fixture = serve(&[]);
        let output = run(&ClientConfig::new("127.0.0.1", fixture.port), TWO_FILES).unwrap();
        assert_eq!(
            output,
            "Number of lines to send: Line 1: Line 2: Line 3: File accepted\n\
             Send another file? (y/n): Number of lines to send: Line 1: File accepted\n\
             Send another file? (y/n): Server is quitting\n"
        );
        let (finish, out) = fixture.finish();
        assert!(matches!(finish, Ok(Finish::Closed)), "{finish:?}");
        assert_eq!(
            out,
            "Saved 1.txt (3 lines)\nSaved 2.txt (1 lines)\n\
             Received the zero-line message: quitting\n"
        );
        assert_eq!(fixture.saved("1.txt"), "a\nb\nc\n");
        assert_eq!(fixture.saved("2.txt"), "d\n");
        assert!(!fixture.dir.path().join("3.txt").exists());
    }

    #[test]
    fn zero_quits_at_once_and_so_does_the_end_of_input() {
        for typed in ["0\n", ""] {
            let fixture = serve(&[]);
            let output = run(&ClientConfig::new("127.0.0.1", fixture.port), typed).unwrap();
            assert_eq!(output, "Number of lines to send: Server is quitting\n");
            let (finish, out) = fixture.finish();
            assert!(matches!(finish, Ok(Finish::Closed)), "{finish:?}");
            assert_eq!(out, "Received the zero-line message: quitting\n");
        }
    }

    #[test]
    fn hide_status_prints_no_status_lines() {
        let fixture = serve(&[]);
        let mut config = ClientConfig::new("127.0.0.1", fixture.port);
        config.defects = vec![ClientDefect::HideStatus];
        let output = run(&config, "1\nx\n").unwrap();
        assert_eq!(
            output,
            "Number of lines to send: Line 1: Send another file? (y/n): "
        );
        assert!(fixture.finish().0.is_ok());
    }

    #[test]
    fn an_a_for_the_zero_line_message_still_ends_the_client() {
        let fixture = serve(&[ServerDefect::NoQuitStatus]);
        let output = run(&ClientConfig::new("127.0.0.1", fixture.port), "0\n").unwrap();
        assert_eq!(output, "Number of lines to send: File accepted\n");
        assert!(fixture.finish().0.is_ok());
    }

    /// A stand-in server that reads exactly `expect` bytes, answers `reply`, and closes;
    /// the receiver yields the bytes it read.
    fn fake_server(expect: usize, reply: &'static [u8]) -> (u16, mpsc::Receiver<Vec<u8>>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let (done, read) = mpsc::channel();
        thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            stream.set_read_timeout(Some(TEST_DEADLINE)).unwrap();
            let mut bytes = vec![0; expect];
            stream.read_exact(&mut bytes).unwrap();
            stream.write_all(reply).unwrap();
            let _ = done.send(bytes);
        });
        (port, read)
    }

    #[test]
    fn wire_defects_change_the_bytes() {
        for (defect, wire) in [
            (None, &b"\0\0\0\x02a\nbc\n"[..]),
            (Some(ClientDefect::LittleEndianCount), b"\x02\0\0\0a\nbc\n"),
            (Some(ClientDefect::CrlfLines), b"\0\0\0\x02a\r\nbc\r\n"),
        ] {
            let (port, read) = fake_server(wire.len(), b"Q");
            let mut config = ClientConfig::new("127.0.0.1", port);
            config.defects = defect.into_iter().collect();
            let output = run(&config, "2\na\nbc\n").unwrap();
            assert!(output.ends_with("Server is quitting\n"), "{output}");
            assert_eq!(
                read.recv_timeout(TEST_DEADLINE).unwrap(),
                wire,
                "{defect:?}"
            );
        }
    }

    #[test]
    fn a_status_that_is_neither_a_nor_q_is_printed_and_an_error() {
        let (port, _read) = fake_server(4, b"X");
        let mut out = Vec::new();
        let config = ClientConfig::new("127.0.0.1", port);
        let error = run_client(&config, &mut &b"0\n"[..], &mut out).unwrap_err();
        assert!(
            matches!(error, PeerError::UnexpectedStatus { byte: b'X', .. }),
            "{error:?}"
        );
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "Number of lines to send: Unexpected status byte 0x58\n"
        );
    }

    #[test]
    fn a_server_that_closes_without_a_status_is_an_error() {
        let (port, _read) = fake_server(4, b"");
        let config = ClientConfig::new("127.0.0.1", port);
        let error = run(&config, "0\n").unwrap_err();
        assert!(matches!(error, PeerError::NoStatus { .. }), "{error:?}");
    }

    #[test]
    fn input_that_ends_mid_file_is_an_error() {
        let fixture = serve(&[]);
        let config = ClientConfig::new("127.0.0.1", fixture.port);
        let error = run(&config, "3\na\n").unwrap_err();
        assert!(
            matches!(error, PeerError::InputEnded { line: 2, lines: 3 }),
            "{error:?}"
        );
        // The server sees the stream end mid-message.
        let (finish, _) = fixture.finish();
        assert!(
            matches!(finish, Err(PeerError::Decode { .. })),
            "{finish:?}"
        );
    }
}
