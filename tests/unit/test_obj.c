/* Object model: read/write round trips of real clang output in both byte
 * orders, determinism, bpfeb instruction encoding, BTF fix-up, map
 * definitions.  Objects come from $O/tests/bpf and $O/firmware. */
#include "base/log.h"
#include "btf/btf.h"
#include "elf/mapdef.h"
#include "elf/obj.h"
#include "tap.h"

#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *build_dir(void)
{
	const char *o = getenv("O");

	return o && *o ? o : "build";
}

static char *path_of(const char *dir, const char *name)
{
	static char buf[4096];

	snprintf(buf, sizeof(buf), "%s/%s/%s", build_dir(), dir, name);
	return buf;
}

static struct obj *load(const char *dir, const char *name)
{
	struct obj *o = NULL;
	int err = obj_read_file(path_of(dir, name), &o);

	TAP_CHECK(err == 0 && o, "read %s/%s", dir, name);
	return err ? NULL : o;
}

/* write(read(f)) is stable: writing twice gives the same bytes, and reading
 * the output back and writing it again gives the same bytes too. */
static void round_trip(const char *dir, const char *name)
{
	struct obj *a = load(dir, name), *b = NULL;
	void *w1 = NULL, *w2 = NULL, *w3 = NULL;
	size_t l1 = 0, l2 = 0, l3 = 0;
	bool same;
	int err;

	if (!a)
		return;
	err = obj_write_mem(a, &w1, &l1);
	TAP_CHECK(err == 0, "%s/%s: write", dir, name);
	err = obj_write_mem(a, &w2, &l2);
	TAP_CHECK(err == 0 && l1 == l2 && !memcmp(w1, w2, l1),
		  "%s/%s: same model gives same bytes", dir, name);
	if (w1 && obj_read_mem("copy", w1, l1, &b) == 0) {
		same = b->nr_secs == a->nr_secs && b->nr_syms == a->nr_syms &&
		       b->byte_order == a->byte_order;
		for (size_t i = 1; same && i < a->nr_secs; i++)
			same = !strcmp(a->secs[i].name, b->secs[i].name) &&
			       a->secs[i].size == b->secs[i].size &&
			       a->secs[i].nr_relocs == b->secs[i].nr_relocs &&
			       (!a->secs[i].data || !memcmp(a->secs[i].data, b->secs[i].data,
							    a->secs[i].size));
		TAP_CHECK(same, "%s/%s: re-read copy has the same sections", dir, name);
		TAP_CHECK(!a->btf == !b->btf && !a->btf_ext == !b->btf_ext &&
			  (!a->btf || btf_nr_types(a->btf) == btf_nr_types(b->btf)),
			  "%s/%s: re-read copy has the same BTF", dir, name);
		err = obj_write_mem(b, &w3, &l3);
		TAP_CHECK(err == 0 && l3 == l1 && !memcmp(w1, w3, l1),
			  "%s/%s: second pass is byte-identical", dir, name);
	} else {
		TAP_CHECK(0, "%s/%s: re-read written copy", dir, name);
	}
	free(w1);
	free(w2);
	free(w3);
	obj_free(b);
	obj_free(a);
}

static void round_trip_dir(const char *dir)
{
	char full[4096];
	struct dirent **ents;
	int n;

	snprintf(full, sizeof(full), "%s/%s", build_dir(), dir);
	n = scandir(full, &ents, NULL, alphasort);
	if (n < 0) {
		printf("# %s does not exist, skipped\n", full);
		return;
	}
	for (int i = 0; i < n; i++) {
		size_t len = strlen(ents[i]->d_name);

		if (len > 2 && !strcmp(ents[i]->d_name + len - 2, ".o"))
			round_trip(dir, ents[i]->d_name);
		free(ents[i]);
	}
	free(ents);
}

/* The same source compiled for bpfel and bpfeb decodes to the same
 * instructions; put/get agree and use the right nibble order. */
static void insn_byte_order(void)
{
	struct obj *le = load("tests/bpf", "obj_basic.o"), *be = load("tests/bpf/be", "obj_basic.o");
	struct bpf_insn x = { .code = BPF_ALU64 | BPF_MOV | BPF_X, .dst_reg = 1, .src_reg = 2,
			      .off = -2, .imm = 0x12345678 }, y;
	struct obj_sec tmp;
	uint8_t bytes[8];
	int s_le, s_be;
	bool same = true;

	if (!le || !be)
		goto out;
	s_le = obj_find_sec(le, "xdp");
	s_be = obj_find_sec(be, "xdp");
	TAP_CHECK(s_le > 0 && s_be > 0 && le->secs[s_le].size == be->secs[s_be].size,
		  "xdp section has the same size in both byte orders");
	if (s_le <= 0 || s_be <= 0 || le->secs[s_le].size != be->secs[s_be].size)
		goto out;
	for (uint64_t off = 0; off + 8 <= le->secs[s_le].size; off += 8) {
		struct bpf_insn a, b;

		obj_insn_get(le, &le->secs[s_le], off, &a);
		obj_insn_get(be, &be->secs[s_be], off, &b);
		same &= !memcmp(&a, &b, sizeof(a));
	}
	TAP_CHECK(same, "bpfel and bpfeb instructions decode the same");
	TAP_CHECK(be->byte_order == ELFDATA2MSB && le->byte_order == ELFDATA2LSB,
		  "byte order detected");

	tmp = (struct obj_sec){ .data = bytes, .size = 8 };
	obj_insn_put(be, &tmp, 0, &x);
	TAP_CHECK(bytes[1] == 0x12 && bytes[2] == 0xff && bytes[3] == 0xfe && bytes[4] == 0x12 &&
		  bytes[7] == 0x78, "bpfeb: dst in high nibble, off/imm big-endian");
	obj_insn_get(be, &tmp, 0, &y);
	TAP_CHECK(!memcmp(&x, &y, sizeof(x)), "bpfeb: get(put(insn)) == insn");
	obj_insn_put(le, &tmp, 0, &x);
	TAP_CHECK(bytes[1] == 0x21 && bytes[2] == 0xfe && bytes[4] == 0x78,
		  "bpfel: dst in low nibble, off/imm little-endian");
	obj_insn_get(le, &tmp, 0, &y);
	TAP_CHECK(!memcmp(&x, &y, sizeof(x)), "bpfel: get(put(insn)) == insn");
out:
	obj_free(le);
	obj_free(be);
}

static const struct btf_var_secinfo *datasec_vars(const struct btf *b, const char *name,
						  uint16_t *vlen, uint32_t *size)
{
	int64_t id = btf_find(b, name, BTF_KIND_DATASEC);
	const struct btf_type *t = id > 0 ? btf_type_by_id(b, (uint32_t)id) : NULL;

	if (!t)
		return NULL;
	*vlen = BTF_INFO_VLEN(t->info);
	*size = t->size;
	return (const struct btf_var_secinfo *)(t + 1);
}

static void fixup(const char *dir)
{
	struct obj *o = load(dir, "obj_basic.o");
	const struct btf_var_secinfo *vi;
	uint16_t vlen = 0;
	uint32_t size = 0;
	int sec, sym, err;
	bool ok = true;

	if (!o)
		return;
	vi = datasec_vars(o->btf, ".data", &vlen, &size);
	TAP_CHECK(vi && size == 0, "%s: clang leaves DATASEC .data size 0", dir);
	err = obj_fixup_btf(o);
	TAP_CHECK(err == 0, "%s: obj_fixup_btf", dir);
	err = obj_fixup_btf(o);
	TAP_CHECK(err == 0, "%s: obj_fixup_btf twice", dir);
	sec = obj_find_sec(o, ".data");
	vi = datasec_vars(o->btf, ".data", &vlen, &size);
	TAP_CHECK(vi && sec > 0 && size == o->secs[sec].size && vlen == 2,
		  "%s: DATASEC .data size is the section size", dir);
	for (uint16_t i = 0; vi && i < vlen; i++) {
		sym = obj_sec_sym(o, (uint32_t)sec, btf_type_name(o->btf, vi[i].type));
		ok &= sym > 0 && o->syms[sym].value == vi[i].offset;
		ok &= i == 0 || vi[i - 1].offset <= vi[i].offset;
	}
	TAP_CHECK(vi && ok, "%s: .data VAR offsets are symbol values, sorted", dir);
	vi = datasec_vars(o->btf, ".bss", &vlen, &size);
	TAP_CHECK(vi && size == 4, "%s: DATASEC .bss size 4", dir);
	obj_free(o);
}

static const struct map_def *def_named(const struct map_def *d, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(d[i].name, name))
			return &d[i];
	return NULL;
}

static void maps(const char *dir)
{
	struct obj *o = load(dir, "maps_btf.o"), *l = load(dir, "maps_legacy.o");
	struct map_def *d = NULL, *ld = NULL;
	const struct map_def *m;
	size_t n = 0, ln = 0;
	const char *why = NULL;
	int err;

	if (!o || !l)
		goto out;
	err = obj_map_defs(o, &d, &n);
	TAP_CHECK(err == 0 && n == 7, "%s: 7 BTF maps (got %zu)", dir, n);
	m = def_named(d, n, "maps_hash");
	TAP_CHECK(m && m->type == BPF_MAP_TYPE_HASH && m->key_size == 4 && m->value_size == 8 &&
		  m->max_entries == 128 && m->map_flags == BPF_F_NO_PREALLOC && !m->legacy &&
		  m->btf_key_type_id && m->btf_value_type_id, "%s: maps_hash", dir);
	m = def_named(d, n, "maps_lpm");
	TAP_CHECK(m && m->type == BPF_MAP_TYPE_LPM_TRIE && m->key_size == 8 && m->pinning == 1,
		  "%s: maps_lpm pinned, key 8 bytes", dir);
	m = def_named(d, n, "maps_sized");
	TAP_CHECK(m && m->key_size == 4 && m->value_size == 12 && !m->btf_key_type_id,
		  "%s: maps_sized from key_size/value_size", dir);
	m = def_named(d, n, "maps_outer");
	TAP_CHECK(m && m->type == BPF_MAP_TYPE_ARRAY_OF_MAPS && m->inner &&
		  m->inner->type == BPF_MAP_TYPE_ARRAY && m->inner->max_entries == 8 &&
		  m->nr_init == 2 && m->init[0].index == 0 && m->init[1].index == 2 &&
		  !strcmp(o->syms[m->init[1].sym].name, "maps_inner_b"),
		  "%s: maps_outer inner template and slots 0, 2", dir);
	err = m && m->inner && def_named(d, n, "maps_inner_a") ?
	      map_def_compat(m->inner, def_named(d, n, "maps_inner_a"), &why) : -1;
	TAP_CHECK(err == 0,
		  "%s: inner template matches maps_inner_a", dir);
	m = def_named(d, n, "maps_jump");
	TAP_CHECK(m && m->type == BPF_MAP_TYPE_PROG_ARRAY && !m->inner && m->nr_init == 1 &&
		  m->init[0].index == 1 && !strcmp(o->syms[m->init[0].sym].name, "maps_tail_a"),
		  "%s: maps_jump slot 1 -> maps_tail_a", dir);
	err = def_named(d, n, "maps_hash") && def_named(d, n, "maps_lpm") ?
	      map_def_compat(def_named(d, n, "maps_hash"), def_named(d, n, "maps_lpm"), &why) : 0;
	TAP_CHECK(err == -EINVAL && why && !strcmp(why, "type"),
		  "%s: map_def_compat names the differing field", dir);

	err = obj_map_defs(l, &ld, &ln);
	TAP_CHECK(err == 0 && ln == 2, "%s: 2 legacy maps", dir);
	m = def_named(ld, ln, "legacy_flows");
	TAP_CHECK(m && m->legacy && m->type == BPF_MAP_TYPE_HASH && m->key_size == 8 &&
		  m->value_size == 16 && m->max_entries == 1024 && m->map_flags == BPF_F_NO_PREALLOC,
		  "%s: legacy_flows", dir);
	TAP_CHECK(!strcmp(map_type_name(BPF_MAP_TYPE_LPM_TRIE), "lpm_trie") &&
		  !strcmp(map_type_name(9999), "unknown"), "map_type_name");
out:
	map_defs_free(d, n);
	map_defs_free(ld, ln);
	obj_free(o);
	obj_free(l);
}

static void building(void)
{
	struct obj *o = obj_new("built.o", ELFDATA2MSB), *r = NULL;
	struct bpf_insn exit_insn = { .code = BPF_JMP | BPF_EXIT };
	void *buf = NULL;
	size_t len = 0;
	int text, sym, err;
	int64_t off;

	text = obj_add_sec(o, ".text", SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, 8, NULL, 0);
	off = obj_sec_append(o, (uint32_t)text, NULL, 16, 8);
	obj_insn_put(o, &o->secs[text], 8, &exit_insn);
	sym = obj_add_sym(o, "g", STB_GLOBAL, STT_FUNC, 0, (uint32_t)text, 0, 16);
	obj_add_sym(o, "l", STB_LOCAL, STT_FUNC, 0, (uint32_t)text, 8, 8);
	TAP_CHECK(text == 1 && off == 0 && sym == 1 && o->secs[text].size == 16,
		  "build a section and symbols");
	err = obj_add_reloc(o, (uint32_t)text, 0, (uint32_t)sym, 10);
	TAP_CHECK(err == 0, "add a relocation");
	err = obj_add_reloc(o, (uint32_t)text, 0, 99, 10);
	TAP_CHECK(err == -EINVAL, "bad symbol refused");
	err = obj_write_mem(o, &buf, &len);
	if (!err)
		err = obj_read_mem("built.o", buf, len, &r);
	TAP_CHECK(err == 0, "built object writes and reads back");
	if (r) {
		TAP_CHECK(r->nr_syms == 3 && r->syms[1].bind == STB_LOCAL &&
			  !strcmp(r->syms[2].name, "g") && r->secs[1].nr_relocs == 1 &&
			  r->secs[1].relocs[0].sym == 2, "locals first, relocation renumbered");
		TAP_CHECK(obj_find_sym(r, "g") == 2 && !strcmp(obj_sym_kind(r, &r->syms[2]), "function"),
			  "find_sym and sym_kind");
	}
	free(buf);
	obj_free(r);
	obj_free(o);
}

/* obj_keep_program: sib_mixed's sib_xdp keeps its section (cut down to
 * it), .text, maps and data; the other programs and their sections go,
 * and the result writes and reads back. */
static void keep_program(const char *dir)
{
	static const char *const gone[] = { "sib_bad", "sib_tp", "sib_reuseport", "sib_unknown",
					    "sib_devmap", "sib_cpumap" };
	struct obj *o = load(dir, "sib_mixed.o"), *r = NULL;
	const struct btf_ext_sec *fi;
	void *buf = NULL;
	size_t len = 0, n = 0;
	int e, xs, err;
	bool ok = true;

	if (!o)
		return;
	e = obj_find_sym(o, "sib_xdp");
	err = e > 0 ? obj_keep_program(o, (uint32_t)e, &n) : -ENOENT;
	TAP_CHECK(err == 0 && n == 6, "%s: keep sib_xdp: 5 sections and 1 program left out (%zu)",
		  dir, n);
	if (err) {
		obj_free(o);
		return;
	}
	for (size_t i = 0; i < sizeof(gone) / sizeof(gone[0]); i++)
		ok = ok && obj_find_sym(o, gone[i]) < 0;
	TAP_CHECK(ok, "%s: the other programs are gone", dir);
	TAP_CHECK(obj_find_sec(o, "tp_btf/xdp_exception") < 0 && obj_find_sec(o, "sk_reuseport") < 0 &&
		  obj_find_sec(o, "xdp/devmap") < 0 && obj_find_sec(o, ".text") > 0 &&
		  obj_find_sec(o, ".maps") > 0 && obj_find_sym(o, "sib_other") > 0,
		  "%s: their sections are gone; .text, maps and data stay", dir);
	e = obj_find_sym(o, "sib_xdp");
	xs = obj_find_sec(o, "xdp");
	TAP_CHECK(e > 0 && xs > 0 && o->syms[e].sec == (uint32_t)xs && o->syms[e].value == 0 &&
		  o->secs[xs].size == o->syms[e].size, "%s: section xdp holds sib_xdp alone", dir);
	fi = o->btf_ext && xs > 0 ? btf_ext_sec_find(&o->btf_ext->func, "xdp") : NULL;
	TAP_CHECK(fi && fi->nr == 1 && *(const uint32_t *)fi->recs == 0,
		  "%s: func_info of xdp: sib_xdp's record, moved to 0", dir);
	err = obj_write_mem(o, &buf, &len);
	if (!err)
		err = obj_read_mem("kept.o", buf, len, &r);
	TAP_CHECK(err == 0, "%s: the kept object writes and reads back", dir);
	free(buf);
	obj_free(r);
	obj_free(o);
}

int main(void)
{
	log_set_level(LOG_LVL_WARN);
	round_trip_dir("tests/bpf");
	round_trip_dir("tests/bpf/be");
	round_trip_dir("firmware");
	round_trip_dir("firmware/be");
	insn_byte_order();
	fixup("tests/bpf");
	fixup("tests/bpf/be");
	maps("tests/bpf");
	maps("tests/bpf/be");
	building();
	keep_program("tests/bpf");
	keep_program("tests/bpf/be");
	return tap_done();
}
