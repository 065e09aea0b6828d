//! Scale: `grader batch` over K copies of one submission, for a few K, and whether the
//! wall time grows linearly — extrapolated to the size a class is.

use serde::Serialize;
use std::io;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

/// The class size the extrapolation is for.
pub const CLASS_SIZE: usize = 50;

/// One batch.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct BatchRun {
    pub submissions: usize,
    pub wall_s: f64,
    /// The batch's exit code (0: every submission was judged).
    pub exit_code: i32,
}

/// Every batch, and the straight line through the first and the last.
#[derive(Clone, Debug, Serialize)]
pub struct ScaleFigures {
    pub jobs: usize,
    pub batches: Vec<BatchRun>,
    /// Seconds each further submission adds (the slope between the smallest and largest).
    pub seconds_per_submission: f64,
    /// The largest batch's time ÷ the smallest's, against their sizes' ratio.
    pub growth: f64,
    pub size_ratio: f64,
    /// The wall time of [`CLASS_SIZE`] submissions: measured when a batch had that many,
    /// else on the line.
    pub class_size_s: f64,
    pub class_size_measured: bool,
}

/// Grades `sizes` batches of copies of `submission` with `jobs` at a time.
pub fn measure(
    grader: &Path,
    submission: &Path,
    sizes: &[usize],
    jobs: usize,
) -> io::Result<ScaleFigures> {
    let batches: Vec<BatchRun> = sizes
        .iter()
        .map(|&size| batch_once(grader, submission, size, jobs))
        .collect::<io::Result<_>>()?;
    Ok(summarise(jobs, batches))
}

/// The line through the smallest and the largest batch.
pub fn summarise(jobs: usize, batches: Vec<BatchRun>) -> ScaleFigures {
    let smallest = batches
        .iter()
        .min_by_key(|batch| batch.submissions)
        .copied();
    let largest = batches
        .iter()
        .max_by_key(|batch| batch.submissions)
        .copied();
    let (slope, growth, size_ratio, class_size_s) = match (smallest, largest) {
        (Some(small), Some(large)) if large.submissions > small.submissions => {
            let slope =
                (large.wall_s - small.wall_s) / (large.submissions - small.submissions) as f64;
            let extra = CLASS_SIZE as f64 - large.submissions as f64;
            (
                slope,
                large.wall_s / small.wall_s,
                large.submissions as f64 / small.submissions as f64,
                large.wall_s + slope * extra,
            )
        }
        (_, Some(only)) => {
            let slope = only.wall_s / only.submissions.max(1) as f64;
            (slope, 1.0, 1.0, slope * CLASS_SIZE as f64)
        }
        _ => (0.0, 0.0, 0.0, 0.0),
    };
    let measured = batches.iter().find(|batch| batch.submissions == CLASS_SIZE);
    ScaleFigures {
        jobs,
        seconds_per_submission: slope,
        growth,
        size_ratio,
        class_size_s: measured.map_or(class_size_s, |batch| batch.wall_s),
        class_size_measured: measured.is_some(),
        batches,
    }
}

fn batch_once(grader: &Path, submission: &Path, size: usize, jobs: usize) -> io::Result<BatchRun> {
    let work = tempfile::tempdir()?;
    let class = work.path().join("class");
    for index in 1..=size {
        copy_tree(submission, &class.join(format!("student-{index:03}")))?;
    }
    let started = Instant::now();
    let status = Command::new(grader)
        .arg("batch")
        .arg(&class)
        .args(["--case", "rdt3", "--jobs", &jobs.to_string(), "--out"])
        .arg(work.path().join("out"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()?;
    Ok(BatchRun {
        submissions: size,
        wall_s: started.elapsed().as_secs_f64(),
        exit_code: status.code().unwrap_or(-1),
    })
}

/// Copies the files and folders below `from` (links are not followed).
fn copy_tree(from: &Path, to: &Path) -> io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        let target = to.join(entry.file_name());
        if kind.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else if kind.is_file() {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(submissions: usize, wall_s: f64) -> BatchRun {
        BatchRun {
            submissions,
            wall_s,
            exit_code: 0,
        }
    }

    #[test]
    fn a_linear_class_extrapolates_on_its_line() {
        let figures = summarise(2, vec![run(10, 12.0), run(20, 22.0)]);
        assert_eq!(figures.seconds_per_submission, 1.0);
        assert_eq!(figures.class_size_s, 52.0);
        assert!(!figures.class_size_measured);
        assert_eq!(figures.size_ratio, 2.0);
    }

    #[test]
    fn a_measured_class_size_is_taken_as_measured() {
        let figures = summarise(2, vec![run(10, 12.0), run(50, 70.0)]);
        assert_eq!(figures.class_size_s, 70.0);
        assert!(figures.class_size_measured);
    }
}
