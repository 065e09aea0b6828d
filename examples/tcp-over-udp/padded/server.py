"""
server.py - the server for "TCP over UDP" (a TCP-like transport built on UDP)

Every datagram has the same size, 524 bytes: the 12-byte header and a 512-byte
payload, filled up with NUL bytes ('iihh512s', the layout the handout's own code uses).
The NULs are padding, not data: our padded SYN|ACK, ACKs and FIN take the same one (or
no) sequence number as bare ones, and the NULs at the end of the client's payload are
taken off before it is written and are not counted in our ACK, which tells the client
where we counted to.

DESIGN LIMIT (not a bug in the arithmetic): NUL bytes at the end of a segment of the
file cannot be told from padding, so a binary file that has them (every binary file the
grader sends ends with a NUL) arrives without them. Text files arrive intact.
Expected verdict: passes every text-file scenario; fails file-copy (and nothing else) in
each binary-file one: binary-64kib, loss-10, duplicate-5, reorder
Grade with: grader check tcp-over-udp --client examples/tcp-over-udp/padded/client.py --server examples/tcp-over-udp/padded/server.py

Receives one connection from client.py and writes the bytes it carries to standard
output, the way TCP would:
  1. the handshake: the client's SYN gets a SYN|ACK with our connection id (1); a
     retransmitted SYN gets the same SYN|ACK again;
  2. the data: a segment with the sequence number we expect is written out without
     its padding (and flushed) and ACKed with the number of the next byte we expect;
     any other segment (a duplicate) is not written, it only gets that same ACK again;
  3. the close: the client's FIN gets its ACK, then our own FIN, sent again every
     0.1 s until the client ACKs it (we give up after 2 s: the data is complete anyway).
Then the server exits. Every datagram is logged on standard error, one line each.

How to run (start it before the client):
    python3 server.py PORT > RECEIVED_FILE
It listens on 127.0.0.1:PORT.

Segment: a 12-byte header, struct '<iihh' (seq, ack, conn_id, flags with FIN=1,
SYN=2, ACK=4), then 512 bytes of payload: the data, then NUL padding. Sequence numbers
count data bytes (the SYN and the FIN take one number each, the padding none) and wrap
around at 204800. Our first seq is 4321.

Log lines (on standard error, because standard output is the received file):
    SEND <seq> <ack> <conn_id>[ ACK][ SYN][ FIN][ DUP]   for every datagram we send
    RECV <seq> <ack> <conn_id>[ ACK][ SYN][ FIN][ DUP]   for every datagram we use
    DROP <seq> <ack> <conn_id>[ ACK][ SYN][ FIN]         for every datagram we discard
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
INITIAL_SEQ = 4321      # our first sequence number (the SYN|ACK's)
CONN_ID = 1             # the id of our (only) connection
TIMEOUT = 0.1           # retransmission timeout, in seconds
CLOSE_WAIT = 2.0        # how long we keep resending our FIN

# Everything we have sent and received so far, to mark repeats with DUP in the log
sent_before = set()
received_before = set()


def log(event, seq, ack, conn_id, flags, dup=False):
    """Prints one log line on stderr: SEND/RECV/DROP, the numbers, the flags, maybe DUP."""
    words = [event, str(seq), str(ack), str(conn_id)]
    if flags & ACK:
        words.append("ACK")
    if flags & SYN:
        words.append("SYN")
    if flags & FIN:
        words.append("FIN")
    if dup:
        words.append("DUP")
    print(" ".join(words), file=sys.stderr, flush=True)


def send_segment(sock, addr, seq, ack, conn_id, flags):
    """Builds a segment (ours carry no data: 512 bytes of padding), sends it, logs it."""
    segment = HEADER.pack(seq, ack, conn_id, flags) + bytes(MAX_PAYLOAD)
    dup = segment in sent_before
    sent_before.add(segment)
    sock.sendto(segment, addr)
    log("SEND", seq, ack, conn_id, flags, dup)


def receive(sock, deadline=None):
    """Waits for a datagram until `deadline` (a time.monotonic() value; None: forever).

    Returns (addr, seq, ack, conn_id, flags, payload, dup) without logging it (the
    caller decides between RECV and DROP), or None if the time ran out.
    """
    while True:
        if deadline is None:
            sock.settimeout(None)
        else:
            time_left = deadline - time.monotonic()
            if time_left <= 0:
                return None
            sock.settimeout(time_left)
        try:
            datagram, addr = sock.recvfrom(2048)
        except socket.timeout:
            return None
        dup = datagram in received_before
        received_before.add(datagram)
        if len(datagram) < HEADER.size:
            # Too short for a header: log what there is of it (zeros for the rest), drop it
            log("DROP", *HEADER.unpack(datagram.ljust(HEADER.size, b"\0")))
            continue
        seq, ack, conn_id, flags = HEADER.unpack_from(datagram)
        payload = datagram[HEADER.size:]
        if len(payload) > MAX_PAYLOAD:
            log("DROP", seq, ack, conn_id, flags)  # more than a segment may carry
            continue
        return addr, seq, ack, conn_id, flags, payload, dup


def write_data(payload):
    """Writes received bytes to stdout (the received file) at once."""
    sys.stdout.buffer.write(payload)
    sys.stdout.buffer.flush()


def main():
    if len(sys.argv) != 2:
        print("Usage: python3 server.py PORT > RECEIVED_FILE", file=sys.stderr)
        sys.exit(1)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", int(sys.argv[1])))
    print("Listening on 127.0.0.1 port", sys.argv[1], file=sys.stderr, flush=True)

    # 1. Handshake: wait for a SYN (conn id 0), answer with SYN|ACK.
    while True:
        client, seq, ack, conn_id, flags, payload, dup = receive(sock)
        if flags & SYN and conn_id == 0:
            log("RECV", seq, ack, conn_id, flags, dup)
            break
        log("DROP", seq, ack, conn_id, flags)
    client_isn = seq
    expected = (client_isn + 1) % SEQ_MODULUS   # the next byte we want from the client
    my_seq = (INITIAL_SEQ + 1) % SEQ_MODULUS    # our seq after the SYN|ACK
    syn_ack_ack = expected
    send_segment(sock, client, INITIAL_SEQ, syn_ack_ack, CONN_ID, SYN | ACK)

    def receive_segment(deadline=None):
        """Waits for the next segment of our connection and logs it (RECV).

        A retransmitted SYN from our client gets the same SYN|ACK again; any other
        datagram that is not for our connection is logged as DROP. Returns
        (seq, ack, flags, payload), or None if the time ran out.
        """
        while True:
            reply = receive(sock, deadline)
            if reply is None:
                return None
            addr, seq, ack, conn_id, flags, payload, dup = reply
            if flags & SYN and conn_id == 0 and addr == client and seq == client_isn:
                # Our SYN|ACK was lost (or the SYN came twice): the same SYN|ACK again
                log("RECV", seq, ack, conn_id, flags, dup)
                send_segment(sock, client, INITIAL_SEQ, syn_ack_ack, CONN_ID, SYN | ACK)
                continue
            if conn_id != CONN_ID or flags & SYN:
                log("DROP", seq, ack, conn_id, flags)  # not for our connection
                continue
            log("RECV", seq, ack, conn_id, flags, dup)
            return seq, ack, flags, payload

    # 2. Data, until the client's FIN.
    received = 0
    while True:
        seq, ack, flags, payload = receive_segment()
        if seq != expected:
            # A duplicate: we have it already. Do not write it, just ACK again.
            send_segment(sock, client, my_seq, expected, CONN_ID, ACK)
            continue
        if flags & FIN:
            expected = (expected + 1) % SEQ_MODULUS  # the FIN takes one number
            send_segment(sock, client, my_seq, expected, CONN_ID, ACK)
            break
        data = payload.rstrip(b"\0")  # the padding is not data, and takes no number
        write_data(data)
        received += len(data)
        expected = (expected + len(data)) % SEQ_MODULUS
        send_segment(sock, client, my_seq, expected, CONN_ID, ACK)

    # 3. Close: our FIN, again on every timeout, until the client ACKs it (ack = our
    #    FIN's seq + 1), for 2 s at most.
    send_segment(sock, client, my_seq, 0, CONN_ID, FIN)
    give_up = time.monotonic() + CLOSE_WAIT
    deadline = time.monotonic() + TIMEOUT
    while True:
        reply = receive_segment(min(deadline, give_up))
        if reply is None:
            if time.monotonic() >= give_up:
                print("No ACK for our FIN after %g s, closing anyway" % CLOSE_WAIT,
                      file=sys.stderr, flush=True)
                break
            send_segment(sock, client, my_seq, 0, CONN_ID, FIN)
            deadline = time.monotonic() + TIMEOUT
            continue
        seq, ack, flags, payload = reply
        if flags & ACK and not flags & FIN and ack == (my_seq + 1) % SEQ_MODULUS:
            break  # the client got our FIN: the connection is closed
        # The client's FIN again (our ACK was lost) or an old segment: the same ACK again
        send_segment(sock, client, my_seq, expected, CONN_ID, ACK)

    sock.close()
    print("Received %d bytes, connection closed" % received, file=sys.stderr, flush=True)


main()
