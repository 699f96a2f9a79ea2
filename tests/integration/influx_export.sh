#!/usr/bin/env bash
# The InfluxDB exporter against a small stand-in for InfluxDB 1.x made
# here (python3's http.server): the database is created, every record and
# alarm of a run arrives as a line-protocol point with the values of the
# file exporter, in batches of batch_size, with basic authentication; a
# server that refuses writes costs points and the exit status, not the
# run; a server that cannot be reached stops the run before it starts.
set -u
. "$(dirname "$0")/lib/common.sh"
test_needs NETSPOT_BIN NETSPOT_SYNTH -- python3
test_setup
server=""
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT

# start_server MODE: MODE "ok" accepts every write, "refuse" answers
# writes with status 500. Sets $port and $server; requests go to
# $work/requests, one JSON object per line.
start_server() {
    rm -f "$work/port" "$work/requests"
    python3 - "$work" "$1" <<'PY' &
import http.server, json, os, sys
work, mode = sys.argv[1], sys.argv[2]
log = open(os.path.join(work, "requests"), "a")
class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        log.write(json.dumps({"path": self.path,
                              "auth": self.headers.get("Authorization"),
                              "body": body.decode()}) + "\n")
        log.flush()
        if self.path.startswith("/query"):
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b'{"results":[{"statement_id":0}]}')
        elif mode == "refuse":
            self.send_response(500)
            self.end_headers()
            self.wfile.write(b'{"error":"disk full"}')
        else:
            self.send_response(204)
            self.end_headers()
    def log_message(self, *args):
        pass
httpd = http.server.HTTPServer(("127.0.0.1", 0), Handler)
with open(os.path.join(work, "port.tmp"), "w") as f:
    f.write(str(httpd.server_address[1]))
os.rename(os.path.join(work, "port.tmp"), os.path.join(work, "port"))
httpd.serve_forever()
PY
    server=$!
    for _ in $(seq 50); do
        [ -f "$work/port" ] && break
        sleep 0.1
    done
    port=$(cat "$work/port")
}

stop_server() {
    kill "$server" 2>/dev/null
    wait "$server" 2>/dev/null
    server=""
}

"$NETSPOT_SYNTH" --preset demo -o "$work/demo.pcap" >/dev/null 2>&1 ||
    { echo "FAIL: netspot-synth"; exit 1; }
run_demo() { # run_demo FLAGS...
    "$NETSPOT_BIN" run -d "$work/demo.pcap" -p 1s \
        -s AVG_PKT_SIZE,R_ACK,R_ARP,R_ICMP,R_SYN,TRAFFIC,PERF \
        --spot.depth 0 --spot.n_init 400 --spot.level 0.97 \
        --exporter.influxdb.data true --exporter.influxdb.alarm true \
        --exporter.influxdb.address "http://127.0.0.1:$port" \
        --exporter.influxdb.database "net spot" \
        --exporter.influxdb.batch_size 7 "$@"
}

start_server ok
run_demo --exporter.file.data "$work/%s.records" \
    --exporter.file.alarm "$work/%s.alarms" >/dev/null 2>"$work/err" ||
    fail "run with InfluxDB: $(cat "$work/err")"
stop_server
python3 - "$work" <<'PY' || fail "the points differ from the files"
import base64, json, os, sys, urllib.parse
work = sys.argv[1]
reqs = [json.loads(l) for l in open(os.path.join(work, "requests"))]
auth = "Basic " + base64.b64encode(b"netspot:netspot").decode()
if any(r["auth"] != auth for r in reqs):
    sys.exit("a request without the default credentials")
query = urllib.parse.parse_qs(reqs[0]["body"])["q"][0]
if reqs[0]["path"] != "/query" or query != 'CREATE DATABASE "net spot"':
    sys.exit(f"first request: {reqs[0]}")
writes = reqs[1:]
if any(w["path"] != "/write?db=net%20spot&precision=ns" for w in writes):
    sys.exit(f"write path: {writes[0]['path']}")
points = [l for w in writes for l in w["body"].splitlines()]
if any(len(w["body"].splitlines()) != 7 for w in writes[:-1]):
    sys.exit("a batch other than the last is not 7 points")

def fields(text):
    out = {}
    for kv in text.split(","):
        k, v = kv.split("=", 1)
        out[k] = int(v[:-1]) if v.endswith("i") else (
            v.strip('"') if v.startswith('"') else float(v))
    return out

data, alarms = [], []
for p in points:
    head, flds, ts = p.rsplit(" ", 2)
    tags = dict(t.split("=", 1) for t in head.split(",")[1:])
    if head.split(",")[0] != "demo" or tags["agent"] != "local":
        sys.exit(f"measurement or agent: {p}")
    (data if tags["type"] == "data" else alarms).append((tags, fields(flds), int(ts)))

records = [json.loads(l) for l in open(os.path.join(work, "demo.records"))]
if len(records) != len(data):
    sys.exit(f"{len(records)} records, {len(data)} data points")
for rec, (tags, flds, ts) in zip(records, data):
    want = {k: v for k, v in rec.items() if k != "time" and v is not None}
    if ts != rec["time"] or flds != want:
        sys.exit(f"record {rec} against point {flds} {ts}")
file_alarms = [json.loads(l) for l in open(os.path.join(work, "demo.alarms"))]
if not file_alarms or len(file_alarms) != len(alarms):
    sys.exit(f"{len(file_alarms)} alarms in the file, {len(alarms)} points")
for a, (tags, flds, ts) in zip(file_alarms, alarms):
    if (tags["stat"], ts, flds["status"], flds["code"], flds["value"],
            flds["probability"]) != (a["stat"], a["time"], a["status"],
                                     a["code"], a["value"], a["probability"]):
        sys.exit(f"alarm {a} against point {tags} {flds} {ts}")
print(f"influxdb: {len(data)} records and {len(alarms)} alarms as points, "
      f"{len(writes)} writes")
PY

# Writes refused: the run goes on, the other exporters get everything,
# the failures are reported and the exit status is 1.
start_server refuse
run_demo --exporter.file.data "$work/refused.records" >/dev/null \
    2>"$work/err"
rc=$?
stop_server
[ "$rc" -eq 1 ] || fail "writes refused: exit $rc, expected 1"
grep -qF "HTTP status 500: {\"error\":\"disk full\"}" "$work/err" ||
    fail "writes refused: no message with the server's answer: $(cat "$work/err")"
grep -qF "points lost" "$work/err" || fail "writes refused: no count of lost points"
# PERF measures the machine, so the two runs differ there only.
sed -E 's/"PERF":[^,}]*,?//' "$work/refused.records" >"$work/refused.cut"
sed -E 's/"PERF":[^,}]*,?//' "$work/demo.records" >"$work/demo.cut"
cmp -s "$work/refused.cut" "$work/demo.cut" ||
    fail "writes refused: the file exporter lost records"

# Nobody listening: a clear error before any record.
run_demo >/dev/null 2>"$work/err"
rc=$?
[ "$rc" -eq 1 ] || fail "no server: exit $rc, expected 1"
grep -qF "influxdb http://127.0.0.1:$port: Couldn't connect" "$work/err" ||
    fail "no server: $(cat "$work/err")"

[ "$failed" -eq 0 ] || exit 1
echo "influxdb exporter: points, batches, refusals and errors as expected"
