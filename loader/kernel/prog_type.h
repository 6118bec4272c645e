/* The section-type override for legacy program section names (`--type xdp`,
 * like bpftool's `prog load ... type xdp`).  Older XDP objects put their
 * programs in sections such as "xdp_prog" or "prog", which no program type
 * is derived from.  The override renames each such section of an object in
 * memory to "TYPE/<old name>" ("xdp/xdp_prog"), in the section table and in
 * .BTF.ext, so that everything after it (entry-program search, linking,
 * loading, a written linked object) sees an ordinary typed section and
 * needs no further option.  Sections whose type is already known keep it. */
#ifndef XDPLD_PROG_TYPE_H
#define XDPLD_PROG_TYPE_H

#include <stddef.h>

struct obj;

/* 0 when type is a section type programs can be given ("xdp",
 * "xdp.frags", "tc", ...); -EINVAL (logged, naming `what`) otherwise. */
int prog_type_check(const char *what, const char *type);

/* Renames o's program sections of unknown type to "TYPE/<name>"; *nr (may
 * be NULL) gets how many.  type must have passed prog_type_check. */
int obj_retype_programs(struct obj *o, const char *type, size_t *nr);

#endif
