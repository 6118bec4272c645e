#!/bin/sh
# Malformed objects: xdpld inspect must fail with a message naming the file
# (and the section or symbol involved), never crash or trip a sanitizer.
. "$(dirname "$0")/lib.sh"

SRC=$TBPF/obj_basic.o
size=$(wc -c <"$SRC")

# sec_field NAME COLUMN: a column of NAME's line in `llvm-readelf -S` (Off=5, Size=6).
sec_field() {
	llvm-readelf -S --wide "$SRC" | sed 's/^ *\[ *[0-9]*\] //' |
		awk -v n="$1" -v c="$2" '$1 == n { print $(c - 1); exit }'
}
hex2dec() { printf '%d' "0x$1"; }

# patch FILE OFFSET HEXBYTES: overwrite bytes in place (octal escapes:
# dash's printf has no \x).
patch() {
	_out=$1 _off=$2 _esc=""
	for _b in $(echo "$3" | sed 's/../& /g'); do
		_esc="$_esc\\$(printf '%03o' "0x$_b")"
	done
	printf "$_esc" | dd of="$_out" bs=1 seek="$_off" conv=notrunc 2>/dev/null
}
# mutant NAME OFFSET HEXBYTES: a patched copy of $SRC in $TMP/NAME.o
mutant() { cp "$SRC" "$TMP/$1.o" && patch "$TMP/$1.o" "$2" "$3"; }

check_fails "missing file" "nonexistent.o: cannot open" "$XDPLD" inspect "$TMP/nonexistent.o"
: >"$TMP/empty.o"
check_fails "empty file" "empty.o: not an ELF file" "$XDPLD" inspect "$TMP/empty.o"
echo "hello, not an object" >"$TMP/text.o"
check_fails "text file" "text.o: not an ELF file" "$XDPLD" inspect "$TMP/text.o"
check_fails "directory" "cannot|not an ELF|read" "$XDPLD" inspect "$TMP"

check_fails "x86-64 executable" "/bin/true: not a BPF object" "$XDPLD" inspect /bin/true
printf 'int f(void) { return 1; }\n' >"$TMP/x.c"
if gcc -c -o "$TMP/x86.o" "$TMP/x.c"; then
	check_fails "x86-64 relocatable object" "x86.o: not a BPF object" "$XDPLD" inspect "$TMP/x86.o"
fi
mutant elf32 4 01
check_fails "ELF32 header" "elf32.o: .*64-bit" "$XDPLD" inspect "$TMP/elf32.o"
mutant exec 16 0200
check_fails "ET_EXEC BPF object" "exec.o: not a relocatable object" "$XDPLD" inspect "$TMP/exec.o"
mutant badorder 5 07
check_fails "unknown byte order" "badorder.o: " "$XDPLD" inspect "$TMP/badorder.o"

for len in 4 16 63 64 100 1000 $((size / 2)) $((size - 64)) $((size - 1)); do
	head -c "$len" "$SRC" >"$TMP/trunc$len.o"
	check_fails "truncated to $len bytes" "trunc$len.o: " "$XDPLD" inspect "$TMP/trunc$len.o"
done

# e_shoff (ELF64 header offset 0x28) far beyond the end of the file
mutant shoff 40 00000000ff000000
check_fails "section header offset outside the file" "shoff.o: .*(section header|outside|cannot read)" \
	"$XDPLD" inspect "$TMP/shoff.o"
mutant shnum 60 ff7f
check_fails "section count beyond the file" "shnum.o: " "$XDPLD" inspect "$TMP/shnum.o"

shoff=$(od -An -tu8 -j40 -N8 "$SRC" | tr -d ' ')
idx() { llvm-readelf -S --wide "$SRC" | sed -n "s/^ *\[ *\([0-9]*\)\] $1 .*/\1/p"; }
shdr() { echo $((shoff + 64 * $(idx "$1"))); }	# offset of a section header

# .text's sh_offset (header +24) pointing past the end of the file
mutant secoff $(($(shdr .text) + 24)) 00000010
check_fails "section data outside the file" "secoff.o: section '.text': data .* outside the file" \
	"$XDPLD" inspect "$TMP/secoff.o"
# .text's sh_name (header +0) outside .shstrtab
mutant secname "$(shdr .text)" ffffff00
check_fails "section name offset invalid" "secname.o: section #[0-9]+: name offset" \
	"$XDPLD" inspect "$TMP/secname.o"
# .relxdp's sh_info (header +44) naming a section that does not exist
mutant relinfo $(($(shdr .relxdp) + 44)) ff000000
check_fails "relocation target section out of range" "relinfo.o: section '.relxdp': target section" \
	"$XDPLD" inspect "$TMP/relinfo.o"
# .relxdp's sh_link (header +40) not the symbol table
mutant rellink $(($(shdr .relxdp) + 40)) 02000000
check_fails "relocation section not linked to .symtab" "rellink.o: section '.relxdp'" \
	"$XDPLD" inspect "$TMP/rellink.o"

rel=$(hex2dec "$(sec_field .relxdp 5)")
# first relocation of xdp: r_offset beyond the section (size 0xd0)
mutant reloff "$rel" 0001000000000000
check_fails "relocation outside its section" \
	"reloff.o: section 'xdp': relocation #0 at offset 0x100 is outside the section \(size 0x" \
	"$XDPLD" inspect "$TMP/reloff.o"
mutant relodd "$rel" 0400000000000000
check_fails "relocation not on an instruction" "relodd.o: section 'xdp': relocation #0 at offset 0x4" \
	"$XDPLD" inspect "$TMP/relodd.o"
# r_info's symbol index (high 32 bits) out of range
mutant relsym $((rel + 12)) ffff0000
check_fails "relocation symbol out of range" "relsym.o: section 'xdp': relocation #0 .*invalid symbol" \
	"$XDPLD" inspect "$TMP/relsym.o"

symtab=$(hex2dec "$(sec_field .symtab 5)")
weak=$(llvm-readelf -s "$SRC" | awk '$8 == "obj_weak_fn" { sub(":", "", $1); print $1 }')
last=$((symtab + 24 * weak))	# obj_weak_fn, in .text
mutant symshndx $((last + 6)) f0ff
check_fails "symbol section index out of range" "symshndx.o: symbol 'obj_weak_fn': section index" \
	"$XDPLD" inspect "$TMP/symshndx.o"
mutant symname "$last" ffffff00
check_fails "symbol name offset invalid" "symname.o: symbol #[0-9]+: name offset" \
	"$XDPLD" inspect "$TMP/symname.o"
mutant symvalue $((last + 8)) 0010000000000000
check_fails "symbol outside its section" "symvalue.o: symbol 'obj_weak_fn' .*outside section '.text'" \
	"$XDPLD" inspect "$TMP/symvalue.o"
mutant symsize $((last + 16)) 0000010000000000
check_fails "symbol size beyond its section" "symsize.o: symbol 'obj_weak_fn' .*outside section" \
	"$XDPLD" inspect "$TMP/symsize.o"
mutant symentsize $(($(shdr .symtab) + 56)) 10
check_fails "symbol table entry size" "symentsize.o: section '.symtab': entry size" \
	"$XDPLD" inspect "$TMP/symentsize.o"

btf=$(hex2dec "$(sec_field .BTF 5)")
mutant btfmagic "$btf" 0000
check_fails "corrupt .BTF magic" "btfmagic.o: .BTF" "$XDPLD" inspect "$TMP/btfmagic.o"
mutant btfstrlen $((btf + 20)) ffffff00
check_fails "corrupt .BTF string section length" "btfstrlen.o: .BTF" "$XDPLD" inspect "$TMP/btfstrlen.o"
mutant btftype $((btf + 24 + 4)) ff00001f
check_fails "corrupt .BTF type kind" "btftype.o: .BTF" "$XDPLD" inspect "$TMP/btftype.o"
ext=$(hex2dec "$(sec_field .BTF.ext 5)")
mutant extlen $((ext + 12)) ffffff00
check_fails "corrupt .BTF.ext" "extlen.o: .BTF.ext" "$XDPLD" inspect "$TMP/extlen.o"

# Byte flips all over a real object: any outcome but a crash or a sanitizer
# report is fine (many flips land in bytes nobody checks).
flips() {	# flips OBJ
	_i=0 _bad=0 _size=$(wc -c <"$1")
	while [ $_i -lt 150 ]; do
		_off=$(( (_i * 7919) % _size ))
		cp "$1" "$TMP/flip.o"
		patch "$TMP/flip.o" "$_off" "$(printf '%02x' $(( (_i * 37 + 0x5a) % 256 )))"
		"$XDPLD" inspect --json "$TMP/flip.o" >"$TMP/flip.out" 2>&1
		_rc=$?
		if [ $_rc -gt 1 ] || grep -qE 'Sanitizer|runtime error' "$TMP/flip.out"; then
			echo "offset $_off: exit $_rc"; tail -n 20 "$TMP/flip.out"; _bad=1
		fi
		_i=$((_i + 1))
	done
	return $_bad
}
check "150 byte flips in obj_basic.o: no crash, no sanitizer report" flips "$SRC"
check "150 byte flips in maps_btf.o: no crash, no sanitizer report" flips "$TBPF/maps_btf.o"

# NOBITS sections whose bytes are needed: refused by name, never read.
# (sh_type is at header +4, sh_offset at +24; NOBITS is 8.)
mutant btfnobits $(($(shdr .BTF) + 4)) 08000000
patch "$TMP/btfnobits.o" $(($(shdr .BTF) + 24)) 000000000000ff00
check_fails "NOBITS .BTF with an offset outside the file" \
	"btfnobits.o: section '.BTF': has no data \(NOBITS\)" "$XDPLD" inspect "$TMP/btfnobits.o"
mutant extnobits $(($(shdr .BTF.ext) + 4)) 08000000
check_fails "NOBITS .BTF.ext" "extnobits.o: section '.BTF.ext': has no data" \
	"$XDPLD" inspect "$TMP/extnobits.o"
mutant xdpnobits $(($(shdr xdp) + 4)) 08000000
check_fails "NOBITS code section" "xdpnobits.o: section 'xdp': has no data" \
	"$XDPLD" link -o "$TMP/nb.o" "$TMP/xdpnobits.o"
# link_wa.o + link_wc.o link (t_link_semantics); link_wc's license as NOBITS
W=$TBPF/link_wc.o
wshoff=$(od -An -tu8 -j40 -N8 "$W" | tr -d ' ')
wlic=$(llvm-readelf -S --wide "$W" | sed -n 's/^ *\[ *\([0-9]*\)\] license .*/\1/p')
cp "$W" "$TMP/licnobits.o" && patch "$TMP/licnobits.o" $((wshoff + 64 * wlic + 4)) 08000000
check_fails "NOBITS license section in a link" "licnobits.o: section 'license': has no data" \
	"$XDPLD" link -o "$TMP/nb.o" "$TBPF/link_wa.o" "$TMP/licnobits.o"

# Relocations the loader cannot apply: on the second half of an ld_imm64,
# or two on one instruction.  obj_loadable.o's .relxdp starts with
# ld_imm64 relocations at 0x38 and 0x80.
L=$TBPF/obj_loadable.o
lrel=$(llvm-readelf -S --wide "$L" | sed 's/^ *\[ *[0-9]*\] //' | awk '$1 == ".relxdp" { print $4; exit }')
lrel=$(hex2dec "$lrel")
if [ "$(od -An -tx8 -j"$lrel" -N8 "$L" | tr -d ' ')" = 0000000000000038 ] &&
   [ "$(od -An -tx8 -j$((lrel + 16)) -N8 "$L" | tr -d ' ')" = 0000000000000080 ]; then
	cp "$L" "$TMP/ldhalf.o" && patch "$TMP/ldhalf.o" "$lrel" 4000000000000000
	check_fails "relocation on the second half of an ld_imm64" \
		"ldhalf.o: section xdp: relocation at offset 64 is on the second half of an ld_imm64" \
		"$XDPLD" verify "$TMP/ldhalf.o"
	cp "$L" "$TMP/reldup.o" && patch "$TMP/reldup.o" $((lrel + 16)) 3800000000000000
	check_fails "two relocations on one instruction" \
		"reldup.o: section xdp: two relocations at offset 56" "$XDPLD" verify "$TMP/reldup.o"
else
	not_ok "obj_loadable.o's .relxdp is not as this test expects (0x38, 0x80)"
fi
