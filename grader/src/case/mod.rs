//! Case files: one YAML file per assignment saying what to run, how to break the network
//! and what to check.

mod analyzer_choice;
pub mod builtin;
pub mod inputs;
pub mod line_matcher;
pub mod load;
pub mod model;
pub mod plan;
pub mod schema;
pub mod validate;
pub mod yaml;

pub use analyzer_choice::{AnalyzerChoice, PacketFields, refuse_upload};
pub use inputs::{
    EndsWhen, Feed, FileContent, GeneratedLines, GivenTo, InputFile, StdinScript, UploadFile,
};
pub use load::{CaseError, CaseErrors, CaseSource, LoadedCase, load_case, parse_case};
pub use model::{
    Case, CheckId, Grading, LeaderboardColumn, LeaderboardOrder, LeaderboardValue, ProgramInput,
    ProgramOutput, ProgramTemplates, RoleWeights, Scenario, Transport, Visibility, WireFormat,
};
pub use plan::{PlannedRun, plan_runs};
pub use validate::{Problem, Problems, compile_pattern};
