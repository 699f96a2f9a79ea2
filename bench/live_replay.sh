#!/usr/bin/env bash
# Highest packet rate a live capture sustains with zero loss on this
# machine, for one and two capture workers.
#
# A synthetic capture of small (60-byte) frames is replayed with tcpreplay
# into a veth pair between two network namespaces made here, at rates
# stepped up until netspot loses packets (DROPPED, or fewer packets
# counted than sent). Each run gives the highest rate without loss; the
# report is the median of the runs. Needs root, iproute2 and tcpreplay.
#
# Usage: bench/live_replay.sh [BUILD_DIR]
# Environment: RUNS (default 3), RATES (packets/s, ascending), SECONDS_PER_STEP
# (default 2), WORKERS (default "1 2"), SNAPLEN (default 65535).
set -u
build="${1:-build}"
netspot="$build/netspot"
synth="$build/netspot-synth"
runs="${RUNS:-3}"
rates="${RATES:-20000 40000 60000 80000 100000 125000 150000 175000 200000 250000}"
step_s="${SECONDS_PER_STEP:-2}"
workers_list="${WORKERS:-1 2}"
snaplen="${SNAPLEN:-65535}"

for tool in ip tcpreplay "$netspot" "$synth"; do
    command -v "$tool" >/dev/null || {
        echo "live_replay: $tool not found" >&2
        exit 1
    }
done
[ "$(id -u)" -eq 0 ] || {
    echo "live_replay: needs root (network namespaces)" >&2
    exit 1
}

tag="nsb$$"
tx="${tag}tx" rx="${tag}rx" txif="${tag}t" rxif="${tag}r"
work=$(mktemp -d)
cleanup() {
    ip netns del "$tx" 2>/dev/null
    ip netns del "$rx" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
ip netns add "$tx" && ip netns add "$rx" || exit 1
for ns in "$tx" "$rx"; do
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
        net.ipv6.conf.default.disable_ipv6=1
done
ip link add "$txif" netns "$tx" type veth peer name "$rxif" netns "$rx"
ip -n "$tx" link set "$txif" up
ip -n "$rx" link set "$rxif" up

last_rate=${rates##* }
packets=$((last_rate * step_s))
"$synth" -o "$work/small.pcap" -n "$packets" --sizes small --seed 11 \
    >/dev/null 2>&1 || exit 1

# Packets the sending veth could not hand to the receiving side (its
# backlog was full): lost before any capture could see them.
veth_drops() {
    ip netns exec "$tx" cat "/sys/class/net/$txif/statistics/tx_dropped"
}

# step WORKERS RATE: prints "sent counted dropped achieved_pps veth_lost".
step() {
    local n=$(($2 * step_s)) out sent counted dropped pps pid v0

    ip netns exec "$rx" "$netspot" counters -d "$rxif" -p 1s -l info \
        --miner.workers "$1" --miner.snapshot_len "$snaplen" \
        >"$work/out" 2>"$work/err" &
    pid=$!
    for _ in $(seq 50); do
        grep -q "capturing with" "$work/err" 2>/dev/null && break
        sleep 0.1
    done
    v0=$(veth_drops)
    out=$(ip netns exec "$tx" tcpreplay -i "$txif" --pps "$2" --limit "$n" \
        "$work/small.pcap" 2>&1)
    sleep 1.2
    kill -INT "$pid"
    wait "$pid"
    sent=$(sed -n 's/.*Actual: \([0-9]*\) packets.*/\1/p' <<<"$out")
    pps=$(sed -n 's/.*Mbps, \([0-9.]*\) pps.*/\1/p' <<<"$out")
    counted=$(grep -o '"PKTS":[0-9]*' "$work/out" | cut -d: -f2 |
        awk '{ s += $1 } END { print s + 0 }')
    # One warning per period that lost packets.
    dropped=$(sed -n 's/.*: \([0-9]*\) packets dropped by the kernel$/\1/p' \
        "$work/err" | awk '{ s += $1 } END { print s + 0 }')
    echo "${sent:-0} $counted ${dropped:-0} ${pps%.*} $(($(veth_drops) - v0))"
}

# One run: the highest zero-loss achieved rate for a worker count.
run() {
    local best=0 r res sent counted dropped pps veth

    for r in $rates; do
        res=$(step "$1" "$r")
        read -r sent counted dropped pps veth <<<"$res"
        echo "  workers $1, asked $r pps: sent $sent at $pps pps," \
            "counted $counted, dropped $dropped, lost in the veth $veth" >&2
        if [ "$dropped" -ne 0 ] || [ "$counted" -ne "$sent" ]; then
            break
        fi
        # Achieved rates need not grow with the asked ones: keep the
        # highest.
        [ "${pps:-0}" -gt "$best" ] && best=$pps
    done
    echo "$best"
}

median() {
    sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

echo "Live capture, zero-loss replay rate (60-byte frames, veth pair)"
echo "$(date -u +%Y-%m-%d), $(uname -sr), $(nproc) CPUs," \
    "$(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)"
echo "tcpreplay $(tcpreplay -V 2>&1 | sed -n 's/.*version: *\([^ ]*\).*/\1/p' |
    head -1), $runs runs, rates $rates, snapshot $snaplen"
echo
echo "| workers | zero-loss rate, median (packets/s) | runs |"
echo "|---|---|---|"
for w in $workers_list; do
    results=""
    for _ in $(seq "$runs"); do
        results="$results $(run "$w")"
    done
    m=$(tr ' ' '\n' <<<"$results" | grep . | median)
    echo "| $w | $m | $(echo $results) |"
done
