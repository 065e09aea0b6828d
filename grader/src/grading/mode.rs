//! How the grader gets between the two programs, and why that way.

use crate::analyzer::Case;
use std::path::PathBuf;

/// What `--mode` asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ModeChoice {
    /// Relay when the programs take their addresses as arguments; for programs that
    /// hard-code them, transparent where namespaces can be made, else preload.
    #[default]
    Auto,
    Relay,
    Transparent,
    Preload,
    Tc,
}

/// The mode a session runs in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mode {
    /// The server gets `{port}`; the client is given the relay's port.
    Relay,
    /// Each program in its own network namespace; a bridge between them preserves every
    /// address, so programs that hard-code `127.0.0.1:5005` are graded unmodified.
    Transparent,
    /// Each program under socket_wrapper (the library at this path), its sockets Unix
    /// sockets in a directory of its own; the bridge between the two directories preserves
    /// every address, with no privileges needed.
    Preload { library: PathBuf },
}

impl Mode {
    pub fn name(&self) -> &'static str {
        match self {
            Mode::Relay => "relay",
            Mode::Transparent => "transparent",
            Mode::Preload { .. } => "preload",
        }
    }
}

/// The mode chosen, with the reason reports give for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChosenMode {
    pub mode: Mode,
    pub reason: String,
}

/// What this machine offers the modes that preserve hard-coded addresses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Facilities {
    /// Whether network namespaces can be made (transparent mode).
    pub namespaces: bool,
    /// Where socket_wrapper is installed (preload mode).
    pub socket_wrapper: Option<PathBuf>,
}

impl Facilities {
    /// Probes this machine (a namespace is made and dropped; the library is looked for).
    pub fn probe() -> Facilities {
        Facilities::probe_explained().0
    }

    /// [`probe`](Self::probe), with the error that kept a namespace from being made, if
    /// one did (`grader doctor` shows it).
    pub fn probe_explained() -> (Facilities, Option<crate::netns::NamespaceError>) {
        let made = crate::netns::NetNamespace::create();
        let facilities = Facilities {
            namespaces: made.is_ok(),
            socket_wrapper: crate::relay::socket_dir::socket_wrapper_library(),
        };
        (facilities, made.err())
    }
}

/// Why no mode fits: the programs hard-code their address and neither way of keeping it
/// is available.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ModeError {
    #[error(
        "the case says its programs hard-code port {port}, and neither way of grading them unmodified is available here: transparent mode needs network namespaces (run as root, or allow unprivileged user namespaces), preload mode needs cwrap's socket_wrapper (`apt-get install libsocket-wrapper`)"
    )]
    NoHardCodedMode { port: u16 },
    #[error(
        "--mode preload needs cwrap's socket_wrapper, which is not installed: `apt-get install libsocket-wrapper` (or use --mode transparent where network namespaces can be made)"
    )]
    NoSocketWrapper,
    /// `--mode auto` saw the server choose its own port (`seen` says which, and instead of
    /// what), and neither mode that keeps it can run here.
    #[error(
        "{seen}, and no mode that keeps its address is available here: transparent mode would grade it where network namespaces can be made (run as root, or allow unprivileged user namespaces), preload mode where cwrap's socket_wrapper is installed (`apt-get install libsocket-wrapper`)"
    )]
    NoModeKeepsAddress { seen: String },
}

/// The port programs are told (and, in transparent mode, use) when the case names none.
pub const DEFAULT_TRANSPARENT_PORT: u16 = 5005;

/// Resolves `--mode` for a case on a machine whose facilities `probe` tells (asked only
/// when the choice depends on them). `Tc` is handled before (it refuses or runs elsewhere).
pub fn choose_mode(
    choice: ModeChoice,
    case: &Case,
    probe: impl FnOnce() -> Facilities,
) -> Result<ChosenMode, ModeError> {
    let hard_coded = case.programs.hard_coded_port;
    let needs_probe = matches!(choice, ModeChoice::Preload)
        || (matches!(choice, ModeChoice::Auto | ModeChoice::Tc) && hard_coded.is_some());
    let facilities = if needs_probe {
        probe()
    } else {
        Facilities {
            namespaces: false,
            socket_wrapper: None,
        }
    };
    match (choice, hard_coded) {
        (ModeChoice::Relay, _) => Ok(ChosenMode {
            mode: Mode::Relay,
            reason: "asked for with --mode relay".to_owned(),
        }),
        (ModeChoice::Transparent, _) => Ok(ChosenMode {
            mode: Mode::Transparent,
            reason: "asked for with --mode transparent".to_owned(),
        }),
        (ModeChoice::Preload, _) => {
            preload(&facilities, "asked for with --mode preload".to_owned())
        }
        (ModeChoice::Auto | ModeChoice::Tc, Some(port)) => hard_coded_mode(port, &facilities),
        (ModeChoice::Auto | ModeChoice::Tc, None) => Ok(relay_mode()),
    }
}

/// What `--mode auto` picks for programs that take their addresses as arguments.
pub fn relay_mode() -> ChosenMode {
    ChosenMode {
        mode: Mode::Relay,
        reason: "the programs take their addresses as arguments".to_owned(),
    }
}

/// What `--mode auto` picks for programs that hard-code `port`, on a machine with
/// `facilities`: transparent where namespaces can be made, else preload, else neither.
pub fn hard_coded_mode(port: u16, facilities: &Facilities) -> Result<ChosenMode, ModeError> {
    if facilities.namespaces {
        return Ok(ChosenMode {
            mode: Mode::Transparent,
            reason: format!("the case says its programs hard-code port {port}"),
        });
    }
    preload(
        facilities,
        format!(
            "the case says its programs hard-code port {port}, and network namespaces cannot be made here"
        ),
    )
    .map_err(|_| ModeError::NoHardCodedMode { port })
}

fn preload(facilities: &Facilities, reason: String) -> Result<ChosenMode, ModeError> {
    match &facilities.socket_wrapper {
        Some(library) => Ok(ChosenMode {
            mode: Mode::Preload {
                library: library.clone(),
            },
            reason,
        }),
        None => Err(ModeError::NoSocketWrapper),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::load::{CaseSource, load_case};

    fn facilities(namespaces: bool, socket_wrapper: bool) -> Facilities {
        Facilities {
            namespaces,
            socket_wrapper: socket_wrapper.then(|| PathBuf::from("/lib/libsocket_wrapper.so")),
        }
    }

    fn hard_coded_case() -> Case {
        load_case(&CaseSource::from_argument("rdt3-fixed"))
            .unwrap()
            .case
    }

    #[test]
    fn auto_prefers_namespaces_then_socket_wrapper_for_hard_coded_programs() {
        let case = hard_coded_case();
        let chosen = |facilities: Facilities| {
            choose_mode(ModeChoice::Auto, &case, || facilities).map(|chosen| chosen.mode)
        };
        assert_eq!(chosen(facilities(true, true)), Ok(Mode::Transparent));
        assert_eq!(
            chosen(facilities(false, true)),
            Ok(Mode::Preload {
                library: PathBuf::from("/lib/libsocket_wrapper.so")
            })
        );
        let error = chosen(facilities(false, false)).unwrap_err();
        assert_eq!(error, ModeError::NoHardCodedMode { port: 5005 });
        let message = error.to_string();
        assert!(
            message.contains("apt-get install libsocket-wrapper"),
            "{message}"
        );
        assert!(message.contains("network namespaces"), "{message}");
    }

    #[test]
    fn preload_asked_for_without_the_library_is_refused() {
        let case = hard_coded_case();
        assert_eq!(
            choose_mode(ModeChoice::Preload, &case, || facilities(true, false)),
            Err(ModeError::NoSocketWrapper)
        );
    }
}
