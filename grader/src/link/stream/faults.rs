//! What the TCP relay may do to a byte stream, as a case file writes it.
//!
//! A TCP stream has no datagrams to drop; what breaks student programs is where the stream
//! is cut into segments. `slice` delivers it in tiny pieces (one `recv()` is then never one
//! message), `coalesce` joins several writes into one segment (one `send()` is then never
//! one `recv()`), `delay` and `rate` stretch it in time, `stall` stops it for a while,
//! `cut` ends it early with a clean close and `reset` ends it with an RST.
//!
//! ```yaml
//! stream:
//!   to-server: { slice: { min: 1, max: 3, gap: 2ms } }
//!   to-client: { cut: { connection: 37, after: 50000 } }
//! ```

use crate::link::Direction;
use schemars::JsonSchema;
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize};
use std::time::Duration;

/// The stream faults of a scenario, per direction.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct StreamSides {
    #[serde(default)]
    pub to_server: StreamFaults,
    #[serde(default)]
    pub to_client: StreamFaults,
}

impl StreamSides {
    pub fn direction(&self, direction: Direction) -> &StreamFaults {
        match direction {
            Direction::ToServer => &self.to_server,
            Direction::ToClient => &self.to_client,
        }
    }
}

/// What the relay does to one direction of a connection; with none, it forwards each
/// read as it comes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct StreamFaults {
    /// Deliver the stream in segments of `min`–`max` bytes, `gap` apart.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slice: Option<Slice>,
    /// Hold bytes for `window` after the first arrives, then deliver all of them as one
    /// segment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coalesce: Option<Coalesce>,
    /// Deliver every byte this long after it arrived.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::link::stream::faults::duration_option"
    )]
    #[schemars(with = "Option<crate::link::duration::DurationText>")]
    pub delay: Option<Duration>,
    /// At most this many bits per second, in tc's units (`8mbit`, `125kbps`).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "rate::deserialize"
    )]
    #[schemars(with = "Option<crate::link::netem::BitRate>")]
    pub rate: Option<u64>,
    /// Stop delivering for a while once some bytes have gone through.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stall: Option<Stall>,
    /// Deliver only the first bytes, then close this direction cleanly (FIN); the rest of
    /// what the sender writes is read and thrown away, so the sender notices nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cut: Option<Cut>,
    /// Deliver only the first bytes, then reset the connection (RST to both programs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reset: Option<Cut>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Slice {
    /// Smallest segment, in bytes (at least 1).
    pub min: usize,
    /// Largest segment, in bytes.
    pub max: usize,
    /// Time between two segments, so that the receiver really reads them one by one.
    #[serde(default, with = "crate::link::duration")]
    #[schemars(with = "crate::link::duration::DurationText")]
    pub gap: Duration,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Coalesce {
    /// How long bytes are held after the first of them arrives.
    #[serde(with = "crate::link::duration")]
    #[schemars(with = "crate::link::duration::DurationText")]
    pub window: Duration,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Stall {
    /// Only the n-th connection (1-based); every connection when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection: Option<u32>,
    /// Bytes delivered before the stall.
    pub after: u64,
    /// How long nothing is delivered.
    #[serde(rename = "for", with = "crate::link::duration")]
    #[schemars(with = "crate::link::duration::DurationText")]
    pub duration: Duration,
}

/// Where a stream is ended early: after `after` bytes of the n-th connection (every
/// connection when `connection` is absent).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Cut {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection: Option<u32>,
    pub after: u64,
}

/// Whether a fault aimed at `connection` (or at every one) applies to the `nth`.
pub(crate) fn aims_at(connection: Option<u32>, nth: u32) -> bool {
    connection.is_none_or(|wanted| wanted == nth)
}

impl Slice {
    /// A slice a case can use: 1 ≤ min ≤ max.
    pub fn validate(&self) -> Result<(), String> {
        if self.min == 0 || self.min > self.max {
            return Err(format!(
                "slice sizes must satisfy 1 <= min <= max (got min {} and max {})",
                self.min, self.max
            ));
        }
        Ok(())
    }
}

pub(crate) mod duration_option {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::time::Duration;

    pub fn serialize<S: Serializer>(
        value: &Option<Duration>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(duration) => crate::link::duration::serialize(duration, serializer),
            None => serializer.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Duration>, D::Error> {
        #[derive(Deserialize)]
        struct Wrapped(#[serde(with = "crate::link::duration")] Duration);
        Ok(Option::<Wrapped>::deserialize(deserializer)?.map(|Wrapped(duration)| duration))
    }
}

mod rate {
    use super::*;

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<u64>, D::Error> {
        let text = String::deserialize(deserializer)?;
        crate::link::netem::units::rate(text.trim())
            .map(Some)
            .map_err(|error| D::Error::custom(error.to_string()))
    }
}
