#!/bin/sh
# CO-RE in xdpld's loader (kernel/load_core.c) and `xdpld core`, against
# libbpf on the running kernel's BTF: for every program of the CO-RE test
# objects (tests/bpf/core_*.bpf.c, load_core.bpf.c) `xdpld verify` gives
# the kernel tag libbpf's load (bpftool prog loadall) gives, `xdpld run`
# the verdicts and bytes of progrun, and `xdpld core --json` the decisions
# (kind, target type id, value or poisoning) libbpf logs (core_ref); the
# target BTF as a file (--btf, --kernel-btf) and as a directory; errors
# name the file; linked and flattened objects keep their CO-RE records;
# module BTF (a split BTF file next to vmlinux); externs in `xdpld core`;
# static, chain and tailcall pipelines of CO-RE modules with real packets.
. tests/lib.sh

CORPUS=$TMP/corpus
mkdir -p "$CORPUS"
"$TOOLS/pktcorpus" "$CORPUS" >/dev/null || { not_ok "pktcorpus"; exit 0; }
PKTS=$(ls "$CORPUS"/*.pkt | tr "\n" " ")

mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
PIN=/sys/fs/bpf/xdpld-t_core-$$
trap 'rm -rf "$TMP" "$PIN"' EXIT
export XDPLD_CHECK_FD_LEAKS=1
VMLINUX=/sys/kernel/btf/vmlinux
REF_OPTS=
OBJS="core_fields core_types core_multi core_matches core_calls load_core"

# libbpf_tags OBJ: "NAME TAG" per program as libbpf loads OBJ (bpftool).
libbpf_tags() {
	rm -rf "$PIN"
	bpftool prog loadall "$1" "$PIN" >/dev/null 2>&1 || { rm -rf "$PIN"; return 1; }
	for _p in "$PIN"/*; do bpftool prog show pinned "$_p" --json; echo; done |
		python3 -c 'import json, sys
for l in sys.stdin:
    if l.strip(): j = json.loads(l); print(j["name"], j["tag"])' | sort
	rm -rf "$PIN"
}

# xdpld_tags [GLOBAL_OPTS --] OBJ: "NAME TAG" per program from verify --json.
xdpld_tags() {
	_g=""
	if [ "$#" -gt 1 ]; then _g="$1 $2"; shift 3; fi
	# shellcheck disable=SC2086
	"$XDPLD" $_g verify --json "$1" | python3 -c 'import json, sys
for p in json.load(sys.stdin)["programs"]: print(p["name"][:15], p["tag"])' | sort
}

# same_tags OBJ [GLOBAL_OPTS]: the tags are libbpf's (and there are some).
same_tags() {
	libbpf_tags "$1" >"$TMP/lt" || { echo "bpftool could not load $1"; return 1; }
	if [ -n "$2" ]; then xdpld_tags "$2" "$3" -- "$1"; else xdpld_tags "$1"; fi >"$TMP/xt" || return 1
	cat "$TMP/xt"
	[ -s "$TMP/lt" ] && diff "$TMP/lt" "$TMP/xt"
}

# ref_decisions OBJ: "PROG RELO KIND TARGET_ID VALUE" per relocation from
# libbpf's debug log (core_ref): the first matching candidate's id or "-",
# the patched value or "poisoned".
ref_decisions() {	# REF_OPTS: core_ref's options (--matches)
	"$TOOLS/core_ref" $REF_OPTS "$1" 2>/dev/null | python3 -c 'import re, sys
d = {}
for l in sys.stdin:
    m = re.match(r"LOG libbpf: prog .(\S+).: relo #(\d+): (.*)", l.rstrip("\n"))
    if not m: continue
    k = (m.group(1), int(m.group(2))); r = d.setdefault(k, {"kind": None, "id": "-", "val": None})
    t = m.group(3)
    if t.startswith("<") and r["kind"] is None: r["kind"] = t[1:t.index(">")]
    elif t.startswith("matching candidate #") and r["id"] == "-":
        r["id"] = re.search(r"> \[(\d+)\]", t).group(1)
    elif t.startswith("patched insn #") and "mem_sz" not in t and r["val"] is None:
        r["val"] = t.rsplit(" -> ", 1)[1]
    elif t.startswith("substituting insn #"): r["val"] = "poisoned"
for (p, n), r in sorted(d.items()): print(p, n, r["kind"], r["id"], r["val"])'
}

# xdpld_decisions OBJ [CORE_OPTS...]: the same from xdpld core --json.
xdpld_decisions() {
	_o=$1; shift
	"$XDPLD" core --json "$@" "$_o" | python3 -c 'import json, sys
for o in json.load(sys.stdin)["objects"]:
    for r in sorted(o["relocations"], key=lambda r: (r["program"], r["relo"])):
        tid = "-" if r["target"] is None else r["target_id"]
        val = "poisoned" if r["result"] == "poisoned" else r["value"]
        print(r["program"], r["relo"], r["kind"], tid, val)'
}

same_decisions() {
	ref_decisions "$1" >"$TMP/rd" && xdpld_decisions "$@" >"$TMP/xd" || return 1
	cat "$TMP/xd"
	[ -s "$TMP/rd" ] && diff "$TMP/rd" "$TMP/xd"
}

# same_run OBJ PROG: xdpld run and progrun agree on every packet.
same_run() {
	"$XDPLD" run "$1" "$2" $PKTS >"$TMP/xr" && "$TOOLS/progrun" "$1" "$2" $PKTS >"$TMP/lr" &&
		[ -s "$TMP/xr" ] && diff "$TMP/lr" "$TMP/xr"
}

for n in $OBJS; do
	o=$TBPF/$n.o
	check "$n: verify gives every program libbpf's tag" same_tags "$o"
	check "$n: xdpld core --json decides as libbpf (kind, target id, value)" same_decisions "$o"
	check "$n: --btf $VMLINUX decides the same" same_decisions "$o" --btf "$VMLINUX"
	for p in $("$XDPLD" verify "$o" | awk '$1 == "program" { print $2 }'); do
		check "$n: run $p gives progrun's verdicts and bytes" same_run "$o" "$p"
	done
done

# TYPE_MATCHES: clang 14 cannot emit it; core_matches' type_exists records
# turned into type_matches (kind 12), libbpf's reference with --matches.
check "core_matches rewritten to type_matches (9 records)" sh -c \
	"[ \"\$(python3 tests/tools/tomatches.py '$TBPF/core_matches.o' '$TMP/matches.o')\" = 9 ]"
REF_OPTS=--matches
check "type_matches: xdpld core decides as libbpf" same_decisions "$TMP/matches.o"
REF_OPTS=
check "type_matches: the object loads" "$XDPLD" verify "$TMP/matches.o"

# --- the target BTF: a file, a directory, as root or not ---
mkdir -p "$TMP/kbtf"
cp "$VMLINUX" "$TMP/kbtf/vmlinux"
check "--kernel-btf FILE: libbpf's tags" same_tags "$TBPF/core_fields.o" --kernel-btf "$VMLINUX"
check "--kernel-btf DIR (laid out as /sys/kernel/btf): libbpf's tags" \
	same_tags "$TBPF/core_fields.o" --kernel-btf "$TMP/kbtf"
check "core --btf DIR decides as libbpf" same_decisions "$TBPF/core_types.o" --btf "$TMP/kbtf"
if command -v setpriv >/dev/null && id nobody >/dev/null 2>&1; then
	chmod 755 "$TMP" "$TMP/kbtf"; chmod 644 "$TMP/kbtf/vmlinux"
	check "core --btf FILE works without root (as nobody)" sh -c \
		"setpriv --reuid=nobody --regid=nogroup --clear-groups '$XDPLD' core --btf '$TMP/kbtf/vmlinux' '$TBPF/load_core.o' |
		 grep -q 'struct ethhdr \"0:2\" -> vmlinux .*: 12\$'"
fi
check_out "core text: a guarded read of a type no kernel has is poisoned" \
	'xdpld_not_in_any_kernel "0:1" -> missing: poisoned' "$XDPLD" core "$TBPF/load_core.o"
check_out "core text: its guard (field_exists) is 0" \
	'field_exists struct xdpld_not_in_any_kernel "0:1" -> missing: 0' "$XDPLD" core "$TBPF/load_core.o"
same_be() {	# a big-endian build is decided alike (prepare only), but for bit shifts
	for _e in "" be/; do
		"$XDPLD" core "$TBPF/${_e}core_fields.o" >"$TMP/be.raw" || return 1
		sed 's/.* insn #[0-9]*: //' "$TMP/be.raw" | grep -vE '^(l|r)shift_u64 ' | sort -u
	done >"$TMP/both"
	cat "$TMP/both"
	_n=$(wc -l <"$TMP/both")
	[ "$_n" -gt 0 ] && [ "$(sort -u "$TMP/both" | wc -l)" -eq $((_n / 2)) ]
}
check "core on a big-endian object (a MIPS router's) decides as on the little-endian one (bit shifts aside)" same_be
check "core on an object without CO-RE prints nothing and succeeds" sh -c \
	"'$XDPLD' core '$TBPF/load_data.o' >'$TMP/nc' && [ ! -s '$TMP/nc' ]"
check "core --json of two objects lists both" sh -c \
	"'$XDPLD' core --json '$TBPF/core_multi.o' '$TBPF/load_core.o' |
	 python3 -c 'import json,sys; assert len(json.load(sys.stdin)[\"objects\"]) == 2'"

# --- errors name the file ---
printf 'not BTF at all\n' >"$TMP/bad.btf"
check_fails "core --btf of a missing file names it" "$TMP/nosuch.btf: No such file" \
	"$XDPLD" core --btf "$TMP/nosuch.btf" "$TBPF/load_core.o"
check_fails "core --btf of a malformed file names it and the object" \
	"load_core.o: CO-RE relocations need the kernel's BTF: $TMP/bad.btf" \
	"$XDPLD" core --btf "$TMP/bad.btf" "$TBPF/load_core.o"
check_fails "verify with a malformed --kernel-btf names the file" "$TMP/bad.btf" \
	"$XDPLD" --kernel-btf "$TMP/bad.btf" verify "$TBPF/core_fields.o"
check_fails "--kernel-btf without FILE: usage" "needs a FILE" "$XDPLD" --kernel-btf
check_fails "an ambiguous target type id names file, function, relocation, type and access" \
	'core_ambig.o: program core_ambig: sec .xdp.: CO-RE relocation #1 at insn #4 \("0"\): \[[0-9]+\] typedef u8: target_type_id: relocation decision ambiguity' \
	"$XDPLD" verify "$TBPF/core_ambig.o"
check_fails "in a .text subprogram: the function and the record's number in the section (libbpf's relo #2)" \
	"core_ambig_sub.o: function second: sec '.text': CO-RE relocation #1 at insn #4 .*typedef u8.*ambiguity.*\(record #2 of the section\)" \
	"$XDPLD" verify "$TBPF/core_ambig_sub.o"
check "libbpf refuses core_ambig_sub at relo #2 of second" sh -c \
	"'$TOOLS/core_ref' '$TBPF/core_ambig_sub.o' | grep -q \"prog 'second': relo #2: relocation decision ambiguity\""
check "libbpf refuses core_ambig too" sh -c "'$TOOLS/core_ref' '$TBPF/core_ambig.o' | grep -q '^LOAD -'"
check_fails "a poisoned load (signed field changing size) is refused by the verifier, as under libbpf" \
	'core_badsz.*rejected by the kernel' "$XDPLD" verify "$TBPF/core_badsz.o"
check "libbpf refuses core_badsz too" sh -c "'$TOOLS/core_ref' '$TBPF/core_badsz.o' | grep -q '^LOAD -'"

# --- linking keeps the CO-RE records ---
check "link of two CO-RE objects" "$XDPLD" link -o "$TMP/l.o" "$TBPF/load_core.o" "$TBPF/core_multi.o"
check "bpftool gen object of the same two" bpftool gen object "$TMP/g.o" "$TBPF/load_core.o" "$TBPF/core_multi.o"
same_linked() {
	libbpf_tags "$TMP/g.o" >"$TMP/lt" && xdpld_tags "$TMP/l.o" >"$TMP/xt" &&
		cat "$TMP/xt" && [ -s "$TMP/lt" ] && diff "$TMP/lt" "$TMP/xt"
}
check "the linked object loads with the tags libbpf gives bpftool's linked object" same_linked
check "the linked object's decisions are libbpf's" same_decisions "$TMP/l.o"
check "the linked object's core_prog gives progrun's results" same_run "$TMP/l.o" core_prog

# --- flattening moves CO-RE records with their instructions ---
check "link --flatten inlines the CO-RE subprograms of core_calls" sh -c \
	"'$XDPLD' -v link --flatten -o '$TMP/f.o' '$TBPF/core_calls.o' 2>&1 |
	 grep -q 'program core_calls flattened: 3 calls inlined'"
flat_decisions() {	# "KIND TARGET_ID VALUE" of core_calls' own relocations, sorted
	"$XDPLD" core --json "$1" | python3 -c 'import json, sys
for o in json.load(sys.stdin)["objects"]:
    for r in o["relocations"]:
        if r["program"] == "core_calls": print(r["kind"], r["target_id"], r["value"])' | sort
}
same_flat_decisions() {
	# the original's calls: proto_of twice, kernel_facts once
	"$XDPLD" core --json "$TBPF/core_calls.o" | python3 -c 'import json, sys
rs = json.load(sys.stdin)["objects"][0]["relocations"]
n = {"core_calls": 1, "proto_of": 2, "kernel_facts": 1}
for r in rs:
    for _ in range(n[r["program"]]): print(r["kind"], r["target_id"], r["value"])' | sort >"$TMP/od"
	flat_decisions "$TMP/f.o" >"$TMP/fd" && cat "$TMP/fd" && [ -s "$TMP/od" ] && diff "$TMP/od" "$TMP/fd"
}
check "the flattened program carries one CO-RE record per inlined copy, decided alike" same_flat_decisions
check "the flattened object loads with libbpf's tag (libbpf reads the moved records too)" \
	same_tags "$TMP/f.o"
flat_run() {
	"$XDPLD" run "$TMP/f.o" core_calls $PKTS >"$TMP/fr" &&
		"$TOOLS/progrun" "$TBPF/core_calls.o" core_calls $PKTS >"$TMP/or" &&
		"$TOOLS/progrun" "$TMP/f.o" core_calls $PKTS >"$TMP/lfr" &&
		[ -s "$TMP/fr" ] && diff "$TMP/or" "$TMP/fr" && diff "$TMP/or" "$TMP/lfr"
}
check "flattened core_calls: xdpld and libbpf give the unflattened program's results" flat_run

# --- module BTF: a directory like /sys/kernel/btf with a module's split BTF ---
mkdir -p "$TMP/kmod"
cp "$VMLINUX" "$TMP/kmod/vmlinux"
MODID=$(python3 tests/tools/mkmodbtf.py "$TMP/kmod/vmlinux" "$TMP/kmod/xdpld_mod")
module_decisions() {	# "KIND TARGET TARGET_ID VALUE" per relocation
	"$XDPLD" core --json "$@" "$TBPF/core_module.o" | python3 -c 'import json, sys
for r in json.load(sys.stdin)["objects"][0]["relocations"]:
    print(r["kind"], r["target"], r["target_id"], "poisoned" if r["result"] == "poisoned" else r["value"])'
}
same_module() {
	printf '%s\n' "byte_off xdpld_mod $MODID 4" "type_exists xdpld_mod $MODID 1" \
		"target_type_id xdpld_mod $MODID $MODID" "type_size xdpld_mod $MODID 8" >"$TMP/mw"
	module_decisions --btf "$TMP/kmod" >"$TMP/mg" && cat "$TMP/mg" && diff "$TMP/mw" "$TMP/mg"
}
check "a type only a module has resolves to the module (offset, exists, target id, size)" same_module
check "without the module: missing, the offset poisoned, the rest 0" sh -c \
	"'$XDPLD' core '$TBPF/core_module.o' | awk '{ print \$NF }' | tr '\n' ' ' | grep -qx 'poisoned 0 0 0 '"
check "verify --kernel-btf DIR loads it with the module's values" \
	"$XDPLD" --kernel-btf "$TMP/kmod" verify "$TBPF/core_module.o"
printf 'junk' >"$TMP/kmod/zz_broken"
check_fails "a malformed module BTF file is refused with its name" "zz_broken" \
	"$XDPLD" core --btf "$TMP/kmod" "$TBPF/core_module.o"

# --- externs in the prepare step: kfunc ids as bpftool sees them, kconfig ---
kfunc_ids() {	# "NAME ID" of the kfuncs xdpld core --json lists for $1
	"$XDPLD" core --json --btf "$VMLINUX" "$1" | python3 -c 'import json, sys
for e in json.load(sys.stdin)["objects"][0]["externs"]:
    if e["kind"] == "kfunc": print(e["name"], e["target"], e["btf_id"])' | sort
}
same_kfunc_ids() {
	kfunc_ids "$TBPF/conf_ks1.o" >"$TMP/ki" && cat "$TMP/ki" &&
	bpftool btf dump file "$VMLINUX" | sed -n "s/^\[\([0-9]*\)\] FUNC '\(bpf_dynptr_from_xdp\|bpf_dynptr_size\)'.*/\2 vmlinux \1/p" |
		sort >"$TMP/kb" && [ -s "$TMP/kb" ] && diff "$TMP/kb" "$TMP/ki"
}
check "core lists the kfuncs with the BTF ids bpftool's dump of vmlinux gives" same_kfunc_ids
kver=$(uname -r | awk -F'[.-]' '{ c = $3 + 0; if (c > 255) c = 255; print $1 * 65536 + $2 * 256 + c }')
check_out "core: LINUX_KERNEL_VERSION is the running kernel's ($kver)" \
	"extern LINUX_KERNEL_VERSION \(kconfig\): $kver\$" "$XDPLD" core "$TBPF/load_extern.o"
check_out "core: a weak __kconfig the kernel lacks is missing" \
	"extern CONFIG_XDPLD_CONF_NOSUCH \(kconfig, weak\): missing" "$XDPLD" core "$TBPF/conf_ks2.o"

# --- a kernel without BTF: the image's file for its release ---
# A private mount namespace: a tmpfs hides /sys/kernel/btf (no vmlinux, as
# on OpenWrt), and an overlay over /lib's folder gives the image's lookup
# place (XDPLD_BTF_DIR, /lib/xdpld/btf) without touching this machine's.
# nobtf SETUP CMD...: runs CMD there after the shell commands SETUP ($IMG:
# the image's file for this kernel).
LIBDIR=$(readlink -f /lib)
IMG=/lib/xdpld/btf/$(uname -r).btf
mkdir -p "$TMP/ov/up" "$TMP/ov/work"
nobtf() {
	_setup=$1; shift
	IMG=$IMG unshare -m sh -c 'mount --make-rprivate / &&
		mount -t tmpfs none /sys/kernel/btf &&
		mount -t overlay overlay -o "lowerdir=$1,upperdir=$2/up,workdir=$2/work" "$1" &&
		eval "$3" && shift 3 && exec "$@"' nobtf "$LIBDIR" "$TMP/ov" "$_setup" "$@"
}
"$XDPLD" btfgen -o "$TMP/img.btf" "$TBPF/core_fields.o" >/dev/null 2>&1
check_fails "no kernel BTF, no image BTF: says where it looked and how to fix it" \
	"core_fields.o: CO-RE relocations need the kernel's BTF: the kernel has none \(no /sys/kernel/btf/vmlinux\) and the image has none for this kernel \(no $IMG\): make one with .xdpld btfgen.*--kernel-btf FILE.*option kernel_btf" \
	nobtf 'rm -f "$IMG"' "$XDPLD" verify "$TBPF/core_fields.o"
"$XDPLD" verify --json "$TBPF/core_fields.o" | sed 's/"id":[0-9]*,//g; s/"prog_id":[0-9]*,//g' \
	>"$TMP/tags.sysfs" 2>&1
img_tags() {
	nobtf "mkdir -p /lib/xdpld/btf && cp '$TMP/img.btf' \"\$IMG\"" "$XDPLD" -v verify --json \
		"$TBPF/core_fields.o" >"$TMP/tags.img" 2>"$TMP/img.log" || { cat "$TMP/img.log"; return 1; }
	grep "target BTF $IMG" "$TMP/img.log" &&
		sed 's/"id":[0-9]*,//g; s/"prog_id":[0-9]*,//g' "$TMP/tags.img" | diff "$TMP/tags.sysfs" -
}
check "no kernel BTF: the image's btfgen file for this release gives the tags the kernel's BTF gives" img_tags
check_fails "no kernel BTF: a malformed image BTF is named" "core_fields.o: CO-RE relocations need the kernel's BTF: $IMG: not a valid BTF file" \
	nobtf "mkdir -p /lib/xdpld/btf && echo junk >\"\$IMG\"" "$XDPLD" verify "$TBPF/core_fields.o"
check "no kernel BTF: --kernel-btf wins over the image's file" \
	nobtf "mkdir -p /lib/xdpld/btf && echo junk >\"\$IMG\"" "$XDPLD" --kernel-btf "$TMP/img.btf" verify "$TBPF/core_fields.o"
check "the image's file is not looked at when the kernel has BTF" \
	sh -c "IMG='$IMG' unshare -m sh -c 'mount --make-rprivate / && mount -t overlay overlay -o lowerdir=$LIBDIR,upperdir=$TMP/ov/up,workdir=$TMP/ov/work $LIBDIR && mkdir -p /lib/xdpld/btf && echo junk >\"\$IMG\" && exec \"\$@\"' x '$XDPLD' verify '$TBPF/core_fields.o'"

# --- pipelines of CO-RE modules: static (flattened), chain, tailcall ---
SND=xdpld-coresnd-$$
RCV=xdpld-corercv-$$
SD=/sys/fs/bpf/xdpld-t-core-sd-$$
netns_cleanup_trap "$SND" "$RCV" "$SD" "$PIN"
cp "$TBPF/load_core.o" "$TMP/core_again.o"
slot_is() {	# SLOT VERDICT N: the slot counted N packets with VERDICT
	X status r0 --json | jq -e ".interfaces[0].slots[$1].packets.$2 == $3"
}
send() { in_snd "$TOOLS/pktsend" s0 --count "$2" "$CORPUS/$1.pkt" >/dev/null; }
if veth_netns_pair "$SND" "$RCV"; then
	for be in static chain tailcall; do
		check "$be: attach load_core and core_calls (CO-RE, subprograms)" \
			X attach --backend "$be" r0 "$TBPF/load_core.o:core_prog" "$TBPF/core_calls.o:core_calls"
		send ok_arp_request 10
		check "$be: ARP dropped by slot 0 (eth->h_proto through CO-RE)" wait_for slot_is 0 drop 10
		send bolt_pass_tcp_24 7
		check "$be: IPv4 passed by both slots" wait_for slot_is 1 pass 7
		check "$be: relink slot 1 with another CO-RE module" \
			X relink r0 1 "$TMP/core_again.o:core_prog"
		d0=$(X status r0 --json | jq '.interfaces[0].slots[0].packets.drop')	# static: a new rootlet
		send ok_arp_request 3
		check "$be: the pipeline still drops ARP after the relink" wait_for slot_is 0 drop $((d0 + 3))
		check "$be: detach" X detach r0
	done
else
	not_ok "pipelines: set up namespaces and veth"
fi
