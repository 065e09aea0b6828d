//! The `grader` command line. Course scripts and CI pipelines are written against these
//! names: extend them, never rename them.

use clap::{Args, Parser, Subcommand};
use std::ffi::OsString;
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "grader",
    version,
    about = "Grade socket-programming assignments: run the programs, break the network on purpose, judge what happened"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Grade a submission (or, with no programs given, the reference peers) against a case.
    Check(Box<CheckArgs>),
    /// Grade a whole class: every folder of DIR is a submission; resumable, in parallel,
    /// with grades.csv and grades.json in --out.
    Batch(crate::batch::BatchArgs),
    /// Join the outputs of sharded batches (`grader batch --shard K/N`) into one.
    Merge(crate::merge::MergeArgs),
    /// Print where a submission's programs are, found as `grader batch` finds them.
    Locate(crate::locate::LocateArgs),
    /// Relay UDP datagrams through a seeded netem-style link: `sudo tc` without sudo.
    Proxy(ProxyArgs),
    /// Measure the grader itself: relay latency and throughput against direct loopback,
    /// delay precision, the grading loop's cost (and with --scale, a class's); a table
    /// and one JSON line.
    Bench(crate::bench::BenchArgs),
    /// Validate case files: every error as `file:line:column: what`, exit 2 if any.
    Lint(crate::lint::LintArgs),
    /// Tell what this machine allows the grader (namespaces, seccomp, cgroups,
    /// socket_wrapper, the process limit, ports), with the fix for each missing piece, and
    /// which mode each kind of submission would be graded in here.
    Doctor(crate::doctor::DoctorArgs),
    /// Write what a grading platform needs to grade a case: `gradescope` (autograder.zip),
    /// `prairielearn` (an external-grader directory), `github` (a Classroom workflow).
    Package(crate::package::PackageArgs),
    /// Print the JSON Schema of case files (with --report: of `--format json` reports).
    Schema(crate::schema::SchemaArgs),
    /// List the built-in cases.
    List,
    /// Say in words what a case grades: how the programs run, each scenario, each check.
    Explain(crate::explain::ExplainArgs),
    /// Print a shell completion script, e.g. `grader completions bash >
    /// ~/.local/share/bash-completion/completions/grader`.
    Completions {
        /// bash, zsh, fish, elvish or powershell.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff): `grader man | man -l -`; `grader man check` for a
    /// subcommand's own page.
    Man {
        /// The subcommand whose page to print (default: the main page).
        subcommand: Option<String>,
    },
    /// Run a reference peer (the same as the `reference` binary).
    #[command(hide = true, disable_help_flag = true)]
    Reference {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        arguments: Vec<OsString>,
    },
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// A built-in case name (rdt3) or the path of a case YAML file.
    pub case: String,
    /// The client to grade: a script (run by its #! line, .py with python3) or an executable,
    /// run in a fresh copy of its directory. With --client-cmd, a directory (or a file in
    /// it) whose copy the command runs in. A directory holding a Makefile, CMakeLists.txt,
    /// *.java, go.mod or Cargo.toml is built first (see --build-cmd), and the program the
    /// case's template names runs from the build. Left out, the reference client plays
    /// the client.
    #[arg(long, value_name = "PATH")]
    pub client: Option<PathBuf>,
    /// The server to grade, as --client; left out, the reference server plays the server.
    #[arg(long, value_name = "PATH")]
    pub server: Option<PathBuf>,
    /// The client's arguments instead of the case's, e.g. "{file} {host} {port} {file}".
    #[arg(
        long,
        value_name = "TEMPLATE",
        requires = "client",
        conflicts_with = "client_cmd"
    )]
    pub client_args: Option<String>,
    /// The server's arguments instead of the case's, e.g. "{port} .".
    #[arg(
        long,
        value_name = "TEMPLATE",
        requires = "server",
        conflicts_with = "server_cmd"
    )]
    pub server_args: Option<String>,
    /// A full command line for the client, run as given: "python3 c.py {host} {port}".
    /// With --client DIR (or a file in DIR) it runs in a fresh copy of DIR, so relative
    /// paths work; without, in an empty directory of its own (name files by absolute path).
    #[arg(long, value_name = "CMD")]
    pub client_cmd: Option<String>,
    /// A full command line for the server, run as given: "python3 s.py {port}"; with
    /// --server DIR it runs in a fresh copy of DIR, as --client-cmd.
    #[arg(long, value_name = "CMD")]
    pub server_cmd: Option<String>,
    /// The run's seed (printed in every report); the same seed replays the same link.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Run only this scenario (or one repetition, `lossy-soak#2`); may be repeated.
    #[arg(long = "scenario", value_name = "NAME")]
    pub scenarios: Vec<String>,
    /// A submission's folder: its client and server are the files named as the case's
    /// `run` templates name them (`UDP_Client`, `UDP_Server`: any extension, any case, at
    /// most 4 folders deep), found as `grader batch` finds them. A missing one, or one that
    /// cannot be run (no `#!` line, no known extension, not executable), fails every run's
    /// `startup` check saying why (score 0) in any `--format`: the student's failure, not
    /// the grader's error.
    #[arg(
        long,
        value_name = "DIR",
        conflicts_with_all = ["client", "server", "client_cmd", "server_cmd"]
    )]
    pub submission: Option<PathBuf>,
    /// The client's name in `--submission` instead of the case's (without extension).
    #[arg(long, value_name = "NAME", requires = "submission")]
    pub client_name: Option<String>,
    /// The server's name in `--submission` instead of the case's (without extension).
    #[arg(long, value_name = "NAME", requires = "submission")]
    pub server_name: Option<String>,
    /// How the grader gets between the programs: `relay` (they take their addresses as
    /// arguments), `transparent` (each in its own network namespace: for programs that
    /// hard-code `127.0.0.1:5005`), `preload` (the same programs under socket_wrapper, with
    /// no privileges), `tc` (the handout's netem on a private loopback), or `auto`: for a
    /// case whose programs hard-code their port, transparent where network namespaces can be
    /// made, else preload; otherwise relay.
    #[arg(long, value_enum, default_value_t = ModeArgument::Auto)]
    pub mode: ModeArgument,
    /// How long each scenario may run, instead of the case's budget (e.g. `2s`).
    #[arg(long, value_name = "DURATION", value_parser = humantime::parse_duration)]
    pub budget: Option<std::time::Duration>,
    /// Address space each program may use (e.g. `512MiB`, `4GiB`; default 4 GiB). Past it,
    /// allocations fail; the report says when a program ran into it.
    #[arg(long, value_name = "SIZE", value_parser = memory_size)]
    pub memory_limit: Option<u64>,
    /// Scenarios run at once (default: the number of cores).
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Also write the evidence (transcripts and wire traces, as JSON) to this directory.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// A directory no program may read (the class's other submissions, the course's
    /// solutions); repeatable. `--out` is hidden too.
    #[arg(long = "hide", value_name = "DIR")]
    pub hide: Vec<PathBuf>,
    /// The report on stdout: for people (`terminal`), or for machines: `json` (versioned),
    /// `junit` (a testcase per scenario and check), `tap` (TAP 14, a subtest per scenario),
    /// `ctrf` (Common Test Report Format), `classroom` (a GitHub Classroom runner result),
    /// or a grading platform's result: `gradescope` (results.json), `prairielearn`
    /// (results.json), `autolab` (the autoresult as stdout's last line).
    /// The shell command that builds a compiled submission (--client DIR, --server DIR,
    /// --submission DIR with a build file), run once in a copy of it, in the sandbox,
    /// offline, before the scenarios; default: the case's `build`, else the build file's
    /// usual command (`make`, `javac -d . …`, `go build -o . ./...`, …).
    #[arg(long, value_name = "CMD")]
    pub build_cmd: Option<String>,
    /// How long that build may take before it is stopped and reported as a build failure.
    #[arg(long, value_name = "DURATION", value_parser = humantime::parse_duration)]
    pub build_budget: Option<std::time::Duration>,
    /// Keep builds in DIR and reuse one already there for the same directory and command
    /// (`grader batch` gives each submission's checks one, so it is built once).
    #[arg(long, value_name = "DIR", hide = true)]
    pub build_cache: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = ReportFormat::Terminal)]
    pub format: ReportFormat,
    /// Also write the report to FILE (its folders are made): PrairieLearn reads
    /// `/grade/results/results.json`, Gradescope `/autograder/results/results.json`. Not
    /// with `--format terminal`. On a grader error nothing that could pass for a grade is
    /// written (PrairieLearn: `gradable: false`).
    #[arg(long, value_name = "FILE")]
    pub results: Option<PathBuf>,
    /// `--format autolab`: the problem the score goes to, exactly as the assessment names
    /// it (Autolab drops unknown names); default the case's name.
    #[arg(long, value_name = "NAME")]
    pub autolab_problem: Option<String>,
    /// When to exit non-zero: `verdict` exits 1 when a graded check fails (the default for
    /// terminal, json, junit, tap, ctrf, classroom); `written` exits 0 once the result is
    /// written, whatever the score (the default for gradescope, prairielearn, autolab,
    /// whose platforms take a non-zero exit for a broken grader). Either way a grader error
    /// exits 70 and a program that could not start 3.
    #[arg(long, value_enum, value_name = "POLICY")]
    pub exit_status: Option<ExitStatus>,
}

/// `--format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    Terminal,
    Json,
    Junit,
    Tap,
    Ctrf,
    Gradescope,
    Classroom,
    Prairielearn,
    Autolab,
}

/// `--exit-status`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ExitStatus {
    /// Exit 1 when a graded check fails.
    Verdict,
    /// Exit 0 once the result is written, whatever the score.
    Written,
}

#[derive(Debug, Args)]
pub struct ProxyArgs {
    /// Where clients send (port 0 picks a free one; the chosen address is printed first).
    #[arg(long, value_name = "ADDR")]
    pub listen: SocketAddr,
    /// Where the server is.
    #[arg(long, value_name = "ADDR")]
    pub target: SocketAddr,
    /// A tc netem line applied in both directions, e.g. "delay 10ms loss 40%".
    #[arg(long, value_name = "LINE")]
    pub netem: Option<String>,
    /// Seed for the link's randomness (printed at start).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Print one JSON line per datagram and its fate to this file (`-` for standard output).
    #[arg(long, value_name = "FILE")]
    pub trace: Option<PathBuf>,
}

/// `--mode`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ModeArgument {
    Auto,
    Relay,
    Transparent,
    Preload,
    Tc,
}

fn memory_size(text: &str) -> Result<u64, String> {
    parse_size::parse_size(text)
        .map_err(|error| format!("`{text}` is not a size such as 512MiB: {error}"))
}
