#!/bin/sh
# Install what building and testing xdpld needs, from Debian's archive.
# Does nothing when everything is already there.
set -e
PKGS="clang llvm gcc make pkg-config libelf-dev zlib1g-dev libnl-3-dev
libnl-route-3-dev libbpf-dev bpftool iproute2 xxd jq tcpdump
musl-tools musl-dev linux-libc-dev flex bison bzip2 xz-utils cpio file
busybox-static qemu-system-x86 linux-image-amd64 python3 procps iputils-ping strace
util-linux coreutils dropbear-bin openssh-client groff-base
gnuplot-nox xdp-tools libxdp-dev time"
# Router targets (Makefile.cross TARGET=aarch64|mipsel|armhf): Debian's cross
# gcc (it brings the target's UAPI headers as linux-libc-dev-<arch>-cross),
# Debian's musl for each architecture, qemu-user to run the results.  Not
# linux-libc-dev:<arch>: it must have exactly the host linux-libc-dev's
# version, and when the security archive has a newer one for amd64 only, apt
# resolves that by removing libc6-dev and everything built on it.
CROSS_ARCHS="arm64 mipsel armhf"
CROSS_PKGS="gcc-aarch64-linux-gnu gcc-mipsel-linux-gnu gcc-arm-linux-gnueabihf
musl-dev:arm64 musl-dev:mipsel musl-dev:armhf qemu-user-static"
# Their VMs (make vm-test TARGET=aarch64|mipsel): the emulators, and depmod
# for the foreign kernel packages, which are downloaded, never installed.
CROSS_PKGS="$CROSS_PKGS qemu-system-arm qemu-system-mips kmod"
PKGS="$PKGS $CROSS_PKGS"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing packages:$missing (run as root to install them)" >&2
	exit 1
fi
echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
for a in $CROSS_ARCHS; do
	dpkg --print-foreign-architectures | grep -qx "$a" || dpkg --add-architecture "$a"
done
apt-get update -qq
# --no-remove: fail rather than let a dependency conflict remove packages.
apt-get install -y -qq --no-install-recommends --no-remove $missing >/dev/null
