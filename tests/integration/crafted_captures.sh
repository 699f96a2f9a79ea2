#!/usr/bin/env bash
# Small captures written here, byte by byte, for what the shared data does
# not hold: VLAN tags inside Linux cooked captures, bare IP under the link
# types 12 and 14, malformed packets named in the debug line of their
# period, sparse packets whose capture time jumps, and broken pcapng
# files refused with a message naming the cause.
set -u
. "$(dirname "$0")/lib/common.sh"
test_needs NETSPOT_BIN -- python3
test_setup

python3 - "$work" <<'EOF'
import struct, sys

work = sys.argv[1]
T0 = 1700000000

def ipv4_tcp(flags=0x02, doff=5):
    tcp = struct.pack(">HHIIBBHHH", 40000, 80, 1, 0, doff << 4, flags,
                      65535, 0, 0)
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 0, 0, 64, 6,
                     0, bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]))
    return ip + tcp

def pcap(name, linktype, packets):
    with open(f"{work}/{name}", "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535,
                            linktype))
        for t, data in packets:
            sec, usec = int(t), int(round((t - int(t)) * 1e6))
            f.write(struct.pack("<IIII", T0 + sec, usec, len(data),
                                len(data)))
            f.write(data)

def tag(tpid, vid):
    return struct.pack(">HH", tpid, vid)

def sll1(tags, payload):
    # Cooked v1: the protocol field holds the first tag's type; the tag
    # control information and the inner type follow the header.
    head = struct.pack(">HHH8s", 0, 1, 6, b"\x02" * 8)
    if not tags:
        return head + b"\x08\x00" + payload
    rest = b"".join(tags)
    return head + rest[:2] + rest[2:] + b"\x08\x00" + payload

def sll2(tags, payload):
    rest = b"".join(tags)
    proto = rest[:2] if tags else b"\x08\x00"
    head = proto + struct.pack(">HIHBB8s", 0, 1, 1, 0, 6, b"\x02" * 8)
    if not tags:
        return head + payload
    return head + rest[2:] + b"\x08\x00" + payload

stacks = [[tag(0x8100, 10)], [tag(0x88a8, 20), tag(0x8100, 10)],
          [tag(0x9100, 30)], []]
pcap("sll_vlan.pcap", 113,
     [(i * 0.1, sll1(s, ipv4_tcp())) for i, s in enumerate(stacks)])
pcap("sll2_vlan.pcap", 276,
     [(i * 0.1, sll2(s, ipv4_tcp())) for i, s in enumerate(stacks)])
pcap("raw12.pcap", 12, [(i * 0.1, ipv4_tcp()) for i in range(3)])
pcap("raw14.pcap", 14, [(i * 0.1, ipv4_tcp()) for i in range(3)])

eth = b"\x00" * 12 + b"\x08\x00"
good = eth + ipv4_tcp()
pcap("malformed.pcap", 1, [
    (0.1, good),
    (1.2, eth + ipv4_tcp()[:10]),
    (1.3, eth + ipv4_tcp()[:12]),
    (1.4, eth + ipv4_tcp(doff=2)),
    (2.5, good),
])
# Three gaps of more than 100000 periods of 1 s.
pcap("sparse.pcap", 1, [(i * 200000.0, good) for i in range(4)])

def block(kind, body, order="<"):
    n = 12 + len(body)
    return struct.pack(order + "II", kind, n) + body + struct.pack(
        order + "I", n)

def shb(bom=0x1a2b3c4d):
    return block(0x0a0d0d0a, struct.pack("<IHHq", bom, 1, 0, -1))

def idb(tsoffset):
    opts = struct.pack("<HHq", 14, 8, tsoffset) + struct.pack("<HH", 0, 0)
    return block(1, struct.pack("<HHI", 1, 0, 0) + opts)

def epb(ts_us, data):
    pad = data + b"\x00" * (-len(data) % 4)
    return block(6, struct.pack("<IIIII", 0, ts_us >> 32, ts_us & 0xffffffff,
                                len(data), len(data)) + pad)

with open(f"{work}/bad_bom.pcapng", "wb") as f:
    f.write(shb(0x1a2b3c4e) + idb(0) + epb(T0 * 10**6, good))
for name, off in (("offset_pos", 1 << 62), ("offset_neg", -(1 << 62))):
    with open(f"{work}/{name}.pcapng", "wb") as f:
        f.write(shb() + idb(off) + epb(T0 * 10**6, good))
EOF
[ -s "$work/sparse.pcap" ] || { echo "FAIL: python3 wrote no capture"; exit 1; }

# totals FILE READER: the counters of the whole file, one long period.
totals() {
    "$NETSPOT_BIN" counters -d "$work/$1" -p 1000000h -l error \
        --miner.reader "$2" 2>"$work/err" | sed 's/"time":[0-9]*,//'
}

# key FILE READER KEY: one counter of the whole file.
key() {
    totals "$1" "$2" | grep -o "\"$3\":[0-9]*" | cut -d: -f2
}

for f in sll_vlan.pcap sll2_vlan.pcap raw12.pcap raw14.pcap; do
    want=4
    case "$f" in raw*) want=3 ;; esac
    for reader in native libpcap; do
        got=$(key "$f" "$reader" IP)
        [ "$got" = "$want" ] || fail "$f ($reader): IP is '$got', not $want"
        got=$(key "$f" "$reader" SYN)
        [ "$got" = "$want" ] || fail "$f ($reader): SYN is '$got', not $want"
    done
    [ "$(totals "$f" native)" = "$(totals "$f" libpcap)" ] ||
        fail "$f: the readers disagree"
done

# The debug line of each period counts the malformed packets up to its end
# and names the decoder events of the period, though the whole file is
# one batch.
"$NETSPOT_BIN" counters -d "$work/malformed.pcap" -p 1s -l debug \
    >/dev/null 2>"$work/debug"
grep "period ending" "$work/debug" >"$work/periods"
line() { sed -n "$1p" "$work/periods"; }
case "$(line 1)" in
*"0 malformed so far; decoder events: none") ;;
*) fail "period 1: $(line 1)" ;;
esac
case "$(line 2)" in
*"3 malformed so far; decoder events: ipv4_truncated 2, tcp_bad_offset 1") ;;
*) fail "period 2: $(line 2)" ;;
esac
case "$(line 3)" in
*"3 malformed so far; decoder events: none") ;;
*) fail "period 3: $(line 3)" ;;
esac

# A jump of the capture time: the first is shown with its size, the
# others counted at the end.
"$NETSPOT_BIN" counters -d "$work/sparse.pcap" -p 1s -l warn \
    >/dev/null 2>"$work/jumps"
n=$(grep -c "capture time jumps" "$work/jumps")
[ "$n" -eq 1 ] || fail "$n jump warnings, not 1: $(cat "$work/jumps")"
grep -q "jumps 199999.000 s (199999 periods) ahead" "$work/jumps" ||
    fail "the jump is not given in seconds: $(head -1 "$work/jumps")"
grep -q "capture time jumped ahead 3 times in all" "$work/jumps" ||
    fail "no count of the jumps: $(cat "$work/jumps")"

# check_error FILE TEXT: the native reader refuses FILE, naming it, with
# TEXT and no sanitizer report.
check_error() {
    "$NETSPOT_BIN" counters -d "$work/$1" -l error --miner.reader native \
        >/dev/null 2>"$work/err"
    rc=$?
    if [ "$rc" -ne 1 ] || ! grep -q "$1: .*$2" "$work/err" ||
        grep -q "runtime error" "$work/err"; then
        fail "$1: exit $rc, wanted 1 and '$2': $(cat "$work/err")"
    fi
}
check_error bad_bom.pcapng "bad byte-order magic 0x1a2b3c4e"
check_error offset_pos.pcapng "if_tsoffset of 4611686018427387904 s"
check_error offset_neg.pcapng "if_tsoffset of -4611686018427387904 s"

[ "$failed" -eq 0 ] && echo "crafted captures: every check passed"
[ "$failed" -eq 0 ]
