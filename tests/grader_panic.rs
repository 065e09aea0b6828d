//! A bug in the grader itself: it exits 70 (internal error, never blamed on the
//! submission), says so, and leaves none of the programs it started running, nor their
//! directories.

use crate::util::{grader, process_start_ticks, wait_until_ended};
use socklab_grader::exit_code;
use std::time::{Duration, Instant};

#[test]
fn a_grader_panic_exits_70_and_stops_the_programs() {
    let since = process_start_ticks(std::process::id()).unwrap_or(0);
    let dir = tempfile::tempdir().unwrap();
    let pid_file = dir.path().join("server.pid");
    let tmp = tempfile::tempdir().unwrap();
    // A server that binds its port and would then wait a minute.
    let server = "python3 -c \"import socket, sys, time; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(('127.0.0.1', int(sys.argv[1]))); time.sleep(60)\" {port}";
    let output = grader()
        .args([
            "check",
            "udp-add",
            "--scenario",
            "add-42",
            "--server-cmd",
            server,
        ])
        .env("SOCKLAB_PANIC_AFTER_SERVER_STARTS", &pid_file)
        .env("TMPDIR", tmp.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(exit_code::INTERNAL), "{stderr}");
    assert!(
        stderr.contains("internal error in the grader (not the submission's fault)"),
        "{stderr}"
    );
    let pid: u32 = std::fs::read_to_string(&pid_file)
        .expect("the grader wrote the server's pid")
        .trim()
        .parse()
        .unwrap();
    // Killed before the grader exited; its parent, now gone, left it to be reaped.
    let deadline = Instant::now() + Duration::from_secs(5);
    assert!(
        wait_until_ended(pid, since, deadline),
        "server {pid} still running"
    );
    let left: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .flatten()
        .map(|entry| entry.path())
        .collect();
    assert!(left.is_empty(), "the grader left {left:?}");
}
