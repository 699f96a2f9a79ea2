#!/usr/bin/env bash
# Bad options exit 2 with a message; a file that cannot be written exits
# 1 naming the file; --help exits 0.
set -u
. "$(dirname "$0")/lib/common.sh"
test_needs NETSPOT_SYNTH
test_setup

expect() { # expect STATUS PATTERN ARGS...
    local want=$1 pattern=$2
    shift 2
    "$NETSPOT_SYNTH" "$@" >"$work/out" 2>"$work/err"
    local rc=$?
    if [ "$rc" -ne "$want" ]; then
        echo "FAIL: netspot-synth $*: exit $rc, expected $want"
        failed=$((failed + 1))
    elif ! grep -q -e "$pattern" "$work/out" "$work/err"; then
        echo "FAIL: netspot-synth $*: no '$pattern' in the output"
        cat "$work/err"
        failed=$((failed + 1))
    fi
}

o=(-o "$work/x.pcap")
expect 0 "Usage" --help
expect 2 "no output file" --packets 10
expect 2 "unknown option" "${o[@]}" --bogus
expect 2 "packets" "${o[@]}" --packets -5
expect 2 "packets" "${o[@]}" --packets 12x
expect 2 "rate" "${o[@]}" --rate 0
expect 2 "format" "${o[@]}" --format gzip
expect 2 "sizes" "${o[@]}" --sizes huge
expect 2 "vlan" "${o[@]}" --vlan 5000
expect 2 "unknown kind" "${o[@]}" --attack teardrop@1+1
expect 2 "bad duration" "${o[@]}" --attack synflood@1+0
expect 2 "bad start" "${o[@]}" --attack synflood@x+1
expect 2 "bad rate" "${o[@]}" --attack synflood@1+1:-3
expect 2 "synflood@100+10: starts at 100 s, not before the end of the capture (--duration 50 s)" \
    "${o[@]}" --attack synflood@100+10 -t 50
expect 2 "exfil@50+1: starts at 50 s" "${o[@]}" --attack exfil@50+1 -t 50
expect 2 "synflood@500+30 (of the preset): starts at 500 s" \
    "${o[@]}" --preset demo -t 300
# One that starts inside the capture and runs past its end is cut there.
if ! "$NETSPOT_SYNTH" "${o[@]}" --attack synflood@49+10 -t 50 2>"$work/err"; then
    echo "FAIL: an attack starting before the end is refused:"
    cat "$work/err"
    failed=$((failed + 1))
fi
expect 2 "preset" "${o[@]}" --preset huge
expect 2 "needs a value" "${o[@]}" --seed
expect 1 "$work/missing/x.pcap" -o "$work/missing/x.pcap" --packets 10
expect 1 "$work/nodir/t.json" -o "$work/y.pcap" --packets 10 \
    --truth "$work/nodir/t.json"
if [ -w /dev/full ]; then
    expect 1 "/dev/full: write failed" -o /dev/full --packets 100000 \
        --truth "$work/full.json"
fi
[ "$failed" -eq 0 ] && echo "ok: errors"
[ "$failed" -eq 0 ] || exit 1
