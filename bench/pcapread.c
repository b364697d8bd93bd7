/* bench/pcapread.c - the floor: libpcap's bare read of a capture, nothing decoded.
 *
 * Loops pcap_next_ex() over every record and sums the captured and original lengths (so the
 * loop cannot be optimised away), then prints "packets caplen_bytes wire_bytes". bench/run.sh
 * compiles it with `cc -O2 bench/pcapread.c -lpcap` and times it on the same file as the tasks:
 * no tool that reads the capture through the same kind of file I/O can be faster.
 * Usage: pcapread CAPTURE. Exit status: 0 read to the end, 1 cannot open or read error.
 * pcapread -c BYTES CAPTURE (classic pcap) prints instead how many leading records fit in a file
 * of BYTES bytes (24-byte file header, 16-byte record headers): how run.sh sizes scapy's slice. */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    char err[PCAP_ERRBUF_SIZE];
    struct pcap_pkthdr *h;
    const unsigned char *data;
    unsigned long long n = 0, cap = 0, wire = 0, first = 0;
    pcap_t *p;
    int rc;

    unsigned long long limit = 0, size = 24;

    if (argc == 4 && strcmp(argv[1], "-c") == 0) {
        limit = strtoull(argv[2], NULL, 10);
        argv += 2;
    } else if (argc != 2) {
        fprintf(stderr, "usage: pcapread [-c BYTES] CAPTURE\n");
        return 2;
    }
    p = pcap_open_offline(argv[1], err);
    if (!p) {
        fprintf(stderr, "pcapread: %s\n", err);
        return 1;
    }
    while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
        if (limit) {
            size += 16 + h->caplen;
            if (size > limit)
                break;
        }
        n++;
        cap += h->caplen;
        wire += h->len;
        first += data[0];          /* touch the packet bytes, as any reader must */
    }
    if (rc == PCAP_ERROR) {
        fprintf(stderr, "pcapread: %s: %s\n", argv[1], pcap_geterr(p));
        pcap_close(p);
        return 1;
    }
    pcap_close(p);
    if (limit)
        printf("%llu\n", n);
    else
        printf("%llu %llu %llu %llu\n", n, cap, wire, first);
    return 0;
}
