// SPDX-License-Identifier: GPL-2.0
/*
 * xotctl: parser of /sys/kernel/debug/xot-blkback/vbds
 * (blkback-hook/vbd.c hook_vbd_show):
 *
 *   domid vm devid vm_weight channel rings order ups errors
 *   5 web 51712 200 up 1 0 1 0
 *     ring 0 next_seq 99 matched 90 continued 3 unmatched 2 dropped 0 [rejected_REASON N]...
 *     offers 2 reads 2
 *     thread 0 bios 120
 *
 * Ring and thread counters are summed per vbd; rejections are kept per
 * reason too. Unknown lines are counted and skipped.
 */
#include <stdlib.h>
#include <string.h>

#include "xotctl.h"

/*
 * "domid vm devid vm_weight channel rings order ups errors": the VM name is
 * everything between the first field and the last seven, so a name with
 * blanks in it (xl allows them) still parses.
 */
static bool parse_vbd(char *s, struct xc_vbd *v)
{
	char *tok[XC_NAME_LEN + 9], *save = NULL, *t;
	unsigned long long n[9];
	int nt = 0, i;
	size_t len = 0;

	for (t = strtok_r(s, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
		if (nt == (int)(sizeof(tok) / sizeof(tok[0])))
			return false;
		tok[nt++] = t;
	}
	if (nt < 9 || !xc_parse_ull(tok[0], &n[0]))
		return false;
	for (i = 0; i < 7; i++)
		if (i != 2 && !xc_parse_ull(tok[nt - 7 + i], &n[2 + i]))
			return false;
	if (strcmp(tok[nt - 5], "up") && strcmp(tok[nt - 5], "down"))
		return false;
	memset(v, 0, sizeof(*v));
	for (i = 1; i < nt - 7; i++) {
		size_t l = strlen(tok[i]);

		if (len + l + (i > 1) > XC_NAME_LEN)
			return false;
		if (i > 1)
			v->vm[len++] = ' ';
		memcpy(v->vm + len, tok[i], l);
		len += l;
	}
	v->vm[len] = '\0';
	v->domid = (unsigned int)n[0];
	v->devid = (unsigned int)n[2];
	v->vm_weight = (unsigned int)n[3];
	v->up = !strcmp(tok[nt - 5], "up");
	v->rings = (unsigned int)n[5];
	v->order = (unsigned int)n[6];
	v->ups = n[7];
	v->errors = n[8];
	return true;
}

static void add_reason(struct xc_vbd *v, const char *name, unsigned long long n)
{
	int i;

	v->rejected += n;
	for (i = 0; i < v->nr_reasons; i++)
		if (!strcmp(v->reason[i].name, name)) {
			v->reason[i].n += n;
			return;
		}
	if (v->nr_reasons == XC_MAX_REASONS || strlen(name) >= sizeof(v->reason[0].name))
		return;
	strcpy(v->reason[v->nr_reasons].name, name);
	v->reason[v->nr_reasons++].n = n;
}

/* "ring N key N key N ...", "thread N bios N" or "offers N reads N" */
static bool parse_counters(char *s, struct xc_vbd *v)
{
	char *save = NULL, *what, *key, *val;
	unsigned long long n;

	what = strtok_r(s, " ", &save);
	val = strtok_r(NULL, " ", &save);
	if (!what || !val || !xc_parse_ull(val, &n))
		return false;
	if (strcmp(what, "ring") && strcmp(what, "thread") && strcmp(what, "offers"))
		return false;
	while ((key = strtok_r(NULL, " ", &save))) {
		val = strtok_r(NULL, " ", &save);
		if (!val || !xc_parse_ull(val, &n))
			return false;
		if (!strcmp(key, "matched"))
			v->matched += n;
		else if (!strcmp(key, "continued"))
			v->continued += n;
		else if (!strcmp(key, "unmatched"))
			v->unmatched += n;
		else if (!strcmp(key, "dropped"))
			v->dropped += n;
		else if (!strcmp(key, "bios"))
			v->bios += n;
		else if (!strncmp(key, "rejected_", 9))
			add_reason(v, key + 9, n);
		/* next_seq and unknown counters: not summed */
	}
	return true;
}

int xc_vbds_parse(const char *text, struct xc_vbds *out)
{
	char *copy, *line, *save = NULL;
	bool header = true, cur = false;	/* cur: the last vbd line was good */

	memset(out, 0, sizeof(*out));
	copy = strdup(text);
	if (!copy)
		return -1;
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (header && !strncmp(line, "domid ", 6)) {
			header = false;
			continue;
		}
		if (line[0] == ' ') {
			if (!cur || !parse_counters(line, &out->v[out->nr - 1]))
				out->bad_lines++;
			continue;
		}
		if (out->nr == out->cap) {
			int cap = out->cap ? out->cap * 2 : 8;
			struct xc_vbd *v = realloc(out->v, (size_t)cap * sizeof(*v));

			if (!v) {
				free(copy);
				return -1;
			}
			out->v = v;
			out->cap = cap;
		}
		cur = parse_vbd(line, &out->v[out->nr]);
		if (cur)
			out->nr++;
		else
			out->bad_lines++;
	}
	free(copy);
	return 0;
}

void xc_vbds_free(struct xc_vbds *v)
{
	free(v->v);
	memset(v, 0, sizeof(*v));
}
