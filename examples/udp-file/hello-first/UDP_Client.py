"""
UDP_Client.py - the client for "File Transfer" (lab 01, part 4)

A legal variant, with the UDP_Server.py beside it: before its request the client
sends a greeting datagram, HELLO, which the server answers with nothing (it only
prints that a client said hello). The handout asks for "a datagram to the server with
the file name", which is the second one here.

Asks UDP_Server.py for a file: sends HELLO, then the file name in one datagram, then
receives the file in blocks of 2048 bytes and writes them (in binary mode) to a file
with the same name in the current directory. A block shorter than 2048 bytes (possibly
empty) is the last one. Prints how many bytes it received and exits.

How to run (start UDP_Server.py first, with the same port):
    python3 UDP_Client.py FILE [HOST] [PORT]
HOST defaults to 127.0.0.1 and PORT to 5005.

Note: plain UDP has no retransmission, so if a block is lost the copy is wrong, and if
the last block is lost the client keeps waiting for it.

Expected verdict: passes, with its own server (the reference server would take HELLO
for a file name)
Grade with: grader check udp-file --client examples/udp-file/hello-first/UDP_Client.py --server examples/udp-file/hello-first/UDP_Server.py
"""

import os
import socket
import sys

if len(sys.argv) < 2:
    print("Usage: python3 UDP_Client.py FILE [HOST] [PORT]")
    sys.exit(1)

# File to get and server address (from the command line)
file_name = sys.argv[1]
UDP_IP = "127.0.0.1"
UDP_PORT = 5005
if len(sys.argv) > 2:
    UDP_IP = sys.argv[2]
if len(sys.argv) > 3:
    UDP_PORT = int(sys.argv[3])

CHUNK_SIZE = 2048  # from the handout

sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
# The server sends the whole file at once, so give the socket a big receive buffer
# (4 MiB) or blocks get dropped when they arrive faster than we write them.
sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 * 1024 * 1024)

sock.sendto(b"HELLO", (UDP_IP, UDP_PORT))  # say hello first, like the lecture's client
sock.sendto(file_name.encode("utf-8"), (UDP_IP, UDP_PORT))
print("Asked", (UDP_IP, UDP_PORT), "for", file_name, flush=True)

# Save it under the same name here (without any directories in front of it)
out_name = os.path.basename(file_name)
received = 0
blocks = 0
with open(out_name, "wb") as f:
    while True:
        data, addr = sock.recvfrom(CHUNK_SIZE)
        f.write(data)
        received += len(data)
        blocks += 1
        if len(data) < CHUNK_SIZE:
            break  # a short block means the end of the file

sock.close()
print("Received %d bytes in %d blocks, saved as %s" % (received, blocks, out_name), flush=True)
