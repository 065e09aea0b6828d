"""
UDP_Client.py - the client for "Adding two numbers" (lab 01, part 3)

Asks for an integer between 1 and 100, sends it to UDP_Server.py together with the
client's name, waits for the server's reply (its name and its integer) and prints
both names, both integers and their sum. Then it closes the socket and exits.

The client does not check the range on purpose: typing 0 or 101 shuts the server
down (the server does not answer then, so the client gives up after 2 seconds).

How to run (start UDP_Server.py first; no arguments, the address is fixed below):
    python3 UDP_Client.py
It sends to 127.0.0.1:12000. The integer is typed on the keyboard:
    echo 42 | python3 UDP_Client.py

Message format (both directions), UTF-8 text: the name, a newline, the integer.
    e.g. "Client of Ada Lovelace\n42"

Expected verdict: passes (with the hard-coded server: the grader keeps both addresses)
Grade with: grader check udp-add --client examples/udp-add/hard-coded/UDP_Client.py --server examples/udp-add/hard-coded/UDP_Server.py
"""

import socket
import sys

# Server address
UDP_IP = "127.0.0.1"
UDP_PORT = 12000

CLIENT_NAME = "Client of Ada Lovelace"
REPLY_TIMEOUT = 2.0  # seconds to wait for the server's answer

# Read the number from the keyboard (no range check, see above)
text = input("Enter an integer between 1 and 100: ")
try:
    client_number = int(text)
except ValueError:
    print("Error: %r is not an integer" % text, flush=True)
    sys.exit(1)

sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.settimeout(REPLY_TIMEOUT)

message = CLIENT_NAME + "\n" + str(client_number)
sock.sendto(message.encode("utf-8"), (UDP_IP, UDP_PORT))

try:
    data, addr = sock.recvfrom(1024)
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
