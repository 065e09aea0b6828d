//! The HTML report (`report.html` in the evidence bundle): one page a student can open
//! offline and see their protocol run at a glance — the session's header, a table of the
//! runs, and per run the reasons for each failed check, a ladder diagram of the wire and
//! the programs' output.
//!
//! The page is self-contained: inline CSS, inline SVG, no script and nothing fetched; its
//! Content-Security-Policy forbids both, so a mistake in escaping could not run anything
//! either. Everything that came from a submission or the trace passes through
//! [`markup`] (the terminal report's sanitiser, then HTML escaping).

use crate::case::Grading;
use crate::check::{Outcome, Status};
use crate::evidence::{ExitReason, Stream, Transcript};
use crate::grading::{GradeReport, ScenarioResult};
use crate::report::ladder;
use crate::report::sanitize::markup;
use crate::wording;
use std::fmt::Write;

/// The page's Content-Security-Policy: nothing may be fetched or run, only the inline
/// style applies. The class page (`grader batch`'s `class.html`) has the same.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'";

/// Output lines shown per program and run; the rest stay in the bundle's transcripts.
const SHOWN_OUTPUT_LINES: usize = 1000;

const PAGE_STYLE: &str = "\
body { font: 14px/1.45 system-ui, sans-serif; color: #1a1a1a; margin: 1.5em auto; max-width: 1060px; padding: 0 1em; }
h1 { font-size: 1.5em; margin-bottom: 0.2em; }
h2 { font-size: 1.2em; margin: 0 0 0.4em; }
header dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.1em 1em; margin: 0.5em 0; }
dt { color: #555; }
dd { margin: 0; overflow-wrap: anywhere; }
code, pre { font: 12px/1.4 ui-monospace, monospace; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { text-align: left; padding: 0.25em 0.9em; border-bottom: 1px solid #ddd; }
td.number { text-align: right; font-variant-numeric: tabular-nums; }
.status { font-weight: bold; text-transform: uppercase; font-size: 0.85em; padding: 0.05em 0.45em; border-radius: 3px; color: #fff; background: #777; }
.status-pass { background: #1e8449; }
.status-fail, .status-timeout { background: #c0392b; }
.status-error, .status-non-strict { background: #b9770e; }
section.run { border-top: 2px solid #ccc; padding-top: 1em; margin-top: 1.5em; }
.meta { color: #555; font-weight: normal; font-size: 0.85em; }
.outcome { border-left: 4px solid #c0392b; background: #fdf2f1; padding: 0.4em 0.8em; margin: 0.6em 0; }
.outcome.status-error, .outcome.status-non-strict { border-color: #b9770e; background: #fdf6e9; color: inherit; }
.outcome dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.1em 1em; margin: 0.3em 0 0; }
.outcome p { margin: 0; }
.passed { color: #555; }
.notes { color: #7e5109; }
figure { margin: 1em 0; overflow-x: auto; }
p.legend { color: #444; font-size: 0.9em; max-width: 62em; }
details { margin: 0.4em 0; }
summary { cursor: pointer; }
pre { background: #f6f6f6; padding: 0.5em; overflow-x: auto; white-space: pre-wrap; overflow-wrap: anywhere; }
pre .at { color: #888; }
pre .stderr { color: #a93226; }
";

/// The whole page.
pub fn render(report: &GradeReport) -> String {
    let mut page = String::new();
    let title = format!("{} · {}", report.case_name, report.case_title);
    let _ = write!(
        page,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{CONTENT_SECURITY_POLICY}\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{} — Socklab report</title>\n<style>\n{PAGE_STYLE}{}</style>\n</head>\n<body>\n",
        markup(&title),
        ladder::STYLE
    );
    write_header(&mut page, report, &title);
    write_summary(&mut page, report);
    // One case is one transport, so one legend serves every ladder on the page.
    if let Some(first) = report.scenarios.first() {
        let _ = writeln!(
            page,
            "<p class=\"legend\"><strong>Reading the ladders.</strong> {}</p>",
            markup(&ladder::legend(&first.evidence.trace))
        );
    }
    for (index, scenario) in report.scenarios.iter().enumerate() {
        write_run(&mut page, index, scenario);
    }
    page.push_str("</body>\n</html>\n");
    page
}

/// The case, the seed, the mode, the programs, the score, and how to replay a failure.
fn write_header(page: &mut String, report: &GradeReport, title: &str) {
    let (awarded, possible) = report.points();
    let graded = report
        .scenarios
        .iter()
        .filter(|scenario| scenario.grading == Grading::Graded);
    let failed: Vec<&ScenarioResult> = report.scenarios.iter().filter(|s| s.failed()).collect();
    let verdict = if failed.is_empty() {
        "all graded scenarios pass".to_owned()
    } else {
        format!("{} of {} graded runs failed", failed.len(), graded.count())
    };
    let _ = writeln!(page, "<header>\n<h1>{}</h1>\n<dl>", markup(title));
    let rows = [
        (
            "score",
            format!(
                "{}/{} · {verdict}",
                wording::points(awarded),
                wording::points(possible)
            ),
        ),
        ("seed", report.seed.to_string()),
        ("mode", report.mode.clone()),
        ("client", report.client.clone()),
        ("server", report.server.clone()),
        ("time", wording::seconds(report.wall_time)),
    ];
    for (name, value) in rows {
        let _ = writeln!(page, "<dt>{name}</dt><dd>{}</dd>", markup(&value));
    }
    if let Some(first) = failed.first() {
        let replay = report.replay.command_for(&first.key);
        let _ = writeln!(
            page,
            "<dt>replay</dt><dd><code>{}</code></dd>",
            markup(&replay)
        );
    }
    page.push_str("</dl>\n</header>\n");
}

/// One row per run: name (a link to its section), status, points, time.
fn write_summary(page: &mut String, report: &GradeReport) {
    page.push_str(
        "<table class=\"summary\">\n<thead><tr><th>scenario</th><th>status</th><th>points</th><th>time</th></tr></thead>\n<tbody>\n",
    );
    for (index, scenario) in report.scenarios.iter().enumerate() {
        let _ = writeln!(
            page,
            "<tr><td><a href=\"#{}\">{}</a></td><td>{}</td><td class=\"number\">{}</td><td class=\"number\">{}</td></tr>",
            anchor(index),
            markup(&scenario.key),
            status_badge(scenario.status()),
            score(scenario),
            wording::seconds(scenario.evidence.wall_time)
        );
    }
    page.push_str("</tbody>\n</table>\n");
}

/// One run: what it is about, the grader's notes, each failed check with its reason, the
/// checks that passed, the ladder, and the programs' output.
fn write_run(page: &mut String, index: usize, scenario: &ScenarioResult) {
    let _ = writeln!(
        page,
        "<section class=\"run\" id=\"{}\">\n<h2>{} {} <span class=\"meta\">{} · {}</span></h2>",
        anchor(index),
        status_badge(scenario.status()),
        markup(&scenario.key),
        score(scenario),
        wording::seconds(scenario.evidence.wall_time)
    );
    if let Some(about) = &scenario.about {
        let _ = writeln!(page, "<p class=\"about\">{}</p>", markup(about));
    }
    if !scenario.evidence.notes.is_empty() {
        page.push_str("<ul class=\"notes\">\n");
        for note in &scenario.evidence.notes {
            let _ = writeln!(page, "<li>{}</li>", markup(note));
        }
        page.push_str("</ul>\n");
    }
    for outcome in scenario.outcomes.iter().filter(|o| worth_a_reason(o)) {
        write_reason(page, outcome);
    }
    let passed: Vec<&str> = scenario
        .outcomes
        .iter()
        .filter(|outcome| outcome.status == Status::Pass)
        .map(|outcome| outcome.check.name())
        .collect();
    if !passed.is_empty() {
        let _ = writeln!(
            page,
            "<p class=\"passed\">passed: {}</p>",
            passed.join(", ")
        );
    }
    let _ = writeln!(
        page,
        "<figure>\n{}\n</figure>",
        ladder::render(&scenario.evidence.trace)
    );
    write_output(page, "client", &scenario.evidence.client);
    write_output(page, "server", &scenario.evidence.server);
    page.push_str("</section>\n");
}

/// The outcomes the terminal report explains: failures, the grader's errors, and
/// deviations from a SHOULD.
fn worth_a_reason(outcome: &Outcome) -> bool {
    matches!(
        outcome.status,
        Status::Fail | Status::Timeout | Status::Error | Status::NonStrict
    )
}

/// A check's reason: its id, status and requirement, what was expected and observed, and
/// where the evidence is.
fn write_reason(page: &mut String, outcome: &Outcome) {
    let _ = writeln!(
        page,
        "<div class=\"outcome status-{label}\">\n<p><strong>{check}</strong> ({label}): {}</p>\n<dl>",
        markup(&outcome.requirement),
        check = outcome.check,
        label = outcome.status.label(),
    );
    let evidence = outcome.evidence.join("; ");
    for (name, value) in [
        ("expected", &outcome.expected),
        ("observed", &outcome.observed),
        ("evidence", &evidence),
    ] {
        if !value.is_empty() {
            let _ = writeln!(page, "<dt>{name}</dt><dd>{}</dd>", markup(value));
        }
    }
    page.push_str("</dl>\n</div>\n");
}

/// A program's output, folded away: its command line, how it ended, and each line with the
/// time it arrived.
fn write_output(page: &mut String, role: &str, transcript: &Transcript) {
    let errors = transcript.stream(Stream::Stderr).count();
    let count = transcript.lines.len();
    let mut summary = format!(
        "{role} output: {count} line{} ({errors} on stderr), {}",
        if count == 1 { "" } else { "s" },
        ending(transcript.exit.as_ref())
    );
    let dropped = transcript.dropped_stdout_bytes + transcript.dropped_stderr_bytes;
    if dropped > 0 {
        summary.push_str(&format!(
            "; {dropped} bytes past the output cap were counted, not kept"
        ));
    }
    let _ = writeln!(
        page,
        "<details class=\"output\">\n<summary>{}</summary>",
        markup(&summary)
    );
    if !transcript.command.is_empty() {
        let _ = writeln!(
            page,
            "<p>command: <code>{}</code></p>",
            markup(&transcript.command.join(" "))
        );
    }
    page.push_str("<pre>");
    for line in transcript.lines.iter().take(SHOWN_OUTPUT_LINES) {
        let class = match line.stream {
            Stream::Stdout => "stdout",
            Stream::Stderr => "stderr",
        };
        let _ = writeln!(
            page,
            "<span class=\"at\">{:>10}</span> <span class=\"{class}\">{}</span>",
            wording::seconds(line.at),
            markup(&line.text)
        );
    }
    if transcript.lines.len() > SHOWN_OUTPUT_LINES {
        let _ = writeln!(
            page,
            "… {} more lines in {role}.json",
            transcript.lines.len() - SHOWN_OUTPUT_LINES
        );
    }
    page.push_str("</pre>\n</details>\n");
}

/// How a program's run ended, in words.
fn ending(exit: Option<&ExitReason>) -> String {
    match exit {
        Some(ExitReason::Exited { code }) => format!("exited with status {code}"),
        Some(ExitReason::Signalled { signal }) => format!("killed by signal {signal}"),
        Some(ExitReason::StoppedByGrader) => {
            "stopped by the grader when the run was complete".to_owned()
        }
        Some(ExitReason::DeadlineExceeded) => "still running at its deadline".to_owned(),
        None => "did not end".to_owned(),
    }
}

fn status_badge(status: Status) -> String {
    format!(
        "<span class=\"status status-{label}\">{label}</span>",
        label = status.label()
    )
}

/// A run's points, or that it is not graded.
fn score(scenario: &ScenarioResult) -> String {
    match scenario.grading {
        Grading::Graded => format!(
            "{}/{}",
            wording::points(scenario.points_awarded),
            wording::points(scenario.points_possible)
        ),
        Grading::Informational => "not graded".to_owned(),
    }
}

/// The id of a run's section: by position, since run keys hold characters (`#`) an id
/// should not.
fn anchor(index: usize) -> String {
    format!("run-{}", index + 1)
}

#[cfg(test)]
mod tests;
