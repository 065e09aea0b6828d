//! The admission order in simulated time: scripted conversations, no sockets.

use super::*;

fn at(micros: u64) -> Duration {
    Duration::from_micros(micros)
}

/// Drives `admission` as a relay whose server takes every connection `accept_after` after
/// it connects, from `start`, where `connected` are those connected already, each with
/// when; returns them and those connected after, in order, and how often the kernel was
/// asked.
fn run_through(
    admission: &mut Admission,
    start: Duration,
    accept_after: Duration,
    mut connected: Vec<(u32, Duration)>,
) -> (Vec<(u32, Duration)>, usize) {
    let mut probes = 0;
    let mut now = start;
    while admission.held() > 0 || admission.next_due().is_some() {
        while let Some(step) = admission.poll(now) {
            match step {
                Step::Connect(nth) => {
                    connected.push((nth, now));
                    admission.connected(nth, now);
                }
                Step::Probe(nth) => {
                    probes += 1;
                    let since = connected
                        .iter()
                        .find(|(connected, _)| *connected == nth)
                        .map(|(_, when)| *when)
                        .expect("only a connected one is probed");
                    let holder = if now >= since + accept_after {
                        Holder::Program
                    } else {
                        Holder::Queue
                    };
                    admission.probed(nth, holder);
                }
            }
        }
        match admission.next_due() {
            Some(due) => now = due.max(now),
            None => break,
        }
    }
    (connected, probes)
}

#[test]
fn twenty_connections_opened_at_once_reach_the_server_one_at_a_time_in_order() {
    let mut admission = Admission::new(TakenWhen::Accepted);
    for nth in 1..=20 {
        admission.arrived(nth);
    }
    assert_eq!(admission.held(), 20);
    assert_eq!(admission.poll(at(0)), Some(Step::Connect(1)));
    // Nothing else moves while the first is connecting, nor once it waits in the queue.
    assert_eq!(admission.poll(at(0)), None);
    assert_eq!(admission.held(), 20, "connecting is not there yet");
    admission.connected(1, at(10));
    assert_eq!(admission.held(), 19);
    assert_eq!(admission.poll(at(10)), Some(Step::Probe(1)));
    admission.probed(1, Holder::Queue);
    assert_eq!(admission.poll(at(10)), None);
    assert_eq!(admission.next_due(), Some(at(210)));
    assert_eq!(admission.poll(at(210)), Some(Step::Probe(1)));
    admission.probed(1, Holder::Program);
    assert_eq!(admission.poll(at(210)), Some(Step::Connect(2)));
    admission.connected(2, at(220));
    let accept_after = Duration::from_millis(3);
    let (order, probes) = run_through(&mut admission, at(220), accept_after, vec![(2, at(220))]);
    let numbers: Vec<u32> = order.iter().map(|(nth, _)| *nth).collect();
    assert_eq!(numbers, (2..=20).collect::<Vec<_>>());
    for pair in order.windows(2) {
        let gap = pair[1].1 - pair[0].1;
        assert!(
            gap >= accept_after && gap <= accept_after + LONGEST_PROBE_INTERVAL,
            "each follows once the one before is accepted, seen at most a probe late: {pair:?}"
        );
    }
    assert!(probes <= 19 * 6, "{probes} probes");
    assert_eq!(admission.held(), 0);
    assert_eq!(admission.next_due(), None);
}

#[test]
fn a_server_slow_to_accept_is_asked_less_and_less_often() {
    let mut admission = Admission::new(TakenWhen::Accepted);
    admission.arrived(1);
    admission.arrived(2);
    assert_eq!(admission.poll(at(0)), Some(Step::Connect(1)));
    admission.connected(1, at(0));
    let mut asked = Vec::new();
    let mut now = at(0);
    while now < Duration::from_millis(10) {
        if let Some(Step::Probe(1)) = admission.poll(now) {
            asked.push(now.as_micros());
            admission.probed(1, Holder::Queue);
        }
        now = admission.next_due().unwrap();
    }
    assert_eq!(
        asked,
        [0, 200, 600, 1400, 3000, 5000, 7000, 9000],
        "doubling from 200 µs to at most 2 ms"
    );
    assert_eq!(admission.held(), 1, "the second waits all along");
}

#[test]
fn a_connection_whose_server_side_is_gone_lets_the_next_follow() {
    let mut admission = Admission::new(TakenWhen::Accepted);
    admission.arrived(1);
    admission.arrived(2);
    assert_eq!(admission.poll(at(0)), Some(Step::Connect(1)));
    admission.connected(1, at(5));
    assert_eq!(admission.poll(at(5)), Some(Step::Probe(1)));
    admission.probed(1, Holder::Nobody);
    assert_eq!(admission.poll(at(5)), Some(Step::Connect(2)));
}

#[test]
fn a_connection_that_cannot_reach_the_server_lets_the_next_follow() {
    let mut admission = Admission::new(TakenWhen::Accepted);
    admission.arrived(1);
    admission.arrived(2);
    assert_eq!(admission.poll(at(0)), Some(Step::Connect(1)));
    admission.ended(1);
    assert_eq!(admission.poll(at(0)), Some(Step::Connect(2)));
    assert_eq!(admission.held(), 1);
}

#[test]
fn a_full_queue_is_tried_again_sooner_and_sooner_first_in_line() {
    let mut admission = Admission::new(TakenWhen::Connected);
    admission.arrived(1);
    admission.arrived(2);
    let mut tries = Vec::new();
    let mut now = at(0);
    while tries.len() < 7 {
        match admission.poll(now) {
            Some(Step::Connect(nth)) => {
                assert_eq!(nth, 1, "the second never overtakes the first");
                tries.push(now.as_millis());
                admission.queue_full(nth, now);
            }
            other => assert_eq!(other, None),
        }
        now = admission.next_due().unwrap();
    }
    assert_eq!(tries, [0, 1, 3, 7, 15, 31, 47]);
    assert_eq!(admission.held(), 2);
    assert_eq!(admission.poll(now), Some(Step::Connect(1)));
    admission.connected(1, now);
    assert_eq!(
        admission.poll(now),
        Some(Step::Connect(2)),
        "taken once connected"
    );
}

#[test]
fn where_the_kernel_will_not_say_a_connected_one_counts_as_taken() {
    let mut admission = Admission::new(TakenWhen::Accepted);
    admission.arrived(1);
    admission.arrived(2);
    admission.arrived(3);
    assert_eq!(admission.poll(at(0)), Some(Step::Connect(1)));
    admission.connected(1, at(0));
    assert_eq!(admission.poll(at(0)), Some(Step::Probe(1)));
    admission.cannot_probe(1);
    assert_eq!(admission.poll(at(0)), Some(Step::Connect(2)));
    admission.connected(2, at(1));
    assert_eq!(admission.poll(at(1)), Some(Step::Connect(3)));
}
