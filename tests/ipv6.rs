//! IPv6: a server that listens dual-stack on `[::]` (IPV6_V6ONLY off, as Java's
//! ServerSocket does), one that listens on `::1` only, and a client that dials `::1`, are
//! graded in relay, transparent and preload modes wherever the mode can carry them
//! (socket_wrapper, in preload mode, has no `::1`; see the README), and pass as their
//! IPv4 twins do.

use crate::util::{Graded, example, exclusive_namespaces, grade, trace};
use socklab_grader::exit_code;
use std::path::Path;

/// The modes a test plays, with the namespace lock held for transparent mode (it makes
/// network namespaces; tests/transparent.rs checks that none is left). Preload mode is
/// left out, with the reason printed, where socket_wrapper is not installed (`.ci/run`
/// installs it).
fn modes(with_preload: bool) -> Vec<&'static str> {
    let mut modes = vec!["relay", "transparent"];
    if with_preload {
        if Path::new("/usr/lib/x86_64-linux-gnu/libsocket_wrapper.so").exists() {
            modes.push("preload");
        } else {
            eprintln!("preload mode skipped: libsocket-wrapper is not installed");
        }
    }
    modes
}

/// Whether this machine has an IPv6 loopback; where it does not (a container with IPv6
/// turned off), the test says so and is skipped: no program here could listen on `::`.
fn ipv6_available() -> bool {
    let available = std::net::TcpListener::bind("[::1]:0").is_ok();
    if !available {
        eprintln!("skipped: this machine has no IPv6 loopback (::1)");
    }
    available
}

/// `grader check CASE --seed 6 --mode MODE ARGS...`, holding the namespace lock.
fn grade_in(mode: &str, case: &str, args: &[&str]) -> Graded {
    let _namespaces = exclusive_namespaces();
    let mut all = vec![case, "--seed", "6", "--mode", mode];
    all.extend_from_slice(args);
    grade(&all)
}

fn assert_passes(graded: &Graded, what: &str) {
    assert_eq!(
        graded.code,
        Some(exit_code::PASSED),
        "{what}:\n{}",
        graded.stdout
    );
}

/// The TCP connections of one run's `connections.jsonl`, as `(client, dialed)` in the
/// bundle's words.
fn connection_addresses(out: &Path, run: &str) -> Vec<(String, String)> {
    let path = out.join(run).join("connections.jsonl");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
    text.lines()
        .map(|line| {
            let connection: serde_json::Value = serde_json::from_str(line).unwrap();
            let text = |key: &str| connection[key].as_str().unwrap_or_default().to_owned();
            (text("client"), text("dialed"))
        })
        .collect()
}

/// The dual-stack server of tcp-lines, graded with the good IPv4 client: every scenario
/// passes in every mode.
#[test]
fn dual_stack_tcp_lines_server_passes_in_every_mode() {
    if !ipv6_available() {
        return;
    }
    let server = example("tcp-lines/ipv6/tcp_server.py");
    let client = example("tcp-lines/good/tcp_client.py");
    for mode in modes(true) {
        let graded = grade_in(
            mode,
            "tcp-lines",
            &["--client", &client, "--server", &server],
        );
        assert_passes(&graded, &format!("tcp-lines in {mode} mode"));
    }
}

/// The dual-stack server of tcp-file-100 (a documentation address in relay and transparent
/// modes, which its `::` covers), graded with the good client.
#[test]
fn dual_stack_tcp_file_100_server_passes_in_every_mode() {
    if !ipv6_available() {
        return;
    }
    let server = example("tcp-file-100/ipv6/TCP_Server.py");
    let client = example("tcp-file-100/good/TCP_Client.py");
    for mode in modes(true) {
        let graded = grade_in(
            mode,
            "tcp-file-100",
            &[
                "--client",
                &client,
                "--server",
                &server,
                "--scenario",
                "file-100kib",
            ],
        );
        assert_passes(&graded, &format!("tcp-file-100 in {mode} mode"));
    }
}

/// A server on `::1` only, and a client that dials `::1`: in relay mode the relay listens
/// on `::1` too and reaches the server at `::1`; in transparent mode the client's `::1` is
/// mirrored to the server's. The trace names both ends in brackets.
#[test]
fn ipv6_loopback_server_and_client_pass_and_are_named_in_brackets() {
    if !ipv6_available() {
        return;
    }
    let server = example("tcp-lines/ipv6-loopback/tcp_server.py");
    let client_dir = example("tcp-lines/ipv6");
    for mode in modes(false) {
        let graded = grade_in(
            mode,
            "tcp-lines",
            &[
                "--client",
                &client_dir,
                "--client-cmd",
                "python3 tcp_client.py ::1 {port}",
                "--server",
                &server,
            ],
        );
        assert_passes(&graded, &format!("::1 pair in {mode} mode"));
        let connections = connection_addresses(graded.out.path(), "one-file");
        assert_eq!(connections.len(), 1, "{connections:?}\n{}", graded.stdout);
        let (from, dialed) = &connections[0];
        assert!(from.starts_with("[::1]:"), "{from}");
        assert!(dialed.starts_with("[::1]:"), "{dialed}");
    }
}

/// A server on `::1` only is reached at `::1` by relay mode's relay whatever its client
/// dials (the reference client dials `127.0.0.1`, the relay's).
#[test]
fn ipv6_loopback_server_passes_with_an_ipv4_client_in_relay_mode() {
    if !ipv6_available() {
        return;
    }
    let server = example("tcp-lines/ipv6-loopback/tcp_server.py");
    let graded = grade_in("relay", "tcp-lines", &["--server", &server]);
    assert_passes(&graded, "::1 server with the reference client");
}

/// A client that dials `::1` reaches the dual-stack server in relay and transparent
/// modes, and the reference server (on 127.0.0.1) in relay mode, where the relay is what
/// it dials.
#[test]
fn client_dialing_ipv6_loopback_passes() {
    if !ipv6_available() {
        return;
    }
    let client_dir = example("tcp-lines/ipv6");
    let dual_stack = example("tcp-lines/ipv6/tcp_server.py");
    let client = [
        "--client",
        client_dir.as_str(),
        "--client-cmd",
        "python3 tcp_client.py ::1 {port}",
    ];
    for mode in modes(false) {
        let mut args = client.to_vec();
        args.extend(["--server", dual_stack.as_str()]);
        let graded = grade_in(mode, "tcp-lines", &args);
        assert_passes(&graded, &format!("::1 client, dual-stack server, {mode}"));
    }
    let graded = grade_in("relay", "tcp-lines", &client);
    assert_passes(
        &graded,
        "::1 client with the reference server in relay mode",
    );
}

/// UDP: the dual-stack udp-add server with the reference client (which sends from
/// 127.0.0.1) in relay and transparent modes; its replies cross back from IPv6 to IPv4.
/// The trace names the client, and the server as the client sees it, in IPv4, as the
/// client's own socket does, never `::ffff:127.0.0.1`. (Preload mode does not carry IPv6
/// datagrams; see the README.)
#[test]
fn dual_stack_udp_add_server_passes_in_relay_and_transparent_modes() {
    if !ipv6_available() {
        return;
    }
    let server = example("udp-add/ipv6/UDP_Server.py");
    for mode in modes(false) {
        let graded = grade_in(mode, "udp-add", &["--server", &server]);
        assert_passes(&graded, &format!("udp-add in {mode} mode"));
        let datagrams = trace(graded.out.path(), "add-42");
        assert!(!datagrams.is_empty());
        for datagram in datagrams {
            let address = |key: &str| datagram[key].as_str().unwrap_or_default().to_owned();
            let (from, to) = (address("from"), address("to"));
            assert!(!from.contains("::ffff:"), "{mode}: {datagram}");
            assert!(!to.contains("::ffff:"), "{mode}: {datagram}");
            let client = if datagram["direction"] == "to-server" {
                &from
            } else {
                &to
            };
            assert!(client.starts_with("127.0.0.1:"), "{mode}: {datagram}");
        }
    }
}

/// Preload mode does not carry IPv6 datagrams, and says so instead of "it bound no udp
/// socket" (it did: socket_wrapper's `Y01…` file for `[::]:5005`).
#[test]
fn preload_mode_says_it_does_not_carry_an_ipv6_udp_server() {
    if !ipv6_available() {
        return;
    }
    if modes(true).len() < 3 {
        return;
    }
    let server = example("udp-add/ipv6/UDP_Server.py");
    let graded = grade_in(
        "preload",
        "udp-add",
        &["--server", &server, "--scenario", "add-42"],
    );
    assert_eq!(graded.code, Some(exit_code::FAILED), "{}", graded.stdout);
    assert!(
        graded.stdout.contains(
            "it bound only an IPv6 udp socket ([fd00::5357:5f01]:5005, socket_wrapper's name for `::`), and preload mode does not carry IPv6 datagrams; transparent mode does"
        ),
        "{}",
        graded.stdout
    );
    assert!(
        !graded.stdout.contains("bound no udp socket"),
        "{}",
        graded.stdout
    );
}

/// Whether the grader can make a private network namespace here (relay mode's relay then
/// answers on `[::]`); where it cannot, the test says so and is skipped: on the host's own
/// network the relay answers on 127.0.0.1 alone, and a client that sends to `::1` finds
/// nobody there.
fn private_namespaces_available() -> bool {
    let available = {
        let _namespaces = exclusive_namespaces();
        socklab_grader::netns::NetNamespace::create().is_ok()
    };
    if !available {
        eprintln!("skipped: network namespaces cannot be made here");
    }
    available
}

/// UDP: a client that sends to `::1` from a socket connected there (so it takes replies
/// from `[::1]:PORT` alone) reaches the reference server (on 127.0.0.1) in relay mode,
/// where the relay's socket facing it is what it sends to, and the dual-stack server in
/// relay and transparent modes. The trace names it at `[::1]`, as its own socket does.
#[test]
fn udp_client_sending_to_ipv6_loopback_passes() {
    if !ipv6_available() || !private_namespaces_available() {
        return;
    }
    let client_dir = example("udp-add/ipv6-client");
    let dual_stack = example("udp-add/ipv6/UDP_Server.py");
    let client = [
        "--client",
        client_dir.as_str(),
        "--client-cmd",
        "python3 UDP_Client.py ::1 {port}",
    ];
    let mut runs = vec![("relay", None), ("relay", Some(dual_stack.as_str()))];
    runs.push(("transparent", Some(dual_stack.as_str())));
    for (mode, server) in runs {
        let mut args = client.to_vec();
        args.extend(server.iter().flat_map(|server| ["--server", server]));
        let graded = grade_in(mode, "udp-add", &args);
        let what = format!("::1 udp client, server {server:?}, {mode} mode");
        assert_passes(&graded, &what);
        let datagrams = trace(graded.out.path(), "add-42");
        assert!(!datagrams.is_empty(), "{what}");
        for datagram in datagrams {
            let end = if datagram["direction"] == "to-server" {
                "from"
            } else {
                "to"
            };
            let client = datagram[end].as_str().unwrap_or_default();
            assert!(client.starts_with("[::1]:"), "{what}: {datagram}");
        }
    }
}
