"""
UDP_Client.py - the client for "Adding two numbers" (lab 01, part 3), two datagrams

A legal variant of good/UDP_Client.py: the handout asks for "a message ... containing
(i) a string containing your name ... and (ii) the entered integer value" without saying
how many datagrams make the message, so this client sends its name and its integer as
two datagrams, and reads the server's reply the same way (the name, then the integer).
Paired with two-datagrams/UDP_Server.py, which speaks the same protocol.

Expected verdict: passes (every check)
Grade with: grader check udp-add --client examples/udp-add/two-datagrams/UDP_Client.py --server examples/udp-add/two-datagrams/UDP_Server.py

How to run (start UDP_Server.py first, with the same port):
    python3 UDP_Client.py [HOST] [PORT]
HOST defaults to 127.0.0.1 and PORT to 5005. The integer is typed on the keyboard:
    echo 42 | python3 UDP_Client.py 127.0.0.1 5005

Messages (both directions), UTF-8 text, one datagram each:
    the name ("Client of Grace Hopper"), then the integer ("42")

The client does not check the range on purpose: typing 0 or 101 shuts the server
down (the server does not answer then, so the client gives up after 2 seconds).
"""

import socket
import sys

UDP_IP = "127.0.0.1"
UDP_PORT = 5005
if len(sys.argv) > 1:
    UDP_IP = sys.argv[1]
if len(sys.argv) > 2:
    UDP_PORT = int(sys.argv[2])

CLIENT_NAME = "Client of Grace Hopper"
REPLY_TIMEOUT = 2.0  # seconds to wait for each part of the answer

text = input("Enter an integer between 1 and 100: ")
try:
    client_number = int(text)
except ValueError:
    print("Error: %r is not an integer" % text, flush=True)
    sys.exit(1)

sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.settimeout(REPLY_TIMEOUT)

# First the name, then the number: two datagrams
sock.sendto(CLIENT_NAME.encode("utf-8"), (UDP_IP, UDP_PORT))
sock.sendto(str(client_number).encode("utf-8"), (UDP_IP, UDP_PORT))

try:
    name_data, addr = sock.recvfrom(1024)
    number_data, addr = sock.recvfrom(1024)
except socket.timeout:
    print("No reply from the server within %g seconds" % REPLY_TIMEOUT, flush=True)
    sock.close()
    if client_number < 1 or client_number > 100:
        print("(%d is out of range, so the server should have shut down)" % client_number,
              flush=True)
        sys.exit(0)
    sys.exit(1)

server_name = name_data.decode("utf-8", errors="replace")
try:
    server_number = int(number_data.decode("utf-8", errors="replace"))
except ValueError:
    print("Error: the server's second datagram is not an integer:", repr(number_data),
          flush=True)
    sock.close()
    sys.exit(1)

print("My name:", CLIENT_NAME, flush=True)
print("Server's name:", server_name, flush=True)
print("My number:", client_number, flush=True)
print("Server's number:", server_number, flush=True)
print("Sum:", client_number + server_number, flush=True)

sock.close()
