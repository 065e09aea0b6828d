//! The rdt3 checks on scripted traces: each failure branch shown failing on a conversation
//! with exactly that defect, without running any program. The `Script` helper and the
//! judging functions are shared with `server_tests`.

use super::{Rdt3Evidence, run_checks};
use crate::analyzer::alternating_bit::Conversation;
use crate::analyzer::{Compiled, LoadedCase};
use crate::case::{CaseSource, CheckId, load_case};
use crate::check::{Outcome, Status};
use crate::evidence::trace::DeliveredCopy;
use crate::evidence::{CpuWait, ExitReason, Fate, Line, Stream, Transcript, WireEvent, WireTrace};
use crate::link::{Direction, DropCause};
use socklab_protocol::rdt3::Repr;
use std::time::Duration;

const MESSAGES: [&[u8; 8]; 3] = [b"NCC-1701", b"NCC-1422", b"NCC-1017"];

pub(super) fn data(seq: u32, index: usize) -> Vec<u8> {
    Repr::data(seq, *MESSAGES[index]).to_bytes()
}

pub(super) fn ack(seq: u32) -> Vec<u8> {
    Repr::ack_for(seq).to_bytes()
}

pub(super) fn ms(value: f64) -> Duration {
    Duration::from_secs_f64(value / 1000.0)
}

/// Builds a trace action by action, in the relay's order.
#[derive(Default)]
pub(super) struct Script {
    trace: WireTrace,
    order: u64,
    counts: [u32; 2],
}

impl Script {
    fn next_order(&mut self) -> u64 {
        self.order += 1;
        self.order
    }

    /// A program sends `bytes` at `at` ms; returns the event's index.
    pub(super) fn send(&mut self, direction: Direction, at: f64, bytes: Vec<u8>) -> usize {
        let slot = usize::from(direction == Direction::ToClient);
        self.counts[slot] += 1;
        let order = self.next_order();
        self.trace.events.push(WireEvent {
            direction,
            nth: self.counts[slot],
            order,
            received_at: ms(at),
            from: None,
            to: None,
            bytes,
            fate: Fate::Delivered { copies: Vec::new() },
        });
        self.trace.events.len() - 1
    }

    pub(super) fn deliver(&mut self, event: usize, at: f64, altered: Option<Vec<u8>>) {
        let order = self.next_order();
        if let Fate::Delivered { copies } = &mut self.trace.events[event].fate {
            copies.push(DeliveredCopy {
                order,
                sent_at: ms(at),
                altered_bytes: altered,
                alterations: Vec::new(),
            });
        }
    }

    pub(super) fn drop(&mut self, event: usize) {
        self.trace.events[event].fate = Fate::Dropped {
            cause: DropCause::Scripted,
        };
    }

    /// Sent and delivered 0.1 ms later.
    pub(super) fn pass(&mut self, direction: Direction, at: f64, bytes: Vec<u8>) -> usize {
        let event = self.send(direction, at, bytes);
        self.deliver(event, at + 0.1, None);
        event
    }

    /// One message and its ACK, both delivered.
    pub(super) fn exchange(&mut self, at: f64, seq: u32, index: usize) {
        self.pass(Direction::ToServer, at, data(seq, index));
        self.pass(Direction::ToClient, at + 0.5, ack(seq));
    }
}

pub(super) fn transcript(lines: &[&str], exit: ExitReason, ended: f64) -> Transcript {
    Transcript {
        lines: lines
            .iter()
            .map(|text| Line {
                at: Duration::ZERO,
                stream: Stream::Stdout,
                text: (*text).to_owned(),
            })
            .collect(),
        exit: Some(exit),
        ended_at: Some(ms(ended)),
        ..Transcript::default()
    }
}

pub(super) fn rdt3() -> LoadedCase {
    load_case(&CaseSource::Builtin("rdt3".to_owned())).unwrap()
}

pub(super) struct Judged {
    outcomes: Vec<Outcome>,
}

impl Judged {
    pub(super) fn status(&self, check: CheckId) -> Status {
        self.outcome(check).status
    }

    pub(super) fn outcome(&self, check: CheckId) -> &Outcome {
        self.outcomes.iter().find(|o| o.check == check).unwrap()
    }
}

/// A client transcript that ended as `exit`.
fn client(exit: ExitReason) -> Transcript {
    transcript(&[], exit, 1000.0)
}

pub(super) fn exited_ok() -> Transcript {
    client(ExitReason::Exited { code: 0 })
}

/// Judges a script with a server that showed every message.
fn judge_with(script: &Script, client: Transcript, session_timer_samples: &[Duration]) -> Judged {
    let server = transcript(
        &["NCC-1701", "NCC-1422", "NCC-1017"],
        ExitReason::StoppedByGrader,
        1100.0,
    );
    judge_programs(script, &client, &server, session_timer_samples)
}

/// Judges a script with both programs' transcripts given.
pub(super) fn judge_programs(
    script: &Script,
    client: &Transcript,
    server: &Transcript,
    session_timer_samples: &[Duration],
) -> Judged {
    judge_in(&rdt3(), script, client, server, session_timer_samples)
}

/// Judges a script by the checks of `loaded` (an rdt3 case).
pub(super) fn judge_in(
    loaded: &LoadedCase,
    script: &Script,
    client: &Transcript,
    server: &Transcript,
    session_timer_samples: &[Duration],
) -> Judged {
    let Compiled::AlternatingBit(judge) = &loaded.compiled else {
        unreachable!("the rdt3 case uses the alternating-bit analyzer")
    };
    let (params, layout, logs) = (&judge.params, &judge.layout, &judge.logs);
    let checksum = loaded
        .case
        .wire
        .as_ref()
        .and_then(|wire| wire.checksum.as_ref())
        .map(|s| &s.value);
    let conversation = Conversation::analyze(&script.trace, layout, checksum, params);
    let evidence = Rdt3Evidence {
        conversation: &conversation,
        params,
        logs,
        layout,
        checksum,
        client,
        server,
        session_timer_samples,
    };
    Judged {
        outcomes: run_checks(&evidence, &loaded.case.checks),
    }
}

fn judge(script: &Script) -> Judged {
    judge_with(script, exited_ok(), &[])
}

pub(super) fn clean() -> Script {
    let mut script = Script::default();
    script.exchange(1.0, 0, 0);
    script.exchange(2.0, 1, 1);
    script.exchange(3.0, 0, 2);
    script
}

#[test]
fn a_clean_conversation_passes_the_protocol_checks() {
    let judged = judge(&clean());
    for check in [
        CheckId::Format,
        CheckId::Checksum,
        CheckId::SeqAlternation,
        CheckId::AckBehaviour,
        CheckId::Delivery,
        CheckId::Completion,
    ] {
        assert_eq!(
            judged.status(check),
            Status::Pass,
            "{:?}",
            judged.outcome(check)
        );
    }
    assert_eq!(
        judged.status(CheckId::RetransmissionTimer),
        Status::Informational
    );
}

#[test]
fn a_datagram_of_the_wrong_length_fails_format() {
    let mut script = clean();
    script.pass(Direction::ToServer, 4.0, vec![0; 20]);
    let judged = judge(&script);
    assert_eq!(judged.status(CheckId::Format), Status::Fail);
    assert!(
        judged
            .outcome(CheckId::Format)
            .observed
            .contains("to-server #4"),
        "{:?}",
        judged.outcome(CheckId::Format)
    );
}

#[test]
fn a_rebuilt_retransmission_fails_identical_retransmission() {
    let mut script = Script::default();
    let first = script.send(Direction::ToServer, 1.0, data(0, 0));
    script.drop(first);
    let mut rebuilt = data(0, 0);
    rebuilt[47] ^= 0x01; // same seq and data, different checksum bytes
    script.pass(Direction::ToServer, 10.0, rebuilt);
    let judged = judge(&script);
    assert_eq!(
        judged.status(CheckId::IdenticalRetransmission),
        Status::Fail
    );
}

#[test]
fn one_retransmission_racing_the_final_ack_is_tolerated_but_more_is_not() {
    let mut raced = clean();
    raced.pass(Direction::ToServer, 3.6, data(0, 2));
    assert_eq!(judge(&raced).status(CheckId::Completion), Status::Pass);

    let mut keeps_sending = raced;
    keeps_sending.pass(Direction::ToServer, 12.6, data(0, 2));
    let judged = judge(&keeps_sending);
    assert_eq!(judged.status(CheckId::Completion), Status::Fail);
    assert!(
        judged
            .outcome(CheckId::Completion)
            .observed
            .contains("kept sending")
    );
}

/// The relay may read a datagram late, after it has already delivered a delayed ACK; the
/// kernel's receive timestamp says when the client really sent it. Two timer
/// retransmissions sent while the final ACK was still on its way are not "sending after the
/// last ACK", whatever the relay's order of actions (a CI run on a loaded machine failed a
/// correct client so).
#[test]
fn retransmissions_sent_before_a_late_final_ack_are_not_sending_after_it() {
    let mut script = Script::default();
    script.exchange(1.0, 0, 0);
    script.exchange(2.0, 1, 1);
    script.pass(Direction::ToServer, 3.0, data(0, 2));
    let final_ack = script.send(Direction::ToClient, 3.5, ack(0));
    script.deliver(final_ack, 30.0, None);
    script.pass(Direction::ToServer, 12.0, data(0, 2));
    script.pass(Direction::ToServer, 21.0, data(0, 2));
    let judged = judge(&script);
    assert_eq!(
        judged.status(CheckId::Completion),
        Status::Pass,
        "{:?}",
        judged.outcome(CheckId::Completion)
    );

    // After the ACK arrived, one more is the race with the timer (due at 26 ms, the ACK
    // came at 30 ms), and a second is a client that does not stop.
    script.pass(Direction::ToServer, 45.0, data(0, 2));
    assert_eq!(judge(&script).status(CheckId::Completion), Status::Pass);
    script.pass(Direction::ToServer, 54.0, data(0, 2));
    assert_eq!(judge(&script).status(CheckId::Completion), Status::Fail);
}

/// The final ACK reached the client after its timer was due, but the client, starved of
/// CPU, woke 45 ms later, retransmitted on the expired timer (the copy was lost) and only
/// then read the ACK waiting for it, and exited 90 ms later (seen on a loaded machine).
/// It neither kept sending nor left a packet unanswered; a second retransmission would be.
#[test]
fn a_starved_client_that_retransmits_before_reading_the_final_ack_is_not_blamed() {
    let mut script = Script::default();
    script.exchange(1.0, 0, 0);
    script.exchange(2.0, 1, 1);
    script.pass(Direction::ToServer, 3.0, data(0, 2));
    let final_ack = script.send(Direction::ToClient, 3.5, ack(0));
    script.deliver(final_ack, 14.0, None);
    let late = script.send(Direction::ToServer, 60.0, data(0, 2));
    script.drop(late);
    let slow_exit = || transcript(&[], ExitReason::Exited { code: 0 }, 150.0);
    let judged = judge_with(&script, slow_exit(), &[]);
    for check in [CheckId::Completion, CheckId::RetransmissionTimer] {
        assert_ne!(
            judged.status(check),
            Status::Fail,
            "{:?}",
            judged.outcome(check)
        );
    }

    let again = script.send(Direction::ToServer, 69.0, data(0, 2));
    script.drop(again);
    let judged = judge_with(&script, slow_exit(), &[]);
    assert_eq!(judged.status(CheckId::Completion), Status::Fail);
}

#[test]
fn a_client_that_exits_with_an_error_fails_completion() {
    let judged = judge_with(&clean(), client(ExitReason::Exited { code: 1 }), &[]);
    assert_eq!(judged.status(CheckId::Completion), Status::Fail);
    assert!(
        judged
            .outcome(CheckId::Completion)
            .observed
            .contains("status 1")
    );
}

/// A lost first packet, retransmitted `gap` ms later, then the rest.
fn retransmitted_after(gap: f64) -> Script {
    let mut script = Script::default();
    let lost = script.send(Direction::ToServer, 1.0, data(0, 0));
    script.drop(lost);
    script.exchange(1.0 + gap, 0, 0);
    script.exchange(2.0 + gap, 1, 1);
    script.exchange(3.0 + gap, 0, 2);
    script
}

#[test]
fn the_timer_is_judged_on_the_whole_session() {
    // One late sample among good ones: a loaded machine, not a wrong timer.
    let session = [ms(9.2), ms(9.3), ms(14.7)];
    assert_eq!(
        judge_with(&retransmitted_after(14.7), exited_ok(), &session)
            .status(CheckId::RetransmissionTimer),
        Status::Pass
    );
    // Alone, the same sample is out of tolerance.
    assert_eq!(
        judge(&retransmitted_after(14.7)).status(CheckId::RetransmissionTimer),
        Status::Fail
    );
    // A scenario far off fails even when the others carry the median ...
    let mut far_off = retransmitted_after(40.0);
    let lost_again = far_off.send(Direction::ToServer, 50.0, data(0, 2));
    far_off.drop(lost_again);
    far_off.pass(Direction::ToServer, 90.0, data(0, 2));
    let session = [ms(9.2), ms(9.3), ms(9.1), ms(9.4), ms(40.0), ms(40.0)];
    assert_eq!(
        judge_with(&far_off, exited_ok(), &session).status(CheckId::RetransmissionTimer),
        Status::Fail
    );
    // ... but one late wake-up alone does not,
    let session = [ms(9.2), ms(9.3), ms(40.0)];
    assert_eq!(
        judge_with(&retransmitted_after(40.0), exited_ok(), &session)
            .status(CheckId::RetransmissionTimer),
        Status::Pass
    );
    // not even beside one good timeout in the same scenario (a CI run on a loaded machine
    // failed a correct client so: the upper median of two is the late one).
    let mut one_late = Script::default();
    let lost = one_late.send(Direction::ToServer, 1.0, data(0, 0));
    one_late.drop(lost);
    let lost_again = one_late.send(Direction::ToServer, 10.2, data(0, 0));
    one_late.drop(lost_again);
    one_late.exchange(50.2, 0, 0);
    one_late.exchange(51.0, 1, 1);
    one_late.exchange(52.0, 0, 2);
    let session = [ms(9.2), ms(9.3), ms(9.1), ms(9.4), ms(9.2), ms(40.0)];
    assert_eq!(
        judge_with(&one_late, exited_ok(), &session).status(CheckId::RetransmissionTimer),
        Status::Pass
    );
    // A session whose median is wrong fails every scenario that saw the timer.
    let session = [ms(9.2), ms(60.0), ms(60.0)];
    assert_eq!(
        judge_with(&retransmitted_after(9.2), exited_ok(), &session)
            .status(CheckId::RetransmissionTimer),
        Status::Fail
    );
}

#[test]
fn an_ack_with_nothing_to_answer_fails_ack_behaviour() {
    let mut script = clean();
    script.pass(Direction::ToClient, 5.0, ack(0));
    let judged = judge(&script);
    assert_eq!(judged.status(CheckId::AckBehaviour), Status::Fail);
    assert!(
        judged
            .outcome(CheckId::AckBehaviour)
            .observed
            .contains("no packet left to answer")
    );
}

#[test]
fn retransmitting_at_once_on_a_corrupt_ack_is_non_strict() {
    let mut script = Script::default();
    script.pass(Direction::ToServer, 1.0, data(0, 0));
    let corrupt_ack = script.send(Direction::ToClient, 1.5, ack(0));
    let mut corrupted = ack(0);
    corrupted[20] ^= 1;
    script.deliver(corrupt_ack, 1.6, Some(corrupted));
    script.exchange(1.8, 0, 0); // the retransmission, 0.8 ms after the original
    script.exchange(3.0, 1, 1);
    script.exchange(4.0, 0, 2);
    assert_eq!(
        judge(&script).status(CheckId::SenderReaction),
        Status::NonStrict
    );
}

#[test]
fn a_busy_machine_widens_the_allowed_lateness_by_the_clients_cpu_wait() {
    let late = retransmitted_after(15.0);
    assert_eq!(
        judge(&late).status(CheckId::RetransmissionTimer),
        Status::Fail
    );
    let busy = Transcript {
        cpu_wait: Some(CpuWait {
            total: ms(200.0),
            timeslices: 80,
        }),
        ..exited_ok()
    };
    let judged = judge_with(&late, busy.clone(), &[]);
    assert_eq!(judged.status(CheckId::RetransmissionTimer), Status::Pass);
    assert!(
        judged
            .outcome(CheckId::RetransmissionTimer)
            .observed
            .contains("the machine was busy")
    );
    // Never by more than the tolerance again, and never for an early timer.
    assert_eq!(
        judge_with(&retransmitted_after(60.0), busy.clone(), &[])
            .status(CheckId::RetransmissionTimer),
        Status::Fail
    );
    assert_eq!(
        judge_with(&retransmitted_after(3.0), busy, &[]).status(CheckId::RetransmissionTimer),
        Status::Fail
    );
}

/// The lines a correct client and server print for `clean()`, the server with one more
/// "Sent" for the extra ACK some tests add.
fn logged(client_exit: ExitReason) -> (Transcript, Transcript) {
    let client_lines = ["Sent", "Received", "Sent", "Received", "Sent", "Received"];
    let server_lines = [
        "Received",
        "Sent",
        "Received",
        "Sent",
        "Received",
        "Sent",
        "Sent",
        "NCC-1701 NCC-1422 NCC-1017",
    ];
    (
        transcript(&client_lines, client_exit, 1000.0),
        transcript(&server_lines, ExitReason::StoppedByGrader, 1100.0),
    )
}

fn judge_logs(script: &Script, client: Transcript, server: Transcript) -> Outcome {
    let loaded = rdt3();
    let Compiled::AlternatingBit(judge) = &loaded.compiled else {
        unreachable!("the rdt3 case uses the alternating-bit analyzer")
    };
    let (params, layout, logs) = (&judge.params, &judge.layout, &judge.logs);
    let checksum = loaded
        .case
        .wire
        .as_ref()
        .and_then(|wire| wire.checksum.as_ref())
        .map(|s| &s.value);
    let conversation = Conversation::analyze(&script.trace, layout, checksum, params);
    let evidence = Rdt3Evidence {
        conversation: &conversation,
        params,
        logs,
        layout,
        checksum,
        client: &client,
        server: &server,
        session_timer_samples: &[],
    };
    run_checks(&evidence, &[CheckId::LogLines]).remove(0)
}

#[test]
fn every_datagram_needs_its_line_except_in_a_programs_last_moments() {
    let (client, server) = logged(ExitReason::DeadlineExceeded);
    assert_eq!(
        judge_logs(&clean(), client.clone(), server.clone()).status,
        Status::Pass
    );

    // A reply reaching the client while it is being stopped need not be logged ...
    let mut late = clean();
    late.pass(Direction::ToClient, 990.0, ack(0));
    let outcome = judge_logs(&late, client.clone(), server.clone());
    assert_eq!(outcome.status, Status::Pass, "{outcome:?}");

    // ... but one that reached it long before must be.
    let mut early = clean();
    early.pass(Direction::ToClient, 500.0, ack(0));
    let outcome = judge_logs(&early, client, server);
    assert_eq!(outcome.status, Status::Fail);
    assert!(
        outcome
            .observed
            .contains("3 \"received\" lines for 4 datagrams"),
        "{outcome:?}"
    );
}

#[test]
fn a_program_that_exits_by_itself_must_log_what_it_acted_on() {
    // The client exits 0.5 ms after the final ACK: everything is in its last moments.
    let server = logged(ExitReason::DeadlineExceeded).1;
    let client_with = |lines: &[&str]| transcript(lines, ExitReason::Exited { code: 0 }, 4.1);
    // The final ACK may go unlogged (it may have exited before reading its duplicate) ...
    let enough = client_with(&["Sent", "Received", "Sent", "Received", "Sent"]);
    assert_eq!(
        judge_logs(&clean(), enough, server.clone()).status,
        Status::Pass
    );
    // ... but the ACKs it sent something after were read, and need their lines.
    let too_few = client_with(&["Sent", "Received", "Sent", "Sent"]);
    assert_eq!(
        judge_logs(&clean(), too_few, server.clone()).status,
        Status::Fail
    );
    // A corrupt duplicate ACK after the client's last datagram needs no line either, even
    // when the interpreter took 70 ms to exit (a loaded machine did that).
    let mut late_duplicate = clean();
    let final_ack = late_duplicate.trace.events.len() - 1;
    let mut corrupted = ack(0);
    corrupted[20] ^= 1;
    late_duplicate.deliver(final_ack, 4.0, Some(corrupted));
    let slow_exit = transcript(
        &["Sent", "Received", "Sent", "Received", "Sent", "Received"],
        ExitReason::Exited { code: 0 },
        74.0,
    );
    let outcome = judge_logs(&late_duplicate, slow_exit, server);
    assert_eq!(outcome.status, Status::Pass, "{outcome:?}");
}
