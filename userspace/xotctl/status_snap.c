// SPDX-License-Identifier: GPL-2.0
/*
 * xotctl status: snapshots. One read of every xot device's scheduling tree
 * (/sys/kernel/debug/block/DEV/sched/tree), with the request count of each
 * dom0 cgroup's own queues on that device taken from its io.xot.stat (the
 * tree's group lines have none).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "status.h"

#define TREE "/sys/kernel/debug/block/%s/sched/tree"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* rqs= of the MAJ:MIN line of an io.xot.stat text */
static bool stat_rqs(const char *text, const char *majmin, long long *rqs)
{
	size_t n = strlen(majmin);
	const char *l = text;

	while (l && *l) {
		if (!strncmp(l, majmin, n) && l[n] == ' ') {
			const char *p = strstr(l, " rqs=");
			const char *e = strchr(l, '\n');

			if (p && (!e || p < e)) {
				*rqs = strtoll(p + 5, NULL, 10);
				return true;
			}
		}
		l = strchr(l, '\n');
		if (l)
			l++;
	}
	return false;
}

void status_take(struct snap *s, const struct xc_dev *devs, int nr)
{
	int i, j;

	s->nr = nr;
	s->d = calloc((size_t)(nr ? nr : 1), sizeof(*s->d));
	s->t = now();
	if (!s->d) {
		s->nr = 0;
		return;
	}
	for (i = 0; i < nr; i++) {
		struct devsnap *d = &s->d[i];
		char path[4096], *text = NULL;
		int r;

		d->dev = devs[i];
		if (!xc_path(path, sizeof(path), TREE, devs[i].name))
			continue;
		r = xc_read_file(path, &text);
		if (r) {
			d->tree_err = -r;
			continue;
		}
		if (xc_tree_parse(text, &d->tree)) {
			free(text);
			d->tree_err = ENOMEM;
			continue;
		}
		free(text);
		d->have_tree = true;
		/* dom0 groups: their own requests from io.xot.stat */
		for (j = 0; j < d->tree.nr; j++) {
			struct xc_ent *e = &d->tree.e[j];
			char *st = NULL;

			if (e->kind != XC_GROUP)
				continue;
			/* not found: the group's count stays unknown (has_rqs false) */
			if (!xc_cg_read(e->path, "stat", &st, true) &&
			    stat_rqs(st, devs[i].majmin, &e->rqs))
				e->has_rqs = true;
			free(st);
		}
	}
}

void status_drop(struct snap *s)
{
	int i;

	for (i = 0; i < s->nr; i++)
		xc_tree_free(&s->d[i].tree);
	free(s->d);
	memset(s, 0, sizeof(*s));
}

const struct devsnap *status_find_dev(const struct snap *s, const char *name)
{
	int i;

	for (i = 0; s && i < s->nr; i++)
		if (!strcmp(s->d[i].dev.name, name))
			return &s->d[i];
	return NULL;
}

