#!/usr/bin/env bash
# The checked-in systemd unit, to copy by hand, is the template made for
# the default prefix: both say the same but for their comments.
set -u
. "$(dirname "$0")/lib/common.sh"
src="${NETSPOT_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}"
unit="$src/packaging/netspot.service"
test_setup

grep -v '^#' "$unit.in" |
    sed 's|@CMAKE_INSTALL_FULL_BINDIR@|/usr/local/bin|' >"$work/made"
grep -v '^#' "$unit" >"$work/checked"
if ! diff "$work/made" "$work/checked"; then
    fail "packaging/netspot.service and its template differ"
fi
grep -q '^ExecStart=/usr/local/bin/netspot run' "$unit" ||
    fail "the checked-in unit does not run /usr/local/bin/netspot"
[ "$failed" -eq 0 ] && echo "the unit matches its template"
[ "$failed" -eq 0 ]
