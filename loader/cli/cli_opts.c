/* The table-driven command line (see cli_opts.h). */
#include "cli_opts.h"
#include "base/log.h"

#include <limits.h>
#include <stdbool.h>
#include <string.h>

#define CLI_VAL 0x100	/* getopt_long's val for opts[i] is CLI_VAL + i */

int cli_run(const struct cli_cmd *cmd, int argc, char **argv)
{
	struct cli c = { .cmd = cmd, .argc = argc, .argv = argv };
	char *so = c.so;
	int i;

	*so++ = ':';	/* ':' tells a missing argument from an unknown option */
	*so++ = 'h';
	for (i = 0; cmd->opts[i].name; i++) {
		const struct cli_opt *o = &cmd->opts[i];

		if (i == CLI_MAX_OPTS) {
			pr_err("%s: more than %d options", cmd->name, CLI_MAX_OPTS);
			return 1;
		}
		c.lo[i] = (struct option){ o->name, o->arg ? required_argument : no_argument,
					   NULL, CLI_VAL + i };
		if (o->flags & CLI_SHORT) {
			*so++ = o->id;
			if (o->arg)
				*so++ = ':';
		}
	}
	c.lo[i] = (struct option){ "help", no_argument, NULL, 'h' };
	optind = 0;	/* a full reset, in glibc and musl alike */
	opterr = 0;	/* cli_next says what is wrong, naming the command */
	return cmd->run(&c);
}

/* "[IFACE]" is optional, "[NAME=]OBJ[:PROG]..." is not: the first
 * bracket must close at the end of the word (before a "..."). */
static bool optional_word(const char *w, size_t n)
{
	const char *close = memchr(w, ']', n);

	if (n > 3 && !strncmp(w + n - 3, "...", 3))
		n -= 3;
	return w[0] == '[' && close == w + n - 1;
}

/* How many positionals the synopsis allows. */
static void pos_range(const char *s, int *min, int *max)
{
	*min = *max = 0;
	while (*s) {
		const char *w;

		for (; *s == ' '; s++)
			;
		for (w = s; *s && *s != ' '; s++)
			;
		if (s == w)
			break;
		if (!optional_word(w, (size_t)(s - w)))
			(*min)++;
		if (s - w > 3 && !strncmp(s - 3, "...", 3))
			*max = INT_MAX;
		else if (*max < INT_MAX)
			(*max)++;
	}
}

static int usage_err(struct cli *c)
{
	cli_usage(c->cmd, stderr, 0);
	c->rc = 2;
	return -1;
}

/* "-o OUT.o", "--slots N", "--json" */
static void opt_text(char *buf, size_t len, const struct cli_opt *o)
{
	int n = o->flags & CLI_SHORT ? snprintf(buf, len, "-%c", o->id) :
		snprintf(buf, len, "--%s", o->name);

	if (o->arg && n > 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, " %s", o->arg);
}

/* End of the options: the required ones given, the positionals counted. */
static int cli_end(struct cli *c)
{
	const struct cli_cmd *cmd = c->cmd;
	char t[96];
	int min, max;

	for (int i = 0; cmd->opts[i].name; i++) {
		if ((cmd->opts[i].flags & CLI_REQ) && !c->args[i]) {
			opt_text(t, sizeof(t), &cmd->opts[i]);
			pr_err("%s: %s is required", cmd->name, t);
			return usage_err(c);
		}
	}
	pos_range(cmd->synopsis, &min, &max);
	c->pos = c->argv + optind;
	c->nr_pos = c->argc - optind;
	if (c->nr_pos < min) {
		pr_err("%s: expected %s", cmd->name, cmd->synopsis);
		return usage_err(c);
	}
	if (c->nr_pos > max) {
		pr_err("%s: unexpected argument '%s'", cmd->name, c->pos[max]);
		return usage_err(c);
	}
	return 0;
}

int cli_next(struct cli *c)
{
	const struct cli_opt *opts = c->cmd->opts;
	int v = getopt_long(c->argc, c->argv, c->so, c->lo, NULL), i = 0;

	if (v == -1)
		return cli_end(c);
	if (v == 'h') {
		cli_usage(c->cmd, stdout, 1);
		c->rc = 0;
		return -1;
	}
	if (v == ':' || v == '?') {
		/* optopt: a short option's letter, a long one's val, or 0 (unknown) */
		char s[3] = { '-', (char)optopt, 0 };

		pr_err("%s: %s '%s'", c->cmd->name,
		       v == ':' ? "missing argument for" :
		       optopt >= CLI_VAL ? "no argument allowed for" : "unrecognized option",
		       optopt > 0 && optopt < CLI_VAL ? s : c->argv[optind - 1]);
		return usage_err(c);
	}
	if (v >= CLI_VAL)
		i = v - CLI_VAL;
	else	/* a short option: getopt_long found it in c->so */
		while (opts[i].name && !(opts[i].id == v && opts[i].flags & CLI_SHORT))
			i++;
	c->arg = optarg;
	c->args[i] = optarg ? optarg : (char *)"";
	return opts[i].id;
}

int cli_parse(struct cli *c)
{
	int v;

	while ((v = cli_next(c)) > 0)
		;
	return v;
}

char *cli_get(const struct cli *c, int id)
{
	for (int i = 0; c->cmd->opts[i].name; i++)
		if (c->cmd->opts[i].id == id)
			return c->args[i];
	return NULL;
}

/* Writes " s", first breaking the line if it would pass column 79. */
static int put(FILE *f, const char *s, int col, int indent)
{
	if (!*s)
		return col;
	if (col > indent && col + 1 + (int)strlen(s) > 79) {
		fprintf(f, "\n%*s", indent, "");
		col = indent;
	}
	return col + fprintf(f, " %s", s);
}

void cli_usage(const struct cli_cmd *cmd, FILE *f, int full)
{
	const struct cli_opt *o;
	char t[100];
	int indent = fprintf(f, "usage: xdpld %s", cmd->name), col = indent;

	/* the required options, the positionals, then the optional ones */
	for (int pass = 0; pass < 3; pass++) {
		if (pass == 1)
			col = put(f, cmd->synopsis, col, indent);
		for (o = cmd->opts; pass != 1 && o->name; o++) {
			int req = !!(o->flags & CLI_REQ);

			if (req != !pass)
				continue;
			t[0] = '[';
			opt_text(t + !req, sizeof(t) - 5, o);
			if (!req)
				strcat(t, o->flags & CLI_MULTI ? "]..." : "]");
			col = put(f, t, col, indent);
		}
	}
	fputc('\n', f);
	if (!full)
		return;
	fprintf(f, "%s\n", cmd->summary);
	if (cmd->opts[0].name)
		fputs("\noptions:\n", f);
	for (o = cmd->opts; o->name; o++) {
		int n = o->flags & CLI_SHORT ? fprintf(f, "  -%c, --%s", o->id, o->name) :
			fprintf(f, "      --%s", o->name);

		if (o->arg)
			n += fprintf(f, " %s", o->arg);
		if (n > 29) {	/* the description goes on its own line */
			fputc('\n', f);
			n = 0;
		}
		fprintf(f, "%*s%s%s\n", 31 - n, "", o->help,
			o->flags & CLI_MULTI ? " (repeatable)" : o->flags & CLI_REQ ? " (required)" : "");
	}
}
