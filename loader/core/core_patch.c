/* Writing a CO-RE decision into its instruction, as libbpf's
 * bpf_core_patch_insn(): LDX/ST/STX offsets (and load size), ALU/ALU64
 * immediates, LD_IMM64 values; poisoning with a call of helper 0xbad2310. */
#include "core_priv.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

static void poison(struct bpf_insn *insn)
{
	insn->code = BPF_JMP | BPF_CALL;
	insn->dst_reg = 0;
	insn->src_reg = 0;
	insn->off = 0;
	insn->imm = CORE_POISON_IMM;
}

static int bpf_size_code(uint32_t bytes)
{
	switch (bytes) {
	case 1: return BPF_B;
	case 2: return BPF_H;
	case 4: return BPF_W;
	case 8: return BPF_DW;
	default: return -EINVAL;
	}
}

static uint32_t insn_bytes(const struct bpf_insn *insn)
{
	static const uint32_t sz[4] = { 4, 2, 1, 8 };	/* BPF_W, BPF_H, BPF_B, BPF_DW */

	return sz[BPF_SIZE(insn->code) >> 3];
}

static int patch_mem(struct bpf_insn *insn, size_t idx, struct core_decision *d,
		     char *err, size_t errlen)
{
	int code;

	if (d->validate && (uint64_t)(int64_t)insn->off != d->orig_val) {
		core_errf(err, errlen, "insn #%zu (LDX/ST/STX): offset %d, expected %llu",
			  idx, insn->off, (unsigned long long)d->orig_val);
		return -EINVAL;
	}
	if (d->new_val > SHRT_MAX) {
		core_errf(err, errlen, "insn #%zu (LDX/ST/STX): offset %llu too big", idx,
			  (unsigned long long)d->new_val);
		return -ERANGE;
	}
	if (d->fail_memsz_adjust) {
		snprintf(d->reason, sizeof(d->reason),
			 "field size %u -> %u on a signed or mismatched type: instruction poisoned",
			 d->orig_sz, d->new_sz);
		d->poison = true;
		poison(insn);
		return 0;
	}
	insn->off = (int16_t)d->new_val;
	if (d->new_sz == d->orig_sz)
		return 0;
	code = bpf_size_code(d->new_sz);
	if (insn_bytes(insn) != d->orig_sz || code < 0) {
		core_errf(err, errlen, "insn #%zu (LDX/ST/STX): access of %u bytes, field %u -> %u",
			  idx, insn_bytes(insn), d->orig_sz, d->new_sz);
		return -EINVAL;
	}
	insn->code = (uint8_t)(BPF_MODE(insn->code) | code | BPF_CLASS(insn->code));
	return 0;
}

int core_patch(struct bpf_insn *insns, size_t nr_insns, size_t idx, struct core_decision *d,
	       char *err, size_t errlen)
{
	struct bpf_insn *insn;
	bool ldimm64;

	if (idx >= nr_insns) {
		core_errf(err, errlen, "insn #%zu beyond the %zu instructions", idx, nr_insns);
		return -EINVAL;
	}
	insn = &insns[idx];
	ldimm64 = insn->code == (BPF_LD | BPF_IMM | BPF_DW);
	if (ldimm64 && idx + 1 >= nr_insns) {
		core_errf(err, errlen, "insn #%zu: LD_IMM64 without its second half", idx);
		return -EINVAL;
	}
	if (d->poison) {
		if (ldimm64)
			poison(insn + 1);
		poison(insn);
		return 0;
	}
	switch (BPF_CLASS(insn->code)) {
	case BPF_ALU:
	case BPF_ALU64:
		if (BPF_SRC(insn->code) != BPF_K) {
			core_errf(err, errlen, "insn #%zu: ALU with a register source", idx);
			return -EINVAL;
		}
		if (d->validate && (uint64_t)(int64_t)insn->imm != d->orig_val) {
			core_errf(err, errlen, "insn #%zu (ALU/ALU64): value %d, expected %llu", idx,
				  insn->imm, (unsigned long long)d->orig_val);
			return -EINVAL;
		}
		insn->imm = (int32_t)(uint32_t)d->new_val;
		return 0;
	case BPF_LDX:
	case BPF_ST:
	case BPF_STX:
		return patch_mem(insn, idx, d, err, errlen);
	case BPF_LD: {
		uint64_t imm;

		if (!ldimm64 || insn[0].src_reg || insn[0].off || insn[1].code || insn[1].dst_reg ||
		    insn[1].src_reg || insn[1].off) {
			core_errf(err, errlen, "insn #%zu (LDIMM64) has an unexpected form", idx);
			return -EINVAL;
		}
		imm = (uint32_t)insn[0].imm | ((uint64_t)(uint32_t)insn[1].imm << 32);
		if (d->validate && imm != d->orig_val) {
			core_errf(err, errlen, "insn #%zu (LDIMM64): value %llu, expected %llu", idx,
				  (unsigned long long)imm, (unsigned long long)d->orig_val);
			return -EINVAL;
		}
		insn[0].imm = (int32_t)(uint32_t)d->new_val;
		insn[1].imm = (int32_t)(uint32_t)(d->new_val >> 32);
		return 0;
	}
	default:
		core_errf(err, errlen, "insn #%zu: code 0x%x cannot carry a CO-RE relocation", idx,
			  insn->code);
		return -EINVAL;
	}
}

void core_decision_str(const struct core_decision *d, const struct core_targets *ts,
		       char *buf, size_t len)
{
	const char *tname = d->target >= 0 && ts && (size_t)d->target < ts->nr ?
				    ts->t[d->target].name : "-";

	snprintf(buf, len, "<%s> %s -> %s %s: %llu -> %llu%s", core_kind_name(d->kind),
		 d->local_spec, tname, d->target >= 0 ? d->target_spec : "(none)",
		 (unsigned long long)d->orig_val, (unsigned long long)d->new_val,
		 d->poison ? " (poisoned)" : "");
}

int core_apply_sec(const struct btf *local, const struct btf_ext_sec *sec,
		   struct bpf_insn *insns, size_t nr_insns, const struct core_targets *ts,
		   struct core_cache *cache, struct core_decision *out, char *err, size_t errlen)
{
	const struct btf_ext_core *recs = sec->recs;
	struct core_decision d;
	char why[256];
	int ret;

	for (uint32_t i = 0; i < sec->nr; i++) {
		const char *access = btf_str(local, recs[i].access_str_off);

		why[0] = '\0';
		ret = core_resolve(local, &recs[i], ts, cache, &d, why, sizeof(why));
		if (!ret)
			ret = core_patch(insns, nr_insns, d.insn_idx, &d, why, sizeof(why));
		if (ret) {
			core_errf(err, errlen, "sec '%s': CO-RE relocation #%u at insn #%u (\"%.64s\"): %s",
				  sec->sec_name, i, recs[i].insn_off / 8, access ? access : "?", why);
			return ret;
		}
		if (out)
			out[i] = d;
	}
	return 0;
}
