"""
tcp.py - "TCP multi-file upload" (the tcp-lines lab) as the handout's template shapes it:
ONE program that asks which role to play, with its address in constants at the top and
no command-line arguments at all.

    Send or receive files? (s = tcp send, r = tcp receive):

'r' makes it the server: it listens on 127.0.0.1:12100 for one connection, saves the
k-th file as k.txt in the current directory and answers 'A', or 'Q' for the zero-line
file, then closes and exits. 's' makes it the client: it connects to 127.0.0.1:12100 and
asks, for each file, the number of lines and then each line, sending each as soon as it
is typed; after the status it asks whether to send another file (anything but y/yes
sends the zero-line file). The protocol is exactly that of ../good/.

How to run (the receiver first, in two terminals):
    python3 tcp.py      then type r
    python3 tcp.py      then type s, and the lines

Expected verdict: passes, graded unmodified (its address hard-coded) in transparent or
preload mode, with the role typed first:
Grade with: grader check cases/examples/tcp-lines-one-program.yaml
    --client examples/tcp-lines/one-program/tcp.py --server examples/tcp-lines/one-program/tcp.py
"""

import socket
import struct
import sys

# The address both roles use, as the template has it
TCP_HOST = "127.0.0.1"
TCP_PORT = 12100


def next_byte(data_socket):
    """Read the next byte from the socket data_socket (from the template)."""
    return data_socket.recv(1)


def read_byte(data_socket):
    """Like next_byte, but stops with an error if the peer closed the connection."""
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


def tcp_receive(listen_port):
    """The server: receives files over one connection until a zero-line file comes."""
    listen_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listen_socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listen_socket.bind((TCP_HOST, listen_port))
    listen_socket.listen(1)
    print("TCP server listening on", TCP_HOST, listen_port, flush=True)
    data_socket, address = listen_socket.accept()
    print("Connection from", address, flush=True)
    exit_code = 0
    try:
        file_number = 1
        while True:
            count = read_line_count(data_socket)
            if count == 0:
                data_socket.sendall(b"Q")
                print("Received a file with zero lines, quitting", flush=True)
                break
            lines = [read_line(data_socket) for _ in range(count)]
            with open("%d.txt" % file_number, "wb") as f:
                for line in lines:
                    f.write(line + b"\n")
            print("Saved %d.txt (%d lines)" % (file_number, count), flush=True)
            data_socket.sendall(b"A")
            file_number += 1
    except ConnectionError as e:
        print("Error:", e, flush=True)
        exit_code = 1
    data_socket.close()
    listen_socket.close()
    print("Connection closed", flush=True)
    return exit_code


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
        if 0 <= count <= 0xFFFFFFFF:
            return count
        print("The number must be between 0 and 4294967295", flush=True)


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
    else:
        print("Error: the server answered %r" % status, flush=True)
    return status


def tcp_send(server_host, server_port):
    """The client: sends files over one connection until the user (or the server) quits."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.connect((server_host, server_port))
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
            sock.sendall(struct.pack("!I", 0))
            if receive_status(sock) != b"Q":
                sock.close()
                return 1
            break
    sock.close()
    print("Connection closed", flush=True)
    return 0


def main():
    """Asks which role to play, then plays it with the constants above."""
    while True:
        try:
            choice = input("Send or receive files? (s = tcp send, r = tcp receive): ")
        except EOFError:
            return 1
        choice = choice.strip().lower()
        if choice in ("s", "send"):
            return tcp_send(TCP_HOST, TCP_PORT)
        if choice in ("r", "receive"):
            return tcp_receive(TCP_PORT)
        print("Please type s or r", flush=True)


try:
    exit_code = main()
except OSError as e:
    print("Error:", e, flush=True)
    exit_code = 1
sys.exit(exit_code)
