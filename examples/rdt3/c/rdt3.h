/* rdt3.h - the packet both programs exchange, struct 'I I 8s 32s' in native order:
 *   ack    - 1 for an ACK, 0 for data
 *   seq    - sequence number, 0 or 1
 *   data   - 8 bytes of application data (all zero bytes in an ACK)
 *   chksum - MD5 (32 hex characters) of ack, seq and data packed as 'I I 8s'
 */
#ifndef RDT3_H
#define RDT3_H
#include <stddef.h>
#include <stdint.h>

struct packet {
    uint32_t ack;
    uint32_t seq;
    char data[8];
    char chksum[32];
};

/* 48 bytes, as Python's struct.Struct('I I 8s 32s').size. */
_Static_assert(sizeof(struct packet) == 48, "the packet has no padding");

void md5_hex(const void *data, size_t len, char out[32]);
/* A packet with its checksum. */
struct packet make_packet(uint32_t ack, uint32_t seq, const char data[8]);
/* Prints "Received packet: ..." and whether the checksum matches; returns 1 when the
 * datagram of len bytes is corrupt (or of the wrong size), else 0 and the packet in *out. */
int check_packet(const unsigned char *raw, long len, struct packet *out);
/* "ack=0 seq=1 data=b'NCC-1422' chksum=b'7b57...'", as the Python examples print it. */
void print_packet(const char *what, const struct packet *p);
#endif
