//! tcp-over-udp (ASSIGNMENTS.md §5): the reference pair passes every scenario; each
//! reference defect and buggy example fails the check that exists for it, saying why.

use crate::util::{Graded, assert_fails_at_least, checks, example, grade, reference_binary, trace};
use socklab_grader::exit_code;

/// One scenario with one side played by the reference peer with `defect`.
fn with_defect(side: &str, defect: &str, scenario: &str) -> Graded {
    let reference = reference_binary();
    let (flag, command) = match side {
        "client" => (
            "--client-cmd",
            format!("{reference} tcp-over-udp client {{host}} {{port}} --defect {defect}"),
        ),
        _ => (
            "--server-cmd",
            format!("{reference} tcp-over-udp server {{port}} --defect {defect}"),
        ),
    };
    grade(&[
        "tcp-over-udp",
        "--seed",
        "7",
        "--budget",
        "4s",
        "--scenario",
        scenario,
        flag,
        &command,
    ])
}

/// One scenario with the example programs given (the other side the reference).
fn with_examples(scenario: &str, programs: &[(&str, &str)]) -> Graded {
    with_examples_in(&[scenario], programs)
}

/// Some scenarios with the example programs given (the other side the reference).
fn with_examples_in(scenarios: &[&str], programs: &[(&str, &str)]) -> Graded {
    let mut args = vec![
        "tcp-over-udp".to_owned(),
        "--seed".to_owned(),
        "7".to_owned(),
    ];
    for scenario in scenarios {
        args.push("--scenario".to_owned());
        args.push((*scenario).to_owned());
    }
    for (flag, path) in programs {
        args.push((*flag).to_owned());
        args.push(example(path));
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    grade(&args)
}

/// Asserts that exactly `expected` failed in `run`.
fn assert_fails_exactly(graded: &Graded, run: &str, expected: &[&str]) {
    assert_eq!(graded.code, Some(exit_code::FAILED), "{}", graded.stdout);
    assert_eq!(graded.failed(run), checks(expected), "{}", graded.stdout);
}

#[test]
fn the_reference_pair_passes_every_scenario() {
    let graded = grade(&["tcp-over-udp", "--seed", "1"]);
    assert_eq!(graded.code, Some(exit_code::PASSED), "{}", graded.stdout);
    assert!(graded.stdout.contains("total 100/100"), "{}", graded.stdout);
}

#[test]
fn the_good_python_pair_passes_every_scenario() {
    let graded = with_examples_all(&[
        ("--client", "tcp-over-udp/good/client.py"),
        ("--server", "tcp-over-udp/good/server.py"),
    ]);
    assert_eq!(graded.code, Some(exit_code::PASSED), "{}", graded.stdout);
    assert!(graded.stdout.contains("total 100/100"), "{}", graded.stdout);
}

fn with_examples_all(programs: &[(&str, &str)]) -> Graded {
    let mut args = vec![
        "tcp-over-udp".to_owned(),
        "--seed".to_owned(),
        "3".to_owned(),
    ];
    for (flag, path) in programs {
        args.push((*flag).to_owned());
        args.push(example(path));
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    grade(&args)
}

#[test]
fn nul_padding_stripped_by_the_receiver_passes_text_and_fails_binary_naming_the_nuls() {
    let pair = [
        ("--client", "tcp-over-udp/pad-nul/client.py"),
        ("--server", "tcp-over-udp/pad-nul/server.py"),
    ];
    let text = with_examples("text-2kib", &pair);
    assert_eq!(text.code, Some(exit_code::PASSED), "{}", text.stdout);
    let binary = with_examples("binary-64kib", &pair);
    assert_fails_exactly(&binary, "binary-64kib", &["file-copy"]);
    assert!(
        binary.stdout.contains("NUL byte") && binary.stdout.contains("strips NULs"),
        "{}",
        binary.stdout
    );
    let reference = with_defect("server", "strip-nuls", "binary-64kib");
    assert_fails_exactly(&reference, "binary-64kib", &["file-copy"]);
}

/// The handout's own layout, `'iihh512s'`: every datagram 524 bytes, SYN, ACK and FIN
/// included, the data NUL-padded, and the numbers counting the data alone (the server
/// counts up to a segment's last non-NUL byte, the client goes on from its ack). Legal: it
/// passes on text, handshake, losses and the wrap included. On a binary file the padding
/// cannot be told from the file's own NULs, and the copy shows it, and nothing else does.
#[test]
fn fixed_size_padded_segments_pass_on_text_and_fail_the_binary_file_on_file_copy_alone() {
    let pair = [
        ("--client", "tcp-over-udp/padded/client.py"),
        ("--server", "tcp-over-udp/padded/server.py"),
    ];
    let text = with_examples_in(
        &[
            "text-2kib",
            "text-200kib",
            "lost-synack",
            "lost-ack",
            "lost-fin",
        ],
        &pair,
    );
    assert_eq!(text.code, Some(exit_code::PASSED), "{}", text.stdout);
    // The wire really was padded: every datagram, both ways, 12 + 512 bytes.
    let lengths: Vec<usize> = trace(text.out.path(), "lost-synack")
        .iter()
        .map(|event| event["bytes"].as_str().map_or(0, str::len) / 2)
        .collect();
    assert!(
        lengths.len() > 8 && lengths.iter().all(|&length| length == 524),
        "{lengths:?}"
    );
    let binary = with_examples("binary-64kib", &pair);
    assert_fails_exactly(&binary, "binary-64kib", &["file-copy"]);
    assert!(
        binary.stdout.contains("of the original")
            && binary
                .stdout
                .contains("missing from the copy, the first at byte")
            && binary.stdout.contains("strips NULs"),
        "{}",
        binary.stdout
    );
}

#[test]
fn a_receiver_that_writes_a_resent_segment_twice_fails_when_an_ack_is_lost() {
    let server = [("--server", "tcp-over-udp/write-dup/server.py")];
    let no_loss = with_examples("text-2kib", &server);
    assert_eq!(no_loss.code, Some(exit_code::PASSED), "{}", no_loss.stdout);
    let lost_ack = with_examples("lost-ack", &server);
    assert_fails_exactly(&lost_ack, "lost-ack", &["file-copy"]);
    assert!(
        lost_ack.stdout.contains("written twice"),
        "{}",
        lost_ack.stdout
    );
    let reference = with_defect("server", "write-duplicates", "lost-ack");
    assert_fails_exactly(&reference, "lost-ack", &["file-copy"]);
}

#[test]
fn a_client_without_fin_retransmission_fails_the_lost_fin_scenario() {
    let client = [("--client", "tcp-over-udp/no-fin-retransmit/client.py")];
    let graded = with_examples("lost-fin", &client);
    assert_fails_at_least(&graded, "lost-fin", &["close"]);
    assert!(
        graded.stdout.contains("never reached the server"),
        "{}",
        graded.stdout
    );
    let reference = with_defect("client", "no-fin-retransmit", "lost-fin");
    assert_fails_at_least(
        &reference,
        "lost-fin",
        &["close", "identical-retransmission"],
    );
}

#[test]
fn log_lines_that_disagree_with_the_wire_fail_showing_both() {
    let client = [("--client", "tcp-over-udp/log-mismatch/client.py")];
    let graded = with_examples("text-2kib", &client);
    assert_fails_exactly(&graded, "text-2kib", &["log-lines"]);
    assert!(
        graded.stdout.contains("SEND line #2 `SEND 12858")
            && graded
                .stdout
                .contains("seq 12346 ack 4322 conn 1 ACK, 512 bytes of data"),
        "{}",
        graded.stdout
    );
    let misreported = with_defect("client", "misreport-log", "text-2kib");
    assert_fails_exactly(&misreported, "text-2kib", &["log-lines"]);
    let no_dup = with_defect("client", "no-dup-mark", "lost-data");
    assert_fails_exactly(&no_dup, "lost-data", &["log-lines"]);
    assert!(no_dup.stdout.contains("has no DUP"), "{}", no_dup.stdout);
}

#[test]
fn text_only_payloads_fail_the_binary_file() {
    let graded = with_defect("client", "text-only", "binary-64kib");
    assert_fails_exactly(&graded, "binary-64kib", &["file-copy"]);
    assert!(
        graded.stdout.contains("decoded as UTF-8"),
        "{}",
        graded.stdout
    );
}

#[test]
fn acks_that_do_not_wrap_fail_the_sequence_numbers() {
    let graded = with_defect("server", "ack-no-wrap", "text-200kib");
    assert_fails_at_least(&graded, "text-200kib", &["sequence-numbers", "format"]);
    assert!(
        graded.stdout.contains("wrap at 204800"),
        "{}",
        graded.stdout
    );
}

#[test]
fn a_client_that_ignores_the_connection_id_fails_it() {
    let graded = with_defect("client", "ignore-conn-id", "text-2kib");
    assert_fails_at_least(&graded, "text-2kib", &["connection-id"]);
}
