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

for filter in "" "tcp"; do
    live_count_check "1 worker${filter:+, filter '$filter'}" "$input" \
        "$filter" --miner.workers 1
done
[ "$failed" -eq 0 ]
