#!/usr/bin/env bash
# The configuration commands and flags: `netspot defaults` reads back as a
# valid file that shows the same configuration, `config check` and
# `config show` report as documented, flags and their values exit 2 when
# wrong, and a file that cannot be read or is not valid exits 1.
set -u
. "$(dirname "$0")/lib/common.sh"
test_needs NETSPOT_BIN NETSPOT_SOURCE_DIR
test_setup

# expect STATUS PATTERN ARGS...: runs netspot, checks the exit status and
# that stdout or stderr contains PATTERN.
expect() {
    local want=$1 pattern=$2
    shift 2
    "$NETSPOT_BIN" "$@" >"$work/out" 2>"$work/err"
    local rc=$?
    if [ "$rc" -ne "$want" ]; then
        fail "netspot $*: exit $rc, expected $want: $(cat "$work/err")"
    elif ! grep -qF -- "$pattern" "$work/out" "$work/err"; then
        fail "netspot $*: output lacks '$pattern'"
    fi
}

"$NETSPOT_BIN" defaults >"$work/defaults.toml" || fail "defaults failed"
expect 0 "$work/defaults.toml: valid" config check "$work/defaults.toml"
"$NETSPOT_BIN" config show >"$work/show-builtin.toml"
"$NETSPOT_BIN" config show -c "$work/defaults.toml" >"$work/show-file.toml"
cmp -s "$work/show-builtin.toml" "$work/show-file.toml" ||
    fail "defaults do not read back to the built-in configuration"

example="$NETSPOT_SOURCE_DIR/examples/netspot.toml"
expect 0 "netspot.toml: valid" config check "$example"
expect 0 'q = 1e-05' config show -c "$example"
expect 0 'period = "500ms"' config show -c "$example" -p 500ms
expect 0 'stats = ["R_ARP"]' config show -s R_ARP --config "$example"
expect 0 'alarm = "/tmp/a.json"' config show --exporter.file.alarm=/tmp/a.json
expect 0 'filter = "tcp port 80"' config show --miner.filter "tcp port 80"

printf '[analyzer]\nperiod = 1\n' >"$work/bare.toml"
expect 1 'bare.toml:2: analyzer.period: a duration needs a unit' \
    config check "$work/bare.toml"
printf '[miner]\ndevcie = "eth0"\n' >"$work/typo.toml"
expect 1 "did you mean 'miner.device'?" config check "$work/typo.toml"
expect 1 "$work/missing.toml" config show -c "$work/missing.toml"
expect 2 "unknown flag '--miner.devcie'" config show --miner.devcie eth0
expect 2 "unexpected argument" config show eth0
expect 2 "-p: analyzer.period" config show -p 5
expect 2 "-p: analyzer.period" run -p 5 -s PERF
expect 2 "-p: analyzer.period" counters -p 5
expect 2 "'1ns' is shorter than 1ms" run -p 1ns -s PERF
expect 2 "miner.workers: 65 is more than 64" run -s PERF --miner.workers 65
expect 2 "--spot.R_SYN.q: spot.R_SYN.q: 0.5 is outside" \
    run -s PERF --spot.R_SYN.q 0.5
expect 2 "'-d' and '--miner.device' both set miner.device" \
    config show -d a.pcap --miner.device b.pcap
expect 2 "one-letter flags do not combine" config show -vd
expect 2 "-l: '8' is not a log level" config show -l 8

# A configuration file that is missing or not valid exits 1, whatever
# the command.
for cmd in run counters "config show"; do
    # shellcheck disable=SC2086
    expect 1 "$work/missing.toml" $cmd -s PERF -c "$work/missing.toml"
    # shellcheck disable=SC2086
    expect 1 "typo.toml:2: unknown key" $cmd -s PERF -c "$work/typo.toml"
done
printf '[spot.R_SYN]\nq = 0.5\n' >"$work/q.toml"
expect 1 "q.toml:2: spot.R_SYN.q: 0.5 is outside" run -s PERF -c "$work/q.toml"
expect 1 "q.toml:2: spot.R_SYN.q" counters -c "$work/q.toml"
printf 'a = "open\n' >"$work/open.toml"
expect 1 "open.toml:1:10: string not closed before the end of the line" \
    run -s PERF -c "$work/open.toml"
printf '[miner]\nworkers = 100\n' >"$work/workers.toml"
expect 1 "workers.toml:2: miner.workers: 100 is more than 64" \
    run -s PERF -c "$work/workers.toml"
# config check says which of several files failed.
"$NETSPOT_BIN" config check "$work/defaults.toml" "$work/q.toml" \
    >"$work/out" 2>"$work/err"
[ $? -eq 1 ] || fail "config check of a bad file: exit status"
grep -qF "$work/defaults.toml: valid" "$work/out" ||
    fail "config check: the valid file is not reported"
grep -qF "config check: $work/q.toml:2: spot.R_SYN.q" "$work/err" ||
    fail "config check: the failing file is not named: $(cat "$work/err")"

# The original's spellings of flags (Go's flag package).
expect 0 'device = "x.pcap"' config show -miner.device x.pcap
expect 0 'period = "3s"' config show --p 3s
expect 0 'period = "4s"' config show -p=4s
expect 0 'device = "y.pcap"' config show -config "$example" --d y.pcap
expect 0 "Usage: netspot run" run -help
expect 0 "--miner.filter TEXT" run --help
expect 0 "Usage: netspot config" config --help
expect 0 "Usage: netspot config check" config check --help
expect 0 "--miner.device TEXT" counters --help
expect 0 "Usage: netspot COMMAND" help --help
expect 0 "Usage: netspot COMMAND" help
expect 0 "Usage: netspot run" help run
expect 2 "serve: the HTTP API is not part of this version" help serve
expect 2 "unexpected argument 'extra'" ls extra
expect 2 "unknown flag '-x'" ls -x
"$NETSPOT_BIN" >"$work/out" 2>"$work/err"
[ $? -eq 0 ] && grep -qF "Usage: netspot COMMAND" "$work/out" ||
    fail "bare netspot: the help on stdout with status 0 expected"
expect 2 "unknown subcommand" config frobnicate
expect 2 "exporter.websocket.alarm is set, but this version has no such" \
    run -d /nonexistent.pcap -s R_SYN --exporter.websocket.alarm true
expect 2 "exporter.websocket.data is set" \
    run -d /nonexistent.pcap -s R_SYN --exporter.websocket.data true
expect 2 "serve: the HTTP API is not part of this version" serve

# The summary of a run warns about what its zeros would hide: a capture
# without packets, and packets of a link type that is not decoded.
pcap_header() { # LINKTYPE_BYTE
    printf '\xd4\xc3\xb2\xa1\x02\x00\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00'
    printf '\xff\xff\x00\x00%b\x00\x00\x00' "$1"
}
pcap_header '\x01' >"$work/empty.pcap"
expect 0 "empty.pcap: the capture holds no packet" \
    run -d "$work/empty.pcap" -s PERF
{
    pcap_header '\x69' # 105, IEEE 802.11
    for ts in '\xe8' '\xe9'; do
        # seconds, microseconds, captured and wire length (42 bytes)
        printf '%b\x03\x00\x00\x00\x00\x00\x00' "$ts"
        printf '\x2a\x00\x00\x00\x2a\x00\x00\x00'
        head -c 42 /dev/zero
    done
} >"$work/wifi.pcap"
expect 0 "wifi.pcap: 2 packets of a link type netspot does not decode" \
    run -d "$work/wifi.pcap" -s PERF -l warn

if [ "$failed" -ne 0 ]; then
    echo "$failed check(s) failed"
    exit 1
fi
echo "all configuration command checks passed"
