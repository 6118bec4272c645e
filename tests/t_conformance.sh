#!/bin/sh
# Linking objects that collide the way real vendors' objects collide
# (tests/bpf/conf_*): pairs in both orders, triples in all six orders.
# For each: the linked object's BTF must be accepted by the kernel (xdpld
# verify, or libbpf where the program uses __kconfig/__ksym externs, which
# xdpld's loader does not resolve yet), bpftool's view of the BTF must show
# the fixed names and offsets, the programs' verdicts must not change, and
# where nothing needs a rename, `xdpld link --no-rename` must resolve the
# symbols exactly as `bpftool gen object` (libbpf's linker) does.  Also
# maps pinned by name (LIBBPF_PIN_BY_NAME) shared between objects, end to
# end through xdpld's loader, libbpf and `xdpld attach`.
. tests/lib.sh

C=$TMP/corpus
if ! $TOOLS/pktcorpus "$C" >/dev/null; then not_ok "pktcorpus"; exit 0; fi
PKTS=$(echo "$C"/*.pkt)
B=$TBPF

# Maps pinned by name: xdpld's loader pins them under a private root here
# ($PR); libbpf (progrun) and `xdpld attach` pin under /sys/fs/bpf, where
# the test's map conf_pin_cfg is removed before and after.
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
PR=/sys/fs/bpf/xdpld-t-conf-$$	# bpffs names must not contain dots
SND=xdpld-csnd-$$
RCV=xdpld-crcv-$$
SD=/sys/fs/bpf/xdpld-t-conf-sd-$$
GPIN=/sys/fs/bpf/conf_pin_cfg
conf_cleanup() {
	for _n in $SND $RCV; do ip netns del "$_n" 2>/dev/null; done
	rm -rf "$PR" "$SD" "$TMP"
	rm -f "$GPIN"
}
trap conf_cleanup EXIT
trap 'exit 1' INT TERM
rm -f "$GPIN"
mkdir -p "$PR"

# btf_ok OBJ: xdpld verify loads OBJ with its BTF and without the warning
# about a refused BTF.
btf_ok() {
	$XDPLD verify "$1" --json --pin-root "$PR" >"$TMP/v" 2>&1
	_rc=$?
	cat "$TMP/v"
	[ $_rc -eq 0 ] && grep -q '"btf":true' "$TMP/v" && ! grep -q "refused the object's BTF" "$TMP/v"
}

# libbpf_btf_ok OBJ PROG VERDICT: libbpf loads OBJ's BTF without an error
# and PROG gives VERDICT for every packet.
libbpf_btf_ok() {
	$TOOLS/progrun "$1" "$2" $PKTS >"$TMP/lr" 2>"$TMP/le" || { cat "$TMP/le"; return 1; }
	cat "$TMP/le"
	! grep -Eq 'BTF loading error|Error loading .BTF' "$TMP/le" &&
		[ -s "$TMP/lr" ] && ! grep -v " $3 " "$TMP/lr"
}

# same_run OBJ1 OBJ2 PROG: progrun lines identical (and not empty).
same_run() {
	$TOOLS/progrun "$1" "$3" $PKTS >"$TMP/run1" || return 1
	$TOOLS/progrun "$2" "$3" $PKTS >"$TMP/run2" || return 1
	[ -s "$TMP/run1" ] && cmp "$TMP/run1" "$TMP/run2"
}

# dump OBJ PATTERN COUNT: bpftool's BTF dump of OBJ has COUNT lines
# matching PATTERN.
dump() {
	_n=$(bpftool btf dump file "$1" | grep -cE -- "$2")
	echo "$_n lines match '$2'"
	[ "$_n" -eq "$3" ]
}

# new_names MAPFILE: the new names of the renamed maps, sorted.
new_names() { awk '$2 == "map" { print $4 }' "$1" | sort; }

# good_names MAPFILE N PATTERN: N distinct map names of at most 15
# characters, none starting with a digit, each matching PATTERN.
good_names() {
	new_names "$1" >"$TMP/nn"
	cat "$1"
	[ "$(wc -l <"$TMP/nn")" -eq "$2" ] && [ "$(sort -u "$TMP/nn" | wc -l)" -eq "$2" ] &&
		! grep -E '^[0-9]|^.{16}' "$TMP/nn" && ! grep -vE -- "$3" "$TMP/nn"
}

# link_both NAME A B: link A+B and B+A (with map files).
link_both() {
	$XDPLD link -o "$TMP/$1.ab.o" "$2" "$3" --map-file "$TMP/$1.ab.map" &&
		$XDPLD link -o "$TMP/$1.ba.o" "$3" "$2" --map-file "$TMP/$1.ba.map"
}

# ---- `xdpld link --no-rename` against `bpftool gen object` ----
# "The same symbol resolution" means: the same symbols, each with the same
# name, binding, type, visibility, section (by name; UND for an extern)
# and size, counted with multiplicity.  Not compared: values (offsets in
# the section: the linkers may order or cut code differently), indices
# (symbol and section numbers), section and file symbols, and local
# NOTYPE labels (clang's LBB jump targets: libbpf keeps the dead body of a
# losing weak function with its labels, xdpld cuts both out).  Static
# functions and variables (local FUNC/OBJECT) are compared.
syms() {
	readelf -SW "$1" 2>/dev/null | sed -n 's/^ *\[ *\([0-9]*\)\] \([^ ]*\) .*/\1 \2/p' >"$TMP/secs"
	readelf -sW "$1" 2>/dev/null | awk 'NR == FNR { sec[$1] = $2; next }
		$1 ~ /^[0-9]+:$/ && $4 != "SECTION" && $4 != "FILE" && $8 != "" &&
		!($5 == "LOCAL" && $4 == "NOTYPE") {
			print $8, $5, $4, $6, ($7 in sec ? sec[$7] : $7), $3 }' "$TMP/secs" - | sort
}

# as_bpftool NAME IN...: xdpld link --no-rename and bpftool gen object both
# link IN..., into $TMP/NAME.x.o and $TMP/NAME.b.o, with the same symbols
# (also saved as $TMP/NAME.syms); a plain xdpld link gives the same bytes
# as --no-rename (nothing conflicts, so nothing is renamed).
as_bpftool() {
	_n=$1; shift
	$XDPLD link --no-rename -o "$TMP/$_n.x.o" "$@" &&
		$XDPLD link -o "$TMP/$_n.plain.o" "$@" && cmp "$TMP/$_n.x.o" "$TMP/$_n.plain.o" &&
		bpftool gen object "$TMP/$_n.b.o" "$@" || return 1
	syms "$TMP/$_n.b.o" >"$TMP/$_n.bsyms"
	syms "$TMP/$_n.x.o" >"$TMP/$_n.syms"
	diff "$TMP/$_n.bsyms" "$TMP/$_n.syms" && [ -s "$TMP/$_n.syms" ]
}

# both_refuse PATTERN IN...: a pair that needs a rename: xdpld link
# --no-rename refuses it (the message matching PATTERN), as bpftool does.
both_refuse() {
	_p=$1; shift
	if bpftool gen object "$TMP/refused.b.o" "$@" 2>"$TMP/br"; then
		echo "bpftool linked it"; return 1
	fi
	grep -q "conflicting non-weak symbol" "$TMP/br" || { cat "$TMP/br"; return 1; }
	if $XDPLD link --no-rename -o "$TMP/refused.x.o" "$@" 2>"$TMP/br"; then
		echo "xdpld --no-rename linked it"; return 1
	fi
	cat "$TMP/br"
	grep -Eq -- "$_p" "$TMP/br" && [ ! -e "$TMP/refused.x.o" ]
}

ORDERS3="1 2 3
1 3 2
2 1 3
2 3 1
3 1 2
3 2 1"

# Bug 1: both objects define xdp_stats_map; the prefixed names must be
# shortened and (as the short forms collide) hashed; a hashed name used to
# start with a hex digit, which the kernel refuses as a BTF VAR name.
check "long map names: link in both orders" link_both long "$B/conf_long1.o" "$B/conf_long2.o"
for o in ab ba; do
	check "long map names ($o): BTF accepted" btf_ok "$TMP/long.$o.o"
	check "long map names ($o): no BTF name starts with a digit" \
		dump "$TMP/long.$o.o" "^\[[0-9]+\] [A-Z_]+ '[0-9]" 0
	check "long map names ($o): two readable 15-character names" \
		good_names "$TMP/long.$o.map" 2 '^[a-z_][0-9a-f_a-z]*_xdp_stats$'
	for p in long1 long2; do
		check "long map names ($o): prog_$p same as unlinked" \
			same_run "$B/conf_$p.o" "$TMP/long.$o.o" "prog_$p"
	done
done
check "long map names: the same names in either order" \
	sh -c "sort '$TMP/long.ab.map' >'$TMP/m1' && sort '$TMP/long.ba.map' >'$TMP/m2' && cmp '$TMP/m1' '$TMP/m2'"
check "long map names: --no-rename refuses, as bpftool does" both_refuse \
	"conflicting non-weak symbol 'xdp_stats_map' defined in .*conf_long1.o and .*conf_long2.o" \
	"$B/conf_long1.o" "$B/conf_long2.o"
# A default prefix from a file name starting with a digit gets a '_'.
cp "$B/conf_long1.o" "$TMP/1long.o"
check "file name starting with a digit: link" \
	$XDPLD link -o "$TMP/dig.o" "$TMP/1long.o" "$B/conf_long2.o" --map-file "$TMP/dig.map"
check "file name starting with a digit: names start with '_' or a letter" \
	good_names "$TMP/dig.map" 2 '^[a-z_]'
check "file name starting with a digit: BTF accepted" btf_ok "$TMP/dig.o"

# Bug 2: filter_ipv4 and filter_ipv6 in each object: four distinct names
# (the hash covers prefix and name), the map file tells which is which.
check "maps differing after 10 characters: link in both orders" \
	link_both ipf "$B/conf_ipf1.o" "$B/conf_ipf2.o"
for o in ab ba; do
	check "maps differing after 10 characters ($o): BTF accepted" btf_ok "$TMP/ipf.$o.o"
	check "maps differing after 10 characters ($o): four distinct readable names" \
		good_names "$TMP/ipf.$o.map" 4 '^[a-z_][0-9a-f_a-z]*_filter_ip$'
	check_out "maps differing after 10 characters ($o): map file shows old -> new" \
		'conf_ipf1.o map filter_ipv6 [a-z_][0-9a-z_]{4,}_filter_ip$' cat "$TMP/ipf.$o.map"
	for p in ipf1 ipf2; do
		check "maps differing after 10 characters ($o): prog_$p same as unlinked" \
			same_run "$B/conf_$p.o" "$TMP/ipf.$o.o" "prog_$p"
	done
done
check "maps differing after 10 characters: the same names in either order" \
	sh -c "sort '$TMP/ipf.ab.map' >'$TMP/m1' && sort '$TMP/ipf.ba.map' >'$TMP/m2' && cmp '$TMP/m1' '$TMP/m2'"
check "maps differing after 10 characters: --no-rename refuses, as bpftool does" both_refuse \
	"conflicting non-weak symbol 'filter_ipv[46]'" "$B/conf_ipf2.o" "$B/conf_ipf1.o"

# Bug 3: _license/__license and _version/__version: one copy of the bytes,
# so one VAR at offset 0 of each DATASEC.
for d in "" be/; do
	check "license variables named differently (${d:-le}): link in both orders" \
		link_both "lic${d%/}" "$B/${d}conf_lic1.o" "$B/${d}conf_lic2.o"
	for o in ab ba; do
		for s in license version; do
			check "license variables named differently (${d:-le/}$o): one VAR in DATASEC '$s'" \
				dump "$TMP/lic${d%/}.$o.o" "DATASEC '$s' size=4 vlen=1" 1
		done
	done
done
for o in ab ba; do
	check "license variables named differently ($o): BTF accepted" btf_ok "$TMP/lic.$o.o"
done
# libbpf's linker keeps the first input's license/version section and only
# its symbols; xdpld used to keep the later input's __license/__version
# symbols too (at the same offset).
for o in "1 2 _" "2 1 __"; do
	set -- $o
	check "license variables named differently ($1+$2): --no-rename symbols as bpftool's" \
		as_bpftool "lic$1$2" "$B/conf_lic$1.o" "$B/conf_lic$2.o"
	check "license variables named differently ($1+$2): only ${3}license and ${3}version" \
		sh -c "grep -E ' (license|version) ' '$TMP/lic$1$2.syms' | cut -d' ' -f1 | tr '\n' ' ' |
		       grep -qx '${3}license ${3}version '"
	check "license variables named differently ($1+$2): BTF accepted" btf_ok "$TMP/lic$1$2.x.o"
done

# Bug 4: the same __kconfig extern in both: one extern VAR, inside .kconfig.
check "kconfig extern in both: link in both orders" link_both kc "$B/conf_kc1.o" "$B/conf_kc2.o"
for o in ab ba; do
	check "kconfig extern in both ($o): one VAR LINUX_KERNEL_VERSION" \
		dump "$TMP/kc.$o.o" "^\[[0-9]+\] VAR 'LINUX_KERNEL_VERSION'" 1
	check "kconfig extern in both ($o): .kconfig holds it" \
		dump "$TMP/kc.$o.o" "DATASEC '.kconfig' size=[0-9]+ vlen=1" 1
	for p in kc1 kc2; do
		check "kconfig extern in both ($o): libbpf loads the BTF, prog_$p passes" \
			libbpf_btf_ok "$TMP/kc.$o.o" "prog_$p" XDP_PASS
	done
done
check "kconfig extern in both (bpfeb): link" \
	$XDPLD link -o "$TMP/kcbe.o" "$B/be/conf_kc1.o" "$B/be/conf_kc2.o"
check "kconfig extern in both (bpfeb): one VAR LINUX_KERNEL_VERSION" \
	dump "$TMP/kcbe.o" "^\[[0-9]+\] VAR 'LINUX_KERNEL_VERSION'" 1
for o in "1 2" "2 1"; do
	set -- $o
	check "kconfig extern in both (kc$1+kc$2): --no-rename symbols as bpftool's" \
		as_bpftool "kc$1$2" "$B/conf_kc$1.o" "$B/conf_kc$2.o"
done

# ---- triples ----
# Three objects with the same strong map, function and variable (and a
# static helper of one name): every one renamed, in every order the same
# names (three hashed short map names), the BTF accepted, the verdicts as
# unlinked.
echo "$ORDERS3" | while read -r i j k; do
	n=tri$i$j$k
	check "three-way collision ($i$j$k): link" $XDPLD link -o "$TMP/$n.o" \
		"$B/conf_tri$i.o" "$B/conf_tri$j.o" "$B/conf_tri$k.o" --map-file "$TMP/$n.map"
	check "three-way collision ($i$j$k): BTF accepted" btf_ok "$TMP/$n.o"
	check "three-way collision ($i$j$k): three readable 15-character map names" \
		good_names "$TMP/$n.map" 3 '^[a-z_][0-9a-f_a-z]*_xdp_stats$'
	check "three-way collision ($i$j$k): classify and threshold renamed in all three" \
		sh -c "[ \$(grep -cE ' (function classify|variable threshold) conf_tri[123]_' '$TMP/$n.map') -eq 6 ]"
	check "three-way collision ($i$j$k): no BTF name starts with a digit" \
		dump "$TMP/$n.o" "^\[[0-9]+\] [A-Z_]+ '[0-9]" 0
	sort "$TMP/$n.map" >"$TMP/$n.sorted"
	check "three-way collision ($i$j$k): the same names as in order 123" \
		cmp "$TMP/tri123.sorted" "$TMP/$n.sorted"
	for p in tri1 tri2 tri3; do
		check "three-way collision ($i$j$k): prog_$p same as unlinked" \
			same_run "$B/conf_$p.o" "$TMP/$n.o" "prog_$p"
	done
	check "three-way collision ($i$j$k): --no-rename refuses, as bpftool does" both_refuse \
		"conflicting non-weak symbol '(classify|threshold|xdp_stats_map)'" \
		"$B/conf_tri$i.o" "$B/conf_tri$j.o" "$B/conf_tri$k.o"
done
check "three-way collision: prog_tri1..3 give more than one verdict" \
	sh -c "for p in 1 2 3; do $TOOLS/progrun '$B/conf_tri'\$p.o prog_tri\$p $PKTS |
	       awk '{print \$2}' | sort -u | grep -c . | grep -qvx 1 || exit 1; done"
check "three-way collision (bpfeb): link" $XDPLD link -o "$TMP/tribe.o" \
	"$B/be/conf_tri3.o" "$B/be/conf_tri1.o" "$B/be/conf_tri2.o" --map-file "$TMP/tribe.map"
check "three-way collision (bpfeb): the same names as bpfel" \
	sh -c "sed 's|/be/|/|' '$TMP/tribe.map' | sort | cmp - '$TMP/tri123.sorted'"

# Weak and strong in three objects, nothing to rename: conf_pick() strong
# in conf_ws2 wins in every order; the weak conf_level of whichever of
# conf_ws1 (1) and conf_ws3 (3) comes first wins, made strong (GLOBAL) by
# conf_ws2's strong extern; the weak map conf_wmap stays one weak map.
echo "$ORDERS3" | while read -r i j k; do
	n=ws$i$j$k
	check "weak/strong triple ($i$j$k): --no-rename symbols as bpftool's" \
		as_bpftool "$n" "$B/conf_ws$i.o" "$B/conf_ws$j.o" "$B/conf_ws$k.o"
	check "weak/strong triple ($i$j$k): strong conf_pick, GLOBAL conf_level, weak conf_wmap" \
		sh -c "grep -qx 'conf_pick GLOBAL FUNC DEFAULT .text [0-9]*' '$TMP/$n.syms' &&
		       grep -qx 'conf_level GLOBAL OBJECT DEFAULT .data 4' '$TMP/$n.syms' &&
		       grep -qx 'conf_wmap WEAK OBJECT DEFAULT .maps [0-9]*' '$TMP/$n.syms'"
	check "weak/strong triple ($i$j$k): BTF accepted" btf_ok "$TMP/$n.x.o"
	case "$i$j$k" in *1*3*) want=XDP_DROP ;; *) want=XDP_TX ;; esac
	for p in ws1 ws2 ws3; do
		check "weak/strong triple ($i$j$k): prog_$p same under xdpld and bpftool" \
			same_run "$TMP/$n.b.o" "$TMP/$n.x.o" "prog_$p"
		check "weak/strong triple ($i$j$k): prog_$p gives $want (the winners' verdict)" \
			libbpf_btf_ok "$TMP/$n.x.o" "prog_$p" "$want"
	done
done

# The same __kconfig externs in three objects, one of them weak where the
# others are strong (libbpf: strong wins), and a weak one no kernel has.
echo "$ORDERS3" | while read -r i j k; do
	n=kct$i$j$k
	check "kconfig triple ($i$j$k): --no-rename symbols as bpftool's" \
		as_bpftool "$n" "$B/conf_kc$i.o" "$B/conf_kc$j.o" "$B/conf_kc$k.o"
	check "kconfig triple ($i$j$k): LINUX_KERNEL_VERSION strong, the unknown option weak" \
		sh -c "grep -qx 'LINUX_KERNEL_VERSION GLOBAL NOTYPE DEFAULT UND 0' '$TMP/$n.syms' &&
		       grep -qx 'CONFIG_XDPLD_CONF_NOSUCH WEAK NOTYPE DEFAULT UND 0' '$TMP/$n.syms'"
	check "kconfig triple ($i$j$k): one VAR each, both inside .kconfig" \
		sh -c "bpftool btf dump file '$TMP/$n.x.o' >'$TMP/$n.btf' &&
		       [ \$(grep -cE \"VAR '(LINUX_KERNEL_VERSION|CONFIG_XDPLD_CONF_NOSUCH)'\" '$TMP/$n.btf') -eq 4 ] &&
		       grep -qE \"DATASEC '.kconfig' size=[0-9]+ vlen=2\" '$TMP/$n.btf'"
	for p in kc1 kc2 kc3; do
		check "kconfig triple ($i$j$k): libbpf loads the BTF, prog_$p passes" \
			libbpf_btf_ok "$TMP/$n.x.o" "prog_$p" XDP_PASS
	done
done

# kfuncs (__ksym) and __kconfig externs, strong and weak, in three objects:
# one FUNC per kfunc inside .ksyms, one VAR per kconfig option inside
# .kconfig.  libbpf 1.1's linker (bpftool 7.1) cannot link the same extern
# function from two objects ("failed to resolve size of underlying type",
# fixed in libbpf 1.5 by "libbpf: do not resolve size on duplicate FUNCs"),
# so where bpftool refuses with exactly that, xdpld's symbols are checked
# against libbpf's rules instead.
ks_syms() {
	cat <<'SYMS'
CONFIG_XDPLD_CONF_NOSUCH WEAK NOTYPE DEFAULT UND 0
LINUX_KERNEL_VERSION GLOBAL NOTYPE DEFAULT UND 0
_license GLOBAL OBJECT DEFAULT license 4
bpf_dynptr_from_xdp GLOBAL NOTYPE DEFAULT UND 0
bpf_dynptr_size GLOBAL NOTYPE DEFAULT UND 0
SYMS
}
# ks_as_bpftool NAME IN...: symbols as bpftool's, or (libbpf bug above)
# as libbpf's rules say.
ks_as_bpftool() {
	_n=$1; shift
	$XDPLD link --no-rename -o "$TMP/$_n.x.o" "$@" || return 1
	syms "$TMP/$_n.x.o" >"$TMP/$_n.syms"
	if bpftool gen object "$TMP/$_n.b.o" "$@" 2>"$TMP/$_n.berr"; then
		syms "$TMP/$_n.b.o" | diff - "$TMP/$_n.syms"
		return
	fi
	grep -q "global 'bpf_dynptr_[a-z_]*': failed to resolve size of underlying type" "$TMP/$_n.berr" &&
		ks_syms >"$TMP/ks.want" &&
		grep -v '^prog_ks[123] GLOBAL FUNC DEFAULT xdp ' "$TMP/$_n.syms" | diff "$TMP/ks.want" - &&
		[ "$(grep -c '^prog_ks[123] GLOBAL FUNC DEFAULT xdp ' "$TMP/$_n.syms")" -eq 3 ]
}
echo "$ORDERS3" | while read -r i j k; do
	n=ks$i$j$k
	check "kfunc and kconfig triple ($i$j$k): --no-rename symbols as libbpf's" \
		ks_as_bpftool "$n" "$B/conf_ks$i.o" "$B/conf_ks$j.o" "$B/conf_ks$k.o"
	check "kfunc and kconfig triple ($i$j$k): one FUNC per kfunc, inside .ksyms" \
		sh -c "bpftool btf dump file '$TMP/$n.x.o' >'$TMP/$n.btf' &&
		       [ \$(grep -cE \"FUNC 'bpf_dynptr_(from_xdp|size)'\" '$TMP/$n.btf') -eq 4 ] &&
		       grep -qE \"DATASEC '.ksyms' size=[0-9]+ vlen=2\" '$TMP/$n.btf' &&
		       grep -qE \"DATASEC '.kconfig' size=[0-9]+ vlen=2\" '$TMP/$n.btf'"
	for p in ks1 ks2 ks3; do
		check "kfunc and kconfig triple ($i$j$k): libbpf loads the BTF, prog_$p passes" \
			libbpf_btf_ok "$TMP/$n.x.o" "prog_$p" XDP_PASS
	done
done
for n in ks123 ks231 ks312; do
	check "kfunc and kconfig triple ($n): xdpld loads the linked object with libbpf's tags" \
		same_tags_as_libbpf "$TMP/$n.x.o"
done

# ---- maps pinned by name (LIBBPF_PIN_BY_NAME) ----
# conf_pin1 and conf_pin2 define conf_pin_cfg pinned by name, identically:
# one map under that name, as libbpf would share one pin.  conf_pin3
# (max_entries) and conf_pin4 (value type) differ: refused.  conf_pin5 has
# an unpinned map of that name: it is renamed, the pinned one is not.
# pin_run OBJ PROG: progrun (libbpf, which pins under /sys/fs/bpf) with no
# pin left before or after.
pin_run() { rm -f "$GPIN"; $TOOLS/progrun "$1" "$2" $PKTS; _r=$?; rm -f "$GPIN"; return $_r; }
pin_same_run() {
	pin_run "$1" "$3" >"$TMP/run1" && pin_run "$2" "$3" >"$TMP/run2" &&
		[ -s "$TMP/run1" ] && cmp "$TMP/run1" "$TMP/run2"
}
# one_pinned_map OBJ: the only map named conf_pin_cfg in OBJ, pinned by name.
one_pinned_map() {
	$XDPLD inspect "$1" >"$TMP/insp" && cat "$TMP/insp" &&
		[ "$(grep -c '^  conf_pin_cfg definition=btf .*pinning=by_name$' "$TMP/insp")" -eq 1 ] &&
		[ "$(grep -c '^  [a-z_0-9]* definition=' "$TMP/insp")" -eq "$2" ]
}
for o in "1 2" "2 1"; do
	set -- $o
	n=pin$1$2
	check "pinned by name in both ($1+$2): link" $XDPLD link -o "$TMP/$n.o" \
		"$B/conf_pin$1.o" "$B/conf_pin$2.o" --map-file "$TMP/$n.map"
	check "pinned by name in both ($1+$2): nothing renamed" test ! -s "$TMP/$n.map"
	check "pinned by name in both ($1+$2): one map conf_pin_cfg, pinned by name" \
		one_pinned_map "$TMP/$n.o" 1
	check "pinned by name in both ($1+$2): one VAR in .maps" \
		sh -c "bpftool btf dump file '$TMP/$n.o' >'$TMP/$n.btf' &&
		       [ \$(grep -c \"VAR 'conf_pin_cfg'\" '$TMP/$n.btf') -eq 2 ] &&
		       grep -q \"DATASEC '.maps' size=[0-9]* vlen=1\" '$TMP/$n.btf'"
	check "pinned by name in both ($1+$2): BTF accepted" btf_ok "$TMP/$n.o"
	for p in pin1 pin2; do
		check "pinned by name in both ($1+$2): prog_$p same as unlinked" \
			pin_same_run "$B/conf_$p.o" "$TMP/$n.o" "prog_$p"
	done
	check "pinned by name in both ($1+$2): --no-rename refuses, as bpftool does" both_refuse \
		"conflicting non-weak symbol 'conf_pin_cfg'" "$B/conf_pin$1.o" "$B/conf_pin$2.o"
done
check "pinned by name in both (bpfeb): one map" sh -c \
	"$XDPLD link -o '$TMP/pinbe.o' '$B/be/conf_pin1.o' '$B/be/conf_pin2.o' &&
	 $XDPLD inspect '$TMP/pinbe.o' | grep -c '^  conf_pin_cfg definition=btf .*pinning=by_name\$' | grep -qx 1"

# xdpld's loader: the linked object's one map is pinned as <root>/conf_pin_cfg
# (nothing else is pinned), both programs read what an agent writes there,
# and the unlinked modules reuse that same pin.
pr_map_id() { bpftool -j map show pinned "$PR/conf_pin_cfg" | jq -e .id; }
check "pinned by name, xdpld loader: the run pins conf_pin_cfg and nothing else" \
	sh -c "$XDPLD run --pin-root '$PR' '$TMP/pin12.o' prog_pin1 $PKTS >'$TMP/r' &&
	       ! grep -v XDP_PASS '$TMP/r' && [ \"\$(ls '$PR')\" = conf_pin_cfg ]"
check "pinned by name, xdpld loader: the agent writes slot 0 through the pin" \
	bpftool map update pinned "$PR/conf_pin_cfg" key 0 0 0 0 value 1 0 0 0
for v in "pin12.o prog_pin1 XDP_DROP" "pin12.o prog_pin2 XDP_TX" "pin21.o prog_pin1 XDP_DROP" \
	 "conf_pin1.o prog_pin1 XDP_DROP" "conf_pin2.o prog_pin2 XDP_TX"; do
	set -- $v
	case $1 in conf_*) f=$B/$1 ;; *) f=$TMP/$1 ;; esac
	check "pinned by name, xdpld loader: $2 of $1 reads the pinned map ($3)" \
		sh -c "$XDPLD run --pin-root '$PR' '$f' $2 $PKTS >'$TMP/r' && [ -s '$TMP/r' ] &&
		       ! grep -v ' $3 ' '$TMP/r'"
done
# libbpf on the linked object: it reuses a pin of the agent's.
check "pinned by name, libbpf: the linked object reuses the agent's pin" \
	sh -c "rm -f '$GPIN' && bpftool map create '$GPIN' type array key 4 value 4 entries 4 name conf_pin_cfg &&
	       bpftool map update pinned '$GPIN' key 0 0 0 0 value 1 0 0 0 &&
	       $TOOLS/progrun '$TMP/pin12.o' prog_pin2 $PKTS >'$TMP/r' && [ -s '$TMP/r' ] &&
	       ! grep -v ' XDP_TX ' '$TMP/r'; r=\$?; rm -f '$GPIN'; exit \$r"

# Different definitions: one pin cannot hold both.
for o in "1 3 max_entries differs \\(4 vs 8\\)" "3 1 max_entries differs \\(8 vs 4\\)" \
	 "1 4 value type differs \\(typedef __u32 vs struct pin_val\\)" \
	 "4 1 value type differs \\(struct pin_val vs typedef __u32\\)"; do
	set -- $o
	a=$1 b=$2; shift 2
	check_fails "pinned by name, different definitions ($a+$b): refused, naming both, the map and the field" \
		"conf_pin$b.o: .maps: map 'conf_pin_cfg' is pinned by name \\(LIBBPF_PIN_BY_NAME\\) in .*conf_pin$a.o and .*conf_pin$b.o with different definitions: $*" \
		$XDPLD link -o "$TMP/pinbad.o" "$B/conf_pin$a.o" "$B/conf_pin$b.o"
	check "pinned by name, different definitions ($a+$b): no output" test ! -e "$TMP/pinbad.o"
done
check "pinned by name, different definitions: --rename gives one its own name and pin" sh -c \
	"$XDPLD link -o '$TMP/pin13r.o' '$B/conf_pin1.o' '$B/conf_pin3.o' --rename conf_pin3.o:conf_pin_cfg=pin3_cfg &&
	 $XDPLD inspect '$TMP/pin13r.o' | grep -q '^  pin3_cfg definition=btf .*max_entries=8 .*pinning=by_name\$'"

# A pinned and an unpinned map of one name: the pinned one keeps its name
# (its pin path is the contract), the other one is renamed; in triples with
# the second pinned definition, every order.
for o in "1 5" "5 1"; do
	set -- $o
	n=pin$1$2
	check "pinned and unpinned ($1+$2): link" $XDPLD link -o "$TMP/$n.o" \
		"$B/conf_pin$1.o" "$B/conf_pin$2.o" --map-file "$TMP/$n.map"
	check_out "pinned and unpinned ($1+$2): only the unpinned map is renamed" \
		"^[^ ]*conf_pin5.o map conf_pin_cfg [a-z_][a-z0-9_]{0,14}\$" \
		sh -c "cat '$TMP/$n.map'; [ \$(wc -l <'$TMP/$n.map') -eq 1 ]"
	check "pinned and unpinned ($1+$2): conf_pin_cfg is the pinned map" one_pinned_map "$TMP/$n.o" 2
	check "pinned and unpinned ($1+$2): BTF accepted" btf_ok "$TMP/$n.o"
	for p in pin1 pin5; do
		check "pinned and unpinned ($1+$2): prog_$p same as unlinked" \
			pin_same_run "$B/conf_$p.o" "$TMP/$n.o" "prog_$p"
	done
done
echo "$ORDERS3" | while read -r i j k; do
	set -- 1 2 5
	eval "a=\$$i b=\$$j c=\$$k"
	n=pint$a$b$c
	check "pinned twice and unpinned ($a$b$c): link" $XDPLD link -o "$TMP/$n.o" \
		"$B/conf_pin$a.o" "$B/conf_pin$b.o" "$B/conf_pin$c.o" --map-file "$TMP/$n.map"
	check_out "pinned twice and unpinned ($a$b$c): only the unpinned map is renamed" \
		"^[^ ]*conf_pin5.o map conf_pin_cfg " sh -c "cat '$TMP/$n.map'; [ \$(wc -l <'$TMP/$n.map') -eq 1 ]"
	check "pinned twice and unpinned ($a$b$c): one pinned conf_pin_cfg, one other map" \
		one_pinned_map "$TMP/$n.o" 2
	check "pinned twice and unpinned ($a$b$c): BTF accepted" btf_ok "$TMP/$n.o"
	for p in pin1 pin2 pin5; do
		check "pinned twice and unpinned ($a$b$c): prog_$p same as unlinked" \
			pin_same_run "$B/conf_$p.o" "$TMP/$n.o" "prog_$p"
	done
done

# `xdpld attach` with the same modules: the static backend links them (one
# map), tailcall loads each on its own (the second load reuses the first
# one's pin); either way /sys/fs/bpf/conf_pin_cfg is the one map both
# modules use, and the pipeline's stable pins <module>-conf_pin_cfg name it.
CORPUS=$TMP/acorpus
map_id() { bpftool -j map show pinned "$1" 2>/dev/null | jq -e .id; }
same_map() { _a=$(map_id "$1") && [ "$_a" = "$(map_id "$2")" ]; }
PINMODS="$B/conf_pin1.o $B/conf_pin2.o $B/conf_pin5.o"
if veth_netns_pair "$SND" "$RCV"; then
	ok "attach: set up namespaces and veth"
	check "attach (static): pinned twice and unpinned" X attach --backend static r0 $PINMODS
	check "attach (static): /sys/fs/bpf/conf_pin_cfg is module conf_pin1's map" \
		same_map "$GPIN" "$SD/r0/conf_pin1-conf_pin_cfg"
	check "attach (static): conf_pin5's own map is another one" \
		sh -c "_a=\$(bpftool -j map show pinned '$SD/r0/conf_pin5-conf_pin_cfg' | jq -e .id) &&
		       [ \"\$_a\" != \"\$(bpftool -j map show pinned '$GPIN' | jq -e .id)\" ]"
	id1=$(map_id "$GPIN")
	check "detach (static)" X detach r0
	check "detach (static): the by-name pin stays, as libbpf leaves it" test -e "$GPIN"
	check "attach (static) again: the by-name pin is reused" X attach --backend static r0 $PINMODS
	check "attach (static) again: same map id" sh -c "[ '$id1' = \"\$(bpftool -j map show pinned '$GPIN' | jq -e .id)\" ] &&
	       [ '$id1' = \"\$(bpftool -j map show pinned '$SD/r0/conf_pin1-conf_pin_cfg' | jq -e .id)\" ]"
	check "detach (static) again" X detach r0
	rm -f "$GPIN"
	if "$XDPLD" probe | grep -q '^tailcall *yes'; then
		check "attach (tailcall): pinned twice and unpinned" X attach --backend tailcall r0 $PINMODS
		check "attach (tailcall): modules conf_pin1 and conf_pin2 share /sys/fs/bpf/conf_pin_cfg" \
			sh -c "a=\$(bpftool -j map show pinned '$GPIN' | jq -e .id) &&
			       [ \"\$a\" = \"\$(bpftool -j map show pinned '$SD/r0/conf_pin1-conf_pin_cfg' | jq -e .id)\" ] &&
			       [ \"\$a\" = \"\$(bpftool -j map show pinned '$SD/r0/conf_pin2-conf_pin_cfg' | jq -e .id)\" ] &&
			       [ \"\$a\" != \"\$(bpftool -j map show pinned '$SD/r0/conf_pin5-conf_pin_cfg' | jq -e .id)\" ]"
		check "detach (tailcall)" X detach r0
	else
		skip "attach (tailcall): the kernel has no tail calls from programs with bpf-to-bpf calls"
	fi
	rm -f "$GPIN"
else
	not_ok "attach: set up namespaces and veth"
fi

# ---- every linked object reports its BTF loaded ----
# The sample modules linked as `make demo` links them (and in reverse), and
# the rootlet-style pipeline link: verify --json says "btf": true (a forced
# BTF refusal exiting non-zero with the kernel's message is in t_verify).
check "samples linked as the demo links them" $XDPLD link -o "$TMP/demo.o" \
	"$FW/fw_acme.o" "$FW/fw_bolt.o" "$FW/lb.o" "$FW/sampler.o" --map-file "$TMP/demo.map"
check "samples linked in reverse" $XDPLD link -o "$TMP/demorev.o" \
	"$FW/sampler.o" "$FW/lb.o" "$FW/fw_bolt.o" "$FW/fw_acme.o"
for f in demo demorev; do
	check "linked samples ($f): verify --json reports BTF loaded" btf_ok "$TMP/$f.o"
	check "linked samples ($f): --json names the object and has btf true" \
		sh -c "$XDPLD verify --json '$TMP/$f.o' | jq -e '.object == \"$TMP/$f.o\" and .btf == true and (.programs | length) == 4'"
done
