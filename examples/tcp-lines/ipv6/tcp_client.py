"""
tcp_client.py - the sending side of "TCP multi-file upload" (the tcp-lines lab), any family

A legal variant of good/tcp_client.py: the same program, except that it resolves the
server's host name with getaddrinfo (IPv4 or IPv6) and connects to the FIRST address it
gets, with no fallback to the next. Given "::1" it reaches the server over IPv6; given
"localhost" it reaches ::1 where /etc/hosts lists that first (most Linux systems), so a
server that listens on 127.0.0.1 only is not found, as on a real machine.

For each file it asks how many lines to send, sends that number as a 4-byte big-endian
unsigned integer, then each line (ended by '\n') as soon as it is typed, and reports the
server's one-byte status ('A': "File accepted", 'Q': "Server is quitting").

How to run (start tcp_server.py first, with the same port):
    python3 tcp_client.py [HOST] [PORT]
HOST defaults to localhost and PORT to 12100, e.g.
    printf '3\na\nb\nc\nn\n' | python3 tcp_client.py ::1 12100

Expected verdict: passes, given ::1, against ipv6/tcp_server.py (dual-stack) or
ipv6-loopback/tcp_server.py, in relay and transparent modes (socket_wrapper, in preload
mode, has no ::1: the connect fails with "Network is unreachable")
Grade with: grader check tcp-lines --client examples/tcp-lines/ipv6 --client-cmd "python3 tcp_client.py ::1 {port}" --server examples/tcp-lines/ipv6/tcp_server.py
"""

import socket
import struct
import sys

# Server address (can be given on the command line)
TCP_HOST = "localhost"
TCP_PORT = 12100
if len(sys.argv) > 1:
    TCP_HOST = sys.argv[1]
if len(sys.argv) > 2:
    TCP_PORT = int(sys.argv[2])


def ask_line_count():
    """Asks for the number of lines; the end of the input counts as 0."""
    while True:
        try:
            text = input("Number of lines to send: ")
        except EOFError:
            return 0
        try:
            count = int(text)
        except ValueError:
            print("Please type a whole number", flush=True)
            continue
        if count < 0 or count > 0xFFFFFFFF:
            print("The number must be between 0 and 4294967295", flush=True)
            continue
        return count


def ask_another():
    """Asks whether to send another file; the end of the input counts as no."""
    try:
        answer = input("Send another file? (y/n): ")
    except EOFError:
        return False
    return answer.strip().lower() in ("y", "yes")


def receive_status(sock):
    """Waits for the server's one-byte answer and tells the user what it was."""
    status = sock.recv(1)
    if status == b"A":
        print("File accepted", flush=True)
    elif status == b"Q":
        print("Server is quitting", flush=True)
    elif status == b"":
        print("Error: the server closed the connection without answering", flush=True)
    else:
        print("Error: unknown status %r from the server" % status, flush=True)
    return status


def tcp_send(server_host, server_port):
    """Sends files over one connection until the user (or the server) quits."""
    # Whatever family the host name has: the first address it resolves to, and only
    # that one ("localhost" is usually ::1 first, then 127.0.0.1).
    family, kind, proto, _, address = socket.getaddrinfo(
        server_host, server_port, socket.AF_UNSPEC, socket.SOCK_STREAM
    )[0]
    sock = socket.socket(family, kind, proto)
    sock.connect(address)
    print("Connected to", (server_host, server_port), flush=True)

    while True:
        count = ask_line_count()
        sock.sendall(struct.pack("!I", count))
        for i in range(1, count + 1):
            try:
                line = input(f"Line {i}: ")
            except EOFError:
                print("Error: the input ended in the middle of a file", flush=True)
                sock.close()
                return 1
            sock.sendall(line.encode("ascii", errors="replace") + b"\n")

        status = receive_status(sock)
        if status == b"Q":
            break
        if status != b"A":
            sock.close()
            return 1

        if not ask_another():
            # A file with zero lines tells the server we are done
            sock.sendall(struct.pack("!I", 0))
            status = receive_status(sock)
            if status != b"Q":
                sock.close()
                return 1
            break

    sock.close()
    print("Connection closed", flush=True)
    return 0


try:
    exit_code = tcp_send(TCP_HOST, TCP_PORT)
except OSError as e:
    # e.g. the server is not running, or it closed the connection in the middle
    print("Error:", e, flush=True)
    exit_code = 1
sys.exit(exit_code)
