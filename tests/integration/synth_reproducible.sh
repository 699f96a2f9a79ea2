#!/usr/bin/env bash
# The same seed and options give byte-identical captures and ground
# truths; another seed gives another capture.
set -u
. "$(dirname "$0")/lib/common.sh"
test_needs NETSPOT_SYNTH
test_setup

run() { # run NAME OPTIONS...
    local name=$1
    shift
    "$NETSPOT_SYNTH" -o "$work/$name" "$@" || {
        echo "FAIL: netspot-synth $* exited $?"
        failed=$((failed + 1))
    }
}

opts=(--packets 20000 --attack synflood@2+3 --attack exfil@5+5)
mkdir "$work/again"
for fmt in pcap pcapng; do
    run a.$fmt --format "$fmt" --seed 7 "${opts[@]}"
    run again/a.$fmt --format "$fmt" --seed 7 "${opts[@]}"
    run c.$fmt --format "$fmt" --seed 8 "${opts[@]}"
    if ! cmp -s "$work/a.$fmt" "$work/again/a.$fmt"; then
        echo "FAIL: $fmt: same seed, different captures"
        failed=$((failed + 1))
    fi
    # The truth names the capture by the path given: strip that line.
    if ! cmp -s <(grep -v '"capture"' "$work/a.$fmt.truth.json") \
        <(grep -v '"capture"' "$work/again/a.$fmt.truth.json"); then
        echo "FAIL: $fmt: same seed, different ground truths"
        failed=$((failed + 1))
    fi
    if cmp -s "$work/a.$fmt" "$work/c.$fmt"; then
        echo "FAIL: $fmt: seeds 7 and 8 gave the same capture"
        failed=$((failed + 1))
    fi
done

# The demo preset, which the README's example depends on.
run demo1.pcap --preset demo
run demo2.pcap --preset demo
cmp -s "$work/demo1.pcap" "$work/demo2.pcap" || {
    echo "FAIL: the demo preset is not reproducible"
    failed=$((failed + 1))
}
size=$(stat -c %s "$work/demo1.pcap")
if [ "$size" -gt 40000000 ]; then
    echo "FAIL: the demo capture is $size bytes, above 40 MB"
    failed=$((failed + 1))
fi
[ "$failed" -eq 0 ] && echo "ok: reproducible (demo is $size bytes)"
[ "$failed" -eq 0 ] || exit 1
