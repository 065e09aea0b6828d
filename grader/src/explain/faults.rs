//! Scripted faults and stream faults in plain words, for `grader explain`: "drops the first
//! transmission of the 2nd data packet sent to the server", so a student can tell what a
//! scenario does to their program without reading the case's YAML.

use crate::link::scripted::{CorruptFault, Matching, ScriptedFault};
use crate::link::stream::{Cut, StreamFaults};
use crate::link::{Direction, PacketSelector};
use socklab_protocol::Ordinal;
use std::time::Duration;

/// What a case calls things, so faults are told in its terms.
#[derive(Clone, Debug, Default)]
pub struct Vocabulary {
    /// What the client's distinct packets are (`data packet`); `packet` when empty.
    pub client_packets: String,
    /// What the server's distinct packets are (`ACK`); `packet` when empty.
    pub server_packets: String,
    /// The packet fields by their first byte, to name a corrupted byte's field.
    pub fields: Vec<(usize, String)>,
}

impl Vocabulary {
    fn packets(&self, direction: Direction) -> &str {
        let noun = match direction {
            Direction::ToServer => &self.client_packets,
            Direction::ToClient => &self.server_packets,
        };
        if noun.is_empty() { "packet" } else { noun }
    }
}

impl ScriptedFault {
    /// What the fault does, as a sentence without its full stop.
    pub fn in_words(&self, vocabulary: &Vocabulary) -> String {
        let target = || self.target_in_words(vocabulary);
        match self {
            ScriptedFault::Drop(_) => format!("drops {}", target()),
            ScriptedFault::Delay(fault) => format!(
                "holds back {} for {}, so later datagrams overtake it",
                target(),
                time(fault.by)
            ),
            ScriptedFault::Corrupt(fault) => {
                format!("flips {} of {}", bit_in_words(fault, vocabulary), target())
            }
            ScriptedFault::Duplicate(fault) => match fault.copies {
                1 => format!("delivers {} twice", target()),
                copies => format!("delivers {} {} times", target(), copies.saturating_add(1)),
            },
            ScriptedFault::Truncate(fault) => {
                format!("delivers only the first {} bytes of {}", fault.to, target())
            }
            ScriptedFault::Blackout(fault) => format!(
                "drops every datagram {} from {} to {} after the scenario starts",
                match fault.direction {
                    Some(direction) => sent_to(direction),
                    None => "in both directions",
                },
                time(fault.from),
                time(fault.until)
            ),
        }
    }

    /// `the first transmission of the 2nd data packet sent to the server`.
    fn target_in_words(&self, vocabulary: &Vocabulary) -> String {
        let (Some(direction), Ok(aim)) = (self.direction(), self.aim()) else {
            return "the datagrams it names".to_owned();
        };
        let mut text = match aim.selector {
            PacketSelector::Nth(nth) => format!("the {} datagram", Ordinal(nth)),
            PacketSelector::Packet {
                packet,
                transmission,
            } => {
                let which = match transmission {
                    1 => "first".to_owned(),
                    n => Ordinal(n).to_string(),
                };
                format!(
                    "the {which} transmission of the {} {}",
                    Ordinal(packet),
                    vocabulary.packets(direction)
                )
            }
        };
        text += &format!(" {}", sent_to(direction));
        if let Some(matching) = &aim.matching {
            text += &format!(
                ", counting only datagrams that {}",
                matching_in_words(matching)
            );
        }
        text
    }
}

/// What a stream fault direction does, one sentence per fault.
pub fn stream_in_words(faults: &StreamFaults, direction: Direction) -> Vec<String> {
    let to = sent_to(direction);
    let mut sentences = Vec::new();
    if let Some(slice) = &faults.slice {
        let mut text = format!(
            "delivers the stream {to} in pieces of {} to {} bytes",
            slice.min, slice.max
        );
        if !slice.gap.is_zero() {
            text += &format!(", {} apart", time(slice.gap));
        }
        sentences.push(text);
    }
    if let Some(coalesce) = &faults.coalesce {
        sentences.push(format!(
            "holds the bytes {to} for {} after the first arrives, then delivers them together",
            time(coalesce.window)
        ));
    }
    if let Some(delay) = faults.delay {
        sentences.push(format!("delivers every byte {to} {} late", time(delay)));
    }
    if let Some(rate) = faults.rate {
        sentences.push(format!("carries at most {rate} bits per second {to}"));
    }
    if let Some(stall) = &faults.stall {
        sentences.push(format!(
            "stops delivering {to} for {} after {} bytes{}",
            time(stall.duration),
            stall.after,
            connection(stall.connection)
        ));
    }
    if let Some(cut) = &faults.cut {
        sentences.push(format!("{}, then closes it cleanly", cut_in_words(cut, to)));
    }
    if let Some(reset) = &faults.reset {
        sentences.push(format!(
            "{}, then resets the connection",
            cut_in_words(reset, to)
        ));
    }
    sentences
}

fn cut_in_words(cut: &Cut, to: &str) -> String {
    format!(
        "delivers only the first {} bytes {to}{}",
        cut.after,
        connection(cut.connection)
    )
}

/// ` of the 3rd connection`, or ` of every connection`.
fn connection(nth: Option<u32>) -> String {
    match nth {
        Some(nth) => format!(" of the {} connection", Ordinal(nth)),
        None => " of every connection".to_owned(),
    }
}

fn sent_to(direction: Direction) -> &'static str {
    match direction {
        Direction::ToServer => "sent to the server",
        Direction::ToClient => "sent to the client",
    }
}

/// `bit 0 of the data field (byte 8)`, `bit 3 of byte 20`, or `a random bit`.
fn bit_in_words(fault: &CorruptFault, vocabulary: &Vocabulary) -> String {
    let bit = fault.bit.unwrap_or(0);
    let field = |byte: usize| {
        vocabulary
            .fields
            .iter()
            .find(|(offset, _)| *offset == byte)
            .map(|(_, name)| name.clone())
    };
    match (&fault.field, fault.byte) {
        (Some(name), _) => format!("bit {bit} of the `{name}` field"),
        (None, Some(byte)) => match field(byte) {
            Some(name) => format!("bit {bit} of the `{name}` field (byte {byte})"),
            None => format!("bit {bit} of byte {byte}"),
        },
        (None, None) => "a bit chosen at random from the seed".to_owned(),
    }
}

fn matching_in_words(matching: &Matching) -> String {
    let mut parts = Vec::new();
    if let (Some(byte), Some(bits)) = (matching.byte, matching.bits) {
        parts.push(format!("have the bits {bits:#04x} set in byte {byte}"));
    }
    if let Some(length) = matching.longer_than {
        parts.push(format!("are longer than {length} bytes"));
    }
    parts.join(" and ")
}

fn time(duration: Duration) -> String {
    humantime::format_duration(duration).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(yaml: &str) -> String {
        let fault: ScriptedFault = serde_saphyr::from_str(yaml).unwrap();
        let vocabulary = Vocabulary {
            client_packets: "data packet".to_owned(),
            server_packets: "ACK".to_owned(),
            fields: vec![(0, "ack".to_owned()), (8, "data".to_owned())],
        };
        fault.in_words(&vocabulary)
    }

    #[test]
    fn names_the_datagram_a_fault_is_aimed_at() {
        assert_eq!(
            words("drop: { direction: to-server, packet: 2 }"),
            "drops the first transmission of the 2nd data packet sent to the server"
        );
        assert_eq!(
            words("delay: { direction: to-client, packet: 1, transmission: 2, by: 27ms }"),
            "holds back the 2nd transmission of the 1st ACK sent to the client for 27ms, so later datagrams overtake it"
        );
        assert_eq!(
            words("corrupt: { direction: to-server, nth: 3, byte: 8, bit: 1 }"),
            "flips bit 1 of the `data` field (byte 8) of the 3rd datagram sent to the server"
        );
        assert_eq!(
            words("drop: { direction: to-client, nth: 1, matching: { byte: 13, bits: 1 } }"),
            "drops the 1st datagram sent to the client, counting only datagrams that have the bits 0x01 set in byte 13"
        );
        assert_eq!(
            words("blackout: { from: 10ms, until: 50ms }"),
            "drops every datagram in both directions from 10ms to 50ms after the scenario starts"
        );
    }
}
