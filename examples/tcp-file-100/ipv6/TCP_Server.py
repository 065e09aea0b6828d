"""
TCP_Server.py - the server side of "transfer the same file 100 times over TCP", on IPv6

A legal variant of good/TCP_Server.py: the same program, listening on an AF_INET6 socket
bound to "::" with IPV6_V6ONLY off (dual-stack), as a Java ServerSocket does, so that
clients reach it over IPv4 (at the machine's real IPv4 address, as the handout asks) and
over IPv6 alike.

Receives the same file from TCP_Client.py one hundred times, over a new TCP connection
each time; stores each copy as received_N_FILE, compares it with the standard file, and
prints each transfer's time, the average, the number of incorrect transfers and the
error rate.

How to run (start it before TCP_Client.py):
    python3 TCP_Server.py PORT FILE
FILE is the standard file (in the current directory). It exits after the 100th transfer.

Expected verdict: passes (relay, transparent and preload modes)
Grade with: grader check tcp-file-100 --server examples/tcp-file-100/ipv6/TCP_Server.py
"""

import os
import socket
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


# The standard file, to compare every copy with
with open(FILE_NAME, "rb") as f:
    standard_data = f.read()

server_socket = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
server_socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
# Dual-stack: IPv4 clients reach it too (their address shows as ::ffff:a.b.c.d).
server_socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
server_socket.bind(("::", SERVER_PORT))
server_socket.listen(5)
print("I am ready for any client side request", flush=True)

times = []
incorrect = 0
for n in range(1, TIMES + 1):
    connection, address = server_socket.accept()
    start = time.perf_counter()
    print("I am starting receiving file “%s” for the %s time" % (FILE_NAME, ordinal(n)), flush=True)

    # Read until the client shuts down its side (recv returns b'')
    chunks = []
    received_ok = True
    try:
        while True:
            data = connection.recv(BUFFER_SIZE)
            if not data:
                break
            chunks.append(data)
    except OSError as e:
        print("Connection error while receiving the %s copy: %s" % (ordinal(n), e), flush=True)
        received_ok = False
    received = b"".join(chunks)

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
