#!/usr/bin/env bash
# The socket exporter end to end: the original's example configuration
# (examples/netspot.toml, which sends to two Unix sockets) runs as
# written, with only the device and the socket paths changed, and every
# record and alarm reaches the sockets as it reaches the files. A socket
# nobody listens on stops the run before it starts.
set -u
. "$(dirname "$0")/lib/common.sh"
test_needs NETSPOT_BIN NETSPOT_SYNTH NETSPOT_SOURCE_DIR -- python3
test_setup

"$NETSPOT_SYNTH" --preset demo -o "$work/demo.pcap" >/dev/null 2>&1 ||
    { echo "FAIL: netspot-synth"; exit 1; }

# Two Unix stream listeners that write what they receive to files.
python3 - "$work" <<'PY' &
import os, socket, sys, threading
work = sys.argv[1]
def serve(name):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(os.path.join(work, name + ".sock"))
    s.listen(1)
    open(os.path.join(work, name + ".ready"), "w").close()
    conn, _ = s.accept()
    with open(os.path.join(work, name + ".received"), "wb") as out:
        while True:
            chunk = conn.recv(65536)
            if not chunk:
                break
            out.write(chunk)
threads = [threading.Thread(target=serve, args=(n,)) for n in ("data", "alarm")]
for t in threads:
    t.start()
for t in threads:
    t.join()
PY
listener=$!
for _ in $(seq 50); do
    [ -f "$work/data.ready" ] && [ -f "$work/alarm.ready" ] && break
    sleep 0.1
done

"$NETSPOT_BIN" run -c "$NETSPOT_SOURCE_DIR/examples/netspot.toml" \
    -d "$work/demo.pcap" --spot.depth 0 --spot.n_init 400 \
    --spot.level 0.97 --spot.R_SYN.q 1e-4 \
    --exporter.socket.data "unix://$work/data.sock" \
    --exporter.socket.alarm "unix://$work/alarm.sock" \
    --exporter.file.data "$work/%s.records" \
    --exporter.file.alarm "$work/%s.alarms" >"$work/stdout" 2>"$work/stderr" ||
    fail "run with the example configuration: $(cat "$work/stderr")"
wait "$listener" || fail "the listeners did not finish"

# The socket messages are the file lines plus name, series and type.
python3 - "$work" <<'PY' || fail "socket messages differ from the files"
import json, os, sys
work = sys.argv[1]
def lines(name):
    with open(os.path.join(work, name)) as f:
        return [json.loads(l) for l in f]
for kind, sent in (("records", "data"), ("alarms", "alarm")):
    files = lines("demo." + kind)
    socket = lines(sent + ".received")
    if not files:
        sys.exit(f"no {kind} in the file")
    if len(files) != len(socket):
        sys.exit(f"{kind}: {len(files)} in the file, {len(socket)} on the socket")
    for f, s in zip(files, socket):
        extra = {k: s.pop(k) for k in ("name", "series", "type")}
        if extra != {"name": "netspot", "series": "demo", "type": sent} or f != s:
            sys.exit(f"{kind}: {f} against {s} {extra}")
    print(f"{kind}: {len(files)} identical on the socket")
PY

"$NETSPOT_BIN" run -d "$work/demo.pcap" -s R_SYN \
    --exporter.socket.data "unix://$work/nobody.sock" >/dev/null 2>"$work/err"
rc=$?
[ "$rc" -eq 1 ] || fail "a socket nobody listens on: exit $rc, expected 1"
grep -qF "socket unix://$work/nobody.sock: connect:" "$work/err" ||
    fail "the connect error does not name the socket: $(cat "$work/err")"

[ "$failed" -eq 0 ] || exit 1
echo "socket exporter: example configuration, messages and errors as expected"
