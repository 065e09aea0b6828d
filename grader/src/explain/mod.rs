//! What a case grades, in words a student can read (`grader explain`): the whole
//! [`explanation`], and the link's [`faults`] told in plain words for it.

pub mod explanation;
pub mod faults;

pub use explanation::explain;
