"""
TCP_Client.py - the client side of "transfer the same file 100 times over TCP" (CYBR 2159)

LEGAL VARIANT of good/: the client opens its connections twenty at a time, all twenty
connects in a row (within about a millisecond), then sends the file on each in turn and
closes it without waiting for the server. Every transfer still has a connection of its
own; the server (listen-1/TCP_Server.py, whose queue holds one waiting connection) takes
them one at a time, in the order they were opened.

Sends the same file to TCP_Server.py one hundred times, with a new (non-persistent)
TCP connection for each transfer. The time of each transfer (connection set-up + data + close) is printed in
milliseconds, and the average at the end.

How to run (start TCP_Server.py first, with the same port):
    python3 TCP_Client.py HOST PORT FILE
HOST must be the server machine's IP address (not 127.0.0.1 or localhost, as the
handout asks), FILE the file to send (in the current directory).

Expected verdict: passes (with listen-1/TCP_Server.py)
Grade with: grader check tcp-file-100 --client examples/tcp-file-100/burst-20/TCP_Client.py --server examples/tcp-file-100/listen-1/TCP_Server.py
"""

import socket
import sys
import time

if len(sys.argv) < 4:
    print("Usage: python3 TCP_Client.py HOST PORT FILE", flush=True)
    sys.exit(1)

SERVER_HOST = sys.argv[1]
SERVER_PORT = int(sys.argv[2])
FILE_NAME = sys.argv[3]
TIMES = 100  # how many times the file is sent
BURST = 20  # connections opened at once


def ordinal(n):
    """1 -> '1st', 2 -> '2nd', 3 -> '3rd', 4 -> '4th', 11 -> '11th', 21 -> '21st', ..."""
    if 10 <= n % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return str(n) + suffix


with open(FILE_NAME, "rb") as f:
    file_data = f.read()

print("I am connecting to server side: %s" % SERVER_HOST, flush=True)

times = []
for first in range(1, TIMES + 1, BURST):
    # Open the next twenty connections at once, each with the time it was started
    burst = []
    for n in range(first, min(first + BURST, TIMES + 1)):
        start = time.perf_counter()
        client_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            client_socket.connect((SERVER_HOST, SERVER_PORT))
        except OSError as e:
            print("Connection error while connecting for the %s copy: %s" % (ordinal(n), e), flush=True)
        burst.append((n, start, client_socket))
    # Then send the file on each in turn
    for n, start, client_socket in burst:
        print("I am sending file “%s” for the %s time" % (FILE_NAME, ordinal(n)), flush=True)
        try:
            client_socket.sendall(file_data)
        except OSError as e:
            print("Connection error while sending the %s copy: %s" % (ordinal(n), e), flush=True)
        client_socket.close()  # the server reads the end of the file
        elapsed_ms = (time.perf_counter() - start) * 1000
        times.append(elapsed_ms)

        print("I am finishing sending file “%s” for the %s time" % (FILE_NAME, ordinal(n)), flush=True)
        print("The time used in millisecond to send “%s” for %s time is: %.3f"
              % (FILE_NAME, ordinal(n), elapsed_ms), flush=True)

average_ms = sum(times) / len(times)
print("The average time to send file “%s” in millisecond is: %.3f" % (FILE_NAME, average_ms), flush=True)
print("I am done", flush=True)
