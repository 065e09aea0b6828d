//! The grader's own words for what a program was seen trying (its transcript's
//! `attempts`): writing outside its directory, and binding a port that in this run was
//! its peer's or the relay's.
//!
//! A bind is only worth a note when the port was not the program's to take: in relay mode
//! the server's port and the relay's two ports; in transparent and preload modes, where
//! programs bind their hard-coded ports legitimately, only the addresses the relay holds
//! in a program's network, standing in for the other program. Whether the kernel refused
//! is said only where it is certain: the relay sets no `SO_REUSEADDR` or `SO_REUSEPORT`
//! on its sockets, so a bind to a port it held at the time failed; a peer might have set
//! them, so a bind to its port is only said to have been tried.

use crate::evidence::{Attempt, Role, Transcript};
use crate::relay::routing::overlaps;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A port of the run and who holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeldPort {
    pub address: SocketAddr,
    pub holder: Holder,
    /// Whose network it is held in; `None` when both programs share one (relay mode).
    pub seen_by: Option<Role>,
    /// From when on (scenario time) it is surely held, where the grader knows.
    pub since: Option<Duration>,
}

/// Who holds a port.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Holder {
    Program(Role),
    Relay { standing_in_for: Role },
}

/// What the grader knows of `role`'s run to judge its attempts by.
#[derive(Clone, Copy, Debug)]
pub struct Judged<'a> {
    pub role: Role,
    pub transcript: &'a Transcript,
    /// The program's own directory, where it may write.
    pub dir: &'a Path,
    /// Whether it ran with everything but its directory read-only (file confinement).
    pub confined: bool,
    /// The other program's transcript: when it ended.
    pub peer: &'a Transcript,
}

/// How many paths a note names before it only counts the rest.
const PATHS_NAMED: usize = 5;

/// The notes for `judged`'s attempts: one for its writes outside its directory, one per
/// address it bound that was not its own to take.
pub fn attempt_notes(judged: Judged<'_>, held: &[HeldPort]) -> Vec<String> {
    let role = judged.role;
    let attempts = &judged.transcript.attempts;
    let mut notes = Vec::new();

    let mut paths: Vec<&PathBuf> = Vec::new();
    for attempt in &attempts.kept {
        if let Attempt::WriteOutside { path, .. } = attempt
            && !paths.contains(&path)
        {
            paths.push(path);
        }
    }
    if !paths.is_empty() {
        let named: Vec<String> = paths
            .iter()
            .take(PATHS_NAMED)
            .map(|path| shown(path, judged.dir))
            .collect();
        // Attempts past the kept ones were not looked at: any of them could be a write.
        let more = (paths.len() - named.len()) as u64 + attempts.more;
        let and_more = match more {
            0 => String::new(),
            _ if attempts.more > 0 => format!(" and up to {more} more"),
            _ => format!(" and {more} more"),
        };
        let refused = if judged.confined {
            "; refused: only its own directory is writable to it"
        } else {
            ""
        };
        notes.push(format!(
            "the {role} tried to write outside its directory: {}{and_more}{refused}",
            named.join(", ")
        ));
    }

    let mut bound: Vec<SocketAddr> = Vec::new();
    for attempt in &attempts.kept {
        let Attempt::Bind { address, at } = *attempt else {
            continue;
        };
        if bound.contains(&address) {
            continue;
        }
        let Some(port) = held.iter().find(|port| {
            overlaps(port.address, address)
                && port.seen_by.is_none_or(|seen_by| seen_by == role)
                && port.holder != Holder::Program(role)
        }) else {
            continue;
        };
        bound.push(address);
        let held_then = port.since.is_some_and(|since| at >= since);
        notes.push(match port.holder {
            Holder::Relay { standing_in_for } => format!(
                "the {role} tried to bind {address}, the relay's port standing in for the {standing_in_for}{}",
                if held_then { " (address in use)" } else { "" }
            ),
            Holder::Program(owner) => {
                let running = held_then && judged.peer.ended_at.is_none_or(|ended| at < ended);
                format!(
                    "the {role} tried to bind {address}, the {owner}'s port{}",
                    if running {
                        format!(", while the {owner} was running")
                    } else {
                        String::new()
                    }
                )
            }
        });
    }
    notes
}

/// `path` relative to `dir` when it is near (in the directory of the run or the one
/// above: `../server/x`), else absolute.
fn shown(path: &Path, dir: &Path) -> String {
    let canonical = std::fs::canonicalize(dir).ok();
    for own in std::iter::once(dir).chain(canonical.as_deref()) {
        for (levels, above) in own.ancestors().enumerate().skip(1).take(2) {
            if above.parent().is_none() {
                break;
            }
            if let Ok(rest) = path.strip_prefix(above) {
                return format!("{}{}", "../".repeat(levels), rest.display());
            }
        }
    }
    path.display().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::Attempts;

    fn transcript(attempts: Vec<Attempt>, more: u64) -> Transcript {
        Transcript {
            attempts: Attempts {
                kept: attempts,
                more,
            },
            ended_at: Some(Duration::from_secs(2)),
            ..Transcript::default()
        }
    }

    fn judged<'a>(role: Role, transcript: &'a Transcript, peer: &'a Transcript) -> Judged<'a> {
        Judged {
            role,
            transcript,
            dir: Path::new("/work/run/client"),
            confined: true,
            peer,
        }
    }

    fn write(path: &str) -> Attempt {
        Attempt::WriteOutside {
            path: PathBuf::from(path),
            at: Duration::from_millis(5),
        }
    }

    fn bind(address: &str, millis: u64) -> Attempt {
        Attempt::Bind {
            address: address.parse().unwrap(),
            at: Duration::from_millis(millis),
        }
    }

    #[test]
    fn writes_are_named_near_the_directory_and_the_rest_counted() {
        let client = transcript(
            vec![
                write("/work/run/server/planted.txt"),
                write("/work/planted.txt"),
                write("/work/run/server/planted.txt"),
                write("/tmp/out/planted.txt"),
                write("/tmp/a"),
                write("/tmp/b"),
                write("/tmp/c"),
            ],
            0,
        );
        let peer = Transcript::default();
        let notes = attempt_notes(judged(Role::Client, &client, &peer), &[]);
        assert_eq!(
            notes,
            [
                "the client tried to write outside its directory: ../server/planted.txt, \
              ../../planted.txt, /tmp/out/planted.txt, /tmp/a, /tmp/b and 1 more; \
              refused: only its own directory is writable to it"
            ]
        );
        let many = transcript(vec![write("/tmp/a")], 36);
        let mut unconfined = judged(Role::Client, &many, &peer);
        unconfined.confined = false;
        assert_eq!(
            attempt_notes(unconfined, &[]),
            ["the client tried to write outside its directory: /tmp/a and up to 36 more"]
        );
    }

    #[test]
    fn only_a_bind_to_a_port_held_by_another_is_noted() {
        let relay_mode = [
            HeldPort {
                address: "127.0.0.1:5000".parse().unwrap(),
                holder: Holder::Program(Role::Server),
                seen_by: None,
                since: Some(Duration::from_millis(10)),
            },
            HeldPort {
                address: "127.0.0.1:6000".parse().unwrap(),
                holder: Holder::Relay {
                    standing_in_for: Role::Server,
                },
                seen_by: None,
                since: Some(Duration::from_millis(10)),
            },
        ];
        let server = transcript(vec![bind("0.0.0.0:5000", 1)], 0);
        let client = transcript(
            vec![
                bind("127.0.0.1:6000", 20),
                bind("127.0.0.1:6000", 30),
                bind("127.0.0.1:5000", 40),
                bind("127.0.0.1:7000", 50),
            ],
            0,
        );
        assert!(attempt_notes(judged(Role::Server, &server, &client), &relay_mode).is_empty());
        assert_eq!(
            attempt_notes(judged(Role::Client, &client, &server), &relay_mode),
            [
                "the client tried to bind 127.0.0.1:6000, the relay's port standing in for the server (address in use)",
                "the client tried to bind 127.0.0.1:5000, the server's port, while the server was running",
            ]
        );
        // In its own network only: a port held in the other program's is no matter.
        let transparent = [HeldPort {
            address: "127.0.0.1:5000".parse().unwrap(),
            holder: Holder::Relay {
                standing_in_for: Role::Server,
            },
            seen_by: Some(Role::Client),
            since: None,
        }];
        assert!(attempt_notes(judged(Role::Server, &server, &client), &transparent).is_empty());
        let thief = transcript(vec![bind("127.0.0.1:5000", 20)], 0);
        assert_eq!(
            attempt_notes(judged(Role::Client, &thief, &server), &transparent),
            [
                "the client tried to bind 127.0.0.1:5000, the relay's port standing in for the server"
            ]
        );
    }
}
