"""
UDP_Server.py - rdt 2.2 receiver over UDP (reliable data transfer assignment)

LEGAL VARIANT (no bug): like many course templates, the server sends its ACKs
through a loss simulator, udt_send(), which drops 30% of them on purpose (seeded,
so every run drops the same ones) and still prints "Sent packet" for them: the
client's timer has something to do even on a perfect network. A withheld ACK is a
lost ACK, which rdt 3.0 is built for: the client retransmits, the server sees a
duplicate, re-ACKs it and does not deliver it again.
EXPECTED VERDICT: every check passes; `ack-behaviour` lists the packets that got no
ACK and says where the log claims a "Sent packet" the wire never carried.
GRADE WITH: grader check rdt3 --server examples/rdt3/loss-simulator/UDP_Server.py

Receives the messages sent by UDP_Client.py and follows the rdt 2.2 receiver from
the textbook (rdt 3.0 uses the same receiver): a packet that is not corrupt and has
the expected sequence number is delivered and ACKed, then the expected sequence
number flips; a corrupt packet or a duplicate gets the ACK of the last packet that
was received correctly again (at the start that is the ACK for seq 1).

How to run (runs until you stop it with Ctrl-C):
    python3 UDP_Server.py [PORT]
PORT defaults to 5005. The server listens on 127.0.0.1 and answers each packet to
the address it came from.

Packet format, struct 'I I 8s 32s':
    ack    - 1 for an ACK, 0 for data
    seq    - sequence number, 0 or 1
    data   - 8 bytes of application data (all zero bytes in an ACK)
    chksum - MD5 (32 hex characters) of ack, seq and data packed as 'I I 8s'
"""

import socket
import struct
import hashlib
import random
import sys

# Address to listen on (the port can be given on the command line)
UDP_IP = "127.0.0.1"
UDP_PORT = 5005
if len(sys.argv) > 1:
    UDP_PORT = int(sys.argv[1])

# Our pseudo UDP packet: ack, seq, data, checksum
UDP_Packet_Data = struct.Struct('I I 8s 32s')


def make_checksum(ack, seq, data):
    """MD5 of the ack, seq and data fields, as 32 hex characters (bytes)."""
    values = (ack, seq, data)
    packer = struct.Struct('I I 8s')
    packed_data = packer.pack(*values)
    chksum = bytes(hashlib.md5(packed_data).hexdigest(), encoding="UTF-8")
    return chksum


def packet_to_string(values):
    ack, seq, data, chksum = values
    return "ack=%d seq=%d data=%s chksum=%s" % (ack, seq, data, chksum)


def check_packet(raw):
    """Unpacks a received packet and compares its checksum.

    Returns (values, corrupt). A packet of the wrong size cannot be unpacked,
    so we count it as corrupt and return values = None.
    """
    if len(raw) != UDP_Packet_Data.size:
        print("Received packet of the wrong size (%d bytes): %s" % (len(raw), raw.hex()))
        print("Checksums do not match, packet is corrupt")
        return None, True
    UDP_Packet = UDP_Packet_Data.unpack(raw)
    print("Received packet:", packet_to_string(UDP_Packet))
    chksum = make_checksum(UDP_Packet[0], UDP_Packet[1], UDP_Packet[2])
    if UDP_Packet[3] == chksum:
        print("Checksums match, packet not corrupt")
        return UDP_Packet, False
    print("Checksums do not match, packet is corrupt")
    return UDP_Packet, True


# Loss simulator: the probability that an ACK is lost, and a fixed seed so that
# every run loses the same ACKs.
ACK_LOSS_PROBABILITY = 0.3
random.seed(1)


def udt_send(sock, packet, addr):
    """Unreliable send: loses the packet with probability ACK_LOSS_PROBABILITY."""
    if random.random() < ACK_LOSS_PROBABILITY:
        print("Loss simulator: this ACK is lost")
        return
    sock.sendto(packet, addr)


def send_ack(sock, seq, addr):
    """Sends ACK seq back to whoever sent us the packet (through the loss simulator)."""
    data = b'\x00' * 8  # an ACK carries no data
    chksum = make_checksum(1, seq, data)
    values = (1, seq, data, chksum)
    udt_send(sock, UDP_Packet_Data.pack(*values), addr)
    print("Sent packet:", packet_to_string(values))


# Create the UDP socket and wait for packets
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.bind((UDP_IP, UDP_PORT))
print("UDP server listening on", UDP_IP, UDP_PORT)

expected_seq = 0  # the client starts with seq 0
last_ack_seq = 1  # nothing received yet, so a bad packet gets ACK 1

while True:
    raw, addr = sock.recvfrom(1024)
    UDP_Packet, corrupt = check_packet(raw)

    if not corrupt and UDP_Packet[1] == expected_seq:
        # Good packet with the seq we wanted: deliver it and ACK it
        print("Delivered data:", UDP_Packet[2].decode("utf-8", errors="replace"))
        send_ack(sock, expected_seq, addr)
        last_ack_seq = expected_seq
        expected_seq = 1 - expected_seq
    else:
        # Bad packet or a duplicate: ACK the last packet we got right again
        if not corrupt:
            print("Duplicate packet with seq %d, expecting seq %d" % (UDP_Packet[1], expected_seq))
        send_ack(sock, last_ack_seq, addr)
