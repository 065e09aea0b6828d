"""
UDP_Server.py - the server for "Adding two numbers" (lab 01, part 3), two datagrams

A legal variant of good/UDP_Server.py: each request is two datagrams, the client's name
and then its integer, and the server answers the same way, its name and then its
integer (the handout does not say how many datagrams make a message). For each request
it prints the client's name, its own name, both integers and the sum.

If the client's integer is out of range (not between 1 and 100) the server does not
reply: it closes its socket and exits. That is how you shut it down. A second datagram
that is not an integer is reported and the request dropped; the server keeps running.

Expected verdict: passes (every check)
Grade with: grader check udp-add --client examples/udp-add/two-datagrams/UDP_Client.py --server examples/udp-add/two-datagrams/UDP_Server.py

How to run (runs until a client sends an out-of-range integer):
    python3 UDP_Server.py [PORT]
PORT defaults to 5005. The server listens on 127.0.0.1.
"""

import socket
import sys

UDP_IP = "127.0.0.1"
UDP_PORT = 5005
if len(sys.argv) > 1:
    UDP_PORT = int(sys.argv[1])

SERVER_NAME = "Server of Grace Hopper"
SERVER_NUMBER = 33  # the handout says it's fine to use the same number every time

sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.bind((UDP_IP, UDP_PORT))
print("UDP server listening on", UDP_IP, UDP_PORT, flush=True)

while True:
    # A request is two datagrams: the name, then the number
    name_data, addr = sock.recvfrom(1024)
    number_data, addr = sock.recvfrom(1024)
    client_name = name_data.decode("utf-8", errors="replace")

    try:
        client_number = int(number_data.decode("utf-8", errors="replace"))
    except ValueError:
        print("Error: expected an integer, got", repr(number_data), flush=True)
        continue

    if client_number < 1 or client_number > 100:
        print("Got %d, which is out of range: shutting down" % client_number, flush=True)
        break

    print("Client's name:", client_name, flush=True)
    print("Server's name:", SERVER_NAME, flush=True)
    print("Client's number:", client_number, flush=True)
    print("Server's number:", SERVER_NUMBER, flush=True)
    print("Sum:", client_number + SERVER_NUMBER, flush=True)

    # The answer, the same way: the name, then the number
    sock.sendto(SERVER_NAME.encode("utf-8"), addr)
    sock.sendto(str(SERVER_NUMBER).encode("utf-8"), addr)

sock.close()
print("Server socket closed", flush=True)
