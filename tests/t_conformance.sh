#!/bin/sh
# Linking objects that collide the way real vendors' objects collide
# (tests/bpf/conf_*), each pair in both orders: the linked object's BTF must
# be accepted by the kernel (xdpld verify, or libbpf where the program uses
# __kconfig externs, which xdpld's loader does not resolve yet), bpftool's
# view of the BTF must show the fixed names and offsets, and the programs'
# verdicts must not change.
. tests/lib.sh

C=$TMP/corpus
if ! $TOOLS/pktcorpus "$C" >/dev/null; then not_ok "pktcorpus"; exit 0; fi
PKTS=$(echo "$C"/*.pkt)
B=$TBPF

# btf_ok OBJ: xdpld verify loads OBJ with its BTF and without the warning
# about a refused BTF.
btf_ok() {
	$XDPLD verify "$1" --json >"$TMP/v" 2>&1
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
