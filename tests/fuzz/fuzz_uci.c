/* libFuzzer harness for xdpld's UCI reader (loader/policy/uci.c): uci_parse on the
 * input (not NUL-terminated).  A refusal must come with a message naming
 * "fuzz.uci:"; what parsed must obey uci.h (valid names, unique named
 * sections and option names, one value per option, lines within the
 * input), and must read back the same when written out the way uci export
 * writes it (everything single-quoted, ' as '\''). */
#include "fuzz_common.h"

#include "policy/uci.h"

static bool name_ok(const char *s, bool type)
{
	if (!*s)
		return false;
	for (; *s; s++) {
		unsigned char c = *s;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || (type && c > 32 && c < 127)))
			return false;
	}
	return true;
}

static void check(const struct uci_file *f, unsigned int lines)
{
	for (size_t i = 0; i < f->nr_secs; i++) {
		const struct uci_section *s = &f->secs[i];

		if (!name_ok(s->type, true) || (s->name && !name_ok(s->name, false)) ||
		    !s->line || s->line > lines || (i && s->line <= f->secs[i - 1].line))
			abort();
		for (size_t j = 0; s->name && j < i; j++)
			if (f->secs[j].name && !strcmp(f->secs[j].name, s->name))
				abort();
		for (size_t j = 0; j < s->nr_opts; j++) {
			const struct uci_option *o = &s->opts[j];

			if (!name_ok(o->name, false) || uci_option(s, o->name) != o ||
			    o->line < s->line || o->line > lines || !o->nr_values ||
			    (!o->is_list && (o->nr_values != 1 || !*o->values[0])))
				abort();
			for (size_t k = 0; k < o->nr_values; k++)
				if (!o->values[k])
					abort();
		}
	}
}

/* Appends 'str' with ' written as '\''. */
static char *quote(char *p, const char *str)
{
	*p++ = '\'';
	for (; *str; str++) {
		if (*str == '\'') {
			memcpy(p, "'\\''", 4);
			p += 4;
		} else {
			*p++ = *str;
		}
	}
	*p++ = '\'';
	return p;
}

static size_t text_size(const struct uci_file *f)
{
	size_t n = 1;

	for (size_t i = 0; i < f->nr_secs; i++) {
		const struct uci_section *s = &f->secs[i];

		n += 16 + 4 * strlen(s->type) + (s->name ? 4 * strlen(s->name) : 0);
		for (size_t j = 0; j < s->nr_opts; j++)
			for (size_t k = 0; k < s->opts[j].nr_values; k++)
				n += 16 + 4 * (strlen(s->opts[j].name) + strlen(s->opts[j].values[k]));
	}
	return n;
}

static bool same(const struct uci_file *a, const struct uci_file *b)
{
	if (a->nr_secs != b->nr_secs)
		return false;
	for (size_t i = 0; i < a->nr_secs; i++) {
		const struct uci_section *s = &a->secs[i], *t = &b->secs[i];

		if (strcmp(s->type, t->type) || !s->name != !t->name ||
		    (s->name && strcmp(s->name, t->name)) || s->nr_opts != t->nr_opts)
			return false;
		for (size_t j = 0; j < s->nr_opts; j++) {
			const struct uci_option *o = &s->opts[j], *q = &t->opts[j];

			if (strcmp(o->name, q->name) || o->is_list != q->is_list ||
			    o->nr_values != q->nr_values)
				return false;
			for (size_t k = 0; k < o->nr_values; k++)
				if (strcmp(o->values[k], q->values[k]))
					return false;
		}
	}
	return true;
}

/* uci export's form of f, parsed again, must be f.  Skipped when a
 * written line would be longer than uci.c takes (joined lines). */
static void round_trip(const struct uci_file *f)
{
	char *text = malloc(text_size(f)), *p = text, *line;
	struct uci_file *g = NULL;
	int err;

	if (!text)
		return;
	for (size_t i = 0; i < f->nr_secs; i++) {
		const struct uci_section *s = &f->secs[i];

		p = quote(p + sprintf(p, "config "), s->type);
		if (s->name)
			p = quote(p + sprintf(p, " "), s->name);
		*p++ = '\n';
		for (size_t j = 0; j < s->nr_opts; j++) {
			const struct uci_option *o = &s->opts[j];

			for (size_t k = 0; k < o->nr_values; k++) {
				p += sprintf(p, "\t%s %s ", o->is_list ? "list" : "option", o->name);
				p = quote(p, o->values[k]);
				*p++ = '\n';
			}
		}
	}
	for (line = text; line < p; ) {
		char *nl = memchr(line, '\n', (size_t)(p - line));

		if ((size_t)(nl - line) > UCI_MAX_LINE || (size_t)(p - text) > UCI_MAX_FILE) {
			free(text);
			return;
		}
		line = nl + 1;
	}
	fuzz_errors_reset("again.uci:");
	err = uci_parse("again.uci", text, (size_t)(p - text), &g);
	if (err && err != -ENOMEM) {
		fuzz_dump("uci-roundtrip.txt", text, (size_t)(p - text));
		abort();
	}
	if (g && !same(f, g)) {
		fuzz_dump("uci-roundtrip.txt", text, (size_t)(p - text));
		abort();
	}
	uci_free(g);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct uci_file *f = NULL;
	unsigned int lines = 1;
	int err;

	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	fuzz_errors_reset("fuzz.uci:");
	err = uci_parse("fuzz.uci", (const char *)data, size, &f);
	fuzz_check_reported(err, "uci_parse");
	if ((err != 0) != (f == NULL))
		abort();
	if (f) {
		check(f, lines);
		round_trip(f);
	}
	uci_free(f);
	return 0;
}
