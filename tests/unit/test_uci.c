/* xdpld's UCI reader (loader/policy/uci.[ch]): every piece of syntax uci.h
 * describes, uci's option/list semantics, line numbers, and each error
 * with its "FILE:LINE: what" text.  Pure: only temporary files. */
#include "base/log.h"
#include "tap.h"
#include "policy/uci.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PATH "/etc/config/xdpld"

static char err[1024];
static int ret;

static struct uci_file *parse_len(const char *text, size_t len)
{
	struct uci_file *f = NULL;

	log_capture_begin(err, sizeof(err));
	ret = uci_parse(PATH, text, len, &f);
	log_capture_end();
	return f;
}

static struct uci_file *parse(const char *text)
{
	return parse_len(text, strlen(text));
}

/* text is refused with exactly the message want. */
static void fails_len(const char *text, size_t len, const char *want, const char *what)
{
	struct uci_file *f = parse_len(text, len);

	TAP_CHECK(ret == -EINVAL && !f && !strcmp(err, want), "refused: %s [%s]", what, err);
	uci_free(f);
}

#define FAILS_BIN(lit, want, what) fails_len(lit, sizeof(lit) - 1, want, what)

static void fails(const char *text, const char *want, const char *what)
{
	fails_len(text, strlen(text), want, what);
}

/* Value i of option name in section sec, or NULL. */
static const char *val(const struct uci_file *f, size_t sec, const char *name, size_t i)
{
	const struct uci_option *o;

	if (!f || sec >= f->nr_secs)
		return NULL;
	o = uci_option(&f->secs[sec], name);
	return o && i < o->nr_values ? o->values[i] : NULL;
}

static bool is(const char *a, const char *b)
{
	return a && !strcmp(a, b);
}

static const struct uci_option *opt(const struct uci_file *f, size_t sec, const char *name)
{
	return f && sec < f->nr_secs ? uci_option(&f->secs[sec], name) : NULL;
}

static void basics(void)
{
	struct uci_file *f = parse(
		"# xdpld policy\n"				/* 1 */
		"package xdpld\n"				/* 2 */
		"\n"						/* 3 */
		"config pipeline 'wan'\n"			/* 4 */
		"\toption iface eth1   # the WAN NIC\n"		/* 5 */
		"  \t option mode\t'native'\t\n"		/* 6 */
		"\tlist module /lib/xdpld/fw.o\n"		/* 7 */
		"\tlist module \"/lib/xdpld/lb.o\"\n"		/* 8 */
		"   # indented comment\n"			/* 9 */
		"config defaults\n"				/* 10 */
		"\toption verbose 1\n"				/* 11 */
		"config module fw\n"				/* 12 */
		"  \n");

	TAP_CHECK(!ret && f && f->nr_secs == 3 && !strcmp(f->path, PATH), "a small file parses");
	if (!f || f->nr_secs != 3)
		return;
	TAP_CHECK(is(f->secs[0].type, "pipeline") && is(f->secs[0].name, "wan") &&
		  f->secs[0].line == 4 && f->secs[0].nr_opts == 3, "named section, its line");
	TAP_CHECK(is(f->secs[1].type, "defaults") && !f->secs[1].name && f->secs[1].line == 10,
		  "anonymous section: name NULL");
	TAP_CHECK(is(f->secs[2].type, "module") && is(f->secs[2].name, "fw") &&
		  f->secs[2].nr_opts == 0, "bare section name, section without options");
	TAP_CHECK(is(val(f, 0, "iface", 0), "eth1") && opt(f, 0, "iface")->line == 5 &&
		  !opt(f, 0, "iface")->is_list && opt(f, 0, "iface")->nr_values == 1,
		  "option with a trailing comment");
	TAP_CHECK(is(val(f, 0, "mode", 0), "native") && opt(f, 0, "mode")->line == 6,
		  "tabs and spaces around words");
	TAP_CHECK(opt(f, 0, "module") && opt(f, 0, "module")->is_list &&
		  opt(f, 0, "module")->nr_values == 2 && is(val(f, 0, "module", 0), "/lib/xdpld/fw.o") &&
		  is(val(f, 0, "module", 1), "/lib/xdpld/lb.o") && opt(f, 0, "module")->line == 8,
		  "list appends; its line is the last item's");
	TAP_CHECK(is(val(f, 1, "verbose", 0), "1"), "option in the second section");
	TAP_CHECK(!uci_option(&f->secs[0], "nosuch") && !uci_option(&f->secs[2], "iface"),
		  "uci_option: absent option is NULL");
	uci_free(f);

	f = parse("");
	TAP_CHECK(!ret && f && !f->nr_secs, "an empty file has no sections");
	uci_free(f);
	f = parse("\n\n  \t\n# only a comment");
	TAP_CHECK(!ret && f && !f->nr_secs, "blank lines and a comment only");
	uci_free(f);
	f = parse("c a 'n'\no x 1\nl y 2\np pkg\n");
	TAP_CHECK(!ret && f && f->nr_secs == 1 && is(f->secs[0].name, "n") && is(val(f, 0, "x", 0), "1") &&
		  opt(f, 0, "y") && opt(f, 0, "y")->is_list, "uci's one-letter statements c, o, l, p");
	uci_free(f);
	f = parse("config a\n\toption x 1");
	TAP_CHECK(!ret && f && is(val(f, 0, "x", 0), "1"), "no newline at the end of the file");
	uci_free(f);
	f = parse("config a\n\toption x 'one'   # c\n");
	TAP_CHECK(!ret && f && is(val(f, 0, "x", 0), "one"), "comment after a quoted value");
	uci_free(f);
}

static void words(void)
{
	struct uci_file *f = parse(
		"config t\n"
		"option a 'it''s'\n"			/* 'it' 's' -> its */
		"option b 'a'\"b\"c\n"			/* abc */
		"option c \"q\\\"uo\\\\te\\n\"\n"	/* q"uo\ten */
		"option d 'no \\escape \\n'\n"		/* no \escape \n */
		"option e a\\ b\\#c\\'d\n"		/* a b#c'd */
		"option f 'don'\\''t'\n"		/* don't: uci export's escape */
		"option g \"# not a comment; ok\"\n"
		"option h a#comment\n"			/* a */
		"option i 'x'#comment\n"		/* x */
		"option j \"\"'two words'\n"		/* two words */
		"option k \"tab\tin\"\n");

	TAP_CHECK(!ret && f, "quoting forms parse [%s]", err);
	TAP_CHECK(is(val(f, 0, "a", 0), "its"), "two single-quoted parts join");
	TAP_CHECK(is(val(f, 0, "b", 0), "abc"), "'a'\"b\"c is abc");
	TAP_CHECK(is(val(f, 0, "c", 0), "q\"uo\\ten"), "\"...\": \\\" and \\\\; \\n is n");
	TAP_CHECK(is(val(f, 0, "d", 0), "no \\escape \\n"), "'...': no escapes");
	TAP_CHECK(is(val(f, 0, "e", 0), "a b#c'd"), "bare \\X is X");
	TAP_CHECK(is(val(f, 0, "f", 0), "don't"), "'don'\\''t' (uci export) is don't");
	TAP_CHECK(is(val(f, 0, "g", 0), "# not a comment; ok"), "# and ; inside quotes");
	TAP_CHECK(is(val(f, 0, "h", 0), "a"), "# ends a bare word");
	TAP_CHECK(is(val(f, 0, "i", 0), "x"), "# right after a quote");
	TAP_CHECK(is(val(f, 0, "j", 0), "two words"), "empty part joined to a quoted one");
	TAP_CHECK(is(val(f, 0, "k", 0), "tab\tin"), "tab inside quotes kept");
	uci_free(f);

	f = parse("config 't' \"n\"\noption 'x' \"1\"\nconfig 'my-type.v2'\n");
	TAP_CHECK(!ret && f && is(f->secs[0].type, "t") && is(f->secs[0].name, "n") &&
		  is(val(f, 0, "x", 0), "1") && is(f->secs[1].type, "my-type.v2"),
		  "quoted type and names; type may hold - and .");
	uci_free(f);

	/* Multi-line quotes and line joins. */
	f = parse("config t\n"			/* 1 */
		  "option a 'one\n"		/* 2 */
		  "two'\n"			/* 3 */
		  "option b \"x\\\n"		/* 4: joined */
		  "y\"\n"			/* 5 */
		  "option c p\\\n"		/* 6: joined */
		  "q\n"				/* 7 */
		  "option d \\\r\n"		/* 8: CRLF join */
		  "z\n"				/* 9 */
		  "option e last\n");		/* 10 */
	TAP_CHECK(!ret && f && is(val(f, 0, "a", 0), "one\ntwo") && opt(f, 0, "a")->line == 2,
		  "a quoted value spans lines, keeping the newline");
	TAP_CHECK(is(val(f, 0, "b", 0), "xy") && is(val(f, 0, "c", 0), "pq") &&
		  is(val(f, 0, "d", 0), "z"), "backslash-newline joins lines (LF and CRLF)");
	TAP_CHECK(opt(f, 0, "e") && opt(f, 0, "e")->line == 10, "line numbers count joined lines");
	uci_free(f);
}

static void semantics(void)
{
	struct uci_file *f = parse(
		"config t 'a'\n"		/* 1 */
		"option x 1\n"			/* 2 */
		"option x 2\n"			/* 3 */
		"option y first\n"		/* 4 */
		"list y second\n"		/* 5 */
		"list z 1\n"			/* 6 */
		"list z 2\n"			/* 7 */
		"option z only\n"		/* 8 */
		"option e ''\n"			/* 9 */
		"option f\n"			/* 10 */
		"option x ''\n"			/* 11 */
		"list l ''\n"			/* 12 */
		"list l\n"			/* 13 */
		"config u 'b'\n"		/* 14 */
		"config t 'a'\n"		/* 15 */
		"option w 9\n"			/* 16 */
		"config t\n"			/* 17 */
		"config t\n"			/* 18 */
		"config t ''\n");		/* 19 */

	TAP_CHECK(!ret && f && f->nr_secs == 5, "semantics file parses [%s]", err);
	if (!f || f->nr_secs != 5)
		return;
	TAP_CHECK(is(val(f, 0, "x", 0), "2") && opt(f, 0, "x")->nr_values == 1 &&
		  opt(f, 0, "x")->line == 3, "repeated option: the later value and line");
	TAP_CHECK(opt(f, 0, "y")->is_list && opt(f, 0, "y")->nr_values == 2 &&
		  is(val(f, 0, "y", 0), "first") && is(val(f, 0, "y", 1), "second") &&
		  opt(f, 0, "y")->line == 5, "list after option: [option value, list value]");
	TAP_CHECK(!opt(f, 0, "z")->is_list && opt(f, 0, "z")->nr_values == 1 &&
		  is(val(f, 0, "z", 0), "only") && opt(f, 0, "z")->line == 8,
		  "option after list: replaces the list");
	TAP_CHECK(!opt(f, 0, "e") && !opt(f, 0, "f"), "option with '' or no value: no option");
	TAP_CHECK(is(val(f, 0, "x", 0), "2"), "option x '' leaves x as it was (uci_set)");
	TAP_CHECK(opt(f, 0, "l") && opt(f, 0, "l")->nr_values == 2 && is(val(f, 0, "l", 0), "") &&
		  is(val(f, 0, "l", 1), ""), "list items may be empty");
	TAP_CHECK(is(val(f, 0, "w", 0), "9") && f->secs[0].line == 1 && is(f->secs[1].name, "b"),
		  "a named section given again continues the first");
	TAP_CHECK(!f->secs[2].name && !f->secs[3].name && !f->secs[4].name &&
		  f->secs[2].line == 17 && f->secs[4].line == 19,
		  "anonymous sections never merge; config t '' is anonymous");
	TAP_CHECK(f->secs[0].nr_opts == 5 && !strcmp(f->secs[0].opts[0].name, "x") &&
		  !strcmp(f->secs[0].opts[4].name, "w"), "options in order of first appearance");
	uci_free(f);
}

static void line_ends(void)
{
	const char *lf = "config t 'n'\n\toption a 1\n\n# c\n\tlist b \"x y\"\n";
	const char *crlf = "config t 'n'\r\n\toption a 1\r\n\r\n# c\r\n\tlist b \"x y\"\r\n";
	struct uci_file *f = parse(lf), *g = parse(crlf);

	TAP_CHECK(f && g && f->nr_secs == 1 && g->nr_secs == 1 && is(g->secs[0].name, "n") &&
		  is(val(g, 0, "a", 0), "1") && is(val(g, 0, "b", 0), "x y") &&
		  opt(g, 0, "b")->line == 5 && opt(f, 0, "b")->line == 5,
		  "CRLF reads like LF (CR is whitespace)");
	uci_free(f);
	uci_free(g);
	f = parse("config t\r\noption a 'x\r\ny'\r\n");
	TAP_CHECK(f && is(val(f, 0, "a", 0), "x\r\ny"), "a multi-line quote keeps the CR (as uci)");
	uci_free(f);
}

static void errors(void)
{
	char big[UCI_MAX_LINE + 32];
	char *text;
	size_t n;

	fails("option a 1\n", PATH ":1: option before the first config", "option before config");
	fails("\n# x\nlist a 1\n", PATH ":3: list before the first config", "list before config");
	fails("config t\noption a 'abc\n\n", PATH ":2: unterminated quote", "unterminated '");
	fails("config t\n\noption a \"ab\\\"\n", PATH ":3: unterminated quote", "unterminated \"");
	fails("config t\nlist a x\"y", PATH ":2: unterminated quote", "unterminated at EOF");
	fails("config 'a\n", PATH ":1: unterminated quote", "unterminated type");
	fails("config t\noption a b;option c d\n",
	      PATH ":2: ';' outside quotes is not supported: one statement per line, "
	      "quote a value that has one", "bare ;");
	fails("config t\noption a 'b'; option c d\n",
	      PATH ":2: ';' outside quotes is not supported: one statement per line, "
	      "quote a value that has one", "; after a quote");
	fails("config t\noption a b c\n", PATH ":2: too many arguments for 'option'",
	      "option with two values");
	fails("config t n x\n", PATH ":1: too many arguments for 'config'", "config with 3 words");
	fails("package a b\n", PATH ":1: too many arguments for 'package'", "package with 2 words");
	fails("config\n", PATH ":1: config without a section type", "config alone");
	fails("config '' n\n", PATH ":1: config without a section type", "empty type");
	fails("config t\noption\n", PATH ":2: option without a name", "option alone");
	fails("config t\nlist '' x\n", PATH ":2: list without a name", "empty list name");
	fails("config 'a b'\n", PATH ":1: section type 'a b': only printable characters, no spaces",
	      "space in a type");
	fails("config t a-b\n", PATH ":1: section name 'a-b': only letters, digits and '_'",
	      "- in a section name");
	fails("config t 'a.b'\n", PATH ":1: section name 'a.b': only letters, digits and '_'",
	      ". in a section name");
	fails("config t\noption my-opt 1\n", PATH ":2: option name 'my-opt': only letters, digits and '_'",
	      "- in an option name");
	fails("config t\nlist 'x\ty' 1\n", PATH ":2: list name 'x\\x09y': only letters, digits and '_'",
	      "tab in a list name");
	fails("config t\noption \xc3\xa9 1\n", PATH ":2: option name '\\xc3\\xa9': only letters, digits and '_'",
	      "non-ASCII in an option name");
	fails("package 'a.b'\n", PATH ":1: package name 'a.b': only letters, digits, '_' and '-'",
	      "bad package name");
	fails("package\n", PATH ":1: package without a name",
	      "package without a name");
	fails("config t\nopt a 1\n",
	      PATH ":2: unknown statement 'opt' (config, option, list or package)", "unknown statement");
	fails("'config' t\n",
	      PATH ":1: unknown statement ''config'' (config, option, list or package)",
	      "quoted statement word");
	fails("config#x t\n",
	      PATH ":1: unknown statement 'config#x' (config, option, list or package)",
	      "# glued to the statement word");
	fails("\x1b[31mconfig t\n",
	      PATH ":1: unknown statement '\\x1b[31mconfig' (config, option, list or package)",
	      "control bytes are not echoed");
	fails("config t 'n'\nconfig u 'n'\n",
	      PATH ":2: section 'n' of line 1 given again with type 'u', not 't'",
	      "named section again with another type");

	/* NUL bytes, long lines */
	FAILS_BIN("config t\noption a x\0y\n", PATH ":2: NUL byte", "NUL in a value");
	FAILS_BIN("config t\n# \0\n", PATH ":2: NUL byte", "NUL in a comment");
	FAILS_BIN("config t\noption a 'x\n\0'\n", PATH ":3: NUL byte", "NUL inside a quote");
	memset(big, ' ', sizeof(big));
	memcpy(big, "config t\n# ", 11);
	n = 9 + UCI_MAX_LINE;
	big[n] = '\n';
	{
		struct uci_file *f = parse_len(big, n + 1);

		TAP_CHECK(!ret && f, "a line of exactly %u bytes is fine", UCI_MAX_LINE);
		uci_free(f);
	}
	big[n] = ' ';
	big[n + 1] = '\n';
	fails_len(big, n + 2, PATH ":2: line longer than 4096 bytes", "a line of 4097 bytes");
	fails_len(big, n + 1, PATH ":2: line longer than 4096 bytes", "last line too long, no newline");

	/* Limits. */
	text = malloc(64 * 1024);
	n = 0;
	for (unsigned i = 0; i <= UCI_MAX_SECTIONS; i++)
		n += (size_t)sprintf(text + n, "config t\n");
	fails_len(text, n, PATH ":1025: more than 1024 sections", "too many sections");
	n = (size_t)sprintf(text, "config t\n");
	for (unsigned i = 0; i <= UCI_MAX_OPTIONS; i++)
		n += (size_t)sprintf(text + n, "option o%u 1\n", i);
	fails_len(text, n, PATH ":258: more than 256 options in one section", "too many options");
	n = (size_t)sprintf(text, "config t\n");
	for (unsigned i = 0; i <= UCI_MAX_VALUES; i++)
		n += (size_t)sprintf(text + n, "list l %u\n", i);
	fails_len(text, n, PATH ":4098: list 'l' has more than 4096 items", "too many list items");
	n = (size_t)sprintf(text, "config t 'a'\noption x 1\n");
	for (unsigned i = 0; i < UCI_MAX_SECTIONS + 10; i++)
		n += (size_t)sprintf(text + n, "config t 'a'\n");
	{
		struct uci_file *f = parse_len(text, n);

		TAP_CHECK(!ret && f && f->nr_secs == 1, "one named section repeated is one section");
		uci_free(f);
	}
	free(text);
	{
		struct uci_file *f = parse_len("", UCI_MAX_FILE + 1);

		TAP_CHECK(ret == -EINVAL && !f && !strcmp(err, PATH ": larger than 1048576 bytes"),
			  "uci_parse refuses more than 1 MiB [%s]", err);
	}
}

/* Issue 20, point 10: readings where uci (libuci file.c, list.c) was
 * followed too little. */
static void like_uci(void)
{
	struct uci_file *f;

	/* a) uci's id of an unnamed section names it: the same section. */
	f = parse("config pipeline\n"			/* 1: cfg01cf1b */
		  "\toption device 'wan0'\n"
		  "config module 'fw'\n"		/* 3: named, index 2 */
		  "config module\n"			/* 4: cfg03c72b */
		  "config pipeline cfg01cf1b\n"		/* 5: the first section */
		  "\tlist module 'fw'\n"
		  "config module 'cfg03c72b'\n"		/* 7: the section of line 4 */
		  "\toption object '/x.o'\n"
		  "config globals\n");			/* 9: cfg043b09 */
	TAP_CHECK(!ret && f && f->nr_secs == 4, "uci's id of an unnamed section names it "
		  "[%s, %zu sections]", err, f ? f->nr_secs : 0);
	if (f && f->nr_secs == 4) {
		TAP_CHECK(!f->secs[0].name && f->secs[0].line == 1 &&
			  is(val(f, 0, "device", 0), "wan0") && is(val(f, 0, "module", 0), "fw"),
			  "config pipeline cfg01cf1b continues the unnamed first section");
		TAP_CHECK(!f->secs[2].name && is(val(f, 2, "object", 0), "/x.o"),
			  "the index counts named sections too (cfg03c72b)");
		TAP_CHECK(is(uci_section_id(&f->secs[0]), "cfg01cf1b") &&
			  is(uci_section_id(&f->secs[1]), "fw") &&
			  is(uci_section_id(&f->secs[2]), "cfg03c72b") &&
			  is(uci_section_id(&f->secs[3]), "cfg043b09"), "uci_section_id: uci's ids");
	}
	uci_free(f);
	f = parse("config pipeline\nconfig pipeline cfg02cf1b\n");
	TAP_CHECK(!ret && f && f->nr_secs == 2, "another index is another section");
	uci_free(f);
	fails("config pipeline\nconfig module cfg01cf1b\n",
	      PATH ":2: section 'cfg01cf1b' of line 1 given again with type 'module', not 'pipeline'",
	      "uci's id with another type");

	/* b) uci's statement word ends at a space or tab only. */
	fails("config t\noption\rx 1\n", PATH ":2: 'option\\x0dx': a space or tab must follow "
	      "the statement word (uci refuses this line too: invalid command)", "CR after option");
	fails("config\r t\n", PATH ":1: 'config\\x0d': a space or tab must follow the statement "
	      "word (uci refuses this line too: invalid command)", "CR after config");
	fails("config t\nlist\va 1\n", PATH ":2: 'list\\x0ba': a space or tab must follow "
	      "the statement word (uci refuses this line too: invalid command)", "VT after list");

	/* c) an empty last word: uci reads the rest as the next statement. */
	f = parse("config t 'n'\n"				/* 1 */
		  "\toption a 'x' \\\n"				/* 2: joined */
		  "\toption b 'y'\n"				/* 3 */
		  "\tlist l 'i' ''\n"				/* 4 */
		  "\toption c 'z' '' option d 'w' # c\n"	/* 5 */
		  "\toption e 'v' ''#c\n"			/* 6 */
		  "\tlist l 'j' \\\n"				/* 7 */
		  "\n"						/* 8 */
		  "config u '' '' o f 1\n"			/* 9 */
		  "package p '' \tc v\n"			/* 10 */
		  "option g 2 \\");				/* 11: EOF */
	TAP_CHECK(!ret && f && f->nr_secs == 3, "empty last words as uci reads them [%s]", err);
	if (f && f->nr_secs == 3) {
		TAP_CHECK(is(val(f, 0, "a", 0), "x") && is(val(f, 0, "b", 0), "y") &&
			  opt(f, 0, "b")->line == 3, "' \\' and a joined line: the next statement");
		TAP_CHECK(opt(f, 0, "l") && opt(f, 0, "l")->nr_values == 2 &&
			  is(val(f, 0, "l", 0), "i") && is(val(f, 0, "l", 1), "j"),
			  "list l 'i' '': one item; a join before an empty line");
		TAP_CHECK(is(val(f, 0, "c", 0), "z") && is(val(f, 0, "d", 0), "w") &&
			  opt(f, 0, "d")->line == 5 && is(val(f, 0, "e", 0), "v"),
			  "'' then a statement on the same line; ''#comment");
		TAP_CHECK(is(f->secs[1].type, "u") && !f->secs[1].name && is(val(f, 1, "f", 0), "1"),
			  "config u '' '' o f 1: an unnamed section and its option");
		TAP_CHECK(is(f->secs[2].type, "v") && is(val(f, 2, "g", 0), "2"),
			  "package p '' then c v; a join at the end of the file");
	}
	uci_free(f);
	fails("config t\nlist a 'b' '' \n", PATH ":2: blanks after an empty last word ('' or a "
	      "line join) at the end of the line: uci refuses this (invalid command); remove the "
	      "empty word", "'' then a blank at the end of the line");
	fails("config t\r\nlist a 'b' ''\r\n", PATH ":2: blanks after an empty last word ('' or "
	      "a line join) at the end of the line: uci refuses this (invalid command); remove the "
	      "empty word", "'' at the end of a CRLF line");
	fails("config t\noption a 'b' '' x y\n", PATH ":2: unknown statement 'x' after an empty "
	      "last word ('' or a line join): uci reads what follows it as the next statement "
	      "(config, option, list or package)", "not a statement after ''");
	fails("config t\noption a 'b' '' option\n", PATH ":2: 'option\\x0a' after an empty last "
	      "word ('' or a line join): uci reads it as the next statement and refuses it (invalid "
	      "command: no space or tab after the statement word)", "a bare keyword after ''");
	fails("config t\noption a 'b' '' ''\n", PATH ":2: unknown statement '''' after an empty "
	      "last word ('' or a line join): uci reads what follows it as the next statement "
	      "(config, option, list or package)", "two empty words");
	fails("config t\noption a 'b' \\\nc\n", PATH ":2: too many arguments for 'option'",
	      "a join whose next line starts with a word");
	fails("config t \\\n\toption a b\n", PATH ":1: too many arguments for 'config'",
	      "a join as the name: the next line's words are too many");

	/* d) bytes that are not printable ASCII are written \xNN. */
	fails("config t\noption 'a\nb' 1\n", PATH ":2: option name 'a\\x0ab': only letters, "
	      "digits and '_'", "a newline in a name is escaped");
	{
		struct uci_file *g = NULL;

		log_capture_begin(err, sizeof(err));
		ret = uci_parse("/tmp/a\nb", "x\n", 2, &g);
		log_capture_end();
		TAP_CHECK(ret == -EINVAL && !strcmp(err, "/tmp/a\\x0ab:1: unknown statement 'x' "
			  "(config, option, list or package)"), "the path is escaped too [%s]", err);
		uci_free(g);
	}
}

static void load(void)
{
	char path[] = "/tmp/xdpld-test-uci.XXXXXX";
	struct uci_file *f = NULL;
	char *buf;
	FILE *fp;
	int fd = mkstemp(path);

	if (fd < 0)
		return;
	fp = fdopen(fd, "w");
	fputs("config a\n\toption b 'c'\n", fp);
	fclose(fp);
	TAP_CHECK(!uci_load(path, &f) && f && !strcmp(f->path, path) && is(val(f, 0, "b", 0), "c"),
		  "uci_load reads a file");
	uci_free(f);

	/* Exactly 1 MiB is read; one byte more is refused. */
	buf = malloc(UCI_MAX_FILE + 1);
	memset(buf, '\n', UCI_MAX_FILE + 1);
	memcpy(buf, "config a\n", 9);
	fp = fopen(path, "w");
	fwrite(buf, 1, UCI_MAX_FILE, fp);
	fclose(fp);
	f = NULL;
	TAP_CHECK(!uci_load(path, &f) && f && f->nr_secs == 1, "uci_load: a file of 1 MiB");
	uci_free(f);
	fp = fopen(path, "w");
	fwrite(buf, 1, UCI_MAX_FILE + 1, fp);
	fclose(fp);
	free(buf);
	f = NULL;
	log_capture_begin(err, sizeof(err));
	ret = uci_load(path, &f);
	log_capture_end();
	TAP_CHECK(ret == -EINVAL && !f && strstr(err, path) && strstr(err, ": larger than 1048576 bytes"),
		  "uci_load refuses 1 MiB + 1 byte [%s]", err);

	/* A syntax error names the file as given. */
	fp = fopen(path, "w");
	fputs("config a\n\n  option b 'c\n", fp);
	fclose(fp);
	log_capture_begin(err, sizeof(err));
	ret = uci_load(path, &f);
	log_capture_end();
	TAP_CHECK(ret == -EINVAL && !strncmp(err, path, strlen(path)) &&
		  !strcmp(err + strlen(path), ":3: unterminated quote"), "uci_load: error with FILE:LINE [%s]", err);
	unlink(path);

	log_capture_begin(err, sizeof(err));
	ret = uci_load(path, &f);
	log_capture_end();
	TAP_CHECK(ret == -ENOENT && !f && strstr(err, path), "uci_load: a missing file is -ENOENT [%s]", err);
	log_capture_begin(err, sizeof(err));
	ret = uci_load("/tmp", &f);
	log_capture_end();
	TAP_CHECK(ret == -EINVAL && !f && !strcmp(err, "/tmp: not a regular file"),
		  "uci_load: a directory is refused [%s]", err);
}

int main(void)
{
	log_set_level(LOG_LVL_ERR);
	basics();
	words();
	semantics();
	line_ends();
	errors();
	like_uci();
	load();
	return tap_done();
}
