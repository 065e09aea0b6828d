"""
tcp_server.py - the receiving side of "TCP multi-file upload" (the tcp-lines lab), on ::1

A legal variant of good/tcp_server.py: the same program, listening on the IPv6 loopback
"::1" only (an AF_INET6 socket). Only IPv6 clients reach it: a client that dials
127.0.0.1 is refused, one that dials ::1 (or "localhost", where that resolves to ::1
first) gets through.

Receives files over ONE TCP connection: each a 4-byte big-endian line count, then that
many lines ended by '\n'; saves the k-th as k.txt, answers 'A', and on a zero-line file
answers 'Q', closes and exits.

How to run (start it before tcp_client.py):
    python3 tcp_server.py [PORT]
PORT defaults to 12100. The server listens on [::1] only.

Expected verdict: passes in relay mode, and in transparent mode with a client that dials
::1 (ipv6/tcp_client.py given ::1); under preload mode socket_wrapper refuses to bind ::1
(OSError: [Errno 99] Cannot assign requested address), so it cannot be graded there.
Grade with: grader check tcp-lines --server examples/tcp-lines/ipv6-loopback/tcp_server.py
"""

import socket
import struct
import sys

# Address to listen on (the port can be given on the command line)
# The IPv6 loopback only: an IPv4 client (127.0.0.1) finds nobody here
TCP_HOST = "::1"
TCP_PORT = 12100
if len(sys.argv) > 1:
    TCP_PORT = int(sys.argv[1])


def next_byte(data_socket):
    """
    Read the next byte from the socket data_socket (from the template).
    If the byte has not arrived yet, this blocks until it arrives.

    :param data_socket: an open TCP data connection (not the listening socket)
    :return: the next byte, as a bytes object with a single byte in it
    """
    return data_socket.recv(1)


def read_byte(data_socket):
    """Like next_byte, but stops with an error if the client closed the connection."""
    byte = next_byte(data_socket)
    if byte == b"":
        raise ConnectionError("the client closed the connection in the middle of a file")
    return byte


def read_line_count(data_socket):
    """Reads the 4-byte big-endian number of lines that starts every file."""
    raw = b""
    while len(raw) < 4:
        raw += read_byte(data_socket)
    return struct.unpack("!I", raw)[0]


def read_line(data_socket):
    """Reads one line up to its '\\n' and returns it without the '\\n'."""
    line = b""
    while True:
        byte = read_byte(data_socket)
        if byte == b"\n":
            return line
        line += byte


def save_file(file_number, lines):
    """Saves the lines as file_number.txt, each line followed by '\\n'."""
    file_name = "%d.txt" % file_number
    with open(file_name, "wb") as f:
        for line in lines:
            f.write(line + b"\n")
    return file_name


def receive_files(data_socket):
    """Receives files until a zero-line file comes, answering 'A' or 'Q' to each."""
    file_number = 1
    while True:
        count = read_line_count(data_socket)
        if count == 0:
            data_socket.sendall(b"Q")
            print("Received a file with zero lines, quitting", flush=True)
            return
        lines = []
        for i in range(count):
            line = read_line(data_socket)
            print("Line %d: %s" % (i + 1, line.decode("ascii", errors="replace")), flush=True)
            lines.append(line)
        file_name = save_file(file_number, lines)
        print("Saved %s (%d lines)" % (file_name, count), flush=True)
        data_socket.sendall(b"A")
        file_number += 1


listen_socket = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
listen_socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listen_socket.bind((TCP_HOST, TCP_PORT))
listen_socket.listen(1)
print("TCP server listening on", TCP_HOST, TCP_PORT, flush=True)

data_socket, address = listen_socket.accept()
print("Connection from", address, flush=True)
exit_code = 0
try:
    receive_files(data_socket)
except ConnectionError as e:
    print("Error:", e, flush=True)
    exit_code = 1
data_socket.close()
listen_socket.close()
print("Connection closed", flush=True)
sys.exit(exit_code)
