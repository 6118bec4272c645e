# Sourced by every tests/t_*.sh.  Each check prints "ok - NAME" or
# "not ok - NAME" (with the command's output) and records the result in
# $RESULTS, which tests/run.sh totals.
: "${O:=build}"
: "${XDPLD:=$O/san/xdpld}"
FW=$O/firmware
TBPF=$O/tests/bpf
TOOLS=$O/tests/tools
TMP=$(mktemp -d "${TMPDIR:-/tmp}/xdpld-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

_record() { echo "$1" >>"${RESULTS:-/dev/null}"; }
ok() { echo "ok - $*"; _record pass; }
not_ok() { echo "not ok - $*"; _record fail; }

# check NAME CMD...: passes when CMD exits 0.
check() {
	_name=$1; shift
	if "$@" >"$TMP/out" 2>&1; then ok "$_name"; else
		not_ok "$_name"; sed 's/^/    /' "$TMP/out" | tail -n 40; fi
}

# check_fails NAME PATTERN CMD...: passes when CMD exits non-zero, prints
# PATTERN (grep -E) and shows no sanitizer report.
check_fails() {
	_name=$1; _pat=$2; shift 2
	if "$@" >"$TMP/out" 2>&1; then
		not_ok "$_name (exit 0)"; sed 's/^/    /' "$TMP/out" | tail -n 20; return
	fi
	if grep -qE 'Sanitizer|runtime error' "$TMP/out"; then
		not_ok "$_name (sanitizer report)"; sed 's/^/    /' "$TMP/out" | tail -n 40; return
	fi
	if grep -qE -- "$_pat" "$TMP/out"; then ok "$_name"; else
		not_ok "$_name (message does not match '$_pat')"; sed 's/^/    /' "$TMP/out" | tail -n 20; fi
}

# Skips are not allowed to hide missing features: only use for a feature
# the running kernel lacks, and say which.
skip() { echo "ok - $* # SKIP"; _record skip; }
