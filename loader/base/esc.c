/* Untrusted bytes in a message: see esc.h. */
#include "esc.h"

#include <stdio.h>
#include <string.h>

static bool printable(unsigned char c)
{
	return c >= 0x20 && c < 0x7f;
}

const char *esc_bytes(char *out, size_t len, const char *s, size_t n)
{
	size_t o = 0;

	if (!len)
		return out;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		size_t need = printable(c) ? 1 : 4;

		/* Room for this byte, "..." and the NUL unless it is the last. */
		if (o + need + (i + 1 < n ? 3 : 0) + 1 > len) {
			if (o + 4 <= len) {
				memcpy(out + o, "...", 3);
				o += 3;
			}
			break;
		}
		if (printable(c))
			out[o++] = (char)c;
		else
			o += (size_t)snprintf(out + o, len - o, "\\x%02x", c);
	}
	out[o] = '\0';
	return out;
}

const char *esc_str(char *out, size_t len, const char *s)
{
	return esc_bytes(out, len, s, strlen(s));
}

const char *esc_first_bad(const char *s)
{
	for (; *s; s++)
		if (!printable((unsigned char)*s))
			return s;
	return NULL;
}

bool esc_printable(const char *s)
{
	return !esc_first_bad(s);
}
