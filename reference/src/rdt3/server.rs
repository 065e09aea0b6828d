//! The `reference rdt3 server` socket loop: drives a [`Receiver`] over a real UDP socket.

use std::convert::Infallible;
use std::io::Write;
use std::net::{SocketAddr, UdpSocket};
use std::time::Instant;

use super::defect::ServerDefect;
use super::receiver::Receiver;
use super::socket::{MAX_DATAGRAM, PeerError, resolve};
use crate::socket_error::SocketError;
use crate::wait::{self, Readiness};

/// A bound rdt3 server: one socket, one receiver, replying to whoever sent each datagram.
#[derive(Debug)]
pub struct Server {
    socket: UdpSocket,
    local: SocketAddr,
    receiver: Receiver,
    buffer: Vec<u8>,
}

/// What one turn of [`Server::serve_next`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Served {
    /// A datagram from `from` was handled and answered.
    Datagram { from: SocketAddr },
    /// The deadline passed with no datagram.
    DeadlineReached,
}

impl Server {
    /// Binds `host:port` (port 0 picks a free one) with a receiver waiting for seq 0.
    pub fn bind(host: &str, port: u16, defects: &[ServerDefect]) -> Result<Self, PeerError> {
        let requested = resolve(host, port)?;
        let socket = UdpSocket::bind(requested).map_err(|source| SocketError::Bind {
            local: requested,
            source,
        })?;
        // The real port when 0 was asked for; the grader reads it from the first line.
        let local = socket.local_addr().unwrap_or(requested);
        Ok(Server {
            socket,
            local,
            receiver: Receiver::new(defects),
            buffer: vec![0; MAX_DATAGRAM],
        })
    }

    /// The address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }

    /// Announces `Listening on ADDRESS` and serves until an I/O error; stopping it is a
    /// signal's job.
    pub fn run<W: Write + ?Sized>(&mut self, out: &mut W) -> Result<Infallible, PeerError> {
        writeln!(out, "Listening on {}", self.local)
            .and_then(|()| out.flush())
            .map_err(|source| SocketError::Log { source })?;
        loop {
            self.serve_next(out, None)?;
        }
    }

    /// Waits for one datagram (until `deadline`, if given), answers it and logs what
    /// happened as lines on `out`.
    pub fn serve_next<W: Write + ?Sized>(
        &mut self,
        out: &mut W,
        deadline: Option<Instant>,
    ) -> Result<Served, PeerError> {
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
        self.receiver.handle_datagram(&self.buffer[..len]);
        // Reply to the datagram's source: the client's ephemeral port, or the grader's relay.
        while let Some(reply) = self.receiver.poll_transmit() {
            self.socket
                .send_to(&reply, from)
                .map_err(|source| SocketError::Send { peer: from, source })?;
        }
        while let Some(event) = self.receiver.poll_event() {
            event
                .write_line(out)
                .map_err(|source| SocketError::Log { source })?;
        }
        Ok(Served::Datagram { from })
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use socklab_protocol::rdt3::packet::{Packet, Repr};

    use super::*;

    #[test]
    fn answers_the_sender_and_logs_each_step() {
        let mut server = Server::bind("127.0.0.1", 0, &[]).unwrap();
        let client = UdpSocket::bind("127.0.0.1:0").unwrap();
        client
            .send_to(&Repr::data(0, *b"NCC-1701").to_bytes(), server.local_addr())
            .unwrap();
        let mut log = Vec::new();
        let deadline = Instant::now() + Duration::from_secs(10);
        let served = server.serve_next(&mut log, Some(deadline)).unwrap();
        assert_eq!(
            served,
            Served::Datagram {
                from: client.local_addr().unwrap()
            }
        );

        let mut reply = [0; 64];
        client
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let len = client.recv(&mut reply).unwrap();
        let ack = Packet::new_checked(&reply[..len]).unwrap();
        assert_eq!(Repr::parse(&ack), Ok(Repr::ack_for(0)));

        let log = String::from_utf8(log).unwrap();
        let steps: Vec<&str> = log
            .lines()
            .map(|line| line.split(':').next().unwrap_or_default())
            .collect();
        assert_eq!(
            steps,
            ["Received Packet", "Checksum", "Delivered", "Sent Packet"]
        );
    }

    #[test]
    fn quiet_socket_reaches_the_deadline() {
        let mut server = Server::bind("127.0.0.1", 0, &[]).unwrap();
        let served = server
            .serve_next(&mut Vec::new(), Some(Instant::now()))
            .unwrap();
        assert_eq!(served, Served::DeadlineReached);
    }

    #[test]
    fn taken_port_is_a_bind_error() {
        let server = Server::bind("127.0.0.1", 0, &[]).unwrap();
        let port = server.local_addr().port();
        let error = Server::bind("127.0.0.1", port, &[]).unwrap_err();
        assert!(
            matches!(error, PeerError::Socket(SocketError::Bind { .. })),
            "{error:?}"
        );
    }
}
