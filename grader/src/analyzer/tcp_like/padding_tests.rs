//! Padding is not payload (ASSIGNMENTS.md §5): the checks on conversations in the handout's
//! own style, every datagram NUL-padded to 524 bytes, and on the designs around it whose
//! numbers agree or do not.

use super::tests::{
    CLIENT_ISN, SERVER_ISN, Step, Wire, conversation, conversation_counting, failures, judge,
    observed, segment, wrap,
};
use crate::case::CheckId;
use crate::link::Direction;
use socklab_protocol::tcp_over_udp::{Flags, HEADER_LEN, Header, MAX_PAYLOAD, Segment};

/// Every datagram of `wire` filled up with NULs to 524 bytes, as `'iihh512s'` packs them.
/// The logs stay true: they show only the header, and no two datagrams become equal.
fn padded(mut wire: Wire) -> Wire {
    for event in &mut wire.events {
        event.bytes.resize(HEADER_LEN + MAX_PAYLOAD, 0);
    }
    wire
}

/// Printable text, no NUL in it: 1300 bytes are two full segments and one of 276.
fn text(length: usize) -> Vec<u8> {
    (0..length).map(|index| b'a' + (index % 26) as u8).collect()
}

/// The bytes before a payload's trailing NULs: what a receiver that strips them counts.
fn stripped(chunk: &[u8]) -> usize {
    chunk
        .iter()
        .rposition(|&byte| byte != 0)
        .map_or(0, |last| last + 1)
}

/// The index of the first event whose segment has exactly `flags`, sent in `direction`.
fn first(wire: &Wire, direction: Direction, flags: Flags) -> usize {
    wire.events
        .iter()
        .position(|event| {
            event.direction == direction
                && Segment::parse(&event.bytes).unwrap().header.flags == flags
        })
        .unwrap()
}

/// Sets the ack of the server's datagram at `index`, keeping its padding, and the
/// numbers its SEND and RECV lines show.
fn set_server_ack(wire: &mut Wire, index: usize, ack: i32) {
    let bytes = &mut wire.events[index].bytes;
    let old = Segment::parse(bytes).unwrap().header;
    let new = Header { ack, ..old };
    new.emit(bytes);
    for (log, verb) in [(&mut wire.server_log, "SEND"), (&mut wire.client_log, "RECV")] {
        let line = log
            .iter_mut()
            .find(|line| **line == format!("{verb} {old}"))
            .unwrap();
        *line = format!("{verb} {new}");
    }
}

#[test]
fn a_padded_handshake_data_and_close_pass_every_check() {
    let data = text(1300);
    let wire = padded(conversation(&data, |_, _| {}));
    assert!(wire.events.iter().all(|event| event.bytes.len() == 524));
    let outcomes = judge(&wire, &data, &data);
    let (failed, all) = failures(&outcomes);
    assert!(failed.is_empty(), "{all}");
    assert!(
        observed(&outcomes, CheckId::SequenceNumbers).contains("the client sent 1300 bytes"),
        "{all}"
    );

    // A lost segment resent with the same padding: DUP on the resend, nothing else.
    let wire = padded(conversation(&data, |wire, step| {
        if step == Step::Data(1) {
            let seq = wrap(i64::from(CLIENT_ISN) + 1 + 512);
            wire.send(
                Direction::ToServer,
                segment(seq, SERVER_ISN + 1, 1, Flags::ACK, &data[512..1024]),
                0,
            );
        }
    }));
    let outcomes = judge(&wire, &data, &data);
    let (failed, all) = failures(&outcomes);
    assert!(failed.is_empty(), "{all}");
}

#[test]
fn padding_is_not_payload_for_seq_and_ack() {
    let data = text(1300);
    let last_seq = wrap(i64::from(CLIENT_ISN) + 1 + 1024);

    // The server's ACK of the last segment counts its 236 NULs of padding; the client's
    // FIN starts after the 276 bytes of data.
    let mut wire = padded(conversation(&data, |_, _| {}));
    let last_ack = wire
        .events
        .iter()
        .position(|event| {
            let header = Segment::parse(&event.bytes).unwrap().header;
            event.direction == Direction::ToClient && header.ack == last_seq + 276
        })
        .unwrap();
    set_server_ack(&mut wire, last_ack, last_seq + 512);
    let outcomes = judge(&wire, &data, &data);
    let (failed, all) = failures(&outcomes);
    assert_eq!(failed, [CheckId::SequenceNumbers], "{all}");
    let why = observed(&outcomes, CheckId::SequenceNumbers);
    assert!(
        why.contains("the client counted 276") && why.contains("the server 512"),
        "{why}"
    );

    // The server's ACK of the padded FIN counts its padding: 512 past the FIN's seq.
    let mut wire = padded(conversation(&data, |_, _| {}));
    let fin = first(&wire, Direction::ToServer, Flags::FIN);
    let fin_seq = Segment::parse(&wire.events[fin].bytes).unwrap().header.seq;
    set_server_ack(&mut wire, fin + 1, fin_seq + 512);
    let outcomes = judge(&wire, &data, &data);
    let (failed, all) = failures(&outcomes);
    assert!(failed.contains(&CheckId::Close), "{all}");
    let why = observed(&outcomes, CheckId::Close);
    assert!(
        why.contains(&format!("has ack {}, 512 past the seq of the client's FIN", fin_seq + 512))
            && why.contains("512 NUL bytes of padding, which take no sequence number"),
        "{why}"
    );
    let why = observed(&outcomes, CheckId::SequenceNumbers);
    assert!(why.contains("its ack is 512 past the seq of client datagram #"), "{why}");
}

#[test]
fn a_padded_syn_is_a_syn_but_a_syn_with_data_is_not() {
    let data = text(100);
    let mut wire = padded(conversation(&data, |_, _| {}));
    let outcomes = judge(&wire, &data, &data);
    assert!(failures(&outcomes).0.is_empty(), "{}", failures(&outcomes).1);

    let mut syn = segment(CLIENT_ISN, 0, 0, Flags::SYN, b"hello");
    syn.resize(HEADER_LEN + MAX_PAYLOAD, 0);
    wire.events[0].bytes = syn;
    let outcomes = judge(&wire, &data, &data);
    let (failed, all) = failures(&outcomes);
    assert!(failed.contains(&CheckId::Handshake), "{all}");
    let why = observed(&outcomes, CheckId::Handshake);
    // No number counts the five bytes: the NULs after them cannot be told from padding.
    assert!(why.contains("conn 0 SYN, 512 bytes of data"), "{why}");
}

#[test]
fn a_data_segment_whose_padding_the_receiver_counted_is_judged_by_the_receivers_ack() {
    let data = text(1300);
    // Both sides count the padding as data (the client's next seq and the server's ack
    // go 512 past the last segment): the numbers agree, and only a binary file will show
    // that the receiver cannot take the padding off again.
    let wire = padded(conversation_counting(&data, |_| 512, |_, _| {}));
    let outcomes = judge(&wire, &data, &data);
    let (failed, all) = failures(&outcomes);
    assert!(failed.is_empty(), "{all}");
    assert!(
        observed(&outcomes, CheckId::SequenceNumbers).contains("the client sent 1536 bytes"),
        "{all}"
    );

    // The client stops after its last segment: only the server's ack says what it
    // counted (276 bytes, not the 236 NULs after them).
    let mut wire = padded(conversation(&data, |_, _| {}));
    let fin = first(&wire, Direction::ToServer, Flags::FIN);
    wire.events.truncate(fin);
    let outcomes = judge(&wire, &data, &data);
    let why = observed(&outcomes, CheckId::SequenceNumbers);
    assert!(why.contains("the client sent 1300 bytes"), "{why}");
}

#[test]
fn nuls_that_end_the_data_count_when_both_sides_count_them() {
    let mut data = vec![7; 510];
    data.extend([0, 0]);
    data.extend([9; 100]);
    let wire = conversation(&data, |_, _| {});
    let outcomes = judge(&wire, &data, &data);
    let (failed, all) = failures(&outcomes);
    assert!(failed.is_empty(), "{all}");
    assert!(
        observed(&outcomes, CheckId::SequenceNumbers).contains("the client sent 612 bytes"),
        "{all}"
    );
}

#[test]
fn a_receiver_that_strips_nuls_and_a_sender_that_follows_its_acks_fail_only_the_copy() {
    // The handout's style on a binary file: the server takes the file's own NULs at the
    // end of a segment for padding, the client goes on from the server's ack. The numbers
    // agree; the copy lacks the NULs.
    let mut data = vec![7; 510];
    data.extend([0, 0]);
    data.extend([9; 100]);
    data.push(0);
    let wire = padded(conversation_counting(&data, stripped, |_, _| {}));
    let copy: Vec<u8> = [&data[..510], &data[512..612]].concat();
    let outcomes = judge(&wire, &data, &copy);
    let (failed, all) = failures(&outcomes);
    assert_eq!(failed, [CheckId::FileCopy], "{all}");
    assert!(
        observed(&outcomes, CheckId::FileCopy).contains("3 NUL bytes (0x00) of the original are missing"),
        "{all}"
    );
}
