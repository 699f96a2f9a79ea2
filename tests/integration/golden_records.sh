#!/usr/bin/env bash
# Golden tests: a capture in, the expected JSON records out, byte for byte.
# Each case is a line of tests/data/golden/cases: a name, a capture (a path
# under the shared data, or synth:ARGS for a capture made here by
# netspot-synth), then the flags of netspot run. PERF, which measures the
# machine, is never part of a golden record. Each case runs with both
# readers (native and libpcap), whose output must be the same.
#
#   golden_records.sh           compare
#   golden_records.sh --update  rewrite the expected files
set -u
src="${NETSPOT_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}"
golden="$src/tests/data/golden"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
update=0
[ "${1:-}" = "--update" ] && update=1

passed=0 failed=0 skipped=0

# run_case READER SUFFIX: runs the case $name on $capture with READER,
# records and alarms in $work/$name.records/.alarms plus SUFFIX.
run_case() {
    (cd "$work" &&
        # shellcheck disable=SC2086
        "$NETSPOT_BIN" run -d "$capture" $flags -l error --miner.reader "$1" \
            --exporter.file.data "$work/$name.records$2" \
            --exporter.file.alarm "$work/$name.alarms$2" >/dev/null)
}

while read -r name capture flags; do
    case "$name" in "" | "#"*) continue ;; esac
    if [[ "$capture" == synth:* ]]; then
        # shellcheck disable=SC2086
        "$NETSPOT_SYNTH" ${capture#synth:} -o "$work/$name.pcap" \
            >/dev/null 2>&1 || { echo "FAIL $name: synth"; failed=$((failed + 1)); continue; }
        capture="$work/$name.pcap"
    else
        capture="${NETSPOT_SHARED_DATA:-/nonexistent}/$capture"
        if [ ! -f "$capture" ]; then
            echo "skipped $name: $capture not found (third-party data)"
            skipped=$((skipped + 1))
            continue
        fi
    fi
    run_case native ""
    run_case libpcap .libpcap
    for kind in records alarms; do
        if ! cmp -s "$work/$name.$kind" "$work/$name.$kind.libpcap"; then
            echo "FAIL $name.$kind: the native and libpcap readers differ:"
            diff "$work/$name.$kind.libpcap" "$work/$name.$kind" | head -6
            failed=$((failed + 1))
            continue
        fi
        if [ "$update" -eq 1 ]; then
            cp "$work/$name.$kind" "$golden/$name.$kind"
        elif cmp -s "$work/$name.$kind" "$golden/$name.$kind"; then
            passed=$((passed + 1))
        else
            echo "FAIL $name.$kind differs from the expected output:"
            diff "$golden/$name.$kind" "$work/$name.$kind" | head -6
            failed=$((failed + 1))
        fi
    done
done <"$golden/cases"
[ "$update" -eq 1 ] && { echo "expected files rewritten"; exit 0; }
echo "$passed passed, $failed failed, $skipped skipped"
if [ "$failed" -eq 0 ] && [ "$passed" -eq 0 ]; then
    exit 77
fi
[ "$failed" -eq 0 ]
