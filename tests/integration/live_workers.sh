#!/usr/bin/env bash
# Replays a capture into a veth pair and counts it live with two workers
# in one fanout group: the additive counters summed over the periods equal
# the capture file's, without a filter and with the BPF filter "tcp", and
# both workers had a share of the packets. The distinct counts of one
# period over the whole run, which workers merge rather than add, equal the
# file's with 2 and 4 workers.
set -u
. "$(dirname "$0")/lib/live.sh"
live_require
live_setup
input=$(live_input)
failed=0

for filter in "" "tcp"; do
    name="2 workers${filter:+, filter '$filter'}"
    live_count_check "$name" "$input" "$filter" --miner.workers 2 -l debug
    for w in 0 1; do
        n=$(sed -n "s/.*worker $w: \([0-9]*\) packets.*/\1/p" "$LIVE_WORK/err")
        echo "$name: worker $w counted ${n:-no} packets"
        [ "${n:-0}" -ne 0 ] || fail "$name: worker $w had no packet"
    done
done
for w in 2 4; do
    live_distinct_check "$w workers, distinct counts" "$input" \
        --miner.workers "$w"
done
[ "$failed" -eq 0 ]
