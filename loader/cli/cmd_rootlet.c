/* xdpld rootlet: write a generated rootlet object (a debugging aid; the
 * pipeline builds the rootlet in memory), or show a program's libxdp run
 * config.
 *   xdpld rootlet -o OUT.o --slots N [--backend static|tailcall|freplace|chain]
 *         [--continue-on SLOT|all=ACTION,...]... [--no-counters] [--be]
 *   xdpld rootlet --show-runcfg OBJ:PROG                                    */
#include "cli.h"
#include "base/log.h"
#include "elf/obj.h"
#include "elf/runcfg.h"
#include "link/rootlet.h"

#include <errno.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse_u32(const char *s, uint32_t *v)
{
	char *end;
	unsigned long n;

	if (!*s || *s == '-')
		return -EINVAL;
	errno = 0;
	n = strtoul(s, &end, 10);
	if (errno || *end || n > UINT32_MAX)
		return -EINVAL;
	*v = (uint32_t)n;
	return 0;
}

/* SLOT=ACTIONS; SLOT may be "all".  Checked against nr_slots later. */
static int parse_continue(const char *arg, struct rootlet_cfg *cfg, uint32_t *max_slot)
{
	const char *eq = strchr(arg, '=');
	char slot[16];
	uint32_t idx, mask;

	if (!eq || eq == arg || (size_t)(eq - arg) >= sizeof(slot))
		goto bad;
	memcpy(slot, arg, (size_t)(eq - arg));
	slot[eq - arg] = '\0';
	if (rootlet_actions_parse(eq + 1, &mask))
		goto bad;
	if (!strcmp(slot, "all")) {
		for (uint32_t i = 0; i < ROOTLET_MAX_SLOTS; i++)
			cfg->continue_mask[i] = mask;
		return 0;
	}
	if (parse_u32(slot, &idx) || idx >= ROOTLET_MAX_SLOTS)
		goto bad;
	cfg->continue_mask[idx] = mask;
	if (idx + 1 > *max_slot)
		*max_slot = idx + 1;
	return 0;
bad:
	pr_err("rootlet: bad --continue-on '%s' (expected SLOT=ACTION[,ACTION...] with SLOT "
	       "0..%u or 'all', ACTION aborted|drop|pass|tx|redirect, or 'none')",
	       arg, ROOTLET_MAX_SLOTS - 1);
	return -EINVAL;
}

static int show_runcfg(const char *arg)
{
	const char *colon = strrchr(arg, ':');
	struct obj *o = NULL;
	struct runcfg rc;
	char *path;
	int err;

	if (!colon || colon == arg || !colon[1]) {
		pr_err("rootlet: bad --show-runcfg '%s' (expected OBJ:PROG)", arg);
		return 2;
	}
	path = strndup(arg, (size_t)(colon - arg));
	if (!path)
		return 1;
	err = obj_read_file(path, &o);
	if (err)
		goto out;
	err = runcfg_read(o, colon + 1, &rc);
	if (err == -ENOENT)
		printf("%s: no run config for '%s' (defaults)\n", path, colon + 1);
	else if (err)
		goto out;
	printf("priority %u\ncontinue-on", rc.priority);
	for (uint32_t a = 0; a < ROOTLET_NR_ACTIONS; a++)
		if (rc.chain_call_actions & (1u << a))
			printf(" %s", rootlet_bucket_name(a));
	printf("\n");
	err = 0;
out:
	obj_free(o);
	free(path);
	return err ? 1 : 0;
}

static int run_rootlet(struct cli *c)
{
	struct rootlet_cfg cfg;
	uint32_t max_slot = 0;
	int byte_order = ELFDATA2LSB;
	const char *out = NULL;
	struct obj *o = NULL;
	int opt, err;

	rootlet_cfg_init(&cfg, 0, ROOTLET_STATIC);
	while ((opt = cli_next(c)) > 0) {
		switch (opt) {
		case 'o':
			out = c->arg;
			break;
		case 's':
			if (parse_u32(c->arg, &cfg.nr_slots)) {
				pr_err("rootlet: bad --slots '%s'", c->arg);
				return 2;
			}
			break;
		case 'b':
			if (rootlet_backend_parse(c->arg, &cfg.backend)) {
				pr_err("rootlet: unknown backend '%s' (static, tailcall, freplace, chain)",
				       c->arg);
				return 2;
			}
			break;
		case 'c':
			if (parse_continue(c->arg, &cfg, &max_slot))
				return 2;
			break;
		case 'n':
			cfg.counters = false;
			break;
		case 'B':
			byte_order = ELFDATA2MSB;
			break;
		case 'r':
			return show_runcfg(c->arg);
		}
	}
	if (opt < 0)
		return c->rc;
	if (max_slot > cfg.nr_slots) {
		pr_err("rootlet: --continue-on names slot %u but there are only %u slots",
		       max_slot - 1, cfg.nr_slots);
		return 2;
	}
	err = rootlet_build(&cfg, byte_order, &o);
	if (err)
		return 1;	/* rootlet_build said why */
	err = obj_write_file(o, out);
	obj_free(o);
	if (err) {
		pr_err("rootlet: cannot write %s: %s", out, strerror(-err));
		return 1;
	}
	return 0;
}

/* --show-runcfg is a second form: it runs as soon as it is seen, without
 * -o and --slots. */
const struct cli_cmd cmd_rootlet = {
	"rootlet", "", "write the generated dispatcher (rootlet) to a file", run_rootlet,
	(const struct cli_opt[]){
		{ 'o', CLI_SHORT | CLI_REQ, "output", "OUT.o", "write the rootlet to OUT.o" },
		{ 's', CLI_REQ, "slots", "N", "number of slots" },
		{ 'b', 0, "backend", "static|tailcall|freplace|chain",
		  "how slots call modules (default static)" },
		{ 'c', CLI_MULTI, "continue-on", "SLOT|all=ACTIONS",
		  "verdicts that go on to the next slot" },
		CLI_OPT_NO_COUNTERS,
		{ 'B', 0, "be", NULL, "big-endian object" },
		{ 'r', 0, "show-runcfg", "OBJ:PROG", "only print PROG's libxdp run config" },
		{ 0 },
	},
};
