/* The rootlet's vocabulary, shared by the generator, the pipeline and the
 * commands: its configuration and how it is encoded in .rodata, the names
 * of its slots and targets, of verdict buckets and actions, and its
 * per-slot counters (the backends' names are in rootlet.c, with their
 * table).  See rootlet.h. */
#include "rootlet.h"

#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

void rootlet_cfg_init(struct rootlet_cfg *cfg, uint32_t nr_slots, enum rootlet_backend backend)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->nr_slots = nr_slots;
	cfg->backend = backend;
	cfg->counters = true;
	for (uint32_t i = 0; i < ROOTLET_MAX_SLOTS; i++)
		cfg->continue_mask[i] = ROOTLET_DEFAULT_CONTINUE;
}

static void put_u32(int byte_order, uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++) {
		int shift = byte_order == ELFDATA2MSB ? 24 - 8 * i : 8 * i;
		p[i] = (uint8_t)(v >> shift);
	}
}

int rootlet_cfg_encode(const struct rootlet_cfg *cfg, int byte_order, void *buf, size_t len)
{
	uint8_t *p = buf;

	if (cfg->nr_slots > ROOTLET_MAX_SLOTS || len != rootlet_cfg_size(cfg->nr_slots))
		return -EINVAL;
	put_u32(byte_order, p + ROOTLET_CFG_OFF_NR_SLOTS, cfg->nr_slots);
	put_u32(byte_order, p + ROOTLET_CFG_OFF_COUNTERS, cfg->counters);
	for (uint32_t i = 0; i < cfg->nr_slots; i++)
		put_u32(byte_order, p + ROOTLET_CFG_OFF_MASKS + 4 * i, cfg->continue_mask[i]);
	return 0;
}

const char *rootlet_slot_name(uint32_t i, char *buf, size_t len)
{
	int n = snprintf(buf, len, ROOTLET_SLOT_PREFIX "%u", i);

	return n < 0 || (size_t)n >= len ? NULL : buf;
}

const char *rootlet_chain_name(uint32_t i, char *buf, size_t len)
{
	int n = snprintf(buf, len, ROOTLET_CHAIN_PREFIX "%u", i);

	return n < 0 || (size_t)n >= len ? NULL : buf;
}

const char *rootlet_target_name(uint32_t slot, uint32_t target, char *buf, size_t len)
{
	int n = target < ROOTLET_NR_TARGETS ?
		snprintf(buf, len, ROOTLET_SLOT_PREFIX "%u_%c", slot, 'a' + (int)target) : -1;

	return n < 0 || (size_t)n >= len ? NULL : buf;
}

static const char *const bucket_names[ROOTLET_NR_BUCKETS] = {
	"aborted", "drop", "pass", "tx", "redirect", "invalid",
};

const char *rootlet_bucket_name(uint32_t bucket)
{
	return bucket < ROOTLET_NR_BUCKETS ? bucket_names[bucket] : NULL;
}

int rootlet_action_parse(const char *name)
{
	if (!strncasecmp(name, "XDP_", 4))
		name += 4;
	for (int a = 0; a < ROOTLET_NR_ACTIONS; a++)
		if (!strcasecmp(name, bucket_names[a]))
			return a;
	return -EINVAL;
}

int rootlet_actions_parse(const char *list, uint32_t *mask)
{
	char word[32];

	*mask = 0;
	if (!strcmp(list, "none"))
		return 0;
	while (*list) {
		size_t n = strcspn(list, ",");
		if (n == 0 || n >= sizeof(word))
			return -EINVAL;
		memcpy(word, list, n);
		word[n] = '\0';
		int a = rootlet_action_parse(word);
		if (a < 0)
			return a;
		*mask |= 1u << a;
		list += n;
		if (*list == ',' && !*++list)
			return -EINVAL;	/* trailing comma */
	}
	return 0;
}

int rootlet_stats_split(uint32_t key, uint32_t nr_slots, uint32_t *slot, uint32_t *bucket)
{
	if (nr_slots > ROOTLET_MAX_SLOTS || key >= nr_slots * ROOTLET_NR_BUCKETS)
		return -ERANGE;
	*slot = key / ROOTLET_NR_BUCKETS;
	*bucket = key % ROOTLET_NR_BUCKETS;
	return 0;
}

uint64_t rootlet_stats_sum(const uint64_t *percpu, unsigned int nr_cpus)
{
	uint64_t sum = 0;

	for (unsigned int i = 0; i < nr_cpus; i++)
		sum += percpu[i];
	return sum;
}
