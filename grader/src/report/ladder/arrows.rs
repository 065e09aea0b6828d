//! What the ladder shows of a UDP run, before any geometry: each datagram turned into
//! arrows from one program to the other, each with what the link did to it, plus the
//! brackets that mark a datagram sent again. Also the shapes every ladder is made of,
//! which [`super::connections`] fills in for TCP runs.
//!
//! Kept apart from the drawing so the facts (which datagram was dropped, which copy was
//! corrupted, which datagram repeats which) are decided in one place, in the trace's
//! terms.

use crate::evidence::{Fate, Role, WireEvent, WireTrace};
use crate::link::{Alteration, Direction, DropCause, Origin};
use crate::wording;
use std::collections::BTreeMap;
use std::time::Duration;

/// How many characters of a payload an arrow's label shows.
pub const LABEL_PREVIEW_CHARS: usize = 24;
/// How many characters of a payload an arrow's tooltip shows.
const TOOLTIP_PREVIEW_CHARS: usize = 200;

/// Everything the ladder of one run shows.
#[derive(Debug, Default)]
pub struct Drawing {
    pub arrows: Vec<Arrow>,
    pub repeats: Vec<Repeat>,
    pub bands: Vec<Band>,
    /// What the trace holds beyond what is drawn, in words; empty when all of it is.
    pub left_out: Option<String>,
}

/// One datagram copy, TCP segment, connection attempt or close, from its sender's line to
/// the receiver's.
#[derive(Debug)]
pub struct Arrow {
    pub sender: Role,
    /// When it left the sender (reached the relay).
    pub sent_at: Duration,
    pub end: Ending,
    /// CSS classes, the first saying what kind of thing it is (`datagram`, `segment`, …).
    pub classes: Vec<&'static str>,
    /// The short text printed on it.
    pub label: String,
    /// The whole story, shown as its tooltip.
    pub detail: String,
}

/// Where an arrow ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ending {
    /// At the receiver's line, when the relay handed it over.
    Arrives(Duration),
    /// Half-way, in a cross: the receiver never got it.
    Lost,
}

/// A datagram that repeats its sender's previous one byte for byte: the time from the
/// earlier to the later is the sender's retransmission timer.
#[derive(Debug)]
pub struct Repeat {
    pub sender: Role,
    pub earlier: Duration,
    pub later: Duration,
    pub detail: String,
}

/// A moment of a whole connection (a reset), drawn across both lines.
#[derive(Debug)]
pub struct Band {
    pub at: Duration,
    pub label: String,
}

/// The drawing of a UDP run: the first `limit` datagrams of `trace`.
pub fn datagrams(trace: &WireTrace, limit: usize) -> Drawing {
    let mut drawing = Drawing::default();
    // Each direction's latest datagram. A datagram equal to its sender's previous one is a
    // retransmission; one equal to an older one need not be (rdt3's receiver sends the
    // same ACK 0 for every other packet, by design).
    let mut previous: BTreeMap<Direction, &WireEvent> = BTreeMap::new();
    for event in trace.events.iter().take(limit) {
        let repeated = previous
            .insert(event.direction, event)
            .filter(|earlier| earlier.bytes == event.bytes);
        if let Some(earlier) = repeated {
            drawing.repeats.push(Repeat {
                sender: Role::sender_of(event.direction),
                earlier: earlier.received_at,
                later: event.received_at,
                detail: format!(
                    "{} repeats {} byte for byte, {} later",
                    wording::datagram(event.direction, event.nth),
                    wording::datagram(earlier.direction, earlier.nth),
                    wording::millis(event.received_at - earlier.received_at)
                ),
            });
        }
        push_datagram(&mut drawing, event, repeated.map(|earlier| earlier.nth));
    }
    let not_drawn = trace.events.len().saturating_sub(limit);
    let unrecorded = &trace.unrecorded;
    let mut left_out = Vec::new();
    if not_drawn > 0 {
        left_out.push(format!(
            "only the first {limit} of the {} datagrams in the trace are drawn: {not_drawn} more are in trace.jsonl",
            trace.events.len()
        ));
    }
    if unrecorded.to_server + unrecorded.to_client > 0 {
        left_out.push(format!(
            "{} more datagrams were relayed after the trace was full and only counted",
            unrecorded.to_server + unrecorded.to_client
        ));
    }
    if !left_out.is_empty() {
        drawing.left_out = Some(left_out.join("; "));
    }
    drawing
}

/// One arrow per delivered copy of `event`, or one that ends in a cross.
fn push_datagram(drawing: &mut Drawing, event: &WireEvent, repeats: Option<u32>) {
    let name = wording::datagram(event.direction, event.nth);
    let sender = Role::sender_of(event.direction);
    let receiver = sender.peer();
    let mut label = format!(
        "{name} · {} B · {}",
        event.bytes.len(),
        wording::payload_preview(&event.bytes, LABEL_PREVIEW_CHARS)
    );
    let mut detail = format!(
        "{name}: {} bytes the {sender} sent at {}",
        event.bytes.len(),
        moment(event.received_at)
    );
    if let Some(earlier) = repeats {
        label.push_str(&format!(" · again (#{earlier})"));
        detail.push_str(&format!("; the same bytes as #{earlier}"));
    }
    let payload = format!(
        "payload: {}",
        wording::payload_preview(&event.bytes, TOOLTIP_PREVIEW_CHARS)
    );
    let direction_class = direction_class(event.direction);
    match &event.fate {
        Fate::Dropped { cause } => drawing.arrows.push(Arrow {
            sender,
            sent_at: event.received_at,
            end: Ending::Lost,
            classes: vec!["datagram", direction_class, "drop"],
            label: format!("{label} · dropped"),
            detail: format!(
                "{detail}\ndropped by the link: {}\n{payload}",
                cause_text(*cause)
            ),
        }),
        Fate::Delivered { .. } => {
            for (index, (copy, bytes)) in event.delivered().enumerate() {
                let mut classes = vec!["datagram", direction_class];
                let mut copy_label = label.clone();
                let mut copy_detail = format!(
                    "{detail}\ndelivered to the {receiver} at {}",
                    moment(copy.sent_at)
                );
                let duplicate = index > 0
                    || copy
                        .alterations
                        .iter()
                        .any(|alteration| matches!(alteration, Alteration::Duplicate { .. }));
                if duplicate {
                    classes.push("duplicate");
                    copy_label = format!("{name} · duplicate copy");
                }
                if copy.altered_bytes.is_some() {
                    classes.push("corrupt");
                    copy_detail.push_str(&format!(
                        "\nas delivered: {}",
                        wording::payload_preview(bytes, TOOLTIP_PREVIEW_CHARS)
                    ));
                }
                for alteration in &copy.alterations {
                    if let Some(short) = alteration_label(alteration) {
                        copy_label.push_str(&format!(" · {short}"));
                    }
                    copy_detail.push_str(&format!("\n{}", alteration_text(alteration)));
                }
                drawing.arrows.push(Arrow {
                    sender,
                    sent_at: event.received_at,
                    end: Ending::Arrives(copy.sent_at),
                    classes,
                    label: copy_label,
                    detail: format!("{copy_detail}\n{payload}"),
                });
            }
        }
    }
}

/// The CSS class that colours a direction.
pub fn direction_class(direction: Direction) -> &'static str {
    match direction {
        Direction::ToServer => "to-server",
        Direction::ToClient => "to-client",
    }
}

/// `64.34 ms`: a moment of the run, to a hundredth of a millisecond.
pub fn moment(at: Duration) -> String {
    format!("{:.2} ms", at.as_secs_f64() * 1000.0)
}

fn cause_text(cause: DropCause) -> &'static str {
    match cause {
        DropCause::Scripted => "a scripted drop of the scenario",
        DropCause::Blackout => "the scenario's scripted blackout",
        DropCause::RandomLoss => "netem's random loss",
        DropCause::GilbertElliott => "netem's Gilbert-Elliott loss",
        DropCause::QueueFull => "the relay's full queue of delayed datagrams (a flood)",
    }
}

/// What an arrow's label says about an alteration, when it is worth a word there.
fn alteration_label(alteration: &Alteration) -> Option<String> {
    match alteration {
        Alteration::Corrupted { .. } => Some("corrupted".to_owned()),
        Alteration::Truncated { to, .. } => Some(format!("cut to {to} B")),
        Alteration::Delayed { micros, .. } if *micros >= 1000 => Some(format!(
            "held {}",
            wording::millis(Duration::from_micros(*micros))
        )),
        Alteration::Reordered => Some("sent out of turn".to_owned()),
        // Said once by the duplicate's own label; small delays show in the slope.
        Alteration::Duplicate { .. }
        | Alteration::Delayed { .. }
        | Alteration::RateLimited { .. } => None,
    }
}

/// An alteration in full, for the tooltip.
fn alteration_text(alteration: &Alteration) -> String {
    let by = |origin: &Origin| match origin {
        Origin::Scripted => "scripted",
        Origin::Netem => "netem",
    };
    match alteration {
        Alteration::Delayed { micros, origin } => format!(
            "held back {} ({})",
            wording::millis(Duration::from_micros(*micros)),
            by(origin)
        ),
        Alteration::Corrupted { byte, bit, origin } => {
            format!(
                "corrupted: bit {bit} of byte {byte} flipped ({})",
                by(origin)
            )
        }
        Alteration::Truncated { from, to } => format!("truncated from {from} to {to} bytes"),
        Alteration::Duplicate { origin } => format!("an extra copy ({})", by(origin)),
        Alteration::Reordered => "sent ahead of copies queued before it (reorder)".to_owned(),
        Alteration::RateLimited { micros } => format!(
            "waited {} for the rate-limited link",
            wording::millis(Duration::from_micros(*micros))
        ),
    }
}
