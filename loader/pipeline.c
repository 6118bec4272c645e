/* The static pipeline, build and attach: see pipeline.h. */
#include "pipeline.h"
#include "pipeline_internal.h"

#include "bpf_sys.h"
#include "link.h"
#include "load.h"
#include "log.h"
#include "obj.h"
#include "rootlet.h"
#include "runcfg.h"
#include "state.h"

#include <errno.h>
#include <gelf.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int host_byte_order(void)
{
	const uint16_t one = 1;

	return *(const uint8_t *)&one ? ELFDATA2LSB : ELFDATA2MSB;
}

static bool is_xdp_entry(const struct obj *o, const struct obj_sym *s)
{
	uint32_t type, attach, flags;

	if (s->type != STT_FUNC || s->bind == STB_LOCAL || s->sec == OBJ_SEC_UNDEF ||
	    s->sec >= o->nr_secs || !obj_sec_is_prog(o, s->sec) || obj_sec_is_text(o, s->sec))
		return false;
	if (load_prog_type_from_sec(o->secs[s->sec].name, &type, &attach, &flags))
		return false;
	return type == BPF_PROG_TYPE_XDP;
}

/* The module's entry program: the one named, or the only XDP entry program. */
static int find_entry(struct pipeline_module *m, const char *want)
{
	const struct obj *o = m->obj;
	char list[512] = "";
	const char *found = NULL;
	size_t n = 0;

	for (size_t i = 1; i < o->nr_syms; i++) {
		const struct obj_sym *s = &o->syms[i];

		if (!is_xdp_entry(o, s))
			continue;
		if (want && !strcmp(want, s->name)) {
			found = s->name;
			n = 1;
			break;
		}
		if (strlen(list) + strlen(s->name) + 3 < sizeof(list))
			snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
				 n ? ", " : "", s->name);
		found = s->name;
		n++;
	}
	if (want && (n != 1 || strcmp(found, want))) {
		pr_err("%s: no XDP entry program '%s' (XDP entry programs: %s)", m->path, want,
		       *list ? list : "none");
		return -ENOENT;
	}
	if (!n) {
		pr_err("%s: no XDP entry program (no global function in an xdp section)", m->path);
		return -ENOENT;
	}
	if (n > 1) {
		pr_err("%s: %zu XDP entry programs (%s): name one as %s:PROG", m->path, n, list,
		       m->path);
		return -EINVAL;
	}
	m->prog = strdup(found);
	return m->prog ? 0 : -ENOMEM;
}

static bool printable(const char *s)
{
	for (; *s; s++)
		if (*s < 0x20 || *s > 0x7e)
			return false;
	return true;
}

/* "OBJ" or "OBJ:PROG": an existing file named like the whole argument wins. */
static int open_module(const char *arg, struct pipeline_module *m)
{
	const char *colon = strrchr(arg, ':');
	char *file = NULL, resolved[PATH_MAX];
	const char *prog = NULL, *base;
	struct stat st;
	size_t n;
	int err;

	if (colon && stat(arg, &st) < 0 && colon[1] && !strchr(colon, '/')) {
		file = strndup(arg, (size_t)(colon - arg));
		prog = colon + 1;
	} else {
		file = strdup(arg);
	}
	if (!file)
		return -ENOMEM;
	if (!realpath(file, resolved)) {
		err = -errno;
		pr_err("module %s: %s", file, strerror(errno));
		goto out;
	}
	if (!printable(resolved)) {
		err = -EINVAL;
		pr_err("module %s: path has non-printable characters", file);
		goto out;
	}
	m->path = strdup(resolved);
	base = strrchr(resolved, '/') + 1;
	n = strlen(base);
	if (n > 2 && !strcmp(base + n - 2, ".o"))
		n -= 2;
	m->label = strndup(base, n);
	if (!m->path || !m->label) {
		err = -ENOMEM;
		goto out;
	}
	err = obj_read_file(m->path, &m->obj);
	if (err)
		goto out;
	if (m->obj->byte_order != host_byte_order()) {
		pr_err("%s: byte order differs from this host's", m->path);
		err = -EINVAL;
		goto out;
	}
	err = find_entry(m, prog);
	if (!err)
		err = sha256_file_hex(m->path, m->sha256);
out:
	free(file);
	return err;
}

/* SLOT of --continue-on: index, module name (with or without .o) or "all". */
static int continue_slot(const struct pipeline *p, const char *slot, size_t *idx)
{
	uint32_t n;
	size_t hits = 0;

	if (!pipeline_parse_u32(slot, &n)) {
		*idx = n;
		return n < p->nr_mods ? 0 : -ERANGE;
	}
	for (size_t i = 0; i < p->nr_mods; i++) {
		const char *base = strrchr(p->mods[i].path, '/') + 1;

		if (!strcmp(slot, p->mods[i].label) || !strcmp(slot, base)) {
			*idx = i;
			hits++;
		}
	}
	return hits == 1 ? 0 : hits ? -EEXIST : -ENOENT;
}

static int apply_continue(struct pipeline *p, const char *arg)
{
	const char *eq = strchr(arg, '=');
	char slot[256];
	uint32_t mask;
	size_t idx;
	int err;

	if (!eq || eq == arg || (size_t)(eq - arg) >= sizeof(slot) ||
	    rootlet_actions_parse(eq + 1, &mask)) {
		pr_err("bad --continue-on '%s' (expected SLOT=ACTION[,ACTION...], ACTION "
		       "aborted|drop|pass|tx|redirect or none)", arg);
		return -EINVAL;
	}
	memcpy(slot, arg, (size_t)(eq - arg));
	slot[eq - arg] = '\0';
	if (!strcmp(slot, "all")) {
		for (size_t i = 0; i < p->nr_mods; i++) {
			p->mods[i].continue_mask = mask;
			p->mods[i].mask_from = "option";
		}
		return 0;
	}
	err = continue_slot(p, slot, &idx);
	if (err) {
		pr_err("--continue-on '%s': %s slot '%s' (slots 0..%zu or a module name)", arg,
		       err == -EEXIST ? "ambiguous" : "no", slot, p->nr_mods - 1);
		return -EINVAL;
	}
	p->mods[idx].continue_mask = mask;
	p->mods[idx].mask_from = "option";
	return 0;
}

static int open_modules(struct pipeline *p, const struct pipeline_opts *o)
{
	struct runcfg rc;
	int err;

	if (!o->nr_modules || o->nr_modules > ROOTLET_MAX_SLOTS) {
		pr_err("attach %s: between 1 and %u modules, not %zu", o->ifname,
		       ROOTLET_MAX_SLOTS, o->nr_modules);
		return -EINVAL;
	}
	p->mods = calloc(o->nr_modules, sizeof(*p->mods));
	if (!p->mods)
		return -ENOMEM;
	for (size_t i = 0; i < o->nr_modules; i++) {
		struct pipeline_module *m = &p->mods[i];

		p->nr_mods++;
		err = open_module(o->modules[i], m);
		if (err)
			return err;
		for (size_t j = 0; j < i; j++)
			if (!strcmp(p->mods[j].path, m->path)) {
				pr_err("%s is given twice (slots %zu and %zu): each object can "
				       "be in a pipeline once", m->path, j, i);
				return -EINVAL;
			}
		err = runcfg_read(m->obj, m->prog, &rc);
		if (err && err != -ENOENT)
			return err;
		m->continue_mask = rc.chain_call_actions;
		m->mask_from = err ? "default" : "run-config";
		if (err)
			m->continue_mask = ROOTLET_DEFAULT_CONTINUE;
	}
	for (size_t i = 0; i < o->nr_continue_on; i++) {
		err = apply_continue(p, o->continue_on[i]);
		if (err)
			return err;
	}
	return 0;
}

/* [rootlet, modules...] with module:entry=xdpld_slot<i>. */
static int link_pipeline(struct pipeline *p)
{
	struct link_rename *renames = calloc(p->nr_mods, sizeof(*renames));
	char (*slot_names)[32] = calloc(p->nr_mods, sizeof(*slot_names));
	struct obj **in = calloc(p->nr_mods + 1, sizeof(*in));
	struct link_opts lo = { 0 };
	int err = -ENOMEM;

	if (!renames || !slot_names || !in)
		goto out;
	in[0] = p->rootlet;
	for (size_t i = 0; i < p->nr_mods; i++) {
		in[i + 1] = p->mods[i].obj;
		renames[i].obj = p->mods[i].path;
		renames[i].old_name = p->mods[i].prog;
		renames[i].new_name = rootlet_slot_name((uint32_t)i, slot_names[i],
							sizeof(slot_names[i]));
	}
	lo.renames = renames;
	lo.nr_renames = p->nr_mods;
	err = link_objects(in, p->nr_mods + 1, &lo, &p->linked);
	if (err)
		pr_err("attach %s: linking the pipeline failed", p->ifname);
out:
	free(renames);
	free(slot_names);
	free(in);
	return err;
}

static int build_and_load(struct pipeline *p, const struct pipeline_opts *o)
{
	struct load_opts lopts = { 0 };
	struct rootlet_cfg cfg;
	const struct loaded_prog *lp;
	int err;

	err = open_modules(p, o);
	if (err)
		return err;
	rootlet_cfg_init(&cfg, (uint32_t)p->nr_mods, ROOTLET_STATIC);
	cfg.counters = p->counters;
	for (size_t i = 0; i < p->nr_mods; i++)
		cfg.continue_mask[i] = p->mods[i].continue_mask;
	err = rootlet_build(&cfg, host_byte_order(), &p->rootlet);
	if (err)
		return err;
	err = link_pipeline(p);
	if (err)
		return err;
	err = load_object(p->linked.out, &lopts, &p->lo);
	if (err) {
		pr_err("attach %s: loading the pipeline failed", p->ifname);
		return err;
	}
	lp = loaded_obj_prog(p->lo, ROOTLET_ENTRY_NAME);
	if (!lp) {
		pr_err("attach %s: the linked pipeline has no %s program", p->ifname,
		       ROOTLET_ENTRY_NAME);
		return -ENOENT;
	}
	p->prog_fd = lp->fd;
	p->prog_id = lp->id;
	return 0;
}

static void pipeline_free(struct pipeline *p)
{
	for (size_t i = 0; i < p->nr_mods; i++) {
		free(p->mods[i].path);
		free(p->mods[i].label);
		free(p->mods[i].prog);
		obj_free(p->mods[i].obj);
	}
	free(p->mods);
	obj_free(p->rootlet);
	if (p->linked.out)
		link_result_free(&p->linked);
	loaded_obj_free(p->lo);
}

/* A replace keeps the mode of the program it replaces: say so early. */
static int check_mode(const char *ifname, enum nic_mode want, const struct nic_xdp *cur)
{
	if (want == NIC_MODE_AUTO || !cur->prog_id || cur->mode == want)
		return 0;
	pr_err("attach %s: xdpld's pipeline runs in %s mode; detach it before attaching "
	       "in %s mode", ifname, nic_mode_name(cur->mode), nic_mode_name(want));
	return -EINVAL;
}

int pipeline_attach(const struct pipeline_opts *o)
{
	struct pipeline p = { .ifname = o->ifname, .counters = o->counters, .prog_fd = -1 };
	struct pipeline_prev prev;
	struct nic_xdp cur;
	enum nic_mode used;
	int err;

	memset(&prev, 0, sizeof(prev));
	prev.prog_fd = -1;
	err = nic_ifindex(o->ifname);
	if (err < 0)
		return err;
	err = build_and_load(&p, o);
	if (err)
		goto out;
	err = pipeline_prev_save(o->ifname, &prev);
	if (err)
		goto out;
	if (prev.ours) {
		err = nic_query(o->ifname, &cur);
		if (!err)
			err = check_mode(o->ifname, o->mode, &cur);
		if (err)
			goto out;
	}
	err = nic_attach(o->ifname, p.prog_fd, o->mode, prev.ours ? prev.prog_fd : -1,
			 o->force, &used);
	if (err)
		goto out;
	err = pipeline_commit(&p, used, &prev);
	if (!err)
		pr_info("%s: pipeline of %zu modules attached in %s mode (program id %u)",
			o->ifname, p.nr_mods, nic_mode_name(used), p.prog_id);
out:
	pipeline_prev_free(&prev);
	pipeline_free(&p);
	return err;
}
