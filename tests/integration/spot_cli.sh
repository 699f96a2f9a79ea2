#!/usr/bin/env bash
# netspot spot: the output format, --column on CSV, -c FILE, the exit
# codes, and --save/--load equal to one continuous run.
set -u
. "$(dirname "$0")/lib/common.sh"
test_needs NETSPOT_BIN -- awk
test_setup

# 3000 reproducible values with a few large ones (awk's own generator).
awk 'BEGIN { srand(5); for (i = 0; i < 3000; i++) {
    s = 0; for (k = 0; k < 12; k++) s += rand(); x = s - 6
    if (i % 700 == 699) x += 9
    printf "%.6f\n", x } }' >"$work/values.txt"
spot() { "$NETSPOT_BIN" spot "$@"; }

# Format: value, code, lower, upper; a probability only on alarms; nan
# while undefined (filling the window, in the batch, a side not watched).
spot --spot.q 1e-3 <"$work/values.txt" >"$work/out" 2>"$work/err" ||
    fail "spot exited $?: $(head -1 "$work/err")"
[ "$(wc -l <"$work/out")" -eq 3000 ] || fail "expected 3000 output lines"
awk -F'\t' '
    { alarm = $2 == 1 || $2 == -1 }
    alarm && NF != 5 || !alarm && NF != 4 { print "fields " NR ": " $0; bad++ }
    $2 == 5 || $2 == 3 || $2 == 4 { if ($3 != "nan" || $4 != "nan") {
        print "threshold before calibration " NR ": " $0; bad++ } }
    $2 == 0 || $2 == 2 { if ($3 != "nan" || $4 == "nan") {
        print "thresholds after calibration " NR ": " $0; bad++ } }
    alarm { alarms++; if (!($5 > 0 && $5 < 1e-3)) {
        print "probability " NR ": " $0; bad++ } }
    END { if (alarms < 1) { print "no alarm"; bad++ } exit bad > 0 }
' "$work/out" || fail "output format"
[ "$(head -1 "$work/out" | cut -f2)" = 5 ] || fail "first code is not 5"
[ "$(sed -n 1050p "$work/out" | cut -f2)" = 4 ] ||
    fail "line 1051 is not the calibration (depth 50 + n_init 1000)"

# --column N on CSV: a header skipped, bad lines reported and skipped.
awk 'BEGIN { print "time,value,other" }
     { print NR "," $1 ",x" } NR == 1500 { print "1500,oops,x"; print "7" }' \
    "$work/values.txt" >"$work/values.csv"
spot --spot.q 1e-3 --column 2 <"$work/values.csv" >"$work/csv.out" \
    2>"$work/csv.err" || fail "--column exited $?"
cmp -s "$work/out" "$work/csv.out" || fail "--column 2 differs from the plain run"
grep -q "line 1502: 'oops' is not a number" "$work/csv.err" ||
    fail "bad field not reported: $(head -2 "$work/csv.err")"
grep -q "line 1503: no field 2" "$work/csv.err" ||
    fail "short line not reported: $(head -2 "$work/csv.err")"
grep -q "2 bad lines skipped" "$work/csv.err" || fail "bad line count"

# -c FILE: the [spot] section applies, as the same flags do.
printf '[spot]\nq = 1e-3\ndepth = 0\ndown = true\n' >"$work/s.toml"
spot -c "$work/s.toml" <"$work/values.txt" >"$work/c.out" 2>&1 ||
    fail "-c exited $?"
spot --spot.q 1e-3 --spot.depth 0 --spot.down true <"$work/values.txt" \
    >"$work/f.out" 2>&1
cmp -s "$work/c.out" "$work/f.out" || fail "-c FILE differs from the flags"
[ "$(sed -n 1000p "$work/c.out" | cut -f2)" = 4 ] || fail "-c: depth 0 not applied"
[ "$(sed -n 1001p "$work/c.out" | cut -f3)" != nan ] || fail "-c: down not applied"

# Exit codes: 2 for bad parameters and flags, 1 for an unreadable state.
for args in "--spot.q 2" "--spot.n_init 3" "--spot.R_SYN.q 1e-3" \
    "--column 0" "--no-such-flag" "--load $work/s.toml --spot.q 1e-3"; do
    # shellcheck disable=SC2086
    spot $args </dev/null >/dev/null 2>"$work/err"
    rc=$?
    [ "$rc" -eq 2 ] || fail "'$args' exited $rc, not 2"
    grep -q "^netspot: spot: " "$work/err" || fail "'$args': no message"
done
spot --load "$work/missing.spot" </dev/null >/dev/null 2>&1
[ $? -eq 1 ] || fail "a missing state does not exit 1"

# --save then --load: the same output as one continuous run.
head -1800 "$work/values.txt" >"$work/day1.txt"
tail -n +1801 "$work/values.txt" >"$work/day2.txt"
spot --spot.q 1e-3 --save "$work/day1.spot" <"$work/day1.txt" >"$work/d1.out" ||
    fail "--save exited $?"
[ ! -e "$work/day1.spot.tmp" ] || fail "the temporary file is left"
spot --load "$work/day1.spot" <"$work/day2.txt" >"$work/d2.out" ||
    fail "--load exited $?"
cat "$work/d1.out" "$work/d2.out" | cmp -s - "$work/out" ||
    fail "--save/--load differs from one continuous run"

# A corrupted state is refused (exit 1, a message naming the file).
sed -E 's/^(up\.al) ([0-9]+)$/\1 9\2/' "$work/day1.spot" >"$work/bad.spot"
cmp -s "$work/day1.spot" "$work/bad.spot" && fail "the state was not edited"
spot --load "$work/bad.spot" <"$work/day2.txt" >"$work/bad.out" 2>"$work/err"
rc=$?
[ "$rc" -eq 1 ] || fail "a corrupted state exited $rc, not 1"
grep -q "bad.spot: spot state: .*checksum mismatch" "$work/err" ||
    fail "corrupted state message: $(head -1 "$work/err")"
[ ! -s "$work/bad.out" ] || fail "output despite a corrupted state"

[ "$failed" -eq 0 ] && echo "netspot spot: all checks passed"
[ "$failed" -eq 0 ]
