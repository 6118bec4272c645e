/* apply --json: what apply did (or its dry run would do) on each device,
 * printed as one JSON object on one line (schema: policies/README.md,
 * "apply --json").  The first error xdpld logged becomes its msg. */
#ifndef XDPLD_APPLY_REPORT_H
#define XDPLD_APPLY_REPORT_H

#include "pipeline/pipeline.h"

#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>

/* The schema's version: new keys may appear without a bump; a key removed,
 * renamed or changing meaning bumps it. */
#define APPLY_REPORT_VERSION	1

struct apply_device {
	char device[IF_NAMESIZE];
	char pipeline[64];
	struct pipeline_result r;	/* its slots' module names are borrowed */
};

struct apply_report {
	const char *config;	/* the manifest's path */
	bool dry_run;
	bool failed;
	bool changed;		/* besides the devices': a failed device's swapped slots */
	struct apply_device *devs;
	size_t nr, cap;
	char first[1024];	/* log_keep_errors: the first error */
	char marked[1024];	/* the first naming the manifest */
};

/* Adds device dev (pipeline: its manifest pipeline, "" none) with what was
 * done, r copied.  -ENOMEM (logged). */
int apply_report_add(struct apply_report *a, const char *dev, const char *pipeline,
		     const struct pipeline_result *r);
/* Starts keeping the first errors (log_keep_errors) for msg. */
void apply_report_begin(struct apply_report *a);
/* Stops keeping errors, prints the object and a newline to f. */
void apply_report_print(struct apply_report *a, FILE *f);
void apply_report_free(struct apply_report *a);

#endif
