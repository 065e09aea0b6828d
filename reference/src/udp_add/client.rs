//! The `reference udp-add client`: prompts for one integer, sends it with its name, and
//! prints the exchange — or, for text the server must not answer, what became of it.

use std::io::{BufRead, Write};
use std::net::UdpSocket;
use std::time::{Duration, Instant};

use super::defect::ClientDefect;
use super::error::PeerError;
use super::event::{Event, summary};
use super::message::{Message, in_range, parse_integer, request};
use super::reply::{SendAgain, receive, send_again_unless_answered, wait_for_reply};
use crate::address::{local_for, resolve};
use crate::defects::Defects;
use crate::socket_error::SocketError;

/// The client's name unless `--name` says otherwise.
pub const DEFAULT_NAME: &str = "Client of Socklab Reference";

/// How long the client waits for the server's reply.
pub const DEFAULT_REPLY_TIMEOUT: Duration = Duration::from_secs(2);

/// The handout's prompt, printed without a newline as Python's `input()` does.
pub const PROMPT: &str = "Enter an integer between 1 and 100: ";

/// Whom the client talks to, as whom, and how it misbehaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientConfig {
    /// The server's host name or address.
    pub host: String,
    /// The server's port.
    pub port: u16,
    /// The name sent before the number.
    pub name: String,
    /// How long to wait for the server's reply.
    pub reply_timeout: Duration,
    /// When set: if the server has sent nothing this long after the request, send the
    /// typed integer again, alone, for a server that reads the name and the integer from
    /// two datagrams (it took the whole request for the name).
    pub integer_again_after: Option<Duration>,
    /// Deliberate defects; empty for the known-good peer.
    pub defects: Vec<ClientDefect>,
}

impl ClientConfig {
    /// The handout's client: the default name and timeout, no defects.
    pub fn new(host: impl Into<String>, port: u16) -> Self {
        ClientConfig {
            host: host.into(),
            port,
            name: DEFAULT_NAME.to_owned(),
            reply_timeout: DEFAULT_REPLY_TIMEOUT,
            integer_again_after: None,
            defects: Vec::new(),
        }
    }
}

/// Prompts on `out`, reads one line from `input` and sends it, as typed, to the server.
/// Then, by what the line holds:
///
/// - an integer in range: waits for the reply and prints the five summary lines; no reply
///   in time is an error;
/// - an integer out of range: says the server should shut down, and waits for nothing;
/// - anything else: waits as long for a reply the server should not send, and says whether
///   one came. The grader uses this to see what a server does with bad input.
pub fn run_client<R, W>(config: &ClientConfig, input: &mut R, out: &mut W) -> Result<(), PeerError>
where
    R: BufRead + ?Sized,
    W: Write + ?Sized,
{
    // Socket first, so that a bad --host is reported before anyone is asked to type.
    let peer = resolve(&config.host, config.port)?;
    let local = local_for(peer);
    let socket = UdpSocket::bind(local).map_err(|source| SocketError::Bind { local, source })?;
    let local = socket.local_addr().unwrap_or(local);
    let log_error = |source| SocketError::Log { source };

    write!(out, "{PROMPT}")
        .and_then(|()| out.flush())
        .map_err(log_error)?;
    let mut line = Vec::new();
    let read = input
        .read_until(b'\n', &mut line)
        .map_err(|source| PeerError::Input { source })?;
    if read == 0 {
        return Err(PeerError::NoInput);
    }
    let typed = String::from_utf8_lossy(&line).trim().to_owned();

    socket
        .send_to(&request(&config.name, &typed), peer)
        .map_err(|source| SocketError::Send { peer, source })?;
    let sent_at = Instant::now();
    let deadline = sent_at + config.reply_timeout;
    let again = config.integer_again_after.map(|after| SendAgain {
        at: sent_at + after,
        text: &typed,
        peer,
    });
    let events = match parse_integer(&typed) {
        Some(number) if in_range(number) => {
            let (server, sent_again) =
                wait_for_reply(&socket, local, deadline, config.reply_timeout, again)?;
            let own = Message::new(config.name.as_str(), number);
            let summary = client_summary(&Defects::new(&config.defects), &own, &server);
            let note = sent_again.then_some(Event::SentIntegerAgain);
            note.into_iter().chain(summary).collect()
        }
        Some(number) => {
            Event::SentOutOfRange { sent: number }
                .write_line(out)
                .map_err(log_error)?;
            match again {
                Some(again) if send_again_unless_answered(&socket, local, again)? => {
                    vec![Event::SentIntegerAgain]
                }
                _ => Vec::new(),
            }
        }
        None => match receive(&socket, local, deadline)? {
            None => vec![Event::NoReply { sent: typed }],
            Some(reply) => vec![Event::Replied {
                sent: typed,
                reply: String::from_utf8_lossy(&reply).into_owned(),
            }],
        },
    };
    for event in events {
        event.write_line(out).map_err(log_error)?;
    }
    Ok(())
}

/// The summary as this client prints it: the textbook's, bent by its defects.
fn client_summary(defects: &Defects<ClientDefect>, own: &Message, server: &Message) -> Vec<Event> {
    let mut events = summary(own, server);
    if defects.has(ClientDefect::WrongSum) {
        for event in &mut events {
            if let Event::Sum(sum) = event {
                *sum = sum.saturating_add(1);
            }
        }
    }
    if defects.has(ClientDefect::NoServerName) {
        events.retain(|event| !matches!(event, Event::ServerName(_)));
    }
    events
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;
    use std::thread;

    use super::super::responder::Responder;
    use super::super::server::{Server, Stop};
    use super::*;

    const TEST_DEADLINE: Duration = Duration::from_secs(20);

    /// How long a test client waits for a reply that should not come: short, since the
    /// wait always runs to its end when the server is right.
    const SHORT_WAIT: Duration = Duration::from_millis(50);

    /// The reference server on its own thread, serving until an out-of-range number;
    /// the receiver yields its stop and its stdout and stderr.
    fn spawn_server() -> (u16, mpsc::Receiver<(Stop, String, String)>) {
        let mut server = Server::bind(
            "127.0.0.1",
            0,
            Responder::new("Server of Socklab Reference", 57, &[]),
        )
        .unwrap();
        let port = server.local_addr().port();
        let (done, finished) = mpsc::channel();
        thread::spawn(move || {
            let (mut out, mut errors) = (Vec::new(), Vec::new());
            let stop = server.run(&mut out, &mut errors).unwrap();
            // The receiver may be gone if the test already failed; nothing left to report.
            let _ = done.send((
                stop,
                String::from_utf8(out).unwrap(),
                String::from_utf8(errors).unwrap(),
            ));
        });
        (port, finished)
    }

    fn run(config: &ClientConfig, typed: &str) -> Result<String, PeerError> {
        let mut out = Vec::new();
        run_client(config, &mut typed.as_bytes(), &mut out)?;
        Ok(String::from_utf8(out).unwrap())
    }

    #[test]
    fn exchange_then_shutdown_over_loopback() {
        let (port, finished) = spawn_server();
        let config = ClientConfig::new("127.0.0.1", port);

        assert_eq!(
            run(&config, "42\n").unwrap(),
            "Enter an integer between 1 and 100: \
             Client's name: Client of Socklab Reference\n\
             Server's name: Server of Socklab Reference\n\
             Client's number: 42\nServer's number: 57\nSum: 99\n"
        );
        assert_eq!(
            run(&config, "0\n").unwrap(),
            "Enter an integer between 1 and 100: \
             Sent 0, outside 1-100: the server should shut down\n"
        );

        let (stop, out, errors) = finished.recv_timeout(TEST_DEADLINE).unwrap();
        assert_eq!(stop, Stop::Close);
        assert_eq!(
            out,
            "Client's name: Client of Socklab Reference\n\
             Server's name: Server of Socklab Reference\n\
             Client's number: 42\nServer's number: 57\nSum: 99\n\
             Received 0, outside 1-100: shutting down\n"
        );
        assert_eq!(errors, "");
    }

    #[test]
    fn text_that_is_no_integer_gets_no_reply() {
        let (port, finished) = spawn_server();
        let mut config = ClientConfig::new("127.0.0.1", port);
        config.reply_timeout = SHORT_WAIT;
        assert_eq!(
            run(&config, "abc\n").unwrap(),
            "Enter an integer between 1 and 100: No reply (the server ignored \"abc\")\n"
        );
        run(&config, "-5").unwrap();
        let (stop, out, errors) = finished.recv_timeout(TEST_DEADLINE).unwrap();
        assert_eq!(stop, Stop::Close);
        assert_eq!(out, "Received -5, outside 1-100: shutting down\n");
        assert_eq!(
            errors,
            "ignoring a message with no integer: \"Client of Socklab Reference\\nabc\"\n"
        );
    }

    #[test]
    fn sends_the_text_as_typed_and_reports_a_reply_to_it() {
        let server = UdpSocket::bind("127.0.0.1:0").unwrap();
        server.set_read_timeout(Some(TEST_DEADLINE)).unwrap();
        let mut config = ClientConfig::new("127.0.0.1", server.local_addr().unwrap().port());
        config.name = "Client of Q".to_owned();
        let client = thread::spawn(move || run(&config, "  4 2 \n"));
        let mut datagram = [0; 128];
        let (len, from) = server.recv_from(&mut datagram).unwrap();
        assert_eq!(&datagram[..len], b"Client of Q\n4 2");
        server.send_to(b"Server\n57", from).unwrap();
        assert_eq!(
            client.join().unwrap().unwrap(),
            "Enter an integer between 1 and 100: \
             The server replied to \"4 2\": \"Server\\n57\"\n"
        );
    }

    #[test]
    fn silent_server_is_an_error() {
        let silent = UdpSocket::bind("127.0.0.1:0").unwrap();
        let mut config = ClientConfig::new("127.0.0.1", silent.local_addr().unwrap().port());
        config.reply_timeout = SHORT_WAIT;
        let error = run(&config, "42\n").unwrap_err();
        assert!(matches!(error, PeerError::NoReply { timeout } if timeout == SHORT_WAIT));
    }

    #[test]
    fn reply_with_no_integer_is_an_error() {
        let server = UdpSocket::bind("127.0.0.1:0").unwrap();
        server.set_read_timeout(Some(TEST_DEADLINE)).unwrap();
        let config = ClientConfig::new("127.0.0.1", server.local_addr().unwrap().port());
        let client = thread::spawn(move || run(&config, "42\n"));
        let mut datagram = [0; 128];
        let (_, from) = server.recv_from(&mut datagram).unwrap();
        server.send_to(b"hello\nthere", from).unwrap();
        let error = client.join().unwrap().unwrap_err();
        assert!(
            matches!(&error, PeerError::MalformedReply { reply } if reply == "hello\nthere"),
            "{error:?}"
        );
    }

    /// A server that answers with its name, then its number, in two datagrams.
    #[test]
    fn a_reply_in_two_datagrams_is_one_reply() {
        let server = UdpSocket::bind("127.0.0.1:0").unwrap();
        server.set_read_timeout(Some(TEST_DEADLINE)).unwrap();
        let config = ClientConfig::new("127.0.0.1", server.local_addr().unwrap().port());
        let client = thread::spawn(move || run(&config, "42\n"));
        let mut datagram = [0; 128];
        let (_, from) = server.recv_from(&mut datagram).unwrap();
        server.send_to(b"Server of Q", from).unwrap();
        server.send_to(b"57", from).unwrap();
        assert_eq!(
            client.join().unwrap().unwrap(),
            "Enter an integer between 1 and 100: \
             Client's name: Client of Socklab Reference\n\
             Server's name: Server of Q\n\
             Client's number: 42\nServer's number: 57\nSum: 99\n"
        );
    }

    /// A server that reads the name and the integer from two datagrams takes the whole
    /// request for the name and waits; with `integer_again_after` the client then sends
    /// the integer alone, once, and gets its answer.
    #[test]
    fn the_integer_is_sent_again_alone_to_a_server_that_waits_for_it() {
        let server = UdpSocket::bind("127.0.0.1:0").unwrap();
        server.set_read_timeout(Some(TEST_DEADLINE)).unwrap();
        let mut config = ClientConfig::new("127.0.0.1", server.local_addr().unwrap().port());
        config.integer_again_after = Some(SHORT_WAIT);
        config.reply_timeout = TEST_DEADLINE;
        let client = thread::spawn(move || run(&config, "42\n"));
        let mut datagram = [0; 128];
        let (len, _) = server.recv_from(&mut datagram).unwrap();
        assert_eq!(&datagram[..len], b"Client of Socklab Reference\n42");
        let (len, from) = server.recv_from(&mut datagram).unwrap();
        assert_eq!(&datagram[..len], b"42");
        server.send_to(b"Server of Q", from).unwrap();
        server.send_to(b"57", from).unwrap();
        let out = client.join().unwrap().unwrap();
        assert!(
            out.starts_with(
                "Enter an integer between 1 and 100: No answer yet: sent the integer again"
            ),
            "{out}"
        );
        assert!(
            out.ends_with(
                "Server's name: Server of Q\nClient's number: 42\nServer's number: 57\nSum: 99\n"
            ),
            "{out}"
        );
    }

    #[test]
    fn an_answered_request_is_not_sent_again() {
        let (port, finished) = spawn_server();
        let mut config = ClientConfig::new("127.0.0.1", port);
        config.integer_again_after = Some(TEST_DEADLINE);
        config.reply_timeout = TEST_DEADLINE;
        let out = run(&config, "42\n").unwrap();
        assert!(!out.contains("again"), "{out}");
        run(&ClientConfig::new("127.0.0.1", port), "0\n").unwrap();
        let (_, _, errors) = finished.recv_timeout(TEST_DEADLINE).unwrap();
        assert_eq!(errors, "");
    }

    #[test]
    fn an_out_of_range_integer_is_sent_again_alone_when_asked() {
        let server = UdpSocket::bind("127.0.0.1:0").unwrap();
        server.set_read_timeout(Some(TEST_DEADLINE)).unwrap();
        let mut config = ClientConfig::new("127.0.0.1", server.local_addr().unwrap().port());
        config.integer_again_after = Some(SHORT_WAIT);
        let client = thread::spawn(move || run(&config, "0\n"));
        let mut datagram = [0; 128];
        let (len, _) = server.recv_from(&mut datagram).unwrap();
        assert_eq!(&datagram[..len], b"Client of Socklab Reference\n0");
        let (len, _) = server.recv_from(&mut datagram).unwrap();
        assert_eq!(&datagram[..len], b"0");
        let out = client.join().unwrap().unwrap();
        assert!(out.contains("Sent 0, outside 1-100"), "{out}");
        assert!(out.contains("sent the integer again"), "{out}");
    }

    #[test]
    fn empty_stdin_is_an_error() {
        let silent = UdpSocket::bind("127.0.0.1:0").unwrap();
        let config = ClientConfig::new("127.0.0.1", silent.local_addr().unwrap().port());
        let error = run(&config, "").unwrap_err();
        assert!(matches!(error, PeerError::NoInput), "{error:?}");
    }

    #[test]
    fn summary_defects() {
        let own = Message::new("Client of Socklab Reference", 42);
        let server = Message::new("Server of X", 57);
        let lines = |defects: &[ClientDefect]| -> Vec<String> {
            client_summary(&Defects::new(defects), &own, &server)
                .iter()
                .map(ToString::to_string)
                .collect()
        };
        let good = lines(&[]);
        assert_eq!(good[4], "Sum: 99");

        let wrong_sum = lines(&[ClientDefect::WrongSum]);
        assert_eq!(wrong_sum[..4], good[..4]);
        assert_eq!(wrong_sum[4], "Sum: 100");

        let no_name = lines(&[ClientDefect::NoServerName]);
        assert_eq!(
            no_name,
            [
                "Client's name: Client of Socklab Reference",
                "Client's number: 42",
                "Server's number: 57",
                "Sum: 99",
            ]
        );
    }
}
