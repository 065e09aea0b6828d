//! The TCP relay over real loopback sockets (port 0, deadlines, no sleeps).

use super::*;
use crate::link::stream::{Coalesce, Cut, Slice, StreamFaults};
use std::net::{Ipv4Addr, Shutdown, TcpStream};
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

/// Connections whose server never reads them: together they hold at most the run's share
/// between their sockets (and one read more), however much each could hold alone.
/// Without the share each held its own 4 MiB, four of them 16 MiB.
#[test]
fn connections_nobody_reads_hold_at_most_the_runs_share() {
    let (relay, server) = relay(StreamSides::default());
    // Never accepted, and with little room of their own: what they are sent waits in the
    // relay.
    nix::sys::socket::setsockopt(&server, nix::sys::socket::sockopt::RcvBuf, &4096).unwrap();
    let holding = relay.holding().holding;
    let clients: Vec<TcpStream> = (0..4)
        .map(|_| {
            let client = TcpStream::connect(relay.listen_addr()).unwrap();
            client.set_nonblocking(true).unwrap();
            client
        })
        .collect();
    let chunk = vec![0x5a_u8; 64 * 1024];
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut most = 0;
    loop {
        let mut wrote = false;
        for mut client in &clients {
            while let Ok(written) = client.write(&chunk) {
                wrote |= written > 0;
            }
        }
        most = most.max(holding.load(Ordering::SeqCst));
        if !wrote {
            // Every client is blocked: the relay has stopped reading them once none has
            // room again for a second.
            let mut fds: Vec<PollFd> = clients
                .iter()
                .map(|client| PollFd::new(client.as_fd(), PollFlags::POLLOUT))
                .collect();
            if nix::poll::poll(&mut fds, nix::poll::PollTimeout::from(1000_u16)) == Ok(0) {
                break;
            }
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
