// SPDX-License-Identifier: GPL-2.0
/*
 * xotctl: a small JSON writer. Indented output, or one line per document
 * (status --watch --json). Bytes outside printable ASCII are escaped as
 * \u00XX, so raw debugfs text always makes valid JSON.
 */
#include <math.h>

#include "xotctl.h"

void jw_init(struct jw *w, FILE *f, bool pretty)
{
	w->f = f;
	w->pretty = pretty;
	w->depth = 0;
	w->first[0] = true;
}

void jw_quote(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', f);
	for (; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", f);
		else if (*p == '\t')
			fputs("\\t", f);
		else if (*p < 0x20 || *p >= 0x7f)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

/* separator, newline and indentation, then "key": */
static void item(struct jw *w, const char *key)
{
	int i;

	if (!w->first[w->depth])
		fputc(',', w->f);
	w->first[w->depth] = false;
	if (w->pretty && w->depth) {
		fputc('\n', w->f);
		for (i = 0; i < w->depth; i++)
			fputs("  ", w->f);
	}
	if (key) {
		jw_quote(w->f, key);
		fputs(w->pretty ? ": " : ":", w->f);
	}
}

static void open_(struct jw *w, const char *key, char c)
{
	item(w, key);
	fputc(c, w->f);
	if (w->depth < 31)
		w->depth++;
	w->first[w->depth] = true;
}

static void close_(struct jw *w, char c)
{
	bool empty = w->first[w->depth];
	int i;

	if (w->depth)
		w->depth--;
	if (w->pretty && !empty) {
		fputc('\n', w->f);
		for (i = 0; i < w->depth; i++)
			fputs("  ", w->f);
	}
	fputc(c, w->f);
}

void jw_obj(struct jw *w, const char *key) { open_(w, key, '{'); }
void jw_obj_end(struct jw *w) { close_(w, '}'); }
void jw_arr(struct jw *w, const char *key) { open_(w, key, '['); }
void jw_arr_end(struct jw *w) { close_(w, ']'); }

void jw_str(struct jw *w, const char *key, const char *v)
{
	item(w, key);
	if (v)
		jw_quote(w->f, v);
	else
		fputs("null", w->f);
}

void jw_int(struct jw *w, const char *key, long long v)
{
	item(w, key);
	fprintf(w->f, "%lld", v);
}

void jw_num(struct jw *w, const char *key, double v)
{
	item(w, key);
	if (isfinite(v))
		fprintf(w->f, "%.6g", v);
	else
		fputs("null", w->f);
}

void jw_null(struct jw *w, const char *key)
{
	item(w, key);
	fputs("null", w->f);
}

void jw_bool(struct jw *w, const char *key, bool v)
{
	item(w, key);
	fputs(v ? "true" : "false", w->f);
}

void jw_end(struct jw *w)
{
	fputc('\n', w->f);
	fflush(w->f);
}
