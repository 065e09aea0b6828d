//! The ladder drawn from small synthetic traces: each fate of a datagram has its mark, and
//! every picture is well-formed XML.

use super::*;
use crate::evidence::stream::{Connection, Mark, Segment, StreamRecord};
use crate::evidence::trace::{DeliveredCopy, Fate, WireEvent};
use crate::link::{Alteration, Direction, DropCause, Origin};
use std::time::Duration;

const MS: Duration = Duration::from_millis(1);

/// An rdt3-like datagram: a header of zeros, then `text`.
fn payload(text: &str) -> Vec<u8> {
    [vec![0; 8], text.as_bytes().to_vec()].concat()
}

fn event(direction: Direction, nth: u32, at: Duration, bytes: Vec<u8>, fate: Fate) -> WireEvent {
    WireEvent {
        direction,
        nth,
        order: u64::from(nth),
        received_at: at,
        bytes,
        fate,
        from: None,
        to: None,
    }
}

fn copy(at: Duration) -> DeliveredCopy {
    DeliveredCopy {
        order: 0,
        sent_at: at,
        altered_bytes: None,
        alterations: Vec::new(),
    }
}

fn delivered(copies: Vec<DeliveredCopy>) -> Fate {
    Fate::Delivered { copies }
}

/// A datagram holding `text`, delivered whole 1 ms after it was sent.
fn passed_on(direction: Direction, nth: u32, at: Duration, text: &str) -> WireEvent {
    event(
        direction,
        nth,
        at,
        payload(text),
        delivered(vec![copy(at + MS)]),
    )
}

fn trace(events: Vec<WireEvent>) -> WireTrace {
    WireTrace {
        events,
        ..WireTrace::default()
    }
}

/// Parses the picture (so every test also proves it well-formed) and hands it to `check`.
fn with_svg(trace: &WireTrace, check: impl FnOnce(&roxmltree::Document<'_>)) {
    let svg = render(trace);
    let document = roxmltree::Document::parse(&svg)
        .unwrap_or_else(|error| panic!("the ladder is not well-formed XML: {error}\n{svg}"));
    assert_eq!(document.root_element().tag_name().name(), "svg");
    check(&document);
}

/// The elements whose class list holds `class`.
fn with_class<'a>(
    document: &'a roxmltree::Document<'a>,
    class: &str,
) -> Vec<roxmltree::Node<'a, 'a>> {
    document
        .descendants()
        .filter(|node| {
            node.attribute("class")
                .is_some_and(|classes| classes.split(' ').any(|name| name == class))
        })
        .collect()
}

/// All the text inside `node`, its tooltip included.
fn text_of(node: roxmltree::Node<'_, '_>) -> String {
    node.descendants().filter_map(|n| n.text()).collect()
}

#[test]
fn a_dropped_datagram_ends_in_a_cross_with_its_cause() {
    let trace = trace(vec![event(
        Direction::ToServer,
        1,
        5 * MS,
        payload("NCC-1701"),
        Fate::Dropped {
            cause: DropCause::Scripted,
        },
    )]);
    with_svg(&trace, |svg| {
        let drops = with_class(svg, "drop");
        let [drop] = drops.as_slice() else {
            panic!("one dropped datagram expected, found {}", drops.len())
        };
        assert!(
            drop.descendants()
                .any(|n| n.attribute("class") == Some("cross"))
        );
        assert!(
            !drop
                .descendants()
                .any(|n| n.attribute("class") == Some("head"))
        );
        let text = text_of(*drop);
        assert!(text.contains("a scripted drop"), "{text}");
        assert!(text.contains("to-server #1"), "{text}");
        assert!(text.contains("NCC-1701"), "{text}");
    });
}

#[test]
fn a_datagram_sent_again_gets_a_bracket_with_the_timer() {
    let data = payload("NCC-1422");
    let trace = trace(vec![
        event(
            Direction::ToServer,
            1,
            10 * MS,
            data.clone(),
            Fate::Dropped {
                cause: DropCause::Scripted,
            },
        ),
        event(
            Direction::ToServer,
            2,
            19 * MS,
            data,
            delivered(vec![copy(19 * MS + Duration::from_micros(100))]),
        ),
    ]);
    with_svg(&trace, |svg| {
        let repeats = with_class(svg, "retransmission");
        let [repeat] = repeats.as_slice() else {
            panic!("one retransmission expected, found {}", repeats.len())
        };
        let text = text_of(*repeat);
        assert!(text.contains("after 9.0 ms"), "{text}");
        assert!(text.contains("to-server #2 repeats to-server #1"), "{text}");
    });
}

#[test]
fn only_a_repeat_of_the_senders_previous_datagram_is_a_retransmission() {
    let trace = trace(vec![
        passed_on(Direction::ToServer, 1, MS, "a"),
        passed_on(Direction::ToClient, 1, 3 * MS, "a"),
        passed_on(Direction::ToServer, 2, 5 * MS, "b"),
        // rdt3's receiver sends ACK 0 for every other packet: equal to an older datagram,
        // not to its sender's previous one.
        passed_on(Direction::ToServer, 3, 7 * MS, "a"),
    ]);
    with_svg(&trace, |svg| {
        assert!(with_class(svg, "retransmission").is_empty());
        assert_eq!(with_class(svg, "datagram").len(), 4);
        assert!(with_class(svg, "drop").is_empty());
    });
}

#[test]
fn a_corrupted_copy_is_marked_with_what_was_flipped() {
    let sent = payload("NCC-1701");
    let mut altered = sent.clone();
    altered[9] ^= 0b100;
    let trace = trace(vec![event(
        Direction::ToClient,
        1,
        MS,
        sent,
        delivered(vec![DeliveredCopy {
            altered_bytes: Some(altered),
            alterations: vec![Alteration::Corrupted {
                byte: 9,
                bit: 2,
                origin: Origin::Scripted,
            }],
            ..copy(2 * MS)
        }]),
    )]);
    with_svg(&trace, |svg| {
        let corrupt = with_class(svg, "corrupt");
        let [corrupt] = corrupt.as_slice() else {
            panic!("one corrupted copy expected, found {}", corrupt.len())
        };
        assert!(
            corrupt
                .descendants()
                .any(|n| n.attribute("class") == Some("mark"))
        );
        let text = text_of(*corrupt);
        assert!(text.contains("bit 2 of byte 9 flipped"), "{text}");
        assert!(text.contains("NGC-1701"), "the delivered bytes: {text}");
    });
}

#[test]
fn each_copy_of_a_duplicated_datagram_is_an_arrow() {
    let trace = trace(vec![event(
        Direction::ToServer,
        1,
        MS,
        payload("twice"),
        delivered(vec![
            copy(2 * MS),
            DeliveredCopy {
                alterations: vec![Alteration::Duplicate {
                    origin: Origin::Netem,
                }],
                ..copy(3 * MS)
            },
        ]),
    )]);
    with_svg(&trace, |svg| {
        let arrows: Vec<_> = svg
            .descendants()
            .filter(|n| n.attribute("class") == Some("arrow"))
            .collect();
        assert_eq!(arrows.len(), 2);
        assert_ne!(arrows[0].attribute("y2"), arrows[1].attribute("y2"));
        assert_eq!(with_class(svg, "duplicate").len(), 1);
    });
}

#[test]
fn a_long_idle_stretch_is_cut_short_and_says_how_long_it_was() {
    let trace = trace(vec![
        passed_on(Direction::ToServer, 1, MS, "a"),
        passed_on(Direction::ToServer, 2, 2002 * MS, "b"),
    ]);
    with_svg(&trace, |svg| {
        let breaks = with_class(svg, "break");
        let [cut] = breaks.as_slice() else {
            panic!("one break expected, found {}", breaks.len())
        };
        let text = text_of(*cut);
        assert!(
            text.contains("2000.0 ms with nothing on the wire"),
            "{text}"
        );
        let height: f64 = svg
            .root_element()
            .attribute("height")
            .unwrap()
            .parse()
            .unwrap();
        assert!(height < 400.0, "two seconds drawn {height} px tall");
    });
}

#[test]
fn past_the_limit_a_note_counts_what_is_not_drawn() {
    let events = (1..=450_u32)
        .map(|nth| {
            let at = Duration::from_micros(u64::from(nth) * 10);
            let bytes = nth.to_be_bytes().to_vec();
            event(
                Direction::ToServer,
                nth,
                at,
                bytes,
                delivered(vec![copy(at + Duration::from_micros(5))]),
            )
        })
        .collect();
    with_svg(&trace(events), |svg| {
        assert_eq!(with_class(svg, "datagram").len(), DRAWN_LIMIT);
        let notes = with_class(svg, "cap-note");
        let [note] = notes.as_slice() else {
            panic!("one note expected, found {}", notes.len())
        };
        let text = text_of(*note);
        assert!(
            text.contains("only the first 400 of the 450 datagrams") && text.contains("50 more"),
            "{text}"
        );
    });
    with_svg(&trace(Vec::new()), |svg| {
        assert!(text_of(with_class(svg, "cap-note")[0]).contains("nothing crossed the wire"));
    });
}

#[test]
fn a_tcp_connection_shows_its_opening_reads_close_and_reset() {
    let client_stream = StreamRecord {
        sent: 12,
        delivered: 6,
        bytes: b"hello\nworld\n".to_vec(),
        reads: vec![
            Segment {
                at: 2 * MS,
                order: 2,
                offset: 0,
                len: 6,
            },
            Segment {
                at: 4 * MS,
                order: 4,
                offset: 6,
                len: 6,
            },
        ],
        writes: vec![Segment {
            at: 3 * MS,
            order: 3,
            offset: 0,
            len: 6,
        }],
        ended: Some(Mark {
            at: 5 * MS,
            order: 5,
        }),
        ..StreamRecord::new()
    };
    let trace = WireTrace {
        connections: vec![Connection {
            nth: 1,
            opened_at: MS,
            connected_at: None,
            accepted_at: None,
            client_waited_until: None,
            dialed: "127.0.0.1:5005".parse().unwrap(),
            client: "127.0.0.1:40000".parse().unwrap(),
            unreachable: None,
            to_server: client_stream,
            to_client: StreamRecord::new(),
            closed_at: Some(6 * MS),
            reset: Some(crate::evidence::ResetBy::Relay),
        }],
        ..WireTrace::default()
    };
    with_svg(&trace, |svg| {
        assert_eq!(with_class(svg, "connect").len(), 1);
        let segments = with_class(svg, "segment");
        assert_eq!(segments.len(), 2);
        assert!(text_of(segments[0]).contains("bytes 0–5 · 6 B · hello\\x0a"));
        let lost: Vec<_> = with_class(svg, "drop");
        assert_eq!(
            lost.len(),
            2,
            "the undelivered read and the FIN never passed on: {}",
            render(&trace)
        );
        assert!(text_of(lost[0]).contains("never delivered"));
        assert_eq!(with_class(svg, "fin").len(), 1);
        assert!(text_of(with_class(svg, "reset")[0]).contains("reset by the relay"));
    });
}
