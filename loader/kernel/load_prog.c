/* Programs: the type from the section name (or EXT for opts.ext),
 * BPF_PROG_LOAD, and on rejection a reload with the verifier log at growing
 * sizes, whose tail is shown with the program's name. */
#include "load_internal.h"
#include "bpf_sys.h"
#include "base/log.h"
#include "elf/obj.h"

#include <elf.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct sec_def {
	const char *prefix;	/* section name, or prefix when it ends in '/' */
	uint32_t type, attach, flags;
	bool exact_or_slash;	/* "xdp" matches "xdp" and "xdp/anything" */
};

static const struct sec_def sec_defs[] = {
	{ "xdp.frags/devmap", BPF_PROG_TYPE_XDP, BPF_XDP_DEVMAP, BPF_F_XDP_HAS_FRAGS, true },
	{ "xdp.frags/cpumap", BPF_PROG_TYPE_XDP, BPF_XDP_CPUMAP, BPF_F_XDP_HAS_FRAGS, true },
	{ "xdp.frags", BPF_PROG_TYPE_XDP, BPF_XDP, BPF_F_XDP_HAS_FRAGS, true },
	{ "xdp/devmap", BPF_PROG_TYPE_XDP, BPF_XDP_DEVMAP, 0, true },
	{ "xdp/cpumap", BPF_PROG_TYPE_XDP, BPF_XDP_CPUMAP, 0, true },
	{ "xdp", BPF_PROG_TYPE_XDP, BPF_XDP, 0, true },
	{ "tc", BPF_PROG_TYPE_SCHED_CLS, 0, 0, true },
	{ "classifier", BPF_PROG_TYPE_SCHED_CLS, 0, 0, true },
	{ "action", BPF_PROG_TYPE_SCHED_ACT, 0, 0, true },
	{ "socket", BPF_PROG_TYPE_SOCKET_FILTER, 0, 0, true },
	{ "kprobe/", BPF_PROG_TYPE_KPROBE, 0, 0, false },
	{ "kretprobe/", BPF_PROG_TYPE_KPROBE, 0, 0, false },
	{ "tracepoint/", BPF_PROG_TYPE_TRACEPOINT, 0, 0, false },
	{ "tp/", BPF_PROG_TYPE_TRACEPOINT, 0, 0, false },
	{ "raw_tracepoint/", BPF_PROG_TYPE_RAW_TRACEPOINT, 0, 0, false },
	{ "raw_tp/", BPF_PROG_TYPE_RAW_TRACEPOINT, 0, 0, false },
	{ "perf_event", BPF_PROG_TYPE_PERF_EVENT, 0, 0, true },
	{ "cgroup_skb/ingress", BPF_PROG_TYPE_CGROUP_SKB, BPF_CGROUP_INET_INGRESS, 0, true },
	{ "cgroup_skb/egress", BPF_PROG_TYPE_CGROUP_SKB, BPF_CGROUP_INET_EGRESS, 0, true },
};

int load_prog_type_from_sec(const char *sec, uint32_t *prog_type,
			    uint32_t *expected_attach_type, uint32_t *prog_flags)
{
	if (sec[0] == '?')	/* libbpf's SEC("?xdp"): autoload off, same type */
		sec++;
	for (size_t i = 0; i < sizeof(sec_defs) / sizeof(sec_defs[0]); i++) {
		const struct sec_def *d = &sec_defs[i];
		size_t n = strlen(d->prefix);

		if (strncmp(sec, d->prefix, n))
			continue;
		if (d->exact_or_slash && sec[n] && sec[n] != '/')
			continue;
		if (!d->exact_or_slash && !sec[n])
			continue;	/* "kprobe/" needs a target */
		*prog_type = d->type;
		*expected_attach_type = d->attach;
		*prog_flags = d->flags;
		return 0;
	}
	return -EOPNOTSUPP;
}

static struct loaded_prog *prog_push(struct load_ctx *c, const struct obj_sym *s)
{
	struct loaded_obj *lo = c->lo;
	struct loaded_prog *p = realloc(lo->progs, (lo->nr_progs + 1) * sizeof(*p));

	if (!p)
		return NULL;
	lo->progs = p;
	p = &p[lo->nr_progs++];
	memset(p, 0, sizeof(*p));
	p->fd = -1;
	p->name = strdup(s->name);
	p->sec = strdup(c->o->secs[s->sec].name);
	return p->name && p->sec ? p : NULL;
}

static void prog_fill_info(struct loaded_prog *p)
{
	struct bpf_prog_info info;
	uint32_t len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (sys_obj_info(p->fd, &info, &len))
		return;
	p->id = info.id;
	memcpy(p->tag, info.tag, sizeof(p->tag));
	p->xlated_len = info.xlated_prog_len;
	/* verified_insns exists since 5.16; older kernels: translated size. */
	if (len >= offsetof(struct bpf_prog_info, verified_insns) + sizeof(info.verified_insns) &&
	    info.verified_insns)
		p->verified_insns = info.verified_insns;
	else
		p->verified_insns = info.xlated_prog_len / 8;
}

/* Load with no log first (fast path); on failure reload with a growing log
 * so that the verifier's reason can be shown. */
static int prog_load_logged(struct load_ctx *c, struct loaded_prog *p, struct sys_prog_load_args *a)
{
	char *log = NULL, what[512];
	int fd = sys_prog_load(a), fd2;

	if (fd >= 0)
		return fd;
	for (uint32_t size = 1u << 16; size <= (1u << 24); size <<= 2) {
		char *nl = realloc(log, size);

		if (!nl)
			break;
		log = nl;
		log[0] = '\0';
		a->log_buf = log;
		a->log_size = size;
		a->log_level = 1;
		fd2 = sys_prog_load(a);
		if (fd2 >= 0) {	/* accepted this time: keep it */
			free(log);
			return fd2;
		}
		if (fd2 != -ENOSPC)
			break;
	}
	a->log_buf = NULL;
	if (c->opts->prog_desc && c->opts->prog_desc(c->opts->prog_desc_ctx, p->name, what,
						     sizeof(what)))
		pr_err("%s was rejected by the kernel (section %s%s): %s", what, p->sec,
		       a->type == BPF_PROG_TYPE_EXT ? ", as an extension" : "", sys_strerror(fd));
	else
		pr_err("%s: program %s (section %s%s) was rejected by the kernel: %s", c->o->path,
		       p->name, p->sec, a->type == BPF_PROG_TYPE_EXT ? ", as an extension" : "",
		       sys_strerror(fd));
	if (log && log[0])
		load_log_tail(LOG_LVL_ERR, p->name, log);
	free(log);
	return fd;
}

static int load_one(struct load_ctx *c, uint32_t symi)
{
	const struct obj_sym *s = &c->o->syms[symi];
	const char *sec = c->o->secs[s->sec].name;
	struct sys_prog_load_args a = { 0 };
	struct prog_image img;
	const struct load_ext_target *ext = c->opts->ext;
	bool is_ext = ext && !strcmp(s->name, ext->prog);
	struct loaded_prog *p;
	int err;

	p = prog_push(c, s);
	if (!p)
		return -ENOMEM;
	err = load_prog_type_from_sec(sec, &p->prog_type, &p->expected_attach_type, &p->prog_flags);
	if (err && !is_ext) {
		char what[512];

		pr_err("%s: unknown program section '%s'", load_prog_what(c, s->name, what, sizeof(what)),
		       sec);
		return err;
	}
	if (is_ext) {	/* an extension keeps its section's flags (frags), if any */
		p->prog_type = BPF_PROG_TYPE_EXT;
		p->expected_attach_type = 0;
		a.attach_prog_fd = (uint32_t)ext->target_fd;
		a.attach_btf_id = ext->target_btf_id;
	}
	err = load_prog_image_build(c, symi, &img);
	if (err)
		return err;
	p->insn_cnt = img.nr_insns;
	a.type = p->prog_type;
	a.insns = img.insns;
	a.insn_cnt = img.nr_insns;
	a.license = c->license;
	a.name = s->name;
	a.expected_attach_type = p->expected_attach_type;
	a.prog_flags = p->prog_flags;
	a.prog_ifindex = c->opts->offload_ifindex;
	a.fd_array = c->fd_array;	/* module BTF of kfunc calls, if any */
	if (c->btf_loaded && img.nr_func_info) {
		a.prog_btf_fd = (uint32_t)c->lo->btf_fd;
		a.func_info = img.func_info;
		a.func_info_cnt = img.nr_func_info;
		a.func_info_rec_size = sizeof(*img.func_info);
		if (img.nr_line_info) {
			a.line_info = img.line_info;
			a.line_info_cnt = img.nr_line_info;
			a.line_info_rec_size = sizeof(*img.line_info);
		}
	}
	p->fd = prog_load_logged(c, p, &a);
	prog_image_free(&img);
	if (p->fd < 0)
		return p->fd;
	prog_fill_info(p);
	pr_debug("%s: loaded program %s (%u insns, %u verified)", c->o->path, p->name,
		 p->insn_cnt, p->verified_insns);
	return 0;
}

/* Entry programs: FUNC symbols in executable sections other than .text. */
static bool is_entry(const struct obj *o, const struct obj_sym *s)
{
	return s->type == STT_FUNC && s->sec != OBJ_SEC_UNDEF && s->sec < o->nr_secs &&
	       obj_sec_is_prog(o, s->sec) && !obj_sec_is_text(o, s->sec);
}

/* opts.ext names an entry program, and its BTF and func_info go with it
 * (the kernel matches the extension's prototype against the target's). */
static int check_ext(const struct load_ctx *c)
{
	const struct load_ext_target *ext = c->opts->ext;
	const struct obj *o = c->o;
	size_t i;

	if (!ext)
		return 0;
	for (i = 1; i < o->nr_syms && !(is_entry(o, &o->syms[i]) &&
					 !strcmp(o->syms[i].name, ext->prog)); i++)
		;
	if (i == o->nr_syms) {
		pr_err("%s: no entry program %s to load as an extension", o->path, ext->prog);
		return -ENOENT;
	}
	if (!o->btf) {
		pr_err("%s: program %s: an extension program needs BTF (.BTF) in the object",
		       o->path, ext->prog);
		return -EINVAL;
	}
	if (!c->btf_loaded || !c->func_info_ok) {
		pr_err("%s: program %s: an extension program needs BTF and func_info, but %s",
		       o->path, ext->prog, c->opts->no_btf ? "loading without BTF was asked for" :
		       !c->btf_loaded ? "the kernel did not take the object's BTF" :
		       !o->btf_ext ? "the object has no .BTF.ext" : "the kernel takes no func_info");
		return -EINVAL;
	}
	return 0;
}

/* A program in a "?..." section (libbpf: autoload off) loads only when
 * asked for by name, as a libbpf user turns its autoload on. */
static bool autoload(const struct load_ctx *c, const struct obj_sym *s)
{
	const char *want = c->opts->autoload;

	if (c->o->secs[s->sec].name[0] != '?')
		return true;
	if ((want && !strcmp(want, s->name)) ||
	    (c->opts->ext && !strcmp(c->opts->ext->prog, s->name)))
		return true;
	pr_debug("%s: program %s (section %s): autoload off, not loaded", c->o->path, s->name,
		 c->o->secs[s->sec].name);
	return false;
}

int load_progs(struct load_ctx *c)
{
	const struct obj *o = c->o;
	int err = check_ext(c);

	for (size_t i = 1; !err && i < o->nr_syms; i++)
		if (is_entry(o, &o->syms[i]) && autoload(c, &o->syms[i]))
			err = load_one(c, (uint32_t)i);
	return err;
}
