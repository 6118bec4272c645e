/* The plan: building one from arguments, and the diff (see plan.h).  The
 * record side is in plan_record.c. */
#include "plan.h"

#include "base/esc.h"
#include "base/log.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

void plan_init(struct plan *p)
{
	memset(p, 0, sizeof(*p));
	p->mode = NIC_MODE_AUTO;
	p->backend = ROOTLET_STATIC;
	p->counters = true;
}

void plan_slot_free(struct plan_slot *s)
{
	free(s->path);
	free(s->label);
	free(s->prog);
	free(s->prefix);
	free(s->type);
	free(s->origin);
	memset(s, 0, sizeof(*s));
}

void plan_maps_free(struct plan_map *maps, size_t nr)
{
	for (size_t i = 0; i < nr; i++) {
		free(maps[i].name);
		free(maps[i].module);
	}
	free(maps);
}

int plan_replace_module_maps(struct plan *pl, const char *label, struct plan_map *maps,
			     size_t nr)
{
	struct plan_map *all = calloc(pl->nr_maps + nr + 1, sizeof(*all));
	size_t n = 0;

	if (!all)
		return -ENOMEM;
	for (size_t i = 0; i < pl->nr_maps; i++) {
		if (pl->maps[i].module && !strcmp(pl->maps[i].module, label)) {
			free(pl->maps[i].name);
			free(pl->maps[i].module);
			continue;
		}
		all[n++] = pl->maps[i];
	}
	if (nr)
		memcpy(all + n, maps, nr * sizeof(*maps));
	free(pl->maps);
	free(maps);
	pl->maps = all;
	pl->nr_maps = n + nr;
	return 0;
}

void plan_free(struct plan *p)
{
	for (size_t i = 0; i < p->nr_slots; i++)
		plan_slot_free(&p->slots[i]);
	free(p->slots);
	plan_renames_free(p->renames, p->nr_renames);
	plan_maps_free(p->maps, p->nr_maps);
	plan_maps_free(p->pending_maps, p->nr_pending_maps);
	plan_slot_free(&p->pending);
	plan_init(p);
}

const struct plan_slot *plan_slot_by_label(const struct plan *p, const char *label)
{
	for (size_t i = 0; i < p->nr_slots; i++)
		if (p->slots[i].label && label && !strcmp(p->slots[i].label, label))
			return &p->slots[i];
	return NULL;
}

int plan_slot_copy(struct plan_slot *dst, const struct plan_slot *src)
{
	*dst = *src;
	dst->path = src->path ? strdup(src->path) : NULL;
	dst->label = src->label ? strdup(src->label) : NULL;
	dst->prog = src->prog ? strdup(src->prog) : NULL;
	dst->prefix = src->prefix ? strdup(src->prefix) : NULL;
	dst->type = src->type ? strdup(src->type) : NULL;
	dst->origin = src->origin ? strdup(src->origin) : NULL;
	if ((src->path && !dst->path) || (src->label && !dst->label) ||
	    (src->prog && !dst->prog) || (src->prefix && !dst->prefix) ||
	    (src->type && !dst->type) || (src->origin && !dst->origin)) {
		plan_slot_free(dst);
		return -ENOMEM;
	}
	return 0;
}

int plan_parse_u32(const char *s, uint32_t *v)
{
	unsigned long long n = 0;

	if (!*s || strlen(s) > 10)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		n = n * 10 + (unsigned)(*s - '0');
	}
	if (n > UINT32_MAX)
		return -EINVAL;
	*v = (uint32_t)n;
	return 0;
}

void plan_mask_str(uint32_t mask, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (uint32_t a = 0; a < ROOTLET_NR_ACTIONS; a++)
		if (mask & (1u << a) && used < len)
			used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? "," : "",
						 rootlet_bucket_name(a));
	if (!used)
		snprintf(buf, len, "none");
}

const char *plan_mask_from_name(enum plan_mask_from f)
{
	switch (f) {
	case PLAN_MASK_DEFAULT: return "default";
	case PLAN_MASK_RUNCFG: return "run-config";
	case PLAN_MASK_OPTION: return "option";
	default: return "unset";
	}
}

void plan_now(char out[PLAN_TIME_LEN])
{
	time_t now = time(NULL);
	struct tm tm;
	char buf[80];

	/* Not strftime: it would pull the time zone code into the static binary. */
	if (!gmtime_r(&now, &tm))
		memset(&tm, 0, sizeof(tm));
	snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	memcpy(out, buf, PLAN_TIME_LEN - 1);
	out[PLAN_TIME_LEN - 1] = '\0';
}

static bool printable(const char *s)
{
	for (; *s; s++)
		if (*s < 0x20 || *s > 0x7e)
			return false;
	return true;
}

int plan_slot_set(struct plan_slot *s, const char *path, const char *prog, const char *label)
{
	char resolved[PATH_MAX], e_path[256];
	const char *base;
	size_t n;

	if (!realpath(path, resolved)) {
		int err = -errno;

		pr_err("module %s: %s", esc_str(e_path, sizeof(e_path), path), strerror(-err));
		return err;
	}
	if (!printable(resolved)) {
		pr_err("module %s: path has non-printable characters",
		       esc_str(e_path, sizeof(e_path), path));
		return -EINVAL;
	}
	base = strrchr(resolved, '/') + 1;
	n = strlen(base);
	if (n > 2 && !strcmp(base + n - 2, ".o"))
		n -= 2;
	s->path = strdup(resolved);
	s->label = label ? strdup(label) : strndup(base, n);
	s->prog = prog ? strdup(prog) : NULL;
	if (!s->path || !s->label || (prog && !s->prog)) {
		plan_slot_free(s);
		return -ENOMEM;
	}
	return 0;
}

int plan_slot_from_arg(const char *arg, struct plan_slot *s)
{
	const char *colon = strrchr(arg, ':'), *prog = NULL;
	char *file;
	struct stat st;
	int err;

	if (colon && stat(arg, &st) < 0 && colon[1] && !strchr(colon, '/')) {
		file = strndup(arg, (size_t)(colon - arg));
		prog = colon + 1;
	} else {
		file = strdup(arg);
	}
	if (!file)
		return -ENOMEM;
	err = plan_slot_set(s, file, prog, NULL);
	free(file);
	return err;
}

#define PLAN_LABEL_MAX 63	/* a pin name is at most 64 bytes */

/* A module name given as NAME=OBJ[:PROG]: letters, digits, '_' and '-',
 * not starting with a digit or '-' (it names the module's map pins). */
static bool module_name_ok(const char *s, size_t n)
{
	if (!n || n > PLAN_LABEL_MAX || (s[0] >= '0' && s[0] <= '9') || s[0] == '-')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '-'))
			return false;
	return true;
}

/* attach's module argument, [NAME=]OBJ[:PROG]: without NAME the module is
 * named after its file.  A file named like the whole argument wins. */
static int slot_from_module_arg(const char *arg, struct plan_slot *s)
{
	const char *eq = strchr(arg, '=');
	struct stat st;
	char *label;
	int err;

	if (!eq || stat(arg, &st) == 0 || memchr(arg, '/', (size_t)(eq - arg)))
		return plan_slot_from_arg(arg, s);
	if (!module_name_ok(arg, (size_t)(eq - arg))) {
		char e_arg[256], name[PLAN_LABEL_MAX + 2], e_name[sizeof(e_arg)];

		snprintf(name, sizeof(name), "%.*s", (int)(eq - arg), arg);
		pr_err("module '%s': bad module name '%s' (NAME=OBJ[:PROG], NAME of at most %d "
		       "letters, digits, '_' and '-', not starting with a digit or '-')",
		       esc_str(e_arg, sizeof(e_arg), arg), esc_str(e_name, sizeof(e_name), name),
		       PLAN_LABEL_MAX);
		return -EINVAL;
	}
	label = strndup(arg, (size_t)(eq - arg));
	if (!label)
		return -ENOMEM;
	err = plan_slot_from_arg(eq + 1, s);
	if (!err) {
		free(s->label);
		s->label = label;
		label = NULL;
	}
	free(label);
	return err;
}

/* SLOT of --continue-on: index, module name (with or without .o) or "all". */
static int continue_slot(const struct plan *p, const char *slot, size_t *idx)
{
	uint32_t n;
	size_t hits = 0;

	if (!plan_parse_u32(slot, &n)) {
		*idx = n;
		return n < p->nr_slots ? 0 : -ERANGE;
	}
	for (size_t i = 0; i < p->nr_slots; i++) {
		const char *base = strrchr(p->slots[i].path, '/') + 1;

		if (!strcmp(slot, p->slots[i].label) || !strcmp(slot, base)) {
			*idx = i;
			hits++;
		}
	}
	return hits == 1 ? 0 : hits ? -EEXIST : -ENOENT;
}

int plan_apply_continue(struct plan *p, const char *arg)
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
		for (size_t i = 0; i < p->nr_slots; i++) {
			p->slots[i].continue_mask = mask;
			p->slots[i].mask_from = PLAN_MASK_OPTION;
		}
		return 0;
	}
	err = continue_slot(p, slot, &idx);
	if (err) {
		pr_err("--continue-on '%s': %s slot '%s' (slots 0..%zu or a module name)", arg,
		       err == -EEXIST ? "ambiguous" : "no", slot, p->nr_slots - 1);
		return -EINVAL;
	}
	p->slots[idx].continue_mask = mask;
	p->slots[idx].mask_from = PLAN_MASK_OPTION;
	return 0;
}

/* The same file twice, or two modules with one name, cannot share a
 * pipeline: the label names the module's map pins (kept maps are found by
 * it).  Two files of one name (vendors' xdp_prog_kern.o) are named apart
 * with NAME=OBJ. */
static int check_unique(const struct plan *p, size_t i)
{
	const struct plan_slot *m = &p->slots[i];

	for (size_t j = 0; j < i; j++) {
		if (!strcmp(p->slots[j].path, m->path)) {
			pr_err("%s is given twice (slots %zu and %zu): each object can be in a "
			       "pipeline once", m->path, j, i);
			return -EINVAL;
		}
		if (!strcmp(p->slots[j].label, m->label)) {
			pr_err("attach %s: modules %s (slot %zu) and %s (slot %zu) are both named "
			       "'%s' (their map pins are named after the module); name them: "
			       "NAME=OBJ (e.g. %s2=%s)", p->ifname, p->slots[j].path, j, m->path, i,
			       m->label, m->label, m->path);
			return -EINVAL;
		}
	}
	return 0;
}

int plan_from_args(const struct plan_args *a, struct plan *out)
{
	struct plan *p = out;
	int err;

	plan_init(p);
	if (!a->ifname || !*a->ifname || strlen(a->ifname) >= sizeof(p->ifname)) {
		pr_err("attach: bad interface name '%s'", a->ifname ? a->ifname : "");
		return -EINVAL;
	}
	snprintf(p->ifname, sizeof(p->ifname), "%s", a->ifname);
	p->mode = a->mode;
	p->counters = a->counters;
	p->no_flatten = a->no_flatten;
	p->backend_auto = !a->backend || !strcmp(a->backend, "auto");
	if (!p->backend_auto && rootlet_backend_parse(a->backend, &p->backend)) {
		pr_err("attach %s: unknown backend '%s' (static, tailcall, freplace, chain, auto)",
		       a->ifname, a->backend);
		return -EINVAL;
	}
	if (!a->nr_modules || a->nr_modules > ROOTLET_MAX_SLOTS) {
		pr_err("attach %s: between 1 and %u modules, not %zu", a->ifname,
		       ROOTLET_MAX_SLOTS, a->nr_modules);
		return -EINVAL;
	}
	if (!p->backend_auto && p->backend == ROOTLET_CHAIN &&
	    a->nr_modules > ROOTLET_CHAIN_MAX_SLOTS) {
		pr_err("attach %s: the chain backend takes at most %u modules, not %zu: each "
		       "slot is a tail call and the kernel allows %u per packet", a->ifname,
		       ROOTLET_CHAIN_MAX_SLOTS, a->nr_modules, ROOTLET_CHAIN_MAX_SLOTS + 1);
		return -EINVAL;
	}
	p->slots = calloc(a->nr_modules, sizeof(*p->slots));
	if (!p->slots)
		return -ENOMEM;
	for (size_t i = 0; i < a->nr_modules; i++) {
		p->nr_slots++;
		err = slot_from_module_arg(a->modules[i], &p->slots[i]);
		if (!err)
			err = check_unique(p, i);
		if (err)
			goto fail;
	}
	for (size_t i = 0; i < a->nr_continue_on; i++) {
		err = plan_apply_continue(p, a->continue_on[i]);
		if (err)
			goto fail;
	}
	err = plan_apply_naming(p, &a->naming, NULL);
	if (err)
		goto fail;
	return 0;
fail:
	plan_free(p);
	return err;
}

static bool same_str(const char *a, const char *b)
{
	return a && b ? !strcmp(a, b) : a == b;
}

static void layout(struct plan_diff *d, const char *why)
{
	if (!d->layout_changed)
		d->why = why;
	d->layout_changed = true;
}

void plan_diff(const struct plan *old, const struct plan *want, struct plan_diff *d)
{
	memset(d, 0, sizeof(*d));
	d->nr_slots = want->nr_slots;
	if (!old) {
		layout(d, "nothing runs yet");
		for (size_t i = 0; i < want->nr_slots && i < ROOTLET_MAX_SLOTS; i++)
			d->change[i] = PLAN_SLOT_ADDED;
		return;
	}
	if (old->nr_slots > d->nr_slots)
		d->nr_slots = old->nr_slots;
	if (d->nr_slots > ROOTLET_MAX_SLOTS)
		d->nr_slots = ROOTLET_MAX_SLOTS;
	for (size_t i = 0; i < d->nr_slots; i++) {
		const struct plan_slot *a = i < old->nr_slots ? &old->slots[i] : NULL;
		const struct plan_slot *b = i < want->nr_slots ? &want->slots[i] : NULL;

		if (!a || !b) {
			d->change[i] = a ? PLAN_SLOT_REMOVED : PLAN_SLOT_ADDED;
			continue;
		}
		if (!same_str(a->path, b->path) || !same_str(a->label, b->label) ||
		    !same_str(a->prog, b->prog) || strcmp(a->sha256, b->sha256) ||
		    !same_str(a->prefix, b->prefix) || !same_str(a->type, b->type) ||
		    !plan_naming_same(old, want, b->label))
			d->change[i] |= PLAN_SLOT_CODE;
		/* Another module in the slot (a new order, or a module renamed):
		 * swapping slot by slot would run some module twice and another
		 * not at all in between, and its maps belong to another name. */
		if (!same_str(a->label, b->label))
			layout(d, "the slot order or a slot's module changes");
		if (a->continue_mask != b->continue_mask)
			d->change[i] |= PLAN_SLOT_MASK;
	}
	if (old->nr_slots != want->nr_slots)
		layout(d, "the number of slots changes");
	if (old->backend != want->backend)
		layout(d, "the backend changes");
	if (old->mode != want->mode && want->mode != NIC_MODE_AUTO)
		layout(d, "the mode changes");
	if (old->counters != want->counters)
		layout(d, "counters are switched");
	if (old->no_flatten != want->no_flatten &&
	    (want->backend == ROOTLET_STATIC || want->backend == ROOTLET_CHAIN))
		layout(d, "flattening is switched");
	for (size_t i = 0; i < d->nr_slots; i++) {
		if (d->change[i] & PLAN_SLOT_MASK)
			layout(d, "a continue mask changes (masks are rootlet constants)");
		if (d->change[i] == PLAN_SLOT_CODE)
			d->nr_code++;
	}
	if (want->backend == ROOTLET_STATIC && d->nr_code)
		layout(d, "the static backend links every module into the rootlet");
	/* Unqualified rules and --no-rename matter to the static link only
	 * (the record takes them in any case). */
	if (want->backend == ROOTLET_STATIC && !plan_naming_same(old, want, NULL))
		layout(d, "the naming rules change");
}
