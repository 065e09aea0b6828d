//! The alternating-bit (rdt 3.0 / rdt 2.2) view of a wire trace.
//!
//! Every datagram the programs sent and every copy the relay delivered becomes a [`Step`],
//! in the order of time: a datagram at the kernel's receive timestamp, which is when its
//! program sent it, and a copy just before the relay handed it over (so an answer to the
//! copy always comes after it). The relay's own order of actions is only the tie-break: a
//! relay that was slow to read a datagram must not make a client that sent it before an
//! ACK arrived look as if it sent it after. The client's data datagrams are grouped into
//! [`Message`]s (a retransmission carries the same seq and data as the one before it).

use crate::analyzer::alternating_bit::AlternatingBitParams;
use crate::evidence::WireTrace;
use crate::link::Direction;
use crate::wire::checksum::ChecksumVerdict;
use crate::wire::{ChecksumSpec, Layout};
use crate::wording;
use std::time::Duration;

/// A datagram leaving a program, or a copy of it reaching the other one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepKind {
    Sent,
    Delivered,
}

/// One datagram as the analyzer understands it.
#[derive(Clone, Debug)]
pub struct Step {
    pub kind: StepKind,
    pub direction: Direction,
    /// Which datagram of its direction (`to-server #3`).
    pub nth: u32,
    pub order: u64,
    pub at: Duration,
    pub bytes: Vec<u8>,
    /// The decoded packet, or why it does not decode.
    pub packet: Result<Packet, String>,
    /// Whether the checksum verifies (true when the case has no checksum).
    pub checksum_ok: bool,
    /// For a delivery: whether the relay altered the bytes on purpose.
    pub altered: bool,
}

impl Step {
    /// `to-server #3 at 0.031 s`.
    pub fn describe(&self) -> String {
        let what = wording::datagram(self.direction, self.nth);
        match self.kind {
            StepKind::Sent => format!("{what} sent at {}", wording::seconds(self.at)),
            StepKind::Delivered => format!("{what} delivered at {}", wording::seconds(self.at)),
        }
    }

    /// The packet if it decodes and its checksum verifies: what a correct program accepts.
    pub fn valid_packet(&self) -> Option<&Packet> {
        self.packet.as_ref().ok().filter(|_| self.checksum_ok)
    }
}

/// The fields the alternating-bit protocol cares about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Packet {
    pub ack: i128,
    pub seq: i128,
    pub data: Vec<u8>,
}

impl Packet {
    /// `ack=1 seq=0 data=NCC-1701`.
    pub fn describe(&self) -> String {
        format!(
            "ack={} seq={} data={}",
            self.ack,
            self.seq,
            wording::payload_text(&self.data)
        )
    }
}

/// One message the client got across (or tried to): its first transmission and the
/// retransmissions that followed it.
#[derive(Clone, Debug)]
pub struct Message {
    pub seq: i128,
    pub data: Vec<u8>,
    /// Indices into [`Conversation::steps`] of every transmission, first one first.
    pub transmissions: Vec<usize>,
}

/// The whole exchange of one scenario run.
#[derive(Clone, Debug, Default)]
pub struct Conversation {
    pub steps: Vec<Step>,
    pub messages: Vec<Message>,
}

impl Conversation {
    /// Decodes a trace with the case's layout and checksum.
    pub fn analyze(
        trace: &WireTrace,
        layout: &Layout,
        checksum: Option<&ChecksumSpec>,
        params: &AlternatingBitParams,
    ) -> Conversation {
        let decode = |bytes: &[u8]| -> (Result<Packet, String>, bool) {
            let packet = layout
                .decode(bytes)
                .map_err(|error| error.to_string())
                .and_then(|decoded| {
                    let int = |name: &str| {
                        decoded
                            .int(name)
                            .ok_or_else(|| format!("field `{name}` is not an integer"))
                    };
                    let data = decoded
                        .bytes(&params.data_field)
                        .ok_or_else(|| format!("field `{}` is not bytes", params.data_field))?
                        .to_vec();
                    Ok(Packet {
                        ack: int(&params.ack_field)?,
                        seq: int(&params.seq_field)?,
                        data,
                    })
                });
            let checksum_ok = match checksum {
                Some(spec) => matches!(spec.verify(layout, bytes), ChecksumVerdict::Valid),
                None => packet.is_ok(),
            };
            (packet, checksum_ok)
        };

        let mut steps = Vec::new();
        for event in &trace.events {
            let (packet, checksum_ok) = decode(&event.bytes);
            steps.push(Step {
                kind: StepKind::Sent,
                direction: event.direction,
                nth: event.nth,
                order: event.order,
                at: event.received_at,
                bytes: event.bytes.clone(),
                packet,
                checksum_ok,
                altered: false,
            });
            for (copy, bytes) in event.delivered() {
                let (packet, checksum_ok) = decode(bytes);
                steps.push(Step {
                    kind: StepKind::Delivered,
                    direction: event.direction,
                    nth: event.nth,
                    order: copy.order,
                    at: copy.sent_at,
                    bytes: bytes.to_vec(),
                    packet,
                    checksum_ok,
                    altered: copy.altered_bytes.is_some(),
                });
            }
        }
        steps.sort_by_key(|step| (step.at, step.order));
        let messages = group_messages(&steps);
        Conversation { steps, messages }
    }

    /// Steps of one kind and direction, with their indices.
    pub fn steps_of(
        &self,
        kind: StepKind,
        direction: Direction,
    ) -> impl Iterator<Item = (usize, &Step)> {
        self.steps
            .iter()
            .enumerate()
            .filter(move |(_, step)| step.kind == kind && step.direction == direction)
    }

    /// The message a client transmission (step index) belongs to.
    pub fn message_of(&self, step: usize) -> Option<usize> {
        self.messages
            .iter()
            .position(|message| message.transmissions.contains(&step))
    }

    /// The latest message whose first transmission happened before `step`.
    pub fn outstanding_at(&self, step: usize) -> Option<usize> {
        self.messages.iter().rposition(|message| {
            message
                .transmissions
                .first()
                .is_some_and(|&first| first < step)
        })
    }
}

/// Splits the client's data datagrams into messages: a datagram with the same seq and data
/// as the current message is a retransmission of it; anything else starts a new message.
/// Datagrams that do not decode belong to no message (the format check reports them).
fn group_messages(steps: &[Step]) -> Vec<Message> {
    let mut messages: Vec<Message> = Vec::new();
    for (index, step) in steps.iter().enumerate() {
        if step.kind != StepKind::Sent || step.direction != Direction::ToServer {
            continue;
        }
        let Ok(packet) = &step.packet else {
            continue;
        };
        match messages.last_mut() {
            Some(current) if current.seq == packet.seq && current.data == packet.data => {
                current.transmissions.push(index);
            }
            _ => messages.push(Message {
                seq: packet.seq,
                data: packet.data.clone(),
                transmissions: vec![index],
            }),
        }
    }
    messages
}
