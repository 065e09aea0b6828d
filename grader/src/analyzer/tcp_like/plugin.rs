//! The tcp-like analyzer as a plug-in: its sequence space and log streams checked at load,
//! and each run decoded into segments and judged.

use super::params::{OutputStream, TcpLikeParams};
use super::{TcpLikeEvidence, close, connection, copy, format, log, numbers, run_checks};
use crate::analyzer::plugin::{Judge, PacketNames, Plugin, Run, TypedInput};
use crate::analyzer::registry::Case;
use crate::case::{
    CheckId, PacketFields, Problems, ProgramOutput, Scenario, Transport, WireFormat, refuse_upload,
};
use crate::check::{HandoutQuote, Outcome};
use crate::wire::Layout;
use std::time::Duration;

/// What the tcp-like analyzer compiles at load: its parameters, checked.
#[derive(Debug)]
pub struct TcpLikeJudge {
    params: TcpLikeParams,
}

impl Plugin for TcpLikeParams {
    type Compiled = TcpLikeJudge;

    const CHECKS: &'static [CheckId] = &[
        CheckId::Format,
        CheckId::Handshake,
        CheckId::ConnectionId,
        CheckId::SequenceNumbers,
        CheckId::IdenticalRetransmission,
        CheckId::Close,
        CheckId::FileCopy,
        CheckId::LogLines,
    ];

    const TRANSPORT: Transport = Transport::Udp;

    const PACKET_NAMES: PacketNames = PacketNames {
        client: "segment",
        server: "segment",
    };

    fn packet_fields(&self, _: Option<&WireFormat>, _: &mut Problems) -> PacketFields {
        PacketFields::NoLayout
    }

    fn validate_scenario(&self, scenario: &Scenario) -> Result<(), String> {
        if scenario.file.is_none() {
            return Err(
                "the tcp-like analyzer needs a `file` for every scenario: what the client sends"
                    .to_owned(),
            );
        }
        refuse_upload(scenario)
    }

    fn compile(
        &self,
        case: &Case,
        _: PacketFields,
        problems: &mut Problems,
    ) -> Option<TcpLikeJudge> {
        let mut fits = true;
        if self.seq_modulus < 2 || i32::try_from(self.seq_modulus).is_err() {
            problems.report(
                None,
                format!(
                    "`seq-modulus` {}: sequence numbers are an `i` (signed 32 bits), so it must be 2 to 2147483647",
                    self.seq_modulus
                ),
            );
            fits = false;
        }
        for (role, stream, templates) in [
            ("client", self.logs.client, &case.programs.client),
            ("server", self.logs.server, &case.programs.server),
        ] {
            if stream == OutputStream::Stdout && templates.stdout == ProgramOutput::ReceivedFile {
                problems.report(
                    None,
                    format!(
                        "the {role} logs to stdout, but its stdout is the received file (`stdout: received-file`)"
                    ),
                );
                fits = false;
            }
        }
        fits.then(|| TcpLikeJudge {
            params: self.clone(),
        })
    }

    fn typed_input(&self, _: &Scenario, _: u64, _: &str) -> Option<TypedInput> {
        None
    }
}

impl Judge for TcpLikeJudge {
    fn requirement(&self, check: CheckId) -> Option<String> {
        let text = match check {
            CheckId::Format => format::FORMAT,
            CheckId::Handshake => connection::HANDSHAKE,
            CheckId::ConnectionId => connection::CONNECTION_ID,
            CheckId::SequenceNumbers => numbers::SEQUENCE_NUMBERS,
            CheckId::IdenticalRetransmission => numbers::IDENTICAL_RETRANSMISSION,
            CheckId::Close => close::CLOSE,
            CheckId::FileCopy => copy::FILE_COPY,
            CheckId::LogLines => log::LOG_LINES,
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
            &TcpLikeEvidence {
                params: &self.params,
                file: evidence.file.as_ref(),
                client: &evidence.client,
                server: &evidence.server,
                trace: &evidence.trace,
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
