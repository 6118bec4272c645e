/* Helpers shared by the linker's stages (declared in link_internal.h).
 * They live here, not in the driver link.c, so that no stage calls back
 * into the file that calls it. */
#include "link_internal.h"
#include "elf/mapdef.h"

#include <string.h>

const char *link_kind_name(enum lsym_kind k)
{
	static const char *const names[] = { "function", "program", "map", "variable" };

	return (unsigned)k < sizeof(names) / sizeof(names[0]) ? names[k] : "symbol";
}

const char *link_basename(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

bool link_strong_def(const struct lsym *s)
{
	return s->defined && !s->weak && !s->special && !s->pin_shared;
}

const struct map_def *link_map_def(const struct link_ctx *c, const struct lsym *s)
{
	for (size_t k = 0; k < c->nr_defs[s->in]; k++)
		if (c->defs[s->in][k].sym == s->sym)
			return &c->defs[s->in][k];
	return NULL;
}

#define PIN_BY_NAME 1	/* LIBBPF_PIN_BY_NAME */

bool link_is_pinned_def(const struct link_ctx *c, const struct lsym *s)
{
	const struct map_def *d;

	if (s->kind != LK_MAP || !s->defined)
		return false;
	d = link_map_def(c, s);
	return d && !d->is_extern && !d->legacy && d->pinning == PIN_BY_NAME;
}
