#!/bin/sh
# --set on members of a .rodata struct (tests/bpf/setpath.bpf.c): the
# verdict follows the member set, nested members, array elements, union and
# anonymous members; every other byte of the struct keeps its initial value
# (the program returns XDP_ABORTED otherwise); bad paths and values fail
# naming the variable and member.
. tests/lib.sh

CORPUS=$TMP/corpus
mkdir -p "$CORPUS"
"$TOOLS/pktcorpus" "$CORPUS" >/dev/null || { not_ok "pktcorpus"; exit 0; }
ONE=$(ls "$CORPUS"/*.pkt | head -n 1)
OBJ=$TBPF/setpath.o
export XDPLD_CHECK_FD_LEAKS=1

# verdict WANT ARGS...: `xdpld run OBJ xdp_setpath ONE ARGS...` gives WANT.
verdict() {
	_want=$1; shift
	"$XDPLD" run "$OBJ" xdp_setpath "$ONE" "$@" >"$TMP/v.txt" || return 1
	cat "$TMP/v.txt"
	[ "$(awk '{ print $2 }' "$TMP/v.txt")" = "$_want" ]
}
# fails NAME PATTERN ARGS...: `xdpld run` exits 1 exactly, prints PATTERN,
# no sanitizer report, no leaked descriptor.
fails() {
	_name=$1; _pat=$2; shift 2
	"$XDPLD" run "$OBJ" xdp_setpath "$ONE" "$@" >"$TMP/f.txt" 2>&1; _rc=$?
	if [ $_rc -eq 1 ] && grep -qE -- "$_pat" "$TMP/f.txt" &&
	   ! grep -qE 'Sanitizer|runtime error|fd leak' "$TMP/f.txt"; then ok "$_name"
	else not_ok "$_name (exit $_rc)"; sed 's/^/    /' "$TMP/f.txt" | tail -n 20; fi
}
EN="--set conf.num_progs_enabled=1"

# --- the verdict follows the member ---
check "initial values: XDP_PASS" verdict XDP_PASS
check "conf.num_progs_enabled=1: conf.verdict decides (XDP_DROP)" verdict XDP_DROP $EN
check "conf.verdict=3 too: XDP_TX" verdict XDP_TX $EN --set conf.verdict=3
check "overrides apply in order: conf.verdict=3 then =2" \
	verdict XDP_PASS $EN --set conf.verdict=3 --set conf.verdict=2
check "nested through a typedef and const: conf.limits.pps=1000 (XDP_TX)" \
	verdict XDP_TX $EN --set conf.limits.pps=1000
check "hex integer: conf.limits.pps=0x3e8" verdict XDP_TX $EN --set conf.limits.pps=0x3e8
check "array element: conf.ports[2]=80 (XDP_DROP)" verdict XDP_DROP $EN --set conf.verdict=3 \
	--set 'conf.ports[2]=80'
check "member of an anonymous struct: conf.anon_a=7 (XDP_TX)" verdict XDP_TX $EN --set conf.anon_a=7
check "union member and element: conf.mode.half[0]=3 (XDP_TX)" \
	verdict XDP_TX $EN --set 'conf.mode.half[0]=3'
check "union member: conf.mode.raw=1 (XDP_DROP)" verdict XDP_DROP $EN --set conf.verdict=3 \
	--set conf.mode.raw=1
check "a whole nested struct as an 8-byte integer (little-endian host)" \
	verdict XDP_TX $EN --set conf.limits=0xaa090007000003e8
# The guard works: a member no other test sets, changed, is noticed.
check "changing conf.limits.burst is noticed (XDP_ABORTED)" \
	verdict XDP_ABORTED --set conf.limits.burst=8
# conf with num_progs_enabled=1, verdict=3 (or 1), the rest as initialized
CONF="01000000 03000000 0a000000 0700 09 aa 163508c8 00000000 00000000 55000000 0b000000
      00000000 8877665544332211"
CONF_TX=0x$(echo $CONF | tr -d ' ')
CONF_DROP=0x$(echo $CONF | tr -d ' ' | sed 's/^0100000003/0100000001/')
check "the whole variable still takes 0x and 2 hex digits per byte" verdict XDP_TX --set conf=$CONF_TX
check "the whole variable: verdict 1" verdict XDP_DROP --set conf=$CONF_DROP
check "a member after the whole variable overrides it" \
	verdict XDP_TX --set conf=$CONF_DROP --set conf.verdict=3
check "the whole variable after a member overrides it" \
	verdict XDP_DROP --set conf.verdict=3 --set conf=$CONF_DROP
check "verify of a linked object takes a member path" \
	"$XDPLD" verify "$OBJ" "$TBPF/verdict_pass.o" --set conf.limits.pps=5

# --- refused, naming the variable and member ---
fails "unknown member: names the struct and lists its members" \
	"struct setpath_conf \(conf\) has no member 'nosuch'; its members: num_progs_enabled, verdict, limits" \
	--set conf.nosuch=1
fails "unknown nested member names the nested struct" \
	"struct setpath_limits \(conf.limits\) has no member 'ppx'; its members: pps, burst, level, spare" \
	--set conf.limits.ppx=1
fails "bit field refused" "conf.flag_b is a bit field" --set conf.flag_b=1
fails "value too large for a 1-byte member" "member conf.limits.level is 1 bytes" \
	--set conf.limits.level=256
fails "negative value too small for a 2-byte member" "member conf.limits.burst is 2 bytes" \
	--set conf.limits.burst=-32769
fails "path into an int member" "conf.verdict is INT unsigned int, not a struct or union" --set conf.verdict.x=1
fails "path into an int variable" "plain is INT unsigned int, not a struct or union" --set plain.x=1
fails "index into a non-array" "conf.verdict is INT unsigned int, not an array" --set 'conf.verdict[0]=1'
fails "index out of range" "index 4 is outside conf.ports\[4\]" --set 'conf.ports[4]=1'
fails "malformed index" "expected .MEMBER or \[INDEX\] after conf.ports" --set 'conf.ports[-1]=1'
fails "member of an array" "conf.ports is ARRAY, not a struct or union" --set conf.ports.x=1
fails "unknown variable" "no variable nosuch in .rodata" --set nosuch.a=1
fails "too deep" "more than 16 members deep" \
	--set conf.limits.a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q=1
fails "hex integer too large for a 4-byte member" "member conf.limits.pps is 4 bytes" \
	--set conf.limits.pps=0x0102030405
llvm-objcopy --remove-section=.BTF --remove-section=.BTF.ext "$OBJ" "$TMP/nobtf.o"
fails_nobtf() { OBJ=$TMP/nobtf.o fails "$@"; }
fails_nobtf "without BTF a member path is refused, naming the variable" \
	"no BTF for variable conf, so its members are unknown" --set conf.verdict=1
check "without BTF the whole variable can still be set" \
	sh -c "OBJ=$TMP/nobtf.o; $XDPLD run \$OBJ xdp_setpath $ONE --set conf=$CONF_TX | grep -q XDP_TX"
"$XDPLD" run "$TBPF/be/setpath.o" xdp_setpath "$ONE" --set conf.limits.pps=1000 >"$TMP/be.txt" 2>&1
check "big-endian object: the path resolves, then the object is refused" \
	sh -c "grep -q big-endian $TMP/be.txt && ! grep -q member $TMP/be.txt"
