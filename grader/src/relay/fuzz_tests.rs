//! The relay against hostile traffic: random datagrams of any size (0 to 65 507 bytes)
//! through a link that corrupts, duplicates, truncates and drops, both ways; a flood past
//! the trace's limit, which is counted, not stored; and a flood past the delay queue's.

use super::engine::QUEUE_LIMIT;
use super::{RelayEndpoints, ScenarioClock, UdpRelay};
use crate::evidence::{Fate, WireEvent, WireTrace, trace::DeliveredCopy};
use crate::link::{Alteration, Direction, DropCause, Impairment, ScriptedFault};
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};
use std::mem::size_of;
use std::net::UdpSocket;
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(10);

/// A relay between two test sockets whose every decision is announced on the channel.
fn relay(netem: &str, faults: &str) -> (UdpRelay, UdpSocket, UdpSocket, Receiver<Direction>) {
    let server = UdpSocket::bind("127.0.0.1:0").unwrap();
    let client = UdpSocket::bind("127.0.0.1:0").unwrap();
    for socket in [&server, &client] {
        socket.set_read_timeout(Some(WAIT)).unwrap();
    }
    let faults: Vec<ScriptedFault> = crate::case::yaml::from_str(faults).unwrap();
    let impairment = |direction, seed| {
        let faults = faults
            .iter()
            .filter(|f| f.applies_to(direction))
            .cloned()
            .collect();
        Impairment::new(
            Some(netem.parse().unwrap()),
            faults,
            ChaCha8Rng::seed_from_u64(seed),
        )
        .unwrap()
    };
    let (decided, decisions) = channel();
    let endpoints = RelayEndpoints {
        listen: "127.0.0.1:0".parse().unwrap(),
        target: server.local_addr().unwrap(),
    };
    let relay = UdpRelay::start(
        endpoints,
        impairment(Direction::ToServer, 1),
        impairment(Direction::ToClient, 2),
        ScenarioClock::start(),
        Some(Box::new(move |event, _| {
            let _ = decided.send(event.direction);
        })),
    )
    .unwrap();
    (relay, client, server, decisions)
}

#[test]
fn random_datagrams_of_any_size_never_stop_the_relay() {
    let faults = "[{ truncate: { direction: to-server, nth: 3, to: 1 } }, { corrupt: { direction: to-client, nth: 2, byte: 70000 } }, { duplicate: { direction: to-server, nth: 5 } }]";
    let (relay, client, server, decisions) = relay("corrupt 20% duplicate 10% loss 10%", faults);
    let target = relay.listen_addr().unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let mut server_peer = None;
    let mut buffer = vec![0u8; 65_536];
    const SENT: usize = 600;
    for index in 0..SENT {
        let size = match index % 4 {
            0 => 0,
            1 => 65_507,
            _ => rng.random_range(0..=65_507),
        };
        let datagram: Vec<u8> = (0..size).map(|_| rng.random()).collect();
        client.send_to(&datagram, target).unwrap();
        assert_eq!(
            decisions.recv_timeout(WAIT),
            Ok(Direction::ToServer),
            "datagram {index} was decided"
        );
        // Learn where the relay speaks from, then answer through it.
        if server_peer.is_none() {
            server.set_nonblocking(true).unwrap();
            server_peer = server.recv_from(&mut buffer).ok().map(|(_, from)| from);
            server.set_nonblocking(false).unwrap();
        }
        if let Some(peer) = server_peer {
            server.send_to(&datagram[..size.min(1_000)], peer).unwrap();
            assert_eq!(decisions.recv_timeout(WAIT), Ok(Direction::ToClient));
        }
    }
    let trace = relay.stop().expect("the relay is still alive");
    // Large datagrams fill the trace's payload budget: the rest are counted, not kept.
    let to_server =
        trace.direction(Direction::ToServer).count() as u64 + trace.unrecorded.to_server;
    assert_eq!(to_server, SENT as u64);
    let to_client =
        trace.direction(Direction::ToClient).count() as u64 + trace.unrecorded.to_client;
    assert!(to_client > SENT as u64 / 2);
}

#[test]
fn a_flood_past_the_trace_limit_is_counted_not_kept() {
    let (relay, client, _server, decisions) = relay("loss 0%", "[]");
    let target = relay.listen_addr().unwrap();
    let extra = 1_000;
    for index in 0..WireTrace::RECORD_LIMIT + extra {
        client
            .send_to(&[u8::try_from(index % 251).unwrap()], target)
            .unwrap();
        // Lockstep, so no datagram is lost to a full socket buffer before the relay.
        assert_eq!(
            decisions.recv_timeout(WAIT),
            Ok(Direction::ToServer),
            "datagram {index}"
        );
    }
    let trace = relay.stop().unwrap();
    assert_eq!(trace.events.len(), WireTrace::RECORD_LIMIT);
    assert_eq!(
        trace.events.len() as u64 + trace.unrecorded.to_server,
        (WireTrace::RECORD_LIMIT + extra) as u64,
        "every datagram is recorded or counted"
    );
    // One-byte datagrams: what bounds the trace is what each one really costs. Counting
    // their payload alone, it held 10 MiB (each with a list of copies with room for four).
    let held = really_held(&trace);
    assert!(
        held <= WireTrace::RECORD_BYTES,
        "the trace holds {held} bytes, more than {}",
        WireTrace::RECORD_BYTES
    );
}

/// A flood through a long delay: past the queue's 10 000 waiting copies, a datagram is
/// dropped by the relay, and the trace says so.
#[test]
fn past_the_queue_limit_the_trace_shows_the_relay_dropped_the_datagram() {
    let (relay, client, _server, decisions) = relay("delay 10s", "[]");
    let target = relay.listen_addr().unwrap();
    let extra = 50;
    for index in 0..QUEUE_LIMIT + extra {
        client.send_to(&[0], target).unwrap();
        assert_eq!(
            decisions.recv_timeout(WAIT),
            Ok(Direction::ToServer),
            "datagram {index}"
        );
    }
    let trace = relay.stop().unwrap();
    assert_eq!(trace.events.len(), QUEUE_LIMIT + extra);
    let queue_full = Fate::Dropped {
        cause: DropCause::QueueFull,
    };
    let dropped: Vec<u32> = trace
        .events
        .iter()
        .filter(|event| event.fate == queue_full)
        .map(|event| event.nth)
        .collect();
    let expected: Vec<u32> = (QUEUE_LIMIT + 1..=QUEUE_LIMIT + extra)
        .map(|nth| u32::try_from(nth).unwrap())
        .collect();
    assert_eq!(dropped, expected);
    assert_eq!(trace.unrecorded.overflowed, extra as u64);
    assert_eq!(
        trace.events[0].fate.summary(),
        "not delivered",
        "still waiting when the relay stopped"
    );
}

/// What `trace` has allocated, counted apart from the relay's own account: every list by
/// its capacity.
fn really_held(trace: &WireTrace) -> usize {
    let events = trace.events.capacity() * size_of::<WireEvent>();
    let contents: usize = trace
        .events
        .iter()
        .map(|event| {
            let copies = match &event.fate {
                Fate::Delivered { copies } => {
                    copies.capacity() * size_of::<DeliveredCopy>()
                        + copies
                            .iter()
                            .map(|copy| {
                                copy.altered_bytes.as_ref().map_or(0, Vec::capacity)
                                    + copy.alterations.capacity() * size_of::<Alteration>()
                            })
                            .sum::<usize>()
                }
                Fate::Dropped { .. } => 0,
            };
            event.bytes.capacity() + copies
        })
        .sum();
    events + contents
}
