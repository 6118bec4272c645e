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
