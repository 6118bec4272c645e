/* What a tailcall, chain or freplace slot runs, asked of the kernel, and
 * settling a re-link a crash interrupted: the record names the module in
 * flight ("pending") before the swap (pipeline_slots.c); whoever reads the
 * record next asks the kernel's slot which of the two runs. */
#include "pipeline_internal.h"

#include "base/log.h"
#include "kernel/bpf_sys.h"
#include "kernel/probe.h"
#include "link/rootlet.h"
#include "state.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

static bool prog_alive(uint32_t id)
{
	int fd = id ? sys_prog_fd_by_id(id) : -ENOENT;

	if (fd >= 0)
		close(fd);
	return fd >= 0;
}

/* Where a prog array cannot be read back (probe_prog_array_lookup: 32-bit
 * kernels), which program a tailcall or chain slot runs follows from which
 * are alive: only the prog array holds a slot's program.  The recorded one
 * is freed by the swap that replaces it, and a pending one outlives its
 * re-link's process only in the array. */
static uint32_t slot_id_by_liveness(const struct plan *pl, uint32_t i)
{
	bool pending = pl->has_pending && pl->pending_index == i;

	if (pending && prog_alive(pl->pending.prog_id) && !prog_alive(pl->slots[i].prog_id))
		return pl->pending.prog_id;
	return prog_alive(pl->slots[i].prog_id) ? pl->slots[i].prog_id : 0;
}

uint32_t pipeline_slot_kernel_id(const char *ifname, const struct plan *pl, uint32_t i)
{
	struct bpf_link_info info;
	uint32_t val = 0, len = sizeof(info);
	char name[PLAN_PIN_LEN];
	int fd;

	if (pl->backend == ROOTLET_STATIC || i >= pl->nr_slots)
		return 0;
	if (pl->backend != ROOTLET_FREPLACE && !probe_has(PROBE_PROG_ARRAY_LOOKUP))
		return slot_id_by_liveness(pl, i);
	fd = state_get(ifname, pl->backend == ROOTLET_FREPLACE ? ROOTLET_SEL_MAP : ROOTLET_SLOTS_MAP);
	if (fd < 0)
		return 0;
	/* A prog array lookup from user space gives the program's id. */
	if (sys_map_lookup(fd, &i, &val))
		val = 0;
	close(fd);
	if (pl->backend != ROOTLET_FREPLACE)
		return val;
	pipeline_link_pin_name(i, val ? 1 : 0, name);
	fd = state_get(ifname, name);
	if (fd < 0)
		return 0;
	memset(&info, 0, sizeof(info));
	val = sys_obj_info(fd, &info, &len) ? 0 : info.prog_id;
	close(fd);
	return val;
}

bool pipeline_slots_settle(const char *ifname, struct plan *pl, bool repin)
{
	uint32_t k = pl->pending_index, sel = 0;
	bool promote = false;
	int fd;

	if (!pl->has_pending || k >= pl->nr_slots)
		return false;
	if (pl->backend == ROOTLET_TAILCALL || pl->backend == ROOTLET_CHAIN) {
		promote = pipeline_slot_kernel_id(ifname, pl, k) == pl->pending.prog_id;
	} else if (pl->backend == ROOTLET_FREPLACE) {
		fd = state_get(ifname, ROOTLET_SEL_MAP);
		if (fd >= 0 && !sys_map_lookup(fd, &k, &sel))
			promote = (sel ? 1u : 0u) == pl->pending.target;
		if (fd >= 0)
			close(fd);
	}
	pr_warn("%s: a re-link of slot %u (%s) is in progress or was interrupted; the slot "
		"runs the %s module", ifname, k, pl->slots[k].label, promote ? "new" : "previous");
	/* The new module's maps get their pins (the swap may have been cut
	 * short before it re-pinned them). */
	for (size_t i = 0; promote && repin && i < pl->nr_pending_maps; i++) {
		fd = sys_map_fd_by_id(pl->pending_maps[i].id);
		if (fd < 0 || state_pin(ifname, pl->pending_maps[i].pin, fd))
			pr_warn("%s: cannot pin map %s of the new module again", ifname,
				pl->pending_maps[i].pin);
		if (fd >= 0)
			close(fd);
	}
	if (promote) {
		plan_slot_free(&pl->slots[k]);
		pl->slots[k] = pl->pending;
		memset(&pl->pending, 0, sizeof(pl->pending));
		/* (A record without the pending maps keeps the listed ones.) */
		if (pl->nr_pending_maps &&
		    !plan_replace_module_maps(pl, pl->slots[k].label, pl->pending_maps,
					 pl->nr_pending_maps)) {
			pl->pending_maps = NULL;
			pl->nr_pending_maps = 0;
		}
	}
	plan_slot_free(&pl->pending);
	plan_maps_free(pl->pending_maps, pl->nr_pending_maps);
	pl->pending_maps = NULL;
	pl->nr_pending_maps = 0;
	pl->has_pending = false;
	return true;
}
