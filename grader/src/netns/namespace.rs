//! A private network namespace with its own loopback, held only by a file descriptor.
//!
//! Programs that hard-code `127.0.0.1:5005` can only be interposed if each runs where that
//! address is its own: a network namespace. The grader makes one per program without
//! naming or mounting anything (no `/run/netns`, no `ip netns`), so there is nothing to
//! clean up: the namespace vanishes with its last descriptor, socket and process, even if
//! the grader is killed.
//!
//! A namespace is a property of a thread, not of a socket: a socket belongs to the
//! namespace of the thread that created it, and keeps belonging to it when used from any
//! other thread. So the work that must happen inside (creating sockets) runs on a short-
//! lived thread that has entered the namespace, and the grader's own threads never move.

use super::error::{NamespaceError, describe_errno};
use nix::libc;
use nix::sched::{CloneFlags, setns, unshare};
use nix::sys::socket::{AddressFamily, SockFlag, SockType, socket};
use std::fs::File;
use std::io;
use std::ops::RangeInclusive;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::os::unix::fs::MetadataExt;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::Command;

/// A network namespace, kept alive by an open descriptor of `/proc/thread-self/ns/net`.
///
/// Two handles are equal when they are the same namespace.
#[derive(Debug)]
pub struct NetNamespace {
    handle: OwnedFd,
    inode: u64,
}

impl NetNamespace {
    /// A fresh network namespace with its loopback up. Made on a short-lived thread
    /// (`unshare(CLONE_NEWNET)` is per thread), held only by an fd: nothing named
    /// (`/run/netns`), nothing mounted; it vanishes with its last fd, socket and process.
    pub fn create() -> Result<NetNamespace, NamespaceError> {
        on_new_thread(|| {
            unshare(CloneFlags::CLONE_NEWNET).map_err(NamespaceError::refused_creation)?;
            let path = Path::new(THREAD_NAMESPACE);
            let open_error = |source| NamespaceError::Open {
                path: path.to_path_buf(),
                source,
            };
            let file = File::open(path).map_err(open_error)?;
            let inode = file.metadata().map_err(open_error)?.ino();
            // Before anything else uses it: a namespace starts with `lo` down, and a
            // program binding 127.0.0.1 there would fail.
            bring_loopback_up().map_err(|source| NamespaceError::Loopback { inode, source })?;
            Ok(NetNamespace {
                handle: file.into(),
                inode,
            })
        })?
    }

    /// Runs `f` on a new thread that has entered the namespace (`setns`); sockets created
    /// there belong to it and can then be used from any thread. A panic in `f` is resumed
    /// on the calling thread.
    pub fn run_in<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, NamespaceError> {
        on_new_thread(|| {
            setns(&self.handle, CloneFlags::CLONE_NEWNET).map_err(|errno| {
                NamespaceError::Enter {
                    inode: self.inode,
                    detail: describe_errno(errno),
                }
            })?;
            Ok(f())
        })?
    }

    /// Makes `address` local in the namespace (on an alias of its loopback, `lo:1`), so
    /// programs can bind and reach it as if it were the machine's network address.
    pub fn add_address(&self, address: std::net::Ipv4Addr) -> Result<(), NamespaceError> {
        let inode = self.inode;
        self.run_in(move || add_loopback_alias(address))?
            .map_err(|source| NamespaceError::Loopback { inode, source })
    }

    /// Makes the kernel pick the ports it assigns implicitly in this namespace (a `sendto`
    /// or `connect` on an unbound socket, a bind to port 0) from `ports` only
    /// (`net.ipv4.ip_local_port_range`, which IPv6 uses too; each namespace has its own).
    ///
    /// On one host two programs never get the same ephemeral port; in two namespaces they
    /// can, and then the port one program was given cannot be mirrored into the other's,
    /// where that program holds it already. Disjoint ranges per namespace keep the host's
    /// guarantee.
    pub fn set_ephemeral_ports(&self, ports: RangeInclusive<u16>) -> Result<(), NamespaceError> {
        let inode = self.inode;
        let range = format!("{} {}", ports.start(), ports.end());
        self.run_in(move || std::fs::write(PORT_RANGE, range))?
            .map_err(|source| NamespaceError::PortRange { inode, source })
    }

    /// The namespace's inode number (as in `readlink /proc/self/ns/net` → `net:[N]`), for
    /// reports and tests.
    pub fn inode(&self) -> u64 {
        self.inode
    }

    /// Makes every process that `command` spawns enter this namespace just before it
    /// executes its program. The command keeps its own descriptor of the namespace, so it
    /// stays valid however long the command lives.
    pub fn enter_before_exec(&self, command: &mut Command) -> io::Result<()> {
        let handle = self.handle.try_clone()?;
        set_namespace_before_exec(command, handle);
        Ok(())
    }
}

impl PartialEq for NetNamespace {
    fn eq(&self, other: &Self) -> bool {
        // While both handles are open both namespaces exist, so their inodes differ
        // unless they are the same namespace.
        self.inode == other.inode
    }
}

impl Eq for NetNamespace {}

impl AsFd for NetNamespace {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.handle.as_fd()
    }
}

/// The ephemeral port range of the opening thread's network namespace.
const PORT_RANGE: &str = "/proc/sys/net/ipv4/ip_local_port_range";

/// The calling thread's own network namespace (`/proc/self` would name the main thread's).
const THREAD_NAMESPACE: &str = "/proc/thread-self/ns/net";

/// Runs `work` on a fresh thread, so that the namespace it enters dies with the thread
/// and never leaks into a thread of the grader's.
fn on_new_thread<T: Send>(work: impl FnOnce() -> T + Send) -> Result<T, NamespaceError> {
    std::thread::scope(|scope| {
        let thread = std::thread::Builder::new()
            .name("socklab-netns".to_owned())
            .spawn_scoped(scope, work)
            .map_err(NamespaceError::Thread)?;
        match thread.join() {
            Ok(value) => Ok(value),
            Err(panic) => std::panic::resume_unwind(panic),
        }
    })
}

/// Sets `IFF_UP` on `lo` of the calling thread's network namespace, the way `ip link set
/// lo up` does, so that the grader works where `ip` is not installed.
fn bring_loopback_up() -> io::Result<()> {
    let socket = socket(
        AddressFamily::Inet,
        SockType::Datagram,
        SockFlag::SOCK_CLOEXEC,
        None,
    )?;
    let mut request = libc::ifreq {
        ifr_name: [0; libc::IFNAMSIZ],
        ifr_ifru: libc::__c_anonymous_ifr_ifru { ifru_flags: 0 },
    };
    for (slot, &byte) in request.ifr_name.iter_mut().zip(b"lo") {
        *slot = byte as libc::c_char;
    }
    let flags = interface_flags(&socket, &mut request, InterfaceFlags::Read)?;
    if flags & libc::IFF_UP as libc::c_short == 0 {
        request.ifr_ifru.ifru_flags = flags | libc::IFF_UP as libc::c_short;
        interface_flags(&socket, &mut request, InterfaceFlags::Write)?;
    }
    Ok(())
}

/// Gives the calling thread's namespace `address` on `lo:1`, the way `ip addr add
/// ADDRESS dev lo label lo:1` does, so that the grader works where `ip` is not installed.
#[expect(
    unsafe_code,
    reason = "SIOCSIFADDR and the ifreq union have no safe wrapper in nix"
)]
fn add_loopback_alias(address: std::net::Ipv4Addr) -> io::Result<()> {
    let socket = socket(
        AddressFamily::Inet,
        SockType::Datagram,
        SockFlag::SOCK_CLOEXEC,
        None,
    )?;
    let socket_address = libc::sockaddr_in {
        sin_family: libc::AF_INET as libc::sa_family_t,
        sin_port: 0,
        sin_addr: libc::in_addr {
            s_addr: u32::from(address).to_be(),
        },
        sin_zero: [0; 8],
    };
    // SAFETY: `sockaddr_in` fits in `sockaddr` (both 16 bytes) and is what SIOCSIFADDR
    // reads for AF_INET; transmuting a plain-data struct of the same size is sound.
    let generic: libc::sockaddr = unsafe { std::mem::transmute(socket_address) };
    let mut request = libc::ifreq {
        ifr_name: [0; libc::IFNAMSIZ],
        ifr_ifru: libc::__c_anonymous_ifr_ifru { ifru_addr: generic },
    };
    for (slot, &byte) in request.ifr_name.iter_mut().zip(b"lo:1") {
        *slot = byte as libc::c_char;
    }
    // SAFETY: `socket` is an open socket; `request` is a valid `ifreq` with a
    // NUL-terminated name and an AF_INET address, all SIOCSIFADDR reads.
    let result = unsafe {
        libc::ioctl(
            socket.as_raw_fd(),
            libc::SIOCSIFADDR as libc::Ioctl,
            &mut request as *mut _,
        )
    };
    if result < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Which way [`interface_flags`] goes.
#[derive(Clone, Copy, Debug)]
enum InterfaceFlags {
    Read,
    Write,
}

/// `SIOCGIFFLAGS` / `SIOCSIFFLAGS` on `request`; returns the flags it holds afterwards.
#[expect(
    unsafe_code,
    reason = "the interface-flags ioctls and the ifreq union have no safe wrapper in nix"
)]
fn interface_flags(
    socket: &OwnedFd,
    request: &mut libc::ifreq,
    direction: InterfaceFlags,
) -> io::Result<libc::c_short> {
    let code = match direction {
        InterfaceFlags::Read => libc::SIOCGIFFLAGS,
        InterfaceFlags::Write => libc::SIOCSIFFLAGS,
    };
    // SAFETY: `socket` is an open socket; `request` is a valid, exclusively borrowed
    // `ifreq` whose name is NUL-terminated (IFNAMSIZ bytes, "lo" then zeros), which is all
    // these two ioctls read or write.
    let result = unsafe { libc::ioctl(socket.as_raw_fd(), code as libc::Ioctl, request as *mut _) };
    if result < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: both ioctls leave the flags member as the active one (it was initialised
    // as such, SIOCGIFFLAGS writes it), and every bit pattern is a valid c_short.
    Ok(unsafe { request.ifr_ifru.ifru_flags })
}

/// Installs the `pre_exec` hook that moves the spawned child into the namespace `handle`.
#[expect(
    unsafe_code,
    reason = "entering a namespace between fork and exec needs `pre_exec`"
)]
fn set_namespace_before_exec(command: &mut Command, handle: OwnedFd) {
    // SAFETY: the hook runs in the forked child before exec, where only async-signal-safe
    // work is allowed: `setns` is a single system call on a descriptor the closure owns,
    // and turning its errno into an `io::Error` does not allocate.
    unsafe {
        command.pre_exec(move || setns(&handle, CloneFlags::CLONE_NEWNET).map_err(io::Error::from));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{Ipv4Addr, SocketAddr, UdpSocket};

    fn own_namespace_inode() -> u64 {
        std::fs::metadata("/proc/self/ns/net").unwrap().ino()
    }

    fn create() -> NetNamespace {
        match NetNamespace::create() {
            Ok(namespace) => namespace,
            Err(error) => panic!("{error}"),
        }
    }

    /// A UDP socket bound inside `namespace` sends a datagram to itself.
    fn echo_to_self(namespace: &NetNamespace, address: SocketAddr) -> Vec<u8> {
        let socket = namespace
            .run_in(move || UdpSocket::bind(address))
            .unwrap()
            .unwrap();
        // Used from this thread, outside the namespace: the socket stays in its own.
        let local = socket.local_addr().unwrap();
        socket.send_to(b"ping", local).unwrap();
        let mut buffer = [0; 16];
        let (length, from) = socket.recv_from(&mut buffer).unwrap();
        assert_eq!(from, local);
        buffer[..length].to_vec()
    }

    #[test]
    fn a_documentation_address_becomes_local_inside_and_only_inside() {
        let namespace = create();
        let test_net = Ipv4Addr::new(192, 0, 2, 1);
        namespace.add_address(test_net).unwrap();
        assert_eq!(
            echo_to_self(&namespace, SocketAddr::from((test_net, 0))),
            b"ping"
        );
        // The grader's own namespace never gets it.
        assert!(UdpSocket::bind((test_net, 0)).is_err());
    }

    #[test]
    fn a_new_namespace_is_distinct_and_its_loopback_is_up() {
        let namespace = create();
        assert_ne!(namespace.inode(), own_namespace_inode());
        let address = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
        assert_eq!(echo_to_self(&namespace, address), b"ping");
        let inside = namespace
            .run_in(|| std::fs::metadata(THREAD_NAMESPACE).map(|meta| meta.ino()))
            .unwrap()
            .unwrap();
        assert_eq!(inside, namespace.inode());
        // The caller's thread never moved.
        assert_eq!(
            std::fs::metadata(THREAD_NAMESPACE).unwrap().ino(),
            own_namespace_inode()
        );
    }

    #[test]
    fn ports_the_kernel_picks_come_from_the_namespaces_range_only() {
        let (narrow, other) = (create(), create());
        narrow.set_ephemeral_ports(50_000..=50_009).unwrap();
        let any_port = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
        let bound: Vec<u16> = (0..5)
            .map(|_| {
                narrow
                    .run_in(move || UdpSocket::bind(any_port))
                    .unwrap()
                    .unwrap()
            })
            .map(|socket| socket.local_addr().unwrap().port())
            .collect();
        assert!(
            bound.iter().all(|port| (50_000..=50_009).contains(port)),
            "{bound:?}"
        );
        // The other namespace keeps the kernel's default range.
        let range = other
            .run_in(|| std::fs::read_to_string(PORT_RANGE))
            .unwrap()
            .unwrap();
        assert_ne!(
            range.split_whitespace().collect::<Vec<_>>(),
            ["50000", "50009"]
        );
    }

    #[test]
    fn two_namespaces_bind_the_same_fixed_port_at_once() {
        // A fixed port on purpose: each namespace has a loopback of its own, so two
        // programs hard-coding 127.0.0.1:5005 do not collide, with each other or with the
        // host. That is what transparent mode relies on.
        let address = SocketAddr::from((Ipv4Addr::LOCALHOST, 5005));
        let (first, second) = (create(), create());
        assert_ne!(first.inode(), second.inode());
        assert_ne!(first, second);
        let bind = |namespace: &NetNamespace| {
            namespace
                .run_in(move || UdpSocket::bind(address))
                .unwrap()
                .unwrap()
        };
        let (one, two) = (bind(&first), bind(&second));
        assert_eq!(one.local_addr().unwrap(), address);
        assert_eq!(two.local_addr().unwrap(), address);
        // Each reaches only its own: a datagram sent in one arrives in the same one.
        one.send_to(b"one", address).unwrap();
        two.send_to(b"two", address).unwrap();
        let mut buffer = [0; 8];
        let (length, _) = one.recv_from(&mut buffer).unwrap();
        assert_eq!(&buffer[..length], b"one");
        let (length, _) = two.recv_from(&mut buffer).unwrap();
        assert_eq!(&buffer[..length], b"two");
    }

    #[test]
    fn run_in_returns_the_value_and_resumes_a_panic() {
        let namespace = create();
        assert_eq!(namespace.run_in(|| 7).unwrap(), 7);
        let panicked = std::panic::catch_unwind(|| namespace.run_in(|| panic!("inside")));
        assert!(panicked.is_err());
    }

    #[test]
    fn a_spawned_command_enters_the_namespace() {
        let namespace = create();
        let mut command = Command::new("readlink");
        command.arg("/proc/self/ns/net");
        namespace.enter_before_exec(&mut command).unwrap();
        let output = command.output().unwrap();
        assert!(output.status.success(), "{output:?}");
        let expected = format!("net:[{}]\n", namespace.inode());
        assert_eq!(String::from_utf8_lossy(&output.stdout), expected);
    }
}
