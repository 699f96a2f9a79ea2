#!/usr/bin/env python3
"""Compares netspot's per-period counters on a capture with counts made
independently from tshark's dissection of the same file.

usage: tshark_compare.py NETSPOT CAPTURE PERIOD_SECONDS [NETSPOT FLAGS...]
Prints one line per mismatching period and counter; exits 1 on any.
"""
import json
import subprocess
import sys
from collections import defaultdict

TRANSPORTS = {"tcp", "udp", "icmp", "icmpv6"}
FIELDS = ["frame.time_epoch", "frame.protocols", "ip.len", "ipv6.plen",
          "ip.src", "ip.dst", "ipv6.src", "ipv6.dst", "tcp.flags",
          "ip.flags.mf", "ip.frag_offset", "tcp.srcport", "tcp.dstport"]


def epoch_ns(text):
    sec, _, frac = text.partition(".")
    return int(sec) * 1_000_000_000 + int((frac + "000000000")[:9])


def transport_of(protocols):
    """The transport right after the first IP layer, as netspot reads it."""
    layers = protocols.split(":")
    for i, layer in enumerate(layers):
        if layer in ("ip", "ipv6"):
            for nxt in layers[i + 1:]:
                if nxt.startswith("ipv6."):
                    continue
                return layer, (nxt if nxt in TRANSPORTS else None)
            return layer, None
    return None, None


def tshark_rows(capture):
    cmd = ["tshark", "-n", "-r", capture, "-o", "ip.defragment:FALSE",
           "-o", "ipv6.defragment:FALSE", "-o", "tcp.desegment_tcp_streams:FALSE",
           "-T", "fields", "-E", "occurrence=f", "-E", "separator=\t"]
    for f in FIELDS:
        cmd += ["-e", f]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True)
    for line in out.stdout.splitlines():
        yield dict(zip(FIELDS, line.split("\t")))


def count(capture, period_ns):
    periods = defaultdict(lambda: defaultdict(int))
    addrs = defaultdict(lambda: (set(), set()))
    # Distinct ports are those of TCP packets only (docs/statistics.md),
    # the packets whose flags are counted.
    ports = defaultdict(lambda: (set(), set()))
    start = None
    for row in tshark_rows(capture):
        ts = epoch_ns(row["frame.time_epoch"])
        if start is None:
            start = ts
        k = max(0, (ts - start) // period_ns)
        c = periods[k]
        c["PKTS"] += 1
        ip, transport = transport_of(row["frame.protocols"])
        if ip is None:
            if "arp" in row["frame.protocols"].split(":"):
                c["ARP"] += 1
            continue
        c["IP"] += 1
        if ip == "ip":
            c["IP_BYTES"] += int(row["ip.len"])
            src, dst = row["ip.src"], row["ip.dst"]
            if row["ip.frag_offset"] not in ("", "0"):
                transport = None
        else:
            c["IP_BYTES"] += 40 + int(row["ipv6.plen"])
            src, dst = row["ipv6.src"], row["ipv6.dst"]
        addrs[k][0].add(src)
        addrs[k][1].add(dst)
        if transport == "tcp" and row["tcp.flags"]:
            flags = int(row["tcp.flags"], 16)
            for name, bit in (("FIN", 1), ("SYN", 2), ("RST", 4),
                              ("ACK", 16), ("URG", 32)):
                c[name] += 1 if flags & bit else 0
            ports[k][0].add(int(row["tcp.srcport"]))
            ports[k][1].add(int(row["tcp.dstport"]))
        elif transport == "udp":
            c["UDP"] += 1
        elif transport in ("icmp", "icmpv6"):
            c["ICMP"] += 1
    for k, (s, d) in addrs.items():
        periods[k]["NB_UNIQ_SRC_ADDR"] = len(s)
        periods[k]["NB_UNIQ_DST_ADDR"] = len(d)
    for k, (s, d) in ports.items():
        periods[k]["NB_UNIQ_SRC_PORT"] = len(s)
        periods[k]["NB_UNIQ_DST_PORT"] = len(d)
    return start, periods


def main():
    netspot, capture, period = sys.argv[1], sys.argv[2], float(sys.argv[3])
    period_ns = int(period * 1e9)
    start, expected = count(capture, period_ns)
    out = subprocess.run([netspot, "counters", "-d", capture, "-p",
                          f"{int(period * 1000)}ms", "-l", "error"]
                         + sys.argv[4:],
                         capture_output=True, text=True, check=True)
    got = [json.loads(line) for line in out.stdout.splitlines()]
    bad = 0
    names = ["PKTS", "IP", "IP_BYTES", "SYN", "ACK", "FIN", "RST", "URG",
             "UDP", "ICMP", "ARP", "NB_UNIQ_SRC_ADDR", "NB_UNIQ_DST_ADDR",
             "NB_UNIQ_SRC_PORT", "NB_UNIQ_DST_PORT"]
    if len(got) != max(expected) + 1:
        print(f"{capture}: {len(got)} periods, tshark implies "
              f"{max(expected) + 1}")
        bad += 1
    for k, rec in enumerate(got):
        if rec["time"] != start + (k + 1) * period_ns:
            print(f"{capture}: period {k} ends at {rec['time']}")
            bad += 1
        for name in names:
            want = expected.get(k, {}).get(name, 0)
            if rec[name] != want:
                print(f"{capture}: period {k}: {name} = {rec[name]}, "
                      f"tshark says {want}")
                bad += 1
    total = sum(r["PKTS"] for r in got)
    print(f"{capture}: {len(got)} periods, {total} packets, "
          f"{bad} mismatches")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
