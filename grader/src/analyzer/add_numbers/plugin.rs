//! The add-numbers analyzer as a plug-in: its name patterns compiled at load, and each run
//! judged against the integer the grader typed.

use super::params::AddNumbersParams;
use super::{AddNumbersEvidence, COMPLETION, exchange, run_checks, shown, shutdown};
use crate::analyzer::plugin::{Judge, PacketNames, Plugin, Run, TypedInput};
use crate::analyzer::registry::Case;
use crate::case::{
    CheckId, PacketFields, Problems, Scenario, Transport, WireFormat, compile_pattern,
    refuse_upload,
};
use crate::check::{HandoutQuote, Outcome};
use crate::wire::Layout;
use std::time::Duration;

/// The compiled name patterns of the add-numbers analyzer.
#[derive(Debug)]
pub struct NameMatchers {
    pub client: regex::Regex,
    pub server: regex::Regex,
}

/// What the add-numbers analyzer compiles at load.
#[derive(Debug)]
pub struct AddNumbersJudge {
    pub(super) params: AddNumbersParams,
    pub(super) names: NameMatchers,
}

impl Plugin for AddNumbersParams {
    type Compiled = AddNumbersJudge;

    const CHECKS: &'static [CheckId] = &[
        CheckId::Exchange,
        CheckId::Names,
        CheckId::Sum,
        CheckId::Shutdown,
        CheckId::Completion,
    ];

    const TRANSPORT: Transport = Transport::Udp;

    const PACKET_NAMES: PacketNames = PacketNames::PLAIN;

    fn packet_fields(&self, _: Option<&WireFormat>, _: &mut Problems) -> PacketFields {
        PacketFields::NoLayout
    }

    fn validate_scenario(&self, scenario: &Scenario) -> Result<(), String> {
        if scenario.client_stdin.is_none() {
            return Err(
                "the add-numbers analyzer needs `client-stdin`: the integer the grader types"
                    .to_owned(),
            );
        }
        refuse_upload(scenario)
    }

    fn compile(
        &self,
        _: &Case,
        _: PacketFields,
        problems: &mut Problems,
    ) -> Option<AddNumbersJudge> {
        let [low, high] = self.range;
        if low > high {
            problems.report(
                None,
                format!("`range` [{low}, {high}]: the first bound must not exceed the second"),
            );
        }
        let client = problems.keep(compile_pattern(&self.names.client, &[]));
        let server = problems.keep(compile_pattern(&self.names.server, &[]));
        (low <= high).then_some(())?;
        Some(AddNumbersJudge {
            params: self.clone(),
            names: NameMatchers {
                client: client?,
                server: server?,
            },
        })
    }

    fn typed_input(&self, _: &Scenario, _: u64, _: &str) -> Option<TypedInput> {
        None
    }
}

impl Judge for AddNumbersJudge {
    fn requirement(&self, check: CheckId) -> Option<String> {
        let text = match check {
            CheckId::Exchange => exchange::EXCHANGE,
            CheckId::Names => shown::NAMES,
            CheckId::Sum => shown::SUM,
            CheckId::Shutdown => shutdown::SHUTDOWN,
            CheckId::Completion => COMPLETION,
            _ => return None,
        };
        Some(text.to_owned())
    }

    fn handout(&self, check: CheckId) -> Option<&'static [HandoutQuote]> {
        super::handout::quotes(check)
    }

    fn judge(&self, run: &Run<'_>) -> Vec<Outcome> {
        let typed = run
            .scenario
            .client_stdin
            .as_ref()
            .map(|script| script.text())
            .unwrap_or_default();
        let evidence = run.evidence;
        run_checks(
            &AddNumbersEvidence {
                params: &self.params,
                names: &self.names,
                typed: &typed,
                client: &evidence.client,
                server: &evidence.server,
                trace: &evidence.trace,
                server_release: evidence.server_release.as_ref(),
                ends_when: run.ends_when,
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
