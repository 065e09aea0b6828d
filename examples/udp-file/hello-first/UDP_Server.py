"""
UDP_Server.py - the server for "File Transfer" (lab 01, part 4)

A legal variant, with the UDP_Client.py beside it: a datagram that says HELLO is a
client greeting it; the server prints that and waits for the request that follows.

Waits for a datagram holding a file name, then sends that file (from the directory
the server runs in) to whoever asked, in chunks of 2048 bytes. The client knows the
file has ended when a chunk is shorter than 2048 bytes, so when the file size is a
multiple of 2048 (an empty file too) the server sends one more, empty, datagram at
the end. If the file cannot be opened the server prints an error and sends just the
empty datagram. Then it waits for the next request.

How to run (runs until you stop it with Ctrl-C):
    python3 UDP_Server.py [PORT]
PORT defaults to 5005. The server listens on 127.0.0.1 and serves the files in its
current directory.

Expected verdict: passes, with its own client (or the reference client, which sends no HELLO)
Grade with: grader check udp-file --client examples/udp-file/hello-first/UDP_Client.py --server examples/udp-file/hello-first/UDP_Server.py
"""

import socket
import sys

# Address to listen on (the port can be given on the command line)
UDP_IP = "127.0.0.1"
UDP_PORT = 5005
if len(sys.argv) > 1:
    UDP_PORT = int(sys.argv[1])

CHUNK_SIZE = 2048  # from the handout


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
    if data == b"HELLO":
        print("A client said hello from", addr, flush=True)
        continue
    file_name = data.decode("utf-8", errors="replace").strip()
    print("Request for %r from %s" % (file_name, addr), flush=True)
    try:
        send_file(sock, file_name, addr)
    except OSError as e:
        # e.g. the client went away in the middle; keep serving the others
        print("Error while sending %r: %s" % (file_name, e), flush=True)
