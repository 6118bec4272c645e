/* xdpld run OBJ PROG PKTFILE... [--repeat N] [--set VAR=VALUE]...
 *           [--pin-root DIR] [--no-btf] [--btf-optional]
 *
 * Loads OBJ with xdpld's own loader and runs program PROG on each packet
 * with BPF_PROG_TEST_RUN.  The output is exactly tests/tools/progrun's, so
 * the two can be diffed: one line per packet,
 *     <name> <verdict> <out_len> <fnv1a-32 of the output, 8 hex digits>
 * Exit 0 when every packet ran, 1 on a load or run failure, 2 on usage. */
#include "base/log.h"
#include "cli.h"
#include "load_cli.h"
#include "kernel/bpf_sys.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PKT_MAX 2048

static uint32_t fnv1a(const uint8_t *p, size_t len)
{
	uint32_t h = 0x811c9dc5u;

	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 0x01000193u;
	return h;
}

static int read_packet(const char *path, uint8_t *buf, size_t cap, size_t *len)
{
	FILE *f = fopen(path, "rb");
	int err = 0;

	if (!f) {
		pr_err("%s: %s", path, strerror(errno));
		return -errno;
	}
	*len = fread(buf, 1, cap, f);
	if (ferror(f))
		err = -EIO;
	else if (fgetc(f) != EOF)
		err = -EFBIG;
	fclose(f);
	if (err)
		pr_err("%s: %s", path, err == -EFBIG ? "packet larger than 2048 bytes" : "read error");
	return err;
}

static void print_result(const char *path, uint32_t ret, const uint8_t *out, uint32_t len)
{
	static const char *const names[] = { "XDP_ABORTED", "XDP_DROP", "XDP_PASS", "XDP_TX", "XDP_REDIRECT" };
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	size_t n = strlen(base);

	if (n > 4 && !strcmp(base + n - 4, ".pkt"))
		n -= 4;
	printf("%.*s ", (int)n, base);
	if (ret < sizeof(names) / sizeof(names[0]))
		printf("%s", names[ret]);
	else
		printf("RET_%u", ret);
	printf(" %u %08x\n", len, fnv1a(out, len));
}

static int run_packet(int fd, const char *path, uint32_t repeat)
{
	static uint8_t in[PKT_MAX], out[PKT_MAX + 512];
	struct sys_test_run_args a = { .data_in = in, .data_out = out,
				       .data_size_out = sizeof(out), .repeat = repeat };
	size_t len = 0;
	int err = read_packet(path, in, sizeof(in), &len);

	if (err)
		return err;
	a.data_size_in = (uint32_t)len;
	err = sys_prog_test_run(fd, &a);
	if (err) {
		pr_err("%s: BPF_PROG_TEST_RUN: %s", path, strerror(-err));
		return err;
	}
	if (a.data_size_out > sizeof(out)) {
		pr_err("%s: output of %u bytes truncated", path, a.data_size_out);
		return -EMSGSIZE;
	}
	print_result(path, a.retval, out, a.data_size_out);
	return 0;
}

static int run_run(struct cli *c)
{
	struct load_cli lc = { 0 };
	struct loaded_obj *lo = NULL;
	unsigned long repeat = 1;
	int opt, fd, ret = 1;
	char *end;

	while ((opt = load_cli_next(&lc, c)) > 0) {
		if (opt != 'r')
			continue;
		errno = 0;
		repeat = strtoul(c->arg, &end, 10);
		if (errno || *end || !repeat || repeat > UINT32_MAX) {
			pr_err("run: bad --repeat '%s'", c->arg);
			ret = 2;
			goto out;
		}
	}
	if (opt < 0) {
		ret = c->rc;
		goto out;
	}
	lc.opts.autoload = c->pos[1];	/* PROG loads even in a "?xdp" section */
	lc.only = c->pos[1];	/* PROG and what it uses, nothing else */
	if (load_cli_open(&lc, c->pos, 1) || load_object(lc.obj, &lc.opts, &lo))
		goto out;
	fd = loaded_obj_prog_fd(lo, c->pos[1]);
	if (fd < 0) {
		pr_err("%s: no program '%s'", c->pos[0], c->pos[1]);
		goto out;
	}
	for (int i = 2; i < c->nr_pos; i++)
		if (run_packet(fd, c->pos[i], (uint32_t)repeat))
			goto out;
	ret = 0;
out:
	fflush(stdout);
	loaded_obj_free(lo);
	load_cli_free(&lc);
	return ret;
}

const struct cli_cmd cmd_run = {
	"run", "OBJ PROG PKTFILE...", "load an object and run PROG on packets (test run)",
	run_run,
	(const struct cli_opt[]){
		{ 'r', 0, "repeat", "N", "run each packet N times" },
		LOAD_CLI_OPTS,
		{ 0 },
	},
};
