#!/usr/bin/env bash
# Replays a capture into a veth pair and counts it live with two workers
# in one fanout group: the additive counters summed over the periods equal
# the capture file's, without a filter and with the BPF filter "tcp", and
# both workers had a share of the packets.
set -u
. "$(dirname "$0")/lib/live.sh"
live_require
live_setup
input=$(live_input)
failed=0

check() {
    local name="$1" expect="$2" k want got

    for line in $expect; do
        k=${line%%=*} want=${line#*=}
        got=$(live_sum "$LIVE_WORK/out" "$k")
        if [ "$got" != "$want" ]; then
            echo "FAIL $name: $k is $got live, $want in the file"
            failed=$((failed + 1))
        fi
    done
    echo "$name: $(live_sum "$LIVE_WORK/out" PKTS) packets counted live"
}

for filter in "" "tcp"; do
    name="2 workers${filter:+, filter '$filter'}"
    expect=$(live_file_totals "$input" ${filter:+--miner.filter "$filter"})
    live_start counters -d "$LIVE_RX_IF" -p 1s --miner.workers 2 -l debug \
        ${filter:+--miner.filter "$filter"}
    live_replay "$input"
    sleep 1.2
    live_stop INT
    if [ "$LIVE_RC" -ne 0 ]; then
        echo "FAIL $name: exit status $LIVE_RC"
        cat "$LIVE_WORK/err"
        failed=$((failed + 1))
    fi
    check "$name" "$expect"
    for w in 0 1; do
        n=$(sed -n "s/.*worker $w: \([0-9]*\) packets.*/\1/p" "$LIVE_WORK/err")
        echo "$name: worker $w counted ${n:-no} packets"
        if [ "${n:-0}" -eq 0 ]; then
            echo "FAIL $name: worker $w had no packet"
            failed=$((failed + 1))
        fi
    done
done
[ "$failed" -eq 0 ]
