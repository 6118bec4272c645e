#!/bin/sh
# Assemble the OpenWrt-style firmware image for the test VM:
# $O/image/initramfs.cpio.gz (and $O/image/kernel, the vmlinuz it is for).
#
# Inputs (built by `make image`): $O/static/xdpld, $O/xdpld (the host's,
# for btfgen), $O/firmware/*.o, $O/vm/probe_ext, $O/vm/bpfobj,
# $O/vm/progtags, $O/vm/bpf/*.o, $O/vm/pktsend, $O/vm/pktcorpus,
# $O/vm/corpus/, the test objects $O/tests/bpf/relink_fw_{v2,big,bad}.o,
# extern_ksym.o, extern_weak.o and the CO-RE objects core_{fields,types,
# multi,calls}.o, load_core.o; from the tree: firmware/image/rootfs/,
# firmware/image/btf_types.c, policies/, init/, test-vm/scenarios/,
# test-vm/guest/; from the host:
# busybox-static, dropbear-bin (dropbear and the shared libraries it needs,
# dropbearkey), ssh-keygen and the newest /boot/vmlinuz-*-amd64 with its
# modules (KVER=... picks another).
#
# TARGET=aarch64|mipsel|armhf (default x86_64): the image for a router CPU,
# in $O/image-$TARGET, from $O/static-$TARGET/xdpld and the test tools
# cross-built into $O/vm-$TARGET/ (static musl; `make image TARGET=...`),
# with that architecture's Debian busybox-static, kernel (and modules) and
# dropbear, fetched with `apt-get download PKG:ARCH` and unpacked with
# dpkg-deb -x into cache/foreign/ARCH/root (never installed): the kernel
# and busybox-static in cache/foreign/ARCH, dropbear-bin and the packages it
# depends on (apt's Depends, recursively) in cache/foreign/ARCH/dropbear,
# each set fetched once.  Architecture-neutral inputs (BPF objects, corpus)
# and dropbearkey (for the host key) are the host's; readelf (binutils)
# reads the foreign dropbear.
#
# dropbear goes into the image with the shared libraries it needs and
# nothing else of their packages: on x86_64 what ldd names, elsewhere the
# DT_NEEDED closure read with readelf and found in the foreign root's
# library folders, plus the program interpreter (PT_INTERP), each at the
# path the dynamic loader looks for, symlinks followed.
#
# SSH: the image's host key ($OUT/dropbear_ed25519_host_key) and the client
# key pair that logs in as root ($OUT/ssh_key, $OUT/ssh_key.pub, in the
# image's /root/.ssh/authorized_keys) are made on the first build and kept
# (delete them for new ones).
set -eu
cd "$(dirname "$0")/../.."
: "${O:=build}"
HERE=firmware/image
: "${TARGET:=x86_64}"
die() { echo "image: $*" >&2; exit 1; }

if [ "$TARGET" = x86_64 ]; then
OUT=$O/image
ROOT=$OUT/rootfs
BIN=$O/static
TOOLS=$O/vm
BUSYBOX_LIST=
if [ -z "${KVER:-}" ]; then
	KVER=$(ls /boot/vmlinuz-*-amd64 2>/dev/null | sed 's|^/boot/vmlinuz-||' | sort -V | tail -n 1)
fi
[ -n "$KVER" ] && [ -f "/boot/vmlinuz-$KVER" ] ||
	die "no /boot/vmlinuz-*-amd64 kernel (install linux-image-amd64)"
KERNEL_FILE=/boot/vmlinuz-$KVER
MODSRC=/lib/modules/$KVER
[ -f "$MODSRC/modules.dep" ] || die "no $MODSRC/modules.dep for kernel $KVER"
BUSYBOX=$(command -v busybox) || die "no busybox (install busybox-static)"
file -L "$BUSYBOX" | grep -q 'statically linked' || die "$BUSYBOX is not static (install busybox-static)"
DROPBEAR=/usr/sbin/dropbear
[ -x "$DROPBEAR" ] && command -v dropbearkey >/dev/null || die "no dropbear (install dropbear-bin)"
# "PATH-IN-IMAGE SOURCE" per line: the loader and the libraries, from ldd.
DROPBEAR_LIBS=$(ldd "$DROPBEAR" | awk '$2 == "=>" && $3 ~ /^\// { print $3, $3 } $1 ~ /^\// { print $1, $1 }')
[ -n "$DROPBEAR_LIBS" ] || die "ldd $DROPBEAR names no libraries"
else
# A router CPU: Debian's packages for that architecture, unpacked (never
# installed) into cache/foreign/ARCH/root.
case $TARGET in
aarch64) DEBARCH=arm64 KFLAVOUR=arm64 QEMU_USER=qemu-aarch64-static MULTIARCH=aarch64-linux-gnu ;;
mipsel) DEBARCH=mipsel KFLAVOUR=4kc-malta QEMU_USER=qemu-mipsel-static MULTIARCH=mipsel-linux-gnu ;;
armhf) DEBARCH=armhf KFLAVOUR=armmp QEMU_USER=qemu-arm-static MULTIARCH=arm-linux-gnueabihf ;;
*) die "TARGET=$TARGET: one of x86_64, aarch64, mipsel, armhf" ;;
esac
OUT=$O/image-$TARGET
ROOT=$OUT/rootfs
BIN=$O/static-$TARGET
TOOLS=$O/vm-$TARGET
FOREIGN=$(pwd)/cache/foreign/$DEBARCH
if ! ls "$FOREIGN"/root/boot/vmlinuz-*-"$KFLAVOUR" >/dev/null 2>&1 || [ ! -x "$FOREIGN/root/bin/busybox" ]; then
	# linux-image-FLAVOUR is a metapackage: download what it depends on.
	kpkg=$(apt-cache depends "linux-image-$KFLAVOUR:$DEBARCH" 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[^:]*\).*/\1/p' | head -n 1)
	[ -n "$kpkg" ] || die "no linux-image-$KFLAVOUR:$DEBARCH in apt (dpkg --add-architecture $DEBARCH; apt-get update)"
	mkdir -p "$FOREIGN"
	echo "image: fetching busybox-static:$DEBARCH $kpkg:$DEBARCH into $FOREIGN"
	(cd "$FOREIGN" && rm -f ./*.deb && apt-get download -q "busybox-static:$DEBARCH" "$kpkg:$DEBARCH" >/dev/null 2>&1) ||
		die "apt-get download busybox-static:$DEBARCH $kpkg:$DEBARCH failed"
	rm -rf "$FOREIGN/root"
	for d in "$FOREIGN"/*.deb; do dpkg-deb -x "$d" "$FOREIGN/root" || die "dpkg-deb -x $d"; done
fi
# dropbear-bin and what it depends on (apt's Depends, recursively: the
# packages of its shared libraries), in their own folder, so that neither
# set's fetch re-fetches the other; unpacked into the same root, again
# after the kernel's fetch above made a new one.
DROPBEAR_DEBS=$FOREIGN/dropbear
if [ ! -x "$FOREIGN/root/usr/sbin/dropbear" ]; then
	if ! ls "$DROPBEAR_DEBS"/dropbear-bin_*.deb >/dev/null 2>&1; then
		pkgs=$(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts \
			--no-breaks --no-replaces --no-enhances "dropbear-bin:$DEBARCH" 2>/dev/null |
			sed -n 's/^\([a-z0-9][^ <>]*\)$/\1/p' | sort -u | tr '\n' ' ' | sed 's/ $//')
		case " $pkgs " in *" dropbear-bin:$DEBARCH "*) ;;
		*) die "no dropbear-bin:$DEBARCH in apt (dpkg --add-architecture $DEBARCH; apt-get update)" ;;
		esac
		echo "image: fetching $pkgs into $DROPBEAR_DEBS"
		rm -rf "$DROPBEAR_DEBS.tmp" "$DROPBEAR_DEBS"
		mkdir -p "$DROPBEAR_DEBS.tmp"
		# shellcheck disable=SC2086 # one package a word
		(cd "$DROPBEAR_DEBS.tmp" && apt-get download -q $pkgs >/dev/null 2>&1) ||
			die "apt-get download $pkgs failed"
		mv "$DROPBEAR_DEBS.tmp" "$DROPBEAR_DEBS"
	fi
	for d in "$DROPBEAR_DEBS"/*.deb; do dpkg-deb -x "$d" "$FOREIGN/root" || die "dpkg-deb -x $d"; done
fi
if [ -z "${KVER:-}" ]; then
	KVER=$(ls "$FOREIGN"/root/boot/vmlinuz-*-"$KFLAVOUR" 2>/dev/null | sed 's|^.*/vmlinuz-||' | sort -V | tail -n 1)
fi
KERNEL_FILE=$FOREIGN/root/boot/vmlinuz-$KVER
[ -n "$KVER" ] && [ -f "$KERNEL_FILE" ] || die "no $TARGET kernel in $FOREIGN/root/boot"
MODSRC=$FOREIGN/root/lib/modules/$KVER
# The package's postinst would run depmod: run the host's on the unpacked tree.
if [ ! -f "$MODSRC/modules.dep" ] && [ -d "$MODSRC/kernel" ]; then
	DEPMOD=$(command -v depmod || echo /sbin/depmod)
	"$DEPMOD" -b "$FOREIGN/root" "$KVER" || die "depmod for $MODSRC failed (install kmod)"
fi
[ -f "$MODSRC/modules.dep" ] || die "no $MODSRC/modules.dep for kernel $KVER"
BUSYBOX=$FOREIGN/root/bin/busybox
file -L "$BUSYBOX" | grep -q 'statically linked' || die "$BUSYBOX is not static"
# The applet list: the target's busybox under qemu-user, or the host's
# (the same Debian busybox-static version and configuration).
if command -v "$QEMU_USER" >/dev/null; then
	BUSYBOX_LIST="$QEMU_USER $BUSYBOX"
else
	BUSYBOX_LIST=$(command -v busybox) || die "no $QEMU_USER nor a host busybox for the applet list"
fi
DROPBEAR=$FOREIGN/root/usr/sbin/dropbear
[ -x "$DROPBEAR" ] || die "no $DROPBEAR (dropbear-bin:$DEBARCH; rm -rf $DROPBEAR_DEBS to fetch it again)"
command -v dropbearkey >/dev/null || die "no dropbearkey (install dropbear-bin)"
command -v readelf >/dev/null || die "no readelf (install binutils)"

# in_foreign PATH: the file PATH (absolute, as in the image) is in the
# foreign root, with symlinks followed inside it (an absolute target is the
# root's, not this machine's); fails if there is none.
in_foreign() {
	_p=$1 _n=0
	while [ -L "$FOREIGN/root$_p" ]; do
		_t=$(readlink "$FOREIGN/root$_p")
		case $_t in /*) _p=$_t ;; *) _p=${_p%/*}/$_t ;; esac
		_n=$((_n + 1))
		[ $_n -le 20 ] || die "$FOREIGN/root$1: too many symlinks"
	done
	[ -f "$FOREIGN/root$_p" ] && echo "$FOREIGN/root$_p"
}
# foreign_libs ELF: "PATH-IN-IMAGE SOURCE" per line for ELF's program
# interpreter (PT_INTERP, at its path) and every shared library it needs,
# directly or not (DT_NEEDED, found where the loader looks: the multiarch
# and plain lib folders).  readelf reads any architecture's ELF.
foreign_libs() {
	_interp=$(readelf -lW "$1" | sed -n 's/.*\[Requesting program interpreter: \(.*\)\]$/\1/p')
	[ -n "$_interp" ] || die "$1 names no program interpreter (not a dynamic $TARGET program?)"
	_src=$(in_foreign "$_interp") || die "no $_interp (the program interpreter of $1) in $FOREIGN/root"
	echo "$_interp $_src"
	# The loader is loaded already: libc's DT_NEEDED on it needs no file.
	_seen=" ${_interp##*/} " _todo=$1
	while [ -n "$_todo" ]; do
		# shellcheck disable=SC2086 # one file a word
		set -- $_todo
		_elf=$1; shift; _todo=$*
		for _so in $(readelf -dW "$_elf" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p'); do
			case $_seen in *" $_so "*) continue ;; esac
			_seen="$_seen$_so "
			_at=
			for _dir in /lib/$MULTIARCH /usr/lib/$MULTIARCH /lib /usr/lib; do
				_src=$(in_foreign "$_dir/$_so") && { _at=$_dir/$_so; break; }
			done
			[ -n "$_at" ] || die "no $_so (needed by ${_elf##*/}) in $FOREIGN/root's" \
				"/lib/$MULTIARCH, /usr/lib/$MULTIARCH, /lib, /usr/lib (rm -rf $DROPBEAR_DEBS to fetch again)"
			echo "$_at $_src"
			_todo="$_todo $_src"
		done
	done
}
DROPBEAR_LIBS=$(foreign_libs "$DROPBEAR")
fi
command -v ssh-keygen >/dev/null || die "no ssh-keygen (install openssh-client)"
TEST_OBJS="relink_fw_v2.o relink_fw_big.o relink_fw_bad.o extern_ksym.o extern_weak.o"
# CO-RE objects reading kernel-internal structs (sk_buff, net_device): for
# core_btfgen on kernels with BTF; left out of the image's own target BTF.
CORE_TEST_OBJS="core_fields.o core_types.o core_multi.o core_calls.o load_core.o"
for f in "$BIN/xdpld" "$O/xdpld" "$TOOLS/probe_ext" "$TOOLS/bpfobj" "$TOOLS/progtags" "$TOOLS/pktsend" "$TOOLS/pktcorpus" \
	"$O/vm/corpus/expected.txt" $(for o in $TEST_OBJS $CORE_TEST_OBJS; do echo "$O/tests/bpf/$o"; done); do
	[ -f "$f" ] || die "missing $f (run make image)"
done

# Keys, made once per output folder (before $ROOT is rebuilt).
mkdir -p "$OUT"
if [ ! -s "$OUT/dropbear_ed25519_host_key" ]; then
	dropbearkey -t ed25519 -f "$OUT/dropbear_ed25519_host_key" >/dev/null 2>&1 ||
		die "dropbearkey failed"
fi
if [ ! -s "$OUT/ssh_key" ] || [ ! -s "$OUT/ssh_key.pub" ]; then
	rm -f "$OUT/ssh_key" "$OUT/ssh_key.pub"
	ssh-keygen -q -t ed25519 -N '' -C "xdpld-vm test key" -f "$OUT/ssh_key" || die "ssh-keygen failed"
fi

rm -rf "$ROOT"
mkdir -p "$ROOT"
cp -a "$HERE/rootfs/." "$ROOT/"
chmod 755 "$ROOT/etc/init.d/"* "$ROOT/etc/rc.common"	# whatever the checkout did
cd "$ROOT"
mkdir -p bin sbin usr/bin usr/sbin usr/lib/xdpld usr/lib/xdpld-test etc/config \
	etc/init.d etc/rc.d etc/hotplug.d proc sys dev tmp var root
ln -sf bin/busybox init
cd - >/dev/null

# busybox and one symlink per applet, where --list-full says it lives.
cp "$BUSYBOX" "$ROOT/bin/busybox"
${BUSYBOX_LIST:-$BUSYBOX} --list-full | while read -r applet; do
	case $applet in bin/busybox | "") continue ;; esac
	[ -e "$ROOT/$applet" ] && continue
	mkdir -p "$ROOT/$(dirname "$applet")"
	rel=$(dirname "$applet" | sed 's|[^/]*|..|g')
	ln -s "$rel/bin/busybox" "$ROOT/$applet"
done

# xdpld, the vendor objects, policies and init scripts.
install -m 755 "$BIN/xdpld" "$ROOT/usr/sbin/xdpld"
for o in "$O"/firmware/*.o; do
	[ -f "$o" ] && install -m 644 "$o" "$ROOT/usr/lib/xdpld/"
done
for p in policies/*; do
	case "$p" in *.md) continue ;; esac
	[ -f "$p" ] && install -m 644 "$p" "$ROOT/etc/config/"
done
# init/: a file with START= is an init script (init/NAME or NAME.init ->
# /etc/init.d/NAME, enabled like OpenWrt's `enable`); a folder hotplug.d/
# goes to /etc/hotplug.d/.  The image's own init scripts (rootfs/etc/init.d:
# board, network, dropbear) with START= are enabled the same way.
for s in init/*; do
	[ -f "$s" ] || continue
	case "$s" in *.md) continue ;; esac
	install -m 755 "$s" "$ROOT/etc/init.d/$(basename "$s" .init)"
done
for s in "$ROOT"/etc/init.d/*; do
	start=$(sed -n 's/^START=\([0-9][0-9]*\).*/\1/p' "$s" | head -n 1)
	[ -n "$start" ] && ln -sf "../init.d/${s##*/}" "$ROOT/etc/rc.d/S$start${s##*/}"
done
[ -d init/hotplug.d ] && cp -r init/hotplug.d/. "$ROOT/etc/hotplug.d/"

# The SSH server: Debian's dropbear with the shared libraries it needs
# (glibc's loader and libc included; DROPBEAR_LIBS, from ldd or readelf
# above) at the paths the loader looks for, the host key, and the client
# key for root.
install -m 755 "$DROPBEAR" "$ROOT/usr/sbin/dropbear"
while read -r lib src; do
	mkdir -p "$ROOT${lib%/*}"
	cp -L "$src" "$ROOT$lib"
done <<EOF
$DROPBEAR_LIBS
EOF
mkdir -p "$ROOT/etc/dropbear" "$ROOT/root/.ssh"
install -m 600 "$OUT/dropbear_ed25519_host_key" "$ROOT/etc/dropbear/"
chmod 700 "$ROOT/root" "$ROOT/root/.ssh"
install -m 600 "$OUT/ssh_key.pub" "$ROOT/root/.ssh/authorized_keys"

# Test tools and scenarios.
install -m 755 test-vm/guest/run-scenarios.sh "$ROOT/usr/lib/xdpld-test/run-scenarios"
install -m 644 test-vm/guest/lib.sh "$ROOT/usr/lib/xdpld-test/lib.sh"
install -m 755 "$TOOLS/probe_ext" "$TOOLS/bpfobj" "$TOOLS/progtags" "$ROOT/usr/lib/xdpld-test/"
# Static packet tools and the pre-generated corpus (NAME.pkt, expected.txt).
install -m 755 "$TOOLS/pktsend" "$TOOLS/pktcorpus" "$ROOT/usr/lib/xdpld-test/"
mkdir -p "$ROOT/usr/lib/xdpld-test/corpus"
install -m 644 "$O"/vm/corpus/* "$ROOT/usr/lib/xdpld-test/corpus/"
for o in "$O"/vm/bpf/*.o; do
	[ -f "$o" ] && install -m 644 "$o" "$ROOT/usr/lib/xdpld-test/"
done
# Other builds of fw_acme for the relink scenario, the kfunc objects of
# kfunc_module and core_nobtf, the CO-RE objects of core_btfgen (only these
# of tests/bpf/).
for o in $TEST_OBJS; do
	install -m 644 "$O/tests/bpf/$o" "$ROOT/usr/lib/xdpld-test/"
done
mkdir -p "$ROOT/usr/lib/xdpld-test/core"
for o in $CORE_TEST_OBJS; do
	install -m 644 "$O/tests/bpf/$o" "$ROOT/usr/lib/xdpld-test/core/"
done
mkdir -p "$ROOT/usr/lib/xdpld-test/scenarios"
for s in test-vm/scenarios/*.sh; do
	[ -f "$s" ] && install -m 755 "$s" "$ROOT/usr/lib/xdpld-test/scenarios/"
done

# Target BTF for the CO-RE modules the image ships (docs/image.md, "Target
# BTF for CO-RE"), at the place xdpld looks when the kernel has no BTF:
# XDPLD_BTF_DIR/$(uname -r).btf (loader/kernel/load.h; /lib/xdpld/btf).
# The source BTF is not the kernel's (Debian's mipsel kernel has none, and
# its -dbg package is 637 MB): firmware/image/btf_types.c, compiled with -g
# for the target against its UAPI headers, linked (pahole reads relocated
# DWARF only) and converted DWARF -> BTF with pahole; then `xdpld btfgen`
# (the host build, $O/xdpld) keeps what the modules' relocations use.
# Exact for types of fixed UAPI layout; a kernel-internal struct would need
# the kernel's own BTF (pahole over the kernel build's vmlinux).
IMAGE_BTF_DIR=${XDPLD_BTF_DIR:-/lib/xdpld/btf}	# make XDPLD_BTF_DIR=... moves both
case $TARGET in
x86_64) BTF_CLANG=x86_64-linux-gnu BTF_INC="/usr/include/x86_64-linux-gnu /usr/include" BTF_LD=ld ;;
aarch64) BTF_CLANG=aarch64-linux-gnu BTF_INC=/usr/aarch64-linux-gnu/include BTF_LD=aarch64-linux-gnu-ld ;;
mipsel) BTF_CLANG=mipsel-linux-gnu BTF_INC=/usr/mipsel-linux-gnu/include BTF_LD=mipsel-linux-gnu-ld ;;
armhf) BTF_CLANG=arm-linux-gnueabihf BTF_INC=/usr/arm-linux-gnueabihf/include BTF_LD=arm-linux-gnueabihf-ld ;;
esac
core_objs=
for o in "$ROOT"/usr/lib/xdpld/*.o "$ROOT"/usr/lib/xdpld-test/*.o; do
	[ -f "$o" ] || continue
	"$O/xdpld" inspect -j "$o" 2>/dev/null | grep -q '"core_relo": *[1-9]' && core_objs="$core_objs $o"
done
if [ -n "$core_objs" ]; then
	command -v pahole >/dev/null || die "no pahole (install dwarves): it makes the image's target BTF"
	command -v "$BTF_LD" >/dev/null || die "no $BTF_LD (install binutils for $TARGET)"
	for d in $BTF_INC; do [ -f "$d/linux/bpf.h" ] && break; done
	[ -f "$d/linux/bpf.h" ] || die "no $TARGET kernel UAPI headers in $BTF_INC (scripts/install-deps.sh cross)"
	BTFTMP=$OUT/btf
	rm -rf "$BTFTMP"
	mkdir -p "$BTFTMP" "$ROOT$IMAGE_BTF_DIR"
	# shellcheck disable=SC2046 # one -isystem per folder
	clang --target="$BTF_CLANG" -g -O0 -c -nostdinc $(for d in $BTF_INC; do echo "-isystem $d"; done) \
		-isystem "$(clang -print-resource-dir)/include" -o "$BTFTMP/types.o" "$HERE/btf_types.c" ||
		die "clang --target=$BTF_CLANG $HERE/btf_types.c failed"
	"$BTF_LD" -shared -o "$BTFTMP/types.so" "$BTFTMP/types.o" || die "$BTF_LD -shared types.o failed"
	pahole --btf_encode_detached="$BTFTMP/types.btf" -J "$BTFTMP/types.so" >"$BTFTMP/pahole.log" 2>&1 ||
		die "pahole -J $BTFTMP/types.so failed: $(cat "$BTFTMP/pahole.log")"
	# shellcheck disable=SC2086 # one object a word
	"$O/xdpld" -q btfgen -o "$ROOT$IMAGE_BTF_DIR/$KVER.btf" --btf "$BTFTMP/types.btf" $core_objs ||
		die "xdpld btfgen for$core_objs failed"
	echo "image: $IMAGE_BTF_DIR/$KVER.btf ($(wc -c <"$ROOT$IMAGE_BTF_DIR/$KVER.btf") bytes) for$(for o in $core_objs; do printf ' %s' "${o##*/}"; done)"
fi

# Kernel modules from modules.list plus their dependencies, dependencies
# first, decompressed so busybox insmod can load them.
MODDST=$ROOT/lib/modules/$KVER
mkdir -p "$MODDST"
: >"$OUT/load-order"
add_module() {	# add_module RELPATH (as in modules.dep)
	grep -qxF "$1" "$OUT/load-order" && return 0
	for dep in $(sed -n "s|^$1: *||p" "$MODSRC/modules.dep"); do
		add_module "$dep"
	done
	echo "$1" >>"$OUT/load-order"
}
for mod in $(sed 's/#.*//' "$HERE/modules.list"); do
	optional=""
	case $mod in *'?') optional=1; mod=${mod%'?'} ;; esac
	rel=$(grep -E "(^|/)$mod\.ko(\.xz|\.zst|\.gz)?:" "$MODSRC/modules.dep" | cut -d: -f1 | head -n 1)
	if [ -z "$rel" ]; then
		grep -qE "/$mod\.ko" "$MODSRC/modules.builtin" 2>/dev/null && continue
		[ -n "$optional" ] && { echo "image: optional module $mod not in kernel $KVER"; continue; }
		die "module $mod ($HERE/modules.list) not found for kernel $KVER"
	fi
	add_module "$rel"
done
while read -r rel; do
	ko=$(echo "$rel" | sed -E 's/\.(xz|zst|gz)$//')
	mkdir -p "$MODDST/$(dirname "$ko")"
	case $rel in
	*.xz) xz -dc "$MODSRC/$rel" >"$MODDST/$ko" ;;
	*.zst) zstd -qdc "$MODSRC/$rel" >"$MODDST/$ko" ;;
	*.gz) gzip -dc "$MODSRC/$rel" >"$MODDST/$ko" ;;
	*) cp "$MODSRC/$rel" "$MODDST/$ko" ;;
	esac
	echo "$ko"
done <"$OUT/load-order" >"$MODDST/load-order"

# /dev/console must exist before init runs, and creating device nodes needs
# root: write those entries as a small newc archive by hand instead.
newc_entry() {	# newc_entry NAME MODE RDEVMAJOR RDEVMINOR
	printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
		0 "$2" 0 0 1 0 0 0 0 "$3" "$4" $((${#1} + 1)) 0
	printf '%s\000' "$1"
	# header (110 bytes) + name + NUL, padded to a multiple of 4
	pad=$(((4 - (110 + ${#1} + 1) % 4) % 4))
	[ "$pad" -gt 0 ] && head -c "$pad" /dev/zero
	return 0
}
{
	newc_entry dev $((0040755)) 0 0
	newc_entry dev/console $((0020600)) 5 1
	newc_entry dev/null $((0020666)) 1 3
	newc_entry TRAILER!!! 0 0 0
	cd "$ROOT" && find . -mindepth 1 | sed 's|^\./||' | LC_ALL=C sort |
		cpio -o -H newc -R 0:0 --quiet
} | gzip -9n >"$OUT/initramfs.cpio.gz"
echo "$KERNEL_FILE" >"$OUT/kernel"
echo "image: $OUT/initramfs.cpio.gz ($(wc -c <"$OUT/initramfs.cpio.gz") bytes) for kernel $KVER"
