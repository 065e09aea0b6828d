//! How the grader gets between the two programs, and why that way.

use crate::case::Case;

/// What `--mode` asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ModeChoice {
    /// Relay when the programs take their addresses as arguments, else transparent.
    #[default]
    Auto,
    Relay,
    Transparent,
    Tc,
}

/// The mode a session runs in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// The server gets `{port}`; the client is given the relay's port.
    Relay,
    /// Each program in its own network namespace; a bridge between them preserves every
    /// address, so programs that hard-code `127.0.0.1:5005` are graded unmodified.
    Transparent,
}

impl Mode {
    pub fn name(self) -> &'static str {
        match self {
            Mode::Relay => "relay",
            Mode::Transparent => "transparent",
        }
    }
}

/// The mode chosen, with the reason reports give for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChosenMode {
    pub mode: Mode,
    pub reason: String,
}

/// The port programs are told (and, in transparent mode, use) when the case names none.
pub const DEFAULT_TRANSPARENT_PORT: u16 = 5005;

/// Resolves `--mode` for a case. `Tc` is handled before (it refuses or runs elsewhere).
pub fn choose_mode(choice: ModeChoice, case: &Case) -> ChosenMode {
    let hard_coded = case.programs.hard_coded_port;
    match (choice, hard_coded) {
        (ModeChoice::Relay, _) => ChosenMode {
            mode: Mode::Relay,
            reason: "asked for with --mode relay".to_owned(),
        },
        (ModeChoice::Transparent, _) => ChosenMode {
            mode: Mode::Transparent,
            reason: "asked for with --mode transparent".to_owned(),
        },
        (ModeChoice::Auto | ModeChoice::Tc, Some(port)) => ChosenMode {
            mode: Mode::Transparent,
            reason: format!("the case says its programs hard-code port {port}"),
        },
        (ModeChoice::Auto | ModeChoice::Tc, None) => ChosenMode {
            mode: Mode::Relay,
            reason: "the programs take their addresses as arguments".to_owned(),
        },
    }
}
