//! What each program shows: both names, both integers and their sum.
//!
//! The names are taken from the wire where the case's patterns find them there (the
//! client's from its request, the server's from its reply), so "shows the server's name"
//! means the name the server really sent, not any text that looks like one. Where the
//! pattern finds none (a name without "Client of", the handout's example), the name is the
//! text the program sent beside its integer ([`super::sent_name`]).

use super::AddNumbersEvidence;
use super::numbers::{Typed, integers_in};
use super::sent_name::sent_name;
use crate::case::CheckId;
use crate::check::{Outcome, Status};
use crate::evidence::{Role, Transcript, WireEvent};
use regex::Regex;

/// What `names` requires, in the words its outcome states.
pub const NAMES: &str =
    "the server shows the client's name and its own; the client shows its own and the server's";

/// Both programs show the client's name and the server's name. The handout: the server
/// should "print (display) the client's name (extracted from the received message) and the
/// server's name"; the client should "display its name, the server's name".
pub fn names(evidence: &AddNumbersEvidence<'_>) -> Outcome {
    let outcome = Outcome::new(CheckId::Names, NAMES);
    if !matches!(evidence.typed(), Typed::InRange(_)) {
        return outcome
            .status(Status::Informational)
            .observed("not judged: the scenario sends no in-range integer");
    }
    let conversation = evidence.conversation();
    // The server's name as its reply to the integer carries it, else as anything it sent.
    let reply = conversation.reply();
    let server_name = name(&reply, &evidence.names.server)
        .or_else(|| name(&conversation.from_server, &evidence.names.server))
        .or_else(|| sent_name(reply.iter().map(|event| event.bytes.as_slice())))
        .map_or(
            WantedName::Pattern(&evidence.names.server),
            WantedName::Exact,
        );
    let client_name = name(&conversation.from_client, &evidence.names.client)
        .or_else(|| {
            sent_name(
                conversation
                    .from_client
                    .iter()
                    .map(|event| event.bytes.as_slice()),
            )
        })
        .map_or(
            WantedName::Pattern(&evidence.names.client),
            WantedName::Exact,
        );
    let mut missing = Vec::new();
    for (role, transcript) in [
        (Role::Server, evidence.server),
        (Role::Client, evidence.client),
    ] {
        for (whose, wanted) in [("client", &client_name), ("server", &server_name)] {
            if !wanted.shown_by(transcript) {
                missing.push(format!(
                    "the {role} does not show the {whose}'s name ({wanted})"
                ));
            }
        }
    }
    if missing.is_empty() {
        outcome.observed(format!(
            "both programs show {client_name} and {server_name}"
        ))
    } else {
        outcome
            .status(Status::Fail)
            .expected(format!("both outputs show {client_name} and {server_name}"))
            .observed(missing.join("; "))
    }
}

/// What `sum` requires, in the words its outcome states.
pub const SUM: &str = "both programs show the client's integer, the server's integer and their sum";

/// Both programs show the typed integer, the server's integer and their sum, and the
/// server's integer is the same in both. The handout: the server should "display the
/// client's number, its number, and the sum of those numbers"; the client "its integer
/// value, and the server's integer value, and then compute and the sum".
pub fn sum(evidence: &AddNumbersEvidence<'_>) -> Outcome {
    let outcome = Outcome::new(CheckId::Sum, SUM);
    let Typed::InRange(typed) = evidence.typed() else {
        return outcome
            .status(Status::Informational)
            .observed("not judged: the scenario sends no in-range integer");
    };
    let server_shows = integers_in(&evidence.server.text());
    let client_shows = integers_in(&evidence.client.text());
    let Some(chosen) = server_integer(evidence, typed, &server_shows) else {
        return outcome
            .status(Status::Fail)
            .expected(format!(
                "the server's integer ({}–{}) in its reply and its output",
                evidence.params.range[0], evidence.params.range[1]
            ))
            .observed(format!(
                "no integer in that range besides the typed {typed} was found; the server shows {}",
                list(&server_shows)
            ));
    };
    let total = typed + chosen;
    let mut problems = Vec::new();
    for (role, shows) in [(Role::Server, &server_shows), (Role::Client, &client_shows)] {
        let lacking: Vec<String> = [
            (typed, "the client's integer"),
            (chosen, "the server's integer"),
            (total, "the sum"),
        ]
        .into_iter()
        .filter(|(value, _)| !shows.contains(value))
        .map(|(value, what)| format!("{what} {value}"))
        .collect();
        if !lacking.is_empty() {
            problems.push(format!(
                "the {role} does not show {} (integers it shows: {})",
                lacking.join(", "),
                list(shows)
            ));
        }
    }
    if problems.is_empty() {
        outcome.observed(format!("both show {typed} + {chosen} = {total}"))
    } else {
        outcome
            .status(Status::Fail)
            .expected(format!(
                "{typed}, {chosen} and {typed} + {chosen} = {total} in both outputs"
            ))
            .observed(problems.join("; "))
    }
}

/// A name as the checks look for it: the exact text found on the wire, or (when the wire
/// held none the pattern finds, e.g. a binary format) any match of the pattern.
enum WantedName<'a> {
    Exact(String),
    Pattern(&'a Regex),
}

impl WantedName<'_> {
    fn shown_by(&self, transcript: &Transcript) -> bool {
        let text = transcript.text();
        match self {
            WantedName::Exact(name) => text.to_lowercase().contains(&name.to_lowercase()),
            WantedName::Pattern(pattern) => pattern.is_match(&text),
        }
    }
}

impl std::fmt::Display for WantedName<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WantedName::Exact(name) => write!(f, "\"{name}\""),
            WantedName::Pattern(pattern) => write!(f, "a name matching `{pattern}`"),
        }
    }
}

/// The first name `pattern` finds in `datagrams`, whichever of them carries it.
fn name(datagrams: &[&WireEvent], pattern: &Regex) -> Option<String> {
    datagrams
        .iter()
        .find_map(|event| {
            let text = String::from_utf8_lossy(&event.bytes);
            pattern
                .find(&text)
                .map(|found| found.as_str().trim().to_owned())
        })
        .filter(|name| !name.is_empty())
}

/// The server's integer: one its reply carries, preferring one whose sum with the typed
/// integer the server shows; else, from its output alone, one in range whose sum it shows.
fn server_integer(
    evidence: &AddNumbersEvidence<'_>,
    typed: i64,
    server_shows: &[i64],
) -> Option<i64> {
    let [low, high] = evidence.params.range;
    let in_range = |value: &i64| (low..=high).contains(value);
    // What the server sent after the typed integer reached it, in however many datagrams;
    // anything it sent, when it sent nothing after.
    let conversation = evidence.conversation();
    let reply = conversation.reply();
    let replies = if reply.is_empty() {
        &conversation.from_server
    } else {
        &reply
    };
    let carried: Vec<i64> = replies
        .iter()
        .flat_map(|reply| integers_in(&String::from_utf8_lossy(&reply.bytes)))
        .filter(in_range)
        .collect();
    let consistent = |candidates: &[i64]| {
        candidates
            .iter()
            .copied()
            .find(|candidate| server_shows.contains(&(typed + candidate)))
    };
    consistent(&carried)
        .or_else(|| carried.first().copied())
        .or_else(|| {
            let shown: Vec<i64> = server_shows
                .iter()
                .copied()
                .filter(|value| in_range(value) && *value != typed)
                .collect();
            consistent(&shown).or_else(|| shown.first().copied())
        })
        .or_else(|| server_shows.contains(&(typed * 2)).then_some(typed))
}

fn list(values: &[i64]) -> String {
    if values.is_empty() {
        return "none".to_owned();
    }
    let shown: Vec<String> = values.iter().take(12).map(i64::to_string).collect();
    let more = if values.len() > 12 { ", …" } else { "" };
    format!("{}{more}", shown.join(", "))
}
