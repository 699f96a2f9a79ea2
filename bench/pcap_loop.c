/*
 * pcap_loop: the floor of any libpcap-based reader. It reads a capture
 * with pcap_next_ex and touches each packet's headers (the ethertype and
 * the IP protocol byte), so that netspot's throughput can be compared with
 * the cost of reading alone. Prints one line:
 *
 *   FILE: N packets in S s, P packets/s (checksum C)
 *
 * Usage: pcap_loop FILE
 * Exit status: 0, 1 when the file cannot be read, 2 on bad usage.
 */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

static double now_seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Ethertype plus the IP protocol (IPv4) or next header (IPv6) byte, read
 * the way a decoder would: past one optional 802.1Q tag. */
static unsigned touch(const uint8_t *p, uint32_t caplen)
{
    uint32_t off = 12;
    unsigned type;

    if (caplen < 14)
        return 0;
    type = (unsigned)p[off] << 8 | p[off + 1];
    if (type == 0x8100 && caplen >= 18) {
        off += 4;
        type = (unsigned)p[off] << 8 | p[off + 1];
    }
    off += 2;
    if (type == 0x0800 && caplen > off + 9)
        return type + p[off + 9];
    if (type == 0x86dd && caplen > off + 6)
        return type + p[off + 6];
    return type;
}

int main(int argc, char **argv)
{
    char errbuf[PCAP_ERRBUF_SIZE];
    struct pcap_pkthdr *hdr;
    const uint8_t *data;
    uint64_t packets = 0, sum = 0;
    double start, elapsed;
    pcap_t *pcap;
    int rc;

    if (argc != 2) {
        fprintf(stderr, "usage: pcap_loop FILE\n");
        return 2;
    }
    pcap = pcap_open_offline(argv[1], errbuf);
    if (pcap == NULL) {
        fprintf(stderr, "pcap_loop: %s\n", errbuf);
        return 1;
    }

    start = now_seconds();
    while ((rc = pcap_next_ex(pcap, &hdr, &data)) == 1) {
        sum += touch(data, hdr->caplen);
        packets++;
    }
    elapsed = now_seconds() - start;

    if (rc == PCAP_ERROR) {
        fprintf(stderr, "pcap_loop: %s: %s after %llu packets\n", argv[1],
                pcap_geterr(pcap), (unsigned long long)packets);
        pcap_close(pcap);
        return 1;
    }
    pcap_close(pcap);
    printf("%s: %llu packets in %.3f s, %.0f packets/s (checksum %llu)\n",
           argv[1], (unsigned long long)packets, elapsed,
           elapsed > 0 ? (double)packets / elapsed : 0.0,
           (unsigned long long)sum);
    return 0;
}
