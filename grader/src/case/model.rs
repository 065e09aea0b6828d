//! The typed shape of a case file.
//!
//! Every type denies unknown fields and no enum is untagged or flattened, so a typo in a
//! case file is an error at its line and column rather than a silently ignored key.
//! Values that need checking beyond their type (a layout, a regex, a fault) are `Spanned`
//! so the loader can point at them too.

use super::inputs::{EndsWhen, InputFile, StdinScript, UploadFile};
use super::yaml::Spanned;
use crate::link::stream::StreamSides;
use crate::link::{Netem, ScriptedFault};
use crate::wire::ChecksumSpec;
use schemars::JsonSchema;
use serde::Deserialize;
use std::time::Duration;

// `A` is the analyzer the case chooses: the case layer knows only what `AnalyzerChoice` asks
// of it, and the registry of analyzers (`crate::analyzer`) names the concrete type, so no
// analyzer is named here. (A plain comment: a doc comment would be the schema's description.)
/// One assignment: the programs, the wire format, the analyzer, the scenarios, the checks.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
#[schemars(rename = "Case")]
pub struct Case<A> {
    /// Short identifier, as in `grader check rdt3`.
    pub name: String,
    /// One line for people.
    pub title: String,
    pub transport: Transport,
    pub programs: Programs,
    /// How long one scenario may run before its programs are stopped.
    #[serde(with = "crate::case::model::duration")]
    #[schemars(with = "crate::link::duration::DurationText")]
    pub budget: Duration,
    /// After the client exits, the scenario ends once nothing has happened on the wire or in
    /// the server's output for this long.
    #[serde(with = "crate::case::model::duration")]
    #[schemars(with = "crate::link::duration::DurationText")]
    pub quiet: Duration,
    /// Which program's exit ends a scenario that does not say (default: the client's).
    #[serde(default)]
    pub ends_when: Option<EndsWhen>,
    /// The packet format; the alternating-bit analyzer needs one, the others read the
    /// programs' own formats from their outputs.
    #[serde(default)]
    pub wire: Option<WireFormat>,
    pub analyzer: A,
    pub scenarios: Vec<Scenario>,
    /// The checks run on every scenario, in the order reports list them.
    pub checks: Vec<CheckId>,
    /// How `grader batch` shares a submission's grade between its sides, as points per
    /// role; a role left out is not run. Absent: the student's client and server graded
    /// together (`pair`) for the case's total points. `grader check` does not use it.
    #[serde(default)]
    pub roles: Option<RoleWeights>,
    /// The columns of Gradescope's leaderboard (`--format gradescope`), in order; absent:
    /// no leaderboard.
    #[serde(default)]
    pub leaderboard: Vec<LeaderboardColumn>,
}

/// One column of Gradescope's leaderboard: a title, and what it shows.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct LeaderboardColumn {
    /// The column's title on Gradescope, e.g. `Transfer time (s)`.
    #[schemars(with = "String")]
    pub name: Spanned<String>,
    /// `score`: the points earned (of one scenario's runs with `scenario`, else of all);
    /// `seconds`: how long the `scenario`'s runs took, their mean, shown only when each of
    /// them passed (a failed run's time ranks nothing).
    pub value: LeaderboardValue,
    /// The scenario measured (by name; all its repetitions); required for `seconds`.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub scenario: Option<Spanned<String>>,
    /// Which end ranks first: `desc` (the default for `score`) or `asc` (for `seconds`).
    #[serde(default)]
    pub order: Option<LeaderboardOrder>,
}

/// What a leaderboard column shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum LeaderboardValue {
    Score,
    Seconds,
}

/// Gradescope's leaderboard `order`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, serde::Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum LeaderboardOrder {
    Asc,
    Desc,
}

/// Points per role of `grader batch`: each role present is one grading run, and earns its
/// points times the fraction of the case's points that run scored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct RoleWeights {
    /// The student's client against the reference server.
    #[serde(default)]
    pub client: Option<u32>,
    /// The reference client against the student's server.
    #[serde(default)]
    pub server: Option<u32>,
    /// The student's client and server together.
    #[serde(default)]
    pub pair: Option<u32>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Transport {
    Udp,
    /// Stream programs: the TCP relay sits between them (`stream` faults).
    Tcp,
}

impl Transport {
    /// The name case files use.
    pub fn name(self) -> &'static str {
        match self {
            Transport::Udp => "udp",
            Transport::Tcp => "tcp",
        }
    }
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Programs {
    pub server: ProgramTemplates,
    pub client: ProgramTemplates,
    /// A hint, for programs that take no address arguments and use this port (as most
    /// real submissions do: `127.0.0.1:5005`): `--mode auto` then grades them in
    /// transparent mode without first starting the server to see which port it binds (it
    /// finds a hard-coded port by itself otherwise); `{port}` in a template (the reference
    /// peers') is this port.
    #[serde(default)]
    pub hard_coded_port: Option<u16>,
    /// The address `{host}` names, for assignments that forbid the loopback: the programs
    /// run in a private network namespace where this address is local. Only the
    /// documentation ranges (TEST-NET-1/2/3, RFC 5737) are accepted, so a case can never
    /// point programs at a real network.
    #[serde(default)]
    #[schemars(with = "Option<std::net::Ipv4Addr>")]
    pub host: Option<Spanned<std::net::Ipv4Addr>>,
    /// The shell command that builds a compiled submission (a directory given with
    /// `--client DIR`, `--server DIR` or `--submission DIR` that holds a `Makefile`,
    /// `CMakeLists.txt`, `*.java`, `go.mod` or `Cargo.toml`), run once in a copy of it
    /// before the scenarios, e.g. `make -C src`. Without it (and without `--build-cmd`),
    /// each build file's usual command: `make`, `cmake -S . -B build && cmake --build
    /// build`, `javac -d . $(find . -name '*.java')`, `go build -o . ./...`, `cargo build
    /// --release --offline`.
    #[serde(default)]
    pub build: Option<String>,
}

/// How to start one side: a student's program, or the reference peer.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct ProgramTemplates {
    /// Command-line template for a submission; its first word names the program and is
    /// replaced by how to run the submitted file (e.g. `python3 UDP_Server.py`).
    pub run: String,
    /// Arguments of the built-in reference peer (`grader reference ...`).
    pub reference: String,
    /// What the program reads on stdin besides typed lines: the scenario's file, as in
    /// `client HOST PORT < FILE`.
    #[serde(default)]
    pub stdin: ProgramInput,
    /// Where the program's stdout goes: into its transcript, or into the file the grader
    /// compares with the scenario's, as in `server PORT > RECEIVED_FILE`.
    #[serde(default)]
    pub stdout: ProgramOutput,
    /// Typed to a submission first, at its first prompt, before anything the scenario
    /// types: a one-program submission's answer to which role it plays (a handout's
    /// template that asks whether to send or receive). Never typed to the reference peer.
    #[serde(default)]
    pub role_answer: Option<String>,
}

/// What a program finds on its stdin.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ProgramInput {
    /// Whatever the scenario types (`client-stdin`, uploads), else nothing.
    #[default]
    Keyboard,
    /// The scenario's generated file, byte for byte, then end of file.
    ScenarioFile,
}

/// Where a program's stdout goes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ProgramOutput {
    /// Captured line by line into its transcript, like stderr.
    #[default]
    Transcript,
    /// Written to a file outside the program's directory: what it received, compared
    /// byte for byte with the scenario's file (its log is then on stderr).
    ReceivedFile,
}

/// The packet format, in the Python `struct` syntax the handouts use.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct WireFormat {
    #[schemars(with = "String")]
    pub layout: Spanned<String>,
    pub fields: Vec<String>,
    #[schemars(with = "Option<ChecksumSpec>")]
    pub checksum: Option<Spanned<ChecksumSpec>>,
}

/// One network situation to run the programs through.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Scenario {
    #[schemars(with = "String")]
    pub name: Spanned<String>,
    /// What the scenario exercises, for the report.
    #[serde(default)]
    pub about: Option<String>,
    #[serde(default)]
    pub points: u32,
    #[serde(default)]
    pub grading: Grading,
    /// Runs of the scenario, each with its own random streams; points are shared out.
    #[serde(default = "one")]
    pub repeat: u32,
    /// netem line applied in both directions (unless overridden per direction).
    #[serde(default)]
    pub netem: Option<Netem>,
    #[serde(default)]
    pub netem_to_server: Option<Netem>,
    #[serde(default)]
    pub netem_to_client: Option<Netem>,
    #[serde(default)]
    #[schemars(with = "Vec<ScriptedFault>")]
    pub faults: Vec<Spanned<ScriptedFault>>,
    /// Overrides the case's budget for this scenario.
    #[serde(default, with = "crate::case::model::duration_option")]
    #[schemars(with = "Option<crate::link::duration::DurationText>")]
    pub budget: Option<Duration>,
    /// What the grader types on the client's keyboard (its stdin).
    #[serde(default)]
    pub client_stdin: Option<StdinScript>,
    /// What the grader types on the server's keyboard (its stdin).
    #[serde(default)]
    pub server_stdin: Option<StdinScript>,
    /// A file generated from the seed for this scenario; `{file}` is its name.
    #[serde(default)]
    pub file: Option<InputFile>,
    /// Which program's exit ends the scenario (default: the case's `ends-when`).
    #[serde(default)]
    pub ends_when: Option<EndsWhen>,
    /// The checks of this scenario, instead of the case's list.
    #[serde(default)]
    pub checks: Option<Vec<CheckId>>,
    /// What the TCP relay does to the streams (TCP cases).
    #[serde(default)]
    pub stream: Option<StreamSides>,
    /// The files the grader types into the client, in order (line-upload cases); the
    /// client's keyboard input is made from them and the analyzer's answers.
    #[serde(default)]
    pub upload: Option<Vec<UploadFile>>,
    /// How the upload is typed: one line after each prompt (the default, as a person
    /// would), or all at once.
    #[serde(default)]
    pub upload_feed: Option<super::inputs::Feed>,
    /// Who sees this scenario's result on Gradescope (`--format gradescope`).
    #[serde(default)]
    pub visibility: Visibility,
}

/// Gradescope's test visibility.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, serde::Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    #[default]
    Visible,
    Hidden,
    AfterDueDate,
    AfterPublished,
}

impl Scenario {
    /// The checks this scenario runs: its own list, else the case's.
    pub fn checks<'a, A>(&'a self, case: &'a Case<A>) -> &'a [CheckId] {
        self.checks.as_deref().unwrap_or(&case.checks)
    }

    /// Which program's exit ends this scenario: its own choice, else the case's.
    pub fn ends_when<A>(&self, case: &Case<A>) -> EndsWhen {
        self.ends_when.or(case.ends_when).unwrap_or_default()
    }
}

/// Whether a scenario counts towards the grade.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Grading {
    #[default]
    Graded,
    /// Run and reported, never scored: shows what happens.
    Informational,
}

/// The checks an analyzer can perform; each is described in the report by its requirement.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Deserialize,
    serde::Serialize,
    JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum CheckId {
    /// The programs started: the server bound its port, the client ran.
    Startup,
    /// Any graded scenario: some check judged the run (the grader's own outcome when none
    /// did; never listed in a case, see `grading::award`).
    #[serde(skip_deserializing)]
    Judged,
    /// A compiled submission built (the grader's own outcome when its build failed; never
    /// listed in a case, see `grading::build`).
    #[serde(skip_deserializing)]
    Build,
    Format,
    Checksum,
    SeqAlternation,
    IdenticalRetransmission,
    RetransmissionTimer,
    AckBehaviour,
    SenderReaction,
    Delivery,
    Completion,
    LogLines,
    /// udp-add: the request carries the typed integer and the server replies.
    Exchange,
    /// udp-add: both programs show both names.
    Names,
    /// udp-add: both programs show both integers and their sum.
    Sum,
    /// udp-add: an out-of-range integer shuts the server down and frees its port.
    Shutdown,
    /// udp-file: the client asks for the file by name.
    Request,
    /// udp-file: full blocks, then one shorter block.
    BlockSizes,
    /// udp-file: the client's copy equals the original byte for byte.
    FileCopy,
    /// tcp-lines: the client's stream carries each file as a big-endian count and lines.
    Framing,
    /// tcp-lines: one status byte per file, `A` or `Q`, after the whole file.
    StatusBytes,
    /// tcp-lines: `1.txt` … `k.txt` hold exactly the lines sent.
    SavedFiles,
    /// tcp-lines: the server closes the connection after `Q`.
    ServerClose,
    /// tcp-lines: the client shows each status.
    ClientStatus,
    /// tcp-file-100: one connection per transfer.
    Connections,
    /// tcp-file-100: every stored copy equals the file.
    StoredCopies,
    /// tcp-file-100: the server's count of incorrect transfers is true.
    ErrorCount,
    /// tcp-file-100: the handout's lines, for every transfer, in order.
    RequiredLines,
    /// tcp-file-100: reported times are milliseconds that fit the connections.
    Timings,
    /// tcp-file-100: the reported average is the mean of the reported times.
    Average,
    /// tcp-file-100: the client used the non-loopback address.
    Address,
    /// tcp-over-udp: SYN, SYN|ACK, ACK, in that order, before any data.
    Handshake,
    /// tcp-over-udp: the server's connection id, used by both sides after the SYN.
    ConnectionId,
    /// tcp-over-udp: seq counts the bytes sent, ack the bytes received, both wrapping.
    SequenceNumbers,
    /// tcp-over-udp: FIN, its ACK, the other FIN and its ACK.
    Close,
}

impl CheckId {
    pub fn name(self) -> &'static str {
        match self {
            CheckId::Startup => "startup",
            CheckId::Judged => "judged",
            CheckId::Build => "build",
            CheckId::Format => "format",
            CheckId::Checksum => "checksum",
            CheckId::SeqAlternation => "seq-alternation",
            CheckId::IdenticalRetransmission => "identical-retransmission",
            CheckId::RetransmissionTimer => "retransmission-timer",
            CheckId::AckBehaviour => "ack-behaviour",
            CheckId::SenderReaction => "sender-reaction",
            CheckId::Delivery => "delivery",
            CheckId::Completion => "completion",
            CheckId::LogLines => "log-lines",
            CheckId::Exchange => "exchange",
            CheckId::Names => "names",
            CheckId::Sum => "sum",
            CheckId::Shutdown => "shutdown",
            CheckId::Request => "request",
            CheckId::BlockSizes => "block-sizes",
            CheckId::FileCopy => "file-copy",
            CheckId::Framing => "framing",
            CheckId::StatusBytes => "status-bytes",
            CheckId::SavedFiles => "saved-files",
            CheckId::ServerClose => "server-close",
            CheckId::ClientStatus => "client-status",
            CheckId::Connections => "connections",
            CheckId::StoredCopies => "stored-copies",
            CheckId::ErrorCount => "error-count",
            CheckId::RequiredLines => "required-lines",
            CheckId::Timings => "timings",
            CheckId::Average => "average",
            CheckId::Address => "address",
            CheckId::Handshake => "handshake",
            CheckId::ConnectionId => "connection-id",
            CheckId::SequenceNumbers => "sequence-numbers",
            CheckId::Close => "close",
        }
    }
}

impl std::fmt::Display for CheckId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

fn one() -> u32 {
    1
}

/// Durations written the way people write them: `9ms`, `2s`, `1m 30s`.
pub(crate) mod duration {
    use serde::{Deserialize, Deserializer, de::Error};
    use std::time::Duration;

    /// Writes a default back for the schema (`"default": "2s"`), as the link's durations do.
    pub use crate::link::duration::serialize;

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Duration, D::Error> {
        let text = String::deserialize(deserializer)?;
        humantime::parse_duration(&text)
            .map_err(|error| D::Error::custom(format!("invalid duration `{text}`: {error}")))
    }
}

pub(crate) mod duration_option {
    use serde::{Deserialize, Deserializer};
    use std::time::Duration;

    pub use crate::link::stream::faults::duration_option::serialize;

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Duration>, D::Error> {
        #[derive(Deserialize)]
        struct Wrapped(#[serde(with = "super::duration")] Duration);
        Ok(Option::<Wrapped>::deserialize(deserializer)?.map(|Wrapped(duration)| duration))
    }
}
