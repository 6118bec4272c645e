#!/bin/sh
# xdpld's own loader (load.c and friends): every sample module and the
# linked pipeline give the same per-packet results as libbpf (progrun);
# every map type, legacy maps, global data and --set, pinning, verifier
# rejections, unsupported features and malformed objects.  CO-RE in
# depth: t_core.sh.
. tests/lib.sh

CORPUS=$TMP/corpus
mkdir -p "$CORPUS"
"$TOOLS/pktcorpus" "$CORPUS" >/dev/null || { not_ok "pktcorpus"; exit 0; }
PKTS=$(ls "$CORPUS"/*.pkt | tr "\n" " ")	# one line: also used inside sh -c "..."
ONE=$(ls "$CORPUS"/*.pkt | head -n 1)

mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
PIN=/sys/fs/bpf/xdpld-t_load-$$
mkdir -p "$PIN/reuse" "$PIN/bad" "$PIN/fail"
KNS=xdpld-t-load-$$	# network namespace of the attach test at the end
trap 'ip netns del "$KNS" 2>/dev/null; rm -rf "$TMP" "$PIN"' EXIT

# Fail if xdpld leaves any descriptor open (fdcheck.c).
export XDPLD_CHECK_FD_LEAKS=1

# programs OBJ: the entry programs xdpld finds, one per line.
programs() { "$XDPLD" verify "$1" | awk '$1 == "program" { print $2 }'; }

# same_as_libbpf OBJ PROG: xdpld run and progrun agree on every packet.
same_as_libbpf() {
	"$XDPLD" run "$1" "$2" $PKTS >"$TMP/xdpld.txt" &&
	"$TOOLS/progrun" "$1" "$2" $PKTS >"$TMP/libbpf.txt" &&
	[ -s "$TMP/xdpld.txt" ] && diff "$TMP/libbpf.txt" "$TMP/xdpld.txt"
}

# verdict_is WANT CMD...: CMD prints one result line whose verdict is WANT.
verdict_is() {
	_want=$1; shift
	"$@" >"$TMP/v.txt" || return 1
	cat "$TMP/v.txt"
	[ "$(awk '{ print $2 }' "$TMP/v.txt")" = "$_want" ]
}

# fails_cleanly NAME PATTERN CMD...: exit status 1 exactly (70 would be a
# leaked descriptor), PATTERN in the output, no sanitizer report.
fails_cleanly() {
	_name=$1; _pat=$2; shift 2
	"$@" >"$TMP/fc.txt" 2>&1; _rc=$?
	if [ $_rc -eq 1 ] && grep -qE -- "$_pat" "$TMP/fc.txt" &&
	   ! grep -qE 'Sanitizer|runtime error|fd leak' "$TMP/fc.txt"; then ok "$_name"
	else not_ok "$_name (exit $_rc)"; sed 's/^/    /' "$TMP/fc.txt" | tail -n 20; fi
}

# --- the sample modules, alone and linked, against libbpf ---
for o in "$FW"/*.o; do
	progs=$(programs "$o")
	[ -n "$progs" ] || not_ok "$(basename "$o"): no program found"
	for p in $progs; do
		check "$(basename "$o") $p: xdpld run = progrun over the corpus" same_as_libbpf "$o" "$p"
	done
done

if "$XDPLD" link -o "$TMP/pipeline.o" "$FW/fw_acme.o" "$FW/fw_bolt.o" "$FW/lb.o" \
	"$FW/sampler.o" >"$TMP/link.txt" 2>&1; then
	progs=$(programs "$TMP/pipeline.o")
	[ "$(echo "$progs" | wc -w)" -eq 4 ] && ok "linked pipeline has 4 programs" ||
		not_ok "linked pipeline has 4 programs (got: $progs)"
	for p in $progs; do
		check "linked pipeline $p: xdpld run = progrun" same_as_libbpf "$TMP/pipeline.o" "$p"
	done
else
	not_ok "link the four sample modules"; sed 's/^/    /' "$TMP/link.txt" | tail -n 10
fi

# --- BTF rewriting for older kernels, and no BTF at all ---
for feat in float decl_tag type_tag func datasec global_func; do
	XDPLD_PROBE_MISSING=$feat "$XDPLD" -v verify "$TBPF/load_data.o" >"$TMP/rw.txt" 2>&1
	rc=$?
	if [ $feat = func ]; then	# callbacks need func_info: refused by the kernel
		grep -q "missing btf func_info" "$TMP/rw.txt" && ok "kernel without BTF func: bpf_loop refused" ||
			{ not_ok "kernel without BTF func: bpf_loop refused"; tail -n 5 "$TMP/rw.txt"; }
	elif [ $rc -eq 0 ] && grep -q "rewrote .* BTF types" "$TMP/rw.txt" &&
	     ! grep -q "refused the object's BTF" "$TMP/rw.txt"; then
		ok "kernel without BTF $feat: rewritten BTF accepted"
	else
		not_ok "kernel without BTF $feat: rewritten BTF accepted"; tail -n 10 "$TMP/rw.txt"
	fi
done
check "fw_acme with probes saying every newer BTF kind is missing = progrun" \
	sh -c "XDPLD_PROBE_MISSING=func,datasec,global_func,float,decl_tag,type_tag,enum64 \
	       $XDPLD run $FW/fw_acme.o xdp_firewall $PKTS > $TMP/a.txt &&
	       $TOOLS/progrun $FW/fw_acme.o xdp_firewall $PKTS | diff - $TMP/a.txt"
check "lb without kernel BTF (XDPLD_PROBE_MISSING=btf) = progrun" \
	sh -c "XDPLD_PROBE_MISSING=btf $XDPLD run $FW/lb.o xdp_lb $PKTS > $TMP/a.txt &&
	       $TOOLS/progrun $FW/lb.o xdp_lb $PKTS | diff - $TMP/a.txt"
# Stock OpenWrt kernels load BTF but have none of their own: global
# functions taking the context (fw_acme's and fw_bolt's classify) must then
# be verified as static ones.
if [ -s "$TMP/pipeline.o" ]; then
	for p in $(programs "$TMP/pipeline.o"); do
		check "linked pipeline $p on a kernel without vmlinux BTF = progrun" \
			sh -c "XDPLD_PROBE_MISSING=vmlinux_btf $XDPLD -v run $TMP/pipeline.o $p $PKTS > $TMP/a.txt 2>$TMP/e.txt &&
			       grep -q 'rewrote .* BTF types' $TMP/e.txt &&
			       $TOOLS/progrun $TMP/pipeline.o $p $PKTS | diff - $TMP/a.txt"
	done
fi
check "fw_bolt with --no-btf = progrun" \
	sh -c "$XDPLD run --no-btf $FW/fw_bolt.o xdp_firewall $PKTS > $TMP/a.txt &&
	       $TOOLS/progrun $FW/fw_bolt.o xdp_firewall $PKTS | diff - $TMP/a.txt"

# --- map types, map-in-map and prog array slots, legacy maps ---
check "every map type; tail call and inner map slots filled (XDP_DROP)" \
	verdict_is XDP_DROP "$XDPLD" run --pin-root "$PIN/reuse" "$TBPF/load_maps.o" use_maps "$ONE"
check "legacy maps section and a global function (XDP_TX)" \
	verdict_is XDP_TX "$XDPLD" run "$TBPF/load_legacy.o" legacy_prog "$ONE"

# --- global data and --set ---
check "global data, subprograms and bpf_loop callback: default verdict = progrun" same_as_libbpf \
	"$TBPF/load_data.o" xdp_cfg
check ".rodata default verdict is XDP_PASS" verdict_is XDP_PASS "$XDPLD" run "$TBPF/load_data.o" xdp_cfg "$ONE"
check "--set verdict=1 turns it into XDP_DROP" \
	verdict_is XDP_DROP "$XDPLD" run --set verdict=1 "$TBPF/load_data.o" xdp_cfg "$ONE"
check "--set loops=9 --set verdict=0x3: XDP_TX" \
	verdict_is XDP_TX "$XDPLD" run --set loops=9 --set verdict=0x3 "$TBPF/load_data.o" xdp_cfg "$ONE"
check "xdp.frags program loads and passes" verdict_is XDP_PASS "$XDPLD" run "$TBPF/load_data.o" xdp_cfg_frags "$ONE"
fails_cleanly "--set of an unknown variable" "no variable nosuch in .rodata" \
	"$XDPLD" run --set nosuch=1 "$TBPF/load_data.o" xdp_cfg "$ONE"
fails_cleanly "--set value too large for a u8" "variable loops is 1 bytes" \
	"$XDPLD" run --set loops=256 "$TBPF/load_data.o" xdp_cfg "$ONE"
check "frozen .rodata map is read-only to programs (flags 0x80)" \
	sh -c "$XDPLD verify $TBPF/load_data.o | grep -q '^map .rodata type array key 4 value 5 max_entries 1 flags 0x80'"

# --- pinning ---
id_of() { bpftool -j map show pinned "$1" | sed -n 's/.*"id":\([0-9]*\).*/\1/p'; }
id1=$(id_of "$PIN/reuse/load_pinned")
"$XDPLD" run --pin-root "$PIN/reuse" "$TBPF/load_maps.o" use_maps "$ONE" >/dev/null 2>&1
id2=$(id_of "$PIN/reuse/load_pinned")
[ -n "$id1" ] && [ "$id1" = "$id2" ] && ok "pinned map reused on the second load (id $id1)" ||
	not_ok "pinned map reused on the second load (ids '$id1' '$id2')"
check "the reused pinned map kept its contents (counter is 2)" \
	sh -c "bpftool -j map lookup pinned $PIN/reuse/load_pinned key 0 0 0 0 | grep -q '\"value\":\[\"0x02\"'"
bpftool map create "$PIN/bad/load_pinned" type array key 4 value 4 entries 1 name load_pinned
fails_cleanly "incompatible pin refused, naming the field" "load_pinned.*value_size differs \(pinned 4, object 8\)" \
	"$XDPLD" run --pin-root "$PIN/bad" "$TBPF/load_maps.o" use_maps "$ONE"
fails_cleanly "a failed load pins nothing" "rejected by the kernel" \
	"$XDPLD" run --pin-root "$PIN/fail" "$TBPF/load_reject.o" unchecked_read "$ONE"
[ -z "$(ls "$PIN/fail")" ] && ok "pin root still empty after the failed load" ||
	not_ok "pin root still empty after the failed load: $(ls "$PIN/fail")"

# --- what is refused, by name ---
fails_cleanly "verifier rejection shows the verifier's reason" \
	"unchecked_read: verifier log.*|invalid access to packet" \
	"$XDPLD" run "$TBPF/load_reject.o" unchecked_read "$ONE"
fails_cleanly "verifier log tail is shown" "invalid access to packet" \
	"$XDPLD" verify "$TBPF/load_reject.o"
fails_cleanly "unknown program section named" "odd_section: unknown program section 'frobnicate/now'" \
	"$XDPLD" verify "$TBPF/load_badsec.o"
check "CO-RE: a vmlinux.h-style program (eth->h_proto, a guarded poisoned read) gives libbpf's results" \
	same_as_libbpf "$TBPF/load_core.o" core_prog
check "__kconfig extern LINUX_KERNEL_VERSION resolved: XDP_PASS as under libbpf" \
	same_as_libbpf "$TBPF/load_extern.o" extern_prog
fails_cleanly "big-endian object refused" "big-endian" "$XDPLD" verify "$TBPF/be/load_data.o"
fails_cleanly "run: unknown program" "no program 'nosuch'" \
	"$XDPLD" run "$TBPF/load_data.o" nosuch "$ONE"

# --- malformed objects: clear error, no crash, no descriptor leaked ---
python3 - "$TBPF/load_legacy.o" "$TMP/badcall.o" <<'PY'
import sys
d = bytearray(open(sys.argv[1], 'rb').read())
i = 0
while True:  # pc-relative bpf-to-bpf calls (no relocation): aim far away
    i = d.find(b'\x85\x10\x00\x00', i)
    if i < 0:
        break
    if i % 8 == 0 and d[i + 4:i + 8] != b'\xff\xff\xff\xff':
        d[i + 4:i + 8] = (0x1000).to_bytes(4, 'little')
    i += 1
open(sys.argv[2], 'wb').write(d)
PY
fails_cleanly "call into nowhere" "call target .* not the start of a function|holds no code" \
	"$XDPLD" verify "$TMP/badcall.o"
head -c 3000 "$TBPF/load_maps.o" >"$TMP/trunc.o"
fails_cleanly "truncated object" "trunc.o" "$XDPLD" verify "$TMP/trunc.o"
head -c 4096 /dev/urandom >"$TMP/garbage.o"
fails_cleanly "garbage object" "garbage.o" "$XDPLD" verify "$TMP/garbage.o"
check "no descriptor leaked on success either" \
	"$XDPLD" run "$TBPF/load_maps.o" use_maps --pin-root "$PIN/reuse" "$ONE"

# --- a pinned prog array's slots belong to whoever runs it (B2) ---
# The first run creates the pin with slot 0 = its program; a later verify
# (or any load reusing the pin) must not point the slot at its own program.
cat >"$TMP/pinned_jump.bpf.c" <<'C'
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
int jump_target(struct xdp_md *ctx);
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__array(values, int (struct xdp_md *));
} pinned_jump SEC(".maps") = { .values = { [0] = (void *)&jump_target } };
SEC("xdp") int jump_target(struct xdp_md *ctx) { return XDP_DROP; }
SEC("xdp") int jump_entry(struct xdp_md *ctx) { bpf_tail_call(ctx, &pinned_jump, 0); return XDP_PASS; }
char _license[] SEC("license") = "GPL";
C
mkdir -p "$PIN/slots"
slot0() { bpftool -j map lookup pinned "$PIN/slots/pinned_jump" key 0 0 0 0 | jq -c '.value'; }
if clang -target bpfel -O2 -g -I"/usr/include/$(cc -print-multiarch)" -c "$TMP/pinned_jump.bpf.c" \
	-o "$TMP/pinned_jump.o" 2>"$TMP/cc.txt"; then
	check "pinned prog array: first run creates the pin (XDP_DROP via slot 0)" \
		verdict_is XDP_DROP "$XDPLD" run --pin-root "$PIN/slots" "$TMP/pinned_jump.o" jump_entry "$ONE"
	before=$(slot0)
	check "verify of the same object succeeds" "$XDPLD" verify --pin-root "$PIN/slots" "$TMP/pinned_jump.o"
	after=$(slot0)
	[ -n "$before" ] && [ "$before" != null ] && [ "$before" = "$after" ] &&
		ok "verify left the pinned slot alone (prog id $before)" ||
		not_ok "verify left the pinned slot alone (before '$before', after '$after')"
	check "a second run reusing the pin leaves it too" \
		sh -c "$XDPLD run --pin-root $PIN/slots $TMP/pinned_jump.o jump_entry $ONE >/dev/null &&
		       [ \"\$(bpftool -j map lookup pinned $PIN/slots/pinned_jump key 0 0 0 0 | jq -c .value)\" = '$before' ]"
else
	not_ok "compile the pinned prog array object"; cat "$TMP/cc.txt"
fi

# Kernel names of global data maps: "<file stem><section>"; a link without
# an -o name belongs to no single input and gets the stem "xdpld".
# kname_is WANT OBJ...: verify --json names .rodata's kernel map WANT.
kname_is() {
	_want=$1; shift
	_got=$("$XDPLD" verify --json "$@" | jq -r '.maps[] | select(.name == ".rodata") | .kernel_name')
	echo "kernel name: '$_got', want '$_want'"
	[ "$_got" = "$_want" ]
}
check "data map kernel name: a link of two inputs is xdpld.rodata" \
	kname_is xdpld.rodata "$TBPF/link_sa.o" "$TBPF/link_sb.o"
check "data map kernel name: a link written with -o is named after it" \
	sh -c "$XDPLD link -o '$TMP/vendorpair.o' '$TBPF/link_sa.o' '$TBPF/link_sb.o' &&
	       $XDPLD verify --json '$TMP/vendorpair.o' | jq -e '.maps[] | select(.name == \".rodata\") | .kernel_name == \"vendorpa.rodata\"'"

# The kernel's view: the pipeline's linked object (rootlet + link_sa.o)
# attached to a veth in a namespace of our own; its program's .rodata map
# is called xdpld.rodata.
KSD=$PIN/state
pipeline_kname() {
	ip netns add "$KNS" && ip -n "$KNS" link add v0 type veth peer name v1 &&
		ip -n "$KNS" link set v0 up && ip -n "$KNS" link set v1 up || return 1
	nsenter --net=/run/netns/"$KNS" "$XDPLD" attach v0 "$TBPF/link_sa.o" --backend static --state-dir "$KSD" || return 1
	_id=$(ip -n "$KNS" -d link show v0 | sed -n 's/.*prog\/xdp id \([0-9]*\).*/\1/p')
	[ -n "$_id" ] || return 1
	_names=$(for _m in $(bpftool prog show id "$_id" --json | jq '.map_ids[]'); do
		bpftool map show id "$_m" --json | jq -r .name; done)
	echo "maps of program $_id:" $_names
	nsenter --net=/run/netns/"$KNS" "$XDPLD" detach v0 --state-dir "$KSD" || return 1
	echo "$_names" | grep -qx xdpld.rodata
}
check "data map kernel name: the attached pipeline's .rodata is xdpld.rodata (bpftool)" pipeline_kname
ip netns del "$KNS" 2>/dev/null

# ---- a refused BTF fails the load; --btf-optional loads without it ----
# fw_bolt.o with the BTF member name egress_ifindex made 9gress_ifindex:
# the kernel refuses that BTF ("Invalid name"), nothing else changes.
python3 - "$FW/fw_bolt.o" "$TMP/badbtf.o" <<'PY'
import struct, sys
d = bytearray(open(sys.argv[1], 'rb').read())
shoff, = struct.unpack_from('<Q', d, 0x28)
shentsize, shnum, shstrndx = struct.unpack_from('<HHH', d, 0x3a)
sh = lambda i: struct.unpack_from('<IIQQQQ', d, shoff + i * shentsize)
names = sh(shstrndx)[4]
for i in range(shnum):
    name, _, _, _, off, size = sh(i)
    if d[names + name:names + name + 5] == b'.BTF\0':
        d[d.index(b'\0egress_ifindex\0', off, off + size) + 1] = ord('9')
open(sys.argv[2], 'wb').write(d)
PY
check_fails "run: refused BTF is an error with the kernel's log" \
	"badbtf.o: the kernel refused the object's BTF" \
	"$XDPLD" run "$TMP/badbtf.o" xdp_firewall "$ONE"
cp "$TMP/out" "$TMP/badbtf.err"
check "run: refused BTF: the log tail gives the kernel's reason" \
	grep -q "9gress_ifindex .*Invalid name" "$TMP/badbtf.err"
check_out "run --btf-optional: loads WITHOUT BTF and says so" \
	"badbtf.o: the kernel refused the object's BTF .*; loading WITHOUT BTF" \
	"$XDPLD" run --btf-optional "$TMP/badbtf.o" xdp_firewall "$ONE"
same_without_btf() {
	"$XDPLD" run --btf-optional "$TMP/badbtf.o" xdp_firewall $PKTS >"$TMP/a.txt" 2>/dev/null &&
	"$TOOLS/progrun" "$FW/fw_bolt.o" xdp_firewall $PKTS >"$TMP/b.txt" &&
	[ -s "$TMP/a.txt" ] && diff "$TMP/b.txt" "$TMP/a.txt"
}
check "run --btf-optional: same verdicts as the intact object with libbpf" same_without_btf
