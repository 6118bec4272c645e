/* Shared by test_core_synth.c and test_core_bad.c: small BTF built by hand
 * (a local object's, a "vmlinux", a module's split BTF) and one-record
 * resolution. */
#ifndef CORE_SYNTH_H
#define CORE_SYNTH_H
#include "btf/btf.h"
#include "core/core.h"
#include "tap.h"

#define CHECK(cond, ...) do { int ok_ = !!(cond); TAP_CHECK(ok_, __VA_ARGS__); } while (0)

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BTF_INFO_ENC(kind, kflag, vlen) \
	((!!(kflag) << 31) | (((kind) & 0x1f) << 24) | ((vlen) & 0xffff))
#define BTF_INT_ENC(enc, off, bits) (((enc) << 24) | ((off) << 16) | (bits))

/* ---- building BTF ---- */

static inline uint32_t str(struct btf *b, const char *s)
{
	int64_t off = btf_add_str(b, s);

	return off < 0 ? 0 : (uint32_t)off;
}

static inline uint32_t add(struct btf *b, uint32_t name, uint32_t kind, uint32_t vlen, bool kflag,
		    uint32_t size_type, const void *tail, size_t tail_len)
{
	struct btf_type t = { .name_off = name,
			      .info = BTF_INFO_ENC(kind, kflag, vlen),
			      .size = size_type };
	int64_t id = btf_add_type(b, &t, tail, tail_len);

	return id < 0 ? 0 : (uint32_t)id;
}

static inline uint32_t add_int(struct btf *b, const char *name, uint32_t size, bool sign)
{
	uint32_t enc = BTF_INT_ENC(sign ? BTF_INT_SIGNED : 0, 0, size * 8);

	return add(b, str(b, name), BTF_KIND_INT, 0, false, size, &enc, sizeof(enc));
}

struct mem { const char *name; uint32_t type, bit_off; };

static inline uint32_t add_struct(struct btf *b, const char *name, uint32_t size, const struct mem *m,
			   uint32_t n)
{
	struct btf_member ms[8];

	for (uint32_t i = 0; i < n && i < 8; i++)
		ms[i] = (struct btf_member){ .name_off = m[i].name ? str(b, m[i].name) : 0,
					     .type = m[i].type, .offset = m[i].bit_off };
	return add(b, name ? str(b, name) : 0, BTF_KIND_STRUCT, n, false, size, ms,
		   n * sizeof(ms[0]));
}

static inline uint32_t add_enum(struct btf *b, const char *name, const char *const *names,
			 const int32_t *vals, uint32_t n)
{
	struct btf_enum e[8];

	for (uint32_t i = 0; i < n && i < 8; i++)
		e[i] = (struct btf_enum){ .name_off = str(b, names[i]), .val = vals[i] };
	return add(b, str(b, name), BTF_KIND_ENUM, n, false, 4, e, n * sizeof(e[0]));
}

/* ---- resolving ---- */

struct run {
	struct core_decision d;
	char err[256];
	int ret;
};

static inline int resolve(struct btf *local, uint32_t type_id, const char *access, uint32_t kind,
		   const struct core_targets *ts, struct run *r)
{
	struct core_cache *cache = core_cache_new(local);
	struct btf_ext_core rec = { .insn_off = 0, .type_id = type_id, .kind = kind };
	int64_t off;

	r->err[0] = '\0';
	if (!cache)
		return r->ret = -ENOMEM;
	off = btf_add_str(local, access);
	rec.access_str_off = off < 0 ? 0 : (uint32_t)off;
	r->ret = core_resolve(local, &rec, ts, cache, &r->d, r->err, sizeof(r->err));
	core_cache_free(cache);
	return r->ret;
}

/* Local: int, struct foo___v2 { int b; }, struct foo { int a; int b; },
 * struct bar { int x; }, enum e { E_A = 1, E_B = 2 }, struct baz { int q; }. */
struct local_ids { uint32_t i, foo_v2, foo, bar, e, baz; };

static inline struct btf *make_local(struct local_ids *id)
{
	struct btf *b = btf_new();
	static const char *const en[] = { "E_A", "E_B" };
	static const int32_t ev[] = { 1, 2 };

	if (!b)
		return NULL;
	id->i = add_int(b, "int", 4, true);
	id->foo_v2 = add_struct(b, "foo___v2", 4, (struct mem[]){ { "b", id->i, 0 } }, 1);
	id->foo = add_struct(b, "foo", 8, (struct mem[]){ { "a", id->i, 0 }, { "b", id->i, 32 } }, 2);
	id->bar = add_struct(b, "bar", 4, (struct mem[]){ { "x", id->i, 0 } }, 1);
	id->e = add_enum(b, "e", en, ev, 2);
	id->baz = add_struct(b, "baz", 4, (struct mem[]){ { "q", id->i, 0 } }, 1);
	return b;
}

/* Target "vmlinux": int, struct foo { int b @0; int a @64 } (12 bytes),
 * an anonymous-member struct foo___x { struct { int a; int b; } } (8),
 * enum e { E_B = 20, E_A = 10 }; with 'ambiguous' another struct foo with
 * b at another offset. */
static inline struct btf *make_vmlinux(bool ambiguous)
{
	struct btf *b = btf_new();
	static const char *const en[] = { "E_B", "E_A" };
	static const int32_t ev[] = { 20, 10 };
	uint32_t i, anon;

	if (!b)
		return NULL;
	i = add_int(b, "int", 4, true);
	add_int(b, "long", 8, true);
	add_struct(b, "foo", 12, (struct mem[]){ { "b", i, 0 }, { "a", i, 64 } }, 2);
	anon = add_struct(b, NULL, 8, (struct mem[]){ { "a", i, 0 }, { "b", i, 32 } }, 2);
	add_struct(b, "foo___x", 8, (struct mem[]){ { NULL, anon, 0 } }, 1);
	add_enum(b, "e", en, ev, 2);
	if (ambiguous)
		add_struct(b, "foo", 8, (struct mem[]){ { "b", i, 32 } }, 1);
	return b;
}

/* ---- module (split) BTF ---- */

static inline void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

/* A module blob on base: struct bar { int x; } (and struct foo { int b; }
 * when with_foo): types use base int id 1; strings continue after base's. */
static inline size_t make_module(const struct btf *base, bool with_foo, uint8_t *out, size_t cap)
{
	void *bd;
	size_t bs, n = 0;
	uint32_t base_strs, base_nr = btf_nr_types(base), w[32];
	const char strs[] = "\0bar\0x\0foo\0b";
	size_t nw = 0;

	if (btf_serialize(base, 1 /* ELFDATA2LSB */, &bd, &bs))
		return 0;
	memcpy(&base_strs, (uint8_t *)bd + 20, 4);
	free(bd);
	/* struct bar { int x; } */
	w[nw++] = base_strs + 1; w[nw++] = BTF_INFO_ENC(BTF_KIND_STRUCT, 0, 1); w[nw++] = 4;
	w[nw++] = base_strs + 5; w[nw++] = 1; w[nw++] = 0;
	if (with_foo) {
		w[nw++] = base_strs + 7; w[nw++] = BTF_INFO_ENC(BTF_KIND_STRUCT, 0, 1); w[nw++] = 4;
		w[nw++] = base_strs + 11; w[nw++] = 1; w[nw++] = 0;
	}
	/* a pointer to bar: a reference to the module's own first id */
	w[nw++] = 0; w[nw++] = BTF_INFO_ENC(BTF_KIND_PTR, 0, 0); w[nw++] = base_nr;
	if (cap < 24 + nw * 4 + sizeof(strs))
		return 0;
	memset(out, 0, 24);
	out[0] = 0x9f; out[1] = 0xeb; out[2] = 1;
	put32(out + 4, 24);
	put32(out + 8, 0);
	put32(out + 12, (uint32_t)(nw * 4));
	put32(out + 16, (uint32_t)(nw * 4));
	put32(out + 20, sizeof(strs));
	memcpy(out + 24, w, nw * 4);
	n = 24 + nw * 4;
	memcpy(out + n, strs, sizeof(strs));
	return n + sizeof(strs);
}

#endif
