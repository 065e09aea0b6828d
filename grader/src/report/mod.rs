//! Reports for people (and, later, machines) rendered from a [`crate::grading::GradeReport`].

pub mod sanitize;
pub mod terminal;
