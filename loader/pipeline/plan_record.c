/* The plan as the bpffs record (keys: docs/pipeline.md, "The record"): the
 * only writer and the only reader.  The record is untrusted: every value
 * is checked; a bad map entry only costs that map (skipped, with a
 * warning), anything else makes the record malformed. */
#include "plan.h"

#include "base/log.h"
#include "kernel/prog_type.h"
#include "state.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ROOTLET_PIN "rootlet"	/* pipeline.h's PIPELINE_PROG_PIN */
#ifndef ROOTLET_NR_TARGETS
#define ROOTLET_NR_TARGETS 2
#endif

static void put_slot(FILE *f, const char *pfx, const struct plan_slot *s)
{
	char mask[64];

	plan_mask_str(s->continue_mask, mask, sizeof(mask));
	fprintf(f, "%s.module=%s\n%s.path=%s\n%s.sha256=%s\n%s.prog=%s\n%s.continue=%s\n"
		"%s.continue_from=%s\n%s.prog_id=%u\n%s.target=%u\n%s.relinks=%u\n"
		"%s.relinked=%s\n", pfx, s->label, pfx, s->path, pfx, s->sha256, pfx,
		s->prog ? s->prog : "", pfx, mask, pfx, plan_mask_from_name(s->mask_from), pfx,
		s->prog_id, pfx, s->target, pfx, s->relinks, pfx, s->relinked);
	if (s->prefix)
		fprintf(f, "%s.prefix=%s\n", pfx, s->prefix);
	if (s->type)
		fprintf(f, "%s.type=%s\n", pfx, s->type);
}

static void put_maps(FILE *f, const char *pfx, const struct plan_map *maps, size_t nr)
{
	fprintf(f, "%smaps=%zu\n", pfx, nr);
	for (size_t i = 0; i < nr; i++)
		fprintf(f, "%smap.%zu.name=%s\n%smap.%zu.pin=%s\n%smap.%zu.id=%u\n"
			"%smap.%zu.module=%s\n", pfx, i, maps[i].name, pfx, i, maps[i].pin, pfx, i,
			maps[i].id, pfx, i, maps[i].module ? maps[i].module : "");
}

int plan_record_format(const struct plan *p, char **text)
{
	char pfx[32];
	size_t len = 0;
	FILE *f = open_memstream(text, &len);

	if (!f)
		return -ENOMEM;
	fprintf(f, "format=%s\niface=%s\nbackend=%s\nmode=%s\nprog=%s\nprog_id=%u\n"
		"counters=%d\ntime=%s\nslots=%zu\n", PLAN_RECORD_FORMAT, p->ifname,
		rootlet_backend_name(p->backend), nic_mode_name(p->mode), ROOTLET_ENTRY_NAME,
		p->prog_id, p->counters, p->time, p->nr_slots);
	if (p->managed)
		fprintf(f, "managed=1\npipeline=%s\n", p->pipeline);
	if (p->no_rename)
		fprintf(f, "no_rename=1\n");
	if (p->no_flatten)
		fprintf(f, "no_flatten=1\n");
	if (p->nr_renames)
		fprintf(f, "renames=%zu\n", p->nr_renames);
	for (size_t i = 0; i < p->nr_renames; i++)
		fprintf(f, "rename.%zu.module=%s\nrename.%zu.old=%s\nrename.%zu.new=%s\n", i,
			p->renames[i].module ? p->renames[i].module : "", i,
			p->renames[i].old_name, i, p->renames[i].new_name);
	for (size_t i = 0; i < p->nr_slots; i++) {
		snprintf(pfx, sizeof(pfx), "slot.%zu", i);
		put_slot(f, pfx, &p->slots[i]);
	}
	if (p->has_pending) {
		fprintf(f, "pending.slot=%u\n", p->pending_index);
		put_slot(f, "pending", &p->pending);
	}
	if (p->has_pending)
		put_maps(f, "pending.", p->pending_maps, p->nr_pending_maps);
	put_maps(f, "", p->maps, p->nr_maps);
	if (fclose(f)) {
		free(*text);
		*text = NULL;
		return -ENOMEM;
	}
	return 0;
}

struct reader {
	const char *ifname, *where, *text;
	char key[64];
};

/* Value of key (printf-style) into buf; -ENOENT absent, -ENOSPC too long. */
static int get(struct reader *r, char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int get(struct reader *r, char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->key, sizeof(r->key), fmt, ap);
	va_end(ap);
	return state_record_get(r->text, r->key, buf, len);
}

static int bad(struct reader *r, const char *what)
{
	pr_err("%s: malformed record %s: %s %s", r->ifname, r->where, r->key, what);
	return -EINVAL;
}

static int get_u32(struct reader *r, uint32_t *v, uint32_t max, bool optional,
		   const char *fmt, const char *pfx)
{
	char val[16];
	int err = get(r, val, sizeof(val), fmt, pfx);

	if (err == -ENOENT && optional) {
		*v = 0;
		return 0;
	}
	if (err || plan_parse_u32(val, v) || *v > max)
		return bad(r, err == -ENOENT ? "is missing" : "is not a valid number");
	return 0;
}

static bool is_sha256_hex(const char *s)
{
	size_t n = 0;

	for (; s[n]; n++)
		if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f')))
			return false;
	return n == SHA256_HEX_LEN - 1;
}

static int get_str(struct reader *r, char **out, size_t max, const char *fmt, const char *pfx)
{
	char *val = malloc(max);
	int err;

	if (!val)
		return -ENOMEM;
	err = get(r, val, max, fmt, pfx);
	if (err) {
		free(val);
		return bad(r, err == -ENOENT ? "is missing" : "is too long");
	}
	*out = val;
	return 0;
}

/* An optional name (a rename rule's part, a prefix): NULL when absent. */
static int get_opt_name(struct reader *r, char **out, bool allow_dot, const char *fmt,
			const char *pfx)
{
	char val[136];
	int err = get(r, val, sizeof(val), fmt, pfx);

	if (err == -ENOENT)
		return 0;
	if (err || !plan_name_ok(val, allow_dot))
		return bad(r, "is not a name");
	*out = strdup(val);
	return *out ? 0 : -ENOMEM;
}

static int get_opt_type(struct reader *r, char **out, const char *fmt, const char *pfx)
{
	char val[40];
	int err = get(r, val, sizeof(val), fmt, pfx);

	if (err == -ENOENT)
		return 0;
	if (err || prog_type_check(r->where, val))
		return bad(r, "is not a program type");
	*out = strdup(val);
	return *out ? 0 : -ENOMEM;
}

/* One slot's keys under pfx ("slot.3" or "pending"); v1: no runtime keys. */
static int read_slot(struct reader *r, const char *pfx, bool v1, struct plan_slot *s)
{
	char val[80];
	int err;

	err = get_str(r, &s->path, 4096, "%s.path", pfx);
	if (!err && s->path[0] != '/')
		err = bad(r, "is not an absolute path");
	if (!err)
		err = get_str(r, &s->label, 256, "%s.module", pfx);
	if (!err && (!s->label[0] || strchr(s->label, '/')))
		err = bad(r, "is not a module name");
	if (!err)
		err = get_str(r, &s->prog, 256, "%s.prog", pfx);
	if (!err && (!s->prog[0] || strchr(s->prog, ':') || strchr(s->prog, '/')))
		err = bad(r, "is not a program name");
	if (err)
		return err;
	if (get(r, s->sha256, sizeof(s->sha256), "%s.sha256", pfx) || !is_sha256_hex(s->sha256))
		return bad(r, "is not a SHA-256");
	if (get(r, val, sizeof(val), "%s.continue", pfx) ||
	    rootlet_actions_parse(val, &s->continue_mask))
		return bad(r, "is not a list of actions");
	if (get(r, val, sizeof(val), "%s.continue_from", pfx))
		return bad(r, "is missing");
	if (!strcmp(val, "option"))
		s->mask_from = PLAN_MASK_OPTION;
	else if (!strcmp(val, "run-config"))
		s->mask_from = PLAN_MASK_RUNCFG;
	else if (!strcmp(val, "default"))
		s->mask_from = PLAN_MASK_DEFAULT;
	else
		return bad(r, "is not option, run-config or default");
	err = get_u32(r, &s->prog_id, UINT32_MAX, v1, "%s.prog_id", pfx);
	if (!err)
		err = get_u32(r, &s->target, ROOTLET_NR_TARGETS - 1, v1, "%s.target", pfx);
	if (!err)
		err = get_u32(r, &s->relinks, UINT32_MAX, v1, "%s.relinks", pfx);
	if (err)
		return err;
	err = get(r, s->relinked, sizeof(s->relinked), "%s.relinked", pfx);
	if (err == -ENOENT && v1)
		err = 0;
	if (err)
		return bad(r, "is missing or too long");
	err = get_opt_name(r, &s->prefix, false, "%s.prefix", pfx);
	if (!err)
		err = get_opt_type(r, &s->type, "%s.type", pfx);
	return err;
}

/* The naming rules: renames=N, rename.<k>.module (empty: every module),
 * .old, .new; no_rename=1. */
static int read_renames(struct reader *r, struct plan *p)
{
	char val[136];
	uint32_t n;
	int err;

	p->no_rename = !get(r, val, sizeof(val), "no_rename") && !strcmp(val, "1");
	if (get(r, val, sizeof(val), "renames") == -ENOENT)
		return 0;
	err = get_u32(r, &n, PLAN_MAX_MAPS, false, "renames", "");
	if (err)
		return err;
	p->renames = calloc(n ? n : 1, sizeof(*p->renames));
	if (!p->renames)
		return -ENOMEM;
	for (uint32_t i = 0; i < n; i++) {
		struct plan_rename *x = &p->renames[p->nr_renames++];
		char pfx[24];
		bool known = false;

		snprintf(pfx, sizeof(pfx), "rename.%u", i);
		err = get_opt_name(r, &x->old_name, true, "%s.old", pfx);
		if (!err)
			err = get_opt_name(r, &x->new_name, false, "%s.new", pfx);
		if (!err && (!x->old_name || !x->new_name))
			err = bad(r, "is missing");
		if (!err && get(r, val, sizeof(val), "%s.module", pfx))
			err = bad(r, "is missing or too long");
		if (err)
			return err;
		for (size_t k = 0; k < p->nr_slots; k++)
			known |= !strcmp(p->slots[k].label, val);
		if (val[0] && !known)
			return bad(r, "is not a module of the pipeline");
		if (val[0] && !(x->module = strdup(val)))
			return -ENOMEM;
	}
	return 0;
}

static bool map_pin_taken(const struct plan_map *maps, size_t nr, const char *pin)
{
	for (size_t i = 0; i < nr; i++)
		if (!strcmp(maps[i].pin, pin))
			return true;
	return false;
}

/* The map list under pfx ("" or "pending."). A bad map entry is skipped:
 * it costs that map's contents, no more. */
static int read_maps(struct reader *r, const char *pfx, struct plan_map **out, size_t *nr_out)
{
	char val[80];
	uint32_t nr;

	if (get(r, val, sizeof(val), "%smaps", pfx) || plan_parse_u32(val, &nr) ||
	    nr > PLAN_MAX_MAPS) {
		if (!*pfx)
			pr_warn("%s: record %s has no valid maps count; keeping none of the "
				"previous maps", r->ifname, r->where);
		return 0;
	}
	*out = calloc(nr ? nr : 1, sizeof(**out));
	if (!*out)
		return -ENOMEM;
	for (uint32_t i = 0; i < nr; i++) {
		struct plan_map *m = &(*out)[*nr_out];
		int ret = get(r, m->pin, sizeof(m->pin), "%smap.%u.pin", pfx, i);

		if (ret) {
			pr_warn("%s: record %s: ignoring %smap.%u.pin: %s", r->ifname, r->where, pfx,
				i, ret == -ENOENT ? "missing" : "too long");
			continue;
		}
		if (!state_pin_name_ok(m->pin)) {
			pr_warn("%s: record %s: ignoring %smap.%u.pin '%s': not a valid pin name",
				r->ifname, r->where, pfx, i, m->pin);
			continue;
		}
		if (!strcmp(m->pin, STATE_RECORD_NAME) || !strcmp(m->pin, ROOTLET_PIN) ||
		    !strncmp(m->pin, "link-", 5) || map_pin_taken(*out, *nr_out, m->pin)) {
			pr_warn("%s: record %s: ignoring %smap.%u.pin '%s': the record, the "
				"rootlet, a link, or listed twice", r->ifname, r->where, pfx, i,
				m->pin);
			continue;
		}
		if (get(r, val, sizeof(val), "%smap.%u.id", pfx, i) || plan_parse_u32(val, &m->id))
			m->id = 0;
		if (get(r, val, sizeof(val), "%smap.%u.name", pfx, i))
			snprintf(val, sizeof(val), "?");
		m->name = strdup(val);
		if (!m->name)
			return -ENOMEM;
		++*nr_out;
		if (!get(r, val, sizeof(val), "%smap.%u.module", pfx, i) && val[0] &&
		    !(m->module = strdup(val)))
			return -ENOMEM;
	}
	return 0;
}

static int read_head(struct reader *r, struct plan *p, bool *v1)
{
	char val[80];
	uint32_t n, counters;
	int err;

	if (get(r, val, sizeof(val), "format") ||
	    (strcmp(val, PLAN_RECORD_FORMAT) && strcmp(val, PLAN_RECORD_FORMAT_V1)))
		return bad(r, "is not " PLAN_RECORD_FORMAT);
	*v1 = !strcmp(val, PLAN_RECORD_FORMAT_V1);
	if (get(r, val, sizeof(val), "backend") || rootlet_backend_parse(val, &p->backend) ||
	    (*v1 && p->backend != ROOTLET_STATIC))
		return bad(r, "is not a backend");
	if (get(r, val, sizeof(val), "mode") || nic_mode_parse(val, &p->mode) ||
	    p->mode == NIC_MODE_AUTO)
		return bad(r, "is not native, skb or hw");
	err = get_u32(r, &counters, 1, false, "counters", "");
	if (!err)
		err = get_u32(r, &p->prog_id, UINT32_MAX, false, "prog_id", "");
	if (!err)
		err = get_u32(r, &n, ROOTLET_MAX_SLOTS, false, "slots", "");
	if (err)
		return err;
	p->counters = counters;
	if (!n)
		return bad(r, "is zero");
	p->slots = calloc(n, sizeof(*p->slots));
	if (!p->slots)
		return -ENOMEM;
	if (get(r, p->time, sizeof(p->time), "time"))
		p->time[0] = '\0';
	if (!get(r, val, sizeof(val), "managed") && !strcmp(val, "1")) {
		p->managed = true;
		if (get(r, p->pipeline, sizeof(p->pipeline), "pipeline"))
			p->pipeline[0] = '\0';
	}
	p->no_flatten = !get(r, val, sizeof(val), "no_flatten") && !strcmp(val, "1");
	p->nr_slots = n;
	return 0;
}

int plan_record_parse(const char *ifname, const char *where, const char *text,
		      struct plan *out)
{
	struct reader r = { .ifname = ifname, .where = where, .text = text };
	char pfx[32];
	bool v1 = false;
	int err;

	plan_init(out);
	snprintf(out->ifname, sizeof(out->ifname), "%s", ifname);
	err = read_head(&r, out, &v1);
	for (size_t i = 0; !err && i < out->nr_slots; i++) {
		snprintf(pfx, sizeof(pfx), "slot.%zu", i);
		err = read_slot(&r, pfx, v1, &out->slots[i]);
	}
	if (!err && !v1 && !state_record_get(text, "pending.slot", pfx, sizeof(pfx))) {
		err = get_u32(&r, &out->pending_index, (uint32_t)out->nr_slots - 1, false,
			      "pending.slot", "");
		if (!err)
			err = read_slot(&r, "pending", false, &out->pending);
		out->has_pending = !err;
	}
	if (!err)
		err = read_renames(&r, out);
	if (!err && out->has_pending)
		err = read_maps(&r, "pending.", &out->pending_maps, &out->nr_pending_maps);
	if (!err)
		err = read_maps(&r, "", &out->maps, &out->nr_maps);
	if (err)
		plan_free(out);
	return err;
}
