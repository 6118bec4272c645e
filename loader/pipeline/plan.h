/* The plan: one typed description of a pipeline on one interface, what is
 * wanted (from the command line, later from the UCI manifest) and what runs
 * (read back from the bpffs record).  It is the only parser of `OBJ:PROG`
 * and `SLOT=ACTIONS`, the only writer and reader of the record, and says
 * what changes between two plans (plan_diff): attach, relink, restore and
 * status all go through it.  See docs/pipeline.md ("The plan"). */
#ifndef XDPLD_PLAN_H
#define XDPLD_PLAN_H

#include "base/sha256.h"
#include "kernel/nic.h"
#include "link/rootlet.h"

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PLAN_RECORD_FORMAT	"xdpld-pipeline-2"
#define PLAN_RECORD_FORMAT_V1	"xdpld-pipeline-1"	/* read: static pipelines only */
#define PLAN_MAX_MAPS		4096u
#define PLAN_TIME_LEN		24	/* "2025-01-31T12:00:00Z" */
#define PLAN_PIN_LEN		65

/* Where a slot's continue mask came from. */
enum plan_mask_from {
	PLAN_MASK_UNSET,	/* not resolved yet: the module's run config decides */
	PLAN_MASK_DEFAULT,	/* XDP_PASS: no option, no run config */
	PLAN_MASK_RUNCFG,	/* the module's libxdp .xdp_run_config */
	PLAN_MASK_OPTION,	/* --continue-on (or the manifest) */
};

struct plan_slot {
	char *path;		/* absolute, resolved */
	char *label;		/* module name: file name without ".o"; names its map pins */
	char *prog;		/* entry program; NULL until resolved (the only one) */
	char sha256[SHA256_HEX_LEN];	/* "" until the file is read */
	uint32_t continue_mask;
	enum plan_mask_from mask_from;
	/* What runs (records only; 0 / "" in a wanted plan): */
	uint32_t prog_id;	/* tailcall, freplace: the module's entry program */
	uint32_t target;	/* freplace: rootlet target it is attached to, 0 or 1 */
	uint32_t relinks;	/* re-links since the pipeline was attached */
	char relinked[PLAN_TIME_LEN];	/* time of the last re-link, "" never */
	/* How the module is read and linked (wanted and recorded): */
	char *prefix;		/* --prefix MODULE=PFX; NULL: from the file name */
	char *type;		/* --type: section type of legacy sections; NULL: none */
	/* Wanted plans only, not recorded: "FILE:LINE" of the manifest's module
	 * section, so that errors name it; NULL: from the command line. */
	char *origin;
};

/* A --rename rule of the pipeline: link's [OBJ:]OLD=NEW with the module
 * name for OBJ.  It changes names only where modules are linked together
 * (static backend); the others load each module on its own. */
struct plan_rename {
	char *module;		/* label; NULL: every module defining old_name */
	char *old_name;
	char *new_name;
};

/* A map of the pipeline pinned in the interface's state directory. */
struct plan_map {
	char *name;		/* name in the loaded object(s) */
	char pin[PLAN_PIN_LEN];	/* pin name in the state directory */
	uint32_t id;
	char *module;		/* label of the module it belongs to; NULL: rootlet, global data */
};

struct plan {
	char ifname[IF_NAMESIZE];
	/* 0: not resolved yet (pipeline_apply resolves it once), or a record
	 * read while the NIC is gone; a caller that resolved it sets it. */
	int ifindex;
	enum nic_mode mode;
	enum rootlet_backend backend;
	bool backend_auto;	/* pick the best backend the kernel supports */
	bool counters;
	bool no_flatten;	/* static backend: keep the slots as calls (--no-flatten) */
	bool managed;		/* applied from the manifest (apply detaches it when gone) */
	char pipeline[64];	/* managed: the manifest's pipeline section name */
	struct plan_slot *slots;
	size_t nr_slots;
	struct plan_rename *renames;	/* in the order given */
	size_t nr_renames;
	bool no_rename;		/* --no-rename: a name two modules define is an error */
	/* Records only: */
	uint32_t prog_id;	/* the rootlet program */
	char time[PLAN_TIME_LEN];	/* when the rootlet was attached */
	struct plan_map *maps;
	size_t nr_maps;
	/* A re-link in flight (written before the swap, cleared after): on the
	 * next read the kernel's slot says whether it happened. */
	bool has_pending;
	uint32_t pending_index;
	struct plan_slot pending;
	struct plan_map *pending_maps;	/* the pending module's maps */
	size_t nr_pending_maps;
};

/* Naming options as `xdpld link` takes them, for attach and relink
 * (MODULE: a module name, or the object's path or file name). */
struct plan_naming_args {
	char *const *renames;		/* "[MODULE:]OLD=NEW" */
	size_t nr_renames;
	char *const *prefixes;		/* "MODULE=PFX" */
	size_t nr_prefixes;
	bool no_rename;
	const char *type;		/* --type for every module; NULL: none */
};

/* What attach is asked for on the command line (or by the manifest). */
struct plan_args {
	const char *ifname;
	char *const *modules;		/* "OBJ" or "OBJ:PROG", in slot order */
	size_t nr_modules;
	char *const *continue_on;	/* "SLOT=ACTIONS"; SLOT: index, module name or "all" */
	size_t nr_continue_on;
	enum nic_mode mode;
	const char *backend;		/* NULL or "auto": the best the kernel supports */
	bool counters;
	bool no_flatten;		/* --no-flatten */
	struct plan_naming_args naming;
};

void plan_init(struct plan *p);
void plan_free(struct plan *p);
void plan_slot_free(struct plan_slot *s);
void plan_maps_free(struct plan_map *maps, size_t nr);
/* pl's map list with module label's entries replaced by maps[nr] (moved). */
int plan_replace_module_maps(struct plan *pl, const char *label, struct plan_map *maps,
			     size_t nr);
int plan_slot_copy(struct plan_slot *dst, const struct plan_slot *src);
/* The slot of p that runs module label, NULL: none (labels are unique). */
const struct plan_slot *plan_slot_by_label(const struct plan *p, const char *label);

/* Builds the wanted plan from arguments: module paths resolved (the files
 * must exist), labels, entry programs where given, masks from
 * --continue-on (mask_from PLAN_MASK_OPTION); other masks stay UNSET until
 * the modules are read.  Errors name the argument. */
int plan_from_args(const struct plan_args *a, struct plan *out);
/* "OBJ" or "OBJ:PROG" into slot s (path, label, prog): an existing file
 * named like the whole argument wins over the split. */
int plan_slot_from_arg(const char *arg, struct plan_slot *s);
/* Slot s for the object at path (resolved), entry program prog (NULL: the
 * only one) and module name label (NULL: the file name without ".o"). */
int plan_slot_set(struct plan_slot *s, const char *path, const char *prog, const char *label);
/* Applies "SLOT=ACTIONS" to p's slots. */
int plan_apply_continue(struct plan *p, const char *arg);

/* plan_naming.c: the naming rules of a plan. */
/* Adds "[MODULE:]OLD=NEW"; MODULE must name one of p's slots (label, path
 * or file name) and is stored as its label; only_label (may be NULL)
 * refuses other modules (relink) and is what an unqualified rule gets. */
int plan_add_rename(struct plan *p, const char *arg, const char *only_label);
/* "MODULE=PFX" into that slot's prefix (only_label as above). */
int plan_set_prefix(struct plan *p, const char *arg, const char *only_label);
/* Sets slot i's section type (checked; NULL clears). */
int plan_set_type(struct plan *p, size_t i, const char *type);
/* Applies naming options to p: all slots (attach), or, with only_label,
 * that module's (relink: each kind of option given replaces the module's
 * rules of that kind; unqualified rules are the module's). */
int plan_apply_naming(struct plan *p, const struct plan_naming_args *a, const char *only_label);
void plan_renames_free(struct plan_rename *r, size_t nr);
/* Whether the rules for module label (NULL: the unqualified ones and
 * no_rename) are the same in a and b. */
bool plan_naming_same(const struct plan *a, const struct plan *b, const char *label);
/* A name for a rule: [A-Za-z_][A-Za-z0-9_]* (allow_dot: '.' too, for
 * existing names), at most 127 characters. */
bool plan_name_ok(const char *s, bool allow_dot);
/* Replaces a's rename rules and no_rename with copies of b's. */
int plan_naming_adopt(struct plan *a, const struct plan *b);

/* The record text of p (mode: the mode it runs in). */
int plan_record_format(const struct plan *p, char **text);
/* Parses and validates a record (untrusted).  A bad map entry is skipped
 * with a warning naming where (the rest still counts); anything else that
 * is wrong fails with a message naming `where` and the key. */
int plan_record_parse(const char *ifname, const char *where, const char *text,
		      struct plan *out);

const char *plan_mask_from_name(enum plan_mask_from f);
/* "pass,tx" or "none" into buf. */
void plan_mask_str(uint32_t mask, char *buf, size_t len);
/* Strict decimal u32. */
int plan_parse_u32(const char *s, uint32_t *v);
/* Current UTC time as in records. */
void plan_now(char out[PLAN_TIME_LEN]);

/* Per-slot changes from one plan to the next. */
enum {
	PLAN_SLOT_CODE = 1,	/* another module, file or entry program */
	PLAN_SLOT_MASK = 2,	/* another continue mask */
	PLAN_SLOT_ADDED = 4,
	PLAN_SLOT_REMOVED = 8,
};

struct plan_diff {
	/* The rootlet itself must be rebuilt (and swapped over netlink): no
	 * old plan, other slot count, backend, mode, counters, a mask (masks
	 * are rootlet constants), another module (label) in a slot, or any
	 * change with the static backend. */
	bool layout_changed;
	const char *why;	/* what made the layout change, for messages */
	size_t nr_slots;	/* max of both plans' slots */
	unsigned int change[ROOTLET_MAX_SLOTS];
	size_t nr_code;		/* slots with PLAN_SLOT_CODE only (swappable) */
};

/* old may be NULL (nothing runs).  Both plans' slots must be resolved
 * (sha256, prog, masks) for a meaningful answer. */
void plan_diff(const struct plan *old, const struct plan *want, struct plan_diff *d);

#endif
