#!/usr/bin/env bash
# miner.workers applies to live capture only: a file is read by one
# thread, so its records are the same with 1, 2 or 4 workers, and a value
# above 1 is noted once in the log.
set -u
. "$(dirname "$0")/lib/common.sh"
test_needs NETSPOT_BIN NETSPOT_SYNTH
test_setup

"$NETSPOT_SYNTH" -o "$work/in.pcap" -n 20000 -t 20 --seed 3 \
    --attack synflood@8+3 >/dev/null 2>&1 || { echo "FAIL: synth"; exit 1; }
for w in 1 2 4; do
    "$NETSPOT_BIN" run -d "$work/in.pcap" -p 1s -v --miner.workers "$w" \
        -s AVG_PKT_SIZE,R_ACK,R_DST_SRC,R_SYN,TRAFFIC \
        --exporter.file.data "$work/$w.records" >/dev/null 2>"$work/$w.err" ||
        fail "$w workers: exit status $?"
    n=$(grep -c "miner.workers ($w) applies to live capture only" \
        "$work/$w.err")
    want=1
    [ "$w" -eq 1 ] && want=0
    [ "$n" -eq "$want" ] || fail "$w workers: the note is logged $n times"
done
[ -s "$work/1.records" ] || fail "no record with 1 worker"
for w in 2 4; do
    cmp -s "$work/1.records" "$work/$w.records" ||
        fail "$w workers: the records differ from 1 worker's"
done
[ "$failed" -eq 0 ] &&
    echo "$(grep -c . "$work/1.records") records, the same with 1, 2, 4 workers"
[ "$failed" -eq 0 ]
