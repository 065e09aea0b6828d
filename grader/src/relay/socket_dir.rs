//! Preload mode's network: a socket_wrapper directory per program.
//!
//! Under cwrap's socket_wrapper (`LD_PRELOAD=libsocket_wrapper.so`) a program's IPv4
//! sockets are Unix sockets in `SOCKET_WRAPPER_DIR`, each named after the address it stands
//! for: a type letter (`U` for UDP, `T` for TCP), the interface as two hex digits (interface
//! `n` is `127.0.0.n`) and the port as four (`127.0.0.1:5005` over UDP is `U01138D`). A
//! datagram's source is the sender's socket file, which socket_wrapper turns back into an
//! address for the receiver. An IPv6 socket's file is named the same way with `Y` (UDP) or
//! `X` (TCP), for an address of socket_wrapper's own IPv6 network, `fd00::5357:5fNN`
//! (interface `NN`): a socket bound to `::` gets that name, and `::1` is not there at all
//! (socket_wrapper 1.3.5 refuses to bind it, and a connect to it is "unreachable"). So the relay stands in for the other program by binding, in a
//! program's directory, the name of an address the other program holds in its own; what it
//! sends from there arrives from that address.

use std::io;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};

/// The library preload mode runs each program under, where Debian's `libsocket-wrapper`
/// puts it; its file name alone is tried when none of these is there (the loader's path).
const LIBRARY_CANDIDATES: [&str; 3] = [
    "/usr/lib/x86_64-linux-gnu/libsocket_wrapper.so",
    "/usr/lib/aarch64-linux-gnu/libsocket_wrapper.so",
    "/usr/lib64/libsocket_wrapper.so",
];
/// The same library under its versioned name (what the runtime package alone installs).
const VERSIONED_SUFFIX: &str = ".0";

/// The interface both programs use: each sees itself, and its peer, at `127.0.0.1`.
pub const INTERFACE: u8 = 1;

/// Where socket_wrapper is installed, if it is.
pub fn socket_wrapper_library() -> Option<PathBuf> {
    LIBRARY_CANDIDATES.iter().find_map(|candidate| {
        let path = Path::new(candidate);
        let versioned = PathBuf::from(format!("{candidate}{VERSIONED_SUFFIX}"));
        [path.to_path_buf(), versioned]
            .into_iter()
            .find(|path| path.exists())
    })
}

/// The environment that runs a program under socket_wrapper with `dir` as its network.
pub fn preload_environment(library: &Path, dir: &Path) -> Vec<(String, String)> {
    vec![
        ("LD_PRELOAD".to_owned(), library.display().to_string()),
        ("SOCKET_WRAPPER_DIR".to_owned(), dir.display().to_string()),
        (
            "SOCKET_WRAPPER_DEFAULT_IFACE".to_owned(),
            INTERFACE.to_string(),
        ),
        // Long temporary paths are cut short otherwise (see socket_wrapper(1)).
        ("SOCKET_WRAPPER_DIR_ALLOW_ORIG".to_owned(), "1".to_owned()),
        // A stream read returns at most this much (the default is an Ethernet MTU of
        // 1500): the most socket_wrapper allows, so that a program's recv(65536) gets what
        // the loopback would give it, a 10 000-byte line in one piece.
        ("SOCKET_WRAPPER_MTU".to_owned(), "32768".to_owned()),
    ]
}

/// Which transport a socket file stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SocketKind {
    Udp,
    Tcp,
}

impl SocketKind {
    /// The type letter of an IPv4 socket's file, and of an IPv6 one's.
    fn letters(self) -> [char; 2] {
        match self {
            SocketKind::Udp => ['U', 'Y'],
            SocketKind::Tcp => ['T', 'X'],
        }
    }
}

/// socket_wrapper's IPv6 address of interface `interface` (`FD00::5357:5Fxx` in its
/// source).
pub fn wrapped_ipv6(interface: u8) -> Ipv6Addr {
    Ipv6Addr::new(0xfd00, 0, 0, 0, 0, 0, 0x5357, 0x5f00 | u16::from(interface))
}

/// The socket file name of `address`: IPv4 on `127.0.0.0/8`, or IPv6 on socket_wrapper's
/// own network (see [`wrapped_ipv6`]), as its default network has them.
pub fn file_name(kind: SocketKind, address: SocketAddr) -> Option<String> {
    let [v4_letter, v6_letter] = kind.letters();
    let (letter, interface) = match address {
        SocketAddr::V4(v4) => match v4.ip().octets() {
            [127, 0, 0, interface] => (v4_letter, interface),
            _ => return None,
        },
        SocketAddr::V6(v6) => {
            let [.., last] = v6.ip().octets();
            if *v6.ip() != wrapped_ipv6(last) {
                return None;
            }
            (v6_letter, last)
        }
    };
    Some(format!("{letter}{interface:02X}{:04X}", address.port()))
}

/// The address a socket file name stands for, with its transport; `None` for any other
/// file.
pub fn parse_file_name(name: &str) -> Option<(SocketKind, SocketAddr)> {
    let (kind, ipv6) = match name.chars().next()? {
        'U' => (SocketKind::Udp, false),
        'T' => (SocketKind::Tcp, false),
        'Y' => (SocketKind::Udp, true),
        'X' => (SocketKind::Tcp, true),
        _ => return None,
    };
    let digits = name.get(1..)?;
    if digits.len() != 6 || !digits.bytes().all(|byte| byte.is_ascii_hexdigit()) {
        return None;
    }
    let interface = u8::from_str_radix(&digits[..2], 16).ok()?;
    let port = u16::from_str_radix(&digits[2..], 16).ok()?;
    let address = if ipv6 {
        SocketAddr::from((wrapped_ipv6(interface), port))
    } else {
        SocketAddr::from((Ipv4Addr::new(127, 0, 0, interface), port))
    };
    Some((kind, address))
}

/// The address a Unix socket path in a socket_wrapper directory stands for.
pub fn address_of_path(path: &Path) -> Option<SocketAddr> {
    let name = path.file_name()?.to_str()?;
    parse_file_name(name).map(|(_, address)| address)
}

/// A relay socket in one program's socket_wrapper directory, standing for an address.
#[derive(Debug)]
pub struct WrappedDatagram {
    pub socket: UnixDatagram,
    dir: PathBuf,
}

impl WrappedDatagram {
    /// Binds `address`'s UDP name in `dir`.
    pub fn bind(dir: &Path, address: SocketAddr) -> io::Result<WrappedDatagram> {
        let name = file_name(SocketKind::Udp, address)
            .ok_or_else(|| io::Error::other(format!("{address} has no socket_wrapper name")))?;
        let socket = UnixDatagram::bind(dir.join(name))?;
        Ok(WrappedDatagram {
            socket,
            dir: dir.to_path_buf(),
        })
    }

    /// Sends to the program socket that stands for `to` in this directory.
    pub fn send_to(&self, bytes: &[u8], to: SocketAddr) -> io::Result<usize> {
        let name = file_name(SocketKind::Udp, to)
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no socket_wrapper name"))?;
        self.socket.send_to(bytes, self.dir.join(name))
    }
}

/// The flag `/proc/net/unix` shows on a listening socket (`__SO_ACCEPTCON`).
const LISTENING_FLAG: u32 = 0x0001_0000;
/// The type `/proc/net/unix` shows for a stream socket (`SOCK_STREAM`).
const STREAM_TYPE: u32 = 1;

/// The addresses of the TCP sockets listening in `dir`, a socket_wrapper directory: the
/// ports a server under socket_wrapper listens on. Read from `/proc/net/unix`, whose flags
/// column is the only thing that tells a listening socket from one that is merely bound
/// (the `procfs` crate's parser leaves that column out).
pub fn listening_in(dir: &Path) -> io::Result<Vec<SocketAddr>> {
    let table = std::fs::read_to_string("/proc/self/net/unix")?;
    Ok(listening_in_table(&table, dir))
}

fn listening_in_table(table: &str, dir: &Path) -> Vec<SocketAddr> {
    let mut addresses: Vec<SocketAddr> = table
        .lines()
        .skip(1)
        .filter_map(|line| {
            // Num RefCount Protocol Flags Type St Inode Path (the path may hold spaces).
            let columns: Vec<&str> = line.splitn(8, char::is_whitespace).collect();
            let [_, _, _, flags, kind, _, _, path] = columns.as_slice() else {
                return None;
            };
            let flags = u32::from_str_radix(flags, 16).ok()?;
            let kind = u32::from_str_radix(kind, 16).ok()?;
            let path = Path::new(path.trim());
            if flags & LISTENING_FLAG == 0 || kind != STREAM_TYPE || path.parent()? != dir {
                return None;
            }
            match parse_file_name(path.file_name()?.to_str()?)? {
                (SocketKind::Tcp, address) => Some(address),
                (SocketKind::Udp, _) => None,
            }
        })
        .collect();
    addresses.sort_unstable();
    addresses.dedup();
    addresses
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_as_socket_wrapper_writes_them() {
        let address: SocketAddr = "127.0.0.1:5005".parse().unwrap();
        // Seen in a directory under socket_wrapper 1.3.5 (a server bound to 127.0.0.1:5005).
        assert_eq!(
            file_name(SocketKind::Udp, address).as_deref(),
            Some("U01138D")
        );
        assert_eq!(parse_file_name("U01138D"), Some((SocketKind::Udp, address)));
        assert_eq!(
            parse_file_name("T016188"),
            Some((SocketKind::Tcp, "127.0.0.1:24968".parse().unwrap()))
        );
    }

    #[test]
    fn other_files_and_addresses_have_no_name() {
        for name in ["U01138", "Z01138D", "U0113GD", "pcap", "", "U01138DD"] {
            assert_eq!(parse_file_name(name), None, "{name}");
        }
        assert_eq!(
            file_name(SocketKind::Udp, "10.0.0.1:5005".parse().unwrap()),
            None
        );
        assert_eq!(
            file_name(SocketKind::Udp, "[::1]:5005".parse().unwrap()),
            None
        );
        assert_eq!(
            file_name(SocketKind::Tcp, "[fd00::5357:5f01:1]:5005".parse().unwrap()),
            None
        );
    }

    #[test]
    fn ipv6_names_round_trip_as_socket_wrapper_writes_them() {
        // Seen under socket_wrapper 1.3.5: an AF_INET6 UDP socket bound to `[::]:5005`
        // is `Y01138D`, and a peer sees it as `fd00::5357:5f01`; a TCP one on 12100 is
        // `X012F44`.
        let udp: SocketAddr = "[fd00::5357:5f01]:5005".parse().unwrap();
        assert_eq!(udp.ip(), std::net::IpAddr::from(wrapped_ipv6(1)));
        assert_eq!(file_name(SocketKind::Udp, udp).as_deref(), Some("Y01138D"));
        assert_eq!(parse_file_name("Y01138D"), Some((SocketKind::Udp, udp)));
        let tcp: SocketAddr = "[fd00::5357:5f01]:12100".parse().unwrap();
        assert_eq!(file_name(SocketKind::Tcp, tcp).as_deref(), Some("X012F44"));
        assert_eq!(parse_file_name("X012F44"), Some((SocketKind::Tcp, tcp)));
    }

    #[test]
    fn listening_sockets_are_told_from_bound_ones_by_their_flags() {
        // Seen in /proc/net/unix under socket_wrapper 1.3.5: a server listening on
        // 127.0.0.1:12100, a client socket bound before it connects, another directory's
        // listener, and a UDP socket.
        let table = "Num       RefCount Protocol Flags    Type St Inode Path\n\
            0000000028e779e8: 00000002 00000000 00010000 0001 01 5054074 /tmp/run/s/T012F44\n\
            0000000028e779e9: 00000002 00000000 00000000 0001 01 5054075 /tmp/run/s/T01C000\n\
            0000000028e779ea: 00000002 00000000 00010000 0001 01 5054076 /tmp/run/c/T012F45\n\
            0000000028e779eb: 00000002 00000000 00000000 0002 01 5054077 /tmp/run/s/U01138D\n\
            0000000028e779ec: 00000002 00000000 00010000 0001 01 5054078 @abstract\n";
        assert_eq!(
            listening_in_table(table, Path::new("/tmp/run/s")),
            ["127.0.0.1:12100".parse::<SocketAddr>().unwrap()]
        );
    }
}
