#!/bin/sh
# The bench harness (`make bench`, bench/bench.py) runs to the end in its
# quick mode (BENCH_QUICK=1: N = 1, 2, few rounds) and writes results.csv
# with the documented columns and the rows every run must have, prints its
# table and leaves no namespace or bpffs state behind.  It never looks at
# the numbers: performance targets are for `make bench`, not for tests.
. tests/lib.sh

check "bench: the bench objects and benchrun build" \
	make --no-print-directory O="$O" "$O/bench/mod.o" "$O/bench/mod_v2.o" "$O/bench/floor.o" \
	"$O/bench/benchrun" "$O/bench/core0.o" "$O/bench/core1.o" "$O/bench/core2.o" "$O/bench/core3.o" \
	"$O/bench/coreload"
# every command runs the binary under test (the static one may be stale)
export BENCH_OUT="$TMP/bench" BENCH_QUICK=1 BENCH_TAG="xdpld-bench-t$$" XDPLD XDPLD_STATIC="$XDPLD"
check "bench: quick run exits 0" sh -c 'python3 bench/bench.py >"$BENCH_OUT.table" 2>"$BENCH_OUT.log" ||
	{ cat "$BENCH_OUT.log"; exit 1; }'
CSV=$BENCH_OUT/results.csv

check "bench: results.csv header is metric,variant,n,value,unit" \
	sh -c "[ \"\$(head -n 1 '$CSV')\" = metric,variant,n,value,unit ]"
check "bench: every row has 5 fields, an integer n, a number and a known unit" \
	awk -F, 'NR > 1 && (NF != 5 || $3 !~ /^[0-9]+$/ || $4 !~ /^-?[0-9]+(\.[0-9]+)?$/ ||
		$5 !~ /^(ns|ms|KB|B)$/) { print "bad row " NR ": " $0; bad = 1 } END { exit bad }' "$CSV"

# has METRIC VARIANT N: results.csv has that row.
has() { grep -q "^$1,$2,$3," "$CSV" || { echo "no row $1,$2,$3"; return 1; }; }
for n in 1 2; do
	for v in floor static-calls static+counters tailcall; do
		check "bench: pkt_ns $v N=$n" has pkt_ns "$v" $n
	done
	check "bench: slot_ns static-calls N=$n" has slot_ns static-calls $n
	for b in static tailcall; do
		check "bench: relink_ms $b N=$n" has relink_ms $b $n
	done
done
check "bench: pkt_ns of the empty program" has pkt_ns empty-prog 1
if [ -e /usr/lib/x86_64-linux-gnu/bpf/xdp-dispatcher.o ]; then
	check "bench: pkt_ns libxdp-empty N=1 (libxdp's dispatcher object)" has pkt_ns libxdp-empty 1
fi
check "bench: cold_ms and rss_kb of a 3-module attach" \
	sh -c "has() { grep -q \"^\$1,\$2,\$3,\" '$CSV'; }; has cold_ms xdpld-attach 3 && has rss_kb xdpld-attach 3"
if command -v xdp-loader >/dev/null; then
	check "bench: xdp-loader measured (re-link N=1, footprint)" \
		sh -c "grep -q '^relink_ms,xdp-loader,1,' '$CSV' && grep -q '^size_bytes,xdp-loader+libs,0,' '$CSV'"
fi
if [ -r /sys/kernel/btf/vmlinux ]; then
	for v in xdpld-full libbpf-full xdpld-min xdpld-nocore; do
		check "bench: CO-RE core_ms and core_rss_kb $v N=4" \
			sh -c "grep -q '^core_ms,$v,4,' '$CSV' && grep -q '^core_rss_kb,$v,4,' '$CSV'"
	done
fi
check_out "bench: the table has all five parts and the targets" \
	'^targets' sh -c "grep -E '^(1\\. per-packet|2\\. re-link|3\\. cold apply|4\\. footprint|5\\. CO-RE|targets)' '$BENCH_OUT.table'"
check "bench: a variant that does not exist is a row 'n/a: ...', not an error" \
	grep -qE '^  [a-z+-]+ +n/a: ' "$BENCH_OUT.table"
if command -v gnuplot >/dev/null; then
	check "bench: the plot is a PNG" sh -c "file '$BENCH_OUT/bench.png' | grep -q 'PNG image'"
fi
check "bench: no namespace or bpffs state left behind" \
	sh -c '! ip netns list | grep -qw "$BENCH_TAG" && [ ! -e "/sys/fs/bpf/$BENCH_TAG" ]'
