//! `grader proxy`: the relay on its own, for students to run by hand in place of `sudo tc`.

use crate::args::ProxyArgs;
use crate::error::GraderError;
use socklab_grader::evidence::{Fate, WireEvent, WireTrace};
use socklab_grader::exit_code;
use socklab_grader::link::seed::stream_rng;
use socklab_grader::link::{Decision, Direction, Impairment, Netem};
use socklab_grader::relay::{RelayEndpoints, ScenarioClock, UdpRelay};
use std::io::Write;
use std::sync::mpsc;

/// The stream name the proxy's randomness is drawn from (the "scenario" of a proxy run).
const PROXY_STREAM: &str = "proxy";

pub fn proxy(arguments: ProxyArgs) -> Result<i32, GraderError> {
    let netem: Option<Netem> = arguments
        .netem
        .as_deref()
        .map(str::parse)
        .transpose()
        .map_err(|source| GraderError::InvalidNetem { source })?;
    let seed = arguments.seed.unwrap_or_else(|| {
        u64::from(std::process::id())
            ^ std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |elapsed| elapsed.subsec_nanos().into())
    });
    let impairment = |direction| {
        Impairment::new(
            netem.clone(),
            Vec::new(),
            stream_rng(seed, PROXY_STREAM, direction),
        )
        .map_err(|source| GraderError::InvalidLink { source })
    };
    let mut sink: Option<Box<dyn Write + Send>> = match &arguments.trace {
        None => None,
        Some(path) if path.as_os_str() == "-" => Some(Box::new(std::io::stdout())),
        Some(path) => Some(Box::new(std::fs::File::create(path).map_err(|source| {
            GraderError::CreateTrace {
                path: path.clone(),
                source,
            }
        })?)),
    };
    let observer = sink.take().map(|mut sink| {
        Box::new(move |event: &WireEvent, decision: &Decision| {
            let line = serde_json::json!({
                "direction": event.direction,
                "nth": event.nth,
                "received_at_us": event.received_at.as_micros() as u64,
                "length": event.bytes.len(),
                "dropped": decision.dropped,
                "copies": decision.copies.iter().map(|copy| serde_json::json!({
                    "delay_us": copy.delay.as_micros() as u64,
                    "alterations": copy.alterations,
                })).collect::<Vec<_>>(),
            });
            // The trace is best effort: a closed pipe must not stop the relaying.
            let _ = writeln!(sink, "{line}");
            let _ = sink.flush();
        }) as socklab_grader::relay::DecisionObserver
    });
    let endpoints = RelayEndpoints {
        listen: arguments.listen,
        target: arguments.target,
    };
    let relay = UdpRelay::start(
        endpoints,
        impairment(Direction::ToServer)?,
        impairment(Direction::ToClient)?,
        ScenarioClock::start(),
        observer,
    )
    .map_err(|source| GraderError::StartRelay { source })?;

    let listening = relay.listen_addr().unwrap_or(arguments.listen);
    println!("listening {listening}");
    eprintln!(
        "grader proxy: {listening} -> {} · netem: {} · seed {seed} · Ctrl-C to stop",
        arguments.target,
        netem
            .as_ref()
            .map_or("none".to_owned(), ToString::to_string),
    );
    let (stop_sender, stop) = mpsc::channel();
    ctrlc::set_handler(move || {
        let _ = stop_sender.send(());
    })
    .map_err(|source| GraderError::HandleCtrlC { source })?;
    let _ = stop.recv();
    let trace = relay
        .stop()
        .map_err(|source| GraderError::RelayFailed { source })?;
    eprint!("{}", summary(&trace));
    Ok(exit_code::PASSED)
}

/// Per direction: datagrams received, dropped, and copies delivered.
fn summary(trace: &WireTrace) -> String {
    let mut text = String::new();
    for direction in Direction::BOTH {
        let events: Vec<&WireEvent> = trace.direction(direction).collect();
        let dropped = events
            .iter()
            .filter(|e| matches!(e.fate, Fate::Dropped { .. }))
            .count();
        let delivered: usize = events.iter().map(|e| e.delivered().count()).sum();
        text.push_str(&format!(
            "{direction}: {} received, {dropped} dropped, {delivered} delivered\n",
            events.len()
        ));
    }
    text
}
