#!/usr/bin/env bash
# netspot-synth writes captures that tshark reads to the end with the
# requested packet count, in every format and option combination, with
# no malformed packet and no bad checksum.
set -u
. "$(dirname "$0")/lib/common.sh"
test_needs NETSPOT_SYNTH -- tshark
test_setup

# check NAME EXPECTED_COUNT ENCAPSULATION_OR_EMPTY SYNTH_OPTIONS...
check() {
    local name=$1 count=$2
    shift 2
    local out="$work/$name"
    if ! "$NETSPOT_SYNTH" -o "$out" "$@" 2>"$work/err"; then
        fail "$name: netspot-synth $*: $(cat "$work/err")"
        return
    fi
    local n
    n=$(tshark -r "$out" -T fields -e frame.number 2>"$work/terr" | wc -l)
    if [ "$n" -ne "$count" ]; then
        fail "$name: tshark read $n packets, expected $count"
        head -3 "$work/terr"
    fi
    # Bad checksums and malformed packets are expert errors.
    local bad
    bad=$(tshark -r "$out" -o ip.check_checksum:TRUE \
        -o tcp.check_checksum:TRUE -o udp.check_checksum:TRUE \
        -Y "_ws.expert.severity >= error || _ws.malformed" \
        -T fields -e frame.number 2>/dev/null | wc -l)
    if [ "$bad" -ne 0 ]; then
        fail "$name: $bad packets with expert errors"
        tshark -r "$out" -o ip.check_checksum:TRUE \
            -o tcp.check_checksum:TRUE -o udp.check_checksum:TRUE \
            -Y "_ws.expert.severity >= error || _ws.malformed" 2>/dev/null |
            head -3
    fi
    echo "ok: $name ($n packets)"
}

attacks=(--attack synflood@1+1 --attack hscan@2+1 --attack vscan@3+1
    --attack arpscan@4+1 --attack icmpflood@5+1 --attack udpamp@6+1
    --attack exfil@7+1)

check pcap_us.pcap 3000 --packets 3000 --rate 500 "${attacks[@]}"
check pcap_ns.pcap 3000 --packets 3000 --rate 500 --nanosecond \
    "${attacks[@]}"
check ng_us.pcapng 3000 --packets 3000 --rate 500 --format pcapng \
    "${attacks[@]}"
check ng_ns.pcapng 3000 --packets 3000 --rate 500 --format pcapng \
    --nanosecond --vlan 10,20,30 "${attacks[@]}"
check small.pcap 5000 --preset bench-small --packets 5000
check mixed.pcap 5000 --preset bench-mixed --packets 5000 --vlan 4094
check snap.pcap 2000 --packets 2000 --snaplen 96 --ipv6 50

# The nanosecond flag shows in the file header's magic number.
magic=$(od -An -tx4 -N4 "$work/pcap_ns.pcap" | tr -d ' ')
[ "$magic" = "a1b23c4d" ] || fail "nanosecond pcap magic is $magic"
magic=$(od -An -tx4 -N4 "$work/pcap_us.pcap" | tr -d ' ')
[ "$magic" = "a1b2c3d4" ] || fail "microsecond pcap magic is $magic"

# --sizes small: every untagged IPv4 and ARP frame is 60 bytes.
sizes=$(tshark -r "$work/small.pcap" -Y "ip || arp" -T fields -e frame.len \
    2>/dev/null | sort -u | tr '\n' ' ')
[ "$sizes" = "60 " ] || fail "small IPv4/ARP frame sizes: $sizes"

# A duration limit stops at that capture time.
check dur.pcap "$(
    "$NETSPOT_SYNTH" -o "$work/dur_ref.pcap" --duration 5 --rate 200 &&
        tshark -r "$work/dur_ref.pcap" -T fields -e frame.number 2>/dev/null |
        wc -l
)" --duration 5 --rate 200
last=$(tshark -r "$work/dur.pcap" -T fields -e frame.time_relative \
    2>/dev/null | tail -1)
awk -v t="$last" 'BEGIN { exit !(t > 4 && t < 5) }' ||
    fail "--duration 5: last packet at $last s"

[ "$failed" -eq 0 ] || exit 1
