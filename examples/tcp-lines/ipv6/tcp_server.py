"""
tcp_server.py - the receiving side of "TCP multi-file upload" (the tcp-lines lab), on IPv6

A legal variant of good/tcp_server.py: the same program, listening on an AF_INET6 socket
bound to "::" with IPV6_V6ONLY off, i.e. dual-stack, as a Java ServerSocket or a server
written for IPv6 first does. IPv4 clients (127.0.0.1) and IPv6 clients (::1) both reach it;
an IPv4 peer shows up as ::ffff:127.0.0.1.

Receives files over ONE TCP connection: each a 4-byte big-endian line count, then that
many lines ended by '\n'; saves the k-th as k.txt, answers 'A', and on a zero-line file
answers 'Q', closes and exits.

How to run (start it before tcp_client.py):
    python3 tcp_server.py [PORT]
PORT defaults to 12100. The server listens on [::] (every address, IPv4 and IPv6).

Expected verdict: passes (relay, transparent and preload modes)
Grade with: grader check tcp-lines --server examples/tcp-lines/ipv6/tcp_server.py
"""

import socket
import struct
import sys

# Address to listen on (the port can be given on the command line)
# "::" is every address, IPv6 and (with IPV6_V6ONLY off) IPv4 too
TCP_HOST = "::"
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
# Dual-stack: IPv4 clients reach it too (as ::ffff:127.0.0.1), whatever the system's
# default (net.ipv6.bindv6only) is.
listen_socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
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
