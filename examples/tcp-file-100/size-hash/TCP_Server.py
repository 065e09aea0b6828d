"""
TCP_Server.py - the server side of "transfer the same file 100 times over TCP" (CYBR 2159)

LEGAL VARIANT of good/: the pair speaks a protocol of its own design, as the handout asks.
Each connection carries the file's size (8 bytes, network order), the file, then its
SHA-256 digest (32 bytes), sent by this folder's TCP_Client.py; the server answers "OK" if
the digest matches what it received, "BAD" if not, and closes.

Receives the same file from TCP_Client.py one hundred times, over a new (non-persistent)
TCP connection each time. For every transfer it reads the size, the file and the digest,
answers, stores the copy under a new name (received_1_FILE,
received_2_FILE, ...), closes the connection and compares the copy with the standard
file, which must already be in the server's directory. It prints the lines the handout
asks for, with the time of each transfer in milliseconds (from the moment the
connection is accepted until it is closed), and at the end the average time, the
number of incorrect transfers and the error rate.

How to run (start it before TCP_Client.py):
    python3 TCP_Server.py PORT FILE
FILE is the standard file (in the current directory). The server listens on all the
addresses of the machine (''), so the client can use the machine's real IP address.
It exits after the 100th transfer.

Expected verdict: passes (with this folder's TCP_Client.py)
Grade with: grader check tcp-file-100 --client examples/tcp-file-100/size-hash/TCP_Client.py --server examples/tcp-file-100/size-hash/TCP_Server.py
"""

import hashlib
import os
import socket
import struct
import sys
import time

if len(sys.argv) < 3:
    print("Usage: python3 TCP_Server.py PORT FILE", flush=True)
    sys.exit(1)

SERVER_PORT = int(sys.argv[1])
FILE_NAME = sys.argv[2]
TIMES = 100  # how many times the file is sent
BUFFER_SIZE = 65536


def ordinal(n):
    """1 -> '1st', 2 -> '2nd', 3 -> '3rd', 4 -> '4th', 11 -> '11th', 21 -> '21st', ..."""
    if 10 <= n % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return str(n) + suffix


def receive_exactly(connection, count):
    """Reads exactly count bytes (fewer if the client stops early)."""
    chunks = []
    got = 0
    while got < count:
        data = connection.recv(min(BUFFER_SIZE, count - got))
        if not data:
            break
        chunks.append(data)
        got += len(data)
    return b"".join(chunks)


# The standard file, to compare every copy with
with open(FILE_NAME, "rb") as f:
    standard_data = f.read()

server_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server_socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server_socket.bind(("", SERVER_PORT))
server_socket.listen(5)
print("I am ready for any client side request", flush=True)

times = []
incorrect = 0
for n in range(1, TIMES + 1):
    connection, address = server_socket.accept()
    start = time.perf_counter()
    print("I am starting receiving file “%s” for the %s time" % (FILE_NAME, ordinal(n)), flush=True)

    # The size, exactly that many bytes of file, then the digest
    received = b""
    received_ok = True
    try:
        (size,) = struct.unpack("!Q", receive_exactly(connection, 8))
        received = receive_exactly(connection, size)
        digest = receive_exactly(connection, 32)
        received_ok = hashlib.sha256(received).digest() == digest
        connection.sendall(b"OK" if received_ok else b"BAD")
    except OSError as e:
        print("Connection error while receiving the %s copy: %s" % (ordinal(n), e), flush=True)
        received_ok = False

    # Store this copy under its own name
    copy_name = "received_%d_%s" % (n, os.path.basename(FILE_NAME))
    with open(copy_name, "wb") as f:
        f.write(received)

    connection.close()
    elapsed_ms = (time.perf_counter() - start) * 1000
    times.append(elapsed_ms)

    # A copy is incorrect if the connection broke or it differs from the standard file
    if not received_ok or received != standard_data:
        incorrect += 1

    print("I am finishing receiving file “%s” for the %s time" % (FILE_NAME, ordinal(n)), flush=True)
    print("The time used in millisecond to receive “%s” for %s time is: %.3f"
          % (FILE_NAME, ordinal(n), elapsed_ms), flush=True)

average_ms = sum(times) / len(times)
print("The average time to receive file “%s” in millisecond is: %.3f" % (FILE_NAME, average_ms), flush=True)
print("The number of incorrect transfers is: %d" % incorrect, flush=True)
print("The error rate is: %g%%" % (incorrect * 100 / TIMES), flush=True)
print("I am done", flush=True)
server_socket.close()
