//! The server's side of the conversation: one status byte per file, sent only once the
//! whole file is in; the close after `Q`; the client showing each status; both programs
//! ending by themselves.

use super::LineUploadEvidence;
use super::stream::decode;
use crate::case::CheckId;
use crate::check::program_end::exit_problem;
use crate::check::{Outcome, Status};
use crate::evidence::{ResetBy, Role};

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

/// What `client-status` requires, in the words its outcome states.
pub const CLIENT_STATUS: &str =
    "the client shows the user each status it receives (e.g. \"File accepted\")";

pub fn client_status(evidence: &LineUploadEvidence<'_>) -> Outcome {
    let outcome = Outcome::new(CheckId::ClientStatus, CLIENT_STATUS);
    let answered = evidence
        .connection()
        .map(|connection| connection.to_client.bytes.clone())
        .unwrap_or_default();
    let accepted_sent = answered.iter().filter(|&&byte| byte == b'A').count();
    let quit_sent = answered.contains(&b'Q');
    let lines = &evidence.client.lines;
    let shown_accepted = lines
        .iter()
        .filter(|line| evidence.accepted.is_match(&line.text))
        .count();
    let shown_quit = lines
        .iter()
        .any(|line| evidence.quitting.is_match(&line.text));
    let expected = format!(
        "{accepted_sent} line(s) matching /{}/{}",
        evidence.accepted.as_str(),
        if quit_sent {
            format!(" and one matching /{}/", evidence.quitting.as_str())
        } else {
            String::new()
        }
    );
    if shown_accepted < accepted_sent || (quit_sent && !shown_quit) {
        return outcome
            .status(Status::Fail)
            .expected(expected)
            .observed(format!(
                "the server answered {:?}; the client showed {shown_accepted} acceptance line(s){}",
                String::from_utf8_lossy(&answered),
                if quit_sent && !shown_quit {
                    " and no quitting line"
                } else {
                    ""
                }
            ));
    }
    outcome.expected(expected).observed(format!(
        "{shown_accepted} acceptance line(s){}",
        if shown_quit {
            " and the quitting line"
        } else {
            ""
        }
    ))
}

/// What `completion` requires, in the words its outcome states.
pub const COMPLETION: &str = "both programs finish by themselves after the zero-line file";

pub fn completion(evidence: &LineUploadEvidence<'_>) -> Outcome {
    let outcome = Outcome::new(CheckId::Completion, COMPLETION)
        .expected("the client and the server exit with status 0");
    for (transcript, role) in [
        (evidence.client, Role::Client),
        (evidence.server, Role::Server),
    ] {
        if let Some((status, why)) = exit_problem(transcript, role) {
            return outcome
                .status(status)
                .observed(format!("{why}{}", transcript.last_error_note()));
        }
    }
    outcome.observed("both exited with status 0")
}
