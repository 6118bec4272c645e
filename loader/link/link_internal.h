/* Shared state of the static linker's stages (link.c drives them):
 *   link_rename.c   explicit --rename rules, automatic renaming of conflicts
 *   link_pin.c      maps pinned by name: one map for identical definitions
 *   link_resolve.c  symbol collection, resolution, extern checks, aliasing
 *   link_types.c    BTF type checks of externs and weak definitions
 *   link_layout.c   where every input byte goes: kept, moved to .text, dropped
 *   link_merge.c    output sections, symbols and relocations
 *   link_btf.c      merged .BTF and .BTF.ext
 *   link_flatten.c  optional last stage (link_opts.flatten): calls inlined;
 *                   works on any object, so it is declared in link.h
 *   link_names.c    helpers the stages share (kind and file names, what
 *                   counts as a strong definition, a symbol's map definition)
 * Nothing here is visible outside the linker. */
#ifndef XDPLD_LINK_INTERNAL_H
#define XDPLD_LINK_INTERNAL_H

#include "link.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct obj;
struct map_def;

enum lsym_kind { LK_FUNCTION, LK_PROGRAM, LK_MAP, LK_VARIABLE };

/* One non-local named symbol of one input. */
struct lsym {
	uint32_t in, sym;	/* input index, symbol index in it */
	const char *orig;	/* the input's name */
	char *name;		/* the name it links under (after renaming) */
	enum lsym_kind kind;
	bool defined, weak;
	bool special;		/* in "license"/"version": first one wins, no conflict */
	bool dup_special;	/* special, in an input whose copy of the section is
				 * not kept: no output symbol (as with libbpf) */
	bool load_time;		/* a .kconfig/.ksyms extern: the loader resolves it */
	bool pinned;		/* a map definition with pinning LIBBPF_PIN_BY_NAME */
	bool pin_shared;	/* pinned, and the same map as an earlier input's
				 * pinned definition of its name: resolves to it */
	bool renamed_by_rule;
	bool called;		/* some call instruction targets it */
	int winner;		/* lsym index of the definition it resolves to, -1: none */
	bool move_to_text;	/* winner entry program aliased onto a called name */
	bool drop;		/* losing definition: its bytes are cut out */
	uint8_t vis;		/* the group's visibility: the strictest of its members */
	int out_sym;		/* output symbol index */
};

enum piece_action { PIECE_KEEP, PIECE_MOVE, PIECE_DROP };

/* A byte range of one input section and where it went. */
struct piece {
	uint64_t start, end;
	enum piece_action action;
	uint32_t out_sec;
	uint64_t out_off;
};

struct sec_layout {
	struct piece *pieces;
	size_t nr;
};

struct link_ctx {
	struct obj *const *in;
	size_t nr_in;
	const struct link_opts *opts;
	char **prefixes;		/* per input */
	struct map_def **defs;		/* per input map definitions */
	size_t *nr_defs;

	struct lsym *syms;
	size_t nr_syms;
	int **sym_lsym;			/* per input: symbol index -> lsym, -1 for locals */

	struct sec_layout **layout;	/* per input, per section */
	struct obj *out;
	int *sec_sym;			/* output section -> its STT_SECTION symbol */
	int **sym_out;			/* per input: local symbol -> output symbol, -1 */

	struct link_name_map *names;
	size_t nr_names;
};

/* link_names.c */
/* "function", "program", "map", "variable". */
const char *link_kind_name(enum lsym_kind k);
/* The file name part of a path. */
const char *link_basename(const char *path);
/* A strong definition that takes part in conflicts: not weak, not a
 * license/version variable, not a pinned map shared with an earlier
 * input's (link_share_pinned). */
bool link_strong_def(const struct lsym *s);
/* s's map definition (c->defs), NULL when it has none. */
const struct map_def *link_map_def(const struct link_ctx *c, const struct lsym *s);
/* s is a .maps definition with pinning LIBBPF_PIN_BY_NAME. */
bool link_is_pinned_def(const struct link_ctx *c, const struct lsym *s);

/* link_resolve.c */
int link_collect_syms(struct link_ctx *c);
/* Indices of c->syms sorted by link name, then input order; caller frees. */
int *link_sorted_syms(const struct link_ctx *c);
/* Calls fn on every group of symbols sharing a link name that has at
 * least two strong definitions (link_strong_def), in name order. */
int link_for_each_conflict(struct link_ctx *c, void *arg,
			   int (*fn)(struct link_ctx *c, const int *g, size_t n, void *arg));
int link_resolve(struct link_ctx *c);

/* link_types.c: 0 when extern/weak s and its definition w have compatible
 * BTF types (or either has none); otherwise logs both files and -EINVAL. */
int link_check_types(const struct link_ctx *c, const struct lsym *s, const struct lsym *w);

/* link_pin.c: in every name group with several strong definitions, the
 * maps pinned by name (LIBBPF_PIN_BY_NAME) keep the name; identical ones
 * are one map (the later ones get pin_shared), different ones an error.
 * Nothing is done with --no-rename (libbpf's linker refuses them too). */
int link_share_pinned(struct link_ctx *c);

/* link_rename.c */
int link_make_prefixes(struct link_ctx *c);
int link_apply_rules(struct link_ctx *c);
int link_rename_conflicts(struct link_ctx *c);

/* link_layout.c */
int link_layout(struct link_ctx *c);
/* Where input byte (in, sec, off) ended up; -ENOENT if it was dropped. */
int link_map_addr(const struct link_ctx *c, uint32_t in, uint32_t sec, uint64_t off,
		  uint32_t *out_sec, uint64_t *out_off);

/* link_merge.c */
int link_merge_syms(struct link_ctx *c);
int link_merge_relocs(struct link_ctx *c);

/* link_btf.c */
int link_merge_btf(struct link_ctx *c);

#endif
