/*
 * Bounds-checked decoders, one function per protocol. Each receives the
 * bytes that remain after the layer below and never reads past them.
 */
#include "decode/decode.h"

#include <stdbool.h>
#include <string.h>

/* Stacked 802.1Q/802.1ad tags accepted before a frame is called malformed;
 * real networks use one or two. */
#define DECODE_VLAN_MAX 8

/* IPv6 extension headers walked before giving up; RFC 8200 section 4.1
 * recommends each appears at most once or twice. */
#define DECODE_IPV6_EXT_MAX 8

#define ETHERTYPE_IPV4     0x0800u
#define ETHERTYPE_ARP      0x0806u
#define ETHERTYPE_IPV6     0x86ddu
#define ETHERTYPE_VLAN     0x8100u
#define ETHERTYPE_QINQ     0x88a8u
#define ETHERTYPE_QINQ_OLD 0x9100u

#define IPPROTO_NUM_ICMP   1
#define IPPROTO_NUM_TCP    6
#define IPPROTO_NUM_UDP    17
#define IPPROTO_NUM_ICMPV6 58

static const char *const decode_event_names[DECODE_EV_COUNT] = {
#define DECODE_EVENT_NAME(id, name) name,
    DECODE_EVENT_TABLE(DECODE_EVENT_NAME)
#undef DECODE_EVENT_NAME
};

const char *decode_event_name(enum decode_event ev)
{
    return decode_event_names[ev];
}

int decode_event_is_anomaly(enum decode_event ev)
{
    switch (ev) {
    case DECODE_EV_LINK_UNSUPPORTED:
    case DECODE_EV_ETHERTYPE_OTHER:
    case DECODE_EV_IPV4_FRAGMENT:
    case DECODE_EV_IPV6_FRAGMENT:
    case DECODE_EV_IP_OTHER_PROTOCOL:
        return 0;
    default:
        return 1;
    }
}

void decode_stats_merge(struct decode_stats *dst,
                        const struct decode_stats *src)
{
    for (int i = 0; i < DECODE_EV_COUNT; i++)
        dst->events[i] += src->events[i];
}

static inline uint16_t decode_be16(const uint8_t *p)
{
    return (uint16_t)((p[0] << 8) | p[1]);
}

static inline uint32_t decode_be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
           ((uint32_t)p[2] << 8) | p[3];
}

static inline void decode_event(struct decode_stats *st, enum decode_event ev)
{
    st->events[ev]++;
}

/* TCP header, RFC 9293 section 3.1: ports, data offset and flags. */
static void decode_tcp(const uint8_t *p, uint32_t len,
                       struct decode_result *out, struct decode_stats *st)
{
    if (len < 20) {
        decode_event(st, DECODE_EV_TCP_TRUNCATED);
        return;
    }
    if ((p[12] >> 4) < 5) {
        decode_event(st, DECODE_EV_TCP_BAD_OFFSET);
        return;
    }
    out->flags |= DECODE_TCP;
    out->sport = decode_be16(p);
    out->dport = decode_be16(p + 2);
    out->tcp_flags = p[13];
}

/* UDP header, RFC 768. */
static void decode_udp(const uint8_t *p, uint32_t len,
                       struct decode_result *out, struct decode_stats *st)
{
    if (len < 8) {
        decode_event(st, DECODE_EV_UDP_TRUNCATED);
        return;
    }
    out->flags |= DECODE_UDP;
    out->sport = decode_be16(p);
    out->dport = decode_be16(p + 2);
}

/* ICMP (RFC 792) and ICMPv6 (RFC 4443) share type, code and checksum. */
static void decode_icmp(uint32_t len, struct decode_result *out,
                        struct decode_stats *st)
{
    if (len < 4) {
        decode_event(st, DECODE_EV_ICMP_TRUNCATED);
        return;
    }
    out->flags |= DECODE_ICMP;
}

static void decode_transport(uint8_t proto, bool v6, const uint8_t *p,
                             uint32_t len, struct decode_result *out,
                             struct decode_stats *st)
{
    if (proto == IPPROTO_NUM_TCP)
        decode_tcp(p, len, out, st);
    else if (proto == IPPROTO_NUM_UDP)
        decode_udp(p, len, out, st);
    else if (proto == (v6 ? IPPROTO_NUM_ICMPV6 : IPPROTO_NUM_ICMP))
        decode_icmp(len, out, st);
    else
        decode_event(st, DECODE_EV_IP_OTHER_PROTOCOL);
}

/*
 * IPv4, RFC 791. A total length of 0 is taken as the captured length
 * (segmentation offload writes such headers); bytes beyond the total length
 * are link padding. Only the first fragment carries the transport header.
 */
static void decode_ipv4(const uint8_t *p, uint32_t len,
                        struct decode_result *out, struct decode_stats *st)
{
    uint32_t ihl, total, frag;

    if (len < 20) {
        decode_event(st, DECODE_EV_IPV4_TRUNCATED);
        return;
    }
    if ((p[0] >> 4) != 4) {
        decode_event(st, DECODE_EV_IPV4_BAD_VERSION);
        return;
    }
    ihl = (p[0] & 0x0fu) * 4u;
    if (ihl < 20) {
        decode_event(st, DECODE_EV_IPV4_BAD_HEADER_LENGTH);
        return;
    }
    if (ihl > len) {
        decode_event(st, DECODE_EV_IPV4_TRUNCATED);
        return;
    }
    total = decode_be16(p + 2);
    if (total == 0)
        total = len;
    if (total < ihl) {
        decode_event(st, DECODE_EV_IPV4_BAD_TOTAL_LENGTH);
        return;
    }
    out->flags |= DECODE_IPV4;
    out->ip_len = total;
    out->src = p + 12;
    out->dst = p + 16;
    out->addr_len = 4;
    frag = decode_be16(p + 6) & 0x1fffu;
    if (frag != 0) {
        out->flags |= DECODE_FRAGMENT;
        decode_event(st, DECODE_EV_IPV4_FRAGMENT);
        return;
    }
    if (total < len)
        len = total;
    decode_transport(p[9], false, p + ihl, len - ihl, out, st);
}

static bool decode_ipv6_is_ext(uint8_t nh)
{
    return nh == 0 || nh == 43 || nh == 44 || nh == 51 || nh == 60 ||
           nh == 135 || nh == 139 || nh == 140;
}

/* Length of an IPv6 extension header (RFC 8200 section 4), from its
 * first two bytes. */
static uint32_t decode_ipv6_ext_len(uint8_t nh, const uint8_t *p)
{
    if (nh == 44) /* fragment */
        return 8;
    if (nh == 51) /* authentication header, RFC 4302: 4-byte words */
        return ((uint32_t)p[1] + 2u) * 4u;
    return ((uint32_t)p[1] + 1u) * 8u;
}

/* Walks the extension headers of an IPv6 packet to its transport. */
static void decode_ipv6_payload(uint8_t nh, const uint8_t *p, uint32_t len,
                                struct decode_result *out,
                                struct decode_stats *st)
{
    for (int i = 0; i <= DECODE_IPV6_EXT_MAX; i++) {
        uint32_t ext;

        if (!decode_ipv6_is_ext(nh)) {
            decode_transport(nh, true, p, len, out, st);
            return;
        }
        ext = len >= 2 ? decode_ipv6_ext_len(nh, p) : 0;
        if (ext == 0 || ext > len) {
            decode_event(st, DECODE_EV_IPV6_EXT_TRUNCATED);
            return;
        }
        if (nh == 44 && (decode_be16(p + 2) & 0xfff8u) != 0) {
            out->flags |= DECODE_FRAGMENT;
            decode_event(st, DECODE_EV_IPV6_FRAGMENT);
            return;
        }
        nh = p[0];
        p += ext;
        len -= ext;
    }
    decode_event(st, DECODE_EV_IPV6_EXT_TOO_MANY);
}

/* IPv6, RFC 8200. A payload length of 0 (jumbogram) is taken from the
 * captured length. */
static void decode_ipv6(const uint8_t *p, uint32_t len,
                        struct decode_result *out, struct decode_stats *st)
{
    uint32_t payload;

    if (len < 40) {
        decode_event(st, DECODE_EV_IPV6_TRUNCATED);
        return;
    }
    if ((p[0] >> 4) != 6) {
        decode_event(st, DECODE_EV_IPV6_BAD_VERSION);
        return;
    }
    payload = decode_be16(p + 4);
    if (payload == 0)
        payload = len - 40;
    out->flags |= DECODE_IPV6;
    out->ip_len = 40 + payload;
    out->src = p + 8;
    out->dst = p + 24;
    out->addr_len = 16;
    len -= 40;
    if (payload < len)
        len = payload;
    decode_ipv6_payload(p[6], p + 40, len, out, st);
}

/* ARP, RFC 826: fixed part then two hardware and two protocol addresses. */
static void decode_arp(const uint8_t *p, uint32_t len,
                       struct decode_result *out, struct decode_stats *st)
{
    if (len < 8 || len < 8u + 2u * ((uint32_t)p[4] + p[5])) {
        decode_event(st, DECODE_EV_ARP_TRUNCATED);
        return;
    }
    out->flags |= DECODE_ARP;
}

static void decode_ethertype(uint16_t type, const uint8_t *p, uint32_t len,
                             struct decode_result *out, struct decode_stats *st)
{
    if (type == ETHERTYPE_IPV4)
        decode_ipv4(p, len, out, st);
    else if (type == ETHERTYPE_IPV6)
        decode_ipv6(p, len, out, st);
    else if (type == ETHERTYPE_ARP)
        decode_arp(p, len, out, st);
    else
        decode_event(st, DECODE_EV_ETHERTYPE_OTHER);
}

static bool decode_is_vlan(uint16_t type)
{
    return type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ ||
           type == ETHERTYPE_QINQ_OLD;
}

/*
 * Reads the type field at off (off + 2 <= len), walks the stack of
 * 802.1Q / 802.1ad tags (IEEE 802.1Q) it may start, tags of them already
 * seen, then decodes what follows the last type field. Each tag is a
 * 2-byte type then 2 bytes of tag control information.
 */
static void decode_tagged(const uint8_t *p, uint32_t len, uint32_t off,
                          int tags, struct decode_result *out,
                          struct decode_stats *st)
{
    uint16_t type = decode_be16(p + off);

    for (; decode_is_vlan(type); tags++) {
        if (tags == DECODE_VLAN_MAX) {
            decode_event(st, DECODE_EV_VLAN_TOO_DEEP);
            return;
        }
        off += 4;
        if (off + 2 > len) {
            decode_event(st, DECODE_EV_LINK_TRUNCATED);
            return;
        }
        type = decode_be16(p + off);
    }
    off += 2;
    decode_ethertype(type, p + off, len - off, out, st);
}

/* Ethernet II: two addresses, then the type field at offset 12. */
static void decode_ethernet(const uint8_t *p, uint32_t len,
                            struct decode_result *out, struct decode_stats *st)
{
    if (len < 14) {
        decode_event(st, DECODE_EV_LINK_TRUNCATED);
        return;
    }
    decode_tagged(p, len, 12, 0, out, st);
}

/* IP version from the first nibble, for links that carry bare IP. */
static void decode_raw(const uint8_t *p, uint32_t len,
                       struct decode_result *out, struct decode_stats *st)
{
    if (len < 1) {
        decode_event(st, DECODE_EV_LINK_TRUNCATED);
        return;
    }
    if ((p[0] >> 4) == 6)
        decode_ipv6(p, len, out, st);
    else
        decode_ipv4(p, len, out, st);
}

/*
 * BSD loopback: a 4-byte address family, in the capturing host's byte
 * order for LINKTYPE_NULL and in network order for LINKTYPE_LOOP. IPv6 is
 * 10, 24, 28 or 30 depending on the system that wrote the file.
 */
static void decode_loopback(const uint8_t *p, uint32_t len, bool network,
                            struct decode_result *out, struct decode_stats *st)
{
    uint32_t af;

    if (len < 4) {
        decode_event(st, DECODE_EV_LINK_TRUNCATED);
        return;
    }
    af = decode_be32(p);
    if (!network && (af & 0xffff0000u) != 0)
        af = __builtin_bswap32(af);
    if (af == 2)
        decode_ipv4(p + 4, len - 4, out, st);
    else if (af == 10 || af == 24 || af == 28 || af == 30)
        decode_ipv6(p + 4, len - 4, out, st);
    else
        decode_event(st, DECODE_EV_ETHERTYPE_OTHER);
}

/*
 * Linux cooked capture: v1 has the protocol at offset 14 of 16 bytes, v2
 * at offset 0 of 20 bytes. A VLAN protocol means the rest of the tag
 * follows the header (tag control, then the inner type), as libpcap
 * writes the tag it takes back from the kernel on the "any" device.
 */
static void decode_sll(const uint8_t *p, uint32_t len, uint32_t hdr,
                       uint32_t proto_off, struct decode_result *out,
                       struct decode_stats *st)
{
    uint16_t type;

    if (len < hdr) {
        decode_event(st, DECODE_EV_LINK_TRUNCATED);
        return;
    }
    type = decode_be16(p + proto_off);
    if (!decode_is_vlan(type)) {
        decode_ethertype(type, p + hdr, len - hdr, out, st);
        return;
    }
    if (hdr + 4 > len) {
        decode_event(st, DECODE_EV_LINK_TRUNCATED);
        return;
    }
    decode_tagged(p, len, hdr + 2, 1, out, st);
}

void decode_packet(const uint8_t *data, uint32_t caplen, uint32_t linktype,
                   struct decode_result *out, struct decode_stats *st)
{
    /* Fields are valid only under their flags: clearing these is enough. */
    out->flags = 0;
    out->tcp_flags = 0;
    switch (linktype) {
    case DECODE_LINKTYPE_ETHERNET:
        decode_ethernet(data, caplen, out, st);
        break;
    case DECODE_LINKTYPE_LINUX_SLL:
        decode_sll(data, caplen, 16, 14, out, st);
        break;
    case DECODE_LINKTYPE_LINUX_SLL2:
        decode_sll(data, caplen, 20, 0, out, st);
        break;
    case DECODE_LINKTYPE_RAW:
    case DECODE_LINKTYPE_RAW_12:
    case DECODE_LINKTYPE_RAW_14:
    case DECODE_LINKTYPE_IPV4:
    case DECODE_LINKTYPE_IPV6:
        decode_raw(data, caplen, out, st);
        break;
    case DECODE_LINKTYPE_NULL:
        decode_loopback(data, caplen, false, out, st);
        break;
    case DECODE_LINKTYPE_LOOP:
        decode_loopback(data, caplen, true, out, st);
        break;
    default:
        decode_event(st, DECODE_EV_LINK_UNSUPPORTED);
        break;
    }
}
