// SPDX-License-Identifier: GPL-2.0
/*
 * xotctl: the VM weight list of xot-blkback (blkback-hook/vm_weight.c),
 * "name=W,name=W", and its persistent form in modprobe.d:
 *
 *   options xot-blkback vm_weights=web=200,db=400
 *
 * Weights are checked by the shared io.xot.weight parser (core/weight.c);
 * names by xc_vm_name_ok(), stricter than the kernel so that the list also
 * survives modprobe's option syntax (no blanks, quotes, ',' or '=').
 */
#include <stdlib.h>
#include <string.h>

#include <xot/weight.h>

#include "xotctl.h"

bool xc_vm_name_ok(const char *name)
{
	size_t n = strlen(name);
	const char *p;

	if (!n || n >= XC_NAME_LEN)
		return false;
	for (p = name; *p; p++)
		if (*p <= ' ' || *p >= 0x7f || strchr(",=\"'#\\", *p))
			return false;
	return true;
}

int xc_weight_parse(const char *s, unsigned int *w)
{
	struct xot_weight_line l;

	/* W alone: a "default W" or "MAJ:MIN W" line is not a VM weight */
	if (!strncmp(s, "default", 7) || strchr(s, ':') ||
	    xot_weight_line_parse(s, &l) || l.has_dev || l.reset)
		return -1;
	*w = l.weight;
	return 0;
}

int xc_vmw_find(const struct xc_vmw *l, const char *name)
{
	int i;

	for (i = 0; i < l->nr; i++)
		if (!strcmp(l->e[i].name, name))
			return i;
	return -1;
}

/* What xot-blkback itself takes as a name: 1..63 bytes, no ',' '=' or newline. */
bool xc_vm_name_kernel_ok(const char *name)
{
	size_t n = strlen(name);

	return n && n < XC_NAME_LEN && !strpbrk(name, ",=\n");
}

static int parse(const char *s, struct xc_vmw *l, char *why, size_t whylen, bool lenient)
{
	char *copy = strdup(s), *item, *p = copy;
	int ret = -1;

	l->nr = 0;
	if (!copy) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	while ((item = strsep(&p, ",\n"))) {
		char *eq;
		unsigned int w;

		while (*item == ' ' || *item == '\t')
			item++;
		xc_chomp(item);
		if (!*item)
			continue;
		eq = strchr(item, '=');
		if (!eq || eq == item) {
			snprintf(why, whylen, "'%s' is not NAME=WEIGHT", item);
			goto out;
		}
		*eq = '\0';
		if (lenient ? !xc_vm_name_kernel_ok(item) : !xc_vm_name_ok(item)) {
			snprintf(why, whylen, "bad VM name '%s'", item);
			goto out;
		}
		if (xc_weight_parse(eq + 1, &w)) {
			snprintf(why, whylen, "bad weight '%s' for %s (1..10000)", eq + 1, item);
			goto out;
		}
		if (xc_vmw_find(l, item) >= 0) {
			snprintf(why, whylen, "VM '%s' named twice", item);
			goto out;
		}
		if (l->nr == XC_VMW_MAX) {
			snprintf(why, whylen, "more than %d VMs", XC_VMW_MAX);
			goto out;
		}
		strcpy(l->e[l->nr].name, item);
		l->e[l->nr++].weight = w;
	}
	ret = 0;
out:
	free(copy);
	return ret;
}

int xc_vmw_parse(const char *s, struct xc_vmw *l, char *why, size_t whylen)
{
	return parse(s, l, why, whylen, false);
}

int xc_vmw_parse_running(const char *s, struct xc_vmw *l, char *why, size_t whylen)
{
	return parse(s, l, why, whylen, true);
}

int xc_vmw_set(struct xc_vmw *l, const char *name, unsigned int w)
{
	int i = xc_vmw_find(l, name);

	if (i < 0) {
		if (l->nr == XC_VMW_MAX || !xc_vm_name_ok(name))
			return -1;
		i = l->nr++;
		strcpy(l->e[i].name, name);
	}
	l->e[i].weight = w;
	return 0;
}

int xc_vmw_unset(struct xc_vmw *l, const char *name)
{
	int i = xc_vmw_find(l, name);

	if (i < 0)
		return -1;
	memmove(&l->e[i], &l->e[i + 1], (size_t)(l->nr - i - 1) * sizeof(l->e[0]));
	l->nr--;
	return 0;
}

bool xc_vmw_format(const struct xc_vmw *l, char *buf, size_t len)
{
	size_t n = 0;
	int i, r;

	if (!len)
		return false;
	buf[0] = '\0';
	for (i = 0; i < l->nr; i++) {
		r = snprintf(buf + n, len - n, "%s%s=%u", i ? "," : "",
			     l->e[i].name, l->e[i].weight);
		if (r < 0 || (size_t)r >= len - n)
			return false;
		n += (size_t)r;
	}
	return true;
}

/* ------------------------------------------------------------ modprobe.d */

static bool is_our_module(const char *m)
{
	return !strcmp(m, "xot-blkback") || !strcmp(m, "xot_blkback");
}

/*
 * If line is "options xot-blkback ...", return the start of its parameters
 * (in line); NULL otherwise.
 */
static const char *our_options(const char *line, char *mod, size_t modlen)
{
	const char *p = line, *q;
	size_t n;

	while (*p == ' ' || *p == '\t')
		p++;
	if (strncmp(p, "options", 7) || (p[7] != ' ' && p[7] != '\t'))
		return NULL;
	p += 7;
	while (*p == ' ' || *p == '\t')
		p++;
	for (q = p; *q && *q != ' ' && *q != '\t' && *q != '\n'; q++)
		;
	n = (size_t)(q - p);
	if (n >= modlen)
		return NULL;
	memcpy(mod, p, n);
	mod[n] = '\0';
	return is_our_module(mod) ? q : NULL;
}

char *xc_conf_get(const char *text)
{
	char *found = NULL, mod[64];
	const char *line = text;

	while (line && *line) {
		const char *end = strchr(line, '\n'), *p;
		size_t len = end ? (size_t)(end - line) : strlen(line);
		char *l = strndup(line, len), *tok, *save = NULL;

		line = end ? end + 1 : NULL;
		if (!l)
			break;
		p = our_options(l, mod, sizeof(mod));
		if (p) {
			char *params = l + (p - l);

			for (tok = strtok_r(params, " \t", &save); tok;
			     tok = strtok_r(NULL, " \t", &save))
				if (!strncmp(tok, "vm_weights=", 11)) {
					free(found);	/* the last one wins, as in the kernel */
					found = strdup(tok + 11);
				}
		}
		free(l);
	}
	return found;
}

static const char conf_header[] =
	"# XoT: VM weights by VM name for xot-blkback (written by xotctl vm set-weight/unset).\n"
	"# Applied whenever xot-blkback is loaded; see `xotctl --help` and README \"xotctl\".\n";

char *xc_conf_put(const char *text, const char *list)
{
	const char *line = text;
	bool placed = false;
	char *out = NULL, mod[64];
	size_t outlen = 0;
	FILE *f = open_memstream(&out, &outlen);

	if (!f)
		return NULL;
	if (!text || !*text)
		fputs(conf_header, f);
	while (line && *line) {
		const char *end = strchr(line, '\n'), *p;
		size_t len = end ? (size_t)(end - line) : strlen(line);
		char *l = strndup(line, len), *tok, *save = NULL, *rest;
		bool other = false;

		line = end ? end + 1 : NULL;
		if (!l)
			break;
		p = our_options(l, mod, sizeof(mod));
		if (!p) {
			fprintf(f, "%s\n", l);
			free(l);
			continue;
		}
		rest = calloc(1, len + 1);	/* the line's other tokens fit in its length */
		if (!rest) {
			free(l);
			break;
		}
		/* our module's line: keep its other parameters */
		for (tok = strtok_r(l + (p - l), " \t", &save); tok;
		     tok = strtok_r(NULL, " \t", &save))
			if (strncmp(tok, "vm_weights=", 11)) {
				/* tokens in place, joined by one blank */
				if (other)
					strcat(rest, " ");
				strcat(rest, tok);
				other = true;
			}
		if (!placed && *list) {
			fprintf(f, "options %s%s%s vm_weights=%s\n", mod, other ? " " : "",
				rest, list);
			placed = true;
		} else if (other) {
			fprintf(f, "options %s %s\n", mod, rest);
		}
		free(rest);
		free(l);
	}
	if (!placed && *list)
		fprintf(f, "options xot-blkback vm_weights=%s\n", list);
	if (fclose(f)) {
		free(out);
		return NULL;
	}
	return out;
}
