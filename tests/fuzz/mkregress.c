/* Writes the nasty objects in tests/fuzz/regress/ from the clang-built test
 * objects, with xdpld's own object model (each function says what it makes):
 *   mkregress BUILD_TESTS_BPF_DIR OUT_DIR
 * Built and run by `tests/fuzz/run.sh regress`; the outputs are committed,
 * so the regression test does not depend on this program. */
#include "fuzz_common.h"

#include "btf/btf.h"
#include "elf/obj.h"

#include <elf.h>
#include <errno.h>
#include <string.h>

static const char *in_dir, *out_dir;

static struct obj *base(const char *name)
{
	char path[4096];
	struct obj *o;

	snprintf(path, sizeof(path), "%s/%s", in_dir, name);
	if (obj_read_file(path, &o)) {
		fprintf(stderr, "mkregress: cannot read %s\n", path);
		exit(1);
	}
	return o;
}

static void save_buf(const char *name, const void *buf, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", out_dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(buf, 1, len, f) != len || fclose(f)) {
		fprintf(stderr, "mkregress: cannot write %s\n", path);
		exit(1);
	}
}

/* Writes o as NAME; patch (may be NULL) edits the ELF bytes first. */
static void save(struct obj *o, const char *name, void (*patch)(uint8_t *buf, size_t len))
{
	void *buf;
	size_t len;

	if (obj_write_mem(o, &buf, &len)) {
		fprintf(stderr, "mkregress: cannot write %s\n", name);
		exit(1);
	}
	if (patch)
		patch(buf, len);
	save_buf(name, buf, len);
	free(buf);
	obj_free(o);
}

/* Header of section NAME in a little-endian ELF64 image (host is LE). */
static Elf64_Shdr *elf_sec(uint8_t *buf, const char *name)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)buf;
	Elf64_Shdr *sh = (Elf64_Shdr *)(buf + eh->e_shoff);
	const char *strs = (const char *)buf + sh[eh->e_shstrndx].sh_offset;

	for (int i = 0; i < eh->e_shnum; i++)
		if (!strcmp(strs + sh[i].sh_name, name))
			return &sh[i];
	fprintf(stderr, "mkregress: no section %s\n", name);
	exit(1);
}

static uint32_t first_maps_var(struct obj *o)
{
	int64_t ds = btf_find(o->btf, ".maps", BTF_KIND_DATASEC);
	const struct btf_type *t = btf_type_by_id(o->btf, (uint32_t)ds);

	if (ds <= 0 || !BTF_INFO_VLEN(t->info))
		exit(1);
	return ((const struct btf_var_secinfo *)(t + 1))->type;
}

static uint32_t add(struct obj *o, uint32_t kind, uint32_t vlen, uint32_t size_or_type,
		    const void *tail, size_t tail_len)
{
	struct btf_type t = { .info = kind << 24 | vlen, .size = size_or_type };
	int64_t id = btf_add_type(o->btf, &t, tail, tail_len);

	if (id < 0)
		exit(1);
	return (uint32_t)id;
}

/* The type of maps_btf.o's first map: a loop of two CONSTs. */
static void modifier_loop(void)
{
	struct obj *o = base("maps_btf.o");
	uint32_t a = btf_nr_types(o->btf);

	add(o, BTF_KIND_CONST, 0, a + 1, NULL, 0);
	add(o, BTF_KIND_CONST, 0, a, NULL, 0);
	btf_type_mut(o->btf, first_maps_var(o))->type = a;
	save(o, "btf_const_loop.o", NULL);
}

/* struct S { struct S s; } as the first map's type. */
static void struct_contains_itself(void)
{
	struct obj *o = base("maps_btf.o");
	uint32_t s = btf_nr_types(o->btf);
	struct btf_member m = { .name_off = 0, .type = s, .offset = 0 };

	m.name_off = (uint32_t)btf_add_str(o->btf, "type");
	add(o, BTF_KIND_STRUCT, 1, 8, &m, sizeof(m));
	btf_type_mut(o->btf, first_maps_var(o))->type = s;
	save(o, "btf_struct_self.o", NULL);
}

/* An array of itself, reached from the first map's 'type' member pointer. */
static void array_of_itself(void)
{
	struct obj *o = base("maps_btf.o");
	uint32_t a = btf_nr_types(o->btf);
	struct btf_array arr = { .type = a, .index_type = a, .nelems = 0xffffffff };

	add(o, BTF_KIND_ARRAY, 0, 0, &arr, sizeof(arr));
	btf_type_mut(o->btf, 1)->type = a;	/* [1] PTR -> int[2] in maps_btf.o */
	save(o, "valid_btf_array_self.o", NULL);
}

/* Two copies of struct A { struct B *b; } / struct B { struct A *a; }: a
 * pointer cycle that dedup must merge and terminate on (valid). */
static void pointer_cycles(void)
{
	struct obj *o = base("obj_loadable.o");

	for (int copy = 0; copy < 2; copy++) {
		uint32_t first = btf_nr_types(o->btf);
		struct btf_member ma = { .type = first + 2 }, mb = { .type = first + 3 };

		ma.name_off = (uint32_t)btf_add_str(o->btf, "b");
		mb.name_off = (uint32_t)btf_add_str(o->btf, "a");
		add(o, BTF_KIND_STRUCT, 1, 8, &ma, sizeof(ma));	/* first: A */
		add(o, BTF_KIND_STRUCT, 1, 8, &mb, sizeof(mb));	/* first+1: B */
		add(o, BTF_KIND_PTR, 0, first + 1, NULL, 0);	/* B * */
		add(o, BTF_KIND_PTR, 0, first, NULL, 0);	/* A * */
		btf_rename(o->btf, first, "cyc_a");
		btf_rename(o->btf, first + 1, "cyc_b");
	}
	save(o, "valid_btf_ptr_cycle.o", NULL);
}

/* A .maps VAR whose type is int. */
static void maps_var_not_struct(void)
{
	struct obj *o = base("maps_btf.o");

	btf_type_mut(o->btf, first_maps_var(o))->type = 2;	/* [2] int */
	save(o, "maps_var_int.o", NULL);
}

/* __uint(max_entries, 0xffffffff) and __uint(key_size, 0xffffffff): the
 * first map of maps_btf.o gets both through its int[N] array types. */
static void huge_uints(void)
{
	struct obj *o = base("maps_btf.o");
	struct btf_type *t;

	/* [6] int[8] is maps_inner_a/b's max_entries, [14] int[12] maps_sized's
	 * value_size: see `bpftool btf dump file maps_btf.o`. */
	t = btf_type_mut(o->btf, 6);
	((struct btf_array *)(t + 1))->nelems = 0xffffffff;
	t = btf_type_mut(o->btf, 14);
	((struct btf_array *)(t + 1))->nelems = 0xffffffff;
	save(o, "valid_maps_huge_uint.o", NULL);
}

/* A DATASEC entry that is an INT, not a VAR. */
static void datasec_not_var(void)
{
	struct obj *o = base("obj_loadable.o");
	int64_t ds = btf_find(o->btf, ".bss", BTF_KIND_DATASEC);
	struct btf_type *t = btf_type_mut(o->btf, (uint32_t)ds);

	((struct btf_var_secinfo *)(t + 1))->type = (uint32_t)btf_find(o->btf, "int", BTF_KIND_INT);
	save(o, "datasec_int_entry.o", NULL);
}

/* Found by fuzz_link (link_btf.c dereferenced the void type): a DATASEC
 * entry of type 0. */
static void datasec_void(void)
{
	struct obj *o = base("obj_loadable.o");
	int64_t ds = btf_find(o->btf, ".bss", BTF_KIND_DATASEC);
	struct btf_type *t = btf_type_mut(o->btf, (uint32_t)ds);

	((struct btf_var_secinfo *)(t + 1))->type = 0;
	save(o, "datasec_void_entry.o", NULL);
}

/* Found by fuzz_obj (obj.c added sh_offset to the buffer for NOBITS too):
 * .bss with sh_offset 2^64-1. */
static void patch_bss_offset(uint8_t *buf, size_t len)
{
	elf_sec(buf, ".bss")->sh_offset = UINT64_MAX;
}

static void nobits_offset_max(void)
{
	save(base("obj_loadable.o"), "valid_nobits_offset_max.o", patch_bss_offset);
}

/* .data aligned to 2^40: writing it back would pad the file to 1 TiB. */
static void patch_data_align(uint8_t *buf, size_t len)
{
	elf_sec(buf, ".data")->sh_addralign = 1ull << 40;
}

static void huge_alignment(void)
{
	save(base("obj_basic.o"), "align_2pow40.o", patch_data_align);
}

static void patch_ext_num_info(uint8_t *buf, size_t len)
{
	Elf64_Shdr *sh = elf_sec(buf, ".BTF.ext");
	uint8_t *ext = buf + sh->sh_offset;
	uint32_t hdr_len, func_off, huge = 0xffffffff;

	memcpy(&hdr_len, ext + 4, 4);
	memcpy(&func_off, ext + 8, 4);
	/* func_info: rec_size, then { sec_name_off, num_info, records } */
	memcpy(ext + hdr_len + func_off + 8, &huge, 4);
}

static void ext_huge_num_info(void)
{
	save(base("obj_basic.o"), "ext_huge_num_info.o", patch_ext_num_info);
}

/* A relocation 4 bytes before the end of its section. */
static void reloc_at_end(void)
{
	struct obj *o = base("obj_basic.o");
	int sec = obj_find_sec(o, "xdp");

	o->secs[sec].relocs[0].offset = o->secs[sec].size - 4;
	save(o, "reloc_at_size_minus_4.o", NULL);
}

/* A symbol whose value is UINT64_MAX. */
static void sym_value_max(void)
{
	struct obj *o = base("obj_basic.o");

	o->syms[obj_find_sym(o, "obj_weak_fn")].value = UINT64_MAX;
	save(o, "sym_value_max.o", NULL);
}

/* Found by fuzz_link (the linker cut .text at a function end that was not
 * an instruction boundary and wrote a symbol past its section): a .text
 * function 4 bytes short. */
static void func_not_whole_insns(void)
{
	struct obj *o = base("obj_loadable.o");

	for (size_t i = 1; i < o->nr_syms; i++) {
		struct obj_sym *s = &o->syms[i];

		if (s->type == STT_FUNC && obj_sec_is_text(o, s->sec) && s->size >= 16) {
			s->size -= 4;
			break;
		}
	}
	save(o, "func_size_not_insns.o", NULL);
}

/* Found by fuzz_link (two .bss of 2-4 GiB linked into one that xdpld then
 * refused to read): a 2 GiB .bss, valid alone, too large twice. */
static void big_bss(void)
{
	struct obj *o = base("obj_loadable.o");

	o->secs[obj_find_sec(o, ".bss")].size = 1ull << 31;
	save(o, "valid_bss_2g.o", NULL);
}

/* Found by fuzz_link (link_merge.c read the instructions of an executable
 * section that had no data): .text as NOBITS, its relocations dropped. */
static void exec_nobits(void)
{
	struct obj *o = base("obj_loadable.o");
	struct obj_sec *s = &o->secs[obj_find_sec(o, ".text")];

	s->type = SHT_NOBITS;
	s->nr_relocs = 0;
	save(o, "exec_nobits.o", NULL);
}

/* Found by fuzz_link (aliasing tail_target onto a slot moved it out of the
 * middle of use_maps, whose symbol then ran past its section): load_maps.o
 * with use_maps starting at tail_target's first instruction. */
static void funcs_overlap(void)
{
	struct obj *o = base("load_maps.o");
	struct obj_sym *s = &o->syms[obj_find_sym(o, "use_maps")];

	s->value -= 8;
	save(o, "valid_funcs_overlap.o", NULL);
}

/* Found by fuzz_link (func_info records of a data section were shifted by
 * the data's 4-byte alignment to offsets that are not instructions): the
 * first func_info section of obj_loadable.o renamed to .maps. */
static void ext_for_data(void)
{
	struct obj *o = base("obj_loadable.o");
	struct btf_ext_sec *es = &o->btf_ext->func.secs[0];

	free(es->sec_name);
	es->sec_name = strdup(".maps");
	save(o, "ext_for_data_section.o", NULL);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: mkregress BUILD/tests/bpf OUT_DIR\n");
		return 2;
	}
	in_dir = argv[1];
	out_dir = argv[2];
	modifier_loop();
	struct_contains_itself();
	array_of_itself();
	pointer_cycles();
	maps_var_not_struct();
	huge_uints();
	datasec_not_var();
	datasec_void();
	nobits_offset_max();
	huge_alignment();
	func_not_whole_insns();
	big_bss();
	exec_nobits();
	funcs_overlap();
	ext_for_data();
	ext_huge_num_info();
	reloc_at_end();
	sym_value_max();
	return 0;
}

/* fuzz_common.h declares it for the harnesses. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) { return 0; }
