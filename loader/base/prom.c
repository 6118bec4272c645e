/* Prometheus label values (see prom.h). */
#include "prom.h"

void prom_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c >= 0xa0)	/* Latin-1 in UTF-8: two bytes */
			fprintf(f, "%c%c", 0xc0 | (c >> 6), 0x80 | (c & 0x3f));
		else if (c < 0x20 || c >= 0x7f)
			fputs("\xef\xbf\xbd", f);	/* U+FFFD */
		else
			fputc(c, f);
	}
	fputc('"', f);
}
