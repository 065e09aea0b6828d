//! A TCP connection as packets: the conversation the two programs had, reconstructed from
//! what the relay recorded. The relay reads and writes byte streams and never sees a
//! segment, so these packets were not captured; they are what the relay's reads imply.
//!
//! Between the client's address and the address it dialed: SYN, SYN/ACK and ACK when the
//! relay accepted the connection; one data segment per read of each direction, at the
//! read's time, with the stream's bytes at that offset (split where a read is longer than
//! one IPv4 packet holds); a FIN where a sender ended its side; a RST where the connection
//! was reset. Both directions start at sequence number 0 (the SYN's), so a data segment's
//! sequence number is its stream offset plus one. Each segment acknowledges all the other
//! direction had sent before it; no bare ACKs are made up, as the relay cannot know when
//! the kernels sent theirs.
//!
//! Bytes past what the record kept (a long stream's tail) are written as a short capture:
//! the packet's true length is recorded, its content is not. Its checksum is computed as if
//! those bytes were zeros, so it is not the real one; Wireshark does not verify the
//! checksum of a packet it does not have whole.

use super::{CLIENT_FALLBACK, Packet, SERVER_FALLBACK, endpoint, ip_packet};
use crate::evidence::stream::{Connection, Mark, ResetBy, Segment, StreamRecord};
use crate::link::Direction;
use etherparse::TcpHeader;
use std::io;
use std::net::SocketAddr;
use std::time::Duration;

/// The largest TCP payload one IPv4 packet holds: 65535 less the 20-byte IPv4 header and
/// the 20-byte TCP header (no options).
pub(super) const MAX_TCP_PAYLOAD: u64 = 65_495;

/// What both sides advertise: the relay does not know the real windows.
const WINDOW: u16 = 65_535;

/// The packets of one connection, in the relay's order of its reads and ends.
pub(super) fn packets(connection: &Connection) -> io::Result<Vec<Packet>> {
    let mut conversation = Conversation {
        nth: connection.nth,
        client: Side::new(endpoint(Some(connection.client), CLIENT_FALLBACK)),
        server: Side::new(endpoint(Some(connection.dialed), SERVER_FALLBACK)),
        packets: Vec::new(),
    };
    let opened = connection.opened_at;
    conversation.send(Direction::ToServer, opened, Flags::SYN, None)?;
    conversation.send(Direction::ToClient, opened, Flags::SYN_ACK, None)?;
    conversation.send(Direction::ToServer, opened, Flags::ACK, None)?;
    for step in steps(connection) {
        match step {
            Step::Read(direction, read) => {
                conversation.data(direction, connection.stream(direction), read)?;
            }
            Step::End(direction, mark) => {
                // The whole stream came before the FIN, recorded read or not.
                let side = conversation.side(direction);
                side.next_sequence = side
                    .next_sequence
                    .max(1 + connection.stream(direction).sent);
                conversation.send(direction, mark.at, Flags::FIN, None)?;
            }
        }
    }
    let reset: Option<(&[Direction], String)> = match (&connection.unreachable, connection.reset) {
        // The client connected to the relay, which then could not reach the server: only
        // the client was reset, and the server never saw the connection.
        (Some(reason), _) => Some((
            &[Direction::ToClient],
            format!("server unreachable: {reason}"),
        )),
        (None, Some(ResetBy::Client)) => {
            Some((&[Direction::ToServer], "reset by the client".to_owned()))
        }
        (None, Some(ResetBy::Server)) => {
            Some((&[Direction::ToClient], "reset by the server".to_owned()))
        }
        // Each program was reset by the relay, as if by its peer.
        (None, Some(ResetBy::Relay)) => Some((
            &Direction::BOTH,
            "reset by the relay (a scripted fault)".to_owned(),
        )),
        (None, None) => None,
    };
    if let Some((directions, why)) = reset {
        let at = connection
            .closed_at
            .unwrap_or(opened + connection.duration());
        for &direction in directions {
            let comment = format!("connection #{}: {why}", connection.nth);
            conversation.send(direction, at, Flags::RESET, Some(comment))?;
        }
    }
    Ok(conversation.packets)
}

/// A read or an end of one direction, taken in the relay's order.
enum Step {
    Read(Direction, Segment),
    End(Direction, Mark),
}

fn steps(connection: &Connection) -> Vec<Step> {
    let mut steps: Vec<(u64, Step)> = Vec::new();
    for direction in Direction::BOTH {
        let stream = connection.stream(direction);
        for read in &stream.reads {
            steps.push((read.order, Step::Read(direction, *read)));
        }
        if let Some(end) = stream.ended {
            steps.push((end.order, Step::End(direction, end)));
        }
    }
    steps.sort_by_key(|(order, _)| *order);
    steps.into_iter().map(|(_, step)| step).collect()
}

/// One program's end of the connection.
struct Side {
    address: SocketAddr,
    /// The sequence number its next segment carries, unwrapped (offset in the stream plus
    /// one for the SYN, plus one more after its FIN).
    next_sequence: u64,
}

impl Side {
    fn new(address: SocketAddr) -> Side {
        Side {
            address,
            next_sequence: 0,
        }
    }
}

#[derive(Clone, Copy, Debug)]
struct Flags {
    syn: bool,
    ack: bool,
    psh: bool,
    fin: bool,
    rst: bool,
}

impl Flags {
    const SYN: Flags = Flags {
        syn: true,
        ack: false,
        psh: false,
        fin: false,
        rst: false,
    };
    const SYN_ACK: Flags = Flags {
        ack: true,
        ..Flags::SYN
    };
    const ACK: Flags = Flags {
        syn: false,
        ..Flags::SYN_ACK
    };
    const FIN: Flags = Flags {
        fin: true,
        ..Flags::ACK
    };
    const RESET: Flags = Flags {
        rst: true,
        ..Flags::ACK
    };
}

struct Conversation {
    /// The connection's number in the trace, for comments.
    nth: u32,
    client: Side,
    server: Side,
    packets: Vec<Packet>,
}

impl Conversation {
    fn side(&mut self, direction: Direction) -> &mut Side {
        match direction {
            Direction::ToServer => &mut self.client,
            Direction::ToClient => &mut self.server,
        }
    }

    /// The data segments of one read, with what the record kept of its bytes.
    fn data(
        &mut self,
        direction: Direction,
        stream: &StreamRecord,
        read: Segment,
    ) -> io::Result<()> {
        let mut offset = read.offset;
        let end = read.offset + read.len;
        while offset < end {
            let len = (end - offset).min(MAX_TCP_PAYLOAD);
            let kept = kept_bytes(stream, offset, len);
            // Unkept bytes count in the packet's length and checksum as zeros. Zeroed by
            // the allocator, not byte by byte: a flood's stream has hundreds of megabytes
            // of them, which took seconds in a debug build.
            let mut payload = vec![0_u8; usize::try_from(len).unwrap_or(usize::MAX)];
            payload[..kept.len()].copy_from_slice(kept);
            let last = offset + len == end;
            let flags = Flags {
                psh: last,
                ..Flags::ACK
            };
            let comment = (kept.len() < payload.len()).then(|| {
                format!(
                    "connection #{} {direction} bytes {}..{} not kept by the trace: their length only",
                    self.nth,
                    offset + kept.len() as u64,
                    offset + len
                )
            });
            self.side(direction).next_sequence = 1 + offset;
            let mut packet = self.segment(direction, read.at, flags, &payload, comment)?;
            packet
                .data
                .truncate(packet.original_len - (payload.len() - kept.len()));
            // A bulk transfer's tail is thousands of such packets: keep none of the zeros.
            packet.data.shrink_to_fit();
            self.packets.push(packet);
            self.side(direction).next_sequence = 1 + offset + len;
            offset += len;
        }
        Ok(())
    }

    /// Sends one segment without payload (SYN, ACK, FIN or RST).
    fn send(
        &mut self,
        direction: Direction,
        at: Duration,
        flags: Flags,
        comment: Option<String>,
    ) -> io::Result<()> {
        let packet = self.segment(direction, at, flags, &[], comment)?;
        self.packets.push(packet);
        if flags.syn || flags.fin {
            self.side(direction).next_sequence += 1;
        }
        Ok(())
    }

    /// Builds one segment from the sender's next sequence number, acknowledging all the
    /// other side has sent.
    fn segment(
        &self,
        direction: Direction,
        at: Duration,
        flags: Flags,
        payload: &[u8],
        comment: Option<String>,
    ) -> io::Result<Packet> {
        let (sender, receiver) = match direction {
            Direction::ToServer => (&self.client, &self.server),
            Direction::ToClient => (&self.server, &self.client),
        };
        let mut header = TcpHeader::new(
            sender.address.port(),
            receiver.address.port(),
            wrap(sender.next_sequence),
            WINDOW,
        );
        header.syn = flags.syn;
        header.ack = flags.ack;
        header.psh = flags.psh;
        header.fin = flags.fin;
        header.rst = flags.rst;
        if flags.ack {
            header.acknowledgment_number = wrap(receiver.next_sequence);
        }
        let mut data = Vec::with_capacity(60 + payload.len());
        ip_packet(sender.address, receiver.address)
            .tcp_header(header)
            .write_to_vec(&mut data, payload)
            .map_err(io::Error::other)?;
        Ok(Packet {
            at,
            original_len: data.len(),
            data,
            comment,
        })
    }
}

/// What the record kept of the `len` bytes at `offset` of a stream: all, a first part, or
/// nothing.
fn kept_bytes(stream: &StreamRecord, offset: u64, len: u64) -> &[u8] {
    let kept = stream.bytes.len();
    let start = usize::try_from(offset).unwrap_or(usize::MAX).min(kept);
    let end = usize::try_from(offset + len)
        .unwrap_or(usize::MAX)
        .min(kept);
    &stream.bytes[start..end]
}

/// A sequence number on the wire: TCP's numbers wrap around at 2^32.
fn wrap(sequence: u64) -> u32 {
    (sequence & u64::from(u32::MAX)) as u32
}
