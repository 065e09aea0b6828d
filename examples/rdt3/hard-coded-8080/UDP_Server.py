"""
UDP_Server.py - rdt 2.2 receiver over UDP (reliable data transfer assignment)

Receives the messages sent by UDP_Client.py and follows the rdt 2.2 receiver from
the textbook (rdt 3.0 uses the same receiver): a packet that is not corrupt and has
the expected sequence number is delivered and ACKed, then the expected sequence
number flips; a corrupt packet or a duplicate gets the ACK of the last packet that
was received correctly again (at the start that is the ACK for seq 1).

How to run (runs until you stop it with Ctrl-C; no arguments, the address is fixed below):
    python3 UDP_Server.py
The server listens on 127.0.0.1:8080 and answers each packet to the address it came
from.

Packet format, struct 'I I 8s 32s':
    ack    - 1 for an ACK, 0 for data
    seq    - sequence number, 0 or 1
    data   - 8 bytes of application data (all zero bytes in an ACK)
    chksum - MD5 (32 hex characters) of ack, seq and data packed as 'I I 8s'
"""

import socket
import struct
import hashlib

# Address to listen on
UDP_IP = "127.0.0.1"
UDP_PORT = 8080

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


def send_ack(sock, seq, addr):
    """Sends ACK seq back to whoever sent us the packet."""
    data = b'\x00' * 8  # an ACK carries no data
    chksum = make_checksum(1, seq, data)
    values = (1, seq, data, chksum)
    sock.sendto(UDP_Packet_Data.pack(*values), addr)
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
