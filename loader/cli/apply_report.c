/* apply --json's object (see apply_report.h). */
#include "apply_report.h"

#include "base/json.h"
#include "base/log.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static const char *const action_name[] = {
	[PIPELINE_ATTACHED] = "attached", [PIPELINE_NEW_ROOTLET] = "new_rootlet",
	[PIPELINE_RELINKED] = "relinked", [PIPELINE_UNCHANGED] = "unchanged",
	[PIPELINE_DETACHED] = "detached", [PIPELINE_SKIPPED] = "skipped",
};
static const char *const slot_action_name[] = {
	[PIPELINE_SLOT_NEW] = "new", [PIPELINE_SLOT_RELINKED] = "relinked",
	[PIPELINE_SLOT_UNCHANGED] = "unchanged",
};

int apply_report_add(struct apply_report *a, const char *dev, const char *pipeline,
		     const struct pipeline_result *r)
{
	struct apply_device *d;

	if (a->nr == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 8;

		d = realloc(a->devs, cap * sizeof(*d));
		if (!d) {
			pr_err("%s: out of memory for apply's report", dev);
			return -ENOMEM;
		}
		a->devs = d;
		a->cap = cap;
	}
	d = &a->devs[a->nr++];
	snprintf(d->device, sizeof(d->device), "%s", dev);
	snprintf(d->pipeline, sizeof(d->pipeline), "%s", pipeline);
	memcpy(&d->r, r, sizeof(*r));
	return 0;
}

void apply_report_begin(struct apply_report *a)
{
	log_keep_errors(a->first, a->marked, sizeof(a->first), a->config);
}

static void id(FILE *f, const char *key, uint32_t v)
{
	if (v)
		fprintf(f, ",\"%s\":%" PRIu32, key, v);
	else
		fprintf(f, ",\"%s\":null", key);
}

static void device(FILE *f, const struct apply_device *d)
{
	const struct pipeline_result *r = &d->r;

	fputs("{\"device\":", f);
	json_str(f, d->device);
	fputs(",\"pipeline\":", f);
	if (d->pipeline[0])
		json_str(f, d->pipeline);
	else
		fputs("null", f);
	fprintf(f, ",\"action\":\"%s\",\"changed\":%s,\"reason\":", action_name[r->action],
		r->changed ? "true" : "false");
	if (r->reason[0])
		json_str(f, r->reason);
	else
		fputs("null", f);
	id(f, "prog_id_before", r->prog_id_before);
	id(f, "prog_id_after", r->prog_id_after);
	fputs(",\"slots\":[", f);
	for (size_t i = 0; i < r->nr_slots; i++) {
		const struct pipeline_result_slot *s = &r->slots[i];

		fprintf(f, "%s{\"slot\":%zu,\"module\":", i ? "," : "", i);
		json_str(f, s->module);
		fprintf(f, ",\"action\":\"%s\"", slot_action_name[s->action]);
		id(f, "prog_id_before", s->prog_id_before);
		id(f, "prog_id_after", s->prog_id_after);
		fputc('}', f);
	}
	fputs("]}", f);
}

/* msg: the first error when it names the manifest (a parse error, a
 * module's FILE:LINE); else the first that does (which pipeline and
 * device) with the first error, the cause, after it. */
static void msg(FILE *f, const struct apply_report *a)
{
	char buf[sizeof(a->first) + sizeof(a->marked) + 32];

	if (!a->first[0])
		snprintf(buf, sizeof(buf), "%s: apply failed", a->config);
	else if (!a->marked[0] || !strcmp(a->marked, a->first))
		snprintf(buf, sizeof(buf), "%s", a->first);
	else
		snprintf(buf, sizeof(buf), "%s; first error: %s", a->marked, a->first);
	fputs(",\"msg\":", f);
	json_str(f, buf);
}

void apply_report_print(struct apply_report *a, FILE *f)
{
	bool changed = a->changed;

	log_keep_errors(NULL, NULL, 0, NULL);
	for (size_t i = 0; i < a->nr; i++)
		changed |= a->devs[i].r.changed;
	fprintf(f, "{\"version\":%d,\"changed\":%s,\"failed\":%s,\"dry_run\":%s,\"config\":",
		APPLY_REPORT_VERSION, changed ? "true" : "false", a->failed ? "true" : "false",
		a->dry_run ? "true" : "false");
	json_str(f, a->config);
	fputs(",\"devices\":[", f);
	for (size_t i = 0; i < a->nr; i++) {
		if (i)
			fputc(',', f);
		device(f, &a->devs[i]);
	}
	fputc(']', f);
	if (a->failed)
		msg(f, a);
	fputs("}\n", f);
	fflush(f);
}

void apply_report_free(struct apply_report *a)
{
	free(a->devs);
	a->devs = NULL;
	a->nr = a->cap = 0;
}
