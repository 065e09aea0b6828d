//! The terminal report: the seed, one line per scenario run with its points, the reason
//! under each failure, a total, and how to replay what failed.
//!
//! Styles are written unconditionally; the caller's `anstream` stream strips them when the
//! output is not a terminal or `NO_COLOR` is set.

use crate::case::Grading;
use crate::check::Status;
use crate::evidence::trace::Unrecorded;
use crate::evidence::{Stream, Transcript, WireTrace};
use crate::grading::{GradeReport, ScenarioResult};
use crate::report::sanitize::printable;
use crate::wording;
use anstyle::{AnsiColor, Style};
use std::io::{self, Write};

const PASS: Style = AnsiColor::Green.on_default().bold();
const FAIL: Style = AnsiColor::Red.on_default().bold();
const WARN: Style = AnsiColor::Yellow.on_default().bold();
const DIM: Style = Style::new().dimmed();
const BOLD: Style = Style::new().bold();

/// Writes the whole report.
pub fn write_report(out: &mut dyn Write, report: &GradeReport) -> io::Result<()> {
    writeln!(
        out,
        "{BOLD}{}{BOLD:#} · {}",
        report.case_name, report.case_title
    )?;
    writeln!(
        out,
        "{DIM}seed {} · mode {} · client: {} · server: {}{DIM:#}",
        report.seed,
        printable(&report.mode),
        printable(&report.client),
        printable(&report.server)
    )?;
    writeln!(out)?;
    let width = report
        .scenarios
        .iter()
        .map(|s| s.key.len())
        .max()
        .unwrap_or(0);
    // An informational soak repeats one story twenty times: its first failing run tells
    // it, the summary after its last run counts it.
    let mut told = std::collections::BTreeSet::new();
    for (index, scenario) in report.scenarios.iter().enumerate() {
        let repeated_soak =
            scenario.grading == Grading::Informational && scenario.key.contains('#');
        let details = !repeated_soak || !told.contains(base_name(&scenario.key));
        if repeated_soak && scenario.outcomes.iter().any(|o| o.status.is_failure()) {
            told.insert(base_name(&scenario.key));
        }
        write_scenario(out, scenario, width, details)?;
        let next = report.scenarios.get(index + 1);
        if next.is_none_or(|next| base_name(&next.key) != base_name(&scenario.key)) {
            write_repeat_summary(out, &report.scenarios[..=index])?;
        }
    }
    writeln!(out)?;
    let (awarded, possible) = report.points();
    let failed: Vec<&ScenarioResult> = report.scenarios.iter().filter(|s| s.failed()).collect();
    let verdict = if failed.is_empty() {
        format!("{PASS}all graded scenarios pass{PASS:#}")
    } else {
        format!(
            "{FAIL}{} of {} graded runs failed{FAIL:#}",
            failed.len(),
            report
                .scenarios
                .iter()
                .filter(|s| s.grading == Grading::Graded)
                .count()
        )
    };
    writeln!(
        out,
        "{BOLD}total {}/{}{BOLD:#} · {verdict} · {}",
        wording::points(awarded),
        wording::points(possible),
        wording::seconds(report.wall_time)
    )?;
    if let Some(first) = failed.first() {
        writeln!(
            out,
            "{DIM}replay: {}{DIM:#}",
            printable(&report.replay.command_for(&first.key))
        )?;
    }
    Ok(())
}

/// One run's line, its notes, and (with `details`) the reason under each failed check.
fn write_scenario(
    out: &mut dyn Write,
    scenario: &ScenarioResult,
    width: usize,
    details: bool,
) -> io::Result<()> {
    let status = scenario.status();
    let (label, style) = match status {
        Status::Pass => ("PASS", PASS),
        Status::NonStrict => ("PASS*", WARN),
        Status::Informational => ("INFO", DIM),
        Status::Timeout => ("TIME", FAIL),
        Status::Error => ("ERROR", WARN),
        Status::Fail | Status::Unsupported => ("FAIL", FAIL),
    };
    let score = match scenario.grading {
        Grading::Graded => format!(
            "{}/{}",
            wording::points(scenario.points_awarded),
            wording::points(scenario.points_possible)
        ),
        Grading::Informational => "–".to_owned(),
    };
    let note = match scenario.grading {
        Grading::Informational => " (informational, not graded)",
        Grading::Graded => "",
    };
    writeln!(
        out,
        "  {style}{label:<5}{style:#}  {:<width$}  {score:>7}  {DIM}{}{note}{DIM:#}",
        printable(&scenario.key),
        wording::seconds(scenario.evidence.wall_time),
    )?;
    for (role, transcript) in [
        ("client", &scenario.evidence.client),
        ("server", &scenario.evidence.server),
    ] {
        let dropped = transcript.dropped_stdout_bytes + transcript.dropped_stderr_bytes;
        if dropped > 0 {
            writeln!(
                out,
                "         {WARN}note{WARN:#}: the {role} printed {dropped} bytes past the output cap; they were counted, not kept"
            )?;
        }
        if transcript.output_incomplete {
            writeln!(
                out,
                "         {WARN}note{WARN:#}: a process the {role} left behind kept its output open; later output is missing"
            )?;
        }
    }
    for note in &scenario.evidence.notes {
        writeln!(out, "         {WARN}note{WARN:#}: {}", printable(note))?;
    }
    for note in flood_notes(&scenario.evidence.trace.unrecorded) {
        writeln!(out, "         {WARN}note{WARN:#}: {note}")?;
    }
    for outcome in scenario.outcomes.iter().filter(|_| details) {
        let (mark, style) = match outcome.status {
            Status::Fail | Status::Timeout => ("✗", FAIL),
            Status::Error => ("!", WARN),
            Status::NonStrict => ("~", WARN),
            _ => continue,
        };
        let mark_style = if scenario.grading == Grading::Informational {
            DIM
        } else {
            style
        };
        writeln!(
            out,
            "         {mark_style}{mark} {}{mark_style:#} {DIM}({}){DIM:#}: {}",
            outcome.check,
            outcome.status.label(),
            printable(&outcome.requirement)
        )?;
        if !outcome.expected.is_empty() {
            writeln!(
                out,
                "             expected: {}",
                printable(&outcome.expected)
            )?;
        }
        if !outcome.observed.is_empty() {
            writeln!(
                out,
                "             observed: {}",
                printable(&outcome.observed)
            )?;
        }
    }
    if details && scenario.failed() {
        write_last_lines(out, "client", &scenario.evidence.client)?;
        write_last_lines(out, "server", &scenario.evidence.server)?;
    }
    Ok(())
}

/// Lines of each program's output shown under a failed run.
const LAST_LINES: usize = 4;
/// The most of one line shown there.
const LAST_LINE_CHARS: usize = 160;

/// The end of a program's output under a failed run: what it said last is often why
/// (a traceback, "Address already in use", "Read-only file system"), and a student should
/// not need `--out` to see it.
fn write_last_lines(out: &mut dyn Write, role: &str, transcript: &Transcript) -> io::Result<()> {
    let lines = &transcript.lines;
    if lines.is_empty() {
        return Ok(());
    }
    let shown = &lines[lines.len().saturating_sub(LAST_LINES)..];
    let heading = if shown.len() == lines.len() {
        format!("the {role}'s output")
    } else {
        format!("the {role}'s last {} of {} lines", shown.len(), lines.len())
    };
    writeln!(out, "         {DIM}{heading}:{DIM:#}")?;
    for line in shown {
        let stream = match line.stream {
            Stream::Stdout => "",
            Stream::Stderr => " (stderr)",
        };
        let text: String = line.text.chars().take(LAST_LINE_CHARS).collect();
        let cut = if text.len() < line.text.len() {
            " …"
        } else {
            ""
        };
        writeln!(
            out,
            "           {DIM}{}{stream}{DIM:#} {}{cut}",
            wording::seconds(line.at),
            printable(&text)
        )?;
    }
    Ok(())
}

/// `lossy` for the run `lossy#3`.
fn base_name(key: &str) -> &str {
    key.split('#').next().unwrap_or(key)
}

/// After the last run of a repeated scenario, how often each check failed over its runs:
/// the error rate an informational soak exists to show.
fn write_repeat_summary(out: &mut dyn Write, so_far: &[ScenarioResult]) -> io::Result<()> {
    let Some(last) = so_far.last() else {
        return Ok(());
    };
    let name = base_name(&last.key);
    let runs: Vec<&ScenarioResult> = so_far
        .iter()
        .rev()
        .take_while(|result| base_name(&result.key) == name)
        .collect();
    if runs.len() < 2 || !last.key.contains('#') {
        return Ok(());
    }
    let mut failures: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for run in &runs {
        for outcome in &run.outcomes {
            if outcome.status.is_failure() {
                *failures.entry(outcome.check.name()).or_default() += 1;
            }
        }
    }
    let total = runs.len();
    let clean = runs
        .iter()
        .filter(|run| {
            !run.outcomes
                .iter()
                .any(|outcome| outcome.status.is_failure())
        })
        .count();
    let detail: Vec<String> = failures
        .iter()
        .map(|(check, count)| {
            format!(
                "{check} failed in {count} ({:.0}%)",
                *count as f64 * 100.0 / total as f64
            )
        })
        .collect();
    let detail = if detail.is_empty() {
        String::new()
    } else {
        format!("; {}", detail.join(", "))
    };
    writeln!(
        out,
        "  {BOLD}{:<5}{BOLD:#}  {}: {clean} of {total} runs passed every check{detail}",
        "Σ",
        printable(name)
    )
}

/// What a flood made the relay count rather than keep, one sentence per kind.
fn flood_notes(flood: &Unrecorded) -> Vec<String> {
    let mut notes = Vec::new();
    if flood.to_server + flood.to_client > 0 {
        notes.push(format!(
            "a flood: {} datagrams to the server and {} to the client ({} bytes) were relayed after the trace was full ({} datagrams or {} MiB held) and only counted",
            flood.to_server,
            flood.to_client,
            flood.bytes,
            WireTrace::RECORD_LIMIT,
            WireTrace::RECORD_BYTES >> 20,
        ));
    }
    if flood.overflowed > 0 {
        notes.push(format!(
            "a flood: the relay dropped {} copies of datagrams because its queue of delayed ones was full",
            flood.overflowed
        ));
    }
    if flood.connections > 0 {
        notes.push(format!(
            "a flood: {} connections were relayed after the record of connections was full and only counted",
            flood.connections
        ));
    }
    notes
}
