//! udp-file (ASSIGNMENTS.md §3): the reference pair passes; each defect and buggy example
//! is caught by its check; other argument orders are graded with `--client-args` and
//! `--server-args`; a client that hangs fails at the deadline and the session finishes.

use crate::util::{Graded, checks, example, grade, outcomes, reference_binary};
use socklab_grader::exit_code;

fn with_defect(side: &str, defect: &str, scenario: &str) -> Graded {
    let reference = reference_binary();
    let (flag, command) = match side {
        "client" => (
            "--client-cmd",
            format!(
                "{reference} udp-file client --host {{host}} --port {{port}} --file {{file}} --defect {defect}"
            ),
        ),
        _ => (
            "--server-cmd",
            format!("{reference} udp-file server --port {{port}} --defect {defect}"),
        ),
    };
    grade(&[
        "udp-file",
        "--seed",
        "3",
        "--budget",
        "1500ms",
        "--scenario",
        scenario,
        flag,
        &command,
    ])
}

fn assert_fails_only(graded: &Graded, run: &str, expected: &[&str]) {
    assert_eq!(graded.code, Some(exit_code::FAILED), "{}", graded.stdout);
    assert_eq!(graded.failed(run), checks(expected), "{}", graded.stdout);
}

#[test]
fn the_reference_pair_passes_and_the_soak_reports_its_error_rate() {
    let graded = grade(&["udp-file", "--seed", "1"]);
    assert_eq!(graded.code, Some(exit_code::PASSED), "{}", graded.stdout);
    assert!(graded.stdout.contains("total 100/100"), "{}", graded.stdout);
    assert!(
        graded.stdout.contains("lossy: ")
            && graded.stdout.contains(" of 20 runs passed every check"),
        "{}",
        graded.stdout
    );
}

#[test]
fn a_server_without_the_empty_final_block_fails_with_the_reason() {
    let graded = with_defect("server", "no-empty-final", "size-2048");
    // The reference client gives up after its idle timeout, keeping the 2048 bytes.
    assert_fails_only(&graded, "size-2048", &["block-sizes", "completion"]);
    assert!(
        graded.stdout.contains(
            "the size is a multiple of 2048, so the server must end with an empty datagram"
        ),
        "{}",
        graded.stdout
    );
}

#[test]
fn a_server_with_1024_byte_blocks_fails_block_sizes() {
    let graded = with_defect("server", "chunk-1024", "size-4096");
    assert!(
        graded.failed("size-4096").contains("block-sizes"),
        "{}",
        graded.stdout
    );
    assert!(
        graded.stdout.contains("block 1 was 1024 bytes"),
        "{}",
        graded.stdout
    );
}

#[test]
fn a_client_that_ignores_the_empty_block_hangs_and_fails_completion() {
    let graded = with_defect("client", "ignore-empty-block", "size-4096");
    // It was stopped before it wrote its copy, so the copy is missing too.
    assert_fails_only(&graded, "size-4096", &["completion", "file-copy"]);
    assert!(
        graded
            .stdout
            .contains("the final empty block reached it, and it kept waiting"),
        "{}",
        graded.stdout
    );
}

#[test]
fn a_client_that_decodes_text_fails_file_copy_and_keeps_both_files() {
    let graded = with_defect("client", "text-mode", "size-2049");
    assert_fails_only(&graded, "size-2049", &["file-copy"]);
    assert!(
        graded
            .stdout
            .contains("at byte 0 the copy has ef bf bd (U+FFFD)")
            && graded.stdout.contains("decoded as UTF-8 text"),
        "{}",
        graded.stdout
    );
    let run = graded.out.path().join("size-2049");
    let original = std::fs::read(run.join("original-over.bin")).unwrap();
    let received = std::fs::read(run.join("received-over.bin")).unwrap();
    assert_eq!((original.len(), original[0]), (2049, 0xFF));
    assert_ne!(original, received);
}

#[test]
fn the_good_python_pair_passes_every_graded_scenario() {
    let graded = grade(&[
        "udp-file",
        "--seed",
        "2",
        "--client",
        &example("udp-file/good/UDP_Client.py"),
        "--server",
        &example("udp-file/good/UDP_Server.py"),
    ]);
    assert_eq!(graded.code, Some(exit_code::PASSED), "{}", graded.stdout);
    assert!(graded.stdout.contains("total 100/100"), "{}", graded.stdout);
}

#[test]
fn other_argument_orders_are_graded_with_argument_templates() {
    let graded = grade(&[
        "udp-file",
        "--scenario",
        "size-0",
        "--scenario",
        "size-4096",
        "--scenario",
        "size-1mib-plus-7",
        "--client",
        &example("udp-file/other-arg-order/UDP_Client.py"),
        "--client-args",
        "{file} {host} {port} {file}",
        "--server",
        &example("udp-file/other-arg-order/UDP_Server.py"),
        "--server-args",
        "{port} .",
    ]);
    assert_eq!(graded.code, Some(exit_code::PASSED), "{}", graded.stdout);
    assert!(graded.stdout.contains("total 55/55"), "{}", graded.stdout);
}

#[test]
fn python_buggy_examples_fail_their_checks() {
    for (flag, path, scenario, check) in [
        (
            "--server",
            "udp-file/no-empty-final/UDP_Server.py",
            "size-2048",
            "completion",
        ),
        (
            "--client",
            "udp-file/text-mode/UDP_Client.py",
            "size-4096",
            "file-copy",
        ),
        (
            "--server",
            "udp-file/chunk-1024/UDP_Server.py",
            "size-4096",
            "block-sizes",
        ),
    ] {
        let graded = grade(&[
            "udp-file",
            "--budget",
            "1500ms",
            "--scenario",
            scenario,
            flag,
            &example(path),
        ]);
        assert_eq!(
            graded.code,
            Some(exit_code::FAILED),
            "{path}: {}",
            graded.stdout
        );
        assert!(
            graded.failed(scenario).contains(check),
            "{path}: {}",
            graded.stdout
        );
    }
}

#[test]
fn a_hanging_client_fails_within_the_budget_and_the_session_finishes() {
    let reference = reference_binary();
    let started = std::time::Instant::now();
    let graded = grade(&[
        "udp-file",
        "--seed",
        "4",
        "--budget",
        "1s",
        "--client-cmd",
        &format!(
            "{reference} udp-file client --host {{host}} --port {{port}} --file {{file}} --defect ignore-empty-block"
        ),
    ]);
    assert_eq!(graded.code, Some(exit_code::FAILED), "{}", graded.stdout);
    assert_eq!(
        graded.failed("size-0"),
        checks(&["completion"]),
        "{}",
        graded.stdout
    );
    for run in ["size-2048", "size-4096"] {
        assert_eq!(
            graded.failed(run),
            checks(&["completion", "file-copy"]),
            "{run}: {}",
            graded.stdout
        );
    }
    for run in ["size-1", "size-2047", "size-2049", "size-1mib-plus-7"] {
        assert!(graded.failed(run).is_empty(), "{run}: {}", graded.stdout);
    }
    // Every run is bounded by its budget: the whole session cannot take much longer than
    // one budget per run in sequence.
    assert!(
        started.elapsed() < std::time::Duration::from_secs(60),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn a_client_that_asks_for_another_name_fails_request() {
    // It asks for the name reversed; the reference server has no such file.
    let client = "python3 -c \"import socket,sys; s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.sendto(sys.argv[1][::-1].encode(),(sys.argv[2],int(sys.argv[3]))); s.recvfrom(4096)\" {file} {host} {port}";
    let graded = grade(&["udp-file", "--scenario", "size-1", "--client-cmd", client]);
    assert_eq!(graded.code, Some(exit_code::FAILED), "{}", graded.stdout);
    assert!(
        graded.failed("size-1").contains("request"),
        "{}",
        graded.stdout
    );
}

#[test]
fn a_link_to_the_servers_file_is_not_a_copy() {
    let graded = grade(&[
        "udp-file",
        "--scenario",
        "size-2049",
        "--client-cmd",
        "ln -s ../server/{file} {file}",
    ]);
    assert_eq!(graded.code, Some(exit_code::FAILED), "{}", graded.stdout);
    assert!(
        graded.failed("size-2049").contains("file-copy"),
        "{}",
        graded.stdout
    );
    assert!(
        graded.stdout.contains("is not a file of its own"),
        "{}",
        graded.stdout
    );
}

#[test]
fn a_server_that_changes_its_input_fails_file_copy() {
    let reference = reference_binary();
    let server = format!(
        "sh -c 'printf x >> \"$1\"; exec {reference} udp-file server --port \"$2\"' server {{file}} {{port}}"
    );
    let graded = grade(&[
        "udp-file",
        "--scenario",
        "size-2049",
        "--server-cmd",
        &server,
    ]);
    assert_eq!(graded.code, Some(exit_code::FAILED), "{}", graded.stdout);
    assert!(
        graded.failed("size-2049").contains("file-copy"),
        "{}",
        graded.stdout
    );
    assert!(
        graded
            .stdout
            .contains("the server's copy of `over.bin` changed during the run (2049 bytes handed out, 2050 found after)"),
        "{}",
        graded.stdout
    );
}

/// The handout says only that the client "writes them to its local disk": a copy saved
/// under a name of its own (`received_NAME`) is the copy, found by what it holds.
#[test]
fn a_copy_saved_under_a_name_of_its_own_passes_every_graded_scenario() {
    let graded = grade(&[
        "udp-file",
        "--seed",
        "2",
        "--client",
        &example("udp-file/renamed-copy/UDP_Client.py"),
    ]);
    assert_eq!(graded.code, Some(exit_code::PASSED), "{}", graded.stdout);
    assert!(graded.stdout.contains("total 100/100"), "{}", graded.stdout);
    let copy = outcomes(graded.out.path(), "size-2049")
        .into_iter()
        .find(|outcome| outcome.check == "file-copy")
        .unwrap();
    assert_eq!(
        (copy.status.as_str(), copy.observed.as_str()),
        (
            "pass",
            "identical, 2049 bytes, saved as `received_over.bin`"
        )
    );
    let written =
        std::fs::read_to_string(graded.out.path().join("size-2049/client-files.json")).unwrap();
    assert!(written.contains("received_over.bin"), "{written}");
}

/// The copy under another name is still compared: a text-mode client that saves it as
/// `received_NAME` fails `file-copy` with the name and the difference.
#[test]
fn a_wrong_copy_under_a_name_of_its_own_fails_file_copy_saying_where() {
    let client = "python3 -c \"import socket,sys; s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.sendto(sys.argv[1].encode(),(sys.argv[2],int(sys.argv[3]))); d=s.recvfrom(4096)[0]; open('received_'+sys.argv[1],'wb').write(d[:-1]); s.recvfrom(4096)\" {file} {host} {port}";
    let graded = grade(&[
        "udp-file",
        "--scenario",
        "size-2049",
        "--client-cmd",
        client,
    ]);
    assert_eq!(
        graded.failed("size-2049"),
        checks(&["file-copy"]),
        "{}",
        graded.stdout
    );
    assert!(
        graded
            .stdout
            .contains("the client wrote no `over.bin`; it saved `received_over.bin`, and in it"),
        "{}",
        graded.stdout
    );
}

/// The handout's request is "a datagram to the server with the file name": a pair whose
/// client greets the server first passes `request` on its second datagram.
#[test]
fn a_pair_that_says_hello_before_its_request_passes() {
    let graded = grade(&[
        "udp-file",
        "--seed",
        "2",
        "--client",
        &example("udp-file/hello-first/UDP_Client.py"),
        "--server",
        &example("udp-file/hello-first/UDP_Server.py"),
    ]);
    assert_eq!(graded.code, Some(exit_code::PASSED), "{}", graded.stdout);
    assert!(graded.stdout.contains("total 100/100"), "{}", graded.stdout);
    let request = outcomes(graded.out.path(), "size-1")
        .into_iter()
        .find(|outcome| outcome.check == "request")
        .unwrap();
    assert_eq!(
        request.observed,
        "the client asked for one.bin in its datagram 2 (before it: HELLO)"
    );
}
