/* UDP_Client.c - rdt 3.0 sender over UDP (reliable data transfer assignment).
 *
 * Sends three 8-byte messages (NCC-1701, NCC-1422, NCC-1017): the seq alternates 0, 1, 0,
 * every packet carries an MD5 checksum, and a 9 ms timer resends the packet when no good
 * ACK comes back. A corrupt ACK or one for the other seq is ignored, and the timer keeps
 * its original deadline.
 *
 * Usage: ./UDP_Client [HOST] [PORT]   (127.0.0.1 and 5005 by default)
 */
#include <arpa/inet.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include "rdt3.h"

#define TIMEOUT_MS 9.0 /* the 9 ms timer from the handout */

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static void send_packet(int sock, const struct packet *p, const struct sockaddr_in *to) {
    sendto(sock, p, sizeof *p, 0, (const struct sockaddr *)to, sizeof *to);
    print_packet("Sent packet", p);
}

/* Waits until `deadline` for a good ACK of `seq`: 1 when it came, 0 when the timer ran out. */
static int wait_for_ack(int sock, uint32_t seq, double deadline) {
    for (;;) {
        double left = deadline - now_ms();
        if (left <= 0) return 0;
        struct pollfd fd = {.fd = sock, .events = POLLIN};
        /* poll counts whole milliseconds: round up, and check the deadline again after. */
        if (poll(&fd, 1, (int)left + 1) <= 0) {
            if (now_ms() >= deadline) return 0;
            continue;
        }
        unsigned char raw[1024];
        long len = recv(sock, raw, sizeof raw, 0);
        if (len < 0) continue;
        struct packet p;
        if (!check_packet(raw, len, &p) && p.ack == 1 && p.seq == seq) return 1;
        printf("Ignoring this ACK, still waiting for ACK %u\n", seq);
    }
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    const char *host = argc > 1 ? argv[1] : "127.0.0.1";
    int port = argc > 2 ? atoi(argv[2]) : 5005;
    struct sockaddr_in server = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (inet_pton(AF_INET, host, &server.sin_addr) != 1) {
        fprintf(stderr, "not an IPv4 address: %s\n", host);
        return 2;
    }
    int sock = socket(AF_INET, SOCK_DGRAM, 0);
    printf("UDP client sending to %s %d\n", host, port);

    static const char *messages[3] = {"NCC-1701", "NCC-1422", "NCC-1017"};
    uint32_t seq = 0;
    for (int i = 0; i < 3; i++) {
        struct packet p = make_packet(0, seq, messages[i]);
        send_packet(sock, &p, &server);
        double deadline = now_ms() + TIMEOUT_MS; /* start the timer */
        while (!wait_for_ack(sock, seq, deadline)) {
            /* No good ACK in time: resend exactly the same packet and restart the timer. */
            printf("Timer expired, resending packet with seq %u\n", seq);
            send_packet(sock, &p, &server);
            deadline = now_ms() + TIMEOUT_MS;
        }
        printf("ACK %u received, message %s acknowledged\n", seq, messages[i]);
        seq = 1 - seq;
    }
    printf("All messages sent and acknowledged, closing socket\n");
    return 0;
}
