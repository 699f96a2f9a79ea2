# Helpers of the integration tests (sourced, not a test itself).

# Skips the test: exit status 77, which CTest reports as skipped.
test_skip() {
    echo "skipped: $*"
    exit 77
}

# test_needs VAR... [-- COMMAND...]: skips the test unless every
# environment variable named is set and every command named is installed.
test_needs() {
    local name commands=0 missing=()

    for name in "$@"; do
        if [ "$name" = "--" ]; then
            commands=1
        elif [ "$commands" -eq 1 ]; then
            command -v "$name" >/dev/null || missing+=("$name")
        else
            [ -n "${!name:-}" ] || missing+=("$name")
        fi
    done
    [ ${#missing[@]} -eq 0 ] || test_skip "needs ${missing[*]}"
}

# Makes the work folder $work, removed at exit, and zeroes $failed.
test_setup() {
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    failed=0
}

# Reports a failed check and counts it in $failed.
fail() {
    echo "FAIL: $*"
    failed=$((failed + 1))
}
