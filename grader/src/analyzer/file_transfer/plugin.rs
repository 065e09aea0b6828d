//! The file-transfer analyzer as a plug-in: its block size checked at load, and each run
//! judged on the scenario's file.

use super::params::FileTransferParams;
use super::{FileTransferEvidence, blocks, completion, copy, run_checks};
use crate::analyzer::plugin::{Judge, PacketNames, Plugin, Run, TypedInput};
use crate::analyzer::registry::Case;
use crate::case::{
    CheckId, PacketFields, Problems, Scenario, Transport, WireFormat, refuse_upload,
};
use crate::check::{HandoutQuote, Outcome};
use crate::wire::Layout;
use std::time::Duration;

/// What the file-transfer analyzer compiles at load: its parameters, checked.
#[derive(Debug)]
pub struct FileTransferJudge {
    params: FileTransferParams,
}

impl Plugin for FileTransferParams {
    type Compiled = FileTransferJudge;

    const CHECKS: &'static [CheckId] = &[
        CheckId::Request,
        CheckId::BlockSizes,
        CheckId::FileCopy,
        CheckId::Completion,
    ];

    const TRANSPORT: Transport = Transport::Udp;

    const PACKET_NAMES: PacketNames = PacketNames::PLAIN;

    fn packet_fields(&self, _: Option<&WireFormat>, _: &mut Problems) -> PacketFields {
        PacketFields::NoLayout
    }

    fn validate_scenario(&self, scenario: &Scenario) -> Result<(), String> {
        if scenario.file.is_none() {
            return Err("the file-transfer analyzer needs a `file` for every scenario".to_owned());
        }
        refuse_upload(scenario)
    }

    fn compile(
        &self,
        _: &Case,
        _: PacketFields,
        problems: &mut Problems,
    ) -> Option<FileTransferJudge> {
        if self.block == 0 || self.block > 65_507 {
            problems.report(
                None,
                format!(
                    "`block` {}: a UDP datagram holds 1 to 65507 bytes",
                    self.block
                ),
            );
            return None;
        }
        Some(FileTransferJudge {
            params: self.clone(),
        })
    }

    fn typed_input(&self, _: &Scenario, _: u64, _: &str) -> Option<TypedInput> {
        None
    }
}

impl Judge for FileTransferJudge {
    fn requirement(&self, check: CheckId) -> Option<String> {
        let text = match check {
            CheckId::Request => blocks::REQUEST,
            CheckId::BlockSizes => return Some(blocks::block_sizes_requirement(self.params.block)),
            CheckId::FileCopy => copy::FILE_COPY,
            CheckId::Completion => return Some(completion::requirement(self.params.block)),
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
            &FileTransferEvidence {
                params: &self.params,
                file: evidence.file.as_ref(),
                client: &evidence.client,
                server: &evidence.server,
                trace: &evidence.trace,
                client_files: &evidence.client_files,
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
