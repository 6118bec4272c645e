/* The CO-RE engine on synthetic BTF: flavors, candidates in several target
 * types (all agree / ambiguity), module (split) BTF searched only when
 * vmlinux has no candidate, module type ids, corrupted module BTF, a whole
 * section applied, targets loaded from a /sys/kernel/btf-like directory.
 * Malformed input: test_core_bad.c.  Runs under ASan/UBSan. */
#include "core_synth.h"

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

static void apply_sec(void)
{
	struct local_ids id;
	struct btf *local = make_local(&id), *vm = make_vmlinux(false);
	struct core_targets ts;
	struct btf_ext_core recs[2];
	struct btf_ext_sec sec = { .sec_name = "xdp", .nr = 2, .recs = recs };
	struct bpf_insn in[3] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 1, .imm = 2 },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 1, .imm = 1 },
		{ .code = BPF_EXIT | BPF_JMP },
	};
	struct core_decision d[2];
	char err[300];
	int64_t a1 = btf_add_str(local, "1"), a0 = btf_add_str(local, "0");

	if (!local || !vm || a1 < 0 || a0 < 0 || core_targets_init(&ts, vm, false)) {
		CHECK(0, "synthetic BTF built");
		goto out;
	}
	recs[0] = (struct btf_ext_core){ 0, id.e, (uint32_t)a1, CORE_ENUMVAL_VALUE };
	recs[1] = (struct btf_ext_core){ 8, id.baz, (uint32_t)a0, CORE_TYPE_EXISTS };
	CHECK(core_apply_sec(local, &sec, in, 3, &ts, NULL, d, err, sizeof(err)) < 0,
	      "no cache: refused (%s)", err);
	{
		struct core_cache *c = core_cache_new(local);
		int ret = core_apply_sec(local, &sec, in, 3, &ts, c, d, err, sizeof(err));

		CHECK(ret == 0 && in[0].imm == 20 && in[1].imm == 0 && d[1].insn_idx == 1 &&
		      d[0].new_val == 20, "section applied: E_B 2 -> 20, struct baz exists 1 -> 0");
		recs[1].insn_off = 80;
		in[0].imm = 2;
		ret = core_apply_sec(local, &sec, in, 3, &ts, c, d, err, sizeof(err));
		CHECK(ret == -EINVAL && strstr(err, "sec 'xdp'") && strstr(err, "relocation #1") &&
		      strstr(err, "insn #10") && strstr(err, "\"0\""),
		      "record beyond the section named: %s", err);
		recs[1].insn_off = 6;
		in[0].imm = 2;
		ret = core_apply_sec(local, &sec, in, 3, &ts, c, d, err, sizeof(err));
		CHECK(ret == -EINVAL && strstr(err, "boundary"), "record inside an instruction: %s", err);
		core_cache_free(c);
	}
	core_targets_free(&ts);
out:
	btf_free(local);
	btf_free(vm);
}

static int write_file(const char *path, const void *data, size_t size)
{
	FILE *f = fopen(path, "wb");
	int ok = f && fwrite(data, 1, size, f) == size;

	if (f)
		fclose(f);
	return ok ? 0 : -EIO;
}

/* core_targets_load_dir on a directory laid out as /sys/kernel/btf. */
static void load_dir(void)
{
	char dir[] = "/tmp/xdpld-core-btf.XXXXXX", path[128], err[256];
	struct btf *vm = make_vmlinux(false);
	struct core_targets ts;
	uint8_t blob[512];
	void *data = NULL;
	size_t size, n;
	int ret;

	if (!vm || !mkdtemp(dir) || btf_serialize(vm, 1, &data, &size)) {
		CHECK(0, "temporary BTF directory");
		goto out;
	}
	n = make_module(vm, false, blob, sizeof(blob));
	snprintf(path, sizeof(path), "%s/vmlinux", dir);
	write_file(path, data, size);
	snprintf(path, sizeof(path), "%s/zmod", dir);
	write_file(path, blob, n);
	snprintf(path, sizeof(path), "%s/amod", dir);
	write_file(path, blob, n);
	ret = core_targets_load_dir(&ts, dir, false, err, sizeof(err));
	CHECK(ret == 0 && ts.nr == 3 && !strcmp(ts.t[1].name, "amod") && !strcmp(ts.t[2].name, "zmod"),
	      "vmlinux and two modules loaded, modules in name order (%s)", ret ? err : "ok");
	if (!ret)
		core_targets_free(&ts);
	blob[30] ^= 0xff;
	snprintf(path, sizeof(path), "%s/bmod", dir);
	write_file(path, blob, n);
	ret = core_targets_load_dir(&ts, dir, false, err, sizeof(err));
	CHECK(ret < 0 && strstr(err, "bmod") && !ts.nr, "a corrupted module file is named: %s", err);
	snprintf(path, sizeof(path), "%s/nodir", dir);
	ret = core_targets_load_dir(&ts, path, false, err, sizeof(err));
	CHECK(ret < 0 && strstr(err, "vmlinux"), "no vmlinux: %s", err);
	for (const char *f = "vmlinux\0amod\0zmod\0bmod\0"; *f; f += strlen(f) + 1) {
		snprintf(path, sizeof(path), "%s/%s", dir, f);
		unlink(path);
	}
	rmdir(dir);
out:
	free(data);
	btf_free(vm);
}

int main(void)
{
	flavors_and_candidates();
	module_btf();
	apply_sec();
	load_dir();
	return tap_done();
}
