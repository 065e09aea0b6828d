"""
UDP_Server.py - the server for "Adding two numbers" (lab 01, part 3), on IPv6

A legal variant of good/UDP_Server.py: the same program, on an AF_INET6 socket bound to
"::" with IPV6_V6ONLY off (dual-stack), so IPv4 clients (127.0.0.1) and IPv6 ones (::1)
both reach it; it answers each at the address the datagram came from.

For each message (the client's name, a newline, an integer) it prints both names, both
integers and the sum, and replies with its own name and integer (57). An out-of-range
integer (not 1..100) makes it close its socket and exit without replying.

How to run (runs until a client sends an out-of-range integer):
    python3 UDP_Server.py [PORT]
PORT defaults to 5005. The server listens on [::] (every address, IPv4 and IPv6).

Expected verdict: passes in relay and transparent modes. Not in preload mode:
socket_wrapper gives an IPv6 socket an address of its own IPv6 network, and the grader
does not carry datagrams between that and an IPv4 client (see the README).
Grade with: grader check udp-add --server examples/udp-add/ipv6/UDP_Server.py
"""

import socket
import sys

# Address to listen on (the port can be given on the command line)
# "::" is every address, IPv6 and (with IPV6_V6ONLY off) IPv4 too
UDP_IP = "::"
UDP_PORT = 5005
if len(sys.argv) > 1:
    UDP_PORT = int(sys.argv[1])

SERVER_NAME = "Server of Ada Lovelace"
SERVER_NUMBER = 57  # the handout says it's fine to use the same number every time


def parse_message(data):
    """Splits a message "NAME\\nINTEGER" into (name, number).

    Raises ValueError if there is no newline or the second part is not an integer.
    """
    text = data.decode("utf-8", errors="replace")
    name, number_text = text.split("\n", 1)  # ValueError if there is no "\n"
    return name, int(number_text)


sock = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
# Dual-stack: IPv4 clients reach it too; their address shows as ::ffff:127.0.0.1.
sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
sock.bind((UDP_IP, UDP_PORT))
print("UDP server listening on", UDP_IP, UDP_PORT, flush=True)

while True:
    data, addr = sock.recvfrom(1024)
    print("Received message from", addr, flush=True)

    try:
        client_name, client_number = parse_message(data)
    except ValueError:
        # Bad message: complain but don't crash, just wait for the next one
        print("Error: the message has no integer:", repr(data), flush=True)
        continue

    # Out of range: release the socket and stop (no reply)
    if client_number < 1 or client_number > 100:
        print("Integer %d is out of range (1-100), shutting down the server" % client_number,
              flush=True)
        break

    print("Client name:", client_name, flush=True)
    print("Server name:", SERVER_NAME, flush=True)
    print("Client integer:", client_number, flush=True)
    print("Server integer:", SERVER_NUMBER, flush=True)
    print("Sum:", client_number + SERVER_NUMBER, flush=True)

    # Reply with our name and our number
    reply = SERVER_NAME + "\n" + str(SERVER_NUMBER)
    sock.sendto(reply.encode("utf-8"), addr)

sock.close()
print("Server socket closed", flush=True)
