//! The repeated-transfer analyzer as a plug-in: its required-line patterns compiled at
//! load, and each run judged.

use super::params::{RepeatedTransferParams, TransferLines};
use super::{COMPLETION, RepeatedTransferEvidence, copies, lines, network, run_checks, timing};
use crate::analyzer::plugin::{Judge, PacketNames, Plugin, Run, TypedInput};
use crate::analyzer::registry::Case;
use crate::case::{
    CheckId, PacketFields, Problems, Scenario, Transport, WireFormat, compile_pattern,
    refuse_upload,
};
use crate::check::{HandoutQuote, Outcome};
use crate::wire::Layout;
use std::time::Duration;

/// The compiled required-line patterns of one program of a repeated transfer.
#[derive(Debug)]
pub struct TransferMatchers {
    pub opening: regex::Regex,
    pub each_start: regex::Regex,
    pub each_end: regex::Regex,
    pub each_time: regex::Regex,
    pub average: regex::Regex,
    pub closing: regex::Regex,
}

/// What the repeated-transfer analyzer compiles at load.
#[derive(Debug)]
pub struct RepeatedTransferJudge {
    pub(super) params: RepeatedTransferParams,
    pub(super) server: TransferMatchers,
    pub(super) client: TransferMatchers,
    pub(super) error_count: regex::Regex,
}

impl Plugin for RepeatedTransferParams {
    type Compiled = RepeatedTransferJudge;

    const CHECKS: &'static [CheckId] = &[
        CheckId::Connections,
        CheckId::StoredCopies,
        CheckId::ErrorCount,
        CheckId::RequiredLines,
        CheckId::Timings,
        CheckId::Average,
        CheckId::Address,
        CheckId::Completion,
    ];

    const TRANSPORT: Transport = Transport::Tcp;

    const PACKET_NAMES: PacketNames = PacketNames::PLAIN;

    fn packet_fields(&self, _: Option<&WireFormat>, _: &mut Problems) -> PacketFields {
        PacketFields::NoLayout
    }

    fn validate_scenario(&self, scenario: &Scenario) -> Result<(), String> {
        if scenario.file.is_none() {
            return Err(
                "the repeated-transfer analyzer needs a `file` for every scenario".to_owned(),
            );
        }
        refuse_upload(scenario)
    }

    fn compile(
        &self,
        _: &Case,
        _: PacketFields,
        problems: &mut Problems,
    ) -> Option<RepeatedTransferJudge> {
        let mut fits = true;
        if self.transfers == 0 {
            problems.report(None, "`transfers` must be at least 1");
            fits = false;
        }
        if !(self.least_fraction > 0.0 && self.most_multiple >= 1.0) {
            problems.report(
                None,
                "`least-fraction` must be above 0 and `most-multiple` at least 1",
            );
            fits = false;
        }
        let server = transfer_matchers(&self.server, problems);
        let client = transfer_matchers(&self.client, problems);
        let error_count = problems.keep(compile_pattern(&self.error_count, &["count"]));
        fits.then_some(())?;
        Some(RepeatedTransferJudge {
            params: self.clone(),
            server: server?,
            client: client?,
            error_count: error_count?,
        })
    }

    fn typed_input(&self, _: &Scenario, _: u64, _: &str) -> Option<TypedInput> {
        None
    }
}

impl Judge for RepeatedTransferJudge {
    fn requirement(&self, check: CheckId) -> Option<String> {
        let text = match check {
            CheckId::Connections => network::CONNECTIONS,
            CheckId::StoredCopies => copies::STORED_COPIES,
            CheckId::ErrorCount => copies::ERROR_COUNT,
            CheckId::RequiredLines => lines::REQUIRED_LINES,
            CheckId::Timings => timing::TIMINGS,
            CheckId::Average => timing::AVERAGE,
            CheckId::Address => network::ADDRESS,
            CheckId::Completion => COMPLETION,
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
            &RepeatedTransferEvidence {
                params: &self.params,
                server_lines: &self.server,
                client_lines: &self.client,
                error_count: &self.error_count,
                file: evidence.file.as_ref(),
                client: &evidence.client,
                server: &evidence.server,
                trace: &evidence.trace,
                server_files: &evidence.server_files,
                test_address: evidence.test_address,
                host: run.host,
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

/// The required-line patterns of one program of a repeated transfer.
fn transfer_matchers(lines: &TransferLines, problems: &mut Problems) -> Option<TransferMatchers> {
    let mut compile = |spanned, groups| problems.keep(compile_pattern(spanned, groups));
    let opening = compile(&lines.opening, &[]);
    let each_start = compile(&lines.each_start, &["n"]);
    let each_end = compile(&lines.each_end, &["n"]);
    let each_time = compile(&lines.each_time, &["n", "ms"]);
    let average = compile(&lines.average, &["ms"]);
    let closing = compile(&lines.closing, &[]);
    Some(TransferMatchers {
        opening: opening?,
        each_start: each_start?,
        each_end: each_end?,
        each_time: each_time?,
        average: average?,
        closing: closing?,
    })
}
