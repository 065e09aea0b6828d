//! The wire trace: every datagram the relay saw, when, and what the link did with it.

use crate::link::{Alteration, Direction, DropCause};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::time::Duration;

/// What happened to one datagram.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Fate {
    /// The link dropped it; the receiver never saw it.
    Dropped { cause: DropCause },
    /// The link delivered one or more copies (more than one when duplicated).
    Delivered { copies: Vec<DeliveredCopy> },
}

/// One copy the relay sent on, possibly altered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveredCopy {
    /// Position in the relay's sequence of actions (receives and sends alike); see
    /// [`WireEvent::order`].
    pub order: u64,
    /// When the relay sent it on, since the scenario started: read just before the send,
    /// so anything the receiver did in answer carries a later kernel timestamp.
    #[serde(with = "micros")]
    pub sent_at: Duration,
    /// The bytes as delivered, when they differ from what the program sent.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "hex_option")]
    pub altered_bytes: Option<Vec<u8>>,
    /// What the link did to this copy (delay, corruption, truncation, ...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alterations: Vec<Alteration>,
}

impl Fate {
    /// One line for people: `dropped (scripted fault)`, `delivered, corrupted; 2 copies`.
    pub fn summary(&self) -> String {
        let copies = match self {
            Fate::Dropped { cause } => return format!("dropped ({})", cause.description()),
            // The relay had no route for it, or the receiver's port was closed by then.
            Fate::Delivered { copies } if copies.is_empty() => return "not delivered".to_owned(),
            Fate::Delivered { copies } => copies,
        };
        let mut alterations: Vec<&str> = Vec::new();
        for alteration in copies.iter().flat_map(|copy| &copy.alterations) {
            // A duplicate shows in the count of copies.
            let name = alteration.name();
            if !matches!(alteration, Alteration::Duplicate { .. }) && !alterations.contains(&name) {
                alterations.push(name);
            }
        }
        let mut summary = String::from("delivered");
        for name in alterations {
            summary.push_str(", ");
            summary.push_str(name);
        }
        if copies.len() > 1 {
            summary.push_str(&format!("; {} copies", copies.len()));
        }
        summary
    }
}

/// One datagram as the relay received it from a program.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireEvent {
    pub direction: Direction,
    /// 1-based position among the datagrams sent in this direction.
    pub nth: u32,
    /// Position in the relay's single sequence of actions. A datagram the relay received
    /// before it delivered a copy was certainly sent before that copy arrived; the converse
    /// does not hold (a busy relay may read a datagram late), so the analyses order actions
    /// by time and use this only to break ties.
    pub order: u64,
    /// When the relay received it (the kernel's receive timestamp), since the scenario
    /// started.
    #[serde(with = "micros")]
    pub received_at: Duration,
    /// The sending program's address, as the relay received the datagram from it.
    /// Missing in traces recorded before addresses were kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<SocketAddr>,
    /// The receiving program's address: where the relay delivers it, or, when it has
    /// nowhere to deliver it, where the sender sent it (the relay socket it arrived at).
    /// In relay (NAT) mode the two make a client-to-server conversation without the relay in
    /// between; in transparent mode they are exactly the addresses the programs used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<SocketAddr>,
    /// The bytes exactly as the sending program sent them.
    #[serde(with = "hex_bytes")]
    pub bytes: Vec<u8>,
    pub fate: Fate,
}

impl WireEvent {
    /// The bytes the receiving program was given, for each delivered copy in order.
    pub fn delivered(&self) -> impl Iterator<Item = (&DeliveredCopy, &[u8])> {
        let copies: &[DeliveredCopy] = match &self.fate {
            Fate::Dropped { .. } => &[],
            Fate::Delivered { copies } => copies,
        };
        copies.iter().map(|copy| {
            let bytes = copy.altered_bytes.as_deref().unwrap_or(&self.bytes);
            (copy, bytes)
        })
    }

    /// Whether any delivered copy was altered from what the program sent.
    pub fn was_altered(&self) -> bool {
        match &self.fate {
            Fate::Dropped { .. } => false,
            Fate::Delivered { copies } => copies.iter().any(|copy| copy.altered_bytes.is_some()),
        }
    }
}

/// Every datagram of one scenario run, in the order the relay received them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireTrace {
    pub events: Vec<WireEvent>,
    /// Datagrams (and TCP connections) relayed but not kept, once a flood filled the
    /// trace (see [`WireTrace::RECORD_LIMIT`]): counted, so the report can say so, never
    /// stored.
    #[serde(default, skip_serializing_if = "Unrecorded::is_empty")]
    pub unrecorded: Unrecorded,
    /// The TCP connections the relay carried (TCP cases), in the order they were opened.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub connections: Vec<super::stream::Connection>,
}

/// What a flood sent past the trace's limits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unrecorded {
    pub to_server: u64,
    pub to_client: u64,
    pub bytes: u64,
    /// Copies the relay dropped because too many were already waiting for their delivery
    /// time (a flood through a delaying link).
    pub overflowed: u64,
    /// TCP connections relayed after the record was full: counted, not kept.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub connections: u64,
}

fn is_zero(value: &u64) -> bool {
    *value == 0
}

impl Unrecorded {
    pub fn is_empty(&self) -> bool {
        *self == Unrecorded::default()
    }

    pub fn count(&mut self, direction: Direction, bytes: usize) {
        match direction {
            Direction::ToServer => self.to_server += 1,
            Direction::ToClient => self.to_client += 1,
        }
        self.bytes += u64::try_from(bytes).unwrap_or(u64::MAX);
    }
}

impl WireTrace {
    /// Datagrams kept per run; far more than any protocol exchange of the assignments
    /// (rdt3 sends tens), few enough that a flood cannot exhaust memory (they hold at
    /// most [`WireTrace::RECORD_BYTES`]).
    pub const RECORD_LIMIT: usize = 20_000;
    /// Bytes the kept datagrams may hold per run, counted by what is really allocated:
    /// each datagram's bytes, its event (144 bytes) and its list of copies (72 bytes
    /// each, with any altered bytes), and the list of events. A whole rdt3 exchange is a
    /// few kilobytes and a 1 MiB file transfer a little over one megabyte, while a
    /// flood's evidence must stay cheap to keep and to write out (as hex, twice its size).
    pub const RECORD_BYTES: usize = 8 << 20;

    /// How many TCP connections the relay carried: those recorded and those only counted.
    pub fn connections_opened(&self) -> usize {
        self.connections.len() + usize::try_from(self.unrecorded.connections).unwrap_or(usize::MAX)
    }

    /// The datagrams sent in one direction, in order.
    pub fn direction(&self, direction: Direction) -> impl Iterator<Item = &WireEvent> {
        self.events
            .iter()
            .filter(move |event| event.direction == direction)
    }
}

/// Durations as whole microseconds, so traces are compact and readable as JSON.
pub(crate) mod micros {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::time::Duration;

    pub fn serialize<S: Serializer>(value: &Duration, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u64(u64::try_from(value.as_micros()).unwrap_or(u64::MAX))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Duration, D::Error> {
        u64::deserialize(deserializer).map(Duration::from_micros)
    }
}

pub(crate) mod micros_option {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::time::Duration;

    pub fn serialize<S: Serializer>(
        value: &Option<Duration>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(duration) => super::micros::serialize(duration, serializer),
            None => serializer.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Duration>, D::Error> {
        Ok(Option::<u64>::deserialize(deserializer)?.map(Duration::from_micros))
    }
}

pub(crate) mod hex_bytes {
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub fn serialize<S: Serializer>(value: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&hex::encode(value))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<u8>, D::Error> {
        hex::decode(String::deserialize(deserializer)?).map_err(D::Error::custom)
    }
}

mod hex_option {
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub fn serialize<S: Serializer>(
        value: &Option<Vec<u8>>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(bytes) => serializer.serialize_str(&hex::encode(bytes)),
            None => serializer.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Vec<u8>>, D::Error> {
        Option::<String>::deserialize(deserializer)?
            .map(|text| hex::decode(text).map_err(D::Error::custom))
            .transpose()
    }
}
