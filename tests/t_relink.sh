#!/bin/sh
# Runtime re-link of one module with the chain and tailcall backends, on
# real packets: a veth pair between two network namespaces, sampler ->
# fw_acme -> lb on the receiver.  While two senders flood the link (one
# class that fw_acme drops by a rule added at runtime, one it passes and lb
# bounces back), fw_acme's slot is re-linked 200 times between two builds:
# not one dropped packet gets through, every passing one comes back, the
# rootlet and the other slots keep their program ids, the rule map keeps
# its content, and nothing leaks; then kill -9 in the middle of re-links
# (chain: then detached, nothing left).  Then, with tailcall, the refusals
# (incompatible map, a module the verifier rejects, freplace on this
# kernel), crafted interrupted re-links, restore, the static backend, detach.
. tests/lib.sh

export XDPLD_CHECK_FD_LEAKS=1	# every xdpld run fails (exit 70) on a leaked fd
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
SND=xdpld-rsnd-$$
RCV=xdpld-rrcv-$$
SD=/sys/fs/bpf/xdpld-t-relink-$$
CORPUS=$TMP/corpus
netns_cleanup_trap "$SND" "$RCV" "$SD"

if ! "$XDPLD" probe | grep -q '^tailcall *yes'; then
	skip "relink: this kernel's JIT does not allow tail calls from subprograms"
	exit 0
fi

setup() { veth_netns_pair "$SND" "$RCV"; }
if ! setup; then
	not_ok "relink: set up namespaces and veth"
	exit 0
fi
ok "relink: set up namespaces and veth"

json() { X status r0 --json >"$TMP/status.json" && jq -e "$@" "$TMP/status.json"; }
jget() { X status r0 --json 2>/dev/null | jq -r "$1"; }

V1=$FW/fw_acme.o
V2=$TBPF/relink_fw_v2.o
P=$CORPUS/lb_vip_tcp_80_b.pkt	# passes fw_acme, bounced by lb
D=$CORPUS/lb_vip_tcp_80.pkt	# dropped by the rule below; a leak would bounce
ACME_KEY="128 0 0 0  0 0 0 0 0 0 0 0 0 0 255 255 203 0 113 9"	# 203.0.113.9/128

check_fails "backend: freplace is refused on this kernel, naming why" \
	"backend freplace is not available.*extension programs" \
	X attach r0 "$FW/sampler.o" "$V1" "$FW/lb.o" --backend freplace
check "backend: the failed attach changed nothing" sh -c \
	"! ip -n $RCV link show r0 | grep -q prog/xdp && [ ! -e $SD/r0 ]"

# The flood part runs once per slot-swapping backend this kernel has: chain
# (then detached again), and tailcall, which the rest of the file goes on with.
BACKENDS=tailcall
if "$XDPLD" probe | grep -q '^chain *yes'; then BACKENDS="chain tailcall"; else
	skip "relink: chain: the kernel refuses chained slot programs"; fi
# came_back N RX0: s0 got N packets back since it had RX0 (waiting a
# while); if not, says how many and what the veths and slots counted, so a
# lost packet (a veth ring full on a loaded machine) can be told from a
# leaked one (more than N).
came_back() {
	wait_for sh -c "[ \$(( \$(ip -n $SND -s -j link show s0 | jq '.[0].stats64.rx.packets') - $2 )) -eq $1 ]" &&
		return 0
	echo "came back: $(( $(s0_rx) - $2 )) of $1"
	for _l in "$SND s0" "$RCV r0"; do
		set -- $_l
		echo "$2: $(ip -n "$1" -s -j link show "$2" | jq -c '.[0].stats64 | {rx, tx}')"
	done
	X status --json r0 | jq -c '.interfaces[0].slots[]'
	return 1
}

for BE in $BACKENDS; do
# ---- attach with $BE ----
check "attach: sampler, fw_acme, lb ($BE)" X attach r0 "$FW/sampler.o" "$V1" "$FW/lb.o" \
	--backend $BE
check "status: $BE backend, a program id per slot" json '.interfaces[0] |
	.matches and .backend == "'$BE'" and .relink == "slot swap" and
	([.slots[].prog_id | type] == ["number","number","number"]) and
	([.slots[].relinks] == [0,0,0]) and (.slots[1].relinked == null)'
check "maps ($BE): a rule for 203.0.113.9 added with bpftool" \
	bpftool map update pinned "$SD/r0/fw_acme-rules" key $ACME_KEY value 1 0 0 0
rootlet0=$(jget '.interfaces[0].prog_id')
slot0=$(jget '.interfaces[0].slots[0].prog_id')
slot2=$(jget '.interfaces[0].slots[2].prog_id')
rules0=$(bpftool -j map show pinned "$SD/r0/fw_acme-rules" | jq .id)
rx0=$(s0_rx)
in_snd "$TOOLS/pktsend" s0 --count 50 "$P" "$D" >/dev/null
check "traffic ($BE): the passing class comes back, the ruled class is dropped" wait_for \
	sh -c "[ \$(( \$(ip -n $SND -s -j link show s0 | jq '.[0].stats64.rx.packets') - $rx0 )) -eq 50 ]"

# ---- 200 re-links during a flood ----
pins0=$(ls "$SD/r0" | tr '\n' ' ')
rx0=$(s0_rx)
# Each re-link's program id (from its message) and that program's maps:
# every program a re-link replaced must be freed, with the maps only it used.
jget '.interfaces[0].slots[1].prog_id' >"$TMP/ids"
bpftool -j prog show id "$(cat "$TMP/ids")" | jq -r '.map_ids[]' >"$TMP/map_ids"
flood_start "$P" "$D" 2000
relinks_ok=0
for i in $(seq 1 200); do
	if [ $((i % 2)) -eq 1 ]; then V=$V2; else V=$V1; fi
	X relink r0 fw_acme "$V" >"$TMP/relink" 2>&1 && relinks_ok=$((relinks_ok + 1))
	_id=$(sed -n 's/.* re-linked: .*, program id \([0-9]*\),.*/\1/p' "$TMP/relink")
	echo "$_id" >>"$TMP/ids"
	bpftool -j prog show id "$_id" 2>/dev/null | jq -r '.map_ids[]' >>"$TMP/map_ids"
done
flood_stop
N=$(cat "$TMP/p.sent")
ND=$(cat "$TMP/d.sent")
check "flood ($BE): 200 re-links of fw_acme succeeded ($relinks_ok)" test "$relinks_ok" -eq 200
check "flood ($BE): senders finished" test "$flood_rc" = "00"
check "flood ($BE): every passing packet came back, no dropped one leaked ($N passing, $ND dropped)" \
	came_back "$N" "$rx0"
check "flood ($BE): the rootlet kept its program id" test "$(jget '.interfaces[0].prog_id')" = "$rootlet0"
check "flood ($BE): the other slots kept their program ids" test \
	"$(jget '.interfaces[0].slots[0].prog_id') $(jget '.interfaces[0].slots[2].prog_id')" = "$slot0 $slot2"
check "flood ($BE): the kernel runs the rootlet still" json '.interfaces[0].matches'
check "status ($BE): fw_acme re-linked 200 times, last from the v1 file" json '.interfaces[0].slots[1] |
	.relinks == 200 and .module == "fw_acme" and (.path | endswith("/fw_acme.o")) and
	(.relinked | test("^[0-9-]+T[0-9:]+Z$"))'
check "maps ($BE): fw_acme-rules is the same map, with the rule" sh -c \
	"[ \$(bpftool -j map show pinned $SD/r0/fw_acme-rules | jq .id) = $rules0 ] &&
	 bpftool -j map lookup pinned $SD/r0/fw_acme-rules key $ACME_KEY | jq -e '.value != null'"
# (The kernel frees a replaced program after an RCU grace period.)  Ids,
# not counts of all objects: other tests may load programs meanwhile.
# gone prog|map ID...: no program (map) has any of these ids any more.
gone() {
	_k=$1; shift
	for _id; do bpftool "$_k" show id "$_id" >/dev/null 2>&1 && return 1; done
	return 0
}
cur=$(jget '.interfaces[0].slots[1].prog_id')
maps_now=" $(bpftool -j prog show id "$cur" | jq -r '.map_ids | map(tostring) | join(" ")') "
replaced=$(grep -vx "$cur" "$TMP/ids" | tr '\n' ' ')
check "leaks ($BE): 201 slot programs seen, the current one is the last" \
	test "$(wc -l <"$TMP/ids") $(tail -n 1 "$TMP/ids")" = "201 $cur"
check "leaks ($BE): the 200 replaced slot programs are freed" wait_for gone prog $replaced
old_maps=$(sort -un "$TMP/map_ids" | while read -r _m; do
	case $maps_now in *" $_m "*) ;; *) echo "$_m" ;; esac; done | tr '\n' ' ')
check "leaks ($BE): the maps only replaced programs used are freed ($(echo $old_maps | wc -w) maps)" \
	wait_for gone map $old_maps
check "leaks ($BE): the state directory holds the same pins" test "$(ls "$SD/r0" | tr '\n' ' ')" = "$pins0"

# ---- kill -9 in the middle of re-links ----
# strace kills xdpld at its N-th bpf(2) call or N-th rename (pins and the
# record), through every phase of a re-link.  Whatever moment it hits, the
# slot runs the old or the new build, status names the one the kernel runs
# (checked by the build number in the running program's .rodata), and the
# next re-link settles the record and works.
build_of() {	# PATH -> the acme_build that file was built with
	case $1 in */relink_fw_v2.o) echo 2 ;; *) echo 1 ;; esac
}
running_build() {	# acme_build of the program the kernel runs in slot 1
	_id=$(X status r0 --json 2>/dev/null | jq '.interfaces[0].slots[1].prog_id')
	for _m in $(bpftool -j prog show id "$_id" | jq '.map_ids[]'); do
		bpftool -j map show id "$_m" | jq -e '.name | endswith(".rodata")' >/dev/null &&
			bpftool -j map dump id "$_m" | jq '[.. | .acme_build? // empty][0]'
	done
}
# Pins of the module's maps are the maps the running program uses (.data is
# new on every re-link: its pin must follow).
pins_follow() {
	_id=$(X status r0 --json 2>/dev/null | jq '.interfaces[0].slots[1].prog_id')
	_maps=" $(bpftool -j prog show id "$_id" | jq -r '.map_ids | map(tostring) | join(" ")') "
	for _p in fw_acme-rules fw_acme-_data; do
		case $_maps in *" $(bpftool -j map show pinned "$SD/r0/$_p" | jq .id) "*) ;; *) return 1 ;; esac
	done
}
# The program id status gives for slot 1 is the one in the kernel's prog
# array (bpftool reads it; on this 64-bit kernel its lookup is right).
kernel_slot1() {
	printf '%d\n' "0x$(bpftool -j map lookup pinned "$SD/r0/xdpld_slots" key 1 0 0 0 |
		jq -r '.value | reverse | map(ltrimstr("0x")) | join("")')"
}
consistent() {
	X status r0 --json >"$TMP/k.json" 2>"$TMP/k.err" &&
	jq -e '.interfaces[0].matches' "$TMP/k.json" >/dev/null &&
	[ "$(jq '.interfaces[0].slots[1].prog_id' "$TMP/k.json")" = "$(kernel_slot1)" ] &&
	[ "$(running_build)" = "$(build_of "$(jq -r '.interfaces[0].slots[1].path' "$TMP/k.json")")" ]
}
# Twice: xdpld reading the slot from the prog array, then as on 32-bit
# kernels, where a prog array lookup cannot be trusted and xdpld goes by
# which programs are alive (XDPLD_PROBE_MISSING=prog_array_lookup).
for LOOKUP in "prog array" liveness; do
[ "$LOOKUP" = liveness ] && export XDPLD_PROBE_MISSING=prog_array_lookup
case $LOOKUP in liveness) has=lacks ;; *) has=has ;; esac
check_out "kill -9 ($BE, by $LOOKUP): status $has a trustworthy prog array lookup" \
	"kernel $has feature 'prog_array_lookup'" X -v status r0
killed_ok=0 killed=0
for at in bpf:5 bpf:20 bpf:40 bpf:60 bpf:80 bpf:95 bpf:105 bpf:110 rename:1 rename:2 rename:3 \
	rename:4 rename:5 rename:6; do
	call=${at%:*} n=${at#*:}
	cur=$(jq -r '.interfaces[0].slots[1].path' "$TMP/k.json" 2>/dev/null)
	case $cur in */relink_fw_v2.o) V=$V1 ;; *) V=$V2 ;; esac
	nsenter --net=/run/netns/"$RCV" strace -f -o /dev/null -e trace=$call \
		-e inject=$call:signal=SIGKILL:when=$n "$XDPLD" relink r0 fw_acme "$V" \
		--state-dir "$SD" >/dev/null 2>&1 && continue	# finished before the N-th call
	killed=$((killed + 1))
	# the next re-link (same file: nothing to swap) settles record and pins
	if consistent && X relink r0 fw_acme "$V" >"$TMP/k.out" 2>&1 && consistent && pins_follow &&
		! record_text "$SD/r0/record" | grep -q '^pending'; then
		killed_ok=$((killed_ok + 1))
	else
		echo "    killed at $at:"; cat "$TMP/k.err" "$TMP/k.out" 2>/dev/null | sed 's/^/    /' | tail -n 15
	fi
done
check "kill -9 ($BE, by $LOOKUP): re-links killed at $killed points, each left a consistent slot ($killed_ok)" \
	test "$killed" -ge 10 -a "$killed_ok" -eq "$killed"
unset XDPLD_PROBE_MISSING
done
rx0=$(s0_rx)
in_snd "$TOOLS/pktsend" s0 --count 30 "$P" "$D" >/dev/null
check "kill -9 ($BE): traffic as before" wait_for \
	sh -c "[ \$(( \$(ip -n $SND -s -j link show s0 | jq '.[0].stats64.rx.packets') - $rx0 )) -eq 30 ]"

[ "$BE" = tailcall ] && break
progs=$(jget '[.interfaces[0].prog_id, .interfaces[0].slots[].prog_id] | map(tostring) | join(" ")')
maps=$(jget '[.interfaces[0].maps[].id] | map(tostring) | join(" ")')
check "detach ($BE)" X detach r0
check "leaks ($BE): after detach the rootlet and slot programs are gone" wait_for gone prog $progs
check "leaks ($BE): after detach every map of the pipeline is gone" wait_for gone map $maps
done

# ---- refusals change nothing ----
slot1=$(jget '.interfaces[0].slots[1].prog_id')
relinks1=$(jget '.interfaces[0].slots[1].relinks')
check_fails "refuse: an incompatible rules map, naming module, map and field" \
	"module fw_acme map rules: .*max_entries: kept 1024, now 2048; nothing changed" \
	X relink r0 fw_acme "$TBPF/relink_fw_big.o"
check_fails "refuse: a module the verifier rejects, with the verifier's reason" \
	"invalid access to packet.*|slot 1: loading module fw_acme \(.*relink_fw_bad.o\), program .* failed" \
	X relink r0 1 "$TBPF/relink_fw_bad.o"
X relink r0 1 "$TBPF/relink_fw_bad.o" >"$TMP/bad" 2>&1
check "refuse: the verifier's reason is shown" grep -q "invalid access to packet" "$TMP/bad"
check_fails "refuse: no such slot" "no slot 'nosuch'" X relink r0 nosuch "$V2"
check_fails "refuse: no pipeline on lo" "no pipeline recorded" X relink lo 0 "$V2"
check "refuse: slot 1 still runs the same program, as many re-links ($relinks1)" json ".interfaces[0] |
	.slots[1].prog_id == $slot1 and .slots[1].relinks == $relinks1 and .prog_id == $rootlet0"
rx0=$(s0_rx)
in_snd "$TOOLS/pktsend" s0 --count 40 "$P" "$D" >/dev/null
check "refuse: traffic unchanged (ruled class dropped, passing class back)" wait_for \
	sh -c "[ \$(( \$(ip -n $SND -s -j link show s0 | jq '.[0].stats64.rx.packets') - $rx0 )) -eq 40 ]"
check "reset: --reset-state takes the incompatible build with empty maps" \
	X relink r0 fw_acme "$TBPF/relink_fw_big.o" --reset-state
check "reset: fw_acme-rules is a new, empty map of 2048 entries" sh -c \
	"bpftool -j map show pinned $SD/r0/fw_acme-rules | jq -e '.id != $rules0 and .max_entries == 2048' &&
	 ! bpftool -j map lookup pinned $SD/r0/fw_acme-rules key $ACME_KEY 2>/dev/null | jq -e '.value != null'"
check "reset: back to build 1 (its 1024-entry map does not fit: reset again)" \
	X relink r0 fw_acme "$V1" --reset-state
check "maps: the rule again" \
	bpftool map update pinned "$SD/r0/fw_acme-rules" key $ACME_KEY value 1 0 0 0


# A crash between writing the record's pending entry and the swap (or
# between the swap and the final record) is settled by the next reader:
# the kernel's slot says which module runs.
pend() {	# pend PROG_ID: slot 1 copied as the pending re-link to build 2
	craft_record "$SD/r0/record" "\$a pending.slot=1
/^pending\./d
/^slot\.1\./{p;s/^slot\.1\./pending./}
s/^pending\.prog_id=.*/pending.prog_id=$1/
s|^pending\.path=.*|pending.path=$(realpath "$V2")|"
}
check "crash: slot 1 back to build 1" X relink r0 fw_acme "$V1"
kid=$(jget '.interfaces[0].slots[1].prog_id')
check "crash: a pending re-link that never swapped (record crafted)" pend 4000000000
check_out "crash: status says the previous module runs" \
	"re-link of slot 1 \(fw_acme\) is in progress or was interrupted; the slot runs the previous module" X status r0
check "crash: ... and shows it" json ".interfaces[0].slots[1] | .prog_id == $kid and (.path | endswith(\"/fw_acme.o\"))"
check "crash: a pending re-link that did swap (record crafted)" pend "$kid"
record_text "$SD/r0/record" >"$TMP/rec0.txt"
check "crash: the crafted record holds the pending entry" grep -q "^pending.prog_id=$kid" "$TMP/rec0.txt"
check "crash: status shows the pending module as the one running" \
	json '.interfaces[0].slots[1].path | endswith("/relink_fw_v2.o")'
check "crash: the next relink settles the record" X relink r0 fw_acme "$V1"
record_text "$SD/r0/record" >"$TMP/rec.txt"
check "crash: the record has no pending entry left (and is readable)" sh -c \
	"grep -q '^slot.1.module=fw_acme' $TMP/rec.txt && ! grep -q '^pending' $TMP/rec.txt"
# As on a 32-bit kernel (no prog array lookup): the slot runs the pending
# module when it is alive and the recorded one is gone, else the recorded one.
kid=$(jget '.interfaces[0].slots[1].prog_id')
export XDPLD_PROBE_MISSING=prog_array_lookup
check "crash, by liveness: a pending re-link that never swapped (record crafted)" pend 4000000000
check_out "crash, by liveness: status says the previous module runs" \
	"slot 1 \(fw_acme\) is in progress or was interrupted; the slot runs the previous module" X status r0
check "crash, by liveness: ... and shows it" \
	json ".interfaces[0].slots[1] | .prog_id == $kid and (.path | endswith(\"/fw_acme.o\"))"
check "crash, by liveness: a pending re-link that did swap (record crafted)" pend "$kid"
check "crash, by liveness: ... and the recorded program is gone" \
	craft_record "$SD/r0/record" 's/^slot\.1\.prog_id=.*/slot.1.prog_id=4000000001/'
check "crash, by liveness: status shows the pending module as the one running" \
	json ".interfaces[0].slots[1] | .prog_id == $kid and (.path | endswith(\"/relink_fw_v2.o\"))"
check "crash, by liveness: the next relink settles the record" X relink r0 fw_acme "$V1"
settled() {
	! record_text "$SD/r0/record" | grep -q '^pending' &&
	[ "$(kernel_slot1)" = "$(jget '.interfaces[0].slots[1].prog_id')" ] &&
	json '.interfaces[0].slots[1].path | endswith("/fw_acme.o")'
}
check "crash, by liveness: no pending entry left, status shows the kernel's slot 1 (build 1)" settled
unset XDPLD_PROBE_MISSING

# ---- restore brings back the modules as last re-linked ----
check "restore: relink to build 2 first" X relink r0 fw_acme "$V2"
ip -n "$RCV" link set dev r0 xdp off
check_out "restore: re-attaches" "restored in native mode, tailcall backend" X restore r0
check "restore: fw_acme from the build 2 file, rule map kept" sh -c \
	"X() { nsenter --net=/run/netns/$RCV $XDPLD \"\$@\" --state-dir $SD; };
	 X status r0 --json | jq -e '.interfaces[0] | .matches and
	   (.slots[1].path | endswith(\"/relink_fw_v2.o\")) and .slots[1].module == \"fw_acme\"' &&
	 bpftool -j map lookup pinned $SD/r0/fw_acme-rules key $ACME_KEY | jq -e '.value != null'"

# ---- an attach that changes one slot's module swaps that slot only ----
rootlet1=$(jget '.interfaces[0].prog_id')
check "attach: same pipeline with build 1 in slot 1 swaps the slot" \
	X attach r0 "$FW/sampler.o" "$V1" "$FW/lb.o" --backend tailcall
check "attach: same rootlet, fw_acme from the v1 file" json ".interfaces[0] |
	.prog_id == $rootlet1 and (.slots[1].path | endswith(\"/fw_acme.o\"))"
check_out "attach: the same pipeline again changes nothing" "nothing to change" \
	X attach r0 "$FW/sampler.o" "$V1" "$FW/lb.o" --backend tailcall

# ---- static backend: a re-link reloads the rootlet, maps kept ----
check "static: attach the same modules with the static backend" \
	X attach r0 "$FW/sampler.o" "$V1" "$FW/lb.o" --backend static
rootlet2=$(jget '.interfaces[0].prog_id')
rules2=$(bpftool -j map show pinned "$SD/r0/fw_acme-rules" | jq .id)
check_out "static: relink says the rootlet is new" "re-linked \(new rootlet\)" X relink r0 1 "$V2"
check "static: new rootlet id, status says a re-link reloads it, rule map kept" json ".interfaces[0] |
	.prog_id != $rootlet2 and .backend == \"static\" and .relink == \"new rootlet\" and
	.slots[1].relinks >= 1 and (.slots[1].path | endswith(\"/relink_fw_v2.o\")) and
	(.maps[] | select(.pin | endswith(\"/fw_acme-rules\")) | .id) == $rules2"
check_fails "static: an incompatible map is refused as well" "max_entries: kept 1024, now 2048" \
	X relink r0 1 "$TBPF/relink_fw_big.o"

# ---- kill -9 in the middle of static re-links ----
# A static re-link attaches a new rootlet: staged pins and record before
# the swap (pipeline_stage.c), promoted after it.  strace kills xdpld at
# its N-th bpf(2) call, rename (pins, record) or netlink message (the swap
# and its answer).  Whatever moment it hits, status names what the kernel
# runs (its prog id; fw_acme's build from the running rootlet's .rodata),
# and the next re-link settles what the crash left and works.
static_build() {	# acme_build in the .rodata of the rootlet the kernel runs
	_id=$(ip -n "$RCV" -d link show r0 | sed -n 's/.*prog\/xdp id \([0-9]*\).*/\1/p')
	for _m in $(bpftool -j prog show id "$_id" | jq '.map_ids[]'); do
		bpftool -j map show id "$_m" | jq -e '.name | endswith(".rodata")' >/dev/null &&
			bpftool -j map dump id "$_m" | jq '[.. | .acme_build? // empty][0]'
	done
}
static_consistent() {
	X status r0 --json >"$TMP/k.json" 2>"$TMP/k.err" &&
	jq -e '.interfaces[0].matches' "$TMP/k.json" >/dev/null &&
	[ "$(jq '.interfaces[0].prog_id' "$TMP/k.json")" = \
	  "$(ip -n "$RCV" -d link show r0 | sed -n 's/.*prog\/xdp id \([0-9]*\).*/\1/p')" ] &&
	[ "$(static_build)" = "$(build_of "$(jq -r '.interfaces[0].slots[1].path' "$TMP/k.json")")" ]
}
# nothing staged or half-pinned left, no pending entry, pins are the
# maps the running rootlet uses
static_clean() {
	! ls "$SD/r0" | grep -qE -- '-staged$|^\+' &&
	! record_text "$SD/r0/record" | grep -q '^pending' &&
	_maps=" $(bpftool -j prog show id "$(jq '.interfaces[0].prog_id' "$TMP/k.json")" |
		jq -r '.map_ids | map(tostring) | join(" ")') " &&
	for _p in fw_acme-rules _rodata; do
		case $_maps in *" $(bpftool -j map show pinned "$SD/r0/$_p" | jq .id) "*) ;; *) return 1 ;; esac
	done
}
static_consistent >/dev/null 2>&1 || echo "    static: not consistent before the kills"
killed=0 killed_ok=0 forward=0
for at in bpf:5 bpf:40 bpf:80 bpf:120 bpf:160 rename:1 rename:3 rename:6 rename:9 rename:12 \
	rename:13 rename:14 rename:15 rename:17 rename:20 rename:23 rename:25 rename:26 rename:27 \
	sendmsg:1 sendmsg:2 sendmsg:3 recvmsg:1 recvmsg:2 recvmsg:3 recvmsg:4; do
	call=${at%:*} n=${at#*:}
	cur=$(jq -r '.interfaces[0].slots[1].path' "$TMP/k.json" 2>/dev/null)
	case $cur in */relink_fw_v2.o) V=$V1 ;; *) V=$V2 ;; esac
	before=$(jq '.interfaces[0].prog_id' "$TMP/k.json" 2>/dev/null)
	nsenter --net=/run/netns/"$RCV" strace -f -o /dev/null -e trace=$call \
		-e inject=$call:signal=SIGKILL:when=$n "$XDPLD" relink r0 fw_acme "$V" \
		--state-dir "$SD" >/dev/null 2>&1 && { static_consistent; continue; }
	killed=$((killed + 1))
	if static_consistent; then
		[ "$(jq '.interfaces[0].prog_id' "$TMP/k.json")" != "$before" ] && forward=$((forward + 1))
		if X relink r0 fw_acme "$V" >"$TMP/k.out" 2>&1 && static_consistent && static_clean; then
			killed_ok=$((killed_ok + 1))
			continue
		fi
	fi
	echo "    killed at $at:"; cat "$TMP/k.err" "$TMP/k.out" 2>/dev/null | sed 's/^/    /' | tail -n 15
	ls "$SD/r0" | tr '\n' ' ' | sed 's/^/    /'; echo
done
check "kill -9 (static): re-links killed at $killed points ($forward after the swap), each settled by the next re-link ($killed_ok)" \
	test "$killed" -ge 20 -a "$killed_ok" -eq "$killed" -a "$forward" -ge 3
rx0=$(s0_rx)
in_snd "$TOOLS/pktsend" s0 --count 30 "$P" "$D" >/dev/null
check "kill -9 (static): traffic as before (ruled class dropped, passing class back)" came_back 30 "$rx0"
check "kill -9 (static): the rule map is the one from before the kills" sh -c \
	"[ \"\$(bpftool -j map show pinned $SD/r0/fw_acme-rules | jq .id)\" = $rules2 ]"

# ---- detach ----
check "detach" X detach r0
check "detach: NIC and state cleaned" sh -c "! ip -n $RCV link show r0 | grep -q prog/xdp && [ ! -e $SD/r0 ]"
