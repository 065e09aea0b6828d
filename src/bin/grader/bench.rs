//! `grader bench`: the grader's own performance, side by side with direct loopback, as a
//! table and one JSON line (see `socklab_grader::bench`).

use crate::error::GraderError;
use clap::Args;
use socklab_grader::bench::plan::ScalePlan;
use socklab_grader::bench::{self, BenchPlan};
use socklab_grader::exit_code;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Print only the JSON line.
    #[arg(long)]
    pub json: bool,
    /// A tiny run (a few seconds): every part, with small counts; the figures are rough.
    #[arg(long)]
    pub quick: bool,
    /// Also grade batches of 6 and 12 copies of a good submission (`--jobs 2`) and
    /// extrapolate to 50 (about a minute more).
    #[arg(long)]
    pub scale: bool,
    /// With the scale runs, grade a real batch of 50 too.
    #[arg(long)]
    pub scale_full: bool,
    /// The submission the scale runs copy.
    #[arg(long, value_name = "DIR", default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/rdt3/good"))]
    pub submission: PathBuf,
    /// Ping-pong round trips per path (default 20 000; 400 with --quick).
    #[arg(long, value_name = "N")]
    pub round_trips: Option<usize>,
}

pub fn bench(arguments: BenchArgs) -> Result<i32, GraderError> {
    let grader =
        std::env::current_exe().map_err(|source| GraderError::OwnBinaryForBench { source })?;
    let mut plan = if arguments.quick {
        BenchPlan::quick(grader)
    } else {
        BenchPlan::standard(grader)
    };
    if let Some(round_trips) = arguments.round_trips {
        plan.round_trips = round_trips;
    }
    if arguments.scale || arguments.scale_full {
        // Small enough that the whole benchmark stays under two minutes; twice the size
        // still shows whether the time grows linearly.
        let mut sizes = vec![6, 12];
        if arguments.scale_full {
            sizes.push(bench::scale::CLASS_SIZE);
        }
        plan.scale = Some(ScalePlan {
            submission: arguments.submission,
            sizes,
            jobs: 2,
        });
    }
    let quiet = arguments.json;
    let mut progress = |part: &str| {
        if !quiet {
            eprintln!("measuring {part}…");
        }
    };
    let report =
        bench::run(&plan, &mut progress).map_err(|source| GraderError::BenchFailed { source })?;
    if !arguments.json {
        print!("{}", report.table());
    }
    println!("{}", report.json_line());
    Ok(exit_code::PASSED)
}
