//! The tcp-file-100 checks on recorded runs, without running anything: the built-in
//! case's own patterns against the outputs of right and wrong programs.

use super::RepeatedTransferJudge;
use super::{RepeatedTransferEvidence, ordinal, run_checks};
use crate::analyzer::{Compiled, LoadedCase};
use crate::case::{CaseSource, CheckId, parse_case};
use crate::check::{Outcome, Status};
use crate::evidence::{
    Connection, CpuWait, ExitReason, FileEvidence, Line, Mark, Received, Stream, StreamRecord,
    Transcript, WireTrace,
};
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

const TRANSFERS: u64 = 100;

fn case() -> LoadedCase {
    parse_case(
        CaseSource::Builtin("tcp-file-100".to_owned()),
        crate::case::builtin::builtin_case("tcp-file-100").unwrap(),
    )
    .unwrap()
}

fn transcript(lines: Vec<String>) -> Transcript {
    Transcript {
        lines: lines
            .into_iter()
            .map(|text| Line {
                at: Duration::ZERO,
                stream: Stream::Stdout,
                text,
            })
            .collect(),
        exit: Some(ExitReason::Exited { code: 0 }),
        ..Transcript::default()
    }
}

/// What a server prints, with `time(n)` as each transfer's printed time and `average`.
fn server_output(time: impl Fn(u64) -> String, average: &str, incorrect: u64) -> Vec<String> {
    let mut lines = vec!["I am ready for any client side request".to_owned()];
    for n in 1..=TRANSFERS {
        let n_th = ordinal(n);
        lines.push(format!(
            "I am starting receiving file “sample.txt” for the {n_th} time"
        ));
        lines.push(format!(
            "I am finishing receiving file “sample.txt” for the {n_th} time"
        ));
        lines.push(format!(
            "The time used in millisecond to receive “sample.txt” for {n_th} time is: {}",
            time(n)
        ));
    }
    lines.push(format!(
        "The average time to receive file “sample.txt” in millisecond is: {average}"
    ));
    lines.push(format!("The number of incorrect transfers is: {incorrect}"));
    lines.push("I am done".to_owned());
    lines
}

fn client_output() -> Vec<String> {
    client_output_with(|_| "2.000".to_owned(), "2.000")
}

/// What a client prints, with `time(n)` as each transfer's printed time and `average`.
fn client_output_with(time: impl Fn(u64) -> String, average: &str) -> Vec<String> {
    let mut lines = vec!["I am connecting to server side: 192.0.2.1".to_owned()];
    for n in 1..=TRANSFERS {
        let n_th = ordinal(n);
        lines.push(format!(
            "I am sending file “sample.txt” for the {n_th} time"
        ));
        lines.push(format!(
            "I am finishing sending file “sample.txt” for the {n_th} time"
        ));
        lines.push(format!(
            "The time used in millisecond to send “sample.txt” for {n_th} time is: {}",
            time(n)
        ));
    }
    lines.push(format!(
        "The average time to send file “sample.txt” in millisecond is: {average}"
    ));
    lines.push("I am done".to_owned());
    lines
}

/// `count` connections of 2 ms each, to `dialed`.
fn connections(count: u32, dialed: Ipv4Addr) -> WireTrace {
    WireTrace {
        connections: (1..=count)
            .map(|nth| {
                let opened_at = Duration::from_millis(u64::from(nth) * 10);
                Connection {
                    nth,
                    opened_at,
                    connected_at: None,
                    accepted_at: None,
                    client_waited_until: None,
                    dialed: SocketAddr::from((dialed, 4000)),
                    client: SocketAddr::from((dialed, 50_000)),
                    unreachable: None,
                    to_server: StreamRecord {
                        sent: 1000,
                        ..StreamRecord::new()
                    },
                    to_client: StreamRecord::new(),
                    closed_at: Some(opened_at + Duration::from_millis(2)),
                    reset: None,
                }
            })
            .collect(),
        ..WireTrace::default()
    }
}

fn judge(server: Vec<String>, trace: &WireTrace, check: CheckId) -> Outcome {
    judge_waiting(server, None, trace, check)
}

/// `judge`, with the server having waited `server_wait` for a CPU during the run.
fn judge_waiting(
    server: Vec<String>,
    server_wait: Option<Duration>,
    trace: &WireTrace,
    check: CheckId,
) -> Outcome {
    judge_run(Run {
        server,
        server_wait,
        client: client_output(),
        file: None,
        trace,
        check,
    })
}

/// One recorded run to judge.
struct Run<'a> {
    server: Vec<String>,
    server_wait: Option<Duration>,
    client: Vec<String>,
    file: Option<&'a FileEvidence>,
    trace: &'a WireTrace,
    check: CheckId,
}

fn judge_run(run: Run<'_>) -> Outcome {
    let Run {
        server,
        server_wait,
        client,
        file,
        trace,
        check,
    } = run;
    let loaded = case();
    let Compiled::RepeatedTransfer(RepeatedTransferJudge {
        params,
        server: server_lines,
        client: client_lines,
        error_count,
    }) = &loaded.compiled
    else {
        panic!("the built-in case uses the repeated-transfer analyzer");
    };
    let server = Transcript {
        cpu_wait: server_wait.map(|total| CpuWait {
            total,
            timeslices: 100,
        }),
        ..transcript(server)
    };
    let client = transcript(client);
    let evidence = RepeatedTransferEvidence {
        params,
        server_lines,
        client_lines,
        error_count,
        file,
        client: &client,
        server: &server,
        trace,
        server_files: &[],
        test_address: Some(Ipv4Addr::new(192, 0, 2, 1)),
        host: Some(Ipv4Addr::new(192, 0, 2, 1)),
    };
    run_checks(&evidence, &[check]).remove(0)
}

fn good_trace() -> WireTrace {
    connections(100, Ipv4Addr::new(192, 0, 2, 1))
}

#[test]
fn right_lines_times_and_average_pass() {
    let output = || server_output(|_| "1.500".to_owned(), "1.500", 0);
    for check in [
        CheckId::RequiredLines,
        CheckId::Timings,
        CheckId::Average,
        CheckId::Connections,
        CheckId::Address,
    ] {
        let outcome = judge(output(), &good_trace(), check);
        assert_eq!(outcome.status, Status::Pass, "{check}: {outcome:?}");
    }
}

#[test]
fn times_in_seconds_fail_as_seconds() {
    let outcome = judge(
        server_output(|_| "0.0015".to_owned(), "0.0015", 0),
        &good_trace(),
        CheckId::Timings,
    );
    assert_eq!(outcome.status, Status::Fail);
    assert!(
        outcome.observed.contains("as if they were seconds"),
        "{}",
        outcome.observed
    );
}

#[test]
fn a_time_far_longer_than_its_connection_fails() {
    let outcome = judge(
        server_output(
            |n| {
                if n == 7 {
                    "1500".to_owned()
                } else {
                    "1.5".to_owned()
                }
            },
            "16.485",
            0,
        ),
        &good_trace(),
        CheckId::Timings,
    );
    assert_eq!(outcome.status, Status::Fail);
    assert!(
        outcome.observed.contains("7th transfer"),
        "{}",
        outcome.observed
    );
}

/// A busy machine kept the server off the CPU for 40 ms, and that stall fell into its
/// 7th transfer: the wait is allowed, but not a time a thousand times too large.
#[test]
fn a_time_stretched_by_waiting_for_a_cpu_passes_when_the_program_waited_that_long() {
    let with_seventh = |seventh: &'static str| {
        move |n: u64| {
            if n == 7 {
                seventh.to_owned()
            } else {
                "1.5".to_owned()
            }
        }
    };
    let stalled = || server_output(with_seventh("50"), "1.985", 0);
    let waited = Some(Duration::from_millis(40));
    let outcome = judge_waiting(stalled(), waited, &good_trace(), CheckId::Timings);
    assert_eq!(outcome.status, Status::Pass, "{outcome:?}");
    let outcome = judge_waiting(stalled(), None, &good_trace(), CheckId::Timings);
    assert_eq!(outcome.status, Status::Fail, "{outcome:?}");

    let outcome = judge_waiting(
        server_output(with_seventh("1500"), "16.485", 0),
        waited,
        &good_trace(),
        CheckId::Timings,
    );
    assert_eq!(outcome.status, Status::Fail);
    assert!(
        outcome.observed.contains("waited for a CPU"),
        "{}",
        outcome.observed
    );
}

#[test]
fn an_average_over_99_fails_and_rounding_does_not() {
    // Times 1.000 and 2.000 alternate: the mean is 1.5, the sum over 99 is 1.515.
    let time = |n: u64| {
        if n.is_multiple_of(2) {
            "2.000".to_owned()
        } else {
            "1.000".to_owned()
        }
    };
    let over_99 = judge(
        server_output(time, "1.515", 0),
        &good_trace(),
        CheckId::Average,
    );
    assert_eq!(over_99.status, Status::Fail);
    assert!(
        over_99.observed.contains("divided by 99"),
        "{}",
        over_99.observed
    );
    // Printed to two decimals, an average from unrounded times is still the mean.
    let rounded = judge(
        server_output(time, "1.50", 0),
        &good_trace(),
        CheckId::Average,
    );
    assert_eq!(rounded.status, Status::Pass, "{rounded:?}");
}

#[test]
fn a_missing_line_and_a_wrong_number_are_named() {
    let mut missing = server_output(|_| "1.5".to_owned(), "1.5", 0);
    missing.retain(|line| !line.contains("finishing receiving file “sample.txt” for the 42nd"));
    let outcome = judge(missing, &good_trace(), CheckId::RequiredLines);
    assert_eq!(outcome.status, Status::Fail);
    assert!(
        outcome.observed.contains("the server"),
        "{}",
        outcome.observed
    );
    assert!(outcome.observed.contains("42nd"), "{}", outcome.observed);

    let zero_based = server_output(|_| "1.5".to_owned(), "1.5", 0)
        .into_iter()
        .map(|line| line.replace("for the 1st time", "for the 0th time"))
        .collect();
    let outcome = judge(zero_based, &good_trace(), CheckId::RequiredLines);
    assert_eq!(outcome.status, Status::Fail);
    assert!(
        outcome.observed.contains("names transfer 0, not 1"),
        "{}",
        outcome.observed
    );
}

#[test]
fn one_connection_for_all_transfers_fails() {
    let mut trace = connections(1, Ipv4Addr::new(192, 0, 2, 1));
    trace.connections[0].to_server.sent = 100_000;
    let outcome = judge(
        server_output(|_| "1.5".to_owned(), "1.5", 0),
        &trace,
        CheckId::Connections,
    );
    assert_eq!(outcome.status, Status::Fail);
    assert!(
        outcome.observed.contains("1 connection(s)"),
        "{}",
        outcome.observed
    );
}

#[test]
fn a_connection_to_the_loopback_fails_the_address_check() {
    let trace = connections(100, Ipv4Addr::LOCALHOST);
    let outcome = judge(
        server_output(|_| "1.5".to_owned(), "1.5", 0),
        &trace,
        CheckId::Address,
    );
    assert_eq!(outcome.status, Status::Fail);
    assert!(
        outcome.observed.contains("the loopback"),
        "{}",
        outcome.observed
    );
}

#[test]
fn ordinals_follow_english() {
    let names: Vec<String> = [1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111, 112]
        .into_iter()
        .map(ordinal)
        .collect();
    assert_eq!(
        names,
        [
            "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st", "111th",
            "112th"
        ]
    );
}

/// The standard file of a run: `size` bytes.
fn standard_file(size: u64) -> FileEvidence {
    FileEvidence {
        name: "sample.txt".to_owned(),
        original: Vec::new(),
        original_size: size,
        missing: false,
        received: Received::Absent,
        input_tampered: None,
    }
}

/// Handout 004 asks the students to "design and implement a protocol": a header before
/// the file or a hash after it is theirs to choose; a connection that carries less than
/// the file is not a transfer of it.
#[test]
fn framing_around_the_file_passes_and_a_connection_short_of_it_fails() {
    let file = standard_file(1000);
    let judge_connections = |trace: &WireTrace| {
        judge_run(Run {
            server: server_output(|_| "1.5".to_owned(), "1.5", 0),
            server_wait: None,
            client: client_output(),
            file: Some(&file),
            trace,
            check: CheckId::Connections,
        })
    };
    let mut framed = good_trace();
    for connection in &mut framed.connections {
        connection.connected_at = Some(connection.opened_at);
        // "sample.txt|1000|7\n" before the file, a SHA-256 digest after it.
        connection.to_server.sent = 1000 + 18 + 32;
    }
    let outcome = judge_connections(&framed);
    assert_eq!(outcome.status, Status::Pass, "{outcome:?}");
    assert!(outcome.expected.contains("at least the file's 1000 bytes"));

    framed.connections[6].to_server.sent = 0;
    let outcome = judge_connections(&framed);
    assert_eq!(outcome.status, Status::Fail);
    assert_eq!(
        outcome.observed,
        "the 7th connection carried 0 bytes, fewer than the file's 1000"
    );

    // Connections still kept in the relay when the run ended were never read.
    framed.connections[6].to_server.sent = 1050;
    for connection in &mut framed.connections[60..] {
        connection.connected_at = None;
        connection.to_server.sent = 0;
    }
    let outcome = judge_connections(&framed);
    assert_eq!(outcome.status, Status::Pass, "{outcome:?}");
    assert!(
        outcome
            .observed
            .contains("the last 40 (from the 61st) never reached the server"),
        "{}",
        outcome.observed
    );
}

/// 100 connections opened at once, as a client that reconnects at once opens them: the
/// relay keeps them and lets one through each time the server has taken the one before,
/// 5 ms apart. The server had each for 4 ms; the client, which closed each as soon as it
/// had sent it, measured microseconds.
fn held_in_the_relay(client_waited: bool) -> WireTrace {
    let ms = |millis: f64| Duration::from_secs_f64(millis / 1e3);
    let mut trace = good_trace();
    for connection in &mut trace.connections {
        let n = f64::from(connection.nth);
        connection.opened_at = ms(n * 0.01);
        connection.connected_at = Some(ms(n * 5.0));
        connection.accepted_at = Some(ms(n * 5.0 + 0.1));
        connection.to_client.ended = Some(Mark {
            at: ms(n * 5.0 + 4.1),
            order: 0,
        });
        connection.closed_at = Some(ms(n * 5.0 + 4.2));
        connection.client_waited_until = client_waited.then(|| ms(n * 5.0 + 4.1));
    }
    trace
}

#[test]
fn time_a_connection_waited_in_the_relay_is_never_the_servers() {
    let trace = held_in_the_relay(false);
    let outcome = judge_run(Run {
        server: server_output(|_| "4.000".to_owned(), "4.000", 0),
        server_wait: None,
        client: client_output_with(|_| "0.050".to_owned(), "0.050"),
        file: None,
        trace: &trace,
        check: CheckId::Timings,
    });
    assert_eq!(outcome.status, Status::Pass, "{outcome:?}");
    // The same server in seconds still fails.
    let outcome = judge_run(Run {
        server: server_output(|_| "0.004".to_owned(), "0.004", 0),
        server_wait: None,
        client: client_output_with(|_| "0.050".to_owned(), "0.050"),
        file: None,
        trace: &trace,
        check: CheckId::Timings,
    });
    assert_eq!(outcome.status, Status::Fail);
    assert!(outcome.observed.contains("as if they were seconds"));
}

#[test]
fn a_client_seen_waiting_for_the_server_is_held_to_milliseconds() {
    let in_seconds = |trace: &WireTrace| {
        judge_run(Run {
            server: server_output(|_| "4.000".to_owned(), "4.000", 0),
            server_wait: None,
            client: client_output_with(|_| "0.005".to_owned(), "0.005"),
            file: None,
            trace,
            check: CheckId::Timings,
        })
    };
    let outcome = in_seconds(&held_in_the_relay(true));
    assert_eq!(outcome.status, Status::Fail);
    assert!(
        outcome.observed.starts_with("the client's times add up to 0.500000 ms"),
        "{}",
        outcome.observed
    );
    // A client that did not wait measured its own close, which may take microseconds.
    let outcome = in_seconds(&held_in_the_relay(false));
    assert_eq!(outcome.status, Status::Pass, "{outcome:?}");
}

/// A persistent client's one connection carried all its transfers: only its first time
/// has a connection of its own, and the sentence says so rather than summing the others.
#[test]
fn a_time_without_a_connection_of_its_own_is_not_summed_as_if_it_had_one() {
    let mut trace = held_in_the_relay(true);
    trace.connections.truncate(1);
    let outcome = judge_run(Run {
        server: server_output(|_| "4.000".to_owned(), "4.000", 0),
        server_wait: None,
        client: client_output_with(|_| "0.005".to_owned(), "0.005"),
        file: None,
        trace: &trace,
        check: CheckId::Timings,
    });
    assert_eq!(outcome.status, Status::Fail);
    assert_eq!(
        outcome.observed,
        "the client's time for the only one of its 100 transfers that had a connection of its own is 0.005000 ms while it spent at least 9.090 ms on that connection"
    );
}
