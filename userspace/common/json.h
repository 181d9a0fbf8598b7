/* SPDX-License-Identifier: GPL-2.0 */
/*
 * JSON output shared by the userspace tools (fairness-report, xot-sim,
 * xot-trace): one string escaper, so every tool writes the same JSON.
 */
#ifndef _XOT_USER_JSON_H
#define _XOT_USER_JSON_H

#include <stdio.h>

/* @s as a JSON string: quotes, backslashes and control characters escaped. */
static inline void xot_json_str(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", out);
		else if (c == '\t')
			fputs("\\t", out);
		else if (c < 0x20)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

#endif /* _XOT_USER_JSON_H */
