//! The `reference udp-add server` socket loop: drives a [`Responder`] over a real UDP
//! socket until an out-of-range number arrives.

use std::io::Write;
use std::net::{SocketAddr, UdpSocket};
use std::time::Instant;

use super::error::PeerError;
use super::message::MAX_DATAGRAM;
use super::responder::{AfterShutdown, Responder, Response};
use crate::address::resolve;
use crate::socket_error::SocketError;
use crate::wait::{self, Readiness};

/// A bound udp-add server, replying to whoever sent each datagram.
#[derive(Debug)]
pub struct Server {
    socket: UdpSocket,
    local: SocketAddr,
    responder: Responder,
    buffer: Vec<u8>,
}

/// What one turn of [`Server::serve_next`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Served {
    /// An in-range number from `from` was answered.
    Answered { from: SocketAddr },
    /// A datagram from `from` held no integer: ignored, or held as a name for the integer
    /// that follows it.
    Ignored { from: SocketAddr },
    /// An out-of-range number arrived; `then` says what the server does next.
    ShutDown { then: AfterShutdown },
    /// The deadline passed with no datagram.
    DeadlineReached,
}

/// Why [`Server::run`] returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// The textbook: the caller drops the server, closing the socket, and exits.
    Close,
    /// The `hold-port` defect: the caller hands the socket to a child before exiting
    /// ([`hold_port::hold_in_child`](super::hold_port::hold_in_child)).
    HoldPort,
}

impl Server {
    /// Binds `host:port` (port 0 picks a free one) to answer as `responder` decides.
    pub fn bind(host: &str, port: u16, responder: Responder) -> Result<Self, PeerError> {
        let requested = resolve(host, port)?;
        let socket = UdpSocket::bind(requested).map_err(|source| SocketError::Bind {
            local: requested,
            source,
        })?;
        // The real port when 0 was asked for.
        let local = socket.local_addr().unwrap_or(requested);
        Ok(Server {
            socket,
            local,
            responder,
            buffer: vec![0; MAX_DATAGRAM],
        })
    }

    /// The address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }

    /// Gives up the socket, still open; for the `hold-port` defect.
    pub fn into_socket(self) -> UdpSocket {
        self.socket
    }

    /// Serves until an out-of-range number says to stop (for good, unless a defect
    /// says otherwise); summaries go to `out`, complaints about bad datagrams to `errors`.
    pub fn run<W, E>(&mut self, out: &mut W, errors: &mut E) -> Result<Stop, PeerError>
    where
        W: Write + ?Sized,
        E: Write + ?Sized,
    {
        loop {
            match self.serve_next(out, errors, None)? {
                Served::ShutDown {
                    then: AfterShutdown::Close,
                } => return Ok(Stop::Close),
                Served::ShutDown {
                    then: AfterShutdown::HoldPort,
                } => return Ok(Stop::HoldPort),
                Served::ShutDown {
                    then: AfterShutdown::KeepServing,
                }
                | Served::Answered { .. }
                | Served::Ignored { .. }
                | Served::DeadlineReached => {}
            }
        }
    }

    /// Waits for one datagram (until `deadline`, if given) and handles it.
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
        match self.responder.respond(from, &self.buffer[..len]) {
            Response::Answer { events, replies } => {
                for event in events {
                    event.write_line(out).map_err(log_error)?;
                }
                // To the datagram's source: the client's ephemeral port, or the grader's relay.
                for reply in replies {
                    self.socket
                        .send_to(&reply, from)
                        .map_err(|source| SocketError::Send { peer: from, source })?;
                }
                Ok(Served::Answered { from })
            }
            Response::ShutDown { event, then } => {
                event.write_line(out).map_err(log_error)?;
                Ok(Served::ShutDown { then })
            }
            Response::HoldName { name } => {
                writeln!(
                    errors,
                    "no integer in {name:?}: holding it as the client's name until its integer comes"
                )
                .and_then(|()| errors.flush())
                .map_err(log_error)?;
                Ok(Served::Ignored { from })
            }
            Response::Ignore { text } => {
                writeln!(errors, "ignoring a message with no integer: {text:?}")
                    .and_then(|()| errors.flush())
                    .map_err(log_error)?;
                Ok(Served::Ignored { from })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::super::defect::ServerDefect;
    use super::*;

    const TEST_DEADLINE: Duration = Duration::from_secs(20);

    fn server(defects: &[ServerDefect]) -> Server {
        Server::bind(
            "127.0.0.1",
            0,
            Responder::new("Server of Socklab Reference", 57, defects),
        )
        .unwrap()
    }

    fn client() -> UdpSocket {
        let client = UdpSocket::bind("127.0.0.1:0").unwrap();
        client.set_read_timeout(Some(TEST_DEADLINE)).unwrap();
        client
    }

    fn serve(server: &mut Server) -> (Served, String, String) {
        let (mut out, mut errors) = (Vec::new(), Vec::new());
        let deadline = Instant::now() + TEST_DEADLINE;
        let served = server
            .serve_next(&mut out, &mut errors, Some(deadline))
            .unwrap();
        (
            served,
            String::from_utf8(out).unwrap(),
            String::from_utf8(errors).unwrap(),
        )
    }

    #[test]
    fn answers_the_sender_and_prints_the_summary() {
        let mut server = server(&[]);
        let client = client();
        client
            .send_to(b"Client of X\n42", server.local_addr())
            .unwrap();
        let (served, out, errors) = serve(&mut server);
        assert_eq!(
            served,
            Served::Answered {
                from: client.local_addr().unwrap()
            }
        );
        assert_eq!(
            out,
            "Client's name: Client of X\nServer's name: Server of Socklab Reference\n\
             Client's number: 42\nServer's number: 57\nSum: 99\n"
        );
        assert_eq!(errors, "");
        let mut reply = [0; 128];
        let len = client.recv(&mut reply).unwrap();
        assert_eq!(&reply[..len], b"Server of Socklab Reference\n57");
    }

    #[test]
    fn ignores_a_datagram_with_no_integer_on_stderr() {
        let mut server = server(&[]);
        let client = client();
        client.send_to(b"Client\nabc", server.local_addr()).unwrap();
        let (served, out, errors) = serve(&mut server);
        assert!(matches!(served, Served::Ignored { .. }), "{served:?}");
        assert_eq!(out, "");
        assert_eq!(
            errors,
            "ignoring a message with no integer: \"Client\\nabc\"\n"
        );
    }

    #[test]
    fn a_name_then_an_integer_is_answered_in_two_datagrams() {
        let mut server = server(&[]);
        let client = client();
        client.send_to(b"Client of X", server.local_addr()).unwrap();
        let (served, out, errors) = serve(&mut server);
        assert!(matches!(served, Served::Ignored { .. }), "{served:?}");
        assert_eq!(out, "");
        assert_eq!(
            errors,
            "no integer in \"Client of X\": holding it as the client's name until its integer comes\n"
        );
        client.send_to(b"42", server.local_addr()).unwrap();
        let (served, out, _) = serve(&mut server);
        assert!(matches!(served, Served::Answered { .. }), "{served:?}");
        assert!(out.starts_with("Client's name: Client of X\n"), "{out}");
        let mut reply = [0; 128];
        let len = client.recv(&mut reply).unwrap();
        assert_eq!(&reply[..len], b"Server of Socklab Reference");
        let len = client.recv(&mut reply).unwrap();
        assert_eq!(&reply[..len], b"57");
    }

    #[test]
    fn run_stops_on_an_out_of_range_number() {
        let mut server = server(&[]);
        let client = client();
        client.send_to(b"Client\nabc", server.local_addr()).unwrap();
        client.send_to(b"Client\n101", server.local_addr()).unwrap();
        let (mut out, mut errors) = (Vec::new(), Vec::new());
        // Both datagrams are queued before `run` starts, so it returns without waiting.
        assert_eq!(server.run(&mut out, &mut errors).unwrap(), Stop::Close);
        assert_eq!(out, b"Received 101, outside 1-100: shutting down\n");
    }

    #[test]
    fn no_shutdown_keeps_serving_after_the_shutdown_line() {
        let mut server = server(&[ServerDefect::NoShutdown]);
        let client = client();
        client.send_to(b"Client\n0", server.local_addr()).unwrap();
        let (served, out, _) = serve(&mut server);
        assert_eq!(
            served,
            Served::ShutDown {
                then: AfterShutdown::KeepServing
            }
        );
        assert_eq!(out, "Received 0, outside 1-100: shutting down\n");
        client.send_to(b"Client\n42", server.local_addr()).unwrap();
        let (served, _, _) = serve(&mut server);
        assert!(matches!(served, Served::Answered { .. }), "{served:?}");
    }

    #[test]
    fn hold_port_asks_the_caller_to_hand_over_the_socket() {
        let mut server = server(&[ServerDefect::HoldPort]);
        let client = client();
        client.send_to(b"Client\n0", server.local_addr()).unwrap();
        let stop = server.run(&mut Vec::new(), &mut Vec::new()).unwrap();
        assert_eq!(stop, Stop::HoldPort);
    }

    #[test]
    fn quiet_socket_reaches_the_deadline() {
        let mut server = server(&[]);
        let served = server
            .serve_next(&mut Vec::new(), &mut Vec::new(), Some(Instant::now()))
            .unwrap();
        assert_eq!(served, Served::DeadlineReached);
    }

    #[test]
    fn taken_port_is_a_bind_error() {
        let first = server(&[]);
        let port = first.local_addr().port();
        let error = Server::bind("127.0.0.1", port, Responder::new("S", 57, &[])).unwrap_err();
        assert!(
            matches!(error, PeerError::Socket(SocketError::Bind { .. })),
            "{error:?}"
        );
    }
}
