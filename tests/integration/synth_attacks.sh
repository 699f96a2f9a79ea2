#!/usr/bin/env bash
# Every attack moves the statistics its ground truth lists, in the
# direction it says: netspot's per-period counters of an attack window are
# compared with those of the calm seconds before it.
set -u
. "$(dirname "$0")/lib/common.sh"
test_needs NETSPOT_SYNTH NETSPOT_BIN -- python3
test_setup
cap="$work/a.pcap"

check() { # check SIZES
    "$NETSPOT_SYNTH" -o "$cap" --duration 200 --rate 500 --sizes "$1" \
        --attack synflood@20+10 --attack hscan@45+10 --attack vscan@70+10 \
        --attack arpscan@95+10 --attack icmpflood@120+10 \
        --attack udpamp@145+10 --attack exfil@170+10 || return 1
    if ! "$NETSPOT_BIN" counters -d "$cap" -p 1s -l error \
        >"$work/counters.json" 2>"$work/err"; then
        echo "skipped: netspot counters failed: $(head -1 "$work/err")"
        return 77
    fi
    python3 - "$cap.truth.json" "$work/counters.json" "$1" <<'PY'
import json, statistics, sys

truth = json.load(open(sys.argv[1]))
periods = [json.loads(l) for l in open(sys.argv[2]) if l.startswith("{")]
start = truth["start_unix_ns"]

def stats(c):
    ip, pkts = c["IP"], c["PKTS"]
    ratio = lambda a, b: a / b if b else 0.0
    return {
        "R_SYN": ratio(c["SYN"], ip), "R_ACK": ratio(c["ACK"], ip),
        "R_ICMP": ratio(c["ICMP"], ip), "R_ARP": ratio(c["ARP"], pkts),
        "R_IP": ratio(ip, pkts), "AVG_PKT_SIZE": ratio(c["IP_BYTES"], ip),
        "R_DST_SRC": ratio(c["NB_UNIQ_DST_ADDR"], c["NB_UNIQ_SRC_ADDR"]),
        "R_DST_SRC_PORT": ratio(c["NB_UNIQ_DST_PORT"],
                                c["NB_UNIQ_SRC_PORT"]),
        "TRAFFIC": ip,
    }

# Period i covers [i, i + 1) seconds from the start; its record carries
# the period's end.
series = {}
for c in periods:
    i = round((c["time"] - start) / 1e9) - 1
    series[i] = stats(c)

failed = 0
for a in truth["attacks"]:
    s0, s1 = int(a["start_s"]), int(a["end_s"])
    inside = [series[i] for i in range(s0 + 1, s1 - 1) if i in series]
    before = [series[i] for i in range(s0 - 15, s0 - 1) if i in series]
    for stat, way in a["moves"].items():
        m_in = statistics.median(p[stat] for p in inside)
        m_out = statistics.median(p[stat] for p in before)
        ok = m_in > m_out if way == "up" else m_in < m_out
        print(f"{'ok  ' if ok else 'FAIL'} {sys.argv[3]} {a['kind']}: "
              f"{stat} {way}: {m_out:.4g} -> {m_in:.4g}")
        failed += not ok
sys.exit(1 if failed else 0)
PY
}

rc=0
for sizes in mixed small; do
    check "$sizes"
    r=$?
    [ "$r" -eq 77 ] && exit 77
    [ "$r" -eq 0 ] || rc=1
done
exit "$rc"
