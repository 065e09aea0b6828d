//! The `judged` outcome every graded scenario may get: the grader's own, added when no
//! check judged the run (see `grading::award`).

/// What `judged` requires, whatever the analyzer.
pub const JUDGED: &str =
    "a graded scenario earns points only through checks that judged the run and passed";
