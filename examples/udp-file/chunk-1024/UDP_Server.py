"""
UDP_Server.py - the server for "File Transfer" (lab 01, part 4)

BUG: the chunk size is 1024 bytes (the buffer size of the lecture's UDPserver.py)
instead of the 2048 of the handout. The server is consistent with itself (it ends
with a chunk shorter than 1024, or an empty one), but the client expects 2048-byte
blocks: the very first 1024-byte block looks short to it, so it stops after 1024
bytes.
Expected verdict: fails block-sizes in scenario size-4096
Grade with: grader check udp-file --server examples/udp-file/chunk-1024/UDP_Server.py --scenario size-4096

Waits for a datagram holding a file name, then sends that file (from the directory
the server runs in) to whoever asked, in chunks of 1024 bytes. The client knows the
file has ended when a chunk is shorter than 1024 bytes, so when the file size is a
multiple of 1024 (an empty file too) the server sends one more, empty, datagram at
the end. If the file cannot be opened the server prints an error and sends just the
empty datagram. Then it waits for the next request.

How to run (runs until you stop it with Ctrl-C):
    python3 UDP_Server.py [PORT]
PORT defaults to 5005. The server listens on 127.0.0.1 and serves the files in its
current directory.
"""

import socket
import sys

# Address to listen on (the port can be given on the command line)
UDP_IP = "127.0.0.1"
UDP_PORT = 5005
if len(sys.argv) > 1:
    UDP_PORT = int(sys.argv[1])

CHUNK_SIZE = 1024


def send_file(sock, file_name, addr):
    """Sends the file in CHUNK_SIZE pieces, ending with a short (maybe empty) one."""
    try:
        f = open(file_name, "rb")
    except OSError as e:
        print("Error: cannot open %r: %s" % (file_name, e), flush=True)
        sock.sendto(b"", addr)  # an empty chunk tells the client there is nothing
        return

    total = 0
    with f:
        while True:
            chunk = f.read(CHUNK_SIZE)
            sock.sendto(chunk, addr)
            total += len(chunk)
            if len(chunk) < CHUNK_SIZE:
                # This was the last chunk (short or empty), so the client stops here
                break
    print("Sent %r: %d bytes" % (file_name, total), flush=True)


sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.bind((UDP_IP, UDP_PORT))
print("UDP server listening on", UDP_IP, UDP_PORT, flush=True)

while True:
    data, addr = sock.recvfrom(1024)
    file_name = data.decode("utf-8", errors="replace").strip()
    print("Request for %r from %s" % (file_name, addr), flush=True)
    try:
        send_file(sock, file_name, addr)
    except OSError as e:
        # e.g. the client went away in the middle; keep serving the others
        print("Error while sending %r: %s" % (file_name, e), flush=True)
