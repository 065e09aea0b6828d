//! A grading session: run the planned scenarios, judge each, total the points.

pub mod address_detection;
pub mod attempt_notes;
pub mod award;
pub mod build;
pub mod input_files;
pub mod judge;
pub mod missing;
pub mod mode;
pub mod not_run;
pub mod produced_files;
pub mod program;
pub mod progress;
pub mod replay;
pub mod run;
pub mod session;

pub use mode::{
    ChosenMode, Facilities, Mode, ModeChoice, ModeError, choose_mode, hard_coded_mode, relay_mode,
};
pub use program::ProgramChoice;
pub use progress::{Progress, ProgressSink};
pub use replay::Replay;
pub use run::{RunError, RunSettings};
pub use session::{GradeReport, ScenarioResult, grade};
