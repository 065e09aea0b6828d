//! `grader check`: grade one submission (or the reference) against a case.

use crate::Failure;
use crate::args::{CheckArgs, ModeArgument, ReportFormat};
use crate::progress_bar::RunsBar;
use socklab_grader::case::load::load_case;
use socklab_grader::case::{CaseSource, plan_runs};
use socklab_grader::exit_code;
use socklab_grader::grading::{
    ChosenMode, Facilities, ModeChoice, ProgramChoice, RunError, RunSettings, choose_mode, grade,
};
use socklab_grader::report;
use socklab_grader::report::bundle;
use socklab_grader::report::terminal::write_report;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

/// Set by the Ctrl-C / SIGTERM handler before it stops the programs.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

pub fn check(arguments: CheckArgs) -> Result<i32, Failure> {
    let source = CaseSource::from_argument(&arguments.case);
    let loaded = load_case(&source).map_err(case_failure)?;
    let runs = plan_runs(&loaded.case, &arguments.scenarios)
        .map_err(|message| Failure::new(exit_code::INVALID_INPUT, message))?;
    let chosen = mode(arguments.mode, &loaded.case)?;
    let client = choice(
        arguments.client,
        arguments.client_args,
        arguments.client_cmd,
        "--client",
    )?;
    let server = choice(
        arguments.server,
        arguments.server_args,
        arguments.server_cmd,
        "--server",
    )?;

    let executable = std::env::current_exe().map_err(|error| {
        Failure::new(
            exit_code::INTERNAL,
            format!("cannot find the grader's own executable: {error}"),
        )
    })?;
    let work = crate::work_dir::create().map_err(|error| {
        Failure::new(
            exit_code::INTERNAL,
            format!("cannot create a work directory: {error}"),
        )
    })?;
    let hidden = hidden_directories(arguments.out.as_deref(), arguments.hide)?;
    let bar = RunsBar::new(runs.len());
    let settings = RunSettings {
        seed: arguments.seed.unwrap_or_else(fresh_seed),
        client,
        server,
        reference_launcher: vec![executable.display().to_string(), "reference".to_owned()],
        work_root: work.path().to_path_buf(),
        budget: arguments.budget,
        mode: chosen,
        memory_limit: arguments.memory_limit,
        hidden,
        progress: Some(bar.sink()),
    };
    // Ctrl-C or SIGTERM: stop every program we started, and remove their directories
    // (exiting skips the temporary directory's destructor), before going.
    let _ = ctrlc::set_handler(move || {
        INTERRUPTED.store(true, Ordering::SeqCst);
        socklab_grader::harness::process::stop_all_now();
        crate::work_dir::remove_all_now();
        std::process::exit(exit_code::INTERRUPTED);
    });
    let jobs = arguments
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, usize::from));
    let report = grade(&loaded, &settings, &runs, jobs).map_err(run_failure);
    if INTERRUPTED.load(Ordering::SeqCst) {
        // The handler killed the programs, so this grading judged programs it killed: it
        // must not be printed, nor exit 0 or 1 (a batch would take it for a verdict). The
        // handler exits with INTERRUPTED once it has cleaned up.
        loop {
            std::thread::park();
        }
    }
    bar.clear();
    let report = report?;

    let cannot_write = |error: &dyn std::fmt::Display| {
        Failure::new(
            exit_code::INTERNAL,
            format!("cannot write the report: {error}"),
        )
    };
    let machine = match arguments.format {
        ReportFormat::Terminal => None,
        ReportFormat::Json => Some(report::json::render(&report).map_err(|e| cannot_write(&e))?),
        ReportFormat::Junit => Some(report::junit::render(&report).map_err(|e| cannot_write(&e))?),
        ReportFormat::Gradescope => {
            Some(report::gradescope::render(&report, &loaded.case).map_err(|e| cannot_write(&e))?)
        }
        ReportFormat::Classroom => {
            Some(report::classroom::render(&report).map_err(|e| cannot_write(&e))?)
        }
    };
    match machine {
        // Plain bytes: a machine format never carries terminal styling.
        Some(text) => writeln!(std::io::stdout(), "{text}").map_err(|e| cannot_write(&e))?,
        None => write_report(&mut anstream::stdout(), &report).map_err(|e| cannot_write(&e))?,
    }
    if let Some(dir) = &arguments.out {
        bundle::write(dir, &report).map_err(|error| {
            Failure::new(
                exit_code::INTERNAL,
                format!("cannot write evidence to {}: {error}", dir.display()),
            )
        })?;
    }
    Ok(if report.any_failed() {
        exit_code::FAILED
    } else if report.any_error() {
        exit_code::INTERNAL
    } else {
        exit_code::PASSED
    })
}

/// Every error of an invalid case, each on its own `error:` line (`main` prints the last).
pub fn case_failure(errors: socklab_grader::case::CaseErrors) -> Failure {
    let mut errors = errors.into_errors();
    let last = errors.pop();
    for error in errors {
        eprintln!("error: {error}");
    }
    Failure::new(
        exit_code::INVALID_INPUT,
        last.map_or_else(String::new, |error| error.to_string()),
    )
}

fn choice(
    path: Option<PathBuf>,
    arguments: Option<String>,
    command: Option<String>,
    flag: &str,
) -> Result<ProgramChoice, Failure> {
    match (path, command) {
        (Some(file), _) => {
            if !file.is_file() {
                return Err(Failure::new(
                    exit_code::INVALID_INPUT,
                    format!("{flag} {}: no such file", file.display()),
                ));
            }
            let file = std::path::absolute(&file).unwrap_or(file);
            Ok(ProgramChoice::Submission { file, arguments })
        }
        (None, Some(command)) => Ok(ProgramChoice::Command(command)),
        (None, None) => Ok(ProgramChoice::Reference),
    }
}

/// Resolves `--mode`; `tc` is refused here unless the kernel can do it.
fn mode(
    argument: ModeArgument,
    case: &socklab_grader::analyzer::Case,
) -> Result<ChosenMode, Failure> {
    let choice = match argument {
        ModeArgument::Auto => ModeChoice::Auto,
        ModeArgument::Relay => ModeChoice::Relay,
        ModeArgument::Transparent => ModeChoice::Transparent,
        ModeArgument::Preload => ModeChoice::Preload,
        ModeArgument::Tc => {
            let why = match socklab_grader::netns::netem::netem_available() {
                Err(why) => why,
                Ok(()) => "grading in tc mode is not available in this version: the grader \
                           needs the relay to see the wire"
                    .to_owned(),
            };
            return Err(Failure::new(
                exit_code::INVALID_INPUT,
                format!(
                    "--mode tc needs the kernel's netem queueing discipline on a private loopback: {why}. \
                     Use --mode relay (the default for programs that take their addresses as arguments) \
                     or --mode transparent (for programs that hard-code them); both apply the \
                     scenario's netem line in the grader's own relay"
                ),
            ));
        }
    };
    choose_mode(choice, case, Facilities::probe)
        .map_err(|error| Failure::new(exit_code::INVALID_INPUT, error))
}

fn run_failure(error: RunError) -> Failure {
    let code = match &error {
        RunError::CommandLine { source, .. } => match source {
            socklab_grader::grading::program::CommandLineError::Template(_) => {
                exit_code::INVALID_INPUT
            }
            socklab_grader::grading::program::CommandLineError::Submission(_) => {
                exit_code::PROGRAM_NOT_STARTED
            }
        },
        RunError::Spawn { .. } => exit_code::PROGRAM_NOT_STARTED,
        RunError::Namespace { .. } => exit_code::INVALID_INPUT,
        RunError::Internal { .. } => exit_code::INTERNAL,
    };
    Failure::new(code, error)
}

/// What no program may read: `--out` (made now, so it is there to hide) and each
/// `--hide`. What a program needs (its interpreter, its own directory) stays visible; see
/// `file_confinement::coverable`. The directory the grader runs in is not hidden by
/// default: commands given with `--client-cmd` often name files there.
fn hidden_directories(out: Option<&Path>, hide: Vec<PathBuf>) -> Result<Vec<PathBuf>, Failure> {
    let mut hidden = hide;
    if let Some(out) = out {
        std::fs::create_dir_all(out).map_err(|error| {
            Failure::new(
                exit_code::INVALID_INPUT,
                format!("cannot create --out {}: {error}", out.display()),
            )
        })?;
        hidden.push(out.to_path_buf());
    }
    Ok(hidden)
}

/// A seed when none is given: different each run, and printed so it can be replayed.
fn fresh_seed() -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_nanos());
    // Keep it short enough to type: seeds are read off reports by people.
    u64::try_from(nanos % 1_000_000_000).unwrap_or(0) ^ u64::from(std::process::id())
}
