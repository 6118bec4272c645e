#!/bin/sh
# The generated rootlet: tools read it, the kernel loads it, and chains of
# test modules (tests/bpf/verdict_*.bpf.c) give the documented verdicts and
# counters, for the tailcall backend (prog array, tailrun) and the static
# backend (xdpld link + progrun); the freplace backend's two targets per slot
# and its selector (extension programs themselves only load in the test VM).
# Also the libxdp run-config reader.
. tests/lib.sh

PKT=$TMP/p64.pkt
head -c 64 /dev/zero >"$PKT"
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
PIN=/sys/fs/bpf/xdpld-t-rootlet-$$	# bpffs names must not contain dots
mkdir -p "$PIN"
trap 'rm -rf "$TMP" "$PIN"' EXIT
npin=0
# newpin: a fresh pin directory in $P (not in a subshell: it counts).
newpin() { npin=$((npin + 1)); P=$PIN/$npin; }

# ---- generation, and other tools reading the result ----

loads_with_bpftool() {
	newpin
	bpftool prog loadall "$1" "$P" && [ -e "$P/xdpld_rootlet" ]
	_rc=$?; rm -rf "$P"; return $_rc
}
# disassembles OBJ FUNC: FUNC and the entry program are in the disassembly.
disassembles() {
	llvm-objdump -d "$1" >"$TMP/dis" && grep -q "<$2>:" "$TMP/dis" &&
		grep -q '<xdpld_rootlet>:' "$TMP/dis"
}
btf_has() {
	bpftool btf dump file "$1" >"$TMP/btf" || return 1
	shift
	for _w in "$@"; do grep -qE "$_w" "$TMP/btf" || { echo "BTF lacks: $_w"; return 1; }; done
}
inspect_reads() {
	$XDPLD inspect "$1" >"$TMP/insp" 2>&1 || { cat "$TMP/insp"; return 1; }
	grep -q xdpld_rootlet "$TMP/insp"
}

for n in 1 2 32; do
	for b in static tailcall freplace; do
		R=$TMP/r$n$b.o
		check "rootlet: generate $n slots, $b" $XDPLD rootlet -o "$R" --slots $n --backend $b
		check "rootlet: $n $b loads with bpftool (libbpf, kernel verifier)" loads_with_bpftool "$R"
		last=xdpld_slot$((n - 1)); [ $b = freplace ] && last=${last}_b
		check "rootlet: $n $b disassembles with llvm-objdump" disassembles "$R" $last
		check "rootlet: $n $b xdpld inspect reads it" inspect_reads "$R"
	done
	check "rootlet: $n slots BTF dumps with bpftool" btf_has "$TMP/r${n}static.o" \
		"STRUCT 'xdp_md' size=24 vlen=6" "'ctx' type_id=" \
		"FUNC 'xdpld_rootlet' type_id=[0-9]+ linkage=global" \
		"FUNC 'xdpld_slot$((n - 1))' type_id=[0-9]+ linkage=static" \
		"DATASEC '.rodata' size=$((8 + 4 * n))" "VAR 'xdpld_cfg'" \
		"DATASEC '.maps'" "VAR 'xdpld_stats'"
done
check "rootlet: generate 64 slots (the maximum)" $XDPLD rootlet -o "$TMP/r64.o" --slots 64 --backend tailcall
check "rootlet: 64 slots load" loads_with_bpftool "$TMP/r64.o"
check "rootlet: generate 64 slots, freplace" $XDPLD rootlet -o "$TMP/r64f.o" --slots 64 --backend freplace
check "rootlet: 64 slots freplace load (129 functions)" loads_with_bpftool "$TMP/r64f.o"
check "rootlet: freplace targets are BTF-global" btf_has "$TMP/r2freplace.o" \
	"FUNC 'xdpld_slot1_a' type_id=[0-9]+ linkage=global" \
	"FUNC 'xdpld_slot1_b' type_id=[0-9]+ linkage=global" "VAR 'xdpld_sel'"
check "rootlet: freplace has no xdpld_slot<i> function" sh -c \
	"! bpftool btf dump file $TMP/r2freplace.o | grep -qE \"FUNC 'xdpld_slot[0-9]+'\""
check "rootlet: tailcall has the prog array" btf_has "$TMP/r2tailcall.o" "VAR 'xdpld_slots'"

check "rootlet: --no-counters generates no stats map" sh -c \
	"$XDPLD rootlet -o $TMP/nc.o --slots 3 --no-counters && ! bpftool btf dump file $TMP/nc.o | grep -q xdpld_stats"
check "rootlet: --no-counters loads" loads_with_bpftool "$TMP/nc.o"
check "rootlet: big-endian freplace disassembles" sh -c \
	"$XDPLD rootlet -o $TMP/bef.o --slots 3 --be --backend freplace && llvm-readelf -h $TMP/bef.o | grep -q 'big endian' &&
	 llvm-objdump -d $TMP/bef.o | grep -q '<xdpld_slot2_b>:'"
check "rootlet: big-endian generate" $XDPLD rootlet -o "$TMP/be.o" --slots 3 --be --backend tailcall
check "rootlet: big-endian is ELF big endian" sh -c "llvm-readelf -h $TMP/be.o | grep -q 'big endian'"
check "rootlet: big-endian disassembles" disassembles "$TMP/be.o" xdpld_slot2
check "rootlet: big-endian BTF dumps" btf_has "$TMP/be.o" "FUNC 'xdpld_slot2'" "VAR 'xdpld_cfg'"
check "rootlet: big-endian xdpld inspect reads it" inspect_reads "$TMP/be.o"
be_same_code() {
	llvm-objdump -d --no-show-raw-insn "$TMP/be.o" | grep -v 'file format' >"$TMP/d.be"
	$XDPLD rootlet -o "$TMP/le.o" --slots 3 --backend tailcall &&
	llvm-objdump -d --no-show-raw-insn "$TMP/le.o" | grep -v 'file format' >"$TMP/d.le" &&
	diff "$TMP/d.le" "$TMP/d.be"
}
check "rootlet: big-endian code equals little-endian code" be_same_code
check "rootlet: output is reproducible" sh -c \
	"$XDPLD rootlet -o $TMP/a.o --slots 5 && $XDPLD rootlet -o $TMP/b.o --slots 5 && cmp $TMP/a.o $TMP/b.o"
check "rootlet: freplace output is reproducible" sh -c \
	"$XDPLD rootlet -o $TMP/a.o --slots 5 --backend freplace &&
	 $XDPLD rootlet -o $TMP/b.o --slots 5 --backend freplace && cmp $TMP/a.o $TMP/b.o"

check_fails "rootlet: 0 slots rejected" 'supported are 1\.\.64' $XDPLD rootlet -o "$TMP/x.o" --slots 0
check_fails "rootlet: 65 slots rejected" 'supported are 1\.\.64' $XDPLD rootlet -o "$TMP/x.o" --slots 65
check_fails "rootlet: unknown backend" "unknown backend 'jit'" $XDPLD rootlet -o "$TMP/x.o" --slots 2 --backend jit
check_fails "rootlet: continue-on beyond the slots" 'names slot 2 but there are only 2' \
	$XDPLD rootlet -o "$TMP/x.o" --slots 2 --continue-on 2=pass
check_fails "rootlet: continue-on unknown action" "bad --continue-on '0=pass,bounce'" \
	$XDPLD rootlet -o "$TMP/x.o" --slots 2 --continue-on 0=pass,bounce
check_fails "rootlet: --slots not a number" "bad --slots" $XDPLD rootlet -o "$TMP/x.o" --slots 3x
[ ! -e "$TMP/x.o" ] && ok "rootlet: failed runs leave no output" || not_ok "rootlet: failed runs leave no output"

# ---- verdict chains: tailcall backend with libbpf's tail calls ----

# verdict_is WANT CMD...: the first output line's verdict is WANT.
verdict_is() {
	_want=$1; shift
	_out=$("$@") || { echo "$_out"; return 1; }
	_got=$(echo "$_out" | head -n 1 | cut -d' ' -f2)
	[ "$_got" = "$_want" ] || { echo "verdict $_got, want $_want"; return 1; }
}
# stats_are PINNED_MAP EXPECTED: the non-zero counters, one "slotI bucket N" a line.
stats_are() {
	"$TOOLS/tailrun" --stats "$1" >"$TMP/stats" || return 1
	printf '%s\n' "$2" | sed '/^$/d' >"$TMP/want"
	diff "$TMP/want" "$TMP/stats"
}
V=$TBPF
tail_of() { echo "--tail $1=$V/verdict_$2.o:xdp_verdict"; }

T4=$TMP/t4.o
$XDPLD rootlet -o "$T4" --slots 4 --backend tailcall
# tc NAME WANT ROOTLET SLOT:MODULE... [-- extra tailrun args]
tc() {
	_n=$1; _w=$2; _r=$3; shift 3; _args=""
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do _args="$_args $(tail_of "${1%%:*}" "${1#*:}")"; shift; done
	[ "$1" = "--" ] && shift
	# shellcheck disable=SC2086
	check "tailcall: $_n" verdict_is "$_w" "$TOOLS/tailrun" $_args "$@" "$_r" xdpld_rootlet "$PKT"
}
tc "empty slots pass" XDP_PASS "$T4"
tc "pass then tx returns tx" XDP_TX "$T4" 0:pass 1:tx
tc "drop ends the chain before tx" XDP_DROP "$T4" 0:drop 1:tx
tc "last slot's verdict is returned" XDP_DROP "$T4" 0:pass 1:pass 2:pass 3:drop
tc "last slot's tx is returned" XDP_TX "$T4" 3:tx
tc "aborted ends the chain" XDP_ABORTED "$T4" 0:pass 1:aborted 2:tx
tc "bogus verdict 99 returns aborted" XDP_ABORTED "$T4" 0:bogus 1:tx
tc "negative verdict returns aborted" XDP_ABORTED "$T4" 0:pass 1:neg 2:tx
tc "nr_slots lowered in .rodata skips the tail" XDP_PASS "$T4" 0:pass 3:drop -- --rodata 0=3

T4M=$TMP/t4m.o
$XDPLD rootlet -o "$T4M" --slots 4 --backend tailcall --continue-on 0=pass,drop \
	--continue-on 1=tx --continue-on 2=aborted,pass
tc "mask: slots 0, 1 continue on drop, tx" XDP_TX "$T4M" 0:drop 1:tx 3:tx
tc "mask: slot 1 continues on tx, not pass" XDP_PASS "$T4M" 0:pass 1:pass 2:drop
tc "mask: slot 2 continues on aborted" XDP_DROP "$T4M" 0:pass 1:tx 2:aborted 3:drop
tc "mask: an invalid verdict ends the chain whatever the mask" XDP_ABORTED "$T4M" 0:pass 1:tx 2:bogus 3:drop
tc "mask overridden in .rodata: slot 0 stops on drop" XDP_DROP "$T4M" 0:drop 1:tx -- --rodata 8=4
T4ALL=$TMP/t4all.o
$XDPLD rootlet -o "$T4ALL" --slots 4 --backend tailcall --continue-on all=aborted,drop,pass,tx,redirect
tc "mask all: the last verdict wins" XDP_PASS "$T4ALL" 0:drop 1:tx 2:aborted 3:pass

count_run() {
	_p=$1; shift
	"$TOOLS/tailrun" --repeat 7 --pin-maps "$_p" "$@" >/dev/null
}
newpin
# shellcheck disable=SC2046
check "counters: run 7 packets through pass, tx" count_run "$P" $(tail_of 0 pass) $(tail_of 1 tx) "$T4" xdpld_rootlet "$PKT"
check "counters: slot0 pass 7, slot1 tx 7, nothing else" stats_are "$P/xdpld_stats" "slot0 pass 7
slot1 tx 7"
newpin
# shellcheck disable=SC2046
check "counters: run 7 packets into a bogus module" count_run "$P" $(tail_of 0 pass) $(tail_of 1 bogus) $(tail_of 2 drop) "$T4" xdpld_rootlet "$PKT"
check "counters: bogus counted invalid, later slots not run" stats_are "$P/xdpld_stats" "slot0 pass 7
slot1 invalid 7"
newpin
# shellcheck disable=SC2046
check "counters: aborted and the mask" count_run "$P" $(tail_of 0 drop) $(tail_of 1 tx) $(tail_of 2 aborted) $(tail_of 3 pass) "$T4M" xdpld_rootlet "$PKT"
check "counters: drop, tx, aborted, pass each counted once per packet" stats_are "$P/xdpld_stats" "slot0 drop 7
slot1 tx 7
slot2 aborted 7
slot3 pass 7"
newpin
# shellcheck disable=SC2046
check "counters: switched off in .rodata" count_run "$P" $(tail_of 0 pass) --rodata 4=0 "$T4" xdpld_rootlet "$PKT"
check "counters: none counted when off" stats_are "$P/xdpld_stats" ""
newpin
check "counters: standalone static rootlet with progrun" \
	"$TOOLS/progrun" --repeat 5 --pin-maps "$P" "$TMP/r2static.o" xdpld_rootlet "$PKT"
check "counters: placeholders pass and are counted" stats_are "$P/xdpld_stats" "slot0 pass 5
slot1 pass 5"
bpftool_sum() {
	bpftool map dump pinned "$P/xdpld_stats" >"$TMP/dump" || return 1
	grep -q '"value": 5' "$TMP/dump" || grep -qE 'value.*: 5' "$TMP/dump" || grep -qE '05 00 00 00 00 00 00 00' "$TMP/dump"
}
check "counters: bpftool map dump reads the per-CPU stats" bpftool_sum

# ---- verdict chains: static backend, modules linked into the slots ----

# link_chain OUT ROOTLET MODULE...: module i takes slot i.
link_chain() {
	_out=$1; _root=$2; shift 2; _i=0; _ins=""; _ren=""
	for _m in "$@"; do
		cp "$V/verdict_$_m.o" "$TMP/m${_i}_$_m.o"
		_ins="$_ins $TMP/m${_i}_$_m.o"
		_ren="$_ren --rename m${_i}_$_m.o:xdp_verdict=xdpld_slot$_i"
		_i=$((_i + 1))
	done
	# shellcheck disable=SC2086
	$XDPLD link -o "$_out" "$_root" $_ins $_ren
}
S3=$TMP/s3.o
$XDPLD rootlet -o "$S3" --slots 3
S3M=$TMP/s3m.o
$XDPLD rootlet -o "$S3M" --slots 3 --continue-on 0=pass,drop --continue-on 1=tx
# st NAME WANT ROOTLET MODULE...
st() {
	_n=$1; _w=$2; _r=$3; shift 3
	check "static: link $_n" link_chain "$TMP/l.o" "$_r" "$@"
	check "static: $_n" verdict_is "$_w" "$TOOLS/progrun" "$TMP/l.o" xdpld_rootlet "$PKT"
}
st "pass, tx, drop: tx ends it" XDP_TX "$S3" pass tx drop
st "pass, pass, drop: last verdict" XDP_DROP "$S3" pass pass drop
st "drop first" XDP_DROP "$S3" drop pass tx
st "bogus -> aborted" XDP_ABORTED "$S3" pass bogus tx
st "negative -> aborted" XDP_ABORTED "$S3" neg pass pass
st "mask: drop, tx continue" XDP_PASS "$S3M" drop tx pass
st "mask: drop, pass stops at slot 1" XDP_PASS "$S3M" drop pass drop
check "static: linked chain for counting" link_chain "$TMP/lc.o" "$S3" pass bogus tx
newpin
check "static: run 7 packets" "$TOOLS/progrun" --repeat 7 --pin-maps "$P" "$TMP/lc.o" xdpld_rootlet "$PKT"
check "static: counters slot0 pass, slot1 invalid" stats_are "$P/xdpld_stats" "slot0 pass 7
slot1 invalid 7"

# ---- freplace backend: two targets per slot and the selector ----
# The host kernel refuses extension programs, so only the placeholders run
# here: both targets return XDP_ABORTED (fail closed), whichever the
# selector picks.  test_ext (tests/unit) tries a real EXT load.

F3=$TMP/f3.o
$XDPLD rootlet -o "$F3" --slots 3 --backend freplace
# sel KEY VALUE: progrun's --map argument setting xdpld_sel[KEY] (u32s, host order).
sel() { printf -- '--map xdpld_sel=%02x000000:%02x000000' "$1" "$2"; }
inspect_freplace() {
	$XDPLD inspect "$F3" >"$TMP/fi" 2>&1 || { cat "$TMP/fi"; return 1; }
	for _w in "xdpld_rootlet section=xdp" xdpld_slot0_a xdpld_slot0_b xdpld_slot1_a \
		  xdpld_slot1_b xdpld_slot2_a xdpld_slot2_b; do
		grep -q "^  $_w " "$TMP/fi" || { echo "inspect lacks $_w"; cat "$TMP/fi"; return 1; }
	done
	grep -q '^  xdpld_sel definition=btf type=array .*key_size=4 value_size=4 max_entries=3 ' "$TMP/fi" ||
		{ echo "inspect lacks the xdpld_sel map"; cat "$TMP/fi"; return 1; }
	! grep -qE '^  xdpld_slot[0-9]+ ' "$TMP/fi" || { echo "a plain slot function exists"; return 1; }
	$XDPLD inspect --json "$F3" | grep -q '"xdpld_slot2_b"'
}
check "freplace: xdpld inspect lists both targets per slot and xdpld_sel" inspect_freplace
check "freplace: placeholders abort (selector 0, libbpf)" \
	verdict_is XDP_ABORTED "$TOOLS/progrun" "$F3" xdpld_rootlet "$PKT"
# shellcheck disable=SC2046
check "freplace: placeholders abort (selector 1, libbpf)" \
	verdict_is XDP_ABORTED "$TOOLS/progrun" $(sel 0 1) "$F3" xdpld_rootlet "$PKT"
check "freplace: placeholders abort (xdpld's loader)" \
	verdict_is XDP_ABORTED $XDPLD run "$F3" xdpld_rootlet "$PKT"
newpin
check "freplace: run 5 packets, selector 0" "$TOOLS/progrun" --repeat 5 --pin-maps "$P" "$F3" xdpld_rootlet "$PKT"
check "freplace: counted as aborted in slot 0" stats_are "$P/xdpld_stats" "slot0 aborted 5"
# sel_are PINNED_MAP V0,V1,V2: the selector's values, as bpftool dumps them.
sel_are() {
	_got=$(bpftool map dump pinned "$1" | tr -d ' \n\t')
	_want=$(echo "$2" | awk -F, '{ for (i = 1; i <= NF; i++) printf "%s{\"key\":%d,\"value\":%s}", (i > 1 ? "," : "["), i - 1, $i; print "]" }')
	[ "$_got" = "$_want" ] || { echo "got $_got, want $_want"; return 1; }
}
check "freplace: the selector starts at 0 (target a) for every slot" sel_are "$P/xdpld_sel" 0,0,0
F3A=$TMP/f3a.o
$XDPLD rootlet -o "$F3A" --slots 3 --backend freplace --continue-on all=aborted
newpin
# shellcheck disable=SC2046
check "freplace: selectors 1, 0, 7 with every slot continuing on aborted" \
	"$TOOLS/progrun" --repeat 4 --pin-maps "$P" $(sel 0 1) $(sel 2 7) "$F3A" xdpld_rootlet "$PKT"
check "freplace: every slot ran its selected placeholder" stats_are "$P/xdpld_stats" "slot0 aborted 4
slot1 aborted 4
slot2 aborted 4"
check "freplace: the selector holds what was set" sel_are "$P/xdpld_sel" 1,0,7
F3N=$TMP/f3n.o
check "freplace: --no-counters still has the selector" sh -c \
	"$XDPLD rootlet -o $F3N --slots 3 --backend freplace --no-counters &&
	 $XDPLD inspect $F3N | grep -q '^  xdpld_sel ' && ! $XDPLD inspect $F3N | grep -q xdpld_stats"
# shellcheck disable=SC2046
check "freplace: --no-counters aborts with selector 1" \
	verdict_is XDP_ABORTED "$TOOLS/progrun" $(sel 1 1) "$F3N" xdpld_rootlet "$PKT"
check "freplace: nr_slots lowered to 0 in .rodata passes" \
	verdict_is XDP_PASS $XDPLD run "$F3" xdpld_rootlet "$PKT" --set xdpld_cfg=0x0000000001000000040000000400000004000000
# Linking, as the other rootlets: deterministic, reproducible after one pass,
# targets still global functions, and the result runs the same.
check "freplace: links deterministically" sh -c \
	"$XDPLD link -o $TMP/fl1.o $F3 && $XDPLD link -o $TMP/fl1b.o $F3 && cmp $TMP/fl1.o $TMP/fl1b.o"
check "freplace: relinks reproducibly" sh -c \
	"$XDPLD link -o $TMP/fl2.o $TMP/fl1.o && $XDPLD link -o $TMP/fl3.o $TMP/fl2.o && cmp $TMP/fl2.o $TMP/fl3.o"
check "freplace: relinked targets stay BTF-global" btf_has "$TMP/fl3.o" \
	"FUNC 'xdpld_slot2_a' type_id=[0-9]+ linkage=global" \
	"FUNC 'xdpld_slot2_b' type_id=[0-9]+ linkage=global" "VAR 'xdpld_sel'"
check "freplace: relinked targets stay ELF-global" sh -c \
	"llvm-readelf -s $TMP/fl3.o | grep -E 'GLOBAL +DEFAULT .* xdpld_slot[0-9]_[ab]\$' | wc -l | grep -qx 6"
# shellcheck disable=SC2046
check "freplace: relinked rootlet aborts with selector 1" \
	verdict_is XDP_ABORTED "$TOOLS/progrun" $(sel 0 1) "$TMP/fl3.o" xdpld_rootlet "$PKT"
check "freplace: relinked rootlet loads with xdpld" $XDPLD verify "$TMP/fl3.o"

# ---- libxdp run-config metadata ----

RC=$TBPF/rootlet_runcfg.o
runcfg_is() {
	_out=$($XDPLD rootlet --show-runcfg "$1") || { echo "$_out"; return 1; }
	[ "$(echo "$_out" | tail -n 2 | tr '\n' ' ')" = "$2" ] || { echo "got: $_out"; return 1; }
}
check "runcfg: priority and continue actions" runcfg_is "$RC:xdp_first" "priority 10 continue-on drop pass "
check "runcfg: clearing pass, setting tx, default priority" runcfg_is "$RC:xdp_second" "priority 50 continue-on tx "
check "runcfg: no metadata gives libxdp's defaults" runcfg_is "$RC:xdp_third" "priority 50 continue-on pass "
check_fails "runcfg: plain integer member rejected" "'_xdp_plain' member #0 \('priority'\) is not" \
	$XDPLD rootlet --show-runcfg "$TBPF/rootlet_runcfg_bad.o:xdp_plain"
check_fails "runcfg: unknown member rejected" "unknown member 'XDP_BOUNCE'" \
	$XDPLD rootlet --show-runcfg "$TBPF/rootlet_runcfg_bad.o:xdp_unknown"
