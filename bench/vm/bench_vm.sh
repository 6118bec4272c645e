#!/bin/sh
# The bench's VM part (busybox sh, run by run-scenarios as scenario
# bench_vm; bench/vm/run.sh puts it into a copy of the test image).  The VM
# kernel runs EXT programs, so here xdpld's freplace backend and libxdp's
# dispatcher with real modules work.  Prints "BENCH metric,variant,n,value,unit"
# lines (results.csv rows) on the console; bench/bench.py collects them.
#   relink_ms freplace-vm / tailcall-vm / chain-vm N: xdpld relink of the
#     middle slot of a pipeline of N (median of R, rounds interleaved over N)
#   relink_ms xdp-loader-vm N: with N programs in libxdp's dispatcher,
#     xdp-loader unload of one + load of its new build (the same way)
#   cold_ms xdpld-attach-vm 3 / xdp-loader-vm 3: the 3 sample modules
# Times are TCG wall times (qemu emulation): compare them with each other,
# never with the host's.
. "$TESTDIR/lib.sh"
B=/usr/lib/xdpld-bench
# bench_vm.relinks=R and bench_vm.nmax=N on the kernel command line (bench/vm/run.sh)
R=7; NMAX=10
for arg in $(cat /proc/cmdline); do
	case $arg in
	bench_vm.relinks=*) R=${arg#*=} ;;
	bench_vm.nmax=*) NMAX=${arg#*=} ;;
	esac
done
ST=/sys/fs/bpf/xdpld-bench
export LIBXDP_OBJECT_PATH=$B/bpf LD_LIBRARY_PATH=$B/lib
XL="$B/xdp-loader"
row() { echo "BENCH $1" >/dev/console; echo "BENCH $1"; }
note() { echo "BENCHNOTE $1" >/dev/console; echo "BENCHNOTE $1"; }
# firstmsg FILE: the first line that says what went wrong
firstmsg() { { grep -m1 -iE 'libxdp|error|couldn|not found|no such' "$1" || head -n 1 "$1"; } | cut -c1-160; }
ms() { echo "$1 $2" | awk '{ printf "%.1f", ($2 - $1) / 1e6 }'; }
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.1f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
mods() { _d=$1; _n=$2; _i=0; while [ $_i -lt "$_n" ]; do printf '%s/%s/mod%02d.o ' "$B" "$_d" $_i; _i=$((_i + 1)); done; }

# libxdp keeps its pins in /sys/fs/bpf/xdp
mkdir -p /sys/fs/bpf/xdp
# xdp-loader takes its program lock in /run, which the image lacks
[ -d /run ] || mkdir /run
# bx0 for the cold apply; bxN (N = 1..NMAX) holds the pipeline of N
n=0
while [ $n -le "$NMAX" ]; do
	veth_pair bx$n by$n && ip link set bx$n up && ip link set by$n up || exit 1
	n=$((n + 1))
done

# relink_one TOOL N ROUND: one re-link (or xdp-loader unload + load) of the
# pipeline of N, its time in ms appended to times-TOOL-N
relink_one() {
	_n=$2; _slot=$(($2 / 2)); _d=a; [ $(($3 % 2)) = 0 ] && _d=b
	if [ "$1" = xdp-loader ]; then
		_id=$($XL status bx$_n 2>/dev/null | awk '$1 == "=>" { print $4; exit }')
		_t0=$($B/nowns)
		{ $XL unload bx$_n -i "$_id" && $XL load -m native bx$_n "$B/$_d/mod00.o"; } >err 2>&1 || return 1
	else
		_t0=$($B/nowns)
		$XDPLD relink bx$_n $_slot "$B/$_d/$(printf 'mod%02d.o' $_slot)" --state-dir $ST >/dev/null 2>err ||
			return 1
	fi
	_t1=$($B/nowns)
	ms "$_t0" "$_t1" >>"times-$1-$_n"; echo >>"times-$1-$_n"
}

# Per tool: the pipelines of N = 1..NMAX set up at once, then R rounds that
# each re-link every pipeline once (rotating the start), so a slow moment
# of the emulator hits every N alike; the median per N.
for tool in freplace tailcall chain xdp-loader; do
	ok=1; n=1
	while [ $n -le "$NMAX" ]; do
		if [ $tool = xdp-loader ]; then
			# N programs in libxdp's dispatcher
			$XL load -m native bx$n $(mods a $n) >err 2>&1
		else
			$XDPLD attach bx$n $(mods a $n) --backend $tool --mode native --state-dir $ST >err 2>&1
		fi || { note "relink_ms,$tool-vm,set-up N=$n failed: $(firstmsg err)"; ok=0; break; }
		n=$((n + 1))
	done
	[ $tool = xdp-loader ] && [ $ok = 1 ] && $XL status bx5 >status5.txt 2>&1
	k=0
	while [ $ok = 1 ] && [ $k -lt "$R" ]; do
		i=0
		while [ $i -lt "$NMAX" ]; do
			n=$(((i + k) % NMAX + 1))
			relink_one $tool $n $k ||
				{ note "relink_ms,$tool-vm,N=$n failed: $(firstmsg err)"; ok=0; break; }
			i=$((i + 1))
		done
		k=$((k + 1))
	done
	n=1
	while [ $n -le "$NMAX" ]; do
		[ $ok = 1 ] && row "relink_ms,$tool-vm,$n,$(median <"times-$tool-$n"),ms"
		if [ $tool = xdp-loader ]; then
			$XL unload bx$n --all >/dev/null 2>&1
		else
			$XDPLD detach bx$n --state-dir $ST >/dev/null 2>&1
		fi
		n=$((n + 1))
	done
done
sed 's/^/status5: /' status5.txt 2>/dev/null

# cold apply of the three sample modules
for tool in xdpld xdp-loader; do
	k=0; : >times
	while [ $k -lt "$R" ]; do
		t0=$($B/nowns)
		if [ $tool = xdpld ]; then
			$XDPLD attach bx0 $FW/fw_acme.o $FW/fw_bolt.o $FW/lb.o --mode native --state-dir $ST >err 2>&1
		else
			$XL load -m native bx0 $FW/fw_acme.o $FW/fw_bolt.o $FW/lb.o >err 2>&1
		fi || { note "cold_ms,$tool-vm,failed: $(firstmsg err)"; break; }
		t1=$($B/nowns)
		ms "$t0" "$t1" >>times; echo >>times
		$XDPLD detach bx0 --state-dir $ST >/dev/null 2>&1
		$XL unload bx0 --all >/dev/null 2>&1
		k=$((k + 1))
	done
	name=$tool-vm; [ $tool = xdpld ] && name=xdpld-attach-vm
	[ -s times ] && [ $k = "$R" ] && row "cold_ms,$name,3,$(median <times),ms"
done
n=0
while [ $n -le "$NMAX" ]; do ip link del bx$n; n=$((n + 1)); done
echo "BENCH done" >/dev/console
exit 0
