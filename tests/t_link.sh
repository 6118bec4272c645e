#!/bin/sh
# xdpld link on the sample firmware: the four vendor modules linked into one
# object load with bpftool and every renamed entry program gives the same
# verdict, output length and output hash as the unlinked module on the whole
# packet corpus.  Also: bpfeb inputs, determinism, relinking, --prefix,
# --no-rename, -v / --map-file, and bad input leaving no output file.
. tests/lib.sh

C=$TMP/corpus
if ! $TOOLS/pktcorpus "$C" >/dev/null; then not_ok "pktcorpus"; exit 0; fi
PKTS=$(echo "$C"/*.pkt)
FW4="$FW/fw_acme.o $FW/fw_bolt.o $FW/lb.o $FW/sampler.o"
OBJDUMP=$(command -v llvm-objdump || command -v llvm-objdump-14)

# same_run OBJ1 PROG1 OBJ2 PROG2: progrun lines identical (and not empty).
same_run() {
	$TOOLS/progrun "$1" "$2" $PKTS >"$TMP/run1" || return 1
	$TOOLS/progrun "$3" "$4" $PKTS >"$TMP/run2" || return 1
	[ -s "$TMP/run1" ] && cmp "$TMP/run1" "$TMP/run2" && diff "$TMP/run1" "$TMP/run2"
}

# loadall OBJ NPROGS: bpftool loads every program; exactly NPROGS get pinned.
loadall() {
	mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf || return 1
	_pin=/sys/fs/bpf/xdpld_t_link_$$
	bpftool prog loadall "$1" "$_pin" || { rm -rf "$_pin"; return 1; }
	_n=$(ls "$_pin" | wc -l)
	rm -rf "$_pin"
	echo "pinned $_n programs"
	[ "$_n" -eq "$2" ]
}

# no_output NAME PATTERN ARGS...: xdpld link -o $TMP/bad.o ARGS fails with
# PATTERN and leaves no output (nor temporary) file behind.
no_output() {
	_n=$1; _p=$2; shift 2
	rm -f "$TMP"/bad.o*
	check_fails "$_n" "$_p" $XDPLD link -o "$TMP/bad.o" "$@"
	if ls "$TMP"/bad.o* >/dev/null 2>&1; then not_ok "$_n: output file left behind"
	else ok "$_n: no output file"; fi
}

check "link fw_acme fw_bolt lb sampler" \
	$XDPLD link -o "$TMP/all.o" $FW4 --map-file "$TMP/map.txt"
check "map file: conflicting entry programs renamed with their object's prefix" \
	sh -c "grep -q 'fw_acme.o program xdp_firewall fw_acme_xdp_firewall\$' '$TMP/map.txt' &&
	       grep -q 'fw_bolt.o program xdp_firewall fw_bolt_xdp_firewall\$' '$TMP/map.txt'"
check "map file: functions, maps and variables renamed" \
	sh -c "grep -q 'fw_bolt.o function classify fw_bolt_classify\$' '$TMP/map.txt' &&
	       grep -q 'fw_acme.o map rules fw_acme_rules\$' '$TMP/map.txt' &&
	       grep -q 'lb.o map stats lb_stats\$' '$TMP/map.txt' &&
	       grep -q 'lb.o variable config lb_config\$' '$TMP/map.txt'"
check "map file: names that do not conflict are kept" \
	sh -c "! grep -qE ' (xdp_lb|xdp_sampler|backends) ' '$TMP/map.txt'"
check "linked object loads with bpftool (4 programs)" loadall "$TMP/all.o" 4
check "bpftool btf dump reads it, FUNCs renamed" \
	sh -c "bpftool btf dump file '$TMP/all.o' >'$TMP/btf.txt' &&
	       grep -q \"FUNC 'fw_acme_xdp_firewall'\" '$TMP/btf.txt' &&
	       grep -q \"VAR 'fw_bolt_config'\" '$TMP/btf.txt' &&
	       ! grep -q \"FUNC 'xdp_firewall'\" '$TMP/btf.txt'"
check "llvm-objdump disassembles it" sh -c "'$OBJDUMP' -d '$TMP/all.o' | grep -q '<fw_bolt_xdp_firewall>:'"

check "fw_acme: linked == unlinked on the corpus" \
	same_run "$FW/fw_acme.o" xdp_firewall "$TMP/all.o" fw_acme_xdp_firewall
check "fw_bolt: linked == unlinked on the corpus" \
	same_run "$FW/fw_bolt.o" xdp_firewall "$TMP/all.o" fw_bolt_xdp_firewall
check "lb: linked == unlinked on the corpus" \
	same_run "$FW/lb.o" xdp_lb "$TMP/all.o" xdp_lb
check "sampler: linked == unlinked on the corpus" \
	same_run "$FW/sampler.o" xdp_sampler "$TMP/all.o" xdp_sampler
check "the corpus gives the firmware more than one verdict" \
	sh -c "$TOOLS/progrun '$TMP/all.o' fw_acme_xdp_firewall $PKTS | awk '{print \$2}' | sort -u | wc -l | grep -qv '^1\$'"

# Renaming does not depend on input order.
check "reversed input order: same new names" \
	sh -c "$XDPLD link -o '$TMP/rev.o' $FW/sampler.o $FW/lb.o $FW/fw_bolt.o $FW/fw_acme.o --map-file '$TMP/rev.txt' &&
	       sort '$TMP/map.txt' >'$TMP/m1' && sort '$TMP/rev.txt' >'$TMP/m2' && cmp '$TMP/m1' '$TMP/m2'"
check "reversed input order: fw_bolt still runs the same" \
	same_run "$FW/fw_bolt.o" xdp_firewall "$TMP/rev.o" fw_bolt_xdp_firewall

check "deterministic: same inputs give the same bytes" \
	sh -c "$XDPLD link -o '$TMP/all2.o' $FW4 && cmp '$TMP/all.o' '$TMP/all2.o'"
check "relink is reproducible (link(link(x)) == link(x) after one pass)" \
	sh -c "$XDPLD link -o '$TMP/re2.o' '$TMP/all.o' && $XDPLD link -o '$TMP/re3.o' '$TMP/re2.o' &&
	       cmp '$TMP/re2.o' '$TMP/re3.o'"
check "relinked output still runs fw_acme the same" \
	same_run "$FW/fw_acme.o" xdp_firewall "$TMP/re3.o" fw_acme_xdp_firewall
check "link output linked again with more objects" \
	sh -c "$XDPLD link -o '$TMP/ab.o' $FW/fw_acme.o $FW/fw_bolt.o &&
	       $XDPLD link -o '$TMP/ab_lb.o' '$TMP/ab.o' $FW/lb.o $FW/sampler.o"
check "relinked (acme+bolt)+lb: lb runs the same" same_run "$FW/lb.o" xdp_lb "$TMP/ab_lb.o" xdp_lb
check "relinked (acme+bolt)+lb: fw_bolt runs the same" \
	same_run "$FW/fw_bolt.o" xdp_firewall "$TMP/ab_lb.o" fw_bolt_xdp_firewall

check "--prefix overrides the automatic prefix" \
	sh -c "$XDPLD link -o '$TMP/pfx.o' $FW4 --prefix fw_acme.o=acme_ --map-file '$TMP/pfx.txt' &&
	       grep -q 'program xdp_firewall acme_xdp_firewall\$' '$TMP/pfx.txt' &&
	       grep -q 'map rules acme_rules\$' '$TMP/pfx.txt'"
check "--prefix: renamed program runs the same" \
	same_run "$FW/fw_acme.o" xdp_firewall "$TMP/pfx.o" acme_xdp_firewall
check "-v prints the name mapping" \
	sh -c "$XDPLD -v link -o '$TMP/v.o' $FW4 2>&1 | grep -q 'name map: .*fw_bolt.o map rules fw_bolt_rules'"

# Big-endian inputs: the link works and inspect sees the same object.
check "bpfeb: link fw_acme fw_bolt lb sampler" \
	$XDPLD link -o "$TMP/be.o" $FW/be/fw_acme.o $FW/be/fw_bolt.o $FW/be/lb.o $FW/be/sampler.o
check "bpfeb: output stays big-endian" sh -c "$XDPLD inspect '$TMP/be.o' | grep -q '^byte_order: big'"
check "bpfeb: inspect lists the same programs, subprograms and maps as bpfel" \
	sh -c "inspect_names() { $XDPLD inspect \"\$1\" | grep -E '^  [A-Za-z0-9_]+ (section=|definition=|insns=)' | awk '{print \$1}'; }
	       inspect_names '$TMP/be.o' >'$TMP/n_be' && inspect_names '$TMP/all.o' >'$TMP/n_le' &&
	       [ -s '$TMP/n_le' ] && cmp '$TMP/n_be' '$TMP/n_le'"
check "bpfeb: bpftool btf dump reads it" bpftool btf dump file "$TMP/be.o"

no_output "mixed byte order is refused" "big-endian.*little-endian.*different byte order" \
	$FW/fw_acme.o $FW/be/lb.o
no_output "--no-rename: conflicting strong symbols are an error" \
	"conflicting non-weak symbol '[a-z_]+' defined in .*fw_acme.o and .*fw_bolt.o" \
	--no-rename $FW/fw_acme.o $FW/fw_bolt.o
head -c 300 "$FW/fw_acme.o" >"$TMP/trunc.o"
no_output "truncated ELF input" "trunc\.o" "$TMP/trunc.o" $FW/lb.o
echo "not an object" >"$TMP/text.o"
no_output "non-ELF input" "text\.o" $FW/lb.o "$TMP/text.o"
no_output "missing input file" "nosuch\.o" $FW/lb.o "$TMP/nosuch.o"
no_output "--prefix for an object that is not an input" "no input object named 'zzz.o'" \
	--prefix zzz.o=z_ $FW4
check_fails "no -o is a usage error" "-o OUT.o is required" $XDPLD link $FW/lb.o
check "a failed link keeps an existing output file untouched" \
	sh -c "cp '$TMP/all.o' '$TMP/keep.o' && ! $XDPLD link -o '$TMP/keep.o' --no-rename $FW4 2>/dev/null &&
	       cmp '$TMP/all.o' '$TMP/keep.o'"
