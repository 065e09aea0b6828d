//! What a run gives its programs to read: the scenario's generated file, made once and
//! then placed in the directories it is given to or fed on stdin; the lines the scenario
//! types (placeholders filled in); the files an uploading client is typed; and how that
//! typing is paced.

use super::addressing::Addressing;
use super::error::{RunError, internal};
use super::network::Network;
use crate::analyzer::{Case, TypedInput};
use crate::case::{Feed, GivenTo, InputFile, Scenario, StdinScript};
use crate::evidence::Role;
use crate::grading::input_files::{HandedOut, generate};
use crate::harness::ports::tcp_receive_queues_empty;
use crate::harness::process::StdinInput;
use crate::harness::stdin_feed::TypingGate;
use crate::harness::template::{Placeholders, TemplateError, expand_text};
use std::path::Path;
use std::sync::Arc;

/// The inputs of one run of `scenario`.
#[derive(Debug)]
pub(super) struct Inputs<'a> {
    scenario: &'a Scenario,
    /// The scenario's generated file and its bytes, made once for every copy and every
    /// program that reads it on stdin.
    file: Option<(&'a InputFile, Vec<u8>)>,
    /// The copies placed so far, compared with the bytes after the run.
    handed_out: Option<HandedOut>,
    /// What the case's analyzer types to the client (an upload), if anything.
    upload: Option<TypedInput>,
}

impl<'a> Inputs<'a> {
    /// Makes the inputs of the run `key` of `scenario`, from the session's `seed`.
    pub fn prepare(case: &Case, scenario: &'a Scenario, seed: u64, key: &str) -> Inputs<'a> {
        Inputs {
            scenario,
            file: scenario
                .file
                .as_ref()
                .map(|file| (file, generate(seed, key, file))),
            handed_out: None,
            upload: case.analyzer.typed_input(scenario, seed, key),
        }
    }

    /// The scenario file's bytes, for a program that reads it on stdin.
    pub fn file_bytes(&self) -> Option<&[u8]> {
        self.file.as_ref().map(|(_, bytes)| bytes.as_slice())
    }

    /// Places the server's copy of the file, when it is given one: after its submission
    /// is staged, before its directory is listed.
    pub fn hand_to_server(&mut self, dir: &Path) -> Result<(), RunError> {
        self.hand_to(GivenTo::server, dir)
    }

    /// Places the client's copy of the file, when it is given one: once its submission is
    /// staged there.
    pub fn hand_to_client(&mut self, dir: &Path) -> Result<(), RunError> {
        self.hand_to(GivenTo::client, dir)
    }

    /// What the grader types to the client: the scenario's own `client-stdin`, its
    /// placeholders filled in with `values`, else the upload's lines as they are (a file's
    /// text is typed verbatim, braces and all). `gate` paces the typing after prompts.
    pub fn client_keyboard(
        &self,
        values: &Placeholders,
        gate: Option<TypingGate>,
    ) -> Result<Option<StdinInput>, RunError> {
        match (&self.scenario.client_stdin, &self.upload) {
            (Some(script), _) => Ok(Some(keyboard(
                &filled_in(script, values, Role::Client)?,
                gate,
            ))),
            (None, Some(upload)) => Ok(Some(keyboard(&upload.script, gate))),
            (None, None) => Ok(None),
        }
    }

    /// How the grader paces typing to an uploading client: like a person would, each line
    /// only once the previous one has reached the server and been read there, so every
    /// write arrives on its own unless the scenario's relay splits them on purpose. Only
    /// where the bytes the relay holds can be seen: a TCP relay in a private loopback, or a
    /// mirrored TCP bridge.
    pub fn typing_gate(
        &self,
        network: &Network,
        addressing: &Addressing,
        server_pid: u32,
    ) -> Option<TypingGate> {
        // A scenario that joins writes on purpose is typed at the program's own pace:
        // waiting for each held write to be delivered would undo the joining.
        let joins_writes = self
            .scenario
            .stream
            .as_ref()
            .is_some_and(|stream| stream.to_server.coalesce.is_some());
        if self.upload.is_none() || joins_writes {
            return None;
        }
        let holding = match (network, addressing.private_loopback()) {
            (Network::Tcp(relay), Some(_)) => Some(relay.holding()),
            (Network::MirroredTcp { bridge, .. }, _) => bridge.holding(),
            _ => None,
        }?;
        Some(TypingGate(Arc::new(move || {
            holding.is_clear() && tcp_receive_queues_empty(server_pid)
        })))
    }

    /// After the run: the handed-out file (to collect the receiver's copy against), and
    /// the files typed into the client.
    pub fn into_evidence(self) -> (Option<HandedOut>, Vec<Vec<String>>) {
        let uploads = self.upload.map(|upload| upload.uploads).unwrap_or_default();
        (self.handed_out, uploads)
    }

    fn hand_to(&mut self, given: fn(GivenTo) -> bool, dir: &Path) -> Result<(), RunError> {
        let Some((file, bytes)) = &self.file else {
            return Ok(());
        };
        if !given(file.given_to) {
            return Ok(());
        }
        match &mut self.handed_out {
            Some(handed_out) => handed_out.hand_also(dir),
            None => HandedOut::place(file, bytes.clone(), dir)
                .map(|placed| self.handed_out = Some(placed)),
        }
        .map_err(internal("cannot write the scenario's file"))
    }
}

/// What the grader types to the server: the scenario's own `server-stdin`, its
/// placeholders filled in with `values`.
pub(super) fn server_keyboard(
    scenario: &Scenario,
    values: &Placeholders,
) -> Result<Option<StdinInput>, RunError> {
    match &scenario.server_stdin {
        Some(script) => Ok(Some(keyboard(
            &filled_in(script, values, Role::Server)?,
            None,
        ))),
        None => Ok(None),
    }
}

/// `script` with every placeholder of every line filled in, as in a command line.
fn filled_in(
    script: &StdinScript,
    values: &Placeholders,
    role: Role,
) -> Result<StdinScript, RunError> {
    let lines = script
        .lines
        .iter()
        .map(|line| expand_text(line, values))
        .collect::<Result<Vec<String>, TemplateError>>()
        .map_err(|source| RunError::TypedLine { role, source })?;
    Ok(StdinScript {
        lines,
        ..script.clone()
    })
}

/// What the grader types for `script`: at once, or after each prompt and `gate`.
fn keyboard(script: &StdinScript, gate: Option<TypingGate>) -> StdinInput {
    match script.feed {
        Feed::Whole => StdinInput::Whole(script.text().into_bytes()),
        Feed::AfterPrompt => {
            StdinInput::after_prompt(&script.lines, script.prompt_timeout).with_gate(gate)
        }
    }
}
