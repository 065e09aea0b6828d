//! The server's side of the conversation: one status byte per file, sent only once the
//! whole file is in; the close after `Q`; both programs ending by themselves.

use super::LineUploadEvidence;
use super::stream::decode;
use crate::case::CheckId;
use crate::check::program_end::exit_problem;
use crate::check::{Outcome, Status};
use crate::evidence::{ExitReason, ResetBy, Role};

/// What the server should answer: `A` per typed file, then `Q` for the zero-line file.
fn expected_statuses(evidence: &LineUploadEvidence<'_>) -> Vec<u8> {
    let mut statuses = vec![b'A'; evidence.uploads.len()];
    statuses.push(b'Q');
    statuses
}

/// What `status-bytes` requires, in the words its outcome states.
pub const STATUS_BYTES: &str =
    "after each whole file the server answers one byte: `A`, or `Q` for the zero-line file";

pub fn status_bytes(evidence: &LineUploadEvidence<'_>) -> Outcome {
    let outcome = Outcome::new(CheckId::StatusBytes, STATUS_BYTES);
    let expected = expected_statuses(evidence);
    let expected_text = format!(
        "{:?}, each after its file",
        String::from_utf8_lossy(&expected)
    );
    let hint = evidence.segmentation_hint();
    let Some(connection) = evidence.connection() else {
        return outcome
            .status(Status::Fail)
            .expected(expected_text)
            .observed("the client never connected");
    };
    let answered = &connection.to_client.bytes;
    if *answered != expected {
        let observed = match answered.iter().zip(&expected).position(|(a, b)| a != b) {
            Some(index) => format!(
                "the answer to file {} is {:?}, not {:?} (all answers: {:?}){hint}",
                index + 1,
                char::from(answered[index]),
                char::from(expected[index]),
                String::from_utf8_lossy(answered)
            ),
            None if answered.len() < expected.len() => format!(
                "the server answered {:?} and then nothing: {} answer(s) missing{hint}{}",
                String::from_utf8_lossy(answered),
                expected.len() - answered.len(),
                evidence.server.last_error_note()
            ),
            None => format!(
                "the server sent {} byte(s) more than one per file: {:?}",
                answered.len() - expected.len(),
                String::from_utf8_lossy(answered)
            ),
        };
        return outcome
            .status(Status::Fail)
            .expected(expected_text)
            .observed(observed);
    }
    // Each answer must come after the relay delivered the last byte of its file: a
    // server that answers early has not read the file it accepts.
    let files = decode(&connection.to_server.bytes).files;
    for (index, file) in files.iter().enumerate().take(answered.len()) {
        let Some(answer) = connection.to_client.read_of(index as u64) else {
            continue;
        };
        let last_byte = file.end.saturating_sub(1);
        let delivered = connection.to_server.delivery_of(last_byte);
        let early = delivered.is_none_or(|delivered| answer.order < delivered.order);
        if early {
            let delivered_at = delivered.map_or_else(
                || "had not delivered it at all".to_owned(),
                |delivered| {
                    format!(
                        "delivered it only at {:.3} ms",
                        delivered.at.as_secs_f64() * 1e3
                    )
                },
            );
            return outcome
                .status(Status::Fail)
                .expected(expected_text)
                .observed(format!(
                    "the server answered {:?} to file {} at {:.3} ms, before it had the whole file: the file ends at byte {} of the stream and the relay {delivered_at}",
                    char::from(answered[index]),
                    index + 1,
                    answer.at.as_secs_f64() * 1e3,
                    last_byte
                ));
        }
    }
    outcome.observed(format!(
        "{:?}, each after the whole file",
        String::from_utf8_lossy(answered)
    ))
}

/// What `server-close` requires, in the words its outcome states.
pub const SERVER_CLOSE: &str = "after answering `Q` the server closes the connection";

pub fn server_close(evidence: &LineUploadEvidence<'_>) -> Outcome {
    let outcome =
        Outcome::new(CheckId::ServerClose, SERVER_CLOSE).expected("the server's FIN after its `Q`");
    let Some(connection) = evidence.connection() else {
        return outcome
            .status(Status::Fail)
            .observed("the client never connected");
    };
    let answered = &connection.to_client.bytes;
    let Some(quit_at) = answered.iter().position(|&byte| byte == b'Q') else {
        return outcome
            .status(Status::Fail)
            .observed("the server never answered `Q`, so it never closed after one");
    };
    let quit = connection.to_client.read_of(quit_at as u64);
    // A close the kernel made when the grader stopped the server is not the server's.
    let by_the_server = |at: std::time::Duration| {
        evidence
            .server
            .stopped_at
            .is_none_or(|stopped| at < stopped)
    };
    match (connection.to_client.ended, connection.reset) {
        (Some(fin), _) if quit.is_none_or(|quit| fin.order > quit.order) && by_the_server(fin.at) => {
            outcome.observed(format!("closed at {:.1} ms", fin.at.as_secs_f64() * 1e3))
        }
        (Some(_), _) => outcome.status(Status::Fail).observed(
            "the server kept the connection open after `Q`; it closed only when the grader stopped the server",
        ),
        (_, Some(ResetBy::Server)) => outcome.observed("closed (with a reset)"),
        _ => outcome
            .status(Status::Fail)
            .observed("the server kept the connection open after `Q` until the scenario ended"),
    }
}

/// What `completion` requires, in the words its outcome states.
pub const COMPLETION: &str = "both programs finish by themselves after the zero-line file";

/// The client's "Close sockets and exit." is said; the server's exit is implied by its
/// "Close the sockets" (the listening one too) at the end of its operation, while "Files
/// uploaded over previous socket connections are overwritten" allows a server that serves
/// further connections. So a server that closed the upload's connection after its `Q` by
/// itself and then kept running (listening for the next client) works, and deviates only
/// from that implied end: `non-strict`.
pub fn completion(evidence: &LineUploadEvidence<'_>) -> Outcome {
    let outcome = Outcome::new(CheckId::Completion, COMPLETION)
        .expected("the client and the server exit with status 0");
    for (transcript, role) in [
        (evidence.client, Role::Client),
        (evidence.server, Role::Server),
    ] {
        let Some((status, why)) = exit_problem(transcript, role) else {
            continue;
        };
        let kept_serving = role == Role::Server
            && transcript.exit == Some(ExitReason::StoppedByGrader)
            && server_close(evidence).status == Status::Pass;
        if kept_serving {
            return outcome.status(Status::NonStrict).observed(
                "the server closed the connection after its `Q` and was still running when the scenario ended (waiting for another client?), so the grader stopped it; the handout's receiver ends with \"Close the sockets\"",
            );
        }
        return outcome
            .status(status)
            .observed(format!("{why}{}", transcript.last_error_note()));
    }
    outcome.observed("both exited with status 0")
}
