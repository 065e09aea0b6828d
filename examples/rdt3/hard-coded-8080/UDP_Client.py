"""
UDP_Client.py - rdt 3.0 sender over UDP (reliable data transfer assignment)

Sends three 8-byte messages (NCC-1701, NCC-1422, NCC-1017) to UDP_Server.py using the
rdt 3.0 sender from the textbook: the sequence number alternates 0, 1, 0, every packet
carries an MD5 checksum, and a 9 ms timer resends the packet when no good ACK comes back.

How to run (start UDP_Server.py first; no arguments, the address is fixed below):
    python3 UDP_Client.py
It sends to 127.0.0.1:8080 from a port the system picks and exits after the third ACK.

Packet format, struct 'I I 8s 32s':
    ack    - 1 for an ACK, 0 for data
    seq    - sequence number, 0 or 1
    data   - 8 bytes of application data
    chksum - MD5 (32 hex characters) of ack, seq and data packed as 'I I 8s'
"""

import socket
import struct
import hashlib
import time

# Server address
UDP_IP = "127.0.0.1"
UDP_PORT = 8080

TIMEOUT = 0.009  # the 9 ms timer from the handout

# The three messages we have to deliver
MESSAGES = [b'NCC-1701', b'NCC-1422', b'NCC-1017']

# Our pseudo UDP packet: ack, seq, data, checksum
UDP_Packet_Data = struct.Struct('I I 8s 32s')


def make_checksum(ack, seq, data):
    """MD5 of the ack, seq and data fields, as 32 hex characters (bytes)."""
    values = (ack, seq, data)
    packer = struct.Struct('I I 8s')
    packed_data = packer.pack(*values)
    chksum = bytes(hashlib.md5(packed_data).hexdigest(), encoding="UTF-8")
    return chksum


def make_packet(ack, seq, data):
    """Builds a packet with its checksum, ready to send."""
    chksum = make_checksum(ack, seq, data)
    values = (ack, seq, data, chksum)
    return UDP_Packet_Data.pack(*values), values


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


def send_packet(sock, packet, values):
    sock.sendto(packet, (UDP_IP, UDP_PORT))
    print("Sent packet:", packet_to_string(values))


def wait_for_ack(sock, seq, deadline):
    """Waits until the timer runs out for a good ACK with this seq.

    Returns True when the ACK arrived, False when the timer expired. A corrupt
    ACK or an ACK for the other seq is ignored (rdt 3.0), and we keep waiting
    only for the time that is left on the timer, not a fresh 9 ms.
    """
    while True:
        time_left = deadline - time.monotonic()
        if time_left <= 0:
            return False
        sock.settimeout(time_left)
        try:
            reply, addr = sock.recvfrom(1024)
        except socket.timeout:
            return False
        UDP_Packet, corrupt = check_packet(reply)
        if not corrupt and UDP_Packet[0] == 1 and UDP_Packet[1] == seq:
            return True
        print("Ignoring this ACK, still waiting for ACK %d" % seq)


# Create the UDP socket
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
print("UDP client sending to", UDP_IP, UDP_PORT)

seq = 0
for message in MESSAGES:
    packet, values = make_packet(0, seq, message)
    send_packet(sock, packet, values)
    deadline = time.monotonic() + TIMEOUT  # start the timer

    while not wait_for_ack(sock, seq, deadline):
        # No good ACK in time: resend exactly the same packet and restart the timer
        print("Timer expired, resending packet with seq %d" % seq)
        send_packet(sock, packet, values)
        deadline = time.monotonic() + TIMEOUT

    print("ACK %d received, message %s acknowledged" % (seq, message.decode()))
    seq = 1 - seq  # alternate the sequence number

print("All messages sent and acknowledged, closing socket")
sock.close()
