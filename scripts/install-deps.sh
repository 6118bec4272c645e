#!/bin/sh
# Install what building and testing xdpld needs, from Debian's archive.
# Does nothing when everything is already there.
set -e
PKGS="clang llvm gcc make pkg-config libelf-dev zlib1g-dev libnl-3-dev
libnl-route-3-dev libbpf-dev bpftool iproute2 xxd jq tcpdump
musl-tools musl-dev linux-libc-dev flex bison bzip2 xz-utils cpio file
busybox-static qemu-system-x86 linux-image-amd64 python3 procps iputils-ping strace
util-linux coreutils dropbear-bin openssh-client groff-base"

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
apt-get update -qq
apt-get install -y -qq --no-install-recommends $missing >/dev/null
