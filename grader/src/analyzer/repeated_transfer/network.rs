//! What the relay saw: one connection per transfer, each carrying the file (and whatever
//! the students' protocol puts around it), to an address that is not the loopback.

use super::{RepeatedTransferEvidence, ordinal};
use crate::case::CheckId;
use crate::check::{Outcome, Status};

/// What `connections` requires, in the words its outcome states.
///
/// Handout 004, requirement 3: "Use non-persistent TCP connection." One connection per
/// transfer is what is required. What a connection carries besides the file is the
/// protocol the handout asks the students to design ("Exercise how to design and implement
/// a protocol which controls the communication between server and client side"): a header
/// with the file's name, size or number before it, a hash after it. So a connection must
/// carry at least the file's bytes, and may carry more; whether they arrive intact is for
/// `stored-copies` to judge.
pub const CONNECTIONS: &str = "each transfer uses a connection of its own (non-persistent TCP)";

pub fn connections(evidence: &RepeatedTransferEvidence<'_>) -> Outcome {
    let transfers = evidence.params.transfers as usize;
    let file_size = evidence.file.map(|file| file.original_size);
    let outcome = Outcome::new(CheckId::Connections, CONNECTIONS).expected(match file_size {
        Some(size) => format!(
            "{transfers} connections, each carrying at least the file's {size} bytes (anything around them is the protocol's own)"
        ),
        None => format!("{transfers} connections"),
    });
    let connections = &evidence.trace.connections;
    if let Some(unreachable) = connections.iter().find_map(|connection| {
        connection
            .unreachable
            .as_ref()
            .map(|why| (connection.nth, why))
    }) {
        return outcome.status(Status::Fail).observed(format!(
            "for the {} connection {}",
            ordinal(u64::from(unreachable.0)),
            unreachable.1
        ));
    }
    let opened = evidence.trace.connections_opened();
    if opened != transfers {
        let sent: u64 = connections.iter().map(|c| c.to_server.sent).sum();
        let mut observed = format!(
            "the client opened {opened} connection(s) and sent {sent} bytes in all"
        );
        if evidence.trace.unrecorded.connections > 0 {
            observed.push_str(&format!(
                " over the {} the grader recorded ({} more were only counted)",
                connections.len(),
                evidence.trace.unrecorded.connections
            ));
        }
        if let Some(size) = file_size.filter(|size| *size > 0)
            && opened < transfers
            && sent >= size * 2
        {
            observed.push_str(&format!(
                " ({} times the file): it reused connections for several transfers",
                sent / size
            ));
        }
        return outcome.status(Status::Fail).observed(observed);
    }
    // A connection still kept in the relay when the run ended (the server had not taken
    // the one before) was never read: what the client wrote on it is not known.
    let (reached, kept): (Vec<_>, Vec<_>) = connections
        .iter()
        .partition(|connection| connection.connected_at.is_some());
    if let Some(size) = file_size
        && let Some(connection) = reached
            .iter()
            .find(|connection| connection.to_server.sent < size)
    {
        return outcome.status(Status::Fail).observed(format!(
            "the {} connection carried {} bytes, fewer than the file's {size}",
            ordinal(u64::from(connection.nth)),
            connection.to_server.sent
        ));
    }
    let observed = match kept.first() {
        None => format!("{transfers} connections, each carrying the file"),
        Some(first) => format!(
            "{transfers} connections; the last {} (from the {}) never reached the server: the run ended while they waited for it to accept the ones before, so what they carried is not known",
            kept.len(),
            ordinal(u64::from(first.nth))
        ),
    };
    outcome.observed(observed)
}

/// What `address` requires, in the words its outcome states.
pub const ADDRESS: &str =
    "the programs use the machine's Internet address, not the loopback (127.0.0.1, localhost)";

pub fn address(evidence: &RepeatedTransferEvidence<'_>) -> Outcome {
    let outcome = Outcome::new(CheckId::Address, ADDRESS);
    let Some(address) = evidence.test_address else {
        let why = match evidence.host {
            Some(host) => format!(
                "no private network namespace could be made here, so {host} was not available and the programs ran on the loopback"
            ),
            None => "the case names no address for `{host}`".to_owned(),
        };
        return outcome.status(Status::Unsupported).observed(why);
    };
    let outcome = outcome.expected(format!("every connection made to {address}"));
    match evidence
        .trace
        .connections
        .iter()
        .find(|connection| connection.dialed.ip() != std::net::IpAddr::V4(address))
    {
        Some(connection) => outcome.status(Status::Fail).observed(format!(
            "the {} connection went to {}{}",
            ordinal(u64::from(connection.nth)),
            connection.dialed.ip(),
            if connection.dialed.ip().is_loopback() {
                ": the loopback, which the handout forbids"
            } else {
                ""
            }
        )),
        None if evidence.trace.connections.is_empty() => outcome
            .status(Status::Fail)
            .observed("the client made no connection"),
        None => outcome.observed(format!("every connection went to {address}")),
    }
}
