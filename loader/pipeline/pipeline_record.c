/* A pipeline's record: the plan as it runs, written to its state directory
 * (keys: docs/state.md). */
#include "pipeline_internal.h"

#include "state.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void pipeline_record_where(const char *ifname, char *buf, size_t len)
{
	if (state_dir(ifname, buf, len - 8) < 0)
		snprintf(buf, len, "%s", ifname);
	else
		strcat(buf, "/" STATE_RECORD_NAME);
}

int pipeline_record_plan(const char *ifname, const struct plan *pl)
{
	return pipeline_record_plan_to(ifname, pl, STATE_RECORD_NAME);
}

int pipeline_record_plan_to(const char *ifname, const struct plan *pl, const char *pin)
{
	char *text = NULL;
	int err = plan_record_format(pl, &text);

	if (!err)
		err = state_record_write_as(ifname, pin, text);
	free(text);
	return err;
}

int pipeline_record(struct pipeline *p, enum nic_mode mode, const struct pipeline_pin *pins,
		    size_t nr)
{
	return pipeline_record_to(p, mode, pins, nr, STATE_RECORD_NAME);
}

int pipeline_record_to(struct pipeline *p, enum nic_mode mode, const struct pipeline_pin *pins,
		       size_t nr, const char *pin)
{
	struct plan *pl = p->plan;
	size_t nr_maps = 0;

	plan_maps_free(pl->maps, pl->nr_maps);
	pl->nr_maps = 0;
	pl->maps = calloc(nr ? nr : 1, sizeof(*pl->maps));
	if (!pl->maps)
		return -ENOMEM;
	for (size_t i = 0; i < nr; i++) {
		struct plan_map *m = &pl->maps[nr_maps];

		if (!pins[i].is_map)
			continue;
		m->name = strdup(pins[i].obj_name);
		m->module = pins[i].module ? strdup(pins[i].module) : NULL;
		if (!m->name || (pins[i].module && !m->module)) {
			free(m->name);
			free(m->module);
			return -ENOMEM;
		}
		snprintf(m->pin, sizeof(m->pin), "%s", pins[i].name);
		m->id = pins[i].id;
		pl->nr_maps = ++nr_maps;
	}
	pl->mode = mode;
	pl->prog_id = p->prog_id;
	return pipeline_record_plan_to(p->ifname, pl, pin);
}
