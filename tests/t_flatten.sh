#!/bin/sh
# Flattening (link --flatten; attach's default with the static backend):
# the four sample modules behind a flattened rootlet give the same verdicts
# and output bytes as behind the calling one, the loaded rootlet has no
# bpf-to-bpf call left, line info still names the vendors' sources, 32 slots
# load; a tail call, a callback, a global function with arguments and a
# module that needs the whole stack stay calls and -v says why.
. tests/lib.sh

export XDPLD_CHECK_FD_LEAKS=1
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
SND=xdpld-fsnd-$$
RCV=xdpld-frcv-$$
SD=/sys/fs/bpf/xdpld-t-flatten-$$
PIN=/sys/fs/bpf/xdpld-t-flatten-pin-$$
CORPUS=$TMP/corpus
netns_cleanup_trap "$SND" "$RCV" "$SD" "$PIN"
mkdir -p "$CORPUS"
"$TOOLS/pktcorpus" "$CORPUS" >/dev/null || { not_ok "pktcorpus"; exit 0; }
PKTS=$(ls "$CORPUS"/*.pkt | tr "\n" " ")

SAMPLE="$FW/sampler.o:xdp_sampler $FW/fw_acme.o:xdp_firewall $FW/fw_bolt.o:xdp_firewall $FW/lb.o:xdp_lb"

# pipe OUT LINKOPTS OBJ:PROG...: a static rootlet with one slot per module,
# linked with them (xdpld -v link LINKOPTS; its messages in OUT.log).
pipe() {
	_out=$1 _lo=$2; shift 2
	"$XDPLD" rootlet -o "$_out.rootlet.o" --slots $# || return 1
	set -- "$_out" "$_lo" "$@"
	_objs= _ren= _i=0
	shift 2
	for _m; do
		_objs="$_objs ${_m%:*}"
		_ren="$_ren --rename ${_m%:*}:${_m##*:}=xdpld_slot$_i"
		_i=$((_i + 1))
	done
	"$XDPLD" -v link $_lo -o "$_out" "$_out.rootlet.o" $_objs $_ren >"$_out.log" 2>&1
}
# runs OBJ: xdpld run of the rootlet over the corpus into OBJ.txt.
runs() { "$XDPLD" run "$1" xdpld_rootlet $PKTS >"$1.txt" && [ -s "$1.txt" ]; }
# pseudo_calls OBJ: bpf-to-bpf calls in the xlated rootlet, loaded by bpftool.
pseudo_calls() {
	rm -f "$PIN"
	bpftool prog load "$1" "$PIN" type xdp >/dev/null 2>&1 || { echo "bpftool cannot load $1" >&2; return 1; }
	bpftool prog dump xlated pinned "$PIN" >"$TMP/xl.txt"
	rm -f "$PIN"
	grep -cE "\(85\) call (pc[+-]|bpf_prog_)$2" "$TMP/xl.txt" || true
}

# ---- the four sample modules ----
check "link --no-flatten: the sample pipeline" pipe "$TMP/n.o" --no-flatten $SAMPLE
check "link --flatten: the sample pipeline" pipe "$TMP/f.o" --flatten $SAMPLE
check_out "-v: every slot inlined, program flattened" \
	"program xdpld_rootlet flattened: [0-9]+ calls inlined" cat "$TMP/f.o.log"
check "-v: slots 0..3 inlined into the rootlet" sh -c "for i in 0 1 2 3; do
	grep -q \"inlined xdpld_slot\$i into xdpld_rootlet\" '$TMP/f.o.log' || exit 1; done"
check "-v: the modules' own subprograms inlined too" grep -q "inlined parse_eth into" "$TMP/f.o.log"
check "calls: rootlet runs the corpus" runs "$TMP/n.o"
check "flattened: rootlet runs the corpus" runs "$TMP/f.o"
check "flattened = calls: same verdicts and output bytes" diff "$TMP/n.o.txt" "$TMP/f.o.txt"
check "flattened: libbpf (progrun) agrees" sh -c "'$TOOLS/progrun' '$TMP/f.o' xdpld_rootlet $PKTS | diff - '$TMP/f.o.txt'"
check "corpus has drops, passes and rewrites (tx)" sh -c "grep -q XDP_DROP '$TMP/f.o.txt' &&
	grep -q XDP_PASS '$TMP/f.o.txt' && grep -q XDP_TX '$TMP/f.o.txt'"
check_out "verify: the verifier accepts the flattened pipeline" \
	"program xdpld_rootlet section xdp type xdp insns [0-9]+ verified" "$XDPLD" verify "$TMP/f.o"
check_out "calls: 4 calls of slots in the xlated rootlet" "^4$" pseudo_calls "$TMP/n.o" ".*_xdpld_slot"
check_out "flattened: no pseudo call left in the xlated rootlet" "^0$" pseudo_calls "$TMP/f.o"
check "flattened: line info names the vendors' sources" sh -c "
	bpftool prog load '$TMP/f.o' '$PIN' type xdp && bpftool prog dump xlated pinned '$PIN' linum >'$TMP/ln.txt';
	rm -f '$PIN'; for s in sampler fw_acme fw_bolt lb; do grep -q \"file:.*/\$s.bpf.c\" '$TMP/ln.txt' || exit 1; done"
"$XDPLD" -q link --flatten -o "$TMP/f2.o" "$TMP/f.o.rootlet.o" $(for m in $SAMPLE; do printf '%s ' "${m%:*}"; done) \
	--rename "$FW/sampler.o:xdp_sampler=xdpld_slot0" --rename "$FW/fw_acme.o:xdp_firewall=xdpld_slot1" \
	--rename "$FW/fw_bolt.o:xdp_firewall=xdpld_slot2" --rename "$FW/lb.o:xdp_lb=xdpld_slot3" 2>/dev/null
check "flattening is deterministic" cmp "$TMP/f.o" "$TMP/f2.o"
check "flattened object links again (re-read, re-flattened: nothing left)" \
	"$XDPLD" -q link --flatten -o "$TMP/f3.o" "$TMP/f.o"

# ---- modules flattened on their own (their subprograms inlined) ----
same_alone() {
	"$XDPLD" -q link -o "$TMP/a.o" "$1" && "$XDPLD" -q link --flatten -o "$TMP/b.o" "$1" || return 1
	for _p in $("$XDPLD" verify "$TMP/a.o" | awk '$1 == "program" { print $2 }'); do
		"$XDPLD" run "$TMP/a.o" "$_p" $PKTS >"$TMP/a.txt" &&
		"$XDPLD" run "$TMP/b.o" "$_p" $PKTS | diff - "$TMP/a.txt" || return 1
	done
}
for o in "$FW"/*.o "$TBPF/load_data.o"; do
	check "$(basename "$o") flattened alone = with calls" same_alone "$o"
done
be_inlined() {
	_ren="--rename $FW/be/sampler.o:xdp_sampler=xdpld_slot0 --rename $FW/be/fw_acme.o:xdp_firewall=xdpld_slot1
	      --rename $FW/be/fw_bolt.o:xdp_firewall=xdpld_slot2 --rename $FW/be/lb.o:xdp_lb=xdpld_slot3"
	"$XDPLD" rootlet --be -o "$TMP/rbe.o" --slots 4 &&
	"$XDPLD" -v link --flatten -o "$TMP/fbe.o" "$TMP/rbe.o" "$FW/be/sampler.o" "$FW/be/fw_acme.o" \
		"$FW/be/fw_bolt.o" "$FW/be/lb.o" $_ren 2>&1 | grep "program xdpld_rootlet flattened" >"$TMP/be.txt" &&
	grep "program xdpld_rootlet flattened" "$TMP/f.o.log" | sed 's/.*flattened: \([0-9]*\) calls.*/\1/' >"$TMP/le.n" &&
	sed 's/.*flattened: \([0-9]*\) calls.*/\1/' "$TMP/be.txt" | diff - "$TMP/le.n"
}
check "bpfeb: the sample pipeline flattens like bpfel (same calls inlined)" be_inlined

# ---- 32 slots: 28 pass-through modules, then the four sample modules ----
M32=
for k in $(seq 1 28); do
	cp "$TBPF/verdict_pass.o" "$TMP/p$k.o"
	M32="$M32 $TMP/p$k.o:xdp_verdict"
done
M32="$M32 $SAMPLE"
check "32 slots: link --flatten" pipe "$TMP/f32.o" --flatten $M32
check_out "32 slots: all 32 inlined" "program xdpld_rootlet flattened: [0-9]+ calls inlined" \
	sh -c "[ \$(grep -c 'inlined xdpld_slot[0-9]* into xdpld_rootlet' '$TMP/f32.o.log') -eq 32 ] && cat '$TMP/f32.o.log'"
check_out "32 slots: the verifier accepts it" "program xdpld_rootlet section xdp" "$XDPLD" verify "$TMP/f32.o"
check "32 slots: same results as the 4-slot pipeline" sh -c "
	'$XDPLD' run '$TMP/f32.o' xdpld_rootlet $PKTS | diff - '$TMP/f.o.txt'"
check_out "32 slots: no pseudo call left" "^0$" pseudo_calls "$TMP/f32.o"

# ---- what stays a call ----
check "tail call: link --flatten" pipe "$TMP/t.o" --flatten "$TBPF/flat_tail.o:xdp_tail" "$TBPF/verdict_drop.o:xdp_verdict"
check_out "tail call: -v says why the slot stays a call" \
	"call to xdpld_slot0 .* kept as a call: tail call" cat "$TMP/t.o.log"
check_out "tail call: the other slot is inlined" "inlined xdpld_slot1 into xdpld_rootlet" cat "$TMP/t.o.log"
check_out "tail call: one pseudo call left (the slot)" "^1$" pseudo_calls "$TMP/t.o"
check_out "tail call: empty prog array falls through to the next slot" "XDP_DROP" \
	"$XDPLD" run "$TMP/t.o" xdpld_rootlet "$CORPUS/ok_ipv4_tcp_443.pkt"
check "tail call + 304-byte module: link --flatten" pipe "$TMP/tb.o" --flatten \
	"$TBPF/flat_big.o:xdp_big" "$TBPF/flat_tail.o:xdp_tail"
check_out "tail call + 304-byte module: not flattened, saying why" \
	"program xdpld_rootlet not flattened: a call kept for its tail call would sit below a [0-9]+-byte frame" \
	cat "$TMP/tb.o.log"
check_out "tail call + 304-byte module: loads with calls" "program xdpld_rootlet section xdp" \
	"$XDPLD" verify "$TMP/tb.o"
check "stack: link --flatten" pipe "$TMP/s.o" --flatten "$TBPF/flat_stack.o:xdp_stack"
check_out "stack: refused with the numbers" \
	"kept as a call: stack: xdpld_rootlet uses [0-9]+ bytes, saved registers [0-9]+, xdpld_slot0 needs 512: [0-9]+ > 512" \
	cat "$TMP/s.o.log"
check "calls module: link --flatten" pipe "$TMP/c.o" --flatten "$TBPF/flat_calls.o:xdp_calls"
check_out "callback: the bpf_loop user stays a call" "call to looped .* kept as a call: callback" cat "$TMP/c.o.log"
check_out "global function with arguments stays a call" \
	"call to flat_global .* kept as a call: global function with arguments" cat "$TMP/c.o.log"
check_out "static subprogram inlined" "inlined twice into xdpld_slot0" cat "$TMP/c.o.log"
check "calls module: same verdicts flattened and with calls" sh -c "
'$XDPLD' -q link -o '$TMP/cn.o' '$TMP/c.o.rootlet.o' '$TBPF/flat_calls.o' \
	--rename '$TBPF/flat_calls.o:xdp_calls=xdpld_slot0' &&
	'$XDPLD' run '$TMP/cn.o' xdpld_rootlet $PKTS >'$TMP/cn.txt' &&
	'$XDPLD' run '$TMP/c.o' xdpld_rootlet $PKTS | diff - '$TMP/cn.txt'"

# ---- attach: flattened by default with the static backend ----
if ! veth_netns_pair "$SND" "$RCV"; then
	not_ok "attach: set up namespaces and veth"
	exit 0
fi
rootlet_id() { X status r0 --json | jq -e '.interfaces[0].prog_id'; }
xlated_calls() { bpftool prog dump xlated id "$(rootlet_id)" | grep -cE "\(85\) call (pc[+-]|bpf_prog_)$1" || true; }
A=$(for m in $SAMPLE; do printf '%s ' "${m%:*}"; done)
check "attach --backend static (flattened by default)" X attach --backend static r0 $A
check_out "attach: no pseudo call in the running rootlet" "^0$" xlated_calls
rec_no_flatten() { craft_record "$SD/r0/record" - | grep -x "no_flatten=1"; }
no_rec_no_flatten() { ! rec_no_flatten; }
check "attach: the record has no no_flatten" no_rec_no_flatten
check "attach --no-flatten: re-attached with calls" X attach --backend static --no-flatten r0 $A
check_out "attach --no-flatten: 4 calls of slots in the running rootlet" "^4$" xlated_calls ".*_xdpld_slot"
check "attach --no-flatten: recorded as no_flatten=1" rec_no_flatten
check "detach" X detach r0
