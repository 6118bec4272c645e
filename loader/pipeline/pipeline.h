/* The pipeline: N vendor modules behind a generated rootlet, loaded with
 * xdpld's own loader, attached to one interface over netlink, and
 * remembered in bpffs (see docs/pipeline.md).  A plan (plan.h) says what
 * is wanted; the executor diffs it against what runs.
 *
 *   static:   rootlet + modules linked into one object (entry renamed to
 *             xdpld_slot<i>) -> load_object -> nic_attach
 *   tailcall: rootlet loaded alone, each module loaded alone and put into
 *             the rootlet's prog array -> nic_attach
 *   freplace: rootlet loaded alone, each module loaded as an extension of
 *             its slot's target, linked -> nic_attach
 *   then pins + record in <state root>/<IFACE>/
 *
 * Nothing in the kernel or in bpffs changes before the attach; the record
 * is written last.  Functions return 0 or negative errno after logging. */
#ifndef XDPLD_PIPELINE_H
#define XDPLD_PIPELINE_H

#include <stdbool.h>
#include <stddef.h>

#include "kernel/nic.h"
#include "link/rootlet.h"

#include <stdint.h>

/* Pin of the attached rootlet program in the interface's state directory. */
#define PIPELINE_PROG_PIN	"rootlet"

struct plan;
struct plan_args;

/* What an apply did on one device, or (dry run) would do: apply --json
 * prints it (policies/README.md).  pipeline_apply fills the first four
 * actions; apply itself (the CLI) the last two. */
enum pipeline_action {
	PIPELINE_ATTACHED,	/* a first pipeline (or one replacing a foreign program) */
	PIPELINE_NEW_ROOTLET,	/* rebuilt and swapped in atomically (reason: why) */
	PIPELINE_RELINKED,	/* same rootlet, modules of some slots swapped */
	PIPELINE_UNCHANGED,
	PIPELINE_DETACHED,
	PIPELINE_SKIPPED,	/* the device does not exist */
};
/* A slot's module: new to the pipeline, other code than it ran, the same
 * code (with a new rootlet it is loaded anew all the same: a new id). */
enum pipeline_slot_action { PIPELINE_SLOT_NEW, PIPELINE_SLOT_RELINKED, PIPELINE_SLOT_UNCHANGED };

struct pipeline_result_slot {
	const char *module;	/* the wanted plan's label (lives as long as the plan) */
	enum pipeline_slot_action action;
	uint32_t prog_id_before, prog_id_after;	/* 0: none or not known */
};

struct pipeline_result {
	enum pipeline_action action;
	/* Something on the device changed (its program, a slot, its record);
	 * after a failure: slots swapped before it (the rest rolls back). */
	bool changed;
	char reason[160];	/* "" none */
	uint32_t prog_id_before, prog_id_after;	/* the rootlet's; 0: none or not known */
	size_t nr_slots;
	struct pipeline_result_slot slots[ROOTLET_MAX_SLOTS];
};

/* How a plan is carried out. */
struct pipeline_apply_opts {
	bool force;			/* replace a foreign XDP program */
	/* Restore only (NULL otherwise): the record the plan was read from.
	 * Under the state lock the apply goes on only while it is still the
	 * record, does nothing when the program it names is attached, and
	 * each module file must have the recorded SHA-256. */
	const char *restore_record;
	/* Relink (>= 0): only this slot changes; with tailcall and freplace
	 * the rootlet stays.  Its maps must be compatible unless reset_state. */
	int relink_slot;
	bool reset_state;
	/* apply: kept maps of slots whose code changes must fit (or
	 * reset_state); an unchanged pipeline is left alone even with the
	 * static backend. */
	bool strict_maps;
	bool idempotent;
	/* check, and apply's first pass: load and verify everything the change
	 * would load (against what runs), change nothing.  A missing NIC is
	 * verified as a first attach. */
	bool prepare;
	/* apply's second pass: the plan's slots hold the SHA-256 of the bytes
	 * prepare verified; a file that changed since is refused. */
	bool prepared;
	bool dry_run;		/* print what would change, load nothing */
	/* apply and its dry run (not prepare), may be NULL: what was done.
	 * Filled on success; on failure only its changed. */
	struct pipeline_result *result;
};

/* Makes the interface run `want`: reads the modules, resolves the backend,
 * and under the state lock diffs against what runs.  With tailcall and
 * freplace and the same layout, only the slots with new code are swapped
 * (the rootlet program stays); otherwise a new pipeline is built and
 * swapped in atomically over netlink.  want's slots are filled in. */
int pipeline_apply(struct plan *want, const struct pipeline_apply_opts *opts);

/* attach: plan_from_args + pipeline_apply. */
int pipeline_attach(const struct plan_args *args, bool force);

/* relink: replace the module of one slot (SLOT: index or module name) of
 * the pipeline recorded for ifname with obj ("OBJ" or "OBJ:PROG"). */
/* naming (may be NULL): options for the new module; each kind given
 * replaces the slot's rules of that kind, the others are kept. */
struct plan_naming_args;
int pipeline_relink(const char *ifname, const char *slot, const char *obj, bool reset_state,
		    const struct plan_naming_args *naming);

/* Re-attach the pipeline recorded for ifname (after its NIC went away and
 * came back): the recorded plan, module files checked against the
 * recorded SHA-256, through pipeline_apply, so module maps are reused
 * from their stable pins.  No record: 0 (info message).  Recorded program
 * still attached: 0.  A foreign program is replaced only with force. */
int pipeline_restore(const char *ifname, bool force);

/* Detach the program recorded for ifname (only if it is still the one
 * attached, unless force) and remove the interface's state. */
int pipeline_detach(const char *ifname, bool force);

/* status --json schema version (docs/pipeline.md): new fields may appear
 * without a bump; a field removed, renamed or changing meaning bumps it. */
#define PIPELINE_STATUS_VERSION	1

/* Print the state of ifname (NULL: every interface with state) to stdout,
 * as text or as one JSON object.  Returns 0, or negative errno when some
 * interface's state could not be read (the others are still printed). */
int pipeline_status(const char *ifname, bool json);

/* The same in the Prometheus text exposition format 0.0.4 (counters,
 * relinks, ids; docs/pipeline.md).  An interface without a pipeline gives
 * no lines; one whose record is unreadable gives xdpld_pipeline_matches 0
 * and the error.  On an error (ENOMEM, the state directory unreadable)
 * nothing is printed. */
int pipeline_metrics(const char *ifname);

#endif
