//! Reading a case file and checking everything its types alone cannot.

use super::builtin::{builtin_case, builtin_names};
use super::model::{Analyzer, Case, LogPattern};
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
    pub layout: Layout,
    pub logs: LogMatchers,
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

    let layout = Layout::parse(&case.wire.layout.value, &case.wire.fields).map_err(|error| {
        invalid(
            Position::of(&case.wire.layout),
            format!("invalid layout: {error}"),
        )
    })?;
    if let Some(checksum) = &case.wire.checksum {
        checksum.value.validate(&layout).map_err(|message| {
            invalid(
                Position::of(checksum),
                format!("invalid checksum: {message}"),
            )
        })?;
    }

    let Analyzer::AlternatingBit(params) = &case.analyzer;
    for field in [&params.ack_field, &params.seq_field, &params.data_field] {
        if layout.field(field).is_none() {
            return Err(invalid(
                Position::of(&case.wire.layout),
                format!(
                    "the analyzer names the field `{field}`, which the layout does not have (fields: {})",
                    case.wire.fields.join(", ")
                ),
            ));
        }
    }
    let compile = |pattern: &LogPattern| compile_matcher(pattern).map_err(|(p, m)| invalid(p, m));
    let logs = LogMatchers {
        sent: compile(&params.logs.sent)?,
        received: compile(&params.logs.received)?,
        timer: compile(&params.logs.timer)?,
        corrupt: compile(&params.logs.corrupt)?,
    };

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
        for fault in &mut scenario.faults {
            let position = Position::of(fault);
            fault
                .value
                .validate()
                .map_err(|message| invalid(position, message))?;
            fault
                .value
                .resolve_field(|name| layout.field(name).map(|field| field.offset))
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
        layout,
        logs,
    })
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
