//! Preload mode: programs that hard-code `127.0.0.1:5005` are graded under socket_wrapper,
//! as an unprivileged user with no capabilities, with the verdicts transparent mode gives,
//! leaving nothing behind.

use crate::util::{exclusive_namespaces, exited_with, failed_checks, rdt3_verdicts, root};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Where the programs' interpreter is found by anyone (not under /root, which is 700).
const PATH: &str = "/usr/local/bin:/usr/bin:/bin";

/// Whether this machine can run these tests (socket_wrapper installed, and `setpriv`
/// usable: the tests run as root); if so, the namespace lock, held for the test: graders as
/// nobody enter user namespaces of their own, and transparent mode makes network
/// namespaces, which would blur tests/transparent.rs's check for leftovers.
fn available() -> Option<std::sync::MutexGuard<'static, ()>> {
    let library = Path::new("/usr/lib/x86_64-linux-gnu/libsocket_wrapper.so").exists();
    if !library {
        eprintln!("skipped: libsocket-wrapper is not installed");
    }
    let root = nix::unistd::geteuid().is_root();
    if !root {
        eprintln!("skipped: switching to nobody needs root");
    }
    (library && root).then(exclusive_namespaces)
}

/// What an unprivileged grader needs, readable by everyone: the grader binary (copied
/// when its own path is not) and the examples.
struct Readable {
    dir: tempfile::TempDir,
    grader: PathBuf,
}

impl Readable {
    fn new() -> Readable {
        let dir = tempfile::tempdir().unwrap();
        open_to_everyone(dir.path());
        let built = PathBuf::from(env!("CARGO_BIN_EXE_grader"));
        let grader = if readable_by_everyone(&built) {
            built
        } else {
            let copy = dir.path().join("grader");
            std::fs::copy(&built, &copy).unwrap();
            copy
        };
        copy_tree(
            &root().join("examples/rdt3-fixed"),
            &dir.path().join("rdt3-fixed"),
        );
        Readable { dir, grader }
    }

    fn example(&self, path: &str) -> String {
        self.dir.path().join(path).display().to_string()
    }

    /// A fresh directory nobody may write in.
    fn writable_dir(&self, name: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::create_dir(&path).unwrap();
        open_to_everyone(&path);
        path
    }

    /// `grader ARGS` as nobody, with no capabilities, `TMPDIR` set to `tmp`.
    fn grader_as_nobody(&self, tmp: &Path, args: &[&str]) -> std::process::Output {
        Command::new("setpriv")
            .args([
                "--reuid=nobody",
                "--regid=nogroup",
                "--clear-groups",
                "--bounding-set=-all",
            ])
            .arg(&self.grader)
            .args(args)
            .env("NO_COLOR", "1")
            .env("PATH", PATH)
            .env("TMPDIR", tmp)
            .output()
            .unwrap()
    }
}

fn open_to_everyone(path: &Path) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o777)).unwrap();
}

fn readable_by_everyone(path: &Path) -> bool {
    let mode = |path: &Path| std::fs::metadata(path).map_or(0, |meta| meta.permissions().mode());
    mode(path) & 0o004 != 0
        && path
            .ancestors()
            .skip(1)
            .all(|dir| dir.as_os_str().is_empty() || mode(dir) & 0o001 != 0)
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    std::fs::set_permissions(to, std::fs::Permissions::from_mode(0o755)).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
            std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
    }
}

/// `check rdt3-fixed` arguments for a pair of examples under `readable`.
fn check_args<'a>(
    client: &'a str,
    server: &'a str,
    out: &'a str,
    extra: &[&'a str],
) -> Vec<&'a str> {
    let mut args = vec![
        "check",
        "rdt3-fixed",
        "--seed",
        "4",
        "--client",
        client,
        "--server",
        server,
        "--out",
        out,
    ];
    args.extend_from_slice(extra);
    args
}

#[test]
fn hard_coded_pair_gets_the_verdicts_of_transparent_mode_as_nobody() {
    let Some(_namespaces) = available() else {
        return;
    };
    let readable = Readable::new();
    let (client, server) = (
        readable.example("rdt3-fixed/good/UDP_Client.py"),
        readable.example("rdt3-fixed/good/UDP_Server.py"),
    );
    let tmp = readable.writable_dir("tmp");
    let preload_out = readable.writable_dir("preload-out");
    let output = readable.grader_as_nobody(
        &tmp,
        &check_args(
            &client,
            &server,
            preload_out.to_str().unwrap(),
            &["--mode", "preload"],
        ),
    );
    let stdout = exited_with(&output, 0);
    assert!(
        stdout.contains("mode preload (asked for with --mode preload)"),
        "{stdout}"
    );
    // Transparent mode, as root, is the standard to compare with.
    let transparent_out = tempfile::tempdir().unwrap();
    let output = crate::util::grader()
        .args(check_args(
            &client,
            &server,
            transparent_out.path().to_str().unwrap(),
            &["--mode", "transparent"],
        ))
        .output()
        .unwrap();
    exited_with(&output, 0);
    assert_eq!(
        rdt3_verdicts(&preload_out),
        rdt3_verdicts(transparent_out.path())
    );
    assert_nothing_left(&tmp, &preload_out);
}

#[test]
fn server_that_replies_to_a_fixed_client_port_is_graded_as_nobody() {
    let Some(_namespaces) = available() else {
        return;
    };
    let readable = Readable::new();
    let tmp = readable.writable_dir("tmp");
    let out = readable.writable_dir("out");
    let output = readable.grader_as_nobody(
        &tmp,
        &check_args(
            &readable.example("rdt3-fixed/fixed-reply/UDP_Client.py"),
            &readable.example("rdt3-fixed/fixed-reply/UDP_Server.py"),
            out.to_str().unwrap(),
            &["--mode", "preload"],
        ),
    );
    exited_with(&output, 0);
    assert_nothing_left(&tmp, &out);
}

#[test]
fn buggy_hard_coded_server_fails_the_checks_it_fails_in_transparent_mode() {
    let Some(_namespaces) = available() else {
        return;
    };
    let readable = Readable::new();
    let (client, server) = (
        readable.example("rdt3-fixed/good/UDP_Client.py"),
        readable.example("rdt3-fixed/wrong-reack/UDP_Server.py"),
    );
    let tmp = readable.writable_dir("tmp");
    for scenario in ["lost-ack", "corrupt-packet"] {
        let out = readable.writable_dir(scenario);
        let extra = [
            "--mode",
            "preload",
            "--budget",
            "1500ms",
            "--scenario",
            scenario,
        ];
        let output = readable.grader_as_nobody(
            &tmp,
            &check_args(&client, &server, out.to_str().unwrap(), &extra),
        );
        assert_eq!(output.status.code(), Some(1));
        // As in transparent mode (tests/transparent.rs): the check the bug breaks fails;
        // what follows from it depends on timing and is not compared.
        let failed = failed_checks(&out, scenario);
        assert!(failed.contains("ack-behaviour"), "{scenario}: {failed:?}");
        assert!(
            !failed.contains("checksum") && !failed.contains("format"),
            "{scenario}: {failed:?}"
        );
    }
    assert_nothing_left(&tmp, &tmp);
}

/// Where network namespaces are forbidden (here: a user namespace that may make no more
/// user namespaces, entered with no capabilities), auto mode grades hard-coded programs
/// in preload mode and says why.
#[test]
fn auto_mode_chooses_preload_where_namespaces_are_forbidden() {
    let Some(_namespaces) = available() else {
        return;
    };
    let readable = Readable::new();
    let out = readable.writable_dir("out");
    let tmp = readable.writable_dir("tmp");
    let script = "echo 0 > /proc/sys/user/max_user_namespaces \
                  && exec setpriv --bounding-set=-all --inh-caps=-all \"$0\" \"$@\"";
    let output = Command::new("unshare")
        .args(["--user", "--map-root-user", "sh", "-c", script])
        .arg(&readable.grader)
        .args(check_args(
            &readable.example("rdt3-fixed/good/UDP_Client.py"),
            &readable.example("rdt3-fixed/good/UDP_Server.py"),
            out.to_str().unwrap(),
            &["--scenario", "lost-ack"],
        ))
        .env("NO_COLOR", "1")
        .env("PATH", PATH)
        .env("TMPDIR", &tmp)
        .output()
        .unwrap();
    if String::from_utf8_lossy(&output.stderr).contains("unshare failed") {
        eprintln!("skipped: user namespaces cannot be made here");
        return;
    }
    let stdout = exited_with(&output, 0);
    assert!(
        stdout.contains(
            "mode preload (the case says its programs hard-code port 5005, and network namespaces cannot be made here)"
        ),
        "{stdout}"
    );
}

/// A program socket_wrapper never reaches (here: one that opens no socket, as a
/// statically linked one would look) is named in a note, not silently failed.
#[test]
fn a_program_that_never_appears_in_its_directory_gets_a_note() {
    let Some(_namespaces) = available() else {
        return;
    };
    let readable = Readable::new();
    let tmp = readable.writable_dir("tmp");
    let out = readable.writable_dir("out");
    let (client, server) = (
        readable.example("rdt3-fixed/good/UDP_Client.py"),
        readable.example("rdt3-fixed/good/UDP_Server.py"),
    );
    let silent_client = ["--client-cmd", "sleep 0.2", "--server", &server];
    let silent_server = ["--client", &client, "--server-cmd", "sleep 5"];
    for (role, programs) in [("client", silent_client), ("server", silent_server)] {
        let mut args = vec![
            "check",
            "rdt3-fixed",
            "--mode",
            "preload",
            "--scenario",
            "no-loss",
            "--budget",
            "1s",
            "--out",
            out.to_str().unwrap(),
        ];
        args.extend(programs);
        let stdout = exited_with(&readable.grader_as_nobody(&tmp, &args), 1);
        // The client's as a note under the scenario, the server's as why it did not start.
        let said = format!("the {role} never made a socket in its socket_wrapper directory");
        assert!(stdout.contains(&said), "{stdout}");
    }
    assert_nothing_left(&tmp, &out);
}

/// After a grading: its work directory (every socket file with it) is gone from `tmp`,
/// no socket file is in the evidence, and no program of it still runs.
fn assert_nothing_left(tmp: &Path, out: &Path) {
    let left: Vec<_> = std::fs::read_dir(tmp)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    assert!(left.is_empty(), "left in TMPDIR: {left:?}");
    let mut sockets = Vec::new();
    find_sockets(out, &mut sockets);
    assert!(
        sockets.is_empty(),
        "socket files in the evidence: {sockets:?}"
    );
    for entry in walk(out) {
        if entry
            .file_name()
            .is_some_and(|name| name == "client.json" || name == "server.json")
        {
            let transcript: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(&entry).unwrap()).unwrap();
            let Some(pid) = transcript["pid"].as_u64() else {
                continue;
            };
            let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
            assert!(
                !String::from_utf8_lossy(&cmdline).contains("UDP_"),
                "{} (pid {pid}) still runs",
                entry.display()
            );
        }
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if entry.file_type().is_ok_and(|kind| kind.is_dir()) {
            found.extend(walk(&path));
        } else {
            found.push(path);
        }
    }
    found
}

fn find_sockets(dir: &Path, sockets: &mut Vec<PathBuf>) {
    use std::os::unix::fs::FileTypeExt;
    for path in walk(dir) {
        if std::fs::symlink_metadata(&path).is_ok_and(|meta| meta.file_type().is_socket()) {
            sockets.push(path);
        }
    }
}

/// As nobody the grader enters a user namespace of its own, and auto mode picks transparent
/// mode. The relay then often binds a client's source address `127.0.0.1:N` for its first
/// datagram before discovery sees the client's wildcard `0.0.0.0:N`: that port is already
/// reachable, and must not be reported as taken by the other program.
#[test]
fn transparent_mode_as_nobody_reports_no_port_as_taken() {
    let Some(_namespaces) = available() else {
        return;
    };
    let readable = Readable::new();
    let tmp = readable.writable_dir("tmp");
    let out = readable.writable_dir("out");
    let output = readable.grader_as_nobody(
        &tmp,
        &check_args(
            &readable.example("rdt3-fixed/good/UDP_Client.py"),
            &readable.example("rdt3-fixed/good/UDP_Server.py"),
            out.to_str().unwrap(),
            &[],
        ),
    );
    let stdout = exited_with(&output, 0);
    assert!(stdout.contains("mode transparent"), "{stdout}");
    assert!(
        !stdout.contains("could not make it reachable"),
        "a false note:\n{stdout}"
    );
    assert_nothing_left(&tmp, &out);
}
