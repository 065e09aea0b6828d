//! Case files: one YAML file per assignment saying what to run, how to break the network
//! and what to check.

pub mod builtin;
pub mod inputs;
pub mod line_matcher;
pub mod load;
pub mod model;
pub mod plan;
pub mod schema;
mod validate;
pub mod yaml;

pub use inputs::{
    EndsWhen, Feed, FileContent, GeneratedLines, GivenTo, InputFile, StdinScript, UploadFile,
};
pub use load::{CaseError, CaseErrors, CaseSource, load_case};
pub use model::{
    AddNumbersParams, AlternatingBitParams, Analyzer, Case, CheckId, FileTransferParams, Grading,
    LineUploadParams, LogPattern, LogStreams, OutputStream, ProgramInput, ProgramOutput,
    ProgramTemplates, RepeatedTransferParams, RoleWeights, Scenario, TcpLikeParams,
    TimerExpectation, Transport, Visibility, WireFormat,
};
pub use plan::{PlannedRun, plan_runs};
