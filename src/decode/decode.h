/*
 * Packet decoders: link layers (Ethernet with 802.1Q/QinQ tags, Linux
 * cooked v1 and v2, raw IP, BSD loopback), ARP, IPv4 (options, fragments),
 * IPv6 (extension headers walked to the transport header), TCP, UDP, ICMP
 * and ICMPv6. Every read is bounds-checked against the captured length.
 * A malformed or truncated packet is not an error: it increments a named
 * event counter and the decoding stops at the last valid layer. Nothing is
 * allocated and nothing is logged.
 */
#ifndef NETSPOT_DECODE_DECODE_H
#define NETSPOT_DECODE_DECODE_H

#include <stdint.h>

/* Link types (tcpdump.org LINKTYPE_* values) handled by the decoders.
 * RAW_12 and RAW_14 are bare IP as some systems write it in files: their
 * DLT_RAW value (12, or 14 on OpenBSD) in place of LINKTYPE_RAW. */
#define DECODE_LINKTYPE_NULL       0
#define DECODE_LINKTYPE_ETHERNET   1
#define DECODE_LINKTYPE_RAW_12     12
#define DECODE_LINKTYPE_RAW_14     14
#define DECODE_LINKTYPE_RAW        101
#define DECODE_LINKTYPE_LOOP       108
#define DECODE_LINKTYPE_LINUX_SLL  113
#define DECODE_LINKTYPE_IPV4       228
#define DECODE_LINKTYPE_IPV6       229
#define DECODE_LINKTYPE_LINUX_SLL2 276

/* What a packet holds, as bits of struct decode_result.flags. */
#define DECODE_IPV4     0x01u
#define DECODE_IPV6     0x02u
#define DECODE_IP       (DECODE_IPV4 | DECODE_IPV6)
#define DECODE_ARP      0x04u
#define DECODE_TCP      0x08u
#define DECODE_UDP      0x10u
#define DECODE_ICMP     0x20u /* ICMP over IPv4 or ICMPv6 */
#define DECODE_FRAGMENT 0x40u /* a later fragment: no transport header */

/* TCP flags, as in the header's flags byte (RFC 9293 section 3.1). */
#define DECODE_TCP_FIN 0x01u
#define DECODE_TCP_SYN 0x02u
#define DECODE_TCP_RST 0x04u
#define DECODE_TCP_ACK 0x10u
#define DECODE_TCP_URG 0x20u

struct decode_result {
    uint32_t flags;     /* DECODE_* bits */
    uint32_t ip_len;    /* IP datagram length in bytes, header included */
    const uint8_t *src; /* IP source address in the packet, or NULL */
    const uint8_t *dst; /* IP destination address */
    uint8_t addr_len;   /* 4 or 16 */
    uint8_t tcp_flags;  /* DECODE_TCP_* bits */
    uint16_t sport;     /* TCP or UDP ports, host byte order */
    uint16_t dport;
};

/* Decoder events: malformed or unusual packets, counted by name. */
#define DECODE_EVENT_TABLE(X)                                                  \
    X(LINK_UNSUPPORTED, "link_unsupported")                                    \
    X(LINK_TRUNCATED, "link_truncated")                                        \
    X(VLAN_TOO_DEEP, "vlan_too_deep")                                          \
    X(ETHERTYPE_OTHER, "ethertype_other")                                      \
    X(ARP_TRUNCATED, "arp_truncated")                                          \
    X(IPV4_TRUNCATED, "ipv4_truncated")                                        \
    X(IPV4_BAD_VERSION, "ipv4_bad_version")                                    \
    X(IPV4_BAD_HEADER_LENGTH, "ipv4_bad_header_length")                        \
    X(IPV4_BAD_TOTAL_LENGTH, "ipv4_bad_total_length")                          \
    X(IPV4_FRAGMENT, "ipv4_fragment")                                          \
    X(IPV6_TRUNCATED, "ipv6_truncated")                                        \
    X(IPV6_BAD_VERSION, "ipv6_bad_version")                                    \
    X(IPV6_EXT_TRUNCATED, "ipv6_ext_truncated")                                \
    X(IPV6_EXT_TOO_MANY, "ipv6_ext_too_many")                                  \
    X(IPV6_FRAGMENT, "ipv6_fragment")                                          \
    X(IP_OTHER_PROTOCOL, "ip_other_protocol")                                  \
    X(TCP_TRUNCATED, "tcp_truncated")                                          \
    X(TCP_BAD_OFFSET, "tcp_bad_offset")                                        \
    X(UDP_TRUNCATED, "udp_truncated")                                          \
    X(ICMP_TRUNCATED, "icmp_truncated")

enum decode_event {
#define DECODE_EVENT_ENUM(id, name) DECODE_EV_##id,
    DECODE_EVENT_TABLE(DECODE_EVENT_ENUM)
#undef DECODE_EVENT_ENUM
        DECODE_EV_COUNT
};

/* Per-worker event counters, merged like the packet counters. */
struct decode_stats {
    uint64_t events[DECODE_EV_COUNT];
};

/* Name of an event ("tcp_truncated"). */
const char *decode_event_name(enum decode_event ev);

/*
 * Whether an event marks a malformed packet (truncated, bad field) rather
 * than one netspot merely does not look into (another ethertype, a later
 * fragment).
 */
int decode_event_is_anomaly(enum decode_event ev);

/*
 * Decodes one packet of the given link type. data holds caplen captured
 * bytes. Fills out (flags 0 when nothing is recognised) and increments
 * st->events for what was malformed or unusual.
 */
void decode_packet(const uint8_t *data, uint32_t caplen, uint32_t linktype,
                   struct decode_result *out, struct decode_stats *st);

/* Adds the events of src into dst. */
void decode_stats_merge(struct decode_stats *dst,
                        const struct decode_stats *src);

#endif
