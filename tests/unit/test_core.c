/* The CO-RE engine (loader/core/) against its reference, libbpf:
 * every relocation of tests/bpf/core_*.o is resolved against the running
 * kernel's /sys/kernel/btf/vmlinux by xdpld and by libbpf (through
 * $O/tests/tools/core_ref, which loads the object and prints libbpf's debug
 * log and the instructions it handed to the kernel).  Per relocation the
 * local spec, the target spec and the patched instruction must be equal,
 * and so must every other instruction of the program.  Needs root for the
 * loads.  Synthetic and malformed input: test_core_synth.c. */
#include "btf/btf.h"
#include "core/core.h"
#include "elf/obj.h"
#include "tap.h"

#define CHECK(cond, ...) do { int ok_ = !!(cond); TAP_CHECK(ok_, __VA_ARGS__); } while (0)

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_RELOS 128
#define MAX_INSNS 4096

static const char *build_dir(void)
{
	return getenv("O") ? getenv("O") : "build";
}

static int read_all(const char *path, void **data, size_t *size)
{
	FILE *f = fopen(path, "rb");
	long n;

	*data = NULL;
	if (!f)
		return -errno;
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) <= 0 || fseek(f, 0, SEEK_SET) ||
	    !(*data = malloc((size_t)n)) || fread(*data, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		free(*data);
		*data = NULL;
		return -EIO;
	}
	fclose(f);
	*size = (size_t)n;
	return 0;
}

/* ---- libbpf's side ---- */

struct ref {
	char local[MAX_RELOS][300];	/* "<byte_off> [2] struct ..." */
	char target[MAX_RELOS][300];	/* first matching candidate, or "" */
	long long value[MAX_RELOS];	/* "patched insn #K ... -> value", or -1 */
	bool poisoned[MAX_INSNS];	/* "substituting insn #K" */
	bool ambiguity;			/* a warning about ambiguity */
	struct bpf_insn insns[MAX_INSNS];
	size_t nr_insns;
	int loaded;
};

static void ref_line(struct ref *r, char *line)
{
	char *p = strstr(line, ": relo #"), *rest;
	long n;

	if (!p || !strstr(line, "prog '"))
		return;
	n = strtol(p + 8, &rest, 10);
	if (n < 0 || n >= MAX_RELOS || strncmp(rest, ": ", 2))
		return;
	rest += 2;
	if (!strncmp(rest, "patched insn #", 14) && !strstr(rest, "mem_sz")) {
		char *arrow = strstr(rest, " -> ");

		if (arrow)
			r->value[n] = strtoll(arrow + 4, NULL, 10);
	} else if (!strncmp(rest, "substituting insn #", 19)) {
		long k = strtol(rest + 19, NULL, 10);

		if (k >= 0 && k < MAX_INSNS)
			r->poisoned[k] = true;
	} else if (!strncmp(rest, "matching candidate #", 20)) {
		rest = strchr(rest + 20, ' ');
		if (rest && !r->target[n][0])
			snprintf(r->target[n], sizeof(r->target[n]), "%s", rest + 1);
	} else if (rest[0] == '<' && !r->local[n][0]) {
		snprintf(r->local[n], sizeof(r->local[n]), "%s", rest);
	}
}

static int run_ref(const char *obj_path, bool matches, struct ref *r)
{
	char cmd[512], line[1024];
	FILE *p;

	memset(r, 0, sizeof(*r));
	memset(r->value, 0xff, sizeof(r->value));
	r->loaded = -1;
	snprintf(cmd, sizeof(cmd), "%s/tests/tools/core_ref %s %s 2>/dev/null", build_dir(),
		 matches ? "--matches" : "", obj_path);
	p = popen(cmd, "r");
	if (!p)
		return -errno;
	while (fgets(line, sizeof(line), p)) {
		unsigned code, dst, src;
		int off, imm;
		size_t idx;
		char prog[128];

		line[strcspn(line, "\n")] = '\0';
		if (!strncmp(line, "LOG ", 4))
			ref_line(r, line + 4);
		else if (!strncmp(line, "WARN ", 5))
			r->ambiguity |= strstr(line, "ambiguity") != NULL;
		else if (sscanf(line, "LOAD %d", &r->loaded) == 1)
			;
		else if (sscanf(line, "INSN %127s %zu %u %u %u %d %d", prog, &idx, &code, &dst, &src,
				&off, &imm) == 7 && idx < MAX_INSNS) {
			r->insns[idx] = (struct bpf_insn){ .code = (uint8_t)code, .dst_reg = dst & 15,
							   .src_reg = src & 15, .off = (int16_t)off,
							   .imm = imm };
			if (idx + 1 > r->nr_insns)
				r->nr_insns = idx + 1;
		}
	}
	return pclose(p) == 0 ? 0 : -EIO;
}

/* ---- xdpld's side ---- */

struct mine {
	struct core_decision d[MAX_RELOS];
	uint32_t insn_idx[MAX_RELOS];
	size_t nr;
	struct bpf_insn insns[MAX_INSNS];
	size_t nr_insns;
	int err;
	char msg[256];
};

static void resolve_obj(struct obj *o, const struct core_targets *ts, bool matches, struct mine *m)
{
	struct core_cache *cache = core_cache_new(o->btf);
	const struct btf_ext_sec *es = &o->btf_ext->core.secs[0];
	const struct obj_sec *s;
	int si;

	memset(m, 0, sizeof(*m));
	si = obj_find_sec(o, es->sec_name);
	if (!cache || si < 0) {
		m->err = -ENOENT;
		goto out;
	}
	s = &o->secs[si];
	m->nr_insns = s->size / 8;
	for (size_t i = 0; i < m->nr_insns && i < MAX_INSNS; i++)
		obj_insn_get(o, s, i * 8, &m->insns[i]);
	for (uint32_t i = 0; i < es->nr && i < MAX_RELOS; i++) {
		struct btf_ext_core rec = ((const struct btf_ext_core *)es->recs)[i];

		if (matches && rec.kind == CORE_TYPE_EXISTS)
			rec.kind = CORE_TYPE_MATCHES;
		m->insn_idx[i] = rec.insn_off / 8;
		m->err = core_resolve(o->btf, &rec, ts, cache, &m->d[i], m->msg, sizeof(m->msg));
		if (!m->err)
			m->err = core_patch(m->insns, m->nr_insns, m->insn_idx[i], &m->d[i], m->msg,
					    sizeof(m->msg));
		if (m->err)
			goto out;
		m->nr = i + 1;
	}
out:
	core_cache_free(cache);
}

static bool insn_eq(const struct bpf_insn *a, const struct bpf_insn *b)
{
	return a->code == b->code && a->dst_reg == b->dst_reg && a->src_reg == b->src_reg &&
	       a->off == b->off && a->imm == b->imm;
}

/* Relocations whose local spec, target spec and patched instruction(s)
 * equal libbpf's; *others_bad counts differing instructions elsewhere
 * (map loads, which carry descriptors, are skipped). */
static size_t compare(const struct mine *m, const struct ref *r, size_t *others_bad, bool verbose)
{
	static bool relocated[MAX_INSNS];
	char buf[300];
	size_t equal = 0;

	memset(relocated, 0, sizeof(relocated));
	*others_bad = 0;
	for (size_t i = 0; i < m->nr; i++) {
		const struct core_decision *d = &m->d[i];
		uint32_t k = m->insn_idx[i];
		bool ok = k < r->nr_insns && insn_eq(&m->insns[k], &r->insns[k]);

		relocated[k] = true;
		if (m->insns[k].code == (BPF_LD | BPF_IMM | BPF_DW) ||
		    r->insns[k].code == (BPF_LD | BPF_IMM | BPF_DW) || d->poison) {
			ok = ok && k + 1 < r->nr_insns && insn_eq(&m->insns[k + 1], &r->insns[k + 1]);
			relocated[k + 1] = true;
		}
		snprintf(buf, sizeof(buf), "<%s> %s", core_kind_name(d->kind), d->local_spec);
		ok = ok && !strcmp(buf, r->local[i]);
		snprintf(buf, sizeof(buf), "<%s> %s", core_kind_name(d->kind), d->target_spec);
		ok = ok && (d->target < 0 ? !r->target[i][0] : !strcmp(buf, r->target[i]));
		if (!ok && verbose)
			printf("# relo #%zu insn #%u: xdpld '%s' -> '%s' %llu -> %llu, libbpf '%s' -> '%s' imm %d off %d\n",
			       i, k, d->local_spec, d->target_spec, (unsigned long long)d->orig_val,
			       (unsigned long long)d->new_val, r->local[i], r->target[i],
			       k < r->nr_insns ? r->insns[k].imm : 0, k < r->nr_insns ? r->insns[k].off : 0);
		equal += ok;
	}
	for (size_t k = 0; k < m->nr_insns && k < r->nr_insns; k++) {
		if (relocated[k])
			continue;
		if (r->insns[k].code == (BPF_LD | BPF_IMM | BPF_DW) && r->insns[k].src_reg) {
			k++;	/* a map: libbpf put a descriptor in */
			continue;
		}
		if (!insn_eq(&m->insns[k], &r->insns[k])) {
			(*others_bad)++;
			if (verbose)
				printf("# insn #%zu: xdpld code 0x%x imm %d, libbpf code 0x%x imm %d\n", k,
				       m->insns[k].code, m->insns[k].imm, r->insns[k].code, r->insns[k].imm);
		}
	}
	if (m->nr_insns != r->nr_insns)
		(*others_bad)++;
	return equal;
}

static size_t total_compared, total_equal;

static void check_object(const char *name, bool matches, const struct core_targets *ts)
{
	char path[512];
	struct obj *o = NULL;
	static struct ref r;
	static struct mine m;
	size_t equal, others_bad;
	int err;

	snprintf(path, sizeof(path), "%s/tests/bpf/%s.o", build_dir(), name);
	err = obj_read_file(path, &o);
	CHECK(!err && o->btf && o->btf_ext && o->btf_ext->core.nr_secs == 1,
	      "%s: read, one section with CO-RE records", name);
	if (err || !o->btf_ext || o->btf_ext->core.nr_secs != 1)
		goto out;
	resolve_obj(o, ts, matches, &m);
	CHECK(!m.err && m.nr == o->btf_ext->core.secs[0].nr, "%s: xdpld resolves and patches all %zu relocations%s%s",
	      name, m.nr, m.err ? ": " : "", m.err ? m.msg : "");
	err = run_ref(path, matches, &r);
	CHECK(!err && r.loaded == 0 && r.nr_insns, "%s: libbpf loads it (%zu instructions)", name,
	      r.nr_insns);
	if (err || r.loaded)
		goto out;
	equal = compare(&m, &r, &others_bad, true);
	total_compared += m.nr;
	total_equal += equal;
	CHECK(equal == m.nr && m.nr > 0, "%s: %zu of %zu relocations equal libbpf's (spec, target, instruction)",
	      name, equal, m.nr);
	CHECK(others_bad == 0, "%s: every other instruction equals libbpf's (%zu differ)", name,
	      others_bad);
	/* The comparison can fail: a wrong value must be caught. */
	if (m.nr) {
		m.insns[m.insn_idx[m.nr - 1]].imm ^= 0x40;
		m.insns[m.insn_idx[m.nr - 1]].off ^= 0x40;
		CHECK(compare(&m, &r, &others_bad, false) == equal - 1,
		      "%s: a deliberately wrong patch is caught", name);
	}
out:
	obj_free(o);
}

/* For objects libbpf refuses to load: its log gives the specs, the
 * patched values and the poisoned instructions. */
static size_t compare_log(const struct mine *m, const struct ref *r)
{
	char buf[300];
	size_t equal = 0;

	for (size_t i = 0; i < m->nr; i++) {
		const struct core_decision *d = &m->d[i];
		uint32_t k = m->insn_idx[i];
		bool ok;

		snprintf(buf, sizeof(buf), "<%s> %s", core_kind_name(d->kind), d->local_spec);
		ok = !strcmp(buf, r->local[i]);
		snprintf(buf, sizeof(buf), "<%s> %s", core_kind_name(d->kind), d->target_spec);
		ok = ok && (d->target < 0 ? !r->target[i][0] : !strcmp(buf, r->target[i]));
		if (d->poison)
			ok = ok && k < MAX_INSNS && r->poisoned[k] && m->insns[k].imm == CORE_POISON_IMM &&
			     m->insns[k].code == (BPF_JMP | BPF_CALL);
		else
			ok = ok && r->value[i] == (long long)d->new_val;
		equal += ok;
	}
	return equal;
}

/* core_badsz: a signed field whose size changes is poisoned, not shrunk;
 * core_ambig: two kernel typedef u8 with different ids, refused. */
static void check_refused(const struct core_targets *ts)
{
	char path[512];
	struct obj *o = NULL;
	static struct ref r;
	static struct mine m;
	size_t equal;

	snprintf(path, sizeof(path), "%s/tests/bpf/core_badsz.o", build_dir());
	if (obj_read_file(path, &o) == 0 && o->btf_ext) {
		resolve_obj(o, ts, false, &m);
		run_ref(path, false, &r);
		equal = compare_log(&m, &r);
		total_compared += m.nr;
		total_equal += equal;
		CHECK(!m.err && m.nr == 1 && m.d[0].poison && m.d[0].fail_memsz_adjust && equal == 1 &&
		      r.loaded != 0, "core_badsz: the load of a signed field that changes size is poisoned, as by libbpf");
	} else {
		CHECK(0, "core_badsz: read");
	}
	obj_free(o);
	o = NULL;
	snprintf(path, sizeof(path), "%s/tests/bpf/core_ambig.o", build_dir());
	if (obj_read_file(path, &o) == 0 && o->btf_ext) {
		resolve_obj(o, ts, false, &m);
		run_ref(path, false, &r);
		equal = compare_log(&m, &r);
		total_compared += m.nr + 1;
		total_equal += equal + (m.err == -EINVAL && r.ambiguity);
		CHECK(m.nr == 1 && equal == 1 && m.err == -EINVAL && strstr(m.msg, "ambiguity") &&
		      r.ambiguity && r.loaded != 0,
		      "core_ambig: both refuse the ambiguous target type id (xdpld: %s)", m.msg);
	} else {
		CHECK(0, "core_ambig: read");
	}
	obj_free(o);
}

/* The big-endian build of each object against the same kernel BTF: the
 * same decisions but for bitfield left shifts (not compared). */
static void check_big_endian(const char *name, bool matches, const struct btf *vmlinux)
{
	char path[512];
	struct obj *le = NULL, *be = NULL;
	struct core_targets ts;
	static struct mine ml, mb;
	size_t same = 0;

	snprintf(path, sizeof(path), "%s/tests/bpf/%s.o", build_dir(), name);
	if (obj_read_file(path, &le) || core_targets_init(&ts, vmlinux, false)) {
		CHECK(0, "%s: read", name);
		goto out;
	}
	resolve_obj(le, &ts, matches, &ml);
	ts.big_endian = true;
	snprintf(path, sizeof(path), "%s/tests/bpf/be/%s.o", build_dir(), name);
	if (obj_read_file(path, &be)) {
		CHECK(0, "be/%s: read", name);
		goto out_ts;
	}
	resolve_obj(be, &ts, matches, &mb);
	/* records may come in another order: pair them by kind, type and access */
	for (size_t i = 0; i < mb.nr; i++) {
		const struct core_decision *b = &mb.d[i];
		bool found = false;

		for (size_t j = 0; j < ml.nr && !found; j++) {
			const struct core_decision *l = &ml.d[j];

			found = b->kind == l->kind && !strcmp(b->access, l->access) &&
				!strcmp(b->local_name, l->local_name) &&
				(b->kind == CORE_FIELD_LSHIFT_U64 ||
				 (b->new_val == l->new_val && b->poison == l->poison &&
				  !strcmp(b->target_spec, l->target_spec)));
		}
		same += found;
	}
	CHECK(!mb.err && mb.nr && same == mb.nr,
	      "be/%s: big-endian object resolves like the little-endian one (%zu of %zu records)",
	      name, same, mb.nr);
out_ts:
	core_targets_free(&ts);
out:
	obj_free(le);
	obj_free(be);
}

int main(void)
{
	void *data = NULL;
	size_t size;
	struct btf *vmlinux = NULL;
	struct core_targets ts;

	if (read_all("/sys/kernel/btf/vmlinux", &data, &size) ||
	    btf_parse(data, size, "vmlinux", &vmlinux)) {
		printf("# no /sys/kernel/btf/vmlinux: kernel comparisons skipped\n");
	} else if (core_targets_init(&ts, vmlinux, false) == 0) {
		if (geteuid() == 0) {
			check_object("core_fields", false, &ts);
			check_object("core_types", false, &ts);
			check_object("core_matches", true, &ts);
			check_object("core_multi", false, &ts);
			check_refused(&ts);
			printf("# compared %zu relocations with libbpf, %zu equal\n", total_compared,
			       total_equal);
		} else {
			printf("# not root: libbpf comparisons skipped\n");
		}
		core_targets_free(&ts);
		check_big_endian("core_fields", false, vmlinux);
		check_big_endian("core_types", false, vmlinux);
		check_big_endian("core_multi", false, vmlinux);
	}
	btf_free(vmlinux);
	free(data);
	return tap_done();
}
