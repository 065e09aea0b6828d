//! Everything a parsed case must satisfy that its types alone cannot say: layouts, patterns,
//! check lists, faults, inputs. Every problem is recorded, not only the first, so `grader
//! lint` can list them all; each carries the position to blame when there is one.

use super::analyzer_choice::{AnalyzerChoice, PacketFields};
use super::load::{CaseError, CaseErrors};
use super::model::{Case, CheckId, LeaderboardValue, Scenario, Transport};
use super::yaml::{Position, Spanned};
use std::collections::BTreeSet;

/// One problem: where (when known), and what.
pub type Problem = (Option<Position>, String);

/// The problems found in one case so far.
#[derive(Debug, Default)]
pub struct Problems(Vec<Problem>);

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
pub(super) fn validate<A: AnalyzerChoice>(
    case: &mut Case<A>,
    problems: &mut Problems,
) -> Option<A::Compiled> {
    // The layout first: an analyzer that reads packets does so by it, and corrupt faults
    // name its fields.
    let fields = case.analyzer.packet_fields(case.wire.as_ref(), problems);
    validate_transport(case, problems);
    if let Err(message) = check_list(&case.analyzer, &case.checks) {
        problems.report(None, format!("`checks`: {message}"));
    }
    validate_scenarios(&case.analyzer, &mut case.scenarios, &fields, problems);
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
    validate_leaderboard(case, problems);
    case.analyzer.compile(case, fields, problems)
}

/// Each leaderboard column names a scenario of the case, and `seconds` names one.
fn validate_leaderboard<A>(case: &Case<A>, problems: &mut Problems) {
    for column in &case.leaderboard {
        let names_a_scenario = |name: &Spanned<String>| {
            case.scenarios
                .iter()
                .any(|scenario| scenario.name.value == name.value)
        };
        match &column.scenario {
            None if column.value == LeaderboardValue::Seconds => problems.report(
                Some(Position::of(&column.name)),
                "a `seconds` leaderboard column needs the `scenario` whose time it shows",
            ),
            Some(name) if !names_a_scenario(name) => problems.report(
                Some(Position::of(name)),
                format!(
                    "the leaderboard names no scenario of the case: `{}`",
                    name.value
                ),
            ),
            None | Some(_) => {}
        }
    }
}

/// Compiles a pattern that must capture the named `groups`.
pub fn compile_pattern(
    spanned: &Spanned<String>,
    groups: &[&str],
) -> Result<regex::Regex, Problem> {
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

/// The transport, the analyzer, the address and the scenarios' faults must agree.
fn validate_transport<A: AnalyzerChoice>(case: &Case<A>, problems: &mut Problems) {
    match (case.transport, case.analyzer.transport()) {
        (Transport::Udp, Transport::Tcp) => problems.report(
            None,
            format!(
                "the {} analyzer needs `transport: tcp`",
                case.analyzer.name()
            ),
        ),
        (Transport::Tcp, Transport::Udp) => problems.report(
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
fn check_list<A: AnalyzerChoice>(analyzer: &A, checks: &[CheckId]) -> Result<(), String> {
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
fn validate_scenarios<A: AnalyzerChoice>(
    analyzer: &A,
    scenarios: &mut [Scenario],
    layout: &PacketFields,
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
                PacketFields::Layout(layout) => layout.field(name).map(|field| field.offset),
                PacketFields::NoLayout | PacketFields::Broken => None,
            };
            // A broken layout was reported already; "no such field" would only repeat it.
            if let (Err(message), false) = (
                fault.value.resolve_field(offset_of),
                matches!(layout, PacketFields::Broken),
            ) {
                problems.report(position, message);
            }
        }
    }
}

/// A scenario's keyboard input and file must fit its analyzer.
fn validate_scenario_inputs<A: AnalyzerChoice>(
    analyzer: &A,
    scenario: &Scenario,
) -> Result<(), String> {
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
    analyzer.validate_scenario(scenario)
}
