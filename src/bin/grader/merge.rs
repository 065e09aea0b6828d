//! `grader merge`: join the outputs of `grader batch --shard K/N` into one, with the
//! grades and the class page an unsharded batch would have written.

use crate::batch::{BatchFormat, exit_status, print_grades, write_class_page};
use crate::error::{GradedWith, GraderError};
use clap::Args;
use socklab_grader::batch::{Grades, SubmissionResult, results_under, write_grades};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The shards' output folders (`grader batch --out`).
    #[arg(required = true, value_name = "OUT")]
    pub inputs: Vec<PathBuf>,
    /// Where the joined results, evidence and grades go.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// What to print at the end: a table for people, or grades.json for machines.
    #[arg(long, value_enum, default_value_t = BatchFormat::Terminal)]
    pub format: BatchFormat,
}

pub fn merge(arguments: MergeArgs) -> Result<i32, GraderError> {
    // id → (its result, the folder it came from).
    let mut merged: BTreeMap<String, (SubmissionResult, PathBuf)> = BTreeMap::new();
    for input in &arguments.inputs {
        let results = results_under(input).map_err(|source| GraderError::NotABatchOutput {
            dir: input.clone(),
            source,
        })?;
        for result in results {
            if let Some((earlier, from)) = merged.get(&result.id) {
                if *earlier != result {
                    return Err(GraderError::ConflictingResults {
                        id: result.id,
                        first: from.clone(),
                        second: input.clone(),
                    });
                }
                continue;
            }
            merged.insert(result.id.clone(), (result, input.clone()));
        }
    }
    let results: Vec<SubmissionResult> = merged.values().map(|(r, _)| r.clone()).collect();
    let Some(first) = results.first() else {
        return Err(GraderError::NoResults);
    };
    if let Some(other) = results
        .iter()
        .find(|r| r.case != first.case || r.seed != first.seed)
    {
        return Err(GraderError::ShardsGradedDifferently {
            first: graded_with(first),
            other: graded_with(other),
        });
    }
    for (id, (_, from)) in &merged {
        let source = from.join(id);
        let target = arguments.out.join(id);
        if source != target {
            copy_folder(&source, &target).map_err(|error| GraderError::CopySubmission {
                from: source.clone(),
                to: target.clone(),
                source: error,
            })?;
        }
    }
    let grades = Grades {
        case: &first.case,
        seed: first.seed,
        shard: None,
        submissions: &results,
    };
    write_grades(&arguments.out, &grades).map_err(|source| GraderError::WriteGrades {
        dir: arguments.out.clone(),
        source,
    })?;
    // After the copies: the page links each role's report in the joined folder.
    write_class_page(&arguments.out, &grades)?;
    eprintln!(
        "merge: {} submissions from {} folders; grades in {}, the class page in {}",
        results.len(),
        arguments.inputs.len(),
        arguments.out.join("grades.csv").display(),
        arguments
            .out
            .join(socklab_grader::batch::class::CLASS_HTML)
            .display()
    );
    print_grades(arguments.format, &grades)?;
    Ok(exit_status(&results))
}

/// Copies the folder `source` to `target`, replacing what was there; links are copied as
/// links, never followed.
fn copy_folder(source: &Path, target: &Path) -> std::io::Result<()> {
    if target.exists() {
        std::fs::remove_dir_all(target)?;
    }
    std::fs::create_dir_all(target)?;
    for entry in std::fs::read_dir(source)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        let to = target.join(entry.file_name());
        if kind.is_dir() {
            copy_folder(&entry.path(), &to)?;
        } else if kind.is_symlink() {
            std::os::unix::fs::symlink(std::fs::read_link(entry.path())?, &to)?;
        } else {
            std::fs::copy(entry.path(), &to)?;
        }
    }
    Ok(())
}

/// How `result` was graded, as a merge refusing mixed shards names it.
fn graded_with(result: &SubmissionResult) -> GradedWith {
    GradedWith {
        id: result.id.clone(),
        case: result.case.clone(),
        seed: result.seed,
    }
}
