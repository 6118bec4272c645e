/* The reference for xdpld's CO-RE engine: libbpf's own decisions.
 *
 *   core_ref [--matches] [--btf FILE] OBJ
 *
 * Opens OBJ with libbpf (debug log on), loads it against the running
 * kernel (CO-RE against FILE instead of the kernel's BTF with --btf: libbpf's
 * btf_custom_path, as for a minimized BTF), and prints:
 *   LOG <line>         every libbpf debug line about a CO-RE relocation
 *   WARN <line>        every libbpf warning
 *   PROG <name> <sec>  each program and its section
 *   LOAD <rc>          bpf_object__load()'s result
 *   INSN <prog> <idx> <code> <dst> <src> <off> <imm>
 *                      every instruction as libbpf handed it to the kernel
 *                      (after a successful load)
 *   TAG <prog> <tag>   each program's kernel tag, 16 hex digits (idem)
 * --matches turns every type_exists record (kind 8) of .BTF.ext into
 * type_matches (kind 12) first: clang 14 cannot emit TYPE_MATCHES.
 * --save OUT writes the object so rewritten to OUT instead of loading it
 * (for tools that read the object themselves: btfgen). */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int print_cb(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char line[1024];

	vsnprintf(line, sizeof(line), fmt, ap);
	line[strcspn(line, "\n")] = '\0';
	if (level == LIBBPF_DEBUG && (strstr(line, "relo #") || strstr(line, "CO-RE relocating")))
		printf("LOG %s\n", line);
	else if (level == LIBBPF_WARN)
		printf("WARN %s\n", line);
	return 0;
}

/* Rewrite kind 8 -> 12 in the .BTF.ext core_relo records (host byte order). */
static int to_matches(char *buf, size_t size)
{
	Elf *e;
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	int n = 0;

	elf_version(EV_CURRENT);
	e = elf_memory(buf, size);
	if (!e || elf_getshdrstrndx(e, &shstrndx))
		return -1;
	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		const char *name;
		unsigned char *p;
		unsigned int hdr_len, off, len, rec, pos;

		if (!gelf_getshdr(scn, &sh) || !(name = elf_strptr(e, shstrndx, sh.sh_name)) ||
		    strcmp(name, ".BTF.ext"))
			continue;
		p = (unsigned char *)buf + sh.sh_offset;
		memcpy(&hdr_len, p + 4, 4);
		if (hdr_len < 32)
			break;
		memcpy(&off, p + 24, 4);
		memcpy(&len, p + 28, 4);
		p += hdr_len + off;
		memcpy(&rec, p, 4);
		for (pos = 4; pos + 8 <= len;) {
			unsigned int nr, i, kind;

			memcpy(&nr, p + pos + 4, 4);
			pos += 8;
			for (i = 0; i < nr && pos + rec <= len; i++, pos += rec) {
				memcpy(&kind, p + pos + 12, 4);
				if (kind == 8) {
					kind = 12;
					memcpy(p + pos + 12, &kind, 4);
					n++;
				}
			}
		}
	}
	elf_end(e);
	return n;
}

int main(int argc, char **argv)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts);
	bool matches = false;
	const char *path = NULL, *save = NULL;
	struct bpf_object *obj;
	struct bpf_program *prog;
	char *buf;
	long size;
	FILE *f;
	int err;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--matches"))
			matches = true;
		else if (!strcmp(argv[i], "--btf") && i + 1 < argc)
			opts.btf_custom_path = argv[++i];
		else if (!strcmp(argv[i], "--save") && i + 1 < argc)
			save = argv[++i];
		else if (!path && argv[i][0] != '-')
			path = argv[i];
		else {
			path = NULL;	/* a usage error */
			break;
		}
	}
	if (!path) {
		fprintf(stderr, "usage: core_ref [--matches] [--btf FILE] [--save OUT] OBJ\n");
		return 2;
	}
	f = fopen(path, "rb");
	if (!f || fseek(f, 0, SEEK_END) || (size = ftell(f)) <= 0 || fseek(f, 0, SEEK_SET))
		return perror(path), 1;
	buf = malloc(size);
	if (!buf || fread(buf, 1, size, f) != (size_t)size)
		return perror(path), 1;
	fclose(f);
	if (matches && to_matches(buf, size) < 0)
		return fprintf(stderr, "%s: no .BTF.ext\n", path), 1;
	if (save) {
		f = fopen(save, "wb");
		if (!f || fwrite(buf, 1, size, f) != (size_t)size || fclose(f))
			return perror(save), 1;
		free(buf);
		return 0;
	}
	libbpf_set_print(print_cb);
	obj = bpf_object__open_mem(buf, size, &opts);
	if (!obj)
		return fprintf(stderr, "%s: open failed: %d\n", path, -errno), 1;
	bpf_object__for_each_program(prog, obj)
		printf("PROG %s %s\n", bpf_program__name(prog), bpf_program__section_name(prog));
	err = bpf_object__load(obj);
	printf("LOAD %d\n", err);
	if (!err) {
		bpf_object__for_each_program(prog, obj) {
			const struct bpf_insn *in = bpf_program__insns(prog);
			size_t n = bpf_program__insn_cnt(prog);

			for (size_t i = 0; i < n; i++)
				printf("INSN %s %zu %u %u %u %d %d\n", bpf_program__name(prog), i,
				       in[i].code, in[i].dst_reg, in[i].src_reg, in[i].off, in[i].imm);
		}
		bpf_object__for_each_program(prog, obj) {
			struct bpf_prog_info info = { 0 };
			__u32 len = sizeof(info);

			if (bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len))
				continue;
			printf("TAG %s ", bpf_program__name(prog));
			for (int i = 0; i < BPF_TAG_SIZE; i++)
				printf("%02x", info.tag[i]);
			printf("\n");
		}
	}
	bpf_object__close(obj);
	free(buf);
	return 0;
}
