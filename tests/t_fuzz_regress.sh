#!/bin/sh
# Inputs found by fuzzing (tests/fuzz/) and hand-made nasty objects
# (tests/fuzz/regress/, written by tests/fuzz/mkregress.c; see its comments
# for what each one is).  Each goes through the sanitized xdpld's inspect,
# link and verify: objects that are not valid must fail with a message naming
# the file, valid_* objects must be read and linked; nothing may trip a
# sanitizer, and no descriptor may stay open (fdcheck.c).  Plus the bugs the
# harnesses' invariants found.
. "$(dirname "$0")/lib.sh"
export XDPLD_CHECK_FD_LEAKS=1

REG=tests/fuzz/regress
SAMPLER=$FW/sampler.o

# passes NAME CMD...: CMD exits 0 and shows no sanitizer report
passes() {
	_name=$1; shift
	if "$@" >"$TMP/out" 2>&1 && ! grep -qE 'Sanitizer|runtime error' "$TMP/out"; then
		ok "$_name"
	else
		not_ok "$_name"; sed 's/^/    /' "$TMP/out" | tail -n 30
	fi
}

# refused NAME PATTERN CMD...: check_fails, and the exit status is 1 (not a
# crash, not fdcheck's 70 for a leaked descriptor).
refused() {
	_name=$1; _pat=$2; shift 2
	"$@" >"$TMP/out" 2>&1
	_rc=$?
	if [ $_rc -ne 1 ]; then
		not_ok "$_name (exit $_rc)"; sed 's/^/    /' "$TMP/out" | tail -n 30
	elif grep -qE 'Sanitizer|runtime error' "$TMP/out"; then
		not_ok "$_name (sanitizer report)"; sed 's/^/    /' "$TMP/out" | tail -n 40
	elif ! grep -qE -- "$_pat" "$TMP/out"; then
		not_ok "$_name (message does not match '$_pat')"; sed 's/^/    /' "$TMP/out" | tail -n 20
	else
		ok "$_name"
	fi
}

# Objects the kernel must also take (the others are refused by it, which is
# fine as long as xdpld says so cleanly).
loads() {
	case $1 in valid_btf_ptr_cycle.o|valid_nobits_offset_max.o) return 0 ;; esac
	return 1
}

for f in "$REG"/*.o; do
	n=$(basename "$f")
	case $n in
	valid_*)
		passes "$n: inspect" "$XDPLD" inspect "$f"
		passes "$n: inspect --json" "$XDPLD" inspect --json "$f"
		passes "$n: link with sampler.o" "$XDPLD" link -o "$TMP/x.o" "$f" "$SAMPLER"
		passes "$n: linked output reads back" "$XDPLD" inspect "$TMP/x.o"
		if loads "$n"; then
			passes "$n: verify" "$XDPLD" verify "$f"
		else
			refused "$n: verify refused cleanly" "$n" "$XDPLD" verify "$f"
		fi ;;
	*)
		refused "$n: inspect" "$n: " "$XDPLD" inspect "$f"
		refused "$n: link alone" "$n: " "$XDPLD" link -o "$TMP/x.o" "$f"
		refused "$n: link with sampler.o" "$n: " \
			"$XDPLD" link -o "$TMP/x.o" "$f" "$SAMPLER"
		refused "$n: verify" "$n: " "$XDPLD" verify "$f" ;;
	esac
done

# Target BTF for CO-RE (*core*.btf; fuzz_core): `xdpld core --btf` of a
# CO-RE object against each.  Malformed ones are refused naming the file;
# valid_* resolve (valid_core_be.btf: the same minimized BTF big-endian,
# swapped in place, must give the decisions the little-endian one gives).
for f in "$REG"/*core*.btf; do
	n=$(basename "$f")
	case $n in
	valid_*) passes "$n: core --btf" "$XDPLD" core --btf "$f" "$TBPF/core_fields.o" ;;
	*) refused "$n: core --btf" "$n: not a valid BTF file" "$XDPLD" core --btf "$f" "$TBPF/core_fields.o" ;;
	esac
done
"$XDPLD" btfgen -o "$TMP/le.btf" --btf "$REG/valid_core_be.btf" "$TBPF/core_fields.o" >"$TMP/out" 2>&1
check "valid_core_be.btf: the same decisions as its little-endian self" sh -c \
	"'$XDPLD' core --btf '$TMP/le.btf' '$TBPF/core_fields.o' >'$TMP/le.txt' 2>&1 &&
	 '$XDPLD' core --btf '$REG/valid_core_be.btf' '$TBPF/core_fields.o' >'$TMP/be.txt' 2>&1 &&
	 diff '$TMP/le.txt' '$TMP/be.txt'"

# UCI manifests (*.uci, loader/policy/uci.c; fuzz_uci): each is refused by
# `xdpld check` with exit 1 and FILE:LINE, by uci.c or, for valid_* (good
# UCI), by the manifest reader; no sanitizer report.
for f in "$REG"/*.uci; do
	n=$(basename "$f")
	refused "$n: check" "$n:[0-9]+: " "$XDPLD" check -c "$f"
done

# obj.c wrote section offsets that counted NOBITS padding the file did not
# have: rootlet + sampler (.bss after a 4-byte section) linked into an
# object whose section headers lay past its end.
"$XDPLD" rootlet -o "$TMP/rootlet.o" --slots 2 >"$TMP/out" 2>&1 || cat "$TMP/out"
passes "rootlet + sampler.o link" "$XDPLD" link -o "$TMP/linked.o" "$TMP/rootlet.o" "$SAMPLER" \
	--rename sampler.o:xdp_sampler=xdpld_slot0
passes "rootlet + sampler.o linked output reads back" "$XDPLD" inspect "$TMP/linked.o"
passes "sampler.o rewritten reads back" sh -c \
	"'$XDPLD' inspect --rewrite '$TMP/rw.o' '$SAMPLER' && '$XDPLD' inspect '$TMP/rw.o'"

# Aliasing tail_target onto a slot moved it out of the middle of use_maps,
# whose output symbol then ran past its section.
refused "a function inside another is not moved out of it" \
	"valid_funcs_overlap.o: section 'xdp': symbol 'use_maps' .* overlaps a function that is moved" \
	"$XDPLD" link -o "$TMP/x.o" "$TMP/rootlet.o" "$REG/valid_funcs_overlap.o" \
	--rename valid_funcs_overlap.o:tail_target=xdpld_slot0

# The linker made a .bss of more than 4 GiB, which obj.c then refused to read.
cp "$REG/valid_bss_2g.o" "$TMP/bss_copy.o"
refused "two 2 GiB .bss sections do not link into one" \
	"bss_copy.o: section '.bss': the linked section '.bss' would be too large" \
	"$XDPLD" link -o "$TMP/x.o" "$REG/valid_bss_2g.o" "$TMP/bss_copy.o"

# A pinned map's name from the object must not leave the pin root.
MULTIARCH=$(${CC:-cc} -print-multiarch 2>/dev/null)
if clang -target bpfel -O2 -g -Wall -I/usr/include/$MULTIARCH -c -o "$TMP/pin.o" \
	"$REG/pin_escape.bpf.c" >"$TMP/out" 2>&1; then
	perl -0777 -pi -e 's/ZZPINZZ/..\/pinX/g' "$TMP/pin.o"
	mkdir -p "$TMP/pins"
	refused "map named ../pinX is not pinned outside the pin root" \
		"pin.o: map \.\./pinX: .*cannot contain '/'" \
		"$XDPLD" verify --btf-optional --pin-root "$TMP/pins" "$TMP/pin.o"	# its BTF is refused too
else
	not_ok "compile pin_escape.bpf.c"; cat "$TMP/out"
fi

# Replay of every seed object through inspect --json and inspect --rewrite
# (the fuzzers' seed corpus): all are valid, all must round-trip.
replay() {
	_bad=0
	for _o in "$FW"/*.o "$FW"/be/*.o "$TBPF"/*.o "$TBPF"/be/*.o; do
		"$XDPLD" inspect --json "$_o" >"$TMP/a.json" 2>"$TMP/err" &&
		"$XDPLD" inspect --rewrite "$TMP/rw.o" "$_o" 2>>"$TMP/err" &&
		"$XDPLD" inspect "$TMP/rw.o" >/dev/null 2>>"$TMP/err" || {
			echo "$_o:"; cat "$TMP/err"; _bad=1; }
		if grep -qE 'Sanitizer|runtime error' "$TMP/err"; then echo "$_o:"; cat "$TMP/err"; _bad=1; fi
	done
	return $_bad
}
check "seed objects: inspect, rewrite, re-read" replay
