#!/bin/sh
# xdpld btfgen (loader/core/core_gen.c) against its reference, bpftool gen
# min_core_btf: for each CO-RE test object the minimized BTF is at most 10%
# larger than bpftool's (both sizes printed), parses with bpftool, and
# libbpf (tests/tools/core_ref --btf, i.e. btf_custom_path) decides every
# relocation as with the full vmlinux BTF: the same instructions and program
# tag; bpftool's output is checked the same way as a control.  Then several
# objects at once, and the errors.  Needs root (libbpf loads the programs).
. tests/lib.sh

VMLINUX=/sys/kernel/btf/vmlinux
if [ ! -r "$VMLINUX" ] || ! command -v bpftool >/dev/null; then
	echo "ok - skipped: needs $VMLINUX and bpftool"; exit 0
fi
export XDPLD_CHECK_FD_LEAKS=1

# type_name BTF ID: "KIND 'name'" of type ID in the BTF file.
type_name() {
	bpftool btf dump file "$1" | awk -v id="[$2]" '$1 == id { print $2, $3; exit }'
}

# same_decisions OBJ MIN [--matches]: libbpf with MIN as its target BTF
# gives the instructions and the tags it gives with the full BTF.  An
# instruction may differ only in the immediate of a type_id_kernel
# relocation (a type id: renumbered), whose two ids must name the same type;
# then the tags differ too.  When libbpf refuses the object either way, its
# CO-RE log lines (type ids left out) must be equal.
same_decisions() {
	"$TOOLS/core_ref" $3 "$1" >"$TMP/full.txt" 2>/dev/null &&
	"$TOOLS/core_ref" $3 --btf "$2" "$1" >"$TMP/min.txt" 2>/dev/null || return 1
	_lf=$(grep '^LOAD' "$TMP/full.txt"); _lm=$(grep '^LOAD' "$TMP/min.txt")
	[ "$_lf" = "$_lm" ] || { echo "load: full BTF '$_lf', minimized '$_lm'"; return 1; }
	if [ "$_lf" != "LOAD 0" ]; then
		for _f in full min; do
			grep '^LOG .*relo #' "$TMP/$_f.txt" | sed 's/\[[0-9]*\]//g' >"$TMP/$_f.log"
		done
		diff "$TMP/full.log" "$TMP/min.log"
		return
	fi
	grep '^INSN' "$TMP/full.txt" >"$TMP/full.insn"
	grep '^INSN' "$TMP/min.txt" >"$TMP/min.insn"
	[ -s "$TMP/full.insn" ] || { echo "no instructions"; return 1; }
	if cmp -s "$TMP/full.insn" "$TMP/min.insn"; then
		grep '^TAG' "$TMP/full.txt" >"$TMP/full.tag"
		grep '^TAG' "$TMP/min.txt" >"$TMP/min.tag"
		[ -s "$TMP/full.tag" ] && diff "$TMP/full.tag" "$TMP/min.tag"
		return
	fi
	# every differing instruction: a 64-bit immediate load of a type id
	paste -d' ' "$TMP/full.insn" "$TMP/min.insn" | awk '$0 != "" {
		n = NF / 2; same = 1
		for (i = 1; i <= n; i++) if ($i != $(i + n) && i != 8) same = 0
		if (!same) { print "BAD", $0; next }
		if ($8 != $(8 + n)) print "ID", $8, $(8 + n) }' >"$TMP/ids"
	! grep '^BAD' "$TMP/ids" || return 1
	while read -r _ _a _b; do
		_na=$(type_name "$VMLINUX" "$_a"); _nb=$(type_name "$2" "$_b")
		[ -n "$_na" ] && [ "$_na" = "$_nb" ] ||
			{ echo "type id $_a ($_na) became $_b ($_nb)"; return 1; }
		echo "type id $_a -> $_b: $_na"
	done <"$TMP/ids"
}

# sizes NAME XDPLD_BTF BPFTOOL_BTF: prints both; xdpld's within 10%.
sizes() {
	_x=$(stat -c %s "$2"); _b=$(stat -c %s "$3")
	echo "# $1: xdpld $_x bytes, bpftool $_b bytes"
	echo "$1 $_x $_b" >>"$TMP/sizes"
	[ $((_x * 10)) -le $((_b * 11)) ]
}

# core_matches.o has type_exists records (clang 14 cannot emit
# type_matches); core_ref --save writes it with type_matches ones.
"$TOOLS/core_ref" --matches --save "$TMP/core_matches_k12.o" "$TBPF/core_matches.o" ||
	not_ok "core_ref --save: core_matches with type_matches records"

for o in "$TBPF/core_fields.o" "$TBPF/core_types.o" "$TBPF/core_matches.o" \
	 "$TMP/core_matches_k12.o" "$TBPF/core_multi.o" "$TBPF/load_core.o"; do
	n=$(basename "$o" .o)
	check "$n: xdpld btfgen" "$XDPLD" btfgen -o "$TMP/$n.x.btf" "$o"
	check "$n: bpftool gen min_core_btf (reference)" \
		bpftool gen min_core_btf "$VMLINUX" "$TMP/$n.b.btf" "$o"
	check "$n: size within 10% of bpftool's" sizes "$n" "$TMP/$n.x.btf" "$TMP/$n.b.btf"
	check "$n: bpftool btf dump parses it" bpftool btf dump file "$TMP/$n.x.btf"
	check "$n: libbpf with xdpld's BTF decides as with vmlinux" \
		same_decisions "$o" "$TMP/$n.x.btf"
	check "$n: libbpf with bpftool's BTF decides as with vmlinux (control)" \
		same_decisions "$o" "$TMP/$n.b.btf"
done
check "core_matches: type_exists kept as type_matches decides the same (--matches)" \
	same_decisions "$TBPF/core_matches.o" "$TMP/core_matches_k12.x.btf" --matches

# several objects into one BTF, each of them deciding as with vmlinux
ALL="$TBPF/core_fields.o $TBPF/core_types.o $TMP/core_matches_k12.o $TBPF/core_multi.o $TBPF/load_core.o"
fails() { ! "$@"; }
check "the comparison fails for a BTF made for another object" \
	fails same_decisions "$TBPF/core_multi.o" "$TMP/core_fields.x.btf"
check "5 objects: xdpld btfgen" "$XDPLD" btfgen -o "$TMP/all.x.btf" $ALL
check "5 objects: bpftool gen min_core_btf" bpftool gen min_core_btf "$VMLINUX" "$TMP/all.b.btf" $ALL
check "5 objects: size within 10% of bpftool's" sizes all "$TMP/all.x.btf" "$TMP/all.b.btf"
for o in $ALL; do
	check "5 objects: $(basename "$o" .o) decides as with vmlinux" same_decisions "$o" "$TMP/all.x.btf"
done
check "--btf FILE: the minimized BTF as the target gives the same BTF again" sh -c \
	"'$XDPLD' btfgen --btf '$TMP/all.x.btf' -o '$TMP/again.btf' $ALL &&
	 cmp '$TMP/all.x.btf' '$TMP/again.btf'"
for n in core_fields core_types core_multi; do
	check "$n: the big-endian build of the object gives the same BTF" sh -c \
		"'$XDPLD' -q btfgen -o '$TMP/$n.be.btf' '$TBPF/be/$n.o' &&
		 cmp '$TMP/$n.be.btf' '$TMP/$n.x.btf'"
done
check_out "the output file is mode 0644 under umask 022" '^644$' sh -c \
	"umask 022; '$XDPLD' -q btfgen -o '$TMP/mode.btf' '$TBPF/core_fields.o' && stat -c %a '$TMP/mode.btf'"

# --- errors, and objects without CO-RE ---
check_fails "missing --btf file" "cannot read target BTF $TMP/none: No such file" \
	"$XDPLD" btfgen --btf "$TMP/none" -o "$TMP/e.btf" "$TBPF/core_fields.o"
head -c 4096 /dev/urandom >"$TMP/garbage"
check_fails "garbage --btf file" "$TMP/garbage: not a valid BTF file" \
	"$XDPLD" btfgen --btf "$TMP/garbage" -o "$TMP/e.btf" "$TBPF/core_fields.o"
check_fails "an object as --btf" "not a valid BTF file" \
	"$XDPLD" btfgen --btf "$TBPF/core_fields.o" -o "$TMP/e.btf" "$TBPF/core_fields.o"
check_fails "missing object" "nope.o" "$XDPLD" btfgen -o "$TMP/e.btf" "$TMP/nope.o"
head -c 3000 /dev/urandom >"$TMP/garbage.o"
check_fails "garbage object" "garbage.o: not an ELF file" \
	"$XDPLD" btfgen -o "$TMP/e.btf" "$TBPF/core_fields.o" "$TMP/garbage.o"
check_fails "an object with an ambiguous relocation (core_ambig.o): refused, naming it" \
	"core_ambig.o: sec '[^']*': CO-RE relocation #[0-9]+ .*ambiguity" \
	"$XDPLD" btfgen -o "$TMP/e.btf" "$TBPF/core_ambig.o"
check "nothing written after an error" test ! -e "$TMP/e.btf"
check_out "no -o: usage error (exit 2)" "^2 .*-o OUT.btf is required" sh -c \
	"'$XDPLD' btfgen '$TBPF/core_fields.o' 2>&1 | tr '\n' ' ' >'$TMP/u'; echo \$? >/dev/null
	 '$XDPLD' btfgen '$TBPF/core_fields.o' >/dev/null 2>&1; echo \$? \$(cat '$TMP/u')"
if llvm-objcopy --remove-section .BTF.ext "$TBPF/verdict_pass.o" "$TMP/noext.o" 2>/dev/null; then
	check_fails "object without .BTF.ext: refused, as by bpftool" "no \.BTF\.ext section" \
		"$XDPLD" btfgen -o "$TMP/e.btf" "$TMP/noext.o"
	check "object without .BTF.ext: bpftool refuses it too" \
		sh -c "! bpftool gen min_core_btf '$VMLINUX' '$TMP/e2.btf' '$TMP/noext.o'"
fi
check_out "object without CO-RE records: empty BTF and a warning, as bpftool (exit 0)" \
	"verdict_pass.o matches a type of .*empty BTF" \
	"$XDPLD" btfgen -o "$TMP/empty.btf" "$TBPF/verdict_pass.o"
check "object without CO-RE records: byte for byte bpftool's" sh -c \
	"bpftool gen min_core_btf '$VMLINUX' '$TMP/empty.b.btf' '$TBPF/verdict_pass.o' &&
	 cmp '$TMP/empty.btf' '$TMP/empty.b.btf'"

echo "# sizes (object, xdpld bytes, bpftool bytes):"
sed 's/^/#   /' "$TMP/sizes"
