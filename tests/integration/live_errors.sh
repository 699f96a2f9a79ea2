#!/usr/bin/env bash
# What an operator sees when a live capture cannot start: an unknown
# device, an invalid filter, a user that does not exist, missing
# privileges; each exits with status 1 and a message naming the cause.
# Then the capture runs with CAP_NET_RAW alone as an unprivileged user,
# and -Z switches to that user once the capture is open.
set -u
. "$(dirname "$0")/lib/common.sh"
test_needs NETSPOT_BIN
test_setup
checked=0

# expect STATUS TEXT ARGS...: netspot exits with STATUS, stderr has TEXT.
expect() {
    local status="$1" text="$2" rc

    shift 2
    "$@" >"$work/out" 2>"$work/err"
    rc=$?
    checked=$((checked + 1))
    if [ "$rc" -ne "$status" ] || ! grep -qF -- "$text" "$work/err"; then
        echo "FAIL: $* -> exit $rc, wanted $status and '$text':"
        cat "$work/err"
        failed=$((failed + 1))
    fi
}

expect 1 "capture: nosuch0: unknown device: neither an interface" \
    "$NETSPOT_BIN" run -d nosuch0 -s PERF
expect 1 "unknown device" "$NETSPOT_BIN" counters -d /no/such/file.pcap
# The user is looked up before the source is opened.
expect 1 "miner.user: no user named 'nosuchuser0'" \
    "$NETSPOT_BIN" counters -d /no/such/file.pcap -Z nosuchuser0

if [ "$(id -u)" -ne 0 ]; then
    expect 1 "permission denied" "$NETSPOT_BIN" run -d lo -s PERF
    expect 1 "setcap cap_net_raw,cap_net_admin=eip" \
        "$NETSPOT_BIN" run -d lo -s PERF
    echo "$checked checks as an unprivileged user, $failed failed" \
        "(the rest needs root)"
    [ "$failed" -eq 0 ]
    exit
fi

expect 1 "capture: lo: invalid filter 'tcp port':" \
    "$NETSPOT_BIN" run -d lo -s PERF --miner.filter "tcp port"
expect 1 "miner.user: no user named 'nosuchuser0'" \
    "$NETSPOT_BIN" run -d lo -s PERF -Z nosuchuser0 -v
if grep -q "capturing with" "$work/err"; then
    echo "FAIL: the capture opened before the unknown user was refused:"
    cat "$work/err"
    failed=$((failed + 1))
fi
expect 2 "miner.buffer_size: 4000 is more than 2047" \
    "$NETSPOT_BIN" run -d lo -s PERF --miner.buffer_size 4000

user=nobody
if ! id "$user" >/dev/null 2>&1 || ! command -v setpriv >/dev/null; then
    echo "$checked checks, $failed failed (no setpriv or no user $user:" \
        "privilege checks skipped)"
    [ "$failed" -eq 0 ]
    exit
fi
group=$(id -gn "$user")
as_user() {
    setpriv --reuid="$user" --regid="$group" --clear-groups "$@"
}
expect 1 "capture: lo: permission denied" as_user "$NETSPOT_BIN" run -d lo \
    -s PERF
expect 1 "'setcap cap_net_raw,cap_net_admin=eip \$(which netspot)'" \
    as_user "$NETSPOT_BIN" run -d lo -s PERF

# CAP_NET_RAW alone is enough to capture.
expect 0 "stopped by a signal" as_user --inh-caps=+net_raw \
    --ambient-caps=+net_raw --bounding-set=-all,+net_raw \
    timeout --preserve-status -s INT 1.5 "$NETSPOT_BIN" run -d lo -s PERF -p 500ms -v
[ "$(grep -c DROPPED "$work/out")" -ge 2 ] || {
    echo "FAIL: no records with CAP_NET_RAW alone"
    failed=$((failed + 1))
}

# -Z: the capture opens as root, then the process and its files are the
# user's.
chmod 777 "$work"
"$NETSPOT_BIN" run -d lo -s PERF -p 500ms -Z "$user" \
    -f "$work/data_%s.json" 2>"$work/err" &
pid=$!
sleep 1
uid=$(awk '/^Uid:/ { print $2 $3 $4 $5 }' "/proc/$pid/status")
kill -INT "$pid"
wait "$pid"
rc=$?
want=$(id -u "$user")
checked=$((checked + 1))
if [ "$rc" -ne 0 ] || [ "$uid" != "$want$want$want$want" ]; then
    echo "FAIL: -Z $user: exit $rc, uids $uid"
    cat "$work/err"
    failed=$((failed + 1))
fi
owner=$(stat -c %U "$work"/data_lo-*.json 2>/dev/null)
checked=$((checked + 1))
if [ "$owner" != "$user" ]; then
    echo "FAIL: -Z $user: data file owned by '${owner:-nobody, it is missing}'"
    failed=$((failed + 1))
fi
echo "$checked checks, $failed failed"
[ "$failed" -eq 0 ]
