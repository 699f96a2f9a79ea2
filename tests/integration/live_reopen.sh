#!/usr/bin/env bash
# A file exporter whose file cannot be opened again after SIGHUP: its
# folder is rotated away and a regular file takes its name, which stops
# root too. The lines lost are counted as failed exports in the summary,
# and the exporter opens the file again by itself once the folder is back.
set -u
. "$(dirname "$0")/lib/live.sh"
live_require
live_setup
failed=0
dir="$LIVE_WORK/records"
mkdir "$dir"

live_start run -d "$LIVE_RX_IF" -s PERF -p 200ms -v -f "$dir/data.json"
sleep 0.7
mv "$dir" "$LIVE_WORK/rotated"
: >"$dir"
kill -HUP "$LIVE_PID"
sleep 1.1
rm "$dir"
mkdir "$dir"
sleep 0.7
live_stop TERM
# Lost records make the run fail.
[ "$LIVE_RC" -eq 1 ] || fail "exit status $LIVE_RC after SIGTERM, not 1"

grep -q "export: warn: file: .*records/data.json: Not a directory" \
    "$LIVE_WORK/err" || fail "the failed reopen is not logged"
[ -s "$dir/data.json" ] || fail "the file was not opened again"
before=$(grep -c . "$LIVE_WORK/rotated/data.json")
after=$(grep -c . "$dir/data.json")
all=$(grep -c . "$LIVE_WORK/out")
lost=$((all - before - after))
[ "$lost" -ge 3 ] || fail "only $lost records lost while the folder was a file"
summary=$(grep -o "[0-9]* exports of a record or an alarm failed" \
    "$LIVE_WORK/err" | cut -d' ' -f1)
[ "${summary:-0}" = "$lost" ] ||
    fail "the summary counts ${summary:-no} failed exports, $lost were lost"
warnings=$(grep -c "line lost" "$LIVE_WORK/err")
[ "$warnings" -le 1 ] || fail "$warnings lines logged for the lost records"
echo "$all records: $before before SIGHUP, $lost lost, $after after"
[ "$failed" -eq 0 ] || cat "$LIVE_WORK/err"
[ "$failed" -eq 0 ]
