/* Shared between the pipeline's files, each using only those listed before
 * it here: pipeline_desc.c (how load errors name a module's program),
 * pipeline_names.c (which module owns which map, pin names),
 * pipeline_record.c (the record), pipeline_settle.c (what the kernel's
 * slots run, an interrupted re-link settled), pipeline_prev.c (what ran
 * before), pipeline_maps.c (maps kept across attaches), pipeline_state.c
 * (new pins, commit with roll-back, detach), pipeline_slots.c (tailcall,
 * chain and freplace: rootlet and modules loaded apart, slot swaps),
 * pipeline_report.c (messages, --dry-run, apply's result), pipeline_modules.c (open, hash,
 * entry), pipeline_build.c (rootlet, static link and load), then the
 * executor of a plan diff (pipeline.c), pipeline_relink.c,
 * pipeline_restore.c, pipeline_view.c (one interface as status shows it),
 * pipeline_status.c and pipeline_metrics.c. */
#ifndef XDPLD_PIPELINE_INTERNAL_H
#define XDPLD_PIPELINE_INTERNAL_H

#include "kernel/nic.h"
#include "link/link.h"
#include "pipeline.h"
#include "plan.h"

#include <stdint.h>

struct obj;
struct loaded_obj;
struct load_map_reuse;

/* One map a module defines: its own name and its name after linking. */
struct pipeline_mod_map {
	char *orig;
	char *linked;
};

struct pipeline_module {
	struct plan_slot *s;	/* in p->plan: path, label, prog, sha256, mask */
	uint32_t priority;	/* libxdp run-config priority (default 50) */
	bool has_priority;	/* the run config set it */
	struct obj *obj;
	/* static: the module's maps by linked name (filled after linking) */
	struct pipeline_mod_map *maps;
	size_t nr_maps;
	/* tailcall, freplace: the module loaded on its own; chain: its slot
	 * program (the module linked with its slot wrapper) */
	struct loaded_obj *lo;
	int prog_fd;		/* its entry program (owned by lo) */
	int link_fd;		/* freplace: the link to its rootlet target; -1 */
	bool loaded;		/* this run loaded it (not kept from before) */
	bool code_changed;	/* another module than what runs in its slot */
};

struct pipeline {
	struct plan *plan;	/* wanted; slots resolved by pipeline_open_modules */
	const char *ifname;
	struct pipeline_module *mods;
	size_t nr_mods;
	bool counters;
	enum nic_mode mode;
	int ifindex;
	struct obj *rootlet;
	struct link_result linked;	/* static only */
	struct loaded_obj *lo;	/* static: the whole pipeline; others: the rootlet */
	int prog_fd;		/* the rootlet entry program (owned by lo) */
	uint32_t prog_id;
	/* relink: the one slot whose file is read (with tailcall, freplace)
	 * and whose mask is kept; -1 none */
	int strict_slot;
	/* Slots whose code changes must find their kept maps compatible
	 * (relink, apply), or start them empty with reset_state; otherwise an
	 * incompatible map only warns and starts empty (attach). */
	bool strict_maps;
	bool reset_state;
	bool prepare;		/* load and verify only: change nothing */
	bool prepared;		/* the slots' sha256 are what prepare read */
	size_t swapped;		/* slots this run swapped (a failure leaves them) */
};

/* One pin of a pipeline: name in the state directory and an fd. */
struct pipeline_pin {
	char name[PLAN_PIN_LEN];
	int fd;			/* owned by whoever filled the array */
	uint32_t id;
	const char *obj_name;	/* map name in the loaded object (new map pins) */
	const char *module;	/* label of the module owning the map, or NULL */
	bool is_map;
};

/* What was there before, to diff against and to put back on failure. */
struct pipeline_prev {
	char *record;		/* NULL: none */
	struct plan plan;	/* parsed record; valid when have_plan */
	bool have_plan;
	struct pipeline_pin *pins;	/* our earlier pins, with open fds */
	size_t nr_pins;
	int prog_fd;		/* program attached before (ours or foreign), -1: none */
	uint32_t prog_id;
	bool ours;		/* prog_fd is the program our record names */
};

/* pipeline_desc.c */
/* "module LABEL (PATH), program PROG" of slot i. */
void pipeline_module_desc(const struct pipeline *p, size_t i, char *buf, size_t size);
/* Load messages about programs of slot `slot`'s object (-1: the static
 * backend's linked pipeline) name the module and its program (d must
 * outlive the load). */
struct pipeline_desc {
	const struct pipeline *p;
	int slot;
};
struct load_opts;
void pipeline_desc_opts(struct pipeline_desc *d, const struct pipeline *p, int slot,
			struct load_opts *lo);

/* pipeline_names.c */
/* Stable pin name of a kept object: "link-<slot>-a" / "-b". */
void pipeline_link_pin_name(uint32_t slot, uint32_t target, char out[PLAN_PIN_LEN]);
/* Static: the modules' own maps by linked name (m->maps), after linking. */
int pipeline_maps_resolve(struct pipeline *p);
/* The module map whose linked name is `linked` (and its module in *owner
 * when owner is set), NULL when no module defines it. */
const struct pipeline_mod_map *pipeline_find_map(const struct pipeline *p, const char *linked,
						const struct pipeline_module **owner);
/* "<label>-<map>", at most 64 characters of [A-Za-z0-9_-]. */
void pipeline_module_pin_name(const char *label, const char *map, char out[PLAN_PIN_LEN]);
/* Static: pin name of a map of the linked object (module maps by module
 * and own name, the rootlet's and global data by linked name). */
void pipeline_map_pin_name(const struct pipeline *p, const char *linked, char out[PLAN_PIN_LEN]);
/* Static: label of the module defining linked map `linked`, NULL for the
 * rootlet's maps and global data. */
const char *pipeline_map_owner(const struct pipeline *p, const char *linked);
/* -EEXIST (logged) when two pins share a name or a map would take a name
 * xdpld keeps for itself. */
int pipeline_pins_unique(const struct pipeline *p, const struct pipeline_pin *pins, size_t nr);

/* pipeline_record.c */
/* Where ifname's record is, for messages (the name alone when unknown). */
void pipeline_record_where(const char *ifname, char *buf, size_t len);
/* Writes pl as ifname's record. */
int pipeline_record_plan(const char *ifname, const struct plan *pl);
/* The same, pinned as pin (STATE_RECORD_NAME or the staged record). */
int pipeline_record_plan_to(const char *ifname, const struct plan *pl, const char *pin);
/* The plan of p as it runs now (prog ids, pins) written as the record. */
int pipeline_record(struct pipeline *p, enum nic_mode mode, const struct pipeline_pin *pins,
		    size_t nr);
int pipeline_record_to(struct pipeline *p, enum nic_mode mode, const struct pipeline_pin *pins,
		       size_t nr, const char *pin);

/* pipeline_stage.c: a new rootlet's pins and record staged before the
 * attach ("NAME-staged", "record-staged"), promoted after it, and a change
 * a crash interrupted settled under the state lock (rolled forward when
 * the device runs the staged rootlet, else back). */
int pipeline_stage(struct pipeline *p, const struct pipeline_pin *pins, size_t nr);
void pipeline_unstage(const char *ifname, const struct pipeline_pin *pins, size_t nr);
int pipeline_promote(const char *ifname, const struct pipeline_pin *pins, size_t nr);
int pipeline_stage_settle(const char *ifname);
/* The staged plan when the device runs its rootlet (running: the device's
 * program id): what status shows until the next command settles it.
 * -ENOENT when there is none or it does not run. */
int pipeline_staged_plan(const char *ifname, uint32_t running, struct plan *out);

/* pipeline_settle.c */
/* Settles a re-link a crash interrupted (or one in flight, for readers
 * without the lock): the kernel's slot says whether the pending module or
 * the recorded one runs, and pl says so.  repin (under the state lock):
 * the new module's maps are pinned again by id.  True when pl had a
 * pending entry (the caller holding the lock rewrites the record). */
bool pipeline_slots_settle(const char *ifname, struct plan *pl, bool repin);
/* The program id running in slot i of a tailcall/chain/freplace pipeline,
 * 0 if it cannot be told. */
uint32_t pipeline_slot_kernel_id(const char *ifname, const struct plan *pl, uint32_t i);

/* pipeline_prev.c */
int pipeline_prev_save(int ifindex, const char *ifname, struct pipeline_prev *prev);
void pipeline_prev_free(struct pipeline_prev *prev);
int pipeline_prev_fd(const struct pipeline_prev *prev, const char *name);

/* pipeline_maps.c */
/* Maps of the previous pipeline (prev's pins) to reuse for the maps of
 * object o (the linked pipeline, or one module's own object when m is
 * set): each compatible one; an incompatible one is left out with a
 * warning, or refused (-EINVAL) for a module whose code changes when
 * p->strict_maps, unless p->reset_state.
 * Never kept: prog arrays and map-in-maps with initial slots, and any map
 * when hw mode is entered or left.  fds in *out are borrowed from prev. */
int pipeline_maps_reuse(const struct pipeline *p, const struct pipeline_prev *prev,
			const struct pipeline_module *m, struct load_map_reuse **out, size_t *nr);
/* --dry-run --reset-state: one line per kept map that the change empties
 * (each map of a module whose code changes that has a pin in prev). */
void pipeline_maps_print_reset(const struct pipeline *p, const struct pipeline_prev *prev);

/* pipeline_state.c */
/* Every pin of the new pipeline p (rootlet, maps, links), names unique. */
int pipeline_new_pins(const struct pipeline *p, struct pipeline_pin **out, size_t *nr);
/* After a successful attach: the staged pins promoted, the previous
 * pipeline's other pins removed, the record; on failure rolls back to prev
 * (attachment and pins) and returns the error. */
int pipeline_commit(struct pipeline *p, enum nic_mode mode, const struct pipeline_prev *prev,
		    const struct pipeline_pin *pins, size_t nr);

/* pipeline_slots.c (tailcall, chain and freplace) */
/* Loads the rootlet alone, then every module whose slot needs it, and
 * puts each into its slot (nothing is attached to the NIC yet). */
int pipeline_slots_load(struct pipeline *p, const struct pipeline_prev *prev);
/* Replaces the module of every slot with PLAN_SLOT_CODE in d, in the
 * running pipeline of prev (same rootlet program), one atomic swap each;
 * then pins and record.  Other slots are left alone. */
int pipeline_slots_swap(struct pipeline *p, struct pipeline_prev *prev,
			const struct plan_diff *d);
/* Prepare (check, apply's first pass): loads slot i's module as the next
 * swap would, without linking or swapping it. */
int pipeline_slot_prepare(struct pipeline *p, const struct pipeline_prev *prev, size_t i);
/* A prog array takes only programs compiled as its owner was (JIT or
 * interpreter; the kernel checks it on every update): after
 * net.core.bpf_jit_enable changed, no new slot program fits a running
 * tailcall or chain pipeline.  -EINVAL, saying so, when that is the case. */
int pipeline_slots_jit_check(const char *ifname, const struct pipeline_prev *prev,
			     enum rootlet_backend backend);

/* pipeline_report.c */
/* libxdp orders programs by run-config priority; xdpld keeps the order the
 * modules are given in, and says so when the priorities disagree. */
void pipeline_report_priorities(const struct pipeline *p);
/* --dry-run: what apply would do, one line per change. */
/* When prog_id (running on ifname, no record of it) is named like xdpld's
 * rootlet, print why that happens and what to do; true if it did. */
bool pipeline_hint_unrecorded(const char *ifname, uint32_t prog_id);
void pipeline_print_plan(const struct pipeline *p, const struct pipeline_prev *prev,
			 const struct plan_diff *d, bool force);
/* What apply will do (its dry run would do) on p's device, from what runs
 * (prev, read before the change alters it) and the diff; record_changed:
 * an unchanged pipeline's record changes owner (the manifest takes it
 * over).  Ids after are those known before: kept ones, else 0. */
void pipeline_result_fill(const struct pipeline *p, const struct pipeline_prev *prev,
			  const struct plan_diff *d, bool record_changed, struct pipeline_result *r);
/* After the change: the ids it gave. */
void pipeline_result_done(const struct pipeline *p, struct pipeline_result *r);

/* pipeline_modules.c */
/* ELFDATA2LSB or ELFDATA2MSB: this host's byte order. */
int pipeline_host_byte_order(void);
/* Every slot's file, entry program and mask (option, run config, default);
 * expect_sha: a file must still hash to the slot's recorded sha256. */
int pipeline_open_modules(struct pipeline *p, bool expect_sha);
/* Frees what a run of p built (modules, rootlet, link result, loads). */
void pipeline_free(struct pipeline *p);

/* pipeline_build.c */
/* p->rootlet for the plan's backend, slots and masks. */
int pipeline_build_rootlet(struct pipeline *p);
/* Static: [rootlet, modules...] linked into p->linked with
 * module:entry=xdpld_slot<i> and the plan's naming rules. */
int pipeline_link(struct pipeline *p);
/* Static backend: the linked pipeline in one load (maps kept from prev). */
int pipeline_load_static(struct pipeline *p, const struct pipeline_prev *prev);

/* pipeline_view.c */
/* One interface's pipeline as status shows it. */
struct pipeline_view {
	struct plan pl;		/* the record settled, or the staged plan that runs */
	char *rec;		/* the record's text */
	struct nic_xdp cur;	/* what the kernel runs (when present) */
	bool present;		/* the interface exists */
	bool matches;		/* present and running pl's rootlet */
	int stats_fd;		/* the counter map; -1: none (--no-counters, unreadable) */
	int ncpu;		/* possible CPUs: values per counter lookup */
};
/* Reads ifname's pipeline into v: 0, or negative errno with *what saying
 * why ("no pipeline recorded" with -ENOENT); v->present and v->cur are set
 * either way.  After 0, pipeline_view_close frees v. */
int pipeline_view_open(const char *ifname, struct pipeline_view *v, const char **what);
void pipeline_view_close(struct pipeline_view *v);
/* Slot `slot`'s counters, every bucket summed over the CPUs; -ENOENT
 * when the pipeline has none. */
int pipeline_view_counters(const struct pipeline_view *v, uint32_t slot,
			   uint64_t out[ROOTLET_NR_BUCKETS]);
/* The program slot i runs: the kernel's answer, else the recorded id if
 * that program still exists; 0 with static (the slot is part of the
 * rootlet) or when none is known.  *gone: a recorded id that is dead. */
uint32_t pipeline_view_slot_prog(const char *ifname, const struct plan *pl, uint32_t i,
				 uint32_t *gone);

#endif
