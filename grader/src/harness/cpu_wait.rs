//! How long a program waited for a CPU, from the kernel's scheduler statistics.
//!
//! A timer judged to the millisecond is only fair if the program got a CPU when its timer
//! fired. `/proc/<pid>/schedstat` says how long the task sat runnable on a run queue and
//! how many times it was scheduled in; read from the zombie, before it is reaped, it covers
//! the program's whole life.

use crate::evidence::CpuWait;
use nix::errno::Errno;
use nix::sys::wait::{Id, WaitPidFlag, waitid};
use nix::unistd::Pid;
use std::os::unix::process::ExitStatusExt;
use std::process::ExitStatus;
use std::time::Duration;

/// Blocks until `pid` (a child of this process) has exited, without reaping it, and
/// returns its CPU wait. `None` when the kernel does not keep the statistics.
pub fn cpu_wait_at_exit(pid: u32) -> Option<CpuWait> {
    let pid = Pid::from_raw(i32::try_from(pid).ok()?);
    loop {
        match waitid(Id::Pid(pid), WaitPidFlag::WEXITED | WaitPidFlag::WNOWAIT) {
            Ok(_) => break,
            Err(Errno::EINTR) => continue,
            Err(_) => return None,
        }
    }
    let text = std::fs::read_to_string(format!("/proc/{pid}/schedstat")).ok()?;
    parse_schedstat(&text)
}

/// Reaps the exited child `pid` (a zombie after [`cpu_wait_at_exit`]) and returns its exit
/// status and its peak resident memory in KiB, which only `wait4` reports: the zombie's
/// `/proc` entry no longer has it. `Ok(None)`: not reaped (it is still running, which
/// cannot happen after `cpu_wait_at_exit`).
#[expect(
    unsafe_code,
    reason = "wait4 is the only call that gives a child's resource usage; nix does not wrap it"
)]
pub fn reap_with_peak_memory(pid: u32) -> std::io::Result<Option<(ExitStatus, u64)>> {
    let pid = i32::try_from(pid).map_err(std::io::Error::other)?;
    let mut status: nix::libc::c_int = 0;
    // SAFETY: all-zero bytes are a valid `rusage` (plain integers and timevals).
    let mut usage: nix::libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: `status` and `usage` are valid, exclusively borrowed out-parameters of
        // the types wait4 writes; `pid` names one child, so no other child is reaped.
        let reaped = unsafe { nix::libc::wait4(pid, &mut status, nix::libc::WNOHANG, &mut usage) };
        match reaped {
            0 => return Ok(None),
            -1 if Errno::last() == Errno::EINTR => continue,
            -1 => return Err(std::io::Error::last_os_error()),
            _ => {
                let peak = u64::try_from(usage.ru_maxrss).unwrap_or(0);
                return Ok(Some((ExitStatus::from_raw(status), peak)));
            }
        }
    }
}

/// `<ns on cpu> <ns waiting on a run queue> <timeslices>`.
fn parse_schedstat(text: &str) -> Option<CpuWait> {
    let mut fields = text.split_whitespace().map(str::parse::<u64>);
    let _on_cpu = fields.next()?.ok()?;
    let waiting = fields.next()?.ok()?;
    let timeslices = fields.next()?.ok()?;
    Some(CpuWait {
        total: Duration::from_nanos(waiting),
        timeslices,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_kernels_three_numbers() {
        let wait = parse_schedstat("66173627 153567244 76\n").unwrap();
        assert_eq!(wait.total, Duration::from_nanos(153_567_244));
        assert_eq!(wait.timeslices, 76);
        assert_eq!(wait.mean(), Duration::from_nanos(153_567_244 / 76));
        assert!(parse_schedstat("garbage").is_none());
    }

    #[test]
    fn reads_an_exited_child_before_it_is_reaped() {
        let mut child = std::process::Command::new("sh")
            .args(["-c", "exit 3"])
            .spawn()
            .unwrap();
        let wait = cpu_wait_at_exit(child.id()).expect("schedstat is available");
        assert!(wait.timeslices >= 1);
        assert_eq!(
            child.wait().unwrap().code(),
            Some(3),
            "the status was left for the reaper"
        );
    }
}
