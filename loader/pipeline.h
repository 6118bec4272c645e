/* The static pipeline: N vendor modules behind a generated rootlet, linked
 * into one object, loaded with xdpld's own loader, attached to one
 * interface over netlink, and remembered in bpffs (see docs/pipeline.md).
 *
 *   objects -> rootlet (static backend, N slots) -> link_objects (module
 *   entry renamed to xdpld_slot<i>) -> load_object -> nic_attach ->
 *   pins + record in <state root>/<IFACE>/
 *
 * Nothing in the kernel or in bpffs changes before the attach; the record
 * is written last.  Functions return 0 or negative errno after logging. */
#ifndef XDPLD_PIPELINE_H
#define XDPLD_PIPELINE_H

#include <stdbool.h>
#include <stddef.h>

#include "nic.h"

/* Pin of the attached rootlet program in the interface's state directory. */
#define PIPELINE_PROG_PIN	"rootlet"
#define PIPELINE_RECORD_FORMAT	"xdpld-pipeline-1"

struct pipeline_opts {
	const char *ifname;
	char *const *modules;		/* "OBJ" or "OBJ:PROG", in slot order */
	size_t nr_modules;
	char *const *continue_on;	/* "SLOT=ACTIONS"; SLOT: index, module name or "all" */
	size_t nr_continue_on;
	enum nic_mode mode;
	bool counters;			/* generate the per-slot counters */
	bool force;			/* replace a foreign XDP program */
	/* Restore only (NULL otherwise): the SHA-256 (hex) each module's bytes
	 * must have, in slot order; another file is refused, naming the module. */
	char *const *expect_sha256;
	/* Restore only: the record these options were read from.  Under the
	 * state lock the attach goes on only while it is still the record, and
	 * does nothing when the program it names is attached already. */
	const char *restore_record;
};

int pipeline_attach(const struct pipeline_opts *opts);

/* Re-attach the pipeline recorded for ifname (after its NIC went away and
 * came back): same module files (checked against the recorded SHA-256),
 * entry programs, continue masks, mode and counters, through
 * pipeline_attach, so module maps are reused from their stable pins.
 * No record: 0 (info message).  Recorded program still attached: 0.
 * A foreign program is replaced only with force. */
int pipeline_restore(const char *ifname, bool force);

/* Detach the program recorded for ifname (only if it is still the one
 * attached, unless force) and remove the interface's state. */
int pipeline_detach(const char *ifname, bool force);

/* Print the state of ifname (NULL: every interface with state) to stdout,
 * as text or as one JSON object.  Returns 0, or negative errno when some
 * interface's state could not be read (the others are still printed). */
int pipeline_status(const char *ifname, bool json);

#endif
