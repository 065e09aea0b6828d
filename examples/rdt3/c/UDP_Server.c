/* UDP_Server.c - rdt 2.2 receiver over UDP (reliable data transfer assignment).
 *
 * Receives the client's three messages, delivers each once, in order, and ACKs every
 * packet: a good packet with the expected seq gets its own ACK, a corrupt packet or a
 * duplicate gets the last good packet's ACK again. Runs until killed.
 *
 * Usage: ./UDP_Server [PORT]   (binds 127.0.0.1, port 5005 by default)
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "rdt3.h"

static void send_ack(int sock, uint32_t seq, const struct sockaddr_in *to) {
    static const char none[8] = {0}; /* an ACK carries no data */
    struct packet ack = make_packet(1, seq, none);
    sendto(sock, &ack, sizeof ack, 0, (const struct sockaddr *)to, sizeof *to);
    print_packet("Sent packet", &ack);
}

int main(int argc, char **argv) {
    /* Line by line, so nothing is lost when the server is stopped. */
    setvbuf(stdout, NULL, _IOLBF, 0);
    int port = argc > 1 ? atoi(argv[1]) : 5005;
    int sock = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in me = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, "127.0.0.1", &me.sin_addr);
    if (sock < 0 || bind(sock, (struct sockaddr *)&me, sizeof me) < 0) {
        perror("bind");
        return 1;
    }
    printf("UDP server listening on 127.0.0.1 %d\n", port);

    uint32_t expected_seq = 0; /* the client starts with seq 0 */
    uint32_t last_ack_seq = 1; /* nothing received yet, so a bad packet gets ACK 1 */
    for (;;) {
        unsigned char raw[1024];
        struct sockaddr_in from;
        socklen_t from_len = sizeof from;
        long len = recvfrom(sock, raw, sizeof raw, 0, (struct sockaddr *)&from, &from_len);
        if (len < 0) continue;
        struct packet p;
        int corrupt = check_packet(raw, len, &p);
        if (!corrupt && p.seq == expected_seq) {
            printf("Delivered data: %.8s\n", p.data);
            send_ack(sock, expected_seq, &from);
            last_ack_seq = expected_seq;
            expected_seq = 1 - expected_seq;
        } else {
            if (!corrupt)
                printf("Duplicate packet with seq %u, expecting seq %u\n", p.seq, expected_seq);
            send_ack(sock, last_ack_seq, &from);
        }
    }
}
