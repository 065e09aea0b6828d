//! The page of a small synthetic session: what a student must see is there, what a
//! submission wrote is inert, and nothing is fetched.

use super::*;
use crate::case::CheckId;
use crate::evidence::RunEvidence;
use crate::evidence::trace::{DeliveredCopy, Fate, WireEvent};
use crate::evidence::{Line, WireTrace};
use crate::link::{Direction, DropCause};
use std::time::Duration;

const MS: Duration = Duration::from_millis(1);

/// What a hostile client printed: markup, a screen-clearing escape, a bidi override, and
/// bytes that were not UTF-8 (the transcript decodes them lossily, as the harness does).
fn hostile_line() -> String {
    let invalid = String::from_utf8_lossy(b"\xff\xfe");
    format!("<script>alert(1)</script>\x1b[2J\u{202e}gnp.exe{invalid}")
}

fn line(at_ms: u64, stream: Stream, text: &str) -> Line {
    Line {
        at: Duration::from_millis(at_ms),
        stream,
        text: text.to_owned(),
    }
}

fn transcript(command: &str, lines: Vec<Line>, exit: ExitReason) -> Transcript {
    Transcript {
        command: command.split(' ').map(str::to_owned).collect(),
        lines,
        exit: Some(exit),
        ended_at: Some(30 * MS),
        ..Transcript::default()
    }
}

/// The first data packet lost, sent again 9 ms later, then acknowledged.
fn lost_packet_trace() -> WireTrace {
    let data = [vec![0; 8], b"NCC-1701".to_vec()].concat();
    let ack = [vec![1], vec![0; 7]].concat();
    let delivered = |at: Duration| Fate::Delivered {
        copies: vec![DeliveredCopy {
            order: 0,
            sent_at: at,
            altered_bytes: None,
            alterations: Vec::new(),
        }],
    };
    let event = |direction, nth, at, bytes: &Vec<u8>, fate| WireEvent {
        direction,
        nth,
        order: u64::from(nth),
        received_at: at,
        bytes: bytes.clone(),
        fate,
        from: None,
        to: None,
    };
    WireTrace {
        events: vec![
            event(
                Direction::ToServer,
                1,
                2 * MS,
                &data,
                Fate::Dropped {
                    cause: DropCause::Scripted,
                },
            ),
            event(Direction::ToServer, 2, 11 * MS, &data, delivered(12 * MS)),
            event(Direction::ToClient, 1, 13 * MS, &ack, delivered(14 * MS)),
        ],
        ..WireTrace::default()
    }
}

fn report() -> GradeReport {
    let evidence = RunEvidence {
        scenario: 0,
        client: transcript(
            "python3 UDP_Client.py 127.0.0.1 5005",
            vec![
                line(2, Stream::Stdout, "Sent packet: seq=0"),
                line(11, Stream::Stdout, &hostile_line()),
                line(20, Stream::Stderr, "Traceback: <oops> & more"),
            ],
            ExitReason::Exited { code: 1 },
        ),
        server: transcript(
            "python3 UDP_Server.py 5005",
            vec![line(12, Stream::Stdout, "Received: NCC-1701")],
            ExitReason::StoppedByGrader,
        ),
        trace: lost_packet_trace(),
        startup_failure: None,
        notes: vec!["the client bound <port 5005>".to_owned()],
        wall_time: Duration::from_millis(31),
        file: None,
        server_release: None,
        server_files: Vec::new(),
        client_files: Vec::new(),
        uploads: Vec::new(),
        test_address: None,
    };
    let outcomes = vec![
        Outcome::new(CheckId::Format, "packets follow the layout"),
        Outcome::new(CheckId::LogLines, "the client prints each packet it sends")
            .status(Status::Fail)
            .expected("a line \"Sent packet: seq=0\" per send")
            .observed(hostile_line())
            .evidence("client line 2"),
    ];
    GradeReport {
        case_name: "rdt3".to_owned(),
        case_title: "rdt 3.0 over UDP with MD5 checksums".to_owned(),
        seed: 7,
        client: "UDP_Client.py".to_owned(),
        server: "reference".to_owned(),
        mode: "relay (the programs take their addresses as arguments)".to_owned(),
        scenarios: vec![ScenarioResult {
            key: "lost-packet".to_owned(),
            about: Some("the first data packet is dropped".to_owned()),
            grading: Grading::Graded,
            points_possible: 15.0,
            points_awarded: 0.0,
            outcomes,
            evidence,
        }],
        wall_time: Duration::from_millis(35),
        replay: crate::grading::Replay::new("rdt3").option("--seed", "7"),
    }
}

#[test]
fn what_a_submission_printed_is_shown_inert() {
    let page = render(&report());
    assert!(
        !page.contains("<script"),
        "a tag from a submission survived"
    );
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!page.contains('\x1b') && page.contains("\\x1b[2J"));
    assert!(!page.contains('\u{202e}') && page.contains("\\u{202e}"));
    assert!(
        page.contains("\u{fffd}\u{fffd}"),
        "invalid bytes shown as such"
    );
    assert!(page.contains("Traceback: &lt;oops&gt; &amp; more"));
    assert!(page.contains("the client bound &lt;port 5005&gt;"));
}

#[test]
fn each_failed_check_carries_its_reason() {
    let page = render(&report());
    for fact in [
        "<strong>log-lines</strong> (fail): the client prints each packet it sends",
        "<dt>expected</dt><dd>a line &quot;Sent packet: seq=0&quot; per send</dd>",
        "<dt>observed</dt><dd>&lt;script&gt;",
        "<dt>evidence</dt><dd>client line 2</dd>",
        "passed: format",
        "<dt>score</dt><dd>0/15 · 1 of 1 graded runs failed</dd>",
        "grader check rdt3 --seed 7 --scenario lost-packet",
    ] {
        assert!(page.contains(fact), "missing {fact:?} in\n{page}");
    }
}

#[test]
fn the_page_fetches_nothing_and_runs_nothing() {
    let page = render(&report());
    // The one address on the page is the SVG namespace, a name that is never fetched.
    let addresses = page.matches("://").count();
    let namespaces = page.matches("xmlns=\"http://www.w3.org/2000/svg\"").count();
    assert_eq!(addresses, namespaces, "{page}");
    for fetching in ["src=", "url(", "@import", "<link", "<script", "<iframe"] {
        assert!(!page.contains(fetching), "{fetching} in the page");
    }
    assert!(page.contains("default-src 'none'"));
}

/// The body only: the style sheet is presentation, and churn in it would hide a change in
/// what the page says.
#[test]
fn the_page_of_a_small_session_is_stable() {
    let page = render(&report());
    let body = &page[page.find("<body>").expect("a body")..];
    insta::assert_snapshot!(body);
}
