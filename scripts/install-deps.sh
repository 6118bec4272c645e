#!/bin/sh
# Install, from Debian's archive and by name, what one purpose needs:
#
#   scripts/install-deps.sh demo|check|bench|build|static|cross|vm [--list]
#
#   build   compile xdpld, the sample firmware and the test tools
#   demo    build + what scripts/demo.sh runs (make demo)
#   static  build + the static musl build for x86_64 (make static)
#   cross   static + cross compilers, musl and UAPI headers of each router
#           target, qemu-user (make static TARGET=aarch64|mipsel|armhf)
#   vm      static + the x86_64 test VM (make image / make vm-test)
#   check   everything the test suite uses (make check)
#   bench   what make bench uses (xdp-loader, libxdp, gnuplot, the VM)
#
# Never relies on Recommends (--no-install-recommends) or on what a machine
# happens to have: every package a purpose uses is named here.  --list
# prints the purpose's packages and exits.  Does nothing when all are there.
set -e

# --- the lists, one per purpose ---
PKGS_BUILD="gcc make pkg-config clang llvm libc6-dev linux-libc-dev
libelf-dev zlib1g-dev libnl-3-dev libnl-route-3-dev libbpf-dev"
# demo.sh: ip (netns, veth, xdp obj), ping, sysctl, nsenter/mountpoint, jq.
PKGS_DEMO="$PKGS_BUILD iproute2 iputils-ping procps util-linux jq"
# Makefile.cross and scripts/build-static-deps.sh: Debian's musl, and the
# tools to fetch and build zlib, libnl-3 and libelf from source packages.
PKGS_STATIC="$PKGS_BUILD musl-tools musl-dev flex bison bzip2 xz-utils"
# Router targets.  The cross gcc only Recommends the target's UAPI headers
# (linux-libc-dev-<arch>-cross, via libc6-dev-<arch>-cross): named here.
# Not linux-libc-dev:<arch>: it must have exactly the host linux-libc-dev's
# version, and when the security archive has a newer one for amd64 only, apt
# resolves that by removing libc6-dev and everything built on it.
CROSS_ARCHS="arm64 mipsel armhf"
PKGS_CROSS="$PKGS_STATIC gcc-aarch64-linux-gnu gcc-mipsel-linux-gnu
gcc-arm-linux-gnueabihf binutils-aarch64-linux-gnu binutils-mipsel-linux-gnu
binutils-arm-linux-gnueabihf linux-libc-dev-arm64-cross
linux-libc-dev-mipsel-cross linux-libc-dev-armhf-cross musl-dev:arm64
musl-dev:mipsel musl-dev:armhf qemu-user-static"
# The x86_64 VM image (firmware/image/build.sh, test-vm/run.sh): Debian's
# kernel with its modules, busybox, dropbear and ssh for the SSH scenario;
# pahole (dwarves) turns the DWARF of firmware/image/btf_types.c into the
# source BTF of the image's target BTF for CO-RE (docs/image.md).
PKGS_VM="$PKGS_STATIC qemu-system-x86 linux-image-amd64 busybox-static
cpio kmod dropbear-bin openssh-client python3 dwarves"
# Router-CPU VMs: their emulators (foreign kernels are downloaded, never
# installed) and pahole for their images' target BTF (the UAPI headers and
# linkers of each target come with cross).
PKGS_VM_CROSS="qemu-system-arm qemu-system-mips dwarves"
# Fleet management (issue 21): promtool (in prometheus) parses status
# --prometheus, lua5.1 runs the node-exporter-lua collector, collectd-core
# runs the exec script, ansible-core drives two router VMs over SSH.
PKGS_FLEET="prometheus lua5.1 collectd-core ansible-core"
# The tests themselves (tests/*.sh, tests/tools): libbpf-based reference
# tools, bpftool, packet capture, man page rendering, xdp-loader/libxdp as
# the rootlet's reference.
PKGS_CHECK="$PKGS_DEMO $PKGS_CROSS $PKGS_VM $PKGS_VM_CROSS $PKGS_FLEET bpftool
tcpdump xxd strace groff-base file coreutils time xdp-tools libxdp-dev
gnuplot-nox"
PKGS_BENCH="$PKGS_DEMO $PKGS_VM bpftool xdp-tools libxdp-dev gnuplot-nox
time"

purpose=${1:-check}
case $purpose in
build) PKGS=$PKGS_BUILD ;;
demo) PKGS=$PKGS_DEMO ;;
static) PKGS=$PKGS_STATIC ;;
cross) PKGS=$PKGS_CROSS ;;
vm) PKGS=$PKGS_VM ;;
check) PKGS=$PKGS_CHECK ;;
bench) PKGS=$PKGS_BENCH ;;
*) echo "install-deps: unknown purpose '$purpose' (build, demo, static, cross, vm, check, bench)" >&2
	exit 2 ;;
esac
PKGS=$(echo $PKGS | tr ' ' '\n' | sort -u | tr '\n' ' ')
if [ "${2:-}" = --list ]; then echo $PKGS | tr ' ' '\n'; exit 0; fi

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "install-deps: $purpose needs:$missing (run as root to install them)" >&2
	exit 1
fi
echo "install-deps ($purpose): installing$missing"
export DEBIAN_FRONTEND=noninteractive
# Foreign architectures only for the packages that need them (musl-dev:arm64...).
for a in $CROSS_ARCHS; do
	case " $missing " in *":$a "*)
		dpkg --print-foreign-architectures | grep -qx "$a" || dpkg --add-architecture "$a" ;;
	esac
done
# A mirror in the middle of a sync answers for a while with index files
# of the wrong size ("Mirror sync in progress?", seen for bookworm-security's
# armhf Packages.xz): try again, and after the third failure go on with the
# lists apt has; the install then names any package it cannot get.
wait_s=${DEPS_RETRY_WAIT:-30}
tries=1
until apt-get update -qq; do
	if [ $tries -ge 3 ]; then
		echo "install-deps: apt-get update failed $tries times; going on with the package lists apt has" >&2
		break
	fi
	echo "install-deps: apt-get update failed; trying again in $((tries * wait_s)) s" >&2
	sleep $((tries * wait_s))
	tries=$((tries + 1))
done
# --no-remove: fail rather than let a dependency conflict remove packages.
# A download can meet the same sync: one more try after a fresh update.
apt-get install -y -qq --no-install-recommends --no-remove $missing >/dev/null || {
	echo "install-deps: apt-get install failed; updating the lists and trying once more" >&2
	sleep "$wait_s"
	apt-get update -qq || true
	apt-get install -y -qq --no-install-recommends --no-remove $missing >/dev/null
}
