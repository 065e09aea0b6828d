//! Every stored copy compared by the grader itself, and the server's own count of
//! incorrect transfers held against it.

use super::RepeatedTransferEvidence;
use crate::case::CheckId;
use crate::check::{Outcome, Status};

/// The grader's view of the stored copies.
struct Tally {
    stored: usize,
    identical: usize,
    /// A differing copy, by name, with where it differs.
    first_bad: Option<(String, u64, u64)>,
}

fn tally(evidence: &RepeatedTransferEvidence<'_>) -> Tally {
    let copies: Vec<_> = evidence
        .server_files
        .iter()
        .filter(|file| file.compared)
        .collect();
    Tally {
        stored: copies.len(),
        identical: copies.iter().filter(|file| file.is_copy()).count(),
        first_bad: copies.iter().find(|file| !file.is_copy()).map(|file| {
            (
                file.name.clone(),
                file.differs_from_original_at.unwrap_or(0),
                file.size,
            )
        }),
    }
}

/// What `stored-copies` requires, in the words its outcome states.
pub const STORED_COPIES: &str = "the server stores every received copy under a name of its own";

pub fn stored_copies(evidence: &RepeatedTransferEvidence<'_>) -> Outcome {
    let transfers = evidence.params.transfers as usize;
    let cut = evidence.cut_connections();
    let outcome = Outcome::new(CheckId::StoredCopies, STORED_COPIES);
    let expected = if cut == 0 {
        format!("{transfers} stored copies, each equal to the file")
    } else {
        format!(
            "{transfers} stored copies: {} equal to the file, {cut} cut short by the scenario",
            transfers - cut.min(transfers)
        )
    };
    let outcome = outcome.expected(expected);
    if let Some(tampered) = evidence.file.and_then(|file| file.input_tampered.as_ref()) {
        return outcome
            .status(Status::Fail)
            .observed(format!("{tampered}; no copy can be trusted against it"));
    }
    let tally = tally(evidence);
    let bad = tally
        .first_bad
        .as_ref()
        .map_or_else(String::new, |(name, at, size)| {
            format!("; e.g. {name} ({size} bytes) differs from byte {at} on")
        });
    if tally.stored < transfers || tally.identical != transfers.saturating_sub(cut) {
        return outcome.status(Status::Fail).observed(format!(
            "{} file(s) stored, {} equal to the file{bad}{}",
            tally.stored,
            tally.identical,
            evidence.server.last_error_note()
        ));
    }
    outcome.observed(format!(
        "{} file(s) stored, {} equal to the file{bad}",
        tally.stored, tally.identical
    ))
}

/// What `error-count` requires, in the words its outcome states.
pub const ERROR_COUNT: &str = "the server counts the transfers whose copy differs from the standard file, and reports that count";

pub fn error_count(evidence: &RepeatedTransferEvidence<'_>) -> Outcome {
    let transfers = evidence.params.transfers as usize;
    let outcome = Outcome::new(CheckId::ErrorCount, ERROR_COUNT);
    let tally = tally(evidence);
    let truth = transfers.saturating_sub(tally.identical);
    let outcome = outcome.expected(format!(
        "a reported count of {truth} (the grader compared every copy: {} of {transfers} equal the file)",
        tally.identical
    ));
    let reported = evidence.server.lines.iter().find_map(|line| {
        evidence
            .error_count
            .captures(&line.text)
            .and_then(|captures| captures.name("count"))
            .map(|count| (line.text.clone(), count.as_str().parse::<u64>().ok()))
    });
    match reported {
        None => outcome.status(Status::Fail).observed(format!(
            "the server reported no count of incorrect transfers (no line matching /{}/)",
            evidence.error_count.as_str()
        )),
        Some((line, Some(count))) if count == truth as u64 => {
            outcome.observed(format!("the server reported {count}: {line:?}"))
        }
        Some((line, count)) => outcome.status(Status::Fail).observed(format!(
            "the server reported {}: {line:?}{}",
            count.map_or_else(|| "no number".to_owned(), |count| count.to_string()),
            tally
                .first_bad
                .as_ref()
                .map_or_else(String::new, |(name, at, _)| format!(
                    "; but {name} differs from the standard file from byte {at} on"
                ))
        )),
    }
}
