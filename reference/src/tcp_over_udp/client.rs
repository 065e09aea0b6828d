//! The `reference tcp-over-udp client` socket loop: drives a [`Sender`] over a real UDP
//! socket until the connection is closed or the client gives up.

use std::io::Write;
use std::net::UdpSocket;
use std::time::Instant;

use super::defect::ClientDefect;
use super::error::PeerError;
use super::event::{Ending, Event};
use super::numbers::{RECEIVE_BUFFER, Timers};
use super::sender::Sender;
use crate::address::{local_for, resolve};
use crate::socket_error::SocketError;
use crate::wait::{self, Readiness};

/// Whom the client sends to and how it misbehaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientConfig {
    /// The server's host name or address.
    pub host: String,
    /// The server's port.
    pub port: u16,
    /// The retransmission timeout, the fin wait and the give-up limit.
    pub timers: Timers,
    /// Deliberate defects; empty for the known-good peer.
    pub defects: Vec<ClientDefect>,
}

impl ClientConfig {
    /// The protocol's client: its timers, no defects.
    pub fn new(host: impl Into<String>, port: u16) -> Self {
        ClientConfig {
            host: host.into(),
            port,
            timers: Timers::default(),
            defects: Vec::new(),
        }
    }
}

/// Sends `input` over one connection, logging one line per datagram on `log`, and returns
/// once the fin wait is over. No progress for `timers.give_up` is an error.
pub fn run_client(
    config: &ClientConfig,
    input: Vec<u8>,
    mut log: impl Write,
) -> Result<Ending, PeerError> {
    // Best effort: without it a wait ends up to 50 µs late, far inside any tolerance.
    let _ = wait::sharpen_timers();
    let peer = resolve(&config.host, config.port)?;
    let local = local_for(peer);
    let socket = UdpSocket::bind(local).map_err(|source| SocketError::Bind { local, source })?;
    let local = socket.local_addr().unwrap_or(local);
    let receive_error = |source| SocketError::Receive { local, source };

    let mut sender = Sender::connect(Instant::now(), input, config.timers, &config.defects);
    let mut buffer = vec![0; RECEIVE_BUFFER];
    loop {
        let mut ending = None;
        while let Some(event) = sender.poll_event() {
            match event {
                Event::Finished(end) => ending = Some(Ok(end)),
                Event::GaveUp { idle, awaiting } => {
                    ending = Some(Err(PeerError::GaveUp { idle, awaiting }));
                }
                // A sender takes no data in.
                Event::Deliver(_) => {}
                Event::Log(_) | Event::NotASegment { .. } => event
                    .write_line(&mut log)
                    .map_err(|source| SocketError::Log { source })?,
            }
        }
        while let Some(datagram) = sender.poll_transmit() {
            socket
                .send_to(&datagram, peer)
                .map_err(|source| SocketError::Send { peer, source })?;
        }
        if let Some(ending) = ending {
            return ending;
        }
        match wait::wait_readable(&socket, sender.poll_timeout()).map_err(receive_error)? {
            Readiness::Readable => {
                // From any source, as the handout's client does: behind the grader's relay
                // the replies come from the relay, not from the server itself.
                let (len, _source) = socket.recv_from(&mut buffer).map_err(receive_error)?;
                sender.handle_datagram(Instant::now(), &buffer[..len]);
            }
            Readiness::DeadlineReached => sender.handle_timeout(Instant::now()),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io;
    use std::sync::mpsc;
    use std::thread;
    use std::time::Duration;

    use super::super::server::{ServerConfig, run_server};
    use super::*;

    const TEST_DEADLINE: Duration = Duration::from_secs(20);

    /// A log that hands each whole line to a channel as it is written, so the test can
    /// wait for the server's `listening on PORT` while the server runs.
    struct ChannelLog {
        lines: mpsc::Sender<String>,
        partial: Vec<u8>,
    }

    impl Write for ChannelLog {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            self.partial.extend_from_slice(bytes);
            while let Some(end) = self.partial.iter().position(|&byte| byte == b'\n') {
                let line: Vec<u8> = self.partial.drain(..=end).collect();
                let line = String::from_utf8_lossy(&line[..end]).into_owned();
                // The test may have failed and gone; the server runs on regardless.
                let _ = self.lines.send(line);
            }
            Ok(bytes.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    /// Every byte value, then NULs at the end, where a text-minded peer would lose them.
    fn binary(len: usize) -> Vec<u8> {
        let mut bytes: Vec<u8> = (0..len - 100).map(|index| (index % 251) as u8).collect();
        bytes.resize(len, 0);
        bytes
    }

    /// The real loops over loopback: the server on port 0 on its own thread, the client
    /// on another, a few KiB across.
    #[test]
    fn client_and_server_transfer_over_loopback() {
        // A long timeout, so a slow machine does not retransmit and change the logs; a
        // short fin wait, so the client ends soon after its final ACK.
        let timers = Timers {
            retransmission: Duration::from_secs(1),
            fin_wait: Duration::from_millis(100),
            ..Timers::default()
        };
        let (lines, server_lines) = mpsc::channel();
        let (server_done, server_result) = mpsc::channel();
        let mut server_config = ServerConfig::new(0);
        server_config.timers.retransmission = timers.retransmission;
        thread::spawn(move || {
            let mut output = Vec::new();
            let log = ChannelLog {
                lines,
                partial: Vec::new(),
            };
            let ending = run_server(&server_config, &mut output, log);
            let _ = server_done.send(ending.map(|ending| (ending, output)));
        });
        let first = server_lines.recv_timeout(TEST_DEADLINE).unwrap();
        let port: u16 = first
            .strip_prefix("listening on ")
            .and_then(|port| port.parse().ok())
            .unwrap_or_else(|| panic!("not the port line: {first:?}"));

        let input = binary(5000);
        let (client_done, client_result) = mpsc::channel();
        let mut client_config = ClientConfig::new("127.0.0.1", port);
        client_config.timers = timers;
        let sent = input.clone();
        thread::spawn(move || {
            let mut log = Vec::new();
            let ending = run_client(&client_config, sent, &mut log);
            let _ = client_done.send(ending.map(|ending| (ending, log)));
        });
        let (client_ending, client_log) =
            client_result.recv_timeout(TEST_DEADLINE).unwrap().unwrap();
        let (server_ending, output) = server_result.recv_timeout(TEST_DEADLINE).unwrap().unwrap();

        assert_eq!(client_ending, Ending::Closed);
        assert_eq!(server_ending, Ending::Closed);
        assert_eq!(output, input);
        let client_log = String::from_utf8(client_log).unwrap();
        assert!(client_log.starts_with("SEND 12345 0 0 SYN\nRECV 4321 12346 1 ACK SYN\n"));
        // 5000 bytes end at 17346; the FIN takes 17346 and the final ACK's seq is 17347.
        assert!(client_log.contains("RECV 4322 0 1 FIN\nSEND 17347 4323 1 ACK\n"));
        let server_log: Vec<String> = server_lines.try_iter().collect();
        assert_eq!(
            server_log.first().map(String::as_str),
            Some("RECV 12345 0 0 SYN")
        );
        assert_eq!(
            server_log.last().map(String::as_str),
            Some("RECV 17347 4323 1 ACK")
        );
    }

    #[test]
    fn unresolvable_host_is_an_error() {
        let config = ClientConfig::new("no-such-host.invalid", 9);
        let error = run_client(&config, Vec::new(), Vec::new()).unwrap_err();
        assert!(matches!(error, PeerError::Address(_)), "{error:?}");
    }
}
