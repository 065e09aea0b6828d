//! What one watched system call tried, read from the program while it waits in the call:
//! the file it would write outside its own directory, or the address it would bind (and
//! whether the socket is UDP or TCP, from the socket's `system.sockprotoname` attribute,
//! read through `/proc/<tid>/fd/<fd>`).
//!
//! Arguments are pointers into the program's memory, read through `/proc/<tid>/mem`
//! (bounded: a path up to `PATH_MAX`, an address up to a `sockaddr_in6`). A relative path
//! is resolved against the program's working directory, or the directory an `*at` call's
//! descriptor names, lexically: `..` is taken as written and symbolic links are not
//! followed, which is how the paths a program names read best in a report.
//!
//! Not counted as writing outside: the program's own directory (in the forms its path can
//! take), and what is not a file at all, seen from the program's side (its mount
//! namespace, through `/proc/<tid>/root`): `/dev/null`, a terminal, a pipe or socket
//! reopened through `/proc/self/fd`. A good program so leaves no trace here.

use super::ports::Protocol;
use super::syscall_filter::WRITE_INTENT;
use nix::libc;
use std::ffi::OsStr;
use std::fs::File;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::FileExt;
use std::path::{Component, Path, PathBuf};

/// What a watched call was seen trying.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Sighting {
    WriteOutside(PathBuf),
    /// `protocol`: `None` when the socket is neither UDP nor TCP, or could not be read.
    Bind {
        address: SocketAddr,
        protocol: Option<Protocol>,
    },
    /// A Unix socket bound to this path (preload mode's socket_wrapper binds one for each
    /// IP socket); nothing to report, but the bridge mirrors it.
    UnixBind(PathBuf),
}

/// The directory a program may write in, as given and as the kernel names it (its
/// canonical path: what `/proc/<pid>/cwd` reads).
#[derive(Clone, Debug)]
pub struct OwnDirectory {
    forms: Vec<PathBuf>,
}

impl OwnDirectory {
    pub fn new(dir: &Path) -> OwnDirectory {
        let mut forms = vec![lexical(dir)];
        if let Ok(canonical) = std::fs::canonicalize(dir)
            && !forms.contains(&canonical)
        {
            forms.push(canonical);
        }
        OwnDirectory { forms }
    }

    fn holds(&self, path: &Path) -> bool {
        self.forms.iter().any(|dir| path.starts_with(dir))
    }
}

/// What the call `number` with `args`, made by thread `tid`, tried; `None` when it is
/// nothing to report (a read-only open, a write in its own directory, a bind to port 0
/// or of a Unix socket) or its memory could not be read.
pub fn inspect(tid: u32, number: i64, args: [u64; 6], own: &OwnDirectory) -> Option<Sighting> {
    let call = Call::decode(number, args)?;
    let memory = File::open(format!("/proc/{tid}/mem")).ok()?;
    match call {
        Call::Bind {
            socket,
            address,
            length,
        } => {
            let mut buffer = [0_u8; SOCKADDR_LIMIT];
            let wanted = usize::try_from(length).map_or(SOCKADDR_LIMIT, |n| n.min(SOCKADDR_LIMIT));
            let read = read_memory(&memory, address, &mut buffer[..wanted]);
            if let Some(path) = parse_unix_path(&buffer[..read]) {
                return Some(Sighting::UnixBind(path));
            }
            let address = parse_sockaddr(&buffer[..read])?;
            Some(Sighting::Bind {
                address,
                protocol: socket_protocol(tid, socket),
            })
        }
        Call::Open { at, path, flags } => {
            let flags = match flags {
                Flags::Given(flags) => flags,
                // `struct open_how` begins with its `__u64 flags`.
                Flags::InOpenHow(how) => {
                    let mut buffer = [0_u8; 8];
                    if read_memory(&memory, how, &mut buffer) < buffer.len() {
                        return None;
                    }
                    u64::from_ne_bytes(buffer) as u32
                }
            };
            if flags & WRITE_INTENT == 0 {
                return None;
            }
            outside(tid, &memory, own, &[(at, path)]).map(Sighting::WriteOutside)
        }
        Call::Change { first, second } => {
            let paths: Vec<(Dir, u64)> = std::iter::once(first).chain(second).collect();
            outside(tid, &memory, own, &paths).map(Sighting::WriteOutside)
        }
    }
}

/// The longest address read: a `sockaddr_un` (a `sockaddr_in6` is 28 bytes).
const SOCKADDR_LIMIT: usize = size_of::<libc::sockaddr_un>();

/// What a watched call names, by argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Call {
    Bind {
        socket: i32,
        address: u64,
        length: u64,
    },
    Open {
        at: Dir,
        path: u64,
        flags: Flags,
    },
    /// Rename (two paths), unlink or mkdir (one).
    Change {
        first: (Dir, u64),
        second: Option<(Dir, u64)>,
    },
}

/// What a relative path is relative to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Dir {
    Cwd,
    Fd(i32),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Flags {
    Given(u32),
    /// `openat2`: the address of its `struct open_how`.
    InOpenHow(u64),
}

impl Call {
    fn decode(number: i64, args: [u64; 6]) -> Option<Call> {
        let dir = |argument: u64| match argument as i32 {
            libc::AT_FDCWD => Dir::Cwd,
            fd => Dir::Fd(fd),
        };
        let call = match number {
            libc::SYS_bind => Call::Bind {
                socket: args[0] as i32,
                address: args[1],
                length: args[2],
            },
            libc::SYS_openat => Call::Open {
                at: dir(args[0]),
                path: args[1],
                flags: Flags::Given(args[2] as u32),
            },
            libc::SYS_openat2 => Call::Open {
                at: dir(args[0]),
                path: args[1],
                flags: Flags::InOpenHow(args[2]),
            },
            libc::SYS_unlinkat | libc::SYS_mkdirat => Call::Change {
                first: (dir(args[0]), args[1]),
                second: None,
            },
            libc::SYS_renameat | libc::SYS_renameat2 => Call::Change {
                first: (dir(args[0]), args[1]),
                second: Some((dir(args[2]), args[3])),
            },
            #[cfg(target_arch = "x86_64")]
            libc::SYS_open => Call::Open {
                at: Dir::Cwd,
                path: args[0],
                flags: Flags::Given(args[1] as u32),
            },
            #[cfg(target_arch = "x86_64")]
            libc::SYS_creat => Call::Open {
                at: Dir::Cwd,
                path: args[0],
                flags: Flags::Given(WRITE_INTENT),
            },
            #[cfg(target_arch = "x86_64")]
            libc::SYS_rename => Call::Change {
                first: (Dir::Cwd, args[0]),
                second: Some((Dir::Cwd, args[1])),
            },
            #[cfg(target_arch = "x86_64")]
            libc::SYS_unlink | libc::SYS_mkdir => Call::Change {
                first: (Dir::Cwd, args[0]),
                second: None,
            },
            _ => return None,
        };
        Some(call)
    }
}

/// The first of `paths` that is a file outside `own`, resolved.
fn outside(tid: u32, memory: &File, own: &OwnDirectory, paths: &[(Dir, u64)]) -> Option<PathBuf> {
    paths.iter().find_map(|&(dir, pointer)| {
        let named = read_path(memory, pointer)?;
        let absolute = if named.is_absolute() {
            lexical(&named)
        } else {
            let base = match dir {
                Dir::Cwd => std::fs::read_link(format!("/proc/{tid}/cwd")),
                Dir::Fd(fd) => std::fs::read_link(format!("/proc/{tid}/fd/{fd}")),
            }
            .ok()?;
            lexical(&base.join(named))
        };
        let file = as_a_file(tid, &absolute)?;
        (!own.holds(&file) && !written_by_the_runtime(&file)).then_some(absolute)
    })
}

/// Whether `path` is written by a runtime itself, not by the program's code: the JVM's
/// performance counters (`/tmp/hsperfdata_<user>/<pid>`), and its own process's
/// `coredump_filter` (`/proc/self/coredump_filter`, which HotSpot sets at every start to
/// choose what a crash dump holds), both of which it does without when refused. Reporting
/// those would name every Java submission.
fn written_by_the_runtime(path: &Path) -> bool {
    let perf_counters = path
        .ancestors()
        .find(|dir| dir.parent() == Some(Path::new("/tmp")))
        .and_then(Path::file_name)
        .is_some_and(|name| name.as_bytes().starts_with(b"hsperfdata_"));
    perf_counters || own_coredump_filter(path)
}

/// `/proc/self/coredump_filter` (or through `/proc/thread-self`), as the JVM names it:
/// only that file of the process's own `/proc` entry, nothing else there, and no other
/// process's.
fn own_coredump_filter(path: &Path) -> bool {
    let mut components = path.components().map(|part| part.as_os_str().as_bytes());
    let (Some(b"/"), Some(b"proc"), Some(process), Some(b"coredump_filter"), None) = (
        components.next(),
        components.next(),
        components.next(),
        components.next(),
        components.next(),
    ) else {
        return false;
    };
    process == b"self" || process == b"thread-self"
}

/// The file `path` names for thread `tid`, or `None` when it is no file: a device, a
/// pipe, a socket. A link in `/proc` (one of its descriptors) gives the file it stands for.
fn as_a_file(tid: u32, path: &Path) -> Option<PathBuf> {
    // `/proc/self` would be the grader's own; through `/proc/<tid>/root` everything else
    // is seen in the program's mount namespace.
    let seen = match path
        .strip_prefix("/proc/self")
        .or_else(|_| path.strip_prefix("/proc/thread-self"))
    {
        Ok(rest) => Path::new("/proc").join(tid.to_string()).join(rest),
        Err(_) => Path::new("/proc")
            .join(tid.to_string())
            .join("root")
            .join(path.strip_prefix("/").unwrap_or(path)),
    };
    if let Ok(metadata) = std::fs::metadata(&seen)
        && !(metadata.is_file() || metadata.is_dir())
    {
        return None;
    }
    if path.starts_with("/proc")
        && let Ok(target) = std::fs::read_link(&seen)
        && target.is_absolute()
    {
        return Some(target);
    }
    Some(path.to_path_buf())
}

/// A NUL-terminated path at `pointer`, up to `PATH_MAX` bytes; `None` when unreadable,
/// empty or longer.
fn read_path(memory: &File, pointer: u64) -> Option<PathBuf> {
    let mut buffer = vec![0_u8; libc::PATH_MAX as usize];
    let read = read_memory(memory, pointer, &mut buffer);
    let end = buffer[..read].iter().position(|&byte| byte == 0)?;
    (end > 0).then(|| PathBuf::from(OsStr::from_bytes(&buffer[..end])))
}

/// Reads what it can at `address`: a read stops short at a page that is not mapped.
fn read_memory(memory: &File, address: u64, buffer: &mut [u8]) -> usize {
    if address == 0 {
        return 0;
    }
    memory.read_at(buffer, address).unwrap_or(0)
}

/// An IPv4 or IPv6 `sockaddr` with a port; `None` for port 0 (any port), another family
/// (a Unix socket: preload mode's socket_wrapper binds those) or too few bytes.
fn parse_sockaddr(bytes: &[u8]) -> Option<SocketAddr> {
    let family = i32::from(u16::from_ne_bytes(bytes.get(..2)?.try_into().ok()?));
    let port = u16::from_be_bytes(bytes.get(2..4)?.try_into().ok()?);
    let address = match family {
        libc::AF_INET => {
            let ip: [u8; 4] = bytes.get(4..8)?.try_into().ok()?;
            SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::from(ip), port))
        }
        libc::AF_INET6 => {
            let flow = u32::from_be_bytes(bytes.get(4..8)?.try_into().ok()?);
            let ip: [u8; 16] = bytes.get(8..24)?.try_into().ok()?;
            let scope = bytes
                .get(24..28)
                .and_then(|scope| scope.try_into().ok())
                .map_or(0, u32::from_ne_bytes);
            SocketAddr::V6(SocketAddrV6::new(Ipv6Addr::from(ip), port, flow, scope))
        }
        _ => return None,
    };
    (port != 0).then_some(address)
}

/// Whether descriptor `fd` of thread `tid` is a UDP or a TCP socket (IPv4 or IPv6), by
/// the name the kernel gives its protocol (`UDP`, `UDPv6`, `TCP`, `TCPv6`): sockfs
/// answers the `system.sockprotoname` attribute of any socket, reached through `/proc`.
#[expect(
    unsafe_code,
    reason = "getxattr has no wrapper in std or nix; the call writes at most the buffer's length"
)]
fn socket_protocol(tid: u32, fd: i32) -> Option<Protocol> {
    let link = std::ffi::CString::new(format!("/proc/{tid}/fd/{fd}")).ok()?;
    let mut name = [0_u8; 16];
    // SAFETY: both names are NUL-terminated, and the kernel writes at most `name.len()`
    // bytes into `name`, which lives on this stack.
    let length = unsafe {
        libc::getxattr(
            link.as_ptr(),
            c"system.sockprotoname".as_ptr(),
            name.as_mut_ptr().cast(),
            name.len(),
        )
    };
    let name = name.get(..usize::try_from(length).ok()?)?;
    let name = name.strip_suffix(b"\0").unwrap_or(name);
    match name {
        b"UDP" | b"UDPv6" => Some(Protocol::Udp),
        b"TCP" | b"TCPv6" => Some(Protocol::Tcp),
        _ => None,
    }
}

/// The path of a `sockaddr_un` naming a file; `None` for another family, an abstract or
/// unnamed socket, or too few bytes.
fn parse_unix_path(bytes: &[u8]) -> Option<PathBuf> {
    let family = i32::from(u16::from_ne_bytes(bytes.get(..2)?.try_into().ok()?));
    if family != libc::AF_UNIX {
        return None;
    }
    let path = bytes.get(2..)?;
    let end = path
        .iter()
        .position(|&byte| byte == 0)
        .unwrap_or(path.len());
    (end > 0).then(|| PathBuf::from(OsStr::from_bytes(&path[..end])))
}

/// `path` with `.` and `..` taken as written (`..` of `/` is `/`).
fn lexical(path: &Path) -> PathBuf {
    let mut resolved = PathBuf::from("/");
    for component in path.components() {
        match component {
            Component::Normal(name) => resolved.push(name),
            Component::ParentDir => {
                resolved.pop();
            }
            Component::RootDir | Component::CurDir | Component::Prefix(_) => {}
        }
    }
    resolved
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_dot_is_taken_as_written() {
        let resolved = lexical(Path::new("/work/run/client/../server/./planted.txt"));
        assert_eq!(resolved, Path::new("/work/run/server/planted.txt"));
        assert_eq!(lexical(Path::new("/../../etc")), Path::new("/etc"));
    }

    #[test]
    fn its_own_directory_holds_what_is_below_it_only() {
        let own = OwnDirectory {
            forms: vec![PathBuf::from("/work/run/client")],
        };
        assert!(own.holds(Path::new("/work/run/client/received.txt")));
        assert!(own.holds(Path::new("/work/run/client")));
        assert!(!own.holds(Path::new("/work/run/client-2/x")));
        assert!(!own.holds(Path::new("/work/run/server/x")));
    }

    #[test]
    fn the_jvms_performance_counters_are_the_runtimes() {
        assert!(written_by_the_runtime(Path::new(
            "/tmp/hsperfdata_root/4242"
        )));
        assert!(written_by_the_runtime(Path::new("/tmp/hsperfdata_student")));
        assert!(!written_by_the_runtime(Path::new("/tmp/planted.txt")));
        assert!(!written_by_the_runtime(Path::new("/work/hsperfdata_x/1")));
        // HotSpot's start-up write, and only that file of its own process.
        assert!(written_by_the_runtime(Path::new(
            "/proc/self/coredump_filter"
        )));
        assert!(written_by_the_runtime(Path::new(
            "/proc/thread-self/coredump_filter"
        )));
        assert!(!written_by_the_runtime(Path::new("/proc/self/comm")));
        assert!(!written_by_the_runtime(Path::new(
            "/proc/1/coredump_filter"
        )));
        assert!(!written_by_the_runtime(Path::new(
            "/proc/self/coredump_filter/x"
        )));
    }

    #[test]
    fn ipv4_and_ipv6_addresses_with_a_port_are_read_and_others_are_not() {
        let mut v4 = Vec::new();
        v4.extend_from_slice(&(libc::AF_INET as u16).to_ne_bytes());
        v4.extend_from_slice(&5005_u16.to_be_bytes());
        v4.extend_from_slice(&[127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(parse_sockaddr(&v4), Some("127.0.0.1:5005".parse().unwrap()));
        assert_eq!(parse_sockaddr(&v4[..6]), None, "too short");
        let mut any_port = v4.clone();
        any_port[2..4].copy_from_slice(&0_u16.to_be_bytes());
        assert_eq!(parse_sockaddr(&any_port), None);

        let mut v6 = Vec::new();
        v6.extend_from_slice(&(libc::AF_INET6 as u16).to_ne_bytes());
        v6.extend_from_slice(&6006_u16.to_be_bytes());
        v6.extend_from_slice(&[0; 4]);
        v6.extend_from_slice(&Ipv6Addr::LOCALHOST.octets());
        v6.extend_from_slice(&[0; 4]);
        assert_eq!(parse_sockaddr(&v6), Some("[::1]:6006".parse().unwrap()));

        let mut unix = (libc::AF_UNIX as u16).to_ne_bytes().to_vec();
        unix.extend_from_slice(b"/tmp/socket\0");
        assert_eq!(parse_sockaddr(&unix), None);
        assert_eq!(parse_unix_path(&unix), Some(PathBuf::from("/tmp/socket")));
        assert_eq!(parse_unix_path(&v4), None);
        let mut abstract_name = (libc::AF_UNIX as u16).to_ne_bytes().to_vec();
        abstract_name.extend_from_slice(b"\0hidden");
        assert_eq!(parse_unix_path(&abstract_name), None);
    }

    #[test]
    fn a_sockets_protocol_is_read_from_its_descriptor() {
        let udp = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        let tcp = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let file = File::open("/dev/null").unwrap();
        let tid = std::process::id();
        use std::os::fd::AsRawFd;
        assert_eq!(socket_protocol(tid, udp.as_raw_fd()), Some(Protocol::Udp));
        assert_eq!(socket_protocol(tid, tcp.as_raw_fd()), Some(Protocol::Tcp));
        assert_eq!(socket_protocol(tid, file.as_raw_fd()), None);
    }

    #[test]
    fn calls_are_decoded_by_their_arguments() {
        let cwd = libc::AT_FDCWD as u32 as u64;
        assert_eq!(
            Call::decode(libc::SYS_openat, [cwd, 0x10, 0o101, 0, 0, 0]),
            Some(Call::Open {
                at: Dir::Cwd,
                path: 0x10,
                flags: Flags::Given(0o101)
            })
        );
        assert_eq!(
            Call::decode(libc::SYS_renameat2, [3, 0x10, 4, 0x20, 0, 0]),
            Some(Call::Change {
                first: (Dir::Fd(3), 0x10),
                second: Some((Dir::Fd(4), 0x20))
            })
        );
        assert_eq!(Call::decode(libc::SYS_read, [0; 6]), None);
    }
}
