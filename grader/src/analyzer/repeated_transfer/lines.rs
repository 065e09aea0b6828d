//! The handout's required lines: what each program printed for each transfer, read with
//! the case's patterns, and the check that they all appear in order.

use super::{RepeatedTransferEvidence, ordinal};
use crate::analyzer::repeated_transfer::TransferMatchers;
use crate::case::CheckId;
use crate::check::{Outcome, Status};
use crate::evidence::{Role, Transcript};

/// A reported time or average, as printed and as a number.
#[derive(Clone, Debug, PartialEq)]
pub struct Reported {
    /// Index of the output line.
    pub line: usize,
    pub text: String,
    pub value: Option<f64>,
}

/// One program's required lines, found in its output.
#[derive(Debug, Default)]
pub struct TransferReport {
    pub opening: Option<usize>,
    /// (output line, transfer number) of each line of each kind, in output order.
    pub starts: Vec<(usize, u64)>,
    pub ends: Vec<(usize, u64)>,
    pub times: Vec<(u64, Reported)>,
    pub average: Option<Reported>,
    pub closing: Option<usize>,
}

impl TransferReport {
    /// Reads `transcript` with `matchers`.
    pub fn read(transcript: &Transcript, matchers: &TransferMatchers) -> TransferReport {
        let mut report = TransferReport::default();
        for (index, line) in transcript.lines.iter().enumerate() {
            let text = line.text.as_str();
            let number = |regex: &regex::Regex, group: &str| {
                regex
                    .captures(text)
                    .and_then(|captures| captures.name(group).map(|m| m.as_str().to_owned()))
            };
            if let Some(captures) = matchers.each_time.captures(text) {
                let n = captures.name("n").and_then(|m| m.as_str().parse().ok());
                let ms = captures.name("ms").map(|m| m.as_str().to_owned());
                if let (Some(n), Some(ms)) = (n, ms) {
                    report.times.push((n, reported(index, ms)));
                    continue;
                }
            }
            if let Some(ms) = number(&matchers.average, "ms") {
                report.average.get_or_insert(reported(index, ms));
                continue;
            }
            if let Some(n) = number(&matchers.each_start, "n").and_then(|n| n.parse().ok()) {
                report.starts.push((index, n));
                continue;
            }
            if let Some(n) = number(&matchers.each_end, "n").and_then(|n| n.parse().ok()) {
                report.ends.push((index, n));
                continue;
            }
            if report.opening.is_none() && matchers.opening.is_match(text) {
                report.opening = Some(index);
            } else if matchers.closing.is_match(text) {
                report.closing = Some(index);
            }
        }
        report
    }
}

fn reported(line: usize, text: String) -> Reported {
    let value = text.parse::<f64>().ok().filter(|value| value.is_finite());
    Reported { line, text, value }
}

/// What `required-lines` requires, in the words its outcome states.
pub const REQUIRED_LINES: &str = "each program prints the handout's lines: the opening line, then for n = 1…N its start, end and time lines, then the average and \"I am done\"";

pub fn required_lines(evidence: &RepeatedTransferEvidence<'_>) -> Outcome {
    let outcome = Outcome::new(CheckId::RequiredLines, REQUIRED_LINES);
    let transfers = u64::from(evidence.params.transfers);
    for role in [Role::Server, Role::Client] {
        let report = TransferReport::read(evidence.transcript(role), evidence.matchers(role));
        if let Some(problem) = first_problem(&report, transfers, evidence.matchers(role)) {
            return outcome
                .status(Status::Fail)
                .expected(format!(
                    "the required lines of both programs for {transfers} transfers, in order"
                ))
                .observed(format!("the {role}: {problem}"));
        }
    }
    outcome.observed(format!(
        "both programs printed every required line for {transfers} transfers, in order"
    ))
}

/// One kind of per-transfer line: its name, its pattern, and (output line, transfer
/// number) of each found.
type PerTransferLines<'a> = (&'static str, &'a regex::Regex, Vec<(usize, u64)>);

/// The first way `report` falls short of the required lines, in words.
fn first_problem(
    report: &TransferReport,
    transfers: u64,
    matchers: &TransferMatchers,
) -> Option<String> {
    let Some(opening) = report.opening else {
        return Some(format!(
            "no opening line (matching /{}/)",
            matchers.opening.as_str()
        ));
    };
    let kinds: [PerTransferLines<'_>; 3] = [
        ("start", &matchers.each_start, report.starts.clone()),
        ("end", &matchers.each_end, report.ends.clone()),
        (
            "time",
            &matchers.each_time,
            report
                .times
                .iter()
                .map(|(n, time)| (time.line, *n))
                .collect(),
        ),
    ];
    for (kind, regex, found) in &kinds {
        for n in 1..=transfers {
            match found.get(n as usize - 1) {
                None => {
                    return Some(format!(
                        "no {kind} line for the {} transfer (one matching /{}/); it printed {} {kind} line(s)",
                        ordinal(n),
                        regex.as_str(),
                        found.len()
                    ));
                }
                Some((_, said)) if *said != n => {
                    return Some(format!(
                        "its {} {kind} line names transfer {said}, not {n}",
                        ordinal(n)
                    ));
                }
                Some(_) => {}
            }
        }
        if found.len() as u64 > transfers {
            return Some(format!(
                "it printed {} {kind} lines for {transfers} transfers",
                found.len()
            ));
        }
    }
    // Each transfer's lines come between its start and the next transfer's start.
    let starts = &report.starts;
    if starts.first().is_some_and(|(line, _)| *line < opening) {
        return Some("the opening line comes after the first transfer has started".to_owned());
    }
    for (kind, _, found) in &kinds[1..] {
        for (index, (line, n)) in found.iter().enumerate() {
            let start = starts[index].0;
            let next = starts.get(index + 1).map_or(usize::MAX, |(line, _)| *line);
            if *line < start || *line > next {
                return Some(format!(
                    "the {kind} line of the {} transfer is not between its start line and the next transfer's",
                    ordinal(*n)
                ));
            }
        }
    }
    let last = [report.starts.last(), report.ends.last()]
        .into_iter()
        .flatten()
        .map(|(line, _)| *line)
        .chain(report.times.last().map(|(_, time)| time.line))
        .max()
        .unwrap_or(opening);
    match &report.average {
        None => {
            return Some(format!(
                "no average line (matching /{}/)",
                matchers.average.as_str()
            ));
        }
        Some(average) if average.line < last => {
            return Some("the average line comes before the last transfer's lines".to_owned());
        }
        Some(_) => {}
    }
    match report.closing {
        None => Some(format!(
            "no closing line (matching /{}/)",
            matchers.closing.as_str()
        )),
        Some(closing)
            if report
                .average
                .as_ref()
                .is_some_and(|average| closing < average.line) =>
        {
            Some("the closing line comes before the average".to_owned())
        }
        Some(_) => None,
    }
}
