//! Which packet each of the server's replies answers: by what the reply carries and when it
//! was sent, never by its position.
//!
//! A server's k-th reply is not always the answer to the k-th packet it was given: a course
//! template's loss simulator withholds some ACKs on purpose (a withheld ACK is a lost ACK,
//! which rdt 3.0 is built for), and a reply sent where the relay cannot see it never
//! reaches the wire. Pairing by position would then blame every later reply for answering
//! the wrong packet. Instead a reply answers a packet the server had received before the
//! reply was sent and had not answered yet, the earliest one whose rdt 2.2 answer is what
//! the reply carries; the packets before it went without a reply.
//!
//! What rdt 2.2 answers depends on the one bit of state the receiver keeps, the seq it
//! expects next. A packet that got no reply may have been handled (the reply withheld
//! after it) or ignored (withheld before it), so after one the state may be either: the
//! pairing carries the set of states the server may be in, and a reply narrows it again.

use super::conversation::{Conversation, Step, StepKind};
use crate::link::Direction;
use std::collections::{BTreeMap, BTreeSet};

/// The server's replies paired with the packets they answer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Pairing {
    /// (delivery, reply) step indices, in the order of the replies.
    pub answered: Vec<(usize, usize)>,
    /// Deliveries to the server that got no reply of their own, in order.
    pub unanswered: Vec<usize>,
}

/// A reply no unanswered packet calls for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Misfit {
    /// The server replied when it had answered every packet it had been given.
    NothingToAnswer { reply: usize },
    /// The reply is not the rdt 2.2 answer to any packet the server had received and not
    /// answered; `candidates` are those packets, with the ACKs each calls for.
    Wrong {
        reply: usize,
        candidates: Vec<Candidate>,
    },
}

/// A packet the server had received and not answered when a reply went out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    pub delivery: usize,
    pub given: Given,
    /// The seqs the server may have been expecting when it got the packet.
    pub expected: States,
}

impl Candidate {
    /// `the duplicate of seq 0 (to-server #4 delivered at 0.031 s), which calls for an ACK
    /// for seq 0`.
    pub fn describe(&self, conversation: &Conversation) -> String {
        let acks: Vec<String> = self
            .expected
            .acks(self.given)
            .iter()
            .map(i128::to_string)
            .collect();
        format!(
            "{} ({}), which calls for an ACK for seq {}",
            self.given.describe(self.expected),
            conversation.steps[self.delivery].describe(),
            acks.join(" or ")
        )
    }
}

/// What the server was given, as rdt 2.2 sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Given {
    /// A valid data packet with this seq.
    Data { seq: i128 },
    /// A packet whose checksum fails or that does not decode.
    Corrupt,
    /// A valid packet that is not data (its ack field is not 0).
    NotData,
}

impl Given {
    pub fn of(step: &Step) -> Given {
        match step.valid_packet() {
            Some(packet) if packet.ack == 0 => Given::Data { seq: packet.seq },
            Some(_) => Given::NotData,
            None => Given::Corrupt,
        }
    }

    /// How a report names it, with the state the server was in.
    pub fn describe(self, expected: States) -> String {
        match self {
            Given::Data { seq } if expected.only() == Some(seq) => {
                format!("the new packet with seq {seq}")
            }
            Given::Data { seq } if !expected.contains(seq) => {
                format!("the duplicate of seq {seq}")
            }
            Given::Data { seq } => format!("the packet with seq {seq}"),
            Given::Corrupt => "the corrupt packet".to_owned(),
            Given::NotData => "the packet that is not data (ack field not 0)".to_owned(),
        }
    }

    /// The seq rdt 2.2 ACKs when expecting `expected`: a good packet with that seq is
    /// delivered and ACKed; anything else re-ACKs the last good seq, the other one.
    fn ack(self, expected: i128) -> i128 {
        match self {
            Given::Data { seq } if seq == expected => seq,
            _ => 1 - expected,
        }
    }

    /// The seq expected after handling it.
    fn next(self, expected: i128) -> i128 {
        match self {
            Given::Data { seq } if seq == expected => 1 - expected,
            _ => expected,
        }
    }
}

/// The seqs the server may be expecting next: 0, 1 or both.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct States {
    zero: bool,
    one: bool,
}

impl States {
    /// A receiver that has delivered nothing waits for seq 0.
    pub const START: States = States {
        zero: true,
        one: false,
    };

    fn iter(self) -> impl Iterator<Item = i128> {
        [(self.zero, 0), (self.one, 1)]
            .into_iter()
            .filter_map(|(possible, seq)| possible.then_some(seq))
    }

    fn from_seqs(seqs: impl IntoIterator<Item = i128>) -> States {
        let mut states = States {
            zero: false,
            one: false,
        };
        for seq in seqs {
            match seq {
                0 => states.zero = true,
                _ => states.one = true,
            }
        }
        states
    }

    pub fn contains(self, seq: i128) -> bool {
        self.iter().any(|state| state == seq)
    }

    /// The one state, when it is known.
    pub fn only(self) -> Option<i128> {
        match (self.zero, self.one) {
            (true, false) => Some(0),
            (false, true) => Some(1),
            _ => None,
        }
    }

    /// The ACK seqs rdt 2.2 allows for `given`, smallest first.
    pub fn acks(self, given: Given) -> Vec<i128> {
        let mut acks: Vec<i128> = self.iter().map(|state| given.ack(state)).collect();
        acks.sort_unstable();
        acks.dedup();
        acks
    }

    /// After `given` was answered with an ACK for `seq`.
    fn answered(self, given: Given, seq: i128) -> States {
        States::from_seqs(
            self.iter()
                .filter(|&state| given.ack(state) == seq)
                .map(|state| given.next(state)),
        )
    }

    /// After `given` got no reply: handled, or ignored.
    fn unanswered(self, given: Given) -> States {
        States::from_seqs(self.iter().chain(self.iter().map(|state| given.next(state))))
    }
}

/// Pairs every reply of the server with the packet it answers, or says which reply fits
/// no packet.
pub fn pair(conversation: &Conversation) -> Result<Pairing, Misfit> {
    let mut pairing = Pairing::default();
    let mut states = States::START;
    let mut pending: Vec<usize> = Vec::new();
    for (index, step) in conversation.steps.iter().enumerate() {
        match (step.kind, step.direction) {
            (StepKind::Delivered, Direction::ToServer) => pending.push(index),
            (StepKind::Sent, Direction::ToClient) => {
                if pending.is_empty() {
                    return Err(Misfit::NothingToAnswer { reply: index });
                }
                let ack = step
                    .packet
                    .as_ref()
                    .ok()
                    .filter(|packet| packet.ack == 1)
                    .map(|packet| packet.seq);
                let mut running = states;
                let mut candidates = Vec::new();
                let mut found = None;
                for (position, &delivery) in pending.iter().enumerate() {
                    let given = Given::of(&conversation.steps[delivery]);
                    let acks = running.acks(given);
                    if let Some(seq) = ack.filter(|seq| acks.contains(seq)) {
                        found = Some((position, running.answered(given, seq)));
                        break;
                    }
                    candidates.push(Candidate {
                        delivery,
                        given,
                        expected: running,
                    });
                    running = running.unanswered(given);
                }
                let Some((position, after)) = found else {
                    return Err(Misfit::Wrong {
                        reply: index,
                        candidates,
                    });
                };
                pairing.unanswered.extend(pending.drain(..position));
                pairing.answered.push((pending.remove(0), index));
                states = after;
            }
            _ => {}
        }
    }
    pairing.unanswered.extend(pending);
    Ok(latest_in_runs(conversation, pairing))
}

/// Within a run of identical data packets delivered one after another (a message and its
/// retransmissions), which one a reply answers cannot be told by what it carries: each
/// calls for the same ACK, and any choice leaves the server in the same state. The pairing
/// above takes the earliest, so that a slow server's later replies still find theirs; for
/// the report, each reply is then moved to the latest packet of the run it can answer (the
/// last delivered before it, keeping the replies' order), because a server answers at once:
/// a reply sent after the retransmission arrived is the retransmission's, and the packet
/// without a reply is the one before it.
fn latest_in_runs(conversation: &Conversation, pairing: Pairing) -> Pairing {
    let deliveries: Vec<usize> = conversation
        .steps_of(StepKind::Delivered, Direction::ToServer)
        .map(|(index, _)| index)
        .collect();
    let reply_of: BTreeMap<usize, usize> = pairing.answered.iter().copied().collect();
    let mut answered = Vec::new();
    for run in deliveries.chunk_by(|&a, &b| {
        let given = Given::of(&conversation.steps[a]);
        matches!(given, Given::Data { seq: 0 | 1 }) && given == Given::of(&conversation.steps[b])
    }) {
        let mut before = usize::MAX;
        for (&earliest, &reply) in run.iter().filter_map(|d| Some((d, reply_of.get(d)?))).rev() {
            // The earliest pairing found a packet for each reply, so the latest one is
            // there too; `earliest` is only the fallback.
            let latest = run
                .iter()
                .rev()
                .find(|&&d| d < reply && d < before)
                .copied()
                .unwrap_or(earliest);
            answered.push((latest, reply));
            before = latest;
        }
    }
    answered.sort_by_key(|&(_, reply)| reply);
    let paired: BTreeSet<usize> = answered.iter().map(|&(delivery, _)| delivery).collect();
    let unanswered = deliveries
        .into_iter()
        .filter(|delivery| !paired.contains(delivery))
        .collect();
    Pairing {
        answered,
        unanswered,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rdt_2_2_answers_by_the_one_bit_of_state() {
        let data = |seq| Given::Data { seq };
        assert_eq!(States::START.acks(data(0)), [0]);
        assert_eq!(States::START.acks(data(1)), [1]);
        assert_eq!(States::START.acks(Given::Corrupt), [1]);
        let after_first = States::START.answered(data(0), 0);
        assert_eq!(after_first.only(), Some(1));
        assert_eq!(after_first.acks(Given::Corrupt), [0]);
        // A packet that got no reply may have been handled or ignored.
        let unknown = States::START.unanswered(data(0));
        assert_eq!(unknown.only(), None);
        assert_eq!(unknown.acks(Given::Corrupt), [0, 1]);
        // A good packet with seq s is ACKed with s whatever the state, and afterwards the
        // receiver expects the other seq.
        assert_eq!(unknown.acks(data(0)), [0]);
        assert_eq!(unknown.answered(data(0), 0).only(), Some(1));
        // A corrupt packet's re-ACK tells the state.
        assert_eq!(unknown.answered(Given::Corrupt, 1).only(), Some(0));
    }
}
