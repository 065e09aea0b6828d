//! What the link decided for one datagram: the copies to send and what was done to each, or
//! why it was dropped.
//!
//! [`Alteration`] and [`DropCause`] are stored in the wire trace as they are, so they are
//! plain serde data: externally tagged, kebab-case, durations as whole microseconds.

use serde::{Deserialize, Serialize};
use std::time::Duration;

/// What to do with one datagram: the copies to send, or why there are none.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    /// Empty exactly when `dropped` is set; more than one when duplicated.
    pub copies: Vec<Copy>,
    pub dropped: Option<DropCause>,
}

/// One copy to send on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Copy {
    /// How long after the datagram arrived to send this copy.
    pub delay: Duration,
    /// The bytes to send, altered or not.
    pub bytes: Vec<u8>,
    /// What was done to this copy, in the order it was done.
    pub alterations: Vec<Alteration>,
}

/// One thing the link did to a copy, as the wire trace records it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Alteration {
    /// Held back this long (netem: including the wait behind earlier delayed copies).
    Delayed { micros: u64, origin: Origin },
    /// Bit `bit` (0 = least significant) of byte `byte` flipped.
    Corrupted {
        byte: usize,
        bit: u8,
        origin: Origin,
    },
    /// Cut from `from` bytes down to its first `to`.
    Truncated { from: usize, to: usize },
    /// An extra copy of the datagram.
    Duplicate { origin: Origin },
    /// Sent at once, ahead of the netem-delayed copies queued before it.
    Reordered,
    /// Waited this long for the rate-limited link (queueing plus its own serialization).
    RateLimited { micros: u64 },
}

/// Whether the case scripted an alteration or netem's dice chose it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Origin {
    Scripted,
    Netem,
}

/// Why a datagram was dropped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DropCause {
    /// A scripted `drop` aimed at it.
    Scripted,
    /// Sent during a scripted blackout.
    Blackout,
    /// netem's `loss P%`.
    RandomLoss,
    /// netem's `loss gemodel`.
    GilbertElliott,
    /// The relay itself: every copy was due later than the copies already waiting for
    /// their time could be held (a flood through a delaying link), so none was kept.
    QueueFull,
}

impl Alteration {
    /// What was done, in a word or two, for a line that lists several (`corrupted`).
    pub fn name(&self) -> &'static str {
        match self {
            Alteration::Delayed { .. } => "delayed",
            Alteration::Corrupted { .. } => "corrupted",
            Alteration::Truncated { .. } => "truncated",
            Alteration::Duplicate { .. } => "duplicated",
            Alteration::Reordered => "reordered",
            Alteration::RateLimited { .. } => "rate-limited",
        }
    }
}

impl DropCause {
    /// Why, as a person reads it (`scripted fault`).
    pub fn description(self) -> &'static str {
        match self {
            DropCause::Scripted => "scripted fault",
            DropCause::Blackout => "scripted blackout",
            DropCause::RandomLoss => "netem random loss",
            DropCause::GilbertElliott => "netem Gilbert-Elliott loss",
            DropCause::QueueFull => "the relay's delay queue was full",
        }
    }
}

impl Decision {
    pub(crate) fn dropped(cause: DropCause) -> Decision {
        Decision {
            copies: Vec::new(),
            dropped: Some(cause),
        }
    }

    /// Whether the receiver gets nothing.
    pub fn is_dropped(&self) -> bool {
        self.dropped.is_some()
    }
}
