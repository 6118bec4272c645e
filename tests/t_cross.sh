#!/bin/sh
# Router CPUs: the static xdpld for aarch64, mipsel and armhf (Debian's cross
# gcc with Debian's musl for the target; libelf, libnl-3 and zlib cross-built
# from Debian's source packages and cached in cache/musl-TARGET), each a
# static binary of the right architecture within its flash budget.  Under
# qemu-user (which has no bpf(2)) each must read, inspect and link BPF
# objects exactly as the host build does: the same `inspect --json` and
# byte-identical linked objects, little- and big-endian, which checks the
# object model, BTF and linker on 32-bit and 64-bit, both byte orders of
# host CPU.  Loading and attaching on these CPUs needs their kernels: the
# VMs (issue 12).
. tests/lib.sh

# TARGET qemu-user binary, `file` pattern, stripped-size budget in bytes.
# The budgets are what each architecture's code density allows today
# (docs/image.md has the table): armhf is Thumb-2, aarch64 fixed 4-byte
# instructions, mipsel PIC MIPS32 with every call through the GOT.
targets="aarch64:qemu-aarch64-static:ARM aarch64:442368
mipsel:qemu-mipsel-static:MIPS, MIPS32:557056
armhf:qemu-arm-static:ARM, EABI5:319488"

FWS="$FW/sampler.o $FW/fw_acme.o $FW/fw_bolt.o $FW/lb.o"
FWS_BE="$FW/be/sampler.o $FW/be/fw_acme.o $FW/be/fw_bolt.o $FW/be/lb.o"
"$XDPLD" link -o "$TMP/host.o" $FWS >/dev/null 2>&1 &&
	"$XDPLD" link -o "$TMP/host-be.o" $FWS_BE >/dev/null 2>&1 ||
	{ not_ok "cross: the host build links the samples"; exit 0; }

echo "$targets" | while IFS=: read -r t qemu pat budget; do
	bin=$O/static-$t/xdpld
	check "$t: make static TARGET=$t" make --no-print-directory -s -f Makefile.cross O="$O" TARGET="$t"
	[ -x "$bin" ] || continue
	check "$t: a static $t executable" sh -c "file '$bin' | grep -q '$pat' &&
		file '$bin' | grep -q 'statically linked'"
	size=$(wc -c <"$bin")
	check "$t: stripped size $size bytes is within its budget ($budget)" test "$size" -lt "$budget"
	if ! command -v "$qemu" >/dev/null; then
		not_ok "$t: $qemu is missing (qemu-user-static)"
		continue
	fi
	check_out "$t: runs (--help under $qemu)" "usage: xdpld" "$qemu" "$bin" --help
	for o in $FWS $FW/be/fw_acme.o; do
		check "$t: inspect --json ${o#$FW/} as the host build" sh -c \
			"'$qemu' '$bin' inspect --json '$o' >'$TMP/$t.json' &&
			'$XDPLD' inspect --json '$o' | cmp -s - '$TMP/$t.json'"
	done
	check "$t: links the four samples byte for byte as the host build" sh -c \
		"'$qemu' '$bin' link -o '$TMP/$t.o' $FWS && cmp '$TMP/host.o' '$TMP/$t.o'"
	check "$t: ... and their big-endian builds" sh -c \
		"'$qemu' '$bin' link -o '$TMP/$t-be.o' $FWS_BE && cmp '$TMP/host-be.o' '$TMP/$t-be.o'"
	check_fails "$t: a malformed object is an error, not a crash" "not a BPF object|ELF" \
		"$qemu" "$bin" inspect "$bin"
done
