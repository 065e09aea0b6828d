//! Every way a `grader` command can fail, each variant with what it was working on, and the
//! one place that maps a failure to its exit code ([`GraderError::process_exit_code`], in
//! the shape of cargo-nextest's `ExpectedError`).
//!
//! Course scripts and the kit's own tests match on these messages: each variant prints
//! exactly what the grader printed before it had types. A message that already ends with
//! its cause (`cannot read x: No such file or directory`) keeps it there, and [`describe`]
//! then leaves that cause out of the `caused by:` lines, so it is never said twice.

use socklab_grader::case::CaseErrors;
use socklab_grader::exit_code;
use socklab_grader::grading::program::CommandLineError;
use socklab_grader::grading::{ModeError, RunError};
use socklab_grader::link::{ImpairmentError, NetemError};
use std::io;
use std::path::PathBuf;

/// An error that ends a `grader` command. Its `Display` is the message after `error: `.
#[derive(Debug, thiserror::Error)]
pub enum GraderError {
    // The user's input: the case, the arguments, the folders named on the command line.
    /// The case file (or built-in name) does not load: every error, one per `error:` line.
    #[error("{}", one_per_error_line(.0))]
    InvalidCase(CaseErrors),
    /// `grader batch` reads the case file a second time, to fingerprint its text.
    #[error("cannot read {}: {source}", path.display())]
    ReadCaseFile { path: PathBuf, source: io::Error },
    /// `--scenario` names no scenario of the case (the message lists those that exist).
    #[error("{0}")]
    UnknownScenario(String),
    /// `--client FILE` or `--server FILE` names no file.
    #[error("{flag} {}: no such file", file.display())]
    ProgramNotFound { flag: &'static str, file: PathBuf },
    /// `--client DIR` or `--server DIR` without a command to run in it, nor a build file.
    #[error(
        "{flag} {}: a directory with no build file (Makefile, CMakeLists.txt, *.java, go.mod, \
         Cargo.toml); name the program file in it, or give the command that runs it with \
         {flag}-cmd (it runs in a copy of the directory)",
        dir.display()
    )]
    ProgramIsDirectory { flag: &'static str, dir: PathBuf },
    /// `--mode tc` on a kernel without netem, or in a version that cannot grade so.
    #[error(
        "--mode tc needs the kernel's netem queueing discipline on a private loopback: {why}. \
         Use --mode relay (the default for programs that take their addresses as arguments) \
         or --mode transparent (for programs that hard-code them); both apply the \
         scenario's netem line in the grader's own relay"
    )]
    TcModeUnavailable { why: String },
    /// No way of grading the case's programs is available on this machine.
    #[error("{source}")]
    ModeUnavailable { source: ModeError },
    /// `grader check --results FILE --format terminal`: the terminal report is for people.
    #[error(
        "--results needs a machine format (--format json, gradescope, prairielearn, …): the \
         terminal report is for people"
    )]
    ResultsWithTerminal,
    /// `grader check --out DIR` cannot be made.
    #[error("cannot create --out {}: {source}", dir.display())]
    CreateCheckOut { dir: PathBuf, source: io::Error },
    /// `grader batch DIR`: the class folder cannot be listed.
    #[error("{}: not a folder of submissions: {source}", dir.display())]
    NotAClass { dir: PathBuf, source: io::Error },
    /// `grader locate DIR`: the submission is not a folder.
    #[error("{}: not a folder", dir.display())]
    NotASubmissionFolder { dir: PathBuf },
    /// `grader merge`: an input is not the output folder of a batch.
    #[error("{}: not a batch's output: {source}", dir.display())]
    NotABatchOutput { dir: PathBuf, source: io::Error },
    /// `grader merge`: two shards hold different results for one submission.
    #[error(
        "two different results for submission `{id}`: in {} and in {}",
        first.display(),
        second.display()
    )]
    ConflictingResults {
        id: String,
        first: PathBuf,
        second: PathBuf,
    },
    /// `grader merge`: no input holds a single result.
    #[error("no submission results (`<id>/result.json`) in the inputs")]
    NoResults,
    /// `grader merge`: the shards were graded against other cases or seeds.
    #[error("the shards were graded differently: {first}, {other}")]
    ShardsGradedDifferently {
        first: GradedWith,
        other: GradedWith,
    },
    /// `grader man NAME`: no visible subcommand has that name.
    #[error("no subcommand `{name}` (subcommands: {})", known.join(", "))]
    UnknownManPage { name: String, known: Vec<String> },
    /// `grader proxy --netem LINE` does not parse.
    #[error("--netem: {source}")]
    InvalidNetem { source: NetemError },
    /// `grader proxy`: the link cannot be built from the netem line.
    #[error("{source}")]
    InvalidLink { source: ImpairmentError },
    /// `grader proxy --trace FILE` cannot be created.
    #[error("--trace {}: {source}", path.display())]
    CreateTrace { path: PathBuf, source: io::Error },

    // A scenario that could not run: the arguments', the submission's or the grader's fault,
    // as the run error tells.
    /// A run could not be performed at all.
    #[error("{source}")]
    Run { source: RunError },

    // The grader's own failures: never the submission's fault.
    /// A built-in case does not load: a bug in the grader.
    #[error("{0}")]
    InvalidBuiltinCase(CaseErrors),
    /// The grader cannot find its own executable, which it starts again for reference peers
    /// and `grader check` children.
    #[error("cannot find the grader's own executable: {source}")]
    OwnExecutable { source: io::Error },
    /// `grader bench` cannot find its own executable, which it runs as the relay.
    #[error("cannot find the grader's own binary: {source}")]
    OwnBinaryForBench { source: io::Error },
    /// The temporary folder the programs run in cannot be made.
    #[error("cannot create a work directory: {source}")]
    CreateWorkDirectory { source: io::Error },
    /// The report cannot be rendered in its format or written to standard output. The
    /// renderer's error is shown in the message, not as a cause: JUnit's error would add a
    /// `caused by:` line of XML detail that the grader never printed.
    #[error("cannot write the report: {reason}")]
    WriteReport {
        reason: Box<dyn std::error::Error + Send + Sync>,
    },
    /// `grader check --results FILE` cannot be written.
    #[error("cannot write --results {}: {source}", path.display())]
    WriteResults { path: PathBuf, source: io::Error },
    /// A check the grader could not judge, in a format a platform takes as a grade: a grade
    /// with holes the grader made is not written.
    #[error(
        "the grader could not judge {checks}; no grade was written (not the submission's fault)"
    )]
    Unjudged { checks: String },
    /// `grader check --out DIR`: the evidence cannot be written there.
    #[error("cannot write evidence to {}: {source}", dir.display())]
    WriteEvidence { dir: PathBuf, source: io::Error },
    /// `grader batch --out DIR` cannot be made.
    #[error("cannot create {}: {source}", dir.display())]
    CreateBatchOut { dir: PathBuf, source: io::Error },
    /// A submission's files cannot be read to fingerprint them.
    #[error("cannot read {}: {source}", submission.display())]
    ReadSubmission {
        submission: PathBuf,
        source: io::Error,
    },
    /// The evidence of an earlier grading of a submission cannot be removed.
    #[error("cannot clear {}: {source}", dir.display())]
    ClearEvidence { dir: PathBuf, source: io::Error },
    /// A submission's result, or one role's report, cannot be written to its folder.
    #[error("cannot write {}: {source}", dir.display())]
    WriteResult { dir: PathBuf, source: io::Error },
    /// A `grader check` child cannot be started.
    #[error("cannot start grader check: {source}")]
    StartCheck { source: io::Error },
    /// `grades.csv` and `grades.json` cannot be written to the output folder.
    #[error("cannot write the grades to {}: {source}", dir.display())]
    WriteGrades { dir: PathBuf, source: io::Error },
    /// `class.html` and `class.json` cannot be written to the output folder.
    #[error("cannot write the class page to {}: {source}", dir.display())]
    WriteClassPage { dir: PathBuf, source: io::Error },
    /// The grades cannot be printed on standard output.
    #[error("cannot write the grades: {source}")]
    PrintGrades {
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// `grader merge`: a submission's folder cannot be copied into the joined output.
    #[error("cannot copy {} to {}: {source}", from.display(), to.display())]
    CopySubmission {
        from: PathBuf,
        to: PathBuf,
        source: io::Error,
    },
    /// `grader package`: the package cannot be written.
    #[error("cannot write the package {}: {source}", path.display())]
    WritePackage { path: PathBuf, source: io::Error },
    /// What a command prints cannot be written to standard output.
    #[error("cannot write: {source}")]
    WriteOutput { source: io::Error },
    /// A man page cannot be rendered.
    #[error("cannot render: {source}")]
    RenderManPage { source: io::Error },
    /// A JSON Schema cannot be serialized.
    #[error("{source}")]
    SerializeSchema { source: serde_json::Error },
    /// A JSON Schema cannot be written to standard output.
    #[error("cannot write the schema: {source}")]
    WriteSchema { source: io::Error },
    /// `grader proxy`: the relay cannot bind or start.
    #[error("cannot start the relay: {source}")]
    StartRelay { source: io::Error },
    /// `grader proxy`: Ctrl-C cannot be caught, so the proxy could never stop cleanly.
    #[error("cannot handle Ctrl-C: {source}")]
    HandleCtrlC { source: ctrlc::Error },
    /// `grader proxy`: the relay stopped with an error.
    #[error("the relay failed: {source}")]
    RelayFailed { source: io::Error },
    /// `grader bench`: a measurement failed.
    #[error("the bench failed: {source}")]
    BenchFailed { source: io::Error },
}

impl GraderError {
    /// The exit code this failure ends the grader with: one of `socklab_grader::exit_code`.
    /// The only place in the binary that chooses an exit code for an error.
    pub fn process_exit_code(&self) -> i32 {
        match self {
            GraderError::InvalidCase(_)
            | GraderError::ReadCaseFile { .. }
            | GraderError::UnknownScenario(_)
            | GraderError::ProgramNotFound { .. }
            | GraderError::ProgramIsDirectory { .. }
            | GraderError::TcModeUnavailable { .. }
            | GraderError::ModeUnavailable { .. }
            | GraderError::ResultsWithTerminal
            | GraderError::CreateCheckOut { .. }
            | GraderError::NotAClass { .. }
            | GraderError::NotASubmissionFolder { .. }
            | GraderError::NotABatchOutput { .. }
            | GraderError::ConflictingResults { .. }
            | GraderError::NoResults
            | GraderError::ShardsGradedDifferently { .. }
            | GraderError::UnknownManPage { .. }
            | GraderError::InvalidNetem { .. }
            | GraderError::InvalidLink { .. }
            | GraderError::CreateTrace { .. } => exit_code::INVALID_INPUT,
            GraderError::Run { source } => match source {
                RunError::CommandLine {
                    source: CommandLineError::Template(_),
                    ..
                }
                | RunError::TypedLine { .. }
                | RunError::Namespace { .. } => exit_code::INVALID_INPUT,
                RunError::CommandLine {
                    source: CommandLineError::Submission(_) | CommandLineError::NotBuilt(_),
                    ..
                }
                | RunError::Spawn { .. } => exit_code::PROGRAM_NOT_STARTED,
                RunError::CommandLine {
                    source: CommandLineError::BuildSkipped { .. },
                    ..
                }
                | RunError::Internal { .. } => exit_code::INTERNAL,
            },
            GraderError::InvalidBuiltinCase(_)
            | GraderError::OwnExecutable { .. }
            | GraderError::OwnBinaryForBench { .. }
            | GraderError::CreateWorkDirectory { .. }
            | GraderError::WriteReport { .. }
            | GraderError::WriteResults { .. }
            | GraderError::Unjudged { .. }
            | GraderError::WriteEvidence { .. }
            | GraderError::CreateBatchOut { .. }
            | GraderError::ReadSubmission { .. }
            | GraderError::ClearEvidence { .. }
            | GraderError::WriteResult { .. }
            | GraderError::StartCheck { .. }
            | GraderError::WriteGrades { .. }
            | GraderError::WriteClassPage { .. }
            | GraderError::PrintGrades { .. }
            | GraderError::CopySubmission { .. }
            | GraderError::WriteOutput { .. }
            | GraderError::WritePackage { .. }
            | GraderError::RenderManPage { .. }
            | GraderError::SerializeSchema { .. }
            | GraderError::WriteSchema { .. }
            | GraderError::StartRelay { .. }
            | GraderError::HandleCtrlC { .. }
            | GraderError::RelayFailed { .. }
            | GraderError::BenchFailed { .. } => exit_code::INTERNAL,
        }
    }
}

/// One shard's submission in [`GraderError::ShardsGradedDifferently`]: its id and what it
/// was graded with.
#[derive(Debug)]
pub struct GradedWith {
    pub id: String,
    pub case: String,
    pub seed: u64,
}

impl std::fmt::Display for GradedWith {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "`{}` with case {} seed {}",
            self.id, self.case, self.seed
        )
    }
}

/// What `main` prints on standard error for `error`: `error: {error}`, then a
/// `  caused by: {cause}` line for each cause in its chain that the line above does not
/// already end with. Every line ends with a newline.
pub fn describe(error: &dyn std::error::Error) -> String {
    let mut said = error.to_string();
    let mut text = format!("error: {said}\n");
    let mut cause = error.source();
    while let Some(current) = cause {
        let message = current.to_string();
        if !said.ends_with(&message) {
            text.push_str(&format!("  caused by: {message}\n"));
            said = message;
        }
        cause = current.source();
    }
    text
}

/// The errors of an invalid case as `main` prints them: each on an `error:` line of its own
/// (`main` writes the first `error: `), in the order of the file.
fn one_per_error_line(errors: &CaseErrors) -> String {
    errors
        .errors()
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\nerror: ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use socklab_grader::case::load::CaseError;

    /// An error whose message says nothing of its cause, as a library's often does.
    #[derive(Debug, thiserror::Error)]
    #[error("cannot serialize")]
    struct Opaque {
        source: io::Error,
    }

    fn not_found() -> io::Error {
        io::Error::new(io::ErrorKind::NotFound, "no such thing")
    }

    #[test]
    fn a_cause_the_message_already_ends_with_is_not_repeated() {
        let error = GraderError::StartCheck {
            source: not_found(),
        };
        assert_eq!(
            describe(&error),
            "error: cannot start grader check: no such thing\n"
        );
    }

    #[test]
    fn a_cause_the_message_leaves_out_gets_a_line_of_its_own() {
        let error = Opaque {
            source: not_found(),
        };
        assert_eq!(
            describe(&error),
            "error: cannot serialize\n  caused by: no such thing\n"
        );
    }

    #[test]
    fn every_error_of_an_invalid_case_is_on_an_error_line() {
        let errors = CaseErrors::new(vec![
            CaseError::InvalidWithoutPosition {
                origin: "case.yaml".to_owned(),
                message: "first".to_owned(),
            },
            CaseError::InvalidWithoutPosition {
                origin: "case.yaml".to_owned(),
                message: "second".to_owned(),
            },
        ])
        .unwrap();
        let error = GraderError::InvalidCase(errors);
        assert_eq!(
            describe(&error),
            "error: case.yaml: first\nerror: case.yaml: second\n"
        );
        assert_eq!(error.process_exit_code(), exit_code::INVALID_INPUT);
    }

    #[test]
    fn the_shards_graded_differently_are_both_named() {
        let error = GraderError::ShardsGradedDifferently {
            first: GradedWith {
                id: "ada".to_owned(),
                case: "rdt3".to_owned(),
                seed: 1,
            },
            other: GradedWith {
                id: "bob".to_owned(),
                case: "rdt3".to_owned(),
                seed: 2,
            },
        };
        assert_eq!(
            error.to_string(),
            "the shards were graded differently: `ada` with case rdt3 seed 1, `bob` with case \
             rdt3 seed 2"
        );
    }

    #[test]
    fn the_users_mistakes_and_the_graders_own_failures_exit_differently() {
        assert_eq!(
            GraderError::NoResults.process_exit_code(),
            exit_code::INVALID_INPUT
        );
        assert_eq!(
            GraderError::WriteOutput {
                source: not_found()
            }
            .process_exit_code(),
            exit_code::INTERNAL
        );
        let spawn = RunError::Spawn {
            role: socklab_grader::evidence::Role::Server,
            program: "server".to_owned(),
            message: "no such file".to_owned(),
        };
        assert_eq!(
            GraderError::Run { source: spawn }.process_exit_code(),
            exit_code::PROGRAM_NOT_STARTED
        );
    }
}
