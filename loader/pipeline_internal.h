/* Shared between pipeline.c (build, attach), pipeline_state.c (pins,
 * record, roll-back, detach) and pipeline_status.c. */
#ifndef XDPLD_PIPELINE_INTERNAL_H
#define XDPLD_PIPELINE_INTERNAL_H

#include "link.h"
#include "nic.h"
#include "pipeline.h"
#include "sha256.h"

#include <stdint.h>

struct obj;
struct loaded_obj;
struct load_map_reuse;

/* At most this many maps are read back from a record. */
#define PIPELINE_MAX_MAPS	4096u

/* One map a module defines: its own name and its name after linking. */
struct pipeline_mod_map {
	char *orig;
	char *linked;
};

struct pipeline_module {
	char *path;		/* absolute path: unique, used as the link input name */
	char *label;		/* basename without ".o": names the slot in messages */
	char *prog;		/* entry program */
	char sha256[SHA256_HEX_LEN];
	uint32_t continue_mask;
	const char *mask_from;	/* "option", "run-config" or "default" */
	uint32_t priority;	/* libxdp run-config priority (default 50) */
	bool has_priority;	/* the run config set it */
	struct obj *obj;
	struct pipeline_mod_map *maps;	/* filled after linking */
	size_t nr_maps;
};

struct pipeline {
	const char *ifname;
	struct pipeline_module *mods;
	size_t nr_mods;
	bool counters;
	enum nic_mode mode;
	int ifindex;
	struct obj *rootlet;
	struct link_result linked;
	struct loaded_obj *lo;
	int prog_fd;		/* the rootlet entry program (owned by lo) */
	uint32_t prog_id;
};

/* One pin of a pipeline: name in the state directory and an fd. */
struct pipeline_pin {
	char name[65];
	int fd;			/* owned by whoever filled the array */
	uint32_t id;
	const char *obj_name;	/* map name in the linked object (new pins only) */
};

/* What was there before an attach, to put back if committing fails. */
struct pipeline_prev {
	char *record;		/* NULL: none */
	struct pipeline_pin *pins;	/* our earlier pins, with open fds */
	size_t nr_pins;
	int prog_fd;		/* program attached before (ours or foreign), -1: none */
	uint32_t prog_id;
	bool ours;		/* prog_fd is the program our record names */
};

/* pipeline_maps.c */
/* Which module defines each map of the linked pipeline (p->mods[].maps). */
int pipeline_maps_resolve(struct pipeline *p);
/* The stable pin name of a map of the linked object: "<module>-<map>" for
 * a module's map, the (sanitized) linked name for the rootlet's maps and
 * global data.  At most 64 characters of [A-Za-z0-9_-]. */
void pipeline_map_pin_name(const struct pipeline *p, const char *linked, char out[65]);
/* After loading: 0, or -EEXIST (logged, naming both maps and modules) when
 * two maps of p->lo would get one pin name, or a map "record"/"rootlet". */
int pipeline_pins_check(const struct pipeline *p);
/* Maps of the previous attach (prev's pins) to reuse for p's module maps:
 * each compatible one; an incompatible one is left out with a warning.
 * Never kept: prog arrays and map-in-maps with initial slots (they hold
 * this load's code), and any map when hw mode is entered or left.
 * fds in *out are borrowed from prev. */
int pipeline_maps_reuse(const struct pipeline *p, const struct pipeline_prev *prev,
			struct load_map_reuse **out, size_t *nr);

/* pipeline_state.c */
int pipeline_prev_save(const char *ifname, struct pipeline_prev *prev);
void pipeline_prev_free(struct pipeline_prev *prev);
/* After a successful attach: pins and record; on failure rolls back to
 * prev (attachment and pins) and returns the error. */
int pipeline_commit(struct pipeline *p, enum nic_mode mode, const struct pipeline_prev *prev);
/* "pass,tx" or "none" into buf. */
void pipeline_mask_str(uint32_t mask, char *buf, size_t len);
/* Strict decimal u32. */
int pipeline_parse_u32(const char *s, uint32_t *v);
/* Record value of "slot.<i>.<field>" / "map.<i>.<field>". */
int pipeline_record_field(const char *rec, const char *kind, uint32_t i,
			  const char *field, char *buf, size_t len);

#endif
