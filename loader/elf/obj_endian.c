/* The object's byte order: integers and instructions in section bytes
 * (bpfel or bpfeb) to and from host values. */
#include "obj_internal.h"

#include <elf.h>

static bool obj_is_be(const struct obj *o)
{
	return o->byte_order == ELFDATA2MSB;
}

static uint64_t get_uint(bool be, const void *p, int n)
{
	const uint8_t *b = p;
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v |= (uint64_t)b[be ? i : n - 1 - i] << (8 * (n - 1 - i));
	return v;
}

void obj_put_uint(bool be, void *p, uint64_t v, int n)
{
	uint8_t *b = p;

	for (int i = 0; i < n; i++)
		b[be ? n - 1 - i : i] = (uint8_t)(v >> (8 * i));
}

uint32_t obj_u32(const struct obj *o, const void *p) { return (uint32_t)get_uint(obj_is_be(o), p, 4); }
uint64_t obj_u64(const struct obj *o, const void *p) { return get_uint(obj_is_be(o), p, 8); }
void obj_put_u32(const struct obj *o, void *p, uint32_t v) { obj_put_uint(obj_is_be(o), p, v, 4); }
void obj_put_u64(const struct obj *o, void *p, uint64_t v) { obj_put_uint(obj_is_be(o), p, v, 8); }

/* In bpfeb objects dst_reg is the high nibble of byte 1, src_reg the low. */
void obj_insn_get(const struct obj *o, const struct obj_sec *s, uint64_t off,
		  struct bpf_insn *insn)
{
	const uint8_t *p = s->data + off;
	bool be = obj_is_be(o);

	insn->code = p[0];
	insn->dst_reg = be ? p[1] >> 4 : p[1] & 0xf;
	insn->src_reg = be ? p[1] & 0xf : p[1] >> 4;
	insn->off = (int16_t)get_uint(be, p + 2, 2);
	insn->imm = (int32_t)get_uint(be, p + 4, 4);
}

void obj_insn_put(const struct obj *o, struct obj_sec *s, uint64_t off,
		  const struct bpf_insn *insn)
{
	uint8_t *p = s->data + off;
	bool be = obj_is_be(o);

	p[0] = insn->code;
	p[1] = be ? (uint8_t)(insn->dst_reg << 4 | insn->src_reg)
		  : (uint8_t)(insn->src_reg << 4 | insn->dst_reg);
	obj_put_uint(be, p + 2, (uint16_t)insn->off, 2);
	obj_put_uint(be, p + 4, (uint32_t)insn->imm, 4);
}
