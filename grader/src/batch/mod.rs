//! Grading a whole class (`grader batch`, `grader merge`): finding each submission's
//! programs, the role matrix, one result per submission that a re-run can keep, shards,
//! the class's grades, and the class page.
//!
//! The command itself (children, signals, progress) lives in the binary; what is here
//! decides, and can be tested without running anything.

pub mod check_report;
pub mod class;
pub mod discovery;
pub mod fingerprint;
pub mod grades;
pub mod result;
pub mod roles;
pub mod shard;

pub use discovery::{Located, LocatedPrograms, locate, locate_programs, program_name};
pub use fingerprint::{GradeInputs, default_seed, fingerprint, submission_files};
pub use grades::{Grades, collect_results, results_under, write_grades};
pub use result::{
    GradeOf, RoleResult, RoleStatus, SubmissionResult, SubmissionStatus, read_result, write_result,
};
pub use roles::{Role, RunShare, WeightedRole, role_matrix, run_shares};
pub use shard::Shard;
