/* libxdp's per-program run configuration (".xdp_run_config" metadata).
 *
 * libxdp's XDP_RUN_CONFIG(func) macro declares, in section ".xdp_run_config"
 * (older releases: "xdp_run_config" or ".data.xdp_run_config"), a variable
 * named "_<func>" of an anonymous struct whose members use the __uint
 * encoding `int (*name)[value]`:
 *   priority      run priority (lower runs first)
 *   XDP_PASS, ... 1: continue the chain on that action, 0: stop on it
 * Only the BTF DATASEC is read; the section bytes are irrelevant. */
#ifndef XDPLD_RUNCFG_H
#define XDPLD_RUNCFG_H

#include <stdbool.h>
#include <stdint.h>

struct obj;

#define RUNCFG_DEFAULT_PRIORITY	50
#define RUNCFG_DEFAULT_ACTIONS	(1u << 2)	/* 1 << XDP_PASS */

struct runcfg {
	uint32_t priority;		/* RUNCFG_DEFAULT_PRIORITY unless set */
	uint32_t chain_call_actions;	/* bit a: continue on XDP action a */
	bool has_priority;		/* the metadata set priority */
};

/* Defaults, as libxdp uses for programs without metadata. */
void runcfg_init(struct runcfg *rc);

/* Reads prog_name's metadata from o's BTF into *out (defaults first, then
 * what the metadata sets).  -ENOENT when o has none for prog_name (out then
 * holds the defaults); -EINVAL with a message naming the file, variable and
 * member when the metadata is malformed. */
int runcfg_read(const struct obj *o, const char *prog_name, struct runcfg *out);

#endif
