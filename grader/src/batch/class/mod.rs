//! The class page: `OUT/class.html` for an instructor and `OUT/class.json` for scripts,
//! written by `grader batch` and `grader merge` from every submission's result and its
//! roles' reports.
//!
//! The summary is built sans-IO ([`summarise`]: results and reports in, [`ClassSummary`]
//! out), rendered apart ([`render_page`]), and only [`files`] reads and writes.

pub mod aggregate;
pub mod chart;
pub mod files;
pub mod kind;
pub mod page;
pub mod reported;
pub mod summary;

pub use aggregate::{ClassEvidence, ClassInput, summarise};
pub use files::{CLASS_HTML, CLASS_JSON, read_evidence, write_class};
pub use kind::observation_kind;
pub use page::render_page;
pub use reported::{ReportedOutcome, ReportedRun, RoleEvidence, parse_report};
pub use summary::{CLASS_SCHEMA_VERSION, ClassSummary, class_schema};
