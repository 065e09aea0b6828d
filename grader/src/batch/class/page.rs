//! The class page (`OUT/class.html`): one page an instructor opens offline to see the
//! class — the score distribution as a chart, the checks by how many submissions failed
//! them, the failures grouped by cause with their students, every submission with links
//! to its reports, and apart, the submissions the grader could not judge.
//!
//! Self-contained like `report.html`, with the same Content-Security-Policy: inline CSS,
//! inline SVG, no script, nothing fetched. Every string that came from a submission (ids,
//! observations, reasons) passes through [`markup`]; links are relative and
//! percent-encoded, so an id such as `a#b` still leads to its own folder.

use super::chart;
use super::summary::{ClassSummary, FailureGroup, StudentRole, StudentRow};
use crate::batch::result::RoleStatus;
use crate::report::html::CONTENT_SECURITY_POLICY;
use crate::report::sanitize::markup;
use crate::wording;
use std::fmt::Write;

/// The rules of the checks table; nothing else on the page has this colour (the class
/// page's browser test counts its lines).
pub const CHECKS_RULE_COLOUR: &str = "#8da2bf";

const PAGE_STYLE: &str = "\
body { font: 14px/1.45 system-ui, sans-serif; color: #1a1a1a; margin: 1.5em auto; max-width: 1060px; padding: 0 1em; }
h1 { font-size: 1.5em; margin-bottom: 0.2em; }
h2 { font-size: 1.2em; margin: 1.6em 0 0.4em; border-top: 2px solid #ccc; padding-top: 0.8em; }
h3 { font-size: 1em; margin: 1em 0 0.2em; }
header dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.1em 1em; margin: 0.5em 0; }
dt { color: #555; }
dd { margin: 0; overflow-wrap: anywhere; }
code { font: 12px/1.4 ui-monospace, monospace; }
table { border-collapse: collapse; margin: 0.6em 0; }
th, td { text-align: left; padding: 0.25em 0.9em; border-bottom: 1px solid #ddd; vertical-align: top; }
table.checks th, table.checks td { border-bottom: 1px solid #8da2bf; }
td.number { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
svg text { font: 12px system-ui, sans-serif; fill: #333; }
svg text.count { font-weight: bold; }
svg text.axis { fill: #555; }
p.note { color: #444; font-size: 0.9em; max-width: 62em; }
p.kind { margin: 0.1em 0; }
p.example { margin: 0.1em 0; color: #555; font-size: 0.9em; overflow-wrap: anywhere; }
ul.members { margin: 0.3em 0 0.8em; }
.status { font-weight: bold; text-transform: uppercase; font-size: 0.8em; padding: 0.05em 0.4em; border-radius: 3px; color: #fff; background: #777; }
.status-graded { background: #1e8449; }
.status-not-found, .status-ambiguous { background: #7f8c8d; }
.status-error { background: #b9770e; }
.failed { color: #a93226; }
";

/// The whole page.
pub fn render_page(summary: &ClassSummary) -> String {
    let mut page = String::new();
    let _ = write!(
        page,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{CONTENT_SECURITY_POLICY}\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{} — Socklab class</title>\n<style>\n{PAGE_STYLE}</style>\n</head>\n<body>\n",
        markup(&summary.case)
    );
    write_header(&mut page, summary);
    write_distribution(&mut page, summary);
    write_checks(&mut page, summary);
    write_groups(&mut page, summary);
    write_students(&mut page, summary);
    write_not_graded(&mut page, summary);
    page.push_str("</body>\n</html>\n");
    page
}

fn write_header(page: &mut String, summary: &ClassSummary) {
    let counted = summary.students.len();
    let full = summary.distribution.last().map_or(0, |bucket| bucket.count);
    let _ = writeln!(
        page,
        "<header>\n<h1>Class · {}</h1>\n<dl>",
        markup(&summary.case)
    );
    let rows = [
        ("case", summary.case.clone()),
        ("seed", summary.seed.to_string()),
        (
            "submissions",
            format!(
                "{} · {counted} graded, {full} with full marks · {} not graded",
                counted + summary.not_graded.len(),
                summary.not_graded.len()
            ),
        ),
    ];
    for (name, value) in rows {
        let _ = writeln!(page, "<dt>{name}</dt><dd>{}</dd>", markup(&value));
    }
    page.push_str("</dl>\n</header>\n");
}

fn write_distribution(page: &mut String, summary: &ClassSummary) {
    page.push_str("<section id=\"distribution\">\n<h2>Score distribution</h2>\n");
    let _ = writeln!(
        page,
        "<figure>\n{}\n</figure>\n<p class=\"note\">Each bar counts the graded submissions \
         whose score, as a percentage of the maximum and rounded down, is in its range; full \
         marks have a bar of their own. Submissions the grader could not judge are not in \
         it.</p>\n</section>",
        chart::render(&summary.distribution)
    );
}

fn write_checks(page: &mut String, summary: &ClassSummary) {
    page.push_str("<section id=\"checks\">\n<h2>Checks by failures</h2>\n");
    if summary.checks.is_empty() {
        page.push_str("<p class=\"note\">No check was judged.</p>\n</section>\n");
        return;
    }
    page.push_str(
        "<table class=\"checks\">\n<thead><tr><th>check</th><th>failed / graded</th>\
         <th>failed in</th></tr></thead>\n<tbody>\n",
    );
    for check in &summary.checks {
        let scenarios: Vec<String> = check
            .scenarios
            .iter()
            .map(|s| format!("{} ({})", markup(&s.scenario), s.failed))
            .collect();
        let _ = writeln!(
            page,
            "<tr><td><code>{}</code></td><td class=\"number{}\">{} / {}</td><td>{}</td></tr>",
            markup(&check.check),
            if check.failed > 0 { " failed" } else { "" },
            check.failed,
            check.graded,
            scenarios.join(", ")
        );
    }
    page.push_str(
        "</tbody>\n</table>\n<p class=\"note\">A submission counts once per check: failed when \
         the check failed in at least one graded run of any role, graded when it was judged in \
         one. After each scenario, how many submissions failed the check there.</p>\n</section>\n",
    );
}

fn write_groups(page: &mut String, summary: &ClassSummary) {
    page.push_str("<section id=\"groups\">\n<h2>Failures by cause</h2>\n");
    if summary.groups.is_empty() {
        page.push_str("<p class=\"note\">No graded check failed.</p>\n</section>\n");
        return;
    }
    page.push_str(
        "<p class=\"note\">The same check failing with the same kind of observation: numbers, \
         ports, addresses, file names, times and quoted text replaced (<code>N</code>, \
         <code>TIME</code>, <code>FILE</code>, <code>\"…\"</code>).</p>\n",
    );
    for group in &summary.groups {
        write_group(page, summary, group);
    }
    page.push_str("</section>\n");
}

fn write_group(page: &mut String, summary: &ClassSummary, group: &FailureGroup) {
    let count = group.members.len();
    let _ = writeln!(
        page,
        "<h3><code>{}</code> · {count} submission{}</h3>\n<p class=\"kind\">{}</p>\n\
         <p class=\"example\">e.g. {}</p>\n<ul class=\"members\">",
        markup(&group.check),
        if count == 1 { "" } else { "s" },
        markup(&group.kind),
        markup(&group.example)
    );
    for member in &group.members {
        let runs: Vec<String> = member
            .runs
            .iter()
            .map(|run| format!("{} {}", run.role.name(), markup(&run.scenario)))
            .collect();
        let name = match student_index(summary, &member.id) {
            Some(index) => format!(
                "<a href=\"#{}\">{}</a>",
                student_anchor(index),
                markup(&member.id)
            ),
            None => markup(&member.id),
        };
        let _ = writeln!(page, "<li>{name}: {}</li>", runs.join(", "));
    }
    page.push_str("</ul>\n");
}

fn write_students(page: &mut String, summary: &ClassSummary) {
    page.push_str(
        "<section id=\"students\">\n<h2>Submissions</h2>\n<table class=\"students\">\n\
         <thead><tr><th>id</th><th>score</th><th>failed checks</th><th>reports</th></tr></thead>\n<tbody>\n",
    );
    for (index, student) in summary.students.iter().enumerate() {
        write_student(page, index, student);
    }
    page.push_str("</tbody>\n</table>\n</section>\n");
}

fn write_student(page: &mut String, index: usize, student: &StudentRow) {
    let failed: Vec<String> = student
        .failed_checks
        .iter()
        .map(|check| format!("<code>{}</code>", markup(check)))
        .collect();
    let _ = writeln!(
        page,
        "<tr id=\"{}\"><td>{}</td><td class=\"number\">{}/{}</td><td>{}</td><td>{}</td></tr>",
        student_anchor(index),
        markup(&student.id),
        wording::points(student.score),
        wording::points(student.max),
        failed.join(", "),
        roles(&student.roles)
    );
}

/// Each role: a link to its report when there is one, its status when it was not judged.
fn roles(roles: &[StudentRole]) -> String {
    let parts: Vec<String> = roles
        .iter()
        .map(|role| {
            if role.status == RoleStatus::Graded {
                role_name(role)
            } else {
                format!("{} {}", role_name(role), status_badge(role.status))
            }
        })
        .collect();
    parts.join(" · ")
}

/// The role's name, a link to its report when there is one.
fn role_name(role: &StudentRole) -> String {
    match &role.report {
        Some(report) => format!("<a href=\"{}\">{}</a>", href(report), role.role.name()),
        None => role.role.name().to_owned(),
    }
}

fn status_badge(status: RoleStatus) -> String {
    format!(
        "<span class=\"status status-{status}\">{status}</span>",
        status = status.name()
    )
}

fn write_not_graded(page: &mut String, summary: &ClassSummary) {
    page.push_str("<section id=\"not-graded\">\n<h2>Not graded</h2>\n");
    if summary.not_graded.is_empty() {
        page.push_str("<p class=\"note\">The grader judged every submission.</p>\n</section>\n");
        return;
    }
    page.push_str(
        "<p class=\"note\">The grader could not judge these (its own error, or a program it \
         could not start): an instructor's to look at. They are in no count above and in no \
         group.</p>\n<ul class=\"not-graded\">\n",
    );
    for student in &summary.not_graded {
        let reasons: Vec<String> = student
            .roles
            .iter()
            .map(|role| match role.status {
                RoleStatus::Graded => format!("{} judged", role_name(role)),
                status => format!(
                    "{} {}: {}",
                    role_name(role),
                    status_badge(status),
                    markup(role.why.as_deref().unwrap_or("no reason recorded"))
                ),
            })
            .collect();
        let _ = writeln!(
            page,
            "<li><strong>{}</strong>: {}</li>",
            markup(&student.id),
            reasons.join("; ")
        );
    }
    page.push_str("</ul>\n</section>\n");
}

fn student_index(summary: &ClassSummary, id: &str) -> Option<usize> {
    summary.students.iter().position(|student| student.id == id)
}

/// A row's id: by position, since a submission's id may hold any character.
fn student_anchor(index: usize) -> String {
    format!("student-{}", index + 1)
}

/// A relative link to `path` (`/`-separated, each part a folder or file name): every byte
/// of a part but letters, digits and `-._~` percent-encoded, so a name with `#`, `?`, `%`,
/// spaces or quotes leads to its own file and cannot end the attribute.
fn href(path: &str) -> String {
    let parts: Vec<String> = path
        .split('/')
        .map(|part| {
            let mut encoded = String::new();
            for byte in part.bytes() {
                if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
                    encoded.push(char::from(byte));
                } else {
                    let _ = write!(encoded, "%{byte:02X}");
                }
            }
            encoded
        })
        .collect();
    parts.join("/")
}

#[cfg(test)]
mod tests;
