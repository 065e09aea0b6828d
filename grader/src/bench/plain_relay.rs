//! The yardstick: the plainest relay there is, measured beside the grader's in the same
//! run. Two threads, each blocked on one socket and forwarding whatever it reads, with no
//! trace, no link, no timers and no polling. What it adds over direct loopback is what any
//! relay costs on this machine (two more hand-offs between threads per round trip); what
//! the grader's relay adds beyond it is the cost of its own work.

use std::io;
use std::net::{Ipv4Addr, SocketAddr, UdpSocket};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;

/// A running two-thread relay in front of one target; [`PlainRelay::stop`] ends it.
#[derive(Debug)]
pub struct PlainRelay {
    front: SocketAddr,
    back: SocketAddr,
    threads: Vec<JoinHandle<io::Result<()>>>,
}

impl PlainRelay {
    /// Relays between whoever sends to [`PlainRelay::address`] and `target`.
    pub fn start(target: SocketAddr) -> io::Result<PlainRelay> {
        let front = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0))?;
        let back = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0))?;
        let addresses = (front.local_addr()?, back.local_addr()?);
        let client: Arc<Mutex<Option<SocketAddr>>> = Arc::default();
        let forward = {
            let (front, back, client) =
                (front.try_clone()?, back.try_clone()?, Arc::clone(&client));
            move || -> io::Result<()> {
                let mut buffer = vec![0u8; 65_536];
                loop {
                    let (length, from) = front.recv_from(&mut buffer)?;
                    if length == 0 {
                        return Ok(());
                    }
                    *client.lock().unwrap_or_else(PoisonError::into_inner) = Some(from);
                    back.send_to(&buffer[..length], target)?;
                }
            }
        };
        let answer = move || -> io::Result<()> {
            let mut buffer = vec![0u8; 65_536];
            loop {
                let (length, from) = back.recv_from(&mut buffer)?;
                // The stop signal comes from elsewhere (the socket is not connected, so
                // that it can arrive).
                if from != target {
                    if length == 0 {
                        return Ok(());
                    }
                    continue;
                }
                let to = *client.lock().unwrap_or_else(PoisonError::into_inner);
                if let Some(to) = to {
                    front.send_to(&buffer[..length], to)?;
                }
            }
        };
        let spawn = |name: &str, body: Box<dyn FnOnce() -> io::Result<()> + Send>| {
            std::thread::Builder::new()
                .name(name.to_owned())
                .spawn(body)
        };
        let threads = vec![
            spawn("plain-relay-forward", Box::new(forward))?,
            spawn("plain-relay-answer", Box::new(answer))?,
        ];
        Ok(PlainRelay {
            front: addresses.0,
            back: addresses.1,
            threads,
        })
    }

    /// Where clients send.
    pub fn address(&self) -> SocketAddr {
        self.front
    }

    /// Ends both threads with an empty datagram each.
    pub fn stop(self) -> io::Result<()> {
        let stopper = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0))?;
        stopper.send_to(&[], self.front)?;
        stopper.send_to(&[], self.back)?;
        for thread in self.threads {
            thread
                .join()
                .map_err(|_| io::Error::other("a plain relay thread panicked"))??;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn relays_both_ways_and_stops() {
        let target = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let relay = PlainRelay::start(target.local_addr().unwrap()).unwrap();
        let client = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        for socket in [&target, &client] {
            socket
                .set_read_timeout(Some(Duration::from_secs(5)))
                .unwrap();
        }
        client.send_to(b"ping", relay.address()).unwrap();
        let mut buffer = [0u8; 16];
        let (length, from) = target.recv_from(&mut buffer).unwrap();
        assert_eq!(&buffer[..length], b"ping");
        target.send_to(b"pong", from).unwrap();
        let (length, from) = client.recv_from(&mut buffer).unwrap();
        assert_eq!((&buffer[..length], from), (&b"pong"[..], relay.address()));
        relay.stop().unwrap();
    }
}
