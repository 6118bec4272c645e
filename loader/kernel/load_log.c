/* The tail of a kernel log (verifier, BTF), as the loader's stages print it
 * after a refusal, and how their messages name a program. */
#include "load_internal.h"
#include "elf/obj.h"

#include <stdio.h>
#include <string.h>

#define LOG_TAIL_LINES 20

void load_log_tail(enum log_level lvl, const char *what, const char *log)
{
	size_t len = strlen(log);
	const char *p = log + len;
	int lines = 0;

	while (len && (log[len - 1] == '\n' || log[len - 1] == ' '))
		len--;
	for (p = log + len; p > log && lines <= LOG_TAIL_LINES; p--)
		if (p[-1] == '\n' && ++lines > LOG_TAIL_LINES)
			break;
	log_msg(lvl, "%s: verifier log (last lines):", what);
	while (p < log + len) {
		const char *nl = memchr(p, '\n', (size_t)(log + len - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(log + len - p);

		log_msg(lvl, "  %.*s", (int)n, p);
		p += n + 1;
	}
}

/* "OBJ: program NAME", or what the caller's opts.prog_desc says. */
const char *load_prog_what(const struct load_ctx *c, const char *name, char *buf, size_t size)
{
	if (!c->opts->prog_desc || !c->opts->prog_desc(c->opts->prog_desc_ctx, name, buf, size))
		snprintf(buf, size, "%s: program %s", c->o->path, name);
	return buf;
}
