//! Reading a case file and checking everything its types alone cannot.

use super::builtin::{builtin_case, builtin_names};
use super::model::{Analyzer, Case, CheckId, LogPattern, Scenario, TransferLines, Transport};
use super::yaml::{self, Position, Spanned};
use crate::check::line_matcher::LineMatcher;
use crate::wire::Layout;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Where a case comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CaseSource {
    /// Shipped in the binary, by name.
    Builtin(String),
    /// A YAML file on disk.
    File(PathBuf),
}

impl CaseSource {
    /// `rdt3` names a built-in case; anything that looks like a path is a file.
    pub fn from_argument(argument: &str) -> CaseSource {
        let looks_like_path = argument.contains('/')
            || argument.ends_with(".yaml")
            || argument.ends_with(".yml")
            || Path::new(argument).is_file();
        if looks_like_path {
            CaseSource::File(PathBuf::from(argument))
        } else {
            CaseSource::Builtin(argument.to_owned())
        }
    }

    /// How errors and reports name the case's origin.
    pub fn display_name(&self) -> String {
        match self {
            CaseSource::Builtin(name) => format!("<built-in>/{name}.yaml"),
            CaseSource::File(path) => path.display().to_string(),
        }
    }
}

/// A case that parsed and passed every check, with what the checks compiled.
#[derive(Debug)]
pub struct LoadedCase {
    pub source: CaseSource,
    pub case: Case,
    pub compiled: CompiledAnalyzer,
}

/// What loading compiled for the case's analyzer.
#[derive(Debug)]
pub enum CompiledAnalyzer {
    AlternatingBit {
        layout: Layout,
        logs: LogMatchers,
    },
    AddNumbers {
        names: NameMatchers,
    },
    FileTransfer,
    LineUpload {
        accepted: regex::Regex,
        quitting: regex::Regex,
    },
    RepeatedTransfer {
        server: TransferMatchers,
        client: TransferMatchers,
        error_count: regex::Regex,
    },
    TcpLike,
}

/// The compiled required-line patterns of one program of a repeated transfer.
#[derive(Debug)]
pub struct TransferMatchers {
    pub opening: regex::Regex,
    pub each_start: regex::Regex,
    pub each_end: regex::Regex,
    pub each_time: regex::Regex,
    pub average: regex::Regex,
    pub closing: regex::Regex,
}

/// The compiled name patterns of the add-numbers analyzer.
#[derive(Debug)]
pub struct NameMatchers {
    pub client: regex::Regex,
    pub server: regex::Regex,
}

/// The compiled log-line patterns of the alternating-bit analyzer.
#[derive(Debug)]
pub struct LogMatchers {
    pub sent: LineMatcher,
    pub received: LineMatcher,
    pub timer: LineMatcher,
    pub corrupt: LineMatcher,
}

#[derive(Debug, thiserror::Error)]
pub enum CaseError {
    #[error("{origin}: cannot read the case file: {source}")]
    Read {
        origin: String,
        source: std::io::Error,
    },
    #[error(
        "no built-in case named `{name}` (built-in cases: {available}); to use a file, give its path"
    )]
    UnknownBuiltin { name: String, available: String },
    #[error("{origin}:{position}: {message}")]
    Invalid {
        origin: String,
        position: Position,
        message: String,
    },
    #[error("{origin}: {message}")]
    InvalidWithoutPosition { origin: String, message: String },
}

/// Reads, parses and validates a case.
pub fn load_case(source: &CaseSource) -> Result<LoadedCase, CaseError> {
    let origin = source.display_name();
    let text = match source {
        CaseSource::Builtin(name) => builtin_case(name)
            .ok_or_else(|| CaseError::UnknownBuiltin {
                name: name.clone(),
                available: builtin_names().join(", "),
            })?
            .to_owned(),
        CaseSource::File(path) => {
            std::fs::read_to_string(path).map_err(|source| CaseError::Read {
                origin: origin.clone(),
                source,
            })?
        }
    };
    parse_case(source.clone(), &text)
}

/// Parses and validates case text; `source` only names it in errors and reports.
pub fn parse_case(source: CaseSource, text: &str) -> Result<LoadedCase, CaseError> {
    let origin = source.display_name();
    let mut case: Case = yaml::from_str(text).map_err(|error| match error.position {
        Some(position) => CaseError::Invalid {
            origin: origin.clone(),
            position,
            message: error.message,
        },
        None => CaseError::InvalidWithoutPosition {
            origin: origin.clone(),
            message: error.message,
        },
    })?;
    let invalid = |position: Position, message: String| CaseError::Invalid {
        origin: origin.clone(),
        position,
        message,
    };

    let compiled = compile_analyzer(&case).map_err(|(position, message)| match position {
        Some(position) => invalid(position, message),
        None => CaseError::InvalidWithoutPosition {
            origin: origin.clone(),
            message,
        },
    })?;
    validate_transport(&case).map_err(|(position, message)| match position {
        Some(position) => invalid(position, message),
        None => CaseError::InvalidWithoutPosition {
            origin: origin.clone(),
            message,
        },
    })?;
    let layout = match &compiled {
        CompiledAnalyzer::AlternatingBit { layout, .. } => Some(layout),
        _ => None,
    };
    check_list(&case.analyzer, &case.checks).map_err(|message| {
        CaseError::InvalidWithoutPosition {
            origin: origin.clone(),
            message: format!("`checks`: {message}"),
        }
    })?;

    let mut names = BTreeSet::new();
    for scenario in &mut case.scenarios {
        if !names.insert(scenario.name.value.clone()) {
            return Err(invalid(
                Position::of(&scenario.name),
                format!("a scenario named `{}` already exists", scenario.name.value),
            ));
        }
        if scenario.repeat == 0 {
            return Err(invalid(
                Position::of(&scenario.name),
                "`repeat` must be at least 1".to_owned(),
            ));
        }
        validate_scenario_inputs(&case.analyzer, scenario)
            .map_err(|message| invalid(Position::of(&scenario.name), message))?;
        for fault in &mut scenario.faults {
            let position = Position::of(fault);
            fault
                .value
                .validate()
                .map_err(|message| invalid(position, message))?;
            fault
                .value
                .resolve_field(|name| {
                    layout.and_then(|layout| layout.field(name).map(|field| field.offset))
                })
                .map_err(|message| invalid(position, message))?;
        }
    }
    if case.scenarios.is_empty() {
        return Err(CaseError::InvalidWithoutPosition {
            origin,
            message: "the case has no scenarios".to_owned(),
        });
    }
    Ok(LoadedCase {
        source,
        case,
        compiled,
    })
}

/// Compiles the analyzer's layout and patterns; an error carries the position to blame
/// when there is one.
fn compile_analyzer(case: &Case) -> Result<CompiledAnalyzer, (Option<Position>, String)> {
    match &case.analyzer {
        Analyzer::AlternatingBit(params) => {
            let Some(wire) = &case.wire else {
                return Err((
                    None,
                    "the alternating-bit analyzer needs a `wire` section (layout and fields)"
                        .to_owned(),
                ));
            };
            let layout = Layout::parse(&wire.layout.value, &wire.fields).map_err(|error| {
                (
                    Some(Position::of(&wire.layout)),
                    format!("invalid layout: {error}"),
                )
            })?;
            if let Some(checksum) = &wire.checksum {
                checksum.value.validate(&layout).map_err(|message| {
                    (
                        Some(Position::of(checksum)),
                        format!("invalid checksum: {message}"),
                    )
                })?;
            }
            for field in [&params.ack_field, &params.seq_field, &params.data_field] {
                if layout.field(field).is_none() {
                    return Err((
                        Some(Position::of(&wire.layout)),
                        format!(
                            "the analyzer names the field `{field}`, which the layout does not have (fields: {})",
                            wire.fields.join(", ")
                        ),
                    ));
                }
            }
            let compile = |pattern: &LogPattern| {
                compile_matcher(pattern).map_err(|(position, message)| (Some(position), message))
            };
            let logs = LogMatchers {
                sent: compile(&params.logs.sent)?,
                received: compile(&params.logs.received)?,
                timer: compile(&params.logs.timer)?,
                corrupt: compile(&params.logs.corrupt)?,
            };
            Ok(CompiledAnalyzer::AlternatingBit { layout, logs })
        }
        Analyzer::AddNumbers(params) => {
            let [low, high] = params.range;
            if low > high {
                return Err((
                    None,
                    format!("`range` [{low}, {high}]: the first bound must not exceed the second"),
                ));
            }
            let compile = |spanned: &Spanned<String>| {
                regex::Regex::new(&spanned.value).map_err(|error| {
                    (
                        Some(Position::of(spanned)),
                        format!("invalid pattern: {error}"),
                    )
                })
            };
            Ok(CompiledAnalyzer::AddNumbers {
                names: NameMatchers {
                    client: compile(&params.names.client)?,
                    server: compile(&params.names.server)?,
                },
            })
        }
        Analyzer::FileTransfer(params) => {
            if params.block == 0 || params.block > 65_507 {
                return Err((
                    None,
                    format!(
                        "`block` {}: a UDP datagram holds 1 to 65507 bytes",
                        params.block
                    ),
                ));
            }
            Ok(CompiledAnalyzer::FileTransfer)
        }
        Analyzer::LineUpload(params) => Ok(CompiledAnalyzer::LineUpload {
            accepted: compile_pattern(&params.client_shows.accepted, &[])?,
            quitting: compile_pattern(&params.client_shows.quitting, &[])?,
        }),
        Analyzer::RepeatedTransfer(params) => {
            if params.transfers == 0 {
                return Err((None, "`transfers` must be at least 1".to_owned()));
            }
            if !(params.least_fraction > 0.0 && params.most_multiple >= 1.0) {
                return Err((
                    None,
                    "`least-fraction` must be above 0 and `most-multiple` at least 1".to_owned(),
                ));
            }
            let lines =
                |lines: &TransferLines| -> Result<TransferMatchers, (Option<Position>, String)> {
                    Ok(TransferMatchers {
                        opening: compile_pattern(&lines.opening, &[])?,
                        each_start: compile_pattern(&lines.each_start, &["n"])?,
                        each_end: compile_pattern(&lines.each_end, &["n"])?,
                        each_time: compile_pattern(&lines.each_time, &["n", "ms"])?,
                        average: compile_pattern(&lines.average, &["ms"])?,
                        closing: compile_pattern(&lines.closing, &[])?,
                    })
                };
            Ok(CompiledAnalyzer::RepeatedTransfer {
                server: lines(&params.server)?,
                client: lines(&params.client)?,
                error_count: compile_pattern(&params.error_count, &["count"])?,
            })
        }
        Analyzer::TcpLike(params) => {
            if params.seq_modulus < 2 || i32::try_from(params.seq_modulus).is_err() {
                return Err((
                    None,
                    format!(
                        "`seq-modulus` {}: sequence numbers are an `i` (signed 32 bits), so it must be 2 to 2147483647",
                        params.seq_modulus
                    ),
                ));
            }
            let keeps_stdout = |templates: &crate::case::ProgramTemplates| {
                templates.stdout == crate::case::ProgramOutput::ReceivedFile
            };
            for (role, stream, templates) in [
                ("client", params.logs.client, &case.programs.client),
                ("server", params.logs.server, &case.programs.server),
            ] {
                if stream == crate::case::OutputStream::Stdout && keeps_stdout(templates) {
                    return Err((
                        None,
                        format!(
                            "the {role} logs to stdout, but its stdout is the received file (`stdout: received-file`)"
                        ),
                    ));
                }
            }
            Ok(CompiledAnalyzer::TcpLike)
        }
    }
}

/// Compiles a pattern that must capture the named `groups`.
fn compile_pattern(
    spanned: &Spanned<String>,
    groups: &[&str],
) -> Result<regex::Regex, (Option<Position>, String)> {
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
fn validate_transport(case: &Case) -> Result<(), (Option<Position>, String)> {
    let wants_tcp = matches!(
        case.analyzer,
        Analyzer::LineUpload(_) | Analyzer::RepeatedTransfer(_)
    );
    match (case.transport, wants_tcp) {
        (Transport::Udp, true) => {
            return Err((
                None,
                format!(
                    "the {} analyzer needs `transport: tcp`",
                    case.analyzer.name()
                ),
            ));
        }
        (Transport::Tcp, false) => {
            return Err((
                None,
                format!(
                    "the {} analyzer needs `transport: udp`",
                    case.analyzer.name()
                ),
            ));
        }
        _ => {}
    }
    if let Some(host) = &case.programs.host
        && !is_documentation_address(host.value)
    {
        return Err((
            Some(Position::of(host)),
            format!(
                "`host` {} is not a documentation address: use one of 192.0.2.0/24, 198.51.100.0/24 or 203.0.113.0/24 (RFC 5737), which no real network uses",
                host.value
            ),
        ));
    }
    for scenario in &case.scenarios {
        let position = Some(Position::of(&scenario.name));
        let datagram_faults = scenario.netem.is_some()
            || scenario.netem_to_server.is_some()
            || scenario.netem_to_client.is_some()
            || !scenario.faults.is_empty();
        match case.transport {
            Transport::Tcp if datagram_faults => {
                return Err((
                    position,
                    "`netem` and `faults` act on datagrams; a tcp case breaks its streams with `stream`"
                        .to_owned(),
                ));
            }
            Transport::Udp if scenario.stream.is_some() => {
                return Err((position, "`stream` faults need `transport: tcp`".to_owned()));
            }
            _ => {}
        }
        if let Some(stream) = &scenario.stream {
            for faults in [&stream.to_server, &stream.to_client] {
                if let Some(slice) = &faults.slice {
                    slice.validate().map_err(|message| (position, message))?;
                }
                if faults.slice.is_some() && faults.coalesce.is_some() {
                    return Err((
                        position,
                        "a direction either slices or coalesces its stream, not both".to_owned(),
                    ));
                }
            }
        }
    }
    Ok(())
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

/// A scenario's own checks, keyboard input and file must fit its analyzer.
fn validate_scenario_inputs(analyzer: &Analyzer, scenario: &Scenario) -> Result<(), String> {
    if let Some(checks) = &scenario.checks {
        check_list(analyzer, checks)?;
    }
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

fn compile_matcher(pattern: &LogPattern) -> Result<LineMatcher, (Position, String)> {
    let compile = |spanned: &Spanned<String>| {
        regex::Regex::new(&spanned.value)
            .map_err(|error| (Position::of(spanned), format!("invalid pattern: {error}")))
    };
    Ok(LineMatcher::new(
        compile(&pattern.matches)?,
        pattern.unless.as_ref().map(compile).transpose()?,
    ))
}
