/* xdpld's UCI reader; uci.h describes the syntax it accepts and why. */
#include "uci.h"

#include "base/esc.h"
#include "base/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct parser {
	struct uci_file *f;
	const char *p, *end;
	unsigned int line;
	char *buf;		/* len + 1 bytes: decoded words are never longer */
	char *out;		/* where the next word of a statement goes */
	size_t cur;		/* the open section's index + 1; 0: none yet */
};

__attribute__((format(printf, 3, 4)))
static int perr(const struct parser *ps, unsigned int line, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	char where[256];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pr_err("%s:%u: %s", esc_str(where, sizeof(where), ps->f->path), line, msg);
	return -EINVAL;
}

/* Untrusted bytes for a message: at most 32, every byte that is not
 * printable ASCII as \xNN (a newline is "\x0a"). */
static const char *show(const char *s, size_t n)
{
	static char buf[32 * 4 + 4];

	esc_bytes(buf, sizeof(buf), s, n < 32 ? n : 32);
	if (n > 32)
		strcat(buf, "...");
	return buf;
}

static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

enum { NAME, PACKAGE, TYPE };

/* uci_validate_str: letters, digits and '_'; '-' too in a package name;
 * a type may hold any printable ASCII but space. */
static bool valid(const char *s, int kind)
{
	if (!*s)
		return false;
	for (; *s; s++) {
		unsigned char c = *s, l = c | 32;

		if (!((l >= 'a' && l <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
		      (kind == PACKAGE && c == '-') || (kind == TYPE && c > 32 && c < 127)))
			return false;
	}
	return true;
}

/* Checks the physical line that starts at ps->p. */
static int line_ok(struct parser *ps)
{
	size_t n = (size_t)(ps->end - ps->p);
	const char *nl = memchr(ps->p, '\n', n);

	if (nl)
		n = (size_t)(nl - ps->p);
	if (n > UCI_MAX_LINE)
		return perr(ps, ps->line, "line longer than %u bytes", UCI_MAX_LINE);
	if (memchr(ps->p, '\0', n))
		return perr(ps, ps->line, "NUL byte");
	return 0;
}

/* At a '\n': steps over it into the next line. */
static int newline(struct parser *ps)
{
	ps->p++;
	ps->line++;
	return line_ok(ps);
}

/* At a backslash (bare or in "..."): a line join, or the next byte as is. */
static int backslash(struct parser *ps)
{
	const char *q = ps->p + 1;

	if (q + 1 < ps->end && q[0] == '\r' && q[1] == '\n')
		q++;
	if (q < ps->end && *q == '\n') {
		ps->p = q;
		return newline(ps);
	}
	if (q < ps->end)
		*ps->out++ = *q++;
	ps->p = q;
	return 0;
}

/* A '...' or "..." part of a word, from its opening quote. */
static int quoted(struct parser *ps)
{
	char q = *ps->p++;
	unsigned int line = ps->line;
	int err = 0;

	while (!err) {
		if (ps->p == ps->end)
			return perr(ps, line, "unterminated quote");
		if (*ps->p == q) {
			ps->p++;
			break;
		}
		if (*ps->p == '\\' && q == '"') {
			err = backslash(ps);
		} else if (*ps->p == '\n') {
			*ps->out++ = *ps->p;
			err = newline(ps);
		} else {
			*ps->out++ = *ps->p++;
		}
	}
	return err;
}

/* One word (bare and quoted parts) into ps->out, NUL-terminated. */
static int word(struct parser *ps, const char **w)
{
	int err = 0;

	*w = ps->out;
	while (!err && ps->p < ps->end && !is_ws(*ps->p) && *ps->p != '\n' && *ps->p != '#') {
		if (*ps->p == ';')
			return perr(ps, ps->line, "';' outside quotes is not supported: one "
				    "statement per line, quote a value that has one");
		if (*ps->p == '\\')
			err = backslash(ps);
		else if (*ps->p == '\'' || *ps->p == '"')
			err = quoted(ps);
		else
			*ps->out++ = *ps->p++;
	}
	*ps->out++ = '\0';
	return err;
}

/* uci's name for an unnamed section (libuci list.c, uci_fixup_section, run
 * by uci_add_section when the parser opens the section, before it has
 * options): "cfg", the package's section count with this one as %02x (the
 * section's 1-based index: sections are never removed while parsing), and
 * the low 16 bits of djbhash(type) as %04x. */
static void uci_id(char id[UCI_ID_LEN], size_t index, const char *type)
{
	uint32_t hash = 5381;

	for (const char *c = type; *c; c++)	/* printable ASCII: signedness is moot */
		hash = hash * 33 + (uint32_t)(unsigned char)*c;
	snprintf(id, UCI_ID_LEN, "cfg%02zx%04x", index, (unsigned int)(hash & 0xffff));
}

const char *uci_section_id(const struct uci_section *s)
{
	return s->name ? s->name : s->id;
}

static int config(struct parser *ps, unsigned int line, const char *type, const char *name)
{
	struct uci_file *f = ps->f;
	struct uci_section *s;

	if (!valid(type, TYPE))
		return perr(ps, line, "section type '%s': only printable characters, no spaces",
			    show(type, strlen(type)));
	if (*name && !valid(name, NAME))
		return perr(ps, line, "section name '%s': only letters, digits and '_'",
			    show(name, strlen(name)));
	/* uci looks the name up among all sections in file order, unnamed ones
	 * by their id: the first match is continued. */
	for (size_t i = 0; *name && i < f->nr_secs; i++) {
		s = &f->secs[i];
		if (strcmp(uci_section_id(s), name))
			continue;
		if (strcmp(s->type, type))
			return perr(ps, line, "section '%s' of line %u given again with type '%s', not '%s'",
				    name, s->line, type, s->type);
		ps->cur = i + 1;
		return 0;
	}
	if (f->nr_secs == UCI_MAX_SECTIONS)
		return perr(ps, line, "more than %u sections", UCI_MAX_SECTIONS);
	s = realloc(f->secs, (f->nr_secs + 1) * sizeof(*s));
	if (!s)
		return -ENOMEM;
	f->secs = s;
	s += f->nr_secs++;
	memset(s, 0, sizeof(*s));
	s->line = line;
	s->type = strdup(type);
	s->name = *name ? strdup(name) : NULL;
	if (!*name)
		uci_id(s->id, f->nr_secs, type);
	ps->cur = f->nr_secs;
	return !s->type || (*name && !s->name) ? -ENOMEM : 0;
}

static void free_values(struct uci_option *o)
{
	for (size_t i = 0; i < o->nr_values; i++)
		free(o->values[i]);
	free(o->values);
	free(o->lines);
	o->values = NULL;
	o->lines = NULL;
	o->nr_values = 0;
}

static int option(struct parser *ps, unsigned int line, bool list, const char *name,
		  const char *value)
{
	const char *what = list ? "list" : "option";
	struct uci_section *s;
	struct uci_option *o = NULL;
	unsigned int *lines;
	char **v, *dup;

	if (!ps->cur)
		return perr(ps, line, "%s before the first config", what);
	s = &ps->f->secs[ps->cur - 1];
	if (!valid(name, NAME))
		return perr(ps, line, "%s name '%s': only letters, digits and '_'", what,
			    show(name, strlen(name)));
	if (!list && !*value)
		return 0;	/* uci_set ignores it: no option, no change */
	for (size_t i = 0; i < s->nr_opts && !o; i++)
		if (!strcmp(s->opts[i].name, name))
			o = &s->opts[i];
	if (!o) {
		if (s->nr_opts == UCI_MAX_OPTIONS)
			return perr(ps, line, "more than %u options in one section", UCI_MAX_OPTIONS);
		o = realloc(s->opts, (s->nr_opts + 1) * sizeof(*o));
		if (!o)
			return -ENOMEM;
		s->opts = o;
		o += s->nr_opts++;
		memset(o, 0, sizeof(*o));
		if (!(o->name = strdup(name)))
			return -ENOMEM;
	} else if (!list) {
		free_values(o);
	} else if (o->nr_values == UCI_MAX_VALUES) {
		return perr(ps, line, "list '%s' has more than %u items", name, UCI_MAX_VALUES);
	}
	dup = strdup(value);
	v = dup ? realloc(o->values, (o->nr_values + 1) * sizeof(*v)) : NULL;
	if (v)
		o->values = v;
	lines = v ? realloc(o->lines, (o->nr_values + 1) * sizeof(*lines)) : NULL;
	if (!lines) {
		free(dup);
		return -ENOMEM;
	}
	o->lines = lines;
	lines[o->nr_values] = line;
	v[o->nr_values++] = dup;
	o->is_list = list;
	o->line = line;
	return 0;
}

static const char *const keywords[] = { "config", "option", "list", "package" };

/* The keyword cmd (n bytes) is, uci's one-letter forms included; 4: none. */
static size_t keyword(const char *cmd, size_t n)
{
	size_t k;

	for (k = 0; k < 4; k++)
		if ((n == 1 && *cmd == keywords[k][0]) ||
		    (n == strlen(keywords[k]) && !memcmp(cmd, keywords[k], n)))
			break;
	return k;
}

/* After an empty last word ('' or a line join followed by a blank), uci's
 * parser goes on right after the byte that ended the word and reads the rest
 * of the line as the next statement: its statement word runs up to a space,
 * a tab or the end of the file (strtok(" \t")), so it must be a keyword
 * followed by a space or a tab.  *more: a statement follows at ps->p. */
static int after_empty(struct parser *ps, bool *more)
{
	const char *q;

	if (ps->p == ps->end || !is_ws(*ps->p))
		return 0;	/* end of the file or line, or a comment: nothing follows */
	ps->p++;
	while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t'))
		ps->p++;
	if (ps->p == ps->end || *ps->p == '#')
		return 0;
	for (q = ps->p; q < ps->end && *q != ' ' && *q != '\t' && *q != '\n'; q++)
		;
	if (q == ps->p)
		return perr(ps, ps->line, "blanks after an empty last word ('' or a line join) at "
			    "the end of the line: uci refuses this (invalid command); remove the "
			    "empty word");
	if (keyword(ps->p, (size_t)(q - ps->p)) == 4)
		return perr(ps, ps->line, "unknown statement '%s' after an empty last word ('' or a "
			    "line join): uci reads what follows it as the next statement (config, "
			    "option, list or package)", show(ps->p, (size_t)(q - ps->p)));
	if (q < ps->end && *q == '\n')
		return perr(ps, ps->line, "'%s' after an empty last word ('' or a line join): "
			    "uci reads it as the next statement and refuses it (invalid command: "
			    "no space or tab after the statement word)",
			    show(ps->p, (size_t)(q + 1 - ps->p)));
	*more = true;
	return 0;
}

/* One statement from ps->p; *more: another one follows on the same line. */
static int statement(struct parser *ps, bool *more)
{
	const char *cmd = ps->p;
	unsigned int line = ps->line;
	const char *w[2] = { "", "" }, *extra;
	size_t n, k, nw = 0;
	bool empty = false;
	int err;

	*more = false;
	/* uci's statement word ends at a space or tab only: a CR, VT or FF
	 * right after "config" makes it another word, refused. */
	while (ps->p < ps->end && *ps->p != ' ' && *ps->p != '\t' && *ps->p != '\n')
		ps->p++;
	n = (size_t)(ps->p - cmd);
	k = keyword(cmd, n);
	if (k == 4) {
		size_t m = 0;

		while (m < n && !is_ws(cmd[m]))
			m++;
		if (m && m < n && keyword(cmd, m) < 4)
			return perr(ps, line, "'%s': a space or tab must follow the statement word "
				    "(uci refuses this line too: invalid command)", show(cmd, n));
		return perr(ps, line, "unknown statement '%s' (config, option, list or package)",
			    show(cmd, n));
	}
	ps->out = ps->buf;
	for (;;) {
		while (ps->p < ps->end && is_ws(*ps->p))
			ps->p++;
		if (ps->p == ps->end || *ps->p == '\n' || *ps->p == '#')
			break;
		if (nw < (k == 3 ? 1u : 2u)) {
			if ((err = word(ps, &w[nw++])))
				return err;
			continue;
		}
		/* One word more: uci (assert_eol) refuses it unless it is empty. */
		if ((err = word(ps, &extra)))
			return err;
		if (*extra)
			return perr(ps, line, "too many arguments for '%s'", keywords[k]);
		empty = true;
		break;
	}
	if (!*w[0])
		return perr(ps, line, "%s without a %s", keywords[k], k ? "name" : "section type");
	if (k == 0)
		err = config(ps, line, w[0], w[1]);
	else if (k < 3)
		err = option(ps, line, k == 2, w[0], w[1]);
	else if (!valid(w[0], PACKAGE))	/* package: checked, ignored */
		err = perr(ps, line, "package name '%s': only letters, digits, '_' and '-'",
			   show(w[0], strlen(w[0])));
	return err || !empty ? err : after_empty(ps, more);
}

int uci_parse(const char *path, const char *text, size_t len, struct uci_file **out)
{
	struct parser ps = { .p = text ? text : "", .line = 1 };
	char e_path[256];
	int err = -ENOMEM;

	*out = NULL;
	if (len > UCI_MAX_FILE) {
		pr_err("%s: larger than %u bytes", esc_str(e_path, sizeof(e_path), path), UCI_MAX_FILE);
		return -EINVAL;
	}
	ps.end = ps.p + len;
	ps.f = calloc(1, sizeof(*ps.f));
	ps.buf = malloc(len + 1);
	if (!ps.f || !ps.buf || !(ps.f->path = strdup(path)))
		goto out;
	err = line_ok(&ps);
	while (!err && ps.p < ps.end) {
		if (*ps.p == '\n') {
			err = newline(&ps);
		} else if (is_ws(*ps.p)) {
			ps.p++;
		} else if (*ps.p == '#') {
			const char *nl = memchr(ps.p, '\n', (size_t)(ps.end - ps.p));

			ps.p = nl ? nl : ps.end;
		} else {
			bool more;

			do
				err = statement(&ps, &more);
			while (!err && more);
		}
	}
out:
	if (err == -ENOMEM)
		pr_err("%s: out of memory", esc_str(e_path, sizeof(e_path), path));
	free(ps.buf);
	if (err)
		uci_free(ps.f);
	else
		*out = ps.f;
	return err;
}

int uci_load(const char *path, struct uci_file **out)
{
	char *buf = NULL, e_path[256];
	size_t len = 0;
	struct stat st;
	ssize_t n = 1;
	int fd, err;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		err = -errno;
		goto fail;
	}
	err = -EINVAL;
	if (!S_ISREG(st.st_mode))
		goto fail;
	err = -ENOMEM;
	if (!(buf = malloc(UCI_MAX_FILE + 1)))
		goto fail;
	while (len <= UCI_MAX_FILE && n) {
		n = read(fd, buf + len, UCI_MAX_FILE + 1 - len);
		if (n < 0 && errno != EINTR) {
			err = -errno;
			goto fail;
		}
		len += n > 0 ? (size_t)n : 0;
	}
	err = uci_parse(path, buf, len, out);
	goto out;
fail:
	pr_err("%s: %s", esc_str(e_path, sizeof(e_path), path), err == -EINVAL ? "not a regular file" : strerror(-err));
out:
	free(buf);
	if (fd >= 0)
		close(fd);
	return err;
}

void uci_free(struct uci_file *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->nr_secs; i++) {
		struct uci_section *s = &f->secs[i];

		for (size_t j = 0; j < s->nr_opts; j++) {
			free_values(&s->opts[j]);
			free(s->opts[j].name);
		}
		free(s->opts);
		free(s->type);
		free(s->name);
	}
	free(f->secs);
	free(f->path);
	free(f);
}

const struct uci_option *uci_option(const struct uci_section *s, const char *name)
{
	for (size_t i = 0; s && i < s->nr_opts; i++)
		if (!strcmp(s->opts[i].name, name))
			return &s->opts[i];
	return NULL;
}
