/* btf_types_equal() on hand-built BTF (each thing it compares, malformed
 * input and its limits) and on the map types of $O/tests/bpf/mapcompat_v*.o
 * (both byte orders), and load_map_check_btf() against kernel maps that
 * load_object() created from mapcompat_v1.o (needs root). */
#include "base/log.h"
#include "btf/btf.h"
#include "elf/mapdef.h"
#include "elf/obj.h"
#include "kernel/bpf_sys.h"
#include "kernel/load.h"
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* TAP_CHECK evaluates its condition twice: evaluate once. */
#define CHECK(cond, ...) do { bool check_ok_ = (cond); TAP_CHECK(check_ok_, __VA_ARGS__); } while (0)

static uint32_t str(struct btf *b, const char *s)
{
	return (uint32_t)btf_add_str(b, s);
}

static uint32_t add_int(struct btf *b, const char *name, uint32_t size, bool is_signed)
{
	struct btf_type t = { .name_off = str(b, name), .info = BTF_KIND_INT << 24, .size = size };
	uint32_t enc = (is_signed ? BTF_INT_SIGNED << 24 : 0) | size * 8;

	return (uint32_t)btf_add_type(b, &t, &enc, sizeof(enc));
}

static uint32_t add_ref(struct btf *b, int kind, const char *name, uint32_t type)
{
	struct btf_type t = { .name_off = str(b, name), .info = (uint32_t)kind << 24, .type = type };

	return (uint32_t)btf_add_type(b, &t, NULL, 0);
}

static uint32_t add_array(struct btf *b, uint32_t elem, uint32_t index, uint32_t n)
{
	struct btf_type t = { .info = BTF_KIND_ARRAY << 24 };
	struct btf_array a = { .type = elem, .index_type = index, .nelems = n };

	return (uint32_t)btf_add_type(b, &t, &a, sizeof(a));
}

struct mem {
	const char *name;
	uint32_t type, off;
};

static uint32_t add_struct(struct btf *b, int kind, const char *name, uint32_t size, bool kflag,
			   const struct mem *m, uint32_t n)
{
	struct btf_type t = { .name_off = str(b, name), .size = size,
			      .info = (uint32_t)kflag << 31 | (uint32_t)kind << 24 | n };
	struct btf_member *bm = calloc(n ? n : 1, sizeof(*bm));
	int64_t id;

	for (uint32_t i = 0; i < n; i++)
		bm[i] = (struct btf_member){ str(b, m[i].name), m[i].type, m[i].off };
	id = btf_add_type(b, &t, bm, n * sizeof(*bm));
	free(bm);
	return (uint32_t)id;
}

static uint32_t add_enum(struct btf *b, const char *name, const char *const *names,
			 const int32_t *vals, uint32_t n)
{
	struct btf_type t = { .name_off = str(b, name), .info = BTF_KIND_ENUM << 24 | n, .size = 4 };
	struct btf_enum e[4];

	for (uint32_t i = 0; i < n; i++)
		e[i] = (struct btf_enum){ str(b, names[i]), vals[i] };
	return (uint32_t)btf_add_type(b, &t, e, n * sizeof(e[0]));
}

/* Variants of struct acme_config; 0 is the reference. */
enum {
	V_SAME, V_SHIFTED, V_PTR_TARGET, V_OFFSET, V_MEMBER_NAME, V_SIGNED, V_TYPEDEF_NAME,
	V_ARRAY_LEN, V_ENUM_VAL, V_ENUM_NAME, V_STRUCT_NAME, V_SIZE, V_MODIFIER, V_NR_MEMBERS,
	V_BITFIELD, V_UNION_MEMBER, V_KIND, V_NR
};

/* struct acme_config {
 *	__u32 enabled;			(typedef __u32 -> unsigned int)
 *	__u8 addr[6];
 *	enum acme_mode mode;		(OFF = 0, ON = 1)
 *	struct acme_config *next;
 *	const volatile __u64 hits;
 *	union { __u32 w; __u8 b[4]; } u;
 *	unsigned int lo:4, hi:12;	(bit fields, kind flag set)
 * };  (size 48) */
static uint32_t build(struct btf *b, int v)
{
	static const char *const en[] = { "OFF", "ON" }, *const en2[] = { "OFF", "ENABLED" };
	static const int32_t ev[] = { 0, 1 }, ev2[] = { 0, 2 };
	uint32_t u32, u8, u64, td32, td8, td64, arr, en_id, ptr, cv, un, s, idx;
	struct mem um[2], m[8];
	uint32_t nm = 8;

	if (v == V_SHIFTED)	/* unrelated types first: every id moves */
		add_ref(b, BTF_KIND_PTR, "", add_int(b, "char", 1, true));
	u32 = add_int(b, "unsigned int", 4, v == V_SIGNED);
	u8 = add_int(b, "unsigned char", 1, false);
	u64 = add_int(b, "long long unsigned int", 8, false);
	idx = add_int(b, "__ARRAY_SIZE_TYPE__", 4, false);
	td32 = add_ref(b, BTF_KIND_TYPEDEF, v == V_TYPEDEF_NAME ? "u32" : "__u32", u32);
	td8 = add_ref(b, BTF_KIND_TYPEDEF, "__u8", u8);
	td64 = add_ref(b, BTF_KIND_TYPEDEF, "__u64", u64);
	arr = add_array(b, td8, idx, v == V_ARRAY_LEN ? 8 : 6);
	en_id = add_enum(b, "acme_mode", v == V_ENUM_NAME ? en2 : en, v == V_ENUM_VAL ? ev2 : ev, 2);
	cv = add_ref(b, BTF_KIND_CONST, "", add_ref(b, BTF_KIND_VOLATILE, "", td64));
	if (v == V_MODIFIER)
		cv = add_ref(b, BTF_KIND_VOLATILE, "", td64);
	um[0] = (struct mem){ "w", td32, 0 };
	um[1] = (struct mem){ v == V_UNION_MEMBER ? "x" : "b", add_array(b, td8, idx, 4), 0 };
	un = add_struct(b, BTF_KIND_UNION, "", 4, false, um, 2);
	s = btf_nr_types(b) + 1;	/* the struct's id (after the pointer's) */
	ptr = add_ref(b, BTF_KIND_PTR, "", v == V_PTR_TARGET ? u32 : s);
	m[0] = (struct mem){ v == V_MEMBER_NAME ? "on" : "enabled", td32, v == V_OFFSET ? 32 : 0 };
	m[1] = (struct mem){ "addr", arr, v == V_OFFSET ? 0 : 32 };
	m[2] = (struct mem){ "mode", en_id, 96 };
	m[3] = (struct mem){ "next", ptr, 128 };
	m[4] = (struct mem){ "hits", cv, 192 };
	m[5] = (struct mem){ "u", un, 256 };
	m[6] = (struct mem){ "lo", u32, 4u << 24 | 288 };
	m[7] = (struct mem){ "hi", u32, (v == V_BITFIELD ? 10 : 12) << 24 | 292 };
	if (v == V_NR_MEMBERS)
		nm = 6;
	if (v == V_KIND)
		return add_struct(b, BTF_KIND_UNION, "acme_config", 48, true, m, nm);
	return add_struct(b, BTF_KIND_STRUCT, v == V_STRUCT_NAME ? "acme_cfg" : "acme_config",
			  v == V_SIZE ? 40 : 48, true, m, nm);
}

static void test_variants(void)
{
	static const struct { int v; const char *why; } cases[] = {
		{ V_SAME, NULL },
		{ V_SHIFTED, NULL },
		{ V_PTR_TARGET, NULL },
		{ V_OFFSET, "struct acme_config: member 'enabled' at bit 0 vs 32" },
		{ V_MEMBER_NAME, "struct acme_config: member 0 is 'enabled' vs 'on'" },
		{ V_SIGNED, "struct acme_config: member 'enabled': typedef __u32: "
			    "int 'unsigned int': encoding 0x20 vs 0x1000020" },
		{ V_TYPEDEF_NAME, "struct acme_config: member 'enabled': typedef __u32 vs typedef u32" },
		{ V_ARRAY_LEN, "struct acme_config: member 'addr': array: 6 vs 8 elements" },
		{ V_ENUM_VAL, "struct acme_config: member 'mode': enum acme_mode: value 1 is ON = 1 vs ON = 2" },
		{ V_ENUM_NAME, "enum acme_mode: value 1 is ON = 1 vs ENABLED = 1" },
		{ V_STRUCT_NAME, "struct acme_config vs struct acme_cfg" },
		{ V_SIZE, "struct acme_config: size 48 vs 40" },
		{ V_MODIFIER, "member 'hits': const vs volatile" },
		{ V_NR_MEMBERS, "struct acme_config: 8 vs 6 members" },
		{ V_BITFIELD, "struct acme_config: member 'hi' is a 12 vs 10 bit field" },
		{ V_UNION_MEMBER, "member 'u': union: member 1 is 'b' vs 'x'" },
		{ V_KIND, "struct acme_config vs union acme_config" },
	};
	struct btf *a = btf_new();
	uint32_t ra = build(a, V_SAME);

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct btf *b = btf_new();
		uint32_t rb = build(b, cases[i].v);
		char why[256] = "unchanged";
		bool eq = btf_types_equal(a, ra, b, rb, why, sizeof(why));

		if (!cases[i].why) {
			CHECK(eq && !why[0], "variant %d: equal, reason left empty", cases[i].v);
		} else {
			CHECK(!eq && strstr(why, cases[i].why), "variant %d: differs: %s", cases[i].v, why);
			CHECK(!btf_types_equal(a, ra, b, rb, NULL, 0), "variant %d: same answer without why",
			      cases[i].v);
		}
		btf_free(b);
	}
	CHECK(btf_types_equal(a, ra, a, ra, NULL, 0), "a type equals itself");
	btf_free(a);
}

static void test_small_why(void)
{
	struct btf *a = btf_new(), *b = btf_new();
	uint32_t ra = build(a, V_SAME), rb = build(b, V_UNION_MEMBER);
	char why[12];

	memset(why, 'x', sizeof(why));
	CHECK(!btf_types_equal(a, ra, b, rb, why, 8) && strlen(why) == 7 && why[8] == 'x',
	      "a short why buffer is cut and terminated (\"%s\")", why);
	memset(why, 'x', sizeof(why));
	CHECK(!btf_types_equal(a, ra, b, rb, why, 1) && !why[0] && why[1] == 'x',
	      "a one-byte why buffer holds \"\"");
	CHECK(!btf_types_equal(a, ra, b, rb, why, 0) && why[1] == 'x', "len 0: why untouched");
	btf_free(a);
	btf_free(b);
}

static void test_malformed(void)
{
	struct btf *a = btf_new(), *b = btf_new();
	uint32_t ia, ib, la, lb, ta, tb, proto, bad;
	struct mem m[2];
	char why[256];

	/* struct list { struct list *next; int v; }: the cycle goes through a pointer. */
	ia = add_int(a, "int", 4, true);
	la = btf_nr_types(a) + 1;
	m[0] = (struct mem){ "next", add_ref(a, BTF_KIND_PTR, "", la), 0 };
	m[1] = (struct mem){ "v", ia, 64 };
	CHECK(add_struct(a, BTF_KIND_STRUCT, "list", 16, false, m, 2) == la, "list built");
	ib = add_int(b, "int", 4, true);
	lb = btf_nr_types(b) + 1;
	m[0] = (struct mem){ "next", add_ref(b, BTF_KIND_PTR, "", lb), 0 };
	m[1] = (struct mem){ "v", ib, 64 };
	CHECK(add_struct(b, BTF_KIND_STRUCT, "list", 16, false, m, 2) == lb, "list built");
	CHECK(btf_types_equal(a, la, b, lb, why, sizeof(why)), "self-referential list through a pointer: equal");

	/* struct s { struct s x; }: contains itself (malformed). */
	ta = btf_nr_types(a);
	m[0] = (struct mem){ "x", ta, 0 };
	add_struct(a, BTF_KIND_STRUCT, "s", 4, false, m, 1);
	CHECK(!btf_types_equal(a, ta, a, ta, why, sizeof(why)) && !strcmp(why, "types nested more than 32 deep"),
	      "struct containing itself: not equal, ends (%s)", why);
	/* typedef t1 -> t2 -> t1 (malformed). */
	ta = btf_nr_types(a);
	add_ref(a, BTF_KIND_TYPEDEF, "t1", ta + 1);
	add_ref(a, BTF_KIND_TYPEDEF, "t2", ta);
	tb = btf_nr_types(b);
	add_ref(b, BTF_KIND_TYPEDEF, "t1", tb + 1);
	add_ref(b, BTF_KIND_TYPEDEF, "t2", tb);
	CHECK(!btf_types_equal(a, ta, b, tb, why, sizeof(why)) && !strcmp(why, "types nested more than 32 deep"),
	      "typedef cycle: not equal, ends (%s)", why);

	/* Ids out of range, at the top and inside a type (unchecked btf_add_type). */
	CHECK(!btf_types_equal(a, btf_nr_types(a), b, ib, why, sizeof(why)) && strstr(why, "out of range"),
	      "first id out of range: %s", why);
	CHECK(!btf_types_equal(a, ia, b, UINT32_MAX, why, sizeof(why)) && strstr(why, "out of range"),
	      "second id out of range: %s", why);
	bad = add_ref(a, BTF_KIND_CONST, "", 100000);
	CHECK(!btf_types_equal(a, bad, a, bad, why, sizeof(why)) && strstr(why, "out of range"),
	      "reference out of range inside a type: %s", why);
	CHECK(btf_types_equal(a, 0, b, 0, why, sizeof(why)), "void equals void");
	CHECK(!btf_types_equal(a, 0, b, ib, why, sizeof(why)) && !strcmp(why, "void vs int 'int'"),
	      "void vs int: %s", why);
	proto = add_ref(a, BTF_KIND_FUNC_PROTO, "", ia);
	CHECK(!btf_types_equal(a, proto, a, proto, why, sizeof(why)) && strstr(why, "not compared"),
	      "FUNC_PROTO is never equal: %s", why);
	btf_free(a);
	btf_free(b);
}

/* Wide sharing: 4 levels of structs with 64 members each of the level
 * below: 64^4 paths, so the visit budget ends it. */
static void test_budget(void)
{
	struct btf *a = btf_new();
	uint32_t id = add_int(a, "int", 4, true);
	struct mem m[64];
	char names[64][8], why[256];
	struct timespec t0, t1;
	bool eq;

	for (int i = 0; i < 64; i++)
		snprintf(names[i], sizeof(names[i]), "m%d", i);
	for (int level = 0; level < 4; level++) {
		for (int i = 0; i < 64; i++)
			m[i] = (struct mem){ names[i], id, 0 };
		id = add_struct(a, BTF_KIND_UNION, "w", 4, false, m, 64);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	eq = btf_types_equal(a, id, a, id, why, sizeof(why));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	CHECK(!eq && !strcmp(why, "more than 1048576 types to compare"), "64^4 shared members: stops at the visit budget (%s)", why);
	CHECK(t1.tv_sec - t0.tv_sec < 10, "... in %ld s", (long)(t1.tv_sec - t0.tv_sec));
	btf_free(a);
}

/* ---- real objects ---- */

static const char *build_dir(void)
{
	const char *o = getenv("O");

	return o && *o ? o : "build";
}

struct ver {
	struct obj *o;
	struct map_def *defs;
	size_t nr;
};

static bool ver_open(struct ver *v, const char *rel)
{
	char path[512];

	memset(v, 0, sizeof(*v));
	snprintf(path, sizeof(path), "%s/tests/bpf/%s", build_dir(), rel);
	if (obj_read_file(path, &v->o) || obj_map_defs(v->o, &v->defs, &v->nr)) {
		TAP_CHECK(0, "read %s", path);
		return false;
	}
	return true;
}

static void ver_close(struct ver *v)
{
	map_defs_free(v->defs, v->nr);
	obj_free(v->o);
}

static const struct map_def *def_of(const struct ver *v, const char *name)
{
	for (size_t i = 0; i < v->nr; i++)
		if (!strcmp(v->defs[i].name, name))
			return &v->defs[i];
	return NULL;
}

/* Compare map `name`'s key (key = true) or value types in x and y. */
static bool map_types_equal(const struct ver *x, const struct ver *y, const char *name, bool key,
			    char *why, size_t len)
{
	const struct map_def *a = def_of(x, name), *b = def_of(y, name);

	if (!a || !b) {
		snprintf(why, len, "no map %s", name);
		return false;
	}
	return btf_types_equal(x->o->btf, key ? a->btf_key_type_id : a->btf_value_type_id,
			       y->o->btf, key ? b->btf_key_type_id : b->btf_value_type_id, why, len);
}

static void test_objects(const struct ver *v)
{
	char why[256];

	CHECK(def_of(&v[1], "rules")->btf_key_type_id != def_of(&v[2], "rules")->btf_key_type_id,
	      "v1 and v2 give struct k different type ids");
	CHECK(map_types_equal(&v[1], &v[2], "rules", true, why, sizeof(why)) &&
	      map_types_equal(&v[1], &v[2], "rules", false, why, sizeof(why)) &&
	      map_types_equal(&v[1], &v[2], "counters", false, why, sizeof(why)),
	      "v1 vs v2: rules key and value, counters value equal");
	CHECK(map_types_equal(&v[1], &v[3], "rules", true, why, sizeof(why)),
	      "v1 vs v3: rules key equal");
	CHECK(!map_types_equal(&v[1], &v[3], "rules", false, why, sizeof(why)) &&
	      !strcmp(why, "struct v: member 1 is 'verdict' vs 'flags'"),
	      "v1 vs v3: rules value differs: %s", why);
	CHECK(!map_types_equal(&v[1], &v[4], "rules", true, why, sizeof(why)) &&
	      !strcmp(why, "struct k: member 'a': typedef __u32 vs typedef __u16"), "v1 vs v4: rules key differs: %s", why);
	CHECK(map_types_equal(&v[1], &v[4], "rules", false, why, sizeof(why)),
	      "v1 vs v4: rules value equal");
	CHECK(map_types_equal(&v[1], &v[0], "rules", true, why, sizeof(why)) &&
	      map_types_equal(&v[1], &v[0], "rules", false, why, sizeof(why)),
	      "v1 vs big-endian v1: equal (%s)", why);
	CHECK(!map_types_equal(&v[0], &v[3], "counters", false, why, sizeof(why)) &&
	      strstr(why, "'verdict' vs 'flags'"), "big-endian v1 vs v3: counters value differs: %s", why);
}

/* ---- load_map_check_btf against kernel maps ---- */

static void test_kernel(const struct ver *v)
{
	struct load_opts opts = { .no_pin = true };
	struct loaded_obj *lo = NULL;
	struct load_map_mismatch mm;
	struct bpf_map_info info;
	uint32_t ilen = sizeof(info);
	struct map_def d;
	struct obj nobtf;
	char why[256];
	int rules, counters, fd, err;

	if (geteuid() != 0) {
		printf("ok %d - load_map_check_btf # SKIP needs root for bpf(2)\n", ++tap_n);
		return;
	}
	err = load_object(v[1].o, &opts, &lo);
	CHECK(!err, "load mapcompat_v1.o (no pins): %d", err);
	if (err)
		return;
	rules = loaded_obj_map_fd(lo, "rules");
	counters = loaded_obj_map_fd(lo, "counters");
	CHECK(rules >= 0 && counters >= 0, "v1 maps rules and counters exist");
	CHECK(lo->btf_fd >= 0, "v1 was loaded with BTF");

	CHECK(!load_map_check_btf(v[1].o, def_of(&v[1], "rules"), rules, why, sizeof(why)) && !why[0],
	      "rules vs v1's own definition: 0");
	CHECK(!load_map_check_btf(v[2].o, def_of(&v[2], "rules"), rules, why, sizeof(why)),
	      "rules vs v2: 0 (%s)", why);
	CHECK(!load_map_check_reuse(def_of(&v[3], "rules"), rules, &mm, NULL),
	      "rules vs v3: sizes and flags match (load_map_check_reuse 0)");
	err = load_map_check_btf(v[3].o, def_of(&v[3], "rules"), rules, why, sizeof(why));
	CHECK(err == -EINVAL && !strcmp(why, "value type: struct v: member 1 is 'verdict' vs 'flags'"),
	      "rules vs v3: -EINVAL, %s", why);
	err = load_map_check_btf(v[4].o, def_of(&v[4], "rules"), rules, why, sizeof(why));
	CHECK(err == -EINVAL && !strcmp(why, "key type: struct k: member 'a': typedef __u32 vs typedef __u16"),
	      "rules vs v4: -EINVAL, %s", why);
	CHECK(!load_map_check_btf(v[0].o, def_of(&v[0], "rules"), rules, why, sizeof(why)),
	      "rules vs big-endian v1: 0 (%s)", why);

	/* counters: key given by size only.  The kernel takes BTF without a key
	 * type only for global data (a DATASEC value), so the loader created it
	 * without BTF: nothing to compare. */
	memset(&info, 0, sizeof(info));
	CHECK(!sys_obj_info(counters, &info, &ilen) && !info.btf_value_type_id,
	      "counters has no BTF in the kernel");
	CHECK(!load_map_check_btf(v[3].o, def_of(&v[3], "counters"), counters, why, sizeof(why)),
	      "counters vs v3: nothing to compare, 0");
	/* A definition without a key type: only the value is compared. */
	d = *def_of(&v[4], "rules");
	d.btf_key_type_id = 0;
	CHECK(!load_map_check_btf(v[4].o, &d, rules, why, sizeof(why)),
	      "rules vs v4 without its key type: 0 (values equal)");
	d = *def_of(&v[3], "rules");
	d.btf_key_type_id = 0;
	err = load_map_check_btf(v[3].o, &d, rules, why, sizeof(why));
	CHECK(err == -EINVAL && !strncmp(why, "value type: ", 12),
	      "rules vs v3 without its key type: -EINVAL, %s", why);
	d.btf_key_type_id = def_of(&v[3], "rules")->btf_key_type_id;
	d.btf_value_type_id = 0;
	CHECK(!load_map_check_btf(v[3].o, &d, rules, why, sizeof(why)),
	      "rules vs v3 without its value type: 0 (keys equal)");

	/* Nothing to compare: no BTF in the object, none on the map. */
	nobtf = *v[3].o;
	nobtf.btf = NULL;
	CHECK(!load_map_check_btf(&nobtf, def_of(&v[3], "rules"), rules, why, sizeof(why)),
	      "object without BTF: 0");
	fd = sys_map_create(BPF_MAP_TYPE_HASH, "nobtf", 8, 16, 4, 0, NULL);
	CHECK(fd >= 0 && !load_map_check_btf(v[3].o, def_of(&v[3], "rules"), fd, why, sizeof(why)),
	      "map without BTF: 0");
	if (fd >= 0)
		close(fd);

	/* Not a map. */
	fd = loaded_obj_prog_fd(lo, "mapcompat_prog");
	err = load_map_check_btf(v[1].o, def_of(&v[1], "rules"), fd, why, sizeof(why));
	CHECK(err == -ENOTSUP, "a program fd: -ENOTSUP (%d)", err);
	fd = open("/dev/null", O_RDONLY);
	err = load_map_check_btf(v[1].o, def_of(&v[1], "rules"), fd, why, sizeof(why));
	CHECK(err == -ENOTSUP, "/dev/null: -ENOTSUP (%d)", err);
	close(fd);
	err = load_map_check_btf(v[1].o, def_of(&v[1], "rules"), -1, NULL, 0);
	CHECK(err < 0 && err != -EINVAL, "fd -1: an error, not a difference (%d)", err);
	loaded_obj_free(lo);
}

int main(void)
{
	static const char *const rel[] = {
		"be/mapcompat_v1.o", "mapcompat_v1.o", "mapcompat_v2.o", "mapcompat_v3.o", "mapcompat_v4.o",
	};
	struct ver v[5];
	bool ok = true;

	log_set_level(LOG_LVL_ERR);
	test_variants();
	test_small_why();
	test_malformed();
	test_budget();
	for (size_t i = 0; i < 5; i++)
		ok &= ver_open(&v[i], rel[i]);
	if (ok) {
		test_objects(v);
		test_kernel(v);
	}
	for (size_t i = 0; i < 5; i++)
		ver_close(&v[i]);
	return tap_done();
}
