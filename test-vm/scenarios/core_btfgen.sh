#!/bin/sh
# Minimized BTF against this VM's own kernel (x86_64 and aarch64: Debian's
# kernels carry BTF).  For the host's CO-RE test objects (every relocation
# kind, built once on the build host) and the CO-RE firewall, three loads
# must give the kernel the same instructions, so the same program tags:
#   libbpf with the kernel's BTF (progtags, the reference),
#   xdpld with the kernel's BTF (/sys/kernel/btf/vmlinux),
#   xdpld with `xdpld btfgen` output made here from the kernel's BTF,
# and libbpf with that file (progtags --btf) gives xdpld's tags with it.
# Only an object with a target_type_id relocation (core_types) gets other
# tags from the minimized BTF than from the kernel's: its type ids are the
# file's own (fewer types), for libbpf as for xdpld; then every other
# decision of `xdpld core` must be the same with both.
# This is the cross-architecture check: the objects were compiled on
# x86_64, the offsets come from this architecture's kernel.
set -e
. "$TESTDIR/lib.sh"
[ -f /sys/kernel/btf/vmlinux ] || skip "needs kernel BTF to compare with (kernel has no BTF)"

OBJS=""
for n in core_fields core_types core_multi core_calls load_core; do
	OBJS="$OBJS $TESTDIR/core/$n.o"
done
OBJS="$OBJS $TESTDIR/core_fw.o"
# "name tag xlated_len" per program from verify --json, without jq
tags() { tr '{' '\n' | sed -n 's/^"name":"\([^"]*\)".*"tag":"\([0-9a-f]*\)","xlated_len":\([0-9]*\).*/\1 \2 \3/p' | sort; }

# An object libbpf refuses on this kernel (core_multi's irq_info has two
# layouts in Debian 6.1's vmlinux: an ambiguity) must be refused by xdpld too,
# and is left out of the comparison.
LOADS=""
for o in $OBJS; do
	n=$(basename "$o" .o)
	if "$TESTDIR/progtags" "$o" 2>"$n.lerr" | sort >"$n.libbpf"; [ -s "$n.libbpf" ]; then
		LOADS="$LOADS $o"
		continue
	fi
	if "$XDPLD" verify "$o" >"$n.xerr" 2>&1; then
		echo "$n: libbpf refuses it ($(tail -n 1 "$n.lerr")), xdpld loads it"; exit 1
	fi
	echo "$n: refused by libbpf and by xdpld: $(grep -m1 error "$n.xerr" | cut -c1-200)"
done
[ -n "$LOADS" ] || { echo "libbpf loads none of the objects"; exit 1; }

# shellcheck disable=SC2086 # LOADS: one object a word
"$XDPLD" btfgen -o min.btf $LOADS
full=$(wc -c </sys/kernel/btf/vmlinux)
min=$(wc -c <min.btf)
echo "xdpld btfgen: $min bytes for $(echo "$LOADS" | wc -w) objects (the kernel's vmlinux BTF: $full bytes)"
[ "$min" -lt "$full" ] || { echo "minimized BTF is not smaller"; exit 1; }

# xdpld core's decisions without the target BTF's numbering: type ids
# ("-> vmlinux [ID]", target_type_id's value) and member indexes ("(0:29 @
# offset 224)": the minimized BTF keeps only the members used)
decisions() { sed 's/ \[[0-9]*\]//g; s/\(target_type_id .*: \)[0-9]*$/\1ID/; s/([0-9:]* @/(@/g'; }
progs=0 same=0
for o in $LOADS; do
	n=$(basename "$o" .o)
	"$XDPLD" verify --json "$o" | tags >"$n.full"
	"$XDPLD" --kernel-btf min.btf verify --json "$o" | tags >"$n.min"
	"$TESTDIR/progtags" --btf min.btf "$o" | sort >"$n.libbpf.min"
	cmp -s "$n.libbpf" "$n.full" || {
		echo "$n: xdpld with the kernel's BTF differs from libbpf"; diff "$n.libbpf" "$n.full"; exit 1; }
	cmp -s "$n.libbpf.min" "$n.min" || {
		echo "$n: xdpld with the minimized BTF differs from libbpf with it"; diff "$n.libbpf.min" "$n.min"; exit 1; }
	"$XDPLD" core "$o" >"$n.core.full"
	"$XDPLD" --kernel-btf min.btf core "$o" >"$n.core.min"
	if cmp -s "$n.full" "$n.min"; then
		echo "$n: $(wc -l <"$n.min") program(s), the same tags with the kernel's BTF and the minimized: $(cut -d' ' -f1,2 "$n.min" | tr '\n' ' ')"
		same=$((same + $(wc -l <"$n.min")))
	elif grep -q target_type_id "$n.core.full"; then
		decisions <"$n.core.full" >"$n.d.full"
		decisions <"$n.core.min" >"$n.d.min"
		cmp -s "$n.d.full" "$n.d.min" || {
			echo "$n: decisions differ beyond type ids"; diff "$n.d.full" "$n.d.min"; exit 1; }
		echo "$n: other tags with the minimized BTF, as libbpf's: only its target_type_id values differ ($(grep -c target_type_id "$n.core.full") relocations; every other decision the same)"
	else
		echo "$n: xdpld with the minimized BTF differs from the kernel's"; diff "$n.full" "$n.min"; exit 1
	fi
	progs=$((progs + $(wc -l <"$n.min")))
done
echo "$progs programs: libbpf = xdpld with the kernel's BTF and with btfgen's $min bytes; $same of them the same tags with both"
