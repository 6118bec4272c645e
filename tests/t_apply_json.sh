#!/bin/sh
# apply --json (the contract of policies/README.md, "apply --json") on veth
# pairs in a network namespace: stdout is exactly one line, one JSON object
# with every key of the schema; changed/action/ids say what apply did and
# agree with status --json (first attach, no change, a slot re-linked, a
# module added: new rootlet); --dry-run --json says what would change and
# changes nothing; a device dropped from the manifest is detached, a missing
# one skipped; failures (a syntax error, a module the verifier rejects)
# exit 1 with failed, changed false and msg naming FILE:LINE, and leave the
# running ids alone; 8 devices x 8 slots stay under 14 KiB.
. tests/lib.sh

export XDPLD_CHECK_FD_LEAKS=1
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
SND=xdpld-jsnd-$$
RCV=xdpld-jrcv-$$
SD=/sys/fs/bpf/xdpld-t-apply-json-$$
CORPUS=$TMP/corpus
M=$TMP/xdpld	# the manifest
netns_cleanup_trap "$SND" "$RCV" "$SD"

setup() {
	veth_netns_pair "$SND" "$RCV" &&
		ip -n "$SND" link add s1 type veth peer name r1 netns "$RCV" &&
		ip -n "$SND" link set s1 up && ip -n "$RCV" link set r1 up
}
if ! setup; then
	not_ok "apply --json: set up namespaces and veths"
	exit 0
fi
ok "apply --json: set up namespaces and veths"

BACKEND=tailcall
"$XDPLD" probe | grep -q '^tailcall *yes' || BACKEND=static
FWDIR=$(realpath "$FW")
V2=$(realpath "$TBPF/relink_fw_v2.o")
BAD=$(realpath "$TBPF/relink_fw_bad.o")	# the verifier rejects it

# manifest FW_OBJECT [EXTRA LINES OF PIPELINE wan] [MORE SECTIONS]
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
	option backend '$BACKEND'
	list module 'sampler'
	list module 'fw'
${2:-}
${3:-}
EOF
}
LAN="config pipeline 'lan'
	option device 'r1'
	option backend '$BACKEND'
	list module 'lb'"

# aj NAME [ARGS...]: apply -c $M --json ARGS; stdout in $TMP/NAME.json,
# stderr in $TMP/NAME.err, exit status in $TMP/NAME.rc.
aj() {
	_n=$1; shift
	X apply -c "$M" --json "$@" >"$TMP/$_n.json" 2>"$TMP/$_n.err"
	echo $? >"$TMP/$_n.rc"
}
# jqf NAME FILTER [JQ ARGS...]: FILTER is true for $TMP/NAME.json, which
# holds one JSON value (shown if not; jq -e alone passes an empty file).
jqf() {
	_f=$TMP/$1.json _q=$2; shift 2
	[ "$(jq "$@" "$_q" "$_f" 2>&1)" = true ] && return 0
	echo "stdout:"; cat "$_f"; echo "stderr:"; tail -n 5 "${_f%.json}.err"
	return 1
}
# rc NAME N: apply NAME exited with N.
rc() { [ "$(cat "$TMP/$1.rc")" = "$2" ] || { echo "exit $(cat "$TMP/$1.rc"), not $2"; cat "$TMP/$1.err"; return 1; }; }
# one_line NAME: stdout is exactly one line holding one JSON object.
one_line() {
	[ "$(wc -l <"$TMP/$1.json")" = 1 ] && jq -e 'type == "object"' "$TMP/$1.json" >/dev/null &&
		[ "$(jq -c . "$TMP/$1.json" | wc -l)" = 1 ] || { cat "$TMP/$1.json"; return 1; }
}
# The schema: every key, its type, the actions.
SCHEMA='def id: . == null or (type == "number" and . > 0);
def str_or_null: . == null or type == "string";
(keys == ((["changed","config","devices","dry_run","failed","version"] +
	   (if .failed then ["msg"] else [] end)) | sort)) and
.version == 1 and (.changed | type) == "boolean" and (.failed | type) == "boolean" and
(.dry_run | type) == "boolean" and (.config | type) == "string" and
(.devices | type) == "array" and (if .failed then (.msg | type) == "string" else true end) and
all(.devices[];
	keys == (["action","changed","device","pipeline","prog_id_after","prog_id_before",
		  "reason","slots"]) and
	(.device | type) == "string" and (.pipeline | str_or_null) and
	(.action | IN("attached","new_rootlet","relinked","unchanged","detached","skipped")) and
	(.changed | type) == "boolean" and (.reason | str_or_null) and
	(.prog_id_before | id) and (.prog_id_after | id) and (.slots | type) == "array" and
	all(.slots[];
		keys == (["action","module","prog_id_after","prog_id_before","slot"]) and
		(.slot | type) == "number" and (.module | type) == "string" and
		(.action | IN("relinked","unchanged","new")) and
		(.prog_id_before | id) and (.prog_id_after | id)))'
# valid NAME: one line, the schema.
valid() { one_line "$1" && jqf "$1" "$SCHEMA"; }
# same_as_status NAME DEV: DEV's ids after are what status --json reports.
same_as_status() {
	X status "$2" --json >"$TMP/st.json" || return 1
	jqf "$1" '.devices[] | select(.device == $d) | .prog_id_after == $s[0].interfaces[0].prog_id and
		[.slots[].prog_id_after] == [$s[0].interfaces[0].slots[].prog_id] and
		[.slots[].module] == [$s[0].interfaces[0].slots[].module]' \
		--arg d "$2" --slurpfile s "$TMP/st.json" || { cat "$TMP/st.json"; return 1; }
}
# ids: every interface's rootlet and slot ids (status --json).
ids() { X status --json | jq -c '[.interfaces[] | [.iface, .prog_id, [.slots[].prog_id]]]'; }

# ---- a first apply ----
manifest "$FWDIR/fw_acme.o"
aj first
check "first: exit 0" rc first 0
check "first: stdout is one line of JSON, the schema holds" valid first
check "first: changed, r0 attached, every slot new" jqf first \
	'.changed and (.failed | not) and (.dry_run | not) and .config == $m and
	 (.devices | length) == 1 and .devices[0].device == "r0" and .devices[0].pipeline == "wan" and
	 .devices[0].action == "attached" and .devices[0].changed and
	 .devices[0].prog_id_before == null and .devices[0].prog_id_after > 0 and
	 ([.devices[0].slots[] | [.slot, .module, .action, .prog_id_before]] ==
	  [[0, "sampler", "new", null], [1, "fw", "new", null]])' --arg m "$M"
check "first: ids after are what status --json reports" same_as_status first r0
check "first: the prose goes to stderr (-v)" sh -c \
	"nsenter --net=/run/netns/$RCV $XDPLD -v apply -c $M --json --state-dir $SD 2>$TMP/v.err >$TMP/v.json &&
	 grep -q 'nothing to change' $TMP/v.err && [ \$(wc -l <$TMP/v.json) = 1 ]"

# ---- again: nothing changes ----
ids0=$(ids)
aj again
check "again: exit 0" rc again 0
check "again: one line, the schema" valid again
check "again: changed false, r0 unchanged, ids before = after" jqf again \
	'(.changed | not) and all(.devices[]; .action == "unchanged" and (.changed | not) and
	 .reason == null and .prog_id_before == .prog_id_after and .prog_id_after != null and
	 all(.slots[]; .action == "unchanged" and .prog_id_before == .prog_id_after))'
check "again: ids after = status" same_as_status again r0
check "again: status ids unchanged" test "$(ids)" = "$ids0"

# ---- dry run of an edit: says what would change, changes nothing ----
manifest "$V2"
aj dry --dry-run
check "dry run: exit 0" rc dry 0
check "dry run: one line, the schema" valid dry
if [ "$BACKEND" = tailcall ]; then
	check "dry run: dry_run, changed, r0 relinked, fw would be re-linked (no id yet)" jqf dry \
		'.dry_run and .changed and .devices[0].action == "relinked" and .devices[0].changed and
		 .devices[0].prog_id_after == .devices[0].prog_id_before and
		 .devices[0].slots[1].action == "relinked" and .devices[0].slots[1].prog_id_after == null and
		 .devices[0].slots[0].action == "unchanged" and
		 .devices[0].slots[0].prog_id_after == .devices[0].slots[0].prog_id_before'
else
	check "dry run: dry_run, changed, r0 new_rootlet (static)" jqf dry \
		'.dry_run and .changed and .devices[0].action == "new_rootlet" and
		 .devices[0].prog_id_after == null'
fi
check "dry run: its lines go to stderr" grep -q "r0: relink slot 1 (fw)\|r0: new rootlet" "$TMP/dry.err"
check "dry run: nothing changed (status ids)" test "$(ids)" = "$ids0"

# ---- the edit applied: that slot re-linked, the others unchanged ----
aj relink
check "relink: exit 0" rc relink 0
check "relink: one line, the schema" valid relink
set -- $(echo "$ids0" | jq -r '.[0] | "\(.[1]) \(.[2][0]) \(.[2][1])"')
if [ "$BACKEND" = tailcall ]; then
	check "relink: changed, r0 relinked, fw gets a new program id, sampler and the rootlet keep theirs" \
		jqf relink '.changed and .devices[0].action == "relinked" and
		 .devices[0].prog_id_before == $r and .devices[0].prog_id_after == $r and
		 .devices[0].slots[0].action == "unchanged" and .devices[0].slots[0].prog_id_after == $s0 and
		 .devices[0].slots[1].action == "relinked" and .devices[0].slots[1].prog_id_before == $s1 and
		 .devices[0].slots[1].prog_id_after != $s1 and .devices[0].slots[1].prog_id_after != null' \
		--argjson r "$1" --argjson s0 "$2" --argjson s1 "$3"
else
	check "relink: changed, r0 new_rootlet (static)" jqf relink \
		'.changed and .devices[0].action == "new_rootlet" and .devices[0].prog_id_after != $r' \
		--argjson r "$1"
fi
check "relink: ids after = status" same_as_status relink r0

# ---- a module added: a new rootlet ----
ids1=$(ids)
manifest "$V2" "	list module 'lb'"
aj add
check "add a module: exit 0" rc add 0
check "add a module: one line, the schema" valid add
check "add a module: changed, r0 new_rootlet with its reason, lb new, the others unchanged" jqf add \
	'.changed and .devices[0].action == "new_rootlet" and (.devices[0].reason | test("slots")) and
	 .devices[0].prog_id_after != .devices[0].prog_id_before and
	 [.devices[0].slots[].action] == ["unchanged", "unchanged", "new"]'
check "add a module: ids after = status" same_as_status add r0
check "add a module: a new rootlet id" test "$(ids)" != "$ids1"

# ---- a second device, then dropped: detached; a missing one: skipped ----
manifest "$V2" "	list module 'lb'" "$LAN"
aj lan
check "lan: r0 unchanged, r1 attached" jqf lan \
	'.changed and [.devices[] | [.device, .action]] == [["r0", "unchanged"], ["r1", "attached"]]'
check "lan: r1's ids after = status" same_as_status lan r1
r1id=$(X status r1 --json | jq .interfaces[0].prog_id)
ids2=$(ids)
manifest "$V2" "	list module 'lb'"
aj dropdry --dry-run
check "dropped, dry run: r1 would be detached" jqf dropdry \
	'.dry_run and .changed and .devices[1].action == "detached"'
check "dropped, dry run: nothing changed" test "$(ids)" = "$ids2"
aj drop
check "dropped: one line, the schema" valid drop
check "dropped: r1 detached, with its reason and rootlet id; r0 unchanged" jqf drop \
	'.changed and [.devices[] | [.device, .action, .changed]] ==
	 [["r0", "unchanged", false], ["r1", "detached", true]] and
	 .devices[1].reason == ("no pipeline for it in " + $m) and .devices[1].pipeline == "lan" and
	 .devices[1].prog_id_before == $id and .devices[1].prog_id_after == null' \
	--arg m "$M" --argjson id "$r1id"
check "dropped: r1 runs nothing" sh -c "! ip -n $RCV link show r1 | grep -q prog/xdp"
manifest "$V2" "	list module 'lb'" "config pipeline 'dmz'
	option device 'dmz0'
	list module 'lb'"
aj skip
check "missing device: exit 0" rc skip 0
check "missing device: one line, the schema" valid skip
check "missing device: dmz0 skipped with its reason; nothing changed" jqf skip \
	'(.changed | not) and .devices[1].device == "dmz0" and .devices[1].action == "skipped" and
	 (.devices[1].changed | not) and (.devices[1].reason | test("no such device")) and
	 .devices[1].slots == [] and .devices[1].prog_id_after == null'

# ---- failures: exit 1, failed, msg with FILE:LINE, nothing changed ----
ids3=$(ids)
manifest "$V2" "	list module 'lb'"
sed -i "s|option object '$FWDIR/lb.o'|option object '$FWDIR/lb.o|" "$M"
aj syntax
check "syntax error: exit 1" rc syntax 1
check "syntax error: one line, the schema" valid syntax
check "syntax error: failed, changed false, no devices, msg names FILE:LINE" jqf syntax \
	'.failed and (.changed | not) and .devices == [] and
	 (.msg | test("^" + $m + ":[0-9]+: .*unterminated"))' --arg m "$M"
check "syntax error: msg is the first error line on stderr" sh -c \
	"[ \"\$(grep -m1 'error:' $TMP/syntax.err)\" = \"xdpld: error: \$(jq -r .msg $TMP/syntax.json)\" ]"
check "syntax error: ids unchanged" test "$(ids)" = "$ids3"
manifest "$BAD" "	list module 'lb'"
aj bad
check "rejected module: exit 1" rc bad 1
check "rejected module: one line, the schema" valid bad
check "rejected module: failed, changed false, msg names FILE:LINE of the pipeline and the cause" \
	jqf bad '.failed and (.changed | not) and .devices == [] and
	 (.msg | test("^" + $m + ":[0-9]+: pipeline .wan. \\(device r0\\) does not load") and
		 test("module fw .*rejected by the kernel"))' --arg m "$M"
check "rejected module: ids unchanged" test "$(ids)" = "$ids3"
aj baddry --dry-run
check "rejected module, dry run: exit 1" rc baddry 1
check "rejected module, dry run: failed, dry_run, msg with FILE:LINE" jqf baddry \
	'.failed and .dry_run and (.changed | not) and (.msg | startswith($m + ":"))' --arg m "$M"
manifest "/nonexistent/fw.o"
aj missing
check "missing object: failed, msg is the module's FILE:LINE" jqf missing \
	'.failed and (.msg | startswith($m + ":5: module '"'fw'"': object /nonexistent/fw.o"))' --arg m "$M"
check "missing object: ids unchanged" test "$(ids)" = "$ids3"

# ---- size: 8 devices x 8 slots ----
# Eight copies of a cheap module (an object is in a pipeline once), eight
# veth pairs, one 8-slot pipeline each.
big() {
	: >"$M"
	for i in 1 2 3 4 5 6 7 8; do
		cp "$TBPF/verdict_pass.o" "$TMP/vendor_pass_$i.o"
		printf "config module 'vendor_mod_%s'\n\toption object '%s'\n\n" "$i" "$TMP/vendor_pass_$i.o" >>"$M"
	done
	for d in 0 1 2 3 4 5 6 7; do
		ip -n "$RCV" link add "xj-lan$d" type veth peer name "xj-peer$d" || return 1
		ip -n "$RCV" link set "xj-lan$d" up && ip -n "$RCV" link set "xj-peer$d" up || return 1
		printf "config pipeline 'pipeline_%s'\n\toption device 'xj-lan%s'\n\toption backend '%s'\n" \
			"$d" "$d" "$BACKEND" >>"$M"
		for i in 1 2 3 4 5 6 7 8; do printf "\tlist module 'vendor_mod_%s'\n" "$i" >>"$M"; done
		printf "\n" >>"$M"
	done
}
printf "# nothing\n" >"$M"
aj clear
check "empty manifest: r0 detached, the only device" jqf clear \
	'.changed and [.devices[] | [.device, .action]] == [["r0", "detached"]]'
check "size: 8 veth pairs, 8 pipelines of 8 modules" big
aj big1
aj big2
s1=$(wc -c <"$TMP/big1.json")
s2=$(wc -c <"$TMP/big2.json")
check "size: first apply attaches 8 devices x 8 slots" jqf big1 \
	'.changed and ([.devices[] | select(.action == "attached")] | length) == 8 and
	 all(.devices[]; (.slots | length) == 8)'
check "size: again, unchanged, every id before and after" jqf big2 \
	'(.changed | not) and ([.devices[] | select(.action == "unchanged")] | length) == 8'
check "size: one line, the schema (attach)" valid big1
check "size: one line, the schema (unchanged)" valid big2
check "size: 8 x 8 under 14336 bytes (attach $s1 bytes, unchanged $s2 bytes)" \
	test "$s1" -gt 1000 -a "$s1" -lt 14336 -a "$s2" -gt 1000 -a "$s2" -lt 14336
printf "# nothing\n" >"$M"
aj empty
check "empty manifest: the 8 devices detached" jqf empty \
	'.changed and ([.devices[] | select(.action == "detached")] | length) == 8'

# ---- usage ----
check_fails "usage: check takes no --json" "usage: xdpld check" X check --json
