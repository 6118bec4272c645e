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
#include "sha256.h"
#include "state.h"

#include <errno.h>
#include <fcntl.h>
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

#define MODULE_MAX_SIZE (64u << 20)

/* The whole file, read once (also from a pipe). */
static int read_module(const struct pipeline_module *m, void **out, size_t *len)
{
	size_t cap = 0, n = 0;
	char *buf = NULL;
	int fd = open(m->path, O_RDONLY | O_CLOEXEC), err = 0;

	if (fd < 0) {
		err = -errno;
		pr_err("module %s: %s", m->path, strerror(errno));
		return err;
	}
	for (;;) {
		ssize_t got;

		if (n == cap) {
			char *nb = cap >= MODULE_MAX_SIZE ? NULL : realloc(buf, cap ? cap * 2 : 65536);

			if (!nb) {
				err = cap >= MODULE_MAX_SIZE ? -EFBIG : -ENOMEM;
				if (err == -EFBIG)
					pr_err("module %s: larger than %u bytes", m->path,
					       MODULE_MAX_SIZE);
				break;
			}
			buf = nb;
			cap = cap ? cap * 2 : 65536;
		}
		got = read(fd, buf + n, cap - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			err = -errno;
			pr_err("module %s: %s", m->path, strerror(errno));
			break;
		}
		if (!got)
			break;
		n += (size_t)got;
	}
	close(fd);
	if (err) {
		free(buf);
		return err;
	}
	*out = buf;
	*len = n;
	return 0;
}

/* "OBJ" or "OBJ:PROG": an existing file named like the whole argument wins. */
static int open_module(const char *arg, struct pipeline_module *m)
{
	const char *colon = strrchr(arg, ':');
	char *file = NULL, resolved[PATH_MAX];
	void *buf = NULL;
	size_t len = 0;
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
	err = read_module(m, &buf, &len);
	if (err)
		goto out;
	/* Hash the very bytes that get linked: the file may change meanwhile. */
	sha256_hex(buf, len, m->sha256);
	err = obj_read_mem(m->path, buf, len, &m->obj);
	if (err)
		goto out;
	if (m->obj->byte_order != host_byte_order()) {
		pr_err("%s: byte order differs from this host's", m->path);
		err = -EINVAL;
		goto out;
	}
	err = find_entry(m, prog);
out:
	free(buf);
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

/* libxdp orders programs by run-config priority; xdpld keeps the order the
 * modules are given in, and says so when the priorities disagree. */
static void report_priorities(const struct pipeline *p)
{
	char list[512] = "";
	bool any = false, sorted = true;
	size_t used = 0;

	for (size_t i = 0; i < p->nr_mods; i++) {
		any |= p->mods[i].has_priority;
		if (i && p->mods[i - 1].priority > p->mods[i].priority)
			sorted = false;
		if (used < sizeof(list))
			used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%s %u%s",
						 i ? ", " : "", p->mods[i].label, p->mods[i].priority,
						 p->mods[i].has_priority ? "" : " (default)");
	}
	if (any && !sorted)
		pr_info("attach %s: slots follow the command-line order, not the modules' "
			"run-config priorities (%s)", p->ifname, list);
}

/* Restore loads exactly the code that was recorded, nothing else. */
static int check_sha256(const struct pipeline_opts *o, size_t i, const struct pipeline_module *m)
{
	if (!strcmp(o->expect_sha256[i], m->sha256))
		return 0;
	pr_err("restore %s: module %s (slot %zu, %s) changed since it was attached "
	       "(sha256 %.12s..., recorded %.12s...); not restoring other code: run "
	       "'xdpld attach' to take the new version", o->ifname, m->label, i, m->path,
	       m->sha256, o->expect_sha256[i]);
	return -ESTALE;
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
		if (!err && o->expect_sha256)
			err = check_sha256(o, i, m);
		if (err)
			return err;
		for (size_t j = 0; j < i; j++) {
			if (!strcmp(p->mods[j].path, m->path)) {
				pr_err("%s is given twice (slots %zu and %zu): each object can "
				       "be in a pipeline once", m->path, j, i);
				return -EINVAL;
			}
			/* The label names the module's map pins: kept maps are found
			 * by it on the next attach, so it must be unique. */
			if (!strcmp(p->mods[j].label, m->label)) {
				pr_err("attach %s: modules %s (slot %zu) and %s (slot %zu) are both "
				       "named '%s' (their map pins are named after the file); "
				       "rename one of the files", o->ifname, p->mods[j].path, j,
				       m->path, i, m->label);
				return -EINVAL;
			}
		}
		err = runcfg_read(m->obj, m->prog, &rc);
		if (err && err != -ENOENT)
			return err;
		m->continue_mask = rc.chain_call_actions;
		m->mask_from = err ? "default" : "run-config";
		m->priority = err ? RUNCFG_DEFAULT_PRIORITY : rc.priority;
		m->has_priority = !err && rc.has_priority;
		if (err)
			m->continue_mask = ROOTLET_DEFAULT_CONTINUE;
	}
	report_priorities(p);
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

/* hw mode loads every map and program for the NIC: find out early (with a
 * tiny map) whether it can take offloaded BPF at all. */
static int check_offload(const struct pipeline *p)
{
	struct bpf_map_create_opts mo = { .map_ifindex = (uint32_t)p->ifindex };
	int fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "xdpld_probe", 4, 4, 1, 0, &mo);

	if (fd >= 0) {
		close(fd);
		return 0;
	}
	pr_err("attach %s: interface %s does not support XDP offload (hw mode): %s",
	       p->ifname, p->ifname, strerror(-fd));
	return fd;
}

static int load_pipeline(struct pipeline *p, const struct pipeline_prev *prev)
{
	struct load_opts lopts = { 0 };
	struct load_map_reuse *reuse = NULL;
	const struct loaded_prog *lp;
	int err;

	err = pipeline_maps_resolve(p);
	if (!err)
		err = pipeline_maps_reuse(p, prev, &reuse, &lopts.nr_reuse);
	if (err)
		return err;
	lopts.reuse = reuse;
	if (p->mode == NIC_MODE_HW)
		lopts.offload_ifindex = (uint32_t)p->ifindex;
	err = load_object(p->linked.out, &lopts, &p->lo);
	free(reuse);
	if (err) {
		pr_err("attach %s: loading the pipeline failed", p->ifname);
		return err;
	}
	err = pipeline_pins_check(p);
	if (err)
		return err;
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

static int build(struct pipeline *p, const struct pipeline_opts *o)
{
	struct rootlet_cfg cfg;
	int err;

	err = open_modules(p, o);
	if (err)
		return err;
	if (p->mode == NIC_MODE_HW && p->counters) {
		/* Offloaded programs can only use offloadable (non per-CPU) maps. */
		pr_info("attach %s: hw mode: no per-slot counters", p->ifname);
		p->counters = false;
	}
	rootlet_cfg_init(&cfg, (uint32_t)p->nr_mods, ROOTLET_STATIC);
	cfg.counters = p->counters;
	for (size_t i = 0; i < p->nr_mods; i++)
		cfg.continue_mask[i] = p->mods[i].continue_mask;
	err = rootlet_build(&cfg, host_byte_order(), &p->rootlet);
	if (!err)
		err = link_pipeline(p);
	return err;
}

static void pipeline_free(struct pipeline *p)
{
	for (size_t i = 0; i < p->nr_mods; i++) {
		for (size_t k = 0; k < p->mods[i].nr_maps; k++) {
			free(p->mods[i].maps[k].orig);
			free(p->mods[i].maps[k].linked);
		}
		free(p->mods[i].maps);
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

/* Under the lock: another xdpld may have attached or detached meanwhile. */
static int check_restore(const struct pipeline_opts *o, const struct pipeline_prev *prev)
{
	if (prev->record && !strcmp(prev->record, o->restore_record))
		return 0;
	pr_err("restore %s: the interface's record changed meanwhile (another xdpld run); "
	       "nothing restored", o->ifname);
	return -EAGAIN;
}

int pipeline_attach(const struct pipeline_opts *o)
{
	struct pipeline p = { .ifname = o->ifname, .counters = o->counters, .mode = o->mode,
			      .prog_fd = -1 };
	struct pipeline_prev prev;
	struct nic_xdp cur;
	enum nic_mode used;
	int err, lock = -1;

	memset(&prev, 0, sizeof(prev));
	prev.prog_fd = -1;
	err = nic_ifindex(o->ifname);
	if (err < 0)
		return err;
	p.ifindex = err;
	err = p.mode == NIC_MODE_HW ? check_offload(&p) : 0;
	if (!err)
		err = build(&p, o);
	if (err)
		goto out;
	/* From reading what is there to recording what we put there, no other
	 * xdpld may change this state (it would see a half-done swap). */
	lock = state_lock();
	if (lock < 0) {
		err = lock;
		goto out;
	}
	err = pipeline_prev_save(o->ifname, &prev);
	if (!err && o->restore_record)
		err = check_restore(o, &prev);
	if (err)
		goto out;
	if (o->restore_record && prev.ours) {
		pr_info("restore %s: the recorded pipeline runs already (program id %u)",
			o->ifname, prev.prog_id);
		goto out;
	}
	if (prev.ours) {
		err = nic_query(o->ifname, &cur);
		if (!err)
			err = check_mode(o->ifname, o->mode, &cur);
		if (err)
			goto out;
	}
	err = load_pipeline(&p, &prev);
	if (err)
		goto out;
	err = nic_attach(o->ifname, p.prog_fd, o->mode, prev.ours ? prev.prog_fd : -1,
			 o->force, &used);
	if (err)
		goto out;
	err = pipeline_commit(&p, used, &prev);
	if (!err)
		pr_info("%s: pipeline of %zu modules %s in %s mode (program id %u)",
			o->ifname, p.nr_mods, o->restore_record ? "restored" : "attached",
			nic_mode_name(used), p.prog_id);
out:
	state_unlock(lock);
	pipeline_prev_free(&prev);
	pipeline_free(&p);
	return err;
}
