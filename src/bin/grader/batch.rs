//! `grader batch`: grade every submission of a class against one case, each in a `grader
//! check` child of its own, keeping every finished result so an interrupted batch resumes
//! where it stopped, then write the grades and the class page; `grader merge` (in
//! `merge.rs`) joins shards.

use crate::children;
use crate::error::GraderError;
use crate::progress_bar::{Done, SubmissionsBar, describe_tally};
use clap::Args;
use socklab_grader::analyzer::Case;
use socklab_grader::batch::{
    GradeInputs, GradeOf, Grades, Located, LocatedPrograms, Role, RoleResult, RoleStatus, RunShare,
    Shard, SubmissionResult, SubmissionStatus, WeightedRole, check_report, class, collect_results,
    default_seed, fingerprint, locate_programs, read_result, role_matrix, run_shares,
    submission_files, write_grades, write_result,
};
use socklab_grader::case::builtin::builtin_case;
use socklab_grader::case::load::load_case;
use socklab_grader::case::{CaseSource, plan_runs};
use socklab_grader::exit_code;
use socklab_grader::grading::build::BuildSystem;
use socklab_grader::harness::process_budget::{GRADER_TASKS, TASKS_PER_RUN};
use std::collections::VecDeque;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::time::Duration;

#[derive(Debug, Args)]
pub struct BatchArgs {
    /// The class: each folder in it is one submission, its name the submission's id.
    pub dir: PathBuf,
    /// A built-in case name (rdt3) or the path of a case YAML file.
    #[arg(long)]
    pub case: String,
    /// Submissions graded at once (default: the number of cores). Each has its own ports
    /// and namespaces, so programs that hard-code one port do not collide.
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Where results, evidence and grades go.
    #[arg(long, value_name = "DIR", default_value = "batch-out")]
    pub out: PathBuf,
    /// The seed of every submission's runs (default: derived from the case's name, so
    /// every run of the batch, every shard and every re-run uses the same).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Run only this scenario; may be repeated.
    #[arg(long = "scenario", value_name = "NAME")]
    pub scenarios: Vec<String>,
    /// Grade only shard K of N: the submissions at positions K-1, K-1+N, … of the
    /// id-sorted list. `grader merge` joins the shards' outputs.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<Shard>,
    /// Grade every submission again, even one whose result is up to date.
    #[arg(long)]
    pub force: bool,
    /// What to print at the end: a table for people, or grades.json for machines.
    #[arg(long, value_enum, default_value_t = BatchFormat::Terminal)]
    pub format: BatchFormat,
}

/// `grader batch --format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum BatchFormat {
    Terminal,
    Json,
}

pub fn batch(arguments: BatchArgs) -> Result<i32, GraderError> {
    let setup = Setup::new(&arguments)?;
    let submissions = list_submissions(&arguments.dir, &arguments.out)?;
    let selected = match arguments.shard {
        Some(shard) => shard.select(submissions),
        None => submissions,
    };
    std::fs::create_dir_all(&arguments.out).map_err(|source| GraderError::CreateBatchOut {
        dir: arguments.out.clone(),
        source,
    })?;
    eprintln!(
        "batch: case {}, seed {}, {} submissions{}, results in {}",
        setup.case.name,
        setup.seed,
        selected.len(),
        arguments
            .shard
            .map_or_else(String::new, |shard| format!(" (shard {shard})")),
        arguments.out.display()
    );
    let _ = ctrlc::set_handler(|| {
        children::stop_all();
        std::process::exit(exit_code::INTERRUPTED);
    });

    let bar = SubmissionsBar::new(selected.len());
    let mut queue = VecDeque::new();
    for id in &selected {
        let submission = arguments.dir.join(id);
        let grade = setup.grade_of(&submission)?;
        // An error is the grader's, perhaps passing (out of memory, a full disk): try again.
        match read_result(&arguments.out.join(id)) {
            Some(kept)
                if !arguments.force
                    && kept.fingerprint == grade.fingerprint
                    && kept.status != SubmissionStatus::Error =>
            {
                bar.done(Done::Kept, kept.score, kept.max);
            }
            _ => queue.push_back((id.clone(), grade)),
        }
    }
    // Each submission is a `grader check --jobs 1` child: its own threads and one run's.
    let jobs = crate::check::within_process_limit(
        arguments
            .jobs
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, usize::from)),
        GRADER_TASKS + TASKS_PER_RUN,
    );
    let queue = Mutex::new(queue);
    let failures = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            scope.spawn(|| {
                while let Some((id, grade)) = queue.lock().ok().and_then(|mut q| q.pop_front()) {
                    match setup.grade_submission(&arguments, &id, &grade) {
                        Ok(Some(result)) => {
                            let done = match result.status {
                                SubmissionStatus::Error => Done::Error,
                                SubmissionStatus::Graded | SubmissionStatus::NotFound => {
                                    Done::Graded
                                }
                            };
                            bar.done(done, result.score, result.max);
                            if logging_lines() {
                                eprintln!(
                                    "batch: {id}: {} {}/{}",
                                    result.status.name(),
                                    result.score,
                                    result.max
                                );
                            }
                        }
                        Ok(None) => return,
                        Err(failure) => {
                            if let Ok(mut failures) = failures.lock() {
                                failures.push(failure);
                            }
                            return;
                        }
                    }
                }
            });
        }
    });
    bar.clear();
    if children::stopping() {
        // The workers saw the stop and wrote nothing more: no grades from a part of the
        // class. The handler exits too; whichever is first, the code is the same.
        return Ok(exit_code::INTERRUPTED);
    }
    if let Some(failure) = failures.into_inner().ok().and_then(|mut f| f.pop()) {
        return Err(failure);
    }

    let results = collect_results(&arguments.out, &selected);
    let grades = Grades {
        case: &setup.case.name,
        seed: setup.seed,
        shard: arguments.shard,
        submissions: &results,
    };
    write_grades(&arguments.out, &grades).map_err(|source| GraderError::WriteGrades {
        dir: arguments.out.clone(),
        source,
    })?;
    write_class_page(&arguments.out, &grades)?;
    let tally = bar.tally();
    eprintln!(
        "batch: {} (kept: up to date from an earlier run); grades in {}, the class page in {}",
        describe_tally(&tally),
        arguments.out.join("grades.csv").display(),
        arguments.out.join(class::CLASS_HTML).display()
    );
    print_grades(arguments.format, &grades)?;
    Ok(exit_status(&results))
}

/// Writes `class.html` and `class.json` into `out`, from the grades' results and the
/// reports their roles left there.
pub fn write_class_page(out: &Path, grades: &Grades<'_>) -> Result<(), GraderError> {
    let evidence = class::read_evidence(out, grades.submissions);
    let summary = class::summarise(class::ClassInput {
        case: grades.case,
        seed: grades.seed,
        results: grades.submissions,
        evidence: &evidence,
    });
    class::write_class(out, &summary).map_err(|source| GraderError::WriteClassPage {
        dir: out.to_path_buf(),
        source,
    })
}

/// 0 when every submission was judged (whatever its score, and a missing program is the
/// student's to fix), 1 when the grader could not judge one, so a pipeline stops for an
/// instructor to look.
pub fn exit_status(results: &[SubmissionResult]) -> i32 {
    if results
        .iter()
        .any(|result| result.status == SubmissionStatus::Error)
    {
        exit_code::FAILED
    } else {
        exit_code::PASSED
    }
}

/// Prints the grades: a table (one row per submission, a column per role) or grades.json.
pub fn print_grades(format: BatchFormat, grades: &Grades<'_>) -> Result<(), GraderError> {
    let cannot_print =
        |source: Box<dyn std::error::Error + Send + Sync>| GraderError::PrintGrades { source };
    let text = match format {
        BatchFormat::Json => {
            serde_json::to_string_pretty(grades).map_err(|error| cannot_print(error.into()))?
        }
        BatchFormat::Terminal => table(grades.submissions),
    };
    writeln!(std::io::stdout(), "{text}").map_err(|error| cannot_print(error.into()))
}

/// What every submission of the batch shares: the case, its text and runs, the seed.
struct Setup {
    case: Case,
    /// How the children are told the case: its built-in name or its absolute path.
    case_argument: String,
    case_text: String,
    seed: u64,
    scenarios: Vec<String>,
    roles: Vec<WeightedRole>,
    shares: Vec<RunShare>,
    executable: PathBuf,
    /// How long one `grader check` child may take: every run's budget in turn, with room
    /// for starting and stopping programs, and more.
    child_deadline: Duration,
    /// The class's folder and the batch's `--out`: no student program may read them
    /// (the other students' work and grades), so every child is told to hide both.
    hidden: [PathBuf; 2],
}

impl Setup {
    fn new(arguments: &BatchArgs) -> Result<Setup, GraderError> {
        let source = CaseSource::from_argument(&arguments.case);
        let loaded = load_case(&source).map_err(GraderError::InvalidCase)?;
        let runs =
            plan_runs(&loaded.case, &arguments.scenarios).map_err(GraderError::UnknownScenario)?;
        let (case_argument, case_text) = match &source {
            CaseSource::Builtin(name) => (
                name.clone(),
                builtin_case(name).unwrap_or_default().to_owned(),
            ),
            CaseSource::File(path) => {
                let text =
                    std::fs::read_to_string(path).map_err(|source| GraderError::ReadCaseFile {
                        path: path.clone(),
                        source,
                    })?;
                let absolute = std::path::absolute(path).unwrap_or_else(|_| path.clone());
                (absolute.display().to_string(), text)
            }
        };
        let executable =
            std::env::current_exe().map_err(|source| GraderError::OwnExecutable { source })?;
        let child_deadline = child_deadline(&loaded.case, &runs);
        Ok(Setup {
            child_deadline,
            seed: arguments
                .seed
                .unwrap_or_else(|| default_seed(&loaded.case.name)),
            roles: role_matrix(&loaded.case),
            shares: run_shares(&loaded.case, &runs),
            scenarios: arguments.scenarios.clone(),
            case: loaded.case,
            case_argument,
            case_text,
            executable,
            hidden: [
                std::path::absolute(&arguments.dir).unwrap_or_else(|_| arguments.dir.clone()),
                std::path::absolute(&arguments.out).unwrap_or_else(|_| arguments.out.clone()),
            ],
        })
    }

    /// What `submission`'s grade depends on.
    fn grade_of(&self, submission: &Path) -> Result<GradeOf, GraderError> {
        let files = submission_files(submission).map_err(|source| GraderError::ReadSubmission {
            submission: submission.to_path_buf(),
            source,
        })?;
        let inputs = GradeInputs {
            case_text: &self.case_text,
            seed: self.seed,
            scenarios: &self.scenarios,
            grader_version: env!("CARGO_PKG_VERSION"),
            files: &files,
        };
        Ok(GradeOf {
            case: self.case.name.clone(),
            seed: self.seed,
            fingerprint: fingerprint(&inputs),
        })
    }

    /// Grades one submission, role by role, and writes its result; `None` when the batch
    /// is stopping (nothing is written then: a re-run grades it again).
    fn grade_submission(
        &self,
        arguments: &BatchArgs,
        id: &str,
        grade: &GradeOf,
    ) -> Result<Option<SubmissionResult>, GraderError> {
        let submission = arguments.dir.join(id);
        let out = arguments.out.join(id);
        // Evidence of an earlier, interrupted or outdated grading must not mix with this one.
        if out.exists() {
            std::fs::remove_dir_all(&out).map_err(|source| GraderError::ClearEvidence {
                dir: out.clone(),
                source,
            })?;
        }
        let programs = locate_programs(&self.case, &submission);
        let mut roles = Vec::new();
        for weighted in &self.roles {
            let Some(role) = self.grade_role(*weighted, &submission, &out, &programs)? else {
                return Ok(None);
            };
            roles.push(role);
        }
        let result = SubmissionResult::new(id.to_owned(), grade, roles);
        if children::stopping() {
            return Ok(None);
        }
        write_result(&out, &result).map_err(|source| GraderError::WriteResult {
            dir: out.clone(),
            source,
        })?;
        Ok(Some(result))
    }

    /// One role: not run when a program it needs is not found, else a `grader check` child.
    fn grade_role<'a>(
        &self,
        weighted: WeightedRole,
        submission: &'a Path,
        out: &Path,
        programs: &'a LocatedPrograms,
    ) -> Result<Option<RoleResult>, GraderError> {
        let role = weighted.role;
        let needed: Vec<&Located> = [
            role.uses_client().then_some(&programs.client),
            role.uses_server().then_some(&programs.server),
        ]
        .into_iter()
        .flatten()
        .collect();
        // A compiled submission's programs come out of its build, not its files.
        let compiled = BuildSystem::detect(submission).is_some();
        let problems: Vec<String> = needed
            .iter()
            .filter_map(|located| located.problem(submission))
            .filter(|_| !compiled)
            .collect();
        if !problems.is_empty() {
            let ambiguous = needed
                .iter()
                .any(|located| matches!(located, Located::Ambiguous { .. }));
            let status = if ambiguous {
                RoleStatus::Ambiguous
            } else {
                RoleStatus::NotFound
            };
            return Ok(Some(RoleResult::unjudged(
                role,
                weighted.points,
                status,
                problems.join("; "),
                &self.shares,
            )));
        }
        let role_out = out.join(role.name());
        let mut command = Command::new(&self.executable);
        command.arg("check").arg(&self.case_argument);
        let program = |uses: bool, located: &'a Located| match (uses, compiled) {
            (false, _) => None,
            (true, true) => Some(submission),
            (true, false) => located.file(),
        };
        let client = program(role.uses_client(), &programs.client);
        let server = program(role.uses_server(), &programs.server);
        if let Some(client) = client {
            command.arg("--client").arg(absolute(client));
        }
        if let Some(server) = server {
            command.arg("--server").arg(absolute(server));
        }
        if compiled {
            // Kept for the submission's other roles: it is built once.
            command.arg("--build-cache").arg(out.join("build"));
        }
        command
            .args([
                "--seed",
                &self.seed.to_string(),
                "--format",
                "json",
                "--jobs",
                "1",
            ])
            .arg("--out")
            .arg(&role_out);
        for hidden in &self.hidden {
            command.arg("--hide").arg(hidden);
        }
        for scenario in &self.scenarios {
            command.args(["--scenario", scenario]);
        }
        let id = submission
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        // A compiled submission's first check builds it first, within the build's budget.
        let deadline = if compiled {
            self.child_deadline + socklab_grader::grading::build::DEFAULT_BUILD_BUDGET
        } else {
            self.child_deadline
        };
        let output = children::run(command, deadline, |pid| {
            if logging_lines() {
                eprintln!(
                    "batch: {id} {}: grader check started (pid {pid})",
                    role.name()
                );
            }
        })
        .map_err(|source| GraderError::StartCheck { source })?;
        let Some(children::Finished { output, overdue }) = output else {
            return Ok(None);
        };
        let stdout = String::from_utf8_lossy(&output.stdout);
        if !stdout.trim().is_empty() {
            std::fs::create_dir_all(&role_out)
                .and_then(|()| std::fs::write(role_out.join("report.json"), stdout.as_bytes()))
                .map_err(|source| GraderError::WriteResult {
                    dir: role_out.clone(),
                    source,
                })?;
        }
        let mut result = check_report::role_result(
            role,
            weighted.points,
            check_report::CheckOutput {
                // A child stopped at its deadline ended by our signal, whatever status it
                // managed to exit with.
                exit_code: if overdue { None } else { output.status.code() },
                stdout: &stdout,
                stderr: &String::from_utf8_lossy(&output.stderr),
            },
        );
        let relative = |file: &Path| match file.strip_prefix(submission) {
            // A compiled submission's programs are its whole folder, built.
            Ok(inside) if inside.as_os_str().is_empty() => "(built)".to_owned(),
            Ok(inside) => inside.display().to_string(),
            Err(_) => file.display().to_string(),
        };
        result.client = client.map(relative);
        result.server = server.map(relative);
        Ok(Some(result))
    }
}

/// The submissions in `dir`, sorted: its folders but hidden ones, `__MACOSX`, and `out`
/// when the output is kept inside the class's folder.
fn list_submissions(dir: &Path, out: &Path) -> Result<Vec<String>, GraderError> {
    let entries = std::fs::read_dir(dir).map_err(|source| GraderError::NotAClass {
        dir: dir.to_path_buf(),
        source,
    })?;
    let out = std::fs::canonicalize(out).ok();
    let mut ids = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let is_folder = entry.path().is_dir();
        let is_out = out.is_some() && std::fs::canonicalize(entry.path()).ok() == out;
        if is_folder && !is_out && !name.starts_with('.') && name != "__MACOSX" {
            ids.push(name);
        }
    }
    ids.sort();
    Ok(ids)
}

/// The grades as a table: a column per role with its points, then the total.
fn table(results: &[SubmissionResult]) -> String {
    let roles: Vec<Role> = Role::ALL
        .into_iter()
        .filter(|role| {
            results
                .iter()
                .any(|r| r.roles.iter().any(|x| x.role == *role))
        })
        .collect();
    let mut rows = vec![
        ["id", "status"]
            .into_iter()
            .map(str::to_owned)
            .chain(roles.iter().map(|role| role.name().to_owned()))
            .chain(["total".to_owned()])
            .collect::<Vec<String>>(),
    ];
    for result in results {
        let mut row = vec![result.id.clone(), result.status.name().to_owned()];
        for role in &roles {
            row.push(
                result
                    .roles
                    .iter()
                    .find(|r| r.role == *role)
                    .map_or_else(String::new, |r| match r.status {
                        RoleStatus::Graded => format!("{:.2}/{}", r.points, r.max),
                        other => other.name().to_owned(),
                    }),
            );
        }
        row.push(format!("{:.2}/{}", result.score, result.max));
        rows.push(row);
    }
    let widths: Vec<usize> = (0..rows[0].len())
        .map(|column| {
            rows.iter()
                .map(|row| row[column].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let lines: Vec<String> = rows
        .iter()
        .map(|row| {
            let cells: Vec<String> = row
                .iter()
                .zip(&widths)
                .map(|(cell, width)| format!("{cell:width$}"))
                .collect();
            cells.join("  ").trim_end().to_owned()
        })
        .collect();
    lines.join("\n")
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// The most one `grader check` child may take before the batch kills it: each run's budget
/// plus 5 s to start and stop its programs (the child runs them one at a time), twice over,
/// and a minute more. Generous on purpose: it exists for a grader that hangs, not to time
/// a slow machine.
fn child_deadline(case: &Case, runs: &[socklab_grader::case::PlannedRun]) -> Duration {
    // The kit's own tests shorten it to see a hung child stopped; nothing else sets it.
    if let Some(millis) = std::env::var("SOCKLAB_BATCH_CHILD_DEADLINE_MS")
        .ok()
        .and_then(|text| text.parse().ok())
    {
        return Duration::from_millis(millis);
    }
    let budgets: Duration = runs
        .iter()
        .map(|run| {
            case.scenarios[run.scenario].budget.unwrap_or(case.budget) + Duration::from_secs(5)
        })
        .sum();
    budgets * 2 + Duration::from_secs(60)
}

/// Off a terminal (a CI log, a file) there is no progress bar, so each check's start and
/// each submission's result are a line of their own on stderr.
fn logging_lines() -> bool {
    use std::io::IsTerminal;
    !std::io::stderr().is_terminal()
}
