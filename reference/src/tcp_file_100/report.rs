//! What each tcp-file-100 peer reports after a transfer and after the last one, bent by
//! its defects: the lines as data, so that each defect's effect is tested here without a
//! socket and the socket loops only print what these return.

use super::defect::{ClientDefect, ServerDefect};
use super::event::Event;
use super::figures::{Divisor, Elapsed, ErrorRate, Reading, TimeUnit, average};
use crate::defects::Defects;

/// The server's lines once the `nth` copy is stored, compared and its connection closed.
pub fn server_transfer(
    file: &str,
    nth: u32,
    elapsed: Elapsed,
    defects: &Defects<ServerDefect>,
) -> Vec<Event> {
    let mut events = Vec::with_capacity(2);
    if !defects.has(ServerDefect::MissingLines) {
        events.push(Event::FinishReceiving {
            file: file.to_owned(),
            nth,
        });
    }
    events.push(Event::ReceiveTime {
        file: file.to_owned(),
        nth,
        time: Reading {
            elapsed,
            unit: server_unit(defects),
        },
    });
    events
}

/// The server's closing lines: the average of `times` (one per transfer), the number of
/// incorrect copies and its rate, and `I am done`.
pub fn server_summary(
    file: &str,
    times: &[Elapsed],
    incorrect: u64,
    defects: &Defects<ServerDefect>,
) -> Vec<Event> {
    let divisor = if defects.has(ServerDefect::WrongAverage) {
        Divisor::CountMinusOne
    } else {
        Divisor::Count
    };
    let reported = if defects.has(ServerDefect::DishonestErrorCount) {
        0
    } else {
        incorrect
    };
    vec![
        Event::ReceiveAverage {
            file: file.to_owned(),
            time: Reading {
                elapsed: average(times, divisor),
                unit: server_unit(defects),
            },
        },
        Event::IncorrectTransfers {
            incorrect: reported,
        },
        Event::ErrorRate(ErrorRate {
            incorrect: reported,
            count: times.len() as u64,
        }),
        Event::Done,
    ]
}

/// The client's lines once the `nth` transfer is over.
pub fn client_transfer(
    file: &str,
    nth: u32,
    elapsed: Elapsed,
    defects: &Defects<ClientDefect>,
) -> Vec<Event> {
    let mut events = Vec::with_capacity(2);
    if !defects.has(ClientDefect::MissingLines) {
        events.push(Event::FinishSending {
            file: file.to_owned(),
            nth,
        });
    }
    events.push(Event::SendTime {
        file: file.to_owned(),
        nth,
        time: Reading {
            elapsed,
            unit: client_unit(defects),
        },
    });
    events
}

/// The client's closing lines: the average of `times` and `I am done`.
pub fn client_summary(
    file: &str,
    times: &[Elapsed],
    defects: &Defects<ClientDefect>,
) -> Vec<Event> {
    let divisor = if defects.has(ClientDefect::WrongAverage) {
        Divisor::CountMinusOne
    } else {
        Divisor::Count
    };
    vec![
        Event::SendAverage {
            file: file.to_owned(),
            time: Reading {
                elapsed: average(times, divisor),
                unit: client_unit(defects),
            },
        },
        Event::Done,
    ]
}

fn server_unit(defects: &Defects<ServerDefect>) -> TimeUnit {
    if defects.has(ServerDefect::Seconds) {
        TimeUnit::Seconds
    } else {
        TimeUnit::Milliseconds
    }
}

fn client_unit(defects: &Defects<ClientDefect>) -> TimeUnit {
    if defects.has(ClientDefect::Seconds) {
        TimeUnit::Seconds
    } else {
        TimeUnit::Milliseconds
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(events: &[Event]) -> Vec<String> {
        events.iter().map(ToString::to_string).collect()
    }

    fn times() -> Vec<Elapsed> {
        [1000, 2000, 4000].map(Elapsed::from_micros).to_vec()
    }

    fn server(defects: &[ServerDefect]) -> Vec<String> {
        let defects = Defects::new(defects);
        let mut events = server_transfer("f", 3, Elapsed::from_micros(4000), &defects);
        events.extend(server_summary("f", &times(), 1, &defects));
        lines(&events)
    }

    fn client(defects: &[ClientDefect]) -> Vec<String> {
        let defects = Defects::new(defects);
        let mut events = client_transfer("f", 3, Elapsed::from_micros(4000), &defects);
        events.extend(client_summary("f", &times(), &defects));
        lines(&events)
    }

    #[test]
    fn textbook_server() {
        assert_eq!(
            server(&[]),
            [
                "I am finishing receiving file “f” for the 3rd time",
                "The time used in millisecond to receive “f” for 3rd time is: 4.000",
                "The average time to receive file “f” in millisecond is: 2.333",
                "The number of incorrect transfers is: 1",
                "The error rate is: 33.333%",
                "I am done",
            ]
        );
    }

    #[test]
    fn each_server_defect_changes_its_own_lines() {
        let good = server(&[]);
        let seconds = server(&[ServerDefect::Seconds]);
        assert_eq!(
            seconds[1],
            "The time used in millisecond to receive “f” for 3rd time is: 0.004000"
        );
        assert_eq!(
            seconds[2],
            "The average time to receive file “f” in millisecond is: 0.002333"
        );
        assert_eq!(seconds[3..], good[3..]);

        let wrong_average = server(&[ServerDefect::WrongAverage]);
        assert_eq!(
            wrong_average[2],
            "The average time to receive file “f” in millisecond is: 3.500"
        );

        let dishonest = server(&[ServerDefect::DishonestErrorCount]);
        assert_eq!(dishonest[3], "The number of incorrect transfers is: 0");
        assert_eq!(dishonest[4], "The error rate is: 0%");
        assert_eq!(dishonest[..3], good[..3]);

        let missing = server(&[ServerDefect::MissingLines]);
        assert_eq!(missing, good[1..]);
    }

    #[test]
    fn textbook_client() {
        assert_eq!(
            client(&[]),
            [
                "I am finishing sending file “f” for the 3rd time",
                "The time used in millisecond to send “f” for 3rd time is: 4.000",
                "The average time to send file “f” in millisecond is: 2.333",
                "I am done",
            ]
        );
    }

    #[test]
    fn each_client_defect_changes_its_own_lines() {
        let good = client(&[]);
        let seconds = client(&[ClientDefect::Seconds]);
        assert_eq!(
            seconds[1..3],
            [
                "The time used in millisecond to send “f” for 3rd time is: 0.004000",
                "The average time to send file “f” in millisecond is: 0.002333",
            ]
        );
        let wrong_average = client(&[ClientDefect::WrongAverage]);
        assert_eq!(
            wrong_average[2],
            "The average time to send file “f” in millisecond is: 3.500"
        );
        assert_eq!(client(&[ClientDefect::MissingLines]), good[1..]);
        assert_eq!(
            client(&[ClientDefect::Persistent]),
            good,
            "no change in lines"
        );
    }
}
