//! The one place that knows which YAML library parses case files.
//!
//! `serde_yaml` is archived upstream; serde-saphyr is maintained, panic-free and reports
//! locations. Keeping it behind this module means swapping it touches one file.

use serde::de::DeserializeOwned;
use std::fmt;

pub use serde_saphyr::Spanned;

/// A position in a YAML document, 1-based.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    pub line: u64,
    pub column: u64,
}

impl Position {
    /// Where a spanned value was written.
    pub fn of<T>(spanned: &Spanned<T>) -> Position {
        Position {
            line: spanned.referenced.line(),
            column: spanned.referenced.column(),
        }
    }
}

/// A value the case file did not write (a default): it has no position to report.
pub fn unwritten<T>(value: T) -> Spanned<T> {
    let nowhere = serde_saphyr::Location::UNKNOWN;
    Spanned::new(value, nowhere, nowhere)
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// A YAML error reduced to what a person needs: where, and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct YamlError {
    pub position: Option<Position>,
    pub message: String,
}

/// Parses a whole document into `T`.
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, YamlError> {
    serde_saphyr::from_str(text).map_err(|error| {
        let position = error.location().map(|location| Position {
            line: location.line(),
            column: location.column(),
        });
        let message = strip_location_suffix(&error.without_snippet().to_string());
        YamlError { position, message }
    })
}

/// serde-saphyr appends " at line L, column C" to its messages; we print the position in
/// front, `file:line:column: message`, like compilers do, so the suffix would repeat it.
fn strip_location_suffix(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(index) if message[index..].contains(", column ") => message[..index].to_owned(),
        _ => message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Doc {
        #[expect(dead_code, reason = "only parsed")]
        name: String,
    }

    #[test]
    fn reports_the_position_in_front_and_not_twice() {
        let error = from_str::<Doc>("name: x\nnmae: y\n").unwrap_err();
        assert_eq!(error.position, Some(Position { line: 2, column: 1 }));
        assert_eq!(error.message, "unknown field `nmae`, expected one of name");
    }
}
