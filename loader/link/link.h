/* Static linking of BPF objects into one, with renaming of conflicting
 * globals and aliasing of entry programs onto placeholder functions.
 *
 * Resolution follows libbpf's linker: static symbols never conflict; strong
 * beats weak in either order; the first of two weaks wins; externs resolve
 * by name against a definition in either direction; an extern map must match
 * its definition.  Where libbpf stops at two strong definitions of a name,
 * xdpld renames them (unless no_rename): every conflicting definition gets
 * its object's prefix, consistently in symbols, relocations, BTF (FUNC, VAR,
 * DATASEC) and .BTF.ext. */
#ifndef XDPLD_LINK_H
#define XDPLD_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct obj;

/* --rename [OBJ:]OLD=NEW.  obj NULL: applies to every input defining OLD.
 * OBJ matches an input's path or its basename. */
struct link_rename {
	const char *obj;
	const char *old_name;
	const char *new_name;
};

/* --prefix OBJ=PFX: the prefix used for OBJ's auto-renamed symbols. */
struct link_prefix {
	const char *obj;
	const char *prefix;
};

struct link_opts {
	const struct link_rename *renames;
	size_t nr_renames;
	const struct link_prefix *prefixes;
	size_t nr_prefixes;
	bool no_rename;		/* conflicting strong definitions are an error */
	bool allow_unresolved;	/* keep unresolved externs (partial link) */
	/* The output's name in messages (and the stem of its data maps'
	 * kernel names), e.g. the -o path.  NULL: the inputs' file names
	 * joined by '+' ("fw_acme.o+fw_bolt.o"). */
	const char *out_name;
	/* Inline the programs' bpf-to-bpf calls where possible (link_flatten). */
	bool flatten;
};

/* One entry of the final name mapping (what was renamed to what). */
struct link_name_map {
	const char *obj;	/* input path */
	const char *kind;	/* "function", "program", "map", "variable" */
	char *old_name;
	char *new_name;
	bool explicit_rule;	/* from --rename, not automatic */
};

struct link_result {
	struct obj *out;
	struct link_name_map *names;
	size_t nr_names;
};

/* Inputs are not modified.  On error nothing is returned and the message
 * names the file, section and symbol involved. */
int link_objects(struct obj *const *in, size_t nr_in, const struct link_opts *opts,
		 struct link_result *res);
/* Flattening (link_flatten.c): in every program of o (a global function
 * outside .text), each bpf-to-bpf call is replaced by a copy of the
 * callee's body, recursively, in its own stack area; calls that cannot be
 * inlined (tail calls or callbacks in the callee, global functions with
 * arguments, recursion, CO-RE, over 512 bytes of stack) stay calls and -v
 * says why.  Negative errno only for hard errors (memory). */
int link_flatten(struct obj *o);
void link_result_free(struct link_result *res);
/* The mapping as text: "OBJ KIND OLD NEW" per line, sorted as produced. */
int link_write_name_map(const struct link_result *res, FILE *f);

#endif
