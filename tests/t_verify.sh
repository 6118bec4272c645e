#!/bin/sh
# xdpld verify: exit codes, text and JSON reports, the verifier's reason on
# rejection, several objects linked first, existing pins checked but no new
# pins created.
. tests/lib.sh

mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
PIN=/sys/fs/bpf/xdpld-t_verify-$$
mkdir -p "$PIN/empty" "$PIN/bad"
trap 'rm -rf "$TMP" "$PIN"' EXIT
export XDPLD_CHECK_FD_LEAKS=1

for o in "$FW"/*.o; do
	check "verify $(basename "$o")" "$XDPLD" verify "$o"
done

"$XDPLD" verify "$FW/fw_acme.o" >"$TMP/acme.txt" 2>&1
check "text report: program with a verified instruction count" \
	grep -qE '^program xdp_firewall section xdp type xdp insns [0-9]+ verified [1-9][0-9]*$' "$TMP/acme.txt"
check "text report: lpm trie map with its sizes" \
	grep -qE '^map rules type lpm_trie key 20 value 4 max_entries 1024 flags 0x1$' "$TMP/acme.txt"

"$XDPLD" verify --json --pin-root "$PIN/empty" "$TBPF/load_maps.o" >"$TMP/maps.json" 2>"$TMP/maps.err"
check "JSON report parses and lists every program and map" python3 - "$TMP/maps.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["object"].endswith("load_maps.o"), r["object"]
assert r["btf"] is True
progs = {p["name"]: p for p in r["programs"]}
assert set(progs) == {"tail_target", "use_maps"}, progs
for p in progs.values():
    assert p["section"] == "xdp" and p["type"] == "xdp", p
    assert p["insns"] > 0 and p["verified_insns"] > 0, p
maps = {m["name"]: m for m in r["maps"]}
want = {"m_array": "array", "m_hash": "hash", "m_pcpu_array": "percpu_array",
        "m_pcpu_hash": "percpu_hash", "m_lru": "lru_hash", "m_lru_pcpu": "lru_percpu_hash",
        "m_lpm": "lpm_trie", "m_devmap": "devmap", "m_devmap_hash": "devmap_hash",
        "m_cpumap": "cpumap", "m_xsk": "xskmap", "m_ringbuf": "ringbuf",
        "arr_of_maps": "array_of_maps", "hash_of_maps": "hash_of_maps", "jump": "prog_array"}
for name, typ in want.items():
    assert maps[name]["type"] == typ, (name, maps[name])
assert maps["m_lpm"]["key_size"] == 8 and maps["m_lpm"]["value_size"] == 4
assert maps["m_ringbuf"]["max_entries"] == 4096
assert maps["load_pinned"]["pinned"] is None
for m in maps.values():
    assert len(m["kernel_name"]) <= 15, m
PY

"$XDPLD" verify --json "$TBPF/load_data.o" >"$TMP/data.json"
check "JSON report: global data maps named after object and section" python3 - "$TMP/data.json" <<'PY'
import json, sys
maps = {m["name"]: m for m in json.load(open(sys.argv[1]))["maps"]}
assert maps[".rodata"]["kernel_name"] == "load_dat.rodata", maps[".rodata"]
assert maps[".rodata"]["flags"] == 0x80, maps[".rodata"]
assert maps[".data.extra"]["kernel_name"] == "load.data.extra", maps[".data.extra"]
assert maps[".bss"]["type"] == "array" and maps[".bss"]["max_entries"] == 1
PY

check_fails "rejected program: exit 1 and the verifier's reason" \
	"unchecked_read.*rejected by the kernel: Permission denied" \
	"$XDPLD" verify "$TBPF/load_reject.o"
check_fails "rejected program: verifier log lines" "R1 offset is outside of the packet" \
	"$XDPLD" verify --json "$TBPF/load_reject.o"
"$XDPLD" verify --json "$TBPF/load_reject.o" >"$TMP/rej.out" 2>/dev/null
[ $? -eq 1 ] && [ ! -s "$TMP/rej.out" ] && ok "rejected: exit 1, nothing on stdout" ||
	not_ok "rejected: exit 1, nothing on stdout"

"$XDPLD" verify >/dev/null 2>&1
[ $? -eq 2 ] && ok "no object: usage error (exit 2)" || not_ok "no object: usage error (exit 2)"
"$XDPLD" verify --bogus "$FW/lb.o" >/dev/null 2>&1
[ $? -eq 2 ] && ok "unknown option: usage error (exit 2)" || not_ok "unknown option: usage error (exit 2)"
check_fails "missing file" "nosuch.o" "$XDPLD" verify "$TMP/nosuch.o"
check_fails "--set of an unknown variable" "no variable nosuch" \
	"$XDPLD" verify --set nosuch=3 "$TBPF/load_data.o"
check "--set of a known variable" "$XDPLD" verify --set verdict=2 "$TBPF/load_data.o"

check "several objects are linked, then verified" sh -c \
	"$XDPLD verify --json $FW/fw_acme.o $FW/fw_bolt.o $FW/lb.o $FW/sampler.o > $TMP/pipe.json &&
	 python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert len(r[\"programs\"]) == 4, r' $TMP/pipe.json"

check "verify creates no pins" sh -c \
	"$XDPLD verify --pin-root $PIN/empty $TBPF/load_maps.o >/dev/null && [ -z \"\$(ls $PIN/empty)\" ]"
bpftool map create "$PIN/bad/load_pinned" type hash key 4 value 8 entries 1 name load_pinned
check_fails "verify checks existing pins" "pinned map .*load_pinned is incompatible: type differs" \
	"$XDPLD" verify --pin-root "$PIN/bad" "$TBPF/load_maps.o"

# ---- BTF: a refusal of the (sanitized) BTF is an error unless --btf-optional ----
# break_btf SRC DST: DST is SRC with the BTF member name egress_ifindex (of
# struct xdp_md) turned into 9gress_ifindex, which the kernel refuses
# ("Invalid name") while xdpld reads the object as before.
break_btf() {
	python3 - "$1" "$2" <<'PY'
import struct, sys
d = bytearray(open(sys.argv[1], 'rb').read())
shoff, = struct.unpack_from('<Q', d, 0x28)
shentsize, shnum, shstrndx = struct.unpack_from('<HHH', d, 0x3a)
sh = lambda i: struct.unpack_from('<IIQQQQ', d, shoff + i * shentsize)
names = sh(shstrndx)[4]
for i in range(shnum):
    name, _, _, _, off, size = sh(i)
    if d[names + name:names + name + 5] == b'.BTF\0':
        d[d.index(b'\0egress_ifindex\0', off, off + size) + 1] = ord('9')
open(sys.argv[2], 'wb').write(d)
PY
}

for o in "$FW"/*.o; do
	check "verify --json $(basename "$o"): BTF loaded" sh -c \
		"$XDPLD verify --json $o | jq -e '.btf == true'"
done
check "verify --json of the linked sample modules: BTF loaded" sh -c \
	"$XDPLD verify --json $FW/fw_acme.o $FW/fw_bolt.o $FW/lb.o $FW/sampler.o | jq -e '.btf == true'"

break_btf "$FW/fw_bolt.o" "$TMP/badbtf.o"
check_fails "refused BTF: exit 1 with the kernel's log, naming the object" \
	"badbtf.o: the kernel refused the object's BTF \(Invalid argument\)" \
	"$XDPLD" verify --json "$TMP/badbtf.o"
cp "$TMP/out" "$TMP/badbtf.err"
check "refused BTF: the log tail names the refused type and reason" \
	grep -q "9gress_ifindex .*Invalid name" "$TMP/badbtf.err"
"$XDPLD" verify --json "$TMP/badbtf.o" >"$TMP/badbtf.json" 2>/dev/null
check "refused BTF: nothing on stdout" test ! -s "$TMP/badbtf.json"
check_fails "refused BTF of a linked object: exit 1, naming it" \
	"badbtf.o\+sampler.o: the kernel refused the object's BTF" \
	"$XDPLD" verify "$TMP/badbtf.o" "$FW/sampler.o"
check_out "--btf-optional: loads without BTF and says so" \
	"badbtf.o: the kernel refused the object's BTF \(Invalid argument\); loading WITHOUT BTF" \
	"$XDPLD" verify --json --btf-optional "$TMP/badbtf.o"
check "--btf-optional: verify --json reports btf false" sh -c \
	"$XDPLD verify --json --btf-optional $TMP/badbtf.o 2>/dev/null | jq -e '.btf == false and (.programs | length) == 1'"
check "--btf-optional with a good object: BTF loaded" sh -c \
	"$XDPLD verify --json --btf-optional $FW/fw_bolt.o | jq -e '.btf == true'"
check "--no-btf: verify --json reports btf false" sh -c \
	"$XDPLD verify --json --no-btf $FW/fw_bolt.o | jq -e '.btf == false'"
