"""
tcp_client.py - the sending side of "TCP multi-file upload" (the tcp-lines lab)

Connects to tcp_server.py once and sends files over that one connection. For each
file it asks how many lines to send, sends that number as a 4-byte big-endian
unsigned integer, then asks for each line and sends it (ended by '\n') as soon as it
is typed. Then it waits for the server's one-byte status: 'A' prints
"File accepted", 'Q' prints "Server is quitting". After an 'A' it asks whether to
send another file; answering anything but y/yes sends a file with zero lines, which
makes the server answer 'Q' and close the connection.

Typing 0 lines (or reaching the end of the input where a number or a y/n answer is
expected) also ends the session.

How to run (start tcp_server.py first; no arguments, the address is fixed below):
    python3 tcp_client.py
It connects to 127.0.0.1:12100. Everything else is typed, e.g.
    printf '3\na\nb\nc\ny\n1\nd\nn\n' | python3 tcp_client.py

Expected verdict: passes (with the hard-coded server: the grader keeps both addresses)
Grade with: grader check tcp-lines --client examples/tcp-lines/hard-coded/tcp_client.py --server examples/tcp-lines/hard-coded/tcp_server.py
"""

import socket
import struct
import sys

# Server address
TCP_HOST = "127.0.0.1"
TCP_PORT = 12100


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
