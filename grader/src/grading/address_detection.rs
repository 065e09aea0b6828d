//! `--mode auto` for a case that does not say its programs hard-code a port: the student's
//! program is started once before the scenarios (`run::probe_server`, or
//! `run::probe_client` for a client graded alone) and where it puts itself decides the
//! mode. A server that binds the port it was given, or a client that sends to it, is
//! graded through the relay; one that uses a port of its own (it hard-codes
//! `127.0.0.1:8080`, or its command line names no port) is graded, every scenario of it,
//! in a mode that keeps its address, with that port as the case's hard-coded one: one
//! start-up spent, instead of a start-up budget lost per scenario to "nothing bound udp
//! port 48202".
//!
//! Sans-IO: what the probe saw comes in, the mode and the one line that says why go out.

use super::mode::{ChosenMode, Facilities, Mode, ModeError, relay_mode};
use crate::case::Transport;
use crate::harness::own_sockets::OwnSocket;
use crate::harness::ports::Protocol;
use crate::relay::first_packet::Outbound;

/// What the probe start of the server saw.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerSighting {
    /// The port the server was told, when its command line or stdin names one.
    pub told: Option<u16>,
    /// The sockets it held when the probe stopped it (or when it exited).
    pub sockets: Vec<OwnSocket>,
}

/// What the probe start of a client graded alone saw.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientSighting {
    /// The port the client was told, when its command line or stdin names one.
    pub told: Option<u16>,
    /// The first datagram, or connection request, of the case's transport it sent.
    pub first: Option<Outbound>,
}

/// Where a program put itself, or its server, as far as grading it goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProgramAddress {
    /// It used the port it was told: the relay can stand between the programs.
    AsTold,
    /// It used a port of its own choosing: `seen` says how, in words (`the server bound
    /// UDP 127.0.0.1:8080`), `told` whether it was told one at all.
    OwnPort { seen: String, port: u16, told: bool },
    /// Nothing of the case's transport was seen: the scenarios will say why (it died, it
    /// opened the wrong transport, it bound nothing), so they run as if it took its port.
    Unseen,
}

/// `--mode auto`'s choice once the program is seen, and the port the programs are then
/// graded on (`None`: the relay's own ports).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DetectedMode {
    pub chosen: ChosenMode,
    pub hard_coded_port: Option<u16>,
}

impl ClientSighting {
    /// Where the client sent, for a case of `transport`.
    pub fn address(&self, transport: Transport) -> ProgramAddress {
        let wanted = match transport {
            Transport::Udp => Protocol::Udp,
            Transport::Tcp => Protocol::Tcp,
        };
        match self.first {
            Some(first) if first.protocol == wanted => {
                let port = first.destination.port();
                if Some(port) == self.told {
                    ProgramAddress::AsTold
                } else {
                    ProgramAddress::OwnPort {
                        seen: format!("the client {first}"),
                        port,
                        told: self.told.is_some(),
                    }
                }
            }
            _ => ProgramAddress::Unseen,
        }
    }
}

impl ServerSighting {
    /// The socket that serves the case's `transport`: a UDP socket bound to a port, or a
    /// TCP listener (a connected TCP socket or a socket of the other transport serves no
    /// client of this case). The one on the told port first.
    fn serving(&self, transport: Transport) -> Option<&OwnSocket> {
        let serves = |socket: &&OwnSocket| match transport {
            Transport::Udp => socket.protocol == Protocol::Udp,
            Transport::Tcp => socket.protocol == Protocol::Tcp && socket.listening,
        };
        let told = |socket: &&OwnSocket| Some(socket.address.port()) == self.told;
        let mut serving = self.sockets.iter().filter(serves);
        serving.clone().find(told).or_else(|| serving.next())
    }

    /// Whether the probe has seen enough to stop the server: a socket that serves the
    /// case's transport.
    pub fn settled(&self, transport: Transport) -> bool {
        self.serving(transport).is_some()
    }

    /// Where the server put itself, for a case of `transport`.
    pub fn address(&self, transport: Transport) -> ProgramAddress {
        match self.serving(transport) {
            None => ProgramAddress::Unseen,
            Some(socket) if Some(socket.address.port()) == self.told => ProgramAddress::AsTold,
            Some(socket) => ProgramAddress::OwnPort {
                seen: format!("the server {socket}"),
                port: socket.address.port(),
                told: self.told.is_some(),
            },
        }
    }
}

/// The mode for a program at `address`: the relay unless it chose its own port, else
/// transparent where namespaces can be made, else preload (as for a case that says its
/// port, see `mode::hard_coded_mode`); `facilities` is asked only then.
pub fn detected_mode(
    address: &ProgramAddress,
    facilities: impl FnOnce() -> Facilities,
) -> Result<DetectedMode, ModeError> {
    let ProgramAddress::OwnPort { seen, port, told } = address else {
        return Ok(DetectedMode {
            chosen: relay_mode(),
            hard_coded_port: None,
        });
    };
    // The port it was told is a free one picked for the probe: it means nothing to the
    // reader, and would make the report differ between gradings.
    let seen = if *told {
        format!("{seen} instead of the port it was given")
    } else {
        format!("{seen}, and its command line gives it no port")
    };
    let facilities = facilities();
    let mode = if facilities.namespaces {
        Mode::Transparent
    } else if let Some(library) = &facilities.socket_wrapper {
        Mode::Preload {
            library: library.clone(),
        }
    } else {
        return Err(ModeError::NoModeKeepsAddress { seen });
    };
    let why_this_one = match mode {
        Mode::Preload { .. } => ", as network namespaces cannot be made here",
        Mode::Transparent | Mode::Relay => "",
    };
    Ok(DetectedMode {
        chosen: ChosenMode {
            reason: format!("{seen}: graded in {} mode{why_this_one}", mode.name()),
            mode,
        },
        hard_coded_port: Some(*port),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
    use std::path::PathBuf;

    fn udp(port: u16) -> OwnSocket {
        OwnSocket {
            protocol: Protocol::Udp,
            address: SocketAddr::from((Ipv4Addr::LOCALHOST, port)),
            listening: false,
        }
    }

    fn tcp(port: u16, listening: bool) -> OwnSocket {
        OwnSocket {
            protocol: Protocol::Tcp,
            address: SocketAddr::from((Ipv6Addr::UNSPECIFIED, port)),
            listening,
        }
    }

    fn sighting(told: Option<u16>, sockets: Vec<OwnSocket>) -> ServerSighting {
        ServerSighting { told, sockets }
    }

    fn facilities(namespaces: bool, socket_wrapper: bool) -> impl FnOnce() -> Facilities {
        move || Facilities {
            namespaces,
            socket_wrapper: socket_wrapper.then(|| PathBuf::from("/lib/libsocket_wrapper.so")),
        }
    }

    #[test]
    fn a_server_on_the_port_it_was_given_is_graded_through_the_relay() {
        // A helper socket of its own beside the told one does not make it hard-coded.
        let seen = sighting(Some(40123), vec![udp(9999), udp(40123)]);
        assert!(seen.settled(Transport::Udp));
        assert_eq!(seen.address(Transport::Udp), ProgramAddress::AsTold);
        let detected = detected_mode(&ProgramAddress::AsTold, || {
            panic!("the facilities are not asked for a relay grading")
        })
        .unwrap();
        assert_eq!(detected.chosen, relay_mode());
        assert_eq!(detected.hard_coded_port, None);
    }

    #[test]
    fn a_hard_coded_udp_server_is_graded_in_transparent_mode_on_its_own_port() {
        let address = sighting(Some(40123), vec![udp(8080)]).address(Transport::Udp);
        assert_eq!(
            address,
            ProgramAddress::OwnPort {
                seen: "the server bound UDP 127.0.0.1:8080".to_owned(),
                port: 8080,
                told: true
            }
        );
        let detected = detected_mode(&address, facilities(true, true)).unwrap();
        assert_eq!(detected.chosen.mode, Mode::Transparent);
        assert_eq!(detected.hard_coded_port, Some(8080));
        assert_eq!(
            detected.chosen.reason,
            "the server bound UDP 127.0.0.1:8080 instead of the port it was given: graded in \
             transparent mode"
        );
    }

    #[test]
    fn without_namespaces_a_hard_coded_server_goes_to_preload_and_says_why() {
        let address = sighting(None, vec![tcp(12100, true)]).address(Transport::Tcp);
        let detected = detected_mode(&address, facilities(false, true)).unwrap();
        assert_eq!(
            detected.chosen.mode,
            Mode::Preload {
                library: PathBuf::from("/lib/libsocket_wrapper.so")
            }
        );
        assert_eq!(detected.hard_coded_port, Some(12100));
        assert_eq!(
            detected.chosen.reason,
            "the server listened on TCP [::]:12100, and its command line gives it no port: \
             graded in preload mode, as network namespaces cannot be made here"
        );
    }

    #[test]
    fn where_no_mode_keeps_the_address_the_error_says_what_it_bound_and_what_would_grade_it() {
        let address = sighting(Some(40123), vec![udp(5005)]).address(Transport::Udp);
        let error = detected_mode(&address, facilities(false, false)).unwrap_err();
        let message = error.to_string();
        assert!(
            message.starts_with(
                "the server bound UDP 127.0.0.1:5005 instead of the port it was given, and no \
                 mode that keeps its address is available here"
            ),
            "{message}"
        );
        assert!(
            message.contains("transparent mode would grade it"),
            "{message}"
        );
        assert!(message.contains("network namespaces"), "{message}");
        assert!(
            message.contains("apt-get install libsocket-wrapper"),
            "{message}"
        );
    }

    #[test]
    fn only_a_socket_that_serves_the_cases_transport_counts() {
        // A TCP case: a UDP socket, and a TCP socket that only connects, serve no client.
        let seen = sighting(Some(40123), vec![udp(8080), tcp(8081, false)]);
        assert!(!seen.settled(Transport::Tcp));
        assert_eq!(seen.address(Transport::Tcp), ProgramAddress::Unseen);
        // A UDP case: a TCP listener on the told port is the wrong transport, which the
        // scenarios report; nothing to detect.
        let seen = sighting(Some(40123), vec![tcp(40123, true)]);
        assert_eq!(seen.address(Transport::Udp), ProgramAddress::Unseen);
        let detected = detected_mode(&ProgramAddress::Unseen, facilities(true, true)).unwrap();
        assert_eq!(detected.chosen.mode, Mode::Relay);
    }

    fn client(told: Option<u16>, protocol: Protocol, port: u16) -> ClientSighting {
        ClientSighting {
            told,
            first: Some(Outbound {
                protocol,
                destination: SocketAddr::from((Ipv4Addr::LOCALHOST, port)),
            }),
        }
    }

    #[test]
    fn a_client_that_sends_to_the_port_it_was_given_is_graded_through_the_relay() {
        let seen = client(Some(40123), Protocol::Udp, 40123);
        assert_eq!(seen.address(Transport::Udp), ProgramAddress::AsTold);
        let nothing = ClientSighting {
            told: Some(40123),
            first: None,
        };
        assert_eq!(nothing.address(Transport::Udp), ProgramAddress::Unseen);
        // A UDP datagram is no client of a TCP case (and the other way round).
        let seen = client(Some(40123), Protocol::Udp, 12100);
        assert_eq!(seen.address(Transport::Tcp), ProgramAddress::Unseen);
    }

    #[test]
    fn a_hard_coded_client_alone_is_graded_in_transparent_mode_on_the_port_it_sends_to() {
        let address = client(Some(40123), Protocol::Tcp, 12100).address(Transport::Tcp);
        let detected = detected_mode(&address, facilities(true, false)).unwrap();
        assert_eq!(detected.chosen.mode, Mode::Transparent);
        assert_eq!(detected.hard_coded_port, Some(12100));
        assert_eq!(
            detected.chosen.reason,
            "the client connected to TCP 127.0.0.1:12100 instead of the port it was given: \
             graded in transparent mode"
        );
    }
}
