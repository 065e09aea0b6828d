//! The evidence bundle's capture, `trace.pcapng`: a run's wire trace as packets that
//! Wireshark and tshark open, each commented with what the link did to it.
//!
//! - **UDP**: one IPv4/UDP packet per datagram the relay received, at the time it received
//!   it, with the bytes exactly as the sender sent them, from the sender's address to the
//!   receiver's ([`WireEvent::from`], [`WireEvent::to`]). Its comment names its fate
//!   (`to-server #3: dropped (scripted fault)`); what each delivered copy looked like is in
//!   `trace.jsonl`. Packets are in the trace's order, which is the relay's order of
//!   arrival (kernel timestamps of two sockets may disagree by microseconds).
//! - **TCP**: reconstructed from the relay's reads, not captured (see the `tcp` module).
//!
//! The capture is deterministic: a packet's timestamp is its trace time (microseconds since
//! the scenario started) added to [`CAPTURE_EPOCH`], so one trace always gives the same
//! bytes, and Wireshark's "seconds since 2000-01-01" reads as time into the scenario.
//!
//! Addresses: the link type is raw IP, so each packet is IPv4 or IPv6 as its addresses are.
//! An IPv4-mapped IPv6 address is unmapped; a packet between two IPv4 addresses is IPv4,
//! any other IPv6 (an IPv4 end then written IPv4-mapped, as a dual-stack socket names it);
//! a trace recorded without addresses gets [`CLIENT_FALLBACK`] and [`SERVER_FALLBACK`].

mod tcp;

use crate::evidence::{WireEvent, WireTrace};
use crate::link::Direction;
use crate::wording;
use etherparse::{IpHeaders, PacketBuilder, PacketBuilderStep};
use pcap_file::pcapng::PcapNgWriter;
use pcap_file::pcapng::blocks::enhanced_packet::{EnhancedPacketBlock, EnhancedPacketOption};
use pcap_file::pcapng::blocks::interface_description::{
    InterfaceDescriptionBlock, InterfaceDescriptionOption,
};
use pcap_file::{DataLink, Endianness};
use std::borrow::Cow;
use std::io::{self, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, SocketAddrV4};
use std::time::Duration;

/// The capture's name in each run's directory of the bundle.
pub const FILE_NAME: &str = "trace.pcapng";

/// Where the scenario's time zero is put: 2000-01-01 00:00:00 UTC, as time since the Unix
/// epoch. A fixed date, not the run's, keeps the capture the same on every re-run.
pub const CAPTURE_EPOCH: Duration = Duration::from_secs(946_684_800);

/// The client's address when the trace does not have it.
pub const CLIENT_FALLBACK: SocketAddrV4 = SocketAddrV4::new(Ipv4Addr::LOCALHOST, 49_152);
/// The server's address when the trace does not have it (the handouts' port).
pub const SERVER_FALLBACK: SocketAddrV4 = SocketAddrV4::new(Ipv4Addr::LOCALHOST, 5005);

/// The largest UDP payload one IPv4 packet holds: 65535 less a 20-byte IPv4 header and the
/// 8-byte UDP header.
pub const MAX_UDP_PAYLOAD: usize = 65_507;
/// The largest UDP payload one IPv6 packet holds (without a jumbogram): 65535 less the
/// 8-byte UDP header, the IPv6 header not being counted in its payload length.
pub const MAX_UDP_PAYLOAD_IPV6: usize = 65_527;

/// Writes `trace` as a pcapng capture: the datagrams, then the TCP connections' packets in
/// time order.
pub fn write(trace: &WireTrace, writer: impl Write) -> io::Result<()> {
    let mut capture =
        PcapNgWriter::with_endianness(writer, Endianness::Little).map_err(io::Error::other)?;
    capture
        .write_pcapng_block(InterfaceDescriptionBlock {
            linktype: DataLink::RAW,
            // No limit: a datagram may fill an IPv4 packet.
            snaplen: 0,
            options: vec![
                InterfaceDescriptionOption::IfName(Cow::Borrowed("socklab relay")),
                // pcap-file 2 writes packet timestamps in nanoseconds whatever the interface
                // says, while readers go by this option (microseconds when it is missing).
                InterfaceDescriptionOption::IfTsResol(9),
            ],
        })
        .map_err(io::Error::other)?;
    for event in &trace.events {
        write_packet(&mut capture, &datagram(event)?)?;
    }
    let mut segments = Vec::new();
    for connection in &trace.connections {
        segments.extend(tcp::packets(connection)?);
    }
    // Stable: within a connection the relay's order is kept where two times are equal.
    segments.sort_by_key(|packet| packet.at);
    for packet in &segments {
        write_packet(&mut capture, packet)?;
    }
    capture.get_mut().flush()
}

/// One packet of the capture.
#[derive(Debug)]
struct Packet {
    /// Since the scenario started.
    at: Duration,
    /// The IPv4 packet, or its first bytes when the trace did not keep the rest.
    data: Vec<u8>,
    /// The whole IPv4 packet's length.
    original_len: usize,
    comment: Option<String>,
}

/// The IPv4/UDP packet of one datagram, commented with its fate.
fn datagram(event: &WireEvent) -> io::Result<Packet> {
    let (sender, receiver) = match event.direction {
        Direction::ToServer => (CLIENT_FALLBACK, SERVER_FALLBACK),
        Direction::ToClient => (SERVER_FALLBACK, CLIENT_FALLBACK),
    };
    let from = endpoint(event.from, sender);
    let to = endpoint(event.to, receiver);
    let mut comment = format!(
        "{}: {}",
        wording::datagram(event.direction, event.nth),
        event.fate.summary()
    );
    // No real datagram is longer than its packet holds; a made-up one is cut to fit.
    let most = if from.is_ipv4() && to.is_ipv4() {
        MAX_UDP_PAYLOAD
    } else {
        MAX_UDP_PAYLOAD_IPV6
    };
    let payload = &event.bytes[..event.bytes.len().min(most)];
    if payload.len() < event.bytes.len() {
        comment.push_str(&format!(
            "; {} bytes sent, the first {most} shown",
            event.bytes.len()
        ));
    }
    let mut data = Vec::with_capacity(48 + payload.len());
    ip_packet(from, to)
        .udp(from.port(), to.port())
        .write_to_vec(&mut data, payload)
        .map_err(io::Error::other)?;
    Ok(Packet {
        at: event.received_at,
        original_len: data.len(),
        data,
        comment: Some(comment),
    })
}

/// Loopback's usual time to live; the relay does not see the real one.
const TIME_TO_LIVE: u8 = 64;

/// `address` as the capture writes it: unmapped when IPv4-mapped, `fallback` when missing.
fn endpoint(address: Option<SocketAddr>, fallback: SocketAddrV4) -> SocketAddr {
    address.map_or(SocketAddr::V4(fallback), |address| {
        SocketAddr::new(address.ip().to_canonical(), address.port())
    })
}

/// The IP layer of a packet from `from` to `to`: IPv4 between two IPv4 addresses, else
/// IPv6, an IPv4 end written IPv4-mapped.
fn ip_packet(from: SocketAddr, to: SocketAddr) -> PacketBuilderStep<IpHeaders> {
    match (from.ip(), to.ip()) {
        (IpAddr::V4(from), IpAddr::V4(to)) => {
            PacketBuilder::ipv4(from.octets(), to.octets(), TIME_TO_LIVE)
        }
        (from, to) => {
            let octets = |ip: IpAddr| match ip {
                IpAddr::V4(v4) => v4.to_ipv6_mapped().octets(),
                IpAddr::V6(v6) => v6.octets(),
            };
            PacketBuilder::ipv6(octets(from), octets(to), TIME_TO_LIVE)
        }
    }
}

/// Comments are cut here: a pcapng option holds at most 65535 bytes, and a comment is a
/// line for a person, not a place for data.
const COMMENT_LIMIT: usize = 1000;

fn write_packet<W: Write>(capture: &mut PcapNgWriter<W>, packet: &Packet) -> io::Result<()> {
    let options = packet
        .comment
        .as_deref()
        .map(|comment| {
            let mut end = comment.len().min(COMMENT_LIMIT);
            while !comment.is_char_boundary(end) {
                end -= 1;
            }
            EnhancedPacketOption::Comment(Cow::Borrowed(&comment[..end]))
        })
        .into_iter()
        .collect();
    capture
        .write_pcapng_block(EnhancedPacketBlock {
            interface_id: 0,
            timestamp: CAPTURE_EPOCH + whole_micros(packet.at),
            // At most 65535: every packet is one IPv4 packet.
            original_len: u32::try_from(packet.original_len).unwrap_or(u32::MAX),
            data: Cow::Borrowed(&packet.data),
            options,
        })
        .map(drop)
        .map_err(io::Error::other)
}

/// `at` cut to the microseconds the trace keeps (`trace.jsonl`), so a capture made from a
/// trace read back from the bundle is the same as the one written with it.
fn whole_micros(at: Duration) -> Duration {
    Duration::new(at.as_secs(), at.subsec_micros() * 1000)
}

#[cfg(test)]
mod tests;
