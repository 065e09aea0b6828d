//! Starting a program of the run: its command line (staging a submission first), then its
//! process, with its directory, network, limits, stdin and stdout.

use super::addressing::Addressing;
use super::bind_gates::BindGates;
use super::directories::RunDirs;
use super::error::RunError;
use super::settings::RunSettings;
use crate::analyzer::Case;
use crate::case::{ProgramInput, ProgramOutput, ProgramTemplates};
use crate::evidence::{Role, Transcript};
use crate::grading::program::ProgramChoice;
use crate::harness::limits::Limits;
use crate::harness::process::{ProgramSpec, RunningProgram, SpawnError, StdinInput, StopReason};
use crate::harness::template::Placeholders;
use std::net::Ipv4Addr;
use std::path::Path;
use std::time::{Duration, Instant};

/// Between SIGTERM and SIGKILL, when the grader stops a program.
pub(super) const GRACE: Duration = Duration::from_millis(200);

/// `role`'s command line, told the server's address and the scenario's file; a
/// submission is staged into `dir` first.
pub(super) fn command_line(
    role: Role,
    settings: &RunSettings,
    case: &Case,
    dir: &Path,
    address: (Ipv4Addr, u16),
    file: Option<&str>,
) -> Result<Vec<String>, RunError> {
    let values = placeholders(dir, address, file);
    let (choice, templates) = chosen(role, settings, case);
    choice
        .command_line(templates, &settings.reference_launcher, dir, &values)
        .map_err(|source| RunError::CommandLine { role, source })
}

/// What the placeholders stand for, for a program in `dir` told `(host, port)` and the
/// scenario's `file`: the same in its command line and in the lines typed to it.
pub(super) fn placeholders(
    dir: &Path,
    (host, port): (Ipv4Addr, u16),
    file: Option<&str>,
) -> Placeholders {
    Placeholders {
        host: Some(host.to_string()),
        port: Some(port.to_string()),
        file: file.map(str::to_owned),
        dir: Some(dir.display().to_string()),
    }
}

/// Ends a program the run is over with: collects it if it exited by itself, else stops it
/// (SIGTERM, [`GRACE`], SIGKILL) for `reason`.
pub(super) fn end(program: RunningProgram, reason: StopReason) -> Transcript {
    if program.has_exited() {
        program.finish()
    } else {
        program.stop(GRACE, reason)
    }
}

/// What every program of one run is started with; each role's own part is looked up by
/// its role.
#[derive(Debug)]
pub(super) struct Launcher<'a> {
    pub settings: &'a RunSettings,
    pub case: &'a Case,
    pub dirs: &'a RunDirs,
    pub addressing: &'a Addressing,
    /// Transparent mode, UDP: where each program's binds wait for their mirror.
    pub bind_gates: Option<&'a BindGates>,
    /// The scenario clock's origin: output is stamped with the time since.
    pub origin: Instant,
}

impl Launcher<'_> {
    /// Starts `role` with `argv`. `typed` is what the grader types to it, `file` the
    /// scenario file's bytes for a program that reads that on stdin instead.
    pub fn start(
        &self,
        role: Role,
        argv: Vec<String>,
        typed: Option<StdinInput>,
        file: Option<&[u8]>,
    ) -> Result<RunningProgram, RunError> {
        let (_, templates) = chosen(role, self.settings, self.case);
        // Every program runs under the default limits, but for a memory limit given on
        // the command line.
        let mut limits = Limits::default();
        if let Some(memory_limit) = self.settings.memory_limit {
            limits.address_space = memory_limit;
        }
        let program = argv.first().cloned().unwrap_or_default();
        let dir = self.dirs.of(role).to_path_buf();
        let spec = ProgramSpec {
            argv,
            dir: dir.clone(),
            // Set after the scrubbed environment (preload mode's socket_wrapper variables).
            extra_env: self.addressing.environment(role),
            stdin: self.stdin(role, templates, typed, file),
            stdout_file: (templates.stdout == ProgramOutput::ReceivedFile)
                .then(|| self.dirs.stdout_path(role)),
            // Hidden from it but for its own directory: the grader's work directory.
            private_root: Some(self.settings.work_root.clone()),
            hidden: self.settings.hidden.clone(),
            output_cap: ProgramSpec::DEFAULT_OUTPUT_CAP,
            network_namespace: self.addressing.namespace_of(role),
            limits,
            bind_gate: self.bind_gates.map(|gates| gates.of(role).clone()),
        };
        RunningProgram::spawn(&spec, self.origin).map_err(|error| RunError::Spawn {
            role,
            message: why_not_started(role, &program, &dir, &error),
            program,
        })
    }

    /// What `role` finds on its stdin: what is typed (after its answer to which role it
    /// plays, for a submission whose case asks), or the scenario's file.
    fn stdin(
        &self,
        role: Role,
        templates: &ProgramTemplates,
        typed: Option<StdinInput>,
        file: Option<&[u8]>,
    ) -> Option<StdinInput> {
        let (choice, _) = chosen(role, self.settings, self.case);
        // The built-in reference peer asks no role.
        let runs_reference = matches!(choice, ProgramChoice::Reference);
        match (templates.stdin, &templates.role_answer) {
            (ProgramInput::Keyboard, Some(answer)) if !runs_reference => {
                Some(StdinInput::after_answer(answer, typed))
            }
            (ProgramInput::Keyboard, _) => typed,
            (ProgramInput::ScenarioFile, _) => file.map(|bytes| StdinInput::Whole(bytes.to_vec())),
        }
    }
}

/// Why `program` could not be started at all, in words that say what to fix: a name not
/// on `PATH` (an interpreter that is not installed), a path that is not there, a script
/// whose `#!` line names an interpreter that is not there, a file that is not executable;
/// else the system's own reason. `dir` is where it was started.
fn why_not_started(role: Role, program: &str, dir: &Path, error: &SpawnError) -> String {
    let SpawnError::Start { source, .. } = error else {
        return error.to_string();
    };
    match source.kind() {
        std::io::ErrorKind::NotFound if !program.contains('/') => {
            format!("no program `{program}` on PATH: is it installed? ({source})")
        }
        // The file is there, so what is missing is the interpreter its `#!` line names.
        std::io::ErrorKind::NotFound if dir.join(program).is_file() => {
            match first_line(&dir.join(program)) {
                Some(line) => format!(
                    "`{program}` is there, but its first line `{line}` names an interpreter \
                     that is not installed ({source})"
                ),
                // An executable whose dynamic loader is missing (built for another system).
                None => format!(
                    "`{program}` is there, but the loader it needs is not installed: was it \
                     built for another system? ({source})"
                ),
            }
        }
        std::io::ErrorKind::NotFound if program.starts_with('/') => {
            format!("there is no file `{program}` ({source})")
        }
        std::io::ErrorKind::NotFound => format!(
            "there is no file `{program}` (a relative path is looked up in the {role}'s \
             directory: a copy of the one given with --{role}, else an empty one) ({source})"
        ),
        std::io::ErrorKind::PermissionDenied => {
            format!("`{program}` is not executable ({source})")
        }
        _ => error.to_string(),
    }
}

/// The `#!` line of `file` (within the few hundred bytes the kernel reads of one), for a
/// message; `None` when it has none.
fn first_line(file: &Path) -> Option<String> {
    use std::io::Read as _;
    let mut head = Vec::with_capacity(256);
    let _ = std::fs::File::open(file).and_then(|opened| opened.take(256).read_to_end(&mut head));
    let text = String::from_utf8_lossy(&head);
    let line = text.lines().next()?.trim_end();
    line.starts_with("#!").then(|| line.to_owned())
}

/// Who plays `role`, and the case's templates for that side.
fn chosen<'a>(
    role: Role,
    settings: &'a RunSettings,
    case: &'a Case,
) -> (&'a ProgramChoice, &'a ProgramTemplates) {
    match role {
        Role::Client => (&settings.client, &case.programs.client),
        Role::Server => (&settings.server, &case.programs.server),
    }
}
