/* Which rootlet backends the running kernel supports, from test loads of
 * generated rootlets and modules (probe_backend.c).  The raw kernel
 * feature probes they build on are in probe.h. */
#ifndef XDPLD_PROBE_BACKEND_H
#define XDPLD_PROBE_BACKEND_H

#include "link/rootlet.h"

#include <stddef.h>

/* Whether the running kernel can run rootlets of backend b, decided by
 * test loads (cached per process).  Returns 1 (supported), 0 (not; why
 * gets a one-line reason naming what the kernel lacks, e.g. "the kernel
 * refuses extension programs (BPF_PROG_TYPE_EXT): Operation not permitted"),
 * or negative errno when the probe itself could not run (why says why).
 * why may be NULL.  XDPLD_PROBE_MISSING=tailcall,freplace (or "all") reports
 * those backends as missing; static is the fallback and never missing. */
int probe_backend(enum rootlet_backend b, char *why, size_t len);
/* The best backend the kernel supports: freplace, then chain (at most 32
 * slots), then tailcall, then static (docs/pipeline.md has the measurements). */
enum rootlet_backend probe_best_backend(void);

#endif
