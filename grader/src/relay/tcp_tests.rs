//! The TCP relay over real loopback sockets (port 0, deadlines, no sleeps).

use super::*;
use crate::evidence::Connection;
use crate::link::stream::{Coalesce, Cut, Slice, StreamFaults};
use nix::poll::{PollFd, PollFlags};
use std::io::Read;
use std::net::{Ipv4Addr, Shutdown, TcpStream};
use std::os::fd::AsFd;
use std::time::Instant;

const DEADLINE: Duration = Duration::from_secs(10);

fn relay(faults: StreamSides) -> (TcpRelay, TcpListener) {
    let server = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let plan = TcpRelayPlan {
        listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
        target: server.local_addr().unwrap(),
        faults,
        seed: ShaperSeed {
            run_seed: 1,
            scenario_key: "test".to_owned(),
        },
        keep_client_port: false,
        server_network: crate::relay::stream_socket::ServerNetwork::Tcp,
    };
    (
        TcpRelay::start(plan, ScenarioClock::start(), None).unwrap(),
        server,
    )
}

/// Reads until end of stream, returning each `read()` separately.
fn read_all(mut stream: &TcpStream) -> Vec<Vec<u8>> {
    stream.set_read_timeout(Some(DEADLINE)).unwrap();
    let mut reads = Vec::new();
    let mut buffer = [0u8; 65536];
    loop {
        match stream.read(&mut buffer) {
            Ok(0) => return reads,
            Ok(n) => reads.push(buffer[..n].to_vec()),
            Err(error) => panic!("read failed: {error}"),
        }
    }
}

/// Waits until the relay has closed `count` connections, then stops it.
fn stop_when_closed(relay: TcpRelay, count: usize) -> Vec<Connection> {
    let deadline = Instant::now() + DEADLINE;
    while (relay.connections_closed() as usize) < count {
        assert!(
            Instant::now() < deadline,
            "the relay never closed {count} connections"
        );
        std::thread::yield_now();
    }
    let connections = relay.stop().unwrap().connections;
    assert_eq!(connections.len(), count);
    connections
}

#[test]
fn bytes_pass_both_ways_and_every_close_is_recorded() {
    let (relay, server) = relay(StreamSides::default());
    let mut client = TcpStream::connect(relay.listen_addr()).unwrap();
    let (mut accepted, _) = server.accept().unwrap();
    client.write_all(b"hello").unwrap();
    client.shutdown(Shutdown::Write).unwrap();
    assert_eq!(read_all(&accepted).concat(), b"hello");
    accepted.write_all(b"A").unwrap();
    drop(accepted);
    assert_eq!(read_all(&client).concat(), b"A");
    drop(client);
    let connections = stop_when_closed(relay, 1);
    let connection = &connections[0];
    assert_eq!(connection.nth, 1);
    assert_eq!(connection.to_server.bytes, b"hello");
    assert_eq!(connection.to_server.delivered, 5);
    assert_eq!(connection.to_client.bytes, b"A");
    assert!(connection.to_server.ended.is_some() && connection.to_server.closed.is_some());
    assert!(connection.to_client.ended.is_some() && connection.to_client.closed.is_some());
    assert!(connection.closed_at.is_some());
    assert_eq!(connection.reset, None);
    assert_eq!(connection.dialed.ip(), Ipv4Addr::LOCALHOST);
}

#[test]
fn a_sliced_stream_arrives_whole_in_small_reads() {
    let (relay, server) = relay(StreamSides {
        to_server: StreamFaults {
            slice: Some(Slice {
                min: 1,
                max: 3,
                gap: Duration::from_millis(1),
            }),
            ..StreamFaults::default()
        },
        ..StreamSides::default()
    });
    let mut client = TcpStream::connect(relay.listen_addr()).unwrap();
    let (accepted, _) = server.accept().unwrap();
    let message: Vec<u8> = (0..60u8).collect();
    client.write_all(&message).unwrap();
    client.shutdown(Shutdown::Write).unwrap();
    let reads = read_all(&accepted);
    assert_eq!(reads.concat(), message);
    drop(accepted);
    drop(client);
    let connections = stop_when_closed(relay, 1);
    let writes = &connections[0].to_server.writes;
    assert!(writes.iter().all(|write| (1..=3).contains(&write.len)));
    assert!(writes.len() >= 20);
}

#[test]
fn coalescing_delivers_several_writes_in_one_read() {
    let (relay, server) = relay(StreamSides {
        to_server: StreamFaults {
            coalesce: Some(Coalesce {
                window: Duration::from_millis(100),
            }),
            ..StreamFaults::default()
        },
        ..StreamSides::default()
    });
    let mut client = TcpStream::connect(relay.listen_addr()).unwrap();
    client.set_nodelay(true).unwrap();
    let (accepted, _) = server.accept().unwrap();
    for part in [&b"\0\0\0\x02"[..], b"one\n", b"two\n"] {
        client.write_all(part).unwrap();
    }
    client.shutdown(Shutdown::Write).unwrap();
    let reads = read_all(&accepted);
    assert_eq!(reads.concat(), b"\0\0\0\x02one\ntwo\n");
    drop((accepted, client));
    let connections = stop_when_closed(relay, 1);
    assert_eq!(connections[0].to_server.writes.len(), 1);
}

#[test]
fn a_cut_connection_ends_early_for_the_server_and_quietly_for_the_client() {
    let (relay, server) = relay(StreamSides {
        to_server: StreamFaults {
            cut: Some(Cut {
                connection: Some(2),
                after: 1000,
            }),
            ..StreamFaults::default()
        },
        ..StreamSides::default()
    });
    let payload = vec![7u8; 50_000];
    let mut received = Vec::new();
    for _ in 0..2 {
        let mut client = TcpStream::connect(relay.listen_addr()).unwrap();
        let (accepted, _) = server.accept().unwrap();
        client.write_all(&payload).unwrap();
        client.shutdown(Shutdown::Write).unwrap();
        received.push(read_all(&accepted).concat().len());
        drop(accepted);
        assert!(read_all(&client).is_empty());
    }
    assert_eq!(received, [50_000, 1000]);
    let connections = stop_when_closed(relay, 2);
    assert_eq!(connections[1].to_server.delivered, 1000);
    assert_eq!(connections[1].to_server.sent, 50_000);
    assert_eq!(connections[1].to_server.discarded, 49_000);
}

#[test]
fn a_refused_server_resets_the_client() {
    let (relay, server) = relay(StreamSides::default());
    drop(server);
    let client = TcpStream::connect(relay.listen_addr()).unwrap();
    client.set_read_timeout(Some(DEADLINE)).unwrap();
    let mut buffer = [0u8; 16];
    let outcome = (&client).read(&mut buffer);
    assert!(
        matches!(&outcome, Err(error) if error.kind() == io::ErrorKind::ConnectionReset),
        "{outcome:?}"
    );
    let connections = relay.stop().unwrap().connections;
    assert!(connections[0].unreachable.is_some());
}

/// A server listening with a queue of `backlog` waiting connections, as `listen(backlog)`.
fn listener_with_backlog(backlog: i32) -> TcpListener {
    use nix::sys::socket::{
        AddressFamily, Backlog, SockFlag, SockType, SockaddrIn, bind, listen, socket,
    };
    let socket = socket(
        AddressFamily::Inet,
        SockType::Stream,
        SockFlag::SOCK_CLOEXEC,
        None,
    )
    .unwrap();
    let loopback = SockaddrIn::from(std::net::SocketAddrV4::new(Ipv4Addr::LOCALHOST, 0));
    bind(std::os::fd::AsRawFd::as_raw_fd(&socket), &loopback).unwrap();
    listen(&socket, Backlog::new(backlog).unwrap()).unwrap();
    TcpListener::from(socket)
}

/// A relay in front of `server`, and the clock its record is kept on.
fn relay_to(server: &TcpListener) -> (TcpRelay, ScenarioClock) {
    let clock = ScenarioClock::start();
    let plan = TcpRelayPlan {
        listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
        target: server.local_addr().unwrap(),
        faults: StreamSides::default(),
        seed: ShaperSeed {
            run_seed: 1,
            scenario_key: "test".to_owned(),
        },
        keep_client_port: false,
        server_network: crate::relay::stream_socket::ServerNetwork::Tcp,
    };
    (TcpRelay::start(plan, clock, None).unwrap(), clock)
}

fn wait_until(what: &str, condition: impl Fn() -> bool) {
    let deadline = Instant::now() + DEADLINE;
    while !condition() {
        assert!(Instant::now() < deadline, "never: {what}");
        std::thread::yield_now();
    }
}

/// The payload of the `n`th client: its number, then 20 000 bytes of it.
fn payload(n: u8) -> Vec<u8> {
    let mut bytes = vec![n];
    bytes.extend(std::iter::repeat_n(n, 20_000));
    bytes
}

/// What a client opening 20 connections within a millisecond and a `listen(1)` server
/// that takes one at a time see: each connection reaches the server whole, in the order
/// the client opened it, the relay holds the rest meanwhile (so the run is not quiet), and
/// each record says when the server really had it.
#[test]
fn twenty_connections_opened_at_once_reach_a_listen_1_server_whole_and_in_order() {
    let server = listener_with_backlog(1);
    let (relay, clock) = relay_to(&server);
    let started = Instant::now();
    let mut clients = Vec::new();
    for n in 1..=20u8 {
        let mut client = TcpStream::connect(relay.listen_addr()).unwrap();
        client.write_all(&payload(n)).unwrap();
        client.shutdown(Shutdown::Write).unwrap();
        clients.push(client);
    }
    let opening = started.elapsed();
    wait_until("the relay holds the connections", || {
        relay.holds_undelivered()
    });
    let mut accepted_between = Vec::new();
    for n in 1..=20u8 {
        let before = clock.now();
        let (accepted, _) = server.accept().unwrap();
        let after = clock.now();
        accepted_between.push((before, after));
        assert!(
            relay.holds_undelivered() || n > 18,
            "the {n}th: the {}th is still held",
            n + 2
        );
        if n < 20 {
            // The next arrives only once the relay has seen this one accepted (it is
            // still open, so the relay sees it accepted, not gone).
            wait_for_a_waiting_connection(&server);
        }
        assert_eq!(
            read_all(&accepted).concat(),
            payload(n),
            "the {n}th connection"
        );
        drop(accepted);
    }
    for client in &clients {
        assert!(read_all(client).is_empty());
    }
    let connections = stop_when_closed(relay, 20);
    assert!(
        opening < Duration::from_millis(500),
        "the clients were not held up: {opening:?}"
    );
    for (connection, (before, after)) in connections.iter().zip(accepted_between).take(19) {
        let nth = connection.nth;
        let connected = connection.connected_at.unwrap();
        let accepted = connection.accepted_at.unwrap();
        assert!(connection.opened_at <= connected, "{nth}");
        assert!(
            before <= accepted && accepted <= after + Duration::from_millis(50),
            "{nth}: the server accepted it between {before:?} and {after:?}, seen at {accepted:?}"
        );
    }
    for connection in &connections {
        assert_eq!(connection.to_server.delivered, 20_001);
        assert!(
            connection.client_waited_until.is_some(),
            "the {}th client still held its socket when the server's end came",
            connection.nth
        );
    }
    for pair in connections.windows(2) {
        assert!(
            pair[0].accepted_at.unwrap() <= pair[1].connected_at.unwrap(),
            "the {}th reached the server only once the one before was taken",
            pair[1].nth
        );
    }
    let last = &connections[19];
    assert!(
        last.to_server.reads[0].at > last.opened_at + opening,
        "the 20th waited in the relay, unread, long after the client had sent it"
    );
}

/// A client that closes as soon as it has sent did not wait for the server: nothing says
/// it saw the server's end.
#[test]
fn a_client_that_closes_at_once_is_not_taken_to_have_waited() {
    let server = listener_with_backlog(1);
    let (relay, _) = relay_to(&server);
    let mut client = TcpStream::connect(relay.listen_addr()).unwrap();
    client.write_all(b"file").unwrap();
    drop(client);
    let (accepted, _) = server.accept().unwrap();
    assert_eq!(read_all(&accepted).concat(), b"file");
    drop(accepted);
    let connections = stop_when_closed(relay, 1);
    assert_eq!(connections[0].client_waited_until, None);
    assert!(connections[0].accepted_at.is_some() || connections[0].connected_at.is_some());
}

/// Waits until a connection waits in `server`'s queue.
fn wait_for_a_waiting_connection(server: &TcpListener) {
    use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
    use std::os::fd::AsFd;
    let mut fds = [PollFd::new(server.as_fd(), PollFlags::POLLIN)];
    let ready = poll(&mut fds, PollTimeout::try_from(DEADLINE).unwrap()).unwrap();
    assert_eq!(ready, 1, "no connection came");
}

/// A connection the server has not accepted, and bytes not yet passed on, keep the relay
/// holding; once all is delivered and closed, it holds nothing.
#[test]
fn the_relay_holds_a_connection_until_it_is_delivered_and_closed() {
    let server = listener_with_backlog(0);
    let (relay, _) = relay_to(&server);
    assert!(!relay.holds_undelivered(), "nothing opened yet");
    // The first fills the server's queue; the second is held in the relay.
    let mut first = TcpStream::connect(relay.listen_addr()).unwrap();
    let mut second = TcpStream::connect(relay.listen_addr()).unwrap();
    second.write_all(b"second").unwrap();
    wait_until("the second is held", || relay.holds_undelivered());
    first.write_all(b"first").unwrap();
    first.shutdown(Shutdown::Write).unwrap();
    let (accepted, _) = server.accept().unwrap();
    assert_eq!(read_all(&accepted).concat(), b"first");
    drop(accepted);
    assert!(read_all(&first).is_empty());
    let (accepted, _) = server.accept().unwrap();
    let mut word = [0u8; 6];
    (&accepted).read_exact(&mut word).unwrap();
    assert_eq!(&word, b"second");
    wait_until("nothing is held", || !relay.holds_undelivered());
    second.shutdown(Shutdown::Write).unwrap();
    assert!(read_all(&accepted).is_empty());
    drop(accepted);
    assert!(read_all(&second).is_empty());
    let connections = stop_when_closed(relay, 2);
    assert!(connections.iter().all(|c| c.unreachable.is_none()));
}

/// Connections whose server accepts them and never reads: together they hold at most the
/// run's share between their sockets (and one read more), however much each could hold
/// alone. Without the share each held its own 4 MiB, four of them 16 MiB.
#[test]
fn connections_nobody_reads_hold_at_most_the_runs_share() {
    let (relay, server) = relay(StreamSides::default());
    // Accepted and never read, with little room of their own (accepted sockets inherit
    // the listener's buffer): what they are sent waits in the relay.
    nix::sys::socket::setsockopt(&server, nix::sys::socket::sockopt::RcvBuf, &4096).unwrap();
    server.set_nonblocking(true).unwrap();
    let holding = relay.holding().holding;
    let clients: Vec<TcpStream> = (0..4)
        .map(|_| {
            let client = TcpStream::connect(relay.listen_addr()).unwrap();
            client.set_nonblocking(true).unwrap();
            client
        })
        .collect();
    let mut accepted = Vec::new();
    let chunk = vec![0x5a_u8; 64 * 1024];
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut most = 0;
    loop {
        // The relay lets the next connection through once the server took this one.
        while let Ok((stream, _)) = server.accept() {
            accepted.push(stream);
        }
        let mut wrote = false;
        for mut client in &clients {
            while let Ok(written) = client.write(&chunk) {
                wrote |= written > 0;
            }
        }
        most = most.max(holding.load(Ordering::SeqCst));
        if !wrote && accepted.len() == clients.len() {
            // Every client is blocked: the relay has stopped reading them once none has
            // room again for a second.
            let mut fds: Vec<PollFd> = clients
                .iter()
                .map(|client| PollFd::new(client.as_fd(), PollFlags::POLLOUT))
                .collect();
            if nix::poll::poll(&mut fds, nix::poll::PollTimeout::from(1000_u16)) == Ok(0) {
                break;
            }
        } else if !wrote {
            // Waits for the relay to let the next connection through.
            let mut fds = [PollFd::new(server.as_fd(), PollFlags::POLLIN)];
            let _ = nix::poll::poll(&mut fds, nix::poll::PollTimeout::from(100_u16));
        }
        assert!(Instant::now() < deadline, "the clients never stalled");
    }
    most = most.max(holding.load(Ordering::SeqCst));
    let one_read = 64 * 1024;
    assert!(
        most <= (HOLD_PER_RUN + 2 * one_read) as u64,
        "the relay held {most} bytes of 4 connections, more than the run's {HOLD_PER_RUN}"
    );
    assert!(
        most >= (HOLD_PER_RUN / 2) as u64,
        "the relay held only {most} bytes: the connections did not fill it"
    );
    drop(clients);
    drop(accepted);
    relay.stop().unwrap();
}

/// One connection more than the relay carries at once is reset at once, and its record
/// says why; the others stay open.
#[test]
fn past_the_live_limit_a_connection_is_refused_and_says_why() {
    let (relay, _server) = relay(StreamSides::default());
    let clients: Vec<TcpStream> = (0..=LIVE_LIMIT)
        .map(|_| TcpStream::connect(relay.listen_addr()).unwrap())
        .collect();
    let last = &clients[LIVE_LIMIT];
    last.set_read_timeout(Some(DEADLINE)).unwrap();
    let outcome = (&*last).read(&mut [0_u8; 16]);
    assert!(
        matches!(&outcome, Err(error) if error.kind() == io::ErrorKind::ConnectionReset),
        "{outcome:?}"
    );
    let trace = relay.stop().unwrap();
    assert_eq!(trace.connections.len(), LIVE_LIMIT + 1);
    let refused: Vec<u32> = trace
        .connections
        .iter()
        .filter(|connection| connection.unreachable.is_some())
        .map(|connection| connection.nth)
        .collect();
    assert_eq!(refused, [u32::try_from(LIVE_LIMIT + 1).unwrap()]);
    let why = trace.connections[LIVE_LIMIT]
        .unreachable
        .as_deref()
        .unwrap();
    assert!(why.contains("at most 200 connections at once"), "{why}");
}
