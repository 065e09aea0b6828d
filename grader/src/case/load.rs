//! Reading a case file: from the binary or from disk, parsed, then validated (see
//! [`super::validate`]) into a case with its analyzer compiled.

use super::builtin::{builtin_case, builtin_names};
use super::model::Case;
use super::validate::{Problems, validate};
use super::yaml::{self, Position};
use crate::case::line_matcher::LineMatcher;
use crate::wire::Layout;
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

impl CaseError {
    /// A problem in the file `origin`, at `position` when one is known.
    pub fn located(origin: &str, position: Option<Position>, message: String) -> CaseError {
        let origin = origin.to_owned();
        match position {
            Some(position) => CaseError::Invalid {
                origin,
                position,
                message,
            },
            None => CaseError::InvalidWithoutPosition { origin, message },
        }
    }
}

/// Everything wrong with a case: the error that stopped its parsing, or every problem the
/// checks after parsing found, in the order of the file. Never empty.
#[derive(Debug)]
pub struct CaseErrors(Vec<CaseError>);

impl CaseErrors {
    /// `None` for no errors.
    pub fn new(errors: Vec<CaseError>) -> Option<CaseErrors> {
        (!errors.is_empty()).then_some(CaseErrors(errors))
    }

    pub fn errors(&self) -> &[CaseError] {
        &self.0
    }

    pub fn into_errors(self) -> Vec<CaseError> {
        self.0
    }
}

impl From<CaseError> for CaseErrors {
    fn from(error: CaseError) -> CaseErrors {
        CaseErrors(vec![error])
    }
}

/// One error a line.
impl std::fmt::Display for CaseErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (index, error) in self.0.iter().enumerate() {
            if index > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{error}")?;
        }
        Ok(())
    }
}

impl std::error::Error for CaseErrors {}

/// Reads, parses and validates a case.
pub fn load_case(source: &CaseSource) -> Result<LoadedCase, CaseErrors> {
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
pub fn parse_case(source: CaseSource, text: &str) -> Result<LoadedCase, CaseErrors> {
    let origin = source.display_name();
    let mut case: Case = yaml::from_str(text).map_err(|error| {
        CaseErrors::from(CaseError::located(&origin, error.position, error.message))
    })?;
    let mut problems = Problems::default();
    let compiled = validate(&mut case, &mut problems);
    if let Some(errors) = problems.into_errors(&origin) {
        return Err(errors);
    }
    let compiled = compiled.ok_or_else(|| {
        // `validate` records a problem whenever it compiles nothing.
        CaseErrors::from(CaseError::located(
            &origin,
            None,
            "the analyzer could not be compiled".to_owned(),
        ))
    })?;
    Ok(LoadedCase {
        source,
        case,
        compiled,
    })
}
