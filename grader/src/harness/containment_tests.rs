//! End-to-end tests of what the harness promises about containment: whatever a program
//! forks, detaches or ignores, nothing of it runs after it ends, nothing of another
//! program is touched meanwhile, and after `stop_all_now` nothing runs at all.

use crate::evidence::Stream;
use crate::harness::group::is_live;
use crate::harness::pidfd::force_fallback;
use crate::harness::process::{RunningProgram, SpawnError, StopReason, stop_all_now};
use crate::harness::test_programs::{
    BUDGET, eventually, first_line, is_alone, is_gone, run_alone, sh, start, texts,
};
use nix::errno::Errno;
use nix::sys::wait::{WaitPidFlag, waitpid};
use nix::unistd::{Pid, getpid};
use std::time::{Duration, Instant};

/// The pids of the processes of session `session` that still run (zombies do not).
fn running_in_session(session: i32) -> Vec<i32> {
    let processes = procfs::process::all_processes().unwrap();
    let mut pids: Vec<i32> = processes
        .filter_map(Result::ok)
        .filter_map(|process| process.stat().ok())
        .filter(|stat| stat.session == session && !matches!(stat.state, 'Z' | 'X' | 'x'))
        .map(|stat| stat.pid)
        .collect();
    pids.sort_unstable();
    pids
}

fn parent_of(pid: &str) -> Option<i32> {
    let pid = pid.parse().ok()?;
    Some(procfs::process::Process::new(pid).ok()?.stat().ok()?.ppid)
}

#[test]
fn a_sweep_spares_a_running_program_and_its_own_orphans() {
    // B's background sleeper is orphaned at once: its parent, a subshell, exits.
    let (_b_dir, b_spec) = sh("(sleep 60 & echo $!); exec sleep 60");
    let b = start(&b_spec);
    let b_orphan = first_line(&b);
    let me = getpid().as_raw();
    assert!(eventually(|| parent_of(&b_orphan) == Some(me)));

    let (_a_dir, a_spec) = sh("setsid sh -c 'echo $$; exec sleep 60' & exit 0");
    let a = start(&a_spec);
    let escapee = first_line(&a);
    assert!(a.wait_until(Instant::now() + BUDGET));
    a.finish();
    assert!(is_gone(&escapee), "escapee {escapee} survived");
    assert!(!is_gone(&b_orphan), "B's orphan {b_orphan} was swept");
    assert!(!b.has_exited() && is_live(b.pid()));

    b.stop(Duration::from_millis(100), StopReason::Complete);
    assert!(eventually(|| is_gone(&b_orphan)));
}

#[test]
fn nothing_of_a_program_that_ignores_sigterm_remains_after_stop() {
    let (_dir, spec) = sh("trap '' TERM; echo ready; sleep 60; echo never");
    let program = start(&spec);
    assert_eq!(first_line(&program), "ready");
    let leader = i32::try_from(program.pid()).unwrap();
    let transcript = program.stop(Duration::from_millis(100), StopReason::Deadline);
    assert_eq!(texts(&transcript, Stream::Stdout), ["ready"]);
    assert_eq!(running_in_session(leader), Vec::<i32>::new());
    assert!(is_gone(&leader.to_string()));
}

#[test]
fn an_escaped_grandchild_is_killed_and_counted() {
    run_alone(
        module_path!(),
        "alone_an_escaped_grandchild_is_killed_and_counted",
    );
}

#[test]
#[ignore = "run in a process of its own by an_escaped_grandchild_is_killed_and_counted"]
fn alone_an_escaped_grandchild_is_killed_and_counted() {
    if is_alone("alone_an_escaped_grandchild_is_killed_and_counted") {
        an_escaped_grandchild_is_killed_and_counted_here();
    }
}

#[test]
fn without_pidfds_an_escaped_grandchild_is_killed_and_counted() {
    run_alone(
        module_path!(),
        "alone_without_pidfds_an_escaped_grandchild_is_killed_and_counted",
    );
}

#[test]
#[ignore = "run in a process of its own (it turns pidfds off) by \
            without_pidfds_an_escaped_grandchild_is_killed_and_counted"]
fn alone_without_pidfds_an_escaped_grandchild_is_killed_and_counted() {
    if is_alone("alone_without_pidfds_an_escaped_grandchild_is_killed_and_counted") {
        force_fallback();
        an_escaped_grandchild_is_killed_and_counted_here();
    }
}

/// The sweep after a program's end kills (and counts) what escaped its group, and its
/// pids cgroup is removed (where this test process may make one).
fn an_escaped_grandchild_is_killed_and_counted_here() {
    let (_dir, spec) = sh("setsid sh -c 'echo $$; exec sleep 60' & exit 0");
    let program = start(&spec);
    let escapee = first_line(&program);
    assert!(program.wait_until(Instant::now() + BUDGET));
    let ending = Instant::now();
    let transcript = program.finish();
    assert!(ending.elapsed() < Duration::from_secs(5));
    assert_eq!(transcript.escaped_killed, 1);
    // Killed before the output was collected, so its pipe closed: nothing is missing.
    assert!(!transcript.output_incomplete);
    assert_eq!(texts(&transcript, Stream::Stdout), [escapee.as_str()]);
    let pid = Pid::from_raw(escapee.parse().unwrap());
    assert_eq!(waitpid(pid, Some(WaitPidFlag::WNOHANG)), Err(Errno::ECHILD));
    assert!(is_gone(&escapee));
}

#[test]
fn stop_all_now_kills_programs_and_escapees_then_refuses_new_ones() {
    run_alone(
        module_path!(),
        "alone_stop_all_now_kills_programs_and_escapees_then_refuses_new_ones",
    );
}

#[test]
#[ignore = "run in a process of its own by stop_all_now_kills_programs_and_escapees..."]
fn alone_stop_all_now_kills_programs_and_escapees_then_refuses_new_ones() {
    if is_alone("alone_stop_all_now_kills_programs_and_escapees_then_refuses_new_ones") {
        stop_all_now_kills_programs_and_escapees_then_refuses_new_ones_here();
    }
}

#[test]
fn without_pidfds_stop_all_now_kills_programs_and_escapees() {
    run_alone(
        module_path!(),
        "alone_without_pidfds_stop_all_now_kills_programs_and_escapees",
    );
}

#[test]
#[ignore = "run in a process of its own (it turns pidfds off) by \
            without_pidfds_stop_all_now_kills_programs_and_escapees"]
fn alone_without_pidfds_stop_all_now_kills_programs_and_escapees() {
    if is_alone("alone_without_pidfds_stop_all_now_kills_programs_and_escapees") {
        force_fallback();
        stop_all_now_kills_programs_and_escapees_then_refuses_new_ones_here();
    }
}

fn stop_all_now_kills_programs_and_escapees_then_refuses_new_ones_here() {
    // The escapee's parent, the leader, is alive: it is no orphan yet.
    let (_dir, spec) = sh("setsid sh -c 'echo $$; exec sleep 60' & wait");
    let program = start(&spec);
    let escapee = first_line(&program);
    let leader = program.pid().to_string();
    stop_all_now();
    assert!(
        eventually(|| is_gone(&escapee)),
        "escapee {escapee} survived"
    );
    assert!(eventually(|| is_gone(&leader)));
    let refused = RunningProgram::spawn(&spec, Instant::now());
    assert!(matches!(refused, Err(SpawnError::Stopping)), "{refused:?}");
}
