#!/usr/bin/env bash
# netspot run with analyzer.detector_state: a second run restores the
# detectors the first saved (its first record already has thresholds); a
# damaged state or one saved with other parameters is refused with a
# warning, and learning starts afresh.
set -u
. "$(dirname "$0")/lib/common.sh"
test_needs NETSPOT_SYNTH NETSPOT_BIN
test_setup
cap="$work/calm.pcap"
state="$work/state"
"$NETSPOT_SYNTH" -o "$cap" --duration 150 --rate 200 >/dev/null 2>&1 ||
    test_skip "netspot-synth failed"

# run NAME [FLAGS...]: one run over the capture; records in NAME.records,
# the log (info level) in NAME.log.
run() {
    local name=$1
    shift
    "$NETSPOT_BIN" run -d "$cap" -p 1s -s R_SYN,TRAFFIC -l info \
        --spot.n_init 100 --spot.level 0.9 --spot.depth 0 \
        --analyzer.detector_state "$state" \
        --exporter.file.data "$work/$name.records" "$@" \
        >/dev/null 2>"$work/$name.log" ||
        fail "$name: netspot run exited $?: $(grep -m1 error "$work/$name.log")"
}
# Whether the first record of NAME has a threshold of TRAFFIC.
first_has_threshold() {
    head -1 "$work/$1.records" | grep -q '"TRAFFIC_UP"'
}

run first
first_has_threshold first && fail "first run: thresholds before calibration"
grep -q '"TRAFFIC_UP"' "$work/first.records" || fail "first run never calibrated"
for stat in R_SYN TRAFFIC; do
    [ -s "$state/$stat.spot" ] || fail "no $stat.spot saved"
done
for tmp in "$state"/*.tmp; do
    [ -e "$tmp" ] && fail "a temporary state file is left: $tmp"
done

run second
first_has_threshold second || fail "second run: not restored"
grep -q "TRAFFIC: detector restored from $state/TRAFFIC.spot" \
    "$work/second.log" || fail "second run: no restore message"

# A damaged state: refused with a warning, learning afresh, kept aside.
sed -i -E 's/^(up\.al) ([0-9]+)$/\1 9\2/' "$state/TRAFFIC.spot"
run damaged
grep -q "TRAFFIC.spot: spot state: .*checksum mismatch.*learning afresh" \
    "$work/damaged.log" || fail "damaged state: no warning"
[ -s "$state/TRAFFIC.spot.bad" ] || fail "damaged state not kept as .bad"
head -1 "$work/damaged.records" | grep -q '"TRAFFIC_UP"' &&
    fail "damaged state: TRAFFIC restored anyway"
head -1 "$work/damaged.records" | grep -q '"R_SYN_UP"' ||
    fail "damaged state: the sound R_SYN state was not restored"
[ -s "$state/TRAFFIC.spot" ] || fail "damaged state: no fresh state saved"

# A state saved with other parameters: refused, learning afresh.
run other --spot.q 5e-3
grep -q "saved with other detector parameters; learning afresh" \
    "$work/other.log" || fail "other parameters: no warning"
first_has_threshold other && fail "other parameters: restored anyway"

[ "$failed" -eq 0 ] && echo "detector state: all checks passed"
[ "$failed" -eq 0 ]
