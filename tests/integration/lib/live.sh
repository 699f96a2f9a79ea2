# Helpers of the live capture tests (sourced, not a test itself).
#
# Each test makes two network namespaces joined by a veth pair: packets
# are replayed into one end with tcpreplay and netspot listens on the
# other, so that nothing leaves the namespaces. They skip (exit 77) where
# namespaces cannot be made or tcpreplay is missing.

. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

# Checks what the tests need; skips otherwise.
live_require() {
    [ "$(id -u)" -eq 0 ] || test_skip "needs root to make network namespaces"
    command -v ip >/dev/null || test_skip "no 'ip' command (iproute2)"
    command -v tcpreplay >/dev/null || test_skip "tcpreplay is not installed"
    [ -n "${NETSPOT_BIN:-}" ] || test_skip "NETSPOT_BIN is not set"
}

# Makes namespaces $LIVE_TX and $LIVE_RX joined by veth $LIVE_TX_IF and
# $LIVE_RX_IF, and a work folder $LIVE_WORK; removes them at exit.
live_setup() {
    local tag="nsl$$"

    LIVE_TX="${tag}tx" LIVE_RX="${tag}rx"
    LIVE_TX_IF="${tag}t" LIVE_RX_IF="${tag}r"
    LIVE_WORK=$(mktemp -d)
    trap live_cleanup EXIT
    trap 'exit 1' INT TERM
    ip netns add "$LIVE_TX" 2>/dev/null ||
        test_skip "'ip netns add' is not permitted here"
    ip netns add "$LIVE_RX" || exit 1
    # IPv6 would send router solicitations of its own on the link.
    for ns in "$LIVE_TX" "$LIVE_RX"; do
        ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
            net.ipv6.conf.default.disable_ipv6=1 >/dev/null 2>&1
    done
    ip link add "$LIVE_TX_IF" netns "$LIVE_TX" type veth \
        peer name "$LIVE_RX_IF" netns "$LIVE_RX" ||
        test_skip "cannot make a veth pair"
    # Captures may hold frames larger than an Ethernet MTU (offloads).
    ip -n "$LIVE_TX" link set "$LIVE_TX_IF" mtu 65535 up
    ip -n "$LIVE_RX" link set "$LIVE_RX_IF" mtu 65535 up
    ip -n "$LIVE_TX" addr add 198.18.0.1/30 dev "$LIVE_TX_IF"
    ip -n "$LIVE_RX" addr add 198.18.0.2/30 dev "$LIVE_RX_IF"
}

live_cleanup() {
    if [ -n "${LIVE_PID:-}" ]; then
        kill "$LIVE_PID" 2>/dev/null
        wait "$LIVE_PID" 2>/dev/null
    fi
    ip netns del "$LIVE_TX" 2>/dev/null
    ip netns del "$LIVE_RX" 2>/dev/null
    rm -rf "$LIVE_WORK"
}

# Prints the capture to replay: wifi.pcap of the shared data, or a
# synthetic capture.
live_input() {
    local wifi="${NETSPOT_SHARED_DATA:-}/pcaps/wifi.pcap"

    if [ -r "$wifi" ]; then
        echo "$wifi"
        return
    fi
    [ -x "${NETSPOT_SYNTH:-}" ] || test_skip "no wifi.pcap and no netspot-synth"
    "$NETSPOT_SYNTH" -o "$LIVE_WORK/synth.pcap" -n 4000 -t 4 --seed 7 \
        >/dev/null 2>&1 || {
        echo "FAIL: netspot-synth"
        exit 1
    }
    echo "$LIVE_WORK/synth.pcap"
}

# Starts "netspot ARGS..." in the receiving namespace, stdout into
# $LIVE_WORK/out, stderr into $LIVE_WORK/err, and waits until it captures.
live_start() {
    ip netns exec "$LIVE_RX" "$NETSPOT_BIN" "$@" >"$LIVE_WORK/out" \
        2>"$LIVE_WORK/err" &
    LIVE_PID=$!
    for _ in $(seq 50); do
        grep -q "capturing with" "$LIVE_WORK/err" 2>/dev/null && return 0
        kill -0 "$LIVE_PID" 2>/dev/null || break
        sleep 0.1
    done
    echo "FAIL: netspot did not start capturing"
    cat "$LIVE_WORK/err"
    exit 1
}

# Stops netspot with a signal (INT unless given); its status in LIVE_RC.
live_stop() {
    kill -"${1:-INT}" "$LIVE_PID"
    wait "$LIVE_PID"
    LIVE_RC=$?
    LIVE_PID=
}

# Replays a capture into the link at a rate that loses nothing.
live_replay() {
    local out

    out=$(ip netns exec "$LIVE_TX" tcpreplay -i "$LIVE_TX_IF" \
        --pps "${2:-4000}" "$1" 2>&1)
    if ! grep -q "Failed packets: *0$" <<<"$out"; then
        echo "FAIL: tcpreplay did not send every packet"
        grep -E "Actual|Failed" <<<"$out"
        exit 1
    fi
}

# Sums the field KEY of JSON lines.
live_sum() {
    grep -o "\"$2\":[0-9.e+]*" "$1" | cut -d: -f2 |
        awk '{ s += $1 } END { printf "%d\n", s }'
}

# Totals of the additive counters of a capture file, as "KEY=N" lines.
live_file_totals() {
    local f="$1"

    shift
    "$NETSPOT_BIN" counters -d "$f" -p 1000000h -l error "$@" \
        >"$LIVE_WORK/file.json" || exit 1
    for k in $LIVE_KEYS; do
        echo "$k=$(live_sum "$LIVE_WORK/file.json" "$k")"
    done
}

# Counters whose period values add up to the whole run's.
LIVE_KEYS="PKTS IP IP_BYTES SYN ACK FIN RST URG UDP ICMP ARP"

# live_count_check NAME INPUT FILTER NETSPOT_FLAGS...: counts INPUT live,
# through the BPF FILTER when not empty, and checks that the additive
# counters summed over the periods equal the capture file's; failures go
# to $failed. netspot's stderr stays in $LIVE_WORK/err.
live_count_check() {
    local name="$1" input="$2" filter="$3" expect line k want got

    shift 3
    expect=$(live_file_totals "$input" ${filter:+--miner.filter "$filter"})
    live_start counters -d "$LIVE_RX_IF" -p 1s "$@" \
        ${filter:+--miner.filter "$filter"}
    live_replay "$input"
    sleep 1.2
    live_stop INT
    if [ "$LIVE_RC" -ne 0 ]; then
        fail "$name: exit status $LIVE_RC"
        cat "$LIVE_WORK/err"
    fi
    for line in $expect; do
        k=${line%%=*} want=${line#*=}
        got=$(live_sum "$LIVE_WORK/out" "$k")
        [ "$got" = "$want" ] || fail "$name: $k is $got live, $want in the file"
    done
    echo "$name: $(live_sum "$LIVE_WORK/out" PKTS) packets counted live"
}

# Counters that are not additive: distinct counts over the whole run.
LIVE_DISTINCT_KEYS="NB_UNIQ_SRC_ADDR NB_UNIQ_DST_ADDR NB_UNIQ_SRC_PORT
NB_UNIQ_DST_PORT"

# live_distinct_check NAME INPUT NETSPOT_FLAGS...: counts INPUT live in one
# period that outlasts the run (the wall-clock grid of 1000000 h has no
# boundary for a century) and checks that its distinct counts equal those
# of the file in one period; failures go to $failed.
live_distinct_check() {
    local name="$1" input="$2" k want got n

    shift 2
    "$NETSPOT_BIN" counters -d "$input" -p 1000000h -l error \
        >"$LIVE_WORK/file.json" || exit 1
    live_start counters -d "$LIVE_RX_IF" -p 1000000h "$@"
    live_replay "$input"
    sleep 0.5
    live_stop INT
    [ "$LIVE_RC" -eq 0 ] || fail "$name: exit status $LIVE_RC"
    n=$(grep -c . "$LIVE_WORK/out")
    [ "$n" -eq 1 ] || fail "$name: $n records, not one"
    for k in $LIVE_DISTINCT_KEYS; do
        want=$(live_sum "$LIVE_WORK/file.json" "$k")
        got=$(live_sum "$LIVE_WORK/out" "$k")
        [ "$got" = "$want" ] || fail "$name: $k is $got live, $want in the file"
    done
    echo "$name: $(grep -o '"NB_UNIQ_SRC_ADDR":[0-9]*' "$LIVE_WORK/out")" \
        "live as in the file"
}
