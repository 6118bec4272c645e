/* The CO-RE engine on synthetic BTF: flavors, candidates in several target
 * types (all agree / ambiguity), module (split) BTF searched only when
 * vmlinux has no candidate, module type ids; and malformed input: records
 * with bad type ids, string offsets, kinds and access strings, malformed
 * split BTF, modifier and array cycles in target BTF, instructions that
 * cannot carry the relocation, random records and corrupted split BTF.
 * Every one must give an error with a message, never a crash or a hang
 * (this test runs under ASan/UBSan). */
#include "btf.h"
#include "core/core.h"
#include "tap.h"

#define CHECK(cond, ...) do { int ok_ = !!(cond); TAP_CHECK(ok_, __VA_ARGS__); } while (0)

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BTF_INFO_ENC(kind, kflag, vlen) \
	((!!(kflag) << 31) | (((kind) & 0x1f) << 24) | ((vlen) & 0xffff))
#define BTF_INT_ENC(enc, off, bits) (((enc) << 24) | ((off) << 16) | (bits))

/* ---- building BTF ---- */

static uint32_t str(struct btf *b, const char *s)
{
	int64_t off = btf_add_str(b, s);

	return off < 0 ? 0 : (uint32_t)off;
}

static uint32_t add(struct btf *b, uint32_t name, uint32_t kind, uint32_t vlen, bool kflag,
		    uint32_t size_type, const void *tail, size_t tail_len)
{
	struct btf_type t = { .name_off = name,
			      .info = BTF_INFO_ENC(kind, kflag, vlen),
			      .size = size_type };
	int64_t id = btf_add_type(b, &t, tail, tail_len);

	return id < 0 ? 0 : (uint32_t)id;
}

static uint32_t add_int(struct btf *b, const char *name, uint32_t size, bool sign)
{
	uint32_t enc = BTF_INT_ENC(sign ? BTF_INT_SIGNED : 0, 0, size * 8);

	return add(b, str(b, name), BTF_KIND_INT, 0, false, size, &enc, sizeof(enc));
}

struct mem { const char *name; uint32_t type, bit_off; };

static uint32_t add_struct(struct btf *b, const char *name, uint32_t size, const struct mem *m,
			   uint32_t n)
{
	struct btf_member ms[8];

	for (uint32_t i = 0; i < n && i < 8; i++)
		ms[i] = (struct btf_member){ .name_off = m[i].name ? str(b, m[i].name) : 0,
					     .type = m[i].type, .offset = m[i].bit_off };
	return add(b, name ? str(b, name) : 0, BTF_KIND_STRUCT, n, false, size, ms,
		   n * sizeof(ms[0]));
}

static uint32_t add_enum(struct btf *b, const char *name, const char *const *names,
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

static int resolve(struct btf *local, uint32_t type_id, const char *access, uint32_t kind,
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

static struct btf *make_local(struct local_ids *id)
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
static struct btf *make_vmlinux(bool ambiguous)
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

static void flavors_and_candidates(void)
{
	struct local_ids id;
	struct btf *local = make_local(&id), *vm = make_vmlinux(false), *vm2 = make_vmlinux(true);
	struct core_targets ts;
	struct run r;

	if (!local || !vm || !vm2 || core_targets_init(&ts, vm, false)) {
		CHECK(0, "synthetic BTF built");
		goto out;
	}
	/* foo___v2.b: candidates foo (b @0) and foo___x (b @4 through an
	 * anonymous member): different offsets, so libbpf's rule refuses */
	resolve(local, id.foo_v2, "0:0", CORE_FIELD_BYTE_OFFSET, &ts, &r);
	CHECK(r.ret == -EINVAL && strstr(r.err, "ambiguity"),
	      "flavored local type: two candidates with different offsets are ambiguous (%s)", r.err);
	resolve(local, id.foo, "0:0", CORE_FIELD_EXISTS, &ts, &r);
	CHECK(r.ret == -EINVAL && strstr(r.err, "ambiguity"), "field exists: offsets must agree too");
	resolve(local, id.foo, "0", CORE_FIELD_BYTE_SIZE, &ts, &r);
	CHECK(r.ret == -EINVAL, "byte size of the root: 12 vs 8 is ambiguous");
	resolve(local, id.foo, "0", CORE_TYPE_EXISTS, &ts, &r);
	CHECK(r.ret == 0 && r.d.new_val == 1 && r.d.nr_matched == 2, "type exists: both candidates agree");
	resolve(local, id.e, "1", CORE_ENUMVAL_VALUE, &ts, &r);
	CHECK(r.ret == 0 && r.d.orig_val == 2 && r.d.new_val == 20 && !r.d.poison,
	      "enum value by name, not position: E_B 2 -> 20");
	resolve(local, id.baz, "0:0", CORE_FIELD_BYTE_OFFSET, &ts, &r);
	CHECK(r.ret == 0 && r.d.poison && r.d.nr_cands == 0, "no candidate: the offset is poisoned");
	resolve(local, id.baz, "0:0", CORE_FIELD_EXISTS, &ts, &r);
	CHECK(r.ret == 0 && !r.d.poison && r.d.orig_val == 1 && r.d.new_val == 0,
	      "no candidate: field exists gives 0");
	resolve(local, id.baz, "0", CORE_TYPE_ID_TARGET, &ts, &r);
	CHECK(r.ret == 0 && !r.d.poison && r.d.new_val == 0, "no candidate: target type id 0");
	resolve(local, id.baz, "0", CORE_TYPE_ID_LOCAL, &ts, &r);
	CHECK(r.ret == 0 && r.d.new_val == id.baz, "local type id needs no candidate");
	core_targets_free(&ts);

	if (core_targets_init(&ts, vm2, false) == 0) {
		resolve(local, id.foo, "0:1", CORE_FIELD_BYTE_OFFSET, &ts, &r);
		CHECK(r.ret == -EINVAL && strstr(r.err, "ambiguity"),
		      "two kernel struct foo with b at 0 and 4: ambiguity (%s)", r.err);
		core_targets_free(&ts);
	}
out:
	btf_free(local);
	btf_free(vm);
	btf_free(vm2);
}

/* ---- module (split) BTF ---- */

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

/* A module blob on base: struct bar { int x; } (and struct foo { int b; }
 * when with_foo): types use base int id 1; strings continue after base's. */
static size_t make_module(const struct btf *base, bool with_foo, uint8_t *out, size_t cap)
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

static void module_btf(void)
{
	struct local_ids id;
	struct btf *local = make_local(&id), *vm = make_vmlinux(false);
	struct core_targets ts;
	uint8_t blob[512], bad[512];
	size_t n;
	char err[256];
	struct run r;
	int ret;

	if (!local || !vm || core_targets_init(&ts, vm, false)) {
		CHECK(0, "synthetic BTF built");
		goto out;
	}
	n = make_module(vm, true, blob, sizeof(blob));
	ret = core_targets_add_module(&ts, "mymod", blob, n, 42, err, sizeof(err));
	CHECK(ret == 0 && ts.nr == 2 && ts.t[1].btf.start_id == btf_nr_types(vm),
	      "module BTF parsed as split BTF on vmlinux (%s)", ret ? err : "ids continue");
	if (ret)
		goto free_ts;
	resolve(local, id.bar, "0:0", CORE_FIELD_BYTE_OFFSET, &ts, &r);
	CHECK(r.ret == 0 && r.d.target == 1 && r.d.target_id == btf_nr_types(vm) && !r.d.poison,
	      "struct bar is found in the module (%s [%u])", r.d.target >= 0 ? ts.t[r.d.target].name : "-",
	      r.d.target_id);
	resolve(local, id.bar, "0", CORE_TYPE_ID_TARGET, &ts, &r);
	CHECK(r.ret == 0 && r.d.target == 1 && r.d.new_val == btf_nr_types(vm) &&
	      ts.t[1].btf_obj_id == 42, "target type id of a module type: its id in the module's BTF object");
	resolve(local, id.foo, "0:1", CORE_FIELD_BYTE_OFFSET, &ts, &r);
	CHECK(r.ret == -EINVAL && strstr(r.err, "ambiguity") ,
	      "struct foo: vmlinux has candidates, the module's foo is not searched");
	resolve(local, id.foo, "0", CORE_TYPE_EXISTS, &ts, &r);
	CHECK(r.ret == 0 && r.d.nr_cands == 2 && r.d.target == 0, "vmlinux first: 2 candidates, none from the module");

	memcpy(bad, blob, n);
	put32(bad + 24 + 4 * 4, 9999);	/* bar's member type out of range */
	ret = core_targets_add_module(&ts, "bad1", bad, n, 0, err, sizeof(err));
	CHECK(ret == -EINVAL && strstr(err, "out of range"), "module type referencing id 9999 refused (%s)", err);
	memcpy(bad, blob, n);
	put32(bad + 24 + 3 * 4, 0x7fffff);	/* member name offset */
	ret = core_targets_add_module(&ts, "bad2", bad, n, 0, err, sizeof(err));
	CHECK(ret == -EINVAL, "module string offset out of range refused (%s)", err);
	ret = core_targets_add_module(&ts, "bad3", blob, 30, 0, err, sizeof(err));
	CHECK(ret == -EINVAL, "truncated module BTF refused (%s)", err);
	memcpy(bad, blob, n);
	put32(bad + 12, 1000);
	ret = core_targets_add_module(&ts, "bad4", bad, n, 0, err, sizeof(err));
	CHECK(ret == -EINVAL, "module BTF type section past the end refused (%s)", err);
	memcpy(bad, blob, n);
	bad[n - 1] = 'x';
	ret = core_targets_add_module(&ts, "bad5", bad, n, 0, err, sizeof(err));
	CHECK(ret == -EINVAL, "module strings without a final NUL refused");
	CHECK(ts.nr == 2, "refused modules are not added");

	/* corrupted module BTF: parse or refuse, never crash; use what parses */
	srand(7);
	for (int it = 0, parsed = 0; it <= 3000; it++) {
		if (it == 3000) {
			CHECK(1, "3000 corrupted module blobs: %d parsed, none crashed", parsed);
			break;
		}
		memcpy(bad, blob, n);
		for (int k = 0; k < 1 + rand() % 4; k++)
			bad[rand() % n] ^= (uint8_t)(1 + rand() % 255);
		if (core_targets_add_module(&ts, "fuzz", bad, n, 0, err, sizeof(err)) == 0) {
			parsed++;
			resolve(local, id.bar, "0:0", CORE_FIELD_BYTE_OFFSET, &ts, &r);
			resolve(local, id.bar, "0", CORE_TYPE_MATCHES, &ts, &r);
			core_btf_release(&ts.t[--ts.nr].btf);
		}
	}
free_ts:
	core_targets_free(&ts);
out:
	btf_free(local);
	btf_free(vm);
}

/* ---- malformed input ---- */

static void bad_records(struct btf *local, const struct local_ids *id, const struct core_targets *ts)
{
	static const char *const bad_access[] = {
		"", ":", "0:", ":0", "0::1", "a", "-1", "0:-1", " 0", "0 :1", "0:2147483648",
		"99999999999999999999", "0:99", "0:0:0", "0:1:0", "1:x",
	};
	struct core_cache *cache = core_cache_new(local);
	struct btf_ext_core rec;
	struct core_decision d;
	char err[256], many[200] = "0";
	struct run r;
	int ret;

	for (size_t i = 0; i < sizeof(bad_access) / sizeof(bad_access[0]); i++) {
		resolve(local, id->foo, bad_access[i], CORE_FIELD_BYTE_OFFSET, ts, &r);
		CHECK(r.ret < 0 && r.err[0] && (!bad_access[i][0] || strstr(r.err, bad_access[i])),
		      "access string \"%s\" refused: %s", bad_access[i], r.err);
	}
	for (int i = 0; i < 64; i++)
		strcat(many, ":0");
	resolve(local, id->foo, many, CORE_FIELD_BYTE_OFFSET, ts, &r);
	CHECK(r.ret < 0 && r.err[0], "65 accessors refused (%s)", r.err);
	resolve(local, id->e, "5", CORE_ENUMVAL_VALUE, ts, &r);
	CHECK(r.ret < 0 && strstr(r.err, "\"5\""), "enumerator index beyond the enum refused (%s)", r.err);
	resolve(local, id->e, "0:0", CORE_ENUMVAL_EXISTS, ts, &r);
	CHECK(r.ret < 0, "enumerator with two indexes refused");
	resolve(local, id->foo, "0", CORE_ENUMVAL_VALUE, ts, &r);
	CHECK(r.ret < 0, "enumerator of a struct refused");
	resolve(local, id->foo, "0:1", CORE_TYPE_SIZE, ts, &r);
	CHECK(r.ret < 0, "type relocation with a field access refused");
	resolve(local, id->foo, "1:1", CORE_FIELD_BYTE_OFFSET, ts, &r);
	CHECK(r.ret == 0 && r.d.new_val == 12 && r.d.nr_matched == 2,
	      "root index 1:1 scales with each target's size: 12 + 0 and 8 + 4 agree on 12");
	for (uint32_t kind = CORE_KIND_MAX + 1; kind < 300; kind += 97) {
		resolve(local, id->foo, "0:0", kind, ts, &r);
		CHECK(r.ret < 0 && strstr(r.err, "unknown"), "kind %u refused (%s)", kind, r.err);
	}
	resolve(local, 0, "0", CORE_TYPE_EXISTS, ts, &r);
	CHECK(r.ret < 0 && r.err[0], "type id 0 refused (%s)", r.err);
	resolve(local, 99999, "0", CORE_TYPE_EXISTS, ts, &r);
	CHECK(r.ret < 0 && strstr(r.err, "99999"), "type id 99999 refused (%s)", r.err);
	rec = (struct btf_ext_core){ .type_id = id->foo, .access_str_off = 0x7fffffff, .kind = 0 };
	ret = core_resolve(local, &rec, ts, cache, &d, err, sizeof(err));
	CHECK(ret < 0 && err[0], "access string offset out of range refused (%s)", err);
	rec.access_str_off = 0;
	ret = core_resolve(local, &rec, ts, NULL, &d, err, sizeof(err));
	CHECK(ret < 0, "no cache: refused, not a crash");
	core_cache_free(cache);
}

static void bad_insns(struct btf *local, const struct local_ids *id, const struct core_targets *ts)
{
	struct bpf_insn alu = { .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 1, .imm = 1 };
	struct bpf_insn ld[2] = { { .code = BPF_LD | BPF_IMM | BPF_DW, .dst_reg = 1, .imm = 1 }, { 0 } };
	struct bpf_insn in[2];
	struct core_decision d;
	struct run r;
	char err[256];

	resolve(local, id->e, "0", CORE_ENUMVAL_VALUE, ts, &r);	/* E_A: 1 -> 10 */
	d = r.d;
	in[0] = alu;
	CHECK(r.ret == 0 && core_patch(in, 1, 0, &d, err, sizeof(err)) == 0 && in[0].imm == 10,
	      "ALU imm patched 1 -> 10");
	in[0] = alu;
	in[0].imm = 5;
	CHECK(core_patch(in, 1, 0, &d, err, sizeof(err)) == -EINVAL && strstr(err, "expected 1"),
	      "ALU imm that is not the local value refused (%s)", err);
	in[0] = alu;
	in[0].code = BPF_ALU64 | BPF_MOV | BPF_X;
	CHECK(core_patch(in, 1, 0, &d, err, sizeof(err)) == -EINVAL, "ALU with a register source refused");
	in[0] = alu;
	in[0].code = BPF_JMP | BPF_JA;
	CHECK(core_patch(in, 1, 0, &d, err, sizeof(err)) == -EINVAL, "jump instruction refused (%s)", err);
	CHECK(core_patch(in, 1, 3, &d, err, sizeof(err)) == -EINVAL, "instruction index beyond the program refused");
	memcpy(in, ld, sizeof(in));
	CHECK(core_patch(in, 1, 0, &d, err, sizeof(err)) == -EINVAL, "LD_IMM64 without its second half refused");
	CHECK(core_patch(in, 2, 0, &d, err, sizeof(err)) == 0 && in[0].imm == 10 && in[1].imm == 0,
	      "LD_IMM64 patched");
	memcpy(in, ld, sizeof(in));
	in[0].src_reg = 1;
	CHECK(core_patch(in, 2, 0, &d, err, sizeof(err)) == -EINVAL, "LD_IMM64 of a map refused");
	memcpy(in, ld, sizeof(in));
	d.poison = true;
	CHECK(core_patch(in, 2, 0, &d, err, sizeof(err)) == 0 && in[0].code == (BPF_JMP | BPF_CALL) &&
	      in[0].imm == CORE_POISON_IMM && in[1].imm == CORE_POISON_IMM,
	      "poisoned LD_IMM64: both halves call helper 0xbad2310");
	d = (struct core_decision){ .validate = true, .orig_val = 4, .new_val = 40000 };
	in[0] = (struct bpf_insn){ .code = BPF_LDX | BPF_MEM | BPF_W, .dst_reg = 1, .src_reg = 1, .off = 4 };
	CHECK(core_patch(in, 1, 0, &d, err, sizeof(err)) == -ERANGE, "offset beyond 32767 refused");
	d = (struct core_decision){ .orig_val = 4, .new_val = 8, .orig_sz = 4, .new_sz = 3 };
	CHECK(core_patch(in, 1, 0, &d, err, sizeof(err)) == -EINVAL, "load size of 3 bytes refused");
	d = (struct core_decision){ .orig_val = 4, .new_val = 8, .orig_sz = 8, .new_sz = 4 };
	CHECK(core_patch(in, 1, 0, &d, err, sizeof(err)) == -EINVAL, "load that is not of the field's size refused");
	d = (struct core_decision){ .orig_val = 4, .new_val = 8, .orig_sz = 4, .new_sz = 2 };
	CHECK(core_patch(in, 1, 0, &d, err, sizeof(err)) == 0 && in[0].off == 8 &&
	      BPF_SIZE(in[0].code) == BPF_H, "unsigned load shrunk 4 -> 2 bytes");
}

/* Target BTF with a typedef cycle and a self-containing array. */
static void cycles(struct btf *local, const struct local_ids *id)
{
	struct btf *vm = btf_new();
	struct core_targets ts;
	uint32_t i, t1, t2, arr;
	struct btf_type td;
	struct btf_array a;
	struct run r;

	i = add_int(vm, "int", 4, true);
	t1 = add(vm, str(vm, "loop1"), BTF_KIND_TYPEDEF, 0, false, 0, NULL, 0);
	t2 = add(vm, str(vm, "loop2"), BTF_KIND_TYPEDEF, 0, false, t1, NULL, 0);
	td = (struct btf_type){ .name_off = str(vm, "loop1"), .info = BTF_INFO_ENC(BTF_KIND_TYPEDEF, 0, 0), .type = t2 };
	btf_set_type(vm, t1, &td, NULL, 0);
	a = (struct btf_array){ .type = 0, .index_type = i, .nelems = 2 };
	arr = add(vm, 0, BTF_KIND_ARRAY, 0, false, 0, &a, sizeof(a));
	a.type = arr;
	td = (struct btf_type){ .info = BTF_INFO_ENC(BTF_KIND_ARRAY, 0, 0) };
	btf_set_type(vm, arr, &td, &a, sizeof(a));
	add_struct(vm, "bar", 4, (struct mem[]){ { "x", t1, 0 } }, 1);
	add_struct(vm, "baz", 4, (struct mem[]){ { "q", arr, 0 } }, 1);
	add_struct(vm, "foo", 8, (struct mem[]){ { "a", arr, 0 }, { "b", t2, 32 } }, 2);
	if (core_targets_init(&ts, vm, false)) {
		btf_free(vm);
		return;
	}
	resolve(local, id->bar, "0:0", CORE_FIELD_BYTE_OFFSET, &ts, &r);
	CHECK(r.ret < 0 && r.err[0], "member typed by a typedef cycle: error, no hang (%s)", r.err);
	resolve(local, id->baz, "0:0", CORE_FIELD_BYTE_SIZE, &ts, &r);
	CHECK(r.ret == 0 && r.d.poison, "int vs self-containing array: no match, poisoned");
	resolve(local, id->bar, "0", CORE_TYPE_MATCHES, &ts, &r);
	CHECK(r.ret < 0 || r.d.new_val == 0, "type matches through a typedef cycle: no hang");
	resolve(local, id->foo, "0", CORE_TYPE_SIZE, &ts, &r);
	CHECK(r.ret == 0 && r.d.new_val == 8, "type size of a struct with cyclic members: 8");
	core_targets_free(&ts);
	btf_free(vm);
}

static void random_records(struct btf *local, const struct core_targets *ts)
{
	struct core_cache *cache = core_cache_new(local);
	struct bpf_insn in[4];
	int ok = 0, refused = 0;

	srand(11);
	for (int it = 0; cache && it < 20000; it++) {
		char acc[16], err[256];
		int n = rand() % 10;
		struct btf_ext_core rec;
		struct core_decision d;
		int64_t off;

		for (int k = 0; k < n; k++)
			acc[k] = "0123:9"[rand() % 6];
		acc[n] = '\0';
		off = btf_add_str(local, acc);
		rec = (struct btf_ext_core){ .type_id = (uint32_t)(rand() % (btf_nr_types(local) + 2)),
					     .access_str_off = off < 0 ? 0 : (uint32_t)off,
					     .kind = (uint32_t)(rand() % 15) };
		if (core_resolve(local, &rec, ts, cache, &d, err, sizeof(err)) == 0) {
			for (int k = 0; k < 4; k++)
				in[k] = (struct bpf_insn){ .code = (uint8_t)rand(), .imm = (int32_t)d.orig_val,
							   .off = (int16_t)d.orig_val };
			ok += core_patch(in, 1 + rand() % 4, rand() % 4, &d, err, sizeof(err)) == 0;
		} else {
			refused += !!err[0];
		}
	}
	CHECK(ok > 0 && refused > 0, "20000 random records: %d patched, %d refused with a message", ok, refused);
	core_cache_free(cache);
}

static void malformed(void)
{
	struct local_ids id;
	struct btf *local = make_local(&id), *vm = make_vmlinux(false);
	struct core_targets ts;

	if (!local || !vm || core_targets_init(&ts, vm, false)) {
		CHECK(0, "synthetic BTF built");
		goto out;
	}
	bad_records(local, &id, &ts);
	bad_insns(local, &id, &ts);
	cycles(local, &id);
	random_records(local, &ts);
	core_targets_free(&ts);
out:
	btf_free(local);
	btf_free(vm);
}


int main(void)
{
	flavors_and_candidates();
	module_btf();
	malformed();
	return tap_done();
}
