//! The server's checks on scripted traces: `ack-behaviour` pairs replies by what they carry
//! and when (a missing reply shifts nothing), says where the server's log claims a reply
//! the wire never carried, and `delivery` fails a message delivered twice.

use super::params::{DEFAULT_DELIVERED, DEFAULT_NOT_DELIVERED};
use super::tests::{
    Script, ack, clean, data, exited_ok, judge_in, judge_programs, ms, rdt3, transcript,
};
use crate::analyzer::Compiled;
use crate::case::{CaseSource, CheckId, parse_case};
use crate::check::Status;
use crate::evidence::{ExitReason, Line, Stream, Transcript};
use crate::link::Direction;

/// A server transcript whose lines were printed at the given times (ms).
fn server_printed(lines: &[(f64, &str)]) -> Transcript {
    Transcript {
        lines: lines
            .iter()
            .map(|&(at, text)| Line {
                at: ms(at),
                stream: Stream::Stdout,
                text: text.to_owned(),
            })
            .collect(),
        ..transcript(&[], ExitReason::StoppedByGrader, 1100.0)
    }
}

/// The first ACK is withheld by the server's loss simulator: the client retransmits at
/// 10 ms, and from then on every packet is answered.
fn first_ack_withheld() -> Script {
    let mut script = Script::default();
    let first = script.send(Direction::ToServer, 1.0, data(0, 0));
    script.deliver(first, 1.1, None);
    script.exchange(10.0, 0, 0);
    script.exchange(11.0, 1, 1);
    script.exchange(12.0, 0, 2);
    script
}

/// What a template with a loss simulator prints for [`first_ack_withheld`]: "Sent packet"
/// for the ACK it withheld too.
fn loss_simulator_log() -> Transcript {
    server_printed(&[
        (1.2, "Received packet: ack=0 seq=0 data=b'NCC-1701'"),
        (1.2, "Delivered data: NCC-1701"),
        (1.3, "Loss simulator: this ACK is lost"),
        (1.3, "Sent packet: ack=1 seq=0"),
        (10.2, "Received packet: ack=0 seq=0 data=b'NCC-1701'"),
        (10.2, "Duplicate packet with seq 0, expecting seq 1"),
        (10.6, "Sent packet: ack=1 seq=0"),
        (11.2, "Received packet: ack=0 seq=1 data=b'NCC-1422'"),
        (11.2, "Delivered data: NCC-1422"),
        (11.6, "Sent packet: ack=1 seq=1"),
        (12.2, "Received packet: ack=0 seq=0 data=b'NCC-1017'"),
        (12.2, "Delivered data: NCC-1017"),
        (12.6, "Sent packet: ack=1 seq=0"),
    ])
}

/// Paired by position, the ACK for seq 1 would "answer the duplicate of seq 0"; paired by
/// content and time, every ACK answers the packet it follows, and the one packet without an
/// ACK is named with the log line that claims one.
#[test]
fn a_withheld_ack_shifts_no_pairing_and_the_log_that_claims_it_is_quoted() {
    let judged = judge_programs(&first_ack_withheld(), &exited_ok(), &loss_simulator_log(), &[]);
    for check in [
        CheckId::AckBehaviour,
        CheckId::Delivery,
        CheckId::Completion,
        CheckId::SeqAlternation,
    ] {
        assert_eq!(
            judged.status(check),
            Status::Pass,
            "{:?}",
            judged.outcome(check)
        );
    }
    let observed = &judged.outcome(CheckId::AckBehaviour).observed;
    assert_eq!(
        observed,
        "all 3 ACKs follow rdt 2.2; 1 packet got no ACK of its own (a withheld ACK is a lost \
         ACK, which the client's timer covers): to-server #1 delivered at 0.001 s, and no \
         datagram from the server reached the relay before the next packet reached the server \
         (0.010 s), though its output says \"Sent packet: ack=1 seq=0\" at 0.001 s"
    );
}

/// Without a claim in the log, the packet is named and nothing is said of the log.
#[test]
fn a_missing_reply_the_log_does_not_claim_is_named_alone() {
    let quiet = server_printed(&[(1.3, "Loss simulator: this ACK is lost")]);
    let judged = judge_programs(&first_ack_withheld(), &exited_ok(), &quiet, &[]);
    let outcome = judged.outcome(CheckId::AckBehaviour);
    assert_eq!(outcome.status, Status::Pass, "{outcome:?}");
    assert!(
        outcome.observed.ends_with("(0.010 s)"),
        "{}",
        outcome.observed
    );
}

/// A wrong re-ACK after a withheld one is still caught, and the report lists the packets
/// the server had not answered with what each called for, instead of pairing by position.
#[test]
fn a_wrong_ack_after_a_withheld_one_names_every_packet_it_could_answer() {
    let mut script = Script::default();
    let first = script.send(Direction::ToServer, 1.0, data(0, 0));
    script.deliver(first, 1.1, None);
    script.pass(Direction::ToServer, 10.0, data(0, 0));
    script.pass(Direction::ToClient, 10.5, ack(1));
    let judged = judge_programs(&script, &exited_ok(), &loss_simulator_log(), &[]);
    let outcome = judged.outcome(CheckId::AckBehaviour);
    assert_eq!(outcome.status, Status::Fail, "{outcome:?}");
    assert_eq!(
        outcome.observed,
        "the server sent an ACK for seq 1 (to-client #1 sent at 0.011 s) when it had 2 packets \
         not yet answered: the new packet with seq 0 (to-server #1 delivered at 0.001 s), which \
         calls for an ACK for seq 0; the packet with seq 0 (to-server #2 delivered at 0.010 s), \
         which calls for an ACK for seq 0"
    );
}

/// With every reply on the wire the state is known, and a wrong re-ACK is blamed on the one
/// packet it answers (the reference's `ack-new-seq` after a lost ACK).
#[test]
fn a_wrong_re_ack_of_a_duplicate_names_the_duplicate() {
    let mut script = Script::default();
    script.pass(Direction::ToServer, 1.0, data(0, 0));
    let lost = script.send(Direction::ToClient, 1.5, ack(0));
    script.drop(lost);
    script.pass(Direction::ToServer, 10.0, data(0, 0));
    script.pass(Direction::ToClient, 10.5, ack(1));
    let judged = judge_programs(&script, &exited_ok(), &loss_simulator_log(), &[]);
    let outcome = judged.outcome(CheckId::AckBehaviour);
    assert_eq!(outcome.status, Status::Fail);
    assert_eq!(outcome.expected, "an ACK for seq 0");
    assert_eq!(
        outcome.observed,
        "the server answered the duplicate of seq 0 (to-server #2 delivered at 0.010 s) with an \
         ACK for seq 1 (to-client #2 sent at 0.011 s)"
    );
}

/// After a packet that got no reply the server may have handled it or ignored it, so a
/// corrupt packet may be re-ACKed either way; the re-ACK then tells which, and the server
/// is held to it.
#[test]
fn after_a_withheld_ack_either_re_ack_of_a_corrupt_packet_is_rdt_2_2() {
    let (handled, ignored) = ((0, data(1, 1)), (1, data(0, 0)));
    for (label, (re_ack, next), next_ack, status) in [
        ("handled, then seq 1", handled.clone(), 1, Status::Pass),
        ("ignored, then seq 0 anew", ignored.clone(), 0, Status::Pass),
        ("ignored, then seq 0 taken for a duplicate", ignored, 1, Status::Fail),
    ] {
        let mut script = Script::default();
        let first = script.send(Direction::ToServer, 1.0, data(0, 0));
        script.deliver(first, 1.1, None);
        let corrupt = script.send(Direction::ToServer, 10.0, data(0, 0));
        let mut flipped = data(0, 0);
        flipped[8] ^= 1;
        script.deliver(corrupt, 10.1, Some(flipped));
        script.pass(Direction::ToClient, 10.5, ack(re_ack));
        script.pass(Direction::ToServer, 20.0, next);
        script.pass(Direction::ToClient, 20.5, ack(next_ack));
        let judged = judge_programs(&script, &exited_ok(), &loss_simulator_log(), &[]);
        let outcome = judged.outcome(CheckId::AckBehaviour);
        assert_eq!(outcome.status, status, "{label}: {outcome:?}");
    }
}

/// A server whose replies never reach the relay (sent to a fixed port, or all withheld)
/// fails, and the report says its log claims replies anyway.
#[test]
fn a_server_that_sends_no_ack_fails_and_its_claims_are_counted() {
    let mut script = Script::default();
    for at in [1.0, 10.0, 19.0] {
        script.pass(Direction::ToServer, at, data(0, 0));
    }
    let server = server_printed(&[
        (1.3, "Sent packet: ack=1 seq=0"),
        (10.3, "Sent packet: ack=1 seq=0"),
        (19.3, "Sent packet: ack=1 seq=0"),
    ]);
    let judged = judge_programs(&script, &exited_ok(), &server, &[]);
    let outcome = judged.outcome(CheckId::AckBehaviour);
    assert_eq!(outcome.status, Status::Fail);
    assert_eq!(
        outcome.observed,
        "the server was given 3 packets (the first: to-server #1 delivered at 0.001 s) and no \
         datagram from it reached the relay, though its output has 3 lines matching the \"sent\" \
         pattern"
    );
}

#[test]
fn a_reply_with_nothing_left_to_answer_still_fails() {
    let mut script = clean();
    script.pass(Direction::ToClient, 5.0, ack(0));
    let judged = judge_programs(&script, &exited_ok(), &loss_simulator_log(), &[]);
    let outcome = judged.outcome(CheckId::AckBehaviour);
    assert_eq!(outcome.status, Status::Fail);
    assert!(
        outcome.observed.contains("when it had no packet left to answer"),
        "{outcome:?}"
    );
}

/// A server that delivers the retransmission of a message it already delivered (deliver
/// first, then decide whether to ACK) fails `delivery` with both lines and their times;
/// its ACKs are right.
#[test]
fn a_message_delivered_twice_fails_delivery_with_both_lines() {
    let server = server_printed(&[
        (1.2, "Delivered data: NCC-1701"),
        (10.2, "Delivered data: NCC-1701"),
        (10.2, "Duplicate packet with seq 0, expecting seq 1"),
        (11.2, "Delivered data: NCC-1422"),
        (12.2, "Delivered data: NCC-1017"),
    ]);
    let judged = judge_programs(&first_ack_withheld(), &exited_ok(), &server, &[]);
    assert_eq!(judged.status(CheckId::AckBehaviour), Status::Pass);
    let outcome = judged.outcome(CheckId::Delivery);
    assert_eq!(outcome.status, Status::Fail);
    assert_eq!(
        outcome.observed,
        "the server delivered message 1 `NCC-1701` twice: \"Delivered data: NCC-1701\" at \
         0.001 s and again \"Delivered data: NCC-1701\" at 0.010 s"
    );
}

/// A summary that lists the messages is not a second delivery of them, and a running list
/// delivers the message it adds.
#[test]
fn a_line_listing_several_messages_is_no_second_delivery() {
    let summary = server_printed(&[
        (1.2, "Delivered data: NCC-1701"),
        (11.2, "Delivered data: NCC-1422"),
        (12.2, "Delivered data: NCC-1017"),
        (12.3, "All messages delivered: NCC-1701 NCC-1422 NCC-1017"),
    ]);
    let running = server_printed(&[
        (1.2, "Delivered so far: NCC-1701"),
        (11.2, "Delivered so far: NCC-1701 NCC-1422"),
        (12.2, "Delivered so far: NCC-1701 NCC-1422 NCC-1017"),
    ]);
    for server in [summary, running] {
        let outcome = judge_programs(&first_ack_withheld(), &exited_ok(), &server, &[])
            .outcome(CheckId::Delivery)
            .clone();
        assert_eq!(outcome.status, Status::Pass, "{outcome:?}");
    }
}

#[test]
fn a_message_delivered_before_the_one_it_follows_fails_delivery() {
    let server = server_printed(&[
        (1.2, "Delivered data: NCC-1701"),
        (11.2, "Delivered data: NCC-1017"),
        (12.2, "Delivered data: NCC-1422"),
    ]);
    let outcome = judge_programs(&first_ack_withheld(), &exited_ok(), &server, &[])
        .outcome(CheckId::Delivery)
        .clone();
    assert_eq!(outcome.status, Status::Fail);
    assert!(
        outcome
            .observed
            .contains("delivered message 3 `NCC-1017` (\"Delivered data: NCC-1017\" at 0.011 s) before message 2"),
        "{}",
        outcome.observed
    );
}

/// Garbled data delivered in place of a message is quoted when the message never comes.
#[test]
fn a_message_never_delivered_fails_with_the_delivery_lines() {
    let server = server_printed(&[
        (1.2, "Delivered data: NCC-1701"),
        (11.2, "Delivered data: OCC-1422"),
        (12.2, "Delivered data: NCC-1017"),
    ]);
    let outcome = judge_programs(&first_ack_withheld(), &exited_ok(), &server, &[])
        .outcome(CheckId::Delivery)
        .clone();
    assert_eq!(outcome.status, Status::Fail);
    assert!(
        outcome.observed.starts_with(
            "the server never delivered message 2 `NCC-1422`; its delivery lines: \
             \"Delivered data: NCC-1701\" at 0.001 s, \"Delivered data: OCC-1422\" at 0.011 s"
        ),
        "{}",
        outcome.observed
    );
}

/// The handout requires no delivery line: a server that prints none passes when each
/// message shows in order, and the outcome says a second delivery could not be seen. Its
/// "Received packet" lines show a retransmitted message twice, which is not a delivery.
#[test]
fn without_delivery_lines_the_order_is_judged_and_the_rest_said() {
    let server = server_printed(&[
        (1.2, "Received packet: ack=0 seq=0 data=b'NCC-1701'"),
        (10.2, "Received packet: ack=0 seq=0 data=b'NCC-1701'"),
        (11.2, "Received packet: ack=0 seq=1 data=b'NCC-1422'"),
        (12.2, "Received packet: ack=0 seq=0 data=b'NCC-1017'"),
    ]);
    let outcome = judge_programs(&first_ack_withheld(), &exited_ok(), &server, &[])
        .outcome(CheckId::Delivery)
        .clone();
    assert_eq!(outcome.status, Status::Pass, "{outcome:?}");
    assert!(
        outcome.observed.starts_with(
            "the server shows NCC-1701, NCC-1422, NCC-1017 in order; it prints no line that \
             delivers a message"
        ),
        "{}",
        outcome.observed
    );
    // The loss simulator's log delivers each message once.
    let outcome = judge_programs(&first_ack_withheld(), &exited_ok(), &loss_simulator_log(), &[])
        .outcome(CheckId::Delivery)
        .clone();
    assert_eq!(
        outcome.observed,
        "the server delivered NCC-1701, NCC-1422, NCC-1017 once each, in order"
    );
}

/// The default `delivered` pattern recognises the usual ways of printing a delivery, and
/// not a received packet or a refused duplicate.
#[test]
fn the_default_delivered_pattern_tells_deliveries_from_receptions() {
    let loaded = rdt3();
    let Compiled::AlternatingBit(judge) = &loaded.compiled else {
        unreachable!("the rdt3 case uses the alternating-bit analyzer")
    };
    let delivered = &judge.logs.delivered;
    for line in [
        "Delivered data: NCC-1701",
        "Delivering to the application: NCC-1701",
        "deliver_data(b'NCC-1701')",
        "Extracted data NCC-1701",
    ] {
        assert!(delivered.is_match(line), "{line}");
    }
    for line in [
        "Received packet: ack=0 seq=0 data=b'NCC-1701' chksum=b'e4d4'",
        "Duplicate packet NCC-1701, already delivered",
        "Packet not delivered: seq 0 is a duplicate",
        "Won't deliver NCC-1701 again",
    ] {
        assert!(!delivered.is_match(line), "{line}");
    }
}

/// The built-in cases spell the default out, and a case that leaves `delivered` out still
/// loads, with the default.
#[test]
fn a_case_without_a_delivered_pattern_loads_with_the_default() {
    let builtin = crate::case::builtin::builtin_case("rdt3").unwrap();
    assert!(builtin.contains(&DEFAULT_DELIVERED.replace('\'', "''")));
    assert!(builtin.contains(&DEFAULT_NOT_DELIVERED.replace('\'', "''")));
    let start = builtin.find("      # A server line that delivers").unwrap();
    let end = builtin.find("\nscenarios:").unwrap();
    let without = format!("{}{}", &builtin[..start], &builtin[end..]);
    assert!(!without.contains("delivered:"));
    let loaded = parse_case(CaseSource::Builtin("rdt3".to_owned()), &without).unwrap();
    let server = server_printed(&[
        (1.2, "Delivered data: NCC-1701"),
        (10.2, "Delivered data: NCC-1701"),
        (11.2, "Delivered data: NCC-1422"),
        (12.2, "Delivered data: NCC-1017"),
    ]);
    let judged = judge_in(&loaded, &first_ack_withheld(), &exited_ok(), &server, &[]);
    assert_eq!(judged.status(CheckId::Delivery), Status::Fail);
}


/// A message the server never delivered because the client sent it with the seq of the one
/// before: the failure says so, whichever way the server's output is read.
#[test]
fn a_message_sent_with_the_previous_seq_is_explained() {
    let mut script = Script::default();
    script.exchange(1.0, 0, 0);
    script.pass(Direction::ToServer, 2.0, data(0, 1));
    script.pass(Direction::ToClient, 2.5, ack(0));
    for server in [
        server_printed(&[(1.2, "Delivered data: NCC-1701")]),
        server_printed(&[(1.2, "Received packet: data=b'NCC-1701'")]),
    ] {
        let outcome = judge_programs(&script, &exited_ok(), &server, &[])
            .outcome(CheckId::Delivery)
            .clone();
        assert_eq!(outcome.status, Status::Fail);
        assert!(
            outcome.observed.contains(
                "message 2 `NCC-1422` (the client sent it with seq 0, like message 1 before it, \
                 so rdt 2.2 takes it for a duplicate)"
            ),
            "{}",
            outcome.observed
        );
    }
}

/// A message lost every time it was sent is not the server's doing, and the failure says so.
#[test]
fn a_message_that_never_reached_the_server_is_explained() {
    let mut script = Script::default();
    script.exchange(1.0, 0, 0);
    let lost = script.send(Direction::ToServer, 2.0, data(1, 1));
    script.drop(lost);
    let server = server_printed(&[(1.2, "Delivered data: NCC-1701")]);
    let outcome = judge_programs(&script, &exited_ok(), &server, &[])
        .outcome(CheckId::Delivery)
        .clone();
    assert_eq!(outcome.status, Status::Fail);
    assert!(
        outcome.observed.starts_with(
            "the server never delivered message 2 `NCC-1422` (no copy of it reached the server \
             intact: the client sent it 1 time)"
        ),
        "{}",
        outcome.observed
    );
}
