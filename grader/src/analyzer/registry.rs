//! The machinery of the registry of analyzers, whose list is `analyzer/mod.rs`: from one
//! line per analyzer, [`registry!`] declares the analyzer's folder and writes the
//! [`Analyzer`] a case file chooses (the `analyzer:` key), what it compiles ([`Compiled`]),
//! and the dispatch from both to the analyzer's own code.

use super::plugin::{Judge, Run};
use super::{Analyzer, Compiled};
use crate::case::{self, CheckId};
use crate::check::{HandoutQuote, Outcome};
use crate::wire::Layout;
use std::time::Duration;

/// A case whose analyzer is one of the registry's.
pub type Case = case::Case<Analyzer>;

/// A loaded case whose analyzer is one of the registry's.
pub type LoadedCase = case::LoadedCase<Analyzer>;

/// Writes the registry from its list: `module::ParamsType as Variant("yaml-name"),` each
/// line with its doc comment.
macro_rules! registry {
    ($( $(#[doc = $doc:literal])* $module:ident::$params:ident as $variant:ident($name:literal), )*) => {
        $( pub mod $module; )*

        /// Which protocol analyzer decodes the wire trace, with its parameters.
        #[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
        #[serde(rename_all = "kebab-case", deny_unknown_fields)]
        #[expect(
            clippy::large_enum_variant,
            reason = "one per loaded case, never moved in a loop"
        )]
        pub enum Analyzer {
            $( $(#[doc = $doc])* $variant($module::$params), )*
        }

        /// What the case's analyzer compiled at load.
        #[derive(Debug)]
        #[expect(
            clippy::large_enum_variant,
            reason = "one per loaded case, never moved in a loop"
        )]
        pub enum Compiled {
            $( $variant(<$module::$params as $crate::analyzer::Plugin>::Compiled), )*
        }

        impl $crate::case::AnalyzerChoice for Analyzer {
            type Compiled = Compiled;

            fn name(&self) -> &'static str {
                match self { $( Analyzer::$variant(_) => $name, )* }
            }

            fn checks(&self) -> &'static [$crate::case::CheckId] {
                match self { $( Analyzer::$variant(_) => <$module::$params as $crate::analyzer::Plugin>::CHECKS, )* }
            }

            fn transport(&self) -> $crate::case::Transport {
                match self { $( Analyzer::$variant(_) => <$module::$params as $crate::analyzer::Plugin>::TRANSPORT, )* }
            }

            fn packet_fields(
                &self,
                wire: Option<&$crate::case::WireFormat>,
                problems: &mut $crate::case::Problems,
            ) -> $crate::case::PacketFields {
                match self {
                    $( Analyzer::$variant(params) => $crate::analyzer::Plugin::packet_fields(params, wire, problems), )*
                }
            }

            fn validate_scenario(&self, scenario: &$crate::case::Scenario) -> Result<(), String> {
                match self {
                    $( Analyzer::$variant(params) => $crate::analyzer::Plugin::validate_scenario(params, scenario), )*
                }
            }

            fn compile(
                &self,
                case: &$crate::analyzer::Case,
                fields: $crate::case::PacketFields,
                problems: &mut $crate::case::Problems,
            ) -> Option<Compiled> {
                match self {
                    $( Analyzer::$variant(params) => $crate::analyzer::Plugin::compile(params, case, fields, problems)
                        .map(Compiled::$variant), )*
                }
            }
        }

        impl Analyzer {
            /// What the programs' packets are called, for `grader explain`.
            pub fn packet_names(&self) -> $crate::analyzer::PacketNames {
                match self { $( Analyzer::$variant(_) => <$module::$params as $crate::analyzer::Plugin>::PACKET_NAMES, )* }
            }

            /// What the grader types on the client's keyboard for the analyzer in a run.
            pub fn typed_input(
                &self,
                scenario: &$crate::case::Scenario,
                seed: u64,
                run_key: &str,
            ) -> Option<$crate::analyzer::TypedInput> {
                match self {
                    $( Analyzer::$variant(params) => $crate::analyzer::Plugin::typed_input(params, scenario, seed, run_key), )*
                }
            }
        }

        impl Compiled {
            pub(crate) fn judge_of(&self) -> &dyn $crate::analyzer::Judge {
                match self { $( Compiled::$variant(compiled) => compiled, )* }
            }
        }
    };
}

impl Judge for Compiled {
    fn requirement(&self, check: CheckId) -> Option<String> {
        if check == CheckId::Startup {
            return Some(crate::check::startup::STARTUP.to_owned());
        }
        if check == CheckId::Judged {
            return Some(crate::check::judged::JUDGED.to_owned());
        }
        if check == CheckId::Build {
            return Some(crate::check::build::BUILD.to_owned());
        }
        self.judge_of().requirement(check)
    }

    fn handout(&self, check: CheckId) -> Option<&'static [HandoutQuote]> {
        self.judge_of().handout(check)
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
    use crate::case::{AnalyzerChoice, CaseSource, load_case};

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
