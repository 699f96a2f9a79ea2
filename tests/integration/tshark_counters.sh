#!/usr/bin/env bash
# Per-period counters of every real capture checked against tshark, an
# independent dissector, with both capture readers.
set -u
pcaps="${NETSPOT_SHARED_DATA:-}/pcaps"
if [ ! -d "$pcaps" ]; then
    echo "skipped: $pcaps not found (third-party data)"
    exit 77
fi
if ! command -v tshark >/dev/null; then
    echo "skipped: tshark is not installed"
    exit 77
fi
here=$(dirname "$0")
passed=0 failed=0
for f in "$pcaps"/*.pcap "$pcaps"/*.pcapng; do
    for period in 1 0.25; do
        for reader in native libpcap; do
            if python3 "$here/tshark_compare.py" "$NETSPOT_BIN" "$f" \
                "$period" --miner.reader "$reader" | tail -1; then
                passed=$((passed + 1))
            else
                echo "FAIL: $f, period $period s, $reader reader"
                failed=$((failed + 1))
            fi
        done
    done
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
