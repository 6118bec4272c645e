/* libFuzzer harness for the CO-RE prepare path (what `xdpld core --btf
 * FILE` does per program section, without a kernel): target BTF read in
 * place (core_targets_init_raw, as the loader reads vmlinux), optionally the
 * same bytes again as a module's split BTF on it, the object's BTF and
 * .BTF.ext parsed as the loader parses them, and every CO-RE record of
 * every section resolved and patched (core_apply_sec) into instructions.
 *
 * Input: flags (1 byte: bit 0 big-endian programs, bit 1 add the target
 * bytes as a module too), then four parts, each a little-endian u32 length
 * and that many bytes: target BTF, local BTF, .BTF.ext, instructions.
 * Trailing bytes are ignored; framing that does not fit is skipped.
 *
 * Invariants beyond "no crash": a refused target, record or instruction
 * says why (a non-empty message naming it); a decision always renders.
 *
 * FUZZ_SEED_DIR=DIR FUZZ_SEED_OBJS="OBJ:BTF ..." writes one seed per pair
 * to DIR (the object's BTF, .BTF.ext and the instructions of its first
 * section with CO-RE records; BTF, e.g. from xdpld btfgen, as target). */
#include "fuzz_common.h"

#include "btf/btf.h"
#include "core/core.h"
#include "elf/obj.h"

#include <elf.h>
#include <string.h>

struct part {
	const uint8_t *p;
	uint32_t len;
};

/* The next length-prefixed part at *pos, or false when it does not fit. */
static bool next_part(const uint8_t *data, size_t size, size_t *pos, struct part *out)
{
	uint32_t len;

	if (size - *pos < 4)
		return false;
	len = (uint32_t)data[*pos] | (uint32_t)data[*pos + 1] << 8 |
	      (uint32_t)data[*pos + 2] << 16 | (uint32_t)data[*pos + 3] << 24;
	*pos += 4;
	if (len > size - *pos)
		return false;
	out->p = data + *pos;
	out->len = len;
	*pos += len;
	return true;
}

static void fail_silent(const char *what, int ret, const char *msg)
{
	if (ret < 0 && ret != -ENOMEM && !msg[0]) {
		fprintf(stderr, "fuzz_core: %s failed (%d) without a message\n", what, ret);
		abort();
	}
}

static void run_sections(const struct btf *local, const struct btf_ext *ext,
			 const struct core_targets *ts, const struct part *ins)
{
	size_t nr_insns = ins->len / sizeof(struct bpf_insn);
	struct bpf_insn *insns = malloc(nr_insns ? nr_insns * sizeof(*insns) : 1);
	struct core_cache *cache = core_cache_new(local);
	char err[512], line[1024];

	if (!insns || !cache)
		goto out;
	for (size_t s = 0; s < ext->core.nr_secs; s++) {
		const struct btf_ext_sec *sec = &ext->core.secs[s];
		struct core_decision *d = calloc(sec->nr ? sec->nr : 1, sizeof(*d));
		int ret;

		if (!d)
			break;
		memcpy(insns, ins->p, nr_insns * sizeof(*insns));	/* fresh per section */
		err[0] = '\0';
		ret = core_apply_sec(local, sec, insns, nr_insns, ts, cache, d, err, sizeof(err));
		fail_silent("core_apply_sec", ret, err);
		for (uint32_t i = 0; !ret && i < sec->nr; i++) {
			core_decision_str(&d[i], ts, line, sizeof(line));
			if (!line[0]) {
				fprintf(stderr, "fuzz_core: decision #%u renders empty\n", i);
				abort();
			}
		}
		free(d);
	}
out:
	core_cache_free(cache);
	free(insns);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct part target, lbtf, lext, ins;
	struct core_targets ts = { 0 };
	struct btf_ext *ext = NULL;
	struct btf *local = NULL;
	char err[512] = "";
	size_t pos = 1;
	void *tcopy;
	int ret;

	if (!size || !next_part(data, size, &pos, &target) || !next_part(data, size, &pos, &lbtf) ||
	    !next_part(data, size, &pos, &lext) || !next_part(data, size, &pos, &ins))
		return 0;
	fuzz_errors_reset("fuzz: local .BTF");
	ret = btf_parse(lbtf.p, lbtf.len, "fuzz: local .BTF", &local);
	fuzz_check_reported(ret, "btf_parse");
	if (ret)
		return 0;
	fuzz_errors_reset("fuzz: .BTF.ext");
	ret = btf_ext_parse(lext.p, lext.len, local, "fuzz: .BTF.ext", &ext);
	fuzz_check_reported(ret, "btf_ext_parse");
	if (ret)
		goto out;
	/* the loader hands core_targets_init_raw a malloc'd buffer it owns */
	tcopy = malloc(target.len ? target.len : 1);
	if (!tcopy)
		goto out;
	memcpy(tcopy, target.p, target.len);
	ret = core_targets_init_raw(&ts, tcopy, target.len, "fuzz: target", data[0] & 1, err,
				    sizeof(err));
	fail_silent("core_targets_init_raw", ret, err);
	if (ret)
		goto out;
	if (data[0] & 2) {
		err[0] = '\0';
		ret = core_targets_add_module(&ts, "fuzzmod", target.p, target.len, 7, err,
					      sizeof(err));
		fail_silent("core_targets_add_module", ret, err);
	}
	run_sections(local, ext, &ts, &ins);
	core_targets_free(&ts);
out:
	btf_ext_free(ext);
	btf_free(local);
	return 0;
}

/* ---- seeds ---- */

static int put_part(FILE *f, const void *p, size_t len)
{
	uint8_t l[4] = { (uint8_t)len, (uint8_t)(len >> 8), (uint8_t)(len >> 16),
			 (uint8_t)(len >> 24) };

	return fwrite(l, 1, 4, f) == 4 && (!len || fwrite(p, 1, len, f) == len) ? 0 : -EIO;
}

static int write_seed(const char *dir, const char *obj_path, const char *btf_path)
{
	void *tb = NULL, *lb = NULL, *eb = NULL;
	size_t tlen = 0, llen = 0, elen = 0;
	const struct obj_sec *sec = NULL;
	struct obj *o = NULL;
	char path[4096];
	FILE *f = NULL;
	int ret;

	ret = core_read_file(btf_path, &tb, &tlen);
	if (!ret)
		ret = obj_read_file(obj_path, &o);
	if (ret || !o->btf || !o->btf_ext || !o->btf_ext->core.nr_secs) {
		ret = ret ? ret : -ENOENT;
		goto out;
	}
	for (size_t i = 0; i < o->nr_secs && !sec; i++) {
		if (o->secs[i].data && !strcmp(o->secs[i].name, o->btf_ext->core.secs[0].sec_name))
			sec = &o->secs[i];
	}
	/* .BTF.ext first: serializing it may add section names to the BTF */
	ret = sec ? btf_ext_serialize(o->btf_ext, o->btf, ELFDATA2LSB, &eb, &elen) : -ENOENT;
	if (!ret)
		ret = btf_serialize(o->btf, ELFDATA2LSB, &lb, &llen);
	if (ret)
		goto out;
	snprintf(path, sizeof(path), "%s/%s-%s.core", dir,
		 strrchr(obj_path, '/') ? strrchr(obj_path, '/') + 1 : obj_path,
		 strrchr(btf_path, '/') ? strrchr(btf_path, '/') + 1 : btf_path);
	f = fopen(path, "wb");
	if (!f || fputc(0, f) == EOF || put_part(f, tb, tlen) || put_part(f, lb, llen) ||
	    put_part(f, eb, elen) || put_part(f, sec->data, sec->size))
		ret = -EIO;
out:
	if (f && fclose(f))
		ret = -EIO;
	obj_free(o);
	free(tb);
	free(lb);
	free(eb);
	return ret;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = getenv("FUZZ_SEED_DIR"), *objs = getenv("FUZZ_SEED_OBJS");
	char pair[8192], *colon;

	(void)argc;
	(void)argv;
	while (dir && objs && *objs) {
		size_t n = strcspn(objs, " ");

		if (n && n < sizeof(pair)) {
			memcpy(pair, objs, n);
			pair[n] = '\0';
			colon = strchr(pair, ':');
			if (colon) {
				*colon = '\0';
				if (write_seed(dir, pair, colon + 1))
					fprintf(stderr, "fuzz_core: no seed from %s\n", pair);
			}
		}
		objs += n;
		objs += strspn(objs, " ");
	}
	return 0;
}
