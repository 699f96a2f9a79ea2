#!/usr/bin/env bash
# The configuration commands and flags: `netspot defaults` reads back as a
# valid file that shows the same configuration, `config check` and
# `config show` report as documented, and bad flags exit 2.
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
expect 1 "-p: analyzer.period" config show -p 5
expect 0 "--miner.filter TEXT" run --help
expect 0 "Usage: netspot config" config --help
expect 2 "unknown subcommand" config frobnicate
expect 2 "exporter.websocket.alarm is set, but this version has no such" \
    run -d /nonexistent.pcap -s R_SYN --exporter.websocket.alarm true
expect 2 "exporter.websocket.data is set" \
    run -d /nonexistent.pcap -s R_SYN --exporter.websocket.data true
expect 2 "serve: the HTTP API is not part of this version" serve

if [ "$failed" -ne 0 ]; then
    echo "$failed check(s) failed"
    exit 1
fi
echo "all configuration command checks passed"
