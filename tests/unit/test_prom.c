/* prom_str: the label values of status --prometheus (base/prom.h). */
#include "base/prom.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* prom_str(s) as a string (static buffer). */
static const char *out(const char *s)
{
	static char buf[256];
	FILE *f = fmemopen(buf, sizeof(buf) - 1, "w");

	if (!f)
		return "(fmemopen failed)";
	prom_str(f, s);
	fclose(f);
	return buf;
}

#define IS(in, want, what) do { const char *o_ = out(in); \
	TAP_CHECK(!strcmp(o_, want), "%s: got %s", what, o_); } while (0)

int main(void)
{
	IS("r0", "\"r0\"", "plain value");
	IS(NULL, "\"\"", "NULL is empty");
	IS("a\"b", "\"a\\\"b\"", "quote escaped");
	IS("a\\b", "\"a\\\\b\"", "backslash escaped");
	IS("a\nb", "\"a\\nb\"", "newline escaped");
	IS("\\n", "\"\\\\n\"", "a backslash before n stays a backslash");
	IS("x\xe9y", "\"x\xc3\xa9y\"", "0xe9 is U+00E9 in UTF-8");
	IS("\xff", "\"\xc3\xbf\"", "0xff is U+00FF in UTF-8");
	IS("a\x1b[0m", "\"a\xef\xbf\xbd[0m\"", "escape byte is U+FFFD");
	IS("\t\r\x7f\x9b", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"",
	   "tab, CR, DEL and C1 are U+FFFD");
	return tap_done();
}
