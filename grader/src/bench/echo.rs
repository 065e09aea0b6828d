//! The far end of a measurement: a thread on `127.0.0.1:0` that answers each datagram,
//! and tallies the sequence numbers it receives. An empty datagram stops it.

use super::sequence::SequenceTally;
use std::io;
use std::net::{Ipv4Addr, SocketAddr, UdpSocket};
use std::thread::JoinHandle;

/// How the echo answers a datagram.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    /// The whole datagram back (ping-pong).
    Echo,
    /// Only its first 8 bytes, the sequence number (an acknowledgement).
    Acknowledge,
}

/// A running echo thread; [`Echo::stop`] ends it and returns what it tallied.
#[derive(Debug)]
pub struct Echo {
    address: SocketAddr,
    thread: JoinHandle<io::Result<SequenceTally>>,
}

impl Echo {
    pub fn start(answer: Answer) -> io::Result<Echo> {
        let socket = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0))?;
        let address = socket.local_addr()?;
        let thread = std::thread::Builder::new()
            .name("bench-echo".to_owned())
            .spawn(move || serve(&socket, answer))?;
        Ok(Echo { address, thread })
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Stops the thread (an empty datagram sent to it directly) and returns its tally.
    pub fn stop(self) -> io::Result<SequenceTally> {
        let socket = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0))?;
        socket.send_to(&[], self.address)?;
        self.thread
            .join()
            .map_err(|_| io::Error::other("the echo thread panicked"))?
    }
}

/// The sequence number a bench datagram carries in its first 8 bytes.
pub fn sequence_of(datagram: &[u8]) -> Option<u64> {
    let bytes: [u8; 8] = datagram.get(..8)?.try_into().ok()?;
    Some(u64::from_le_bytes(bytes))
}

/// Whether a receive with a read timeout ended by the timeout (a datagram that never came).
pub fn timed_out(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

fn serve(socket: &UdpSocket, answer: Answer) -> io::Result<SequenceTally> {
    let mut tally = SequenceTally::default();
    let mut buffer = vec![0u8; 65_536];
    loop {
        let (length, from) = socket.recv_from(&mut buffer)?;
        if length == 0 {
            return Ok(tally);
        }
        let datagram = &buffer[..length];
        if let Some(sequence) = sequence_of(datagram) {
            tally.record(sequence);
        }
        let reply = match answer {
            Answer::Echo => datagram,
            Answer::Acknowledge => &datagram[..length.min(8)],
        };
        match socket.send_to(reply, from) {
            Ok(_) => {}
            // The sender has gone: nothing to answer.
            Err(error) if error.kind() == io::ErrorKind::ConnectionRefused => {}
            Err(error) => return Err(error),
        }
    }
}
