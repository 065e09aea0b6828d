//! The `reference tcp-over-udp server` socket loop: drives a [`Receiver`] over a real UDP
//! socket for one connection, writing the received bytes to one stream and the log to
//! another, and returns when the connection is over.

use std::io::Write;
use std::net::{SocketAddr, UdpSocket};
use std::time::Instant;

use super::defect::ServerDefect;
use super::error::PeerError;
use super::event::{Ending, Event};
use super::numbers::{RECEIVE_BUFFER, Timers};
use super::receiver::Receiver;
use crate::address::resolve;
use crate::socket_error::SocketError;
use crate::wait::{self, Readiness};

/// Where the server listens and how it misbehaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerConfig {
    /// The address to listen on.
    pub host: String,
    /// The port to listen on; 0 picks a free one, announced on the log.
    pub port: u16,
    /// The retransmission timeout of the FIN and the fin wait (`give_up` is unused).
    pub timers: Timers,
    /// Deliberate defects; empty for the known-good peer.
    pub defects: Vec<ServerDefect>,
}

impl ServerConfig {
    /// The protocol's server on `127.0.0.1:port`: its timers, no defects.
    pub fn new(port: u16) -> Self {
        ServerConfig {
            host: "127.0.0.1".to_owned(),
            port,
            timers: Timers::default(),
            defects: Vec::new(),
        }
    }
}

/// Serves one connection: binds, announces `listening on PORT` on `log` first when port 0
/// was asked for, writes every byte received in order to `output` (flushed per segment),
/// and logs one line per datagram on `log`. Returns once the client's final ACK came, or
/// the fin wait ran out without it; before a client comes it waits for as long as it
/// takes.
pub fn run_server(
    config: &ServerConfig,
    mut output: impl Write,
    mut log: impl Write,
) -> Result<Ending, PeerError> {
    // Best effort: without it a wait ends up to 50 µs late, far inside any tolerance.
    let _ = wait::sharpen_timers();
    let requested = resolve(&config.host, config.port)?;
    let socket = UdpSocket::bind(requested).map_err(|source| SocketError::Bind {
        local: requested,
        source,
    })?;
    let local = socket.local_addr().unwrap_or(requested);
    if config.port == 0 {
        writeln!(log, "listening on {}", local.port())
            .and_then(|()| log.flush())
            .map_err(|source| SocketError::Log { source })?;
    }
    let receive_error = |source| SocketError::Receive { local, source };

    let mut receiver = Receiver::new(config.timers, &config.defects);
    let mut buffer = vec![0; RECEIVE_BUFFER];
    // Whoever sent the SYN that opened the connection: the client, or the grader's relay.
    // Every datagram goes there, the FIN's retransmissions included.
    let mut peer: Option<SocketAddr> = None;
    loop {
        let mut ending = None;
        while let Some(event) = receiver.poll_event() {
            match event {
                Event::Deliver(bytes) => output
                    .write_all(&bytes)
                    .and_then(|()| output.flush())
                    .map_err(|source| PeerError::Output { source })?,
                Event::Finished(end) => ending = Some(Ok(end)),
                Event::GaveUp { idle, awaiting } => {
                    ending = Some(Err(PeerError::GaveUp { idle, awaiting }));
                }
                Event::Log(_) | Event::NotASegment { .. } => event
                    .write_line(&mut log)
                    .map_err(|source| SocketError::Log { source })?,
            }
        }
        if let Some(peer) = peer {
            while let Some(datagram) = receiver.poll_transmit() {
                socket
                    .send_to(&datagram, peer)
                    .map_err(|source| SocketError::Send { peer, source })?;
            }
        }
        if let Some(ending) = ending {
            return ending;
        }
        match wait::wait_readable(&socket, receiver.poll_timeout()).map_err(receive_error)? {
            Readiness::Readable => {
                let (len, from) = socket.recv_from(&mut buffer).map_err(receive_error)?;
                receiver.handle_datagram(Instant::now(), &buffer[..len]);
                if peer.is_none() && receiver.has_connection() {
                    peer = Some(from);
                }
            }
            Readiness::DeadlineReached => receiver.handle_timeout(Instant::now()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn taken_port_is_a_bind_error() {
        let taken = UdpSocket::bind("127.0.0.1:0").unwrap();
        let config = ServerConfig::new(taken.local_addr().unwrap().port());
        let error = run_server(&config, Vec::new(), Vec::new()).unwrap_err();
        assert!(
            matches!(error, PeerError::Socket(SocketError::Bind { .. })),
            "{error:?}"
        );
    }
}
