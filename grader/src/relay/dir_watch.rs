//! Preload mode's port discovery: each program's socket_wrapper directory, watched with
//! inotify. A program's bind is the creation of a socket file there; the watcher asks the
//! bridge to mirror the address it stands for into the other program's directory.

use super::discovery::Seen;
use super::socket_dir::{SocketKind, parse_file_name};
use super::udp::UdpRelay;
use crate::evidence::Role;
use nix::errno::Errno;
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::inotify::{AddWatchFlags, InitFlags, Inotify, WatchDescriptor};
use std::io;
use std::os::fd::AsFd;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};

/// An inotify instance on both programs' directories.
#[derive(Debug)]
pub(super) struct DirWatcher {
    inotify: Inotify,
    /// Each watched directory, the program it belongs to, and its watch.
    dirs: Vec<(Role, PathBuf, WatchDescriptor)>,
}

impl DirWatcher {
    /// Watches both directories from now on (files made before are found by the first
    /// scan in [`DirWatcher::run`]).
    pub(super) fn new(client_dir: &Path, server_dir: &Path) -> io::Result<DirWatcher> {
        let inotify = Inotify::init(InitFlags::IN_NONBLOCK | InitFlags::IN_CLOEXEC)?;
        let mut dirs = Vec::new();
        for (role, dir) in [(Role::Server, server_dir), (Role::Client, client_dir)] {
            let watch = inotify.add_watch(dir, AddWatchFlags::IN_CREATE)?;
            dirs.push((role, dir.to_path_buf(), watch));
        }
        Ok(DirWatcher { inotify, dirs })
    }

    /// Mirrors every socket a program makes until `stop` is readable.
    pub(super) fn run(self, relay: &UdpRelay, seen: &Seen, stop: &UnixStream) {
        for (role, dir, _) in &self.dirs {
            let Ok(entries) = std::fs::read_dir(dir) else {
                continue;
            };
            for entry in entries.flatten() {
                found(relay, seen, *role, &entry.file_name().to_string_lossy());
            }
        }
        loop {
            let mut fds = [
                PollFd::new(self.inotify.as_fd(), PollFlags::POLLIN),
                PollFd::new(stop.as_fd(), PollFlags::POLLIN),
            ];
            match poll(&mut fds, PollTimeout::NONE) {
                Ok(_) | Err(Errno::EINTR) => {}
                Err(_) => return,
            }
            if fds[1].any().unwrap_or(true) {
                return;
            }
            let events = match self.inotify.read_events() {
                Ok(events) => events,
                Err(Errno::EAGAIN | Errno::EINTR) => continue,
                Err(_) => return,
            };
            for event in events {
                let role = self
                    .dirs
                    .iter()
                    .find(|(_, _, watch)| *watch == event.wd)
                    .map(|(role, _, _)| *role);
                if let (Some(role), Some(name)) = (role, event.name) {
                    found(relay, seen, role, &name.to_string_lossy());
                }
            }
        }
    }
}

/// A file appeared in `role`'s directory: unless the relay made it, the program did.
fn found(relay: &UdpRelay, seen: &Seen, role: Role, name: &str) {
    let Some((kind, address)) = parse_file_name(name) else {
        return;
    };
    // Read after the event: the relay claims an address before it binds it, so a file of
    // its own is always claimed by the time its creation is announced.
    if relay.bound_addresses().contains(&(role, address)) {
        return;
    }
    seen.appeared(role);
    // An IPv6 socket's file stands for socket_wrapper's own IPv6 network, which an IPv4
    // peer's datagrams cannot be made to come from: not bridged (see the README).
    if kind == SocketKind::Udp && address.is_ipv4() {
        seen.offer(relay, role, address);
    }
}
