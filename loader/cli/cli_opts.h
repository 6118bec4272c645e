/* The command line, table-driven: each command is one struct cli_cmd whose
 * option table is the only list of its options.  getopt_long's array, the
 * usage line, `xdpld CMD --help` and `xdpld --help` are all generated from
 * it; docs/xdpld.8 and README.md are checked against --help (tests/t_cli.sh).
 *
 * A command's run() walks its options with cli_next():
 *
 *	while ((o = cli_next(c)) > 0)
 *		switch (o) { case 'f': force = true; break; ... }
 *	if (o < 0)
 *		return c->rc;		// after --help 0, after a usage error 2
 *	... c->pos[0 .. c->nr_pos - 1] are the positional arguments ...
 *
 * so adding an option is one table line and one case.  A command whose
 * options need no checking may instead call cli_parse() and read them with
 * cli_get(). */
#ifndef XDPLD_CLI_OPTS_H
#define XDPLD_CLI_OPTS_H

#include <getopt.h>
#include <stdio.h>

enum {
	CLI_SHORT = 1,	/* id is also the short option -ID ('h' is taken by --help) */
	CLI_MULTI = 2,	/* meant to be repeated (usage and docs; any option may be
			 * given again, the command sees each) */
	CLI_REQ = 4,	/* required: missing is a usage error */
};

struct cli_opt {
	char id;		/* what cli_next returns: unique in the table, > 0 */
	unsigned char flags;	/* CLI_* */
	const char *name;	/* long name, without "--" */
	const char *arg;	/* the argument's name ("DIR", "SLOT=ACTIONS"), NULL: a flag */
	const char *help;	/* one short line */
};

#define CLI_MAX_OPTS 16

struct cli;

struct cli_cmd {
	const char *name;
	/* Positional arguments, e.g. "IFACE OBJ[:PROG]...": a word in [] is
	 * optional, a word ending in "..." repeats; their count is checked. */
	const char *synopsis;
	const char *summary;	/* one line */
	int (*run)(struct cli *c);	/* returns the exit code */
	const struct cli_opt *opts;	/* ends with a zeroed entry */
};

struct cli {
	const struct cli_cmd *cmd;
	int argc;
	char **argv;
	char *arg;		/* the argument of the option cli_next returned */
	char **pos;		/* positional arguments, once cli_next returned 0 */
	int nr_pos;
	int rc;			/* exit code, when cli_next returned < 0 */
	char *args[CLI_MAX_OPTS];	/* opts[i]'s last argument, "" for a flag, or NULL */
	struct option lo[CLI_MAX_OPTS + 2];
	char so[2 * CLI_MAX_OPTS + 3];
};

/* Run cmd with argv[0] = its name. */
int cli_run(const struct cli_cmd *cmd, int argc, char **argv);
/* The next option's id (its argument in c->arg); 0 at the end, when the
 * required options and the number of positionals have been checked; < 0
 * when --help was printed or a usage error reported, c->rc says the exit
 * code. */
int cli_next(struct cli *c);
/* Every option at once: cli_next until it returns <= 0, and that. */
int cli_parse(struct cli *c);
/* The (last) argument of option id, "" for a flag; NULL if not given. */
char *cli_get(const struct cli *c, int id);
/* The usage line(s); with full, the summary and every option as well. */
void cli_usage(const struct cli_cmd *cmd, FILE *f, int full);

#endif
