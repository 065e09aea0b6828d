//! The `reference rdt3 client` socket loop: drives a [`Sender`] over a real UDP socket.

use std::io::Write;
use std::net::UdpSocket;
use std::time::{Duration, Instant};

use socklab_protocol::rdt3::packet::DATA_LEN;

use super::defect::ClientDefect;
use super::sender::Sender;
use super::socket::{MAX_DATAGRAM, PeerError, local_for, resolve};
use crate::socket_error::SocketError;
use crate::wait::{self, Readiness};

/// The handout's three messages.
pub const DEFAULT_MESSAGES: [[u8; DATA_LEN]; 3] = [*b"NCC-1701", *b"NCC-1422", *b"NCC-1017"];

/// The handout's retransmission timer.
pub const DEFAULT_TIMER: Duration = Duration::from_millis(9);

/// What the client sends, to whom, and how it misbehaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientConfig {
    /// The server's host name or address.
    pub host: String,
    /// The server's port.
    pub port: u16,
    /// The messages, sent in order.
    pub messages: Vec<[u8; DATA_LEN]>,
    /// The retransmission timer.
    pub timer: Duration,
    /// Deliberate defects; empty for the known-good peer.
    pub defects: Vec<ClientDefect>,
}

impl ClientConfig {
    /// The handout's client: the default messages and timer, no defects.
    pub fn new(host: impl Into<String>, port: u16) -> Self {
        ClientConfig {
            host: host.into(),
            port,
            messages: DEFAULT_MESSAGES.to_vec(),
            timer: DEFAULT_TIMER,
            defects: Vec::new(),
        }
    }
}

/// Sends every message to the server, logging each event as a line on `out`, and returns
/// once the last one is acknowledged. With the `no-retransmit` defect and a lost packet it
/// never returns: that is the defect.
pub fn run_client<W: Write + ?Sized>(config: &ClientConfig, out: &mut W) -> Result<(), PeerError> {
    // Best effort: without it a wait ends up to 50 µs late, still far inside tolerance.
    let _ = wait::sharpen_timers();
    let peer = resolve(&config.host, config.port)?;
    let local = local_for(peer);
    let socket = UdpSocket::bind(local).map_err(|source| SocketError::Bind { local, source })?;
    let local = socket.local_addr().unwrap_or(local);
    let receive_error = |source| SocketError::Receive { local, source };

    let mut sender = Sender::new(config.messages.clone(), config.timer, &config.defects);
    let mut buffer = vec![0; MAX_DATAGRAM];
    sender.start(Instant::now());
    loop {
        while let Some(datagram) = sender.poll_transmit() {
            socket
                .send_to(&datagram, peer)
                .map_err(|source| SocketError::Send { peer, source })?;
        }
        while let Some(event) = sender.poll_event() {
            event
                .write_line(out)
                .map_err(|source| SocketError::Log { source })?;
        }
        if sender.is_finished() {
            return Ok(());
        }
        match wait::wait_readable(&socket, sender.poll_timeout()).map_err(receive_error)? {
            Readiness::Readable => {
                // From any source, as the handout's client does: in relay and transparent
                // modes the ACKs come from the grader, not from the server itself.
                let (len, _source) = socket.recv_from(&mut buffer).map_err(receive_error)?;
                sender.handle_datagram(Instant::now(), &buffer[..len]);
            }
            Readiness::DeadlineReached => sender.handle_timeout(Instant::now()),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, mpsc};
    use std::thread;

    use super::super::server::{Served, Server};
    use super::*;

    const TEST_DEADLINE: Duration = Duration::from_secs(20);

    /// A real server and a real client over loopback, each on its own thread.
    #[test]
    fn client_and_server_complete_over_loopback() {
        let mut server = Server::bind("127.0.0.1", 0, &[]).unwrap();
        let port = server.local_addr().port();
        let stop = Arc::new(AtomicBool::new(false));
        let server_thread = thread::spawn({
            let stop = Arc::clone(&stop);
            move || {
                let mut log = Vec::new();
                let give_up = Instant::now() + TEST_DEADLINE;
                while !stop.load(Ordering::Acquire) && Instant::now() < give_up {
                    // Short turns, so the thread notices `stop` soon after the client ends.
                    let turn = Instant::now() + Duration::from_millis(20);
                    match server.serve_next(&mut log, Some(turn)).unwrap() {
                        Served::Datagram { .. } | Served::DeadlineReached => {}
                    }
                }
                String::from_utf8(log).unwrap()
            }
        });

        let (done, finished) = mpsc::channel();
        thread::spawn(move || {
            let mut log = Vec::new();
            let result = run_client(&ClientConfig::new("127.0.0.1", port), &mut log);
            // The receiver may be gone if the test already failed; nothing left to report.
            let _ = done.send(result.map(|()| log));
        });
        let client_log = finished.recv_timeout(TEST_DEADLINE).unwrap().unwrap();
        stop.store(true, Ordering::Release);
        let server_log = server_thread.join().unwrap();

        let client_log = String::from_utf8(client_log).unwrap();
        assert!(client_log.starts_with("Sent Packet: ack=0 seq=0 data=NCC-1701 chksum="));
        assert!(client_log.ends_with("Done: all 3 messages acknowledged\n"));
        let delivered: Vec<&str> = server_log
            .lines()
            .filter(|line| line.starts_with("Delivered: "))
            .collect();
        assert_eq!(
            delivered,
            [
                "Delivered: NCC-1701",
                "Delivered: NCC-1422",
                "Delivered: NCC-1017"
            ]
        );
    }

    #[test]
    fn unresolvable_host_is_an_error() {
        let config = ClientConfig::new("no-such-host.invalid", 9);
        let error = run_client(&config, &mut Vec::new()).unwrap_err();
        assert!(matches!(error, PeerError::Address(_)), "{error:?}");
    }
}
