#!/bin/sh
# xdpld inspect on real clang output (both byte orders), firmware objects and
# Debian's xdp-tools objects; --rewrite copies must load into the kernel and
# read the same in llvm-objdump and bpftool.
. "$(dirname "$0")/lib.sh"

has_lines() {	# has_lines FILE LINE...: every LINE occurs exactly in FILE
	_f=$1; shift
	for _l in "$@"; do grep -qxF -- "$_l" "$_f" || { echo "missing: $_l"; cat "$_f"; return 1; }; done
}

inspect_has() {	# inspect_has OBJ LINE...
	_o=$1; shift
	"$XDPLD" inspect "$_o" >"$TMP/insp" 2>&1 || { cat "$TMP/insp"; return 1; }
	has_lines "$TMP/insp" "$@"
}

json_ok() {	# the output is one valid JSON object
	"$XDPLD" inspect --json "$1" >"$TMP/j" || return 1
	if command -v python3 >/dev/null; then
		python3 -m json.tool "$TMP/j" >/dev/null
	else
		head -c1 "$TMP/j" | grep -q '{' && tail -c2 "$TMP/j" | grep -q '}'
	fi
}

json_field() {	# json_field OBJ PYEXPR EXPECTED (python3 only)
	"$XDPLD" inspect --json "$1" >"$TMP/j" || return 1
	_v=$(python3 -c "import json,sys; d=json.load(open('$TMP/j')); print($2)") || return 1
	[ "$_v" = "$3" ] || { echo "$2 = $_v, expected $3"; return 1; }
}

for bo in "" be/; do
	o=$TBPF/${bo}obj_basic.o
	check "obj_basic ${bo:-le}: programs, subprograms, variables, externs" inspect_has "$o" \
		"license: GPL" \
		"  obj_main section=xdp insns=19 binding=global" \
		"  obj_second section=xdp insns=7 binding=global" \
		"  obj_static_helper insns=6 binding=local" \
		"  obj_weak_fn insns=2 binding=weak" \
		"  obj_hidden section=.data size=4 binding=local" \
		"  obj_counter section=.bss size=4 binding=global" \
		"  obj_limit section=.rodata size=4 binding=global" \
		"  obj_ext_func kind=function binding=global" \
		"  obj_ext_var kind=variable binding=global"
	o=$TBPF/${bo}maps_btf.o
	check "maps_btf ${bo:-le}: BTF maps, inner map, initial slots, pinning" inspect_has "$o" \
		"  maps_hash definition=btf type=hash type_id=1 key_size=4 value_size=8 max_entries=128 flags=0x1 pinning=none" \
		"  maps_lpm definition=btf type=lpm_trie type_id=11 key_size=8 value_size=4 max_entries=16 flags=0x1 pinning=by_name" \
		"  maps_sized definition=btf type=array type_id=2 key_size=4 value_size=12 max_entries=2 flags=0x0 pinning=none" \
		"  maps_jump definition=btf type=prog_array type_id=3 key_size=4 value_size=0 max_entries=3 flags=0x0 pinning=none initial=[{index=1 symbol=maps_tail_a}]" \
		"  maps_outer definition=btf type=array_of_maps type_id=12 key_size=4 value_size=0 max_entries=4 flags=0x0 pinning=none inner={type=array type_id=2 key_size=4 value_size=4 max_entries=8 flags=0x0 pinning=none} initial=[{index=0 symbol=maps_inner_a} {index=2 symbol=maps_inner_b}]"
	check "maps_legacy ${bo:-le}: legacy map definitions" inspect_has "$TBPF/${bo}maps_legacy.o" \
		"  legacy_counters definition=legacy type=array type_id=2 key_size=4 value_size=8 max_entries=4 flags=0x0 pinning=none" \
		"  legacy_flows definition=legacy type=hash type_id=1 key_size=8 value_size=16 max_entries=1024 flags=0x1 pinning=none"
done
check "byte order reported (bpfeb)" inspect_has "$TBPF/be/obj_basic.o" "byte_order: big"
check "byte order reported (bpfel)" inspect_has "$TBPF/obj_basic.o" "byte_order: little"

same_but_order() {	# inspect of the bpfel and bpfeb builds differ only in file/byte order
	"$XDPLD" inspect "$1" | grep -v -e '^file:' -e '^byte_order:' >"$TMP/a" &&
	"$XDPLD" inspect "$2" | grep -v -e '^file:' -e '^byte_order:' >"$TMP/b" &&
	diff "$TMP/a" "$TMP/b"
}
# (firmware differs between byte orders: bpf_ntohs() is a no-op on bpfeb)
for n in obj_basic obj_loadable maps_btf maps_legacy; do
	check "$n: bpfel and bpfeb inspect the same" same_but_order "$TBPF/$n.o" "$TBPF/be/$n.o"
done

objs="$TBPF/*.o $TBPF/be/*.o $FW/*.o $FW/be/*.o /usr/lib/$(cc -print-multiarch 2>/dev/null)/bpf/*.o"
for o in $objs; do
	[ -f "$o" ] || continue
	check "json: $o" json_ok "$o"
done
if command -v python3 >/dev/null; then
	check "json fields: maps_outer inner/initial" json_field "$TBPF/maps_btf.o" \
		"[(m['inner']['max_entries'], [s['symbol'] for s in m['initial']]) for m in d['maps'] if m['name']=='maps_outer'][0]" \
		"(8, ['maps_inner_a', 'maps_inner_b'])"
	check "json fields: btf summary" json_field "$TBPF/obj_basic.o" \
		"(d['btf']['kinds']['DATASEC'], d['btf']['ext']['func_info'] > 0, d['license'], d['byte_order'])" \
		"(4, True, 'GPL', 'little')"
	check "json fields: extern kinds" json_field "$TBPF/obj_basic.o" \
		"sorted((e['name'], e['kind']) for e in d['externs'])" \
		"[('obj_ext_func', 'function'), ('obj_ext_var', 'variable')]"
fi

# --rewrite: read and write back through the object model.
stable() {	# the rewritten copy rewrites to the same bytes
	"$XDPLD" inspect "$1" --rewrite "$TMP/r1.o" && "$XDPLD" inspect "$TMP/r1.o" --rewrite "$TMP/r2.o" &&
	cmp "$TMP/r1.o" "$TMP/r2.o" && ! ls "$TMP"/r*.o.tmp* 2>/dev/null
}
same_disasm() {	# llvm-objdump -dr and bpftool btf dump agree on original and copy
	"$XDPLD" inspect "$1" --rewrite "$TMP/c.o" || return 1
	llvm-objdump -dr "$1" | tail -n +3 >"$TMP/d1" && llvm-objdump -dr "$TMP/c.o" | tail -n +3 >"$TMP/d2" &&
	diff "$TMP/d1" "$TMP/d2" >/dev/null || { echo "disassembly differs"; diff "$TMP/d1" "$TMP/d2" | head; return 1; }
	bpftool btf dump file "$1" >"$TMP/b1" && bpftool btf dump file "$TMP/c.o" >"$TMP/b2" &&
	diff "$TMP/b1" "$TMP/b2" >/dev/null || { echo "BTF dump differs"; diff "$TMP/b1" "$TMP/b2" | head; return 1; }
}
loads() {	# bpftool (libbpf) loads every program of the rewritten copy
	"$XDPLD" inspect "$1" --rewrite "$TMP/k.o" || return 1
	_pin=$BPFFS/xdpld_t_inspect_$$	# bpffs refuses dots in names
	bpftool prog loadall "$TMP/k.o" "$_pin"; _rc=$?
	rm -rf "$_pin"
	rm -f $BPFFS/maps_lpm	# maps_btf.o pins maps_lpm by name
	return $_rc
}
BPFFS=/sys/fs/bpf
mountpoint -q $BPFFS || mount -t bpf bpf $BPFFS 2>/dev/null
for o in $TBPF/*.o $TBPF/be/*.o $FW/*.o $FW/be/*.o; do
	[ -f "$o" ] || continue
	check "rewrite is stable: $o" stable "$o"
	check "rewrite reads the same in llvm-objdump/bpftool: $o" same_disasm "$o"
done
# (libbpf 1.x no longer loads legacy "maps" sections, so maps_legacy is not here)
for o in $TBPF/obj_loadable.o $TBPF/maps_btf.o $FW/*.o; do
	[ -f "$o" ] || continue
	check "rewritten copy loads into the kernel: $o" loads "$o"
done

check_fails "non-BPF ELF is refused" "/bin/true.*not a BPF object" "$XDPLD" inspect /bin/true
check_fails "usage error without OBJ" "usage" "$XDPLD" inspect
