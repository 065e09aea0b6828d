//! What the ladder shows of a TCP run: per connection its opening, each read the relay
//! made from a program as an arrow to the write that delivered its last byte, each close
//! (FIN), and a reset across both lines.

use super::arrows::{Arrow, Band, Drawing, Ending, LABEL_PREVIEW_CHARS, direction_class, moment};
use crate::evidence::{Connection, ResetBy, Role, StreamRecord};
use crate::link::Direction;
use crate::wording;

/// The drawing of a TCP run: per connection its opening, each read of either stream as an
/// arrow to the write that delivered its last byte, each close, and a reset; at most
/// `limit` arrows.
pub fn drawing(connections: &[Connection], limit: usize) -> Drawing {
    let mut drawing = Drawing::default();
    let mut not_drawn = 0;
    for connection in connections {
        let mut arrows = vec![opening(connection)];
        for direction in Direction::BOTH {
            let stream = match direction {
                Direction::ToServer => &connection.to_server,
                Direction::ToClient => &connection.to_client,
            };
            arrows.extend(segments(connection.nth, direction, stream));
        }
        let room = limit.saturating_sub(drawing.arrows.len());
        not_drawn += arrows.len().saturating_sub(room);
        drawing.arrows.extend(arrows.into_iter().take(room));
        if let Some(by) = connection.reset {
            let by = match by {
                ResetBy::Client => "the client",
                ResetBy::Server => "the server",
                ResetBy::Relay => "the relay (a reset fault)",
            };
            drawing.bands.push(Band {
                at: connection.opened_at + connection.duration(),
                label: format!("connection #{} reset by {by}", connection.nth),
            });
        }
    }
    if not_drawn > 0 {
        drawing.left_out = Some(format!(
            "only the first {limit} reads, closes and openings are drawn: {not_drawn} more are in connections.jsonl"
        ));
    }
    // Drawn in time order, so labels read top to bottom whatever stream they belong to.
    drawing.arrows.sort_by_key(|arrow| arrow.sent_at);
    drawing
}

/// The client's connection reaching the relay, and the relay reaching the server (or not).
fn opening(connection: &Connection) -> Arrow {
    let name = format!("connection #{}", connection.nth);
    let detail = format!(
        "{name}: the client ({}) connected to {} at {}",
        connection.client,
        connection.dialed,
        moment(connection.opened_at)
    );
    match &connection.unreachable {
        Some(reason) => Arrow {
            sender: Role::Client,
            sent_at: connection.opened_at,
            end: Ending::Lost,
            classes: vec!["connect", "to-server", "drop"],
            label: format!("{name} · connect · server unreachable"),
            detail: format!("{detail}\nthe relay could not reach the server: {reason}"),
        },
        None => Arrow {
            sender: Role::Client,
            sent_at: connection.opened_at,
            end: Ending::Arrives(connection.opened_at),
            classes: vec!["connect", "to-server"],
            label: format!("{name} · connect"),
            detail,
        },
    }
}

/// Each read of one stream to the write that delivered its last byte, then the stream's
/// close (FIN).
fn segments(nth: u32, direction: Direction, stream: &StreamRecord) -> Vec<Arrow> {
    let sender = Role::sender_of(direction);
    let receiver = sender.peer();
    let mut arrows = Vec::new();
    for read in &stream.reads {
        let last = read.offset + read.len.saturating_sub(1);
        let kept = usize::try_from(read.offset)
            .ok()
            .and_then(|start| stream.bytes.get(start..))
            .map(|rest| &rest[..rest.len().min(usize::try_from(read.len).unwrap_or(0))])
            .unwrap_or_default();
        let label = format!(
            "#{nth} {direction} bytes {}–{last} · {} B · {}",
            read.offset,
            read.len,
            wording::payload_preview(kept, LABEL_PREVIEW_CHARS)
        );
        let detail = format!(
            "connection #{nth}, {direction}: {} bytes (stream offset {}) the {sender} wrote, read by the relay at {}",
            read.len,
            read.offset,
            moment(read.at)
        );
        let classes = vec!["segment", direction_class(direction)];
        arrows.push(match stream.delivery_of(last) {
            Some(write) => Arrow {
                sender,
                sent_at: read.at,
                end: Ending::Arrives(write.at),
                classes,
                label,
                detail: format!(
                    "{detail}\nfully delivered to the {receiver} at {}",
                    moment(write.at)
                ),
            },
            None => Arrow {
                sender,
                sent_at: read.at,
                end: Ending::Lost,
                classes: [classes, vec!["drop"]].concat(),
                label: format!("{label} · never delivered"),
                detail: format!("{detail}\nnever delivered: the connection was cut or reset first"),
            },
        });
    }
    if let Some(ended) = stream.ended {
        let detail = format!(
            "connection #{nth}: the {sender} closed its side (FIN) at {}",
            moment(ended.at)
        );
        arrows.push(Arrow {
            sender,
            sent_at: ended.at,
            end: stream
                .closed
                .map_or(Ending::Lost, |closed| Ending::Arrives(closed.at)),
            classes: match stream.closed {
                Some(_) => vec!["fin", direction_class(direction)],
                None => vec!["fin", direction_class(direction), "drop"],
            },
            label: format!("#{nth} {direction} FIN"),
            detail: match stream.closed {
                Some(closed) => format!(
                    "{detail}\npassed on to the {receiver} at {}",
                    moment(closed.at)
                ),
                None => format!("{detail}\nnever passed on to the {receiver}"),
            },
        });
    }
    arrows
}
