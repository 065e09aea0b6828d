//! The shaper in simulated time: every fault, on scripted conversations.

use super::*;
use crate::link::stream::faults::{Coalesce, Cut, Slice, Stall};
use rand::SeedableRng;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn shaper(faults: StreamFaults) -> StreamShaper {
    StreamShaper::new(&faults, 1, ChaCha8Rng::seed_from_u64(7))
}

/// Everything the shaper does from `now` on, stepping to each due time, until it waits
/// for the sender; returns (time, action) pairs.
fn drain(shaper: &mut StreamShaper, mut now: Duration) -> Vec<(Duration, Action)> {
    let mut actions = Vec::new();
    loop {
        while let Some(action) = shaper.poll(now) {
            actions.push((now, action));
        }
        match shaper.next_due() {
            Some(due) if due > now => now = due,
            Some(_) => {
                // Due now, yet nothing happened: only the sender can move it on.
                assert!(shaper.poll(now).is_none());
                return actions;
            }
            None => return actions,
        }
    }
}

fn written(actions: &[(Duration, Action)]) -> Vec<u8> {
    actions
        .iter()
        .filter_map(|(_, action)| match action {
            Action::Write(bytes) => Some(bytes.clone()),
            _ => None,
        })
        .flatten()
        .collect()
}

#[test]
fn without_faults_each_read_is_forwarded_at_once_and_the_end_follows() {
    let mut shaper = shaper(StreamFaults::default());
    shaper.receive(ms(1), b"hello");
    assert_eq!(shaper.poll(ms(1)), Some(Action::Write(b"hello".to_vec())));
    assert_eq!(shaper.poll(ms(1)), None);
    assert_eq!(shaper.next_due(), None);
    shaper.receive_end(ms(2));
    assert_eq!(shaper.poll(ms(2)), Some(Action::Close));
    assert!(shaper.is_finished());
    assert_eq!(shaper.poll(ms(3)), None);
}

#[test]
fn slicing_cuts_the_stream_into_small_segments_a_gap_apart() {
    let mut shaper = shaper(StreamFaults {
        slice: Some(Slice {
            min: 1,
            max: 3,
            gap: ms(2),
        }),
        ..StreamFaults::default()
    });
    let stream: Vec<u8> = (0..100).collect();
    shaper.receive(ms(0), &stream);
    shaper.receive_end(ms(0));
    let actions = drain(&mut shaper, ms(0));
    assert_eq!(written(&actions), stream);
    let writes: Vec<_> = actions
        .iter()
        .filter_map(|(at, action)| match action {
            Action::Write(bytes) => Some((*at, bytes.len())),
            _ => None,
        })
        .collect();
    assert!(writes.iter().all(|(_, len)| (1..=3).contains(len)));
    assert!(writes.len() >= 34, "100 bytes in at most 3-byte pieces");
    for pair in writes.windows(2) {
        assert_eq!(pair[1].0 - pair[0].0, ms(2), "one gap between segments");
    }
    assert_eq!(
        actions.last().map(|(_, action)| action),
        Some(&Action::Close)
    );
}

#[test]
fn slicing_is_the_same_for_the_same_seed_and_differs_for_another() {
    let sizes = |seed: u64| {
        let faults = StreamFaults {
            slice: Some(Slice {
                min: 1,
                max: 3,
                gap: ms(1),
            }),
            ..StreamFaults::default()
        };
        let mut shaper = StreamShaper::new(&faults, 1, ChaCha8Rng::seed_from_u64(seed));
        shaper.receive(ms(0), &[0; 200]);
        drain(&mut shaper, ms(0))
            .into_iter()
            .map(|(_, action)| match action {
                Action::Write(bytes) => bytes.len(),
                _ => 0,
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(sizes(1), sizes(1));
    assert_ne!(sizes(1), sizes(2));
}

#[test]
fn coalescing_holds_several_writes_and_delivers_them_as_one() {
    let mut shaper = shaper(StreamFaults {
        coalesce: Some(Coalesce { window: ms(50) }),
        ..StreamFaults::default()
    });
    shaper.receive(ms(0), b"\0\0\0\x02");
    assert_eq!(shaper.poll(ms(0)), None);
    assert_eq!(shaper.next_due(), Some(ms(50)));
    shaper.receive(ms(10), b"one\n");
    shaper.receive(ms(20), b"two\n");
    assert_eq!(shaper.poll(ms(49)), None);
    assert_eq!(
        shaper.poll(ms(50)),
        Some(Action::Write(b"\0\0\0\x02one\ntwo\n".to_vec()))
    );
    // The next window starts with the next byte.
    shaper.receive(ms(60), b"x");
    assert_eq!(shaper.next_due(), Some(ms(110)));
}

#[test]
fn delay_holds_every_byte_for_the_same_time() {
    let mut shaper = shaper(StreamFaults {
        delay: Some(ms(10)),
        ..StreamFaults::default()
    });
    shaper.receive(ms(0), b"a");
    shaper.receive(ms(3), b"b");
    assert_eq!(shaper.next_due(), Some(ms(10)));
    assert_eq!(shaper.poll(ms(9)), None);
    assert_eq!(shaper.poll(ms(10)), Some(Action::Write(b"a".to_vec())));
    assert_eq!(shaper.next_due(), Some(ms(13)));
    assert_eq!(shaper.poll(ms(13)), Some(Action::Write(b"b".to_vec())));
}

#[test]
fn rate_paces_segments_by_their_size() {
    let mut shaper = shaper(StreamFaults {
        // 8000 bits per second: one byte per millisecond.
        rate: Some(8_000),
        slice: Some(Slice {
            min: 10,
            max: 10,
            gap: Duration::ZERO,
        }),
        ..StreamFaults::default()
    });
    shaper.receive(ms(0), &[1; 30]);
    let actions = drain(&mut shaper, ms(0));
    let times: Vec<_> = actions.iter().map(|(at, _)| *at).collect();
    assert_eq!(times, [ms(0), ms(10), ms(20)]);
}

#[test]
fn a_stall_stops_delivery_exactly_after_its_bytes_for_its_time() {
    let mut shaper = shaper(StreamFaults {
        stall: Some(Stall {
            connection: None,
            after: 4,
            duration: ms(100),
        }),
        ..StreamFaults::default()
    });
    shaper.receive(ms(0), b"abcdefgh");
    assert_eq!(shaper.poll(ms(0)), Some(Action::Write(b"abcd".to_vec())));
    assert_eq!(shaper.poll(ms(50)), None);
    assert_eq!(shaper.next_due(), Some(ms(100)));
    assert_eq!(shaper.poll(ms(100)), Some(Action::Write(b"efgh".to_vec())));
}

#[test]
fn a_cut_delivers_its_bytes_then_closes_and_swallows_the_rest() {
    let mut shaper = shaper(StreamFaults {
        cut: Some(Cut {
            connection: None,
            after: 5,
        }),
        ..StreamFaults::default()
    });
    shaper.receive(ms(0), b"abc");
    assert_eq!(shaper.poll(ms(0)), Some(Action::Write(b"abc".to_vec())));
    shaper.receive(ms(1), b"defgh");
    assert_eq!(shaper.poll(ms(1)), Some(Action::Write(b"de".to_vec())));
    assert_eq!(shaper.poll(ms(1)), Some(Action::Close));
    shaper.receive(ms(2), b"ijk");
    assert_eq!(shaper.poll(ms(2)), None);
    assert_eq!(shaper.delivered(), 5);
    assert_eq!(shaper.discarded(), 6);
}

#[test]
fn a_reset_comes_after_its_bytes() {
    let mut shaper = shaper(StreamFaults {
        reset: Some(Cut {
            connection: None,
            after: 2,
        }),
        ..StreamFaults::default()
    });
    shaper.receive(ms(0), b"abcdef");
    let actions = drain(&mut shaper, ms(0));
    assert_eq!(
        actions.into_iter().map(|(_, a)| a).collect::<Vec<_>>(),
        [Action::Write(b"ab".to_vec()), Action::Reset]
    );
}

#[test]
fn faults_aimed_at_another_connection_do_not_apply() {
    let faults = StreamFaults {
        cut: Some(Cut {
            connection: Some(37),
            after: 1,
        }),
        ..StreamFaults::default()
    };
    let mut other = StreamShaper::new(&faults, 36, ChaCha8Rng::seed_from_u64(1));
    other.receive(ms(0), b"whole");
    assert_eq!(other.poll(ms(0)), Some(Action::Write(b"whole".to_vec())));
    let mut aimed = StreamShaper::new(&faults, 37, ChaCha8Rng::seed_from_u64(1));
    aimed.receive(ms(0), b"whole");
    assert_eq!(aimed.poll(ms(0)), Some(Action::Write(b"w".to_vec())));
    assert_eq!(aimed.poll(ms(0)), Some(Action::Close));
}

#[test]
fn an_empty_stream_just_closes() {
    let mut shaper = shaper(StreamFaults {
        slice: Some(Slice {
            min: 1,
            max: 2,
            gap: ms(1),
        }),
        ..StreamFaults::default()
    });
    shaper.receive_end(ms(0));
    assert_eq!(shaper.next_due(), Some(Duration::ZERO));
    assert_eq!(shaper.poll(ms(0)), Some(Action::Close));
}
