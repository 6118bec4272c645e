#!/bin/sh
# Build the libraries the static xdpld links (zlib, libelf, libnl-3 and
# libnl-route-3) from Debian's source packages with a musl toolchain, and
# install them into PREFIX together with the Linux UAPI headers.
#
#   scripts/build-static-deps.sh PREFIX [CC]
#
# CC defaults to musl-gcc (native x86_64).  For another target pass its
# cross compiler and set HOST_TRIPLET (e.g. aarch64-linux-musl) and
# UAPI_ASM (the folder holding that target's asm/ headers).
# Does nothing when PREFIX already holds all the libraries.  Sources and
# apt state live in cache/ next to PREFIX's parent, never in the system.
set -eu

PREFIX=${1:?usage: build-static-deps.sh PREFIX [CC]}
CC=${2:-musl-gcc}
HOST_TRIPLET=${HOST_TRIPLET:-}
UAPI_ASM=${UAPI_ASM:-/usr/include/$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)/asm}
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}

LIBS="libz.a libelf.a libnl-3.a libnl-route-3.a"
done_already=1
for l in $LIBS; do [ -f "$PREFIX/lib/$l" ] || done_already=0; done
[ "$done_already" = 1 ] && exit 0

case $PREFIX in /*) ;; *) PREFIX=$(pwd)/$PREFIX ;; esac
CACHE=$(dirname "$PREFIX")
SRC=$CACHE/src
BUILD=$CACHE/build-$(basename "$PREFIX")
mkdir -p "$PREFIX/include" "$PREFIX/lib" "$SRC" "$BUILD"
log() { echo "build-static-deps: $*" >&2; }

# --- Linux UAPI headers: only linux/, asm-generic/ and asm/, not all of
# /usr/include, so musl's own headers are never shadowed by glibc's.
install_uapi() {
	for d in /usr/include/linux /usr/include/asm-generic "$UAPI_ASM"; do
		[ -d "$d" ] || { log "missing UAPI headers in $d (install linux-libc-dev)"; exit 1; }
	done
	rm -rf "$PREFIX/include/linux" "$PREFIX/include/asm-generic" "$PREFIX/include/asm"
	cp -r /usr/include/linux /usr/include/asm-generic "$PREFIX/include/"
	cp -r "$UAPI_ASM" "$PREFIX/include/asm"
}

# --- Debian source packages, fetched with a private apt configuration;
# when the first choice is missing from the archive another version is
# taken, and named (scripts/fetch-source.sh, recorded in cache/src/SOURCES).
fetch_sources() {
	sh "$(dirname "$0")/fetch-source.sh" "$CACHE" zlib libnl3 elfutils
}

# unpack PKG: extract the upstream tarball into $BUILD/PKG, print its dir.
unpack() {
	tarball=$(ls "$SRC/$1"_*.orig.tar.* | grep -v "\.asc$" | head -n 1)
	rm -rf "${BUILD:?}/$1"
	mkdir -p "$BUILD/$1"
	tar -xf "$tarball" -C "$BUILD/$1"
	ls -d "$BUILD/$1"/*/ | head -n 1
}

CFLAGS_DEPS="-Os -ffunction-sections -fdata-sections -fno-asynchronous-unwind-tables -fno-unwind-tables -fPIC -I$PREFIX/include"
# logged NAME CMD...: run CMD with its output in $BUILD/NAME.log, shown on failure.
logged() {
	_log=$BUILD/$1.log; shift
	"$@" >"$_log" 2>&1 || { tail -n 30 "$_log" >&2; log "failed, see $_log"; exit 1; }
}
host_arg() { [ -n "$HOST_TRIPLET" ] && echo "--host=$HOST_TRIPLET"; true; }

build_zlib() {
	[ -f "$PREFIX/lib/libz.a" ] && return 0
	log "building zlib"
	d=$(unpack zlib)
	# NO_GZIP: libelf inflates zlib streams only (SHF_COMPRESSED); without
	# gzip support inflate needs no crc32 and its 8 KB table.
	logged zlib sh -c "cd '$d' && CC='$CC' CFLAGS='$CFLAGS_DEPS -DNO_GZIP' CHOST='$HOST_TRIPLET' \
		./configure --static --prefix='$PREFIX' && make -j$JOBS libz.a && make install"
}

build_libnl() {
	[ -f "$PREFIX/lib/libnl-route-3.a" ] && return 0
	log "building libnl-3"
	d=$(unpack libnl3)
	logged libnl3 sh -c "cd '$d' && CC='$CC' CFLAGS='$CFLAGS_DEPS' \
		./configure $(host_arg) --prefix='$PREFIX' --disable-shared --enable-static \
			--disable-cli --disable-pthreads --disable-debug &&
		make -j$JOBS lib/libnl-3.la lib/libnl-route-3.la"
	mkdir -p "$PREFIX/include/libnl3"
	cp -r "$d/include/netlink" "$PREFIX/include/libnl3/"
	cp "$d/lib/.libs/libnl-3.a" "$d/lib/.libs/libnl-route-3.a" "$PREFIX/lib/"
}

build_libelf() {
	[ -f "$PREFIX/lib/libelf.a" ] && return 0
	log "building libelf (elfutils)"
	d=$(unpack elfutils)
	# musl has no argp, fts or obstack; libelf alone needs none of them.
	logged elfutils sh -c "cd '$d' && CC='$CC' CFLAGS='$CFLAGS_DEPS -Wno-error' \
		CPPFLAGS='-I$PREFIX/include' LDFLAGS='-L$PREFIX/lib' \
		ac_cv_search_argp_parse='none required' \
		ac_cv_search_fts_close='none required' \
		ac_cv_search__obstack_free='none required' \
		./configure $(host_arg) --prefix='$PREFIX' --disable-debuginfod \
			--disable-libdebuginfod --disable-nls --without-bzlib \
			--without-lzma --without-zstd &&
		make -C libelf -j$JOBS libelf.a"
	cp "$d/libelf/libelf.h" "$d/libelf/gelf.h" "$d/libelf/nlist.h" "$PREFIX/include/"
	cp "$d/libelf/libelf.a" "$PREFIX/lib/"
}

install_uapi
fetch_sources
build_zlib
build_libnl
build_libelf
log "done: $PREFIX"
