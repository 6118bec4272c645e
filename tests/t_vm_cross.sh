#!/bin/sh
# The VM scenarios on router CPUs: `make image TARGET=...` for aarch64,
# mipsel and armhf (Debian's kernel and busybox for that architecture,
# fetched with apt-get download into cache/foreign, the static xdpld and
# test tools cross-built with musl), then every scenario of
# test-vm/scenarios booted on that kernel under qemu (TCG).  A scenario
# needing what the kernel lacks (BTF, trampolines) is skipped by the guest,
# naming why; everything else must pass.  docs/image.md, "Router CPU VMs".
# XVM_TARGETS="aarch64 mipsel" limits the architectures.
. tests/lib.sh

: "${XVM_TARGETS:=aarch64 mipsel armhf}"
for t in $XVM_TARGETS; do
	case $t in
	aarch64) qemu=qemu-system-aarch64 pkg=qemu-system-arm ;;
	armhf) qemu=qemu-system-arm pkg=qemu-system-arm ;;
	mipsel) qemu=qemu-system-mipsel pkg=qemu-system-mips ;;
	*) not_ok "vm $t: unknown target"; continue ;;
	esac
	if ! command -v "$qemu" >/dev/null; then
		not_ok "vm $t: $qemu not found (install $pkg)"; continue
	fi
	check "vm $t: make image TARGET=$t" make --no-print-directory -s O="$O" TARGET="$t" image
	[ -f "$O/image-$t/initramfs.cpio.gz" ] || continue
	TARGET=$t sh test-vm/run.sh >"$TMP/vm-$t.out" 2>&1
	vm_report "$TMP/vm-$t.out" $? "vm $t"
done
