"""
client.py - the client for "TCP over UDP" (a TCP-like transport built on UDP)

Every datagram has the same size, 524 bytes: the 12-byte header and a 512-byte
payload, filled up with NUL bytes ('iihh512s', the layout the handout's own code uses).
The NULs are padding, not data: a padded SYN, FIN or ACK takes the same one (or no)
sequence number as a bare one, and a data segment counts only the bytes the server
says it received. The server cannot tell padding from NUL bytes at the end of the data,
so it counts a segment's bytes up to its last non-NUL byte; its ACK says where that is,
and our next segment starts there, the way a TCP sender goes on from the ACK.

DESIGN LIMIT (not a bug in the arithmetic): a NUL byte at the end of a segment of the
file is taken for padding on the way, so a binary file that has one (every binary file
the grader sends ends with a NUL) arrives without it. Text files arrive intact.
Expected verdict: passes every text-file scenario; fails file-copy (and nothing else) in
each binary-file one: binary-64kib, loss-10, duplicate-5, reorder
Grade with: grader check tcp-over-udp --client examples/tcp-over-udp/padded/client.py --server examples/tcp-over-udp/padded/server.py

Sends everything it reads on its standard input to server.py, the way TCP would:
  1. a three-way handshake: SYN, the server's SYN|ACK (which gives us the connection
     id), then our ACK, which already carries the first piece of the file;
  2. the data in pieces of at most 512 bytes, stop-and-wait: each segment is sent
     again (the very same bytes) every 0.1 s until the server's ACK says it arrived,
     and the next one starts at the byte that ACK names;
  3. the close: our FIN until it is ACKed, the server's FIN, our ACK for it, and then
     2 s of waiting in which a retransmitted server FIN gets the same ACK again.
Every datagram sent or received is logged on standard output, one line each.

How to run (start server.py first, with the same port):
    python3 client.py HOST PORT < FILE
for example: python3 client.py 127.0.0.1 5000 < notes.txt

Segment: a 12-byte header, struct '<iihh' (seq, ack, conn_id, flags with FIN=1,
SYN=2, ACK=4), then 512 bytes of payload: the data, then NUL padding. Sequence numbers
count data bytes (the SYN and the FIN take one number each, the padding none) and wrap
around at 204800. Our first seq is 12345.

Log lines:
    SEND <seq> <ack> <conn_id>[ ACK][ SYN][ FIN][ DUP]   for every datagram we send
    RECV <seq> <ack> <conn_id>[ ACK][ SYN][ FIN][ DUP]   for every datagram we receive
    DROP <seq> <ack> <conn_id>[ ACK][ SYN][ FIN]         for one too short to be a segment
DUP means "the very same bytes as a datagram sent (or received) before".
"""

import socket
import struct
import sys
import time

# The segment header: seq, ack, conn_id, flags (little-endian, 12 bytes)
HEADER = struct.Struct("<iihh")
FIN = 1
SYN = 2
ACK = 4

MAX_PAYLOAD = 512       # bytes of data in one segment
SEQ_MODULUS = 204800    # sequence numbers wrap around here
INITIAL_SEQ = 12345     # our first sequence number (the SYN's)
TIMEOUT = 0.1           # retransmission timeout, in seconds
FIN_WAIT = 2.0          # how long we stay around after our last ACK

# Everything we have sent and received so far, to mark repeats with DUP in the log
sent_before = set()
received_before = set()


def log(event, seq, ack, conn_id, flags, dup=False):
    """Prints one log line: SEND/RECV, the header's numbers, its flags, maybe DUP."""
    words = [event, str(seq), str(ack), str(conn_id)]
    if flags & ACK:
        words.append("ACK")
    if flags & SYN:
        words.append("SYN")
    if flags & FIN:
        words.append("FIN")
    if dup:
        words.append("DUP")
    print(" ".join(words), flush=True)


def send_segment(sock, server, seq, ack, conn_id, flags, payload=b""):
    """Builds a segment (always 524 bytes: the payload padded with NULs), sends it and
    logs it.

    Sending the same numbers and payload again gives the same bytes, which is how we
    retransmit. Returns the sequence number just after the payload.
    """
    segment = HEADER.pack(seq, ack, conn_id, flags) + payload.ljust(MAX_PAYLOAD, b"\0")
    dup = segment in sent_before
    sent_before.add(segment)
    sock.sendto(segment, server)
    log("SEND", seq, ack, conn_id, flags, dup)
    return (seq + len(payload)) % SEQ_MODULUS


def receive_segment(sock, deadline):
    """Waits until `deadline` (a time.monotonic() value) for a segment and logs it.

    Returns (seq, ack, conn_id, flags, payload), or None if the time ran out.
    """
    while True:
        time_left = deadline - time.monotonic()
        if time_left <= 0:
            return None
        sock.settimeout(time_left)
        try:
            datagram, addr = sock.recvfrom(2048)
        except socket.timeout:
            return None
        if len(datagram) < HEADER.size:
            # Too short for a header: log what there is of it (zeros for the rest), drop it
            log("DROP", *HEADER.unpack(datagram.ljust(HEADER.size, b"\0")))
            continue
        dup = datagram in received_before
        received_before.add(datagram)
        seq, ack, conn_id, flags = HEADER.unpack_from(datagram)
        log("RECV", seq, ack, conn_id, flags, dup)
        return seq, ack, conn_id, flags, datagram[HEADER.size:]


def connect(sock, server):
    """Sends our SYN (again on every timeout) until the server's SYN|ACK arrives.

    Returns the connection id the server chose and the server's next seq number.
    """
    send_segment(sock, server, INITIAL_SEQ, 0, 0, SYN)
    deadline = time.monotonic() + TIMEOUT
    while True:
        reply = receive_segment(sock, deadline)
        if reply is None:
            send_segment(sock, server, INITIAL_SEQ, 0, 0, SYN)  # timeout: same SYN again
            deadline = time.monotonic() + TIMEOUT
            continue
        seq, ack, conn_id, flags, payload = reply
        if flags & (SYN | ACK) == SYN | ACK and ack == (INITIAL_SEQ + 1) % SEQ_MODULUS:
            return conn_id, (seq + 1) % SEQ_MODULUS
        # anything else is not for us yet: keep waiting (the timer keeps running)


def send_data(sock, server, seq, ack, conn_id, payload, first):
    """Sends one data segment until the server ACKs it (stop-and-wait).

    `first` is True for the segment that is also the handshake's ACK: if the server's
    SYN|ACK comes again, our ACK was lost, so we send this segment again at once.
    Returns the sequence number of the next segment: where the server's ACK says it
    counted to. That may be fewer than len(payload) bytes (it cannot tell our padding
    from NULs at the end of the data) or, from a server that keeps the padding, all 512.
    """
    send_segment(sock, server, seq, ack, conn_id, ACK, payload)
    deadline = time.monotonic() + TIMEOUT
    while True:
        reply = receive_segment(sock, deadline)
        if reply is None:
            # Timeout: send exactly the same segment again and restart the timer
            send_segment(sock, server, seq, ack, conn_id, ACK, payload)
            deadline = time.monotonic() + TIMEOUT
            continue
        r_seq, r_ack, r_conn, r_flags, r_payload = reply
        if r_flags & (SYN | ACK) == SYN | ACK:
            if first:
                send_segment(sock, server, seq, ack, conn_id, ACK, payload)
            continue
        if r_flags & ACK and 0 < (r_ack - seq) % SEQ_MODULUS <= MAX_PAYLOAD:
            return r_ack  # it acknowledges (some of) this segment: go on from there
        # an old ACK or something else: ignore it and keep waiting


def close(sock, server, seq, ack, conn_id):
    """Closes the connection: FIN, wait for its ACK and the server's FIN, last ACK."""
    # 1. Our FIN, again on every timeout, until it is ACKed. The server's FIN counts as
    #    the ACK too (the ACK may have been lost on the way).
    fin_seq = seq
    send_segment(sock, server, fin_seq, 0, conn_id, FIN)
    server_fin_seq = None
    deadline = time.monotonic() + TIMEOUT
    while True:
        reply = receive_segment(sock, deadline)
        if reply is None:
            send_segment(sock, server, fin_seq, 0, conn_id, FIN)
            deadline = time.monotonic() + TIMEOUT
            continue
        r_seq, r_ack, r_conn, r_flags, r_payload = reply
        if r_flags & FIN:
            server_fin_seq = r_seq
            break
        if r_flags & ACK and r_ack == (fin_seq + 1) % SEQ_MODULUS:
            break

    # 2. Wait for the server's FIN, if it has not come yet. The server keeps sending it
    #    for 2 s, so after 2 s without it there is nobody left to wait for.
    deadline = time.monotonic() + FIN_WAIT
    while server_fin_seq is None:
        reply = receive_segment(sock, deadline)
        if reply is None:
            print("No FIN from the server, closing anyway", flush=True)
            return
        r_seq, r_ack, r_conn, r_flags, r_payload = reply
        if r_flags & FIN:
            server_fin_seq = r_seq

    # 3. ACK the server's FIN, then stay 2 s: if our ACK got lost, the server sends its
    #    FIN again and gets the same ACK again.
    my_seq = (fin_seq + 1) % SEQ_MODULUS
    their_next = (server_fin_seq + 1) % SEQ_MODULUS
    send_segment(sock, server, my_seq, their_next, conn_id, ACK)
    deadline = time.monotonic() + FIN_WAIT
    while True:
        reply = receive_segment(sock, deadline)
        if reply is None:
            return
        r_seq, r_ack, r_conn, r_flags, r_payload = reply
        if r_flags & FIN:
            send_segment(sock, server, my_seq, their_next, conn_id, ACK)


def main():
    if len(sys.argv) != 3:
        print("Usage: python3 client.py HOST PORT < FILE")
        sys.exit(1)
    server = (sys.argv[1], int(sys.argv[2]))
    data = sys.stdin.buffer.read()  # the whole file, as bytes

    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)

    conn_id, ack = connect(sock, server)

    # The ACK that ends the handshake carries the first piece of the file; an empty
    # file gets a plain ACK, which needs no answer.
    seq = (INITIAL_SEQ + 1) % SEQ_MODULUS
    if len(data) == 0:
        send_segment(sock, server, seq, ack, conn_id, ACK)
    segments = 0
    for start in range(0, len(data), MAX_PAYLOAD):
        payload = data[start:start + MAX_PAYLOAD]
        seq = send_data(sock, server, seq, ack, conn_id, payload, first=(start == 0))
        segments += 1

    close(sock, server, seq, ack, conn_id)
    sock.close()
    print("Sent %d bytes in %d segments, connection closed" % (len(data), segments),
          flush=True)


main()
