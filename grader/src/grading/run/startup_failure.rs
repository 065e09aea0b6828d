//! Why a server did not start, in the words the `startup` check reports: how it ended when
//! it ended by itself (its exit status or the signal that killed it, with its traceback's
//! last lines), and what it opened instead when it was still running (a TCP listener where
//! the case is UDP, a UDP socket where it is TCP, another port).
//!
//! Each sentence says only what the transcript and the program's own sockets show: a
//! program that exited is said to have exited, never "did not start".

use super::notes::{server_did_not_start, signal_name};
use crate::case::Transport;
use crate::evidence::{ExitReason, Line, Stream, Transcript};
use crate::harness::own_sockets::OwnSocket;
use crate::harness::ports::Protocol;

/// How many lines of a traceback the report quotes: enough for a Python SyntaxError's
/// file and line, the code, the caret and the error.
const TRACEBACK_LINES: usize = 4;

/// How many of its last output lines the report quotes otherwise.
const LAST_LINES: usize = 3;

/// What is known of a server that did not start.
#[derive(Debug)]
pub(super) struct StartupFailure<'a> {
    /// Its transcript, once it was stopped (or had exited).
    pub server: &'a Transcript,
    /// Why the network did not start, as the network tells it.
    pub why: &'a str,
    /// The sockets it held when it was stopped (none when it had exited).
    pub sockets: &'a [OwnSocket],
    /// The case's transport and the port the server was given.
    pub transport: Transport,
    pub port: u16,
}

impl StartupFailure<'_> {
    /// The `startup` check's observation.
    pub fn describe(&self) -> String {
        let wanted = format!("{} port {}", self.transport.name(), self.port);
        let mut sentence = match self.server.exit {
            Some(ExitReason::Exited { code }) => {
                format!("the server exited with status {code} before it bound {wanted}")
            }
            Some(ExitReason::Signalled { signal }) => format!(
                "the server was killed by signal {signal}{} before it bound {wanted}",
                signal_name(signal)
            ),
            _ => match self.opened_instead() {
                Some(opened) => format!("the server did not bind {wanted}: it {opened}"),
                None => server_did_not_start(self.why),
            },
        };
        sentence.push_str(&last_words(self.server));
        sentence
    }

    /// What the server opened instead of the case's socket, if anything: `listened on TCP
    /// 127.0.0.1:8001; this case is UDP`.
    fn opened_instead(&self) -> Option<String> {
        let case_protocol = match self.transport {
            Transport::Udp => Protocol::Udp,
            Transport::Tcp => Protocol::Tcp,
        };
        // A TCP socket that does not listen is a connection the server made, not where
        // it serves.
        let serving: Vec<&OwnSocket> = self
            .sockets
            .iter()
            .filter(|socket| socket.protocol == Protocol::Udp || socket.listening)
            .collect();
        if serving.is_empty() {
            return None;
        }
        let opened = serving
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(" and ");
        let wrong_transport = serving
            .iter()
            .any(|socket| socket.protocol != case_protocol);
        Some(if wrong_transport {
            let case = self.transport.name().to_ascii_uppercase();
            format!("{opened}; this case is {case}")
        } else {
            format!("{opened} instead")
        })
    }
}

/// `; its traceback ends: [...]` when it wrote a Python traceback (or a SyntaxError) on
/// stderr, else `; its last output: [...]` when it wrote anything, else nothing.
fn last_words(server: &Transcript) -> String {
    let stderr: Vec<&Line> = server.stream(Stream::Stderr).collect();
    if is_python_error(&stderr) {
        let start = stderr.len().saturating_sub(TRACEBACK_LINES);
        let tail: Vec<&str> = stderr[start..]
            .iter()
            .map(|line| line.text.as_str())
            .collect();
        return format!("; its traceback ends: {tail:?}");
    }
    let start = server.lines.len().saturating_sub(LAST_LINES);
    let tail: Vec<&str> = server.lines[start..]
        .iter()
        .map(|line| line.text.as_str())
        .collect();
    if tail.is_empty() {
        String::new()
    } else {
        format!("; its last output: {tail:?}")
    }
}

/// Whether `stderr` ends in a Python error: a traceback's header, or a last line such as
/// `SyntaxError: invalid syntax` or `ModuleNotFoundError: No module named 'x'` (a
/// SyntaxError has no header).
fn is_python_error(stderr: &[&Line]) -> bool {
    let header = stderr
        .iter()
        .any(|line| line.text.starts_with("Traceback (most recent call last)"));
    let last_names_an_error = stderr.last().is_some_and(|line| {
        let name = line.text.split(':').next().unwrap_or_default();
        let dotted_name = !name.is_empty()
            && name
                .chars()
                .all(|ch| ch.is_ascii_alphanumeric() || ch == '_' || ch == '.');
        dotted_name
            && ["Error", "Exception", "Exit", "Interrupt"]
                .iter()
                .any(|suffix| name.len() > suffix.len() && name.ends_with(suffix))
    });
    header || last_names_an_error
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{Ipv4Addr, SocketAddr};
    use std::time::Duration;

    fn transcript(exit: ExitReason, stderr: &[&str]) -> Transcript {
        Transcript {
            exit: Some(exit),
            lines: stderr
                .iter()
                .map(|text| Line {
                    at: Duration::from_millis(5),
                    stream: Stream::Stderr,
                    text: (*text).to_owned(),
                })
                .collect(),
            ..Transcript::default()
        }
    }

    fn failure<'a>(server: &'a Transcript, sockets: &'a [OwnSocket]) -> StartupFailure<'a> {
        StartupFailure {
            server,
            why: "nothing bound udp port 4000 within 3s",
            sockets,
            transport: Transport::Udp,
            port: 4000,
        }
    }

    fn socket(protocol: Protocol, port: u16, listening: bool) -> OwnSocket {
        OwnSocket {
            protocol,
            address: SocketAddr::from((Ipv4Addr::LOCALHOST, port)),
            listening,
        }
    }

    #[test]
    fn a_syntax_error_is_told_by_its_status_and_traceback() {
        let server = transcript(
            ExitReason::Exited { code: 1 },
            &[
                "  File \"/run/server/srv.py\", line 2",
                "    print(\"hi\"",
                "         ^",
                "SyntaxError: '(' was never closed",
            ],
        );
        assert_eq!(
            failure(&server, &[]).describe(),
            "the server exited with status 1 before it bound udp port 4000; its traceback \
             ends: [\"  File \\\"/run/server/srv.py\\\", line 2\", \"    print(\\\"hi\\\"\", \
             \"         ^\", \"SyntaxError: '(' was never closed\"]"
        );
    }

    #[test]
    fn a_signal_or_a_plain_status_is_said_with_the_last_output() {
        let server = transcript(ExitReason::Signalled { signal: 11 }, &[]);
        assert_eq!(
            failure(&server, &[]).describe(),
            "the server was killed by signal 11 (SIGSEGV: it crashed) before it bound udp \
             port 4000"
        );
        let server = transcript(ExitReason::Exited { code: 4 }, &["usage: srv PORT"]);
        assert_eq!(
            failure(&server, &[]).describe(),
            "the server exited with status 4 before it bound udp port 4000; its last output: \
             [\"usage: srv PORT\"]"
        );
    }

    #[test]
    fn the_wrong_transport_or_port_is_named() {
        let server = transcript(ExitReason::StoppedByGrader, &[]);
        let tcp = [socket(Protocol::Tcp, 8001, true)];
        assert_eq!(
            failure(&server, &tcp).describe(),
            "the server did not bind udp port 4000: it listened on TCP 127.0.0.1:8001; this \
             case is UDP"
        );
        let elsewhere = [socket(Protocol::Udp, 5005, false)];
        assert_eq!(
            failure(&server, &elsewhere).describe(),
            "the server did not bind udp port 4000: it bound UDP 127.0.0.1:5005 instead"
        );
        let for_tcp = StartupFailure {
            transport: Transport::Tcp,
            ..failure(&server, &elsewhere)
        };
        assert_eq!(
            for_tcp.describe(),
            "the server did not bind tcp port 4000: it bound UDP 127.0.0.1:5005; this case \
             is TCP"
        );
    }

    #[test]
    fn a_server_that_opened_nothing_keeps_the_networks_reason() {
        let server = transcript(ExitReason::DeadlineExceeded, &[]);
        // A connection it made is not where it serves.
        let connected = [socket(Protocol::Tcp, 41000, false)];
        assert_eq!(
            failure(&server, &connected).describe(),
            "the server did not start: nothing bound udp port 4000 within 3s"
        );
    }

    #[test]
    fn only_a_python_error_counts_as_a_traceback() {
        let line = |text: &str| Line {
            at: Duration::ZERO,
            stream: Stream::Stderr,
            text: text.to_owned(),
        };
        let (syntax, module, plain, sentence) = (
            line("SyntaxError: invalid syntax"),
            line("ModuleNotFoundError: No module named 'numpy'"),
            line("Error: cannot bind"),
            line("an Error: happened"),
        );
        assert!(is_python_error(&[&syntax]));
        assert!(is_python_error(&[&module]));
        // A program's own `Error: …` message is its last output, not a traceback.
        assert!(!is_python_error(&[&plain]));
        assert!(!is_python_error(&[&sentence]));
        assert!(!is_python_error(&[]));
    }
}
