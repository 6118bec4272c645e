#!/bin/sh
# Builds the libFuzzer harnesses and runs each for SECONDS (default 60).
# For people, not part of `make check`:
#   tests/fuzz/run.sh [SECONDS] [HARNESS...]     e.g. tests/fuzz/run.sh 300 fuzz_obj
# SECONDS 0 only builds $FUZZ_DIR/bin/HARNESS; run one on a file to replay it
# (FUZZ_VERBOSE=1 shows xdpld's messages).
#   tests/fuzz/run.sh regress     rewrites the hand-made objects in regress/
# Needs clang with libFuzzer (clang-14 + libclang-rt-14-dev) and the seed
# objects from `make O=$O tests` (O defaults to build).  Work files go to
# $FUZZ_DIR (default $O/fuzz): corpus/<harness>/ grows across runs, crashes
# land in crashes/<harness>/.  Exits non-zero when a harness found something.
set -e
cd "$(dirname "$0")/../.."
: "${O:=build}"
: "${FUZZ_DIR:=$O/fuzz}"
: "${CLANG:=clang}"
SECONDS_EACH=${1:-60}
[ $# -gt 0 ] && shift
HARNESSES=${*:-fuzz_obj fuzz_btf fuzz_link fuzz_record fuzz_uci fuzz_core}

FLAGS="-std=c11 -D_DEFAULT_SOURCE -g -O1 -fno-omit-frame-pointer -Iloader
 $(pkg-config --cflags libnl-3.0 libnl-route-3.0)"
SAN="-fsanitize=address,undefined -fno-sanitize-recover=all"
LIBS="-lelf -lz $(pkg-config --libs libnl-route-3.0 libnl-3.0)"

# The loader without main, the commands and log.c (fuzz_common.h has the
# log functions), instrumented for coverage.
mkdir -p "$FUZZ_DIR/lib"
LIB=""
for src in loader/*/*.c; do
	name=$(basename "$src" .c)
	case $name in main|log|cmd_*) continue ;; esac
	dir=$(basename "$(dirname "$src")")
	out=$FUZZ_DIR/lib/${dir}_$name.o
	if [ ! -f "$out" ] || [ "$src" -nt "$out" ] || [ -n "$(find loader -name '*.h' -newer "$out")" ]; then
		echo "CC $src"
		$CLANG $FLAGS $SAN -fsanitize=fuzzer-no-link -c -o "$out" "$src"
	fi
	LIB="$LIB $out"
done

seed_objects() {
	for f in "$O"/firmware/*.o "$O"/firmware/be/*.o "$O"/tests/bpf/*.o "$O"/tests/bpf/be/*.o; do
		[ -f "$f" ] && echo "$f"
	done
}

# seeds HARNESS DIR: the starting corpus
seeds() {
	mkdir -p "$2"
	case $1 in
	fuzz_obj|fuzz_link)
		for f in $(seed_objects); do
			cp "$f" "$2/$(echo "$f" | tr / _)"
		done
		cp tests/fuzz/regress/*.o "$2/" 2>/dev/null || true ;;
	fuzz_btf)
		# mode byte 0 + .BTF; the .BTF.ext seed comes from the harness
		for f in $(seed_objects); do
			n=$2/$(echo "$f" | tr / _)
			if llvm-objcopy --dump-section .BTF="$n.raw" "$f" /dev/null 2>/dev/null; then
				{ printf '\000'; cat "$n.raw"; } >"$n.btf"
			fi
			rm -f "$n.raw"
		done
		for f in tests/fuzz/regress/*.btf; do
			[ -f "$f" ] && { printf '\000'; cat "$f"; } >"$2/$(basename "$f")"
		done
		FUZZ_SEED_DIR=$2 "$FUZZ_DIR/bin/fuzz_btf" -runs=0 "$2" >/dev/null 2>&1 ;;
	fuzz_record)
		printf 'iface=veth0\nprog_id=42\nmaps=a,b\n' >"$2/basic"
		printf '' >"$2/empty" ;;
	fuzz_uci)
		cp policies/xdpld "$2/policy" 2>/dev/null || true
		cp tests/fuzz/regress/*.uci "$2/" ;;
	fuzz_core)
		# each CO-RE test object with its minimized target BTF (xdpld btfgen
		# against the running kernel's), framed by the harness itself
		pairs=""
		for f in "$O"/tests/bpf/core_*.o "$O"/bench/core?.o; do
			[ -f "$f" ] || continue
			b=$2/$(basename "$f" .o).btf.tmp
			"$O/xdpld" -q btfgen -o "$b" "$f" 2>/dev/null && pairs="$pairs $f:$b"
		done
		# and the hand-made target BTFs of regress/ under core_fields.o
		for b in tests/fuzz/regress/*core*.btf; do
			pairs="$pairs $O/tests/bpf/core_fields.o:$b"
		done
		FUZZ_SEED_DIR=$2 FUZZ_SEED_OBJS=$pairs "$FUZZ_DIR/bin/fuzz_core" -runs=0 "$2" >/dev/null 2>&1
		rm -f "$2"/*.btf.tmp ;;
	esac
}

mkdir -p "$FUZZ_DIR/bin"
if [ "$SECONDS_EACH" = regress ]; then
	$CLANG $FLAGS $SAN -o "$FUZZ_DIR/bin/mkregress" tests/fuzz/mkregress.c $LIB $LIBS \
		-fsanitize=fuzzer-no-link
	exec "$FUZZ_DIR/bin/mkregress" "$O/tests/bpf" tests/fuzz/regress
fi
status=0
for h in $HARNESSES; do
	echo "LINK $h"
	$CLANG $FLAGS $SAN -fsanitize=fuzzer -o "$FUZZ_DIR/bin/$h" "tests/fuzz/$h.c" $LIB $LIBS
	[ "$SECONDS_EACH" = 0 ] && continue
	corpus=$FUZZ_DIR/corpus/$h
	crashes=$FUZZ_DIR/crashes/$h
	[ -d "$corpus" ] || seeds "$h" "$corpus"
	mkdir -p "$crashes"
	echo "RUN $h for ${SECONDS_EACH}s"
	FUZZ_DUMP_DIR=$crashes ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
	"$FUZZ_DIR/bin/$h" -max_total_time="$SECONDS_EACH" -max_len=65536 -timeout=10 \
		-rss_limit_mb=2048 -artifact_prefix="$crashes/" -print_final_stats=1 \
		"$corpus" || status=1
done
exit $status
