#!/usr/bin/env bash
# Packets lost by the kernel: a capture buffer of 1 MiB holds a handful of
# 64 KiB frames, and a replay at full speed overflows it. The DROPPED of
# the records then add up to the total of the summary, and each period
# that lost packets is logged. When the machine keeps up and nothing is
# lost, the check is skipped with a message rather than failed.
set -u
. "$(dirname "$0")/lib/live.sh"
live_require
live_setup
input=$(live_input)
failed=0

live_start run -d "$LIVE_RX_IF" -s PERF -p 200ms -v --miner.buffer_size 1 \
    --miner.snapshot_len 65535
for _ in 1 2 3; do
    ip netns exec "$LIVE_TX" tcpreplay -i "$LIVE_TX_IF" --topspeed "$input" \
        >/dev/null 2>&1
done
sleep 0.5
live_stop INT
[ "$LIVE_RC" -eq 0 ] || fail "exit status $LIVE_RC"

records=$(live_sum "$LIVE_WORK/out" DROPPED)
summary=$(sed -n 's/.*: \([0-9]*\) packets dropped by the kernel (.*/\1/p' \
    "$LIVE_WORK/err")
[ -n "$summary" ] || fail "no summary of the lost packets"
logged=$(sed -n 's/^capture: warn: .*: \([0-9]*\) packets dropped by the kernel$/\1/p' \
    "$LIVE_WORK/err" | awk '{ s += $1 } END { print s + 0 }')
if [ "${summary:-0}" -eq 0 ]; then
    echo "no packet was lost at full speed: the DROPPED sum is not checked"
else
    [ "$records" = "$summary" ] ||
        fail "DROPPED adds up to $records, the summary says $summary"
    [ "$logged" = "$summary" ] ||
        fail "the period warnings add up to $logged, the summary says $summary"
    grep -q "^run: warn: $LIVE_RX_IF: $summary packets dropped by the kernel" \
        "$LIVE_WORK/err" || fail "the summary of the losses is not a warning"
    echo "$summary packets lost, as the records and the warnings say"
fi
[ "$failed" -eq 0 ] || cat "$LIVE_WORK/err"
[ "$failed" -eq 0 ]
