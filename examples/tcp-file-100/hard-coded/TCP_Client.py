"""
TCP_Client.py - the client side of "transfer the same file 100 times over TCP" (CYBR 2159)

Sends the same file to TCP_Server.py one hundred times, with a new (non-persistent)
TCP connection for each transfer: connect, send the whole file, shut down the sending
side (so the server sees the end of the file), wait until the server closes its side,
close. The time of each transfer (connection set-up + data + close) is printed in
milliseconds, and the average at the end.

How to run (start TCP_Server.py first):
    python3 TCP_Client.py HOST [PORT] FILE
HOST must be the server machine's IP address (not 127.0.0.1 or localhost, as the
handout asks), FILE the file to send (in the current directory), always the last
argument; the port is fixed below (31435) and a PORT given is ignored.

Expected verdict: passes (with the hard-coded server: the grader keeps both addresses)
Grade with: grader check tcp-file-100 --client examples/tcp-file-100/hard-coded/TCP_Client.py --server examples/tcp-file-100/hard-coded/TCP_Server.py
"""

import socket
import sys
import time

if len(sys.argv) < 3:
    print("Usage: python3 TCP_Client.py HOST [PORT] FILE", flush=True)
    sys.exit(1)

SERVER_HOST = sys.argv[1]
SERVER_PORT = 31435  # fixed: the port the server listens on
FILE_NAME = sys.argv[-1]
TIMES = 100  # how many times the file is sent
BUFFER_SIZE = 65536


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
for n in range(1, TIMES + 1):
    print("I am sending file “%s” for the %s time" % (FILE_NAME, ordinal(n)), flush=True)
    start = time.perf_counter()
    client_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        client_socket.connect((SERVER_HOST, SERVER_PORT))
        client_socket.sendall(file_data)
        client_socket.shutdown(socket.SHUT_WR)  # tells the server the file is complete
        # Wait for the server to close its side, so the time includes the close
        while client_socket.recv(BUFFER_SIZE):
            pass
    except OSError as e:
        print("Connection error while sending the %s copy: %s" % (ordinal(n), e), flush=True)
    client_socket.close()
    elapsed_ms = (time.perf_counter() - start) * 1000
    times.append(elapsed_ms)

    print("I am finishing sending file “%s” for the %s time" % (FILE_NAME, ordinal(n)), flush=True)
    print("The time used in millisecond to send “%s” for %s time is: %.3f"
          % (FILE_NAME, ordinal(n), elapsed_ms), flush=True)

average_ms = sum(times) / len(times)
print("The average time to send file “%s” in millisecond is: %.3f" % (FILE_NAME, average_ms), flush=True)
print("I am done", flush=True)
