//! One bench run, part after part, in an order that keeps the slow parts last.

use super::plan::{BenchPlan, THROUGHPUT_SIZES};
use super::report::{BenchReport, DelaySection, Machine};
use super::{delay, grading_loop, latency, scale, throughput};
use std::io;
use std::time::Instant;

/// Measures what `plan` says; `progress` hears the name of each part as it starts.
pub fn run(plan: &BenchPlan, progress: &mut dyn FnMut(&str)) -> io::Result<BenchReport> {
    let started = Instant::now();
    let load_at_start = load_average();
    progress("relay latency");
    let latency = latency::measure(plan.round_trips, plan.block)?;
    progress("windowed throughput");
    let throughput = THROUGHPUT_SIZES
        .iter()
        .map(|&size| throughput::measure(size, plan.window, plan.throughput_time))
        .collect::<io::Result<_>>()?;
    progress("delay precision");
    let delay = DelaySection {
        netem: delay::measure(delay::DelayKind::Netem, plan.delay_samples)?,
        scripted: delay::measure(delay::DelayKind::Scripted, plan.delay_samples)?,
        jitter: delay::measure(delay::DelayKind::Jitter, plan.delay_samples)?,
        jitter_expected_stddev_us: delay::JITTER.as_secs_f64() * 1e6 / 3f64.sqrt(),
    };
    let grading = if plan.grading_runs > 0 {
        progress("grading loop");
        Some(grading_loop::measure(
            &plan.grader,
            "rdt3",
            plan.grading_runs,
        )?)
    } else {
        None
    };
    let scale = match &plan.scale {
        Some(scale_plan) => {
            progress("scale");
            Some(scale::measure(
                &plan.grader,
                &scale_plan.submission,
                &scale_plan.sizes,
                scale_plan.jobs,
            )?)
        }
        None => None,
    };
    let mut report = BenchReport {
        schema_version: 1,
        machine: Machine {
            cores: std::thread::available_parallelism().map_or(1, usize::from),
            kernel: std::fs::read_to_string("/proc/sys/kernel/osrelease")
                .map(|release| release.trim().to_owned())
                .unwrap_or_default(),
            load_at_start,
            load_at_end: load_average(),
        },
        latency,
        throughput,
        delay,
        grading,
        scale,
        targets: Vec::new(),
        duration_s: started.elapsed().as_secs_f64(),
    };
    report.judge();
    Ok(report)
}

/// The 1-minute load average (0 where it cannot be read).
fn load_average() -> f64 {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|text| text.split_whitespace().next()?.parse().ok())
        .unwrap_or(0.0)
}
