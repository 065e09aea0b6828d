//! A whole `grader check`: every planned run, in parallel, judged and totalled.

use super::award::award;
use super::build::{Prepared, build_failure_report, build_programs};
use super::judge::{judge, timer_samples};
use super::progress::Progress;
use super::replay::Replay;
use super::run::{RunError, RunSettings, run_scenario};
use crate::analyzer::LoadedCase;
use crate::case::{Grading, PlannedRun};
use crate::check::{Outcome, Status};
use crate::evidence::RunEvidence;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The verdict of one run of one scenario.
#[derive(Debug)]
pub struct ScenarioResult {
    pub key: String,
    pub about: Option<String>,
    pub grading: Grading,
    /// This run's share of the scenario's points.
    pub points_possible: f64,
    pub points_awarded: f64,
    pub outcomes: Vec<Outcome>,
    pub evidence: RunEvidence,
}

impl ScenarioResult {
    /// The run's overall status: its worst graded outcome.
    pub fn status(&self) -> Status {
        if self.grading == Grading::Informational {
            return Status::Informational;
        }
        let worst = self
            .outcomes
            .iter()
            .map(|outcome| outcome.status)
            .filter(|status| {
                status.is_failure() || *status == Status::Error || *status == Status::NonStrict
            });
        worst.max().unwrap_or(Status::Pass)
    }

    pub fn failed(&self) -> bool {
        self.grading == Grading::Graded && self.outcomes.iter().any(|o| o.status.is_failure())
    }
}

/// Everything a report needs about one `grader check`.
#[derive(Debug)]
pub struct GradeReport {
    pub case_name: String,
    pub case_title: String,
    pub seed: u64,
    pub client: String,
    pub server: String,
    /// The mode and why it was chosen, as reports print it.
    pub mode: String,
    pub scenarios: Vec<ScenarioResult>,
    pub wall_time: Duration,
    /// The command line that grades again as this did (reports add `--scenario`).
    pub replay: Replay,
}

impl GradeReport {
    pub fn points(&self) -> (f64, f64) {
        let graded = self
            .scenarios
            .iter()
            .filter(|s| s.grading == Grading::Graded);
        graded.fold((0.0, 0.0), |(awarded, possible), s| {
            (awarded + s.points_awarded, possible + s.points_possible)
        })
    }

    pub fn any_failed(&self) -> bool {
        self.scenarios.iter().any(ScenarioResult::failed)
    }

    pub fn any_error(&self) -> bool {
        self.scenarios
            .iter()
            .any(|s| s.outcomes.iter().any(|o| o.status == Status::Error))
    }
}

/// Runs `runs` with up to `jobs` at a time, then judges them all: some checks (the timer)
/// weigh the evidence of the whole session. Results come back in plan order whatever order
/// they finish in.
pub fn grade(
    loaded: &LoadedCase,
    settings: &RunSettings,
    runs: &[PlannedRun],
    jobs: usize,
) -> Result<GradeReport, RunError> {
    let started = Instant::now();
    // Compiled submissions are built once, before any scenario.
    let built = match build_programs(&loaded.case, settings)? {
        Prepared::Ready(built) => built,
        Prepared::Failed(failure) => {
            return Ok(build_failure_report(loaded, runs, settings, &failure));
        }
    };
    let settings: &RunSettings = &built;
    let evidence = run_all(loaded, settings, runs, jobs)?;
    let timer_samples: Vec<Duration> = evidence
        .iter()
        .flat_map(|evidence| timer_samples(loaded, evidence))
        .collect();
    let scenarios = runs
        .iter()
        .zip(evidence)
        .map(|(run, evidence)| score(loaded, run, evidence, &timer_samples))
        .collect();
    Ok(GradeReport {
        case_name: loaded.case.name.clone(),
        case_title: loaded.case.title.clone(),
        seed: settings.seed,
        client: settings.client.label(),
        server: settings.server.label(),
        mode: format!("{} ({})", settings.mode.mode.name(), settings.mode.reason),
        scenarios,
        wall_time: started.elapsed(),
        replay: settings.replay.clone(),
    })
}

/// Performs every run, `jobs` at a time, and returns their evidence in plan order.
fn run_all(
    loaded: &LoadedCase,
    settings: &RunSettings,
    runs: &[PlannedRun],
    jobs: usize,
) -> Result<Vec<RunEvidence>, RunError> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Result<RunEvidence, RunError>>>> =
        Mutex::new(runs.iter().map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..jobs.clamp(1, runs.len().max(1)) {
            scope.spawn(|| {
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(run) = runs.get(index) else { break };
                    let progress = settings.progress.as_ref();
                    if let Some(sink) = progress {
                        sink.report(Progress::Started { key: &run.key });
                    }
                    let result = run_scenario(loaded, run, settings);
                    if let Some(sink) = progress {
                        sink.report(Progress::Finished { key: &run.key });
                    }
                    let stop = result.is_err();
                    if let Ok(mut slots) = results.lock() {
                        slots[index] = Some(result);
                    }
                    if stop {
                        // A program that cannot be started will not start in the next
                        // scenario either: stop handing out work.
                        next.store(runs.len(), Ordering::Relaxed);
                        break;
                    }
                }
            });
        }
    });
    let slots = results.into_inner().unwrap_or_default();
    slots.into_iter().flatten().collect()
}

fn score(
    loaded: &LoadedCase,
    run: &PlannedRun,
    evidence: RunEvidence,
    timer_samples: &[Duration],
) -> ScenarioResult {
    let scenario = &loaded.case.scenarios[run.scenario];
    let points_possible = match scenario.grading {
        Grading::Graded => f64::from(scenario.points) / f64::from(scenario.repeat),
        Grading::Informational => 0.0,
    };
    // Points only for what was judged (see `award`).
    let award = award(
        scenario.grading,
        points_possible,
        judge(loaded, &evidence, timer_samples),
    );
    ScenarioResult {
        key: run.key.clone(),
        about: scenario.about.clone(),
        grading: scenario.grading,
        points_possible,
        points_awarded: award.points_awarded,
        outcomes: award.outcomes,
        evidence,
    }
}
