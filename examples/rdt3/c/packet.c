/* packet.c - building, checking and printing packets, shared by client and server. */
#include <stdio.h>
#include <string.h>
#include "rdt3.h"

struct packet make_packet(uint32_t ack, uint32_t seq, const char data[8]) {
    struct packet p;
    p.ack = ack;
    p.seq = seq;
    memcpy(p.data, data, 8);
    /* The checksum covers ack, seq and data: the packet's first 16 bytes. */
    md5_hex(&p, offsetof(struct packet, chksum), p.chksum);
    return p;
}

/* Python's bytes repr: b'NCC-1701', b'\x00...'. */
static void print_bytes(const char *bytes, size_t len) {
    printf("b'");
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)bytes[i];
        if (c == '\\' || c == '\'') printf("\\%c", c);
        else if (c >= 32 && c < 127) putchar(c);
        else printf("\\x%02x", c);
    }
    printf("'");
}

void print_packet(const char *what, const struct packet *p) {
    printf("%s: ack=%u seq=%u data=", what, p->ack, p->seq);
    print_bytes(p->data, 8);
    printf(" chksum=");
    print_bytes(p->chksum, 32);
    printf("\n");
}

int check_packet(const unsigned char *raw, long len, struct packet *out) {
    if (len != (long)sizeof(struct packet)) {
        printf("Received packet of the wrong size (%ld bytes): ", len);
        for (long i = 0; i < len; i++) printf("%02x", raw[i]);
        printf("\nChecksums do not match, packet is corrupt\n");
        return 1;
    }
    memcpy(out, raw, sizeof *out);
    print_packet("Received packet", out);
    char expected[32];
    md5_hex(out, offsetof(struct packet, chksum), expected);
    if (memcmp(expected, out->chksum, 32) == 0) {
        printf("Checksums match, packet not corrupt\n");
        return 0;
    }
    printf("Checksums do not match, packet is corrupt\n");
    return 1;
}
