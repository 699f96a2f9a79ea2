#!/usr/bin/env bash
# Records of a live run: one per period even when no packet arrives, each
# stamped with the end of its period on the wall-clock grid and carrying
# DROPPED; the data file is named after the interface and the start time,
# SIGHUP reopens it, and SIGTERM flushes the last period and closes it.
set -u
. "$(dirname "$0")/lib/live.sh"
live_require
live_setup
input=$(live_input)
failed=0

live_start run -d "$LIVE_RX_IF" -s PERF -s R_SYN -p 500ms -v \
    -f "$LIVE_WORK/data_%s.json"
sleep 1.6
live_replay "$input"
data=$(ls "$LIVE_WORK"/data_*.json 2>/dev/null | head -1)
case "$(basename "${data:-none}")" in
data_"$LIVE_RX_IF"-[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]T[0-9][0-9][0-9][0-9][0-9][0-9].[0-9][0-9][0-9]Z.json) ;;
*) fail "data file name '$data' is not data_IFACE-YYYYMMDDTHHMMSS.mmmZ.json" ;;
esac
# A rotation: the file moves away, SIGHUP makes a new one.
mv "$data" "$LIVE_WORK/rotated.json"
kill -HUP "$LIVE_PID"
sleep 1.2
live_stop TERM
[ "$LIVE_RC" -eq 0 ] || fail "exit status $LIVE_RC after SIGTERM"
grep -q "stopped by a signal" "$LIVE_WORK/err" || fail "no summary line"
[ -s "$data" ] || fail "SIGHUP did not reopen $data"

cat "$LIVE_WORK/rotated.json" "$data" >"$LIVE_WORK/all.json"
if ! cmp -s "$LIVE_WORK/all.json" "$LIVE_WORK/out"; then
    fail "the data files differ from the console records"
fi
n=$(wc -l <"$LIVE_WORK/out")
[ "$n" -ge 8 ] || fail "only $n records in about 5 s of 500 ms periods"
[ "$(grep -c '"DROPPED":0,' "$LIVE_WORK/out")" -eq "$n" ] ||
    fail "a record lacks DROPPED or lost packets"
# Times: multiples of the period, one period apart, none missing.
prev=
while read -r t; do
    [ $((t % 500000000)) -eq 0 ] || fail "time $t is off the 500 ms grid"
    if [ -n "$prev" ] && [ $((t - prev)) -ne 500000000 ]; then
        fail "records $prev and $t are not one period apart"
    fi
    prev=$t
done < <(sed 's/.*"time":\([0-9]*\).*/\1/' "$LIVE_WORK/out")
# Empty periods before the replay have PERF 0 (the first may be null).
[ "$(sed -n 2p "$LIVE_WORK/out" | grep -c '"PERF":0,')" -eq 1 ] ||
    fail "the second, empty period is not PERF 0: $(sed -n 2p "$LIVE_WORK/out")"
echo "$n records, $(grep -c . "$LIVE_WORK/rotated.json") before SIGHUP"
[ "$failed" -eq 0 ]
