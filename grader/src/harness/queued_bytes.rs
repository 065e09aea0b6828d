//! How much a socket or pipe holds in its kernel queue: bytes written in and not yet read
//! out. The typist waits on it (a program has read the line typed before), and so does the
//! TCP relay's view of what the server has not yet taken.

use std::os::fd::{AsRawFd, BorrowedFd};

/// Which of a descriptor's queues to measure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Queue {
    /// Received and not yet read (`FIONREAD`, alias `SIOCINQ`): a socket's receive queue,
    /// or a pipe's contents, from either end of the pipe.
    Unread,
    /// Sent and not yet taken by the peer (`SIOCOUTQ`): unacknowledged bytes of a TCP
    /// socket; for a Unix stream, the kernel's buffer accounting of what the peer has not
    /// read, so that only zero is meaningful.
    Unsent,
}

/// The size of `queue` of `fd`; `None` if the kernel would not say (not a socket or pipe,
/// a listening socket).
#[expect(
    unsafe_code,
    reason = "FIONREAD and SIOCOUTQ have no safe wrapper in nix; each writes one c_int"
)]
pub fn queued(fd: BorrowedFd<'_>, queue: Queue) -> Option<i32> {
    let request = match queue {
        Queue::Unread => nix::libc::FIONREAD,
        Queue::Unsent => nix::libc::TIOCOUTQ,
    };
    let mut size: nix::libc::c_int = 0;
    // SAFETY: the descriptor is borrowed, so open for the call, and both requests write
    // exactly one c_int through the pointer, which outlives the call.
    let result =
        unsafe { nix::libc::ioctl(fd.as_raw_fd(), request, &mut size as *mut nix::libc::c_int) };
    (result == 0).then_some(size)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::os::fd::AsFd;

    #[test]
    fn a_pipe_holds_what_was_written_until_it_is_read_seen_from_its_writing_end() {
        let (mut reader, mut writer) = std::io::pipe().unwrap();
        assert_eq!(queued(writer.as_fd(), Queue::Unread), Some(0));
        writer.write_all(b"3\n").unwrap();
        assert_eq!(queued(writer.as_fd(), Queue::Unread), Some(2));
        let mut line = [0u8; 2];
        reader.read_exact(&mut line).unwrap();
        assert_eq!(queued(writer.as_fd(), Queue::Unread), Some(0));
    }
}
