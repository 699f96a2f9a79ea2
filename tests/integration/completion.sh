#!/usr/bin/env bash
# The bash completion script completes commands, flags read from
# `netspot defaults`, statistic names and the words of fixed-set keys.
set -u
. "$(dirname "$0")/lib/common.sh"
test_needs NETSPOT_BIN NETSPOT_SOURCE_DIR
# shellcheck source=/dev/null
source "$NETSPOT_SOURCE_DIR/scripts/netspot.bash-completion"
failed=0

# expect WORD ARGS...: completing the words ARGS (the last one is being
# typed) must offer WORD.
expect() {
    local want=$1
    shift
    COMP_WORDS=("$NETSPOT_BIN" "$@")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMPREPLY=()
    _netspot
    if [[ " ${COMPREPLY[*]} " != *" $want "* ]]; then
        echo "FAIL: '$*' offers '${COMPREPLY[*]}', not '$want'"
        failed=$((failed + 1))
    fi
}

expect run r
expect defaults de
expect --spot.max_excess run --spot.m
expect --exporter.file.alarm run --exporter.file.a
expect --miner.filter counters --miner.f
expect --miner.filter config show --miner.f
expect counters c
expect counters help c
expect spot sp
expect check config c
expect --spot.q spot --spot.q
expect PERF,R_SYN run -s PERF,R_S
expect PERF,R_ARP,R_SYN run -s PERF,R_ARP,R_S
expect PERF,R_ACK run --analyzer.stats PERF,R_A
expect PERF,R_SYN run --analyzer.stats=PERF,R_S
expect R_SYN counters -s R_S
expect root run -Z ro
expect R_SYN run -s R_S
expect R_ARP run --analyzer.stats R_A
expect libpcap run --miner.reader lib
expect csv run --exporter.socket.format c
expect debug run -l de
expect show config s
expect false run --miner.promiscuous f

# refuse WORD ARGS...: completing ARGS must not offer WORD.
refuse() {
    local unwanted=$1
    shift
    COMP_WORDS=("$NETSPOT_BIN" "$@")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMPREPLY=()
    _netspot
    if [[ " ${COMPREPLY[*]} " == *" $unwanted "* ]]; then
        echo "FAIL: '$*' offers '$unwanted'"
        failed=$((failed + 1))
    fi
}

# serve is not part of this version.
refuse serve s
refuse serve help s

if [ "$failed" -ne 0 ]; then
    echo "$failed completion check(s) failed"
    exit 1
fi
echo "all completion checks passed"
