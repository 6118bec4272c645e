/* The plan (loader/pipeline/plan.[ch], plan_record.c): building one from arguments,
 * the record written and read back, the validator on tampered records, and
 * plan_diff.  Pure: no kernel needed (module files are temporary files). */
#include "base/log.h"
#include "pipeline/plan.h"
#include "tap.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/xdpld-test-plan.XXXXXX";

static void touch(const char *name)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (f)
		fclose(f);
}

static int from_args(struct plan *p, const char *const *mods, size_t n,
		     const char *const *cont, size_t nc)
{
	char *m[8], *c[8];
	struct plan_args a = { .ifname = "eth1", .mode = NIC_MODE_NATIVE, .counters = true,
			       .backend = "tailcall" };

	for (size_t i = 0; i < n; i++) {
		m[i] = malloc(256);
		snprintf(m[i], 256, "%s/%s", dir, mods[i]);
	}
	for (size_t i = 0; i < nc; i++)
		c[i] = (char *)cont[i];
	a.modules = m;
	a.nr_modules = n;
	a.continue_on = c;
	a.nr_continue_on = nc;
	int err = plan_from_args(&a, p);
	for (size_t i = 0; i < n; i++)
		free(m[i]);
	return err;
}

/* A resolved plan as attach would record it. */
static void resolve(struct plan *p)
{
	for (size_t i = 0; i < p->nr_slots; i++) {
		struct plan_slot *s = &p->slots[i];

		if (!s->prog)
			s->prog = strdup("xdp_main");
		memset(s->sha256, 'a' + (int)i, 64);
		s->sha256[64] = '\0';
		if (s->mask_from == PLAN_MASK_UNSET) {
			s->mask_from = PLAN_MASK_DEFAULT;
			s->continue_mask = 1u << 2;
		}
		s->prog_id = 100 + (uint32_t)i;
	}
	p->prog_id = 99;
	snprintf(p->time, sizeof(p->time), "2025-01-31T12:00:00Z");
	p->mode = NIC_MODE_NATIVE;
}

static char *replace(const char *text, const char *from, const char *to)
{
	const char *at = strstr(text, from);
	char *out;

	if (!at)
		return strdup(text);
	out = malloc(strlen(text) + strlen(to) + 1);
	memcpy(out, text, (size_t)(at - text));
	strcpy(out + (at - text), to);
	strcat(out, at + strlen(from));
	return out;
}

static int parse_tampered(const char *text, const char *from, const char *to)
{
	char *t = replace(text, from, to);
	struct plan q;
	int err = plan_record_parse("eth1", "test", t, &q);

	if (!err)
		plan_free(&q);
	free(t);
	return err;
}

int main(void)
{
	const char *const three[] = { "fw.o", "lb.o:xdp_lb", "sampler.o" };
	const char *const cont[] = { "fw=pass,tx", "2=none" };
	struct plan p, q, r;
	struct plan_diff d;
	char *text = NULL, *text2 = NULL;

	log_set_level(LOG_LVL_ERR);
	if (!mkdtemp(dir))
		return 1;
	touch("fw.o");
	touch("lb.o");
	touch("sampler.o");
	touch("a:b.o");

	/* ---- arguments ---- */
	TAP_CHECK(!from_args(&p, three, 3, cont, 2), "plan from three modules and two masks");
	TAP_CHECK(p.nr_slots == 3 && !strcmp(p.slots[0].label, "fw") &&
		  !p.slots[0].prog && !strcmp(p.slots[1].prog, "xdp_lb") &&
		  p.slots[1].path[0] == '/', "labels, paths and OBJ:PROG");
	TAP_CHECK(p.slots[0].mask_from == PLAN_MASK_OPTION && p.slots[0].continue_mask == 0xc &&
		  p.slots[2].mask_from == PLAN_MASK_OPTION && p.slots[2].continue_mask == 0 &&
		  p.slots[1].mask_from == PLAN_MASK_UNSET, "--continue-on by name and index");
	TAP_CHECK(p.backend == ROOTLET_TAILCALL && !p.backend_auto, "backend from arguments");
	{
		const char *const colon[] = { "a:b.o" };
		TAP_CHECK(!from_args(&q, colon, 1, NULL, 0) && !q.slots[0].prog &&
			  !strcmp(q.slots[0].label, "a:b"), "an existing file with ':' is a file");
		plan_free(&q);
	}
	{
		const char *const twice[] = { "fw.o", "fw.o" };
		TAP_CHECK(from_args(&q, twice, 2, NULL, 0) == -EINVAL, "the same file twice refused");
		const char *const missing[] = { "nosuch.o" };
		TAP_CHECK(from_args(&q, missing, 1, NULL, 0) == -ENOENT, "a missing file refused");
		const char *const bad[] = { "nosuch=pass" };
		TAP_CHECK(from_args(&q, three, 3, bad, 1) == -EINVAL, "an unknown slot name refused");
		const char *const badact[] = { "0=fly" };
		TAP_CHECK(from_args(&q, three, 3, badact, 1) == -EINVAL, "an unknown action refused");
	}

	/* ---- record round trip ---- */
	resolve(&p);
	p.slots[1].relinks = 3;
	snprintf(p.slots[1].relinked, sizeof(p.slots[1].relinked), "2025-02-01T00:00:00Z");
	p.maps = calloc(2, sizeof(*p.maps));
	p.maps[0].name = strdup(".rodata");
	snprintf(p.maps[0].pin, sizeof(p.maps[0].pin), "_rodata");
	p.maps[1].name = strdup("rules");
	p.maps[1].module = strdup("fw");
	snprintf(p.maps[1].pin, sizeof(p.maps[1].pin), "fw-rules");
	p.maps[1].id = 7;
	p.nr_maps = 2;
	TAP_CHECK(!plan_record_format(&p, &text), "record written");
	TAP_CHECK(!plan_record_parse("eth1", "test", text, &q), "record read back");
	TAP_CHECK(q.backend == ROOTLET_TAILCALL && q.mode == NIC_MODE_NATIVE && q.counters &&
		  q.prog_id == 99 && q.nr_slots == 3 && q.nr_maps == 2, "head fields survive");
	TAP_CHECK(!strcmp(q.slots[1].path, p.slots[1].path) && !strcmp(q.slots[1].prog, "xdp_lb") &&
		  q.slots[1].relinks == 3 && !strcmp(q.slots[1].relinked, "2025-02-01T00:00:00Z") &&
		  q.slots[1].prog_id == 101 && q.slots[0].continue_mask == 0xc &&
		  q.slots[0].mask_from == PLAN_MASK_OPTION, "slot fields survive");
	TAP_CHECK(!strcmp(q.maps[1].pin, "fw-rules") && q.maps[1].id == 7 &&
		  !strcmp(q.maps[1].module, "fw") && !q.maps[0].module, "map fields survive");
	TAP_CHECK(!plan_record_format(&q, &text2) && !strcmp(text, text2),
		  "written again, the record is the same");
	free(text2);

	/* ---- diff ---- */
	plan_diff(&p, &q, &d);
	TAP_CHECK(!d.layout_changed && !d.nr_code && !d.change[0] && !d.change[2], "same plan: no change");
	free(q.slots[1].path);
	q.slots[1].path = strdup("/elsewhere/lb.o");
	plan_diff(&p, &q, &d);
	TAP_CHECK(!d.layout_changed && d.nr_code == 1 && d.change[1] == PLAN_SLOT_CODE,
		  "another file in slot 1: code, no layout change (tailcall)");
	q.slots[2].sha256[0] = 'f';
	plan_diff(&p, &q, &d);
	TAP_CHECK(d.nr_code == 2 && d.change[2] == PLAN_SLOT_CODE, "other bytes: code");
	q.slots[0].continue_mask = 0x4;
	plan_diff(&p, &q, &d);
	TAP_CHECK(d.layout_changed && d.change[0] == PLAN_SLOT_MASK && strstr(d.why, "mask"),
		  "a mask change rebuilds the rootlet");
	q.slots[0].continue_mask = 0xc;
	q.backend = ROOTLET_STATIC;
	p.backend = ROOTLET_STATIC;
	plan_diff(&p, &q, &d);
	TAP_CHECK(d.layout_changed && strstr(d.why, "static"), "static: code change rebuilds");
	p.backend = ROOTLET_TAILCALL;
	plan_diff(&p, &q, &d);
	TAP_CHECK(d.layout_changed && strstr(d.why, "backend"), "backend change rebuilds");
	q.backend = ROOTLET_TAILCALL;
	q.nr_slots = 2;
	plan_diff(&p, &q, &d);
	TAP_CHECK(d.layout_changed && d.change[2] == PLAN_SLOT_REMOVED && d.nr_slots == 3,
		  "a removed slot");
	plan_diff(&q, &p, &d);
	TAP_CHECK(d.layout_changed && d.change[2] == PLAN_SLOT_ADDED, "an added slot");
	q.nr_slots = 3;
	plan_diff(NULL, &p, &d);
	TAP_CHECK(d.layout_changed && d.change[0] == PLAN_SLOT_ADDED, "nothing runs: all added");
	plan_free(&q);

	/* ---- the validator ---- */
	TAP_CHECK(parse_tampered(text, "format=xdpld-pipeline-2", "format=other") == -EINVAL,
		  "unknown format refused");
	TAP_CHECK(parse_tampered(text, "backend=tailcall", "backend=magic") == -EINVAL,
		  "unknown backend refused");
	TAP_CHECK(parse_tampered(text, "mode=native", "mode=auto") == -EINVAL, "mode auto refused");
	TAP_CHECK(parse_tampered(text, "slots=3", "slots=65") == -EINVAL, "65 slots refused");
	TAP_CHECK(parse_tampered(text, "slots=3", "slots=4") == -EINVAL, "a missing slot refused");
	TAP_CHECK(parse_tampered(text, "slots=3", "slots=0") == -EINVAL, "no slots refused");
	TAP_CHECK(parse_tampered(text, "slot.0.sha256=aaaa", "slot.0.sha256=zzzz") == -EINVAL,
		  "a bad sha256 refused");
	TAP_CHECK(parse_tampered(text, "slot.0.path=/", "slot.0.path=rel/") == -EINVAL,
		  "a relative path refused");
	TAP_CHECK(parse_tampered(text, "slot.0.continue=pass,tx", "slot.0.continue=fly") == -EINVAL,
		  "a bad action list refused");
	TAP_CHECK(parse_tampered(text, "slot.0.continue_from=option", "slot.0.continue_from=x") ==
		  -EINVAL, "a bad mask origin refused");
	TAP_CHECK(parse_tampered(text, "slot.1.target=0", "slot.1.target=2") == -EINVAL,
		  "target 2 refused");
	TAP_CHECK(parse_tampered(text, "slot.1.prog=xdp_lb", "slot.1.prog=a/b") == -EINVAL,
		  "a program name with '/' refused");
	TAP_CHECK(parse_tampered(text, "slot.1.prog_id=101", "slot.1.prog_id=99999999999") == -EINVAL,
		  "a program id beyond u32 refused");
	TAP_CHECK(parse_tampered(text, "map.1.pin=fw-rules", "map.1.pin=bad.name") == 0,
		  "a bad map pin only skips that map");
	TAP_CHECK(parse_tampered(text, "maps=2", "maps=x") == 0, "a bad map count keeps no map");
	{
		/* slot 1's keys again as a complete pending entry */
		char pend[2048] = "", *line, *copy = strdup(text), *save = NULL;

		for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
			if (!strncmp(line, "slot.1.", 7))
				snprintf(pend + strlen(pend), sizeof(pend) - strlen(pend),
					 "pending.%s\n", line + 7);
		free(copy);
		char ok2[2100], bad3[2100];
		snprintf(ok2, sizeof(ok2), "%spending.slot=2\nmaps=2", pend);
		snprintf(bad3, sizeof(bad3), "%spending.slot=3\nmaps=2", pend);
		TAP_CHECK(parse_tampered(text, "maps=2", ok2) == 0,
			  "a complete pending entry for slot 2 accepted");
		TAP_CHECK(parse_tampered(text, "maps=2", bad3) == -EINVAL,
			  "a pending entry for slot 3 of 3 refused");
		char nokeys[64] = "pending.slot=1\nmaps=2";
		TAP_CHECK(parse_tampered(text, "maps=2", nokeys) == -EINVAL,
			  "a pending entry without its keys refused");
	}
	TAP_CHECK(parse_tampered(text, "format=xdpld-pipeline-2\n", "") == -EINVAL,
		  "a record without format refused");
	{
		char *v1 = replace(text, "format=xdpld-pipeline-2", "format=xdpld-pipeline-1");
		char *v1s = replace(v1, "backend=tailcall", "backend=static");
		TAP_CHECK(!plan_record_parse("eth1", "test", v1s, &r) && r.backend == ROOTLET_STATIC,
			  "format 1 (static) still read");
		plan_free(&r);
		TAP_CHECK(parse_tampered(v1, "", "") == -EINVAL, "format 1 with another backend refused");
		free(v1);
		free(v1s);
	}

	free(text);
	plan_free(&p);
	for (const char *n = "fw.o"; n; n = !strcmp(n, "fw.o") ? "lb.o" :
		 !strcmp(n, "lb.o") ? "sampler.o" : !strcmp(n, "sampler.o") ? "a:b.o" : NULL) {
		char path[256];
		snprintf(path, sizeof(path), "%s/%s", dir, n);
		unlink(path);
	}
	rmdir(dir);
	return tap_done();
}
