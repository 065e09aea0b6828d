//! Captures of made-up traces, read back with pcap-file and etherparse. Checksums are
//! verified by the Internet checksum's own rule (RFC 1071: summed with the checksum in
//! place, a header comes to all ones), not by the library that computed them.

use super::*;
use crate::evidence::stream::{Connection, Mark, ResetBy, Segment, StreamRecord};
use crate::evidence::trace::{DeliveredCopy, Fate};
use crate::link::{Alteration, DropCause, Origin};
use etherparse::{IpNumber, Ipv4Header, Ipv6Header, TcpHeader, UdpHeader};
use pcap_file::pcapng::{Block, PcapNgReader};

/// One packet as read back from a capture.
#[derive(Debug)]
struct Captured {
    /// Since the scenario started.
    at: Duration,
    data: Vec<u8>,
    original_len: usize,
    comment: Option<String>,
}

/// Writes `trace` and reads the capture back, checking its interface on the way.
fn capture(trace: &WireTrace) -> Vec<Captured> {
    let mut file = Vec::new();
    write(trace, &mut file).unwrap();
    let mut reader = PcapNgReader::new(file.as_slice()).unwrap();
    let mut packets = Vec::new();
    while let Some(block) = reader.next_block() {
        match block.unwrap() {
            Block::InterfaceDescription(interface) => {
                assert_eq!(interface.linktype, DataLink::RAW);
                assert!(
                    interface
                        .options
                        .contains(&InterfaceDescriptionOption::IfTsResol(9)),
                    "timestamps are written in nanoseconds and must be declared so"
                );
            }
            Block::EnhancedPacket(packet) => packets.push(Captured {
                at: packet.timestamp.checked_sub(CAPTURE_EPOCH).unwrap(),
                data: packet.data.to_vec(),
                original_len: usize::try_from(packet.original_len).unwrap(),
                comment: packet.options.iter().find_map(|option| match option {
                    EnhancedPacketOption::Comment(text) => Some(text.to_string()),
                    _ => None,
                }),
            }),
            other => panic!("unexpected block {other:?}"),
        }
    }
    packets
}

/// The ones' complement sum of `bytes` as 16-bit big-endian words (RFC 1071).
fn ones_complement_sum(bytes: &[u8]) -> u16 {
    let mut sum: u32 = bytes
        .chunks(2)
        .map(|pair| u32::from(u16::from_be_bytes([pair[0], *pair.get(1).unwrap_or(&0)])))
        .sum();
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    u16::try_from(sum).unwrap()
}

/// Asserts that the IPv4 header's checksum and the UDP or TCP checksum (over the pseudo
/// header and the whole segment) are right; returns the IPv4 header and the rest.
fn verified(data: &[u8], protocol: IpNumber) -> (Ipv4Header, &[u8]) {
    let (ip, transport) = Ipv4Header::from_slice(data).unwrap();
    assert_eq!(ip.protocol, protocol);
    assert_eq!(usize::from(ip.total_len), data.len(), "a whole packet");
    assert_eq!(
        ones_complement_sum(&data[..20]),
        0xffff,
        "IPv4 header checksum"
    );
    let mut pseudo = Vec::new();
    pseudo.extend_from_slice(&ip.source);
    pseudo.extend_from_slice(&ip.destination);
    pseudo.extend_from_slice(&[0, protocol.0]);
    pseudo.extend_from_slice(&u16::try_from(transport.len()).unwrap().to_be_bytes());
    pseudo.extend_from_slice(transport);
    assert_eq!(
        ones_complement_sum(&pseudo),
        0xffff,
        "{protocol:?} checksum"
    );
    (ip, transport)
}

fn udp(packet: &Captured) -> (Ipv4Header, UdpHeader, Vec<u8>) {
    let (ip, transport) = verified(&packet.data, IpNumber::UDP);
    let (header, payload) = UdpHeader::from_slice(transport).unwrap();
    (ip, header, payload.to_vec())
}

fn tcp(packet: &Captured) -> (TcpHeader, Vec<u8>) {
    let (_, transport) = verified(&packet.data, IpNumber::TCP);
    let (header, payload) = TcpHeader::from_slice(transport).unwrap();
    (header, payload.to_vec())
}

fn address(text: &str) -> SocketAddr {
    text.parse().unwrap()
}

fn event(direction: Direction, nth: u32, at: Duration, bytes: Vec<u8>, fate: Fate) -> WireEvent {
    WireEvent {
        direction,
        nth,
        order: u64::from(nth),
        received_at: at,
        from: None,
        to: None,
        bytes,
        fate,
    }
}

fn delivered(alterations: Vec<Alteration>) -> DeliveredCopy {
    DeliveredCopy {
        order: 0,
        sent_at: Duration::ZERO,
        altered_bytes: None,
        alterations,
    }
}

#[test]
fn each_datagram_is_one_packet_with_its_bytes_addresses_time_and_fate() {
    let client = address("127.0.0.1:40000");
    let server = address("127.0.0.2:5005");
    let corrupted = Alteration::Corrupted {
        byte: 3,
        bit: 0,
        origin: Origin::Scripted,
    };
    let mut events = vec![
        event(
            Direction::ToServer,
            1,
            Duration::new(0, 1_234_567),
            b"first".to_vec(),
            Fate::Delivered {
                copies: vec![delivered(Vec::new())],
            },
        ),
        event(
            Direction::ToServer,
            2,
            Duration::from_millis(12),
            // Odd length: the checksum pads the last byte.
            b"lost!".to_vec(),
            Fate::Dropped {
                cause: DropCause::Scripted,
            },
        ),
        event(
            Direction::ToClient,
            1,
            Duration::from_secs(3) + Duration::from_micros(7),
            vec![0xa5; 48],
            Fate::Delivered {
                copies: vec![
                    delivered(vec![corrupted.clone()]),
                    delivered(vec![Alteration::Duplicate {
                        origin: Origin::Netem,
                    }]),
                ],
            },
        ),
    ];
    for event in &mut events {
        (event.from, event.to) = match event.direction {
            Direction::ToServer => (Some(client), Some(server)),
            Direction::ToClient => (Some(server), Some(client)),
        };
    }
    let trace = WireTrace {
        events: events.clone(),
        ..WireTrace::default()
    };

    let packets = capture(&trace);

    assert_eq!(packets.len(), events.len());
    let comments = [
        "to-server #1: delivered",
        "to-server #2: dropped (scripted fault)",
        "to-client #1: delivered, corrupted; 2 copies",
    ];
    for ((packet, event), comment) in packets.iter().zip(&events).zip(comments) {
        let (ip, header, payload) = udp(packet);
        assert_eq!(payload, event.bytes);
        assert_eq!(
            Some(SocketAddr::from((ip.source, header.source_port))),
            event.from
        );
        assert_eq!(
            Some(SocketAddr::from((ip.destination, header.destination_port))),
            event.to
        );
        // The trace keeps whole microseconds, and so does the capture.
        let micros = u64::try_from(event.received_at.as_micros()).unwrap();
        assert_eq!(packet.at, Duration::from_micros(micros));
        assert_eq!(packet.original_len, packet.data.len());
        assert_eq!(packet.comment.as_deref(), Some(comment));
    }
}

#[test]
fn a_datagram_that_fills_an_ipv4_packet_is_kept_whole() {
    let bytes: Vec<u8> = (0..MAX_UDP_PAYLOAD).map(|n| (n % 251) as u8).collect();
    let fate = Fate::Delivered {
        copies: vec![delivered(Vec::new())],
    };
    let trace = WireTrace {
        events: vec![event(
            Direction::ToServer,
            1,
            Duration::ZERO,
            bytes.clone(),
            fate,
        )],
        ..WireTrace::default()
    };

    let packets = capture(&trace);

    assert_eq!(packets[0].data.len(), 65_535);
    assert_eq!(udp(&packets[0]).2, bytes);
}

#[test]
fn a_longer_datagram_is_cut_to_what_its_packet_holds_and_the_comment_says_so() {
    let bytes = vec![7; MAX_UDP_PAYLOAD + 20];
    let datagram = event(
        Direction::ToServer,
        1,
        Duration::ZERO,
        bytes.clone(),
        Fate::Dropped {
            cause: DropCause::RandomLoss,
        },
    );
    let trace = WireTrace {
        events: vec![datagram],
        ..WireTrace::default()
    };

    let packets = capture(&trace);

    let (_, header, payload) = udp(&packets[0]);
    assert_eq!(payload, bytes[..MAX_UDP_PAYLOAD]);
    assert_eq!(header.destination_port, 5005);
    assert_eq!(
        packets[0].comment.as_deref(),
        Some("to-server #1: dropped (netem random loss); 65527 bytes sent, the first 65507 shown")
    );
}

/// An IPv6 packet: its header, and the UDP or TCP checksum over the IPv6 pseudo header
/// (RFC 8200 §8.1); the header and the rest.
fn verified_ipv6(data: &[u8], protocol: IpNumber) -> (Ipv6Header, &[u8]) {
    let (ip, transport) = Ipv6Header::from_slice(data).unwrap();
    assert_eq!(ip.next_header, protocol);
    assert_eq!(
        usize::from(ip.payload_length),
        transport.len(),
        "a whole packet"
    );
    let mut pseudo = Vec::new();
    pseudo.extend_from_slice(&ip.source);
    pseudo.extend_from_slice(&ip.destination);
    pseudo.extend_from_slice(&u32::try_from(transport.len()).unwrap().to_be_bytes());
    pseudo.extend_from_slice(&[0, 0, 0, protocol.0]);
    pseudo.extend_from_slice(transport);
    assert_eq!(
        ones_complement_sum(&pseudo),
        0xffff,
        "{protocol:?} checksum"
    );
    (ip, transport)
}

/// A datagram between IPv6 addresses is an IPv6 packet naming them, whole up to what
/// IPv6 holds; one between an IPv4 client and a dual-stack server's `[::]` is IPv6 too,
/// the client written IPv4-mapped.
#[test]
fn an_ipv6_datagram_is_an_ipv6_packet_with_its_addresses() {
    let bytes = vec![7; MAX_UDP_PAYLOAD + 20];
    let fate = || Fate::Delivered { copies: Vec::new() };
    let mut ipv6 = event(
        Direction::ToServer,
        1,
        Duration::ZERO,
        bytes.clone(),
        fate(),
    );
    ipv6.from = Some(address("[::1]:6000"));
    ipv6.to = Some(address("[::1]:5005"));
    let mut mixed = event(Direction::ToServer, 2, Duration::ZERO, vec![1], fate());
    mixed.from = Some(address("127.0.0.1:6000"));
    mixed.to = Some(address("[::]:5005"));
    let trace = WireTrace {
        events: vec![ipv6, mixed],
        ..WireTrace::default()
    };

    let packets = capture(&trace);

    let (ip, transport) = verified_ipv6(&packets[0].data, IpNumber::UDP);
    let (header, payload) = UdpHeader::from_slice(transport).unwrap();
    assert_eq!(ip.source, std::net::Ipv6Addr::LOCALHOST.octets());
    assert_eq!(ip.destination, std::net::Ipv6Addr::LOCALHOST.octets());
    assert_eq!((header.source_port, header.destination_port), (6000, 5005));
    assert_eq!(payload, bytes.as_slice());
    assert_eq!(
        packets[0].comment.as_deref(),
        Some("to-server #1: not delivered")
    );
    let (ip, _) = verified_ipv6(&packets[1].data, IpNumber::UDP);
    assert_eq!(ip.source, Ipv4Addr::LOCALHOST.to_ipv6_mapped().octets());
    assert_eq!(ip.destination, std::net::Ipv6Addr::UNSPECIFIED.octets());
}

#[test]
fn a_tcp_connection_over_ipv6_is_captured_in_ipv6_packets() {
    let mut connection = connection(
        stream(b"hello\n", &[(1, 0, 6)], Some(3)),
        stream(b"A", &[(2, 0, 1)], Some(4)),
    );
    connection.client = address("[::1]:40000");
    connection.dialed = address("[::1]:12100");
    let trace = tcp_trace(connection);

    let packets = capture(&trace);

    assert!(!packets.is_empty());
    for packet in &packets {
        let (ip, transport) = verified_ipv6(&packet.data, IpNumber::TCP);
        let (header, _) = TcpHeader::from_slice(transport).unwrap();
        assert_eq!(ip.source, std::net::Ipv6Addr::LOCALHOST.octets());
        assert!([40000, 12100].contains(&header.source_port));
    }
}

#[test]
fn missing_addresses_fall_back_to_loopback_and_mapped_ones_are_unmapped() {
    let fate = || Fate::Delivered { copies: Vec::new() };
    let unaddressed = event(Direction::ToClient, 1, Duration::ZERO, vec![1], fate());
    let mut mapped = event(Direction::ToServer, 1, Duration::ZERO, vec![2], fate());
    mapped.from = Some(address("[::ffff:10.1.2.3]:4000"));
    let trace = WireTrace {
        events: vec![unaddressed, mapped],
        ..WireTrace::default()
    };

    let packets = capture(&trace);

    let endpoints = |packet: &Captured| {
        let (ip, header, _) = udp(packet);
        (
            SocketAddrV4::new(ip.source.into(), header.source_port),
            SocketAddrV4::new(ip.destination.into(), header.destination_port),
        )
    };
    assert_eq!(endpoints(&packets[0]), (SERVER_FALLBACK, CLIENT_FALLBACK));
    assert_eq!(
        endpoints(&packets[1]),
        ("10.1.2.3:4000".parse().unwrap(), SERVER_FALLBACK)
    );
    assert_eq!(
        packets[0].comment.as_deref(),
        Some("to-client #1: not delivered")
    );
}

#[test]
fn an_empty_trace_is_a_capture_without_packets() {
    assert!(capture(&WireTrace::default()).is_empty());
}

const MICROSECOND: Duration = Duration::from_micros(1);

fn stream(bytes: &[u8], reads: &[(u64, u64, u64)], end_order: Option<u64>) -> StreamRecord {
    StreamRecord {
        sent: bytes.len() as u64,
        bytes: bytes.to_vec(),
        reads: reads
            .iter()
            .map(|&(order, offset, len)| Segment {
                at: MICROSECOND * u32::try_from(order).unwrap() * 100,
                order,
                offset,
                len,
            })
            .collect(),
        ended: end_order.map(|order| Mark {
            at: MICROSECOND * u32::try_from(order).unwrap() * 100,
            order,
        }),
        ..StreamRecord::new()
    }
}

fn connection(to_server: StreamRecord, to_client: StreamRecord) -> Connection {
    Connection {
        nth: 1,
        opened_at: Duration::ZERO,
        connected_at: None,
        accepted_at: None,
        client_waited_until: None,
        dialed: address("127.0.0.1:6000"),
        client: address("127.0.0.1:40000"),
        unreachable: None,
        to_server,
        to_client,
        closed_at: None,
        reset: None,
    }
}

fn tcp_trace(connection: Connection) -> WireTrace {
    WireTrace {
        connections: vec![connection],
        ..WireTrace::default()
    }
}

#[test]
fn a_connection_is_a_handshake_its_reads_in_order_and_its_fins() {
    let request = b"GET file.txt\n";
    let reply = b"ok\n";
    // The client writes twice; the server answers after the first, then both close.
    let trace = tcp_trace(connection(
        stream(request, &[(1, 0, 4), (3, 4, 9)], Some(5)),
        stream(reply, &[(2, 0, 3)], Some(4)),
    ));

    let packets = capture(&trace);

    let segments: Vec<(TcpHeader, Vec<u8>)> = packets.iter().map(tcp).collect();
    let summary: Vec<(u16, &str, u32, u32, &[u8])> = segments
        .iter()
        .map(|(header, payload)| {
            let flags = match (header.syn, header.ack, header.fin, header.psh) {
                (true, false, _, _) => "SYN",
                (true, true, _, _) => "SYN/ACK",
                (false, true, true, _) => "FIN",
                (false, true, false, true) => "data",
                (false, true, false, false) => "ACK",
                _ => "other",
            };
            let ack = if header.ack {
                header.acknowledgment_number
            } else {
                0
            };
            (
                header.source_port,
                flags,
                header.sequence_number,
                ack,
                payload.as_slice(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (40000, "SYN", 0, 0, &b""[..]),
            (6000, "SYN/ACK", 0, 1, b""),
            (40000, "ACK", 1, 1, b""),
            (40000, "data", 1, 1, b"GET "),
            (6000, "data", 1, 5, b"ok\n"),
            (40000, "data", 5, 4, b"file.txt\n"),
            (6000, "FIN", 4, 14, b""),
            (40000, "FIN", 14, 5, b""),
        ]
    );
    let times: Vec<u128> = packets.iter().map(|packet| packet.at.as_micros()).collect();
    assert_eq!(times, [0, 0, 0, 100, 200, 300, 400, 500]);
    assert!(segments.iter().all(|(header, _)| header.destination_port
        == if header.source_port == 40000 {
            6000
        } else {
            40000
        }));
}

#[test]
fn a_read_longer_than_a_packet_is_split_and_unkept_bytes_are_recorded_by_length() {
    let total = 100_000;
    let kept: Vec<u8> = (0..70_000u32).map(|n| (n % 253) as u8).collect();
    let mut to_server = stream(&kept, &[(1, 0, total)], None);
    to_server.sent = total;
    to_server.bytes_complete = false;
    let trace = tcp_trace(connection(to_server, stream(b"", &[], None)));

    let packets = capture(&trace);

    let [_, _, _, first, second] = &packets[..] else {
        panic!("handshake and two data segments, got {packets:#?}");
    };
    let (header, payload) = tcp(first);
    assert_eq!(header.sequence_number, 1);
    assert_eq!(payload, kept[..65_495]);
    assert_eq!(first.comment, None);
    // The second is a short capture: its headers and the 4505 bytes kept of its 34505.
    assert_eq!(second.original_len, 40 + 34_505);
    assert_eq!(second.data.len(), 40 + 4_505);
    let (header, payload) = TcpHeader::from_slice(&second.data[20..]).unwrap();
    assert_eq!(header.sequence_number, 1 + 65_495);
    assert_eq!(payload, &kept[65_495..]);
    assert_eq!(
        second.comment.as_deref(),
        Some(
            "connection #1 to-server bytes 70000..100000 not kept by the trace: their length only"
        )
    );
}

#[test]
fn a_reset_by_the_relay_resets_both_programs() {
    let mut reset = connection(stream(b"hi", &[(1, 0, 2)], None), stream(b"", &[], None));
    reset.reset = Some(ResetBy::Relay);
    reset.closed_at = Some(Duration::from_millis(5));

    let packets = capture(&tcp_trace(reset));

    let resets: Vec<(u16, u32, Option<&str>, Duration)> = packets
        .iter()
        .filter(|packet| tcp(packet).0.rst)
        .map(|packet| {
            let header = tcp(packet).0;
            (
                header.source_port,
                header.sequence_number,
                packet.comment.as_deref(),
                packet.at,
            )
        })
        .collect();
    let comment = Some("connection #1: reset by the relay (a scripted fault)");
    let at = Duration::from_millis(5);
    assert_eq!(resets, [(40000, 3, comment, at), (6000, 1, comment, at)]);
}

#[test]
fn an_unreachable_server_resets_the_client_after_what_it_sent() {
    let mut refused = connection(stream(b"hi", &[(1, 0, 2)], None), stream(b"", &[], None));
    refused.unreachable = Some("connection refused".to_owned());
    refused.reset = Some(ResetBy::Relay);
    refused.closed_at = Some(Duration::from_millis(1));

    let packets = capture(&tcp_trace(refused));

    let last = packets.last().unwrap();
    let header = tcp(last).0;
    assert_eq!(packets.len(), 5, "handshake, the client's data, one reset");
    assert_eq!(
        (header.source_port, header.rst, header.sequence_number),
        (6000, true, 1)
    );
    assert_eq!(
        header.acknowledgment_number, 3,
        "after the client's two bytes"
    );
    assert_eq!(
        last.comment.as_deref(),
        Some("connection #1: server unreachable: connection refused")
    );
}
