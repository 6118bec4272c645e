#!/bin/sh
# check -> apply --dry-run -> apply -> status, as a router engineer runs
# them, on a veth pair between two network namespaces:
# - every refusal apply can give (a map that does not fit, a verifier
#   rejection, a missing object, a mode change, a device twice) is given by
#   apply --dry-run too, with the same exit status and reason, and neither
#   changes anything (program ids, map ids, pins); a good change passes both;
# - --reset-state: the dry run names the maps that start empty, apply says
#   so once per map;
# - check warns about a manifest device that does not exist (FILE:LINE),
#   check --strict fails on it;
# - a mode change is refused saying what to do (detach, then apply);
# - status names no dead program: static slots have none (also after a
#   switch from chain or tailcall), a slot program that is gone is said so;
# - re-link counts follow the module, not the slot.
. tests/lib.sh

export XDPLD_CHECK_FD_LEAKS=1
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
SND=xdpld-dsnd-$$
RCV=xdpld-drcv-$$
SD=/sys/fs/bpf/xdpld-t-dryrun-$$
CORPUS=$TMP/corpus
M=$TMP/xdpld	# the manifest
netns_cleanup_trap "$SND" "$RCV" "$SD"

if ! veth_netns_pair "$SND" "$RCV"; then
	not_ok "dryrun: set up namespaces and veths"
	exit 0
fi
ok "dryrun: set up namespaces and veths"

BACKEND=tailcall
"$XDPLD" probe | grep -q '^tailcall *yes' || BACKEND=static
FWDIR=$(realpath "$FW")
V2=$(realpath "$TBPF/relink_fw_v2.o")
BIG=$(realpath "$TBPF/relink_fw_big.o")	# its rules map is twice as large
BAD=$(realpath "$TBPF/relink_fw_bad.o")	# the verifier rejects it

# manifest FW_OBJECT [BACKEND] [EXTRA PIPELINE LINES]: sampler, fw, lb on r0.
manifest() {
	cat >"$M" <<EOF
config module 'sampler'
	option object '$FWDIR/sampler.o'

config module 'fw'
	option object '$1'
	option program 'xdp_firewall'

config module 'lb'
	option object '$FWDIR/lb.o'

config pipeline 'wan'
	option device 'r0'
	option backend '${2:-$BACKEND}'
	list module 'sampler'
	list module 'fw'
	list module 'lb'
${3:-}
EOF
}
XS() { nsenter --net=/run/netns/"$RCV" "$XDPLD" "$@" --state-dir "$SD"; }
# What runs on r0: the kernel's program, the record's program and slot
# ids, the map ids, and the pins.
snap() {
	XS status r0 --json | jq -c '.interfaces[0] | [.kernel.prog_id, .prog_id,
		[.slots[].prog_id], [.maps[].id]]'
	ls "$SD/r0" | tr '\n' ' '
}

manifest "$FWDIR/fw_acme.o"
check "apply: the first pipeline" X apply -c "$M"
check "apply: a rule in fw-rules" bpftool map update pinned "$SD/r0/fw-rules" \
	key 128 0 0 0  0 0 0 0 0 0 0 0 0 0 255 255 203 0 113 9 value 1 0 0 0
snap0=$(snap)

# refused NAME PATTERN [APPLY OPTIONS]: with $M, apply --dry-run and apply
# both fail with the same status, both print PATTERN, nothing changed.
refused() {
	_n=$1 _p=$2; shift 2
	X apply -c "$M" --dry-run "$@" >"$TMP/dry" 2>&1; _rd=$?
	X apply -c "$M" "$@" >"$TMP/real" 2>&1; _rr=$?
	echo "dry run ($_rd):"; cat "$TMP/dry"; echo "apply ($_rr):"; cat "$TMP/real"
	echo "before: $snap0"; echo "after:  $(snap)"
	[ "$_rd" -ne 0 ] && [ "$_rd" = "$_rr" ] && grep -qE -- "$_p" "$TMP/dry" &&
		grep -qE -- "$_p" "$TMP/real" && ! grep -qE 'Sanitizer|runtime error' "$TMP/dry" &&
		[ "$(snap)" = "$snap0" ]
}

# ---- every refusal of apply is the dry run's too ----
manifest "$BIG"
check "refusal: a map that does not fit: dry run and apply fail alike, nothing changed" \
	refused "map" "module fw map rules: the new version does not fit the running map"
manifest "$BAD"
check "refusal: a verifier rejection: dry run and apply fail alike, nothing changed" \
	refused "verifier" "invalid access to packet"
manifest "/nonexistent/fw.o"
check "refusal: a missing object: dry run and apply fail alike, nothing changed" \
	refused "missing" "$M:5: module 'fw': object /nonexistent/fw.o: No such file"
manifest "$FWDIR/fw_acme.o" "" "	option mode 'skb'"
check "refusal: a mode change: dry run and apply fail alike, nothing changed" \
	refused "mode" "r0: .*runs in native mode.*xdpld detach r0"
manifest "$FWDIR/fw_acme.o"
printf "\nconfig pipeline 'lan'\n\toption device 'r0'\n\tlist module 'lb'\n" >>"$M"
check "refusal: a device twice: dry run and apply fail alike, nothing changed" \
	refused "twice" "$M:[0-9]+: pipeline 'lan': device r0 is given twice"
manifest "$FWDIR/fw_acme.o"
check_out "refusal: the same manifest is still unchanged" "r0: unchanged" X apply -c "$M" --dry-run

# ---- a good change passes both ----
manifest "$V2"
check_out "good: dry run says relink slot 1 (fw)" "r0: relink slot 1 \(fw\)" X apply -c "$M" --dry-run
check "good: the dry run changed nothing" test "$(snap)" = "$snap0"
check "good: apply" X apply -c "$M"
check "good: fw-rules kept with its rule" sh -c \
	"bpftool -j map lookup pinned $SD/r0/fw-rules key 128 0 0 0  0 0 0 0 0 0 0 0 0 0 255 255 203 0 113 9 |
	 jq -e '.value != null'"

# ---- --reset-state: the dry run says which maps start empty, apply once ----
manifest "$BIG"
snap1=$(snap)
check_out "reset: the dry run names the maps that start empty" \
	"r0: module fw: map rules starts empty \(--reset-state\)" \
	X apply -c "$M" --dry-run --reset-state
sed -n 's/^r0: module fw: map \(.*\) starts empty.*/\1/p' "$TMP/co" >"$TMP/dry.maps"
check "reset: the dry run changed nothing" test "$(snap)" = "$snap1"
check_out "reset: apply takes the larger map" "starting empty" X apply -c "$M" --reset-state
check "reset: each 'starting empty' line once" sh -c \
	"cat $TMP/co; [ \$(grep -c 'starting empty' $TMP/co) -ge 1 ] &&
	 [ -z \"\$(grep 'starting empty' $TMP/co | sort | uniq -d)\" ]"
sed -n 's/.*r0: module fw map \(.*\): starting empty.*/\1/p' "$TMP/co" >"$TMP/real.maps"
check "reset: apply emptied exactly the maps the dry run named ($(tr '\n' ' ' <"$TMP/dry.maps"))" \
	sh -c "sort $TMP/dry.maps; echo ---; sort $TMP/real.maps; [ -s $TMP/dry.maps ] &&
	       [ \"\$(sort $TMP/dry.maps)\" = \"\$(sort $TMP/real.maps)\" ]"

# ---- check: a device that does not exist now ----
manifest "$FWDIR/fw_acme.o"
sed -i "s|option device 'r0'|option device 'r0x'|" "$M"
check_out "check: a missing device warns with FILE:LINE" \
	"$M:12: pipeline 'wan': device r0x does not exist now" X check -c "$M"
check_fails "check --strict: a missing device fails" \
	"$M:12: pipeline 'wan': device r0x does not exist now" X check -c "$M" --strict
manifest "$BIG"	# what r0 runs now
check_out "check --strict: all devices there: checks out" "check out" X check -c "$M" --strict

# ---- a mode change: detach, then apply (the kernel cannot switch atomically) ----
manifest "$FWDIR/fw_acme.o" "" "	option mode 'skb'"
check "mode: detach r0 as the message says" X detach r0
check "mode: apply attaches in skb mode" X apply -c "$M"
check "mode: r0 runs it in skb mode" sh -c \
	"X() { nsenter --net=/run/netns/$RCV $XDPLD \"\$@\" --state-dir $SD; };
	X status r0 --json | jq -e '.interfaces[0] | .matches and .kernel.mode == \"skb\"'"
check "mode: detach" X detach r0

# ---- status names no dead program ----
if "$XDPLD" probe | grep -q '^chain *yes'; then FROM=chain; else FROM=$BACKEND; fi
if [ "$FROM" = static ]; then
	skip "status: from a slot-program backend to static (this kernel runs neither tailcall nor chain)"
else
	manifest "$FWDIR/fw_acme.o" "$FROM"
	check "status: apply with $FROM" X apply -c "$M"
	check "status: $FROM slots have program ids" sh -c \
		"X() { nsenter --net=/run/netns/$RCV $XDPLD \"\$@\" --state-dir $SD; };
		X status r0 --json | jq -e '[.interfaces[0].slots[].prog_id | numbers] | length == 3'"
	manifest "$FWDIR/fw_acme.o" static
	check "status: switch to static" X apply -c "$M"
	check "status: static slots have no program id (json null)" sh -c \
		"X() { nsenter --net=/run/netns/$RCV $XDPLD \"\$@\" --state-dir $SD; };
		X status r0 --json | jq -e '[.interfaces[0].slots[].prog_id] == [null,null,null]'"
	check "status: text names no slot program id" sh -c \
		"X() { nsenter --net=/run/netns/$RCV $XDPLD \"\$@\" --state-dir $SD; };
		X status r0 >$TMP/st; cat $TMP/st; grep -q 'slot 0' $TMP/st && ! grep -q '  slot.*program id' $TMP/st"
	check "status: no slot has a program id or BTF" sh -c \
		"X() { nsenter --net=/run/netns/$RCV $XDPLD \"\$@\" --state-dir $SD; };
		X status r0 --json | jq -e '.interfaces[0].slots | all(.prog_id == null and .btf == null)'"
	check "status: detach" X detach r0
fi
if [ "$BACKEND" = tailcall ]; then
	manifest "$FWDIR/fw_acme.o" tailcall
	check "gone: apply with tailcall" X apply -c "$M"
	gone=$(XS status r0 --json | jq '.interfaces[0].slots[1].prog_id')
	# Emptied by hand, the slot's program is freed: the record's id is dead.
	bpftool map delete pinned "$SD/r0/xdpld_slots" key 1 0 0 0
	check "gone: program $gone is freed" wait_for sh -c "! bpftool prog show id $gone"
	check_out "gone: status says slot 1 runs nothing and its recorded program is gone" \
		"slot 1: fw .*runs no program \(recorded id $gone no longer exists\)" XS status r0
	check "gone: json: prog_id null, gone_prog_id $gone" sh -c \
		"X() { nsenter --net=/run/netns/$RCV $XDPLD \"\$@\" --state-dir $SD; };
		X status r0 --json | jq -e '.interfaces[0].slots[1] | .prog_id == null and .gone_prog_id == $gone'"
	check "gone: detach" X detach r0
fi

# ---- re-link counts follow the module ----
manifest "$FWDIR/fw_acme.o"
check "counts: apply" X apply -c "$M"
manifest "$V2"
check "counts: fw re-linked (1)" X apply -c "$M"
manifest "$FWDIR/fw_acme.o"
check "counts: fw re-linked (2)" X apply -c "$M"
check "counts: fw 2, the others 0" sh -c \
	"X() { nsenter --net=/run/netns/$RCV $XDPLD \"\$@\" --state-dir $SD; };
	X status r0 --json | jq -e '[.interfaces[0].slots[] | [.module, .relinks]] ==
		[[\"sampler\",0],[\"fw\",2],[\"lb\",0]]'"
manifest "$FWDIR/fw_acme.o" "" ""
sed -i "/	list module 'sampler'/d" "$M"
check "counts: sampler's slot removed" X apply -c "$M"
check_out "counts: each module keeps its own count (fw 2, lb 0)" '"fw",2.*"lb",0' sh -c \
	"nsenter --net=/run/netns/$RCV $XDPLD status r0 --json --state-dir $SD |
	 jq -c '[.interfaces[0].slots[] | [.module, .relinks]]'"
check_out "counts: text status too" "slot 0: fw .*re-linked 2 times" XS status r0
check "counts: detach" X detach r0
