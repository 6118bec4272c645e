/* Minimized BTF (loader/core/core_gen.c) on BTF built by hand: what is
 * kept (members on the access path, pointers as void, enumerators named,
 * sizes), the fallback to every matching candidate when the first one
 * alone would change a later decision, and errors that name the object and
 * the access string.  The comparison with bpftool and libbpf on real
 * objects is tests/t_btfgen.sh. */
#include "core_synth.h"
#include "core/core_gen.h"

static uint32_t vlen_of(const struct btf_type *t)
{
	return t ? BTF_INFO_VLEN(t->info) : 0xffff;
}

/* One .BTF.ext with the records kinds[i] on local type ids[i] with access
 * strings acc[i], in section "xdp", instruction i. */
static struct btf_ext *ext_of(struct btf *local, const uint32_t *ids, const char *const *acc,
			      const uint32_t *kinds, uint32_t n)
{
	struct btf_ext *ext = btf_ext_new();
	struct btf_ext_sec *sec = ext ? btf_ext_sec_get(&ext->core, "xdp") : NULL;

	for (uint32_t i = 0; sec && i < n; i++) {
		struct btf_ext_core rec = { .insn_off = i * 8, .type_id = ids[i],
					    .access_str_off = str(local, acc[i]), .kind = kinds[i] };

		if (btf_ext_sec_push(&ext->core, sec, &rec))
			sec = NULL;
	}
	if (!sec) {
		btf_ext_free(ext);
		return NULL;
	}
	return ext;
}

struct gen_out {
	struct btf *min;
	struct core_gen_stats st;
	char err[512];
	int ret;
};

static void gen(const struct btf *target, struct btf *local, struct btf_ext *ext,
		struct gen_out *o)
{
	struct core_gen *g = NULL;
	void *data = NULL;
	size_t size = 0;

	memset(o, 0, sizeof(*o));
	o->ret = core_gen_new(target, &g);
	if (!o->ret)
		o->ret = core_gen_add(g, local, ext, false, "t.o", o->err, sizeof(o->err));
	if (!o->ret)
		o->ret = core_gen_write(g, &data, &size, &o->st, o->err, sizeof(o->err));
	if (!o->ret)
		o->ret = btf_parse(data, size, "minimized", &o->min);
	free(data);
	core_gen_free(g);
}

/* The id of the n-th (from 0) type named name in b, or 0. */
static uint32_t nth(const struct btf *b, const char *name, int n)
{
	for (uint32_t id = 1; id < btf_nr_types(b); id++)
		if (!strcmp(btf_type_name(b, id), name) && n-- == 0)
			return id;
	return 0;
}

/* Two target struct foo: the first has only 'a', the second 'a' and 'b'
 * at the same offsets.  Record 0 (foo.a) matches both; record 1 (foo.b),
 * with the candidates narrowed to those two, only the second.  Keeping the
 * first candidate of each record (bpftool's way) would leave foo #1
 * without 'a', so record 0 would narrow to foo #0 alone and record 1 would
 * fail: xdpld notices and keeps every matching candidate. */
static void test_fallback(void)
{
	struct local_ids lid;
	struct btf *local = make_local(&lid), *t = btf_new();
	struct btf_ext *ext = NULL;
	struct core_targets ts;
	struct core_cache *cache = NULL;
	struct gen_out o;
	uint32_t i;

	i = add_int(t, "int", 4, true);
	add_struct(t, "foo", 8, (struct mem[]){ { "a", i, 0 } }, 1);
	add_struct(t, "foo", 8, (struct mem[]){ { "a", i, 0 }, { "b", i, 32 } }, 2);
	ext = ext_of(local, (uint32_t[]){ lid.foo, lid.foo }, (const char *const[]){ "0:0", "0:1" },
		     (uint32_t[]){ CORE_FIELD_BYTE_OFFSET, CORE_FIELD_BYTE_OFFSET }, 2);
	gen(t, local, ext, &o);
	CHECK(!o.ret && o.st.all_cands && o.st.relos == 2 && o.st.matched == 2,
	      "fallback: every matching candidate kept (%s)", o.err);
	if (o.ret)
		goto out;
	CHECK(btf_nr_types(o.min) == 4 && vlen_of(btf_type_by_id(o.min, nth(o.min, "foo", 0))) == 1 &&
	      vlen_of(btf_type_by_id(o.min, nth(o.min, "foo", 1))) == 2,
	      "fallback: int, foo { a }, foo { a, b }");
	/* libbpf's order of decisions against the result: record 1 still 4 */
	if (!core_targets_init(&ts, o.min, false)) {
		const struct btf_ext_core *r = ext->core.secs[0].recs;
		struct core_decision d0, d1;
		char err[256];

		cache = core_cache_new(local);
		CHECK(cache && !core_resolve(local, &r[0], &ts, cache, &d0, err, sizeof(err)) &&
		      !core_resolve(local, &r[1], &ts, cache, &d1, err, sizeof(err)) &&
		      d0.new_val == 0 && !d1.poison && d1.new_val == 4,
		      "fallback: foo.a at 0, foo.b at 4 against the minimized BTF");
		core_targets_free(&ts);
	}
out:
	core_cache_free(cache);
	btf_free(o.min);
	btf_ext_free(ext);
	btf_free(t);
	btf_free(local);
}

/* What a field, an enum and a type record keep. */
static void test_kept(void)
{
	struct btf *local = btf_new(), *t = btf_new();
	struct btf_ext *ext = NULL;
	const struct btf_type *s, *p, *e;
	const struct btf_member *m;
	uint32_t li, lptr, ls, lt, le, ti, ttt, tptr, big;
	static const char *const en[] = { "E_A", "E_B", "E_C" };
	static const int32_t ev[] = { 1, 2, 3 };
	struct gen_out o;

	/* local: struct t; struct s { struct t *p; }; enum e { E_B }; struct big */
	li = add_int(local, "int", 4, true);
	lt = add_struct(local, "t", 4, (struct mem[]){ { "y", li, 0 } }, 1);
	lptr = add(local, 0, BTF_KIND_PTR, 0, false, lt, NULL, 0);
	ls = add_struct(local, "s", 8, (struct mem[]){ { "p", lptr, 0 } }, 1);
	le = add_enum(local, "e", (const char *const[]){ "E_B" }, (const int32_t[]){ 2 }, 1);
	add_struct(local, "big", 4, (struct mem[]){ { "x", li, 0 } }, 1);
	/* target: struct t { int y; }; struct s { int x; struct t *p; };
	 * enum e { E_A, E_B, E_C }; struct big { int x; int z; } */
	ti = add_int(t, "int", 4, true);
	ttt = add_struct(t, "t", 4, (struct mem[]){ { "y", ti, 0 } }, 1);
	tptr = add(t, 0, BTF_KIND_PTR, 0, false, ttt, NULL, 0);
	add_struct(t, "s", 16, (struct mem[]){ { "x", ti, 0 }, { "p", tptr, 64 } }, 2);
	add_enum(t, "e", en, ev, 3);
	big = add_struct(t, "big", 8, (struct mem[]){ { "x", ti, 0 }, { "z", ti, 32 } }, 2);
	ext = ext_of(local, (uint32_t[]){ ls, le, big },
		     (const char *const[]){ "0:0", "0", "0" },
		     (uint32_t[]){ CORE_FIELD_BYTE_OFFSET, CORE_ENUMVAL_VALUE, CORE_TYPE_SIZE }, 3);
	gen(t, local, ext, &o);
	CHECK(!o.ret && !o.st.all_cands, "kept: generated (%s)", o.err);
	if (o.ret)
		goto out;
	s = btf_type_by_id(o.min, nth(o.min, "s", 0));
	m = s ? (const struct btf_member *)(s + 1) : NULL;
	p = m ? btf_type_by_id(o.min, m->type) : NULL;
	CHECK(s && s->size == 16 && vlen_of(s) == 1 && !strcmp(btf_str(o.min, m->name_off), "p") &&
	      m->offset == 64 && p && BTF_INFO_KIND(p->info) == BTF_KIND_PTR && p->type == 0,
	      "kept: struct s (16 bytes) with only p at bit 64, a void pointer");
	CHECK(!nth(o.min, "t", 0), "kept: struct t, only pointed to, left out");
	e = btf_type_by_id(o.min, nth(o.min, "e", 0));
	CHECK(e && vlen_of(e) == 1 && e->size == 4 &&
	      !strcmp(btf_str(o.min, ((const struct btf_enum *)(e + 1))->name_off), "E_B") &&
	      ((const struct btf_enum *)(e + 1))->val == 2,
	      "kept: enum e with only E_B = 2");
	s = btf_type_by_id(o.min, nth(o.min, "big", 0));
	CHECK(s && vlen_of(s) == 0 && s->size == 8, "kept: struct big for type_size: 8 bytes, no members");
	CHECK(o.st.types == 4 && o.st.members == 1 && o.st.enumerators == 1,
	      "kept: 4 types (s, void *, e, big: no int), 1 member, 1 enumerator");
out:
	btf_free(o.min);
	btf_ext_free(ext);
	btf_free(t);
	btf_free(local);
}

/* A record that cannot be resolved: an error naming the object, the
 * section, the record and its access string. */
static void test_errors(void)
{
	struct local_ids lid;
	struct btf *local = make_local(&lid), *t = make_vmlinux(false), *amb = make_vmlinux(true);
	struct btf_ext *ext, *ext2;
	struct gen_out o;

	ext = ext_of(local, (uint32_t[]){ lid.foo }, (const char *const[]){ "0:7" },
		     (uint32_t[]){ CORE_FIELD_BYTE_OFFSET }, 1);
	gen(t, local, ext, &o);
	CHECK(o.ret == -EINVAL && strstr(o.err, "t.o: sec 'xdp': CO-RE relocation #0") &&
	      strstr(o.err, "\"0:7\""), "error: bad access string named (%s)", o.err);
	btf_free(o.min);
	ext2 = ext_of(local, (uint32_t[]){ lid.foo }, (const char *const[]){ "0:1" },
		      (uint32_t[]){ CORE_FIELD_BYTE_OFFSET }, 1);
	gen(amb, local, ext2, &o);
	CHECK(o.ret && strstr(o.err, "ambiguity"), "error: an ambiguous relocation is refused (%s)",
	      o.err);
	btf_free(o.min);
	btf_ext_free(ext);
	btf_ext_free(ext2);
	btf_free(amb);
	btf_free(t);
	btf_free(local);
}

int main(void)
{
	test_fallback();
	test_kept();
	test_errors();
	return tap_done();
}
