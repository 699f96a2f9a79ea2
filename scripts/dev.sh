#!/usr/bin/env bash
# Sets up a Debian 12 machine for netspot, builds it, and either runs it on
# the bundled demo capture or runs every test (plain and sanitizer builds).
#
#   bash scripts/dev.sh demo    install, build, analyse the demo capture
#   bash scripts/dev.sh test    install, build, run all the tests
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
packages=(build-essential cmake pkg-config libpcap-dev libcmocka-dev
    libjansson-dev libcurl4-openssl-dev libmicrohttpd-dev tshark tcpreplay
    iproute2 clang-format python3 time)

install_packages() {
    local missing=()
    for p in "${packages[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
            grep -q "install ok installed" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "dev.sh: installing ${missing[*]}" >&2
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
        "${missing[@]}" >/dev/null
}

build() { # build DIR [cmake options...]
    local dir=$1
    shift
    cmake -S "$root" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
    cmake --build "$dir" -j "$(nproc)"
}

demo() {
    build "$root/build"
    local out="$root/build/demo"
    mkdir -p "$out"
    "$root/build/netspot-synth" --preset demo -o "$out/demo.pcap"
    echo "== alarms (stdout), then the summary (stderr)"
    (cd "$root" &&
        build/netspot run -d build/demo/demo.pcap -c examples/demo.toml)
    echo "== the last records, from $out/netspot_demo_data.json"
    tail -n 3 "$out/netspot_demo_data.json"
    echo "== the attacks injected, from $out/demo.pcap.truth.json"
    python3 - "$out/demo.pcap.truth.json" <<'PY'
import json, sys
for a in json.load(open(sys.argv[1]))["attacks"]:
    print(f"{a['kind']:9} {a['start_s']:4.0f} s to {a['end_s']:4.0f} s  "
          f"{a['description']}")
PY
    # An alarm carries the end of its period (1 s in demo.toml): it belongs
    # to an attack when its period overlaps the attack.
    echo "== alarms per attack, and outside the attacks"
    python3 - "$out/demo.pcap.truth.json" "$out/netspot_demo_alarm.json" <<'PY'
import json, sys
truth = json.load(open(sys.argv[1]))
attacks = truth["attacks"]
alarms = [json.loads(line) for line in open(sys.argv[2])]
counts = {a["kind"]: 0 for a in attacks}
calm = 0
for alarm in alarms:
    hit = [a for a in attacks
           if a["start_unix_ns"] < alarm["time"] <= a["end_unix_ns"] + 10**9]
    if hit:
        counts[hit[0]["kind"]] += 1
    else:
        calm += 1
for kind, n in counts.items():
    print(f"{kind:9} {n} alarms")
print(f"calm      {calm} alarms")
PY
}

check_format() {
    local files
    files=$(git -C "$root" ls-files '*.c' '*.h')
    (cd "$root" && clang-format --dry-run --Werror $files)
}

run_tests() {
    check_format
    build "$root/build" -DNETSPOT_WERROR=ON
    (cd "$root/build" && ctest --output-on-failure -j 2)
    build "$root/build-asan" -DNETSPOT_WERROR=ON -DNETSPOT_SANITIZE=ON \
        -DCMAKE_BUILD_TYPE=Debug
    (cd "$root/build-asan" && ctest --output-on-failure -j 2)
}

install_packages
case "${1:-}" in
demo) demo ;;
test) run_tests ;;
*)
    echo "usage: bash scripts/dev.sh demo|test" >&2
    exit 2
    ;;
esac
