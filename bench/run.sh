#!/usr/bin/env bash
# Measures netspot's pipeline throughput against the bare libpcap read loop
# on synthetic captures of 1M, 10M and 100M packets (60-byte frames and a
# realistic size mix) and on one capture with a million distinct hosts.
# Reports medians of wall time (packets per second) and peak memory, the
# netspot/libpcap ratio, and the detector's per-step cost when bench_spot
# is built. docs/performance.md explains how to read the figures.
#
#   bash bench/run.sh [options]
#
#   --dir DIR        where inputs and results go (default $NETSPOT_BENCH_DIR
#                    or /tmp/netspot-bench; never inside the repository)
#   --sizes LIST     input sizes in packets, k/M/G suffixes
#                    (default 1M,10M,100M)
#   --runs N         runs of each measurement, the median is kept (default 5;
#                    five times as many on inputs under 10M packets)
#   --big-mixed      also make mixed-size inputs above 10M packets (8 GB of
#                    disk per 10M packets; skipped by default)
#   --hosts-sizes LIST  sizes of the inputs with a million distinct hosts
#                    per period (default 10M)
#   --no-hosts       skip the inputs with a million distinct hosts
#   --readers LIST   also run netspot with --miner.reader R for each R
#                    (e.g. native,libpcap); default: netspot's default only
#   --no-build       use build-bench as it is
#   --update-docs    rewrite the results section of docs/performance.md and
#                    docs/performance-throughput.svg
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build="$root/build-bench"
dir="${NETSPOT_BENCH_DIR:-/tmp/netspot-bench}"
sizes="1M,10M,100M"
runs=5
big_mixed=0
hosts_input=1
hosts_sizes="10M"
readers=""
do_build=1
update_docs=0
stats="AVG_PKT_SIZE,PERF,R_ACK,R_ARP,R_DST_SRC,R_DST_SRC_PORT,R_ICMP,R_IP"
stats="$stats,R_SYN,TRAFFIC"

usage() {
    sed -n '2,/^set -euo/p' "$0" | sed -e '/^set -euo/d' -e 's/^# \{0,1\}//'
    exit "${1:-0}"
}

die() {
    echo "run.sh: $*" >&2
    exit 2
}

while [ $# -gt 0 ]; do
    case "$1" in
    --dir) dir=${2:?--dir needs a value}; shift ;;
    --sizes) sizes=${2:?--sizes needs a value}; shift ;;
    --runs) runs=${2:?--runs needs a value}; shift ;;
    --big-mixed) big_mixed=1 ;;
    --no-hosts) hosts_input=0 ;;
    --hosts-sizes) hosts_sizes=${2:?--hosts-sizes needs a value}; shift ;;
    --readers) readers=${2:?--readers needs a value}; shift ;;
    --no-build) do_build=0 ;;
    --update-docs) update_docs=1 ;;
    -h | --help) usage 0 ;;
    *) die "unknown option '$1' (try --help)" ;;
    esac
    shift
done
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || die "--runs $runs: expected a positive integer"
case "$(realpath -m "$dir")/" in
"$root"/*) die "--dir $dir: inputs do not belong in the repository" ;;
esac

# Packets of a size such as 10M.
count_of() {
    local n=${1%[kKMG]} mult=1
    [[ "$n" =~ ^[0-9]+$ ]] || die "--sizes: '$1' is not a count"
    case "$1" in
    *k | *K) mult=1000 ;;
    *M) mult=1000000 ;;
    *G) mult=1000000000 ;;
    esac
    echo $((n * mult))
}

build_all() {
    echo "== build (Release, $build)"
    cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release \
        -DNETSPOT_TESTS=OFF >/dev/null
    if ! cmake --build "$build" -j 2 --target netspot-synth pcap_loop \
        >"$dir/build.log" 2>&1; then
        cat "$dir/build.log" >&2
        die "build failed"
    fi
    # netspot and bench_spot belong to others and may be mid-change: their
    # absence is reported, not fatal.
    cmake --build "$build" -j 2 --target netspot >/dev/null 2>&1 ||
        echo "   netspot did not build: its rows will be missing"
    cmake --build "$build" -j 2 --target bench_spot >/dev/null 2>&1 || true
}

# make_input NAME SYNTH_OPTIONS...: generates DIR/NAME.pcap unless the same
# command already made it.
make_input() {
    local name=$1
    shift
    local file="$dir/$name.pcap" cmd="netspot-synth $*"
    if [ -f "$file" ] && [ "$(cat "$file.cmd" 2>/dev/null)" = "$cmd" ]; then
        return
    fi
    echo "   making $name.pcap: $cmd"
    rm -f "$file.cmd"
    "$build/netspot-synth" -o "$file" "$@"
    echo "$cmd" >"$file.cmd"
}

# Median of the numbers on stdin, one a line.
median() {
    sort -g | awk '{ v[NR] = $1 }
        END { if (NR % 2) print v[(NR + 1) / 2]
              else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# measure LABEL INPUT COMMAND...: runs the command $runs times, appends the
# median wall time and peak RSS to the results.
measure() {
    local label=$1 input=$2
    shift 2
    local times=() rss=() i
    for ((i = 0; i < runs; i++)); do
        # time(1) gives the peak RSS; its wall time has 10 ms steps, too
        # coarse for the small inputs, so the shell's clock (microseconds)
        # times the same run.
        local t0=$EPOCHREALTIME t1
        if ! /usr/bin/time -f "%e %M" -o "$dir/time.out" "$@" \
            >/dev/null 2>"$dir/last.err"; then
            echo "   $label on $input failed:" "$(tail -1 "$dir/last.err")"
            return
        fi
        t1=$EPOCHREALTIME
        read -r _ m <"$dir/time.out"
        times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')")
        rss+=("$m")
    done
    local t_med m_med packets pps
    t_med=$(printf '%s\n' "${times[@]}" | median)
    m_med=$(printf '%s\n' "${rss[@]}" | median)
    packets=$(cat "$dir/$input.count")
    pps=$(awk -v p="$packets" -v t="$t_med" \
        'BEGIN { printf "%.0f", (t > 0 ? p / t : 0) }')
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$input" "$packets" "$label" \
        "$t_med" "$pps" "$m_med" >>"$results"
    printf '   %-26s %-12s %8.3f s %12s packets/s %8s KiB\n' "$label" \
        "$input" "$t_med" "$pps" "$m_med"
}

bench_input() { # bench_input NAME
    local name=$1 file="$dir/$1.pcap" r
    input_count "$name"
    # Inputs under 10M packets take a tenth of a second or less, where the
    # noise of a shared machine weighs most: they get five times the runs.
    local runs=$runs
    [ "$(cat "$dir/$name.count")" -ge 10000000 ] || runs=$((runs * 5))
    cat "$file" >/dev/null # warm the page cache
    measure "libpcap loop" "$name" "$build/pcap_loop" "$file"
    [ -x "$build/netspot" ] || return 0
    measure "netspot" "$name" "$build/netspot" run -d "$file" -s "$stats" \
        -p 1s
    for r in ${readers//,/ }; do
        measure "netspot ($r reader)" "$name" "$build/netspot" run \
            -d "$file" -s "$stats" -p 1s --miner.reader "$r"
    done
}

# The packet count of an input, from its ground truth.
input_count() {
    local truth="$dir/$1.pcap.truth.json"
    sed -n 's/.*"packets": \([0-9]*\),$/\1/p' "$truth" | head -1 \
        >"$dir/$1.count"
}

machine() {
    local model cores mem
    model=$(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -1)
    cores=$(nproc)
    mem=$(free -g | awk '/^Mem:/ { print $2 " GiB" }')
    echo "$model, $cores cores, $mem"
}

# Markdown table of the results, one row per input and program.
report_table() {
    echo "| Input | Packets | Program | Median wall time (s) | Packets/s |" \
        "Peak RSS (MiB) | vs libpcap |"
    echo "|---|---:|---|---:|---:|---:|---:|"
    awk -F'\t' '
        function grp(n,    s, out) {
            s = sprintf("%d", n); out = ""
            while (length(s) > 3) {
                out = "," substr(s, length(s) - 2) out
                s = substr(s, 1, length(s) - 3)
            }
            return s out
        }
        $3 == "libpcap loop" { base[$1] = $5 }
        { row[NR] = $0 }
        END {
            for (i = 1; i <= NR; i++) {
                split(row[i], f, "\t")
                ratio = ""
                if (f[3] != "libpcap loop" && base[f[1]] > 0)
                    ratio = sprintf("%.2f", f[5] / base[f[1]])
                printf "| %s | %s | %s | %.3f | %s | %.1f | %s |\n",
                    f[1], grp(f[2]), f[3], f[4], grp(f[5]), f[6] / 1024, ratio
            }
        }' "$results"
}

# report NAME...: the results of this run, on the inputs named.
report() {
    local name f

    echo "Machine: $(machine). Date: $(date -u '+%Y-%m-%d %H:%M UTC')."
    echo "Medians of $runs runs ($((runs * 5)) on inputs under 10M packets),"
    echo "page cache warm; peak RSS from"
    echo "\`/usr/bin/time -f \"%e %M\"\`, wall time from the shell's clock"
    echo "around the same run (time(1) rounds it to 10 ms)."
    echo
    report_table
    echo
    echo "Commands:"
    echo
    echo '```'
    # Only the inputs measured now: DIR may hold others from earlier runs.
    for name in "$@"; do
        f="$dir/$name.pcap.cmd"
        [ -f "$f" ] && echo "$(cat "$f") -o $name.pcap"
    done
    echo "pcap_loop FILE"
    echo "netspot run -d FILE -s $stats -p 1s"
    echo '```'
    if [ -s "$dir/bench_spot.out" ]; then
        echo
        echo "Detector (\`build-bench/bench_spot\`):"
        echo
        echo '```'
        cat "$dir/bench_spot.out"
        echo '```'
    fi
}

# Throughput (millions of packets per second) against input size, log
# scale in x, one line per program and input family, the legend on the
# right.
plot_svg() {
    awk -F'\t' '
    function xpos(n) { return 70 + (log(n) / log(10) - 5.5) / 3 * 430 }
    function ypos(v) { return 330 - v / ymax * 290 }
    {
        fam = $1; sub(/-.*/, "", fam)
        key = $3 " (" fam ")"
        if (!(key in seen)) { seen[key] = 1; keys[++nk] = key }
        pts[key] = pts[key] sprintf("%.1f,%.3f ", $2, $5 / 1e6)
        if ($5 / 1e6 > ymax) ymax = $5 / 1e6
    }
    END {
        # Grid steps of 1, 2 or 5 times a power of ten.
        if (ymax <= 0) ymax = 1
        step = 10 ^ int(log(ymax / 4) / log(10))
        if (ymax / 4 > step * 5) step *= 10
        else if (ymax / 4 > step * 2) step *= 5
        else if (ymax / 4 > step) step *= 2
        ymax = step * (int(ymax / step) + 1)
        split("#1f77b4 #ff7f0e #2ca02c #d62728 #9467bd #8c564b #e377c2 " \
              "#7f7f7f #bcbd22 #17becf #393b79 #ad494a", col, " ")
        print "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"800\" " \
              "height=\"400\" font-family=\"sans-serif\" font-size=\"12\">"
        print "<rect width=\"800\" height=\"400\" fill=\"white\"/>"
        print "<text x=\"285\" y=\"22\" text-anchor=\"middle\" " \
              "font-size=\"14\">Throughput against input size</text>"
        for (v = 0; v <= ymax + step / 2; v += step) {
            printf "<line x1=\"65\" y1=\"%.1f\" x2=\"500\" y2=\"%.1f\" " \
                   "stroke=\"#ddd\"/>\n", ypos(v), ypos(v)
            printf "<text x=\"60\" y=\"%.1f\" text-anchor=\"end\">%g" \
                   "</text>\n", ypos(v) + 4, v
        }
        print "<line x1=\"70\" y1=\"330\" x2=\"500\" y2=\"330\" " \
              "stroke=\"black\"/>"
        print "<line x1=\"70\" y1=\"40\" x2=\"70\" y2=\"330\" " \
              "stroke=\"black\"/>"
        for (e = 6; e <= 8; e++) {
            x = xpos(10 ^ e)
            printf "<line x1=\"%.1f\" y1=\"330\" x2=\"%.1f\" y2=\"335\" " \
                   "stroke=\"black\"/>\n", x, x
            printf "<text x=\"%.1f\" y=\"350\" text-anchor=\"middle\">" \
                   "%s</text>\n", x, e == 6 ? "1M" : e == 7 ? "10M" : "100M"
        }
        print "<text x=\"285\" y=\"375\" text-anchor=\"middle\">" \
              "packets in the capture (log scale)</text>"
        print "<text x=\"18\" y=\"185\" text-anchor=\"middle\" " \
              "transform=\"rotate(-90 18 185)\">million packets/s</text>"
        for (k = 1; k <= nk; k++) {
            c = col[(k - 1) % 12 + 1]
            n = split(pts[keys[k]], p, " ")
            line = ""
            for (i = 1; i <= n; i++) {
                split(p[i], xy, ",")
                line = line sprintf("%.1f,%.1f ", xpos(xy[1]), ypos(xy[2]))
                printf "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" " \
                       "fill=\"%s\"/>\n", xpos(xy[1]), ypos(xy[2]), c
            }
            printf "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" " \
                   "stroke-width=\"2\"/>\n", line, c
            y = 46 + 18 * (k - 1)
            printf "<line x1=\"520\" y1=\"%d\" x2=\"545\" y2=\"%d\" " \
                   "stroke=\"%s\" stroke-width=\"2\"/>\n", y, y, c
            printf "<circle cx=\"532.5\" cy=\"%d\" r=\"3.5\" fill=\"%s\"/>\n",
                   y, c
            printf "<text x=\"552\" y=\"%d\">%s</text>\n", y + 4, keys[k]
        }
        print "</svg>"
    }' "$results"
}

# Replaces what lies between the markers of docs/performance.md.
update_docs() {
    local doc="$root/docs/performance.md" begin="<!-- bench:begin -->"
    local end="<!-- bench:end -->"
    cp "$dir/throughput.svg" "$root/docs/performance-throughput.svg"
    if ! grep -q "$begin" "$doc" 2>/dev/null; then
        echo "run.sh: $doc has no '$begin' marker; left as is" >&2
        return
    fi
    awk -v begin="$begin" -v end="$end" -v table="$dir/results.md" '
        $0 == begin { print; while ((getline l < table) > 0) print l
                      skip = 1; next }
        $0 == end { skip = 0 }
        !skip' "$doc" >"$dir/performance.md.new"
    mv "$dir/performance.md.new" "$doc"
    echo "== updated docs/performance.md and docs/performance-throughput.svg"
}

main() {
    command -v /usr/bin/time >/dev/null ||
        die "/usr/bin/time is missing (apt-get install time)"
    mkdir -p "$dir"
    [ "$do_build" -eq 0 ] || build_all
    results="$dir/results.tsv"
    : >"$results"

    echo "== inputs in $dir"
    local s n names=()
    for s in ${sizes//,/ }; do
        n=$(count_of "$s")
        make_input "small-$s" --preset bench-small --packets "$n"
        names+=("small-$s")
        if [ "$n" -le 10000000 ] || [ "$big_mixed" -eq 1 ]; then
            make_input "mixed-$s" --preset bench-mixed --packets "$n"
            names+=("mixed-$s")
        fi
    done
    if [ "$hosts_input" -eq 1 ]; then
        # Background conversations last many packets, so they bring only
        # about 40 000 new addresses a second. A SYN flood from spoofed
        # sources and a scan of a million local hosts, each at a million
        # packets a second, give every one-second period about a million
        # distinct source and a million distinct destination addresses.
        # The attacks last 100 s, longer than the background of any size
        # up to about 300M packets.
        for s in ${hosts_sizes//,/ }; do
            n=$(count_of "$s")
            make_input "hosts-$s" --preset bench-small --packets "$n" \
                --hosts 1000000 --rate 1000000 \
                --attack synflood@0+100:1000000 --attack hscan@0+100:1000000
            names+=("hosts-$s")
        done
    fi

    echo "== measurements ($runs runs each, $((runs * 5)) under 10M packets; medians)"
    for s in "${names[@]}"; do
        bench_input "$s"
    done
    if [ -x "$build/bench_spot" ]; then
        echo "== detector: build-bench/bench_spot"
        timeout 300 "$build/bench_spot" >"$dir/bench_spot.out" 2>&1 ||
            echo "   bench_spot failed: $(tail -1 "$dir/bench_spot.out")"
        cat "$dir/bench_spot.out"
    fi

    report "${names[@]}" >"$dir/results.md"
    plot_svg >"$dir/throughput.svg"
    echo "== results: $dir/results.md, $dir/throughput.svg"
    cat "$dir/results.md"
    [ "$update_docs" -eq 0 ] || update_docs
}

main
