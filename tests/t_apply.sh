#!/bin/sh
# The manifest: xdpld check and apply on veth pairs between two network
# namespaces.  apply attaches what the manifest says; applied twice it
# changes nothing; a module pointed at a new object is re-linked in its slot
# only (rootlet and other slots keep their program ids, its rule map its
# rule); a changed mask builds a new rootlet; broken manifests (syntax,
# unknown option, missing object, unknown module, a module the verifier
# rejects, a device twice) are reported with FILE:LINE and change nothing on
# any device; a missing device is skipped and the hotplug script gives it its
# pipeline when it appears; a pipeline dropped from the manifest is detached,
# one attached by hand is left alone.
. tests/lib.sh

export XDPLD_CHECK_FD_LEAKS=1
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
SND=xdpld-asnd-$$
RCV=xdpld-arcv-$$
SD=/sys/fs/bpf/xdpld-t-apply-$$
CORPUS=$TMP/corpus
M=$TMP/xdpld	# the manifest
HOTPLUG=init/hotplug.d/net/30-xdpld
netns_cleanup_trap "$SND" "$RCV" "$SD"

setup() {
	veth_netns_pair "$SND" "$RCV" &&
		ip -n "$SND" link add s1 type veth peer name r1 netns "$RCV" &&
		ip -n "$SND" link set s1 up && ip -n "$RCV" link set r1 up
}
if ! setup; then
	not_ok "apply: set up namespaces and veths"
	exit 0
fi
ok "apply: set up namespaces and veths"

BACKEND=tailcall
"$XDPLD" probe | grep -q '^tailcall *yes' || BACKEND=static
V2=$(realpath "$TBPF/relink_fw_v2.o")
FWDIR=$(realpath "$FW")

# manifest [FW_OBJECT] [SAMPLER_CONTINUE]: the manifest for r0 (and r1).
manifest() {
	cat >"$M" <<EOF
# test manifest
config module 'sampler'
	option object '$FWDIR/sampler.o'
	list continue_on '${2:-pass}'

config module 'fw'
	option object '${1:-$FWDIR/fw_acme.o}'
	option program 'xdp_firewall'

config module 'lb'
	option object "$FWDIR/lb.o"   # double quotes work too

config pipeline 'wan'
	option device 'r0'
	option backend '$BACKEND'
	list module 'sampler'
	list module 'fw'
	list module 'lb'
EOF
}
ids() { X status r0 --json | jq -r '.interfaces[0] | "\(.prog_id) \([.slots[].prog_id] | map(tostring) | join(" "))"'; }
P=$CORPUS/lb_vip_tcp_80_b.pkt	# passes fw, bounced by lb
D=$CORPUS/lb_vip_tcp_80.pkt	# dropped by the rule added below
ACME_KEY="128 0 0 0  0 0 0 0 0 0 0 0 0 0 255 255 203 0 113 9"
traffic_ok() {	# 20 of each: exactly the 20 passing ones come back
	_rx=$(s0_rx)
	in_snd "$TOOLS/pktsend" s0 --count 20 "$P" "$D" >/dev/null &&
		wait_for sh -c "[ \$(( \$(ip -n $SND -s -j link show s0 | jq '.[0].stats64.rx.packets') - $_rx )) -eq 20 ]"
}

# ---- check, dry run, apply ----
manifest
check_out "check: the manifest checks out, nothing attached" "check out" X check -c "$M"
check "check: nothing attached" sh -c "! ip -n $RCV link show r0 | grep -q prog/xdp && [ ! -e $SD/r0 ]"
check_out "apply --dry-run: would attach 3 modules" "r0: attach 3 modules" X apply -c "$M" --dry-run
check "apply --dry-run: nothing attached" sh -c "[ ! -e $SD/r0 ]"
check "apply: attaches the manifest's pipeline" X apply -c "$M"
check "status: managed, pipeline wan, modules named after their sections" \
	sh -c "X() { nsenter --net=/run/netns/$RCV $XDPLD \"\$@\" --state-dir $SD; };
	X status r0 --json | jq -e '.interfaces[0] | .matches and .managed and .pipeline == \"wan\" and
		([.slots[].module] == [\"sampler\",\"fw\",\"lb\"]) and .backend == \"$BACKEND\"'"
check "maps: module maps pinned by section name; a rule added" sh -c \
	"[ -e $SD/r0/fw-rules ] && bpftool map update pinned $SD/r0/fw-rules key $ACME_KEY value 1 0 0 0"
check "traffic: ruled class dropped, passing class back" traffic_ok
ids0=$(ids)
check_out "apply twice: nothing to change" "nothing to change" X apply -c "$M"
check "apply twice: same program ids ($ids0)" test "$(ids)" = "$ids0"
check_out "apply --dry-run of the same manifest: unchanged" "r0: unchanged" X apply -c "$M" --dry-run

# ---- a module pointed at a new object: that slot only ----
manifest "$V2"
check_out "dry run: relink slot 1 (fw)" "r0: relink slot 1 \(fw\): .*relink_fw_v2.o" X apply -c "$M" --dry-run
rules0=$(bpftool -j map show pinned "$SD/r0/fw-rules" | jq .id)
check "apply: fw re-linked" X apply -c "$M"
set -- $ids0
ids1=$(ids)
if [ "$BACKEND" = static ]; then
	check "apply: (static) new rootlet" test "$(echo "$ids1" | cut -d' ' -f1)" != "$1"
else
	check "apply: rootlet, slot 0 and slot 2 keep their ids, slot 1 is new ($ids0 -> $ids1)" \
		sh -c "set -- $ids1; [ \$1 = $1 ] && [ \$2 = $2 ] && [ \$4 = $4 ] && [ \$3 != $3 ]"
fi
check "apply: fw-rules kept with its rule" sh -c \
	"[ \$(bpftool -j map show pinned $SD/r0/fw-rules | jq .id) = $rules0 ] &&
	 bpftool -j map lookup pinned $SD/r0/fw-rules key $ACME_KEY | jq -e '.value != null'"
check "traffic: as before" traffic_ok

# ---- a changed mask: a new rootlet, maps kept ----
manifest "$V2" "pass,tx"
check_out "dry run: new rootlet for the mask" "r0: new rootlet.*mask" X apply -c "$M" --dry-run
check "apply: mask change" X apply -c "$M"
check "apply: new rootlet id, fw-rules kept, sampler continues on pass,tx" sh -c \
	"X() { nsenter --net=/run/netns/$RCV $XDPLD \"\$@\" --state-dir $SD; };
	X status r0 --json | jq -e '.interfaces[0] | .prog_id != $(echo "$ids1" | cut -d' ' -f1) and
		.slots[0].continue_on == [\"pass\",\"tx\"] and .slots[0].continue_from == \"option\"' &&
	[ \$(bpftool -j map show pinned $SD/r0/fw-rules | jq .id) = $rules0 ]"
ids2=$(ids)

# ---- another slot order: a new rootlet, never a module twice ----
manifest "$V2" "pass,tx"
sed -i "s|	list module 'fw'|	list module 'lb'|; t; s|	list module 'lb'|	list module 'fw'|" "$M"
check_out "order: dry run says new rootlet" "r0: new rootlet.*slot order" X apply -c "$M" --dry-run
check "order: apply" X apply -c "$M"
check "order: new rootlet id, slots sampler lb fw, fw-rules kept" sh -c \
	"X() { nsenter --net=/run/netns/$RCV $XDPLD \"\$@\" --state-dir $SD; };
	X status r0 --json | jq -e '.interfaces[0] | .prog_id != $(echo "$ids2" | cut -d' ' -f1) and
		([.slots[].module] == [\"sampler\",\"lb\",\"fw\"])' &&
	[ \$(bpftool -j map show pinned $SD/r0/fw-rules | jq .id) = $rules0 ]"
manifest "$V2" "pass,tx"
check "order: back" X apply -c "$M"
ids2=$(ids)

# ---- broken manifests change nothing ----
# broken NAME PATTERN: apply of $M fails printing PATTERN, ids unchanged
broken() {
	check_fails "broken: $1: reported" "$2" X apply -c "$M"
	check "broken: $1: nothing changed" test "$(ids)" = "$ids2"
}
manifest "$V2" "pass,tx"
sed -i "s|option object '$FWDIR/lb.o'|option object '$FWDIR/lb.o|; s|option object \"$FWDIR/lb.o\"|option object \"$FWDIR/lb.o|" "$M"
broken "unterminated quote" "$M:[0-9]+: .*unterminated"
manifest "$V2" "pass,tx"
sed -i "s|option program 'xdp_firewall'|option progam 'xdp_firewall'|" "$M"
broken "unknown option" "$M:8: module 'fw': unknown option 'progam'"
manifest "/nonexistent/fw.o" "pass,tx"
broken "missing object" "$M:7: module 'fw': object /nonexistent/fw.o: No such file"
manifest "$V2" "pass,tx"
sed -i "s|list module 'fw'|list module 'fwx'|" "$M"
broken "unknown module (the line of that list item)" "$M:17: pipeline 'wan': module 'fwx' is not defined"
manifest "$(realpath "$TBPF/relink_fw_bad.o")" "pass,tx"
broken "a module the verifier rejects" "invalid access to packet"
check_out "broken: ... named with FILE:LINE of its pipeline" \
	"$M:[0-9]+: pipeline 'wan' \(device r0\) does not load: nothing changed anywhere" \
	sh -c "! nsenter --net=/run/netns/$RCV $XDPLD apply -c $M --state-dir $SD"
manifest "$V2" "pass,tx"
printf "\nconfig pipeline 'lan'\n\toption device 'r0'\n\tlist module 'lb'\n" >>"$M"
broken "a device twice" "$M:[0-9]+: pipeline 'lan': device r0 is given twice \(also at line [0-9]+\)"
manifest "$V2" "pass,tx"
printf "\nconfig pipeline 'lan'\n\toption device 'r1:0'\n\tlist module 'lb'\n" >>"$M"
broken "an alias is no device" "$M:[0-9]+: pipeline 'lan': device 'r1:0' is not an interface name"
check "broken: traffic unaffected" traffic_ok

# ---- all or nothing across devices ----
manifest "$FWDIR/fw_acme.o" "pass,tx"
printf "\nconfig module 'bad'\n\toption object '%s'\n\nconfig pipeline 'lan'\n\toption device 'r1'\n\tlist module 'bad'\n" \
	"$(realpath "$TBPF/relink_fw_bad.o")" >>"$M"
check_fails "all or nothing: r1's module fails verification" "pipeline 'lan' \(device r1\) does not load" \
	X apply -c "$M"
check "all or nothing: r0 was not re-linked either, r1 got nothing" sh -c \
	"[ \"\$(X() { nsenter --net=/run/netns/$RCV $XDPLD \"\$@\" --state-dir $SD; }; X status r0 --json |
	   jq -r '.interfaces[0].slots[1].path')\" = $V2 ] && [ ! -e $SD/r1 ]"

# ---- a device that is not there yet; hotplug ----
manifest "$V2" "pass,tx"
printf "\nconfig pipeline 'dmz'\n\toption device 'dmz0'\n\tlist module 'lb'\n" >>"$M"
check_out "missing device: check verifies its pipeline too" "check out" X check -c "$M"
check_out "missing device: apply skips it, saying so" "device dmz0 does not exist: skipped" X apply -c "$M"
check "missing device: r0 unchanged" test "$(ids)" = "$ids2"
ip -n "$SND" link add sd type veth peer name dmz0 netns "$RCV" && ip -n "$RCV" link set dmz0 up
check "hotplug: dmz0 appears, the script applies its pipeline" nsenter --net=/run/netns/"$RCV" \
	env ACTION=add INTERFACE=dmz0 XDPLD="$XDPLD" XDPLD_STATE_DIR="$SD" XDPLD_CONFIG="$M" sh "$HOTPLUG"
check "hotplug: dmz0 runs the lb pipeline, r0 untouched" sh -c \
	"X() { nsenter --net=/run/netns/$RCV $XDPLD \"\$@\" --state-dir $SD; };
	X status dmz0 --json | jq -e '.interfaces[0] | .matches and .pipeline == \"dmz\" and ([.slots[].module] == [\"lb\"])'" 
check "hotplug: r0 untouched" test "$(ids)" = "$ids2"
# uci joins a line ending in a backslash with the next one: the device is
# named all the same, and the script must see it (not restore, not nothing).
sed -i "s|option device 'dmz0'|option device 'dmz1' \\\\|" "$M"
printf "\nconfig pipeline 'dmz2'\n\toption device 'dmz0'\n\tlist module 'lb'\n" >>"$M"
ip -n "$SND" link add sd1 type veth peer name dmz1 netns "$RCV" && ip -n "$RCV" link set dmz1 up
check "hotplug: dmz1, named on a line joined with the next (' \\'), gets its pipeline" sh -c \
	"nsenter --net=/run/netns/$RCV env ACTION=add INTERFACE=dmz1 XDPLD=$XDPLD XDPLD_STATE_DIR=$SD \
		XDPLD_CONFIG=$M sh $HOTPLUG &&
	 nsenter --net=/run/netns/$RCV $XDPLD status dmz1 --json --state-dir $SD |
	 jq -e '.interfaces[0] | .matches and .pipeline == \"dmz\" and ([.slots[].module] == [\"lb\"])'"
check "hotplug: r0 untouched" test "$(ids)" = "$ids2"

# ---- pipelines dropped from the manifest are detached, hand-made ones stay ----
check "by hand: attach r1" X attach r1 "$FW/sampler.o"
manifest "$V2" "pass,tx"
check_out "dry run: dmz0 would be detached" "dmz0: detach \(no pipeline for it in $M\)" X apply -c "$M" --dry-run
check "apply: without dmz" X apply -c "$M"
check "apply: dmz0 detached and its state gone" sh -c \
	"! ip -n $RCV link show dmz0 | grep -q prog/xdp && [ ! -e $SD/dmz0 ]"
check "apply: r1 (attached by hand) is left alone" sh -c "ip -n $RCV link show r1 | grep -q prog/xdp"
check "apply: r0 unchanged" test "$(ids)" = "$ids2"
manifest "$V2" "pass,tx"
sed -i "s|	list module 'fw'|&\n|; /config module 'fw'/a\\	option enabled '0'" "$M"
check_out "disabled: fw off: the slot goes (a new rootlet)" "r0: new rootlet" X apply -c "$M" --dry-run
check "disabled: apply" X apply -c "$M"
check "disabled: r0 runs sampler and lb" sh -c "X() { nsenter --net=/run/netns/$RCV $XDPLD \"\$@\" --state-dir $SD; };
	X status r0 --json | jq -e '[.interfaces[0].slots[].module] == [\"sampler\",\"lb\"]'"
sed -i "/config pipeline 'wan'/a\\	option enabled '0'" "$M"
check_out "disabled: a disabled pipeline is detached" "r0: detach" X apply -c "$M" --dry-run
printf "# nothing\n" >"$M"
check "apply: an empty manifest detaches r0" X apply -c "$M"
check "apply: r0 detached, r1 still runs" sh -c \
	"! ip -n $RCV link show r0 | grep -q prog/xdp && ip -n $RCV link show r1 | grep -q prog/xdp"
check "detach r1" X detach r1

# ---- a pipeline attached by hand on a manifest device: apply takes it over ----
check "takeover: attach r1 by hand" X attach r1 "$FW/sampler.o" --backend "$BACKEND"
manifest "$V2" "pass,tx"
printf "\nconfig pipeline 'lan'\n\toption device 'r1'\n\toption backend '%s'\n\tlist module 'sampler'\n" \
	"$BACKEND" >>"$M"
check "takeover: apply" X apply -c "$M"
check "takeover: r1 is now the manifest's (managed, pipeline lan)" sh -c \
	"X() { nsenter --net=/run/netns/$RCV $XDPLD \"\$@\" --state-dir $SD; };
	X status r1 --json | jq -e '.interfaces[0] | .managed and .pipeline == \"lan\"'"
manifest "$V2" "pass,tx"
check "takeover: dropped from the manifest, r1 is detached" X apply -c "$M"
check "takeover: r1 runs nothing" sh -c "! ip -n $RCV link show r1 | grep -q prog/xdp"

# ---- config globals: option kernel_btf (a kernel without BTF) ----
# A mount namespace hides /sys/kernel/btf (tmpfs): the CO-RE module then
# needs the manifest's kernel_btf (here a btfgen file), as on OpenWrt.
nobtf() { unshare -m sh -c 'mount --make-rprivate / && mount -t tmpfs none /sys/kernel/btf && exec "$@"' nobtf "$@"; }
CORE=$(realpath "$TBPF/load_core.o")
"$XDPLD" btfgen -o "$TMP/core.btf" "$CORE" >/dev/null 2>&1
"$XDPLD" btfgen -o "$TMP/other.btf" "$TBPF/core_types.o" >/dev/null 2>&1	# none of load_core's types
printf 'junk\n' >"$TMP/junk.btf"
M2=$TMP/xdpld-core
core_manifest() {	# core_manifest KERNEL_BTF_LINE: a CO-RE module on r1
	cat >"$M2" <<EOF
config globals
	$1

config module 'core'
	option object '$CORE'
	option program 'core_prog'

config pipeline 'lan'
	option device 'r1'
	option backend '$BACKEND'
	list module 'core'
EOF
}
core_manifest "option description 'no kernel_btf'"
check_fails "kernel_btf: without it, a kernel without BTF refuses the CO-RE module, saying where it looked" \
	"load_core.o: CO-RE relocations need the kernel's BTF: the kernel has none .*/lib/xdpld/btf/.*option kernel_btf" \
	nobtf "$XDPLD" check -c "$M2" --state-dir "$SD"
core_manifest "option kernel_btf '$TMP/core.btf'"
check_out "kernel_btf: check takes it (the btfgen file) on a kernel without BTF" "check out" \
	nobtf "$XDPLD" -v check -c "$M2" --state-dir "$SD"
check "kernel_btf: -v names the line that set it" grep -q "$M2:2: target BTF for CO-RE: $TMP/core.btf" "$TMP/co"
check "kernel_btf: apply --device r1 attaches the CO-RE module with it" \
	nobtf nsenter --net=/run/netns/"$RCV" "$XDPLD" apply -c "$M2" --device r1 --state-dir "$SD"
check "kernel_btf: r1 runs the CO-RE module" sh -c \
	"X() { nsenter --net=/run/netns/$RCV $XDPLD \"\$@\" --state-dir $SD; };
	X status r1 --json | jq -e '.interfaces[0] | .matches and ([.slots[].module] == [\"core\"])'"
check "kernel_btf: detach r1" X detach r1
core_manifest "option kernel_btf '$TMP/other.btf'"
check_fails "kernel_btf: another object's BTF lacks the module's types (poisoned, refused)" \
	"unknown#195896080" nobtf "$XDPLD" check -c "$M2" --state-dir "$SD"
check_out "kernel_btf: --kernel-btf on the command line wins over the manifest's" "check out" \
	nobtf "$XDPLD" --kernel-btf "$TMP/core.btf" check -c "$M2" --state-dir "$SD"
core_manifest "option kernel_btf '$TMP/junk.btf'"
check_fails "kernel_btf: a malformed file is named with FILE:LINE" \
	"$M2:2: globals '\(anonymous\)': option kernel_btf: $TMP/junk.btf: not a valid BTF file" \
	"$XDPLD" check -c "$M2" --state-dir "$SD"
core_manifest "option kernel_btf '$TMP/none.btf'"
check_fails "kernel_btf: a missing file is named with FILE:LINE" \
	"$M2:2: globals '\(anonymous\)': option kernel_btf: $TMP/none.btf: No such file" \
	"$XDPLD" check -c "$M2" --state-dir "$SD"
core_manifest "option kernel_btf 'core.btf'"
check_fails "kernel_btf: a relative path is refused with FILE:LINE" \
	"$M2:2: globals '\(anonymous\)': option kernel_btf: 'core.btf' is not an absolute path" \
	"$XDPLD" check -c "$M2" --state-dir "$SD"
core_manifest "option kernel_btf '$TMP/core.btf'"
printf "\nconfig globals 'more'\n\toption kernel_btf '%s'\n" "$TMP/core.btf" >>"$M2"
check_fails "kernel_btf: a second globals section is refused with FILE:LINE" \
	"$M2:13: globals 'more': a second globals section \(the first is at line 1\)" \
	"$XDPLD" check -c "$M2" --state-dir "$SD"
core_manifest "option kernel_btfx '$TMP/core.btf'"
check_fails "kernel_btf: an unknown option of globals is refused with FILE:LINE" \
	"$M2:2: globals '\(anonymous\)': unknown option 'kernel_btfx'" "$XDPLD" check -c "$M2" --state-dir "$SD"

# ---- usage ----
check_fails "usage: unknown option" "usage: xdpld apply" X apply --frobnicate
check_fails "usage: check takes no --dry-run" "usage: xdpld check" X check --dry-run
check_fails "missing manifest file" "$TMP/none.*No such file" X check -c "$TMP/none"
