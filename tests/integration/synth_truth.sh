#!/usr/bin/env bash
# The ground truth is well formed (JSON and CSV), matches the options,
# and counts the packets each attack really put in the capture.
set -u
. "$(dirname "$0")/lib/common.sh"
test_needs NETSPOT_SYNTH -- python3
test_setup
cap="$work/t.pcap"

"$NETSPOT_SYNTH" -o "$cap" --duration 30 --rate 300 --start 1700000000 \
    --attack synflood@5+4:900 --attack vscan@12+3 --attack arpscan@16+2 \
    --attack udpamp@20+2 --attack exfil@25+20 || exit 1
"$NETSPOT_SYNTH" -o "$cap" --duration 30 --rate 300 --start 1700000000 \
    --attack synflood@5+4:900 --attack vscan@12+3 --attack arpscan@16+2 \
    --attack udpamp@20+2 --attack exfil@25+20 --truth "$work/t.csv" ||
    exit 1

python3 - "$cap.truth.json" "$work/t.csv" <<'PY' || failed=$((failed + 1))
import csv, json, sys

truth = json.load(open(sys.argv[1]))
errors = []
def expect(cond, what):
    if not cond:
        errors.append(what)

for key in ("capture", "format", "timestamps", "seed", "start_unix_ns",
            "end_unix_ns", "duration_s", "packets", "attacks"):
    expect(key in truth, f"missing key {key}")
expect(truth["start_unix_ns"] == 1700000000 * 10**9, "start_unix_ns")
expect(truth["duration_s"] <= 30, "duration_s above --duration")
kinds = [a["kind"] for a in truth["attacks"]]
expect(kinds == ["synflood", "vscan", "arpscan", "udpamp", "exfil"],
       f"kinds {kinds}")
for a in truth["attacks"]:
    expect(a["end_s"] >= a["start_s"], f"{a['kind']}: end before start")
    expect(a["start_unix_ns"] == truth["start_unix_ns"]
           + round(a["start_s"] * 1e9), f"{a['kind']}: start_unix_ns")
    expect(a["packets"] > 0, f"{a['kind']}: no packets")
    expect(isinstance(a["moves"], dict) and a["moves"],
           f"{a['kind']}: no moves")
    for stat, d in a["moves"].items():
        expect(d in ("up", "down"), f"{a['kind']}: {stat} moves {d}")
syn = truth["attacks"][0]
expect(abs(syn["packets"] - 3600) < 400, f"synflood packets {syn['packets']}")
expect(syn["rate_pps"] == 900, "synflood rate")
# exfil is cut by the end of the capture.
expect(truth["attacks"][4]["end_s"] <= 30, "exfil end past capture end")

rows = list(csv.DictReader(open(sys.argv[2])))
expect([r["kind"] for r in rows] == kinds, "CSV kinds")
for r, a in zip(rows, truth["attacks"]):
    expect(int(r["packets"]) == a["packets"], f"CSV packets of {r['kind']}")
    expect(int(r["start_unix_ns"]) == a["start_unix_ns"], "CSV start")
for e in errors:
    print("FAIL:", e)
sys.exit(1 if errors else 0)
PY

# The SYN flood's packets, counted in the capture itself.
if command -v tshark >/dev/null; then
    want=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))\
['attacks'][0]['packets'])" "$cap.truth.json")
    got=$(tshark -r "$cap" -Y "ip.dst==10.0.0.10 && tcp.dstport==80 && \
tcp.flags==0x002 && tcp.window_size_value==1024" -T fields -e frame.number \
        2>/dev/null | wc -l)
    if [ "$got" -ne "$want" ]; then
        echo "FAIL: ground truth says $want SYN flood packets, capture has $got"
        failed=$((failed + 1))
    fi
fi

# A run without attacks still writes a truth with an empty list.
"$NETSPOT_SYNTH" -o "$work/calm.pcap" --packets 100 || exit 1
python3 -c "import json,sys; t=json.load(open(sys.argv[1])); \
sys.exit(0 if t['attacks']==[] and t['packets']==100 else 1)" \
    "$work/calm.pcap.truth.json" || {
    echo "FAIL: truth of a capture without attacks"
    failed=$((failed + 1))
}
[ "$failed" -eq 0 ] && echo "ok: ground truth"
[ "$failed" -eq 0 ] || exit 1
