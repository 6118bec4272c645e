#!/bin/sh
# The chain backend: every slot a program of its own (the module linked
# with its slot program: counters, continue mask, tail call into the next
# slot), the rootlet only tail-calls slot 0.  probe lists it; on a veth pair
# between two network namespaces with real packets: attach (sampler ->
# fw_acme -> lb), status, per-slot counters, continue masks, an
# out-of-range verdict, empty slots (the rootlet fails closed, a slot
# before an empty one returns its verdict), relink (one prog array update),
# a crafted interrupted re-link settled both ways, backend switches with
# maps kept, restore, more than 32 slots refused, detach without leaks.
# (The 200 re-links under a flood: tests/t_relink.sh.)
. tests/lib.sh

export XDPLD_CHECK_FD_LEAKS=1
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
SND=xdpld-csnd-$$
RCV=xdpld-crcv-$$
SD=/sys/fs/bpf/xdpld-t-chain-$$
CORPUS=$TMP/corpus
netns_cleanup_trap "$SND" "$RCV" "$SD"

# ---- probe ----
check "probe: chain yes (a 2-slot chain ran in BPF_PROG_TEST_RUN)" sh -c \
	"$XDPLD probe | grep -qx 'chain     yes'"
check "probe --json: chain supported" sh -c \
	"$XDPLD probe --json | jq -e '.backends.chain == {\"supported\": true}'"
check "probe: XDPLD_PROBE_MISSING=chain: chain no, saying so" sh -c \
	"XDPLD_PROBE_MISSING=chain $XDPLD probe | grep -qx 'chain     no   disabled by XDPLD_PROBE_MISSING'"
check "probe: auto takes chain before tailcall (cheaper per slot, inlined), static last" sh -c \
	"XDPLD_PROBE_MISSING=freplace $XDPLD probe | grep -qx 'auto      chain' &&
	 XDPLD_PROBE_MISSING=freplace,chain $XDPLD probe | grep -qx 'auto      tailcall' &&
	 XDPLD_PROBE_MISSING=freplace,tailcall,chain $XDPLD probe | grep -qx 'auto      static'"
if ! "$XDPLD" probe | grep -q '^chain *yes'; then
	skip "chain: the kernel refuses chained slot programs"
	exit 0
fi

if ! veth_netns_pair "$SND" "$RCV"; then
	not_ok "chain: set up namespaces and veth"
	exit 0
fi
ok "chain: set up namespaces and veth"

json() { X status r0 --json >"$TMP/status.json" && jq -e "$@" "$TMP/status.json"; }
jget() { X status r0 --json 2>/dev/null | jq -r "$1"; }
# (ids, not counts of all objects: other tests may load programs meanwhile)
# gone prog|map ID...: no program (map) has any of these ids any more.
gone() {
	_k=$1; shift
	for _id; do bpftool "$_k" show id "$_id" >/dev/null 2>&1 && return 1; done
	return 0
}
# run PKT: the verdict of one BPF_PROG_TEST_RUN of the attached rootlet.
run() { bpftool prog run pinned "$SD/r0/rootlet" data_in "$1" | sed -n 's/^Return value: \([0-9]*\).*/\1/p'; }
# pkts SLOT BUCKET: that slot's counter.
pkts() { jget ".interfaces[0].slots[$1].packets.$2"; }

V1=$FW/fw_acme.o
V2=$TBPF/relink_fw_v2.o
MODS="$FW/sampler.o $V1 $FW/lb.o"
P=$CORPUS/lb_vip_tcp_80_b.pkt	# passes fw_acme, lb bounces it (XDP_TX)
D=$CORPUS/lb_vip_tcp_80.pkt	# the same until the rule below drops it
ACME_KEY="128 0 0 0  0 0 0 0 0 0 0 0 0 0 255 255 203 0 113 9"	# 203.0.113.9/128

# ---- refusals ----
for i in $(seq 0 32); do cp "$FW/sampler.o" "$TMP/m$i.o"; done
check_fails "refuse: 33 slots, naming the tail call limit" \
	"chain backend takes at most 32 modules, not 33: each slot is a tail call" \
	X attach r0 $(for i in $(seq 0 32); do echo "$TMP/m$i.o"; done) --backend chain
check "refuse: nothing attached" sh -c "! ip -n $RCV link show r0 | grep -q prog/xdp && [ ! -e $SD/r0 ]"
check "rootlet: 32 chain slots generate" "$XDPLD" rootlet -o "$TMP/r32.o" --slots 32 --backend chain
check_fails "rootlet: 33 chain slots are refused" "the chain backend takes at most 32" \
	"$XDPLD" rootlet -o "$TMP/r33.o" --slots 33 --backend chain

# ---- attach, status ----
check "attach: sampler, fw_acme, lb (chain)" X attach r0 $MODS --backend chain
check "status: chain backend, slot swap, a program id per slot" json '.interfaces[0] |
	.matches and .backend == "chain" and .relink == "slot swap" and .counters and
	([.slots[].prog_id | type] == ["number","number","number"]) and
	([.slots[].module] == ["sampler","fw_acme","lb"])'
status_text() { X status r0 | grep -q "$1"; }
check "status (text): chain backend" status_text 'chain backend'
prog_names() {	# slot i runs a program named xdpld_chain<i>
	for _i in 0 1 2; do
		bpftool -j prog show id "$(jget ".interfaces[0].slots[$_i].prog_id")" |
			jq -e ".name == \"xdpld_chain$_i\"" || return 1
	done
}
check "kernel: slot i runs program xdpld_chain<i>" prog_names
check "pins: the rootlet's maps and the modules' maps, no module pin of a rootlet map" sh -c \
	"cd $SD/r0 && [ -e xdpld_slots ] && [ -e xdpld_stats ] && [ -e fw_acme-rules ] &&
	 ! ls | grep -q -- '-xdpld_'"
rootlet0=$(jget '.interfaces[0].prog_id')
slot0=$(jget '.interfaces[0].slots[0].prog_id')
slot2=$(jget '.interfaces[0].slots[2].prog_id')

# ---- traffic and counters ----
rx0=$(s0_rx)
in_snd "$TOOLS/pktsend" s0 --count 30 "$P" >/dev/null
check "traffic: every packet runs all three slots and comes back (lb: XDP_TX)" wait_for \
	sh -c "[ \$(( \$(ip -n $SND -s -j link show s0 | jq '.[0].stats64.rx.packets') - $rx0 )) -eq 30 ]"
check "counters: slot 0 and 1 passed 30, slot 2 sent 30 back, nothing else" json '.interfaces[0].slots |
	.[0].packets.pass == 30 and .[1].packets.pass == 30 and .[2].packets.tx == 30 and
	([.[].packets | .aborted + .drop + .redirect + .invalid] | add) == 0'
check "maps: a rule for 203.0.113.9 added with bpftool" \
	bpftool map update pinned "$SD/r0/fw_acme-rules" key $ACME_KEY value 1 0 0 0
rules0=$(bpftool -j map show pinned "$SD/r0/fw_acme-rules" | jq .id)
rules_kept() { [ "$(bpftool -j map show pinned "$SD/r0/fw_acme-rules" | jq .id)" = "$rules0" ]; }
check "test run: the ruled packet is dropped in slot 1 (XDP_DROP)" test "$(run "$D")" = 1
check "test run: the other is sent back by slot 2 (XDP_TX)" test "$(run "$P")" = 3
check "counters: slot 1 counted the drop, slot 2 saw only what slot 1 passed" json '.interfaces[0].slots |
	.[1].packets.drop == 1 and .[2].packets.tx == 31 and .[0].packets.pass == 32'

# ---- empty slots: the rootlet fails closed, an empty next slot ends the chain ----
check "empty slot 2: emptied with bpftool" bpftool map delete pinned "$SD/r0/xdpld_slots" key 2 0 0 0
check "empty slot 2: slot 1's verdict (XDP_PASS) is returned" test "$(run "$P")" = 2
check "empty slot 0: emptied with bpftool" bpftool map delete pinned "$SD/r0/xdpld_slots" key 0 0 0 0
check "empty slot 0: the rootlet returns XDP_ABORTED" test "$(run "$P")" = 0
check "attach: another mask for lb puts the slots back (a new rootlet)" \
	X attach r0 $MODS --backend chain --continue-on lb=pass,drop
check "attach: the rule map kept" rules_kept
check "attach: the packets run all slots again (XDP_TX, the ruled one XDP_DROP)" \
	test "$(run "$P") $(run "$D")" = "3 1"
rootlet0=$(jget '.interfaces[0].prog_id')
slot0=$(jget '.interfaces[0].slots[0].prog_id')
slot2=$(jget '.interfaces[0].slots[2].prog_id')

# ---- relink: one prog array update ----
check "relink: fw_acme to build 2" X relink r0 fw_acme "$V2"
check "relink: same rootlet and slots 0, 2; slot 1 new, once re-linked" json ".interfaces[0] |
	.prog_id == $rootlet0 and .slots[0].prog_id == $slot0 and .slots[2].prog_id == $slot2 and
	.slots[1].relinks == 1 and (.slots[1].path | endswith(\"/relink_fw_v2.o\")) and .matches"
check "relink: the new slot program is xdpld_chain1" prog_names
check "relink: the rule map kept, the ruled packet dropped" sh -c \
	"[ \$(bpftool -j map show pinned $SD/r0/fw_acme-rules | jq .id) = $rules0 ] && [ '$(run "$D")' = 1 ]"
check_fails "relink: an incompatible map is refused" "max_entries: kept 1024, now 2048" \
	X relink r0 1 "$TBPF/relink_fw_big.o"
check "relink: back to build 1" X relink r0 fw_acme "$V1"

# ---- an interrupted re-link (crafted record) is settled by the kernel's slot ----
pend() {	# pend PROG_ID: slot 1 copied as the pending re-link to build 2
	craft_record "$SD/r0/record" "\$a pending.slot=1
/^pending\./d
/^slot\.1\./{p;s/^slot\.1\./pending./}
s/^pending\.prog_id=.*/pending.prog_id=$1/
s|^pending\.path=.*|pending.path=$(realpath "$V2")|"
}
kid=$(jget '.interfaces[0].slots[1].prog_id')
check "crash: a pending re-link that never swapped" pend 4000000000
check_out "crash: status says the previous module runs" \
	"re-link of slot 1 \(fw_acme\) is in progress or was interrupted; the slot runs the previous module" X status r0
check "crash: a pending re-link that did swap" pend "$kid"
check "crash: status shows the pending module running" \
	json '.interfaces[0].slots[1].path | endswith("/relink_fw_v2.o")'
check "crash: the next relink settles the record" X relink r0 fw_acme "$V1"
record_text "$SD/r0/record" >"$TMP/rec.txt"
check "crash: no pending entry left" sh -c "grep -q '^slot.1.module=fw_acme' $TMP/rec.txt && ! grep -q '^pending' $TMP/rec.txt"
check "crash: slot 1 runs build 1 from fw_acme.o" json \
	'.interfaces[0] | .matches and (.slots[1].path | endswith("/fw_acme.o"))'

# ---- switching backends keeps the module maps ----
check "switch: to tailcall" X attach r0 $MODS --backend tailcall
check "switch: and back to chain" X attach r0 $MODS --backend chain
check "switch: status says chain" json '.interfaces[0].backend == "chain"'
check "switch: the rule map is the same map" rules_kept
check "switch: the ruled packet is dropped" test "$(run "$D")" = 1

# ---- restore ----
ip -n "$RCV" link set dev r0 xdp off
check "restore: the pipeline is not running" json '.interfaces[0].matches | not'
check_out "restore: re-attaches" "restored in native mode, chain backend" X restore r0
check "restore: chain, same modules" json '.interfaces[0] | .matches and .backend == "chain" and
	([.slots[].module] == ["sampler","fw_acme","lb"])'
check "restore: rule map kept" rules_kept
rx0=$(s0_rx)
in_snd "$TOOLS/pktsend" s0 --count 20 "$P" "$D" >/dev/null
check "restore: traffic (ruled class dropped, the other back)" wait_for \
	sh -c "[ \$(( \$(ip -n $SND -s -j link show s0 | jq '.[0].stats64.rx.packets') - $rx0 )) -eq 20 ]"

# ---- continue masks and an out-of-range verdict ----
check "mask: fw_acme continues on nothing (a new rootlet)" \
	X attach r0 $MODS --backend chain --continue-on fw_acme=none
check "mask: the packet stops after slot 1 with its XDP_PASS" test "$(run "$P")" = 2
check "mask: slot 2 saw nothing" json '.interfaces[0].slots[2].packets | [.[]] | add == 0'
check "invalid: a module returning 99 in slot 1" \
	X attach r0 "$FW/sampler.o" "$TBPF/verdict_bogus.o" "$FW/lb.o" --backend chain
check "invalid: the rootlet returns XDP_ABORTED" test "$(run "$P")" = 0
check "invalid: status counts it" json '.interfaces[0].slots | .[1].packets.invalid == 1 and
	([.[2].packets[]] | add) == 0'

# ---- detach ----
progs=$(jget '[.interfaces[0].prog_id, .interfaces[0].slots[].prog_id] | map(tostring) | join(" ")')
maps=$(jget '[.interfaces[0].maps[].id] | map(tostring) | join(" ")')
check "detach" X detach r0
check "detach: NIC and state cleaned" sh -c "! ip -n $RCV link show r0 | grep -q prog/xdp && [ ! -e $SD/r0 ]"
check "detach: the rootlet and slot programs are gone ($progs)" wait_for gone prog $progs
check "detach: every map of the pipeline is gone" wait_for gone map $maps
