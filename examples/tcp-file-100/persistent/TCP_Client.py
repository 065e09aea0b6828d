"""
TCP_Client.py - the client side of "transfer the same file 100 times over TCP" (CYBR 2159)

BUG: the client opens ONE connection and sends the file 100 times over it (a
persistent connection), shutting it down only after the 100th copy. The handout asks
for a non-persistent connection: a new one per transfer. The server sees a single
transfer holding 100 copies glued together, and then waits for 99 more connections
that never come.
Expected verdict: fails connections in scenario file-100kib
Grade with: grader check tcp-file-100 --client examples/tcp-file-100/persistent/TCP_Client.py --scenario file-100kib

Sends the same file to TCP_Server.py one hundred times over one TCP connection:
connect once, send the whole file 100 times, then shut down the sending side (so the
server sees the end), wait until the server closes its side, close. The time of each
send is printed in milliseconds, and the average at the end.

How to run (start TCP_Server.py first, with the same port):
    python3 TCP_Client.py HOST PORT FILE
HOST must be the server machine's IP address (not 127.0.0.1 or localhost, as the
handout asks), FILE the file to send (in the current directory).
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

# One connection for all the transfers
client_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
client_socket.connect((SERVER_HOST, SERVER_PORT))

times = []
for n in range(1, TIMES + 1):
    print("I am sending file “%s” for the %s time" % (FILE_NAME, ordinal(n)), flush=True)
    start = time.perf_counter()
    try:
        client_socket.sendall(file_data)
    except OSError as e:
        print("Connection error while sending the %s copy: %s" % (ordinal(n), e), flush=True)
    elapsed_ms = (time.perf_counter() - start) * 1000
    times.append(elapsed_ms)

    print("I am finishing sending file “%s” for the %s time" % (FILE_NAME, ordinal(n)), flush=True)
    print("The time used in millisecond to send “%s” for %s time is: %.3f"
          % (FILE_NAME, ordinal(n), elapsed_ms), flush=True)

client_socket.shutdown(socket.SHUT_WR)  # tells the server we are done
# Wait for the server to close its side
while client_socket.recv(BUFFER_SIZE):
    pass
client_socket.close()

average_ms = sum(times) / len(times)
print("The average time to send file “%s” in millisecond is: %.3f" % (FILE_NAME, average_ms), flush=True)
print("I am done", flush=True)
