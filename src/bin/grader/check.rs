//! `grader check`: grade one submission (or the reference) against a case.

use crate::args::{CheckArgs, ModeArgument};
use crate::check_output::Delivery;
use crate::error::GraderError;
use crate::progress_bar::RunsBar;
use socklab_grader::case::load::load_case;
use socklab_grader::case::{CaseSource, plan_runs};
use socklab_grader::exit_code;
use socklab_grader::grading::address_detection::{DetectedMode, ProgramAddress, detected_mode};
use socklab_grader::grading::build::BuildSystem;
use socklab_grader::grading::run::{probe_client, probe_server};
use socklab_grader::grading::{
    ChosenMode, Facilities, ModeChoice, ProgramChoice, Replay, RunSettings, choose_mode, grade,
};
use socklab_grader::harness::process_budget::{GRADER_TASKS, ProcessBudget, TASKS_PER_RUN};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

/// Set by the Ctrl-C / SIGTERM handler before it stops the programs.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

pub fn check(arguments: CheckArgs) -> Result<i32, GraderError> {
    let delivery = Delivery::from_arguments(&arguments)?;
    let result = grade_and_deliver(arguments, &delivery);
    if let Err(error) = &result {
        delivery.no_grade(error);
    }
    result
}

/// Grades as `arguments` say and writes the result as `delivery` says.
fn grade_and_deliver(mut arguments: CheckArgs, delivery: &Delivery) -> Result<i32, GraderError> {
    let source = CaseSource::from_argument(&arguments.case);
    let mut loaded = load_case(&source).map_err(GraderError::InvalidCase)?;
    let runs =
        plan_runs(&loaded.case, &arguments.scenarios).map_err(GraderError::UnknownScenario)?;
    let chosen = mode(arguments.mode, &loaded.case)?;
    let from_submission = arguments.submission.is_some();
    let missing = match arguments.submission.take() {
        Some(dir) => crate::submission::take_programs(&loaded.case, &dir, &mut arguments)?,
        None => None,
    };
    let seed = arguments.seed.unwrap_or_else(fresh_seed);
    let replay_as_chosen = replay(&arguments, seed, chosen.mode.name());
    // A mode detected from the server's own port is found again by `--mode auto`: the
    // mode's name alone would grade on the default port.
    let replay_detected = replay(&arguments, seed, "auto");
    for (flag, command, path) in [
        ("--client", &arguments.client_cmd, &arguments.client),
        ("--server", &arguments.server_cmd, &arguments.server),
    ] {
        if let (Some(command), None) = (command, path) {
            warn_of_relative_files(flag, command);
        }
    }
    let build = arguments.build_cmd.as_deref();
    let client = choice(
        arguments.client,
        arguments.client_args,
        arguments.client_cmd,
        ("--client", build),
    )?;
    let server = choice(
        arguments.server,
        arguments.server_args,
        arguments.server_cmd,
        ("--server", build),
    )?;

    let executable =
        std::env::current_exe().map_err(|source| GraderError::OwnExecutable { source })?;
    let work =
        crate::work_dir::create().map_err(|source| GraderError::CreateWorkDirectory { source })?;
    let hidden = hidden_directories(arguments.out.as_deref(), arguments.hide)?;
    let bar = RunsBar::new(runs.len());
    let mut settings = RunSettings {
        seed,
        client,
        server,
        reference_launcher: vec![executable.display().to_string(), "reference".to_owned()],
        work_root: work.path().to_path_buf(),
        budget: arguments.budget,
        mode: chosen,
        memory_limit: arguments.memory_limit,
        hidden,
        progress: Some(bar.sink()),
        replay: replay_as_chosen,
        build_budget: arguments
            .build_budget
            .unwrap_or(socklab_grader::grading::build::DEFAULT_BUILD_BUDGET),
        build_cache: arguments.build_cache,
    };
    // Ctrl-C or SIGTERM: stop every program we started, and remove their directories
    // (exiting skips the temporary directory's destructor), before going.
    let _ = ctrlc::set_handler(move || {
        INTERRUPTED.store(true, Ordering::SeqCst);
        socklab_grader::harness::process::stop_all_now();
        crate::work_dir::remove_all_now();
        std::process::exit(exit_code::INTERRUPTED);
    });
    let detect = arguments.mode == ModeArgument::Auto
        && missing.is_none()
        && loaded.case.programs.hard_coded_port.is_none()
        && [&settings.client, &settings.server]
            .iter()
            .any(|choice| **choice != ProgramChoice::Reference);
    // After the handler: a Ctrl-C stops a probe's program too. The probe start is part
    // of the grading's time.
    let detection_started = std::time::Instant::now();
    if detect {
        let detected = detect_address(&loaded, &settings)?;
        if detected.hard_coded_port.is_some() {
            loaded.case.programs.hard_coded_port = detected.hard_coded_port;
            settings.replay = replay_detected;
        }
        settings.mode = detected.chosen;
    }
    let detection_time = detection_started.elapsed();
    let jobs = within_process_limit(
        arguments
            .jobs
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, usize::from)),
        TASKS_PER_RUN,
    );
    let report = match &missing {
        None => match grade(&loaded, &settings, &runs, jobs) {
            Err(error) if from_submission => crate::submission::unrunnable(error, &settings)
                .map(|unrunnable| unrunnable.report(&loaded, &runs, &settings)),
            graded => graded,
        }
        .map_err(|source| GraderError::Run { source }),
        Some(missing) => Ok(missing.report(&loaded, &runs, &settings)),
    };
    if INTERRUPTED.load(Ordering::SeqCst) {
        // The handler killed the programs, so this grading judged programs it killed: it
        // must not be printed, nor exit 0 or 1 (a batch would take it for a verdict). The
        // handler exits with INTERRUPTED once it has cleaned up.
        loop {
            std::thread::park();
        }
    }
    bar.clear();
    let mut report = report?;
    report.wall_time += detection_time;
    delivery.deliver(&report, &loaded.case)
}

/// `wanted` runs at once (scenarios, or `grader batch`'s submissions, each needing
/// `per_unit` tasks), lowered to what the user's process limit leaves room for, which it
/// says in one line on stderr: a low `RLIMIT_NPROC` (Autolab's 100) then slows the grading
/// rather than failing it.
pub fn within_process_limit(wanted: usize, per_unit: u64) -> usize {
    match ProcessBudget::current().fit(wanted.max(1), GRADER_TASKS, per_unit) {
        Ok(jobs) => jobs,
        Err(lowered) => {
            eprintln!("note: {lowered}");
            lowered.jobs
        }
    }
}

/// Who plays one side: `--client PATH` (a file, a directory with a build file, built with
/// `--build-cmd` if given, or with `--client-cmd` a directory or a file in it),
/// `--client-cmd` alone, or the reference.
fn choice(
    path: Option<PathBuf>,
    arguments: Option<String>,
    command: Option<String>,
    (flag, build): (&'static str, Option<&str>),
) -> Result<ProgramChoice, GraderError> {
    match (path, command) {
        (Some(file), None) => {
            if file.is_dir() {
                if BuildSystem::detect(&file).is_none() {
                    return Err(GraderError::ProgramIsDirectory { flag, dir: file });
                }
                // Canonical, so `--client D/ --server D` is one directory, built once.
                let dir = file.canonicalize().unwrap_or(file);
                return Ok(ProgramChoice::Unbuilt {
                    dir,
                    command: build.map(str::to_owned),
                    arguments,
                });
            }
            if !file.is_file() {
                return Err(GraderError::ProgramNotFound { flag, file });
            }
            let file = std::path::absolute(&file).unwrap_or(file);
            Ok(ProgramChoice::Submission { file, arguments })
        }
        (Some(path), Some(command)) => {
            // The command runs in a copy of the directory given, or of the file's.
            let dir = if path.is_dir() {
                path
            } else if path.is_file() {
                path.parent()
                    .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
            } else {
                return Err(GraderError::ProgramNotFound { flag, file: path });
            };
            let dir = std::path::absolute(&dir).unwrap_or(dir);
            Ok(ProgramChoice::Command {
                command,
                stage_from: Some(dir),
            })
        }
        (None, Some(command)) => Ok(ProgramChoice::Command {
            command,
            stage_from: None,
        }),
        (None, None) => Ok(ProgramChoice::Reference),
    }
}

/// The `grader check` command line that grades again as this one does: the case and the
/// programs as they were given, the seed, the mode chosen, and what else changes a verdict
/// (the budget, the memory limit, the hidden directories). `--jobs`, `--out` and
/// `--format` change only how it is run and shown.
fn replay(arguments: &CheckArgs, seed: u64, mode: &str) -> Replay {
    let text = |path: &PathBuf| path.to_string_lossy().into_owned();
    let mut replay = Replay::new(&arguments.case)
        .option_if("--client", arguments.client.as_ref().map(text))
        .option_if("--client-args", arguments.client_args.clone())
        .option_if("--client-cmd", arguments.client_cmd.clone())
        .option_if("--server", arguments.server.as_ref().map(text))
        .option_if("--server-args", arguments.server_args.clone())
        .option_if("--server-cmd", arguments.server_cmd.clone())
        .option_if("--build-cmd", arguments.build_cmd.clone())
        .option_if(
            "--build-budget",
            arguments
                .build_budget
                .map(|budget| humantime::format_duration(budget).to_string()),
        )
        .option("--seed", seed.to_string())
        .option("--mode", mode)
        .option_if(
            "--budget",
            arguments
                .budget
                .map(|budget| humantime::format_duration(budget).to_string()),
        )
        .option_if(
            "--memory-limit",
            arguments.memory_limit.map(|bytes| bytes.to_string()),
        );
    for hidden in &arguments.hide {
        replay = replay.option("--hide", text(hidden));
    }
    replay
}

/// A command given without its directory runs in an empty one: when a word of it names a
/// file that is here, say so before the grading fails on it, and how to run it here.
fn warn_of_relative_files(flag: &str, command: &str) {
    let words = shlex::split(command).unwrap_or_default();
    let here = words.iter().find(|word| {
        !word.starts_with('/') && !word.contains('{') && Path::new(word.as_str()).is_file()
    });
    if let Some(word) = here {
        eprintln!(
            "warning: `{word}` is in the current directory, but {flag}-cmd without {flag} runs \
             in an empty directory of its own; add `{flag} .` to run it in a copy of this one"
        );
    }
}

/// `--mode auto` for a case that names no hard-coded port: the student's server (or, graded
/// alone, client) is started once and where it puts itself picks the mode (see
/// `grading::address_detection`). A program that cannot be started at all is left to the
/// scenarios, which report it as they do.
fn detect_address(
    loaded: &socklab_grader::analyzer::LoadedCase,
    settings: &RunSettings,
) -> Result<DetectedMode, GraderError> {
    let transport = loaded.case.transport;
    let address = if settings.server == ProgramChoice::Reference {
        match probe_client(loaded, settings) {
            Ok(Some(sighting)) => sighting.address(transport),
            Ok(None) | Err(_) => ProgramAddress::Unseen,
        }
    } else {
        match probe_server(loaded, settings) {
            Ok(sighting) => sighting.address(transport),
            Err(_) => ProgramAddress::Unseen,
        }
    };
    detected_mode(&address, Facilities::probe)
        .map_err(|source| GraderError::ModeUnavailable { source })
}

/// Resolves `--mode`; `tc` is refused here unless the kernel can do it.
fn mode(
    argument: ModeArgument,
    case: &socklab_grader::analyzer::Case,
) -> Result<ChosenMode, GraderError> {
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
            return Err(GraderError::TcModeUnavailable { why });
        }
    };
    choose_mode(choice, case, Facilities::probe)
        .map_err(|source| GraderError::ModeUnavailable { source })
}

/// What no program may read: `--out` (made now, so it is there to hide) and each
/// `--hide`. What a program needs (its interpreter, its own directory) stays visible; see
/// `file_confinement::coverable`. The directory the grader runs in is not hidden by
/// default: commands given with `--client-cmd` often name files there.
fn hidden_directories(out: Option<&Path>, hide: Vec<PathBuf>) -> Result<Vec<PathBuf>, GraderError> {
    let mut hidden = hide;
    if let Some(out) = out {
        std::fs::create_dir_all(out).map_err(|source| GraderError::CreateCheckOut {
            dir: out.to_path_buf(),
            source,
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
