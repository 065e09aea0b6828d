//! The engine driven in simulated time: reproducibility, scheduling, and each scripted fault.

use super::*;
use crate::link::Direction;
use rand::SeedableRng;

const MS: Duration = Duration::from_millis(1);

fn engine(netem: &str, faults: &str, seed: u64) -> Impairment {
    let netem = (!netem.is_empty()).then(|| netem.parse().unwrap());
    let faults: Vec<ScriptedFault> = if faults.is_empty() {
        Vec::new()
    } else {
        serde_saphyr::from_str(faults).unwrap()
    };
    Impairment::new(netem, faults, ChaCha8Rng::seed_from_u64(seed)).unwrap()
}

/// A 48-byte rdt3-like datagram whose content is `tag`.
fn datagram(tag: u8) -> Vec<u8> {
    vec![tag; 48]
}

/// Feeds `count` datagrams `spacing` apart and returns the decisions.
fn run(engine: &mut Impairment, count: u32, spacing: Duration) -> Vec<Decision> {
    (0..count)
        .map(|n| engine.decide(spacing * n, &datagram(n as u8)))
        .collect()
}

const SOAK: &str = "delay 2ms 1ms loss 30% corrupt 5% duplicate 5%";

#[test]
fn same_seed_same_decisions_other_seed_other_decisions() {
    let first = run(&mut engine(SOAK, "", 1), 500, MS);
    assert_eq!(first, run(&mut engine(SOAK, "", 1), 500, MS));
    assert_ne!(first, run(&mut engine(SOAK, "", 2), 500, MS));
}

#[test]
fn bytes_and_times_do_not_move_random_losses() {
    let lost = |decisions: Vec<Decision>| -> Vec<bool> {
        decisions.iter().map(Decision::is_dropped).collect()
    };
    let mut steady = engine(SOAK, "", 9);
    let mut other = engine(SOAK, "", 9);
    let varied: Vec<Decision> = (0..1_000_u32)
        .map(|n| other.decide(MS * (n * n % 7 + n * 3), &vec![n as u8; n as usize % 60]))
        .collect();
    assert_eq!(lost(run(&mut steady, 1_000, MS)), lost(varied));
}

#[test]
fn scripted_faults_do_not_move_random_fates_elsewhere() {
    let plain = run(&mut engine(SOAK, "", 3), 200, MS);
    let faults = "- drop: { direction: to-server, nth: 5 }\n\
                  - duplicate: { direction: to-server, nth: 9 }";
    let scripted = run(&mut engine(SOAK, faults, 3), 200, MS);
    assert_eq!(scripted[4].dropped, Some(DropCause::Scripted));
    for n in (0..200).filter(|&n| n != 4 && n != 8) {
        assert_eq!(
            plain[n].is_dropped(),
            scripted[n].is_dropped(),
            "datagram {}",
            n + 1
        );
    }
}

#[test]
fn random_loss_rate_through_the_engine() {
    let decisions = run(&mut engine("loss 50%", "", 11), 10_000, MS);
    let lost = decisions
        .iter()
        .filter(|d| d.dropped == Some(DropCause::RandomLoss))
        .count();
    assert!((lost as f64 / 10_000.0 - 0.5).abs() < 0.03, "{lost}");
    assert!(
        decisions
            .iter()
            .all(|d| d.is_dropped() == d.copies.is_empty())
    );
}

#[test]
fn jitter_stays_in_bounds_and_centres_on_the_latency() {
    // 100 ms apart, so the FIFO rule never holds a datagram back.
    let decisions = run(&mut engine("delay 10ms 2ms", "", 5), 5_000, 100 * MS);
    let delays: Vec<Duration> = decisions.iter().map(|d| d.copies[0].delay).collect();
    assert!(
        delays
            .iter()
            .all(|delay| (8 * MS..=12 * MS).contains(delay))
    );
    let mean = delays.iter().sum::<Duration>() / 5_000;
    assert!(
        mean.abs_diff(10 * MS) < Duration::from_micros(100),
        "{mean:?}"
    );
}

#[test]
fn jitter_alone_never_reorders() {
    let decisions = run(&mut engine("delay 10ms 5ms", "", 5), 2_000, MS / 4);
    let departures: Vec<Duration> = (0..2_000_u32)
        .map(|n| MS / 4 * n + decisions[n as usize].copies[0].delay)
        .collect();
    assert!(departures.windows(2).all(|pair| pair[0] <= pair[1]));
}

#[test]
fn reordered_datagrams_go_at_once() {
    let decisions = run(&mut engine("delay 10ms reorder 100% gap 5", "", 5), 10, MS);
    for (index, decision) in decisions.iter().enumerate() {
        let copy = &decision.copies[0];
        if (index + 1) % 5 == 0 {
            assert_eq!(
                (copy.delay, &copy.alterations[..]),
                (Duration::ZERO, &[Alteration::Reordered][..])
            );
        } else {
            assert_eq!(copy.delay, 10 * MS);
        }
    }
}

#[test]
fn rate_spaces_datagrams_by_their_serialization_time() {
    // 125 bytes at 1 mbit/s take exactly 1 ms.
    let mut link = engine("rate 1mbit", "", 5);
    let delays: Vec<Duration> = (0..10)
        .map(|_| link.decide(Duration::ZERO, &[0; 125]).copies[0].delay)
        .collect();
    assert_eq!(delays, (1..=10).map(|n| MS * n).collect::<Vec<_>>());
    let later = link.decide(100 * MS, &[0; 125]);
    assert_eq!(later.copies[0].delay, MS);
    assert_eq!(
        later.copies[0].alterations,
        [Alteration::RateLimited { micros: 1_000 }]
    );
    let mut delayed = engine("delay 10ms rate 1mbit", "", 5);
    assert_eq!(
        delayed.decide(Duration::ZERO, &[0; 125]).copies[0].delay,
        11 * MS
    );
}

#[test]
fn netem_corrupts_one_copy_and_duplicates_it_clean() {
    let mut link = engine("corrupt 100% duplicate 100%", "", 5);
    let decision = link.decide(Duration::ZERO, &datagram(7));
    let [corrupt, clean] = &decision.copies[..] else {
        panic!("{decision:?}");
    };
    assert_eq!(clean.bytes, datagram(7));
    assert_eq!(
        clean.alterations,
        [Alteration::Duplicate {
            origin: Origin::Netem
        }]
    );
    let [
        Alteration::Corrupted {
            byte,
            bit,
            origin: Origin::Netem,
        },
    ] = corrupt.alterations[..]
    else {
        panic!("{corrupt:?}");
    };
    let mut expected = datagram(7);
    expected[byte] ^= 1 << bit;
    assert_eq!(corrupt.bytes, expected);
}

#[test]
fn drops_the_first_transmission_of_the_second_packet() {
    // The client resends packet 1 before packet 2; `packet: 2` still means packet 2.
    let mut link = engine("", "- drop: { direction: to-server, packet: 2 }", 5);
    let sent = [
        datagram(1),
        datagram(1),
        datagram(2),
        datagram(2),
        datagram(3),
    ];
    let dropped: Vec<bool> = sent
        .iter()
        .map(|bytes| link.decide(Duration::ZERO, bytes).is_dropped())
        .collect();
    assert_eq!(dropped, [false, false, true, false, false]);
    let mut link = engine(
        "",
        "- drop: { direction: to-server, packet: 1, transmission: 2 }",
        5,
    );
    let dropped: Vec<bool> = sent
        .iter()
        .map(|bytes| link.decide(Duration::ZERO, bytes).is_dropped())
        .collect();
    assert_eq!(dropped, [false, true, false, false, false]);
}

#[test]
fn matching_counts_only_its_kind_of_datagram() {
    // A FIN is byte 10 bit 0 in tcp-over-udp; how much data came first does not matter.
    let segment = |flags: u8, payload: usize| {
        let mut bytes = vec![0; 12 + payload];
        bytes[10] = flags;
        bytes[0] = payload as u8;
        bytes
    };
    let sent = [
        segment(2, 0),   // SYN
        segment(4, 100), // data
        segment(4, 50),  // data
        segment(1, 0),   // FIN, dropped
        segment(1, 0),   // the FIN again, delivered
        segment(4, 0),   // an ACK
    ];
    let decide = |faults: &str| -> Vec<bool> {
        let mut link = engine("", faults, 5);
        sent.iter()
            .map(|bytes| link.decide(Duration::ZERO, bytes).is_dropped())
            .collect()
    };
    assert_eq!(
        decide("- drop: { direction: to-server, packet: 1, matching: { byte: 10, bits: 1 } }"),
        [false, false, false, true, false, false]
    );
    assert_eq!(
        decide("- drop: { direction: to-server, nth: 2, matching: { longer-than: 12 } }"),
        [false, false, true, false, false, false]
    );
    // Unfiltered faults beside filtered ones keep counting every datagram.
    assert_eq!(
        decide(
            "- drop: { direction: to-server, nth: 1 }\n\
             - drop: { direction: to-server, packet: 1, transmission: 2, matching: { byte: 10, bits: 1 } }"
        ),
        [true, false, false, false, true, false]
    );
}

#[test]
fn a_scripted_delay_is_overtaken() {
    let mut link = engine(
        "delay 1ms",
        "- delay: { direction: to-client, nth: 1, by: 27ms }",
        5,
    );
    let held = link.decide(Duration::ZERO, &datagram(1));
    let next = link.decide(MS, &datagram(2));
    assert_eq!(held.copies[0].delay, 28 * MS);
    assert_eq!(
        held.copies[0].alterations,
        [
            Alteration::Delayed {
                micros: 27_000,
                origin: Origin::Scripted
            },
            Alteration::Delayed {
                micros: 1_000,
                origin: Origin::Netem
            },
        ]
    );
    assert_eq!(next.copies[0].delay, MS);
}

#[test]
fn corrupts_a_named_byte_and_bit() {
    let mut link = engine(
        "",
        "- corrupt: { direction: to-server, nth: 1, byte: 8, bit: 3 }",
        5,
    );
    let copy = &link.decide(Duration::ZERO, &[0; 48]).copies[0];
    assert_eq!(copy.bytes[8], 0b1000);
    assert_eq!(
        copy.alterations,
        [Alteration::Corrupted {
            byte: 8,
            bit: 3,
            origin: Origin::Scripted
        }]
    );
    // Past the end of a short datagram: delivered untouched, and no corruption recorded.
    let mut link = engine(
        "",
        "- corrupt: { direction: to-server, nth: 1, byte: 60 }",
        5,
    );
    let copy = &link.decide(Duration::ZERO, &[0; 48]).copies[0];
    assert_eq!(
        (copy.bytes.as_slice(), copy.alterations.len()),
        (&[0; 48][..], 0)
    );
}

#[test]
fn corrupts_a_random_bit_when_none_is_named() {
    let mut link = engine("", "- corrupt: { direction: to-server, nth: 1 }", 5);
    let copy = &link.decide(Duration::ZERO, &[0; 48]).copies[0];
    let [Alteration::Corrupted { byte, bit, .. }] = copy.alterations[..] else {
        panic!("{copy:?}");
    };
    let flipped: u32 = copy.bytes.iter().map(|byte| byte.count_ones()).sum();
    assert_eq!((flipped, copy.bytes[byte]), (1, 1 << bit));
}

#[test]
fn duplicates_and_truncates() {
    let faults = "- duplicate: { direction: to-client, nth: 1, copies: 2 }\n\
                  - truncate: { direction: to-client, nth: 1, to: 20 }";
    let decision = engine("", faults, 5).decide(Duration::ZERO, &datagram(4));
    assert_eq!(decision.copies.len(), 3);
    assert!(decision.copies.iter().all(|copy| copy.bytes == vec![4; 20]));
    assert_eq!(
        decision.copies[0].alterations,
        [Alteration::Truncated { from: 48, to: 20 }]
    );
    assert_eq!(
        decision.copies[2].alterations[1],
        Alteration::Duplicate {
            origin: Origin::Scripted
        }
    );
}

#[test]
fn blackout_drops_its_window_only() {
    let mut link = engine("", "- blackout: { from: 10ms, until: 50ms }", 5);
    let fates: Vec<Option<DropCause>> = [9, 10, 49, 50]
        .map(|ms| link.decide(MS * ms, &datagram(0)).dropped)
        .to_vec();
    assert_eq!(
        fates,
        [
            None,
            Some(DropCause::Blackout),
            Some(DropCause::Blackout),
            None
        ]
    );
}

#[test]
fn refuses_unresolved_fields_and_invalid_faults() {
    let build = |yaml: &str| {
        let faults: Vec<ScriptedFault> = serde_saphyr::from_str(yaml).unwrap();
        Impairment::new(None, faults, ChaCha8Rng::seed_from_u64(0))
            .unwrap_err()
            .to_string()
    };
    assert_eq!(
        build(
            "- drop: { direction: to-server, nth: 1 }\n- corrupt: { direction: to-server, nth: 1, field: data }"
        ),
        "scripted fault #2 (corrupt): field `data` was never resolved to a byte"
    );
    assert_eq!(
        build("- drop: { direction: to-server }"),
        "scripted fault #1 (drop): say which datagram: `nth: N` or `packet: N`"
    );
}

#[test]
fn alterations_and_causes_serialize_for_the_trace() {
    let alterations = [
        Alteration::Delayed {
            micros: 27_000,
            origin: Origin::Scripted,
        },
        Alteration::Reordered,
    ];
    let json = serde_json::to_string(&alterations).unwrap();
    assert_eq!(
        json,
        r#"[{"delayed":{"micros":27000,"origin":"scripted"}},"reordered"]"#
    );
    assert_eq!(
        serde_json::from_str::<Vec<Alteration>>(&json).unwrap(),
        alterations
    );
    assert_eq!(
        serde_json::to_string(&DropCause::GilbertElliott).unwrap(),
        r#""gilbert-elliott""#
    );
    assert_eq!(Direction::ToServer.name(), "to-server");
}

#[test]
fn old_seeds_replay_the_same_fates() {
    // Pinned: if this changes, seeds printed in old reports no longer replay their failures
    // (see the field order of `Draws`).
    let mut link = engine("loss 50%", "", 1);
    let lost: String = (0..32)
        .map(|_| {
            if link.decide(Duration::ZERO, &datagram(0)).is_dropped() {
                'x'
            } else {
                '.'
            }
        })
        .collect();
    assert_eq!(lost, PINNED_LOSSES);
}

const PINNED_LOSSES: &str = "x.x.x.xx.x..x.xx.x..x.xxxx.x...x";
