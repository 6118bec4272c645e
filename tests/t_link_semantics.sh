#!/bin/sh
# The linker's symbol rules on small objects of our own (tests/bpf/link_*):
# where libbpf's linker accepts a link, `bpftool gen object` and `xdpld link`
# must give objects whose programs behave the same under progrun; where
# libbpf refuses two strong definitions, xdpld renames them (and refuses
# with --no-rename).  Also aliasing vendor entry programs onto a rootlet's
# placeholder slots, and the bad-input messages.
. tests/lib.sh

C=$TMP/corpus
if ! $TOOLS/pktcorpus "$C" >/dev/null; then not_ok "pktcorpus"; exit 0; fi
PKTS=$(echo "$C"/*.pkt)
B=$TBPF

run() { $TOOLS/progrun "$1" "$2" $PKTS; }

# same_run OBJ1 PROG1 OBJ2 PROG2: progrun lines identical (and not empty).
same_run() {
	run "$1" "$2" >"$TMP/run1" || return 1
	run "$3" "$4" >"$TMP/run2" || return 1
	[ -s "$TMP/run1" ] && cmp "$TMP/run1" "$TMP/run2" && diff "$TMP/run1" "$TMP/run2"
}

# all_verdicts OBJ PROG VERDICT: every packet gets VERDICT.
all_verdicts() {
	run "$1" "$2" >"$TMP/runv" || return 1
	[ -s "$TMP/runv" ] && ! grep -v " $3 " "$TMP/runv"
}

# both_linkers NAME OUT IN...: link with xdpld and with bpftool.
both_linkers() {
	_out=$1; shift
	$XDPLD link -o "$TMP/$_out.x.o" "$@" && bpftool gen object "$TMP/$_out.b.o" "$@"
}

# Externs for functions and variables, in both directions and both orders.
for order in "fa fb" "fb fa"; do
	set -- $order
	check "externs $1+$2: xdpld and bpftool link" both_linkers "$1$2" "$B/link_$1.o" "$B/link_$2.o"
	for p in fa fb; do
		check "externs $1+$2: prog_$p same under xdpld and bpftool" \
			same_run "$TMP/$1$2.b.o" "prog_$p" "$TMP/$1$2.x.o" "prog_$p"
	done
done
check "externs: prog_fa sees var_b and gives more than one verdict" \
	sh -c "$TOOLS/progrun '$TMP/fafb.x.o' prog_fa $PKTS | awk '{print \$2}' | sort -u | grep -c . | grep -qv '^1\$'"

# Weak and strong: strong wins in either order; between weaks the first wins.
for order in "wa wb" "wb wa" "wa wc" "wc wa"; do
	set -- $order
	check "weak $1+$2: xdpld and bpftool link" both_linkers "$1$2" "$B/link_$1.o" "$B/link_$2.o"
	for p in "$1" "$2"; do
		check "weak $1+$2: prog_$p same under xdpld and bpftool" \
			same_run "$TMP/$1$2.b.o" "prog_$p" "$TMP/$1$2.x.o" "prog_$p"
	done
done
check "strong pick() wins over weak (weak first)" all_verdicts "$TMP/wawb.x.o" prog_wa XDP_DROP
check "strong pick() wins over weak (strong first)" all_verdicts "$TMP/wbwa.x.o" prog_wa XDP_DROP
check "first of two weak pick()s wins (wa first)" all_verdicts "$TMP/wawc.x.o" prog_wc XDP_PASS
check "first of two weak pick()s wins (wc first)" all_verdicts "$TMP/wcwa.x.o" prog_wa XDP_TX
check "losing weak body is cut out of .text" \
	sh -c "$XDPLD inspect '$TMP/wawb.x.o' | grep -c ' pick insns=' | grep -qx 1"

# Static functions and variables with the same names never conflict.
check "statics sa+sb: xdpld and bpftool link" both_linkers sasb "$B/link_sa.o" "$B/link_sb.o"
for p in sa sb; do
	check "statics: prog_$p same under xdpld and bpftool" \
		same_run "$TMP/sasb.b.o" "prog_$p" "$TMP/sasb.x.o" "prog_$p"
	check "statics: prog_$p same as unlinked" same_run "$B/link_$p.o" "prog_$p" "$TMP/sasb.x.o" "prog_$p"
done

# Extern maps.  (bpftool 7.1 / libbpf 1.1 here leaves both .maps DATASEC
# offsets at 0 when an extern map is involved, so its output does not load:
# xdpld's output is checked against the unlinked definition instead.)
for order in "ma mb" "mb ma"; do
	set -- $order
	check "extern map $1+$2: xdpld links" $XDPLD link -o "$TMP/$1$2.x.o" "$B/link_$1.o" "$B/link_$2.o"
	check "extern map $1+$2: one map 'shared' in the output" \
		sh -c "$XDPLD inspect '$TMP/$1$2.x.o' | grep -c '^  shared definition=' | grep -qx 1"
	for p in ma mb; do
		check "extern map $1+$2: prog_$p same as unlinked prog_ma" \
			same_run "$B/link_ma.o" prog_ma "$TMP/$1$2.x.o" "prog_$p"
	done
done
check_fails "extern map mismatch: bpftool refuses too" "max_entries" \
	bpftool gen object "$TMP/mc.b.o" "$B/link_ma.o" "$B/link_mc.o"

# no_output NAME PATTERN ARGS...: xdpld link -o $TMP/bad.o ARGS fails with
# PATTERN and leaves no output file behind.
no_output() {
	_n=$1; _p=$2; shift 2
	rm -f "$TMP"/bad.o*
	check_fails "$_n" "$_p" $XDPLD link -o "$TMP/bad.o" "$@"
	if ls "$TMP"/bad.o* >/dev/null 2>&1; then not_ok "$_n: output file left behind"
	else ok "$_n: no output file"; fi
}

no_output "extern map mismatch is refused" \
	"link_mc.o: .maps: extern map 'shared' does not match its definition in .*link_ma.o: max_entries differs" \
	"$B/link_ma.o" "$B/link_mc.o"

# Strong + strong: libbpf refuses, xdpld renames.
V1=$B/link_vendor1.o
V2=$B/link_vendor2.o
check_fails "strong+strong: bpftool refuses" "conflicting|failed to link" \
	bpftool gen object "$TMP/v.b.o" "$V1" "$V2"
no_output "strong+strong: xdpld --no-rename refuses like libbpf" \
	"conflicting non-weak symbol '[a-z_]+' defined in .*link_vendor1.o and .*link_vendor2.o" \
	--no-rename "$V1" "$V2"
check "strong+strong: xdpld renames" $XDPLD link -o "$TMP/v12.o" "$V1" "$V2" --map-file "$TMP/v12.map"
check "strong+strong: renamed programs run like the originals" \
	sh -c "'$TOOLS/progrun' '$V1' vendor_prog $PKTS >'$TMP/o1' &&
	       '$TOOLS/progrun' '$TMP/v12.o' link_vendor1_vendor_prog $PKTS >'$TMP/l1' && cmp '$TMP/o1' '$TMP/l1' &&
	       '$TOOLS/progrun' '$V2' vendor_prog $PKTS >'$TMP/o2' &&
	       '$TOOLS/progrun' '$TMP/v12.o' link_vendor2_vendor_prog $PKTS >'$TMP/l2' && cmp '$TMP/o2' '$TMP/l2'"
check "long map names are shortened to 15 characters, distinct" \
	sh -c "awk '\$2 == \"map\" {print \$4}' '$TMP/v12.map' >'$TMP/mn' && [ \$(wc -l <'$TMP/mn') -eq 2 ] &&
	       ! awk 'length(\$0) > 15' '$TMP/mn' | grep . && [ \$(sort -u '$TMP/mn' | wc -l) -eq 2 ]"

# Unresolved externs: an error, unless --partial; a partial output links on.
no_output "unresolved extern function is an error" \
	"link_fa.o: unresolved extern function 'helper_b'" "$B/link_fa.o"
check "--partial keeps the externs" $XDPLD link --partial -o "$TMP/fa_part.o" "$B/link_fa.o"
check "partial output links with the rest" $XDPLD link -o "$TMP/fa_fb2.o" "$TMP/fa_part.o" "$B/link_fb.o"
check "partial then full link runs like a direct link" \
	same_run "$TMP/fafb.x.o" prog_fa "$TMP/fa_fb2.o" prog_fa

# An extern naming a definition that two inputs provide is ambiguous.
no_output "extern to a renamed conflict is ambiguous" \
	"link_user.o: extern function 'vendor_check' is ambiguous: it is defined in .*link_vendor1.o and .*link_vendor2.o; use --rename" \
	"$B/link_user.o" "$V1" "$V2"
check "--rename settles the ambiguity" \
	$XDPLD link -o "$TMP/user.o" "$B/link_user.o" "$V1" "$V2" --rename link_vendor2.o:vendor_check=v2_check
check "the extern resolves to the remaining definition" \
	same_run "$V1" vendor_prog "$TMP/user.o" prog_user

# Aliasing: vendor entry programs take the rootlet's placeholder slots.
R=$B/link_rootlet.o
alias_link() {
	$XDPLD link -o "$1" "$R" "$2" "$3" --rename "$(basename "$2"):vendor_prog=slot0" \
		--rename "$(basename "$3"):vendor_prog=slot1"
}
check "rootlet alone passes everything" all_verdicts "$R" rootlet XDP_PASS
check "alias vendor1->slot0, vendor2->slot1" alias_link "$TMP/r12.o" "$V1" "$V2"
check "aliased rootlet (1,2) == vendor1 then vendor2" \
	sh -c "'$TOOLS/progrun' '$TMP/r12.o' rootlet $PKTS >'$TMP/got' &&
	       '$TOOLS/progrun' '$V1' vendor_prog $PKTS >'$TMP/e1' && '$TOOLS/progrun' '$V2' vendor_prog $PKTS >'$TMP/e2' &&
	       paste -d' ' '$TMP/e1' '$TMP/e2' | awk '{ if (\$2 != \"XDP_PASS\") print \$1, \$2, \$3, \$4; else print \$5, \$6, \$7, \$8 }' >'$TMP/want' &&
	       [ \$(awk '{print \$2}' '$TMP/want' | sort -u | wc -l) -ge 3 ] && cmp '$TMP/want' '$TMP/got'"
check "alias vendor2->slot0, vendor1->slot1" alias_link "$TMP/r21.o" "$V2" "$V1"
check "aliased rootlet (2,1) == vendor2 then vendor1" \
	sh -c "'$TOOLS/progrun' '$TMP/r21.o' rootlet $PKTS >'$TMP/got' &&
	       paste -d' ' '$TMP/e2' '$TMP/e1' | awk '{ if (\$2 != \"XDP_PASS\") print \$1, \$2, \$3, \$4; else print \$5, \$6, \$7, \$8 }' >'$TMP/want' &&
	       cmp '$TMP/want' '$TMP/got'"
check "aliased entry programs became .text subprograms" \
	sh -c "$XDPLD inspect '$TMP/r12.o' >'$TMP/ri' && grep -A3 '^programs:' '$TMP/ri' | grep -c ' section=' | grep -qx 1 &&
	       grep -q '^  slot0 insns=' '$TMP/ri' && grep -q '^  slot1 insns=' '$TMP/ri'"
check "aliased rootlet loads with bpftool (1 program)" \
	sh -c "mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf;
	       p=/sys/fs/bpf/xdpld_t_link_sem_\$\$; bpftool prog loadall '$TMP/r12.o' \$p || { rm -rf \$p; exit 1; };
	       n=\$(ls \$p | wc -l); rm -rf \$p; [ \$n -eq 1 ]"
check "aliasing works with the rootlet last" \
	sh -c "$XDPLD link -o '$TMP/r12b.o' '$V1' '$V2' '$R' --rename link_vendor1.o:vendor_prog=slot0 \
	       --rename link_vendor2.o:vendor_prog=slot1 &&
	       '$TOOLS/progrun' '$TMP/r12b.o' rootlet $PKTS >'$TMP/g2' &&
	       '$TOOLS/progrun' '$TMP/r12.o' rootlet $PKTS >'$TMP/g1' && cmp '$TMP/g1' '$TMP/g2'"
check "aliased output relinks reproducibly" \
	sh -c "$XDPLD link -o '$TMP/rr2.o' '$TMP/r12.o' && $XDPLD link -o '$TMP/rr3.o' '$TMP/rr2.o' &&
	       cmp '$TMP/rr2.o' '$TMP/rr3.o' && '$TOOLS/progrun' '$TMP/rr3.o' rootlet $PKTS | cmp - '$TMP/g1'"
check "bpfeb: aliasing links and inspects" \
	sh -c "$XDPLD link -o '$TMP/rbe.o' '$B/be/link_rootlet.o' '$B/be/link_vendor1.o' '$B/be/link_vendor2.o' \
	       --rename link_vendor1.o:vendor_prog=slot0 --rename link_vendor2.o:vendor_prog=slot1 &&
	       $XDPLD inspect '$TMP/rbe.o' >'$TMP/rbe' && grep -q '^byte_order: big' '$TMP/rbe' &&
	       grep -q '^  slot0 insns=' '$TMP/rbe' && grep -q '^  rootlet section=xdp' '$TMP/rbe'"

# Bad input.
no_output "different license strings are refused" \
	"link_lic_mit.o: section 'license' is \"Dual MIT/GPL\" but .*link_wa.o has \"GPL\"" \
	"$B/link_wa.o" "$B/link_lic_mit.o"
no_output "bad --rename syntax" "bad --rename 'slot0'" --rename slot0 "$R" "$V1"
no_output "bad --rename: empty object" "bad --rename ':a=b'" --rename :a=b "$R" "$V1"
no_output "--rename of a symbol that does not exist" \
	"no global symbol 'nosuch' in link_vendor1.o" --rename link_vendor1.o:nosuch=x "$R" "$V1"
no_output "--rename naming an object that is not an input" \
	"no input object named 'zzz.o'" --rename zzz.o:vendor_prog=slot0 "$R" "$V1"
no_output "--rename that creates a new conflict" \
	"--rename link_vendor1.o:vendor_prog=rootlet: program 'rootlet' is also defined in .*link_rootlet.o" \
	--rename link_vendor1.o:vendor_prog=rootlet "$R" "$V1"
no_output "extern function resolving to a variable" "resolves to variable" \
	--rename link_fb.o:var_b=helper_b --rename link_fb.o:helper_b=zz "$B/link_fa.o" "$B/link_fb.o"

# .kconfig externs are the loader's business: a final link keeps them.
check "a __kconfig extern survives a final link" \
	$XDPLD link -o "$TMP/kc.o" "$B/link_kconfig.o" "$B/link_wa.o"
check "the kept __kconfig extern is resolved by libbpf at load time" \
	all_verdicts "$TMP/kc.o" prog_kconfig XDP_PASS

# Static variables of one name in two inputs sit side by side in the linked
# .data: BTF must follow each symbol's place, not its name.
D1=$B/link_dup1.o
D2=$B/link_dup2.o
check "same static name: xdpld links" $XDPLD link -o "$TMP/dup.o" "$D1" "$D2"
check "same static name: the kernel takes the linked BTF" \
	sh -c "$XDPLD -v verify '$TMP/dup.o' >'$TMP/dupv' 2>&1 && ! grep -Ei 'refused|without BTF' '$TMP/dupv'"
for p in dup1 dup2; do
	check "same static name: prog_$p under progrun same as unlinked" \
		same_run "$B/link_$p.o" "prog_$p" "$TMP/dup.o" "prog_$p"
	check "same static name: prog_$p under xdpld run same as unlinked" \
		sh -c "$XDPLD run '$TMP/dup.o' prog_$p $PKTS >'$TMP/dupx' && [ -s '$TMP/dupx' ] &&
		       $TOOLS/progrun '$B/link_$p.o' prog_$p $PKTS | cmp - '$TMP/dupx'"
done
check "same static name: relinked output keeps both counters in DATASEC .data" \
	sh -c "$XDPLD link -o '$TMP/dup2.o' '$TMP/dup.o' && bpftool btf dump file '$TMP/dup2.o' >'$TMP/dupb' &&
	       sed -n \"/DATASEC '.data'/,/DATASEC/p\" '$TMP/dupb' | grep -c \"(VAR 'counter')\" | grep -qx 2 &&
	       $XDPLD -v verify '$TMP/dup2.o' >'$TMP/dupv' 2>&1 && ! grep -Ei 'refused|without BTF' '$TMP/dupv'"
# An input holding statics and a global named 'counter' (the global made by
# --rename), linked with a copy of itself: the conflict renames the globals'
# BTF VARs, never the statics'.
check "static and global of one name: renaming picks the global's BTF" \
	sh -c "$XDPLD link -o '$TMP/sg.o' '$D1' '$D2' --rename link_dup2.o:dup2_global=counter &&
	       cp '$TMP/sg.o' '$TMP/sgc.o' && $XDPLD link -o '$TMP/sg2.o' '$TMP/sg.o' '$TMP/sgc.o' &&
	       bpftool btf dump file '$TMP/sg2.o' >'$TMP/sgb' &&
	       grep -c \"VAR 'counter' .*linkage=static\" '$TMP/sgb' | grep -qx 4 &&
	       grep -q \"VAR 'sg_counter' .*linkage=global\" '$TMP/sgb' &&
	       grep -q \"VAR 'sgc_counter' .*linkage=global\" '$TMP/sgb' &&
	       $XDPLD -v verify '$TMP/sg2.o' >'$TMP/sgv' 2>&1 && ! grep -Ei 'refused|without BTF' '$TMP/sgv'"
for p in sg sgc; do
	check "static and global of one name: ${p}_prog_dup2 runs as unlinked" \
		same_run "$D2" prog_dup2 "$TMP/sg2.o" ${p}_prog_dup2
done

# Static maps of one name: each program gets its own (libbpf refuses
# static maps, so xdpld run is compared with xdpld run of the originals).
check "static maps of one name: xdpld links" \
	$XDPLD link -o "$TMP/smap.o" "$B/link_smap1.o" "$B/link_smap2.o"
for p in smap1 smap2; do
	check "static maps of one name: prog_$p as unlinked" \
		sh -c "$XDPLD run '$TMP/smap.o' prog_$p $PKTS >'$TMP/sm1' && $XDPLD run '$B/link_$p.o' prog_$p $PKTS >'$TMP/sm2' &&
		       [ -s '$TMP/sm1' ] && cmp '$TMP/sm1' '$TMP/sm2'"
done
check "static maps of one name: the two programs differ" \
	sh -c "$XDPLD run '$TMP/smap.o' prog_smap1 $PKTS | grep -q XDP_PASS && $XDPLD run '$TMP/smap.o' prog_smap2 $PKTS | grep -q XDP_DROP"

# A losing weak int cut out of .data must not misalign the long long after it.
check "weak cut-out: xdpld links" $XDPLD link -o "$TMP/al.o" "$B/link_align1.o" "$B/link_align2.o"
check "weak cut-out: loads with BPF_F_STRICT_ALIGNMENT" $TOOLS/strictload "$TMP/al.o"
check "weak cut-out: prog_align same as with bpftool" \
	sh -c "bpftool gen object '$TMP/al.b.o' '$B/link_align1.o' '$B/link_align2.o' &&
	       $TOOLS/progrun '$TMP/al.b.o' prog_align $PKTS >'$TMP/al1' && $TOOLS/progrun '$TMP/al.o' prog_align $PKTS | cmp - '$TMP/al1'"

# Externs and their definitions must agree in type, as libbpf checks.
check "extern types match: xdpld and bpftool link" both_linkers ext "$B/link_ext_int.o" "$B/link_def_int.o"
check "extern types match: same under xdpld and bpftool" same_run "$TMP/ext.b.o" prog_ext "$TMP/ext.x.o" prog_ext
check_fails "extern int defined as char: bpftool refuses" "incompatible int" \
	bpftool gen object "$TMP/ec.b.o" "$B/link_ext_int.o" "$B/link_def_char.o"
no_output "extern int defined as char: xdpld refuses" \
	"link_ext_int.o: extern variable 'shared' does not match its definition in .*link_def_char.o: INT 'int' of size 4 vs INT 'char' of size 1" \
	"$B/link_ext_int.o" "$B/link_def_char.o"
check_fails "extern function with other arguments: bpftool refuses" "incompatible number of func_proto params" \
	bpftool gen object "$TMP/ef.b.o" "$B/link_ext_int.o" "$B/link_def_fn.o"
no_output "extern function with other arguments: xdpld refuses" \
	"link_ext_int.o: extern function 'mix' does not match its definition in .*link_def_fn.o: 2 vs 1 arguments" \
	"$B/link_def_fn.o" "$B/link_ext_int.o"

# Legacy "maps" definitions of 20 and 36 bytes in one linked section.
for order in "lg20 lg36" "lg36 lg20"; do
	set -- $order
	check "legacy maps $1+$2: xdpld links" $XDPLD link -o "$TMP/$1$2.o" "$B/link_$1.o" "$B/link_$2.o"
	for p in lg20 lg36; do
		check "legacy maps $1+$2: prog_$p as unlinked" \
			sh -c "$XDPLD run '$TMP/$1$2.o' prog_$p $PKTS >'$TMP/lg1' && $XDPLD run '$B/link_$p.o' prog_$p $PKTS >'$TMP/lg2' &&
			       [ -s '$TMP/lg1' ] && cmp '$TMP/lg1' '$TMP/lg2'"
	done
done
check "legacy maps: the array hits, the hash misses" \
	sh -c "$XDPLD run '$B/link_lg20.o' prog_lg20 $PKTS | grep -q XDP_PASS && $XDPLD run '$B/link_lg36.o' prog_lg36 $PKTS | grep -q XDP_DROP"

# Two weak entry programs of one name that nothing calls: the first stays a
# program, as with libbpf.
check "weak programs: xdpld and bpftool link" both_linkers wp "$B/link_wp1.o" "$B/link_wp2.o"
check "weak programs: prog_wp stays in section xdp" \
	sh -c "$XDPLD inspect '$TMP/wp.x.o' | grep -q '^  prog_wp section=xdp '"
check "weak programs: prog_wp same under xdpld and bpftool" same_run "$TMP/wp.b.o" prog_wp "$TMP/wp.x.o" prog_wp
check "weak programs: the first one won" all_verdicts "$TMP/wp.x.o" prog_wp XDP_DROP

# New names become pin names: bpffs refuses '.'.
no_output "--rename to a name with '.' is refused" "bad --rename 'link_vendor1.o:vendor_prog=slot.0'" \
	--rename link_vendor1.o:vendor_prog=slot.0 "$R" "$V1"
no_output "--prefix with '.' is refused" "bad --prefix 'link_vendor1.o=v.1'" \
	--prefix link_vendor1.o=v.1 "$V1" "$V2"

# --map-file that cannot be written: the link fails and leaves no OUT.o.
no_output "unwritable --map-file" "nodir/names.map: cannot create map file" \
	"$V1" "$V2" --map-file "$TMP/nodir/names.map"
check "unwritable --map-file: no temporary map file either" sh -c "! ls '$TMP'/nodir* 2>/dev/null"

# A linked object is named after -o, or after its inputs.
check "verify names a linked object after its inputs" \
	sh -c "$XDPLD verify --json '$D1' '$D2' | grep -q '\"object\":\"link_dup1.o+link_dup2.o\"'"
check_fails "load errors about a link name its inputs" "error: link_dup1.o\+link_dup2.o: --set nosuch=1" \
	$XDPLD verify --set nosuch=1 "$D1" "$D2"

# Two static prog arrays of one name whose .values name a static program
# of one name in each object: every slot gets its own object's program
# (libbpf refuses static maps and programs: checked against the verdicts
# the sources give, linked and unlinked).
check "static prog arrays of one name: xdpld links" \
	$XDPLD link -o "$TMP/spa.o" "$B/link_spa1.o" "$B/link_spa2.o"
for pv in spa1:XDP_DROP spa2:XDP_TX; do
	p=${pv%%:*} v=${pv#*:}
	check "static prog arrays of one name: prog_$p alone tail-calls its callee ($v)" \
		sh -c "$XDPLD run '$B/link_$p.o' prog_$p $PKTS >'$TMP/spa1' && [ -s '$TMP/spa1' ] && ! grep -v ' $v ' '$TMP/spa1'"
	check "static prog arrays of one name: linked prog_$p as unlinked" \
		sh -c "$XDPLD run '$TMP/spa.o' prog_$p $PKTS >'$TMP/spa2' && cmp '$TMP/spa1' '$TMP/spa2'"
done

# The same with two static arrays of maps, each holding its own static
# 'inner' (1 entry in smim1: key 2 misses, PASS; 4 in smim2: hits, DROP).
check "static maps-in-maps of one name: xdpld links" \
	$XDPLD link -o "$TMP/smim.o" "$B/link_smim1.o" "$B/link_smim2.o"
for pv in smim1:XDP_PASS smim2:XDP_DROP; do
	p=${pv%%:*} v=${pv#*:}
	check "static maps-in-maps of one name: prog_$p alone gives $v" \
		sh -c "$XDPLD run '$B/link_$p.o' prog_$p $PKTS >'$TMP/smim1' && [ -s '$TMP/smim1' ] && ! grep -v ' $v ' '$TMP/smim1'"
	check "static maps-in-maps of one name: linked prog_$p as unlinked" \
		sh -c "$XDPLD run '$TMP/smim.o' prog_$p $PKTS >'$TMP/smim2' && cmp '$TMP/smim1' '$TMP/smim2'"
done

# An extern program only placed in a prog array's .values (clang gives it
# neither STT_FUNC nor BTF) resolves to the program defined elsewhere;
# libbpf's linker refuses it (no BTF for the extern), so the linked
# program's verdicts are compared with the callee's own under progrun.
for order in "tcx1 tcx2" "tcx2 tcx1"; do
	set -- $order
	check "extern program in .values ($1+$2): xdpld links" \
		$XDPLD link -o "$TMP/tcx.o" "$B/link_$1.o" "$B/link_$2.o"
	check "extern program in .values ($1+$2): prog_tcx gets vendor_prog's verdicts" \
		sh -c "$TOOLS/progrun '$B/link_tcx2.o' vendor_prog $PKTS >'$TMP/tcx1' && grep -q XDP_TX '$TMP/tcx1' &&
		       $XDPLD run '$TMP/tcx.o' prog_tcx $PKTS >'$TMP/tcx2' && cmp '$TMP/tcx1' '$TMP/tcx2'"
done
check_fails "extern program in .values: unlinked, the extern is named with what to do" \
	"extern vendor_prog is defined in no object given \\(link the object that defines it\\)" $XDPLD run "$B/link_tcx1.o" prog_tcx $PKTS
check_fails "extern int defined as a program: bpftool refuses" "incompatible BTF kinds var and func" \
	bpftool gen object "$TMP/ev.b.o" "$B/link_ext_int.o" "$B/link_tcxv.o"
no_output "extern int defined as a program: xdpld refuses" \
	"link_ext_int.o: variable 'shared' resolves to program 'shared' in .*link_tcxv.o" \
	"$B/link_ext_int.o" "$B/link_tcxv.o"

# Issue 10, bugs 5-7: `--no-rename` gives the symbol resolution of libbpf's
# linker (`bpftool gen object`): name, binding, visibility, defined or not
# of every global symbol, in both input orders.
gsyms() {
	readelf -s --wide "$1" 2>/dev/null |
		awk '$5 == "GLOBAL" || $5 == "WEAK" { print $8, $5, $6, ($7 == "UND" ? "UND" : "DEF") }' | sort
}
# same_syms NAME PATTERN IN1 IN2: both linkers accept IN1 IN2, their global
# symbols agree, and a line of them matches PATTERN.
same_syms() {
	bpftool gen object "$TMP/ss.b.o" "$3" "$4" && $XDPLD link --no-rename -o "$TMP/ss.x.o" "$3" "$4" &&
		gsyms "$TMP/ss.b.o" >"$TMP/ss.b" && gsyms "$TMP/ss.x.o" >"$TMP/ss.x" &&
		diff "$TMP/ss.b" "$TMP/ss.x" && grep -Eq -- "$2" "$TMP/ss.x"
}
for order in "uint_ext uint_def" "uint_def uint_ext"; do
	set -- $order
	check "int vs unsigned int ($1+$2): accepted, symbols as with bpftool" \
		same_syms "$1$2" "^sem_u GLOBAL DEFAULT DEF" "$B/sem_$1.o" "$B/sem_$2.o"
done
check "int vs unsigned int: prog_uext same under xdpld and bpftool" \
	sh -c "bpftool gen object '$TMP/ui.b.o' '$B/sem_uint_ext.o' '$B/sem_uint_def.o' &&
	       $XDPLD link -o '$TMP/ui.x.o' '$B/sem_uint_ext.o' '$B/sem_uint_def.o' &&
	       $TOOLS/progrun '$TMP/ui.b.o' prog_uext $PKTS >'$TMP/ui1' && [ -s '$TMP/ui1' ] &&
	       $TOOLS/progrun '$TMP/ui.x.o' prog_uext $PKTS | cmp - '$TMP/ui1'"
check "int vs unsigned int: bpfeb links" \
	$XDPLD link -o "$TMP/uibe.o" "$B/be/sem_uint_ext.o" "$B/be/sem_uint_def.o"
for order in "hid_ext hid_def" "hid_def hid_ext"; do
	set -- $order
	check "__hidden extern, plain definition ($1+$2): GLOBAL HIDDEN as with bpftool" \
		same_syms "$1$2" "^sem_hfn GLOBAL HIDDEN DEF" "$B/sem_$1.o" "$B/sem_$2.o"
	check "__hidden extern, plain definition ($1+$2): the variable too" \
		grep -q "^sem_hv GLOBAL HIDDEN DEF" "$TMP/ss.x"
	check "__hidden extern, plain definition ($1+$2): verifies, runs as with bpftool" \
		sh -c "$XDPLD verify '$TMP/ss.x.o' && for p in prog_hext prog_hdef; do
		       $TOOLS/progrun '$TMP/ss.b.o' \$p $PKTS >'$TMP/hd1' && [ -s '$TMP/hd1' ] &&
		       $TOOLS/progrun '$TMP/ss.x.o' \$p $PKTS | cmp - '$TMP/hd1' || exit 1; done"
done
for order in "wk_weak wk_strong" "wk_strong wk_weak"; do
	set -- $order
	check "weak and strong kconfig extern ($1+$2): STB_GLOBAL as with bpftool" \
		same_syms "$1$2" "^CONFIG_XDPLD_SEM_NOSUCH GLOBAL DEFAULT UND" "$B/sem_$1.o" "$B/sem_$2.o"
	check "weak definition, strong extern ($1+$2): STB_GLOBAL" \
		grep -q "^sem_wpick GLOBAL DEFAULT DEF" "$TMP/ss.x"
	cp "$TMP/ss.x.o" "$TMP/wk_$1.o"
	check_fails "unresolvable strong kconfig extern ($1+$2): xdpld verify refuses" \
		"extern CONFIG_XDPLD_SEM_NOSUCH \\(__kconfig\\) is not in the kernel's configuration" $XDPLD verify "$TMP/wk_$1.o"
	check_fails "unresolvable strong kconfig extern ($1+$2): libbpf does not load it as 0" \
		"extern 'CONFIG_XDPLD_SEM_NOSUCH' \\(strong\\): not resolved" sh -c "mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf;
		p=/sys/fs/bpf/xdpld_t_link_sem_wk\$\$; bpftool prog loadall '$TMP/wk_$1.o' \$p; r=\$?; rm -rf \$p; exit \$r"
done
check "weak kconfig extern alone: libbpf loads it (as 0)" \
	sh -c "p=/sys/fs/bpf/xdpld_t_link_sem_wk1\$\$; bpftool prog loadall '$B/sem_wk_weak.o' \$p; r=\$?; rm -rf \$p; exit \$r"
check "weak kconfig extern alone: xdpld loads it too, with libbpf's tags" \
	same_tags_as_libbpf "$B/sem_wk_weak.o"
