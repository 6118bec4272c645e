#!/bin/sh
# Build libbpf (tests only: the VM's probe_ext and bpfobj) for a router
# target from Debian's source package, the way build-static-deps.sh builds
# libelf, and install libbpf.a and its headers (bpf/) into PREFIX, which
# must already hold that target's zlib and libelf (build-static-deps.sh).
#
#   scripts/build-static-libbpf.sh PREFIX CC
#
# Does nothing when PREFIX/lib/libbpf.a exists.  The source package is
# fetched into cache/src by scripts/fetch-source.sh, as for the others.
set -eu
PREFIX=${1:?usage: build-static-libbpf.sh PREFIX CC}
CC=${2:?usage: build-static-libbpf.sh PREFIX CC}
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}
[ -f "$PREFIX/lib/libbpf.a" ] && exit 0
case $PREFIX in /*) ;; *) PREFIX=$(pwd)/$PREFIX ;; esac
[ -f "$PREFIX/lib/libelf.a" ] && [ -f "$PREFIX/lib/libz.a" ] ||
	{ echo "build-static-libbpf: no libelf/zlib in $PREFIX (make static first)" >&2; exit 1; }
CACHE=$(dirname "$PREFIX")
SRC=$CACHE/src
BUILD=$CACHE/build-$(basename "$PREFIX")
mkdir -p "$SRC" "$BUILD"
log() { echo "build-static-libbpf: $*" >&2; }

sh "$(dirname "$0")/fetch-source.sh" "$CACHE" libbpf
tarball=$(ls "$SRC"/libbpf_*.orig.tar.* | grep -v '\.asc$' | head -n 1)
rm -rf "${BUILD:?}/libbpf"
mkdir -p "$BUILD/libbpf"
tar -xf "$tarball" -C "$BUILD/libbpf"
d=$(ls -d "$BUILD/libbpf"/*/ | head -n 1)
log "building libbpf"
# libbpf's own include/uapi comes first (newer than the installed UAPI).
if ! make -C "$d/src" -j"$JOBS" BUILD_STATIC_ONLY=y OBJDIR="$BUILD/libbpf/obj" \
	CC="$CC" CFLAGS="-Os -fno-asynchronous-unwind-tables -I$PREFIX/include" \
	"$BUILD/libbpf/obj/libbpf.a" >"$BUILD/libbpf.log" 2>&1; then
	tail -n 30 "$BUILD/libbpf.log" >&2
	log "failed, see $BUILD/libbpf.log"
	exit 1
fi
mkdir -p "$PREFIX/include/bpf"
cp "$d"/src/bpf.h "$d"/src/libbpf.h "$d"/src/btf.h "$d"/src/libbpf_common.h \
	"$d"/src/libbpf_legacy.h "$d"/src/libbpf_version.h "$d"/src/bpf_helpers.h \
	"$d"/src/bpf_helper_defs.h "$d"/src/bpf_tracing.h "$d"/src/bpf_endian.h \
	"$d"/src/bpf_core_read.h "$d"/src/skel_internal.h "$d"/src/usdt.bpf.h "$PREFIX/include/bpf/" 2>/dev/null || true
cp "$BUILD/libbpf/obj/libbpf.a" "$PREFIX/lib/"
log "done: $PREFIX/lib/libbpf.a"
