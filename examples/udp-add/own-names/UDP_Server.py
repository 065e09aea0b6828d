"""
UDP_Server.py - the server for "Adding two numbers" (lab 01, part 3), with a name of its
own and its own message format

Like good/UDP_Server.py, but the server is called "Number Cruncher" (the handout's
"Server of ..." is an example, not a required phrase). It reads JSON requests
    {"name": "Alice Liddell", "number": 42}
(or the reference client's "NAME\nINTEGER") and answers "NAME|INTEGER":
    Number Cruncher|57
An integer out of 1-100 shuts it down, as the handout asks.

How to run:
    python3 UDP_Server.py [PORT]

Expected verdict: passes
Grade with: grader check udp-add --client examples/udp-add/own-names/UDP_Client.py --server examples/udp-add/own-names/UDP_Server.py
"""

import json
import socket
import sys

UDP_IP = "127.0.0.1"
UDP_PORT = 5005
if len(sys.argv) > 1:
    UDP_PORT = int(sys.argv[1])

MY_NAME = "Number Cruncher"
MY_NUMBER = 57


def parse(data):
    """(name, number) from a JSON request or a "NAME\\nINTEGER" one; ValueError otherwise."""
    text = data.decode("utf-8", errors="replace")
    try:
        message = json.loads(text)
        return str(message["name"]), int(message["number"])
    except (ValueError, KeyError, TypeError):
        name, number = text.split("\n", 1)
        return name, int(number)


sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.bind((UDP_IP, UDP_PORT))
print("listening on port", UDP_PORT, flush=True)

while True:
    data, addr = sock.recvfrom(1024)
    try:
        client_name, client_number = parse(data)
    except ValueError:
        print("Error: no integer in", repr(data), flush=True)
        continue
    if not 1 <= client_number <= 100:
        print("%d is out of range: shutting down" % client_number, flush=True)
        break
    print("%s sent %d; I am %s and I add %d" % (client_name, client_number, MY_NAME, MY_NUMBER),
          flush=True)
    print("%d + %d = %d" % (client_number, MY_NUMBER, client_number + MY_NUMBER), flush=True)
    sock.sendto(("%s|%d" % (MY_NAME, MY_NUMBER)).encode("utf-8"), addr)

sock.close()
