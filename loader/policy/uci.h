/* xdpld's own reader of UCI files (/etc/config/xdpld): no libuci.
 *
 * It accepts a subset of what OpenWrt's libuci parses (file.c, list.c,
 * util.c) in strict mode (`uci show`; `uci -S` skips bad lines instead),
 * and what it accepts means what it means to uci; the rest is an error
 * "PATH:LINE: what", never a different reading.  (Two harmless
 * differences: a VT or FF may end the statement word, where uci wants a
 * space or tab; and uci lets one trailing '' word pass, xdpld refuses it.)
 *
 * Lines and statements
 *   One statement per line; blank lines and lines starting with '#' are
 *   skipped.  Whitespace is space, tab, CR, VT and FF, so CRLF files read
 *   like LF files (as in uci).  A '#' outside quotes, even inside a word,
 *   starts a comment up to the end of the line.  A physical line holds at
 *   most UCI_MAX_LINE bytes and no NUL byte (uci would silently cut the line).
 *   The last line needs no newline.
 *     config TYPE [NAME]     starts a section; NAME '' or none: anonymous
 *     option NAME [VALUE]    sets NAME; a later option NAME replaces it
 *     list NAME [VALUE]      appends VALUE to the list NAME
 *     package NAME           accepted and ignored
 *   The statement word is a plain word (no quotes), as are uci's one-letter
 *   forms c, o, l and p.  Anything else is "unknown statement".
 *   option/list before the first config is an error; more words than the
 *   statement takes are an error ("too many arguments").
 *
 * Words (TYPE, NAME, VALUE)
 *   Parts written next to each other make one word: a'b c'"d" is "ab cd".
 *   - bare part: up to whitespace, '#' or end of line; \X stands for X (any
 *     byte: \' \" \# \\ and "\ "), there are no C escapes (\n is "n");
 *   - '...': every byte as written, no escapes;
 *   - "...": \X stands for X as above ("\n" is "n", "\"" is '"');
 *   - a backslash right before the end of a line (LF or CRLF), bare or in
 *     "...", joins the next line (both dropped);
 *   - a quoted part may span lines: the newline (and a CR before it) is
 *     part of the value;
 *   - an unquoted ';' is an error: uci reads it as a statement separator
 *     but then drops the rest of the line after some words, so it is not
 *     accepted in any form (quote it to have it in a value).
 *   Unterminated quotes are an error at the line where the quote opened.
 *
 * Names (uci's rules)
 *   section NAME and option NAME: letters, digits, '_' (no '-'); section
 *   TYPE: printable ASCII without space (33..126); package NAME: letters,
 *   digits, '_', '-'.  TYPE and option NAME must not be empty.
 *
 * Meaning (as libuci builds it)
 *   - option NAME with an empty or missing VALUE does nothing at all: it
 *     neither creates NAME nor clears an earlier value (uci_set ignores it);
 *   - a repeated option keeps the later value and its line;
 *   - list appends, also '' (a list item may be empty); list after option
 *     NAME turns it into a list [old value, new value]; option after list
 *     NAME replaces the list by that one value;
 *   - a named section given again continues the first one (its options are
 *     merged, its line stays the first); with another TYPE it is an error;
 *   - opts keep the order in which each NAME first appeared (uci moves a
 *     replaced option to the end; xdpld does not depend on that order).
 *
 * Limits: UCI_MAX_SECTIONS sections, UCI_MAX_OPTIONS options per section,
 * UCI_MAX_VALUES items per list, uci_load reads files up to UCI_MAX_FILE. */
#ifndef XDPLD_UCI_H
#define XDPLD_UCI_H

#include <stdbool.h>
#include <stddef.h>

#define UCI_MAX_LINE		4096u
#define UCI_MAX_SECTIONS	1024u
#define UCI_MAX_OPTIONS		256u
#define UCI_MAX_VALUES		4096u
#define UCI_MAX_FILE		(1u << 20)

struct uci_option {
	char *name;
	unsigned int line;		/* where it was (last) set */
	bool is_list;
	char **values;			/* one for an option, any number for a list */
	unsigned int *lines;		/* where each value was given */
	size_t nr_values;
};

struct uci_section {
	char *type;
	char *name;			/* NULL: anonymous */
	unsigned int line;
	struct uci_option *opts;
	size_t nr_opts;
};

struct uci_file {
	char *path;			/* as given: used in every message */
	struct uci_section *secs;
	size_t nr_secs;
};

/* Parses text (len bytes, need not be NUL-terminated); errors are logged as
 * "PATH:LINE: what" (pr_err from log.h) and returned as -EINVAL; -ENOMEM
 * when out of memory. */
int uci_parse(const char *path, const char *text, size_t len, struct uci_file **out);
/* Reads and parses a file (at most UCI_MAX_FILE bytes). */
int uci_load(const char *path, struct uci_file **out);
void uci_free(struct uci_file *f);
/* The option called name in s, or NULL. */
const struct uci_option *uci_option(const struct uci_section *s, const char *name);

#endif
