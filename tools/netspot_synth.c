/*
 * netspot-synth: writes a reproducible synthetic capture (classic pcap or
 * pcapng, Ethernet) of background traffic with attacks injected at chosen
 * times, and the attacks' ground truth beside it. docs/synth.md describes
 * the traffic model, the options and the ground-truth format.
 *
 * Everything is drawn from one seeded generator and written in a fixed byte
 * order, so the same options give the same file. Records are written into a
 * large buffer by hand (not through libpcap) and nothing is allocated per
 * packet: the tool must make a hundred million packets in a few minutes.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum synth_exit { SYNTH_EXIT_OK = 0, SYNTH_EXIT_IO = 1, SYNTH_EXIT_USAGE = 2 };

/* Output buffer: large enough that write calls cost nothing per packet. */
#define SYNTH_OUT_BUF (8u << 20)
/* Largest frame built: 1514 bytes of Ethernet plus a 4-byte 802.1Q tag. */
#define SYNTH_FRAME_MAX 1536
/* Ethernet minimum frame without its frame check sequence (IEEE 802.3). */
#define SYNTH_ETH_MIN     60
#define SYNTH_MAX_ATTACKS 32
#define SYNTH_MAX_VLANS   16
/* Concurrent background conversations whose packets interleave. */
#define SYNTH_POOL 256
/* Remote servers live in 198.18.0.0/15, the RFC 2544 benchmarking block. */
#define SYNTH_REMOTE_MAX 131070u
/* Local hosts are 10.1.0.0 + index, inside 10.0.0.0/8. */
#define SYNTH_HOSTS_MAX 16000000u

/* Payload that makes a frame exactly 60 bytes with --sizes small (IPv4). */
#define SMALL_TCP_PAYLOAD  6
#define SMALL_UDP_PAYLOAD  18
#define SMALL_ICMP_PAYLOAD 18

enum format { FORMAT_PCAP, FORMAT_PCAPNG };
enum sizes { SIZES_MIXED, SIZES_SMALL };

/* ---------------------------------------------------------------------- */
/* Pseudo-random numbers: xoshiro256** seeded through splitmix64. */

struct rng {
    uint64_t s[4];
};

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15u);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static void rng_seed(struct rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&seed);
}

static inline uint64_t rotl64(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static inline uint64_t rng_next(struct rng *r)
{
    uint64_t *s = r->s;
    uint64_t out = rotl64(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;

    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl64(s[3], 45);
    return out;
}

/* Integer in [0, n), by a multiply and shift (bias below 2^-32). */
static inline uint32_t rng_below(struct rng *r, uint32_t n)
{
    return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* Uniform double in (0, 1]: never 0, so that log() is finite. */
static inline double rng_unit(struct rng *r)
{
    return (double)((rng_next(r) >> 11) + 1) * 0x1p-53;
}

static inline bool rng_chance(struct rng *r, uint32_t one_in)
{
    return rng_below(r, one_in) == 0;
}

static double rng_gauss(struct rng *r)
{
    return sqrt(-2.0 * log(rng_unit(r))) * cos(2.0 * M_PI * rng_unit(r));
}

/* ---------------------------------------------------------------------- */
/* Byte order helpers: network order for headers, little-endian for the
 * capture file so that it is the same on every machine. */

static inline void put16be(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static inline void put32be(uint8_t *p, uint32_t v)
{
    put16be(p, (uint16_t)(v >> 16));
    put16be(p + 2, (uint16_t)v);
}

static inline void put16le(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static inline void put32le(uint8_t *p, uint32_t v)
{
    put16le(p, (uint16_t)v);
    put16le(p + 2, (uint16_t)(v >> 16));
}

/* ---------------------------------------------------------------------- */
/* Buffered output. */

struct out {
    FILE *f;
    const char *path;
    uint8_t *buf;
    size_t len;
    int error; /* errno of the first failure, 0 while all is well */
};

static int out_open(struct out *o, const char *path)
{
    o->path = path;
    o->len = 0;
    o->error = 0;
    o->buf = malloc(SYNTH_OUT_BUF);
    if (o->buf == NULL)
        return ENOMEM;
    o->f = fopen(path, "wb");
    if (o->f == NULL) {
        free(o->buf);
        o->buf = NULL;
        return errno;
    }
    return 0;
}

static void out_flush(struct out *o)
{
    if (o->error == 0 && o->len > 0 &&
        fwrite(o->buf, 1, o->len, o->f) != o->len)
        o->error = errno != 0 ? errno : EIO;
    o->len = 0;
}

/* Room for n more bytes at the end of the buffer; the caller commits them
 * by advancing o->len. */
static uint8_t *out_reserve(struct out *o, size_t n)
{
    if (o->len + n > SYNTH_OUT_BUF)
        out_flush(o);
    return o->buf + o->len;
}

static int out_close(struct out *o)
{
    out_flush(o);
    if (fclose(o->f) != 0 && o->error == 0)
        o->error = errno != 0 ? errno : EIO;
    free(o->buf);
    o->buf = NULL;
    return o->error;
}

/* ---------------------------------------------------------------------- */
/* Options. */

enum attack_kind {
    ATTACK_SYNFLOOD,
    ATTACK_HSCAN,
    ATTACK_VSCAN,
    ATTACK_ARPSCAN,
    ATTACK_ICMPFLOOD,
    ATTACK_UDPAMP,
    ATTACK_EXFIL,
    ATTACK_KINDS
};

struct attack_spec {
    enum attack_kind kind;
    double start;    /* seconds from the capture start */
    double duration; /* seconds */
    double rate;     /* packets per second, 0 for the kind's default */
};

/* Bits of options.given: which options the command line set, so that a
 * preset fills in only the others. */
enum {
    GIVEN_PACKETS = 1 << 0,
    GIVEN_DURATION = 1 << 1,
    GIVEN_RATE = 1 << 2,
    GIVEN_HOSTS = 1 << 3,
    GIVEN_SIZES = 1 << 4,
    GIVEN_SNAPLEN = 1 << 5,
    GIVEN_VARIATION = 1 << 6,
    GIVEN_NOISE = 1 << 7,
};

struct options {
    const char *output;
    const char *truth;
    const char *preset;
    enum format format;
    bool nanosecond;
    uint32_t snaplen;
    uint16_t vlans[SYNTH_MAX_VLANS];
    size_t n_vlans;
    uint64_t packets; /* 0: no packet limit */
    double duration;  /* seconds, 0: no time limit */
    double rate;      /* average background packets per second */
    uint32_t hosts;   /* local hosts */
    enum sizes sizes;
    uint64_t seed;
    uint64_t start;   /* Unix seconds of the first packet */
    double variation; /* relative amplitude of the daily sinusoid */
    double noise;     /* relative standard deviation of the rate noise */
    double ipv6;      /* share of IPv6 conversations, 0..1 */
    struct attack_spec attacks[SYNTH_MAX_ATTACKS];
    size_t n_attacks;
    bool preset_attacks; /* the attacks are the preset's */
    unsigned given;
};

/* ---------------------------------------------------------------------- */
/* Endpoints: a 32-bit id names a host; the top two bits give its class. */

#define EP_CLASS(id)      ((id) >> 30)
#define EP_INDEX(id)      ((id)&0x3fffffffu)
#define EP_LOCAL          0u
#define EP_REMOTE         1u
#define EP_INFRA          2u
#define EP_ID(cls, index) (((uint32_t)(cls) << 30) | (uint32_t)(index))

/* Infrastructure hosts: last byte of 10.0.0.x. */
#define INFRA_GATEWAY 1
#define INFRA_DNS1    2
#define INFRA_DNS2    3
#define INFRA_WEB     10
#define INFRA_FILES   11
#define INFRA_DB      12
#define INFRA_SERVERS 8 /* 10.0.0.10 .. 10.0.0.17 */

static const uint8_t mac_broadcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

/* Address of the scanners and of the exfiltration drop: TEST-NET-3
 * (RFC 5737), so that they stand out in a capture. */
#define ADDR_SCANNER_H 0xcb007142u /* 203.0.113.66 */
#define ADDR_SCANNER_V 0xcb00714du /* 203.0.113.77 */
#define ADDR_DROP      0xcb007163u /* 203.0.113.99 */

static uint32_t remote_scramble(uint32_t j)
{
    /* An odd multiplier permutes 0..2^17-1: neighbours in index are far
     * apart in address, like real servers. */
    return (j * 0x9e37u + 0x1234u) & 0x1ffffu;
}

static uint32_t ep_v4(uint32_t id)
{
    uint32_t i = EP_INDEX(id);

    switch (EP_CLASS(id)) {
    case EP_LOCAL:
        return 0x0a010000u + i;
    case EP_REMOTE:
        return 0xc6120000u + remote_scramble(i); /* 198.18.0.0/15 */
    default:
        return 0x0a000000u + i;
    }
}

/* Local hosts get fd00:0:0:1::/64 (a unique local prefix, RFC 4193);
 * remote servers 2001:db8::/32 (documentation prefix, RFC 3849). */
static void ep_v6(uint32_t id, uint8_t out[16])
{
    uint32_t i = EP_INDEX(id);

    memset(out, 0, 16);
    if (EP_CLASS(id) == EP_REMOTE) {
        put32be(out, 0x20010db8u);
        put32be(out + 4, remote_scramble(i) << 8);
        out[15] = 1;
        return;
    }
    out[0] = 0xfd;
    out[7] = EP_CLASS(id) == EP_LOCAL ? 2 : 1;
    put32be(out + 12, i);
}

/* Locally administered MAC of a host on the segment. */
static void ep_mac(uint32_t id, uint8_t out[6])
{
    uint32_t i = EP_INDEX(id);

    out[0] = 0x02;
    out[1] = EP_CLASS(id) == EP_LOCAL ? 0x4e : 0x00;
    out[2] = (uint8_t)(i >> 24);
    put16be(out + 3, (uint16_t)(i >> 8));
    out[5] = (uint8_t)i;
}

/* MAC seen on the wire for a host: remote hosts are behind the gateway. */
static void ep_wire_mac(uint32_t id, uint8_t out[6])
{
    if (EP_CLASS(id) == EP_REMOTE)
        ep_mac(EP_ID(EP_INFRA, INFRA_GATEWAY), out);
    else
        ep_mac(id, out);
}

/* ---------------------------------------------------------------------- */
/* A packet to build: the union of what every generator needs. */

enum l3 { L3_ARP, L3_IPV4, L3_IPV6 };

enum payload {
    PAY_RANDOM,
    PAY_TLS,       /* TLS application-data record (RFC 8446 section 5.1) */
    PAY_DNS_QUERY, /* RFC 1035 section 4.1 */
    PAY_DNS_REPLY,
    PAY_DNS_AMP, /* large TXT answer, as reflected in amplification */
    PAY_NTP_CLIENT,
    PAY_NTP_SERVER,
    PAY_NTP_MONLIST, /* mode 7 response, as reflected in amplification */
    PAY_PING,
    PAY_MEDIA,     /* opaque stream data */
    PAY_HTTP_REQ,  /* an HTTP/1.1 GET (RFC 9112) */
    PAY_HTTP_RESP, /* the first segment of a response: header and body */
};

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10

#define IPPROTO_ICMP_ 1
#define IPPROTO_TCP_  6
#define IPPROTO_UDP_  17
#define IPPROTO_ICMP6 58

struct pkt {
    enum l3 l3;
    uint8_t smac[6], dmac[6];
    uint16_t vlan; /* 0: untagged */
    uint8_t proto;
    uint8_t ttl;
    uint32_t src4, dst4;
    uint8_t src6[16], dst6[16];
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint8_t flags;
    uint8_t syn_opts; /* 0 none, 1 MSS only, 2 a full Linux-like set */
    uint16_t window;
    uint8_t icmp_type;
    uint16_t ident;   /* ICMP identifier, DNS id */
    uint16_t counter; /* ICMP sequence, DNS name */
    uint16_t arp_op;
    uint8_t arp_tha[6];
    enum payload pay;
    uint16_t paylen;
    uint32_t body; /* PAY_HTTP_RESP: bytes of the whole response */
};

/* ---------------------------------------------------------------------- */
/* Generator state. */

enum conv_kind {
    CONV_NONE,
    CONV_TCP,
    CONV_DNS,
    CONV_NTP,
    CONV_MEDIA,
    CONV_ECHO,
    CONV_ARP,
};

enum tcp_phase {
    TCP_P_SYN,
    TCP_P_SYNACK,
    TCP_P_ACK,
    TCP_P_REQUEST,
    TCP_P_DATA,
    TCP_P_DATA_ACK,
    TCP_P_FIN1,
    TCP_P_FIN2,
    TCP_P_LAST_ACK,
    TCP_P_DONE,
};

/* What a TCP session carries. */
enum transfer { XFER_WEB, XFER_INTERACTIVE, XFER_MAIL, XFER_BULK };

struct conv {
    uint8_t kind;
    uint8_t phase;
    bool v6;
    bool upload; /* data flows from the client */
    bool large;  /* full-size segments even with --sizes small */
    bool http;
    bool resp_first;   /* the next data segment starts a response */
    uint16_t last_len; /* payload of the response's last segment */
    bool rst;          /* ends with a reset rather than FINs */
    uint8_t xfer;
    uint16_t cport, sport;
    uint32_t client, server;
    uint32_t cseq, sseq;
    uint32_t rounds; /* request/response exchanges still to start */
    uint32_t left;   /* data segments (or packets) still to send */
    uint32_t unacked;
    uint16_t ident;
    uint16_t counter;
};

/* Answers in flight to a scan's probes: the probes go on while earlier
 * ones are answered. When the ring is full a probe stays unanswered. */
#define SYNTH_REPLY_RING 256

struct attack {
    struct attack_spec spec;
    double rate;
    uint64_t start_ns, end_ns; /* window, from the capture start */
    uint64_t next_ns;          /* the next packet, probe or answer */
    uint64_t probe_ns;         /* the next probe */
    bool next_is_reply;
    bool done;
    uint64_t packets;
    uint32_t probes;
    uint16_t sport;
    uint32_t target;  /* endpoint id of the victim or the insider */
    struct conv conv; /* the exfiltration session */
    uint64_t reply_ns[SYNTH_REPLY_RING];
    uint32_t reply_probe[SYNTH_REPLY_RING];
    uint32_t reply_head, reply_len;
};

struct synth {
    struct options opt;
    struct rng rng;
    struct out out;
    uint64_t start_ns; /* Unix ns of the capture start */
    uint64_t now_ns;   /* from the capture start */
    uint64_t limit_ns; /* 0: none */
    uint64_t written;
    uint64_t bg_next_ns;
    uint32_t remotes;
    double cycle_s; /* length of the daily sinusoid */
    uint64_t rate_sec;
    double rate_now; /* background rate during the current second */
    double rate_ar;  /* autoregressive noise state */
    uint16_t ipid;
    struct conv pool[SYNTH_POOL];
    struct attack attacks[SYNTH_MAX_ATTACKS];
    size_t n_attacks;
    uint8_t noise[4096]; /* random bytes that payloads are cut from */
};

/* ---------------------------------------------------------------------- */
/* Checksums: the Internet checksum of RFC 1071. */

static uint64_t csum_add(uint64_t sum, const uint8_t *p, size_t n)
{
    size_t i = 0;

    for (; i + 1 < n; i += 2)
        sum += (uint32_t)p[i] << 8 | p[i + 1];
    if (i < n)
        sum += (uint32_t)p[i] << 8;
    return sum;
}

static uint16_t csum_fold(uint64_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

/* ---------------------------------------------------------------------- */
/* Payloads. */

static const char *const dns_hosts[] = {
    "www", "mail", "api", "cdn", "static", "login", "update", "time",
};
static const char *const dns_domains[] = {
    "example.com",  "example.net",   "example.org",
    "shop.example", "intranet.test",
};
#define DNS_NAMES (8 * 5)

/* Writes a name as DNS labels (RFC 1035 section 3.1); returns its length. */
static size_t dns_put_name(uint8_t *p, const struct synth *s, uint16_t name)
{
    size_t n = 0;
    const char *parts[2];

    if (s->opt.sizes == SIZES_SMALL) {
        p[0] = 0; /* the root: the only name that fits a 60-byte frame */
        return 1;
    }
    parts[0] = dns_hosts[name % 8];
    parts[1] = dns_domains[(name / 8) % 5];
    for (int k = 0; k < 2; k++) {
        const char *label = parts[k];
        while (*label != '\0') {
            size_t len = strcspn(label, ".");
            p[n++] = (uint8_t)len;
            memcpy(p + n, label, len);
            n += len;
            label += len + (label[len] == '.');
        }
    }
    p[n++] = 0;
    return n;
}

static size_t dns_put_question(uint8_t *p, const struct synth *s,
                               const struct pkt *k, uint16_t flags,
                               uint16_t answers)
{
    size_t n;
    uint16_t qtype = s->opt.sizes == SIZES_SMALL ? 2  /* NS */
                     : k->l3 == L3_IPV6          ? 28 /* AAAA */
                                                 : 1;          /* A */

    put16be(p, k->ident);
    put16be(p + 2, flags);
    put16be(p + 4, 1); /* one question */
    put16be(p + 6, answers);
    put32be(p + 8, 0);
    n = 12 + dns_put_name(p + 12, s, k->counter);
    put16be(p + n, qtype);
    put16be(p + n + 2, 1); /* class IN */
    return n + 4;
}

static size_t dns_put_reply(uint8_t *p, const struct synth *s,
                            const struct pkt *k)
{
    bool small = s->opt.sizes == SIZES_SMALL;
    size_t n = dns_put_question(p, s, k, 0x8180, small ? 0 : 1);
    uint16_t rdlen = k->l3 == L3_IPV6 ? 16 : 4;

    if (small)
        return n;
    put16be(p + n, 0xc00c); /* pointer to the question's name */
    put16be(p + n + 2, rdlen == 16 ? 28 : 1);
    put16be(p + n + 4, 1);
    put32be(p + n + 6, 300); /* TTL, seconds */
    put16be(p + n + 10, rdlen);
    n += 12;
    if (rdlen == 16)
        ep_v6(EP_ID(EP_REMOTE, k->counter * 97u), p + n);
    else
        put32be(p + n, ep_v4(EP_ID(EP_REMOTE, k->counter * 97u)));
    return n + rdlen;
}

/* Bytes of printable text cut from the noise, for URLs and TXT strings. */
static void text_fill(const struct synth *s, uint8_t *p, size_t n, size_t off)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)('a' + s->noise[(off + i) & 4095] % 26);
}

/* An ANY answer padded with TXT strings up to len bytes. */
static size_t dns_put_amp(uint8_t *p, const struct synth *s,
                          const struct pkt *k, size_t len)
{
    size_t n, rd;

    put16be(p, k->ident);
    put16be(p + 2, 0x8180);
    put16be(p + 4, 1);
    put16be(p + 6, 1);
    put32be(p + 8, 0);
    p[12] = 0; /* root */
    put16be(p + 13, 255);
    put16be(p + 15, 1);
    put16be(p + 17, 0xc00c);
    put16be(p + 19, 16); /* TXT */
    put16be(p + 21, 1);
    put32be(p + 23, 3600);
    n = 29;
    rd = len - n;
    put16be(p + 27, (uint16_t)rd);
    while (rd > 0) {
        size_t chunk = rd - 1 < 255 ? rd - 1 : 255;
        p[n] = (uint8_t)chunk;
        text_fill(s, p + n + 1, chunk, n);
        n += chunk + 1;
        rd -= chunk + 1;
    }
    return n;
}

static void http_put_request(const struct synth *s, uint8_t *p, size_t len,
                             size_t off)
{
    static const char tail[] =
        " HTTP/1.1\r\nHost: www.example.com\r\nAccept: */*\r\n\r\n";
    size_t n = sizeof tail - 1;

    if (len < n + 6)
        return; /* too short for a request: left as opaque bytes */
    memcpy(p, "GET /", 5);
    text_fill(s, p + 5, len - 5 - n, off);
    memcpy(p + len - n, tail, n);
}

/* A header whose Content-Length makes header and body fill body bytes. */
static void http_put_response(uint8_t *p, size_t len, uint32_t total)
{
    char head[128];
    uint32_t content = total;
    int n = 0;

    for (int i = 0; i < 3; i++) {
        n = snprintf(head, sizeof head,
                     "HTTP/1.1 200 OK\r\nContent-Type: "
                     "application/octet-stream\r\nContent-Length: %" PRIu32
                     "\r\n\r\n",
                     content);
        content = total > (uint32_t)n ? total - (uint32_t)n : 0;
    }
    if (n > 0 && (size_t)n <= len)
        memcpy(p, head, (size_t)n);
}

static size_t payload_put(const struct synth *s, uint8_t *p,
                          const struct pkt *k)
{
    size_t len = k->paylen;
    size_t off = ((size_t)k->seq * 7 + k->ident) & 2047;

    switch (k->pay) {
    case PAY_DNS_QUERY:
        return dns_put_question(p, s, k, 0x0100, 0);
    case PAY_DNS_REPLY:
        return dns_put_reply(p, s, k);
    case PAY_DNS_AMP:
        return dns_put_amp(p, s, k, len);
    default:
        break;
    }
    memcpy(p, s->noise + off, len);
    if (k->pay == PAY_HTTP_REQ) {
        http_put_request(s, p, len, off);
    } else if (k->pay == PAY_HTTP_RESP) {
        http_put_response(p, len, k->body);
    } else if (k->pay == PAY_MEDIA && len > 0) {
        p[0] = 0; /* not an RTP version: no dissector claims it */
    } else if (k->pay == PAY_TLS && len > 5) {
        p[0] = 0x17; /* application data */
        put16be(p + 1, 0x0303);
        put16be(p + 3, (uint16_t)(len - 5));
    } else if (k->pay == PAY_NTP_CLIENT || k->pay == PAY_NTP_SERVER) {
        /* RFC 5905 section 7.3: LI 0, version 4, mode 3 or 4. */
        p[0] = k->pay == PAY_NTP_CLIENT ? 0x23 : 0x24;
        p[1] = k->pay == PAY_NTP_CLIENT ? 0 : 2;
    } else if (k->pay == PAY_NTP_MONLIST) {
        p[0] = 0x97; /* response, version 2, mode 7 */
        p[1] = 0;
        p[2] = 3;  /* implementation */
        p[3] = 42; /* MON_GETLIST_1 */
        put16be(p + 4, (uint16_t)((len - 8) / 72));
        put16be(p + 6, 72); /* item size */
    } else if (k->pay == PAY_PING) {
        for (size_t i = 0; i < len; i++)
            p[i] = (uint8_t)(0x10 + i);
    }
    return len;
}

/* ---------------------------------------------------------------------- */
/* Frame building: Ethernet (with an optional 802.1Q tag), then ARP, IPv4
 * or IPv6, then the transport header and payload. */

static size_t eth_put(uint8_t *f, const struct pkt *k)
{
    uint16_t type = k->l3 == L3_ARP    ? 0x0806
                    : k->l3 == L3_IPV4 ? 0x0800
                                       : 0x86dd;

    memcpy(f, k->dmac, 6);
    memcpy(f + 6, k->smac, 6);
    if (k->vlan == 0) {
        put16be(f + 12, type);
        return 14;
    }
    put16be(f + 12, 0x8100); /* IEEE 802.1Q tag, priority 0 */
    put16be(f + 14, k->vlan);
    put16be(f + 16, type);
    return 18;
}

/* RFC 826 layout for IPv4 over Ethernet. */
static size_t arp_put(uint8_t *p, const struct pkt *k)
{
    put16be(p, 1);
    put16be(p + 2, 0x0800);
    p[4] = 6;
    p[5] = 4;
    put16be(p + 6, k->arp_op);
    memcpy(p + 8, k->smac, 6);
    put32be(p + 14, k->src4);
    memcpy(p + 18, k->arp_tha, 6);
    put32be(p + 24, k->dst4);
    return 28;
}

/* TCP options of a SYN (RFC 9293 section 3.2, RFC 7323, RFC 2018). */
static size_t tcp_put_options(uint8_t *p, const struct pkt *k)
{
    uint16_t mss = k->l3 == L3_IPV6 ? 1440 : 1460;

    if (k->syn_opts == 0)
        return 0;
    p[0] = 2;
    p[1] = 4;
    put16be(p + 2, mss);
    if (k->syn_opts == 1)
        return 4;
    p[4] = 1; /* NOP */
    p[5] = 3; /* window scale 7 */
    p[6] = 3;
    p[7] = 7;
    p[8] = 1;
    p[9] = 1;
    p[10] = 4; /* SACK permitted */
    p[11] = 2;
    return 12;
}

/* Transport header and payload; *csum_at gets the offset of the checksum
 * field, left zero. Returns the segment's length. */
static size_t l4_put(const struct synth *s, uint8_t *p, const struct pkt *k,
                     size_t *csum_at)
{
    size_t hl, n;

    switch (k->proto) {
    case IPPROTO_TCP_:
        hl = 20 + tcp_put_options(p + 20, k);
        put16be(p, k->sport);
        put16be(p + 2, k->dport);
        put32be(p + 4, k->seq);
        put32be(p + 8, k->ack);
        p[12] = (uint8_t)((hl / 4) << 4);
        p[13] = k->flags;
        put16be(p + 14, k->window);
        put32be(p + 16, 0); /* checksum, urgent pointer */
        *csum_at = 16;
        return hl + payload_put(s, p + hl, k);
    case IPPROTO_UDP_:
        put16be(p, k->sport);
        put16be(p + 2, k->dport);
        n = 8 + payload_put(s, p + 8, k);
        put16be(p + 4, (uint16_t)n);
        put16be(p + 6, 0);
        *csum_at = 6;
        return n;
    default: /* ICMP or ICMPv6 echo (RFC 792, RFC 4443 section 4) */
        p[0] = k->icmp_type;
        p[1] = 0;
        put16be(p + 2, 0);
        put16be(p + 4, k->ident);
        put16be(p + 6, k->counter);
        *csum_at = 2;
        return 8 + payload_put(s, p + 8, k);
    }
}

/* RFC 791 header, no options, then the transport segment whose checksum
 * covers the pseudo-header of RFC 9293 section 3.1 / RFC 768. */
static size_t ipv4_put(struct synth *s, uint8_t *p, const struct pkt *k)
{
    size_t at, n = l4_put(s, p + 20, k, &at);
    uint64_t sum = 0;
    uint16_t c;

    p[0] = 0x45;
    p[1] = 0;
    put16be(p + 2, (uint16_t)(20 + n));
    put16be(p + 4, s->ipid++);
    put16be(p + 6, k->proto == IPPROTO_TCP_ ? 0x4000 : 0); /* DF for TCP */
    p[8] = k->ttl;
    p[9] = k->proto;
    put16be(p + 10, 0);
    put32be(p + 12, k->src4);
    put32be(p + 16, k->dst4);
    put16be(p + 10, csum_fold(csum_add(0, p, 20)));

    if (k->proto != IPPROTO_ICMP_)
        sum = csum_add(0, p + 12, 8) + k->proto + n;
    c = csum_fold(csum_add(sum, p + 20, n));
    if (c == 0 && k->proto == IPPROTO_UDP_)
        c = 0xffff; /* zero means "no checksum" in UDP */
    put16be(p + 20 + at, c);
    return 20 + n;
}

/* RFC 8200 header; every upper-layer checksum covers the pseudo-header of
 * its section 8.1, ICMPv6 included (RFC 4443 section 2.3). */
static size_t ipv6_put(const struct synth *s, uint8_t *p, const struct pkt *k)
{
    size_t at, n = l4_put(s, p + 40, k, &at);
    uint64_t sum;
    uint16_t c;

    put32be(p, 0x60000000u | (k->sport & 0xfffffu)); /* flow label */
    put16be(p + 4, (uint16_t)n);
    p[6] = k->proto;
    p[7] = k->ttl;
    memcpy(p + 8, k->src6, 16);
    memcpy(p + 24, k->dst6, 16);
    sum = csum_add(0, p + 8, 32) + k->proto + n;
    c = csum_fold(csum_add(sum, p + 40, n));
    if (c == 0 && k->proto == IPPROTO_UDP_)
        c = 0xffff;
    put16be(p + 40 + at, c);
    return 40 + n;
}

static size_t frame_put(struct synth *s, uint8_t *f, const struct pkt *k)
{
    size_t n = eth_put(f, k);

    if (k->l3 == L3_ARP)
        n += arp_put(f + n, k);
    else if (k->l3 == L3_IPV4)
        n += ipv4_put(s, f + n, k);
    else
        n += ipv6_put(s, f + n, k);
    if (n < SYNTH_ETH_MIN) {
        memset(f + n, 0, SYNTH_ETH_MIN - n);
        n = SYNTH_ETH_MIN;
    }
    return n;
}

/* ---------------------------------------------------------------------- */
/* Capture file records. */

/* Classic pcap header (the format of pcap-savefile(5)); the magic number
 * says whether the fraction is in microseconds or nanoseconds. */
static void file_header_pcap(struct synth *s)
{
    uint8_t *p = out_reserve(&s->out, 24);

    put32le(p, s->opt.nanosecond ? 0xa1b23c4du : 0xa1b2c3d4u);
    put16le(p + 4, 2);
    put16le(p + 6, 4);
    put32le(p + 8, 0);
    put32le(p + 12, 0);
    put32le(p + 16, s->opt.snaplen);
    put32le(p + 20, 1); /* LINKTYPE_ETHERNET */
    s->out.len += 24;
}

/* pcapng section header and interface description blocks (RFC draft
 * draft-ietf-opsawg-pcapng, sections 4.1 and 4.2). */
static void file_header_pcapng(struct synth *s)
{
    uint8_t *p = out_reserve(&s->out, 28 + 32);

    put32le(p, 0x0a0d0d0au);
    put32le(p + 4, 28);
    put32le(p + 8, 0x1a2b3c4du);
    put16le(p + 12, 1);
    put16le(p + 14, 0);
    put32le(p + 16, 0xffffffffu); /* section length unknown */
    put32le(p + 20, 0xffffffffu);
    put32le(p + 24, 28);
    p += 28;
    put32le(p, 1);
    put32le(p + 4, 32);
    put16le(p + 8, 1); /* LINKTYPE_ETHERNET */
    put16le(p + 10, 0);
    put32le(p + 12, s->opt.snaplen);
    put16le(p + 16, 9); /* if_tsresol: 10^-6 or 10^-9 */
    put16le(p + 18, 1);
    put32le(p + 20, s->opt.nanosecond ? 9 : 6); /* value and padding */
    put32le(p + 24, 0);                         /* opt_endofopt */
    put32le(p + 28, 32);
    s->out.len += 60;
}

static void emit(struct synth *s, const struct pkt *k)
{
    bool ng = s->opt.format == FORMAT_PCAPNG;
    size_t hdr = ng ? 28 : 16;
    uint8_t *p = out_reserve(&s->out, hdr + SYNTH_FRAME_MAX + 8);
    size_t len = frame_put(s, p + hdr, k);
    size_t incl = len < s->opt.snaplen ? len : s->opt.snaplen;
    uint64_t ts = s->start_ns + s->now_ns;
    uint64_t units = s->opt.nanosecond ? ts : ts / 1000;

    if (!ng) {
        put32le(p, (uint32_t)(ts / 1000000000u));
        put32le(p + 4, (uint32_t)(units % (s->opt.nanosecond ? 1000000000u
                                                             : 1000000u)));
        put32le(p + 8, (uint32_t)incl);
        put32le(p + 12, (uint32_t)len);
        s->out.len += 16 + incl;
    } else {
        size_t padded = (incl + 3) & ~(size_t)3;
        uint32_t total = (uint32_t)(32 + padded);
        put32le(p, 6); /* enhanced packet block */
        put32le(p + 4, total);
        put32le(p + 8, 0);
        put32le(p + 12, (uint32_t)(units >> 32));
        put32le(p + 16, (uint32_t)units);
        put32le(p + 20, (uint32_t)incl);
        put32le(p + 24, (uint32_t)len);
        memset(p + 28 + incl, 0, padded - incl);
        put32le(p + 28 + padded, total);
        s->out.len += total;
    }
    s->written++;
}

/* ---------------------------------------------------------------------- */
/* Packet addressing. */

static uint16_t vlan_of(const struct synth *s, uint32_t a, uint32_t b)
{
    uint32_t local = EP_CLASS(a) == EP_LOCAL ? a : b;

    if (s->opt.n_vlans == 0)
        return 0;
    if (EP_CLASS(local) != EP_LOCAL)
        return s->opt.vlans[0];
    return s->opt.vlans[EP_INDEX(local) % s->opt.n_vlans];
}

/* Fills the link and network fields of a packet from src to dst. */
static void pkt_route(const struct synth *s, struct pkt *k, uint32_t src,
                      uint32_t dst, bool v6, uint8_t proto)
{
    memset(k, 0, sizeof *k);
    ep_wire_mac(src, k->smac);
    ep_wire_mac(dst, k->dmac);
    k->vlan = vlan_of(s, src, dst);
    k->proto = proto;
    /* Packets from outside arrive with a few hops consumed. */
    k->ttl =
        EP_CLASS(src) == EP_REMOTE ? (uint8_t)(52 - EP_INDEX(src) % 12) : 64;
    if (v6) {
        k->l3 = L3_IPV6;
        ep_v6(src, k->src6);
        ep_v6(dst, k->dst6);
    } else {
        k->l3 = L3_IPV4;
        k->src4 = ep_v4(src);
        k->dst4 = ep_v4(dst);
    }
}

/* A packet from an address that is no host of the model (spoofed sources,
 * scanners): its frame comes through the gateway. */
static void pkt_raw4(const struct synth *s, struct pkt *k, uint32_t src4,
                     uint32_t dst, uint8_t proto)
{
    pkt_route(s, k, EP_ID(EP_REMOTE, 0), dst, false, proto);
    k->src4 = src4;
    k->ttl = (uint8_t)(40 + (src4 % 20));
}

static uint32_t random_public_v4(struct synth *s)
{
    for (;;) {
        uint32_t a = (uint32_t)rng_next(&s->rng);
        uint32_t first = a >> 24;
        if (first >= 1 && first <= 223 && first != 10 && first != 127)
            return a;
    }
}

/* ---------------------------------------------------------------------- */
/* Background conversations. */

static bool small(const struct synth *s)
{
    return s->opt.sizes == SIZES_SMALL;
}

static uint32_t pick_local(struct synth *s)
{
    return EP_ID(EP_LOCAL, rng_below(&s->rng, s->opt.hosts));
}

/* Popular servers get most of the traffic: the cube of a uniform number
 * crowds the indexes near zero. */
static uint32_t pick_remote(struct synth *s)
{
    double u = rng_unit(&s->rng);

    return EP_ID(EP_REMOTE, (uint32_t)(u * u * u * (s->remotes - 1)));
}

static uint16_t ephemeral_port(struct synth *s)
{
    return (uint16_t)(32768 + rng_below(&s->rng, 28232)); /* Linux range */
}

struct service {
    uint16_t port;
    uint8_t weight;
    uint8_t xfer;
    uint8_t server; /* 0 remote, else an infrastructure host */
};

static const struct service services[] = {
    {443, 50, XFER_WEB, 0},         {80, 12, XFER_WEB, 0},
    {8080, 4, XFER_WEB, INFRA_WEB}, {22, 6, XFER_INTERACTIVE, 0},
    {993, 6, XFER_MAIL, 0},         {25, 3, XFER_MAIL, 0},
    {3306, 6, XFER_MAIL, INFRA_DB}, {445, 5, XFER_BULK, INFRA_FILES},
    {443, 8, XFER_WEB, INFRA_WEB},
};
#define SERVICE_WEIGHTS 100

static const struct service *pick_service(struct synth *s)
{
    uint32_t w = rng_below(&s->rng, SERVICE_WEIGHTS);
    size_t i = 0;

    while (w >= services[i].weight) {
        w -= services[i].weight;
        i++;
    }
    return &services[i];
}

static void tcp_start(struct synth *s, struct conv *c)
{
    const struct service *sv = pick_service(s);

    c->kind = CONV_TCP;
    c->phase = TCP_P_SYN;
    c->xfer = sv->xfer;
    c->client = pick_local(s);
    c->server = sv->server ? EP_ID(EP_INFRA, sv->server) : pick_remote(s);
    c->cport = ephemeral_port(s);
    c->sport = sv->port;
    c->http = sv->port == 80 || sv->port == 8080;
    if (c->http && small(s)) {
        /* No HTTP request fits a 60-byte frame; a TLS record does. */
        c->http = false;
        c->sport = 443;
    }
    c->cseq = (uint32_t)rng_next(&s->rng);
    c->sseq = (uint32_t)rng_next(&s->rng);
    c->rst = rng_chance(&s->rng, 10);
    c->upload = sv->xfer == XFER_BULK && rng_chance(&s->rng, 2);
    c->unacked = 0;
    c->left = 0;
    switch (sv->xfer) {
    case XFER_INTERACTIVE:
        c->rounds = 3 + rng_below(&s->rng, 40);
        break;
    case XFER_MAIL:
        c->rounds = 1 + rng_below(&s->rng, 5);
        break;
    default:
        c->rounds = 1 + rng_chance(&s->rng, 4) * rng_below(&s->rng, 4);
        break;
    }
}

/* Data segments of one response: mostly small, a few long transfers. */
static uint32_t response_segments(struct synth *s, const struct conv *c)
{
    switch (c->xfer) {
    case XFER_INTERACTIVE:
        return 1;
    case XFER_MAIL:
        return 1 + rng_below(&s->rng, 6);
    case XFER_BULK:
        return 20 + rng_below(&s->rng, 200);
    default:
        if (rng_chance(&s->rng, 20))
            return 50 + rng_below(&s->rng, 400);
        return 1 + (uint32_t)(-log(rng_unit(&s->rng)) * 8.0);
    }
}

static uint16_t data_len(struct synth *s, const struct conv *c, bool last)
{
    uint16_t mss = c->v6 ? 1440 : 1460;

    if (small(s) && !c->large)
        return SMALL_TCP_PAYLOAD;
    if (c->xfer == XFER_INTERACTIVE)
        return (uint16_t)(36 + rng_below(&s->rng, 400));
    if (!last)
        return mss;
    return (uint16_t)(100 + rng_below(&s->rng, mss - 99u));
}

static void tcp_fill(struct synth *s, struct conv *c, struct pkt *k,
                     bool from_client, uint8_t flags, uint16_t len)
{
    uint32_t *seq = from_client ? &c->cseq : &c->sseq;

    if (from_client)
        pkt_route(s, k, c->client, c->server, c->v6, IPPROTO_TCP_);
    else
        pkt_route(s, k, c->server, c->client, c->v6, IPPROTO_TCP_);
    k->sport = from_client ? c->cport : c->sport;
    k->dport = from_client ? c->sport : c->cport;
    k->seq = *seq;
    k->ack = (flags & TCP_ACK) ? (from_client ? c->sseq : c->cseq) : 0;
    k->flags = flags;
    k->window = (uint16_t)(from_client ? 502 : 509);
    k->paylen = len;
    k->pay = c->sport == 443 ? PAY_TLS : PAY_RANDOM;
    if (c->http && len > 0)
        k->pay = from_client ? PAY_HTTP_REQ : PAY_RANDOM;
    if (flags & TCP_SYN) {
        k->syn_opts = small(s) ? 1 : 2;
        k->window = 64240;
    }
    *seq += len + ((flags & (TCP_SYN | TCP_FIN)) ? 1 : 0);
}

static void tcp_close_step(struct synth *s, struct conv *c, struct pkt *k)
{
    switch (c->phase) {
    case TCP_P_FIN1:
        if (c->rst) {
            tcp_fill(s, c, k, true, TCP_RST | TCP_ACK, 0);
            c->phase = TCP_P_DONE;
            return;
        }
        tcp_fill(s, c, k, true, TCP_FIN | TCP_ACK, 0);
        c->phase = TCP_P_FIN2;
        return;
    case TCP_P_FIN2:
        tcp_fill(s, c, k, false, TCP_FIN | TCP_ACK, 0);
        c->phase = TCP_P_LAST_ACK;
        return;
    default:
        tcp_fill(s, c, k, true, TCP_ACK, 0);
        c->phase = TCP_P_DONE;
        return;
    }
}

/* The data phase: the sender pushes segments, the receiver acknowledges
 * every second one (delayed ACK, RFC 9293 section 3.8.6.3). */
static void tcp_data_step(struct synth *s, struct conv *c, struct pkt *k)
{
    bool sender_is_client = c->upload;

    if (c->phase == TCP_P_DATA) {
        bool last = c->left == 1;
        uint8_t flags = TCP_ACK | (last ? TCP_PSH : 0);
        uint16_t mss = c->v6 ? 1440 : 1460;
        uint16_t len = last ? c->last_len : data_len(s, c, false);
        tcp_fill(s, c, k, sender_is_client, flags, len);
        if (c->http && c->resp_first) {
            k->pay = PAY_HTTP_RESP;
            k->body = (c->left - 1) * (uint32_t)mss + c->last_len;
        }
        c->resp_first = false;
        c->left--;
        c->unacked++;
        if (c->unacked == 2 || c->left == 0)
            c->phase = TCP_P_DATA_ACK;
        return;
    }
    tcp_fill(s, c, k, !sender_is_client, TCP_ACK, 0);
    c->unacked = 0;
    if (c->left > 0)
        c->phase = TCP_P_DATA;
    else
        c->phase = c->rounds > 0 ? TCP_P_REQUEST : TCP_P_FIN1;
}

static void tcp_step(struct synth *s, struct conv *c, struct pkt *k)
{
    uint16_t req;

    switch (c->phase) {
    case TCP_P_SYN:
        tcp_fill(s, c, k, true, TCP_SYN, 0);
        c->phase = TCP_P_SYNACK;
        return;
    case TCP_P_SYNACK:
        tcp_fill(s, c, k, false, TCP_SYN | TCP_ACK, 0);
        c->phase = TCP_P_ACK;
        return;
    case TCP_P_ACK:
        tcp_fill(s, c, k, true, TCP_ACK, 0);
        c->phase = TCP_P_REQUEST;
        return;
    case TCP_P_REQUEST:
        req = small(s) ? SMALL_TCP_PAYLOAD
                       : (uint16_t)(60 + rng_below(&s->rng, 700));
        tcp_fill(s, c, k, true, TCP_PSH | TCP_ACK, req);
        c->rounds--;
        if (c->left == 0) /* an attack may have planned it */
            c->left = response_segments(s, c);
        c->last_len = data_len(s, c, true);
        c->resp_first = true;
        c->phase = TCP_P_DATA;
        return;
    case TCP_P_DATA:
    case TCP_P_DATA_ACK:
        tcp_data_step(s, c, k);
        return;
    default:
        tcp_close_step(s, c, k);
        return;
    }
}

static uint32_t pick_resolver(struct synth *s)
{
    return EP_ID(EP_INFRA, rng_chance(&s->rng, 3) ? INFRA_DNS2 : INFRA_DNS1);
}

static void udp_start(struct synth *s, struct conv *c, uint8_t kind)
{
    c->kind = kind;
    c->client = pick_local(s);
    c->cport = ephemeral_port(s);
    c->ident = (uint16_t)rng_next(&s->rng);
    c->counter = (uint16_t)rng_below(&s->rng, DNS_NAMES);
    c->left = 2;
    if (kind == CONV_DNS) {
        c->server = pick_resolver(s);
        c->sport = 53;
    } else if (kind == CONV_NTP) {
        c->server = pick_remote(s);
        c->sport = 123;
        c->cport = 123;
    } else {
        c->server = pick_remote(s);
        c->sport = 5004; /* an RTP-like media stream */
        c->left = 20 + rng_below(&s->rng, 200);
    }
}

static void udp_step(struct synth *s, struct conv *c, struct pkt *k)
{
    bool from_client;

    if (c->kind == CONV_MEDIA)
        from_client = c->left % 10 == 0; /* receiver reports */
    else
        from_client = c->left == 2;
    if (from_client)
        pkt_route(s, k, c->client, c->server, c->v6, IPPROTO_UDP_);
    else
        pkt_route(s, k, c->server, c->client, c->v6, IPPROTO_UDP_);
    k->sport = from_client ? c->cport : c->sport;
    k->dport = from_client ? c->sport : c->cport;
    k->ident = c->ident;
    k->counter = c->counter;
    k->seq = c->left;
    if (c->kind == CONV_DNS) {
        k->pay = from_client ? PAY_DNS_QUERY : PAY_DNS_REPLY;
    } else if (c->kind == CONV_NTP) {
        k->pay = from_client ? PAY_NTP_CLIENT : PAY_NTP_SERVER;
        k->paylen = 48;
    } else {
        k->pay = PAY_MEDIA;
        k->paylen = small(s)      ? SMALL_UDP_PAYLOAD
                    : from_client ? (uint16_t)(60 + rng_below(&s->rng, 60))
                                  : (uint16_t)(200 + rng_below(&s->rng, 1000));
    }
    c->left--;
    if (c->left == 0)
        c->kind = CONV_NONE;
}

static void echo_start(struct synth *s, struct conv *c)
{
    c->kind = CONV_ECHO;
    c->client = pick_local(s);
    c->server = rng_chance(&s->rng, 2) ? pick_remote(s) : pick_local(s);
    c->ident = (uint16_t)rng_next(&s->rng);
    c->counter = 1;
    c->left = 2 * (1 + rng_below(&s->rng, 4));
}

static void echo_step(struct synth *s, struct conv *c, struct pkt *k)
{
    bool request = c->left % 2 == 0;
    uint8_t proto = c->v6 ? IPPROTO_ICMP6 : IPPROTO_ICMP_;

    if (request)
        pkt_route(s, k, c->client, c->server, c->v6, proto);
    else
        pkt_route(s, k, c->server, c->client, c->v6, proto);
    if (c->v6)
        k->icmp_type = request ? 128 : 129;
    else
        k->icmp_type = request ? 8 : 0;
    k->ident = c->ident;
    k->counter = c->counter;
    k->pay = PAY_PING;
    k->paylen = small(s) ? SMALL_ICMP_PAYLOAD : 56;
    if (!request)
        c->counter++;
    c->left--;
    if (c->left == 0)
        c->kind = CONV_NONE;
}

static void arp_fill(struct pkt *k, uint16_t op, uint32_t sender,
                     uint32_t target, const uint8_t *tha)
{
    k->l3 = L3_ARP;
    k->arp_op = op;
    ep_mac(sender, k->smac);
    k->src4 = ep_v4(sender);
    k->dst4 = ep_v4(target);
    memcpy(k->arp_tha, tha, 6);
    memcpy(k->dmac, op == 1 ? mac_broadcast : tha, 6);
}

/* An ARP exchange (RFC 826): who-has from a host, is-at from the target,
 * often the gateway. */
static void arp_step(struct synth *s, struct conv *c, struct pkt *k)
{
    static const uint8_t zero[6];
    uint8_t mac[6];

    memset(k, 0, sizeof *k);
    k->vlan = vlan_of(s, c->client, c->server);
    if (c->left == 2) {
        arp_fill(k, 1, c->client, c->server, zero);
    } else {
        ep_mac(c->client, mac);
        arp_fill(k, 2, c->server, c->client, mac);
    }
    c->left--;
    if (c->left == 0)
        c->kind = CONV_NONE;
}

static void conv_start(struct synth *s, struct conv *c)
{
    uint32_t w = rng_below(&s->rng, 100);

    c->v6 = rng_unit(&s->rng) <= s->opt.ipv6;
    if (w < 48) {
        tcp_start(s, c);
    } else if (w < 82) {
        udp_start(s, c, CONV_DNS);
    } else if (w < 85) {
        /* NTP does not fit a 60-byte frame: a name lookup instead. */
        udp_start(s, c, small(s) ? CONV_DNS : CONV_NTP);
    } else if (w < 86) {
        udp_start(s, c, CONV_MEDIA);
    } else if (w < 91) {
        echo_start(s, c);
    } else {
        c->kind = CONV_ARP;
        c->v6 = false;
        c->left = 2;
        c->client = pick_local(s);
        c->server = rng_chance(&s->rng, 2) ? EP_ID(EP_INFRA, INFRA_GATEWAY)
                                           : pick_local(s);
    }
}

static void background_step(struct synth *s, struct pkt *k)
{
    struct conv *c = &s->pool[rng_below(&s->rng, SYNTH_POOL)];

    if (c->kind == CONV_NONE)
        conv_start(s, c);
    switch (c->kind) {
    case CONV_TCP:
        tcp_step(s, c, k);
        if (c->phase == TCP_P_DONE)
            c->kind = CONV_NONE;
        break;
    case CONV_ECHO:
        echo_step(s, c, k);
        break;
    case CONV_ARP:
        arp_step(s, c, k);
        break;
    default:
        udp_step(s, c, k);
        break;
    }
}

/* Background rate: a daily-looking cycle (one slow sinusoid over the
 * capture, low at both ends) times a slowly wandering noise, both
 * recomputed once per second of capture time. */
static double background_rate(struct synth *s)
{
    uint64_t sec = s->now_ns / 1000000000u;
    double phase;

    if (sec == s->rate_sec)
        return s->rate_now;
    while (s->rate_sec < sec) {
        /* AR(1) with stationary standard deviation opt.noise. */
        s->rate_ar = 0.8 * s->rate_ar + 0.6 * s->opt.noise * rng_gauss(&s->rng);
        s->rate_sec++;
    }
    phase = 2.0 * M_PI * (double)sec / s->cycle_s;
    s->rate_now = s->opt.rate * (1.0 - s->opt.variation * cos(phase)) *
                  fmax(0.2, 1.0 + s->rate_ar);
    return s->rate_now;
}

static uint64_t background_gap(struct synth *s)
{
    double gap = -log(rng_unit(&s->rng)) / background_rate(s);

    return (uint64_t)(gap * 1e9) + 1;
}

/* ---------------------------------------------------------------------- */
/* Attacks. */

struct stat_move {
    const char *stat;
    const char *dir;
    bool mixed_only; /* moves only when the background is --sizes mixed */
};

struct attack_info {
    const char *name;
    const char *what;
    double rate_factor; /* default rate, in background average rates */
    struct stat_move moves[8];
};

static const struct attack_info attack_infos[ATTACK_KINDS] = {
    [ATTACK_SYNFLOOD] = {"synflood",
                         "TCP SYNs from spoofed sources to one web server",
                         4.0,
                         {{"R_SYN", "up", false},
                          {"R_ACK", "down", false},
                          {"R_DST_SRC", "down", false},
                          {"R_DST_SRC_PORT", "down", false},
                          {"TRAFFIC", "up", false},
                          {"AVG_PKT_SIZE", "down", true}}},
    [ATTACK_HSCAN] = {"hscan",
                      "one scanner probes port 445 on many local hosts",
                      1.0,
                      {{"R_SYN", "up", false},
                       {"R_ACK", "down", false},
                       {"R_DST_SRC", "up", false},
                       {"TRAFFIC", "up", false},
                       {"AVG_PKT_SIZE", "down", true}}},
    [ATTACK_VSCAN] = {"vscan",
                      "one scanner probes many ports of one local server",
                      1.0,
                      {{"R_DST_SRC_PORT", "up", false},
                       {"R_SYN", "up", false},
                       {"R_ACK", "down", false},
                       {"TRAFFIC", "up", false},
                       {"AVG_PKT_SIZE", "down", true}}},
    [ATTACK_ARPSCAN] = {"arpscan",
                        "one local host asks ARP for every address in turn",
                        0.5,
                        {{"R_ARP", "up", false}, {"R_IP", "down", false}}},
    [ATTACK_ICMPFLOOD] = {"icmpflood",
                          "ICMP echo requests from spoofed sources to one "
                          "server",
                          3.0,
                          {{"R_ICMP", "up", false},
                           {"R_DST_SRC", "down", false},
                           {"R_SYN", "down", false},
                           {"R_ACK", "down", false},
                           {"TRAFFIC", "up", false},
                           {"AVG_PKT_SIZE", "down", true}}},
    [ATTACK_UDPAMP] = {"udpamp",
                       "large DNS and NTP responses from many reflectors to "
                       "one local host",
                       2.0,
                       {{"AVG_PKT_SIZE", "up", false},
                        {"R_DST_SRC", "down", false},
                        {"R_SYN", "down", false},
                        {"R_ACK", "down", false},
                        {"TRAFFIC", "up", false}}},
    [ATTACK_EXFIL] = {"exfil",
                      "one local host uploads full-size segments to one "
                      "outside host",
                      0.3,
                      {{"AVG_PKT_SIZE", "up", false},
                       {"R_ACK", "up", false},
                       {"TRAFFIC", "up", false}}},
};

static uint64_t attack_gap(struct synth *s, const struct attack *a)
{
    return (uint64_t)(-log(rng_unit(&s->rng)) / a->rate * 1e9) + 1;
}

/* Round-trip time of an answer on the local segment: 100 to 600 us. */
static uint64_t reply_gap(struct synth *s)
{
    return 100000u + rng_below(&s->rng, 500000);
}

/* Queues the answer to the probe just sent; answers leave in order. */
static void reply_push(struct synth *s, struct attack *a)
{
    uint64_t at = a->probe_ns + reply_gap(s);
    uint32_t last, tail;

    if (a->reply_len == SYNTH_REPLY_RING)
        return;
    if (a->reply_len > 0) {
        last = (a->reply_head + a->reply_len - 1) % SYNTH_REPLY_RING;
        if (at < a->reply_ns[last])
            at = a->reply_ns[last];
    }
    tail = (a->reply_head + a->reply_len) % SYNTH_REPLY_RING;
    a->reply_ns[tail] = at;
    a->reply_probe[tail] = a->probes;
    a->reply_len++;
}

static uint32_t reply_pop(struct attack *a)
{
    uint32_t probe = a->reply_probe[a->reply_head];

    a->reply_head = (a->reply_head + 1) % SYNTH_REPLY_RING;
    a->reply_len--;
    return probe;
}

static void synflood_probe(struct synth *s, struct attack *a, struct pkt *k)
{
    pkt_raw4(s, k, random_public_v4(s), a->target, IPPROTO_TCP_);
    k->sport = (uint16_t)(1024 + rng_below(&s->rng, 64512));
    k->dport = 80;
    k->seq = (uint32_t)rng_next(&s->rng);
    k->flags = TCP_SYN;
    k->syn_opts = 1;
    k->window = 1024;
}

/* A SYN from the scanner; one probe in eight draws a reset (a closed
 * port), the others are dropped by a firewall. */
static bool scan_probe(struct synth *s, const struct attack *a, struct pkt *k,
                       uint32_t scanner, uint32_t dst, uint16_t dport)
{
    pkt_raw4(s, k, scanner, dst, IPPROTO_TCP_);
    k->sport = a->sport;
    k->dport = dport;
    k->seq = a->probes * 7919u;
    k->flags = TCP_SYN;
    k->syn_opts = 1;
    k->window = 1024;
    return rng_chance(&s->rng, 8);
}

static void scan_reply(const struct synth *s, const struct attack *a,
                       struct pkt *k, uint32_t probe, uint32_t scanner,
                       uint32_t dst, uint16_t dport)
{
    pkt_route(s, k, dst, EP_ID(EP_REMOTE, 0), false, IPPROTO_TCP_);
    k->dst4 = scanner;
    k->sport = dport;
    k->dport = a->sport;
    k->ack = probe * 7919u + 1;
    k->flags = TCP_RST | TCP_ACK;
}

static uint32_t hscan_host(const struct synth *s, uint32_t probe)
{
    return EP_ID(EP_LOCAL, probe % s->opt.hosts);
}

/* Ports 1..65535 in a scrambled order, as scanners randomise. */
static uint16_t vscan_port(uint32_t probe)
{
    uint16_t port = (uint16_t)(((probe + 1) * 40503u) & 0xffffu);

    return port == 0 ? 1 : port;
}

static uint32_t arpscan_host(uint32_t probe)
{
    return EP_ID(EP_LOCAL, probe & 0xffffu);
}

/* A who-has for the next address; the hosts that exist answer. */
static bool arpscan_probe(const struct synth *s, const struct attack *a,
                          struct pkt *k)
{
    static const uint8_t zero[6];
    uint32_t probed = arpscan_host(a->probes);

    memset(k, 0, sizeof *k);
    k->vlan = vlan_of(s, a->target, a->target);
    arp_fill(k, 1, a->target, probed, zero);
    return EP_INDEX(probed) < s->opt.hosts && probed != a->target;
}

static void arpscan_reply(const struct synth *s, const struct attack *a,
                          struct pkt *k, uint32_t probe)
{
    uint8_t mac[6];

    memset(k, 0, sizeof *k);
    k->vlan = vlan_of(s, a->target, a->target);
    ep_mac(a->target, mac);
    arp_fill(k, 2, arpscan_host(probe), a->target, mac);
}

static void icmpflood_probe(struct synth *s, struct attack *a, struct pkt *k)
{
    pkt_raw4(s, k, random_public_v4(s), a->target, IPPROTO_ICMP_);
    k->icmp_type = 8;
    k->ident = (uint16_t)rng_next(&s->rng);
    k->counter = (uint16_t)a->probes;
    k->pay = PAY_PING;
    k->paylen = small(s) ? SMALL_ICMP_PAYLOAD : 56;
}

static void udpamp_probe(struct synth *s, struct attack *a, struct pkt *k)
{
    bool ntp = rng_chance(&s->rng, 3);

    pkt_raw4(s, k, random_public_v4(s), a->target, IPPROTO_UDP_);
    k->sport = ntp ? 123 : 53;
    k->dport = a->sport;
    k->ident = (uint16_t)rng_next(&s->rng);
    k->pay = ntp ? PAY_NTP_MONLIST : PAY_DNS_AMP;
    k->paylen = ntp ? 440 : (uint16_t)(1200 + rng_below(&s->rng, 272));
}

static void exfil_probe(struct synth *s, struct attack *a, struct pkt *k)
{
    tcp_step(s, &a->conv, k);
    /* The drop host is outside the model's address plan. */
    if (k->src4 == ep_v4(a->conv.server))
        k->src4 = ADDR_DROP;
    else
        k->dst4 = ADDR_DROP;
}

/* The attack's next own packet; returns whether it will be answered. */
static bool attack_probe(struct synth *s, struct attack *a, struct pkt *k)
{
    switch (a->spec.kind) {
    case ATTACK_SYNFLOOD:
        synflood_probe(s, a, k);
        return false;
    case ATTACK_HSCAN:
        return scan_probe(s, a, k, ADDR_SCANNER_H, hscan_host(s, a->probes),
                          445);
    case ATTACK_VSCAN:
        return scan_probe(s, a, k, ADDR_SCANNER_V, a->target,
                          vscan_port(a->probes));
    case ATTACK_ARPSCAN:
        return arpscan_probe(s, a, k);
    case ATTACK_ICMPFLOOD:
        icmpflood_probe(s, a, k);
        return false;
    case ATTACK_UDPAMP:
        udpamp_probe(s, a, k);
        return false;
    default:
        exfil_probe(s, a, k);
        return false;
    }
}

static void attack_reply(const struct synth *s, const struct attack *a,
                         struct pkt *k, uint32_t probe)
{
    if (a->spec.kind == ATTACK_HSCAN)
        scan_reply(s, a, k, probe, ADDR_SCANNER_H, hscan_host(s, probe), 445);
    else if (a->spec.kind == ATTACK_VSCAN)
        scan_reply(s, a, k, probe, ADDR_SCANNER_V, a->target,
                   vscan_port(probe));
    else
        arpscan_reply(s, a, k, probe);
}

/* Picks the attack's next packet: an answer due before the next probe,
 * the next probe while the window lasts, or nothing (done). The
 * exfiltration session runs to its end whatever the window. */
static void attack_schedule(struct attack *a)
{
    bool probing = a->spec.kind == ATTACK_EXFIL ? a->conv.phase != TCP_P_DONE
                                                : a->probe_ns < a->end_ns;
    bool answer = a->reply_len > 0 &&
                  (!probing || a->reply_ns[a->reply_head] <= a->probe_ns);

    a->next_is_reply = answer;
    if (answer)
        a->next_ns = a->reply_ns[a->reply_head];
    else if (probing)
        a->next_ns = a->probe_ns;
    else
        a->done = true;
}

static void attack_step(struct synth *s, struct attack *a, struct pkt *k)
{
    if (a->next_is_reply) {
        attack_reply(s, a, k, reply_pop(a));
    } else {
        if (attack_probe(s, a, k))
            reply_push(s, a);
        a->probes++;
        a->probe_ns += attack_gap(s, a);
    }
    a->packets++;
    attack_schedule(a);
}

static void attack_init(struct synth *s, struct attack *a,
                        const struct attack_spec *spec)
{
    const struct attack_info *info = &attack_infos[spec->kind];

    memset(a, 0, sizeof *a);
    a->spec = *spec;
    a->rate = spec->rate > 0 ? spec->rate
                             : fmax(1.0, info->rate_factor * s->opt.rate);
    a->start_ns = (uint64_t)(spec->start * 1e9);
    a->end_ns = (uint64_t)((spec->start + spec->duration) * 1e9);
    a->next_ns = a->start_ns;
    a->probe_ns = a->start_ns;
    a->sport = (uint16_t)(40000 + rng_below(&s->rng, 20000));
    switch (spec->kind) {
    case ATTACK_SYNFLOOD:
    case ATTACK_ICMPFLOOD:
        a->target = EP_ID(EP_INFRA, INFRA_WEB);
        break;
    case ATTACK_VSCAN:
        a->target = EP_ID(EP_INFRA, INFRA_FILES);
        break;
    case ATTACK_EXFIL:
        a->target = EP_ID(EP_LOCAL, s->opt.hosts / 3);
        a->conv.kind = CONV_TCP;
        a->conv.client = a->target;
        a->conv.server = EP_ID(EP_REMOTE, 0);
        a->conv.cport = ephemeral_port(s);
        a->conv.sport = 443;
        a->conv.upload = true;
        a->conv.large = true;
        a->conv.xfer = XFER_BULK;
        a->conv.rounds = 1;
        break;
    default:
        a->target = EP_ID(EP_LOCAL, s->opt.hosts / 2);
        break;
    }
}

/* Exfiltration is one session whose length follows from the rate: each
 * pair of full segments is followed by one acknowledgement. */
static void exfil_plan(struct attack *a)
{
    double packets = a->rate * a->spec.duration;

    a->conv.left = (uint32_t)fmax(2.0, packets * 2.0 / 3.0);
}

/* The active attack whose next packet comes first, or NULL. */
static struct attack *attack_next(struct synth *s)
{
    struct attack *best = NULL;

    for (size_t i = 0; i < s->n_attacks; i++) {
        struct attack *a = &s->attacks[i];
        if (!a->done && (best == NULL || a->next_ns < best->next_ns))
            best = a;
    }
    return best;
}

/* ---------------------------------------------------------------------- */
/* Main loop. */

static void synth_run(struct synth *s)
{
    struct pkt k;

    s->bg_next_ns = 0;
    for (;;) {
        struct attack *a = attack_next(s);
        bool from_attack = a != NULL && a->next_ns <= s->bg_next_ns;
        uint64_t now = from_attack ? a->next_ns : s->bg_next_ns;

        if (s->limit_ns != 0 && now >= s->limit_ns)
            break;
        if (s->opt.packets != 0 && s->written >= s->opt.packets)
            break;
        s->now_ns = now;
        if (from_attack) {
            attack_step(s, a, &k);
        } else {
            background_step(s, &k);
            s->bg_next_ns = now + background_gap(s);
        }
        emit(s, &k);
        if (s->out.error != 0)
            break;
    }
}

/* Runs the conversations for a while without writing anything, so that
 * the capture starts in the middle of established traffic rather than
 * with every session opening at once. */
static void synth_warm_up(struct synth *s)
{
    struct pkt k;

    for (int i = 0; i < SYNTH_POOL * 32; i++)
        background_step(s, &k);
}

static void synth_init(struct synth *s)
{
    rng_seed(&s->rng, s->opt.seed);
    for (size_t i = 0; i < sizeof s->noise; i++)
        s->noise[i] = (uint8_t)rng_next(&s->rng);
    s->start_ns = s->opt.start * 1000000000u;
    s->limit_ns = (uint64_t)(s->opt.duration * 1e9);
    s->remotes = s->opt.hosts / 4 + 16;
    if (s->remotes > SYNTH_REMOTE_MAX)
        s->remotes = SYNTH_REMOTE_MAX;
    s->cycle_s = s->opt.duration > 0 ? s->opt.duration
                                     : (double)s->opt.packets / s->opt.rate;
    s->rate_sec = 0;
    s->rate_now = s->opt.rate * (1.0 - s->opt.variation);
    s->ipid = (uint16_t)rng_next(&s->rng);
    s->n_attacks = s->opt.n_attacks;
    for (size_t i = 0; i < s->n_attacks; i++) {
        attack_init(s, &s->attacks[i], &s->opt.attacks[i]);
        if (s->attacks[i].spec.kind == ATTACK_EXFIL)
            exfil_plan(&s->attacks[i]);
    }
    synth_warm_up(s);
}

/* ---------------------------------------------------------------------- */
/* Ground truth. */

static void json_string(FILE *f, const char *str)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)str; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(f, "\\u%04x", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

static void format_v4(uint32_t a, char *buf, size_t n)
{
    snprintf(buf, n, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255,
             a & 255);
}

/* Where the attack comes from and what it aims at, as text. */
static void attack_ends(const struct synth *s, const struct attack *a,
                        char *src, char *dst, size_t n)
{
    char ip[16], ip2[16];

    format_v4(ep_v4(a->target), ip, sizeof ip);
    switch (a->spec.kind) {
    case ATTACK_SYNFLOOD:
    case ATTACK_ICMPFLOOD:
    case ATTACK_UDPAMP:
        snprintf(src, n, "spoofed");
        snprintf(dst, n, "%s%s", ip,
                 a->spec.kind == ATTACK_SYNFLOOD ? ":80" : "");
        break;
    case ATTACK_HSCAN:
        format_v4(ep_v4(EP_ID(EP_LOCAL, 0)), ip, sizeof ip);
        format_v4(ep_v4(EP_ID(EP_LOCAL, s->opt.hosts - 1)), ip2, sizeof ip2);
        format_v4(ADDR_SCANNER_H, src, n);
        snprintf(dst, n, "%s-%s:445", ip, ip2);
        break;
    case ATTACK_VSCAN:
        format_v4(ADDR_SCANNER_V, src, n);
        snprintf(dst, n, "%s", ip);
        break;
    case ATTACK_ARPSCAN:
        snprintf(src, n, "%s", ip);
        snprintf(dst, n, "10.1.0.0/16");
        break;
    default:
        snprintf(src, n, "%s", ip);
        format_v4(ADDR_DROP, ip, sizeof ip);
        snprintf(dst, n, "%s:443", ip);
        break;
    }
}

static void attack_window(const struct synth *s, const struct attack *a,
                          double *start, double *end)
{
    double total = (double)s->now_ns / 1e9;

    *start = a->spec.start;
    *end = a->spec.start + a->spec.duration;
    if (*end > total)
        *end = total;
    if (*start > *end)
        *start = *end;
}

static void truth_json_attack(FILE *f, const struct synth *s,
                              const struct attack *a)
{
    const struct attack_info *info = &attack_infos[a->spec.kind];
    double start, end;
    char source[64], target[64];
    bool first = true;

    attack_window(s, a, &start, &end);
    attack_ends(s, a, source, target, sizeof target);
    fprintf(f, "    {\"kind\": \"%s\", \"description\": \"%s\",\n", info->name,
            info->what);
    fprintf(f, "     \"start_s\": %.6f, \"end_s\": %.6f,\n", start, end);
    fprintf(f,
            "     \"start_unix_ns\": %" PRIu64 ", \"end_unix_ns\": %" PRIu64
            ",\n",
            s->start_ns + (uint64_t)(start * 1e9),
            s->start_ns + (uint64_t)(end * 1e9));
    fprintf(f, "     \"rate_pps\": %.3f, \"packets\": %" PRIu64 ",\n", a->rate,
            a->packets);
    fprintf(f, "     \"source\": \"%s\", \"target\": \"%s\",\n", source,
            target);
    fprintf(f, "     \"moves\": {");
    for (size_t i = 0; i < 8 && info->moves[i].stat != NULL; i++) {
        if (info->moves[i].mixed_only && small(s))
            continue;
        fprintf(f, "%s\"%s\": \"%s\"", first ? "" : ", ", info->moves[i].stat,
                info->moves[i].dir);
        first = false;
    }
    fprintf(f, "}}");
}

static void truth_json(FILE *f, const struct synth *s)
{
    const struct options *o = &s->opt;

    fprintf(f, "{\n  \"generator\": \"netspot-synth %s\",\n  \"capture\": ",
            NETSPOT_VERSION);
    json_string(f, o->output);
    fprintf(f, ",\n  \"format\": \"%s\", \"timestamps\": \"%s\",",
            o->format == FORMAT_PCAP ? "pcap" : "pcapng",
            o->nanosecond ? "ns" : "us");
    fprintf(f, " \"snaplen\": %" PRIu32 ",\n  \"vlans\": [", o->snaplen);
    for (size_t i = 0; i < o->n_vlans; i++)
        fprintf(f, "%s%u", i ? ", " : "", o->vlans[i]);
    fprintf(f, "],\n  \"preset\": ");
    if (o->preset != NULL)
        json_string(f, o->preset);
    else
        fprintf(f, "null");
    fprintf(f,
            ",\n  \"seed\": %" PRIu64 ", \"sizes\": \"%s\", \"hosts\": %" PRIu32
            ", \"rate_pps\": %.3f,\n",
            o->seed, small(s) ? "small" : "mixed", o->hosts, o->rate);
    fprintf(f,
            "  \"start_unix_ns\": %" PRIu64 ", \"end_unix_ns\": %" PRIu64
            ",\n  \"duration_s\": %.6f, \"packets\": %" PRIu64 ",\n",
            s->start_ns, s->start_ns + s->now_ns, (double)s->now_ns / 1e9,
            s->written);
    fprintf(f, "  \"attacks\": [");
    for (size_t i = 0; i < s->n_attacks; i++) {
        fprintf(f, "%s\n", i ? "," : "");
        truth_json_attack(f, s, &s->attacks[i]);
    }
    fprintf(f, "%s]\n}\n", s->n_attacks ? "\n  " : "");
}

static void truth_csv(FILE *f, const struct synth *s)
{
    fprintf(f, "kind,start_s,end_s,start_unix_ns,end_unix_ns,rate_pps,"
               "packets,source,target,moves\n");
    for (size_t i = 0; i < s->n_attacks; i++) {
        const struct attack *a = &s->attacks[i];
        const struct attack_info *info = &attack_infos[a->spec.kind];
        double start, end;
        char source[64], target[64];
        bool first = true;

        attack_window(s, a, &start, &end);
        attack_ends(s, a, source, target, sizeof target);
        fprintf(f,
                "%s,%.6f,%.6f,%" PRIu64 ",%" PRIu64 ",%.3f,%" PRIu64 ",%s,%s,",
                info->name, start, end, s->start_ns + (uint64_t)(start * 1e9),
                s->start_ns + (uint64_t)(end * 1e9), a->rate, a->packets,
                source, target);
        for (size_t j = 0; j < 8 && info->moves[j].stat != NULL; j++) {
            if (info->moves[j].mixed_only && small(s))
                continue;
            fprintf(f, "%s%s:%s", first ? "" : ";", info->moves[j].stat,
                    info->moves[j].dir);
            first = false;
        }
        fputc('\n', f);
    }
}

static bool ends_with(const char *str, const char *suffix)
{
    size_t n = strlen(str), m = strlen(suffix);

    return n >= m && strcmp(str + n - m, suffix) == 0;
}

static int truth_write(const struct synth *s, const char *path)
{
    FILE *f = fopen(path, "w");
    int err;

    if (f == NULL)
        return errno;
    if (ends_with(path, ".csv"))
        truth_csv(f, s);
    else
        truth_json(f, s);
    err = ferror(f) ? (errno != 0 ? errno : EIO) : 0;
    if (fclose(f) != 0 && err == 0)
        err = errno != 0 ? errno : EIO;
    return err;
}

/* ---------------------------------------------------------------------- */
/* Command line. */

static const char usage_text[] =
    "Usage: netspot-synth -o FILE [options]\n"
    "Writes a reproducible synthetic capture with attacks injected at\n"
    "chosen times, and their ground truth in FILE.truth.json.\n"
    "\n"
    "Output:\n"
    "  -o, --output FILE       capture to write (required)\n"
    "      --format pcap|pcapng  file format (default pcap)\n"
    "      --nanosecond        nanosecond timestamps (default microsecond)\n"
    "      --snaplen N         bytes kept of each frame (default 65535)\n"
    "      --truth FILE        ground truth file; .csv gives CSV, anything\n"
    "                          else JSON (default FILE.truth.json)\n"
    "\n"
    "Traffic:\n"
    "  -n, --packets N         stop after N packets (k, M, G suffixes)\n"
    "  -t, --duration SECONDS  stop after this much capture time\n"
    "  -r, --rate PPS          average background packets per second\n"
    "                          (default 1000, or packets/duration)\n"
    "      --hosts N           local hosts (default 1000); remote servers\n"
    "                          number N/4+16, at most 131070\n"
    "      --sizes small|mixed  60-byte frames, or a realistic mix of 60 to\n"
    "                          1514 bytes (default mixed)\n"
    "      --ipv6 PERCENT      share of IPv6 conversations (default 15)\n"
    "      --vlan ID[,ID...]   tag frames with 802.1Q VLANs, hosts spread\n"
    "                          over the list\n"
    "      --variation X       amplitude of the daily rate cycle, 0 to 0.9\n"
    "                          (default 0.3)\n"
    "      --noise X           relative deviation of the rate noise, 0 to 1\n"
    "                          (default 0.05)\n"
    "      --seed N            generator seed (default 1)\n"
    "      --start UNIX        time of the first packet, Unix seconds\n"
    "                          (default 1767261600, 2026-01-01 10:00 UTC)\n"
    "\n"
    "Attacks:\n"
    "  -a, --attack KIND@START+DURATION[:RATE]\n"
    "                          inject an attack START seconds after the\n"
    "                          capture start, for DURATION seconds, at RATE\n"
    "                          packets per second (default: a multiple of\n"
    "                          the background rate); repeatable. KIND is\n"
    "                          synflood, hscan, vscan, arpscan, icmpflood,\n"
    "                          udpamp or exfil.\n"
    "\n"
    "Presets (options given on the command line win):\n"
    "  -p, --preset demo       900 s of calm traffic at 250 packets/s with a\n"
    "                          SYN flood, a vertical scan, an ARP scan and\n"
    "                          an ICMP flood from t=500 s; snaplen 128\n"
    "      --preset bench-small  flat 100000 packets/s of 60-byte frames,\n"
    "                          65536 hosts, 1M packets\n"
    "      --preset bench-mixed  the same with mixed sizes\n"
    "\n"
    "  -h, --help              show this help\n"
    "  -V, --version           show the version\n"
    "\n"
    "Exit status: 0 on success, 1 when the files cannot be written, 2 on a\n"
    "bad option.\n";

__attribute__((format(printf, 1, 2))) static int usage_error(const char *fmt,
                                                             ...)
{
    va_list ap;

    fputs("netspot-synth: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\nTry 'netspot-synth --help' for the options.\n", stderr);
    return SYNTH_EXIT_USAGE;
}

/* Decimal integer with an optional k, M or G (powers of 1000) suffix. */
static bool parse_count(const char *text, uint64_t *out)
{
    char *end;
    uint64_t v, mult = 1;

    if (text[0] < '0' || text[0] > '9')
        return false;
    errno = 0;
    v = strtoull(text, &end, 10);
    if (errno != 0)
        return false;
    if (*end == 'k' || *end == 'K')
        mult = 1000;
    else if (*end == 'M')
        mult = 1000000;
    else if (*end == 'G')
        mult = 1000000000;
    if (mult != 1)
        end++;
    if (*end != '\0' || v > UINT64_MAX / mult)
        return false;
    *out = v * mult;
    return true;
}

static bool parse_number(const char *text, double *out)
{
    char *end;

    errno = 0;
    *out = strtod(text, &end);
    return end != text && *end == '\0' && errno == 0 && isfinite(*out);
}

/* Parses "KIND@START+DURATION[:RATE]". */
static int parse_attack(const char *text, struct attack_spec *a)
{
    const char *at = strchr(text, '@');
    char *end;
    size_t i;

    if (at == NULL)
        return usage_error("--attack %s: expected KIND@START+DURATION", text);
    for (i = 0; i < ATTACK_KINDS; i++) {
        const char *name = attack_infos[i].name;
        if (strlen(name) == (size_t)(at - text) &&
            strncmp(text, name, strlen(name)) == 0)
            break;
    }
    if (i == ATTACK_KINDS)
        return usage_error("--attack %s: unknown kind (synflood, hscan, "
                           "vscan, arpscan, icmpflood, udpamp, exfil)",
                           text);
    a->kind = (enum attack_kind)i;
    a->start = strtod(at + 1, &end);
    if (end == at + 1 || *end != '+' || !(a->start >= 0))
        return usage_error("--attack %s: bad start time", text);
    a->duration = strtod(end + 1, &end);
    if (!(a->duration > 0) || (*end != '\0' && *end != ':'))
        return usage_error("--attack %s: bad duration", text);
    a->rate = 0;
    if (*end == ':' && (!parse_number(end + 1, &a->rate) || !(a->rate > 0)))
        return usage_error("--attack %s: bad rate", text);
    return 0;
}

static int parse_vlans(const char *text, struct options *o)
{
    const char *p = text;

    o->n_vlans = 0;
    while (*p != '\0') {
        char *end;
        unsigned long id;

        if (o->n_vlans == SYNTH_MAX_VLANS)
            return usage_error("--vlan %s: at most %d VLANs", text,
                               SYNTH_MAX_VLANS);
        errno = 0;
        id = strtoul(p, &end, 10);
        if (end == p || errno != 0 || id < 1 || id > 4094)
            return usage_error("--vlan %s: IDs are 1 to 4094", text);
        o->vlans[o->n_vlans++] = (uint16_t)id;
        if (*end == ',')
            end++;
        else if (*end != '\0')
            return usage_error("--vlan %s: expected ID[,ID...]", text);
        p = end;
    }
    if (o->n_vlans == 0)
        return usage_error("--vlan: expected ID[,ID...]");
    return 0;
}

enum long_only {
    OPT_FORMAT = 256,
    OPT_NANOSECOND,
    OPT_SNAPLEN,
    OPT_TRUTH,
    OPT_HOSTS,
    OPT_SIZES,
    OPT_IPV6,
    OPT_VLAN,
    OPT_VARIATION,
    OPT_NOISE,
    OPT_SEED,
    OPT_START,
};

static const struct option long_options[] = {
    {"output", required_argument, NULL, 'o'},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"nanosecond", no_argument, NULL, OPT_NANOSECOND},
    {"snaplen", required_argument, NULL, OPT_SNAPLEN},
    {"truth", required_argument, NULL, OPT_TRUTH},
    {"packets", required_argument, NULL, 'n'},
    {"duration", required_argument, NULL, 't'},
    {"rate", required_argument, NULL, 'r'},
    {"hosts", required_argument, NULL, OPT_HOSTS},
    {"sizes", required_argument, NULL, OPT_SIZES},
    {"ipv6", required_argument, NULL, OPT_IPV6},
    {"vlan", required_argument, NULL, OPT_VLAN},
    {"variation", required_argument, NULL, OPT_VARIATION},
    {"noise", required_argument, NULL, OPT_NOISE},
    {"seed", required_argument, NULL, OPT_SEED},
    {"start", required_argument, NULL, OPT_START},
    {"attack", required_argument, NULL, 'a'},
    {"preset", required_argument, NULL, 'p'},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

static int option_number(const char *name, const char *text, double lo,
                         double hi, double *out)
{
    if (!parse_number(text, out) || *out < lo || *out > hi)
        return usage_error("--%s %s: expected a number from %g to %g", name,
                           text, lo, hi);
    return 0;
}

static int option_count(const char *name, const char *text, uint64_t lo,
                        uint64_t hi, uint64_t *out)
{
    if (!parse_count(text, out) || *out < lo || *out > hi)
        return usage_error("--%s %s: expected an integer from %" PRIu64
                           " to %" PRIu64,
                           name, text, lo, hi);
    return 0;
}

static int option_enum(const char *name, const char *text, const char *a,
                       const char *b, int *out)
{
    if (strcmp(text, a) == 0)
        *out = 0;
    else if (strcmp(text, b) == 0)
        *out = 1;
    else
        return usage_error("--%s %s: expected %s or %s", name, text, a, b);
    return 0;
}

/* One option; returns 0, or an exit status. A flat dispatch: one case
 * per option. */
static int parse_option(int c, const char *arg, struct options *o)
{
    uint64_t n;
    double d;
    int e = 0, rc = 0;

    switch (c) {
    case 'o':
        o->output = arg;
        break;
    case OPT_FORMAT:
        rc = option_enum("format", arg, "pcap", "pcapng", &e);
        o->format = (enum format)e;
        break;
    case OPT_NANOSECOND:
        o->nanosecond = true;
        break;
    case OPT_SNAPLEN:
        rc = option_count("snaplen", arg, 64, 262144, &n);
        o->snaplen = (uint32_t)n;
        o->given |= GIVEN_SNAPLEN;
        break;
    case OPT_TRUTH:
        o->truth = arg;
        break;
    case 'n':
        rc = option_count("packets", arg, 1, UINT64_MAX, &o->packets);
        o->given |= GIVEN_PACKETS;
        break;
    case 't':
        rc = option_number("duration", arg, 0.001, 1e8, &o->duration);
        o->given |= GIVEN_DURATION;
        break;
    case 'r':
        rc = option_number("rate", arg, 0.01, 1e9, &o->rate);
        o->given |= GIVEN_RATE;
        break;
    case OPT_HOSTS:
        rc = option_count("hosts", arg, 2, SYNTH_HOSTS_MAX, &n);
        o->hosts = (uint32_t)n;
        o->given |= GIVEN_HOSTS;
        break;
    case OPT_SIZES:
        rc = option_enum("sizes", arg, "mixed", "small", &e);
        o->sizes = (enum sizes)e;
        o->given |= GIVEN_SIZES;
        break;
    case OPT_IPV6:
        rc = option_number("ipv6", arg, 0, 100, &d);
        o->ipv6 = d / 100.0;
        break;
    case OPT_VLAN:
        rc = parse_vlans(arg, o);
        break;
    case OPT_VARIATION:
        rc = option_number("variation", arg, 0, 0.9, &o->variation);
        o->given |= GIVEN_VARIATION;
        break;
    case OPT_NOISE:
        rc = option_number("noise", arg, 0, 1, &o->noise);
        o->given |= GIVEN_NOISE;
        break;
    case OPT_SEED:
        rc = option_count("seed", arg, 0, UINT64_MAX, &o->seed);
        break;
    case OPT_START:
        rc = option_count("start", arg, 0, 4000000000u, &o->start);
        break;
    case 'a':
        if (o->n_attacks == SYNTH_MAX_ATTACKS)
            return usage_error("--attack: at most %d attacks",
                               SYNTH_MAX_ATTACKS);
        rc = parse_attack(arg, &o->attacks[o->n_attacks++]);
        break;
    case 'p':
        o->preset = arg;
        break;
    default:
        return usage_error("unknown option");
    }
    return rc;
}

static void set_default_d(struct options *o, unsigned bit, double *field,
                          double value)
{
    if (!(o->given & bit))
        *field = value;
}

static void preset_demo(struct options *o)
{
    static const struct attack_spec demo_attacks[] = {
        {ATTACK_SYNFLOOD, 500, 30, 0},
        {ATTACK_VSCAN, 600, 40, 0},
        {ATTACK_ARPSCAN, 700, 30, 0},
        {ATTACK_ICMPFLOOD, 800, 30, 0},
    };

    set_default_d(o, GIVEN_DURATION, &o->duration, 900);
    set_default_d(o, GIVEN_RATE, &o->rate, 250);
    set_default_d(o, GIVEN_VARIATION, &o->variation, 0.2);
    if (!(o->given & GIVEN_HOSTS))
        o->hosts = 200;
    if (!(o->given & GIVEN_SNAPLEN))
        o->snaplen = 128;
    if (o->n_attacks == 0) {
        memcpy(o->attacks, demo_attacks, sizeof demo_attacks);
        o->n_attacks = sizeof demo_attacks / sizeof demo_attacks[0];
        o->preset_attacks = true;
    }
}

static void preset_bench(struct options *o, enum sizes sizes)
{
    if (!(o->given & (GIVEN_PACKETS | GIVEN_DURATION)))
        o->packets = 1000000;
    set_default_d(o, GIVEN_RATE, &o->rate, 100000);
    set_default_d(o, GIVEN_VARIATION, &o->variation, 0);
    set_default_d(o, GIVEN_NOISE, &o->noise, 0);
    if (!(o->given & GIVEN_HOSTS))
        o->hosts = 65536;
    if (!(o->given & GIVEN_SIZES))
        o->sizes = sizes;
}

static int apply_preset(struct options *o)
{
    if (o->preset == NULL)
        return 0;
    if (strcmp(o->preset, "demo") == 0)
        preset_demo(o);
    else if (strcmp(o->preset, "bench-small") == 0)
        preset_bench(o, SIZES_SMALL);
    else if (strcmp(o->preset, "bench-mixed") == 0)
        preset_bench(o, SIZES_MIXED);
    else
        return usage_error("--preset %s: expected demo, bench-small or "
                           "bench-mixed",
                           o->preset);
    return 0;
}

/* Fills in what neither the command line nor the preset set. */
static void apply_defaults(struct options *o)
{
    unsigned both = GIVEN_PACKETS | GIVEN_DURATION;

    if (!(o->given & GIVEN_RATE)) {
        if ((o->given & both) == both)
            o->rate = (double)o->packets / o->duration;
        else if (o->rate == 0)
            o->rate = 1000;
    }
    if (o->packets == 0 && o->duration == 0)
        o->duration = 60;
}

/* An attack must start before the end of a capture of known duration:
 * one that started later would send nothing, yet be listed in the truth
 * file with a window past the capture. */
static int check_attacks(const struct options *o)
{
    if (!(o->duration > 0))
        return 0;
    for (size_t i = 0; i < o->n_attacks; i++) {
        const struct attack_spec *a = &o->attacks[i];

        if (a->start >= o->duration)
            return usage_error("--attack %s@%g+%g%s: starts at %g s, not "
                               "before the end of the capture (--duration "
                               "%g s)",
                               attack_infos[a->kind].name, a->start,
                               a->duration,
                               o->preset_attacks ? " (of the preset)" : "",
                               a->start, o->duration);
    }
    return 0;
}

static void options_init(struct options *o)
{
    memset(o, 0, sizeof *o);
    o->snaplen = 65535;
    o->hosts = 1000;
    o->seed = 1;
    o->start = 1767261600u;
    o->variation = 0.3;
    o->noise = 0.05;
    o->ipv6 = 0.15;
}

/* Parses argv into o; returns -1 to go on, or an exit status. */
static int parse_args(int argc, char **argv, struct options *o)
{
    int c, rc;

    options_init(o);
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:n:t:r:a:p:hV", long_options,
                            NULL)) != -1) {
        if (c == 'h') {
            fputs(usage_text, stdout);
            return SYNTH_EXIT_OK;
        }
        if (c == 'V') {
            printf("netspot-synth %s\n", NETSPOT_VERSION);
            return SYNTH_EXIT_OK;
        }
        if (c == '?')
            return usage_error("unknown option '%s'", argv[optind - 1]);
        if (c == ':')
            return usage_error("option '%s' needs a value", argv[optind - 1]);
        rc = parse_option(c, optarg, o);
        if (rc != 0)
            return rc;
    }
    if (optind < argc)
        return usage_error("unexpected argument '%s'", argv[optind]);
    if (o->output == NULL)
        return usage_error("no output file: give -o FILE");
    rc = apply_preset(o);
    if (rc != 0)
        return rc;
    apply_defaults(o);
    rc = check_attacks(o);
    return rc != 0 ? rc : -1;
}

static char *truth_path(const struct options *o)
{
    size_t n = strlen(o->output) + sizeof ".truth.json";
    char *path;

    if (o->truth != NULL)
        return strdup(o->truth);
    path = malloc(n);
    if (path != NULL)
        snprintf(path, n, "%s.truth.json", o->output);
    return path;
}

static int synth_main(struct synth *s)
{
    char *truth = truth_path(&s->opt);
    int err;

    if (truth == NULL) {
        fprintf(stderr, "netspot-synth: out of memory\n");
        return SYNTH_EXIT_IO;
    }
    err = out_open(&s->out, s->opt.output);
    if (err != 0) {
        fprintf(stderr, "netspot-synth: %s: %s\n", s->opt.output,
                strerror(err));
        free(truth);
        return SYNTH_EXIT_IO;
    }
    synth_init(s);
    if (s->opt.format == FORMAT_PCAP)
        file_header_pcap(s);
    else
        file_header_pcapng(s);
    synth_run(s);
    err = out_close(&s->out);
    if (err != 0) {
        fprintf(stderr, "netspot-synth: %s: write failed: %s\n", s->opt.output,
                strerror(err));
        free(truth);
        return SYNTH_EXIT_IO;
    }
    err = truth_write(s, truth);
    if (err != 0)
        fprintf(stderr, "netspot-synth: %s: %s\n", truth, strerror(err));
    free(truth);
    return err != 0 ? SYNTH_EXIT_IO : SYNTH_EXIT_OK;
}

int main(int argc, char **argv)
{
    struct synth *s = calloc(1, sizeof *s);
    int rc;

    if (s == NULL) {
        fprintf(stderr, "netspot-synth: out of memory\n");
        return SYNTH_EXIT_IO;
    }
    rc = parse_args(argc, argv, &s->opt);
    if (rc < 0)
        rc = synth_main(s);
    free(s);
    return rc;
}
