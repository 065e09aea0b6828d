//! `--format autolab`: what Autolab's autograder contract reads from a job's output — the
//! feedback for people first (the terminal report, unstyled), then one semantic feedback
//! line (`{"_presentation":"semantic",...}`, which Autolab's formatted feedback shows as a
//! table of scenario runs), and last the autoresult: one compact JSON line
//! `{"scores":{PROBLEM:points},"scoreboard":[points]}`.
//!
//! Autolab takes the last line of the output (`feedback.rstrip.lines.last`) as the
//! autoresult, so nothing may follow it, on stdout or on stderr (Tango's autodriver writes
//! both to one file). It quotes bare keys with `gsub(/([a-zA-Z0-9]+):/, '"\1":')` before
//! parsing, so a `:` inside a string would be mangled: every string here writes its colons
//! as `\u003a`, which JSON reads back as `:`. Problem names must equal the assessment's
//! exactly (unknown names are dropped), hence `--autolab-problem`.
//!
//! A grader error is never a score: [`no_score`] is a plain line saying why, which Autolab
//! records as an autograder failure (score 0 flagged as the autograder's, feedback kept).

use crate::case::Grading;
use crate::grading::{GradeReport, ScenarioResult};
use crate::report::sanitize::printable;
use serde::Serialize;
use serde::ser::SerializeMap;
use std::collections::BTreeMap;

/// The whole output: the terminal report, the semantic feedback line, the autoresult.
pub fn render(report: &GradeReport, problem: &str) -> std::io::Result<String> {
    let mut feedback = anstream::StripStream::new(Vec::new());
    super::terminal::write_report(&mut feedback, report)?;
    let feedback = String::from_utf8_lossy(&feedback.into_inner()).into_owned();
    let semantic = autolab_json(&Semantic { report })?;
    let autoresult = autolab_json(&autoresult(report, problem))?;
    Ok(format!("{}\n{semantic}\n{autoresult}", feedback.trim_end()))
}

/// The autoresult: the awarded points under `problem`, and the scoreboard's one column.
pub fn autoresult(report: &GradeReport, problem: &str) -> AutoResult {
    let (awarded, _) = report.points();
    AutoResult {
        scores: BTreeMap::from([(problem.to_owned(), awarded)]),
        scoreboard: vec![awarded],
    }
}

/// The line written instead of an autoresult when nothing could be graded (`reason` says
/// whose fault it was): not JSON, so Autolab records no score of the grader's making and
/// shows this line in the feedback.
pub fn no_score(reason: &str) -> String {
    format!(
        "This submission was not graded: {}. No score was written.",
        printable(reason)
    )
}

#[derive(Debug, Serialize)]
pub struct AutoResult {
    pub scores: BTreeMap<String, f64>,
    /// The assessment's scoreboard columns: the total points.
    pub scoreboard: Vec<f64>,
}

/// Autolab's formatted feedback: one stage, a row per graded scenario run, with the failed
/// checks' reasons as its hint.
struct Semantic<'a> {
    report: &'a GradeReport,
}

const STAGE: &str = "Scenarios";

impl Serialize for Semantic<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(3))?;
        map.serialize_entry("_presentation", "semantic")?;
        map.serialize_entry("stages", &[STAGE])?;
        map.serialize_entry(STAGE, &Runs(&self.report.scenarios))?;
        map.end()
    }
}

/// The graded runs in plan order (a `BTreeMap` would sort them by name).
struct Runs<'a>(&'a [ScenarioResult]);

impl Serialize for Runs<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let graded = self
            .0
            .iter()
            .filter(|scenario| scenario.grading == Grading::Graded);
        let mut map = serializer.serialize_map(None)?;
        for scenario in graded {
            map.serialize_entry(&scenario.key, &Row::of(scenario))?;
        }
        map.end()
    }
}

#[derive(Serialize)]
struct Row {
    passed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    hint: Option<String>,
}

impl Row {
    fn of(scenario: &ScenarioResult) -> Row {
        let reasons: Vec<String> = scenario
            .outcomes
            .iter()
            .filter(|outcome| outcome.status.is_failure())
            .map(|outcome| format!("{}: {}", outcome.check, printable(&outcome.observed)))
            .collect();
        Row {
            passed: !scenario.failed(),
            hint: (!reasons.is_empty()).then(|| reasons.join("; ")),
        }
    }
}

/// `value` as one compact JSON line whose strings hold no raw `:` (see the module's doc).
fn autolab_json(value: &impl Serialize) -> std::io::Result<String> {
    let text = serde_json::to_string(value).map_err(std::io::Error::other)?;
    Ok(escape_colons_in_strings(&text))
}

/// Rewrites each `:` inside a JSON string of `json` as `\u003a`; the structure's own colons
/// (after a key's closing quote) stay.
fn escape_colons_in_strings(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    let mut in_string = false;
    let mut escaped = false;
    for character in json.chars() {
        match (in_string, escaped, character) {
            (true, true, _) => escaped = false,
            (true, false, '\\') => escaped = true,
            (true, false, '"') | (false, _, '"') => in_string = !in_string,
            (true, false, ':') => {
                out.push_str("\\u003a");
                continue;
            }
            _ => {}
        }
        out.push(character);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Autolab's own key quoting (`parseAutoresult`), as a pattern: a run of letters and
    /// digits followed by a colon.
    fn autolab_would_rewrite(line: &str) -> bool {
        line.as_bytes()
            .windows(2)
            .any(|pair| pair[0].is_ascii_alphanumeric() && pair[1] == b':')
    }

    #[test]
    fn colons_inside_strings_are_escaped_and_read_back() {
        let result = AutoResult {
            scores: BTreeMap::from([("part:1 \"a\\\":b".to_owned(), 7.5)]),
            scoreboard: vec![7.5],
        };
        let line = autolab_json(&result).unwrap();
        assert!(!autolab_would_rewrite(&line), "{line}");
        assert!(!line.contains('\n'));
        let parsed: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(parsed["scores"]["part:1 \"a\\\":b"].as_f64(), Some(7.5));
    }

    #[test]
    fn the_structure_keeps_its_colons() {
        assert_eq!(
            escape_colons_in_strings(r#"{"a":"b:c","d":[1]}"#),
            r#"{"a":"b\u003ac","d":[1]}"#
        );
    }

    #[test]
    fn no_score_is_no_json() {
        let line = no_score("cannot write\nthe report");
        assert!(serde_json::from_str::<serde_json::Value>(&line).is_err());
        assert!(!line.contains('\n'), "{line}");
    }
}
