#!/usr/bin/env bash
# Reads every capture of tcpdump's regression corpus (odd link types,
# truncated and fuzzer-made files) with both readers: no crash, no
# sanitizer report, a clean exit (0, or 1 with a message for a broken
# file), and the same counters from the native reader and from libpcap
# wherever both read the file to its end.
set -u
corpus="${NETSPOT_SHARED_DATA:-}/pcaps/tcpdump-corpus"
if [ ! -d "$corpus" ]; then
    echo "skipped: $corpus not found (third-party data)"
    exit 77
fi
export ASAN_OPTIONS="${ASAN_OPTIONS:-}:exitcode=99"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-}:exitcode=99"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

files=0 failed=0 compared=0 broken=0
for f in "$corpus"/*; do
    files=$((files + 1))
    for reader in native libpcap; do
        # One long period: whole-file totals, whatever odd timestamps hold.
        "$NETSPOT_BIN" counters -d "$f" -p 1000000h -l error \
            --miner.reader "$reader" >"$work/$reader.out" 2>"$work/$reader.err"
        echo $? >"$work/$reader.rc"
        rc=$(cat "$work/$reader.rc")
        if [ "$rc" -gt 1 ] || grep -q -e "runtime error" -e "Sanitizer" \
            "$work/$reader.err"; then
            echo "FAIL $reader $(basename "$f"): exit $rc"
            head -5 "$work/$reader.err"
            failed=$((failed + 1))
        elif [ "$rc" -eq 1 ] && ! [ -s "$work/$reader.err" ]; then
            echo "FAIL $reader $(basename "$f"): exit 1 without a message"
            failed=$((failed + 1))
        fi
    done
    if [ "$(cat "$work/native.rc")" -ne 0 ]; then
        broken=$((broken + 1))
    fi
    if [ "$(cat "$work/native.rc")" -eq 0 ] &&
        [ "$(cat "$work/libpcap.rc")" -eq 0 ]; then
        compared=$((compared + 1))
        # Timestamps past 2038 or with invalid fractions are read as the
        # file format defines them; libpcap differs there, so time fields
        # are left out of the comparison.
        if ! diff <(sed -E 's/"(time|SOURCE_TIME)":-?[0-9]+,?//g' \
            "$work/native.out") \
            <(sed -E 's/"(time|SOURCE_TIME)":-?[0-9]+,?//g' \
                "$work/libpcap.out") >/dev/null; then
            echo "FAIL $(basename "$f"): readers disagree"
            diff "$work/native.out" "$work/libpcap.out" | head -4
            failed=$((failed + 1))
        fi
    fi
done
echo "corpus: $files files, $compared read identically by both readers," \
    "$broken refused or cut short with a message, $failed failures"
echo "$((files * 2 - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
