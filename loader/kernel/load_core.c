/* CO-RE in the loader: the object's .BTF.ext CO-RE records applied with the
 * engine (core/) to a copy of each program section's instructions before
 * the program images are built (load_reloc.c copies from it), one function
 * at a time, against the target BTF: vmlinux and every module BTF of
 * /sys/kernel/btf, or what load_opts.kernel_btf_path (or the process-wide
 * load_set_kernel_btf()) names: a BTF file (vmlinux only) or a directory
 * laid out as /sys/kernel/btf.  The target BTF is read once per load, only
 * when something needs it (CO-RE records).  vmlinux is used in place, as
 * read (core_targets_init_raw): no struct btf of the kernel's 5 MB of BTF.
 * With no path given and no /sys/kernel/btf/vmlinux (a kernel built without
 * BTF, OpenWrt's default), the image's BTF for this kernel release is
 * taken: XDPLD_BTF_DIR/$(uname -r).btf (load.h), which the firmware build
 * makes with `xdpld btfgen`.  Typed __ksym externs and kfuncs are always
 * resolved against the running kernel's own BTF (load_extern.c).
 *
 * Like libbpf, BPF_CORE_TYPE_ID_TARGET only patches the id into the
 * instruction (an ld_imm64 without a BTF object fd), whichever BTF the
 * type is in; a relocation the target cannot satisfy poisons its
 * instruction, so code behind a bpf_core_*_exists() guard still loads.
 * load_prepare() (load.c) runs the same steps without creating anything. */
#include "load_internal.h"
#include "base/log.h"
#include "btf/btf.h"
#include "core/core.h"
#include "elf/obj.h"

#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#define KERNEL_BTF_DIR "/sys/kernel/btf"
#define KERNEL_VMLINUX KERNEL_BTF_DIR "/vmlinux"

static const char *default_kernel_btf;

void load_set_kernel_btf(const char *path)
{
	default_kernel_btf = path;
}

const char *load_get_kernel_btf(void)
{
	return default_kernel_btf;
}

static const char *kernel_btf_path(const struct load_ctx *c)
{
	return c->opts->kernel_btf_path ? c->opts->kernel_btf_path : default_kernel_btf;
}

int load_image_btf_path(char *buf, size_t size)
{
	struct utsname u;
	int n;

	if (uname(&u))
		return -errno;
	/* a release is a file name: no '/', not "." or ".." */
	if (!u.release[0] || strchr(u.release, '/') || !strcmp(u.release, ".") ||
	    !strcmp(u.release, ".."))
		return -EINVAL;
	n = snprintf(buf, size, "%s/%s.btf", XDPLD_BTF_DIR, u.release);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/* No path given: /sys/kernel/btf when the kernel has BTF; else the
 * image's file for this release, if there is one.  *path stays NULL for
 * the sysfs directory.  -ENOENT (message in msg) when there is neither. */
static int default_target(const char **path, char *img, size_t img_size, char *msg, size_t msg_size)
{
	struct stat st;
	int err;

	*path = NULL;
	if (!stat(KERNEL_VMLINUX, &st) || errno != ENOENT)
		return 0;	/* other errors: reading it says what is wrong */
	err = load_image_btf_path(img, img_size);
	if (err) {
		snprintf(msg, msg_size, "the kernel has none (no %s) and its release names no file "
			 "under %s (%s)", KERNEL_VMLINUX, XDPLD_BTF_DIR, strerror(-err));
		return -ENOENT;
	}
	if (stat(img, &st) && errno == ENOENT) {
		snprintf(msg, msg_size, "the kernel has none (no %s) and the image has none for this "
			 "kernel (no %s): make one with `xdpld btfgen -o %s --btf KERNEL.btf OBJ...` "
			 "(docs/image.md), or name one with `xdpld --kernel-btf FILE` or the "
			 "manifest's option kernel_btf", KERNEL_VMLINUX, img, img);
		return -ENOENT;
	}
	*path = img;
	pr_debug("no %s: target BTF %s (the image's, for this kernel release)", KERNEL_VMLINUX, img);
	return 0;
}

int load_kernel_btf(struct load_ctx *c, const char *why)
{
	const char *path = kernel_btf_path(c);
	bool big = c->o->byte_order == ELFDATA2MSB;	/* the programs' order */
	char msg[1400] = "", detail[256] = "", img[512];
	struct stat st;
	void *data;
	size_t size;
	int err;

	if (c->kt_loaded)
		return 0;
	if (c->kt_err)
		return c->kt_err;
	if (!path) {
		err = default_target(&path, img, sizeof(img), msg, sizeof(msg));
		if (err)
			goto fail;
	}
	if (!path || (!stat(path, &st) && S_ISDIR(st.st_mode))) {
		err = core_targets_load_dir(&c->kt, path ? path : KERNEL_BTF_DIR, big,
					    msg, sizeof(msg));
	} else {
		/* vmlinux used in place (core_targets_init_raw), which takes data */
		err = core_read_file(path, &data, &size);
		if (!err)
			err = core_targets_init_raw(&c->kt, data, size, path, big, detail,
						    sizeof(detail));
		if (err == -EINVAL)
			snprintf(msg, sizeof(msg), "%s: not a valid BTF file", path);
		else if (err)
			snprintf(msg, sizeof(msg), "%s: %s", path, strerror(-err));
		if (detail[0])
			pr_debug("%s", detail);
	}
fail:
	if (err) {
		c->kt_err = err;
		pr_err("%s: %s need the kernel's BTF: %s", c->o->path, why,
		       msg[0] ? msg : strerror(-err));
		return err;
	}
	for (size_t i = 0; i < c->kt.nr; i++)
		pr_debug("%s: target BTF %s: %u types", c->o->path, c->kt.t[i].name,
			 c->kt.t[i].btf.nr_types);
	c->kt_loaded = true;
	return 0;
}

/* A function symbol of a section. */
struct func_span {
	uint32_t sym;
	uint64_t start, end;	/* bytes */
};

static int cmp_span(const void *a, const void *b)
{
	const struct func_span *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* The function symbols of section sec, by start. */
static int sec_funcs(const struct obj *o, uint32_t sec, struct func_span **out, size_t *nr)
{
	struct func_span *f = NULL, *nf;
	size_t n = 0;

	for (size_t i = 1; i < o->nr_syms; i++) {
		const struct obj_sym *s = &o->syms[i];

		if (s->sec != sec || s->type != STT_FUNC || !s->size)
			continue;
		nf = realloc(f, (n + 1) * sizeof(*f));
		if (!nf) {
			free(f);
			return -ENOMEM;
		}
		f = nf;
		f[n++] = (struct func_span){ .sym = (uint32_t)i, .start = s->value,
					     .end = s->value + s->size };
	}
	if (n)
		qsort(f, n, sizeof(*f), cmp_span);
	*out = f;
	*nr = n;
	return 0;
}

static int keep_decision(struct load_ctx *c, const struct btf_ext_sec *es, const struct obj_sym *fs,
			 uint32_t relo, const struct core_decision *d)
{
	struct load_core_rec *n = c->core_recs;

	if (c->nr_core_recs == c->core_recs_cap) {
		size_t cap = c->core_recs_cap ? 2 * c->core_recs_cap : 16;

		n = realloc(c->core_recs, cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		c->core_recs = n;
		c->core_recs_cap = cap;
	}
	n += c->nr_core_recs++;
	*n = (struct load_core_rec){ .sec = es->sec_name, .func = fs->name, .relo = relo, .d = *d };
	if (d->target >= 0 && (size_t)d->target < c->kt.nr)
		snprintf(n->target, sizeof(n->target), "%s", c->kt.t[d->target].name);
	return 0;
}

/* The records of es inside function f, rebased to it, applied to its
 * instructions (insns + f->start / 8). */
static int apply_func(struct load_ctx *c, const struct btf_ext_sec *es, const struct func_span *f,
		      struct bpf_insn *insns, struct core_cache *cache)
{
	const struct obj *o = c->o;
	const struct btf_ext_core *recs = es->recs;
	const struct obj_sym *fs = &o->syms[f->sym];
	struct btf_ext_sec sub = { .sec_name = es->sec_name };
	struct btf_ext_core *mine = NULL;
	struct core_decision *d = NULL;
	uint32_t *relo = NULL;
	char msg[512] = "";
	int err = 0;

	for (uint32_t i = 0; i < es->nr; i++)
		sub.nr += recs[i].insn_off >= f->start && recs[i].insn_off < f->end;
	if (!sub.nr)
		return 0;
	mine = calloc(sub.nr, sizeof(*mine));
	relo = calloc(sub.nr, sizeof(*relo));
	d = calloc(sub.nr, sizeof(*d));
	if (!mine || !relo || !d) {
		err = -ENOMEM;
		goto out;
	}
	sub.nr = 0;
	for (uint32_t i = 0; i < es->nr; i++) {
		if (recs[i].insn_off < f->start || recs[i].insn_off >= f->end)
			continue;
		relo[sub.nr] = i;
		mine[sub.nr] = recs[i];
		mine[sub.nr++].insn_off -= (uint32_t)f->start;
	}
	sub.recs = mine;
	for (uint32_t k = 0; k < sub.nr; k++)
		d[k].insn_idx = UINT32_MAX;	/* stays so from the record that failed on */
	err = core_apply_sec(o->btf, &sub, insns + f->start / 8, (size_t)((f->end - f->start) / 8),
			     &c->kt, cache, d, msg, sizeof(msg));
	if (err) {
		char where[64] = "";
		uint32_t k = 0;

		while (k < sub.nr && d[k].insn_idx != UINT32_MAX)
			k++;
		/* The engine counts records in the function, libbpf in the
		 * section: say the section's number when they differ. */
		if (k < sub.nr && relo[k] != k)
			snprintf(where, sizeof(where), " (record #%u of the section)", relo[k]);
		/* entry programs live outside .text; subprograms in it */
		pr_err("%s: %s %s: %s%s", o->path, strcmp(es->sec_name, ".text") ? "program" : "function",
		       fs->name, msg, where);
		goto out;
	}
	for (uint32_t k = 0; k < sub.nr && !err; k++) {
		char line[1024];

		core_decision_str(&d[k], &c->kt, line, sizeof(line));
		pr_debug("%s: %s: function %s: CO-RE relocation #%u: %s", o->path, es->sec_name,
			 fs->name, relo[k], line);
		if (c->keep_core_recs)
			err = keep_decision(c, es, fs, relo[k], &d[k]);
	}
out:
	free(mine);
	free(relo);
	free(d);
	return err;
}

static bool has_core(const struct obj *o)
{
	if (!o->btf || !o->btf_ext)
		return false;
	for (size_t i = 0; i < o->btf_ext->core.nr_secs; i++)
		if (o->btf_ext->core.secs[i].nr)
			return true;
	return false;
}

int load_core_apply(struct load_ctx *c)
{
	const struct obj *o = c->o;
	struct core_cache *cache = NULL;
	int err = 0;

	if (!has_core(o))
		return 0;
	err = load_kernel_btf(c, "CO-RE relocations");
	if (err)
		return err;
	c->core_insns = calloc(o->nr_secs, sizeof(*c->core_insns));
	cache = core_cache_new(o->btf);
	if (!c->core_insns || !cache) {
		err = -ENOMEM;
		goto out;
	}
	for (size_t si = 0; si < o->btf_ext->core.nr_secs && !err; si++) {
		const struct btf_ext_sec *es = &o->btf_ext->core.secs[si];
		int sec = obj_find_sec(o, es->sec_name);
		const struct obj_sec *s;
		struct func_span *funcs = NULL;
		size_t nr_funcs = 0;

		if (!es->nr)
			continue;
		if (sec < 0 || !obj_sec_is_prog(o, (uint32_t)sec) || !o->secs[sec].data ||
		    o->secs[sec].size % 8) {
			pr_err("%s: .BTF.ext has CO-RE relocations for section %s, which holds no code",
			       o->path, es->sec_name);
			err = -EINVAL;
			break;
		}
		s = &o->secs[sec];
		if (c->core_insns[sec])
			continue;	/* one .BTF.ext section per ELF section */
		c->core_insns[sec] = malloc(s->size ? s->size : 1);
		if (!c->core_insns[sec]) {
			err = -ENOMEM;
			break;
		}
		for (uint64_t k = 0; k < s->size / 8; k++)
			obj_insn_get(o, s, k * 8, &c->core_insns[sec][k]);
		err = sec_funcs(o, (uint32_t)sec, &funcs, &nr_funcs);
		for (size_t fi = 0, done = 0; !err && fi < nr_funcs; fi++) {
			/* an alias (a second symbol on the same code): its
			 * records are applied already; a partial overlap would
			 * leave some unapplied */
			if (fi && funcs[fi].start == funcs[done].start && funcs[fi].end == funcs[done].end)
				continue;
			if (fi && funcs[fi].start < funcs[done].end) {
				pr_err("%s: section %s: functions %s and %s overlap", o->path, s->name,
				       o->syms[funcs[done].sym].name, o->syms[funcs[fi].sym].name);
				err = -EINVAL;
				break;
			}
			done = fi;
			if (funcs[fi].end > s->size) {
				pr_err("%s: section %s: function %s lies outside the section", o->path,
				       s->name, o->syms[funcs[fi].sym].name);
				err = -EINVAL;
				break;
			}
			err = apply_func(c, es, &funcs[fi], c->core_insns[sec], cache);
		}
		free(funcs);
	}
out:
	core_cache_free(cache);
	return err;
}

void load_core_free(struct load_ctx *c)
{
	for (size_t i = 0; c->core_insns && i < c->o->nr_secs; i++)
		free(c->core_insns[i]);
	free(c->core_insns);
	c->core_insns = NULL;
	free(c->core_recs);
	c->core_recs = NULL;
	c->nr_core_recs = c->core_recs_cap = 0;
	if (c->kt_loaded)
		core_targets_free(&c->kt);
	c->kt_loaded = false;
}
