"""
UDP_Client.py - the client for "Adding two numbers" (lab 01, part 3)

BUG: the client refuses an integer outside 1..100 itself and never sends it, so the
server is never told to shut down (the handout: "if your server receives an integer
value that is out of range, it should terminate ... You can use this to shut down your
server"). In-range integers work as in good/.
Expected verdict: fails exchange in scenarios out-of-range-0 and out-of-range-101 (the
typed integer never reached the server); the server's shutdown is not judged there, and
`grader batch` grades it with the reference client (the case's `server` role)
Grade with: grader check udp-add --client examples/udp-add/refuses-out-of-range/UDP_Client.py --scenario out-of-range-0

Asks for an integer between 1 and 100, sends it to UDP_Server.py together with the
client's name, waits for the server's reply (its name and its integer) and prints
both names, both integers and their sum. Then it closes the socket and exits.

The client checks the range before sending (that is the bug): typing 0 or 101 prints
an error and exits with status 1.

How to run (start UDP_Server.py first, with the same port):
    python3 UDP_Client.py [HOST] [PORT]
HOST defaults to 127.0.0.1 and PORT to 5005. The integer is typed on the keyboard:
    echo 42 | python3 UDP_Client.py 127.0.0.1 5005

Message format (both directions), UTF-8 text: the name, a newline, the integer.
    e.g. "Client of Ada Lovelace\n42"

Expected verdict: passes
Grade with: grader check udp-add --client examples/udp-add/good/UDP_Client.py
"""

import socket
import sys

# Server address (can be given on the command line)
UDP_IP = "127.0.0.1"
UDP_PORT = 5005
if len(sys.argv) > 1:
    UDP_IP = sys.argv[1]
if len(sys.argv) > 2:
    UDP_PORT = int(sys.argv[2])

CLIENT_NAME = "Client of Ada Lovelace"
REPLY_TIMEOUT = 2.0  # seconds to wait for the server's answer

# Read the number from the keyboard
text = input("Enter an integer between 1 and 100: ")
try:
    client_number = int(text)
except ValueError:
    print("Error: %r is not an integer" % text, flush=True)
    sys.exit(1)
if client_number < 1 or client_number > 100:
    print("Error: %d is not between 1 and 100" % client_number, flush=True)
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
