"""
UDP_Server.py - the server for "Adding two numbers" (lab 01, part 3)

Waits for messages from UDP_Client.py. Each message holds the client's name and an
integer. For each message the server prints the client's name, its own name, the
client's integer, its own integer (always 57) and the sum, then replies with its
own name and its integer.

If the client's integer is out of range (not between 1 and 100) the server does not
reply: it closes its socket and exits. That is how you shut it down.
A message without an integer is reported and ignored; the server keeps running.

How to run (runs until a client sends an out-of-range integer; no arguments, the
address is fixed below):
    python3 UDP_Server.py
The server listens on 127.0.0.1:12000.

Message format (both directions), UTF-8 text: the name, a newline, the integer.
    e.g. "Client of Ada Lovelace\n42"

Expected verdict: passes (graded in transparent mode, or preload without namespaces:
the grader sees it bind 12000 instead of the port it was given)
Grade with: grader check udp-add --client examples/udp-add/hard-coded/UDP_Client.py --server examples/udp-add/hard-coded/UDP_Server.py
"""

import socket

# Address to listen on
UDP_IP = "127.0.0.1"
UDP_PORT = 12000

SERVER_NAME = "Server of Ada Lovelace"
SERVER_NUMBER = 57  # the handout says it's fine to use the same number every time


def parse_message(data):
    """Splits a message "NAME\\nINTEGER" into (name, number).

    Raises ValueError if there is no newline or the second part is not an integer.
    """
    text = data.decode("utf-8", errors="replace")
    name, number_text = text.split("\n", 1)  # ValueError if there is no "\n"
    return name, int(number_text)


sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
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
