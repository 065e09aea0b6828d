//! The line-upload analyzer as a plug-in: its status patterns compiled at load, the
//! client's keyboard input made from the scenario's files, and each run judged.

use super::params::LineUploadParams;
use super::{LineUploadEvidence, files, run_checks, shown, status, uploads};
use crate::analyzer::plugin::{Judge, PacketNames, Plugin, Run, TypedInput};
use crate::analyzer::registry::Case;
use crate::case::{
    CheckId, Feed, PacketFields, Problems, Scenario, StdinScript, Transport, WireFormat,
    compile_pattern,
};
use crate::check::{HandoutQuote, Outcome};
use crate::wire::Layout;
use std::time::Duration;

/// How long the grader waits for an uploading client's prompt before typing anyway: long
/// enough for any interpreter to answer, short enough that a client that prompts nothing
/// still gets its thousand lines within the budget's reach.
pub const UPLOAD_PROMPT_TIMEOUT: Duration = Duration::from_millis(500);

/// What the line-upload analyzer compiles at load.
#[derive(Debug)]
pub struct LineUploadJudge {
    accepted: regex::Regex,
    quitting: regex::Regex,
}

impl Plugin for LineUploadParams {
    type Compiled = LineUploadJudge;

    const CHECKS: &'static [CheckId] = &[
        CheckId::Framing,
        CheckId::StatusBytes,
        CheckId::SavedFiles,
        CheckId::ServerClose,
        CheckId::ClientStatus,
        CheckId::Completion,
    ];

    const TRANSPORT: Transport = Transport::Tcp;

    const PACKET_NAMES: PacketNames = PacketNames::PLAIN;

    fn packet_fields(&self, _: Option<&WireFormat>, _: &mut Problems) -> PacketFields {
        PacketFields::NoLayout
    }

    fn validate_scenario(&self, scenario: &Scenario) -> Result<(), String> {
        let Some(files) = &scenario.upload else {
            return Err(
                "the line-upload analyzer needs `upload`: the files the grader types (`[]` quits at once)"
                    .to_owned(),
            );
        };
        for (index, file) in files.iter().enumerate() {
            match (&file.lines, &file.generate) {
                (Some(lines), None) => {
                    if lines.is_empty() {
                        return Err(format!(
                            "upload file {}: a file of zero lines ends the upload; leave it out (the client sends it after the last file)",
                            index + 1
                        ));
                    }
                    if lines
                        .iter()
                        .any(|line| line.contains('\n') || line.contains('\r'))
                    {
                        return Err(format!(
                            "upload file {}: a line cannot hold a line break",
                            index + 1
                        ));
                    }
                }
                (None, Some(generated)) if generated.count > 0 && generated.length > 0 => {}
                (None, Some(_)) => {
                    return Err(format!(
                        "upload file {}: `generate` needs a `count` and a `length` above 0",
                        index + 1
                    ));
                }
                _ => {
                    return Err(format!(
                        "upload file {}: give either `lines` or `generate`",
                        index + 1
                    ));
                }
            }
        }
        if scenario.client_stdin.is_some() {
            return Err(
                "`client-stdin` is made from `upload` in a line-upload case; give one or the other"
                    .to_owned(),
            );
        }
        Ok(())
    }

    fn compile(
        &self,
        _: &Case,
        _: PacketFields,
        problems: &mut Problems,
    ) -> Option<LineUploadJudge> {
        let accepted = problems.keep(compile_pattern(&self.client_shows.accepted, &[]));
        let quitting = problems.keep(compile_pattern(&self.client_shows.quitting, &[]));
        Some(LineUploadJudge {
            accepted: accepted?,
            quitting: quitting?,
        })
    }

    /// The scenario's files, and the keystrokes that type them at the client's prompts.
    fn typed_input(&self, scenario: &Scenario, seed: u64, run_key: &str) -> Option<TypedInput> {
        let upload = scenario.upload.as_ref()?;
        let uploads = uploads::files(seed, run_key, upload);
        let script = StdinScript {
            lines: uploads::keystrokes(&uploads, &self.answers),
            feed: scenario.upload_feed.unwrap_or(Feed::AfterPrompt),
            prompt_timeout: UPLOAD_PROMPT_TIMEOUT,
        };
        Some(TypedInput { uploads, script })
    }
}

impl Judge for LineUploadJudge {
    fn requirement(&self, check: CheckId) -> Option<String> {
        let text = match check {
            CheckId::Framing => super::framing::FRAMING,
            CheckId::StatusBytes => status::STATUS_BYTES,
            CheckId::SavedFiles => files::SAVED_FILES,
            CheckId::ServerClose => status::SERVER_CLOSE,
            CheckId::ClientStatus => shown::CLIENT_STATUS,
            CheckId::Completion => status::COMPLETION,
            _ => return None,
        };
        Some(text.to_owned())
    }

    fn handout(&self, check: CheckId) -> Option<&'static [HandoutQuote]> {
        super::handout::quotes(check)
    }

    fn judge(&self, run: &Run<'_>) -> Vec<Outcome> {
        let evidence = run.evidence;
        run_checks(
            &LineUploadEvidence {
                accepted: &self.accepted,
                quitting: &self.quitting,
                uploads: &evidence.uploads,
                client: &evidence.client,
                server: &evidence.server,
                trace: &evidence.trace,
                server_files: &evidence.server_files,
                stream_faults: run.scenario.stream.as_ref(),
            },
            run.checks,
        )
    }

    fn timer_samples(&self, _: &Run<'_>) -> Vec<Duration> {
        Vec::new()
    }

    fn packet_layout(&self) -> Option<&Layout> {
        None
    }
}
