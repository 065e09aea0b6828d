//! A bench run's figures, the targets they are held to, and how both are shown: a table
//! for people and one JSON line for machines.

use super::delay::{DELAY, DelayFigures, JITTER};
use super::grading_loop::GradingFigures;
use super::latency::LatencyFigures;
use super::scale::{CLASS_SIZE, ScaleFigures};
use super::throughput::ThroughputFigures;
use serde::Serialize;
use std::fmt::Write as _;

/// Everything one `grader bench` measured. Fields keep their order in the JSON line; a
/// field that changes meaning or goes away bumps `schema_version`.
#[derive(Clone, Debug, Serialize)]
pub struct BenchReport {
    pub schema_version: u32,
    pub machine: Machine,
    pub latency: LatencyFigures,
    pub throughput: Vec<ThroughputFigures>,
    pub delay: DelaySection,
    pub grading: Option<GradingFigures>,
    pub scale: Option<ScaleFigures>,
    pub targets: Vec<Target>,
    pub duration_s: f64,
}

/// Where the figures were measured.
#[derive(Clone, Debug, Serialize)]
pub struct Machine {
    pub cores: usize,
    pub kernel: String,
    /// The 1-minute load average when the bench started, and when it ended.
    pub load_at_start: f64,
    pub load_at_end: f64,
}

/// The three delay tests.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct DelaySection {
    pub netem: DelayFigures,
    pub scripted: DelayFigures,
    pub jitter: DelayFigures,
    /// The standard deviation of netem's uniform jitter, `jitter / √3`.
    pub jitter_expected_stddev_us: f64,
}

/// One target and whether this run met it.
#[derive(Clone, Debug, Serialize)]
pub struct Target {
    pub name: &'static str,
    pub wanted: String,
    pub measured: String,
    pub holds: bool,
}

/// Largest |delivered − chosen| at p99 of a delay.
const DELAY_P99_ERROR_US: f64 = 300.0;

impl BenchReport {
    /// Compares the figures with the targets.
    pub fn judge(&mut self) {
        let mut targets = Vec::new();
        let latency = &self.latency;
        targets.push(at_most(
            "relay-added-median",
            latency.added_median_us,
            10.0,
            "µs",
        ));
        targets.push(at_most("relay-added-p99", latency.added_p99_us, 30.0, "µs"));
        for figures in &self.throughput {
            targets.push(Target {
                name: if figures.size <= 64 {
                    "throughput-64"
                } else {
                    "throughput-1400"
                },
                wanted: "≥ 0.45× direct, no loss, duplicate or reorder".to_owned(),
                measured: format!(
                    "{:.2}× ({:.0}/s vs {:.0}/s), lost {}, duplicated {}, reordered {}",
                    figures.ratio,
                    figures.relay_per_second,
                    figures.direct_per_second,
                    figures.relay.lost,
                    figures.relay.duplicated,
                    figures.relay.reordered
                ),
                holds: figures.ratio >= 0.45 && figures.relay.is_clean(),
            });
        }
        let delay = &self.delay;
        for (name, figures) in [
            ("delay-netem-p99", &delay.netem),
            ("delay-scripted-p99", &delay.scripted),
            ("delay-jitter-p99", &delay.jitter),
        ] {
            let mut target = at_most(name, figures.error.p99_us, DELAY_P99_ERROR_US, "µs");
            target.holds &= figures.missing == 0;
            targets.push(target);
        }
        let expected_mean = DELAY.as_secs_f64() * 1e6;
        let jitter = &delay.jitter;
        let stddev_off = (jitter.delivered.stddev_us / delay.jitter_expected_stddev_us) - 1.0;
        targets.push(Target {
            name: "jitter-distribution",
            wanted: format!(
                "mean {:.0} ± 300 µs, stddev {:.0} µs ± 10 %",
                expected_mean, delay.jitter_expected_stddev_us
            ),
            measured: format!(
                "mean {:.0} µs, stddev {:.0} µs",
                jitter.delivered.mean_us, jitter.delivered.stddev_us
            ),
            holds: (jitter.delivered.mean_us - expected_mean).abs() <= 300.0
                && stddev_off.abs() <= 0.10,
        });
        if let Some(grading) = &self.grading {
            targets.push(at_most(
                "check-wall",
                grading.wall_ms_median / 1000.0,
                2.5,
                "s",
            ));
            targets.push(at_most(
                "check-grader-cpu-per-scenario",
                grading.grader_cpu_per_scenario_ms_median,
                30.0,
                "ms",
            ));
        }
        if let Some(scale) = &self.scale {
            let mut target = at_most("batch-50", scale.class_size_s, 180.0, "s");
            if !scale.class_size_measured {
                target.measured.push_str(" (extrapolated)");
            }
            targets.push(target);
        }
        self.targets = targets;
    }

    /// The report as one JSON line.
    pub fn json_line(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The table for people.
    pub fn table(&self) -> String {
        let mut text = String::new();
        self.write_relays(&mut text);
        self.write_delays(&mut text);
        self.write_gradings(&mut text);
        self.write_targets(&mut text);
        text
    }

    /// The machine, then our relay's and the yardstick relay's latency and throughput.
    fn write_relays(&self, text: &mut String) {
        let machine = &self.machine;
        let _ = writeln!(
            text,
            "grader bench · {} cores · Linux {} · load {:.2} at start, {:.2} at end · {:.0} s",
            machine.cores,
            machine.kernel,
            machine.load_at_start,
            machine.load_at_end,
            self.duration_s
        );
        let _ = writeln!(
            text,
            "\n{:<34} {:>12} {:>12} {:>12}",
            "", "direct", "relay", "added"
        );
        let latency = &self.latency;
        // Our relay, then the yardstick two-thread relay measured in the same run: its RTT
        // figures, then how one throughput run reads for it.
        type Throughput = fn(&ThroughputFigures) -> (String, f64, f64);
        let ours: Throughput = |figures| {
            (
                format!("throughput {} B, window {}", figures.size, figures.window),
                figures.relay_per_second,
                figures.ratio,
            )
        };
        let yardstick: Throughput = |figures| {
            (
                format!("yardstick throughput {} B", figures.size),
                figures.plain_per_second,
                figures.plain_ratio,
            )
        };
        let relays = [
            (
                "ping-pong 64 B RTT",
                &latency.relay,
                [latency.added_median_us, latency.added_p99_us],
                ours,
            ),
            (
                "yardstick relay RTT",
                &latency.plain,
                [latency.plain_added_median_us, latency.plain_added_p99_us],
                yardstick,
            ),
        ];
        for (label, relayed, [added_median, added_p99], throughput) in relays {
            for (statistic, direct, through, added) in [
                (
                    "median",
                    latency.direct.median_us,
                    relayed.median_us,
                    added_median,
                ),
                ("p99", latency.direct.p99_us, relayed.p99_us, added_p99),
            ] {
                let _ = writeln!(
                    text,
                    "{:<34} {:>9.1} µs {:>9.1} µs {:>9.1} µs",
                    format!("{label} {statistic}"),
                    direct,
                    through,
                    added
                );
            }
            for figures in &self.throughput {
                let (name, per_second, ratio) = throughput(figures);
                let _ = writeln!(
                    text,
                    "{:<34} {:>10.0}/s {:>10.0}/s {:>11.2}×",
                    name, figures.direct_per_second, per_second, ratio
                );
            }
        }
    }

    /// How precisely the link delays datagrams.
    fn write_delays(&self, text: &mut String) {
        let _ = writeln!(
            text,
            "\n{:<34} {:>12} {:>12} {:>12}",
            "delay 10 ms (|error|)", "median", "p99", "mean late"
        );
        for (name, figures) in [
            ("netem delay 10ms", &self.delay.netem),
            ("scripted delay 10ms", &self.delay.scripted),
            ("netem delay 10ms 2ms (vs drawn)", &self.delay.jitter),
        ] {
            let _ = writeln!(
                text,
                "{:<34} {:>9.1} µs {:>9.1} µs {:>9.1} µs",
                name, figures.error.median_us, figures.error.p99_us, figures.mean_lateness_us
            );
        }
        let jitter = &self.delay.jitter;
        let _ = writeln!(
            text,
            "{:<34} mean {:.0} µs, stddev {:.0} µs (drawn: {:.0}, {:.0}; uniform ±{} ms: {:.0}, {:.0})",
            "  jitter as delivered",
            jitter.delivered.mean_us,
            jitter.delivered.stddev_us,
            jitter.chosen.mean_us,
            jitter.chosen.stddev_us,
            JITTER.as_millis(),
            DELAY.as_secs_f64() * 1e6,
            self.delay.jitter_expected_stddev_us
        );
    }

    /// The measured gradings and batches, when the bench ran them.
    fn write_gradings(&self, text: &mut String) {
        if let Some(grading) = &self.grading {
            let _ = writeln!(
                text,
                "\ngrader check {} ({} runs)",
                grading.case,
                grading.runs.len()
            );
            for run in &grading.runs {
                let _ = writeln!(
                    text,
                    "  {:>7.0} ms wall · grader CPU {:>4.0} ms ({:.1} ms per scenario, {} scenarios) · programs {:>4.0} ms · exit {}",
                    run.wall_ms,
                    run.grader_cpu_ms,
                    run.grader_cpu_ms / run.scenarios.max(1) as f64,
                    run.scenarios,
                    run.programs_cpu_ms,
                    run.exit_code
                );
            }
        }
        if let Some(scale) = &self.scale {
            let _ = writeln!(text, "\ngrader batch, --jobs {}", scale.jobs);
            for batch in &scale.batches {
                let _ = writeln!(
                    text,
                    "  {:>3} submissions: {:>6.1} s ({:.2} s each) · exit {}",
                    batch.submissions,
                    batch.wall_s,
                    batch.wall_s / batch.submissions.max(1) as f64,
                    batch.exit_code
                );
            }
            let _ = writeln!(
                text,
                "  growth {:.2}× for {:.1}× the submissions; {} submissions: {:.0} s{}",
                scale.growth,
                scale.size_ratio,
                CLASS_SIZE,
                scale.class_size_s,
                if scale.class_size_measured {
                    ""
                } else {
                    " (extrapolated)"
                }
            );
        }
    }

    /// Each target, whether it holds, and what was measured.
    fn write_targets(&self, text: &mut String) {
        let _ = writeln!(text, "\n{:<30} {:<6} measured (wanted)", "target", "holds");
        for target in &self.targets {
            let _ = writeln!(
                text,
                "{:<30} {:<6} {} ({})",
                target.name,
                if target.holds { "yes" } else { "NO" },
                target.measured,
                target.wanted
            );
        }
    }
}

fn at_most(name: &'static str, measured: f64, limit: f64, unit: &str) -> Target {
    Target {
        name,
        wanted: format!("≤ {limit} {unit}"),
        measured: format!("{measured:.2} {unit}"),
        holds: measured <= limit,
    }
}
