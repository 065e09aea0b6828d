//! End-to-end tests of what transparent mode promises: a program started in a namespace
//! is in it (and only its sockets are), and once the run is over nothing of it is left on
//! the machine — no process, no namespace, no mount, no `/run/netns` entry.

use crate::harness::process::{ProgramSpec, RunningProgram, StopReason};
use crate::netns::NetNamespace;
use crate::netns::socket_table::bound_udp_addresses;
use std::net::{Ipv4Addr, SocketAddr, UdpSocket};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tempfile::TempDir;

const BUDGET: Duration = Duration::from_secs(20);

/// The hard-coded server of a typical submission: binds 127.0.0.1:5005, says which
/// namespace it is in, then waits to be stopped.
const HARD_CODED_SERVER: &str = "import os, socket, time\n\
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n\
    s.bind(('127.0.0.1', 5005))\n\
    print(os.readlink('/proc/self/ns/net'))\n\
    print('bound')\n\
    time.sleep(600)\n";

/// The fixed port is on purpose: it is bound inside private namespaces only.
const HARD_CODED: SocketAddr = SocketAddr::new(std::net::IpAddr::V4(Ipv4Addr::LOCALHOST), 5005);

fn namespace() -> Arc<NetNamespace> {
    match NetNamespace::create() {
        Ok(namespace) => Arc::new(namespace),
        Err(error) => panic!("{error}"),
    }
}

/// Starts [`HARD_CODED_SERVER`] in `namespace` and waits until it has bound its port;
/// returns it with its two output lines.
fn start_server(namespace: &Arc<NetNamespace>) -> (TempDir, RunningProgram, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let argv = ["python3", "-c", HARD_CODED_SERVER]
        .map(str::to_owned)
        .to_vec();
    let mut spec = ProgramSpec::new(argv, dir.path().to_path_buf());
    spec.network_namespace = Some(Arc::clone(namespace));
    let program = match RunningProgram::spawn(&spec, Instant::now()) {
        Ok(program) => program,
        Err(error) => panic!("{error}"),
    };
    assert!(
        program.wait_for_lines(2, Instant::now() + BUDGET),
        "{:?}",
        program.lines_since(0)
    );
    let lines = program
        .lines_since(0)
        .into_iter()
        .map(|line| line.text)
        .collect();
    (dir, program, lines)
}

/// The namespace inode of every thread of every process, where it can be read (a process
/// may exit while being looked at).
fn namespaces_in_use() -> Vec<String> {
    let mut found = Vec::new();
    for process in read_dir_names(Path::new("/proc")) {
        if !process.bytes().all(|byte| byte.is_ascii_digit()) {
            continue;
        }
        let tasks = Path::new("/proc").join(&process).join("task");
        for task in read_dir_names(&tasks) {
            if let Ok(link) = std::fs::read_link(tasks.join(task).join("ns/net")) {
                found.push(link.to_string_lossy().into_owned());
            }
        }
    }
    found
}

/// What this process's descriptors point at (`net:[N]` for a namespace handle).
fn own_descriptor_targets() -> Vec<String> {
    let fds = Path::new("/proc/self/fd");
    read_dir_names(fds)
        .into_iter()
        .filter_map(|fd| std::fs::read_link(fds.join(fd)).ok())
        .map(|target| target.to_string_lossy().into_owned())
        .collect()
}

fn read_dir_names(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|entry| entry.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn a_program_runs_in_its_namespace_and_its_sockets_show_there_only() {
    let namespace = namespace();
    let (_dir, program, lines) = start_server(&namespace);
    assert_eq!(
        lines,
        [format!("net:[{}]", namespace.inode()), "bound".to_owned()]
    );

    let inside = bound_udp_addresses(program.pid());
    let outside = bound_udp_addresses(std::process::id());
    program.stop(Duration::from_secs(2), StopReason::Complete);
    assert_eq!(inside.unwrap(), [HARD_CODED]);
    assert!(!outside.unwrap().contains(&HARD_CODED));
}

#[test]
fn nothing_is_left_after_a_run() {
    let mounts_before = std::fs::read_to_string("/proc/self/mountinfo").unwrap();
    let named_before = read_dir_names(Path::new("/run/netns"));

    let namespace = namespace();
    let name = format!("net:[{}]", namespace.inode());
    let relay_socket = namespace
        .run_in(|| UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)))
        .unwrap()
        .unwrap();
    let (_dir, program, _) = start_server(&namespace);
    let pid = program.pid();
    assert!(namespaces_in_use().contains(&name));
    assert!(own_descriptor_targets().contains(&name));

    program.stop(Duration::from_secs(2), StopReason::Complete);
    drop(relay_socket);
    drop(namespace);

    // The program was reaped before `stop` returned, and no thread anywhere (ours
    // included: they only visit namespaces on threads that have ended) is in the
    // namespace, nor holds it open.
    assert!(
        !Path::new(&format!("/proc/{pid}")).exists(),
        "process {pid} is left"
    );
    assert!(
        !namespaces_in_use().contains(&name),
        "{name} is still entered"
    );
    assert!(
        !own_descriptor_targets().contains(&name),
        "{name} is still open"
    );
    assert_eq!(
        std::fs::read_to_string("/proc/self/mountinfo").unwrap(),
        mounts_before
    );
    assert_eq!(read_dir_names(Path::new("/run/netns")), named_before);
}
