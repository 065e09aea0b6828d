//! The registry of analyzers: one line each, and the only place outside an analyzer's own
//! folder that names it.
//!
//! Each line gives the variant, the name case files use, and the analyzer's parameters
//! type (which implements [`Plugin`]). From the list, [`registry!`] writes the [`Analyzer`]
//! a case file chooses (the `analyzer:` key), what it compiles ([`Compiled`]), and the
//! dispatch from both to the analyzer's own code. Adding an analyzer is adding its folder
//! and its line here.

use super::plugin::{Judge, PacketNames, Plugin, Run, TypedInput};
use super::{
    add_numbers, alternating_bit, file_transfer, line_upload, repeated_transfer, tcp_like,
};
use crate::case::{
    self, AnalyzerChoice, CheckId, PacketFields, Problems, Scenario, Transport, WireFormat,
};
use crate::check::Outcome;
use crate::wire::Layout;
use schemars::JsonSchema;
use serde::Deserialize;
use std::time::Duration;

/// A case whose analyzer is one of the registry's.
pub type Case = case::Case<Analyzer>;

/// A loaded case whose analyzer is one of the registry's.
pub type LoadedCase = case::LoadedCase<Analyzer>;

macro_rules! registry {
    ($( $(#[doc = $doc:literal])* $variant:ident($name:literal) => $params:ty, )*) => {
        /// Which protocol analyzer decodes the wire trace, with its parameters.
        #[derive(Debug, Deserialize, JsonSchema)]
        #[serde(rename_all = "kebab-case", deny_unknown_fields)]
        #[expect(
            clippy::large_enum_variant,
            reason = "one per loaded case, never moved in a loop"
        )]
        pub enum Analyzer {
            $( $(#[doc = $doc])* $variant($params), )*
        }

        /// What the case's analyzer compiled at load.
        #[derive(Debug)]
        #[expect(
            clippy::large_enum_variant,
            reason = "one per loaded case, never moved in a loop"
        )]
        pub enum Compiled {
            $( $variant(<$params as Plugin>::Compiled), )*
        }

        impl AnalyzerChoice for Analyzer {
            type Compiled = Compiled;

            fn name(&self) -> &'static str {
                match self { $( Analyzer::$variant(_) => $name, )* }
            }

            fn checks(&self) -> &'static [CheckId] {
                match self { $( Analyzer::$variant(_) => <$params as Plugin>::CHECKS, )* }
            }

            fn transport(&self) -> Transport {
                match self { $( Analyzer::$variant(_) => <$params as Plugin>::TRANSPORT, )* }
            }

            fn packet_fields(
                &self,
                wire: Option<&WireFormat>,
                problems: &mut Problems,
            ) -> PacketFields {
                match self {
                    $( Analyzer::$variant(params) => params.packet_fields(wire, problems), )*
                }
            }

            fn validate_scenario(&self, scenario: &Scenario) -> Result<(), String> {
                match self {
                    $( Analyzer::$variant(params) => params.validate_scenario(scenario), )*
                }
            }

            fn compile(
                &self,
                case: &Case,
                fields: PacketFields,
                problems: &mut Problems,
            ) -> Option<Compiled> {
                match self {
                    $( Analyzer::$variant(params) => params
                        .compile(case, fields, problems)
                        .map(Compiled::$variant), )*
                }
            }
        }

        impl Analyzer {
            /// What the programs' packets are called, for `grader explain`.
            pub fn packet_names(&self) -> PacketNames {
                match self { $( Analyzer::$variant(_) => <$params as Plugin>::PACKET_NAMES, )* }
            }

            /// What the grader types on the client's keyboard for the analyzer in a run.
            pub fn typed_input(
                &self,
                scenario: &Scenario,
                seed: u64,
                run_key: &str,
            ) -> Option<TypedInput> {
                match self {
                    $( Analyzer::$variant(params) => params.typed_input(scenario, seed, run_key), )*
                }
            }
        }

        impl Compiled {
            fn judge_of(&self) -> &dyn Judge {
                match self { $( Compiled::$variant(compiled) => compiled, )* }
            }
        }
    };
}

registry! {
    /// rdt 3.0 sender and rdt 2.2 receiver with a one-bit sequence number.
    AlternatingBit("alternating-bit") => alternating_bit::AlternatingBitParams,
    /// One request holding a name and an integer, one reply holding the other side's
    /// (udp-add); the message format is the student's own.
    AddNumbers("add-numbers") => add_numbers::AddNumbersParams,
    /// A file requested by name and sent back in fixed-size blocks, ended by a shorter one
    /// (udp-file).
    FileTransfer("file-transfer") => file_transfer::FileTransferParams,
    /// Files of text lines uploaded over one TCP connection, each answered by a status
    /// byte (tcp-lines).
    LineUpload("line-upload") => line_upload::LineUploadParams,
    /// The same file sent many times, one TCP connection each, with reported timings
    /// (tcp-file-100).
    RepeatedTransfer("repeated-transfer") => repeated_transfer::RepeatedTransferParams,
    /// A byte stream over UDP in segments with a TCP-like header, handshake, cumulative
    /// acknowledgements and close (tcp-over-udp).
    TcpLike("tcp-like") => tcp_like::TcpLikeParams,
}

impl Judge for Compiled {
    fn requirement(&self, check: CheckId) -> Option<String> {
        if check == CheckId::Startup {
            return Some(crate::check::startup::STARTUP.to_owned());
        }
        self.judge_of().requirement(check)
    }

    fn judge(&self, run: &Run<'_>) -> Vec<Outcome> {
        self.judge_of().judge(run)
    }

    fn timer_samples(&self, run: &Run<'_>) -> Vec<Duration> {
        self.judge_of().timer_samples(run)
    }

    fn packet_layout(&self) -> Option<&Layout> {
        self.judge_of().packet_layout()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::builtin::builtin_names;
    use crate::case::{CaseSource, load_case};

    #[test]
    fn every_analyzer_is_named_as_case_files_name_it() {
        for name in builtin_names() {
            let loaded: LoadedCase = load_case(&CaseSource::Builtin(name.to_owned())).unwrap();
            let text = crate::case::builtin::builtin_case(name).unwrap();
            assert!(
                text.contains(&format!("\nanalyzer:\n  {}:", loaded.case.analyzer.name())),
                "{name}: `{}` is not the key its case file uses",
                loaded.case.analyzer.name()
            );
        }
    }

    #[test]
    fn every_check_an_analyzer_performs_has_a_requirement() {
        for name in builtin_names() {
            let loaded: LoadedCase = load_case(&CaseSource::Builtin(name.to_owned())).unwrap();
            for &check in loaded.case.analyzer.checks() {
                let text = loaded.compiled.requirement(check);
                assert!(
                    text.as_deref().is_some_and(|text| !text.is_empty()),
                    "{name}: `{check}` has no requirement"
                );
            }
        }
    }
}
