"""
tcp_server.py - the receiving side of "TCP multi-file upload" (the tcp-lines lab)

Listens for ONE TCP connection and receives files over it, one after the other. Each
file is a message: a 4-byte big-endian unsigned number N (the number of lines), then N
lines of ASCII text, each ended by '\n'. TCP is a byte stream, so the server reads the
count and the lines a byte at a time with next_byte() (from the handout's template),
whatever way the bytes were cut into segments.

The k-th file is saved as k.txt (1.txt, 2.txt, ...) in the current directory, each
line followed by '\n' (files from an earlier run are overwritten), and the server
answers the single byte 'A' (accepted). A file with zero lines means the client is
done: the server answers 'Q' (quitting), closes the connection and the listening
socket, and exits.

How to run (start it before tcp_client.py; no arguments, the address is fixed below):
    python3 tcp_server.py
The server listens on 127.0.0.1:12100.

Expected verdict: passes (graded in transparent mode, or preload without namespaces:
the grader sees it listen on 12100 instead of the port it was given)
Grade with: grader check tcp-lines --client examples/tcp-lines/hard-coded/tcp_client.py --server examples/tcp-lines/hard-coded/tcp_server.py
"""

import socket
import struct
import sys

# Address to listen on
TCP_HOST = "127.0.0.1"
TCP_PORT = 12100


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


listen_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
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
