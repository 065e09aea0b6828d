//! One running program: started in a scrubbed environment, under resource limits, in a
//! session and process group of its own, watched without polling, and stopped so that
//! nothing of it is left behind.
//!
//! A submission may ignore SIGTERM, fork helpers, detach a grandchild, print without end
//! or never exit; none of that may hang the grader or outlive the scenario. So every
//! program leads its own session (and so its own group) and is always stopped by
//! signalling the whole group, what escaped the group is swept up when it ends
//! ([`super::orphans`]), a registry of live groups lets Ctrl-C kill them all, and dropping
//! a [`RunningProgram`] kills its group too.

use crate::evidence::{CpuWait, ExitReason, Line, Stream, Transcript};
use crate::harness::bind_gate::BindGate;
use crate::harness::exit_bell::ExitBell;
use crate::harness::group::{abandon, reap_leader, registry, signal_group};
use crate::harness::limits::{KernelLimits, Limits};
use crate::harness::orphans::sweep_after;
use crate::harness::output::{Capture, Collected};
use crate::harness::pids_cgroup::PidsCgroup;
pub use crate::harness::stdin_feed::StdinInput;
use crate::harness::syscall_watch::{Supervisor, SyscallWatch};
use crate::netns::NetNamespace;
use nix::sys::signal::Signal;
use std::io::{self, Read};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::PathBuf;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};
use thiserror::Error;

/// [`group::stop_all_now`](crate::harness::group::stop_all_now) (for Ctrl-C, just before
/// the grader exits), then removes the programs' pids cgroups: their owners, on other
/// threads, never get to drop them.
pub fn stop_all_now() {
    crate::harness::group::stop_all_now();
    crate::harness::pids_cgroup::remove_all_now();
}

/// What to run and how.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProgramSpec {
    pub argv: Vec<String>,
    /// The working directory, and `HOME`: the program's own fresh copy of the submission.
    pub dir: PathBuf,
    /// Set after the scrubbed environment, so these win.
    pub extra_env: Vec<(String, String)>,
    /// Typed on the program's stdin, which is then closed; `None` gives it `/dev/null`.
    pub stdin: Option<StdinInput>,
    /// Bytes kept per output stream; the rest is counted.
    pub output_cap: usize,
    /// The network namespace the program runs in (transparent and tc modes); `None`: the
    /// grader's own. Held here so it outlives the spawn.
    pub network_namespace: Option<Arc<NetNamespace>>,
    /// The resource limits it runs under.
    pub limits: Limits,
    /// Where its stdout goes instead of the transcript (`program > FILE`): created afresh,
    /// outside the program's directory, and capped by its file-size limit.
    pub stdout_file: Option<PathBuf>,
    /// A directory above `dir` whose other contents the program must not see (the
    /// grader's work directory: the other program's directory, the grader's own files).
    pub private_root: Option<PathBuf>,
    /// Directories the program must not read at all (the grader's own directory, its
    /// `--out`, a class's submissions), each covered whole where that hides nothing the
    /// program needs (see `file_confinement::coverable`).
    pub hidden: Vec<PathBuf>,
    /// Where its watch announces each UDP bind and waits for the port's mirror
    /// (transparent mode, UDP); `None`: binds are only recorded.
    pub bind_gate: Option<BindGate>,
}

impl ProgramSpec {
    /// The memory each of a program's output streams may take in the grader: its lines'
    /// text and a 48-byte record per line. A program's log is kilobytes; this is what a
    /// flood of output costs, once per stream and run, and every run of a `grader check`
    /// is kept until its report is written.
    pub const DEFAULT_OUTPUT_CAP: usize = 2 << 20;

    /// A spec with no extra environment, no stdin, the default output cap and the
    /// default limits.
    pub fn new(argv: Vec<String>, dir: PathBuf) -> Self {
        ProgramSpec {
            argv,
            dir,
            extra_env: Vec::new(),
            stdin: None,
            output_cap: Self::DEFAULT_OUTPUT_CAP,
            network_namespace: None,
            limits: Limits::default(),
            stdout_file: None,
            private_root: None,
            hidden: Vec::new(),
            bind_gate: None,
        }
    }
}

/// Why the grader stops a program that is still running.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopReason {
    /// The scenario is over (a server that runs until stopped ends this way).
    Complete,
    /// The program ran past its deadline.
    Deadline,
}

/// How to end a program, for [`RunningProgram::end`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ending {
    /// SIGTERM to the group, `grace` to exit, then SIGKILL.
    Stop { grace: Duration, why: StopReason },
    /// The program exited by itself: kill what is left of its group and collect.
    Finish,
}

#[derive(Debug, Error)]
pub enum SpawnError {
    #[error("cannot start a program from an empty command line")]
    EmptyCommand,
    #[error("cannot start `{program}` in {}: {source}", dir.display())]
    Start {
        program: String,
        dir: PathBuf,
        source: io::Error,
    },
    #[error("cannot start the threads that watch `{program}`: {source}")]
    Threads { program: String, source: io::Error },
    #[error("the grader is stopping: no program may start")]
    Stopping,
}

/// A started program. End it with [`stop`](Self::stop) or [`finish`](Self::finish) to get
/// its transcript; dropping it instead kills its process group.
#[derive(Debug)]
pub struct RunningProgram {
    command: Vec<String>,
    /// The inode of the network namespace it runs in, when not the grader's.
    network_namespace: Option<u64>,
    /// The address-space limit it runs under, for the report.
    memory_limit: u64,
    /// The pids cgroup it and all it forks run in, where one can be made; removed (and
    /// what is left in it killed) when it ends, or when this is dropped.
    pids_cgroup: Option<PidsCgroup>,
    /// What serves its syscall watch, where seccomp allows one; finished when it ends,
    /// or stopped when this is dropped.
    syscalls: Option<Supervisor>,
    pid: u32,
    origin: Instant,
    exit: Arc<ExitWatch>,
    capture: Capture,
    ended: bool,
}

impl RunningProgram {
    /// Starts `spec.argv` in `spec.dir`; output is stamped with the time since `origin`.
    ///
    /// The environment is emptied, then given `PATH` (inherited), `HOME` (the program's
    /// directory), `LANG=C.UTF-8`, `TERM=dumb`, Python's `PYTHONUNBUFFERED=1` (so lines
    /// arrive when printed, not when a buffer fills) and `PYTHONDONTWRITEBYTECODE=1`, then
    /// `spec.extra_env`. With `spec.network_namespace` it runs in that namespace. It leads
    /// a session of its own, under `spec.limits`. Where seccomp allows, its writes outside
    /// `spec.dir` and its binds are watched ([`super::syscall_watch`]) and end up in its
    /// transcript's `attempts`.
    pub fn spawn(spec: &ProgramSpec, origin: Instant) -> Result<Self, SpawnError> {
        let Some(program) = spec.argv.first() else {
            return Err(SpawnError::EmptyCommand);
        };
        let (mut command, pids_cgroup) = prepare_command(spec, program)?;
        // Last of the hooks, so the steps above are neither watched nor slowed by it.
        let watch = SyscallWatch::prepare();
        if let Some(watch) = &watch {
            watch.install_before_exec(&mut command);
        }

        // Registered under the registry's lock, so neither a Ctrl-C nor a sweep for
        // orphans in between can miss it or take it for an orphan.
        let mut registry = registry();
        if registry.closed {
            return Err(SpawnError::Stopping);
        }
        let mut child = command.spawn().map_err(|source| SpawnError::Start {
            program: program.clone(),
            dir: spec.dir.clone(),
            source,
        })?;
        let pid = child.id();
        registry.register(pid);
        drop(registry);

        let threads_failed = |source| {
            abandon(pid);
            SpawnError::Threads {
                program: program.clone(),
                source,
            }
        };
        // Served at once: until then, a watched call of the program waits.
        let syscalls = match watch {
            Some(watch) => watch
                .supervise(&spec.dir, origin, spec.bind_gate.clone())
                .map_err(&threads_failed)?,
            None => None,
        };
        let missing_pipe = || io::Error::other("output pipe missing");
        let mut streams: Vec<(Stream, Box<dyn Read + Send>)> = Vec::new();
        // A stdout that goes to a file has no pipe.
        if spec.stdout_file.is_none() {
            match child.stdout.take() {
                Some(stdout) => streams.push((Stream::Stdout, Box::new(stdout))),
                None => return Err(threads_failed(missing_pipe())),
            }
        }
        match child.stderr.take() {
            Some(stderr) => streams.push((Stream::Stderr, Box::new(stderr))),
            None => return Err(threads_failed(missing_pipe())),
        }
        let capture = Capture::start(streams, origin, spec.output_cap).map_err(&threads_failed)?;

        if let (Some(input), Some(pipe)) = (spec.stdin.clone(), child.stdin.take()) {
            let output = capture.watch();
            std::thread::Builder::new()
                .name("socklab-stdin".to_owned())
                .spawn(move || super::stdin_feed::feed(pipe, input, &output))
                .map_err(&threads_failed)?;
        }

        let exit = watch_exit(child, pid, origin).map_err(&threads_failed)?;

        Ok(RunningProgram {
            command: spec.argv.clone(),
            network_namespace: spec
                .network_namespace
                .as_ref()
                .map(|namespace| namespace.inode()),
            memory_limit: spec.limits.address_space,
            pids_cgroup,
            syscalls,
            pid,
            origin,
            exit,
            capture,
            ended: false,
        })
    }

    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// The command line being run.
    pub fn command(&self) -> &[String] {
        &self.command
    }

    /// Blocks until the program exits (true) or `deadline` passes (false).
    pub fn wait_until(&self, deadline: Instant) -> bool {
        self.exit.wait_until(deadline)
    }

    pub fn has_exited(&self) -> bool {
        self.exit.lock().is_some()
    }

    /// Rings `bell` when the program exits (at once if it already has).
    pub fn ring_on_exit(&self, bell: &Arc<ExitBell>) {
        self.exit.hang(Arc::clone(bell));
    }

    /// When the latest output line was read, since the origin.
    pub fn last_activity(&self) -> Option<Duration> {
        self.capture.last_activity()
    }

    /// The output lines kept so far, from index `start` on (pass the number already seen).
    pub fn lines_since(&self, start: usize) -> Vec<Line> {
        self.capture.lines_since(start)
    }

    /// Blocks until at least `count` output lines are kept (true), or its output ended or
    /// `deadline` passed with fewer (false). Output ends soon after the program exits,
    /// unless a process that escaped its group still holds it.
    pub fn wait_for_lines(&self, count: usize, deadline: Instant) -> bool {
        self.capture.wait_for_lines(count, deadline)
    }

    /// Stops the program: SIGTERM to its group, up to `grace` to exit, then SIGKILL.
    pub fn stop(self, grace: Duration, why: StopReason) -> Transcript {
        self.end(Ending::Stop { grace, why })
    }

    /// Collects a program that exited by itself, killing whatever it left running in its
    /// group. A program still running is killed at once, as stopped by the grader.
    pub fn finish(self) -> Transcript {
        self.end(Ending::Finish)
    }

    /// [`stop`](Self::stop) or [`finish`](Self::finish), as `ending` says.
    ///
    /// `ended_at` is when the leader's exit was seen; lines are stamped when they were
    /// read, so the last few may be stamped a little after it.
    pub fn end(mut self, ending: Ending) -> Transcript {
        let exited_by_itself = self.has_exited();
        let mut ignored_sigterm = false;
        let stopped_at = (!exited_by_itself).then(|| self.origin.elapsed());
        if !exited_by_itself {
            match ending {
                Ending::Stop { grace, .. } => {
                    signal_group(self.pid, Signal::SIGTERM);
                    if !self.wait_until(Instant::now() + grace) {
                        ignored_sigterm = true;
                        signal_group(self.pid, Signal::SIGKILL);
                    }
                }
                Ending::Finish => signal_group(self.pid, Signal::SIGKILL),
            }
            self.wait_until(Instant::now() + LEADER_EXIT_LIMIT);
        }
        // Whatever else of the group is still alive (background helpers) goes now, then
        // whatever left the group; killed before the output is collected, so their copies
        // of its pipes close.
        signal_group(self.pid, Signal::SIGKILL);
        registry().live.remove(&self.pid);
        let escaped_killed = sweep_after(self.pid);
        // Last, for whatever escaped both (its refusals are read before it goes). A cgroup
        // that cannot be removed is left to the Ctrl-C path's retry; the program's grade
        // does not depend on it.
        let pids_limit_hit = self.pids_cgroup.take().is_some_and(|cgroup| {
            let hit = cgroup.limit_hit();
            let _ = cgroup.remove();
            hit
        });
        // Once all of it is dead, so no watched call is left to fail for want of an answer.
        let attempts = self
            .syscalls
            .take()
            .map(Supervisor::finish)
            .unwrap_or_default();
        self.ended = true;

        let Collected {
            lines,
            dropped_stdout_bytes,
            dropped_stderr_bytes,
            complete,
        } = self.capture.collect(Instant::now() + OUTPUT_DRAIN_LIMIT);
        let recorded = *self.exit.lock();
        let exit = match (&recorded, ending) {
            (Some(exit), _) if exited_by_itself => exit_reason(exit.status),
            (_, Ending::Stop { why, .. }) => match why {
                StopReason::Complete => ExitReason::StoppedByGrader,
                StopReason::Deadline => ExitReason::DeadlineExceeded,
            },
            (_, Ending::Finish) => ExitReason::StoppedByGrader,
        };
        // A leader stuck in the kernel past the limit has no exit time; now is the best
        // answer there is.
        let ended_at = recorded.map_or_else(|| self.origin.elapsed(), |exit| exit.at);
        Transcript {
            command: self.command.clone(),
            pid: Some(self.pid),
            network_namespace: self.network_namespace,
            lines,
            dropped_stdout_bytes,
            dropped_stderr_bytes,
            exit: Some(exit),
            ended_at: Some(ended_at),
            stopped_at,
            output_incomplete: !complete,
            cpu_wait: recorded.and_then(|exit| exit.cpu_wait),
            peak_memory_kib: recorded.and_then(|exit| exit.peak_memory_kib),
            memory_limit: Some(self.memory_limit),
            escaped_killed,
            ignored_sigterm,
            pids_limit_hit,
            attempts,
        }
    }
}

/// The command that starts `spec`'s `program` as [`RunningProgram::spawn`] describes, with
/// every hook that runs between fork and exec but the syscall watch, and the pids cgroup it
/// joins.
fn prepare_command(
    spec: &ProgramSpec,
    program: &str,
) -> Result<(Command, Option<PidsCgroup>), SpawnError> {
    let start_error = |source| SpawnError::Start {
        program: program.to_owned(),
        dir: spec.dir.clone(),
        source,
    };
    let path = std::env::var_os("PATH").unwrap_or_else(|| DEFAULT_PATH.into());
    let mut command = Command::new(program);
    command
        .args(&spec.argv[1..])
        .current_dir(&spec.dir)
        .env_clear()
        .env("PATH", &path)
        .env("HOME", &spec.dir)
        .env("LANG", "C.UTF-8")
        .env("TERM", "dumb")
        .env("PYTHONUNBUFFERED", "1")
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .envs(spec.extra_env.iter().map(|(name, value)| (name, value)))
        .stdin(match spec.stdin {
            Some(_) => Stdio::piped(),
            None => Stdio::null(),
        })
        .stdout(match &spec.stdout_file {
            Some(path) => Stdio::from(std::fs::File::create(path).map_err(start_error)?),
            None => Stdio::piped(),
        })
        .stderr(Stdio::piped());
    if let Some(namespace) = &spec.network_namespace {
        // Entered between fork and exec, so the program's first socket is already in
        // the namespace; the command holds its own handle of it until then.
        namespace
            .enter_before_exec(&mut command)
            .map_err(start_error)?;
    }

    lead_own_session_within(&mut command, spec.limits.resolve());
    // Joined before the file confinement below turns /sys/fs/cgroup read-only.
    let pids_cgroup = PidsCgroup::create(spec.limits.max_pids);
    if let Some(cgroup) = &pids_cgroup {
        cgroup.join_before_exec(&mut command);
    }
    if super::file_confinement::file_confinement_available() {
        // It may write in its own directory and nowhere else.
        // What it runs, and any file its command line names by absolute path (a
        // `--client-cmd "python3 /course/solution.py"`), must stay visible.
        let needed: Vec<PathBuf> = resolve_executable(program, &path)
            .into_iter()
            .chain(
                spec.argv[1..]
                    .iter()
                    .filter(|argument| argument.starts_with('/'))
                    .map(PathBuf::from),
            )
            .collect();
        let covered = super::file_confinement::coverable(&spec.hidden, &spec.dir, &needed, &path);
        super::file_confinement::confine_before_exec(
            &mut command,
            &spec.dir,
            spec.private_root.as_deref(),
            &covered,
        )
        .map_err(start_error)?;
    }
    Ok((command, pids_cgroup))
}

/// Waits for the program's exit on a thread of its own, and records it.
fn watch_exit(child: std::process::Child, pid: u32, origin: Instant) -> io::Result<Arc<ExitWatch>> {
    let exit = Arc::new(ExitWatch::default());
    let watch = Arc::clone(&exit);
    std::thread::Builder::new()
        .name("socklab-wait".to_owned())
        .spawn(move || {
            // Read while the child is a zombie: reaping it removes its statistics.
            let cpu_wait = super::cpu_wait::cpu_wait_at_exit(pid);
            let at = origin.elapsed();
            // `None` only if something else reaped the child; then its status is lost.
            let reaped = reap_leader(pid, || super::cpu_wait::reap_with_peak_memory(pid));
            // The std handle's pid is reaped now; dropping it neither waits nor kills.
            drop(child);
            watch.record(Exit {
                status: reaped.map(|(status, _)| status),
                at,
                cpu_wait,
                peak_memory_kib: reaped.map(|(_, peak)| peak),
            });
        })?;
    Ok(exit)
}

impl Drop for RunningProgram {
    fn drop(&mut self) {
        if !self.ended {
            signal_group(self.pid, Signal::SIGKILL);
            registry().live.remove(&self.pid);
            // The leader's children become the grader's when it dies, and only then can
            // the sweep find what escaped.
            self.wait_until(Instant::now() + LEADER_EXIT_LIMIT);
            sweep_after(self.pid);
        }
    }
}

/// Makes the child lead a session of its own (so its own process group, and no
/// controlling terminal) and sets its limits, between fork and exec. A new session, not
/// only a group: nothing outside it can join it, which is how a sweep tells what descends
/// from a program from what else the grader runs.
#[expect(
    unsafe_code,
    reason = "a new session and resource limits must be set between fork and exec"
)]
fn lead_own_session_within(command: &mut Command, limits: KernelLimits) {
    // SAFETY: the closure runs in the forked child, where only async-signal-safe calls
    // are allowed: `setsid` and `setrlimit` are plain system calls, on values computed
    // before the fork; nothing allocates or takes a lock (an `io::Error` from an errno
    // does not allocate).
    unsafe {
        command.pre_exec(move || {
            nix::unistd::setsid()?;
            limits.apply()
        });
    }
}

/// Where `program` is: itself when it names a path, else the first match in `path`.
fn resolve_executable(program: &str, path: &std::ffi::OsStr) -> Option<PathBuf> {
    if program.contains('/') {
        return Some(PathBuf::from(program));
    }
    std::env::split_paths(path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}

/// How long a killed leader may take to be reaped before the grader moves on.
const LEADER_EXIT_LIMIT: Duration = Duration::from_secs(2);

/// How long to wait for the output pipes to close once the group is dead; only a process
/// that escaped the group can hold them longer.
const OUTPUT_DRAIN_LIMIT: Duration = Duration::from_millis(500);

/// For the unusual grader started without a `PATH`.
const DEFAULT_PATH: &str = "/usr/local/bin:/usr/bin:/bin";

fn exit_reason(status: Option<ExitStatus>) -> ExitReason {
    match status {
        Some(status) => match (status.code(), status.signal()) {
            (Some(code), _) => ExitReason::Exited { code },
            (None, Some(signal)) => ExitReason::Signalled { signal },
            (None, None) => ExitReason::Exited { code: -1 },
        },
        // The status was lost (see the waiter thread); -1 is no real exit code.
        None => ExitReason::Exited { code: -1 },
    }
}

/// The leader's exit, as seen by the thread that waits for it.
#[derive(Clone, Copy, Debug)]
struct Exit {
    status: Option<ExitStatus>,
    at: Duration,
    cpu_wait: Option<CpuWait>,
    peak_memory_kib: Option<u64>,
}

#[derive(Debug, Default)]
struct ExitWatch {
    exit: Mutex<Option<Exit>>,
    exited: Condvar,
    /// Rung after the exit is recorded.
    bells: Mutex<Vec<Arc<ExitBell>>>,
}

impl ExitWatch {
    fn lock(&self) -> MutexGuard<'_, Option<Exit>> {
        self.exit.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn record(&self, exit: Exit) {
        *self.lock() = Some(exit);
        self.exited.notify_all();
        // After the exit is set: a bell hung from now on sees it and rings itself.
        for bell in self
            .bells
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
        {
            bell.ring();
        }
    }

    fn hang(&self, bell: Arc<ExitBell>) {
        // Hung before the exit is read: an exit recorded in between rings it either way.
        self.bells
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(Arc::clone(&bell));
        if self.lock().is_some() {
            bell.ring();
        }
    }

    fn wait_until(&self, deadline: Instant) -> bool {
        let timeout = deadline.saturating_duration_since(Instant::now());
        let (exit, _) = self
            .exited
            .wait_timeout_while(self.lock(), timeout, |exit| exit.is_none())
            .unwrap_or_else(PoisonError::into_inner);
        exit.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::harness::group::is_live;
    use crate::harness::test_programs::{
        BUDGET, eventually, first_line, is_gone, sh, start, texts,
    };
    use std::path::Path;

    #[test]
    fn captures_both_streams_with_timestamps_and_the_exit_code() {
        // The second line waits for a file the test creates after seeing the first, so
        // the two are read at different times without the test sleeping.
        let (dir, spec) = sh(
            "echo one; echo warn >&2; while [ ! -e go ]; do :; done; printf 'two\\r\\nend'; exit 3",
        );
        let program = start(&spec);
        assert!(program.wait_for_lines(2, Instant::now() + BUDGET));
        let first_seen = program.last_activity().unwrap();
        std::fs::write(dir.path().join("go"), "").unwrap();
        assert!(program.wait_until(Instant::now() + BUDGET));
        let transcript = program.finish();

        assert_eq!(texts(&transcript, Stream::Stdout), ["one", "two", "end"]);
        assert_eq!(texts(&transcript, Stream::Stderr), ["warn"]);
        assert_eq!(transcript.exit, Some(ExitReason::Exited { code: 3 }));
        assert_eq!(transcript.command, spec.argv);
        let stamps: Vec<Duration> = transcript.lines.iter().map(|line| line.at).collect();
        assert!(
            stamps.windows(2).all(|pair| pair[0] <= pair[1]),
            "{stamps:?}"
        );
        let two = transcript.stream(Stream::Stdout).nth(1).unwrap();
        assert!(two.at > first_seen);
        // Lines are stamped when read, so the last may come a little after the exit.
        assert!(transcript.ended_at.unwrap() > first_seen);
    }

    #[test]
    fn output_past_the_cap_is_counted_not_kept() {
        let (_dir, mut spec) =
            sh("head -c 3000000 /dev/zero | tr '\\0' 'y' | fold -w 99; echo bad >&2");
        spec.output_cap = 1000;
        let program = start(&spec);
        assert!(program.wait_until(Instant::now() + BUDGET));
        let transcript = program.finish();
        // Each kept line costs its text and its 48-byte record: six whole lines of 99
        // (6 × 147 = 882 bytes), then the first 70 bytes of the seventh (70 + 48 = 118).
        let kept: Vec<usize> = transcript
            .stream(Stream::Stdout)
            .map(|line| line.text.len())
            .collect();
        assert_eq!(kept, [99, 99, 99, 99, 99, 99, 70]);
        let record = std::mem::size_of::<crate::evidence::Line>();
        assert_eq!(kept.iter().map(|text| text + record).sum::<usize>(), 1000);
        // Everything printed but the six whole lines (with their newlines) and the prefix.
        assert_eq!(
            transcript.dropped_stdout_bytes,
            3_000_000 + 30_303 - 6 * 100 - 70
        );
        assert_eq!(texts(&transcript, Stream::Stderr), ["bad"]);
    }

    #[test]
    fn stdout_to_a_file_keeps_every_byte_and_stderr_still_reaches_the_transcript() {
        let (dir, mut spec) = sh("cat; echo logged >&2");
        let received = dir.path().join("received");
        spec.stdout_file = Some(received.clone());
        let bytes: Vec<u8> = (0..=255).chain([0, 0]).collect();
        spec.stdin = Some(StdinInput::Whole(bytes.clone()));
        let program = start(&spec);
        assert!(program.wait_until(Instant::now() + BUDGET));
        let transcript = program.finish();
        assert_eq!(std::fs::read(&received).unwrap(), bytes);
        assert_eq!(texts(&transcript, Stream::Stderr), ["logged"]);
        assert!(texts(&transcript, Stream::Stdout).is_empty());
    }

    #[test]
    fn a_bell_hung_on_two_programs_rings_when_the_first_exits() {
        let (_dir, quick) = sh("exit 0");
        let (_dir2, slow) = sh("sleep 30");
        let bell = Arc::new(ExitBell::default());
        let slow = start(&slow);
        let quick = start(&quick);
        slow.ring_on_exit(&bell);
        quick.ring_on_exit(&bell);
        assert!(bell.wait_until(Instant::now() + BUDGET, || {
            quick.has_exited() || slow.has_exited()
        }));
        assert!(quick.has_exited() && !slow.has_exited());
        drop(slow.stop(Duration::from_millis(100), StopReason::Complete));
    }

    #[test]
    fn stdin_is_delivered_then_closed() {
        let (_dir, mut spec) = sh("cat; echo done");
        spec.stdin = Some(StdinInput::Whole(b"hello\nworld\n".to_vec()));
        let program = start(&spec);
        assert!(program.wait_until(Instant::now() + BUDGET));
        let transcript = program.finish();
        assert_eq!(
            texts(&transcript, Stream::Stdout),
            ["hello", "world", "done"]
        );
    }

    /// Prints `early` when the second line is already waiting before the second prompt.
    const PROMPTED: &str = "printf 'first? '; read a; \
         if read -t 0; then echo early; fi; printf 'second? '; read b; echo \"$a $b\"";

    #[test]
    fn after_prompt_types_each_line_only_once_prompted() {
        let (_dir, mut spec) = sh("");
        spec.argv = ["bash", "-c", PROMPTED].map(str::to_owned).to_vec();
        spec.stdin = Some(StdinInput::after_prompt(&["one", "two"], BUDGET));
        let program = start(&spec);
        assert!(program.wait_until(Instant::now() + BUDGET));
        assert_eq!(
            texts(&program.finish(), Stream::Stdout),
            ["first? second? one two"]
        );
    }

    #[test]
    fn whole_input_is_waiting_before_any_prompt() {
        let (_dir, mut spec) = sh("");
        spec.argv = ["bash", "-c", PROMPTED].map(str::to_owned).to_vec();
        spec.stdin = Some(StdinInput::Whole(b"one\ntwo\n".to_vec()));
        let program = start(&spec);
        assert!(program.wait_until(Instant::now() + BUDGET));
        assert_eq!(
            texts(&program.finish(), Stream::Stdout),
            ["first? early", "second? one two"]
        );
    }

    #[test]
    fn a_program_that_never_prompts_still_gets_its_lines() {
        let (_dir, mut spec) = sh("read a; read b; echo \"$a $b\"");
        spec.stdin = Some(StdinInput::after_prompt(
            &["one", "two"],
            Duration::from_millis(20),
        ));
        let program = start(&spec);
        assert!(program.wait_until(Instant::now() + BUDGET));
        assert_eq!(texts(&program.finish(), Stream::Stdout), ["one two"]);
    }

    #[test]
    fn stdin_is_empty_without_a_script() {
        let (_dir, spec) = sh("cat; echo done");
        let program = start(&spec);
        assert!(program.wait_until(Instant::now() + BUDGET));
        assert_eq!(texts(&program.finish(), Stream::Stdout), ["done"]);
    }

    #[test]
    fn environment_is_scrubbed_and_cwd_is_the_directory() {
        let (dir, mut spec) = sh(
            "pwd; echo \"$HOME|$LANG|$TERM|$PYTHONUNBUFFERED|$PYTHONDONTWRITEBYTECODE\"; \
             echo \"${CARGO_MANIFEST_DIR-unset}|$SOCKLAB_SEED\"",
        );
        spec.extra_env = vec![("SOCKLAB_SEED".to_owned(), "42".to_owned())];
        let program = start(&spec);
        assert!(program.wait_until(Instant::now() + BUDGET));
        let transcript = program.finish();
        let dir = dir.path().canonicalize().unwrap();
        let dir = dir.to_str().unwrap();
        assert_eq!(
            texts(&transcript, Stream::Stdout),
            [dir, &format!("{dir}|C.UTF-8|dumb|1|1"), "unset|42"]
        );
    }

    #[test]
    fn wait_until_times_out_then_stop_reports_the_reason() {
        let (_dir, spec) = sh("exec sleep 60");
        let program = start(&spec);
        let deadline = Instant::now() + Duration::from_millis(30);
        assert!(!program.wait_until(deadline));
        assert!(Instant::now() >= deadline);
        assert!(!program.has_exited());
        let transcript = program.stop(BUDGET, StopReason::Complete);
        assert_eq!(transcript.exit, Some(ExitReason::StoppedByGrader));
    }

    #[test]
    fn a_crash_is_reported_as_a_signal() {
        let (_dir, spec) = sh("kill -USR1 $$");
        let program = start(&spec);
        assert!(program.wait_until(Instant::now() + BUDGET));
        assert!(program.has_exited());
        let transcript = program.stop(BUDGET, StopReason::Deadline);
        let usr1 = Signal::SIGUSR1 as i32;
        assert_eq!(
            transcript.exit,
            Some(ExitReason::Signalled { signal: usr1 })
        );
    }

    #[test]
    fn a_program_ignoring_sigterm_is_killed_after_the_grace() {
        let (_dir, spec) = sh("trap '' TERM; echo ready; exec sleep 60");
        let program = start(&spec);
        assert_eq!(first_line(&program), "ready");
        let grace = Duration::from_millis(200);
        let stopping = Instant::now();
        let transcript = program.stop(grace, StopReason::Deadline);
        assert!(stopping.elapsed() >= grace);
        assert!(stopping.elapsed() < BUDGET);
        assert_eq!(transcript.exit, Some(ExitReason::DeadlineExceeded));
    }

    #[test]
    fn stop_kills_background_children_in_the_group() {
        let (_dir, spec) = sh("trap '' TERM; sleep 60 & echo $!; wait");
        let program = start(&spec);
        let child = first_line(&program);
        let leader = program.pid().to_string();
        program.stop(Duration::from_millis(50), StopReason::Complete);
        assert!(
            eventually(|| is_gone(&child)),
            "background child {child} survived"
        );
        assert!(is_gone(&leader));
    }

    #[test]
    fn finish_kills_what_an_exited_program_left_running() {
        let (_dir, spec) = sh("sleep 60 & echo $!; exit 0");
        let program = start(&spec);
        let child = first_line(&program);
        assert!(program.wait_until(Instant::now() + BUDGET));
        let ended = program.end(Ending::Finish);
        assert!(!ended.output_incomplete);
        assert_eq!(ended.exit, Some(ExitReason::Exited { code: 0 }));
        assert!(
            eventually(|| is_gone(&child)),
            "background child {child} survived"
        );
    }

    #[test]
    fn an_escaped_process_is_gone_after_finish() {
        // The escapee prints its pid only after it has left the group; it holds the
        // output pipe, so collecting the output waits for the sweep to kill it. (It is
        // counted in `orphans`' tests, where no other test's sweep can take it first.)
        // Its parent waits, through a fifo, until the pid is printed: an orphan may be
        // killed at once by another test's sweep, and must not be before it has spoken.
        let (_dir, spec) = sh(
            "mkfifo printed; setsid sh -c 'echo $$; echo > printed; exec sleep 60' & \
             read _ < printed; exit 0",
        );
        let program = start(&spec);
        let escaped = first_line(&program);
        assert!(program.wait_until(Instant::now() + BUDGET));
        let ending = Instant::now();
        let ended = program.end(Ending::Finish);
        assert!(ending.elapsed() < Duration::from_secs(5));
        assert!(!ended.output_incomplete);
        assert_eq!(texts(&ended, Stream::Stdout), [escaped.as_str()]);
        assert!(is_gone(&escaped), "escapee {escaped} survived");
    }

    #[test]
    fn dropping_a_program_kills_its_group() {
        let (_dir, spec) = sh("sleep 60 & echo $!; wait");
        let program = start(&spec);
        let child = first_line(&program);
        let leader = program.pid();
        assert!(is_live(leader));
        drop(program);
        assert!(!is_live(leader));
        assert!(
            eventually(|| is_gone(&child)),
            "background child {child} survived"
        );
    }

    #[test]
    fn stopped_programs_leave_the_registry() {
        let (_dir, spec) = sh("exec sleep 60");
        let program = start(&spec);
        let pid = program.pid();
        assert!(is_live(pid));
        program.stop(BUDGET, StopReason::Complete);
        assert!(!is_live(pid));
    }

    #[test]
    fn a_running_program_can_move_to_another_thread() {
        fn assert_send<T: Send>() {}
        assert_send::<RunningProgram>();
    }

    #[test]
    fn spawn_errors_name_the_program() {
        let dir = tempfile::tempdir().unwrap();
        let argv = vec!["/no/such/program".to_owned(), "arg".to_owned()];
        let spec = ProgramSpec::new(argv, dir.path().to_path_buf());
        let error = RunningProgram::spawn(&spec, Instant::now()).unwrap_err();
        assert!(matches!(error, SpawnError::Start { .. }));
        assert!(error.to_string().contains("`/no/such/program`"), "{error}");

        let spec = ProgramSpec::new(Vec::new(), dir.path().to_path_buf());
        let error = RunningProgram::spawn(&spec, Instant::now()).unwrap_err();
        assert!(matches!(error, SpawnError::EmptyCommand));

        let spec = ProgramSpec::new(vec!["true".to_owned()], Path::new("/no/dir").into());
        let error = RunningProgram::spawn(&spec, Instant::now()).unwrap_err();
        assert!(error.to_string().contains("/no/dir"), "{error}");
    }

    #[test]
    fn python_output_arrives_line_by_line() {
        let (dir, spec) = sh("");
        let script = "import os, time\n\
                      print('first')\n\
                      while not os.path.exists('go'):\n    time.sleep(0.001)\n\
                      print('second')\n";
        let spec = ProgramSpec::new(
            ["python3", "-c", script].map(str::to_owned).to_vec(),
            spec.dir,
        );
        let program = start(&spec);
        // Seen before the script ends: Python is not buffering stdout.
        assert_eq!(first_line(&program), "first");
        std::fs::write(dir.path().join("go"), "").unwrap();
        assert!(program.wait_until(Instant::now() + BUDGET));
        let transcript = program.finish();
        assert_eq!(texts(&transcript, Stream::Stdout), ["first", "second"]);
    }
}
