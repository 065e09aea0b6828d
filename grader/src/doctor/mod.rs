//! `grader doctor`: what this machine (or container) allows the grader, probed for real in
//! a second or two, and which mode each kind of submission would be graded in here.
//!
//! The probes are the ones the grader relies on when it grades (`Facilities::probe`, the
//! confinement, watch and cgroup probes of the harness), so what the doctor says is what a
//! `grader check` started the same way would find. [`diagnose`] runs them, each bounded
//! in time; [`Diagnosis`] is the result, rendered for people by [`terminal`] and as JSON
//! (`--format json`, its schema from [`schema`]).

pub mod diagnosis;
pub mod modes;
pub mod namespaces;
pub mod probes;
pub mod terminal;

pub use diagnosis::{
    CaseMode, DOCTOR_SCHEMA_VERSION, Diagnosis, Finding, FindingStatus, SubmissionMode, schema,
};
pub use probes::diagnose;
