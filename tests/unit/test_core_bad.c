/* The CO-RE engine on malformed input: records with bad type ids, string
 * offsets, kinds and access strings; instructions that cannot carry the
 * relocation; modifier and array cycles in target BTF; random records.
 * Every one must give an error with a message, never a crash or a hang
 * (this test runs under ASan/UBSan). */
#include "core_synth.h"
#include "elf/obj.h"

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


/* core_apply_sec: all records of a section; errors name section, record,
 * instruction and access string. */
/* Records of a real object, each mutated (type id, kind, one character of
 * the access string), against the running kernel's BTF. */
static void mutated_real_records(void)
{
	char path[512], err[256];
	const char *o = getenv("O") ? getenv("O") : "build";
	struct obj *ob = NULL;
	struct btf *vm = NULL;
	struct core_targets ts;
	struct core_cache *cache = NULL;
	FILE *f = fopen("/sys/kernel/btf/vmlinux", "rb");
	static uint8_t buf[32 << 20];
	size_t n = f ? fread(buf, 1, sizeof(buf), f) : 0;
	int ok = 0, refused = 0, it;

	if (f)
		fclose(f);
	snprintf(path, sizeof(path), "%s/tests/bpf/core_fields.o", o);
	if (!n || btf_parse(buf, n, "vmlinux", &vm) || obj_read_file(path, &ob) || !ob->btf_ext ||
	    !ob->btf_ext->core.nr_secs || core_targets_init(&ts, vm, false)) {
		printf("# no kernel BTF or %s: mutated real records skipped\n", path);
		goto out;
	}
	cache = core_cache_new(ob->btf);
	srand(3);
	for (it = 0; cache && it < 3000; it++) {
		const struct btf_ext_sec *es = &ob->btf_ext->core.secs[0];
		struct btf_ext_core rec = ((const struct btf_ext_core *)es->recs)[rand() % es->nr];
		const char *acc = btf_str(ob->btf, rec.access_str_off);
		char mut[64];
		struct core_decision d;
		int64_t off;

		snprintf(mut, sizeof(mut), "%s", acc ? acc : "0");
		switch (rand() % 3) {
		case 0:
			rec.type_id += (uint32_t)(rand() % 7) - 3;
			break;
		case 1:
			rec.kind = (uint32_t)(rand() % 14);
			break;
		default:
			mut[rand() % (strlen(mut) + 1)] = "0123456789:"[rand() % 11];
			off = btf_add_str(ob->btf, mut);
			rec.access_str_off = off < 0 ? 0 : (uint32_t)off;
		}
		if (core_resolve(ob->btf, &rec, &ts, cache, &d, err, sizeof(err)) == 0)
			ok++;
		else
			refused += !!err[0];
	}
	CHECK(ok > 0 && refused > 0 && ok + refused == 3000,
	      "3000 mutated core_fields records against vmlinux: %d resolved, %d refused with a message",
	      ok, refused);
	core_cache_free(cache);
	core_targets_free(&ts);
out:
	obj_free(ob);
	btf_free(vm);
}

int main(void)
{
	malformed();
	mutated_real_records();
	return tap_done();
}
