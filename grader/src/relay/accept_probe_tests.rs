//! The sock_diag lookup: its request and reply as bytes, then against real loopback
//! sockets (port 0, no sleeps).

use super::*;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, TcpStream};

const SERVER: SocketAddr = SocketAddr::new(std::net::IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1)), 5005);
const RELAY: SocketAddr =
    SocketAddr::new(std::net::IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1)), 40_001);

#[test]
fn the_request_writes_every_byte_it_owns() {
    let mut message = vec![0xa5; request::LENGTH];
    request::emit_into(&mut message, 7, SERVER, RELAY);
    assert_eq!(message, request::emit(7, SERVER, RELAY));
    use request::field;
    assert_eq!(&message[field::LENGTH], &72u32.to_ne_bytes());
    assert_eq!(&message[field::TYPE], &20u16.to_ne_bytes());
    assert_eq!(&message[field::SEQUENCE], &7u32.to_ne_bytes());
    assert_eq!(message[field::FAMILY], 2);
    assert_eq!(message[field::PROTOCOL], 6);
    assert_eq!(&message[field::SOURCE_PORT], &[0x13, 0x8d]);
    assert_eq!(&message[field::DESTINATION_PORT], &40_001u16.to_be_bytes());
    assert_eq!(
        &message[field::SOURCE],
        &[192, 0, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
    );
    assert_eq!(&message[field::DESTINATION][..4], &[192, 0, 2, 1]);
    assert_eq!(&message[field::COOKIE], &[0xff; 8]);
    assert!(!message[field::PAD..field::STATES.start].contains(&0xa5));
    assert!(!message[field::INTERFACE].contains(&0xa5));
}

#[test]
fn an_ipv6_request_names_its_family_and_all_sixteen_bytes() {
    let server = SocketAddr::from((Ipv6Addr::LOCALHOST, 5005));
    let relay = SocketAddr::from(([0xfd00, 0, 0, 0, 0, 0, 0x5357, 0x5f01], 40_001));
    let mut message = vec![0xa5; request::LENGTH];
    request::emit_into(&mut message, 7, server, relay);
    use request::field;
    assert_eq!(message[field::FAMILY], 10);
    assert_eq!(&message[field::SOURCE], &Ipv6Addr::LOCALHOST.octets());
    assert_eq!(
        &message[field::DESTINATION],
        &[
            0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x53, 0x57, 0x5f, 0x01
        ]
    );
    let mut probe = AcceptProbe::open().expect("sock_diag is available");
    let mixed = probe.holder(server, SocketAddr::from((Ipv4Addr::LOCALHOST, 1)));
    assert!(mixed.is_err(), "{mixed:?}");
}

/// A reply of `length` bytes to request 7, with `state`, the peer's port and `inode`.
fn diag_reply(state: u8, peer_port: u16, inode: u32) -> Vec<u8> {
    let mut message = vec![0u8; 88];
    message[0..4].copy_from_slice(&88u32.to_ne_bytes());
    message[4..6].copy_from_slice(&20u16.to_ne_bytes());
    message[8..12].copy_from_slice(&7u32.to_ne_bytes());
    message[17] = state;
    message[22..24].copy_from_slice(&peer_port.to_be_bytes());
    message[84..88].copy_from_slice(&inode.to_ne_bytes());
    message
}

#[test]
fn a_socket_without_a_file_waits_in_the_queue_and_one_with_a_file_is_accepted() {
    let established = 1;
    let close_wait = 8;
    let time_wait = 6;
    let fin_wait1 = 4;
    let listen = 10;
    for (state, port, inode, holder) in [
        (established, 40_001, 0, Holder::Queue),
        (close_wait, 40_001, 0, Holder::Queue),
        (3, 40_001, 0, Holder::Queue),
        (established, 40_001, 4711, Holder::Program),
        (close_wait, 40_001, 4711, Holder::Program),
        (time_wait, 40_001, 0, Holder::Nobody),
        (fin_wait1, 40_001, 0, Holder::Nobody),
        (listen, 0, 4711, Holder::Nobody),
    ] {
        assert_eq!(
            reply::parse(&diag_reply(state, port, inode), 7).unwrap(),
            holder,
            "state {state}, inode {inode}"
        );
    }
}

#[test]
fn no_such_connection_is_gone_and_other_errors_and_strangers_are_errors() {
    let error = |code: i32| {
        let mut message = vec![0u8; 36];
        message[0..4].copy_from_slice(&36u32.to_ne_bytes());
        message[4..6].copy_from_slice(&2u16.to_ne_bytes());
        message[8..12].copy_from_slice(&7u32.to_ne_bytes());
        message[16..20].copy_from_slice(&(-code).to_ne_bytes());
        message
    };
    assert_eq!(
        reply::parse(&error(nix::libc::ENOENT), 7).unwrap(),
        Holder::Nobody
    );
    assert!(reply::parse(&error(nix::libc::EPERM), 7).is_err());
    assert!(reply::parse(&diag_reply(1, 40_001, 0), 8).is_err());
    assert!(reply::parse(&diag_reply(1, 40_001, 0)[..40], 7).is_err());
    assert!(reply::parse(&[], 7).is_err());
}

/// `address` as the kernel's lookup names it: an IPv4-mapped one as IPv4.
fn canonical(address: SocketAddr) -> SocketAddr {
    SocketAddr::new(address.ip().to_canonical(), address.port())
}

/// Connects to `listener` at `dial`; the probe sees the server's end wait in the queue,
/// then held once accepted, then held by nobody once the server has closed it; the
/// client's end is held until the client closes it.
fn waiting_accepted_gone(listener: &TcpListener, dial: SocketAddr) {
    let mut probe = AcceptProbe::open().expect("sock_diag is available");
    let client = TcpStream::connect(dial).unwrap();
    let server = canonical(dial);
    let relay = canonical(client.local_addr().unwrap());
    assert_eq!(probe.holder(server, relay).unwrap(), Holder::Queue);
    let (accepted, _) = listener.accept().unwrap();
    assert_eq!(probe.holder(server, relay).unwrap(), Holder::Program);
    drop(accepted);
    assert_eq!(probe.holder(server, relay).unwrap(), Holder::Nobody);
    assert_eq!(probe.holder(relay, server).unwrap(), Holder::Program);
    drop(client);
    assert_eq!(probe.holder(relay, server).unwrap(), Holder::Nobody);
    let elsewhere = SocketAddr::new(relay.ip(), relay.port().wrapping_add(1).max(1));
    assert_eq!(probe.holder(server, elsewhere).unwrap(), Holder::Nobody);
}

#[test]
fn the_kernel_shows_a_connection_waiting_then_accepted_then_gone() {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let dial = listener.local_addr().unwrap();
    waiting_accepted_gone(&listener, dial);
}

#[test]
fn a_dual_stack_server_is_seen_through_its_ipv4_connections() {
    // Where IPv6 is off there is no dual-stack listener to look at.
    let Ok(listener) = TcpListener::bind((Ipv6Addr::UNSPECIFIED, 0)) else {
        return;
    };
    let port = listener.local_addr().unwrap().port();
    waiting_accepted_gone(&listener, SocketAddr::from((Ipv4Addr::LOCALHOST, port)));
}

#[test]
fn an_ipv6_connection_is_seen_waiting_then_accepted_then_gone() {
    // Where IPv6 is off there is no `::1` to listen on.
    let Ok(listener) = TcpListener::bind((Ipv6Addr::LOCALHOST, 0)) else {
        return;
    };
    let dial = listener.local_addr().unwrap();
    waiting_accepted_gone(&listener, dial);
}
