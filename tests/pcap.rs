//! The bundle's capture (`trace.pcapng`) against the bundle's own trace: read in Rust with
//! pcap-file and etherparse, then (where it is installed) by tshark, the reader people
//! will use, with its checksum validation on.

use crate::util::{grade, trace, with_timer_scenarios};
use etherparse::{Ipv4Header, TcpHeader, UdpHeader};
use pcap_file::pcapng::{Block, PcapNgReader};
use socklab_grader::exit_code;
use std::path::Path;
use std::process::Command;

/// Where the capture puts the scenario's time zero (2000-01-01 00:00:00 UTC).
const CAPTURE_EPOCH_SECONDS: u64 = 946_684_800;

/// One packet of a capture: its IPv4 packet and its comment.
struct Captured {
    data: Vec<u8>,
    comment: String,
    /// Nanoseconds since the Unix epoch.
    nanos: u128,
}

fn read_capture(path: &Path) -> Vec<Captured> {
    use pcap_file::pcapng::blocks::enhanced_packet::EnhancedPacketOption;
    let file = std::fs::File::open(path)
        .unwrap_or_else(|error| panic!("cannot open {}: {error}", path.display()));
    let mut reader = PcapNgReader::new(file).expect("a pcapng file");
    let mut packets = Vec::new();
    while let Some(block) = reader.next_block() {
        if let Block::EnhancedPacket(packet) = block.expect("a well-formed block") {
            let comment = packet.options.iter().find_map(|option| match option {
                EnhancedPacketOption::Comment(text) => Some(text.to_string()),
                _ => None,
            });
            packets.push(Captured {
                data: packet.data.to_vec(),
                comment: comment.unwrap_or_default(),
                nanos: packet.timestamp.as_nanos(),
            });
        }
    }
    packets
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// `tshark ARGS...`'s standard output; `None` (after saying so) when tshark is not
/// installed, so the Rust half still runs on machines without it.
fn tshark(args: &[&str]) -> Option<String> {
    match Command::new("tshark").args(args).output() {
        Ok(output) => {
            assert!(
                output.status.success(),
                "tshark {args:?} failed: {}",
                String::from_utf8_lossy(&output.stderr)
            );
            Some(String::from_utf8(output.stdout).expect("tshark prints UTF-8"))
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            eprintln!(
                "the tshark half of this test was skipped: tshark is not on PATH \
                 (apt-get install tshark); the pcap-file half ran"
            );
            None
        }
        Err(error) => panic!("cannot run tshark: {error}"),
    }
}

#[test]
fn a_udp_capture_holds_every_datagram_of_the_trace_in_order() {
    let mut args = vec!["rdt3", "--seed", "7"];
    args.extend(with_timer_scenarios("lost-packet"));
    let graded = grade(&args);
    assert_eq!(graded.code, Some(exit_code::PASSED), "{}", graded.stdout);
    let events = trace(graded.out.path(), "lost-packet");
    let capture = graded.out.path().join("lost-packet/trace.pcapng");
    let packets = read_capture(&capture);

    assert_eq!(packets.len(), events.len(), "one packet per datagram");
    assert!(
        packets
            .iter()
            .any(|packet| packet.comment.ends_with("dropped (scripted fault)")),
        "lost-packet drops a datagram, and its packet says so"
    );
    for (packet, event) in packets.iter().zip(&events) {
        let (ip, transport) = Ipv4Header::from_slice(&packet.data).unwrap();
        let (udp, payload) = UdpHeader::from_slice(transport).unwrap();
        assert_eq!(hex(payload), event["bytes"].as_str().unwrap());
        let from = format!(
            "{}:{}",
            std::net::Ipv4Addr::from(ip.source),
            udp.source_port
        );
        assert_eq!(from, event["from"].as_str().unwrap());
        let heading = format!(
            "{} #{}: ",
            event["direction"].as_str().unwrap(),
            event["nth"]
        );
        assert!(packet.comment.starts_with(&heading), "{}", packet.comment);
        let micros = u128::from(event["received_at"].as_u64().unwrap());
        assert_eq!(
            packet.nanos,
            (u128::from(CAPTURE_EPOCH_SECONDS) * 1_000_000 + micros) * 1000
        );
    }

    let Some(fields) = tshark(&[
        "-r",
        capture.to_str().unwrap(),
        "-o",
        "ip.check_checksum:TRUE",
        "-o",
        "udp.check_checksum:TRUE",
        "-T",
        "fields",
        "-e",
        "udp.payload",
        "-e",
        "ip.checksum.status",
        "-e",
        "udp.checksum.status",
        "-e",
        "frame.time_epoch",
    ]) else {
        return;
    };
    let lines: Vec<&str> = fields.lines().collect();
    assert_eq!(lines.len(), events.len(), "tshark sees every datagram");
    for (line, event) in lines.iter().zip(&events) {
        let columns: Vec<&str> = line.split('\t').collect();
        let [payload, ip_checksum, udp_checksum, time] = columns[..] else {
            panic!("four fields expected: {line}");
        };
        assert_eq!(payload, event["bytes"].as_str().unwrap());
        // Wireshark's checksum status: 0 bad, 1 good, 2 unverified.
        assert_eq!((ip_checksum, udp_checksum), ("1", "1"), "{line}");
        let micros = event["received_at"].as_u64().unwrap();
        let expected = format!(
            "{}.{:06}",
            CAPTURE_EPOCH_SECONDS + micros / 1_000_000,
            micros % 1_000_000
        );
        assert!(
            time.starts_with(&expected),
            "tshark reads the time {time}, the trace says {expected}"
        );
    }
}

#[test]
fn a_tcp_capture_carries_both_streams_of_the_connection() {
    let graded = grade(&["tcp-lines", "--scenario", "one-file", "--seed", "1"]);
    assert_eq!(graded.code, Some(exit_code::PASSED), "{}", graded.stdout);
    let run = graded.out.path().join("one-file");
    let connections = std::fs::read_to_string(run.join("connections.jsonl")).unwrap();
    let connection: serde_json::Value =
        serde_json::from_str(connections.lines().next().expect("one connection")).unwrap();
    let to_server = connection["to_server"]["bytes"].as_str().unwrap();
    let to_client = connection["to_client"]["bytes"].as_str().unwrap();
    assert!(!to_server.is_empty() && !to_client.is_empty());
    let capture = run.join("trace.pcapng");

    // The Rust half: the data segments, in the file's order, spell out each stream.
    let client_port = connection["client"]
        .as_str()
        .unwrap()
        .rsplit_once(':')
        .unwrap()
        .1
        .parse::<u16>()
        .unwrap();
    let (mut sent_by_client, mut sent_by_server) = (String::new(), String::new());
    for packet in read_capture(&capture) {
        let (header, payload) = TcpHeader::from_slice(&packet.data[20..]).unwrap();
        if header.source_port == client_port {
            sent_by_client.push_str(&hex(payload));
        } else {
            sent_by_server.push_str(&hex(payload));
        }
    }
    assert_eq!(sent_by_client, to_server);
    assert_eq!(sent_by_server, to_client);

    let path = capture.to_str().unwrap();
    let Some(statuses) = tshark(&[
        "-r",
        path,
        "-o",
        "ip.check_checksum:TRUE",
        "-o",
        "tcp.check_checksum:TRUE",
        "-T",
        "fields",
        "-e",
        "ip.checksum.status",
        "-e",
        "tcp.checksum.status",
    ]) else {
        return;
    };
    assert!(!statuses.is_empty());
    for line in statuses.lines() {
        assert_eq!(
            line, "1\t1",
            "every checksum good (0 bad, 1 good, 2 unverified)"
        );
    }
    let followed = tshark(&["-r", path, "-q", "-z", "follow,tcp,raw,0"]).unwrap();
    // Node 0 (the client, which sent the SYN) flush left, node 1 indented by a tab.
    let data = followed
        .lines()
        .skip_while(|line| !line.starts_with("Node 1:"))
        .skip(1)
        .take_while(|line| !line.starts_with("===="));
    let (mut client, mut server) = (String::new(), String::new());
    for line in data {
        match line.strip_prefix('\t') {
            Some(hex) => server.push_str(hex),
            None => client.push_str(line),
        }
    }
    assert_eq!(client, to_server, "tshark's client stream:\n{followed}");
    assert_eq!(server, to_client, "tshark's server stream:\n{followed}");
}
