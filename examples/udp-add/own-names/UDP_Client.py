"""
UDP_Client.py - the client for "Adding two numbers" (lab 01, part 3), with a name of its
own and JSON messages

Like good/UDP_Client.py, but the client is called "Alice Liddell" (the handout's
"Client of ..." is an example, not a required phrase) and the request is JSON:
    {"name": "Alice Liddell", "number": 42}
The server answers "NAME|INTEGER" (see own-names/UDP_Server.py); a reply with a newline
instead of the "|" is read too.

How to run (start UDP_Server.py first, with the same port):
    echo 42 | python3 UDP_Client.py 127.0.0.1 5005

Expected verdict: passes
Grade with: grader check udp-add --client examples/udp-add/own-names/UDP_Client.py --server examples/udp-add/own-names/UDP_Server.py
"""

import json
import re
import socket
import sys

UDP_IP = "127.0.0.1"
UDP_PORT = 5005
if len(sys.argv) > 1:
    UDP_IP = sys.argv[1]
if len(sys.argv) > 2:
    UDP_PORT = int(sys.argv[2])

MY_NAME = "Alice Liddell"
REPLY_TIMEOUT = 2.0  # seconds to wait for the server's answer

text = input("Enter an integer between 1 and 100: ")
try:
    my_number = int(text)
except ValueError:
    print("Error: %r is not an integer" % text, flush=True)
    sys.exit(1)

sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.settimeout(REPLY_TIMEOUT)
request = json.dumps({"name": MY_NAME, "number": my_number})
sock.sendto(request.encode("utf-8"), (UDP_IP, UDP_PORT))

try:
    data, addr = sock.recvfrom(1024)
except socket.timeout:
    print("No reply from the server within %g seconds" % REPLY_TIMEOUT, flush=True)
    sock.close()
    sys.exit(0 if my_number < 1 or my_number > 100 else 1)

# Its own server answers "NAME|INTEGER"; other servers use a newline between the two.
reply = re.fullmatch(r"\s*(.*?)\s*[|\n]\s*(-?\d+)\s*", data.decode("utf-8", errors="replace"))
if reply is None:
    print("Error: bad reply from the server:", repr(data), flush=True)
    sock.close()
    sys.exit(1)
server_name, server_number = reply.group(1), int(reply.group(2))

print("I am %s and I asked %s" % (MY_NAME, server_name), flush=True)
print("%d + %d = %d" % (my_number, server_number, my_number + server_number), flush=True)
sock.close()
