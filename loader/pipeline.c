/* The pipeline: modules, the static build, and the executor of a plan
 * (attach, relink, restore): see pipeline.h. */
#include "pipeline.h"
#include "pipeline_internal.h"

#include "bpf_sys.h"
#include "link.h"
#include "load.h"
#include "log.h"
#include "obj.h"
#include "plan.h"
#include "probe.h"
#include "probe_backend.h"
#include "prog_type.h"
#include "rootlet.h"
#include "runcfg.h"
#include "sha256.h"
#include "state.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <limits.h>
#include <net/if.h>
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
static int find_entry(struct pipeline_module *m)
{
	const struct obj *o = m->obj;
	const char *want = m->s->prog, *path = m->s->path, *found = NULL;
	char list[512] = "";
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
		pr_err("%s: no XDP entry program '%s' (XDP entry programs: %s)", path, want,
		       *list ? list : "none");
		return -ENOENT;
	}
	if (!n) {
		pr_err("%s: no XDP entry program (no global function in an xdp section)", path);
		return -ENOENT;
	}
	if (n > 1) {
		pr_err("%s: %zu XDP entry programs (%s): name one as %s:PROG", path, n, list, path);
		return -EINVAL;
	}
	if (want)
		return 0;
	m->s->prog = strdup(found);
	return m->s->prog ? 0 : -ENOMEM;
}

#define MODULE_MAX_SIZE (64u << 20)

/* The whole file, read once (also from a pipe). */
static int read_module(const char *path, void **out, size_t *len)
{
	size_t cap = 0, n = 0;
	char *buf = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC), err = 0;

	if (fd < 0) {
		err = -errno;
		pr_err("module %s: %s", path, strerror(errno));
		return err;
	}
	for (;;) {
		ssize_t got;

		if (n == cap) {
			char *nb = cap >= MODULE_MAX_SIZE ? NULL : realloc(buf, cap ? cap * 2 : 65536);

			if (!nb) {
				err = cap >= MODULE_MAX_SIZE ? -EFBIG : -ENOMEM;
				if (err == -EFBIG)
					pr_err("module %s: larger than %u bytes", path,
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
			pr_err("module %s: %s", path, strerror(errno));
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

/* Restore (and relink, for the other slots) loads exactly the code that
 * was recorded, nothing else. */
static int check_sha256(const struct pipeline *p, size_t i, const char *want, const char *have)
{
	const struct plan_slot *s = &p->plan->slots[i];

	if (!strcmp(want, have))
		return 0;
	if (p->prepared)
		pr_err("apply %s: module %s (slot %zu, %s) changed on disk after it was "
		       "checked (sha256 %.12s..., checked %.12s...); this device is left as it "
		       "was: apply again", p->ifname, s->label, i, s->path, have, want);
	else if (p->strict_slot >= 0)
		pr_err("relink %s: module %s (slot %zu, %s) changed on disk since it was "
		       "attached (sha256 %.12s..., recorded %.12s...); the static backend "
		       "re-links every module: relink that slot first", p->ifname, s->label, i,
		       s->path, have, want);
	else
		pr_err("restore %s: module %s (slot %zu, %s) changed since it was attached "
		       "(sha256 %.12s..., recorded %.12s...); not restoring other code: run "
		       "'xdpld attach' to take the new version", p->ifname, s->label, i, s->path,
		       have, want);
	return -ESTALE;
}

/* Reads slot i's file once: the bytes hashed are the bytes linked. */
static int open_module(struct pipeline *p, size_t i, bool expect_sha)
{
	struct pipeline_module *m = &p->mods[i];
	char sha[SHA256_HEX_LEN];
	void *buf = NULL;
	size_t len = 0;
	int err;

	m->s = &p->plan->slots[i];
	err = read_module(m->s->path, &buf, &len);
	if (err)
		return err;
	sha256_hex(buf, len, sha);
	if (expect_sha)
		err = check_sha256(p, i, m->s->sha256, sha);
	memcpy(m->s->sha256, sha, sizeof(sha));
	if (!err)
		err = obj_read_mem(m->s->path, buf, len, &m->obj);
	free(buf);
	if (err)
		return err;
	if (m->obj->byte_order != host_byte_order()) {
		pr_err("%s: byte order differs from this host's", m->s->path);
		return -EINVAL;
	}
	if (m->s->type) {
		size_t n;

		err = obj_retype_programs(m->obj, m->s->type, &n);
		if (err)
			return err;
		if (!n)
			pr_info("module %s: --type %s: every program section has a known type "
				"already", m->s->label, m->s->type);
	}
	return find_entry(m);
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
						 i ? ", " : "", p->mods[i].s->label,
						 p->mods[i].priority,
						 p->mods[i].has_priority ? "" : " (default)");
	}
	if (any && !sorted)
		pr_info("attach %s: slots follow the command-line order, not the modules' "
			"run-config priorities (%s)", p->ifname, list);
}

/* Every slot's file, entry program and mask (option, run config, default). */
static int open_modules(struct pipeline *p, bool expect_sha)
{
	struct runcfg rc;
	int err;

	p->mods = calloc(p->plan->nr_slots, sizeof(*p->mods));
	if (!p->mods)
		return -ENOMEM;
	for (size_t i = 0; i < p->plan->nr_slots; i++) {
		struct pipeline_module *m = &p->mods[i];

		p->nr_mods++;
		m->prog_fd = m->link_fd = -1;
		m->s = &p->plan->slots[i];
		m->priority = RUNCFG_DEFAULT_PRIORITY;
		/* A slot swap touches the relinked slot only: the others keep
		 * running what the record says, their files are not needed. */
		if (p->strict_slot >= 0 && (int)i != p->strict_slot &&
		    p->plan->backend != ROOTLET_STATIC)
			continue;
		err = open_module(p, i, expect_sha && (int)i != p->strict_slot);
		if (err)
			return err;
		err = runcfg_read(m->obj, m->s->prog, &rc);
		if (err && err != -ENOENT)
			return err;
		m->priority = err ? RUNCFG_DEFAULT_PRIORITY : rc.priority;
		m->has_priority = !err && rc.has_priority;
		/* A relink keeps the slot's mask, whatever the new run config says. */
		if (m->s->mask_from == PLAN_MASK_OPTION || (int)i == p->strict_slot)
			continue;
		m->s->continue_mask = err ? ROOTLET_DEFAULT_CONTINUE : rc.chain_call_actions;
		m->s->mask_from = err ? PLAN_MASK_DEFAULT : PLAN_MASK_RUNCFG;
	}
	report_priorities(p);
	return 0;
}

/* The module whose label is `label` (a naming rule's), by its object's path. */
static const char *module_path(const struct pipeline *p, const char *label)
{
	for (size_t i = 0; i < p->nr_mods; i++)
		if (!strcmp(p->mods[i].s->label, label))
			return p->mods[i].s->path;
	return label;	/* not reached: rules name the plan's modules */
}

/* [rootlet, modules...] with module:entry=xdpld_slot<i>, and the plan's
 * naming rules (modules named by their object's path). */
static int link_pipeline(struct pipeline *p)
{
	const struct plan *pl = p->plan;
	size_t nr_ren = p->nr_mods + pl->nr_renames, nr_pfx = 0;
	struct link_rename *renames = calloc(nr_ren, sizeof(*renames));
	struct link_prefix *prefixes = calloc(p->nr_mods, sizeof(*prefixes));
	char (*slot_names)[32] = calloc(p->nr_mods, sizeof(*slot_names));
	struct obj **in = calloc(p->nr_mods + 1, sizeof(*in));
	struct link_opts lo = { .no_rename = pl->no_rename,
				.flatten = pl->backend == ROOTLET_STATIC && !pl->no_flatten };
	int err = -ENOMEM;

	if (!renames || !prefixes || !slot_names || !in)
		goto out;
	in[0] = p->rootlet;
	for (size_t i = 0; i < p->nr_mods; i++) {
		in[i + 1] = p->mods[i].obj;
		renames[i].obj = p->mods[i].s->path;
		renames[i].old_name = p->mods[i].s->prog;
		renames[i].new_name = rootlet_slot_name((uint32_t)i, slot_names[i],
							sizeof(slot_names[i]));
		if (p->mods[i].s->prefix) {
			prefixes[nr_pfx].obj = p->mods[i].s->path;
			prefixes[nr_pfx++].prefix = p->mods[i].s->prefix;
		}
	}
	for (size_t k = 0; k < pl->nr_renames; k++) {
		struct link_rename *r = &renames[p->nr_mods + k];

		r->obj = pl->renames[k].module ? module_path(p, pl->renames[k].module) : NULL;
		r->old_name = pl->renames[k].old_name;
		r->new_name = pl->renames[k].new_name;
	}
	lo.renames = renames;
	lo.nr_renames = nr_ren;
	lo.prefixes = prefixes;
	lo.nr_prefixes = nr_pfx;
	err = link_objects(in, p->nr_mods + 1, &lo, &p->linked);
	if (err == -EEXIST)
		pr_err("attach %s: linking the pipeline failed: name the modules' symbols with "
		       "--prefix MODULE=PFX or --rename MODULE:OLD=NEW (manifest: option prefix, "
		       "list rename)", p->ifname);
	else if (err)
		pr_err("attach %s: linking the pipeline failed", p->ifname);
out:
	free(renames);
	free(prefixes);
	free(slot_names);
	free(in);
	return err;
}

/* hw mode loads every map and program for the NIC: find out early (with a
 * tiny map) whether it can take offloaded BPF at all. */
static int check_offload(const struct pipeline *p)
{
	struct sys_map_create_opts mo = { .map_ifindex = (uint32_t)p->ifindex };
	int fd = sys_map_create(BPF_MAP_TYPE_ARRAY, "xdpld_probe", 4, 4, 1, 0, &mo);

	if (fd >= 0) {
		close(fd);
		return 0;
	}
	pr_err("attach %s: interface %s does not support XDP offload (hw mode): %s",
	       p->ifname, p->ifname, strerror(-fd));
	return fd;
}

/* Static backend: the linked pipeline in one load. */
static int load_static(struct pipeline *p, const struct pipeline_prev *prev)
{
	struct load_opts lopts = { 0 };
	struct load_map_reuse *reuse = NULL;
	const struct loaded_prog *lp;
	int err;

	err = pipeline_maps_resolve(p);
	if (!err)
		err = pipeline_maps_reuse(p, prev, NULL, &reuse, &lopts.nr_reuse);
	if (err)
		return err;
	lopts.reuse = reuse;
	lopts.no_new_pins = p->prepare;	/* check pins nothing */
	if (p->mode == NIC_MODE_HW)
		lopts.offload_ifindex = (uint32_t)p->ifindex;
	err = load_object(p->linked.out, &lopts, &p->lo);
	free(reuse);
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

static int build_rootlet(struct pipeline *p)
{
	struct rootlet_cfg cfg;

	p->counters = p->plan->counters;	/* resolve_backend turns them off for hw */
	rootlet_cfg_init(&cfg, (uint32_t)p->nr_mods, p->plan->backend);
	cfg.counters = p->counters;
	for (size_t i = 0; i < p->nr_mods; i++)
		cfg.continue_mask[i] = p->mods[i].s->continue_mask;
	return rootlet_build(&cfg, host_byte_order(), &p->rootlet);
}

static void pipeline_free(struct pipeline *p)
{
	for (size_t i = 0; i < p->nr_mods; i++) {
		struct pipeline_module *m = &p->mods[i];

		for (size_t k = 0; k < m->nr_maps; k++) {
			free(m->maps[k].orig);
			free(m->maps[k].linked);
		}
		free(m->maps);
		obj_free(m->obj);
		if (m->link_fd >= 0)
			close(m->link_fd);
		loaded_obj_free(m->lo);
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
static int check_restore(const struct pipeline_apply_opts *o, const struct plan *want,
			 const struct pipeline_prev *prev)
{
	if (prev->record && !strcmp(prev->record, o->restore_record))
		return 0;
	pr_err("restore %s: the interface's record changed meanwhile (another xdpld run); "
	       "nothing restored", want->ifname);
	return -EAGAIN;
}

/* auto: the best the kernel can run; a named one must be supported. */
static int resolve_backend(struct plan *pl)
{
	char why[256];
	int ret;

	if (pl->mode == NIC_MODE_HW) {
		if (pl->counters) {
			/* Offloaded programs can only use offloadable (non per-CPU) maps. */
			pr_info("attach %s: hw mode: no per-slot counters", pl->ifname);
			pl->counters = false;
		}
		if (!pl->backend_auto && pl->backend != ROOTLET_STATIC) {
			pr_err("attach %s: hw mode (offload) runs the static backend only, not %s",
			       pl->ifname, rootlet_backend_name(pl->backend));
			return -EOPNOTSUPP;
		}
		pl->backend = ROOTLET_STATIC;
		return 0;
	}
	if (pl->backend_auto) {
		pl->backend = probe_best_backend();
		if (pl->backend == ROOTLET_CHAIN && pl->nr_slots > ROOTLET_CHAIN_MAX_SLOTS)
			pl->backend = probe_backend(ROOTLET_TAILCALL, NULL, 0) > 0 ?
				      ROOTLET_TAILCALL : ROOTLET_STATIC;	/* a tail call per slot */
		pr_debug("attach %s: backend auto: %s", pl->ifname,
			 rootlet_backend_name(pl->backend));
		return 0;
	}
	ret = probe_backend(pl->backend, why, sizeof(why));
	if (ret < 0)
		return ret;
	if (ret)
		return 0;
	pr_err("attach %s: backend %s is not available on this kernel: %s", pl->ifname,
	       rootlet_backend_name(pl->backend), why);
	return -EOPNOTSUPP;
}

/* Slots that keep their module take over what runs from the old plan. */
static void carry_over(struct plan *want, const struct plan *old, const struct plan_diff *d)
{
	for (size_t i = 0; i < want->nr_slots && i < old->nr_slots; i++) {
		struct plan_slot *s = &want->slots[i];
		const struct plan_slot *o = &old->slots[i];

		if (d->change[i] & PLAN_SLOT_CODE) {
			s->relinks = o->relinks + 1;
			plan_now(s->relinked);
			continue;
		}
		s->prog_id = o->prog_id;
		s->target = o->target;
		s->relinks = o->relinks;
		memcpy(s->relinked, o->relinked, sizeof(s->relinked));
	}
}

/* A relink changes one slot's code and nothing else. */
static int check_relink(const struct plan *want, const struct plan_diff *d, int slot)
{
	for (size_t i = 0; i < d->nr_slots; i++) {
		if ((int)i == slot ? !(d->change[i] & ~PLAN_SLOT_CODE) : !d->change[i])
			continue;
		pr_err("relink %s: slot %zu (%s) would change as well; nothing changed",
		       want->ifname, i, i < want->nr_slots ? want->slots[i].label : "?");
		return -EINVAL;
	}
	if (!d->change[slot])
		pr_info("relink %s: slot %d (%s) runs this code already", want->ifname, slot,
			want->slots[slot].label);
	return 0;
}

static void layout_static(struct plan_diff *d)
{
	d->layout_changed = true;
	if (!d->why)
		d->why = "the static backend re-links the whole pipeline";
}

/* A new pipeline: rootlet and modules loaded, attached, committed. */
static int build_and_attach(struct pipeline *p, struct pipeline_prev *prev, bool force,
			    const char *done)
{
	struct pipeline_pin *pins = NULL;
	size_t nr = 0;
	enum nic_mode used;
	int err;

	for (size_t i = 0; i < p->nr_mods; i++)
		if (!p->mods[i].obj) {	/* a relink read only its own slot's file */
			pr_err("%s: slot %zu: a new rootlet would be needed; nothing changed",
			       p->ifname, i);
			return -EINVAL;
		}
	err = build_rootlet(p);
	if (err)
		return err;
	if (p->plan->backend == ROOTLET_STATIC) {
		err = link_pipeline(p);
		if (!err)
			err = load_static(p, prev);
	} else {
		err = pipeline_slots_load(p, prev);
	}
	if (!err)
		err = pipeline_new_pins(p, &pins, &nr);	/* refuses clashing pin names */
	/* freplace: the new rootlet runs its modules only while their links
	 * live; pinned before the attach, a crash cannot leave it empty. */
	if (!err)
		err = pipeline_stage_links(p->ifname, pins, nr, true);
	if (!err)
		err = nic_attach(p->ifindex, p->ifname, p->prog_fd, p->mode,
				 prev->ours ? prev->prog_fd : -1, force, &used);
	if (err) {
		pipeline_stage_links(p->ifname, pins, nr, false);
		goto out;
	}
	plan_now(p->plan->time);
	err = pipeline_commit(p, used, prev, pins, nr);
	if (!err)
		pr_info("%s: pipeline of %zu modules %s in %s mode, %s backend (program id %u)",
			p->ifname, p->nr_mods, done,
			nic_mode_name(used), rootlet_backend_name(p->plan->backend), p->prog_id);
out:
	free(pins);
	return err;
}

/* An unchanged pipeline the manifest takes over (or hands back): only the
 * record's owner changes. */
static int adopt(struct plan *cur, const struct plan *want)
{
	int err;

	if (cur->managed == want->managed && !strcmp(cur->pipeline, want->pipeline) &&
	    plan_naming_same(cur, want, NULL))
		return 0;
	cur->managed = want->managed;
	memcpy(cur->pipeline, want->pipeline, sizeof(cur->pipeline));
	err = plan_naming_adopt(cur, want);
	return err ? err : pipeline_record_plan(want->ifname, cur);
}

/* --dry-run: what apply would do, one line per change. */
static void print_plan(const struct pipeline *p, const struct pipeline_prev *prev,
		       const struct plan_diff *d, bool force)
{
	const struct plan *w = p->plan;

	if (!prev->ours) {
		printf("%s: attach %zu modules (%s backend)%s\n", w->ifname, w->nr_slots,
		       rootlet_backend_name(w->backend),
		       !prev->prog_id ? "" : force ? ", replacing a program xdpld did not attach" :
		       ", refused: a program xdpld did not attach runs there (--force)");
		return;
	}
	if (d->layout_changed) {
		printf("%s: new rootlet, swapped in atomically: %s\n", w->ifname, d->why);
		return;
	}
	if (!d->nr_code) {
		printf("%s: unchanged (rootlet program id %u)\n", w->ifname, prev->prog_id);
		return;
	}
	for (size_t i = 0; i < d->nr_slots; i++)
		if (d->change[i] == PLAN_SLOT_CODE)
			printf("%s: relink slot %zu (%s): %s%s%s\n", w->ifname, i, w->slots[i].label,
			       w->slots[i].path, w->slots[i].prog ? ":" : "",
			       w->slots[i].prog ? w->slots[i].prog : "");
}

/* Prepare: load and verify what the change would load, change nothing. */
static int prepare(struct pipeline *p, const struct pipeline_prev *prev,
		   const struct plan_diff *d)
{
	int err = 0;

	if (d->layout_changed) {
		struct pipeline_pin *pins = NULL;
		size_t nr = 0;

		err = build_rootlet(p);
		if (!err && p->plan->backend == ROOTLET_STATIC) {
			err = link_pipeline(p);
			if (!err)
				err = load_static(p, prev);
		} else if (!err) {
			err = pipeline_slots_load(p, prev);
		}
		if (!err)
			err = pipeline_new_pins(p, &pins, &nr);	/* pin names that clash */
		free(pins);
		return err;
	}
	for (size_t i = 0; !err && i < d->nr_slots; i++)
		if (d->change[i] == PLAN_SLOT_CODE)
			err = pipeline_slot_prepare(p, prev, i);
	return err;
}

int pipeline_apply(struct plan *want, const struct pipeline_apply_opts *o)
{
	struct pipeline p = { .plan = want, .ifname = want->ifname, .counters = want->counters,
			      .mode = want->mode, .prog_fd = -1, .strict_slot = o->relink_slot,
			      .strict_maps = o->strict_maps || o->relink_slot >= 0,
			      .reset_state = o->reset_state, .prepare = o->prepare || o->dry_run,
			      .prepared = o->prepared };
	const char *verb = o->restore_record ? "restore" : o->relink_slot >= 0 ? "relink" :
			   o->idempotent ? "apply" : "attach";
	bool no_nic = false;
	struct pipeline_prev prev;
	struct plan_diff d;
	struct nic_xdp cur;
	int err, lock = -1;

	memset(&prev, 0, sizeof(prev));
	prev.prog_fd = -1;
	/* check verifies the pipeline of a NIC that is not there yet too */
	err = want->ifindex ? want->ifindex : nic_ifindex(want->ifname, o->prepare);
	if (err < 0)
		return err;
	no_nic = !err;
	p.ifindex = want->ifindex = err;
	err = p.mode == NIC_MODE_HW && !no_nic ? check_offload(&p) : 0;
	/* relink and restore run the recorded backend on the kernel it runs on */
	if (!err && o->relink_slot < 0 && !o->restore_record)
		err = resolve_backend(want);
	if (!err)
		err = open_modules(&p, o->restore_record || o->relink_slot >= 0 || o->prepared);
	if (err)
		goto out;
	/* From reading what is there to recording what we put there, no other
	 * xdpld may change this state (it would see a half-done swap). */
	lock = no_nic ? -1 : state_lock();
	if (lock < 0 && !no_nic) {
		err = lock;
		goto out;
	}
	err = no_nic ? 0 : pipeline_prev_save(p.ifindex, want->ifname, &prev);
	if (!err && o->restore_record)
		err = check_restore(o, want, &prev);
	if (err)
		goto out;
	if (o->restore_record && prev.ours) {
		pr_info("restore %s: the recorded pipeline runs already (program id %u)",
			want->ifname, prev.prog_id);
		goto out;
	}
	if (o->relink_slot >= 0 && !prev.ours) {
		pr_err("relink %s: the recorded pipeline is not the program attached (see xdpld "
		       "status); nothing changed", want->ifname);
		err = -ESTALE;
		goto out;
	}
	if (prev.ours) {
		err = nic_query(p.ifindex, want->ifname, &cur);
		if (!err)
			err = check_mode(want->ifname, want->mode, &cur);
		if (err)
			goto out;
	}
	plan_diff(prev.ours ? &prev.plan : NULL, want, &d);
	for (size_t i = 0; prev.ours && i < p.nr_mods; i++)
		p.mods[i].code_changed = d.change[i] & PLAN_SLOT_CODE;
	if (prev.ours)
		carry_over(want, &prev.plan, &d);
	if (o->relink_slot >= 0)
		err = check_relink(want, &d, o->relink_slot);
	if (err)
		goto out;
	/* static: a re-attach re-links (counters and global data start anew);
	 * apply leaves an unchanged pipeline alone. */
	if (!d.layout_changed && want->backend == ROOTLET_STATIC && (d.nr_code || !o->idempotent))
		layout_static(&d);
	if (prev.ours && !d.layout_changed && d.nr_code)
		err = pipeline_slots_jit_check(want->ifname, &prev, want->backend);
	if (err)
		goto out;
	if (o->prepare && !prev.ours && prev.prog_id && !o->force) {
		char desc[64];

		nic_prog_describe(prev.prog_id, desc, sizeof(desc));
		pr_err("%s: runs XDP program %s, which xdpld did not attach; not replacing it "
		       "without --force", want->ifname, desc);
		err = -EEXIST;
	} else if (o->dry_run) {
		print_plan(&p, &prev, &d, o->force);
	} else if (o->prepare) {
		err = prepare(&p, &prev, &d);
	} else if (d.layout_changed) {
		err = build_and_attach(&p, &prev, o->force,
				       o->restore_record ? "restored" : o->relink_slot >= 0 ?
				       "re-linked (new rootlet)" : "attached");
	} else if (!d.nr_code) {
		pr_info("%s %s: nothing to change (rootlet program id %u)", verb, want->ifname,
			prev.prog_id);
		err = adopt(&prev.plan, want);
	} else {
		err = pipeline_slots_swap(&p, &prev, &d);
	}
out:
	state_unlock(lock);
	pipeline_prev_free(&prev);
	pipeline_free(&p);
	return err;
}

int pipeline_attach(const struct plan_args *args, bool force)
{
	struct pipeline_apply_opts o = { .force = force, .relink_slot = -1 };
	struct plan want;
	int err = plan_from_args(args, &want);

	if (err)
		return err;
	err = pipeline_apply(&want, &o);
	plan_free(&want);
	return err;
}

/* SLOT of relink: index or module name. */
static int relink_slot(const struct plan *pl, const char *slot)
{
	uint32_t n;
	int hit = -1;

	if (!plan_parse_u32(slot, &n))
		return n < pl->nr_slots ? (int)n : -ERANGE;
	for (size_t i = 0; i < pl->nr_slots; i++)
		if (!strcmp(pl->slots[i].label, slot))
			hit = (int)i;
	return hit >= 0 ? hit : -ENOENT;
}

int pipeline_relink(const char *ifname, const char *slot, const char *obj, bool reset_state,
		    const struct plan_naming_args *naming)
{
	struct pipeline_apply_opts o = { .relink_slot = -1, .reset_state = reset_state };
	struct plan want, cur_plan;
	struct plan_slot *s, repl = { 0 };
	char *rec = NULL, where[4200];
	int err, i;

	plan_init(&want);
	err = state_record_read(ifname, &rec);
	if (err == -ENOENT)
		pr_err("relink %s: no pipeline recorded in %s (xdpld attach first)", ifname,
		       state_root());
	if (err)
		return err;
	if (state_dir(ifname, where, sizeof(where) - 8) >= 0)
		strcat(where, "/" STATE_RECORD_NAME);
	err = plan_record_parse(ifname, where, rec, &cur_plan);
	free(rec);
	if (err)
		return err;
	pipeline_slots_settle(ifname, &cur_plan, false);
	i = relink_slot(&cur_plan, slot);
	if (i < 0) {
		pr_err("relink %s: no slot '%s' (slots 0..%zu or a module name)", ifname, slot,
		       cur_plan.nr_slots - 1);
		err = -EINVAL;
		goto out;
	}
	err = plan_slot_from_arg(obj, &repl);
	if (err)
		goto out;
	/* The slot keeps its module name: its map pins (and so its state) are
	 * found by it, whatever the new file is called. */
	s = &cur_plan.slots[i];
	free(s->path);
	free(s->prog);
	s->path = repl.path;
	s->prog = repl.prog;
	repl.path = repl.prog = NULL;
	plan_slot_free(&repl);
	s->sha256[0] = '\0';
	err = naming ? plan_apply_naming(&cur_plan, naming, s->label) : 0;
	if (err)
		goto out;
	/* What runs now becomes the wanted plan, with slot i replaced. */
	want = cur_plan;
	plan_init(&cur_plan);
	plan_maps_free(want.maps, want.nr_maps);
	plan_maps_free(want.pending_maps, want.nr_pending_maps);
	want.maps = want.pending_maps = NULL;
	want.nr_maps = want.nr_pending_maps = 0;
	plan_slot_free(&want.pending);
	want.has_pending = false;
	o.relink_slot = i;
	err = pipeline_apply(&want, &o);
out:
	plan_free(&cur_plan);
	plan_free(&want);
	return err;
}
