//! `grader`: grade socket-programming assignments.
//!
//! `main` calls [`run`] and prints its error with the causes behind it (ripgrep's pattern);
//! which exit code an error ends with is [`GraderError::process_exit_code`]'s to say, and
//! the codes are the named constants of `socklab_grader::exit_code`.

mod args;
mod batch;
mod bench;
mod check;
mod check_output;
mod children;
mod doctor;
mod error;
mod exit_policy;
mod explain;
mod lint;
mod list;
mod locate;
mod manual;
mod merge;
mod package;
mod progress_bar;
mod proxy;
mod schema;
mod submission;
mod work_dir;

use args::{Cli, Command};
use clap::Parser;
use error::GraderError;
use socklab_grader::exit_code;
use std::process::ExitCode;

fn main() -> ExitCode {
    // A bug in the grader must never look like a student's failure, nor leave their
    // programs running: stop them all and exit with the internal-error code.
    std::panic::set_hook(Box::new(|info| {
        eprintln!("error: internal error in the grader (not the submission's fault): {info}");
        socklab_grader::harness::process::stop_all_now();
        work_dir::remove_all_now();
        std::process::exit(exit_code::INTERNAL);
    }));
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            // clap prints help/version with code 0 and usage errors with code 2.
            let _ = error.print();
            return exit(if error.use_stderr() {
                exit_code::INVALID_INPUT
            } else {
                exit_code::PASSED
            });
        }
    };
    if let Command::Reference { arguments } = cli.command {
        // The grader starts reference peers as `grader reference ...`, so the kit never
        // depends on finding a second binary next to it.
        return socklab_reference::cli::run(
            std::iter::once("grader reference".into()).chain(arguments),
        );
    }
    if matches!(cli.command, Command::Check(_) | Command::Doctor(_)) {
        // Must happen while the process is single-threaded: a user namespace cannot be
        // entered later. As root this does nothing. The doctor does what `check` does, so
        // that it finds what a grading would.
        let _ = socklab_grader::netns::privileges::prepare_namespaces();
    }
    // Before any program starts: a process that leaves its program's group comes back to
    // the grader when orphaned, so it can be killed; dropped when `main` returns, the
    // guard sweeps one last time. Without it (kernels before 3.4) only the group is killed.
    let _subreaper = socklab_grader::harness::orphans::become_subreaper()
        .inspect_err(|error| eprintln!("warning: {error}"))
        .ok();
    match run(cli) {
        Ok(code) => exit(code),
        Err(error) => {
            eprint!("{}", error::describe(&error));
            exit(error.process_exit_code())
        }
    }
}

/// Runs the command; `Ok` holds the exit code of a command that did its work (a verdict's
/// `PASSED` or `FAILED`, say).
fn run(cli: Cli) -> Result<i32, GraderError> {
    match cli.command {
        Command::Check(arguments) => check::check(*arguments),
        Command::Batch(arguments) => batch::batch(arguments),
        Command::Merge(arguments) => merge::merge(arguments),
        Command::Locate(arguments) => locate::locate(arguments),
        Command::Proxy(arguments) => proxy::proxy(arguments),
        Command::Bench(arguments) => bench::bench(arguments),
        Command::Lint(arguments) => lint::lint(arguments),
        Command::Doctor(arguments) => doctor::doctor(arguments),
        Command::Package(arguments) => package::package(arguments),
        Command::Schema(arguments) => schema::schema(arguments),
        Command::List => list::list(),
        Command::Explain(arguments) => explain::explain(arguments),
        Command::Completions { shell } => manual::completions(shell),
        Command::Man { subcommand } => manual::man(subcommand.as_deref()),
        Command::Reference { .. } => Ok(exit_code::PASSED),
    }
}

fn exit(code: i32) -> ExitCode {
    ExitCode::from(u8::try_from(code).unwrap_or(u8::MAX))
}
