"""
UDP_Client.py - the client for "Adding two numbers" (lab 01, part 3), any family

A legal variant of good/UDP_Client.py: the same program, except that it resolves the
server's host name with getaddrinfo (IPv4 or IPv6) and sends to the FIRST address it
gets, on a socket of that address's family, which it connects there (so the kernel hands
it only datagrams from that very address). Given "::1" it sends over IPv6 and takes the
reply only from [::1]; given "localhost" it sends to ::1 where /etc/hosts lists that
first (most Linux systems), so a server that listens on 127.0.0.1 only is not found, as
on a real machine.

Asks for an integer between 1 and 100, sends it to the server together with the
client's name, waits for the server's reply (its name and its integer) and prints both
names, both integers and their sum. It does not check the range on purpose: typing 0 or
101 shuts the server down (the server does not answer then, so the client gives up after
2 seconds).

How to run (start the server first, with the same port):
    python3 UDP_Client.py [HOST] [PORT]
HOST defaults to localhost and PORT to 5005, e.g.
    echo 42 | python3 UDP_Client.py ::1 5005

Expected verdict: passes, given ::1, against the reference server and ipv6/UDP_Server.py
(dual-stack) in relay mode (in a private network namespace: on the host's own network
the relay listens on 127.0.0.1 only) and against ipv6/UDP_Server.py in transparent mode
(socket_wrapper, in preload mode, has no ::1)
Grade with: grader check udp-add --client examples/udp-add/ipv6-client --client-cmd "python3 UDP_Client.py ::1 {port}"
"""

import socket
import sys

# Server address (can be given on the command line)
UDP_HOST = "localhost"
UDP_PORT = 5005
if len(sys.argv) > 1:
    UDP_HOST = sys.argv[1]
if len(sys.argv) > 2:
    UDP_PORT = int(sys.argv[2])

CLIENT_NAME = "Client of Ada Lovelace"
REPLY_TIMEOUT = 2.0  # seconds to wait for the server's answer

# Read the number from the keyboard (no range check, see above)
text = input("Enter an integer between 1 and 100: ")
try:
    client_number = int(text)
except ValueError:
    print("Error: %r is not an integer" % text, flush=True)
    sys.exit(1)

# The first address the host name resolves to, IPv4 or IPv6, and a socket of its family
family, kind, proto, _, address = socket.getaddrinfo(
    UDP_HOST, UDP_PORT, type=socket.SOCK_DGRAM)[0]
sock = socket.socket(family, kind, proto)
sock.settimeout(REPLY_TIMEOUT)
# Connected: replies from any other address than the one we send to are not received
sock.connect(address)

message = CLIENT_NAME + "\n" + str(client_number)
sock.send(message.encode("utf-8"))

try:
    data = sock.recv(1024)
except socket.timeout:
    print("No reply from the server within %g seconds" % REPLY_TIMEOUT, flush=True)
    sock.close()
    if client_number < 1 or client_number > 100:
        # Expected: the server shuts down instead of answering
        print("(%d is out of range, so the server should have shut down)" % client_number,
              flush=True)
        sys.exit(0)
    sys.exit(1)

# The reply is "NAME\nINTEGER" too
try:
    server_name, server_text = data.decode("utf-8", errors="replace").split("\n", 1)
    server_number = int(server_text)
except ValueError:
    print("Error: bad reply from the server:", repr(data), flush=True)
    sock.close()
    sys.exit(1)

print("Client name:", CLIENT_NAME, flush=True)
print("Server name:", server_name, flush=True)
print("Client integer:", client_number, flush=True)
print("Server integer:", server_number, flush=True)
print("Sum:", client_number + server_number, flush=True)

sock.close()
