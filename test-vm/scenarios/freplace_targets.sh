#!/bin/sh
# The freplace rootlet on the router kernel, with the static xdpld alone:
# two global target functions per slot (xdpld_slot<i>_a, _b) and the
# selector map xdpld_sel, generated, verified (global functions taking
# struct xdp_md * need the kernel's BTF) and run with BPF_PROG_TEST_RUN,
# where the placeholders abort (fail closed); 64 slots with every slot
# continuing on aborted run them all; nr_slots 0 runs none.  Attaching
# extension programs to the targets needs a command that loads them (the
# coming relink); tests/unit/test_ext.c covers the loader side on the host.
set -eu
fail() { echo "FAIL: $*"; exit 1; }
# run CMD...: runs CMD, shows its output only when it fails.
run() { "$@" >out 2>&1 || { cat out; fail "$*"; }; }
# verdict_is WANT: the verdict in `xdpld run`'s output.
verdict_is() { [ "$(cut -d' ' -f2 out)" = "$1" ] || { cat out; fail "verdict is not $1"; }; }
. "$TESTDIR/lib.sh"

[ -f /sys/kernel/btf/vmlinux ] || skip "needs kernel BTF for the freplace rootlet (kernel has no BTF)"
head -c 64 /dev/zero >p64.pkt

run "$XDPLD" rootlet -o f3.o --slots 3 --backend freplace
run "$XDPLD" inspect f3.o
for t in xdpld_slot0_a xdpld_slot0_b xdpld_slot1_a xdpld_slot1_b xdpld_slot2_a xdpld_slot2_b; do
	grep -q "^  $t " out || { cat out; fail "inspect lists no $t"; }
done
grep -q '^  xdpld_sel definition=btf type=array ' out || { cat out; fail "inspect lists no xdpld_sel"; }
run "$XDPLD" verify f3.o
grep -q '^program xdpld_rootlet section xdp type xdp ' out || { cat out; fail "verify: no xdpld_rootlet"; }
grep -q '^map xdpld_sel type array key 4 value 4 max_entries 3 ' out || { cat out; fail "verify: no xdpld_sel"; }
echo "a 3-slot freplace rootlet verifies: $(grep '^program' out)"

run "$XDPLD" run f3.o xdpld_rootlet p64.pkt
verdict_is XDP_ABORTED
echo "its placeholders abort"
# xdpld_cfg: nr_slots 0, counters 1, three masks 1 << XDP_PASS.
run "$XDPLD" run f3.o xdpld_rootlet p64.pkt \
	--set xdpld_cfg=0x0000000001000000040000000400000004000000
verdict_is XDP_PASS
echo "with nr_slots 0 no slot runs: XDP_PASS"

run "$XDPLD" rootlet -o f64.o --slots 64 --backend freplace --continue-on all=aborted
run "$XDPLD" run f64.o xdpld_rootlet p64.pkt
verdict_is XDP_ABORTED
run "$XDPLD" verify f64.o
echo "64 slots (129 functions) verify and run: $(grep '^program' out)"
