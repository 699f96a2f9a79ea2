#!/usr/bin/env bash
# Replays a capture into a veth pair and counts it live with one worker:
# the additive counters summed over the periods equal the capture file's,
# without a filter and with the BPF filter "tcp".
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
    name="1 worker${filter:+, filter '$filter'}"
    expect=$(live_file_totals "$input" ${filter:+--miner.filter "$filter"})
    live_start counters -d "$LIVE_RX_IF" -p 1s --miner.workers 1 \
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
done
[ "$failed" -eq 0 ]
