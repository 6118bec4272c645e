/* Map definitions read from an object: BTF-defined maps in ".maps" (the
 * __uint/__type/__array convention of bpf_helpers.h) and legacy
 * struct bpf_map_def entries in "maps".  Shared by inspect, the linker's
 * extern-map checks and the kernel loader. */
#ifndef XDPLD_MAPDEF_H
#define XDPLD_MAPDEF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct obj;

/* Initial contents of a prog array or map-in-map (".values" relocations). */
struct map_init_slot {
	uint32_t index;		/* slot in the outer map */
	uint32_t sym;		/* obj symbol of the program or map placed there */
};

struct map_def {
	char *name;		/* symbol name */
	uint32_t sym;		/* its index in obj->syms */
	uint32_t sec;		/* ".maps" or "maps" section index */
	bool legacy;		/* from "maps" (struct bpf_map_def) */
	bool is_extern;		/* undefined symbol: declared here, defined elsewhere */
	uint32_t type, key_size, value_size, max_entries, map_flags;
	uint32_t numa_node;
	uint64_t map_extra;
	uint32_t pinning;	/* 0 none, 1 LIBBPF_PIN_BY_NAME */
	uint32_t btf_key_type_id, btf_value_type_id;	/* 0 when unknown */
	struct map_def *inner;	/* inner map template for map-in-map, or NULL */
	struct map_init_slot *init;	/* initial slots, for prog arrays / map-in-map */
	size_t nr_init;
};

/* All map definitions in o, in symbol order.  Errors name the file, section
 * and map.  Caller frees with map_defs_free. */
int obj_map_defs(const struct obj *o, struct map_def **defs, size_t *nr);
void map_defs_free(struct map_def *defs, size_t nr);

/* 0 when a and b describe the same map for linking purposes (type, key/value
 * size, max_entries, flags, pinning, inner map); otherwise -EINVAL and *why is
 * set to a static string naming the first field that differs. */
int map_def_compat(const struct map_def *a, const struct map_def *b, const char **why);
const char *map_type_name(uint32_t type);	/* "hash", "lpm_trie", ... */

#endif
