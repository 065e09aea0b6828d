//! The seccomp filter behind [`super::syscall_watch`]: which system calls the grader is
//! told of, as a classic BPF program.
//!
//! Told of (`SECCOMP_RET_USER_NOTIF`): `bind`; `open`, `openat` with write intent in their
//! flags (`O_WRONLY`, `O_RDWR`, `O_CREAT` or `O_TRUNC`); `creat`, and `openat2`, whose
//! flags sit in a struct the filter cannot read; and what changes a directory: `rename`,
//! `renameat`, `renameat2`, `unlink`, `unlinkat`, `mkdir`, `mkdirat`. Everything else runs
//! untouched (`SECCOMP_RET_ALLOW`), so reading files and sending datagrams cost nothing.
//!
//! Written by hand because neither maintained crate fits: `seccompiler` (rust-vmm) has no
//! user-notification action and installs filters without `SECCOMP_FILTER_FLAG_NEW_LISTENER`;
//! `libseccomp` has both but links the C library, whose development files this project
//! does not require, and compiles its filter when loading it, which allocates, and a hook
//! between fork and exec may not. The program is a score of instructions, built once
//! before the fork.
//!
//! Only the native architecture is watched: a call through another ABI (i386's `int 0x80`,
//! x32) is allowed unseen. That is acceptable because the watch only observes; the mounts
//! and the relay's ports refuse such a call all the same.

use nix::libc::{self, sock_filter};

/// Which argument of a watched call holds its open flags, if the filter can test them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum When {
    /// Every call is reported.
    Always,
    /// Only calls with write intent in argument `n` (an `int` of open flags).
    WritesPer(u32),
}

/// The open flags that mean the file may be written, created or emptied.
pub const WRITE_INTENT: u32 =
    (libc::O_WRONLY | libc::O_RDWR | libc::O_CREAT | libc::O_TRUNC) as u32;

/// The BPF program, ready for `SECCOMP_SET_MODE_FILTER`.
pub fn program() -> Vec<sock_filter> {
    let rules = rules();
    let always: Vec<i64> = rules
        .iter()
        .filter(|(_, when)| *when == When::Always)
        .map(|(number, _)| *number)
        .collect();
    let with_flags: Vec<(i64, u32)> = rules
        .iter()
        .filter_map(|(number, when)| match when {
            When::WritesPer(argument) => Some((*number, *argument)),
            When::Always => None,
        })
        .collect();
    // Load arch, test it, load the number; a test per always-watched call; three
    // instructions per flag-tested call; then the two returns.
    let length = 3 + always.len() + 3 * with_flags.len() + 2;
    let allow = length - 2;
    let notify = length - 1;
    let mut program = Vec::with_capacity(length);
    program.push(load(ARCH_OFFSET));
    let here = program.len();
    program.push(jump_if_equal(NATIVE_ARCH, 0, offset(here, allow)));
    program.push(load(NUMBER_OFFSET));
    for number in always {
        let here = program.len();
        program.push(jump_if_equal(call_number(number), offset(here, notify), 0));
    }
    for (number, argument) in with_flags {
        // Not this call: skip its two instructions to the next test.
        program.push(jump_if_equal(call_number(number), 0, 2));
        program.push(load(argument_offset(argument)));
        let here = program.len();
        program.push(jump(
            libc::BPF_JMP | libc::BPF_JSET | libc::BPF_K,
            WRITE_INTENT,
            offset(here, notify),
            offset(here, allow),
        ));
    }
    program.push(statement(
        libc::BPF_RET | libc::BPF_K,
        libc::SECCOMP_RET_ALLOW,
    ));
    program.push(statement(
        libc::BPF_RET | libc::BPF_K,
        libc::SECCOMP_RET_USER_NOTIF,
    ));
    debug_assert_eq!(program.len(), length);
    program
}

/// The watched calls of this architecture, with when each is reported.
fn rules() -> Vec<(i64, When)> {
    let mut rules = vec![
        (libc::SYS_bind, When::Always),
        (libc::SYS_openat, When::WritesPer(2)),
        (libc::SYS_openat2, When::Always),
        (libc::SYS_renameat2, When::Always),
        (libc::SYS_unlinkat, When::Always),
        (libc::SYS_mkdirat, When::Always),
    ];
    // The calls aarch64 never had: only their `*at` forms exist there.
    #[cfg(target_arch = "x86_64")]
    rules.extend([
        (libc::SYS_open, When::WritesPer(1)),
        (libc::SYS_creat, When::Always),
        (libc::SYS_rename, When::Always),
        (libc::SYS_renameat, When::Always),
        (libc::SYS_unlink, When::Always),
        (libc::SYS_mkdir, When::Always),
    ]);
    #[cfg(target_arch = "aarch64")]
    rules.push((libc::SYS_renameat, When::Always));
    rules
}

/// `AUDIT_ARCH_*` of the architecture the grader is built for (`linux/audit.h`).
#[cfg(target_arch = "x86_64")]
pub const NATIVE_ARCH: u32 = 0xc000_003e;
#[cfg(target_arch = "aarch64")]
pub const NATIVE_ARCH: u32 = 0xc000_00b7;

/// Offsets into `struct seccomp_data`: `int nr; __u32 arch; __u64 ip; __u64 args[6]`.
const NUMBER_OFFSET: u32 = 0;
const ARCH_OFFSET: u32 = 4;

/// The low 32 bits of argument `n`, where an `int` argument lives.
fn argument_offset(n: u32) -> u32 {
    let low_half = if cfg!(target_endian = "little") { 0 } else { 4 };
    16 + 8 * n + low_half
}

fn call_number(number: i64) -> u32 {
    u32::try_from(number).expect("system call numbers are small")
}

/// A jump offset from the instruction at `from` to the one at `to`.
fn offset(from: usize, to: usize) -> u8 {
    u8::try_from(to - from - 1).expect("the filter is short")
}

fn load(offset: u32) -> sock_filter {
    statement(libc::BPF_LD | libc::BPF_W | libc::BPF_ABS, offset)
}

fn jump_if_equal(value: u32, if_equal: u8, otherwise: u8) -> sock_filter {
    jump(
        libc::BPF_JMP | libc::BPF_JEQ | libc::BPF_K,
        value,
        if_equal,
        otherwise,
    )
}

fn statement(code: u32, k: u32) -> sock_filter {
    jump(code, k, 0, 0)
}

fn jump(code: u32, k: u32, jt: u8, jf: u8) -> sock_filter {
    sock_filter {
        code: u16::try_from(code).expect("BPF codes fit 16 bits"),
        jt,
        jf,
        k,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs the classic BPF program on one call, as the kernel would: only the few
    /// instructions the filter uses are known.
    fn verdict(program: &[sock_filter], arch: u32, number: i64, args: [u64; 6]) -> u32 {
        let mut data = Vec::new();
        data.extend_from_slice(&i32::try_from(number).unwrap().to_ne_bytes());
        data.extend_from_slice(&arch.to_ne_bytes());
        data.extend_from_slice(&0_u64.to_ne_bytes());
        for argument in args {
            data.extend_from_slice(&argument.to_ne_bytes());
        }
        let mut accumulator = 0_u32;
        let mut pc = 0;
        loop {
            let instruction = program[pc];
            let code = u32::from(instruction.code);
            let next = |taken: bool| {
                pc + 1
                    + usize::from(if taken {
                        instruction.jt
                    } else {
                        instruction.jf
                    })
            };
            pc = match code {
                c if c == libc::BPF_LD | libc::BPF_W | libc::BPF_ABS => {
                    let at = instruction.k as usize;
                    accumulator = u32::from_ne_bytes(data[at..at + 4].try_into().unwrap());
                    pc + 1
                }
                c if c == libc::BPF_JMP | libc::BPF_JEQ | libc::BPF_K => {
                    next(accumulator == instruction.k)
                }
                c if c == libc::BPF_JMP | libc::BPF_JSET | libc::BPF_K => {
                    next(accumulator & instruction.k != 0)
                }
                c if c == libc::BPF_RET | libc::BPF_K => return instruction.k,
                other => panic!("unexpected instruction {other:#x}"),
            };
        }
    }

    const NOTIFY: u32 = libc::SECCOMP_RET_USER_NOTIF;
    const ALLOW: u32 = libc::SECCOMP_RET_ALLOW;

    #[test]
    fn binds_and_writing_opens_are_reported_and_reading_opens_are_not() {
        let program = program();
        let call = |number, args| verdict(&program, NATIVE_ARCH, number, args);
        let flags = |flags: i32| u64::from(flags as u32);
        assert_eq!(call(libc::SYS_bind, [3, 0, 16, 0, 0, 0]), NOTIFY);
        let read_only = flags(libc::O_RDONLY | libc::O_CLOEXEC);
        let writing = flags(libc::O_WRONLY | libc::O_CREAT | libc::O_TRUNC);
        assert_eq!(call(libc::SYS_openat, [0, 0, read_only, 0, 0, 0]), ALLOW);
        assert_eq!(call(libc::SYS_openat, [0, 0, writing, 0, 0, 0]), NOTIFY);
        let read_write = flags(libc::O_RDWR);
        assert_eq!(call(libc::SYS_openat, [0, 0, read_write, 0, 0, 0]), NOTIFY);
        // The flags of openat are its third argument: a write-like second is no matter.
        assert_eq!(call(libc::SYS_openat, [0, writing, 0, 0, 0, 0]), ALLOW);
        assert_eq!(call(libc::SYS_openat2, [0; 6]), NOTIFY);
        assert_eq!(call(libc::SYS_unlinkat, [0; 6]), NOTIFY);
        assert_eq!(call(libc::SYS_mkdirat, [0; 6]), NOTIFY);
        assert_eq!(call(libc::SYS_renameat2, [0; 6]), NOTIFY);
        assert_eq!(call(libc::SYS_read, [0; 6]), ALLOW);
        assert_eq!(call(libc::SYS_sendto, [0; 6]), ALLOW);
        #[cfg(target_arch = "x86_64")]
        {
            assert_eq!(call(libc::SYS_open, [0, read_only, 0, 0, 0, 0]), ALLOW);
            assert_eq!(call(libc::SYS_open, [0, writing, 0, 0, 0, 0]), NOTIFY);
            assert_eq!(call(libc::SYS_creat, [0; 6]), NOTIFY);
            assert_eq!(call(libc::SYS_rename, [0; 6]), NOTIFY);
            assert_eq!(call(libc::SYS_unlink, [0; 6]), NOTIFY);
            assert_eq!(call(libc::SYS_mkdir, [0; 6]), NOTIFY);
        }
    }

    #[test]
    fn another_architecture_is_allowed_unseen() {
        let program = program();
        let i386 = 0x4000_0003;
        assert_eq!(
            verdict(&program, i386, libc::SYS_bind, [0; 6]),
            libc::SECCOMP_RET_ALLOW
        );
    }
}
