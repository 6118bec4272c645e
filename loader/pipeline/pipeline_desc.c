/* How load errors name what failed: the module (its name and file) and its
 * program, not the names xdpld gives the programs it generates and links
 * (xdpld_rootlet, xdpld_slotN, xdpld_chainN). */
#include "pipeline_internal.h"

#include "kernel/load.h"
#include "link/rootlet.h"

#include <stdio.h>
#include <string.h>

void pipeline_module_desc(const struct pipeline *p, size_t i, char *buf, size_t size)
{
	const struct plan_slot *s = p->mods[i].s;

	snprintf(buf, size, "module %s (%s), program %s", s->label, s->path,
		 s->prog ? s->prog : "?");
}

/* "slot 0: module a (/x/a.o), program p; slot 1: ..." as far as it fits. */
static void all_modules(const struct pipeline *p, char *buf, size_t size)
{
	size_t n = strlen(buf);

	for (size_t i = 0; i < p->nr_mods && n + 1 < size; i++) {
		char one[384];

		pipeline_module_desc(p, i, one, sizeof(one));
		snprintf(buf + n, size - n, "%sslot %zu: %s", i ? "; " : "", i, one);
		n = strlen(buf);
	}
}

static bool slot_of(const char *prog, const char *prefix, size_t nr, size_t *slot)
{
	char want[48];

	for (size_t i = 0; i < nr; i++) {
		snprintf(want, sizeof(want), "%s%zu", prefix, i);
		if (!strcmp(prog, want)) {
			*slot = i;
			return true;
		}
	}
	return false;
}

static bool desc(void *ctx, const char *prog, char *buf, size_t size)
{
	const struct pipeline_desc *d = ctx;
	const struct pipeline *p = d->p;
	size_t i;
	char mod[384];

	if (d->slot >= 0) {	/* one module, alone or linked into its chain program */
		pipeline_module_desc(p, (size_t)d->slot, mod, sizeof(mod));
		if (!strcmp(prog, p->mods[d->slot].s->prog))
			snprintf(buf, size, "%s", mod);
		else if (!strncmp(prog, "xdpld_", 6))
			snprintf(buf, size, "%s (slot %d, linked into its chain program as %s)", mod,
				 d->slot, prog);
		else
			snprintf(buf, size, "module %s (%s), program %s", p->mods[d->slot].s->label,
				 p->mods[d->slot].s->path, prog);
		return true;
	}
	if (slot_of(prog, "xdpld_slot", p->nr_mods, &i)) {
		pipeline_module_desc(p, i, mod, sizeof(mod));
		snprintf(buf, size, "%s (slot %zu)", mod, i);
		return true;
	}
	if (strcmp(prog, ROOTLET_ENTRY_NAME))
		return false;
	snprintf(buf, size, "the pipeline of %s (program %s: the rootlet with its modules "
		 "linked in; ", p->ifname, prog);
	all_modules(p, buf, size);
	if (strlen(buf) + 2 < size)
		strcat(buf, ")");
	return true;
}

void pipeline_desc_opts(struct pipeline_desc *d, const struct pipeline *p, int slot,
			struct load_opts *lo)
{
	d->p = p;
	d->slot = slot;
	lo->prog_desc = desc;
	lo->prog_desc_ctx = d;
}
