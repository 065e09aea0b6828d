//! Everything a parsed case must satisfy that its types alone cannot say: layouts, patterns,
//! check lists, faults, inputs. Every problem is recorded, not only the first, so `grader
//! lint` can list them all; each carries the position to blame when there is one.

use super::load::{
    CaseError, CaseErrors, CompiledAnalyzer, LogMatchers, NameMatchers, TransferMatchers,
};
use super::model::{Analyzer, Case, CheckId, LogPattern, Scenario, TransferLines, Transport};
use super::yaml::{Position, Spanned};
use crate::case::line_matcher::LineMatcher;
use crate::wire::Layout;
use std::collections::BTreeSet;

/// One problem: where (when known), and what.
pub(super) type Problem = (Option<Position>, String);

/// The problems found in one case so far.
#[derive(Debug, Default)]
pub(super) struct Problems(Vec<Problem>);

impl Problems {
    pub fn report(&mut self, position: Option<Position>, message: impl Into<String>) {
        self.0.push((position, message.into()));
    }

    /// The value of `result`, or `None` with its problem recorded.
    pub fn keep<T>(&mut self, result: Result<T, Problem>) -> Option<T> {
        result
            .map_err(|(position, message)| self.report(position, message))
            .ok()
    }

    /// The problems as errors of the file `origin`, in the order of the file (those about
    /// the whole file first); `None` when there are none.
    pub fn into_errors(mut self, origin: &str) -> Option<CaseErrors> {
        self.0
            .sort_by_key(|(position, _)| position.map(|p| (p.line, p.column)));
        let errors = self
            .0
            .into_iter()
            .map(|(position, message)| CaseError::located(origin, position, message))
            .collect();
        CaseErrors::new(errors)
    }
}

/// Checks a parsed case, recording every problem; resolves fault fields to byte offsets.
/// The compiled analyzer is returned when its part of the case had no problem.
pub(super) fn validate(case: &mut Case, problems: &mut Problems) -> Option<CompiledAnalyzer> {
    // The layout first: the alternating-bit analyzer reads packets by it, and corrupt faults
    // name its fields.
    let layout = match &case.analyzer {
        Analyzer::AlternatingBit(_) => match compile_layout(case, problems) {
            Some(layout) => Fields::Layout(layout),
            None => Fields::Broken,
        },
        _ => Fields::NoLayout,
    };
    validate_transport(case, problems);
    if let Err(message) = check_list(&case.analyzer, &case.checks) {
        problems.report(None, format!("`checks`: {message}"));
    }
    validate_scenarios(&case.analyzer, &mut case.scenarios, &layout, problems);
    if case.scenarios.is_empty() {
        problems.report(None, "the case has no scenarios");
    }
    if let Some(roles) = &case.roles
        && roles.client.is_none()
        && roles.server.is_none()
        && roles.pair.is_none()
    {
        problems.report(
            None,
            "`roles` names no role: give points to at least one of client, server, pair",
        );
    }
    compile_analyzer(case, layout, problems)
}

/// What faults that name a packet field can be resolved against.
enum Fields {
    /// The analyzer reads no packet layout.
    NoLayout,
    /// The layout has problems of its own, already recorded.
    Broken,
    Layout(Layout),
}

/// The alternating-bit analyzer's layout, with its checksum and named fields checked.
fn compile_layout(case: &Case, problems: &mut Problems) -> Option<Layout> {
    let Analyzer::AlternatingBit(params) = &case.analyzer else {
        return None;
    };
    let Some(wire) = &case.wire else {
        problems.report(
            None,
            "the alternating-bit analyzer needs a `wire` section (layout and fields)",
        );
        return None;
    };
    let layout = Layout::parse(&wire.layout.value, &wire.fields).map_err(|error| {
        (
            Some(Position::of(&wire.layout)),
            format!("invalid layout: {error}"),
        )
    });
    let layout = problems.keep(layout)?;
    let mut fits = true;
    if let Some(checksum) = &wire.checksum
        && let Err(message) = checksum.value.validate(&layout)
    {
        problems.report(
            Some(Position::of(checksum)),
            format!("invalid checksum: {message}"),
        );
        fits = false;
    }
    for field in [&params.ack_field, &params.seq_field, &params.data_field] {
        if layout.field(field).is_none() {
            problems.report(
                Some(Position::of(&wire.layout)),
                format!(
                    "the analyzer names the field `{field}`, which the layout does not have (fields: {})",
                    wire.fields.join(", ")
                ),
            );
            fits = false;
        }
    }
    fits.then_some(layout)
}

/// Compiles the analyzer's patterns and checks its parameters.
fn compile_analyzer(
    case: &Case,
    layout: Fields,
    problems: &mut Problems,
) -> Option<CompiledAnalyzer> {
    match &case.analyzer {
        Analyzer::AlternatingBit(params) => {
            let logs = &params.logs;
            let [sent, received, timer, corrupt] =
                [&logs.sent, &logs.received, &logs.timer, &logs.corrupt]
                    .map(|pattern| compile_matcher(pattern, problems));
            let Fields::Layout(layout) = layout else {
                return None;
            };
            Some(CompiledAnalyzer::AlternatingBit {
                layout,
                logs: LogMatchers {
                    sent: sent?,
                    received: received?,
                    timer: timer?,
                    corrupt: corrupt?,
                },
            })
        }
        Analyzer::AddNumbers(params) => {
            let [low, high] = params.range;
            if low > high {
                problems.report(
                    None,
                    format!("`range` [{low}, {high}]: the first bound must not exceed the second"),
                );
            }
            let client = problems.keep(compile_pattern(&params.names.client, &[]));
            let server = problems.keep(compile_pattern(&params.names.server, &[]));
            (low <= high).then_some(())?;
            Some(CompiledAnalyzer::AddNumbers {
                names: NameMatchers {
                    client: client?,
                    server: server?,
                },
            })
        }
        Analyzer::FileTransfer(params) => {
            if params.block == 0 || params.block > 65_507 {
                problems.report(
                    None,
                    format!(
                        "`block` {}: a UDP datagram holds 1 to 65507 bytes",
                        params.block
                    ),
                );
                return None;
            }
            Some(CompiledAnalyzer::FileTransfer)
        }
        Analyzer::LineUpload(params) => {
            let accepted = problems.keep(compile_pattern(&params.client_shows.accepted, &[]));
            let quitting = problems.keep(compile_pattern(&params.client_shows.quitting, &[]));
            Some(CompiledAnalyzer::LineUpload {
                accepted: accepted?,
                quitting: quitting?,
            })
        }
        Analyzer::RepeatedTransfer(params) => {
            let mut fits = true;
            if params.transfers == 0 {
                problems.report(None, "`transfers` must be at least 1");
                fits = false;
            }
            if !(params.least_fraction > 0.0 && params.most_multiple >= 1.0) {
                problems.report(
                    None,
                    "`least-fraction` must be above 0 and `most-multiple` at least 1",
                );
                fits = false;
            }
            let server = transfer_matchers(&params.server, problems);
            let client = transfer_matchers(&params.client, problems);
            let error_count = problems.keep(compile_pattern(&params.error_count, &["count"]));
            fits.then_some(())?;
            Some(CompiledAnalyzer::RepeatedTransfer {
                server: server?,
                client: client?,
                error_count: error_count?,
            })
        }
        Analyzer::TcpLike(params) => {
            let mut fits = true;
            if params.seq_modulus < 2 || i32::try_from(params.seq_modulus).is_err() {
                problems.report(
                    None,
                    format!(
                        "`seq-modulus` {}: sequence numbers are an `i` (signed 32 bits), so it must be 2 to 2147483647",
                        params.seq_modulus
                    ),
                );
                fits = false;
            }
            for (role, stream, templates) in [
                ("client", params.logs.client, &case.programs.client),
                ("server", params.logs.server, &case.programs.server),
            ] {
                if stream == crate::case::OutputStream::Stdout
                    && templates.stdout == crate::case::ProgramOutput::ReceivedFile
                {
                    problems.report(
                        None,
                        format!(
                            "the {role} logs to stdout, but its stdout is the received file (`stdout: received-file`)"
                        ),
                    );
                    fits = false;
                }
            }
            fits.then_some(CompiledAnalyzer::TcpLike)
        }
    }
}

/// The required-line patterns of one program of a repeated transfer.
fn transfer_matchers(lines: &TransferLines, problems: &mut Problems) -> Option<TransferMatchers> {
    let mut compile = |spanned, groups| problems.keep(compile_pattern(spanned, groups));
    let opening = compile(&lines.opening, &[]);
    let each_start = compile(&lines.each_start, &["n"]);
    let each_end = compile(&lines.each_end, &["n"]);
    let each_time = compile(&lines.each_time, &["n", "ms"]);
    let average = compile(&lines.average, &["ms"]);
    let closing = compile(&lines.closing, &[]);
    Some(TransferMatchers {
        opening: opening?,
        each_start: each_start?,
        each_end: each_end?,
        each_time: each_time?,
        average: average?,
        closing: closing?,
    })
}

/// Compiles a pattern that must capture the named `groups`.
fn compile_pattern(spanned: &Spanned<String>, groups: &[&str]) -> Result<regex::Regex, Problem> {
    let position = Some(Position::of(spanned));
    let regex = regex::Regex::new(&spanned.value)
        .map_err(|error| (position, format!("invalid pattern: {error}")))?;
    for group in groups {
        if !regex.capture_names().flatten().any(|name| name == *group) {
            return Err((
                position,
                format!("the pattern must capture the group `{group}`, as `(?P<{group}>...)`"),
            ));
        }
    }
    Ok(regex)
}

/// A log-line pattern and its `unless`, each compiled; `None` with the problems recorded.
fn compile_matcher(pattern: &LogPattern, problems: &mut Problems) -> Option<LineMatcher> {
    let matches = problems.keep(compile_pattern(&pattern.matches, &[]));
    let unless = match &pattern.unless {
        Some(unless) => Some(problems.keep(compile_pattern(unless, &[]))?),
        None => None,
    };
    Some(LineMatcher::new(matches?, unless))
}

/// The transport, the analyzer, the address and the scenarios' faults must agree.
fn validate_transport(case: &Case, problems: &mut Problems) {
    let wants_tcp = matches!(
        case.analyzer,
        Analyzer::LineUpload(_) | Analyzer::RepeatedTransfer(_)
    );
    match (case.transport, wants_tcp) {
        (Transport::Udp, true) => problems.report(
            None,
            format!(
                "the {} analyzer needs `transport: tcp`",
                case.analyzer.name()
            ),
        ),
        (Transport::Tcp, false) => problems.report(
            None,
            format!(
                "the {} analyzer needs `transport: udp`",
                case.analyzer.name()
            ),
        ),
        _ => {}
    }
    if let Some(host) = &case.programs.host
        && !is_documentation_address(host.value)
    {
        problems.report(
            Some(Position::of(host)),
            format!(
                "`host` {} is not a documentation address: use one of 192.0.2.0/24, 198.51.100.0/24 or 203.0.113.0/24 (RFC 5737), which no real network uses",
                host.value
            ),
        );
    }
    for scenario in &case.scenarios {
        let position = Some(Position::of(&scenario.name));
        let datagram_faults = scenario.netem.is_some()
            || scenario.netem_to_server.is_some()
            || scenario.netem_to_client.is_some()
            || !scenario.faults.is_empty();
        match case.transport {
            Transport::Tcp if datagram_faults => problems.report(
                position,
                "`netem` and `faults` act on datagrams; a tcp case breaks its streams with `stream`",
            ),
            Transport::Udp if scenario.stream.is_some() => {
                problems.report(position, "`stream` faults need `transport: tcp`");
            }
            _ => {}
        }
        if let Some(stream) = &scenario.stream {
            for faults in [&stream.to_server, &stream.to_client] {
                if let Some(slice) = &faults.slice
                    && let Err(message) = slice.validate()
                {
                    problems.report(position, message);
                }
                if faults.slice.is_some() && faults.coalesce.is_some() {
                    problems.report(
                        position,
                        "a direction either slices or coalesces its stream, not both",
                    );
                }
            }
        }
    }
}

/// RFC 5737's TEST-NET-1, -2 and -3.
fn is_documentation_address(address: std::net::Ipv4Addr) -> bool {
    matches!(
        address.octets(),
        [192, 0, 2, _] | [198, 51, 100, _] | [203, 0, 113, _]
    )
}

/// Every listed check must be one the analyzer performs.
fn check_list(analyzer: &Analyzer, checks: &[CheckId]) -> Result<(), String> {
    let supported = analyzer.checks();
    for check in checks {
        if *check != CheckId::Startup && !supported.contains(check) {
            let names: Vec<&str> = supported.iter().map(|check| check.name()).collect();
            return Err(format!(
                "the {} analyzer does not perform the `{check}` check (it performs: {})",
                analyzer.name(),
                names.join(", ")
            ));
        }
    }
    Ok(())
}

/// Unique names, a repeat of 1 or more, inputs that fit the analyzer, faults that name one
/// datagram; corrupt faults' `field` is resolved to its byte offset.
fn validate_scenarios(
    analyzer: &Analyzer,
    scenarios: &mut [Scenario],
    layout: &Fields,
    problems: &mut Problems,
) {
    let mut names = BTreeSet::new();
    for scenario in scenarios {
        let position = Some(Position::of(&scenario.name));
        if !names.insert(scenario.name.value.clone()) {
            problems.report(
                position,
                format!("a scenario named `{}` already exists", scenario.name.value),
            );
        }
        if scenario.repeat == 0 {
            problems.report(position, "`repeat` must be at least 1");
        }
        if let Some(checks) = &scenario.checks
            && let Err(message) = check_list(analyzer, checks)
        {
            problems.report(position, message);
        }
        if let Err(message) = validate_scenario_inputs(analyzer, scenario) {
            problems.report(position, message);
        }
        for fault in &mut scenario.faults {
            let position = Some(Position::of(fault));
            if let Err(message) = fault.value.validate() {
                problems.report(position, message);
                continue;
            }
            let offset_of = |name: &str| match layout {
                Fields::Layout(layout) => layout.field(name).map(|field| field.offset),
                Fields::NoLayout | Fields::Broken => None,
            };
            // A broken layout was reported already; "no such field" would only repeat it.
            if let (Err(message), false) = (
                fault.value.resolve_field(offset_of),
                matches!(layout, Fields::Broken),
            ) {
                problems.report(position, message);
            }
        }
    }
}

/// A scenario's keyboard input and file must fit its analyzer.
fn validate_scenario_inputs(analyzer: &Analyzer, scenario: &Scenario) -> Result<(), String> {
    if let Some(file) = &scenario.file {
        let plain = !file.name.is_empty()
            && !file.name.contains('/')
            && file.name != "."
            && file.name != "..";
        if !plain {
            return Err(format!(
                "the file name `{}` must be a plain file name (no `/`)",
                file.name
            ));
        }
        if !file.missing && file.size.is_none() {
            return Err(format!(
                "the file `{}` needs a `size` (or `missing: true`)",
                file.name
            ));
        }
    }
    match analyzer {
        Analyzer::AddNumbers(_) if scenario.client_stdin.is_none() => Err(
            "the add-numbers analyzer needs `client-stdin`: the integer the grader types"
                .to_owned(),
        ),
        Analyzer::FileTransfer(_) if scenario.file.is_none() => {
            Err("the file-transfer analyzer needs a `file` for every scenario".to_owned())
        }
        Analyzer::RepeatedTransfer(_) if scenario.file.is_none() => {
            Err("the repeated-transfer analyzer needs a `file` for every scenario".to_owned())
        }
        Analyzer::TcpLike(_) if scenario.file.is_none() => Err(
            "the tcp-like analyzer needs a `file` for every scenario: what the client sends"
                .to_owned(),
        ),
        Analyzer::LineUpload(_) => match &scenario.upload {
            None => Err(
                "the line-upload analyzer needs `upload`: the files the grader types (`[]` quits at once)"
                    .to_owned(),
            ),
            Some(files) => {
                for (index, file) in files.iter().enumerate() {
                    match (&file.lines, &file.generate) {
                        (Some(lines), None) => {
                            if lines.is_empty() {
                                return Err(format!(
                                    "upload file {}: a file of zero lines ends the upload; leave it out (the client sends it after the last file)",
                                    index + 1
                                ));
                            }
                            if lines.iter().any(|line| line.contains('\n') || line.contains('\r')) {
                                return Err(format!(
                                    "upload file {}: a line cannot hold a line break",
                                    index + 1
                                ));
                            }
                        }
                        (None, Some(generated)) if generated.count > 0 && generated.length > 0 => {}
                        (None, Some(_)) => {
                            return Err(format!(
                                "upload file {}: `generate` needs a `count` and a `length` above 0",
                                index + 1
                            ));
                        }
                        _ => {
                            return Err(format!(
                                "upload file {}: give either `lines` or `generate`",
                                index + 1
                            ));
                        }
                    }
                }
                if scenario.client_stdin.is_some() {
                    return Err(
                        "`client-stdin` is made from `upload` in a line-upload case; give one or the other"
                            .to_owned(),
                    );
                }
                Ok(())
            }
        },
        _ if scenario.upload.is_some() => {
            Err("`upload` is for the line-upload analyzer".to_owned())
        }
        _ => Ok(()),
    }
}
