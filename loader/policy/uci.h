/* xdpld's own reader of UCI files (/etc/config/xdpld): no libuci.
 *
 * It accepts a subset of what OpenWrt's libuci parses (file.c, list.c,
 * util.c) in strict mode (`uci show`; `uci -S` skips bad lines instead),
 * and what it accepts means what it means to uci; the rest is an error
 * "PATH:LINE: what", never a different reading.  Where uci's behaviour is
 * a corner this reader does not follow byte for byte, it refuses the file
 * rather than guess.  Every byte of a message that is not printable ASCII,
 * from the file or its path, is written \xNN (a newline is \x0a).
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
 *   forms c, o, l and p, and a space or tab must end it (uci splits it off
 *   with strtok(" \t")): "config" followed by a CR, VT or FF is one unknown
 *   word to uci ("invalid command"), and an error here.  Anything else is
 *   "unknown statement".  option/list before the first config is an error.
 *   One word more than the statement takes is an error ("too many
 *   arguments") unless it is empty, as uci's assert_eol has it:
 *     - an empty last word ('' or "") is dropped, and so is a line join
 *       (" \" at the end of a line) whose next line starts with a blank;
 *     - then uci reads the rest of the line (after the one byte that ended
 *       the empty word, and spaces and tabs) as the next statement, as if
 *       it stood on a line of its own:
 *           option device 'wan0' \
 *           option mode 'native'
 *       sets device and mode (LuCI and init scripts load such files); the
 *       rest may also be empty or a comment.  Its statement word must be a
 *       keyword followed by a space or tab: anything else, also blanks then
 *       the end of the line ("list a 'b' '' " or a CRLF line ending in ''),
 *       uci refuses (invalid command), and so does this reader.
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
 *   - an unnamed section has a name to uci too, its id "cfgIITTTT": II is
 *     the section's 1-based index among all sections of the file (named
 *     and unnamed, in the order they first appear) as at least two hex
 *     digits, TTTT the low 16 bits of djbhash(TYPE) as four (hash = 5381,
 *     then hash = hash * 33 + byte for each byte of TYPE; libuci's
 *     uci_fixup_section, run by uci_add_section when the parser opens the
 *     section, before it has options).  The first section of a file,
 *     `config pipeline`, is cfg01cf1b.  A later `config pipeline cfg01cf1b`
 *     continues that section, as in uci (libuci looks a name up among all
 *     sections, the first match wins); it stays unnamed (NULL name), as it
 *     stays anonymous to uci (`uci show`: @pipeline[0]).  uci_section_id
 *     gives the id;
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

#define UCI_ID_LEN		16	/* "cfg" + %02x index + %04x hash + NUL */

struct uci_section {
	char *type;
	char *name;			/* NULL: anonymous */
	char id[UCI_ID_LEN];		/* anonymous: uci's id for it ("cfg01cf1b") */
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
/* uci's name for s: its name, or for an anonymous section its id. */
const char *uci_section_id(const struct uci_section *s);
/* The option called name in s, or NULL. */
const struct uci_option *uci_option(const struct uci_section *s, const char *name);

#endif
