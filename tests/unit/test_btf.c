/* Unit tests for loader/btf/btf*.c on the BTF of real clang objects
 * ($O/tests/bpf/btf_*.o and their big-endian builds in be/), checked against
 * bpftool where it helps, plus hand-built BTF and malformed-input fuzzing. */
#include "base/log.h"
#include "btf/btf.h"
#include "tap.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* TAP_CHECK evaluates its condition twice; most checks here have side
 * effects (parse, dedup, serialize), so evaluate once. */
#define CHECK(cond, ...) do { bool check_ok_ = (cond); TAP_CHECK(check_ok_, __VA_ARGS__); } while (0)

struct blob {
	void *data;
	size_t size;
};

static const char *out_dir(void)
{
	const char *o = getenv("O");

	return o && *o ? o : "build";
}

/* Copies section 'name' of the ELF object at 'rel' (relative to $O). */
static int read_section(const char *rel, const char *name, struct blob *b)
{
	char path[512];
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	Elf *elf;
	int fd, err = -ENOENT;

	memset(b, 0, sizeof(*b));
	snprintf(path, sizeof(path), "%s/%s", out_dir(), rel);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf || elf_getshdrstrndx(elf, &shstrndx))
		goto out;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		const char *sn;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh))
			break;
		sn = elf_strptr(elf, shstrndx, sh.sh_name);
		if (!sn || strcmp(sn, name))
			continue;
		d = elf_rawdata(scn, NULL);
		if (!d || !d->d_size)
			break;
		b->data = malloc(d->d_size);
		if (!b->data) {
			err = -ENOMEM;
			break;
		}
		memcpy(b->data, d->d_buf, d->d_size);
		b->size = d->d_size;
		err = 0;
		break;
	}
out:
	if (elf)
		elf_end(elf);
	close(fd);
	return err;
}

static struct btf *load_btf(const char *rel, struct blob *raw)
{
	struct btf *b = NULL;

	if (read_section(rel, ".BTF", raw))
		return NULL;
	if (btf_parse(raw->data, raw->size, rel, &b))
		return NULL;
	return b;
}

static bool blob_eq(const void *a, size_t na, const void *b, size_t nb)
{
	return na == nb && !memcmp(a, b, na);
}

static int count_kind(const struct btf *b, int kind, const char *name)
{
	uint32_t id;
	int n = 0;

	for (id = 1; id < btf_nr_types(b); id++) {
		const struct btf_type *t = btf_type_by_id(b, id);

		if ((kind < 0 || (int)BTF_INFO_KIND(t->info) == kind) &&
		    (!name || !strcmp(btf_type_name(b, id), name)))
			n++;
	}
	return n;
}

static int count_var_datasec(const struct btf *b)
{
	return count_kind(b, BTF_KIND_VAR, NULL) + count_kind(b, BTF_KIND_DATASEC, NULL);
}

/* Runs 'bpftool btf dump file' on a blob; returns its output (caller frees). */
static char *bpftool_dump(const void *data, size_t size)
{
	char path[] = "/tmp/test_btf.XXXXXX", cmd[256], *out = NULL;
	size_t len = 0, cap = 0;
	FILE *f;
	int fd = mkstemp(path);

	if (fd < 0)
		return NULL;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		unlink(path);
		return NULL;
	}
	close(fd);
	snprintf(cmd, sizeof(cmd), "bpftool btf dump file %s 2>&1", path);
	f = popen(cmd, "r");
	while (f) {
		char buf[4096];
		size_t n = fread(buf, 1, sizeof(buf), f);
		char *p;

		if (!n)
			break;
		if (len + n + 1 > cap) {
			cap = (len + n + 1) * 2;
			p = realloc(out, cap);
			if (!p)
				break;
			out = p;
		}
		memcpy(out + len, buf, n);
		len += n;
		out[len] = 0;
	}
	if (f && pclose(f) != 0) {
		free(out);
		out = NULL;
	}
	unlink(path);
	return out;
}

/* ---- real objects: parse and round trip ---- */

static void test_parse_real(void)
{
	struct blob raw, raw_be;
	struct btf *b = load_btf("tests/bpf/btf_a.o", &raw);
	struct btf *be = load_btf("tests/bpf/be/btf_a.o", &raw_be);
	const struct btf_type *t;
	const struct btf_member *m;
	int64_t node, u32, var;
	void *out, *out2;
	size_t n, n2;
	char *dump_ref, *dump;

	CHECK(b && be, "parse .BTF of btf_a.o (little and big endian)");
	if (!b || !be)
		return;
	CHECK(btf_byte_order(b) == ELFDATA2LSB && btf_byte_order(be) == ELFDATA2MSB,
		  "byte order detected from the magic");

	node = btf_find(b, "node", BTF_KIND_STRUCT);
	t = node > 0 ? btf_type_by_id(b, node) : NULL;
	m = t ? (const struct btf_member *)(t + 1) : NULL;
	CHECK(t && BTF_INFO_VLEN(t->info) == 2 && !strcmp(btf_str(b, m[0].name_off), "next") &&
		  btf_skip_mods(b, btf_type_by_id(b, m[0].type)->type) == node,
		  "struct node's first member points back at struct node");
	CHECK(btf_resolve_size(b, node) == 16, "size of struct node is 16");
	var = btf_find(b, "a_nodes", BTF_KIND_VAR);
	CHECK(var > 0 && btf_resolve_size(b, var) == 64, "size of VAR a_nodes (node[4]) is 64");
	u32 = btf_find(b, "__u32", BTF_KIND_TYPEDEF);
	CHECK(u32 > 0 && BTF_INFO_KIND(btf_type_by_id(b, btf_skip_mods(b, u32))->info) == BTF_KIND_INT &&
		  btf_resolve_size(b, u32) == 4, "typedef __u32 resolves to a 4-byte INT");
	CHECK(btf_find(b, "no_such_type", -1) == -ENOENT, "btf_find of a missing name is -ENOENT");

	CHECK(!btf_serialize(b, ELFDATA2LSB, &out, &n) && blob_eq(out, n, raw.data, raw.size),
		  "serialize(parse(LE)) is byte-identical to clang's LE .BTF");
	CHECK(!btf_serialize(b, ELFDATA2LSB, &out2, &n2) && blob_eq(out, n, out2, n2),
		  "serialize is deterministic");
	free(out2);
	CHECK(!btf_serialize(be, ELFDATA2LSB, &out2, &n2) && blob_eq(out2, n2, raw.data, raw.size),
		  "BE .BTF serialized as LE equals clang's LE .BTF");
	free(out2);
	CHECK(!btf_serialize(b, ELFDATA2MSB, &out2, &n2) && blob_eq(out2, n2, raw_be.data, raw_be.size),
		  "LE .BTF serialized as BE equals clang's BE .BTF");

	dump_ref = bpftool_dump(raw.data, raw.size);
	dump = bpftool_dump(out, n);
	CHECK(dump_ref && dump && strstr(dump, "STRUCT 'node'") && !strcmp(dump, dump_ref),
		  "bpftool dumps our LE output exactly like clang's .BTF");
	free(dump);
	dump = bpftool_dump(out2, n2);
	CHECK(dump_ref && dump && !strcmp(dump, dump_ref),
		  "bpftool dumps our BE output exactly like clang's .BTF");
	free(dump);
	free(dump_ref);
	free(out);
	free(out2);
	btf_free(b);
	btf_free(be);
	free(raw.data);
	free(raw_be.data);
}

/* The running kernel's BTF: every kind pahole emits, 100k+ types. */
static void test_vmlinux(void)
{
	const char *path = "/sys/kernel/btf/vmlinux";
	FILE *f = fopen(path, "rb");
	size_t cap = 1 << 20, n = 0, got;
	uint8_t *buf = malloc(cap);
	struct btf *b = NULL;
	uint32_t *map = NULL, nr;
	void *out = NULL;
	size_t on;

	if (!f) {
		printf("ok %d - %s round trip # SKIP kernel has no BTF\n", ++tap_n, path);
		free(buf);
		return;
	}
	while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap)
			buf = realloc(buf, cap *= 2);
	}
	fclose(f);
	CHECK(buf && !btf_parse(buf, n, path, &b), "parse %s (%zu bytes)", path, n);
	if (!b) {
		free(buf);
		return;
	}
	CHECK(!btf_serialize(b, ELFDATA2LSB, &out, &on) && blob_eq(out, on, buf, n),
	      "kernel BTF round trip is byte-identical (%u types)", btf_nr_types(b));
	nr = btf_nr_types(b);
	CHECK(!btf_dedup(b, &map) && btf_nr_types(b) == nr,
	      "dedup of the kernel's already deduplicated BTF merges nothing");
	free(map);
	free(out);
	free(buf);
	btf_free(b);
}

/* ---- append + dedup on real objects ---- */

static void test_dedup_real(void)
{
	struct blob ra, rb, rab;
	struct btf *a = load_btf("tests/bpf/btf_a.o", &ra);
	struct btf *b = load_btf("tests/bpf/btf_b.o", &rb);
	struct btf *ab = load_btf("tests/bpf/btf_ab.o", &rab);
	struct btf *aa = btf_new();
	uint32_t *map = NULL, *map2 = NULL, *amap = NULL, *dmap = NULL, nr_before, id;
	int64_t a_node, b_node, pair;
	bool identity = true, node_ok;
	uint32_t expected;
	void *out;
	size_t n;
	char *dump;

	CHECK(a && b && ab && aa, "parse .BTF of btf_a.o, btf_b.o, btf_ab.o");
	if (!a || !b || !ab || !aa)
		goto out;

	/* a ++ a: everything merges except VAR and DATASEC. */
	CHECK(!btf_append(aa, a, &amap) && !btf_append(aa, a, &map2) &&
		  btf_nr_types(aa) == 2 * btf_nr_types(a) - 1, "append btf_a twice");
	free(amap);
	free(map2);
	amap = map2 = NULL;
	CHECK(!btf_dedup(aa, &dmap) &&
		  btf_nr_types(aa) == btf_nr_types(a) + (uint32_t)count_var_datasec(a),
		  "dedup(a ++ a) keeps one copy of each type plus the second VARs/DATASECs (%u)",
		  btf_nr_types(aa));
	free(dmap);
	dmap = NULL;

	/* a ++ b must reach what clang emits for both sources in one unit
	 * (deduplicated too: clang repeats identical FUNC_PROTOs), except that
	 * VARs and DATASECs of a and b stay separate. */
	CHECK(!btf_dedup(ab, &dmap), "dedup btf_ab");
	free(dmap);
	dmap = NULL;
	expected = btf_nr_types(ab) - count_var_datasec(ab) + count_var_datasec(a) + count_var_datasec(b);

	CHECK(!btf_append(a, b, &map), "append btf_b to btf_a");
	a_node = btf_find(a, "node", BTF_KIND_STRUCT);
	b_node = map ? map[btf_find(b, "node", BTF_KIND_STRUCT)] : 0;
	CHECK(count_kind(a, BTF_KIND_STRUCT, "node") == 2 && a_node > 0 && b_node > a_node &&
		  !strcmp(btf_type_name(a, b_node), "node"), "after append struct node exists twice, remapped");
	nr_before = btf_nr_types(a);
	CHECK(!btf_dedup(a, &dmap), "dedup(a ++ b)");
	CHECK(btf_nr_types(a) == expected && expected < nr_before,
		  "dedup(a ++ b) shrinks %u -> %u types, as in btf_ab.o (expected %u)",
		  nr_before, btf_nr_types(a), expected);
	CHECK(count_kind(a, BTF_KIND_STRUCT, "node") == 1 && count_kind(a, BTF_KIND_STRUCT, "pair") == 1 &&
		  count_kind(a, BTF_KIND_STRUCT, "xdp_md") == 1 && count_kind(a, BTF_KIND_STRUCT, NULL) ==
		  count_kind(ab, BTF_KIND_STRUCT, NULL),
		  "identical structs (self-referential node, pair, xdp_md, map layout) collapse to one");
	node_ok = dmap && dmap[a_node] == dmap[b_node] &&
		  dmap[a_node] == (uint32_t)btf_find(a, "node", BTF_KIND_STRUCT);
	if (node_ok) {
		const struct btf_type *t = btf_type_by_id(a, dmap[a_node]);
		const struct btf_member *m = (const struct btf_member *)(t + 1);

		node_ok = btf_type_by_id(a, m[0].type)->type == dmap[a_node];
	}
	CHECK(node_ok, "both struct node ids map to the survivor, whose next points to itself");
	CHECK(count_kind(a, BTF_KIND_VAR, "pairs") == 2 && count_kind(a, BTF_KIND_DATASEC, ".bss") == 2,
		  "VAR and DATASEC are never merged");
	pair = btf_find(a, "pair", BTF_KIND_STRUCT);
	CHECK(pair > 0 && count_kind(a, BTF_KIND_FUNC, "b_count") == 1 &&
		  count_kind(a, BTF_KIND_STRUCT, "b_only") == 1, "b's own types survive");

	/* Idempotent: a second dedup changes nothing. */
	CHECK(!btf_dedup(a, &map2), "dedup again");
	for (id = 0; map2 && id < btf_nr_types(a); id++)
		identity &= map2[id] == id;
	CHECK(map2 && identity, "a second dedup maps every id to itself");

	CHECK(!btf_serialize(a, ELFDATA2LSB, &out, &n), "serialize the merged BTF");
	dump = out ? bpftool_dump(out, n) : NULL;
	CHECK(dump && strstr(dump, "STRUCT 'b_only'") && strstr(dump, "FUNC 'a_walk'"),
		  "bpftool reads the merged BTF");
	free(dump);
	free(out);
out:
	free(map);
	free(map2);
	free(dmap);
	btf_free(a);
	btf_free(b);
	btf_free(ab);
	btf_free(aa);
	free(ra.data);
	free(rb.data);
	free(rab.data);
}

/* ---- hand-built BTF ---- */

static int64_t add_int(struct btf *b, const char *name, uint32_t size)
{
	struct btf_type t = { .name_off = (uint32_t)btf_add_str(b, name),
			      .info = BTF_KIND_INT << 24, .size = size };
	uint32_t enc = size * 8;

	return btf_add_type(b, &t, &enc, sizeof(enc));
}

static int64_t add_ref(struct btf *b, int kind, const char *name, uint32_t type)
{
	struct btf_type t = { .name_off = (uint32_t)btf_add_str(b, name),
			      .info = (uint32_t)kind << 24, .type = type };

	return btf_add_type(b, &t, NULL, 0);
}

/* struct NAME { TYPE1 *m0; ... }: members given as type ids. */
static int64_t add_struct(struct btf *b, const char *name, const uint32_t *types, uint32_t n)
{
	struct btf_type t = { .name_off = (uint32_t)btf_add_str(b, name),
			      .info = BTF_KIND_STRUCT << 24 | n, .size = 8 * n };
	struct btf_member m[8];
	uint32_t i;

	for (i = 0; i < n; i++) {
		char mn[16];

		snprintf(mn, sizeof(mn), "m%u", i);
		m[i].name_off = (uint32_t)btf_add_str(b, mn);
		m[i].type = types[i];
		m[i].offset = 64 * i;
	}
	return btf_add_type(b, &t, m, n * sizeof(m[0]));
}

/* struct list { struct list-ish *next; int val; } pointing via 'next_ptr'. */
static int set_list(struct btf *b, uint32_t id, uint32_t next_ptr, uint32_t int_id)
{
	struct btf_type h = { .name_off = (uint32_t)btf_add_str(b, "list"),
			      .info = BTF_KIND_STRUCT << 24 | 2, .size = 16 };
	struct btf_member m[2] = {
		{ (uint32_t)btf_add_str(b, "next"), next_ptr, 0 },
		{ (uint32_t)btf_add_str(b, "val"), int_id, 64 },
	};

	return btf_set_type(b, id, &h, m, sizeof(m));
}

static void test_dedup_handmade(void)
{
	struct btf *b = btf_new();
	uint32_t *map = NULL, tys[1];
	int64_t i32, i64, s1, s2, l1, pl1, l2, pl2, l3, pl3, l4, pl4, v1, v2;
	struct btf_type *t;

	i32 = add_int(b, "int", 4);
	i64 = add_int(b, "long", 8);
	/* Same name, different member type: must stay apart. */
	tys[0] = i32;
	s1 = add_struct(b, "s", tys, 1);
	tys[0] = i64;
	s2 = add_struct(b, "s", tys, 1);
	/* Lists are first added empty, then closed into cycles with set_type:
	 * l1 <-> pl1 and l2 <-> pl2 are 2-cycles, l3 -> pl4 -> l4 -> pl3 -> l3 a
	 * 4-cycle of the same shape.  All are bisimilar. */
	l1 = add_struct(b, "list", tys, 0);
	pl1 = add_ref(b, BTF_KIND_PTR, "", l1);
	l2 = add_struct(b, "list", tys, 0);
	pl2 = add_ref(b, BTF_KIND_PTR, "", l2);
	l3 = add_struct(b, "list", tys, 0);
	pl3 = add_ref(b, BTF_KIND_PTR, "", l3);
	l4 = add_struct(b, "list", tys, 0);
	pl4 = add_ref(b, BTF_KIND_PTR, "", l4);
	CHECK(!set_list(b, l1, pl1, i32) && !set_list(b, l2, pl2, i32) &&
		  !set_list(b, l3, pl4, i32) && !set_list(b, l4, pl3, i32) &&
		  btf_type_size_bytes(btf_type_by_id(b, l1)) == 12 + 24, "btf_set_type grows a type");
	/* Two identical VARs. */
	{
		struct btf_type var = { .name_off = (uint32_t)btf_add_str(b, "v"),
					.info = BTF_KIND_VAR << 24, .type = (uint32_t)i32 };
		uint32_t linkage = BTF_VAR_GLOBAL_ALLOCATED;

		v1 = btf_add_type(b, &var, &linkage, sizeof(linkage));
		v2 = btf_add_type(b, &var, &linkage, sizeof(linkage));
	}
	CHECK(v1 > 0 && v2 > 0 && btf_set_type(b, v1, btf_type_by_id(b, v1), NULL, 0) == -EINVAL,
		  "btf_set_type rejects a tail of the wrong size");
	CHECK(btf_add_type(b, &(struct btf_type){ .info = BTF_KIND_STRUCT << 24 | 1 }, NULL, 0) == -EINVAL,
		  "btf_add_type rejects a missing tail");

	CHECK(!btf_dedup(b, &map), "dedup hand-made BTF");
	if (!map)
		return;
	CHECK(map[s1] != map[s2], "same-named structs with different members stay apart");
	CHECK(map[l1] == map[l2] && map[l2] == map[l3] && map[l3] == map[l4] &&
		  map[pl1] == map[pl2] && map[pl2] == map[pl3] && map[pl3] == map[pl4],
		  "2-cycles and a 4-cycle of lists collapse to one struct and one pointer");
	CHECK(map[v1] != map[v2], "identical VARs are not merged");
	CHECK(btf_nr_types(b) == 1 + 2 + 2 + 2 + 2, "9 ids remain (void, 2 ints, 2 s, list, ptr, 2 vars)");
	t = btf_type_mut(b, map[l1]);
	CHECK(t && ((struct btf_member *)(t + 1))[0].type == map[pl1] &&
		  btf_type_by_id(b, map[pl1])->type == map[l1], "the surviving cycle is closed");

	CHECK(!btf_rename(b, map[l1], "renamed_list") && !strcmp(btf_type_name(b, map[l1]), "renamed_list") &&
		  btf_find(b, "renamed_list", BTF_KIND_STRUCT) == map[l1] && btf_find(b, "list", -1) == -ENOENT,
		  "btf_rename");
	CHECK(btf_add_str(b, "renamed_list") == btf_type_by_id(b, map[l1])->name_off &&
		  btf_add_str(b, "") == 0, "strings are deduplicated, string 0 is \"\"");
	{
		void *d = NULL, *d2 = NULL;
		size_t n, n2;
		struct btf *back = NULL;

		CHECK(!btf_serialize(b, ELFDATA2MSB, &d, &n) && !btf_parse(d, n, "handmade", &back) &&
			  !strcmp(btf_type_name(back, map[l1]), "renamed_list") &&
			  !btf_serialize(back, ELFDATA2MSB, &d2, &n2) && blob_eq(d, n, d2, n2),
			  "renamed BTF survives a big-endian round trip");
		free(d);
		free(d2);
		btf_free(back);
	}
	free(map);
	btf_free(b);
}

/* One type of every kind, to check the id and string visitors. */
static int count_cb(uint32_t *x, void *ctx)
{
	(void)x;
	++*(int *)ctx;
	return 0;
}

static void test_visitors(void)
{
	static const struct { int kind, vlen, ids, strs; } cases[] = {
		{ BTF_KIND_INT, 0, 0, 1 }, { BTF_KIND_PTR, 0, 1, 1 }, { BTF_KIND_ARRAY, 0, 2, 1 },
		{ BTF_KIND_STRUCT, 2, 2, 3 }, { BTF_KIND_UNION, 3, 3, 4 }, { BTF_KIND_ENUM, 2, 0, 3 },
		{ BTF_KIND_FWD, 0, 0, 1 }, { BTF_KIND_TYPEDEF, 0, 1, 1 }, { BTF_KIND_VOLATILE, 0, 1, 1 },
		{ BTF_KIND_CONST, 0, 1, 1 }, { BTF_KIND_RESTRICT, 0, 1, 1 }, { BTF_KIND_FUNC, 0, 1, 1 },
		{ BTF_KIND_FUNC_PROTO, 2, 3, 3 }, { BTF_KIND_VAR, 0, 1, 1 }, { BTF_KIND_DATASEC, 2, 2, 1 },
		{ BTF_KIND_FLOAT, 0, 0, 1 }, { BTF_KIND_DECL_TAG, 0, 1, 1 }, { BTF_KIND_TYPE_TAG, 0, 1, 1 },
		{ BTF_KIND_ENUM64, 2, 0, 3 },
	};
	uint32_t buf[64];
	size_t i;
	bool all = true;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct btf_type *t = (struct btf_type *)buf;
		int ids = 0, strs = 0;

		memset(buf, 0, sizeof(buf));
		t->info = (uint32_t)cases[i].kind << 24 | cases[i].vlen;
		btf_visit_type_ids(t, count_cb, &ids);
		btf_visit_str_offs(t, count_cb, &strs);
		if (ids != cases[i].ids || strs != cases[i].strs) {
			all = false;
			printf("# %s: %d ids, %d strings\n", btf_kind_name(cases[i].kind), ids, strs);
		}
	}
	CHECK(all, "id and string visitors cover every kind");
}

/* ---- malformed input ---- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 16);
}

/* pr_err output of thousands of rejected inputs is noise: silence stderr
 * unless BTF_TEST_VERBOSE is set.  Sanitizer aborts still fail the test. */
static int quiet_begin(void)
{
	int saved, null;

	if (getenv("BTF_TEST_VERBOSE"))
		return -1;
	fflush(stderr);
	saved = dup(2);
	null = open("/dev/null", O_WRONLY);
	if (null >= 0) {
		dup2(null, 2);
		close(null);
	}
	return saved;
}

static void quiet_end(int saved)
{
	if (saved < 0)
		return;
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
}

/* Accepting a mutated blob is fine, as long as what was accepted round-trips. */
static bool accepted_roundtrips(const struct btf *b)
{
	void *d1 = NULL, *d2 = NULL;
	size_t n1, n2;
	struct btf *again = NULL;
	bool ok = !btf_serialize(b, ELFDATA2MSB, &d1, &n1) && !btf_parse(d1, n1, "re", &again) &&
		  !btf_serialize(again, ELFDATA2MSB, &d2, &n2) && blob_eq(d1, n1, d2, n2);

	free(d1);
	free(d2);
	btf_free(again);
	return ok;
}

static void fuzz_btf(const char *rel)
{
	struct blob raw;
	uint8_t *m;
	size_t len, i;
	int truncated_ok = 0, roundtrip_bad = 0, accepted = 0, saved;
	struct btf *b;

	if (read_section(rel, ".BTF", &raw)) {
		CHECK(0, "read .BTF of %s", rel);
		return;
	}
	m = malloc(raw.size);
	saved = quiet_begin();
	for (len = 0; len < raw.size; len++) {
		uint8_t *cut = malloc(len ? len : 1);	/* exact size: ASan sees over-reads */

		memcpy(cut, raw.data, len);
		b = NULL;
		if (!btf_parse(cut, len, rel, &b))
			truncated_ok++;
		btf_free(b);
		free(cut);
	}
	for (i = 0; i < 20000; i++) {
		int flips = 1 + rnd() % 4, f;

		memcpy(m, raw.data, raw.size);
		for (f = 0; f < flips; f++) {
			/* Half of the flips aim at the header and types, where bytes matter most. */
			size_t at = rnd() % (f & 1 ? raw.size : (raw.size < 256 ? raw.size : 256));

			m[at] = (rnd() & 1) ? (uint8_t)rnd() : m[at] ^ (uint8_t)(1u << (rnd() % 8));
		}
		b = NULL;
		if (!btf_parse(m, raw.size, rel, &b)) {
			accepted++;
			if (!accepted_roundtrips(b))
				roundtrip_bad++;
		}
		btf_free(b);
	}
	quiet_end(saved);
	CHECK(truncated_ok == 0, "%s: every truncation (%zu lengths) is rejected", rel, raw.size);
	CHECK(roundtrip_bad == 0, "%s: 20000 random mutations: no crash; %d accepted ones round-trip",
		  rel, accepted);
	free(m);
	free(raw.data);
}

/* Builds a BTF blob around a list of type words (host order). */
static void *make_blob(const uint32_t *words, size_t nw, const char *strs, size_t slen, size_t *size)
{
	struct btf_header h = { .magic = BTF_MAGIC, .version = 1, .hdr_len = sizeof(h),
				.type_len = (uint32_t)(nw * 4), .str_off = (uint32_t)(nw * 4),
				.str_len = (uint32_t)slen };
	uint8_t *p = malloc(sizeof(h) + nw * 4 + slen);

	memcpy(p, &h, sizeof(h));
	memcpy(p + sizeof(h), words, nw * 4);
	memcpy(p + sizeof(h) + nw * 4, strs, slen);
	*size = sizeof(h) + nw * 4 + slen;
	return p;
}

static void test_malformed(void)
{
	static const char strs[] = "\0int\0p";
	const uint32_t good[] = { 1, BTF_KIND_INT << 24, 4, 32, 5, BTF_KIND_PTR << 24, 1 };
	struct { const char *what; uint32_t word, value; } cases[] = {
		{ "unknown kind 20", 1, 20u << 24 },
		{ "kind 0", 1, 0 },
		{ "name offset past the strings", 0, sizeof(strs) },
		{ "pointer to a type that does not exist", 6, 3 },
		{ "INT bits larger than its size", 3, 33 },
		{ "vlen on a kind without members", 1, BTF_KIND_INT << 24 | 1 },
		{ "struct whose members run past the section", 1, BTF_KIND_STRUCT << 24 | 9 },
	};
	struct btf *b = NULL;
	uint32_t w[7];
	uint8_t *blob;
	size_t n, i;
	int saved;

	blob = make_blob(good, 7, strs, sizeof(strs), &n);
	CHECK(!btf_parse(blob, n, "good", &b) && btf_nr_types(b) == 3, "hand-built blob parses");
	btf_free(b);
	free(blob);
	saved = quiet_begin();
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int err;

		memcpy(w, good, sizeof(w));
		w[cases[i].word] = cases[i].value;
		blob = make_blob(w, 7, strs, sizeof(strs), &n);
		b = NULL;
		err = btf_parse(blob, n, "bad", &b);
		quiet_end(saved);
		CHECK(err == -EINVAL && !b, "rejected: %s", cases[i].what);
		saved = quiet_begin();
		free(blob);
	}
	quiet_end(saved);
	{
		FILE *cap = tmpfile();
		char msg[512] = "";
		int fd2 = dup(2);

		memcpy(w, good, sizeof(w));
		w[6] = 3;
		blob = make_blob(w, 7, strs, sizeof(strs), &n);
		fflush(stderr);
		dup2(fileno(cap), 2);
		btf_parse(blob, n, "fw.o: .BTF", &b);
		fflush(stderr);
		dup2(fd2, 2);
		close(fd2);
		rewind(cap);
		if (!fgets(msg, sizeof(msg), cap))
			msg[0] = 0;
		fclose(cap);
		free(blob);
		CHECK(strstr(msg, "fw.o: .BTF: type [2] PTR: references type [3]") != NULL,
		      "error message names the input, type id and kind");
	}
	saved = quiet_begin();
	blob = make_blob(good, 7, strs, sizeof(strs) - 1, &n);	/* drop the final NUL */
	CHECK(btf_parse(blob, n, "bad", &b) == -EINVAL, "rejected: string section without final NUL");
	blob[2] = 2;
	CHECK(btf_parse(blob, n, "bad", &b) == -EINVAL, "rejected: version 2");
	blob[2] = 1;
	blob[3] = 1;
	CHECK(btf_parse(blob, n, "bad", &b) == -EINVAL, "rejected: flags 1");
	blob[0] = 0;
	CHECK(btf_parse(blob, n, "bad", &b) == -EINVAL, "rejected: bad magic");
	quiet_end(saved);
	free(blob);
}

/* ---- .BTF.ext ---- */

static void test_ext(const char *rel, int order)
{
	struct blob raw_btf, raw_ext;
	struct btf *b = load_btf(rel, &raw_btf);
	struct btf_ext *ext = NULL, *back = NULL;
	struct btf_ext_sec *xdp;
	void *out = NULL, *out2 = NULL;
	size_t n, n2;
	bool lines_ok = true, grew = false;
	uint32_t i, last = 0, nr_before;

	CHECK(b && !read_section(rel, ".BTF.ext", &raw_ext) &&
		  !btf_ext_parse(raw_ext.data, raw_ext.size, b, rel, &ext), "%s: parse .BTF.ext", rel);
	if (!ext)
		return;
	xdp = btf_ext_sec_get(&ext->func, "xdp");
	CHECK(ext->func.nr_secs == 2 && xdp->nr == 1 &&
		  ((struct btf_ext_func *)xdp->recs)[0].insn_off == 0 &&
		  !strcmp(btf_type_name(b, ((struct btf_ext_func *)xdp->recs)[0].type_id), "a_prog"),
		  "%s: func_info: sections xdp and .text, a_prog at insn_off 0", rel);
	xdp = btf_ext_sec_get(&ext->line, "xdp");
	for (i = 0; i < xdp->nr; i++) {
		struct btf_ext_line *l = (struct btf_ext_line *)xdp->recs + i;

		lines_ok &= l->insn_off % 8 == 0 && l->insn_off >= last &&
			    strstr(btf_str(b, l->file_name_off), "btf_a.bpf.c");
		grew |= l->insn_off > 8;
		last = l->insn_off;
	}
	CHECK(xdp->nr > 3 && lines_ok && grew, "%s: line_info offsets are in bytes, in order", rel);
	CHECK(ext->core.nr_secs == 1 && ext->core.secs[0].nr >= 1 &&
		  !strcmp(btf_type_name(b, ((struct btf_ext_core *)ext->core.secs[0].recs)[0].type_id), "a_core"),
		  "%s: core_relo record names struct a_core", rel);

	nr_before = btf_nr_types(b);
	CHECK(!btf_ext_serialize(ext, b, order, &out, &n) && blob_eq(out, n, raw_ext.data, raw_ext.size),
		  "%s: .BTF.ext round trip is byte-identical", rel);
	CHECK(!btf_serialize(b, order, &out2, &n2) && blob_eq(out2, n2, raw_btf.data, raw_btf.size) &&
		  btf_nr_types(b) == nr_before, "%s: section names were already in .BTF: .BTF unchanged", rel);
	free(out2);
	out2 = NULL;

	/* Build on top: a new section's name is added to the string table. */
	{
		struct btf_ext_func rec = { .insn_off = 16, .type_id = 1 };
		struct btf_ext_sec *s = btf_ext_sec_get(&ext->func, "xdp/extra");

		CHECK(s && !btf_ext_sec_push(&ext->func, s, &rec) && s->nr == 1 &&
			  btf_ext_sec_get(&ext->func, "xdp/extra") == s, "btf_ext_sec_get/push");
	}
	free(out);
	CHECK(!btf_ext_serialize(ext, b, order, &out, &n) &&
		  !btf_serialize(b, order, &out2, &n2) && n2 == raw_btf.size + sizeof("xdp/extra") &&
		  !btf_ext_parse(out, n, b, "rebuilt", &back) && back->func.nr_secs == 3 &&
		  back->func.secs[2].nr == 1 && ((struct btf_ext_func *)back->func.secs[2].recs)[0].insn_off == 16 &&
		  !strcmp(back->func.secs[2].sec_name, "xdp/extra"),
		  "%s: a new section's name goes into .BTF strings and parses back", rel);
	btf_ext_free(back);
	back = NULL;
	free(out2);

	/* Fuzz .BTF.ext against the real .BTF. */
	{
		uint8_t *m = malloc(raw_ext.size);
		int saved = quiet_begin(), truncated_ok = 0;
		size_t len;

		for (len = 0; len < raw_ext.size; len++) {
			uint8_t *cut = malloc(len ? len : 1);

			memcpy(cut, raw_ext.data, len);
			if (!btf_ext_parse(cut, len, b, rel, &back))
				truncated_ok++;
			btf_ext_free(back);
			back = NULL;
			free(cut);
		}
		for (i = 0; i < 20000; i++) {
			memcpy(m, raw_ext.data, raw_ext.size);
			m[rnd() % raw_ext.size] = (uint8_t)rnd();
			if (rnd() & 1)
				m[rnd() % 64] ^= (uint8_t)(1u << (rnd() % 8));
			btf_ext_parse(m, raw_ext.size, b, rel, &back);
			btf_ext_free(back);
			back = NULL;
		}
		quiet_end(saved);
		/* A shorter blob can only be valid if it cut whole records,
		 * which the header lengths rule out. */
		CHECK(truncated_ok == 0, "%s: every truncated .BTF.ext is rejected; 20000 mutations no crash", rel);
		free(m);
	}
	free(out);
	btf_ext_free(ext);
	btf_free(b);
	free(raw_btf.data);
	free(raw_ext.data);
}

int main(void)
{
	log_set_level(LOG_LVL_ERR);
	test_parse_real();
	test_vmlinux();
	test_dedup_real();
	test_dedup_handmade();
	test_visitors();
	test_malformed();
	fuzz_btf("tests/bpf/btf_a.o");
	fuzz_btf("tests/bpf/be/btf_b.o");
	test_ext("tests/bpf/btf_a.o", ELFDATA2LSB);
	test_ext("tests/bpf/be/btf_a.o", ELFDATA2MSB);
	return tap_done();
}
