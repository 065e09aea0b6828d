//! Why a run could not be performed at all (its evidence, when it could, is
//! [`crate::evidence::RunEvidence`]).

use crate::evidence::Role;
use crate::grading::program::CommandLineError;

/// Why a run could not be performed at all.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The command line could not be built (bad template, or a submission with no way
    /// to run).
    #[error("cannot build the {role}'s command line: {source}")]
    CommandLine {
        role: Role,
        source: CommandLineError,
    },
    /// A line the case types on a program's stdin names a placeholder wrongly.
    #[error("cannot type the {role}'s stdin line: {source}")]
    TypedLine {
        role: Role,
        source: crate::harness::template::TemplateError,
    },
    /// The program could not be started at all.
    #[error("cannot start the {role} (`{program}`): {message}")]
    Spawn {
        role: Role,
        program: String,
        message: String,
    },
    /// The mode needs network namespaces and none can be made here.
    #[error("{message}")]
    Namespace { message: String },
    /// The grader's own machinery failed.
    #[error("{context}: {source}")]
    Internal {
        context: String,
        source: std::io::Error,
    },
}

/// Turns a failure of the grader's own machinery into a [`RunError::Internal`] that says
/// what the grader was doing (`.map_err(internal("cannot …"))`).
pub(super) fn internal(context: &str) -> impl FnOnce(std::io::Error) -> RunError + use<> {
    let context = context.to_owned();
    move |source| RunError::Internal { context, source }
}
