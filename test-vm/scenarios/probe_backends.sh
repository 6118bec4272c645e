#!/bin/sh
# `xdpld probe` on the router kernel (Debian 6.1: kernel BTF, trampolines,
# EXT programs allowed): the test loads find all three rootlet backends,
# and auto picks freplace.  The JSON (no jq here: grep) agrees with the
# text, XDPLD_PROBE_MISSING turns a backend off, and no descriptor leaks.
set -eu
fail() { echo "FAIL: $*"; exit 1; }

XDPLD_CHECK_FD_LEAKS=1 "$XDPLD" probe --json >probe.json 2>err ||
	{ cat probe.json err; fail "xdpld probe --json failed"; }
cat probe.json
[ ! -s err ] || { cat err; fail "xdpld probe printed messages"; }
for b in static tailcall freplace; do
	grep -q "\"$b\": {\"supported\": true}" probe.json || fail "backend $b not supported"
done
grep -q '"auto": "freplace"}$' probe.json || fail "auto is not freplace"

"$XDPLD" probe >probe.txt 2>&1 || { cat probe.txt; fail "xdpld probe failed"; }
cat probe.txt
printf 'static    yes\ntailcall  yes\nfreplace  yes\nauto      freplace\n' | cmp - probe.txt ||
	fail "text output differs"

XDPLD_PROBE_MISSING=freplace "$XDPLD" probe >missing.txt 2>&1 || { cat missing.txt; fail "probe"; }
grep -qx 'freplace  no   disabled by XDPLD_PROBE_MISSING' missing.txt &&
	grep -qx 'auto      tailcall' missing.txt || { cat missing.txt; fail "XDPLD_PROBE_MISSING=freplace"; }
echo "xdpld probe: static, tailcall and freplace work here; auto is freplace"
