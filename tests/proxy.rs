//! `grader proxy` relays between two sockets, drops what its netem line says, and does so
//! identically for the same seed.
//!
//! The test goes in lockstep: it sends one datagram, waits for the proxy's trace line about
//! it, and, when the proxy delivered it, receives it. So no datagram is ever lost to a full
//! socket buffer, and a run's fates can be compared exactly.

use crate::util::grader;
use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, UdpSocket};
use std::process::{Child, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

const DATAGRAMS: u32 = 1000;
const WAIT: Duration = Duration::from_secs(10);

struct Proxy {
    child: Child,
    lines: Receiver<String>,
    address: SocketAddr,
}

impl Proxy {
    fn start(target: SocketAddr, seed: &str) -> Proxy {
        let mut child = std::process::Command::new(grader().get_program())
            .args([
                "proxy",
                "--listen",
                "127.0.0.1:0",
                "--target",
                &target.to_string(),
                "--netem",
                "loss 50%",
                "--seed",
                seed,
                "--trace",
                "-",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (sender, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        let first = lines
            .recv_timeout(WAIT)
            .expect("the proxy prints its address");
        let address = first
            .strip_prefix("listening ")
            .expect("`listening ADDR`")
            .parse()
            .unwrap();
        Proxy {
            child,
            lines,
            address,
        }
    }

    /// Whether the proxy decided to deliver the datagram it just received.
    fn next_delivered(&self) -> bool {
        let line = self
            .lines
            .recv_timeout(WAIT)
            .expect("a trace line per datagram");
        let fate: serde_json::Value = serde_json::from_str(&line).unwrap();
        fate["dropped"].is_null()
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        // Stopped by its PID, never by name.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Sends DATAGRAMS each way through a proxy; returns which were delivered, per direction.
fn run(seed: &str) -> (Vec<bool>, Vec<bool>) {
    let server = UdpSocket::bind("127.0.0.1:0").unwrap();
    let client = UdpSocket::bind("127.0.0.1:0").unwrap();
    for socket in [&server, &client] {
        socket.set_read_timeout(Some(WAIT)).unwrap();
    }
    let proxy = Proxy::start(server.local_addr().unwrap(), seed);
    let mut buffer = [0u8; 64];
    let mut proxy_server_side = None;
    let mut to_server = Vec::new();
    for index in 0..DATAGRAMS {
        client.send_to(&index.to_be_bytes(), proxy.address).unwrap();
        let delivered = proxy.next_delivered();
        if delivered {
            let (length, from) = server
                .recv_from(&mut buffer)
                .expect("a delivered datagram arrives");
            assert_eq!(&buffer[..length], index.to_be_bytes());
            proxy_server_side = Some(from);
        }
        to_server.push(delivered);
    }
    let back = proxy_server_side.expect("something reached the server");
    let mut to_client = Vec::new();
    for index in 0..DATAGRAMS {
        server.send_to(&index.to_be_bytes(), back).unwrap();
        let delivered = proxy.next_delivered();
        if delivered {
            let (length, _) = client
                .recv_from(&mut buffer)
                .expect("a delivered reply arrives");
            assert_eq!(&buffer[..length], index.to_be_bytes());
        }
        to_client.push(delivered);
    }
    (to_server, to_client)
}

#[test]
fn proxy_drops_about_half_reproducibly_for_the_same_seed() {
    let first = run("1");
    for (direction, fates) in [("to-server", &first.0), ("to-client", &first.1)] {
        let dropped = fates.iter().filter(|delivered| !**delivered).count();
        assert!(
            (430..=570).contains(&dropped),
            "{direction}: {dropped} of {DATAGRAMS} dropped"
        );
    }
    assert_eq!(run("1"), first, "the same seed gives the same fates");
    assert_ne!(run("2"), first, "another seed gives other fates");
}
