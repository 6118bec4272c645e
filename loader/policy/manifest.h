/* The policy manifest (/etc/config/xdpld, UCI syntax): which modules run on
 * which NIC, in which order, and which verdicts continue the chain.  The
 * schema is checked here (every error names FILE:LINE and the section and
 * option); each device's pipeline becomes a plan (plan.h).  Schema and
 * examples: policies/README.md. */
#ifndef XDPLD_MANIFEST_H
#define XDPLD_MANIFEST_H

#include "kernel/nic.h"
#include "pipeline/plan.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MANIFEST_DEFAULT_PATH	"/etc/config/xdpld"
#define MANIFEST_NAME_MAX	32	/* module and pipeline section names */

struct manifest_module {
	char *name;		/* section name: the module's name (its map pins) */
	unsigned int line;
	char *object;
	unsigned int object_line;
	char *program;		/* NULL: the object's only XDP program */
	uint32_t continue_mask;
	bool has_mask;		/* continue_on given */
	bool enabled;
	/* Naming (checked): */
	char **renames;		/* "OLD=NEW" */
	size_t nr_renames;
	char *prefix;		/* NULL: from the file name */
	char *type;		/* section type of legacy sections; NULL: none */
};

struct manifest_device {
	char *name;
	unsigned int line;
};

struct manifest_pipeline {
	char *name;		/* section name, or "@pipeline[N]" */
	unsigned int line;
	struct manifest_device *devices;
	size_t nr_devices;
	enum nic_mode mode;
	char *backend;		/* NULL: auto */
	bool counters;
	bool enabled;
	bool no_rename;
	size_t *modules;	/* indices into manifest.modules, slot order */
	unsigned int *module_lines;
	size_t nr_modules;
};

struct manifest {
	char *path;
	struct manifest_module *modules;
	size_t nr_modules;
	struct manifest_pipeline *pipelines;
	size_t nr_pipelines;
	/* config globals: option kernel_btf, the target BTF of CO-RE
	 * relocations (as xdpld --kernel-btf; checked: it parses); NULL: none. */
	char *kernel_btf;
	unsigned int kernel_btf_line;
};

/* Reads, parses and checks the manifest at path. */
int manifest_load(const char *path, struct manifest **out);
void manifest_free(struct manifest *m);

/* The wanted plan for device d of pipeline p (enabled modules only; a
 * pipeline without any is -ENODATA).  Object files must exist. */
int manifest_plan(const struct manifest *m, size_t p, size_t d, struct plan *out);


#endif
